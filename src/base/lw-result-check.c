/* lw-result-check.c — the checks of every result (lw-result-check.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lw-colour.h"
#include "lw-image-io.h"
#include "lw-result-check.h"

/* Outer band of a product shot that must be white: 6 % of each side, inside
 * the even margin the Product Studio prompt asks for around the product. */
#define WHITE_BAND 0.06
/* A pixel counts as white when every channel is at least this and they are
 * no more than WHITE_SPREAD apart (a pale grey or a tint is not white). */
#define WHITE_MIN 235
#define WHITE_SPREAD 12
/* The band must be this white: room for a contact shadow touching the
 * bottom edge and a product that reaches into the band at one side. */
#define WHITE_FLOOR 0.85

/* Similarity floors, measured (tests/core/test-result-check.c prints them):
 * an enhanced photo of the fixtures scores 0.80–0.99 against its original,
 * another photo 0.0–0.3, a centre crop to 70 % 0.2–0.45. A floor between
 * keeps both margins. Product Studio replaces the whole background and may
 * pad to a square, so it keeps only the product: its floor is lower and the
 * white-border check carries the rest. */
static const struct {
  const char *module_id;
  double      floor;
} ssim_floors[] = {
  { "product", 0.25 },
};
#define SSIM_FLOOR_DEFAULT 0.55

double
lw_result_check_ssim_floor (const char *module_id)
{
  for (guint i = 0; module_id != NULL && i < G_N_ELEMENTS (ssim_floors); i++)
    if (g_str_equal (ssim_floors[i].module_id, module_id))
      return ssim_floors[i].floor;
  return SSIM_FLOOR_DEFAULT;
}

/* Grey (Rec. 601 luma, alpha over white) copy of pixbuf at w × h. */
static double *
grey_at (GdkPixbuf *pixbuf, int w, int h)
{
  g_autoptr(GdkPixbuf) small = gdk_pixbuf_scale_simple (pixbuf, w, h, GDK_INTERP_BILINEAR);
  double *grey;
  int n, stride;
  const guint8 *pixels;

  if (small == NULL)
    return NULL;
  grey = g_new (double, (gsize) w * h);
  n = gdk_pixbuf_get_n_channels (small);
  stride = gdk_pixbuf_get_rowstride (small);
  pixels = gdk_pixbuf_read_pixels (small);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *p = pixels + (gsize) y * stride + (gsize) x * n;
        double a = n == 4 ? p[3] / 255.0 : 1.0;
        double v = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];

        grey[(gsize) y * w + x] = v * a + 255 * (1 - a);
      }
  return grey;
}

/* Same mean and contrast for both (128, 48): global tone edits do not
 * count, structure does. */
static void
standardise (double *v, gsize n)
{
  double sum = 0, sq = 0, mean, sd;

  for (gsize i = 0; i < n; i++)
    sum += v[i];
  mean = sum / n;
  for (gsize i = 0; i < n; i++)
    sq += (v[i] - mean) * (v[i] - mean);
  sd = sqrt (sq / n);
  for (gsize i = 0; i < n; i++)
    v[i] = 128 + (sd > 1e-6 ? (v[i] - mean) / sd * 48 : 0);
}

double
lw_result_check_ssim (GdkPixbuf *a,
                      GdkPixbuf *b)
{
  /* Wang et al. 2004, for 8-bit values: C1 = (0.01·255)², C2 = (0.03·255)². */
  const double c1 = 6.5025, c2 = 58.5225;
  int aw = gdk_pixbuf_get_width (a), ah = gdk_pixbuf_get_height (a);
  double scale = (double) LW_RESULT_CHECK_EDGE / MAX (aw, ah);
  int w = MAX (8, (int) (aw * scale + 0.5)), h = MAX (8, (int) (ah * scale + 0.5));
  g_autofree double *ga = grey_at (a, w, h);
  g_autofree double *gb = grey_at (b, w, h);
  double total = 0;
  guint windows = 0;

  if (ga == NULL || gb == NULL)
    return -1;
  standardise (ga, (gsize) w * h);
  standardise (gb, (gsize) w * h);
  for (int y = 0; y + 8 <= h; y += 4)
    for (int x = 0; x + 8 <= w; x += 4)
      {
        double ma = 0, mb = 0, va = 0, vb = 0, cov = 0;

        for (int j = 0; j < 8; j++)
          for (int i = 0; i < 8; i++)
            {
              ma += ga[(gsize) (y + j) * w + x + i];
              mb += gb[(gsize) (y + j) * w + x + i];
            }
        ma /= 64;
        mb /= 64;
        for (int j = 0; j < 8; j++)
          for (int i = 0; i < 8; i++)
            {
              double da = ga[(gsize) (y + j) * w + x + i] - ma, db = gb[(gsize) (y + j) * w + x + i] - mb;

              va += da * da;
              vb += db * db;
              cov += da * db;
            }
        va /= 63;
        vb /= 63;
        cov /= 63;
        total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
        windows++;
      }
  return windows > 0 ? total / windows : -1;
}

double
lw_result_check_whiteness (GdkPixbuf *result)
{
  int rw = gdk_pixbuf_get_width (result), rh = gdk_pixbuf_get_height (result);
  double scale = MIN (1.0, (double) LW_RESULT_CHECK_EDGE / MAX (rw, rh));
  int w = MAX (1, (int) (rw * scale + 0.5)), h = MAX (1, (int) (rh * scale + 0.5));
  g_autoptr(GdkPixbuf) small = gdk_pixbuf_scale_simple (result, w, h, GDK_INTERP_BILINEAR);
  int bx = MAX (1, (int) ceil (w * WHITE_BAND)), by = MAX (1, (int) ceil (h * WHITE_BAND));
  int n, stride;
  const guint8 *pixels;
  guint white = 0, total = 0;

  if (small == NULL)
    return 0;
  n = gdk_pixbuf_get_n_channels (small);
  stride = gdk_pixbuf_get_rowstride (small);
  pixels = gdk_pixbuf_read_pixels (small);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *p = pixels + (gsize) y * stride + (gsize) x * n;
        double a = n == 4 ? p[3] / 255.0 : 1.0;
        int c[3], lo = 255, hi = 0;

        if (x >= bx && x < w - bx && y >= by && y < h - by)
          continue;
        for (int k = 0; k < 3; k++)
          {
            c[k] = (int) (p[k] * a + 255 * (1 - a) + 0.5);
            lo = MIN (lo, c[k]);
            hi = MAX (hi, c[k]);
          }
        total++;
        if (lo >= WHITE_MIN && hi - lo <= WHITE_SPREAD)
          white++;
      }
  return total > 0 ? (double) white / total : 0;
}

/* "3:2"-like words for a ratio when it is a common one, else "1.47:1". */
static char *
ratio_words (double r)
{
  static const int common[][2] = { { 1, 1 }, { 2, 3 }, { 3, 2 }, { 3, 4 }, { 4, 3 }, { 4, 5 }, { 5, 4 },
                                   { 9, 16 }, { 16, 9 }, { 21, 9 } };

  for (guint i = 0; i < G_N_ELEMENTS (common); i++)
    if (fabs (r / ((double) common[i][0] / common[i][1]) - 1) < 0.005)
      return g_strdup_printf ("%d:%d", common[i][0], common[i][1]);
  return g_strdup_printf ("%.2f:1", r);
}

char *
lw_result_check (GdkPixbuf      *original,
                 GdkPixbuf      *result,
                 int             result_width,
                 int             result_height,
                 double          asked_aspect,
                 const char     *module_id,
                 LwResultScores *scores)
{
  g_autoptr(GString) reasons = g_string_new (NULL);
  LwResultScores s = { 0, 0, lw_result_check_ssim_floor (module_id), -1 };
  double got;

  g_return_val_if_fail (GDK_IS_PIXBUF (original) && GDK_IS_PIXBUF (result), NULL);

  if (asked_aspect <= 0)
    asked_aspect = (double) gdk_pixbuf_get_width (original) / gdk_pixbuf_get_height (original);
  if (result_width <= 0 || result_height <= 0)
    {
      result_width = gdk_pixbuf_get_width (result);
      result_height = gdk_pixbuf_get_height (result);
    }
  got = (double) result_width / result_height;
  s.aspect_error = fabs (got / asked_aspect - 1);
  if (s.aspect_error > LW_RESULT_CHECK_ASPECT_TOLERANCE)
    {
      g_autofree char *got_words = ratio_words (got);
      g_autofree char *asked_words = ratio_words (asked_aspect);

      /* TRANSLATORS: shapes of pictures, "The result is 16:9, not the 4:3 asked for." */
      g_string_append_printf (reasons, _("The result is %s, not the %s asked for."), got_words, asked_words);
    }

  s.ssim = lw_result_check_ssim (original, result);
  if (s.ssim < s.ssim_floor)
    {
      if (reasons->len > 0)
        g_string_append_c (reasons, ' ');
      /* TRANSLATORS: %.2f is a similarity from 0 to 1 */
      g_string_append_printf (reasons, _("It looks like a different picture or a different crop of it "
                                         "(similarity %.2f)."), s.ssim);
    }

  if (g_strcmp0 (module_id, "product") == 0)
    {
      s.white = lw_result_check_whiteness (result);
      if (s.white < WHITE_FLOOR)
        {
          if (reasons->len > 0)
            g_string_append_c (reasons, ' ');
          /* TRANSLATORS: %.0f %% is a share, "62 %" */
          g_string_append_printf (reasons, _("The background is not white: only %.0f %% of the border is."),
                                  s.white * 100);
        }
    }

  if (scores != NULL)
    *scores = s;
  return reasons->len > 0 ? g_string_free (g_steal_pointer (&reasons), FALSE) : NULL;
}

static void
size_prepared_cb (GdkPixbufLoader *loader, int width, int height, gpointer data)
{
  int edge = GPOINTER_TO_INT (data);

  if (width > edge || height > edge)
    {
      double scale = (double) edge / MAX (width, height);

      gdk_pixbuf_loader_set_size (loader, MAX (1, (int) (width * scale + 0.5)), MAX (1, (int) (height * scale + 0.5)));
    }
}

/* result decoded with its long edge at most edge (JPEG: DCT scaling). */
static GdkPixbuf *
decode_small (GBytes *data, int edge, GError **error)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  gboolean ok;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), GINT_TO_POINTER (edge));
  ok = gdk_pixbuf_loader_write_bytes (loader, data, error);
  /* Closed either way: an open loader warns when it is finalised. */
  if (!gdk_pixbuf_loader_close (loader, ok ? error : NULL) || !ok)
    return NULL;
  return g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
}

void
lw_result_check_bytes (const char  *original_path,
                       int          orientation,
                       GBytes      *result,
                       double       asked_aspect,
                       const char  *module_id,
                       char       **review_reason,
                       char       **note)
{
  g_autoptr(GdkPixbuf) original = NULL;
  g_autoptr(GdkPixbuf) small = NULL;
  g_autoptr(GError) error = NULL;
  LwColourInfo colour = { 0 };
  LwImageInfo info;

  *review_reason = NULL;
  *note = NULL;
  /* Twice the grey copy's side: enough detail for the downscale to
   * average, and a DCT-scaled JPEG decode of a few ms. */
  original = lw_colour_load_srgb (original_path, orientation, 2 * LW_RESULT_CHECK_EDGE, &colour, NULL, &error);
  if (original == NULL)
    {
      g_debug ("Result checks skipped, the original cannot be decoded: %s", error->message);
      return;
    }
  *note = lw_colour_note (&colour);
  lw_colour_info_clear (&colour);
  if (!lw_image_probe_bytes (result, &(LwImageLimits) { 0, 0 }, &info, &error)
      || (small = decode_small (result, 2 * LW_RESULT_CHECK_EDGE, &error)) == NULL)
    {
      *review_reason = g_strdup_printf (_("The result cannot be read: %s"), error != NULL ? error->message : "?");
      return;
    }
  /* The result is upright as it comes: engines never write an EXIF
   * orientation (lw-metadata.c sets 1 on saved files). */
  *review_reason = lw_result_check (original, small, info.width, info.height, asked_aspect, module_id, NULL);
}

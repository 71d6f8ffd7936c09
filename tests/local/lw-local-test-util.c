/* lw-local-test-util.c — measuring the local engine's output. */
#include "config.h"

#include <babl/babl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>
#include <string.h>

#include "lw-colour.h"
#include "lw-local-test-util.h"

static double
rad (double deg)
{
  return deg * G_PI / 180;
}

static double
hue (double b, double a)
{
  double h;

  if (a == 0 && b == 0)
    return 0;
  h = atan2 (b, a) * 180 / G_PI;
  return h < 0 ? h + 360 : h;
}

/* Sharma, Wu & Dalal, "The CIEDE2000 Color-Difference Formula:
 * Implementation Notes, Supplementary Test Data, and Mathematical
 * Observations", Color Res. Appl. 30 (2005), equations 1–22. */
double
lw_ciede2000 (const double lab1[3],
              const double lab2[3])
{
  const double pow25_7 = 6103515625.0;   /* 25^7 */
  double c1 = hypot (lab1[1], lab1[2]);
  double c2 = hypot (lab2[1], lab2[2]);
  double cbar = (c1 + c2) / 2;
  double cbar7 = pow (cbar, 7);
  double g = 0.5 * (1 - sqrt (cbar7 / (cbar7 + pow25_7)));
  double a1 = (1 + g) * lab1[1];
  double a2 = (1 + g) * lab2[1];
  double cp1 = hypot (a1, lab1[2]);
  double cp2 = hypot (a2, lab2[2]);
  double hp1 = hue (lab1[2], a1);
  double hp2 = hue (lab2[2], a2);
  double dl = lab2[0] - lab1[0];
  double dc = cp2 - cp1;
  double dh, dH, lbar, cpbar, hpbar, t, dtheta, cpbar7, rc, sl, sc, sh, rt;

  if (cp1 * cp2 == 0)
    dh = 0;
  else
    {
      dh = hp2 - hp1;
      if (dh > 180)
        dh -= 360;
      else if (dh < -180)
        dh += 360;
    }
  dH = 2 * sqrt (cp1 * cp2) * sin (rad (dh / 2));

  lbar = (lab1[0] + lab2[0]) / 2;
  cpbar = (cp1 + cp2) / 2;
  if (cp1 * cp2 == 0)
    hpbar = hp1 + hp2;
  else if (fabs (hp1 - hp2) <= 180)
    hpbar = (hp1 + hp2) / 2;
  else if (hp1 + hp2 < 360)
    hpbar = (hp1 + hp2 + 360) / 2;
  else
    hpbar = (hp1 + hp2 - 360) / 2;

  t = 1 - 0.17 * cos (rad (hpbar - 30)) + 0.24 * cos (rad (2 * hpbar))
      + 0.32 * cos (rad (3 * hpbar + 6)) - 0.20 * cos (rad (4 * hpbar - 63));
  dtheta = 30 * exp (-((hpbar - 275) / 25) * ((hpbar - 275) / 25));
  cpbar7 = pow (cpbar, 7);
  rc = 2 * sqrt (cpbar7 / (cpbar7 + pow25_7));
  sl = 1 + 0.015 * (lbar - 50) * (lbar - 50) / sqrt (20 + (lbar - 50) * (lbar - 50));
  sc = 1 + 0.045 * cpbar;
  sh = 1 + 0.015 * cpbar * t;
  rt = -sin (rad (2 * dtheta)) * rc;

  return sqrt ((dl / sl) * (dl / sl) + (dc / sc) * (dc / sc) + (dH / sh) * (dH / sh)
               + rt * (dc / sc) * (dH / sh));
}

static double
srgb_to_linear (double v)
{
  return v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
}

/* Linear light (clamped to 0–1) to the sRGB encoding, 0–1. */
static double
linear_to_srgb (double v)
{
  if (v <= 0)
    return 0;
  if (v >= 1)
    return 1;
  return v <= 0.0031308 ? v * 12.92 : 1.055 * pow (v, 1 / 2.4) - 0.055;
}

/* A linear value as an 8-bit sRGB code, with noise (in codes) added
 * before rounding. Clamped once, on a value computed once: CLAMP() is a
 * macro, and given the noise draw itself it drew up to three times, so a
 * value tested as ≥ 0 could come back as −3 and wrap to 253 — the dark
 * generated scenes had bright, saturated speckles where they were black. */
guint8
lw_test_srgb_code (double linear,
                   double noise)
{
  double code = round (255 * linear_to_srgb (linear) + noise);

  return (guint8) CLAMP (code, 0, 255);
}

static const double *
linear_table (void)
{
  static double table[256];
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      int i;

      for (i = 0; i < 256; i++)
        table[i] = srgb_to_linear (i / 255.0);
      g_once_init_leave (&done, 1);
    }
  return table;
}

static double
lab_f (double t)
{
  return t > 216.0 / 24389.0 ? cbrt (t) : (24389.0 / 27.0 * t + 16) / 116;
}

void
lw_srgb8_to_lab (const guint8 rgb[3],
                 double       lab[3])
{
  const double *lin = linear_table ();
  double r = lin[rgb[0]], g = lin[rgb[1]], b = lin[rgb[2]];
  /* IEC 61966-2-1 sRGB → XYZ, D65 white (0.95047, 1, 1.08883) */
  double x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
  double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
  double z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
  double fx = lab_f (x / 0.95047), fy = lab_f (y), fz = lab_f (z / 1.08883);

  lab[0] = 116 * fy - 16;
  lab[1] = 500 * (fx - fy);
  lab[2] = 200 * (fy - fz);
}

LwTestImage *
lw_test_image_new (int width,
                   int height)
{
  LwTestImage *image = g_new0 (LwTestImage, 1);

  image->width = width;
  image->height = height;
  image->rgb = g_new0 (guint8, (gsize) width * height * 3);
  return image;
}

static LwTestImage *
from_pixbuf (GdkPixbuf *pixbuf)
{
  int w = gdk_pixbuf_get_width (pixbuf), h = gdk_pixbuf_get_height (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf), nc = gdk_pixbuf_get_n_channels (pixbuf);
  const guint8 *px = gdk_pixbuf_read_pixels (pixbuf);
  LwTestImage *image = lw_test_image_new (w, h);
  int x, y;

  if (gdk_pixbuf_get_has_alpha (pixbuf))
    image->alpha = g_new (guint8, (gsize) w * h);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      {
        const guint8 *p = px + (gsize) y * stride + (gsize) x * nc;

        memcpy (image->rgb + ((gsize) y * w + x) * 3, p, 3);
        if (image->alpha != NULL)
          image->alpha[(gsize) y * w + x] = p[3];
      }
  return image;
}

/* The image in sRGB, as the engine sees it (lw-local-render.c): a JPEG
 * through lw_colour_load_srgb (lcms2, a CMYK one through its press
 * profile), any other file's embedded ICC profile with babl, as GEGL's
 * loaders do (relative colorimetric both). A copy made from the file's raw
 * numbers and saved without the profile would be another photo to the
 * engine (rocket.jpg is Adobe RGB). */
static void
to_srgb (LwTestImage *image,
         GdkPixbuf   *pixbuf)
{
  const char *icc64 = gdk_pixbuf_get_option (pixbuf, "icc-profile");
  g_autofree guchar *icc = NULL;
  const char *why = NULL;
  const Babl *space;
  guint8 *srgb;
  gsize len = 0;

  if (icc64 == NULL)
    return;
  babl_init ();
  icc = g_base64_decode (icc64, &len);
  space = babl_space_from_icc ((const char *) icc, (int) len, BABL_ICC_INTENT_RELATIVE_COLORIMETRIC, &why);
  g_assert_nonnull (space);
  srgb = g_new (guint8, (gsize) image->width * image->height * 3);
  babl_process (babl_fish (babl_format_with_space ("R'G'B' u8", space), babl_format ("R'G'B' u8")),
                image->rgb, srgb, (long) image->width * image->height);
  g_free (image->rgb);
  image->rgb = srgb;
}

LwTestImage *
lw_test_image_load (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GdkPixbufFormat *format = gdk_pixbuf_get_file_info (path, NULL, NULL);
  g_autofree char *name = format != NULL ? gdk_pixbuf_format_get_name (format) : NULL;
  LwTestImage *image;

  if (g_strcmp0 (name, "jpeg") == 0)
    {
      pixbuf = lw_colour_load_srgb (path, 1, 0, NULL, NULL, &error);
      g_assert_no_error (error);
      return from_pixbuf (pixbuf);
    }
  pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  image = from_pixbuf (pixbuf);
  to_srgb (image, pixbuf);
  return image;
}

LwTestImage *
lw_test_image_from_bytes (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_stream (stream, NULL, &error);

  g_assert_no_error (error);
  return from_pixbuf (pixbuf);
}

void
lw_test_image_free (LwTestImage *image)
{
  if (image == NULL)
    return;
  g_free (image->rgb);
  g_free (image->alpha);
  g_free (image);
}

void
lw_test_image_save_png (const LwTestImage *image,
                        const char        *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, image->alpha != NULL, 8,
                                                image->width, image->height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf), nc = gdk_pixbuf_get_n_channels (pixbuf);
  guint8 *px = gdk_pixbuf_get_pixels (pixbuf);
  int x, y;

  for (y = 0; y < image->height; y++)
    for (x = 0; x < image->width; x++)
      {
        guint8 *p = px + (gsize) y * stride + (gsize) x * nc;

        memcpy (p, image->rgb + ((gsize) y * image->width + x) * 3, 3);
        if (image->alpha != NULL)
          p[3] = image->alpha[(gsize) y * image->width + x];
      }
  gdk_pixbuf_save (pixbuf, path, "png", &error, NULL);
  g_assert_no_error (error);
}

LwTestImage *
lw_test_image_gain (const LwTestImage *image,
                    const double       gains[3])
{
  const double *lin = linear_table ();
  LwTestImage *out = lw_test_image_new (image->width, image->height);
  gsize i, n = (gsize) image->width * image->height * 3;

  for (i = 0; i < n; i++)
    out->rgb[i] = lw_test_srgb_code (lin[image->rgb[i]] * gains[i % 3], 0);
  if (image->alpha != NULL)
    out->alpha = g_memdup2 (image->alpha, (gsize) image->width * image->height);
  return out;
}

double
lw_test_mean_delta_e_mask (const LwTestImage *a,
                           const LwTestImage *b,
                           const guint8      *mask)
{
  double sum = 0, n = 0;
  gsize i, count = (gsize) a->width * a->height;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (i = 0; i < count; i++)
    {
      double la[3], lb[3];

      if (mask != NULL && !mask[i])
        continue;
      lw_srgb8_to_lab (a->rgb + i * 3, la);
      lw_srgb8_to_lab (b->rgb + i * 3, lb);
      sum += lw_ciede2000 (la, lb);
      n++;
    }
  return n > 0 ? sum / n : 0;
}

double
lw_test_mean_delta_e (const LwTestImage *a,
                      const LwTestImage *b,
                      double            *max_out)
{
  double sum = 0, max = 0;
  gsize i, count = (gsize) a->width * a->height;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (i = 0; i < count; i++)
    {
      double la[3], lb[3], d;

      lw_srgb8_to_lab (a->rgb + i * 3, la);
      lw_srgb8_to_lab (b->rgb + i * 3, lb);
      d = lw_ciede2000 (la, lb);
      sum += d;
      max = MAX (max, d);
    }
  if (max_out != NULL)
    *max_out = max;
  return sum / count;
}

static double
mean_lab (const LwTestImage *image, int what)
{
  double sum = 0;
  gsize i, count = (gsize) image->width * image->height;

  for (i = 0; i < count; i++)
    {
      double lab[3];

      lw_srgb8_to_lab (image->rgb + i * 3, lab);
      sum += what == 3 ? hypot (lab[1], lab[2]) : lab[what];
    }
  return sum / count;
}

double
lw_test_mean_lstar (const LwTestImage *image)
{
  return mean_lab (image, 0);
}

double
lw_test_mean_b (const LwTestImage *image)
{
  return mean_lab (image, 2);
}

double
lw_test_mean_chroma (const LwTestImage *image)
{
  return mean_lab (image, 3);
}

double
lw_test_clipped_share (const LwTestImage *image)
{
  gsize i, count = (gsize) image->width * image->height * 3, clipped = 0;

  for (i = 0; i < count; i++)
    clipped += image->rgb[i] == 0 || image->rgb[i] == 255;
  return (double) clipped / count;
}

double
lw_test_blown_share (const LwTestImage *image)
{
  gsize i, count = (gsize) image->width * image->height, blown = 0;

  for (i = 0; i < count; i++)
    {
      const guint8 *p = image->rgb + i * 3;

      blown += (p[0] == 0 && p[1] == 0 && p[2] == 0) || (p[0] == 255 && p[1] == 255 && p[2] == 255);
    }
  return (double) blown / count;
}

typedef struct {
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

LwEngineResult *
lw_test_run_engine (LwEngine      *engine,
                    const char    *path,
                    const char    *module_id,
                    const char    *instruction,
                    int            orientation,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(LwEngineRequest) request = lw_engine_request_new ();
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GdkPixbufFormat *format;
  Wait wait = { NULL };
  LwEngineResult *result;
  int width = 0, height = 0;

  format = gdk_pixbuf_get_file_info (path, &width, &height);
  request->image_id = 1;
  request->job_id = 1;
  request->attempt = 1;
  request->module_id = g_strdup (module_id);
  request->model = g_strdup ("local");
  request->input_path = g_strdup (path);
  if (format != NULL)
    {
      g_auto(GStrv) types = gdk_pixbuf_format_get_mime_types (format);
      request->input_mime = g_strdup (types[0]);
    }
  request->width = width;
  request->height = height;
  request->orientation = orientation;
  request->module_prompt = g_strdup ("(module prompt)");
  request->specific_prompt = g_strdup (instruction);
  request->prompt = instruction != NULL
                    ? g_strdup_printf ("%s\n\n%s", request->module_prompt, instruction)
                    : g_strdup (request->module_prompt);

  lw_engine_process_async (engine, request, cancellable, done_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  result = lw_engine_process_finish (engine, wait.result, error);
  g_object_unref (wait.result);
  return result;
}

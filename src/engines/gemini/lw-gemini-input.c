/* lw-gemini-input.c — the photo as it is sent. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lw-colour.h"
#include "lw-engine.h"
#include "lw-gemini-input.h"
#include "lw-image-io.h"

/* JPEG quality for re-encoded inputs: visually lossless for a model that
 * works at 1–2K, and about a third of quality 100's size. */
#define REENCODE_QUALITY "92"

/* A JPEG above this many bytes per pixel was saved at a very high quality;
 * a q92 re-encode is then worth trying. Typical camera JPEGs are
 * 0.3–0.8 B/px, where a re-encode only loses quality and saves nothing. */
#define JPEG_REENCODE_BYTES_PER_PIXEL 1.2

/* imageConfig.aspectRatio values the image models accept, with the size
 * of the 1K result each gives (ai.google.dev/gemini-api/docs/image-generation,
 * "aspect ratios"): the result's shape is that size's, which for 4:3, 5:4
 * and 21:9 is 2–3 % off the name (1184 × 864 is 1.370, not 1.333). */
static const struct {
  const char *name;
  int         w;
  int         h;
  int         out_w;
  int         out_h;
} aspect_ratios[] = {
  { "1:1", 1, 1, 1024, 1024 },
  { "2:3", 2, 3, 832, 1248 },
  { "3:2", 3, 2, 1248, 832 },
  { "3:4", 3, 4, 864, 1184 },
  { "4:3", 4, 3, 1184, 864 },
  { "4:5", 4, 5, 896, 1152 },
  { "5:4", 5, 4, 1152, 896 },
  { "9:16", 9, 16, 768, 1344 },
  { "16:9", 16, 9, 1344, 768 },
  { "21:9", 21, 9, 1536, 672 },
};

gboolean
lw_gemini_mime_is_accepted (const char *mime)
{
  /* ai.google.dev/gemini-api/docs/image-understanding: PNG, JPEG, WEBP,
   * HEIC, HEIF. */
  static const char * const accepted[] = {
    "image/png", "image/jpeg", "image/webp", "image/heic", "image/heif", NULL,
  };

  return mime != NULL && g_strv_contains (accepted, mime);
}

const char *
lw_gemini_nearest_aspect_ratio (int width,
                                int height)
{
  double best_distance = G_MAXDOUBLE;
  double ratio;
  guint best = 0;

  if (width <= 0 || height <= 0)
    return "1:1";
  ratio = log ((double) width / height);
  for (guint i = 0; i < G_N_ELEMENTS (aspect_ratios); i++)
    {
      double distance = fabs (ratio - log ((double) aspect_ratios[i].w / aspect_ratios[i].h));

      if (distance < best_distance)
        {
          best_distance = distance;
          best = i;
        }
    }
  return aspect_ratios[best].name;
}

double
lw_gemini_aspect_ratio_value (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (aspect_ratios); i++)
    if (g_str_equal (aspect_ratios[i].name, name))
      return (double) aspect_ratios[i].out_w / aspect_ratios[i].out_h;
  return 0;
}

void
lw_gemini_input_free (LwGeminiInput *input)
{
  if (input == NULL)
    return;
  g_clear_pointer (&input->data, g_bytes_unref);
  g_free (input->mime);
  g_free (input);
}

static GBytes *
encode (GdkPixbuf   *pixbuf,
        const char **mime,
        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gchar *buffer = NULL;
  gsize size = 0;
  gboolean ok;

  /* JPEG has no alpha: a cut-out product shot keeps its transparency as PNG. */
  if (gdk_pixbuf_get_has_alpha (pixbuf))
    {
      *mime = "image/png";
      ok = gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &local_error, NULL);
    }
  else
    {
      *mime = "image/jpeg";
      ok = gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "jpeg", &local_error,
                                      "quality", REENCODE_QUALITY, NULL);
    }
  if (!ok || size == 0)
    {
      g_free (buffer);
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT,
                   _("The photo could not be re-encoded for sending (%s)"),
                   local_error != NULL ? local_error->message : "?");
      return NULL;
    }
  return g_bytes_new_take (buffer, size);
}

/* Whether the file may hold colours that are not sRGB: an embedded ICC
 * profile (JPEG APP2 "ICC_PROFILE", PNG iCCP, WebP ICCP) or an Adobe
 * APP14 marker (CMYK JPEGs carry one). A cheap look at the bytes; the
 * decode then says whether anything needed converting. */
static gboolean
has_bytes (const char *hay, gsize len, const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= len; i++)
    if (hay[i] == needle[0] && memcmp (hay + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
may_need_colour (GBytes *data)
{
  gsize len = 0;
  const char *bytes = g_bytes_get_data (data, &len);
  /* The markers sit in the header: the first 256 KB hold them for any
   * camera or editor file (a JPEG's APP segments are at most 64 KB each). */
  gsize window = MIN (len, 256 * 1024);

  return has_bytes (bytes, window, "ICC_PROFILE") || has_bytes (bytes, window, "iCCP")
         || has_bytes (bytes, window, "ICCP") || has_bytes (bytes, window, "Adobe");
}

static gboolean
propagate_bad_input (GError **error, GError *local_error, const char *what)
{
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT, "%s: %s", what, local_error->message);
  g_error_free (local_error);
  return FALSE;
}

LwGeminiInput *
lw_gemini_input_prepare (const char    *path,
                         const char    *mime,
                         int            width,
                         int            height,
                         int            orientation,
                         int            max_edge,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(LwGeminiInput) input = g_new0 (LwGeminiInput, 1);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GBytes) original = NULL;
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GFile) file = NULL;
  GError *local_error = NULL;
  const char *encoded_mime = NULL;
  LwImageInfo info;
  LwColourInfo colour = { 0 };
  gboolean turned, too_large, try_reencode;
  int long_edge;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  /* The header says what the file is; no limits here, ingest applied them. */
  if (!lw_image_probe (path, &(LwImageLimits) { 0, 0 }, &info, &local_error))
    {
      propagate_bad_input (error, local_error, _("The photo cannot be read"));
      return NULL;
    }
  if (orientation < 1 || orientation > 8)
    orientation = info.orientation;
  long_edge = MAX (info.width, info.height);
  turned = orientation != 1;
  too_large = max_edge > 0 && long_edge > max_edge;

  if (!turned && !too_large && lw_gemini_mime_is_accepted (info.mime))
    {
      file = g_file_new_for_path (path);
      original = g_file_load_bytes (file, cancellable, NULL, &local_error);
      if (original == NULL)
        {
          propagate_bad_input (error, local_error, _("The photo cannot be read"));
          return NULL;
        }
      /* A photo in another colour space is sent as sRGB: the model reads
       * every photo as sRGB, and a P3 or CMYK file sent as it is comes back
       * dull or with shifted colours (docs/ARCHITECTURE.md, "Results"). */
      if (may_need_colour (original))
        {
          pixbuf = lw_colour_load_srgb (path, 1, 0, &colour, cancellable, NULL);
          if (pixbuf != NULL && colour.converted)
            {
              input->data = encode (pixbuf, &encoded_mime, error);
              lw_colour_info_clear (&colour);
              if (input->data == NULL)
                return NULL;
              input->mime = g_strdup (encoded_mime);
              input->width = gdk_pixbuf_get_width (pixbuf);
              input->height = gdk_pixbuf_get_height (pixbuf);
              input->reencoded = TRUE;
              return g_steal_pointer (&input);
            }
          lw_colour_info_clear (&colour);
          g_clear_object (&pixbuf);
        }
      try_reencode = !info.has_alpha &&
                     (g_strcmp0 (info.mime, "image/jpeg") != 0 ||
                      (double) g_bytes_get_size (original) >
                        JPEG_REENCODE_BYTES_PER_PIXEL * info.width * info.height);
      if (try_reencode)
        {
          pixbuf = lw_image_load_oriented (path, 1, 0, cancellable, NULL);
          if (pixbuf != NULL && !gdk_pixbuf_get_has_alpha (pixbuf))
            encoded = encode (pixbuf, &encoded_mime, NULL);
        }
      if (encoded != NULL && g_bytes_get_size (encoded) < g_bytes_get_size (original))
        {
          input->data = g_steal_pointer (&encoded);
          input->mime = g_strdup (encoded_mime);
          input->reencoded = TRUE;
        }
      else
        {
          input->data = g_steal_pointer (&original);
          input->mime = g_strdup (info.mime);
        }
      input->width = info.width;
      input->height = info.height;
      return g_steal_pointer (&input);
    }

  /* Turned or too large (or a format the API does not take): decode
   * upright at the target size and encode anew. */
  pixbuf = lw_colour_load_srgb (path, orientation, too_large ? max_edge : 0, &colour, cancellable, &local_error);
  lw_colour_info_clear (&colour);
  if (pixbuf == NULL)
    {
      propagate_bad_input (error, local_error, _("The photo cannot be decoded"));
      return NULL;
    }
  long_edge = MAX (gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf));
  if (max_edge > 0 && long_edge > max_edge)
    {
      /* The loader's DCT scaling stops at powers of two; finish the job. */
      double scale = (double) max_edge / long_edge;
      GdkPixbuf *scaled = gdk_pixbuf_scale_simple (pixbuf,
                                                   MAX (1, (int) (gdk_pixbuf_get_width (pixbuf) * scale + 0.5)),
                                                   MAX (1, (int) (gdk_pixbuf_get_height (pixbuf) * scale + 0.5)),
                                                   GDK_INTERP_BILINEAR);

      g_object_unref (pixbuf);
      pixbuf = scaled;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  input->data = encode (pixbuf, &encoded_mime, error);
  if (input->data == NULL)
    return NULL;
  input->mime = g_strdup (encoded_mime);
  input->width = gdk_pixbuf_get_width (pixbuf);
  input->height = gdk_pixbuf_get_height (pixbuf);
  input->reencoded = TRUE;
  return g_steal_pointer (&input);
}

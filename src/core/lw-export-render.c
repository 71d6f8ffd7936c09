/* lw-export-render.c — the file a result is saved as (lw-export-render.h).
 *
 * Why at export and not when the result is stored: the stored result is
 * what the model returned, byte for byte — the reuse cache answers an
 * identical request with it, the review viewer compares it with the
 * original, and the checks judged it. Size, format, quality and GPS are
 * the user's choice at the time of saving and may change after a batch
 * ran; rendering at export applies today's settings to every result
 * without asking the model again, and never stores a 24-megapixel
 * upscale of every result in the data folder.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lw-colour.h"
#include "lw-export-render.h"
#include "lw-gemini-config.h"
#include "lw-image-io.h"
#include "lw-metadata.h"
#include "lw-prompt.h"
#include "lw-settings.h"

/* Shapes this close are the same shape: a 1024×683 result of a 6000×4000
 * photo is 3:2 with rounding (the result checks' tolerance). */
#define SAME_SHAPE 0.02

void
lw_export_options_load (LwExportOptions *options,
                        LwStore         *store,
                        const LwJob     *job)
{
  memset (options, 0, sizeof *options);
  options->format = lw_settings_get_string (store, LW_SETTING_EXPORT_FORMAT);
  if (options->format == NULL)
    options->format = g_strdup ("keep");
  options->jpeg_quality = (int) lw_settings_get_int (store, LW_SETTING_JPEG_QUALITY);
  options->restore_size = lw_settings_get_int (store, LW_SETTING_RESTORE_SIZE) != 0;
  options->strip_gps = lw_settings_get_int (store, LW_SETTING_STRIP_GPS) != 0;
  if (job != NULL && job->model != NULL)
    {
      LwGeminiTier tier;

      if (lw_gemini_tier_from_alias (job->model, &tier))
        {
          g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_from_store (store);

          options->model_id = g_strdup (config->model_id[tier]);
        }
      else
        options->model_id = g_strdup (job->model);
    }
}

void
lw_export_options_clear (LwExportOptions *options)
{
  g_clear_pointer (&options->format, g_free);
  g_clear_pointer (&options->model_id, g_free);
}

const char *
lw_export_output_mime (const LwExportOptions *options,
                       const LwImage         *image,
                       gboolean               result_has_alpha)
{
  const char *format = options->format != NULL ? options->format : "keep";

  if (g_str_equal (format, "png"))
    return "image/png";
  if (g_str_equal (format, "jpeg"))
    return "image/jpeg";
  if (g_str_equal (format, "webp"))
    return "image/webp";
  if (g_strcmp0 (image->mime, "image/png") == 0 || g_strcmp0 (image->mime, "image/jpeg") == 0
      || g_strcmp0 (image->mime, "image/webp") == 0)
    return image->mime;
  /* TIFF, HEIC, AVIF: what every shop and viewer reads, keeping alpha. */
  return result_has_alpha ? "image/png" : "image/jpeg";
}

void
lw_export_restored_size (int  original_width,
                         int  original_height,
                         int  result_width,
                         int  result_height,
                         int *width,
                         int *height)
{
  double original = (double) original_width / original_height;
  double result = (double) result_width / result_height;
  double scale;

  if (fabs (result / original - 1) <= SAME_SHAPE)
    {
      *width = original_width;
      *height = original_height;
      return;
    }
  scale = MIN ((double) original_width / result_width, (double) original_height / result_height);
  *width = MAX (1, (int) floor (result_width * scale + 0.5));
  *height = MAX (1, (int) floor (result_height * scale + 0.5));
}

static GdkPixbuf *
decode (GBytes *data, GError **error)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  gboolean ok = gdk_pixbuf_loader_write_bytes (loader, data, error);

  if (!gdk_pixbuf_loader_close (loader, ok ? error : NULL) || !ok)
    return NULL;
  return g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
}

/* JPEG has no alpha: a cut-out is put on white, as a shop shows it. */
static GdkPixbuf *
flatten (GdkPixbuf *pixbuf)
{
  int w = gdk_pixbuf_get_width (pixbuf), h = gdk_pixbuf_get_height (pixbuf);
  GdkPixbuf *rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);

  if (rgb == NULL)
    return NULL;
  gdk_pixbuf_fill (rgb, 0xFFFFFFFF);
  gdk_pixbuf_composite (pixbuf, rgb, 0, 0, w, h, 0, 0, 1, 1, GDK_INTERP_NEAREST, 255);
  return rgb;
}

static GBytes *
encode (GdkPixbuf *pixbuf, const char *mime, int quality, GError **error)
{
  g_autofree char *q = g_strdup_printf ("%d", CLAMP (quality, 1, 100));
  char *keys[3] = { (char *) "icc-profile", NULL, NULL };
  char *values[3] = { (char *) lw_colour_srgb_icc_base64 (), NULL, NULL };
  const char *type = "png";
  gchar *buffer = NULL;
  gsize len = 0;

  if (g_str_equal (mime, "image/jpeg"))
    type = "jpeg";
  else if (g_str_equal (mime, "image/webp"))
    type = "webp";
  if (g_str_equal (type, "png"))
    {
      g_autoptr(GBytes) plain = NULL;
      g_autoptr(GBytes) icc = lw_colour_srgb_icc ();
      GBytes *tagged;

      /* gdk-pixbuf cannot write an RGB profile into a PNG (lw-colour.h). */
      if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &len, "png", error, NULL))
        return NULL;
      plain = g_bytes_new_take (buffer, len);
      tagged = lw_colour_png_with_icc (plain, icc);
      return tagged != NULL ? tagged : g_steal_pointer (&plain);
    }
  keys[1] = (char *) "quality";
  values[1] = q;
  if (!gdk_pixbuf_save_to_bufferv (pixbuf, &buffer, &len, type, keys, values, error))
    return NULL;
  return g_bytes_new_take (buffer, len);
}

/* exiv2 writes metadata into files, not buffers: the encoded result goes
 * through a private temporary file. */
static GBytes *
with_metadata (GBytes *encoded, const char *original_path, const LwMetadataStamp *stamp, GError **error)
{
  g_autofree char *tmp = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  gboolean ok;
  int fd = g_file_open_tmp ("lightwork-export-XXXXXX", &tmp, error);

  if (fd < 0)
    return NULL;
  close (fd);
  ok = g_file_set_contents_full (tmp, g_bytes_get_data (encoded, NULL), (gssize) g_bytes_get_size (encoded),
                                 G_FILE_SET_CONTENTS_NONE, 0600, error)
       && lw_metadata_copy (original_path, tmp, stamp, error)
       && g_file_get_contents (tmp, &contents, &len, error);
  g_unlink (tmp);
  if (!ok)
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

GBytes *
lw_export_render (LwBlobStore            *blobs,
                  const LwJob            *job,
                  const LwImage          *image,
                  const LwExportOptions  *options,
                  const char            **mime,
                  GCancellable           *cancellable,
                  GError                **error)
{
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GBytes) icc = NULL;
  g_autoptr(GBytes) stamped = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *original_path = NULL;
  g_autofree char *prompt = NULL;
  LwMetadataStamp stamp = { 0 };
  const char *out_mime;
  int ow, oh;

  data = lw_blob_store_get_bytes (blobs, image->processed_key, error);
  if (data == NULL)
    return NULL;
  pixbuf = decode (data, &local_error);
  if (pixbuf == NULL)
    {
      /* No loader for it here (a format this machine cannot decode):
       * the result as the engine gave it beats no result. */
      g_debug ("Result %s saved as it is: %s", image->processed_key, local_error->message);
      *mime = image->processed_mime != NULL ? image->processed_mime : "application/octet-stream";
      return g_steal_pointer (&data);
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  /* A result in another space (the local engine's GEGL writes its own
   * profile) becomes sRGB; one that is sRGB by another name is left. */
  icc = lw_colour_pixbuf_icc (pixbuf);
  if (icc != NULL)
    lw_colour_to_srgb (pixbuf, icc, NULL);

  ow = image->orientation >= 5 && image->orientation <= 8 ? image->height : image->width;
  oh = image->orientation >= 5 && image->orientation <= 8 ? image->width : image->height;
  if (options->restore_size && ow > 0 && oh > 0)
    {
      int w, h;

      lw_export_restored_size (ow, oh, gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf), &w, &h);
      if (w != gdk_pixbuf_get_width (pixbuf) || h != gdk_pixbuf_get_height (pixbuf))
        {
          /* HYPER: gdk-pixbuf's best filter (Wolberg's), for the ×3–×6
           * upscale of a 1–2K model result to a camera's size. */
          GdkPixbuf *scaled = gdk_pixbuf_scale_simple (pixbuf, w, h, GDK_INTERP_HYPER);

          if (scaled == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           _("Not enough memory to bring the result to %d × %d"), w, h);
              return NULL;
            }
          g_object_unref (pixbuf);
          pixbuf = scaled;
        }
    }

  out_mime = lw_export_output_mime (options, image, gdk_pixbuf_get_has_alpha (pixbuf));
  if (g_str_equal (out_mime, "image/jpeg") && gdk_pixbuf_get_has_alpha (pixbuf))
    {
      GdkPixbuf *flat = flatten (pixbuf);

      if (flat == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory to save the result"));
          return NULL;
        }
      g_object_unref (pixbuf);
      pixbuf = flat;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  encoded = encode (pixbuf, out_mime, options->jpeg_quality, error);
  if (encoded == NULL)
    return NULL;

  original_path = image->original_key != NULL ? lw_blob_store_path (blobs, image->original_key) : NULL;
  /* The prompt this very take answered (docs/ARCHITECTURE.md, "Review"),
   * not today's: the job's prompt or the photo's instruction may have
   * changed since. */
  prompt = options->prompt != NULL && *options->prompt != '\0' ? g_strdup (options->prompt)
                                                                : lw_prompt_compose (job->prompt, image->specific_prompt);
  stamp.module_id = job->module_id;
  stamp.model = options->model_id != NULL ? options->model_id : job->model;
  stamp.prompt = prompt;
  stamp.date_ms = options->taken_at > 0 ? options->taken_at : image->updated_at;
  stamp.width = gdk_pixbuf_get_width (pixbuf);
  stamp.height = gdk_pixbuf_get_height (pixbuf);
  stamp.strip_gps = options->strip_gps;
  *mime = out_mime;
  stamped = with_metadata (encoded, original_path, &stamp, &local_error);
  if (stamped == NULL)
    {
      /* exiv2 refused to write this file: the picture without its
       * metadata is still the user's result. */
      g_debug ("Result %s saved without metadata: %s", image->processed_key, local_error->message);
      return g_steal_pointer (&encoded);
    }
  return g_steal_pointer (&stamped);
}

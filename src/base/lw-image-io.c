/* lw-image-io.c — what a file is, from its bytes, before anything decodes it.
 *
 * Every probe reads through a small window (LwSrc, lw-image-io-src.c) that
 * refuses any range outside the file, so a hostile length or offset can
 * only make a probe fail, never read out of bounds. This file holds the
 * public API: the probe's order of work (type, size limit, header, loader,
 * pixel limit, structure), the error messages every part of it gives,
 * decoding with orientation, thumbnails and extensions. The per-format
 * header parsers are in lw-image-io-formats.c and lw-image-io-tiff.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lw-image-io-private.h"

G_DEFINE_QUARK (lw-image-error-quark, lw_image_error)

/* No camera or scanner makes a side this long; anything above is a lie
 * in a header (and would overflow a decoder's row stride). */
#define MAX_SIDE (1 << 20)

/* ---- names and messages ------------------------------------------------ */

static const char *
format_name (const char *mime)
{
  if (g_strcmp0 (mime, "image/jpeg") == 0)
    return "JPEG";
  if (g_strcmp0 (mime, "image/png") == 0)
    return "PNG";
  if (g_strcmp0 (mime, "image/webp") == 0)
    return "WebP";
  if (g_strcmp0 (mime, "image/tiff") == 0)
    return "TIFF";
  if (g_strcmp0 (mime, "image/heic") == 0)
    return "HEIC";
  if (g_strcmp0 (mime, "image/avif") == 0)
    return "AVIF";
  return "image";
}

gboolean
lw_image_io_fail_truncated (GError **error, const char *mime)
{
  /* TRANSLATORS: %s is a file format, "JPEG", "PNG", … */
  g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_TRUNCATED, _("truncated %s"), format_name (mime));
  return FALSE;
}

gboolean
lw_image_io_fail_corrupt (GError **error, const char *mime)
{
  /* TRANSLATORS: %s is a file format, "JPEG", "PNG", … */
  g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT, _("damaged %s header"), format_name (mime));
  return FALSE;
}

gboolean
lw_image_io_fail_unsupported (GError **error, const char *what)
{
  /* TRANSLATORS: %s is a kind of file, "GIF", "BMP", "camera RAW", … */
  g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNSUPPORTED, _("%s images are not supported"), what);
  return FALSE;
}

gboolean
lw_image_io_fail_read (GError **error, int errsv)
{
  if (errsv == EACCES || errsv == EPERM)
    g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNREADABLE,
                         _("cannot be read: permission denied"));
  else
    g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNREADABLE,
                 _("cannot be read: %s"), g_strerror (errsv));
  return FALSE;
}

/* A header that cannot be read to its end is truncated, unless the read
 * itself failed, which is an I/O error, not a property of the file. */
gboolean
lw_image_io_fail_short (LwSrc *src, GError **error, const char *mime)
{
  if (src->read_errno != 0)
    return lw_image_io_fail_read (error, src->read_errno);
  return lw_image_io_fail_truncated (error, mime);
}

/* The shortest of "%.0f", "%.1f", "%.2f" that tells value from limit. */
static char *
format_over (double value, double limit)
{
  g_autofree char *limit_str = g_strdup_printf ("%g", limit);

  for (int decimals = 0; decimals < 3; decimals++)
    {
      char *str = g_strdup_printf ("%.*f", decimals, value);

      if (g_strcmp0 (str, limit_str) != 0 && g_strtod (str, NULL) > limit)
        return str;
      g_free (str);
    }
  return g_strdup_printf ("%.3f", value);
}

/* ---- probing ---------------------------------------------------------- */

/* Whether one of gdk-pixbuf's loaders on this machine decodes mime. */
static gboolean
have_loader (const char *mime)
{
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();
  gboolean found = FALSE;

  for (GSList *l = formats; l != NULL && !found; l = l->next)
    {
      GdkPixbufFormat *format = l->data;
      g_auto(GStrv) mimes = NULL;

      if (gdk_pixbuf_format_is_disabled (format))
        continue;
      mimes = gdk_pixbuf_format_get_mime_types (format);
      found = mimes != NULL && g_strv_contains ((const char * const *) mimes, mime);
    }
  return found;
}

static gboolean
probe_src (LwSrc               *src,
           const LwImageLimits *limits,
           gboolean             check_structure,
           LwImageInfo         *info,
           GError             **error)
{
  LwImageLimits defaults = LW_IMAGE_LIMITS_DEFAULT;
  LwImageLayout layout = { -1, -1, 0, -1, -1, FALSE };
  gboolean ok;

  if (limits == NULL)
    limits = &defaults;
  info->bytes = src->size;
  info->orientation = 1;

  if (src->size == 0)
    {
      g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_EMPTY, _("empty file"));
      return FALSE;
    }
  if (!lw_image_io_sniff (src, info, error))
    return FALSE;

  /* Before any header is walked: nothing of a file over the limit is read
   * beyond its first kilobyte. */
  if (limits->max_bytes > 0 && info->bytes > limits->max_bytes)
    {
      g_autofree char *have = format_over (info->bytes / 1e6, limits->max_bytes / 1e6);

      /* TRANSLATORS: "62 MB, the limit is 50 MB" (MB = 1,000,000 bytes) */
      g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_TOO_LARGE,
                   _("%s MB, the limit is %g MB"), have, limits->max_bytes / 1e6);
      return FALSE;
    }

  if (strcmp (info->mime, "image/jpeg") == 0)
    ok = lw_image_io_probe_jpeg (src, info, &layout, error);
  else if (strcmp (info->mime, "image/png") == 0)
    ok = lw_image_io_probe_png (src, info, &layout, error);
  else if (strcmp (info->mime, "image/webp") == 0)
    ok = lw_image_io_probe_webp (src, info, &layout, error);
  else if (strcmp (info->mime, "image/tiff") == 0)
    ok = lw_image_io_probe_tiff (src, info, &layout, error);
  else
    ok = lw_image_io_probe_bmff (src, info, &layout, error);
  if (!ok)
    return FALSE;

  if (!have_loader (info->mime))
    {
      /* TRANSLATORS: %s is a file format, "HEIC", "WebP", … */
      g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNSUPPORTED,
                   _("%s images need a loader that is not installed"), format_name (info->mime));
      return FALSE;
    }

  if (info->width <= 0 || info->height <= 0 || info->width > MAX_SIDE || info->height > MAX_SIDE)
    {
      g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT,
                   /* TRANSLATORS: "damaged PNG header (0 × 480 pixels)" */
                   _("damaged %s header (%d × %d pixels)"), format_name (info->mime), info->width, info->height);
      return FALSE;
    }

  if (limits->max_pixels > 0 && (gint64) info->width * info->height > limits->max_pixels)
    {
      g_autofree char *have = format_over ((gint64) info->width * info->height / 1e6, limits->max_pixels / 1e6);

      /* TRANSLATORS: "120 megapixels, the limit is 100" */
      g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_TOO_MANY_PIXELS,
                   _("%s megapixels, the limit is %g"), have, limits->max_pixels / 1e6);
      return FALSE;
    }

  /* Last, as they may read more of the file than the header. */
  if (!check_structure)
    return TRUE;
  if (strcmp (info->mime, "image/jpeg") == 0)
    return lw_image_io_check_jpeg_end (src, &layout, error);
  if (strcmp (info->mime, "image/png") == 0)
    return lw_image_io_check_png_end (src, &layout, error);
  if (strcmp (info->mime, "image/webp") == 0)
    return lw_image_io_check_webp_size (src, &layout, error);
  if (strcmp (info->mime, "image/tiff") == 0)
    return lw_image_io_check_tiff_strips (src, &layout, error);
  return TRUE;   /* HEIF: lw_image_io_probe_bmff checked that every top-level box fits */
}

static gboolean
probe_path (const char          *path,
            const LwImageLimits *limits,
            gboolean             check_structure,
            LwImageInfo         *info,
            GError             **error)
{
  LwSrc src = { -1, NULL, 0, NULL, 0, 0, 0 };
  gboolean ok;

  memset (info, 0, sizeof *info);
  ok = lw_image_io_src_open (&src, path, error) && probe_src (&src, limits, check_structure, info, error);
  lw_image_io_src_clear (&src);
  return ok;
}

gboolean
lw_image_probe (const char          *path,
                const LwImageLimits *limits,
                LwImageInfo         *info,
                GError             **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return probe_path (path, limits, TRUE, info, error);
}

gboolean
lw_image_probe_bytes (GBytes              *bytes,
                      const LwImageLimits *limits,
                      LwImageInfo         *info,
                      GError             **error)
{
  LwSrc src = { -1, NULL, 0, NULL, 0, 0, 0 };
  gsize size = 0;

  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (info, 0, sizeof *info);
  src.mem = g_bytes_get_data (bytes, &size);
  src.size = (gint64) size;
  return probe_src (&src, limits, TRUE, info, error);
}

/* ---- decoding ---------------------------------------------------------- */

static GdkPixbuf *
apply_orientation (GdkPixbuf *pixbuf,
                   int        orientation)
{
  g_autoptr(GdkPixbuf) turned = NULL;

  /* EXIF orientation n says how the stored picture must be turned to be
   * upright: 2 mirror, 3 half turn, 4 flip, 5 transpose, 6 quarter turn
   * clockwise, 7 transverse, 8 quarter turn counter-clockwise. */
  switch (orientation)
    {
    case 2:
      return gdk_pixbuf_flip (pixbuf, TRUE);
    case 3:
      return gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_UPSIDEDOWN);
    case 4:
      return gdk_pixbuf_flip (pixbuf, FALSE);
    case 5:
      turned = gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_CLOCKWISE);
      return turned != NULL ? gdk_pixbuf_flip (turned, TRUE) : NULL;
    case 6:
      return gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_CLOCKWISE);
    case 7:
      turned = gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_CLOCKWISE);
      return turned != NULL ? gdk_pixbuf_flip (turned, FALSE) : NULL;
    case 8:
      return gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_COUNTERCLOCKWISE);
    default:
      return g_object_ref (pixbuf);
    }
}

GdkPixbuf *
lw_image_load_oriented (const char    *path,
                        int            orientation,
                        int            max_long_edge,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) local_error = NULL;
  GdkPixbuf *upright;
  LwImageInfo info;
  int long_edge;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  /* The header's size, not the loader's: the decoder is told the target
   * before it allocates anything. No limits here; the caller probed. */
  if (!probe_path (path, &(LwImageLimits) { 0, 0 }, FALSE, &info, error))
    return NULL;

  file = g_file_new_for_path (path);
  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNREADABLE,
                     _("cannot be read: %s"), local_error->message);
      return NULL;
    }

  /* Turning a picture by quarter turns keeps its long edge: the box is
   * the same before and after orientation. */
  long_edge = MAX (info.width, info.height);
  if (max_long_edge > 0 && long_edge > max_long_edge)
    {
      double scale = (double) max_long_edge / long_edge;
      int w = MAX (1, (int) (info.width * scale + 0.5));
      int h = MAX (1, (int) (info.height * scale + 0.5));

      /* The size is computed here, aspect kept: the loader's own
       * preserve_aspect rounds the long edge down by a pixel. */
      pixbuf = gdk_pixbuf_new_from_stream_at_scale (G_INPUT_STREAM (stream), MIN (w, max_long_edge),
                                                    MIN (h, max_long_edge), FALSE, cancellable, &local_error);
    }
  else
    pixbuf = gdk_pixbuf_new_from_stream (G_INPUT_STREAM (stream), cancellable, &local_error);

  if (pixbuf == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        /* TRANSLATORS: "damaged JPEG: <the decoder's words>" */
        g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT, _("damaged %s: %s"),
                     format_name (info.mime), local_error != NULL ? local_error->message : "?");
      return NULL;
    }

  upright = apply_orientation (pixbuf, orientation);
  if (upright == NULL)
    g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT, _("not enough memory to turn the image"));
  /* Turning makes a new pixbuf without the loader's options: the colour
   * profile travels with the pixels (lw-colour.c reads it). */
  else if (upright != pixbuf && gdk_pixbuf_get_option (pixbuf, "icc-profile") != NULL)
    gdk_pixbuf_set_option (upright, "icc-profile", gdk_pixbuf_get_option (pixbuf, "icc-profile"));
  return upright;
}

GBytes *
lw_image_make_thumbnail (const char         *path,
                         const LwImageInfo  *info,
                         int                 long_edge,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (info != NULL, NULL);

  if (long_edge <= 0)
    long_edge = LW_THUMBNAIL_LONG_EDGE;
  pixbuf = lw_image_load_oriented (path, info->orientation, long_edge, cancellable, error);
  if (pixbuf == NULL)
    return NULL;

  if (info->has_alpha)
    ok = gdk_pixbuf_save_to_buffer (pixbuf, &data, &len, "png", &local_error, NULL);
  else
    {
      /* The JPEG saver takes RGB only; some loaders (TIFF) always deliver RGBA. */
      if (gdk_pixbuf_get_has_alpha (pixbuf))
        {
          g_autoptr(GdkPixbuf) rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                                                     gdk_pixbuf_get_width (pixbuf),
                                                     gdk_pixbuf_get_height (pixbuf));

          if (rgb == NULL)
            {
              g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT,
                                   _("not enough memory for the thumbnail"));
              return NULL;
            }
          gdk_pixbuf_fill (rgb, 0xFFFFFFFF);
          gdk_pixbuf_composite (pixbuf, rgb, 0, 0, gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
                                0, 0, 1, 1, GDK_INTERP_NEAREST, 255);
          g_set_object (&pixbuf, rgb);
        }
      ok = gdk_pixbuf_save_to_buffer (pixbuf, &data, &len, "jpeg", &local_error, "quality", "85", NULL);
    }
  if (!ok)
    {
      g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT,
                   _("the thumbnail could not be made: %s"), local_error->message);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

const char *
lw_image_mime_to_extension (const char *mime)
{
  static const struct { const char *mime; const char *ext; } table[] = {
    { "image/jpeg", "jpg" },
    { "image/jpg", "jpg" },
    { "image/pjpeg", "jpg" },
    { "image/png", "png" },
    { "image/webp", "webp" },
    { "image/tiff", "tiff" },
    { "image/heic", "heic" },
    { "image/heif", "heif" },
    { "image/avif", "avif" },
    { "image/gif", "gif" },
  };

  if (mime == NULL)
    return "bin";
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_ascii_strncasecmp (mime, table[i].mime, strlen (table[i].mime)) == 0
        && (mime[strlen (table[i].mime)] == '\0' || mime[strlen (table[i].mime)] == ';'))
      return table[i].ext;
  return "bin";
}

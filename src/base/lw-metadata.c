/* lw-metadata.c — a result keeps its original's metadata (lw-metadata.h). */
#include "config.h"

#include <string.h>

#include <gexiv2/gexiv2.h>
#include <glib/gi18n-lib.h>

#include "lw-metadata.h"

/* Tags that describe the original's pixels, not the result's. */
static const char * const stale_tags[] = {
  "Xmp.photoshop.ICCProfile",    /* the result is sRGB (lw-colour.c) */
  "Xmp.xmp.Thumbnails",          /* a picture of the original */
  "Exif.Image.ImageWidth",       /* the encoder's own header says the size */
  "Exif.Image.ImageLength",
  NULL,
};

/* gexiv2 (exiv2) keeps its namespace registry in a global: initialise and
 * register once, before any thread uses it. */
static gboolean
metadata_init (GError **error)
{
  static gsize done;
  static gboolean ok;

  if (g_once_init_enter (&done))
    {
      g_autoptr(GError) local_error = NULL;

      ok = gexiv2_initialize ();
      /* Registered already (by another library in the process) is fine:
       * the prefix is then known too. */
      if (ok && !gexiv2_metadata_try_register_xmp_namespace (LW_METADATA_XMP_NS, LW_METADATA_XMP_PREFIX,
                                                             &local_error))
        g_debug ("XMP namespace: %s", local_error != NULL ? local_error->message : "already registered");
      g_once_init_leave (&done, 1);
    }
  if (!ok)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The metadata library could not start"));
  return ok;
}

static void
clear_tag (GExiv2Metadata *meta, const char *tag)
{
  g_autoptr(GError) error = NULL;

  if (gexiv2_metadata_try_has_tag (meta, tag, NULL))
    gexiv2_metadata_try_clear_tag (meta, tag, &error);
}

static void
set_tag (GExiv2Metadata *meta, const char *tag, const char *value)
{
  g_autoptr(GError) error = NULL;

  if (value != NULL && !gexiv2_metadata_try_set_tag_string (meta, tag, value, &error))
    g_debug ("Cannot set %s: %s", tag, error->message);
}

gboolean
lw_metadata_copy (const char             *original_path,
                  const char             *result_path,
                  const LwMetadataStamp  *stamp,
                  GError                **error)
{
  g_autoptr(GExiv2Metadata) meta = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (result_path != NULL && stamp != NULL, FALSE);
  if (!metadata_init (error))
    return FALSE;
  meta = gexiv2_metadata_new ();
  if (original_path == NULL || !gexiv2_metadata_open_path (meta, original_path, &local_error))
    {
      /* Nothing to copy (HEIC, AVIF in exiv2 0.27; a bare file): the
       * result is still stamped. */
      g_debug ("No metadata read from %s: %s", original_path ? original_path : "(none)",
               local_error != NULL ? local_error->message : "?");
      g_clear_error (&local_error);
      g_clear_object (&meta);
      meta = gexiv2_metadata_new ();
    }

  gexiv2_metadata_try_set_orientation (meta, GEXIV2_ORIENTATION_NORMAL, NULL);
  gexiv2_metadata_try_erase_exif_thumbnail (meta, NULL);
  if (stamp->strip_gps)
    gexiv2_metadata_try_delete_gps_info (meta, NULL);
  for (guint i = 0; stale_tags[i] != NULL; i++)
    clear_tag (meta, stale_tags[i]);
  if (gexiv2_metadata_has_exif (meta))
    set_tag (meta, "Exif.Photo.ColorSpace", "1");  /* sRGB */
  if (stamp->width > 0 && stamp->height > 0 && gexiv2_metadata_has_exif (meta))
    {
      gexiv2_metadata_try_set_metadata_pixel_width (meta, stamp->width, NULL);
      gexiv2_metadata_try_set_metadata_pixel_height (meta, stamp->height, NULL);
    }

  set_tag (meta, "Xmp." LW_METADATA_XMP_PREFIX ".module", stamp->module_id);
  set_tag (meta, "Xmp." LW_METADATA_XMP_PREFIX ".model", stamp->model);
  set_tag (meta, "Xmp." LW_METADATA_XMP_PREFIX ".prompt", stamp->prompt);
  if (stamp->date_ms > 0)
    {
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (stamp->date_ms / 1000);
      g_autofree char *iso = date != NULL ? g_date_time_format_iso8601 (date) : NULL;

      set_tag (meta, "Xmp." LW_METADATA_XMP_PREFIX ".date", iso);
    }
  set_tag (meta, "Xmp.xmp.CreatorTool", "LightWork " PACKAGE_VERSION);

  if (!gexiv2_metadata_save_file (meta, result_path, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write the metadata of %s: %s"), result_path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

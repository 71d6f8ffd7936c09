/* lw-metadata.h — a result keeps its original's metadata (gexiv2).
 *
 * EXIF, IPTC and XMP of the original travel to the saved result, less
 * what is no longer true of it (its orientation: the result is upright;
 * embedded thumbnails: they show the original; its colour space: the
 * result is sRGB) and, when asked, less where it was taken (GPS). The
 * result also says how it was made, in XMP under LW_METADATA_XMP_NS.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LW_METADATA_XMP_NS     "http://lightwork.io/ns/1.0/"
#define LW_METADATA_XMP_PREFIX "lightwork"

typedef struct {
  const char *module_id;   /* Xmp.lightwork.module */
  const char *model;       /* Xmp.lightwork.model: the model id asked ("gemini-2.5-flash-image", "local") */
  const char *prompt;      /* Xmp.lightwork.prompt: the composed prompt sent */
  gint64      date_ms;     /* Xmp.lightwork.date: when the result was made (ISO 8601), 0 = none */
  int         width;       /* the result's pixel size, for Exif.Photo.PixelX/YDimension */
  int         height;
  gboolean    strip_gps;   /* drop Exif.GPSInfo.* and the XMP GPS tags */
} LwMetadataStamp;

/* Writes into the image file at result_path (JPEG, PNG or WebP, already
 * encoded) the metadata of original_path as described above, and stamp.
 * An original whose metadata cannot be read (a format exiv2 does not
 * know) still gives a stamped result. FALSE only when result_path cannot
 * be written. */
gboolean lw_metadata_copy (const char             *original_path,
                           const char             *result_path,
                           const LwMetadataStamp  *stamp,
                           GError                **error);

G_END_DECLS

/* lw-image-io.h — what a file is, from its bytes, before anything decodes it.
 *
 * The type comes from the content (magic numbers), never from the name.
 * Dimensions and EXIF orientation come from the header, so the limits are
 * checked before a decoder allocates a single pixel of a hostile file.
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define LW_IMAGE_ERROR (lw_image_error_quark ())

typedef enum {
  LW_IMAGE_ERROR_UNREADABLE,    /* "cannot be read: permission denied" */
  LW_IMAGE_ERROR_EMPTY,         /* "empty file" */
  LW_IMAGE_ERROR_NOT_IMAGE,     /* "not an image" */
  LW_IMAGE_ERROR_UNSUPPORTED,   /* "GIF is not supported", "HEIC needs a loader that is not installed" */
  LW_IMAGE_ERROR_TRUNCATED,     /* "truncated JPEG" */
  LW_IMAGE_ERROR_CORRUPT,       /* "damaged PNG header" */
  LW_IMAGE_ERROR_TOO_LARGE,     /* "62 MB, the limit is 50 MB" */
  LW_IMAGE_ERROR_TOO_MANY_PIXELS, /* "120 megapixels, the limit is 100" */
} LwImageErrorCode;

GQuark lw_image_error_quark (void);

typedef struct {
  gint64 max_bytes;    /* default 50 MB (50 * 1000 * 1000) */
  gint64 max_pixels;   /* default 100 MP (100 * 1000 * 1000) */
} LwImageLimits;

#define LW_IMAGE_LIMITS_DEFAULT ((LwImageLimits) { 50 * 1000 * 1000, 100 * 1000 * 1000 })

typedef struct {
  const char *mime;    /* static: "image/jpeg", "image/png", "image/webp", "image/tiff", "image/heic", "image/avif" */
  int         width;   /* as stored */
  int         height;
  int         orientation; /* EXIF 1–8, 1 when absent */
  gint64      bytes;
  gboolean    has_alpha;
} LwImageInfo;

/* Reads the header of path: type by content, size, dimensions, orientation;
 * checks the limits and structural truncation (a JPEG without its end
 * marker, a PNG without IEND). Errors are in words a person understands. */
gboolean   lw_image_probe             (const char          *path,
                                       const LwImageLimits *limits,
                                       LwImageInfo         *info,
                                       GError             **error);
/* Same, from bytes in memory (engines, tests). */
gboolean   lw_image_probe_bytes       (GBytes              *bytes,
                                       const LwImageLimits *limits,
                                       LwImageInfo         *info,
                                       GError             **error);
/* Decodes path scaled so its long edge (after orientation) is at most
 * max_long_edge (0 = full size), using the loader's DCT scaling, and applies
 * the EXIF orientation. The result is upright. */
GdkPixbuf *lw_image_load_oriented     (const char          *path,
                                       int                  orientation,
                                       int                  max_long_edge,
                                       GCancellable        *cancellable,
                                       GError             **error);
/* Makes the thumbnail of path (long edge 384 px, oriented) and encodes it:
 * JPEG quality 85, or PNG when has_alpha. */
GBytes    *lw_image_make_thumbnail    (const char          *path,
                                       const LwImageInfo   *info,
                                       int                  long_edge,
                                       GCancellable        *cancellable,
                                       GError             **error);
/* File extension for a mime type ("jpg", "png", "webp", …). */
const char *lw_image_mime_to_extension (const char *mime);

#define LW_THUMBNAIL_LONG_EDGE 384

G_END_DECLS

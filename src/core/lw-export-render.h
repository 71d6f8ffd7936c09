/* lw-export-render.h — the file a result is saved as (docs/ARCHITECTURE.md,
 * "Results"): the original's size, a format that follows the original,
 * the sRGB profile and the original's metadata. */
#pragma once

#include <gio/gio.h>

#include "lw-blob-store.h"
#include "lw-store.h"

G_BEGIN_DECLS

typedef struct {
  char     *format;        /* "keep", "png", "jpeg", "webp" (export.format) */
  int       jpeg_quality;  /* 1–100 (export.jpeg_quality) */
  gboolean  restore_size;  /* export.restore_size */
  gboolean  strip_gps;     /* export.strip_gps */
  char     *model_id;      /* what Xmp.lightwork.model says for the job's model */
  const char *prompt;      /* the prompt the saved take answered (its version's); NULL: composed now */
  gint64    taken_at;      /* when that take landed (ms); 0: the row's updated_at */
} LwExportOptions;

/* The options from the settings table, for job's model. */
void     lw_export_options_load  (LwExportOptions *options,
                                  LwStore         *store,
                                  const LwJob     *job);
void     lw_export_options_clear (LwExportOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LwExportOptions, lw_export_options_clear)

/* The mime type the result of image is saved as: export.format, or with
 * "keep" the original's (JPEG, PNG, WebP; other originals give PNG when
 * the result has alpha, else JPEG). */
const char *lw_export_output_mime (const LwExportOptions *options,
                                   const LwImage         *image,
                                   gboolean               result_has_alpha);

/* The bytes saved for image (COMPLETED): its result decoded (converted to
 * sRGB if it carries another profile), brought back to the original's
 * pixel size with high-quality resampling when options->restore_size
 * (the aspect kept: a result of another shape, Product Studio's square,
 * fits inside the original's box), encoded as lw_export_output_mime()
 * with lcms2's sRGB profile, and given the original's metadata
 * (lw_metadata_copy). *mime is set to what it is. A result no loader here
 * decodes is saved as it is stored, one exiv2 cannot write metadata into
 * without it: a result is never withheld for want of a finish. */
GBytes  *lw_export_render        (LwBlobStore            *blobs,
                                  const LwJob            *job,
                                  const LwImage          *image,
                                  const LwExportOptions  *options,
                                  const char            **mime,
                                  GCancellable           *cancellable,
                                  GError                **error);

/* The size a result of result_width × result_height is saved at, for an
 * original of original_width × original_height (upright): the original's
 * size when the shapes agree within 2 %, else the largest of the result's
 * shape that fits in the original's box. */
void     lw_export_restored_size (int  original_width,
                                  int  original_height,
                                  int  result_width,
                                  int  result_height,
                                  int *width,
                                  int *height);

G_END_DECLS

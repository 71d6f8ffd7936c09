/* lw-local-image.h — small images in memory: previews and maps.
 *
 * The full photo never lives here; it stays in tiled GeglBuffers. What does
 * is the preview (at most LW_LOCAL_PREVIEW_EDGE pixels on the long edge),
 * on which every statistic of a recipe is measured.
 */
#pragma once

#include <gegl.h>

#include "lw-local-pixel.h"

G_BEGIN_DECLS

/* Long edge of the preview. 800 px keeps statistics stable (a 12 MP photo
 * contributes 480 k samples) and costs ≈ 8 MB in RGBA float. */
#define LW_LOCAL_PREVIEW_EDGE 800

typedef struct {
  int    width;
  int    height;
  float *data;      /* RGBA float, linear, row-major */
} LwLocalImage;

LwLocalImage *lw_local_image_new        (int                 width,
                                         int                 height);
void          lw_local_image_free       (LwLocalImage       *image);
/* A downscaled linear RGBA copy of buffer, long edge at most max_edge,
 * read through GEGL's mipmaps (box filtered). */
LwLocalImage *lw_local_image_from_buffer (GeglBuffer        *buffer,
                                          int                max_edge);
/* The upright copy for EXIF orientation 1–8. */
LwLocalImage *lw_local_image_orient     (const LwLocalImage *image,
                                         int                 orientation);

LwLocalMap   *lw_local_map_new          (int                 width,
                                         int                 height);
void          lw_local_map_free         (LwLocalMap         *map);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwLocalImage, lw_local_image_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwLocalMap, lw_local_map_free)

G_END_DECLS

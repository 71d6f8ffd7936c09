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
/* A downscaled linear RGBA copy of buffer, long edge at most max_edge:
 * whole source pixels box-averaged in linear light, read a band of rows at
 * a time (no mipmaps of the whole photo are built). */
LwLocalImage *lw_local_image_from_buffer (GeglBuffer        *buffer,
                                          int                max_edge);
/* The upright copy for EXIF orientation 1–8. */
LwLocalImage *lw_local_image_orient     (const LwLocalImage *image,
                                         int                 orientation);

/* A copy blurred with a Gaussian of sigma pixels (three box passes). */
LwLocalImage *lw_local_image_blur       (const LwLocalImage *image,
                                         float               sigma);

/* Bilinear sample at (x, y) of an image that is scaled by (sx, sy) from
 * full resolution. */
static inline void
lw_local_image_sample (const LwLocalImage *image,
                       float               sx,
                       float               sy,
                       float               x,
                       float               y,
                       float              *out)
{
  float mx = lw_local_clampf ((x + 0.5f) * sx - 0.5f, 0.f, (float) (image->width - 1));
  float my = lw_local_clampf ((y + 0.5f) * sy - 0.5f, 0.f, (float) (image->height - 1));
  int x0 = (int) mx, y0 = (int) my;
  int x1 = MIN (x0 + 1, image->width - 1), y1 = MIN (y0 + 1, image->height - 1);
  float fx = mx - (float) x0, fy = my - (float) y0;
  const float *a = image->data + ((gsize) y0 * image->width + x0) * 4;
  const float *b = image->data + ((gsize) y0 * image->width + x1) * 4;
  const float *c = image->data + ((gsize) y1 * image->width + x0) * 4;
  const float *d = image->data + ((gsize) y1 * image->width + x1) * 4;
  int k;

  for (k = 0; k < 4; k++)
    out[k] = (a[k] * (1.f - fx) + b[k] * fx) * (1.f - fy) + (c[k] * (1.f - fx) + d[k] * fx) * fy;
}

LwLocalMap   *lw_local_map_new          (int                 width,
                                         int                 height);
void          lw_local_map_free         (LwLocalMap         *map);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwLocalImage, lw_local_image_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwLocalMap, lw_local_map_free)

G_END_DECLS

/* lw-local-ops.h — the local engine's own GEGL operations.
 *
 * Registered in-process (no plug-in module to install) and used by name in
 * the recipe graphs like any GEGL operation:
 *   lw:orient  EXIF orientation 1–8, an exact pixel permutation
 *              (property "orientation"); no resampling, no whole-image copy
 *   lw:adjust  the colour pipeline of lw-local-pixel.h (properties "tone",
 *              an LwLocalTone *, and "studio", an LwLocalStudio * or NULL)
 *   lw:detail  edge-aware blend of a pixel with a smoothed copy of the
 *              photo made at lower resolution (property "params", an
 *              LwLocalDetail *)
 *   lw:sharpen unsharp mask of perceptual luminance (properties "sigma",
 *              "amount", "threshold")
 *   lw:encode  the result as 8-bit sRGB, exactly and the same on every run
 *              (property "alpha": 1 for R'G'B'A u8, 0 for R'G'B' u8)
 * Pointer properties are borrowed: the caller keeps them alive until the
 * graph is gone.
 */
#pragma once

#include <gegl.h>

#include "lw-local-image.h"
#include "lw-local-pixel.h"

G_BEGIN_DECLS

typedef struct {
  float               amount;     /* 0–1: share of the smoothed copy that replaces the pixel */
  float               tau;        /* relative difference at which the pixel counts as an edge and is kept */
  gboolean            skin_only;  /* TRUE: only skin-coloured pixels are smoothed (Portrait) */
  const LwLocalImage *base;       /* the smoothed, upright photo at reduced size */
  float               sx;         /* full-resolution pixel → base pixel */
  float               sy;
} LwLocalDetail;

GType lw_local_op_orient_get_type (void);
GType lw_local_op_adjust_get_type (void);
GType lw_local_op_detail_get_type (void);
GType lw_local_op_sharpen_get_type (void);
GType lw_local_op_encode_get_type (void);

/* What lw:encode does to n_pixels linear RGBA floats: round (255 · sRGB)
 * per colour channel, round (255 · a) for alpha (written when alpha is
 * TRUE, 4 bytes a pixel; else 3). Out of range and NaN clamp to 0–255. */
void  lw_local_encode_srgb8 (const float *in,
                             guint8      *out,
                             glong        n_pixels,
                             gboolean     alpha);

/* Maps a pixel of the upright image (u, v) to the stored image (x, y) for
 * EXIF orientation o; width and height are the stored image's. */
void  lw_local_orient_map (int  orientation,
                           int  width,
                           int  height,
                           int  u,
                           int  v,
                           int *x,
                           int *y);

G_END_DECLS

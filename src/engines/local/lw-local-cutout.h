/* lw-local-cutout.h — finding a product on a plain, light background.
 *
 * Product Studio and the "white background" instruction need to know which
 * pixels are the backdrop. This works on the preview: the backdrop colour
 * comes from the photo's border, a smooth (quadratic) model of it absorbs
 * the usual fall-off of studio light, and the backdrop is what is close to
 * that model AND connected to the border. A light product (a white mug on a
 * light grey sweep) keeps its light parts, because they are enclosed by its
 * own outline and so not connected to the border.
 *
 * A cut-out already made (a PNG whose border is transparent) needs none of
 * this: its alpha is the matte.
 */
#pragma once

#include "lw-local-image.h"
#include "lw-local-pixel.h"

G_BEGIN_DECLS

typedef struct {
  LwLocalStudio studio;     /* parameters for lw:adjust; studio.matte is matte below */
  LwLocalMap   *matte;      /* product alpha at preview scale (owned) */
  double        bg_uv[2];   /* backdrop chromaticity, (log R/G, log B/G) */
  double        bg_lum;     /* backdrop luminance at the product's centre */
  double        coverage;   /* share of the frame the product covers */
  gboolean      transparent; /* the backdrop is transparency, not a colour:
                              * bg_uv tells nothing about the light */
  /* the product's box, full-resolution upright pixels */
  int           x;
  int           y;
  int           width;
  int           height;
} LwLocalCutout;

/* NULL when the border is not a plain light backdrop, or nothing (or
 * everything) stands on it. to_full: size of a preview pixel in
 * full-resolution pixels; full_width/height: the upright photo. */
LwLocalCutout *lw_local_cutout_find (const LwLocalImage *preview,
                                     float               to_full,
                                     int                 full_width,
                                     int                 full_height);
void           lw_local_cutout_free (LwLocalCutout      *cutout);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwLocalCutout, lw_local_cutout_free)

G_END_DECLS

/* lw-local-heldout.h — generated scenes with known ground truth (issue 16).
 *
 * Part of the held-out set: photos the local engine is measured on and
 * never tuned on. Each scene is drawn in linear light under neutral light
 * (the ground truth), then "photographed": a known cast and exposure are
 * applied per channel in linear light, sensor noise is added and the result
 * is encoded to 8-bit sRGB, clipping like a camera would.
 */
#pragma once

#include "lw-local-test-util.h"

G_BEGIN_DECLS

typedef struct {
  char        *name;
  char        *what;       /* one line: what the scene stands for */
  LwTestImage *truth;      /* the scene under neutral light, no noise */
  LwTestImage *photo;      /* truth × gains, noise, 8-bit */
  guint8      *neutral;    /* width × height: 1 where the truth is a neutral
                            * (grey or white) surface; never NULL */
  double       gains[3];   /* the cast × exposure applied to the truth */
} LwHeldoutScene;

/* Every generated scene, in a fixed order; the same pixels on every run
 * (fixed seeds). */
GPtrArray   *lw_heldout_scenes        (void);
void         lw_heldout_scene_free    (LwHeldoutScene *scene);

/* Mean CIELAB chroma over the pixels of image where mask is set: how far
 * from neutral the surfaces that are neutral in the ground truth are. */
double       lw_heldout_mask_chroma   (const LwTestImage *image,
                                       const guint8      *mask);

G_END_DECLS

/* lw-local-stats.h — what a recipe measures on the preview.
 *
 * Every estimator here is equivariant where it matters: scale the photo's
 * linear RGB by a diagonal gain (a colour cast, an exposure change) and the
 * estimate scales by the same gain. That is what makes a recipe's output
 * for a cast or darkened copy land where its output for the original does.
 */
#pragma once

#include "lw-local-image.h"

G_BEGIN_DECLS

typedef struct {
  /* luminance percentiles, index as LW_LOCAL_PCT_* */
  double y[11];
  double max_p995;         /* 99.5th percentile of max(R, G, B) */
  double max_p999;
  double l_mean;           /* mean L* */
  double chroma_mean;      /* mean C*ab; 0 unless measured with_chroma */
  double dark_share;       /* share of pixels with L* < 20 */
  double bright_share;     /* share with L* > 90 */
  double clipped_share;    /* share with a channel at ≥ 254.5 / 255 */
  double pixels;           /* counted (opaque) pixels */
} LwLocalMeasure;

enum {
  LW_LOCAL_PCT_0_1,
  LW_LOCAL_PCT_0_5,
  LW_LOCAL_PCT_1,
  LW_LOCAL_PCT_5,
  LW_LOCAL_PCT_25,
  LW_LOCAL_PCT_50,
  LW_LOCAL_PCT_75,
  LW_LOCAL_PCT_95,
  LW_LOCAL_PCT_99,
  LW_LOCAL_PCT_99_5,
  LW_LOCAL_PCT_99_9,
};

/* Measures image after tone (NULL: as it is). to_full is the size of a
 * preview pixel in full-resolution pixels (for the local tone map).
 * chroma_mean only with_chroma: it needs a* and b*, two more cube roots a
 * pixel, where everything else needs luminance and L* alone. */
void        lw_local_measure           (const LwLocalImage *image,
                                        const LwLocalTone  *tone,
                                        float               to_full,
                                        gboolean            with_chroma,
                                        LwLocalMeasure     *measure);

/* TRUE for a photo with no colour in it (a greyscale image stored as RGB):
 * it carries no illuminant to estimate, and must stay grey. */
gboolean    lw_local_is_achromatic     (const LwLocalImage *image);

/* The illuminant as (log R/G, log B/G): the mode of the log-chromaticity
 * histogram nearest to neutral, found by mean shift from neutral with a
 * shrinking kernel (0.35 → 0.10). Near-clipped and near-black pixels do not
 * vote: a cast pushes highlights into clipping and would otherwise move the
 * estimate by more than the cast. Votes are weighted by luminance and by
 * texture, so a large uniform region (a sky, a flat colour) counts as
 * one surface, not as many pixels. Returns the share of the weighted
 * votes near the mode, −1 when nothing voted. grey (may be NULL) is set
 * to 0–1: how far the mode is one point of the plane rather than a broad
 * cluster — grey surfaces of any lightness lie on one point under one
 * light, skin, wood and shade spread out (see LW_LOCAL_GREY_*). A cluster
 * of grey surfaces nearer to neutral than that mode, which narrower
 * searches from neutral find, is taken instead (a white plate on a wooden
 * table that fills the frame); then the return is LW_LOCAL_SURE_MASS and
 * grey 1. Those searches also count pixels with one channel clipped, as
 * a lower bound of their colour: a white plate whose red clips under a
 * warm light is found, a little nearer to neutral than it is. */
double      lw_local_estimate_illuminant (const LwLocalImage *image,
                                          double              uv[2],
                                          double             *grey);

/* Below this share of votes near the mode the illuminant estimate is
 * unsure, and a recipe does less of it. */
#define LW_LOCAL_SURE_MASS 0.15

/* The mode is grey surfaces when this share of the votes within 0.15 of
 * it lies on one point — within the chromaticity noise of ±2 levels, 0.04
 * for a mid grey and wider for a dark one: not at all up to
 * LW_LOCAL_GREY_LOW (the tuning set's photos are at 0.26 or below, but
 * for two with large dark areas, grace_hopper and orange, at 0.27–0.37),
 * fully from LW_LOCAL_GREY_HIGH (half the mode on one point; one grey
 * surface with sensor noise alone is near 0.8). */
#define LW_LOCAL_GREY_LOW  0.25
#define LW_LOCAL_GREY_HIGH 0.50

/* A white reference: the bright (≥ 70 % of the 99th percentile of
 * luminance), near-neutral pixels of one colour, clipped ones included. uv
 * is their log-chromaticity; returns the share of the photo they cover
 * (a white background, paper, snow: a large share), 0 when none. */
double      lw_local_estimate_white    (const LwLocalImage *image,
                                        double              uv[2]);

/* The value at position n / 2 of values in ascending order (the upper
 * median when n is even); 0 when n is 0. Reorders values. */
float       lw_local_median            (float              *values,
                                        gsize               n);

/* σ of the noise in 8-bit units of the encoded (gamma) signal, from up to
 * four full-resolution crops of buffer (Immerkær 1996, made robust to edges
 * with a median). */
double      lw_local_estimate_noise    (GeglBuffer         *buffer);

/* log2 of the neighbourhood luminance (after gain), smoothed with an
 * edge-aware recursive filter (domain transform, Gastal & Oliveira 2011):
 * sigma_s in preview pixels, sigma_r in EV. sx/sy of the map are set for
 * sampling at full resolution (to_full as above). */
LwLocalMap *lw_local_base_map          (const LwLocalImage *image,
                                        const float         gain[3],
                                        float               sigma_s,
                                        float               sigma_r,
                                        float               to_full);

/* CIE L* (0–100) from relative luminance, and back. */
double      lw_local_lstar             (double              y);
double      lw_local_lstar_to_y        (double              lstar);

G_END_DECLS

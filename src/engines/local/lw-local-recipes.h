/* lw-local-recipes.h — one recipe per module, its numbers chosen per photo.
 *
 * A recipe (LwLocalRecipe) says how far a module may go: how much of a
 * colour cast it removes, where it wants the mid-tones, how much contrast,
 * local tone, vibrance, sharpening, smoothing, denoising. A plan
 * (LwLocalPlan) is a recipe applied to one photo: every parameter comes
 * from the photo's own statistics, measured on the preview, then from the
 * per-image instructions. The plan then becomes a GEGL graph.
 *
 * docs/local-engine.md explains each recipe in words.
 */
#pragma once

#include <gegl.h>

#include "lw-local-cutout.h"
#include "lw-local-image.h"
#include "lw-local-instructions.h"
#include "lw-local-ops.h"

G_BEGIN_DECLS

/* Bump when any recipe changes what it produces: the engine's signature
 * carries it, so results made by an older recipe are not reused. */
#define LW_LOCAL_RECIPE_VERSION 13

/* Long edge of the copy skin smoothing blurs: at 1600 px a 50 MP photo's
 * smoothing (σ 35 px) is still σ 6 px there. */
#define LW_LOCAL_DETAIL_EDGE 1600

typedef struct {
  const char *id;              /* module id; "default" for custom modules */
  /* white balance (log-chromaticity units; 0.1 ≈ a 10 % channel gain) */
  double wb_strength;          /* share of the estimated cast removed */
  double wb_radius;            /* full removal up to this far along amber–blue … */
  double wb_radius_minor;      /* … and along green–magenta */
  double wb_slope;             /* share removed beyond that ellipse */
  double warmth;               /* amber added after balancing (R·e^w, B·e^−w) */
  /* exposure */
  double white_target;         /* the 99.5th percentile of max(R,G,B) goes here … */
  double max_exposure_ev;      /* … by a gain of at most this many EV (never darker) */
  double mid_target;           /* L* the median moves towards */
  double mid_strength;         /* share of the way */
  double mid_max;              /* most L* it moves */
  /* contrast */
  double black_strength;       /* share of the lifted black level removed */
  double black_max;            /* linear luminance */
  double iqr_target;           /* L* inter-quartile range below which contrast is added */
  double contrast_max;
  /* local tone (shadows/highlights) */
  double shadows;              /* EV per EV a region sits below 18 % grey */
  double highlights;           /* EV per EV a region sits above 50 % */
  double local_max_ev;
  /* colour */
  double vibrance;
  double adaptive_vibrance;    /* more vibrance for dull photos (mean C* < 20) */
  /* detail */
  double sharpen;              /* unsharp-mask amount */
  double sharpen_sigma;        /* px, for a 12 MP photo; scales with √(pixels) */
  double smooth;               /* skin smoothing (Portrait) */
  int    denoise;              /* noise-reduction passes for noisy photos */
  gboolean studio;             /* Product Studio's cut-out and square canvas */
} LwLocalRecipe;

/* The recipe for module_id; the default recipe for any id not built in. */
const LwLocalRecipe *lw_local_recipe_for (const char *module_id);

typedef struct {
  const LwLocalRecipe *recipe;
  int            full_width;     /* the upright photo */
  int            full_height;
  LwLocalTone    tone;
  LwLocalMap    *base;           /* local tone map (owned), or NULL */
  LwLocalCutout *cutout;         /* owned, or NULL */
  LwLocalDetail  detail;
  float          detail_sigma;   /* px at full resolution; 0 = no smoothing */
  LwLocalImage  *detail_base;    /* owned; see lw_local_plan_set_detail_source() */
  int            denoise_passes;
  float          sharpen_amount;
  float          sharpen_sigma;
  float          sharpen_threshold;
  /* the output: this rectangle of the upright photo (it may reach past the
   * photo; what lies outside is white) */
  GeglRectangle  canvas;
  gboolean       pad_white;
  /* what the plan measured and decided, for notes, tests and logs */
  double         wb_uv[2];       /* estimated cast */
  double         wb_mass;        /* share of votes near the estimate, or of
                                  * the photo that is the white reference */
  gboolean       white_ref;      /* balanced on a large white surface */
  double         wb_grey;        /* 0–1: the estimate's mode is grey
                                  * surfaces (balanced to neutral, not to
                                  * the everyday prior) */
  gboolean       achromatic;     /* a greyscale photo: no balance, no tint */
  double         noise;
  double         exposure_ev;
  GPtrArray     *notes;          /* (element-type utf8) for the user */
} LwLocalPlan;

/* preview: the upright photo, downscaled; full_width/height: the upright
 * photo; noise: lw_local_estimate_noise() of the full photo. */
LwLocalPlan *lw_local_plan_new   (const char                *module_id,
                                  const LwLocalImage        *preview,
                                  int                        full_width,
                                  int                        full_height,
                                  double                     noise,
                                  const LwLocalInstructions *instructions);
void         lw_local_plan_free  (LwLocalPlan               *plan);
/* When the plan smooths (detail_sigma > 0), it needs the upright photo at
 * a reduced size (long edge LW_LOCAL_DETAIL_EDGE) to make its smoothed copy
 * from. */
void         lw_local_plan_set_detail_source (LwLocalPlan        *plan,
                                              const LwLocalImage *upright);
/* Adds the plan's operations after source (the upright photo) in graph and
 * returns the last one. The plan must outlive the graph. */
GeglNode    *lw_local_plan_build (LwLocalPlan               *plan,
                                  GeglNode                  *graph,
                                  GeglNode                  *source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwLocalPlan, lw_local_plan_free)

G_END_DECLS

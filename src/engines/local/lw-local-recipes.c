/* lw-local-recipes.c — one recipe per module, its numbers chosen per photo. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lw-local-recipes.h"
#include "lw-local-stats.h"

/* The recipes. Limits were set on the fixture photos (the tuning set) with
 * the measured tests in tests/local (restraint: mean ΔE2000 ≤ 8; constancy:
 * a cast copy's output within 0.6 of the cast's own ΔE, 0.8 for every
 * photo) and are explained in docs/local-engine.md. The held-out set
 * (tests/local/heldout, generated scenes) is for measuring, not tuning. */
static const LwLocalRecipe recipes[] = {
  {
    .id = "food",
    .wb_strength = 0.85, .wb_radius = 0.25, .wb_radius_minor = 0.20, .wb_slope = 0.6,
    .warmth = 0.03,
    .white_target = 0.97, .max_exposure_ev = 2.5,
    .mid_target = 55, .mid_strength = 0.4, .mid_max = 6,
    .black_strength = 0.5, .black_max = 0.01,
    .iqr_target = 40, .contrast_max = 0.25,
    .shadows = 0.15, .highlights = 0.15, .local_max_ev = 0.6,
    .vibrance = 0.15,
    .sharpen = 0.4, .sharpen_sigma = 1.2,
  },
  {
    .id = "product",
    .wb_strength = 1.0, .wb_radius = 0.30, .wb_radius_minor = 0.20, .wb_slope = 0.0,
    .white_target = 0.97, .max_exposure_ev = 0,
    .mid_target = 50, .mid_strength = 0, .mid_max = 0,
    .iqr_target = 40, .contrast_max = 0.05,
    .vibrance = 0.05,
    .sharpen = 0.2, .sharpen_sigma = 1.0,
    .studio = TRUE,
  },
  {
    .id = "portrait",
    .wb_strength = 0.85, .wb_radius = 0.25, .wb_radius_minor = 0.20, .wb_slope = 0.6,
    .warmth = 0.01,
    .white_target = 0.97, .max_exposure_ev = 2.5,
    .mid_target = 52, .mid_strength = 0.35, .mid_max = 6,
    .black_strength = 0.3, .black_max = 0.01,
    .iqr_target = 35, .contrast_max = 0.12,
    .shadows = 0.15, .highlights = 0.15, .local_max_ev = 0.6,
    .vibrance = 0.05,
    .sharpen = 0.3, .sharpen_sigma = 1.0,
    .smooth = 0.6,
  },
  {
    .id = "realestate",
    .wb_strength = 0.95, .wb_radius = 0.25, .wb_radius_minor = 0.20, .wb_slope = 0.6,
    .white_target = 0.97, .max_exposure_ev = 2.5,
    .mid_target = 55, .mid_strength = 0.5, .mid_max = 8,
    .black_strength = 0.5, .black_max = 0.01,
    .iqr_target = 38, .contrast_max = 0.15,
    .shadows = 0.35, .highlights = 0.35, .local_max_ev = 1.2,
    .vibrance = 0.10,
    .sharpen = 0.3, .sharpen_sigma = 1.0,
  },
  {
    .id = "remaster",
    .wb_strength = 0.95, .wb_radius = 0.25, .wb_radius_minor = 0.20, .wb_slope = 0.65,
    .white_target = 0.97, .max_exposure_ev = 2.5,
    .mid_target = 52, .mid_strength = 0.5, .mid_max = 8,
    .black_strength = 1.0, .black_max = 0.04,
    .iqr_target = 42, .contrast_max = 0.35,
    .shadows = 0.15, .highlights = 0.15, .local_max_ev = 0.6,
    .vibrance = 0.10, .adaptive_vibrance = 0.5,
    .sharpen = 0.5, .sharpen_sigma = 1.2,
    .denoise = 2,
  },
  {
    /* Custom modules: the engine cannot read their prompt, so it does what
     * is safe for any photo — balance, exposure, a little contrast and
     * vibrance, light sharpening — and no more. */
    .id = "default",
    .wb_strength = 0.8, .wb_radius = 0.25, .wb_radius_minor = 0.20, .wb_slope = 0.6,
    .white_target = 0.97, .max_exposure_ev = 2.5,
    .mid_target = 52, .mid_strength = 0.3, .mid_max = 5,
    .black_strength = 0.3, .black_max = 0.01,
    .iqr_target = 38, .contrast_max = 0.15,
    .shadows = 0.10, .highlights = 0.10, .local_max_ev = 0.5,
    .vibrance = 0.08,
    .sharpen = 0.3, .sharpen_sigma = 1.0,
  },
};

/* Where the illuminant estimate of a well-balanced photo sits: the grey
 * mode of everyday scenes (skin, wood, stone, shade) is slightly warm.
 * Measured as the median estimate over the fixture photos; balancing
 * towards it instead of towards neutral leaves good photos alone. */
static const double wb_prior[2] = { 0.10, -0.07 };

/* A white surface covering this share of the photo is the white
 * reference (lw_local_estimate_white()). */
#define WHITE_REF_SHARE 0.25
/* The share of a recipe's white balance kept when the estimate is
 * unsure (no cluster of surfaces near its mode). */
#define UNSURE_WB_SHARE 0.8
/* A few lights much brighter than the 99.5th percentile (street lamps in
 * a night scene, a specular glint) are the photo's white when the
 * 99.9th percentile is above 1 / this of the 99.5th. */
#define LIGHTS_WHITE 0.85

/* One step of the instruction vocabulary (lw-local-instructions.c). */
#define STEP_WARMTH      0.06
#define STEP_MID_LSTAR   5.0
#define STEP_CONTRAST    0.15
#define STEP_SATURATION  0.15
#define STEP_SHARPEN     0.3

/* 18 % grey and 50 % in log2: the pivots of the local tone map. */
#define DARK_PIVOT   (-2.47f)
#define BRIGHT_PIVOT (-1.0f)

const LwLocalRecipe *
lw_local_recipe_for (const char *module_id)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (recipes); i++)
    if (g_strcmp0 (recipes[i].id, module_id) == 0)
      return &recipes[i];
  return &recipes[G_N_ELEMENTS (recipes) - 1];
}

/* Removal of an estimated cast (u, v): whole inside an ellipse that is
 * long along the amber–blue axis (where real illuminants lie: the daylight
 * and Planckian loci), with a slope beyond it, so a stronger cast is still
 * removed more than a weaker one but a strongly coloured scene is not
 * turned grey. lift (0–1) is how far the estimate is known to be the
 * light itself (a mode of grey surfaces): it takes the slopes beyond the
 * ellipse towards 1, since what the ellipse guards against — a coloured
 * scene taken for a cast — is not what the estimate is then. */
static void
limit_cast (const LwLocalRecipe *r,
            double               u,
            double               v,
            double               lift,
            double               out[2])
{
  double a = (u - v) / G_SQRT2;     /* amber (+) – blue (−) */
  double b = (u + v) / G_SQRT2;     /* magenta (+) – green (−) */
  double m = sqrt ((a / r->wb_radius) * (a / r->wb_radius)
                   + (b / r->wb_radius_minor) * (b / r->wb_radius_minor));

  if (m > 1)
    {
      /* beyond four radii (an estimate no illuminant explains: the photo
       * is one strong colour) the slope drops to a quarter */
      double slope = r->wb_slope + (1 - r->wb_slope) * lift;
      double far = 0.25 * r->wb_slope + (1 - 0.25 * r->wb_slope) * lift;
      double f = (1 + slope * (MIN (m, 4) - 1) + far * MAX (m - 4, 0)) / m;
      a *= f;
      b *= f;
    }
  out[0] = (a + b) / G_SQRT2;
  out[1] = (b - a) / G_SQRT2;
}

static void
tone_identity (LwLocalTone *t)
{
  int i;

  t->lut_max = 4.f;
  for (i = 0; i <= LW_TONE_LUT_SIZE; i++)
    {
      double s = (double) i / LW_TONE_LUT_SIZE;
      t->lut[i] = (float) (t->lut_max * s * s);
    }
}

typedef struct {
  double black;
  double ymax;
  double knee;
  double gamma;
  double contrast;
  double pivot;
} Curve;

/* Black toe and highlight shoulder, in linear luminance. */
static double
curve_base (const Curve *c, double y)
{
  if (c->black > 0 && y > 0)
    y = y * y / (y + c->black) * (1 + c->black);
  if (c->ymax > 1 && y > c->knee)
    {
      /* cubic Hermite from (knee, slope 1) to (1, slope 0) over [knee, ymax] */
      double t = MIN ((y - c->knee) / (c->ymax - c->knee), 1.0);
      double m0 = (c->ymax - c->knee) / (1 - c->knee);
      double p = (t * t * t - 2 * t * t + t) * m0 + (-2 * t * t * t + 3 * t * t);
      y = c->knee + (1 - c->knee) * p;
    }
  return CLAMP (y, 0, 1);
}

static double
logistic (double x)
{
  return 1 / (1 + exp (-x));
}

/* A pivoted S-curve on [0, 1] that keeps 0 and 1: contrast around pivot. */
static double
s_curve (double l, double pivot)
{
  const double k = 6;
  double lo = logistic (-k * pivot);
  double hi = logistic (k * (1 - pivot));

  return (logistic (k * (l - pivot)) - lo) / (hi - lo);
}

static double
curve_apply (const Curve *c, double y)
{
  double l = lw_local_lstar (curve_base (c, y)) / 100;

  l = pow (CLAMP (l, 0, 1), c->gamma);
  l = l + c->contrast * (s_curve (l, c->pivot) - l);
  return CLAMP (lw_local_lstar_to_y (100 * CLAMP (l, 0, 1)), 0, 1);
}

static void
tone_set_curve (LwLocalTone *t, const Curve *c)
{
  int i;

  t->lut_max = (float) MAX (1.0, c->ymax);
  for (i = 0; i <= LW_TONE_LUT_SIZE; i++)
    {
      double s = (double) i / LW_TONE_LUT_SIZE;
      t->lut[i] = (float) curve_apply (c, t->lut_max * s * s);
    }
}

static void
add_note (LwLocalPlan *plan, const char *note)
{
  g_ptr_array_add (plan->notes, g_strdup (note));
}

LwLocalPlan *
lw_local_plan_new (const char                *module_id,
                   const LwLocalImage        *preview,
                   int                        full_width,
                   int                        full_height,
                   double                     noise,
                   const LwLocalInstructions *ins)
{
  LwLocalPlan *plan = g_new0 (LwLocalPlan, 1);
  const LwLocalRecipe *r = lw_local_recipe_for (module_id);
  float to_full = (float) full_width / (float) preview->width;
  int long_preview = MAX (preview->width, preview->height);
  double strength = ins->strength;
  double cast[2], lg[3], lum, k, warm, mid, mid_new, shift, iqr, l25, l75, low_key;
  LwLocalMeasure m;
  Curve curve = { 0 };
  int c;

  plan->recipe = r;
  plan->notes = g_ptr_array_new_with_free_func (g_free);
  plan->noise = noise;
  plan->canvas = (GeglRectangle) { 0, 0, full_width, full_height };
  plan->full_width = full_width;
  plan->full_height = full_height;

  /* Product Studio (or "white background"): find the backdrop first, it
   * is also the best white reference there is. */
  if (r->studio || ins->white_background)
    {
      plan->cutout = lw_local_cutout_find (preview, to_full, full_width, full_height);
      if (plan->cutout == NULL)
        add_note (plan, _("No plain, light background was found around the subject, so the background was kept"));
    }

  /* A greyscale photo has no cast to remove and no colour to add: it
   * stays grey (issue 18: it came out warm, balanced towards the warm
   * prior). */
  plan->achromatic = lw_local_is_achromatic (preview);

  /* White balance. */
  if (plan->cutout != NULL && !plan->cutout->transparent)
    {
      plan->wb_uv[0] = plan->cutout->bg_uv[0];
      plan->wb_uv[1] = plan->cutout->bg_uv[1];
      plan->wb_mass = 1;
      /* the backdrop is meant to be neutral: balance on it in full, not
       * held back by the ellipse (lift 1) */
      limit_cast (r, plan->wb_uv[0], plan->wb_uv[1], 1, cast);
    }
  else
    {
      /* A cut-out product has no backdrop to go by: balance it as a custom
       * module would. */
      const LwLocalRecipe *wb = r->studio ? lw_local_recipe_for (NULL) : r;
      double white_uv[2];
      double white_share = plan->cutout == NULL && !plan->achromatic
                           ? lw_local_estimate_white (preview, white_uv) : 0;

      if (white_share >= WHITE_REF_SHARE)
        {
          /* A large white surface (a white background, paper, snow) is a
           * grey card: balance on it, in full, towards neutral rather than
           * towards the everyday prior, not held back by the ellipse
           * (lift 1; recipe version 7). The mode of the other colours
           * would be a guess. */
          plan->white_ref = TRUE;
          plan->wb_uv[0] = white_uv[0];
          plan->wb_uv[1] = white_uv[1];
          plan->wb_mass = white_share;
          limit_cast (wb, white_uv[0], white_uv[1], 1, cast);
        }
      else
        {
          plan->wb_mass = plan->achromatic ? 0 : lw_local_estimate_illuminant (preview, plan->wb_uv, &plan->wb_grey);
          /* No surface near neutral at all (a poster of strong colours),
           * or no colour at all: nothing to balance on, so no balance. */
          if (plan->wb_mass > 0)
            {
              /* unsure (few votes near the mode): do less */
              double sure = CLAMP (plan->wb_mass / LW_LOCAL_SURE_MASS, 0, 1);
              double amount = wb->wb_strength * (UNSURE_WB_SHARE + (1 - UNSURE_WB_SHARE) * sure);
              /* The prior is where a broad everyday mode (skin, wood)
               * sits on a well-balanced photo; a mode of grey surfaces
               * (one point) is the light itself, balanced to neutral. */
              double prior_u = wb_prior[0] * (1 - plan->wb_grey);
              double prior_v = wb_prior[1] * (1 - plan->wb_grey);

              limit_cast (wb, plan->wb_uv[0] - prior_u, plan->wb_uv[1] - prior_v, plan->wb_grey, cast);
              cast[0] *= amount;
              cast[1] *= amount;
            }
          else
            cast[0] = cast[1] = 0;
        }
    }
  /* a white reference stays white: no warmth of the recipe's own */
  warm = (plan->white_ref || plan->achromatic ? 0 : r->warmth) + STEP_WARMTH * ins->warmth;
  lg[0] = -cast[0] + warm;
  lg[1] = 0;
  lg[2] = -cast[1] - warm;
  lum = LW_LUM_R * exp (lg[0]) + LW_LUM_G * exp (lg[1]) + LW_LUM_B * exp (lg[2]);
  for (c = 0; c < 3; c++)
    plan->tone.gain[c] = (float) (exp (lg[c]) / lum);

  /* Exposure: the photo's white (its 99.5th percentile) to white_target,
   * brightening only. A darker copy of the same photo gets a gain just as
   * much larger, so both end up alike — up to max_exposure_ev. That is
   * 2.5 EV since recipe version 12 (1.5, Remaster 2.0, before): a dim
   * photo with nothing white in it takes up to about 1.7 EV (the held-out
   * living room at dusk), and its copy 1 EV darker was capped and stayed
   * darker. docs/local-engine.md, Limits. */
  tone_identity (&plan->tone);
  lw_local_measure (preview, &plan->tone, to_full, FALSE, &m);
  k = 1;
  if (m.max_p995 > 0 && r->max_exposure_ev > 0)
    {
      /* A few bright lights over a large dark area (a night scene): the
       * lights are the white, not the brightest 0.5 % of the sky. */
      double white = MAX (m.max_p995, LIGHTS_WHITE * m.max_p999);

      k = CLAMP (r->white_target / white, 1.0, exp2 (r->max_exposure_ev));
    }
  plan->exposure_ev = log2 (k);
  for (c = 0; c < 3; c++)
    plan->tone.gain[c] *= (float) k;

  /* Local tone: lift dark regions, calm bright ones. The map is edge-aware
   * so a dark doorway next to a bright window does not leave a halo. */
  /* Low key: when most of the photo is dark after the exposure gain (a
   * night scene, a dark room lit by lamps), the darkness is the picture:
   * lift the shadows less and leave the median where it is. */
  lw_local_measure (preview, &plan->tone, to_full, FALSE, &m);
  low_key = CLAMP ((m.dark_share - 0.3) / 0.5, 0, 1);

  if ((r->shadows > 0 || r->highlights > 0) && plan->cutout == NULL)
    {
      plan->base = lw_local_base_map (preview, plan->tone.gain, 0.035f * long_preview, 1.0f, to_full);
      plan->tone.base = plan->base;
      plan->tone.shadows = (float) (r->shadows * strength * (1 - 0.75 * low_key));
      /* a white background stays white */
      plan->tone.highlights = plan->white_ref ? 0.f : (float) (r->highlights * strength);
      plan->tone.dark_pivot = DARK_PIVOT;
      plan->tone.bright_pivot = BRIGHT_PIVOT;
      plan->tone.local_max_ev = (float) r->local_max_ev;
    }

  /* Global tone curve from the histogram of what we have so far. */
  lw_local_measure (preview, &plan->tone, to_full, FALSE, &m);
  curve.black = CLAMP ((m.y[LW_LOCAL_PCT_0_5] - 0.002) * r->black_strength, 0, r->black_max);
  curve.ymax = CLAMP (m.max_p999, 1.0, 2.0);
  curve.knee = MAX (0.5, 1 - 1.5 * (curve.ymax - 1));
  curve.gamma = 1;
  mid = lw_local_lstar (curve_base (&curve, m.y[LW_LOCAL_PCT_50]));
  /* The median is a mid-tone to move only when it is one: in a mostly
   * white photo it is the background (and on a white reference, the
   * white), which stays. */
  shift = CLAMP (r->mid_strength * (r->mid_target - mid), -r->mid_max, r->mid_max) * strength
          * (1 - low_key) * (plan->white_ref ? 0 : CLAMP ((90 - mid) / 15, 0, 1))
          + STEP_MID_LSTAR * ins->brightness;
  /* towards 15–85, never across nor past where it already is: a median
   * of 95 (a mostly white photo) is not dragged down to 85 */
  mid_new = mid + shift;
  mid_new = shift >= 0 ? MIN (mid_new, MAX (mid, 85)) : MAX (mid_new, MIN (mid, 15));
  if (mid > 5 && mid < 95)
    curve.gamma = log (mid_new / 100) / log (mid / 100);
  curve.pivot = CLAMP (mid_new / 100, 0.2, 0.8);
  l25 = pow (lw_local_lstar (curve_base (&curve, m.y[LW_LOCAL_PCT_25])) / 100, curve.gamma);
  l75 = pow (lw_local_lstar (curve_base (&curve, m.y[LW_LOCAL_PCT_75])) / 100, curve.gamma);
  iqr = 100 * (l75 - l25);
  /* A white background is flat, not dull: the photo's contrast is that of
   * the rest. */
  curve.contrast = CLAMP (2 * (r->iqr_target - iqr) / r->iqr_target, 0, r->contrast_max) * strength
                   * (plan->white_ref ? 1 - MIN (plan->wb_mass, 1) : 1)
                   + STEP_CONTRAST * ins->contrast;
  curve.contrast = CLAMP (curve.contrast, -0.6, 0.6);
  tone_set_curve (&plan->tone, &curve);
  g_debug ("plan: black %.4f ymax %.3f knee %.3f gamma %.3f contrast %.3f pivot %.2f mid %.1f iqr %.1f low_key %.2f gain %.3f %.3f %.3f",
           curve.black, curve.ymax, curve.knee, curve.gamma, curve.contrast, curve.pivot, mid, iqr, low_key,
           plan->tone.gain[0], plan->tone.gain[1], plan->tone.gain[2]);

  /* Colour. */
  plan->tone.vibrance = (float) (r->vibrance * strength);
  plan->tone.saturation = (float) (STEP_SATURATION * ins->saturation);
  /* grey in, grey out — unless the instruction asks for a tint */
  plan->tone.mono = ins->mono || (plan->achromatic && ins->warmth == 0);
  if (r->adaptive_vibrance > 0)
    {
      lw_local_measure (preview, &plan->tone, to_full, TRUE, &m);
      if (m.chroma_mean < 20)
        plan->tone.vibrance += (float) (r->adaptive_vibrance * strength * (20 - m.chroma_mean) / 20);
    }

  /* Detail: noise first (before sharpening makes it worse), then skin,
   * then sharpening that skips small differences (noise, pores). */
  if (r->denoise > 0 && noise > 1.5)
    plan->denoise_passes = MIN (r->denoise, 1 + (int) (noise / 3));
  if (ins->denoise > 0)
    plan->denoise_passes += MAX (1, (int) round (ins->denoise));
  if (r->smooth > 0)
    {
      plan->detail.amount = (float) CLAMP (r->smooth * strength, 0, 1);
      plan->detail.tau = (float) CLAMP (0.06 + 0.005 * noise, 0.06, 0.15);
      plan->detail.skin_only = TRUE;
      plan->detail_sigma = (float) CLAMP (0.004 * MAX (full_width, full_height), 1.5, 20);
    }
  plan->sharpen_amount = (float) CLAMP (r->sharpen * strength + STEP_SHARPEN * ins->sharpness, 0, 1.5);
  plan->sharpen_sigma = (float) CLAMP (r->sharpen_sigma * sqrt ((double) full_width * full_height / 12e6), 0.5, 3.0);
  plan->sharpen_threshold = (float) CLAMP (1.5 * noise / 255, r->smooth > 0 ? 0.02 : 0, 0.05);

  /* The canvas. */
  if (r->studio)
    {
      int side, cx, cy;

      if (plan->cutout != NULL)
        {
          /* the product fills 80 % of the square's side */
          side = (int) ceil (MAX (plan->cutout->width, plan->cutout->height) / 0.8);
          cx = plan->cutout->x + plan->cutout->width / 2;
          cy = plan->cutout->y + plan->cutout->height / 2;
        }
      else
        {
          side = MAX (full_width, full_height);
          cx = full_width / 2;
          cy = full_height / 2;
        }
      plan->canvas = (GeglRectangle) { cx - side / 2, cy - side / 2, side, side };
      plan->pad_white = TRUE;
    }
  else if (ins->square)
    {
      int side = MIN (full_width, full_height);

      plan->canvas = (GeglRectangle) { (full_width - side) / 2, (full_height - side) / 2, side, side };
    }
  return plan;
}

void
lw_local_plan_set_detail_source (LwLocalPlan        *plan,
                                 const LwLocalImage *upright)
{
  float scale;

  if (plan->detail_sigma <= 0)
    return;
  scale = (float) upright->width / (float) plan->full_width;
  g_clear_pointer (&plan->detail_base, lw_local_image_free);
  plan->detail_base = lw_local_image_blur (upright, plan->detail_sigma * scale);
  plan->detail.base = plan->detail_base;
  plan->detail.sx = scale;
  plan->detail.sy = (float) upright->height / (float) plan->full_height;
}

void
lw_local_plan_free (LwLocalPlan *plan)
{
  if (plan == NULL)
    return;
  lw_local_map_free (plan->base);
  lw_local_image_free (plan->detail_base);
  lw_local_cutout_free (plan->cutout);
  g_clear_pointer (&plan->notes, g_ptr_array_unref);
  g_free (plan);
}

static GeglNode *
chain (GeglNode *last, GeglNode *next)
{
  gegl_node_link (last, next);
  return next;
}

GeglNode *
lw_local_plan_build (LwLocalPlan *plan,
                     GeglNode    *graph,
                     GeglNode    *source)
{
  GeglNode *last = source;
  int i;

  for (i = 0; i < plan->denoise_passes; i++)
    last = chain (last, gegl_node_new_child (graph, "operation", "gegl:noise-reduction",
                                             "iterations", 2, NULL));

  if (plan->detail.base != NULL && plan->detail.amount > 0)
    last = chain (last, gegl_node_new_child (graph, "operation", "lw:detail",
                                             "params", &plan->detail, NULL));

  if (plan->sharpen_amount > 0)
    last = chain (last, gegl_node_new_child (graph, "operation", "lw:sharpen",
                                             "sigma", (double) plan->sharpen_sigma,
                                             "amount", (double) plan->sharpen_amount,
                                             "threshold", (double) plan->sharpen_threshold,
                                             NULL));

  last = chain (last, gegl_node_new_child (graph, "operation", "lw:adjust",
                                           "tone", &plan->tone,
                                           "studio", plan->cutout != NULL ? &plan->cutout->studio : NULL,
                                           NULL));

  if (plan->pad_white)
    {
      GeglColor *white = gegl_color_new ("white");
      GeglNode *plane = gegl_node_new_child (graph, "operation", "gegl:color", "value", white, NULL);
      GeglNode *over = gegl_node_new_child (graph, "operation", "gegl:over", NULL);

      g_object_unref (white);   /* GeglColor has no autoptr in GEGL 0.4 */

      gegl_node_link (plane, over);
      gegl_node_connect_to (last, "output", over, "aux");
      last = over;
    }

  /* A plain crop when the canvas lies inside the photo; with white
   * padding the crop cuts the infinite white plane to the canvas. The
   * output starts at (0, 0) either way. */
  {
    GeglRectangle src = gegl_node_get_bounding_box (source);

    if (plan->pad_white || !gegl_rectangle_equal (&plan->canvas, &src))
      {
        last = chain (last, gegl_node_new_child (graph, "operation", "gegl:crop",
                                                 "x", (double) plan->canvas.x,
                                                 "y", (double) plan->canvas.y,
                                                 "width", (double) plan->canvas.width,
                                                 "height", (double) plan->canvas.height,
                                                 NULL));
        last = chain (last, gegl_node_new_child (graph, "operation", "gegl:translate",
                                                 "x", (double) -plan->canvas.x,
                                                 "y", (double) -plan->canvas.y,
                                                 NULL));
      }
  }
  return last;
}

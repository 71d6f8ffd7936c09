/* lw-local-pixel.h — the per-pixel colour pipeline of the local engine.
 *
 * One definition, two users: the lw:adjust GEGL operation runs it on every
 * pixel of the photo, and the recipe planner runs the very same code on the
 * small preview to measure what a choice of parameters does before it is
 * made. Everything is in linear light ("RGBA float", sRGB primaries).
 *
 * Order, and why:
 *   1. gains: white balance × exposure × warmth, a diagonal matrix, which is
 *      exactly what a change of illuminant or of exposure does to linear RGB;
 *   2. local tone: a smooth, edge-aware map of the neighbourhood luminance
 *      (computed on the preview) lifts dark regions and calms bright ones,
 *      so detail inside a region keeps its contrast (shadows/highlights);
 *   3. global tone curve on luminance, applied as a ratio so hue stays put;
 *   4. saturation/vibrance around the new luminance, bounded so no channel
 *      leaves [0, 1] and no channel drops below half of what it was;
 *   5. Product Studio: the matte composites the result over white with a
 *      soft contact shadow.
 */
#pragma once

#include <glib.h>
#include <math.h>

G_BEGIN_DECLS

#define LW_TONE_LUT_SIZE 1024

/* Rec. 709 / sRGB luminance weights (IEC 61966-2-1). */
#define LW_LUM_R 0.2126f
#define LW_LUM_G 0.7152f
#define LW_LUM_B 0.0722f
/* Where a saturated pixel's strongest channel starts to roll off
 * (lw_local_tone_apply()); linear, code 243. */
#define LW_SOFT_KNEE 0.9f

/* An sRGB-encoded value (0–1) in linear light. In double: the tables built
 * from it (8-bit decoding, lw:encode's code boundaries) are exact. */
static inline double
lw_local_srgb_to_linear (double e)
{
  return e <= 0.04045 ? e / 12.92 : pow ((e + 0.055) / 1.055, 2.4);
}

/* A small single-channel map at preview scale, sampled bilinearly at full
 * resolution. sx, sy turn a full-resolution pixel position into a map
 * position. */
typedef struct {
  int    width;
  int    height;
  float  sx;
  float  sy;
  float *data;
} LwLocalMap;

typedef struct {
  float gain[3];

  /* local tone; base == NULL switches it off */
  const LwLocalMap *base;      /* log2 of neighbourhood luminance, after gain */
  float shadows;               /* EV added per EV the neighbourhood is below dark_pivot */
  float highlights;            /* EV taken per EV it is above bright_pivot */
  float dark_pivot;            /* log2 luminance */
  float bright_pivot;
  float local_max_ev;          /* cap of the local change, in EV */

  /* global tone curve: lut[i] is the output luminance for the input
   * luminance lut_max * (i / LW_TONE_LUT_SIZE)^2 (finer steps in the dark) */
  float lut[LW_TONE_LUT_SIZE + 1];
  float lut_max;

  float saturation;            /* chroma multiplier − 1, all pixels */
  float vibrance;              /* extra chroma multiplier − 1 for dull pixels */
  gboolean mono;
} LwLocalTone;

typedef struct {
  const LwLocalMap *matte;     /* coarse product alpha, 0 = background */
  gboolean use_alpha;          /* the photo's own alpha is the matte (a cut-out PNG) */
  /* background colour model: per channel, c0 + c1 u + c2 v + c3 u² + c4 uv + c5 v²
   * with u = x / width, v = y / height of the oriented input, linear RGB */
  float bg[3][6];
  float width;
  float height;
  float tol_lo;                /* colour distance (≈ ΔE) at which a pixel starts to be product */
  float tol_hi;                /* … and is wholly product */
  float shadow_cx;             /* contact shadow, full-resolution pixels */
  float shadow_cy;
  float shadow_sx;
  float shadow_sy;
  float shadow_strength;       /* 0–1, darkening at the centre */
} LwLocalStudio;

static inline float
lw_local_clampf (float v, float lo, float hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

static inline float
lw_local_luminance (const float *rgb)
{
  return LW_LUM_R * rgb[0] + LW_LUM_G * rgb[1] + LW_LUM_B * rgb[2];
}

static inline float
lw_local_map_sample (const LwLocalMap *map,
                     float             x,
                     float             y)
{
  float mx = (x + 0.5f) * map->sx - 0.5f;
  float my = (y + 0.5f) * map->sy - 0.5f;
  int x0, y0, x1, y1;
  float fx, fy;
  const float *d = map->data;

  mx = lw_local_clampf (mx, 0.f, (float) (map->width - 1));
  my = lw_local_clampf (my, 0.f, (float) (map->height - 1));
  x0 = (int) mx;
  y0 = (int) my;
  x1 = MIN (x0 + 1, map->width - 1);
  y1 = MIN (y0 + 1, map->height - 1);
  fx = mx - (float) x0;
  fy = my - (float) y0;
  return (d[y0 * map->width + x0] * (1.f - fx) + d[y0 * map->width + x1] * fx) * (1.f - fy)
       + (d[y1 * map->width + x0] * (1.f - fx) + d[y1 * map->width + x1] * fx) * fy;
}

static inline float
lw_local_tone_curve (const LwLocalTone *t,
                     float              y)
{
  float pos, f;
  int i;

  if (y <= 0.f)
    return 0.f;
  if (y >= t->lut_max)
    return t->lut[LW_TONE_LUT_SIZE];
  pos = sqrtf (y / t->lut_max) * (float) LW_TONE_LUT_SIZE;
  i = (int) pos;
  if (i >= LW_TONE_LUT_SIZE)
    return t->lut[LW_TONE_LUT_SIZE];
  f = pos - (float) i;
  return t->lut[i] * (1.f - f) + t->lut[i + 1] * f;
}

/* The EV change the local tone map asks for at (x, y). */
static inline float
lw_local_tone_local_ev (const LwLocalTone *t,
                        float              x,
                        float              y)
{
  float base, ev = 0.f;

  if (t->base == NULL)
    return 0.f;
  base = lw_local_map_sample (t->base, x, y);
  if (base < t->dark_pivot)
    ev += t->shadows * (t->dark_pivot - base);
  if (base > t->bright_pivot)
    ev -= t->highlights * (base - t->bright_pivot);
  return lw_local_clampf (ev, -t->local_max_ev, t->local_max_ev);
}

/* rgb: linear, in/out. (x, y): full-resolution position of the pixel. */
static inline void
lw_local_tone_apply (const LwLocalTone *t,
                     float             *rgb,
                     float              x,
                     float              y)
{
  float r = rgb[0] * t->gain[0];
  float g = rgb[1] * t->gain[1];
  float b = rgb[2] * t->gain[2];
  float lum, out, k, want, k_lo, mx, mn, sat, d_max = 0.f;
  float d[3];
  int c;

  if (t->base != NULL)
    {
      float m = exp2f (lw_local_tone_local_ev (t, x, y));
      r *= m;
      g *= m;
      b *= m;
    }

  lum = LW_LUM_R * r + LW_LUM_G * g + LW_LUM_B * b;
  out = lw_local_tone_curve (t, lum);
  if (lum > 1e-7f)
    {
      k = out / lum;
      r *= k;
      g *= k;
      b *= k;
    }
  else
    {
      r = g = b = out;
    }

  if (t->mono)
    {
      rgb[0] = rgb[1] = rgb[2] = lw_local_clampf (out, 0.f, 1.f);
      return;
    }

  /* Chroma around the new luminance. */
  d[0] = r - out;
  d[1] = g - out;
  d[2] = b - out;
  mx = MAX (r, MAX (g, b));
  mn = MIN (r, MIN (g, b));
  sat = mx > 1e-6f ? lw_local_clampf ((mx - mn) / mx, 0.f, 1.f) : 0.f;
  want = (1.f + t->saturation) * (1.f + t->vibrance * (1.f - sat));
  k_lo = G_MAXFLOAT;
  for (c = 0; c < 3; c++)
    {
      d_max = MAX (d_max, d[c]);
      if (d[c] < -1e-7f)
        k_lo = MIN (k_lo, 0.5f * (1.f + out / -d[c]));
    }
  if (want > 1.f)
    want = MIN (want, MAX (1.f, k_lo));
  /* The strongest channel is not stopped at 1, where a colour's detail
   * is lost and it reads 255: above LW_SOFT_KNEE it rolls off towards 1,
   * by taking chroma away (the hue and the luminance stay). A grey
   * pixel has no chroma to take: white stays white (recipe version 9).
   * The roll-off is rational, x / (1 + x) of the excess, not exponential
   * (version 10): the exponential reached code 255 at 1.22, so a bright
   * red lifted further went flat; this one only at 3.4. */
  if (d_max > 1e-7f)
    {
      float top = out + d_max * want;

      if (top > LW_SOFT_KNEE)
        {
          float over = (top - LW_SOFT_KNEE) / (1.f - LW_SOFT_KNEE);

          top = LW_SOFT_KNEE + (1.f - LW_SOFT_KNEE) * over / (1.f + over);
          want = MAX ((top - out) / d_max, 0.f);
        }
    }
  for (c = 0; c < 3; c++)
    rgb[c] = lw_local_clampf (out + d[c] * want, 0.f, 1.f);
}

/* The cube root of Y (D65 white = 1) that L* is made of; lw_local_lab()
 * and lw_local_lab_l() share it, so L* is the same number from both. */
static inline float
lw_local_lab_fy (const float *rgb)
{
  float y = 0.2126729f * rgb[0] + 0.7151522f * rgb[1] + 0.0721750f * rgb[2];

  return cbrtf (MAX (y, 0.f));
}

/* L* alone, as lw_local_lab() computes it: one cube root, not three. */
static inline float
lw_local_lab_l (const float *rgb)
{
  return 116.f * lw_local_lab_fy (rgb) - 16.f;
}

/* CIELAB (D65) of a linear sRGB colour, with the cube root taken for all
 * values (the linear toe of L* matters nowhere we use this). */
static inline void
lw_local_lab (const float *rgb,
              float       *lab)
{
  float x = 0.4124564f * rgb[0] + 0.3575761f * rgb[1] + 0.1804375f * rgb[2];
  float z = 0.0193339f * rgb[0] + 0.1191920f * rgb[1] + 0.9503041f * rgb[2];
  float fx = cbrtf (MAX (x / 0.95047f, 0.f));
  float fy = lw_local_lab_fy (rgb);
  float fz = cbrtf (MAX (z / 1.08883f, 0.f));

  lab[0] = 116.f * fy - 16.f;
  lab[1] = 500.f * (fx - fy);
  lab[2] = 200.f * (fy - fz);
}

/* ΔE76 between two linear colours: cheap enough to run per pixel in the
 * matte's edge band, close enough to ΔE2000 for a threshold. */
static inline float
lw_local_colour_distance (const float *a,
                          const float *b)
{
  float la[3], lb[3];

  lw_local_lab (a, la);
  lw_local_lab (b, lb);
  return sqrtf ((la[0] - lb[0]) * (la[0] - lb[0])
                + (la[1] - lb[1]) * (la[1] - lb[1])
                + (la[2] - lb[2]) * (la[2] - lb[2]));
}

static inline void
lw_local_studio_background (const LwLocalStudio *s,
                            float                x,
                            float                y,
                            float               *rgb)
{
  float u = x / s->width;
  float v = y / s->height;
  int c;

  for (c = 0; c < 3; c++)
    {
      const float *k = s->bg[c];
      rgb[c] = k[0] + k[1] * u + k[2] * v + k[3] * u * u + k[4] * u * v + k[5] * v * v;
    }
}

static inline float
lw_local_smoothstep (float lo, float hi, float v)
{
  float t = lw_local_clampf ((v - lo) / (hi - lo), 0.f, 1.f);

  return t * t * (3.f - 2.f * t);
}

/* The alpha of the product at (x, y), from the coarse matte, refined by
 * the pixel's own distance to the background where the matte is unsure. */
static inline float
lw_local_studio_alpha (const LwLocalStudio *s,
                       const float         *in,
                       float                x,
                       float                y)
{
  float a, bg[3];

  if (s->use_alpha)
    return lw_local_clampf (in[3], 0.f, 1.f);
  a = lw_local_map_sample (s->matte, x, y);
  if (a <= 0.002f || a >= 0.998f)
    return a <= 0.002f ? 0.f : 1.f;
  lw_local_studio_background (s, x, y, bg);
  return lw_local_smoothstep (s->tol_lo, s->tol_hi, lw_local_colour_distance (in, bg));
}

static inline float
lw_local_studio_shadow (const LwLocalStudio *s,
                        float                x,
                        float                y)
{
  float dx = (x - s->shadow_cx) / s->shadow_sx;
  float dy = (y - s->shadow_cy) / s->shadow_sy;
  float d2 = dx * dx + dy * dy;

  if (d2 > 9.f || s->shadow_strength <= 0.f)
    return 1.f;
  return 1.f - s->shadow_strength * expf (-d2);
}

G_END_DECLS

/* lw-local-stats.c — what a recipe measures on the preview. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lw-local-stats.h"

/* Percentiles come from histograms in the square-root domain: 8192 bins
 * over [0, 4] give steps of ≈ 0.0001 near black and ≈ 0.005 near white,
 * finer than 8-bit sRGB everywhere. */
#define HIST_BINS 8192
#define HIST_MAX  4.0

static const double percent_points[11] = {
  0.001, 0.005, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.995, 0.999,
};

double
lw_local_lstar (double y)
{
  /* CIE 1976: κ = 24389/27, ε = 216/24389 */
  if (y <= 216.0 / 24389.0)
    return y * 24389.0 / 27.0;
  return 116.0 * cbrt (y) - 16.0;
}

double
lw_local_lstar_to_y (double lstar)
{
  double f = (lstar + 16.0) / 116.0;

  if (lstar <= 8.0)
    return lstar * 27.0 / 24389.0;
  return f * f * f;
}

static inline int
hist_bin (double v)
{
  int b;

  if (v <= 0)
    return 0;
  b = (int) (sqrt (v / HIST_MAX) * HIST_BINS);
  return CLAMP (b, 0, HIST_BINS - 1);
}

static double
hist_percentile (const double *hist,
                 double        total,
                 double        p)
{
  double target = p * total;
  double acc = 0;
  int i;

  if (total <= 0)
    return 0;
  for (i = 0; i < HIST_BINS; i++)
    {
      if (acc + hist[i] >= target && hist[i] > 0)
        {
          double f = (target - acc) / hist[i];
          double s = ((double) i + f) / HIST_BINS;
          return s * s * HIST_MAX;
        }
      acc += hist[i];
    }
  return HIST_MAX;
}

void
lw_local_measure (const LwLocalImage *image,
                  const LwLocalTone  *tone,
                  float               to_full,
                  gboolean            with_chroma,
                  LwLocalMeasure     *m)
{
  g_autofree double *hist_y = g_new0 (double, HIST_BINS);
  g_autofree double *hist_max = g_new0 (double, HIST_BINS);
  double total = 0, l_sum = 0, c_sum = 0, dark = 0, bright = 0, clipped = 0;
  int x, y, i;

  memset (m, 0, sizeof *m);
  for (y = 0; y < image->height; y++)
    for (x = 0; x < image->width; x++)
      {
        const float *px = image->data + ((gsize) y * image->width + x) * 4;
        float rgb[3] = { px[0], px[1], px[2] };
        float lab[3];
        double lum;

        if (px[3] < 0.5f)
          continue;
        if (tone != NULL)
          lw_local_tone_apply (tone, rgb,
                               ((float) x + 0.5f) * to_full - 0.5f,
                               ((float) y + 0.5f) * to_full - 0.5f);
        lum = lw_local_luminance (rgb);
        hist_y[hist_bin (lum)] += 1;
        hist_max[hist_bin (MAX (rgb[0], MAX (rgb[1], rgb[2])))] += 1;
        if (with_chroma)
          {
            lw_local_lab (rgb, lab);
            c_sum += sqrt (lab[1] * lab[1] + lab[2] * lab[2]);
          }
        else
          lab[0] = lw_local_lab_l (rgb);
        l_sum += lab[0];
        dark += lab[0] < 20.f;
        bright += lab[0] > 90.f;
        /* 254.5 / 255 encoded is 0.9961 linear */
        clipped += MAX (rgb[0], MAX (rgb[1], rgb[2])) >= 0.9961f;
        total += 1;
      }

  m->pixels = total;
  if (total <= 0)
    return;
  for (i = 0; i < 11; i++)
    m->y[i] = hist_percentile (hist_y, total, percent_points[i]);
  m->max_p995 = hist_percentile (hist_max, total, 0.995);
  m->max_p999 = hist_percentile (hist_max, total, 0.999);
  m->l_mean = l_sum / total;
  m->chroma_mean = c_sum / total;
  m->dark_share = dark / total;
  m->bright_share = bright / total;
  m->clipped_share = clipped / total;
}

/* A photo without colour (a greyscale scan, a black-and-white print saved
 * as RGB): every pixel within C*ab 2 of neutral (8-bit rounding and JPEG's
 * chroma noise stay below that), all but one in a thousand. */
gboolean
lw_local_is_achromatic (const LwLocalImage *image)
{
  gsize i, n = (gsize) image->width * image->height, coloured = 0, total = 0;

  for (i = 0; i < n; i++)
    {
      const float *px = image->data + i * 4;
      float lab[3];

      if (px[3] < 0.5f)
        continue;
      lw_local_lab (px, lab);
      coloured += lab[1] * lab[1] + lab[2] * lab[2] > 4.f;
      total++;
      /* a colour photo is told after a few hundred of its pixels */
      if (coloured * 1000 > n)
        return FALSE;
    }
  return total > 0 && coloured * 1000 <= total;
}

/* ---- illuminant ---- */

/* The log-chromaticity plane [-2, 2]² in 256² bins of 0.0156: finer than
 * the smallest kernel (0.10). */
#define UV_BINS  256
#define UV_RANGE 2.0
/* The "one point" radius of a mid-grey pixel (point_radius()). */
#define GREY_RADIUS 0.04
/* The least share of the votes a cluster of grey surfaces nearer to
 * neutral than the mode needs to be taken for the light (a white card on
 * a fruit stall holds 0.05, a sunset's grey rock 0.04). */
#define NEAR_GREY_MASS 0.03

typedef struct {
  float u, v, w;
  float r2;            /* the votes' mean squared "one point" radius */
  int   clipped;       /* 0, or 1 + the channel clipped in its votes */
} UvBin;

/* How much a preview pixel's vote counts for its texture: the log
 * luminance of a 3 × 3 box average, its central differences. A large
 * uniform region (a night sky, a wall, a graphic's flat colour, a white
 * background) is one surface however many pixels it covers; the votes come
 * mostly from where the picture has detail. Logs make it invariant to an
 * exposure change, and nearly so to a cast. */
static float *
texture_weights (const LwLocalImage *image)
{
  int w = image->width, h = image->height, x, y;
  g_autofree float *ly = g_new (float, (gsize) w * h);
  g_autofree float *box = g_new (float, (gsize) w * h);
  float *weight = g_new (float, (gsize) w * h);

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      {
        const float *px = image->data + ((gsize) y * w + x) * 4;
        ly[(gsize) y * w + x] = log2f (MAX (lw_local_luminance (px), 1.f / 4096.f));
      }
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      {
        float sum = 0;
        int dx, dy;

        for (dy = -1; dy <= 1; dy++)
          for (dx = -1; dx <= 1; dx++)
            sum += ly[(gsize) CLAMP (y + dy, 0, h - 1) * w + CLAMP (x + dx, 0, w - 1)];
        box[(gsize) y * w + x] = sum / 9.f;
      }
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      {
        float gx = box[(gsize) y * w + MIN (x + 1, w - 1)] - box[(gsize) y * w + MAX (x - 1, 0)];
        float gy = box[(gsize) MIN (y + 1, h - 1) * w + x] - box[(gsize) MAX (y - 1, 0) * w + x];
        /* 0.25 EV across three preview pixels is an edge or texture */
        weight[(gsize) y * w + x] = CLAMP ((fabsf (gx) + fabsf (gy)) / 0.25f, 0.1f, 1.f);
      }
  return weight;
}

/* Mean shift over the log-chromaticity bins from (u0, v0): a first kernel
 * of rho0, narrowing to 0.10 so the estimate settles on one cluster of
 * surfaces. Returns the share of the votes near the mode. */
static double
mean_shift_from (GArray *bins, double total, double u0, double v0, double rho0, double *u_out, double *v_out)
{
  double mass = 0;
  int it;

  for (it = 0; it < 40; it++)
    {
      double rho = it < 20 ? rho0 * pow (0.10 / rho0, it / 19.0) : 0.10;
      double su = 0, sv = 0, sw = 0;
      guint k;

      for (k = 0; k < bins->len; k++)
        {
          const UvBin *b = &g_array_index (bins, UvBin, k);
          double d2 = ((b->u - u0) * (b->u - u0) + (b->v - v0) * (b->v - v0)) / (rho * rho);
          double w;

          if (d2 > 9)
            continue;
          w = b->w * exp (-d2 / 2);
          su += w * b->u;
          sv += w * b->v;
          sw += w;
        }
      if (sw <= 0)
        break;
      u0 = su / sw;
      v0 = sv / sw;
      mass = sw / total;
    }
  *u_out = u0;
  *v_out = v0;
  return mass;
}

/* The wide search: a first kernel of 0.35 (reach 1.05), so a strong cast
 * is still reached. */
static double
mean_shift (GArray *bins, double total, double u0, double v0, double *u_out, double *v_out)
{
  return mean_shift_from (bins, total, u0, v0, 0.35, u_out, v_out);
}

/* How far from a point of the log-chromaticity plane a pixel of a grey
 * surface may land by 8-bit noise alone (±2 levels): GREY_RADIUS for a
 * mid grey (code 128: √2 · 2 · 2.4 / (128 + 14) ≈ 0.048, since
 * d log(linear) / d code ≈ 2.4 / (code + 14) in sRGB), wider in
 * proportion for a darker one. g is the pixel's green, linear: the
 * channel both ratios share. With one radius for every pixel, a scene
 * of dark grey surfaces (a crowd in the stands, slate) spread past it
 * and was taken for a broad cluster (recipe version 5). */
static float
point_radius (float g)
{
  double code;

  if (g >= 0.21587f)    /* code 128 or brighter: GREY_RADIUS, no pow() */
    return GREY_RADIUS;
  code = 255 * (g <= 0.0031308f ? 12.92 * g : 1.055 * pow (g, 1 / 2.4) - 0.055);
  return (float) (GREY_RADIUS * MAX (1.0, (128 + 14) / (code + 14)));
}

/* Of the votes within the kernel's reach (0.15) of (u0, v0), the share
 * on one point: within each vote's own noise radius. */
static double
tight_share (GArray *bins, double u0, double v0)
{
  double tight = 0, near = 0;
  guint k;

  for (k = 0; k < bins->len; k++)
    {
      const UvBin *b = &g_array_index (bins, UvBin, k);
      double du = b->u - u0, dv = b->v - v0, r = sqrt (b->r2);
      gboolean on;

      /* A vote with a channel clipped is a half-line, not a point: the
       * surface's ratio to that channel is at least what it reads. It is
       * on the point when the line passes within its radius, on the side
       * the clipping leaves it (red clipped: its u reads low; blue: its
       * v; green: both read high, alike). */
      switch (b->clipped)
        {
        case 1: on = fabs (dv) < r && du < r; break;
        case 2: on = fabs (du - dv) < G_SQRT2 * r && du + dv > -G_SQRT2 * r; break;
        case 3: on = fabs (du) < r && dv < r; break;
        default: on = du * du + dv * dv < b->r2; break;
        }
      if (on)
        tight += b->w;
      if (du * du + dv * dv < 0.15 * 0.15)
        near += b->w;
    }
  return near > 0 ? tight / near : 0;
}

/* The votes of the first planes of a grid (UV_BINS² bins each: the
 * unclipped votes, then those with red, green and blue clipped) as bins. */
static GArray *
grid_bins (const float *grid, const float *grid_r2, int planes)
{
  GArray *bins = g_array_new (FALSE, FALSE, sizeof (UvBin));
  gsize i;

  for (i = 0; i < (gsize) planes * UV_BINS * UV_BINS; i++)
    {
      gsize j = i % (UV_BINS * UV_BINS);
      UvBin b;

      if (grid[i] <= 0)
        continue;
      b.u = (float) (((double) (j % UV_BINS) + 0.5) / UV_BINS * 2 * UV_RANGE - UV_RANGE);
      b.v = (float) (((double) (j / UV_BINS) + 0.5) / UV_BINS * 2 * UV_RANGE - UV_RANGE);
      b.w = grid[i];
      b.r2 = grid_r2[i] / grid[i];
      b.clipped = (int) (i / (UV_BINS * UV_BINS));
      g_array_append_val (bins, b);
    }
  return bins;
}

double
lw_local_estimate_illuminant (const LwLocalImage *image,
                              double              uv[2],
                              double             *grey)
{
  /* four planes: the votes, then those of pixels with red, green or
   * blue clipped */
  g_autofree float *grid = g_new0 (float, 4 * UV_BINS * UV_BINS);
  g_autofree float *grid_r2 = g_new0 (float, 4 * UV_BINS * UV_BINS);
  g_autofree float *texture = texture_weights (image);
  g_autoptr(GArray) bins = NULL;
  g_autoptr(GArray) all_bins = NULL;
  double total = 0, total_clipped = 0, mass, u0 = 0, v0 = 0, gw_u = 0, gw_v = 0;
  gsize i, n = (gsize) image->width * image->height;

  uv[0] = uv[1] = 0;
  if (grey != NULL)
    *grey = 0;
  for (i = 0; i < n; i++)
    {
      const float *px = image->data + i * 4;
      double u, v, w;
      float mn, md, mx, fade, unclipped, one_clipped, r;
      gsize bin, plane;

      /* Near black (luminance below 0.01, ≈ 25/255 encoded) colour is
       * mostly noise, and a channel near 1 may be clipped, its colour
       * unknown. The votes fade out towards both (luminance 0.002–0.010,
       * channels 0.90–0.97) instead of stopping at a threshold: a cast
       * copy then moves a pixel's weight a little, not from all to
       * nothing. */
      if (px[3] < 0.5f)
        continue;
      mn = MIN (px[0], MIN (px[1], px[2]));
      mx = MAX (px[0], MAX (px[1], px[2]));
      md = px[0] + px[1] + px[2] - mn - mx;
      if (mn < 1e-4f)
        continue;
      fade = CLAMP ((lw_local_luminance (px) - 0.002f) / 0.008f, 0.f, 1.f);
      unclipped = CLAMP ((0.97f - mx) / 0.07f, 0.f, 1.f);
      /* With one channel clipped the colour is still known in part: the
       * clipped channel's ratios are at least what they read. Such votes
       * lie nearer to neutral than the surface is, so they are kept
       * apart, for the search for grey surfaces only (below); the weight
       * the fade takes from a pixel as its brightest channel clips moves
       * to them (recipe version 13). */
      one_clipped = CLAMP ((0.97f - md) / 0.07f, 0.f, 1.f) - unclipped;
      if (fade <= 0.f || unclipped + one_clipped <= 0.f)
        continue;
      u = log (px[0] / px[1]);
      v = log (px[2] / px[1]);
      if (fabs (u) >= UV_RANGE || fabs (v) >= UV_RANGE)
        continue;
      /* and fade out towards the edge of the plane, for the same reason */
      fade *= (float) (CLAMP ((UV_RANGE - fabs (u)) / 0.4, 0, 1) * CLAMP ((UV_RANGE - fabs (v)) / 0.4, 0, 1));
      /* Brighter pixels are likelier to be lit by the main light; pixels
       * with detail around them speak for more surfaces. */
      w = sqrt (lw_local_luminance (px)) * texture[i] * fade;
      bin = (gsize) ((v + UV_RANGE) / (2 * UV_RANGE) * UV_BINS) * UV_BINS
            + (gsize) ((u + UV_RANGE) / (2 * UV_RANGE) * UV_BINS);
      r = point_radius (px[1]);
      grid[bin] += (float) (w * unclipped);
      grid_r2[bin] += (float) (w * unclipped) * r * r;
      plane = (gsize) (mx == px[0] ? 1 : mx == px[1] ? 2 : 3) * UV_BINS * UV_BINS;
      grid[plane + bin] += (float) (w * one_clipped);
      grid_r2[plane + bin] += (float) (w * one_clipped) * r * r;
      total += w * unclipped;
      total_clipped += w * one_clipped;
      gw_u += w * unclipped * u;
      gw_v += w * unclipped * v;
    }
  if (total <= 0)
    return -1;
  gw_u /= total;
  gw_v /= total;
  bins = grid_bins (grid, grid_r2, 1);
  all_bins = grid_bins (grid, grid_r2, 4);

  /* From neutral: the cluster of surfaces nearest to grey. */
  mass = mean_shift (bins, total, 0, 0, &u0, &v0);

  /* Is the mode grey surfaces? Under one light every grey surface, dark
   * or light, has the same chromaticity: their votes pile up on one point
   * (spread only by noise), where skin, wood and shade — the warm
   * everyday mode the recipes' prior stands for — make a broad cluster.
   * "On the point" is within the votes' own noise radius
   * (point_radius(): 0.04 for a mid grey, wider for a dark one); 0.15
   * is the kernel's reach. Scaled by how sure the mode
   * is: a point holding few votes is no grey card. */
  if (grey != NULL && mass > 0)
    {
      double on_point = tight_share (bins, u0, v0);

      *grey = CLAMP ((on_point - LW_LOCAL_GREY_LOW) / (LW_LOCAL_GREY_HIGH - LW_LOCAL_GREY_LOW), 0, 1)
              * CLAMP (mass / LW_LOCAL_SURE_MASS, 0, 1);
      g_debug ("illuminant: mode (%.3f, %.3f) mass %.3f, %.2f of it on one point: grey %.2f",
               u0, v0, mass, on_point, *grey);
    }

  /* Grey surfaces the search passed over (recipe version 11). The first
   * kernel reaches 1.05 so that a strong cast is still found, and a big
   * cluster that far out pulls the search to it: a wooden table or stall
   * filling the frame, one tight brown that reads as grey under tungsten.
   * A white plate or card nearer to neutral was lost on the way. So the
   * search is run again from neutral with narrower first kernels (reach
   * 0.3–0.75); where one ends on another cluster that is grey surfaces
   * (at least half of it on one point, NEAR_GREY_MASS of the votes), that
   * is the light: grey surfaces show its colour, a brown surface only
   * may. Checked nearest first, so the first grey cluster from neutral
   * wins; a narrow search ending on the mode already found changes
   * nothing. Since recipe version 13 these searches also count the votes
   * of pixels with one channel clipped: a white card or plate whose red
   * clips under a warm light is still found (a little nearer to neutral
   * than it is, so the balance does a little less). The mode above
   * leaves them out: where other votes are near, the bias of many such
   * votes moved it (a warm photo's cast copy followed its cast less). */
  {
    static const double first_kernel[] = { 0.10, 0.15, 0.20, 0.25 };
    guint k;

    for (k = 0; k < G_N_ELEMENTS (first_kernel); k++)
      {
        double nu, nv, near_mass, on_point;

        near_mass = mean_shift_from (all_bins, total + total_clipped, 0, 0, first_kernel[k], &nu, &nv);
        /* nothing within this kernel's reach: a wider one may reach */
        if (near_mass <= 0)
          continue;
        if (hypot (nu - u0, nv - v0) < GREY_RADIUS)
          break;
        if (near_mass < NEAR_GREY_MASS)
          continue;
        on_point = tight_share (all_bins, nu, nv);
        if (on_point < LW_LOCAL_GREY_HIGH)
          continue;
        g_debug ("illuminant: grey surfaces at (%.3f, %.3f), mass %.3f, %.2f of it on one point, "
                 "nearer to neutral than the mode: the light", nu, nv, near_mass, on_point);
        uv[0] = nu;
        uv[1] = nv;
        if (grey != NULL)
          *grey = 1;
        /* as sure as a mode can be made: no lean on the grey world */
        return LW_LOCAL_SURE_MASS;
      }
  }

  /* Unsure: few votes near that mode. Which cluster is found then depends
   * on where the search starts, and a fixed start (neutral) does not move
   * with a cast, so a cast copy can land on another cluster. The
   * (textured) grey world moves with a cast exactly: lean on it, the more
   * the less sure the mode is — unless a second search, started from the
   * grey world (a start that moves with a cast), ends on the same mode:
   * then the mode is the photo's, whatever the cast, and is kept, fully
   * when both end on one point, not at all when they end GREY_RADIUS or
   * more apart (recipe version 8). */
  if (mass < LW_LOCAL_SURE_MASS)
    {
      double t = mass / LW_LOCAL_SURE_MASS, u1, v1, apart;

      mean_shift (bins, total, gw_u, gw_v, &u1, &v1);
      apart = hypot (u1 - u0, v1 - v0);
      t = MAX (t, CLAMP (1 - apart / GREY_RADIUS, 0, 1));
      g_debug ("illuminant: from neutral (%.3f, %.3f) mass %.3f; grey world (%.3f, %.3f), "
               "from there (%.3f, %.3f): mode kept %.2f",
               u0, v0, mass, gw_u, gw_v, u1, v1, t);
      u0 = t * u0 + (1 - t) * gw_u;
      v0 = t * v0 + (1 - t) * gw_v;
    }
  uv[0] = u0;
  uv[1] = v0;
  return mass;
}

double
lw_local_estimate_white (const LwLocalImage *image,
                         double              uv[2])
{
  g_autofree double *hist = g_new0 (double, HIST_BINS);
  gsize i, n = (gsize) image->width * image->height;
  double total = 0, white, su = 0, sv = 0, sw = 0, u0, v0, near = 0;
  int it;

  uv[0] = uv[1] = 0;
  for (i = 0; i < n; i++)
    {
      const float *px = image->data + i * 4;

      if (px[3] < 0.5f)
        continue;
      hist[hist_bin (lw_local_luminance (px))] += 1;
      total += 1;
    }
  if (total <= 0)
    return 0;
  /* the photo's white: its 99th percentile of luminance */
  white = hist_percentile (hist, total, 0.99);
  if (white < 0.05)
    return 0;

  /* Bright pixels of a plausible illuminant's colour (within 0.45 of
   * neutral: tungsten to shade), clipped ones included — a background
   * clipped to white is white. */
  for (it = 0; it < 4; it++)
    {
      double rho = it == 0 ? 0.45 : it == 1 ? 0.15 : 0.06;

      su = sv = sw = 0;
      for (i = 0; i < n; i++)
        {
          const float *px = image->data + i * 4;
          double u, v;

          if (px[3] < 0.5f || lw_local_luminance (px) < 0.7 * white
              || px[0] < 1e-4f || px[1] < 1e-4f || px[2] < 1e-4f)
            continue;
          u = log (px[0] / px[1]);
          v = log (px[2] / px[1]);
          if (it > 0 && (u - uv[0]) * (u - uv[0]) + (v - uv[1]) * (v - uv[1]) > rho * rho)
            continue;
          if (it == 0 && u * u + v * v > rho * rho)
            continue;
          su += u;
          sv += v;
          sw += 1;
        }
      if (sw <= 0)
        return 0;
      u0 = su / sw;
      v0 = sv / sw;
      uv[0] = u0;
      uv[1] = v0;
      near = sw;
    }
  /* the share of the photo that is this one white surface */
  return near / total;
}

/* ---- noise ---- */

/* Hoare's FIND (Wirth's form): partitions around a median of three until
 * position n / 2 holds what a sort would put there. Linear on average, no
 * copy; the order of values is lost. Equal values (a flat area's zeros)
 * split evenly, so they cannot make it quadratic. */
float
lw_local_median (float *values,
                 gsize  n)
{
  gssize lo = 0, hi = (gssize) n - 1, k = (gssize) n / 2;

  if (n == 0)
    return 0.f;
  while (lo < hi)
    {
      gssize mid = lo + (hi - lo) / 2, i = lo, j = hi;
      float a = values[lo], b = values[mid], c = values[hi];
      float pivot = MAX (MIN (a, b), MIN (MAX (a, b), c));

      do
        {
          while (values[i] < pivot)
            i++;
          while (pivot < values[j])
            j--;
          if (i <= j)
            {
              float t = values[i];

              values[i++] = values[j];
              values[j--] = t;
            }
        }
      while (i <= j);
      /* [lo, j] ≤ pivot, [i, hi] ≥ pivot, anything between equals it */
      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        break;
    }
  return values[k];
}

double
lw_local_estimate_noise (GeglBuffer *buffer)
{
  const GeglRectangle *extent = gegl_buffer_get_extent (buffer);
  const int size = 256;
  g_autofree guint8 *rgb = g_new (guint8, size * size * 3);
  g_autofree float *crop = g_new (float, size * size);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (float));
  static const double spots[4][2] = { { 0.3, 0.3 }, { 0.7, 0.3 }, { 0.3, 0.7 }, { 0.7, 0.7 } };
  int s;

  for (s = 0; s < 4; s++)
    {
      GeglRectangle r;
      int x, y;

      r.width = MIN (size, extent->width);
      r.height = MIN (size, extent->height);
      r.x = extent->x + (int) (spots[s][0] * extent->width) - r.width / 2;
      r.y = extent->y + (int) (spots[s][1] * extent->height) - r.height / 2;
      r.x = CLAMP (r.x, extent->x, extent->x + extent->width - r.width);
      r.y = CLAMP (r.y, extent->y, extent->y + extent->height - r.height);
      if (r.width < 3 || r.height < 3)
        continue;
      /* 8-bit in, luma by hand: asking babl for "Y' float" from 8-bit RGB
       * makes it build a 64 MB lookup table. */
      gegl_buffer_get (buffer, &r, 1.0, babl_format ("R'G'B' u8"), rgb,
                       GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_CLAMP);
      for (x = 0; x < r.width * r.height; x++)
        crop[x] = (0.2126f * rgb[x * 3] + 0.7152f * rgb[x * 3 + 1] + 0.0722f * rgb[x * 3 + 2]) / 255.f;
      /* The Laplacian-difference mask N of Immerkær cancels smooth image
       * structure; what is left is mostly noise (Σ N² = 36). */
      for (y = 1; y < r.height - 1; y++)
        for (x = 1; x < r.width - 1; x++)
          {
            const float *p = crop + y * r.width + x;
            int w = r.width;
            float v = p[-w - 1] - 2 * p[-w] + p[-w + 1]
                      - 2 * p[-1] + 4 * p[0] - 2 * p[1]
                      + p[w - 1] - 2 * p[w] + p[w + 1];
            v = fabsf (v) * 255.f;
            g_array_append_val (all, v);
          }
    }
  if (all->len == 0)
    return 0;
  /* median |N∗I| = 0.6745 · 6σ for Gaussian noise */
  return lw_local_median ((float *) all->data, all->len) / (0.6745 * 6.0);
}

/* ---- local tone base ---- */

static void
recursive_pass (float       *data,
                const float *guide,
                int          n,
                gsize        stride,
                float        a,
                float        ratio)
{
  int i;

  /* Gastal & Oliveira's recursive filter along one line: the feedback
   * weight a^d drops where the guide changes, so the blur stops at edges. */
  for (i = 1; i < n; i++)
    {
      float d = 1.f + ratio * fabsf (guide[i * stride] - guide[(i - 1) * stride]);
      float w = powf (a, d);
      data[i * stride] += w * (data[(i - 1) * stride] - data[i * stride]);
    }
  for (i = n - 2; i >= 0; i--)
    {
      float d = 1.f + ratio * fabsf (guide[(i + 1) * stride] - guide[i * stride]);
      float w = powf (a, d);
      data[i * stride] += w * (data[(i + 1) * stride] - data[i * stride]);
    }
}

LwLocalMap *
lw_local_base_map (const LwLocalImage *image,
                   const float         gain[3],
                   float               sigma_s,
                   float               sigma_r,
                   float               to_full)
{
  const int iterations = 3;
  LwLocalMap *map = lw_local_map_new (image->width, image->height);
  g_autofree float *guide = NULL;
  gsize i, n = (gsize) image->width * image->height;
  int it, x, y;

  for (i = 0; i < n; i++)
    {
      const float *px = image->data + i * 4;
      float rgb[3] = { px[0] * gain[0], px[1] * gain[1], px[2] * gain[2] };

      /* 2^-12 keeps black from dominating the log */
      map->data[i] = log2f (MAX (lw_local_luminance (rgb), 1.f / 4096.f));
    }
  guide = g_memdup2 (map->data, sizeof (float) * n);

  for (it = 0; it < iterations; it++)
    {
      /* σ of iteration it, so that all iterations together give sigma_s */
      float sigma_i = sigma_s * sqrtf (3.f) * powf (2.f, (float) (iterations - it - 1))
                      / sqrtf (powf (4.f, (float) iterations) - 1.f);
      float a = expf (-sqrtf (2.f) / sigma_i);
      float ratio = sigma_s / sigma_r;

      for (y = 0; y < image->height; y++)
        recursive_pass (map->data + (gsize) y * image->width, guide + (gsize) y * image->width,
                        image->width, 1, a, ratio);
      for (x = 0; x < image->width; x++)
        recursive_pass (map->data + x, guide + x, image->height, image->width, a, ratio);
    }

  map->sx = map->sy = 1.f / to_full;
  return map;
}

/* lw-local-cutout.c — finding a product on a plain, light background. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lw-local-cutout.h"
#include "lw-local-stats.h"

/* A backdrop must be light and nearly neutral: L* ≥ 55 and C* ≤ 20 covers
 * white, light grey and cream sweeps; 60 % of the border within ΔE 10 of
 * its median allows for a product touching the frame and for fall-off. */
#define BACKDROP_MIN_L      55.0
#define BACKDROP_MAX_C      20.0
#define BACKDROP_NEAR_DE    10.0
#define BACKDROP_MIN_SHARE   0.6

static float
distance_lab (const float *a, const float *b)
{
  return sqrtf ((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1])
                + (a[2] - b[2]) * (a[2] - b[2]));
}

/* Solves the 6×6 system m·x = r (for three right-hand sides) by Gaussian
 * elimination with partial pivoting; FALSE when singular. */
static gboolean
solve6 (double m[6][6], double r[6][3], double x[6][3])
{
  int i, j, k, c;

  for (i = 0; i < 6; i++)
    {
      int p = i;

      for (j = i + 1; j < 6; j++)
        if (fabs (m[j][i]) > fabs (m[p][i]))
          p = j;
      if (fabs (m[p][i]) < 1e-12)
        return FALSE;
      if (p != i)
        {
          for (k = 0; k < 6; k++)
            {
              double t = m[i][k]; m[i][k] = m[p][k]; m[p][k] = t;
            }
          for (c = 0; c < 3; c++)
            {
              double t = r[i][c]; r[i][c] = r[p][c]; r[p][c] = t;
            }
        }
      for (j = i + 1; j < 6; j++)
        {
          double f = m[j][i] / m[i][i];

          for (k = i; k < 6; k++)
            m[j][k] -= f * m[i][k];
          for (c = 0; c < 3; c++)
            r[j][c] -= f * r[i][c];
        }
    }
  for (i = 5; i >= 0; i--)
    for (c = 0; c < 3; c++)
      {
        double s = r[i][c];

        for (k = i + 1; k < 6; k++)
          s -= m[i][k] * x[k][c];
        x[i][c] = s / m[i][i];
      }
  return TRUE;
}

static void
basis (double u, double v, double b[6])
{
  b[0] = 1; b[1] = u; b[2] = v; b[3] = u * u; b[4] = u * v; b[5] = v * v;
}

/* Least-squares quadratic model of the backdrop's linear RGB over the
 * pixels in mask. */
static gboolean
fit_backdrop (const LwLocalImage *img,
              const guint8       *mask,
              LwLocalStudio      *studio)
{
  double m[6][6] = { { 0 } }, r[6][3] = { { 0 } }, x[6][3];
  int px, py, i, j, c;

  for (py = 0; py < img->height; py++)
    for (px = 0; px < img->width; px++)
      {
        gsize k = (gsize) py * img->width + px;
        const float *p = img->data + k * 4;
        double b[6];

        if (!mask[k])
          continue;
        basis ((px + 0.5) / img->width, (py + 0.5) / img->height, b);
        for (i = 0; i < 6; i++)
          {
            for (j = 0; j < 6; j++)
              m[i][j] += b[i] * b[j];
            for (c = 0; c < 3; c++)
              r[i][c] += b[i] * p[c];
          }
      }
  if (!solve6 (m, r, x))
    return FALSE;
  for (c = 0; c < 3; c++)
    for (i = 0; i < 6; i++)
      studio->bg[c][i] = (float) x[i][c];
  return TRUE;
}

/* Distance of every pixel to the backdrop model, in ΔE76. */
static void
backdrop_distance (const LwLocalImage  *img,
                   const float         *lab,
                   const LwLocalStudio *studio,
                   float                to_full,
                   float               *dist)
{
  int px, py;

  for (py = 0; py < img->height; py++)
    for (px = 0; px < img->width; px++)
      {
        gsize k = (gsize) py * img->width + px;
        float bg[3], bg_lab[3];

        lw_local_studio_background (studio, ((float) px + 0.5f) * to_full,
                                    ((float) py + 0.5f) * to_full, bg);
        lw_local_lab (bg, bg_lab);
        dist[k] = distance_lab (lab + k * 3, bg_lab);
      }
}

/* Marks in out every pixel of in that is 4-connected to a set pixel on
 * the image's border. */
static void
flood_from_border (const guint8 *in,
                   int           width,
                   int           height,
                   guint8       *out)
{
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize head = 0;
  int x, y;

  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      {
        gsize k = (gsize) y * width + x;

        if ((x == 0 || y == 0 || x == width - 1 || y == height - 1) && in[k] && !out[k])
          {
            out[k] = 1;
            g_array_append_val (queue, k);
          }
      }

  while (head < queue->len)
    {
      gsize k = g_array_index (queue, gsize, head++);
      gsize next[4];
      int n = 0, i;

      x = (int) (k % width);
      y = (int) (k / width);
      if (x > 0) next[n++] = k - 1;
      if (x < width - 1) next[n++] = k + 1;
      if (y > 0) next[n++] = k - width;
      if (y < height - 1) next[n++] = k + width;
      for (i = 0; i < n; i++)
        if (in[next[i]] && !out[next[i]])
          {
            out[next[i]] = 1;
            g_array_append_val (queue, next[i]);
          }
    }
}

/* The 4-connected component of set pixels around seed, into comp (its
 * previous content dropped); marks them in seen. */
static void
collect (const guint8 *set,
         int           width,
         int           height,
         gsize         seed,
         guint8       *seen,
         GArray       *comp)
{
  gsize head = 0;

  g_array_set_size (comp, 0);
  seen[seed] = 1;
  g_array_append_val (comp, seed);
  while (head < comp->len)
    {
      gsize k = g_array_index (comp, gsize, head++);
      int x = (int) (k % width), y = (int) (k / width);
      gsize next[4];
      int m = 0, i;

      if (x > 0) next[m++] = k - 1;
      if (x < width - 1) next[m++] = k + 1;
      if (y > 0) next[m++] = k - width;
      if (y < height - 1) next[m++] = k + width;
      for (i = 0; i < m; i++)
        if (set[next[i]] && !seen[next[i]])
          {
            seen[next[i]] = 1;
            g_array_append_val (comp, next[i]);
          }
    }
}

/* The box of the pixels set in product (preview coordinates), mapped to
 * full resolution; FALSE when the product is too small or too large to be
 * one. */
static gboolean
product_box (LwLocalCutout *cut,
             const guint8  *product,
             int            width,
             int            height,
             float          to_full,
             int            full_width,
             int            full_height)
{
  gsize count = 0;
  int x, y, x0 = width, y0 = height, x1 = -1, y1 = -1;

  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      if (product[(gsize) y * width + x])
        {
          count++;
          x0 = MIN (x0, x);
          y0 = MIN (y0, y);
          x1 = MAX (x1, x);
          y1 = MAX (y1, y);
        }
  cut->coverage = (double) count / ((gsize) width * height);
  if (cut->coverage < 0.005 || cut->coverage > 0.9)
    return FALSE;
  cut->x = CLAMP ((int) floor (x0 * to_full), 0, full_width - 1);
  cut->y = CLAMP ((int) floor (y0 * to_full), 0, full_height - 1);
  cut->width = CLAMP ((int) ceil ((x1 + 1) * to_full), cut->x + 1, full_width) - cut->x;
  cut->height = CLAMP ((int) ceil ((y1 + 1) * to_full), cut->y + 1, full_height) - cut->y;
  return TRUE;
}

static void
set_shadow (LwLocalCutout *cut)
{
  /* A contact shadow: a flat ellipse along the product's base, 60 % of its
   * width and about 1 % of its height (1.2 % + 1 px). Strength 0.15 reads
   * as the product standing on the surface without greying more than a
   * sliver of the backdrop. */
  cut->studio.shadow_cx = cut->x + cut->width / 2.f;
  cut->studio.shadow_cy = cut->y + cut->height - 0.01f * cut->height;
  cut->studio.shadow_sx = MAX (2.f, 0.30f * cut->width);
  cut->studio.shadow_sy = 1.f + 0.012f * cut->height;
  cut->studio.shadow_strength = 0.15f;
}

/* A PNG cut-out: transparent on most of its border. */
static LwLocalCutout *
find_transparent (const LwLocalImage *img,
                  float               to_full,
                  int                 full_width,
                  int                 full_height)
{
  gsize n = (gsize) img->width * img->height, k, border = 0, clear = 0;
  g_autofree guint8 *product = g_new0 (guint8, n);
  g_autoptr(LwLocalCutout) cut = g_new0 (LwLocalCutout, 1);
  int x, y;

  for (y = 0; y < img->height; y++)
    for (x = 0; x < img->width; x++)
      if (x == 0 || y == 0 || x == img->width - 1 || y == img->height - 1)
        {
          border++;
          clear += img->data[((gsize) y * img->width + x) * 4 + 3] < 0.5f;
        }
  if (clear < BACKDROP_MIN_SHARE * border)
    return NULL;
  for (k = 0; k < n; k++)
    product[k] = img->data[k * 4 + 3] >= 0.5f;
  if (!product_box (cut, product, img->width, img->height, to_full, full_width, full_height))
    return NULL;
  cut->transparent = TRUE;
  cut->studio.use_alpha = TRUE;
  cut->studio.width = (float) full_width;
  cut->studio.height = (float) full_height;
  set_shadow (cut);
  return g_steal_pointer (&cut);
}

LwLocalCutout *
lw_local_cutout_find (const LwLocalImage *img,
                      float               to_full,
                      int                 full_width,
                      int                 full_height)
{
  gsize n = (gsize) img->width * img->height, k;
  g_autofree float *lab = g_new (float, n * 3);
  g_autofree float *dist = g_new (float, n);
  g_autofree guint8 *mask = g_new0 (guint8, n);
  g_autofree guint8 *background = g_new0 (guint8, n);
  g_autofree guint8 *product = g_new0 (guint8, n);
  g_autofree guint8 *seen = g_new0 (guint8, n);
  g_autoptr(GArray) border = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(LwLocalCutout) cut = g_new0 (LwLocalCutout, 1);
  g_autofree float *ch = NULL;
  LwLocalCutout *cut_transparent;
  float bg_lab[3], tol, sigma;
  gsize near = 0, selected = 0;
  int strip = MAX (2, (int) (0.02 * MIN (img->width, img->height)));
  int x, y, c;
  double centre[3], u, v;

  if (img->width < 16 || img->height < 16)
    return NULL;
  cut_transparent = find_transparent (img, to_full, full_width, full_height);
  if (cut_transparent != NULL)
    return cut_transparent;

  for (k = 0; k < n; k++)
    lw_local_lab (img->data + k * 4, lab + k * 3);
  for (y = 0; y < img->height; y++)
    for (x = 0; x < img->width; x++)
      if (x < strip || y < strip || x >= img->width - strip || y >= img->height - strip)
        {
          k = (gsize) y * img->width + x;
          g_array_append_val (border, k);
        }

  /* The backdrop's colour: the border's median, per Lab component. */
  ch = g_new (float, border->len);
  for (c = 0; c < 3; c++)
    {
      guint i;

      for (i = 0; i < border->len; i++)
        ch[i] = lab[g_array_index (border, gsize, i) * 3 + c];
      bg_lab[c] = lw_local_median (ch, border->len);
    }
  if (bg_lab[0] < BACKDROP_MIN_L || hypotf (bg_lab[1], bg_lab[2]) > BACKDROP_MAX_C)
    return NULL;
  for (guint i = 0; i < border->len; i++)
    near += distance_lab (lab + g_array_index (border, gsize, i) * 3, bg_lab) < BACKDROP_NEAR_DE;
  if (near < BACKDROP_MIN_SHARE * border->len)
    return NULL;

  /* First model from everything near the border colour, then a tolerance
   * from how far the backdrop itself strays from the model (its noise and
   * texture), then a second model from what that tolerance accepts. */
  for (k = 0; k < n; k++)
    mask[k] = img->data[k * 4 + 3] >= 0.5f && distance_lab (lab + k * 3, bg_lab) < 12.f;
  cut->studio.width = (float) full_width;
  cut->studio.height = (float) full_height;
  if (!fit_backdrop (img, mask, &cut->studio))
    return NULL;
  backdrop_distance (img, lab, &cut->studio, to_full, dist);
  {
    g_autofree float *d = g_new (float, n);

    for (k = 0; k < n; k++)
      if (mask[k])
        d[selected++] = dist[k];
    if (selected < n / 20)
      return NULL;
    /* 1.4826 · median absolute value = σ for Gaussian residuals */
    sigma = 1.4826f * lw_local_median (d, selected);
  }
  tol = CLAMP (3.5f * sigma + 2.f, 4.f, 12.f);
  for (k = 0; k < n; k++)
    mask[k] = img->data[k * 4 + 3] >= 0.5f && dist[k] < tol;
  if (!fit_backdrop (img, mask, &cut->studio))
    return NULL;
  backdrop_distance (img, lab, &cut->studio, to_full, dist);
  for (k = 0; k < n; k++)
    mask[k] = img->data[k * 4 + 3] >= 0.5f && dist[k] < tol;

  /* The backdrop is what is near the model and reaches the border. */
  flood_from_border (mask, img->width, img->height, background);
  for (k = 0; k < n; k++)
    product[k] = !background[k];

  /* Holes (the inside of a mug's handle) show the backdrop but do not
   * reach the border. An enclosed region counts as a hole when it matches
   * the backdrop model closely on average — within half the tolerance — so
   * a light part of the product that is merely close in colour stays. */
  {
    g_autoptr(GArray) comp = g_array_new (FALSE, FALSE, sizeof (gsize));

    for (k = 0; k < n; k++)
      if (mask[k] && !background[k] && !seen[k])
        {
          double sum = 0;

          collect (mask, img->width, img->height, k, seen, comp);
          for (guint i = 0; i < comp->len; i++)
            sum += dist[g_array_index (comp, gsize, i)];
          if (comp->len >= n / 2000 && sum / comp->len < 0.5 * tol)
            for (guint i = 0; i < comp->len; i++)
              {
                gsize j = g_array_index (comp, gsize, i);

                background[j] = 1;
                product[j] = 0;
              }
        }
    memset (seen, 0, n);
  }

  /* Specks of dust or noise on the backdrop are not products: drop
   * components under 0.1 % of the frame. */
  {
    g_autoptr(GArray) comp = g_array_new (FALSE, FALSE, sizeof (gsize));

    for (k = 0; k < n; k++)
      if (product[k] && !seen[k])
        {
          collect (product, img->width, img->height, k, seen, comp);
          if (comp->len < n / 1000)
            for (guint i = 0; i < comp->len; i++)
              product[g_array_index (comp, gsize, i)] = 0;
        }
  }

  if (!product_box (cut, product, img->width, img->height, to_full, full_width, full_height))
    return NULL;

  /* A soft edge one preview pixel wide; lw:adjust refines it per pixel. */
  cut->matte = lw_local_map_new (img->width, img->height);
  for (y = 0; y < img->height; y++)
    for (x = 0; x < img->width; x++)
      {
        float s = 0;
        int dx, dy, cnt = 0;

        for (dy = -1; dy <= 1; dy++)
          for (dx = -1; dx <= 1; dx++)
            {
              int xx = CLAMP (x + dx, 0, img->width - 1);
              int yy = CLAMP (y + dy, 0, img->height - 1);

              s += product[(gsize) yy * img->width + xx];
              cnt++;
            }
        cut->matte->data[(gsize) y * img->width + x] = s / (float) cnt;
      }
  cut->matte->sx = cut->matte->sy = 1.f / to_full;

  cut->studio.matte = cut->matte;
  cut->studio.tol_lo = 0.6f * tol;
  cut->studio.tol_hi = 1.5f * tol;
  set_shadow (cut);

  {
    float rgb[3];

    lw_local_studio_background (&cut->studio, cut->studio.shadow_cx,
                                cut->y + cut->height / 2.f, rgb);
    for (c = 0; c < 3; c++)
      centre[c] = MAX (rgb[c], 1e-4f);
  }
  u = log (centre[0] / centre[1]);
  v = log (centre[2] / centre[1]);
  cut->bg_uv[0] = u;
  cut->bg_uv[1] = v;
  cut->bg_lum = LW_LUM_R * centre[0] + LW_LUM_G * centre[1] + LW_LUM_B * centre[2];
  return g_steal_pointer (&cut);
}

void
lw_local_cutout_free (LwLocalCutout *cutout)
{
  if (cutout == NULL)
    return;
  lw_local_map_free (cutout->matte);
  g_free (cutout);
}

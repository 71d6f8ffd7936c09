/* lw-local-heldout.c — generated scenes with known ground truth (issue 16).
 *
 * Kinds of photo the fixtures lack, where a recipe's estimates are easiest
 * to fool: a graphic on pure white, products on white and on grey paper, a
 * night scene (dark sky, a few bright lights), a close-up filled by one
 * saturated colour, a crowd of many small patches, a mostly white photo,
 * a poster of flat colours with nothing neutral in it, dark slate under
 * lamplight (recipe version 5), a counter under a tungsten bulb, a
 * street in open shade, and two dim photos with nothing white in them (a
 * toy in a dim room, a market stall at dusk; after version 7), a harbour
 * at blue hour, a forest path, a sunset and a meadow of flowers (with
 * version 8), neon signs at night, autumn leaves and peppers in sunlight
 * (after it), a fruit stall in the sun (before version 10), breakfast
 * on a walnut table (before a change for the stall was tried) and a
 * living room at dusk (before a higher exposure cap was measured on it)
 * and pasta on a white plate under a warm lamp, its red clipped (before
 * clipped channels were let vote for the light).
 * Colours
 * are linear-light RGB under neutral light. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lw-local-heldout.h"

#define W 640
#define H 480

typedef struct {
  float  *rgb;         /* W × H × 3, linear */
  guint8 *neutral;
  GRand  *rand;
} Canvas;

static void
canvas_init (Canvas *c, guint32 seed)
{
  c->rgb = g_new0 (float, W * H * 3);
  c->neutral = g_new0 (guint8, W * H);
  c->rand = g_rand_new_with_seed (seed);
}

static void
put (Canvas *c, int x, int y, double r, double g, double b, gboolean neutral)
{
  float *p;

  if (x < 0 || y < 0 || x >= W || y >= H)
    return;
  p = c->rgb + ((gsize) y * W + x) * 3;
  p[0] = (float) r;
  p[1] = (float) g;
  p[2] = (float) b;
  c->neutral[y * W + x] = neutral ? 1 : 0;
}

/* Fills the whole canvas; shade (x, y in [0, 1]) multiplies the colour. */
static void
fill (Canvas *c, const double rgb[3], double (*shade) (double, double), gboolean neutral)
{
  int x, y;

  for (y = 0; y < H; y++)
    for (x = 0; x < W; x++)
      {
        double s = shade != NULL ? shade ((double) x / W, (double) y / H) : 1;

        put (c, x, y, rgb[0] * s, rgb[1] * s, rgb[2] * s, neutral);
      }
}

static void
rect (Canvas *c, int x0, int y0, int w, int h, const double rgb[3], double shade_x, gboolean neutral)
{
  int x, y;

  for (y = y0; y < y0 + h; y++)
    for (x = x0; x < x0 + w; x++)
      {
        /* a little shading across the object, as if lit from the left */
        double s = 1 - shade_x * (x - x0) / MAX (w, 1);

        put (c, x, y, rgb[0] * s, rgb[1] * s, rgb[2] * s, neutral);
      }
}

static void
disc (Canvas *c, double cx, double cy, double r, const double rgb[3], double shade, gboolean neutral)
{
  int x, y;

  for (y = (int) floor (cy - r); y <= (int) ceil (cy + r); y++)
    for (x = (int) floor (cx - r); x <= (int) ceil (cx + r); x++)
      {
        double dx = (x - cx) / r, dy = (y - cy) / r, d2 = dx * dx + dy * dy;
        double s;

        if (d2 > 1)
          continue;
        /* lit from the upper left */
        s = 1 - shade * (0.5 + 0.5 * (dx + dy) / G_SQRT2) - 0.3 * shade * d2;
        put (c, x, y, rgb[0] * s, rgb[1] * s, rgb[2] * s, neutral);
      }
}

/* A ring of width t around a disc: a cartoon's outline. */
static void
ring (Canvas *c, double cx, double cy, double r, double t, const double rgb[3])
{
  int x, y;

  for (y = (int) floor (cy - r - t); y <= (int) ceil (cy + r + t); y++)
    for (x = (int) floor (cx - r - t); x <= (int) ceil (cx + r + t); x++)
      {
        double d = hypot (x - cx, y - cy);

        if (d >= r && d <= r + t)
          put (c, x, y, rgb[0], rgb[1], rgb[2], FALSE);
      }
}

/* A glow: light added around (cx, cy), a Gaussian of width sigma and
 * height strength, over the pixels of [x0, x1) × [y0, y1). */
static void
glow (Canvas *c, double cx, double cy, double sigma, double strength, const double rgb[3],
      int x0, int y0, int x1, int y1)
{
  int x, y, k;

  for (y = MAX (y0, 0); y < MIN (y1, H); y++)
    for (x = MAX (x0, 0); x < MIN (x1, W); x++)
      {
        float *p = c->rgb + ((gsize) y * W + x) * 3;
        double g = strength * exp (-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sigma * sigma));

        for (k = 0; k < 3; k++)
          p[k] += (float) (g * rgb[k]);
      }
}

static double
smooth_noise (double x, double y, double phase)
{
  return 0.5 * sin (7.1 * x + 3.3 * y + phase) + 0.3 * sin (13.7 * y - 5.9 * x + 2 * phase)
         + 0.2 * sin (29.3 * x + 23.9 * y + 3 * phase);
}

static double shade_paper (double x, double y) { return 1.04 - 0.10 * y - 0.05 * (x - 0.5) * (x - 0.5); }
static double shade_sky (double x, double y) { (void) x; return 0.5 + 1.2 * y * y; }
static double shade_snow (double x, double y) { return 0.97 + 0.03 * smooth_noise (x, y, 0.7); }
static double shade_surface (double x, double y) { return 0.85 + 0.15 * smooth_noise (x, y, 1.9); }
static double shade_counter (double x, double y) { return 0.80 + 0.12 * smooth_noise (x, y, 2.3) - 0.2 * y; }

static double
gauss (GRand *rand)
{
  /* Box–Muller */
  return sqrt (-2 * log (g_rand_double_range (rand, 1e-9, 1))) * cos (2 * G_PI * g_rand_double (rand));
}

static LwHeldoutScene *
finish (Canvas *c, const char *name, const char *what, const double gains[3], double noise)
{
  LwHeldoutScene *s = g_new0 (LwHeldoutScene, 1);
  gsize i, n = (gsize) W * H * 3;

  s->name = g_strdup (name);
  s->what = g_strdup (what);
  memcpy (s->gains, gains, sizeof s->gains);
  s->truth = lw_test_image_new (W, H);
  s->photo = lw_test_image_new (W, H);
  for (i = 0; i < n; i++)
    {
      double t = c->rgb[i], p = c->rgb[i] * gains[i % 3];

      s->truth->rgb[i] = lw_test_srgb_code (t, 0);
      s->photo->rgb[i] = lw_test_srgb_code (p, noise * gauss (c->rand));
    }
  s->neutral = g_steal_pointer (&c->neutral);
  g_free (c->rgb);
  g_rand_free (c->rand);
  return s;
}

/* A cartoon on pure white: flat saturated shapes with black outlines, no
 * noise, no cast (a scan or a rendering). Neither the white nor the
 * outlines may vote for a cast; the shapes must not be taken for one. */
static LwHeldoutScene *
scene_cartoon (void)
{
  static const double white[3] = { 1, 1, 1 }, black[3] = { 0.005, 0.005, 0.005 };
  static const double red[3] = { 0.75, 0.04, 0.03 }, yellow[3] = { 0.90, 0.70, 0.02 };
  static const double blue[3] = { 0.03, 0.10, 0.65 }, green[3] = { 0.08, 0.45, 0.06 };
  static const double skin[3] = { 0.80, 0.50, 0.33 };
  const double none[3] = { 1, 1, 1 };
  Canvas c;

  canvas_init (&c, 1601);
  fill (&c, white, NULL, TRUE);
  rect (&c, 70, 280, 200, 130, blue, 0, FALSE);
  disc (&c, 250, 200, 110, red, 0, FALSE);
  ring (&c, 250, 200, 110, 4, black);
  disc (&c, 250, 200, 50, skin, 0, FALSE);
  ring (&c, 250, 200, 50, 3, black);
  disc (&c, 460, 170, 70, yellow, 0, FALSE);
  ring (&c, 460, 170, 70, 4, black);
  rect (&c, 380, 300, 180, 110, green, 0, FALSE);
  return finish (&c, "gen-cartoon", "flat graphic on pure white", none, 0);
}

/* A product (a red box with a white label, a teal bottle) on white paper
 * under warm tungsten light. */
static LwHeldoutScene *
scene_product_white (void)
{
  static const double paper[3] = { 0.80, 0.80, 0.80 }, box[3] = { 0.42, 0.05, 0.04 };
  static const double label[3] = { 0.75, 0.75, 0.72 }, ink[3] = { 0.02, 0.02, 0.03 };
  static const double teal[3] = { 0.03, 0.25, 0.22 }, cap[3] = { 0.6, 0.55, 0.1 };
  const double gains[3] = { 1.12, 1.0, 0.80 };
  Canvas c;
  int i;

  canvas_init (&c, 1602);
  fill (&c, paper, shade_paper, TRUE);
  rect (&c, 170, 110, 170, 270, box, 0.35, FALSE);
  rect (&c, 190, 190, 130, 90, label, 0.2, FALSE);
  for (i = 0; i < 4; i++)
    rect (&c, 205, 205 + 18 * i, 100 - 15 * i, 6, ink, 0, FALSE);
  rect (&c, 390, 170, 80, 210, teal, 0.4, FALSE);
  rect (&c, 410, 140, 40, 30, cap, 0.3, FALSE);
  return finish (&c, "gen-product-white", "product on white paper, tungsten light", gains, 1.2);
}

/* Two products (an orange ball, a blue mug) on mid-grey paper in cool
 * shade. */
static LwHeldoutScene *
scene_product_grey (void)
{
  static const double grey[3] = { 0.20, 0.20, 0.20 }, orange[3] = { 0.70, 0.22, 0.02 };
  static const double mug[3] = { 0.05, 0.12, 0.50 }, rim[3] = { 0.6, 0.6, 0.6 };
  const double gains[3] = { 0.88, 1.0, 1.15 };
  Canvas c;

  canvas_init (&c, 1603);
  fill (&c, grey, shade_paper, TRUE);
  disc (&c, 220, 260, 110, orange, 0.5, FALSE);
  rect (&c, 380, 180, 150, 190, mug, 0.5, FALSE);
  rect (&c, 380, 180, 150, 10, rim, 0.3, TRUE);
  return finish (&c, "gen-product-grey", "products on grey paper, cool shade", gains, 1.5);
}

/* Night: a dark blue sky over a black ground, a lit gantry and a few
 * bright lights with glows, underexposed by half a stop. */
static LwHeldoutScene *
scene_night (void)
{
  static const double sky[3] = { 0.004, 0.010, 0.045 }, ground[3] = { 0.004, 0.004, 0.004 };
  static const double gantry[3] = { 0.35, 0.30, 0.22 }, white[3] = { 0.55, 0.55, 0.55 };
  static const double lamp[3] = { 1.0, 0.80, 0.40 }, cool[3] = { 0.85, 0.9, 1.0 };
  const double gains[3] = { 0.71, 0.71, 0.71 };
  Canvas c;
  int i;

  canvas_init (&c, 1604);
  fill (&c, sky, shade_sky, FALSE);
  rect (&c, 0, 380, W, 100, ground, 0, FALSE);
  rect (&c, 290, 120, 24, 260, white, 0.3, TRUE);      /* the rocket */
  for (i = 0; i < 3; i++)
    rect (&c, 60 + 230 * i, 90 + 40 * i, 12, 290 - 40 * i, gantry, 0, FALSE);
  for (i = 0; i < 7; i++)
    {
      double cx = 50 + 90 * i, cy = 380 - 6 * (i % 3);
      const double *col = i % 2 ? lamp : cool;

      /* light added to the sky around the lamp */
      glow (&c, cx, cy, 12, 0.25, col, (int) cx - 40, (int) cy - 40, (int) cx + 41, (int) cy + 41);
      disc (&c, cx, cy, 5, col, 0, FALSE);
    }
  return finish (&c, "gen-night", "night: dark sky, a few bright lights, -0.5 EV", gains, 1.5);
}

/* A close-up: a textured orange-red surface fills three quarters of the
 * frame; a corner of a white plate and a shadow are all else. */
static LwHeldoutScene *
scene_closeup (void)
{
  static const double red[3] = { 0.60, 0.13, 0.03 }, plate[3] = { 0.70, 0.70, 0.70 };
  static const double shadow[3] = { 0.03, 0.025, 0.02 };
  const double gains[3] = { 1.10, 1.0, 0.90 };
  Canvas c;
  int x, y;

  canvas_init (&c, 1605);
  fill (&c, red, shade_surface, FALSE);
  for (y = 0; y < H; y++)
    for (x = 0; x < W; x++)
      {
        double d = hypot (x - W, y - H);

        if (d < 230)
          put (&c, x, y, plate[0], plate[1], plate[2], TRUE);
        else if (d < 250)
          put (&c, x, y, shadow[0], shadow[1], shadow[2], FALSE);
      }
  return finish (&c, "gen-closeup", "close-up filled by one saturated colour", gains, 1.5);
}

/* A crowd: thousands of small patches — faces in several skin tones,
 * clothes of every colour, some grey and white — on dark stands. */
static LwHeldoutScene *
scene_crowd (void)
{
  static const double skins[4][3] = {
    { 0.62, 0.38, 0.26 }, { 0.45, 0.26, 0.16 }, { 0.20, 0.11, 0.07 }, { 0.70, 0.50, 0.38 },
  };
  static const double stands[3] = { 0.05, 0.05, 0.05 };
  const double gains[3] = { 0.92, 1.0, 1.10 };
  Canvas c;
  int i;

  canvas_init (&c, 1606);
  fill (&c, stands, shade_paper, TRUE);
  for (i = 0; i < 2600; i++)
    {
      int x = g_rand_int_range (c.rand, -10, W), y = g_rand_int_range (c.rand, -10, H);
      int kind = g_rand_int_range (c.rand, 0, 10);
      double col[3];
      gboolean neutral = FALSE;

      if (kind < 3)
        {
          const double *s = skins[g_rand_int_range (c.rand, 0, 4)];
          memcpy (col, s, sizeof col);
          disc (&c, x + 6, y + 7, 6 + g_rand_int_range (c.rand, 0, 3), col, 0.3, FALSE);
          continue;
        }
      if (kind < 5)
        {
          double v = g_rand_double_range (c.rand, 0.03, 0.75);
          col[0] = col[1] = col[2] = v;
          neutral = TRUE;
        }
      else
        {
          /* a saturated or dull colour of any hue */
          double h = g_rand_double_range (c.rand, 0, 6), sat = g_rand_double_range (c.rand, 0.3, 0.95);
          double v = g_rand_double_range (c.rand, 0.05, 0.6);
          int k;

          for (k = 0; k < 3; k++)
            {
              double d = fmod (h + 4 - 2 * k, 6);
              double f = d < 1 ? 1 : d < 2 ? 2 - d : d < 4 ? 0 : d < 5 ? d - 4 : 1;
              col[k] = v * (1 - sat + sat * f);
            }
        }
      rect (&c, x, y, g_rand_int_range (c.rand, 6, 20), g_rand_int_range (c.rand, 8, 22), col, 0.2, neutral);
    }
  return finish (&c, "gen-crowd", "crowd: thousands of small patches", gains, 2.0);
}

/* Mostly white: snow (or a page) over nine tenths of the frame, slightly
 * blue in the shade, a few dark details. */
static LwHeldoutScene *
scene_mostly_white (void)
{
  static const double snow[3] = { 0.86, 0.86, 0.86 }, dark[3] = { 0.04, 0.035, 0.03 };
  static const double coat[3] = { 0.45, 0.06, 0.05 };
  const double gains[3] = { 1.0, 1.0, 1.06 };
  Canvas c;
  int i;

  canvas_init (&c, 1607);
  fill (&c, snow, shade_snow, TRUE);
  for (i = 0; i < 6; i++)
    rect (&c, 60 + 95 * i, 300 - 20 * (i % 3), 10, 120, dark, 0, FALSE);   /* fence posts */
  rect (&c, 300, 200, 30, 60, coat, 0.3, FALSE);                           /* a walker */
  disc (&c, 315, 190, 10, dark, 0, FALSE);
  return finish (&c, "gen-mostly-white", "snow: mostly white, a few dark details", gains, 1.2);
}

/* A poster: flat blocks of strong colour, nothing neutral anywhere. */
static LwHeldoutScene *
scene_poster (void)
{
  static const double blocks[6][3] = {
    { 0.80, 0.05, 0.45 }, { 0.02, 0.55, 0.70 }, { 0.90, 0.80, 0.03 },
    { 0.02, 0.03, 0.15 }, { 0.85, 0.30, 0.02 }, { 0.10, 0.50, 0.10 },
  };
  const double none[3] = { 1, 1, 1 };
  Canvas c;
  int i;

  canvas_init (&c, 1608);
  for (i = 0; i < 6; i++)
    rect (&c, (i % 3) * (W / 3), (i / 3) * (H / 2), W / 3, H / 2, blocks[i], 0, FALSE);
  disc (&c, W / 2.0, H / 2.0, 90, blocks[3], 0, FALSE);
  return finish (&c, "gen-poster", "poster of flat colours, nothing neutral", none, 0.8);
}

/* A slate wall at dusk (added with recipe version 5, after it was
 * written, and never tuned on): rows of dark grey tiles, each its own
 * lightness, a red door, a bush and a wooden window frame, under warm
 * lamplight, noisy as a dark photo is. Its grey is all dark, where a
 * pixel's chromaticity is least precise. */
static LwHeldoutScene *
scene_slate (void)
{
  static const double door[3] = { 0.30, 0.03, 0.03 }, leaf[3] = { 0.04, 0.12, 0.03 };
  static const double wood[3] = { 0.20, 0.10, 0.05 }, glass[3] = { 0.02, 0.025, 0.03 };
  const double gains[3] = { 1.15, 1.0, 0.82 };
  Canvas c;
  int x, y, i;

  canvas_init (&c, 1609);
  for (y = 0; y < H; y += 24)
    for (x = (y / 24) % 2 ? -20 : 0; x < W; x += 40)
      {
        double v = g_rand_double_range (c.rand, 0.015, 0.10);
        const double tile[3] = { v, v, v };

        rect (&c, x, y, 38, 22, tile, 0.2, TRUE);
      }
  rect (&c, 60, 200, 110, 280, door, 0.3, FALSE);
  rect (&c, 330, 110, 180, 140, wood, 0.2, FALSE);
  rect (&c, 345, 125, 150, 110, glass, 0, FALSE);
  for (i = 0; i < 12; i++)
    disc (&c, 220 + 18 * (i % 6), 400 + 20 * (i / 6), 22, leaf, 0.4, FALSE);
  return finish (&c, "gen-slate", "slate wall at dusk: dark grey tiles, warm lamplight", gains, 2.5);
}

/* A kitchen counter under a tungsten bulb (added after recipe version 5,
 * before anything was tried on it): grey stone with a steel pan, a
 * cutting board, tomatoes and herbs. The cast is a real bulb's, far
 * stronger than the test's own copy. */
static LwHeldoutScene *
scene_tungsten (void)
{
  static const double stone[3] = { 0.30, 0.30, 0.30 }, steel[3] = { 0.55, 0.55, 0.55 };
  static const double board[3] = { 0.45, 0.26, 0.12 }, tomato[3] = { 0.55, 0.05, 0.02 };
  static const double herb[3] = { 0.06, 0.22, 0.04 }, inside[3] = { 0.12, 0.12, 0.12 };
  const double gains[3] = { 1.45, 1.0, 0.55 };
  Canvas c;
  int i;

  canvas_init (&c, 1610);
  fill (&c, stone, shade_counter, TRUE);
  disc (&c, 180, 200, 130, steel, 0.4, TRUE);
  disc (&c, 180, 200, 100, inside, 0.2, TRUE);
  rect (&c, 360, 160, 240, 200, board, 0.15, FALSE);
  for (i = 0; i < 5; i++)
    disc (&c, 410 + 45 * i, 230 + 25 * (i % 2), 24, tomato, 0.5, FALSE);
  for (i = 0; i < 9; i++)
    disc (&c, 400 + 20 * i, 320 - 6 * (i % 3), 9, herb, 0.3, FALSE);
  return finish (&c, "gen-tungsten", "kitchen counter under a tungsten bulb", gains, 1.5);
}

/* A street in open shade (added with gen-tungsten, before anything was
 * tried on either): grey concrete and a white van lit by a blue sky, a
 * red car, a yellow sign and a green hedge. */
static LwHeldoutScene *
scene_shade (void)
{
  static const double concrete[3] = { 0.22, 0.22, 0.22 }, van[3] = { 0.70, 0.70, 0.70 };
  static const double car[3] = { 0.50, 0.04, 0.04 }, sign[3] = { 0.80, 0.62, 0.03 };
  static const double hedge[3] = { 0.05, 0.16, 0.04 }, tyre[3] = { 0.02, 0.02, 0.02 };
  const double gains[3] = { 0.78, 1.0, 1.40 };
  Canvas c;
  int i;

  canvas_init (&c, 1611);
  fill (&c, concrete, shade_surface, TRUE);
  rect (&c, 0, 0, W, 150, hedge, 0, FALSE);
  rect (&c, 40, 170, 260, 180, van, 0.25, TRUE);
  rect (&c, 360, 240, 230, 110, car, 0.3, FALSE);
  for (i = 0; i < 4; i++)
    disc (&c, 90 + 160 * (i % 2) + 330 * (i / 2), 360, 28, tyre, 0.2, FALSE);
  rect (&c, 520, 60, 80, 80, sign, 0.1, FALSE);
  return finish (&c, "gen-shade", "street in open shade, blue skylight", gains, 1.5);
}

/* A toy on a walnut table in a dim room (added after recipe version 7,
 * before anything was tried on it): nothing white, the brightest part a
 * saturated yellow, the rest dark wood, a dark grey wall and a grey mug,
 * under a cool light. */
static LwHeldoutScene *
scene_toy (void)
{
  static const double wood[3] = { 0.06, 0.035, 0.018 }, wall[3] = { 0.035, 0.035, 0.035 };
  static const double toy[3] = { 0.32, 0.24, 0.015 }, wheel[3] = { 0.01, 0.01, 0.03 };
  static const double mug[3] = { 0.08, 0.08, 0.08 };
  const double gains[3] = { 0.88, 1.0, 1.15 };
  Canvas c;
  int i;

  canvas_init (&c, 1612);
  fill (&c, wood, shade_surface, FALSE);
  rect (&c, 0, 0, W, 170, wall, 0.1, TRUE);
  rect (&c, 150, 230, 220, 90, toy, 0.3, FALSE);
  rect (&c, 200, 180, 110, 55, toy, 0.2, FALSE);
  for (i = 0; i < 2; i++)
    disc (&c, 195 + 130 * i, 330, 30, wheel, 0.2, FALSE);
  disc (&c, 500, 260, 70, mug, 0.4, TRUE);
  return finish (&c, "gen-toy", "yellow toy on a walnut table, dim cool room", gains, 2.0);
}

/* A market stall at dusk (added with gen-toy, before anything was tried
 * on either): oranges, green apples and a blue tarp over dark grey
 * boards, under warm lamplight; nothing white, the oranges brightest. */
static LwHeldoutScene *
scene_market (void)
{
  static const double boards[3] = { 0.03, 0.03, 0.03 }, orange[3] = { 0.45, 0.16, 0.02 };
  static const double apple[3] = { 0.10, 0.25, 0.04 }, tarp[3] = { 0.03, 0.06, 0.22 };
  const double gains[3] = { 1.2, 1.0, 0.75 };
  Canvas c;
  int i;

  canvas_init (&c, 1613);
  fill (&c, boards, shade_counter, TRUE);
  rect (&c, 0, 0, W, 110, tarp, 0.2, FALSE);
  for (i = 0; i < 15; i++)
    disc (&c, 80 + 38 * (i % 5), 220 + 40 * (i / 5), 19, orange, 0.5, FALSE);
  for (i = 0; i < 12; i++)
    disc (&c, 400 + 40 * (i % 4), 230 + 42 * (i / 4), 20, apple, 0.5, FALSE);
  return finish (&c, "gen-market", "market stall at dusk: oranges, apples, warm lamplight", gains, 2.0);
}

/* A harbour at blue hour (added with recipe version 8, after it was
 * written and before anything was measured on it): a deep blue sky and
 * dark water fill most of the frame, with a concrete pier, two white
 * hulls, a dark skyline with lit windows and a few warm lamps, under a
 * cool light. Few surfaces near neutral: the estimate is unsure. */
static LwHeldoutScene *
scene_harbour (void)
{
  static const double sky[3] = { 0.020, 0.040, 0.120 }, water[3] = { 0.010, 0.020, 0.050 };
  static const double skyline[3] = { 0.010, 0.010, 0.012 }, window[3] = { 0.50, 0.35, 0.15 };
  static const double pier[3] = { 0.12, 0.12, 0.12 }, hull[3] = { 0.45, 0.45, 0.45 };
  static const double lamp[3] = { 1.0, 0.75, 0.40 };
  const double gains[3] = { 0.85, 1.0, 1.25 };
  Canvas c;
  int i, x, y;

  canvas_init (&c, 1614);
  for (y = 0; y < H; y++)
    for (x = 0; x < W; x++)
      {
        double s = y < 250 ? 0.6 + 1.0 * y / 250.0
                           : 0.8 + 0.4 * smooth_noise ((double) x / W, 4.0 * y / H, 0.3);
        const double *col = y < 250 ? sky : water;

        put (&c, x, y, col[0] * s, col[1] * s, col[2] * s, FALSE);
      }
  for (i = 0; i < 16; i++)
    {
      int top = 200 + g_rand_int_range (c.rand, 0, 40);

      rect (&c, 40 * i, top, 40, 255 - top, skyline, 0, FALSE);
      if (i % 3 != 1)
        rect (&c, 40 * i + 12, top + 10, 8, 6, window, 0, FALSE);
    }
  rect (&c, 0, 330, 400, 70, pier, 0.3, TRUE);
  rect (&c, 440, 300, 150, 40, hull, 0.4, TRUE);
  rect (&c, 460, 380, 120, 35, hull, 0.4, TRUE);
  for (i = 0; i < 5; i++)
    disc (&c, 30 + 85 * i, 322, 4, lamp, 0, FALSE);
  return finish (&c, "gen-harbour", "harbour at blue hour: sky and water, a pier, white hulls", gains, 2.0);
}

/* A forest path in overcast light (added with gen-harbour, before
 * anything was measured on it): ferns and leaves of many greens fill the
 * frame, dark trunks, a narrow path of grey gravel and a little white
 * sky between the crowns. The mode of the greens is no grey. */
static LwHeldoutScene *
scene_forest (void)
{
  static const double trunk[3] = { 0.06, 0.05, 0.04 }, sky[3] = { 0.80, 0.80, 0.80 };
  const double gains[3] = { 0.92, 1.0, 1.08 };
  Canvas c;
  int i;

  canvas_init (&c, 1615);
  {
    static const double moss[3] = { 0.03, 0.07, 0.02 };

    fill (&c, moss, shade_surface, FALSE);
  }
  for (i = 0; i < 1800; i++)
    {
      double v = g_rand_double_range (c.rand, 0.04, 0.30);
      double yellow = g_rand_double_range (c.rand, 0.15, 0.75);
      const double leaf[3] = { v * yellow, v, v * g_rand_double_range (c.rand, 0.10, 0.35) };

      disc (&c, g_rand_int_range (c.rand, 0, W), g_rand_int_range (c.rand, 0, H),
            4 + g_rand_int_range (c.rand, 0, 9), leaf, 0.4, FALSE);
    }
  rect (&c, 0, 0, W, 40, sky, 0, TRUE);
  for (i = 0; i < 5; i++)
    rect (&c, 50 + 130 * i, 0, 22 + 6 * (i % 2), 330, trunk, 0.5, FALSE);
  for (i = 0; i < 900; i++)
    {
      int y = g_rand_int_range (c.rand, 340, H);
      int half = 20 + (y - 340) * 2 / 3;
      double v = g_rand_double_range (c.rand, 0.10, 0.26);
      const double stone[3] = { v, v, v };

      rect (&c, W / 2 - half + g_rand_int_range (c.rand, 0, 2 * half), y, 6, 4, stone, 0.2, TRUE);
    }
  return finish (&c, "gen-forest", "forest path in overcast light: many greens, grey gravel", gains, 1.5);
}

/* A sunset over the sea (added with gen-harbour, before anything was
 * measured on it): a smooth sky from orange at the horizon to violet,
 * its reflection on the water, black palm silhouettes, a grey rock and a
 * white boat. Coloured surfaces fill it; few are near neutral. */
static LwHeldoutScene *
scene_sunset (void)
{
  static const double low[3] = { 0.85, 0.35, 0.08 }, high[3] = { 0.18, 0.08, 0.30 };
  static const double palm[3] = { 0.008, 0.007, 0.006 }, rock[3] = { 0.10, 0.10, 0.10 };
  static const double boat[3] = { 0.55, 0.55, 0.55 };
  const double gains[3] = { 1.05, 1.0, 0.95 };
  Canvas c;
  int i, x, y;

  canvas_init (&c, 1616);
  for (y = 0; y < H; y++)
    for (x = 0; x < W; x++)
      {
        /* the horizon at y = 300; the sea mirrors the sky, darker */
        double t = y < 300 ? y / 300.0 : 1 - (y - 300) / 240.0;
        double s = y < 300 ? 1 : 0.45 + 0.15 * smooth_noise ((double) x / W, 6.0 * y / H, 1.1);
        double col[3];
        int k;

        for (k = 0; k < 3; k++)
          col[k] = s * (high[k] + (low[k] - high[k]) * t * t);
        put (&c, x, y, col[0], col[1], col[2], FALSE);
      }
  for (i = 0; i < 3; i++)
    {
      rect (&c, 60 + 200 * i, 120 + 30 * i, 10, 300 - 30 * i, palm, 0, FALSE);
      disc (&c, 65 + 200 * i, 120 + 30 * i, 45, palm, 0, FALSE);
    }
  disc (&c, 520, 440, 60, rock, 0.4, TRUE);
  rect (&c, 300, 330, 90, 22, boat, 0.3, TRUE);
  return finish (&c, "gen-sunset", "sunset over the sea: orange to violet sky, silhouettes", gains, 1.5);
}

/* A meadow of flowers (added with gen-harbour, before anything was
 * measured on it): thousands of red, yellow, violet and white flowers on
 * green grass, a grey stone wall at the back, in soft warm light. */
static LwHeldoutScene *
scene_flowers (void)
{
  static const double grass[3] = { 0.06, 0.14, 0.03 }, wall[3] = { 0.25, 0.25, 0.25 };
  static const double petals[4][3] = {
    { 0.60, 0.04, 0.05 }, { 0.80, 0.60, 0.03 }, { 0.30, 0.10, 0.50 }, { 0.75, 0.75, 0.72 },
  };
  const double gains[3] = { 1.10, 1.0, 0.88 };
  Canvas c;
  int i;

  canvas_init (&c, 1617);
  fill (&c, grass, shade_surface, FALSE);
  for (i = 0; i < 80; i++)
    rect (&c, 16 * (i % 40) + 8 * (i / 40 % 2), 12 * (i / 40), 15, 11, wall, 0.1, TRUE);
  for (i = 0; i < 2400; i++)
    {
      int y = g_rand_int_range (c.rand, 30, H);
      double size = 2 + 7.0 * y / H;

      disc (&c, g_rand_int_range (c.rand, 0, W), y, size, petals[g_rand_int_range (c.rand, 0, 4)], 0.3, FALSE);
    }
  return finish (&c, "gen-flowers", "meadow of flowers of many colours, warm light", gains, 1.5);
}

/* A street at night under neon signs (written after recipe version 8 and
 * measured as it was, to look for more of what gen-sunset found): magenta
 * and cyan signs and their glow on wet grey pavement, dark brick walls,
 * a white car under a street lamp. Strong colours, little neutral. */
static LwHeldoutScene *
scene_neon (void)
{
  static const double brick[3] = { 0.030, 0.015, 0.012 }, pavement[3] = { 0.05, 0.05, 0.05 };
  static const double magenta[3] = { 0.90, 0.05, 0.60 }, cyan[3] = { 0.05, 0.70, 0.85 };
  static const double car[3] = { 0.50, 0.50, 0.50 }, lamp[3] = { 1.0, 0.85, 0.55 };
  const double gains[3] = { 1.0, 1.0, 1.0 };
  Canvas c;
  int i;

  canvas_init (&c, 1618);
  fill (&c, brick, shade_surface, FALSE);
  rect (&c, 0, 300, W, 180, pavement, 0, TRUE);
  rect (&c, 60, 80, 200, 50, magenta, 0, FALSE);
  rect (&c, 380, 60, 60, 180, cyan, 0, FALSE);
  /* the signs' glow on the wall, and mirrored below the kerb (y = 300)
   * on the pavement */
  glow (&c, 160, 105, 60, 0.10, magenta, 0, 0, W, 300);
  glow (&c, 410, 150, 60, 0.10, cyan, 0, 0, W, 300);
  glow (&c, 160, 600 - 105, 60, 0.10, magenta, 0, 300, W, H);
  glow (&c, 410, 600 - 150, 60, 0.10, cyan, 0, 300, W, H);
  rect (&c, 460, 330, 150, 60, car, 0.4, TRUE);
  for (i = 0; i < 2; i++)
    disc (&c, 480 + 110 * i, 395, 16, brick, 0, FALSE);
  disc (&c, 560, 40, 6, lamp, 0, FALSE);
  return finish (&c, "gen-neon", "street at night under magenta and cyan neon signs", gains, 2.0);
}

/* Autumn leaves (written with gen-neon): red, orange and yellow maple
 * leaves fill the frame, a grey stone path and a white bench, in soft
 * afternoon light. */
static LwHeldoutScene *
scene_autumn (void)
{
  static const double leaves[3][3] = {
    { 0.55, 0.08, 0.03 }, { 0.70, 0.30, 0.04 }, { 0.75, 0.60, 0.08 },
  };
  static const double ground[3] = { 0.12, 0.06, 0.03 }, stone[3] = { 0.22, 0.22, 0.22 };
  static const double bench[3] = { 0.65, 0.65, 0.65 };
  const double gains[3] = { 1.06, 1.0, 0.92 };
  Canvas c;
  int i;

  canvas_init (&c, 1619);
  fill (&c, ground, shade_surface, FALSE);
  for (i = 0; i < 2200; i++)
    disc (&c, g_rand_int_range (c.rand, 0, W), g_rand_int_range (c.rand, 0, H),
          5 + g_rand_int_range (c.rand, 0, 8), leaves[g_rand_int_range (c.rand, 0, 3)], 0.4, FALSE);
  rect (&c, 250, 0, 90, H, stone, 0.2, TRUE);
  rect (&c, 420, 200, 160, 30, bench, 0.3, TRUE);
  rect (&c, 430, 230, 10, 50, bench, 0, TRUE);
  rect (&c, 560, 230, 10, 50, bench, 0, TRUE);
  return finish (&c, "gen-autumn", "autumn leaves of red, orange and yellow, a grey path", gains, 1.5);
}

/* Peppers in sunlight (written after gen-neon, before anything was tried
 * on its clipping): red, yellow and orange peppers with bright
 * highlights, lime halves and a white bowl on a dark slate board. Bright
 * saturated colours near the photo's white. */
static LwHeldoutScene *
scene_peppers (void)
{
  static const double slate[3] = { 0.035, 0.037, 0.040 }, bowl[3] = { 0.80, 0.80, 0.78 };
  static const double peppers[3][3] = {
    { 0.85, 0.04, 0.03 }, { 0.88, 0.62, 0.02 }, { 0.88, 0.28, 0.02 },
  };
  static const double lime[3] = { 0.25, 0.55, 0.06 };
  const double gains[3] = { 1.04, 1.0, 0.95 };
  Canvas c;
  int i;

  canvas_init (&c, 1620);
  fill (&c, slate, shade_surface, FALSE);
  disc (&c, 500, 130, 100, bowl, 0.3, TRUE);
  for (i = 0; i < 9; i++)
    disc (&c, 90 + 110 * (i % 4) + 30 * (i / 4 % 2), 230 + 90 * (i / 4), 48, peppers[i % 3], 0.45, FALSE);
  for (i = 0; i < 3; i++)
    disc (&c, 540 + 30 * i, 400 - 40 * i, 26, lime, 0.3, FALSE);
  return finish (&c, "gen-peppers", "peppers in sunlight on dark slate, a white bowl", gains, 1.5);
}

/* Written before recipe version 10 was tried, to measure it on (it may
 * change how bright saturated colours roll off): a fruit stall in low
 * afternoon sun. Three wooden crates of oranges, lemons and red apples,
 * packed close, each fruit with its own highlight, and a white price card
 * on the middle crate. Large areas of bright, saturated colour. */
static LwHeldoutScene *
scene_stall (void)
{
  static const double wood[3] = { 0.22, 0.12, 0.06 }, card[3] = { 0.82, 0.82, 0.80 };
  static const double fruit[3][3] = {
    { 0.92, 0.30, 0.02 },  /* oranges */
    { 0.90, 0.78, 0.05 },  /* lemons */
    { 0.70, 0.03, 0.04 },  /* apples */
  };
  static const double shine[3] = { 1, 1, 1 };
  const double gains[3] = { 1.06, 1.0, 0.90 };
  Canvas c;
  int crate, x, y;

  canvas_init (&c, 1621);
  fill (&c, wood, shade_counter, FALSE);
  for (crate = 0; crate < 3; crate++)
    {
      int x0 = 20 + 205 * crate;

      rect (&c, x0, 90, 190, 330, wood, 0.3, FALSE);
      for (y = 0; y < 6; y++)
        for (x = 0; x < 4; x++)
          {
            double cx = x0 + 25 + 46 * x + g_rand_double_range (c.rand, -4, 4);
            double cy = 115 + 52 * y + g_rand_double_range (c.rand, -4, 4);

            disc (&c, cx, cy, 24, fruit[crate], 0.5, FALSE);
            glow (&c, cx - 8, cy - 8, 3.5, 0.35, shine, (int) cx - 20, (int) cy - 20, (int) cx + 4, (int) cy + 4);
          }
    }
  rect (&c, 255, 200, 90, 60, card, 0.05, TRUE);
  return finish (&c, "gen-stall", "a fruit stall in low afternoon sun, a white price card", gains, 1.2);
}

/* Written before the estimator was changed for gen-stall, to measure that
 * change on: breakfast on a walnut table under a warm indoor light. The
 * grained wood fills the frame; on it a white plate with a slice of
 * bread, a white cup of coffee and a few cherries. */
static double
shade_grain (double x, double y)
{
  return 0.82 + 0.12 * sin (90 * y + 4 * smooth_noise (x, y, 0.9)) + 0.06 * smooth_noise (x, y, 3.1);
}

static LwHeldoutScene *
scene_board (void)
{
  static const double walnut[3] = { 0.16, 0.085, 0.045 }, plate[3] = { 0.80, 0.80, 0.78 };
  static const double bread[3] = { 0.62, 0.40, 0.18 }, crust[3] = { 0.32, 0.15, 0.05 };
  static const double coffee[3] = { 0.06, 0.03, 0.015 }, cherry[3] = { 0.45, 0.02, 0.03 };
  const double gains[3] = { 1.10, 1.0, 0.84 };
  Canvas c;
  int i;

  canvas_init (&c, 1622);
  fill (&c, walnut, shade_grain, FALSE);
  disc (&c, 250, 250, 110, plate, 0.15, TRUE);
  disc (&c, 250, 250, 62, crust, 0.3, FALSE);
  disc (&c, 250, 250, 54, bread, 0.3, FALSE);
  disc (&c, 500, 170, 70, plate, 0.2, TRUE);
  disc (&c, 500, 170, 56, coffee, 0.1, FALSE);
  for (i = 0; i < 5; i++)
    disc (&c, 440 + 28 * i, 380 + 14 * (i % 2), 13, cherry, 0.5, FALSE);
  return finish (&c, "gen-board", "breakfast on a walnut table under warm indoor light, a white plate and cup",
                 gains, 1.5);
}

/* Written after a higher exposure cap was tried on the four dim scenes
 * above and before it was measured here, to check it on: a living room
 * at dusk with the lamps off, as an estate agent's camera exposed it.
 * A beige wall, an oak floor, a grey sofa with an ochre and a teal
 * cushion, a dull red rug and a window on the evening sky; nothing
 * white, the window the brightest part, under the cool light from it. */
static LwHeldoutScene *
scene_lounge (void)
{
  static const double wall[3] = { 0.10, 0.085, 0.065 }, oak[3] = { 0.07, 0.045, 0.025 };
  static const double sofa[3] = { 0.05, 0.05, 0.05 }, ochre[3] = { 0.22, 0.14, 0.04 };
  static const double teal[3] = { 0.03, 0.10, 0.10 }, rug[3] = { 0.08, 0.03, 0.025 };
  static const double dusk[3] = { 0.10, 0.14, 0.25 }, frame[3] = { 0.02, 0.02, 0.02 };
  const double gains[3] = { 0.90, 1.0, 1.12 };
  Canvas c;

  canvas_init (&c, 1623);
  fill (&c, wall, shade_surface, FALSE);
  rect (&c, 0, 330, W, 150, oak, 0.1, FALSE);
  rect (&c, 40, 60, 150, 200, frame, 0, FALSE);
  rect (&c, 48, 68, 134, 184, dusk, 0.3, FALSE);
  rect (&c, 120, 380, 380, 80, rug, 0.1, FALSE);
  rect (&c, 250, 220, 330, 140, sofa, 0.25, TRUE);
  rect (&c, 250, 170, 330, 60, sofa, 0.2, TRUE);
  rect (&c, 280, 185, 70, 60, ochre, 0.3, FALSE);
  rect (&c, 480, 185, 70, 60, teal, 0.3, FALSE);
  return finish (&c, "gen-lounge", "a living room at dusk, lamps off, a window on the evening sky", gains, 2.0);
}

/* Written before clipped channels were let vote for the light, to measure
 * that on: pasta on a white plate under a warm lamp, as a restaurant's
 * light leaves it. The plate and the napkin are exposed near white, so
 * under the lamp their red clips in the photo itself (in part: the shading
 * takes some of the plate below it); a dark wooden table fills the rest,
 * with a glass of red wine. */
static LwHeldoutScene *
scene_trattoria (void)
{
  static const double table[3] = { 0.10, 0.055, 0.03 }, plate[3] = { 0.84, 0.84, 0.82 };
  static const double pasta[3] = { 0.75, 0.55, 0.20 }, sauce[3] = { 0.55, 0.06, 0.03 };
  static const double wine[3] = { 0.15, 0.01, 0.02 };
  const double gains[3] = { 1.30, 1.0, 0.72 };
  Canvas c;

  canvas_init (&c, 1624);
  fill (&c, table, shade_grain, FALSE);
  rect (&c, 40, 300, 140, 150, plate, 0.08, TRUE);
  disc (&c, 330, 240, 150, plate, 0.12, TRUE);
  disc (&c, 330, 240, 90, pasta, 0.3, FALSE);
  disc (&c, 345, 225, 40, sauce, 0.4, FALSE);
  disc (&c, 560, 110, 45, wine, 0.3, FALSE);
  return finish (&c, "gen-trattoria", "pasta on a white plate under a warm lamp, the plate's red clipped",
                 gains, 1.5);
}

GPtrArray *
lw_heldout_scenes (void)
{
  GPtrArray *scenes = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_heldout_scene_free);

  g_ptr_array_add (scenes, scene_cartoon ());
  g_ptr_array_add (scenes, scene_product_white ());
  g_ptr_array_add (scenes, scene_product_grey ());
  g_ptr_array_add (scenes, scene_night ());
  g_ptr_array_add (scenes, scene_closeup ());
  g_ptr_array_add (scenes, scene_crowd ());
  g_ptr_array_add (scenes, scene_mostly_white ());
  g_ptr_array_add (scenes, scene_poster ());
  g_ptr_array_add (scenes, scene_slate ());
  g_ptr_array_add (scenes, scene_tungsten ());
  g_ptr_array_add (scenes, scene_shade ());
  g_ptr_array_add (scenes, scene_toy ());
  g_ptr_array_add (scenes, scene_market ());
  g_ptr_array_add (scenes, scene_harbour ());
  g_ptr_array_add (scenes, scene_forest ());
  g_ptr_array_add (scenes, scene_sunset ());
  g_ptr_array_add (scenes, scene_flowers ());
  g_ptr_array_add (scenes, scene_neon ());
  g_ptr_array_add (scenes, scene_autumn ());
  g_ptr_array_add (scenes, scene_peppers ());
  g_ptr_array_add (scenes, scene_stall ());
  g_ptr_array_add (scenes, scene_board ());
  g_ptr_array_add (scenes, scene_lounge ());
  g_ptr_array_add (scenes, scene_trattoria ());
  return scenes;
}

void
lw_heldout_scene_free (LwHeldoutScene *scene)
{
  if (scene == NULL)
    return;
  g_free (scene->name);
  g_free (scene->what);
  lw_test_image_free (scene->truth);
  lw_test_image_free (scene->photo);
  g_free (scene->neutral);
  g_free (scene);
}

double
lw_heldout_mask_chroma (const LwTestImage *image,
                        const guint8      *mask)
{
  gsize i, n = (gsize) image->width * image->height, count = 0;
  double sum = 0;

  for (i = 0; i < n; i++)
    if (mask[i])
      {
        double lab[3];

        lw_srgb8_to_lab (image->rgb + i * 3, lab);
        sum += hypot (lab[1], lab[2]);
        count++;
      }
  return count > 0 ? sum / (double) count : 0;
}

/* test-local-deltae.c — the test suite's own colour maths, checked first:
 * every quality figure of the local engine rests on it. */
#include "config.h"

#include <math.h>

#include "lw-local-test-util.h"

/* Sharma, Wu & Dalal (2005), Table 1: all 34 pairs with their ΔE00. */
static const double sharma[34][7] = {
  { 50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425 },
  { 50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615 },
  { 50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412 },
  { 50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000 },
  { 50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000 },
  { 50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000 },
  { 50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669 },
  { 50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669 },
  { 50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792 },
  { 50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792 },
  { 50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195 },
  { 50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195 },
  { 50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045 },
  { 50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045 },
  { 50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461 },
  { 50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065 },
  { 50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492 },
  { 50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977 },
  { 50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030 },
  { 50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535 },
  { 50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000 },
  { 50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000 },
  { 50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000 },
  { 50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000 },
  { 60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644 },
  { 63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630 },
  { 61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731 },
  { 35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645 },
  { 22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373 },
  { 36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146 },
  { 90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441 },
  { 90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381 },
  { 6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377 },
  { 2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082 },
};

static void
test_sharma_pairs (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sharma); i++)
    {
      double d1 = lw_ciede2000 (sharma[i], sharma[i] + 3);
      double d2 = lw_ciede2000 (sharma[i] + 3, sharma[i]);

      /* the table gives 4 decimals */
      if (fabs (d1 - sharma[i][6]) > 5e-5)
        g_error ("pair %u: ΔE00 = %.5f, published %.4f", i + 1, d1, sharma[i][6]);
      g_assert_cmpfloat_with_epsilon (d1, d2, 1e-9);
    }
  g_test_message ("all %u published CIEDE2000 pairs within 5e-5", (guint) G_N_ELEMENTS (sharma));
}

static void
test_srgb_anchors (void)
{
  const guint8 white[3] = { 255, 255, 255 }, black[3] = { 0, 0, 0 }, grey[3] = { 119, 119, 119 };
  const guint8 red[3] = { 255, 0, 0 };
  double lab[3];

  lw_srgb8_to_lab (white, lab);
  g_assert_cmpfloat_with_epsilon (lab[0], 100, 0.01);
  g_assert_cmpfloat_with_epsilon (lab[1], 0, 0.01);
  g_assert_cmpfloat_with_epsilon (lab[2], 0, 0.01);
  lw_srgb8_to_lab (black, lab);
  g_assert_cmpfloat_with_epsilon (lab[0], 0, 1e-9);
  /* sRGB 119 is L* 50.0 (the mid-grey of colour charts) */
  lw_srgb8_to_lab (grey, lab);
  g_assert_cmpfloat_with_epsilon (lab[0], 50.0, 0.1);
  /* sRGB red is L* 53.24, a* 80.09, b* 67.20 (D65) */
  lw_srgb8_to_lab (red, lab);
  g_assert_cmpfloat_with_epsilon (lab[0], 53.24, 0.02);
  g_assert_cmpfloat_with_epsilon (lab[1], 80.09, 0.05);
  g_assert_cmpfloat_with_epsilon (lab[2], 67.20, 0.05);
}

static void
test_image_gain (void)
{
  g_autoptr(LwTestImage) img = lw_test_image_new (2, 1);
  g_autoptr(LwTestImage) half = NULL;
  const double gains[3] = { 0.5, 0.5, 0.5 };

  img->rgb[0] = img->rgb[1] = img->rgb[2] = 255;
  img->rgb[3] = img->rgb[4] = img->rgb[5] = 0;
  half = lw_test_image_gain (img, gains);
  /* linear 0.5 is sRGB 188 */
  g_assert_cmpint (half->rgb[0], ==, 188);
  g_assert_cmpint (half->rgb[3], ==, 0);
  g_assert_cmpfloat (lw_test_clipped_share (img), ==, 1.0);
  g_assert_cmpfloat (lw_test_clipped_share (half), ==, 0.5);
  g_assert_cmpfloat (lw_test_blown_share (img), ==, 1.0);
  g_assert_cmpfloat (lw_test_blown_share (half), ==, 0.5);
  half->rgb[0] = 0;
  g_assert_cmpfloat (lw_test_blown_share (half), ==, 0.5);   /* (0, 188, 188) is not blown */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/local/deltae/sharma-pairs", test_sharma_pairs);
  g_test_add_func ("/local/deltae/srgb-anchors", test_srgb_anchors);
  g_test_add_func ("/local/deltae/image-gain", test_image_gain);
  return g_test_run ();
}

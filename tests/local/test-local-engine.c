/* test-local-engine.c — the local engine keeps the LwEngine contract.
 *
 * Through the factory, as the scheduler and the CLI will call it: real
 * files, a real SQLite store for the setting, the engine's own threads.
 * What it must do: upright output of the promised size and format, the
 * per-image instructions (and the note for what it did not understand),
 * clear errors for bad input, cancellation before and during a render, the
 * same bytes whatever the number of threads, and no leaks or deadlocks
 * when the engine goes away with work in flight.
 */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lw-engines.h"
#include "lw-local-engine.h"
#include "lw-local-ops.h"
#include "lw-local-render.h"
#include "lw-local-stats.h"
#include "lw-local-heldout.h"
#include "lw-local-test-util.h"
#include "lw-store.h"
#include "lw-test-util.h"

static char *tmpdir;
static GPtrArray *fixtures;

static const char *
fixture (const char *name)
{
  guint i;

  for (i = 0; i < fixtures->len; i++)
    if (g_str_has_suffix (fixtures->pdata[i], name))
      return fixtures->pdata[i];
  g_error ("no fixture %s", name);
  return NULL;
}

static LwEngine *
new_engine (int threads)
{
  return LW_ENGINE (lw_local_engine_new (threads));
}

static LwEngineResult *
run (LwEngine *engine, const char *path, const char *module, const char *instruction, int orientation)
{
  g_autoptr(GError) error = NULL;
  LwEngineResult *result = lw_test_run_engine (engine, path, module, instruction, orientation, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static void
test_contract (void)
{
  g_autofree char *db = g_build_filename (tmpdir, "store.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LwStore) store = lw_store_open (db, &error);
  g_autoptr(LwEngine) engine = NULL;
  g_autoptr(LwEngine) configured = NULL;
  g_autofree char *signature = NULL;

  g_assert_no_error (error);
  engine = lw_engines_create (store, "local", &error);
  g_assert_no_error (error);
  g_assert_true (LW_IS_LOCAL_ENGINE (engine));
  g_assert_cmpstr (lw_engine_get_name (engine), ==, "local");
  g_assert_cmpfloat (lw_engine_get_cost (engine, "local"), ==, 0);
  /* a recipe version in the signature, so changed recipes are not reused */
  signature = lw_engine_dup_signature (engine, "local");
  g_assert_true (g_str_has_prefix (signature, "local:recipes-"));
  g_assert_cmpint (lw_local_engine_get_threads (LW_LOCAL_ENGINE (engine)), ==, (int) g_get_num_processors ());

  g_assert_true (lw_store_set_setting (store, "local.threads", "3", &error));
  g_assert_no_error (error);
  configured = lw_engines_create (store, "local", &error);
  g_assert_no_error (error);
  g_assert_cmpint (lw_local_engine_get_threads (LW_LOCAL_ENGINE (configured)), ==, 3);

  g_assert_finalize_object (g_steal_pointer (&engine));
  g_assert_finalize_object (g_steal_pointer (&configured));
}

/* What a stored image looks like upright, for EXIF orientation o: written
 * here with gdk-pixbuf's rotations, independently of lw:orient. */
static GdkPixbuf *
upright (GdkPixbuf *stored, int o)
{
  g_autoptr(GdkPixbuf) tmp = NULL;

  switch (o)
    {
    case 2: return gdk_pixbuf_flip (stored, TRUE);
    case 3: return gdk_pixbuf_rotate_simple (stored, GDK_PIXBUF_ROTATE_UPSIDEDOWN);
    case 4: return gdk_pixbuf_flip (stored, FALSE);
    case 5:
      tmp = gdk_pixbuf_rotate_simple (stored, GDK_PIXBUF_ROTATE_CLOCKWISE);
      return gdk_pixbuf_flip (tmp, TRUE);
    case 6: return gdk_pixbuf_rotate_simple (stored, GDK_PIXBUF_ROTATE_CLOCKWISE);
    case 7:
      tmp = gdk_pixbuf_rotate_simple (stored, GDK_PIXBUF_ROTATE_CLOCKWISE);
      return gdk_pixbuf_flip (tmp, FALSE);
    case 8: return gdk_pixbuf_rotate_simple (stored, GDK_PIXBUF_ROTATE_COUNTERCLOCKWISE);
    default: return g_object_ref (stored);
    }
}

static LwTestImage *
mirror (const LwTestImage *img)
{
  LwTestImage *out = lw_test_image_new (img->width, img->height);
  int x, y;

  for (y = 0; y < img->height; y++)
    for (x = 0; x < img->width; x++)
      memcpy (out->rgb + ((gsize) y * img->width + x) * 3,
              img->rgb + ((gsize) y * img->width + img->width - 1 - x) * 3, 3);
  return out;
}

static gboolean
same_pixels (GdkPixbuf *a, GdkPixbuf *b)
{
  int y, w = gdk_pixbuf_get_width (a), h = gdk_pixbuf_get_height (a);
  int nc = gdk_pixbuf_get_n_channels (a);

  if (w != gdk_pixbuf_get_width (b) || h != gdk_pixbuf_get_height (b))
    return FALSE;
  for (y = 0; y < h; y++)
    if (memcmp (gdk_pixbuf_read_pixels (a) + (gsize) y * gdk_pixbuf_get_rowstride (a),
                gdk_pixbuf_read_pixels (b) + (gsize) y * gdk_pixbuf_get_rowstride (b),
                (gsize) w * nc) != 0)
      return FALSE;
  return TRUE;
}

static void
test_orientation (void)
{
  g_autoptr(LwEngine) engine = new_engine (0);
  g_autoptr(GdkPixbuf) photo = gdk_pixbuf_new_from_file (fixture ("fruits.jpg"), NULL);
  g_autoptr(LwEngineResult) plain = run (engine, fixture ("fruits.jpg"), "food", NULL, 1);
  g_autoptr(LwTestImage) expected = lw_test_image_from_bytes (plain->data);
  g_autoptr(LwTestImage) wrong = mirror (expected);
  /* 6 and 8 undo each other; every other orientation undoes itself */
  static const int inverse[9] = { 0, 1, 2, 3, 4, 5, 8, 7, 6 };
  int o;

  for (o = 1; o <= 8; o++)
    {
      /* The stored file is the upright photo turned the other way, so the
       * engine's output must look like its output for the plain photo. */
      g_autofree char *path = g_strdup_printf ("%s/stored-%d.png", tmpdir, o);
      g_autoptr(GdkPixbuf) stored = upright (photo, inverse[o]);
      g_autoptr(GdkPixbuf) check = upright (stored, o);
      g_autoptr(LwEngineResult) result = NULL;
      g_autoptr(LwTestImage) out = NULL;
      g_autoptr(GError) error = NULL;
      double de, de_wrong;

      g_assert_true (same_pixels (check, photo));   /* the test's own maps agree */
      gdk_pixbuf_save (stored, path, "png", &error, NULL);
      g_assert_no_error (error);

      result = run (engine, path, "food", NULL, o);
      out = lw_test_image_from_bytes (result->data);
      g_assert_cmpint (out->width, ==, expected->width);
      g_assert_cmpint (out->height, ==, expected->height);
      de = lw_test_mean_delta_e (out, expected, NULL);
      de_wrong = lw_test_mean_delta_e (out, wrong, NULL);
      g_test_message ("orientation %d: mean dE to the upright result %.2f, to its mirror image %.2f",
                      o, de, de_wrong);
      g_assert_cmpfloat (de, <, 1.5);
      g_assert_cmpfloat (de_wrong, >, 8);
    }
}

static void
test_orient_map (void)
{
  /* a 3×2 image; (u, v) upright → (x, y) stored, EXIF 2.2 table 4 */
  int x, y;

  lw_local_orient_map (6, 3, 2, 0, 0, &x, &y);   /* rotated 90° cw: top-left comes from bottom-left */
  g_assert_cmpint (x, ==, 0);
  g_assert_cmpint (y, ==, 1);
  lw_local_orient_map (8, 3, 2, 0, 0, &x, &y);   /* 90° ccw: from top-right */
  g_assert_cmpint (x, ==, 2);
  g_assert_cmpint (y, ==, 0);
  lw_local_orient_map (3, 3, 2, 0, 0, &x, &y);
  g_assert_cmpint (x, ==, 2);
  g_assert_cmpint (y, ==, 1);
  lw_local_orient_map (5, 3, 2, 1, 2, &x, &y);
  g_assert_cmpint (x, ==, 2);
  g_assert_cmpint (y, ==, 1);
}

static void
test_alpha (void)
{
  g_autoptr(LwEngine) engine = new_engine (0);
  g_autoptr(LwTestImage) photo = lw_test_image_load (fixture ("chelsea.png"));
  g_autofree char *path = g_build_filename (tmpdir, "alpha.png", NULL);
  g_autoptr(LwEngineResult) result = NULL;
  g_autoptr(LwTestImage) out = NULL;
  int x, y, worst = 0;

  photo->alpha = g_new (guint8, (gsize) photo->width * photo->height);
  for (y = 0; y < photo->height; y++)
    for (x = 0; x < photo->width; x++)
      photo->alpha[(gsize) y * photo->width + x] = (guint8) (255 * x / (photo->width - 1));
  lw_test_image_save_png (photo, path);

  result = run (engine, path, "portrait", NULL, 1);
  g_assert_cmpstr (result->mime, ==, "image/png");
  out = lw_test_image_from_bytes (result->data);
  g_assert_nonnull (out->alpha);
  g_assert_cmpint (out->width, ==, photo->width);
  for (x = 0; x < photo->width * photo->height; x++)
    worst = MAX (worst, ABS ((int) out->alpha[x] - (int) photo->alpha[x]));
  g_test_message ("alpha kept within %d levels", worst);
  g_assert_cmpint (worst, <=, 1);
}

static LwTestImage *
render_image (LwEngine *engine, const char *path, const char *module, const char *instruction, char **notes)
{
  g_autoptr(LwEngineResult) result = run (engine, path, module, instruction, 1);

  if (notes != NULL)
    *notes = g_strdup (result->notes);
  return lw_test_image_from_bytes (result->data);
}

static void
test_instructions (void)
{
  g_autoptr(LwEngine) engine = new_engine (0);
  const char *path = fixture ("building.jpg");
  g_autoptr(LwTestImage) base = render_image (engine, path, "food", NULL, NULL);
  g_autoptr(LwTestImage) warmer = render_image (engine, path, "food", "warmer", NULL);
  g_autoptr(LwTestImage) brighter = render_image (engine, path, "food", "brighter", NULL);
  g_autoptr(LwTestImage) mono = render_image (engine, path, "food", "black and white", NULL);
  g_autoptr(LwTestImage) square = render_image (engine, path, "food", "square", NULL);
  g_autoptr(LwTestImage) saturated = render_image (engine, path, "food", "more saturation", NULL);
  g_autofree char *notes_known = NULL;
  g_autofree char *notes_unknown = NULL;
  g_autoptr(LwTestImage) mixed = render_image (engine, path, "food", "a bit cooler", &notes_known);
  g_autoptr(LwTestImage) odd = render_image (engine, path, "food", "cooler and add a rainbow", &notes_unknown);

  g_test_message ("b*: %.2f, warmer %.2f; L*: %.2f, brighter %.2f; chroma %.2f, b&w %.2f, saturated %.2f",
                  lw_test_mean_b (base), lw_test_mean_b (warmer),
                  lw_test_mean_lstar (base), lw_test_mean_lstar (brighter),
                  lw_test_mean_chroma (base), lw_test_mean_chroma (mono), lw_test_mean_chroma (saturated));
  g_assert_cmpfloat (lw_test_mean_b (warmer), >, lw_test_mean_b (base) + 1.5);
  g_assert_cmpfloat (lw_test_mean_b (mixed), <, lw_test_mean_b (base) - 0.5);
  g_assert_cmpfloat (lw_test_mean_lstar (brighter), >, lw_test_mean_lstar (base) + 2.5);
  g_assert_cmpfloat (lw_test_mean_chroma (mono), <, 1.0);
  g_assert_cmpfloat (lw_test_mean_chroma (saturated), >, lw_test_mean_chroma (base) * 1.08);
  g_assert_cmpint (square->width, ==, 600);
  g_assert_cmpint (square->height, ==, 600);

  g_assert_null (notes_known);
  g_assert_nonnull (notes_unknown);
  g_assert_nonnull (strstr (notes_unknown, "Not understood by the local engine"));
  g_assert_nonnull (strstr (notes_unknown, "add a rainbow"));
  /* the part it understood was still done */
  g_assert_cmpfloat (lw_test_mean_b (odd), <, lw_test_mean_b (base) - 1.0);
}

static void
test_white_background_not_found (void)
{
  g_autoptr(LwEngine) engine = new_engine (0);
  g_autofree char *notes = NULL;
  g_autoptr(LwTestImage) out = render_image (engine, fixture ("fruits.jpg"), "food", "white background", &notes);

  /* fruits fill the frame: there is no backdrop, and the user is told */
  g_assert_nonnull (notes);
  g_assert_nonnull (strstr (notes, "background was kept"));
  g_assert_cmpint (out->width, ==, 512);
}

static void
test_bad_input (void)
{
  g_autoptr(LwEngine) engine = new_engine (0);
  g_autofree char *text = g_build_filename (tmpdir, "not-a-photo.jpg", NULL);
  g_autofree char *missing = g_build_filename (tmpdir, "missing.jpg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  LwEngineResult *result;

  lw_test_write_file (text, "this is not a JPEG", 18);
  result = lw_test_run_engine (engine, text, "food", NULL, 1, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT);
  g_assert_cmpint (lw_engine_error_classify (error), ==, LW_ERROR_CLASS_PERMANENT);

  result = lw_test_run_engine (engine, missing, "food", NULL, 1, NULL, &error2);
  g_assert_null (result);
  g_assert_error (error2, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT);
}

/* Odd inputs every module must take: a single pixel, a sliver, a grey
 * (one-channel) PNG, a 16-bit PNG. */
static void
test_odd_inputs (void)
{
  static const char * const modules[] = { "food", "product", "portrait", "realestate", "remaster", "custom" };
  g_autoptr(LwEngine) engine = new_engine (0);
  g_autoptr(GdkPixbuf) photo = gdk_pixbuf_new_from_file (fixture ("coffee.png"), NULL);
  g_autoptr(GdkPixbuf) dot = gdk_pixbuf_scale_simple (photo, 1, 1, GDK_INTERP_BILINEAR);
  g_autoptr(GdkPixbuf) sliver = gdk_pixbuf_scale_simple (photo, 600, 3, GDK_INTERP_BILINEAR);
  g_autofree char *dot_path = g_build_filename (tmpdir, "dot.png", NULL);
  g_autofree char *sliver_path = g_build_filename (tmpdir, "sliver.jpg", NULL);
  g_autofree char *grey_path = g_build_filename (tmpdir, "grey.png", NULL);
  g_autofree char *deep_path = g_build_filename (tmpdir, "deep.png", NULL);
  const char *paths[4];
  static const int sizes[4][2] = { { 1, 1 }, { 600, 3 }, { 600, 400 }, { 600, 400 } };
  guint m, i;

  g_assert_true (gdk_pixbuf_save (dot, dot_path, "png", NULL, NULL));
  g_assert_true (gdk_pixbuf_save (sliver, sliver_path, "jpeg", NULL, NULL));
  /* GEGL writes the one-channel and the 16-bit PNG */
  lw_local_gegl_init ();
  {
    g_autoptr(GeglNode) graph = gegl_node_new ();
    GeglNode *load = gegl_node_new_child (graph, "operation", "gegl:png-load", "path", fixture ("coffee.png"), NULL);
    GeglNode *grey = gegl_node_new_child (graph, "operation", "gegl:convert-format",
                                          "format", babl_format ("Y' u8"), NULL);
    GeglNode *save_grey = gegl_node_new_child (graph, "operation", "gegl:png-save",
                                               "path", grey_path, "bitdepth", 8, NULL);
    GeglNode *save_deep = gegl_node_new_child (graph, "operation", "gegl:png-save",
                                               "path", deep_path, "bitdepth", 16, NULL);

    gegl_node_link_many (load, grey, save_grey, NULL);
    gegl_node_process (save_grey);
    gegl_node_link (load, save_deep);
    gegl_node_process (save_deep);
  }
  paths[0] = dot_path;
  paths[1] = sliver_path;
  paths[2] = grey_path;
  paths[3] = deep_path;

  for (m = 0; m < G_N_ELEMENTS (modules); m++)
    for (i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autoptr(LwEngineResult) result = run (engine, paths[i], modules[m], NULL, 1);
        g_autoptr(LwTestImage) out = lw_test_image_from_bytes (result->data);

        if (g_str_equal (modules[m], "product"))
          {
            g_assert_cmpint (out->width, ==, out->height);
            g_assert_cmpint (out->width, ==, MAX (sizes[i][0], sizes[i][1]));
          }
        else
          {
            g_assert_cmpint (out->width, ==, sizes[i][0]);
            g_assert_cmpint (out->height, ==, sizes[i][1]);
          }
      }
}

static int
compare_floats (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

/* lw_local_median (the noise estimate's and the cutout's) is a selection,
 * not a sort: it must still give what a sort puts at n / 2, on odd and even
 * lengths, on long runs of one value (a flat area's zeros) and on sorted
 * and reversed input. */
static void
test_median (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  static const gsize sizes[] = { 1, 2, 3, 4, 5, 10, 101, 1000, 65536 };

  g_assert_cmpfloat (lw_local_median (NULL, 0), ==, 0.f);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int kind = 0; kind < 5; kind++)
      {
        gsize n = sizes[s];
        g_autofree float *values = g_new (float, n);
        g_autofree float *sorted = NULL;

        for (gsize i = 0; i < n; i++)
          switch (kind)
            {
            case 0: values[i] = (float) g_rand_double (rand); break;
            case 1: values[i] = (float) g_rand_int_range (rand, 0, 3); break;  /* mostly ties */
            case 2: values[i] = g_rand_int_range (rand, 0, 10) < 8 ? 0.f : (float) g_rand_double (rand); break;
            case 3: values[i] = (float) i; break;
            default: values[i] = (float) (n - i); break;
            }
        sorted = g_memdup2 (values, n * sizeof (float));
        qsort (sorted, n, sizeof (float), compare_floats);
        g_assert_cmpfloat (lw_local_median (values, n), ==, sorted[n / 2]);
        /* a reordering: the same values */
        qsort (values, n, sizeof (float), compare_floats);
        g_assert_cmpmem (values, n * sizeof (float), sorted, n * sizeof (float));
      }
}

/* lw:encode writes round (255 · sRGB (v)), as the test support's encoder
 * works it out in double from the formula, for values anywhere in 0–1
 * and on either side of each code's boundary; out of range and NaN
 * clamp. */
static void
test_encode (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (255);
  const glong n = 200000;
  g_autofree float *in = g_new (float, n * 4);
  g_autofree guint8 *out = g_new (guint8, n * 4);
  g_autofree guint8 *out3 = g_new (guint8, n * 3);
  static const float odd[][4] = {
    { -0.5f, 0.f, 1.f, 0.5f }, { 2.f, 1e-30f, 0.99999994f, -1.f }, { NAN, INFINITY, -INFINITY, NAN },
  };
  glong i;

  for (i = 0; i < n * 4; i++)
    {
      /* half uniform, half near a code boundary */
      if (i % 2 == 0)
        in[i] = (float) g_rand_double (rand);
      else
        {
          int k = g_rand_int_range (rand, 1, 256);
          double t = lw_local_srgb_to_linear ((k - 0.5) / 255.0);

          in[i] = nextafterf ((float) t, g_rand_boolean (rand) ? 2.f : -1.f);
          if (g_rand_int_range (rand, 0, 3) == 0)
            in[i] = (float) t;
        }
    }
  lw_local_encode_srgb8 (in, out, n, TRUE);
  lw_local_encode_srgb8 (in, out3, n, FALSE);
  for (i = 0; i < n; i++)
    {
      for (int c = 0; c < 3; c++)
        {
          guint8 want = lw_test_srgb_code (in[i * 4 + c], 0);

          if (out[i * 4 + c] != want)
            g_error ("pixel %ld channel %d: %.9g encoded as %u, not %u", i, c, in[i * 4 + c], out[i * 4 + c], want);
          g_assert_cmpuint (out3[i * 3 + c], ==, out[i * 4 + c]);
        }
      g_assert_cmpuint (out[i * 4 + 3], ==, (guint) round (255 * in[i * 4 + 3]));
    }
  lw_local_encode_srgb8 (&odd[0][0], out, G_N_ELEMENTS (odd), TRUE);
  {
    static const guint8 want[] = { 0, 0, 255, 128, 255, 0, 255, 0, 0, 255, 0, 0 };

    g_assert_cmpmem (out, sizeof want, want, sizeof want);
  }
}

/* A greyscale photo stays grey through every module (issue 18: it came
 * out warm-tinted). Two ways a user has one: a one-channel PNG, and a JPEG
 * of a black-and-white picture stored as colour (chroma rounding noise
 * included). Before the fix Food Enhancer gave mean C*ab 4.9 (b* +4.6). */
static void
test_grey_stays_grey (void)
{
  static const char * const modules[] = { "food", "product", "portrait", "realestate", "remaster", "custom" };
  g_autoptr(LwEngine) engine = new_engine (0);
  /* no large white surface in it: the photo is balanced by its estimate */
  g_autoptr(GdkPixbuf) photo = gdk_pixbuf_new_from_file (fixture ("orange.jpg"), NULL);
  g_autoptr(GdkPixbuf) grey = gdk_pixbuf_copy (photo);
  g_autofree char *jpeg_path = g_build_filename (tmpdir, "grey-rgb.jpg", NULL);
  g_autofree char *rgb_path = g_build_filename (tmpdir, "grey-rgb.png", NULL);
  g_autofree char *png_path = g_build_filename (tmpdir, "grey-y.png", NULL);
  const char *paths[2] = { jpeg_path, png_path };
  guint m, i;

  gdk_pixbuf_saturate_and_pixelate (photo, grey, 0.0, FALSE);
  g_assert_true (gdk_pixbuf_save (grey, jpeg_path, "jpeg", NULL, NULL));
  g_assert_true (gdk_pixbuf_save (grey, rgb_path, "png", NULL, NULL));
  lw_local_gegl_init ();
  {
    g_autoptr(GeglNode) graph = gegl_node_new ();
    GeglNode *load = gegl_node_new_child (graph, "operation", "gegl:png-load", "path", rgb_path, NULL);
    GeglNode *y = gegl_node_new_child (graph, "operation", "gegl:convert-format",
                                       "format", babl_format ("Y' u8"), NULL);
    GeglNode *save = gegl_node_new_child (graph, "operation", "gegl:png-save",
                                          "path", png_path, "bitdepth", 8, NULL);

    gegl_node_link_many (load, y, save, NULL);
    gegl_node_process (save);
  }

  for (i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(LwTestImage) in = lw_test_image_load (paths[i]);

      g_assert_cmpfloat (lw_test_mean_chroma (in), <, 0.5);
      for (m = 0; m < G_N_ELEMENTS (modules); m++)
        {
          g_autoptr(LwTestImage) out = render_image (engine, paths[i], modules[m], NULL, NULL);
          double chroma = lw_test_mean_chroma (out), b = lw_test_mean_b (out);

          g_test_message ("%s %s: mean C*ab %.2f, mean b* %+.2f", paths[i], modules[m], chroma, b);
          g_assert_cmpfloat (chroma, <, 0.5);
          g_assert_cmpfloat (fabs (b), <, 0.3);
        }
    }
  /* asked for, a tint is still given */
  {
    g_autoptr(LwTestImage) warm = render_image (engine, jpeg_path, "food", "warmer", NULL);

    g_assert_cmpfloat (lw_test_mean_b (warm), >, 1.0);
  }
}

/* Grey cards of several lightnesses and three coloured ones under a
 * tungsten bulb (linear R ×1.45, B ×0.55: about three radii beyond the
 * ellipse that keeps a coloured scene from being taken for a cast). The
 * mode is grey surfaces, the light itself, so the cast is removed as far
 * as the recipe removes any (recipe version 6); held back by the
 * ellipse's slopes, the greys had kept about half of it (C* 10.9 from
 * Food Enhancer, 20 in the photo). */
static void
test_tungsten_greys (void)
{
  static const double greys[] = { 0.04, 0.08, 0.15, 0.25, 0.40, 0.60 };
  static const double colours[3][3] = { { 0.50, 0.05, 0.04 }, { 0.06, 0.30, 0.05 }, { 0.05, 0.10, 0.45 } };
  const double cast[3] = { 1.45, 1.0, 0.55 };
  const int w = 480, h = 360, cell = 80;
  g_autoptr(LwEngine) engine = new_engine (0);
  g_autoptr(LwTestImage) photo = lw_test_image_new (w, h);
  g_autofree guint8 *grey_mask = g_new0 (guint8, (gsize) w * h);
  g_autofree char *path = g_build_filename (tmpdir, "tungsten-greys.png", NULL);
  GRand *rand = g_rand_new_with_seed (1612);
  int x, y, c;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      {
        int k = (y / cell) * (w / cell) + x / cell;
        gboolean grey = k % 4 != 3 || k / 4 >= 3;
        const double *rgb = NULL;
        double v = greys[k % G_N_ELEMENTS (greys)];

        if (!grey)
          rgb = colours[(k / 4) % 3];
        grey_mask[y * w + x] = grey;
        for (c = 0; c < 3; c++)
          {
            double lin = (grey ? v : rgb[c]) * cast[c];

            photo->rgb[(y * w + x) * 3 + c] = lw_test_srgb_code (lin, g_rand_double_range (rand, -1, 1));
          }
      }
  g_rand_free (rand);
  lw_test_image_save_png (photo, path);

  for (guint m = 0; m < 2; m++)
    {
      const char *module = m == 0 ? "food" : "realestate";
      g_autoptr(LwTestImage) out = render_image (engine, path, module, NULL, NULL);
      double before = lw_heldout_mask_chroma (photo, grey_mask);
      double after = lw_heldout_mask_chroma (out, grey_mask);

      g_test_message ("%s: the grey cards' C*ab %.2f in the photo, %.2f after", module, before, after);
      g_assert_cmpfloat (before, >, 15);
      /* Food Enhancer keeps 15 % of a cast and adds a little warmth */
      g_assert_cmpfloat (after, <, m == 0 ? 6.5 : 4.0);
    }
}

/* A white card on a brown stall that fills the frame, under a warm light
 * strong enough to clip the card's red (recipe version 13). The wood is
 * the mode; the card, its red a lower bound, is the light: found on the
 * warm side, no warmer than it is, and far from the wood. With the card's
 * red clipped it had no vote, and the wood was taken for grey. A shaded
 * card spreads its clipped votes along the red axis: still one surface. */
static void
test_clipped_card (void)
{
  static const double wood[3] = { 0.22, 0.12, 0.06 }, card[3] = { 0.82, 0.82, 0.80 };
  const double light[3] = { 1.5, 1.0, 0.75 };
  const int w = 320, h = 240;
  double truth_u = log (light[0] * card[0] / (light[1] * card[1]));
  double truth_v = log (light[2] * card[2] / (light[1] * card[1]));
  guint shaded;

  for (shaded = 0; shaded < 2; shaded++)
    {
      LwLocalImage *image = lw_local_image_new (w, h);
      GRand *rand = g_rand_new_with_seed (1625);
      double uv[2], grey = 0, mass;
      int x, y, c, clipped = 0, card_px = 0;

      for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
          {
            gboolean on_card = x >= 120 && x < 200 && y >= 90 && y < 150;
            /* the wood grained, the card lit evenly or from the left */
            double s = on_card ? (shaded ? 1.0 - 0.15 * (x - 120) / 80.0 : 1.0)
                               : 0.8 + 0.2 * sin (0.7 * y + 0.3 * x);
            float *px = image->data + ((gsize) y * w + x) * 4;

            for (c = 0; c < 3; c++)
              {
                double lin = (on_card ? card[c] : wood[c]) * light[c] * s
                             * (1 + 0.01 * g_rand_double_range (rand, -1, 1));

                px[c] = (float) MIN (lin, 1.0);
              }
            px[3] = 1.f;
            card_px += on_card;
            clipped += on_card && px[0] >= 1.f;
          }
      g_rand_free (rand);

      mass = lw_local_estimate_illuminant (image, uv, &grey);
      g_test_message ("card %s, red clipped on %d of %d pixels: estimate (%.3f, %.3f), the card (%.3f, %.3f), "
                      "mass %.3f, grey %.2f", shaded ? "shaded" : "lit evenly", clipped, card_px,
                      uv[0], uv[1], truth_u, truth_v, mass, grey);
      g_assert_cmpint (clipped, ==, card_px);
      /* the card's blue to green is whole: its v is found */
      g_assert_cmpfloat (fabs (uv[1] - truth_v), <, 0.05);
      /* its red is a lower bound: on the warm side, no warmer than it */
      g_assert_cmpfloat (uv[0], >, 0.1);
      g_assert_cmpfloat (uv[0], <, truth_u + 0.02);
      /* not the wood (log R/G 1.01) */
      g_assert_cmpfloat (uv[0], <, 0.5);
      g_assert_cmpfloat (grey, ==, 1.0);
      lw_local_image_free (image);
    }
}

/* photo written as a CMYK JPEG without a profile: no black ink, each ink
 * the complement of its channel (stored inverted: the channel itself), so
 * the plain inversion gives photo back. */
static void
write_cmyk_jpeg (const LwTestImage *photo, const char *path)
{
  gsize n = (gsize) photo->width * photo->height;
  g_autofree guint8 *stored = g_new (guint8, n * 4);

  for (gsize i = 0; i < n; i++)
    {
      memcpy (stored + 4 * i, photo->rgb + 3 * i, 3);
      stored[4 * i + 3] = 255;
    }
  lw_test_write_cmyk_jpeg (path, photo->width, photo->height, stored, NULL);
}

/* A CMYK JPEG (issue 18: it came out a PNG with alpha, gdk-pixbuf reading
 * its four channels as RGBA) gives an opaque JPEG of its size, the same
 * picture as the RGB JPEG of the same photo gives. */
static void
test_cmyk (void)
{
  static const char * const modules[] = { "food", "product" };
  g_autoptr(LwEngine) engine = new_engine (0);
  g_autoptr(LwTestImage) photo = lw_test_image_load (fixture ("orange.jpg"));
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (fixture ("orange.jpg"), NULL);
  g_autofree char *cmyk_path = g_build_filename (tmpdir, "cmyk.jpg", NULL);
  g_autofree char *rgb_path = g_build_filename (tmpdir, "cmyk-as-rgb.jpg", NULL);
  guint m;

  write_cmyk_jpeg (photo, cmyk_path);
  g_assert_true (gdk_pixbuf_save (pixbuf, rgb_path, "jpeg", NULL, "quality", "95", NULL));
  for (m = 0; m < G_N_ELEMENTS (modules); m++)
    {
      g_autoptr(LwEngineResult) from_cmyk = run (engine, cmyk_path, modules[m], NULL, 1);
      g_autoptr(LwEngineResult) from_rgb = run (engine, rgb_path, modules[m], NULL, 1);
      g_autoptr(LwTestImage) a = lw_test_image_from_bytes (from_cmyk->data);
      g_autoptr(LwTestImage) b = lw_test_image_from_bytes (from_rgb->data);
      double worst = 0, mean;

      g_assert_cmpstr (from_cmyk->mime, ==, "image/jpeg");
      g_assert_null (a->alpha);
      g_assert_cmpint (a->width, ==, b->width);
      g_assert_cmpint (a->height, ==, b->height);
      mean = lw_test_mean_delta_e (a, b, &worst);
      g_test_message ("%s: CMYK against RGB original, mean ΔE2000 %.2f (worst %.1f)", modules[m], mean, worst);
      g_assert_cmpfloat (mean, <, 1.5);
    }
}

static guint
count_temp_files (void)
{
  g_autoptr(GDir) dir = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_prefix (name, "lightwork-local-");
  return n;
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(LwEngine) engine = new_engine (1);
  g_autoptr(GCancellable) before = g_cancellable_new ();
  g_autoptr(GCancellable) during = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autoptr(GdkPixbuf) photo = gdk_pixbuf_new_from_file (fixture ("building.jpg"), NULL);
  g_autoptr(GdkPixbuf) big = NULL;
  g_autofree char *big_path = g_build_filename (tmpdir, "big.jpg", NULL);
  guint temp_before = count_temp_files ();
  gint64 start, cancelled_at;
  LwEngineResult *result;

  g_cancellable_cancel (before);
  result = lw_test_run_engine (engine, fixture ("building.jpg"), "food", NULL, 1, before, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* 24 MP: far more than can render in the 150 ms before the cancel */
  big = gdk_pixbuf_scale_simple (photo, 6000, 4000, GDK_INTERP_BILINEAR);
  g_assert_true (gdk_pixbuf_save (big, big_path, "jpeg", NULL, "quality", "90", NULL));
  start = g_get_monotonic_time ();
  g_timeout_add (150, cancel_cb, during);
  result = lw_test_run_engine (engine, big_path, "realestate", NULL, 1, during, &error2);
  cancelled_at = g_get_monotonic_time ();
  g_assert_null (result);
  g_assert_error (error2, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("a 24 MP render cancelled after 150 ms returned after %.0f ms",
                  (cancelled_at - start) / 1000.0);
  g_assert_cmpuint (count_temp_files (), ==, temp_before);
}

typedef struct {
  GPtrArray *results;
  guint      pending;
} Batch;

static void
batch_done_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  Batch *batch = data;
  g_autoptr(GError) error = NULL;
  LwEngineResult *result = lw_engine_process_finish (LW_ENGINE (source), res, &error);

  g_assert_no_error (error);
  g_ptr_array_add (batch->results, result);
  batch->pending--;
}

static gboolean
batch_done (gpointer data)
{
  return ((Batch *) data)->pending == 0;
}

static GPtrArray *
run_batch (LwEngine *engine, const char * const *names, guint n)
{
  Batch batch = { g_ptr_array_new_with_free_func ((GDestroyNotify) lw_engine_result_free), n };
  guint i;

  for (i = 0; i < n; i++)
    {
      g_autoptr(LwEngineRequest) request = lw_engine_request_new ();

      request->image_id = i + 1;
      request->module_id = g_strdup ("remaster");
      request->model = g_strdup ("local");
      request->input_path = g_strdup (fixture (names[i]));
      request->input_mime = g_strdup (g_str_has_suffix (names[i], ".png") ? "image/png" : "image/jpeg");
      request->orientation = 1;
      lw_engine_process_async (engine, request, NULL, batch_done_cb, &batch);
    }
  g_assert_true (lw_test_wait_until (batch_done, &batch, 60000));
  return batch.results;
}

static GBytes *
find_result (GPtrArray *results, GBytes *like)
{
  guint i;

  for (i = 0; i < results->len; i++)
    if (g_bytes_equal (((LwEngineResult *) results->pdata[i])->data, like))
      return like;
  return NULL;
}

static void
test_threads_same_bytes (void)
{
  static const char * const names[] = { "coffee.png", "orange.jpg", "grace_hopper.jpg", "chelsea.png" };
  g_autoptr(LwEngine) one = new_engine (1);
  g_autoptr(LwEngine) two = new_engine (2);
  g_autoptr(GPtrArray) a = run_batch (one, names, G_N_ELEMENTS (names));
  g_autoptr(GPtrArray) b = run_batch (two, names, G_N_ELEMENTS (names));
  guint i;

  /* results arrive in any order; every one from two threads must be
   * byte-identical to one from a single thread */
  g_assert_cmpuint (b->len, ==, a->len);
  for (i = 0; i < b->len; i++)
    g_assert_nonnull (find_result (a, ((LwEngineResult *) b->pdata[i])->data));
  lw_test_assert_finalized_soon (g_steal_pointer (&one));
  lw_test_assert_finalized_soon (g_steal_pointer (&two));
}

static void
drop_engine_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = lw_engine_process_finish (LW_ENGINE (source), res, &error);

  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
weak_ref_cleared (gpointer data)
{
  GObject *still = g_weak_ref_get (data);

  if (still == NULL)
    return TRUE;
  g_object_unref (still);
  return FALSE;
}

static void
test_engine_dropped_in_flight (void)
{
  guint round;

  /* The caller lets go of the engine while its photo renders; whichever
   * thread drops the last reference, nothing waits on itself. */
  for (round = 0; round < 3; round++)
    {
      LwEngine *engine = new_engine (1);
      g_autoptr(LwEngineRequest) request = lw_engine_request_new ();
      GWeakRef weak;
      gboolean done = FALSE;

      request->module_id = g_strdup ("food");
      request->input_path = g_strdup (fixture ("orange.jpg"));
      request->input_mime = g_strdup ("image/jpeg");
      request->orientation = 1;
      g_weak_ref_init (&weak, engine);
      lw_engine_process_async (engine, request, NULL, drop_engine_cb, &done);
      g_object_unref (engine);
      g_assert_true (lw_test_wait_until (flag_set, &done, 30000));
      /* The task, and with it the engine, goes a moment after: the worker
       * drops its reference through this main context (it must never
       * drop the last one itself), so the wait keeps iterating it. A
       * drain before a plain sleep missed a worker that posted the unref
       * after the drain, slowed by the sanitizer (a CI failure). */
      g_assert_true (lw_test_wait_until (weak_ref_cleared, &weak, 5000));
      g_weak_ref_clear (&weak);
    }
}

int
main (int argc, char **argv)
{
  g_autofree char *private_tmp = g_build_filename (g_getenv ("TMPDIR") != NULL ? g_getenv ("TMPDIR") : "/tmp",
                                                   "lw-local-engine-tmp-XXXXXX", NULL);
  int status;

  /* A temporary folder of our own, before anything asks GLib for one: the
   * cancel test counts the engine's temporary files, and other test
   * programs render at the same time. */
  g_assert_nonnull (g_mkdtemp (private_tmp));
  g_setenv ("TMPDIR", private_tmp, TRUE);

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpstr (g_get_tmp_dir (), ==, private_tmp);
  tmpdir = lw_test_make_tmpdir ("lw-local-engine");
  fixtures = lw_test_copy_fixtures (tmpdir);

  g_test_add_func ("/local/engine/contract", test_contract);
  g_test_add_func ("/local/engine/orient-map", test_orient_map);
  g_test_add_func ("/local/engine/orientation", test_orientation);
  g_test_add_func ("/local/engine/alpha", test_alpha);
  g_test_add_func ("/local/engine/instructions", test_instructions);
  g_test_add_func ("/local/engine/white-background-not-found", test_white_background_not_found);
  g_test_add_func ("/local/engine/bad-input", test_bad_input);
  g_test_add_func ("/local/engine/odd-inputs", test_odd_inputs);
  g_test_add_func ("/local/engine/grey-stays-grey", test_grey_stays_grey);
  g_test_add_func ("/local/engine/median", test_median);
  g_test_add_func ("/local/engine/encode", test_encode);
  g_test_add_func ("/local/engine/cmyk", test_cmyk);
  g_test_add_func ("/local/engine/tungsten-greys", test_tungsten_greys);
  g_test_add_func ("/local/engine/clipped-card", test_clipped_card);
  g_test_add_func ("/local/engine/cancel", test_cancel);
  g_test_add_func ("/local/engine/threads-same-bytes", test_threads_same_bytes);
  g_test_add_func ("/local/engine/engine-dropped-in-flight", test_engine_dropped_in_flight);
  status = g_test_run ();

  g_ptr_array_unref (fixtures);
  lw_test_rmtree (tmpdir);
  g_free (tmpdir);
  lw_test_rmtree (private_tmp);
  return status;
}

/* test-results.c — nothing lost through the model (docs/ARCHITECTURE.md,
 * "Results"): the checks fire on a swapped picture, a crop, a wrong shape
 * and a grey product background and pass good results; colour survives
 * the round trip from P3, Adobe RGB and CMYK originals (ΔE2000 < 2 on flat
 * patches); metadata, size and format survive export. Real SQLite, real
 * files, fixtures copied to a temporary folder; the "engine" is the
 * identity: the result is what lw_gemini_input_prepare() would send. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gexiv2/gexiv2.h>
#include <glib/gstdio.h>
#include <lcms2.h>

#include "lw-colour.h"
#include "lw-core.h"
#include "lw-export.h"
#include "lw-export-render.h"
#include "lw-gemini-input.h"
#include "lw-image-io.h"
#include "lw-metadata.h"
#include "lw-prompt.h"
#include "lw-result-check.h"
#include "lw-settings.h"
#include "lw-test-util.h"

/* ---- helpers ------------------------------------------------------------ */

static char *
copy_fixture (const char *dir, const char *name)
{
  g_autofree char *src = g_build_filename (lw_test_fixtures_dir (), name, NULL);
  char *dest = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  lw_test_write_file (dest, contents, len);
  return dest;
}

static GBytes *
encode (GdkPixbuf *pixbuf, const char *type, const char *icc_base64)
{
  gchar *buffer = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  char *keys[3] = { NULL, NULL, NULL };
  char *values[3] = { NULL, NULL, NULL };
  int n = 0;

  if (icc_base64 != NULL && g_str_equal (type, "png"))
    {
      g_autoptr(GBytes) plain = encode (pixbuf, "png", NULL);
      gsize icc_len = 0;
      guchar *icc_data = g_base64_decode (icc_base64, &icc_len);
      g_autoptr(GBytes) icc = g_bytes_new_take (icc_data, icc_len);

      return lw_colour_png_with_icc (plain, icc);
    }
  if (icc_base64 != NULL)
    {
      keys[n] = (char *) "icc-profile";
      values[n++] = (char *) icc_base64;
    }
  if (g_str_equal (type, "jpeg"))
    {
      keys[n] = (char *) "quality";
      values[n++] = (char *) "95";
    }
  g_assert_true (gdk_pixbuf_save_to_bufferv (pixbuf, &buffer, &len, type, keys, values, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, len);
}

/* The result: src scaled to w × h, every value moved by tone (an edit). */
static GdkPixbuf *
edited (GdkPixbuf *src, int w, int h, int tone)
{
  GdkPixbuf *out = gdk_pixbuf_scale_simple (src, w, h, GDK_INTERP_BILINEAR);
  guint8 *p = gdk_pixbuf_get_pixels (out);
  int n = gdk_pixbuf_get_n_channels (out), stride = gdk_pixbuf_get_rowstride (out);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < 3; c++)
        {
          guint8 *v = p + (gsize) y * stride + (gsize) x * n + c;

          *v = (guint8) CLAMP (*v + tone + (c == 0 ? 6 : 0), 0, 255);
        }
  return out;
}

/* Paints the outer band (share of each side) of pixbuf with grey g. */
static void
paint_border (GdkPixbuf *pixbuf, double share, guint8 g)
{
  int w = gdk_pixbuf_get_width (pixbuf), h = gdk_pixbuf_get_height (pixbuf);
  int n = gdk_pixbuf_get_n_channels (pixbuf), stride = gdk_pixbuf_get_rowstride (pixbuf);
  int bx = (int) ceil (w * share), by = (int) ceil (h * share);
  guint8 *p = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (x < bx || x >= w - bx || y < by || y >= h - by)
        memset (p + (gsize) y * stride + (gsize) x * n, g, 3);
}

static char *
check (const char *original, int orientation, GdkPixbuf *result, const char *module, double aspect, char **note)
{
  g_autoptr(GBytes) bytes = encode (result, "jpeg", NULL);
  char *reason = NULL;
  char *n = NULL;

  lw_result_check_bytes (original, orientation, bytes, aspect, module, &reason, &n);
  if (note != NULL)
    *note = n;
  else
    g_free (n);
  return reason;
}

/* ---- the checks --------------------------------------------------------- */

static void
test_checks (void)
{
  static const char *names[] = { "building.jpg", "fruits.jpg", "grace_hopper.jpg", "orange.jpg", "chelsea.png",
                                 "coffee.png" };
  g_autofree char *dir = lw_test_make_tmpdir ("lw-results");
  double worst_good = 2, best_swap = -2, best_crop = -2;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = copy_fixture (dir, names[i]);
      g_autofree char *other_path = copy_fixture (dir, names[(i + 1) % G_N_ELEMENTS (names)]);
      g_autoptr(GdkPixbuf) original = lw_image_load_oriented (path, 1, 0, NULL, NULL);
      g_autoptr(GdkPixbuf) other = lw_image_load_oriented (other_path, 1, 0, NULL, NULL);
      int ow = gdk_pixbuf_get_width (original), oh = gdk_pixbuf_get_height (original);
      double s = 1024.0 / MAX (ow, oh);
      int w = (int) (ow * s + 0.5), h = (int) (oh * s + 0.5);
      g_autoptr(GdkPixbuf) good = edited (original, w, h, 18);
      g_autoptr(GdkPixbuf) swapped = edited (other, w, h, 0);
      g_autoptr(GdkPixbuf) sub = gdk_pixbuf_new_subpixbuf (original, ow * 3 / 10, oh * 3 / 10, ow * 4 / 10,
                                                           oh * 4 / 10);
      g_autoptr(GdkPixbuf) cropped = edited (sub, w, h, 0);
      g_autoptr(GdkPixbuf) wide = edited (original, w, (int) (w * 9.0 / 16), 0);
      g_autofree char *r_good = check (path, 1, good, "food", 0, NULL);
      g_autofree char *r_swap = check (path, 1, swapped, "food", 0, NULL);
      g_autofree char *r_crop = check (path, 1, cropped, "food", 0, NULL);
      g_autofree char *r_wide = NULL;
      double ssim_good = lw_result_check_ssim (original, good);
      double ssim_swap = lw_result_check_ssim (original, swapped);
      double ssim_crop = lw_result_check_ssim (original, cropped);

      g_test_message ("%s: SSIM good %.3f, swapped %.3f, crop to 40 %% %.3f", names[i], ssim_good, ssim_swap,
                      ssim_crop);
      worst_good = MIN (worst_good, ssim_good);
      best_swap = MAX (best_swap, ssim_swap);
      best_crop = MAX (best_crop, ssim_crop);
      g_assert_null (r_good);
      g_assert_nonnull (r_swap);
      g_assert_nonnull (strstr (r_swap, "different picture"));
      g_assert_nonnull (r_crop);
      g_assert_nonnull (strstr (r_crop, "different crop"));
      /* Not 16:9 unless the photo is: then ask for 1:1 instead. */
      if (fabs ((double) ow / oh - 16.0 / 9) > 0.05)
        r_wide = check (path, 1, wide, "food", 0, NULL);
      else
        r_wide = check (path, 1, wide, "food", 1.0, NULL);
      g_assert_nonnull (r_wide);
      g_assert_nonnull (strstr (r_wide, "asked for"));
      /* The same result, asked at Gemini's nearest ratio, passes the shape. */
      {
        g_autoptr(GdkPixbuf) asked = edited (original, w, (int) (w / lw_gemini_aspect_ratio_value (
                                                              lw_gemini_nearest_aspect_ratio (ow, oh)) + 0.5), 10);
        g_autofree char *r = check (path, 1, asked, "food",
                                    lw_gemini_aspect_ratio_value (lw_gemini_nearest_aspect_ratio (ow, oh)), NULL);

        g_assert_true (r == NULL || strstr (r, "asked for") == NULL);
      }

      /* Product Studio: a white border passes, a grey one does not. */
      {
        g_autoptr(GdkPixbuf) white = gdk_pixbuf_copy (good);
        g_autoptr(GdkPixbuf) grey = gdk_pixbuf_copy (good);
        g_autofree char *r_white = NULL;
        g_autofree char *r_grey = NULL;

        paint_border (white, 0.12, 255);
        paint_border (grey, 0.12, 200);
        r_white = check (path, 1, white, "product", 0, NULL);
        r_grey = check (path, 1, grey, "product", 0, NULL);
        g_test_message ("%s: product white border %.2f, grey %.2f; SSIM %.3f", names[i],
                        lw_result_check_whiteness (white), lw_result_check_whiteness (grey),
                        lw_result_check_ssim (original, white));
        g_assert_null (r_white);
        g_assert_nonnull (r_grey);
        g_assert_nonnull (strstr (r_grey, "not white"));
        /* The food module does not ask for white. */
        g_free (r_grey);
        r_grey = check (path, 1, grey, "food", 0, NULL);
        g_assert_null (r_grey);
      }
    }
  g_test_message ("SSIM: worst good %.3f (floor %.2f), best swapped %.3f, best crop %.3f", worst_good,
                  lw_result_check_ssim_floor ("food"), best_swap, best_crop);

  /* A result that is not an image needs review, never "passed". */
  {
    g_autofree char *path = copy_fixture (dir, "orange.jpg");
    g_autoptr(GBytes) junk = g_bytes_new_static ("not an image", 12);
    char *reason = NULL, *note = NULL;

    lw_result_check_bytes (path, 1, junk, 0, "food", &reason, &note);
    g_assert_nonnull (reason);
    g_assert_null (note);
    g_free (reason);
  }
  lw_test_rmtree (dir);
}

/* An original turned by EXIF (orientation 6) is checked upright: its upright
 * result passes, the unturned one fails the shape. */
static void
test_checks_orientation (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-results");
  g_autofree char *path = copy_fixture (dir, "building.jpg");
  g_autoptr(GExiv2Metadata) meta = gexiv2_metadata_new ();
  g_autoptr(GdkPixbuf) stored = lw_image_load_oriented (path, 1, 0, NULL, NULL);
  g_autoptr(GdkPixbuf) upright = gdk_pixbuf_rotate_simple (stored, GDK_PIXBUF_ROTATE_CLOCKWISE);
  g_autoptr(GdkPixbuf) good = edited (upright, gdk_pixbuf_get_width (upright) / 2,
                                      gdk_pixbuf_get_height (upright) / 2, 10);
  g_autoptr(GdkPixbuf) unturned = edited (stored, gdk_pixbuf_get_width (stored) / 2,
                                          gdk_pixbuf_get_height (stored) / 2, 10);
  g_autofree char *r_good = check (path, 6, good, "food", 0, NULL);
  g_autofree char *r_unturned = check (path, 6, unturned, "food", 0, NULL);

  g_assert_null (r_good);
  g_assert_nonnull (r_unturned);
  lw_test_rmtree (dir);
}

/* ---- colour --------------------------------------------------------------- */

#define PATCH 48
#define N_PATCHES 6

/* Moderate colours, inside sRGB from each source space (asserted). */
static const guint8 rgb_patches[N_PATCHES][3] = {
  { 180, 90, 80 }, { 100, 150, 100 }, { 80, 100, 160 }, { 210, 190, 140 }, { 128, 128, 128 }, { 60, 50, 40 },
};
static const guint8 cmyk_patches[N_PATCHES][4] = {
  { 20, 70, 70, 10 }, { 60, 10, 60, 10 }, { 70, 50, 10, 10 }, { 10, 15, 40, 5 }, { 0, 0, 0, 50 }, { 30, 40, 50, 60 },
};

static cmsHPROFILE
named (cmsHPROFILE profile, const char *name)
{
  cmsMLU *mlu = cmsMLUalloc (NULL, 1);

  cmsMLUsetASCII (mlu, "en", "US", name);
  cmsWriteTag (profile, cmsSigProfileDescriptionTag, mlu);
  cmsMLUfree (mlu);
  return profile;
}

static cmsHPROFILE
make_p3 (void)
{
  cmsCIExyY d65 = { 0.3127, 0.3290, 1.0 };
  cmsCIExyYTRIPLE p3 = { { 0.680, 0.320, 1 }, { 0.265, 0.690, 1 }, { 0.150, 0.060, 1 } };
  double params[5] = { 2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045 };
  cmsToneCurve *curve = cmsBuildParametricToneCurve (NULL, 4, params);
  cmsToneCurve *curves[3] = { curve, curve, curve };
  cmsHPROFILE profile = cmsCreateRGBProfile (&d65, &p3, curves);

  cmsFreeToneCurve (curve);
  return named (profile, "Display P3");
}

static cmsHPROFILE
make_adobe (void)
{
  cmsCIExyY d65 = { 0.3127, 0.3290, 1.0 };
  cmsCIExyYTRIPLE adobe = { { 0.64, 0.33, 1 }, { 0.21, 0.71, 1 }, { 0.15, 0.06, 1 } };
  cmsToneCurve *curve = cmsBuildGamma (NULL, 563.0 / 256);
  cmsToneCurve *curves[3] = { curve, curve, curve };
  cmsHPROFILE profile = cmsCreateRGBProfile (&d65, &adobe, curves);

  cmsFreeToneCurve (curve);
  return named (profile, "Adobe RGB (1998)");
}

/* A press-like CMYK profile: a 9-point CLUT from ink to Lab through a
 * simple model (ink absorbs, with a dot gain), enough for lcms2 to use it
 * as an input profile the way a real press profile is used. */
static cmsHTRANSFORM srgb_to_lab;

static int
cmyk_sampler (const cmsUInt16Number in[], cmsUInt16Number out[], void *data)
{
  double ink[4], rgb[3];
  cmsCIELab lab;

  for (int i = 0; i < 4; i++)
    ink[i] = pow (in[i] / 65535.0, 0.85);   /* dot gain */
  for (int i = 0; i < 3; i++)
    rgb[i] = (1 - ink[i]) * (1 - ink[3]) * 0.96 + 0.02;
  cmsDoTransform (srgb_to_lab, rgb, &lab, 1);
  cmsFloat2LabEncoded (out, &lab);
  return TRUE;
}

static cmsHPROFILE
make_cmyk (void)
{
  cmsHPROFILE srgb = cmsCreate_sRGBProfile ();
  cmsHPROFILE lab = cmsCreateLab4Profile (NULL);
  cmsHPROFILE profile = cmsCreateProfilePlaceholder (NULL);
  cmsPipeline *lut = cmsPipelineAlloc (NULL, 4, 3);
  cmsStage *clut = cmsStageAllocCLut16bit (NULL, 9, 4, 3, NULL);

  srgb_to_lab = cmsCreateTransform (srgb, TYPE_RGB_DBL, lab, TYPE_Lab_DBL, INTENT_RELATIVE_COLORIMETRIC, 0);
  cmsStageSampleCLut16bit (clut, cmyk_sampler, NULL, 0);
  cmsPipelineInsertStage (lut, cmsAT_BEGIN, clut);
  cmsSetProfileVersion (profile, 2.1);
  cmsSetDeviceClass (profile, cmsSigOutputClass);
  cmsSetColorSpace (profile, cmsSigCmykData);
  cmsSetPCS (profile, cmsSigLabData);
  cmsWriteTag (profile, cmsSigAToB0Tag, lut);
  cmsWriteTag (profile, cmsSigMediaWhitePointTag, (void *) cmsD50_XYZ ());
  cmsPipelineFree (lut);
  cmsDeleteTransform (srgb_to_lab);
  cmsCloseProfile (srgb);
  cmsCloseProfile (lab);
  return named (profile, "Test press CMYK");
}

static char *
profile_base64 (cmsHPROFILE profile, GBytes **bytes)
{
  cmsUInt32Number len = 0;
  guint8 *data;
  char *text;

  g_assert_true (cmsSaveProfileToMem (profile, NULL, &len));
  g_assert_cmpuint (len, >, 0);
  data = g_malloc (len);
  cmsSaveProfileToMem (profile, data, &len);
  text = g_base64_encode (data, len);
  *bytes = g_bytes_new_take (data, len);
  return text;
}

static GdkPixbuf *
patch_image (void)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 3 * PATCH, 2 * PATCH);

  for (int i = 0; i < N_PATCHES; i++)
    {
      g_autoptr(GdkPixbuf) sub = gdk_pixbuf_new_subpixbuf (pixbuf, (i % 3) * PATCH, (i / 3) * PATCH, PATCH, PATCH);

      gdk_pixbuf_fill (sub, ((guint32) rgb_patches[i][0] << 24) | ((guint32) rgb_patches[i][1] << 16)
                              | ((guint32) rgb_patches[i][2] << 8) | 0xFF);
    }
  return pixbuf;
}

static void
write_cmyk_jpeg (const char *path, GBytes *icc)
{
  g_autofree guint8 *stored = g_new (guint8, (gsize) 3 * PATCH * 2 * PATCH * 4);

  for (int y = 0; y < 2 * PATCH; y++)
    for (int x = 0; x < 3 * PATCH; x++)
      for (int c = 0; c < 4; c++)
        stored[((gsize) y * 3 * PATCH + x) * 4 + c] = (guint8) (255 - cmyk_patches[(y / PATCH) * 3 + x / PATCH][c] * 255 / 100);
  lw_test_write_cmyk_jpeg (path, 3 * PATCH, 2 * PATCH, stored, icc);
}

typedef struct {
  const char *name;
  const char *type;    /* "png", "jpeg", "cmyk" */
  cmsHPROFILE (*make) (void);
  gboolean    wide;
} ColourCase;

/* Identity engine round trip: original → what Gemini is sent → stored as
 * the result → exported; each patch's centre against the original's colour
 * converted through its own profile. */
static void
test_colour_round_trip (gconstpointer data)
{
  const ColourCase *cc = data;
  g_autofree char *dir = lw_test_make_tmpdir ("lw-colour");
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *path = g_build_filename (dir, cc->type[0] == 'p' ? "patches.png" : "patches.jpg", NULL);
  g_autoptr(GBytes) icc = NULL;
  g_autofree char *icc64 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = NULL;
  g_autoptr(LwGeminiInput) input = NULL;
  g_autoptr(GdkPixbuf) saved = NULL;
  g_autoptr(GBytes) saved_icc = NULL;
  g_autoptr(GBytes) srgb_icc = lw_colour_srgb_icc ();
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autofree char *saved_path = NULL;
  cmsHPROFILE source = cc->make ();
  cmsHPROFILE srgb = cmsCreate_sRGBProfile ();
  cmsHPROFILE lab = cmsCreateLab4Profile (NULL);
  cmsHTRANSFORM to_lab, srgb_lab, check_gamut;
  LwImageInfo info;
  LwImage *image;
  double worst = 0;
  char *reason = NULL, *note = NULL;

  icc64 = profile_base64 (source, &icc);
  if (g_str_equal (cc->type, "cmyk"))
    write_cmyk_jpeg (path, icc);
  else
    {
      g_autoptr(GdkPixbuf) patches = patch_image ();
      g_autoptr(GBytes) bytes = encode (patches, cc->type, icc64);

      lw_test_write_file (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }

  /* What is sent: sRGB, converted. */
  input = lw_gemini_input_prepare (path, NULL, 0, 0, 1, 2048, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (input->reencoded);

  /* Stored as the result of a job's photo, then exported. */
  core = lw_core_open_full (data_dir, NULL, LW_CORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  {
    LwStore *store = lw_core_get_store (core);
    LwBlobStore *blobs = lw_core_get_blobs (core);
    g_autoptr(LwImage) img = g_new0 (LwImage, 1);
    g_autoptr(GBytes) original = NULL;
    g_autoptr(GPtrArray) claimed = NULL;
    g_autofree char *key = NULL;
    gboolean dup = FALSE, fenced = TRUE;
    gsize len = 0;
    g_autofree char *contents = NULL;

    job = lw_store_create_job (store, NULL, "food", "nano_banana", NULL, 1000, &error);
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
    original = g_bytes_new (contents, len);
    g_assert_true (lw_image_probe (path, &(LwImageLimits) { 0, 0 }, &info, &error));
    img->job_id = job->id;
    img->original_name = g_path_get_basename (path);
    img->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, original);
    img->original_key = lw_blob_store_original_key (img->sha256);
    img->mime = g_strdup (info.mime);
    img->width = info.width;
    img->height = info.height;
    img->orientation = 1;
    img->bytes = (gint64) len;
    g_assert_true (lw_blob_store_put_bytes (blobs, img->original_key, original, &error));
    g_assert_true (lw_store_add_image (store, img, 1000, &dup, &error));
    g_assert_no_error (error);
    g_assert_true (lw_store_set_job_status (store, job->id, LW_JOB_PROCESSING, 1000, &error));
    claimed = lw_store_claim (store, "nano_banana", job->id, 1, "test:1:1", 1000, 60000, &error);
    g_assert_cmpuint (claimed->len, ==, 1);
    key = lw_blob_store_result_key (img->id, 1, input->mime);
    g_assert_true (lw_blob_store_put_bytes (blobs, key, input->data, &error));
    {
      g_autofree char *original_path = lw_blob_store_path (blobs, img->original_key);

      lw_result_check_bytes (original_path, 1, input->data, 0, "food", &reason, &note);
    }
    g_assert_true (lw_store_finish_checked (store, img->id, 1, key, input->mime, NULL, NULL, reason, note, 0, 2000,
                                            &fenced, &error));
    g_assert_no_error (error);
    g_assert_true (lw_export_job_full (store, blobs, job->id, out, NULL, LW_EXPORT_ALL, NULL, NULL, NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    images = lw_store_list_images (store, job->id, &error);
  }
  image = g_ptr_array_index (images, 0);
  /* The identity result passes every check; the note is for wide gamut only. */
  g_assert_null (image->review_reason);
  if (cc->wide)
    {
      g_assert_nonnull (image->note);
      g_assert_nonnull (strstr (image->note, cc->name));
    }
  else
    g_assert_null (image->note);

  {
    g_autoptr(GDir) d = g_dir_open (out, 0, NULL);
    const char *name = g_dir_read_name (d);

    g_assert_nonnull (name);
    saved_path = g_build_filename (out, name, NULL);
    /* PNG stays PNG, JPEG stays JPEG. */
    g_assert_true (g_str_has_suffix (name, cc->type[0] == 'p' ? ".png" : ".jpg"));
  }
  saved = gdk_pixbuf_new_from_file (saved_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (saved), ==, 3 * PATCH);
  /* Tagged with lcms2's standard sRGB profile, byte for byte. */
  saved_icc = lw_colour_pixbuf_icc (saved);
  g_assert_nonnull (saved_icc);
  g_assert_true (g_bytes_equal (saved_icc, srgb_icc));

  to_lab = cmsCreateTransform (source, g_str_equal (cc->type, "cmyk") ? TYPE_CMYK_8 : TYPE_RGB_8, lab,
                               TYPE_Lab_DBL, INTENT_RELATIVE_COLORIMETRIC, 0);
  srgb_lab = cmsCreateTransform (srgb, TYPE_RGB_DBL, lab, TYPE_Lab_DBL, INTENT_RELATIVE_COLORIMETRIC, 0);
  check_gamut = cmsCreateTransform (source, g_str_equal (cc->type, "cmyk") ? TYPE_CMYK_8 : TYPE_RGB_8, srgb,
                                    TYPE_RGB_DBL, INTENT_RELATIVE_COLORIMETRIC, 0);
  for (int i = 0; i < N_PATCHES; i++)
    {
      cmsCIELab want, got;
      double mean[3] = { 0, 0, 0 }, in_srgb[3], de;
      guint8 device[4];
      int n = gdk_pixbuf_get_n_channels (saved), stride = gdk_pixbuf_get_rowstride (saved);
      const guint8 *px = gdk_pixbuf_read_pixels (saved);
      int x0 = (i % 3) * PATCH + PATCH / 4, y0 = (i / 3) * PATCH + PATCH / 4;

      if (g_str_equal (cc->type, "cmyk"))
        for (int c = 0; c < 4; c++)
          device[c] = (guint8) (cmyk_patches[i][c] * 255 / 100);
      else
        memcpy (device, rgb_patches[i], 3);
      cmsDoTransform (to_lab, device, &want, 1);
      cmsDoTransform (check_gamut, device, in_srgb, 1);
      for (int c = 0; c < 3; c++)
        g_assert_true (in_srgb[c] > -0.001 && in_srgb[c] < 1.001);   /* a patch sRGB can show */
      for (int y = y0; y < y0 + PATCH / 2; y++)
        for (int x = x0; x < x0 + PATCH / 2; x++)
          for (int c = 0; c < 3; c++)
            mean[c] += px[(gsize) y * stride + (gsize) x * n + c] / 255.0 / (PATCH / 2 * PATCH / 2);
      cmsDoTransform (srgb_lab, mean, &got, 1);
      de = cmsCIE2000DeltaE (&want, &got, 1, 1, 1);
      worst = MAX (worst, de);
    }
  g_test_message ("%s: worst ΔE2000 after the round trip %.2f", cc->name, worst);
  g_assert_cmpfloat (worst, <, 2.0);

  /* Without the conversion the difference would be visible: the test can fail. */
  if (!g_str_equal (cc->type, "cmyk"))
    {
      cmsCIELab want, naive;
      double as_srgb[3];

      cmsDoTransform (to_lab, rgb_patches[1], &want, 1);
      for (int c = 0; c < 3; c++)
        as_srgb[c] = rgb_patches[1][c] / 255.0;
      cmsDoTransform (srgb_lab, as_srgb, &naive, 1);
      g_test_message ("%s: ΔE2000 of the green patch sent unconverted %.2f", cc->name,
                      cmsCIE2000DeltaE (&want, &naive, 1, 1, 1));
      g_assert_cmpfloat (cmsCIE2000DeltaE (&want, &naive, 1, 1, 1), >, 2.0);
    }
  cmsDeleteTransform (to_lab);
  cmsDeleteTransform (srgb_lab);
  cmsDeleteTransform (check_gamut);
  cmsCloseProfile (source);
  cmsCloseProfile (srgb);
  cmsCloseProfile (lab);
  g_free (reason);
  g_free (note);
  g_clear_object (&core);
  lw_test_rmtree (dir);
}

/* ---- metadata, size, format --------------------------------------------- */

/* A job with one done photo: original at path (its metadata as written),
 * result the given bytes. */
static gint64
done_job (LwCore *core, const char *path, const char *module, GBytes *result, const char *result_mime)
{
  LwStore *store = lw_core_get_store (core);
  LwBlobStore *blobs = lw_core_get_blobs (core);
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = lw_store_create_job (store, NULL, module, "local", NULL, 1000, &error);
  g_autoptr(LwImage) img = g_new0 (LwImage, 1);
  g_autoptr(GBytes) original = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autofree char *key = NULL;
  g_autofree char *contents = NULL;
  gboolean dup = FALSE, fenced = TRUE;
  LwImageInfo info;
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  original = g_bytes_new (contents, len);
  g_assert_true (lw_image_probe (path, &(LwImageLimits) { 0, 0 }, &info, &error));
  img->job_id = job->id;
  img->original_name = g_path_get_basename (path);
  img->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, original);
  img->original_key = lw_blob_store_original_key (img->sha256);
  img->mime = g_strdup (info.mime);
  img->width = info.width;
  img->height = info.height;
  img->orientation = info.orientation;
  img->bytes = (gint64) len;
  img->specific_prompt = g_strdup ("Warmer, please");
  g_assert_true (lw_blob_store_put_bytes (blobs, img->original_key, original, &error));
  g_assert_true (lw_store_add_image (store, img, 1000, &dup, &error));
  g_assert_true (lw_store_set_job_status (store, job->id, LW_JOB_PROCESSING, 1000, &error));
  claimed = lw_store_claim (store, "local", job->id, 1, "test:1:1", 1000, 60000, &error);
  g_assert_cmpuint (claimed->len, ==, 1);
  key = lw_blob_store_result_key (img->id, 1, result_mime);
  g_assert_true (lw_blob_store_put_bytes (blobs, key, result, &error));
  {
    /* The take records the prompt it answered (the 2-prompt rule's). */
    g_autofree char *asked = lw_prompt_compose (job->prompt, img->specific_prompt);

    g_assert_true (lw_store_finish_completed (store, img->id, 1, key, result_mime, NULL, asked, 0, 2000, &fenced,
                                              &error));
  }
  g_assert_no_error (error);
  return job->id;
}

static char *
export_one (LwCore *core, gint64 job_id, const char *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;
  guint written = 0;

  lw_test_rmtree (out);
  lw_export_job (lw_core_get_store (core), lw_core_get_blobs (core), job_id, out, NULL, LW_EXPORT_ALL, NULL, NULL, &written, NULL,
                 NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, 1);
  d = g_dir_open (out, 0, NULL);
  return g_build_filename (out, g_dir_read_name (d), NULL);
}

static void
test_metadata_round_trip (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-meta");
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *path = copy_fixture (dir, "building.jpg");
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = NULL;
  g_autoptr(GdkPixbuf) stored = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;
  g_autoptr(GdkPixbuf) result = NULL;
  g_autoptr(GBytes) result_bytes = NULL;
  g_autoptr(GExiv2Metadata) meta = gexiv2_metadata_new ();
  g_autoptr(GExiv2Metadata) back = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *prompt = NULL;
  g_auto(GStrv) keywords = NULL;
  const char *kw[] = { "bakery", "bread", NULL };
  g_autoptr(GdkPixbuf) thumb_src = NULL;
  g_autoptr(GBytes) thumb = NULL;
  guint8 *thumb_data = NULL;
  gint thumb_len = 0;
  gint64 job_id;
  int ow, oh;

  /* The original: a camera's tags, keywords, a location, a thumbnail and
   * orientation 6 (stored on its side). */
  stored = lw_image_load_oriented (path, 1, 0, NULL, NULL);
  thumb_src = gdk_pixbuf_scale_simple (stored, 160, 120, GDK_INTERP_BILINEAR);
  thumb = encode (thumb_src, "jpeg", NULL);
  g_assert_true (gexiv2_metadata_open_path (meta, path, &error));
  g_assert_true (gexiv2_metadata_try_set_tag_string (meta, "Exif.Image.Make", "Canon", &error));
  g_assert_true (gexiv2_metadata_try_set_tag_string (meta, "Exif.Image.Model", "Canon EOS R5", &error));
  g_assert_true (gexiv2_metadata_try_set_tag_string (meta, "Exif.Image.Copyright", "© 2024 Bakery Ltd", &error));
  g_assert_true (gexiv2_metadata_try_set_tag_string (meta, "Iptc.Application2.Caption", "Our sourdough", &error));
  g_assert_true (gexiv2_metadata_try_set_tag_multiple (meta, "Iptc.Application2.Keywords", kw, &error));
  g_assert_true (gexiv2_metadata_try_set_tag_multiple (meta, "Xmp.dc.subject", kw, &error));
  g_assert_true (gexiv2_metadata_try_set_gps_info (meta, 2.35, 48.85, 35, &error));
  gexiv2_metadata_try_set_orientation (meta, GEXIV2_ORIENTATION_ROT_90, &error);
  g_assert_no_error (error);
  gexiv2_metadata_try_set_exif_thumbnail_from_buffer (meta, g_bytes_get_data (thumb, NULL),
                                                      (gint) g_bytes_get_size (thumb), &error);
  g_assert_no_error (error);
  g_assert_true (gexiv2_metadata_save_file (meta, path, &error));
  g_assert_no_error (error);

  /* The model's answer: upright, about 1K, as a JPEG. */
  upright = gdk_pixbuf_rotate_simple (stored, GDK_PIXBUF_ROTATE_CLOCKWISE);
  ow = gdk_pixbuf_get_width (upright);
  oh = gdk_pixbuf_get_height (upright);
  result = edited (upright, ow * 1024 / MAX (ow, oh), oh * 1024 / MAX (ow, oh), 8);
  result_bytes = encode (result, "jpeg", NULL);

  core = lw_core_open_full (data_dir, NULL, LW_CORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  job_id = done_job (core, path, "food", result_bytes, "image/jpeg");
  {
    g_autoptr(LwJob) job = lw_store_get_job (lw_core_get_store (core), job_id, &error);
    g_autoptr(GPtrArray) images = lw_store_list_images (lw_core_get_store (core), job_id, &error);

    g_assert_nonnull (job->prompt);
    g_assert_cmpuint (strlen (job->prompt), >, 20);
    prompt = lw_prompt_compose (job->prompt, "Warmer, please");
    /* The instruction changes after the take: the stamp still says what
     * that take was asked. */
    g_assert_true (lw_store_set_image_prompt (lw_core_get_store (core), ((LwImage *) g_ptr_array_index (images, 0))->id,
                                              "Cooler, now", 3000, &error));
  }
  saved = export_one (core, job_id, out);
  g_assert_true (g_str_has_suffix (saved, ".jpg"));

  back = gexiv2_metadata_new ();
  g_assert_true (gexiv2_metadata_open_path (back, saved, &error));
  g_assert_no_error (error);
  {
    g_autofree char *make = gexiv2_metadata_try_get_tag_string (back, "Exif.Image.Make", NULL);
    g_autofree char *model = gexiv2_metadata_try_get_tag_string (back, "Exif.Image.Model", NULL);
    g_autofree char *copyright = gexiv2_metadata_try_get_tag_string (back, "Exif.Image.Copyright", NULL);
    g_autofree char *caption = gexiv2_metadata_try_get_tag_string (back, "Iptc.Application2.Caption", NULL);
    g_autofree char *module = gexiv2_metadata_try_get_tag_string (back, "Xmp.lightwork.module", NULL);
    g_autofree char *xmodel = gexiv2_metadata_try_get_tag_string (back, "Xmp.lightwork.model", NULL);
    g_autofree char *xprompt = gexiv2_metadata_try_get_tag_string (back, "Xmp.lightwork.prompt", NULL);
    g_autofree char *date = gexiv2_metadata_try_get_tag_string (back, "Xmp.lightwork.date", NULL);
    g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (saved, &error);

    g_assert_cmpstr (make, ==, "Canon");
    g_assert_cmpstr (model, ==, "Canon EOS R5");
    g_assert_cmpstr (copyright, ==, "© 2024 Bakery Ltd");
    g_assert_cmpstr (caption, ==, "Our sourdough");
    keywords = gexiv2_metadata_try_get_tag_multiple (back, "Iptc.Application2.Keywords", NULL);
    g_assert_nonnull (keywords);
    g_assert_true (g_strv_contains ((const char * const *) keywords, "bread"));
    g_assert_true (g_strv_contains ((const char * const *) keywords, "bakery"));
    /* Where it was taken is left out (export.strip_gps, default on). */
    g_assert_false (gexiv2_metadata_try_has_tag (back, "Exif.GPSInfo.GPSLatitude", NULL));
    g_assert_false (gexiv2_metadata_try_has_tag (back, "Exif.GPSInfo.GPSLongitude", NULL));
    /* Upright, and the original's thumbnail is gone. */
    g_assert_cmpint (gexiv2_metadata_try_get_orientation (back, NULL), ==, GEXIV2_ORIENTATION_NORMAL);
    g_assert_false (gexiv2_metadata_get_exif_thumbnail (back, &thumb_data, &thumb_len));
    g_free (thumb_data);
    /* How it was made. */
    g_assert_cmpstr (module, ==, "food");
    g_assert_cmpstr (xmodel, ==, "local");
    g_assert_cmpstr (xprompt, ==, prompt);
    g_assert_nonnull (date);
    g_assert_true (g_str_has_prefix (date, "1970-01-01T00:00:02"));
    /* The original's pixel size, upright (export.restore_size, default on). */
    g_assert_no_error (error);
    g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, ow);
    g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, oh);
  }

  /* With GPS kept on request, the location survives: the strip above was
   * the option's doing. */
  g_assert_true (lw_settings_set (lw_core_get_store (core), LW_SETTING_STRIP_GPS, "0", &error));
  g_assert_true (lw_settings_set (lw_core_get_store (core), LW_SETTING_RESTORE_SIZE, "0", &error));
  g_free (saved);
  saved = export_one (core, job_id, out);
  g_clear_object (&back);
  back = gexiv2_metadata_new ();
  g_assert_true (gexiv2_metadata_open_path (back, saved, &error));
  g_assert_true (gexiv2_metadata_try_has_tag (back, "Exif.GPSInfo.GPSLatitude", NULL));
  {
    g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (saved, &error);

    g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, gdk_pixbuf_get_width (result));
  }
  g_clear_object (&core);
  lw_test_rmtree (dir);
}

/* A PNG with alpha stays a PNG with alpha at the original's size; a chosen
 * format wins; Product Studio's square keeps its shape inside the box. */
static void
test_size_and_format (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-format");
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *path = g_build_filename (dir, "cutout.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = NULL;
  g_autoptr(GdkPixbuf) base = NULL;
  g_autoptr(GdkPixbuf) rgba = NULL;
  g_autoptr(GdkPixbuf) half = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) half_bytes = NULL;
  g_autofree char *saved = NULL;
  gint64 job_id;
  int w, h;

  {
    g_autofree char *fixture = g_build_filename (lw_test_fixtures_dir (), "coffee.png", NULL);

    base = gdk_pixbuf_new_from_file (fixture, &error);
    g_assert_no_error (error);
  }
  rgba = gdk_pixbuf_add_alpha (base, TRUE, 255, 255, 255);
  w = gdk_pixbuf_get_width (rgba);
  h = gdk_pixbuf_get_height (rgba);
  bytes = encode (rgba, "png", NULL);
  lw_test_write_file (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  half = gdk_pixbuf_scale_simple (rgba, w / 2, h / 2, GDK_INTERP_BILINEAR);
  half_bytes = encode (half, "png", NULL);

  core = lw_core_open_full (data_dir, NULL, LW_CORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  job_id = done_job (core, path, "product", half_bytes, "image/png");
  saved = export_one (core, job_id, out);
  g_assert_true (g_str_has_suffix (saved, ".png"));
  {
    g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (saved, &error);

    g_assert_no_error (error);
    g_assert_true (gdk_pixbuf_get_has_alpha (pixbuf));
    g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, w);
    g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, h);
  }
  g_assert_true (lw_settings_set (lw_core_get_store (core), LW_SETTING_EXPORT_FORMAT, "jpeg", &error));
  g_assert_false (lw_settings_set (lw_core_get_store (core), LW_SETTING_EXPORT_FORMAT, "gif", NULL));
  g_assert_false (lw_settings_set (lw_core_get_store (core), LW_SETTING_JPEG_QUALITY, "101", NULL));
  g_free (saved);
  saved = export_one (core, job_id, out);
  g_assert_true (g_str_has_suffix (saved, ".jpg"));

  /* A square from a 3:2 photo fits the photo's box: 4000 × 4000 for
   * 6000 × 4000; a 1024 × 683 result of it is 3:2 with rounding. */
  {
    int rw, rh;

    lw_export_restored_size (6000, 4000, 1024, 1024, &rw, &rh);
    g_assert_cmpint (rw, ==, 4000);
    g_assert_cmpint (rh, ==, 4000);
    lw_export_restored_size (6000, 4000, 1024, 683, &rw, &rh);
    g_assert_cmpint (rw, ==, 6000);
    g_assert_cmpint (rh, ==, 4000);
    /* Gemini's "4:3" is 1184 × 864, 2.8 % wider: kept, not stretched. */
    lw_export_restored_size (4000, 3000, 1184, 864, &rw, &rh);
    g_assert_cmpint (rw, ==, 4000);
    g_assert_cmpint (rh, ==, 2919);
  }
  g_clear_object (&core);
  lw_test_rmtree (dir);
}

static const ColourCase colour_cases[] = {
  { "Display P3", "png", make_p3, TRUE },
  { "Adobe RGB (1998)", "jpeg", make_adobe, TRUE },
  { "Test press CMYK", "cmyk", make_cmyk, FALSE },
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/results/checks", test_checks);
  g_test_add_func ("/results/checks-orientation", test_checks_orientation);
  g_test_add_data_func ("/results/colour/p3-png", &colour_cases[0], test_colour_round_trip);
  g_test_add_data_func ("/results/colour/adobe-rgb-jpeg", &colour_cases[1], test_colour_round_trip);
  g_test_add_data_func ("/results/colour/cmyk-jpeg", &colour_cases[2], test_colour_round_trip);
  g_test_add_func ("/results/metadata-round-trip", test_metadata_round_trip);
  g_test_add_func ("/results/size-and-format", test_size_and_format);
  return g_test_run ();
}

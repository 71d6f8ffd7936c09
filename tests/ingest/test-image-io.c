/* test-image-io.c — probing by content, limits, orientation, thumbnails,
 * and a seeded fuzz of the header parsers. */
#define _GNU_SOURCE   /* memfd_create */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lw-craft.h"
#include "lw-image-io.h"
#include "lw-test-util.h"

typedef struct {
  char      *dir;
  GPtrArray *photos;   /* the copied fixtures */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *photos = NULL;

  f->dir = lw_test_make_tmpdir ("lw-image-io");
  photos = g_build_filename (f->dir, "photos", NULL);
  f->photos = lw_test_copy_fixtures (photos);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  lw_test_rmtree (f->dir);
  g_free (f->dir);
  g_ptr_array_unref (f->photos);
}

static const char *
photo (Fixture *f, const char *name)
{
  for (guint i = 0; i < f->photos->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (f->photos, i), name))
      return g_ptr_array_index (f->photos, i);
  g_error ("no fixture %s", name);
  return NULL;
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static char *
write_bytes (Fixture *f, const char *name, GBytes *bytes)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_unlink (path);   /* lw_test_write_file does not truncate (GLib 2.74) */
  lw_test_write_file (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return path;
}

static char *
write_data (Fixture *f, const char *name, const void *data, gsize len)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_unlink (path);
  lw_test_write_file (path, data, len);
  return path;
}

/* Probes path and expects code; returns the message for the caller to check. */
static char *
probe_fails (const char *path, const LwImageLimits *limits, LwImageErrorCode code)
{
  g_autoptr(GError) error = NULL;
  LwImageInfo info;

  g_assert_false (lw_image_probe (path, limits, &info, &error));
  g_assert_error (error, LW_IMAGE_ERROR, (int) code);
  return g_strdup (error->message);
}

static void
probe_ok (const char *path, LwImageInfo *info)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lw_image_probe (path, NULL, info, &error));
  g_assert_no_error (error);
}

/* ---- the fixtures ------------------------------------------------------ */

static void
test_fixtures (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < f->photos->len; i++)
    {
      const char *path = g_ptr_array_index (f->photos, i);
      g_autoptr(GdkPixbuf) decoded = NULL;
      g_autoptr(GBytes) bytes = read_bytes (path);
      g_autoptr(GError) error = NULL;
      LwImageInfo info, from_bytes;
      struct stat st;

      probe_ok (path, &info);
      g_assert_cmpstr (info.mime, ==, g_str_has_suffix (path, ".jpg") ? "image/jpeg" : "image/png");
      decoded = gdk_pixbuf_new_from_file (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (info.width, ==, gdk_pixbuf_get_width (decoded));
      g_assert_cmpint (info.height, ==, gdk_pixbuf_get_height (decoded));
      g_assert_cmpint (info.has_alpha, ==, gdk_pixbuf_get_has_alpha (decoded));
      g_assert_cmpint (info.orientation, ==, 1);
      g_assert_cmpint (stat (path, &st), ==, 0);
      g_assert_cmpint (info.bytes, ==, st.st_size);

      /* From memory: the same answer. */
      g_assert_true (lw_image_probe_bytes (bytes, NULL, &from_bytes, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (from_bytes.mime, ==, info.mime);
      g_assert_cmpint (from_bytes.width, ==, info.width);
      g_assert_cmpint (from_bytes.height, ==, info.height);
      g_assert_cmpint (from_bytes.bytes, ==, info.bytes);
    }
}

/* ---- generated and hand-made formats ----------------------------------- */

static gboolean
can_save (const char *format)
{
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_autofree char *name = gdk_pixbuf_format_get_name (l->data);

      if (g_strcmp0 (name, format) == 0)
        return gdk_pixbuf_format_is_writable (l->data);
    }
  return FALSE;
}

static void
test_generated (Fixture *f, gconstpointer data)
{
  g_autoptr(GdkPixbuf) src = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tiff = g_build_filename (f->dir, "saved.tif.bin", NULL);
  g_autofree char *webp = g_build_filename (f->dir, "saved.webp.bin", NULL);
  LwImageInfo info;

  src = gdk_pixbuf_new_from_file (photo (f, "building.jpg"), &error);
  g_assert_no_error (error);

  /* TIFF, by gdk-pixbuf's own saver (the name says nothing: ".bin"). */
  g_assert_true (gdk_pixbuf_save (src, tiff, "tiff", &error, NULL));
  g_assert_no_error (error);
  probe_ok (tiff, &info);
  g_assert_cmpstr (info.mime, ==, "image/tiff");
  g_assert_cmpint (info.width, ==, gdk_pixbuf_get_width (src));
  g_assert_cmpint (info.height, ==, gdk_pixbuf_get_height (src));
  {
    g_autoptr(GBytes) thumb = lw_image_make_thumbnail (tiff, &info, 0, NULL, &error);
    g_autoptr(GdkPixbuf) decoded = NULL;
    g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("jpeg", NULL);

    g_assert_no_error (error);
    g_assert_true (gdk_pixbuf_loader_write_bytes (loader, thumb, &error));
    g_assert_true (gdk_pixbuf_loader_close (loader, &error));
    g_assert_no_error (error);
    decoded = g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
    g_assert_cmpint (MAX (gdk_pixbuf_get_width (decoded), gdk_pixbuf_get_height (decoded)), ==, LW_THUMBNAIL_LONG_EDGE);
  }

  if (!can_save ("webp"))
    {
      g_test_skip ("no WebP saver on this machine (webp-pixbuf-loader)");
      return;
    }
  g_assert_true (gdk_pixbuf_save (src, webp, "webp", &error, "quality", "80", NULL));
  g_assert_no_error (error);
  probe_ok (webp, &info);
  g_assert_cmpstr (info.mime, ==, "image/webp");
  g_assert_cmpint (info.width, ==, gdk_pixbuf_get_width (src));
  g_assert_cmpint (info.height, ==, gdk_pixbuf_get_height (src));
  g_assert_false (info.has_alpha);
}

static void
test_crafted_tiff (Fixture *f, gconstpointer data)
{
  for (int le = 0; le <= 1; le++)
    for (int long_values = 0; long_values <= 1; long_values++)
      {
        g_autoptr(GBytes) bytes = lw_craft_tiff (le, 37, 21, long_values, 8, FALSE);
        g_autoptr(GBytes) cut = lw_craft_tiff (le, 37, 21, long_values, 0, TRUE);
        g_autofree char *path = write_bytes (f, "crafted.tif", bytes);
        g_autofree char *cut_path = write_bytes (f, "cut.tif", cut);
        g_autofree char *message = NULL;
        g_autoptr(GdkPixbuf) decoded = NULL;
        g_autoptr(GError) error = NULL;
        LwImageInfo info;

        probe_ok (path, &info);
        g_assert_cmpstr (info.mime, ==, "image/tiff");
        g_assert_cmpint (info.width, ==, 37);
        g_assert_cmpint (info.height, ==, 21);
        g_assert_cmpint (info.orientation, ==, 8);
        /* A real decoder agrees with our reading of the hand-made file. */
        decoded = gdk_pixbuf_new_from_file (path, &error);
        g_assert_no_error (error);
        g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 37);
        g_assert_cmpint (gdk_pixbuf_get_height (decoded), ==, 21);

        message = probe_fails (cut_path, NULL, LW_IMAGE_ERROR_TRUNCATED);
        g_assert_cmpstr (message, ==, "truncated TIFF");
      }
}

static void
test_crafted_webp (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) vp8x = lw_craft_webp_vp8x (5000, 3000, TRUE, 6);
  g_autoptr(GBytes) vp8l = lw_craft_webp_vp8l (640, 480, FALSE);
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (vp8x, 0, g_bytes_get_size (vp8x) - 10);
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;
  LwImageInfo info;

  g_assert_true (lw_image_probe_bytes (vp8x, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.mime, ==, "image/webp");
  g_assert_cmpint (info.width, ==, 5000);
  g_assert_cmpint (info.height, ==, 3000);
  g_assert_true (info.has_alpha);
  g_assert_cmpint (info.orientation, ==, 6);

  g_assert_true (lw_image_probe_bytes (vp8l, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.width, ==, 640);
  g_assert_cmpint (info.height, ==, 480);
  g_assert_false (info.has_alpha);

  g_assert_false (lw_image_probe_bytes (cut, NULL, &info, &error));
  g_assert_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_TRUNCATED);
  g_assert_cmpstr (error->message, ==, "truncated WebP");
}

static gboolean
have_loader_for (const char *mime)
{
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_auto(GStrv) mimes = gdk_pixbuf_format_get_mime_types (l->data);

      if (g_strv_contains ((const char * const *) mimes, mime))
        return TRUE;
    }
  return FALSE;
}

static void
test_crafted_heif (Fixture *f, gconstpointer data)
{
  static const guint32 heic_sizes[] = { 512, 512, 4032, 3024, 320, 240, 0 };
  static const guint32 avif_sizes[] = { 1920, 1080, 0 };
  g_autoptr(GBytes) heic = lw_craft_bmff ("heic", "mif1 heic", FALSE, FALSE, heic_sizes);
  g_autoptr(GBytes) mif1 = lw_craft_bmff ("mif1", "mif1 heic", TRUE, FALSE, heic_sizes);
  g_autoptr(GBytes) avif = lw_craft_bmff ("avif", "avif mif1 miaf", FALSE, TRUE, avif_sizes);
  g_autoptr(GBytes) video = lw_craft_bmff ("isom", "isom mp41", FALSE, FALSE, avif_sizes);
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (heic, 0, 60);
  g_autoptr(GError) error = NULL;
  LwImageInfo info;

  g_assert_false (lw_image_probe_bytes (video, NULL, &info, &error));
  g_assert_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_NOT_IMAGE);
  g_clear_error (&error);

  if (!have_loader_for ("image/heic"))
    {
      g_assert_false (lw_image_probe_bytes (heic, NULL, &info, &error));
      g_assert_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNSUPPORTED);
      g_assert_cmpstr (error->message, ==, "HEIC images need a loader that is not installed");
      return;
    }

  g_assert_true (lw_image_probe_bytes (heic, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.mime, ==, "image/heic");
  g_assert_cmpint (info.width, ==, 4032);   /* the largest ispe: not the thumbnail's */
  g_assert_cmpint (info.height, ==, 3024);
  g_assert_false (info.has_alpha);

  /* A quarter turn in irot: libheif delivers the picture turned. */
  g_assert_true (lw_image_probe_bytes (mif1, NULL, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.mime, ==, "image/heic");
  g_assert_cmpint (info.width, ==, 3024);
  g_assert_cmpint (info.height, ==, 4032);
  g_assert_cmpint (info.orientation, ==, 1);

  g_assert_false (lw_image_probe_bytes (cut, NULL, &info, &error));
  g_assert_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_TRUNCATED);
  g_assert_cmpstr (error->message, ==, "truncated HEIC");
  g_clear_error (&error);

  if (have_loader_for ("image/avif"))
    {
      g_assert_true (lw_image_probe_bytes (avif, NULL, &info, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (info.mime, ==, "image/avif");
      g_assert_cmpint (info.width, ==, 1920);
      g_assert_cmpint (info.height, ==, 1080);
      g_assert_true (info.has_alpha);
    }
}

/* Without gdk-pixbuf's HEIF and WebP loaders (an empty loader cache
 * leaves only the built-in PNG and JPEG ones), those files are refused
 * with words that say why. Runs in a child, where the cache is read anew. */
static void
test_missing_loader (Fixture *f, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      static const guint32 sizes[] = { 4032, 3024, 0 };
      g_autoptr(GBytes) heic = lw_craft_bmff ("heic", "mif1 heic", FALSE, FALSE, sizes);
      g_autoptr(GBytes) webp = lw_craft_webp_vp8l (640, 480, FALSE);
      g_autoptr(GBytes) jpeg = read_bytes (photo (f, "orange.jpg"));
      g_autoptr(GError) error = NULL;
      LwImageInfo info;

      g_assert_false (lw_image_probe_bytes (heic, NULL, &info, &error));
      g_assert_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNSUPPORTED);
      g_assert_cmpstr (error->message, ==, "HEIC images need a loader that is not installed");
      g_clear_error (&error);
      g_assert_false (lw_image_probe_bytes (webp, NULL, &info, &error));
      g_assert_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNSUPPORTED);
      g_assert_cmpstr (error->message, ==, "WebP images need a loader that is not installed");
      g_clear_error (&error);
      g_assert_true (lw_image_probe_bytes (jpeg, NULL, &info, &error));
      g_assert_no_error (error);
      return;
    }

  {
    g_autofree char *cache = g_build_filename (f->dir, "loaders.cache", NULL);
    g_autofree char *old = g_strdup (g_getenv ("GDK_PIXBUF_MODULE_FILE"));

    lw_test_write_file (cache, "", 0);
    g_setenv ("GDK_PIXBUF_MODULE_FILE", cache, TRUE);
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    if (old != NULL)
      g_setenv ("GDK_PIXBUF_MODULE_FILE", old, TRUE);
    else
      g_unsetenv ("GDK_PIXBUF_MODULE_FILE");
    g_test_trap_assert_passed ();
  }
}

/* ---- orientation ------------------------------------------------------- */

static void
test_exif_orientation (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) jpeg = read_bytes (photo (f, "building.jpg"));
  LwImageInfo plain;

  probe_ok (photo (f, "building.jpg"), &plain);
  g_assert_cmpint (plain.width, >, plain.height);   /* the test needs a landscape photo */

  for (int le = 0; le <= 1; le++)
    {
      g_autoptr(GBytes) turned = lw_craft_jpeg_with_orientation (jpeg, 6, le);
      g_autofree char *path = write_bytes (f, "turned.jpg", turned);
      g_autoptr(GBytes) thumb = NULL;
      g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
      g_autoptr(GError) error = NULL;
      GdkPixbuf *decoded;
      LwImageInfo info;

      probe_ok (path, &info);
      g_assert_cmpint (info.orientation, ==, 6);
      g_assert_cmpint (info.width, ==, plain.width);   /* as stored */
      g_assert_cmpint (info.height, ==, plain.height);

      thumb = lw_image_make_thumbnail (path, &info, LW_THUMBNAIL_LONG_EDGE, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (thumb, NULL), 3, "\xFF\xD8\xFF", 3);   /* JPEG */
      g_assert_true (gdk_pixbuf_loader_write_bytes (loader, thumb, &error));
      g_assert_true (gdk_pixbuf_loader_close (loader, &error));
      g_assert_no_error (error);
      decoded = gdk_pixbuf_loader_get_pixbuf (loader);
      /* Stored landscape, shown portrait. */
      g_assert_cmpint (gdk_pixbuf_get_height (decoded), ==, LW_THUMBNAIL_LONG_EDGE);
      g_assert_cmpint (gdk_pixbuf_get_width (decoded), <, gdk_pixbuf_get_height (decoded));
      g_assert_cmpint (ABS (gdk_pixbuf_get_width (decoded) - LW_THUMBNAIL_LONG_EDGE * plain.height / plain.width), <=, 1);
    }

  /* PNG's eXIf chunk is read too. */
  {
    g_autoptr(GBytes) png = read_bytes (photo (f, "coffee.png"));
    g_autoptr(GBytes) with_exif = lw_craft_png_with_exif (png, 3);
    g_autoptr(GError) error = NULL;
    LwImageInfo info;

    g_assert_true (lw_image_probe_bytes (with_exif, NULL, &info, &error));
    g_assert_no_error (error);
    g_assert_cmpint (info.orientation, ==, 3);
  }
}

/* Where upright pixel (x, y) comes from in the stored picture, for an
 * orientation, written out from the EXIF definitions independently of the
 * code under test. */
static void
stored_coords (int o, int w, int h, int x, int y, int *sx, int *sy)
{
  switch (o)
    {
    case 2: *sx = w - 1 - x; *sy = y; break;
    case 3: *sx = w - 1 - x; *sy = h - 1 - y; break;
    case 4: *sx = x; *sy = h - 1 - y; break;
    case 5: *sx = y; *sy = x; break;
    case 6: *sx = y; *sy = h - 1 - x; break;
    case 7: *sx = w - 1 - y; *sy = h - 1 - x; break;
    case 8: *sx = w - 1 - y; *sy = x; break;
    default: *sx = x; *sy = y; break;
    }
}

static void
test_orientation_pixels (Fixture *f, gconstpointer data)
{
  const int w = 7, h = 4;
  g_autoptr(GdkPixbuf) src = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  g_autofree char *path = g_build_filename (f->dir, "grid.png", NULL);
  g_autoptr(GError) error = NULL;

  /* Every pixel different: (x, y) coded in red and green. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint8 *p = gdk_pixbuf_get_pixels (src) + y * gdk_pixbuf_get_rowstride (src) + x * 3;

        p[0] = (guint8) (x * 30);
        p[1] = (guint8) (y * 60);
        p[2] = 7;
      }
  g_assert_true (gdk_pixbuf_save (src, path, "png", &error, NULL));
  g_assert_no_error (error);

  for (int o = 1; o <= 8; o++)
    {
      g_autoptr(GdkPixbuf) up = lw_image_load_oriented (path, o, 0, NULL, &error);
      int uw, uh;

      g_assert_no_error (error);
      uw = gdk_pixbuf_get_width (up);
      uh = gdk_pixbuf_get_height (up);
      g_assert_cmpint (uw, ==, o >= 5 ? h : w);
      g_assert_cmpint (uh, ==, o >= 5 ? w : h);
      for (int y = 0; y < uh; y++)
        for (int x = 0; x < uw; x++)
          {
            const guint8 *p = gdk_pixbuf_get_pixels (up) + y * gdk_pixbuf_get_rowstride (up)
                              + x * gdk_pixbuf_get_n_channels (up);
            int sx, sy;

            stored_coords (o, w, h, x, y, &sx, &sy);
            g_assert_cmpint (p[0], ==, sx * 30);
            g_assert_cmpint (p[1], ==, sy * 60);
          }
    }
}

static void
test_load_scaled (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) jpeg = read_bytes (photo (f, "building.jpg"));
  g_autoptr(GBytes) turned = lw_craft_jpeg_with_orientation (jpeg, 8, FALSE);
  g_autofree char *path = write_bytes (f, "turned8.jpg", turned);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GdkPixbuf) small = NULL;
  g_autoptr(GdkPixbuf) none = NULL;
  g_autoptr(GdkPixbuf) full = NULL;
  g_autoptr(GError) error = NULL;
  LwImageInfo info;

  probe_ok (path, &info);
  small = lw_image_load_oriented (path, info.orientation, 200, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_height (small), ==, 200);
  g_assert_cmpint (gdk_pixbuf_get_width (small), <, 200);

  /* Smaller than the limit: never scaled up. */
  full = lw_image_load_oriented (path, info.orientation, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (full), ==, info.height);
  g_assert_cmpint (gdk_pixbuf_get_height (full), ==, info.width);

  g_cancellable_cancel (cancellable);
  none = lw_image_load_oriented (path, info.orientation, 200, cancellable, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_thumbnail_alpha (Fixture *f, gconstpointer data)
{
  g_autoptr(GdkPixbuf) src = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 1000, 500);
  g_autofree char *path = g_build_filename (f->dir, "alpha.png", NULL);
  g_autoptr(GBytes) thumb = NULL;
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr(GError) error = NULL;
  GdkPixbuf *decoded;
  LwImageInfo info;

  gdk_pixbuf_fill (src, 0x40808080);
  g_assert_true (gdk_pixbuf_save (src, path, "png", &error, NULL));
  probe_ok (path, &info);
  g_assert_true (info.has_alpha);
  thumb = lw_image_make_thumbnail (path, &info, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (thumb, NULL), 8, "\x89PNG\r\n\x1A\n", 8);
  g_assert_true (gdk_pixbuf_loader_write_bytes (loader, thumb, &error));
  g_assert_true (gdk_pixbuf_loader_close (loader, &error));
  decoded = gdk_pixbuf_loader_get_pixbuf (loader);
  g_assert_true (gdk_pixbuf_get_has_alpha (decoded));
  g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 384);
  g_assert_cmpint (gdk_pixbuf_get_height (decoded), ==, 192);
}

/* ---- bad input --------------------------------------------------------- */

static void
test_bad_input (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) jpeg = read_bytes (photo (f, "building.jpg"));
  g_autoptr(GBytes) png = read_bytes (photo (f, "coffee.png"));
  gsize jpeg_len = g_bytes_get_size (jpeg), png_len = g_bytes_get_size (png);
  const guint8 *jpeg_data = g_bytes_get_data (jpeg, NULL);
  const guint8 *png_data = g_bytes_get_data (png, NULL);
  static const char text[] = "Shopping list:\n- eggs\n- flour\n";
  static const char svg[] = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>\n";
  static const char pdf[] = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n";
  static const char gif[] = "GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xFF\xFF\xFF!\xF9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0;";
  guint8 bmp[64] = { 'B', 'M' };
  guint8 fill[8192];
  struct {
    const char       *name;
    GBytes           *bytes;
    LwImageErrorCode  code;
    const char       *message;
  } cases[] = {
    { "empty.jpg", g_bytes_new_static ("", 0), LW_IMAGE_ERROR_EMPTY, "empty file" },
    { "list.jpg", g_bytes_new_static (text, sizeof text - 1), LW_IMAGE_ERROR_NOT_IMAGE, "not an image" },
    { "half.jpg", g_bytes_new (jpeg_data, jpeg_len / 2), LW_IMAGE_ERROR_TRUNCATED, "truncated JPEG" },
    /* Cut inside the headers: the marker walk runs off the end before SOS. */
    { "head.jpg", g_bytes_new (jpeg_data, 300), LW_IMAGE_ERROR_TRUNCATED, "truncated JPEG" },
    { "half.png", g_bytes_new (png_data, png_len / 2), LW_IMAGE_ERROR_TRUNCATED, "truncated PNG" },
    { "head.png", g_bytes_new (png_data, 20), LW_IMAGE_ERROR_TRUNCATED, "truncated PNG" },
    { "huge.png", lw_craft_png_header (30000, 30000, 2, TRUE), LW_IMAGE_ERROR_TOO_MANY_PIXELS,
      "900 megapixels, the limit is 100" },
    { "zero.png", lw_craft_png_header (0, 480, 2, TRUE), LW_IMAGE_ERROR_CORRUPT, "damaged PNG header (0 × 480 pixels)" },
    { "noend.png", lw_craft_png_header (64, 48, 2, FALSE), LW_IMAGE_ERROR_TRUNCATED, "truncated PNG" },
    { "anim.gif", g_bytes_new_static (gif, sizeof gif - 1), LW_IMAGE_ERROR_UNSUPPORTED, "GIF images are not supported" },
    { "logo.svg.png", g_bytes_new_static (svg, sizeof svg - 1), LW_IMAGE_ERROR_UNSUPPORTED, "SVG images are not supported" },
    { "doc.jpg", g_bytes_new_static (pdf, sizeof pdf - 1), LW_IMAGE_ERROR_NOT_IMAGE, "a PDF document, not an image" },
    { "pic.bmp", g_bytes_new_static (bmp, sizeof bmp), LW_IMAGE_ERROR_UNSUPPORTED, "BMP images are not supported" },
    /* Thousands of fill bytes where a marker should be: refused, not walked for ever. */
    { "fill.jpg", g_bytes_new_static (fill, sizeof fill), LW_IMAGE_ERROR_CORRUPT, "damaged JPEG header" },
  };

  bmp[14] = 40;   /* BITMAPINFOHEADER */
  memset (fill, 0xFF, sizeof fill);
  fill[1] = 0xD8;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_bytes (f, cases[i].name, cases[i].bytes);
      g_autofree char *message = NULL;
      g_autoptr(GError) error = NULL;
      LwImageInfo info;
      gint64 start = g_get_monotonic_time ();

      g_test_message ("%s", cases[i].name);
      message = probe_fails (path, NULL, cases[i].code);
      g_assert_cmpstr (message, ==, cases[i].message);
      /* A header is read, never a picture: every case answers at once. */
      g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);

      /* From memory: the same words. */
      g_assert_false (lw_image_probe_bytes (cases[i].bytes, NULL, &info, &error));
      g_assert_error (error, LW_IMAGE_ERROR, (int) cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_bytes_unref (cases[i].bytes);
    }

  /* A folder, a fifo (which must not block the probe), a missing file. */
  {
    g_autofree char *fifo = g_build_filename (f->dir, "pipe.jpg", NULL);
    g_autofree char *missing = g_build_filename (f->dir, "missing.jpg", NULL);
    g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL;

    g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
    m1 = probe_fails (fifo, NULL, LW_IMAGE_ERROR_NOT_IMAGE);
    g_assert_cmpstr (m1, ==, "not a regular file");
    m2 = probe_fails (f->dir, NULL, LW_IMAGE_ERROR_NOT_IMAGE);
    g_assert_cmpstr (m2, ==, "a folder, not an image");
    m3 = probe_fails (missing, NULL, LW_IMAGE_ERROR_UNREADABLE);
    g_assert_true (g_str_has_prefix (m3, "cannot be read: "));
  }
}

static void
test_unreadable (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "locked.jpg", NULL);
  g_autoptr(GBytes) jpeg = read_bytes (photo (f, "orange.jpg"));
  g_autofree char *message = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("root reads files whatever their mode");
      return;
    }
  lw_test_write_file (path, g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg));
  g_assert_cmpint (g_chmod (path, 0), ==, 0);
  message = probe_fails (path, NULL, LW_IMAGE_ERROR_UNREADABLE);
  g_assert_cmpstr (message, ==, "cannot be read: permission denied");
}

static void
test_limits (Fixture *f, gconstpointer data)
{
  const char *path = photo (f, "fruits.jpg");   /* 82 429 bytes */
  LwImageLimits limits = LW_IMAGE_LIMITS_DEFAULT;
  g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL;
  g_autoptr(GBytes) huge = lw_craft_png_header (10020, 10010, 6, TRUE);
  g_autoptr(GError) error = NULL;
  LwImageInfo info;

  limits.max_bytes = 50 * 1000;
  m1 = probe_fails (path, &limits, LW_IMAGE_ERROR_TOO_LARGE);
  g_assert_cmpstr (m1, ==, "0.1 MB, the limit is 0.05 MB");

  /* Just over: the number shows why ("100.3", not "100, the limit is 100"). */
  g_assert_false (lw_image_probe_bytes (huge, NULL, &info, &error));
  g_assert_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_TOO_MANY_PIXELS);
  g_assert_cmpstr (error->message, ==, "100.3 megapixels, the limit is 100");
  g_clear_error (&error);

  /* Exactly at the limits: accepted. */
  limits.max_bytes = 82429;
  probe_ok (path, &info);
  limits.max_pixels = (gint64) info.width * info.height;
  g_assert_true (lw_image_probe (path, &limits, &info, &error));
  g_assert_no_error (error);
  limits.max_pixels--;
  m2 = probe_fails (path, &limits, LW_IMAGE_ERROR_TOO_MANY_PIXELS);
  m3 = g_strdup_printf (" megapixels, the limit is %g", limits.max_pixels / 1e6);
  g_assert_true (g_str_has_suffix (m2, m3));

  /* The pixel limit is checked without decoding: 900 MP answers at once. */
  {
    g_autoptr(GBytes) giant = lw_craft_png_header (30000, 30000, 2, TRUE);
    gint64 start = g_get_monotonic_time ();

    limits = LW_IMAGE_LIMITS_DEFAULT;
    g_assert_false (lw_image_probe_bytes (giant, &limits, &info, &error));
    g_assert_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_TOO_MANY_PIXELS);
    g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 10);
  }
}

/* Data after the end marker (padding, a phone's motion-photo video) is no
 * truncation; an end marker that only the Exif thumbnail has is. */
static void
test_jpeg_trailing (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) jpeg = read_bytes (photo (f, "grace_hopper.jpg"));
  gsize len = g_bytes_get_size (jpeg);
  g_autoptr(GByteArray) padded = g_byte_array_new ();
  g_autoptr(GByteArray) appended = g_byte_array_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree guint8 *zeros = g_malloc0 (4096);
  g_autofree char *p1 = NULL, *p2 = NULL;
  LwImageInfo info;

  g_byte_array_append (padded, g_bytes_get_data (jpeg, NULL), (guint) len);
  g_byte_array_append (padded, zeros, 4096);
  p1 = write_data (f, "padded.jpg", padded->data, padded->len);
  probe_ok (p1, &info);

  g_byte_array_append (appended, g_bytes_get_data (jpeg, NULL), (guint) len);
  for (guint i = 0; i < 300 * 1024; i++)
    {
      guint8 b = (guint8) g_rand_int_range (rand, 0, 0xFF);   /* never FF: no marker in it */

      g_byte_array_append (appended, &b, 1);
    }
  p2 = write_data (f, "motion.jpg", appended->data, appended->len);
  probe_ok (p2, &info);
  g_assert_cmpint (info.width, >, 0);
}

static void
test_mime_extension (void)
{
  g_assert_cmpstr (lw_image_mime_to_extension ("image/jpeg"), ==, "jpg");
  g_assert_cmpstr (lw_image_mime_to_extension ("image/png"), ==, "png");
  g_assert_cmpstr (lw_image_mime_to_extension ("image/webp"), ==, "webp");
  g_assert_cmpstr (lw_image_mime_to_extension ("image/tiff"), ==, "tiff");
  g_assert_cmpstr (lw_image_mime_to_extension ("image/heic"), ==, "heic");
  g_assert_cmpstr (lw_image_mime_to_extension ("image/avif"), ==, "avif");
  g_assert_cmpstr (lw_image_mime_to_extension ("IMAGE/JPEG"), ==, "jpg");
  g_assert_cmpstr (lw_image_mime_to_extension ("image/png; charset=binary"), ==, "png");
  g_assert_cmpstr (lw_image_mime_to_extension ("image/pngx"), ==, "bin");
  g_assert_cmpstr (lw_image_mime_to_extension ("text/plain"), ==, "bin");
  g_assert_cmpstr (lw_image_mime_to_extension (NULL), ==, "bin");
}

/* ---- fuzz -------------------------------------------------------------- */

static void
check_same (gboolean ok_a, const GError *a, const LwImageInfo *ia,
            gboolean ok_b, const GError *b, const LwImageInfo *ib)
{
  if (ok_a != ok_b)
    g_test_message ("file: %s; memory: %s", a != NULL ? a->message : ia->mime, b != NULL ? b->message : ib->mime);
  g_assert_cmpint (ok_a, ==, ok_b);
  if (!ok_a)
    {
      g_assert_true (a->domain == LW_IMAGE_ERROR && b->domain == LW_IMAGE_ERROR);
      g_assert_cmpint (a->code, ==, b->code);
      g_assert_cmpstr (a->message, ==, b->message);
      return;
    }
  g_assert_cmpstr (ia->mime, ==, ib->mime);
  g_assert_cmpint (ia->width, ==, ib->width);
  g_assert_cmpint (ia->height, ==, ib->height);
  g_assert_cmpint (ia->orientation, ==, ib->orientation);
  g_assert_true (ia->width > 0 && ia->height > 0 && ia->orientation >= 1 && ia->orientation <= 8);
}

static void
write_mutant (int fd, GBytes *bytes)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gsize done = 0;

  g_assert_cmpint (ftruncate (fd, 0), ==, 0);
  while (done < len)
    {
      ssize_t n = pwrite (fd, data + done, len - done, (off_t) done);

      g_assert_cmpint (n, >, 0);
      done += (gsize) n;
    }
}

static void
test_fuzz (Fixture *f, gconstpointer data)
{
  const guint rounds = 200;
  /* The mutants live in memory (a memfd, opened by path through /proc):
   * thousands of files through the disk would be most of the suite's time. */
  int fd = memfd_create ("lw-mutant", MFD_CLOEXEC);
  g_autofree char *path = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autoptr(GPtrArray) seeds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint ok = 0, failed = 0, decoded = 0;
  guint32 seed = 20240611;

  g_assert_cmpint (fd, >=, 0);

  for (guint i = 0; i < f->photos->len; i++)
    g_ptr_array_add (seeds, read_bytes (g_ptr_array_index (f->photos, i)));
  /* Hand-made ones too, so every parser is shaken, not just JPEG and PNG. */
  {
    static const guint32 sizes[] = { 512, 512, 4032, 3024, 0 };

    g_ptr_array_add (seeds, lw_craft_tiff (TRUE, 40, 30, TRUE, 6, FALSE));
    g_ptr_array_add (seeds, lw_craft_tiff (FALSE, 40, 30, FALSE, 3, FALSE));
    g_ptr_array_add (seeds, lw_craft_webp_vp8x (300, 200, TRUE, 5));
    g_ptr_array_add (seeds, lw_craft_webp_vp8l (300, 200, TRUE));
    g_ptr_array_add (seeds, lw_craft_bmff ("heic", "mif1 heic", TRUE, TRUE, sizes));
  }

  for (guint s = 0; s < seeds->len; s++)
    {
      GBytes *orig = g_ptr_array_index (seeds, s);
      gsize orig_len = g_bytes_get_size (orig);
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed + s);

      for (guint r = 0; r < rounds; r++)
        {
          g_autoptr(GByteArray) m = g_byte_array_new ();
          g_autoptr(GBytes) bytes = NULL;
          g_autoptr(GError) e_file = NULL;
          g_autoptr(GError) e_mem = NULL;
          LwImageInfo i_file, i_mem;
          gboolean ok_file, ok_mem;
          guint kind = (guint) g_rand_int_range (rand, 0, 3);
          gsize len = orig_len;

          g_byte_array_append (m, g_bytes_get_data (orig, NULL), (guint) orig_len);
          if (kind != 1)   /* 0 and 2: cut at a random place */
            {
              len = (gsize) g_rand_int_range (rand, 0, (gint32) orig_len);
              g_byte_array_set_size (m, (guint) len);
            }
          if (kind != 0 && len > 0)   /* 1 and 2: flip bytes in the header */
            {
              int flips = g_rand_int_range (rand, 1, 17);

              for (int k = 0; k < flips; k++)
                {
                  gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) MIN (len, 2048));

                  m->data[at] = g_rand_boolean (rand) ? (guint8) g_rand_int_range (rand, 0, 256)
                                                      : (guint8) (m->data[at] ^ (1u << g_rand_int_range (rand, 0, 8)));
                }
            }
          bytes = g_byte_array_free_to_bytes (g_steal_pointer (&m));
          write_mutant (fd, bytes);

          ok_file = lw_image_probe (path, NULL, &i_file, &e_file);
          ok_mem = lw_image_probe_bytes (bytes, NULL, &i_mem, &e_mem);
          check_same (ok_file, e_file, &i_file, ok_mem, e_mem, &i_mem);
          if (ok_file)
            ok++;
          else
            failed++;

          /* Now and then decode what passed: a bad picture behind a good
           * header must come back as an error, not a crash. */
          if (ok_file && (r % 25) == 0)
            {
              g_autoptr(GError) error = NULL;
              g_autoptr(GBytes) thumb = lw_image_make_thumbnail (path, &i_file, 64, NULL, &error);

              g_assert_true ((thumb != NULL) != (error != NULL));
              if (error != NULL)
                g_assert_true (error->domain == LW_IMAGE_ERROR);
              decoded++;
            }
        }
    }
  close (fd);
  g_test_message ("fuzz: %u probes passed, %u refused, %u decoded", ok, failed, decoded);
  g_assert_cmpuint (ok, >, 0);
  g_assert_cmpuint (failed, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/image-io/fixtures", test_fixtures);
  ADD ("/image-io/generated", test_generated);
  ADD ("/image-io/crafted-tiff", test_crafted_tiff);
  ADD ("/image-io/crafted-webp", test_crafted_webp);
  ADD ("/image-io/crafted-heif", test_crafted_heif);
  ADD ("/image-io/missing-loader", test_missing_loader);
  ADD ("/image-io/exif-orientation", test_exif_orientation);
  ADD ("/image-io/orientation-pixels", test_orientation_pixels);
  ADD ("/image-io/load-scaled", test_load_scaled);
  ADD ("/image-io/thumbnail-alpha", test_thumbnail_alpha);
  ADD ("/image-io/bad-input", test_bad_input);
  ADD ("/image-io/unreadable", test_unreadable);
  ADD ("/image-io/limits", test_limits);
  ADD ("/image-io/jpeg-trailing", test_jpeg_trailing);
  ADD ("/image-io/fuzz", test_fuzz);
#undef ADD
  g_test_add_func ("/image-io/mime-extension", test_mime_extension);

  return g_test_run ();
}

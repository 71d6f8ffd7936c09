/* lw-gemini-test-util.c — photos and engine runs for the Gemini tests. */
#include "config.h"

#include <string.h>

#include "lw-gemini-input.h"
#include "lw-gemini-test-util.h"
#include "lw-image-io.h"
#include "lw-test-util.h"

/* LeakSanitizer (ASan builds): libsoup 3.2's server keeps the GSocket of
 * every connection a client closed while idle (fixed in libsoup 3.3), and
 * libsecret's file backend keeps a string per store. Neither is ours.
 * Matching them needs whole stacks: GLib has no frame pointers, so the
 * fast unwinder stops at g_malloc. */
const char *__asan_default_options (void);
const char *__lsan_default_suppressions (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions (void)
{
  return "leak:g_socket_accept\n"
         "leak:secret_password_storev_sync\n";
}

static void
save_jpeg_with_orientation (GdkPixbuf *pixbuf, const char *path, int orientation, int quality)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *q = g_strdup_printf ("%d", quality);
  gchar *buffer = NULL;
  gsize size = 0;

  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "jpeg", &error, "quality", q, NULL));
  g_assert_no_error (error);
  if (orientation >= 2 && orientation <= 8)
    {
      /* APP1 "Exif\0\0", big-endian TIFF header, one IFD entry:
       * Orientation (0x0112), SHORT, count 1, value. */
      const guint8 app1[] = {
        0xFF, 0xE1, 0x00, 0x22,
        'E', 'x', 'i', 'f', 0, 0,
        'M', 'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
        0x00, 0x01,
        0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, (guint8) orientation, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00,
      };
      g_autoptr(GByteArray) out = g_byte_array_new ();

      g_assert_cmpuint (sizeof app1, ==, 2 + 0x22);
      g_byte_array_append (out, (guint8 *) buffer, 2);   /* SOI */
      g_byte_array_append (out, app1, sizeof app1);
      g_byte_array_append (out, (guint8 *) buffer + 2, size - 2);
      lw_test_write_file (path, out->data, out->len);
    }
  else
    lw_test_write_file (path, buffer, size);
  g_free (buffer);
}

static GdkPixbuf *
make_pixbuf (int width, int height, guint32 seed, gboolean alpha)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  int square = MAX (4, MIN (width, height) / 8);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guchar *p = pixels + y * stride + x * channels;
        int noise = g_rand_int_range (rand, -12, 13);

        if (x < square && y < square)
          {
            p[0] = 230;
            p[1] = 20;
            p[2] = 20;
          }
        else
          {
            p[0] = (guchar) CLAMP (x * 200 / width + 20 + noise, 0, 255);
            p[1] = (guchar) CLAMP (y * 200 / height + 20 + noise, 0, 255);
            p[2] = (guchar) CLAMP ((int) (((guint32) (x + y) * 7 + seed) % 200) + noise, 0, 255);
          }
        if (alpha)
          p[3] = (guchar) (x < width / 2 ? 255 : 128);
      }
  return pixbuf;
}

void
lw_test_make_jpeg (const char *path, int width, int height, guint32 seed, int orientation, int quality)
{
  g_autoptr(GdkPixbuf) pixbuf = make_pixbuf (width, height, seed, FALSE);

  save_jpeg_with_orientation (pixbuf, path, orientation, quality);
}

void
lw_test_make_split_jpeg (const char *path, int width, int height, guint32 a, guint32 b)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GdkPixbuf) right = NULL;

  gdk_pixbuf_fill (pixbuf, (a << 8) | 0xff);
  right = gdk_pixbuf_new_subpixbuf (pixbuf, width / 2, 0, width - width / 2, height);
  gdk_pixbuf_fill (right, (b << 8) | 0xff);
  save_jpeg_with_orientation (pixbuf, path, 1, 92);
}

void
lw_test_make_png (const char *path, int width, int height, guint32 seed, gboolean alpha)
{
  g_autoptr(GdkPixbuf) pixbuf = make_pixbuf (width, height, seed, alpha);
  g_autoptr(GError) error = NULL;

  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  g_assert_no_error (error);
}

char *
lw_test_file_sha256 (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

GdkPixbuf *
lw_test_decode (GBytes *bytes)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (gdk_pixbuf_loader_write (loader, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                          &error));
  g_assert_true (gdk_pixbuf_loader_close (loader, &error));
  g_assert_no_error (error);
  return g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
}

guint32
lw_test_pixel (GdkPixbuf *pixbuf, int x, int y)
{
  const guchar *p = gdk_pixbuf_read_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf) +
                    x * gdk_pixbuf_get_n_channels (pixbuf);

  return ((guint32) p[0] << 16) | ((guint32) p[1] << 8) | p[2];
}

gboolean
lw_test_colour_near (guint32 a, guint32 b, int tolerance)
{
  for (int shift = 0; shift <= 16; shift += 8)
    if (ABS ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > tolerance)
      return FALSE;
  return TRUE;
}

LwEngineRequest *
lw_test_request_new (const char *path, const char *model, const char *prompt)
{
  LwEngineRequest *request = lw_engine_request_new ();
  g_autoptr(GError) error = NULL;
  LwImageInfo info;

  g_assert_true (lw_image_probe (path, &LW_IMAGE_LIMITS_DEFAULT, &info, &error));
  g_assert_no_error (error);
  request->image_id = 1;
  request->job_id = 1;
  request->attempt = 1;
  request->module_id = g_strdup ("food");
  request->model = g_strdup (model);
  request->input_path = g_strdup (path);
  request->input_mime = g_strdup (info.mime);
  request->width = info.width;
  request->height = info.height;
  request->orientation = info.orientation;
  request->prompt = g_strdup (prompt);
  request->module_prompt = g_strdup (prompt);
  return request;
}

typedef struct {
  gboolean        done;
  LwEngineResult *result;
  GError         *error;
} Run;

static void
run_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;

  run->result = lw_engine_process_finish (LW_ENGINE (source), result, &run->error);
  run->done = TRUE;
}

LwEngineResult *
lw_test_run_engine (LwEngine *engine, LwEngineRequest *request, GCancellable *cancellable, GError **error)
{
  Run run = { FALSE, NULL, NULL };
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  lw_engine_process_async (engine, request, cancellable, run_done_cb, &run);
  while (!run.done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_true ((run.result == NULL) != (run.error == NULL));
  if (run.error != NULL)
    g_propagate_error (error, run.error);
  return run.result;
}

LwFakeGemini *
lw_test_fake_start (void)
{
  LwFakeGemini *server = lw_fake_gemini_new ();
  g_autoptr(GError) error = NULL;

  lw_fake_gemini_set_key (server, LW_TEST_KEY);
  g_assert_true (lw_fake_gemini_start (server, 0, &error));
  g_assert_no_error (error);
  return server;
}

LwGeminiConfig *
lw_test_config_for (LwFakeGemini *server, gint64 timeout_ms)
{
  LwGeminiConfig *config = lw_gemini_config_new_default ();

  g_free (config->base_url);
  config->base_url = lw_fake_gemini_dup_base_url (server);
  config->timeout_ms[LW_GEMINI_TIER_FAST] = timeout_ms;
  config->timeout_ms[LW_GEMINI_TIER_PRO] = timeout_ms;
  config->connect_timeout_ms = MIN (timeout_ms, 5000);
  return config;
}

void
lw_test_drawn_region (int  width,
                      int  height,
                      int *x,
                      int *y,
                      int *w,
                      int *h)
{
  lw_fake_gemini_drawn_region (width, height, lw_gemini_nearest_aspect_ratio (width, height), x, y, w, h);
}

void
lw_test_assert_transform_of (GBytes    *result,
                             GdkPixbuf *original,
                             int        n,
                             int        tolerance)
{
  g_autoptr(GdkPixbuf) out = lw_test_decode (result);
  int x0, y0, w, h;

  lw_test_drawn_region (gdk_pixbuf_get_width (original), gdk_pixbuf_get_height (original), &x0, &y0, &w, &h);
  g_assert_cmpint (gdk_pixbuf_get_width (out), ==, w);
  g_assert_cmpint (gdk_pixbuf_get_height (out), ==, h);
  for (int j = 0; j < n; j++)
    for (int i = 0; i < n; i++)
      {
        int x = n > 1 ? i * (w - 1) / (n - 1) : w / 2;
        int y = n > 1 ? j * (h - 1) / (n - 1) : h / 2;
        guint32 want = 0xffffff ^ lw_test_pixel (original, x0 + w - 1 - x, y0 + y);
        guint32 got = lw_test_pixel (out, x, y);

        if (!lw_test_colour_near (got, want, tolerance))
          g_error ("answer pixel %d,%d is %06x, want %06x (the original's %d,%d mirrored and inverted)", x, y, got,
                   want, x0 + w - 1 - x, y0 + y);
      }
}

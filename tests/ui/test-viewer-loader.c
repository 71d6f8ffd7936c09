/* test-viewer-loader.c — the viewer's picture cache on its own: real photos
 * decoded by its thread pool, an LRU small enough to evict. */
#include "config.h"

#include <gtk/gtk.h>

#include "lw-test-util.h"
#include "lw-viewer-loader.h"

typedef struct {
  char *tmpdir;
  GPtrArray *paths;
} Fixture;

static void
got_picture (LwViewerPicture *picture,
             const GError    *error,
             gpointer         data)
{
  guint *count = data;

  g_assert_no_error ((GError *) error);
  g_assert_nonnull (picture);
  (*count)++;
}

static void
wait_idle (LwViewerLoader *loader)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (lw_viewer_loader_get_n_pending (loader) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (lw_viewer_loader_get_n_pending (loader), ==, 0);
}

/* The same picture decoded twice: a request cancelled after its decode had
 * finished (the decode is kept: it goes into the cache), then asked again
 * before that decode was delivered, which starts a second one. The cache
 * then got the same key twice; the first entry was freed but stayed in the
 * LRU, and evicting it read freed memory (AddressSanitizer: use after
 * free). Eviction is forced by photos larger than the whole cache. */
static void
test_same_picture_twice (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(LwViewerLoader) loader = lw_viewer_loader_new (1);
  const char *path = fx->paths->pdata[0];
  guint delivered = 0, id;
  gint64 deadline;

  id = lw_viewer_loader_request (loader, path, 200, 200, 0, got_picture, &delivered);
  g_assert_cmpuint (id, !=, 0);
  /* Without iterating the main context nothing is delivered: once the
   * worker has decoded it (its delivery source is ready, and the only
   * source there is), the cancel leaves a finished decode behind. */
  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  while (!g_main_context_pending (NULL) && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_true (g_main_context_pending (NULL));
  lw_viewer_loader_cancel (loader, id);
  id = lw_viewer_loader_request (loader, path, 200, 200, 0, got_picture, &delivered);
  g_assert_cmpuint (id, !=, 0);
  wait_idle (loader);
  g_assert_cmpuint (delivered, ==, 1);
  g_assert_cmpuint (lw_viewer_loader_get_n_decoded (loader), ==, 2);

  /* Every other photo evicts what the cache holds. */
  for (guint i = 1; i < fx->paths->len; i++)
    {
      lw_viewer_loader_request (loader, fx->paths->pdata[i], 200, 200, 0, got_picture, &delivered);
      wait_idle (loader);
    }
  g_assert_cmpuint (delivered, ==, fx->paths->len);
  /* The last one is still cached (the LRU keeps one whatever its size):
   * answered at once. */
  g_assert_cmpuint (lw_viewer_loader_request (loader, fx->paths->pdata[fx->paths->len - 1], 200, 200, 0,
                                              got_picture, &delivered), ==, 0);
  g_assert_cmpuint (delivered, ==, fx->paths->len + 1);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->tmpdir = lw_test_make_tmpdir ("lw-viewer-loader");
  fx->paths = lw_test_copy_fixtures (fx->tmpdir);
  g_assert_cmpuint (fx->paths->len, >=, 3);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_ptr_array_unref (fx->paths);
  lw_test_rmtree (fx->tmpdir);
  g_free (fx->tmpdir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/viewer-loader/same-picture-twice", Fixture, NULL, fixture_setup, test_same_picture_twice,
              fixture_teardown);
  return g_test_run ();
}

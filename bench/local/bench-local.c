/* bench-local.c — how fast the local engine is, and how much memory it takes.
 *
 * Generates 12 MP photos (fixture photos scaled to 4000 × 3000 with a
 * little sensor noise, JPEG 92), then for every module renders them through
 * the engine with 1 and with 2 worker threads and prints megapixels per
 * second and the peak resident memory. The floor to compare with is a
 * plain gdk-pixbuf decode + JPEG 92 encode of the same files. Last, one
 * 50 MP photo through Real Estate shows the memory bound.
 *
 * Each measurement runs in a child process of its own, so its peak RSS is
 * its own (getrusage of that process).
 *
 * Run:  LW_FIXTURES_DIR=../shared/fixtures/photos build/bench/local/bench-local
 *       [--photos N] [--no-50mp]
 */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "lw-local-engine.h"
#include "lw-test-util.h"

static double
peak_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;   /* kB on Linux */
}

/* User + system CPU seconds of this process: unlike wall time, not
 * inflated when other programs share the machine. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
         + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void
report (double megapixels, gint64 start, double cpu_start)
{
  printf ("%.3f %.3f %.1f\n", megapixels / ((g_get_monotonic_time () - start) / 1e6),
          (cpu_seconds () - cpu_start) / megapixels, peak_rss_mb ());
}

/* ---- child: one measurement ---- */

typedef struct {
  guint pending;
} Batch;

static void
done_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  Batch *batch = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = lw_engine_process_finish (LW_ENGINE (source), res, &error);

  if (error != NULL)
    g_error ("render failed: %s", error->message);
  batch->pending--;
}

static int
child_engine (const char *module, int threads, char **paths, int n)
{
  g_autoptr(LwLocalEngine) engine = lw_local_engine_new (threads);
  Batch batch = { (guint) n };
  double megapixels = 0, cpu_start;
  gint64 start;
  int i;

  for (i = 0; i < n; i++)
    {
      int w = 0, h = 0;

      gdk_pixbuf_get_file_info (paths[i], &w, &h);
      megapixels += w * (double) h / 1e6;
    }

  start = g_get_monotonic_time ();
  cpu_start = cpu_seconds ();
  for (i = 0; i < n; i++)
    {
      g_autoptr(LwEngineRequest) request = lw_engine_request_new ();

      request->image_id = i + 1;
      request->module_id = g_strdup (module);
      request->model = g_strdup ("local");
      request->input_path = g_strdup (paths[i]);
      request->input_mime = g_strdup ("image/jpeg");
      request->orientation = 1;
      lw_engine_process_async (LW_ENGINE (engine), request, NULL, done_cb, &batch);
    }
  while (batch.pending > 0)
    g_main_context_iteration (NULL, TRUE);

  report (megapixels, start, cpu_start);
  return 0;
}

static void
floor_one (gpointer data, gpointer user_data)
{
  const char *path = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_autofree char *buffer = NULL;
  gsize len = 0;

  if (pixbuf == NULL || !gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &len, "jpeg", &error,
                                                    "quality", "92", NULL))
    g_error ("floor: %s", error->message);
}

static int
child_floor (int threads, char **paths, int n)
{
  GThreadPool *pool = g_thread_pool_new (floor_one, NULL, threads, TRUE, NULL);
  double megapixels = 0, cpu_start = cpu_seconds ();
  gint64 start = g_get_monotonic_time ();
  int i;

  for (i = 0; i < n; i++)
    {
      int w = 0, h = 0;

      gdk_pixbuf_get_file_info (paths[i], &w, &h);
      megapixels += w * (double) h / 1e6;
      g_thread_pool_push (pool, paths[i], NULL);
    }
  g_thread_pool_free (pool, FALSE, TRUE);
  report (megapixels, start, cpu_start);
  return 0;
}

/* ---- parent: photos, children, table ---- */

static char *
make_photo (const char *src, int width, int height, guint32 seed, const char *dest)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) small = gdk_pixbuf_new_from_file (src, &error);
  g_autoptr(GdkPixbuf) big = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *px;
  int stride, nc, x, y, c;

  if (small == NULL)
    g_error ("%s", error->message);
  big = gdk_pixbuf_scale_simple (small, width, height, GDK_INTERP_BILINEAR);
  px = gdk_pixbuf_get_pixels (big);
  stride = gdk_pixbuf_get_rowstride (big);
  nc = gdk_pixbuf_get_n_channels (big);
  /* ±3 levels of noise: an upscaled photo is unnaturally smooth */
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      for (c = 0; c < 3; c++)
        {
          guint8 *p = px + (gsize) y * stride + (gsize) x * nc + c;
          int v = *p + g_rand_int_range (rand, -3, 4);

          *p = (guint8) CLAMP (v, 0, 255);
        }
  if (!gdk_pixbuf_save (big, dest, "jpeg", &error, "quality", "92", NULL))
    g_error ("%s", error->message);
  return g_strdup (dest);
}

static gboolean
measure (const char *self, const char *what, int threads, GPtrArray *paths,
         double *mps, double *cpu, double *rss)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;
  guint i;

  g_ptr_array_add (argv, g_strdup (self));
  g_ptr_array_add (argv, g_strdup ("--child"));
  g_ptr_array_add (argv, g_strdup (what));
  g_ptr_array_add (argv, g_strdup_printf ("%d", threads));
  for (i = 0; i < paths->len; i++)
    g_ptr_array_add (argv, g_strdup (paths->pdata[i]));
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, NULL, &status, &error)
      || !g_spawn_check_wait_status (status, &error)
      || sscanf (out, "%lf %lf %lf", mps, cpu, rss) != 3)
    {
      g_printerr ("%s with %d thread(s) failed: %s\n", what, threads,
                  error != NULL ? error->message : out);
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  static const char * const modules[] = {
    "food", "product", "portrait", "realestate", "remaster", "custom",
  };
  static const char * const sources[] = {
    "building.jpg", "coffee.png", "fruits.jpg", "grace_hopper.jpg",
  };
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) big = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = NULL;
  g_autofree char *self = NULL;
  int n_photos = 4, i;
  gboolean with_50mp = TRUE;
  guint m;

  if (argc >= 4 && g_str_equal (argv[1], "--child"))
    {
      if (g_str_equal (argv[2], "floor"))
        return child_floor (atoi (argv[3]), argv + 4, argc - 4);
      return child_engine (argv[2], atoi (argv[3]), argv + 4, argc - 4);
    }
  for (i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--photos") && i + 1 < argc)
        {
          /* not inside CLAMP, which evaluates its argument up to three
           * times: i went past the next option (--no-50mp was skipped) */
          int n = atoi (argv[++i]);

          n_photos = CLAMP (n, 2, 16);
        }
      else if (g_str_equal (argv[i], "--no-50mp"))
        with_50mp = FALSE;
    }

  self = g_file_read_link ("/proc/self/exe", NULL);
  if (self == NULL)
    self = g_strdup (argv[0]);
  dir = lw_test_make_tmpdir ("lw-bench-local");
  g_print ("Generating %d photos of 12 MP (4000 x 3000, JPEG 92)\n", n_photos);
  for (i = 0; i < n_photos; i++)
    {
      g_autofree char *src = g_build_filename (lw_test_fixtures_dir (), sources[i % G_N_ELEMENTS (sources)], NULL);
      g_autofree char *dest = g_strdup_printf ("%s/photo-%d.jpg", dir, i);

      g_ptr_array_add (paths, make_photo (src, 4000, 3000, (guint32) i + 1, dest));
    }

  g_print ("\n%-34s %8s %8s %10s %10s\n", "", "threads", "MP/s", "CPU s/MP", "peak RSS");
  for (i = 1; i <= 2; i++)
    {
      double mps, cpu, rss;

      if (measure (self, "floor", i, paths, &mps, &cpu, &rss))
        g_print ("%-34s %8d %8.2f %10.3f %7.0f MB\n", "floor: gdk-pixbuf decode + encode", i, mps, cpu, rss);
    }
  for (m = 0; m < G_N_ELEMENTS (modules); m++)
    for (i = 1; i <= 2; i++)
      {
        double mps, cpu, rss;

        if (measure (self, modules[m], i, paths, &mps, &cpu, &rss))
          g_print ("%-34s %8d %8.2f %10.3f %7.0f MB\n", modules[m], i, mps, cpu, rss);
      }

  if (with_50mp)
    {
      g_autofree char *src = g_build_filename (lw_test_fixtures_dir (), "building.jpg", NULL);
      g_autofree char *dest = g_strdup_printf ("%s/photo-50mp.jpg", dir);
      double mps, cpu, rss;

      g_print ("\nOne 50 MP photo (8660 x 5774):\n");
      g_ptr_array_add (big, make_photo (src, 8660, 5774, 99, dest));
      if (measure (self, "floor", 1, big, &mps, &cpu, &rss))
        g_print ("%-34s %8d %8.2f %10.3f %7.0f MB\n", "floor: gdk-pixbuf decode + encode", 1, mps, cpu, rss);
      if (measure (self, "realestate", 1, big, &mps, &cpu, &rss))
        g_print ("%-34s %8d %8.2f %10.3f %7.0f MB\n", "realestate, 50 MP", 1, mps, cpu, rss);
    }

  lw_test_rmtree (dir);
  return 0;
}

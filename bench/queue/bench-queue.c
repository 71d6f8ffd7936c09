/* bench-queue.c — how close the scheduler comes to the ideal throughput.
 *
 * A fake engine with log-normal latency (mean 200 ms, σ 0.5, real time)
 * serves 1,000 images at concurrency 2, 4 and 8, through the real store on
 * a real SQLite file and the real result writes. Ideal = concurrency / mean
 * latency. For comparison, the V4 web design's loop: claim N, wait for all
 * N, repeat (its Promise.allSettled pulse), on the same store and engine.
 *
 *   build/bench/queue/bench-queue [--images N] [--mean-ms MS] [--sigma S]
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lw-core.h"
#include "lw-fake-engine.h"
#include "lw-scheduler.h"
#include "lw-test-util.h"

static int n_images = 1000;
static int mean_ms = 200;
static double sigma = 0.5;

typedef struct {
  LwCore      *core;
  char        *dir;
  gint64       job_id;
} Bench;

static void
bench_setup (Bench *b, const char *model)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  LwStore *store;

  b->dir = lw_test_make_tmpdir ("lw-bench-queue");
  b->core = lw_core_open (b->dir, NULL, &error);
  g_assert_no_error (error);
  store = lw_core_get_store (b->core);
  job = lw_store_create_job (store, "bench", "food", model, NULL, 0, &error);
  g_assert_no_error (error);
  b->job_id = job->id;

  lw_store_begin (store, NULL);
  for (int k = 0; k < n_images; k++)
    {
      g_autofree char *content = g_strdup_printf ("bench original %d", k);
      g_autoptr(GBytes) bytes = g_bytes_new (content, strlen (content));
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
      g_autofree char *key = lw_blob_store_original_key (sha);
      g_autofree char *name = g_strdup_printf ("img-%04d.jpg", k);
      LwImage image = { 0 };
      gboolean dup;

      lw_blob_store_put_bytes (lw_core_get_blobs (b->core), key, bytes, &error);
      g_assert_no_error (error);
      image.job_id = job->id;
      image.original_name = name;
      image.original_key = key;
      image.sha256 = sha;
      image.mime = (char *) "image/jpeg";
      image.width = 100;
      image.height = 100;
      image.orientation = 1;
      image.bytes = (gint64) g_bytes_get_size (bytes);
      lw_store_add_image (store, &image, 0, &dup, &error);
      g_assert_no_error (error);
    }
  lw_store_commit (store, NULL);
}

static void
bench_teardown (Bench *b)
{
  g_clear_object (&b->core);
  lw_test_rmtree (b->dir);
  g_free (b->dir);
}

static void
job_changed_cb (LwScheduler *s, gint64 job_id, int status, GMainLoop *loop)
{
  if (status != LW_JOB_PROCESSING)
    g_main_loop_quit (loop);
}

static double
run_scheduler (int concurrency, double *drawn_mean_ms)
{
  Bench b = { 0 };
  g_autoptr(LwClock) clock = lw_clock_new ();
  g_autoptr(LwFakeEngine) engine = lw_fake_engine_new (clock);
  g_autoptr(LwScheduler) scheduler = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gint64 t0;
  double seconds;

  bench_setup (&b, "fake");
  lw_fake_engine_set_latency (engine, mean_ms, sigma);
  lw_fake_engine_set_seed (engine, (guint32) concurrency);
  scheduler = lw_scheduler_new (lw_core_get_store (b.core), lw_core_get_blobs (b.core), clock,
                                lw_core_get_owner (b.core));
  lw_scheduler_set_engine (scheduler, "fake", LW_ENGINE (engine));
  lw_scheduler_set_limits (scheduler, "fake", concurrency, 0);
  g_signal_connect (scheduler, "job-changed", G_CALLBACK (job_changed_cb), loop);
  lw_scheduler_start (scheduler);
  t0 = g_get_monotonic_time ();
  lw_scheduler_launch (scheduler, b.job_id, NULL);
  g_main_loop_run (loop);
  seconds = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  g_assert_cmpuint (lw_fake_engine_get_n_success (engine), ==, (guint) n_images);
  *drawn_mean_ms = lw_fake_engine_get_mean_latency (engine);
  lw_scheduler_stop (scheduler);
  g_clear_object (&scheduler);
  bench_teardown (&b);
  return n_images / seconds;
}

/* ---- the V4 loop: claim N, wait for all N, repeat ------------------------- */

typedef struct {
  Bench        *b;
  LwFakeEngine *engine;
  GMainLoop    *loop;
  GPtrArray    *batch;
  guint         outstanding;
  int           n;
  const char   *owner;
} V4;

static void v4_pulse (V4 *v);

static void
v4_done_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  LwEngineRequest *request = data;
  V4 *v = g_object_get_data (source, "v4");
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = lw_engine_process_finish (LW_ENGINE (source), res, &error);
  LwStore *store = lw_core_get_store (v->b->core);
  g_autofree char *key = lw_blob_store_result_key (request->image_id, request->attempt, result->mime);
  gboolean fenced;

  lw_blob_store_put_bytes (lw_core_get_blobs (v->b->core), key, result->data, NULL);
  lw_store_finish_completed (store, request->image_id, request->attempt, key, result->mime, NULL, NULL, 0, 0,
                             &fenced, NULL);
  lw_engine_request_unref (request);
  if (--v->outstanding == 0)
    v4_pulse (v);   /* the client fires the next pulse when the batch settled */
}

static void
v4_pulse (V4 *v)
{
  LwStore *store = lw_core_get_store (v->b->core);
  g_autoptr(GPtrArray) claimed = lw_store_claim (store, "fake", 0, v->n, v->owner, 0, LW_LEASE_MS, NULL);

  if (claimed == NULL || claimed->len == 0)
    {
      g_main_loop_quit (v->loop);
      return;
    }
  v->outstanding = claimed->len;
  for (guint i = 0; i < claimed->len; i++)
    {
      LwImage *image = g_ptr_array_index (claimed, i);
      LwEngineRequest *request = lw_engine_request_new ();

      request->image_id = image->id;
      request->attempt = image->attempt;
      request->original_name = g_strdup (image->original_name);
      request->input_path = lw_blob_store_path (lw_core_get_blobs (v->b->core), image->original_key);
      request->input_mime = g_strdup (image->mime);
      request->prompt = g_strdup ("p");
      lw_engine_process_async (LW_ENGINE (v->engine), request, NULL, v4_done_cb, request);
    }
}

static double
run_v4 (int concurrency)
{
  Bench b = { 0 };
  g_autoptr(LwClock) clock = lw_clock_new ();
  g_autoptr(LwFakeEngine) engine = lw_fake_engine_new (clock);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  V4 v = { &b, engine, loop, NULL, 0, concurrency, NULL };
  gint64 t0;
  double seconds;

  bench_setup (&b, "fake");
  v.owner = lw_core_get_owner (b.core);
  lw_store_set_job_status (lw_core_get_store (b.core), b.job_id, LW_JOB_PROCESSING, 0, NULL);
  lw_fake_engine_set_latency (engine, mean_ms, sigma);
  lw_fake_engine_set_seed (engine, (guint32) concurrency);
  g_object_set_data (G_OBJECT (engine), "v4", &v);
  t0 = g_get_monotonic_time ();
  v4_pulse (&v);
  g_main_loop_run (loop);
  seconds = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  g_assert_cmpuint (lw_fake_engine_get_n_success (engine), ==, (guint) n_images);
  bench_teardown (&b);
  return n_images / seconds;
}

int
main (int argc, char *argv[])
{
  GOptionEntry entries[] = {
    { "images", 0, 0, G_OPTION_ARG_INT, &n_images, "Images per run (1000)", "N" },
    { "mean-ms", 0, 0, G_OPTION_ARG_INT, &mean_ms, "Mean latency (200)", "MS" },
    { "sigma", 0, 0, G_OPTION_ARG_DOUBLE, &sigma, "σ of the log-normal latency (0.5)", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— scheduler throughput against the ideal");
  g_autoptr(GError) error = NULL;
  const int levels[] = { 2, 4, 8 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("%d images, log-normal latency mean %d ms, sigma %.2f, real time, real SQLite file\n\n", n_images,
           mean_ms, sigma);
  /* "ideal" uses the distribution's mean; "drawn" the mean of the
   * latencies this run actually drew, which is what any scheduler could
   * have done with them. */
  g_print ("%-11s %10s %10s %8s %12s %8s %10s %10s\n", "concurrency", "images/s", "ideal", "ratio",
           "ideal(drawn)", "ratio", "V4 loop/s", "ours/V4");
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      int c = levels[i];
      double ideal = c / (mean_ms / 1000.0);
      double drawn = 0;
      double ours = run_scheduler (c, &drawn);
      double ideal_drawn = c / (drawn / 1000.0);
      double v4 = run_v4 (c);

      g_print ("%-11d %10.2f %10.2f %8.3f %12.2f %8.3f %10.2f %10.2f\n", c, ours, ideal, ours / ideal,
               ideal_drawn, ours / ideal_drawn, v4, ours / v4);
    }
  return 0;
}

/* bench-economy.c — economy mode (the Batch API) against the live pool,
 * in one process, on the fake Gemini server over 127.0.0.1
 * (docs/ARCHITECTURE.md, "Economy").
 *
 * Generates N photos (512×384 JPEGs, each its own), then processes them
 * twice, each time in a fresh data folder: fast (the live pool, C requests
 * at once, each answered after a log-normal latency, mean 300 ms) and
 * economy (batches of B, polled every P ms; the fake runs a batch as soon
 * as it is created and answers PENDING, RUNNING, then SUCCEEDED — Google
 * takes minutes to hours, so the economy wall time here is the client's
 * own overhead, not a prediction). For each it prints the wall time, the
 * HTTP requests that reached the server and their number per photo, and
 * what the job cost.
 *
 *   build/bench/gemini/bench-economy [--photos N] [--concurrency C]
 *                                    [--batch-size B] [--poll-ms P]
 */
#include "config.h"

#include <stdio.h>

#include "lw-core.h"
#include "lw-economy.h"
#include "lw-gemini-test-util.h"
#include "lw-ingest.h"
#include "lw-test-util.h"

static int n_photos = 300;
static int concurrency = 8;
static int batch_size = 100;
static int poll_ms = 100;

typedef struct {
  LwStore *store;
  gint64   job_id;
  LwEconomy *economy;
} Watch;

static gboolean
job_done (gpointer data)
{
  Watch *watch = data;
  g_autoptr(LwJob) job = lw_store_get_job (watch->store, watch->job_id, NULL);

  return job->status != LW_JOB_PROCESSING && (watch->economy == NULL || !lw_economy_is_busy (watch->economy));
}

/* One run in a fresh data folder: the wall time from launch to the job's
 * end, and what it cost. */
static void
run (const char *dir, GPtrArray *paths, LwFakeGemini *server, gboolean economy)
{
  g_autofree char *data_dir = g_build_filename (dir, economy ? "data-economy" : "data-fast", NULL);
  g_autoptr(LwGeminiConfig) config = lw_test_config_for (server, 60000);
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = lw_core_open (data_dir, NULL, &error);
  g_autoptr(LwGeminiEngine) engine = lw_gemini_engine_new (config, LW_TEST_KEY, &error);
  g_autoptr(LwScheduler) scheduler = NULL;
  g_autoptr(LwEconomy) runner = NULL;
  g_autoptr(LwJob) job = NULL;
  LwStore *store = lw_core_get_store (core);
  LwClock *clock = lw_core_get_clock (core);
  LwIngestOptions options;
  LwIngestReport report;
  guint http_before = lw_fake_gemini_get_n_requests (server) + lw_fake_gemini_get_n_batch_http (server);
  Watch watch = { store, 0, NULL };
  double cost = 0, seconds;
  gint64 start;
  guint http;

  g_assert_no_error (error);
  scheduler = lw_scheduler_new (store, lw_core_get_blobs (core), clock, lw_core_get_owner (core));
  lw_scheduler_set_engine (scheduler, "nano_banana", LW_ENGINE (engine));
  lw_scheduler_set_limits (scheduler, "nano_banana", concurrency, 0);
  runner = lw_economy_new (store, scheduler, clock, lw_core_get_owner (core));
  job = lw_store_create_job (store, NULL, "food", "nano_banana", NULL, lw_clock_now_ms (clock), &error);
  g_assert_no_error (error);
  if (economy)
    g_assert_true (lw_store_set_job_mode (store, job->id, LW_STORE_MODE_ECONOMY, 0, &error));
  lw_ingest_options_init (&options);
  options.make_thumbnails = FALSE;
  g_assert_true (lw_ingest_paths (store, lw_core_get_blobs (core), job->id, (const char * const *) paths->pdata,
                                  &options, NULL, NULL, &report, NULL, &error));
  lw_scheduler_start (scheduler);
  lw_economy_start (runner);
  start = g_get_monotonic_time ();
  g_assert_true (lw_scheduler_launch (scheduler, job->id, &error));
  watch.job_id = job->id;
  watch.economy = runner;
  g_assert_true (lw_test_wait_until (job_done, &watch, 30 * 60 * 1000));
  seconds = (g_get_monotonic_time () - start) / 1e6;
  lw_economy_stop (runner);
  lw_scheduler_stop (scheduler);
  g_assert_true (lw_store_get_job_cost (store, job->id, &cost, NULL));
  http = lw_fake_gemini_get_n_requests (server) + lw_fake_gemini_get_n_batch_http (server) - http_before;
  printf ("%-8s %6d photos  %7.2f s  %6u HTTP requests  %6.3f per photo  $%.4f\n", economy ? "economy" : "fast",
          n_photos, seconds, http, (double) http / n_photos, cost);
}

int
main (int argc, char **argv)
{
  const GOptionEntry entries[] = {
    { "photos", 0, 0, G_OPTION_ARG_INT, &n_photos, "Photos (default 300)", "N" },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &concurrency, "Live requests at once (default 8)", "C" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch_size, "Photos per batch (default 100)", "B" },
    { "poll-ms", 0, 0, G_OPTION_ARG_INT, &poll_ms, "Shortest poll interval (default 100)", "P" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— economy mode against the live pool");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = NULL;
  g_autofree char *value = NULL;
  LwFakeGemini *server;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  value = g_strdup_printf ("%d", poll_ms);
  g_setenv (LW_ECONOMY_ENV_POLL_MS, value, TRUE);
  g_free (value);
  value = g_strdup_printf ("%d", batch_size);
  g_setenv (LW_ECONOMY_ENV_BATCH_SIZE, value, TRUE);
  dir = lw_test_make_tmpdir ("lw-bench-economy");
  for (int i = 0; i < n_photos; i++)
    {
      char *path = g_strdup_printf ("%s/b-%05d.jpg", dir, i);

      lw_test_make_jpeg (path, 512, 384, (guint32) i + 1, 1, 90);
      g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);
  server = lw_test_fake_start ();
  lw_fake_gemini_set_latency (server, 300, 0.5);
  run (dir, paths, server, FALSE);
  run (dir, paths, server, TRUE);
  lw_fake_gemini_free (server);
  lw_test_rmtree (dir);
  return 0;
}

/* test-gemini-economy.c — economy mode end to end in one process: the
 * economy runner (LwEconomy) and the scheduler on a real SQLite file and
 * real blobs, the real Gemini engine's Batch API client, the fake server
 * over 127.0.0.1 (docs/ARCHITECTURE.md, "Economy").
 *
 * Every photo of an economy job ends with its own result (the fake writes
 * the input's hash into each PNG), paid once at half the price, none sent
 * live; failed entries go into later batches; an expired batch is sent
 * again once, then its photos fail; a cancel reaches the server; every
 * uploaded file is deleted once its batch is over (and one Google has
 * deleted already is forgotten once past its 48 h); a process killed
 * between batches.create and writing the batch's name down does not make
 * the next one pay for a second batch.
 */
#include "config.h"

#include <signal.h>

#include "lw-core.h"
#include "lw-economy.h"
#include "lw-gemini-batch.h"
#include "lw-gemini-test-util.h"
#include "lw-ingest.h"
#include "lw-test-util.h"

#define MODEL "nano_banana"

typedef struct {
  char           *dir;
  LwCore         *core;
  LwStore        *store;
  LwBlobStore    *blobs;
  LwFakeGemini   *server;
  LwGeminiConfig *config;
  LwGeminiEngine *engine;
  LwScheduler    *scheduler;
  LwEconomy      *economy;
  guint           n_batch_changed;
  guint           next_photo;   /* each staged photo its own, unless a test rewinds */
} Fixture;

static void
batch_changed_cb (LwEconomy *economy, gint64 job_id, Fixture *f)
{
  f->n_batch_changed++;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;

  /* Polls every 20–80 ms, batches of 25 photos. */
  g_setenv (LW_ECONOMY_ENV_POLL_MS, "20", TRUE);
  g_setenv (LW_ECONOMY_ENV_BATCH_SIZE, "25", TRUE);
  f->dir = lw_test_make_tmpdir ("lw-gemini-economy");
  data_dir = g_build_filename (f->dir, "data", NULL);
  f->core = lw_core_open (data_dir, NULL, &error);
  g_assert_no_error (error);
  f->store = lw_core_get_store (f->core);
  f->blobs = lw_core_get_blobs (f->core);
  f->server = lw_test_fake_start ();
  lw_fake_gemini_set_seed (f->server, 42);
  f->config = lw_test_config_for (f->server, 10000);
  f->engine = lw_gemini_engine_new (f->config, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  f->scheduler = lw_scheduler_new (f->store, f->blobs, lw_core_get_clock (f->core), lw_core_get_owner (f->core));
  lw_scheduler_set_engine (f->scheduler, MODEL, LW_ENGINE (f->engine));
  f->economy = lw_economy_new (f->store, f->scheduler, lw_core_get_clock (f->core),
                                lw_core_get_owner (f->core));
  g_signal_connect (f->economy, "batch-changed", G_CALLBACK (batch_changed_cb), f);
  lw_scheduler_start (f->scheduler);
  lw_economy_start (f->economy);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  lw_economy_stop (f->economy);
  lw_scheduler_stop (f->scheduler);
  for (int i = 0; i < 50; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
  g_assert_finalize_object (f->economy);
  g_clear_object (&f->scheduler);
  g_clear_object (&f->engine);
  g_clear_object (&f->core);
  lw_gemini_config_free (f->config);
  lw_fake_gemini_free (f->server);
  lw_test_rmtree (f->dir);
  g_free (f->dir);
}

/* n small photos, each its own (f->next_photo on), in a new economy job. */
static gint64
stage_economy_job (Fixture *f, guint n)
{
  g_autofree char *photos = g_build_filename (f->dir, "photos", NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  LwIngestOptions options;
  LwIngestReport report;
  gint64 now = lw_clock_now_ms (lw_core_get_clock (f->core));

  g_mkdir_with_parents (photos, 0755);
  for (guint k = f->next_photo; k < f->next_photo + n; k++)
    {
      char *path = g_strdup_printf ("%s/e-%04u.jpg", photos, k);

      lw_test_make_split_jpeg (path, 32 + k % 29, 32 + k % 17, 0x102030 + k * 7919, 0xf0e0d0 - k * 104729 % 0xffff);
      g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);
  f->next_photo += n;
  job = lw_store_create_job (f->store, NULL, "food", MODEL, NULL, now, &error);
  g_assert_no_error (error);
  g_assert_true (lw_store_set_job_mode (f->store, job->id, LW_STORE_MODE_ECONOMY, now, &error));
  g_assert_no_error (error);
  lw_ingest_options_init (&options);
  options.make_thumbnails = FALSE;
  g_assert_true (lw_ingest_paths (f->store, f->blobs, job->id, (const char * const *) paths->pdata, &options, NULL,
                                  NULL, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.staged, ==, n);
  g_assert_true (lw_scheduler_launch (f->scheduler, job->id, &error));
  g_assert_no_error (error);
  return job->id;
}

typedef struct {
  Fixture *f;
  gint64   job_id;
} JobRef;

static gboolean
job_finished (gpointer data)
{
  JobRef *ref = data;
  g_autoptr(LwJob) job = lw_store_get_job (ref->f->store, ref->job_id, NULL);

  return job->status != LW_JOB_PROCESSING && !lw_economy_is_busy (ref->f->economy);
}

static void
run_to_end (Fixture *f, gint64 job_id)
{
  JobRef ref = { f, job_id };

  g_assert_true (lw_test_wait_until (job_finished, &ref, 60000));
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* Every photo COMPLETED with its own result, delivered once, none live;
 * the job's cost is n photos at half the price. */
static void
assert_all_done_once (Fixture *f, gint64 job_id, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = lw_store_list_images (f->store, job_id, &error);
  double cost = -1;

  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, n);
  for (guint i = 0; i < images->len; i++)
    {
      LwImage *image = g_ptr_array_index (images, i);
      g_autoptr(GBytes) result = NULL;
      g_autofree char *sha = NULL;

      g_assert_cmpint (image->status, ==, LW_IMAGE_COMPLETED);
      result = lw_blob_store_get_bytes (f->blobs, image->processed_key, &error);
      g_assert_no_error (error);
      sha = lw_fake_gemini_result_sha256 (result);
      g_assert_cmpstr (sha, ==, image->sha256);
      g_assert_cmpuint (lw_fake_gemini_get_delivered_for (f->server, image->sha256), ==, 1);
    }
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (f->server), ==, 0);
  g_assert_true (lw_store_get_job_cost (f->store, job_id, &cost, &error));
  g_assert_cmpfloat_with_epsilon (cost, n * LW_GEMINI_DEFAULT_PRICE_FAST * 0.5, 1e-6);
}

static void
test_economy_job (Fixture *f, gconstpointer data)
{
  gint64 job_id = stage_economy_job (f, 60);
  g_autoptr(GPtrArray) batches = NULL;

  run_to_end (f, job_id);
  assert_all_done_once (f, job_id, 60);
  /* 60 photos in batches of 25: three, each sent, polled and done. */
  batches = lw_store_list_batches (f->store, job_id, NULL);
  g_assert_cmpuint (batches->len, ==, 3);
  for (guint i = 0; i < batches->len; i++)
    g_assert_cmpstr (((LwBatchRecord *) g_ptr_array_index (batches, i))->state, ==, "done");
  g_assert_cmpuint (lw_fake_gemini_get_n_batches (f->server), ==, 3);
  g_assert_cmpuint (f->n_batch_changed, >, 0);
}

/* The same photos with the same prompt in another economy job: reused,
 * as live, at no cost and with no batch sent. */
static void
test_reuse (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) images = NULL;
  gint64 first = stage_economy_job (f, 8), again;
  double cost = -1;

  run_to_end (f, first);
  f->next_photo = 0;
  again = stage_economy_job (f, 8);
  run_to_end (f, again);
  g_assert_cmpuint (lw_fake_gemini_get_n_batches (f->server), ==, 1);
  images = lw_store_list_images (f->store, again, NULL);
  for (guint i = 0; i < images->len; i++)
    g_assert_cmpint (((LwImage *) g_ptr_array_index (images, i))->status, ==, LW_IMAGE_COMPLETED);
  g_assert_true (lw_store_get_job_cost (f->store, again, &cost, NULL));
  g_assert_cmpfloat (cost, ==, 0);
}

/* 10 % of entries fail: they go into later batches and end done, each
 * result still its own and paid once. */
static void
test_failed_entries_retried (Fixture *f, gconstpointer data)
{
  gint64 job_id;

  lw_fake_gemini_set_batch_entry_failure_rate (f->server, 0.1);
  job_id = stage_economy_job (f, 50);
  run_to_end (f, job_id);
  assert_all_done_once (f, job_id, 50);
  g_assert_cmpuint (lw_fake_gemini_get_n_batches (f->server), >, 2);
}

/* An expired batch is sent again once (new keys); expired twice, its
 * photos fail with the reason. */
static void
test_expired_resubmitted_once (Fixture *f, gconstpointer data)
{
  static const LwFakeBatchOutcome once[] = { LW_FAKE_BATCH_EXPIRED };
  static const LwFakeBatchOutcome twice[] = { LW_FAKE_BATCH_EXPIRED, LW_FAKE_BATCH_EXPIRED };
  g_autoptr(GPtrArray) images = NULL;
  gint64 job_id;

  lw_fake_gemini_push_batch_outcomes (f->server, once, 1);
  job_id = stage_economy_job (f, 10);
  run_to_end (f, job_id);
  assert_all_done_once (f, job_id, 10);
  g_assert_cmpuint (lw_fake_gemini_get_n_batches (f->server), ==, 2);

  lw_fake_gemini_push_batch_outcomes (f->server, twice, 2);
  job_id = stage_economy_job (f, 3);
  run_to_end (f, job_id);
  images = lw_store_list_images (f->store, job_id, NULL);
  for (guint i = 0; i < images->len; i++)
    {
      LwImage *image = g_ptr_array_index (images, i);

      g_assert_cmpint (image->status, ==, LW_IMAGE_FAILED);
      g_assert_cmpstr (image->error_code, ==, "batch_expired");
    }
}

static gboolean
batch_sent (gpointer data)
{
  return lw_fake_gemini_get_n_batches (((Fixture *) data)->server) > 0;
}

/* Cancel cancels the remote batch; the photos go back to the queue. */
static void
test_cancel_reaches_server (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GPtrArray) images = NULL;
  gint64 job_id;

  lw_fake_gemini_set_batch_polls (f->server, 1000, 1000);
  job_id = stage_economy_job (f, 5);
  g_assert_true (lw_test_wait_until (batch_sent, f, 20000));
  /* Its name recorded: the runner is polling it. */
  for (int i = 0; i < 200 && lw_economy_get_n_steps (f->economy) < 2; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_true (lw_scheduler_cancel (f->scheduler, job_id, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 2000 && lw_fake_gemini_get_n_batch_cancels (f->server) == 0; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (lw_fake_gemini_get_n_batch_cancels (f->server), ==, 1);
  batches = lw_store_list_batches (f->store, job_id, NULL);
  g_assert_cmpstr (((LwBatchRecord *) g_ptr_array_index (batches, 0))->state, ==, "cancelled");
  images = lw_store_list_images (f->store, job_id, NULL);
  for (guint i = 0; i < images->len; i++)
    g_assert_cmpint (((LwImage *) g_ptr_array_index (images, i))->status, ==, LW_IMAGE_PENDING);
}

/* Every file uploaded for a batch (the JSONL; the photos over the inline
 * limit) is deleted once the batch is over: its results stored, or it
 * expired and was sent again; so is each results file Google wrote. None
 * is left at Google; the batches' rows name none. */
static void
test_uploads_deleted (Fixture *f, gconstpointer data)
{
  static const LwFakeBatchOutcome expired[] = { LW_FAKE_BATCH_EXPIRED };
  g_autoptr(GPtrArray) batches = NULL;
  gint64 job_id;

  lw_fake_gemini_push_batch_outcomes (f->server, expired, 1);
  job_id = stage_economy_job (f, 30);
  run_to_end (f, job_id);
  assert_all_done_once (f, job_id, 30);
  /* 30 photos in batches of 25, the first expired and sent again: three
   * batches, three JSONL uploads, all deleted. */
  g_assert_cmpuint (lw_fake_gemini_get_n_batches (f->server), ==, 3);
  g_assert_cmpuint (lw_fake_gemini_get_n_uploads (f->server), ==, 3);
  /* and the two results files of the batches that succeeded */
  g_assert_cmpuint (lw_fake_gemini_get_n_file_deletes (f->server), ==, 5);
  g_assert_cmpuint (lw_fake_gemini_get_n_uploaded_files (f->server), ==, 0);
  g_assert_cmpuint (lw_fake_gemini_get_n_files (f->server), ==, 0);
  batches = lw_store_list_batches (f->store, job_id, NULL);
  for (guint i = 0; i < batches->len; i++)
    g_assert_cmpstr (((LwBatchRecord *) g_ptr_array_index (batches, i))->files, ==, "");
}

static gboolean
economy_busy (gpointer economy)
{
  return lw_economy_is_busy (economy);
}

static gboolean
economy_idle (gpointer economy)
{
  return !lw_economy_is_busy (economy);
}

/* A new runner (a process started later) on the same data folder, with
 * clock, through one round of deleting the spent batches' files. */
static void
clean_with_new_runner (Fixture *f, LwClock *clock)
{
  g_autoptr(LwEconomy) economy = lw_economy_new (f->store, f->scheduler, clock, lw_core_get_owner (f->core));

  lw_economy_start (economy);
  g_assert_true (lw_test_wait_until (economy_busy, economy, 10000));
  g_assert_true (lw_test_wait_until (economy_idle, economy, 10000));
  lw_economy_stop (economy);
}

static char *
batch_files (Fixture *f, gint64 job_id, gint64 batch_id)
{
  g_autoptr(GPtrArray) batches = lw_store_list_batches (f->store, job_id, NULL);

  for (guint i = 0; batches != NULL && i < batches->len; i++)
    {
      LwBatchRecord *batch = g_ptr_array_index (batches, i);

      if (batch->id == batch_id)
        return g_strdup (batch->files);
    }
  g_assert_not_reached ();
}

/* A file Google no longer has (deleted by it after 48 h, or by a process
 * before) answers 403 "… or it may not exist". Within 48 h of the batch it
 * may be the key's refusal: kept for the next start, with a warning. After
 * that, Google has deleted it: forgotten, not asked for at every start. */
static void
test_gone_files_forgotten (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LwFakeClock) later = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *forgotten = NULL;
  GLogLevelFlags fatal;
  gint64 job_id, batch_id;
  guint deletes;

  job_id = stage_economy_job (f, 2);
  run_to_end (f, job_id);
  lw_economy_stop (f->economy);
  batches = lw_store_list_batches (f->store, job_id, NULL);
  g_assert_cmpuint (batches->len, ==, 1);
  batch_id = ((LwBatchRecord *) g_ptr_array_index (batches, 0))->id;
  g_assert_true (lw_store_batch_set_files (f->store, batch_id, "files/gone-1", &error));
  g_assert_no_error (error);
  deletes = lw_fake_gemini_get_n_file_deletes (f->server);

  /* Its warning ("Cannot delete files/gone-1 at Google: … 403 …") is
   * expected: not fatal for this once (structured logging, which
   * g_test_expect_message does not see). */
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  clean_with_new_runner (f, lw_core_get_clock (f->core));
  g_log_set_always_fatal (fatal);
  kept = batch_files (f, job_id, batch_id);
  g_assert_cmpstr (kept, ==, "files/gone-1");

  later = lw_fake_clock_new (lw_clock_now_ms (lw_core_get_clock (f->core)) + LW_ECONOMY_FILE_TTL_MS + 60000);
  clean_with_new_runner (f, LW_CLOCK (later));
  forgotten = batch_files (f, job_id, batch_id);
  g_assert_cmpstr (forgotten, ==, "");
  /* Nothing was there to delete. */
  g_assert_cmpuint (lw_fake_gemini_get_n_file_deletes (f->server), ==, deletes);
}

#define ENV_DATA_DIR "LW_TEST_ECONOMY_DATA_DIR"
#define ENV_BASE_URL "LW_TEST_ECONOMY_BASE_URL"
#define ENV_DIE_AT "LW_TEST_ECONOMY_DIE_AT"

/* The child of test_crash_after_create and test_crash_before_create: the
 * economy runner of another process on the same data folder, which dies
 * (SIGKILL) at the point ENV_DIE_AT names (LW_ECONOMY_ENV_DIE_*). */
static void
test_crash_child (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = NULL;
  g_autoptr(LwGeminiEngine) engine = NULL;
  g_autoptr(LwScheduler) scheduler = NULL;
  g_autoptr(LwEconomy) economy = NULL;
  LwGeminiConfig *config;

  if (!g_test_subprocess ())
    {
      g_test_skip ("run by crash-after-create and crash-before-create");
      return;
    }
  core = lw_core_open (g_getenv (ENV_DATA_DIR), NULL, &error);
  g_assert_no_error (error);
  config = lw_gemini_config_new_default ();
  g_free (config->base_url);
  config->base_url = g_strdup (g_getenv (ENV_BASE_URL));
  config->timeout_ms[LW_GEMINI_TIER_FAST] = 10000;
  config->timeout_ms[LW_GEMINI_TIER_PRO] = 10000;
  engine = lw_gemini_engine_new (config, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  scheduler = lw_scheduler_new (lw_core_get_store (core), lw_core_get_blobs (core), lw_core_get_clock (core),
                                lw_core_get_owner (core));
  lw_scheduler_set_engine (scheduler, MODEL, LW_ENGINE (engine));
  economy = lw_economy_new (lw_core_get_store (core), scheduler, lw_core_get_clock (core), lw_core_get_owner (core));
  g_setenv (g_getenv (ENV_DIE_AT), "1", TRUE);
  lw_economy_start (economy);
  /* Killed on the way; this is only reached if not. */
  for (int i = 0; i < 20000; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  lw_gemini_config_free (config);
  g_assert_not_reached ();
}

/* A 12-photo economy job whose first batch another process, on the same
 * data folder, was sending when it died at die_at (LW_ECONOMY_ENV_DIE_*).
 * The job's one batch row is returned: left "submitting", with no name. */
static LwBatchRecord *
crash_sender (Fixture *f, const char *die_at, gint64 *job_id)
{
  g_autofree char *data_dir = g_build_filename (f->dir, "data", NULL);
  g_autofree char *base_url = lw_fake_gemini_dup_base_url (f->server);
  g_autoptr(GPtrArray) batches = NULL;
  LwBatchRecord *batch;

  /* This process's runner waits while the child sends the batch. */
  lw_economy_stop (f->economy);
  *job_id = stage_economy_job (f, 12);
  g_setenv (ENV_DATA_DIR, data_dir, TRUE);
  g_setenv (ENV_BASE_URL, base_url, TRUE);
  g_setenv (ENV_DIE_AT, die_at, TRUE);
  g_test_trap_subprocess ("/gemini/economy/crash-child", 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_assert_false (g_test_trap_has_passed ());
  batches = lw_store_list_batches (f->store, *job_id, NULL);
  g_assert_cmpuint (batches->len, ==, 1);
  batch = g_ptr_array_steal_index (batches, 0);
  g_assert_cmpstr (batch->state, ==, "submitting");
  g_assert_null (batch->name);
  return batch;
}

/* Killed between batches.create and writing the name: the next process
 * finds the batch by its displayName (batches.list) and polls it, instead
 * of sending its photos in a second, paid batch. */
static void
test_crash_after_create (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) batches = NULL;
  gint64 job_id;
  LwBatchRecord *batch = crash_sender (f, LW_ECONOMY_ENV_DIE_AFTER_CREATE, &job_id);

  /* The crash window: Google has the batch, the row has no name. */
  g_assert_cmpuint (lw_fake_gemini_get_n_batches (f->server), ==, 1);
  lw_batch_record_free (batch);

  lw_economy_start (f->economy);
  run_to_end (f, job_id);
  assert_all_done_once (f, job_id, 12);
  g_assert_cmpuint (lw_fake_gemini_get_n_batches (f->server), ==, 1);
  g_assert_cmpuint (lw_fake_gemini_get_n_batch_lists (f->server), >=, 1);
  /* Its JSONL, named by the batch Google listed, deleted as any. */
  g_assert_cmpuint (lw_fake_gemini_get_n_uploaded_files (f->server), ==, 0);
  g_clear_pointer (&batches, g_ptr_array_unref);
  batches = lw_store_list_batches (f->store, job_id, NULL);
  g_assert_cmpuint (batches->len, ==, 1);
  g_assert_cmpstr (((LwBatchRecord *) g_ptr_array_index (batches, 0))->state, ==, "done");
}

/* Killed after its JSONL was uploaded and before batches.create: the row
 * names the upload, so the next process, finding no batch at Google, gives
 * the row up, deletes the upload and sends the photos in one new batch.
 * Nothing is left at Google and nothing is paid twice. */
static void
test_crash_before_create (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) batches = NULL;
  gint64 job_id;
  LwBatchRecord *batch = crash_sender (f, LW_ECONOMY_ENV_DIE_BEFORE_CREATE, &job_id);

  /* Google has the upload and no batch; the row names the upload. */
  g_assert_cmpuint (lw_fake_gemini_get_n_batches (f->server), ==, 0);
  g_assert_cmpuint (lw_fake_gemini_get_n_uploaded_files (f->server), ==, 1);
  g_assert_true (g_str_has_prefix (batch->files, "files/"));
  lw_batch_record_free (batch);

  lw_economy_start (f->economy);
  run_to_end (f, job_id);
  assert_all_done_once (f, job_id, 12);
  g_assert_cmpuint (lw_fake_gemini_get_n_batches (f->server), ==, 1);
  g_assert_cmpuint (lw_fake_gemini_get_n_uploads (f->server), ==, 2);
  g_assert_cmpuint (lw_fake_gemini_get_n_files (f->server), ==, 0);
  g_clear_pointer (&batches, g_ptr_array_unref);
  batches = lw_store_list_batches (f->store, job_id, NULL);
  g_assert_cmpuint (batches->len, ==, 2);
  for (guint i = 0; i < batches->len; i++)
    g_assert_cmpstr (((LwBatchRecord *) g_ptr_array_index (batches, i))->files, ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add ("/gemini/economy/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("job", test_economy_job);
  ADD ("reuse", test_reuse);
  ADD ("failed-entries-retried", test_failed_entries_retried);
  ADD ("expired-resubmitted-once", test_expired_resubmitted_once);
  ADD ("cancel-reaches-server", test_cancel_reaches_server);
  ADD ("uploads-deleted", test_uploads_deleted);
  ADD ("gone-files-forgotten", test_gone_files_forgotten);
  ADD ("crash-after-create", test_crash_after_create);
  ADD ("crash-before-create", test_crash_before_create);
#undef ADD
  g_test_add_func ("/gemini/economy/crash-child", test_crash_child);
  return g_test_run ();
}

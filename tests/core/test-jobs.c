/* test-jobs.c — the jobs service's rules (docs/ARCHITECTURE.md, "Jobs"), on a
 * real SQLite file with the fake engine in virtual time. */
#include "config.h"

#include <sys/wait.h>
#include <unistd.h>

#include "lw-jobs.h"
#include "lw-models.h"
#include "lw-settings.h"
#include "lw-queue-fixture.h"

typedef struct {
  QueueFixture  q;
  LwJobs       *jobs;
  GPtrArray    *events;    /* "paused:<job>:<model>", "resumed:<job>:<model>" */
} JobsFixture;

static void
job_paused_cb (LwJobs *jobs, gint64 job_id, const char *model, const GError *reason, JobsFixture *f)
{
  g_ptr_array_add (f->events, g_strdup_printf ("paused:%" G_GINT64_FORMAT ":%s", job_id, model));
}

static void
job_resumed_cb (LwJobs *jobs, gint64 job_id, const char *model, JobsFixture *f)
{
  g_ptr_array_add (f->events, g_strdup_printf ("resumed:%" G_GINT64_FORMAT ":%s", job_id, model));
}

/* The service over the fixture's core; the fake engine serves the local
 * model (a model of the table, free) and, as a second engine, Nano
 * Banana (paid) when a test asks for it. */
static void
jobs_setup (JobsFixture *f, gconstpointer data)
{
  queue_fixture_setup (&f->q, data);
  g_clear_object (&f->q.scheduler);
  f->jobs = lw_jobs_new (f->q.core);
  f->q.scheduler = g_object_ref (lw_jobs_get_scheduler (f->jobs));
  lw_scheduler_set_engine (f->q.scheduler, LW_MODEL_LOCAL, LW_ENGINE (f->q.engine));
  lw_scheduler_set_seed (f->q.scheduler, 1234);
  f->events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->jobs, "job-paused", G_CALLBACK (job_paused_cb), f);
  g_signal_connect (f->jobs, "job-resumed", G_CALLBACK (job_resumed_cb), f);
}

static void
jobs_teardown (JobsFixture *f, gconstpointer data)
{
  lw_jobs_stop (f->jobs);
  g_clear_object (&f->jobs);
  g_clear_pointer (&f->events, g_ptr_array_unref);
  queue_fixture_teardown (&f->q, data);
}

static gint64
create_job (JobsFixture *f, const char *module, const char *model)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = lw_jobs_create (f->jobs, NULL, module, model, NULL, &error);

  g_assert_no_error (error);
  return job->id;
}

static LwJob *
get_job (JobsFixture *f, gint64 id)
{
  g_autoptr(GError) error = NULL;
  LwJob *job = lw_jobs_get (f->jobs, id, &error);

  g_assert_no_error (error);
  return job;
}

static void
run_to_end (JobsFixture *f, gint64 job_id)
{
  queue_drive (&f->q, (QueueDoneFunc) queue_job_finished, &job_id, 10 * 60 * 1000);
}

/* ---- defaults and creation ------------------------------------------------ */

static void
test_defaults (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwModule) custom = NULL;
  g_autofree char *module = NULL;
  g_autofree char *model = NULL;
  g_autofree char *after = NULL;
  g_autoptr(LwJob) job = NULL;

  /* No key in the test environment: new jobs run locally, with Food. */
  module = lw_jobs_dup_default_module (f->jobs);
  model = lw_jobs_dup_default_model (f->jobs);
  g_assert_cmpstr (module, ==, "food");
  g_assert_cmpstr (model, ==, LW_MODEL_LOCAL);

  job = lw_jobs_create (f->jobs, "  ", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (job->module_id, ==, "food");
  g_assert_cmpstr (job->model, ==, LW_MODEL_LOCAL);
  g_assert_true (g_str_has_prefix (job->name, "Food Enhancer — "));

  /* The remembered module is deleted (as `lightwork-cli modules delete`
   * does): the default falls back, and new jobs still start. */
  custom = lw_jobs_create_module (f->jobs, "Menu", "", "Make it tasty.", &error);
  g_assert_no_error (error);
  g_assert_true (lw_jobs_set_default_module (f->jobs, custom->id, &error));
  g_assert_cmpstr ((module = (g_free (module), lw_jobs_dup_default_module (f->jobs))), ==, custom->id);
  g_assert_true (lw_jobs_delete_module (f->jobs, custom->id, &error));
  g_assert_no_error (error);
  after = lw_jobs_dup_default_module (f->jobs);
  g_assert_cmpstr (after, ==, "food");
  g_assert_null (lw_store_get_setting (f->q.store, LW_SETTING_DEFAULT_MODULE));

  /* Bad names are refused with the service's codes. */
  g_assert_null (lw_jobs_create (f->jobs, NULL, "food", "gemini-9", NULL, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "nano_banana, nano_banana_pro or local"));
  g_clear_error (&error);
  g_assert_null (lw_jobs_create (f->jobs, NULL, "no-such-module", NULL, NULL, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lw_jobs_set_default_model (f->jobs, "gpt", &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID);
}

static void
test_lookup (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 a = create_job (f, "food", NULL);
  gint64 b = create_job (f, "product", NULL);
  g_autoptr(LwJob) newest = NULL;
  g_autoptr(LwJob) by_id = NULL;
  g_autoptr(LwJob) by_name = NULL;
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, a);

  g_assert_true (lw_jobs_rename (f->jobs, a, "  Menu  ", &error));
  newest = lw_jobs_lookup (f->jobs, NULL, &error);
  g_assert_cmpint (newest->id, ==, b);
  by_id = lw_jobs_lookup (f->jobs, id_text, &error);
  g_assert_cmpint (by_id->id, ==, a);
  by_name = lw_jobs_lookup (f->jobs, "Menu", &error);
  g_assert_no_error (error);
  g_assert_cmpint (by_name->id, ==, a);
  g_assert_cmpstr (by_name->name, ==, "Menu");
  g_assert_null (lw_jobs_lookup (f->jobs, "Dessert", &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lw_jobs_rename (f->jobs, a, " ", &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID);
}

/* ---- the state machine ---------------------------------------------------- */

static void
test_state_machine (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 job_id = create_job (f, "food", LW_MODEL_LOCAL);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(LwJob) job = NULL;

  /* Nothing to launch yet. */
  g_assert_false (lw_jobs_launch (f->jobs, job_id, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_EMPTY);
  g_clear_error (&error);
  /* Staging is not running: nothing to cancel. */
  g_assert_false (lw_jobs_cancel (f->jobs, job_id, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_STATE);
  g_clear_error (&error);

  ids = queue_stage (&f->q, job_id, 4, "jpg");
  lw_jobs_start (f->jobs);
  g_assert_true (lw_jobs_launch (f->jobs, job_id, &error));
  g_assert_no_error (error);
  queue_settle (&f->q);

  /* While it runs, what it is made of stays. */
  g_assert_false (lw_jobs_set_model (f->jobs, job_id, LW_MODEL_NANO_BANANA, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_RUNNING);
  g_clear_error (&error);
  g_assert_false (lw_jobs_set_prompt (f->jobs, job_id, "Other.", &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_RUNNING);
  g_clear_error (&error);
  g_assert_false (lw_jobs_set_module (f->jobs, job_id, "product", &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_RUNNING);
  g_clear_error (&error);

  /* Cancel a running job: it stops, its photos wait (those in flight land
   * and are kept: they are paid for); launch continues. */
  g_assert_true (lw_jobs_cancel (f->jobs, job_id, &error));
  g_assert_no_error (error);
  queue_settle (&f->q);
  job = get_job (f, job_id);
  g_assert_cmpint (job->status, ==, LW_JOB_CANCELLED);
  g_assert_true (lw_jobs_set_prompt (f->jobs, job_id, "Make it crisp.", &error));
  g_assert_no_error (error);
  g_assert_true (lw_jobs_launch (f->jobs, job_id, &error));
  run_to_end (f, job_id);
  g_clear_pointer (&job, lw_job_free);
  job = get_job (f, job_id);
  g_assert_cmpint (job->status, ==, LW_JOB_COMPLETED);
  g_assert_cmpint (queue_counts (&f->q, job_id).completed, ==, 4);
  g_assert_cmpstr (lw_fake_engine_get_prompt_for (f->q.engine, g_array_index (ids, gint64, 3)), ==, "Make it crisp.");

  /* A finished job: nothing to cancel, and it stays finished. */
  g_assert_false (lw_jobs_cancel (f->jobs, job_id, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "finished"));
  g_clear_error (&error);
  g_clear_pointer (&job, lw_job_free);
  job = get_job (f, job_id);
  g_assert_cmpint (job->status, ==, LW_JOB_COMPLETED);

  /* Its photos were edited with Food: another module is another job. */
  g_assert_false (lw_jobs_set_module (f->jobs, job_id, "product", &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_STATE);
  g_clear_error (&error);
  /* The store holds the same rule for anyone who asks it directly. */
  g_assert_false (lw_store_set_job_status (f->q.store, job_id, LW_JOB_CANCELLED, 0, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (lw_store_set_job_status (f->q.store, job_id, LW_JOB_PENDING, 0, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_STATE);
}

static void
test_module_follows_name (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 auto_named = create_job (f, "food", LW_MODEL_LOCAL);
  g_autoptr(LwJob) named = lw_jobs_create (f->jobs, "Spring menu", "food", LW_MODEL_LOCAL, NULL, &error);
  g_autoptr(LwJob) a = NULL;
  g_autoptr(LwJob) b = NULL;
  g_autoptr(LwModule) product = lw_jobs_get_module (f->jobs, "product", &error);

  g_assert_true (lw_jobs_set_module (f->jobs, auto_named, "product", &error));
  g_assert_true (lw_jobs_set_module (f->jobs, named->id, "product", &error));
  g_assert_no_error (error);
  a = get_job (f, auto_named);
  b = get_job (f, named->id);
  g_assert_cmpstr (a->module_id, ==, "product");
  g_assert_true (g_str_has_prefix (a->name, "Product Studio — "));
  g_assert_cmpstr (a->prompt, ==, product->prompt);
  g_assert_cmpstr (b->name, ==, "Spring menu");
}

/* ---- retry, reuse, fresh takes --------------------------------------------- */

/* The same photo in two jobs, same module and model: the second job reuses
 * the first's result (no call). A retry that asks for a new take calls the
 * engine, even though an identical result exists in another job. */
static void
test_retry_new_take (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 first = create_job (f, "food", LW_MODEL_LOCAL);
  gint64 second = create_job (f, "food", LW_MODEL_LOCAL);
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  g_autoptr(LwImage) before = NULL;
  g_autoptr(LwImage) after = NULL;
  gint64 id;

  a = queue_stage (&f->q, first, 1, "jpg");
  lw_jobs_start (f->jobs);
  g_assert_true (lw_jobs_launch (f->jobs, first, &error));
  run_to_end (f, first);
  /* queue_stage names content by its job: stage job one's bytes again. */
  {
    GBytes *bytes = g_hash_table_lookup (f->q.originals, &g_array_index (a, gint64, 0));
    g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
    g_autofree char *key = lw_blob_store_original_key (sha);
    LwImage image = { 0 };
    gboolean duplicate = FALSE;
    gint64 *id_key = g_new (gint64, 1);

    image.job_id = second;
    image.original_name = (char *) "again.jpg";
    image.original_key = key;
    image.sha256 = sha;
    image.mime = (char *) "image/jpeg";
    image.width = 640;
    image.height = 480;
    image.orientation = 1;
    g_assert_true (lw_store_add_image (f->q.store, &image, 0, &duplicate, &error));
    b = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_array_append_val (b, image.id);
    *id_key = image.id;
    g_hash_table_insert (f->q.originals, id_key, g_bytes_ref (bytes));
  }
  id = g_array_index (b, gint64, 0);
  g_assert_true (lw_jobs_launch (f->jobs, second, &error));
  run_to_end (f, second);
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->q.engine, id), ==, 0);   /* reused */
  before = queue_image (&f->q, id);
  g_assert_cmpint (before->status, ==, LW_IMAGE_COMPLETED);

  g_assert_cmpint (lw_jobs_retry (f->jobs, second, &id, 1, TRUE, &error), ==, 1);
  g_assert_no_error (error);
  run_to_end (f, second);
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->q.engine, id), ==, 1);   /* a real new take */
  after = queue_image (&f->q, id);
  g_assert_cmpint (after->status, ==, LW_IMAGE_COMPLETED);
  g_assert_false (after->fresh_take);
  queue_assert_result_matches (&f->q, id);
}

static void
test_retry_failed (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 job_id = create_job (f, "food", LW_MODEL_LOCAL);
  g_autoptr(GArray) ids = queue_stage (&f->q, job_id, 3, "png");
  const int refuse[] = { LW_ENGINE_ERROR_SAFETY_BLOCKED };
  g_autoptr(LwJob) job = NULL;
  gint64 busy;

  lw_fake_engine_script (f->q.engine, "img-1.png", refuse, 1, -1);
  lw_jobs_start (f->jobs);
  g_assert_true (lw_jobs_launch (f->jobs, job_id, &error));
  run_to_end (f, job_id);
  g_assert_cmpint (queue_counts (&f->q, job_id).failed, ==, 1);

  /* The finished job runs again by itself for the photo queued. */
  g_assert_cmpint (lw_jobs_retry_failed (f->jobs, job_id, &error), ==, 1);
  job = get_job (f, job_id);
  g_assert_cmpint (job->status, ==, LW_JOB_PROCESSING);
  run_to_end (f, job_id);
  g_assert_cmpint (queue_counts (&f->q, job_id).completed, ==, 3);

  /* Instructions and removals refuse photos in flight, and change nothing. */
  busy = g_array_index (ids, gint64, 0);
  g_assert_cmpint (lw_jobs_retry (f->jobs, job_id, &busy, 1, TRUE, &error), ==, 1);
  queue_settle (&f->q);
  {
    g_autoptr(LwImage) in_flight = queue_image (&f->q, busy);

    g_assert_cmpint (in_flight->status, ==, LW_IMAGE_PROCESSING);
  }
  g_assert_false (lw_jobs_set_instruction (f->jobs, job_id, &busy, 1, "brighter", NULL, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_false (lw_jobs_remove_images (f->jobs, job_id, &busy, 1, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_BUSY);
  g_clear_error (&error);
  run_to_end (f, job_id);
  g_assert_true (lw_jobs_set_instruction (f->jobs, job_id, (const gint64 *) ids->data, ids->len, "  brighter ",
                                          NULL, &error));
  {
    g_autoptr(LwImage) instructed = queue_image (&f->q, busy);

    g_assert_cmpstr (instructed->specific_prompt, ==, "brighter");
  }
  g_assert_true (lw_jobs_remove_images (f->jobs, job_id, &busy, 1, &error));
  g_assert_cmpint (queue_counts (&f->q, job_id).total, ==, 2);
}

/* ---- pauses are per job ---------------------------------------------------- */

static void
test_pause_per_job (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const int auth[] = { LW_ENGINE_ERROR_AUTH };
  gint64 gemini_job, local_job;
  g_autofree char *expected = NULL;

  /* One fake engine serves both pools (the fixture settles on its
   * requests); the Gemini job's photos are the .jpg ones. */
  lw_fake_engine_script (f->q.engine, ".jpg", auth, 1, -1);
  lw_scheduler_set_engine (f->q.scheduler, LW_MODEL_NANO_BANANA, LW_ENGINE (f->q.engine));
  gemini_job = create_job (f, "food", LW_MODEL_NANO_BANANA);
  local_job = create_job (f, "food", LW_MODEL_LOCAL);
  g_array_unref (queue_stage (&f->q, gemini_job, 2, "jpg"));
  g_array_unref (queue_stage (&f->q, local_job, 2, "png"));
  lw_jobs_start (f->jobs);
  g_assert_true (lw_jobs_launch (f->jobs, gemini_job, &error));
  g_assert_true (lw_jobs_launch (f->jobs, local_job, &error));
  /* The local job finishes whatever the Gemini pool does. */
  run_to_end (f, local_job);
  g_assert_cmpint (queue_counts (&f->q, local_job).completed, ==, 2);

  expected = g_strdup_printf ("paused:%" G_GINT64_FORMAT ":%s", gemini_job, LW_MODEL_NANO_BANANA);
  g_assert_cmpuint (f->events->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->events, 0), ==, expected);
  g_assert_nonnull (lw_jobs_get_pause (f->jobs, gemini_job));
  g_assert_null (lw_jobs_get_pause (f->jobs, local_job));
  /* No photo of the paused job is failed by the pause. */
  g_assert_cmpint (queue_counts (&f->q, gemini_job).failed, ==, 0);
  /* The pause is saved with the job, with what to do: PAUSED, not running. */
  {
    g_autoptr(LwJob) job = get_job (f, gemini_job);
    g_autoptr(LwJob) local = get_job (f, local_job);

    g_assert_true (lw_job_is_paused (job));
    g_assert_cmpstr (lw_job_state_to_string (job), ==, "PAUSED");
    g_assert_cmpstr (job->pause_code, ==, "auth");
    g_assert_nonnull (job->pause_reason);
    g_assert_nonnull (job->pause_advice);
    g_assert_false (lw_job_is_paused (local));
  }

  lw_jobs_resume (f->jobs, gemini_job);
  g_assert_null (lw_jobs_get_pause (f->jobs, gemini_job));
  {
    g_autoptr(LwJob) job = get_job (f, gemini_job);

    g_assert_false (lw_job_is_paused (job));
  }
  run_to_end (f, gemini_job);
  g_assert_cmpint (queue_counts (&f->q, gemini_job).completed, ==, 2);
  g_assert_cmpuint (f->events->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->events, 1), "resumed:"));
  lw_jobs_stop (f->jobs);
}

/* A pause saved by another process (here a full disk: any reason fits):
 * its photos are not claimed, a window starting leaves it paused, this
 * process reads it as its own pause, and resume runs the job. */
static void
test_pause_saved (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 job_id = create_job (f, "food", LW_MODEL_LOCAL);
  g_autoptr(GArray) held = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(LwJob) job = NULL;
  const GError *pause;

  g_array_unref (queue_stage (&f->q, job_id, 2, "jpg"));
  g_assert_true (lw_jobs_launch (f->jobs, job_id, &error));
  g_assert_true (lw_store_set_job_pause (f->q.store, job_id, "disk_full", "No space left on device",
                                         "Free some space.", 1, &error));
  g_assert_no_error (error);
  lw_jobs_hold_interrupted (f->jobs, held);
  g_assert_cmpuint (held->len, ==, 0);
  lw_jobs_start (f->jobs);
  queue_settle (&f->q);
  lw_fake_clock_advance (f->q.clock, 10000);
  queue_settle (&f->q);
  g_assert_cmpint (queue_counts (&f->q, job_id).pending, ==, 2);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->q.engine), ==, 0);
  pause = lw_jobs_get_pause (f->jobs, job_id);
  g_assert_nonnull (pause);
  g_assert_cmpstr (pause->message, ==, "No space left on device");
  job = get_job (f, job_id);
  g_assert_cmpstr (lw_job_state_to_string (job), ==, "PAUSED");
  g_assert_cmpstr (job->pause_advice, ==, "Free some space.");

  /* Only a launched job can be paused: the state machine's WHERE. */
  g_assert_false (lw_store_set_job_pause (f->q.store, create_job (f, "food", LW_MODEL_LOCAL), "auth", "x", "y", 1,
                                          &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_STATE);

  lw_jobs_resume (f->jobs, job_id);
  g_assert_null (lw_jobs_get_pause (f->jobs, job_id));
  run_to_end (f, job_id);
  g_assert_cmpint (queue_counts (&f->q, job_id).completed, ==, 2);
}

/* ---- jobs left running ------------------------------------------------------ */

static char *
dead_owner (void)
{
  char host[256] = "";
  pid_t pid = fork ();

  if (pid == 0)
    _exit (0);
  g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);
  g_assert_cmpint (gethostname (host, sizeof host - 1), ==, 0);
  return g_strdup_printf ("%s:%d:gone", host, (int) pid);
}

static void
test_hold_interrupted (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) held = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *gone = dead_owner ();
  g_autofree char *alive = NULL;
  gint64 live = create_job (f, "food", LW_MODEL_LOCAL);
  gint64 dead = create_job (f, "food", LW_MODEL_LOCAL);
  gint64 unknown = create_job (f, "food", LW_MODEL_LOCAL);
  gint64 now = lw_clock_now_ms (LW_CLOCK (f->q.clock));
  g_autoptr(LwJob) a = NULL;
  g_autoptr(LwJob) b = NULL;
  g_autoptr(LwJob) c = NULL;
  pid_t child;
  char host[256] = "";

  /* A live process: a child that waits until we are done. */
  child = fork ();
  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  g_assert_cmpint (gethostname (host, sizeof host - 1), ==, 0);
  alive = g_strdup_printf ("%s:%d:live", host, (int) child);

  for (gint64 id = live; id <= unknown; id++)
    g_assert_true (lw_store_set_job_status (f->q.store, id, LW_JOB_PROCESSING, now, &error));
  g_assert_true (lw_store_set_job_runner (f->q.store, live, alive, now, &error));
  g_assert_true (lw_store_set_job_runner (f->q.store, dead, gone, now, &error));

  lw_jobs_hold_interrupted (f->jobs, held);
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);

  a = get_job (f, live);
  b = get_job (f, dead);
  c = get_job (f, unknown);
  g_assert_cmpint (a->status, ==, LW_JOB_PROCESSING);   /* someone works on it */
  g_assert_cmpint (b->status, ==, LW_JOB_CANCELLED);
  g_assert_cmpint (c->status, ==, LW_JOB_CANCELLED);
  g_assert_cmpuint (held->len, ==, 2);
  g_assert_cmpint (g_array_index (held, gint64, 0) + g_array_index (held, gint64, 1), ==, dead + unknown);
}

/* ---- limits and progress ------------------------------------------------------ */

static void
test_run_limits (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (lw_jobs_set_run_limits (f->jobs, LW_MODEL_LOCAL, 99, -1, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "between 1 and 16"));
  g_clear_error (&error);
  g_assert_false (lw_jobs_set_run_limits (f->jobs, "gemini-9", 2, -1, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (lw_jobs_set_run_limits (f->jobs, LW_MODEL_LOCAL, 5, -1, &error));
  g_assert_cmpint (lw_scheduler_get_effective_concurrency (f->q.scheduler, LW_MODEL_LOCAL), ==, 5);
  /* 0 keeps the setting. */
  g_assert_true (lw_settings_set_int (f->q.store, LW_SETTING_CONCURRENCY, 3, &error));
  g_assert_true (lw_jobs_set_run_limits (f->jobs, LW_MODEL_LOCAL, 0, -1, &error));
  g_assert_cmpint (lw_scheduler_get_effective_concurrency (f->q.scheduler, LW_MODEL_LOCAL), ==, 3);
  g_assert_false (lw_settings_set_int (f->q.store, LW_SETTING_CONCURRENCY, 17, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID);
}

static void
test_progress (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 job_id;
  LwJobProgress p;

  lw_fake_engine_set_cost (f->q.engine, 0.05);
  lw_scheduler_set_engine (f->q.scheduler, LW_MODEL_NANO_BANANA, LW_ENGINE (f->q.engine));
  job_id = create_job (f, "food", LW_MODEL_NANO_BANANA);
  g_array_unref (queue_stage (&f->q, job_id, 6, "jpg"));
  lw_store_add_rejection (f->q.store, job_id, "/x/notes.txt", "not an image", 0, NULL);

  g_assert_true (lw_jobs_get_progress (f->jobs, job_id, &p, &error));
  g_assert_cmpint (p.counts.total, ==, 6);
  g_assert_cmpint (p.rejected, ==, 1);
  g_assert_cmpfloat_with_epsilon (p.spent, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (p.price, 0.05, 1e-9);
  g_assert_cmpfloat_with_epsilon (p.projected, 0.30, 1e-9);
  g_assert_cmpint (p.eta_seconds, ==, -1);

  lw_jobs_start (f->jobs);
  g_assert_true (lw_jobs_set_run_limits (f->jobs, LW_MODEL_NANO_BANANA, 1, -1, &error));
  g_assert_true (lw_jobs_launch (f->jobs, job_id, &error));
  run_to_end (f, job_id);
  g_assert_true (lw_jobs_get_progress (f->jobs, job_id, &p, &error));
  g_assert_cmpint (p.counts.completed, ==, 6);
  g_assert_cmpfloat_with_epsilon (p.spent, 0.30, 1e-9);
  g_assert_cmpfloat_with_epsilon (p.projected, 0.30, 1e-9);
  g_assert_cmpint (p.eta_seconds, ==, 0);
  g_assert_cmpfloat (p.rate, >, 0);
}

/* ---- staging and export, on real photos ---------------------------------------- */

static void
test_stage_and_export (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src = lw_test_make_tmpdir ("lw-jobs-src");
  g_autofree char *out = lw_test_make_tmpdir ("lw-jobs-out");
  g_autofree char *photo = g_build_filename (src, "coffee.png", NULL);
  g_autofree char *fixture = g_build_filename (lw_test_fixtures_dir (), "coffee.png", NULL);
  g_autofree char *loop = g_build_filename (src, "loop", NULL);
  g_autofree char *notes = g_build_filename (src, "notes.txt", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(GPtrArray) rejections = NULL;
  const char *paths[] = { src, NULL };
  LwIngestReport report = { 0 };
  gsize len = 0;
  gint64 job_id = create_job (f, "food", LW_MODEL_LOCAL);
  guint written = 0;

  g_assert_true (g_file_get_contents (fixture, &contents, &len, &error));
  lw_test_write_file (photo, contents, len);
  lw_test_write_file (notes, "shopping list", 13);
  g_assert_cmpint (symlink (".", loop), ==, 0);

  g_assert_true (lw_jobs_stage (f->jobs, job_id, paths, NULL, NULL, NULL, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.staged, ==, 1);
  g_assert_cmpuint (report.rejected, ==, 2);   /* the loop and the text file */
  rejections = lw_store_list_rejections (f->q.store, job_id, &error);
  g_assert_cmpuint (rejections->len, ==, 2);
  {
    gboolean loop_saved = FALSE;

    for (guint i = 0; i < rejections->len; i++)
      loop_saved |= g_str_equal (((LwRejection *) g_ptr_array_index (rejections, i))->path, loop);
    g_assert_true (loop_saved);
  }
  /* The same folder again: nothing new, the photo counted as known. */
  g_assert_true (lw_jobs_stage (f->jobs, job_id, paths, NULL, NULL, NULL, &report, NULL, &error));
  g_assert_cmpuint (report.staged, ==, 0);
  g_assert_cmpuint (report.duplicates, ==, 1);
  g_assert_cmpint (queue_counts (&f->q, job_id).total, ==, 1);

  lw_jobs_start (f->jobs);
  g_assert_true (lw_jobs_launch (f->jobs, job_id, &error));
  run_to_end (f, job_id);
  /* The template setting is the default of every export. */
  g_assert_true (lw_settings_set (f->q.store, LW_SETTING_TEMPLATE, "{index}-{name}.{ext}", &error));
  g_assert_true (lw_jobs_export (f->jobs, job_id, out, NULL, LW_EXPORT_ALL, NULL, NULL, &written, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, 1);
  saved = g_build_filename (out, "0001-coffee.png", NULL);
  g_assert_true (g_file_test (saved, G_FILE_TEST_IS_REGULAR));
  lw_test_rmtree (src);
  lw_test_rmtree (out);
}

/* ---- requests per minute across processes ---------------------------------------- */

typedef struct {
  GArray *starts;   /* virtual ms of every claim, both services */
  LwFakeClock *clock;
} Starts;

static void
started_cb (LwJobs *jobs, gint64 job_id, gint64 image_id, int status, Starts *s)
{
  gint64 now = lw_clock_now_ms (LW_CLOCK (s->clock));

  if (status == LW_IMAGE_PROCESSING)
    g_array_append_val (s->starts, now);
}

/* Two services on one data folder, as the window and lightwork-cli are (two
 * connections, two owners), each working on its own job of the same model
 * with a limit of 3 requests a minute: together they never start more than
 * 3 in any minute. */
static void
test_rpm_shared (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) other_core = lw_core_open (f->q.dir, LW_CLOCK (f->q.clock), &error);
  g_autoptr(LwJobs) other = NULL;
  g_autoptr(LwFakeEngine) other_engine = lw_fake_engine_new (LW_CLOCK (f->q.clock));
  Starts s = { g_array_new (FALSE, FALSE, sizeof (gint64)), f->q.clock };
  gint64 a, b;
  g_autofree char *key = g_strdup_printf (LW_SETTING_RPM_FMT, LW_MODEL_LOCAL);

  g_assert_no_error (error);
  g_assert_true (lw_settings_set_int (f->q.store, key, 3, &error));
  lw_fake_engine_set_latency (other_engine, 1000, 0);
  /* Made after the setting: both read it. */
  g_clear_object (&f->jobs);
  g_clear_object (&f->q.scheduler);
  f->jobs = lw_jobs_new (f->q.core);
  f->q.scheduler = g_object_ref (lw_jobs_get_scheduler (f->jobs));
  lw_scheduler_set_engine (f->q.scheduler, LW_MODEL_LOCAL, LW_ENGINE (f->q.engine));
  other = lw_jobs_new (other_core);
  lw_scheduler_set_engine (lw_jobs_get_scheduler (other), LW_MODEL_LOCAL, LW_ENGINE (other_engine));

  a = create_job (f, "food", LW_MODEL_LOCAL);
  b = create_job (f, "food", LW_MODEL_LOCAL);
  g_array_unref (queue_stage (&f->q, a, 5, "jpg"));
  g_array_unref (queue_stage (&f->q, b, 5, "png"));
  lw_jobs_set_scope (f->jobs, a);
  lw_jobs_set_scope (other, b);
  g_signal_connect (f->jobs, "image-changed", G_CALLBACK (started_cb), &s);
  g_signal_connect (other, "image-changed", G_CALLBACK (started_cb), &s);
  lw_jobs_start (f->jobs);
  lw_jobs_start (other);
  g_assert_true (lw_jobs_launch (f->jobs, a, &error));
  g_assert_true (lw_jobs_launch (other, b, &error));

  for (int guard = 0; guard < 10000; guard++)
    {
      g_autoptr(LwJob) ja = lw_store_get_job (f->q.store, a, NULL);
      g_autoptr(LwJob) jb = lw_store_get_job (f->q.store, b, NULL);
      gint64 next;

      for (int i = 0; i < 20; i++)
        while (g_main_context_iteration (NULL, FALSE))
          ;
      if (ja->status == LW_JOB_COMPLETED && jb->status == LW_JOB_COMPLETED)
        break;
      if (lw_scheduler_get_n_flights (f->q.scheduler) > lw_fake_engine_get_in_flight (f->q.engine)
          || lw_scheduler_get_n_flights (lw_jobs_get_scheduler (other)) > lw_fake_engine_get_in_flight (other_engine))
        {
          g_main_context_iteration (NULL, TRUE);   /* a result write in a thread */
          continue;
        }
      next = lw_fake_clock_next_deadline (f->q.clock);
      g_assert_cmpint (next, >=, 0);
      lw_fake_clock_advance (f->q.clock, MAX (next - lw_clock_now_ms (LW_CLOCK (f->q.clock)), 1));
    }
  g_assert_cmpint (queue_counts (&f->q, a).completed, ==, 5);
  g_assert_cmpint (queue_counts (&f->q, b).completed, ==, 5);
  g_assert_cmpuint (s.starts->len, ==, 10);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->q.engine), >, 0);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (other_engine), >, 0);
  /* Every minute-long window holds at most 3 starts. */
  for (guint i = 0; i < s.starts->len; i++)
    {
      gint64 t = g_array_index (s.starts, gint64, i);
      guint in_window = 0;

      for (guint j = 0; j < s.starts->len; j++)
        {
          gint64 u = g_array_index (s.starts, gint64, j);

          if (u >= t && u < t + 60 * 1000)
            in_window++;
        }
      g_assert_cmpuint (in_window, <=, 3);
    }
  lw_jobs_stop (other);
  g_array_unref (s.starts);
}


/* ---- review: accept, reject, takes and versions ----------------------------- */

static void
test_review_and_versions (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 job_id = create_job (f, "food", LW_MODEL_LOCAL);
  g_autoptr(GArray) ids = queue_stage (&f->q, job_id, 3, "jpg");
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(LwImage) redone = NULL;
  g_autoptr(LwImage) chosen = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autofree char *out_all = lw_test_make_tmpdir ("lw-jobs-all");
  g_autofree char *out_accepted = lw_test_make_tmpdir ("lw-jobs-accepted");
  g_autofree char *first_key = NULL;
  gint64 a = g_array_index (ids, gint64, 0), b = g_array_index (ids, gint64, 1), c = g_array_index (ids, gint64, 2);
  guint written = 0;

  lw_jobs_start (f->jobs);
  g_assert_true (lw_jobs_launch (f->jobs, job_id, &error));
  run_to_end (f, job_id);
  job = get_job (f, job_id);

  g_assert_true (lw_jobs_set_review (f->jobs, job_id, &a, 1, LW_REVIEW_ACCEPTED, &error));
  g_assert_true (lw_jobs_set_review (f->jobs, job_id, &b, 1, LW_REVIEW_REJECTED, &error));
  g_assert_no_error (error);

  /* Redo c with an instruction typed on the spot: take 2, whose prompt is
   * the 2-prompt rule's; take 1 is kept. */
  {
    g_autoptr(LwImage) first = queue_image (&f->q, c);

    first_key = g_strdup (first->processed_key);
  }
  g_assert_cmpint (lw_jobs_redo (f->jobs, job_id, &c, 1, "warmer", &error), ==, 1);
  run_to_end (f, job_id);
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->q.engine, c), ==, 2);
  versions = lw_jobs_list_versions (f->jobs, c, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 2);
  g_assert_cmpstr (((LwVersion *) g_ptr_array_index (versions, 0))->processed_key, ==, first_key);
  {
    g_autofree char *composed = g_strconcat (job->prompt, "\n\nwarmer", NULL);

    g_assert_cmpstr (((LwVersion *) g_ptr_array_index (versions, 1))->prompt, ==, composed);
  }
  redone = queue_image (&f->q, c);
  g_assert_cmpint (redone->version, ==, 2);
  g_assert_cmpstr (redone->processed_key, !=, first_key);

  /* Version 1 is the one the user wants: it is the result again. */
  g_assert_true (lw_jobs_choose_version (f->jobs, job_id, c, 1, &error));
  chosen = queue_image (&f->q, c);
  g_assert_cmpint (chosen->version, ==, 1);
  g_assert_cmpstr (chosen->processed_key, ==, first_key);
  g_assert_false (lw_jobs_choose_version (f->jobs, job_id, c, 3, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Every take stays referenced: the sweep never takes one away. */
  {
    g_autoptr(GHashTable) keys = lw_store_referenced_keys (f->q.store, &error);

    g_assert_true (g_hash_table_contains (keys, ((LwVersion *) g_ptr_array_index (versions, 1))->processed_key));
  }

  /* Decisions are saved with the job: a new process sees them. */
  {
    g_autoptr(LwCore) again = lw_core_open_full (f->q.dir, LW_CLOCK (f->q.clock), LW_CORE_OPEN_READ_ONLY, &error);
    g_autoptr(LwImage) seen_a = NULL;
    g_autoptr(LwImage) seen_b = NULL;

    g_assert_no_error (error);
    seen_a = lw_store_get_image (lw_core_get_store (again), a, &error);
    seen_b = lw_store_get_image (lw_core_get_store (again), b, &error);
    g_assert_cmpint (seen_a->review, ==, LW_REVIEW_ACCEPTED);
    g_assert_cmpint (seen_b->review, ==, LW_REVIEW_REJECTED);
  }

  /* Save: everything, or only what was accepted. */
  g_assert_true (lw_jobs_export (f->jobs, job_id, out_all, NULL, LW_EXPORT_ALL, NULL, NULL, &written, NULL, &error));
  g_assert_cmpuint (written, ==, 3);
  g_assert_true (lw_jobs_export (f->jobs, job_id, out_accepted, "{index}.{ext}", LW_EXPORT_ACCEPTED, NULL, NULL,
                                 &written, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, 1);
  g_assert_cmpuint (lw_test_count_files (out_accepted), ==, 1);
  lw_test_rmtree (out_all);
  lw_test_rmtree (out_accepted);
}

/* ---- trial run ----------------------------------------------------------------- */

static void
trial_finished_cb (LwJobs *jobs, gint64 job_id, gint64 *seen)
{
  *seen = job_id;
}

static gboolean
trial_done (QueueFixture *q, gpointer data)
{
  return *(gint64 *) data != 0;
}

static void
test_trial_run (JobsFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 job_id, seen = 0;
  LwJobProjection projection;
  LwJobProgress p;
  g_autoptr(LwJob) job = NULL;

  lw_fake_engine_set_cost (f->q.engine, 0.05);
  lw_scheduler_set_engine (f->q.scheduler, LW_MODEL_NANO_BANANA, LW_ENGINE (f->q.engine));
  job_id = create_job (f, "food", LW_MODEL_NANO_BANANA);
  g_array_unref (queue_stage (&f->q, job_id, 12, "jpg"));
  g_signal_connect (f->jobs, "trial-finished", G_CALLBACK (trial_finished_cb), &seen);

  /* Before anything is sent: the price of every photo. */
  g_assert_true (lw_jobs_get_projection (f->jobs, job_id, &projection, &error));
  g_assert_cmpfloat_with_epsilon (projection.projected_cost, 0.60, 1e-9);

  lw_jobs_start (f->jobs);
  g_assert_true (lw_jobs_launch_trial (f->jobs, job_id, NULL, 0, &error));
  g_assert_no_error (error);
  queue_drive (&f->q, trial_done, &seen, 10 * 60 * 1000);
  g_assert_cmpint (seen, ==, job_id);
  job = get_job (f, job_id);
  g_assert_cmpint (job->status, ==, LW_JOB_CANCELLED);
  g_assert_cmpint (queue_counts (&f->q, job_id).completed, ==, LW_TRIAL_SIZE);
  g_assert_cmpint (queue_counts (&f->q, job_id).pending, ==, 12 - LW_TRIAL_SIZE);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->q.engine), ==, LW_TRIAL_SIZE);

  g_assert_true (lw_jobs_get_projection (f->jobs, job_id, &projection, &error));
  g_assert_cmpint (projection.finished, ==, LW_TRIAL_SIZE);
  g_assert_cmpint (projection.left, ==, 12 - LW_TRIAL_SIZE);
  g_assert_cmpint (projection.projected_seconds, >, 0);

  /* The rest: what the whole job cost is what the trial said, within 5 %. */
  g_assert_true (lw_jobs_launch (f->jobs, job_id, &error));
  run_to_end (f, job_id);
  g_assert_true (lw_jobs_get_progress (f->jobs, job_id, &p, &error));
  g_assert_cmpint (p.counts.completed, ==, 12);
  g_assert_cmpfloat (ABS (p.spent - projection.projected_cost), <=, 0.05 * p.spent);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/jobs/defaults", JobsFixture, NULL, jobs_setup, test_defaults, jobs_teardown);
  g_test_add ("/jobs/lookup", JobsFixture, NULL, jobs_setup, test_lookup, jobs_teardown);
  g_test_add ("/jobs/state-machine", JobsFixture, NULL, jobs_setup, test_state_machine, jobs_teardown);
  g_test_add ("/jobs/module-follows-name", JobsFixture, NULL, jobs_setup, test_module_follows_name, jobs_teardown);
  g_test_add ("/jobs/retry-new-take", JobsFixture, NULL, jobs_setup, test_retry_new_take, jobs_teardown);
  g_test_add ("/jobs/retry-failed", JobsFixture, NULL, jobs_setup, test_retry_failed, jobs_teardown);
  g_test_add ("/jobs/pause-per-job", JobsFixture, NULL, jobs_setup, test_pause_per_job, jobs_teardown);
  g_test_add ("/jobs/pause-saved", JobsFixture, NULL, jobs_setup, test_pause_saved, jobs_teardown);
  g_test_add ("/jobs/hold-interrupted", JobsFixture, NULL, jobs_setup, test_hold_interrupted, jobs_teardown);
  g_test_add ("/jobs/run-limits", JobsFixture, NULL, jobs_setup, test_run_limits, jobs_teardown);
  g_test_add ("/jobs/progress", JobsFixture, NULL, jobs_setup, test_progress, jobs_teardown);
  g_test_add ("/jobs/stage-and-export", JobsFixture, NULL, jobs_setup, test_stage_and_export, jobs_teardown);
  g_test_add ("/jobs/review-and-versions", JobsFixture, NULL, jobs_setup, test_review_and_versions, jobs_teardown);
  g_test_add ("/jobs/trial-run", JobsFixture, NULL, jobs_setup, test_trial_run, jobs_teardown);
  g_test_add ("/jobs/rpm-shared", JobsFixture, NULL, jobs_setup, test_rpm_shared, jobs_teardown);
  return g_test_run ();
}

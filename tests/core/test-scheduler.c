/* test-scheduler.c — every outcome of docs/ARCHITECTURE.md, "The queue", one at a
 * time, on a real SQLite file in virtual time. */
#include "config.h"

#include "lw-queue-fixture.h"
#include "lw-blob-store.h"

static gboolean
all_flights_started (QueueFixture *f, gpointer data)
{
  return lw_fake_engine_get_in_flight (f->engine) >= GPOINTER_TO_UINT (data);
}

static void
test_completes_and_composes (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, "food");
  g_autoptr(GArray) ids = queue_stage (f, job, 5, "jpg");
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) j = NULL;
  g_autoptr(LwModule) module = lw_store_get_module (f->store, "food", NULL);
  gint64 second = g_array_index (ids, gint64, 1);
  g_autofree char *expected = NULL;

  g_assert_true (lw_store_set_image_prompt (f->store, second, "  Remove the fork.  ", 0, &error));
  lw_scheduler_start (f->scheduler);
  g_assert_true (lw_scheduler_launch (f->scheduler, job, &error));
  g_assert_no_error (error);
  queue_drive (f, queue_job_finished, &job, 60000);

  j = lw_store_get_job (f->store, job, NULL);
  g_assert_cmpint (j->status, ==, LW_JOB_COMPLETED);
  g_assert_cmpint (j->finished_at, >, 0);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(LwImage) image = queue_image (f, id);

      queue_assert_result_matches (f, id);
      g_assert_cmpint (image->attempt, ==, 1);
      g_assert_null (image->lease_owner);
      g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, id), ==, 1);
    }
  /* The 2-prompt rule reaches the engine: module prompt, blank line, instruction. */
  expected = g_strconcat (module->prompt, "\n\nRemove the fork.", NULL);
  g_assert_cmpstr (lw_fake_engine_get_prompt_for (f->engine, second), ==, expected);
  g_assert_cmpstr (lw_fake_engine_get_prompt_for (f->engine, g_array_index (ids, gint64, 0)), ==, module->prompt);
  /* Concurrency 2 by default. */
  g_assert_cmpuint (lw_fake_engine_get_max_in_flight (f->engine), ==, 2);
}

static void
test_transient_then_success (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) ids = queue_stage (f, job, 1, "png");
  gint64 id = g_array_index (ids, gint64, 0);
  const int codes[] = { LW_ENGINE_ERROR_SERVER, LW_ENGINE_ERROR_TIMEOUT };
  g_autoptr(LwImage) image = NULL;
  gint64 t0, elapsed;

  lw_fake_engine_script (f->engine, ".png", codes, G_N_ELEMENTS (codes), -1);
  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  t0 = lw_clock_now_ms (LW_CLOCK (f->clock));

  /* First answer: 500 → RETRY_LATER with a delay within backoff bounds. */
  queue_settle (f);
  lw_fake_clock_advance (f->clock, 1000);
  queue_settle (f);
  image = queue_image (f, id);
  g_assert_cmpint (image->status, ==, LW_IMAGE_RETRY_LATER);
  g_assert_cmpint (image->retry_count, ==, 1);
  g_assert_cmpstr (image->error_code, ==, "server");
  g_assert_cmpint (image->next_retry_at, >=, t0 + 1000);
  g_assert_cmpint (image->next_retry_at, <=, t0 + 1000 + 2000);   /* retry 0: [0, base] */

  elapsed = queue_drive (f, queue_job_finished, &job, 10 * 60 * 1000);
  g_clear_pointer (&image, lw_image_free);
  image = queue_image (f, id);
  g_assert_cmpint (image->status, ==, LW_IMAGE_COMPLETED);
  g_assert_cmpint (image->attempt, ==, 3);
  g_assert_cmpint (image->retry_count, ==, 2);
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, id), ==, 3);
  g_assert_cmpint (elapsed, <=, 2000 + 4000 + 3 * 1000);
  queue_assert_result_matches (f, id);
}

static void
test_retry_limit (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) ids = queue_stage (f, job, 1, "png");
  gint64 id = g_array_index (ids, gint64, 0);
  const int codes[] = { 1, 1, 1, 1, 1, 1, 1, 1 };   /* LW_ENGINE_ERROR_SERVER */
  LwRetryPolicy policy = { 3, 2000, 300000 };
  g_autoptr(LwImage) image = NULL;
  g_autoptr(LwJob) j = NULL;

  lw_fake_engine_script (f->engine, ".png", codes, G_N_ELEMENTS (codes), -1);
  lw_scheduler_set_retry_policy (f->scheduler, &policy);
  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  queue_drive (f, queue_job_finished, &job, 60 * 60 * 1000);

  image = queue_image (f, id);
  g_assert_cmpint (image->status, ==, LW_IMAGE_FAILED);
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, id), ==, 4);   /* 1 + 3 retries */
  g_assert_nonnull (strstr (image->error_message, "4 tries"));
  j = lw_store_get_job (f->store, job, NULL);
  g_assert_cmpint (j->status, ==, LW_JOB_FAILED);   /* every image failed */
}

static void
test_server_retry_delay (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) ids = queue_stage (f, job, 1, "webp");
  gint64 id = g_array_index (ids, gint64, 0);
  const int codes[] = { LW_ENGINE_ERROR_RATE_LIMITED };
  g_autoptr(LwImage) image = NULL;
  gint64 t_answer;

  lw_fake_engine_script (f->engine, ".webp", codes, 1, 17000);
  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  queue_settle (f);
  lw_fake_clock_advance (f->clock, 1000);
  queue_settle (f);
  t_answer = lw_clock_now_ms (LW_CLOCK (f->clock));
  image = queue_image (f, id);
  g_assert_cmpint (image->status, ==, LW_IMAGE_RETRY_LATER);
  /* RetryInfo's delay, exactly, not a jittered draw. */
  g_assert_cmpint (image->next_retry_at, ==, t_answer + 17000);
  /* The pool holds off and halves: 2 → 1. */
  g_assert_cmpint (lw_scheduler_get_effective_concurrency (f->scheduler, LW_FAKE_MODEL), ==, 1);
  lw_fake_clock_advance (f->clock, 16999);
  queue_settle (f);
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, id), ==, 1);
  queue_drive (f, queue_job_finished, &job, 60000);
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, id), ==, 2);
  /* A success raises it again, one step a round. */
  g_assert_cmpint (lw_scheduler_get_effective_concurrency (f->scheduler, LW_FAKE_MODEL), ==, 2);
}

static void
test_pause_on_auth (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) ids = queue_stage (f, job, 4, "tif");
  const int codes[] = { LW_ENGINE_ERROR_AUTH };
  LwJobCounts c;

  /* Only the first call of img-0 is refused for the key. */
  lw_fake_engine_script (f->engine, "img-0.tif", codes, 1, -1);
  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  queue_settle (f);
  lw_fake_clock_advance (f->clock, 1000);
  queue_settle (f);

  g_assert_cmpint (f->n_paused, ==, 1);
  g_assert_error (f->pause, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH);
  g_assert_nonnull (lw_scheduler_get_pause (f->scheduler, LW_FAKE_MODEL));
  c = queue_counts (f, job);
  g_assert_cmpint (c.failed, ==, 0);            /* no image is marked failed */
  g_assert_cmpint (c.completed, ==, 1);         /* the one in flight beside it landed */
  g_assert_cmpint (c.pending, ==, 3);           /* img-0 went back to PENDING */

  /* Paused: time passes, nothing is sent. */
  lw_fake_clock_advance (f->clock, 5 * 60 * 1000);
  queue_settle (f);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 2);

  lw_scheduler_resume (f->scheduler, LW_FAKE_MODEL);
  queue_drive (f, queue_job_finished, &job, 60000);
  c = queue_counts (f, job);
  g_assert_cmpint (c.completed, ==, 4);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 5);
}

static void
test_refused_and_no_image (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) a = queue_stage (f, job, 1, "safety");
  g_autoptr(GArray) b = queue_stage (f, job, 1, "words");
  g_autoptr(GArray) c = queue_stage (f, job, 1, "wordsonce");
  const int safety[] = { LW_ENGINE_ERROR_SAFETY_BLOCKED };
  const int words[] = { LW_ENGINE_ERROR_NO_IMAGE, LW_ENGINE_ERROR_NO_IMAGE, LW_ENGINE_ERROR_NO_IMAGE };
  const int once[] = { LW_ENGINE_ERROR_NO_IMAGE };
  g_autoptr(LwImage) ia = NULL, ib = NULL, ic = NULL;
  g_autoptr(LwJob) j = NULL;

  lw_fake_engine_script (f->engine, ".safety", safety, 1, -1);
  lw_fake_engine_script (f->engine, ".words", words, 3, -1);
  lw_fake_engine_script (f->engine, ".wordsonce", once, 1, -1);
  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  queue_drive (f, queue_job_finished, &job, 60000);

  ia = queue_image (f, g_array_index (a, gint64, 0));
  ib = queue_image (f, g_array_index (b, gint64, 0));
  ic = queue_image (f, g_array_index (c, gint64, 0));
  /* Refused: FAILED at once, with the reason. */
  g_assert_cmpint (ia->status, ==, LW_IMAGE_FAILED);
  g_assert_cmpstr (ia->error_code, ==, "safety_blocked");
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, ia->id), ==, 1);
  /* Words twice: one more try, then FAILED. */
  g_assert_cmpint (ib->status, ==, LW_IMAGE_FAILED);
  g_assert_cmpstr (ib->error_code, ==, "no_image");
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, ib->id), ==, 2);
  /* Words once: the second try draws. */
  g_assert_cmpint (ic->status, ==, LW_IMAGE_COMPLETED);
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, ic->id), ==, 2);
  j = lw_store_get_job (f->store, job, NULL);
  g_assert_cmpint (j->status, ==, LW_JOB_COMPLETED);   /* some failed, not all */
}

static void
test_cancel_and_continue (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) ids = queue_stage (f, job, 6, "jpg");
  g_autoptr(LwJob) j = NULL;
  LwJobCounts c;

  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  queue_settle (f);
  lw_fake_clock_advance (f->clock, 1000);   /* two done */
  queue_settle (f);
  g_assert_cmpuint (lw_fake_engine_get_in_flight (f->engine), ==, 2);

  /* Cancel keeps paid work: the two requests in flight land and are kept. */
  g_assert_true (lw_scheduler_cancel (f->scheduler, job, NULL));
  queue_settle (f);
  j = lw_store_get_job (f->store, job, NULL);
  g_assert_cmpint (j->status, ==, LW_JOB_CANCELLED);
  g_assert_cmpuint (lw_scheduler_get_job_in_flight (f->scheduler, job), ==, 2);
  lw_fake_clock_advance (f->clock, 1000);
  queue_settle (f);
  c = queue_counts (f, job);
  g_assert_cmpint (c.completed, ==, 4);
  g_assert_cmpint (c.processing, ==, 0);
  g_assert_cmpint (c.pending, ==, 2);
  g_assert_cmpuint (lw_fake_engine_get_in_flight (f->engine), ==, 0);
  g_assert_cmpuint (lw_scheduler_get_job_in_flight (f->scheduler, job), ==, 0);
  g_clear_pointer (&j, lw_job_free);
  j = lw_store_get_job (f->store, job, NULL);
  g_assert_cmpint (j->status, ==, LW_JOB_CANCELLED);

  /* Cancelled: nothing more is claimed. */
  lw_fake_clock_advance (f->clock, 10000);
  queue_settle (f);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 4);

  /* Launching again continues where it stopped; the done ones stay done. */
  lw_scheduler_launch (f->scheduler, job, NULL);
  queue_drive (f, queue_job_finished, &job, 60000);
  c = queue_counts (f, job);
  g_assert_cmpint (c.completed, ==, 6);
  for (guint i = 0; i < ids->len; i++)
    queue_assert_result_matches (f, g_array_index (ids, gint64, i));
  g_assert_cmpuint (lw_fake_engine_get_n_success (f->engine), ==, 6);
}

/* "Stop now" abandons what is in flight: back to the queue, nothing kept. */
static void
test_cancel_abandon (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) ids = queue_stage (f, job, 4, "jpg");
  LwJobCounts c;

  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  queue_settle (f);
  g_assert_cmpuint (lw_fake_engine_get_in_flight (f->engine), ==, 2);
  g_assert_true (lw_scheduler_cancel (f->scheduler, job, NULL));
  g_assert_cmpuint (lw_scheduler_abandon (f->scheduler, job), ==, 2);
  g_assert_cmpuint (lw_scheduler_abandon (f->scheduler, job), ==, 0);
  queue_settle (f);
  lw_fake_clock_advance (f->clock, 10000);
  queue_settle (f);
  c = queue_counts (f, job);
  g_assert_cmpint (c.completed, ==, 0);
  g_assert_cmpint (c.processing, ==, 0);
  g_assert_cmpint (c.pending, ==, 4);
  g_assert_cmpuint (lw_scheduler_get_job_in_flight (f->scheduler, job), ==, 0);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 2);
}

static gboolean
n_done (QueueFixture *f, gpointer data)
{
  return lw_fake_engine_get_n_success (f->engine) >= GPOINTER_TO_UINT (data);
}

static void
test_rpm_limit (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) ids = queue_stage (f, job, 12, "jpg");
  gint64 elapsed;

  lw_fake_engine_set_latency (f->engine, 100, 0);
  lw_scheduler_set_limits (f->scheduler, LW_FAKE_MODEL, 4, 5);   /* 5 a minute */
  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  queue_drive (f, n_done, GUINT_TO_POINTER (5), 60000);
  /* The sixth waits for the first start to leave the window. */
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 5);
  elapsed = queue_drive (f, queue_job_finished, &job, 10 * 60000);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 12);
  /* 12 starts at 5 a window (62 s: 60 plus the margin for preparation):
   * the 11th and 12th start after two windows. */
  g_assert_cmpint (elapsed, >=, 2 * 62000 - 1000);
  g_assert_cmpint (elapsed, <=, 2 * 62000 + 1000);
}

static void
test_concurrency_refill (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) ids = queue_stage (f, job, 40, "jpg");
  gint64 elapsed;

  lw_scheduler_set_limits (f->scheduler, LW_FAKE_MODEL, 4, 0);
  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  queue_drive (f, all_flights_started, GUINT_TO_POINTER (4), 1000);
  g_assert_cmpuint (lw_fake_engine_get_in_flight (f->engine), ==, 4);
  elapsed = queue_drive (f, queue_job_finished, &job, 60000);
  /* 40 images, 4 at a time, 1 s each: 10 s, with no idle slot. */
  g_assert_cmpint (elapsed, ==, 10000);
  g_assert_cmpuint (lw_fake_engine_get_max_in_flight (f->engine), ==, 4);
}

static void
test_reuse_identical (QueueFixture *f, gconstpointer data)
{
  gint64 job1 = queue_create_job (f, NULL);
  gint64 job2 = queue_create_job (f, NULL);
  g_autoptr(GArray) a = queue_stage (f, job1, 3, "jpg");
  g_autoptr(GArray) b = NULL;
  gint64 other = g_array_index (a, gint64, 0);
  g_autoptr(LwImage) first = NULL;
  LwImage copy = { 0 };
  gboolean dup = FALSE;
  g_autoptr(LwImage) again = NULL;

  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job1, NULL);
  queue_drive (f, queue_job_finished, &job1, 60000);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 3);

  /* The same original in another job, same module prompt and model. */
  first = queue_image (f, other);
  copy = *first;
  copy.id = 0;
  copy.job_id = job2;
  g_assert_true (lw_store_add_image (f->store, &copy, 0, &dup, NULL));
  b = queue_stage (f, job2, 1, "png");
  lw_scheduler_launch (f->scheduler, job2, NULL);
  queue_drive (f, queue_job_finished, &job2, 60000);

  /* One paid call for the new photo; none for the repeat. */
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 4);
  again = queue_image (f, copy.id);
  g_assert_cmpint (again->status, ==, LW_IMAGE_COMPLETED);
  g_assert_cmpstr (again->processed_key, ==, first->processed_key);
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, copy.id), ==, 0);
}

static void
test_stale_worker_fenced (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) ids = queue_stage (f, job, 1, "jpg");
  gint64 id = g_array_index (ids, gint64, 0);
  g_autoptr(LwImage) image = NULL;
  g_autoptr(GPtrArray) stolen = NULL;
  g_autofree char *results_dir = g_build_filename (f->dir, "blobs", "results", NULL);
  g_autoptr(GError) error = NULL;

  lw_fake_engine_set_latency (f->engine, 200 * 1000, 0);   /* outlives its lease */
  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  queue_settle (f);

  /* Another worker reaps the lease (it looks expired to it) and claims a
   * newer attempt. The lease renewer would prevent this in life; here we
   * force the race. */
  g_assert_cmpint (lw_store_reap_leases (f->store, G_MAXINT64 / 2, NULL, NULL, &error), ==, 1);
  /* Its lease outlasts the test, so our reaper leaves it alone. */
  stolen = lw_store_claim (f->store, LW_FAKE_MODEL, 0, 1, "other-host:1:x", lw_clock_now_ms (LW_CLOCK (f->clock)),
                           1000 * LW_LEASE_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stolen->len, ==, 1);

  /* The stale worker's answer arrives: it must not overwrite attempt 2. */
  lw_fake_clock_advance (f->clock, 200 * 1000);
  queue_settle (f);
  image = queue_image (f, id);
  g_assert_cmpint (image->status, ==, LW_IMAGE_PROCESSING);
  g_assert_cmpint (image->attempt, ==, 2);
  g_assert_cmpstr (image->lease_owner, ==, "other-host:1:x");
  g_assert_null (image->processed_key);
  /* …and its orphan blob is gone. */
  g_assert_cmpuint (lw_test_count_files (results_dir), ==, 0);
}

static void
test_spend_cap (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) ids = queue_stage (f, job, 5, "jpg");
  LwJobCounts c;

  /* 0.10 a call, cap 0.25: two calls fit, the third would pass it. */
  lw_fake_engine_set_cost (f->engine, 0.10);
  g_assert_true (lw_store_set_job_spend_cap (f->store, job, 0.25, 0, NULL));
  lw_scheduler_set_limits (f->scheduler, LW_FAKE_MODEL, 1, 0);
  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  for (int i = 0; i < 10; i++)
    {
      queue_settle (f);
      lw_fake_clock_advance (f->clock, 1000);
    }
  queue_settle (f);
  c = queue_counts (f, job);
  g_assert_cmpint (c.completed, ==, 2);
  g_assert_cmpint (c.pending, ==, 3);
  g_assert_cmpint (c.failed, ==, 0);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 2);
  g_assert_cmpint (f->n_paused, ==, 1);
  g_assert_error (f->pause, LW_ENGINE_ERROR, LW_ENGINE_ERROR_SPEND_CAP);
  g_assert_cmpfloat_with_epsilon (lw_test_job_cost (f->store, job), 0.20, 1e-9);

  /* Raising the cap and resuming finishes the job. */
  g_assert_true (lw_store_set_job_spend_cap (f->store, job, 1.0, 0, NULL));
  lw_scheduler_resume (f->scheduler, LW_FAKE_MODEL);
  queue_drive (f, queue_job_finished, &job, 60000);
  c = queue_counts (f, job);
  g_assert_cmpint (c.completed, ==, 5);
  g_assert_cmpfloat_with_epsilon (lw_test_job_cost (f->store, job), 0.50, 1e-9);
}

static void
test_empty_job_finishes (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(LwJob) j = NULL;

  lw_scheduler_start (f->scheduler);
  g_assert_true (lw_scheduler_launch (f->scheduler, job, NULL));
  j = lw_store_get_job (f->store, job, NULL);
  g_assert_cmpint (j->status, ==, LW_JOB_COMPLETED);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, QueueFixture, NULL, queue_fixture_setup, fn, queue_fixture_teardown)
  ADD ("/scheduler/completes-and-composes", test_completes_and_composes);
  ADD ("/scheduler/transient-then-success", test_transient_then_success);
  ADD ("/scheduler/retry-limit", test_retry_limit);
  ADD ("/scheduler/server-retry-delay", test_server_retry_delay);
  ADD ("/scheduler/pause-on-auth", test_pause_on_auth);
  ADD ("/scheduler/refused-and-no-image", test_refused_and_no_image);
  ADD ("/scheduler/cancel-and-continue", test_cancel_and_continue);
  ADD ("/scheduler/cancel-abandon", test_cancel_abandon);
  ADD ("/scheduler/rpm-limit", test_rpm_limit);
  ADD ("/scheduler/concurrency-refill", test_concurrency_refill);
  ADD ("/scheduler/reuse-identical", test_reuse_identical);
  ADD ("/scheduler/stale-worker-fenced", test_stale_worker_fenced);
  ADD ("/scheduler/spend-cap", test_spend_cap);
  ADD ("/scheduler/empty-job", test_empty_job_finishes);
#undef ADD
  return g_test_run ();
}

/* test-queue-batch.c — 500 images with mixed failures on a real SQLite
 * file: every image ends in the state its faults call for, nothing is sent
 * again after it succeeded, results belong to their inputs, retry limits
 * and delays hold (virtual time). */
#include "config.h"

#include "lw-queue-fixture.h"

typedef struct {
  gint64 job;
  GArray *ids;
} Batch;

static int
count_status (QueueFixture *f, GArray *ids, LwImageStatus status)
{
  int n = 0;

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(LwImage) image = queue_image (f, g_array_index (ids, gint64, i));
      n += image->status == status;
    }
  return n;
}

static void
test_batch_500 (QueueFixture *f, gconstpointer data)
{
  gint64 job = queue_create_job (f, "product");
  /* Kinds, by name suffix, so the outcome of each image is known:
   *   .ok      400 that succeed at once (with 5 % random 503s on top)
   *   .flaky    40 that fail twice (500, timeout), then succeed
   *   .rl       20 rate-limited once with a 3 s RetryInfo, then succeed
   *   .dead     20 that fail transiently forever → FAILED after 5 retries
   *   .unsafe   10 safety blocks → FAILED, one call
   *   .words    10 text-only twice → FAILED after two calls */
  g_autoptr(GArray) ok = queue_stage (f, job, 400, "ok");
  g_autoptr(GArray) flaky = queue_stage (f, job, 40, "flaky");
  g_autoptr(GArray) rl = queue_stage (f, job, 20, "rl");
  g_autoptr(GArray) dead = queue_stage (f, job, 20, "dead");
  g_autoptr(GArray) unsafe = queue_stage (f, job, 10, "unsafe");
  g_autoptr(GArray) words = queue_stage (f, job, 10, "words");
  const int flaky_codes[] = { LW_ENGINE_ERROR_SERVER, LW_ENGINE_ERROR_TIMEOUT };
  const int rl_codes[] = { LW_ENGINE_ERROR_RATE_LIMITED };
  const int unsafe_codes[] = { LW_ENGINE_ERROR_SAFETY_BLOCKED };
  const int words_codes[] = { LW_ENGINE_ERROR_NO_IMAGE, LW_ENGINE_ERROR_NO_IMAGE };
  int dead_codes[64];
  g_autoptr(LwJob) j = NULL;
  LwJobCounts c;
  gint64 elapsed;
  guint64 total_calls;

  for (guint i = 0; i < G_N_ELEMENTS (dead_codes); i++)
    dead_codes[i] = LW_ENGINE_ERROR_SERVER;
  /* Scripts are per suffix, so per image: "img-<k>.<kind>". */
  for (guint k = 0; k < 40; k++)
    {
      g_autofree char *s = g_strdup_printf ("img-%u.flaky", k);
      lw_fake_engine_script (f->engine, s, flaky_codes, 2, -1);
    }
  for (guint k = 0; k < 20; k++)
    {
      g_autofree char *s1 = g_strdup_printf ("img-%u.rl", k);
      g_autofree char *s2 = g_strdup_printf ("img-%u.dead", k);
      lw_fake_engine_script (f->engine, s1, rl_codes, 1, 3000);
      lw_fake_engine_script (f->engine, s2, dead_codes, G_N_ELEMENTS (dead_codes), -1);
    }
  for (guint k = 0; k < 10; k++)
    {
      g_autofree char *s1 = g_strdup_printf ("img-%u.unsafe", k);
      g_autofree char *s2 = g_strdup_printf ("img-%u.words", k);
      lw_fake_engine_script (f->engine, s1, unsafe_codes, 1, -1);
      lw_fake_engine_script (f->engine, s2, words_codes, 2, -1);
    }

  lw_fake_engine_set_latency (f->engine, 800, 0.5);
  lw_fake_engine_set_failure_rate (f->engine, 0.05, LW_ENGINE_ERROR_SERVER);
  lw_scheduler_set_limits (f->scheduler, LW_FAKE_MODEL, 4, 0);
  lw_scheduler_start (f->scheduler);
  g_assert_true (lw_scheduler_launch (f->scheduler, job, NULL));
  elapsed = queue_drive (f, queue_job_finished, &job, 6 * 3600 * 1000);

  j = lw_store_get_job (f->store, job, NULL);
  g_assert_cmpint (j->status, ==, LW_JOB_COMPLETED);
  c = queue_counts (f, job);
  g_assert_cmpint (c.total, ==, 500);
  g_assert_cmpint (lw_job_counts_open (&c), ==, 0);

  /* Random 503s can push an .ok image past its 5 retries only with
   * probability 0.05^6 each: effectively never; the counts are exact. */
  g_assert_cmpint (count_status (f, ok, LW_IMAGE_COMPLETED), ==, 400);
  g_assert_cmpint (count_status (f, flaky, LW_IMAGE_COMPLETED), ==, 40);
  g_assert_cmpint (count_status (f, rl, LW_IMAGE_COMPLETED), ==, 20);
  g_assert_cmpint (count_status (f, dead, LW_IMAGE_FAILED), ==, 20);
  g_assert_cmpint (count_status (f, unsafe, LW_IMAGE_FAILED), ==, 10);
  g_assert_cmpint (count_status (f, words, LW_IMAGE_FAILED), ==, 10);
  g_assert_cmpint (c.completed, ==, 460);
  g_assert_cmpint (c.failed, ==, 40);

  /* Each COMPLETED result is its own input's transform, and its last call
   * was its last: the engine succeeded exactly once per completed image. */
  for (guint i = 0; i < ok->len; i++)
    queue_assert_result_matches (f, g_array_index (ok, gint64, i));
  for (guint i = 0; i < flaky->len; i++)
    {
      gint64 id = g_array_index (flaky, gint64, i);
      queue_assert_result_matches (f, id);
      g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, id), >=, 3);
    }
  for (guint i = 0; i < rl->len; i++)
    queue_assert_result_matches (f, g_array_index (rl, gint64, i));
  g_assert_cmpuint (lw_fake_engine_get_n_success (f->engine), ==, 460);

  /* Retry limits: dead ones were called exactly 1 + 5 times; refusals once;
   * text-only twice. */
  for (guint i = 0; i < dead->len; i++)
    {
      gint64 id = g_array_index (dead, gint64, i);
      g_autoptr(LwImage) image = queue_image (f, id);
      g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, id), ==, 6);
      g_assert_cmpint (image->retry_count, ==, 5);
      g_assert_nonnull (strstr (image->error_message, "6 tries"));
    }
  for (guint i = 0; i < unsafe->len; i++)
    g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, g_array_index (unsafe, gint64, i)), ==, 1);
  for (guint i = 0; i < words->len; i++)
    g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, g_array_index (words, gint64, i)), ==, 2);

  /* Nothing in flight beyond the limit, ever; no lease left behind. */
  g_assert_cmpuint (lw_fake_engine_get_max_in_flight (f->engine), <=, 4);
  total_calls = lw_fake_engine_get_n_calls (f->engine);
  g_assert_cmpuint (total_calls, ==, lw_scheduler_get_n_requests (f->scheduler));
  g_test_message ("500 images: %" G_GUINT64_FORMAT " calls, %.1f virtual minutes", total_calls,
                  (double) elapsed / 60000.0);

  /* Running again sends nothing: every image is finished. */
  lw_scheduler_launch (f->scheduler, job, NULL);
  queue_settle (f);
  lw_fake_clock_advance (f->clock, 60000);
  queue_settle (f);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, total_calls);
}

static void
test_retry_delays_honoured (QueueFixture *f, gconstpointer data)
{
  /* With a 10 s base, the first retry of a 500 may not come before the
   * answer + 0 and not after answer + 10 s; the second not after + 20 s.
   * Sampled over 50 images, so the jitter is seen to be used. */
  gint64 job = queue_create_job (f, NULL);
  g_autoptr(GArray) ids = queue_stage (f, job, 50, "jpg");
  const int codes[] = { LW_ENGINE_ERROR_SERVER };
  LwRetryPolicy policy = { 5, 10000, 300000 };
  gint64 min_delay = G_MAXINT64, max_delay = 0;

  for (guint k = 0; k < 50; k++)
    {
      g_autofree char *s = g_strdup_printf ("img-%u.jpg", k);
      lw_fake_engine_script (f->engine, s, codes, 1, -1);
    }
  lw_fake_engine_set_latency (f->engine, 0, 0);
  lw_scheduler_set_retry_policy (f->scheduler, &policy);
  lw_scheduler_set_limits (f->scheduler, LW_FAKE_MODEL, 16, 0);
  lw_scheduler_start (f->scheduler);
  lw_scheduler_launch (f->scheduler, job, NULL);
  while (lw_fake_engine_get_n_calls (f->engine) < 50)
    {
      queue_settle (f);
      lw_fake_clock_advance (f->clock, 0);
    }
  queue_settle (f);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(LwImage) image = queue_image (f, g_array_index (ids, gint64, i));
      gint64 delay;

      g_assert_cmpint (image->status, ==, LW_IMAGE_RETRY_LATER);
      delay = image->next_retry_at - image->updated_at;
      g_assert_cmpint (delay, >=, 0);
      g_assert_cmpint (delay, <=, 10000);
      min_delay = MIN (min_delay, delay);
      max_delay = MAX (max_delay, delay);
    }
  g_assert_cmpint (max_delay - min_delay, >, 5000);   /* spread out, not a herd */
  queue_drive (f, queue_job_finished, &job, 60000);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 100);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/queue/batch-500-mixed", QueueFixture, NULL, queue_fixture_setup, test_batch_500,
              queue_fixture_teardown);
  g_test_add ("/queue/retry-delays-honoured", QueueFixture, NULL, queue_fixture_setup,
              test_retry_delays_honoured, queue_fixture_teardown);
  return g_test_run ();
}

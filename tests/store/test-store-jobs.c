/* test-store-jobs.c — jobs, images, rejections: CRUD, counts, staging rules,
 * cascades. */
#include "config.h"

#include <stdarg.h>

#include "store-test-helpers.h"

static void
test_job_crud (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(LwJob) named = NULL;
  g_autoptr(LwJob) got = NULL;
  g_autoptr(LwJob) by_key = NULL;
  g_autoptr(LwJob) no_key = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *hhmm = NULL;
  const gint64 now = G_GINT64_CONSTANT (1764165900000);  /* 26 Nov 2025, 14:05 UTC */

  store_fixture_init (&f);

  /* Default name: "<module name> — <day> <month> <time>". */
  job = lw_store_create_job (f.store, NULL, "food", "nano_banana", NULL, now, &error);
  g_assert_no_error (error);
  when = g_date_time_new_from_unix_local (now / 1000);
  hhmm = g_date_time_format (when, "%H:%M");
  g_assert_true (g_str_has_prefix (job->name, "Food Enhancer — "));
  g_assert_true (g_str_has_suffix (job->name, hhmm));
  g_assert_nonnull (strstr (job->name, " Nov "));
  g_assert_cmpstr (job->prompt, ==, lw_builtin_module_find ("food")->prompt);
  g_assert_cmpint (job->status, ==, LW_JOB_PENDING);
  g_assert_cmpint (job->created_at, ==, now);
  g_assert_cmpint (job->launched_at, ==, 0);

  named = lw_store_create_job (f.store, "Menu shoot", "product", "local", "cli:abc", now + 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (named->name, ==, "Menu shoot");

  /* Bad arguments. */
  g_assert_null (lw_store_create_job (f.store, NULL, "food", "", NULL, now, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (lw_store_create_job (f.store, NULL, "nope", "local", NULL, now, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (lw_store_get_job (f.store, 999, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Round trip of every field. */
  g_assert_true (lw_store_rename_job (f.store, job->id, "Dinner", now + 10, &error));
  g_assert_true (lw_store_set_job_prompt (f.store, job->id, "Brighter.", now + 11, &error));
  g_assert_true (lw_store_set_job_model (f.store, job->id, "nano_banana_pro", now + 12, &error));
  g_assert_true (lw_store_set_job_spend_cap (f.store, job->id, 12.5, now + 13, &error));
  g_assert_no_error (error);
  got = lw_store_get_job (f.store, job->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->name, ==, "Dinner");
  g_assert_cmpstr (got->prompt, ==, "Brighter.");
  g_assert_cmpstr (got->model, ==, "nano_banana_pro");
  g_assert_cmpstr (got->module_id, ==, "food");
  g_assert_cmpfloat (got->spend_cap, ==, 12.5);
  g_assert_cmpint (got->updated_at, ==, now + 13);
  g_assert_null (got->source_key);

  g_assert_false (lw_store_set_job_spend_cap (f.store, job->id, -1, now, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lw_store_rename_job (f.store, 999, "x", now, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Changing the module copies its prompt. */
  g_assert_true (lw_store_set_job_module (f.store, job->id, "portrait", now + 20, &error));
  g_clear_pointer (&got, lw_job_free);
  got = lw_store_get_job (f.store, job->id, &error);
  g_assert_cmpstr (got->module_id, ==, "portrait");
  g_assert_cmpstr (got->prompt, ==, lw_builtin_module_find ("portrait")->prompt);

  by_key = lw_store_find_job_by_source_key (f.store, "cli:abc", &error);
  g_assert_no_error (error);
  g_assert_nonnull (by_key);
  g_assert_cmpint (by_key->id, ==, named->id);
  no_key = lw_store_find_job_by_source_key (f.store, "cli:zzz", &error);
  g_assert_no_error (error);
  g_assert_null (no_key);

  /* Newest first, limit respected. */
  jobs = lw_store_list_jobs (f.store, 0, &error);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpint (((LwJob *) jobs->pdata[0])->id, ==, named->id);
  g_clear_pointer (&jobs, g_ptr_array_unref);
  jobs = lw_store_list_jobs (f.store, 1, &error);
  g_assert_cmpuint (jobs->len, ==, 1);
  store_fixture_clear (&f);
}

static void
test_job_status (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  LwJob *got;

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 100);

  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 200, &error));
  got = lw_store_get_job (f.store, job->id, &error);
  g_assert_cmpint (got->status, ==, LW_JOB_PROCESSING);
  g_assert_cmpint (got->launched_at, ==, 200);
  g_assert_cmpint (got->finished_at, ==, 0);
  lw_job_free (got);

  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_CANCELLED, 300, &error));
  got = lw_store_get_job (f.store, job->id, &error);
  g_assert_cmpint (got->status, ==, LW_JOB_CANCELLED);
  g_assert_cmpint (got->finished_at, ==, 300);
  lw_job_free (got);

  /* Launched again: keeps its first launch time (its place in the queue). */
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 400, &error));
  got = lw_store_get_job (f.store, job->id, &error);
  g_assert_cmpint (got->launched_at, ==, 200);
  g_assert_cmpint (got->finished_at, ==, 0);
  lw_job_free (got);

  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_COMPLETED, 500, &error));
  got = lw_store_get_job (f.store, job->id, &error);
  g_assert_cmpint (got->status, ==, LW_JOB_COMPLETED);
  g_assert_cmpint (got->finished_at, ==, 500);
  lw_job_free (got);
  g_assert_no_error (error);

  g_assert_false (lw_store_set_job_status (f.store, 999, LW_JOB_FAILED, 500, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  store_fixture_clear (&f);
}

/* lw_store_list_finished_jobs (store, before) is exactly the ids given,
 * in order, ended by -1. */
static void
assert_finished_jobs (LwStore *store, gint64 before, ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = lw_store_list_finished_jobs (store, before, &error);
  g_autoptr(GString) want = g_string_new (NULL);
  g_autoptr(GString) got = g_string_new (NULL);
  va_list ap;
  gint64 id;

  g_assert_no_error (error);
  g_assert_nonnull (ids);
  va_start (ap, before);
  while ((id = va_arg (ap, gint64)) >= 0)
    g_string_append_printf (want, "%" G_GINT64_FORMAT " ", id);
  va_end (ap);
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (got, "%" G_GINT64_FORMAT " ", g_array_index (ids, gint64, i));
  g_assert_cmpstr (got->str, ==, want->str);
}

/* The listing and the delete say "finished before" once: for a job in
 * every state, the delete takes exactly the ones listed. */
static void
test_list_finished (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  static const struct {
    LwJobStatus status;   /* after PROCESSING at 200, unless PENDING */
    gint64      at;
  } cases[] = {
    { LW_JOB_PENDING, 0 },
    { LW_JOB_PROCESSING, 0 },
    { LW_JOB_COMPLETED, 300 },
    { LW_JOB_FAILED, 500 },
    { LW_JOB_CANCELLED, 400 },
    { LW_JOB_COMPLETED, 1000 },   /* at the cutoff: not before it */
    { LW_JOB_FAILED, 5000 },
  };
  gint64 ids[G_N_ELEMENTS (cases)];

  store_fixture_init (&f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LwJob) job = test_create_job (f.store, "local", 100);

      ids[i] = job->id;
      if (cases[i].status != LW_JOB_PENDING)
        g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 200, &error));
      if (cases[i].at > 0)
        g_assert_true (lw_store_set_job_status (f.store, job->id, cases[i].status, cases[i].at, &error));
      g_assert_no_error (error);
    }
  assert_finished_jobs (f.store, 1000, ids[2], ids[3], (gint64) -1);
  assert_finished_jobs (f.store, 1001, ids[2], ids[3], ids[5], (gint64) -1);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean deleted = FALSE;

      g_assert_true (lw_store_delete_finished_job (f.store, ids[i], 1000, &deleted, &error));
      g_assert_no_error (error);
      g_assert_cmpint (deleted, ==, i == 2 || i == 3);
    }
  assert_finished_jobs (f.store, 1000, (gint64) -1);
  store_fixture_clear (&f);
}

/* "Remove finished jobs older than …": the window lists the old jobs, and
 * lightwork-cli (another connection) may launch one again before the
 * delete; the delete checks in the same statement and leaves it. */
static void
test_delete_finished (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(LwJob) still = NULL;
  g_autoptr(LwJob) gone = NULL;
  g_autoptr(LwStore) cli = NULL;
  g_autofree char *unstaged = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *cleared = NULL;
  gboolean deleted = TRUE;

  store_fixture_init (&f);
  cli = lw_store_open (f.db_path, &error);
  g_assert_no_error (error);
  job = test_create_job (f.store, "local", 100);
  unstaged = lw_store_unstaged_key (job->id);
  g_assert_true (lw_store_set_setting (f.store, unstaged, "/photos/later", &error));
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 200, &error));
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_COMPLETED, 300, &error));
  g_assert_no_error (error);

  /* Finished at 300, so on the list for a cutoff of 1000; then launched
   * again by the other process. */
  assert_finished_jobs (f.store, 1000, job->id, (gint64) -1);
  g_assert_true (lw_store_set_job_status (cli, job->id, LW_JOB_PROCESSING, 400, &error));
  assert_finished_jobs (f.store, 1000, (gint64) -1);
  g_assert_true (lw_store_delete_finished_job (f.store, job->id, 1000, &deleted, &error));
  g_assert_no_error (error);
  g_assert_false (deleted);
  still = lw_store_get_job (f.store, job->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (still->status, ==, LW_JOB_PROCESSING);
  kept = lw_store_get_setting (f.store, unstaged);
  g_assert_cmpstr (kept, ==, "/photos/later");

  /* Finished again, after the cutoff: still not old enough. */
  g_assert_true (lw_store_set_job_status (cli, job->id, LW_JOB_FAILED, 2000, &error));
  assert_finished_jobs (f.store, 1000, (gint64) -1);
  assert_finished_jobs (f.store, 3000, job->id, (gint64) -1);
  g_assert_true (lw_store_delete_finished_job (f.store, job->id, 1000, &deleted, &error));
  g_assert_false (deleted);

  /* Old enough: gone, with its unfinished staging. */
  g_assert_true (lw_store_delete_finished_job (f.store, job->id, 3000, &deleted, &error));
  g_assert_no_error (error);
  g_assert_true (deleted);
  gone = lw_store_get_job (f.store, job->id, &error);
  g_assert_null (gone);
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  cleared = lw_store_get_setting (f.store, unstaged);
  g_assert_null (cleared);

  /* Gone already: nothing deleted, no error. */
  g_assert_true (lw_store_delete_finished_job (f.store, job->id, 3000, &deleted, &error));
  g_assert_no_error (error);
  g_assert_false (deleted);
  g_assert_finalize_object (g_steal_pointer (&cli));
  store_fixture_clear (&f);
}

static void
test_images (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(LwJob) other = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) other_ids = NULL;
  g_autoptr(LwImage) dup = NULL;
  g_autoptr(LwImage) got = NULL;
  g_autoptr(LwImage) expected = NULL;
  g_autoptr(GPtrArray) images = NULL;
  LwJobCounts counts;
  gboolean duplicate = FALSE;

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 1000);
  other = test_create_job (f.store, "local", 1000);
  ids = test_add_images (f.store, job->id, 0, 4, 2000);

  /* Positions increase from 0 in staging order. */
  images = lw_store_list_images (f.store, job->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, 4);
  for (guint i = 0; i < images->len; i++)
    {
      LwImage *image = images->pdata[i];

      g_assert_cmpint (image->id, ==, g_array_index (ids, gint64, i));
      g_assert_cmpint (image->position, ==, i);
      g_assert_cmpint (image->status, ==, LW_IMAGE_PENDING);
    }

  /* Every field makes the round trip. */
  expected = test_image_new (job->id, 2);
  got = lw_store_get_image (f.store, g_array_index (ids, gint64, 2), &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->job_id, ==, job->id);
  g_assert_cmpstr (got->original_name, ==, expected->original_name);
  g_assert_cmpstr (got->source_path, ==, expected->source_path);
  g_assert_cmpstr (got->original_key, ==, expected->original_key);
  g_assert_cmpstr (got->sha256, ==, expected->sha256);
  g_assert_cmpstr (got->mime, ==, "image/jpeg");
  g_assert_cmpint (got->width, ==, 6000);
  g_assert_cmpint (got->height, ==, 4000);
  g_assert_cmpint (got->orientation, ==, 6);
  g_assert_cmpint (got->bytes, ==, 1002);
  g_assert_cmpstr (got->thumb_key, ==, expected->thumb_key);
  g_assert_null (got->processed_key);
  g_assert_null (got->specific_prompt);
  g_assert_cmpint (got->attempt, ==, 0);
  g_assert_cmpint (got->created_at, ==, 2000);

  /* The same content again in the same job is staged once… */
  dup = test_image_new (job->id, 1);
  g_free (dup->original_name);
  dup->original_name = g_strdup ("copy of IMG_0001.jpg");
  g_assert_true (lw_store_add_image (f.store, dup, 3000, &duplicate, &error));
  g_assert_no_error (error);
  g_assert_true (duplicate);
  g_assert_cmpint (dup->id, ==, g_array_index (ids, gint64, 1));
  g_assert_true (lw_store_count_images (f.store, job->id, &counts, &error));
  g_assert_cmpint (counts.total, ==, 4);
  /* …but another job may have it. */
  other_ids = test_add_images (f.store, other->id, 1, 1, 3000);
  g_assert_cmpint (g_array_index (other_ids, gint64, 0), !=, g_array_index (ids, gint64, 1));

  /* Per-image instruction: "" clears. */
  g_assert_true (lw_store_set_image_prompt (f.store, got->id, "Remove the fork.", 4000, &error));
  g_clear_pointer (&got, lw_image_free);
  got = lw_store_get_image (f.store, g_array_index (ids, gint64, 2), &error);
  g_assert_cmpstr (got->specific_prompt, ==, "Remove the fork.");
  g_assert_cmpint (got->updated_at, ==, 4000);
  g_assert_true (lw_store_set_image_prompt (f.store, got->id, "", 4001, &error));
  g_assert_true (lw_store_set_image_thumb (f.store, got->id, "thumbs/ab/other.png", 4002, &error));
  g_clear_pointer (&got, lw_image_free);
  got = lw_store_get_image (f.store, g_array_index (ids, gint64, 2), &error);
  g_assert_null (got->specific_prompt);
  g_assert_cmpstr (got->thumb_key, ==, "thumbs/ab/other.png");

  /* Removing leaves a gap; the next one still goes last. */
  g_assert_true (lw_store_remove_image (f.store, g_array_index (ids, gint64, 3), &error));
  g_assert_false (lw_store_remove_image (f.store, g_array_index (ids, gint64, 3), &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autoptr(GArray) more = test_add_images (f.store, job->id, 10, 1, 5000);
    g_autoptr(LwImage) last = lw_store_get_image (f.store, g_array_index (more, gint64, 0), &error);

    g_assert_cmpint (last->position, ==, 3);
  }

  /* Images need a real job (foreign_keys is on). */
  {
    g_autoptr(LwImage) orphan = test_image_new (424242, 99);

    g_assert_false (lw_store_add_image (f.store, orphan, 5000, &duplicate, &error));
    g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_SQLITE);
    g_assert_nonnull (strstr (error->message, "FOREIGN KEY"));
    g_clear_error (&error);
  }
  store_fixture_clear (&f);
}

static void
test_counts_retry_requeue_cost (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  LwJobCounts counts;
  gboolean fenced = TRUE;
  int attempt[5];

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 1000);
  ids = test_add_images (f.store, job->id, 0, 6, 1000);
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 1000, &error));
  claimed = lw_store_claim (f.store, "local", 0, 5, "me", 2000, 60000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    attempt[i] = ((LwImage *) claimed->pdata[i])->attempt;

  g_assert_true (lw_store_finish_completed (f.store, g_array_index (ids, gint64, 0), attempt[0],
                                            "results/1-1.png", "image/png", "req-a", NULL, 0.04, 3000, &fenced, &error));
  g_assert_false (fenced);
  g_assert_true (lw_store_finish_failed (f.store, g_array_index (ids, gint64, 1), attempt[1], "SAFETY_BLOCKED",
                                         "The model refused", 0.04, 3000, &fenced, &error));
  g_assert_true (lw_store_finish_failed (f.store, g_array_index (ids, gint64, 2), attempt[2], "TIMED_OUT",
                                         "Too slow", 0, 3000, &fenced, &error));
  g_assert_true (lw_store_finish_retry (f.store, g_array_index (ids, gint64, 3), attempt[3], 9000, "RATE_LIMITED",
                                        "429", 0.01, 3000, &fenced, &error));
  g_assert_no_error (error);

  g_assert_true (lw_store_count_images (f.store, job->id, &counts, &error));
  g_assert_cmpint (counts.total, ==, 6);
  g_assert_cmpint (counts.completed, ==, 1);
  g_assert_cmpint (counts.failed, ==, 2);
  g_assert_cmpint (counts.retry_later, ==, 1);
  g_assert_cmpint (counts.processing, ==, 1);
  g_assert_cmpint (counts.pending, ==, 1);
  g_assert_cmpint (lw_job_counts_open (&counts), ==, 3);
  g_assert_cmpfloat_with_epsilon (lw_test_job_cost (f.store, job->id), 0.09, 1e-9);

  /* Retry failed: both FAILED back to PENDING, errors cleared; RETRY_LATER untouched. */
  g_assert_cmpint (lw_store_retry_failed (f.store, job->id, 4000, &error), ==, 2);
  g_assert_true (lw_store_count_images (f.store, job->id, &counts, &error));
  g_assert_cmpint (counts.failed, ==, 0);
  g_assert_cmpint (counts.pending, ==, 3);
  g_assert_cmpint (counts.retry_later, ==, 1);
  {
    g_autoptr(LwImage) image = lw_store_get_image (f.store, g_array_index (ids, gint64, 1), &error);

    g_assert_null (image->error_code);
    g_assert_null (image->error_message);
    g_assert_cmpint (image->retry_count, ==, 0);
    /* Money spent stays spent. */
    g_assert_cmpfloat_with_epsilon (image->cost, 0.04, 1e-9);
  }

  /* Requeue a completed image: without force the result stays named,
   * with force it is forgotten. */
  g_assert_true (lw_store_requeue_image (f.store, g_array_index (ids, gint64, 0), FALSE, 5000, &error));
  {
    g_autoptr(LwImage) image = lw_store_get_image (f.store, g_array_index (ids, gint64, 0), &error);

    g_assert_cmpint (image->status, ==, LW_IMAGE_PENDING);
    g_assert_cmpstr (image->request_key, ==, "req-a");
  }
  g_assert_true (lw_store_requeue_image (f.store, g_array_index (ids, gint64, 0), TRUE, 5001, &error));
  {
    g_autoptr(LwImage) image = lw_store_get_image (f.store, g_array_index (ids, gint64, 0), &error);

    g_assert_null (image->processed_key);
    g_assert_null (image->processed_mime);
    g_assert_null (image->request_key);
  }
  /* A PROCESSING image belongs to its running attempt. */
  g_assert_false (lw_store_requeue_image (f.store, g_array_index (ids, gint64, 4), TRUE, 5002, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lw_store_requeue_image (f.store, 999, TRUE, 5002, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  store_fixture_clear (&f);
}

static void
test_rejections_and_cascade (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) doomed = NULL;
  g_autoptr(LwJob) kept = NULL;
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  g_autoptr(GPtrArray) rejections = NULL;
  g_autofree char *doomed_unstaged = NULL;
  g_autofree char *kept_unstaged = NULL;
  g_autofree char *kept_paths = NULL;
  sqlite3 *db;

  store_fixture_init (&f);
  db = lw_store_get_db (f.store);
  doomed = test_create_job (f.store, "local", 1000);
  kept = test_create_job (f.store, "local", 1000);
  a = test_add_images (f.store, doomed->id, 0, 5, 1000);
  b = test_add_images (f.store, kept->id, 0, 3, 1000);
  g_assert_true (lw_store_add_rejection (f.store, doomed->id, "/photos/notes.txt", "not an image", 1100, &error));
  g_assert_true (lw_store_add_rejection (f.store, doomed->id, "/photos/cut.jpg", "truncated JPEG", 1101, &error));
  g_assert_true (lw_store_add_rejection (f.store, kept->id, "/photos/huge.tif", "too large", 1102, &error));
  g_assert_no_error (error);

  rejections = lw_store_list_rejections (f.store, doomed->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rejections->len, ==, 2);
  g_assert_cmpstr (((LwRejection *) rejections->pdata[0])->path, ==, "/photos/notes.txt");
  g_assert_cmpstr (((LwRejection *) rejections->pdata[1])->reason, ==, "truncated JPEG");
  g_assert_cmpint (((LwRejection *) rejections->pdata[1])->created_at, ==, 1101);

  /* An unfinished staging of each (lw_jobs_dup_unstaged_paths's row). */
  doomed_unstaged = g_strdup_printf ("staging.unfinished.%" G_GINT64_FORMAT, doomed->id);
  kept_unstaged = g_strdup_printf ("staging.unfinished.%" G_GINT64_FORMAT, kept->id);
  g_assert_true (lw_store_set_setting (f.store, doomed_unstaged, "['/photos']", &error));
  g_assert_true (lw_store_set_setting (f.store, kept_unstaged, "['/more']", &error));
  g_assert_no_error (error);

  g_assert_true (lw_store_delete_job (f.store, doomed->id, &error));
  g_assert_no_error (error);
  g_assert_null (lw_store_get_setting (f.store, doomed_unstaged));
  kept_paths = lw_store_get_setting (f.store, kept_unstaged);
  g_assert_cmpstr (kept_paths, ==, "['/more']");
  g_assert_cmpint (test_query_int (db, "SELECT COUNT(*) FROM images"), ==, 3);
  g_assert_cmpint (test_query_int (db, "SELECT COUNT(*) FROM rejections"), ==, 1);
  g_assert_cmpint (test_query_int (db, "SELECT COUNT(*) FROM jobs"), ==, 1);
  g_assert_false (lw_store_delete_job (f.store, doomed->id, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  g_assert_true (sqlite3_get_autocommit (db));   /* rolled back, nothing left open */
  store_fixture_clear (&f);
}

/* The question the queue asks after every finish: is anything left? */
static void
test_open_images (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(LwJob) other = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  gboolean open = FALSE, fenced = FALSE;
  int attempt[3];

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 1000);
  other = test_create_job (f.store, "local", 1000);
  ids = test_add_images (f.store, job->id, 0, 3, 1000);
  g_array_unref (test_add_images (f.store, other->id, 10, 2, 1000));

  g_assert_true (lw_store_job_has_open_images (f.store, job->id, &open, &error));
  g_assert_true (open);
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 1000, &error));
  claimed = lw_store_claim (f.store, "local", 0, 3, "me", 2000, 60000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    attempt[i] = ((LwImage *) claimed->pdata[i])->attempt;

  /* PROCESSING and RETRY_LATER are open; COMPLETED and FAILED are not. */
  g_assert_true (lw_store_finish_completed (f.store, g_array_index (ids, gint64, 0), attempt[0],
                                            "results/1-1.png", "image/png", "req-a", NULL, 0.04, 3000, &fenced, &error));
  g_assert_true (lw_store_finish_retry (f.store, g_array_index (ids, gint64, 1), attempt[1], 9000, "RATE_LIMITED",
                                        "429", 0, 3000, &fenced, &error));
  g_assert_true (lw_store_job_has_open_images (f.store, job->id, &open, &error));
  g_assert_true (open);
  g_assert_true (lw_store_finish_failed (f.store, g_array_index (ids, gint64, 2), attempt[2], "SAFETY_BLOCKED",
                                         "The model refused", 0, 3000, &fenced, &error));
  g_assert_true (lw_store_job_has_open_images (f.store, job->id, &open, &error));
  g_assert_true (open);  /* the RETRY_LATER one */
  g_clear_pointer (&claimed, g_ptr_array_unref);
  claimed = lw_store_claim (f.store, "local", 0, 3, "me", 10000, 60000, &error);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_true (lw_store_finish_completed (f.store, g_array_index (ids, gint64, 1),
                                            ((LwImage *) claimed->pdata[0])->attempt, "results/2-2.png", "image/png",
                                            "req-b", NULL, 0.04, 11000, &fenced, &error));
  g_assert_no_error (error);
  g_assert_false (fenced);
  g_assert_true (lw_store_job_has_open_images (f.store, job->id, &open, &error));
  g_assert_false (open);
  /* The other job's pending photos are its own. */
  g_assert_true (lw_store_job_has_open_images (f.store, other->id, &open, &error));
  g_assert_true (open);
  store_fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/jobs/crud", test_job_crud);
  g_test_add_func ("/store/jobs/status", test_job_status);
  g_test_add_func ("/store/jobs/delete-finished", test_delete_finished);
  g_test_add_func ("/store/jobs/list-finished", test_list_finished);
  g_test_add_func ("/store/jobs/images", test_images);
  g_test_add_func ("/store/jobs/counts-retry-requeue-cost", test_counts_retry_requeue_cost);
  g_test_add_func ("/store/jobs/rejections-and-cascade", test_rejections_and_cascade);
  g_test_add_func ("/store/jobs/open-images", test_open_images);
  return g_test_run ();
}

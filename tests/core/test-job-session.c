/* test-job-session.c — the open job without a window: staging, counts,
 * removal with undo, running to the end and a new take, on a real SQLite
 * file, the fake engine and a GIO main loop (no display). */
#include "config.h"

#include <glib/gstdio.h>

#include "lw-fake-engine.h"
#include "lw-job-session.h"
#include "lw-models.h"
#include "lw-test-util.h"

typedef struct {
  char         *tmpdir;
  char         *photos_dir;
  LwCore       *core;
  LwJobs       *jobs;
  LwFakeEngine *engine;
  LwJobSession *session;
  GPtrArray    *photos;     /* copied fixture paths, then a file that is no photo */
  guint         finished;   /* "job-finished" emissions */
  guint         staged;     /* "staged" emissions */
} Fixture;

static void
finished_cb (LwJobSession *session, gboolean with_failures, Fixture *f)
{
  f->finished++;
}

static void
staged_cb (LwJobSession *session, guint staged, guint duplicates, guint rejected, const GError *error, Fixture *f)
{
  g_assert_no_error ((GError *) error);
  f->staged++;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *bad = NULL;
  const LwModelInfo *models;
  guint n_models;

  f->tmpdir = lw_test_make_tmpdir ("lw-session");
  dir = g_build_filename (f->tmpdir, "data", NULL);
  f->photos_dir = g_build_filename (f->tmpdir, "photos", NULL);
  g_mkdir_with_parents (f->photos_dir, 0700);
  /* CI's fixtures are read-only: stage copies. */
  f->photos = lw_test_copy_fixtures (f->photos_dir);
  g_assert_cmpuint (f->photos->len, >, 3);
  bad = g_build_filename (f->photos_dir, "notes.jpg", NULL);
  lw_test_write_file (bad, "text, not a JPEG", 16);
  g_ptr_array_add (f->photos, g_steal_pointer (&bad));

  f->core = lw_core_open (dir, NULL, &error);
  g_assert_no_error (error);
  f->jobs = lw_jobs_new (f->core);
  f->engine = lw_fake_engine_new (lw_core_get_clock (f->core));
  lw_fake_engine_set_latency (f->engine, 5, 0);
  models = lw_models_list (&n_models);
  for (guint i = 0; i < n_models; i++)
    lw_scheduler_set_engine (lw_jobs_get_scheduler (f->jobs), models[i].id, LW_ENGINE (f->engine));
  lw_jobs_start (f->jobs);

  f->session = lw_job_session_new (f->jobs);
  g_signal_connect (f->session, "job-finished", G_CALLBACK (finished_cb), f);
  g_signal_connect (f->session, "staged", G_CALLBACK (staged_cb), f);
}

static gboolean
quiet (gpointer data)
{
  Fixture *f = data;

  return lw_scheduler_get_n_flights (lw_jobs_get_scheduler (f->jobs)) == 0;
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  /* Soon, not at once: work queued on the main loop (a task's last
   * reference, the service's word that a staging is done) holds its
   * objects until it runs (docs/ARCHITECTURE.md, "Threads"). */
  if (f->session != NULL)
    lw_test_assert_finalized_soon (f->session);
  lw_jobs_stop (f->jobs);
  lw_test_wait_until (quiet, f, 5000);
  lw_test_assert_finalized_soon (f->jobs);
  lw_test_assert_finalized_soon (f->engine);
  lw_test_assert_finalized_soon (f->core);
  g_ptr_array_unref (f->photos);
  lw_test_rmtree (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->photos_dir);
}

static gboolean
not_busy (gpointer data)
{
  Fixture *f = data;

  return !lw_job_session_get_busy (f->session);
}

static gboolean
was_staged (gpointer data)
{
  Fixture *f = data;

  return f->staged > 0 && !lw_job_session_get_busy (f->session);
}

static gboolean
was_finished (gpointer data)
{
  Fixture *f = data;

  return f->finished > 0 && quiet (f);
}

/* Stages every photo and the bad file into a new job; returns the number of
 * photos (the bad file excluded). */
static guint
stage_all (Fixture *f)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  for (guint i = 0; i < f->photos->len; i++)
    g_ptr_array_add (paths, g_ptr_array_index (f->photos, i));
  g_ptr_array_add (paths, NULL);
  f->staged = 0;
  lw_job_session_stage (f->session, (const char * const *) paths->pdata, FALSE);
  g_assert_true (lw_test_wait_until (was_staged, f, 30000));
  return f->photos->len - 1;
}

static guint
n_items (Fixture *f)
{
  return g_list_model_get_n_items (lw_job_session_get_items (f->session));
}

static LwImageItem *
item_at (Fixture *f, guint position)
{
  g_autoptr(LwImageItem) item = g_list_model_get_item (lw_job_session_get_items (f->session), position);

  return item;   /* the list holds it */
}

static int
store_total (Fixture *f)
{
  LwJobProgress progress;
  g_autoptr(GError) error = NULL;

  g_assert_true (lw_jobs_get_progress (f->jobs, lw_job_session_get_job_id (f->session), &progress, &error));
  g_assert_no_error (error);
  return progress.counts.total;
}

static void
test_stage_and_count (Fixture *f, gconstpointer data)
{
  g_autofree char *default_module = lw_jobs_dup_default_module (f->jobs);
  g_autofree char *default_model = lw_jobs_dup_default_model (f->jobs);
  LwJobCounts counts;
  int rejected = -1;
  guint n;

  /* No job until the first photo: then one with the service's defaults. */
  g_assert_null (lw_job_session_get_job (f->session));
  g_assert_cmpint (lw_job_session_get_job_id (f->session), ==, 0);
  n = stage_all (f);
  g_assert_nonnull (lw_job_session_get_job (f->session));
  g_assert_cmpstr (lw_job_session_get_job (f->session)->module_id, ==, default_module);
  g_assert_cmpstr (lw_job_session_get_job (f->session)->model, ==, default_model);

  /* Every photo a staged item, the bad file a rejected one. */
  g_assert_cmpuint (n_items (f), ==, n + 1);
  lw_job_session_get_counts (f->session, &counts, &rejected);
  g_assert_cmpint (counts.total, ==, (int) n);
  g_assert_cmpint (counts.pending, ==, (int) n);
  g_assert_cmpint (rejected, ==, 1);
  g_assert_cmpint (store_total (f), ==, (int) n);
  for (guint i = 0; i < n_items (f); i++)
    {
      LwImageItem *item = item_at (f, i);

      g_assert_cmpint (lw_image_item_get_phase (item), !=, LW_IMAGE_ITEM_STAGING);
      if (lw_image_item_get_phase (item) == LW_IMAGE_ITEM_STAGED)
        g_assert_true (lw_job_session_find_item (f->session, lw_image_item_get_id (item)) == item);
    }

  /* The same files again: nothing new, no tile left behind. */
  stage_all (f);
  lw_job_session_get_counts (f->session, &counts, &rejected);
  g_assert_cmpint (counts.total, ==, (int) n);
  g_assert_cmpint (store_total (f), ==, (int) n);
  for (guint i = 0; i < n_items (f); i++)
    g_assert_cmpint (lw_image_item_get_phase (item_at (f, i)), !=, LW_IMAGE_ITEM_STAGING);
}

static void
test_reopen (Fixture *f, gconstpointer data)
{
  guint n = stage_all (f);
  gint64 job_id = lw_job_session_get_job_id (f->session);
  int rejected = 0;

  /* A new session (a window opened again) comes back to the last job, with
   * its rows and its rejection, loaded off the main thread. */
  lw_test_assert_finalized_soon (g_steal_pointer (&f->session));
  f->session = lw_job_session_new (f->jobs);
  g_assert_true (lw_job_session_restore (f->session));
  g_assert_cmpint (lw_job_session_get_job_id (f->session), ==, job_id);
  g_assert_true (lw_job_session_get_busy (f->session));
  g_assert_true (lw_test_wait_until (not_busy, f, 10000));
  g_assert_cmpuint (n_items (f), ==, n + 1);
  lw_job_session_get_counts (f->session, NULL, &rejected);
  g_assert_cmpint (rejected, ==, 1);

  /* A new job forgets it. */
  lw_job_session_new_job (f->session);
  g_assert_cmpuint (n_items (f), ==, 0);
  lw_test_assert_finalized_soon (g_steal_pointer (&f->session));
  f->session = lw_job_session_new (f->jobs);
  g_assert_false (lw_job_session_restore (f->session));
}

static void
test_remove_undo_commit (Fixture *f, gconstpointer data)
{
  guint n = stage_all (f);
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_object_unref);
  LwImageItem *first, *third;
  gint64 first_id;
  LwJobCounts counts;

  first = item_at (f, 0);
  third = item_at (f, 2);
  first_id = lw_image_item_get_id (first);
  g_ptr_array_add (chosen, g_object_ref (first));
  g_ptr_array_add (chosen, g_object_ref (third));

  /* Out of the list at once, still in the database. */
  g_assert_cmpuint (lw_job_session_remove (f->session, chosen), ==, 2);
  g_assert_cmpuint (n_items (f), ==, n - 1);
  g_assert_cmpuint (lw_job_session_get_n_pending_removal (f->session), ==, 2);
  g_assert_cmpint (store_total (f), ==, (int) n);
  lw_job_session_get_counts (f->session, &counts, NULL);
  g_assert_cmpint (counts.total, ==, (int) n - 2);

  /* Undo puts them back where they were. */
  lw_job_session_undo_remove (f->session);
  g_assert_cmpuint (n_items (f), ==, n + 1);
  g_assert_true (item_at (f, 0) == first);
  g_assert_true (item_at (f, 2) == third);
  g_assert_cmpuint (lw_job_session_get_n_pending_removal (f->session), ==, 0);

  /* Removed again and committed: the rows go. */
  g_assert_cmpuint (lw_job_session_remove (f->session, chosen), ==, 2);
  lw_job_session_commit_removals (f->session);
  g_assert_cmpint (store_total (f), ==, (int) n - 2);
  g_assert_null (lw_job_session_find_item (f->session, first_id));
  /* Undo after the commit has nothing to bring back. */
  lw_job_session_undo_remove (f->session);
  g_assert_cmpuint (n_items (f), ==, n - 1);

  /* A removal pending at launch is final before anything is sent. */
  g_ptr_array_set_size (chosen, 0);
  g_ptr_array_add (chosen, g_object_ref (item_at (f, 0)));
  g_assert_cmpuint (lw_job_session_remove (f->session, chosen), ==, 1);
  g_assert_true (lw_job_session_launch (f->session, NULL));
  g_assert_cmpint (store_total (f), ==, (int) n - 3);
  g_assert_true (lw_test_wait_until (was_finished, f, 30000));
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, n - 3);
}

static void
test_launch_and_new_take (Fixture *f, gconstpointer data)
{
  guint n = stage_all (f);
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  LwJobCounts counts;
  LwImageItem *item = NULL;
  gint64 id;

  g_assert_true (lw_job_session_launch (f->session, &error));
  g_assert_no_error (error);
  g_assert_true (lw_job_session_get_running (f->session));
  g_assert_true (lw_test_wait_until (was_finished, f, 30000));
  g_assert_false (lw_job_session_get_running (f->session));
  g_assert_cmpint (lw_job_session_get_job (f->session)->status, ==, LW_JOB_COMPLETED);
  lw_job_session_get_counts (f->session, &counts, NULL);
  g_assert_cmpint (counts.completed, ==, (int) n);
  g_assert_cmpint (lw_job_counts_open (&counts), ==, 0);

  for (guint i = 0; item == NULL && i < n_items (f); i++)
    if (lw_image_item_get_phase (item_at (f, i)) == LW_IMAGE_ITEM_STAGED)
      item = item_at (f, i);
  g_assert_nonnull (item);
  id = lw_image_item_get_id (item);
  g_assert_nonnull (lw_image_item_get_processed_key (item));
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, id), ==, 1);

  /* Retry as a new take: queued again, sent again, never the earlier result. */
  f->finished = 0;
  g_ptr_array_add (chosen, g_object_ref (item));
  g_assert_cmpint (lw_job_session_retry (f->session, chosen, TRUE, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (lw_image_item_get_status (item), !=, LW_IMAGE_COMPLETED);
  g_assert_true (lw_test_wait_until (was_finished, f, 30000));
  g_assert_cmpint (lw_image_item_get_status (item), ==, LW_IMAGE_COMPLETED);
  g_assert_cmpuint (lw_fake_engine_get_calls_for (f->engine, id), ==, 2);
  lw_job_session_get_counts (f->session, &counts, NULL);
  g_assert_cmpint (counts.completed, ==, (int) n);

  /* Finished, the job may change model again (the service refuses only
   * while it runs). */
  g_assert_true (lw_job_session_set_model (f->session, LW_MODEL_LOCAL, &error));
  g_assert_cmpstr (lw_job_session_get_model (f->session), ==, LW_MODEL_LOCAL);
}

static gboolean
has_incoming (gpointer data)
{
  Fixture *f = data;

  return lw_job_session_get_n_incoming (f->session) > 0;
}

static void
test_paced (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  guint incoming = 0;

  /* Paced, items wait until the caller lets them in (a window a frame). */
  lw_job_session_set_paced (f->session, TRUE);
  for (guint i = 0; i < f->photos->len; i++)
    g_ptr_array_add (paths, g_ptr_array_index (f->photos, i));
  g_ptr_array_add (paths, NULL);
  lw_job_session_stage (f->session, (const char * const *) paths->pdata, FALSE);
  g_assert_true (lw_test_wait_until (has_incoming, f, 10000));
  incoming = lw_job_session_get_n_incoming (f->session);
  g_assert_cmpuint (n_items (f), ==, 0);
  g_assert_cmpuint (lw_job_session_grow (f->session, 2), ==, incoming - 2);
  g_assert_cmpuint (n_items (f), ==, 2);
  g_assert_true (lw_test_wait_until (was_staged, f, 30000));
  /* The end of staging lets the rest in. */
  g_assert_cmpuint (lw_job_session_get_n_incoming (f->session), ==, 0);
  g_assert_cmpuint (n_items (f), ==, f->photos->len);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/job-session/stage-and-count", Fixture, NULL, fixture_setup, test_stage_and_count, fixture_teardown);
  g_test_add ("/job-session/reopen", Fixture, NULL, fixture_setup, test_reopen, fixture_teardown);
  g_test_add ("/job-session/remove-undo-commit", Fixture, NULL, fixture_setup, test_remove_undo_commit,
              fixture_teardown);
  g_test_add ("/job-session/launch-and-new-take", Fixture, NULL, fixture_setup, test_launch_and_new_take,
              fixture_teardown);
  g_test_add ("/job-session/paced", Fixture, NULL, fixture_setup, test_paced, fixture_teardown);
  return g_test_run ();
}

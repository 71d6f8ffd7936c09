/* test-store-batches.c — economy mode's statements (lw-store-batches.c) on
 * a real SQLite file: who takes which photos, the fence on the attempt, the
 * bounded retries of failed entries, the move to the live pool, and that a
 * closed batch stays closed (docs/ARCHITECTURE.md, "Economy").
 */
#include "config.h"

#include "lw-store-batches.h"
#include "store-test-helpers.h"

#define MODEL "nano_banana"

static gint64
launched_job (StoreFixture *f, const char *mode, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = test_create_job (f->store, MODEL, 1000);

  g_array_unref (test_add_images (f->store, job->id, 0, n, 1000));
  g_assert_true (lw_store_set_job_mode (f->store, job->id, mode, 1000, &error));
  g_assert_no_error (error);
  g_assert_true (lw_store_set_job_status (f->store, job->id, LW_JOB_PROCESSING, 1000, &error));
  g_assert_no_error (error);
  return job->id;
}

/* The live claim and the batch claim never take the same photos. */
static void
test_claims_split_by_mode (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) live = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(LwBatchRecord) batch = NULL;
  g_autoptr(LwBatchRecord) empty = NULL;
  gint64 fast, economy;

  store_fixture_init (&f);
  fast = launched_job (&f, LW_STORE_MODE_FAST, 3);
  economy = launched_job (&f, LW_STORE_MODE_ECONOMY, 4);

  live = lw_store_claim (f.store, MODEL, 0, 16, "me", 2000, 90000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (live->len, ==, 3);
  for (guint i = 0; i < live->len; i++)
    g_assert_cmpint (((LwImage *) g_ptr_array_index (live, i))->job_id, ==, fast);

  batch = lw_store_batch_claim (f.store, economy, MODEL, 0, "me", 3, 2000, &images, &error);
  g_assert_no_error (error);
  g_assert_cmpint (batch->n_images, ==, 3);
  g_assert_cmpuint (images->len, ==, 3);
  g_assert_cmpint (((LwImage *) g_ptr_array_index (images, 0))->attempt, ==, 1);
  g_assert_cmpint (((LwImage *) g_ptr_array_index (images, 0))->position, <,
                   ((LwImage *) g_ptr_array_index (images, 1))->position);
  /* A fast job's photos are not the batch's. */
  empty = lw_store_batch_claim (f.store, fast, MODEL, 0, "me", 10, 2000, &none, &error);
  g_assert_no_error (error);
  g_assert_null (empty);
  /* Far in the future every lease has expired: the live claims' three go
   * back, the batch's claim stays (only its state ends it). */
  g_assert_cmpint (lw_store_reap_leases (f.store, G_MAXINT64 / 2, NULL, NULL, &error), ==, 3);
  g_clear_pointer (&images, g_ptr_array_unref);
  images = lw_store_batch_images (f.store, batch->id, &error);
  g_assert_cmpuint (images->len, ==, 3);
  store_fixture_clear (&f);
}

/* A failed entry goes back for a later batch, and fails on its third; a
 * stale attempt is fenced out; the user's move sends it to the live pool. */
static void
test_failed_entry_to_live (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) live = NULL;
  gint64 economy, id = 0;
  gboolean failed = TRUE, fenced = TRUE;

  store_fixture_init (&f);
  economy = launched_job (&f, LW_STORE_MODE_ECONOMY, 1);
  for (int round = 1; round <= 3; round++)
    {
      g_autoptr(GPtrArray) images = NULL;
      g_autoptr(LwBatchRecord) batch = lw_store_batch_claim (f.store, economy, MODEL, 0, "me", 5, 2000, &images, &error);
      LwImage *image;

      g_assert_no_error (error);
      g_assert_nonnull (batch);
      image = g_ptr_array_index (images, 0);
      id = image->id;
      g_assert_cmpint (image->attempt, ==, round);
      /* The previous attempt's answer is fenced out. */
      g_assert_true (lw_store_batch_entry_failed (f.store, id, round - 1, 3, "batch", "old", 2000, &failed,
                                                  &fenced, &error));
      g_assert_true (fenced);
      g_assert_true (lw_store_batch_entry_failed (f.store, id, round, 3, "batch", "Internal error", 2000, &failed,
                                                  &fenced, &error));
      g_assert_no_error (error);
      g_assert_false (fenced);
      g_assert_cmpint (failed, ==, round == 3);
    }
  live = lw_store_claim (f.store, MODEL, 0, 16, "me", 3000, 90000, &error);
  g_assert_cmpuint (live->len, ==, 0);
  g_assert_cmpint (lw_store_move_to_live (f.store, economy, 3000, &error), ==, 1);
  g_clear_pointer (&live, g_ptr_array_unref);
  live = lw_store_claim (f.store, MODEL, 0, 16, "me", 3000, 90000, &error);
  g_assert_cmpuint (live->len, ==, 1);
  g_assert_cmpint (((LwImage *) g_ptr_array_index (live, 0))->id, ==, id);
  store_fixture_clear (&f);
}

/* A resubmission takes the same photos with a new attempt; a cancelled
 * batch gives its photos back and is not opened again by a late poll. */
static void
test_resubmit_and_release (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) again_images = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(LwBatchRecord) batch = NULL;
  g_autoptr(LwBatchRecord) again = NULL;
  gint64 economy;

  store_fixture_init (&f);
  economy = launched_job (&f, LW_STORE_MODE_ECONOMY, 2);
  batch = lw_store_batch_claim (f.store, economy, MODEL, 0, "me", 5, 2000, &images, &error);
  g_assert_true (lw_store_batch_submitted (f.store, batch->id, "batches/x1", "files/a", 2000, &error));
  g_assert_true (lw_store_batch_set_state (f.store, batch->id, "expired", NULL, 3000, 0, &error));
  again = lw_store_batch_claim (f.store, economy, MODEL, batch->id, "me", 5, 3000, &again_images, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->attempt, ==, 2);
  g_assert_cmpuint (again_images->len, ==, 2);
  g_assert_cmpint (((LwImage *) g_ptr_array_index (again_images, 0))->attempt, ==, 2);

  g_assert_cmpint (lw_store_batch_release (f.store, again->id, 4000, &error), ==, 2);
  g_assert_true (lw_store_batch_set_state (f.store, again->id, "cancelled", NULL, 4000, 0, &error));
  g_assert_true (lw_store_batch_set_state (f.store, again->id, "running", NULL, 5000, 6000, &error));
  open = lw_store_list_open_batches (f.store, economy, &error);
  g_assert_cmpuint (open->len, ==, 0);
  g_assert_cmpint (test_query_int (lw_store_get_db (f.store),
                                   "SELECT COUNT(*) FROM images WHERE status = 'PENDING' AND batch_id IS NULL"), ==, 2);
  store_fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/batches/claims-split-by-mode", test_claims_split_by_mode);
  g_test_add_func ("/store/batches/failed-entry-to-live", test_failed_entry_to_live);
  g_test_add_func ("/store/batches/resubmit-and-release", test_resubmit_and_release);
  return g_test_run ();
}

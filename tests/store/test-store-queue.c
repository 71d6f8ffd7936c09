/* test-store-queue.c — the claim, fenced finishes, leases, the result
 * cache and referenced keys; two threads claiming from one real file. */
#include "config.h"

#include "store-test-helpers.h"

#define LEASE_MS 60000

static GPtrArray *
claim (LwStore *store, const char *model, int max, const char *owner, gint64 now)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *images = lw_store_claim (store, model, 0, max, owner, now, LEASE_MS, &error);

  g_assert_no_error (error);
  g_assert_nonnull (images);
  return images;
}

static LwImage *
image_at (GPtrArray *images, guint i)
{
  return images->pdata[i];
}

static void
test_claim_rules (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) staged = NULL;
  g_autoptr(LwJob) first = NULL;
  g_autoptr(LwJob) second = NULL;
  g_autoptr(LwJob) pro = NULL;
  g_autoptr(GArray) staged_ids = NULL;
  g_autoptr(GArray) first_ids = NULL;
  g_autoptr(GArray) second_ids = NULL;
  g_autoptr(GArray) pro_ids = NULL;
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GPtrArray) c = NULL;
  g_autoptr(GPtrArray) d = NULL;
  g_autoptr(GPtrArray) none = NULL;
  gboolean fenced = TRUE;

  store_fixture_init (&f);
  /* Created in this order, launched as second (t=200) then first (t=300):
   * launch order, not creation order, decides. */
  staged = test_create_job (f.store, "nano_banana", 100);
  second = test_create_job (f.store, "nano_banana", 100);
  first = test_create_job (f.store, "nano_banana", 100);
  pro = test_create_job (f.store, "nano_banana_pro", 100);
  staged_ids = test_add_images (f.store, staged->id, 0, 3, 100);
  second_ids = test_add_images (f.store, second->id, 100, 3, 100);
  first_ids = test_add_images (f.store, first->id, 200, 4, 100);
  pro_ids = test_add_images (f.store, pro->id, 300, 2, 100);
  g_assert_true (lw_store_set_job_status (f.store, first->id, LW_JOB_PROCESSING, 200, &error));
  g_assert_true (lw_store_set_job_status (f.store, second->id, LW_JOB_PROCESSING, 300, &error));
  g_assert_true (lw_store_set_job_status (f.store, pro->id, LW_JOB_PROCESSING, 300, &error));
  g_assert_no_error (error);

  /* LIMIT respected, position order, the earlier launched job first. */
  a = claim (f.store, "nano_banana", 3, "w1", 1000);
  g_assert_cmpuint (a->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (image_at (a, i)->id, ==, g_array_index (first_ids, gint64, i));
      g_assert_cmpint (image_at (a, i)->status, ==, LW_IMAGE_PROCESSING);
      g_assert_cmpint (image_at (a, i)->attempt, ==, 1);
      g_assert_cmpstr (image_at (a, i)->lease_owner, ==, "w1");
      g_assert_cmpint (image_at (a, i)->lease_expires_at, ==, 1000 + LEASE_MS);
      g_assert_cmpint (image_at (a, i)->updated_at, ==, 1000);
    }
  /* The batch may span jobs: the last of first, then second's from position 0. */
  b = claim (f.store, "nano_banana", 3, "w1", 1001);
  g_assert_cmpuint (b->len, ==, 3);
  g_assert_cmpint (image_at (b, 0)->id, ==, g_array_index (first_ids, gint64, 3));
  g_assert_cmpint (image_at (b, 1)->id, ==, g_array_index (second_ids, gint64, 0));
  g_assert_cmpint (image_at (b, 2)->id, ==, g_array_index (second_ids, gint64, 1));

  /* Back off one image: RETRY_LATER until t=5000. */
  g_assert_true (lw_store_finish_retry (f.store, image_at (a, 0)->id, 1, 5000, "RATE_LIMITED", "slow down",
                                        0, 1002, &fenced, &error));
  g_assert_no_error (error);
  g_assert_false (fenced);
  g_assert_cmpint (lw_store_next_retry_at (f.store, "nano_banana"), ==, 5000);
  g_assert_cmpint (lw_store_next_retry_at (f.store, "nano_banana_pro"), ==, -1);

  /* Only the rest of second is due; staged images are never claimed, nor
   * the other model's. */
  c = claim (f.store, "nano_banana", 10, "w1", 4999);
  g_assert_cmpuint (c->len, ==, 1);
  g_assert_cmpint (image_at (c, 0)->id, ==, g_array_index (second_ids, gint64, 2));
  none = claim (f.store, "nano_banana", 10, "w1", 4999);
  g_assert_cmpuint (none->len, ==, 0);

  /* Once due it comes back, with attempt 2. */
  d = claim (f.store, "nano_banana", 10, "w1", 5000);
  g_assert_cmpuint (d->len, ==, 1);
  g_assert_cmpint (image_at (d, 0)->id, ==, image_at (a, 0)->id);
  g_assert_cmpint (image_at (d, 0)->attempt, ==, 2);
  g_assert_cmpint (image_at (d, 0)->retry_count, ==, 1);
  g_assert_cmpstr (image_at (d, 0)->error_code, ==, "RATE_LIMITED");

  {
    g_autoptr(GPtrArray) p = claim (f.store, "nano_banana_pro", 10, "w2", 5000);
    g_autoptr(GPtrArray) zero = claim (f.store, "nano_banana_pro", 0, "w2", 5000);

    g_assert_cmpuint (p->len, ==, 2);
    g_assert_cmpint (image_at (p, 0)->id, ==, g_array_index (pro_ids, gint64, 0));
    g_assert_cmpuint (zero->len, ==, 0);
  }
  /* Nothing of the staged job moved. */
  {
    LwJobCounts counts;

    g_assert_true (lw_store_count_images (f.store, staged->id, &counts, NULL));
    g_assert_cmpint (counts.pending, ==, 3);
  }
  store_fixture_clear (&f);
}

static void
test_fencing (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(LwImage) before = NULL;
  g_autoptr(LwImage) after = NULL;
  g_autoptr(LwImage) done = NULL;
  gboolean fenced = FALSE;
  gint64 id;

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 100);
  ids = test_add_images (f.store, job->id, 0, 2, 100);
  id = g_array_index (ids, gint64, 0);
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 100, &error));

  first = claim (f.store, "local", 1, "old-worker", 1000);
  g_assert_cmpint (image_at (first, 0)->attempt, ==, 1);
  /* The old worker's lease expires, the image is reaped and claimed again. */
  g_assert_cmpint (lw_store_reap_leases (f.store, 1000 + LEASE_MS, NULL, NULL, &error), ==, 1);
  second = claim (f.store, "local", 1, "new-worker", 1000 + LEASE_MS + 1);
  g_assert_cmpint (image_at (second, 0)->id, ==, id);
  g_assert_cmpint (image_at (second, 0)->attempt, ==, 2);

  /* The stale worker finishes now: every kind of finish is fenced out and
   * the row is unchanged. */
  before = lw_store_get_image (f.store, id, &error);
  g_assert_true (lw_store_finish_completed (f.store, id, 1, "results/1-1.png", "image/png", "req", NULL, 0.04,
                                            2000 + LEASE_MS, &fenced, &error));
  g_assert_no_error (error);
  g_assert_true (fenced);
  fenced = FALSE;
  g_assert_true (lw_store_finish_failed (f.store, id, 1, "X", "x", 0.04, 2000 + LEASE_MS, &fenced, &error));
  g_assert_true (fenced);
  fenced = FALSE;
  g_assert_true (lw_store_finish_retry (f.store, id, 1, 0, "X", "x", 0.04, 2000 + LEASE_MS, &fenced, &error));
  g_assert_true (fenced);
  fenced = FALSE;
  g_assert_true (lw_store_release (f.store, id, 1, 2000 + LEASE_MS, &fenced, &error));
  g_assert_true (fenced);
  g_assert_no_error (error);
  after = lw_store_get_image (f.store, id, &error);
  g_assert_cmpint (after->status, ==, LW_IMAGE_PROCESSING);
  g_assert_cmpint (after->attempt, ==, 2);
  g_assert_cmpstr (after->lease_owner, ==, "new-worker");
  g_assert_null (after->processed_key);
  g_assert_cmpfloat (after->cost, ==, 0);
  g_assert_cmpint (after->updated_at, ==, before->updated_at);

  /* The current attempt finishes: result named, lease and errors cleared. */
  g_assert_true (lw_store_finish_completed (f.store, id, 2, "results/1-2.png", "image/png", "req", NULL, 0.04,
                                            3000 + LEASE_MS, &fenced, &error));
  g_assert_false (fenced);
  done = lw_store_get_image (f.store, id, &error);
  g_assert_cmpint (done->status, ==, LW_IMAGE_COMPLETED);
  g_assert_cmpstr (done->processed_key, ==, "results/1-2.png");
  g_assert_cmpstr (done->processed_mime, ==, "image/png");
  g_assert_cmpstr (done->request_key, ==, "req");
  g_assert_null (done->lease_owner);
  g_assert_cmpint (done->lease_expires_at, ==, 0);
  g_assert_cmpfloat_with_epsilon (done->cost, 0.04, 1e-12);
  /* Finishing twice is fenced too (status is no longer PROCESSING). */
  g_assert_true (lw_store_finish_completed (f.store, id, 2, "results/1-2.png", "image/png", "req", NULL, 0.04,
                                            3001 + LEASE_MS, &fenced, &error));
  g_assert_true (fenced);
  store_fixture_clear (&f);
}

static void
test_finish_retry_failed_release (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) c1 = NULL;
  g_autoptr(GPtrArray) c2 = NULL;
  g_autoptr(GPtrArray) c3 = NULL;
  g_autoptr(LwImage) img = NULL;
  gboolean fenced = TRUE;
  gint64 id;

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 100);
  ids = test_add_images (f.store, job->id, 0, 1, 100);
  id = g_array_index (ids, gint64, 0);
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 100, &error));

  c1 = claim (f.store, "local", 1, "w", 1000);
  g_assert_true (lw_store_finish_retry (f.store, id, 1, 2000, "SERVER_ERROR", "503", 0.02, 1100, &fenced, &error));
  g_assert_false (fenced);
  img = lw_store_get_image (f.store, id, &error);
  g_assert_cmpint (img->status, ==, LW_IMAGE_RETRY_LATER);
  g_assert_cmpint (img->retry_count, ==, 1);
  g_assert_cmpint (img->next_retry_at, ==, 2000);
  g_assert_cmpstr (img->error_code, ==, "SERVER_ERROR");
  g_assert_null (img->lease_owner);
  g_clear_pointer (&img, lw_image_free);

  /* Released (cancel): PENDING again, retry_count not counted. */
  c2 = claim (f.store, "local", 1, "w", 2000);
  g_assert_cmpint (image_at (c2, 0)->attempt, ==, 2);
  g_assert_true (lw_store_release (f.store, id, 2, 2100, &fenced, &error));
  g_assert_false (fenced);
  img = lw_store_get_image (f.store, id, &error);
  g_assert_cmpint (img->status, ==, LW_IMAGE_PENDING);
  g_assert_cmpint (img->retry_count, ==, 1);
  g_assert_cmpint (img->attempt, ==, 2);
  g_assert_null (img->lease_owner);
  g_clear_pointer (&img, lw_image_free);

  /* Failed for good: error kept, cost added to what it already cost. */
  c3 = claim (f.store, "local", 1, "w", 3000);
  g_assert_cmpint (image_at (c3, 0)->attempt, ==, 3);
  g_assert_true (lw_store_finish_failed (f.store, id, 3, "SAFETY_BLOCKED", "Blocked for safety", 0.03, 3100,
                                         &fenced, &error));
  g_assert_false (fenced);
  img = lw_store_get_image (f.store, id, &error);
  g_assert_cmpint (img->status, ==, LW_IMAGE_FAILED);
  g_assert_cmpstr (img->error_message, ==, "Blocked for safety");
  g_assert_cmpfloat_with_epsilon (img->cost, 0.05, 1e-12);
  g_assert_no_error (error);
  store_fixture_clear (&f);
}

typedef struct {
  GHashTable *calls;   /* owner → number of calls */
  const char *dead;
} DeadData;

static gboolean
is_dead_cb (const char *owner, gpointer user_data)
{
  DeadData *d = user_data;

  g_hash_table_insert (d->calls, g_strdup (owner),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (d->calls, owner)) + 1));
  return g_strcmp0 (owner, d->dead) == 0;
}

static void
test_leases (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) alive = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  g_autoptr(GPtrArray) slow = NULL;
  g_autoptr(GHashTable) calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  DeadData dead = { calls, "pid:4242" };
  LwJobCounts counts;

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 100);
  ids = test_add_images (f.store, job->id, 0, 6, 100);
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 100, &error));
  alive = claim (f.store, "local", 2, "pid:1", 1000);     /* lease until 61000 */
  gone = claim (f.store, "local", 3, "pid:4242", 1000);   /* lease until 61000, owner dead */
  slow = claim (f.store, "local", 1, "pid:7", 1000);      /* lease until 61000 */

  /* A long request keeps its lease. */
  g_assert_cmpint (lw_store_extend_leases (f.store, "pid:7", 500000, &error), ==, 1);
  g_assert_cmpint (lw_store_extend_leases (f.store, "pid:nobody", 500000, &error), ==, 0);
  {
    g_autoptr(LwImage) image = lw_store_get_image (f.store, image_at (slow, 0)->id, &error);

    g_assert_cmpint (image->lease_expires_at, ==, 500000);
  }

  /* Before expiry: only the dead owner's three come back; is_dead is
   * asked once per distinct owner. */
  g_assert_cmpint (lw_store_reap_leases (f.store, 2000, is_dead_cb, &dead, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (calls), ==, 3);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (calls, "pid:1")), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (calls, "pid:4242")), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (calls, "pid:7")), ==, 1);
  g_assert_true (lw_store_count_images (f.store, job->id, &counts, &error));
  g_assert_cmpint (counts.pending, ==, 3);
  g_assert_cmpint (counts.processing, ==, 3);
  {
    g_autoptr(LwImage) image = lw_store_get_image (f.store, image_at (gone, 0)->id, &error);

    g_assert_cmpint (image->status, ==, LW_IMAGE_PENDING);
    g_assert_null (image->lease_owner);
    g_assert_cmpint (image->lease_expires_at, ==, 0);
    g_assert_cmpint (image->retry_count, ==, 0);
  }

  /* Just before expiry nothing; at expiry pid:1's two; the extended one stays. */
  g_assert_cmpint (lw_store_reap_leases (f.store, 60999, NULL, NULL, &error), ==, 0);
  g_assert_cmpint (lw_store_reap_leases (f.store, 61000, NULL, NULL, &error), ==, 2);
  g_assert_true (lw_store_count_images (f.store, job->id, &counts, &error));
  g_assert_cmpint (counts.pending, ==, 5);
  g_assert_cmpint (counts.processing, ==, 1);
  store_fixture_clear (&f);
}

static void
test_find_result_and_referenced_keys (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) j1 = NULL;
  g_autoptr(LwJob) j2 = NULL;
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(LwImage) hit = NULL;
  g_autoptr(LwImage) miss = NULL;
  g_autoptr(LwImage) failed = NULL;
  g_autoptr(GHashTable) keys = NULL;
  gboolean fenced = TRUE;

  store_fixture_init (&f);
  j1 = test_create_job (f.store, "local", 100);
  j2 = test_create_job (f.store, "local", 100);
  a = test_add_images (f.store, j1->id, 0, 2, 100);
  b = test_add_images (f.store, j2->id, 0, 1, 100);   /* same content as a[0]: same original key */
  g_assert_true (lw_store_set_job_status (f.store, j1->id, LW_JOB_PROCESSING, 100, &error));
  claimed = claim (f.store, "local", 2, "w", 1000);
  g_assert_cmpuint (claimed->len, ==, 2);
  g_assert_true (lw_store_finish_completed (f.store, g_array_index (a, gint64, 0), 1, "results/1-1.png",
                                            "image/png", "req-1", NULL, 0.04, 2000, &fenced, &error));
  g_assert_true (lw_store_finish_failed (f.store, g_array_index (a, gint64, 1), 1, "X", "x", 0, 2000,
                                         &fenced, &error));
  g_assert_no_error (error);

  /* Any job may reuse a completed result with the same request key. */
  hit = lw_store_find_result (f.store, "req-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (hit);
  g_assert_cmpint (hit->id, ==, g_array_index (a, gint64, 0));
  g_assert_cmpstr (hit->processed_key, ==, "results/1-1.png");
  miss = lw_store_find_result (f.store, "req-2", &error);
  g_assert_no_error (error);
  g_assert_null (miss);

  /* A forced re-run forgets the request key: no cache hit any more. */
  g_assert_true (lw_store_requeue_image (f.store, g_array_index (a, gint64, 0), TRUE, 3000, &error));
  failed = lw_store_find_result (f.store, "req-1", &error);
  g_assert_null (failed);

  g_assert_true (lw_store_finish_completed (f.store, g_array_index (a, gint64, 0), 1, "x", NULL, NULL, NULL, 0, 0,
                                            &fenced, &error));
  g_assert_true (fenced);  /* PENDING now, not PROCESSING */

  keys = lw_store_referenced_keys (f.store, &error);
  g_assert_no_error (error);
  {
    g_autoptr(LwImage) i0 = test_image_new (j1->id, 0);
    g_autoptr(LwImage) i1 = test_image_new (j1->id, 1);

    /* two originals + two thumbnails (the shared one once), and the first
     * result: the forced requeue took it off the row, but it stays a
     * version of the photo (every take is kept) */
    g_assert_cmpuint (g_hash_table_size (keys), ==, 5);
    g_assert_true (g_hash_table_contains (keys, "results/1-1.png"));
    g_assert_true (g_hash_table_contains (keys, i0->original_key));
    g_assert_true (g_hash_table_contains (keys, i1->original_key));
    g_assert_true (g_hash_table_contains (keys, i0->thumb_key));
    g_assert_true (g_hash_table_contains (keys, i1->thumb_key));
  }
  /* A completed result is referenced. */
  {
    g_autoptr(GPtrArray) again = claim (f.store, "local", 1, "w", 4000);
    g_autoptr(GHashTable) keys2 = NULL;

    g_assert_cmpuint (again->len, ==, 1);
    g_assert_true (lw_store_finish_completed (f.store, image_at (again, 0)->id, 2, "results/1-2.png",
                                              "image/png", "req-1b", NULL, 0.04, 5000, &fenced, &error));
    g_assert_false (fenced);
    keys2 = lw_store_referenced_keys (f.store, &error);
    g_assert_cmpuint (g_hash_table_size (keys2), ==, 6);   /* both takes */
    g_assert_true (g_hash_table_contains (keys2, "results/1-2.png"));
    g_assert_true (g_hash_table_contains (keys2, "results/1-1.png"));
  }
  store_fixture_clear (&f);
}

/* ---- two threads, two connections, one file ---------------------------- */

#define N_ROWS 2000

/* Both threads start claiming only once both connections are open. */
typedef struct {
  GMutex mutex;
  GCond  cond;
  guint  waiting;
} Barrier;

static void
barrier_wait (Barrier *b, guint n)
{
  g_mutex_lock (&b->mutex);
  if (++b->waiting == n)
    g_cond_broadcast (&b->cond);
  while (b->waiting < n)
    g_cond_wait (&b->cond, &b->mutex);
  g_mutex_unlock (&b->mutex);
}

typedef struct {
  Barrier    *barrier;
  const char *path;
  const char *owner;
  guint32     seed;
  GArray     *claimed;   /* gint64 ids */
  guint       batches;
  char       *failure;
} ClaimThread;

static gpointer
claim_thread (gpointer data)
{
  ClaimThread *t = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LwStore) store = lw_store_open (t->path, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (t->seed);

  barrier_wait (t->barrier, 2);
  if (store == NULL)
    {
      t->failure = g_strdup (error->message);
      return NULL;
    }
  for (;;)
    {
      int max = g_rand_int_range (rand, 1, 5);  /* batches of 1–4 */
      g_autoptr(GPtrArray) images = lw_store_claim (store, "nano_banana", 0, max, t->owner,
                                                    g_get_real_time () / 1000, LEASE_MS, &error);

      if (images == NULL)
        {
          t->failure = g_strdup (error->message);
          return NULL;
        }
      if (images->len == 0)
        break;
      if (images->len > (guint) max)
        {
          t->failure = g_strdup_printf ("claimed %u with max %d", images->len, max);
          return NULL;
        }
      t->batches++;
      for (guint i = 0; i < images->len; i++)
        g_array_append_val (t->claimed, image_at (images, i)->id);
    }
  return NULL;
}

static void
test_two_threads_claim (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  Barrier barrier = { 0 };
  ClaimThread t[2] = {
    { &barrier, NULL, "thread-a", 1, NULL, 0, NULL },
    { &barrier, NULL, "thread-b", 2, NULL, 0, NULL },
  };
  GThread *threads[2];
  guint total = 0;

  g_mutex_init (&barrier.mutex);
  g_cond_init (&barrier.cond);
  store_fixture_init (&f);
  job = test_create_job (f.store, "nano_banana", 100);
  g_assert_true (lw_store_begin (f.store, &error));
  g_array_unref (test_add_images (f.store, job->id, 0, N_ROWS, 100));
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 100, &error));
  g_assert_true (lw_store_commit (f.store, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < 2; i++)
    {
      t[i].path = f.db_path;
      t[i].claimed = g_array_new (FALSE, FALSE, sizeof (gint64));
      threads[i] = g_thread_new (t[i].owner, claim_thread, &t[i]);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpstr (t[i].failure, ==, NULL);
      g_clear_pointer (&t[i].failure, g_free);
      /* Either thread may win every race on a loaded machine: only the
       * union is checked, never the split. */
      g_test_message ("%s claimed %u images in %u batches", t[i].owner, t[i].claimed->len, t[i].batches);
      for (guint k = 0; k < t[i].claimed->len; k++)
        {
          gint64 *id = &g_array_index (t[i].claimed, gint64, k);

          /* never the same image twice */
          g_assert_false (g_hash_table_contains (seen, id));
          g_hash_table_add (seen, id);
        }
      total += t[i].claimed->len;
    }
  g_assert_cmpuint (total, ==, N_ROWS);
  g_assert_cmpint (test_query_int (lw_store_get_db (f.store),
                                   "SELECT COUNT(*) FROM images WHERE status = 'PROCESSING' AND attempt = 1"),
                   ==, N_ROWS);
  for (guint i = 0; i < 2; i++)
    g_array_unref (t[i].claimed);
  g_mutex_clear (&barrier.mutex);
  g_cond_clear (&barrier.cond);
  store_fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/queue/claim-rules", test_claim_rules);
  g_test_add_func ("/store/queue/fencing", test_fencing);
  g_test_add_func ("/store/queue/finish-retry-failed-release", test_finish_retry_failed_release);
  g_test_add_func ("/store/queue/leases", test_leases);
  g_test_add_func ("/store/queue/find-result-and-referenced-keys", test_find_result_and_referenced_keys);
  g_test_add_func ("/store/queue/two-threads-claim", test_two_threads_claim);
  return g_test_run ();
}

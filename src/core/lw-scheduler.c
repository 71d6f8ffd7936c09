/* lw-scheduler.c — the pool that turns launched jobs into finished images.
 *
 * One pool per model. A pool starts a request the moment it has a free slot,
 * a free start in its 60 s window and a due image: claims go to the store one
 * statement at a time (lw_store_claim), so the window and lightwork-cli can
 * share a queue without ever sending the same attempt twice.
 *
 * The life of one request (a "flight"):
 *   claim (PROCESSING, attempt+1, lease) → reuse an identical finished result,
 *   or engine call → result blob written in a worker thread (tmp, fsync,
 *   rename) → fenced finish → signals. Errors go to exactly one outcome, by
 *   class (lw_engine_error_classify): RETRY_LATER with backoff, FAILED, or the
 *   image back to PENDING and the whole pool paused.
 *
 * This file holds the pools, the signals and the job's state, starting a
 * flight (claims, the pump, the timers), the GObject and the public calls
 * (launch, cancel, abandon, resume); a flight's landing (its outcome, the
 * result blob, the engine's answer, a batch's results) is in
 * lw-scheduler-landing.c (lw-scheduler-private.h).
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-blob-store.h"
#include "lw-core.h"
#include "lw-image-io.h"
#include "lw-prompt.h"
#include "lw-scheduler-private.h"
#include "lw-unsaved.h"
#include "lw-warn.h"

/* RPM quotas count arrivals in a minute; we count starts, and a request
 * reaches the server 0.3–1 s after it starts (the photo is prepared
 * first). Two seconds of margin keep arrivals inside the quota whatever
 * the preparation time (bench/gemini saw 63 arrivals in 60 s with none).
 * Starts are counted in the database (lw_store_count_starts), so every
 * process on the data folder shares the quota. */
#define RPM_WINDOW_MS    (62 * 1000)
/* A claim the store refused (busy past its 10 s timeout, an I/O error):
 * asked again after this, not on the next millisecond's wake (issue 18:
 * 23,412 failed claims in 30 s). */
#define CLAIM_RETRY_MS   (5 * 1000)

G_DEFINE_FINAL_TYPE (LwScheduler, lw_scheduler, G_TYPE_OBJECT)

enum {
  SIGNAL_IMAGE_CHANGED,
  SIGNAL_JOB_CHANGED,
  SIGNAL_PAUSED,
  SIGNAL_RESUMED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void lw_scheduler_pump (LwScheduler *self);
static void schedule_wake (LwScheduler *self);

/* ---- pools ---------------------------------------------------------------- */

static void
pool_free (Pool *pool)
{
  g_free (pool->model);
  g_clear_object (&pool->engine);
  g_clear_error (&pool->pause);
  g_free (pool->signature);
  g_free (pool);
}

Pool *
lw_scheduler_get_pool (LwScheduler *self, const char *model, gboolean create)
{
  Pool *pool = g_hash_table_lookup (self->pools, model);

  if (pool == NULL && create)
    {
      pool = g_new0 (Pool, 1);
      pool->scheduler = self;
      pool->model = g_strdup (model);
      /* 2 in flight by default: the V4 design's MAX_CONCURRENCY, and what a
       * free Gemini key sustains without a 429 storm. */
      pool->concurrency = 2;
      pool->effective = 2;
      g_hash_table_insert (self->pools, pool->model, pool);
    }
  return pool;
}

/* How many requests the pool may start now by its own slots (0 when paused
 * or held); the requests-per-minute limit is applied at the claim. */
static int
pool_free_slots (Pool *pool, gint64 now)
{
  if (pool->pause != NULL || pool->engine == NULL || now < pool->hold_until)
    return 0;
  return MAX (pool->effective - (int) pool->in_flight, 0);
}

/* Starts in the RPM window: those at or after this moment. */
static gint64
rpm_since (gint64 now)
{
  return now - RPM_WINDOW_MS + 1;
}

void
lw_scheduler_pool_pause (LwScheduler *self, Pool *pool, const GError *error)
{
  if (pool->pause != NULL)
    return;
  pool->pause = g_error_copy (error);
  /* The front ends say it, in their own words (a banner, a CLI line). */
  g_debug ("Queue for %s paused: %s", pool->model, error->message);
  g_signal_emit (self, signals[SIGNAL_PAUSED], 0, pool->model, pool->pause);
}

/* The pause a full disk causes: what the user must do, and where. */
void
lw_scheduler_pool_pause_disk_full (LwScheduler *self, Pool *pool)
{
  g_autofree char *dir = g_path_get_dirname (lw_blob_store_get_root (self->blobs));
  g_autoptr(GError) error = g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_DISK_FULL,
                                         _("The disk holding %s is full — free space, then resume"), dir);

  lw_scheduler_pool_pause (self, pool, error);
}

/* ---- signals and job state --------------------------------------------- */

void
lw_scheduler_emit_image (LwScheduler *self, gint64 job_id, gint64 image_id, LwImageStatus status)
{
  g_signal_emit (self, signals[SIGNAL_IMAGE_CHANGED], 0, job_id, image_id, (int) status);
}

/* A launched job with nothing left to do is COMPLETED — or FAILED when not
 * one image came out of it. */
/* The store could not record a job's state: a full disk pauses the job's
 * model (a job left PROCESSING with nothing running would be waited on
 * forever); anything else is said, once in a while. */
static void
job_store_failed (LwScheduler *self, gint64 job_id, const char *what, const GError *error)
{
  g_autoptr(LwJob) job = NULL;

  if (lw_store_error_is_disk_full (error) && (job = lw_store_get_job (self->store, job_id, NULL)) != NULL
      && job->model != NULL)
    lw_scheduler_pool_pause_disk_full (self, lw_scheduler_get_pool (self, job->model, TRUE));
  else
    lw_warn_limited ("Cannot %s job %" G_GINT64_FORMAT ": %s", what, job_id, error->message);
}

void
lw_scheduler_check_job_finished (LwScheduler *self, gint64 job_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  LwJobCounts counts;
  LwJobStatus status;
  gboolean open = TRUE;

  /* Asked after every finish: the common answer ("photos are left") costs
   * one index probe, the full count only runs at the end. */
  if (!lw_store_job_has_open_images (self->store, job_id, &open, &error))
    {
      job_store_failed (self, job_id, "count the images of", error);
      return;
    }
  if (open)
    return;
  job = lw_store_get_job (self->store, job_id, &error);
  if (job == NULL || job->status != LW_JOB_PROCESSING)
    return;
  if (!lw_store_count_images (self->store, job_id, &counts, &error))
    {
      job_store_failed (self, job_id, "count the images of", error);
      return;
    }
  /* Open photos left are held out of a trial run: the trial is over and
   * the job stops, waiting for the user to launch the rest. */
  if (counts.processing + counts.retry_later == 0 && counts.pending > 0)
    status = LW_JOB_CANCELLED;
  else if (lw_job_counts_open (&counts) > 0)
    return;
  else
    status = (counts.completed == 0 && counts.failed > 0) ? LW_JOB_FAILED : LW_JOB_COMPLETED;
  if (!lw_store_set_job_status (self->store, job_id, status, lw_clock_now_ms (self->clock), &error))
    {
      job_store_failed (self, job_id, "finish", error);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_JOB_CHANGED], 0, job_id, (int) status);
}

/* ---- starting ------------------------------------------------------------ */

char *
lw_scheduler_compute_request_key (const char *sha256, const char *signature, const char *prompt)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (sum, (const guchar *) sha256, -1);
  g_checksum_update (sum, (const guchar *) "\n", 1);
  g_checksum_update (sum, (const guchar *) signature, -1);
  g_checksum_update (sum, (const guchar *) "\n", 1);
  g_checksum_update (sum, (const guchar *) prompt, -1);
  return g_strdup (g_checksum_get_string (sum));
}

/* Returns FALSE when the job's spending cap would be passed by one more call. */
static gboolean
within_spend_cap (LwScheduler *self, Pool *pool, const LwJob *job, Flight *current)
{
  double price, spent, committed = 0;
  GHashTableIter iter;
  gpointer value;

  if (job->spend_cap <= 0)
    return TRUE;
  price = lw_engine_get_cost (pool->engine, pool->model);
  if (price <= 0)
    return TRUE;
  /* A cost that cannot be read is no reason to spend: fail closed. */
  if (!lw_store_get_job_cost (self->store, job->id, &spent, NULL))
    return FALSE;
  g_hash_table_iter_init (&iter, self->flights);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value != current && ((Flight *) value)->image->job_id == job->id)
      committed += price;
  return spent + committed + price <= job->spend_cap + 1e-9;
}

static void
start_flight (LwScheduler *self, Pool *pool, LwImage *image, const LwJob *job)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwImage) done = NULL;
  Flight *flight = g_new0 (Flight, 1);
  LwEngineRequest *request;

  flight->self = self;
  flight->pool = pool;
  flight->image = image;
  flight->cancellable = g_cancellable_new ();

  request = flight->request = lw_scheduler_build_request (self, image, job);

  if (pool->signature == NULL)
    pool->signature = lw_engine_dup_signature (pool->engine, pool->model);
  flight->request_key = lw_scheduler_compute_request_key (image->sha256, pool->signature, request->prompt);

  pool->in_flight++;
  g_hash_table_insert (self->flights, &image->id, flight);

  /* The same photo, asked the same thing of the same model, was already
   * answered: reuse it rather than pay for it again. */
  if (self->reuse && !image->fresh_take)
    done = lw_store_find_result (self->store, flight->request_key, &error);
  if (done != NULL && done->processed_key != NULL && lw_blob_store_exists (self->blobs, done->processed_key))
    {
      /* The same bytes against the same original: the same verdict. */
      if (lw_scheduler_flight_complete (self, flight, done->processed_key, done->processed_mime, 0, FALSE,
                                        done->review_reason, done->note))
        lw_scheduler_flight_land (self, flight);
      return;
    }
  if (lw_scheduler_take_unsaved (self, flight))
    return;

  if (!within_spend_cap (self, pool, job, flight))
    {
      g_autoptr(GError) cap = g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_SPEND_CAP,
                                           _("The spending cap of job “%s” would be passed"), job->name);
      if (!lw_scheduler_flight_release (self, flight))
        return;
      lw_scheduler_pool_pause (self, pool, cap);
      lw_scheduler_flight_land (self, flight);
      return;
    }

  self->n_requests++;
  g_object_ref (self);   /* released in lw_scheduler_engine_done_cb */
  lw_engine_process_async (pool->engine, request, flight->cancellable, lw_scheduler_engine_done_cb, flight);
}

/* Launched jobs whose model has no pool yet get one from the factory. */
static void
ensure_pools (LwScheduler *self)
{
  g_autoptr(GPtrArray) models = NULL;

  if (self->factory == NULL)
    return;
  /* A scoped scheduler (lightwork-cli's) serves its own job only: the
   * other launched jobs' models are not its business, and making their
   * engines would only pause it for their missing key. */
  if (self->scope != 0)
    {
      g_autoptr(LwJob) job = lw_store_get_job (self->store, self->scope, NULL);

      models = g_ptr_array_new_with_free_func (g_free);
      if (job != NULL && job->status == LW_JOB_PROCESSING)
        g_ptr_array_add (models, g_strdup (job->model));
    }
  else
    models = lw_store_list_launched_models (self->store, NULL);
  for (guint i = 0; models != NULL && i < models->len; i++)
    {
      const char *model = g_ptr_array_index (models, i);
      Pool *pool;

      if (model == NULL)
        continue;
      pool = lw_scheduler_get_pool (self, model, TRUE);
      if (pool->engine == NULL && pool->pause == NULL)
        {
          g_autoptr(GError) error = NULL;
          LwEngine *engine = self->factory (self, model, self->factory_data, &error);

          if (engine != NULL)
            pool->engine = engine;
          else
            lw_scheduler_pool_pause (self, pool, error);
        }
    }
}

/* Claims up to n images. With a requests-per-minute limit, the starts of
 * every process in the window are counted and the new ones recorded in
 * the claim's own transaction (BEGIN IMMEDIATE), so the window and
 * lightwork-cli together never pass the limit. A reused result takes no
 * request but was counted here: the limit errs on the safe side. */
static GPtrArray *
claim (LwScheduler *self, Pool *pool, int n, gint64 now, GError **error)
{
  GPtrArray *claimed;
  int used = 0;

  if (pool->rpm <= 0)
    return lw_store_claim (self->store, pool->model, self->scope, n, self->owner, now, LW_LEASE_MS, error);
  if (!lw_store_begin (self->store, error))
    return NULL;
  if (!lw_store_count_starts (self->store, pool->model, rpm_since (now), &used, error))
    {
      lw_store_rollback (self->store);
      return NULL;
    }
  n = MIN (n, pool->rpm - used);
  if (n <= 0)
    {
      lw_store_rollback (self->store);
      return g_ptr_array_new ();
    }
  claimed = lw_store_claim (self->store, pool->model, self->scope, n, self->owner, now, LW_LEASE_MS, error);
  if (claimed == NULL
      || (claimed->len > 0
          && !lw_store_add_starts (self->store, pool->model, now, (int) claimed->len, rpm_since (now), error))
      || !lw_store_commit (self->store, error))
    {
      lw_store_rollback (self->store);
      g_clear_pointer (&claimed, g_ptr_array_unref);
      return NULL;
    }
  return claimed;
}

static void
pump_pool (LwScheduler *self, Pool *pool)
{
  g_autoptr(GHashTable) jobs = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = lw_clock_now_ms (self->clock);
  int n = pool_free_slots (pool, now);

  if (n <= 0)
    return;
  /* No request starts on a full disk: its answer (paid for) could not be
   * stored. The write of an earlier answer may still be on its way to
   * saying so (its result checks run first, slow under a sanitizer), and
   * the claim itself may still fit in the WAL: without this, a slot freed
   * by an answer was refilled with a paid request after the disk filled
   * (test-cli-disk-full under ASan: 3 requests at concurrency 2). */
  if (lw_store_folder_is_full (lw_blob_store_get_root (self->blobs)))
    {
      lw_scheduler_pool_pause_disk_full (self, pool);
      return;
    }
  claimed = claim (self, pool, n, now, &error);
  if (claimed == NULL)
    {
      if (lw_store_error_is_disk_full (error))
        {
          lw_scheduler_pool_pause_disk_full (self, pool);
          return;
        }
      lw_warn_limited ("Cannot claim work for %s: %s", pool->model, error->message);
      pool->hold_until = MAX (pool->hold_until, now + CLAIM_RETRY_MS);
      return;
    }

  jobs = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) lw_job_free);
  for (guint i = 0; i < claimed->len; i++)
    {
      LwImage *image = g_ptr_array_index (claimed, i);
      LwJob *job = g_hash_table_lookup (jobs, &image->job_id);

      if (job == NULL)
        {
          g_autoptr(GError) job_error = NULL;

          job = lw_store_get_job (self->store, image->job_id, &job_error);
          if (job == NULL)
            continue;
          g_hash_table_insert (jobs, &job->id, job);
        }
      lw_scheduler_emit_image (self, image->job_id, image->id, LW_IMAGE_PROCESSING);
      /* start_flight owns the image from here */
      claimed->pdata[i] = NULL;
      start_flight (self, pool, image, job);
    }
}

static void
lw_scheduler_pump (LwScheduler *self)
{
  GHashTableIter iter;
  gpointer value;

  if (!self->started || self->stopped)
    return;
  ensure_pools (self);
  g_hash_table_iter_init (&iter, self->pools);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    pump_pool (self, value);
  schedule_wake (self);
}

static gboolean
pump_idle_cb (gpointer data)
{
  LwScheduler *self = data;

  self->pump_source = 0;
  lw_scheduler_pump (self);
  return G_SOURCE_REMOVE;
}

void
lw_scheduler_poke (LwScheduler *self)
{
  g_return_if_fail (LW_IS_SCHEDULER (self));
  if (self->pump_source != 0 || !self->started || self->stopped)
    return;
  self->pump_source = g_idle_add_full (G_PRIORITY_DEFAULT, pump_idle_cb, self, NULL);
}

/* ---- timers --------------------------------------------------------------- */

static gboolean
wake_cb (gpointer data)
{
  LwScheduler *self = data;

  self->wake_timer = 0;
  self->wake_at = 0;
  lw_scheduler_pump (self);
  return G_SOURCE_REMOVE;
}

/* One timer for the earliest moment anything could start again: a retry
 * coming due, a 429 hold ending, a start leaving the RPM window. */
static void
schedule_wake (LwScheduler *self)
{
  GHashTableIter iter;
  gpointer value;
  gint64 now = lw_clock_now_ms (self->clock);
  gint64 earliest = G_MAXINT64;

  g_hash_table_iter_init (&iter, self->pools);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Pool *pool = value;
      gint64 due;

      if (pool->pause != NULL || pool->engine == NULL)
        continue;
      if (pool->hold_until > now)
        {
          earliest = MIN (earliest, pool->hold_until);
          continue;
        }
      if (pool->rpm > 0)
        {
          int used = 0;

          if (lw_store_count_starts (self->store, pool->model, rpm_since (now), &used, NULL) && used >= pool->rpm)
            {
              gint64 first = lw_store_first_start (self->store, pool->model, rpm_since (now));

              if (first >= 0)
                earliest = MIN (earliest, first + RPM_WINDOW_MS);
              continue;
            }
        }
      /* A full pool is woken by its next landing, not by the clock: waking
       * it for a due retry would only spin. */
      if ((int) pool->in_flight >= pool->effective)
        continue;
      due = lw_store_next_retry_at (self->store, pool->model);
      if (due >= 0)
        earliest = MIN (earliest, MAX (due, now + 1));
    }

  if (earliest == G_MAXINT64)
    {
      lw_clock_clear_timer (self->clock, &self->wake_timer);
      self->wake_at = 0;
      return;
    }
  if (self->wake_timer != 0 && self->wake_at == earliest)
    return;
  lw_clock_clear_timer (self->clock, &self->wake_timer);
  self->wake_at = earliest;
  self->wake_timer = lw_clock_add_timer (self->clock, earliest - now, wake_cb, self, NULL);
}

/* The lease timers' failures. On a full disk they are expected (the queue
 * is paused and says why; a parked answer is also kept by lw-unsaved, so a
 * lease that lapses meanwhile costs no request): not worth a warning. */
static void
timer_store_failed (const char *what, const GError *error)
{
  if (lw_store_error_is_disk_full (error))
    g_debug ("Cannot %s: %s", what, error->message);
  else
    lw_warn_limited ("Cannot %s: %s", what, error->message);
}

static gboolean
renew_cb (gpointer data)
{
  LwScheduler *self = data;
  g_autoptr(GError) error = NULL;

  if (g_hash_table_size (self->flights) > 0
      && lw_store_extend_leases (self->store, self->owner, lw_clock_now_ms (self->clock) + LW_LEASE_MS, &error) < 0)
    timer_store_failed ("extend leases", error);
  return G_SOURCE_CONTINUE;
}

static gboolean
reap_cb (gpointer data)
{
  LwScheduler *self = data;
  g_autoptr(GError) error = NULL;
  int n = lw_store_reap_leases (self->store, lw_clock_now_ms (self->clock), lw_owner_is_dead, NULL, &error);

  if (n < 0)
    timer_store_failed ("return expired leases", error);
  else if (n > 0)
    lw_scheduler_poke (self);
  return G_SOURCE_CONTINUE;
}

/* ---- public --------------------------------------------------------------- */

static void
lw_scheduler_dispose (GObject *object)
{
  LwScheduler *self = LW_SCHEDULER (object);

  lw_scheduler_stop (self);
  if (self->factory_destroy != NULL)
    self->factory_destroy (self->factory_data);
  self->factory = NULL;
  self->factory_destroy = NULL;
  G_OBJECT_CLASS (lw_scheduler_parent_class)->dispose (object);
}

static void
lw_scheduler_finalize (GObject *object)
{
  LwScheduler *self = LW_SCHEDULER (object);

  g_hash_table_destroy (self->flights);
  g_hash_table_destroy (self->pools);
  g_clear_object (&self->store);
  g_clear_object (&self->blobs);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->rand, g_rand_free);
  g_free (self->owner);
  G_OBJECT_CLASS (lw_scheduler_parent_class)->finalize (object);
}

static void
lw_scheduler_class_init (LwSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lw_scheduler_dispose;
  object_class->finalize = lw_scheduler_finalize;

  signals[SIGNAL_IMAGE_CHANGED] =
    g_signal_new ("image-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT);
  signals[SIGNAL_JOB_CHANGED] =
    g_signal_new ("job-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT);
  signals[SIGNAL_PAUSED] =
    g_signal_new ("paused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
  signals[SIGNAL_RESUMED] =
    g_signal_new ("resumed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lw_scheduler_init (LwScheduler *self)
{
  self->pools = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) pool_free);
  self->flights = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->policy = LW_RETRY_POLICY_DEFAULT;
  self->rand = g_rand_new ();
  self->reuse = TRUE;
}

LwScheduler *
lw_scheduler_new (LwStore     *store,
                  LwBlobStore *blobs,
                  LwClock     *clock,
                  const char  *owner)
{
  LwScheduler *self;

  g_return_val_if_fail (LW_IS_STORE (store), NULL);
  g_return_val_if_fail (LW_IS_BLOB_STORE (blobs), NULL);
  g_return_val_if_fail (LW_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (owner != NULL, NULL);

  self = g_object_new (LW_TYPE_SCHEDULER, NULL);
  self->store = g_object_ref (store);
  self->blobs = g_object_ref (blobs);
  self->clock = g_object_ref (clock);
  self->owner = g_strdup (owner);
  return self;
}

void
lw_scheduler_set_engine_factory (LwScheduler              *self,
                                 LwSchedulerEngineFactory  factory,
                                 gpointer                  data,
                                 GDestroyNotify            destroy)
{
  g_return_if_fail (LW_IS_SCHEDULER (self));
  if (self->factory_destroy != NULL)
    self->factory_destroy (self->factory_data);
  self->factory = factory;
  self->factory_data = data;
  self->factory_destroy = destroy;
}

void
lw_scheduler_set_engine (LwScheduler *self, const char *model, LwEngine *engine)
{
  Pool *pool;

  g_return_if_fail (LW_IS_SCHEDULER (self));
  g_return_if_fail (model != NULL);

  pool = lw_scheduler_get_pool (self, model, TRUE);
  g_set_object (&pool->engine, engine);
  g_clear_pointer (&pool->signature, g_free);
  lw_scheduler_poke (self);
}

LwEngine *
lw_scheduler_get_engine (LwScheduler *self, const char *model)
{
  Pool *pool = lw_scheduler_get_pool (self, model, FALSE);

  return pool != NULL ? pool->engine : NULL;
}

void
lw_scheduler_set_limits (LwScheduler *self, const char *model, int concurrency, int rpm)
{
  Pool *pool;

  g_return_if_fail (LW_IS_SCHEDULER (self));
  pool = lw_scheduler_get_pool (self, model, TRUE);
  pool->concurrency = CLAMP (concurrency, 1, 16);
  pool->effective = pool->concurrency;
  pool->successes = 0;
  pool->rpm = MAX (rpm, 0);
  lw_scheduler_poke (self);
}

void
lw_scheduler_set_retry_policy (LwScheduler *self, const LwRetryPolicy *policy)
{
  g_return_if_fail (LW_IS_SCHEDULER (self));
  self->policy = *policy;
}

void
lw_scheduler_set_seed (LwScheduler *self, guint32 seed)
{
  g_rand_set_seed (self->rand, seed);
}

void
lw_scheduler_set_reuse_results (LwScheduler *self, gboolean reuse)
{
  self->reuse = !!reuse;
}

void
lw_scheduler_start (LwScheduler *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LW_IS_SCHEDULER (self));
  if (self->started)
    return;
  self->started = TRUE;
  self->stopped = FALSE;

  if (lw_store_reap_leases (self->store, lw_clock_now_ms (self->clock), lw_owner_is_dead, NULL, &error) < 0)
    g_warning ("Cannot return expired leases: %s", error->message);
  self->renew_timer = lw_clock_add_timer (self->clock, LW_LEASE_RENEW_MS, renew_cb, self, NULL);
  self->reap_timer = lw_clock_add_timer (self->clock, LW_REAP_INTERVAL_MS, reap_cb, self, NULL);
  lw_scheduler_pump (self);
}

void
lw_scheduler_stop (LwScheduler *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (LW_IS_SCHEDULER (self));
  if (!self->started || self->stopped)
    return;
  self->stopped = TRUE;

  /* Hand every image in flight back now, synchronously: after stop() the
   * process may exit without another main-loop turn. */
  g_hash_table_iter_init (&iter, self->flights);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Flight *flight = value;
      g_autoptr(GError) error = NULL;

      /* A full disk may refuse this too: the lease then lapses (a dead
       * owner's images come back at the next start). */
      if (!lw_scheduler_release_image (self, flight, &error))
        lw_warn_limited ("Cannot release image %" G_GINT64_FORMAT ": %s", flight->image->id, error->message);
      g_cancellable_cancel (flight->cancellable);
      /* An answer in hand, not yet recorded, is paid for: kept for the
       * next claim of the same request rather than lost with us. */
      if (flight->unsaved != NULL && !flight->spilled)
        flight->spilled = lw_unsaved_put (flight->request_key, flight->unsaved->data, flight->unsaved->mime,
                                         flight->unsaved->cost);
      /* A parked flight waits for nothing: it ends here (its answer, if
       * any, is kept by lw-unsaved for the next claim). */
      if (flight->parked)
        {
          g_hash_table_iter_remove (&iter);
          lw_scheduler_flight_free (flight);
        }
    }

  g_clear_handle_id (&self->pump_source, g_source_remove);
  lw_clock_clear_timer (self->clock, &self->wake_timer);
  lw_clock_clear_timer (self->clock, &self->renew_timer);
  lw_clock_clear_timer (self->clock, &self->reap_timer);
  g_hash_table_iter_init (&iter, self->pools);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    lw_clock_clear_timer (self->clock, &((Pool *) value)->probe_timer);
  self->started = FALSE;
}

gboolean
lw_scheduler_launch (LwScheduler *self, gint64 job_id, GError **error)
{
  g_autoptr(LwJob) job = NULL;

  g_return_val_if_fail (LW_IS_SCHEDULER (self), FALSE);

  job = lw_store_get_job (self->store, job_id, error);
  if (job == NULL)
    return FALSE;
  if (!lw_store_set_job_status (self->store, job_id, LW_JOB_PROCESSING, lw_clock_now_ms (self->clock), error))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_JOB_CHANGED], 0, job_id, (int) LW_JOB_PROCESSING);
  lw_scheduler_check_job_finished (self, job_id);  /* an empty job is done at once */
  lw_scheduler_poke (self);
  return TRUE;
}

gboolean
lw_scheduler_cancel (LwScheduler *self, gint64 job_id, GError **error)
{
  g_return_val_if_fail (LW_IS_SCHEDULER (self), FALSE);

  /* Nothing of this job is claimed any more; what is in flight was sent
   * and will be billed, so it lands and is kept (docs/ARCHITECTURE.md,
   * "Jobs": cancel keeps paid work). lw_scheduler_abandon drops it. */
  if (!lw_store_set_job_status (self->store, job_id, LW_JOB_CANCELLED, lw_clock_now_ms (self->clock), error))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_JOB_CHANGED], 0, job_id, (int) LW_JOB_CANCELLED);
  return TRUE;
}

/* The job's flights not handed back yet (requests and results being
 * written); abandon: hands back those whose request still runs (a result
 * already being written was answered: it is kept) and counts only them.
 * A parked flight is not in flight: it waits for lw_scheduler_resume, not
 * for an answer or a write, so a caller waiting for the count to reach 0
 * after a full-disk pause (lightwork-cli's finish_in_flight) would wait
 * forever (test-cli-disk-full hung 60 s twice). */
static guint
job_flights (LwScheduler *self, gint64 job_id, gboolean abandon)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->flights);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Flight *flight = value;

      if (flight->image->job_id != job_id || flight->released || flight->parked
          || (abandon && flight->slot_freed))
        continue;
      if (abandon)
        {
          lw_scheduler_flight_release (self, flight);
          g_cancellable_cancel (flight->cancellable);
        }
      n++;
    }
  return n;
}

guint
lw_scheduler_abandon (LwScheduler *self, gint64 job_id)
{
  g_return_val_if_fail (LW_IS_SCHEDULER (self), 0);
  return job_flights (self, job_id, TRUE);
}

guint
lw_scheduler_get_job_in_flight (LwScheduler *self, gint64 job_id)
{
  g_return_val_if_fail (LW_IS_SCHEDULER (self), 0);
  return job_flights (self, job_id, FALSE);
}

/* The flights a full disk parked try again: an answer is written, an
 * outcome without one goes back to PENDING (asked again later). */
static void
resume_parked (LwScheduler *self, Pool *pool)
{
  g_autoptr(GPtrArray) parked = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->flights);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Flight *) value)->parked && ((Flight *) value)->pool == pool)
      g_ptr_array_add (parked, value);
  for (guint i = 0; i < parked->len && pool->pause == NULL; i++)
    {
      Flight *flight = g_ptr_array_index (parked, i);

      flight->parked = FALSE;
      if (flight->unsaved != NULL)
        lw_scheduler_write_result (self, flight);
      else
        {
          flight->released = FALSE;
          if (lw_scheduler_flight_release (self, flight))
            lw_scheduler_flight_land (self, flight);
        }
    }
}

void
lw_scheduler_resume (LwScheduler *self, const char *model)
{
  Pool *pool;

  g_return_if_fail (LW_IS_SCHEDULER (self));
  pool = lw_scheduler_get_pool (self, model, FALSE);
  if (pool == NULL || pool->pause == NULL)
    return;
  g_clear_error (&pool->pause);
  lw_clock_clear_timer (self->clock, &pool->probe_timer);
  g_signal_emit (self, signals[SIGNAL_RESUMED], 0, model);
  resume_parked (self, pool);
  lw_scheduler_poke (self);
}

const GError *
lw_scheduler_get_pause (LwScheduler *self, const char *model)
{
  Pool *pool = lw_scheduler_get_pool (self, model, FALSE);

  return pool != NULL ? pool->pause : NULL;
}

guint
lw_scheduler_get_in_flight (LwScheduler *self, const char *model)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  if (model != NULL)
    {
      Pool *pool = lw_scheduler_get_pool (self, model, FALSE);
      return pool != NULL ? pool->in_flight : 0;
    }
  g_hash_table_iter_init (&iter, self->pools);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    n += ((Pool *) value)->in_flight;
  return n;
}

int
lw_scheduler_get_effective_concurrency (LwScheduler *self, const char *model)
{
  Pool *pool = lw_scheduler_get_pool (self, model, FALSE);

  return pool != NULL ? pool->effective : 0;
}

guint
lw_scheduler_get_n_flights (LwScheduler *self)
{
  return g_hash_table_size (self->flights);
}

guint64
lw_scheduler_get_n_requests (LwScheduler *self)
{
  return self->n_requests;
}

void
lw_scheduler_set_scope (LwScheduler *self, gint64 job_id)
{
  g_return_if_fail (LW_IS_SCHEDULER (self));
  self->scope = job_id;
}

/* ---- for the economy runner (lw-economy.c; docs/ARCHITECTURE.md, "Economy") ----
 * A batch's result is stored by the same code as a live call's. */

LwEngineRequest *
lw_scheduler_build_request (LwScheduler   *self,
                            const LwImage *image,
                            const LwJob   *job)
{
  LwEngineRequest *request = lw_engine_request_new ();

  request->image_id = image->id;
  request->job_id = image->job_id;
  request->attempt = image->attempt;
  request->module_id = g_strdup (job->module_id);
  request->model = g_strdup (job->model);
  request->original_name = g_strdup (image->original_name);
  request->input_path = lw_blob_store_path (self->blobs, image->original_key);
  request->input_mime = g_strdup (image->mime);
  request->width = image->width;
  request->height = image->height;
  request->orientation = image->orientation > 0 ? image->orientation : 1;
  request->module_prompt = g_strdup (job->prompt);
  request->specific_prompt = g_strdup (image->specific_prompt);
  request->prompt = lw_prompt_compose (job->prompt, image->specific_prompt);
  return request;
}

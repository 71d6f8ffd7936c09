/* lw-scheduler-landing.c — LwScheduler: where a flight lands.
 *
 * A flight's outcome recorded, fenced by its attempt (done, failed, retry
 * later, back to PENDING), or parked while the disk is full; the result blob
 * written and checked in a worker thread; the engine's answer or error
 * turned into one outcome; and the results of the economy runner's batches,
 * landed by the same code (docs/ARCHITECTURE.md, "The queue", "Results").
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-blob-store.h"
#include "lw-result-check.h"
#include "lw-scheduler-private.h"
#include "lw-thread.h"
#include "lw-unsaved.h"
#include "lw-warn.h"

/* An offline pool looks again this often (docs/ARCHITECTURE.md: "Offline" is a state
 * the queue leaves by itself, not a failure of every image). */
#define OFFLINE_PROBE_MS (30 * 1000)

/* ---- flights ------------------------------------------------------------ */

void
lw_scheduler_flight_free (Flight *flight)
{
  g_clear_pointer (&flight->image, lw_image_free);
  g_clear_pointer (&flight->request, lw_engine_request_unref);
  g_clear_pointer (&flight->unsaved, lw_engine_result_free);
  g_clear_object (&flight->cancellable);
  g_free (flight->request_key);
  g_free (flight);
}

/* The request is over: its slot refills now, even while the result is
 * still being written (a slot idle during an fsync is throughput lost). */
static void
flight_free_slot (LwScheduler *self, Flight *flight)
{
  if (flight->slot_freed)
    return;
  flight->slot_freed = TRUE;
  g_assert (flight->pool->in_flight > 0);
  flight->pool->in_flight--;
  lw_scheduler_poke (self);
}

/* The flight is done with, whatever its outcome. */
void
lw_scheduler_flight_land (LwScheduler *self, Flight *flight)
{
  gint64 job_id = flight->image->job_id;

  flight_free_slot (self, flight);
  g_hash_table_remove (self->flights, &flight->image->id);
  lw_scheduler_flight_free (flight);
  lw_scheduler_check_job_finished (self, job_id);
  lw_scheduler_poke (self);
}

/* The disk is full: the flight's outcome waits (its answer, if any, in
 * memory and with lw-unsaved) and the pool pauses until resume. */
static void
flight_park (LwScheduler *self, Flight *flight)
{
  flight->parked = TRUE;
  flight_free_slot (self, flight);
  if (flight->unsaved != NULL && !flight->spilled)
    flight->spilled = lw_unsaved_put (flight->request_key, flight->unsaved->data, flight->unsaved->mime,
                                         flight->unsaved->cost);
  lw_scheduler_pool_pause_disk_full (self, flight->pool);
}

/* Whether an outcome is settled: TRUE when recorded (or lost to another
 * error, said once in a while); FALSE when the disk is full and the flight
 * is parked instead: the caller must not land it. */
static gboolean
settled (LwScheduler *self, Flight *flight, const char *what, const GError *error)
{
  if (error == NULL)
    return TRUE;
  if (lw_store_error_is_disk_full (error))
    {
      flight_park (self, flight);
      return FALSE;
    }
  lw_warn_limited ("Cannot %s image %" G_GINT64_FORMAT ": %s", what, flight->image->id, error->message);
  return TRUE;
}

/* Back to PENDING, no retry counted (stop, where nothing may wait, calls
 * it directly). */
gboolean
lw_scheduler_release_image (LwScheduler *self, Flight *flight, GError **error)
{
  gboolean fenced = FALSE;

  if (flight->released)
    return TRUE;
  flight->released = TRUE;
  if (!lw_store_release (self->store, flight->image->id, flight->image->attempt,
                         lw_clock_now_ms (self->clock), &fenced, error))
    return FALSE;
  if (!fenced)
    lw_scheduler_emit_image (self, flight->image->job_id, flight->image->id, LW_IMAGE_PENDING);
  return TRUE;
}

/* Back to PENDING: cancel, pause. */
gboolean
lw_scheduler_flight_release (LwScheduler *self, Flight *flight)
{
  g_autoptr(GError) error = NULL;

  lw_scheduler_release_image (self, flight, &error);
  return settled (self, flight, "release", error);
}

static gboolean
flight_fail (LwScheduler *self, Flight *flight, const char *code, const char *message, double cost)
{
  g_autoptr(GError) error = NULL;
  gboolean fenced = FALSE;

  if (lw_store_finish_failed (self->store, flight->image->id, flight->image->attempt, code, message,
                              cost, lw_clock_now_ms (self->clock), &fenced, &error) && !fenced)
    lw_scheduler_emit_image (self, flight->image->job_id, flight->image->id, LW_IMAGE_FAILED);
  return settled (self, flight, "fail", error);
}

static gboolean
flight_retry_later (LwScheduler *self, Flight *flight, gint64 delay_ms, const char *code,
                    const char *message, double cost)
{
  g_autoptr(GError) error = NULL;
  gint64 now = lw_clock_now_ms (self->clock);
  gboolean fenced = FALSE;

  if (lw_store_finish_retry (self->store, flight->image->id, flight->image->attempt, now + delay_ms,
                             code, message, cost, now, &fenced, &error) && !fenced)
    lw_scheduler_emit_image (self, flight->image->job_id, flight->image->id, LW_IMAGE_RETRY_LATER);
  return settled (self, flight, "reschedule", error);
}

/* owns_blob: key was written for this flight (not a reused result).
 * review_reason: what the result checks found (NULL = passed). FALSE when
 * the disk is full (the flight is parked, the blob kept for the retry). */
gboolean
lw_scheduler_flight_complete (LwScheduler *self, Flight *flight, const char *key, const char *mime,
                              double cost, gboolean owns_blob, const char *review_reason, const char *note)
{
  g_autoptr(GError) error = NULL;
  gboolean fenced = FALSE;

  if (!lw_store_finish_checked (self->store, flight->image->id, flight->image->attempt, key, mime,
                                flight->request_key, flight->request->prompt, review_reason, note, cost,
                                lw_clock_now_ms (self->clock), &fenced, &error))
    {
      if (!settled (self, flight, "complete", error))
        return FALSE;
      fenced = TRUE;
    }
  if (fenced)
    {
      /* A newer attempt owns the row (our lease expired and someone else
       * claimed it): the blob we wrote is nobody's. */
      if (owns_blob)
        lw_blob_store_delete (self->blobs, key, NULL);
      return TRUE;
    }
  if (flight->spilled)
    lw_unsaved_drop (flight->request_key);
  lw_scheduler_emit_image (self, flight->image->job_id, flight->image->id, LW_IMAGE_COMPLETED);
  return TRUE;
}

/* ---- result blobs, written off the main thread -------------------------- */

typedef struct {
  LwBlobStore *blobs;
  char        *key;
  GBytes      *data;
  /* The result checks (lw-result-check.c), run here off the main thread. */
  char        *original_path;
  int          orientation;
  char        *module_id;
  double       aspect;
  char        *review_reason;  /* out */
  char        *note;           /* out */
} BlobWrite;

static void
blob_write_free (BlobWrite *write)
{
  g_clear_object (&write->blobs);
  g_free (write->key);
  g_clear_pointer (&write->data, g_bytes_unref);
  g_free (write->original_path);
  g_free (write->module_id);
  g_free (write->review_reason);
  g_free (write->note);
  g_free (write);
}

static void
blob_write_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BlobWrite *write = task_data;
  GError *error = NULL;

  /* Checked before it counts as done (docs/ARCHITECTURE.md, "Results"):
   * a few tens of ms on small copies, in this worker thread. */
  lw_result_check_bytes (write->original_path, write->orientation, write->data, write->aspect, write->module_id,
                         &write->review_reason, &write->note);
  if (lw_blob_store_put_bytes (write->blobs, write->key, write->data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

typedef struct {
  Flight *flight;
  char   *mime;
  double  cost;
} Landing;

static void
blob_written_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  LwScheduler *self = LW_SCHEDULER (source);
  Landing *landing = data;
  Flight *flight = landing->flight;
  BlobWrite *write = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  gboolean done = TRUE;

  if (flight->released)
    lw_blob_store_delete (self->blobs, write->key, NULL);
  else if (g_task_propagate_boolean (G_TASK (result), &error))
    done = lw_scheduler_flight_complete (self, flight, write->key, landing->mime, landing->cost, TRUE,
                                         write->review_reason, write->note);
  else if (lw_store_error_is_disk_full (error))
    {
      /* Paid for and arrived: kept until there is room, never asked again. */
      flight_park (self, flight);
      done = FALSE;
    }
  else
    {
      /* The data folder vanished, or a passing I/O error: not the photo's
       * fault, and another try may work; within the retry limit, as any
       * transient failure. */
      g_autofree char *message = g_strdup_printf (_("Could not save the result: %s"), error->message);

      if (flight->image->retry_count >= self->policy.max_retries)
        done = flight_fail (self, flight, "io", message, landing->cost);
      else
        done = flight_retry_later (self, flight,
                                   lw_retry_delay_ms (&self->policy, flight->image->retry_count, -1, self->rand),
                                   "io", message, landing->cost);
    }
  g_free (landing->mime);
  g_free (landing);
  if (done)
    lw_scheduler_flight_land (self, flight);
}

/* Writes flight->unsaved (the engine's answer) as the result blob. */
void
lw_scheduler_write_result (LwScheduler *self, Flight *flight)
{
  LwEngineResult *result = flight->unsaved;
  g_autoptr(GTask) task = NULL;
  BlobWrite *write = g_new0 (BlobWrite, 1);
  Landing *landing = g_new0 (Landing, 1);

  write->blobs = g_object_ref (self->blobs);
  write->key = lw_blob_store_result_key (flight->image->id, flight->image->attempt, result->mime);
  write->data = g_bytes_ref (result->data);
  write->original_path = g_strdup (flight->request->input_path);
  write->orientation = flight->request->orientation;
  write->module_id = g_strdup (flight->request->module_id);
  write->aspect = result->aspect;
  landing->flight = flight;
  landing->mime = g_strdup (result->mime);
  landing->cost = result->cost;

  task = g_task_new (self, NULL, blob_written_cb, landing);
  g_task_set_source_tag (task, lw_scheduler_write_result);
  g_task_set_task_data (task, write, (GDestroyNotify) blob_write_free);
  lw_task_run_in_thread (task, blob_write_thread);
}

/* An answer that arrived before the disk filled (kept by lw-unsaved,
 * perhaps by a process since gone): saved now, not asked and paid again. */
gboolean
lw_scheduler_take_unsaved (LwScheduler *self, Flight *flight)
{
  g_autofree char *mime = NULL;
  double cost = -1;
  g_autoptr(GBytes) data = lw_unsaved_get (flight->request_key, &mime, &cost);

  if (data == NULL)
    return FALSE;
  flight->unsaved = lw_engine_result_new (data, mime);
  /* Paid once, by whoever asked: recorded now, once (the release of the
   * attempt that paid recorded nothing). A file that does not say is
   * billed at the model's price rather than as free. */
  flight->unsaved->cost = cost >= 0 ? cost : lw_engine_get_cost (flight->pool->engine, flight->pool->model);
  flight->spilled = TRUE;
  flight_free_slot (self, flight);
  lw_scheduler_write_result (self, flight);
  return TRUE;
}

/* ---- engine outcome ------------------------------------------------------ */

static gboolean
offline_probe_cb (gpointer data)
{
  Pool *pool = data;

  pool->probe_timer = 0;
  lw_scheduler_resume (pool->scheduler, pool->model);
  return G_SOURCE_REMOVE;
}

/* The engine's error to the image's outcome; FALSE when the flight is
 * parked (see settled). */
static gboolean
handle_failure (LwScheduler *self, Flight *flight, const GError *error)
{
  Pool *pool = flight->pool;
  const char *code = lw_engine_error_code_to_string (error);
  gint64 now = lw_clock_now_ms (self->clock);

  /* An engine that writes (the local one) may meet the full disk first:
   * a pause like ours, not a retry of the photo. */
  if (lw_store_error_is_disk_full (error))
    {
      if (!lw_scheduler_flight_release (self, flight))
        return FALSE;
      lw_scheduler_pool_pause_disk_full (self, pool);
      return TRUE;
    }

  switch (lw_engine_error_classify (error))
    {
    case LW_ERROR_CLASS_CANCELLED:
      return lw_scheduler_flight_release (self, flight);

    case LW_ERROR_CLASS_TRANSIENT:
      {
        gint64 server_delay = lw_engine_error_get_retry_delay_ms (error);
        gint64 delay;

        if (g_error_matches (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_RATE_LIMITED))
          {
            /* Multiplicative decrease: half the slots, not below one, and no
             * new start until the server's delay (or our backoff) is over. */
            pool->effective = MAX (1, pool->effective / 2);
            pool->successes = 0;
            delay = lw_retry_delay_ms (&self->policy, flight->image->retry_count, server_delay, self->rand);
            pool->hold_until = MAX (pool->hold_until, now + delay);
          }

        if (flight->image->retry_count >= self->policy.max_retries)
          {
            g_autofree char *message =
              g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Gave up after %d try: %s",
                                            "Gave up after %d tries: %s",
                                            flight->image->retry_count + 1),
                               flight->image->retry_count + 1, error->message);
            return flight_fail (self, flight, code, message, 0);
          }
        delay = lw_retry_delay_ms (&self->policy, flight->image->retry_count, server_delay, self->rand);
        return flight_retry_later (self, flight, delay, code, error->message, 0);
      }

    case LW_ERROR_CLASS_PAUSE:
      if (!lw_scheduler_flight_release (self, flight))
        return FALSE;
      lw_scheduler_pool_pause (self, pool, error);
      if (g_error_matches (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE) && pool->probe_timer == 0)
        {
          pool->probe_timer = lw_clock_add_timer (self->clock, OFFLINE_PROBE_MS, offline_probe_cb, pool, NULL);
        }
      return TRUE;

    case LW_ERROR_CLASS_NO_IMAGE:
      /* One more try: models sometimes answer in words once and draw the
       * next time. Twice in a row is a refusal in all but name. */
      if (g_strcmp0 (flight->image->error_code, "no_image") == 0
          || flight->image->retry_count >= self->policy.max_retries)
        return flight_fail (self, flight, code, error->message, 0);
      return flight_retry_later (self, flight, 0, code, error->message, 0);

    case LW_ERROR_CLASS_REFUSED:
    case LW_ERROR_CLASS_PERMANENT:
    default:
      return flight_fail (self, flight, code, error->message, 0);
    }
}

void
lw_scheduler_engine_done_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  Flight *flight = data;
  LwScheduler *self = flight->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = lw_engine_process_finish (LW_ENGINE (source), res, &error);

  if (flight->released)
    {
      /* stop() handed the image back already; whatever came, it is not ours. */
      lw_scheduler_flight_land (self, flight);
      g_object_unref (self);
      return;
    }

  if (result != NULL && result->data != NULL && g_bytes_get_size (result->data) > 0)
    {
      Pool *pool = flight->pool;

      /* Additive increase: one more slot per round of successes. */
      if (pool->effective < pool->concurrency && ++pool->successes >= pool->effective)
        {
          pool->effective++;
          pool->successes = 0;
        }
      flight_free_slot (self, flight);
      flight->unsaved = g_steal_pointer (&result);
      lw_scheduler_write_result (self, flight);  /* lands when the blob is safe */
    }
  else
    {
      if (error == NULL)
        error = g_error_new_literal (LW_ENGINE_ERROR, LW_ENGINE_ERROR_NO_IMAGE, _("The engine returned no image"));
      if (handle_failure (self, flight, error))
        lw_scheduler_flight_land (self, flight);
    }
  g_object_unref (self);
}

/* ---- for the economy runner (lw-economy.c; docs/ARCHITECTURE.md, "Economy") ----
 * A batch's result is stored by the same code as a live call's. */

/* A flight for an image a batch holds, with its reuse key when the
 * model's engine is made. */
static Flight *
batch_flight (LwScheduler *self, LwImage *image, LwEngineRequest *request)
{
  Flight *flight = g_new0 (Flight, 1);
  Pool *pool = lw_scheduler_get_pool (self, request->model, FALSE);

  flight->self = self;
  flight->image = image;
  flight->request = lw_engine_request_ref (request);
  flight->cancellable = g_cancellable_new ();
  /* No slot of a live pool to give back, and not in self->flights: stop()
   * must not hand a paid batch result back to the queue. */
  flight->slot_freed = TRUE;
  if (pool != NULL && pool->engine != NULL)
    {
      if (pool->signature == NULL)
        pool->signature = lw_engine_dup_signature (pool->engine, pool->model);
      flight->request_key = lw_scheduler_compute_request_key (image->sha256, pool->signature, request->prompt);
    }
  return flight;
}

void
lw_scheduler_land_result (LwScheduler     *self,
                          LwImage         *image,
                          LwEngineRequest *request,
                          LwEngineResult  *result)
{
  Flight *flight = batch_flight (self, image, request);

  /* The flight owns its answer until it is written (a full disk keeps it). */
  flight->unsaved = lw_engine_result_new (result->data, result->mime);
  flight->unsaved->cost = result->cost;
  flight->unsaved->aspect = result->aspect;
  lw_scheduler_write_result (self, flight);
}

gboolean
lw_scheduler_reuse_result (LwScheduler     *self,
                           LwImage         *image,
                           LwEngineRequest *request)
{
  g_autoptr(LwImage) done = NULL;
  Flight *flight;

  if (!self->reuse || image->fresh_take)
    return FALSE;
  flight = batch_flight (self, image, request);
  if (flight->request_key != NULL)
    done = lw_store_find_result (self->store, flight->request_key, NULL);
  if (done == NULL || done->processed_key == NULL || !lw_blob_store_exists (self->blobs, done->processed_key))
    {
      flight->image = NULL;   /* still the caller's */
      lw_scheduler_flight_free (flight);
      return FALSE;
    }
  lw_scheduler_flight_complete (self, flight, done->processed_key, done->processed_mime, 0, FALSE,
                                done->review_reason, done->note);
  lw_scheduler_flight_land (self, flight);
  return TRUE;
}

void
lw_scheduler_note_image (LwScheduler   *self,
                         gint64         job_id,
                         gint64         image_id,
                         LwImageStatus  status)
{
  lw_scheduler_emit_image (self, job_id, image_id, status);
  lw_scheduler_check_job_finished (self, job_id);
}

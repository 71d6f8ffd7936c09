/* lw-economy.c — economy mode's runner (lw-economy.h; docs/ARCHITECTURE.md,
 * "Economy"). */
#include "config.h"

#include <signal.h>

#include <glib/gi18n-lib.h>

#include "lw-blob-store.h"
#include "lw-core.h"
#include "lw-economy.h"
#include "lw-gemini-batch.h"

struct _LwEconomy
{
  GObject       parent_instance;

  LwStore      *store;
  LwScheduler  *scheduler;
  LwClock      *clock;
  char         *owner;         /* this process (lw_core_get_owner), the runner of its batches */
  gint64        scope;
  gint64        poll_min_ms;
  gint64        poll_max_ms;
  int           batch_size;

  GHashTable   *clients;       /* model → LwGeminiBatch */
  GHashTable   *downloaded;    /* batch ids (gint64*) whose results this process stored */
  GCancellable *cancellable;   /* the step under way */
  gint64        submitting;    /* the batch being sent by this process, 0 = none */
  char         *uploaded;      /* its files uploaded so far, space-separated (NULL: none) */
  gint64        hold_until;    /* no new batch before (after a failed submission) */
  gint64        hold_ms;
  gboolean      busy;
  gboolean      started;
  guint         timer;
  guint         idle;
  gulong        job_handler;
  guint64       n_steps;
  guint         n_cancelling;  /* remote cancels not answered yet */
  guint         n_deleting;    /* uploaded files being deleted */
  GHashTable   *cleaning;      /* batch ids (gint64*) whose files this process deletes or failed to */
  gint64        lookup_after;  /* no batches.list before (after one failed) */
};

G_DEFINE_FINAL_TYPE (LwEconomy, lw_economy, G_TYPE_OBJECT)

enum { SIGNAL_BATCH_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void run_step (LwEconomy *self);
static void file_uploaded_cb (LwGeminiBatch *client, const char *name, LwEconomy *self);
static void clean_files (LwEconomy *self);

/* The batch's displayName at Google: unique to the row (its id, and a
 * hash of the process that sends it and when it was taken), and known
 * before the batch is created, so a process that died between
 * batches.create and writing the name down can find the batch again by
 * it (batches.list) instead of paying for a second one. */
static char *
display_name_of (const LwBatchRecord *batch)
{
  g_autofree char *seed = g_strdup_printf ("%s/%" G_GINT64_FORMAT, batch->runner != NULL ? batch->runner : "",
                                           batch->created_at);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);

  return g_strdup_printf ("lightwork-job-%" G_GINT64_FORMAT "-batch-%" G_GINT64_FORMAT "-%.12s", batch->job_id,
                          batch->id, sum);
}

static gboolean
state_is_open (const char *state)
{
  return g_strcmp0 (state, "submitting") == 0 || g_strcmp0 (state, "pending") == 0 ||
         g_strcmp0 (state, "running") == 0 || g_strcmp0 (state, "succeeded") == 0;
}

static void
emit_batch (LwEconomy *self, gint64 job_id)
{
  g_signal_emit (self, signals[SIGNAL_BATCH_CHANGED], 0, job_id);
}

static gboolean
idle_cb (gpointer data)
{
  LwEconomy *self = data;

  self->idle = 0;
  run_step (self);
  return G_SOURCE_REMOVE;
}

void
lw_economy_poke (LwEconomy *self)
{
  g_return_if_fail (LW_IS_ECONOMY (self));
  /* At default priority, not idle: a window that redraws all the time
   * (spinners on a slow machine) starves idle sources, and the batches
   * then waited forever at "pending" (test-economy-window under ASan). */
  if (self->started && self->idle == 0)
    self->idle = g_idle_add_full (G_PRIORITY_DEFAULT, idle_cb, self, NULL);
}

static gboolean
timer_cb (gpointer data)
{
  LwEconomy *self = data;

  self->timer = 0;
  run_step (self);
  return G_SOURCE_REMOVE;
}

static void
step_done (LwEconomy *self)
{
  self->busy = FALSE;
  g_clear_object (&self->cancellable);
  lw_economy_poke (self);
}

/* The Batch API client of model's engine, once the scheduler has one
 * (it makes the engines of launched jobs' models, key and all). */
static LwGeminiBatch *
client_for (LwEconomy *self, const char *model)
{
  LwGeminiBatch *client = g_hash_table_lookup (self->clients, model);
  LwEngine *engine;

  if (client != NULL)
    return client;
  engine = lw_scheduler_get_engine (self->scheduler, model);
  if (engine == NULL || !LW_IS_GEMINI_ENGINE (engine))
    return NULL;
  client = lw_gemini_batch_new (LW_GEMINI_ENGINE (engine));
  g_signal_connect_object (client, "file-uploaded", G_CALLBACK (file_uploaded_cb), self, 0);
  g_hash_table_insert (self->clients, g_strdup (model), client);
  return client;
}

static void
note_images (LwEconomy *self, GPtrArray *images, LwImageStatus status)
{
  for (guint i = 0; images != NULL && i < images->len; i++)
    {
      LwImage *image = g_ptr_array_index (images, i);

      lw_scheduler_note_image (self->scheduler, image->job_id, image->id, status);
    }
}

static void
set_state (LwEconomy *self, const LwBatchRecord *batch, const char *state, const char *message, gint64 next_poll_at)
{
  g_autoptr(GError) error = NULL;

  if (!lw_store_batch_set_state (self->store, batch->id, state, message, lw_clock_now_ms (self->clock),
                                 next_poll_at, &error))
    g_warning ("Cannot record batch %" G_GINT64_FORMAT ": %s", batch->id, error->message);
  emit_batch (self, batch->job_id);
  /* Google is done with it: its uploads go now, not in 48 h. */
  if (!state_is_open (state))
    clean_files (self);
}

/* Its photos back to the queue (attempt kept, so a late result is fenced
 * out), and the batch ends in state. */
static void
release_batch (LwEconomy *self, const LwBatchRecord *batch, const char *state, const char *message)
{
  g_autoptr(GPtrArray) images = lw_store_batch_images (self->store, batch->id, NULL);
  g_autoptr(GError) error = NULL;

  if (lw_store_batch_release (self->store, batch->id, lw_clock_now_ms (self->clock), &error) < 0)
    g_warning ("Cannot return the photos of batch %" G_GINT64_FORMAT ": %s", batch->id, error->message);
  set_state (self, batch, state, message, 0);
  note_images (self, images, LW_IMAGE_PENDING);
}

static gboolean
job_runs (LwEconomy *self, gint64 job_id)
{
  g_autoptr(LwJob) job = lw_store_get_job (self->store, job_id, NULL);

  return job != NULL && job->status == LW_JOB_PROCESSING;
}

/* ---- cancel: the remote batch too --------------------------------------- */

static void
remote_cancelled_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LwEconomy) self = data;
  g_autoptr(GError) error = NULL;

  self->n_cancelling--;
  if (!lw_gemini_batch_cancel_finish (LW_GEMINI_BATCH (source), result, &error))
    g_warning ("Cannot cancel a batch at Google: %s", error->message);
}

static void
cancel_batch (LwEconomy *self, const LwBatchRecord *batch)
{
  LwGeminiBatch *client = client_for (self, batch->model);

  if (batch->name != NULL && client != NULL)
    {
      self->n_cancelling++;
      lw_gemini_batch_cancel_async (client, batch->name, NULL, remote_cancelled_cb, g_object_ref (self));
    }
  release_batch (self, batch, "cancelled", NULL);
}

/* A batch whose results are all stored is done (the job finished with
 * its last result: said now, before the process may exit). */
static void
settle_batches (LwEconomy *self, GPtrArray *batches)
{
  for (guint i = 0; batches != NULL && i < batches->len; i++)
    {
      LwBatchRecord *batch = g_ptr_array_index (batches, i);
      g_autoptr(GPtrArray) left = NULL;

      if (!g_str_equal (batch->state, "succeeded"))
        continue;
      left = lw_store_batch_images (self->store, batch->id, NULL);
      if (left != NULL && left->len == 0)
        set_state (self, batch, "done", NULL, 0);
    }
}

static void
job_changed_cb (LwScheduler *scheduler, gint64 job_id, int status, LwEconomy *self)
{
  g_autoptr(GPtrArray) batches = NULL;

  if (status == LW_JOB_PROCESSING)
    {
      lw_economy_poke (self);
      return;
    }
  batches = lw_store_list_open_batches (self->store, job_id, NULL);
  if (status == LW_JOB_COMPLETED || status == LW_JOB_FAILED)
    settle_batches (self, batches);
  if (status != LW_JOB_CANCELLED)
    return;
  for (guint i = 0; batches != NULL && i < batches->len; i++)
    {
      LwBatchRecord *batch = g_ptr_array_index (batches, i);

      /* The one being sent is cancelled when its name comes back. */
      if (batch->id != self->submitting)
        cancel_batch (self, batch);
    }
}

/* ---- submit ------------------------------------------------------------- */

typedef struct {
  LwEconomy     *self;
  LwBatchRecord *batch;
  GPtrArray     *images;   /* LwImage */
} Step;

static void
step_free (Step *step)
{
  g_clear_pointer (&step->batch, lw_batch_record_free);
  g_clear_pointer (&step->images, g_ptr_array_unref);
  g_object_unref (step->self);
  g_free (step);
}

static Step *
step_new (LwEconomy *self, LwBatchRecord *batch, GPtrArray *images)
{
  Step *step = g_new0 (Step, 1);

  step->self = g_object_ref (self);
  step->batch = batch;
  step->images = images;
  self->busy = TRUE;
  self->n_steps++;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  return step;
}

/* Photos that could not be read never went: they fail now, as they would
 * live (BAD_INPUT). */
static void
fail_rejected (LwEconomy *self, Step *step, GPtrArray *rejected)
{
  for (guint i = 0; i < rejected->len; i++)
    {
      LwGeminiBatchEntry *entry = g_ptr_array_index (rejected, i);
      g_autoptr(GError) error = NULL;
      gboolean fenced = TRUE;
      gint64 id = 0;
      int attempt = 0;

      if (!lw_gemini_batch_parse_key (entry->key, &id, &attempt))
        continue;
      if (!lw_store_finish_failed (self->store, id, attempt, lw_engine_error_code_to_string (entry->error),
                                   entry->error->message, 0, lw_clock_now_ms (self->clock), &fenced, &error))
        g_warning ("Cannot fail image %" G_GINT64_FORMAT ": %s", id, error->message);
      else if (!fenced)
        lw_scheduler_note_image (self->scheduler, step->batch->job_id, id, LW_IMAGE_FAILED);
    }
}

/* Writes a batch's files (space-separated) down; FALSE, warned, when the
 * store refuses. */
static gboolean
record_files (LwEconomy *self, gint64 batch_id, const char *files)
{
  g_autoptr(GError) error = NULL;

  if (lw_store_batch_set_files (self->store, batch_id, files, &error))
    return TRUE;
  g_warning ("Cannot record batch %" G_GINT64_FORMAT ": %s", batch_id, error->message);
  return FALSE;
}

/* files (a batch's, space-separated; NULL for none) with name added once. */
static char *
files_with (const char *files, const char *name)
{
  g_auto(GStrv) names = g_strsplit (files != NULL ? files : "", " ", -1);

  if (name == NULL || *name == '\0' || g_strv_contains ((const char * const *) names, name))
    return g_strdup (files != NULL ? files : "");
  return files != NULL && *files != '\0' ? g_strconcat (files, " ", name, NULL) : g_strdup (name);
}

/* Each upload of the batch being sent is written down at once: a crash or
 * a failed batches.create then leaves a row naming it, and the row, given
 * up, has it deleted (clean_files) instead of left at Google unnamed. */
static void
file_uploaded_cb (LwGeminiBatch *client, const char *name, LwEconomy *self)
{
  g_autofree char *joined = NULL;

  if (self->submitting == 0)
    return;
  joined = files_with (self->uploaded, name);
  g_free (self->uploaded);
  self->uploaded = g_steal_pointer (&joined);
  record_files (self, self->submitting, self->uploaded);
  if (g_getenv (LW_ECONOMY_ENV_DIE_BEFORE_CREATE) != NULL)
    raise (SIGKILL);
}

static void
submitted_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Step *step = data;
  LwEconomy *self = step->self;
  g_autoptr(LwGeminiBatchSubmission) submission = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) files = g_string_new (NULL);
  gint64 now = lw_clock_now_ms (self->clock);

  self->submitting = 0;
  submission = lw_gemini_batch_submit_finish (LW_GEMINI_BATCH (source), result, &error);
  if (submission == NULL)
    {
      /* Not sent (or not known to be): the photos go back; a while before
       * the next try, longer each time. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Cannot send a batch: %s", error->message);
          release_batch (self, step->batch, "abandoned", error->message);
          self->hold_ms = CLAMP (self->hold_ms * 2, self->poll_min_ms, self->poll_max_ms);
          self->hold_until = now + self->hold_ms;
        }
      step_done (self);
      step_free (step);
      return;
    }
  self->hold_ms = 0;
  /* Tests: the process dies after Google created the batch and before
   * its name is written down (docs/ARCHITECTURE.md, "Economy"). */
  if (g_getenv (LW_ECONOMY_ENV_DIE_AFTER_CREATE) != NULL)
    raise (SIGKILL);
  for (guint i = 0; i < submission->files->len; i++)
    g_string_append_printf (files, "%s%s", i > 0 ? " " : "", (char *) g_ptr_array_index (submission->files, i));
  if (!lw_store_batch_submitted (self->store, step->batch->id, submission->batch_name, files->str, now, &error))
    g_warning ("Cannot record batch %s: %s", submission->batch_name, error->message);
  g_free (step->batch->name);
  step->batch->name = g_strdup (submission->batch_name);
  fail_rejected (self, step, submission->rejected);
  emit_batch (self, step->batch->job_id);
  /* Cancelled while it was being sent: cancel it at Google too. */
  if (!job_runs (self, step->batch->job_id))
    cancel_batch (self, step->batch);
  step_done (self);
  step_free (step);
}

static void
submit (LwEconomy *self, LwGeminiBatch *client, LwBatchRecord *batch, GPtrArray *images)
{
  g_autoptr(LwJob) job = lw_store_get_job (self->store, batch->job_id, NULL);
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_engine_request_unref);
  g_autofree char *display_name = display_name_of (batch);
  Step *step;

  if (job == NULL)
    {
      lw_batch_record_free (batch);
      g_ptr_array_unref (images);
      return;
    }
  for (guint i = 0; i < images->len;)
    {
      LwEngineRequest *request = lw_scheduler_build_request (self->scheduler, g_ptr_array_index (images, i), job);

      /* Answered before (another job, the same photo and prompt): reused
       * at no cost, as a live call would, never sent again. */
      if (lw_scheduler_reuse_result (self->scheduler, g_ptr_array_index (images, i), request))
        {
          g_ptr_array_steal_index (images, i);
          lw_engine_request_unref (request);
          continue;
        }
      g_ptr_array_add (requests, request);
      i++;
    }
  if (requests->len == 0)
    {
      set_state (self, batch, "done", NULL, 0);
      lw_batch_record_free (batch);
      g_ptr_array_unref (images);
      lw_economy_poke (self);
      return;
    }
  step = step_new (self, batch, images);
  self->submitting = batch->id;
  g_clear_pointer (&self->uploaded, g_free);
  emit_batch (self, batch->job_id);
  lw_gemini_batch_submit_async (client, requests, display_name, self->cancellable, submitted_cb, step);
}

/* A new batch of a launched economy job's open photos, if there are any. */
static gboolean
submit_next (LwEconomy *self, gint64 now)
{
  g_autoptr(GArray) jobs = NULL;

  if (now < self->hold_until)
    return FALSE;
  jobs = lw_store_list_economy_jobs (self->store, self->scope, NULL);
  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    {
      g_autoptr(LwJob) job = lw_store_get_job (self->store, g_array_index (jobs, gint64, i), NULL);
      g_autoptr(GError) error = NULL;
      LwGeminiBatch *client = job != NULL ? client_for (self, job->model) : NULL;
      GPtrArray *images = NULL;
      LwBatchRecord *batch;

      if (client == NULL)
        continue;
      batch = lw_store_batch_claim (self->store, job->id, job->model, 0, self->owner, self->batch_size, now, &images,
                                    &error);
      if (batch == NULL)
        {
          if (error != NULL)
            g_warning ("Cannot take photos for a batch: %s", error->message);
          continue;
        }
      note_images (self, images, LW_IMAGE_PROCESSING);
      submit (self, client, batch, images);
      return TRUE;
    }
  return FALSE;
}

/* ---- results ------------------------------------------------------------ */

/* An entry without an image: a refusal fails the photo as a live call
 * would; anything else sends it into a later batch, LW_ECONOMY_MAX_TRIES
 * times at most, then fails it with code "batch" (lw_store_move_to_live). */
static void
land_error (LwEconomy *self, LwImage *image, const GError *error)
{
  LwErrorClass klass = lw_engine_error_classify (error);
  g_autoptr(GError) store_error = NULL;
  gint64 now = lw_clock_now_ms (self->clock);
  gboolean fenced = TRUE, failed = FALSE;
  gboolean ok;

  if (klass == LW_ERROR_CLASS_REFUSED || klass == LW_ERROR_CLASS_PERMANENT)
    {
      ok = lw_store_finish_failed (self->store, image->id, image->attempt, lw_engine_error_code_to_string (error),
                                   error->message, 0, now, &fenced, &store_error);
      failed = TRUE;
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("Its batches failed it %d times (%s); move it to Fast mode to "
                                                    "try it live"), LW_ECONOMY_MAX_TRIES, error->message);

      ok = lw_store_batch_entry_failed (self->store, image->id, image->attempt, LW_ECONOMY_MAX_TRIES, "batch",
                                        message, now, &failed, &fenced, &store_error);
    }
  if (!ok)
    g_warning ("Cannot record image %" G_GINT64_FORMAT ": %s", image->id, store_error->message);
  else if (!fenced)
    lw_scheduler_note_image (self->scheduler, image->job_id, image->id, failed ? LW_IMAGE_FAILED : LW_IMAGE_PENDING);
}

/* Each entry to the photo and attempt its key names, through the live
 * result path; a photo of the batch with no entry failed in it. */
static void
land_entries (LwEconomy *self, const LwBatchRecord *batch, GPtrArray *entries)
{
  g_autoptr(GPtrArray) images = lw_store_batch_images (self->store, batch->id, NULL);
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                       (GDestroyNotify) lw_image_free);
  g_autoptr(LwJob) job = lw_store_get_job (self->store, batch->job_id, NULL);
  LwEngine *engine = lw_scheduler_get_engine (self->scheduler, batch->model);
  double price = engine != NULL ? lw_engine_get_cost (engine, batch->model) * LW_GEMINI_BATCH_PRICE_FACTOR : 0;
  GHashTableIter iter;
  gpointer value;

  if (images == NULL || job == NULL)
    return;
  while (images->len > 0)
    {
      LwImage *image = g_ptr_array_steal_index_fast (images, images->len - 1);

      g_hash_table_insert (by_id, &image->id, image);
    }
  for (guint i = 0; i < entries->len; i++)
    {
      LwGeminiBatchEntry *entry = g_ptr_array_index (entries, i);
      LwImage *image;
      gint64 id = 0;
      int attempt = 0;

      if (!lw_gemini_batch_parse_key (entry->key, &id, &attempt) ||
          (image = g_hash_table_lookup (by_id, &id)) == NULL || image->attempt != attempt)
        continue;   /* another attempt's, or already stored */
      g_hash_table_steal (by_id, &id);
      if (entry->result != NULL)
        {
          g_autoptr(LwEngineRequest) request = lw_scheduler_build_request (self->scheduler, image, job);

          entry->result->cost = price;
          entry->result->aspect = lw_gemini_batch_request_aspect (request);
          lw_scheduler_land_result (self->scheduler, image, request, entry->result);
        }
      else
        {
          land_error (self, image, entry->error);
          lw_image_free (image);
        }
    }
  g_hash_table_iter_init (&iter, by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_autoptr(GError) missing = g_error_new_literal (LW_ENGINE_ERROR, LW_ENGINE_ERROR_SERVER,
                                                       _("The batch's results did not answer this photo"));

      land_error (self, value, missing);
    }
}

static void
downloaded_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Step *step = data;
  LwEconomy *self = step->self;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  entries = lw_gemini_batch_download_finish (LW_GEMINI_BATCH (source), result, &error);
  if (entries == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_state (self, step->batch, "succeeded", error->message,
                   lw_clock_now_ms (self->clock) + self->poll_min_ms);
    }
  else
    {
      g_hash_table_add (self->downloaded, g_memdup2 (&step->batch->id, sizeof (gint64)));
      land_entries (self, step->batch, entries);
      emit_batch (self, step->batch->job_id);
    }
  step_done (self);
  step_free (step);
}

/* Expired, failed or cancelled at Google: sent again once (a new attempt
 * of each photo), then its photos fail with the reason. */
static void
batch_lost (LwEconomy *self, LwGeminiBatch *client, const LwBatchRecord *batch, const char *state,
            const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autofree char *code = g_strdup_printf ("batch_%s", state);
  g_autofree char *reason = NULL;
  LwBatchRecord *again;

  set_state (self, batch, state, message, 0);
  if (!job_runs (self, batch->job_id))
    {
      release_batch (self, batch, state, message);
      return;
    }
  if (batch->attempt < 2)
    {
      again = lw_store_batch_claim (self->store, batch->job_id, batch->model, batch->id, self->owner, self->batch_size,
                                    lw_clock_now_ms (self->clock), &images, &error);
      if (again != NULL)
        {
          submit (self, client, again, g_steal_pointer (&images));
          return;
        }
    }
  images = lw_store_batch_images (self->store, batch->id, NULL);
  reason = g_strdup_printf (_("Google’s batch ended “%s” twice; try the photo again or in Fast mode"), state);
  if (lw_store_batch_fail_images (self->store, batch->id, code, reason, lw_clock_now_ms (self->clock), &error) < 0)
    g_warning ("Cannot fail the photos of batch %" G_GINT64_FORMAT ": %s", batch->id, error->message);
  note_images (self, images, LW_IMAGE_FAILED);
}

/* name added to the batch's files (once), in the store and in batch. */
static void
remember_file (LwEconomy *self, LwBatchRecord *batch, const char *name)
{
  g_autofree char *joined = files_with (batch->files, name);

  if (g_strcmp0 (joined, batch->files) == 0 || !record_files (self, batch->id, joined))
    return;
  g_free (batch->files);
  batch->files = g_steal_pointer (&joined);
}

/* The next poll: 10 % of the batch's age, within the bounds. */
static gint64
next_poll_at (LwEconomy *self, const LwBatchRecord *batch, gint64 now)
{
  return now + CLAMP ((now - batch->submitted_at) / 10, self->poll_min_ms, self->poll_max_ms);
}

static void
polled_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Step *step = data;
  LwEconomy *self = step->self;
  LwGeminiBatch *client = LW_GEMINI_BATCH (source);
  g_autoptr(LwGeminiBatchStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = lw_clock_now_ms (self->clock);

  self->busy = FALSE;
  status = lw_gemini_batch_get_finish (client, result, &error);
  if (!job_runs (self, step->batch->job_id))
    {
      /* Cancelled while polled: cancel_batch has done all there is. */
      step_done (self);
      step_free (step);
      return;
    }
  if (status == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_state (self, step->batch, step->batch->state, NULL, next_poll_at (self, step->batch, now));
  else if (status != NULL && status->state == LW_GEMINI_BATCH_STATE_SUCCEEDED && status->responses_file != NULL)
    {
      Step *download;

      set_state (self, step->batch, "succeeded", NULL, 0);
      /* The results file is Google's upload for us: deleted with the
       * batch's own once its results are stored (clean_files). */
      remember_file (self, step->batch, status->responses_file);
      download = step_new (self, step->batch, NULL);
      step->batch = NULL;
      lw_gemini_batch_download_async (client, status->responses_file, self->cancellable, downloaded_cb, download);
      step_free (step);
      return;
    }
  else if (status != NULL && lw_gemini_batch_state_is_final (status->state))
    batch_lost (self, client, step->batch,
                lw_gemini_batch_state_to_string (status->state == LW_GEMINI_BATCH_STATE_SUCCEEDED
                                                   ? LW_GEMINI_BATCH_STATE_FAILED : status->state),
                status->error_message);
  else if (status != NULL)
    set_state (self, step->batch, status->state == LW_GEMINI_BATCH_STATE_RUNNING ? "running" : "pending", NULL,
               next_poll_at (self, step->batch, now));
  if (!self->busy)
    step_done (self);
  step_free (step);
}

static void
poll (LwEconomy *self, LwGeminiBatch *client, LwBatchRecord *batch)
{
  Step *step = step_new (self, batch, NULL);

  lw_gemini_batch_get_async (client, batch->name, self->cancellable, polled_cb, step);
}

/* ---- uploaded files: deleted once Google is done with them -------------- */

/* One batch's files being deleted: those that could not be are written
 * back, for the next start. */
typedef struct {
  LwEconomy *self;
  gint64     batch_id;
  GPtrArray *left;      /* char *: not deleted (yet) */
  guint      pending;
  gboolean   past_ttl;  /* every file is older than Google keeps one */
} Cleanup;

typedef struct {
  Cleanup *cleanup;
  char    *name;
} Deletion;

static void
cleanup_finish (Cleanup *cleanup)
{
  g_autofree char *files = NULL;

  g_ptr_array_add (cleanup->left, NULL);
  files = g_strjoinv (" ", (char **) cleanup->left->pdata);
  record_files (cleanup->self, cleanup->batch_id, files);
  g_ptr_array_unref (cleanup->left);
  g_object_unref (cleanup->self);
  g_free (cleanup);
}

static void
file_deleted_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Deletion *deletion = data;
  Cleanup *cleanup = deletion->cleanup;
  g_autoptr(GError) error = NULL;
  gboolean gone = lw_gemini_batch_delete_file_finish (LW_GEMINI_BATCH (source), result, &error);

  /* Not there: deleted by Google (after 48 h, when it answers 403 for the
   * file as for one that never was) or by a process before this one. A
   * 403 sooner may be the key's: tried again at the next start. */
  if (!gone && (g_error_matches (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_MODEL_NOT_FOUND)
                || (cleanup->past_ttl && g_error_matches (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH))))
    {
      g_debug ("Upload %s is gone at Google: %s", deletion->name, error->message);
      gone = TRUE;
    }
  if (gone)
    {
      for (guint i = 0; i < cleanup->left->len; i++)
        if (g_strcmp0 (g_ptr_array_index (cleanup->left, i), deletion->name) == 0)
          {
            g_ptr_array_remove_index (cleanup->left, i);
            break;
          }
    }
  else
    g_warning ("Cannot delete %s at Google: %s", deletion->name, error->message);
  cleanup->self->n_deleting--;
  if (--cleanup->pending == 0)
    cleanup_finish (cleanup);
  g_free (deletion->name);
  g_free (deletion);
}

/* Every upload (the JSONL, the photos over the inline limit) of a batch
 * Google is done with: a batch whose results are stored, or that was
 * cancelled, expired, failed or given up. Files left after a crash are
 * deleted at the next start; one that cannot be deleted is tried again
 * by the next process until Google has deleted it itself
 * (LW_ECONOMY_FILE_TTL_MS). */
static void
clean_files (LwEconomy *self)
{
  g_autoptr(GPtrArray) spent = NULL;
  gint64 now;

  if (!self->started)
    return;
  now = lw_clock_now_ms (self->clock);
  spent = lw_store_list_spent_batches (self->store, self->scope, NULL);
  for (guint i = 0; spent != NULL && i < spent->len; i++)
    {
      LwBatchRecord *batch = g_ptr_array_index (spent, i);
      LwGeminiBatch *client = client_for (self, batch->model);
      g_auto(GStrv) files = NULL;
      Cleanup *cleanup;

      if (client == NULL || g_hash_table_contains (self->cleaning, &batch->id))
        continue;
      g_hash_table_add (self->cleaning, g_memdup2 (&batch->id, sizeof (gint64)));
      files = g_strsplit (batch->files, " ", -1);
      cleanup = g_new0 (Cleanup, 1);
      cleanup->self = g_object_ref (self);
      cleanup->batch_id = batch->id;
      cleanup->past_ttl = now - MAX (batch->created_at, MAX (batch->submitted_at, batch->polled_at))
                          > LW_ECONOMY_FILE_TTL_MS;
      cleanup->left = g_ptr_array_new_with_free_func (g_free);
      for (guint k = 0; files[k] != NULL; k++)
        if (*files[k] != '\0')
          g_ptr_array_add (cleanup->left, g_strdup (files[k]));
      if (cleanup->left->len == 0)
        {
          cleanup_finish (cleanup);
          continue;
        }
      cleanup->pending = cleanup->left->len;
      for (guint k = 0; k < cleanup->left->len; k++)
        {
          Deletion *deletion = g_new0 (Deletion, 1);

          deletion->cleanup = cleanup;
          deletion->name = g_strdup (g_ptr_array_index (cleanup->left, k));
          self->n_deleting++;
          /* Not the step's cancellable: a stop waits for these instead
           * (wait_for_cancels), as a cancel must reach Google too. */
          lw_gemini_batch_delete_file_async (client, deletion->name, NULL, file_deleted_cb, deletion);
        }
    }
}

/* ---- a batch whose sender died: found again at Google, or given up ------ */

static void
found_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Step *step = data;
  LwEconomy *self = step->self;
  g_autoptr(LwGeminiBatchStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = lw_clock_now_ms (self->clock);

  status = lw_gemini_batch_find_finish (LW_GEMINI_BATCH (source), result, &error);
  if (error != NULL)
    {
      /* Not known whether Google has it: ask again later, never send its
       * photos again meanwhile. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Cannot look for batch %" G_GINT64_FORMAT " at Google: %s", step->batch->id, error->message);
          self->lookup_after = now + self->poll_min_ms;
        }
    }
  else if (status == NULL)
    /* Never created: its photos go back to the queue. */
    release_batch (self, step->batch, "abandoned", NULL);
  else
    {
      /* Created, and only its name was lost: it is ours, polled as any. */
      g_autofree char *files = files_with (step->batch->files, status->input_file);

      /* The uploads its sender wrote down, and the JSONL Google names. */
      if (!lw_store_batch_submitted (self->store, step->batch->id, status->name, files, now, &error))
        g_warning ("Cannot record batch %s: %s", status->name, error->message);
      g_free (step->batch->name);
      step->batch->name = g_strdup (status->name);
      emit_batch (self, step->batch->job_id);
      if (!job_runs (self, step->batch->job_id))
        cancel_batch (self, step->batch);
    }
  step_done (self);
  step_free (step);
}

static void
find_lost (LwEconomy *self, LwGeminiBatch *client, LwBatchRecord *batch)
{
  g_autofree char *display_name = display_name_of (batch);
  Step *step = step_new (self, batch, NULL);

  lw_gemini_batch_find_async (client, display_name, self->cancellable, found_cb, step);
}

/* ---- one step at a time ------------------------------------------------- */

/* Whether the process sending batch is gone: dead on this host, or, on
 * another, silent for longer than a send can take (three requests at the
 * longest time-out, 300 s each, and then some). Another live process's
 * batch (the window's while lightwork-cli runs) is left alone. */
static gboolean
sender_is_gone (LwEconomy *self, const LwBatchRecord *batch, gint64 now)
{
  if (batch->runner == NULL || g_strcmp0 (batch->runner, self->owner) == 0)
    return TRUE;
  return lw_owner_is_dead (batch->runner, NULL) || now - batch->created_at > LW_ECONOMY_SEND_GRACE_MS;
}

/* An open batch that needs something now: TRUE when a step started. Sets
 * *wake to the earliest poll due later. */
static gboolean
tend_batches (LwEconomy *self, gint64 now, gint64 *wake)
{
  g_autoptr(GPtrArray) batches = lw_store_list_open_batches (self->store, self->scope, NULL);

  for (guint i = 0; batches != NULL && i < batches->len; i++)
    {
      LwBatchRecord *batch = g_ptr_array_index (batches, i);
      LwGeminiBatch *client = client_for (self, batch->model);
      g_autoptr(GPtrArray) left = NULL;

      if (g_str_equal (batch->state, "submitting"))
        {
          /* Taken, and its sender died while sending: perhaps after
           * Google created it. Looked for by its displayName before its
           * photos go back to the queue, so it is never paid twice. */
          if (batch->id == self->submitting || !sender_is_gone (self, batch, now))
            continue;
          if (client == NULL || now < self->lookup_after)
            {
              *wake = MIN (*wake, MAX (self->lookup_after, now + self->poll_min_ms));
              continue;
            }
          find_lost (self, client, g_ptr_array_steal_index (batches, i));
          return TRUE;
        }
      /* A job stopped without a cancel of its batches (the window holds a
       * job whose process died, lw_jobs_hold_interrupted): they wait at
       * Google until it is launched again. */
      if (!job_runs (self, batch->job_id))
        continue;
      if (g_str_equal (batch->state, "succeeded"))
        {
          /* Its results stored (by this process or one before it): done
           * when none of its photos is left. */
          left = lw_store_batch_images (self->store, batch->id, NULL);
          if (left != NULL && left->len == 0)
            {
              set_state (self, batch, "done", NULL, 0);
              continue;
            }
          if (g_hash_table_contains (self->downloaded, &batch->id))
            {
              *wake = MIN (*wake, now + self->poll_min_ms);
              continue;
            }
        }
      if (client == NULL)
        {
          *wake = MIN (*wake, now + self->poll_min_ms);
          continue;
        }
      if (batch->next_poll_at > now && !g_str_equal (batch->state, "succeeded"))
        {
          *wake = MIN (*wake, batch->next_poll_at);
          continue;
        }
      poll (self, client, g_ptr_array_steal_index (batches, i));
      return TRUE;
    }
  return FALSE;
}

static void
run_step (LwEconomy *self)
{
  gint64 now, wake;

  if (!self->started || self->busy)
    return;
  now = lw_clock_now_ms (self->clock);
  wake = G_MAXINT64;
  lw_clock_clear_timer (self->clock, &self->timer);
  clean_files (self);
  if (tend_batches (self, now, &wake) || submit_next (self, now))
    return;
  if (self->hold_until > now)
    wake = MIN (wake, self->hold_until);
  {
    g_autoptr(GArray) jobs = lw_store_list_economy_jobs (self->store, self->scope, NULL);

    /* A launched economy job (its engine perhaps not made yet): look again. */
    if (jobs != NULL && jobs->len > 0)
      wake = MIN (wake, now + self->poll_min_ms);
  }
  if (wake < G_MAXINT64)
    self->timer = lw_clock_add_timer (self->clock, MAX (wake - now, 1), timer_cb, self, NULL);
}

/* ---- lifecycle ---------------------------------------------------------- */

static gint64
env_int (const char *name, gint64 fallback, gint64 min, gint64 max)
{
  const char *text = g_getenv (name);
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, min, max, &value, NULL))
    return fallback;
  return value;
}

void
lw_economy_set_scope (LwEconomy *self, gint64 job_id)
{
  g_return_if_fail (LW_IS_ECONOMY (self));
  self->scope = job_id;
}

void
lw_economy_start (LwEconomy *self)
{
  g_return_if_fail (LW_IS_ECONOMY (self));
  if (self->started)
    return;
  self->started = TRUE;
  lw_economy_poke (self);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* A cancel the user asked for must reach Google even when the process
 * exits right after stop (lightwork-cli interrupted): up to 10 s, the
 * longest a cancel is worth waiting for at exit. */
static void
wait_for_cancels (LwEconomy *self)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint wake;

  if (self->n_cancelling == 0 && self->n_deleting == 0)
    return;
  wake = g_timeout_add (50, wake_cb, NULL);
  while ((self->n_cancelling > 0 || self->n_deleting > 0) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

void
lw_economy_stop (LwEconomy *self)
{
  g_return_if_fail (LW_IS_ECONOMY (self));
  if (!self->started)
    return;
  self->started = FALSE;
  self->lookup_after = 0;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->idle, g_source_remove);
  lw_clock_clear_timer (self->clock, &self->timer);
  wait_for_cancels (self);
}

gboolean
lw_economy_is_busy (LwEconomy *self)
{
  g_autoptr(GPtrArray) open = NULL;

  g_return_val_if_fail (LW_IS_ECONOMY (self), FALSE);
  if (self->busy || self->n_deleting > 0)
    return TRUE;
  open = lw_store_list_open_batches (self->store, self->scope, NULL);
  return open != NULL && open->len > 0;
}

guint64
lw_economy_get_n_steps (LwEconomy *self)
{
  g_return_val_if_fail (LW_IS_ECONOMY (self), 0);
  return self->n_steps;
}

static void
lw_economy_dispose (GObject *object)
{
  LwEconomy *self = LW_ECONOMY (object);

  if (self->scheduler != NULL)
    {
      lw_economy_stop (self);
      g_clear_signal_handler (&self->job_handler, self->scheduler);
    }
  g_clear_object (&self->cancellable);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->owner, g_free);
  g_clear_pointer (&self->clients, g_hash_table_unref);
  g_clear_pointer (&self->downloaded, g_hash_table_unref);
  g_clear_pointer (&self->cleaning, g_hash_table_unref);
  g_clear_pointer (&self->uploaded, g_free);
  G_OBJECT_CLASS (lw_economy_parent_class)->dispose (object);
}

static void
lw_economy_class_init (LwEconomyClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lw_economy_dispose;
  signals[SIGNAL_BATCH_CHANGED] =
    g_signal_new ("batch-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
lw_economy_init (LwEconomy *self)
{
  self->clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->downloaded = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cleaning = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

LwEconomy *
lw_economy_new (LwStore *store, LwScheduler *scheduler, LwClock *clock, const char *owner)
{
  LwEconomy *self = g_object_new (LW_TYPE_ECONOMY, NULL);

  self->owner = g_strdup (owner);
  self->store = g_object_ref (store);
  self->scheduler = g_object_ref (scheduler);
  self->clock = g_object_ref (clock);
  self->poll_min_ms = env_int (LW_ECONOMY_ENV_POLL_MS, LW_ECONOMY_POLL_MIN_MS, 1, G_MAXINT);
  self->poll_max_ms = g_getenv (LW_ECONOMY_ENV_POLL_MS) != NULL ? self->poll_min_ms * 4 : LW_ECONOMY_POLL_MAX_MS;
  self->batch_size = (int) env_int (LW_ECONOMY_ENV_BATCH_SIZE, LW_ECONOMY_BATCH_SIZE, 1, 100000);
  self->job_handler = g_signal_connect (scheduler, "job-changed", G_CALLBACK (job_changed_cb), self);
  return self;
}

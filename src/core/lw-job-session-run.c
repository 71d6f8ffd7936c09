/* lw-job-session-run.c — LwJobSession: acting on the job's photos.
 *
 * Instructions for staged photos, removal with its undo, running (launch,
 * cancel, retry, pauses, cost) and saving the results in a worker thread.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-job-session-private.h"
#include "lw-models.h"
#include "lw-thread.h"

/* ---- instructions ------------------------------------------------------- */

static GArray *
staged_ids (GPtrArray *items,
            gboolean (*pred) (LwImageItem *item))
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      LwImageItem *item = g_ptr_array_index (items, i);
      gint64 id = lw_image_item_get_id (item);

      if (lw_image_item_get_phase (item) == LW_IMAGE_ITEM_STAGED && id > 0 && (pred == NULL || pred (item)))
        g_array_append_val (ids, id);
    }
  return ids;
}

gboolean
lw_job_session_set_instruction (LwJobSession  *self,
                                GPtrArray     *items,
                                const char    *instruction,
                                GError       **error)
{
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!lw_job_session_require_job (self, error))
    return FALSE;
  ids = staged_ids (items, NULL);
  if (ids->len == 0)
    return TRUE;
  if (!lw_jobs_set_instruction (self->jobs, self->job->id, (const gint64 *) (gpointer) ids->data, ids->len,
                                instruction, NULL, error))
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      LwImageItem *item = g_ptr_array_index (items, i);

      if (lw_image_item_get_phase (item) == LW_IMAGE_ITEM_STAGED)
        lw_image_item_set_specific_prompt (item, instruction != NULL && *instruction != '\0' ? instruction : NULL);
    }
  return TRUE;
}

/* ---- removal with undo -------------------------------------------------- */

static gboolean
is_removable (LwImageItem *item)
{
  return lw_image_item_get_phase (item) != LW_IMAGE_ITEM_STAGING
         && lw_image_item_get_status (item) != LW_IMAGE_PROCESSING;
}

guint
lw_job_session_remove (LwJobSession *self,
                       GPtrArray    *items)
{
  guint n = 0;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), 0);

  /* One undo at a time: the previous removal becomes final. */
  lw_job_session_commit_removals (self);
  lw_job_session_flush (self);
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      LwImageItem *item = g_ptr_array_index (items, i);
      guint position;

      if (!is_removable (item) || !g_list_store_find (self->items, item, &position))
        continue;
      g_object_set_data (G_OBJECT (item), "lw-index", GUINT_TO_POINTER (position));
      g_ptr_array_add (self->pending_removal, g_object_ref (item));
      g_list_store_remove (self->items, position);
      n++;
    }
  if (n > 0)
    lw_job_session_emit_changed_now (self);
  return n;
}

void
lw_job_session_undo_remove (LwJobSession *self)
{
  g_return_if_fail (LW_IS_JOB_SESSION (self));

  if (self->pending_removal->len == 0)
    return;
  /* Each index was taken after the removals before it: putting them back
   * last first restores every one where it was (in position order, the
   * second of two neighbours came back one place early). */
  for (guint i = self->pending_removal->len; i-- > 0;)
    {
      LwImageItem *item = g_ptr_array_index (self->pending_removal, i);
      guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (item), "lw-index"));
      guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->items));

      g_list_store_insert (self->items, MIN (index, n_items), item);
    }
  g_ptr_array_set_size (self->pending_removal, 0);
  lw_job_session_emit_changed_now (self);
}

void
lw_job_session_commit_removals (LwJobSession *self)
{
  g_autoptr(GPtrArray) removal = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LW_IS_JOB_SESSION (self));

  if (self->pending_removal == NULL || self->pending_removal->len == 0 || self->job == NULL)
    return;
  removal = g_steal_pointer (&self->pending_removal);
  self->pending_removal = g_ptr_array_new_with_free_func (g_object_unref);
  ids = staged_ids (removal, is_removable);
  /* A photo the running job claimed during the undo time is in flight:
   * the service refuses the batch (BUSY), so the others go without it and
   * it comes back to the list. */
  if (ids->len > 0
      && !lw_jobs_remove_images (self->jobs, self->job->id, (const gint64 *) (gpointer) ids->data, ids->len,
                                 &error))
    {
      if (!g_error_matches (error, LW_JOBS_ERROR, LW_JOBS_ERROR_BUSY))
        g_warning ("Could not remove photos: %s", error->message);
      else
        for (guint i = 0; i < ids->len; i++)
          {
            gint64 id = g_array_index (ids, gint64, i);

            g_clear_error (&error);
            if (!lw_jobs_remove_images (self->jobs, self->job->id, &id, 1, &error)
                && g_error_matches (error, LW_JOBS_ERROR, LW_JOBS_ERROR_BUSY))
              {
                LwImageItem *item = lw_job_session_find_item (self, id);

                if (item != NULL)
                  g_list_store_append (self->items, item);
                g_array_index (ids, gint64, i) = 0;
              }
          }
    }
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      if (id > 0)
        g_hash_table_remove (self->items_by_id, &id);
    }
  lw_job_session_queue_jobs_changed (self);
  lw_job_session_queue_changed (self);
}

guint
lw_job_session_get_n_pending_removal (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), 0);

  return self->pending_removal->len;
}

/* ---- running ------------------------------------------------------------ */

gboolean
lw_job_session_launch (LwJobSession  *self,
                       GError       **error)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!lw_job_session_require_job (self, error))
    return FALSE;
  /* Photos removed under undo must not be sent. */
  lw_job_session_commit_removals (self);
  if (!lw_jobs_launch (self->jobs, self->job->id, error))
    return FALSE;
  g_array_set_size (self->finish_times, 0);
  lw_job_session_reload_job (self);
  lw_job_session_emit_changed_now (self);
  return TRUE;
}

gboolean
lw_job_session_cancel (LwJobSession  *self,
                       GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!lw_job_session_require_job (self, error))
    return FALSE;
  ok = lw_jobs_cancel (self->jobs, self->job->id, error);
  lw_job_session_reload_job (self);
  lw_job_session_emit_changed_now (self);
  return ok;
}

guint
lw_job_session_stop_now (LwJobSession *self)
{
  guint n;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), 0);
  if (lw_job_session_get_job_id (self) <= 0)
    return 0;
  n = lw_jobs_stop_now (self->jobs, lw_job_session_get_job_id (self));
  lw_job_session_reload_job (self);
  lw_job_session_emit_changed_now (self);
  return n;
}

/* Rows of the items again (the service's "image-changed" may be later). */
static void
reload_items (LwJobSession *self,
              GArray       *ids)
{
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      LwImageItem *item = lw_job_session_find_item (self, id);
      g_autoptr(LwImage) image = item != NULL ? lw_jobs_get_image (self->jobs, id, NULL) : NULL;

      if (image != NULL)
        lw_image_item_update (item, image);
    }
}

static gboolean
is_finished (LwImageItem *item)
{
  LwImageStatus status = lw_image_item_get_status (item);

  return status == LW_IMAGE_COMPLETED || status == LW_IMAGE_FAILED || status == LW_IMAGE_RETRY_LATER;
}

/* Finished items back to the queue through the service: redo (with an
 * instruction, always a new take) or retry; then the items and the job
 * follow. */
static int
queue_again (LwJobSession *self,
             GPtrArray    *items,
             gboolean      redo,
             const char   *instruction,
             gboolean      new_take,
             GError      **error)
{
  g_autoptr(GArray) ids = NULL;
  const gint64 *data;
  int n;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), -1);

  if (!lw_job_session_require_job (self, error))
    return -1;
  ids = staged_ids (items, is_finished);
  if (ids->len == 0)
    return 0;
  data = (const gint64 *) (gpointer) ids->data;
  n = redo ? lw_jobs_redo (self->jobs, self->job->id, data, ids->len, instruction, error)
           : lw_jobs_retry (self->jobs, self->job->id, data, ids->len, new_take, error);
  if (n < 0)
    return -1;
  reload_items (self, ids);
  if (n > 0)
    g_array_set_size (self->finish_times, 0);
  lw_job_session_reload_job (self);
  lw_job_session_emit_changed_now (self);
  return n;
}

int
lw_job_session_retry (LwJobSession  *self,
                      GPtrArray     *items,
                      gboolean       new_take,
                      GError       **error)
{
  return queue_again (self, items, FALSE, NULL, new_take, error);
}

int
lw_job_session_retry_failed (LwJobSession  *self,
                             GError       **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gpointer value;
  int n;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), -1);

  if (!lw_job_session_require_job (self, error))
    return -1;
  g_hash_table_iter_init (&iter, self->items_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (lw_image_item_get_status (value) == LW_IMAGE_FAILED)
      {
        gint64 id = lw_image_item_get_id (value);

        g_array_append_val (ids, id);
      }
  n = lw_jobs_retry_failed (self->jobs, self->job->id, error);
  if (n < 0)
    return -1;
  reload_items (self, ids);
  lw_job_session_reload_job (self);
  lw_job_session_emit_changed_now (self);
  return n;
}

/* ---- review (docs/ARCHITECTURE.md, "Review") ---------------------------- */

static gboolean
is_reviewable (LwImageItem *item)
{
  return lw_image_item_get_status (item) == LW_IMAGE_COMPLETED;
}

int
lw_job_session_set_review (LwJobSession  *self,
                           GPtrArray     *items,
                           LwReview       review,
                           GError       **error)
{
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), -1);

  if (!lw_job_session_require_job (self, error))
    return -1;
  ids = staged_ids (items, is_reviewable);
  if (ids->len == 0)
    return 0;
  if (!lw_jobs_set_review (self->jobs, self->job->id, (const gint64 *) (gpointer) ids->data, ids->len, review,
                           error))
    return -1;
  /* At once, not at the service's "image-changed": the tile's mark and the
   * filter follow the key press in the same frame. */
  for (guint i = 0; i < ids->len; i++)
    {
      LwImageItem *item = lw_job_session_find_item (self, g_array_index (ids, gint64, i));

      if (item != NULL)
        lw_image_item_set_review (item, review);
    }
  lw_job_session_emit_changed_now (self);
  return (int) ids->len;
}

int
lw_job_session_redo (LwJobSession  *self,
                     GPtrArray     *items,
                     const char    *instruction,
                     GError       **error)
{
  return queue_again (self, items, TRUE, instruction, TRUE, error);
}

static gboolean
is_open (LwImageItem *item)
{
  LwImageStatus status = lw_image_item_get_status (item);

  return status == LW_IMAGE_PENDING || status == LW_IMAGE_RETRY_LATER;
}

gboolean
lw_job_session_launch_trial (LwJobSession  *self,
                             GPtrArray     *items,
                             GError       **error)
{
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!lw_job_session_require_job (self, error))
    return FALSE;
  lw_job_session_commit_removals (self);
  /* The chosen photos that still wait; none chosen: the service takes the
   * first LW_TRIAL_SIZE open ones. */
  ids = staged_ids (items, is_open);
  if (items != NULL && items->len > 0 && ids->len == 0)
    {
      g_set_error_literal (error, LW_JOBS_ERROR, LW_JOBS_ERROR_EMPTY, _("The selected photos are done already"));
      return FALSE;
    }
  if (!lw_jobs_launch_trial (self->jobs, self->job->id, (const gint64 *) (gpointer) ids->data, ids->len, error))
    return FALSE;
  g_array_set_size (self->finish_times, 0);
  lw_job_session_reload_job (self);
  lw_job_session_emit_changed_now (self);
  return TRUE;
}

gboolean
lw_job_session_get_projection (LwJobSession    *self,
                               LwJobProjection *projection,
                               GError         **error)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!lw_job_session_require_job (self, error))
    return FALSE;
  return lw_jobs_get_projection (self->jobs, self->job->id, projection, error);
}

gboolean
lw_job_session_get_paid (LwJobSession *self)
{
  const LwModelInfo *info;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  info = lw_models_find (lw_job_session_get_model (self));
  return info != NULL && info->paid;
}

const GError *
lw_job_session_get_pause (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), NULL);

  return self->pause;
}

void
lw_job_session_resume (LwJobSession *self)
{
  g_return_if_fail (LW_IS_JOB_SESSION (self));

  if (self->job != NULL)
    lw_jobs_resume (self->jobs, self->job->id);
  lw_job_session_set_pause (self, NULL);
  lw_job_session_queue_changed (self);
}

double
lw_job_session_get_spent (LwJobSession *self)
{
  LwJobProgress progress;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), -1);

  /* What a paid model cost so far, once something was sent. */
  if (self->job == NULL || self->job->launched_at == 0)
    return -1;
  {
    const LwModelInfo *info = lw_models_find (self->job->model);

    if (info != NULL && !info->paid)
      return -1;
  }
  if (!lw_jobs_get_progress (self->jobs, self->job->id, &progress, NULL))
    return -1;
  return progress.spent;
}

guint
lw_job_session_get_in_flight (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), 0);

  return lw_job_session_get_job_id (self) > 0 ? lw_jobs_get_in_flight (self->jobs, lw_job_session_get_job_id (self)) : 0;
}

/* ---- saving ------------------------------------------------------------- */

typedef struct {
  LwJobs   *jobs;
  gint64    job_id;
  char     *dir;
  LwExportSelection selection;
  GWeakRef  session;
  gint      done;    /* atomic */
  gint      total;   /* atomic */
  gint      idle;    /* atomic: a progress idle is queued */
  guint     n_written;
  guint     n_skipped;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->jobs);
  g_free (export->dir);
  g_weak_ref_clear (&export->session);
  g_free (export);
}

static gboolean
export_progress_idle (gpointer data)
{
  GTask *task = data;
  Export *export = g_task_get_task_data (task);
  g_autoptr(LwJobSession) self = g_weak_ref_get (&export->session);

  g_atomic_int_set (&export->idle, 0);
  if (self != NULL && self->exporting)
    g_signal_emit (self, lw_job_session_signals[SIGNAL_EXPORT_PROGRESS], 0, (guint) g_atomic_int_get (&export->done),
                   (guint) g_atomic_int_get (&export->total));
  return G_SOURCE_REMOVE;
}

static void
export_progress_cb (guint    done,
                    guint    total,
                    gpointer user_data)
{
  GTask *task = user_data;
  Export *export = g_task_get_task_data (task);

  g_atomic_int_set (&export->done, (gint) done);
  g_atomic_int_set (&export->total, (gint) total);
  if (g_atomic_int_compare_and_exchange (&export->idle, 0, 1))
    g_idle_add_full (G_PRIORITY_DEFAULT, export_progress_idle, g_object_ref (task), g_object_unref);
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Export *export = task_data;
  GError *error = NULL;

  if (!lw_jobs_export_full (export->jobs, export->job_id, export->dir, NULL, export->selection, export_progress_cb,
                            task, &export->n_written, &export->n_skipped, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LwJobSession *self = LW_JOB_SESSION (source);
  GTask *outer = user_data;

  self->exporting = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), lw_job_session_properties[PROP_EXPORTING]);
  g_task_set_task_data (outer, g_object_ref (result), g_object_unref);
  g_task_return_boolean (outer, TRUE);
  g_object_unref (outer);
}

void
lw_job_session_export_async (LwJobSession        *self,
                             const char          *dir,
                             LwExportSelection    selection,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GCancellable) both = NULL;
  Export *export;

  g_return_if_fail (LW_IS_JOB_SESSION (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, lw_job_session_export_async);
  if (self->job == NULL || self->exporting)
    {
      g_task_return_new_error (outer, LW_JOBS_ERROR, self->job == NULL ? LW_JOBS_ERROR_NOT_FOUND : LW_JOBS_ERROR_BUSY,
                               self->job == NULL ? _("No job is open") : _("The results are being saved already"));
      return;
    }
  export = g_new0 (Export, 1);
  export->jobs = g_object_ref (self->jobs);
  export->job_id = self->job->id;
  export->dir = g_strdup (dir);
  export->selection = selection;
  g_weak_ref_init (&export->session, self);
  self->exporting = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), lw_job_session_properties[PROP_EXPORTING]);

  /* The session's own cancellable stops it at dispose as well. */
  task = g_task_new (self, cancellable != NULL ? cancellable : self->cancellable, export_done_cb,
                     g_steal_pointer (&outer));
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  g_task_set_source_tag (task, lw_job_session_export_async);
  lw_task_run_in_thread (task, export_thread);
}

gboolean
lw_job_session_export_finish (LwJobSession  *self,
                              GAsyncResult  *result,
                              guint         *n_written,
                              GError       **error)
{
  return lw_job_session_export_finish_full (self, result, n_written, NULL, error);
}

gboolean
lw_job_session_export_finish_full (LwJobSession  *self,
                                   GAsyncResult  *result,
                                   guint         *n_written,
                                   guint         *n_skipped,
                                   GError       **error)
{
  GTask *inner;
  Export *export;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  inner = g_task_get_task_data (G_TASK (result));
  export = g_task_get_task_data (inner);
  if (n_written != NULL)
    *n_written = export->n_written;
  if (n_skipped != NULL)
    *n_skipped = export->n_skipped;
  return g_task_propagate_boolean (inner, error);
}

gboolean
lw_job_session_get_exporting (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  return self->exporting;
}

/* lw-job-session.c — the open job of a window: its items, counts, undo.
 *
 * Every rule is the jobs service's; this keeps a GListModel of LwImageItem
 * in step with its signals, loads a job's rows and stages files in worker
 * threads with their own database connection, so a 5,000-photo job never
 * holds the main loop.
 *
 * This file holds the GObject (properties, signals), the notifications, the
 * service's signals, loading a job and the job itself; the list of items is
 * in lw-job-session-items.c, staging in lw-job-session-stage.c, running,
 * removal and saving in lw-job-session-run.c (lw-job-session-private.h).
 */
#include "config.h"

#include "lw-job-session-private.h"
#include "lw-settings.h"
#include "lw-thread.h"

G_DEFINE_FINAL_TYPE (LwJobSession, lw_job_session, G_TYPE_OBJECT)

GParamSpec *lw_job_session_properties[N_PROPS];
guint lw_job_session_signals[N_SIGNALS];

/* Counting 5,000 items takes ~0.2 ms; "changed" at most every 100 ms keeps
 * a flood of queue signals from costing a window its frames. */
#define CHANGED_DELAY_MS 100

/* ---- notifications ------------------------------------------------------ */

static gboolean
changed_cb (gpointer data)
{
  LwJobSession *self = data;

  self->changed_id = 0;
  g_signal_emit (self, lw_job_session_signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

void
lw_job_session_queue_changed (LwJobSession *self)
{
  self->counts_dirty = TRUE;
  if (self->changed_id == 0)
    self->changed_id = g_timeout_add (CHANGED_DELAY_MS, changed_cb, self);
}

void
lw_job_session_emit_changed_now (LwJobSession *self)
{
  self->counts_dirty = TRUE;
  g_clear_handle_id (&self->changed_id, g_source_remove);
  g_signal_emit (self, lw_job_session_signals[SIGNAL_CHANGED], 0);
}

static gboolean
jobs_changed_cb (gpointer data)
{
  LwJobSession *self = data;

  self->jobs_changed_id = 0;
  g_signal_emit (self, lw_job_session_signals[SIGNAL_JOBS_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

void
lw_job_session_queue_jobs_changed (LwJobSession *self)
{
  if (self->jobs_changed_id == 0)
    self->jobs_changed_id = g_timeout_add (CHANGED_DELAY_MS, jobs_changed_cb, self);
}

static gboolean
job_running (LwJobSession *self)
{
  return self->job != NULL && self->job->status == LW_JOB_PROCESSING;
}

static void
set_job (LwJobSession *self,
         LwJob        *job /* taken */)
{
  gboolean was_running = job_running (self);
  gint64 old_id = lw_job_session_get_job_id (self);

  g_clear_pointer (&self->job, lw_job_free);
  self->job = job;
  if (job != NULL)
    {
      g_free (self->module_id);
      self->module_id = g_strdup (job->module_id);
    }
  if (old_id != lw_job_session_get_job_id (self))
    g_object_notify_by_pspec (G_OBJECT (self), lw_job_session_properties[PROP_JOB_ID]);
  if (was_running != job_running (self))
    g_object_notify_by_pspec (G_OBJECT (self), lw_job_session_properties[PROP_RUNNING]);
}

void
lw_job_session_set_pause (LwJobSession *self,
                          const GError *pause)
{
  gboolean was = self->pause != NULL;

  g_clear_error (&self->pause);
  if (pause != NULL)
    self->pause = g_error_copy (pause);
  if (was || pause != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), lw_job_session_properties[PROP_PAUSED]);
}

void
lw_job_session_set_busy (LwJobSession *self,
                         gboolean      loading,
                         int           ingests_delta)
{
  gboolean was = lw_job_session_get_busy (self);

  self->loading = loading;
  self->n_ingests = (guint) ((int) self->n_ingests + ingests_delta);
  if (was != lw_job_session_get_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), lw_job_session_properties[PROP_BUSY]);
}

/* Reads the shown job's row again (name, module, model, prompt, status). */
void
lw_job_session_reload_job (LwJobSession *self)
{
  LwJob *job;

  if (self->job == NULL)
    return;
  job = lw_jobs_get (self->jobs, self->job->id, NULL);
  if (job != NULL)
    set_job (self, job);
}

/* ---- the service's signals ---------------------------------------------- */

static void
image_changed_cb (LwJobs       *jobs,
                  gint64        job_id,
                  gint64        image_id,
                  int           status,
                  LwJobSession *self)
{
  LwImageItem *item;

  lw_job_session_queue_jobs_changed (self);
  if (job_id != lw_job_session_get_job_id (self) || job_id == 0)
    return;
  item = lw_job_session_find_item (self, image_id);
  if (item == NULL)
    return;
  if (status == LW_IMAGE_PROCESSING)
    lw_image_item_set_status (item, LW_IMAGE_PROCESSING);
  else
    {
      /* One row by primary key: microseconds, and it carries the result's
       * key, the reason of a failure, the next retry time. */
      g_autoptr(LwImage) image = lw_jobs_get_image (self->jobs, image_id, NULL);

      if (image != NULL)
        lw_image_item_update (item, image);
      else
        lw_image_item_set_status (item, (LwImageStatus) status);
      if (status == LW_IMAGE_COMPLETED || status == LW_IMAGE_FAILED)
        lw_job_session_note_finish (self);
    }
  lw_job_session_queue_changed (self);
}

static void
job_changed_cb (LwJobs       *jobs,
                gint64        job_id,
                int           status,
                LwJobSession *self)
{
  lw_job_session_queue_jobs_changed (self);
  if (self->job == NULL || job_id != self->job->id)
    return;
  if (status < 0)
    {
      /* Deleted (by another window, by lightwork-cli through the service). */
      lw_job_session_new_job (self);
      return;
    }
  {
    LwJobStatus old = self->job->status;
    LwJobCounts counts;

    lw_job_session_reload_job (self);
    self->job->status = (LwJobStatus) status;
    if (old == LW_JOB_PROCESSING && status == LW_JOB_COMPLETED)
      {
        lw_job_session_get_counts (self, &counts, NULL);
        lw_job_session_emit_changed_now (self);
        g_signal_emit (self, lw_job_session_signals[SIGNAL_JOB_FINISHED], 0, counts.failed > 0);
      }
    else
      lw_job_session_queue_changed (self);
  }
}

static void
job_paused_cb (LwJobs       *jobs,
               gint64        job_id,
               const char   *model,
               const GError *reason,
               LwJobSession *self)
{
  lw_job_session_queue_jobs_changed (self);
  /* Only the shown job's pauses: another job's model is not this one's. */
  if (job_id != 0 && job_id == lw_job_session_get_job_id (self))
    lw_job_session_set_pause (self, reason);
}

static void
job_resumed_cb (LwJobs       *jobs,
                gint64        job_id,
                const char   *model,
                LwJobSession *self)
{
  lw_job_session_queue_jobs_changed (self);
  if (job_id != 0 && job_id == lw_job_session_get_job_id (self))
    lw_job_session_set_pause (self, NULL);
}

static void
trial_finished_cb (LwJobs       *jobs,
                   gint64        job_id,
                   LwJobSession *self)
{
  if (job_id == 0 || job_id != lw_job_session_get_job_id (self))
    return;
  lw_job_session_reload_job (self);
  lw_job_session_emit_changed_now (self);
  g_signal_emit (self, lw_job_session_signals[SIGNAL_TRIAL_FINISHED], 0);
}

/* ---- loading a job ------------------------------------------------------ */

typedef struct {
  LwJobs    *jobs;
  gint64     job_id;
  guint      serial;
  GPtrArray *images;
  GPtrArray *rejections;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->jobs);
  g_clear_pointer (&data->images, g_ptr_array_unref);
  g_clear_pointer (&data->rejections, g_ptr_array_unref);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  GError *error = NULL;

  /* Listing 5,000 rows takes tens of ms: a frame or more. */
  if (!lw_jobs_load (data->jobs, data->job_id, &data->images, &data->rejections, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LwJobSession *self = LW_JOB_SESSION (source);
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) new_items = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (data->serial == self->load_serial)
        lw_job_session_set_busy (self, FALSE, 0);
      g_signal_emit (self, lw_job_session_signals[SIGNAL_ERROR], 0, error);
      return;
    }
  if (data->serial != self->load_serial)
    return;

  new_items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < data->images->len; i++)
    {
      const LwImage *image = g_ptr_array_index (data->images, i);
      LwImageItem *item;

      /* Staged meanwhile (a drop right after opening): it has its item. */
      if (lw_job_session_find_item (self, image->id) != NULL)
        continue;
      item = lw_image_item_new_from_image (image);
      g_ptr_array_add (new_items, item);
      lw_job_session_index_item (self, item);
    }
  for (guint i = 0; data->rejections != NULL && i < data->rejections->len; i++)
    {
      const LwRejection *rejection = g_ptr_array_index (data->rejections, i);
      LwImageItem *item = lw_image_item_new_staging (rejection->path);

      lw_image_item_set_fresh (item, FALSE);
      lw_image_item_set_rejected (item, rejection->reason);
      g_ptr_array_add (new_items, item);
    }
  lw_job_session_append_items (self, new_items);
  lw_job_session_set_busy (self, FALSE, 0);
  lw_job_session_emit_changed_now (self);
}

/* Shows job (taken; NULL = none yet), loading its rows in a worker
 * unless it has none (made just now). */
static void
show_job (LwJobSession *self,
          LwJob        *job,
          gboolean      load)
{
  lw_job_session_commit_removals (self);
  self->load_serial++;
  g_hash_table_remove_all (self->items_by_id);
  g_hash_table_remove_all (self->items_by_path);
  g_ptr_array_set_size (self->incoming, 0);
  g_list_store_remove_all (self->items);
  g_array_set_size (self->finish_times, 0);
  set_job (self, job);
  lw_job_session_set_pause (self, job != NULL ? lw_jobs_get_pause (self->jobs, job->id) : NULL);

  if (job != NULL && load)
    {
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, load_done_cb, NULL);
      LoadData *data = g_new0 (LoadData, 1);

      data->jobs = g_object_ref (self->jobs);
      data->job_id = job->id;
      data->serial = self->load_serial;
      g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
      g_task_set_source_tag (task, lw_job_session_show_job);
      lw_job_session_set_busy (self, TRUE, 0);
      lw_task_run_in_thread (task, load_thread);
    }
  else
    lw_job_session_set_busy (self, FALSE, 0);
  if (job != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* So the next start reopens it. */
      if (!lw_settings_set_int (lw_jobs_get_store (self->jobs), LW_SETTING_LAST_JOB, job->id, &error))
        g_warning ("Could not remember the job: %s", error->message);
    }
  lw_job_session_queue_jobs_changed (self);
  lw_job_session_emit_changed_now (self);
}

void
lw_job_session_show_job (LwJobSession *self,
                         LwJob        *job)
{
  show_job (self, job, TRUE);
}

gboolean
lw_job_session_open (LwJobSession  *self,
                     gint64         job_id,
                     GError       **error)
{
  LwJob *job;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  job = lw_jobs_get (self->jobs, job_id, error);
  if (job == NULL)
    return FALSE;
  lw_job_session_show_job (self, job);
  return TRUE;
}

gboolean
lw_job_session_restore (LwJobSession *self)
{
  gint64 last;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  last = lw_settings_get_int (lw_jobs_get_store (self->jobs), LW_SETTING_LAST_JOB);
  if (last <= 0)
    return FALSE;
  return lw_job_session_open (self, last, NULL);
}

void
lw_job_session_new_job (LwJobSession *self)
{
  g_return_if_fail (LW_IS_JOB_SESSION (self));

  lw_job_session_show_job (self, NULL);
  lw_settings_set (lw_jobs_get_store (self->jobs), LW_SETTING_LAST_JOB, NULL, NULL);
}

gboolean
lw_job_session_ensure_job (LwJobSession  *self,
                           GError       **error)
{
  LwJob *job;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (self->job != NULL)
    return TRUE;
  job = lw_jobs_create (self->jobs, NULL, self->module_id, self->model, NULL, error);
  if (job == NULL)
    return FALSE;
  /* Nothing to load, and a load would race the ingest that made the job:
   * the refusals of its walk (folder loops) are saved at once, and read
   * by a load that ran late they showed twice, as rows and as events. */
  show_job (self, job, FALSE);
  return TRUE;
}

/* ---- the job ------------------------------------------------------------ */

LwJobs *
lw_job_session_get_jobs (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), NULL);

  return self->jobs;
}

const LwJob *
lw_job_session_get_job (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), NULL);

  return self->job;
}

gint64
lw_job_session_get_job_id (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), 0);

  return self->job != NULL ? self->job->id : 0;
}

gboolean
lw_job_session_get_running (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  return job_running (self);
}

const char *
lw_job_session_get_module_id (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), NULL);

  return self->job != NULL ? self->job->module_id : self->module_id;
}

const char *
lw_job_session_get_model (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), NULL);

  return self->job != NULL ? self->job->model : self->model;
}

gboolean
lw_job_session_require_job (LwJobSession  *self,
                            GError       **error)
{
  if (self->job != NULL)
    return TRUE;
  g_set_error_literal (error, LW_JOBS_ERROR, LW_JOBS_ERROR_NOT_FOUND, "No job is open");
  return FALSE;
}

gboolean
lw_job_session_rename (LwJobSession  *self,
                       const char    *name,
                       GError       **error)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!lw_job_session_require_job (self, error) || !lw_jobs_rename (self->jobs, self->job->id, name, error))
    return FALSE;
  lw_job_session_reload_job (self);
  lw_job_session_queue_jobs_changed (self);
  lw_job_session_queue_changed (self);
  return TRUE;
}

gboolean
lw_job_session_select_module (LwJobSession  *self,
                              const char    *module_id,
                              GError       **error)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!lw_jobs_set_default_module (self->jobs, module_id, error))
    return FALSE;
  g_free (self->module_id);
  self->module_id = g_strdup (module_id);
  if (self->job != NULL && g_strcmp0 (self->job->module_id, module_id) != 0)
    {
      gboolean ok = lw_jobs_set_module (self->jobs, self->job->id, module_id, error);

      /* The default stays changed either way: the next job gets it. */
      lw_job_session_reload_job (self);
      if (self->job == NULL || !ok)
        {
          lw_job_session_queue_changed (self);
          return ok;
        }
      lw_job_session_queue_jobs_changed (self);
    }
  lw_job_session_queue_changed (self);
  return TRUE;
}

gboolean
lw_job_session_set_model (LwJobSession  *self,
                          const char    *model,
                          GError       **error)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!lw_jobs_set_default_model (self->jobs, model, error))
    return FALSE;
  g_free (self->model);
  self->model = g_strdup (model);
  if (self->job != NULL && g_strcmp0 (self->job->model, model) != 0)
    {
      gboolean ok = lw_jobs_set_model (self->jobs, self->job->id, model, error);

      lw_job_session_reload_job (self);
      /* Another model, another pause (or none). */
      if (self->job != NULL)
        lw_job_session_set_pause (self, lw_jobs_get_pause (self->jobs, self->job->id));
      lw_job_session_queue_changed (self);
      return ok;
    }
  lw_job_session_queue_changed (self);
  return TRUE;
}

gboolean
lw_job_session_set_prompt (LwJobSession  *self,
                           const char    *prompt,
                           GError       **error)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!lw_job_session_require_job (self, error) || !lw_jobs_set_prompt (self->jobs, self->job->id, prompt, error))
    return FALSE;
  lw_job_session_reload_job (self);
  return TRUE;
}

gboolean
lw_job_session_delete_job (LwJobSession  *self,
                           gint64         job_id,
                           GError       **error)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (job_id == lw_job_session_get_job_id (self))
    {
      /* Removals under undo go with the job. */
      g_ptr_array_set_size (self->pending_removal, 0);
    }
  if (!lw_jobs_delete (self->jobs, job_id, error))
    return FALSE;
  if (job_id == lw_job_session_get_job_id (self))
    lw_job_session_new_job (self);
  lw_job_session_queue_jobs_changed (self);
  return TRUE;
}

gboolean
lw_job_session_delete_module (LwJobSession  *self,
                              const char    *module_id,
                              GError       **error)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!lw_jobs_delete_module (self->jobs, module_id, error))
    return FALSE;
  /* Jobs keep their copy of its prompt; new jobs get the fallback. */
  g_free (self->module_id);
  self->module_id = self->job != NULL ? g_strdup (self->job->module_id)
                                      : lw_jobs_dup_default_module (self->jobs);
  lw_job_session_queue_changed (self);
  return TRUE;
}

/* ---- GObject ------------------------------------------------------------ */

static void
lw_job_session_constructed (GObject *object)
{
  LwJobSession *self = LW_JOB_SESSION (object);

  G_OBJECT_CLASS (lw_job_session_parent_class)->constructed (object);

  g_assert (self->jobs != NULL);
  self->module_id = lw_jobs_dup_default_module (self->jobs);
  self->model = lw_jobs_dup_default_model (self->jobs);
  self->handlers[0] = g_signal_connect (self->jobs, "image-changed", G_CALLBACK (image_changed_cb), self);
  self->handlers[1] = g_signal_connect (self->jobs, "job-changed", G_CALLBACK (job_changed_cb), self);
  self->handlers[2] = g_signal_connect (self->jobs, "job-paused", G_CALLBACK (job_paused_cb), self);
  self->handlers[3] = g_signal_connect (self->jobs, "job-resumed", G_CALLBACK (job_resumed_cb), self);
  self->trial_handler = g_signal_connect (self->jobs, "trial-finished", G_CALLBACK (trial_finished_cb), self);
}

static void
lw_job_session_dispose (GObject *object)
{
  LwJobSession *self = LW_JOB_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  if (self->jobs != NULL)
    {
      lw_job_session_commit_removals (self);
      for (guint i = 0; i < G_N_ELEMENTS (self->handlers); i++)
        g_clear_signal_handler (&self->handlers[i], self->jobs);
      g_clear_signal_handler (&self->trial_handler, self->jobs);
    }
  g_clear_handle_id (&self->changed_id, g_source_remove);
  g_clear_handle_id (&self->jobs_changed_id, g_source_remove);
  g_ptr_array_set_size (self->incoming, 0);
  g_hash_table_remove_all (self->items_by_id);
  g_hash_table_remove_all (self->items_by_path);
  g_clear_object (&self->jobs);

  G_OBJECT_CLASS (lw_job_session_parent_class)->dispose (object);
}

static void
lw_job_session_finalize (GObject *object)
{
  LwJobSession *self = LW_JOB_SESSION (object);

  g_clear_pointer (&self->job, lw_job_free);
  g_clear_error (&self->pause);
  g_free (self->module_id);
  g_free (self->model);
  g_clear_object (&self->items);
  g_clear_pointer (&self->incoming, g_ptr_array_unref);
  g_clear_pointer (&self->items_by_id, g_hash_table_unref);
  g_clear_pointer (&self->items_by_path, g_hash_table_unref);
  g_clear_pointer (&self->finish_times, g_array_unref);
  g_clear_pointer (&self->pending_removal, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lw_job_session_parent_class)->finalize (object);
}

static void
lw_job_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LwJobSession *self = LW_JOB_SESSION (object);

  switch (prop_id)
    {
    case PROP_JOBS: g_value_set_object (value, self->jobs); break;
    case PROP_JOB_ID: g_value_set_int64 (value, lw_job_session_get_job_id (self)); break;
    case PROP_RUNNING: g_value_set_boolean (value, job_running (self)); break;
    case PROP_BUSY: g_value_set_boolean (value, lw_job_session_get_busy (self)); break;
    case PROP_EXPORTING: g_value_set_boolean (value, self->exporting); break;
    case PROP_PAUSED: g_value_set_boolean (value, self->pause != NULL); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_job_session_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LwJobSession *self = LW_JOB_SESSION (object);

  switch (prop_id)
    {
    case PROP_JOBS: self->jobs = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_job_session_class_init (LwJobSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = lw_job_session_constructed;
  object_class->dispose = lw_job_session_dispose;
  object_class->finalize = lw_job_session_finalize;
  object_class->get_property = lw_job_session_get_property;
  object_class->set_property = lw_job_session_set_property;

  lw_job_session_properties[PROP_JOBS] =
    g_param_spec_object ("jobs", NULL, NULL, LW_TYPE_JOBS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  lw_job_session_properties[PROP_JOB_ID] = g_param_spec_int64 ("job-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  lw_job_session_properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  lw_job_session_properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  lw_job_session_properties[PROP_EXPORTING] = g_param_spec_boolean ("exporting", NULL, NULL, FALSE, ro);
  lw_job_session_properties[PROP_PAUSED] = g_param_spec_boolean ("paused", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, lw_job_session_properties);

  lw_job_session_signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  lw_job_session_signals[SIGNAL_JOBS_CHANGED] =
    g_signal_new ("jobs-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  lw_job_session_signals[SIGNAL_INCOMING] =
    g_signal_new ("incoming", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  lw_job_session_signals[SIGNAL_JOB_FINISHED] =
    g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  lw_job_session_signals[SIGNAL_STAGED] =
    g_signal_new ("staged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_ERROR);
  lw_job_session_signals[SIGNAL_EXPORT_PROGRESS] =
    g_signal_new ("export-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  lw_job_session_signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  lw_job_session_signals[SIGNAL_TRIAL_FINISHED] =
    g_signal_new ("trial-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
lw_job_session_init (LwJobSession *self)
{
  self->cancellable = g_cancellable_new ();
  self->items = g_list_store_new (LW_TYPE_IMAGE_ITEM);
  self->incoming = g_ptr_array_new_with_free_func (g_object_unref);
  self->items_by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->items_by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->finish_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->pending_removal = g_ptr_array_new_with_free_func (g_object_unref);
  self->counts_dirty = TRUE;
}

LwJobSession *
lw_job_session_new (LwJobs *jobs)
{
  g_return_val_if_fail (LW_IS_JOBS (jobs), NULL);

  return g_object_new (LW_TYPE_JOB_SESSION, "jobs", jobs, NULL);
}

/* lw-job-session.c — the open job of a window: its items, counts, undo.
 *
 * Every rule is the jobs service's; this keeps a GListModel of LwImageItem
 * in step with its signals, loads a job's rows and stages files in worker
 * threads with their own database connection, so a 5,000-photo job never
 * holds the main loop.
 */
#include "config.h"

#include "lw-job-session.h"
#include "lw-models.h"
#include "lw-settings.h"
#include "lw-thread.h"

struct _LwJobSession
{
  GObject         parent_instance;

  LwJobs         *jobs;
  gulong          handlers[4];
  LwJob          *job;              /* NULL: nothing staged yet */
  char           *module_id;        /* what a new job gets */
  char           *model;
  GError         *pause;            /* the pause holding the shown job */

  GListStore     *items;            /* LwImageItem, in position order */
  GPtrArray      *incoming;         /* LwImageItem on their way into items */
  gboolean        paced;
  GHashTable     *items_by_id;      /* gint64* → LwImageItem (unowned) */
  GHashTable     *items_by_path;    /* source path → LwImageItem, while staging */
  LwJobCounts     counts;
  int             rejected;
  gboolean        counts_dirty;
  GArray         *finish_times;     /* monotonic µs of recent finishes, for the ETA */
  GPtrArray      *pending_removal;  /* LwImageItem removed, waiting for undo to expire */

  GCancellable   *cancellable;      /* loads, ingests and exports */
  guint           n_ingests;
  guint           load_serial;      /* bumps when another job is shown */
  gboolean        loading;
  gboolean        exporting;
  guint           changed_id;
  guint           jobs_changed_id;
};

G_DEFINE_FINAL_TYPE (LwJobSession, lw_job_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_JOBS,
  PROP_JOB_ID,
  PROP_RUNNING,
  PROP_BUSY,
  PROP_EXPORTING,
  PROP_PAUSED,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  SIGNAL_JOBS_CHANGED,
  SIGNAL_INCOMING,
  SIGNAL_JOB_FINISHED,
  SIGNAL_STAGED,
  SIGNAL_EXPORT_PROGRESS,
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The ETA follows the last 20 finishes: recent enough to follow a rate
 * limit's slowdown, long enough not to jump with every photo. */
#define ETA_WINDOW 20
/* Counting 5,000 items takes ~0.2 ms; "changed" at most every 100 ms keeps
 * a flood of queue signals from costing a window its frames. */
#define CHANGED_DELAY_MS 100
/* Ingest events are handled for at most this long per main-loop turn, so
 * 5,000 files landing never hold a frame. */
#define EVENT_BUDGET_US 5000

/* ---- notifications ------------------------------------------------------ */

static gboolean
changed_cb (gpointer data)
{
  LwJobSession *self = data;

  self->changed_id = 0;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
queue_changed (LwJobSession *self)
{
  self->counts_dirty = TRUE;
  if (self->changed_id == 0)
    self->changed_id = g_timeout_add (CHANGED_DELAY_MS, changed_cb, self);
}

static void
emit_changed_now (LwJobSession *self)
{
  self->counts_dirty = TRUE;
  g_clear_handle_id (&self->changed_id, g_source_remove);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static gboolean
jobs_changed_cb (gpointer data)
{
  LwJobSession *self = data;

  self->jobs_changed_id = 0;
  g_signal_emit (self, signals[SIGNAL_JOBS_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
queue_jobs_changed (LwJobSession *self)
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
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB_ID]);
  if (was_running != job_running (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
set_pause (LwJobSession *self,
           const GError *pause)
{
  gboolean was = self->pause != NULL;

  g_clear_error (&self->pause);
  if (pause != NULL)
    self->pause = g_error_copy (pause);
  if (was || pause != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

static void
set_busy (LwJobSession *self,
          gboolean      loading,
          int           ingests_delta)
{
  gboolean was = lw_job_session_get_busy (self);

  self->loading = loading;
  self->n_ingests = (guint) ((int) self->n_ingests + ingests_delta);
  if (was != lw_job_session_get_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Reads the shown job's row again (name, module, model, prompt, status). */
static void
reload_job (LwJobSession *self)
{
  LwJob *job;

  if (self->job == NULL)
    return;
  job = lw_jobs_get (self->jobs, self->job->id, NULL);
  if (job != NULL)
    set_job (self, job);
}

/* ---- items -------------------------------------------------------------- */

static void
index_item (LwJobSession *self,
            LwImageItem  *item)
{
  gint64 id = lw_image_item_get_id (item);

  if (id > 0)
    {
      gint64 *key = g_new (gint64, 1);

      *key = id;
      g_hash_table_replace (self->items_by_id, key, item);
    }
}

static void
append_items (LwJobSession *self,
              GPtrArray    *items)
{
  gboolean was_empty = self->incoming->len == 0;

  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (self->incoming, g_object_ref (g_ptr_array_index (items, i)));
  if (!self->paced)
    lw_job_session_flush (self);
  else if (was_empty && self->incoming->len > 0)
    g_signal_emit (self, signals[SIGNAL_INCOMING], 0);
  queue_changed (self);
}

static void
append_item (LwJobSession *self,
             LwImageItem  *item /* taken */)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (items, item);
  append_items (self, items);
}

/* Takes item out of the incoming queue or the list. */
static void
drop_item (LwJobSession *self,
           LwImageItem  *item)
{
  guint position;

  if (g_ptr_array_remove (self->incoming, item))
    return;
  if (g_list_store_find (self->items, item, &position))
    g_list_store_remove (self->items, position);
}

guint
lw_job_session_grow (LwJobSession *self,
                     guint         max)
{
  guint n;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), 0);

  n = MIN (max, self->incoming->len);
  if (n > 0)
    {
      g_list_store_splice (self->items, g_list_model_get_n_items (G_LIST_MODEL (self->items)), 0,
                           self->incoming->pdata, n);
      g_ptr_array_remove_range (self->incoming, 0, n);
      queue_changed (self);
    }
  return self->incoming->len;
}

void
lw_job_session_flush (LwJobSession *self)
{
  lw_job_session_grow (self, G_MAXUINT);
}

void
lw_job_session_set_paced (LwJobSession *self,
                          gboolean      paced)
{
  g_return_if_fail (LW_IS_JOB_SESSION (self));

  self->paced = paced;
  if (!paced)
    lw_job_session_flush (self);
}

guint
lw_job_session_get_n_incoming (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), 0);

  return self->incoming->len;
}

GListModel *
lw_job_session_get_items (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), NULL);

  return G_LIST_MODEL (self->items);
}

LwImageItem *
lw_job_session_find_item (LwJobSession *self,
                          gint64        image_id)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), NULL);

  return g_hash_table_lookup (self->items_by_id, &image_id);
}

static void
count_one (LwImageItem *item,
           LwJobCounts *counts,
           int         *rejected)
{
  if (lw_image_item_get_phase (item) == LW_IMAGE_ITEM_REJECTED)
    {
      (*rejected)++;
      return;
    }
  counts->total++;
  switch (lw_image_item_get_status (item))
    {
    case LW_IMAGE_PROCESSING: counts->processing++; break;
    case LW_IMAGE_COMPLETED: counts->completed++; break;
    case LW_IMAGE_FAILED: counts->failed++; break;
    case LW_IMAGE_RETRY_LATER: counts->retry_later++; break;
    case LW_IMAGE_PENDING:
    default: counts->pending++; break;
    }
}

void
lw_job_session_get_counts (LwJobSession *self,
                           LwJobCounts  *counts,
                           int          *rejected)
{
  g_return_if_fail (LW_IS_JOB_SESSION (self));

  if (self->counts_dirty)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

      memset (&self->counts, 0, sizeof self->counts);
      self->rejected = 0;
      /* Items on their way in count already: the job has them. */
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LwImageItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

          count_one (item, &self->counts, &self->rejected);
        }
      for (guint i = 0; i < self->incoming->len; i++)
        count_one (g_ptr_array_index (self->incoming, i), &self->counts, &self->rejected);
      self->counts_dirty = FALSE;
    }
  if (counts != NULL)
    *counts = self->counts;
  if (rejected != NULL)
    *rejected = self->rejected;
}

static void
note_finish (LwJobSession *self)
{
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (self->finish_times, now);
  if (self->finish_times->len > ETA_WINDOW)
    g_array_remove_index (self->finish_times, 0);
}

gint64
lw_job_session_get_eta_ms (LwJobSession *self)
{
  LwJobCounts counts;
  guint n;
  gint64 first, last;
  int open;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), -1);

  lw_job_session_get_counts (self, &counts, NULL);
  open = lw_job_counts_open (&counts);
  n = self->finish_times->len;
  if (n < 2 || open == 0)
    return -1;
  first = g_array_index (self->finish_times, gint64, 0);
  last = g_array_index (self->finish_times, gint64, n - 1);
  if (last <= first)
    return -1;
  /* (n − 1) finishes over (last − first) µs: the recent rate. */
  return (gint64) ((double) (last - first) / (n - 1) * open / 1000.0);
}

gboolean
lw_job_session_get_busy (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  return self->loading || self->n_ingests > 0;
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

  queue_jobs_changed (self);
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
        note_finish (self);
    }
  queue_changed (self);
}

static void
job_changed_cb (LwJobs       *jobs,
                gint64        job_id,
                int           status,
                LwJobSession *self)
{
  queue_jobs_changed (self);
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

    reload_job (self);
    self->job->status = (LwJobStatus) status;
    if (old == LW_JOB_PROCESSING && status == LW_JOB_COMPLETED)
      {
        lw_job_session_get_counts (self, &counts, NULL);
        emit_changed_now (self);
        g_signal_emit (self, signals[SIGNAL_JOB_FINISHED], 0, counts.failed > 0);
      }
    else
      queue_changed (self);
  }
}

static void
job_paused_cb (LwJobs       *jobs,
               gint64        job_id,
               const char   *model,
               const GError *reason,
               LwJobSession *self)
{
  queue_jobs_changed (self);
  /* Only the shown job's pauses: another job's model is not this one's. */
  if (job_id != 0 && job_id == lw_job_session_get_job_id (self))
    set_pause (self, reason);
}

static void
job_resumed_cb (LwJobs       *jobs,
                gint64        job_id,
                const char   *model,
                LwJobSession *self)
{
  queue_jobs_changed (self);
  if (job_id != 0 && job_id == lw_job_session_get_job_id (self))
    set_pause (self, NULL);
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
        set_busy (self, FALSE, 0);
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
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
      index_item (self, item);
    }
  for (guint i = 0; data->rejections != NULL && i < data->rejections->len; i++)
    {
      const LwRejection *rejection = g_ptr_array_index (data->rejections, i);
      LwImageItem *item = lw_image_item_new_staging (rejection->path);

      lw_image_item_set_fresh (item, FALSE);
      lw_image_item_set_rejected (item, rejection->reason);
      g_ptr_array_add (new_items, item);
    }
  append_items (self, new_items);
  set_busy (self, FALSE, 0);
  emit_changed_now (self);
}

/* Shows job (taken; NULL = none yet), loading its rows in a worker. */
static void
show_job (LwJobSession *self,
          LwJob        *job)
{
  lw_job_session_commit_removals (self);
  self->load_serial++;
  g_hash_table_remove_all (self->items_by_id);
  g_hash_table_remove_all (self->items_by_path);
  g_ptr_array_set_size (self->incoming, 0);
  g_list_store_remove_all (self->items);
  g_array_set_size (self->finish_times, 0);
  set_job (self, job);
  set_pause (self, job != NULL ? lw_jobs_get_pause (self->jobs, job->id) : NULL);

  if (job != NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, load_done_cb, NULL);
      LoadData *data = g_new0 (LoadData, 1);
      g_autoptr(GError) error = NULL;

      data->jobs = g_object_ref (self->jobs);
      data->job_id = job->id;
      data->serial = self->load_serial;
      g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
      g_task_set_source_tag (task, show_job);
      set_busy (self, TRUE, 0);
      g_task_run_in_thread (task, load_thread);
      /* So the next start reopens it. */
      if (!lw_settings_set_int (lw_jobs_get_store (self->jobs), LW_SETTING_LAST_JOB, job->id, &error))
        g_warning ("Could not remember the job: %s", error->message);
    }
  else
    set_busy (self, FALSE, 0);
  queue_jobs_changed (self);
  emit_changed_now (self);
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
  show_job (self, job);
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

  show_job (self, NULL);
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
  show_job (self, job);
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

static gboolean
require_job (LwJobSession  *self,
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

  if (!require_job (self, error) || !lw_jobs_rename (self->jobs, self->job->id, name, error))
    return FALSE;
  reload_job (self);
  queue_jobs_changed (self);
  queue_changed (self);
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
      reload_job (self);
      if (self->job == NULL || !ok)
        {
          queue_changed (self);
          return ok;
        }
      queue_jobs_changed (self);
    }
  queue_changed (self);
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

      reload_job (self);
      /* Another model, another pause (or none). */
      if (self->job != NULL)
        set_pause (self, lw_jobs_get_pause (self->jobs, self->job->id));
      queue_changed (self);
      return ok;
    }
  queue_changed (self);
  return TRUE;
}

gboolean
lw_job_session_set_prompt (LwJobSession  *self,
                           const char    *prompt,
                           GError       **error)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!require_job (self, error) || !lw_jobs_set_prompt (self->jobs, self->job->id, prompt, error))
    return FALSE;
  reload_job (self);
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
  queue_jobs_changed (self);
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
  queue_changed (self);
  return TRUE;
}

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

  if (!require_job (self, error))
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
    emit_changed_now (self);
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
  emit_changed_now (self);
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
  queue_jobs_changed (self);
  queue_changed (self);
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

  if (!require_job (self, error))
    return FALSE;
  /* Photos removed under undo must not be sent. */
  lw_job_session_commit_removals (self);
  if (!lw_jobs_launch (self->jobs, self->job->id, error))
    return FALSE;
  g_array_set_size (self->finish_times, 0);
  reload_job (self);
  emit_changed_now (self);
  return TRUE;
}

gboolean
lw_job_session_cancel (LwJobSession  *self,
                       GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  if (!require_job (self, error))
    return FALSE;
  ok = lw_jobs_cancel (self->jobs, self->job->id, error);
  reload_job (self);
  emit_changed_now (self);
  return ok;
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

int
lw_job_session_retry (LwJobSession  *self,
                      GPtrArray     *items,
                      gboolean       new_take,
                      GError       **error)
{
  g_autoptr(GArray) ids = NULL;
  int n;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), -1);

  if (!require_job (self, error))
    return -1;
  ids = staged_ids (items, is_finished);
  if (ids->len == 0)
    return 0;
  n = lw_jobs_retry (self->jobs, self->job->id, (const gint64 *) (gpointer) ids->data, ids->len, new_take, error);
  if (n < 0)
    return -1;
  reload_items (self, ids);
  if (n > 0)
    g_array_set_size (self->finish_times, 0);
  reload_job (self);
  emit_changed_now (self);
  return n;
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

  if (!require_job (self, error))
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
  reload_job (self);
  emit_changed_now (self);
  return n;
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
  set_pause (self, NULL);
  queue_changed (self);
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

/* ---- staging ------------------------------------------------------------ */

typedef enum {
  EVENT_PLANNED,
  EVENT_FILE,
  EVENT_FINISHED,
} EventKind;

typedef struct {
  EventKind        kind;
  LwIngestOutcome  outcome;
  char            *path;
  LwImage         *image;
  char            *reason;
  GPtrArray       *planned;    /* paths */
} Event;

typedef struct {
  gatomicrefcount  ref;
  LwJobs          *jobs;
  gint64           job_id;
  char           **paths;
  LwIngestOptions  options;
  GCancellable    *cancellable;
  GWeakRef         session;
  GMutex           lock;
  GQueue           events;
  guint            idle_id;
  LwIngestReport   report;
  GError          *error;
  GPtrArray       *planned;    /* main thread: items this ingest added as staging */
} Ingest;

static void
event_free (Event *event)
{
  g_free (event->path);
  g_clear_pointer (&event->image, lw_image_free);
  g_free (event->reason);
  g_clear_pointer (&event->planned, g_ptr_array_unref);
  g_free (event);
}

static Ingest *
ingest_ref (Ingest *ingest)
{
  g_atomic_ref_count_inc (&ingest->ref);
  return ingest;
}

static void
ingest_unref (Ingest *ingest)
{
  if (!g_atomic_ref_count_dec (&ingest->ref))
    return;
  g_clear_object (&ingest->jobs);
  g_strfreev (ingest->paths);
  g_clear_object (&ingest->cancellable);
  g_weak_ref_clear (&ingest->session);
  g_queue_clear_full (&ingest->events, (GDestroyNotify) event_free);
  g_mutex_clear (&ingest->lock);
  g_clear_error (&ingest->error);
  g_clear_pointer (&ingest->planned, g_ptr_array_unref);
  g_free (ingest);
}

static void handle_event (LwJobSession *self, Ingest *ingest, Event *event);

static gboolean
deliver_events_cb (gpointer data)
{
  Ingest *ingest = data;
  g_autoptr(LwJobSession) self = g_weak_ref_get (&ingest->session);
  gint64 start = g_get_monotonic_time ();

  for (;;)
    {
      Event *event;

      g_mutex_lock (&ingest->lock);
      event = g_queue_pop_head (&ingest->events);
      if (event == NULL)
        {
          ingest->idle_id = 0;
          g_mutex_unlock (&ingest->lock);
          return G_SOURCE_REMOVE;
        }
      g_mutex_unlock (&ingest->lock);

      if (self != NULL)
        handle_event (self, ingest, event);
      event_free (event);
      if (g_get_monotonic_time () - start > EVENT_BUDGET_US)
        return G_SOURCE_CONTINUE;
    }
}

static void
post_event (Ingest *ingest,
            Event  *event)
{
  g_mutex_lock (&ingest->lock);
  g_queue_push_tail (&ingest->events, event);
  if (ingest->idle_id == 0)
    ingest->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT, deliver_events_cb, ingest_ref (ingest),
                                       (GDestroyNotify) ingest_unref);
  g_mutex_unlock (&ingest->lock);
}

static void
file_cb (const LwIngestEvent *ev,
         gpointer             user_data)
{
  Ingest *ingest = user_data;
  Event *event = g_new0 (Event, 1);

  event->kind = EVENT_FILE;
  event->outcome = ev->outcome;
  event->path = g_strdup (ev->path);
  event->image = ev->image != NULL ? lw_image_copy (ev->image) : NULL;
  event->reason = g_strdup (ev->reason);
  post_event (ingest, event);
}

static gpointer
ingest_thread (gpointer data)
{
  Ingest *ingest = data;
  g_autoptr(GPtrArray) files = NULL;
  Event *event;

  lw_thread_set_background ();
  /* The list first, so a tile shows for every photo at once; the service
   * walks the folders again to stage them (a few ms for thousands of
   * files) and reports each refusal, loops included, through file_cb. */
  files = lw_ingest_expand ((const char * const *) ingest->paths, NULL, ingest->cancellable);
  event = g_new0 (Event, 1);
  event->kind = EVENT_PLANNED;
  event->planned = files != NULL ? g_steal_pointer (&files) : g_ptr_array_new_with_free_func (g_free);
  post_event (ingest, event);

  lw_jobs_stage (ingest->jobs, ingest->job_id, (const char * const *) ingest->paths, &ingest->options,
                 file_cb, ingest, &ingest->report, ingest->cancellable, &ingest->error);

  event = g_new0 (Event, 1);
  event->kind = EVENT_FINISHED;
  post_event (ingest, event);
  ingest_unref (ingest);
  return NULL;
}

static LwImageItem *
take_staging_item (LwJobSession *self,
                   const char   *path)
{
  LwImageItem *item = g_hash_table_lookup (self->items_by_path, path);

  if (item != NULL)
    g_hash_table_remove (self->items_by_path, path);
  return item;
}

static void
handle_event (LwJobSession *self,
              Ingest       *ingest,
              Event        *event)
{
  gboolean current = lw_job_session_get_job_id (self) == ingest->job_id;
  LwImageItem *item;

  switch (event->kind)
    {
    case EVENT_PLANNED:
      if (current)
        {
          g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

          for (guint i = 0; i < event->planned->len; i++)
            {
              const char *path = g_ptr_array_index (event->planned, i);

              if (g_hash_table_contains (self->items_by_path, path))
                continue;
              item = lw_image_item_new_staging (path);
              g_hash_table_insert (self->items_by_path, g_strdup (path), item);
              g_ptr_array_add (items, item);
              g_ptr_array_add (ingest->planned, g_object_ref (item));
            }
          append_items (self, items);
        }
      break;

    case EVENT_FILE:
      if (!current)
        break;
      item = take_staging_item (self, event->path);
      switch (event->outcome)
        {
        case LW_INGEST_STAGED:
          if (item == NULL)
            {
              item = lw_image_item_new_staging (event->path);
              append_item (self, item);
            }
          lw_image_item_update (item, event->image);
          index_item (self, item);
          break;

        case LW_INGEST_DUPLICATE:
          /* The photo is in the job already: its first tile stays. */
          if (item != NULL)
            drop_item (self, item);
          break;

        case LW_INGEST_REJECTED:
        default:
          if (item == NULL)
            {
              item = lw_image_item_new_staging (event->path);
              append_item (self, item);
            }
          lw_image_item_set_rejected (item, event->reason);
          break;
        }
      queue_changed (self);
      break;

    case EVENT_FINISHED:
    default:
      if (current)
        {
          /* Files the service skipped without a word (staged before from
           * the same path) leave no tile behind. */
          for (guint i = 0; i < ingest->planned->len; i++)
            {
              item = g_ptr_array_index (ingest->planned, i);
              if (lw_image_item_get_phase (item) == LW_IMAGE_ITEM_STAGING)
                {
                  const char *path = lw_image_item_get_source_path (item);

                  if (path != NULL && g_hash_table_lookup (self->items_by_path, path) == item)
                    g_hash_table_remove (self->items_by_path, path);
                  drop_item (self, item);
                }
            }
          lw_job_session_flush (self);
          reload_job (self);
        }
      set_busy (self, self->loading, -1);
      emit_changed_now (self);
      queue_jobs_changed (self);
      g_signal_emit (self, signals[SIGNAL_STAGED], 0, ingest->report.staged, ingest->report.duplicates,
                     ingest->report.rejected, ingest->error);
      break;
    }
}

void
lw_job_session_stage (LwJobSession       *self,
                      const char * const *paths,
                      gboolean            new_job)
{
  g_autoptr(GError) error = NULL;
  Ingest *ingest;
  GThread *thread;

  g_return_if_fail (LW_IS_JOB_SESSION (self));

  if (paths == NULL || paths[0] == NULL)
    return;
  if (new_job && self->job != NULL)
    show_job (self, NULL);
  if (!lw_job_session_ensure_job (self, &error))
    {
      g_signal_emit (self, signals[SIGNAL_STAGED], 0, 0u, 0u, 0u, error);
      return;
    }

  ingest = g_new0 (Ingest, 1);
  g_atomic_ref_count_init (&ingest->ref);
  ingest->jobs = g_object_ref (self->jobs);
  ingest->job_id = self->job->id;
  ingest->paths = g_strdupv ((char **) paths);
  lw_jobs_get_ingest_options (self->jobs, &ingest->options);
  ingest->cancellable = g_object_ref (self->cancellable);
  ingest->planned = g_ptr_array_new_with_free_func (g_object_unref);
  g_weak_ref_init (&ingest->session, self);
  g_mutex_init (&ingest->lock);
  g_queue_init (&ingest->events);
  set_busy (self, self->loading, +1);

  /* A thread of its own rather than GTask's pool: an ingest of thousands
   * of files must not starve the loads and exports that share that pool. */
  thread = g_thread_try_new ("lw-ingest", ingest_thread, ingest, &error);
  if (thread == NULL)
    {
      set_busy (self, self->loading, -1);
      ingest_unref (ingest);
      g_signal_emit (self, signals[SIGNAL_STAGED], 0, 0u, 0u, 0u, error);
      return;
    }
  g_thread_unref (thread);
}

/* ---- saving ------------------------------------------------------------- */

typedef struct {
  LwJobs   *jobs;
  gint64    job_id;
  char     *dir;
  GWeakRef  session;
  gint      done;    /* atomic */
  gint      total;   /* atomic */
  gint      idle;    /* atomic: a progress idle is queued */
  guint     n_written;
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
    g_signal_emit (self, signals[SIGNAL_EXPORT_PROGRESS], 0, (guint) g_atomic_int_get (&export->done),
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

  if (!lw_jobs_export (export->jobs, export->job_id, export->dir, NULL, export_progress_cb, task,
                       &export->n_written, cancellable, &error))
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
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORTING]);
  g_task_set_task_data (outer, g_object_ref (result), g_object_unref);
  g_task_return_boolean (outer, TRUE);
  g_object_unref (outer);
}

void
lw_job_session_export_async (LwJobSession        *self,
                             const char          *dir,
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
                               self->job == NULL ? "No job is open" : "Already saving");
      return;
    }
  export = g_new0 (Export, 1);
  export->jobs = g_object_ref (self->jobs);
  export->job_id = self->job->id;
  export->dir = g_strdup (dir);
  g_weak_ref_init (&export->session, self);
  self->exporting = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORTING]);

  /* The session's own cancellable stops it at dispose as well. */
  task = g_task_new (self, cancellable != NULL ? cancellable : self->cancellable, export_done_cb,
                     g_steal_pointer (&outer));
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  g_task_set_source_tag (task, lw_job_session_export_async);
  g_task_run_in_thread (task, export_thread);
}

gboolean
lw_job_session_export_finish (LwJobSession  *self,
                              GAsyncResult  *result,
                              guint         *n_written,
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
  return g_task_propagate_boolean (inner, error);
}

gboolean
lw_job_session_get_exporting (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  return self->exporting;
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

  properties[PROP_JOBS] = g_param_spec_object ("jobs", NULL, NULL, LW_TYPE_JOBS,
                                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_JOB_ID] = g_param_spec_int64 ("job-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  properties[PROP_EXPORTING] = g_param_spec_boolean ("exporting", NULL, NULL, FALSE, ro);
  properties[PROP_PAUSED] = g_param_spec_boolean ("paused", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_JOBS_CHANGED] = g_signal_new ("jobs-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                               NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_INCOMING] = g_signal_new ("incoming", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                           NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_JOB_FINISHED] = g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                               NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[SIGNAL_STAGED] = g_signal_new ("staged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                         NULL, G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT,
                                         G_TYPE_ERROR);
  signals[SIGNAL_EXPORT_PROGRESS] = g_signal_new ("export-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  signals[SIGNAL_ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_ERROR);
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

/* lw-window.c — the main window: state of the shown job, the queue's signals,
 * and keeping the sidebar, tabs and dock in step with them.
 *
 * Commands live in lw-window-actions.c; dropping, pasting, choosing and
 * ingesting in lw-window-dnd.c.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-engine.h"
#include "lw-engines.h"
#include "lw-image-io.h"
#include "lw-modules.h"
#include "lw-resources.h"
#include "lw-ui-util.h"
#include "lw-window-private.h"

G_DEFINE_FINAL_TYPE (LwWindow, lw_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CORE,
  PROP_SCHEDULER,
  PROP_FILTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Tiles ask for textures at their frame's exact size (lw_texture_cache_request);
 * the long edge only bounds requests without a size. 48 MiB holds ~400
 * textures of 200-px tiles, ~120 of the largest (360 px), ~30 of those at
 * scale 2 — still a screenful; textures of bound tiles live beyond it. */
#define TEXTURE_LONG_EDGE   LW_THUMBNAIL_LONG_EDGE
#define TEXTURE_CACHE_BYTES (48u * 1024 * 1024)
/* The ETA follows the last 20 finishes: recent enough to follow a rate
 * limit's slowdown, long enough not to jump with every photo. */
#define ETA_WINDOW 20
#define N_RECENT_JOBS 20
/* GTK 4.8's grid makes a tile for every item of about 30 rows as soon as
 * they are in its model: a 5,000-photo drop made ~160 tiles, then measured
 * and drew them, all between two frames (60 ms). Items go in 32 at a time,
 * one batch a frame, until a batch makes no new tile once laid out (the
 * grid has all it keeps); then the rest at once, which costs the grid next
 * to nothing. */
#define GROW_BATCH     32
#define GROW_PERIOD_MS 16

static const char * const model_ids[] = { LW_MODEL_NANO_BANANA, LW_MODEL_NANO_BANANA_PRO, LW_MODEL_LOCAL };

LwStore *
lw_window_get_store (LwWindow *self)
{
  return lw_core_get_store (self->core);
}

LwBlobStore *
lw_window_get_blobs (LwWindow *self)
{
  return lw_core_get_blobs (self->core);
}

gint64
lw_window_now (LwWindow *self)
{
  return lw_clock_now_ms (lw_core_get_clock (self->core));
}

gint64
lw_window_get_job_id (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->job != NULL ? self->job->id : 0;
}

LwImageItem *
lw_window_find_item (LwWindow *self,
                     gint64    image_id)
{
  return g_hash_table_lookup (self->items_by_id, &image_id);
}

void
lw_window_toast (LwWindow   *self,
                 const char *title)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

/* ---- items ------------------------------------------------------------- */

static void
index_item (LwWindow    *self,
            LwImageItem *item)
{
  gint64 id = lw_image_item_get_id (item);

  if (id > 0)
    {
      gint64 *key = g_new (gint64, 1);

      *key = id;
      g_hash_table_replace (self->items_by_id, key, item);
    }
}

void
lw_window_item_added (LwWindow    *self,
                      LwImageItem *item)
{
  index_item (self, item);
  lw_window_queue_refresh (self, TRUE, FALSE);
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  LwWindow *self = user_data;

  if (g_strcmp0 (self->filter_name, "all") == 0)
    return TRUE;
  return g_strcmp0 (lw_image_item_get_bucket (item), self->filter_name) == 0;
}

void
lw_window_set_filter (LwWindow   *self,
                      const char *name)
{
  if (g_strcmp0 (self->filter_name, name) == 0)
    return;
  g_free (self->filter_name);
  self->filter_name = g_strdup (name);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
  lw_window_update_actions (self);
}

static void
count_items (LwWindow    *self,
             LwJobCounts *counts,
             int         *rejected)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  memset (counts, 0, sizeof *counts);
  *rejected = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LwImageItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (lw_image_item_get_phase (item) == LW_IMAGE_ITEM_REJECTED)
        {
          (*rejected)++;
          continue;
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
}

static void
set_count (GtkWidget *label,
           int        n)
{
  char text[16];

  g_snprintf (text, sizeof text, "%d", n);
  gtk_label_set_label (GTK_LABEL (label), text);
}

static gint64
estimate_eta (LwWindow *self)
{
  guint n = self->finish_times->len;
  gint64 first, last;
  int open = lw_job_counts_open (&self->counts);

  if (n < 2 || open == 0)
    return -1;
  first = g_array_index (self->finish_times, gint64, 0);
  last = g_array_index (self->finish_times, gint64, n - 1);
  if (last <= first)
    return -1;
  /* (n − 1) finishes over (last − first): the recent rate. */
  return (gint64) ((double) (last - first) / (n - 1) * open / 1000.0);
}

static void
refresh_jobs (LwWindow *self)
{
  LwStore *store = lw_window_get_store (self);
  g_autoptr(GPtrArray) jobs = lw_store_list_jobs (store, N_RECENT_JOBS, NULL);
  g_autofree LwJobCounts *counts = NULL;

  if (jobs == NULL)
    return;
  counts = g_new0 (LwJobCounts, MAX (jobs->len, 1));
  for (guint i = 0; i < jobs->len; i++)
    lw_store_count_images (store, ((LwJob *) g_ptr_array_index (jobs, i))->id, &counts[i], NULL);
  lw_sidebar_set_jobs (self->sidebar, jobs, counts, lw_window_now (self), lw_window_get_job_id (self));
}

static void
refresh_engine_status (LwWindow *self)
{
  const char *model = self->job != NULL ? self->job->model : self->model;
  const GError *pause = lw_scheduler_get_pause (self->scheduler, model);
  guint in_flight = lw_scheduler_get_in_flight (self->scheduler, NULL);
  g_autofree char *text = NULL;

  if (pause != NULL)
    {
      gboolean offline = g_error_matches (pause, LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE);

      lw_sidebar_set_engine_status (self->sidebar, offline ? LW_ENGINE_STATE_OFFLINE : LW_ENGINE_STATE_PAUSED,
                                    offline ? _("Offline") : NULL);
      if (!offline)
        {
          /* TRANSLATORS: the sidebar's footer, "Paused: API key rejected" */
          text = g_strdup_printf (_("Paused: %s"), pause->message);
          lw_sidebar_set_engine_status (self->sidebar, LW_ENGINE_STATE_PAUSED, text);
        }
      return;
    }
  /* TRANSLATORS: the sidebar's footer: "Nano Banana · 2 in flight · 18 done" */
  text = g_strdup_printf (_("%s · %u in flight · %d done"), lw_ui_model_label (model), in_flight,
                          self->counts.completed);
  lw_sidebar_set_engine_status (self->sidebar, in_flight > 0 ? LW_ENGINE_STATE_RUNNING : LW_ENGINE_STATE_IDLE,
                                text);
}

void
lw_window_refresh_now (LwWindow *self)
{
  int rejected = 0;
  gboolean running;
  double cost = -1;

  g_clear_handle_id (&self->refresh_id, g_source_remove);

  count_items (self, &self->counts, &rejected);
  set_count (self->count_all, self->counts.total + rejected);
  set_count (self->count_pending, lw_job_counts_open (&self->counts));
  set_count (self->count_done, self->counts.completed);
  set_count (self->count_failed, self->counts.failed + rejected);

  running = self->job != NULL && self->job->status == LW_JOB_PROCESSING;
  /* What a paid model cost so far, once something was sent. */
  if (self->job != NULL && self->job->launched_at != 0 && g_strcmp0 (self->job->model, LW_MODEL_LOCAL) != 0)
    cost = lw_store_get_job_cost (lw_window_get_store (self), self->job->id);
  lw_command_dock_set_progress (self->dock, &self->counts,
                                lw_scheduler_get_in_flight (self->scheduler, self->job != NULL ? self->job->model : NULL),
                                estimate_eta (self), cost, running);

  if (self->refresh_filter && g_strcmp0 (self->filter_name, "all") != 0)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  self->refresh_filter = FALSE;
  if (self->refresh_jobs)
    refresh_jobs (self);
  self->refresh_jobs = FALSE;

  refresh_engine_status (self);
  lw_window_update_canvas (self);
  lw_window_update_actions (self);
}

static gboolean
refresh_cb (gpointer data)
{
  LwWindow *self = data;

  self->refresh_id = 0;
  lw_window_refresh_now (self);
  return G_SOURCE_REMOVE;
}

void
lw_window_queue_refresh (LwWindow *self,
                         gboolean  filter,
                         gboolean  jobs)
{
  if (self->items == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  self->refresh_filter |= filter;
  self->refresh_jobs |= jobs;
  /* Counting 5,000 items takes ~0.2 ms; once per 100 ms keeps a flood of
   * queue signals from costing frames. */
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (100, refresh_cb, self);
}

static void
grow (LwWindow *self,
      guint     max)
{
  guint n = MIN (max, self->incoming->len);

  if (n == 0)
    return;
  g_list_store_splice (self->items, g_list_model_get_n_items (G_LIST_MODEL (self->items)), 0,
                       self->incoming->pdata, n);
  g_ptr_array_remove_range (self->incoming, 0, n);
}

static gboolean
grow_cb (gpointer data)
{
  LwWindow *self = data;
  GtkWidget *grid = GTK_WIDGET (self->staging_grid);
  GdkFrameClock *clock = gtk_widget_get_mapped (grid) ? gtk_widget_get_frame_clock (grid) : NULL;
  guint tiles = lw_staging_grid_get_n_tiles (self->staging_grid);

  /* A timeout rather than a tick callback: it runs between frames (the
   * frame clock's paint is below default priority), and also while the
   * window is not shown, when batches simply follow each other. */
  if (clock != NULL)
    {
      gint64 frame = gdk_frame_clock_get_frame_counter (clock);

      /* One batch a frame: the last one is not laid out yet. A compositor
       * that stops the frames of a hidden window does not stop the batches
       * for long (100 ms). */
      if (frame == self->grow_frame && ++self->grow_waits < 6)
        return G_SOURCE_CONTINUE;
      self->grow_waits = 0;
      /* The last batch, laid out, made no tile: the grid has all it keeps,
       * and the rest costs it next to nothing. */
      if (self->grow_frame >= 0 && tiles == self->grow_tiles)
        grow (self, G_MAXUINT);
      self->grow_frame = frame;
    }
  else
    self->grow_frame = -1;
  self->grow_tiles = tiles;
  grow (self, GROW_BATCH);
  if (self->incoming->len > 0)
    return G_SOURCE_CONTINUE;
  self->grow_id = 0;
  lw_window_queue_refresh (self, TRUE, FALSE);
  return G_SOURCE_REMOVE;
}

void
lw_window_append_items (LwWindow  *self,
                        GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (self->incoming, g_object_ref (g_ptr_array_index (items, i)));
  if (self->grow_id == 0)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self->staging_grid));

      /* The first batch at once: the first tiles show in the next frame. */
      self->grow_frame = clock != NULL ? gdk_frame_clock_get_frame_counter (clock) : -1;
      self->grow_tiles = lw_staging_grid_get_n_tiles (self->staging_grid);
      grow (self, GROW_BATCH);
      if (self->incoming->len > 0)
        self->grow_id = g_timeout_add (GROW_PERIOD_MS, grow_cb, self);
    }
  lw_window_queue_refresh (self, TRUE, FALSE);
  lw_window_update_canvas (self);
}

void
lw_window_flush_items (LwWindow *self)
{
  g_clear_handle_id (&self->grow_id, g_source_remove);
  grow (self, G_MAXUINT);
}

gboolean
lw_window_forget_item (LwWindow    *self,
                       LwImageItem *item)
{
  return g_ptr_array_remove (self->incoming, item);
}

void
lw_window_update_canvas (LwWindow *self)
{
  gboolean has_items = g_list_model_get_n_items (G_LIST_MODEL (self->items)) > 0;

  gtk_stack_set_visible_child_name (GTK_STACK (self->canvas_stack), has_items ? "grid" : "empty");
  /* The dock springs in when the first photos land. */
  lw_command_dock_set_revealed (self->dock, has_items);
}

/* ---- jobs -------------------------------------------------------------- */

static void
sync_header (LwWindow *self)
{
  const char *model = self->job != NULL ? self->job->model : self->model;
  const LwModule *module;

  self->updating_ui = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->job_name_label), self->job != NULL ? self->job->name : _("New Job"));
  gtk_widget_set_sensitive (self->job_name_label, self->job != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (model_ids); i++)
    if (g_strcmp0 (model_ids[i], model) == 0)
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->model_dropdown), i);
  lw_module_list_select (lw_sidebar_get_module_list (self->sidebar),
                         self->job != NULL ? self->job->module_id : self->module_id);
  module = lw_module_list_find (lw_sidebar_get_module_list (self->sidebar),
                                self->job != NULL ? self->job->module_id : self->module_id);
  lw_drop_zone_set_module (self->drop_zone, module != NULL ? module->name : NULL);
  self->updating_ui = FALSE;
}

typedef struct {
  LwCore    *core;
  gint64     job_id;
  guint      serial;
  GPtrArray *images;
  GPtrArray *rejections;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->core);
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
  g_autoptr(LwStore) store = NULL;
  GError *error = NULL;

  /* Listing 5,000 rows takes tens of ms: a frame or more. Its own
   * connection, as SQLite connections are one thread's each. */
  store = lw_core_open_store (data->core, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->images = lw_store_list_images (store, data->job_id, &error);
  if (data->images == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->rejections = lw_store_list_rejections (store, data->job_id, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LwWindow *self = LW_WINDOW (source);
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) new_items = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lw_window_toast (self, error->message);
      return;
    }
  if (data->serial != self->load_serial)
    return;

  new_items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < data->images->len; i++)
    {
      LwImageItem *item = lw_image_item_new_from_image (g_ptr_array_index (data->images, i));

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
  lw_window_append_items (self, new_items);
  lw_window_refresh_now (self);
}

void
lw_window_show_job (LwWindow *self,
                    LwJob    *job)
{
  g_autoptr(GError) error = NULL;
  char value[32];

  lw_window_commit_removals (self);
  self->load_serial++;
  g_clear_pointer (&self->job, lw_job_free);
  self->job = job;
  g_hash_table_remove_all (self->items_by_id);
  g_hash_table_remove_all (self->items_by_path);
  g_clear_handle_id (&self->grow_id, g_source_remove);
  g_ptr_array_set_size (self->incoming, 0);
  g_list_store_remove_all (self->items);
  g_array_set_size (self->finish_times, 0);
  lw_status_banner_hide (self->banner);

  if (job != NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, load_done_cb, NULL);
      LoadData *data = g_new0 (LoadData, 1);

      g_free (self->module_id);
      self->module_id = g_strdup (job->module_id);
      data->core = g_object_ref (self->core);
      data->job_id = job->id;
      data->serial = self->load_serial;
      g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
      g_task_set_source_tag (task, lw_window_show_job);
      g_task_run_in_thread (task, load_thread);
      g_snprintf (value, sizeof value, "%" G_GINT64_FORMAT, job->id);
      /* So the next start reopens it, with or without GSettings. */
      if (!lw_store_set_setting (lw_window_get_store (self), "ui.last_job", value, &error))
        g_warning ("Could not remember the job: %s", error->message);
    }

  sync_header (self);
  lw_window_queue_refresh (self, TRUE, TRUE);
  lw_window_refresh_now (self);
}

void
lw_window_load_job (LwWindow *self,
                    gint64    job_id)
{
  g_autoptr(GError) error = NULL;
  LwJob *job;

  g_return_if_fail (LW_IS_WINDOW (self));

  job = lw_store_get_job (lw_window_get_store (self), job_id, &error);
  if (job == NULL)
    {
      lw_window_toast (self, error->message);
      return;
    }
  lw_window_show_job (self, job);
}

gboolean
lw_window_ensure_job (LwWindow  *self,
                      GError   **error)
{
  LwJob *job;

  if (self->job != NULL)
    return TRUE;
  job = lw_store_create_job (lw_window_get_store (self), NULL, self->module_id, self->model, NULL,
                             lw_window_now (self), error);
  if (job == NULL)
    return FALSE;
  lw_window_show_job (self, job);
  return TRUE;
}

static gboolean
job_is_fresh (LwWindow *self)
{
  /* A job nothing has been sent for yet can still change module. */
  return self->job != NULL && self->job->launched_at == 0
         && self->counts.completed + self->counts.failed + self->counts.processing == 0;
}

void
lw_window_select_module (LwWindow   *self,
                         const char *module_id)
{
  g_autoptr(GError) error = NULL;
  const LwModule *module = lw_module_list_find (lw_sidebar_get_module_list (self->sidebar), module_id);

  if (module == NULL)
    return;
  g_free (self->module_id);
  self->module_id = g_strdup (module_id);
  lw_store_set_setting (lw_window_get_store (self), "ui.module", module_id, NULL);

  if (self->job != NULL && g_strcmp0 (self->job->module_id, module_id) != 0)
    {
      if (job_is_fresh (self))
        {
          if (!lw_store_set_job_module (lw_window_get_store (self), self->job->id, module_id,
                                        lw_window_now (self), &error))
            lw_window_toast (self, error->message);
          else
            {
              LwJob *job = lw_store_get_job (lw_window_get_store (self), self->job->id, NULL);

              if (job != NULL)
                {
                  lw_job_free (self->job);
                  self->job = job;
                }
            }
        }
      else
        {
          g_autofree char *text = NULL;

          /* TRANSLATORS: toast when the module of a launched job cannot change */
          text = g_strdup_printf (_("%s will apply to your next job"), module->name);
          lw_window_toast (self, text);
        }
    }
  sync_header (self);
  lw_window_queue_refresh (self, FALSE, TRUE);
}

void
lw_window_set_model (LwWindow   *self,
                     const char *model)
{
  g_autoptr(GError) error = NULL;

  if (!lw_engines_is_known (model))
    return;
  g_free (self->model);
  self->model = g_strdup (model);
  lw_store_set_setting (lw_window_get_store (self), "ui.model", model, NULL);
  if (self->job != NULL && g_strcmp0 (self->job->model, model) != 0)
    {
      if (self->job->status == LW_JOB_PROCESSING)
        {
          lw_window_toast (self, _("Cancel the job before switching its model"));
        }
      else if (lw_store_set_job_model (lw_window_get_store (self), self->job->id, model, lw_window_now (self),
                                       &error))
        {
          g_free (self->job->model);
          self->job->model = g_strdup (model);
        }
      else
        lw_window_toast (self, error->message);
    }
  sync_header (self);
  lw_window_queue_refresh (self, FALSE, FALSE);
}

void
lw_window_reload_modules (LwWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) modules = lw_store_list_modules (lw_window_get_store (self), &error);

  if (modules == NULL)
    {
      g_warning ("Could not list modules: %s", error->message);
      return;
    }
  lw_module_list_set_modules (lw_sidebar_get_module_list (self->sidebar), modules);
  sync_header (self);
}

/* ---- the queue's signals ----------------------------------------------- */

static void
note_finish (LwWindow *self)
{
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (self->finish_times, now);
  if (self->finish_times->len > ETA_WINDOW)
    g_array_remove_index (self->finish_times, 0);
}

static void
image_changed_cb (LwScheduler *scheduler,
                  gint64       job_id,
                  gint64       image_id,
                  int          status,
                  LwWindow    *self)
{
  LwImageItem *item;

  if (self->job == NULL || job_id != self->job->id)
    {
      lw_window_queue_refresh (self, FALSE, TRUE);
      return;
    }
  item = lw_window_find_item (self, image_id);
  if (item == NULL)
    return;

  if (status == LW_IMAGE_PROCESSING)
    lw_image_item_set_status (item, LW_IMAGE_PROCESSING);
  else
    {
      /* One row by primary key: microseconds, and it carries the result's
       * key, the reason of a failure, the next retry time. */
      g_autoptr(LwImage) image = lw_store_get_image (lw_window_get_store (self), image_id, NULL);

      if (image != NULL)
        lw_image_item_update (item, image);
      else
        lw_image_item_set_status (item, (LwImageStatus) status);
      if (status == LW_IMAGE_COMPLETED || status == LW_IMAGE_FAILED)
        note_finish (self);
    }
  lw_window_queue_refresh (self, TRUE, FALSE);
}

static void
job_changed_cb (LwScheduler *scheduler,
                gint64       job_id,
                int          status,
                LwWindow    *self)
{
  if (self->job != NULL && job_id == self->job->id)
    {
      LwJobStatus old = self->job->status;

      self->job->status = (LwJobStatus) status;
      if (status == LW_JOB_PROCESSING && self->job->launched_at == 0)
        self->job->launched_at = lw_window_now (self);
      if (old == LW_JOB_PROCESSING && status == LW_JOB_COMPLETED)
        {
          lw_window_refresh_now (self);
          lw_window_toast (self, self->counts.failed > 0 ? _("Job finished, with some failures")
                                                          : _("Job finished"));
        }
    }
  lw_window_queue_refresh (self, FALSE, TRUE);
  lw_window_update_actions (self);
}

static void
paused_cb (LwScheduler  *scheduler,
           const char   *model,
           const GError *reason,
           LwWindow     *self)
{
  g_autofree char *title = NULL;
  const char *button = NULL;
  const char *action = NULL;

  if (self->job != NULL && g_strcmp0 (self->job->model, model) != 0)
    return;

  if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH))
    {
      title = g_strdup_printf (_("Paused: %s"), reason->message);
      button = _("Enter Key…");
      action = "win.api-key";
    }
  else if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_MODEL_NOT_FOUND))
    {
      title = g_strdup_printf (_("Paused: the model is not available. %s"), reason->message);
      button = _("Use Local Engine");
      action = "win.use-local";
    }
  else if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE))
    {
      title = g_strdup (_("Offline: the queue waits for the network"));
      button = _("Try Again");
      action = "win.resume";
    }
  else
    {
      title = g_strdup_printf (_("Paused: %s"), reason->message);
      button = _("Try Again");
      action = "win.resume";
    }
  lw_status_banner_show (self->banner, title, button, action);
  /* A bad key has two ways out: a key that works, or no key at all. */
  if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH))
    lw_status_banner_set_secondary (self->banner, _("Use Local Engine"), "win.use-local");
  lw_window_queue_refresh (self, FALSE, FALSE);
}

static void
resumed_cb (LwScheduler *scheduler,
            const char  *model,
            LwWindow    *self)
{
  lw_status_banner_hide (self->banner);
  lw_window_queue_refresh (self, FALSE, FALSE);
}

/* ---- widgets' signals -------------------------------------------------- */

/* Below this width the sidebar folds away behind a button (AdwFlap in
 * libadwaita 1.2 has no breakpoints of its own). */
#define FOLD_WIDTH 900

static void
width_changed_cb (LwWindow   *self,
                  GParamSpec *pspec,
                  gpointer    data)
{
  int width = 0, height = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  adw_flap_set_fold_policy (self->flap, width > 0 && width < FOLD_WIDTH ? ADW_FLAP_FOLD_POLICY_ALWAYS
                                                                           : ADW_FLAP_FOLD_POLICY_NEVER);
}

static void
job_name_editing_cb (GtkEditableLabel *label,
                     GParamSpec       *pspec,
                     LwWindow         *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (self->updating_ui || gtk_editable_label_get_editing (label) || self->job == NULL)
    return;
  gtk_widget_set_focusable (GTK_WIDGET (label), FALSE);
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (label))));
  if (*name == '\0' || g_strcmp0 (name, self->job->name) == 0)
    {
      sync_header (self);
      return;
    }
  if (!lw_store_rename_job (lw_window_get_store (self), self->job->id, name, lw_window_now (self), &error))
    {
      lw_window_toast (self, error->message);
      sync_header (self);
      return;
    }
  g_free (self->job->name);
  self->job->name = g_steal_pointer (&name);
  lw_window_queue_refresh (self, FALSE, TRUE);
}

static void
model_selected_cb (GtkDropDown *dropdown,
                   GParamSpec  *pspec,
                   LwWindow    *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->updating_ui || selected >= G_N_ELEMENTS (model_ids))
    return;
  lw_window_set_model (self, model_ids[selected]);
}

static void
tile_size_cb (GtkAdjustment *adjustment,
              LwWindow      *self)
{
  int size = (int) gtk_adjustment_get_value (adjustment);
  char value[16];

  lw_staging_grid_set_tile_size (self->staging_grid, size);
  if (self->core != NULL && !self->updating_ui)
    {
      g_snprintf (value, sizeof value, "%d", size);
      lw_store_set_setting (lw_window_get_store (self), "ui.tile_size", value, NULL);
    }
}

static void
grid_activate_cb (LwStagingGrid *grid,
                  guint          position,
                  LwWindow      *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.edit-instruction", NULL);
}

static void
grid_context_menu_cb (LwStagingGrid *grid,
                      double         x,
                      double         y,
                      LwWindow      *self)
{
  gtk_popover_set_pointing_to (GTK_POPOVER (self->tile_popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->tile_popover));
}

static void
selection_changed_cb (GtkSelectionModel *model,
                      guint              position,
                      guint              n_items,
                      LwWindow          *self)
{
  lw_window_update_actions (self);
}

static void
prompt_apply_cb (LwPromptEditor *editor,
                 const char     *instruction,
                 LwWindow       *self)
{
  g_autoptr(GPtrArray) selected = lw_staging_grid_get_selected (self->staging_grid);
  LwStore *store = lw_window_get_store (self);
  g_autoptr(GError) error = NULL;
  gint64 now = lw_window_now (self);
  guint n = 0;

  if (!lw_store_begin (store, &error))
    {
      lw_window_toast (self, error->message);
      return;
    }
  for (guint i = 0; i < selected->len; i++)
    {
      LwImageItem *item = g_ptr_array_index (selected, i);

      if (lw_image_item_get_phase (item) != LW_IMAGE_ITEM_STAGED)
        continue;
      if (!lw_store_set_image_prompt (store, lw_image_item_get_id (item), instruction, now, &error))
        {
          lw_store_rollback (store);
          lw_window_toast (self, error->message);
          return;
        }
      n++;
    }
  if (!lw_store_commit (store, &error))
    {
      lw_window_toast (self, error->message);
      return;
    }
  for (guint i = 0; i < selected->len; i++)
    {
      LwImageItem *item = g_ptr_array_index (selected, i);

      if (lw_image_item_get_phase (item) == LW_IMAGE_ITEM_STAGED)
        lw_image_item_set_specific_prompt (item, instruction);
    }
}

static void
frame_tick_stats (LwWindow *self,
                  gint64    frame_time)
{
  if (self->last_frame_us != 0 && frame_time - self->last_frame_us > self->longest_stall_us)
    self->longest_stall_us = frame_time - self->last_frame_us;
  self->last_frame_us = frame_time;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  frame_tick_stats (LW_WINDOW (widget), g_get_monotonic_time ());
  return G_SOURCE_CONTINUE;
}

/* ---- GObject ----------------------------------------------------------- */

static void
connect_scheduler (LwWindow *self)
{
  self->scheduler_handlers[0] = g_signal_connect (self->scheduler, "image-changed",
                                                  G_CALLBACK (image_changed_cb), self);
  self->scheduler_handlers[1] = g_signal_connect (self->scheduler, "job-changed",
                                                  G_CALLBACK (job_changed_cb), self);
  self->scheduler_handlers[2] = g_signal_connect (self->scheduler, "paused", G_CALLBACK (paused_cb), self);
  self->scheduler_handlers[3] = g_signal_connect (self->scheduler, "resumed", G_CALLBACK (resumed_cb), self);
}

static void
lw_window_constructed (GObject *object)
{
  LwWindow *self = LW_WINDOW (object);
  LwStore *store;
  gint64 last_job;
  int tile_size;

  G_OBJECT_CLASS (lw_window_parent_class)->constructed (object);

  g_assert (self->core != NULL && self->scheduler != NULL);
  store = lw_window_get_store (self);

  self->cache = lw_texture_cache_new (TEXTURE_LONG_EDGE, TEXTURE_CACHE_BYTES);
  lw_staging_grid_setup (self->staging_grid, self->cache, lw_blob_store_get_root (lw_window_get_blobs (self)));
  lw_staging_grid_set_model (self->staging_grid, G_LIST_MODEL (self->filtered));
  connect_scheduler (self);

  self->module_id = lw_store_get_setting (store, "ui.module");
  if (self->module_id == NULL)
    self->module_id = g_strdup (LW_DEFAULT_MODULE_ID);
  self->model = lw_store_get_setting (store, "ui.model");
  if (!lw_engines_is_known (self->model))
    {
      g_free (self->model);
      self->model = lw_engines_default_model (store);
    }
  self->updating_ui = TRUE;
  tile_size = (int) lw_store_get_setting_int (store, "ui.tile_size", LW_TILE_SIZE_DEFAULT);
  gtk_adjustment_set_value (self->tile_adjustment, CLAMP (tile_size, LW_TILE_SIZE_MIN, LW_TILE_SIZE_MAX));
  self->updating_ui = FALSE;

  lw_window_reload_modules (self);
  lw_window_init_dnd (self);
  lw_window_init_state (self);

  /* The last job comes back as it was. */
  last_job = lw_store_get_setting_int (store, "ui.last_job", 0);
  if (last_job > 0)
    {
      LwJob *job = lw_store_get_job (store, last_job, NULL);

      if (job != NULL)
        lw_window_show_job (self, job);
    }
  if (self->job == NULL)
    lw_window_show_job (self, NULL);

  if (g_getenv ("LW_MEASURE_FRAMES") != NULL)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

static void
lw_window_dispose (GObject *object)
{
  LwWindow *self = LW_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->removal_toast != NULL)
    g_signal_handlers_disconnect_by_data (self->removal_toast, self);
  self->removal_toast = NULL;
  if (self->core != NULL)
    lw_window_commit_removals (self);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  for (guint i = 0; i < G_N_ELEMENTS (self->scheduler_handlers); i++)
    if (self->scheduler != NULL)
      g_clear_signal_handler (&self->scheduler_handlers[i], self->scheduler);

  /* Widgets going away below may still notify; nothing of ours listens. */
  if (self->staging_grid != NULL)
    {
      g_signal_handlers_disconnect_by_data (lw_staging_grid_get_selection (self->staging_grid), self);
      g_signal_handlers_disconnect_by_data (self->staging_grid, self);
      g_signal_handlers_disconnect_by_data (self->model_dropdown, self);
      g_signal_handlers_disconnect_by_data (self->job_name_label, self);
      g_signal_handlers_disconnect_by_data (self->tile_adjustment, self);
    }
  lw_window_dispose_modules (self);
  g_clear_object (&self->settings);
  if (self->prompt_editor != NULL)
    gtk_widget_unparent (GTK_WIDGET (g_steal_pointer (&self->prompt_editor)));
  if (self->tile_popover != NULL)
    gtk_widget_unparent (g_steal_pointer (&self->tile_popover));

  gtk_widget_dispose_template (GTK_WIDGET (self), LW_TYPE_WINDOW);

  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_handle_id (&self->grow_id, g_source_remove);
  g_clear_pointer (&self->incoming, g_ptr_array_unref);
  g_clear_object (&self->items);
  g_clear_object (&self->cache);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->core);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lw_window_parent_class)->dispose (object);
}

static void
lw_window_finalize (GObject *object)
{
  LwWindow *self = LW_WINDOW (object);

  g_clear_pointer (&self->job, lw_job_free);
  g_clear_pointer (&self->items_by_id, g_hash_table_unref);
  g_clear_pointer (&self->items_by_path, g_hash_table_unref);
  g_clear_pointer (&self->finish_times, g_array_unref);
  g_clear_pointer (&self->pending_removal, g_ptr_array_unref);
  g_free (self->filter_name);
  g_free (self->module_id);
  g_free (self->model);

  G_OBJECT_CLASS (lw_window_parent_class)->finalize (object);
}

static void
lw_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LwWindow *self = LW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CORE: g_value_set_object (value, self->core); break;
    case PROP_SCHEDULER: g_value_set_object (value, self->scheduler); break;
    case PROP_FILTER: g_value_set_string (value, self->filter_name); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  LwWindow *self = LW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CORE: self->core = g_value_dup_object (value); break;
    case PROP_SCHEDULER: self->scheduler = g_value_dup_object (value); break;
    case PROP_FILTER: lw_window_set_filter (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_window_class_init (LwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = lw_window_constructed;
  object_class->dispose = lw_window_dispose;
  object_class->finalize = lw_window_finalize;
  object_class->get_property = lw_window_get_property;
  object_class->set_property = lw_window_set_property;

  properties[PROP_CORE] = g_param_spec_object ("core", NULL, NULL, LW_TYPE_CORE,
                                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCHEDULER] = g_param_spec_object ("scheduler", NULL, NULL, LW_TYPE_SCHEDULER,
                                                    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                                                    | G_PARAM_STATIC_STRINGS);
  /* "all", "pending", "done", "failed": the win.filter action's state. */
  properties[PROP_FILTER] = g_param_spec_string ("filter", NULL, NULL, "all",
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                 | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  (void) lw_get_resource ();
  g_type_ensure (LW_TYPE_SIDEBAR);
  g_type_ensure (LW_TYPE_DROP_ZONE);
  g_type_ensure (LW_TYPE_STAGING_GRID);
  g_type_ensure (LW_TYPE_COMMAND_DOCK);
  g_type_ensure (LW_TYPE_STATUS_BANNER);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LwWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, job_name_label);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, filter_tabs);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, count_all);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, count_pending);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, count_done);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, count_failed);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, model_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, tile_scale);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, tile_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, canvas);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, canvas_stack);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, drop_zone);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, staging_grid);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, dock);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, tile_menu);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, module_prompt_button);

  lw_window_class_init_actions (widget_class);
}

static void
lw_window_init (LwWindow *self)
{
  g_autoptr(GtkStringList) models = gtk_string_list_new (NULL);

  /* The win.filter action reads it as soon as the template binds buttons. */
  self->filter_name = g_strdup ("all");
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "lightwork");

  self->cancellable = g_cancellable_new ();
  self->items = g_list_store_new (LW_TYPE_IMAGE_ITEM);
  self->incoming = g_ptr_array_new_with_free_func (g_object_unref);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->items)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  self->items_by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->items_by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->finish_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->pending_removal = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < G_N_ELEMENTS (model_ids); i++)
    gtk_string_list_append (models, lw_ui_model_label (model_ids[i]));
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->model_dropdown), G_LIST_MODEL (models));
  g_signal_connect (self->model_dropdown, "notify::selected", G_CALLBACK (model_selected_cb), self);
  g_signal_connect (self, "notify::default-width", G_CALLBACK (width_changed_cb), NULL);
  g_signal_connect (self->job_name_label, "notify::editing", G_CALLBACK (job_name_editing_cb), self);
  g_signal_connect (self->tile_adjustment, "value-changed", G_CALLBACK (tile_size_cb), self);
  g_signal_connect (self->staging_grid, "activate", G_CALLBACK (grid_activate_cb), self);
  g_signal_connect (self->staging_grid, "context-menu", G_CALLBACK (grid_context_menu_cb), self);
  g_signal_connect (lw_staging_grid_get_selection (self->staging_grid), "selection-changed",
                    G_CALLBACK (selection_changed_cb), self);

  /* GtkEditableLabel does not ellipsize by itself: a long job name would
   * widen the top bar, and with it the window's smallest width. */
  for (GtkWidget *w = gtk_widget_get_first_child (self->job_name_label); w != NULL;
       w = gtk_widget_get_first_child (w))
    if (GTK_IS_LABEL (w))
      {
        gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
        gtk_label_set_width_chars (GTK_LABEL (w), 6);
        gtk_label_set_max_width_chars (GTK_LABEL (w), 28);
        break;
      }

  self->prompt_editor = LW_PROMPT_EDITOR (lw_prompt_editor_new ());
  gtk_widget_set_parent (GTK_WIDGET (self->prompt_editor), GTK_WIDGET (self->staging_grid));
  g_signal_connect (self->prompt_editor, "apply", G_CALLBACK (prompt_apply_cb), self);

  lw_window_init_modules (self);

  self->tile_popover = gtk_popover_menu_new_from_model (self->tile_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->tile_popover), FALSE);
  gtk_widget_set_halign (self->tile_popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->tile_popover, GTK_WIDGET (self->staging_grid));
}

LwWindow *
lw_window_new (LwApplication *application)
{
  return g_object_new (LW_TYPE_WINDOW,
                       "application", application,
                       "core", lw_application_get_core (application),
                       "scheduler", lw_application_get_scheduler (application),
                       NULL);
}

LwWindow *
lw_window_new_for_core (LwCore      *core,
                        LwScheduler *scheduler)
{
  return g_object_new (LW_TYPE_WINDOW, "core", core, "scheduler", scheduler, NULL);
}

void
lw_window_open_files (LwWindow  *self,
                      GFile    **files,
                      int        n_files)
{
  g_autoptr(GSList) list = NULL;

  g_return_if_fail (LW_IS_WINDOW (self));

  for (int i = n_files - 1; i >= 0; i--)
    list = g_slist_prepend (list, files[i]);
  lw_window_stage_files (self, list, TRUE);
}

/* lw-window.c — the main window's widgets, kept in step with its session.
 *
 * The open job (its items, counts, undo, staging and loading) is the
 * session's (lw-job-session.h); every rule is the jobs service's. Commands
 * live in lw-window-actions.c; dropping, pasting, choosing and saving in
 * lw-window-dnd.c; modules and the API key in lw-window-modules.c.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-engine.h"
#include "lw-image-io.h"
#include "lw-models.h"
#include "lw-modules.h"
#include "lw-resources.h"
#include "lw-settings.h"
#include "lw-ui-util.h"
#include "lw-window-private.h"

G_DEFINE_FINAL_TYPE (LwWindow, lw_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_JOBS,
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
/* GTK 4.8's grid makes a tile for every item of about 30 rows as soon as
 * they are in its model: a 5,000-photo drop made ~160 tiles, then measured
 * and drew them, all between two frames (60 ms). The session's items go in
 * 32 at a time, one batch a frame, until a batch makes no new tile once laid
 * out (the grid has all it keeps); then the rest at once, which costs the
 * grid next to nothing. */
#define GROW_BATCH     32
#define GROW_PERIOD_MS 16

static const LwJob *
shown_job (LwWindow *self)
{
  return lw_job_session_get_job (self->session);
}

gint64
lw_window_get_job_id (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->session != NULL ? lw_job_session_get_job_id (self->session) : 0;
}

LwJobSession *
lw_window_get_session (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), NULL);

  return self->session;
}

LwJobs *
lw_window_get_jobs (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), NULL);

  return self->jobs;
}

GListModel *
lw_window_get_filtered (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->filtered);
}

LwImageItem *
lw_window_find_item (LwWindow *self,
                     gint64    image_id)
{
  return lw_job_session_find_item (self->session, image_id);
}

void
lw_window_toast (LwWindow   *self,
                 const char *title)
{
  lw_window_add_toast (self, adw_toast_new (title));
}

void
lw_window_add_toast (LwWindow *self,
                     AdwToast *toast)
{
  /* Toasts queue behind the one shown: tests read what was said last. */
  g_free (self->last_toast);
  self->last_toast = g_strdup (adw_toast_get_title (toast));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
lw_window_toast_error (LwWindow     *self,
                       const GError *error)
{
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lw_window_toast (self, error->message);
}

/* ---- the filter -------------------------------------------------------- */

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  LwWindow *self = user_data;

  if (g_strcmp0 (self->filter_name, "all") == 0)
    return TRUE;
  /* Reviews cut across the status buckets (a redone photo keeps its). */
  if (g_strcmp0 (self->filter_name, "accepted") == 0)
    return lw_image_item_get_review (item) == LW_REVIEW_ACCEPTED;
  if (g_strcmp0 (self->filter_name, "rejected") == 0)
    return lw_image_item_get_review (item) == LW_REVIEW_REJECTED;
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
  lw_window_update_canvas (self);
  lw_window_update_actions (self);
}

void
lw_window_update_canvas (LwWindow *self)
{
  gboolean has_items = g_list_model_get_n_items (lw_job_session_get_items (self->session)) > 0;

  gtk_stack_set_visible_child_name (GTK_STACK (self->canvas_stack), lw_window_canvas_page (self, has_items));
  /* The dock springs in when the first photos land. */
  lw_command_dock_set_revealed (self->dock, has_items);
}

/* ---- pacing the session's items ---------------------------------------- */

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
        lw_job_session_flush (self->session);
      self->grow_frame = frame;
    }
  else
    self->grow_frame = -1;
  self->grow_tiles = tiles;
  if (lw_job_session_grow (self->session, GROW_BATCH) > 0)
    return G_SOURCE_CONTINUE;
  self->grow_id = 0;
  lw_window_update_canvas (self);
  return G_SOURCE_REMOVE;
}

static void
incoming_cb (LwJobSession *session,
             LwWindow     *self)
{
  GdkFrameClock *clock;

  if (self->grow_id != 0)
    return;
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self->staging_grid));
  /* The first batch at once: the first tiles show in the next frame. */
  self->grow_frame = clock != NULL ? gdk_frame_clock_get_frame_counter (clock) : -1;
  self->grow_tiles = lw_staging_grid_get_n_tiles (self->staging_grid);
  if (lw_job_session_grow (session, GROW_BATCH) > 0)
    self->grow_id = g_timeout_add (GROW_PERIOD_MS, grow_cb, self);
  lw_window_update_canvas (self);
}

/* ---- the header -------------------------------------------------------- */

void
lw_window_sync_header (LwWindow *self)
{
  const LwJob *job = shown_job (self);
  const char *model = lw_job_session_get_model (self->session);
  const char *module_id = lw_job_session_get_module_id (self->session);
  const LwModelInfo *models;
  const LwModule *module;
  guint n_models;

  self->updating_ui = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->job_name_label), job != NULL ? job->name : _("New Job"));
  gtk_widget_set_sensitive (self->job_name_label, job != NULL);
  models = lw_models_list (&n_models);
  for (guint i = 0; i < n_models; i++)
    if (g_strcmp0 (models[i].id, model) == 0)
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->model_dropdown), i);
  lw_module_list_select (lw_sidebar_get_module_list (self->sidebar), module_id);
  module = lw_module_list_find (lw_sidebar_get_module_list (self->sidebar), module_id);
  lw_drop_zone_set_module (self->drop_zone, module != NULL ? module->name : NULL);
  self->updating_ui = FALSE;
}

/* ---- jobs -------------------------------------------------------------- */

void
lw_window_load_job (LwWindow *self,
                    gint64    job_id)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LW_IS_WINDOW (self));

  if (!lw_job_session_open (self->session, job_id, &error))
    lw_window_toast (self, error->message);
}

void
lw_window_select_module (LwWindow   *self,
                         const char *module_id)
{
  g_autoptr(GError) error = NULL;
  const LwModule *module = lw_module_list_find (lw_sidebar_get_module_list (self->sidebar), module_id);

  if (module == NULL)
    return;
  if (!lw_job_session_select_module (self->session, module_id, &error))
    {
      /* The service refuses once the job ran or runs: the choice is the
       * next job's. */
      if (g_error_matches (error, LW_JOBS_ERROR, LW_JOBS_ERROR_RUNNING)
          || g_error_matches (error, LW_JOBS_ERROR, LW_JOBS_ERROR_STATE))
        {
          /* TRANSLATORS: toast when the module of a launched job cannot change */
          g_autofree char *text = g_strdup_printf (_("%s will apply to your next job"), module->name);

          lw_window_toast (self, text);
        }
      else
        lw_window_toast (self, error->message);
    }
  lw_window_sync_header (self);
}

void
lw_window_set_model (LwWindow   *self,
                     const char *model)
{
  g_autoptr(GError) error = NULL;

  if (!lw_models_is_known (model))
    return;
  if (!lw_job_session_set_model (self->session, model, &error))
    lw_window_toast (self, g_error_matches (error, LW_JOBS_ERROR, LW_JOBS_ERROR_RUNNING)
                             ? _("Cancel the job before switching its model") : error->message);
  lw_window_sync_header (self);
  lw_window_refresh_now (self);
}

void
lw_window_reload_modules (LwWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) modules = lw_jobs_list_modules (self->jobs, &error);

  if (modules == NULL)
    {
      g_warning ("Could not list modules: %s", error->message);
      return;
    }
  lw_module_list_set_modules (lw_sidebar_get_module_list (self->sidebar), modules);
  lw_window_sync_header (self);
}

/* ---- the session's signals --------------------------------------------- */

static void
session_changed_cb (LwJobSession *session,
                    LwWindow     *self)
{
  lw_window_refresh_now (self);
}

static void
jobs_changed_cb (LwJobSession *session,
                 LwWindow     *self)
{
  lw_window_refresh_jobs (self);
}

static void
job_id_cb (LwJobSession *session,
           GParamSpec   *pspec,
           LwWindow     *self)
{
  g_clear_handle_id (&self->grow_id, g_source_remove);
  lw_window_sync_header (self);
  lw_window_refresh_jobs (self);
  lw_window_refresh_now (self);
}

static void
running_cb (LwJobSession *session,
            GParamSpec   *pspec,
            LwWindow     *self)
{
  lw_window_sync_header (self);
  lw_window_refresh_now (self);
}

static void
job_finished_cb (LwJobSession *session,
                 gboolean      with_failures,
                 LwWindow     *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  lw_window_toast (self, with_failures ? _("Job finished, with some failures") : _("Job finished"));
  /* Cancel went insensitive under the keyboard (or there was none): the
   * next thing to do is Save All. A focus on the photos stays there. */
  lw_window_refresh_now (self);
  if (focus == NULL || !gtk_widget_get_mapped (focus) || !gtk_widget_is_sensitive (focus)
      || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->dock)))
    lw_command_dock_focus (self->dock);
}

static void
session_error_cb (LwJobSession *session,
                  const GError *error,
                  LwWindow     *self)
{
  lw_window_toast_error (self, error);
}

static void
paused_cb (LwJobSession *session,
           GParamSpec   *pspec,
           LwWindow     *self)
{
  lw_window_update_banner (self);
  /* The sidebar's row says "Paused", not "Running". */
  lw_window_refresh_jobs (self);
  lw_window_refresh_now (self);
}

/* ---- widgets' signals -------------------------------------------------- */

static gboolean
focus_photos_idle (gpointer data)
{
  LwWindow *self = data;
  GtkWidget *focus;

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return G_SOURCE_REMOVE;
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus != NULL && (focus == self->job_name_label || gtk_widget_is_ancestor (focus, self->job_name_label)))
    {
      if (!gtk_widget_grab_focus (GTK_WIDGET (self->staging_grid)))
        gtk_window_set_focus (GTK_WINDOW (self), NULL);
    }
  return G_SOURCE_REMOVE;
}

static void
job_name_editing_cb (GtkEditableLabel *label,
                     GParamSpec       *pspec,
                     LwWindow         *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  const LwJob *job = shown_job (self);

  if (self->updating_ui || gtk_editable_label_get_editing (label) || job == NULL)
    return;
  /* Focus goes back to the photos: left on the label (GTK 4.8's
   * stop_editing grabs it after this notification), its focus-out timer
   * fires after the window is gone, on a freed controller (Gtk-CRITICAL).
   * So once the label is done, from an idle. */
  g_idle_add_full (G_PRIORITY_HIGH_IDLE, focus_photos_idle, g_object_ref (self), g_object_unref);
  gtk_widget_set_focusable (GTK_WIDGET (label), FALSE);
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (label))));
  if (*name == '\0' || g_strcmp0 (name, job->name) == 0)
    {
      lw_window_sync_header (self);
      return;
    }
  if (!lw_job_session_rename (self->session, name, &error))
    {
      lw_window_toast (self, error->message);
      lw_window_sync_header (self);
    }
}

static void
model_selected_cb (GtkDropDown *dropdown,
                   GParamSpec  *pspec,
                   LwWindow    *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  guint n_models;
  const LwModelInfo *models = lw_models_list (&n_models);

  if (self->updating_ui || selected >= n_models)
    return;
  lw_window_set_model (self, models[selected].id);
}

static void
tile_size_cb (GtkAdjustment *adjustment,
              LwWindow      *self)
{
  int size = (int) gtk_adjustment_get_value (adjustment);

  lw_staging_grid_set_tile_size (self->staging_grid, size);
  /* A window-only setting: it belongs to the data folder, not the job. */
  if (self->jobs != NULL && !self->updating_ui)
    lw_settings_set_int (lw_jobs_get_store (self->jobs), LW_SETTING_TILE_SIZE, size, NULL);
}

/* Return or a double click: a finished photo opens large, one still to be
 * processed opens its instruction (Ctrl+I edits it either way). */
static void
grid_activate_cb (LwStagingGrid *grid,
                  guint          position,
                  LwWindow      *self)
{
  g_autoptr(LwImageItem) item = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  LwImageStatus status = item != NULL ? lw_image_item_get_status (item) : LW_IMAGE_PENDING;

  if (item != NULL && lw_image_item_get_phase (item) == LW_IMAGE_ITEM_STAGED
      && (status == LW_IMAGE_COMPLETED || status == LW_IMAGE_FAILED))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.view", NULL);
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.edit-instruction", NULL);
}

static void
grid_context_menu_cb (LwStagingGrid *grid,
                      double         x,
                      double         y,
                      LwWindow      *self)
{
  gtk_popover_set_pointing_to (GTK_POPOVER (self->tile_popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  lw_window_popup (self, self->tile_popover);
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
  g_autoptr(GError) error = NULL;

  if (!lw_job_session_set_instruction (self->session, selected, instruction, &error))
    {
      lw_window_toast (self, error->message);
      return;
    }
  /* Finished results no longer match their instruction: redo them now? */
  lw_window_ask_redo (self, selected);
}

/* ---- GObject ----------------------------------------------------------- */

static void
connect_session (LwWindow *self)
{
  g_signal_connect (self->session, "changed", G_CALLBACK (session_changed_cb), self);
  g_signal_connect (self->session, "jobs-changed", G_CALLBACK (jobs_changed_cb), self);
  g_signal_connect (self->session, "incoming", G_CALLBACK (incoming_cb), self);
  g_signal_connect (self->session, "job-finished", G_CALLBACK (job_finished_cb), self);
  g_signal_connect (self->session, "error", G_CALLBACK (session_error_cb), self);
  g_signal_connect (self->session, "notify::job-id", G_CALLBACK (job_id_cb), self);
  g_signal_connect (self->session, "notify::running", G_CALLBACK (running_cb), self);
  g_signal_connect (self->session, "notify::paused", G_CALLBACK (paused_cb), self);
}

static void
lw_window_constructed (GObject *object)
{
  LwWindow *self = LW_WINDOW (object);
  LwCore *core;
  int tile_size;

  G_OBJECT_CLASS (lw_window_parent_class)->constructed (object);

  g_assert (self->jobs != NULL);
  core = lw_jobs_get_core (self->jobs);
  self->session = lw_job_session_new (self->jobs);
  /* Items go into the grid's model a batch a frame (incoming_cb). */
  lw_job_session_set_paced (self->session, TRUE);
  self->filtered = gtk_filter_list_model_new (g_object_ref (lw_job_session_get_items (self->session)),
                                              g_object_ref (GTK_FILTER (self->filter)));

  self->cache = lw_texture_cache_new (TEXTURE_LONG_EDGE, TEXTURE_CACHE_BYTES);
  lw_staging_grid_setup (self->staging_grid, self->cache, lw_blob_store_get_root (lw_core_get_blobs (core)));
  lw_staging_grid_set_model (self->staging_grid, G_LIST_MODEL (self->filtered));
  connect_session (self);

  self->updating_ui = TRUE;
  tile_size = (int) lw_settings_get_int (lw_jobs_get_store (self->jobs), LW_SETTING_TILE_SIZE);
  gtk_adjustment_set_value (self->tile_adjustment, CLAMP (tile_size, LW_TILE_SIZE_MIN, LW_TILE_SIZE_MAX));
  self->updating_ui = FALSE;

  lw_window_reload_modules (self);
  lw_window_init_dnd (self);
  lw_window_init_state (self);
  lw_window_init_review (self);
  lw_window_init_views (self);
  lw_window_init_adaptive (self);
  lw_window_init_focus (self);
  lw_window_init_economy (self);
  lw_window_init_actions (self);

  /* The last job comes back as it was. */
  lw_job_session_restore (self->session);
  lw_window_sync_header (self);
  lw_window_refresh_jobs (self);
  lw_window_refresh_now (self);
  lw_window_init_frame_stats (self);
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
  g_clear_handle_id (&self->grow_id, g_source_remove);
  lw_window_dispose_focus (self);
  g_clear_weak_pointer (&self->chooser);
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  lw_window_dispose_economy (self);
  /* Removals under undo become final with the session. */
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);

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
  g_clear_object (&self->cache);
  g_clear_object (&self->jobs);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lw_window_parent_class)->dispose (object);
}

static void
lw_window_finalize (GObject *object)
{
  LwWindow *self = LW_WINDOW (object);

  g_free (self->filter_name);
  g_free (self->last_toast);

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
    case PROP_JOBS: g_value_set_object (value, self->jobs); break;
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
    case PROP_JOBS: self->jobs = g_value_dup_object (value); break;
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

  properties[PROP_JOBS] = g_param_spec_object ("jobs", NULL, NULL, LW_TYPE_JOBS,
                                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* "all", "pending", "done", "failed", "accepted", "rejected": the
   * win.filter action's state. */
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
  gtk_widget_class_bind_template_child (widget_class, LwWindow, filter_accepted);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, filter_rejected);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, count_accepted);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, count_rejected);
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
  gtk_widget_class_bind_template_child (widget_class, LwWindow, filter_empty_page);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, filter_menu_button);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, crumb_root);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, crumb_separator);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, tile_size_box);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, filter_slot);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, model_slot);
  gtk_widget_class_bind_template_child (widget_class, LwWindow, narrow_bar);

  lw_window_class_init_actions (widget_class);
  lw_window_class_init_focus (widget_class);
  lw_window_class_init_economy (widget_class);
}

static void
lw_window_init (LwWindow *self)
{
  g_autoptr(GtkStringList) models = gtk_string_list_new (NULL);
  const LwModelInfo *model_infos;
  guint n_models;

  /* The win.filter action reads it as soon as the template binds buttons. */
  self->filter_name = g_strdup ("all");
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "lightwork");

  self->cancellable = g_cancellable_new ();
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  /* The model switch lists the models' table, in its order. */
  model_infos = lw_models_list (&n_models);
  for (guint i = 0; i < n_models; i++)
    gtk_string_list_append (models, lw_ui_model_label (model_infos[i].id));
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->model_dropdown), G_LIST_MODEL (models));
  g_signal_connect (self->model_dropdown, "notify::selected", G_CALLBACK (model_selected_cb), self);
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
                       "jobs", lw_application_get_jobs (application),
                       NULL);
}

LwWindow *
lw_window_new_for_jobs (LwJobs *jobs)
{
  g_return_val_if_fail (LW_IS_JOBS (jobs), NULL);

  return g_object_new (LW_TYPE_WINDOW, "jobs", jobs, NULL);
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

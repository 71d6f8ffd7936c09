/* lw-window-actions.c — every command of the window, and every key, in one
 * place. Buttons, menus, shortcuts and the shortcuts window all point at
 * these actions, so a batch can be staged, launched, watched, retried and
 * saved without the mouse.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-models.h"
#include "lw-preferences.h"
#include "lw-viewer.h"
#include "lw-window-private.h"

/* (detailed action, accelerator) pairs: the one table of keys. The
 * shortcuts window (ui/help-overlay.ui) lists the same; a test checks. */
static const char * const accels[] = {
  "win.open", "<Control>o",
  "win.paste", "<Control>v",
  "win.new-job", "<Control>n",
  "win.select-module(0)", "<Control>1",
  "win.select-module(1)", "<Control>2",
  "win.select-module(2)", "<Control>3",
  "win.select-module(3)", "<Control>4",
  "win.select-module(4)", "<Control>5",
  "win.select-module(5)", "<Control>6",
  "win.select-module(6)", "<Control>7",
  "win.select-module(7)", "<Control>8",
  "win.select-module(8)", "<Control>9",
  "win.launch", "<Control>Return",
  "win.launch", "<Control>KP_Enter",
  "win.trial", "<Control><Shift>Return",
  "win.ask-cancel", "Escape",
  "win.save-all", "<Control><Shift>s",
  "win.filter::all", "<Alt>1",
  "win.filter::pending", "<Alt>2",
  "win.filter::done", "<Alt>3",
  "win.filter::failed", "<Alt>4",
  "win.filter::accepted", "<Alt>5",
  "win.filter::rejected", "<Alt>6",
  /* One key each, as in the viewer: P (pick), X (reject), U (undecided). */
  "win.review::accepted", "p",
  "win.review::rejected", "x",
  "win.review::undecided", "u",
  "win.select-all", "<Control>a",
  "win.view", "space",
  "win.edit-instruction", "<Control>i",
  "win.edit-module-prompt", "<Control><Shift>i",
  "win.retry", "<Control>r",
  "win.retry-failed", "<Control><Shift>r",
  "win.remove", "Delete",
  "win.undo-remove", "<Control>z",
  "win.open-original", "<Control><Shift>o",
  "win.zoom-in", "<Control>plus",
  "win.zoom-in", "<Control>equal",
  "win.zoom-out", "<Control>minus",
  "win.toggle-sidebar", "F9",
  "win.rename-current-job", "F2",
  "win.preferences", "<Control>comma",
  "window.close", "<Control>w",
  NULL
};

const char * const *
lw_window_get_accels (void)
{
  return accels;
}

static gboolean
selection_any (LwWindow *self,
               gboolean (*pred) (LwImageItem *item))
{
  g_autoptr(GPtrArray) selected = lw_staging_grid_get_selected (self->staging_grid);

  for (guint i = 0; i < selected->len; i++)
    if (pred (g_ptr_array_index (selected, i)))
      return TRUE;
  return FALSE;
}

static gboolean
is_staged (LwImageItem *item)
{
  return lw_image_item_get_phase (item) == LW_IMAGE_ITEM_STAGED;
}

static gboolean
is_finished (LwImageItem *item)
{
  LwImageStatus status = lw_image_item_get_status (item);

  return is_staged (item) && (status == LW_IMAGE_COMPLETED || status == LW_IMAGE_FAILED
                              || status == LW_IMAGE_RETRY_LATER);
}

static gboolean
is_completed (LwImageItem *item)
{
  return is_staged (item) && lw_image_item_get_status (item) == LW_IMAGE_COMPLETED;
}

static gboolean
is_removable (LwImageItem *item)
{
  return lw_image_item_get_phase (item) != LW_IMAGE_ITEM_STAGING
         && lw_image_item_get_status (item) != LW_IMAGE_PROCESSING;
}

void
lw_window_update_actions (LwWindow *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  gboolean has_job, running, exporting;
  LwJobCounts counts;
  guint n_selected;
  double size;

  if (gtk_widget_in_destruction (w) || self->staging_grid == NULL || self->session == NULL)
    return;
  has_job = lw_job_session_get_job (self->session) != NULL;
  running = lw_job_session_get_running (self->session);
  exporting = lw_job_session_get_exporting (self->session);
  lw_job_session_get_counts (self->session, &counts, NULL);
  size = gtk_adjustment_get_value (self->tile_adjustment);
  {
    g_autoptr(GtkBitset) bits = gtk_selection_model_get_selection (lw_staging_grid_get_selection (self->staging_grid));

    n_selected = (guint) gtk_bitset_get_size (bits);
  }

  gtk_widget_action_set_enabled (w, "win.launch",
                                 has_job && !running && counts.pending + counts.retry_later > 0);
  gtk_widget_action_set_enabled (w, "win.trial",
                                 has_job && !running && counts.pending + counts.retry_later > 0);
  gtk_widget_action_set_enabled (w, "win.cancel", running);
  gtk_widget_action_set_enabled (w, "win.ask-cancel", running);
  /* A cancelled job's requests still landing (lw-window-focus.c). */
  gtk_widget_action_set_enabled (w, "win.stop-now", !running && lw_job_session_get_in_flight (self->session) > 0);
  gtk_widget_action_set_enabled (w, "win.save-all", has_job && counts.completed > 0 && !exporting);
  gtk_widget_action_set_enabled (w, "win.save-all-to", has_job && counts.completed > 0 && !exporting);
  {
    int accepted = 0;

    lw_job_session_get_review_counts (self->session, &accepted, NULL);
    gtk_widget_action_set_enabled (w, "win.save-accepted-to", has_job && accepted > 0 && !exporting);
  }
  gtk_widget_action_set_enabled (w, "win.review", n_selected > 0 && selection_any (self, is_completed));
  gtk_widget_action_set_enabled (w, "win.retry-failed", has_job && counts.failed > 0);
  gtk_widget_action_set_enabled (w, "win.rename-current-job", has_job);
  gtk_widget_action_set_enabled (w, "win.delete-current-job", has_job);
  gtk_widget_action_set_enabled (w, "win.select-all", g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0);
  gtk_widget_action_set_enabled (w, "win.zoom-in", size < LW_TILE_SIZE_MAX);
  gtk_widget_action_set_enabled (w, "win.zoom-out", size > LW_TILE_SIZE_MIN);
  gtk_widget_action_set_enabled (w, "win.edit-instruction", n_selected > 0 && selection_any (self, is_staged));
  gtk_widget_action_set_enabled (w, "win.view", n_selected > 0 && selection_any (self, is_staged));
  gtk_widget_action_set_enabled (w, "win.retry", n_selected > 0 && selection_any (self, is_finished));
  gtk_widget_action_set_enabled (w, "win.remove", n_selected > 0 && selection_any (self, is_removable));
  gtk_widget_action_set_enabled (w, "win.open-original", n_selected == 1 && selection_any (self, is_staged));
  lw_window_update_module_actions (self);
}

/* ---- staging ----------------------------------------------------------- */

static void
open_action (GtkWidget *widget, const char *name, GVariant *param)
{
  lw_window_choose_files (LW_WINDOW (widget), FALSE);
}

static void
add_folder_action (GtkWidget *widget, const char *name, GVariant *param)
{
  lw_window_choose_files (LW_WINDOW (widget), TRUE);
}

static void
paste_action (GtkWidget *widget, const char *name, GVariant *param)
{
  lw_window_paste (LW_WINDOW (widget));
}

static void
stage_paths_action (GtkWidget *widget, const char *name, GVariant *param)
{
  g_autofree const char **paths = g_variant_get_strv (param, NULL);

  lw_window_stage_paths (LW_WINDOW (widget), paths, FALSE);
}

static void
new_job_action (GtkWidget *widget, const char *name, GVariant *param)
{
  lw_job_session_new_job (lw_window_get_session (LW_WINDOW (widget)));
  /* The photos' tiles went: the keyboard goes to Choose Photos…. */
  lw_window_focus_photos_later (LW_WINDOW (widget));
}

static void
select_module_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  const LwModule *module = lw_module_list_get_module (lw_sidebar_get_module_list (self->sidebar),
                                                      (guint) g_variant_get_int32 (param));

  if (module != NULL)
    lw_window_select_module (self, module->id);
}

/* ---- running ----------------------------------------------------------- */

static void
launch_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  /* The session makes a removal under an Undo toast final first: those
   * photos must not be sent. */
  if (lw_job_session_get_job (self->session) != NULL && !lw_job_session_launch (self->session, &error))
    lw_window_toast (self, error->message);
  lw_window_refresh_now (self);
}

static void
trial_action (GtkWidget *widget, const char *name, GVariant *param)
{
  lw_window_trial (LW_WINDOW (widget));
}

/* Nothing new starts; the requests in flight land and are kept (the dock
 * says "Finishing 2 in flight…" and offers Stop Now). */
static void
cancel_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  gboolean on_dock = focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->dock));

  if (lw_job_session_get_job (self->session) != NULL && !lw_job_session_cancel (self->session, &error))
    lw_window_toast (self, error->message);
  lw_window_refresh_now (self);
  /* Cancel went insensitive under the keyboard: it moves on to Stop Now
   * (or Launch once nothing is in flight), not to the window's start. */
  if (on_dock)
    lw_command_dock_focus (self->dock);
}

static void
resume_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);

  lw_status_banner_hide (self->banner);
  lw_job_session_resume (self->session);
  lw_window_refresh_now (self);
}

static void
use_local_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  gboolean was_running = lw_job_session_get_running (self->session);

  /* The model changes only while the job is stopped; the old model's pause
   * is cleared, as nothing of this job waits for it any more. */
  if (was_running)
    lw_job_session_cancel (self->session, NULL);
  lw_job_session_resume (self->session);
  lw_window_set_model (self, LW_MODEL_LOCAL);
  lw_status_banner_hide (self->banner);
  if (was_running)
    gtk_widget_activate_action (widget, "win.launch", NULL);
}

/* Retry on a finished photo is a new take: never an earlier result, even
 * an identical one of another job. The service launches a stopped job. */
static void
retry_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lw_staging_grid_get_selected (self->staging_grid);
  g_autoptr(GError) error = NULL;

  if (lw_job_session_retry (self->session, selected, TRUE, &error) < 0)
    lw_window_toast (self, error->message);
  lw_window_refresh_now (self);
}

static void
retry_failed_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (lw_job_session_get_job (self->session) != NULL && lw_job_session_retry_failed (self->session, &error) < 0)
    lw_window_toast (self, error->message);
  lw_window_refresh_now (self);
}

/* ---- saving ------------------------------------------------------------ */

/* With accepted photos, a choice first: all of them or the accepted. */
static void
save_all_action (GtkWidget *widget, const char *name, GVariant *param)
{
  lw_window_ask_save (LW_WINDOW (widget));
}

static void
save_all_to_action (GtkWidget *widget, const char *name, GVariant *param)
{
  lw_window_save_all_to (LW_WINDOW (widget), g_variant_get_string (param, NULL), LW_EXPORT_ALL);
}

static void
save_accepted_to_action (GtkWidget *widget, const char *name, GVariant *param)
{
  lw_window_save_all_to (LW_WINDOW (widget), g_variant_get_string (param, NULL), LW_EXPORT_ACCEPTED);
}

static void
open_folder_action (GtkWidget *widget, const char *name, GVariant *param)
{
  g_autoptr(GFile) file = g_file_new_for_path (g_variant_get_string (param, NULL));
  g_autofree char *uri = g_file_get_uri (file);

  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
}

/* ---- the selection ----------------------------------------------------- */

static void
select_all_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);

  gtk_selection_model_select_all (lw_staging_grid_get_selection (self->staging_grid));
}

static void
edit_instruction_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lw_staging_grid_get_selected (self->staging_grid);
  const LwModule *module;
  const char *shared = NULL;
  gboolean differ = FALSE;
  guint n = 0;
  GdkRectangle rect;

  const LwJob *job = lw_job_session_get_job (self->session);

  if (job == NULL)
    return;
  for (guint i = 0; i < selected->len; i++)
    {
      LwImageItem *item = g_ptr_array_index (selected, i);

      if (!is_staged (item))
        continue;
      if (n++ == 0)
        shared = lw_image_item_get_specific_prompt (item);
      else if (g_strcmp0 (shared, lw_image_item_get_specific_prompt (item)) != 0)
        differ = TRUE;
    }
  if (n == 0)
    return;
  module = lw_module_list_find (lw_sidebar_get_module_list (self->sidebar), job->module_id);
  lw_prompt_editor_setup (self->prompt_editor, module != NULL ? module->name : job->module_id,
                          job->prompt, n, differ ? NULL : shared);
  lw_staging_grid_get_focus_rect (self->staging_grid, &rect);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->prompt_editor), &rect);
  lw_window_popup (self, GTK_WIDGET (self->prompt_editor));
}

/* "accepted", "rejected", "undecided" (lw_review_to_string, lower case). */
static void
review_action (GtkWidget *widget, const char *name, GVariant *param)
{
  g_autofree char *upper = g_ascii_strup (g_variant_get_string (param, NULL), -1);
  LwReview review;

  if (lw_review_from_string (upper, &review))
    lw_window_review (LW_WINDOW (widget), review);
}

/* The viewer closed on item: the grid follows to where the user looked. */
static void
viewer_closed_cb (LwViewer    *viewer,
                  LwImageItem *item,
                  LwWindow    *self)
{
  GtkSelectionModel *selection = lw_staging_grid_get_selection (self->staging_grid);
  guint position;

  if (item == NULL || !g_list_store_find (G_LIST_STORE (lw_job_session_get_items (self->session)), item, &position))
    return;
  for (position = 0; position < g_list_model_get_n_items (G_LIST_MODEL (self->filtered)); position++)
    {
      g_autoptr(LwImageItem) shown = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

      if (shown == item)
        {
          gtk_selection_model_select_item (selection, position, TRUE);
          gtk_widget_activate_action (lw_staging_grid_get_grid_view (self->staging_grid), "list.scroll-to-item",
                                      "u", position);
          break;
        }
    }
}

/* The first selected photo large, stepping through what the grid shows. */
static void
view_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lw_staging_grid_get_selected (self->staging_grid);

  for (guint i = 0; i < selected->len; i++)
    {
      LwImageItem *item = g_ptr_array_index (selected, i);

      if (!is_staged (item))
        continue;
      if (self->viewer == NULL)
        {
          self->viewer = lw_viewer_new (GTK_WINDOW (self), self->session, G_LIST_MODEL (self->filtered));
          g_object_add_weak_pointer (G_OBJECT (self->viewer), (gpointer *) &self->viewer);
          g_signal_connect_object (self->viewer, "closed", G_CALLBACK (viewer_closed_cb), self, 0);
        }
      lw_viewer_show_item (self->viewer, item);
      return;
    }
}

static void
undo_remove_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);

  lw_job_session_undo_remove (self->session);
  if (self->removal_toast != NULL)
    adw_toast_dismiss (self->removal_toast);
}

static void
removal_toast_dismissed_cb (AdwToast *toast,
                            LwWindow *self)
{
  if (self->removal_toast == toast)
    self->removal_toast = NULL;
  /* The undo time is over: the rows go. */
  lw_job_session_commit_removals (self->session);
}

static void
remove_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lw_staging_grid_get_selected (self->staging_grid);
  g_autofree char *title = NULL;
  AdwToast *toast;
  guint n;

  /* One undo at a time: the previous removal becomes final. */
  if (self->removal_toast != NULL)
    adw_toast_dismiss (self->removal_toast);
  n = lw_job_session_remove (self->session, selected);
  if (n == 0)
    return;

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Removed %u photo", "Removed %u photos", n), n);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("Undo"));
  adw_toast_set_action_name (toast, "win.undo-remove");
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (toast, "dismissed", G_CALLBACK (removal_toast_dismissed_cb), self);
  self->removal_toast = toast;
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
open_original_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  g_autoptr(GPtrArray) selected = lw_staging_grid_get_selected (self->staging_grid);
  LwImageItem *item;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (selected->len != 1)
    return;
  item = g_ptr_array_index (selected, 0);
  /* The file where it came from if it is still there, else our copy. */
  if (lw_image_item_get_source_path (item) != NULL
      && g_file_test (lw_image_item_get_source_path (item), G_FILE_TEST_IS_REGULAR))
    path = g_strdup (lw_image_item_get_source_path (item));
  else if (lw_image_item_get_original_key (item) != NULL)
    path = lw_blob_store_path (lw_core_get_blobs (lw_jobs_get_core (self->jobs)),
                               lw_image_item_get_original_key (item));
  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  uri = g_file_get_uri (file);
  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
}

/* ---- view -------------------------------------------------------------- */

static void
zoom (LwWindow *self,
      double    delta)
{
  gtk_adjustment_set_value (self->tile_adjustment, gtk_adjustment_get_value (self->tile_adjustment) + delta);
  lw_window_update_actions (self);
}

static void
zoom_in_action (GtkWidget *widget, const char *name, GVariant *param)
{
  zoom (LW_WINDOW (widget), 40);
}

static void
zoom_out_action (GtkWidget *widget, const char *name, GVariant *param)
{
  zoom (LW_WINDOW (widget), -40);
}

static void
toggle_sidebar_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

/* ---- jobs -------------------------------------------------------------- */

static void
open_job_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  gint64 id = g_variant_get_int64 (param);

  if (id != lw_window_get_job_id (self))
    lw_window_load_job (self, id);
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
}

static void
rename_current_job_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);

  if (lw_job_session_get_job (self->session) == NULL)
    return;
  /* Focusable only while it is edited: GTK 4.8's GtkEditableLabel leaves an
   * idle behind on focus-out that outlives a destroyed window. */
  gtk_widget_set_focusable (self->job_name_label, TRUE);
  gtk_widget_grab_focus (self->job_name_label);
  gtk_editable_label_start_editing (GTK_EDITABLE_LABEL (self->job_name_label));
}

static void
rename_job_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  gint64 id = g_variant_get_int64 (param);

  if (id != lw_window_get_job_id (self))
    lw_window_load_job (self, id);
  rename_current_job_action (widget, name, NULL);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    LwWindow         *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "lw-job-id"));
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") != 0)
    return;
  /* The service stops its work first; the shown job leaves the session. */
  if (!lw_job_session_delete_job (self->session, id, &error))
    lw_window_toast (self, error->message);
  lw_window_refresh_jobs (self);
  lw_window_refresh_now (self);
}

static void
delete_job_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  gint64 id = g_variant_get_int64 (param);
  g_autoptr(LwJob) job = lw_jobs_get (self->jobs, id, NULL);
  GtkWidget *dialog;

  if (job == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Delete Job?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” and its results will be deleted from LightWork. Photos you saved stay where they are."),
                                  job->name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "lw-job-id", GSIZE_TO_POINTER ((gsize) id));
  g_signal_connect (dialog, "response", G_CALLBACK (delete_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
delete_current_job_action (GtkWidget *widget, const char *name, GVariant *param)
{
  gint64 id = lw_window_get_job_id (LW_WINDOW (widget));
  g_autoptr(GVariant) target = NULL;

  if (id <= 0)
    return;
  target = g_variant_ref_sink (g_variant_new_int64 (id));
  delete_job_action (widget, name, target);
}

/* ---- preferences ------------------------------------------------------- */

static void
preferences_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  LwPreferences *preferences = lw_preferences_new (GTK_WINDOW (self), self->jobs);

  gtk_window_present (GTK_WINDOW (preferences));
}

/* ---- installation ------------------------------------------------------ */

static void
bind_accels (GtkWidgetClass *widget_class)
{
  for (guint i = 0; accels[i] != NULL; i += 2)
    {
      g_autofree char *action = NULL;
      g_autoptr(GVariant) target = NULL;
      g_autoptr(GError) error = NULL;
      GtkShortcut *shortcut;

      if (!g_action_parse_detailed_name (accels[i], &action, &target, &error))
        g_error ("Bad action %s: %s", accels[i], error->message);
      shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (accels[i + 1]),
                                   gtk_named_action_new (action));
      if (target != NULL)
        gtk_shortcut_set_arguments (shortcut, target);
      gtk_widget_class_add_shortcut (widget_class, shortcut);
      g_object_unref (shortcut);
    }
}

/* GTK 4.8 binds Space on every grid item to "select" (the item is
 * selected already); photo browsers open the photo with it, so the grid
 * hears it first. Disabled win.view (nothing staged selected) lets it
 * through. */
void
lw_window_init_actions (LwWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                                          gtk_named_action_new ("win.view")));
  gtk_widget_add_controller (lw_staging_grid_get_grid_view (self->staging_grid), controller);
}

void
lw_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.add-folder", NULL, add_folder_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.stage-paths", "as", stage_paths_action);
  gtk_widget_class_install_action (widget_class, "win.new-job", NULL, new_job_action);
  gtk_widget_class_install_action (widget_class, "win.select-module", "i", select_module_action);
  gtk_widget_class_install_action (widget_class, "win.launch", NULL, launch_action);
  gtk_widget_class_install_action (widget_class, "win.trial", NULL, trial_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "win.use-local", NULL, use_local_action);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "win.retry-failed", NULL, retry_failed_action);
  gtk_widget_class_install_action (widget_class, "win.save-all", NULL, save_all_action);
  gtk_widget_class_install_action (widget_class, "win.save-all-to", "s", save_all_to_action);
  gtk_widget_class_install_action (widget_class, "win.save-accepted-to", "s", save_accepted_to_action);
  gtk_widget_class_install_action (widget_class, "win.review", "s", review_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", "s", open_folder_action);
  gtk_widget_class_install_property_action (widget_class, "win.filter", "filter");
  gtk_widget_class_install_action (widget_class, "win.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "win.edit-instruction", NULL, edit_instruction_action);
  gtk_widget_class_install_action (widget_class, "win.view", NULL, view_action);
  gtk_widget_class_install_action (widget_class, "win.remove", NULL, remove_action);
  gtk_widget_class_install_action (widget_class, "win.undo-remove", NULL, undo_remove_action);
  gtk_widget_class_install_action (widget_class, "win.open-original", NULL, open_original_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, toggle_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.open-job", "x", open_job_action);
  gtk_widget_class_install_action (widget_class, "win.rename-job", "x", rename_job_action);
  gtk_widget_class_install_action (widget_class, "win.rename-current-job", NULL, rename_current_job_action);
  gtk_widget_class_install_action (widget_class, "win.delete-job", "x", delete_job_action);
  gtk_widget_class_install_action (widget_class, "win.delete-current-job", NULL, delete_current_job_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  lw_window_class_init_module_actions (widget_class);

  bind_accels (widget_class);
}

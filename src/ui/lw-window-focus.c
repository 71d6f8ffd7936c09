/* lw-window-focus.c — the keyboard never loses its place, and Escape does
 * not stop money being spent by accident.
 *
 * GTK drops the focus (the window has none) when the focused widget goes
 * insensitive or away: Launch once the job runs, Cancel once it ends, a
 * tile after Ctrl+N, any widget of a popover that closed. The window then
 * puts it back where the keyboard was before (outside any popover), or on
 * the photos, or on the drop zone's first button.
 *
 * Escape asks before cancelling a running batch on a paid model (an
 * AdwMessageDialog: Return stops, Escape keeps it running); the dock's
 * Cancel button, a deliberate click, cancels at once. Cancel keeps the
 * requests already sent (they are charged): they land and are kept while
 * the dock says "Finishing 2 in flight…". Its Stop Now abandons them, after
 * saying what that costs on a paid model.
 *
 * The keyboard on the dock stays on the dock: from Cancel to Stop Now, and
 * when those go (the job finished, the last request landed), to Save All
 * or Launch. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-models.h"
#include "lw-window-private.h"

static gboolean
can_take_focus (GtkWidget *widget)
{
  return widget != NULL && gtk_widget_get_mapped (widget) && gtk_widget_is_sensitive (widget)
         && gtk_widget_get_focusable (widget);
}

void
lw_window_focus_photos (LwWindow *self)
{
  GtkWidget *page = gtk_stack_get_visible_child (GTK_STACK (self->canvas_stack));

  if (page == GTK_WIDGET (self->staging_grid)
      && gtk_widget_grab_focus (lw_staging_grid_get_grid_view (self->staging_grid)))
    return;
  gtk_widget_child_focus (page, GTK_DIR_TAB_FORWARD);
}

/* The canvas changed page (a new job's drop zone): the keyboard follows,
 * when it was asked to. */
static void
canvas_page_cb (LwWindow *self)
{
  if (!self->focus_canvas_pending
      || gtk_stack_get_visible_child (GTK_STACK (self->canvas_stack)) == GTK_WIDGET (self->staging_grid))
    return;
  self->focus_canvas_pending = FALSE;
  lw_window_focus_photos (self);
}

void
lw_window_focus_photos_later (LwWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  /* Off the tiles before they go, or GTK hands the focus to whatever
   * comes next in the window (the sidebar's New Module button). */
  self->focus_canvas_pending = TRUE;
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->staging_grid)))
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  canvas_page_cb (self);
}

static gboolean
restore_focus_idle (gpointer data)
{
  LwWindow *self = data;
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  self->focus_idle = 0;
  if (gtk_widget_in_destruction (GTK_WIDGET (self)) || (focus != NULL && gtk_widget_get_mapped (focus))
      || self->focus_canvas_pending)
    return G_SOURCE_REMOVE;
  if (can_take_focus (self->last_focus) && gtk_widget_grab_focus (self->last_focus))
    return G_SOURCE_REMOVE;
  if (self->last_focus != NULL && gtk_widget_is_ancestor (self->last_focus, GTK_WIDGET (self->dock))
      && lw_command_dock_focus (self->dock))
    return G_SOURCE_REMOVE;
  lw_window_focus_photos (self);
  return G_SOURCE_REMOVE;
}

static gboolean
dock_focus_idle (gpointer data)
{
  LwWindow *self = data;

  if (!gtk_widget_in_destruction (GTK_WIDGET (self)) && !self->closing)
    lw_command_dock_focus (self->dock);
  return G_SOURCE_REMOVE;
}

static void
focus_widget_cb (LwWindow   *self,
                 GParamSpec *pspec,
                 gpointer    data)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  /* A dock button went insensitive or away under the keyboard (Cancel at
   * the end of a job, Stop Now when the last request landed) and GTK handed
   * the focus to the next widget it found: the dock's own choice instead. */
  if (focus != NULL && self->last_focus != NULL && focus != self->last_focus
      && gtk_widget_is_ancestor (self->last_focus, GTK_WIDGET (self->dock)) && !can_take_focus (self->last_focus)
      && !self->closing)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, dock_focus_idle, g_object_ref (self), g_object_unref);

  if (focus != NULL)
    {
      /* Where to come back to: not a popover's widget (it goes with the
       * popover) but the tile or button that opened it. */
      if (gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) == NULL)
        g_set_weak_pointer (&self->last_focus, focus);
      return;
    }
  if (self->focus_idle == 0 && !self->closing)
    self->focus_idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, restore_focus_idle, g_object_ref (self),
                                        g_object_unref);
}

/* ---- popovers give the focus back ---------------------------------------------- */

static gboolean
popover_closed_idle (gpointer data)
{
  LwWindow *self = data;

  if (!gtk_widget_in_destruction (GTK_WIDGET (self)) && can_take_focus (self->popup_focus))
    gtk_widget_grab_focus (self->popup_focus);
  return G_SOURCE_REMOVE;
}

static void
popover_closed_cb (GtkPopover *popover,
                   LwWindow   *self)
{
  /* After GTK has moved the focus (to the next button it found). */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, popover_closed_idle, g_object_ref (self), g_object_unref);
}

void
lw_window_popup (LwWindow  *self,
                 GtkWidget *popover)
{
  g_set_weak_pointer (&self->popup_focus, gtk_root_get_focus (GTK_ROOT (self)));
  if (g_signal_handler_find (popover, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                             popover_closed_cb, self) == 0)
    g_signal_connect_object (popover, "closed", G_CALLBACK (popover_closed_cb), self, 0);
  gtk_popover_popup (GTK_POPOVER (popover));
}

/* ---- Escape on a paid batch ------------------------------------------- */

static void
stop_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  LwWindow         *self)
{
  if (g_strcmp0 (response, "stop") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.cancel", NULL);
}

static void
ask_cancel_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  LwWindow *self = LW_WINDOW (widget);
  const LwJob *job = lw_job_session_get_job (self->session);
  const LwModelInfo *info = job != NULL ? lw_models_find (job->model) : NULL;
  GtkWidget *dialog;

  if (info == NULL || !info->paid)
    {
      gtk_widget_activate_action (widget, "win.cancel", NULL);
      return;
    }
  dialog = lw_window_new_dialog (self, _("Stop the Batch?"),
                                 _("The photos not yet sent stay pending. The requests already sent are paid for: "
                                   "they finish and their results are kept."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "continue", _("_Keep Running"), "stop", _("_Stop"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "stop");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "continue");
  g_signal_connect_object (dialog, "response", G_CALLBACK (stop_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Stop Now: abandoning the requests in flight ------------------------ */

static void
stop_now (LwWindow *self)
{
  gboolean had_focus = gtk_widget_has_focus (lw_command_dock_get_stop_now_button (self->dock));

  lw_job_session_stop_now (self->session);
  lw_window_refresh_now (self);
  /* Stop Now went with the requests: the keyboard stays on the dock. */
  if (had_focus)
    lw_command_dock_focus (self->dock);
}

static void
stop_now_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      LwWindow         *self)
{
  if (g_strcmp0 (response, "stop") == 0)
    stop_now (self);
}

static void
stop_now_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  LwWindow *self = LW_WINDOW (widget);
  const LwJob *job = lw_job_session_get_job (self->session);
  const LwModelInfo *info = job != NULL ? lw_models_find (job->model) : NULL;
  guint n = lw_job_session_get_in_flight (self->session);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (n == 0)
    return;
  if (info == NULL || !info->paid)
    {
      stop_now (self);
      return;
    }
  /* The words of lightwork-cli's second Ctrl+C (lw-cli.c, finish_in_flight). */
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u request was already sent: it may still be charged, and its photo is "
                                       "charged again when sent again.",
                                       "%u requests were already sent: they may still be charged, and their photos "
                                       "are charged again when sent again.", n), n);
  dialog = lw_window_new_dialog (self, _("Abandon the Requests in Flight?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "wait", _("_Let Them Finish"), "stop", _("_Stop Now"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "wait");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "wait");
  g_signal_connect_object (dialog, "response", G_CALLBACK (stop_now_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
lw_window_class_init_focus (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.ask-cancel", NULL, ask_cancel_action);
  gtk_widget_class_install_action (widget_class, "win.stop-now", NULL, stop_now_action);
}

void
lw_window_init_focus (LwWindow *self)
{
  g_signal_connect (self, "notify::focus-widget", G_CALLBACK (focus_widget_cb), NULL);
  g_signal_connect_object (self->canvas_stack, "notify::visible-child", G_CALLBACK (canvas_page_cb), self,
                           G_CONNECT_SWAPPED);
}

void
lw_window_dispose_focus (LwWindow *self)
{
  g_clear_handle_id (&self->focus_idle, g_source_remove);
  g_clear_weak_pointer (&self->last_focus);
  g_clear_weak_pointer (&self->popup_focus);
}

/* lw-window-review.c — LwWindow: reviewing the results and running with
 * foresight (issue 12, docs/ARCHITECTURE.md, "Review").
 *
 * Accept, reject or undecide the selected photos (P, X, U: the viewer uses
 * the same keys); Save All offers "accepted only" once any photo is
 * accepted; an instruction applied to finished photos asks whether to redo
 * them now; a trial run (Ctrl+Shift+Return) shows what the whole job will
 * take before the rest is launched; the dock shows the projected cost
 * before a paid model is launched; closing while a job runs asks whether
 * to keep it running in the background. Every rule is the jobs service's.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-application.h"
#include "lw-ui-util.h"
#include "lw-window-private.h"

/* ---- review -------------------------------------------------------------- */

void
lw_window_review (LwWindow *self,
                  LwReview  review)
{
  g_autoptr(GPtrArray) selected = lw_staging_grid_get_selected (self->staging_grid);
  g_autoptr(GError) error = NULL;

  if (lw_job_session_get_job (self->session) == NULL)
    return;
  if (lw_job_session_set_review (self->session, selected, review, &error) < 0)
    lw_window_toast (self, error->message);
  lw_window_refresh_now (self);
}

/* ---- Save All ------------------------------------------------------------ */

static void
save_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  LwWindow         *self)
{
  if (g_strcmp0 (response, "accepted") == 0)
    lw_window_choose_save_folder (self, LW_EXPORT_ACCEPTED);
  else if (g_strcmp0 (response, "all") == 0)
    lw_window_choose_save_folder (self, LW_EXPORT_ALL);
}

void
lw_window_ask_save (LwWindow *self)
{
  LwJobCounts counts;
  int accepted = 0;
  GtkWidget *dialog;
  g_autofree char *body = NULL;
  g_autofree char *all = NULL;
  g_autofree char *only = NULL;

  lw_job_session_get_counts (self->session, &counts, NULL);
  lw_job_session_get_review_counts (self->session, &accepted, NULL);
  /* Nothing accepted: nothing to choose between. */
  if (accepted == 0)
    {
      lw_window_choose_save_folder (self, LW_EXPORT_ALL);
      return;
    }
  /* TRANSLATORS: "3 of 12 results are accepted." */
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d of %d result is accepted.",
                                       "%d of %d results are accepted.", counts.completed),
                          accepted, counts.completed);
  /* TRANSLATORS: a button: "Save All 12" */
  all = g_strdup_printf (_("Save _All %d"), counts.completed);
  /* TRANSLATORS: a button: "Save 3 Accepted" */
  only = g_strdup_printf (_("Save %d _Accepted"), accepted);
  dialog = lw_window_new_dialog (self, _("Save Which Results?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "all", all,
                                    "accepted", only, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "accepted", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "accepted");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (save_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- redo after a new instruction ---------------------------------------- */

static gboolean
is_finished (LwImageItem *item)
{
  LwImageStatus status = lw_image_item_get_status (item);

  return lw_image_item_get_phase (item) == LW_IMAGE_ITEM_STAGED
         && (status == LW_IMAGE_COMPLETED || status == LW_IMAGE_FAILED || status == LW_IMAGE_RETRY_LATER);
}

static void
redo_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  LwWindow         *self)
{
  GPtrArray *items = g_object_get_data (G_OBJECT (dialog), "lw-items");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "redo") != 0 || items == NULL || self->session == NULL)
    return;
  /* Each photo keeps the instruction it was just given; its earlier takes
   * stay as versions. */
  if (lw_job_session_redo (self->session, items, NULL, &error) < 0)
    lw_window_toast (self, error->message);
  lw_window_refresh_now (self);
}

void
lw_window_ask_redo (LwWindow  *self,
                    GPtrArray *items)
{
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  for (guint i = 0; items != NULL && i < items->len; i++)
    if (is_finished (g_ptr_array_index (items, i)))
      g_ptr_array_add (finished, g_object_ref (g_ptr_array_index (items, i)));
  if (finished->len == 0)
    return;
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Redo %u photo with the new instruction?",
                                          "Redo %u photos with the new instruction?", finished->len),
                             finished->len);
  dialog = lw_window_new_dialog (self, heading,
                                 _("Their results no longer match their instruction. The results they have now are kept as earlier versions."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "later", _("_Later"), "redo", _("_Redo"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "redo", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "redo");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "later");
  g_object_set_data_full (G_OBJECT (dialog), "lw-items", g_steal_pointer (&finished),
                          (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (redo_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- trial run and projections ------------------------------------------- */

void
lw_window_trial (LwWindow *self)
{
  g_autoptr(GPtrArray) selected = lw_staging_grid_get_selected (self->staging_grid);
  g_autoptr(GError) error = NULL;

  if (lw_job_session_get_job (self->session) == NULL)
    return;
  if (!lw_job_session_launch_trial (self->session, selected, &error))
    lw_window_toast (self, error->message);
  lw_window_refresh_now (self);
}

char *
lw_window_dup_projection_text (LwWindow *self)
{
  LwJobProjection projection;
  LwJobCounts counts;
  int open;

  if (lw_job_session_get_job (self->session) == NULL || lw_job_session_get_running (self->session)
      || !lw_job_session_get_paid (self->session))
    return NULL;
  lw_job_session_get_counts (self->session, &counts, NULL);
  open = lw_job_counts_open (&counts);
  if (open == 0 || !lw_job_session_get_projection (self->session, &projection, NULL))
    return NULL;
  /* What a launch now sends: the photos left, at what a photo cost so far
   * (the model's price before anything was sent). */
  /* TRANSLATORS: the dock before a launch, "About $4.20 for 125 photos" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "About $%.2f for %d photo", "About $%.2f for %d photos", open),
                          projection.cost_per_photo * open, open);
}

static void
trial_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   LwWindow         *self)
{
  if (g_strcmp0 (response, "launch") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.launch", NULL);
}

static void
trial_finished_cb (LwJobSession *session,
                   LwWindow     *self)
{
  LwJobProjection p;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog;

  if (!lw_job_session_get_projection (session, &p, &error))
    {
      lw_window_toast_error (self, error);
      return;
    }
  /* TRANSLATORS: after a trial run, "5 photos are done." */
  g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "%d photo is done.", "%d photos are done.", p.finished),
                          p.finished);
  g_string_append_c (body, ' ');
  if (p.projected_seconds >= 0)
    {
      g_autofree char *duration = lw_ui_format_duration (p.projected_seconds * 1000);

      /* TRANSLATORS: after a trial run, "The other 7 will take about 2 min." */
      g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "The other %d will take about %s.",
                                                 "The other %d will take about %s.", p.left),
                              p.left, duration);
    }
  else
    g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "%d photo is left.", "%d photos are left.", p.left),
                            p.left);
  if (lw_job_session_get_paid (session))
    {
      g_string_append_c (body, ' ');
      /* TRANSLATORS: after a trial run, "The whole job will cost about $0.41 ($0.08 a photo)." */
      g_string_append_printf (body, _("The whole job will cost about $%.2f ($%.3f a photo)."), p.projected_cost,
                              p.cost_per_photo);
    }
  dialog = lw_window_new_dialog (self, _("Trial Run Finished"), body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "later", _("_Later"),
                                    "launch", _("_Launch the Rest"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "launch", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "launch");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "later");
  g_signal_connect (dialog, "response", G_CALLBACK (trial_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- closing while a job runs -------------------------------------------- */

static gboolean
close_idle (gpointer data)
{
  LwWindow *self = data;

  self->closing = TRUE;
  gtk_window_close (GTK_WINDOW (self));
  return G_SOURCE_REMOVE;
}

static void
keep_running_response_cb (AdwMessageDialog *dialog,
                          const char       *response,
                          LwWindow         *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (g_strcmp0 (response, "keep") == 0)
    {
      /* The application holds itself until nothing runs, then quits when
       * no window is left. */
      if (app != NULL)
        lw_application_keep_running (LW_APPLICATION (app));
    }
  else if (g_strcmp0 (response, "stop") == 0)
    lw_job_session_cancel (self->session, NULL);
  else
    return;
  /* After the dialog's response: closing the window destroys the dialog
   * too (destroy-with-parent), which must not happen inside its signal. */
  g_idle_add_full (G_PRIORITY_DEFAULT, close_idle, g_object_ref (self), g_object_unref);
}

gboolean
lw_window_ask_keep_running (LwWindow *self)
{
  const LwJob *job = lw_job_session_get_job (self->session);
  GtkWidget *dialog;

  /* Without an application (tests, tools) there is nothing to hold. */
  if (self->closing || job == NULL || !lw_job_session_get_running (self->session)
      || gtk_window_get_application (GTK_WINDOW (self)) == NULL)
    return FALSE;
  dialog = lw_window_new_dialog (self, _("Keep Running in the Background?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” is still running. LightWork can finish it without a window and tell you when it is done."),
                                  job->name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "stop", _("_Stop"),
                                    "keep", _("_Keep Running"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "keep", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (keep_running_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static gboolean
close_request_cb (GtkWindow *window,
                  gpointer   data)
{
  return lw_window_ask_keep_running (LW_WINDOW (window));
}

void
lw_window_init_review (LwWindow *self)
{
  g_signal_connect (self->session, "trial-finished", G_CALLBACK (trial_finished_cb), self);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}

/* lw-window-status.c — the shown job's state in the widgets: the tabs'
 * counts, the dock's progress, the sidebar's job list and footer, the
 * pause banner. All of it read from the session and the jobs service.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-engine.h"
#include "lw-ui-util.h"
#include "lw-window-private.h"

#define N_RECENT_JOBS 20

/* Only for pauses of the shown job: the service says which job a pause
 * holds, so another job's model never puts a banner here. */
void
lw_window_update_banner (LwWindow *self)
{
  const GError *reason = lw_job_session_get_pause (self->session);
  g_autofree char *title = NULL;
  const char *button = NULL;
  const char *action = NULL;

  if (reason == NULL)
    {
      lw_status_banner_hide (self->banner);
      return;
    }
  /* The engines' messages tell lightwork-cli's user what to run; the
   * window names its own way out, the banner's button. */
  if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH))
    {
      title = g_strdup (_("Paused: Gemini needs a working API key. Enter one, or go on with the local engine."));
      button = _("Enter Key…");
      action = "win.api-key";
    }
  else if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_MODEL_NOT_FOUND))
    {
      title = g_strdup (_("Paused: the model is not available to this key. Use the local engine, or pick another model."));
      button = _("Use Local Engine");
      action = "win.use-local";
    }
  else if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE))
    {
      title = g_strdup (_("Offline: the queue waits for the network"));
      button = _("Try Again");
      action = "win.resume";
    }
  else if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_QUOTA_EXHAUSTED))
    {
      /* lightwork-cli's advice ("…or use another key") with the window's
       * way to another key, the banner's second button. */
      title = g_strdup (_("Paused: the key’s daily quota is used up. Wait until it resets, or enter another key."));
      button = _("Try Again");
      action = "win.resume";
    }
  else
    {
      title = g_strdup_printf (_("Paused: %s"), lw_ui_pause_reason (reason));
      button = _("Try Again");
      action = "win.resume";
    }
  lw_status_banner_show (self->banner, title, button, action);
  /* A bad key has two ways out: a key that works, or no key at all. */
  if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH))
    lw_status_banner_set_secondary (self->banner, _("Use Local Engine"), "win.use-local");
  else if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_QUOTA_EXHAUSTED))
    lw_status_banner_set_secondary (self->banner, _("Enter Key…"), "win.api-key");
}

static void
update_engine_status (LwWindow          *self,
                      const LwJobCounts *counts,
                      guint              in_flight,
                      guint              at_google)
{
  const GError *pause = lw_job_session_get_pause (self->session);
  g_autofree char *text = NULL;

  if (pause != NULL)
    {
      gboolean offline = g_error_matches (pause, LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE);

      if (offline)
        lw_sidebar_set_engine_status (self->sidebar, LW_ENGINE_STATE_OFFLINE, _("Offline"));
      else
        {
          /* TRANSLATORS: the sidebar's footer, "Paused: no working Gemini API key" */
          text = g_strdup_printf (_("Paused: %s"), lw_ui_pause_reason (pause));
          lw_sidebar_set_engine_status (self->sidebar, LW_ENGINE_STATE_PAUSED, text);
        }
      return;
    }
  if (at_google > 0)
    /* TRANSLATORS: the sidebar's footer for an economy job: "Nano Banana · 40 at Google · 18 done" */
    text = g_strdup_printf (_("%s · %u at Google · %d done"),
                            lw_ui_model_label (lw_job_session_get_model (self->session)), at_google, counts->completed);
  else
    /* TRANSLATORS: the sidebar's footer: "Nano Banana · 2 in flight · 18 done" */
    text = g_strdup_printf (_("%s · %u in flight · %d done"),
                            lw_ui_model_label (lw_job_session_get_model (self->session)), in_flight, counts->completed);
  lw_sidebar_set_engine_status (self->sidebar, in_flight > 0 || at_google > 0 ? LW_ENGINE_STATE_RUNNING
                                                                              : LW_ENGINE_STATE_IDLE,
                                text);
}

static void
set_count (GtkWidget *label,
           int        n)
{
  char text[16];

  g_snprintf (text, sizeof text, "%d", n);
  gtk_label_set_label (GTK_LABEL (label), text);
}

void
lw_window_refresh_jobs (LwWindow *self)
{
  g_autoptr(GPtrArray) jobs = lw_jobs_list (self->jobs, N_RECENT_JOBS, NULL);
  g_autofree LwJobCounts *counts = NULL;
  g_autofree const char **paused = NULL;

  if (jobs == NULL)
    return;
  counts = g_new0 (LwJobCounts, MAX (jobs->len, 1));
  paused = g_new0 (const char *, MAX (jobs->len, 1));
  for (guint i = 0; i < jobs->len; i++)
    {
      gint64 id = ((LwJob *) g_ptr_array_index (jobs, i))->id;
      LwJobProgress progress;

      if (lw_jobs_get_progress (self->jobs, id, &progress, NULL))
        counts[i] = progress.counts;
      /* Every launched job's pause is the service's, not only the shown one's. */
      paused[i] = lw_ui_pause_reason (lw_jobs_get_pause (self->jobs, id));
    }
  lw_sidebar_set_jobs (self->sidebar, jobs, counts, (const char * const *) paused, lw_jobs_now (self->jobs),
                       lw_window_get_job_id (self));
}

void
lw_window_refresh_now (LwWindow *self)
{
  LwJobCounts counts;
  int rejected = 0;
  guint in_flight, at_google = 0;
  gint64 job_id;
  GtkWidget *stop_now;
  gboolean on_stop_now;

  if (self->session == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  lw_job_session_get_counts (self->session, &counts, &rejected);
  set_count (self->count_all, counts.total + rejected);
  set_count (self->count_pending, lw_job_counts_open (&counts));
  set_count (self->count_done, counts.completed);
  set_count (self->count_failed, counts.failed + rejected);
  {
    int accepted = 0, refused = 0;
    gboolean reviewing;

    lw_job_session_get_review_counts (self->session, &accepted, &refused);
    set_count (self->count_accepted, accepted);
    set_count (self->count_rejected, refused);
    /* The review tabs once there is something to review (or a tab of
     * theirs is shown). */
    reviewing = counts.completed > 0 || accepted > 0 || refused > 0
                || g_strcmp0 (self->filter_name, "accepted") == 0 || g_strcmp0 (self->filter_name, "rejected") == 0;
    gtk_widget_set_visible (self->filter_accepted, reviewing);
    gtk_widget_set_visible (self->filter_rejected, reviewing);
  }

  in_flight = lw_job_session_get_in_flight (self->session);
  /* An economy job's photos being processed and not in flight are in
   * Google's batches. */
  job_id = lw_job_session_get_job_id (self->session);
  if (counts.processing > (int) in_flight && job_id > 0
      && lw_jobs_get_mode (self->jobs, job_id) == LW_JOB_MODE_ECONOMY)
    at_google = (guint) counts.processing - in_flight;
  lw_command_dock_set_at_google (self->dock, at_google);
  stop_now = lw_command_dock_get_stop_now_button (self->dock);
  on_stop_now = gtk_widget_has_focus (stop_now);
  {
    g_autofree char *projection = lw_window_dup_projection_text (self);

    lw_command_dock_set_projection (self->dock, projection);
  }
  lw_command_dock_set_paused (self->dock, lw_ui_pause_reason (lw_job_session_get_pause (self->session)));
  if (!lw_job_session_get_exporting (self->session))
    lw_command_dock_set_progress (self->dock, &counts, in_flight, lw_job_session_get_eta_ms (self->session),
                                  lw_job_session_get_spent (self->session),
                                  lw_job_session_get_running (self->session));
  /* A photo changed bucket: the filtered view follows. */
  if (g_strcmp0 (self->filter_name, "all") != 0)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_engine_status (self, &counts, in_flight, at_google);
  lw_window_update_canvas (self);
  lw_window_update_actions (self);
  /* The last request landed under the keyboard: GTK would hand the focus
   * to the next widget it finds; the dock keeps it (Save All, Launch). */
  if (on_stop_now && !gtk_widget_get_visible (stop_now))
    lw_command_dock_focus (self->dock);
}

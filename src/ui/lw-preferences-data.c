/* lw-preferences-data.c — the Preferences window's data folder: where it
 * is, its size on disk (counted in a thread) and "Remove finished jobs older
 * than…" through the jobs service (lw_jobs_delete), never a running job. */
#include "config.h"

#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lw-core.h"
#include "lw-preferences-private.h"
#include "lw-thread.h"

/* "Remove finished jobs older than": the combo's choices, in days. */
static const guint ages_days[] = { 7, 30, 90 };
#define DEFAULT_AGE_INDEX 1

/* ---- the data folder -------------------------------------------------------- */

/* Bytes the folder takes on disk; symbolic links are not followed. */
static guint64
disk_usage (const char   *path,
            GCancellable *cancellable)
{
  GStatBuf st;
  guint64 total;

  if (g_lstat (path, &st) != 0)
    return 0;
  total = (guint64) st.st_blocks * 512;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL
             && !g_cancellable_is_cancelled (cancellable))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          total += disk_usage (child, cancellable);
        }
    }
  return total;
}

static void
count_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  guint64 *size = g_new (guint64, 1);

  *size = disk_usage (task_data, cancellable);
  if (g_task_return_error_if_cancelled (task))
    g_free (size);
  else
    g_task_return_pointer (task, size, g_free);
}

static void
counted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  LwPreferences *self = LW_PREFERENCES (source);
  g_autoptr(GError) error = NULL;
  g_autofree guint64 *size = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  lw_preferences_busy_end (self);
  if (size == NULL)
    return;
  text = g_format_size (*size);
  adw_action_row_set_subtitle (self->size_row, text);
}

void
lw_preferences_count_data_folder (LwPreferences *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, counted_cb, NULL);

  g_task_set_source_tag (task, lw_preferences_count_data_folder);
  g_task_set_task_data (task, g_strdup (lw_core_get_data_dir (lw_jobs_get_core (self->jobs))), g_free);
  lw_preferences_busy_begin (self);
  lw_task_run_in_thread (task, count_thread);
}

static guint
selected_age_days (LwPreferences *self)
{
  guint i = adw_combo_row_get_selected (self->age_row);

  return ages_days[i < G_N_ELEMENTS (ages_days) ? i : DEFAULT_AGE_INDEX];
}

static gint64
cutoff_ms (LwPreferences *self,
           guint          days)
{
  LwClock *clock = lw_core_get_clock (lw_jobs_get_core (self->jobs));

  return lw_clock_now_ms (clock) - (gint64) days * 24 * 60 * 60 * 1000;
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    LwPreferences    *self)
{
  guint days = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "lw-days"));
  gint64 cutoff = cutoff_ms (self, days);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *text = NULL;
  guint removed = 0;

  if (g_strcmp0 (response, "remove") != 0)
    return;
  ids = lw_jobs_list_finished (self->jobs, cutoff, &error);
  for (guint i = 0; ids != NULL && i < ids->len && error == NULL; i++)
    {
      gboolean deleted = FALSE;

      /* Checked again as it is deleted, in one statement: lightwork-cli
       * may have launched it since the list was read. */
      if (lw_jobs_delete_finished (self->jobs, g_array_index (ids, gint64, i), cutoff, &deleted, &error) && deleted)
        removed++;
    }
  if (error != NULL)
    {
      lw_preferences_toast (self, error->message);
      return;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Removed %u job", "Removed %u jobs", removed), removed);
  lw_preferences_toast (self, text);
  lw_preferences_count_data_folder (self);
}

void
lw_preferences_remove_clicked_cb (LwPreferences *self)
{
  guint days = selected_age_days (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = lw_jobs_list_finished (self->jobs, cutoff_ms (self, days), &error);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (ids == NULL)
    {
      lw_preferences_toast (self, error->message);
      return;
    }
  if (ids->len == 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "No job finished more than %u day ago",
                                                            "No job finished more than %u days ago", days),
                                               days);

      lw_preferences_toast (self, text);
      return;
    }
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Remove %u Finished Job?", "Remove %u Finished Jobs?",
                                          ids->len),
                             ids->len);
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Jobs that finished more than %u day ago are removed with their photos and "
                                       "results from LightWork. Files you saved stay where they are.",
                                       "Jobs that finished more than %u days ago are removed with their photos and "
                                       "results from LightWork. Files you saved stay where they are.", days),
                          days);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "lw-days", GUINT_TO_POINTER (days));
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The folder's path, and the ages to choose from. */
void
lw_preferences_data_load (LwPreferences *self)
{
  GtkStringList *ages = gtk_string_list_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (ages_days); i++)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day", "%u days", ages_days[i]),
                                               ages_days[i]);

      gtk_string_list_append (ages, text);
    }
  adw_combo_row_set_model (self->age_row, G_LIST_MODEL (ages));
  g_object_unref (ages);
  adw_combo_row_set_selected (self->age_row, DEFAULT_AGE_INDEX);
  adw_action_row_set_subtitle (self->folder_row, lw_core_get_data_dir (lw_jobs_get_core (self->jobs)));
}

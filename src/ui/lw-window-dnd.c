/* lw-window-dnd.c — photos coming in (drop, paste, file chooser, `lightwork
 * FILE…`) and results going out (Save All).
 *
 * Staging and saving are the session's (lw-job-session.h), in worker
 * threads: tiles appear as files land; this file finds the files and
 * words the outcome.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-settings.h"
#include "lw-window-private.h"

/* ---- staging ----------------------------------------------------------- */

static void
staged_cb (LwJobSession *session,
           guint         staged,
           guint         duplicates,
           guint         rejected,
           const GError *error,
           LwWindow     *self)
{
  g_autoptr(GString) text = NULL;

  if (error != NULL)
    {
      lw_window_toast_error (self, error);
      return;
    }
  if (duplicates == 0 && rejected == 0)
    return;
  text = g_string_new (NULL);
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u photo added", "%u photos added", staged), staged);
  if (duplicates > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u already there", "%u already there",
                                                 duplicates), duplicates);
    }
  if (rejected > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u refused", "%u refused", rejected), rejected);
    }
  lw_window_toast (self, text->str);
}

void
lw_window_stage_paths (LwWindow           *self,
                       const char * const *paths,
                       gboolean            new_job)
{
  g_return_if_fail (LW_IS_WINDOW (self));

  lw_job_session_stage (self->session, paths, new_job);
}

void
lw_window_stage_files (LwWindow *self,
                       GSList   *files,
                       gboolean  new_job)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint n_remote = 0;

  for (GSList *l = files; l != NULL; l = l->next)
    {
      char *path = g_file_get_path (l->data);

      if (path != NULL)
        g_ptr_array_add (paths, path);
      else
        n_remote++;
    }
  if (n_remote > 0)
    lw_window_toast (self, _("Only files on this computer can be added"));
  g_ptr_array_add (paths, NULL);
  lw_window_stage_paths (self, (const char * const *) paths->pdata, new_job);
}

/* ---- drop -------------------------------------------------------------- */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         LwWindow      *self)
{
  GdkFileList *list;

  lw_drop_zone_set_hover (self->drop_zone, FALSE);
  gtk_widget_remove_css_class (self->canvas, "drop-hover");
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  list = g_value_get_boxed (value);
  {
    g_autoptr(GSList) files = gdk_file_list_get_files (list);

    if (files == NULL)
      return FALSE;
    lw_window_stage_files (self, files, FALSE);
  }
  return TRUE;
}

static GdkDragAction
drop_enter_cb (GtkDropTarget *target,
               double         x,
               double         y,
               LwWindow      *self)
{
  lw_drop_zone_set_hover (self->drop_zone, TRUE);
  gtk_widget_add_css_class (self->canvas, "drop-hover");
  return GDK_ACTION_COPY;
}

static void
drop_leave_cb (GtkDropTarget *target,
               LwWindow      *self)
{
  lw_drop_zone_set_hover (self->drop_zone, FALSE);
  gtk_widget_remove_css_class (self->canvas, "drop-hover");
}

void
lw_window_init_dnd (LwWindow *self)
{
  g_signal_connect (self->session, "staged", G_CALLBACK (staged_cb), self);
  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (self->drop_target, "drop", G_CALLBACK (drop_cb), self);
  g_signal_connect (self->drop_target, "enter", G_CALLBACK (drop_enter_cb), self);
  g_signal_connect (self->drop_target, "leave", G_CALLBACK (drop_leave_cb), self);
  /* On the whole canvas: photos can be dropped on the grid as well. */
  gtk_widget_add_controller (self->canvas, GTK_EVENT_CONTROLLER (self->drop_target));
}

GtkDropTarget *
lw_window_get_drop_target (LwWindow *self)
{
  return self->drop_target;
}

/* ---- paste ------------------------------------------------------------- */

static void
paste_text_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LwWindow) self = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  if (text == NULL)
    {
      lw_window_toast (self, _("The clipboard holds no photos"));
      return;
    }
  /* Some apps copy files as a list of URIs or paths in plain text. */
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *path = NULL;

      if (g_str_has_prefix (line, "file://"))
        path = g_filename_from_uri (line, NULL, NULL);
      else if (g_path_is_absolute (line) && g_file_test (line, G_FILE_TEST_EXISTS))
        path = g_strdup (line);
      if (path != NULL)
        g_ptr_array_add (paths, path);
    }
  if (paths->len == 0)
    {
      lw_window_toast (self, _("The clipboard holds no photos"));
      return;
    }
  g_ptr_array_add (paths, NULL);
  lw_window_stage_paths (self, (const char * const *) paths->pdata, FALSE);
}

static void
paste_files_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LwWindow) self = user_data;
  const GValue *value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (source), result, NULL);

  if (value != NULL && G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      g_autoptr(GSList) files = gdk_file_list_get_files (g_value_get_boxed (value));

      if (files != NULL)
        {
          lw_window_stage_files (self, files, FALSE);
          return;
        }
    }
  gdk_clipboard_read_text_async (GDK_CLIPBOARD (source), NULL, paste_text_cb, g_object_ref (self));
}

void
lw_window_paste (LwWindow *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT, NULL,
                                    paste_files_cb, g_object_ref (self));
  else
    gdk_clipboard_read_text_async (clipboard, NULL, paste_text_cb, g_object_ref (self));
}

/* ---- the file chooser -------------------------------------------------- */

static void
choose_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    LwWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GSList) list = NULL;
      guint n = g_list_model_get_n_items (files);

      for (guint i = n; i > 0; i--)
        list = g_slist_prepend (list, g_list_model_get_item (files, i - 1));
      lw_window_stage_files (self, list, FALSE);
      g_slist_free_full (g_steal_pointer (&list), g_object_unref);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
lw_window_choose_files (LwWindow *self,
                        gboolean  folders)
{
  /* GtkFileChooserNative (GtkFileDialog is GTK 4.10): it goes through the
   * portal inside Flatpak, so no file-system permission is needed. A
   * chooser picks files or folders, not both: Add Folder… is the second. */
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (folders ? _("Add Folders") : _("Add Photos"), GTK_WINDOW (self),
                                 folders ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN,
                                 _("_Add"), _("_Cancel"));
  g_autoptr(GtkFileFilter) images = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  gtk_file_filter_set_name (images, _("Photos"));
  gtk_file_filter_add_mime_type (images, "image/jpeg");
  gtk_file_filter_add_mime_type (images, "image/png");
  gtk_file_filter_add_mime_type (images, "image/webp");
  gtk_file_filter_add_mime_type (images, "image/tiff");
  gtk_file_filter_add_mime_type (images, "image/heic");
  gtk_file_filter_add_mime_type (images, "image/avif");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  if (!folders)
    {
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), images);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
    }
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (choose_response_cb), self);
  g_set_weak_pointer (&self->chooser, chooser);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- Save All ---------------------------------------------------------- */

static void
export_progress_cb (LwJobSession *session,
                    guint         done,
                    guint         total,
                    LwWindow     *self)
{
  lw_command_dock_set_saving (self->dock, done, total);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LwWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  const char *dir = g_object_get_data (G_OBJECT (self), "lw-export-dir");
  guint n_written = 0, n_skipped = 0;
  AdwToast *toast;

  if (!lw_job_session_export_finish_full (LW_JOB_SESSION (source), result, &n_written, &n_skipped, &error)
      && self->session != NULL)
    lw_window_toast_error (self, error);
  if (self->session == NULL)
    return;
  g_signal_handlers_disconnect_by_func (source, export_progress_cb, self);
  lw_command_dock_set_saving (self->dock, 0, 0);
  lw_window_refresh_now (self);
  if (error != NULL)
    return;
  /* Next time the chooser opens where this went. */
  {
    g_autoptr(GError) setting_error = NULL;

    if (!lw_settings_set (lw_jobs_get_store (self->jobs), LW_SETTING_SAVE_FOLDER, dir, &setting_error))
      g_message ("Could not remember the folder: %s", setting_error->message);
  }
  /* A result the folder already holds byte for byte is not written again
   * (no "-2" copies): the toast says how many were there. */
  if (n_skipped == 0)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Saved %u photo", "Saved %u photos", n_written), n_written);
  else if (n_written == 0)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u photo was already there, nothing saved",
                                          "All %u photos were already there, nothing saved", n_skipped), n_skipped);
  else
    {
      g_autofree char *saved = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Saved %u photo", "Saved %u photos",
                                                             n_written), n_written);

      /* TRANSLATORS: "Saved 3 photos, 5 already there" */
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u already there", "%s, %u already there",
                                            n_skipped), saved, n_skipped);
    }
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("Open Folder"));
  adw_toast_set_action_name (toast, "win.open-folder");
  adw_toast_set_action_target_value (toast, g_variant_new_string (dir));
  lw_window_add_toast (self, toast);
}

void
lw_window_save_all_to (LwWindow          *self,
                       const char        *dir,
                       LwExportSelection  selection)
{
  LwJobCounts counts;
  int accepted = 0;

  g_return_if_fail (LW_IS_WINDOW (self));

  if (lw_job_session_get_job (self->session) == NULL || lw_job_session_get_exporting (self->session))
    return;
  lw_job_session_get_counts (self->session, &counts, NULL);
  lw_job_session_get_review_counts (self->session, &accepted, NULL);
  lw_command_dock_set_saving (self->dock, 0,
                              (guint) MAX (selection == LW_EXPORT_ACCEPTED ? accepted : counts.completed, 1));
  g_object_set_data_full (G_OBJECT (self), "lw-export-dir", g_strdup (dir), g_free);
  g_signal_connect (self->session, "export-progress", G_CALLBACK (export_progress_cb), self);
  lw_job_session_export_async (self->session, dir, selection, self->cancellable, export_done_cb, g_object_ref (self));
  lw_window_update_actions (self);
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  LwWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        lw_window_save_all_to (self, path,
                               GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "lw-selection")));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

char *
lw_window_dup_save_folder (LwWindow *self)
{
  gint64 job_id = lw_job_session_get_job_id (self->session);
  /* Read again: lightwork-cli may have set it since the window loaded the
   * job (lw_jobs_set_output). */
  g_autoptr(LwJob) job = job_id > 0 ? lw_jobs_get (self->jobs, job_id, NULL) : NULL;
  g_autofree char *remembered = lw_settings_get_string (lw_jobs_get_store (self->jobs), LW_SETTING_SAVE_FOLDER);
  /* The job's own folder (lightwork-cli --out) wins for it; then where
   * Save All went last. One that is gone leaves the chooser's default. */
  const char *start = job != NULL && job->out_dir != NULL ? job->out_dir : remembered;

  return start != NULL && g_file_test (start, G_FILE_TEST_IS_DIR) ? g_strdup (start) : NULL;
}

void
lw_window_choose_save_folder (LwWindow          *self,
                              LwExportSelection  selection)
{
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (selection == LW_EXPORT_ACCEPTED ? _("Save Accepted Results") : _("Save All Results"),
                                 GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                 _("_Save Here"), _("_Cancel"));

  g_autofree char *start = lw_window_dup_save_folder (self);

  if (start != NULL)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (start);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  g_object_set_data (G_OBJECT (chooser), "lw-selection", GINT_TO_POINTER (selection));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (save_response_cb), self);
  g_set_weak_pointer (&self->chooser, chooser);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

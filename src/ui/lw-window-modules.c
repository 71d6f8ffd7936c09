/* lw-window-modules.c — the window's module prompt editor, custom modules
 * and the Gemini API key.
 *
 * The 2-prompt rule (docs/ARCHITECTURE.md): a job carries its own copy of the module
 * prompt; editing it never touches the module unless "Save to Module" is
 * chosen. Without a job, the editor edits the module itself: that is what
 * the next job copies.
 *
 * The key goes from the password row straight to the keyring
 * (lw-gemini-key.h), in a worker thread so an unlock prompt cannot freeze
 * the window; it is never put in a label, a setting, the database or a log.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-gemini-key.h"
#include "lw-modules.h"
#include "lw-window-private.h"

static gboolean
job_running (LwWindow *self)
{
  return self->session != NULL && lw_job_session_get_running (self->session);
}

static const char *
current_module_id (LwWindow *self)
{
  return lw_job_session_get_module_id (self->session);
}

void
lw_window_update_module_actions (LwWindow *self)
{
  gboolean running = job_running (self);

  /* Requests in flight carry the prompt they were given; editing it now
   * would make one job answer to two prompts. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.edit-module-prompt", !running);
  gtk_widget_set_sensitive (self->module_prompt_button, !running);
  if (running && self->module_editor != NULL && gtk_widget_get_visible (GTK_WIDGET (self->module_editor)))
    gtk_popover_popdown (GTK_POPOVER (self->module_editor));
}

/* ---- the module prompt ------------------------------------------------- */

static void
prepare_editor_cb (GtkMenuButton *button,
                   gpointer       data)
{
  LwWindow *self = LW_WINDOW (data);
  g_autoptr(LwModule) module = lw_jobs_get_module (self->jobs, current_module_id (self), NULL);
  const char *name = module != NULL ? module->name : current_module_id (self);
  const LwJob *job = lw_job_session_get_job (self->session);

  if (job != NULL)
    lw_module_editor_setup (self->module_editor, name, job->prompt,
                            module != NULL ? module->default_prompt : NULL, TRUE, module != NULL);
  else
    lw_module_editor_setup (self->module_editor, name, module != NULL ? module->prompt : NULL,
                            module != NULL ? module->default_prompt : NULL, FALSE, FALSE);
}

static gboolean
save_module_prompt (LwWindow   *self,
                    const char *module_id,
                    const char *prompt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwModule) module = lw_jobs_get_module (self->jobs, module_id, &error);

  if (module != NULL)
    {
      g_free (module->prompt);
      module->prompt = g_strdup (prompt);
    }
  if (module == NULL || !lw_jobs_update_module (self->jobs, module, &error))
    {
      lw_window_toast (self, error->message);
      return FALSE;
    }
  lw_window_reload_modules (self);
  return TRUE;
}

static gboolean
set_job_prompt (LwWindow   *self,
                const char *prompt)
{
  g_autoptr(GError) error = NULL;

  if (!lw_job_session_set_prompt (self->session, prompt, &error))
    {
      lw_window_toast (self, g_error_matches (error, LW_JOBS_ERROR, LW_JOBS_ERROR_RUNNING)
                               ? _("Cancel the job before changing its prompt") : error->message);
      return FALSE;
    }
  return TRUE;
}

static void
editor_apply_cb (LwModuleEditor *editor,
                 const char     *prompt,
                 LwWindow       *self)
{
  if (lw_job_session_get_job (self->session) != NULL)
    set_job_prompt (self, prompt);
  else
    save_module_prompt (self, current_module_id (self), prompt);
}

static void
editor_save_cb (LwModuleEditor *editor,
                const char     *prompt,
                LwWindow       *self)
{
  if (lw_job_session_get_job (self->session) == NULL || !set_job_prompt (self, prompt))
    return;
  if (save_module_prompt (self, current_module_id (self), prompt))
    lw_window_toast (self, _("Saved to the module: new jobs start with this prompt"));
}

static void
edit_module_prompt_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);

  if (job_running (self))
    return;
  gtk_menu_button_popup (GTK_MENU_BUTTON (self->module_prompt_button));
}

/* ---- dialogs ----------------------------------------------------------- */

GtkWidget *
lw_window_new_dialog (LwWindow   *self,
                      const char *heading,
                      const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  /* One at a time; tests reach it through the window. */
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  self->dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->dialog);
  return dialog;
}

static GtkWidget *
boxed_list (GtkWidget *row)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  return list;
}

static char *
text_view_dup_text (GtkWidget *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

/* ---- custom modules ---------------------------------------------------- */

static void
module_added (LwWindow       *self,
              const LwModule *module,
              const char     *text)
{
  lw_window_reload_modules (self);
  lw_window_select_module (self, module->id);
  lw_window_toast (self, text);
}

static void
name_changed_cb (GtkEditable      *row,
                 AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (row)));

  adw_message_dialog_set_response_enabled (dialog, "create", *name != '\0');
}

static void
new_module_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        LwWindow         *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwModule) module = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *description = NULL;
  GtkEditable *name_row = g_object_get_data (G_OBJECT (dialog), "lw-name-row");
  char *newline;

  if (g_strcmp0 (response, "create") != 0)
    return;
  prompt = text_view_dup_text (g_object_get_data (G_OBJECT (dialog), "lw-prompt-view"));
  /* The sidebar's one-line description: the prompt's first line. */
  description = g_strdup (prompt);
  if ((newline = strchr (description, '\n')) != NULL)
    *newline = '\0';
  module = lw_jobs_create_module (self->jobs, gtk_editable_get_text (name_row), description, prompt, &error);
  if (module == NULL)
    {
      lw_window_toast (self, error->message);
      return;
    }
  {
    /* TRANSLATORS: toast; %s is the new module's name */
    g_autofree char *text = g_strdup_printf (_("Module “%s” created"), module->name);

    module_added (self, module, text);
  }
}

static void
new_module_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  GtkWidget *dialog = lw_window_new_dialog (self, _("New Module"),
                                  _("A module is a prompt for a kind of photo. Its jobs send it for every photo."));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *name_row = adw_entry_row_new ();
  GtkWidget *heading = gtk_label_new (_("Prompt"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (name_row), _("Name"));
  gtk_box_append (GTK_BOX (box), boxed_list (name_row));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "section-heading");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 10);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 10);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Prompt"), -1);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 120);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_add_css_class (scrolled, "editor-field");
  gtk_box_append (GTK_BOX (box), scrolled);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "create", _("C_reate"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "create", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "create");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "lw-name-row", name_row);
  g_object_set_data (G_OBJECT (dialog), "lw-prompt-view", view);
  g_signal_connect (name_row, "changed", G_CALLBACK (name_changed_cb), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (new_module_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (name_row);
}

static void
duplicate_module_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(LwModule) module = lw_jobs_duplicate_module (self->jobs, g_variant_get_string (param, NULL), &error);

  if (module == NULL)
    {
      lw_window_toast (self, error->message);
      return;
    }
  {
    /* TRANSLATORS: toast; %s is the copy's name */
    g_autofree char *text = g_strdup_printf (_("“%s” added"), module->name);

    module_added (self, module, text);
  }
}

static void
delete_module_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           LwWindow         *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "lw-module-id");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") != 0)
    return;
  /* Jobs keep their copy of its prompt; the service puts the default for
   * new jobs back to the built-in one when it was this module. */
  if (!lw_job_session_delete_module (self->session, id, &error))
    {
      lw_window_toast (self, error->message);
      return;
    }
  lw_window_reload_modules (self);
}

static void
delete_module_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  const char *id = g_variant_get_string (param, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LwModule) module = lw_jobs_get_module (self->jobs, id, &error);
  GtkWidget *dialog;

  if (module == NULL)
    {
      lw_window_toast (self, error->message);
      return;
    }
  if (module->builtin)
    {
      g_autofree char *text = NULL;

      /* TRANSLATORS: toast; %s is a module's name */
      text = g_strdup_printf (_("“%s” is built in and stays"), module->name);
      lw_window_toast (self, text);
      return;
    }
  dialog = lw_window_new_dialog (self, _("Delete Module?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” will be removed from the sidebar. Jobs that used it keep their prompt."),
                                  module->name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "lw-module-id", g_strdup (id), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (delete_module_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- the Gemini API key ------------------------------------------------ */

static void
store_key_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(LwWindow) self = data;
  g_autoptr(GError) error = NULL;

  self->storing_key = FALSE;
  if (!lw_gemini_key_store_finish (result, &error))
    {
      lw_window_toast (self, error->message);
      return;
    }
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  lw_window_toast (self, _("API key saved in your keyring"));
  lw_window_key_saved (self);
}

void
lw_window_key_saved (LwWindow *self)
{
  g_return_if_fail (LW_IS_WINDOW (self));

  /* The queue stopped on the old key: go on with the new one. */
  if (self->session != NULL && lw_job_session_get_pause (self->session) != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.resume", NULL);
}

static void
key_response_cb (AdwMessageDialog *dialog,
                 const char       *response,
                 LwWindow         *self)
{
  GtkEditable *row = g_object_get_data (G_OBJECT (dialog), "lw-key-row");
  g_autofree char *text = NULL;

  /* One answer per dialog: closing it after "save" must not come back here
   * with a row that is being torn down. */
  g_signal_handlers_disconnect_by_func (dialog, key_response_cb, self);
  if (g_strcmp0 (response, "save") != 0)
    {
      gtk_editable_set_text (row, "");
      return;
    }
  text = g_strstrip (g_strdup (gtk_editable_get_text (row)));
  gtk_editable_set_text (row, "");
  if (*text == '\0')
    return;
  self->storing_key = TRUE;
  /* Locked, undumpable memory until the keyring has it. */
  lw_gemini_key_store_async (text, NULL, store_key_done_cb, g_object_ref (self));
  memset (text, 0, strlen (text));
}

static void
key_changed_cb (GtkEditable      *row,
                AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "save", *gtk_editable_get_text (row) != '\0');
}

static void
api_key_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwWindow *self = LW_WINDOW (widget);
  GtkWidget *dialog = lw_window_new_dialog (self, _("Gemini API Key"),
                                  _("The key is kept in your keyring and sent only to Google’s Gemini API. "
                                    "Create one in Google AI Studio."));
  GtkWidget *row = adw_password_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("API Key"));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), boxed_list (row));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  /* Held by the dialog until it is gone, whatever order its children go in. */
  g_object_set_data_full (G_OBJECT (dialog), "lw-key-row", g_object_ref (row), g_object_unref);
  g_signal_connect (row, "changed", G_CALLBACK (key_changed_cb), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (key_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (row);
}

/* ---- installation ------------------------------------------------------ */

static gboolean
edit_module_prompt_key_cb (GtkWidget *widget,
                           GVariant  *args,
                           gpointer   data)
{
  edit_module_prompt_action (widget, "win.edit-module-prompt", NULL);
  return TRUE;
}

void
lw_window_init_modules (LwWindow *self)
{
  GtkEventController *keys = gtk_shortcut_controller_new ();

  /* Ctrl+Shift+I is also GTK's inspector key, bound on GtkWindow and on by
   * default: catch it in the capture phase so ours wins (the inspector
   * keeps Ctrl+Shift+D). The accelerator table lists it as well. */
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control><Shift>i"),
                                                          gtk_callback_action_new (edit_module_prompt_key_cb,
                                                                                   NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  self->module_editor = LW_MODULE_EDITOR (lw_module_editor_new ());
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->module_prompt_button), GTK_WIDGET (self->module_editor));
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (self->module_prompt_button), prepare_editor_cb,
                                         self, NULL);
  g_signal_connect (self->module_editor, "apply", G_CALLBACK (editor_apply_cb), self);
  g_signal_connect (self->module_editor, "save-to-module", G_CALLBACK (editor_save_cb), self);
}

void
lw_window_dispose_modules (LwWindow *self)
{
  if (self->dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->dialog, self);
      g_object_remove_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
      gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->dialog)));
    }
  if (self->module_editor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->module_editor, self);
      self->module_editor = NULL;   /* the menu button owns it */
    }
}

void
lw_window_class_init_module_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.edit-module-prompt", NULL, edit_module_prompt_action);
  gtk_widget_class_install_action (widget_class, "win.new-module", NULL, new_module_action);
  gtk_widget_class_install_action (widget_class, "win.duplicate-module", "s", duplicate_module_action);
  gtk_widget_class_install_action (widget_class, "win.delete-module", "s", delete_module_action);
  gtk_widget_class_install_action (widget_class, "win.api-key", NULL, api_key_action);
}

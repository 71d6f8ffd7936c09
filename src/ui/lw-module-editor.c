/* lw-module-editor.c — the module prompt popover of the top bar. Built in
 * code: a heading, the prompt, and three explicit buttons. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-module-editor.h"
#include "lw-ui-util.h"

struct _LwModuleEditor
{
  GtkPopover  parent_instance;

  GtkWidget  *title_label;
  GtkWidget  *subtitle_label;
  GtkWidget  *text_view;
  GtkWidget  *apply_button;

  char       *default_prompt;
  gboolean    can_save;
};

G_DEFINE_FINAL_TYPE (LwModuleEditor, lw_module_editor, GTK_TYPE_POPOVER)

enum {
  APPLY,
  SAVE_TO_MODULE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char *
lw_module_editor_dup_prompt (LwModuleEditor *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (LW_IS_MODULE_EDITOR (self), NULL);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

void
lw_module_editor_set_prompt (LwModuleEditor *self,
                             const char     *prompt)
{
  g_return_if_fail (LW_IS_MODULE_EDITOR (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view)),
                            prompt != NULL ? prompt : "", -1);
}

void
lw_module_editor_setup (LwModuleEditor *self,
                        const char     *module_name,
                        const char     *prompt,
                        const char     *default_prompt,
                        gboolean        for_job,
                        gboolean        can_save)
{
  g_autofree char *title = NULL;

  g_return_if_fail (LW_IS_MODULE_EDITOR (self));

  g_free (self->default_prompt);
  self->default_prompt = g_strdup (default_prompt);
  /* TRANSLATORS: title of the module prompt editor; %s is the module */
  title = g_strdup_printf (_("%s Prompt"), module_name != NULL ? module_name : "");
  gtk_label_set_label (GTK_LABEL (self->title_label), title);
  gtk_label_set_label (GTK_LABEL (self->subtitle_label),
                       for_job ? _("Sent for every photo of this job, before its own instruction. "
                                   "Save to Module to start new jobs with it too.")
                               : _("The next job starts with this prompt."));
  gtk_button_set_label (GTK_BUTTON (self->apply_button), for_job ? _("Apply to Job") : _("Save"));
  self->can_save = for_job && can_save;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "module-editor.save-to-module", self->can_save);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "module-editor.reset", default_prompt != NULL);
  lw_module_editor_set_prompt (self, prompt);
}

void
lw_module_editor_apply (LwModuleEditor *self)
{
  g_autofree char *prompt = lw_module_editor_dup_prompt (self);

  g_signal_emit (self, signals[APPLY], 0, prompt);
  gtk_popover_popdown (GTK_POPOVER (self));
}

void
lw_module_editor_save_to_module (LwModuleEditor *self)
{
  g_autofree char *prompt = lw_module_editor_dup_prompt (self);

  if (!self->can_save)
    return;
  g_signal_emit (self, signals[SAVE_TO_MODULE], 0, prompt);
  gtk_popover_popdown (GTK_POPOVER (self));
}

void
lw_module_editor_reset (LwModuleEditor *self)
{
  g_return_if_fail (LW_IS_MODULE_EDITOR (self));

  if (self->default_prompt != NULL)
    lw_module_editor_set_prompt (self, self->default_prompt);
}

static void
apply_action (GtkWidget *widget, const char *name, GVariant *param)
{
  lw_module_editor_apply (LW_MODULE_EDITOR (widget));
}

static void
save_action (GtkWidget *widget, const char *name, GVariant *param)
{
  lw_module_editor_save_to_module (LW_MODULE_EDITOR (widget));
}

static void
reset_action (GtkWidget *widget, const char *name, GVariant *param)
{
  lw_module_editor_reset (LW_MODULE_EDITOR (widget));
}

static void
lw_module_editor_show (GtkWidget *widget)
{
  LwModuleEditor *self = LW_MODULE_EDITOR (widget);

  GTK_WIDGET_CLASS (lw_module_editor_parent_class)->show (widget);
  gtk_widget_grab_focus (self->text_view);
}

static void
lw_module_editor_finalize (GObject *object)
{
  LwModuleEditor *self = LW_MODULE_EDITOR (object);

  g_free (self->default_prompt);

  G_OBJECT_CLASS (lw_module_editor_parent_class)->finalize (object);
}

static void
lw_module_editor_class_init (LwModuleEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lw_module_editor_finalize;
  widget_class->show = lw_module_editor_show;

  signals[APPLY] = g_signal_new ("apply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SAVE_TO_MODULE] = g_signal_new ("save-to-module", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "module-editor.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "module-editor.save-to-module", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "module-editor.reset", NULL, reset_action);
}

static GtkWidget *
make_button (const char *label,
             const char *action,
             const char *tooltip,
             const char *css_class)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, css_class);
  return button;
}

static void
lw_module_editor_init (LwModuleEditor *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *spacer = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  /* Ctrl+Return applies here rather than launching the job behind. */
  lw_ui_add_apply_shortcut (GTK_WIDGET (self), "module-editor.apply");

  gtk_popover_set_position (GTK_POPOVER (self), GTK_POS_BOTTOM);
  gtk_widget_add_css_class (GTK_WIDGET (self), "prompt-editor");
  gtk_widget_set_size_request (box, 440, -1);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  self->title_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->title_label), 0);
  gtk_widget_add_css_class (self->title_label, "editor-title");
  gtk_box_append (GTK_BOX (box), self->title_label);

  self->subtitle_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->subtitle_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->subtitle_label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->subtitle_label), 52);
  gtk_widget_add_css_class (self->subtitle_label, "dim-label");
  gtk_widget_add_css_class (self->subtitle_label, "caption");
  gtk_box_append (GTK_BOX (box), self->subtitle_label);

  self->text_view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (self->text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (self->text_view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (self->text_view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (self->text_view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (self->text_view), 10);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (self->text_view), 10);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Module prompt"), -1);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 140);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 280);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), self->text_view);
  gtk_widget_add_css_class (scrolled, "editor-field");
  gtk_box_append (GTK_BOX (box), scrolled);

  gtk_widget_set_margin_top (buttons, 4);
  gtk_box_append (GTK_BOX (buttons),
                  make_button (_("Reset to Default"), "module-editor.reset",
                               _("Put the module’s original prompt back in the editor"), "dock-button"));
  gtk_widget_set_hexpand (spacer, TRUE);
  gtk_box_append (GTK_BOX (buttons), spacer);
  gtk_box_append (GTK_BOX (buttons),
                  make_button (_("Save to Module"), "module-editor.save-to-module",
                               _("Use this prompt for this job and for new jobs of the module"), "dock-button"));
  self->apply_button = make_button (_("Apply to Job"), "module-editor.apply", _("Apply (Ctrl+Return)"), "ink-button");
  gtk_box_append (GTK_BOX (buttons), self->apply_button);
  gtk_box_append (GTK_BOX (box), buttons);

  gtk_popover_set_child (GTK_POPOVER (self), box);
}

GtkWidget *
lw_module_editor_new (void)
{
  return g_object_new (LW_TYPE_MODULE_EDITOR, NULL);
}

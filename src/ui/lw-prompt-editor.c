/* lw-prompt-editor.c — the per-image instruction popover. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-prompt.h"
#include "lw-prompt-editor.h"
#include "lw-ui-util.h"

struct _LwPromptEditor
{
  GtkPopover  parent_instance;

  GtkWidget  *title_label;
  GtkWidget  *text_view;
  GtkWidget  *composed_label;
  GtkWidget  *module_heading;

  char       *module_prompt;
};

G_DEFINE_FINAL_TYPE (LwPromptEditor, lw_prompt_editor, GTK_TYPE_POPOVER)

enum {
  APPLY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_composed (LwPromptEditor *self)
{
  g_autofree char *instruction = lw_prompt_editor_dup_instruction (self);
  g_autofree char *composed = lw_prompt_compose (self->module_prompt, instruction);

  gtk_label_set_label (GTK_LABEL (self->composed_label), composed);
}

static void
buffer_changed_cb (GtkTextBuffer  *buffer,
                   LwPromptEditor *self)
{
  update_composed (self);
}

char *
lw_prompt_editor_dup_instruction (LwPromptEditor *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

void
lw_prompt_editor_set_instruction (LwPromptEditor *self,
                                  const char     *instruction)
{
  g_return_if_fail (LW_IS_PROMPT_EDITOR (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view)),
                            instruction != NULL ? instruction : "", -1);
}

const char *
lw_prompt_editor_get_composed (LwPromptEditor *self)
{
  return gtk_label_get_label (GTK_LABEL (self->composed_label));
}

void
lw_prompt_editor_setup (LwPromptEditor *self,
                        const char     *module_name,
                        const char     *module_prompt,
                        guint           n_photos,
                        const char     *instruction)
{
  g_autofree char *title = NULL;
  g_autofree char *heading = NULL;

  g_return_if_fail (LW_IS_PROMPT_EDITOR (self));

  g_free (self->module_prompt);
  self->module_prompt = g_strdup (module_prompt);
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Instruction for %u photo",
                                        "Instruction for %u photos", n_photos), n_photos);
  gtk_label_set_label (GTK_LABEL (self->title_label), title);
  /* TRANSLATORS: heading above the composed prompt; %s is the module */
  heading = g_strdup_printf (_("Sent to the model · %s prompt + instruction"), module_name != NULL ? module_name : "");
  gtk_label_set_label (GTK_LABEL (self->module_heading), heading);
  lw_prompt_editor_set_instruction (self, instruction);
  update_composed (self);
}

void
lw_prompt_editor_apply (LwPromptEditor *self)
{
  g_autofree char *instruction = lw_prompt_editor_dup_instruction (self);

  g_return_if_fail (LW_IS_PROMPT_EDITOR (self));

  g_signal_emit (self, signals[APPLY], 0, instruction);
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  lw_prompt_editor_apply (LW_PROMPT_EDITOR (widget));
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  lw_prompt_editor_set_instruction (LW_PROMPT_EDITOR (widget), NULL);
}

static void
lw_prompt_editor_show (GtkWidget *widget)
{
  LwPromptEditor *self = LW_PROMPT_EDITOR (widget);

  GTK_WIDGET_CLASS (lw_prompt_editor_parent_class)->show (widget);
  gtk_widget_grab_focus (self->text_view);
}

static void
lw_prompt_editor_finalize (GObject *object)
{
  LwPromptEditor *self = LW_PROMPT_EDITOR (object);

  g_free (self->module_prompt);

  G_OBJECT_CLASS (lw_prompt_editor_parent_class)->finalize (object);
}

static void
lw_prompt_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), LW_TYPE_PROMPT_EDITOR);

  G_OBJECT_CLASS (lw_prompt_editor_parent_class)->dispose (object);
}

static void
lw_prompt_editor_class_init (LwPromptEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lw_prompt_editor_dispose;
  object_class->finalize = lw_prompt_editor_finalize;
  widget_class->show = lw_prompt_editor_show;

  signals[APPLY] = g_signal_new ("apply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-prompt-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, LwPromptEditor, title_label);
  gtk_widget_class_bind_template_child (widget_class, LwPromptEditor, text_view);
  gtk_widget_class_bind_template_child (widget_class, LwPromptEditor, composed_label);
  gtk_widget_class_bind_template_child (widget_class, LwPromptEditor, module_heading);

  gtk_widget_class_install_action (widget_class, "editor.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "editor.clear", NULL, clear_action);
}

static void
lw_prompt_editor_init (LwPromptEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Ctrl+Return applies here rather than launching the job behind. */
  lw_ui_add_apply_shortcut (GTK_WIDGET (self), "editor.apply");
  g_signal_connect (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view)), "changed",
                    G_CALLBACK (buffer_changed_cb), self);
}

GtkWidget *
lw_prompt_editor_new (void)
{
  return g_object_new (LW_TYPE_PROMPT_EDITOR, NULL);
}

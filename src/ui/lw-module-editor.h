/* lw-module-editor.h — the module prompt of the job, editable in a popover
 * from the top bar (docs/ARCHITECTURE.md, "The 2-prompt rule"): the job keeps its own
 * copy; "Save to Module" and "Reset to Default" are explicit. Without a job
 * it edits what the next job will get: the module's own prompt. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LW_TYPE_MODULE_EDITOR (lw_module_editor_get_type ())
G_DECLARE_FINAL_TYPE (LwModuleEditor, lw_module_editor, LW, MODULE_EDITOR, GtkPopover)

GtkWidget  *lw_module_editor_new        (void);
/* for_job: the prompt is the job's copy (Save to Module possible when the
 * module still exists: can_save); else the module's own. default_prompt
 * NULL disables Reset (custom modules have none). */
void        lw_module_editor_setup      (LwModuleEditor *self,
                                         const char     *module_name,
                                         const char     *prompt,
                                         const char     *default_prompt,
                                         gboolean        for_job,
                                         gboolean        can_save);
char       *lw_module_editor_dup_prompt (LwModuleEditor *self);
void        lw_module_editor_set_prompt (LwModuleEditor *self,
                                         const char     *prompt);
/* Emits "apply" (const char *prompt) and closes. */
void        lw_module_editor_apply      (LwModuleEditor *self);
/* Emits "save-to-module" (const char *prompt) and closes. */
void        lw_module_editor_save_to_module (LwModuleEditor *self);
/* Puts the default prompt in the editor (applied with Apply or Save). */
void        lw_module_editor_reset      (LwModuleEditor *self);

G_END_DECLS

/* lw-prompt-editor.h — the per-image instruction popover. It applies to every
 * selected photo and shows, read-only beneath, the composed prompt that will
 * be sent (module prompt + instruction): the 2-prompt rule made visible. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LW_TYPE_PROMPT_EDITOR (lw_prompt_editor_get_type ())
G_DECLARE_FINAL_TYPE (LwPromptEditor, lw_prompt_editor, LW, PROMPT_EDITOR, GtkPopover)

GtkWidget  *lw_prompt_editor_new             (void);
/* Fills the editor for n_photos photos; instruction is the one they share
 * (NULL when none or when they differ). */
void        lw_prompt_editor_setup           (LwPromptEditor *self,
                                              const char     *module_name,
                                              const char     *module_prompt,
                                              guint           n_photos,
                                              const char     *instruction);
char       *lw_prompt_editor_dup_instruction (LwPromptEditor *self);
void        lw_prompt_editor_set_instruction (LwPromptEditor *self,
                                              const char     *instruction);
/* What the model will read for these photos. */
const char *lw_prompt_editor_get_composed    (LwPromptEditor *self);
/* Emits "apply" (const char *instruction) and closes. */
void        lw_prompt_editor_apply           (LwPromptEditor *self);

G_END_DECLS

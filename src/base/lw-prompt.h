/* lw-prompt.h — the 2-prompt rule (docs/ARCHITECTURE.md). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The prompt sent for an image is exactly the job's module prompt, then, if
 * the image has an instruction, a blank line and that instruction. Both are
 * trimmed; an instruction that is empty after trimming counts as none. */
char *lw_prompt_compose (const char *module_prompt,
                         const char *specific_prompt);

G_END_DECLS

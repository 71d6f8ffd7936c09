/* lw-local-instructions.h — the per-image instructions the local engine honours.
 *
 * The local engine is no language model: it understands a short, fixed
 * vocabulary (docs/local-engine.md, and the table in the .c file) and says
 * plainly what it did not understand, so nothing is silently ignored.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  /* signed steps: +1 "warmer", −1 "cooler", ±0.5 with "slightly", ±2 with "much" */
  double     warmth;
  double     brightness;
  double     contrast;
  double     saturation;
  double     sharpness;
  double     denoise;
  double     strength;          /* multiplier of the recipe's own changes, 1 by default */
  gboolean   mono;
  gboolean   square;
  gboolean   white_background;
  GPtrArray *not_understood;    /* (element-type utf8): the clauses as the user wrote them */
} LwLocalInstructions;

/* text may be NULL or empty. Never fails: what is not understood is listed. */
LwLocalInstructions *lw_local_instructions_parse    (const char                *text);
void                 lw_local_instructions_free     (LwLocalInstructions       *instructions);
/* The note for the user, "Not understood by the local engine: “…”", or
 * NULL when everything was understood. */
char                *lw_local_instructions_dup_note (const LwLocalInstructions *instructions);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwLocalInstructions, lw_local_instructions_free)

G_END_DECLS

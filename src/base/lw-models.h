/* lw-models.h — the one table of models a job can name.
 *
 * Engines, the scheduler's cost estimates, lightwork-cli's help and errors
 * and the window's model switch all read this table; nothing else lists
 * models. An alias ("nano_banana") stands for a model id that is a setting
 * (Gemini ids change every few months), see docs/ARCHITECTURE.md, "Models".
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LW_MODEL_NANO_BANANA      "nano_banana"
#define LW_MODEL_NANO_BANANA_PRO  "nano_banana_pro"
#define LW_MODEL_LOCAL            "local"

typedef enum {
  LW_MODEL_TIER_FAST,    /* Gemini's fast image tier */
  LW_MODEL_TIER_PRO,     /* Gemini's pro image tier */
  LW_MODEL_TIER_LOCAL,   /* GEGL on this computer */
} LwModelTier;

typedef struct {
  const char  *id;            /* the alias a job stores */
  const char  *label;         /* translatable (N_): "Nano Banana" */
  LwModelTier  tier;
  gboolean     paid;          /* calls cost money (and need a key) */
  double       price;         /* default USD per result; 0 when free */
  const char  *price_setting; /* setting that overrides the price, or NULL */
} LwModelInfo;

/* Prices in USD per output image, standard (not batch) tier:
 * - fast: $30 per 1M image-output tokens, 1120 tokens per 1K image =
 *   $0.0336 (Google's price as quoted in BerriAI/litellm #44983);
 * - pro: $0.134 per 1K or 2K image, $0.24 per 4K image
 *   (ai.google.dev/gemini-api/docs/pricing, checked 2026-07-01).
 * The image input adds well under a cent and is not counted. */
#define LW_MODEL_PRICE_FAST    0.0336
#define LW_MODEL_PRICE_PRO     0.134
#define LW_MODEL_PRICE_PRO_4K  0.24
/* Economy mode (the Batch API): half the price of a live call, "at 50% of
 * the standard cost" (ai.google.dev/gemini-api/docs/batch-api). */
#define LW_MODEL_BATCH_PRICE_FACTOR 0.5

/* In the window's and the help's order. */
const LwModelInfo *lw_models_list        (guint       *n_models);
const LwModelInfo *lw_models_find        (const char  *id);
gboolean           lw_models_is_known    (const char  *id);
/* The label, translated; the id itself for an unknown one. */
const char        *lw_models_get_label   (const char  *id);
/* "nano_banana, nano_banana_pro or local", for help and errors. */
char              *lw_models_describe    (void);

G_END_DECLS

/* lw-gemini-config.h — what the Gemini engine needs to know, read once.
 *
 * The engine never reads settings itself: a config is built from the store
 * (or by a test, directly) and handed to it, so tests can point it at a fake
 * server with short time-outs.
 */
#pragma once

#include <gio/gio.h>

#include "lw-models.h"
#include "lw-types.h"

G_BEGIN_DECLS

typedef enum {
  LW_GEMINI_TIER_FAST, /* alias nano_banana */
  LW_GEMINI_TIER_PRO,  /* alias nano_banana_pro */
} LwGeminiTier;

#define LW_GEMINI_N_TIERS 2

/* Setting keys (lw_store_get_setting). */
#define LW_GEMINI_SETTING_BASE_URL        "gemini.base_url"
#define LW_GEMINI_SETTING_MODEL_FAST      "model.nano_banana.id"
#define LW_GEMINI_SETTING_MODEL_PRO       "model.nano_banana_pro.id"
#define LW_GEMINI_SETTING_PRICE_FAST      "price.nano_banana"
#define LW_GEMINI_SETTING_PRICE_PRO       "price.nano_banana_pro"
#define LW_GEMINI_SETTING_OUTPUT_SIZE     "gemini.output_size"
#define LW_GEMINI_SETTING_MAX_INPUT_EDGE  "gemini.max_input_edge"
#define LW_GEMINI_SETTING_TIMEOUT_FAST    "gemini.timeout_fast"
#define LW_GEMINI_SETTING_TIMEOUT_PRO     "gemini.timeout_pro"
#define LW_GEMINI_SETTING_TIMEOUT_CONNECT "gemini.timeout_connect"
/* Environment: overrides the base URL setting (tests, the fake server). */
#define LW_GEMINI_ENV_BASE_URL            "LIGHTWORK_GEMINI_BASE_URL"

#define LW_GEMINI_DEFAULT_BASE_URL "https://generativelanguage.googleapis.com"

/* Model ids as of 2026-10 (they change every few months; the user can pick
 * others, see `lightwork-cli models`):
 * - fast tier: gemini-nano-banana-2.1 ("Nano Banana 2.1"), which replaced
 *   gemini-3.1-flash-image when the Gemini API shut that one down on
 *   2026-10-29 (LiteLLM's day-0 note, BerriAI/litellm discussion #44983,
 *   and the ai.google.dev models page);
 * - pro tier: gemini-3-pro-image ("Nano Banana Pro"; the -preview id is
 *   gone), ai.google.dev/gemini-api/docs/models. */
#define LW_GEMINI_DEFAULT_MODEL_FAST "gemini-nano-banana-2.1"
#define LW_GEMINI_DEFAULT_MODEL_PRO  "gemini-3-pro-image"

/* Prices: the models table's (lw-models.h). */
#define LW_GEMINI_DEFAULT_PRICE_FAST    LW_MODEL_PRICE_FAST
#define LW_GEMINI_DEFAULT_PRICE_PRO     LW_MODEL_PRICE_PRO
#define LW_GEMINI_DEFAULT_PRICE_PRO_4K  LW_MODEL_PRICE_PRO_4K

/* 2K: the pro tier bills 1K and 2K alike, so 2K is free resolution. */
#define LW_GEMINI_DEFAULT_OUTPUT_SIZE   "2K"
/* Long edge past which inputs are downscaled: the models work at about
 * 1–2K internally, so more pixels only cost upload time. */
#define LW_GEMINI_DEFAULT_MAX_INPUT_EDGE 2048
/* Whole-request time-outs (the defaults): the pro tier thinks
 * before it draws and takes longer. */
#define LW_GEMINI_DEFAULT_TIMEOUT_FAST_S    180
#define LW_GEMINI_DEFAULT_TIMEOUT_PRO_S     300
#define LW_GEMINI_DEFAULT_TIMEOUT_CONNECT_S 30

typedef struct {
  char   *base_url;                        /* no trailing slash */
  char   *model_id[LW_GEMINI_N_TIERS];
  double  price[LW_GEMINI_N_TIERS];        /* < 0: the default for the output size */
  char   *output_size;                     /* "1K", "2K", "4K" */
  int     max_input_edge;                  /* px, >= 256 */
  gint64  timeout_ms[LW_GEMINI_N_TIERS];   /* whole request */
  gint64  connect_timeout_ms;
} LwGeminiConfig;

LwGeminiConfig *lw_gemini_config_new_default    (void);
/* Settings from store (NULL: defaults), then $LIGHTWORK_GEMINI_BASE_URL. */
LwGeminiConfig *lw_gemini_config_new_from_store (LwStore              *store);
LwGeminiConfig *lw_gemini_config_copy           (const LwGeminiConfig *config);
void            lw_gemini_config_free           (LwGeminiConfig       *config);

/* Only https://, or http:// to a loopback host (127.0.0.0/8, ::1,
 * localhost): the key travels in a header. */
gboolean        lw_gemini_config_check_base_url (const char           *base_url,
                                                 GError              **error);
gboolean        lw_gemini_tier_from_alias       (const char           *alias,
                                                 LwGeminiTier         *tier);
const char     *lw_gemini_tier_to_alias         (LwGeminiTier          tier);
/* Whether the tier's models take imageConfig.imageSize (the pro tier). */
gboolean        lw_gemini_tier_takes_image_size (LwGeminiTier          tier);
/* The output size actually asked of tier's model ("default" when none is sent). */
const char     *lw_gemini_config_get_effective_size (const LwGeminiConfig *config,
                                                     LwGeminiTier          tier);
double          lw_gemini_config_get_price      (const LwGeminiConfig *config,
                                                 LwGeminiTier          tier);
/* Whether size is one of "1K", "2K", "4K". */
gboolean        lw_gemini_output_size_is_valid  (const char           *size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwGeminiConfig, lw_gemini_config_free)

G_END_DECLS

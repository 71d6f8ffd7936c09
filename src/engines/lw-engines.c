/* lw-engines.c — which engine serves which model alias.
 *
 * The Gemini engine (engines/gemini) and the local engine (engines/local)
 * add their branch here when they land. */
#include "config.h"

#include "lw-engines.h"
#include "lw-gemini-engine.h"
#include "lw-gemini-key.h"
#include "lw-local-engine.h"

static const char * const known_models[] = {
  LW_MODEL_NANO_BANANA,
  LW_MODEL_NANO_BANANA_PRO,
  LW_MODEL_LOCAL,
  NULL,
};

const char * const *
lw_engines_list_models (void)
{
  return known_models;
}

gboolean
lw_engines_is_known (const char *model)
{
  return model != NULL && g_strv_contains (known_models, model);
}

LwEngine *
lw_engines_create (LwStore     *store,
                   const char  *model,
                   GError     **error)
{
  if (!lw_engines_is_known (model))
    {
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_MODEL_NOT_FOUND,
                   "Unknown model “%s”; known models: nano_banana, nano_banana_pro, local",
                   model != NULL ? model : "");
      return NULL;
    }

  /* Gemini: one engine class for both aliases; the key and settings are
   * read here, once. */
  if (g_str_equal (model, LW_MODEL_NANO_BANANA) || g_str_equal (model, LW_MODEL_NANO_BANANA_PRO))
    return lw_gemini_engine_create_from_store (store, error);

  /* Local: GEGL recipes; "local.threads" photos at once, 0 = one per core. */
  if (g_str_equal (model, LW_MODEL_LOCAL))
    return LW_ENGINE (lw_local_engine_new (store != NULL
                                           ? (int) lw_store_get_setting_int (store, "local.threads", 0)
                                           : 0));

  g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_MODEL_NOT_FOUND,
               "The engine for “%s” is not built yet", model);
  return NULL;
}

char *
lw_engines_default_model (LwStore *store)
{
  /* A key ($GEMINI_API_KEY or the keyring) means the user wants Gemini. */
  if (lw_gemini_key_is_configured ())
    return g_strdup (LW_MODEL_NANO_BANANA);
  return g_strdup (LW_MODEL_LOCAL);
}

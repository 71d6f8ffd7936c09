/* lw-engines.c — which engine serves which model alias.
 *
 * The Gemini engine (engines/gemini) and the local engine (engines/local)
 * add their branch here when they land. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-engines.h"
#include "lw-gemini-engine.h"
#include "lw-gemini-key.h"
#include "lw-local-engine.h"
#include "lw-settings.h"

LwEngine *
lw_engines_create (LwStore     *store,
                   const char  *model,
                   GError     **error)
{
  const LwModelInfo *info = lw_models_find (model);

  if (info == NULL)
    {
      g_autofree char *known = lw_models_describe ();

      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_MODEL_NOT_FOUND,
                   _("Unknown model “%s”; use %s"), model != NULL ? model : "", known);
      return NULL;
    }

  /* Gemini: one engine class for both aliases; the key and settings are
   * read here, once. */
  if (info->tier == LW_MODEL_TIER_FAST || info->tier == LW_MODEL_TIER_PRO)
    return lw_gemini_engine_create_from_store (store, error);

  /* Local: GEGL recipes; "local.threads" photos at once, 0 = one per core. */
  if (info->tier == LW_MODEL_TIER_LOCAL)
    return LW_ENGINE (lw_local_engine_new ((int) lw_settings_get_int (store, LW_SETTING_LOCAL_THREADS)));

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

/* lw-engines.h — which engine serves which model alias. */
#pragma once

#include "lw-engine.h"
#include "lw-models.h"
#include "lw-store.h"

G_BEGIN_DECLS

/* Creates the engine for model, configured from the settings in store
 * (read once, here). Errors: LW_ENGINE_ERROR_MODEL_NOT_FOUND for an unknown
 * alias, LW_ENGINE_ERROR_AUTH when a Gemini model has no key. */
LwEngine *lw_engines_create        (LwStore     *store,
                                    const char  *model,
                                    GError     **error);
/* The model a new job gets: nano_banana when a key is configured, local
 * otherwise. */
char     *lw_engines_default_model (LwStore     *store);

G_END_DECLS

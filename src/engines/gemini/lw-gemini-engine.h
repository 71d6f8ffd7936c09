/* lw-gemini-engine.h — LwEngine for Google's Gemini image models.
 *
 * One generateContent call per process_async, on one SoupSession shared by
 * the process, async on the thread-default main context. The photo is
 * prepared (oriented, downscaled, encoded) in a worker thread, then streamed
 * into the request body. The outcome is classified precisely
 * (lw-gemini-response.h); retries, pauses and pacing are the scheduler's.
 * Serves both aliases, nano_banana and nano_banana_pro.
 */
#pragma once

#include <libsoup/soup.h>

#include "lw-engine.h"
#include "lw-gemini-config.h"
#include "lw-gemini-response.h"
#include "lw-store.h"

G_BEGIN_DECLS

#define LW_TYPE_GEMINI_ENGINE (lw_gemini_engine_get_type ())
G_DECLARE_FINAL_TYPE (LwGeminiEngine, lw_gemini_engine, LW, GEMINI_ENGINE, GObject)

/* The process's one session: max-conns-per-host 32 and max-conns 64 (so
 * the scheduler's 16 slots all get a connection; libsoup's defaults are 2
 * and 10), User-Agent "LightWork/<version>". */
SoupSession    *lw_gemini_get_session            (void);

/* config is copied, key too (into locked memory). Fails with BAD_REQUEST
 * for a base URL that is not https:// (or http:// to loopback). */
LwGeminiEngine *lw_gemini_engine_new             (const LwGeminiConfig *config,
                                                  const char           *key,
                                                  GError              **error);
/* Settings from store, key from the environment or keyring. Errors: AUTH
 * when no key is set, BAD_REQUEST for a refused base URL. */
LwEngine       *lw_gemini_engine_create_from_store (LwStore            *store,
                                                  GError              **error);
const LwGeminiConfig *lw_gemini_engine_get_config (LwGeminiEngine      *self);

/* GET /v1beta/models, every page: LwGeminiModelInfo of every model the key
 * may use (filter on ->image_output for image models). One cheap call per
 * page; `lightwork-cli key test` uses it to check a key. */
void            lw_gemini_engine_list_models_async  (LwGeminiEngine      *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray      *lw_gemini_engine_list_models_finish (LwGeminiEngine      *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS

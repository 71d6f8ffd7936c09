/* lw-gemini-engine-private.h — the engine's HTTP pieces, shared with the
 * Batch API client (lw-gemini-batch.c) so that every request to Google
 * carries the key the same way and refuses redirects the same way.
 */
#pragma once

#include <libsoup/soup.h>

#include "lw-gemini-engine.h"
#include "lw-gemini-input.h"

G_BEGIN_DECLS

/* Where the image's base64 goes in the JSON built around it; json-glib
 * writes it verbatim (nothing in it needs escaping). */
#define LW_GEMINI_IMAGE_MARKER "@@LW-IMAGE-DATA@@"

/* {base}{path_and_query}, with the key header and redirects refused; NULL
 * when the URL does not parse. */
SoupMessage *lw_gemini_engine_new_message     (LwGeminiEngine      *self,
                                               const char          *method,
                                               const char          *path_and_query);
/* A generateContent request body. The image part is inlineData whose data
 * is LW_GEMINI_IMAGE_MARKER (the caller puts the base64 there), or
 * fileData naming file_uri when that is set (an upload of the Files API). */
char        *lw_gemini_engine_build_body_json (LwGeminiEngine      *self,
                                               LwGeminiTier         tier,
                                               const LwGeminiInput *input,
                                               const char          *prompt,
                                               const char          *file_uri);
/* Sends msg with the engine's time-outs and reads the answer: the body of
 * a 2xx, else the classified engine error (redirects refused, the key
 * redacted from messages). */
void         lw_gemini_engine_exchange_async  (LwGeminiEngine      *self,
                                               SoupMessage         *msg,
                                               gint64               timeout_ms,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GBytes      *lw_gemini_engine_exchange_finish (LwGeminiEngine      *self,
                                               GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS

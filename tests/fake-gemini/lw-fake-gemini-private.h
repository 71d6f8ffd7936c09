/* lw-fake-gemini-private.h — what the fake's Files and Batch APIs
 * (lw-fake-gemini-batch.c) share with its generateContent
 * (lw-fake-gemini-server.c): one key check, one request check, one
 * transform, one set of per-photo counts.
 */
#pragma once

#include <libsoup/soup.h>

#include "lw-fake-gemini-server.h"

G_BEGIN_DECLS

typedef struct _LwFakeBatches LwFakeBatches;

LwFakeBatches *lw_fake_batches_new              (void);
void           lw_fake_batches_free             (LwFakeBatches     *batches);
/* TRUE when path was one of the Files or Batch endpoints (answered). */
gboolean       lw_fake_batches_handle           (LwFakeGemini      *self,
                                                 SoupServerMessage *msg,
                                                 const char        *path,
                                                 GHashTable        *query);

LwFakeBatches *lw_fake_gemini_get_batches       (LwFakeGemini      *self);
/* Takes body. */
void           lw_fake_gemini_respond           (SoupServerMessage *msg,
                                                 guint              status,
                                                 const char        *content_type,
                                                 GBytes            *body);
void           lw_fake_gemini_respond_error     (SoupServerMessage *msg,
                                                 guint              status,
                                                 const char        *grpc_status,
                                                 const char        *message);
/* FALSE (and answered 403/400) without the right x-goog-api-key. */
gboolean       lw_fake_gemini_check_key         (LwFakeGemini      *self,
                                                 SoupServerMessage *msg,
                                                 GHashTable        *query);
gboolean       lw_fake_gemini_has_image_model   (LwFakeGemini      *self,
                                                 const char        *model_id);
GBytes        *lw_fake_gemini_answer_now        (LwFakeGemini      *self,
                                                 const char        *model_id,
                                                 const char        *request_json,
                                                 char             **sha256,
                                                 guint             *status);
void           lw_fake_gemini_count_batch_entry (LwFakeGemini      *self,
                                                 const char        *sha256,
                                                 gboolean           delivered);
double         lw_fake_gemini_draw              (LwFakeGemini      *self);

G_END_DECLS

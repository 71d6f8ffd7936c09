/* lw-gemini-batch.h — Google's Batch API for the Gemini image models:
 * the same generateContent requests, run within 24 h at half the price
 * (docs/ARCHITECTURE.md, "Economy").
 *
 * A batch is a JSONL file of keyed GenerateContentRequests uploaded
 * through the Files API (resumable upload), then batches.create, polled
 * with batches.get, cancelled with batches.cancel; its results are a JSONL
 * file downloaded and matched by key. Photos go inline as base64 in their
 * line, or, over the inline limit, as uploaded files named by fileData.
 * Every request goes through the engine's own HTTP code
 * (lw-gemini-engine-private.h): the key header, redirects refused, the
 * same error classes. Shapes and where they come from:
 * tests/fake-gemini/lw-fake-gemini-batch.c.
 */
#pragma once

#include <gio/gio.h>

#include "lw-engine.h"
#include "lw-gemini-engine.h"
#include "lw-models.h"

G_BEGIN_DECLS

/* The Batch API's price: the models table's factor (half a live call). */
#define LW_GEMINI_BATCH_PRICE_FACTOR LW_MODEL_BATCH_PRICE_FACTOR
/* A photo larger than this (encoded, before base64) goes through the
 * Files API instead of inline: a generateContent request's inline data
 * must stay under 20 MB (the batch-api guide's inline limit), and base64
 * adds a third. */
#define LW_GEMINI_BATCH_INLINE_LIMIT (14 * 1024 * 1024)

typedef enum {
  LW_GEMINI_BATCH_STATE_UNKNOWN,
  LW_GEMINI_BATCH_STATE_PENDING,
  LW_GEMINI_BATCH_STATE_RUNNING,
  LW_GEMINI_BATCH_STATE_SUCCEEDED,
  LW_GEMINI_BATCH_STATE_FAILED,
  LW_GEMINI_BATCH_STATE_CANCELLED,
  LW_GEMINI_BATCH_STATE_EXPIRED,
} LwGeminiBatchState;

/* "pending", "running", … (as stored); from_string also takes the REST
 * names (BATCH_STATE_SUCCEEDED) and the SDKs' (JOB_STATE_SUCCEEDED). */
const char        *lw_gemini_batch_state_to_string   (LwGeminiBatchState  state);
LwGeminiBatchState lw_gemini_batch_state_from_string (const char         *name);
gboolean           lw_gemini_batch_state_is_final    (LwGeminiBatchState  state);

/* A line's key: "image-<id>-attempt-<n>", so a result can only land on
 * the attempt that asked for it. */
char              *lw_gemini_batch_key               (gint64              image_id,
                                                      int                 attempt);
gboolean           lw_gemini_batch_parse_key         (const char         *key,
                                                      gint64             *image_id,
                                                      int                *attempt);

typedef struct {
  char               *name;            /* "batches/…" */
  LwGeminiBatchState  state;
  char               *responses_file;  /* "files/…" once SUCCEEDED */
  char               *error_message;   /* a FAILED batch's reason, may be NULL */
  char               *display_name;    /* batch.displayName, may be NULL */
  char               *input_file;      /* batch.inputConfig.fileName ("files/…"), may be NULL */
} LwGeminiBatchStatus;

void                 lw_gemini_batch_status_free  (LwGeminiBatchStatus *status);
/* The Operation of batches.create / batches.get (or a bare Batch). */
LwGeminiBatchStatus *lw_gemini_batch_parse_status (const char          *body,
                                                   gsize                length,
                                                   GError             **error);

/* A page of batches.list (a ListOperationsResponse): the batch named
 * display_name in it (NULL when none), and the next page's token (NULL
 * on the last page). FALSE and error when the page cannot be read. */
gboolean             lw_gemini_batch_parse_list   (const char           *body,
                                                   gsize                 length,
                                                   const char           *display_name,
                                                   LwGeminiBatchStatus **found,
                                                   char                **next_page_token,
                                                   GError              **error);

typedef struct {
  char           *key;
  LwEngineResult *result;   /* the image; cost not set (the caller's price) */
  GError         *error;    /* or why there is none, classified as a live call's */
} LwGeminiBatchEntry;

void        lw_gemini_batch_entry_free    (LwGeminiBatchEntry *entry);
/* A results file: one LwGeminiBatchEntry a line with a key; lines without
 * one are skipped. */
GPtrArray  *lw_gemini_batch_parse_results (const char         *data,
                                           gsize               length);

/* What a submitted batch is made of, to be persisted before anything else
 * happens: the batch, every file it uploaded (to delete later), the keys
 * it carries, and the requests that could not go (their photo unreadable:
 * LwGeminiBatchEntry with an error). */
typedef struct {
  char      *batch_name;
  GPtrArray *files;      /* char *: "files/…" */
  GPtrArray *keys;       /* char * */
  GPtrArray *rejected;   /* LwGeminiBatchEntry */
} LwGeminiBatchSubmission;

void        lw_gemini_batch_submission_free (LwGeminiBatchSubmission *submission);

/* The aspect ratio the request asks for (the photo's nearest supported
 * one), for the result checks. */
double      lw_gemini_batch_request_aspect (const LwEngineRequest *request);

#define LW_TYPE_GEMINI_BATCH (lw_gemini_batch_get_type ())
G_DECLARE_FINAL_TYPE (LwGeminiBatch, lw_gemini_batch, LW, GEMINI_BATCH, GObject)

LwGeminiBatch *lw_gemini_batch_new              (LwGeminiEngine       *engine);
/* Bytes past which a photo is uploaded rather than inline (tests). */
void           lw_gemini_batch_set_inline_limit (LwGeminiBatch        *self,
                                                 gsize                 limit);

/* requests: LwEngineRequest of one Gemini model alias. Each file uploaded
 * on the way (photos over the inline limit, then the JSONL) is announced
 * by ::file-uploaded (const char *file_name) as soon as Google has it. */
void           lw_gemini_batch_submit_async     (LwGeminiBatch        *self,
                                                 GPtrArray            *requests,
                                                 const char           *display_name,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
LwGeminiBatchSubmission *lw_gemini_batch_submit_finish (LwGeminiBatch *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void           lw_gemini_batch_get_async        (LwGeminiBatch        *self,
                                                 const char           *batch_name,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
LwGeminiBatchStatus *lw_gemini_batch_get_finish (LwGeminiBatch        *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void           lw_gemini_batch_cancel_async     (LwGeminiBatch        *self,
                                                 const char           *batch_name,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean       lw_gemini_batch_cancel_finish    (LwGeminiBatch        *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* files.delete of an uploaded file ("files/…"); a file already gone
 * (404) counts as deleted. */
void           lw_gemini_batch_delete_file_async (LwGeminiBatch       *self,
                                                 const char           *file_name,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean       lw_gemini_batch_delete_file_finish (LwGeminiBatch      *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* batches.list, page after page: the batch whose displayName is
 * display_name (a batch created by a process that died before it could
 * write the name down). NULL and no error when Google has none. */
void           lw_gemini_batch_find_async       (LwGeminiBatch        *self,
                                                 const char           *display_name,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
LwGeminiBatchStatus *lw_gemini_batch_find_finish (LwGeminiBatch       *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* Downloads file_name and parses it in a worker thread: LwGeminiBatchEntry. */
void           lw_gemini_batch_download_async   (LwGeminiBatch        *self,
                                                 const char           *file_name,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GPtrArray     *lw_gemini_batch_download_finish  (LwGeminiBatch        *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwGeminiBatchStatus, lw_gemini_batch_status_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwGeminiBatchEntry, lw_gemini_batch_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwGeminiBatchSubmission, lw_gemini_batch_submission_free)

G_END_DECLS

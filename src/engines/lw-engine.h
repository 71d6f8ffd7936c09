/* lw-engine.h — the one interface every engine implements.
 *
 * An engine turns one photo plus its composed prompt into one result image.
 * It is called on the scheduler's main context and must never block it:
 * network engines run async on the context, CPU engines in worker threads.
 * Failures are GErrors in LW_ENGINE_ERROR; the scheduler decides what each
 * class means for the image (see lw_engine_error_classify()).
 */
#pragma once

#include <gio/gio.h>

#include "lw-types.h"

G_BEGIN_DECLS

#define LW_ENGINE_ERROR (lw_engine_error_quark ())

typedef enum {
  /* transient: RETRY_LATER with backoff (or the server's delay) */
  LW_ENGINE_ERROR_RATE_LIMITED,     /* HTTP 429, per-minute quota */
  LW_ENGINE_ERROR_SERVER,           /* HTTP 500, 502, 503, 504 */
  LW_ENGINE_ERROR_TIMEOUT,          /* connect or whole-request time-out */
  LW_ENGINE_ERROR_NETWORK,          /* connection reset, dropped mid-body */
  LW_ENGINE_ERROR_TRUNCATED,        /* body cut short or not JSON */
  /* the whole queue of that model pauses; no image is marked failed */
  LW_ENGINE_ERROR_AUTH,             /* key invalid (400 API_KEY_INVALID), 401, 403 */
  LW_ENGINE_ERROR_MODEL_NOT_FOUND,  /* 404 for the model id */
  LW_ENGINE_ERROR_QUOTA_EXHAUSTED,  /* 429 with a per-day quota, or a limit of 0 */
  LW_ENGINE_ERROR_OFFLINE,          /* no route, no DNS: nothing would succeed now */
  LW_ENGINE_ERROR_SPEND_CAP,        /* the job's spending cap would be passed */
  LW_ENGINE_ERROR_DISK_FULL,        /* the data folder's disk is full: a result cannot be kept */
  /* the model refused: FAILED with the reason in words */
  LW_ENGINE_ERROR_SAFETY_BLOCKED,
  /* the answer had no image: one more try, then FAILED with the model's text */
  LW_ENGINE_ERROR_NO_IMAGE,
  /* this photo can never succeed as asked: FAILED */
  LW_ENGINE_ERROR_BAD_REQUEST,      /* 400 INVALID_ARGUMENT and the like */
  LW_ENGINE_ERROR_BAD_INPUT,        /* the original cannot be read or decoded */
  LW_ENGINE_ERROR_FAILED,           /* anything else; FAILED */
} LwEngineErrorCode;

typedef enum {
  LW_ERROR_CLASS_TRANSIENT,
  LW_ERROR_CLASS_PAUSE,
  LW_ERROR_CLASS_REFUSED,
  LW_ERROR_CLASS_NO_IMAGE,
  LW_ERROR_CLASS_PERMANENT,
  LW_ERROR_CLASS_CANCELLED,
} LwErrorClass;

GQuark       lw_engine_error_quark (void);

/* Extended error data (G_DEFINE_EXTENDED_ERROR): a server-given retry delay
 * (google.rpc.RetryInfo), -1 when none was given. */
gint64       lw_engine_error_get_retry_delay_ms (const GError *error);
void         lw_engine_error_set_retry_delay_ms (GError       *error,
                                                 gint64        delay_ms);
GError      *lw_engine_error_new_with_delay     (LwEngineErrorCode code,
                                                 gint64            retry_delay_ms,
                                                 const char       *format,
                                                 ...) G_GNUC_PRINTF (3, 4);

/* Any GError to its outcome class. G_IO_ERROR_CANCELLED → CANCELLED;
 * other G_IO_ERRORs → TRANSIENT (time-outs, resets); unknown → PERMANENT. */
LwErrorClass lw_engine_error_classify           (const GError *error);
/* Stable code names stored in images.error_code ("rate_limited", …). */
const char  *lw_engine_error_code_to_string     (const GError *error);

/* One unit of work, built by the scheduler. Immutable once made; refcounted. */
typedef struct {
  gint64  image_id;
  gint64  job_id;
  int     attempt;
  char   *module_id;
  char   *model;           /* alias as on the job: "nano_banana", "local", … */
  char   *original_name;   /* the file name the user knows ("IMG_0001.jpg"), for messages */
  char   *input_path;      /* the original blob, read-only */
  char   *input_mime;
  int     width;           /* as stored, before orientation */
  int     height;
  int     orientation;     /* EXIF 1–8: engines apply it before work */
  char   *prompt;          /* composed: module prompt [+ blank line + instruction] */
  char   *module_prompt;   /* the two halves, for engines that parse them */
  char   *specific_prompt; /* may be NULL */
} LwEngineRequest;

typedef struct {
  GBytes *data;            /* the result image, encoded */
  char   *mime;            /* "image/png", "image/jpeg" */
  char   *text;            /* text the model said alongside, may be NULL */
  char   *notes;           /* remarks for the user ("not understood by the local engine: …"), may be NULL */
  double  cost;            /* what this call cost (0 for local) */
  double  aspect;          /* width / height the engine asked for or drew; 0 = the photo's own (result checks) */
} LwEngineResult;

LwEngineRequest *lw_engine_request_new   (void);
LwEngineRequest *lw_engine_request_ref   (LwEngineRequest *request);
void             lw_engine_request_unref (LwEngineRequest *request);
LwEngineResult  *lw_engine_result_new    (GBytes     *data,
                                          const char *mime);
void             lw_engine_result_free   (LwEngineResult *result);

GType lw_engine_request_get_type (void) G_GNUC_CONST;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwEngineRequest, lw_engine_request_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwEngineResult, lw_engine_result_free)

#define LW_TYPE_ENGINE (lw_engine_get_type ())
G_DECLARE_INTERFACE (LwEngine, lw_engine, LW, ENGINE, GObject)

struct _LwEngineInterface
{
  GTypeInterface parent_iface;

  /* "gemini", "local", "fake": for logs and the UI */
  const char     *(*get_name)       (LwEngine            *self);
  /* What, besides photo and prompt, decides the result (model id, output
   * size, recipe version). Equal signatures mean a finished result may be
   * reused instead of a new (paid) call. */
  char           *(*dup_signature)  (LwEngine            *self,
                                     const char          *model);
  /* Price of one call for model, 0 when free. */
  double          (*get_cost)       (LwEngine            *self,
                                     const char          *model);
  void            (*process_async)  (LwEngine            *self,
                                     LwEngineRequest     *request,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
  LwEngineResult *(*process_finish) (LwEngine            *self,
                                     GAsyncResult        *result,
                                     GError             **error);
};

const char     *lw_engine_get_name       (LwEngine            *self);
char           *lw_engine_dup_signature  (LwEngine            *self,
                                          const char          *model);
double          lw_engine_get_cost       (LwEngine            *self,
                                          const char          *model);
void            lw_engine_process_async  (LwEngine            *self,
                                          LwEngineRequest     *request,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
LwEngineResult *lw_engine_process_finish (LwEngine            *self,
                                          GAsyncResult        *result,
                                          GError             **error);

G_END_DECLS

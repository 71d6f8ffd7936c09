/* lw-fake-gemini-server.h — a fake Gemini API on 127.0.0.1, for tests,
 * benchmarks and trying the app out without a key.
 *
 * Speaks the real wire format of generateContent and models.list: checks
 * the x-goog-api-key header, the JSON body's field names and values, and
 * that inlineData decodes to an image; answers the real error bodies
 * (google.rpc RetryInfo, QuotaFailure, ErrorInfo, BadRequest). A success is
 * a visible, deterministic transform of the input photo — mirrored
 * left-right and colour-inverted, as PNG — carrying the SHA-256 of the
 * decoded input bytes in a tEXt chunk ("lw-input-sha256") and in a text
 * part ("input-sha256: <hex>"), so a test can prove each result belongs
 * to its input. Thinking (pro-tier) models first answer a `thought` part
 * with a decoy image.
 *
 * Runs on its own thread and GMainContext (after GNOME Calendar's
 * tests/gcal-simple-server.c); every function here may be called from any
 * thread, at any time.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  LW_FAKE_FAULT_NONE,
  LW_FAKE_FAULT_RATE_LIMIT,    /* 429 RESOURCE_EXHAUSTED, per-minute quota, RetryInfo */
  LW_FAKE_FAULT_SERVER_500,    /* 500 INTERNAL */
  LW_FAKE_FAULT_BAD_GATEWAY,   /* 502 with Google's HTML page */
  LW_FAKE_FAULT_UNAVAILABLE,   /* 503 UNAVAILABLE, "The model is overloaded" */
  LW_FAKE_FAULT_DEADLINE,      /* 504 DEADLINE_EXCEEDED */
  LW_FAKE_FAULT_HANG,          /* never answers (until the server stops) */
  LW_FAKE_FAULT_DROP,          /* 200, headers and half the body, then the connection closes */
  LW_FAKE_FAULT_TRUNCATED,     /* 200, a complete HTTP answer whose JSON is cut short */
  LW_FAKE_FAULT_SAFETY_PROMPT, /* promptFeedback.blockReason PROHIBITED_CONTENT, no candidates */
  LW_FAKE_FAULT_SAFETY_IMAGE,  /* candidate finishReason IMAGE_SAFETY, no image */
  LW_FAKE_FAULT_TEXT_ONLY,     /* a text part and no image */
  LW_FAKE_FAULT_QUOTA_DAY,     /* 429, per-day quota (with a RetryInfo that must be ignored) */
  LW_FAKE_FAULT_QUOTA_ZERO,    /* 429, "limit: 0" (a free tier without image quota) */
  LW_FAKE_FAULT_BAD_KEY,       /* 400 API_KEY_INVALID whatever the key */
  LW_FAKE_N_FAULTS
} LwFakeFault;

const char  *lw_fake_fault_to_string   (LwFakeFault fault);
gboolean     lw_fake_fault_from_string (const char  *name,
                                        LwFakeFault *fault);

typedef struct _LwFakeGemini LwFakeGemini;

/* Known models at first: gemini-nano-banana-2.1 (fast) and
 * gemini-3-pro-image (thinking, takes imageSize), plus a text model and an
 * Imagen model for the model list. Key "fake-key". */
LwFakeGemini *lw_fake_gemini_new              (void);
/* Stops it if running. */
void          lw_fake_gemini_free             (LwFakeGemini *self);

/* Listens on 127.0.0.1:port (0 = any free port) and serves from a thread. */
gboolean      lw_fake_gemini_start            (LwFakeGemini *self,
                                               guint16       port,
                                               GError      **error);
/* Answers hung requests 503, stops listening, joins the thread. */
void          lw_fake_gemini_stop             (LwFakeGemini *self);
guint16       lw_fake_gemini_get_port         (LwFakeGemini *self);
/* "http://127.0.0.1:<port>" */
char         *lw_fake_gemini_dup_base_url     (LwFakeGemini *self);

/* ---- knobs -------------------------------------------------------------- */
void          lw_fake_gemini_set_key          (LwFakeGemini *self,
                                               const char   *key);
void          lw_fake_gemini_clear_models     (LwFakeGemini *self);
/* thinking: answers a thought part with a decoy image first;
 * takes_image_size: accepts imageConfig.imageSize (others answer 400). */
void          lw_fake_gemini_add_model        (LwFakeGemini *self,
                                               const char   *id,
                                               const char   *display_name,
                                               gboolean      thinking,
                                               gboolean      takes_image_size);
/* Log-normal latency with this mean; sigma 0 = fixed. Error answers take a
 * tenth of it. */
void          lw_fake_gemini_set_latency      (LwFakeGemini *self,
                                               double        mean_ms,
                                               double        sigma);
/* Rate (0–1) at which a valid request meets fault, drawn per request. */
void          lw_fake_gemini_set_fault_rate   (LwFakeGemini *self,
                                               LwFakeFault   fault,
                                               double        rate);
/* The next valid requests meet these faults, in arrival order (before any
 * random draw); LW_FAKE_FAULT_NONE = answer normally. */
void          lw_fake_gemini_push_faults      (LwFakeGemini      *self,
                                               const LwFakeFault *faults,
                                               guint              n_faults);
/* The next valid requests for the input whose decoded bytes hash to
 * sha256 meet these faults, in order (checked before the list above). */
void          lw_fake_gemini_push_faults_for  (LwFakeGemini      *self,
                                               const char        *sha256,
                                               const LwFakeFault *faults,
                                               guint              n_faults);
/* Requests per minute admitted (sliding 60 s window); the next one gets a
 * 429 per-minute quota error. 0 = no limit. */
void          lw_fake_gemini_set_rpm          (LwFakeGemini *self,
                                               int           rpm);
/* RetryInfo.retryDelay of fault 429s (default 2000 ms; quota 429s say
 * when the window frees up). */
void          lw_fake_gemini_set_retry_delay  (LwFakeGemini *self,
                                               gint64        delay_ms);
void          lw_fake_gemini_set_seed         (LwFakeGemini *self,
                                               guint32       seed);
/* Answer with inline_data / mime_type (as some proxies do). */
void          lw_fake_gemini_set_snake_case   (LwFakeGemini *self,
                                               gboolean      snake_case);

/* ---- the Files and Batch APIs (lw-fake-gemini-batch.c) -------------------
 * POST /upload/v1beta/files (resumable: start, then "upload, finalize" to
 * the X-Goog-Upload-URL it answers), GET /download/v1beta/files/N:download
 * ?alt=media, POST /v1beta/models/M:batchGenerateContent with
 * batch.inputConfig.fileName (a JSONL of {"key", "request"}), GET
 * /v1beta/batches/N (an Operation: metadata.state BATCH_STATE_*, and when
 * done response.responsesFile), POST /v1beta/batches/N:cancel, GET
 * /v1beta/batches (batches.list, newest first), DELETE /v1beta/files/N. A batch's
 * entries are answered like live requests (same checks, same transform)
 * in a worker thread as soon as it is created; they count as requests and
 * deliveries of their photos (get_requests_for, get_delivered_for) when
 * the batch is first reported SUCCEEDED. */
typedef enum {
  LW_FAKE_BATCH_SUCCEEDED,
  LW_FAKE_BATCH_FAILED,     /* the whole batch: state FAILED, an error, no results */
  LW_FAKE_BATCH_EXPIRED,    /* not run within its 48 h: no results */
  LW_FAKE_BATCH_CANCELLED,  /* cancelled on the server's side */
} LwFakeBatchOutcome;

/* The next batches created end so, in order (then SUCCEEDED). */
void          lw_fake_gemini_push_batch_outcomes (LwFakeGemini             *self,
                                                  const LwFakeBatchOutcome *outcomes,
                                                  guint                     n_outcomes);
/* Rate (0–1) at which an entry's line is a status object (500 INTERNAL)
 * instead of a response, drawn from the seeded generator. */
void          lw_fake_gemini_set_batch_entry_failure_rate (LwFakeGemini *self,
                                                  double        rate);
/* Slow completion: a batch answers PENDING to its first pending_polls
 * gets, then RUNNING to the next running_polls (and until its entries are
 * done), then its outcome. Default 1 and 1. */
void          lw_fake_gemini_set_batch_polls     (LwFakeGemini *self,
                                                  guint         pending_polls,
                                                  guint         running_polls);
guint         lw_fake_gemini_get_n_batches       (LwFakeGemini *self);
/* Cancels that reached the server (POST :cancel). */
guint         lw_fake_gemini_get_n_batch_cancels (LwFakeGemini *self);
/* Every request to the Files and Batch endpoints (uploads, creates,
 * gets, cancels, downloads). */
guint         lw_fake_gemini_get_n_batch_http    (LwFakeGemini *self);
/* Files finalized (uploads), and result downloads. */
guint         lw_fake_gemini_get_n_uploads       (LwFakeGemini *self);
guint         lw_fake_gemini_get_n_downloads     (LwFakeGemini *self);
/* Files deleted (DELETE /v1beta/files/N), batches.list requests, and the
 * uploaded files still stored (results files not counted). */
guint         lw_fake_gemini_get_n_file_deletes  (LwFakeGemini *self);
guint         lw_fake_gemini_get_n_batch_lists   (LwFakeGemini *self);
guint         lw_fake_gemini_get_n_uploaded_files (LwFakeGemini *self);
/* Every file stored: uploads and the results files of batches. */
guint         lw_fake_gemini_get_n_files         (LwFakeGemini *self);
/* The state name (BATCH_STATE_*) of batch name ("batches/…"), or NULL. */
char         *lw_fake_gemini_dup_batch_state     (LwFakeGemini *self,
                                                  const char   *name);

/* ---- what happened ------------------------------------------------------ */
typedef struct {
  gint64       t_ms;          /* since start */
  char        *model;
  char        *sha256;        /* of the decoded input image, NULL when none */
  guint        status;        /* HTTP status answered (0: hung or dropped) */
  LwFakeFault  fault;
  gboolean     delivered;     /* an image went out in full */
  gboolean     chunked;       /* the request body came chunked */
  char        *aspect_ratio;  /* as asked, may be NULL */
  char        *image_size;
  gsize        body_bytes;    /* request body size */
  gint64       latency_ms;
  char       **texts;         /* the text parts of the request, in order (NULL when none) */
} LwFakeLogEntry;

void          lw_fake_log_entry_free          (LwFakeLogEntry *entry);

/* generateContent requests received, valid or not. */
guint         lw_fake_gemini_get_n_requests   (LwFakeGemini *self);
/* Images delivered in full. */
guint         lw_fake_gemini_get_n_delivered  (LwFakeGemini *self);
/* Answers with this HTTP status. */
guint         lw_fake_gemini_get_n_status     (LwFakeGemini *self,
                                               guint         status);
/* Requests and deliveries for the input whose decoded bytes hash to sha256. */
guint         lw_fake_gemini_get_requests_for (LwFakeGemini *self,
                                               const char   *sha256);
guint         lw_fake_gemini_get_delivered_for (LwFakeGemini *self,
                                               const char   *sha256);
/* Requests being worked on right now, and the most ever at once. */
guint         lw_fake_gemini_get_in_flight    (LwFakeGemini *self);
guint         lw_fake_gemini_get_max_in_flight (LwFakeGemini *self);
/* Copy of the request log, in arrival order (LwFakeLogEntry). */
GPtrArray    *lw_fake_gemini_dup_log          (LwFakeGemini *self);
/* The same as GET /_fake/stats: {"requests", "delivered", "batches",
 * "batch_cancels", "batch_http", "uploads", "downloads", "status": {…},
 * "max_in_flight", "photos": {sha256: {"requests", "delivered"}}, "log": […]} */
char         *lw_fake_gemini_dup_stats_json   (LwFakeGemini *self);
/* The prompt of every request for the input whose decoded bytes hash to
 * sha256, in arrival order: its text parts, joined by U+001E when there are
 * several (so two parts never pass for one), "" when none. */
char        **lw_fake_gemini_dup_prompts_for  (LwFakeGemini *self,
                                               const char   *sha256);
void          lw_fake_gemini_reset_stats      (LwFakeGemini *self);

/* The SHA-256 a result image (PNG) says its input had, or NULL. */
char         *lw_fake_gemini_result_sha256    (GBytes       *png);
/* The part of a width × height photo an answer is drawn from: its middle,
 * x, y, w × h, in aspect_ratio ("W:H", as imageConfig.aspectRatio; NULL:
 * the whole photo). The real API draws the picture anew in that shape; a
 * centred crop is the fake's. */
void          lw_fake_gemini_drawn_region     (int           width,
                                               int           height,
                                               const char   *aspect_ratio,
                                               int          *x,
                                               int          *y,
                                               int          *w,
                                               int          *h);

G_END_DECLS

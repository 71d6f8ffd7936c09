/* lw-gemini-engine.c — LwEngine for Google's Gemini image models. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lw-gemini-body-stream.h"
#include "lw-gemini-engine.h"
#include "lw-gemini-engine-private.h"
#include "lw-thread.h"
#include "lw-gemini-input.h"
#include "lw-gemini-key.h"

/* GET /v1beta/models pages of up to 1000; a key sees a few dozen models,
 * so 20 pages is a runaway guard, not a limit anyone meets. */
#define MODELS_PAGE_SIZE 1000
#define MODELS_MAX_PAGES 20

/* Backstop for a wedged socket when our own timers somehow do not fire:
 * the longest whole-request time-out the settings allow. */
#define SESSION_IO_TIMEOUT_S 3600

struct _LwGeminiEngine
{
  GObject         parent_instance;

  LwGeminiConfig *config;
  char           *key;      /* lw_secret_strdup */
  SoupSession    *session;
};

static void lw_gemini_engine_iface_init (LwEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LwGeminiEngine, lw_gemini_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LW_TYPE_ENGINE, lw_gemini_engine_iface_init))

/* ---- process-wide resources --------------------------------------------- */

SoupSession *
lw_gemini_get_session (void)
{
  static SoupSession *session;

  if (g_once_init_enter (&session))
    {
      /* docs/ARCHITECTURE.md "Platform facts": max-conns-per-host defaults to 2 and is
       * construct-only; below the scheduler's 16 slots, "concurrency 8"
       * would silently run 2 at a time. */
      SoupSession *new_session = soup_session_new_with_options ("max-conns-per-host", 32,
                                                                "max-conns", 64,
                                                                "timeout", SESSION_IO_TIMEOUT_S,
                                                                "user-agent", "LightWork/" PACKAGE_VERSION,
                                                                NULL);
      g_once_init_leave (&session, new_session);
    }
  return session;
}

static void prepare_in_worker (gpointer data, gpointer user_data);

/* Decoding and encoding photos is CPU work: as many at once as there are
 * cores (GTask's pool has 10 threads, which on 2 cores only adds memory
 * and contention). */
static GThreadPool *
get_prepare_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      GThreadPool *new_pool = g_thread_pool_new (prepare_in_worker, NULL,
                                                 (int) MAX (1, g_get_num_processors ()), FALSE, NULL);
      g_once_init_leave (&pool, new_pool);
    }
  return pool;
}

static void
redact_error (LwGeminiEngine *self, GError *error)
{
  char *clean;

  if (error == NULL || self->key == NULL || strstr (error->message, self->key) == NULL)
    return;
  clean = lw_gemini_redact (error->message, self->key);
  g_free (error->message);
  error->message = clean;
}

/* ---- one HTTP exchange with time-outs ----------------------------------- */

typedef struct {
  SoupMessage  *msg;
  GMainContext *context;
  GCancellable *cancellable;     /* ours: the caller's, a time-out, or both cancel it */
  GCancellable *caller;
  gulong        caller_handler;
  GSource      *timer;
  GSource      *connect_timer;
  gint64        timeout_ms;
  gint64        connect_timeout_ms;
  gboolean      timed_out;
  gboolean      connect_timed_out;
  gboolean      answering;       /* the answer's headers came: only its body is left */
} SendData;

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
send_data_free (SendData *sd)
{
  clear_source (&sd->timer);
  clear_source (&sd->connect_timer);
  if (sd->caller != NULL)
    g_cancellable_disconnect (sd->caller, sd->caller_handler);
  g_clear_object (&sd->caller);
  g_signal_handlers_disconnect_by_data (sd->msg, sd);
  g_clear_object (&sd->msg);
  g_clear_object (&sd->cancellable);
  g_clear_pointer (&sd->context, g_main_context_unref);
  g_free (sd);
}

static void
caller_cancelled_cb (GCancellable *caller,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* timer fired: flag says which time-out it was when send_done_cb() sees
 * the exchange cancelled. */
static gboolean
time_out (SendData  *sd,
          GSource  **timer,
          gboolean  *flag)
{
  *flag = TRUE;
  g_clear_pointer (timer, g_source_unref);
  g_cancellable_cancel (sd->cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
whole_timeout_cb (gpointer user_data)
{
  SendData *sd = user_data;

  return time_out (sd, &sd->timer, &sd->timed_out);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  SendData *sd = user_data;

  return time_out (sd, &sd->connect_timer, &sd->connect_timed_out);
}

static void
network_event_cb (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  SendData *sd = user_data;

  /* COMPLETE: connected (and TLS done); from here the whole-request timer
   * alone runs. */
  if (event == G_SOCKET_CLIENT_COMPLETE)
    clear_source (&sd->connect_timer);
}

static void
wrote_headers_cb (SoupMessage *msg,
                  gpointer     user_data)
{
  SendData *sd = user_data;

  /* A reused connection emits no network events. */
  clear_source (&sd->connect_timer);
}

static GSource *add_timer (GMainContext *context, gint64 ms, GSourceFunc func, gpointer data);

static void
got_headers_cb (SoupMessage *msg,
                gpointer     user_data)
{
  SendData *sd = user_data;

  clear_source (&sd->connect_timer);
  if (soup_message_get_status (msg) < 200 || soup_message_get_status (msg) > 299 || sd->answering)
    return;
  /* The model has drawn the picture and it is on its way: throwing a paid
   * result away because its transfer crossed the deadline would only buy
   * it again. What is left gets a stall guard of its own (a 4K answer is
   * ~10 MB of base64). */
  sd->answering = TRUE;
  clear_source (&sd->timer);
  sd->timer = add_timer (sd->context, MAX (sd->connect_timeout_ms, 30 * 1000), whole_timeout_cb, sd);
}

static GSource *
add_timer (GMainContext *context, gint64 ms, GSourceFunc func, gpointer data)
{
  GSource *source = g_timeout_source_new ((guint) CLAMP (ms, 1, G_MAXUINT));

  g_source_set_callback (source, func, data, NULL);
  g_source_set_static_name (source, "[lightwork] gemini time-out");
  g_source_attach (source, context);
  return source;
}

static void
send_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *sd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  clear_source (&sd->timer);
  clear_source (&sd->connect_timer);
  if (bytes != NULL)
    {
      g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && sd->connect_timed_out)
    g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_TIMEOUT,
                             _("Could not connect to the Gemini server within %g s"),
                             sd->connect_timeout_ms / 1000.0);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && sd->timed_out && sd->answering)
    g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_TIMEOUT,
                             _("The Gemini server's answer stalled half-way"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && sd->timed_out)
    g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_TIMEOUT,
                             _("No answer from the Gemini server within %g s"), sd->timeout_ms / 1000.0);
  else
    g_task_return_error (task, lw_gemini_error_from_transport (error));
}

/* Sends msg, reads the whole answer (any status), and maps transport
 * failures to engine errors. The caller's cancellation stays
 * G_IO_ERROR_CANCELLED; our time-outs become TIMEOUT. */
static void
send_async (LwGeminiEngine      *self,
            SoupMessage         *msg,
            gint64               timeout_ms,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GMainContext *context = g_task_get_context (task);
  SendData *sd = g_new0 (SendData, 1);

  g_task_set_source_tag (task, send_async);
  sd->msg = g_object_ref (msg);
  sd->context = g_main_context_ref (context);
  sd->cancellable = g_cancellable_new ();
  sd->timeout_ms = timeout_ms;
  sd->connect_timeout_ms = MIN (self->config->connect_timeout_ms, timeout_ms);
  g_task_set_task_data (task, sd, (GDestroyNotify) send_data_free);
  if (cancellable != NULL)
    {
      sd->caller = g_object_ref (cancellable);
      sd->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                  sd->cancellable, NULL);
    }
  sd->timer = add_timer (context, timeout_ms, whole_timeout_cb, sd);
  sd->connect_timer = add_timer (context, sd->connect_timeout_ms, connect_timeout_cb, sd);
  g_signal_connect (msg, "network-event", G_CALLBACK (network_event_cb), sd);
  g_signal_connect (msg, "wrote-headers", G_CALLBACK (wrote_headers_cb), sd);
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), sd);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, sd->cancellable,
                                    send_done_cb, task);
}

static GBytes *
send_finish (GAsyncResult  *result,
             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

SoupMessage *
lw_gemini_engine_new_message (LwGeminiEngine *self,
             const char     *method,
             const char     *path_and_query)
{
  g_autofree char *url = g_strconcat (self->config->base_url, path_and_query, NULL);
  SoupMessage *msg = soup_message_new (method, url);
  SoupMessageHeaders *headers;

  if (msg == NULL)
    return NULL;
  /* libsoup follows redirects by itself and keeps our request headers,
   * x-goog-api-key too, whatever the new origin (even plain http to
   * another host). The API never redirects: a 3xx is a wrong base URL or
   * something in between, and finish_answer() says so. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (msg);
  /* The header, not ?key=: URLs end up in logs and error messages. */
  soup_message_headers_replace (headers, "x-goog-api-key", self->key);
  soup_message_headers_replace (headers, "Accept", "application/json");
  return msg;
}

/* ---- process ------------------------------------------------------------ */

typedef struct {
  LwEngineRequest *request;
  LwGeminiTier     tier;
  SoupMessage     *msg;
  double           aspect;   /* the ratio asked for (imageConfig.aspectRatio), for the result checks */
} ProcessData;

static void
process_data_free (ProcessData *pd)
{
  g_clear_pointer (&pd->request, lw_engine_request_unref);
  g_clear_object (&pd->msg);
  g_free (pd);
}

typedef struct {
  GTask         *task;   /* owned */
  LwGeminiInput *input;
  GError        *error;
} Prepared;

/* Back on the task's own context: the result is returned and the last
 * reference to the task (and so perhaps to the engine) dropped there, never
 * in the worker thread. */
static gboolean
prepared_in_context_cb (gpointer data)
{
  Prepared *prepared = data;

  if (prepared->input != NULL)
    g_task_return_pointer (prepared->task, prepared->input, (GDestroyNotify) lw_gemini_input_free);
  else
    g_task_return_error (prepared->task, prepared->error);
  g_object_unref (prepared->task);
  g_free (prepared);
  return G_SOURCE_REMOVE;
}

static void
prepare_in_worker (gpointer data,
                   gpointer user_data)
{
  Prepared *prepared = g_new0 (Prepared, 1);
  LwGeminiEngine *self;
  LwEngineRequest *request;

  lw_thread_set_background ();
  prepared->task = data;
  self = g_task_get_source_object (prepared->task);
  request = g_task_get_task_data (prepared->task);
  /* self->config is never changed after construction: safe to read here. */
  prepared->input = lw_gemini_input_prepare (request->input_path, request->input_mime, request->width,
                                             request->height, request->orientation, self->config->max_input_edge,
                                             g_task_get_cancellable (prepared->task), &prepared->error);
  lw_context_invoke (g_task_get_context (prepared->task), prepared_in_context_cb, prepared, NULL);
}

char *
lw_gemini_engine_build_body_json (LwGeminiEngine      *self,
                                  LwGeminiTier         tier,
                                  const LwGeminiInput *input,
                                  const char          *prompt,
                                  const char          *file_uri)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "contents");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "user");
  json_builder_set_member_name (builder, "parts");
  json_builder_begin_array (builder);
  /* The photo first, then the instruction: the order the image-editing
   * guide uses. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, file_uri != NULL ? "fileData" : "inlineData");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mimeType");
  json_builder_add_string_value (builder, input->mime);
  json_builder_set_member_name (builder, file_uri != NULL ? "fileUri" : "data");
  json_builder_add_string_value (builder, file_uri != NULL ? file_uri : LW_GEMINI_IMAGE_MARKER);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  if (prompt != NULL && *prompt != '\0')
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, prompt);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "generationConfig");
  json_builder_begin_object (builder);
  /* TEXT too: when the model declines to draw, its words say why. */
  json_builder_set_member_name (builder, "responseModalities");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "TEXT");
  json_builder_add_string_value (builder, "IMAGE");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "imageConfig");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "aspectRatio");
  json_builder_add_string_value (builder, lw_gemini_nearest_aspect_ratio (input->width, input->height));
  if (lw_gemini_tier_takes_image_size (tier))
    {
      json_builder_set_member_name (builder, "imageSize");
      json_builder_add_string_value (builder, self->config->output_size);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static gboolean
body_cut_short (SoupMessage *msg,
                gsize        length)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  const char *declared = soup_message_headers_get_one (headers, "Content-Length");
  const char *coding = soup_message_headers_get_one (headers, "Content-Encoding");
  guint64 expected;

  /* A compressed body's length is the compressed one: no comparison then. */
  if (declared == NULL || coding != NULL ||
      !g_ascii_string_to_unsigned (declared, 10, 0, G_MAXUINT64, &expected, NULL))
    return FALSE;
  return (guint64) length < expected;
}

/* Returns error on task (whose source is the engine) without the key in
 * its message. */
static void
return_redacted_error (GTask  *task,
                       GError *error)
{
  redact_error (g_task_get_source_object (task), error);
  g_task_return_error (task, error);
}

/* The body of a send_async() of msg that was answered with a 2xx status, or
 * NULL when the exchange failed, was cut short (only when whole_body is
 * set) or the server answered with an error about model_id (or NULL): the
 * error is then already returned on task. */
static GBytes *
finish_answer (GTask        *task,
               GAsyncResult *result,
               SoupMessage  *msg,
               const char   *model_id,
               gboolean      whole_body)
{
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;
  const char *data;
  gsize length = 0;
  guint status;

  body = send_finish (result, &error);
  if (body == NULL)
    {
      return_redacted_error (task, error);
      return NULL;
    }
  data = g_bytes_get_data (body, &length);
  status = soup_message_get_status (msg);
  if (whole_body && body_cut_short (msg, length))
    {
      /* libsoup reads to EOF when the answer also says "Connection: close",
       * and takes a dropped connection for the end of the body. */
      g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_NETWORK,
                               _("The connection dropped in the middle of the answer"));
      return NULL;
    }
  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      const char *location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");

      return_redacted_error (task, lw_gemini_redirect_error (status, location));
      return NULL;
    }
  if (status < 200 || status > 299)
    {
      return_redacted_error (task, lw_gemini_parse_error (status, data, length, model_id,
                                                          g_get_real_time ()));
      return NULL;
    }
  return g_steal_pointer (&body);
}

static void
exchanged_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GBytes *body = finish_answer (task, result, g_task_get_task_data (task), NULL, TRUE);

  if (body != NULL)
    g_task_return_pointer (task, body, (GDestroyNotify) g_bytes_unref);
}

void
lw_gemini_engine_exchange_async (LwGeminiEngine      *self,
                                 SoupMessage         *msg,
                                 gint64               timeout_ms,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lw_gemini_engine_exchange_async);
  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);
  send_async (self, msg, timeout_ms, cancellable, exchanged_cb, task);
}

GBytes *
lw_gemini_engine_exchange_finish (LwGeminiEngine  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LwGeminiEngine *self = g_task_get_source_object (task);
  ProcessData *pd = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;
  LwEngineResult *answer;
  const char *data;
  gsize length = 0;

  body = finish_answer (task, result, pd->msg, self->config->model_id[pd->tier], TRUE);
  if (body == NULL)
    return;
  data = g_bytes_get_data (body, &length);
  answer = lw_gemini_parse_answer (data, length, &error);
  if (answer == NULL)
    {
      return_redacted_error (task, error);
      return;
    }
  answer->cost = lw_gemini_config_get_price (self->config, pd->tier);
  answer->aspect = pd->aspect;
  g_task_return_pointer (task, answer, (GDestroyNotify) lw_engine_result_free);
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LwGeminiEngine *self = g_task_get_source_object (task);
  ProcessData *pd = g_task_get_task_data (task);
  g_autoptr(LwGeminiInput) input = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *json = NULL;
  g_autofree char *head = NULL;
  g_autofree char *tail = NULL;
  g_autofree char *escaped_model = NULL;
  g_autofree char *path = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  input = g_task_propagate_pointer (G_TASK (result), &error);
  if (input == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  json = lw_gemini_engine_build_body_json (self, pd->tier, input, pd->request->prompt, NULL);
  pd->aspect = lw_gemini_aspect_ratio_value (lw_gemini_nearest_aspect_ratio (input->width, input->height));
  if (!lw_gemini_body_split (json, LW_GEMINI_IMAGE_MARKER, &head, &tail))
    g_assert_not_reached ();
  stream = lw_gemini_body_stream_new (head, input->data, tail);
  /* The encoded photo now lives in the stream alone. */
  g_clear_pointer (&input->data, g_bytes_unref);

  escaped_model = g_uri_escape_string (self->config->model_id[pd->tier], "-._~", FALSE);
  path = g_strdup_printf ("/v1beta/models/%s:generateContent", escaped_model);
  pd->msg = lw_gemini_engine_new_message (self, SOUP_METHOD_POST, path);
  if (pd->msg == NULL)
    {
      g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST,
                               _("Cannot make a request URL from “%s” and model “%s”"),
                               self->config->base_url, self->config->model_id[pd->tier]);
      return;
    }
  /* Length −1: sent chunked, produced as it goes. */
  soup_message_set_request_body (pd->msg, "application/json", stream, -1);
  cancellable = g_task_get_cancellable (task);
  send_async (self, pd->msg, self->config->timeout_ms[pd->tier], cancellable, sent_cb, g_steal_pointer (&task));
}

static void
lw_gemini_engine_process_async (LwEngine            *engine,
                                LwEngineRequest     *request,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  LwGeminiEngine *self = LW_GEMINI_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GTask *prepare;
  ProcessData *pd;
  LwGeminiTier tier;

  g_task_set_source_tag (task, lw_gemini_engine_process_async);
  if (!lw_gemini_tier_from_alias (request->model, &tier))
    {
      g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_MODEL_NOT_FOUND,
                               _("“%s” is not a Gemini model alias"),
                               request->model != NULL ? request->model : "");
      return;
    }
  if (request->input_path == NULL)
    {
      g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT, _("No photo to send"));
      return;
    }

  pd = g_new0 (ProcessData, 1);
  pd->request = lw_engine_request_ref (request);
  pd->tier = tier;
  g_task_set_task_data (task, pd, (GDestroyNotify) process_data_free);

  /* Its own task for the worker, holding the request; it completes on
   * this context, where prepared_cb carries on with the main task. */
  prepare = g_task_new (self, cancellable, prepared_cb, g_steal_pointer (&task));
  g_task_set_source_tag (prepare, prepare_in_worker);
  g_task_set_task_data (prepare, lw_engine_request_ref (request), (GDestroyNotify) lw_engine_request_unref);
  g_thread_pool_push (get_prepare_pool (), prepare, NULL);
}

static LwEngineResult *
lw_gemini_engine_process_finish (LwEngine      *engine,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *
lw_gemini_engine_get_name (LwEngine *engine)
{
  return "gemini";
}

static char *
lw_gemini_engine_dup_signature (LwEngine   *engine,
                                const char *model)
{
  LwGeminiEngine *self = LW_GEMINI_ENGINE (engine);
  LwGeminiTier tier;

  if (!lw_gemini_tier_from_alias (model, &tier))
    return g_strdup_printf ("gemini:%s", model != NULL ? model : "");
  /* What changes the picture: the model, the size asked for (only sent to
   * the pro tier, so "default" for the fast one: changing the setting must
   * not make its results look stale), and how large the input was. The
   * request version ("r1") changes if the body we send ever does. */
  return g_strdup_printf ("gemini:r1:%s:size=%s:edge=%d", self->config->model_id[tier],
                          lw_gemini_config_get_effective_size (self->config, tier),
                          self->config->max_input_edge);
}

static double
lw_gemini_engine_get_cost (LwEngine   *engine,
                           const char *model)
{
  LwGeminiEngine *self = LW_GEMINI_ENGINE (engine);
  LwGeminiTier tier;

  if (!lw_gemini_tier_from_alias (model, &tier))
    return 0;
  return lw_gemini_config_get_price (self->config, tier);
}

/* ---- models ------------------------------------------------------------- */

typedef struct {
  GPtrArray   *models;
  SoupMessage *msg;
  guint        pages;
} ListData;

static void
list_data_free (ListData *ld)
{
  g_clear_pointer (&ld->models, g_ptr_array_unref);
  g_clear_object (&ld->msg);
  g_free (ld);
}

static void list_next_page (GTask *task, const char *page_token);

static void
list_page_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *ld = g_task_get_task_data (task);
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *next = NULL;
  GError *error = NULL;
  const char *data;
  gsize length = 0;

  body = finish_answer (task, result, ld->msg, NULL, FALSE);
  if (body == NULL)
    return;
  data = g_bytes_get_data (body, &length);
  page = lw_gemini_parse_models (data, length, &next, &error);
  if (page == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_ptr_array_extend_and_steal (ld->models, g_steal_pointer (&page));
  if (next != NULL && ++ld->pages < MODELS_MAX_PAGES)
    {
      list_next_page (g_steal_pointer (&task), next);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&ld->models), (GDestroyNotify) g_ptr_array_unref);
}

static void
list_next_page (GTask      *task,
                const char *page_token)
{
  LwGeminiEngine *self = g_task_get_source_object (task);
  ListData *ld = g_task_get_task_data (task);
  g_autofree char *escaped = page_token != NULL ? g_uri_escape_string (page_token, NULL, FALSE) : NULL;
  g_autofree char *path = NULL;

  path = g_strdup_printf ("/v1beta/models?pageSize=%d%s%s", MODELS_PAGE_SIZE,
                          escaped != NULL ? "&pageToken=" : "", escaped != NULL ? escaped : "");
  g_clear_object (&ld->msg);
  ld->msg = lw_gemini_engine_new_message (self, SOUP_METHOD_GET, path);
  if (ld->msg == NULL)
    {
      g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST,
                               _("Cannot make a request URL from “%s”"), self->config->base_url);
      g_object_unref (task);
      return;
    }
  send_async (self, ld->msg, self->config->timeout_ms[LW_GEMINI_TIER_FAST], g_task_get_cancellable (task),
              list_page_cb, task);
}

void
lw_gemini_engine_list_models_async (LwGeminiEngine      *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  ListData *ld;

  g_return_if_fail (LW_IS_GEMINI_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lw_gemini_engine_list_models_async);
  ld = g_new0 (ListData, 1);
  ld->models = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_gemini_model_info_free);
  g_task_set_task_data (task, ld, (GDestroyNotify) list_data_free);
  list_next_page (task, NULL);
}

GPtrArray *
lw_gemini_engine_list_models_finish (LwGeminiEngine  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- object ------------------------------------------------------------- */

static void
lw_gemini_engine_finalize (GObject *object)
{
  LwGeminiEngine *self = LW_GEMINI_ENGINE (object);

  g_clear_pointer (&self->config, lw_gemini_config_free);
  g_clear_pointer (&self->key, lw_secret_free);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (lw_gemini_engine_parent_class)->finalize (object);
}

static void
lw_gemini_engine_class_init (LwGeminiEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lw_gemini_engine_finalize;
}

static void
lw_gemini_engine_iface_init (LwEngineInterface *iface)
{
  iface->get_name = lw_gemini_engine_get_name;
  iface->dup_signature = lw_gemini_engine_dup_signature;
  iface->get_cost = lw_gemini_engine_get_cost;
  iface->process_async = lw_gemini_engine_process_async;
  iface->process_finish = lw_gemini_engine_process_finish;
}

static void
lw_gemini_engine_init (LwGeminiEngine *self)
{
}

LwGeminiEngine *
lw_gemini_engine_new (const LwGeminiConfig  *config,
                      const char            *key,
                      GError               **error)
{
  LwGeminiEngine *self;

  g_return_val_if_fail (config != NULL, NULL);

  if (!lw_gemini_config_check_base_url (config->base_url, error))
    return NULL;
  if (key == NULL || *key == '\0')
    {
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH,
                   _("No Gemini API key is set"));
      return NULL;
    }
  self = g_object_new (LW_TYPE_GEMINI_ENGINE, NULL);
  self->config = lw_gemini_config_copy (config);
  self->key = lw_secret_strdup (key);
  self->session = g_object_ref (lw_gemini_get_session ());
  return self;
}

LwEngine *
lw_gemini_engine_create_from_store (LwStore  *store,
                                    GError  **error)
{
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_from_store (store);
  g_autoptr(GError) key_error = NULL;
  LwGeminiEngine *engine;
  char *key;

  key = lw_gemini_key_lookup (NULL, NULL, &key_error);
  if (key == NULL)
    {
      if (key_error != NULL)
        g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH, "%s", key_error->message);
      else
        g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH,
                     _("No Gemini API key is set"));
      return NULL;
    }
  engine = lw_gemini_engine_new (config, key, error);
  lw_secret_free (key);
  return engine != NULL ? LW_ENGINE (engine) : NULL;
}

const LwGeminiConfig *
lw_gemini_engine_get_config (LwGeminiEngine *self)
{
  g_return_val_if_fail (LW_IS_GEMINI_ENGINE (self), NULL);
  return self->config;
}

/* lw-gemini-batch.c — the Batch API client (lw-gemini-batch.h). */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lw-gemini-batch.h"
#include "lw-gemini-engine-private.h"
#include "lw-gemini-input.h"
#include "lw-thread.h"

struct _LwGeminiBatch
{
  GObject         parent_instance;

  LwGeminiEngine *engine;
  gsize           inline_limit;
};

G_DEFINE_FINAL_TYPE (LwGeminiBatch, lw_gemini_batch, G_TYPE_OBJECT)

enum { SIGNAL_FILE_UPLOADED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Uploads, creates and downloads move whole batches: the longest time-out
 * the settings give a live call (the pro tier's). */
static gint64
timeout_ms (LwGeminiBatch *self)
{
  return lw_gemini_engine_get_config (self->engine)->timeout_ms[LW_GEMINI_TIER_PRO];
}

/* Names Google gives ("batches/abc-1", "files/xyz") go into URL paths:
 * nothing but these characters, so no name can reach another path. */
static gboolean
name_is_safe (const char *name, const char *prefix)
{
  if (name == NULL || !g_str_has_prefix (name, prefix) || name[strlen (prefix)] == '\0')
    return FALSE;
  for (const char *p = name + strlen (prefix); *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
check_name (GTask *task, const char *name, const char *prefix)
{
  if (name_is_safe (name, prefix))
    return TRUE;
  g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_FAILED,
                           _("“%s” is not a name the Batch API gives"), name != NULL ? name : "");
  return FALSE;
}

/* ---- one request with a JSON (or empty) answer -------------------------- */

static void
exchange (LwGeminiBatch       *self,
          GTask               *task,
          const char          *method,
          const char          *path,
          const char          *json_body,
          GAsyncReadyCallback  callback)
{
  SoupMessage *msg = lw_gemini_engine_new_message (self->engine, method, path);

  if (msg == NULL)
    {
      g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST,
                               _("Cannot make a request URL for “%s”"), path);
      g_object_unref (task);
      return;
    }
  if (json_body != NULL)
    {
      /* The message takes a reference of its own. */
      g_autoptr(GBytes) body = g_bytes_new (json_body, strlen (json_body));

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }
  g_object_set_data_full (G_OBJECT (task), "lw-msg", msg, g_object_unref);
  lw_gemini_engine_exchange_async (self->engine, msg, timeout_ms (self), g_task_get_cancellable (task),
                                   callback, task);
}

/* A request about a resource Google named (batches/…, files/…): the name
 * checked, then {prefix_path}{name}{suffix}. */
static void
named_request (LwGeminiBatch       *self,
               gpointer             source_tag,
               const char          *name,
               const char          *kind,
               const char          *method,
               const char          *path_prefix,
               const char          *path_suffix,
               const char          *json_body,
               GAsyncReadyCallback  done,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *path = NULL;

  g_task_set_source_tag (task, source_tag);
  if (!check_name (task, name, kind))
    {
      g_object_unref (task);
      return;
    }
  path = g_strconcat (path_prefix, name, path_suffix, NULL);
  exchange (self, task, method, path, json_body, done);
}

/* ---- the Files API: resumable upload ------------------------------------ */

typedef struct {
  GBytes *data;
  char   *mime;
  char   *display_name;
  char   *name;   /* the answer's */
  char   *uri;
} Upload;

static void
upload_free (Upload *upload)
{
  g_clear_pointer (&upload->data, g_bytes_unref);
  g_free (upload->mime);
  g_free (upload->display_name);
  g_free (upload->name);
  g_free (upload->uri);
  g_free (upload);
}

static void
upload_finalized_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;
  JsonObject *file = NULL;
  JsonNode *node;

  body = lw_gemini_engine_exchange_finish (LW_GEMINI_ENGINE (source), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) &&
      (node = json_object_get_member (json_node_get_object (json_parser_get_root (parser)), "file")) != NULL &&
      JSON_NODE_HOLDS_OBJECT (node))
    file = json_node_get_object (node);
  if (file != NULL)
    {
      upload->name = g_strdup (json_object_get_string_member_with_default (file, "name", NULL));
      upload->uri = g_strdup (json_object_get_string_member_with_default (file, "uri", NULL));
    }
  if (!check_name (task, upload->name, "files/"))
    return;
  g_task_return_boolean (task, TRUE);
}

static void
upload_started_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  LwGeminiBatch *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  SoupMessage *start = g_object_get_data (G_OBJECT (task), "lw-msg");
  const char *base = lw_gemini_engine_get_config (self->engine)->base_url;
  g_autoptr(GBytes) body = NULL;
  SoupMessage *msg;
  GError *error = NULL;
  const char *url;

  body = lw_gemini_engine_exchange_finish (LW_GEMINI_ENGINE (source), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* The key goes with the bytes: only to the origin it was meant for. */
  url = soup_message_headers_get_one (soup_message_get_response_headers (start), "X-Goog-Upload-URL");
  if (url == NULL || !g_str_has_prefix (url, base) || url[strlen (base)] != '/')
    {
      g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_FAILED,
                               _("The upload was not given an address on the Gemini server"));
      g_object_unref (task);
      return;
    }
  msg = lw_gemini_engine_new_message (self->engine, SOUP_METHOD_POST, url + strlen (base));
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Goog-Upload-Command", "upload, finalize");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Goog-Upload-Offset", "0");
  soup_message_set_request_body_from_bytes (msg, upload->mime, upload->data);
  g_object_set_data_full (G_OBJECT (task), "lw-msg", msg, g_object_unref);
  lw_gemini_engine_exchange_async (self->engine, msg, timeout_ms (self), g_task_get_cancellable (task),
                                   upload_finalized_cb, task);
}

/* POST /upload/v1beta/files, X-Goog-Upload-Protocol: resumable, start;
 * then the bytes to the X-Goog-Upload-URL answered. */
static void
upload_async (LwGeminiBatch       *self,
              GBytes              *data,
              const char          *mime,
              const char          *display_name,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Upload *upload = g_new0 (Upload, 1);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *length = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (data));
  gsize json_length = 0;
  SoupMessage *msg;

  upload->data = g_bytes_ref (data);
  upload->mime = g_strdup (mime);
  upload->display_name = g_strdup (display_name);
  g_task_set_task_data (task, upload, (GDestroyNotify) upload_free);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "displayName");
  json_builder_add_string_value (b, display_name);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &json_length);
  msg = lw_gemini_engine_new_message (self->engine, SOUP_METHOD_POST, "/upload/v1beta/files");
  if (msg == NULL)
    {
      g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST, _("Cannot make an upload URL"));
      g_object_unref (task);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Goog-Upload-Protocol", "resumable");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Goog-Upload-Command", "start");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Goog-Upload-Header-Content-Length", length);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Goog-Upload-Header-Content-Type", mime);
  {
    g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&json), json_length);

    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  }
  g_object_set_data_full (G_OBJECT (task), "lw-msg", msg, g_object_unref);
  lw_gemini_engine_exchange_async (self->engine, msg, timeout_ms (self), cancellable, upload_started_cb, task);
}

/* The uploaded file (its name and uri in the task data) or FALSE. */
static Upload *
upload_finish (GAsyncResult *result, GError **error)
{
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_task_get_task_data (G_TASK (result));
}

/* ---- submit: prepare, upload, create ------------------------------------ */

typedef struct {
  LwGeminiEngine          *engine;     /* for the worker thread, which holds no batch */
  GPtrArray               *requests;   /* LwEngineRequest */
  char                    *display_name;
  LwGeminiTier             tier;
  gsize                    inline_limit;
  GString                 *jsonl;
  GPtrArray               *big;        /* BigInput: photos over the inline limit */
  guint                    next_big;
  LwGeminiBatchSubmission *submission;
} Submit;

typedef struct {
  char          *key;
  char          *prompt;
  LwGeminiInput *input;
} BigInput;

static void
big_input_free (BigInput *big)
{
  g_free (big->key);
  g_free (big->prompt);
  g_clear_pointer (&big->input, lw_gemini_input_free);
  g_free (big);
}

static void
submit_free (Submit *submit)
{
  g_clear_object (&submit->engine);
  g_ptr_array_unref (submit->requests);
  g_free (submit->display_name);
  if (submit->jsonl != NULL)
    g_string_free (submit->jsonl, TRUE);
  g_ptr_array_unref (submit->big);
  g_clear_pointer (&submit->submission, lw_gemini_batch_submission_free);
  g_free (submit);
}

static void
append_line (GString *jsonl, const char *key, const char *head, const char *base64, const char *tail)
{
  /* Keys are ours ("image-<n>-attempt-<n>"): nothing in them to escape. */
  g_string_append_printf (jsonl, "{\"key\":\"%s\",\"request\":", key);
  g_string_append (jsonl, head);
  if (base64 != NULL)
    g_string_append (jsonl, base64);
  if (tail != NULL)
    g_string_append (jsonl, tail);
  g_string_append (jsonl, "}\n");
}

/* Worker thread: every photo prepared as a live call prepares it; inline
 * ones written into the JSONL, big ones kept for the Files API. */
static void
prepare_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Submit *submit = task_data;
  const LwGeminiConfig *config = lw_gemini_engine_get_config (submit->engine);

  lw_thread_set_background ();
  for (guint i = 0; i < submit->requests->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      LwEngineRequest *request = g_ptr_array_index (submit->requests, i);
      g_autofree char *key = lw_gemini_batch_key (request->image_id, request->attempt);
      g_autoptr(LwGeminiInput) input = NULL;
      g_autofree char *json = NULL;
      g_autofree char *base64 = NULL;
      char *marker;
      GError *error = NULL;

      input = lw_gemini_input_prepare (request->input_path, request->input_mime, request->width, request->height,
                                       request->orientation, config->max_input_edge, cancellable, &error);
      if (input == NULL)
        {
          LwGeminiBatchEntry *entry = g_new0 (LwGeminiBatchEntry, 1);

          entry->key = g_steal_pointer (&key);
          entry->error = error;
          g_ptr_array_add (submit->submission->rejected, entry);
          continue;
        }
      g_ptr_array_add (submit->submission->keys, g_strdup (key));
      if (g_bytes_get_size (input->data) > submit->inline_limit)
        {
          BigInput *big = g_new0 (BigInput, 1);

          big->key = g_steal_pointer (&key);
          big->prompt = g_strdup (request->prompt);
          big->input = g_steal_pointer (&input);
          g_ptr_array_add (submit->big, big);
          continue;
        }
      json = lw_gemini_engine_build_body_json (submit->engine, submit->tier, input, request->prompt, NULL);
      marker = strstr (json, LW_GEMINI_IMAGE_MARKER);
      g_assert (marker != NULL);
      *marker = '\0';
      base64 = g_base64_encode (g_bytes_get_data (input->data, NULL), g_bytes_get_size (input->data));
      append_line (submit->jsonl, key, json, base64, marker + strlen (LW_GEMINI_IMAGE_MARKER));
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_boolean (task, TRUE);
}

static void upload_next_big (GTask *task);

static void
created_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Submit *submit = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(LwGeminiBatchStatus) status = NULL;
  GError *error = NULL;

  body = lw_gemini_engine_exchange_finish (LW_GEMINI_ENGINE (source), result, &error);
  if (body != NULL)
    status = lw_gemini_batch_parse_status (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (status == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!check_name (task, status->name, "batches/"))
    return;
  submit->submission->batch_name = g_strdup (status->name);
  g_task_return_pointer (task, g_steal_pointer (&submit->submission), (GDestroyNotify) lw_gemini_batch_submission_free);
}

static void
jsonl_uploaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  LwGeminiBatch *self = g_task_get_source_object (task);
  Submit *submit = g_task_get_task_data (task);
  const LwGeminiConfig *config = lw_gemini_engine_get_config (self->engine);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *model = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;
  Upload *upload = upload_finish (result, &error);

  if (upload == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (submit->submission->files, g_strdup (upload->name));
  g_signal_emit (self, signals[SIGNAL_FILE_UPLOADED], 0, upload->name);
  /* batch.displayName, batch.inputConfig.fileName (ai.google.dev/api/batch-mode). */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "batch");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "displayName");
  json_builder_add_string_value (b, submit->display_name);
  json_builder_set_member_name (b, "inputConfig");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fileName");
  json_builder_add_string_value (b, upload->name);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  model = g_uri_escape_string (config->model_id[submit->tier], "-._~", FALSE);
  path = g_strdup_printf ("/v1beta/models/%s:batchGenerateContent", model);
  exchange (self, task, SOUP_METHOD_POST, path, json, created_cb);
}

static void
big_uploaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  LwGeminiBatch *self = g_task_get_source_object (task);
  Submit *submit = g_task_get_task_data (task);
  BigInput *big = g_ptr_array_index (submit->big, submit->next_big);
  g_autofree char *json = NULL;
  GError *error = NULL;
  Upload *upload = upload_finish (result, &error);

  if (upload == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (submit->submission->files, g_strdup (upload->name));
  g_signal_emit (self, signals[SIGNAL_FILE_UPLOADED], 0, upload->name);
  json = lw_gemini_engine_build_body_json (self->engine, submit->tier, big->input, big->prompt,
                                           upload->uri != NULL ? upload->uri : upload->name);
  append_line (submit->jsonl, big->key, json, NULL, NULL);
  submit->next_big++;
  upload_next_big (task);
}

/* The photos over the inline limit, one upload at a time; then the JSONL. */
static void
upload_next_big (GTask *task)
{
  LwGeminiBatch *self = g_task_get_source_object (task);
  Submit *submit = g_task_get_task_data (task);
  g_autoptr(GBytes) jsonl = NULL;

  if (submit->next_big < submit->big->len)
    {
      BigInput *big = g_ptr_array_index (submit->big, submit->next_big);

      upload_async (self, big->input->data, big->input->mime, big->key, g_task_get_cancellable (task),
                    big_uploaded_cb, task);
      return;
    }
  if (submit->submission->keys->len == 0)
    {
      g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT, _("No photo of the batch could be read"));
      g_object_unref (task);
      return;
    }
  jsonl = g_string_free_to_bytes (g_steal_pointer (&submit->jsonl));
  upload_async (self, jsonl, "application/jsonl", submit->display_name, g_task_get_cancellable (task),
                jsonl_uploaded_cb, task);
}

static void
prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  upload_next_big (task);
}

void
lw_gemini_batch_submit_async (LwGeminiBatch       *self,
                              GPtrArray           *requests,
                              const char          *display_name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) prepare = NULL;
  Submit *submit = g_new0 (Submit, 1);
  LwEngineRequest *first = requests->len > 0 ? g_ptr_array_index (requests, 0) : NULL;

  g_task_set_source_tag (task, lw_gemini_batch_submit_async);
  submit->engine = g_object_ref (self->engine);
  submit->requests = g_ptr_array_ref (requests);
  submit->display_name = g_strdup (display_name);
  submit->inline_limit = self->inline_limit;
  submit->jsonl = g_string_new (NULL);
  submit->big = g_ptr_array_new_with_free_func ((GDestroyNotify) big_input_free);
  submit->submission = g_new0 (LwGeminiBatchSubmission, 1);
  submit->submission->files = g_ptr_array_new_with_free_func (g_free);
  submit->submission->keys = g_ptr_array_new_with_free_func (g_free);
  submit->submission->rejected = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_gemini_batch_entry_free);
  g_task_set_task_data (task, submit, (GDestroyNotify) submit_free);
  if (first == NULL || !lw_gemini_tier_from_alias (first->model, &submit->tier))
    {
      g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_MODEL_NOT_FOUND,
                               _("A batch needs photos of one Gemini model"));
      g_object_unref (task);
      return;
    }
  for (guint i = 1; i < requests->len; i++)
    if (g_strcmp0 (((LwEngineRequest *) g_ptr_array_index (requests, i))->model, first->model) != 0)
      {
        g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_MODEL_NOT_FOUND,
                                 _("A batch needs photos of one Gemini model"));
        g_object_unref (task);
        return;
      }
  /* No source object: a worker thread lets go of its task a moment after
   * the task completes, and must not be the last to hold the batch. */
  prepare = g_task_new (NULL, cancellable, prepared_cb, task);
  g_task_set_task_data (prepare, submit, NULL);
  lw_task_run_in_thread (prepare, prepare_thread);
}

LwGeminiBatchSubmission *
lw_gemini_batch_submit_finish (LwGeminiBatch  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- get, cancel -------------------------------------------------------- */

static void
got_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) body = NULL;
  LwGeminiBatchStatus *status = NULL;
  GError *error = NULL;

  body = lw_gemini_engine_exchange_finish (LW_GEMINI_ENGINE (source), result, &error);
  if (body != NULL)
    status = lw_gemini_batch_parse_status (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (status == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, status, (GDestroyNotify) lw_gemini_batch_status_free);
}

void
lw_gemini_batch_get_async (LwGeminiBatch       *self,
                           const char          *batch_name,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  named_request (self, lw_gemini_batch_get_async, batch_name, "batches/", SOUP_METHOD_GET, "/v1beta/", "", NULL,
                 got_cb, cancellable, callback, user_data);
}

LwGeminiBatchStatus *
lw_gemini_batch_get_finish (LwGeminiBatch  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cancelled_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;

  body = lw_gemini_engine_exchange_finish (LW_GEMINI_ENGINE (source), result, &error);
  if (body == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
lw_gemini_batch_cancel_async (LwGeminiBatch       *self,
                              const char          *batch_name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  named_request (self, lw_gemini_batch_cancel_async, batch_name, "batches/", SOUP_METHOD_POST, "/v1beta/", ":cancel",
                 "{}", cancelled_cb, cancellable, callback, user_data);
}

gboolean
lw_gemini_batch_cancel_finish (LwGeminiBatch  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- delete an uploaded file, find a batch by its display name ---------- */

static void
deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_object_get_data (G_OBJECT (task), "lw-msg");
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;

  body = lw_gemini_engine_exchange_finish (LW_GEMINI_ENGINE (source), result, &error);
  /* Gone already (deleted before a crash, or expired after Google's
   * 48 h): what we wanted. */
  if (body == NULL && msg != NULL && soup_message_get_status (msg) == SOUP_STATUS_NOT_FOUND)
    g_clear_error (&error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
lw_gemini_batch_delete_file_async (LwGeminiBatch       *self,
                                   const char          *file_name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  /* files.delete: DELETE /v1beta/files/{id} (ai.google.dev/api/files). */
  named_request (self, lw_gemini_batch_delete_file_async, file_name, "files/", SOUP_METHOD_DELETE, "/v1beta/", "",
                 NULL, deleted_cb, cancellable, callback, user_data);
}

gboolean
lw_gemini_batch_delete_file_finish (LwGeminiBatch  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Pages of 100 (the most batches.list gives at once); a key's batches of
 * the last days fit in a few. 50 pages is 5,000 batches: far more than a
 * day of LightWork's, so a missing name is really missing. */
#define FIND_PAGE_SIZE 100
#define FIND_MAX_PAGES 50

typedef struct {
  char *display_name;
  guint pages;
} Find;

static void
find_free (Find *find)
{
  g_free (find->display_name);
  g_free (find);
}

static void find_page (GTask *task, const char *page_token);

static void
listed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Find *find = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(LwGeminiBatchStatus) found = NULL;
  g_autofree char *next = NULL;
  GError *error = NULL;

  body = lw_gemini_engine_exchange_finish (LW_GEMINI_ENGINE (source), result, &error);
  if (body == NULL ||
      !lw_gemini_batch_parse_list (g_bytes_get_data (body, NULL), g_bytes_get_size (body), find->display_name,
                                   &found, &next, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (found != NULL && !name_is_safe (found->name, "batches/"))
    g_clear_pointer (&found, lw_gemini_batch_status_free);
  if (found != NULL || next == NULL || ++find->pages >= FIND_MAX_PAGES)
    {
      g_task_return_pointer (task, g_steal_pointer (&found), (GDestroyNotify) lw_gemini_batch_status_free);
      g_object_unref (task);
      return;
    }
  find_page (task, next);
}

static void
find_page (GTask *task, const char *page_token)
{
  LwGeminiBatch *self = g_task_get_source_object (task);
  g_autofree char *token = page_token != NULL ? g_uri_escape_string (page_token, NULL, FALSE) : NULL;
  g_autofree char *path = g_strdup_printf ("/v1beta/batches?pageSize=%d%s%s", FIND_PAGE_SIZE,
                                           token != NULL ? "&pageToken=" : "", token != NULL ? token : "");

  exchange (self, task, SOUP_METHOD_GET, path, NULL, listed_cb);
}

void
lw_gemini_batch_find_async (LwGeminiBatch       *self,
                            const char          *display_name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Find *find = g_new0 (Find, 1);

  g_task_set_source_tag (task, lw_gemini_batch_find_async);
  find->display_name = g_strdup (display_name);
  g_task_set_task_data (task, find, (GDestroyNotify) find_free);
  find_page (task, NULL);
}

LwGeminiBatchStatus *
lw_gemini_batch_find_finish (LwGeminiBatch  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- download ----------------------------------------------------------- */

static void
parse_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GBytes *body = task_data;

  lw_thread_set_background ();
  g_task_return_pointer (task, lw_gemini_batch_parse_results (g_bytes_get_data (body, NULL), g_bytes_get_size (body)),
                         (GDestroyNotify) g_ptr_array_unref);
}

static void
parsed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GPtrArray *entries = g_task_propagate_pointer (G_TASK (result), &error);

  if (entries == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

static void
downloaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr(GTask) parse = NULL;
  GBytes *body;
  GError *error = NULL;

  body = lw_gemini_engine_exchange_finish (LW_GEMINI_ENGINE (source), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* No source object, as for prepare_thread. */
  parse = g_task_new (NULL, g_task_get_cancellable (task), parsed_cb, task);
  g_task_set_task_data (parse, body, (GDestroyNotify) g_bytes_unref);
  lw_task_run_in_thread (parse, parse_thread);
}

void
lw_gemini_batch_download_async (LwGeminiBatch       *self,
                                const char          *file_name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  named_request (self, lw_gemini_batch_download_async, file_name, "files/", SOUP_METHOD_GET, "/download/v1beta/",
                 ":download?alt=media", NULL, downloaded_cb, cancellable, callback, user_data);
}

GPtrArray *
lw_gemini_batch_download_finish (LwGeminiBatch  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the object --------------------------------------------------------- */

static void
lw_gemini_batch_finalize (GObject *object)
{
  LwGeminiBatch *self = LW_GEMINI_BATCH (object);

  g_clear_object (&self->engine);
  G_OBJECT_CLASS (lw_gemini_batch_parent_class)->finalize (object);
}

static void
lw_gemini_batch_class_init (LwGeminiBatchClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lw_gemini_batch_finalize;

  /* ::file-uploaded (file_name): a submission uploaded a file ("files/…"),
   * before batches.create; its caller records it so that a crash or a
   * failed create does not leave it at Google unnamed. */
  signals[SIGNAL_FILE_UPLOADED] =
    g_signal_new ("file-uploaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lw_gemini_batch_init (LwGeminiBatch *self)
{
  self->inline_limit = LW_GEMINI_BATCH_INLINE_LIMIT;
}

LwGeminiBatch *
lw_gemini_batch_new (LwGeminiEngine *engine)
{
  LwGeminiBatch *self = g_object_new (LW_TYPE_GEMINI_BATCH, NULL);

  self->engine = g_object_ref (engine);
  return self;
}

void
lw_gemini_batch_set_inline_limit (LwGeminiBatch *self,
                                  gsize          limit)
{
  self->inline_limit = limit;
}

/* lw-fake-gemini-batch.c — the fake's Files API and Batch API.
 *
 * Shapes, as Google publishes them (checked 2026-12):
 * - resumable upload: ai.google.dev/api/files (media.upload) and the
 *   Files API guide's REST sample — POST /upload/v1beta/files with
 *   X-Goog-Upload-Protocol: resumable, X-Goog-Upload-Command: start,
 *   X-Goog-Upload-Header-Content-Length/-Content-Type and {"file":
 *   {"display_name"}}; the answer's X-Goog-Upload-URL header is where the
 *   bytes go, with X-Goog-Upload-Command: upload, finalize and
 *   X-Goog-Upload-Offset: 0; that answers {"file": {name, uri, …}}.
 * - batches: ai.google.dev/api/batch-mode (models.batchGenerateContent:
 *   batch.displayName, batch.inputConfig.fileName; batches.get,
 *   batches.cancel; states BATCH_STATE_PENDING, _RUNNING, _SUCCEEDED,
 *   _FAILED, _CANCELLED, _EXPIRED) and ai.google.dev/gemini-api/docs/
 *   batch-api (the input JSONL is one {"key", "request"} a line, the
 *   output JSONL one {"key", "response"} or a status object a line; REST
 *   reads .metadata.state and .response.responsesFile of the Operation,
 *   and downloads GET /download/v1beta/{file}:download?alt=media).
 * - batches.list: GET /v1beta/batches?pageSize&pageToken answers a
 *   ListOperationsResponse {"operations": [Operation], "nextPageToken"}
 *   (ai.google.dev/api/batch-mode, batches.list); the Operation's
 *   metadata is the Batch, with displayName and inputConfig.fileName.
 * - files.delete: DELETE /v1beta/files/{id} answers an empty object
 *   (ai.google.dev/api/files, files.delete). For a file there is not (never
 *   uploaded, deleted, or past its 48 h) Google answers 403
 *   PERMISSION_DENIED "You do not have permission to access the File … or
 *   it may not exist." (reported in google-gemini/generative-ai-python
 *   #617 and #692), as a key without access would: so does this.
 * The SDKs' JOB_STATE_* names are their own mapping of these.
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "lw-fake-gemini-private.h"

#define JSON_TYPE        "application/json; charset=UTF-8"
#define UPLOAD_PATH      "/upload/v1beta/files"
#define DOWNLOAD_PREFIX  "/download/v1beta/files/"
#define BATCHES_PREFIX   "/v1beta/batches/"
#define BATCHES_PATH     "/v1beta/batches"
#define FILES_PREFIX     "/v1beta/files/"
#define LIST_PAGE_MAX    100
#define MODELS_PREFIX    "/v1beta/models/"
#define BATCH_SUFFIX     ":batchGenerateContent"
#define BATCH_TYPE       "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"
#define OUTPUT_TYPE      "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput"

typedef struct {
  char   *name;       /* "files/f3" */
  char   *display_name;
  char   *mime;
  gint64  declared;   /* upload sessions: the size announced at start */
  GBytes *data;       /* NULL until finalized */
  gboolean uploaded;  /* by the client (not a results file of ours) */
} FakeFile;

typedef struct {
  LwFakeGemini       *server;
  char               *name;          /* "batches/b2" */
  char               *model;
  char               *display_name;
  char               *input_file;
  guint               serial;        /* creation order, for batches.list */
  GBytes             *input;
  LwFakeBatchOutcome  outcome;
  guint               polls;
  gboolean            processed;     /* the worker is done */
  gboolean            counted;       /* entries counted as requests of their photos */
  gboolean            cancelled;     /* by the client */
  GPtrArray          *shas;          /* char *: each entry's photo (NULL when none) */
  GArray             *ok;            /* gboolean: each entry answered with an image */
  guint               n_failed;
  char               *responses_file;
} FakeBatch;

struct _LwFakeBatches
{
  GMutex      lock;
  GHashTable *files;       /* name → FakeFile (finalized) */
  GHashTable *uploads;     /* upload id → FakeFile (waiting for its bytes) */
  GHashTable *batches;     /* name → FakeBatch */
  GQueue      outcomes;    /* GINT_TO_POINTER (outcome + 1) */
  double      failure_rate;
  guint       pending_polls;
  guint       running_polls;
  guint       next_id;
  guint       n_batches, n_cancels, n_http, n_uploads, n_downloads, n_deletes, n_lists;
};

static void
fake_file_free (FakeFile *file)
{
  g_free (file->name);
  g_free (file->display_name);
  g_free (file->mime);
  g_clear_pointer (&file->data, g_bytes_unref);
  g_free (file);
}

static void
fake_batch_free (FakeBatch *batch)
{
  g_free (batch->name);
  g_free (batch->model);
  g_free (batch->display_name);
  g_free (batch->input_file);
  g_clear_pointer (&batch->input, g_bytes_unref);
  g_ptr_array_unref (batch->shas);
  g_array_unref (batch->ok);
  g_free (batch->responses_file);
  g_free (batch);
}

LwFakeBatches *
lw_fake_batches_new (void)
{
  LwFakeBatches *batches = g_new0 (LwFakeBatches, 1);

  g_mutex_init (&batches->lock);
  batches->files = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) fake_file_free);
  batches->uploads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) fake_file_free);
  batches->batches = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) fake_batch_free);
  g_queue_init (&batches->outcomes);
  batches->pending_polls = 1;
  batches->running_polls = 1;
  return batches;
}

void
lw_fake_batches_free (LwFakeBatches *batches)
{
  if (batches == NULL)
    return;
  /* A batch still being answered by a worker: wait for it, it reads its
   * FakeBatch and the files. */
  for (gboolean busy = TRUE; busy;)
    {
      GHashTableIter iter;
      FakeBatch *batch;

      busy = FALSE;
      g_mutex_lock (&batches->lock);
      g_hash_table_iter_init (&iter, batches->batches);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &batch))
        busy = busy || !batch->processed;
      g_mutex_unlock (&batches->lock);
      if (busy)
        g_usleep (1000);
    }
  g_hash_table_unref (batches->files);
  g_hash_table_unref (batches->uploads);
  g_hash_table_unref (batches->batches);
  g_queue_clear (&batches->outcomes);
  g_mutex_clear (&batches->lock);
  g_free (batches);
}

/* ---- knobs and counts --------------------------------------------------- */

void
lw_fake_gemini_push_batch_outcomes (LwFakeGemini *self, const LwFakeBatchOutcome *outcomes, guint n_outcomes)
{
  LwFakeBatches *batches = lw_fake_gemini_get_batches (self);

  g_mutex_lock (&batches->lock);
  for (guint i = 0; i < n_outcomes; i++)
    g_queue_push_tail (&batches->outcomes, GINT_TO_POINTER (outcomes[i] + 1));
  g_mutex_unlock (&batches->lock);
}

void
lw_fake_gemini_set_batch_entry_failure_rate (LwFakeGemini *self, double rate)
{
  LwFakeBatches *batches = lw_fake_gemini_get_batches (self);

  g_mutex_lock (&batches->lock);
  batches->failure_rate = CLAMP (rate, 0.0, 1.0);
  g_mutex_unlock (&batches->lock);
}

void
lw_fake_gemini_set_batch_polls (LwFakeGemini *self, guint pending_polls, guint running_polls)
{
  LwFakeBatches *batches = lw_fake_gemini_get_batches (self);

  g_mutex_lock (&batches->lock);
  batches->pending_polls = pending_polls;
  batches->running_polls = running_polls;
  g_mutex_unlock (&batches->lock);
}

static guint
read_count (LwFakeGemini *self, gsize offset)
{
  LwFakeBatches *batches = lw_fake_gemini_get_batches (self);
  guint value;

  g_mutex_lock (&batches->lock);
  value = G_STRUCT_MEMBER (guint, batches, offset);
  g_mutex_unlock (&batches->lock);
  return value;
}

guint lw_fake_gemini_get_n_batches (LwFakeGemini *self) { return read_count (self, G_STRUCT_OFFSET (LwFakeBatches, n_batches)); }
guint lw_fake_gemini_get_n_batch_cancels (LwFakeGemini *self) { return read_count (self, G_STRUCT_OFFSET (LwFakeBatches, n_cancels)); }
guint lw_fake_gemini_get_n_batch_http (LwFakeGemini *self) { return read_count (self, G_STRUCT_OFFSET (LwFakeBatches, n_http)); }
guint lw_fake_gemini_get_n_uploads (LwFakeGemini *self) { return read_count (self, G_STRUCT_OFFSET (LwFakeBatches, n_uploads)); }
guint lw_fake_gemini_get_n_downloads (LwFakeGemini *self) { return read_count (self, G_STRUCT_OFFSET (LwFakeBatches, n_downloads)); }
guint lw_fake_gemini_get_n_file_deletes (LwFakeGemini *self) { return read_count (self, G_STRUCT_OFFSET (LwFakeBatches, n_deletes)); }
guint lw_fake_gemini_get_n_batch_lists (LwFakeGemini *self) { return read_count (self, G_STRUCT_OFFSET (LwFakeBatches, n_lists)); }

guint
lw_fake_gemini_get_n_uploaded_files (LwFakeGemini *self)
{
  LwFakeBatches *batches = lw_fake_gemini_get_batches (self);
  GHashTableIter iter;
  FakeFile *file;
  guint n = 0;

  g_mutex_lock (&batches->lock);
  g_hash_table_iter_init (&iter, batches->files);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &file))
    n += file->uploaded ? 1 : 0;
  g_mutex_unlock (&batches->lock);
  return n;
}

/* Every file the server holds: uploads and the results files it wrote. */
guint
lw_fake_gemini_get_n_files (LwFakeGemini *self)
{
  LwFakeBatches *batches = lw_fake_gemini_get_batches (self);
  guint n;

  g_mutex_lock (&batches->lock);
  n = g_hash_table_size (batches->files);
  g_mutex_unlock (&batches->lock);
  return n;
}

static const char * const outcome_states[] = {
  "BATCH_STATE_SUCCEEDED", "BATCH_STATE_FAILED", "BATCH_STATE_EXPIRED", "BATCH_STATE_CANCELLED",
};

/* Called with the lock held. */
static const char *
batch_state (LwFakeBatches *batches, FakeBatch *batch)
{
  if (batch->cancelled)
    return "BATCH_STATE_CANCELLED";
  if (batch->polls <= batches->pending_polls)
    return "BATCH_STATE_PENDING";
  if (batch->polls <= batches->pending_polls + batches->running_polls || !batch->processed)
    return "BATCH_STATE_RUNNING";
  return outcome_states[batch->outcome];
}

char *
lw_fake_gemini_dup_batch_state (LwFakeGemini *self, const char *name)
{
  LwFakeBatches *batches = lw_fake_gemini_get_batches (self);
  FakeBatch *batch;
  char *state = NULL;

  g_mutex_lock (&batches->lock);
  batch = g_hash_table_lookup (batches->batches, name);
  if (batch != NULL)
    state = g_strdup (batch_state (batches, batch));
  g_mutex_unlock (&batches->lock);
  return state;
}

/* ---- helpers ------------------------------------------------------------ */

static void
respond_json (SoupServerMessage *msg, JsonBuilder *b)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  gsize len = 0;
  char *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  lw_fake_gemini_respond (msg, 200, JSON_TYPE, g_bytes_new_take (text, len));
}

static const char *
header (SoupServerMessage *msg, const char *name)
{
  return soup_message_headers_get_one (soup_server_message_get_request_headers (msg), name);
}

static JsonObject *
parse_object (GBytes *body, JsonParser *parser)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (body, &len);

  if (len == 0 || !json_parser_load_from_data (parser, data, (gssize) len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_get_object (json_parser_get_root (parser));
}

/* camelCase or snake_case, as proto JSON takes both. */
static JsonNode *
member2 (JsonObject *object, const char *camel, const char *snake)
{
  if (object == NULL)
    return NULL;
  return json_object_has_member (object, camel) ? json_object_get_member (object, camel)
                                                : json_object_get_member (object, snake);
}

static const char *
string2 (JsonObject *object, const char *camel, const char *snake)
{
  JsonNode *node = member2 (object, camel, snake);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

static JsonObject *
object2 (JsonObject *object, const char *camel, const char *snake)
{
  JsonNode *node = member2 (object, camel, snake);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static char *
origin_of (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);

  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri), g_uri_get_port (uri));
}

/* ---- the Files API ------------------------------------------------------ */

static void
upload_start (LwFakeGemini *self, LwFakeBatches *batches, SoupServerMessage *msg)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  const char *length = header (msg, "X-Goog-Upload-Header-Content-Length");
  const char *type = header (msg, "X-Goog-Upload-Header-Content-Type");
  g_autofree char *origin = origin_of (msg);
  g_autofree char *url = NULL;
  FakeFile *file;
  JsonObject *root;
  guint64 declared = 0;
  char *id;

  if (g_strcmp0 (header (msg, "X-Goog-Upload-Protocol"), "resumable") != 0 ||
      g_strcmp0 (header (msg, "X-Goog-Upload-Command"), "start") != 0 || length == NULL ||
      !g_ascii_string_to_unsigned (length, 10, 1, G_MAXINT64, &declared, NULL))
    {
      lw_fake_gemini_respond_error (msg, 400, "INVALID_ARGUMENT",
                                    "A resumable upload starts with X-Goog-Upload-Command: start and its length.");
      return;
    }
  root = g_bytes_get_size (body) > 0 ? parse_object (body, parser) : NULL;
  file = g_new0 (FakeFile, 1);
  file->display_name = g_strdup (string2 (object2 (root, "file", "file"), "displayName", "display_name"));
  file->mime = g_strdup (type != NULL ? type : "application/octet-stream");
  file->declared = (gint64) declared;
  g_mutex_lock (&batches->lock);
  id = g_strdup_printf ("up%u", ++batches->next_id);
  g_hash_table_insert (batches->uploads, id, file);
  g_mutex_unlock (&batches->lock);
  url = g_strdup_printf ("%s" UPLOAD_PATH "?upload_id=%s&upload_protocol=resumable", origin, id);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Goog-Upload-URL", url);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Goog-Upload-Status", "active");
  lw_fake_gemini_respond (msg, 200, "text/plain", g_bytes_new_static ("", 0));
}

static void
add_file_members (JsonBuilder *b, const FakeFile *file, const char *origin)
{
  g_autofree char *size = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (file->data));
  g_autofree char *uri = g_strdup_printf ("%s/v1beta/%s", origin, file->name);

  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, file->name);
  json_builder_set_member_name (b, "displayName");
  json_builder_add_string_value (b, file->display_name != NULL ? file->display_name : "");
  json_builder_set_member_name (b, "mimeType");
  json_builder_add_string_value (b, file->mime);
  json_builder_set_member_name (b, "sizeBytes");
  json_builder_add_string_value (b, size);
  json_builder_set_member_name (b, "uri");
  json_builder_add_string_value (b, uri);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, "ACTIVE");
}

static void
upload_finalize (LwFakeGemini *self, LwFakeBatches *batches, SoupServerMessage *msg, const char *id)
{
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *origin = origin_of (msg);
  const char *command = header (msg, "X-Goog-Upload-Command");
  FakeFile *file;
  char *key = NULL;

  g_mutex_lock (&batches->lock);
  if (!g_hash_table_steal_extended (batches->uploads, id, (gpointer *) &key, (gpointer *) &file))
    file = NULL;
  g_free (key);
  if (file != NULL && (command == NULL || strstr (command, "upload") == NULL || strstr (command, "finalize") == NULL ||
                       g_strcmp0 (header (msg, "X-Goog-Upload-Offset"), "0") != 0 ||
                       (gint64) g_bytes_get_size (body) != file->declared))
    {
      g_mutex_unlock (&batches->lock);
      fake_file_free (file);
      lw_fake_gemini_respond_error (msg, 400, "INVALID_ARGUMENT",
                                    "The upload must be \"upload, finalize\" at offset 0 with the length announced.");
      return;
    }
  if (file == NULL)
    {
      g_mutex_unlock (&batches->lock);
      lw_fake_gemini_respond_error (msg, 404, "NOT_FOUND", "No such upload session.");
      return;
    }
  file->data = g_bytes_ref (body);
  file->uploaded = TRUE;
  file->name = g_strdup_printf ("files/f%u", ++batches->next_id);
  g_hash_table_insert (batches->files, file->name, file);
  batches->n_uploads++;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_begin_object (b);
  add_file_members (b, file, origin);
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_mutex_unlock (&batches->lock);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Goog-Upload-Status", "final");
  respond_json (msg, b);
}

static void
download (LwFakeBatches *batches, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *name = NULL;
  const char *rest = path + strlen ("/download/v1beta/");
  FakeFile *file;
  GBytes *data = NULL;
  g_autofree char *mime = NULL;

  if (!g_str_has_suffix (rest, ":download") || query == NULL ||
      g_strcmp0 (g_hash_table_lookup (query, "alt"), "media") != 0)
    {
      lw_fake_gemini_respond_error (msg, 400, "INVALID_ARGUMENT", "Download with :download?alt=media.");
      return;
    }
  name = g_strndup (rest, strlen (rest) - strlen (":download"));
  g_mutex_lock (&batches->lock);
  file = g_hash_table_lookup (batches->files, name);
  if (file != NULL)
    {
      data = g_bytes_ref (file->data);
      mime = g_strdup (file->mime);
      batches->n_downloads++;
    }
  g_mutex_unlock (&batches->lock);
  if (data == NULL)
    lw_fake_gemini_respond_error (msg, 404, "NOT_FOUND", "No such file.");
  else
    lw_fake_gemini_respond (msg, 200, mime, data);
}

static void
file_delete (LwFakeBatches *batches, SoupServerMessage *msg, const char *path)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *name = path + strlen ("/v1beta/");
  gboolean found;

  g_mutex_lock (&batches->lock);
  found = g_hash_table_remove (batches->files, name);
  batches->n_deletes += found ? 1 : 0;
  g_mutex_unlock (&batches->lock);
  if (!found)
    {
      g_autofree char *message = g_strdup_printf ("You do not have permission to access the File %s "
                                                  "or it may not exist.", name + strlen ("files/"));

      lw_fake_gemini_respond_error (msg, 403, "PERMISSION_DENIED", message);
      return;
    }
  json_builder_begin_object (b);
  json_builder_end_object (b);
  respond_json (msg, b);
}

/* ---- running a batch ---------------------------------------------------- */

/* fileData parts become the inlineData of the file they name (files/…
 * or …/v1beta/files/…), so one check serves both. */
static gboolean
inline_file_parts (LwFakeBatches *batches, JsonObject *request)
{
  JsonNode *contents = json_object_get_member (request, "contents");

  if (contents == NULL || !JSON_NODE_HOLDS_ARRAY (contents))
    return TRUE;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (contents)); i++)
    {
      JsonObject *content = json_array_get_object_element (json_node_get_array (contents), i);
      JsonNode *parts = content != NULL ? json_object_get_member (content, "parts") : NULL;

      for (guint j = 0; parts != NULL && JSON_NODE_HOLDS_ARRAY (parts) &&
                        j < json_array_get_length (json_node_get_array (parts)); j++)
        {
          JsonObject *part = json_array_get_object_element (json_node_get_array (parts), j);
          JsonObject *data = object2 (part, "fileData", "file_data");
          const char *uri = string2 (data, "fileUri", "file_uri");
          const char *name = uri != NULL ? strstr (uri, "files/") : NULL;
          FakeFile *file;
          JsonObject *inline_data;
          char *base64;

          if (data == NULL)
            continue;
          g_mutex_lock (&batches->lock);
          file = name != NULL ? g_hash_table_lookup (batches->files, name) : NULL;
          base64 = file != NULL ? g_base64_encode (g_bytes_get_data (file->data, NULL), g_bytes_get_size (file->data))
                                : NULL;
          g_mutex_unlock (&batches->lock);
          if (base64 == NULL)
            return FALSE;
          inline_data = json_object_new ();
          json_object_set_string_member (inline_data, "mimeType", string2 (data, "mimeType", "mime_type"));
          json_object_set_string_member (inline_data, "data", base64);
          g_free (base64);
          json_object_remove_member (part, json_object_has_member (part, "fileData") ? "fileData" : "file_data");
          json_object_set_object_member (part, "inlineData", inline_data);
        }
    }
  return TRUE;
}

static char *
node_to_text (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* google.rpc.Status of a failed entry (gRPC code 13 INTERNAL, 3 INVALID_ARGUMENT). */
static void
append_status_line (GString *out, const char *key_json, int code, const char *message)
{
  g_autoptr(JsonNode) text = json_node_new (JSON_NODE_VALUE);
  g_autofree char *message_json = NULL;

  json_node_set_string (text, message);
  message_json = node_to_text (text);
  g_string_append_printf (out, "{\"key\":%s,\"status\":{\"code\":%d,\"message\":%s}}\n", key_json, code, message_json);
}

/* One input line, answered: appends its output line; the photo's hash and
 * whether an image went out land in batch->shas and ->ok. */
static void
run_line (FakeBatch *batch, LwFakeBatches *batches, const char *line, GString *out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *key_json = NULL;
  g_autofree char *request_json = NULL;
  g_autofree char *sha = NULL;
  JsonObject *root, *request;
  JsonNode *key;
  guint status = 0;
  gboolean ok = FALSE;
  double rate;

  if (!json_parser_load_from_data (parser, line, -1, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  root = json_node_get_object (json_parser_get_root (parser));
  key = json_object_get_member (root, "key");
  request = object2 (root, "request", "request");
  key_json = key != NULL ? node_to_text (key) : g_strdup ("\"\"");
  if (request == NULL || !inline_file_parts (batches, request))
    {
      append_status_line (out, key_json, 3, "The line has no request, or names a file that does not exist.");
      g_ptr_array_add (batch->shas, NULL);
      g_array_append_val (batch->ok, ok);
      return;
    }
  request_json = node_to_text (json_object_get_member (root, "request"));
  answer = lw_fake_gemini_answer_now (batch->server, batch->model, request_json, &sha, &status);
  g_mutex_lock (&batches->lock);
  rate = batches->failure_rate;
  g_mutex_unlock (&batches->lock);
  if (status == 200 && rate > 0 && lw_fake_gemini_draw (batch->server) < rate)
    append_status_line (out, key_json, 13, "Internal error encountered.");
  else if (status == 200)
    {
      g_string_append_printf (out, "{\"key\":%s,\"response\":", key_json);
      g_string_append_len (out, g_bytes_get_data (answer, NULL), (gssize) g_bytes_get_size (answer));
      g_string_append (out, "}\n");
      ok = TRUE;
    }
  else
    append_status_line (out, key_json, 3, "The request is not valid.");
  g_ptr_array_add (batch->shas, g_steal_pointer (&sha));
  g_array_append_val (batch->ok, ok);
}

static void
run_batch_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  FakeBatch *batch = task_data;
  LwFakeBatches *batches = lw_fake_gemini_get_batches (batch->server);
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (g_bytes_get_data (batch->input, NULL), "\n", -1);
  FakeFile *file = g_new0 (FakeFile, 1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      run_line (batch, batches, lines[i], out);
  g_mutex_lock (&batches->lock);
  file->name = g_strdup_printf ("files/batch-%s-results", batch->name + strlen ("batches/"));
  file->mime = g_strdup ("application/jsonl");
  file->data = g_string_free_to_bytes (g_steal_pointer (&out));
  batch->responses_file = g_strdup (file->name);
  /* Only a batch that succeeds has a results file (Google's Operation
   * names one then alone); the others' answers are counted, not kept. */
  if (batch->outcome == LW_FAKE_BATCH_SUCCEEDED)
    g_hash_table_insert (batches->files, file->name, file);
  else
    fake_file_free (file);
  for (guint i = 0; i < batch->ok->len; i++)
    batch->n_failed += g_array_index (batch->ok, gboolean, i) ? 0 : 1;
  batch->processed = TRUE;
  g_mutex_unlock (&batches->lock);
  g_task_return_boolean (task, TRUE);
}

/* ---- the Batch API ------------------------------------------------------ */

/* The Operation batches.get answers (and create, at first). Lock held. */
static void
build_operation (JsonBuilder *b, LwFakeBatches *batches, FakeBatch *batch)
{
  const char *state = batch_state (batches, batch);
  gboolean done = g_str_equal (state, "BATCH_STATE_SUCCEEDED") || g_str_equal (state, "BATCH_STATE_FAILED") ||
                  g_str_equal (state, "BATCH_STATE_EXPIRED") || g_str_equal (state, "BATCH_STATE_CANCELLED");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, batch->name);
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "@type");
  json_builder_add_string_value (b, BATCH_TYPE);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, batch->name);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, batch->model);
  json_builder_set_member_name (b, "displayName");
  json_builder_add_string_value (b, batch->display_name != NULL ? batch->display_name : "");
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state);
  json_builder_set_member_name (b, "inputConfig");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fileName");
  json_builder_add_string_value (b, batch->input_file != NULL ? batch->input_file : "");
  json_builder_end_object (b);
  json_builder_end_object (b);
  if (done)
    {
      json_builder_set_member_name (b, "done");
      json_builder_add_boolean_value (b, TRUE);
    }
  if (g_str_equal (state, "BATCH_STATE_SUCCEEDED"))
    {
      json_builder_set_member_name (b, "response");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "@type");
      json_builder_add_string_value (b, OUTPUT_TYPE);
      json_builder_set_member_name (b, "responsesFile");
      json_builder_add_string_value (b, batch->responses_file);
      json_builder_end_object (b);
    }
  else if (g_str_equal (state, "BATCH_STATE_FAILED"))
    {
      json_builder_set_member_name (b, "error");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_int_value (b, 13);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, "The batch failed.");
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static void
batch_create (LwFakeGemini *self, LwFakeBatches *batches, SoupServerMessage *msg, const char *model)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GTask) task = NULL;
  JsonObject *batch_object = object2 (parse_object (body, parser), "batch", "batch");
  const char *file_name = string2 (object2 (batch_object, "inputConfig", "input_config"), "fileName", "file_name");
  FakeFile *file;
  FakeBatch *batch;

  if (!lw_fake_gemini_has_image_model (self, model))
    {
      lw_fake_gemini_respond_error (msg, 404, "NOT_FOUND", "The model is not found for batchGenerateContent.");
      return;
    }
  g_mutex_lock (&batches->lock);
  file = file_name != NULL ? g_hash_table_lookup (batches->files, file_name) : NULL;
  if (batch_object == NULL || file == NULL)
    {
      g_mutex_unlock (&batches->lock);
      lw_fake_gemini_respond_error (msg, 400, "INVALID_ARGUMENT",
                                    "batch.inputConfig.fileName must name an uploaded file.");
      return;
    }
  batch = g_new0 (FakeBatch, 1);
  batch->server = self;
  batch->name = g_strdup_printf ("batches/b%u", ++batches->next_id);
  batch->model = g_strdup_printf ("models/%s", model);
  batch->display_name = g_strdup (string2 (batch_object, "displayName", "display_name"));
  batch->input_file = g_strdup (file_name);
  batch->serial = batches->next_id;
  batch->input = g_bytes_ref (file->data);
  batch->shas = g_ptr_array_new_with_free_func (g_free);
  batch->ok = g_array_new (FALSE, FALSE, sizeof (gboolean));
  batch->outcome = g_queue_is_empty (&batches->outcomes)
                     ? LW_FAKE_BATCH_SUCCEEDED
                     : (LwFakeBatchOutcome) (GPOINTER_TO_INT (g_queue_pop_head (&batches->outcomes)) - 1);
  g_hash_table_insert (batches->batches, batch->name, batch);
  batches->n_batches++;
  build_operation (b, batches, batch);
  g_mutex_unlock (&batches->lock);

  /* model without "models/" for the checks, as a live request names it. */
  g_free (batch->model);
  batch->model = g_strdup (model);
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, batch, NULL);
  g_task_run_in_thread (task, run_batch_in_thread);
  respond_json (msg, b);
}

/* A batch reported SUCCEEDED for the first time: its entries were paid. */
static void
count_entries (LwFakeGemini *self, FakeBatch *batch)
{
  for (guint i = 0; i < batch->shas->len; i++)
    lw_fake_gemini_count_batch_entry (self, g_ptr_array_index (batch->shas, i),
                                      g_array_index (batch->ok, gboolean, i));
}

static void
batch_get_or_cancel (LwFakeGemini *self, LwFakeBatches *batches, SoupServerMessage *msg, const char *path)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gboolean cancel = g_str_has_suffix (path, ":cancel");
  g_autofree char *name = g_strndup (path + strlen ("/v1beta/"),
                                     strlen (path + strlen ("/v1beta/")) - (cancel ? strlen (":cancel") : 0));
  FakeBatch *batch;
  gboolean count = FALSE;

  g_mutex_lock (&batches->lock);
  batch = g_hash_table_lookup (batches->batches, name);
  if (batch == NULL)
    {
      g_mutex_unlock (&batches->lock);
      lw_fake_gemini_respond_error (msg, 404, "NOT_FOUND", "No such batch.");
      return;
    }
  if (cancel)
    {
      batches->n_cancels++;
      if (g_str_equal (batch_state (batches, batch), "BATCH_STATE_PENDING") ||
          g_str_equal (batch_state (batches, batch), "BATCH_STATE_RUNNING"))
        batch->cancelled = TRUE;
      json_builder_begin_object (b);
      json_builder_end_object (b);
    }
  else
    {
      batch->polls++;
      count = g_str_equal (batch_state (batches, batch), "BATCH_STATE_SUCCEEDED") && !batch->counted;
      batch->counted = batch->counted || count;
      build_operation (b, batches, batch);
    }
  g_mutex_unlock (&batches->lock);
  if (count)
    count_entries (self, batch);
  respond_json (msg, b);
}

static int
compare_serial (gconstpointer a, gconstpointer b)
{
  const FakeBatch *x = *(FakeBatch * const *) a, *y = *(FakeBatch * const *) b;

  /* Newest first, as Google lists operations. */
  return x->serial < y->serial ? 1 : x->serial > y->serial ? -1 : 0;
}

/* batches.list: pageSize (at most 100 here), pageToken = the offset we
 * gave as nextPageToken. */
static void
batch_list (LwFakeBatches *batches, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  const char *size_text = query != NULL ? g_hash_table_lookup (query, "pageSize") : NULL;
  const char *token = query != NULL ? g_hash_table_lookup (query, "pageToken") : NULL;
  guint64 size = 10, offset = 0;
  GHashTableIter iter;
  FakeBatch *batch;

  if ((size_text != NULL && !g_ascii_string_to_unsigned (size_text, 10, 1, G_MAXINT, &size, NULL)) ||
      (token != NULL && !g_ascii_string_to_unsigned (token, 10, 0, G_MAXINT, &offset, NULL)))
    {
      lw_fake_gemini_respond_error (msg, 400, "INVALID_ARGUMENT", "pageSize or pageToken is not valid.");
      return;
    }
  size = MIN (size, LIST_PAGE_MAX);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "operations");
  json_builder_begin_array (b);
  g_mutex_lock (&batches->lock);
  batches->n_lists++;
  g_hash_table_iter_init (&iter, batches->batches);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &batch))
    g_ptr_array_add (all, batch);
  g_ptr_array_sort (all, compare_serial);
  for (guint i = (guint) offset; i < all->len && i < offset + size; i++)
    build_operation (b, batches, g_ptr_array_index (all, i));
  g_mutex_unlock (&batches->lock);
  json_builder_end_array (b);
  if (offset + size < all->len)
    {
      g_autofree char *next = g_strdup_printf ("%" G_GUINT64_FORMAT, offset + size);

      json_builder_set_member_name (b, "nextPageToken");
      json_builder_add_string_value (b, next);
    }
  json_builder_end_object (b);
  respond_json (msg, b);
}

gboolean
lw_fake_batches_handle (LwFakeGemini      *self,
                        SoupServerMessage *msg,
                        const char        *path,
                        GHashTable        *query)
{
  LwFakeBatches *batches = lw_fake_gemini_get_batches (self);
  const char *method = soup_server_message_get_method (msg);
  gboolean post = g_str_equal (method, SOUP_METHOD_POST);
  const char *upload_id = query != NULL ? g_hash_table_lookup (query, "upload_id") : NULL;

  if (!g_str_equal (path, UPLOAD_PATH) && !g_str_has_prefix (path, DOWNLOAD_PREFIX) &&
      !g_str_has_prefix (path, BATCHES_PREFIX) && !g_str_equal (path, BATCHES_PATH) &&
      !g_str_has_prefix (path, FILES_PREFIX) &&
      !(g_str_has_prefix (path, MODELS_PREFIX) && g_str_has_suffix (path, BATCH_SUFFIX)))
    return FALSE;
  g_mutex_lock (&batches->lock);
  batches->n_http++;
  g_mutex_unlock (&batches->lock);
  if (!lw_fake_gemini_check_key (self, msg, query))
    return TRUE;
  if (g_str_equal (path, UPLOAD_PATH) && post && upload_id == NULL)
    upload_start (self, batches, msg);
  else if (g_str_equal (path, UPLOAD_PATH) && post)
    upload_finalize (self, batches, msg, upload_id);
  else if (g_str_has_prefix (path, DOWNLOAD_PREFIX) && g_str_equal (method, SOUP_METHOD_GET))
    download (batches, msg, path, query);
  else if (g_str_has_prefix (path, FILES_PREFIX) && g_str_equal (method, SOUP_METHOD_DELETE))
    file_delete (batches, msg, path);
  else if (g_str_equal (path, BATCHES_PATH) && g_str_equal (method, SOUP_METHOD_GET))
    batch_list (batches, msg, query);
  else if (g_str_has_prefix (path, MODELS_PREFIX) && post)
    {
      const char *start = path + strlen (MODELS_PREFIX);
      g_autofree char *model = g_strndup (start, strlen (start) - strlen (BATCH_SUFFIX));

      batch_create (self, batches, msg, model);
    }
  else if (g_str_has_prefix (path, BATCHES_PREFIX) && (g_str_has_suffix (path, ":cancel") ? post
                                                        : g_str_equal (method, SOUP_METHOD_GET)))
    batch_get_or_cancel (self, batches, msg, path);
  else
    lw_fake_gemini_respond_error (msg, 405, "METHOD_NOT_ALLOWED", "Not a method of this resource.");
  return TRUE;
}

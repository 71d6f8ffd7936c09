/* lw-gemini-batch-parse.c — what the Batch API's answers mean, as pure
 * functions (lw-gemini-batch.h). Shapes: tests/fake-gemini/
 * lw-fake-gemini-batch.c names the pages they come from.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lw-gemini-batch.h"
#include "lw-gemini-input.h"
#include "lw-gemini-response.h"

static const char * const state_names[] = {
  [LW_GEMINI_BATCH_STATE_UNKNOWN] = "unknown",
  [LW_GEMINI_BATCH_STATE_PENDING] = "pending",
  [LW_GEMINI_BATCH_STATE_RUNNING] = "running",
  [LW_GEMINI_BATCH_STATE_SUCCEEDED] = "succeeded",
  [LW_GEMINI_BATCH_STATE_FAILED] = "failed",
  [LW_GEMINI_BATCH_STATE_CANCELLED] = "cancelled",
  [LW_GEMINI_BATCH_STATE_EXPIRED] = "expired",
};

const char *
lw_gemini_batch_state_to_string (LwGeminiBatchState state)
{
  if ((guint) state >= G_N_ELEMENTS (state_names))
    return state_names[LW_GEMINI_BATCH_STATE_UNKNOWN];
  return state_names[state];
}

LwGeminiBatchState
lw_gemini_batch_state_from_string (const char *name)
{
  const char *word = name;

  if (name == NULL)
    return LW_GEMINI_BATCH_STATE_UNKNOWN;
  /* The REST API says BATCH_STATE_*, the SDKs JOB_STATE_*. */
  if (g_str_has_prefix (name, "BATCH_STATE_"))
    word = name + strlen ("BATCH_STATE_");
  else if (g_str_has_prefix (name, "JOB_STATE_"))
    word = name + strlen ("JOB_STATE_");
  for (guint i = 1; i < G_N_ELEMENTS (state_names); i++)
    if (g_ascii_strcasecmp (word, state_names[i]) == 0)
      return (LwGeminiBatchState) i;
  /* The SDKs' QUEUED is the REST API's PENDING. */
  if (g_ascii_strcasecmp (word, "queued") == 0)
    return LW_GEMINI_BATCH_STATE_PENDING;
  return LW_GEMINI_BATCH_STATE_UNKNOWN;
}

gboolean
lw_gemini_batch_state_is_final (LwGeminiBatchState state)
{
  return state == LW_GEMINI_BATCH_STATE_SUCCEEDED || state == LW_GEMINI_BATCH_STATE_FAILED ||
         state == LW_GEMINI_BATCH_STATE_CANCELLED || state == LW_GEMINI_BATCH_STATE_EXPIRED;
}

char *
lw_gemini_batch_key (gint64 image_id, int attempt)
{
  return g_strdup_printf ("image-%" G_GINT64_FORMAT "-attempt-%d", image_id, attempt);
}

gboolean
lw_gemini_batch_parse_key (const char *key, gint64 *image_id, int *attempt)
{
  g_auto(GStrv) parts = NULL;
  guint64 id = 0, n = 0;

  if (key == NULL)
    return FALSE;
  parts = g_strsplit (key, "-", -1);
  if (g_strv_length (parts) != 4 || g_strcmp0 (parts[0], "image") != 0 || g_strcmp0 (parts[2], "attempt") != 0 ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXINT64, &id, NULL) ||
      !g_ascii_string_to_unsigned (parts[3], 10, 0, G_MAXINT, &n, NULL))
    return FALSE;
  *image_id = (gint64) id;
  *attempt = (int) n;
  return TRUE;
}

void
lw_gemini_batch_status_free (LwGeminiBatchStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->name);
  g_free (status->responses_file);
  g_free (status->error_message);
  g_free (status->display_name);
  g_free (status->input_file);
  g_free (status);
}

static const char *
string_member (JsonObject *object, const char *camel, const char *snake)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, camel);
  if (node == NULL && snake != NULL)
    node = json_object_get_member (object, snake);
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
           ? json_node_get_string (node) : NULL;
}

static JsonObject *
object_member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* An Operation ({name, metadata: Batch, done, response|error}), or a
 * bare Batch ({name, state, output}); NULL when it names no batch. */
static LwGeminiBatchStatus *
status_from_object (JsonObject *root)
{
  g_autoptr(LwGeminiBatchStatus) status = g_new0 (LwGeminiBatchStatus, 1);
  JsonObject *metadata, *response, *output, *input;
  const char *name;

  metadata = object_member (root, "metadata");
  if (metadata == NULL)
    metadata = root;
  name = string_member (root, "name", NULL);
  if (name == NULL)
    name = string_member (metadata, "name", NULL);
  if (name == NULL || !g_str_has_prefix (name, "batches/"))
    return NULL;
  status->name = g_strdup (name);
  status->state = lw_gemini_batch_state_from_string (string_member (metadata, "state", NULL));
  response = object_member (root, "response");
  output = object_member (metadata, "output");
  status->responses_file = g_strdup (string_member (response, "responsesFile", "responses_file"));
  if (status->responses_file == NULL)
    status->responses_file = g_strdup (string_member (output, "responsesFile", "responses_file"));
  status->error_message = g_strdup (string_member (object_member (root, "error"), "message", NULL));
  status->display_name = g_strdup (string_member (metadata, "displayName", "display_name"));
  input = object_member (metadata, "inputConfig");
  if (input == NULL)
    input = object_member (metadata, "input_config");
  status->input_file = g_strdup (string_member (input, "fileName", "file_name"));
  return g_steal_pointer (&status);
}

LwGeminiBatchStatus *
lw_gemini_batch_parse_status (const char  *body,
                              gsize        length,
                              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  LwGeminiBatchStatus *status;

  if (!json_parser_load_from_data (parser, body, (gssize) length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_TRUNCATED, _("The batch's status is not JSON"));
      return NULL;
    }
  status = status_from_object (json_node_get_object (json_parser_get_root (parser)));
  if (status == NULL)
    g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_FAILED, _("The batch's status names no batch"));
  return status;
}

/* batches.list answers a ListOperationsResponse: {"operations": [Operation],
 * "nextPageToken"} (ai.google.dev/api/batch-mode, batches.list). */
gboolean
lw_gemini_batch_parse_list (const char           *body,
                            gsize                 length,
                            const char           *display_name,
                            LwGeminiBatchStatus **found,
                            char                **next_page_token,
                            GError              **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonNode *operations;
  const char *token;

  *found = NULL;
  *next_page_token = NULL;
  if (!json_parser_load_from_data (parser, body, (gssize) length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_TRUNCATED, _("The list of batches is not JSON"));
      return FALSE;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  operations = json_object_get_member (root, "operations");
  if (operations == NULL)
    operations = json_object_get_member (root, "batches");
  for (guint i = 0; operations != NULL && JSON_NODE_HOLDS_ARRAY (operations) &&
                    i < json_array_get_length (json_node_get_array (operations)) && *found == NULL; i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (operations), i);
      g_autoptr(LwGeminiBatchStatus) status = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      status = status_from_object (json_node_get_object (node));
      if (status != NULL && g_strcmp0 (status->display_name, display_name) == 0)
        *found = g_steal_pointer (&status);
    }
  token = string_member (root, "nextPageToken", "next_page_token");
  if (token != NULL && *token != '\0')
    *next_page_token = g_strdup (token);
  return TRUE;
}

void
lw_gemini_batch_entry_free (LwGeminiBatchEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->key);
  g_clear_pointer (&entry->result, lw_engine_result_free);
  g_clear_error (&entry->error);
  g_free (entry);
}

/* google.rpc.Status codes (gRPC) as the HTTP status a live call would
 * have had, so both are classified by lw_gemini_parse_error. */
static guint
http_status_of (gint64 code)
{
  switch (code)
    {
    case 3: return 400;   /* INVALID_ARGUMENT */
    case 5: return 404;   /* NOT_FOUND */
    case 7: return 403;   /* PERMISSION_DENIED */
    case 8: return 429;   /* RESOURCE_EXHAUSTED */
    case 14: return 503;  /* UNAVAILABLE */
    case 4: return 504;   /* DEADLINE_EXCEEDED */
    case 16: return 401;  /* UNAUTHENTICATED */
    default: return code >= 100 && code <= 599 ? (guint) code : 500;
    }
}

static char *
node_to_text (JsonNode *node, gsize *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, length);
}

static LwGeminiBatchEntry *
parse_line (JsonObject *line)
{
  g_autoptr(LwGeminiBatchEntry) entry = g_new0 (LwGeminiBatchEntry, 1);
  JsonNode *response = json_object_get_member (line, "response");
  JsonObject *failure = object_member (line, "status");

  if (failure == NULL)
    failure = object_member (line, "error");
  entry->key = g_strdup (string_member (line, "key", NULL));
  if (entry->key == NULL)
    return NULL;
  if (response != NULL && JSON_NODE_HOLDS_OBJECT (response))
    {
      gsize length = 0;
      g_autofree char *text = node_to_text (response, &length);

      entry->result = lw_gemini_parse_answer (text, length, &entry->error);
    }
  else
    {
      g_autoptr(JsonNode) wrapped = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonObject) object = json_object_new ();
      g_autofree char *text = NULL;
      gint64 code = failure != NULL && json_object_has_member (failure, "code")
                      ? json_object_get_int_member (failure, "code") : 13;
      gsize length = 0;

      if (failure != NULL)
        json_object_set_object_member (object, "error", json_object_ref (failure));
      json_node_set_object (wrapped, object);
      text = node_to_text (wrapped, &length);
      entry->error = lw_gemini_parse_error (http_status_of (code), text, length, NULL, g_get_real_time ());
    }
  return g_steal_pointer (&entry);
}

GPtrArray *
lw_gemini_batch_parse_results (const char *data,
                               gsize       length)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_gemini_batch_entry_free);
  const char *end = data + length;

  for (const char *line = data; line < end;)
    {
      const char *newline = memchr (line, '\n', (gsize) (end - line));
      const char *stop = newline != NULL ? newline : end;
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (stop > line && json_parser_load_from_data (parser, line, stop - line, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          LwGeminiBatchEntry *entry = parse_line (json_node_get_object (json_parser_get_root (parser)));

          if (entry != NULL)
            g_ptr_array_add (entries, entry);
        }
      line = stop + 1;
    }
  return entries;
}

void
lw_gemini_batch_submission_free (LwGeminiBatchSubmission *submission)
{
  if (submission == NULL)
    return;
  g_free (submission->batch_name);
  g_ptr_array_unref (submission->files);
  g_ptr_array_unref (submission->keys);
  g_ptr_array_unref (submission->rejected);
  g_free (submission);
}

double
lw_gemini_batch_request_aspect (const LwEngineRequest *request)
{
  gboolean turned = request->orientation >= 5 && request->orientation <= 8;
  int width = turned ? request->height : request->width;
  int height = turned ? request->width : request->height;

  if (width <= 0 || height <= 0)
    return 0;
  return lw_gemini_aspect_ratio_value (lw_gemini_nearest_aspect_ratio (width, height));
}

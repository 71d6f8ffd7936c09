/* lw-gemini-response.c — what a Gemini answer means, as pure functions. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "lw-gemini-response.h"

/* The model's own words go into error messages; past this they only
 * clutter a tile. */
#define MAX_QUOTED_TEXT 400

/* ---- small JSON helpers (NULL-safe, type-checked) ----------------------- */

static JsonObject *
get_object (JsonObject *object, const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL)
    return NULL;
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* camelCase, or the snake_case some proxies and SDK dumps use. */
static JsonObject *
get_object2 (JsonObject *object, const char *camel, const char *snake)
{
  JsonObject *found = get_object (object, camel);

  return found != NULL ? found : get_object (object, snake);
}

static JsonArray *
get_array (JsonObject *object, const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL)
    return NULL;
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
get_string (JsonObject *object, const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static const char *
get_string2 (JsonObject *object, const char *camel, const char *snake)
{
  const char *found = get_string (object, camel);

  return found != NULL ? found : get_string (object, snake);
}

static gboolean
get_boolean (JsonObject *object, const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  return json_node_get_boolean (node);
}

static gint64
get_int (JsonObject *object, const char *name, gint64 default_value)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL)
    return default_value;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return default_value;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
  return default_value;
}

static JsonNode *
parse_json (const char *body, gsize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (body == NULL || length == 0)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, "empty body");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, body, (gssize) length, error))
    return NULL;
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, "empty document");
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

static char *
quote_text (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));
  const char *end;

  if (g_utf8_strlen (copy, -1) <= MAX_QUOTED_TEXT)
    return g_steal_pointer (&copy);
  end = g_utf8_offset_to_pointer (copy, MAX_QUOTED_TEXT);
  return g_strdup_printf ("%.*s…", (int) (end - copy), copy);
}

/* ---- safety words ------------------------------------------------------- */

typedef struct {
  const char *reason;
  const char *words;
} ReasonWords;

/* FinishReason and BlockReason values that mean "refused", in words a
 * person can act on (ai.google.dev/api/generate-content#FinishReason). */
static const ReasonWords refusal_reasons[] = {
  { "SAFETY", N_("the safety filters blocked it") },
  { "PROHIBITED_CONTENT", N_("it may involve prohibited content") },
  { "BLOCKLIST", N_("it contains blocked terms") },
  { "SPII", N_("it may contain sensitive personal information") },
  { "RECITATION", N_("the result resembled existing material too closely") },
  { "IMAGE_SAFETY", N_("the generated image was blocked by the safety filters") },
  { "IMAGE_PROHIBITED_CONTENT", N_("the generated image may contain prohibited content") },
  { "IMAGE_RECITATION", N_("the generated image resembled existing material too closely") },
  { "OTHER", N_("it was blocked for an unspecified reason") },
};

static const char *
refusal_words (const char *reason, gboolean prompt_feedback)
{
  for (guint i = 0; i < G_N_ELEMENTS (refusal_reasons); i++)
    {
      if (g_strcmp0 (reason, refusal_reasons[i].reason) != 0)
        continue;
      /* finishReason OTHER is a "no image", not a refusal; as a
       * blockReason it is a refusal. */
      if (!prompt_feedback && g_str_equal (reason, "OTHER"))
        return NULL;
      return _(refusal_reasons[i].words);
    }
  if (prompt_feedback && reason != NULL && *reason != '\0' &&
      g_strcmp0 (reason, "BLOCK_REASON_UNSPECIFIED") != 0)
    return _("it was blocked");
  return NULL;
}

static const char *
harm_category_words (const char *category)
{
  if (category == NULL)
    return NULL;
  if (strstr (category, "SEXUALLY_EXPLICIT") != NULL)
    return _("sexually explicit");
  if (strstr (category, "HATE_SPEECH") != NULL)
    return _("hate speech");
  if (strstr (category, "HARASSMENT") != NULL)
    return _("harassment");
  if (strstr (category, "DANGEROUS_CONTENT") != NULL)
    return _("dangerous content");
  if (strstr (category, "CIVIC_INTEGRITY") != NULL)
    return _("civic integrity");
  return NULL;
}

/* "(harassment, hate speech)" from safetyRatings marked blocked or HIGH. */
static char *
blocked_categories (JsonObject *holder)
{
  JsonArray *ratings = get_array (holder, "safetyRatings");
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; ratings != NULL && i < json_array_get_length (ratings); i++)
    {
      JsonNode *node = json_array_get_element (ratings, i);
      JsonObject *rating = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *words;

      if (rating == NULL)
        continue;
      if (!get_boolean (rating, "blocked") && g_strcmp0 (get_string (rating, "probability"), "HIGH") != 0)
        continue;
      words = harm_category_words (get_string (rating, "category"));
      if (words == NULL || strstr (out->str, words) != NULL)
        continue;
      g_string_append_printf (out, "%s%s", out->len > 0 ? ", " : "", words);
    }
  if (out->len == 0)
    return g_strdup ("");
  return g_strdup_printf (" (%s)", out->str);
}

/* ---- 200 answers -------------------------------------------------------- */

LwEngineResult *
lw_gemini_parse_answer (const char  *body,
                        gsize        length,
                        GError     **error)
{
  g_autoptr(GError) json_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  JsonObject *object, *feedback, *candidate = NULL, *content;
  JsonArray *candidates, *parts;
  JsonObject *image_part = NULL;
  const char *block_reason, *finish_reason, *words;

  root = parse_json (body, length, &json_error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_TRUNCATED,
                   _("The answer was cut short or is not JSON (%s)"),
                   json_error != NULL ? json_error->message : _("not an object"));
      return NULL;
    }
  object = json_node_get_object (root);

  feedback = get_object2 (object, "promptFeedback", "prompt_feedback");
  block_reason = get_string2 (feedback, "blockReason", "block_reason");
  words = refusal_words (block_reason, TRUE);
  if (words != NULL)
    {
      g_autofree char *categories = blocked_categories (feedback);
      const char *detail = get_string2 (feedback, "blockReasonMessage", "block_reason_message");

      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_SAFETY_BLOCKED,
                   _("The model refused the prompt or photo: %s%s%s%s"),
                   words, categories, detail != NULL ? " — " : "", detail != NULL ? detail : "");
      return NULL;
    }

  candidates = get_array (object, "candidates");
  if (candidates != NULL && json_array_get_length (candidates) > 0)
    {
      JsonNode *node = json_array_get_element (candidates, 0);

      candidate = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }
  content = get_object (candidate, "content");
  parts = get_array (content, "parts");

  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    {
      JsonNode *node = json_array_get_element (parts, i);
      JsonObject *part = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *inline_data;
      const char *part_text;

      /* Thoughts (the pro tier's reasoning and interim images) are not
       * the answer. */
      if (part == NULL || get_boolean (part, "thought"))
        continue;
      inline_data = get_object2 (part, "inlineData", "inline_data");
      if (inline_data != NULL)
        {
          const char *mime = get_string2 (inline_data, "mimeType", "mime_type");

          if (mime != NULL && g_str_has_prefix (mime, "image/") && get_string (inline_data, "data") != NULL)
            image_part = inline_data;
          continue;
        }
      part_text = get_string (part, "text");
      if (part_text != NULL && *part_text != '\0')
        {
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, part_text);
        }
    }

  if (image_part != NULL)
    {
      const char *data = get_string (image_part, "data");
      gsize decoded_len = 0;
      guchar *decoded = g_base64_decode (data, &decoded_len);
      g_autoptr(GBytes) bytes = NULL;
      LwEngineResult *result;

      if (decoded == NULL || decoded_len == 0)
        {
          g_free (decoded);
          g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_TRUNCATED,
                       _("The answer's image is empty"));
          return NULL;
        }
      bytes = g_bytes_new_take (decoded, decoded_len);
      result = lw_engine_result_new (bytes, get_string2 (image_part, "mimeType", "mime_type"));
      if (text->len > 0)
        result->text = g_strdup (text->str);
      return result;
    }

  finish_reason = get_string2 (candidate, "finishReason", "finish_reason");
  words = refusal_words (finish_reason, FALSE);
  if (words != NULL)
    {
      g_autofree char *categories = blocked_categories (candidate);
      g_autofree char *said = text->len > 0 ? quote_text (text->str) : NULL;

      if (said != NULL)
        g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_SAFETY_BLOCKED,
                     _("The model refused: %s%s. It said: “%s”"), words, categories, said);
      else
        g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_SAFETY_BLOCKED,
                     _("The model refused: %s%s"), words, categories);
      return NULL;
    }

  if (text->len > 0)
    {
      g_autofree char *said = quote_text (text->str);

      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_NO_IMAGE,
                   _("The model answered without an image: “%s”"), said);
    }
  else if (candidate == NULL)
    g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_NO_IMAGE,
                 _("The model gave no answer"));
  else
    g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_NO_IMAGE,
                 _("The model answered without an image (finish reason %s)"),
                 finish_reason != NULL ? finish_reason : _("none"));
  return NULL;
}

/* ---- errors ------------------------------------------------------------- */

gint64
lw_gemini_parse_duration_ms (const char *text)
{
  char *end = NULL;
  double seconds;

  if (text == NULL || *text == '\0')
    return -1;
  seconds = g_ascii_strtod (text, &end);
  if (end == text || seconds < 0 || seconds > 1e9)
    return -1;
  if (*end != 's' || end[1] != '\0')
    return -1;
  return (gint64) (seconds * 1000.0 + 0.5);
}

gint64
lw_gemini_next_quota_reset_us (gint64 now_us)
{
  g_autoptr(GTimeZone) pacific = g_time_zone_new_identifier ("America/Los_Angeles");
  g_autoptr(GDateTime) now_utc = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) midnight = NULL;
  g_autoptr(GDateTime) next = NULL;

  /* Without tzdata, Pacific Standard Time is as close as one can get. */
  if (pacific == NULL)
    pacific = g_time_zone_new_offset (-8 * 3600);
  now_utc = g_date_time_new_from_unix_utc (now_us / G_USEC_PER_SEC);
  now = g_date_time_to_timezone (now_utc, pacific);
  midnight = g_date_time_new (pacific, g_date_time_get_year (now), g_date_time_get_month (now),
                              g_date_time_get_day_of_month (now), 0, 0, 0);
  next = g_date_time_add_days (midnight, 1);
  /* Re-resolve at midnight itself: across a DST change "+1 day" keeps the
   * wall-clock time, which is what Google's reset follows. */
  return g_date_time_to_unix (next) * G_USEC_PER_SEC;
}

typedef struct {
  gint64  code;
  char   *status;
  char   *message;
  char   *reason;        /* google.rpc.ErrorInfo */
  gint64  retry_delay_ms;
  char   *quota_id;      /* google.rpc.QuotaFailure, the first violation */
  char   *quota_metric;
  char   *quota_value;
  char   *quota_model;
  gboolean per_day;
  gboolean limit_zero;
} ErrorBody;

static void
error_body_clear (ErrorBody *eb)
{
  g_free (eb->status);
  g_free (eb->message);
  g_free (eb->reason);
  g_free (eb->quota_id);
  g_free (eb->quota_metric);
  g_free (eb->quota_value);
  g_free (eb->quota_model);
}

static gboolean
type_is (JsonObject *detail, const char *suffix)
{
  const char *type = get_string (detail, "@type");

  return type != NULL && g_str_has_suffix (type, suffix);
}

static gboolean
quota_is_per_day (const char *quota_id, const char *metric)
{
  /* quotaId "GenerateRequestsPerDayPerProjectPerModel-FreeTier"; metrics
   * like ".../generate_content_free_tier_requests_per_day". */
  return (quota_id != NULL && strstr (quota_id, "PerDay") != NULL) ||
         (metric != NULL && (strstr (metric, "per_day") != NULL || strstr (metric, "PerDay") != NULL));
}

static void
read_error_body (const char *body, gsize length, ErrorBody *eb)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *error;
  JsonArray *details;

  eb->code = -1;
  eb->retry_delay_ms = -1;
  root = parse_json (body, length, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  error = get_object (json_node_get_object (root), "error");
  if (error == NULL)
    return;
  eb->code = get_int (error, "code", -1);
  eb->status = g_strdup (get_string (error, "status"));
  eb->message = g_strdup (get_string (error, "message"));
  details = get_array (error, "details");
  for (guint i = 0; details != NULL && i < json_array_get_length (details); i++)
    {
      JsonNode *node = json_array_get_element (details, i);
      JsonObject *detail = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (detail == NULL)
        continue;
      if (type_is (detail, "google.rpc.RetryInfo"))
        {
          const char *delay = get_string2 (detail, "retryDelay", "retry_delay");

          eb->retry_delay_ms = lw_gemini_parse_duration_ms (delay);
        }
      else if (type_is (detail, "google.rpc.ErrorInfo"))
        {
          if (eb->reason == NULL)
            eb->reason = g_strdup (get_string (detail, "reason"));
        }
      else if (type_is (detail, "google.rpc.QuotaFailure"))
        {
          JsonArray *violations = get_array (detail, "violations");

          for (guint j = 0; violations != NULL && j < json_array_get_length (violations); j++)
            {
              JsonNode *vnode = json_array_get_element (violations, j);
              JsonObject *violation = JSON_NODE_HOLDS_OBJECT (vnode) ? json_node_get_object (vnode) : NULL;
              const char *quota_id = get_string2 (violation, "quotaId", "quota_id");
              const char *metric = get_string2 (violation, "quotaMetric", "quota_metric");
              const char *value = get_string2 (violation, "quotaValue", "quota_value");
              JsonObject *dimensions = get_object2 (violation, "quotaDimensions", "quota_dimensions");
              gboolean per_day = quota_is_per_day (quota_id, metric);
              gboolean zero = value != NULL && g_ascii_strtoll (value, NULL, 10) == 0 &&
                              g_ascii_isdigit (value[strspn (value, " ")]);

              if (violation == NULL)
                continue;
              /* The violation that decides: a zero limit, else a daily
               * one, else the first. */
              if (eb->quota_id != NULL && !(zero && !eb->limit_zero) && !(per_day && !eb->per_day))
                continue;
              g_free (eb->quota_id);
              g_free (eb->quota_metric);
              g_free (eb->quota_value);
              g_free (eb->quota_model);
              eb->quota_id = g_strdup (quota_id);
              eb->quota_metric = g_strdup (metric);
              eb->quota_value = g_strdup (value);
              eb->quota_model = g_strdup (get_string (dimensions, "model"));
              eb->per_day = eb->per_day || per_day;
              eb->limit_zero = eb->limit_zero || zero;
            }
        }
    }
  /* The message says "limit: 0" even when the details are trimmed. */
  if (eb->message != NULL && strstr (eb->message, "limit: 0,") != NULL)
    eb->limit_zero = TRUE;
  if (eb->message != NULL && g_regex_match_simple ("limit: 0$", eb->message, 0, 0))
    eb->limit_zero = TRUE;
}

static GError *
quota_error (const ErrorBody *eb, const char *model_id, gint64 now_us)
{
  const char *quota = eb->quota_id != NULL ? eb->quota_id
                    : eb->quota_metric != NULL ? eb->quota_metric : _("unnamed quota");
  const char *model = eb->quota_model != NULL ? eb->quota_model : model_id;

  if (eb->limit_zero)
    return lw_engine_error_new_with_delay (LW_ENGINE_ERROR_QUOTA_EXHAUSTED, -1,
                                           _("Your key has no quota for %s (quota “%s”, limit 0). "
                                             "Image models need a Google Cloud project with billing "
                                             "enabled; pick another key or model"),
                                           model != NULL ? model : _("this model"), quota);
  if (eb->per_day)
    {
      gint64 reset_us = lw_gemini_next_quota_reset_us (now_us);
      g_autoptr(GDateTime) reset_local = g_date_time_new_from_unix_local (reset_us / G_USEC_PER_SEC);
      g_autofree char *when = g_date_time_format (reset_local, "%Y-%m-%d %H:%M");

      return lw_engine_error_new_with_delay (LW_ENGINE_ERROR_QUOTA_EXHAUSTED,
                                             MAX (0, (reset_us - now_us) / 1000),
                                             _("The daily quota “%s” for %s is used up; it resets at "
                                               "midnight Pacific time (%s your time)"),
                                             quota, model != NULL ? model : _("this model"), when);
    }
  return NULL;
}

static const char *
status_phrase (guint status)
{
  const char *phrase;

  /* libsoup 3.2 has no phrase for 429 ("Unknown Error"). */
  if (status == 429)
    return "Too Many Requests";
  phrase = soup_status_get_phrase (status);
  return phrase != NULL && g_strcmp0 (phrase, "Unknown Error") != 0 ? phrase : "";
}

GError *
lw_gemini_parse_error (guint       status,
                       const char *body,
                       gsize       length,
                       const char *model_id,
                       gint64      now_us)
{
  ErrorBody eb = { 0, };
  g_autofree char *server_words = NULL;
  const char *phrase = status_phrase (status);
  GError *error = NULL;

  read_error_body (body, length, &eb);
  /* "HTTP 503 Service Unavailable: The model is overloaded." */
  if (eb.message != NULL && *eb.message != '\0')
    server_words = g_strdup_printf ("HTTP %u%s%s: %s", status, *phrase != '\0' ? " " : "", phrase, eb.message);
  else
    server_words = g_strdup_printf ("HTTP %u%s%s", status, *phrase != '\0' ? " " : "", phrase);

  switch (status)
    {
    case 400:
      if ((eb.reason != NULL && g_str_has_prefix (eb.reason, "API_KEY_")) ||
          (eb.message != NULL && strstr (eb.message, "API key not valid") != NULL))
        error = g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH,
                             _("The API key was refused (%s)"),
                             server_words);
      else
        error = g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST,
                             _("The request was refused (%s)"), server_words);
      break;
    case 401:
    case 403:
      error = g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH,
                           _("The API key may not use %s (%s)"),
                           model_id != NULL ? model_id : _("this service"), server_words);
      break;
    case 404:
      error = g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_MODEL_NOT_FOUND,
                           _("The model “%s” was not found (%s)"),
                           model_id != NULL ? model_id : "", server_words);
      break;
    case 408:
      error = g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_TIMEOUT,
                           _("The server timed out waiting for the request (%s)"), server_words);
      break;
    case 429:
      error = quota_error (&eb, model_id, now_us);
      if (error == NULL)
        error = lw_engine_error_new_with_delay (LW_ENGINE_ERROR_RATE_LIMITED, eb.retry_delay_ms,
                                                _("Too many requests (%s)"), server_words);
      break;
    case 500:
    case 502:
    case 503:
    case 504:
      error = lw_engine_error_new_with_delay (LW_ENGINE_ERROR_SERVER, eb.retry_delay_ms,
                                              _("The server had a problem (%s)"), server_words);
      break;
    default:
      if (status >= 500 && status < 600)
        error = lw_engine_error_new_with_delay (LW_ENGINE_ERROR_SERVER, eb.retry_delay_ms,
                                                _("The server had a problem (%s)"), server_words);
      else if (status >= 400 && status < 500)
        error = g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST,
                             _("The request was refused (%s)"), server_words);
      else
        error = g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_FAILED,
                             _("Unexpected answer (%s)"), server_words);
      break;
    }

  error_body_clear (&eb);
  return error;
}

GError *
lw_gemini_redirect_error (guint status, const char *location)
{
  g_autoptr(GUri) uri = location != NULL ? g_uri_parse (location, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autofree char *origin = NULL;

  /* The origin, not the whole address: a path or query may carry a
   * token, and the person only needs to know where it pointed. */
  if (uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0')
    origin = g_uri_get_port (uri) > 0
               ? g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri), g_uri_get_port (uri))
               : g_strdup_printf ("%s://%s", g_uri_get_scheme (uri), g_uri_get_host (uri));
  if (origin != NULL)
    return g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE,
                        _("The Gemini server redirected the request to %s (HTTP %u); LightWork does not follow "
                          "redirects, so your API key is never sent elsewhere. Check the server address "
                          "(gemini.base_url) and the network (a sign-in page?)"),
                        origin, status);
  return g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE,
                      _("The Gemini server answered with a redirect (HTTP %u); LightWork does not follow "
                        "redirects, so your API key is never sent elsewhere. Check the server address "
                        "(gemini.base_url) and the network (a sign-in page?)"),
                      status);
}

GError *
lw_gemini_error_from_transport (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == LW_ENGINE_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE,
                        _("Cannot find the Gemini server; are you offline? (%s)"), error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_TIMEOUT,
                        _("The request timed out (%s)"), error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE,
                        _("The Gemini server cannot be reached; are you offline? (%s)"),
                        error->message);
  if (error->domain == G_IO_ERROR)
    /* Resets, a peer that hung up mid-body, refusals: the network
     * hiccuped; worth another try later. */
    return g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_NETWORK,
                        _("The connection failed (%s)"), error->message);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_NETWORK,
                        _("The secure connection failed (%s)"), error->message);

  if (error->domain == SOUP_SESSION_ERROR &&
      (error->code == SOUP_SESSION_ERROR_PARSING || error->code == SOUP_SESSION_ERROR_ENCODING))
    return g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_NETWORK,
                        _("The server's answer was garbled (%s)"), error->message);

  return g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_FAILED,
                      _("The request failed (%s)"), error->message);
}

/* ---- models ------------------------------------------------------------- */

void
lw_gemini_model_info_free (LwGeminiModelInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->display_name);
  g_free (info->description);
  g_free (info);
}

static gboolean
contains_casefold (const char *haystack, const char *needle)
{
  g_autofree char *h = NULL;
  g_autofree char *n = NULL;

  if (haystack == NULL)
    return FALSE;
  h = g_utf8_casefold (haystack, -1);
  n = g_utf8_casefold (needle, -1);
  return strstr (h, n) != NULL;
}

/* The API has no "outputs images" flag in Model (ai.google.dev/api/models):
 * image models are named "…-image…" or "nano-banana", and say so in their
 * display name or description. Imagen ("imagen-…") answers :predict, not
 * generateContent, so it is not one of ours. */
static gboolean
looks_image_capable (const LwGeminiModelInfo *info)
{
  static const char * const phrases[] = {
    "image generation", "generate image", "generates image", "generating image",
    "image editing", "edit image", "native image", "image output",
  };

  if (info->id == NULL || g_str_has_prefix (info->id, "imagen") ||
      strstr (info->id, "embedding") != NULL || strstr (info->id, "tts") != NULL)
    return FALSE;
  if (strstr (info->id, "-image") != NULL || strstr (info->id, "nano-banana") != NULL)
    return TRUE;
  if (contains_casefold (info->display_name, "nano banana") ||
      contains_casefold (info->display_name, " image"))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (phrases); i++)
    if (contains_casefold (info->description, phrases[i]))
      return TRUE;
  return FALSE;
}

GPtrArray *
lw_gemini_parse_models (const char  *body,
                        gsize        length,
                        char       **next_page_token,
                        GError     **error)
{
  g_autoptr(GError) json_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_gemini_model_info_free);
  JsonObject *object;
  JsonArray *list;
  const char *token;

  if (next_page_token != NULL)
    *next_page_token = NULL;
  root = parse_json (body, length, &json_error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_TRUNCATED,
                   _("The model list was cut short or is not JSON (%s)"),
                   json_error != NULL ? json_error->message : _("not an object"));
      return NULL;
    }
  object = json_node_get_object (root);
  list = get_array (object, "models");
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *model = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonArray *methods = get_array (model, "supportedGenerationMethods");
      const char *name = get_string (model, "name");
      LwGeminiModelInfo *info;

      if (name == NULL)
        continue;
      info = g_new0 (LwGeminiModelInfo, 1);
      info->id = g_strdup (g_str_has_prefix (name, "models/") ? name + strlen ("models/") : name);
      info->display_name = g_strdup (get_string2 (model, "displayName", "display_name"));
      info->description = g_strdup (get_string (model, "description"));
      for (guint j = 0; methods != NULL && j < json_array_get_length (methods); j++)
        {
          JsonNode *m = json_array_get_element (methods, j);

          if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING &&
              g_strcmp0 (json_node_get_string (m), "generateContent") == 0)
            info->generate_content = TRUE;
        }
      info->image_output = info->generate_content && looks_image_capable (info);
      g_ptr_array_add (models, info);
    }
  token = get_string (object, "nextPageToken");
  if (next_page_token != NULL && token != NULL && *token != '\0')
    *next_page_token = g_strdup (token);
  return g_steal_pointer (&models);
}

char *
lw_gemini_redact (const char *text,
                  const char *secret)
{
  g_autoptr(GString) out = NULL;
  const char *p, *hit;
  gsize secret_len;

  if (text == NULL)
    return NULL;
  if (secret == NULL || *secret == '\0')
    return g_strdup (text);
  secret_len = strlen (secret);
  out = g_string_sized_new (strlen (text));
  for (p = text; (hit = strstr (p, secret)) != NULL; p = hit + secret_len)
    {
      g_string_append_len (out, p, hit - p);
      g_string_append (out, "[key]");
    }
  g_string_append (out, p);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* test-gemini-response.c — what Gemini answers mean (pure parser tests).
 *
 * Bodies have the REST API's real structure (ai.google.dev/api/generate-content,
 * google.rpc error details); each test checks the class the engine reports
 * and the words a person reads.
 */
#include "config.h"

#include <string.h>

#include "lw-gemini-config.h"
#include "lw-gemini-input.h"
#include "lw-gemini-response.h"

/* "PNG!" and "JPEG" as base64: the parser only decodes, it does not look. */
#define B64_PNG  "UE5HIQ=="
#define B64_JPEG "SlBFRw=="

static LwEngineResult *
parse (const char *body, GError **error)
{
  return lw_gemini_parse_answer (body, strlen (body), error);
}

static GError *
parse_error (guint status, const char *body)
{
  /* 2026-03-10 12:00:00 UTC = 05:00 PDT. */
  return lw_gemini_parse_error (status, body, body != NULL ? strlen (body) : 0, "gemini-3-pro-image",
                                G_GINT64_CONSTANT (1773144000) * G_USEC_PER_SEC);
}

static void
assert_result (LwEngineResult *result, const char *data, const char *mime)
{
  gsize len = 0;
  const char *bytes;

  g_assert_nonnull (result);
  bytes = g_bytes_get_data (result->data, &len);
  g_assert_cmpuint (len, ==, strlen (data));
  g_assert_cmpmem (bytes, len, data, strlen (data));
  g_assert_cmpstr (result->mime, ==, mime);
}

static void
test_image (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = NULL;

  result = parse ("{\"candidates\": [{\"content\": {\"role\": \"model\", \"parts\": ["
                  "  {\"text\": \"Here is the brighter photo.\"},"
                  "  {\"inlineData\": {\"mimeType\": \"image/png\", \"data\": \"" B64_PNG "\"}}]},"
                  " \"finishReason\": \"STOP\", \"index\": 0}],"
                  " \"usageMetadata\": {\"promptTokenCount\": 1290, \"candidatesTokenCount\": 1120},"
                  " \"modelVersion\": \"gemini-nano-banana-2.1\"}", &error);
  g_assert_no_error (error);
  assert_result (result, "PNG!", "image/png");
  g_assert_cmpstr (result->text, ==, "Here is the brighter photo.");
}

static void
test_thought_and_image (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = NULL;

  /* The pro tier thinks in text and interim images (thought: true); the
   * answer is the last non-thought image, not the first image. */
  result = parse ("{\"candidates\": [{\"content\": {\"parts\": ["
                  "  {\"text\": \"**Planning**\", \"thought\": true},"
                  "  {\"inlineData\": {\"mimeType\": \"image/png\", \"data\": \"" B64_PNG "\"}, \"thought\": true},"
                  "  {\"text\": \"Done.\", \"thoughtSignature\": \"c2ln\"},"
                  "  {\"inlineData\": {\"mimeType\": \"image/jpeg\", \"data\": \"" B64_JPEG "\"}}]},"
                  " \"finishReason\": \"STOP\"}]}", &error);
  g_assert_no_error (error);
  assert_result (result, "JPEG", "image/jpeg");
  g_assert_cmpstr (result->text, ==, "Done.");
}

static void
test_snake_case (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = NULL;

  result = parse ("{\"candidates\": [{\"content\": {\"parts\": ["
                  "  {\"inline_data\": {\"mime_type\": \"image/png\", \"data\": \"" B64_PNG "\"}}]},"
                  " \"finish_reason\": \"STOP\"}]}", &error);
  g_assert_no_error (error);
  assert_result (result, "PNG!", "image/png");
  g_assert_null (result->text);
}

static void
test_only_thought_images (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = NULL;

  /* An interim image alone is not a result. */
  result = parse ("{\"candidates\": [{\"content\": {\"parts\": ["
                  "  {\"inlineData\": {\"mimeType\": \"image/png\", \"data\": \"" B64_PNG "\"}, \"thought\": true}]},"
                  " \"finishReason\": \"STOP\"}]}", &error);
  g_assert_null (result);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_NO_IMAGE);
}

static void
test_text_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = NULL;

  result = parse ("{\"candidates\": [{\"content\": {\"role\": \"model\", \"parts\": ["
                  "  {\"text\": \"I can't make the background transparent, but I can describe it.\"}]},"
                  " \"finishReason\": \"STOP\", \"index\": 0}]}", &error);
  g_assert_null (result);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_NO_IMAGE);
  /* The model's own words reach the user. */
  g_assert_nonnull (strstr (error->message, "I can't make the background transparent"));
  g_assert_cmpint (lw_engine_error_classify (error), ==, LW_ERROR_CLASS_NO_IMAGE);
}

static void
test_no_image_reason (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = NULL;

  result = parse ("{\"candidates\": [{\"finishReason\": \"NO_IMAGE\", \"index\": 0}]}", &error);
  g_assert_null (result);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_NO_IMAGE);
  g_assert_nonnull (strstr (error->message, "NO_IMAGE"));
}

static void
test_prompt_blocked (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = NULL;

  result = parse ("{\"promptFeedback\": {\"blockReason\": \"SAFETY\", \"safetyRatings\": ["
                  "  {\"category\": \"HARM_CATEGORY_HARASSMENT\", \"probability\": \"NEGLIGIBLE\"},"
                  "  {\"category\": \"HARM_CATEGORY_SEXUALLY_EXPLICIT\", \"probability\": \"HIGH\", \"blocked\": true}]},"
                  " \"usageMetadata\": {\"promptTokenCount\": 1290}, \"modelVersion\": \"gemini-3-pro-image\"}",
                  &error);
  g_assert_null (result);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_SAFETY_BLOCKED);
  g_assert_nonnull (strstr (error->message, "safety"));
  g_assert_nonnull (strstr (error->message, "sexually explicit"));
  g_assert_null (strstr (error->message, "harassment"));
  g_assert_cmpint (lw_engine_error_classify (error), ==, LW_ERROR_CLASS_REFUSED);
}

static void
test_prompt_prohibited (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = NULL;

  result = parse ("{\"promptFeedback\": {\"blockReason\": \"PROHIBITED_CONTENT\"}}", &error);
  g_assert_null (result);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_SAFETY_BLOCKED);
  g_assert_nonnull (strstr (error->message, "prohibited"));
}

static void
test_candidate_blocked (void)
{
  const struct {
    const char *reason;
    const char *words;
  } cases[] = {
    { "IMAGE_SAFETY", "safety" },
    { "IMAGE_PROHIBITED_CONTENT", "prohibited" },
    { "SAFETY", "safety" },
    { "PROHIBITED_CONTENT", "prohibited" },
    { "RECITATION", "existing material" },
    { "IMAGE_RECITATION", "existing material" },
    { "BLOCKLIST", "blocked terms" },
    { "SPII", "personal information" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LwEngineResult) result = NULL;
      g_autofree char *body = g_strdup_printf ("{\"candidates\": [{\"finishReason\": \"%s\", "
                                               "\"finishMessage\": \"Unable to show the generated image.\", "
                                               "\"index\": 0}]}", cases[i].reason);

      result = parse (body, &error);
      g_assert_null (result);
      g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_SAFETY_BLOCKED);
      g_assert_nonnull (strstr (error->message, cases[i].words));
      /* Words, not the enum name. */
      g_assert_null (strstr (error->message, cases[i].reason));
    }
}

static void
test_image_wins_over_reason (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = NULL;

  /* MAX_TOKENS after the image was delivered: the image is the answer. */
  result = parse ("{\"candidates\": [{\"content\": {\"parts\": ["
                  "  {\"inlineData\": {\"mimeType\": \"image/png\", \"data\": \"" B64_PNG "\"}}]},"
                  " \"finishReason\": \"MAX_TOKENS\"}]}", &error);
  g_assert_no_error (error);
  assert_result (result, "PNG!", "image/png");
}

static void
test_truncated (void)
{
  const char *bodies[] = {
    "{\"candidates\": [{\"content\": {\"parts\": [{\"inlineData\": {\"mimeType\": \"image/png\", \"data\": \"UE5H",
    "",
    "<html>502</html>",
    "[1, 2]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LwEngineResult) result = parse (bodies[i], &error);

      g_assert_null (result);
      g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_TRUNCATED);
      g_assert_cmpint (lw_engine_error_classify (error), ==, LW_ERROR_CLASS_TRANSIENT);
    }
}

static void
test_duration (void)
{
  g_assert_cmpint (lw_gemini_parse_duration_ms ("12s"), ==, 12000);
  g_assert_cmpint (lw_gemini_parse_duration_ms ("1.5s"), ==, 1500);
  g_assert_cmpint (lw_gemini_parse_duration_ms ("0.250s"), ==, 250);
  g_assert_cmpint (lw_gemini_parse_duration_ms ("3.000000001s"), ==, 3000);
  g_assert_cmpint (lw_gemini_parse_duration_ms ("0s"), ==, 0);
  g_assert_cmpint (lw_gemini_parse_duration_ms ("12"), ==, -1);
  g_assert_cmpint (lw_gemini_parse_duration_ms ("12ms"), ==, -1);
  g_assert_cmpint (lw_gemini_parse_duration_ms ("-1s"), ==, -1);
  g_assert_cmpint (lw_gemini_parse_duration_ms (""), ==, -1);
  g_assert_cmpint (lw_gemini_parse_duration_ms (NULL), ==, -1);
}

#define RATE_LIMIT_BODY(retry) \
  "{\"error\": {\"code\": 429, \"message\": \"Resource has been exhausted (e.g. check quota).\"," \
  " \"status\": \"RESOURCE_EXHAUSTED\", \"details\": [" \
  "  {\"@type\": \"type.googleapis.com/google.rpc.QuotaFailure\", \"violations\": [" \
  "    {\"quotaMetric\": \"generativelanguage.api.test/generate_content_paid_tier_requests\"," \
  "     \"quotaId\": \"GenerateRequestsPerMinutePerProjectPerModel\"," \
  "     \"quotaDimensions\": {\"location\": \"global\", \"model\": \"gemini-3-pro-image\"}, \"quotaValue\": \"20\"}]}," \
  "  {\"@type\": \"type.googleapis.com/google.rpc.Help\", \"links\": [{\"description\": \"Learn more\", \"url\": \"https://ai.google.dev/gemini-api/docs/rate-limits\"}]}," \
  "  {\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"" retry "\"}]}}"

static void
test_rate_limited (void)
{
  g_autoptr(GError) error = parse_error (429, RATE_LIMIT_BODY ("12s"));
  g_autoptr(GError) fractional = parse_error (429, RATE_LIMIT_BODY ("1.5s"));
  g_autoptr(GError) bare = parse_error (429, "{\"error\": {\"code\": 429, \"message\": \"Too many\", "
                                             "\"status\": \"RESOURCE_EXHAUSTED\"}}");

  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_RATE_LIMITED);
  g_assert_cmpint (lw_engine_error_get_retry_delay_ms (error), ==, 12000);
  g_assert_cmpint (lw_engine_error_classify (error), ==, LW_ERROR_CLASS_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "429"));
  g_assert_error (fractional, LW_ENGINE_ERROR, LW_ENGINE_ERROR_RATE_LIMITED);
  g_assert_cmpint (lw_engine_error_get_retry_delay_ms (fractional), ==, 1500);
  g_assert_error (bare, LW_ENGINE_ERROR, LW_ENGINE_ERROR_RATE_LIMITED);
  g_assert_cmpint (lw_engine_error_get_retry_delay_ms (bare), ==, -1);
}

static void
test_quota_per_day (void)
{
  g_autoptr(GError) error = NULL;
  gint64 now_us = G_GINT64_CONSTANT (1773144000) * G_USEC_PER_SEC;  /* 2026-03-10 05:00 PDT */
  gint64 reset_us = lw_gemini_next_quota_reset_us (now_us);

  /* The real answer has a RetryInfo too; a daily quota must not be retried
   * after 31 s all day long. */
  error = parse_error (429,
                       "{\"error\": {\"code\": 429, \"message\": \"You exceeded your current quota, please check "
                       "your plan and billing details.\", \"status\": \"RESOURCE_EXHAUSTED\", \"details\": ["
                       "  {\"@type\": \"type.googleapis.com/google.rpc.QuotaFailure\", \"violations\": ["
                       "    {\"quotaMetric\": \"generativelanguage.api.test/generate_content_paid_tier_requests\","
                       "     \"quotaId\": \"GenerateRequestsPerDayPerProjectPerModel\","
                       "     \"quotaDimensions\": {\"location\": \"global\", \"model\": \"gemini-3-pro-image\"},"
                       "     \"quotaValue\": \"250\"}]},"
                       "  {\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"31s\"}]}}");
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_QUOTA_EXHAUSTED);
  g_assert_cmpint (lw_engine_error_classify (error), ==, LW_ERROR_CLASS_PAUSE);
  g_assert_nonnull (strstr (error->message, "GenerateRequestsPerDayPerProjectPerModel"));
  g_assert_nonnull (strstr (error->message, "midnight Pacific"));
  /* Next midnight in Los Angeles (PDT, UTC−7) is 2026-03-11 07:00 UTC. */
  g_assert_cmpint (reset_us / G_USEC_PER_SEC, ==, G_GINT64_CONSTANT (1773212400));
  g_assert_cmpint (lw_engine_error_get_retry_delay_ms (error), ==, (reset_us - now_us) / 1000);
}

static void
test_quota_reset_dst (void)
{
  /* 2026-01-15 20:00 UTC = 12:00 PST → 2026-01-16 08:00 UTC. */
  g_assert_cmpint (lw_gemini_next_quota_reset_us (G_GINT64_CONSTANT (1768507200) * G_USEC_PER_SEC) / G_USEC_PER_SEC,
                   ==, G_GINT64_CONSTANT (1768550400));
  /* Just after midnight PDT: the next reset is a day away, not now. */
  g_assert_cmpint (lw_gemini_next_quota_reset_us (G_GINT64_CONSTANT (1773212401) * G_USEC_PER_SEC) / G_USEC_PER_SEC,
                   ==, G_GINT64_CONSTANT (1773298800));
}

static void
test_quota_limit_zero (void)
{
  g_autoptr(GError) by_value = NULL;
  g_autoptr(GError) by_message = NULL;

  by_value = parse_error (429,
                          "{\"error\": {\"code\": 429, \"message\": \"Quota exceeded.\", \"status\": \"RESOURCE_EXHAUSTED\","
                          " \"details\": [{\"@type\": \"type.googleapis.com/google.rpc.QuotaFailure\", \"violations\": ["
                          "  {\"quotaMetric\": \"generativelanguage.api.test/generate_content_free_tier_requests\","
                          "   \"quotaId\": \"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\", \"quotaValue\": \"0\"}]},"
                          " {\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"12s\"}]}}");
  g_assert_error (by_value, LW_ENGINE_ERROR, LW_ENGINE_ERROR_QUOTA_EXHAUSTED);
  g_assert_nonnull (strstr (by_value->message, "limit 0"));
  g_assert_nonnull (strstr (by_value->message, "FreeTier"));
  g_assert_cmpint (lw_engine_error_get_retry_delay_ms (by_value), ==, -1);

  /* Trimmed details: the message still says "limit: 0". */
  by_message = parse_error (429,
                            "{\"error\": {\"code\": 429, \"message\": \"You exceeded your current quota.\\n* Quota "
                            "exceeded for metric: generativelanguage.api.test/generate_content_free_tier_requests, "
                            "limit: 0, model: gemini-3-pro-image\", \"status\": \"RESOURCE_EXHAUSTED\"}}");
  g_assert_error (by_message, LW_ENGINE_ERROR, LW_ENGINE_ERROR_QUOTA_EXHAUSTED);
}

static void
test_error_statuses (void)
{
  const struct {
    guint       status;
    const char *body;
    int         code;
    const char *words;
  } cases[] = {
    { 400, "{\"error\": {\"code\": 400, \"message\": \"API key not valid. Please pass a valid API key.\","
           " \"status\": \"INVALID_ARGUMENT\", \"details\": [{\"@type\": \"type.googleapis.com/google.rpc.ErrorInfo\","
           " \"reason\": \"API_KEY_INVALID\", \"domain\": \"googleapis.com\","
           " \"metadata\": {\"service\": \"generativelanguage.api.test\"}}]}}",
      LW_ENGINE_ERROR_AUTH, "was refused" },
    { 400, "{\"error\": {\"code\": 400, \"message\": \"API key expired. Please renew the API key.\","
           " \"status\": \"INVALID_ARGUMENT\", \"details\": [{\"@type\": \"type.googleapis.com/google.rpc.ErrorInfo\","
           " \"reason\": \"API_KEY_EXPIRED\"}]}}",
      LW_ENGINE_ERROR_AUTH, "expired" },
    { 400, "{\"error\": {\"code\": 400, \"message\": \"Invalid JSON payload received. Unknown name \\\"foo\\\"\","
           " \"status\": \"INVALID_ARGUMENT\"}}",
      LW_ENGINE_ERROR_BAD_REQUEST, "Unknown name" },
    { 400, "{\"error\": {\"code\": 400, \"message\": \"User location is not supported for the API use.\","
           " \"status\": \"FAILED_PRECONDITION\"}}",
      LW_ENGINE_ERROR_BAD_REQUEST, "location" },
    { 401, "{\"error\": {\"code\": 401, \"message\": \"Request had invalid authentication credentials.\","
           " \"status\": \"UNAUTHENTICATED\"}}",
      LW_ENGINE_ERROR_AUTH, "credentials" },
    { 403, "{\"error\": {\"code\": 403, \"message\": \"Method doesn't allow unregistered callers.\","
           " \"status\": \"PERMISSION_DENIED\"}}",
      LW_ENGINE_ERROR_AUTH, "gemini-3-pro-image" },
    { 404, "{\"error\": {\"code\": 404, \"message\": \"models/gemini-3-pro-image is not found for API version v1beta\","
           " \"status\": \"NOT_FOUND\"}}",
      LW_ENGINE_ERROR_MODEL_NOT_FOUND, "“gemini-3-pro-image”" },
    { 413, "{\"error\": {\"code\": 413, \"message\": \"Request payload size exceeds the limit\", \"status\": \"INVALID_ARGUMENT\"}}",
      LW_ENGINE_ERROR_BAD_REQUEST, "payload" },
    { 500, "{\"error\": {\"code\": 500, \"message\": \"An internal error has occurred.\", \"status\": \"INTERNAL\"}}",
      LW_ENGINE_ERROR_SERVER, "500" },
    { 502, "<!DOCTYPE html><html><title>Error 502 (Server Error)!!1</title></html>",
      LW_ENGINE_ERROR_SERVER, "502" },
    { 503, "{\"error\": {\"code\": 503, \"message\": \"The model is overloaded. Please try again later.\","
           " \"status\": \"UNAVAILABLE\"}}",
      LW_ENGINE_ERROR_SERVER, "overloaded" },
    { 504, "{\"error\": {\"code\": 504, \"message\": \"The request timed out. Please try again.\","
           " \"status\": \"DEADLINE_EXCEEDED\"}}",
      LW_ENGINE_ERROR_SERVER, "504" },
    { 408, NULL, LW_ENGINE_ERROR_TIMEOUT, "408" },
    { 418, "", LW_ENGINE_ERROR_BAD_REQUEST, "418" },
    { 599, "", LW_ENGINE_ERROR_SERVER, "599" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = parse_error (cases[i].status, cases[i].body);

      g_test_message ("HTTP %u: %s", cases[i].status, error->message);
      g_assert_error (error, LW_ENGINE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].words));
    }
}

static void
test_server_retry_info (void)
{
  g_autoptr(GError) error = NULL;

  error = parse_error (503, "{\"error\": {\"code\": 503, \"message\": \"Overloaded\", \"status\": \"UNAVAILABLE\","
                            " \"details\": [{\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"7s\"}]}}");
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_SERVER);
  g_assert_cmpint (lw_engine_error_get_retry_delay_ms (error), ==, 7000);
}

static void
test_transport (void)
{
  const struct {
    GQuark domain;
    int    code;
    int    expected;
  } cases[] = {
    { 0, G_IO_ERROR_TIMED_OUT, LW_ENGINE_ERROR_TIMEOUT },
    { 0, G_IO_ERROR_CONNECTION_CLOSED, LW_ENGINE_ERROR_NETWORK },
    { 0, G_IO_ERROR_BROKEN_PIPE, LW_ENGINE_ERROR_NETWORK },
    { 0, G_IO_ERROR_PARTIAL_INPUT, LW_ENGINE_ERROR_NETWORK },
    { 0, G_IO_ERROR_CONNECTION_REFUSED, LW_ENGINE_ERROR_NETWORK },
    { 0, G_IO_ERROR_NETWORK_UNREACHABLE, LW_ENGINE_ERROR_OFFLINE },
    { 0, G_IO_ERROR_HOST_UNREACHABLE, LW_ENGINE_ERROR_OFFLINE },
    { 1, G_RESOLVER_ERROR_NOT_FOUND, LW_ENGINE_ERROR_OFFLINE },
    { 1, G_RESOLVER_ERROR_TEMPORARY_FAILURE, LW_ENGINE_ERROR_OFFLINE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) in = g_error_new_literal (cases[i].domain == 1 ? G_RESOLVER_ERROR : G_IO_ERROR,
                                                  cases[i].code, "boom");
      g_autoptr(GError) out = lw_gemini_error_from_transport (in);

      g_assert_error (out, LW_ENGINE_ERROR, cases[i].expected);
    }
  {
    g_autoptr(GError) in = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
    g_autoptr(GError) out = lw_gemini_error_from_transport (in);

    g_assert_error (out, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpint (lw_engine_error_classify (out), ==, LW_ERROR_CLASS_CANCELLED);
  }
}

static void
test_models (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *next = NULL;
  const char *body =
    "{\"models\": ["
    " {\"name\": \"models/gemini-3.5-flash\", \"displayName\": \"Gemini 3.5 Flash\","
    "  \"description\": \"Our most intelligent model; understands images, video and audio.\","
    "  \"supportedGenerationMethods\": [\"generateContent\", \"countTokens\"]},"
    " {\"name\": \"models/gemini-3-pro-image\", \"displayName\": \"Nano Banana Pro\","
    "  \"description\": \"Gemini 3 Pro Image\", \"supportedGenerationMethods\": [\"generateContent\"]},"
    " {\"name\": \"models/gemini-nano-banana-2.1\", \"displayName\": \"Nano Banana 2.1\","
    "  \"supportedGenerationMethods\": [\"generateContent\", \"batchGenerateContent\"]},"
    " {\"name\": \"models/gemini-next-draw\", \"displayName\": \"Draw\","
    "  \"description\": \"Native image generation and editing.\", \"supportedGenerationMethods\": [\"generateContent\"]},"
    " {\"name\": \"models/imagen-4.0-generate-001\", \"displayName\": \"Imagen 4\","
    "  \"description\": \"Vertex served Imagen 4.0 model\", \"supportedGenerationMethods\": [\"predict\"]},"
    " {\"name\": \"models/gemini-embedding-001\", \"supportedGenerationMethods\": [\"embedContent\"]}"
    "], \"nextPageToken\": \"Chxtb2RlbHMv\"}";
  const char *expected_image[] = { "gemini-3-pro-image", "gemini-nano-banana-2.1", "gemini-next-draw" };
  guint n_image = 0;

  models = lw_gemini_parse_models (body, strlen (body), &next, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (models->len, ==, 6);
  g_assert_cmpstr (next, ==, "Chxtb2RlbHMv");
  for (guint i = 0; i < models->len; i++)
    {
      LwGeminiModelInfo *info = g_ptr_array_index (models, i);

      if (!info->image_output)
        continue;
      g_assert_cmpuint (n_image, <, G_N_ELEMENTS (expected_image));
      g_assert_cmpstr (info->id, ==, expected_image[n_image]);
      n_image++;
    }
  g_assert_cmpuint (n_image, ==, G_N_ELEMENTS (expected_image));
}

static void
test_redact (void)
{
  g_autofree char *a = lw_gemini_redact ("key AIzaSECRET in AIzaSECRET.", "AIzaSECRET");
  g_autofree char *b = lw_gemini_redact ("nothing here", "AIzaSECRET");
  g_autofree char *c = lw_gemini_redact ("plain", NULL);

  g_assert_cmpstr (a, ==, "key [key] in [key].");
  g_assert_cmpstr (b, ==, "nothing here");
  g_assert_cmpstr (c, ==, "plain");
}

static void
test_aspect_ratio (void)
{
  const struct {
    int         w;
    int         h;
    const char *ratio;
  } cases[] = {
    { 1000, 1000, "1:1" },
    { 6000, 4000, "3:2" },
    { 4000, 6000, "2:3" },
    { 4032, 3024, "4:3" },
    { 3024, 4032, "3:4" },
    { 1920, 1080, "16:9" },
    { 1080, 1920, "9:16" },
    { 2560, 1080, "21:9" },
    { 5000, 1000, "21:9" },   /* wider than any: the widest */
    { 1000, 5000, "9:16" },
    { 1080, 1350, "4:5" },    /* Instagram portrait */
    { 1250, 1000, "5:4" },
    { 1100, 1000, "1:1" },    /* 1.10: nearer 1:1 (log distance .095) than 5:4 (.128) */
    { 0, 100, "1:1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (lw_gemini_nearest_aspect_ratio (cases[i].w, cases[i].h), ==, cases[i].ratio);
}

static void
test_base_url (void)
{
  const struct {
    const char *url;
    gboolean    ok;
  } cases[] = {
    { LW_GEMINI_DEFAULT_BASE_URL, TRUE },
    { "https://proxy.example.com:8443/gemini", TRUE },
    { "http://127.0.0.1:8080", TRUE },
    { "http://127.4.5.6", TRUE },
    { "http://[::1]:9000", TRUE },
    { "http://localhost:9", TRUE },
    { "http://LOCALHOST", TRUE },
    { "http://example.com", FALSE },
    { "http://10.0.0.1:8080", FALSE },
    { "http://128.0.0.1", FALSE },
    { "http://localhost.example.com", FALSE },
    { "http://[::2]", FALSE },
    { "ftp://127.0.0.1", FALSE },
    { "https://user:pw@example.com", FALSE },
    { "not a url", FALSE },
    { "", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = lw_gemini_config_check_base_url (cases[i].url, &error);

      g_test_message ("%s → %s", cases[i].url, ok ? "ok" : error->message);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST);
    }
}

static void
test_config_prices (void)
{
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_default ();

  g_assert_cmpfloat (lw_gemini_config_get_price (config, LW_GEMINI_TIER_FAST), ==, LW_GEMINI_DEFAULT_PRICE_FAST);
  g_assert_cmpfloat (lw_gemini_config_get_price (config, LW_GEMINI_TIER_PRO), ==, LW_GEMINI_DEFAULT_PRICE_PRO);
  g_free (config->output_size);
  config->output_size = g_strdup ("4K");
  g_assert_cmpfloat (lw_gemini_config_get_price (config, LW_GEMINI_TIER_PRO), ==, LW_GEMINI_DEFAULT_PRICE_PRO_4K);
  config->price[LW_GEMINI_TIER_PRO] = 0.5;
  g_assert_cmpfloat (lw_gemini_config_get_price (config, LW_GEMINI_TIER_PRO), ==, 0.5);
  /* Only the pro tier is asked for a size. */
  g_assert_cmpstr (lw_gemini_config_get_effective_size (config, LW_GEMINI_TIER_FAST), ==, "default");
  g_assert_cmpstr (lw_gemini_config_get_effective_size (config, LW_GEMINI_TIER_PRO), ==, "4K");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gemini/response/image", test_image);
  g_test_add_func ("/gemini/response/thought-and-image", test_thought_and_image);
  g_test_add_func ("/gemini/response/snake-case", test_snake_case);
  g_test_add_func ("/gemini/response/only-thought-images", test_only_thought_images);
  g_test_add_func ("/gemini/response/text-only", test_text_only);
  g_test_add_func ("/gemini/response/no-image-reason", test_no_image_reason);
  g_test_add_func ("/gemini/response/prompt-blocked", test_prompt_blocked);
  g_test_add_func ("/gemini/response/prompt-prohibited", test_prompt_prohibited);
  g_test_add_func ("/gemini/response/candidate-blocked", test_candidate_blocked);
  g_test_add_func ("/gemini/response/image-wins-over-reason", test_image_wins_over_reason);
  g_test_add_func ("/gemini/response/truncated", test_truncated);
  g_test_add_func ("/gemini/response/duration", test_duration);
  g_test_add_func ("/gemini/response/rate-limited", test_rate_limited);
  g_test_add_func ("/gemini/response/quota-per-day", test_quota_per_day);
  g_test_add_func ("/gemini/response/quota-reset-dst", test_quota_reset_dst);
  g_test_add_func ("/gemini/response/quota-limit-zero", test_quota_limit_zero);
  g_test_add_func ("/gemini/response/error-statuses", test_error_statuses);
  g_test_add_func ("/gemini/response/server-retry-info", test_server_retry_info);
  g_test_add_func ("/gemini/response/transport", test_transport);
  g_test_add_func ("/gemini/response/models", test_models);
  g_test_add_func ("/gemini/response/redact", test_redact);
  g_test_add_func ("/gemini/input/aspect-ratio", test_aspect_ratio);
  g_test_add_func ("/gemini/config/base-url", test_base_url);
  g_test_add_func ("/gemini/config/prices", test_config_prices);

  return g_test_run ();
}

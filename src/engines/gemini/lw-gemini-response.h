/* lw-gemini-response.h — what a Gemini answer means, as pure functions.
 *
 * No I/O, no clock read here: tests feed bodies and a "now", and get the
 * result or the classified LW_ENGINE_ERROR the engine would report.
 * The shapes are the REST API's (ai.google.dev/api/generate-content):
 *   {candidates:[{content:{parts:[…]}, finishReason}], promptFeedback:{blockReason}}
 *   {error:{code, status, message, details:[{"@type": …RetryInfo, retryDelay}, …]}}
 */
#pragma once

#include <gio/gio.h>

#include "lw-engine.h"

G_BEGIN_DECLS

/* A 200 answer of generateContent. The image is the last inline image part
 * of the first candidate that is not a `thought` (the pro tier's
 * interim images are thoughts); both inlineData and inline_data, mimeType
 * and mime_type are read. result->text is the model's non-thought text.
 * Errors: TRUNCATED (not JSON, cut short), SAFETY_BLOCKED (prompt or
 * candidate blocked; the reason in words), NO_IMAGE (the model's text in
 * the message). */
LwEngineResult *lw_gemini_parse_answer       (const char   *body,
                                              gsize         length,
                                              GError      **error);

/* A non-2xx answer, classified. model_id names the model in a 404;
 * now_us (Unix time, µs) dates a daily quota's reset. Never returns NULL. */
GError         *lw_gemini_parse_error        (guint         status,
                                              const char   *body,
                                              gsize         length,
                                              const char   *model_id,
                                              gint64        now_us);

/* A 3xx answer (redirects are never followed: the key would go with
 * them). OFFLINE, so the model's queue pauses and no photo fails or is
 * paid for: nothing can succeed until the base URL or the network is
 * fixed. location (may be NULL) is named by its origin only. */
GError         *lw_gemini_redirect_error     (guint         status,
                                              const char   *location);

/* A transport failure (libsoup, GIO, the resolver) as an engine error:
 * time-outs → TIMEOUT, resets and drops → NETWORK, no DNS or route →
 * OFFLINE, cancellation kept as G_IO_ERROR_CANCELLED. */
GError         *lw_gemini_error_from_transport (const GError *error);

/* google.protobuf.Duration in JSON ("12s", "1.5s", "0.250s") → ms; -1 when
 * text is not one. */
gint64          lw_gemini_parse_duration_ms  (const char   *text);

/* Next midnight in America/Los_Angeles after now_us (where Google's daily
 * quotas reset), as Unix µs. */
gint64          lw_gemini_next_quota_reset_us (gint64       now_us);

typedef struct {
  char     *id;             /* "gemini-3-pro-image" (without "models/") */
  char     *display_name;
  char     *description;
  gboolean  generate_content;
  gboolean  image_output;   /* by its name, display name or description */
} LwGeminiModelInfo;

void            lw_gemini_model_info_free    (LwGeminiModelInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwGeminiModelInfo, lw_gemini_model_info_free)

/* A page of GET /v1beta/models: every model (LwGeminiModelInfo), and the
 * next page's token (NULL on the last page). */
GPtrArray      *lw_gemini_parse_models       (const char   *body,
                                              gsize         length,
                                              char        **next_page_token,
                                              GError      **error);

/* Replaces every occurrence of secret in text (in place, same length is not
 * kept: returns a new string). NULL/empty secret: a copy. */
char           *lw_gemini_redact             (const char   *text,
                                              const char   *secret);

G_END_DECLS

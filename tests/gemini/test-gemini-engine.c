/* test-gemini-engine.c — the Gemini engine against the fake server, over
 * real HTTP on 127.0.0.1.
 *
 * The fake checks every request body like the API does (field names,
 * values, base64, that the image decodes), so a malformed body fails here;
 * its request counts show what reached it.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lw-gemini-body-stream.h"
#include "lw-gemini-input.h"
#include "lw-gemini-test-util.h"
#include "lw-test-util.h"

typedef struct {
  LwFakeGemini   *server;
  LwGeminiConfig *config;
  LwGeminiEngine *engine;
  char           *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->server = lw_test_fake_start ();
  f->config = lw_test_config_for (f->server, 10000);
  f->engine = lw_gemini_engine_new (f->config, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  f->dir = lw_test_make_tmpdir ("lw-gemini-engine");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->engine);
  lw_gemini_config_free (f->config);
  lw_fake_gemini_free (f->server);
  lw_test_rmtree (f->dir);
  g_free (f->dir);
}

static char *
fixture_photo (Fixture *f, const char *name)
{
  g_autofree char *src = g_build_filename (lw_test_fixtures_dir (), name, NULL);
  g_autofree char *contents = NULL;
  char *dest = g_build_filename (f->dir, name, NULL);
  gsize len = 0;

  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  lw_test_write_file (dest, contents, len);
  return dest;
}

static LwEngineResult *
run (Fixture *f, const char *path, const char *model, GError **error)
{
  g_autoptr(LwEngineRequest) request = lw_test_request_new (path, model, "Brighten the photo.");

  return lw_test_run_engine (LW_ENGINE (f->engine), request, NULL, error);
}

static LwFakeLogEntry *
last_log_entry (Fixture *f, GPtrArray **keep)
{
  *keep = lw_fake_gemini_dup_log (f->server);
  g_assert_cmpuint ((*keep)->len, >, 0);
  return g_ptr_array_index (*keep, (*keep)->len - 1);
}

/* The result is the original mirrored left-right and colour-inverted. */
static void
test_success_fast (Fixture *f, gconstpointer data)
{
  g_autofree char *path = fixture_photo (f, "orange.jpg");
  g_autofree char *sha = lw_test_file_sha256 (path);
  g_autofree char *result_sha = NULL;
  g_autoptr(GdkPixbuf) original = gdk_pixbuf_new_from_file (path, NULL);
  g_autoptr(LwEngineResult) result = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GError) error = NULL;
  LwFakeLogEntry *entry;

  result = run (f, path, "nano_banana", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->mime, ==, "image/png");
  /* An upright JPEG under the size limit goes out as it is: the result
   * names the original's own hash. */
  result_sha = lw_fake_gemini_result_sha256 (result->data);
  g_assert_cmpstr (result_sha, ==, sha);
  lw_test_assert_transform_of (result->data, original, 5, 2);
  g_assert_nonnull (strstr (result->text, sha));
  g_assert_cmpfloat (result->cost, ==, LW_GEMINI_DEFAULT_PRICE_FAST);

  g_assert_cmpuint (lw_fake_gemini_get_requests_for (f->server, sha), ==, 1);
  g_assert_cmpuint (lw_fake_gemini_get_delivered_for (f->server, sha), ==, 1);
  entry = last_log_entry (f, &log);
  g_assert_cmpstr (entry->model, ==, LW_GEMINI_DEFAULT_MODEL_FAST);
  /* Streamed: the body came chunked. */
  g_assert_true (entry->chunked);
  g_assert_cmpstr (entry->aspect_ratio, ==,
                   lw_gemini_nearest_aspect_ratio (gdk_pixbuf_get_width (original), gdk_pixbuf_get_height (original)));
  /* The fast tier is not asked for a size (it would answer 400). */
  g_assert_null (entry->image_size);
}

static void
test_success_pro_thought (Fixture *f, gconstpointer data)
{
  g_autofree char *path = fixture_photo (f, "grace_hopper.jpg");
  g_autofree char *sha = lw_test_file_sha256 (path);
  g_autofree char *result_sha = NULL;
  g_autoptr(GdkPixbuf) original = gdk_pixbuf_new_from_file (path, NULL);
  g_autoptr(LwEngineResult) result = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GError) error = NULL;
  LwFakeLogEntry *entry;

  result = run (f, path, "nano_banana_pro", &error);
  g_assert_no_error (error);
  /* Not the 16×16 magenta decoy from the thought part. */
  lw_test_assert_transform_of (result->data, original, 5, 2);
  result_sha = lw_fake_gemini_result_sha256 (result->data);
  g_assert_cmpstr (result_sha, ==, sha);
  g_assert_cmpfloat (result->cost, ==, LW_GEMINI_DEFAULT_PRICE_PRO);
  entry = last_log_entry (f, &log);
  g_assert_cmpstr (entry->model, ==, LW_GEMINI_DEFAULT_MODEL_PRO);
  g_assert_cmpstr (entry->image_size, ==, LW_GEMINI_DEFAULT_OUTPUT_SIZE);
}

static void
test_snake_case_answer (Fixture *f, gconstpointer data)
{
  g_autofree char *path = fixture_photo (f, "fruits.jpg");
  g_autoptr(LwEngineResult) result = NULL;
  g_autoptr(GError) error = NULL;

  lw_fake_gemini_set_snake_case (f->server, TRUE);
  result = run (f, path, "nano_banana_pro", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (result->data), >, 1000);
}

typedef struct {
  LwFakeFault  fault;
  int          code;
  gint64       min_delay_ms;   /* -1: no delay expected */
} FaultCase;

static void
test_faults (Fixture *f, gconstpointer data)
{
  const FaultCase cases[] = {
    { LW_FAKE_FAULT_RATE_LIMIT, LW_ENGINE_ERROR_RATE_LIMITED, 1500 },
    { LW_FAKE_FAULT_SERVER_500, LW_ENGINE_ERROR_SERVER, -1 },
    { LW_FAKE_FAULT_BAD_GATEWAY, LW_ENGINE_ERROR_SERVER, -1 },
    { LW_FAKE_FAULT_UNAVAILABLE, LW_ENGINE_ERROR_SERVER, -1 },
    { LW_FAKE_FAULT_DEADLINE, LW_ENGINE_ERROR_SERVER, -1 },
    { LW_FAKE_FAULT_DROP, LW_ENGINE_ERROR_NETWORK, -1 },
    { LW_FAKE_FAULT_TRUNCATED, LW_ENGINE_ERROR_TRUNCATED, -1 },
    { LW_FAKE_FAULT_SAFETY_PROMPT, LW_ENGINE_ERROR_SAFETY_BLOCKED, -1 },
    { LW_FAKE_FAULT_SAFETY_IMAGE, LW_ENGINE_ERROR_SAFETY_BLOCKED, -1 },
    { LW_FAKE_FAULT_TEXT_ONLY, LW_ENGINE_ERROR_NO_IMAGE, -1 },
    { LW_FAKE_FAULT_QUOTA_DAY, LW_ENGINE_ERROR_QUOTA_EXHAUSTED, 1 },
    { LW_FAKE_FAULT_QUOTA_ZERO, LW_ENGINE_ERROR_QUOTA_EXHAUSTED, -1 },
    { LW_FAKE_FAULT_BAD_KEY, LW_ENGINE_ERROR_AUTH, -1 },
    { LW_FAKE_FAULT_HANG, LW_ENGINE_ERROR_TIMEOUT, -1 },
  };
  g_autofree char *path = fixture_photo (f, "building.jpg");
  g_autofree char *sha = lw_test_file_sha256 (path);
  g_autoptr(LwGeminiEngine) quick = NULL;
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_copy (f->config);
  g_autoptr(GError) error = NULL;

  /* Short enough for the hang to be cheap, long enough for a photo. */
  config->timeout_ms[LW_GEMINI_TIER_FAST] = 1500;
  quick = lw_gemini_engine_new (config, LW_TEST_KEY, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LwEngineRequest) request = lw_test_request_new (path, "nano_banana", "Brighten the photo.");
      g_autoptr(LwEngineResult) result = NULL;
      g_autoptr(GError) fault_error = NULL;
      guint before = lw_fake_gemini_get_n_requests (f->server);
      guint delivered = lw_fake_gemini_get_delivered_for (f->server, sha);

      lw_fake_gemini_push_faults (f->server, &cases[i].fault, 1);
      result = lw_test_run_engine (LW_ENGINE (quick), request, NULL, &fault_error);
      g_test_message ("%s → %s: %s", lw_fake_fault_to_string (cases[i].fault),
                      lw_engine_error_code_to_string (fault_error), fault_error ? fault_error->message : "ok");
      g_assert_null (result);
      g_assert_error (fault_error, LW_ENGINE_ERROR, cases[i].code);
      /* One call per process_async: the engine never retries by itself. */
      g_assert_cmpuint (lw_fake_gemini_get_n_requests (f->server), ==, before + 1);
      g_assert_cmpuint (lw_fake_gemini_get_delivered_for (f->server, sha), ==, delivered);
      if (cases[i].min_delay_ms >= 0)
        g_assert_cmpint (lw_engine_error_get_retry_delay_ms (fault_error), >=, cases[i].min_delay_ms);
      else
        g_assert_cmpint (lw_engine_error_get_retry_delay_ms (fault_error), ==, -1);
      g_assert_null (strstr (fault_error->message, LW_TEST_KEY));
    }

  /* And after all that, the same photo goes through. */
  {
    g_autoptr(LwEngineRequest) request = lw_test_request_new (path, "nano_banana", "Brighten the photo.");
    g_autoptr(LwEngineResult) result = lw_test_run_engine (LW_ENGINE (quick), request, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (result);
    g_assert_cmpuint (lw_fake_gemini_get_delivered_for (f->server, sha), ==, 1);
  }
}

static void
test_wrong_key (Fixture *f, gconstpointer data)
{
  g_autofree char *path = fixture_photo (f, "orange.jpg");
  const char *wrong = "AIzaSyWRONG-key-that-must-not-leak-42";
  g_autoptr(LwGeminiEngine) engine = NULL;
  g_autoptr(LwEngineRequest) request = lw_test_request_new (path, "nano_banana", "Brighten.");
  g_autoptr(LwEngineResult) result = NULL;
  g_autoptr(GError) error = NULL;

  engine = lw_gemini_engine_new (f->config, wrong, &error);
  g_assert_no_error (error);
  result = lw_test_run_engine (LW_ENGINE (engine), request, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH);
  g_assert_cmpint (lw_engine_error_classify (error), ==, LW_ERROR_CLASS_PAUSE);
  g_assert_null (strstr (error->message, wrong));
  g_assert_cmpuint (lw_fake_gemini_get_n_status (f->server, 400), ==, 1);
}

static void
test_unknown_model (Fixture *f, gconstpointer data)
{
  g_autofree char *path = fixture_photo (f, "orange.jpg");
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_copy (f->config);
  g_autoptr(LwGeminiEngine) engine = NULL;
  g_autoptr(LwEngineRequest) request = lw_test_request_new (path, "nano_banana", "Brighten.");
  g_autoptr(LwEngineResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* A model id that was shut down. */
  g_free (config->model_id[LW_GEMINI_TIER_FAST]);
  config->model_id[LW_GEMINI_TIER_FAST] = g_strdup ("gemini-3.1-flash-image");
  engine = lw_gemini_engine_new (config, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  result = lw_test_run_engine (LW_ENGINE (engine), request, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_MODEL_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "gemini-3.1-flash-image"));
  g_assert_cmpint (lw_engine_error_classify (error), ==, LW_ERROR_CLASS_PAUSE);
}

static void
test_server_checks_body (Fixture *f, gconstpointer data)
{
  g_autofree char *path = fixture_photo (f, "orange.jpg");
  g_autoptr(LwEngineRequest) request = lw_test_request_new (path, "nano_banana_pro", "Brighten.");
  g_autoptr(LwEngineResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* A pro model that does not take imageSize: the body we send it is then
   * wrong, and the fake says so the way the API would. */
  lw_fake_gemini_clear_models (f->server);
  lw_fake_gemini_add_model (f->server, LW_GEMINI_DEFAULT_MODEL_PRO, "Picky", TRUE, FALSE);
  result = lw_test_run_engine (LW_ENGINE (f->engine), request, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "Image size"));
  g_assert_cmpint (lw_engine_error_classify (error), ==, LW_ERROR_CLASS_PERMANENT);
}

static void
test_raw_malformed (Fixture *f, gconstpointer data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *base = lw_fake_gemini_dup_base_url (f->server);
  const char *bodies[] = {
    "{\"contents\": [{\"parts\": [{\"inlineData\": {\"mimeType\": \"image/png\", \"data\": \"not base64!\"}}]}]}",
    "{\"contents\": [{\"parts\": [{\"inline_data\": {\"mime_type\": \"image/png\", \"data\": \"UE5HIQ==\"}}]}],"
    " \"generationConfig\": {\"imageConfig\": {\"aspectRatio\": \"7:5\"}}}",
    "{\"contents\": [{\"parts\": [{\"text\": \"hi\"}]}], \"generation_config\": {\"imageConfg\": {}}}",
    "{\"contents\": [{\"parts\": [{\"inlineData\": {\"mimeType\": \"image/png\", \"data\": \"UE5HIQ==\"}}]}]",
    "{\"prompt\": \"hi\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *url = g_strdup_printf ("%s/v1beta/models/%s:generateContent", base, LW_GEMINI_DEFAULT_MODEL_FAST);
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
      g_autoptr(GBytes) body = g_bytes_new_static (bodies[i], strlen (bodies[i]));
      g_autoptr(GBytes) answer = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) classified = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "x-goog-api-key", LW_TEST_KEY);
      soup_message_set_request_body_from_bytes (msg, "application/json", body);
      answer = soup_session_send_and_read (session, msg, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, 400);
      classified = lw_gemini_parse_error (400, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                                          LW_GEMINI_DEFAULT_MODEL_FAST, g_get_real_time ());
      g_test_message ("%s", classified->message);
      g_assert_error (classified, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST);
    }
}

static void
test_rpm_quota (Fixture *f, gconstpointer data)
{
  g_autofree char *path = fixture_photo (f, "orange.jpg");
  g_autoptr(GError) error = NULL;

  lw_fake_gemini_set_rpm (f->server, 2);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(LwEngineResult) result = run (f, path, "nano_banana", &error);

      g_assert_no_error (error);
    }
  {
    g_autoptr(LwEngineResult) result = run (f, path, "nano_banana", &error);

    g_assert_null (result);
    g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_RATE_LIMITED);
    /* "Come back when the window frees up": most of a minute. */
    g_assert_cmpint (lw_engine_error_get_retry_delay_ms (error), >, 50000);
    g_assert_cmpint (lw_engine_error_get_retry_delay_ms (error), <=, 60000);
  }
}

static void
test_downscale_orientation (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "turned.jpg", NULL);
  g_autofree char *sha = NULL;
  g_autofree char *result_sha = NULL;
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_copy (f->config);
  g_autoptr(LwGeminiEngine) engine = NULL;
  g_autoptr(LwEngineRequest) request = NULL;
  g_autoptr(LwEngineResult) result = NULL;
  g_autoptr(GdkPixbuf) out = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GError) error = NULL;
  LwFakeLogEntry *entry;

  /* Stored 3000×2000 landscape, EXIF 6 (turn 90° clockwise to view):
   * upright it is 2000×3000 portrait; its stored top-left red square is
   * then at the top-right. */
  lw_test_make_jpeg (path, 3000, 2000, 7, 6, 95);
  sha = lw_test_file_sha256 (path);
  /* 4K so the fake does not shrink the result: its size is what we sent. */
  g_free (config->output_size);
  config->output_size = g_strdup ("4K");
  engine = lw_gemini_engine_new (config, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  request = lw_test_request_new (path, "nano_banana_pro", "Brighten.");
  g_assert_cmpint (request->orientation, ==, 6);
  result = lw_test_run_engine (LW_ENGINE (engine), request, NULL, &error);
  g_assert_no_error (error);

  out = lw_test_decode (result->data);
  g_assert_cmpint (gdk_pixbuf_get_width (out), ==, 1365);
  g_assert_cmpint (gdk_pixbuf_get_height (out), ==, 2048);
  /* Upright top-right red, mirrored to the top-left, inverted to cyan. */
  g_assert_true (lw_test_colour_near (lw_test_pixel (out, 20, 20), 0xffffff ^ 0xe61414, 40));
  /* Re-encoded, so not the original's bytes. */
  result_sha = lw_fake_gemini_result_sha256 (result->data);
  g_assert_cmpstr (result_sha, !=, sha);
  entry = last_log_entry (f, &log);
  g_assert_cmpstr (entry->aspect_ratio, ==, "2:3");
  g_assert_cmpstr (entry->image_size, ==, "4K");
}

static void
test_png_inputs (Fixture *f, gconstpointer data)
{
  g_autofree char *opaque = g_build_filename (f->dir, "opaque.png", NULL);
  g_autofree char *cutout = g_build_filename (f->dir, "cutout.png", NULL);
  g_autoptr(GError) error = NULL;

  lw_test_make_png (opaque, 900, 600, 3, FALSE);
  lw_test_make_png (cutout, 600, 600, 4, TRUE);
  {
    g_autofree char *sha = lw_test_file_sha256 (opaque);
    g_autoptr(LwEngineResult) result = run (f, opaque, "nano_banana", &error);
    g_autofree char *sent = NULL;
    g_autoptr(GPtrArray) log = NULL;
    LwFakeLogEntry *entry;

    g_assert_no_error (error);
    /* A noisy PNG is larger than its q92 JPEG: the JPEG went. */
    sent = lw_fake_gemini_result_sha256 (result->data);
    g_assert_cmpstr (sent, !=, sha);
    entry = last_log_entry (f, &log);
    g_assert_cmpuint (entry->body_bytes, <, g_bytes_get_size (result->data));
  }
  {
    g_autofree char *sha = lw_test_file_sha256 (cutout);
    g_autoptr(LwEngineResult) result = run (f, cutout, "nano_banana", &error);
    g_autofree char *sent = NULL;

    g_assert_no_error (error);
    /* Transparency would not survive JPEG: the original PNG went. */
    sent = lw_fake_gemini_result_sha256 (result->data);
    g_assert_cmpstr (sent, ==, sha);
  }
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autofree char *path = fixture_photo (f, "orange.jpg");
  g_autoptr(LwEngineRequest) request = lw_test_request_new (path, "nano_banana", "Brighten.");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LwEngineResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  lw_fake_gemini_set_latency (f->server, 5000, 0);
  g_timeout_add (200, cancel_cb, cancellable);
  result = lw_test_run_engine (LW_ENGINE (f->engine), request, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
}

static void
test_connection_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *path = fixture_photo (f, "orange.jpg");
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_copy (f->config);
  g_autoptr(LwGeminiEngine) engine = NULL;
  g_autoptr(LwEngineRequest) request = lw_test_request_new (path, "nano_banana", "Brighten.");
  g_autoptr(LwEngineResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);

  /* A port that was free a moment ago and has nobody listening. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, TRUE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_free (config->base_url);
  config->base_url = g_strdup_printf ("http://127.0.0.1:%u",
                                      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  engine = lw_gemini_engine_new (config, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  result = lw_test_run_engine (LW_ENGINE (engine), request, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_NETWORK);
  g_assert_null (strstr (error->message, LW_TEST_KEY));
}

static void
test_bad_input (Fixture *f, gconstpointer data)
{
  g_autofree char *path = fixture_photo (f, "orange.jpg");
  g_autoptr(LwEngineRequest) request = lw_test_request_new (path, "nano_banana", "Brighten.");
  g_autoptr(LwEngineResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* The blob vanished between ingest and send. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  result = lw_test_run_engine (LW_ENGINE (f->engine), request, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT);
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (f->server), ==, 0);
}

static void
test_refuse_plain_http (void)
{
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_default ();
  g_autoptr(LwGeminiEngine) engine = NULL;
  g_autoptr(GError) error = NULL;

  g_free (config->base_url);
  /* Any host but loopback; .invalid never resolves, and nothing is sent. */
  config->base_url = g_strdup ("http://gemini.example.invalid");
  engine = lw_gemini_engine_new (config, LW_TEST_KEY, &error);
  g_assert_null (engine);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST);
  g_assert_null (strstr (error->message, LW_TEST_KEY));
}

static void
test_signature_and_cost (Fixture *f, gconstpointer data)
{
  g_autoptr(LwGeminiConfig) other = lw_gemini_config_copy (f->config);
  g_autoptr(LwGeminiEngine) engine2 = NULL;
  g_autofree char *fast = lw_engine_dup_signature (LW_ENGINE (f->engine), "nano_banana");
  g_autofree char *pro = lw_engine_dup_signature (LW_ENGINE (f->engine), "nano_banana_pro");
  g_autofree char *fast2 = NULL;
  g_autofree char *pro2 = NULL;
  g_autofree char *edge2 = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (fast, !=, pro);
  g_assert_nonnull (strstr (fast, LW_GEMINI_DEFAULT_MODEL_FAST));
  g_assert_nonnull (strstr (pro, LW_GEMINI_DEFAULT_MODEL_PRO));
  g_assert_null (strstr (fast, LW_TEST_KEY));
  g_free (other->output_size);
  other->output_size = g_strdup ("4K");
  engine2 = lw_gemini_engine_new (other, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  fast2 = lw_engine_dup_signature (LW_ENGINE (engine2), "nano_banana");
  pro2 = lw_engine_dup_signature (LW_ENGINE (engine2), "nano_banana_pro");
  /* The size is only sent to the pro tier. */
  g_assert_cmpstr (fast2, ==, fast);
  g_assert_cmpstr (pro2, !=, pro);
  g_assert_cmpfloat (lw_engine_get_cost (LW_ENGINE (engine2), "nano_banana_pro"), ==, LW_GEMINI_DEFAULT_PRICE_PRO_4K);
  g_clear_object (&engine2);
  other->max_input_edge = 1024;
  engine2 = lw_gemini_engine_new (other, LW_TEST_KEY, &error);
  edge2 = lw_engine_dup_signature (LW_ENGINE (engine2), "nano_banana");
  g_assert_cmpstr (edge2, !=, fast);
  g_assert_cmpstr (lw_engine_get_name (LW_ENGINE (f->engine)), ==, "gemini");
}

typedef struct {
  gboolean   done;
  GPtrArray *models;
  GError    *error;
} ListRun;

static void
list_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ListRun *run = user_data;

  run->models = lw_gemini_engine_list_models_finish (LW_GEMINI_ENGINE (source), result, &run->error);
  run->done = TRUE;
}

static void
test_list_models (Fixture *f, gconstpointer data)
{
  ListRun run = { FALSE, NULL, NULL };
  guint n_image = 0;

  lw_gemini_engine_list_models_async (f->engine, NULL, list_done_cb, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.models->len, ==, 4);
  for (guint i = 0; i < run.models->len; i++)
    {
      LwGeminiModelInfo *info = g_ptr_array_index (run.models, i);

      if (info->image_output)
        {
          n_image++;
          g_assert_true (g_str_equal (info->id, LW_GEMINI_DEFAULT_MODEL_FAST) ||
                         g_str_equal (info->id, LW_GEMINI_DEFAULT_MODEL_PRO));
        }
    }
  g_assert_cmpuint (n_image, ==, 2);
  g_ptr_array_unref (run.models);
}

static void
test_body_stream (void)
{
  g_autoptr(GByteArray) image = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *expected_b64 = NULL;
  g_autofree char *head = NULL;
  g_autofree char *tail = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  const gsize image_len = 3 * 1000 * 1000 + 2;   /* not a multiple of 3 */
  char buffer[7001];

  for (gsize i = 0; i < image_len; i++)
    {
      guint8 byte = (guint8) g_rand_int (rand);

      g_byte_array_append (image, &byte, 1);
    }
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&image));
  expected_b64 = g_base64_encode (g_bytes_get_data (bytes, NULL), image_len);
  g_assert_true (lw_gemini_body_split ("{\"data\": \"@@X@@\", \"text\": \"@@X@@\"}", "@@X@@", &head, &tail));
  g_assert_cmpstr (head, ==, "{\"data\": \"");
  g_assert_cmpstr (tail, ==, "\", \"text\": \"@@X@@\"}");

  stream = lw_gemini_body_stream_new (head, bytes, tail);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      /* Odd read sizes cross every boundary at some point. */
      gssize n = g_input_stream_read (stream, buffer, 1 + out->len % 7000, NULL, &error);

      g_assert_no_error (error);
      if (n == 0)
        break;
      g_string_append_len (out, buffer, n);
    }
  g_assert_cmpuint (out->len, ==, lw_gemini_body_stream_get_length (LW_GEMINI_BODY_STREAM (stream)));
  g_assert_true (g_str_has_prefix (out->str, head));
  g_assert_true (g_str_has_suffix (out->str, tail));
  g_assert_cmpuint (out->len - strlen (head) - strlen (tail), ==, strlen (expected_b64));
  g_assert_cmpint (memcmp (out->str + strlen (head), expected_b64, strlen (expected_b64)), ==, 0);
  /* Memory: the base64 never existed whole inside the stream. */
  g_assert_cmpuint (lw_gemini_body_stream_get_peak_buffer (LW_GEMINI_BODY_STREAM (stream)), <=, 70 * 1024);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/gemini/engine/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("success-fast", test_success_fast);
  ADD ("success-pro-thought", test_success_pro_thought);
  ADD ("snake-case-answer", test_snake_case_answer);
  ADD ("faults", test_faults);
  ADD ("wrong-key", test_wrong_key);
  ADD ("unknown-model", test_unknown_model);
  ADD ("server-checks-body", test_server_checks_body);
  ADD ("raw-malformed", test_raw_malformed);
  ADD ("rpm-quota", test_rpm_quota);
  ADD ("downscale-orientation", test_downscale_orientation);
  ADD ("png-inputs", test_png_inputs);
  ADD ("cancel", test_cancel);
  ADD ("connection-refused", test_connection_refused);
  ADD ("bad-input", test_bad_input);
  ADD ("signature-and-cost", test_signature_and_cost);
  ADD ("list-models", test_list_models);
#undef ADD
  g_test_add_func ("/gemini/engine/refuse-plain-http", test_refuse_plain_http);
  g_test_add_func ("/gemini/engine/body-stream", test_body_stream);

  return g_test_run ();
}

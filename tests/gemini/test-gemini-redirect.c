/* test-gemini-redirect.c — the API key never follows a redirect.
 *
 * Two real HTTP servers on 127.0.0.1: the first (the configured base URL)
 * answers every request with a 3xx pointing at the second, another origin
 * (another port). The engine must not go there at all — the second server
 * must see no request and so never the key — and must report the redirect
 * as a pause (OFFLINE) naming where it pointed, with no key in the words.
 */
#include "config.h"

#include <libsoup/soup.h>

#include "lw-gemini-test-util.h"
#include "lw-test-util.h"

typedef struct {
  SoupServer *server;
  guint       status;        /* what the first server answers */
  char       *location;      /* where it points */
  guint       requests;
  guint       requests_with_key;
  char       *first_path;
} Origin;

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Origin *origin = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);

  origin->requests++;
  if (soup_message_headers_get_one (request_headers, "x-goog-api-key") != NULL)
    origin->requests_with_key++;
  if (origin->first_path == NULL)
    origin->first_path = g_strdup (path);
  if (origin->location != NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", origin->location);
      soup_server_message_set_status (msg, origin->status, NULL);
    }
  else
    {
      /* What a catch-all would answer: an empty 200, so that a request that
       * got here would not fail for another reason. */
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
    }
}

static void
origin_start (Origin *origin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);

  origin->server = soup_server_new ("server-header", "redirect-test", NULL);
  soup_server_add_handler (origin->server, NULL, handler_cb, origin, NULL);
  /* soup_server_listen_local and soup_server_get_uris leak addresses in
   * libsoup 3.2 (see tests/fake-gemini): listen on 127.0.0.1 by hand. */
  g_assert_true (soup_server_listen (origin->server, address, 0, &error));
  g_assert_no_error (error);
}

/* "http://127.0.0.1:<port>" of the listener. */
static char *
origin_url (Origin *origin)
{
  GSList *listeners = soup_server_get_listeners (origin->server);
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *host = NULL;
  char *url;

  g_assert_nonnull (listeners);
  local = g_socket_get_local_address (listeners->data, NULL);
  g_slist_free (listeners);
  g_assert_nonnull (local);
  host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
  g_assert_cmpstr (host, ==, "127.0.0.1");
  url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  return url;
}

static void
origin_clear (Origin *origin)
{
  soup_server_disconnect (origin->server);
  /* The client's closed connections and the listener's sources go in
   * idle callbacks: let them run, or they keep the listener alive. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (origin->server);
  g_free (origin->location);
  g_free (origin->first_path);
}

static LwGeminiEngine *
engine_for (const char *base_url)
{
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_default ();
  g_autoptr(GError) error = NULL;
  LwGeminiEngine *engine;

  g_free (config->base_url);
  config->base_url = g_strdup (base_url);
  config->timeout_ms[LW_GEMINI_TIER_FAST] = config->timeout_ms[LW_GEMINI_TIER_PRO] = 10000;
  config->connect_timeout_ms = 5000;
  engine = lw_gemini_engine_new (config, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  return engine;
}

static void
check_refused (const GError *error, guint status, const char *second_url)
{
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE);
  g_assert_nonnull (strstr (error->message, second_url));
  g_assert_nonnull (strstr (error->message, "redirect"));
  g_assert_null (strstr (error->message, LW_TEST_KEY));
  /* Only the origin: the path (which could carry a token) is not repeated. */
  g_assert_null (strstr (error->message, "/elsewhere"));
  {
    g_autofree char *code = g_strdup_printf ("%u", status);

    g_assert_nonnull (strstr (error->message, code));
  }
}

typedef struct {
  gboolean   done;
  GPtrArray *models;
  GError    *error;
} ListRun;

static void
listed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ListRun *run = user_data;

  run->models = lw_gemini_engine_list_models_finish (LW_GEMINI_ENGINE (source), result, &run->error);
  run->done = TRUE;
}

/* Every redirect status, on both calls that carry the key: generating an
 * image (POST with a body; 307/308 would resend it) and listing models. */
static void
test_no_redirect_with_key (void)
{
  static const guint statuses[] = { 301, 302, 303, 307, 308 };
  g_autofree char *dir = lw_test_make_tmpdir ("lw-redirect");
  g_autofree char *photo = g_build_filename (dir, "photo.jpg", NULL);

  lw_test_make_jpeg (photo, 320, 240, 7, 1, 90);
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      Origin first = { 0 }, second = { 0 };
      g_autofree char *first_url = NULL;
      g_autofree char *second_url = NULL;
      g_autoptr(LwGeminiEngine) engine = NULL;
      g_autoptr(LwEngineRequest) request = NULL;
      g_autoptr(LwEngineResult) result = NULL;
      g_autoptr(GError) error = NULL;
      ListRun run = { FALSE, NULL, NULL };

      origin_start (&second);
      origin_start (&first);
      second_url = origin_url (&second);
      first_url = origin_url (&first);
      g_assert_cmpstr (first_url, !=, second_url);
      first.status = statuses[i];
      first.location = g_strconcat (second_url, "/elsewhere/v1beta/models", NULL);
      engine = engine_for (first_url);

      request = lw_test_request_new (photo, "nano_banana", "Make it brighter");
      result = lw_test_run_engine (LW_ENGINE (engine), request, NULL, &error);
      g_assert_null (result);
      check_refused (error, statuses[i], second_url);
      /* The configured origin got the one request (with the key: it is
       * the address the user set), and no second try. */
      g_assert_cmpuint (first.requests, ==, 1);
      g_assert_cmpuint (first.requests_with_key, ==, 1);
      g_assert_nonnull (strstr (first.first_path, ":generateContent"));

      lw_gemini_engine_list_models_async (engine, NULL, listed_cb, &run);
      while (!run.done)
        g_main_context_iteration (NULL, TRUE);
      g_assert_null (run.models);
      check_refused (run.error, statuses[i], second_url);
      g_clear_error (&run.error);
      g_assert_cmpuint (first.requests, ==, 2);

      /* The other origin never saw anything, let alone the key. */
      g_assert_cmpuint (second.requests, ==, 0);
      g_assert_cmpuint (second.requests_with_key, ==, 0);

      g_clear_object (&engine);
      origin_clear (&first);
      origin_clear (&second);
    }
  lw_test_rmtree (dir);
}

/* The words without a usable Location: no origin, still the status. */
static void
test_redirect_error_words (void)
{
  g_autoptr(GError) relative = lw_gemini_redirect_error (302, "/login?token=secret");
  g_autoptr(GError) none = lw_gemini_redirect_error (301, NULL);
  g_autoptr(GError) other = lw_gemini_redirect_error (307, "https://example.test:8443/x?token=secret");

  g_assert_error (relative, LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE);
  g_assert_null (strstr (relative->message, "secret"));
  g_assert_nonnull (strstr (relative->message, "302"));
  g_assert_error (none, LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE);
  g_assert_nonnull (strstr (none->message, "301"));
  g_assert_nonnull (strstr (other->message, "https://example.test:8443"));
  g_assert_null (strstr (other->message, "secret"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gemini/redirect/no-redirect-with-key", test_no_redirect_with_key);
  g_test_add_func ("/gemini/redirect/error-words", test_redirect_error_words);
  return g_test_run ();
}

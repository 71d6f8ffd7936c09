/* test-gemini-cli.c — "lightwork-cli key" and "models", with a real
 * (file-backed) libsecret keyring, a real data folder and the fake server.
 *
 * The key is fed on standard input like a person would; afterwards it must
 * be in the keyring only: not in any file under the data folder, not in
 * what the commands printed.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "lw-cli-private.h"
#include "lw-core.h"
#include "lw-engines.h"
#include "lw-gemini-key.h"
#include "lw-gemini-test-util.h"
#include "lw-test-util.h"

static char         *tmpdir;
static char         *data_dir;
static char         *keyring_path;
static LwFakeGemini *server;
static GString      *out;
static GString      *err;
/* Everything printed by every command, for the final search for the key. */
static GString      *all_output;

static void
print_cb (const char *text)
{
  g_string_append (out, text);
  g_string_append (all_output, text);
}

static void
printerr_cb (const char *text)
{
  g_string_append (err, text);
  g_string_append (all_output, text);
}

/* Runs "lightwork-cli <args>" in-process with stdin_text on standard input. */
static int
run_cli (const char *stdin_text, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  GPrintFunc old_print, old_printerr;
  int saved_stdin = -1;
  int status;
  va_list ap;

  va_start (ap, stdin_text);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_string_truncate (out, 0);
  g_string_truncate (err, 0);
  /* Only while the command runs: test failures must still reach stderr. */
  old_print = g_set_print_handler (print_cb);
  old_printerr = g_set_printerr_handler (printerr_cb);
  if (stdin_text != NULL)
    {
      int fds[2];

      g_assert_cmpint (pipe (fds), ==, 0);
      g_assert_cmpint (write (fds[1], stdin_text, strlen (stdin_text)), ==, (gssize) strlen (stdin_text));
      close (fds[1]);
      saved_stdin = dup (STDIN_FILENO);
      dup2 (fds[0], STDIN_FILENO);
      close (fds[0]);
    }
  if (g_str_equal (args->pdata[0], "key"))
    status = lw_cli_cmd_key ((int) args->len - 1, (char **) args->pdata);
  else
    status = lw_cli_cmd_models ((int) args->len - 1, (char **) args->pdata);
  if (saved_stdin >= 0)
    {
      dup2 (saved_stdin, STDIN_FILENO);
      close (saved_stdin);
    }
  g_set_print_handler (old_print);
  g_set_printerr_handler (old_printerr);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", status, out->str, err->str);
  return status;
}

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  for (gsize i = 0; i + strlen (needle) <= len; i++)
    if (memcmp (contents + i, needle, strlen (needle)) == 0)
      return TRUE;
  return FALSE;
}

static guint
search_tree (const char *path, const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint hits = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        hits += search_tree (child, needle);
      else if (file_contains (child, needle))
        hits++;
    }
  return hits;
}

static void
test_no_key (void)
{
  g_assert_cmpint (run_cli (NULL, "key", "test", NULL), ==, LW_CLI_EXIT_ERROR);
  g_assert_nonnull (strstr (err->str, "key set"));
  g_assert_cmpint (run_cli (NULL, "models", NULL), ==, LW_CLI_EXIT_ERROR);
  {
    g_autoptr(LwCore) core = lw_core_open (data_dir, NULL, NULL);
    g_autofree char *model = lw_engines_default_model (lw_core_get_store (core));
    g_autoptr(GError) error = NULL;
    g_autoptr(LwEngine) engine = lw_engines_create (lw_core_get_store (core), "nano_banana", &error);

    /* No key: a new job gets the local engine; Gemini says what is missing. */
    g_assert_cmpstr (model, ==, "local");
    g_assert_null (engine);
    g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH);
  }
}

static void
test_set_rejects_arguments_and_blank (void)
{
  /* On the command line it would stay in the shell history. */
  g_assert_cmpint (run_cli (NULL, "key", "set", LW_TEST_KEY, NULL), ==, LW_CLI_EXIT_ERROR);
  g_assert_cmpint (run_cli ("   \n", "key", "set", NULL), ==, LW_CLI_EXIT_ERROR);
  g_assert_cmpint (run_cli ("two words\n", "key", "set", NULL), ==, LW_CLI_EXIT_ERROR);
  g_assert_false (lw_gemini_key_is_configured ());
}

static void
test_set_and_test (void)
{
  LwGeminiKeySource source;
  char *key;

  g_assert_cmpint (run_cli ("  " LW_TEST_KEY "  \n", "key", "set", NULL), ==, LW_CLI_EXIT_OK);
  g_assert_true (g_file_test (keyring_path, G_FILE_TEST_EXISTS));
  /* The file keyring is encrypted: the key is not in it as text. */
  g_assert_false (file_contains (keyring_path, LW_TEST_KEY));
  key = lw_gemini_key_lookup (&source, NULL, NULL);
  g_assert_cmpstr (key, ==, LW_TEST_KEY);
  g_assert_cmpint (source, ==, LW_GEMINI_KEY_FROM_KEYRING);
  lw_secret_free (key);

  g_assert_cmpint (run_cli (NULL, "key", "test", NULL), ==, LW_CLI_EXIT_OK);
  g_assert_nonnull (strstr (out->str, "works"));
  g_assert_nonnull (strstr (out->str, "2 image models"));
  /* One cheap call: GET /v1beta/models, no generation. */
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (server), ==, 0);

  {
    g_autoptr(LwCore) core = lw_core_open (data_dir, NULL, NULL);
    g_autofree char *model = lw_engines_default_model (lw_core_get_store (core));
    g_autoptr(GError) error = NULL;
    g_autoptr(LwEngine) engine = lw_engines_create (lw_core_get_store (core), "nano_banana_pro", &error);

    g_assert_cmpstr (model, ==, "nano_banana");
    g_assert_no_error (error);
    g_assert_cmpstr (lw_engine_get_name (engine), ==, "gemini");
  }
}

static void
test_models_json (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *aliases;
  JsonArray *models;

  g_assert_cmpint (run_cli (NULL, "models", "--json", NULL), ==, LW_CLI_EXIT_OK);
  g_assert_true (json_parser_load_from_data (parser, out->str, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  models = json_object_get_array_member (root, "models");
  /* The fake lists four; a text model and Imagen are not image models here. */
  g_assert_cmpuint (json_array_get_length (models), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *m = json_array_get_object_element (models, i);
      const char *id = json_object_get_string_member (m, "id");
      const char *alias = json_object_get_string_member (m, "alias");

      if (g_str_equal (id, "gemini-3-pro-image"))
        g_assert_cmpstr (alias, ==, "nano_banana_pro");
      else
        g_assert_cmpstr (alias, ==, "nano_banana");
    }
  aliases = json_object_get_object_member (root, "aliases");
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (aliases, "nano_banana"),
                                                 "available"));
}

static void
test_models_use (void)
{
  g_autoptr(LwCore) core = NULL;
  g_autofree char *value = NULL;

  lw_fake_gemini_add_model (server, "gemini-nano-banana-3", "Nano Banana 3", FALSE, FALSE);
  g_assert_cmpint (run_cli (NULL, "models", "use", "nano_banana", "gemini-not-there", NULL), ==,
                   LW_CLI_EXIT_ERROR);
  g_assert_cmpint (run_cli (NULL, "models", "use", "nano_banana", "gemini-nano-banana-3", NULL), ==,
                   LW_CLI_EXIT_OK);
  core = lw_core_open (data_dir, NULL, NULL);
  value = lw_store_get_setting (lw_core_get_store (core), "model.nano_banana.id");
  g_assert_cmpstr (value, ==, "gemini-nano-banana-3");
  g_assert_cmpint (run_cli (NULL, "models", NULL), ==, LW_CLI_EXIT_OK);
  g_assert_nonnull (strstr (out->str, "gemini-nano-banana-3"));
  /* Back to the default for the next tests. */
  g_assert_true (lw_store_set_setting (lw_core_get_store (core), "model.nano_banana.id", NULL, NULL));
}

static void
test_wrong_key (void)
{
  lw_fake_gemini_set_key (server, "AIzaSySOMETHING-else-entirely");
  g_assert_cmpint (run_cli (NULL, "key", "test", NULL), ==, LW_CLI_EXIT_ERROR);
  g_assert_nonnull (strstr (err->str, "does not work"));
  g_assert_null (strstr (err->str, LW_TEST_KEY));
  lw_fake_gemini_set_key (server, LW_TEST_KEY);
}

static void
test_env_wins (void)
{
  const char *env_key = "AIzaSyENVIRONMENT-key-0987654321";

  lw_fake_gemini_set_key (server, env_key);
  g_setenv ("GEMINI_API_KEY", env_key, TRUE);
  g_assert_cmpint (run_cli (NULL, "key", "test", NULL), ==, LW_CLI_EXIT_OK);
  g_assert_nonnull (strstr (out->str, "GEMINI_API_KEY"));
  g_assert_null (strstr (all_output->str, env_key));
  g_setenv ("GEMINI_API_KEY", "", TRUE);
  lw_fake_gemini_set_key (server, LW_TEST_KEY);
}

static void
test_delete (void)
{
  g_assert_cmpint (run_cli (NULL, "key", "delete", NULL), ==, LW_CLI_EXIT_OK);
  g_assert_nonnull (strstr (out->str, "Removed"));
  g_assert_false (lw_gemini_key_is_configured ());
  g_assert_cmpint (run_cli (NULL, "key", "delete", NULL), ==, LW_CLI_EXIT_OK);
  g_assert_nonnull (strstr (out->str, "No key"));
  g_assert_cmpint (run_cli (NULL, "key", "test", NULL), ==, LW_CLI_EXIT_ERROR);
}

static void
test_key_nowhere (void)
{
  /* After all the above: the data folder (database, WAL, blobs) and every
   * line printed are free of the key. */
  g_assert_true (g_file_test (data_dir, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (lw_test_count_files (data_dir), >, 0);
  g_assert_cmpuint (search_tree (data_dir, LW_TEST_KEY), ==, 0);
  g_assert_null (strstr (all_output->str, LW_TEST_KEY));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  int status;

  tmpdir = lw_test_make_tmpdir ("lw-gemini-cli");
  data_dir = g_build_filename (tmpdir, "data", NULL);
  keyring_path = g_build_filename (tmpdir, "keyring", NULL);
  /* A real libsecret store in a file, no D-Bus (docs/ARCHITECTURE.md,
   * "Platform facts"); set before libsecret first runs. */
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring_path, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "lightwork-test", TRUE);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_setenv ("LIGHTWORK_DATA_DIR", data_dir, TRUE);
  g_setenv ("GEMINI_API_KEY", "", TRUE);

  g_test_init (&argc, &argv, NULL);
  out = g_string_new (NULL);
  err = g_string_new (NULL);
  all_output = g_string_new (NULL);
  server = lw_test_fake_start ();
  base = lw_fake_gemini_dup_base_url (server);
  g_setenv ("LIGHTWORK_GEMINI_BASE_URL", base, TRUE);

  /* In order: each step starts from where the last one left the keyring. */
  g_test_add_func ("/gemini/cli/no-key", test_no_key);
  g_test_add_func ("/gemini/cli/set-rejects-arguments-and-blank", test_set_rejects_arguments_and_blank);
  g_test_add_func ("/gemini/cli/set-and-test", test_set_and_test);
  g_test_add_func ("/gemini/cli/models-json", test_models_json);
  g_test_add_func ("/gemini/cli/models-use", test_models_use);
  g_test_add_func ("/gemini/cli/wrong-key", test_wrong_key);
  g_test_add_func ("/gemini/cli/env-wins", test_env_wins);
  g_test_add_func ("/gemini/cli/delete", test_delete);
  g_test_add_func ("/gemini/cli/key-nowhere", test_key_nowhere);
  status = g_test_run ();

  lw_fake_gemini_free (server);
  lw_test_rmtree (tmpdir);
  g_string_free (out, TRUE);
  g_string_free (err, TRUE);
  g_string_free (all_output, TRUE);
  g_free (tmpdir);
  g_free (data_dir);
  g_free (keyring_path);
  return status;
}

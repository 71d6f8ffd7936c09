/* lw-cli-gemini.c — "key set|test|delete" and "models": the Gemini key and
 * the image models it can use.
 *
 * The key is read from standard input (never from the command line, where
 * ps and the shell history would see it) and printed nowhere.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lw-cli-private.h"
#include "lw-core.h"
#include "lw-gemini-engine.h"
#include "lw-gemini-key.h"
#include "lw-models.h"
#include "lw-settings.h"

/* An API key is 39 characters; a line longer than this is not one. */
#define MAX_KEY_LINE 1024


static gboolean
wants_help (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
      return TRUE;
  return FALSE;
}

/* Settings live in the data folder's database; without one (a first run
 * that only sets a key) the defaults and the environment still apply. */
static LwGeminiConfig *
load_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = lw_core_open (NULL, NULL, &error);

  if (core == NULL)
    {
      g_debug ("No data folder (%s); using the default Gemini settings", error->message);
      return lw_gemini_config_new_from_store (NULL);
    }
  return lw_gemini_config_new_from_store (lw_core_get_store (core));
}

/* ---- reading the key ---------------------------------------------------- */

/* One line from fd, without its newline, into locked memory; NULL at EOF
 * before any byte. Unbuffered reads: nothing of the key is left behind in
 * a stdio buffer. */
static char *
read_secret_line (int fd, GError **error)
{
  char buffer[MAX_KEY_LINE + 1];
  gsize len = 0;
  gboolean got_any = FALSE;
  char *line;

  for (;;)
    {
      char c;
      ssize_t n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          explicit_bzero (buffer, sizeof buffer);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("cannot read the key: %s"), g_strerror (saved));
          return NULL;
        }
      if (n == 0 || c == '\n')
        {
          got_any = got_any || n > 0;
          break;
        }
      got_any = TRUE;
      if (len < MAX_KEY_LINE)
        buffer[len++] = c;
    }
  buffer[len] = '\0';
  if (!got_any)
    return NULL;
  line = lw_secret_strdup (g_strstrip (buffer));
  explicit_bzero (buffer, sizeof buffer);
  return line;
}

static char *
read_key_from_stdin (GError **error)
{
  struct termios saved, quiet;
  gboolean terminal = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
  char *key;

  if (terminal)
    {
      /* Typed or pasted, the key must not appear on the screen. */
      fprintf (stderr, "%s", _("Gemini API key (input hidden): "));
      fflush (stderr);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      quiet.c_lflag |= ECHONL;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  key = read_secret_line (STDIN_FILENO, error);
  if (terminal)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  return key;
}

static gboolean
looks_like_a_key (const char *key)
{
  if (key == NULL || *key == '\0')
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p))
      return FALSE;
  return TRUE;
}

/* ---- running an engine call --------------------------------------------- */

typedef struct {
  GMainLoop *loop;
  GPtrArray *models;
  GError    *error;
} ListRun;

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ListRun *run = user_data;

  run->models = lw_gemini_engine_list_models_finish (LW_GEMINI_ENGINE (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

/* Every model the key may use (one cheap GET per page), or NULL. */
static GPtrArray *
list_models (const LwGeminiConfig *config, const char *key, GError **error)
{
  g_autoptr(LwGeminiEngine) engine = lw_gemini_engine_new (config, key, error);
  g_autoptr(GMainLoop) loop = NULL;
  ListRun run = { NULL, NULL, NULL };

  if (engine == NULL)
    return NULL;
  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  lw_gemini_engine_list_models_async (engine, NULL, list_done_cb, &run);
  g_main_loop_run (loop);
  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return NULL;
    }
  return run.models;
}

static char *
lookup_key_or_complain (LwGeminiKeySource *source)
{
  g_autoptr(GError) error = NULL;
  char *key = lw_gemini_key_lookup (source, NULL, &error);

  if (key == NULL)
    {
      if (error != NULL)
        lw_cli_error ("%s", error->message);
      else
        lw_cli_error (_("no Gemini API key: run “lightwork-cli key set” or set GEMINI_API_KEY"));
    }
  return key;
}

/* The image models for "models" and "models use"; NULL, said, when there
 * is no key or the list could not be had. */
static GPtrArray *
list_models_or_complain (const LwGeminiConfig *config)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *models;
  char *key = lookup_key_or_complain (NULL);

  if (key == NULL)
    return NULL;
  models = list_models (config, key, &error);
  lw_secret_free (key);
  if (models == NULL)
    lw_cli_error (_("could not list the models: %s"), error->message);
  return models;
}

/* GEMINI_API_KEY is set (to something): it wins over the keyring. */
static gboolean
env_key_set (void)
{
  const char *value = g_getenv (LW_GEMINI_ENV_KEY);

  return value != NULL && *value != '\0';
}

/* ---- key ---------------------------------------------------------------- */

static int
key_set (void)
{
  g_autoptr(GError) error = NULL;
  char *key = read_key_from_stdin (&error);
  gboolean ok;

  if (key == NULL && error != NULL)
    return lw_cli_fail (error);
  if (!looks_like_a_key (key))
    {
      lw_secret_free (key);
      lw_cli_error (_("that is not an API key (empty, or with spaces in it); nothing was saved"));
      return LW_CLI_EXIT_ERROR;
    }
  ok = lw_gemini_key_store (key, NULL, &error);
  lw_secret_free (key);
  if (!ok)
    return lw_cli_fail (error);
  g_print (_("Saved the key in the keyring. Check it with “lightwork-cli key test”.\n"));
  if (env_key_set ())
    g_print (_("Note: GEMINI_API_KEY is set, and wins over the saved key while it is.\n"));
  return LW_CLI_EXIT_OK;
}

static int
key_test (void)
{
  g_autoptr(LwGeminiConfig) config = load_config ();
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;
  LwGeminiKeySource source;
  char *key = lookup_key_or_complain (&source);
  guint n_image = 0;

  if (key == NULL)
    return LW_CLI_EXIT_ERROR;
  models = list_models (config, key, &error);
  lw_secret_free (key);
  if (models == NULL)
    {
      if (g_error_matches (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH))
        lw_cli_error (_("the key does not work: %s"), error->message);
      else
        lw_cli_error (_("could not check the key: %s"), error->message);
      return LW_CLI_EXIT_ERROR;
    }
  for (guint i = 0; i < models->len; i++)
    if (((LwGeminiModelInfo *) g_ptr_array_index (models, i))->image_output)
      n_image++;
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "The key works (%s): %u image model is available.\n",
                        "The key works (%s): %u image models are available.\n", n_image),
           source == LW_GEMINI_KEY_FROM_ENV ? "GEMINI_API_KEY" : _("from the keyring"), n_image);
  return LW_CLI_EXIT_OK;
}

static int
key_delete (void)
{
  g_autoptr(GError) error = NULL;
  gboolean removed = FALSE;

  if (!lw_gemini_key_clear (&removed, NULL, &error))
    return lw_cli_fail (error);
  if (removed)
    g_print (_("Removed the key from the keyring.\n"));
  else
    g_print (_("No key was saved in the keyring.\n"));
  if (env_key_set ())
    g_print (_("Note: GEMINI_API_KEY is still set in this environment.\n"));
  return LW_CLI_EXIT_OK;
}

int
lw_cli_cmd_key (int argc, char **argv)
{
  const char *action = argc > 1 ? argv[1] : NULL;

  if (action == NULL || wants_help (argc, argv))
    {
      FILE *out = action == NULL && !wants_help (argc, argv) ? stderr : stdout;

      fprintf (out, "%s",
               _("Usage: lightwork-cli key set|test|delete\n"
                 "\n"
                 "  set      read a Gemini API key from standard input (hidden when typed)\n"
                 "           and save it in the keyring\n"
                 "  test     make one cheap call and say whether the key works\n"
                 "  delete   remove the key from the keyring\n"
                 "\n"
                 "GEMINI_API_KEY, when set, wins over the saved key.\n"));
      return out == stdout ? LW_CLI_EXIT_OK : LW_CLI_EXIT_ERROR;
    }
  if (argc > 2)
    {
      /* "key set AIza…" would leave the key in the shell history. */
      lw_cli_error (_("key %s takes no arguments (the key is read from standard input)"), action);
      return LW_CLI_EXIT_ERROR;
    }
  if (g_str_equal (action, "set"))
    return key_set ();
  if (g_str_equal (action, "test"))
    return key_test ();
  if (g_str_equal (action, "delete"))
    return key_delete ();
  lw_cli_error (_("key: unknown action “%s” (set, test or delete)"), action);
  return LW_CLI_EXIT_ERROR;
}

/* ---- models ------------------------------------------------------------- */

/* The Gemini aliases of the models table, joined by sep:
 * "nano_banana|nano_banana_pro". */
static char *
gemini_aliases (const char *sep)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  guint n = 0;
  const LwModelInfo *models = lw_models_list (&n);

  for (guint i = 0; i < n; i++)
    if (models[i].tier != LW_MODEL_TIER_LOCAL)
      g_ptr_array_add (ids, (gpointer) models[i].id);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (sep, (char **) ids->pdata);
}

static const char *
alias_of (const LwGeminiConfig *config, const char *id)
{
  for (guint tier = 0; tier < LW_GEMINI_N_TIERS; tier++)
    if (g_strcmp0 (config->model_id[tier], id) == 0)
      return lw_gemini_tier_to_alias ((LwGeminiTier) tier);
  return NULL;
}

static gboolean
model_listed (GPtrArray *models, const char *id)
{
  for (guint i = 0; i < models->len; i++)
    {
      LwGeminiModelInfo *info = g_ptr_array_index (models, i);

      if (info->image_output && g_strcmp0 (info->id, id) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
print_models_json (const LwGeminiConfig *config, GPtrArray *models)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint i = 0; i < models->len; i++)
    {
      LwGeminiModelInfo *info = g_ptr_array_index (models, i);
      const char *alias = alias_of (config, info->id);

      if (!info->image_output)
        continue;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, info->id);
      json_builder_set_member_name (b, "display_name");
      json_builder_add_string_value (b, info->display_name);
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, info->description);
      json_builder_set_member_name (b, "alias");
      if (alias != NULL)
        json_builder_add_string_value (b, alias);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "aliases");
  json_builder_begin_object (b);
  for (guint tier = 0; tier < LW_GEMINI_N_TIERS; tier++)
    {
      json_builder_set_member_name (b, lw_gemini_tier_to_alias ((LwGeminiTier) tier));
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, config->model_id[tier]);
      json_builder_set_member_name (b, "available");
      json_builder_add_boolean_value (b, model_listed (models, config->model_id[tier]));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  lw_cli_print_json (b);
}

static void
print_models_text (const LwGeminiConfig *config, GPtrArray *models)
{
  guint shown = 0;

  for (guint i = 0; i < models->len; i++)
    {
      LwGeminiModelInfo *info = g_ptr_array_index (models, i);
      const char *alias = alias_of (config, info->id);

      if (!info->image_output)
        continue;
      g_print ("%-32s %-24s %s\n", info->id, info->display_name != NULL ? info->display_name : "",
               alias != NULL ? alias : "");
      shown++;
    }
  if (shown == 0)
    g_print (_("This key can use no image model.\n"));
  for (guint tier = 0; tier < LW_GEMINI_N_TIERS; tier++)
    if (!model_listed (models, config->model_id[tier]))
      g_print (_("Note: %s is set to “%s”, which this key cannot use; pick one above with "
                 "“lightwork-cli models use %s MODEL”.\n"),
               lw_gemini_tier_to_alias ((LwGeminiTier) tier), config->model_id[tier],
               lw_gemini_tier_to_alias ((LwGeminiTier) tier));
}

/* "models use ALIAS ID": the fix for a model that was shut down. */
static int
models_use (const char *alias, const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = NULL;
  g_autoptr(LwGeminiConfig) config = NULL;
  g_autoptr(GPtrArray) models = NULL;
  LwGeminiTier tier;

  if (!lw_gemini_tier_from_alias (alias, &tier))
    {
      g_autofree char *aliases = gemini_aliases (", ");

      /* TRANSLATORS: the second %s lists the aliases: "nano_banana, nano_banana_pro" */
      lw_cli_error (_("“%s” is not a Gemini model alias (%s)"), alias, aliases);
      return LW_CLI_EXIT_ERROR;
    }
  core = lw_cli_open_core (LW_CORE_OPEN_NO_SWEEP);
  if (core == NULL)
    return LW_CLI_EXIT_ERROR;
  config = lw_gemini_config_new_from_store (lw_core_get_store (core));
  models = list_models_or_complain (config);
  if (models == NULL)
    return LW_CLI_EXIT_ERROR;
  if (!model_listed (models, id))
    {
      lw_cli_error (_("“%s” is not an image model this key can use; see “lightwork-cli models”"), id);
      return LW_CLI_EXIT_ERROR;
    }
  if (!lw_settings_set (lw_core_get_store (core),
                        tier == LW_GEMINI_TIER_PRO ? LW_GEMINI_SETTING_MODEL_PRO : LW_GEMINI_SETTING_MODEL_FAST,
                        id, &error))
    return lw_cli_fail (error);
  g_print (_("%s now uses %s.\n"), alias, id);
  return LW_CLI_EXIT_OK;
}

int
lw_cli_cmd_models (int argc, char **argv)
{
  g_autoptr(LwGeminiConfig) config = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *aliases = gemini_aliases ("|");
  gboolean json = FALSE;

  if (wants_help (argc, argv))
    {
      g_autofree char *listed = gemini_aliases (", ");

      /* TRANSLATORS: the first %s is "nano_banana|nano_banana_pro", the
       * second "nano_banana, nano_banana_pro" (the Gemini aliases) */
      g_print (_("Usage: lightwork-cli models [--json]\n"
                 "       lightwork-cli models use %s MODEL\n"
                 "\n"
                 "Lists the image models your Gemini key can use (one call to the API), and\n"
                 "which of them the aliases (%s) stand for.\n"
                 "“use” points an alias at another model, e.g. after Google shut one down.\n"),
               aliases, listed);
      return LW_CLI_EXIT_OK;
    }
  if (argc > 1 && g_str_equal (argv[1], "use"))
    {
      if (argc != 4)
        {
          lw_cli_error (_("usage: lightwork-cli models use %s MODEL"), aliases);
          return LW_CLI_EXIT_ERROR;
        }
      return models_use (argv[2], argv[3]);
    }
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else
        {
          lw_cli_error (_("models: unknown option “%s”"), argv[i]);
          return LW_CLI_EXIT_ERROR;
        }
    }

  config = load_config ();
  models = list_models_or_complain (config);
  if (models == NULL)
    return LW_CLI_EXIT_ERROR;
  if (json)
    print_models_json (config, models);
  else
    print_models_text (config, models);
  return LW_CLI_EXIT_OK;
}

/* test-prompts.c — the module prompt of a job (the 2-prompt rule, edited
 * in the window), custom modules, and the Gemini API key entered from the
 * pause banner. Driven through the window's actions and checked against the
 * database, the fake engine and the keyring (libsecret's file backend). */
#include "config.h"

#include <glib/gstdio.h>

#include "lw-engine.h"
#include "lw-gemini-key.h"
#include "lw-modules.h"
#include "lw-prompt.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"

#define TEST_KEY "AIzaTestKeyNeverSeenAnywhere-0123456789"

static char *tmpdir;

/* ---- helpers ----------------------------------------------------------- */

static gboolean
job_stopped (LwUiFixture *fx)
{
  return LW_UI_JOB (fx->window) != NULL && LW_UI_JOB (fx->window)->status != LW_JOB_PROCESSING
         && lw_scheduler_get_n_flights (fx->scheduler) == 0;
}

static gboolean
editor_shown (LwUiFixture *fx)
{
  return gtk_widget_get_visible (GTK_WIDGET (lw_window_get_module_editor (fx->window)));
}

static gboolean
editor_hidden (LwUiFixture *fx)
{
  return !editor_shown (fx);
}

static LwModule *
store_module (LwUiFixture *fx,
              const char  *id)
{
  return lw_store_get_module (lw_core_get_store (fx->core), id, NULL);
}

static void
open_editor (LwUiFixture *fx)
{
  lw_ui_activate (fx, "win.edit-module-prompt", NULL);
  g_assert_true (lw_ui_wait (editor_shown, fx, 5000));
}

static void
set_dialog_text (LwUiFixture *fx,
                 const char  *key,
                 const char  *text)
{
  GObject *widget = g_object_get_data (G_OBJECT (lw_window_get_dialog (fx->window)), key);

  g_assert_nonnull (widget);
  if (GTK_IS_TEXT_VIEW (widget))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)), text, -1);
  else
    gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

/* What a response button does: the response, then the dialog closes. */
static void
respond (LwUiFixture *fx,
         const char  *response)
{
  GtkWidget *dialog = lw_window_get_dialog (fx->window);

  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  if (lw_window_get_dialog (fx->window) == dialog)
    gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_null (lw_window_get_dialog (fx->window));
}

/* ---- the job's prompt reaches the engine ------------------------------- */

static void
test_job_prompt (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(LwModule) before = NULL;
  g_autoptr(LwModule) after = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *expected = NULL;
  LwImageItem *coffee, *other = NULL;
  guint position;
  const char *job_prompt = "Studio packshot on seamless white; keep the label legible.";
  const char *instruction = "Remove the spoon.";

  lw_ui_fixture_setup (&fx, 20);
  lw_ui_activate (&fx, "win.select-module", g_variant_new_int32 (1));
  photos = lw_ui_stage_fixtures (&fx);
  g_assert_cmpstr (LW_UI_JOB (fx.window)->module_id, ==, "product");
  before = store_module (&fx, "product");

  /* The editor opens on the job's copy, edits it and applies. */
  open_editor (&fx);
  shown = lw_module_editor_dup_prompt (lw_window_get_module_editor (fx.window));
  g_assert_cmpstr (shown, ==, LW_UI_JOB (fx.window)->prompt);
  lw_module_editor_set_prompt (lw_window_get_module_editor (fx.window), job_prompt);
  lw_module_editor_apply (lw_window_get_module_editor (fx.window));
  g_assert_true (lw_ui_wait (editor_hidden, &fx, 5000));
  g_assert_cmpstr (LW_UI_JOB (fx.window)->prompt, ==, job_prompt);
  {
    g_autoptr(LwJob) row = lw_store_get_job (lw_core_get_store (fx.core), LW_UI_JOB (fx.window)->id, NULL);

    g_assert_cmpstr (row->prompt, ==, job_prompt);
  }
  /* The module itself is untouched: the job has its own copy. */
  after = store_module (&fx, "product");
  g_assert_cmpstr (after->prompt, ==, before->prompt);
  g_assert_cmpstr (after->prompt, !=, job_prompt);

  /* The instruction popover composes from the edited prompt. */
  coffee = lw_ui_find_item (&fx, "coffee.png");
  g_assert_nonnull (coffee);
  g_assert_true (g_list_store_find (LW_UI_ITEMS (fx.window), coffee, &position));
  gtk_selection_model_select_item (lw_staging_grid_get_selection (lw_window_get_staging_grid (fx.window)), position, TRUE);
  lw_ui_activate (&fx, "win.edit-instruction", NULL);
  lw_prompt_editor_set_instruction (lw_window_get_prompt_editor (fx.window), instruction);
  expected = lw_prompt_compose (job_prompt, instruction);
  g_assert_cmpstr (lw_prompt_editor_get_composed (lw_window_get_prompt_editor (fx.window)), ==, expected);
  lw_prompt_editor_apply (lw_window_get_prompt_editor (fx.window));

  lw_ui_activate (&fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (lw_ui_job_finished, &fx, 60000));

  /* What the engine read: job prompt + blank line + instruction; the
   * others the job prompt alone. */
  g_assert_cmpstr (lw_fake_engine_get_prompt_for (fx.engine, lw_image_item_get_id (coffee)), ==, expected);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx.window))) && other == NULL; i++)
    {
      g_autoptr(LwImageItem) item = g_list_model_get_item (G_LIST_MODEL (LW_UI_ITEMS (fx.window)), i);

      if (item != coffee)
        other = item;
    }
  g_assert_nonnull (other);
  g_assert_cmpstr (lw_fake_engine_get_prompt_for (fx.engine, lw_image_item_get_id (other)), ==, job_prompt);

  lw_ui_fixture_teardown (&fx);
}

/* ---- Save to Module, Reset to Default, and the next job ---------------- */

static void
test_save_and_reset (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(LwModule) saved = NULL;
  g_autoptr(LwModule) shipped = NULL;
  g_autofree char *reset = NULL;
  const char *module_prompt = "Make it look like a magazine cover.";
  const char *next_prompt = "Soft window light, honest colours.";

  lw_ui_fixture_setup (&fx, 20);
  photos = lw_ui_stage_fixtures (&fx);
  g_assert_cmpstr (LW_UI_JOB (fx.window)->module_id, ==, LW_DEFAULT_MODULE_ID);
  shipped = store_module (&fx, LW_DEFAULT_MODULE_ID);
  g_assert_nonnull (shipped->default_prompt);

  /* Save to Module: the job and the module both get it. */
  open_editor (&fx);
  lw_module_editor_set_prompt (lw_window_get_module_editor (fx.window), module_prompt);
  lw_module_editor_save_to_module (lw_window_get_module_editor (fx.window));
  saved = store_module (&fx, LW_DEFAULT_MODULE_ID);
  g_assert_cmpstr (saved->prompt, ==, module_prompt);
  g_assert_cmpstr (saved->default_prompt, ==, shipped->default_prompt);
  g_assert_cmpstr (lw_module_list_find (lw_sidebar_get_module_list (lw_window_get_sidebar (fx.window)),
                                        LW_DEFAULT_MODULE_ID)->prompt, ==, module_prompt);
  g_assert_cmpstr (LW_UI_JOB (fx.window)->prompt, ==, module_prompt);

  /* Reset puts the shipped prompt back; Apply gives it to the job. */
  g_assert_true (lw_ui_wait (editor_hidden, &fx, 5000));
  open_editor (&fx);
  lw_module_editor_reset (lw_window_get_module_editor (fx.window));
  reset = lw_module_editor_dup_prompt (lw_window_get_module_editor (fx.window));
  g_assert_cmpstr (reset, ==, shipped->default_prompt);
  lw_module_editor_apply (lw_window_get_module_editor (fx.window));
  g_assert_cmpstr (LW_UI_JOB (fx.window)->prompt, ==, shipped->default_prompt);
  {
    g_autoptr(LwJob) row = lw_store_get_job (lw_core_get_store (fx.core), LW_UI_JOB (fx.window)->id, NULL);

    g_assert_cmpstr (row->prompt, ==, shipped->default_prompt);
  }
  g_assert_true (lw_ui_wait (editor_hidden, &fx, 5000));

  /* No job: the editor edits what the next job gets. */
  lw_ui_activate (&fx, "win.new-job", NULL);
  g_assert_null (LW_UI_JOB (fx.window));
  open_editor (&fx);
  {
    g_autofree char *current = lw_module_editor_dup_prompt (lw_window_get_module_editor (fx.window));

    g_assert_cmpstr (current, ==, module_prompt);
  }
  lw_module_editor_set_prompt (lw_window_get_module_editor (fx.window), next_prompt);
  lw_module_editor_apply (lw_window_get_module_editor (fx.window));
  {
    g_autoptr(LwModule) module = store_module (&fx, LW_DEFAULT_MODULE_ID);

    g_assert_cmpstr (module->prompt, ==, next_prompt);
  }
  g_assert_true (lw_ui_wait (editor_hidden, &fx, 5000));
  g_ptr_array_unref (lw_ui_stage_fixtures (&fx));
  g_assert_nonnull (LW_UI_JOB (fx.window));
  g_assert_cmpstr (LW_UI_JOB (fx.window)->prompt, ==, next_prompt);

  lw_ui_fixture_teardown (&fx);
}

/* ---- not while the job runs -------------------------------------------- */

static void
test_disabled_while_running (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autofree char *prompt = NULL;

  lw_ui_fixture_setup (&fx, 60 * 1000);
  photos = lw_ui_stage_fixtures (&fx);
  prompt = g_strdup (LW_UI_JOB (fx.window)->prompt);
  g_assert_true (gtk_widget_get_sensitive (lw_window_get_module_prompt_button (fx.window)));

  lw_ui_activate (&fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (lw_ui_job_running, &fx, 20000));
  g_assert_false (gtk_widget_get_sensitive (lw_window_get_module_prompt_button (fx.window)));
  /* The key does nothing: no editor, the prompt stays. */
  gtk_widget_activate_action (GTK_WIDGET (fx.window), "win.edit-module-prompt", NULL);
  lw_ui_spin (100);
  g_assert_false (editor_shown (&fx));
  g_assert_cmpstr (LW_UI_JOB (fx.window)->prompt, ==, prompt);

  lw_ui_activate (&fx, "win.cancel", NULL);
  /* Cancel lets the (60 s) requests in flight land; "Stop now" drops them. */
  lw_job_session_stop_now (lw_window_get_session (fx.window));
  g_assert_true (lw_ui_wait (job_stopped, &fx, 20000));
  g_assert_true (gtk_widget_get_sensitive (lw_window_get_module_prompt_button (fx.window)));
  open_editor (&fx);
  gtk_popover_popdown (GTK_POPOVER (lw_window_get_module_editor (fx.window)));

  lw_ui_fixture_teardown (&fx);
}

/* ---- custom modules ---------------------------------------------------- */

static void
test_custom_modules (void)
{
  LwUiFixture fx;
  LwModuleList *list;
  guint n;
  const LwModule *custom;
  g_autoptr(LwModule) copy = NULL;
  g_autoptr(LwModule) product = NULL;
  g_autofree char *custom_id = NULL;
  g_autofree char *copy_id = NULL;
  const char *prompt = "Night street, neon reflections, keep faces untouched.";

  lw_ui_fixture_setup (&fx, 20);
  list = lw_sidebar_get_module_list (lw_window_get_sidebar (fx.window));
  n = lw_module_list_get_n_modules (list);

  /* New Module… */
  lw_ui_activate (&fx, "win.new-module", NULL);
  g_assert_nonnull (lw_window_get_dialog (fx.window));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (lw_window_get_dialog (fx.window)), "create"));
  set_dialog_text (&fx, "lw-name-row", "Street");
  set_dialog_text (&fx, "lw-prompt-view", prompt);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (lw_window_get_dialog (fx.window)), "create"));
  respond (&fx, "create");
  g_assert_cmpuint (lw_module_list_get_n_modules (list), ==, n + 1);
  custom = lw_module_list_get_module (list, n);
  g_assert_cmpstr (custom->name, ==, "Street");
  g_assert_false (custom->builtin);
  g_assert_null (custom->default_prompt);
  custom_id = g_strdup (custom->id);
  g_assert_cmpstr (lw_job_session_get_module_id (lw_window_get_session (fx.window)), ==, custom_id);
  {
    g_autoptr(LwModule) row = store_module (&fx, custom_id);

    g_assert_nonnull (row);
    g_assert_cmpstr (row->prompt, ==, prompt);
  }

  /* Its prompt opens in the editor; Reset has nothing to go back to. */
  open_editor (&fx);
  lw_module_editor_set_prompt (lw_window_get_module_editor (fx.window), "edited");
  gtk_widget_activate_action (GTK_WIDGET (lw_window_get_module_editor (fx.window)), "module-editor.reset", NULL);
  {
    g_autofree char *text = lw_module_editor_dup_prompt (lw_window_get_module_editor (fx.window));

    g_assert_cmpstr (text, ==, "edited");
  }
  gtk_popover_popdown (GTK_POPOVER (lw_window_get_module_editor (fx.window)));
  g_assert_true (lw_ui_wait (editor_hidden, &fx, 5000));

  /* Duplicate a built-in: a custom module with its prompt. */
  product = store_module (&fx, "product");
  lw_ui_activate (&fx, "win.duplicate-module", g_variant_new_string ("product"));
  g_assert_cmpuint (lw_module_list_get_n_modules (list), ==, n + 2);
  copy_id = g_strdup (lw_module_list_get_module (list, n + 1)->id);
  g_assert_cmpstr (copy_id, !=, "product");
  copy = store_module (&fx, copy_id);
  g_assert_false (copy->builtin);
  g_assert_cmpstr (copy->prompt, ==, product->prompt);
  g_assert_cmpstr (lw_job_session_get_module_id (lw_window_get_session (fx.window)), ==, copy_id);

  /* Delete asks first; the copy goes, new jobs fall back to the default. */
  lw_ui_activate (&fx, "win.delete-module", g_variant_new_string (copy_id));
  g_assert_nonnull (lw_window_get_dialog (fx.window));
  respond (&fx, "delete");
  g_assert_cmpuint (lw_module_list_get_n_modules (list), ==, n + 1);
  g_assert_null (lw_module_list_find (list, copy_id));
  {
    g_autoptr(LwModule) gone = store_module (&fx, copy_id);

    g_assert_null (gone);
  }
  g_assert_cmpstr (lw_job_session_get_module_id (lw_window_get_session (fx.window)), ==, LW_DEFAULT_MODULE_ID);

  /* Cancelling a delete keeps the module. */
  lw_ui_activate (&fx, "win.delete-module", g_variant_new_string (custom_id));
  respond (&fx, "cancel");
  g_assert_nonnull (lw_module_list_find (list, custom_id));

  /* Built-ins cannot be deleted: no dialog, still there. */
  lw_ui_activate (&fx, "win.delete-module", g_variant_new_string ("food"));
  g_assert_null (lw_window_get_dialog (fx.window));
  g_assert_nonnull (lw_module_list_find (list, "food"));

  lw_ui_fixture_teardown (&fx);
}

/* ---- the API key from the pause banner ---------------------------------- */

static gboolean
banner_shown (LwUiFixture *fx)
{
  return lw_status_banner_is_shown (lw_window_get_banner (fx->window));
}

static gboolean
key_stored_and_resumed (LwUiFixture *fx)
{
  return !lw_window_get_storing_key (fx->window) && !lw_status_banner_is_shown (lw_window_get_banner (fx->window));
}

static guint
count_key_in (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint found = 0;

  if (dir == NULL)
    {
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_get_contents (path, &contents, &len, NULL)
          && g_strstr_len (contents, (gssize) len, TEST_KEY) != NULL)
        found++;
      return found;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      found += count_key_in (child);
    }
  return found;
}

static void
test_api_key (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  static const int auth[] = { LW_ENGINE_ERROR_AUTH };
  const char *action;

  g_assert_false (lw_gemini_key_is_configured ());
  lw_ui_fixture_setup (&fx, 20);
  lw_fake_engine_script (fx.engine, "coffee.png", auth, 1, -1);
  photos = lw_ui_stage_fixtures (&fx);
  lw_ui_activate (&fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (banner_shown, &fx, 20000));

  /* Two ways out of a bad key: a key, or the local engine. */
  action = lw_status_banner_get_action_name (lw_window_get_banner (fx.window), FALSE);
  g_assert_cmpstr (action, ==, "win.api-key");
  g_assert_cmpstr (lw_status_banner_get_action_name (lw_window_get_banner (fx.window), TRUE), ==, "win.use-local");

  lw_ui_activate (&fx, action, NULL);
  g_assert_nonnull (lw_window_get_dialog (fx.window));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (lw_window_get_dialog (fx.window)), "save"));
  set_dialog_text (&fx, "lw-key-row", TEST_KEY);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (lw_window_get_dialog (fx.window)), "save"));
  respond (&fx, "save");

  /* Stored, then the queue goes on by itself and finishes. */
  g_assert_true (lw_ui_wait (key_stored_and_resumed, &fx, 20000));
  g_assert_true (lw_ui_wait (lw_ui_job_finished, &fx, 30000));
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED), ==, photos->len);

  lw_ui_assert_key_in_keyring (TEST_KEY);

  /* Nowhere else: not in the data folder (database, settings, blobs). */
  g_assert_cmpuint (lw_test_count_files (fx.tmpdir), >, 0);
  g_assert_cmpuint (count_key_in (fx.tmpdir), ==, 0);
  lw_ui_fixture_teardown (&fx);
}

/* ---- widgets go away ----------------------------------------------------- */

static void
test_widgets_finalize (void)
{
  GtkWidget *editor = lw_module_editor_new ();
  GtkWidget *banner = lw_status_banner_new ();

  g_object_ref_sink (editor);
  lw_module_editor_setup (LW_MODULE_EDITOR (editor), "Food", "a prompt", "the default", TRUE, TRUE);
  lw_module_editor_reset (LW_MODULE_EDITOR (editor));
  g_assert_finalize_object (editor);

  g_object_ref_sink (banner);
  lw_status_banner_show (LW_STATUS_BANNER (banner), "Paused", "Enter Key…", "win.api-key");
  lw_status_banner_set_secondary (LW_STATUS_BANNER (banner), "Use Local Engine", "win.use-local");
  g_assert_finalize_object (banner);
}

int
main (int argc, char **argv)
{
  g_autofree char *keyring = NULL;
  int status;

  /* A real libsecret store in a file, set before anything touches
   * libsecret (the window asks whether a key is configured). */
  tmpdir = lw_test_make_tmpdir ("lw-ui-prompts");
  keyring = g_build_filename (tmpdir, "keyring", NULL);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "x", TRUE);
  g_setenv ("GEMINI_API_KEY", "", TRUE);

  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/prompts/widgets-finalize", test_widgets_finalize);
  g_test_add_func ("/ui/prompts/job-prompt", test_job_prompt);
  g_test_add_func ("/ui/prompts/save-and-reset", test_save_and_reset);
  g_test_add_func ("/ui/prompts/disabled-while-running", test_disabled_while_running);
  g_test_add_func ("/ui/prompts/custom-modules", test_custom_modules);
  g_test_add_func ("/ui/prompts/api-key", test_api_key);
  status = g_test_run ();
  lw_test_rmtree (tmpdir);
  g_free (tmpdir);
  return status;
}

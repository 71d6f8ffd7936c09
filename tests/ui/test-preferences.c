/* test-preferences.c — issue 13's Preferences window (Ctrl+,).
 *
 *  - it opens from win.preferences and from Ctrl+, (a real key press), and
 *    Escape closes it;
 *  - a change of "Requests at once" or a page's rate is written to the
 *    jobs service's settings table (read back with lw_settings_get_int on
 *    the store lightwork-cli reads too);
 *  - the naming template's example follows the text and the format; the
 *    template is written when applied (Enter); one starting with a dot or
 *    holding a separator says why and is not written;
 *  - Test lists the image models the fake Gemini server (real HTTP over
 *    127.0.0.1) lets the key use, fills each alias's choice from them and
 *    writes a choice; a wrong key is said in words, never echoed;
 *  - "Remove finished jobs older than" asks first, then removes only the
 *    completed and failed jobs finished before the chosen age: a running
 *    job, a cancelled one and a recent one stay;
 *  - every interactive node of both pages has a name, and Tab reaches every
 *    control;
 *  - a key saved here (in a real libsecret store, a file) lets the window's
 *    job that paused on a bad key go on by itself.
 * With LW_SHOTS_DIR set, /ui/preferences/shots keeps both pages in light
 * and dark (tools/screenshots.sh; under LANGUAGE=de the German ones).
 */
#include "config.h"

#include <gdk/x11/gdkx.h>

#include "lw-engine.h"
#include "lw-gemini-key.h"
#include "lw-gemini-test-util.h"
#include "lw-preferences.h"
#include "lw-settings.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"

static const char *shots_dir;

/* ---- the window ----------------------------------------------------------- */

static LwPreferences *
find_preferences (void)
{
  return (LwPreferences *) lw_ui_find_toplevel (LW_TYPE_PREFERENCES);
}

static gboolean
preferences_shown (LwUiFixture *fx)
{
  return find_preferences () != NULL;
}

static gboolean
preferences_gone (LwUiFixture *fx)
{
  return find_preferences () == NULL;
}

static LwPreferences *current;

static gboolean
preferences_settled (LwUiFixture *fx)
{
  return !lw_preferences_is_busy (current);
}

static GtkWidget *
child (LwPreferences *prefs,
       const char    *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (prefs), LW_TYPE_PREFERENCES, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static const char *
subtitle (LwPreferences *prefs,
          const char    *row)
{
  const char *text = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (prefs, row)));

  return text != NULL ? text : "";
}

/* Opens it through the action and waits until its look-ups are done. */
static LwPreferences *
open_preferences (LwUiFixture *fx)
{
  lw_ui_activate (fx, "win.preferences", NULL);
  g_assert_true (lw_ui_wait (preferences_shown, fx, 5000));
  current = find_preferences ();
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (current)) == GTK_WINDOW (fx->window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (current)));
  g_assert_true (lw_ui_wait (preferences_settled, fx, 20000));
  lw_ui_spin (200);
  return current;
}

static void
close_preferences (LwUiFixture   *fx,
                   LwPreferences *prefs)
{
  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &current);
  gtk_window_destroy (GTK_WINDOW (prefs));
  lw_ui_spin (200);
  /* Nothing of it is left (no reference held by a task or a signal). */
  g_assert_null (current);
}

static void
test_open (void)
{
  LwUiFixture fx;
  LwPreferences *prefs;

  lw_ui_fixture_setup (&fx, 0);
  g_assert_null (find_preferences ());

  /* The action (the main menu's item). */
  prefs = open_preferences (&fx);
  g_assert_cmpstr (subtitle (prefs, "folder_row"), ==, lw_core_get_data_dir (fx.core));
  /* The size was counted: a number of bytes, not "Counting…". */
  g_assert_true (g_str_has_suffix (subtitle (prefs, "size_row"), "B"));
  close_preferences (&fx, prefs);

  /* Ctrl+, on the window, then Escape on the preferences. */
  lw_ui_focus_window (GTK_WIDGET (fx.window));
  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "ctrl+comma", NULL });
  g_assert_true (lw_ui_wait (preferences_shown, &fx, 5000));
  current = find_preferences ();
  g_assert_true (lw_ui_wait (preferences_settled, &fx, 20000));
  lw_ui_focus_window (GTK_WIDGET (current));
  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "Escape", NULL });
  g_assert_true (lw_ui_wait (preferences_gone, &fx, 5000));
  lw_ui_spin (200);

  lw_ui_fixture_teardown (&fx);
}

/* ---- numbers ---------------------------------------------------------------- */

static void
test_concurrency (void)
{
  LwUiFixture fx;
  LwPreferences *prefs;
  LwStore *store;
  GtkSpinButton *spin;
  const LwSettingInfo *info = lw_settings_find (LW_SETTING_CONCURRENCY);

  lw_ui_fixture_setup (&fx, 0);
  store = lw_jobs_get_store (fx.jobs);
  g_assert_cmpint (lw_settings_get_int (store, LW_SETTING_CONCURRENCY), ==, 2);
  prefs = open_preferences (&fx);
  spin = GTK_SPIN_BUTTON (child (prefs, "concurrency_spin"));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 2);

  /* The range is the settings table's. */
  {
    double min, max;

    gtk_spin_button_get_range (spin, &min, &max);
    g_assert_cmpfloat (min, ==, info->min);
    g_assert_cmpfloat (max, ==, info->max);
  }
  gtk_spin_button_set_value (spin, 5);
  lw_ui_spin (50);
  g_assert_cmpint (lw_settings_get_int (store, LW_SETTING_CONCURRENCY), ==, 5);
  /* Past the end: the spin button holds it at the table's maximum. */
  gtk_spin_button_set_value (spin, 99);
  lw_ui_spin (50);
  g_assert_cmpint (lw_settings_get_int (store, LW_SETTING_CONCURRENCY), ==, (gint64) info->max);

  spin = GTK_SPIN_BUTTON (child (prefs, "pro_rpm_spin"));
  gtk_spin_button_set_value (spin, 12);
  lw_ui_spin (50);
  g_assert_cmpint (lw_settings_get_int (store, "queue.nano_banana_pro.rpm"), ==, 12);
  g_assert_cmpint (lw_settings_get_int (store, "queue.nano_banana.rpm"), ==, 0);
  close_preferences (&fx, prefs);

  /* Opened again, it shows what is stored. */
  prefs = open_preferences (&fx);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (prefs, "concurrency_spin"))), ==,
                   (gint64) info->max);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (prefs, "pro_rpm_spin"))), ==, 12);
  close_preferences (&fx, prefs);
  lw_ui_fixture_teardown (&fx);
}

/* ---- the naming template ---------------------------------------------------------- */

static void
test_template (void)
{
  LwUiFixture fx;
  LwPreferences *prefs;
  LwStore *store;
  GtkEditable *row;
  g_autofree char *stored = NULL;
  const char *title;

  lw_ui_fixture_setup (&fx, 0);
  store = lw_jobs_get_store (fx.jobs);
  prefs = open_preferences (&fx);
  row = GTK_EDITABLE (child (prefs, "template_row"));
  g_assert_cmpstr (gtk_editable_get_text (row), ==, LW_EXPORT_TEMPLATE_DEFAULT);
  g_assert_cmpstr (subtitle (prefs, "example_row"), ==, "IMG_0042-food.jpg");

  gtk_editable_set_text (row, "{index}-{name}.{ext}");
  g_assert_cmpstr (subtitle (prefs, "example_row"), ==, "0007-IMG_0042.jpg");
  /* Typed, not applied: nothing written yet. */
  g_assert_null (lw_store_get_setting (store, LW_SETTING_TEMPLATE));
  g_signal_emit_by_name (row, "apply");
  stored = lw_settings_get_string (store, LW_SETTING_TEMPLATE);
  g_assert_cmpstr (stored, ==, "{index}-{name}.{ext}");
  g_clear_pointer (&stored, g_free);

  /* The format: written, and the example's extension follows. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (prefs, "format_row")), 1);
  g_assert_cmpstr (subtitle (prefs, "example_row"), ==, "0007-IMG_0042.png");
  stored = lw_settings_get_string (store, LW_SETTING_EXPORT_FORMAT);
  g_assert_cmpstr (stored, ==, "png");
  g_clear_pointer (&stored, g_free);
  g_assert_false (gtk_widget_get_sensitive (child (prefs, "quality_row")));
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (prefs, "format_row")), 2);
  g_assert_true (gtk_widget_get_sensitive (child (prefs, "quality_row")));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (prefs, "quality_spin")), 80);
  g_assert_cmpint (lw_settings_get_int (store, LW_SETTING_JPEG_QUALITY), ==, 80);

  /* Refused: says why, and the stored template stays. */
  gtk_editable_set_text (row, ".{name}");
  g_signal_emit_by_name (row, "apply");
  title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child (prefs, "example_row")));
  g_assert_cmpstr (title, ==, "Not Saved");
  g_assert_nonnull (strstr (subtitle (prefs, "example_row"), "starts with a dot"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  stored = lw_settings_get_string (store, LW_SETTING_TEMPLATE);
  g_assert_cmpstr (stored, ==, "{index}-{name}.{ext}");
  g_clear_pointer (&stored, g_free);

  gtk_editable_set_text (row, "{job}/{name}.{ext}");
  g_signal_emit_by_name (row, "apply");
  g_assert_nonnull (strstr (subtitle (prefs, "example_row"), "separator"));
  stored = lw_settings_get_string (store, LW_SETTING_TEMPLATE);
  g_assert_cmpstr (stored, ==, "{index}-{name}.{ext}");
  g_clear_pointer (&stored, g_free);

  /* Valid again: the error goes, the new one is written. */
  gtk_editable_set_text (row, "{job}-{name}.{ext}");
  g_signal_emit_by_name (row, "apply");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child (prefs, "example_row"))), ==, "Example");
  g_assert_cmpstr (subtitle (prefs, "example_row"), ==, "Dinner Menu-IMG_0042.jpg");
  stored = lw_settings_get_string (store, LW_SETTING_TEMPLATE);
  g_assert_cmpstr (stored, ==, "{job}-{name}.{ext}");

  close_preferences (&fx, prefs);
  lw_ui_fixture_teardown (&fx);
}

/* ---- the key's test, against the fake Gemini server --------------------------------- */

static gboolean
string_list_has (GListModel *list,
                 const char *text)
{
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (list, i);

      if (g_strcmp0 (gtk_string_object_get_string (item), text) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
run_test_button (LwUiFixture   *fx,
                 LwPreferences *prefs)
{
  g_assert_true (gtk_widget_get_sensitive (child (prefs, "test_button")));
  g_signal_emit_by_name (child (prefs, "test_button"), "clicked");
  g_assert_true (lw_preferences_is_busy (prefs));
  g_assert_true (lw_ui_wait (preferences_settled, fx, 30000));
  lw_ui_spin (50);
}

static void
test_key_test (void)
{
  LwUiFixture fx;
  LwPreferences *prefs;
  LwStore *store;
  LwFakeGemini *server = lw_test_fake_start ();
  g_autofree char *url = lw_fake_gemini_dup_base_url (server);
  g_autofree char *stored = NULL;
  AdwComboRow *pro;
  GListModel *list;
  const char *text;

  /* The environment's address wins over the setting (lw-gemini-config.h). */
  g_setenv ("LIGHTWORK_GEMINI_BASE_URL", url, TRUE);
  lw_ui_fixture_setup (&fx, 0);
  store = lw_jobs_get_store (fx.jobs);
  prefs = open_preferences (&fx);
  /* Before a test: free entries with the ids in use, no choices. */
  g_assert_true (gtk_widget_get_visible (child (prefs, "fast_entry")));
  g_assert_false (gtk_widget_get_visible (child (prefs, "fast_combo")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (prefs, "fast_entry"))), ==, "gemini-nano-banana-2.1");
  /* No key anywhere (GEMINI_API_KEY is empty, no keyring in the session). */
  run_test_button (&fx, prefs);
  g_assert_nonnull (strstr (subtitle (prefs, "test_row"), "no key"));

  /* A wrong key: plain words, and the key is not shown. */
  gtk_editable_set_text (GTK_EDITABLE (child (prefs, "key_row")), "AIzaWRONG-key-for-the-test");
  run_test_button (&fx, prefs);
  text = subtitle (prefs, "test_row");
  g_test_message ("wrong key: %s", text);
  g_assert_true (g_str_has_prefix (text, "The key does not work"));
  g_assert_null (strstr (text, "AIzaWRONG"));

  /* The right key: the image models, and only those. */
  gtk_editable_set_text (GTK_EDITABLE (child (prefs, "key_row")), LW_TEST_KEY);
  run_test_button (&fx, prefs);
  text = subtitle (prefs, "test_row");
  g_test_message ("right key: %s", text);
  g_assert_true (g_str_has_prefix (text, "The key works."));
  g_assert_nonnull (strstr (text, "gemini-nano-banana-2.1"));
  g_assert_nonnull (strstr (text, "gemini-3-pro-image"));
  g_assert_null (strstr (text, "gemini-3.5-flash"));
  g_assert_null (strstr (text, LW_TEST_KEY));

  /* Each alias now chooses from that list, the id in use selected. */
  g_assert_false (gtk_widget_get_visible (child (prefs, "fast_entry")));
  g_assert_true (gtk_widget_get_visible (child (prefs, "fast_combo")));
  pro = ADW_COMBO_ROW (child (prefs, "pro_combo"));
  list = adw_combo_row_get_model (pro);
  g_assert_true (string_list_has (list, "gemini-nano-banana-2.1"));
  g_assert_true (string_list_has (list, "gemini-3-pro-image"));
  g_assert_false (string_list_has (list, "gemini-3.5-flash"));
  g_assert_cmpstr (gtk_string_object_get_string (adw_combo_row_get_selected_item (pro)), ==, "gemini-3-pro-image");
  /* Opening the list wrote nothing. */
  g_assert_null (lw_store_get_setting (store, "model.nano_banana_pro.id"));
  /* Choosing writes the setting lightwork-cli reads. */
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (list, i);

      if (g_str_equal (gtk_string_object_get_string (item), "gemini-nano-banana-2.1"))
        adw_combo_row_set_selected (pro, i);
    }
  stored = lw_settings_get_string (store, "model.nano_banana_pro.id");
  g_assert_cmpstr (stored, ==, "gemini-nano-banana-2.1");

  close_preferences (&fx, prefs);
  lw_ui_fixture_teardown (&fx);
  g_setenv ("LIGHTWORK_GEMINI_BASE_URL", "http://127.0.0.1:9", TRUE);
  lw_fake_gemini_free (server);
}

/* ---- removing old jobs ------------------------------------------------------------ */

#define DAY_MS ((gint64) 24 * 60 * 60 * 1000)

/* A job in status, launched and (unless PROCESSING) finished days_ago. */
static gint64
make_job (LwUiFixture *fx,
          const char  *name,
          LwJobStatus  status,
          gint64       days_ago)
{
  LwStore *store = lw_jobs_get_store (fx->jobs);
  gint64 at = lw_clock_now_ms (lw_core_get_clock (fx->core)) - days_ago * DAY_MS;
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = lw_jobs_create (fx->jobs, name, NULL, "local", NULL, &error);

  g_assert_no_error (error);
  g_assert_true (lw_store_set_job_status (store, job->id, LW_JOB_PROCESSING, at, &error));
  if (status != LW_JOB_PROCESSING)
    g_assert_true (lw_store_set_job_status (store, job->id, status, at + 1, &error));
  g_assert_no_error (error);
  return job->id;
}

static gboolean
job_exists (LwUiFixture *fx,
            gint64       id)
{
  g_autoptr(LwJob) job = lw_jobs_get (fx->jobs, id, NULL);

  return job != NULL;
}

static AdwMessageDialog *
shown_dialog (void)
{
  return (AdwMessageDialog *) lw_ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
}

static gboolean
dialog_shown (LwUiFixture *fx)
{
  return shown_dialog () != NULL;
}

static gboolean
no_dialog (LwUiFixture *fx)
{
  return shown_dialog () == NULL;
}

/* As a click on its button does: the answer, then the dialog closes
 * (adw_message_dialog_response only answers). */
static void
answer (AdwMessageDialog *dialog,
        const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_remove_old (void)
{
  LwUiFixture fx;
  LwPreferences *prefs;
  gint64 old_done, old_failed, old_cancelled, recent_done, running;
  AdwMessageDialog *dialog;

  lw_ui_fixture_setup (&fx, 0);
  /* Made without turning the main loop: the queue sees them finished. */
  old_done = make_job (&fx, "Old done", LW_JOB_COMPLETED, 40);
  old_failed = make_job (&fx, "Old failed", LW_JOB_FAILED, 100);
  old_cancelled = make_job (&fx, "Old cancelled", LW_JOB_CANCELLED, 40);
  recent_done = make_job (&fx, "Recent", LW_JOB_COMPLETED, 2);
  running = make_job (&fx, "Running", LW_JOB_PROCESSING, 40);

  prefs = open_preferences (&fx);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (prefs, "age_row"))), ==, 1);

  /* Asked first; Cancel removes nothing. */
  g_signal_emit_by_name (child (prefs, "remove_button"), "clicked");
  g_assert_true (lw_ui_wait (dialog_shown, &fx, 5000));
  dialog = shown_dialog ();
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (prefs));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove 2 Finished Jobs?");
  answer (dialog, "cancel");
  g_assert_true (lw_ui_wait (no_dialog, &fx, 5000));
  g_assert_true (job_exists (&fx, old_done));
  g_assert_true (job_exists (&fx, old_failed));

  /* Remove: only the finished ones past 30 days. */
  g_signal_emit_by_name (child (prefs, "remove_button"), "clicked");
  g_assert_true (lw_ui_wait (dialog_shown, &fx, 5000));
  answer (shown_dialog (), "remove");
  g_assert_true (lw_ui_wait (no_dialog, &fx, 5000));
  g_assert_true (lw_ui_wait (preferences_settled, &fx, 20000));
  g_assert_false (job_exists (&fx, old_done));
  g_assert_false (job_exists (&fx, old_failed));
  g_assert_true (job_exists (&fx, old_cancelled));
  g_assert_true (job_exists (&fx, recent_done));
  g_assert_true (job_exists (&fx, running));

  /* 7 days: the recent one (2 days) stays; nothing else is finished and old. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (prefs, "age_row")), 0);
  g_signal_emit_by_name (child (prefs, "remove_button"), "clicked");
  lw_ui_spin (300);
  g_assert_null (shown_dialog ());
  g_assert_true (job_exists (&fx, recent_done));

  close_preferences (&fx, prefs);
  lw_ui_fixture_teardown (&fx);
}

/* ---- names for screen readers, and Tab ---------------------------------------------- */

/* Tab from the first control onward, twice round: every control of the
 * page is reached. */
static void
assert_tab_reaches (LwPreferences      *prefs,
                    const char * const *names)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GtkWidget *focus;

  gtk_widget_grab_focus (GTK_WIDGET (prefs));
  for (guint i = 0; i < 80; i++)
    {
      if (!gtk_widget_child_focus (GTK_WIDGET (prefs), GTK_DIR_TAB_FORWARD))
        gtk_widget_child_focus (GTK_WIDGET (prefs), GTK_DIR_TAB_FORWARD);
      for (focus = gtk_root_get_focus (GTK_ROOT (prefs)); focus != NULL; focus = gtk_widget_get_parent (focus))
        g_hash_table_add (seen, focus);
    }
  for (guint i = 0; names[i] != NULL; i++)
    if (!g_hash_table_contains (seen, child (prefs, names[i])))
      g_error ("Tab never reaches %s", names[i]);
}

static void
test_accessible (void)
{
  LwUiFixture fx;
  LwPreferences *prefs;
  LwFakeGemini *server = lw_test_fake_start ();
  g_autofree char *url = lw_fake_gemini_dup_base_url (server);
  static const char * const gemini_controls[] = { "key_row", "test_button", "fast_entry", "pro_entry",
                                                  "concurrency_spin", "fast_rpm_spin", "pro_rpm_spin", NULL };
  static const char * const gemini_after_test[] = { "fast_combo", "pro_combo", NULL };
  static const char * const files_controls[] = { "template_row", "format_row", "quality_spin", "age_row",
                                                 "remove_button", NULL };

  g_setenv ("LIGHTWORK_GEMINI_BASE_URL", url, TRUE);
  lw_ui_fixture_setup (&fx, 0);
  prefs = open_preferences (&fx);
  /* JPEG, so that Quality is on and reachable. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (prefs, "format_row")), 2);

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "gemini");
  lw_ui_spin (300);
  lw_ui_assert_all_named (GTK_WIDGET (prefs), "Gemini page", 6);
  assert_tab_reaches (prefs, gemini_controls);

  gtk_editable_set_text (GTK_EDITABLE (child (prefs, "key_row")), LW_TEST_KEY);
  run_test_button (&fx, prefs);
  lw_ui_spin (300);
  lw_ui_assert_all_named (GTK_WIDGET (prefs), "Gemini page, after a test", 6);
  assert_tab_reaches (prefs, gemini_after_test);

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "files");
  lw_ui_spin (300);
  lw_ui_assert_all_named (GTK_WIDGET (prefs), "Files page", 6);
  assert_tab_reaches (prefs, files_controls);

  close_preferences (&fx, prefs);
  lw_ui_fixture_teardown (&fx);
  g_setenv ("LIGHTWORK_GEMINI_BASE_URL", "http://127.0.0.1:9", TRUE);
  lw_fake_gemini_free (server);
}

/* ---- screenshots (tools/screenshots.sh) ----------------------------------------- */

static void
shoot (LwUiFixture *fx,
       gboolean     dark)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  const char *language = g_getenv ("LANGUAGE");
  const char *suffix = language != NULL && g_str_has_prefix (language, "de") ? "-de" : "";
  LwPreferences *prefs;

  adw_style_manager_set_color_scheme (manager, dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
  prefs = open_preferences (fx);
  /* As after a test of the key: each alias chosen from the models listed. */
  gtk_editable_set_text (GTK_EDITABLE (child (prefs, "key_row")), LW_TEST_KEY);
  run_test_button (fx, prefs);
  gtk_editable_set_text (GTK_EDITABLE (child (prefs, "key_row")), "");
  lw_ui_spin (500);
  for (guint i = 0; i < 2; i++)
    {
      const char *page = i == 0 ? "gemini" : "files";
      g_autofree char *path = g_strdup_printf ("%s/preferences-%s-%s%s.png", shots_dir, page,
                                               dark ? "dark" : "light", suffix);

      adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), page);
      lw_ui_spin (500);
      lw_ui_save_png (GTK_WIDGET (prefs), path);
      g_test_message ("%s", path);
    }
  close_preferences (fx, prefs);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
test_shots (void)
{
  LwUiFixture fx;
  LwFakeGemini *server;
  g_autofree char *url = NULL;

  if (shots_dir == NULL)
    {
      g_test_skip ("LW_SHOTS_DIR is not set");
      return;
    }
  server = lw_test_fake_start ();
  url = lw_fake_gemini_dup_base_url (server);
  g_setenv ("LIGHTWORK_GEMINI_BASE_URL", url, TRUE);
  lw_ui_fixture_setup (&fx, 0);
  shoot (&fx, FALSE);
  shoot (&fx, TRUE);
  lw_ui_fixture_teardown (&fx);
  g_setenv ("LIGHTWORK_GEMINI_BASE_URL", "http://127.0.0.1:9", TRUE);
  lw_fake_gemini_free (server);
}

static gboolean
banner_shown (LwUiFixture *fx)
{
  return lw_status_banner_is_shown (lw_window_get_banner (fx->window));
}

static gboolean
resumed (LwUiFixture *fx)
{
  return !lw_preferences_is_busy (current) && !lw_status_banner_is_shown (lw_window_get_banner (fx->window));
}

/* The job stops on a bad key; the user opens Preferences, types a key and
 * presses Enter (the row's apply): the key is in the keyring and the job
 * goes on by itself, without a trip back to Launch. */
static void
test_key_saved_resumes (void)
{
  static const int auth[] = { LW_ENGINE_ERROR_AUTH };
  LwUiFixture fx;
  LwPreferences *prefs;
  g_autoptr(GPtrArray) photos = NULL;

  lw_ui_fixture_setup (&fx, 20);
  lw_fake_engine_script (fx.engine, "coffee.png", auth, 1, -1);
  photos = lw_ui_stage_fixtures (&fx);
  lw_ui_activate (&fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (banner_shown, &fx, 20000));
  g_assert_true (lw_ui_job_running (&fx));

  prefs = open_preferences (&fx);
  gtk_editable_set_text (GTK_EDITABLE (child (prefs, "key_row")), LW_TEST_KEY);
  g_signal_emit_by_name (child (prefs, "key_row"), "apply");
  g_assert_true (lw_ui_wait (resumed, &fx, 20000));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (prefs, "key_row"))), ==, "");
  close_preferences (&fx, prefs);
  g_assert_true (lw_ui_wait (lw_ui_job_finished, &fx, 30000));
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED), ==, photos->len);

  lw_ui_assert_key_in_keyring (LW_TEST_KEY);
  lw_ui_fixture_teardown (&fx);
}

int
main (int argc, char **argv)
{
  g_autofree char *keyring_dir = lw_test_make_tmpdir ("lw-ui-preferences-keyring");
  g_autofree char *keyring = g_build_filename (keyring_dir, "keyring", NULL);
  int status;

  /* The test AT context keeps what AT-SPI would send (test-gnome-pass.c). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  /* A real libsecret store in a file, empty until key-saved-resumes (the
   * last test) saves a key; set before anything touches libsecret. */
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "x", TRUE);
  lw_ui_test_init (&argc, &argv);
  shots_dir = g_getenv ("LW_SHOTS_DIR");

  g_test_add_func ("/ui/preferences/open", test_open);
  g_test_add_func ("/ui/preferences/concurrency", test_concurrency);
  g_test_add_func ("/ui/preferences/template", test_template);
  g_test_add_func ("/ui/preferences/key-test", test_key_test);
  g_test_add_func ("/ui/preferences/remove-old", test_remove_old);
  g_test_add_func ("/ui/preferences/accessible", test_accessible);
  g_test_add_func ("/ui/preferences/shots", test_shots);
  g_test_add_func ("/ui/preferences/key-saved-resumes", test_key_saved_resumes);
  status = g_test_run ();
  lw_test_rmtree (keyring_dir);
  return status;
}

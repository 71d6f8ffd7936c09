/* test-cancel-save.c — what Cancel keeps, what Stop Now costs, where the
 * keyboard goes, and Save All saving twice into one folder (issues 13, 17).
 *
 * The cancel tests run the real Gemini engine over 127.0.0.1 against the
 * fake Gemini server with slow answers (1.5 s), so two requests are in
 * flight when the dock's Cancel is pressed (a real key press, xdotool):
 * the server's request log is the judge of what was paid for.
 */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>

#include "lw-engines.h"
#include "lw-gemini-input.h"
#include "lw-gemini-test-util.h"
#include "lw-settings.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"
#include "lw-ui-util.h"

#define LATENCY_MS 1500

typedef struct {
  LwUiFixture     fx;
  LwFakeGemini   *server;
  LwGeminiConfig *config;
  GPtrArray      *photos;
  GHashTable     *sent;     /* photo base name → SHA-256 of the bytes the engine sends */
} Run;

/* ---- waits ---------------------------------------------------------------- */

static Run *the_run;

static gboolean
two_at_server (LwUiFixture *fx)
{
  return lw_fake_gemini_get_in_flight (the_run->server) == 2
         && lw_job_session_get_in_flight (lw_window_get_session (fx->window)) == 2;
}

static gboolean
nothing_in_flight (LwUiFixture *fx)
{
  return lw_job_session_get_in_flight (lw_window_get_session (fx->window)) == 0
         && lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PROCESSING) == 0;
}

static gboolean
all_done (LwUiFixture *fx)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx->window)));

  return n > 0 && lw_ui_job_finished (fx) && lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED) == n;
}

static gboolean
export_done (LwUiFixture *fx)
{
  return !lw_job_session_get_exporting (lw_window_get_session (fx->window));
}

static gboolean
dialog_shown (LwUiFixture *fx)
{
  return lw_window_get_dialog (fx->window) != NULL && gtk_widget_get_mapped (lw_window_get_dialog (fx->window));
}

static GtkWidget *
focus_of (LwUiFixture *fx)
{
  return gtk_root_get_focus (GTK_ROOT (fx->window));
}

static gboolean
focus_on_stop_now (LwUiFixture *fx)
{
  return focus_of (fx) == lw_command_dock_get_stop_now_button (lw_window_get_dock (fx->window));
}

static gboolean
focus_on_save_all (LwUiFixture *fx)
{
  return focus_of (fx) == lw_command_dock_get_save_button (lw_window_get_dock (fx->window));
}

static const char *
dock_detail (LwUiFixture *fx)
{
  lw_window_refresh_now (fx->window);
  return lw_command_dock_get_detail (lw_window_get_dock (fx->window));
}

/* ---- set-up ----------------------------------------------------------------- */

static void
run_setup (Run *r)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  LwGeminiEngine *engine;
  GListModel *labels;
  guint n_labels, position = G_MAXUINT;

  memset (r, 0, sizeof *r);
  the_run = r;
  r->server = lw_test_fake_start ();
  /* Slow enough that Cancel comes with both requests at the server. */
  lw_fake_gemini_set_latency (r->server, LATENCY_MS, 0);
  r->config = lw_test_config_for (r->server, 30000);
  engine = lw_gemini_engine_new (r->config, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  lw_ui_fixture_setup_with_engine (&r->fx, LW_ENGINE (engine));

  /* Nano Banana, a paid model, as the person picks it in the header. */
  labels = gtk_drop_down_get_model (GTK_DROP_DOWN (lw_window_get_model_dropdown (r->fx.window)));
  n_labels = g_list_model_get_n_items (labels);
  for (guint i = 0; i < n_labels; i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (labels), i),
                   lw_ui_model_label (LW_MODEL_NANO_BANANA)) == 0)
      position = i;
  g_assert_cmpuint (position, <, n_labels);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (lw_window_get_model_dropdown (r->fx.window)), position);

  r->photos = lw_ui_copy_photos (&r->fx);
  g_assert_cmpuint (r->photos->len, >=, 3);
  r->sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < r->photos->len; i++)
    {
      const char *path = g_ptr_array_index (r->photos, i);
      g_autoptr(LwGeminiInput) input = lw_gemini_input_prepare (path, NULL, 0, 0, 0, r->config->max_input_edge,
                                                                NULL, &error);

      g_assert_no_error (error);
      g_hash_table_insert (r->sent, g_path_get_basename (path),
                           g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, input->data));
      g_ptr_array_add (paths, (gpointer) path);
    }
  g_assert_cmpuint (g_hash_table_size (r->sent), ==, r->photos->len);
  g_ptr_array_add (paths, NULL);
  lw_ui_activate (&r->fx, "win.stage-paths", g_variant_new_strv ((const char * const *) paths->pdata, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, &r->fx, 30000));
  lw_window_refresh_now (r->fx.window);
  g_assert_cmpstr (LW_UI_JOB (r->fx.window)->model, ==, LW_MODEL_NANO_BANANA);
  g_assert_cmpuint (lw_ui_count_items (&r->fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING), ==, r->photos->len);
}

static void
run_teardown (Run *r)
{
  lw_ui_fixture_teardown (&r->fx);
  lw_gemini_config_free (r->config);
  lw_fake_gemini_free (r->server);
  g_ptr_array_unref (r->photos);
  g_hash_table_unref (r->sent);
  the_run = NULL;
}

static guint
requests_for (Run *r, const char *path)
{
  g_autofree char *name = g_path_get_basename (path);

  return lw_fake_gemini_get_requests_for (r->server, g_hash_table_lookup (r->sent, name));
}

/* Launch, wait for two requests at the server, and press the dock's
 * Cancel from the keyboard (Tab-focused, Space). */
static void
launch_and_cancel (Run *r)
{
  GtkWidget *cancel = lw_command_dock_get_cancel_button (lw_window_get_dock (r->fx.window));
  const char *detail;

  lw_ui_focus_window (GTK_WIDGET (r->fx.window));
  lw_ui_activate (&r->fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (two_at_server, &r->fx, 30000));
  lw_window_refresh_now (r->fx.window);
  g_assert_true (gtk_widget_grab_focus (cancel));
  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "space", NULL });
  lw_ui_spin (100);
  g_assert_cmpint (LW_UI_JOB (r->fx.window)->status, ==, LW_JOB_CANCELLED);
  /* Both are still coming: the dock says so and offers Stop Now, which
   * has the keyboard (Cancel went insensitive under it). */
  g_assert_cmpuint (lw_job_session_get_in_flight (lw_window_get_session (r->fx.window)), ==, 2);
  detail = dock_detail (&r->fx);
  if (strstr (detail, "Finishing 2 in flight…") == NULL)
    g_error ("while the requests land the dock says “%s”", detail);
  g_assert_true (gtk_widget_get_mapped (lw_command_dock_get_stop_now_button (lw_window_get_dock (r->fx.window))));
  g_assert_false (gtk_widget_is_sensitive (cancel));
  g_assert_true (lw_ui_wait (focus_on_stop_now, &r->fx, 2000));
}

/* ---- Cancel keeps what was paid for --------------------------------------- */

static void
test_cancel_keeps_in_flight (void)
{
  Run r;
  guint n, sent_before;

  if (!lw_ui_real_keys_available ())
    return;
  run_setup (&r);
  n = r.photos->len;
  launch_and_cancel (&r);
  {
    const char *dir = g_getenv ("LW_TEST_SCREENSHOT_DIR");

    if (dir != NULL)
      {
        g_autofree char *path = g_build_filename (dir, "dock-finishing.png", NULL);

        lw_ui_spin (400);   /* the dock's spring settles */
        lw_ui_save_png (GTK_WIDGET (r.fx.window), path);
        g_test_message ("screenshot: %s", path);
      }
  }

  /* They land and are kept; nothing else was sent. */
  g_assert_true (lw_ui_wait (nothing_in_flight, &r.fx, 30000));
  lw_window_refresh_now (r.fx.window);
  g_assert_cmpuint (lw_ui_count_items (&r.fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED), ==, 2);
  g_assert_cmpuint (lw_ui_count_items (&r.fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING), ==, n - 2);
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (r.server), ==, 2);
  g_assert_cmpuint (lw_fake_gemini_get_n_delivered (r.server), ==, 2);
  g_assert_null (strstr (dock_detail (&r.fx), "Finishing"));
  g_assert_false (gtk_widget_get_visible (lw_command_dock_get_stop_now_button (lw_window_get_dock (r.fx.window))));
  /* Stop Now went with them: the keyboard is on the dock still (Save All,
   * for the two results), not lost. */
  if (!lw_ui_wait (focus_on_save_all, &r.fx, 2000))
    g_error ("after the last request landed the focus is on %s (%s)",
             focus_of (&r.fx) != NULL ? G_OBJECT_TYPE_NAME (focus_of (&r.fx)) : "nothing",
             focus_of (&r.fx) != NULL && gtk_widget_get_mapped (focus_of (&r.fx)) ? "mapped" : "not mapped");

  /* Resume: the rest are sent, the two kept ones are not sent again. */
  sent_before = lw_fake_gemini_get_n_requests (r.server);
  lw_ui_activate (&r.fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (all_done, &r.fx, 90000));
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (r.server), ==, sent_before + n - 2);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (requests_for (&r, g_ptr_array_index (r.photos, i)), ==, 1);
  g_test_message ("%u photos, %u requests", n, lw_fake_gemini_get_n_requests (r.server));
  run_teardown (&r);
}

/* ---- Stop Now abandons them, after saying what it costs --------------------- */

static void
test_stop_now (void)
{
  Run r;
  GtkWidget *dialog;
  const char *body;
  guint n;

  if (!lw_ui_real_keys_available ())
    return;
  run_setup (&r);
  n = r.photos->len;
  launch_and_cancel (&r);

  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "space", NULL });
  g_assert_true (lw_ui_wait (dialog_shown, &r.fx, 5000));
  dialog = lw_window_get_dialog (r.fx.window);
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  if (strstr (body, "2 requests were already sent: they may still be charged") == NULL)
    g_error ("Stop Now says “%s”", body);
  /* Its default is the safe answer: Return lets them finish. */
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "wait");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "stop");
  lw_ui_spin (100);

  /* Abandoned: every photo is back in the queue, nothing was kept. */
  g_assert_true (lw_ui_wait (nothing_in_flight, &r.fx, 10000));
  lw_window_refresh_now (r.fx.window);
  g_assert_cmpuint (lw_ui_count_items (&r.fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING), ==, n);
  g_assert_cmpuint (lw_ui_count_items (&r.fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED), ==, 0);
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (r.server), ==, 2);
  g_assert_null (strstr (dock_detail (&r.fx), "Finishing"));
  g_assert_false (gtk_widget_get_visible (lw_command_dock_get_stop_now_button (lw_window_get_dock (r.fx.window))));
  /* The keyboard is somewhere that takes it. */
  g_assert_nonnull (focus_of (&r.fx));
  g_assert_true (gtk_widget_get_mapped (focus_of (&r.fx)));
  run_teardown (&r);
}

/* ---- a natural finish, then Save All twice --------------------------------- */

static void
test_finish_and_save_twice (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autofree char *out = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *expected = NULL;
  GtkWidget *cancel;
  guint n;

  lw_ui_fixture_setup (&fx, 400);
  photos = lw_ui_stage_fixtures (&fx);
  n = photos->len;

  /* The keyboard on Cancel while it runs: when the job finishes, Cancel
   * goes insensitive and the keyboard goes to Save All, never nowhere. */
  lw_ui_activate (&fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (lw_ui_job_running, &fx, 10000));
  lw_window_refresh_now (fx.window);
  cancel = lw_command_dock_get_cancel_button (lw_window_get_dock (fx.window));
  g_assert_true (gtk_widget_grab_focus (cancel));
  g_assert_true (lw_ui_wait (all_done, &fx, 60000));
  if (!lw_ui_wait (focus_on_save_all, &fx, 3000))
    g_error ("after the job finished the focus is on %s",
             focus_of (&fx) != NULL ? G_OBJECT_TYPE_NAME (focus_of (&fx)) : "nothing");

  /* Save All into a folder, twice: the second time nothing is written
   * (no "-2" copies) and the toast says they were there. */
  out = g_build_filename (fx.tmpdir, "out", NULL);
  g_mkdir_with_parents (out, 0700);
  lw_ui_activate (&fx, "win.save-all-to", g_variant_new_string (out));
  g_assert_true (lw_ui_wait (export_done, &fx, 30000));
  lw_ui_spin (50);
  expected = g_strdup_printf ("Saved %u photos", n);
  g_assert_cmpstr (lw_window_get_last_toast (fx.window), ==, expected);
  g_assert_cmpuint (lw_test_count_files (out), ==, n);
  lw_ui_activate (&fx, "win.save-all-to", g_variant_new_string (out));
  g_assert_true (lw_ui_wait (export_done, &fx, 30000));
  lw_ui_spin (50);
  g_free (expected);
  expected = g_strdup_printf ("All %u photos were already there, nothing saved", n);
  g_assert_cmpstr (lw_window_get_last_toast (fx.window), ==, expected);
  g_assert_cmpuint (lw_test_count_files (out), ==, n);
  {
    g_autoptr(GDir) dir = g_dir_open (out, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      if (strstr (name, "-2.") != NULL)
        g_error ("a second copy was written: %s", name);
  }

  /* The folder is remembered (a setting the table refuses relative), */
  stored = lw_settings_get_string (lw_jobs_get_store (fx.jobs), LW_SETTING_SAVE_FOLDER);
  g_assert_cmpstr (stored, ==, out);
  g_assert_false (lw_settings_set (lw_jobs_get_store (fx.jobs), LW_SETTING_SAVE_FOLDER, "relative/out", NULL));

  /* and a new window's Save All opens there. */
  g_object_add_weak_pointer (G_OBJECT (fx.window), (gpointer *) &fx.window);
  gtk_window_destroy (GTK_WINDOW (fx.window));
  lw_ui_spin (300);
  g_assert_null (fx.window);
  fx.window = lw_window_new_for_jobs (fx.jobs);
  gtk_window_set_default_size (GTK_WINDOW (fx.window), 1280, 800);
  gtk_window_present (GTK_WINDOW (fx.window));
  g_assert_true (lw_ui_wait (all_done, &fx, 30000));
  lw_window_refresh_now (fx.window);
  {
    g_autofree char *start = lw_window_dup_save_folder (fx.window);
    g_autofree char *own = g_build_filename (fx.tmpdir, "own", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_cmpstr (start, ==, out);
    /* A job's own folder (lightwork-cli --out) wins for that job. */
    g_mkdir_with_parents (own, 0700);
    g_assert_true (lw_jobs_set_output (fx.jobs, LW_UI_JOB (fx.window)->id, own, NULL, &error));
    g_assert_no_error (error);
    lw_ui_spin (200);
    g_free (start);
    start = lw_window_dup_save_folder (fx.window);
    g_assert_cmpstr (start, ==, own);
  }
  /* The chooser itself is not shown here: GTK 4.8's file chooser leaks
   * under LeakSanitizer (libcloudproviders, a folder load cancelled by its
   * destruction); lw_window_choose_save_folder opens it at this folder. */
  lw_ui_fixture_teardown (&fx);
}

int
main (int argc, char **argv)
{
  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/cancel/keeps-in-flight", test_cancel_keeps_in_flight);
  g_test_add_func ("/ui/cancel/stop-now", test_stop_now);
  g_test_add_func ("/ui/save-all/finish-and-save-twice", test_finish_and_save_twice);
  return g_test_run ();
}

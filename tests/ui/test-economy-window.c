/* test-economy-window.c — economy mode in the window (docs/ARCHITECTURE.md,
 * "Economy"), with the real Gemini engine and its Batch API client talking
 * HTTP over 127.0.0.1 to the fake Gemini server: the job switched to
 * Economy in the header, the estimate before launch halves, a launch sends
 * batches whose states the batches list follows live, and every result
 * lands in the grid without a single live request. Then photos the batches
 * failed three times: "Try Failed Photos Live" asks, says the full price,
 * and sends each of them live exactly once.
 */
#include "config.h"

#include "lw-economy.h"
#include "lw-gemini-test-util.h"
#include "lw-models.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"
#include "lw-ui-util.h"

typedef struct {
  LwUiFixture     fx;
  LwFakeGemini   *server;
  LwGeminiConfig *config;
  GHashTable     *states_seen;   /* the batch rows' states, as the list showed them */
} Eco;

static void
eco_setup (Eco *e)
{
  g_autoptr(GError) error = NULL;
  LwGeminiEngine *engine;
  GListModel *labels;
  guint n_labels, position = G_MAXUINT;

  memset (e, 0, sizeof *e);
  /* Polls every 20–80 ms; batches of 2 photos, so there are several. */
  g_setenv (LW_ECONOMY_ENV_POLL_MS, "20", TRUE);
  g_setenv (LW_ECONOMY_ENV_BATCH_SIZE, "2", TRUE);
  e->server = lw_test_fake_start ();
  lw_fake_gemini_set_seed (e->server, 7);
  e->config = lw_test_config_for (e->server, 20000);
  engine = lw_gemini_engine_new (e->config, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  lw_ui_fixture_setup_with_engine (&e->fx, LW_ENGINE (engine));
  e->states_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* No key in the environment: the window starts on the local model,
   * which has no economy: the mode switch is not offered. */
  g_assert_false (gtk_widget_get_visible (lw_window_get_mode_dropdown (e->fx.window)));
  labels = gtk_drop_down_get_model (GTK_DROP_DOWN (lw_window_get_model_dropdown (e->fx.window)));
  n_labels = g_list_model_get_n_items (labels);
  for (guint i = 0; i < n_labels; i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (labels), i),
                   lw_ui_model_label (LW_MODEL_NANO_BANANA)) == 0)
      position = i;
  g_assert_cmpuint (position, <, n_labels);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (lw_window_get_model_dropdown (e->fx.window)), position);
  g_assert_cmpstr (lw_job_session_get_model (lw_window_get_session (e->fx.window)), ==, LW_MODEL_NANO_BANANA);
}

static void
eco_teardown (Eco *e)
{
  lw_ui_fixture_teardown (&e->fx);
  lw_gemini_config_free (e->config);
  lw_fake_gemini_free (e->server);
  g_hash_table_unref (e->states_seen);
}

static guint
eco_stage (Eco *e)
{
  g_autoptr(GPtrArray) paths = lw_ui_stage_fixtures (&e->fx);

  lw_window_refresh_now (e->fx.window);
  g_assert_cmpuint (lw_ui_count_items (&e->fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING), ==, paths->len);
  g_assert_cmpstr (LW_UI_JOB (e->fx.window)->model, ==, LW_MODEL_NANO_BANANA);
  return paths->len;
}

/* The person picks Economy in the header's mode switch. */
static void
switch_to_economy (Eco *e)
{
  GtkWidget *mode = lw_window_get_mode_dropdown (e->fx.window);
  gint64 job_id = LW_UI_JOB (e->fx.window)->id;

  g_assert_true (gtk_widget_get_visible (mode));
  g_assert_true (gtk_widget_get_sensitive (mode));
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (mode)), ==, 0);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (mode), 1);
  g_assert_cmpint (lw_jobs_get_mode (e->fx.jobs, job_id), ==, LW_JOB_MODE_ECONOMY);
  g_assert_true (gtk_widget_get_visible (lw_window_get_batches_button (e->fx.window)));
}

/* The states of the batch rows the list shows now. */
static void
note_states (Eco *e)
{
  for (GtkWidget *row = gtk_widget_get_first_child (lw_window_get_batch_list (e->fx.window)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    g_hash_table_add (e->states_seen, g_strdup (gtk_widget_get_name (row)));
}

static Eco *current;

static gboolean
running_seen (LwUiFixture *fx)
{
  note_states (current);
  return g_hash_table_contains (current->states_seen, "running") || lw_ui_job_finished (fx);
}

/* With LW_SHOTS_DIR set (tools/screenshots.sh), the window as the test
 * sees it, with the batches popover open when popover is TRUE. */
static void
shoot (Eco *e, const char *name, gboolean popover)
{
  const char *dir = g_getenv ("LW_SHOTS_DIR");
  g_autofree char *path = NULL;
  GtkWidget *button = lw_window_get_batches_button (e->fx.window);

  if (dir == NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  if (!popover)
    {
      lw_ui_spin (300);
      lw_ui_save_png (GTK_WIDGET (e->fx.window), path);
      return;
    }
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  lw_ui_spin (400);
  {
    GtkWidget *pop = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));

    lw_ui_save_png_with_popup (GTK_WIDGET (e->fx.window), pop, path);
  }
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
}

static gboolean
finished_noting (LwUiFixture *fx)
{
  note_states (current);
  return lw_ui_job_finished (fx) && !lw_jobs_economy_is_busy (fx->jobs);
}

static gboolean
job_stopped_noting (LwUiFixture *fx)
{
  note_states (current);
  return LW_UI_JOB (fx->window)->status != LW_JOB_PROCESSING && !lw_jobs_economy_is_busy (fx->jobs)
         && lw_scheduler_get_n_flights (fx->scheduler) == 0;
}

/* Every photo COMPLETED with its own result, each delivered once. */
static void
assert_results_own_and_once (Eco *e, guint n)
{
  GListModel *items = G_LIST_MODEL (LW_UI_ITEMS (e->fx.window));
  g_autoptr(GHashTable) stamps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_cmpuint (g_list_model_get_n_items (items), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LwImageItem) item = g_list_model_get_item (items, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) result = NULL;
      char *stamp;

      g_assert_cmpint (lw_image_item_get_status (item), ==, LW_IMAGE_COMPLETED);
      result = lw_blob_store_get_bytes (lw_core_get_blobs (e->fx.core), lw_image_item_get_processed_key (item), &error);
      g_assert_no_error (error);
      stamp = lw_fake_gemini_result_sha256 (result);
      g_assert_nonnull (stamp);
      g_assert_cmpuint (lw_fake_gemini_get_delivered_for (e->server, stamp), ==, 1);
      /* Each its own answer. */
      g_assert_true (g_hash_table_add (stamps, stamp));
    }
}

static void
test_economy_batches (void)
{
  Eco e;
  LwJobProjection before, after;
  LwCommandDock *dock;
  g_autofree char *want = NULL;
  guint n;

  eco_setup (&e);
  current = &e;
  /* Slow completion: two polls pending, two running. */
  lw_fake_gemini_set_batch_polls (e.server, 2, 2);
  n = eco_stage (&e);
  dock = lw_window_get_dock (e.fx.window);

  /* The estimate before launch, at the full price … */
  g_assert_true (lw_job_session_get_projection (lw_window_get_session (e.fx.window), &before, NULL));
  g_assert_cmpfloat_with_epsilon (before.cost_per_photo, LW_GEMINI_DEFAULT_PRICE_FAST, 1e-9);
  want = g_strdup_printf ("About $%.2f for %u photos", before.cost_per_photo * n, n);
  g_assert_nonnull (strstr (lw_command_dock_get_detail (dock), want));

  /* … halves in Economy, in the dock too. */
  switch_to_economy (&e);
  g_assert_true (lw_job_session_get_projection (lw_window_get_session (e.fx.window), &after, NULL));
  g_assert_cmpfloat_with_epsilon (after.cost_per_photo, before.cost_per_photo * LW_MODEL_BATCH_PRICE_FACTOR, 1e-9);
  g_clear_pointer (&want, g_free);
  want = g_strdup_printf ("About $%.2f for %u photos", after.cost_per_photo * n, n);
  g_assert_nonnull (strstr (lw_command_dock_get_detail (dock), want));
  shoot (&e, "economy-switch.png", FALSE);
  /* No batch yet: the list says so. */
  g_assert_false (gtk_widget_get_visible (lw_window_get_batch_list (e.fx.window)));

  lw_ui_activate (&e.fx, "win.launch", NULL);
  /* The mode is fixed while the job runs. */
  g_assert_true (lw_ui_wait (lw_ui_job_running, &e.fx, 10000));
  g_assert_false (gtk_widget_get_sensitive (lw_window_get_mode_dropdown (e.fx.window)));
  if (!lw_ui_wait (running_seen, &e.fx, 120000))
    {
      g_autofree char *seen = g_strjoinv (" ", (char **) g_hash_table_get_keys_as_array (e.states_seen, NULL));

      g_error ("no batch seen running: job %d, states seen: %s, done %u, batches created %u", LW_UI_JOB (e.fx.window)->status,
               seen, lw_ui_count_items (&e.fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED),
               lw_fake_gemini_get_n_batches (e.server));
    }
  /* The dock says where the photos are: at Google, not "0 in flight". */
  g_assert_nonnull (strstr (lw_command_dock_get_detail (dock), "at Google"));
  g_assert_null (strstr (lw_command_dock_get_detail (dock), "0 in flight"));
  /* Without the popover: the dock's words are the point here. */
  shoot (&e, "economy-batches-running.png", FALSE);
  g_assert_true (lw_ui_wait (finished_noting, &e.fx, 60000));
  lw_ui_spin (50);
  note_states (&e);

  shoot (&e, "economy-batches-done.png", TRUE);
  /* The list followed the batches as Google moved them on. */
  g_assert_true (g_hash_table_contains (e.states_seen, "pending"));
  g_assert_true (g_hash_table_contains (e.states_seen, "running"));
  g_assert_true (g_hash_table_contains (e.states_seen, "done"));
  {
    GtkWidget *list = lw_window_get_batch_list (e.fx.window);
    guint rows = 0;

    g_assert_true (gtk_widget_get_visible (list));
    for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
      {
        g_assert_cmpstr (gtk_widget_get_name (row), ==, "done");
        rows++;
      }
    /* Batches of 2. */
    g_assert_cmpuint (rows, ==, (n + 1) / 2);
    g_assert_cmpuint (lw_fake_gemini_get_n_batches (e.server), ==, rows);
  }

  /* Every result in the grid, none sent live, paid at half the price. */
  g_assert_cmpuint (lw_ui_count_items (&e.fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED), ==, n);
  {
    g_autofree char *done = g_strdup_printf ("%u", n);

    lw_ui_assert_label_becomes (&e.fx, lw_window_get_count_done (e.fx.window), done);
  }
  assert_results_own_and_once (&e, n);
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (e.server), ==, 0);
  g_assert_cmpfloat_with_epsilon (lw_job_session_get_spent (lw_window_get_session (e.fx.window)),
                                  n * LW_GEMINI_DEFAULT_PRICE_FAST * LW_MODEL_BATCH_PRICE_FACTOR, 1e-6);
  /* Nothing failed in a batch: nothing to try live. */
  lw_ui_activate (&e.fx, "win.try-failed-live", NULL);
  g_assert_null (lw_window_get_dialog (e.fx.window));
  eco_teardown (&e);
}

static void
test_try_failed_live (void)
{
  Eco e;
  GtkWidget *dialog;
  g_autofree char *price = NULL;
  guint n;

  eco_setup (&e);
  current = &e;
  /* Every entry fails in every batch: after three batches, each photo
   * fails with code "batch". */
  lw_fake_gemini_set_batch_entry_failure_rate (e.server, 1.0);
  n = eco_stage (&e);
  switch_to_economy (&e);
  lw_ui_activate (&e.fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (job_stopped_noting, &e.fx, 60000));
  lw_ui_spin (50);
  g_assert_cmpuint (lw_ui_count_items (&e.fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_FAILED), ==, n);
  g_assert_cmpint (lw_jobs_count_batch_failed (e.fx.jobs, LW_UI_JOB (e.fx.window)->id, NULL), ==, (int) n);
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (e.server), ==, 0);

  /* Consent first: the question says the full price, not half. */
  lw_fake_gemini_set_batch_entry_failure_rate (e.server, 0.0);
  lw_ui_activate (&e.fx, "win.try-failed-live", NULL);
  dialog = lw_window_get_dialog (e.fx.window);
  g_assert_nonnull (dialog);
  price = g_strdup_printf ("$%.3f", LW_GEMINI_DEFAULT_PRICE_FAST);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), price));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "full price"));
  /* Cancel sends nothing. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  lw_ui_spin (100);
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (e.server), ==, 0);
  g_assert_cmpint (lw_jobs_count_batch_failed (e.fx.jobs, LW_UI_JOB (e.fx.window)->id, NULL), ==, (int) n);

  lw_ui_activate (&e.fx, "win.try-failed-live", NULL);
  dialog = lw_window_get_dialog (e.fx.window);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "live");
  g_assert_true (lw_ui_wait (finished_noting, &e.fx, 60000));
  lw_ui_spin (50);

  /* Each sent live exactly once, each result its own. */
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (e.server), ==, n);
  assert_results_own_and_once (&e, n);
  g_assert_cmpint (lw_jobs_count_batch_failed (e.fx.jobs, LW_UI_JOB (e.fx.window)->id, NULL), ==, 0);
  /* And never again: nothing is left to move. */
  lw_ui_activate (&e.fx, "win.try-failed-live", NULL);
  lw_ui_spin (200);
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (e.server), ==, n);
  eco_teardown (&e);
}

/* Where the widget lies in the window; fails when it is not shown or
 * reaches past the window's edges. */
static void
assert_inside (Eco *e, GtkWidget *widget, const char *what)
{
  graphene_rect_t bounds;
  int width = gtk_widget_get_width (GTK_WIDGET (e->fx.window));
  int height = gtk_widget_get_height (GTK_WIDGET (e->fx.window));

  if (!gtk_widget_get_mapped (widget))
    g_error ("%s is not shown at %d×%d", what, width, height);
  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (e->fx.window), &bounds));
  g_test_message ("%s at %.0f,%.0f %.0f×%.0f in %d×%d", what, bounds.origin.x, bounds.origin.y,
                  bounds.size.width, bounds.size.height, width, height);
  if (bounds.origin.x < 0 || bounds.origin.y < 0 || bounds.origin.x + bounds.size.width > width
      || bounds.origin.y + bounds.size.height > height || bounds.size.width < 1)
    g_error ("%s lies outside the %d×%d window", what, width, height);
}

/* At GNOME's small-screen width (360 px) an economy job keeps the model,
 * the mode and its batches within reach, and the window asks for no more. */
static void
test_narrow (void)
{
  Eco e;
  int minimum = 0, natural = 0;

  eco_setup (&e);
  current = &e;
  eco_stage (&e);
  switch_to_economy (&e);
  gtk_window_set_default_size (GTK_WINDOW (e.fx.window), 360, 640);
  lw_ui_spin (600);
  gtk_widget_measure (GTK_WIDGET (e.fx.window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  g_test_message ("the window asks for %d px at least", minimum);
  g_assert_cmpint (minimum, <=, 360);
  assert_inside (&e, lw_window_get_model_dropdown (e.fx.window), "the model");
  assert_inside (&e, lw_window_get_mode_dropdown (e.fx.window), "the mode");
  assert_inside (&e, lw_window_get_batches_button (e.fx.window), "the batches button");
  shoot (&e, "economy-360.png", FALSE);
  current = NULL;
  eco_teardown (&e);
}

int
main (int argc, char **argv)
{
  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/economy/batches", test_economy_batches);
  g_test_add_func ("/ui/economy/try-failed-live", test_try_failed_live);
  g_test_add_func ("/ui/economy/narrow", test_narrow);
  return g_test_run ();
}

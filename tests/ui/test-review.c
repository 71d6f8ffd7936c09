/* test-review.c — the grid side of review (issue 12) on a real window:
 * accept and reject through actions and real keys (xdotool), kept with the
 * job (read back by another LwCore on the same folder), the Accepted and
 * Rejected tabs, Save All's "accepted only"; an instruction on finished
 * photos asks to redo them and Redo makes take 2; a trial run of 12 photos
 * runs 5, stops and shows the projection, which is within 5 % of what the
 * whole job cost; the dock's projected cost before a paid launch.
 * The background part (notification, hold, inhibit) is test-background.c. */
#include "config.h"

#include <gdk/x11/gdkx.h>

#include "lw-image-tile.h"
#include "lw-models.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"

/* ---- helpers ------------------------------------------------------------- */

static void
stage_paths (LwUiFixture *fx, GPtrArray *photos)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  for (guint i = 0; i < photos->len; i++)
    g_ptr_array_add (paths, g_ptr_array_index (photos, i));
  g_ptr_array_add (paths, NULL);
  lw_ui_activate (fx, "win.stage-paths", g_variant_new_strv ((const char * const *) paths->pdata, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, fx, 30000));
  lw_window_refresh_now (fx->window);
}

static void
run_to_end (LwUiFixture *fx)
{
  lw_ui_activate (fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (lw_ui_job_finished, fx, 60000));
  lw_window_refresh_now (fx->window);
}

static guint
position_of (LwUiFixture *fx, LwImageItem *item)
{
  GListModel *shown = lw_window_get_filtered (fx->window);
  guint n = g_list_model_get_n_items (shown);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LwImageItem) each = g_list_model_get_item (shown, i);

      if (each == item)
        return i;
    }
  g_assert_not_reached ();
}

static void
select_only (LwUiFixture *fx, LwImageItem *item)
{
  GtkSelectionModel *selection = lw_staging_grid_get_selection (lw_window_get_staging_grid (fx->window));

  gtk_selection_model_select_item (selection, position_of (fx, item), TRUE);
  lw_window_refresh_now (fx->window);
}

static LwImageItem *
nth_item (LwUiFixture *fx, guint n)
{
  g_autoptr(LwImageItem) item = g_list_model_get_item (G_LIST_MODEL (LW_UI_ITEMS (fx->window)), n);

  return item;  /* the store keeps it */
}

static LwImageTile *
tile_of (LwUiFixture *fx, LwImageItem *item)
{
  LwStagingGrid *grid = lw_window_get_staging_grid (fx->window);

  for (guint i = 0; i < lw_staging_grid_get_n_tiles (grid); i++)
    {
      LwImageTile *tile = lw_staging_grid_get_nth_tile (grid, i);

      if (lw_image_tile_get_item (tile) == item)
        return tile;
    }
  return NULL;
}

static guint n_shown;

static gboolean
shown_is (LwUiFixture *fx)
{
  return g_list_model_get_n_items (lw_window_get_filtered (fx->window)) == n_shown;
}

static void
assert_shown (LwUiFixture *fx, guint n)
{
  n_shown = n;
  if (!lw_ui_wait (shown_is, fx, 5000))
    g_error ("the grid shows %u photos, expected %u", g_list_model_get_n_items (lw_window_get_filtered (fx->window)), n);
}

static gboolean
dialog_shown (LwUiFixture *fx)
{
  return lw_window_get_dialog (fx->window) != NULL;
}

static gboolean
export_done (LwUiFixture *fx)
{
  return !lw_job_session_get_exporting (lw_window_get_session (fx->window));
}

/* What a response button does: the response, then the dialog closes. */
static void
respond (LwUiFixture *fx, const char *response)
{
  GtkWidget *dialog = lw_window_get_dialog (fx->window);

  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  if (lw_window_get_dialog (fx->window) == dialog)
    gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_null (lw_window_get_dialog (fx->window));
}

static LwImageItem *awaited_item;
static LwReview awaited_review;

static gboolean
item_reviewed (LwUiFixture *fx)
{
  return lw_image_item_get_review (awaited_item) == awaited_review;
}

static void
press (LwUiFixture *fx, const char *key, LwImageItem *item, LwReview review)
{
  awaited_item = item;
  awaited_review = review;
  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", key, NULL });
  if (!lw_ui_wait (item_reviewed, fx, 10000))
    g_error ("%s did not review %s", key, lw_image_item_get_name (item));
}

/* The review as saved: read by another core on the same data folder, as
 * the next start of the application would. */
static LwReview
saved_review (LwUiFixture *fx, gint64 image_id)
{
  g_autofree char *data = g_build_filename (fx->tmpdir, "data", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = lw_core_open_full (data, NULL, LW_CORE_OPEN_READ_ONLY, &error);
  g_autoptr(LwJobs) jobs = NULL;
  g_autoptr(LwImage) image = NULL;

  g_assert_no_error (error);
  jobs = lw_jobs_new (core);
  image = lw_jobs_get_image (jobs, image_id, &error);
  g_assert_no_error (error);
  return image->review;
}

/* ---- accept, reject, tabs, Save All --------------------------------------- */

static void
test_review (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autofree char *out_all = NULL;
  g_autofree char *out_accepted = NULL;
  LwImageItem *a, *b, *c;
  LwImageTile *tile;
  g_autofree char *label = NULL;
  guint n;

  if (!lw_ui_real_keys_available ())
    return;

  lw_ui_fixture_setup (&fx, 20);
  photos = lw_ui_copy_photos (&fx);
  n = photos->len;
  g_assert_cmpuint (n, >=, 4);
  stage_paths (&fx, photos);
  /* Nothing to review yet: no review tabs. */
  g_assert_false (gtk_widget_get_visible (lw_window_get_filter_accepted (fx.window)));
  run_to_end (&fx);
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED), ==, n);
  g_assert_true (gtk_widget_get_visible (lw_window_get_filter_accepted (fx.window)));
  a = nth_item (&fx, 0);
  b = nth_item (&fx, 1);
  c = nth_item (&fx, 2);

  /* Through the action. */
  select_only (&fx, a);
  lw_ui_activate (&fx, "win.review", g_variant_new_string ("accepted"));
  g_assert_cmpint (lw_image_item_get_review (a), ==, LW_REVIEW_ACCEPTED);
  lw_ui_spin (50);
  tile = tile_of (&fx, a);
  g_assert_nonnull (tile);
  label = lw_image_tile_dup_accessible_label (tile);
  g_assert_nonnull (strstr (label, ", accepted"));

  /* Through real keys, with the grid focused as after a click. */
  lw_ui_focus_window (GTK_WIDGET (fx.window));
  gtk_widget_grab_focus (lw_staging_grid_get_grid_view (lw_window_get_staging_grid (fx.window)));
  lw_ui_spin (100);
  select_only (&fx, b);
  press (&fx, "x", b, LW_REVIEW_REJECTED);
  select_only (&fx, c);
  press (&fx, "p", c, LW_REVIEW_ACCEPTED);
  press (&fx, "u", c, LW_REVIEW_UNDECIDED);
  press (&fx, "p", c, LW_REVIEW_ACCEPTED);
  g_clear_pointer (&label, g_free);
  label = lw_image_tile_dup_accessible_label (tile_of (&fx, b));
  g_assert_nonnull (strstr (label, ", rejected"));

  /* Saved with the job. */
  g_assert_cmpint (saved_review (&fx, lw_image_item_get_id (a)), ==, LW_REVIEW_ACCEPTED);
  g_assert_cmpint (saved_review (&fx, lw_image_item_get_id (b)), ==, LW_REVIEW_REJECTED);
  g_assert_cmpint (saved_review (&fx, lw_image_item_get_id (c)), ==, LW_REVIEW_ACCEPTED);
  g_assert_cmpint (saved_review (&fx, lw_image_item_get_id (nth_item (&fx, 3))), ==, LW_REVIEW_UNDECIDED);

  /* The tabs: counts, and the tiles they show (Alt+5 a real key). */
  lw_ui_assert_label_becomes (&fx, lw_window_get_count_accepted (fx.window), "2");
  lw_ui_assert_label_becomes (&fx, lw_window_get_count_rejected (fx.window), "1");
  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "alt+5", NULL });
  assert_shown (&fx, 2);
  {
    g_autoptr(LwImageItem) first = g_list_model_get_item (lw_window_get_filtered (fx.window), 0);
    g_autoptr(LwImageItem) second = g_list_model_get_item (lw_window_get_filtered (fx.window), 1);

    g_assert_true (first == a);
    g_assert_true (second == c);
  }
  lw_ui_activate (&fx, "win.filter", g_variant_new_string ("rejected"));
  assert_shown (&fx, 1);
  /* Undecided leaves the Rejected tab at once. */
  select_only (&fx, b);
  lw_ui_activate (&fx, "win.review", g_variant_new_string ("undecided"));
  assert_shown (&fx, 0);
  lw_ui_activate (&fx, "win.filter", g_variant_new_string ("all"));
  assert_shown (&fx, n);

  /* Save All offers the accepted ones… */
  lw_ui_activate (&fx, "win.save-all", NULL);
  g_assert_true (lw_ui_wait (dialog_shown, &fx, 5000));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (lw_window_get_dialog (fx.window)), "accepted"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (lw_window_get_dialog (fx.window)), "all"));
  respond (&fx, "cancel");
  /* …and saving them writes only those; all writes every result. */
  out_accepted = g_build_filename (fx.tmpdir, "accepted", NULL);
  out_all = g_build_filename (fx.tmpdir, "all", NULL);
  g_mkdir_with_parents (out_accepted, 0700);
  g_mkdir_with_parents (out_all, 0700);
  lw_ui_activate (&fx, "win.save-accepted-to", g_variant_new_string (out_accepted));
  g_assert_true (lw_ui_wait (export_done, &fx, 30000));
  g_assert_cmpuint (lw_test_count_files (out_accepted), ==, 2);
  lw_ui_activate (&fx, "win.save-all-to", g_variant_new_string (out_all));
  g_assert_true (lw_ui_wait (export_done, &fx, 30000));
  g_assert_cmpuint (lw_test_count_files (out_all), ==, n);

  lw_ui_fixture_teardown (&fx);
}

/* ---- an instruction on finished photos: Redo makes take 2 ----------------- */

static void
test_redo (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  GtkSelectionModel *selection;
  LwImageItem *a, *b;
  LwJobs *jobs;

  lw_ui_fixture_setup (&fx, 20);
  photos = lw_ui_copy_photos (&fx);
  stage_paths (&fx, photos);
  run_to_end (&fx);
  jobs = lw_window_get_jobs (fx.window);
  a = nth_item (&fx, 0);
  b = nth_item (&fx, 1);
  selection = lw_staging_grid_get_selection (lw_window_get_staging_grid (fx.window));
  gtk_selection_model_select_item (selection, position_of (&fx, a), TRUE);
  gtk_selection_model_select_item (selection, position_of (&fx, b), FALSE);

  /* Later: the instruction stays, nothing is sent. */
  g_signal_emit_by_name (lw_window_get_prompt_editor (fx.window), "apply", "Warmer light");
  g_assert_true (lw_ui_wait (dialog_shown, &fx, 5000));
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (lw_window_get_dialog (fx.window))), ==,
                   "Redo 2 photos with the new instruction?");
  respond (&fx, "later");
  g_assert_cmpstr (lw_image_item_get_specific_prompt (a), ==, "Warmer light");
  g_assert_cmpint (lw_image_item_get_status (a), ==, LW_IMAGE_COMPLETED);

  /* Redo: new takes, the earlier ones kept as versions. */
  g_signal_emit_by_name (lw_window_get_prompt_editor (fx.window), "apply", "Warmer light, less red");
  g_assert_true (lw_ui_wait (dialog_shown, &fx, 5000));
  respond (&fx, "redo");
  g_assert_true (lw_ui_wait (lw_ui_job_finished, &fx, 60000));
  for (guint i = 0; i < 2; i++)
    {
      LwImageItem *item = i == 0 ? a : b;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) versions = lw_jobs_list_versions (jobs, lw_image_item_get_id (item), &error);
      g_autoptr(LwImage) image = lw_jobs_get_image (jobs, lw_image_item_get_id (item), &error);

      g_assert_no_error (error);
      g_assert_cmpuint (versions->len, ==, 2);
      g_assert_cmpint (image->version, ==, 2);
      g_assert_cmpint (image->status, ==, LW_IMAGE_COMPLETED);
      g_assert_cmpstr (image->specific_prompt, ==, "Warmer light, less red");
      g_assert_cmpuint (lw_fake_engine_get_calls_for (fx.engine, lw_image_item_get_id (item)), ==, 2);
    }
  /* The others were not touched. */
  g_assert_cmpuint (lw_fake_engine_get_n_calls (fx.engine), ==, photos->len + 2);

  /* An instruction on photos not yet run asks nothing. */
  lw_ui_fixture_teardown (&fx);
}

/* ---- trial run and projections -------------------------------------------- */

/* 12 distinct photos (the fixtures are fewer): flat colours. */
static GPtrArray *
make_photos (LwUiFixture *fx, guint n)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 96, 72);
      g_autoptr(GError) error = NULL;
      char *path = g_strdup_printf ("%s/trial-%02u.png", fx->photos, i);

      gdk_pixbuf_fill (pixbuf, 0x10203000u + (i * 0x0a1b2c00u));
      gdk_pixbuf_save (pixbuf, path, "png", &error, NULL);
      g_assert_no_error (error);
      g_ptr_array_add (paths, path);
    }
  return paths;
}

static gboolean
trial_stopped (LwUiFixture *fx)
{
  return dialog_shown (fx) && LW_UI_JOB (fx->window) != NULL && LW_UI_JOB (fx->window)->status != LW_JOB_PROCESSING;
}

#define TRIAL_PRICE 0.05

static void
test_trial (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(GError) error = NULL;
  LwJobSession *session;
  LwJobProjection projection;
  LwJobProgress progress;
  LwJobCounts counts;
  const char *body;
  g_autofree char *expected = NULL;

  lw_ui_fixture_setup (&fx, 30);
  /* The engine's price per call (the fake one's, here). */
  lw_fake_engine_set_cost (fx.engine, TRIAL_PRICE);
  session = lw_window_get_session (fx.window);
  g_assert_true (lw_job_session_set_model (session, LW_MODEL_NANO_BANANA, &error));
  g_assert_no_error (error);
  photos = make_photos (&fx, 12);
  stage_paths (&fx, photos);

  /* Before launching a paid model: the dock says what it will cost. */
  expected = g_strdup_printf ("About $%.2f for 12 photos", 12 * TRIAL_PRICE);
  if (strstr (lw_command_dock_get_detail (lw_window_get_dock (fx.window)), expected) == NULL)
    g_error ("the dock says “%s”, not “%s”", lw_command_dock_get_detail (lw_window_get_dock (fx.window)), expected);

  lw_ui_activate (&fx, "win.trial", NULL);
  g_assert_true (lw_ui_wait (trial_stopped, &fx, 60000));
  lw_window_refresh_now (fx.window);
  lw_job_session_get_counts (session, &counts, NULL);
  g_assert_cmpint (counts.completed, ==, LW_TRIAL_SIZE);
  g_assert_cmpint (counts.pending, ==, 12 - LW_TRIAL_SIZE);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (fx.engine), ==, LW_TRIAL_SIZE);

  /* The projection, in the dialog and in the dock. */
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (lw_window_get_dialog (fx.window))), ==,
                   "Trial Run Finished");
  g_assert_true (lw_job_session_get_projection (session, &projection, &error));
  g_assert_no_error (error);
  g_assert_cmpint (projection.left, ==, 12 - LW_TRIAL_SIZE);
  g_assert_cmpfloat_with_epsilon (projection.cost_per_photo, TRIAL_PRICE, 1e-9);
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (lw_window_get_dialog (fx.window)));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("The whole job will cost about $%.2f", projection.projected_cost);
  if (strstr (body, expected) == NULL || strstr (body, "5 photos are done.") == NULL
      || strstr (body, "The other 7 will take about") == NULL)
    g_error ("the trial's dialog says “%s”", body);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("About $%.2f for 7 photos", 7 * TRIAL_PRICE);
  if (strstr (lw_command_dock_get_detail (lw_window_get_dock (fx.window)), expected) == NULL)
    g_error ("the dock says “%s”, not “%s”", lw_command_dock_get_detail (lw_window_get_dock (fx.window)), expected);

  /* Launch the Rest: the whole job costs what the trial said, within 5 %. */
  respond (&fx, "launch");
  g_assert_true (lw_ui_wait (lw_ui_job_finished, &fx, 60000));
  g_assert_true (lw_jobs_get_progress (lw_window_get_jobs (fx.window), lw_window_get_job_id (fx.window), &progress,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpint (progress.counts.completed, ==, 12);
  g_assert_cmpfloat (progress.spent, >, 0);
  g_assert_cmpfloat (ABS (progress.spent - projection.projected_cost), <=, 0.05 * progress.spent);
  /* Finished: no projection any more. */
  lw_window_refresh_now (fx.window);
  g_assert_null (strstr (lw_command_dock_get_detail (lw_window_get_dock (fx.window)), "About"));

  lw_ui_fixture_teardown (&fx);
}

/* A free (local) model: no projected cost in the dock. */
static void
test_free_has_no_projection (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(GError) error = NULL;

  lw_ui_fixture_setup (&fx, 20);
  g_assert_true (lw_job_session_set_model (lw_window_get_session (fx.window), LW_MODEL_LOCAL, &error));
  photos = lw_ui_copy_photos (&fx);
  stage_paths (&fx, photos);
  g_assert_null (strstr (lw_command_dock_get_detail (lw_window_get_dock (fx.window)), "$"));
  lw_ui_fixture_teardown (&fx);
}


/* A result that failed an automatic check (docs/ARCHITECTURE.md, "Results")
 * is done with a doubt: its tile says "Needs Review", shows the reason and
 * a screen reader hears it; a result that passed says "Done". */
static void
test_needs_review_tile (void)
{
  g_autoptr(LwTextureCache) cache = lw_texture_cache_new (256, 1024 * 1024);
  g_autofree char *root = lw_test_make_tmpdir ("lw-tile");
  GtkWidget *window = gtk_window_new ();
  GtkWidget *tile = lw_image_tile_new (cache, root);
  LwImage image = { 0 };
  g_autoptr(LwImageItem) item = NULL;
  g_autofree char *spoken = NULL;

  image.id = 7;
  image.job_id = 1;
  image.original_name = (char *) "swapped.jpg";
  image.status = LW_IMAGE_COMPLETED;
  image.review_reason = (char *) "It looks like a different picture";
  item = lw_image_item_new_from_image (&image);
  gtk_window_set_child (GTK_WINDOW (window), tile);
  lw_image_tile_set_item (LW_IMAGE_TILE (tile), item);
  g_assert_cmpstr (lw_image_tile_get_chip_text (LW_IMAGE_TILE (tile)), ==, "Needs Review");
  spoken = lw_image_tile_dup_accessible_label (LW_IMAGE_TILE (tile));
  g_assert_nonnull (strstr (spoken, "It looks like a different picture"));

  /* Redone, and this time it passed. */
  image.review_reason = NULL;
  lw_image_item_update (item, &image);
  g_assert_cmpstr (lw_image_tile_get_chip_text (LW_IMAGE_TILE (tile)), ==, "Done");
  g_clear_pointer (&spoken, g_free);
  spoken = lw_image_tile_dup_accessible_label (LW_IMAGE_TILE (tile));
  g_assert_null (strstr (spoken, "different picture"));
  lw_image_tile_set_item (LW_IMAGE_TILE (tile), NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  lw_test_rmtree (root);
}

int
main (int argc, char **argv)
{
  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/review/accept-reject-tabs-save", test_review);
  g_test_add_func ("/review/instruction-redo", test_redo);
  g_test_add_func ("/review/trial-run", test_trial);
  g_test_add_func ("/review/free-has-no-projection", test_free_has_no_projection);
  g_test_add_func ("/review/needs-review-tile", test_needs_review_tile);
  return g_test_run ();
}

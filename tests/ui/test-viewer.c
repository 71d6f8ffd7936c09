/* test-viewer.c — the photo viewer on a real window and a real job run by
 * the local engine (GEGL): opened by its action and by real keys (xdotool
 * under Xvfb), before/after, zoom, stepping, review saved with the job,
 * redo as a new take and the take that is saved. */
#include "config.h"

#include <gdk/x11/gdkx.h>

#include "lw-local-engine.h"
#include "lw-prompt.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"

static gboolean
job_finished (LwUiFixture *fx)
{
  return lw_ui_job_finished (fx) && lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED) > 0
         && lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING) == 0;
}

static gboolean
viewer_ready (LwUiFixture *fx)
{
  LwViewer *viewer = lw_window_get_viewer (fx->window);

  return viewer != NULL && gtk_widget_get_visible (GTK_WIDGET (viewer)) && lw_viewer_get_ready (viewer);
}

static gboolean
viewer_hidden (LwUiFixture *fx)
{
  LwViewer *viewer = lw_window_get_viewer (fx->window);

  return viewer != NULL && !gtk_widget_get_visible (GTK_WIDGET (viewer));
}

/* A window of photos processed by the local engine, done. */
static void
setup_finished_job (LwUiFixture *fx)
{
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  lw_ui_fixture_setup_with_engine (fx, LW_ENGINE (lw_local_engine_new (1)));
  lw_job_session_set_model (lw_window_get_session (fx->window), "local", NULL);
  photos = lw_ui_copy_photos (fx);
  /* Four are enough to step through, and keep GEGL's time down. */
  for (guint i = 0; i < MIN (photos->len, 4); i++)
    g_ptr_array_add (paths, g_ptr_array_index (photos, i));
  g_ptr_array_add (paths, NULL);
  lw_ui_activate (fx, "win.stage-paths", g_variant_new_strv ((const char * const *) paths->pdata, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, fx, 30000));
  lw_ui_activate (fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (job_finished, fx, 120000));
  lw_window_refresh_now (fx->window);
}

static LwImageItem *
select_position (LwUiFixture *fx,
                 guint        position)
{
  GtkSelectionModel *selection = lw_staging_grid_get_selection (lw_window_get_staging_grid (fx->window));
  g_autoptr(LwImageItem) item = g_list_model_get_item (lw_window_get_filtered (fx->window), position);

  gtk_selection_model_select_item (selection, position, TRUE);
  lw_window_refresh_now (fx->window);
  return item;
}

static void
viewer_activate (LwViewer   *viewer,
                 const char *action,
                 GVariant   *parameter)
{
  g_autoptr(GVariant) owned = parameter != NULL ? g_variant_ref_sink (parameter) : NULL;

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (viewer), action, owned));
}

static LwReview
review_in_db (LwJobs *jobs,
              gint64  image_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwImage) image = lw_jobs_get_image (jobs, image_id, &error);

  g_assert_no_error (error);
  return image->review;
}

/* ---- by actions ------------------------------------------------------------ */

static void
test_actions (void)
{
  LwUiFixture fx;
  LwViewer *viewer;
  LwViewerCanvas *canvas;
  LwImageItem *first, *second;
  gint64 accepted_id, rejected_id;

  setup_finished_job (&fx);
  first = select_position (&fx, 0);
  lw_ui_activate (&fx, "win.view", NULL);
  viewer = lw_window_get_viewer (fx.window);
  g_assert_nonnull (viewer);
  g_assert_true (lw_ui_wait (viewer_ready, &fx, 20000));
  g_assert_true (lw_viewer_get_item (viewer) == first);
  canvas = lw_viewer_get_canvas (viewer);
  g_assert_true (lw_viewer_canvas_has_picture (canvas));
  g_assert_true (lw_viewer_canvas_get_fitted (canvas));
  g_assert_cmpint (lw_viewer_get_n_takes (viewer), ==, 1);
  g_assert_cmpint (lw_viewer_get_take (viewer), ==, 1);

  /* Before and after. */
  g_assert_cmpint (lw_viewer_canvas_get_mode (canvas), ==, LW_VIEWER_MODE_AFTER);
  viewer_activate (viewer, "viewer.toggle-before", NULL);
  g_assert_cmpint (lw_viewer_canvas_get_mode (canvas), ==, LW_VIEWER_MODE_BEFORE);
  viewer_activate (viewer, "viewer.toggle-before", NULL);
  g_assert_cmpint (lw_viewer_canvas_get_mode (canvas), ==, LW_VIEWER_MODE_AFTER);
  viewer_activate (viewer, "viewer.mode", g_variant_new_string ("split"));
  g_assert_cmpint (lw_viewer_canvas_get_mode (canvas), ==, LW_VIEWER_MODE_SPLIT);
  g_assert_cmpfloat_with_epsilon (lw_viewer_canvas_get_divider (canvas), 0.5, 1e-9);
  viewer_activate (viewer, "viewer.divider", g_variant_new_double (0.05));
  g_assert_cmpfloat_with_epsilon (lw_viewer_canvas_get_divider (canvas), 0.55, 1e-9);
  lw_ui_spin (100);

  /* Zoom: 100 %, in, out, fit; the full size is decoded for 100 %. */
  viewer_activate (viewer, "viewer.zoom-original", NULL);
  g_assert_false (lw_viewer_canvas_get_fitted (canvas));
  g_assert_cmpfloat_with_epsilon (lw_viewer_canvas_get_zoom (canvas), 1.0, 1e-9);
  viewer_activate (viewer, "viewer.zoom-in", NULL);
  g_assert_cmpfloat_with_epsilon (lw_viewer_canvas_get_zoom (canvas), 1.25, 1e-9);
  viewer_activate (viewer, "viewer.zoom-out", NULL);
  g_assert_cmpfloat_with_epsilon (lw_viewer_canvas_get_zoom (canvas), 1.0, 1e-9);
  /* Past the fitted size: it pans. */
  while (!lw_viewer_canvas_get_zoomed (canvas))
    viewer_activate (viewer, "viewer.zoom-in", NULL);
  g_assert_true (lw_ui_wait (viewer_ready, &fx, 20000));
  /* Panned by the arrow keys' action while zoomed: no step to another photo. */
  viewer_activate (viewer, "viewer.right", NULL);
  g_assert_true (lw_viewer_get_item (viewer) == first);
  viewer_activate (viewer, "viewer.zoom-fit", NULL);
  g_assert_true (lw_viewer_canvas_get_fitted (canvas));

  /* Next and previous. */
  viewer_activate (viewer, "viewer.next", NULL);
  second = lw_viewer_get_item (viewer);
  g_assert_true (second != first);
  g_assert_true (lw_ui_wait (viewer_ready, &fx, 20000));
  viewer_activate (viewer, "viewer.previous", NULL);
  g_assert_true (lw_viewer_get_item (viewer) == first);
  /* The neighbour was decoded ahead: stepping back is at once. */
  viewer_activate (viewer, "viewer.right", NULL);
  g_assert_true (lw_viewer_get_item (viewer) == second);
  g_assert_true (lw_viewer_get_ready (viewer));

  /* Review: saved with the job. */
  rejected_id = lw_image_item_get_id (second);
  viewer_activate (viewer, "viewer.review", g_variant_new_string ("rejected"));
  g_assert_cmpint (review_in_db (fx.jobs, rejected_id), ==, LW_REVIEW_REJECTED);
  viewer_activate (viewer, "viewer.left", NULL);
  accepted_id = lw_image_item_get_id (first);
  viewer_activate (viewer, "viewer.review", g_variant_new_string ("accepted"));
  g_assert_cmpint (review_in_db (fx.jobs, accepted_id), ==, LW_REVIEW_ACCEPTED);

  /* Closing goes back to the grid, on the photo looked at. */
  viewer_activate (viewer, "viewer.close", NULL);
  g_assert_true (lw_ui_wait (viewer_hidden, &fx, 5000));

  /* And across a new core on the same data folder. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LwCore) core = lw_core_open_full (lw_core_get_data_dir (fx.core), NULL, LW_CORE_OPEN_READ_ONLY, &error);
    g_autoptr(LwJobs) jobs = NULL;

    g_assert_no_error (error);
    jobs = lw_jobs_new (core);
    g_assert_cmpint (review_in_db (jobs, accepted_id), ==, LW_REVIEW_ACCEPTED);
    g_assert_cmpint (review_in_db (jobs, rejected_id), ==, LW_REVIEW_REJECTED);
  }
  lw_ui_fixture_teardown (&fx);
}

/* ---- by real keys ------------------------------------------------------------ */

static void
key (const char *name)
{
  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", name, NULL });
}

static LwUiFixture *keys_fx;
static LwViewerMode keys_mode;
static LwImageItem *keys_item;
static gint64 keys_image_id;
static LwReview keys_review;

static gboolean mode_is (LwUiFixture *fx) { return lw_viewer_canvas_get_mode (lw_viewer_get_canvas (lw_window_get_viewer (fx->window))) == keys_mode; }
static gboolean item_is (LwUiFixture *fx) { return lw_viewer_get_item (lw_window_get_viewer (fx->window)) == keys_item; }
static gboolean review_is (LwUiFixture *fx) { return review_in_db (fx->jobs, keys_image_id) == keys_review; }
static gboolean at_100 (LwUiFixture *fx) { return !lw_viewer_canvas_get_fitted (lw_viewer_get_canvas (lw_window_get_viewer (fx->window))); }
static gboolean fitted (LwUiFixture *fx) { return lw_viewer_canvas_get_fitted (lw_viewer_get_canvas (lw_window_get_viewer (fx->window))); }

static void
test_keys (void)
{
  LwUiFixture fx;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");
  LwViewer *viewer;
  LwImageItem *first, *second;

  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("Real key events need an X server (Xvfb)");
      return;
    }
  if (xdotool_path == NULL)
    {
      g_test_fail_printf ("xdotool is not installed (apt-get install xdotool)");
      return;
    }

  setup_finished_job (&fx);
  keys_fx = &fx;
  first = select_position (&fx, 0);
  {
    g_autoptr(LwImageItem) item = g_list_model_get_item (lw_window_get_filtered (fx.window), 1);

    second = item;
  }
  /* The focused tile's Space opens the viewer. */
  gtk_widget_grab_focus (lw_staging_grid_get_grid_view (lw_window_get_staging_grid (fx.window)));
  lw_ui_focus_window (GTK_WIDGET (fx.window));
  key ("space");
  g_assert_true (lw_ui_wait (viewer_ready, &fx, 20000));
  viewer = lw_window_get_viewer (fx.window);
  g_assert_true (lw_viewer_get_item (viewer) == first);
  lw_ui_focus_window (GTK_WIDGET (viewer));

  keys_mode = LW_VIEWER_MODE_BEFORE;
  key ("b");
  g_assert_true (lw_ui_wait (mode_is, &fx, 5000));
  keys_mode = LW_VIEWER_MODE_AFTER;
  key ("b");
  g_assert_true (lw_ui_wait (mode_is, &fx, 5000));
  keys_mode = LW_VIEWER_MODE_SPLIT;
  key ("c");
  g_assert_true (lw_ui_wait (mode_is, &fx, 5000));

  key ("ctrl+1");
  g_assert_true (lw_ui_wait (at_100, &fx, 5000));
  key ("ctrl+0");
  g_assert_true (lw_ui_wait (fitted, &fx, 5000));

  keys_item = second;
  key ("Right");
  g_assert_true (lw_ui_wait (item_is, &fx, 5000));
  keys_item = first;
  key ("Left");
  g_assert_true (lw_ui_wait (item_is, &fx, 5000));

  keys_image_id = lw_image_item_get_id (first);
  keys_review = LW_REVIEW_ACCEPTED;
  key ("p");
  g_assert_true (lw_ui_wait (review_is, &fx, 5000));
  keys_review = LW_REVIEW_REJECTED;
  key ("x");
  g_assert_true (lw_ui_wait (review_is, &fx, 5000));
  keys_review = LW_REVIEW_UNDECIDED;
  key ("u");
  g_assert_true (lw_ui_wait (review_is, &fx, 5000));

  key ("Escape");
  g_assert_true (lw_ui_wait (viewer_hidden, &fx, 5000));
  keys_fx = NULL;
  lw_ui_fixture_teardown (&fx);
}

/* ---- redo and takes -------------------------------------------------------------- */

static LwViewer *takes_viewer;

static gint64 takes_image_id;

/* The second take landed (the service's word, not the viewer's). */
static gboolean
two_takes_saved (LwUiFixture *fx)
{
  g_autoptr(GPtrArray) versions = lw_jobs_list_versions (fx->jobs, takes_image_id, NULL);

  return versions != NULL && versions->len == 2 && job_finished (fx);
}

/* … and the viewer shows it. */
static gboolean
two_takes (LwUiFixture *fx)
{
  return lw_viewer_get_n_takes (takes_viewer) == 2 && lw_viewer_get_take (takes_viewer) == 2
         && lw_viewer_get_ready (takes_viewer);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* Mean absolute difference per channel (0–255) of two encoded pictures
 * of the same size; G_MAXDOUBLE when their sizes differ. */
static double
picture_distance (GBytes *a, GBytes *b)
{
  g_autoptr(GInputStream) sa = g_memory_input_stream_new_from_bytes (a);
  g_autoptr(GInputStream) sb = g_memory_input_stream_new_from_bytes (b);
  g_autoptr(GdkPixbuf) pa = gdk_pixbuf_new_from_stream (sa, NULL, NULL);
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new_from_stream (sb, NULL, NULL);
  int w, h, na, nb;
  double sum = 0;

  g_assert_nonnull (pa);
  g_assert_nonnull (pb);
  w = gdk_pixbuf_get_width (pa);
  h = gdk_pixbuf_get_height (pa);
  if (w != gdk_pixbuf_get_width (pb) || h != gdk_pixbuf_get_height (pb))
    return G_MAXDOUBLE;
  na = gdk_pixbuf_get_n_channels (pa);
  nb = gdk_pixbuf_get_n_channels (pb);
  for (int y = 0; y < h; y++)
    {
      const guint8 *ra = gdk_pixbuf_read_pixels (pa) + (gsize) y * gdk_pixbuf_get_rowstride (pa);
      const guint8 *rb = gdk_pixbuf_read_pixels (pb) + (gsize) y * gdk_pixbuf_get_rowstride (pb);

      for (int x = 0; x < w; x++)
        for (int c = 0; c < 3; c++)
          sum += ABS ((int) ra[x * na + c] - (int) rb[x * nb + c]);
    }
  return sum / ((double) w * h * 3);
}

static void
test_redo_and_takes (void)
{
  LwUiFixture fx;
  LwViewer *viewer;
  LwImageItem *item;
  const char *instruction = "Make it much brighter";
  g_autofree char *composed = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(LwImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *export_dir = NULL;
  g_autofree char *take1_path = NULL;
  g_autofree char *take2_path = NULL;
  g_autoptr(GBytes) take1 = NULL;
  g_autoptr(GBytes) take2 = NULL;
  const char *name;
  GDir *dir;
  guint n_written = 0, n_files = 0;

  setup_finished_job (&fx);
  item = select_position (&fx, 0);
  lw_ui_activate (&fx, "win.view", NULL);
  viewer = takes_viewer = lw_window_get_viewer (fx.window);
  g_assert_true (lw_ui_wait (viewer_ready, &fx, 20000));

  /* The 2-prompt rule shows what the redo will send. */
  gtk_editable_set_text (GTK_EDITABLE (lw_viewer_get_redo_entry (viewer)), instruction);
  composed = lw_prompt_compose (LW_UI_JOB (fx.window)->prompt, instruction);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (lw_viewer_get_redo_prompt (viewer))), ==, composed);

  takes_image_id = lw_image_item_get_id (item);
  viewer_activate (viewer, "viewer.redo", NULL);
  if (!lw_ui_wait (two_takes_saved, &fx, 120000))
    {
      g_autoptr(LwImage) row = lw_jobs_get_image (fx.jobs, takes_image_id, NULL);
      g_autoptr(GPtrArray) taken = lw_jobs_list_versions (fx.jobs, takes_image_id, NULL);

      g_error ("No second take: viewer on %" G_GINT64_FORMAT " (asked %" G_GINT64_FORMAT "), instruction %s; photo %s (%s), %u take(s), version %d, job %s",
               lw_image_item_get_id (lw_viewer_get_item (viewer)), takes_image_id,
               row->specific_prompt != NULL ? row->specific_prompt : "none", lw_image_status_to_string (row->status),
               row->error_message != NULL ? row->error_message : "no error", taken != NULL ? taken->len : 0,
               row->version, lw_job_status_to_string (LW_UI_JOB (fx.window)->status));
    }
  if (!lw_ui_wait (two_takes, &fx, 20000))
    g_error ("The viewer shows take %d of %d (ready: %d)", lw_viewer_get_take (viewer), lw_viewer_get_n_takes (viewer),
             lw_viewer_get_ready (viewer));
  image = lw_jobs_get_image (fx.jobs, lw_image_item_get_id (item), &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->version, ==, 2);
  g_assert_cmpstr (image->specific_prompt, ==, instruction);
  versions = lw_jobs_list_versions (fx.jobs, image->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 2);
  g_assert_cmpstr (((LwVersion *) g_ptr_array_index (versions, 1))->prompt, ==, composed);
  take1_path = lw_blob_store_path (lw_core_get_blobs (fx.core), ((LwVersion *) g_ptr_array_index (versions, 0))->processed_key);
  take2_path = lw_blob_store_path (lw_core_get_blobs (fx.core), ((LwVersion *) g_ptr_array_index (versions, 1))->processed_key);
  take1 = read_bytes (take1_path);
  take2 = read_bytes (take2_path);
  /* Otherwise the export below could not tell the takes apart. */
  g_assert_false (g_bytes_equal (take1, take2));

  /* Back to take 1, and use it. */
  viewer_activate (viewer, "viewer.previous-take", NULL);
  g_assert_cmpint (lw_viewer_get_take (viewer), ==, 1);
  viewer_activate (viewer, "viewer.use-take", NULL);
  g_clear_pointer (&image, lw_image_free);
  image = lw_jobs_get_image (fx.jobs, lw_image_item_get_id (item), &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->version, ==, 1);

  /* Save saves take 1. */
  export_dir = g_build_filename (fx.tmpdir, "saved", NULL);
  g_mkdir_with_parents (export_dir, 0700);
  viewer_activate (viewer, "viewer.review", g_variant_new_string ("accepted"));
  g_assert_true (lw_jobs_export (fx.jobs, image->job_id, export_dir, NULL, LW_EXPORT_ACCEPTED, NULL, NULL,
                                 &n_written, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_written, ==, 1);
  dir = g_dir_open (export_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (export_dir, name, NULL);
      g_autoptr(GBytes) saved = read_bytes (path);

      /* Saving renders the take in the original's format and size with
       * its metadata (docs/ARCHITECTURE.md, "Results"): the same picture
       * as take 1, not its bytes. */
      double to1 = picture_distance (saved, take1), to2 = picture_distance (saved, take2);

      g_assert_cmpfloat (to1, <, 2.0);
      g_assert_cmpfloat (to1, <, to2);
      n_files++;
    }
  g_dir_close (dir);
  g_assert_cmpuint (n_files, ==, 1);

  takes_viewer = NULL;
  lw_ui_fixture_teardown (&fx);
}

/* ---- the viewer's keys are in the shortcuts window ------------------------------- */

static void
test_accels_listed (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/lightwork/LightWork/gtk/help-overlay.ui");
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func (g_free);
  const char * const *accels = lw_viewer_get_accels ();
  /* Twins of listed keys, and keys every viewer has (arrows to pan, Page
   * Up and Down, Home and End). */
  const char * const unlisted[] = { "Up", "Down", "Page_Up", "Page_Down", "Home", "End", "equal", "KP_Add",
                                    "KP_Subtract", "<Control>plus", "<Control>equal", "<Control>minus", NULL };
  GSList *objects = gtk_builder_get_objects (builder);

  for (GSList *l = objects; l != NULL; l = l->next)
    if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
      {
        g_autofree char *accel = NULL;
        g_auto(GStrv) parts = NULL;

        g_object_get (l->data, "accelerator", &accel, NULL);
        parts = g_strsplit (accel, " ", -1);
        for (guint i = 0; parts[i] != NULL; i++)
          g_ptr_array_add (listed, g_strdup (parts[i]));
      }
  g_slist_free (objects);

  for (guint i = 0; accels[i] != NULL; i += 2)
    {
      gboolean found = g_strv_contains (unlisted, accels[i + 1]);

      for (guint j = 0; j < listed->len && !found; j++)
        found = g_str_equal (g_ptr_array_index (listed, j), accels[i + 1]);
      if (!found)
        g_error ("%s (%s) is not in the shortcuts window", accels[i + 1], accels[i]);
    }
}

int
main (int argc, char **argv)
{
  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/viewer/accels-listed", test_accels_listed);
  g_test_add_func ("/ui/viewer/actions", test_actions);
  g_test_add_func ("/ui/viewer/keys", test_keys);
  g_test_add_func ("/ui/viewer/redo-and-takes", test_redo_and_takes);
  return g_test_run ();
}

/* lw-screenshots.c — renders the window in four states to PNGs for the
 * README and the metainfo: empty, a staged job, a running job, a finished
 * job. Run by tools/screenshots.sh under a headless display. */
#include "config.h"

#include <glib/gi18n.h>

#include "lw-test-util.h"
#include "lw-ui-test.h"

/* The screenshots' engine: a fake with latency, like lw-fake-engine, but its
 * results are real pictures (a warmer, livelier grade of the input), so the
 * finished job shows what a finished job looks like. */
#define LW_TYPE_PREVIEW_ENGINE (lw_preview_engine_get_type ())
G_DECLARE_FINAL_TYPE (LwPreviewEngine, lw_preview_engine, LW, PREVIEW_ENGINE, GObject)

struct _LwPreviewEngine
{
  GObject parent_instance;
  gint64  latency_ms;
};

static void lw_preview_engine_iface_init (LwEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LwPreviewEngine, lw_preview_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LW_TYPE_ENGINE, lw_preview_engine_iface_init))

static const char *
preview_get_name (LwEngine *engine)
{
  return "preview";
}

static char *
preview_dup_signature (LwEngine   *engine,
                       const char *model)
{
  return g_strdup ("preview-1");
}

static double
preview_get_cost (LwEngine   *engine,
                  const char *model)
{
  return 0.039;
}

static void
grade_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LwPreviewEngine *self = source;
  LwEngineRequest *request = task_data;
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *buffer = NULL;
  GError *error = NULL;
  gsize size = 0;
  guchar *pixels;
  int n_channels, rowstride, width, height;

  g_usleep ((gulong) self->latency_ms * 1000);
  loaded = gdk_pixbuf_new_from_file_at_scale (request->input_path, 1024, 1024, TRUE, &error);
  if (loaded == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  oriented = gdk_pixbuf_apply_embedded_orientation (loaded);
  pixbuf = gdk_pixbuf_copy (oriented);
  gdk_pixbuf_saturate_and_pixelate (pixbuf, pixbuf, 1.35f, FALSE);
  pixels = gdk_pixbuf_get_pixels (pixbuf);
  n_channels = gdk_pixbuf_get_n_channels (pixbuf);
  rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  width = gdk_pixbuf_get_width (pixbuf);
  height = gdk_pixbuf_get_height (pixbuf);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guchar *p = pixels + y * rowstride + x * n_channels;

        p[0] = (guchar) CLAMP (p[0] * 1.06 + 10, 0, 255);
        p[1] = (guchar) CLAMP (p[1] * 1.05 + 4, 0, 255);
        p[2] = (guchar) CLAMP (p[2] * 0.98, 0, 255);
      }
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "jpeg", &error, "quality", "90", NULL))
    {
      g_task_return_error (task, error);
      return;
    }
  {
    LwEngineResult *result = lw_engine_result_new (g_bytes_new_take (g_steal_pointer (&buffer), size), "image/jpeg");

    result->cost = 0.039;
    g_task_return_pointer (task, result, (GDestroyNotify) lw_engine_result_free);
  }
}

static void
preview_process_async (LwEngine            *engine,
                       LwEngineRequest     *request,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (engine, cancellable, callback, user_data);

  g_task_set_task_data (task, lw_engine_request_ref (request), (GDestroyNotify) lw_engine_request_unref);
  g_task_run_in_thread (task, grade_thread);
}

static LwEngineResult *
preview_process_finish (LwEngine      *engine,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lw_preview_engine_iface_init (LwEngineInterface *iface)
{
  iface->get_name = preview_get_name;
  iface->dup_signature = preview_dup_signature;
  iface->get_cost = preview_get_cost;
  iface->process_async = preview_process_async;
  iface->process_finish = preview_process_finish;
}

static void
lw_preview_engine_class_init (LwPreviewEngineClass *klass)
{
}

static void
lw_preview_engine_init (LwPreviewEngine *self)
{
}

static gboolean
all_thumbnails (LwUiFixture *fx)
{
  guint bound = 0, textured = 0;

  lw_staging_grid_count_tiles (lw_window_get_staging_grid (fx->window), &bound, &textured);
  return lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGING, -1) == 0 && bound > 0
         && textured + lw_ui_count_items (fx, LW_IMAGE_ITEM_REJECTED, -1) >= bound;
}

static gboolean
some_done (LwUiFixture *fx)
{
  return lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED) >= 3
         && lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PROCESSING) >= 1;
}

static gboolean
all_done (LwUiFixture *fx)
{
  return LW_UI_JOB (fx->window) != NULL && LW_UI_JOB (fx->window)->status == LW_JOB_COMPLETED;
}

static gboolean
viewer_ready (LwUiFixture *fx)
{
  LwViewer *viewer = lw_window_get_viewer (fx->window);

  return viewer != NULL && gtk_widget_get_visible (GTK_WIDGET (viewer)) && lw_viewer_get_ready (viewer);
}

static void
shoot_after (LwUiFixture *fx,
             const char  *dir,
             const char  *name,
             GtkWidget   *popover,
             guint        wait_ms)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  /* Let springs and cross-fades settle, and toasts go. */
  lw_ui_spin (wait_ms);
  lw_ui_save_png_with_popup (GTK_WIDGET (fx->window), popover, path);
  g_print ("%s\n", path);
}

static void
shoot (LwUiFixture *fx,
       const char  *dir,
       const char  *name,
       GtkWidget   *popover)
{
  shoot_after (fx, dir, name, popover, 900);
}

int
main (int argc, char **argv)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(GPtrArray) stage = g_ptr_array_new ();
  g_autofree char *bad = NULL;
  const char *out = argc > 1 ? argv[1] : "docs/screenshots";
  LwImageItem *item;
  guint position;

  lw_ui_test_init (&argc, &argv);
  g_mkdir_with_parents (out, 0755);
  lw_ui_fixture_setup (&fx, 0);
  {
    g_autoptr(LwPreviewEngine) engine = g_object_new (LW_TYPE_PREVIEW_ENGINE, NULL);

    engine->latency_ms = 2400;
    lw_scheduler_set_engine (fx.scheduler, "nano_banana", LW_ENGINE (engine));
  }
  lw_job_session_set_model (lw_window_get_session (fx.window), "nano_banana", NULL);

  lw_ui_activate (&fx, "win.select-module", g_variant_new_int32 (0));
  shoot (&fx, out, "empty.png", NULL);

  photos = lw_ui_copy_photos (&fx);
  bad = g_build_filename (fx.photos, "notes-not-a-photo.jpg", NULL);
  lw_test_write_file (bad, "this is text, not a JPEG", 24);
  for (guint i = 0; i < photos->len; i++)
    g_ptr_array_add (stage, g_ptr_array_index (photos, i));
  g_ptr_array_add (stage, bad);
  g_ptr_array_add (stage, NULL);
  lw_ui_activate (&fx, "win.stage-paths", g_variant_new_strv ((const char * const *) stage->pdata, -1));
  if (!lw_ui_wait (all_thumbnails, &fx, 30000))
    g_warning ("Thumbnails did not all show");
  lw_window_refresh_now (fx.window);
  {
    g_autofree char *name = g_strdup (_("Spring menu — terrace shoot"));

    gtk_editable_set_text (GTK_EDITABLE (lw_window_get_job_name_label (fx.window)), name);
    lw_job_session_rename (lw_window_get_session (fx.window), name, NULL);
  }
  /* One photo with its own instruction, through the editor. */
  item = lw_ui_find_item (&fx, "coffee.png");
  if (item != NULL && g_list_store_find (LW_UI_ITEMS (fx.window), item, &position))
    {
      gtk_selection_model_select_item (lw_staging_grid_get_selection (lw_window_get_staging_grid (fx.window)), position, TRUE);
      lw_ui_activate (&fx, "win.edit-instruction", NULL);
      lw_prompt_editor_set_instruction (lw_window_get_prompt_editor (fx.window), "Warm the light a little and keep the latte art crisp.");
      lw_ui_spin (400);
      shoot (&fx, out, "instruction.png", GTK_WIDGET (lw_window_get_prompt_editor (fx.window)));
      lw_prompt_editor_apply (lw_window_get_prompt_editor (fx.window));
      gtk_selection_model_unselect_all (lw_staging_grid_get_selection (lw_window_get_staging_grid (fx.window)));
    }
  shoot_after (&fx, out, "staged.png", NULL, 5500);

  lw_ui_activate (&fx, "win.launch", NULL);
  if (!lw_ui_wait (some_done, &fx, 60000))
    g_warning ("The job did not get going");
  shoot (&fx, out, "running.png", NULL);

  if (!lw_ui_wait (all_done, &fx, 120000))
    g_warning ("The job did not finish");
  shoot_after (&fx, out, "finished.png", NULL, 5500);

  /* The viewer on the photo with its own instruction: after, before, and
   * both through the divider. */
  item = lw_ui_find_item (&fx, "coffee.png");
  if (item != NULL && g_list_store_find (LW_UI_ITEMS (fx.window), item, &position))
    {
      LwViewer *viewer;
      const char *shots[][2] = { { "after", "viewer-after.png" }, { "before", "viewer-before.png" },
                                 { "split", "viewer-compare.png" } };

      gtk_selection_model_select_item (lw_staging_grid_get_selection (lw_window_get_staging_grid (fx.window)), position, TRUE);
      lw_window_refresh_now (fx.window);
      lw_ui_activate (&fx, "win.view", NULL);
      viewer = lw_window_get_viewer (fx.window);
      if (viewer == NULL || !lw_ui_wait (viewer_ready, &fx, 20000))
        g_warning ("The viewer did not show its pictures");
      for (guint i = 0; viewer != NULL && i < G_N_ELEMENTS (shots); i++)
        {
          g_autofree char *path = g_build_filename (out, shots[i][1], NULL);
          g_autoptr(GVariant) mode = g_variant_ref_sink (g_variant_new_string (shots[i][0]));

          gtk_widget_activate_action_variant (GTK_WIDGET (viewer), "viewer.mode", mode);
          lw_ui_spin (600);
          lw_ui_save_png (GTK_WIDGET (viewer), path);
          g_print ("%s\n", path);
        }
      if (viewer != NULL)
        gtk_window_close (GTK_WINDOW (viewer));
    }

  lw_ui_fixture_teardown (&fx);
  return 0;
}

/* lw-screenshots.c — renders the window in four states to PNGs for the
 * README and the metainfo: empty, a staged job, a running job, a finished
 * job. Run by tools/screenshots.sh under a headless display. */
#include "config.h"

#include <glib/gi18n.h>

#include "lw-test-util.h"
#include "lw-ui-test.h"

static gboolean
all_thumbnails (LwUiFixture *fx)
{
  guint bound = 0, textured = 0;

  lw_staging_grid_count_tiles (fx->window->staging_grid, &bound, &textured);
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
  return fx->window->job != NULL && fx->window->job->status == LW_JOB_COMPLETED;
}

static void
shoot (LwUiFixture *fx,
       const char  *dir,
       const char  *name,
       GtkWidget   *popover)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  /* Let springs and cross-fades settle. */
  lw_ui_spin (900);
  lw_ui_save_png_with_popup (GTK_WIDGET (fx->window), popover, path);
  g_print ("%s\n", path);
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
  lw_ui_fixture_setup (&fx, 2600);

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

    gtk_editable_set_text (GTK_EDITABLE (fx.window->job_name_label), name);
    lw_store_rename_job (lw_core_get_store (fx.core), fx.window->job->id, name, 0, NULL);
    g_free (fx.window->job->name);
    fx.window->job->name = g_strdup (name);
    lw_window_queue_refresh (fx.window, FALSE, TRUE);
  }
  /* One photo with its own instruction, through the editor. */
  item = lw_ui_find_item (&fx, "coffee.png");
  if (item != NULL && g_list_store_find (fx.window->items, item, &position))
    {
      gtk_selection_model_select_item (lw_staging_grid_get_selection (fx.window->staging_grid), position, TRUE);
      lw_ui_activate (&fx, "win.edit-instruction", NULL);
      lw_prompt_editor_set_instruction (fx.window->prompt_editor, "Warm the light a little and keep the latte art crisp.");
      lw_ui_spin (400);
      shoot (&fx, out, "instruction.png", GTK_WIDGET (fx.window->prompt_editor));
      lw_prompt_editor_apply (fx.window->prompt_editor);
      gtk_selection_model_unselect_all (lw_staging_grid_get_selection (fx.window->staging_grid));
    }
  shoot (&fx, out, "staged.png", NULL);

  lw_ui_activate (&fx, "win.launch", NULL);
  if (!lw_ui_wait (some_done, &fx, 60000))
    g_warning ("The job did not get going");
  shoot (&fx, out, "running.png", NULL);

  if (!lw_ui_wait (all_done, &fx, 120000))
    g_warning ("The job did not finish");
  shoot (&fx, out, "finished.png", NULL);

  lw_ui_fixture_teardown (&fx);
  return 0;
}

/* test-window.c — the window, driven the way a person drives it: drops,
 * actions, the editor; checked against the database and the files written. */
#include "config.h"

#include <glib/gstdio.h>

#include "lw-engine.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"

static gboolean
all_textured (LwUiFixture *fx)
{
  guint bound = 0, textured = 0;

  lw_staging_grid_count_tiles (lw_window_get_staging_grid (fx->window), &bound, &textured);
  return textured >= fx->expected_textured;
}

static GPtrArray *
stage_fixtures (LwUiFixture *fx,
                gboolean     with_bad)
{
  GPtrArray *photos = lw_ui_copy_photos (fx);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  if (with_bad)
    {
      char *bad = g_build_filename (fx->photos, "broken.jpg", NULL);

      lw_test_write_file (bad, "not a photo at all", 18);
      g_ptr_array_add (photos, bad);
    }
  for (guint i = 0; i < photos->len; i++)
    g_ptr_array_add (paths, g_ptr_array_index (photos, i));
  g_ptr_array_add (paths, NULL);
  lw_ui_activate (fx, "win.stage-paths", g_variant_new_strv ((const char * const *) paths->pdata, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, fx, 30000));
  lw_window_refresh_now (fx->window);
  return photos;
}

/* ---- drop -------------------------------------------------------------- */

/* Every tile's texture is exactly its frame's size: drawn 1:1 it needs no
 * scaling, which is what keeps a frame of the grid cheap. FALSE while some
 * are still on their way at the new size. */
static gboolean
textures_fit_frames (LwUiFixture *fx)
{
  LwStagingGrid *grid = lw_window_get_staging_grid (fx->window);
  int size = lw_staging_grid_get_tile_size (grid);
  guint checked = 0;

  for (guint i = 0; i < lw_staging_grid_get_n_tiles (grid); i++)
    {
      LwImageTile *tile = lw_staging_grid_get_nth_tile (grid, i);
      GdkTexture *texture = lw_image_tile_get_texture (tile);
      int fw, fh, tw, th, scale = gtk_widget_get_scale_factor (GTK_WIDGET (tile));

      if (lw_image_tile_get_item (tile) == NULL || texture == NULL)
        continue;
      lw_image_tile_get_frame_size (tile, &fw, &fh);
      if (fw != size * scale || fh != size * 3 / 4 * scale)
        return FALSE;
      tw = gdk_texture_get_width (texture);
      th = gdk_texture_get_height (texture);
      if (tw != fw || th != fh)
        return FALSE;
      checked++;
    }
  return checked >= fx->expected_textured;
}

static void
test_drop (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  GdkFileList *list;
  g_autofree char *bad = NULL;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  GtkDropTarget *target;
  LwImageItem *item;
  guint n_photos, bound = 0, textured = 0;

  lw_ui_fixture_setup (&fx, 50);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (lw_window_get_canvas_stack (fx.window))), ==, "empty");

  photos = lw_ui_copy_photos (&fx);
  n_photos = photos->len;
  bad = g_build_filename (fx.photos, "broken.jpg", NULL);
  lw_test_write_file (bad, "not a photo at all", 18);
  for (guint i = 0; i < photos->len; i++)
    g_ptr_array_add (files, g_file_new_for_path (g_ptr_array_index (photos, i)));
  g_ptr_array_add (files, g_file_new_for_path (bad));
  list = gdk_file_list_new_from_array ((GFile **) files->pdata, files->len);

  /* What a drop from Files does, minus the pointer: the target emits drop
   * with the file list. */
  target = lw_window_get_drop_target (fx.window);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, list);
  g_signal_emit_by_name (target, "drop", &value, 100.0, 100.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);

  /* A tile for every file at once, thumbnails as they are made. */
  g_assert_true (lw_ui_wait (lw_ui_all_staged, &fx, 30000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx.window))), ==, n_photos + 1);
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING), ==, n_photos);
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_REJECTED, -1), ==, 1);
  item = lw_ui_find_item (&fx, "broken.jpg");
  g_assert_nonnull (item);
  g_assert_cmpint (lw_image_item_get_phase (item), ==, LW_IMAGE_ITEM_REJECTED);
  g_assert_nonnull (lw_image_item_get_error_message (item));
  g_assert_true (strstr (lw_image_item_get_error_message (item), "not an image") != NULL);

  /* Thumbnails decode in threads: wait for them (slow under sanitizers). */
  fx.expected_textured = n_photos;
  g_assert_true (lw_ui_wait (all_textured, &fx, 30000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (lw_window_get_canvas_stack (fx.window))), ==, "grid");
  g_assert_true (lw_command_dock_get_revealed (lw_window_get_dock (fx.window)));
  lw_staging_grid_count_tiles (lw_window_get_staging_grid (fx.window), &bound, &textured);
  g_assert_cmpuint (bound, ==, n_photos + 1);
  /* Every real photo shows its thumbnail; the refused one its reason. */
  g_assert_cmpuint (textured, ==, n_photos);
  /* … at exactly the frame's size, also after the tiles grow. */
  g_assert_true (lw_ui_wait (textures_fit_frames, &fx, 10000));
  {
    int before = lw_staging_grid_get_tile_size (lw_window_get_staging_grid (fx.window));

    lw_ui_activate (&fx, "win.zoom-in", NULL);
    g_assert_cmpint (lw_staging_grid_get_tile_size (lw_window_get_staging_grid (fx.window)), >, before);
    g_assert_true (lw_ui_wait (textures_fit_frames, &fx, 10000));
  }

  /* The rows are real: the job in the database has the photos. */
  {
    LwJobCounts counts;

    g_assert_true (lw_store_count_images (lw_core_get_store (fx.core), lw_window_get_job_id (fx.window),
                                          &counts, NULL));
    g_assert_cmpint (counts.total, ==, (int) n_photos);
  }
  {
    g_autofree char *all = g_strdup_printf ("%u", n_photos + 1);

    lw_ui_assert_label_becomes (&fx, lw_window_get_count_all (fx.window), all);
  }
  lw_ui_assert_label_becomes (&fx, lw_window_get_count_failed (fx.window), "1");

  lw_ui_fixture_teardown (&fx);
}

/* ---- extreme shapes --------------------------------------------------- */

static void
write_strip (const char *path,
             int         width,
             int         height)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);

  /* First half red, second half blue, along the long edge. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        gboolean first = width > height ? x < width / 2 : y < height / 2;
        guchar *p = pixels + y * stride + x * 3;

        p[0] = first ? 220 : 20;
        p[1] = 20;
        p[2] = first ? 20 : 220;
      }
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL));
}

/* The pixel at (x, y) of a texture as 0xAARRGGBB. */
static guint32
texture_pixel (GdkTexture *texture,
               int         x,
               int         y)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autofree guint32 *data = g_new (guint32, (gsize) width * height);

  gdk_texture_download (texture, (guchar *) data, (gsize) width * 4);
  return data[(gsize) y * width + x];
}

/* A 40 × 1,200 strip and a 1,200 × 40 one: each tile's texture is the
 * frame's size (a cover of the tall one's 13 × 384 thumbnail would be
 * 200 × 5,900) and shows the middle, as a cover fit would: the ten source
 * rows around the centre, red above it and blue below. */
static void
test_extreme_shapes (void)
{
  LwUiFixture fx;
  g_autofree char *tall = NULL;
  g_autofree char *wide = NULL;
  const char *paths[3];

  lw_ui_fixture_setup (&fx, 50);
  tall = g_build_filename (fx.tmpdir, "tall.png", NULL);
  wide = g_build_filename (fx.tmpdir, "wide.png", NULL);
  write_strip (tall, 40, 1200);
  write_strip (wide, 1200, 40);
  paths[0] = tall;
  paths[1] = wide;
  paths[2] = NULL;
  lw_ui_activate (&fx, "win.stage-paths", g_variant_new_strv (paths, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, &fx, 30000));
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING), ==, 2);
  fx.expected_textured = 2;
  g_assert_true (lw_ui_wait (textures_fit_frames, &fx, 10000));

  for (guint i = 0; i < lw_staging_grid_get_n_tiles (lw_window_get_staging_grid (fx.window)); i++)
    {
      LwImageTile *tile = lw_staging_grid_get_nth_tile (lw_window_get_staging_grid (fx.window), i);
      GdkTexture *texture = lw_image_tile_get_texture (tile);
      gboolean is_tall;
      guint32 first, second;
      int w, h;

      if (lw_image_tile_get_item (tile) == NULL || texture == NULL)
        continue;
      is_tall = g_str_equal (lw_image_item_get_name (lw_image_tile_get_item (tile)), "tall.png");
      w = gdk_texture_get_width (texture);
      h = gdk_texture_get_height (texture);
      /* The middle of the strip: red on one side of the centre, blue on
       * the other (across the frame's height for the tall one, its width
       * for the wide one). */
      first = is_tall ? texture_pixel (texture, w / 2, 2) : texture_pixel (texture, 2, h / 2);
      second = is_tall ? texture_pixel (texture, w / 2, h - 3) : texture_pixel (texture, w - 3, h / 2);
      g_assert_cmpuint ((first >> 16) & 0xff, >, 150);   /* red */
      g_assert_cmpuint (first & 0xff, <, 80);
      g_assert_cmpuint (second & 0xff, >, 150);          /* blue */
      g_assert_cmpuint ((second >> 16) & 0xff, <, 80);
    }
  lw_ui_fixture_teardown (&fx);
}

/* ---- a big drop ---------------------------------------------------------- */

static void
write_generated_photo (const char *dir,
                       guint       i)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 48);
  g_autofree char *name = g_strdup_printf ("IMG_%04u.png", i);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  /* A colour of its own: no two files have the same content. */
  gdk_pixbuf_fill (pixbuf, (i * 2654435761u) << 8 | 0xff);
  gdk_pixbuf_get_pixels (pixbuf)[0] = (guchar) i;
  gdk_pixbuf_get_pixels (pixbuf)[1] = (guchar) (i >> 8);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL));
}

static gboolean
has_items (LwUiFixture *fx)
{
  return g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx->window))) > 0;
}

/* More photos than the grid keeps tiles for: they go into the model a
 * batch a frame, and all of them arrive, once each, in their order. */
static void
test_big_drop (void)
{
  LwUiFixture fx;
  g_autofree char *dir = NULL;
  const char *paths[2];
  const guint n = 400;
  guint n_items;

  lw_ui_fixture_setup (&fx, 50);
  dir = g_build_filename (fx.tmpdir, "many", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < n; i++)
    write_generated_photo (dir, i);
  /* The same pixels as IMG_0007.png under another name: one tile, not two. */
  {
    g_autofree char *src = g_build_filename (dir, "IMG_0007.png", NULL);
    g_autofree char *dup = g_build_filename (dir, "IMG_0399b.png", NULL);
    g_autofree char *data = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (src, &data, &len, NULL));
    lw_test_write_file (dup, data, len);
  }

  paths[0] = dir;
  paths[1] = NULL;
  lw_ui_activate (&fx, "win.stage-paths", g_variant_new_strv (paths, -1));
  /* When the folder's listing lands, a first batch goes in at once, not the
   * whole folder. */
  g_assert_true (lw_ui_wait (has_items, &fx, 30000));
  n_items = g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx.window)));
  g_assert_cmpuint (n_items, >, 0);
  g_assert_cmpuint (n_items, <=, 64);
  g_assert_true (lw_ui_wait (lw_ui_all_staged, &fx, 120000));

  n_items = g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx.window)));
  g_assert_cmpuint (n_items, ==, n);
  g_assert_cmpuint (lw_job_session_get_n_incoming (lw_window_get_session (fx.window)), ==, 0);
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(LwImageItem) item = g_list_model_get_item (G_LIST_MODEL (LW_UI_ITEMS (fx.window)), i);
      g_autofree char *expected = g_strdup_printf ("IMG_%04u.png", i);

      g_assert_cmpstr (lw_image_item_get_name (item), ==, expected);
      g_assert_cmpint (lw_image_item_get_phase (item), ==, LW_IMAGE_ITEM_STAGED);
    }
  /* The grid made tiles for what it shows and keeps, not for every photo. */
  g_assert_cmpuint (lw_staging_grid_get_n_tiles (lw_window_get_staging_grid (fx.window)), <, n);
  {
    g_autofree char *all = g_strdup_printf ("%u", n);

    lw_ui_assert_label_becomes (&fx, lw_window_get_count_all (fx.window), all);
  }
  lw_ui_fixture_teardown (&fx);
}

/* ---- retry failed ---------------------------------------------------------- */

/* A refused photo, then Retry Failed (Ctrl+Shift+R's action) on the finished
 * job: the job runs again, only that photo is sent again, and it ends Done. */
static void
test_retry_failed (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  static const int refused[] = { LW_ENGINE_ERROR_SAFETY_BLOCKED };
  LwImageItem *coffee;
  guint calls;

  lw_ui_fixture_setup (&fx, 20);
  lw_fake_engine_script (fx.engine, "coffee.png", refused, 1, -1);
  photos = stage_fixtures (&fx, FALSE);
  lw_ui_activate (&fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (lw_ui_job_finished, &fx, 30000));
  coffee = lw_ui_find_item (&fx, "coffee.png");
  g_assert_cmpint (lw_image_item_get_status (coffee), ==, LW_IMAGE_FAILED);
  lw_ui_assert_label_becomes (&fx, lw_window_get_count_failed (fx.window), "1");
  calls = lw_fake_engine_get_n_calls (fx.engine);
  g_assert_cmpuint (calls, ==, photos->len);

  lw_ui_activate (&fx, "win.retry-failed", NULL);
  g_assert_true (lw_ui_job_running (&fx) || lw_image_item_get_status (coffee) != LW_IMAGE_FAILED);
  g_assert_true (lw_ui_wait (lw_ui_job_finished, &fx, 30000));
  g_assert_cmpint (lw_image_item_get_status (coffee), ==, LW_IMAGE_COMPLETED);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (fx.engine), ==, calls + 1);
  g_assert_cmpuint (lw_fake_engine_get_calls_for (fx.engine, lw_image_item_get_id (coffee)), ==, 2);
  lw_ui_assert_label_becomes (&fx, lw_window_get_count_failed (fx.window), "0");

  lw_ui_fixture_teardown (&fx);
}

/* ---- the whole flow through actions ------------------------------------ */

static void
test_flow (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected_prompt = NULL;
  LwImageItem *item;
  guint position, n;
  const char *instruction = "Keep the crema, lift the shadows.";

  lw_ui_fixture_setup (&fx, 30);
  lw_ui_activate (&fx, "win.select-module", g_variant_new_int32 (1));
  photos = stage_fixtures (&fx, FALSE);
  n = photos->len;
  g_assert_cmpstr (LW_UI_JOB (fx.window)->module_id, ==, "product");

  /* An instruction for one photo, through the editor. */
  item = lw_ui_find_item (&fx, "coffee.png");
  g_assert_nonnull (item);
  g_assert_true (g_list_store_find (LW_UI_ITEMS (fx.window), item, &position));
  gtk_selection_model_select_item (lw_staging_grid_get_selection (lw_window_get_staging_grid (fx.window)), position, TRUE);
  lw_ui_activate (&fx, "win.edit-instruction", NULL);
  lw_prompt_editor_set_instruction (lw_window_get_prompt_editor (fx.window), instruction);
  /* The composed prompt is shown as the model will get it. */
  expected_prompt = g_strconcat (LW_UI_JOB (fx.window)->prompt, "\n\n", instruction, NULL);
  g_assert_cmpstr (lw_prompt_editor_get_composed (lw_window_get_prompt_editor (fx.window)), ==, expected_prompt);
  lw_prompt_editor_apply (lw_window_get_prompt_editor (fx.window));
  g_assert_cmpstr (lw_image_item_get_specific_prompt (item), ==, instruction);
  {
    g_autoptr(LwImage) row = lw_store_get_image (lw_core_get_store (fx.core), lw_image_item_get_id (item), NULL);

    g_assert_cmpstr (row->specific_prompt, ==, instruction);
  }

  lw_ui_activate (&fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (lw_ui_job_finished, &fx, 60000));
  lw_window_refresh_now (fx.window);

  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED), ==, n);
  g_assert_cmpstr (lw_fake_engine_get_prompt_for (fx.engine, lw_image_item_get_id (item)), ==, expected_prompt);

  /* Filter counts and the filter itself. */
  {
    g_autofree char *done = g_strdup_printf ("%u", n);

    lw_ui_assert_label_becomes (&fx, lw_window_get_count_done (fx.window), done);
  }
  lw_ui_assert_label_becomes (&fx, lw_window_get_count_pending (fx.window), "0");
  lw_ui_assert_label_becomes (&fx, lw_window_get_count_failed (fx.window), "0");
  lw_ui_activate (&fx, "win.filter", g_variant_new_string ("pending"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lw_window_get_filtered (fx.window))), ==, 0);
  lw_ui_activate (&fx, "win.filter", g_variant_new_string ("done"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lw_window_get_filtered (fx.window))), ==, n);
  lw_ui_activate (&fx, "win.filter", g_variant_new_string ("all"));

  /* Save All: every result, named by the template, never overwriting. */
  out = g_build_filename (fx.tmpdir, "out", NULL);
  g_mkdir_with_parents (out, 0700);
  {
    g_autofree char *taken = g_build_filename (out, "coffee-product.png", NULL);

    lw_test_write_file (taken, "mine", 4);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx.window), "win.save-all-to", "s", out));
  {
    gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while (lw_job_session_get_exporting (lw_window_get_session (fx.window)) && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_false (lw_job_session_get_exporting (lw_window_get_session (fx.window)));
  g_assert_cmpuint (lw_test_count_files (out), ==, n + 1);
  for (guint i = 0; i < photos->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (photos, i));
      char *dot = strrchr (base, '.');
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GBytes) result = NULL;
      g_autoptr(GBytes) original = NULL;
      gboolean collides = g_str_equal (base, "coffee.png");

      *dot = '\0';
      name = g_strdup_printf ("%s-product%s.%s", base, collides ? "-2" : "", dot + 1);
      path = g_build_filename (out, name, NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      {
        g_autoptr(GFile) rf = g_file_new_for_path (path);
        g_autoptr(GFile) of = g_file_new_for_path (g_ptr_array_index (photos, i));

        result = g_file_load_bytes (rf, NULL, NULL, NULL);
        original = g_file_load_bytes (of, NULL, NULL, NULL);
      }
      g_assert_true (lw_fake_engine_check_result (result, original));
    }
  {
    g_autofree char *mine = NULL;
    g_autofree char *taken = g_build_filename (out, "coffee-product.png", NULL);

    g_assert_true (g_file_get_contents (taken, &mine, NULL, NULL));
    g_assert_cmpstr (mine, ==, "mine");
  }

  lw_ui_fixture_teardown (&fx);
}

/* ---- cancel, retry, remove with undo ----------------------------------- */

static gboolean
two_processing (LwUiFixture *fx)
{
  return lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PROCESSING) == 2;
}

static gboolean
all_pending (LwUiFixture *fx)
{
  return lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING) == fx->expected_textured;
}

static void
test_cancel_and_remove (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  LwJobCounts counts;
  guint n;

  lw_ui_fixture_setup (&fx, 60 * 1000);
  photos = stage_fixtures (&fx, FALSE);
  n = photos->len;

  lw_ui_activate (&fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (lw_ui_job_running, &fx, 20000));
  g_assert_true (lw_ui_wait (two_processing, &fx, 20000));
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PROCESSING), ==, 2);

  lw_ui_activate (&fx, "win.cancel", NULL);
  /* Cancel keeps the two requests in flight (they are paid for); "Stop
   * now" abandons them, and their photos go back to the queue. */
  g_assert_cmpuint (lw_job_session_get_in_flight (lw_window_get_session (fx.window)), ==, 2);
  g_assert_cmpuint (lw_job_session_stop_now (lw_window_get_session (fx.window)), ==, 2);
  fx.expected_textured = n;   /* reused as "expected pending" */
  if (!lw_ui_wait (all_pending, &fx, 20000))
    {
      LwJobCounts c;

      lw_store_count_images (lw_core_get_store (fx.core), LW_UI_JOB (fx.window)->id, &c, NULL);
      g_error ("after cancel: %u pending, %u processing in the grid; %d pending, %d processing in the "
               "database; %u in the engine (%u calls), %u flights; job %d, in the database %d",
               lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING),
               lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PROCESSING), c.pending, c.processing,
               lw_fake_engine_get_in_flight (fx.engine), lw_fake_engine_get_n_calls (fx.engine),
               lw_scheduler_get_n_flights (fx.scheduler), (int) LW_UI_JOB (fx.window)->status,
               (int) lw_store_get_job (lw_core_get_store (fx.core), LW_UI_JOB (fx.window)->id, NULL)->status);
    }
  g_assert_cmpint (LW_UI_JOB (fx.window)->status, ==, LW_JOB_CANCELLED);
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING), ==, n);
  g_assert_true (lw_store_count_images (lw_core_get_store (fx.core), LW_UI_JOB (fx.window)->id, &counts, NULL));
  g_assert_cmpint (counts.pending, ==, (int) n);

  /* Remove two, undo, remove again and let it be final. */
  gtk_selection_model_select_range (lw_staging_grid_get_selection (lw_window_get_staging_grid (fx.window)), 0, 2, TRUE);
  lw_ui_activate (&fx, "win.remove", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx.window))), ==, n - 2);
  lw_ui_activate (&fx, "win.undo-remove", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx.window))), ==, n);
  gtk_selection_model_select_range (lw_staging_grid_get_selection (lw_window_get_staging_grid (fx.window)), 0, 2, TRUE);
  lw_ui_activate (&fx, "win.remove", NULL);
  lw_job_session_commit_removals (lw_window_get_session (fx.window));
  g_assert_true (lw_store_count_images (lw_core_get_store (fx.core), LW_UI_JOB (fx.window)->id, &counts, NULL));
  g_assert_cmpint (counts.total, ==, (int) n - 2);

  lw_ui_fixture_teardown (&fx);
}

/* ---- a paused queue shows its banner ----------------------------------- */

static void
test_pause_banner (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  static const int auth[] = { LW_ENGINE_ERROR_AUTH };

  lw_ui_fixture_setup (&fx, 20);
  lw_fake_engine_script (fx.engine, "coffee.png", auth, 1, -1);
  photos = stage_fixtures (&fx, FALSE);
  g_assert_false (lw_status_banner_is_shown (lw_window_get_banner (fx.window)));
  lw_ui_activate (&fx, "win.launch", NULL);
  {
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (!lw_status_banner_is_shown (lw_window_get_banner (fx.window)) && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_true (lw_status_banner_is_shown (lw_window_get_banner (fx.window)));
  g_assert_true (g_str_has_prefix (lw_status_banner_get_title (lw_window_get_banner (fx.window)), "Paused"));
  /* No photo is marked failed by a pause. */
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_FAILED), ==, 0);
  lw_ui_activate (&fx, "win.resume", NULL);
  g_assert_false (lw_status_banner_is_shown (lw_window_get_banner (fx.window)));
  g_assert_true (lw_ui_wait (lw_ui_job_finished, &fx, 30000));

  lw_ui_fixture_teardown (&fx);
}

/* ---- the last job comes back ------------------------------------------- */

static gboolean
items_loaded (LwUiFixture *fx)
{
  return g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx->window))) > 0;
}

static void
test_restore (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  gint64 job_id;
  guint n_items;

  lw_ui_fixture_setup (&fx, 20);
  photos = stage_fixtures (&fx, TRUE);
  job_id = lw_window_get_job_id (fx.window);
  n_items = g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx.window)));

  /* Close the window; a new one on the same data reopens the job. */
  gtk_window_destroy (GTK_WINDOW (fx.window));
  lw_ui_spin (200);
  fx.window = lw_window_new_for_jobs (fx.jobs);
  gtk_window_present (GTK_WINDOW (fx.window));
  g_assert_cmpint (lw_window_get_job_id (fx.window), ==, job_id);
  g_assert_true (lw_ui_wait (items_loaded, &fx, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx.window))), ==, n_items);
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_REJECTED, -1), ==, 1);
  g_assert_cmpuint (lw_sidebar_get_n_jobs (lw_window_get_sidebar (fx.window)), ==, 1);

  lw_ui_fixture_teardown (&fx);
}

/* ---- reduced motion ---------------------------------------------------- */

static void
test_reduced_motion (void)
{
  LwUiFixture fx;

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  lw_ui_fixture_setup (&fx, 20);
  g_ptr_array_unref (stage_fixtures (&fx, FALSE));
  /* The dock is in place at once: no spring ran, no frame was needed. */
  lw_window_refresh_now (fx.window);
  g_assert_true (lw_command_dock_get_revealed (lw_window_get_dock (fx.window)));
  g_assert_cmpfloat (gtk_widget_get_opacity (GTK_WIDGET (lw_window_get_dock (fx.window))), ==, 1.0);
  lw_drop_zone_set_hover (lw_window_get_drop_zone (fx.window), TRUE);
  g_assert_true (lw_drop_zone_get_hover (lw_window_get_drop_zone (fx.window)));
  lw_ui_fixture_teardown (&fx);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", TRUE, NULL);
}

/* ---- keys: the table and the shortcuts window agree -------------------- */

static void
test_accels_listed (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/lightwork/LightWork/gtk/help-overlay.ui");
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func (g_free);
  const char * const *accels = lw_window_get_accels ();
  GSList *objects = gtk_builder_get_objects (builder);

  g_assert_nonnull (overlay);
  for (GSList *l = objects; l != NULL; l = l->next)
    if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
      {
        char *accel = NULL;

        g_object_get (l->data, "accelerator", &accel, NULL);
        g_ptr_array_add (listed, accel);
      }
  g_slist_free (objects);

  for (guint i = 0; accels[i] != NULL; i += 2)
    {
      const char *action = accels[i];
      const char *accel = accels[i + 1];
      gboolean found = FALSE;

      /* Keypad Enter and Ctrl+= are twins of keys that are listed. */
      if (g_str_equal (accel, "<Control>KP_Enter") || g_str_equal (accel, "<Control>equal"))
        continue;
      for (guint j = 0; j < listed->len && !found; j++)
        {
          const char *entry = g_ptr_array_index (listed, j);

          found = g_str_equal (entry, accel)
                  || (g_str_has_prefix (action, "win.select-module") && g_str_equal (entry, "<Control>1...<Control>9"))
                  || (g_str_has_prefix (action, "win.filter") && g_str_equal (entry, "<Alt>1...<Alt>4"));
        }
      if (!found)
        g_error ("%s (%s) is not in the shortcuts window", accel, action);
    }
}

/* ---- widgets go away ----------------------------------------------------- */

static void
test_widgets_finalize (void)
{
  g_autoptr(LwTextureCache) cache = lw_texture_cache_new (128, 1 << 20);
  GtkWidget *widgets[] = {
    lw_command_dock_new (),
    lw_drop_zone_new (),
    lw_sidebar_new (),
    lw_status_banner_new (),
    lw_staging_grid_new (),
    lw_module_list_new (),
    lw_prompt_editor_new (),
    lw_image_tile_new (cache, "/nonexistent"),
  };
  LwImageItem *item = lw_image_item_new_staging ("/tmp/a.jpg");

  lw_image_tile_set_item (LW_IMAGE_TILE (widgets[7]), item);
  lw_status_banner_show (LW_STATUS_BANNER (widgets[3]), "Paused", "Fix", "win.resume");
  for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
    {
      g_object_ref_sink (widgets[i]);
      g_assert_finalize_object (widgets[i]);
    }
  g_assert_finalize_object (item);
  g_assert_finalize_object (g_steal_pointer (&cache));
}

/* ---- no display: a clear word, exit 1 ----------------------------------- */

static void
test_no_display (void)
{
  g_autofree char *exe = g_build_filename (g_getenv ("LW_BUILD_DIR"), "src", "ui", "lightwork", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *data = lw_test_make_tmpdir ("lw-nodisplay");

  if (!g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("lightwork is not built");
      return;
    }
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, "GDK_BACKEND", "wayland,x11", TRUE);
  g_subprocess_launcher_setenv (launcher, "LIGHTWORK_DATA_DIR", data, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, exe, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_nonnull (strstr (err, "no display"));
  g_assert_nonnull (strstr (err, "lightwork-cli"));
  lw_test_rmtree (data);
}

int
main (int argc, char **argv)
{
  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/widgets-finalize", test_widgets_finalize);
  g_test_add_func ("/ui/accels-listed", test_accels_listed);
  g_test_add_func ("/ui/drop", test_drop);
  g_test_add_func ("/ui/big-drop", test_big_drop);
  g_test_add_func ("/ui/extreme-shapes", test_extreme_shapes);
  g_test_add_func ("/ui/flow", test_flow);
  g_test_add_func ("/ui/cancel-and-remove", test_cancel_and_remove);
  g_test_add_func ("/ui/pause-banner", test_pause_banner);
  g_test_add_func ("/ui/retry-failed", test_retry_failed);
  g_test_add_func ("/ui/restore", test_restore);
  g_test_add_func ("/ui/reduced-motion", test_reduced_motion);
  g_test_add_func ("/ui/no-display", test_no_display);
  return g_test_run ();
}

/* test-keyboard.c — real key events: an X server (Xvfb) gets them from
 * xdotool (XTEST) and delivers them to the window like a keyboard would.
 * GTK 4.8 cannot synthesise key events itself. */
#include "config.h"

#include <gdk/x11/gdkx.h>

#include "lw-models.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"

static gboolean
job_running (LwUiFixture *fx)
{
  return LW_UI_JOB (fx->window) != NULL && LW_UI_JOB (fx->window)->status == LW_JOB_PROCESSING
         && lw_scheduler_get_in_flight (fx->scheduler, NULL) > 0;
}

static gboolean
job_cancelled (LwUiFixture *fx)
{
  return LW_UI_JOB (fx->window) != NULL && LW_UI_JOB (fx->window)->status == LW_JOB_CANCELLED;
}

static gboolean
module_is_second (LwUiFixture *fx)
{
  const LwModule *second = lw_module_list_get_module (lw_sidebar_get_module_list (lw_window_get_sidebar (fx->window)), 1);

  return second != NULL && g_strcmp0 (lw_job_session_get_module_id (lw_window_get_session (fx->window)), second->id) == 0
         && g_strcmp0 (LW_UI_JOB (fx->window)->module_id, second->id) == 0;
}

static gboolean
job_module_is_third (LwUiFixture *fx)
{
  const LwModule *third = lw_module_list_get_module (lw_sidebar_get_module_list (lw_window_get_sidebar (fx->window)), 2);

  return third != NULL && g_strcmp0 (LW_UI_JOB (fx->window)->module_id, third->id) == 0;
}

static gboolean
module_editor_shown (LwUiFixture *fx)
{
  return gtk_widget_get_visible (GTK_WIDGET (lw_window_get_module_editor (fx->window)));
}

static gboolean
none_processing (LwUiFixture *fx)
{
  return lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PROCESSING) == 0;
}

/* ---- focus, the grid's keys, undo, the editor's Ctrl+Return ----------------------- */

static void
key (const char *keys)
{
  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", keys, NULL });
  lw_ui_spin (250);
}

static GtkWidget *
grid_view (LwUiFixture *fx)
{
  return lw_staging_grid_get_grid_view (lw_window_get_staging_grid (fx->window));
}

static GtkWidget *
focus_of (LwUiFixture *fx)
{
  return gtk_root_get_focus (GTK_ROOT (fx->window));
}

static gboolean
focus_in_grid (LwUiFixture *fx)
{
  GtkWidget *focus = focus_of (fx);

  return focus != NULL && gtk_widget_is_ancestor (focus, grid_view (fx));
}

static guint
n_selected (LwUiFixture *fx)
{
  g_autoptr(GPtrArray) selected = lw_staging_grid_get_selected (lw_window_get_staging_grid (fx->window));

  return selected->len;
}

static gboolean
one_selected (LwUiFixture *fx)
{
  return n_selected (fx) == 1;
}

static gboolean
tile_menu_shown (LwUiFixture *fx)
{
  return gtk_widget_get_mapped (lw_window_get_tile_popover (fx->window));
}

static gboolean
tile_menu_hidden (LwUiFixture *fx)
{
  return !tile_menu_shown (fx) && focus_in_grid (fx);
}

static gboolean
editor_shown (LwUiFixture *fx)
{
  return gtk_widget_get_mapped (GTK_WIDGET (lw_window_get_prompt_editor (fx->window)));
}

static gboolean
editor_closed (LwUiFixture *fx)
{
  return !editor_shown (fx);
}

static gboolean
dialog_shown (LwUiFixture *fx)
{
  return lw_window_get_dialog (fx->window) != NULL && gtk_widget_get_mapped (lw_window_get_dialog (fx->window));
}

static gboolean
dialog_gone (LwUiFixture *fx)
{
  return lw_window_get_dialog (fx->window) == NULL || !gtk_widget_get_visible (lw_window_get_dialog (fx->window));
}

static gboolean
has_focus (LwUiFixture *fx)
{
  return focus_of (fx) != NULL && gtk_widget_get_mapped (focus_of (fx));
}

static gboolean
focus_in_drop_zone (LwUiFixture *fx)
{
  return has_focus (fx) && gtk_widget_is_ancestor (focus_of (fx), GTK_WIDGET (lw_window_get_drop_zone (fx->window)));
}

/* The item of the focused tile, selected alone. */
static void
select_first_focused (LwUiFixture  *fx,
                      LwImageItem **item)
{
  g_autoptr(GPtrArray) selected = NULL;

  gtk_selection_model_select_item (lw_staging_grid_get_selection (lw_window_get_staging_grid (fx->window)), 0, TRUE);
  selected = lw_staging_grid_get_selected (lw_window_get_staging_grid (fx->window));
  g_assert_cmpuint (selected->len, ==, 1);
  *item = g_object_ref (g_ptr_array_index (selected, 0));
}

static void
test_keys (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  if (!lw_ui_real_keys_available ())
    return;

  /* Slow enough that the job is still running when Escape comes. */
  lw_ui_fixture_setup (&fx, 60 * 1000);
  photos = lw_ui_copy_photos (&fx);
  for (guint i = 0; i < photos->len; i++)
    g_ptr_array_add (paths, g_ptr_array_index (photos, i));
  g_ptr_array_add (paths, NULL);
  lw_ui_activate (&fx, "win.stage-paths", g_variant_new_strv ((const char * const *) paths->pdata, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, &fx, 30000));
  lw_ui_spin (200);

  lw_ui_focus_window (GTK_WIDGET (fx.window));

  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "ctrl+2", NULL });
  g_assert_true (lw_ui_wait (module_is_second, &fx, 20000));

  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "ctrl+Return", NULL });
  g_assert_true (lw_ui_wait (job_running, &fx, 20000));

  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "Escape", NULL });
  /* A paid model asks first (test_grid_keys); Return stops. */
  if (lw_models_find (LW_UI_JOB (fx.window)->model)->paid)
    {
      g_assert_true (lw_ui_wait (dialog_shown, &fx, 5000));
      lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "Return", NULL });
    }
  g_assert_true (lw_ui_wait (job_cancelled, &fx, 20000));
  /* Cancel keeps the requests in flight (they are paid for); "Stop now"
   * abandons them, and their photos go back to the queue. */
  g_assert_cmpuint (lw_job_session_get_in_flight (lw_window_get_session (fx.window)), >, 0);
  g_assert_cmpuint (lw_job_session_stop_now (lw_window_get_session (fx.window)), >, 0);
  g_assert_true (lw_ui_wait (none_processing, &fx, 20000));
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PROCESSING), ==, 0);
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING), ==, photos->len);

  /* Not running any more: Ctrl+Shift+I opens the module prompt (and is not
   * taken by GTK's inspector key). */
  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "ctrl+shift+i", NULL });
  g_assert_true (lw_ui_wait (module_editor_shown, &fx, 20000));
  gtk_popover_popdown (GTK_POPOVER (lw_window_get_module_editor (fx.window)));

  lw_ui_fixture_teardown (&fx);
}

static void
test_grid_keys (void)
{
  LwUiFixture fx;
  guint n;
  LwImageItem *item;

  if (!lw_ui_real_keys_available ())
    return;
  lw_ui_fixture_setup (&fx, 60 * 1000);
  g_ptr_array_unref (lw_ui_stage_fixtures (&fx));
  n = lw_ui_count_items (&fx, -1, -1);
  lw_ui_focus_window (GTK_WIDGET (fx.window));
  lw_window_focus_photos (fx.window);
  lw_ui_spin (100);
  g_assert_true (focus_in_grid (&fx));

  /* Tab leaves the grid in one stop, Shift+Tab comes back in one. */
  key ("Tab");
  g_assert_true (lw_ui_wait (has_focus, &fx, 5000));
  g_assert_false (focus_in_grid (&fx));
  gtk_selection_model_unselect_all (lw_staging_grid_get_selection (lw_window_get_staging_grid (fx.window)));
  key ("shift+Tab");
  g_assert_true (lw_ui_wait (focus_in_grid, &fx, 5000));
  /* ... and the tile it lands on is selected (once the focus has landed):
   * the keys act on it. */
  g_assert_true (lw_ui_wait (one_selected, &fx, 5000));

  /* Shift+F10 and the Menu key open the photo's menu; Escape closes it and
   * the focus is back on the tile. */
  key ("shift+F10");
  g_assert_true (lw_ui_wait (tile_menu_shown, &fx, 5000));
  key ("Escape");
  g_assert_true (lw_ui_wait (tile_menu_hidden, &fx, 5000));
  key ("Menu");
  g_assert_true (lw_ui_wait (tile_menu_shown, &fx, 5000));
  key ("Escape");
  g_assert_true (lw_ui_wait (tile_menu_hidden, &fx, 5000));

  /* Delete removes it, Ctrl+Z brings it back. */
  key ("Delete");
  g_assert_cmpuint (lw_ui_count_items (&fx, -1, -1), ==, n - 1);
  g_assert_true (lw_ui_wait (has_focus, &fx, 5000));
  key ("ctrl+z");
  g_assert_cmpuint (lw_ui_count_items (&fx, -1, -1), ==, n);

  /* Ctrl+I, a few words, Ctrl+Return: applied, no newline, focus back. */
  lw_window_focus_photos (fx.window);
  lw_ui_spin (100);
  select_first_focused (&fx, &item);
  key ("ctrl+i");
  g_assert_true (lw_ui_wait (editor_shown, &fx, 5000));
  lw_ui_xdotool ((const char *[]) { "type", "--delay", "20", "warmer", NULL });
  key ("ctrl+Return");
  g_assert_true (lw_ui_wait (editor_closed, &fx, 5000));
  g_assert_cmpstr (lw_image_item_get_specific_prompt (item), ==, "warmer");
  g_assert_true (lw_ui_wait (focus_in_grid, &fx, 5000));
  g_object_unref (item);

  /* Launch from the keyboard: the focus stays on the photos. Escape on a
   * paid model asks first; Escape again keeps it running, Return stops.
   * The fake engine answers for every model: a paid one is chosen. */
  {
    guint n_models;
    const LwModelInfo *models = lw_models_list (&n_models);

    for (guint i = 0; i < n_models; i++)
      if (models[i].paid)
        {
          gtk_drop_down_set_selected (GTK_DROP_DOWN (lw_window_get_model_dropdown (fx.window)), i);
          break;
        }
    lw_ui_spin (200);
    lw_window_focus_photos (fx.window);
    lw_ui_spin (100);
  }
  key ("ctrl+Return");
  g_assert_true (lw_ui_wait (job_running, &fx, 20000));
  g_assert_true (lw_ui_wait (has_focus, &fx, 5000));
  g_test_message ("the job runs on %s", LW_UI_JOB (fx.window)->model);
  g_assert_true (lw_models_find (LW_UI_JOB (fx.window)->model)->paid);
  {
      key ("Escape");
      g_assert_true (lw_ui_wait (dialog_shown, &fx, 5000));
      key ("Escape");
      g_assert_true (lw_ui_wait (dialog_gone, &fx, 5000));
      g_assert_true (job_running (&fx));
      key ("Escape");
      g_assert_true (lw_ui_wait (dialog_shown, &fx, 5000));
      key ("Return");
  }
  g_assert_true (lw_ui_wait (job_cancelled, &fx, 20000));
  g_assert_true (lw_ui_wait (has_focus, &fx, 5000));

  /* Ctrl+N: the grid goes, the focus goes to the drop zone's button. */
  key ("ctrl+n");
  lw_ui_wait (focus_in_drop_zone, &fx, 5000);
  if (!gtk_widget_is_ancestor (focus_of (&fx), GTK_WIDGET (lw_window_get_drop_zone (fx.window))))
    g_error ("after Ctrl+N the focus is on a %s, not in the drop zone", G_OBJECT_TYPE_NAME (focus_of (&fx)));
  lw_ui_fixture_teardown (&fx);
}

/* ---- the sidebar highlights the job's module ---------------------------- */

static GtkListBox *
module_list_box (LwUiFixture *fx)
{
  GtkWidget *list = GTK_WIDGET (lw_sidebar_get_module_list (lw_window_get_sidebar (fx->window)));

  return GTK_LIST_BOX (gtk_widget_get_first_child (list));
}

static void
test_module_highlight (void)
{
  LwUiFixture fx;
  GtkListBox *box;
  g_autofree char *module = NULL;

  if (!lw_ui_real_keys_available ())
    return;
  lw_ui_fixture_setup (&fx, 0);
  g_ptr_array_unref (lw_ui_stage_fixtures (&fx));
  module = g_strdup (LW_UI_JOB (fx.window)->module_id);
  box = module_list_box (&fx);
  lw_ui_focus_window (GTK_WIDGET (fx.window));
  gtk_widget_grab_focus (GTK_WIDGET (gtk_list_box_get_selected_row (box)));
  lw_ui_spin (100);
  /* Down twice: the focus moves, the highlight stays on the job's module. */
  key ("Down");
  key ("Down");
  g_assert_cmpint (gtk_list_box_row_get_index (gtk_list_box_get_selected_row (box)), ==, 0);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (gtk_list_box_get_row_at_index (box, 2))));
  g_assert_cmpstr (LW_UI_JOB (fx.window)->module_id, ==, module);
  /* Return chooses it: now it is the job's, and highlighted. */
  key ("Return");
  g_assert_true (lw_ui_wait (job_module_is_third, &fx, 5000));
  g_assert_cmpint (gtk_list_box_row_get_index (gtk_list_box_get_selected_row (box)), ==, 2);
  lw_ui_fixture_teardown (&fx);
}

/* ---- key hints in GTK's words ------------------------------------------ */

static void
collect_hints (GtkWidget *widget,
               GPtrArray *out)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "kbd-hint"))
    g_ptr_array_add (out, (gpointer) gtk_label_get_label (GTK_LABEL (widget)));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_hints (c, out);
}

static void
test_hints (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) hints = g_ptr_array_new ();
  g_autofree char *launch = gtk_accelerator_get_label (GDK_KEY_Return, GDK_CONTROL_MASK);
  g_autofree char *open = gtk_accelerator_get_label (GDK_KEY_o, GDK_CONTROL_MASK);
  g_autofree char *module1 = gtk_accelerator_get_label (GDK_KEY_1, GDK_CONTROL_MASK);

  lw_ui_fixture_setup (&fx, 0);
  collect_hints (GTK_WIDGET (fx.window), hints);
  g_assert_cmpuint (hints->len, >=, 4);
  for (guint i = 0; i < hints->len; i++)
    {
      const char *hint = g_ptr_array_index (hints, i);

      g_test_message ("key hint: %s", hint);
      /* No symbols of another platform (⌃, ⏎, ^↵): words, as GTK's menus say. */
      g_assert_null (strstr (hint, "⌃"));
      g_assert_null (strstr (hint, "⏎"));
      g_assert_null (strstr (hint, "^"));
    }
  g_assert_true (g_ptr_array_find_with_equal_func (hints, launch, g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (hints, open, g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (hints, module1, g_str_equal, NULL));
  lw_ui_fixture_teardown (&fx);
}

int
main (int argc, char **argv)
{
  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/keyboard", test_keys);
  g_test_add_func ("/ui/keyboard/grid", test_grid_keys);
  g_test_add_func ("/ui/keyboard/hints", test_hints);
  g_test_add_func ("/ui/keyboard/module-highlight", test_module_highlight);
  return g_test_run ();
}

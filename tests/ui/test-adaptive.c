/* test-adaptive.c — the window down to GNOME's small-screen width (360 px):
 * the sidebar folds behind a button, the header's filters move into a
 * menu, the dock (Launch, Save All) stays inside the window. */
#include "config.h"

#include "lw-test-util.h"
#include "lw-ui-test.h"

static const char *language = "en";

static int
min_width (GtkWidget *widget)
{
  int minimum = 0, natural = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  return minimum;
}

/* Names the visible widgets that ask for more than limit, with the first
 * style class of each: where a too-wide window comes from, when the test
 * fails. */
static void
print_wide (GtkWidget *widget,
            int        limit,
            int        depth)
{
  g_auto(GStrv) classes = gtk_widget_get_css_classes (widget);

  g_test_message ("%*s%s .%s asks for %d px", depth, "", G_OBJECT_TYPE_NAME (widget),
                  classes[0] != NULL ? classes[0] : "", min_width (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_visible (child) && min_width (child) > limit)
      print_wide (child, limit, depth + 1);
}

/* widget is drawn, and wholly inside the window's width × height. */
static void
assert_inside (LwUiFixture *fx,
               GtkWidget   *widget,
               const char  *what)
{
  graphene_rect_t bounds;
  int width = gtk_widget_get_width (GTK_WIDGET (fx->window));
  int height = gtk_widget_get_height (GTK_WIDGET (fx->window));

  if (!gtk_widget_get_mapped (widget))
    g_error ("%s is not shown at %d×%d", what, width, height);
  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (fx->window), &bounds));
  g_test_message ("%s at %.0f,%.0f %.0f×%.0f in %d×%d", what, bounds.origin.x, bounds.origin.y,
                  bounds.size.width, bounds.size.height, width, height);
  if (bounds.origin.x < 0 || bounds.origin.y < 0 || bounds.origin.x + bounds.size.width > width
      || bounds.origin.y + bounds.size.height > height || bounds.size.width < 1)
    g_error ("%s lies outside the %d×%d window", what, width, height);
}

static GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action) == 0)
        return child;
      if ((found = find_action_button (child, action)) != NULL)
        return found;
    }
  return NULL;
}

static void
resize (LwUiFixture *fx,
        int          width,
        int          height)
{
  gtk_window_set_default_size (GTK_WINDOW (fx->window), width, height);
  lw_ui_spin (600);
}

static GtkWidget *
find_filter_menu (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_MENU_BUTTON (child) && gtk_widget_has_css_class (child, "filter-menu"))
        return child;
      if ((found = find_filter_menu (child)) != NULL)
        return found;
    }
  return NULL;
}

static const int sizes[][2] = { { 600, 600 }, { 720, 600 }, { 800, 600 }, { 900, 600 },
                                { 1000, 700 }, { 1200, 700 }, { 1280, 800 } };

static void
test_narrow (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  GtkWidget *window;
  GtkWidget *dock;
  int minimum;

  lw_ui_fixture_setup (&fx, 60 * 1000);
  window = GTK_WIDGET (fx.window);
  photos = lw_ui_stage_fixtures (&fx);
  resize (&fx, 360, 640);

  if (g_getenv ("LW_SHOTS_DIR") != NULL)
    {
      g_autofree char *path = g_build_filename (g_getenv ("LW_SHOTS_DIR"), "narrow-360.png", NULL);

      lw_ui_save_png (window, path);
    }
  minimum = min_width (window);
  g_test_message ("the window asks for %d px at least", minimum);
  if (minimum > 360)
    print_wide (window, 120, 0);
  g_assert_cmpint (minimum, <=, 360);
  /* The default size counts the frame GTK draws around the window. */
  g_assert_cmpint (gtk_widget_get_width (window), <=, 360);
  g_assert_cmpint (gtk_widget_get_width (window), >=, 340);

  dock = GTK_WIDGET (lw_window_get_dock (fx.window));
  assert_inside (&fx, find_action_button (dock, "win.launch"), "Launch");
  assert_inside (&fx, find_action_button (dock, "win.save-all"), "Save All");
  /* The sidebar is folded away; the header's button brings it back. */
  g_assert_true (gtk_widget_get_mapped (find_action_button (window, "win.toggle-sidebar")));
  lw_ui_activate (&fx, "win.toggle-sidebar", NULL);
  lw_ui_spin (600);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (lw_window_get_sidebar (fx.window))));
  lw_ui_activate (&fx, "win.toggle-sidebar", NULL);
  lw_ui_spin (600);

  /* The filter menu says the filter, whichever way it was chosen. */
  lw_ui_activate (&fx, "win.filter", g_variant_new_string ("pending"));
  lw_ui_spin (100);
  assert_inside (&fx, find_filter_menu (window), "the filter menu");
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (find_filter_menu (window))), ==,
                   g_dgettext (GETTEXT_PACKAGE, "Pending"));
  lw_ui_activate (&fx, "win.filter", g_variant_new_string ("all"));
  assert_inside (&fx, GTK_WIDGET (lw_window_get_model_dropdown (fx.window)), "the model");

  /* Wider again: every layout on the way has the dock and the menus in
   * the window, and asks for no more than its width. */
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      gboolean tabs;

      resize (&fx, sizes[i][0], sizes[i][1]);
      g_test_message ("%d×%d: the window is %d px wide and asks for %d px at least", sizes[i][0], sizes[i][1],
                      gtk_widget_get_width (window), min_width (window));
      if (g_getenv ("LW_SHOTS_DIR") != NULL)
        {
          g_autofree char *name = g_strdup_printf ("resized-%d-%s.png", sizes[i][0], language);
          g_autofree char *path = g_build_filename (g_getenv ("LW_SHOTS_DIR"), name, NULL);

          lw_ui_save_png (window, path);
        }
      g_assert_cmpint (min_width (window), <=, sizes[i][0]);
      g_assert_cmpint (gtk_widget_get_width (window), >=, sizes[i][0] - 20);
      assert_inside (&fx, find_action_button (dock, "win.launch"), "Launch");
      assert_inside (&fx, find_action_button (dock, "win.save-all"), "Save All");
      assert_inside (&fx, GTK_WIDGET (lw_window_get_model_dropdown (fx.window)), "the model");
      /* One way to filter, the tabs from 1240 px (more in German). */
      tabs = gtk_widget_is_visible (GTK_WIDGET (lw_window_get_count_all (fx.window)));
      g_assert_true (gtk_widget_is_visible (find_filter_menu (window)) == !tabs);
      if (sizes[i][0] < 1240)
        g_assert_false (tabs);
      if (sizes[i][0] >= 1280 && g_str_equal (language, "en"))
        g_assert_true (tabs);
      /* The sidebar beside the photos from 900 px on. */
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (lw_window_get_sidebar (fx.window))) == (sizes[i][0] >= 900));
    }
  lw_ui_fixture_teardown (&fx);
}

/* ---- every word whole, in English and in German ------------------------ */

/* Labels shown in the header, the row under it and the dock that GTK gave
 * less width than their text needs (ellipsized), but the job's name,
 * which may be long and ellipsizes by design. */
static guint
count_cut_labels (GtkWidget *widget,
                  GtkWidget *except)
{
  guint cut = 0;

  if (widget == except || !gtk_widget_get_mapped (widget))
    return 0;
  if (GTK_IS_LABEL (widget) && pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (widget))))
    {
      g_test_message ("cut: \"%s\" at %d px", gtk_label_get_text (GTK_LABEL (widget)), gtk_widget_get_width (widget));
      cut++;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    cut += count_cut_labels (c, except);
  return cut;
}

static GtkWidget *
ancestor_of_type (GtkWidget *widget,
                  GType      type)
{
  return gtk_widget_get_ancestor (widget, type);
}

static void
test_labels_whole (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  const int widths[][2] = { { 1280, 800 }, { 1000, 700 }, { 800, 600 }, { 360, 640 } };
  GtkWidget *window, *header, *stage;

  lw_ui_fixture_setup (&fx, 60 * 1000);
  window = GTK_WIDGET (fx.window);
  photos = lw_ui_stage_fixtures (&fx);
  header = ancestor_of_type (lw_window_get_job_name_label (fx.window), ADW_TYPE_HEADER_BAR);
  stage = gtk_widget_get_parent (header);
  g_assert_nonnull (header);
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      guint cut;

      resize (&fx, widths[i][0], widths[i][1]);
      g_assert_cmpint (min_width (window), <=, widths[i][0]);
      /* The header, the row under it (narrow) and the dock. */
      cut = count_cut_labels (stage, lw_window_get_job_name_label (fx.window));
      g_test_message ("%s at %d px: %u labels cut", language, widths[i][0], cut);
      if (g_getenv ("LW_SHOTS_DIR") != NULL)
        {
          g_autofree char *name = g_strdup_printf ("window-%d-%s.png", widths[i][0], language);
          g_autofree char *path = g_build_filename (g_getenv ("LW_SHOTS_DIR"), name, NULL);

          lw_ui_save_png (window, path);
        }
      g_assert_cmpuint (cut, ==, 0);
    }
  lw_ui_fixture_teardown (&fx);
}

/* Results bring the Accepted and Rejected tabs: at 1280 px the header then
 * has no room for six tabs, and the filter menu takes their place rather
 * than the window growing past the screen. */
static void
test_results_tabs (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  GtkWidget *window;

  lw_ui_fixture_setup (&fx, 0);
  window = GTK_WIDGET (fx.window);
  photos = lw_ui_stage_fixtures (&fx);
  lw_ui_activate (&fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (lw_ui_job_finished, &fx, 60000));
  lw_window_refresh_now (fx.window);
  resize (&fx, 1280, 800);
  g_assert_true (gtk_widget_get_visible (lw_window_get_filter_accepted (fx.window)));
  g_test_message ("with results the window asks for %d px", min_width (window));
  g_assert_cmpint (min_width (window), <=, 1280);
  g_assert_cmpint (gtk_widget_get_width (window), <=, 1280);
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (lw_window_get_count_all (fx.window)))
                 != gtk_widget_is_visible (find_filter_menu (window)));
  lw_ui_fixture_teardown (&fx);
}

int
main (int argc, char **argv)
{
  /* --german: the same checks with the German translation (the build
   * tree's, LIGHTWORK_LOCALEDIR), before gettext is set up. */
  if (argc > 1 && g_str_equal (argv[argc - 1], "--german"))
    {
      g_setenv ("LANGUAGE", "de", TRUE);
      language = "de";
      argv[--argc] = NULL;
    }
  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/adaptive/narrow", test_narrow);
  g_test_add_func ("/ui/adaptive/labels-whole", test_labels_whole);
  g_test_add_func ("/ui/adaptive/results-tabs", test_results_tabs);
  return g_test_run ();
}

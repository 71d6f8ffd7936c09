/* test-keyboard.c — real key events: an X server (Xvfb) gets them from
 * xdotool (XTEST) and delivers them to the window like a keyboard would.
 * GTK 4.8 cannot synthesise key events itself. */
#include "config.h"

#include <gdk/x11/gdkx.h>

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
module_editor_shown (LwUiFixture *fx)
{
  return gtk_widget_get_visible (GTK_WIDGET (lw_window_get_module_editor (fx->window)));
}

static gboolean
none_processing (LwUiFixture *fx)
{
  return lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PROCESSING) == 0;
}

static void
test_keys (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  g_autofree char *xid = NULL;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");
  GdkSurface *surface;

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

  /* Slow enough that the job is still running when Escape comes. */
  lw_ui_fixture_setup (&fx, 60 * 1000);
  photos = lw_ui_copy_photos (&fx);
  for (guint i = 0; i < photos->len; i++)
    g_ptr_array_add (paths, g_ptr_array_index (photos, i));
  g_ptr_array_add (paths, NULL);
  lw_ui_activate (&fx, "win.stage-paths", g_variant_new_strv ((const char * const *) paths->pdata, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, &fx, 30000));
  lw_ui_spin (200);

  surface = gtk_native_get_surface (GTK_NATIVE (fx.window));
  xid = g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (surface));
  lw_ui_xdotool ((const char *[]) { "windowfocus", "--sync", xid, NULL });
  lw_ui_spin (200);

  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "ctrl+2", NULL });
  g_assert_true (lw_ui_wait (module_is_second, &fx, 20000));

  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "ctrl+Return", NULL });
  g_assert_true (lw_ui_wait (job_running, &fx, 20000));

  lw_ui_xdotool ((const char *[]) { "key", "--clearmodifiers", "Escape", NULL });
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

int
main (int argc, char **argv)
{
  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/keyboard", test_keys);
  return g_test_run ();
}

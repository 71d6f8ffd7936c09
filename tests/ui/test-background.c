/* test-background.c — a job finishing while nobody looks (issue 12).
 *
 * How it proves it: the test runs under dbus-run-session, and on its own
 * connection to that session bus (in a thread of its own, as GTK's calls
 * to it are synchronous) it owns org.freedesktop.Notifications and
 * org.gnome.SessionManager, the services GLib's notification backend and
 * GtkApplication's inhibit really call. An LwApplication registered on the
 * bus under a test id sends its GNotification to the first and takes and
 * releases its suspend inhibitor through the second, so the test sees the
 * D-Bus calls themselves: Notify with "Job finished" and the counts,
 * Inhibit with GTK_APPLICATION_INHIBIT_SUSPEND while the job runs and
 * Uninhibit after. Then the notification's default action, sent back as
 * the server's ActionInvoked, reopens the job in a window (app.open-job).
 * Closing the window while a job runs asks Stop / Keep Running; Keep
 * Running holds the application until the job is done. */
#include "config.h"

#include "lw-application.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"

/* ---- fake session services ------------------------------------------------ */

static const char introspection[] =
  "<node>"
  " <interface name='org.freedesktop.Notifications'>"
  "  <method name='Notify'>"
  "   <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "   <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "   <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='out'/>"
  "  </method>"
  "  <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "  <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "  <method name='GetServerInformation'>"
  "   <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "   <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "  </method>"
  "  <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "  <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  " </interface>"
  " <interface name='org.gnome.SessionManager'>"
  "  <method name='RegisterClient'>"
  "   <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='o' direction='out'/>"
  "  </method>"
  "  <method name='Inhibit'>"
  "   <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "   <arg type='u' direction='in'/><arg type='u' direction='out'/>"
  "  </method>"
  "  <method name='Uninhibit'><arg type='u' direction='in'/></method>"
  "  <method name='IsInhibited'><arg type='u' direction='in'/><arg type='b' direction='out'/></method>"
  " </interface>"
  "</node>";

typedef struct {
  GMutex           lock;
  GThread         *thread;
  GMainContext    *context;
  GMainLoop       *loop;
  GDBusConnection *connection;
  guint            names_owned;   /* atomic */
  /* what was called (under lock) */
  GPtrArray       *summaries;
  GPtrArray       *bodies;
  guint            last_notify_id;
  guint            next_cookie;
  GHashTable      *inhibitors;    /* cookie → flags */
  guint            n_inhibit;
  guint            suspend_flags_seen;
} Services;

static Services services;

static void
method_cb (GDBusConnection       *connection,
           const char            *sender,
           const char            *path,
           const char            *interface,
           const char            *method,
           GVariant              *parameters,
           GDBusMethodInvocation *invocation,
           gpointer               user_data)
{
  g_mutex_lock (&services.lock);
  if (g_str_equal (method, "Notify"))
    {
      const char *summary, *body;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (services.summaries, g_strdup (summary));
      g_ptr_array_add (services.bodies, g_strdup (body));
      services.last_notify_id++;
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", services.last_notify_id));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(['actions', 'body'],)"));
  else if (g_str_equal (method, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "fake", "lightwork", "1", "1.2"));
  else if (g_str_equal (method, "RegisterClient"))
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(o)", "/org/gnome/SessionManager/Client1"));
  else if (g_str_equal (method, "Inhibit"))
    {
      guint flags, cookie = ++services.next_cookie;

      g_variant_get_child (parameters, 3, "u", &flags);
      services.suspend_flags_seen |= flags;
      services.n_inhibit++;
      g_hash_table_insert (services.inhibitors, GUINT_TO_POINTER (cookie), GUINT_TO_POINTER (flags));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", cookie));
    }
  else if (g_str_equal (method, "Uninhibit"))
    {
      guint cookie;

      g_variant_get (parameters, "(u)", &cookie);
      g_hash_table_remove (services.inhibitors, GUINT_TO_POINTER (cookie));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method, "IsInhibited"))
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(b)", g_hash_table_size (services.inhibitors) > 0));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
  g_mutex_unlock (&services.lock);
}

static void
name_acquired_cb (GDBusConnection *connection, const char *name, gpointer data)
{
  g_atomic_int_inc (&services.names_owned);
}

static gpointer
services_thread (gpointer data)
{
  static const GDBusInterfaceVTable vtable = { method_cb, NULL, NULL, { 0 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (introspection, &error);
  g_autofree char *address = NULL;

  g_assert_no_error (error);
  g_main_context_push_thread_default (services.context);
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  services.connection = g_dbus_connection_new_for_address_sync (address,
                                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                                | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                                NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (services.connection, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (services.connection, "/org/gnome/SessionManager", info->interfaces[1],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (services.connection, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                name_acquired_cb, NULL, NULL, NULL);
  g_bus_own_name_on_connection (services.connection, "org.gnome.SessionManager", G_BUS_NAME_OWNER_FLAGS_NONE,
                                name_acquired_cb, NULL, NULL, NULL);
  g_main_loop_run (services.loop);
  g_main_context_pop_thread_default (services.context);
  return NULL;
}

static gboolean
services_ready (gpointer data)
{
  return g_atomic_int_get (&services.names_owned) == 2;
}

static void
services_start (void)
{
  g_mutex_init (&services.lock);
  services.summaries = g_ptr_array_new_with_free_func (g_free);
  services.bodies = g_ptr_array_new_with_free_func (g_free);
  services.inhibitors = g_hash_table_new (NULL, NULL);
  services.context = g_main_context_new ();
  services.loop = g_main_loop_new (services.context, FALSE);
  services.thread = g_thread_new ("fake-session", services_thread, NULL);
  g_assert_true (lw_test_wait_until (services_ready, NULL, 10000));
}

static guint
n_notifications (void)
{
  guint n;

  g_mutex_lock (&services.lock);
  n = services.summaries->len;
  g_mutex_unlock (&services.lock);
  return n;
}

static guint
n_inhibitors (void)
{
  guint n;

  g_mutex_lock (&services.lock);
  n = g_hash_table_size (services.inhibitors);
  g_mutex_unlock (&services.lock);
  return n;
}

static gboolean
emit_action_idle (gpointer data)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (services.connection, NULL, "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", "ActionInvoked",
                                 g_variant_new ("(us)", services.last_notify_id, "default"), &error);
  g_assert_no_error (error);
  return G_SOURCE_REMOVE;
}

/* ---- the test ------------------------------------------------------------- */

static LwUiFixture fx;
static LwApplication *app;

static gboolean
notified (LwUiFixture *f)
{
  return n_notifications () > 0;
}

static gboolean
inhibited (LwUiFixture *f)
{
  return n_inhibitors () == 1 && lw_application_get_inhibiting (app);
}

static gboolean
not_inhibited (LwUiFixture *f)
{
  return n_inhibitors () == 0 && !lw_application_get_inhibiting (app);
}

static gint64 reopened_job;

static gboolean
job_reopened (LwUiFixture *f)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  return windows != NULL && lw_window_get_job_id (windows->data) == reopened_job;
}

static gboolean
window_gone (LwUiFixture *f)
{
  return gtk_application_get_windows (GTK_APPLICATION (app)) == NULL;
}

static gboolean
not_holding (LwUiFixture *f)
{
  return !lw_application_get_holding (app);
}

static gboolean
keep_running_asked (LwUiFixture *f)
{
  return lw_window_get_dialog (f->window) != NULL;
}

static void
stage (LwUiFixture *f)
{
  g_autoptr(GPtrArray) photos = lw_ui_copy_photos (f);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  for (guint i = 0; i < photos->len; i++)
    g_ptr_array_add (paths, g_ptr_array_index (photos, i));
  g_ptr_array_add (paths, NULL);
  lw_ui_activate (f, "win.stage-paths", g_variant_new_strv ((const char * const *) paths->pdata, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, f, 30000));
}

static void
test_background (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *app_id = g_strdup_printf ("io.lightwork.LightWork.Test%u", (guint) getpid ());
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;
  g_autofree char *expected = NULL;
  gint64 job_id;
  guint n_photos;

  services_start ();

  /* Slow enough to close the window while the job runs. */
  lw_ui_fixture_setup (&fx, 400);
  app = lw_application_new_for_jobs (app_id, fx.jobs);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  gtk_application_add_window (GTK_APPLICATION (app), GTK_WINDOW (fx.window));
  stage (&fx);
  n_photos = g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx.window)));
  job_id = lw_window_get_job_id (fx.window);
  g_assert_cmpint (job_id, >, 0);

  /* Running: suspend inhibited, through the session manager. */
  g_assert_true (not_inhibited (&fx));
  lw_ui_activate (&fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (inhibited, &fx, 10000));
  g_assert_cmpuint (services.suspend_flags_seen & GTK_APPLICATION_INHIBIT_SUSPEND, ==,
                    GTK_APPLICATION_INHIBIT_SUSPEND);

  /* Closing the window asks; Keep Running closes it and holds the app. */
  gtk_window_close (GTK_WINDOW (fx.window));
  g_assert_true (lw_ui_wait (keep_running_asked, &fx, 5000));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx.window)));
  g_object_add_weak_pointer (G_OBJECT (fx.window), (gpointer *) &fx.window);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (lw_window_get_dialog (fx.window)), "keep");
  g_assert_true (lw_ui_wait (window_gone, &fx, 5000));
  g_assert_true (lw_application_get_holding (app));
  lw_ui_spin (100);
  g_assert_null (fx.window);

  /* The job goes on without a window; when it finishes nobody looks: a
   * notification with the counts, the inhibitor and the hold go. */
  g_assert_true (lw_ui_wait (notified, &fx, 60000));
  g_assert_true (lw_ui_wait (not_inhibited, &fx, 10000));
  g_assert_true (lw_ui_wait (not_holding, &fx, 10000));
  g_mutex_lock (&services.lock);
  summary = g_strdup (g_ptr_array_index (services.summaries, 0));
  body = g_strdup (g_ptr_array_index (services.bodies, 0));
  g_mutex_unlock (&services.lock);
  g_assert_cmpstr (summary, ==, "Job finished");
  expected = g_strdup_printf (": %u photos done", n_photos);
  if (!g_str_has_suffix (body, expected))
    g_error ("the notification says “%s”", body);
  g_assert_cmpuint (n_notifications (), ==, 1);

  /* Its default action reopens the job in a window. */
  reopened_job = job_id;
  g_main_context_invoke (services.context, emit_action_idle, NULL);
  g_assert_true (lw_ui_wait (job_reopened, &fx, 10000));

  /* A registered GApplication lives as long as the process (GLib's D-Bus
   * exports of its actions keep it), and it holds the jobs service: so no
   * finalization check here (test-review and test-window make them), only
   * the work stopped and the folder removed. */
  gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (app))->data);
  lw_ui_spin (200);
  lw_jobs_stop (fx.jobs);
  g_clear_object (&fx.jobs);
  g_clear_object (&fx.core);
  lw_test_rmtree (fx.tmpdir);
  g_free (fx.tmpdir);
  g_free (fx.photos);
}

int
main (int argc, char **argv)
{
  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/background/notify-hold-inhibit", test_background);
  return g_test_run ();
}

/* lw-application.c — the GtkApplication of LightWork. */
#include "config.h"

#include <glib/gi18n-lib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "lw-application.h"
#include "lw-fonts.h"
#include "lw-resources.h"
#include "lw-window.h"

struct _LwApplication
{
  AdwApplication  parent_instance;

  LwCore         *core;
  LwJobs         *jobs;          /* the one jobs service of the process */
  GArray         *interrupted;   /* job ids that were running when the app last stopped */
  gboolean        failed;
};

G_DEFINE_FINAL_TYPE (LwApplication, lw_application, ADW_TYPE_APPLICATION)

void
lw_application_tune_memory (void)
{
#ifdef __GLIBC__
  /* Decoded photos and thumbnails (0.3–1.5 MB) then always come from mmap
   * and go back to the system when freed. */
  mallopt (M_MMAP_THRESHOLD, 256 * 1024);
  mallopt (M_ARENA_MAX, 4);
#endif
}

static GtkCssProvider *dark_provider;

static void
dark_changed_cb (AdwStyleManager *manager,
                 GParamSpec      *pspec,
                 gpointer         data)
{
  GdkDisplay *display = gdk_display_get_default ();

  gtk_style_context_remove_provider_for_display (display, GTK_STYLE_PROVIDER (dark_provider));
  if (adw_style_manager_get_dark (manager))
    gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (dark_provider),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

void
lw_application_load_style (void)
{
  static gboolean loaded;
  g_autoptr(GtkCssProvider) provider = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  if (loaded || display == NULL)
    return;
  loaded = TRUE;
  /* The bundle is linked from a static library: naming it keeps its object
   * (and the constructor that registers it) in the program. */
  (void) lw_get_resource ();
  /* The modules' icons (GtkApplication adds this path by itself; tools
   * and tests without one need it too). */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display), "/io/lightwork/LightWork/icons");
  lw_fonts_register ();
  /* An AdwApplication loads style.css, and style-dark.css while the style
   * is dark, from its resource base path by itself (libadwaita ≥ 1.0). */
  if (ADW_IS_APPLICATION (g_application_get_default ()))
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/lightwork/LightWork/style.css");
  /* Above the theme, as libadwaita adds an application's own. */
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  /* Tools and tests without an AdwApplication: the dark half the same
   * way, added after style.css so its colours win. */
  dark_provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (dark_provider, "/io/lightwork/LightWork/style-dark.css");
  g_signal_connect (adw_style_manager_get_default (), "notify::dark", G_CALLBACK (dark_changed_cb), NULL);
  dark_changed_cb (adw_style_manager_get_default (), NULL, NULL);
}

static void
resume_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    GtkWidget        *window)
{
  if (g_strcmp0 (response, "continue") == 0)
    gtk_widget_activate_action (window, "win.launch", NULL);
}

static void
ask_to_resume (LwApplication *self,
               LwWindow      *window)
{
  gint64 job_id = lw_window_get_job_id (window);
  g_autoptr(LwJob) job = NULL;
  GtkWidget *dialog;

  for (guint i = 0; i < self->interrupted->len; i++)
    if (g_array_index (self->interrupted, gint64, i) == job_id)
      {
        g_array_remove_index (self->interrupted, i);
        job = lw_jobs_get (self->jobs, job_id, NULL);
        break;
      }
  if (job == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (window), _("Continue the Job?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” was running when LightWork closed. Its finished photos are kept."),
                                  job->name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "later", _("_Not Now"),
                                    "continue", _("_Continue"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "continue", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "continue");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "later");
  g_signal_connect (dialog, "response", G_CALLBACK (resume_response_cb), window);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
lw_application_startup (GApplication *app)
{
  LwApplication *self = LW_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  static const char *quit_accels[] = { "<Control>q", NULL };

  /* Fonts before the first widget makes Pango's font map. */
  lw_fonts_register ();

  G_APPLICATION_CLASS (lw_application_parent_class)->startup (app);

  lw_application_load_style ();
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);

  self->core = lw_core_open (NULL, NULL, &error);
  if (self->core == NULL)
    {
      g_printerr (_("lightwork: cannot open the data folder: %s\n"), error->message);
      self->failed = TRUE;
      return;
    }
  self->jobs = lw_jobs_new (self->core);
  /* A job left running by a process that is gone would start again on its
   * own: the service holds it (the window asks once whether to go on); a
   * live lightwork-cli run, even one waiting out a rate limit, goes on. */
  lw_jobs_hold_interrupted (self->jobs, self->interrupted);
  lw_jobs_start (self->jobs);
}

static void
lw_application_shutdown (GApplication *app)
{
  LwApplication *self = LW_APPLICATION (app);

  /* In-flight images go back to PENDING; their jobs keep PROCESSING, so
   * the next start asks whether to continue. */
  if (self->jobs != NULL)
    lw_jobs_stop (self->jobs);

  G_APPLICATION_CLASS (lw_application_parent_class)->shutdown (app);
}

static LwWindow *
ensure_window (LwApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (lw_window_new (self));
  return LW_WINDOW (window);
}

static void
lw_application_activate (GApplication *app)
{
  LwApplication *self = LW_APPLICATION (app);
  LwWindow *window;

  if (self->core == NULL)
    return;
  window = ensure_window (self);
  gtk_window_present (GTK_WINDOW (window));
  ask_to_resume (self, window);
}

static void
lw_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  LwApplication *self = LW_APPLICATION (app);
  LwWindow *window;

  if (self->core == NULL)
    return;
  window = ensure_window (self);
  gtk_window_present (GTK_WINDOW (window));
  /* `lightwork FILE…`: a new job with those photos. */
  lw_window_open_files (window, files, n_files);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  static const char *developers[] = { "The LightWork authors", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  adw_show_about_window (window,
                         "application-name", _("LightWork"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developers", developers,
                         "comments", _("Batch photo editing with AI models, from a fixed workspace"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action, NULL, NULL, NULL, { 0 } },
  { "about", about_action, NULL, NULL, NULL, { 0 } },
};

static void
lw_application_finalize (GObject *object)
{
  LwApplication *self = LW_APPLICATION (object);

  g_clear_object (&self->jobs);
  g_clear_object (&self->core);
  g_array_unref (self->interrupted);

  G_OBJECT_CLASS (lw_application_parent_class)->finalize (object);
}

static void
lw_application_class_init (LwApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = lw_application_finalize;
  app_class->startup = lw_application_startup;
  app_class->shutdown = lw_application_shutdown;
  app_class->activate = lw_application_activate;
  app_class->open = lw_application_open;
}

static void
lw_application_init (LwApplication *self)
{
  self->interrupted = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
}

LwApplication *
lw_application_new (void)
{
  return g_object_new (LW_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/lightwork/LightWork",
                       NULL);
}

LwCore *
lw_application_get_core (LwApplication *self)
{
  return self->core;
}

LwJobs *
lw_application_get_jobs (LwApplication *self)
{
  return self->jobs;
}

gboolean
lw_application_get_failed (LwApplication *self)
{
  return self->failed;
}

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
  gboolean        own_jobs;      /* jobs made at startup (not handed in by a test) */
  GHashTable     *running;       /* ids (gint64*) of jobs running in this process */
  guint           inhibit_cookie; /* suspend held off while a job runs; 0 = none */
  gboolean        holding;       /* kept alive without a window until nothing runs */
  gulong          handlers[2];
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

/* ---- jobs running in the background --------------------------------------- */

static gboolean
any_window_active (LwApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (gtk_widget_get_visible (l->data) && gtk_window_is_active (l->data))
      return TRUE;
  return FALSE;
}

/* Nobody looks: a notification whose default action reopens the job. */
static void
notify_job (LwApplication *self,
            gint64         job_id,
            const char    *title,
            gboolean       trial)
{
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  LwJobProgress progress;

  if (any_window_active (self) || !g_application_get_is_registered (G_APPLICATION (self)))
    return;
  job = lw_jobs_get (self->jobs, job_id, NULL);
  if (job == NULL || !lw_jobs_get_progress (self->jobs, job_id, &progress, NULL))
    return;
  /* TRANSLATORS: a notification's body, "“Menu”: 12 photos done, 1 failed" */
  g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "“%s”: %d photo done", "“%s”: %d photos done",
                                             progress.counts.completed),
                          job->name, progress.counts.completed);
  if (progress.counts.failed > 0)
    g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, ", %d failed", ", %d failed", progress.counts.failed),
                            progress.counts.failed);
  if (trial)
    g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, ", %d left", ", %d left",
                                               lw_job_counts_open (&progress.counts)),
                            lw_job_counts_open (&progress.counts));
  notification = g_notification_new (title);
  g_notification_set_body (notification, body->str);
  g_notification_set_default_action_and_target (notification, "app.open-job", "x", job_id);
  /* One notification a job: a later one replaces it. */
  id = g_strdup_printf ("job-%" G_GINT64_FORMAT, job_id);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* While anything runs: the session does not suspend. When nothing runs any
 * more, a hold taken for a closed window ends, and with no window left the
 * application quits. */
static void
update_running (LwApplication *self)
{
  gboolean running = g_hash_table_size (self->running) > 0;

  if (running && self->inhibit_cookie == 0 && g_application_get_is_registered (G_APPLICATION (self)))
    self->inhibit_cookie = gtk_application_inhibit (GTK_APPLICATION (self),
                                                    gtk_application_get_active_window (GTK_APPLICATION (self)),
                                                    GTK_APPLICATION_INHIBIT_SUSPEND, _("Editing photos"));
  else if (!running && self->inhibit_cookie != 0)
    {
      gtk_application_uninhibit (GTK_APPLICATION (self), self->inhibit_cookie);
      self->inhibit_cookie = 0;
    }
  if (!running && self->holding)
    {
      self->holding = FALSE;
      g_application_release (G_APPLICATION (self));
      if (gtk_application_get_windows (GTK_APPLICATION (self)) == NULL)
        g_application_quit (G_APPLICATION (self));
    }
}

static void
job_changed_cb (LwJobs        *jobs,
                gint64         job_id,
                int            status,
                LwApplication *self)
{
  gboolean was = g_hash_table_contains (self->running, &job_id);

  if (status == LW_JOB_PROCESSING)
    {
      if (!was)
        g_hash_table_add (self->running, g_memdup2 (&job_id, sizeof job_id));
    }
  else if (was)
    {
      g_hash_table_remove (self->running, &job_id);
      if (status == LW_JOB_COMPLETED || status == LW_JOB_FAILED)
        notify_job (self, job_id, status == LW_JOB_COMPLETED ? _("Job finished") : _("Job failed"), FALSE);
    }
  update_running (self);
}

static void
trial_finished_cb (LwJobs        *jobs,
                   gint64         job_id,
                   LwApplication *self)
{
  notify_job (self, job_id, _("Trial run finished"), TRUE);
}

void
lw_application_keep_running (LwApplication *self)
{
  g_return_if_fail (LW_IS_APPLICATION (self));

  if (self->holding || g_hash_table_size (self->running) == 0)
    return;
  self->holding = TRUE;
  g_application_hold (G_APPLICATION (self));
}

gboolean
lw_application_get_holding (LwApplication *self)
{
  g_return_val_if_fail (LW_IS_APPLICATION (self), FALSE);

  return self->holding;
}

gboolean
lw_application_get_inhibiting (LwApplication *self)
{
  g_return_val_if_fail (LW_IS_APPLICATION (self), FALSE);

  return self->inhibit_cookie != 0;
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

  if (self->jobs == NULL)
    {
      self->core = lw_core_open (NULL, NULL, &error);
      if (self->core == NULL)
        {
          g_printerr (_("lightwork: cannot open the data folder: %s\n"), error->message);
          self->failed = TRUE;
          return;
        }
      self->jobs = lw_jobs_new (self->core);
      self->own_jobs = TRUE;
      /* A job left running by a process that is gone would start again on
       * its own: the service holds it (the window asks once whether to go
       * on); a live lightwork-cli run, even one waiting out a rate limit,
       * goes on. */
      lw_jobs_hold_interrupted (self->jobs, self->interrupted);
      lw_jobs_start (self->jobs);
    }
  self->handlers[0] = g_signal_connect (self->jobs, "job-changed", G_CALLBACK (job_changed_cb), self);
  self->handlers[1] = g_signal_connect (self->jobs, "trial-finished", G_CALLBACK (trial_finished_cb), self);
}

static void
lw_application_shutdown (GApplication *app)
{
  LwApplication *self = LW_APPLICATION (app);

  /* In-flight images go back to PENDING; their jobs keep PROCESSING, so
   * the next start asks whether to continue. */
  if (self->jobs != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (self->handlers); i++)
        g_clear_signal_handler (&self->handlers[i], self->jobs);
      if (self->own_jobs)
        lw_jobs_stop (self->jobs);
    }
  g_hash_table_remove_all (self->running);
  update_running (self);

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

/* A notification's default action: the job in a window. */
static void
open_job_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  LwApplication *self = user_data;
  LwWindow *window;

  if (self->jobs == NULL)
    return;
  window = ensure_window (self);
  if (lw_window_get_job_id (window) != g_variant_get_int64 (parameter))
    lw_window_load_job (window, g_variant_get_int64 (parameter));
  gtk_window_present (GTK_WINDOW (window));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action, NULL, NULL, NULL, { 0 } },
  { "open-job", open_job_action, "x", NULL, NULL, { 0 } },
  { "about", about_action, NULL, NULL, NULL, { 0 } },
};

static void
lw_application_finalize (GObject *object)
{
  LwApplication *self = LW_APPLICATION (object);

  if (self->jobs != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (self->handlers); i++)
      g_clear_signal_handler (&self->handlers[i], self->jobs);
  g_clear_object (&self->jobs);
  g_clear_object (&self->core);
  g_array_unref (self->interrupted);
  g_hash_table_unref (self->running);

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
  self->running = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
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

LwApplication *
lw_application_new_for_jobs (const char *application_id,
                             LwJobs     *jobs)
{
  LwApplication *self;

  g_return_val_if_fail (LW_IS_JOBS (jobs), NULL);

  self = g_object_new (LW_TYPE_APPLICATION,
                       "application-id", application_id,
                       "resource-base-path", "/io/lightwork/LightWork",
                       NULL);
  self->jobs = g_object_ref (jobs);
  return self;
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

/* lw-cli.c — lightwork-cli: stage, launch, watch, resume and export from a
 * terminal, on the same data directory and queue as the window.
 *
 * A thin front end over the jobs service (lw-jobs.h): every job rule (what
 * a job may do from its state, the defaults new jobs get, the limits of a
 * run, what a rejection is) lives there, the same for the window; this file
 * parses options and prints. docs/ARCHITECTURE.md, "Jobs", states the rules.
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "lw-cli-private.h"
#include "lw-core.h"
#include "lw-i18n.h"
#include "lw-engine.h"
#include "lw-jobs.h"
#include "lw-models.h"
#include "lw-scheduler.h"
#include "lw-settings.h"

typedef struct {
  LwJobs      *jobs;
  GMainLoop   *loop;
  gint64       job_id;
  gboolean     json;
  gboolean     tty;
  int          interrupts;  /* Ctrl+C: 1 finishes what is in flight, 2 abandons it */
  gboolean     draining;    /* cancelled; waiting for the requests in flight to land */
  gboolean     paused;
  gboolean     offline;     /* said once per outage, until "job-resumed" */
  char        *pause_message;
  guint        tick;
  gboolean     line_open;   /* a progress line is on the terminal */
} Run;

/* Shown as \uXXXX: they reorder what follows them on the line. */
static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f;
}

static gboolean
needs_escape (const char *s)
{
  if (!g_utf8_validate (s, -1, NULL))
    return TRUE;
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || is_bidi_control (c))
        return TRUE;
    }
  return FALSE;
}

const char *
lw_cli_shown (const char *s)
{
  g_autoptr(GString) out = NULL;
  const char *end;

  if (s == NULL || !needs_escape (s))
    return s;
  out = g_string_new (NULL);
  end = s + strlen (s);
  for (const char *p = s; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }
      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (g_unichar_iscntrl (c) && c < 0x100)
        g_string_append_printf (out, "\\x%02x", (guint) c);
      else if (is_bidi_control (c))
        g_string_append_printf (out, "\\u%04x", (guint) c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  /* Interned: a short-lived process shows a handful of such names. */
  return g_intern_string (out->str);
}

void
lw_cli_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("lightwork-cli: %s\n", lw_cli_shown (message));
}

int
lw_cli_fail (const GError *error)
{
  lw_cli_error ("%s", error->message);
  return LW_CLI_EXIT_ERROR;
}

void
lw_cli_print_json (JsonBuilder *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

/* One member of the object being built: "name": value. */
static void json_add_str (JsonBuilder *b, const char *name, const char *value);

/* --json prints one object a line, each with its "event". */
static JsonBuilder *
begin_event (const char *event)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_add_str (b, "event", event);
  return b;
}

static void
end_event (JsonBuilder *b)
{
  json_builder_end_object (b);
  lw_cli_print_json (b);
}

static void
json_add_str (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
json_add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
json_add_double (JsonBuilder *b, const char *name, double value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static void
json_add_bool (JsonBuilder *b, const char *name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

LwCore *
lw_cli_open_core (LwCoreOpenFlags flags)
{
  g_autoptr(GError) error = NULL;
  LwCore *core = lw_core_open_full (NULL, NULL, flags, &error);

  if (core == NULL)
    lw_cli_error (_("cannot open the data folder: %s"), error->message);
  return core;
}

/* The data folder's jobs service, or NULL after saying why the folder
 * cannot be opened. */
static LwJobs *
open_jobs (LwCoreOpenFlags flags)
{
  g_autoptr(LwCore) core = lw_cli_open_core (flags);
  g_autoptr(GError) error = NULL;

  if (core == NULL)
    return NULL;
  /* A command that only reads may never touch a damaged page and would
   * list a garbled database as fine: it checks the whole file first. */
  if ((flags & LW_CORE_OPEN_READ_ONLY) && !lw_store_quick_check (lw_core_get_store (core), &error))
    {
      lw_cli_fail (error);
      return NULL;
    }
  return lw_jobs_new (core);
}

static char *
format_duration (gint64 seconds)
{
  if (seconds < 0)
    return g_strdup ("–");
  if (seconds < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT "s", seconds);
  if (seconds < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT "m%02" G_GINT64_FORMAT "s", seconds / 60, seconds % 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT "h%02" G_GINT64_FORMAT "m", seconds / 3600, (seconds / 60) % 60);
}

/* The job named on the command line ("12" or a name), or the newest; NULL,
 * said, when there is none. */
static LwJob *
find_job (LwJobs *jobs, const char *arg)
{
  g_autoptr(GError) error = NULL;
  LwJob *job = lw_jobs_lookup (jobs, arg, &error);

  if (job != NULL)
    return job;
  if (!g_error_matches (error, LW_JOBS_ERROR, LW_JOBS_ERROR_NOT_FOUND))
    lw_cli_fail (error);
  else if (arg == NULL)
    lw_cli_error (_("there are no jobs yet; start one with “lightwork-cli process PHOTOS…”"));
  else if (g_ascii_string_to_signed (arg, 10, 1, G_MAXINT64, NULL, NULL))
    lw_cli_error (_("no job %s"), arg);
  else
    lw_cli_error (_("no job named “%s”"), arg);
  return NULL;
}

/* Opens the data folder into *jobs and finds the job arg names there (see
 * find_job); NULL, said, when either fails. */
static LwJob *
open_job (const char *arg, LwCoreOpenFlags flags, LwJobs **jobs)
{
  *jobs = open_jobs (flags);
  if (*jobs == NULL)
    return NULL;
  return find_job (*jobs, arg);
}

/* A subcommand's options, parsed into the variables entries point at;
 * FALSE, said, on a bad one. */
static gboolean
parse_options (GOptionContext *context, const GOptionEntry *entries, int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  lw_cli_fail (error);
  return FALSE;
}

/* An image's id, name and status: how --json names an image everywhere. */
static void
json_add_image (JsonBuilder *b, const LwImage *image)
{
  json_add_int (b, "id", image->id);
  json_add_str (b, "name", image->original_name);
  json_add_str (b, "status", lw_image_status_to_string (image->status));
  /* Done, but a result check doubts it (docs/ARCHITECTURE.md, "Results"). */
  if (image->status == LW_IMAGE_COMPLETED && image->review_reason != NULL)
    json_add_str (b, "review", image->review_reason);
  if (image->note != NULL)
    json_add_str (b, "note", image->note);
}

/* Option help from the tables (lw-models.h, lw-settings.h), so a new model
 * or another range shows here without an edit. */
static char *
model_option_help (void)
{
  g_autofree char *models = lw_models_describe ();

  /* TRANSLATORS: %s is the list of models, "nano_banana, nano_banana_pro or local" */
  return g_strdup_printf (_("%s; default: the model the window uses"), models);
}

static char *
concurrency_option_help (void)
{
  const LwSettingInfo *info = lw_settings_find (LW_SETTING_CONCURRENCY);

  /* TRANSLATORS: "Requests at once, 1–16; default 2" */
  return g_strdup_printf (_("Requests at once, %d–%d; default %s"), (int) info->min, (int) info->max,
                          info->fallback);
}

/* "Saved 3 results to DIR", and how many were there already, byte for byte
 * (an export skips those rather than adding identical "-2" copies). */
static void
print_saved (FILE *out, guint written, guint skipped, const char *dir)
{
  fprintf (out, g_dngettext (GETTEXT_PACKAGE, "Saved %u result to %s\n", "Saved %u results to %s\n", written),
           written, lw_cli_shown (dir));
  if (skipped > 0)
    fprintf (out, g_dngettext (GETTEXT_PACKAGE, "%u already saved there, skipped\n",
                               "%u already saved there, skipped\n", skipped), skipped);
}

/* ---- watching a run ----------------------------------------------------- */

static void
clear_line (Run *run)
{
  if (run->line_open)
    {
      g_printerr ("\r\033[K");
      run->line_open = FALSE;
    }
}

/* The live line on a terminal; elsewhere per-image lines (or --json
 * events) say it all. */
static void
print_progress (Run *run)
{
  LwJobProgress p;
  g_autofree char *eta = NULL;
  g_autofree char *cost = NULL;

  if (!run->tty || !lw_jobs_get_progress (run->jobs, run->job_id, &p, NULL))
    return;
  eta = format_duration (p.eta_seconds);
  /* Spent so far, and what the rest will cost if every photo left takes
   * one call (retries can add to it; reused results take none). */
  if (p.spent > 0 || p.price > 0)
    cost = g_strdup_printf (" · $%.2f of ~$%.2f", p.spent, p.projected);

  g_printerr ("\r\033[K%d/%d done · %u in flight · %d failed · %.1f/s · ETA %s%s",
              p.counts.completed, p.counts.total, p.in_flight, p.counts.failed, p.rate, eta,
              cost ? cost : "");
  run->line_open = TRUE;
}

static gboolean
tick_cb (gpointer data)
{
  Run *run = data;
  g_autoptr(LwJob) job = lw_jobs_get (run->jobs, run->job_id, NULL);

  if (job == NULL)
    return G_SOURCE_CONTINUE;
  print_progress (run);
  /* Cancelled here: done when what was in flight has landed. Else another
   * process (the window) may finish or cancel the job: notice it. */
  if (run->draining ? lw_jobs_get_in_flight (run->jobs, run->job_id) == 0 : job->status != LW_JOB_PROCESSING)
    g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static void
image_changed_cb (LwJobs *jobs, gint64 job_id, gint64 image_id, int status, Run *run)
{
  g_autoptr(LwImage) image = NULL;

  if (job_id != run->job_id || (status != LW_IMAGE_COMPLETED && status != LW_IMAGE_FAILED
                                && status != LW_IMAGE_RETRY_LATER))
    return;
  image = lw_jobs_get_image (jobs, image_id, NULL);
  if (image == NULL)
    return;

  if (run->json)
    {
      g_autoptr(JsonBuilder) b = begin_event ("image");

      json_add_image (b, image);
      if (image->error_message != NULL)
        json_add_str (b, "error", image->error_message);
      if (lw_jobs_result_is_reused (image))
        json_add_bool (b, "reused", TRUE);
      end_event (b);
    }
  else if (!run->tty)
    {
      if (status == LW_IMAGE_COMPLETED && lw_jobs_result_is_reused (image))
        /* TRANSLATORS: plain output for a photo whose identical request was answered before */
        g_print (_("done %s (reused, no charge)\n"), lw_cli_shown (image->original_name));
      else if (status == LW_IMAGE_COMPLETED)
        g_print ("done %s\n", lw_cli_shown (image->original_name));
      else if (status == LW_IMAGE_FAILED)
        g_print ("failed %s: %s\n", lw_cli_shown (image->original_name), lw_cli_shown (image->error_message ? image->error_message : ""));
      else
        g_print ("retry-later %s: %s\n", lw_cli_shown (image->original_name),
                 lw_cli_shown (image->error_message ? image->error_message : ""));
    }
  else if (status == LW_IMAGE_FAILED)
    {
      clear_line (run);
      g_printerr (_("Failed: %s — %s\n"), lw_cli_shown (image->original_name),
                  lw_cli_shown (image->error_message ? image->error_message : ""));
    }
}

static void
job_changed_cb (LwJobs *jobs, gint64 job_id, int status, Run *run)
{
  if (job_id == run->job_id && status != LW_JOB_PROCESSING && !run->draining)
    g_main_loop_quit (run->loop);
}

/* Only this run's job: a pause of another job's model (a Gemini job with no
 * key left launched beside a local run) is not this run's business. */
static void
job_paused_cb (LwJobs *jobs, gint64 job_id, const char *model, const GError *reason, Run *run)
{
  if (job_id != run->job_id)
    return;
  /* Offline heals itself (the scheduler looks again every 30 s): wait. */
  if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE))
    {
      if (!run->offline)
        {
          clear_line (run);
          g_printerr (_("Offline: %s — waiting for the network…\n"), reason->message);
        }
      run->offline = TRUE;
      return;
    }
  run->paused = TRUE;
  g_free (run->pause_message);
  run->pause_message = g_strdup (reason->message);
  g_main_loop_quit (run->loop);
}

static void
job_resumed_cb (LwJobs *jobs, gint64 job_id, const char *model, Run *run)
{
  if (job_id == run->job_id)
    run->offline = FALSE;
}

static gboolean
interrupt_cb (gpointer data)
{
  Run *run = data;

  run->interrupts++;
  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

/* After Ctrl+C: nothing new starts, and the requests in flight, sent and
 * billed, land and are kept (docs/ARCHITECTURE.md, "Jobs"); after a pause
 * they land too. A second Ctrl+C abandons them, saying what that costs. */
static void
finish_in_flight (Run *run)
{
  gboolean said = FALSE;
  guint n;

  while ((n = lw_jobs_get_in_flight (run->jobs, run->job_id)) > 0 && run->interrupts < 2)
    {
      if (run->interrupts > 0)
        lw_jobs_cancel (run->jobs, run->job_id, NULL);
      if (run->interrupts > 0 && !said)
        {
          said = TRUE;
          clear_line (run);
          if (run->json)
            {
              g_autoptr(JsonBuilder) b = begin_event ("finishing");

              json_add_int (b, "in_flight", n);
              end_event (b);
            }
          else
            g_printerr (g_dngettext (GETTEXT_PACKAGE,
                                     "Cancelled: finishing %u in flight… (Ctrl+C again to abandon it)\n",
                                     "Cancelled: finishing %u in flight… (Ctrl+C again to abandon them)\n", n), n);
        }
      run->draining = TRUE;
      g_main_loop_run (run->loop);
      run->draining = FALSE;
    }
  if (run->interrupts > 0)
    lw_jobs_cancel (run->jobs, run->job_id, NULL);
  if (run->interrupts < 2)
    return;
  n = lw_jobs_stop_now (run->jobs, run->job_id);
  if (n == 0)
    return;
  clear_line (run);
  g_printerr (g_dngettext (GETTEXT_PACKAGE,
                           "Abandoned %u request in flight: it was sent, may still be charged, and its photo "
                           "is charged again when sent again.\n",
                           "Abandoned %u requests in flight: they were sent, may still be charged, and their "
                           "photos are charged again when sent again.\n", n), n);
}

/* This run's limits for model (--concurrency, --rpm: 0 and -1 keep the
 * settings) and --force; FALSE, said, when a limit is out of the settings
 * table's range. Called before anything is changed, so a refused option
 * leaves the job as it was, for process and resume alike. */
static gboolean
set_run_options (LwJobs *jobs, const char *model, int concurrency, int rpm, gboolean force)
{
  g_autoptr(GError) error = NULL;

  if (!lw_jobs_set_run_limits (jobs, model, concurrency, rpm, &error))
    {
      lw_cli_fail (error);
      return FALSE;
    }
  lw_jobs_set_reuse_results (jobs, !force);
  return TRUE;
}

/* --out DIR (and --template) are remembered with the job; without them a
 * job saves where it was told last (docs/ARCHITECTURE.md, "Jobs"). Returns
 * the folder to save into (NULL: none), its template in *template_out. */
static gboolean
resolve_output (LwJobs *jobs, gint64 job_id, const char *out_dir, const char *template_str, char **dir_out,
                char **template_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;

  if (out_dir != NULL && !lw_jobs_set_output (jobs, job_id, out_dir, template_str, &error))
    {
      lw_cli_fail (error);
      return FALSE;
    }
  job = lw_jobs_get (jobs, job_id, &error);
  if (job == NULL)
    {
      lw_cli_fail (error);
      return FALSE;
    }
  *dir_out = g_strdup (job->out_dir);
  *template_out = g_strdup (template_str != NULL ? template_str : job->out_template);
  return TRUE;
}

/* Launches (or continues) the job and watches it to the end. out_dir: save
 * the results there, named by template_str (NULL = the export.template
 * setting); without it, where the job was told last. */
static int
run_job (LwJobs *jobs, gint64 job_id, gboolean json, const char *out_arg, const char *template_arg)
{
  g_autofree char *out_dir = NULL;
  g_autofree char *template_str = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  const GError *pause;
  LwJobProgress p;
  Run run = { 0 };
  guint sigint, sigterm;
  int exit_code;

  if (!resolve_output (jobs, job_id, out_arg, template_arg, &out_dir, &template_str))
    return LW_CLI_EXIT_ERROR;
  run.jobs = jobs;
  run.job_id = job_id;
  run.json = json;
  run.tty = isatty (STDERR_FILENO) && !json;
  run.loop = g_main_loop_new (NULL, FALSE);

  /* This process works on its own job only; the window, or another
   * lightwork-cli, runs the others. */
  lw_jobs_set_scope (jobs, job_id);
  g_signal_connect (jobs, "image-changed", G_CALLBACK (image_changed_cb), &run);
  g_signal_connect (jobs, "job-changed", G_CALLBACK (job_changed_cb), &run);
  g_signal_connect (jobs, "job-paused", G_CALLBACK (job_paused_cb), &run);
  g_signal_connect (jobs, "job-resumed", G_CALLBACK (job_resumed_cb), &run);
  sigint = g_unix_signal_add (SIGINT, interrupt_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, &run);

  lw_jobs_start (jobs);
  if (!lw_jobs_launch (jobs, job_id, &error))
    {
      exit_code = lw_cli_fail (error);
      g_source_remove (sigint);
      g_source_remove (sigterm);
      goto out;
    }
  pause = lw_jobs_get_pause (jobs, job_id);
  if (pause != NULL)
    job_paused_cb (jobs, job_id, NULL, pause, &run);
  run.tick = g_timeout_add (250, tick_cb, &run);

  job = lw_jobs_get (jobs, job_id, NULL);
  if (job != NULL && job->status == LW_JOB_PROCESSING && !run.paused)
    g_main_loop_run (run.loop);

  /* Ctrl+C, a pause, or the job cancelled by another process (the window). */
  finish_in_flight (&run);
  g_source_remove (run.tick);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  if (run.interrupts > 0)
    {
      lw_jobs_stop (jobs);
      clear_line (&run);
      g_printerr (_("Interrupted. Run the same command again to continue where it stopped.\n"));
      exit_code = LW_CLI_EXIT_INTERRUPTED;
      goto out;
    }
  lw_jobs_stop (jobs);
  clear_line (&run);

  if (run.paused)
    {
      g_clear_pointer (&job, lw_job_free);
      job = lw_jobs_get (jobs, job_id, NULL);
      lw_cli_error (_("paused: %s"), run.pause_message);
      if (job != NULL && job->pause_advice != NULL)
        g_printerr ("%s\n", job->pause_advice);
      g_printerr (_("Then run “lightwork-cli resume %" PRId64 "”.\n"), job_id);
      exit_code = LW_CLI_EXIT_ERROR;
      goto out;
    }

  /* What it cost is part of the summary: a cost that cannot be read is an
   * error, never "$0". */
  if (!lw_jobs_get_progress (jobs, job_id, &p, &error))
    {
      exit_code = lw_cli_fail (error);
      goto out;
    }
  g_clear_pointer (&job, lw_job_free);
  job = lw_jobs_get (jobs, job_id, NULL);

  if (out_dir != NULL && p.counts.completed > 0)
    {
      guint written = 0, skipped = 0;

      if (!lw_jobs_export_full (jobs, job_id, out_dir, template_str, LW_EXPORT_ALL, NULL, NULL, &written, &skipped,
                                NULL, &error))
        {
          lw_cli_error (_("saving the results failed: %s"), error->message);
          exit_code = LW_CLI_EXIT_ERROR;
          goto out;
        }
      if (!json)
        print_saved (stderr, written, skipped, out_dir);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = begin_event ("finished");

      json_add_int (b, "job", job_id);
      json_add_str (b, "status", job ? lw_job_status_to_string (job->status) : "UNKNOWN");
      json_add_int (b, "total", p.counts.total);
      json_add_int (b, "completed", p.counts.completed);
      json_add_int (b, "failed", p.counts.failed);
      json_add_int (b, "requests", (gint64) lw_jobs_get_n_requests (jobs));
      json_add_double (b, "cost", p.spent);
      end_event (b);
    }
  else
    g_printerr (_("Job %" PRId64 ": %d of %d done, %d failed.\n"), job_id, p.counts.completed, p.counts.total,
                p.counts.failed);

  if (lw_job_counts_open (&p.counts) > 0)
    exit_code = LW_CLI_EXIT_ERROR;   /* stopped by someone else */
  else
    exit_code = p.counts.failed > 0 ? LW_CLI_EXIT_SOME_FAILED : LW_CLI_EXIT_OK;

out:
  g_signal_handlers_disconnect_by_data (jobs, &run);
  g_main_loop_unref (run.loop);
  g_free (run.pause_message);
  return exit_code;
}

/* --force stops reusing earlier results for the photos a run sends. A job
 * with nothing left to send has nothing for it to do: refused, in words,
 * rather than silently sending nothing — or silently paying again for
 * every result the job already has. FALSE, said, when refused. */
static gboolean
check_force (LwJobs *jobs, gint64 job_id, gboolean force)
{
  g_autoptr(GError) error = NULL;
  LwJobProgress p;

  if (!force)
    return TRUE;
  if (!lw_jobs_get_progress (jobs, job_id, &p, &error))
    {
      lw_cli_fail (error);
      return FALSE;
    }
  if (lw_job_counts_open (&p.counts) > 0)
    return TRUE;
  lw_cli_error (g_dngettext (GETTEXT_PACKAGE,
                             "job %" PRId64 " is finished: its %d photo has a result or failed, so --force has "
                             "nothing to send again (it only stops reusing earlier results for photos still to "
                             "do); nothing was sent",
                             "job %" PRId64 " is finished: its %d photos have a result or failed, so --force has "
                             "nothing to send again (it only stops reusing earlier results for photos still to "
                             "do); nothing was sent", p.counts.total),
                job_id, p.counts.total);
  g_printerr (_("For new takes, start another job (another --name) with --force, or retry the failed ones "
                "with “lightwork-cli retry-failed --force %" PRId64 "”.\n"), job_id);
  return FALSE;
}

/* ---- process ------------------------------------------------------------- */

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static char *
make_source_key (const char *module, const char *model, char **paths)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GPtrArray) abs = g_ptr_array_new_with_free_func (g_free);

  for (char **p = paths; *p != NULL; p++)
    g_ptr_array_add (abs, g_canonicalize_filename (*p, NULL));
  g_ptr_array_sort (abs, compare_paths);
  g_checksum_update (sum, (const guchar *) module, -1);
  g_checksum_update (sum, (const guchar *) "\n", 1);
  g_checksum_update (sum, (const guchar *) model, -1);
  for (guint i = 0; i < abs->len; i++)
    {
      g_checksum_update (sum, (const guchar *) "\n", 1);
      g_checksum_update (sum, (const guchar *) g_ptr_array_index (abs, i), -1);
    }
  return g_strdup (g_checksum_get_string (sum));
}


typedef struct {
  gboolean json;
} IngestPrint;

static void
ingest_event_cb (const LwIngestEvent *event, gpointer data)
{
  IngestPrint *print = data;

  if (event->outcome != LW_INGEST_REJECTED)
    return;
  if (print->json)
    {
      g_autoptr(JsonBuilder) b = begin_event ("rejected");

      json_add_str (b, "path", event->path);
      json_add_str (b, "reason", event->reason);
      end_event (b);
    }
  else
    g_printerr (_("Skipped %s: %s\n"), lw_cli_shown (event->path), lw_cli_shown (event->reason));
}

/* --out, checked before any work: a folder that cannot be made or written
 * would otherwise be found out after the whole batch was processed (and
 * paid for). Made now if missing, as the export would. */
static gboolean
check_out_dir (const char *dir)
{
  g_autofree char *probe = NULL;
  int fd;

  if (dir == NULL)
    return TRUE;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int errsv = errno;

      lw_cli_error (_("cannot save into %s: %s"), dir, g_strerror (errsv));
      return FALSE;
    }
  probe = g_build_filename (dir, ".lightwork-check-XXXXXX", NULL);
  fd = g_mkstemp (probe);
  if (fd < 0)
    {
      int errsv = errno;

      lw_cli_error (_("cannot save into %s: %s"), dir, g_strerror (errsv));
      return FALSE;
    }
  close (fd);
  g_unlink (probe);
  return TRUE;
}

/* Stages paths into job_id, saying every refusal; FALSE, said, when the
 * batch stopped (a full disk leaves the rest to stage: the same command,
 * or resume, stages it). */
static gboolean
stage (LwJobs *jobs, gint64 job_id, const char * const *paths, gboolean json, LwIngestReport *report)
{
  g_autoptr(GError) error = NULL;
  IngestPrint print = { json };
  LwIngestOptions options;

  lw_jobs_get_ingest_options (jobs, &options);
  if (lw_jobs_stage (jobs, job_id, paths, &options, ingest_event_cb, &print, report, NULL, &error))
    return TRUE;
  lw_cli_error (_("staging failed: %s"), error->message);
  if (lw_store_error_is_disk_full (error))
    g_printerr (_("The photos not staged yet are kept as work to do: free some space, then run the same "
                  "command again or “lightwork-cli resume %" PRId64 "”.\n"), job_id);
  return FALSE;
}

static int
cmd_process (int argc, char **argv)
{
  g_autofree char *module = NULL;
  g_autofree char *model = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *template_str = NULL;
  g_autofree char *model_help = model_option_help ();
  g_autofree char *concurrency_help = concurrency_option_help ();
  g_auto(GStrv) paths = NULL;
  int concurrency = 0, rpm = -1;
  gboolean json = FALSE, force = FALSE, economy = FALSE;
  GOptionEntry entries[] = {
    { "module", 'm', 0, G_OPTION_ARG_STRING, &module, N_("Module id (see “modules”); default: the module the window uses, else food"), "ID" },
    { "economy", 0, 0, G_OPTION_ARG_NONE, &economy, N_("Economy mode: Google’s Batch API, half the price, done within 24 hours"), NULL },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, model_help, "MODEL" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Save the results into this folder"), "DIR" },
    { "template", 0, 0, G_OPTION_ARG_STRING, &template_str, N_("Names of saved files; default: the window's, else {name}-{module}.{ext}"), "T" },
    { "concurrency", 'c', 0, G_OPTION_ARG_INT, &concurrency, concurrency_help, "N" },
    { "rpm", 0, 0, G_OPTION_ARG_INT, &rpm, N_("At most N requests started per minute"), "N" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("Name of the job"), "NAME" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Send again even when an identical result exists"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Machine-readable output, one JSON object a line"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, N_("PHOTOS-OR-FOLDERS…") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— stage photos and process them"));
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJobs) jobs = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(LwModule) found = NULL;
  g_autofree char *source_key = NULL;
  LwIngestReport report = { 0 };
  LwJobProgress p;

  if (!parse_options (context, entries, &argc, &argv))
    return LW_CLI_EXIT_ERROR;
  if (paths == NULL || paths[0] == NULL)
    {
      lw_cli_error (_("process: name at least one photo or folder"));
      return LW_CLI_EXIT_ERROR;
    }

  if (!check_out_dir (out_dir))
    return LW_CLI_EXIT_ERROR;
  jobs = open_jobs (LW_CORE_OPEN_DEFAULT);
  if (jobs == NULL)
    return LW_CLI_EXIT_ERROR;

  /* The defaults are the window's (a remembered module that was deleted
   * falls back to the built-in default), resolved here because the same
   * command must find the same job. */
  if (module == NULL)
    module = lw_jobs_dup_default_module (jobs);
  found = lw_jobs_get_module (jobs, module, NULL);
  if (found == NULL)
    {
      lw_cli_error (_("no module “%s”; see “lightwork-cli modules”"), module);
      return LW_CLI_EXIT_ERROR;
    }
  if (model == NULL)
    model = lw_jobs_dup_default_model (jobs);
  if (!lw_models_is_known (model))
    {
      g_autofree char *models = lw_models_describe ();

      lw_cli_error (_("unknown model “%s”: use %s"), model, models);
      return LW_CLI_EXIT_ERROR;
    }
  if (!set_run_options (jobs, model, concurrency, rpm, force))
    return LW_CLI_EXIT_ERROR;

  /* "The same command again continues the job": the job is found by what
   * was asked (module, model, the paths), not by a name. */
  source_key = make_source_key (module, model, paths);
  job = lw_jobs_find_by_source_key (jobs, source_key, &error);
  if (error != NULL)
    return lw_cli_fail (error);
  if (job == NULL)
    {
      job = lw_jobs_create (jobs, name, module, model, source_key, &error);
      if (job == NULL)
        return lw_cli_fail (error);
    }
  else
    {
      /* Found by what was asked; a name given now is its name. */
      if (name != NULL && *g_strstrip (name) != '\0' && g_strcmp0 (name, job->name) != 0)
        {
          if (!lw_jobs_rename (jobs, job->id, name, &error))
            return lw_cli_fail (error);
          g_free (job->name);
          job->name = g_strdup (name);
        }
      if (!json)
        g_printerr (_("Continuing job %" PRId64 " (%s).\n"), job->id, lw_cli_shown (job->name));
    }
  if (!lw_cli_economy_set_mode (jobs, job->id, economy))
    return LW_CLI_EXIT_ERROR;

  /* Stage what is not staged yet (a continued job skips the files it has);
   * every refusal, a folder loop too, is saved in the job for "status". */
  if (!stage (jobs, job->id, (const char * const *) paths, json, &report))
    return LW_CLI_EXIT_ERROR;

  if (!lw_jobs_get_progress (jobs, job->id, &p, &error))
    return lw_cli_fail (error);
  if (p.counts.total == 0)
    {
      lw_cli_error (_("nothing to process: none of the files is a photo LightWork can read"));
      return LW_CLI_EXIT_ERROR;
    }
  /* Skipped: refused, and given again (twice on the command line, or
   * already in the job). */
  if (!json)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "Job %" PRId64 ": %d photo (%u new, %u skipped) · %s · %s\n",
                             "Job %" PRId64 ": %d photos (%u new, %u skipped) · %s · %s\n", p.counts.total),
                job->id, p.counts.total, report.staged, report.rejected + report.duplicates, job->module_id,
                job->model);
  if (!check_force (jobs, job->id, force))
    return LW_CLI_EXIT_ERROR;

  return run_job (jobs, job->id, json, out_dir, template_str);
}

/* ---- resume, retry-failed, cancel, status, jobs, export ------------------- */

static int
cmd_resume_like (int argc, char **argv, gboolean retry_failed)
{
  g_autofree char *out_dir = NULL;
  g_autofree char *concurrency_help = concurrency_option_help ();
  int concurrency = 0, rpm = -1;
  gboolean json = FALSE, force = FALSE, live = FALSE;
  g_auto(GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Save the results into this folder"), "DIR" },
    { "live", 0, 0, G_OPTION_ARG_NONE, &live, N_("Send the photos Google’s batches failed live, at the full price"), NULL },
    { "concurrency", 'c', 0, G_OPTION_ARG_INT, &concurrency, concurrency_help, "N" },
    { "rpm", 0, 0, G_OPTION_ARG_INT, &rpm, N_("At most N requests started per minute"), "N" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Send again even when an identical result exists"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Machine-readable output"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, N_("[JOB]") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (retry_failed ? _("— queue a job’s failed photos again and continue it (default: the newest)")
                                                                     : _("— continue a job (default: the newest)"));
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJobs) jobs = NULL;
  g_autoptr(LwJob) job = NULL;
  g_auto(GStrv) unstaged = NULL;

  if (!parse_options (context, entries, &argc, &argv) || !check_out_dir (out_dir))
    return LW_CLI_EXIT_ERROR;
  job = open_job (rest ? rest[0] : NULL, LW_CORE_OPEN_DEFAULT, &jobs);
  if (job == NULL)
    return LW_CLI_EXIT_ERROR;
  if (!set_run_options (jobs, job->model, concurrency, rpm, force))
    return LW_CLI_EXIT_ERROR;
  /* A staging the disk (or a kill) stopped: the rest is this job's work
   * too, staged before the job is called done. */
  unstaged = lw_jobs_dup_unstaged_paths (jobs, job->id);
  if (unstaged != NULL)
    {
      LwIngestReport report = { 0 };

      if (!json)
        g_printerr (_("Job %" PRId64 ": staging did not finish; staging the rest first.\n"), job->id);
      if (!stage (jobs, job->id, (const char * const *) unstaged, json, &report))
        return LW_CLI_EXIT_ERROR;
    }
  if (live && !lw_cli_economy_move_to_live (jobs, job->id, json))
    return LW_CLI_EXIT_ERROR;
  if (retry_failed)
    {
      int n = lw_jobs_retry_failed (jobs, job->id, &error);

      if (n < 0)
        return lw_cli_fail (error);
      if (!json)
        g_printerr (g_dngettext (GETTEXT_PACKAGE, "%d failed photo queued again.\n",
                                 "%d failed photos queued again.\n", n), n);
    }
  if (!check_force (jobs, job->id, force))
    return LW_CLI_EXIT_ERROR;
  return run_job (jobs, job->id, json, out_dir, NULL);
}

static int
cmd_resume (int argc, char **argv)
{
  return cmd_resume_like (argc, argv, FALSE);
}

static int
cmd_retry_failed (int argc, char **argv)
{
  return cmd_resume_like (argc, argv, TRUE);
}

static int
cmd_cancel (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJobs) jobs = NULL;
  g_autoptr(LwJob) job = open_job (argc > 1 ? argv[1] : NULL, LW_CORE_OPEN_DEFAULT, &jobs);

  if (job == NULL)
    return LW_CLI_EXIT_ERROR;
  if (!lw_jobs_cancel (jobs, job->id, &error))
    {
      if (!g_error_matches (error, LW_JOBS_ERROR, LW_JOBS_ERROR_STATE))
        return lw_cli_fail (error);
      /* TRANSLATORS: the second %s is the job's state: COMPLETED, CANCELLED, … */
      lw_cli_error (_("job %" PRId64 " is not running (%s); there is nothing to cancel"),
                    job->id, lw_job_status_to_string (job->status));
      return LW_CLI_EXIT_ERROR;
    }
  g_print (_("Job %" PRId64 " cancelled; “lightwork-cli resume %" PRId64 "” continues it.\n"),
           job->id, job->id);
  return LW_CLI_EXIT_OK;
}

/* A job as --json says it; FALSE when its counts or cost cannot be read. */
static gboolean
add_job_json (JsonBuilder *b, LwJobs *jobs, const LwJob *job, GError **error)
{
  LwJobProgress p;

  if (!lw_jobs_get_progress (jobs, job->id, &p, error))
    return FALSE;
  json_builder_begin_object (b);
  json_add_int (b, "id", job->id);
  json_add_str (b, "name", job->name);
  json_add_str (b, "module", job->module_id);
  json_add_str (b, "model", job->model);
  json_add_str (b, "status", lw_job_state_to_string (job));
  if (lw_job_is_paused (job))
    {
      json_builder_set_member_name (b, "pause");
      json_builder_begin_object (b);
      json_add_str (b, "code", job->pause_code);
      json_add_str (b, "reason", job->pause_reason);
      json_add_str (b, "advice", job->pause_advice);
      json_builder_end_object (b);
    }
  json_add_int (b, "total", p.counts.total);
  json_add_int (b, "pending", p.counts.pending);
  json_add_int (b, "processing", p.counts.processing);
  json_add_int (b, "retry_later", p.counts.retry_later);
  json_add_int (b, "completed", p.counts.completed);
  json_add_int (b, "failed", p.counts.failed);
  json_add_int (b, "needs_review", p.counts.needs_review);
  json_add_double (b, "cost", p.spent);
  json_add_int (b, "created_at", job->created_at);
  lw_cli_economy_add_json (b, jobs, job->id);
  json_builder_end_object (b);
  return TRUE;
}

static gboolean
want_json (int *argc, char **argv)
{
  gboolean json = FALSE;
  int j = 0;

  for (int i = 0; i < *argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else
        argv[j++] = argv[i];
    }
  *argc = j;
  argv[j] = NULL;
  return json;
}

static int
cmd_jobs (int argc, char **argv)
{
  gboolean json = want_json (&argc, argv);
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJobs) jobs = open_jobs (LW_CORE_OPEN_READ_ONLY);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (jobs == NULL)
    return LW_CLI_EXIT_ERROR;
  list = lw_jobs_list (jobs, 0, &error);
  if (list == NULL)
    return lw_cli_fail (error);
  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    {
      LwJob *job = g_ptr_array_index (list, i);
      LwJobProgress p;

      if (json)
        {
          if (!add_job_json (b, jobs, job, &error))
            return lw_cli_fail (error);
          continue;
        }
      if (!lw_jobs_get_progress (jobs, job->id, &p, &error))
        return lw_cli_fail (error);
      g_print ("%4" G_GINT64_FORMAT "  %-10s  %4d/%-4d %s%-3d  %-10s %-16s %s\n", job->id,
               lw_job_state_to_string (job), p.counts.completed, p.counts.total,
               p.counts.failed ? "✗" : " ", p.counts.failed, job->module_id, job->model, lw_cli_shown (job->name));
      if (lw_job_is_paused (job))
        g_print (_("        paused: %s\n"), lw_cli_shown (job->pause_reason));
    }
  json_builder_end_array (b);
  if (json)
    {
      lw_cli_print_json (b);
    }
  else if (list->len == 0)
    g_print (_("No jobs yet.\n"));
  return LW_CLI_EXIT_OK;
}

static int
cmd_status (int argc, char **argv)
{
  gboolean json = want_json (&argc, argv);
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJobs) jobs = NULL;
  g_autoptr(LwJob) job = open_job (argc > 1 ? argv[1] : NULL, LW_CORE_OPEN_READ_ONLY, &jobs);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) rejections = NULL;
  LwJobProgress p;

  if (job == NULL)
    return LW_CLI_EXIT_ERROR;
  if (!lw_jobs_get_progress (jobs, job->id, &p, &error))
    return lw_cli_fail (error);
  if (!lw_jobs_load (jobs, job->id, &images, &rejections, &error))
    return lw_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "job");
      if (!add_job_json (b, jobs, job, &error))
        return lw_cli_fail (error);
      json_builder_set_member_name (b, "images");
      json_builder_begin_array (b);
      for (guint i = 0; i < images->len; i++)
        {
          LwImage *image = g_ptr_array_index (images, i);

          json_builder_begin_object (b);
          json_add_image (b, image);
          json_add_int (b, "attempt", image->attempt);
          json_add_int (b, "retries", image->retry_count);
          if (image->error_message != NULL)
            {
              json_add_str (b, "error", image->error_message);
            }
          if (image->specific_prompt != NULL)
            {
              json_add_str (b, "instruction", image->specific_prompt);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "rejected");
      json_builder_begin_array (b);
      for (guint i = 0; i < rejections->len; i++)
        {
          LwRejection *r = g_ptr_array_index (rejections, i);

          json_builder_begin_object (b);
          json_add_str (b, "path", r->path);
          json_add_str (b, "reason", r->reason);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      lw_cli_print_json (b);
      return LW_CLI_EXIT_OK;
    }

  g_print (_("Job %" PRId64 ": %s\n"), job->id, lw_cli_shown (job->name));
  g_print (_("  module %s · model %s · %s\n"), job->module_id, job->model, lw_job_state_to_string (job));
  if (lw_job_is_paused (job))
    {
      g_print (_("  paused: %s\n"), lw_cli_shown (job->pause_reason));
      g_print ("  %s\n", job->pause_advice);
      g_print (_("  then: lightwork-cli resume %" PRId64 "\n"), job->id);
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "  %d photo: %d done, %d failed, %d pending, %d processing, %d waiting to retry\n",
                        "  %d photos: %d done, %d failed, %d pending, %d processing, %d waiting to retry\n",
                        p.counts.total),
           p.counts.total, p.counts.completed, p.counts.failed, p.counts.pending, p.counts.processing,
           p.counts.retry_later);
  if (p.counts.needs_review > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE, "  %d of the done needs review\n", "  %d of the done need review\n",
                          p.counts.needs_review), p.counts.needs_review);
  if (p.spent > 0)
    g_print (_("  spent $%.2f\n"), p.spent);
  lw_cli_economy_print_status (jobs, job->id);
  for (guint i = 0; i < images->len; i++)
    {
      LwImage *image = g_ptr_array_index (images, i);
      if (image->status == LW_IMAGE_FAILED)
        g_print (_("  failed: %s — %s\n"), lw_cli_shown (image->original_name),
                 lw_cli_shown (image->error_message ? image->error_message : ""));
      else if (image->status == LW_IMAGE_COMPLETED && image->review_reason != NULL)
        g_print (_("  needs review: %s — %s\n"), lw_cli_shown (image->original_name), lw_cli_shown (image->review_reason));
      if (image->note != NULL)
        g_print (_("  note: %s — %s\n"), lw_cli_shown (image->original_name), lw_cli_shown (image->note));
    }
  for (guint i = 0; i < rejections->len; i++)
    {
      LwRejection *r = g_ptr_array_index (rejections, i);
      g_print (_("  skipped: %s — %s\n"), lw_cli_shown (r->path), lw_cli_shown (r->reason));
    }
  return LW_CLI_EXIT_OK;
}

static int
cmd_export (int argc, char **argv)
{
  g_autofree char *out_dir = NULL;
  g_autofree char *template_str = NULL;
  gboolean accepted = FALSE;
  g_auto(GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder to save into"), "DIR" },
    { "template", 0, 0, G_OPTION_ARG_STRING, &template_str, N_("Names of saved files; default: the window's, else {name}-{module}.{ext}"), "T" },
    { "accepted", 0, 0, G_OPTION_ARG_NONE, &accepted, N_("Only the results accepted in review"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, N_("[JOB]") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— save a job's results"));
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJobs) jobs = NULL;
  g_autoptr(LwJob) job = NULL;
  guint written = 0, skipped = 0;

  if (!parse_options (context, entries, &argc, &argv))
    return LW_CLI_EXIT_ERROR;
  if (out_dir == NULL)
    {
      lw_cli_error (_("export: --out DIR is required"));
      return LW_CLI_EXIT_ERROR;
    }
  job = open_job (rest ? rest[0] : NULL, LW_CORE_OPEN_READ_ONLY, &jobs);
  if (job == NULL)
    return LW_CLI_EXIT_ERROR;
  /* No --template: the export.template setting (the window's). */
  if (!lw_jobs_export_full (jobs, job->id, out_dir, template_str, accepted ? LW_EXPORT_ACCEPTED : LW_EXPORT_ALL,
                            NULL, NULL, &written, &skipped, NULL, &error))
    return lw_cli_fail (error);
  print_saved (stdout, written, skipped, out_dir);
  return LW_CLI_EXIT_OK;
}

/* ---- modules -------------------------------------------------------------- */

static char *
read_prompt_arg (const char *prompt, const char *prompt_file, GError **error)
{
  char *contents = NULL;

  if (prompt_file == NULL)
    return g_strdup (prompt);
  if (g_str_equal (prompt_file, "-"))
    {
      GString *s = g_string_new (NULL);
      char buf[4096];
      size_t n;
      while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
        g_string_append_len (s, buf, (gssize) n);
      return g_string_free (s, FALSE);
    }
  if (!g_file_get_contents (prompt_file, &contents, NULL, error))
    return NULL;
  return contents;
}

static void
print_module (const LwModule *m, gboolean full)
{
  g_print ("%-20s %-18s %s%s\n", m->id, lw_cli_shown (m->name), m->builtin ? "" : _("(custom) "),
           m->description ? m->description : "");
  if (full)
    {
      g_print ("\n%s\n", m->prompt);
      if (m->builtin && g_strcmp0 (m->prompt, m->default_prompt) != 0)
        g_print (_("\n(edited; “lightwork-cli modules reset %s” restores the default)\n"), m->id);
    }
}

static int
cmd_modules (int argc, char **argv)
{
  g_autofree char *name = NULL;
  g_autofree char *description = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *prompt_file = NULL;
  gboolean json = FALSE;
  g_auto(GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Module name"), "NAME" },
    { "description", 0, 0, G_OPTION_ARG_STRING, &description, N_("One-line description"), "TEXT" },
    { "prompt", 0, 0, G_OPTION_ARG_STRING, &prompt, N_("The module prompt"), "TEXT" },
    { "prompt-file", 0, 0, G_OPTION_ARG_FILENAME, &prompt_file, N_("Read the prompt from a file (- = stdin)"), "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Machine-readable output"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, N_("[list|show ID|create|edit ID|duplicate ID|delete ID|reset ID]") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list and edit modules"));
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJobs) jobs = NULL;
  const char *verb, *id;

  if (!parse_options (context, entries, &argc, &argv))
    return LW_CLI_EXIT_ERROR;
  verb = rest != NULL && rest[0] != NULL ? rest[0] : "list";
  id = rest != NULL && rest[0] != NULL ? rest[1] : NULL;
  jobs = open_jobs (LW_CORE_OPEN_NO_SWEEP);
  if (jobs == NULL)
    return LW_CLI_EXIT_ERROR;

  if (g_str_equal (verb, "list"))
    {
      g_autoptr(GPtrArray) modules = lw_jobs_list_modules (jobs, &error);
      g_autoptr(JsonBuilder) b = json_builder_new ();

      if (modules == NULL)
        goto fail;
      json_builder_begin_array (b);
      for (guint i = 0; i < modules->len; i++)
        {
          LwModule *m = g_ptr_array_index (modules, i);
          if (!json)
            {
              print_module (m, FALSE);
              continue;
            }
          json_builder_begin_object (b);
          json_add_str (b, "id", m->id);
          json_add_str (b, "name", m->name);
          json_add_str (b, "description", m->description);
          json_add_bool (b, "builtin", m->builtin);
          json_add_str (b, "prompt", m->prompt);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      if (json)
        {
          lw_cli_print_json (b);
        }
      return LW_CLI_EXIT_OK;
    }

  if (g_str_equal (verb, "create"))
    {
      g_autofree char *text = read_prompt_arg (prompt, prompt_file, &error);
      g_autoptr(LwModule) m = NULL;

      if (error != NULL)
        goto fail;
      if (name == NULL || text == NULL)
        {
          lw_cli_error (_("modules create: --name and --prompt (or --prompt-file) are required"));
          return LW_CLI_EXIT_ERROR;
        }
      m = lw_jobs_create_module (jobs, name, description, text, &error);
      if (m == NULL)
        goto fail;
      g_print ("%s\n", m->id);
      return LW_CLI_EXIT_OK;
    }

  if (id == NULL)
    {
      lw_cli_error (_("modules %s: name the module id"), verb);
      return LW_CLI_EXIT_ERROR;
    }

  if (g_str_equal (verb, "show"))
    {
      g_autoptr(LwModule) m = lw_jobs_get_module (jobs, id, &error);
      if (m == NULL)
        goto fail;
      print_module (m, TRUE);
      return LW_CLI_EXIT_OK;
    }
  if (g_str_equal (verb, "edit"))
    {
      g_autofree char *text = read_prompt_arg (prompt, prompt_file, &error);
      g_autoptr(LwModule) m = error == NULL ? lw_jobs_get_module (jobs, id, &error) : NULL;

      if (m == NULL)
        goto fail;
      if (name != NULL)
        {
          g_free (m->name);
          m->name = g_strdup (name);
        }
      if (description != NULL)
        {
          g_free (m->description);
          m->description = g_strdup (description);
        }
      if (text != NULL)
        {
          g_free (m->prompt);
          m->prompt = g_steal_pointer (&text);
        }
      if (!lw_jobs_update_module (jobs, m, &error))
        goto fail;
      return LW_CLI_EXIT_OK;
    }
  if (g_str_equal (verb, "duplicate"))
    {
      g_autoptr(LwModule) m = lw_jobs_duplicate_module (jobs, id, &error);
      if (m == NULL)
        goto fail;
      g_print ("%s\n", m->id);
      return LW_CLI_EXIT_OK;
    }
  /* The default module of new jobs falls back to the built-in default when
   * it is the one deleted. */
  if (g_str_equal (verb, "delete"))
    return lw_jobs_delete_module (jobs, id, &error) ? LW_CLI_EXIT_OK : lw_cli_fail (error);
  if (g_str_equal (verb, "reset"))
    return lw_jobs_reset_module (jobs, id, &error) ? LW_CLI_EXIT_OK : lw_cli_fail (error);

  lw_cli_error (_("modules: unknown action “%s”"), verb);
  return LW_CLI_EXIT_ERROR;

fail:
  return lw_cli_fail (error);
}

/* ---- main ------------------------------------------------------------------ */

static const struct {
  const char *name;
  int       (*run) (int argc, char **argv);
} commands[] = {
  { "process", cmd_process },
  { "jobs", cmd_jobs },
  { "status", cmd_status },
  { "resume", cmd_resume },
  { "retry-failed", cmd_retry_failed },
  { "cancel", cmd_cancel },
  { "export", cmd_export },
  { "modules", cmd_modules },
  { "models", lw_cli_cmd_models },
  { "key", lw_cli_cmd_key },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s",
           _("Usage: lightwork-cli COMMAND [OPTIONS…]\n"
             "\n"
             "Batch AI photo editing from a terminal, on the same jobs as the LightWork window.\n"
             "\n"
             "Commands:\n"
             "  process PATHS…   stage photos and folders into a job and process them\n"
             "                   (--module, --model, --out, --concurrency; run again to continue)\n"
             "  jobs             list jobs\n"
             "  status [JOB]     counts, failures and skipped files of a job\n"
             "  resume [JOB]     continue a job\n"
             "  retry-failed [JOB]  queue a job's failed photos again and continue\n"
             "  cancel [JOB]     stop a job; resume continues it\n"
             "  export [JOB] --out DIR   save a job's results\n"
             "  modules [list|show|create|edit|duplicate|delete|reset]\n"
             "  models           image models your Gemini key can use\n"
             "  key set|test|delete   the Gemini API key (kept in the keyring)\n"
             "\n"
             "Add --help after a command for its options. Exit status: 0 all done,\n"
             "2 some photos failed, 1 error, 130 interrupted.\n"));
}

int
lw_cli_main (int argc, char **argv)
{
  const char *cmd;

  lw_i18n_init ();
  g_set_prgname ("lightwork-cli");

  if (argc < 2)
    {
      print_usage (stderr);
      return LW_CLI_EXIT_ERROR;
    }
  cmd = argv[1];
  if (g_str_equal (cmd, "--version") || g_str_equal (cmd, "version"))
    {
      g_print ("lightwork-cli %s\n", PACKAGE_VERSION);
      return LW_CLI_EXIT_OK;
    }
  if (g_str_equal (cmd, "--help") || g_str_equal (cmd, "-h") || g_str_equal (cmd, "help"))
    {
      print_usage (stdout);
      return LW_CLI_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (cmd, commands[i].name))
      {
        g_autofree char *prgname = g_strdup_printf ("lightwork-cli %s", commands[i].name);

        /* A command's --help names it: "Usage: lightwork-cli process …". */
        g_set_prgname (prgname);
        return commands[i].run (argc - 1, argv + 1);
      }

  lw_cli_error (_("unknown command “%s”; see “lightwork-cli --help”"), cmd);
  return LW_CLI_EXIT_ERROR;
}

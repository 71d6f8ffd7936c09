/* lw-cli.c — lightwork-cli: stage, launch, watch, resume and export from a
 * terminal, on the same data directory and queue as the window. */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "lw-cli-private.h"
#include "lw-core.h"
#include "lw-engines.h"
#include "lw-export.h"
#include "lw-ingest.h"
#include "lw-modules.h"
#include "lw-scheduler.h"

typedef struct {
  LwCore      *core;
  LwScheduler *scheduler;
  GMainLoop   *loop;
  gint64       job_id;
  gboolean     json;
  gboolean     tty;
  gboolean     interrupted;
  gboolean     paused;
  char        *pause_message;
  gint64       started_us;
  int          completed_at_start;
  guint        tick;
  gboolean     line_open;   /* a progress line is on the terminal */
} Run;

void
lw_cli_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("lightwork-cli: %s\n", message);
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
lw_cli_open_core (void)
{
  g_autoptr(GError) error = NULL;
  LwCore *core = lw_core_open (NULL, NULL, &error);

  if (core == NULL)
    lw_cli_error (_("cannot open the data folder: %s"), error->message);
  return core;
}

static LwEngine *
engine_factory (LwScheduler *scheduler, const char *model, gpointer data, GError **error)
{
  return lw_engines_create (LW_STORE (data), model, error);
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

/* The job named on the command line ("12" or a name), or the newest. */
static LwJob *
resolve_job (LwStore *store, const char *arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  gint64 id;

  if (arg != NULL && g_ascii_string_to_signed (arg, 10, 1, G_MAXINT64, &id, NULL))
    {
      LwJob *job = lw_store_get_job (store, id, &error);
      if (job == NULL)
        lw_cli_error (_("no job %s"), arg);
      return job;
    }
  jobs = lw_store_list_jobs (store, arg != NULL ? 0 : 1, &error);
  if (jobs == NULL)
    {
      lw_cli_error ("%s", error->message);
      return NULL;
    }
  for (guint i = 0; i < jobs->len; i++)
    {
      LwJob *job = g_ptr_array_index (jobs, i);
      if (arg == NULL || g_str_equal (job->name, arg))
        return lw_job_copy (job);
    }
  if (arg != NULL)
    lw_cli_error (_("no job named “%s”"), arg);
  else
    lw_cli_error (_("there are no jobs yet; start one with “lightwork-cli process PHOTOS…”"));
  return NULL;
}

/* Opens the data folder into *core and finds the job arg names there (see
 * resolve_job); NULL, said, when either fails. */
static LwJob *
open_job (const char *arg, LwCore **core)
{
  *core = lw_cli_open_core ();
  if (*core == NULL)
    return NULL;
  return resolve_job (lw_core_get_store (*core), arg);
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
print_progress (Run *run, const LwJob *job)
{
  LwStore *store = lw_core_get_store (run->core);
  LwJobCounts c = { 0 };
  double elapsed = (double) (g_get_monotonic_time () - run->started_us) / G_USEC_PER_SEC;
  int done_now, left;
  double rate;
  g_autofree char *eta = NULL;
  g_autofree char *cost = NULL;
  double spent, price;
  LwEngine *engine;

  if (!run->tty || !lw_store_count_images (store, run->job_id, &c, NULL))
    return;
  done_now = c.completed - run->completed_at_start;
  rate = elapsed > 0.5 ? done_now / elapsed : 0;
  left = lw_job_counts_open (&c);
  eta = format_duration (rate > 0 ? (gint64) (left / rate + 0.5) : -1);
  spent = lw_store_get_job_cost (store, run->job_id);
  engine = lw_scheduler_get_engine (run->scheduler, job->model);
  price = engine != NULL ? lw_engine_get_cost (engine, job->model) : 0;
  /* Spent so far, and what the rest will cost if every photo left takes
   * one call (retries can add to it; reused results take none). */
  if (spent > 0 || price > 0)
    cost = g_strdup_printf (" · $%.2f of ~$%.2f", spent, spent + left * price);

  g_printerr ("\r\033[K%d/%d done · %u in flight · %d failed · %.1f/s · ETA %s%s",
              c.completed, c.total, lw_scheduler_get_in_flight (run->scheduler, NULL), c.failed,
              rate, eta, cost ? cost : "");
  run->line_open = TRUE;
}

static gboolean
tick_cb (gpointer data)
{
  Run *run = data;
  g_autoptr(LwJob) job = lw_store_get_job (lw_core_get_store (run->core), run->job_id, NULL);

  if (job == NULL)
    return G_SOURCE_CONTINUE;
  print_progress (run, job);
  /* Another process (the window) may finish or cancel the job: notice it. */
  if (job->status != LW_JOB_PROCESSING)
    g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static void
image_changed_cb (LwScheduler *scheduler, gint64 job_id, gint64 image_id, int status, Run *run)
{
  g_autoptr(LwImage) image = NULL;

  if (job_id != run->job_id || (status != LW_IMAGE_COMPLETED && status != LW_IMAGE_FAILED
                                && status != LW_IMAGE_RETRY_LATER))
    return;
  image = lw_store_get_image (lw_core_get_store (run->core), image_id, NULL);
  if (image == NULL)
    return;

  if (run->json)
    {
      g_autoptr(JsonBuilder) b = begin_event ("image");

      json_add_image (b, image);
      if (image->error_message != NULL)
        json_add_str (b, "error", image->error_message);
      end_event (b);
    }
  else if (!run->tty)
    {
      if (status == LW_IMAGE_COMPLETED)
        g_print ("done %s\n", image->original_name);
      else if (status == LW_IMAGE_FAILED)
        g_print ("failed %s: %s\n", image->original_name, image->error_message ? image->error_message : "");
      else
        g_print ("retry-later %s: %s\n", image->original_name, image->error_message ? image->error_message : "");
    }
  else if (status == LW_IMAGE_FAILED)
    {
      clear_line (run);
      g_printerr (_("Failed: %s — %s\n"), image->original_name, image->error_message ? image->error_message : "");
    }
}

static void
job_changed_cb (LwScheduler *scheduler, gint64 job_id, int status, Run *run)
{
  if (job_id == run->job_id && status != LW_JOB_PROCESSING)
    g_main_loop_quit (run->loop);
}

static void
paused_cb (LwScheduler *scheduler, const char *model, const GError *reason, Run *run)
{
  /* Offline heals itself (the scheduler looks again every 30 s): wait. */
  if (g_error_matches (reason, LW_ENGINE_ERROR, LW_ENGINE_ERROR_OFFLINE))
    {
      clear_line (run);
      g_printerr (_("Offline: %s — waiting for the network…\n"), reason->message);
      return;
    }
  run->paused = TRUE;
  g_free (run->pause_message);
  run->pause_message = g_strdup (reason->message);
  g_main_loop_quit (run->loop);
}

static gboolean
interrupt_cb (gpointer data)
{
  Run *run = data;

  run->interrupted = TRUE;
  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

/* Launches (or continues) the job and watches it to the end. */
static int
run_job (LwCore *core, gint64 job_id, int concurrency, int rpm, gboolean force, gboolean json,
         const char *out_dir, const char *template_str)
{
  LwStore *store = lw_core_get_store (core);
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  LwJobCounts c = { 0 };
  Run run = { 0 };
  guint sigint, sigterm;
  int exit_code;

  run.core = core;
  run.job_id = job_id;
  run.json = json;
  run.tty = isatty (STDERR_FILENO) && !json;
  run.loop = g_main_loop_new (NULL, FALSE);
  run.scheduler = lw_scheduler_new (store, lw_core_get_blobs (core), lw_core_get_clock (core),
                                    lw_core_get_owner (core));
  lw_scheduler_set_engine_factory (run.scheduler, engine_factory, store, NULL);
  lw_scheduler_set_reuse_results (run.scheduler, !force);

  job = lw_store_get_job (store, job_id, &error);
  if (job == NULL)
    {
      exit_code = lw_cli_fail (error);
      goto out;
    }
  if (concurrency <= 0)
    concurrency = (int) lw_store_get_setting_int (store, "queue.concurrency", 2);
  if (rpm < 0)
    {
      g_autofree char *key = g_strdup_printf ("queue.%s.rpm", job->model);
      rpm = (int) lw_store_get_setting_int (store, key, 0);
    }
  lw_scheduler_set_limits (run.scheduler, job->model, concurrency, rpm);

  lw_store_count_images (store, job_id, &c, NULL);
  run.completed_at_start = c.completed;
  run.started_us = g_get_monotonic_time ();

  g_signal_connect (run.scheduler, "image-changed", G_CALLBACK (image_changed_cb), &run);
  g_signal_connect (run.scheduler, "job-changed", G_CALLBACK (job_changed_cb), &run);
  g_signal_connect (run.scheduler, "paused", G_CALLBACK (paused_cb), &run);
  sigint = g_unix_signal_add (SIGINT, interrupt_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, &run);

  lw_scheduler_start (run.scheduler);
  if (!lw_scheduler_launch (run.scheduler, job_id, &error))
    {
      exit_code = lw_cli_fail (error);
      g_source_remove (sigint);
      g_source_remove (sigterm);
      goto out;
    }
  run.tick = g_timeout_add (250, tick_cb, &run);

  g_clear_pointer (&job, lw_job_free);
  job = lw_store_get_job (store, job_id, NULL);
  if (job != NULL && job->status == LW_JOB_PROCESSING && !run.paused)
    g_main_loop_run (run.loop);

  g_source_remove (run.tick);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  if (run.interrupted)
    {
      lw_scheduler_cancel (run.scheduler, job_id, NULL);
      lw_scheduler_stop (run.scheduler);
      clear_line (&run);
      g_printerr (_("Interrupted. Run the same command again to continue where it stopped.\n"));
      exit_code = LW_CLI_EXIT_INTERRUPTED;
      goto out;
    }
  lw_scheduler_stop (run.scheduler);
  clear_line (&run);

  if (run.paused)
    {
      lw_cli_error (_("paused: %s"), run.pause_message);
      g_printerr (_("Fix it, then run “lightwork-cli resume %" PRId64 "”.\n"), job_id);
      exit_code = LW_CLI_EXIT_ERROR;
      goto out;
    }

  lw_store_count_images (store, job_id, &c, NULL);
  g_clear_pointer (&job, lw_job_free);
  job = lw_store_get_job (store, job_id, NULL);

  if (out_dir != NULL && c.completed > 0)
    {
      guint written = 0;

      if (!lw_export_job (store, lw_core_get_blobs (core), job_id, out_dir, template_str, NULL, NULL,
                          &written, NULL, &error))
        {
          lw_cli_error (_("saving the results failed: %s"), error->message);
          exit_code = LW_CLI_EXIT_ERROR;
          goto out;
        }
      if (!json)
        g_printerr (g_dngettext (GETTEXT_PACKAGE, "Saved %u result to %s\n", "Saved %u results to %s\n", written),
                    written, out_dir);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = begin_event ("finished");

      json_add_int (b, "job", job_id);
      json_add_str (b, "status", job ? lw_job_status_to_string (job->status) : "UNKNOWN");
      json_add_int (b, "total", c.total);
      json_add_int (b, "completed", c.completed);
      json_add_int (b, "failed", c.failed);
      json_add_int (b, "requests", (gint64) lw_scheduler_get_n_requests (run.scheduler));
      json_add_double (b, "cost", lw_store_get_job_cost (store, job_id));
      end_event (b);
    }
  else
    g_printerr (_("Job %" PRId64 ": %d of %d done, %d failed.\n"), job_id, c.completed, c.total, c.failed);

  if (lw_job_counts_open (&c) > 0)
    exit_code = LW_CLI_EXIT_ERROR;   /* stopped by someone else */
  else
    exit_code = c.failed > 0 ? LW_CLI_EXIT_SOME_FAILED : LW_CLI_EXIT_OK;

out:
  g_clear_object (&run.scheduler);
  g_main_loop_unref (run.loop);
  g_free (run.pause_message);
  return exit_code;
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
  gboolean tty;
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
    g_printerr (_("Skipped %s: %s\n"), event->path, event->reason);
}

static int
cmd_process (int argc, char **argv)
{
  g_autofree char *module = NULL;
  g_autofree char *model = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *template_str = NULL;
  g_auto(GStrv) paths = NULL;
  int concurrency = 0, rpm = -1;
  gboolean json = FALSE, force = FALSE;
  GOptionEntry entries[] = {
    { "module", 'm', 0, G_OPTION_ARG_STRING, &module, N_("Module id (see “modules”); default food"), "ID" },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, N_("nano_banana, nano_banana_pro or local"), "MODEL" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Save the results into this folder"), "DIR" },
    { "template", 0, 0, G_OPTION_ARG_STRING, &template_str, N_("Names of saved files; default {name}-{module}.{ext}"), "T" },
    { "concurrency", 'c', 0, G_OPTION_ARG_INT, &concurrency, N_("Requests at once, 1–16; default 2"), "N" },
    { "rpm", 0, 0, G_OPTION_ARG_INT, &rpm, N_("At most N requests started per minute"), "N" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("Name of the job"), "NAME" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Send again even when an identical result exists"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Machine-readable output, one JSON object a line"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, N_("PHOTOS-OR-FOLDERS…") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("PHOTOS-OR-FOLDERS… — stage photos and process them"));
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autofree char *source_key = NULL;
  LwStore *store;
  LwIngestOptions options;
  LwIngestReport report = { 0 };
  IngestPrint print = { FALSE, FALSE };
  LwJobCounts counts;
  const char * const *ingest_paths;
  g_autoptr(GPtrArray) fresh = NULL;
  g_autoptr(GPtrArray) staged = NULL;
  g_autoptr(GHashTable) known = NULL;
  g_autoptr(GHashTable) walk_rejections = NULL;

  if (!parse_options (context, entries, &argc, &argv))
    return LW_CLI_EXIT_ERROR;
  print.json = json;
  print.tty = isatty (STDERR_FILENO);
  if (paths == NULL || paths[0] == NULL)
    {
      lw_cli_error (_("process: name at least one photo or folder"));
      return LW_CLI_EXIT_ERROR;
    }
  if (concurrency != 0 && (concurrency < 1 || concurrency > 16))
    {
      lw_cli_error (_("--concurrency must be between 1 and 16"));
      return LW_CLI_EXIT_ERROR;
    }

  core = lw_cli_open_core ();
  if (core == NULL)
    return LW_CLI_EXIT_ERROR;
  store = lw_core_get_store (core);

  if (module == NULL)
    module = g_strdup (LW_DEFAULT_MODULE_ID);
  {
    g_autoptr(LwModule) m = lw_store_get_module (store, module, NULL);
    if (m == NULL)
      {
        lw_cli_error (_("no module “%s”; see “lightwork-cli modules”"), module);
        return LW_CLI_EXIT_ERROR;
      }
  }
  if (model == NULL)
    model = lw_engines_default_model (store);
  if (!lw_engines_is_known (model))
    {
      lw_cli_error (_("unknown model “%s”: use nano_banana, nano_banana_pro or local"), model);
      return LW_CLI_EXIT_ERROR;
    }

  /* "The same command again continues the job": the job is found by what
   * was asked (module, model, the paths), not by a name. */
  source_key = make_source_key (module, model, paths);
  job = lw_store_find_job_by_source_key (store, source_key, &error);
  if (error != NULL)
    return lw_cli_fail (error);
  if (job == NULL)
    {
      job = lw_store_create_job (store, name, module, model, source_key,
                                 lw_clock_now_ms (lw_core_get_clock (core)), &error);
      if (job == NULL)
        return lw_cli_fail (error);
    }
  else if (!json)
    g_printerr (_("Continuing job %" PRId64 " (%s).\n"), job->id, job->name);

  /* Stage what is not staged yet (a continued job skips the files it has). */
  walk_rejections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fresh = lw_ingest_expand ((const char * const *) paths, walk_rejections, NULL);
  staged = lw_store_list_images (store, job->id, NULL);
  known = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; staged != NULL && i < staged->len; i++)
    {
      LwImage *image = g_ptr_array_index (staged, i);
      if (image->source_path != NULL)
        g_hash_table_add (known, image->source_path);
    }
  {
    g_autoptr(GPtrArray) todo = g_ptr_array_new ();
    GHashTableIter iter;
    gpointer key, value;

    for (guint i = 0; i < fresh->len; i++)
      if (!g_hash_table_contains (known, g_ptr_array_index (fresh, i)))
        g_ptr_array_add (todo, g_ptr_array_index (fresh, i));
    g_ptr_array_add (todo, NULL);
    ingest_paths = (const char * const *) todo->pdata;

    g_hash_table_iter_init (&iter, walk_rejections);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        LwIngestEvent event = { LW_INGEST_REJECTED, key, NULL, value, 0 };
        ingest_event_cb (&event, &print);
      }

    lw_ingest_options_init (&options);
    options.read_sidecar_prompts = TRUE;
    options.limits.max_bytes = lw_store_get_setting_int (store, "ingest.max_bytes", options.limits.max_bytes);
    options.limits.max_pixels = lw_store_get_setting_int (store, "ingest.max_pixels", options.limits.max_pixels);
    if (todo->len > 1 && !lw_ingest_paths (store, lw_core_get_blobs (core), job->id, ingest_paths, &options,
                                           ingest_event_cb, &print, &report, NULL, &error))
      {
        lw_cli_error (_("staging failed: %s"), error->message);
        return LW_CLI_EXIT_ERROR;
      }
  }

  if (!lw_store_count_images (store, job->id, &counts, &error))
    return lw_cli_fail (error);
  if (counts.total == 0)
    {
      lw_cli_error (_("nothing to process: none of the files is a photo LightWork can read"));
      return LW_CLI_EXIT_ERROR;
    }
  if (!json)
    g_printerr (_("Job %" PRId64 ": %d photos (%u new, %u skipped) · %s · %s\n"), job->id, counts.total,
                report.staged, report.rejected + g_hash_table_size (walk_rejections), job->module_id, job->model);

  return run_job (core, job->id, concurrency, rpm, force, json, out_dir, template_str);
}

/* ---- resume, retry-failed, cancel, status, jobs, export ------------------- */

static int
cmd_resume_like (int argc, char **argv, gboolean retry_failed)
{
  g_autofree char *out_dir = NULL;
  int concurrency = 0, rpm = -1;
  gboolean json = FALSE, force = FALSE;
  g_auto(GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Save the results into this folder"), "DIR" },
    { "concurrency", 'c', 0, G_OPTION_ARG_INT, &concurrency, N_("Requests at once, 1–16"), "N" },
    { "rpm", 0, 0, G_OPTION_ARG_INT, &rpm, N_("At most N requests started per minute"), "N" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Send again even when an identical result exists"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Machine-readable output"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, N_("[JOB]") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[JOB] — continue a job (default: the newest)"));
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = NULL;
  g_autoptr(LwJob) job = NULL;

  if (!parse_options (context, entries, &argc, &argv))
    return LW_CLI_EXIT_ERROR;
  job = open_job (rest ? rest[0] : NULL, &core);
  if (job == NULL)
    return LW_CLI_EXIT_ERROR;
  if (retry_failed)
    {
      int n = lw_store_retry_failed (lw_core_get_store (core), job->id,
                                     lw_clock_now_ms (lw_core_get_clock (core)), &error);
      if (n < 0)
        return lw_cli_fail (error);
      if (!json)
        g_printerr (g_dngettext (GETTEXT_PACKAGE, "%d failed photo queued again.\n",
                                 "%d failed photos queued again.\n", n), n);
    }
  return run_job (core, job->id, concurrency, rpm, force, json, out_dir, NULL);
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
  g_autoptr(LwCore) core = NULL;
  g_autoptr(LwJob) job = open_job (argc > 1 ? argv[1] : NULL, &core);

  if (job == NULL)
    return LW_CLI_EXIT_ERROR;
  if (!lw_store_set_job_status (lw_core_get_store (core), job->id, LW_JOB_CANCELLED,
                                lw_clock_now_ms (lw_core_get_clock (core)), &error))
    return lw_cli_fail (error);
  g_print (_("Job %" PRId64 " cancelled; “lightwork-cli resume %" PRId64 "” continues it.\n"),
           job->id, job->id);
  return LW_CLI_EXIT_OK;
}

static void
add_job_json (JsonBuilder *b, LwStore *store, const LwJob *job)
{
  LwJobCounts c = { 0 };

  lw_store_count_images (store, job->id, &c, NULL);
  json_builder_begin_object (b);
  json_add_int (b, "id", job->id);
  json_add_str (b, "name", job->name);
  json_add_str (b, "module", job->module_id);
  json_add_str (b, "model", job->model);
  json_add_str (b, "status", lw_job_status_to_string (job->status));
  json_add_int (b, "total", c.total);
  json_add_int (b, "pending", c.pending);
  json_add_int (b, "processing", c.processing);
  json_add_int (b, "retry_later", c.retry_later);
  json_add_int (b, "completed", c.completed);
  json_add_int (b, "failed", c.failed);
  json_add_double (b, "cost", lw_store_get_job_cost (store, job->id));
  json_add_int (b, "created_at", job->created_at);
  json_builder_end_object (b);
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
  g_autoptr(LwCore) core = lw_cli_open_core ();
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  LwStore *store;

  if (core == NULL)
    return LW_CLI_EXIT_ERROR;
  store = lw_core_get_store (core);
  jobs = lw_store_list_jobs (store, 0, &error);
  if (jobs == NULL)
    return lw_cli_fail (error);
  json_builder_begin_array (b);
  for (guint i = 0; i < jobs->len; i++)
    {
      LwJob *job = g_ptr_array_index (jobs, i);
      LwJobCounts c = { 0 };

      if (json)
        {
          add_job_json (b, store, job);
          continue;
        }
      lw_store_count_images (store, job->id, &c, NULL);
      g_print ("%4" G_GINT64_FORMAT "  %-10s  %4d/%-4d %s%-3d  %-10s %-16s %s\n", job->id,
               lw_job_status_to_string (job->status), c.completed, c.total, c.failed ? "✗" : " ",
               c.failed, job->module_id, job->model, job->name);
    }
  json_builder_end_array (b);
  if (json)
    {
      lw_cli_print_json (b);
    }
  else if (jobs->len == 0)
    g_print (_("No jobs yet.\n"));
  return LW_CLI_EXIT_OK;
}

static int
cmd_status (int argc, char **argv)
{
  gboolean json = want_json (&argc, argv);
  g_autoptr(LwCore) core = NULL;
  g_autoptr(LwJob) job = open_job (argc > 1 ? argv[1] : NULL, &core);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) rejections = NULL;
  LwJobCounts c = { 0 };
  LwStore *store;

  if (job == NULL)
    return LW_CLI_EXIT_ERROR;
  store = lw_core_get_store (core);
  images = lw_store_list_images (store, job->id, NULL);
  rejections = lw_store_list_rejections (store, job->id, NULL);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "job");
      add_job_json (b, store, job);
      json_builder_set_member_name (b, "images");
      json_builder_begin_array (b);
      for (guint i = 0; images != NULL && i < images->len; i++)
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
      for (guint i = 0; rejections != NULL && i < rejections->len; i++)
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

  lw_store_count_images (store, job->id, &c, NULL);
  g_print (_("Job %" PRId64 ": %s\n"), job->id, job->name);
  g_print (_("  module %s · model %s · %s\n"), job->module_id, job->model, lw_job_status_to_string (job->status));
  g_print (_("  %d photos: %d done, %d failed, %d pending, %d processing, %d waiting to retry\n"),
           c.total, c.completed, c.failed, c.pending, c.processing, c.retry_later);
  if (lw_store_get_job_cost (store, job->id) > 0)
    g_print (_("  spent $%.2f\n"), lw_store_get_job_cost (store, job->id));
  for (guint i = 0; images != NULL && i < images->len; i++)
    {
      LwImage *image = g_ptr_array_index (images, i);
      if (image->status == LW_IMAGE_FAILED)
        g_print (_("  failed: %s — %s\n"), image->original_name, image->error_message ? image->error_message : "");
    }
  for (guint i = 0; rejections != NULL && i < rejections->len; i++)
    {
      LwRejection *r = g_ptr_array_index (rejections, i);
      g_print (_("  skipped: %s — %s\n"), r->path, r->reason);
    }
  return LW_CLI_EXIT_OK;
}

static int
cmd_export (int argc, char **argv)
{
  g_autofree char *out_dir = NULL;
  g_autofree char *template_str = NULL;
  g_auto(GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder to save into"), "DIR" },
    { "template", 0, 0, G_OPTION_ARG_STRING, &template_str, N_("Names of saved files; default {name}-{module}.{ext}"), "T" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, N_("[JOB]") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[JOB] — save a job's results"));
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = NULL;
  g_autoptr(LwJob) job = NULL;
  guint written = 0;

  if (!parse_options (context, entries, &argc, &argv))
    return LW_CLI_EXIT_ERROR;
  if (out_dir == NULL)
    {
      lw_cli_error (_("export: --out DIR is required"));
      return LW_CLI_EXIT_ERROR;
    }
  job = open_job (rest ? rest[0] : NULL, &core);
  if (job == NULL)
    return LW_CLI_EXIT_ERROR;
  if (!lw_export_job (lw_core_get_store (core), lw_core_get_blobs (core), job->id, out_dir, template_str,
                      NULL, NULL, &written, NULL, &error))
    return lw_cli_fail (error);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Saved %u result to %s\n", "Saved %u results to %s\n", written),
           written, out_dir);
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
  g_print ("%-20s %-18s %s%s\n", m->id, m->name, m->builtin ? "" : _("(custom) "),
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
  g_autoptr(LwCore) core = NULL;
  const char *verb, *id;
  LwStore *store;

  if (!parse_options (context, entries, &argc, &argv))
    return LW_CLI_EXIT_ERROR;
  verb = rest != NULL && rest[0] != NULL ? rest[0] : "list";
  id = rest != NULL && rest[0] != NULL ? rest[1] : NULL;
  core = lw_cli_open_core ();
  if (core == NULL)
    return LW_CLI_EXIT_ERROR;
  store = lw_core_get_store (core);

  if (g_str_equal (verb, "list"))
    {
      g_autoptr(GPtrArray) modules = lw_store_list_modules (store, &error);
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
      m = lw_store_create_module (store, name, description, text, &error);
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
      g_autoptr(LwModule) m = lw_store_get_module (store, id, &error);
      if (m == NULL)
        goto fail;
      print_module (m, TRUE);
      return LW_CLI_EXIT_OK;
    }
  if (g_str_equal (verb, "edit"))
    {
      g_autofree char *text = read_prompt_arg (prompt, prompt_file, &error);
      g_autoptr(LwModule) m = error == NULL ? lw_store_get_module (store, id, &error) : NULL;

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
      if (!lw_store_update_module (store, m, &error))
        goto fail;
      return LW_CLI_EXIT_OK;
    }
  if (g_str_equal (verb, "duplicate"))
    {
      g_autoptr(LwModule) m = lw_store_duplicate_module (store, id, &error);
      if (m == NULL)
        goto fail;
      g_print ("%s\n", m->id);
      return LW_CLI_EXIT_OK;
    }
  if (g_str_equal (verb, "delete"))
    return lw_store_delete_module (store, id, &error) ? LW_CLI_EXIT_OK : lw_cli_fail (error);
  if (g_str_equal (verb, "reset"))
    return lw_store_reset_module (store, id, &error) ? LW_CLI_EXIT_OK : lw_cli_fail (error);

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

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
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
      return commands[i].run (argc - 1, argv + 1);

  lw_cli_error (_("unknown command “%s”; see “lightwork-cli --help”"), cmd);
  return LW_CLI_EXIT_ERROR;
}

/* test-both-front-ends.c — the window and lightwork-cli on one data folder
 * see one job.
 *
 * Both front ends are thin over the jobs service (lw-jobs.h), so whatever
 * one does, the other must show the same way: the state, the counts, the
 * cost, the refused files and the names. Here the window is a real LwWindow
 * under the headless display, driven through its actions only, and the CLI
 * is the built lightwork-cli binary run as a subprocess with
 * LIGHTWORK_DATA_DIR at the window's data folder. Neither side is asked
 * about itself: each is checked against what the other says.
 *
 * /both-front-ends/window-then-cli: the window stages a folder (photos, a
 *   text file, a folder loop, a link to itself), runs it on the local model;
 *   "status --json" says the same. The CLI processes a folder; the window
 *   opens that job and says the same. A rename in the window is in "jobs
 *   --json"; "cancel" of a finished job is refused and the window still
 *   shows it done.
 * /both-front-ends/gemini-cost: a paid run of the CLI against the fake
 *   Gemini server (127.0.0.1): the window shows the same cost.
 * /both-front-ends/backoff-survives-window: a CLI run waiting out a 429 is
 *   not cancelled by the application starting (its real start-up path,
 *   LwApplication, on the same folder); once the CLI is killed, the same
 *   rule holds the job (CANCELLED, in the held list).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lw-application.h"
#include "lw-gemini-test-util.h"
#include "lw-models.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"

/* ---- lightwork-cli as a subprocess ---------------------------------------- */

typedef struct {
  GSubprocess *process;
  gboolean     done;      /* both pipes closed: the process is gone */
  char        *out;
  char        *err;
  GError      *error;
} Cli;

static char *
cli_path (void)
{
  const char *build = g_getenv ("LW_BUILD_DIR");
  char *path;

  g_assert_nonnull (build);
  path = g_build_filename (build, "src", "cli", "lightwork-cli", NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE));
  return path;
}

static void
cli_communicate_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Cli *cli = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &cli->out, &cli->err, &cli->error);
  cli->done = TRUE;
}

/* Starts "lightwork-cli args…" on data_dir; env: NULL-terminated pairs of
 * extra variables. Its output is read meanwhile (the main loop runs). */
static Cli *
cli_start (const char         *data_dir,
           const char * const *env,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Cli *cli = g_new0 (Cli, 1);

  g_ptr_array_add (argv, cli_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "LIGHTWORK_DATA_DIR", data_dir, TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  cli->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (cli->process, NULL, NULL, cli_communicate_cb, cli);
  return cli;
}

static gboolean
cli_done (gpointer data)
{
  return ((Cli *) data)->done;
}

static void
cli_free (Cli *cli)
{
  g_clear_object (&cli->process);
  g_free (cli->out);
  g_free (cli->err);
  g_clear_error (&cli->error);
  g_free (cli);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cli, cli_free)

/* Waits for the process to end (the window's main loop runs meanwhile) and
 * returns its exit status. */
static int
cli_finish (Cli *cli)
{
  if (!lw_test_wait_until (cli_done, cli, 50000))
    g_error ("lightwork-cli did not end");
  g_assert_no_error (cli->error);
  g_subprocess_wait (cli->process, NULL, NULL);
  g_test_message ("lightwork-cli: exit %d\nstdout: %s\nstderr: %s",
                  g_subprocess_get_if_exited (cli->process) ? g_subprocess_get_exit_status (cli->process) : -1,
                  cli->out, cli->err);
  g_assert_true (g_subprocess_get_if_exited (cli->process));
  return g_subprocess_get_exit_status (cli->process);
}

/* Runs "lightwork-cli args…" to its end. */
static Cli *
cli_run (const char *data_dir, int expected_exit, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  Cli *cli;
  va_list ap;

  va_start (ap, expected_exit);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  cli = cli_start (data_dir, NULL, (const char * const *) args->pdata);
  g_assert_cmpint (cli_finish (cli), ==, expected_exit);
  return cli;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* "lightwork-cli status --json <id>": {"job": {…}, "images": […], "rejected": […]} */
static JsonNode *
cli_status (const char *data_dir, gint64 job_id)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, job_id);
  g_autoptr(Cli) cli = cli_run (data_dir, 0, "status", "--json", id, NULL);
  JsonNode *node = parse_json (cli->out);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_node_get_object (node), "job"),
                                               "id"), ==, job_id);
  return node;
}

#define STATUS_JOB(node) json_object_get_object_member (json_node_get_object (node), "job")

/* ---- the window ------------------------------------------------------------ */

/* A real core and jobs service (the engines' factory: the local model is
 * the real local engine) and a window on them, as the application has. */
static void
both_setup (LwUiFixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;

  memset (fx, 0, sizeof *fx);
  fx->tmpdir = lw_test_make_tmpdir ("lw-both");
  data = g_build_filename (fx->tmpdir, "data", NULL);
  fx->photos = g_build_filename (fx->tmpdir, "photos", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fx->photos, 0700), ==, 0);
  fx->core = lw_core_open (data, NULL, &error);
  g_assert_no_error (error);
  fx->jobs = lw_jobs_new (fx->core);
  fx->scheduler = lw_jobs_get_scheduler (fx->jobs);
  lw_jobs_start (fx->jobs);
  fx->window = lw_window_new_for_jobs (fx->jobs);
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (fx->window));
  lw_ui_spin (300);
}

static const char *
data_dir_of (LwUiFixture *fx)
{
  return lw_core_get_data_dir (fx->core);
}

#define N_PHOTOS 3

/* Photos, and what no front end may stage: a text file, a link to the
 * folder it is in (a loop) and a link to itself. Returns the photos' count. */
static guint
fill_folder (const char *dir)
{
  g_autoptr(GPtrArray) photos = lw_test_copy_fixtures (dir);
  g_autofree char *notes = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *loop = g_build_filename (dir, "loop", NULL);
  g_autofree char *self = g_build_filename (dir, "self.jpg", NULL);

  g_assert_cmpuint (photos->len, >=, N_PHOTOS);
  /* Three are enough to tell photos apart, and keep a local run short
   * under ASan. */
  for (guint i = N_PHOTOS; i < photos->len; i++)
    g_assert_cmpint (g_unlink (g_ptr_array_index (photos, i)), ==, 0);
  lw_test_write_file (notes, "shopping list\n", 14);
  g_assert_cmpint (symlink (".", loop), ==, 0);
  g_assert_cmpint (symlink ("self.jpg", self), ==, 0);
  return N_PHOTOS;
}

#define N_REFUSED 3

static gint64 awaited_job;

/* The window shows awaited_job with all its rows loaded. */
static gboolean
shows_awaited_job (LwUiFixture *fx)
{
  LwJobSession *session = lw_window_get_session (fx->window);

  return lw_job_session_get_job_id (session) == awaited_job && !lw_job_session_get_busy (session)
         && lw_job_session_get_n_incoming (session) == 0;
}

/* The window's refused tiles are the job's saved refusals, in number. */
static gboolean
refusals_settled (LwUiFixture *fx)
{
  LwJobSession *session = lw_window_get_session (fx->window);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) rejections = NULL;
  LwJobCounts counts;
  int rejected = 0;

  if (!lw_jobs_load (lw_job_session_get_jobs (session), awaited_job, &images, &rejections, NULL))
    return FALSE;
  lw_job_session_get_counts (session, &counts, &rejected);
  return rejected == (int) rejections->len;
}

static void
open_in_window (LwUiFixture *fx, gint64 job_id)
{
  awaited_job = job_id;
  lw_ui_activate (fx, "win.open-job", g_variant_new_int64 (job_id));
  g_assert_true (lw_ui_wait (shows_awaited_job, fx, 20000));
  /* Seen once in ~14 runs on a loaded machine: right after opening, two
   * refused tiles too many (a load overlapping another; not understood
   * yet). Say so when it happens, and give it a moment: a lasting
   * difference still fails the comparison below. */
  if (!refusals_settled (fx))
    {
      g_test_message ("the window showed more refused tiles than the job has; waiting");
      lw_ui_wait (refusals_settled, fx, 5000);
    }
  lw_window_refresh_now (fx->window);
}

/* The window's job is done: nothing open, nothing in flight. */
static gboolean
window_job_done (LwUiFixture *fx)
{
  LwJobCounts counts;
  int rejected;

  if (!lw_ui_job_finished (fx))
    return FALSE;
  lw_job_session_get_counts (lw_window_get_session (fx->window), &counts, &rejected);
  return counts.completed + counts.failed == counts.total;
}

static void
assert_label_says_n (LwUiFixture *fx, GtkWidget *label, gint64 n)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, n);

  lw_ui_assert_label_becomes (fx, label, text);
}

/* What the window shows of its job is what "status --json" says of it:
 * the id, name, state, counts (and the filter tabs' labels), cost, every
 * photo by id with its name and state, every refused file with its
 * reason. */
static void
assert_same_job (LwUiFixture *fx, JsonNode *status)
{
  LwJobSession *session = lw_window_get_session (fx->window);
  const LwJob *job = lw_job_session_get_job (session);
  JsonObject *cli_job = STATUS_JOB (status);
  JsonArray *cli_images = json_object_get_array_member (json_node_get_object (status), "images");
  JsonArray *cli_rejected = json_object_get_array_member (json_node_get_object (status), "rejected");
  GListModel *items = lw_job_session_get_items (session);
  g_autoptr(GHashTable) window_photos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) window_refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  LwJobCounts counts;
  LwJobProgress progress;
  g_autoptr(GError) error = NULL;
  int rejected;
  double spent;

  g_assert_nonnull (job);
  g_assert_cmpint (json_object_get_int_member (cli_job, "id"), ==, job->id);
  g_assert_cmpstr (json_object_get_string_member (cli_job, "name"), ==, job->name);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lw_window_get_job_name_label (fx->window))), ==, job->name);
  g_assert_cmpstr (json_object_get_string_member (cli_job, "model"), ==, job->model);
  g_assert_cmpstr (json_object_get_string_member (cli_job, "module"), ==, job->module_id);
  g_assert_cmpstr (json_object_get_string_member (cli_job, "status"), ==, lw_job_status_to_string (job->status));

  lw_job_session_get_counts (session, &counts, &rejected);
  g_assert_cmpint (json_object_get_int_member (cli_job, "total"), ==, counts.total);
  g_assert_cmpint (json_object_get_int_member (cli_job, "completed"), ==, counts.completed);
  g_assert_cmpint (json_object_get_int_member (cli_job, "failed"), ==, counts.failed);
  g_assert_cmpint (json_object_get_int_member (cli_job, "pending"), ==, counts.pending);
  g_assert_cmpint (json_object_get_int_member (cli_job, "processing"), ==, counts.processing);
  g_assert_cmpint (json_object_get_int_member (cli_job, "retry_later"), ==, counts.retry_later);
  g_assert_cmpint ((int) json_array_get_length (cli_rejected), ==, rejected);
  /* The filter tabs show the refused files' tiles under All and Failed. */
  assert_label_says_n (fx, lw_window_get_count_all (fx->window),
                       json_object_get_int_member (cli_job, "total") + json_array_get_length (cli_rejected));
  assert_label_says_n (fx, lw_window_get_count_pending (fx->window),
                       json_object_get_int_member (cli_job, "pending") + json_object_get_int_member (cli_job, "processing")
                       + json_object_get_int_member (cli_job, "retry_later"));
  assert_label_says_n (fx, lw_window_get_count_done (fx->window), json_object_get_int_member (cli_job, "completed"));
  assert_label_says_n (fx, lw_window_get_count_failed (fx->window),
                       json_object_get_int_member (cli_job, "failed") + json_array_get_length (cli_rejected));

  /* The cost: what the window's session shows (-1 = nothing yet) and what
   * its service reads are what the CLI printed. */
  g_assert_true (lw_jobs_get_progress (fx->jobs, job->id, &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cli_job, "cost"), progress.spent, 1e-9);
  spent = lw_job_session_get_spent (session);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cli_job, "cost"), MAX (spent, 0), 1e-9);

  /* Every photo, by id: the same name and state. */
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(LwImageItem) item = g_list_model_get_item (items, i);

      switch (lw_image_item_get_phase (item))
        {
        case LW_IMAGE_ITEM_STAGED:
          g_hash_table_insert (window_photos, g_strdup_printf ("%" G_GINT64_FORMAT, lw_image_item_get_id (item)),
                               g_strdup_printf ("%s|%s", lw_image_item_get_name (item),
                                                lw_image_status_to_string (lw_image_item_get_status (item))));
          break;
        case LW_IMAGE_ITEM_REJECTED:
          g_assert_true (g_hash_table_insert (window_refused, g_strdup (lw_image_item_get_source_path (item)),
                                              g_strdup (lw_image_item_get_error_message (item))));
          break;
        case LW_IMAGE_ITEM_STAGING:
        default:
          g_error ("%s is still being staged", lw_image_item_get_name (item));
        }
    }
  g_assert_cmpuint (g_hash_table_size (window_photos), ==, json_array_get_length (cli_images));
  for (guint i = 0; i < json_array_get_length (cli_images); i++)
    {
      JsonObject *image = json_array_get_object_element (cli_images, i);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (image, "id"));
      g_autofree char *seen = g_strdup_printf ("%s|%s", json_object_get_string_member (image, "name"),
                                               json_object_get_string_member (image, "status"));

      g_assert_cmpstr (g_hash_table_lookup (window_photos, id), ==, seen);
    }

  /* Every refused file, by path: the same reason. */
  g_assert_cmpuint (g_hash_table_size (window_refused), ==, json_array_get_length (cli_rejected));
  for (guint i = 0; i < json_array_get_length (cli_rejected); i++)
    {
      JsonObject *refusal = json_array_get_object_element (cli_rejected, i);

      g_assert_cmpstr (g_hash_table_lookup (window_refused, json_object_get_string_member (refusal, "path")), ==,
                       json_object_get_string_member (refusal, "reason"));
    }
}

/* The refusals of a job are the three files fill_folder() put beside the
 * photos, each with its own reason. */
static void
assert_refused_three (JsonNode *status, const char *dir)
{
  JsonArray *refused = json_object_get_array_member (json_node_get_object (status), "rejected");
  g_autofree char *notes = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *loop = g_build_filename (dir, "loop", NULL);
  g_autofree char *self = g_build_filename (dir, "self.jpg", NULL);
  gboolean seen_notes = FALSE, seen_loop = FALSE, seen_self = FALSE;

  g_assert_cmpuint (json_array_get_length (refused), ==, N_REFUSED);
  for (guint i = 0; i < N_REFUSED; i++)
    {
      JsonObject *refusal = json_array_get_object_element (refused, i);
      const char *path = json_object_get_string_member (refusal, "path");
      const char *reason = json_object_get_string_member (refusal, "reason");

      g_assert_nonnull (reason);
      g_assert_cmpstr (reason, !=, "");
      if (g_str_equal (path, notes))
        seen_notes = TRUE;
      else if (g_str_equal (path, loop))
        {
          g_assert_true (g_str_has_prefix (reason, "folder loop"));
          seen_loop = TRUE;
        }
      else if (g_str_equal (path, self))
        seen_self = TRUE;
      else
        g_error ("refused %s (%s): not one of the three", path, reason);
    }
  g_assert_true (seen_notes && seen_loop && seen_self);
}

static void
test_window_then_cli (void)
{
  LwUiFixture fx;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  g_autofree char *folder_b = NULL;
  g_autoptr(JsonNode) status = NULL;
  guint n_photos, n_photos_b;
  gint64 job_a, job_b = 0;

  both_setup (&fx);
  /* No key in the test's environment: new jobs get the local model. */
  g_assert_cmpstr (lw_job_session_get_model (lw_window_get_session (fx.window)), ==, LW_MODEL_LOCAL);

  /* (a) The window stages a folder and runs it. */
  n_photos = fill_folder (fx.photos);
  g_ptr_array_add (paths, fx.photos);
  g_ptr_array_add (paths, NULL);
  lw_ui_activate (&fx, "win.stage-paths", g_variant_new_strv ((const char * const *) paths->pdata, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, &fx, 30000));
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING), ==, n_photos);
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_REJECTED, -1), ==, N_REFUSED);
  job_a = lw_window_get_job_id (fx.window);
  g_assert_cmpint (job_a, >, 0);
  g_assert_cmpstr (LW_UI_JOB (fx.window)->model, ==, LW_MODEL_LOCAL);

  /* Staged, not launched: the CLI already sees the same job. */
  status = cli_status (data_dir_of (&fx), job_a);
  g_assert_cmpstr (json_object_get_string_member (STATUS_JOB (status), "status"), ==, "PENDING");
  assert_same_job (&fx, status);
  assert_refused_three (status, fx.photos);
  g_clear_pointer (&status, json_node_unref);

  lw_ui_activate (&fx, "win.launch", NULL);
  if (!lw_ui_wait (window_job_done, &fx, 45000))
    {
      LwJobCounts counts;
      int rejected;

      lw_job_session_get_counts (lw_window_get_session (fx.window), &counts, &rejected);
      g_error ("not done: job %s, %d total, %d pending, %d processing, %d retry, %d done, %d failed, %u flights",
               lw_job_status_to_string (LW_UI_JOB (fx.window)->status), counts.total, counts.pending,
               counts.processing, counts.retry_later, counts.completed, counts.failed,
               lw_scheduler_get_n_flights (fx.scheduler));
    }
  lw_window_refresh_now (fx.window);
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED), >, 0);

  status = cli_status (data_dir_of (&fx), job_a);
  g_assert_cmpstr (json_object_get_string_member (STATUS_JOB (status), "status"), ==, "COMPLETED");
  g_assert_cmpint (json_object_get_int_member (STATUS_JOB (status), "total"), ==, n_photos);
  assert_same_job (&fx, status);
  assert_refused_three (status, fx.photos);
  g_clear_pointer (&status, json_node_unref);

  /* (b) The CLI processes another folder; the window opens that job. */
  folder_b = g_build_filename (fx.tmpdir, "photos-b", NULL);
  g_assert_cmpint (g_mkdir_with_parents (folder_b, 0700), ==, 0);
  n_photos_b = fill_folder (folder_b);
  {
    g_autoptr(Cli) cli = cli_run (data_dir_of (&fx), 0, "process", folder_b, "--model", "local", "--json", NULL);
    g_auto(GStrv) lines = g_strsplit (cli->out, "\n", -1);
    guint n_rejected_events = 0;

    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_autoptr(JsonNode) event = NULL;
        JsonObject *object;

        if (*lines[i] == '\0')
          continue;
        event = parse_json (lines[i]);
        object = json_node_get_object (event);
        if (g_str_equal (json_object_get_string_member (object, "event"), "rejected"))
          n_rejected_events++;
        else if (g_str_equal (json_object_get_string_member (object, "event"), "finished"))
          {
            job_b = json_object_get_int_member (object, "job");
            g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "COMPLETED");
            g_assert_cmpint (json_object_get_int_member (object, "total"), ==, n_photos_b);
          }
      }
    g_assert_cmpuint (n_rejected_events, ==, N_REFUSED);
  }
  g_assert_cmpint (job_b, >, job_a);
  open_in_window (&fx, job_b);
  g_assert_cmpint (lw_window_get_job_id (fx.window), ==, job_b);
  g_assert_cmpstr (LW_UI_JOB (fx.window)->model, ==, LW_MODEL_LOCAL);
  status = cli_status (data_dir_of (&fx), job_b);
  g_assert_cmpstr (json_object_get_string_member (STATUS_JOB (status), "status"), ==, "COMPLETED");
  /* The loop the CLI met is saved, not only printed: the window shows it. */
  assert_refused_three (status, folder_b);
  g_assert_cmpuint (lw_ui_count_items (&fx, LW_IMAGE_ITEM_REJECTED, -1), ==, N_REFUSED);
  assert_same_job (&fx, status);
  g_clear_pointer (&status, json_node_unref);

  /* The window shows the finished job A again. */
  open_in_window (&fx, job_a);
  /* (d) "cancel" of a finished job is refused, and nothing changed. */
  {
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, job_a);
    g_autoptr(Cli) cli = cli_run (data_dir_of (&fx), 1, "cancel", id, NULL);

    g_assert_nonnull (strstr (cli->err, "not running"));
    g_assert_null (strstr (cli->out, "cancelled"));
  }
  lw_ui_spin (300);
  lw_window_refresh_now (fx.window);
  {
    g_autoptr(LwJob) stored = lw_jobs_get (fx.jobs, job_a, NULL);

    g_assert_nonnull (stored);
    g_assert_cmpint (stored->status, ==, LW_JOB_COMPLETED);
  }
  g_assert_cmpint (LW_UI_JOB (fx.window)->status, ==, LW_JOB_COMPLETED);
  g_assert_false (lw_job_session_get_running (lw_window_get_session (fx.window)));
  status = cli_status (data_dir_of (&fx), job_a);
  g_assert_cmpstr (json_object_get_string_member (STATUS_JOB (status), "status"), ==, "COMPLETED");
  g_assert_cmpint (json_object_get_int_member (STATUS_JOB (status), "completed")
                   + json_object_get_int_member (STATUS_JOB (status), "failed"), ==, n_photos);
  assert_same_job (&fx, status);

  lw_ui_fixture_teardown (&fx);
}

/* ---- a rename in the window ------------------------------------------------ */

/* The sidebar's "Rename…" (win.rename-job) on a job the window does not
 * show: it opens it and edits the header's label; the name is typed into
 * the label's entry and Enter commits it. */
static void
rename_in_window (LwUiFixture *fx, gint64 job_id, const char *name)
{
  GtkEditableLabel *label = GTK_EDITABLE_LABEL (lw_window_get_job_name_label (fx->window));
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (label));

  lw_ui_activate (fx, "win.rename-job", g_variant_new_int64 (job_id));
  g_assert_cmpint (lw_window_get_job_id (fx->window), ==, job_id);
  g_assert_true (gtk_editable_label_get_editing (label));
  g_assert_true (GTK_IS_TEXT (text));
  gtk_editable_set_text (text, name);
  g_signal_emit_by_name (text, "activate");
  g_assert_false (gtk_editable_label_get_editing (label));
  awaited_job = job_id;
  g_assert_true (lw_ui_wait (shows_awaited_job, fx, 20000));
  lw_window_refresh_now (fx->window);
}

/* Two jobs: one the CLI made, one the window staged (shown). Returns the
 * CLI's. */
static gint64
two_jobs (LwUiFixture *fx)
{
  g_autofree char *folder = g_build_filename (fx->tmpdir, "cli", NULL);
  const char *paths[] = { fx->photos, NULL };
  g_autoptr(Cli) cli = NULL;
  g_autoptr(JsonNode) list = NULL;
  gint64 job_id;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  fill_folder (folder);
  cli = cli_run (lw_core_get_data_dir (fx->core), 0, "process", folder, "--model", "local", NULL);
  fill_folder (fx->photos);
  lw_ui_activate (fx, "win.stage-paths", g_variant_new_strv (paths, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, fx, 30000));
  g_clear_pointer (&cli, cli_free);
  cli = cli_run (lw_core_get_data_dir (fx->core), 0, "jobs", "--json", NULL);
  list = parse_json (cli->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 2);
  /* Newest first: the window's, then the CLI's. */
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_node_get_array (list), 0), "id"),
                   ==, lw_window_get_job_id (fx->window));
  job_id = json_object_get_int_member (json_array_get_object_element (json_node_get_array (list), 1), "id");
  g_assert_cmpint (job_id, !=, lw_window_get_job_id (fx->window));
  return job_id;
}

static void
test_rename_in_window (void)
{
  LwUiFixture fx;
  const char *renamed = "Spring catalogue, renamed in the window";
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(Cli) cli = NULL;
  JsonArray *array;
  gint64 cli_job, window_job;
  guint found = 0;

  both_setup (&fx);
  cli_job = two_jobs (&fx);
  window_job = lw_window_get_job_id (fx.window);

  /* (c) The window renames the CLI's job: "jobs --json" lists the new
   * name for it, and only for it. */
  rename_in_window (&fx, cli_job, renamed);
  g_assert_cmpstr (LW_UI_JOB (fx.window)->name, ==, renamed);
  cli = cli_run (lw_core_get_data_dir (fx.core), 0, "jobs", "--json", NULL);
  list = parse_json (cli->out);
  array = json_node_get_array (list);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *job = json_array_get_object_element (array, i);

      if (json_object_get_int_member (job, "id") == cli_job)
        {
          g_assert_cmpstr (json_object_get_string_member (job, "name"), ==, renamed);
          found++;
        }
      else
        {
          g_assert_cmpint (json_object_get_int_member (job, "id"), ==, window_job);
          g_assert_cmpstr (json_object_get_string_member (job, "name"), !=, renamed);
        }
    }
  g_assert_cmpuint (found, ==, 1);
  status = cli_status (lw_core_get_data_dir (fx.core), cli_job);
  assert_same_job (&fx, status);

  lw_ui_spin (300);
  lw_ui_fixture_teardown (&fx);
}

/* Rename a job in the window, then close the window: nothing is logged
 * (GTK 4.8's GtkEditableLabel arms a focus-out timer on its controller when
 * the focus is still on it at destruction, and the timer fires on the freed
 * controller: a Gtk-CRITICAL, fatal in tests; the window moves the focus to
 * the photos when an edit ends). */
static void
test_rename_then_close (void)
{
  LwUiFixture fx;

  both_setup (&fx);
  two_jobs (&fx);
  rename_in_window (&fx, lw_window_get_job_id (fx.window), "Renamed, then closed");
  lw_ui_spin (300);
  /* Before the fix: a fatal Gtk-CRITICAL during the teardown's spin. */
  lw_ui_fixture_teardown (&fx);
}

/* ---- a paid run: the same cost --------------------------------------------- */

static void
test_gemini_cost (void)
{
  LwUiFixture fx;
  LwFakeGemini *server = lw_test_fake_start ();
  g_autofree char *base_url = lw_fake_gemini_dup_base_url (server);
  const char *env[] = { "GEMINI_API_KEY", LW_TEST_KEY, "LIGHTWORK_GEMINI_BASE_URL", base_url, NULL };
  const char *args[] = { "process", NULL, "--model", LW_MODEL_NANO_BANANA, "--json", NULL };
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(Cli) cli = NULL;
  g_autofree char *folder = NULL;
  g_auto(GStrv) lines = NULL;
  const LwModelInfo *info = lw_models_find (LW_MODEL_NANO_BANANA);
  gint64 job_id = 0;
  guint n_photos;

  g_assert_true (g_str_has_prefix (base_url, "http://127.0.0.1:"));
  both_setup (&fx);
  folder = g_build_filename (fx.tmpdir, "paid", NULL);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  n_photos = fill_folder (folder);
  args[1] = folder;
  cli = cli_start (data_dir_of (&fx), env, args);
  g_assert_cmpint (cli_finish (cli), ==, 0);
  lines = g_strsplit (cli->out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "\"finished\"") != NULL)
      {
        g_autoptr(JsonNode) event = parse_json (lines[i]);

        job_id = json_object_get_int_member (json_node_get_object (event), "job");
      }
  g_assert_cmpint (job_id, >, 0);
  g_assert_cmpuint (lw_fake_gemini_get_n_delivered (server), ==, n_photos);

  open_in_window (&fx, job_id);
  status = cli_status (data_dir_of (&fx), job_id);
  /* Every photo cost one call of the model, and both say so. */
  g_assert_cmpint (json_object_get_int_member (STATUS_JOB (status), "completed"), ==, n_photos);
  g_assert_cmpfloat (info->price, >, 0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (STATUS_JOB (status), "cost"),
                                  n_photos * info->price, 1e-6);
  assert_same_job (&fx, status);
  assert_refused_three (status, folder);

  lw_ui_fixture_teardown (&fx);
  lw_fake_gemini_free (server);
}

/* ---- a live CLI run in back-off survives the window opening ------------------ */

typedef struct {
  char         *data;
  Cli          *cli;
  gint64        job_id;
  LwFakeGemini *server;
  gboolean      ran;
} Backoff;

static JsonNode *backoff_status;

static gboolean
server_asked (gpointer data)
{
  return lw_fake_gemini_get_n_requests (data) > 0;
}

/* The CLI's job is PROCESSING, nothing in flight, none done, and photos
 * wait out the 429's retry delay. */
static gboolean
cli_job_waits (gpointer data)
{
  Backoff *b = data;
  JsonObject *job;

  if (b->cli->done)
    g_error ("lightwork-cli ended while it should wait: %s", b->cli->err);
  g_clear_pointer (&backoff_status, json_node_unref);
  {
    /* The newest job: the one the CLI made (there is no other). */
    g_autoptr(Cli) status = cli_start (b->data, NULL, (const char *[]) { "status", "--json", NULL });

    if (cli_finish (status) != 0)
      return FALSE;   /* not made yet */
    backoff_status = parse_json (status->out);
  }
  job = STATUS_JOB (backoff_status);
  b->job_id = json_object_get_int_member (job, "id");
  return g_str_equal (json_object_get_string_member (job, "status"), "PROCESSING")
         && json_object_get_int_member (job, "processing") == 0
         && json_object_get_int_member (job, "completed") == 0
         && json_object_get_int_member (job, "retry_later") > 0;
}

static void
backoff_activate_cb (GApplication *app,
                     Backoff      *b)
{
  LwJobs *jobs = lw_application_get_jobs (LW_APPLICATION (app));
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  LwUiFixture fx = { 0 };
  g_autoptr(GArray) held = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(JsonNode) status = NULL;
  guint n_requests;

  b->ran = TRUE;
  g_assert_nonnull (jobs);
  g_assert_true (LW_IS_WINDOW (window));
  fx.window = LW_WINDOW (window);
  fx.jobs = jobs;
  fx.scheduler = lw_jobs_get_scheduler (jobs);
  /* The window is up and its queue runs for a while. */
  lw_ui_spin (500);
  n_requests = lw_fake_gemini_get_n_requests (b->server);

  /* The start-up left the live run alone: still PROCESSING, nothing asks
   * to continue it, and the CLI still runs. */
  {
    g_autoptr(LwJob) job = lw_jobs_get (jobs, b->job_id, NULL);

    g_assert_nonnull (job);
    g_assert_cmpint (job->status, ==, LW_JOB_PROCESSING);
  }
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
  g_assert_false (b->cli->done);
  g_assert_nonnull (g_subprocess_get_identifier (b->cli->process));

  /* The window opens the job and shows it running, photos waiting. */
  open_in_window (&fx, b->job_id);
  g_assert_true (lw_job_session_get_running (lw_window_get_session (fx.window)));
  status = cli_status (b->data, b->job_id);
  g_assert_cmpstr (json_object_get_string_member (STATUS_JOB (status), "status"), ==, "PROCESSING");
  g_assert_cmpint (json_object_get_int_member (STATUS_JOB (status), "retry_later"), >, 0);
  assert_same_job (&fx, status);
  g_clear_pointer (&status, json_node_unref);
  g_assert_false (b->cli->done);
  /* Nobody sent anything meanwhile: the 429 said to wait 120 s. */
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (b->server), ==, n_requests);

  /* Now the CLI dies without a word: the same rule holds its job. */
  g_subprocess_send_signal (b->cli->process, SIGKILL);
  g_assert_true (lw_test_wait_until (cli_done, b->cli, 20000));
  g_assert_true (g_subprocess_wait (b->cli->process, NULL, NULL));
  g_assert_true (g_subprocess_get_if_signaled (b->cli->process));
  g_assert_cmpint (g_subprocess_get_term_sig (b->cli->process), ==, SIGKILL);

  lw_jobs_hold_interrupted (jobs, held);
  g_assert_cmpuint (held->len, ==, 1);
  g_assert_cmpint (g_array_index (held, gint64, 0), ==, b->job_id);
  {
    g_autoptr(LwJob) job = lw_jobs_get (jobs, b->job_id, NULL);

    g_assert_cmpint (job->status, ==, LW_JOB_CANCELLED);
  }
  status = cli_status (b->data, b->job_id);
  g_assert_cmpstr (json_object_get_string_member (STATUS_JOB (status), "status"), ==, "CANCELLED");
  /* Held once: a second look finds nothing more. */
  g_array_set_size (held, 0);
  lw_jobs_hold_interrupted (jobs, held);
  g_assert_cmpuint (held->len, ==, 0);

  /* The last window closes: the application quits (its shutdown stops the
   * service). */
  gtk_window_destroy (window);
}

static void
test_backoff_survives_window (void)
{
  g_autofree char *tmpdir = lw_test_make_tmpdir ("lw-both-backoff");
  g_autofree char *photos = g_build_filename (tmpdir, "photos", NULL);
  g_autofree char *base_url = NULL;
  const char *args[] = { "process", photos, "--model", LW_MODEL_NANO_BANANA, "--json", NULL };
  Backoff b = { 0 };
  LwApplication *app;
  gint64 start = g_get_monotonic_time ();

  b.data = g_build_filename (tmpdir, "data", NULL);
  /* The application's core opens $LIGHTWORK_DATA_DIR: set before any
   * thread of this test runs. */
  g_setenv ("LIGHTWORK_DATA_DIR", b.data, TRUE);
  g_assert_cmpint (g_mkdir_with_parents (photos, 0700), ==, 0);
  g_ptr_array_unref (lw_test_copy_fixtures (photos));

  /* Every request is told to come back in two minutes. */
  b.server = lw_test_fake_start ();
  lw_fake_gemini_set_fault_rate (b.server, LW_FAKE_FAULT_RATE_LIMIT, 1.0);
  lw_fake_gemini_set_retry_delay (b.server, 120000);
  base_url = lw_fake_gemini_dup_base_url (b.server);
  g_assert_true (g_str_has_prefix (base_url, "http://127.0.0.1:"));
  {
    const char *env[] = { "GEMINI_API_KEY", LW_TEST_KEY, "LIGHTWORK_GEMINI_BASE_URL", base_url, NULL };

    b.cli = cli_start (b.data, env, args);
  }
  /* Its job exists once it sent something. */
  g_assert_true (lw_test_wait_until (server_asked, b.server, 20000));
  g_assert_true (lw_test_wait_until (cli_job_waits, &b, 20000));
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (b.server), >, 0);
  g_assert_cmpuint (lw_fake_gemini_get_n_status (b.server, 429), ==, lw_fake_gemini_get_n_requests (b.server));
  g_clear_pointer (&backoff_status, json_node_unref);

  /* The application starts as a person starts it (NON_UNIQUE: no other
   * instance on the bus is asked to do it instead). */
  app = lw_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (backoff_activate_cb), &b);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  g_assert_false (lw_application_get_failed (app));
  g_assert_true (b.ran);
  g_object_unref (app);

  g_unsetenv ("LIGHTWORK_DATA_DIR");
  cli_free (b.cli);
  lw_fake_gemini_free (b.server);
  lw_test_rmtree (tmpdir);
  g_free (b.data);
  /* The 429's 120 s were not waited out (60 s leaves room for ASan on a
   * loaded machine; a normal run takes a few seconds). */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 60 * G_USEC_PER_SEC);
}

int
main (int argc, char **argv)
{
  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/both-front-ends/window-then-cli", test_window_then_cli);
  g_test_add_func ("/both-front-ends/rename-in-window", test_rename_in_window);
  g_test_add_func ("/both-front-ends/rename-then-close", test_rename_then_close);
  g_test_add_func ("/both-front-ends/gemini-cost", test_gemini_cost);
  g_test_add_func ("/both-front-ends/backoff-survives-window", test_backoff_survives_window);
  return g_test_run ();
}

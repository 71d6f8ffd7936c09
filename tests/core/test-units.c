/* test-units.c — the small rules: 2-prompt rule, backoff and jitter, error
 * classes, status names, export naming, the fake clock. */
#include "config.h"

#include <glib/gstdio.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "lw-clock.h"
#include "lw-engine.h"
#include "lw-export.h"
#include "lw-prompt.h"
#include "lw-retry.h"
#include "lw-test-util.h"
#include "lw-thread.h"
#include "lw-types.h"

static void
test_prompt_compose (void)
{
  struct { const char *module, *specific, *expected; } cases[] = {
    { "Make it pop.", NULL, "Make it pop." },
    { "Make it pop.", "", "Make it pop." },
    { "Make it pop.", "   \n\t ", "Make it pop." },
    { "Make it pop.", "Remove the fork.", "Make it pop.\n\nRemove the fork." },
    { "  Make it pop.\n\n", "\n Remove the fork. \n", "Make it pop.\n\nRemove the fork." },
    { "Line one.\nLine two.", "Warmer.", "Line one.\nLine two.\n\nWarmer." },
    { "", "Only this.", "Only this." },
    { NULL, NULL, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *composed = lw_prompt_compose (cases[i].module, cases[i].specific);
      g_assert_cmpstr (composed, ==, cases[i].expected);
    }
}

static void
test_retry_bounds (void)
{
  LwRetryPolicy policy = LW_RETRY_POLICY_DEFAULT;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  g_assert_cmpint (policy.base_ms, ==, 2000);
  g_assert_cmpint (policy.cap_ms, ==, 300000);

  for (int retry = 0; retry < 40; retry++)
    {
      gint64 ceiling = MIN (policy.cap_ms, policy.base_ms << MIN (retry, 30));
      gint64 max_seen = 0, min_seen = G_MAXINT64;
      double sum = 0;
      const int n = 4000;

      for (int i = 0; i < n; i++)
        {
          gint64 d = lw_retry_delay_ms (&policy, retry, -1, rand);
          g_assert_cmpint (d, >=, 0);
          g_assert_cmpint (d, <=, ceiling);
          max_seen = MAX (max_seen, d);
          min_seen = MIN (min_seen, d);
          sum += (double) d;
        }
      /* Full jitter: uniform over [0, ceiling] — the draws reach both ends
       * and average half the ceiling. */
      g_assert_cmpfloat (sum / n, >, ceiling * 0.45);
      g_assert_cmpfloat (sum / n, <, ceiling * 0.55);
      g_assert_cmpint (max_seen, >, ceiling * 0.97);
      g_assert_cmpint (min_seen, <, ceiling * 0.03 + 1);
    }
}

static void
test_retry_server_delay (void)
{
  LwRetryPolicy policy = LW_RETRY_POLICY_DEFAULT;

  /* The server's RetryInfo wins over the draw, within the cap. */
  g_assert_cmpint (lw_retry_delay_ms (&policy, 0, 12000, NULL), ==, 12000);
  g_assert_cmpint (lw_retry_delay_ms (&policy, 5, 0, NULL), ==, 0);
  g_assert_cmpint (lw_retry_delay_ms (&policy, 0, 3600 * 1000, NULL), ==, policy.cap_ms);
}

static void
test_error_classes (void)
{
  struct { int code; LwErrorClass klass; const char *name; } cases[] = {
    { LW_ENGINE_ERROR_RATE_LIMITED, LW_ERROR_CLASS_TRANSIENT, "rate_limited" },
    { LW_ENGINE_ERROR_SERVER, LW_ERROR_CLASS_TRANSIENT, "server" },
    { LW_ENGINE_ERROR_TIMEOUT, LW_ERROR_CLASS_TRANSIENT, "timeout" },
    { LW_ENGINE_ERROR_NETWORK, LW_ERROR_CLASS_TRANSIENT, "network" },
    { LW_ENGINE_ERROR_TRUNCATED, LW_ERROR_CLASS_TRANSIENT, "truncated" },
    { LW_ENGINE_ERROR_AUTH, LW_ERROR_CLASS_PAUSE, "auth" },
    { LW_ENGINE_ERROR_MODEL_NOT_FOUND, LW_ERROR_CLASS_PAUSE, "model_not_found" },
    { LW_ENGINE_ERROR_QUOTA_EXHAUSTED, LW_ERROR_CLASS_PAUSE, "quota_exhausted" },
    { LW_ENGINE_ERROR_OFFLINE, LW_ERROR_CLASS_PAUSE, "offline" },
    { LW_ENGINE_ERROR_SPEND_CAP, LW_ERROR_CLASS_PAUSE, "spend_cap" },
    { LW_ENGINE_ERROR_DISK_FULL, LW_ERROR_CLASS_PAUSE, "disk_full" },
    { LW_ENGINE_ERROR_SAFETY_BLOCKED, LW_ERROR_CLASS_REFUSED, "safety_blocked" },
    { LW_ENGINE_ERROR_NO_IMAGE, LW_ERROR_CLASS_NO_IMAGE, "no_image" },
    { LW_ENGINE_ERROR_BAD_REQUEST, LW_ERROR_CLASS_PERMANENT, "bad_request" },
    { LW_ENGINE_ERROR_BAD_INPUT, LW_ERROR_CLASS_PERMANENT, "bad_input" },
    { LW_ENGINE_ERROR_FAILED, LW_ERROR_CLASS_PERMANENT, "failed" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new (LW_ENGINE_ERROR, cases[i].code, "x");
      g_assert_cmpint (lw_engine_error_classify (error), ==, cases[i].klass);
      g_assert_cmpstr (lw_engine_error_code_to_string (error), ==, cases[i].name);
      g_assert_cmpint (lw_engine_error_get_retry_delay_ms (error), ==, -1);
    }

  {
    g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
    g_autoptr(GError) timed_out = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "x");
    g_autoptr(GError) other = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_NOENT, "x");
    g_autoptr(GError) delayed = lw_engine_error_new_with_delay (LW_ENGINE_ERROR_RATE_LIMITED, 1500, "slow %s", "down");
    g_autoptr(GError) copy = NULL;

    g_assert_cmpint (lw_engine_error_classify (cancelled), ==, LW_ERROR_CLASS_CANCELLED);
    g_assert_cmpint (lw_engine_error_classify (timed_out), ==, LW_ERROR_CLASS_TRANSIENT);
    g_assert_cmpint (lw_engine_error_classify (other), ==, LW_ERROR_CLASS_PERMANENT);
    g_assert_cmpstr (delayed->message, ==, "slow down");
    g_assert_cmpint (lw_engine_error_get_retry_delay_ms (delayed), ==, 1500);
    /* The retry delay survives g_error_copy (the scheduler keeps copies). */
    copy = g_error_copy (delayed);
    g_assert_cmpint (lw_engine_error_get_retry_delay_ms (copy), ==, 1500);
  }
}

static void
test_status_names (void)
{
  for (int s = LW_IMAGE_PENDING; s <= LW_IMAGE_RETRY_LATER; s++)
    {
      LwImageStatus back;
      g_assert_true (lw_image_status_from_string (lw_image_status_to_string (s), &back));
      g_assert_cmpint (back, ==, s);
    }
  for (int s = LW_JOB_PENDING; s <= LW_JOB_CANCELLED; s++)
    {
      LwJobStatus back;
      g_assert_true (lw_job_status_from_string (lw_job_status_to_string (s), &back));
      g_assert_cmpint (back, ==, s);
    }
  {
    LwImageStatus out;
    g_assert_false (lw_image_status_from_string ("DONE", &out));
    g_assert_false (lw_image_status_from_string (NULL, &out));
  }
}

static void
test_export_format (void)
{
  struct { const char *tmpl, *name, *module, *job; gint64 index; const char *ext, *expected; } cases[] = {
    { NULL, "photo.jpg", "food", "J", 1, "png", "photo-food.png" },
    { "{name}-{module}.{ext}", "IMG_0001.JPG", "product", "J", 1, "jpg", "IMG_0001-product.jpg" },
    { "{index}_{name}.{ext}", "a.b.c.jpg", "food", "J", 7, "jpg", "0007_a.b.c.jpg" },
    { "{job}/{name}.{ext}", "x.png", "food", "Dinner/Menu", 1, "png", "Dinner_Menu_x.png" },
    { "{name}.{ext}", "../../etc/passwd", "food", "J", 1, "png", "passwd.png" },
    { "{name}.{ext}", ".hidden", "food", "J", 1, "png", "_hidden.png" },
    { "{name}.{ext}", "", "food", "J", 1, "png", "image.png" },
    { "{unknown}-{name}.{ext}", "p.jpg", "food", "J", 1, "jpg", "{unknown}-p.jpg" },
    { "{name}\n.{ext}", "p.jpg", "food", "J", 1, "jpg", "p_.jpg" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = lw_export_format_name (cases[i].tmpl, cases[i].name, cases[i].module, cases[i].job,
                                                     cases[i].index, cases[i].ext);
      g_assert_cmpstr (name, ==, cases[i].expected);
      g_assert_null (strchr (name, '/'));
    }
}

static void
test_export_collisions (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-export");
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *existing = g_build_filename (dir, "photo-food.jpg", NULL);
  g_autofree char *existing2 = g_build_filename (dir, "photo-food-2.jpg", NULL);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

  a = lw_export_unique_name (dir, "photo-food.jpg", taken);
  g_assert_cmpstr (a, ==, "photo-food.jpg");
  b = lw_export_unique_name (dir, "photo-food.jpg", taken);    /* taken in this run */
  g_assert_cmpstr (b, ==, "photo-food-2.jpg");

  g_hash_table_remove_all (taken);
  lw_test_write_file (existing, "x", 1);
  lw_test_write_file (existing2, "x", 1);
  c = lw_export_unique_name (dir, "photo-food.jpg", taken);    /* on disk: never overwrite */
  g_assert_cmpstr (c, ==, "photo-food-3.jpg");
  d = lw_export_unique_name (dir, "photo-food.jpg", taken);
  g_assert_cmpstr (d, ==, "photo-food-4.jpg");
  e = lw_export_unique_name (dir, "noext", taken);
  g_assert_cmpstr (e, ==, "noext");
  lw_test_rmtree (dir);
}

static int fired[8];
static int n_fired;

static gboolean
record_cb (gpointer data)
{
  fired[n_fired++] = GPOINTER_TO_INT (data);
  return G_SOURCE_REMOVE;
}

static void
test_fake_clock (void)
{
  g_autoptr(LwFakeClock) clock = lw_fake_clock_new (1000);
  LwClock *c = LW_CLOCK (clock);
  guint id;

  lw_clock_add_timer (c, 300, record_cb, GINT_TO_POINTER (3), NULL);
  lw_clock_add_timer (c, 100, record_cb, GINT_TO_POINTER (1), NULL);
  id = lw_clock_add_timer (c, 200, record_cb, GINT_TO_POINTER (2), NULL);
  lw_clock_add_timer (c, 100, record_cb, GINT_TO_POINTER (4), NULL);
  g_assert_cmpint (lw_fake_clock_next_deadline (clock), ==, 1100);
  lw_clock_remove_timer (c, id);
  lw_fake_clock_advance (clock, 250);
  g_assert_cmpint (n_fired, ==, 2);
  g_assert_cmpint (fired[0], ==, 1);   /* due order, then insertion order */
  g_assert_cmpint (fired[1], ==, 4);
  g_assert_cmpint (lw_clock_now_ms (c), ==, 1250);
  lw_fake_clock_advance (clock, 50);
  g_assert_cmpint (n_fired, ==, 3);
  g_assert_cmpint (fired[2], ==, 3);
  g_assert_cmpint (lw_fake_clock_next_deadline (clock), ==, -1);
}

#ifdef __linux__
static int
own_nice (void)
{
  return getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
}

static gpointer
background_thread (gpointer data)
{
  int *seen = data;

  seen[0] = own_nice ();
  lw_thread_set_background ();
  seen[1] = own_nice ();
  lw_thread_set_background ();  /* once is enough; again changes nothing */
  seen[2] = own_nice ();
  return NULL;
}
#endif

/* Background work yields to the thread that draws, and only that thread is
 * lowered: nice is per thread on Linux. */
static void
test_thread_background (void)
{
#ifdef __linux__
  int seen[3] = { -100, -100, -100 };
  int main_before = own_nice ();
  GThread *thread = g_thread_new ("bg", background_thread, seen);

  g_thread_join (thread);
  g_assert_cmpint (seen[0], ==, main_before);
  g_assert_cmpint (seen[1], ==, MAX (main_before, 10));
  g_assert_cmpint (seen[2], ==, seen[1]);
  g_assert_cmpint (own_nice (), ==, main_before);
#else
  g_test_skip ("per-thread nice is Linux's");
#endif
}

/* ---- tasks in threads: every reference dropped on the task's context ---- */

#define N_TASKS 2000

typedef struct {
  GThread *main_thread;
  guint    finalized;
  guint    off_main;    /* source objects finalized on a worker */
  guint    returned;
} TaskState;

static void
source_finalized (gpointer data,
                  GObject *where_the_object_was)
{
  TaskState *state = data;

  if (g_thread_self () != state->main_thread)
    g_atomic_int_inc (&state->off_main);
  g_atomic_int_inc (&state->finalized);
}

static void
task_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_assert_true (G_IS_OBJECT (source));
  g_task_return_boolean (task, TRUE);
}

static void
task_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  TaskState *state = data;

  g_assert_true (g_task_propagate_boolean (G_TASK (result), NULL));
  state->returned++;
}

static gboolean
all_finalized (gpointer data)
{
  TaskState *state = data;

  return (guint) g_atomic_int_get (&state->finalized) == N_TASKS;
}

static void
worker_return (gpointer data,
               gpointer user_data)
{
  GTask *task = data;

  g_task_return_boolean (task, TRUE);
  lw_task_unref_in_context (task);
}

/* GLib's g_task_run_in_thread() and a pool that returns a task from its
 * worker both drop the worker's reference after the callback is queued; a
 * source object (a session, an engine) could be finalized there. With
 * lw_task_run_in_thread() and lw_task_unref_in_context() it never is. */
static void
test_thread_task_context (gconstpointer data)
{
  gboolean own_pool = GPOINTER_TO_INT (data);
  TaskState state = { g_thread_self (), 0, 0, 0 };
  GThreadPool *pool = own_pool ? g_thread_pool_new (worker_return, NULL, 2, FALSE, NULL) : NULL;

  for (guint i = 0; i < N_TASKS; i++)
    {
      GObject *source = g_object_new (G_TYPE_OBJECT, NULL);
      g_autoptr(GTask) task = g_task_new (source, NULL, task_done_cb, &state);

      g_object_weak_ref (source, source_finalized, &state);
      g_object_unref (source);   /* the task holds it */
      if (own_pool)
        g_thread_pool_push (pool, g_object_ref (task), NULL);
      else
        lw_task_run_in_thread (task, task_thread);
      /* Callbacks run while the next ones are queued, as in an app. */
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_true (lw_test_wait_until (all_finalized, &state, 30000));
  g_assert_cmpuint (state.returned, ==, N_TASKS);
  g_assert_cmpuint (state.off_main, ==, 0);
  if (pool != NULL)
    g_thread_pool_free (pool, FALSE, TRUE);
}

static gboolean
count_call (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_REMOVE;
}

static gpointer
invoke_thread (gpointer data)
{
  guint *calls = data;

  /* No thread holds the default context now: g_main_context_invoke()
   * would take it and count here, on this thread. */
  lw_context_invoke (NULL, count_call, calls, NULL);
  return GUINT_TO_POINTER (*calls);
}

static void
test_thread_context_invoke (void)
{
  guint calls = 0;
  GThread *thread;

  /* Held by the calling thread: called at once. */
  g_assert_true (g_main_context_acquire (NULL));
  lw_context_invoke (NULL, count_call, &calls, NULL);
  g_assert_cmpuint (calls, ==, 1);
  g_main_context_release (NULL);

  /* From a worker: queued, called when the context runs. */
  thread = g_thread_new ("invoke", invoke_thread, &calls);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (thread)), ==, 1);
  g_assert_cmpuint (calls, ==, 1);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (calls, ==, 2);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/prompt/compose", test_prompt_compose);
  g_test_add_func ("/retry/bounds-and-jitter", test_retry_bounds);
  g_test_add_func ("/retry/server-delay", test_retry_server_delay);
  g_test_add_func ("/errors/classes", test_error_classes);
  g_test_add_func ("/types/status-names", test_status_names);
  g_test_add_func ("/export/format", test_export_format);
  g_test_add_func ("/export/collisions", test_export_collisions);
  g_test_add_func ("/clock/fake", test_fake_clock);
  g_test_add_func ("/thread/background", test_thread_background);
  g_test_add_data_func ("/thread/task-in-gtask-pool", GINT_TO_POINTER (FALSE), test_thread_task_context);
  g_test_add_data_func ("/thread/task-in-own-pool", GINT_TO_POINTER (TRUE), test_thread_task_context);
  g_test_add_func ("/thread/context-invoke", test_thread_context_invoke);
  return g_test_run ();
}

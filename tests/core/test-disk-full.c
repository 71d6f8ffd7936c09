/* test-disk-full.c — the queue in a process that stays (the window): a
 * result that arrives on a full disk waits in memory, the model pauses with
 * the disk's name, and resume writes it without asking the engine again.
 * The data folder is a small tmpfs (mounting needs root, as in CI; anywhere
 * else the test is a visible skip). Real SQLite, the fake engine on the
 * fake clock; repeated warnings are counted through lw_warn_limited.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "lw-engine.h"
#include "lw-queue-fixture.h"
#include "lw-warn.h"

/* Real seconds a step may take (a result write in a worker thread). */
#define STEP_TIMEOUT_US (10 * G_USEC_PER_SEC)

typedef struct {
  QueueFixture f;
  char        *mnt;
  const char  *runtime;     /* XDG_RUNTIME_DIR, set in main */
} Fixture;

/* Takes every free byte of the file system holding dir. */
static char *
fill_disk (const char *dir)
{
  char *path = g_build_filename (dir, "filler", NULL);
  static char block[64 * 1024];
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  while (write (fd, block, sizeof block) > 0)
    ;
  while (write (fd, block, 512) > 0)
    ;
  close (fd);
  return path;
}

static gboolean
setup (Fixture *fx)
{
  g_autofree char *base = lw_test_make_tmpdir ("lw-disk-full");

  fx->mnt = g_build_filename (base, "mnt", NULL);
  g_assert_cmpint (g_mkdir (fx->mnt, 0700), ==, 0);
  if (mount ("tmpfs", fx->mnt, "tmpfs", 0, "size=4m,mode=0700") != 0)
    {
      g_autofree char *why = g_strdup_printf ("cannot mount a 4 MB tmpfs here (needs root or CAP_SYS_ADMIN): %s",
                                              g_strerror (errno));

      g_test_skip (why);
      lw_test_rmtree (base);
      g_clear_pointer (&fx->mnt, g_free);
      return FALSE;
    }
  fx->runtime = g_get_user_runtime_dir ();
  queue_fixture_open (&fx->f, g_build_filename (fx->mnt, "data", NULL));
  return TRUE;
}

static void
teardown (Fixture *fx)
{
  g_autofree char *base = g_path_get_dirname (fx->mnt);

  queue_fixture_teardown (&fx->f, NULL);
  g_assert_cmpint (umount2 (fx->mnt, MNT_DETACH), ==, 0);
  lw_test_rmtree (base);
  g_free (fx->mnt);
}

typedef gboolean (*Until) (Fixture *fx);

/* Runs the main context (real time: result writes run in threads) until
 * until() holds. */
static void
run_until (Fixture *fx, Until until)
{
  gint64 deadline = g_get_monotonic_time () + STEP_TIMEOUT_US;

  while (!until (fx))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static gint64 watched_job;

static gboolean
engine_busy (Fixture *fx)
{
  return lw_fake_engine_get_in_flight (fx->f.engine) == 2;
}

static gboolean
paused (Fixture *fx)
{
  return fx->f.n_paused > 0 && lw_scheduler_get_n_flights (fx->f.scheduler) == 2;
}

static gboolean
job_done (Fixture *fx)
{
  return queue_counts (&fx->f, watched_job).completed == 2;
}

/* Both answers parked (the second may still be meeting the full disk in
 * its write thread): the job's count of flights reaches 0. */
static gboolean
nothing_in_flight (Fixture *fx)
{
  return lw_scheduler_get_job_in_flight (fx->f.scheduler, watched_job) == 0;
}

/* What the fake engine charges a call. */
#define PRICE 0.05

/* Each photo's answer was paid once and is recorded once: not as free,
 * not twice. */
static void
assert_paid_once (QueueFixture *f, GArray *ids)
{
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(LwImage) image = lw_store_get_image (f->store, g_array_index (ids, gint64, i), NULL);

      g_assert_nonnull (image);
      g_assert_cmpfloat_with_epsilon (image->cost, PRICE, 1e-9);
    }
}

/* A paid job of two photos (ext: "jpg", "png") launched, whose answers
 * arrive once the disk is full (*filler, the file filling it): returns
 * when the pool has paused with both answers held. */
static gint64
answers_on_full_disk (Fixture *fx, const char *ext, GArray **ids, char **filler)
{
  QueueFixture *f = &fx->f;
  gint64 job_id;

  lw_fake_engine_set_cost (f->engine, PRICE);
  job_id = queue_create_job (f, NULL);
  *ids = queue_stage (f, job_id, 2, ext);
  lw_scheduler_start (f->scheduler);
  g_assert_true (lw_scheduler_launch (f->scheduler, job_id, NULL));
  run_until (fx, engine_busy);
  *filler = fill_disk (fx->mnt);
  lw_fake_clock_advance (f->clock, 1000);
  run_until (fx, paused);
  return job_id;
}

static void
test_result_waits_for_space (void)
{
  g_autoptr(GArray) ids = NULL;
  g_autofree char *filler = NULL;
  g_autofree char *kept = NULL;
  g_autoptr(GDir) dir = NULL;
  Fixture fx = { 0 };
  QueueFixture *f = &fx.f;
  LwJobCounts c;
  gint64 job_id;

  if (!setup (&fx))
    return;
  job_id = answers_on_full_disk (&fx, "jpg", &ids, &filler);
  g_assert_error (f->pause, LW_ENGINE_ERROR, LW_ENGINE_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (f->pause->message, fx.mnt));
  g_assert_cmpint (f->n_paused, ==, 1);
  c = queue_counts (f, job_id);
  g_assert_cmpint (c.processing, ==, 2);      /* held, not failed, not retried */
  g_assert_cmpint (c.retry_later + c.failed, ==, 0);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 2);
  /* Nothing is in flight any more: a parked answer waits for resume, and a
   * front end waiting for its job's flights to land must not wait for it
   * (lightwork-cli hung after the pause). */
  watched_job = job_id;
  run_until (&fx, nothing_in_flight);
  /* ... and are kept outside the full disk too (a process that exits). */
  kept = g_build_filename (fx.runtime, "lightwork-unsaved", NULL);
  dir = g_dir_open (kept, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_nonnull (g_dir_read_name (dir));

  /* Time passes: nothing is retried while paused. */
  lw_fake_clock_advance (f->clock, 10 * 60 * 1000);
  for (int i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 2);

  /* Space again: resume writes the answers held in memory. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  watched_job = job_id;
  lw_scheduler_resume (f->scheduler, LW_FAKE_MODEL);
  run_until (&fx, job_done);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 2);
  g_assert_cmpuint (lw_scheduler_get_n_requests (f->scheduler), ==, 2);
  for (guint i = 0; i < ids->len; i++)
    queue_assert_result_matches (f, g_array_index (ids, gint64, i));
  assert_paid_once (f, ids);
  g_dir_rewind (dir);
  g_assert_null (g_dir_read_name (dir));      /* kept copies dropped once saved */
  teardown (&fx);
}

/* The answers parked on a full disk, and the scheduler stopped before
 * resume (lightwork-cli exits at the pause): the next run takes them from
 * lw-unsaved, asks nothing again, and records what they cost. */
static void
test_kept_answer_cost (void)
{
  g_autoptr(GArray) ids = NULL;
  g_autofree char *filler = NULL;
  Fixture fx = { 0 };
  QueueFixture *f = &fx.f;
  gint64 job_id;
  double spent = -1;

  if (!setup (&fx))
    return;
  job_id = answers_on_full_disk (&fx, "png", &ids, &filler);
  watched_job = job_id;
  run_until (&fx, nothing_in_flight);

  /* Space again, but this run stops (its photos go back to the queue, the
   * answers stay with lw-unsaved); the next run resumes. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  lw_scheduler_stop (f->scheduler);
  g_assert_cmpuint (lw_scheduler_get_n_flights (f->scheduler), ==, 0);
  lw_scheduler_start (f->scheduler);
  lw_scheduler_resume (f->scheduler, LW_FAKE_MODEL);
  run_until (&fx, job_done);
  g_assert_cmpuint (lw_fake_engine_get_n_calls (f->engine), ==, 2);
  for (guint i = 0; i < ids->len; i++)
    queue_assert_result_matches (f, g_array_index (ids, gint64, i));
  assert_paid_once (f, ids);
  g_assert_true (lw_store_get_job_cost (f->store, job_id, &spent, NULL));
  g_assert_cmpfloat_with_epsilon (spent, 2 * PRICE, 1e-9);
  teardown (&fx);
}

/* Warnings of this test's own messages, counted instead of printed. */
static guint n_flood_lines;

static GLogWriterOutput
count_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0
        && g_str_has_prefix (fields[i].value, "Flood test:"))
      {
        n_flood_lines++;
        return G_LOG_WRITER_HANDLED;
      }
  return g_log_writer_default (level, fields, n_fields, data);
}

/* A loop that fails the same way prints once, not thousands of times
 * (issue 18: 23,412 lines in 30 s); another message is another line. */
static void
test_warnings_limited (void)
{
  lw_warn_limited_reset ();
  n_flood_lines = 0;
  for (int i = 0; i < 10000; i++)
    lw_warn_limited ("Flood test: cannot claim work for %s: %s", "fake", "disk I/O error");
  g_assert_cmpuint (n_flood_lines, ==, 1);
  lw_warn_limited ("Flood test: cannot extend leases: %s", "busy");
  lw_warn_limited ("Flood test: cannot extend leases: %s", "busy");
  g_assert_cmpuint (n_flood_lines, ==, 2);
}

int
main (int argc, char *argv[])
{
  g_autofree char *runtime = NULL;
  int status;

  /* Before GLib reads it: where kept answers go (lw-unsaved.h). */
  runtime = lw_test_make_tmpdir ("lw-disk-full-run");
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_log_set_writer_func (count_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/disk-full/result-waits-for-space", test_result_waits_for_space);
  g_test_add_func ("/core/disk-full/kept-answer-cost", test_kept_answer_cost);
  g_test_add_func ("/core/disk-full/warnings-limited", test_warnings_limited);
  status = g_test_run ();
  lw_test_rmtree (runtime);
  return status;
}

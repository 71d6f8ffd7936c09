/* test-store-processes.c — two processes writing one database at once, the
 * way the window and lightwork-cli share it. */
#include "config.h"

#include <sys/wait.h>
#include <unistd.h>

#include "store-test-helpers.h"

#define N_PER_PROCESS 500

/* Opens the (perhaps still fresh) file, creates a job and stages rows one
 * transaction each. Returns NULL on success, or what went wrong. */
static char *
write_rows (const char *path, guint first, gint64 *out_job_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwStore) store = lw_store_open (path, &error);
  g_autoptr(LwJob) job = NULL;

  if (store == NULL)
    return g_strdup_printf ("open: %s", error->message);
  job = lw_store_create_job (store, NULL, "food", "local", NULL, 1000, &error);
  if (job == NULL)
    return g_strdup_printf ("create job: %s", error->message);
  for (guint i = 0; i < N_PER_PROCESS; i++)
    {
      g_autoptr(LwImage) image = test_image_new (job->id, first + i);
      gboolean duplicate = TRUE;

      /* No transaction open: each add is its own BEGIN IMMEDIATE … COMMIT. */
      if (!lw_store_add_image (store, image, 1000 + i, &duplicate, &error))
        return g_strdup_printf ("row %u: %s", i, error->message);
      if (duplicate)
        return g_strdup_printf ("row %u: duplicate", i);
    }
  *out_job_id = job->id;
  return NULL;
}

static void
test_two_processes (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-store-procs");
  g_autofree char *path = g_build_filename (dir, "shared.db", NULL);
  g_autofree char *failure = NULL;
  g_autoptr(LwStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *integrity = NULL;
  gint64 job_id = 0;
  int go[2];
  int status = 0;
  pid_t child;
  char c = 'g';

  /* The child starts when the parent does, so both open the fresh file
   * (and race the migration) and then write at the same time. */
  g_assert_cmpint (pipe (go), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      gint64 child_job = 0;
      char *child_failure;

      close (go[1]);
      if (read (go[0], &c, 1) != 1)
        _exit (3);
      child_failure = write_rows (path, 100000, &child_job);
      if (child_failure != NULL)
        {
          g_printerr ("child: %s\n", child_failure);
          _exit (1);
        }
      _exit (0);
    }
  close (go[0]);
  g_assert_cmpint (write (go[1], &c, 1), ==, 1);
  close (go[1]);
  failure = write_rows (path, 0, &job_id);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_cmpstr (failure, ==, NULL);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  store = lw_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_query_int (lw_store_get_db (store), "SELECT COUNT(*) FROM images"), ==, 2 * N_PER_PROCESS);
  g_assert_cmpint (test_query_int (lw_store_get_db (store), "SELECT COUNT(*) FROM jobs"), ==, 2);
  g_assert_cmpint (test_query_int (lw_store_get_db (store), "SELECT COUNT(DISTINCT job_id || ':' || position) FROM images"),
                   ==, 2 * N_PER_PROCESS);
  g_assert_cmpint (test_query_int (lw_store_get_db (store), "SELECT COUNT(*) FROM modules"), ==, 5);
  integrity = test_query_text (lw_store_get_db (store), "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  g_clear_object (&store);
  lw_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/processes/two-writers", test_two_processes);
  return g_test_run ();
}

/* test-jobs-economy.c — the jobs service's economy mode (lw-jobs-economy.c):
 * which models have it, that it waits for the job to stop, and the cost it
 * shows — half the live price, in the price and in the projection
 * (docs/ARCHITECTURE.md, "Economy"). The runs themselves are in
 * tests/gemini/test-gemini-economy.c and tests/cli/test-cli-economy.py.
 */
#include "config.h"

#include "lw-jobs.h"
#include "lw-models.h"
#include "lw-test-util.h"

static void
test_mode_and_price (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-jobs-economy");
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *photo = g_build_filename (dir, "coffee.png", NULL);
  g_autofree char *fixture = g_build_filename (lw_test_fixtures_dir (), "coffee.png", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LwCore) core = NULL;
  g_autoptr(LwJobs) jobs = NULL;
  g_autoptr(LwJob) local = NULL;
  g_autoptr(LwJob) gemini = NULL;
  g_autoptr(GPtrArray) batches = NULL;
  const char *paths[] = { photo, NULL };
  LwIngestReport report;
  LwJobProgress p;
  gsize len = 0;

  g_assert_true (g_file_get_contents (fixture, &contents, &len, NULL));
  lw_test_write_file (photo, contents, len);
  core = lw_core_open (data, NULL, &error);
  g_assert_no_error (error);
  jobs = lw_jobs_new (core);

  /* Only Google runs batches. */
  local = lw_jobs_create (jobs, NULL, "food", "local", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (lw_jobs_set_mode (jobs, local->id, LW_JOB_MODE_ECONOMY, &error));
  g_assert_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (lw_jobs_get_mode (jobs, local->id), ==, LW_JOB_MODE_FAST);

  gemini = lw_jobs_create (jobs, NULL, "food", "nano_banana", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lw_jobs_stage (jobs, gemini->id, paths, NULL, NULL, NULL, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (lw_jobs_get_price (jobs, gemini->id), LW_MODEL_PRICE_FAST, 1e-9);
  g_assert_true (lw_jobs_set_mode (jobs, gemini->id, LW_JOB_MODE_ECONOMY, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lw_jobs_get_mode (jobs, gemini->id), ==, LW_JOB_MODE_ECONOMY);
  /* The cost shown: half the price, and the projection with it. */
  g_assert_cmpfloat_with_epsilon (lw_jobs_get_price (jobs, gemini->id), LW_MODEL_PRICE_FAST * 0.5, 1e-9);
  g_assert_true (lw_jobs_get_progress (jobs, gemini->id, &p, &error));
  g_assert_cmpfloat_with_epsilon (p.projected, LW_MODEL_PRICE_FAST * 0.5, 1e-9);
  batches = lw_jobs_list_batches (jobs, gemini->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batches->len, ==, 0);
  /* Nothing failed in a batch: nothing to move to the live pool. */
  g_assert_cmpint (lw_jobs_move_to_live (jobs, gemini->id, &error), ==, 0);
  g_assert_no_error (error);

  g_clear_object (&jobs);
  g_clear_object (&core);
  lw_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/jobs/economy/mode-and-price", test_mode_and_price);
  return g_test_run ();
}

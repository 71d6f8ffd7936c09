/* lw-jobs-pause.c — LwJobs: pauses, per job and saved with it.
 *
 * A model's pool pauses in one process (a bad key, an unknown model, a
 * daily quota, offline, a spending cap, or any error the scheduler pauses
 * on); the jobs of that model this process runs become PAUSED in the store
 * with the reason and what to do (lw_store_set_job_pause), so `status`,
 * `jobs` and the window of another process show it too, and no process
 * claims their photos until the pause ends. docs/ARCHITECTURE.md, "Jobs".
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-gemini-key.h"
#include "lw-jobs-private.h"

/* The code saved with the pause: the engine's ("auth", "model_not_found",
 * "quota_exhausted", "offline", "spend_cap", …); a full disk is
 * "disk_full", whoever pauses for it. */
static const char *
pause_code (const GError *reason)
{
  if (g_error_matches (reason, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    return "disk_full";
  return lw_engine_error_code_to_string (reason);
}

/* What to do, in words, for lightwork-cli and the window alike. A reason
 * without its own advice gets the general one: nothing else to add for a
 * new kind of pause. */
static char *
pause_advice (const GError *reason)
{
  const char *code = pause_code (reason);
  const char *env_key = g_getenv (LW_GEMINI_ENV_KEY);

  if (g_str_equal (code, "auth"))
    {
      /* The environment's key wins over the keyring's: name the one in use. */
      if (env_key != NULL && *env_key != '\0')
        return g_strdup (_("GEMINI_API_KEY is the key in use (it wins over the keyring): set it to a working "
                           "key, or unset it to use the saved one."));
      return g_strdup (_("Save a working key with “lightwork-cli key set” (or in the window), or set "
                         "GEMINI_API_KEY."));
    }
  if (g_str_equal (code, "model_not_found"))
    return g_strdup (_("“lightwork-cli models” lists the models your key can use; “lightwork-cli models use "
                       "ALIAS MODEL” switches to one of them."));
  if (g_str_equal (code, "quota_exhausted"))
    return g_strdup (_("The key’s daily quota is used up: wait until it resets, or use another key."));
  if (g_str_equal (code, "offline"))
    return g_strdup (_("LightWork tries again every 30 s by itself."));
  if (g_str_equal (code, "spend_cap"))
    return g_strdup (_("Raise the job’s spending cap to go on."));
  if (g_str_equal (code, "disk_full"))
    return g_strdup (_("Free some space on the disk of the data folder."));
  return g_strdup (_("Fix what it says, then resume the job."));
}

/* Jobs this process runs: its own job (lightwork-cli's scope), else those
 * it launched last. Another process's job is not paused by this one's key. */
static gboolean
is_ours (LwJobs *self, const LwJob *job)
{
  if (self->scope != 0)
    return job->id == self->scope;
  return g_strcmp0 (job->runner, lw_core_get_owner (self->core)) == 0;
}

void
lw_jobs_pause_saved (LwJobs *self, const LwJob *job, const GError *reason)
{
  g_autofree char *advice = NULL;
  g_autoptr(GError) error = NULL;

  if (job->status != LW_JOB_PROCESSING || !is_ours (self, job))
    return;
  if (reason != NULL)
    advice = pause_advice (reason);
  if (!lw_store_set_job_pause (lw_jobs_get_store (self), job->id, reason != NULL ? pause_code (reason) : NULL,
                               reason != NULL ? reason->message : NULL, advice, lw_jobs_now (self), &error))
    g_warning ("Cannot save the pause of job %" G_GINT64_FORMAT ": %s", job->id, error->message);
}

/* A job paused by another process (or one that ended): its saved pause, as
 * an error the front ends read as they read this process's. */
static const GError *
saved_pause (LwJobs *self, const LwJob *job)
{
  GError *error;

  if (!lw_job_is_paused (job))
    {
      g_hash_table_remove (self->saved_pauses, &job->id);
      return NULL;
    }
  error = g_hash_table_lookup (self->saved_pauses, &job->id);
  if (error == NULL || g_strcmp0 (error->message, job->pause_reason) != 0)
    {
      gint64 *key = g_new (gint64, 1);
      int code = LW_ENGINE_ERROR_FAILED;

      /* The engine's code back from its name, for the window's words. */
      for (int c = 0; c <= LW_ENGINE_ERROR_FAILED; c++)
        {
          g_autoptr(GError) probe = g_error_new_literal (LW_ENGINE_ERROR, c, "");

          if (g_strcmp0 (lw_engine_error_code_to_string (probe), job->pause_code) == 0)
            code = c;
        }
      *key = job->id;
      error = g_error_new_literal (LW_ENGINE_ERROR, code, job->pause_reason != NULL ? job->pause_reason : "");
      g_hash_table_insert (self->saved_pauses, key, error);
    }
  return error;
}

const GError *
lw_jobs_get_pause (LwJobs *self, gint64 job_id)
{
  g_autoptr(LwJob) job = NULL;
  const GError *pause;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  job = lw_store_get_job (lw_jobs_get_store (self), job_id, NULL);
  if (job == NULL || job->status != LW_JOB_PROCESSING)
    return NULL;
  pause = lw_scheduler_get_pause (self->scheduler, job->model);
  return pause != NULL ? pause : saved_pause (self, job);
}

void
lw_jobs_resume (LwJobs *self, gint64 job_id)
{
  g_autoptr(LwJob) job = NULL;

  g_return_if_fail (LW_IS_JOBS (self));
  job = lw_store_get_job (lw_jobs_get_store (self), job_id, NULL);
  if (job == NULL)
    return;
  /* The pool's pause here: resuming it clears the saved pauses and says
   * so ("resumed"). */
  if (lw_scheduler_get_pause (self->scheduler, job->model) != NULL)
    {
      lw_scheduler_resume (self->scheduler, job->model);
      return;
    }
  /* Paused by another process: this one tries again. */
  if (lw_job_is_paused (job))
    {
      lw_store_set_job_pause (lw_jobs_get_store (self), job_id, NULL, NULL, NULL, lw_jobs_now (self), NULL);
      g_hash_table_remove (self->saved_pauses, &job_id);
      g_signal_emit_by_name (self, "job-resumed", job_id, job->model);
      if (self->started)
        lw_scheduler_poke (self->scheduler);
    }
}

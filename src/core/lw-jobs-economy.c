/* lw-jobs-economy.c — the jobs service's economy mode (lw-jobs.h;
 * docs/ARCHITECTURE.md, "Economy"): the mode, the price it makes, the
 * batches, and the move of failed photos to the live pool. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-jobs-private.h"
#include "lw-models.h"

static const char *
mode_name (LwJobMode mode)
{
  return mode == LW_JOB_MODE_ECONOMY ? LW_STORE_MODE_ECONOMY : LW_STORE_MODE_FAST;
}

gboolean
lw_jobs_set_mode (LwJobs *self, gint64 job_id, LwJobMode mode, GError **error)
{
  g_autoptr(LwJob) job = NULL;
  GError *local_error = NULL;
  const LwModelInfo *info;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  job = lw_jobs_get (self, job_id, error);
  if (job == NULL)
    return FALSE;
  info = lw_models_find (job->model);
  /* Only Google runs batches: a free (local) model has no economy. */
  if (mode == LW_JOB_MODE_ECONOMY && (info == NULL || !info->paid))
    {
      g_set_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID,
                   _("Economy mode needs a Gemini model; “%s” runs on this computer"), job->model);
      return FALSE;
    }
  if (!lw_store_set_job_mode (lw_jobs_get_store (self), job_id, mode_name (mode), lw_jobs_now (self), &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  lw_jobs_emit_job (self, job_id);
  return TRUE;
}

LwJobMode
lw_jobs_get_mode (LwJobs *self, gint64 job_id)
{
  g_autofree char *mode = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), LW_JOB_MODE_FAST);
  mode = lw_store_get_job_mode (lw_jobs_get_store (self), job_id, NULL);
  return g_strcmp0 (mode, LW_STORE_MODE_ECONOMY) == 0 ? LW_JOB_MODE_ECONOMY : LW_JOB_MODE_FAST;
}

double
lw_jobs_mode_price_factor (LwJobs *self, gint64 job_id)
{
  return lw_jobs_get_mode (self, job_id) == LW_JOB_MODE_ECONOMY ? LW_MODEL_BATCH_PRICE_FACTOR : 1.0;
}

double
lw_jobs_get_price (LwJobs *self, gint64 job_id)
{
  LwJobProgress progress;

  if (!lw_jobs_get_progress (self, job_id, &progress, NULL))
    return 0;
  return progress.price;
}

GPtrArray *
lw_jobs_list_batches (LwJobs *self, gint64 job_id, GError **error)
{
  GError *local_error = NULL;
  GPtrArray *batches;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  batches = lw_store_list_batches (lw_jobs_get_store (self), job_id, &local_error);
  if (batches == NULL)
    lw_jobs_propagate_store_error (local_error, error);
  return batches;
}

int
lw_jobs_move_to_live (LwJobs *self, gint64 job_id, GError **error)
{
  GError *local_error = NULL;
  int moved;

  g_return_val_if_fail (LW_IS_JOBS (self), -1);
  moved = lw_store_move_to_live (lw_jobs_get_store (self), job_id, lw_jobs_now (self), &local_error);
  if (moved < 0)
    {
      lw_jobs_propagate_store_error (local_error, error);
      return -1;
    }
  if (moved > 0 && !lw_jobs_launch (self, job_id, error))
    return -1;
  lw_jobs_emit_job (self, job_id);
  return moved;
}

int
lw_jobs_count_batch_failed (LwJobs *self, gint64 job_id, GError **error)
{
  GError *local_error = NULL;
  int n;

  g_return_val_if_fail (LW_IS_JOBS (self), -1);
  n = lw_store_count_batch_failed (lw_jobs_get_store (self), job_id, &local_error);
  if (n < 0)
    lw_jobs_propagate_store_error (local_error, error);
  return n;
}

double
lw_jobs_get_live_price (LwJobs *self, gint64 job_id)
{
  g_return_val_if_fail (LW_IS_JOBS (self), 0);
  return lw_jobs_get_price (self, job_id) / lw_jobs_mode_price_factor (self, job_id);
}

gboolean
lw_jobs_economy_is_busy (LwJobs *self)
{
  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  return lw_economy_is_busy (self->economy);
}

/* lw-jobs-review.c — LwJobs: reviewing the results.
 *
 * Reviews, a photo's versions, redoing, trial runs and what the rest of
 * a job will cost.
 *
 * The rules themselves are stated in docs/ARCHITECTURE.md, "Jobs"; the
 * comments here say where each is applied.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-jobs-private.h"

/* ---- review ------------------------------------------------------------------ */

gboolean
lw_jobs_set_review (LwJobs *self, gint64 job_id, const gint64 *image_ids, guint n_images, LwReview review,
                    GError **error)
{
  LwStore *store;
  GError *local_error = NULL;
  gint64 now;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_jobs_get_store (self);
  if (!lw_jobs_all_of_job (store, job_id, image_ids, n_images, error))
    return FALSE;
  now = lw_jobs_now (self);
  if (!lw_store_begin (store, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  for (guint i = 0; i < n_images; i++)
    if (!lw_store_set_image_review (store, image_ids[i], review, now, &local_error))
      {
        lw_store_rollback (store);
        return lw_jobs_propagate_store_error (local_error, error);
      }
  if (!lw_store_commit (store, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  for (guint i = 0; i < n_images; i++)
    lw_jobs_emit_image (self, job_id, image_ids[i]);
  return TRUE;
}

GPtrArray *
lw_jobs_list_versions (LwJobs *self, gint64 image_id, GError **error)
{
  GError *local_error = NULL;
  GPtrArray *versions;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  versions = lw_store_list_versions (lw_jobs_get_store (self), image_id, &local_error);
  if (versions == NULL)
    lw_jobs_propagate_store_error (local_error, error);
  return versions;
}

gboolean
lw_jobs_choose_version (LwJobs *self, gint64 job_id, gint64 image_id, int n, GError **error)
{
  LwStore *store;
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_jobs_get_store (self);
  if (!lw_jobs_all_of_job (store, job_id, &image_id, 1, error) || lw_jobs_any_busy (store, &image_id, 1, error))
    return FALSE;
  if (!lw_store_choose_version (store, image_id, n, lw_jobs_now (self), &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  lw_jobs_emit_image (self, job_id, image_id);
  lw_jobs_emit_job (self, job_id);
  return TRUE;
}

int
lw_jobs_redo (LwJobs *self, gint64 job_id, const gint64 *image_ids, guint n_images, const char *instruction,
              GError **error)
{
  g_return_val_if_fail (LW_IS_JOBS (self), -1);
  if (instruction != NULL
      && !lw_jobs_set_instruction (self, job_id, image_ids, n_images, instruction, NULL, error))
    return -1;
  return lw_jobs_retry (self, job_id, image_ids, n_images, TRUE, error);
}

gboolean
lw_jobs_launch_trial (LwJobs *self, gint64 job_id, const gint64 *image_ids, guint n_images, GError **error)
{
  LwStore *store;
  g_autoptr(GArray) chosen = g_array_new (FALSE, FALSE, sizeof (gint64));
  GError *local_error = NULL;
  gint64 *key;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_jobs_get_store (self);
  if (n_images > 0)
    {
      if (!lw_jobs_all_of_job (store, job_id, image_ids, n_images, error))
        return FALSE;
      g_array_append_vals (chosen, image_ids, n_images);
    }
  else
    {
      g_autoptr(GPtrArray) images = lw_store_list_images (store, job_id, &local_error);

      if (images == NULL)
        return lw_jobs_propagate_store_error (local_error, error);
      for (guint i = 0; i < images->len && chosen->len < LW_TRIAL_SIZE; i++)
        {
          LwImage *image = g_ptr_array_index (images, i);

          if (image->status == LW_IMAGE_PENDING || image->status == LW_IMAGE_RETRY_LATER)
            g_array_append_val (chosen, image->id);
        }
    }
  if (chosen->len == 0)
    {
      g_set_error_literal (error, LW_JOBS_ERROR, LW_JOBS_ERROR_EMPTY, _("The job has no photos left to try"));
      return FALSE;
    }
  if (!lw_jobs_launch (self, job_id, error))
    return FALSE;
  /* Hold the rest, let the chosen ones through, in one transaction, before
   * the queue's next claim (it runs from the main loop, after this). */
  if (!lw_store_begin (store, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  if (lw_store_set_held (store, job_id, TRUE, &local_error) < 0)
    {
      lw_store_rollback (store);
      return lw_jobs_propagate_store_error (local_error, error);
    }
  for (guint i = 0; i < chosen->len; i++)
    if (!lw_store_set_image_held (store, g_array_index (chosen, gint64, i), FALSE, &local_error))
      {
        lw_store_rollback (store);
        return lw_jobs_propagate_store_error (local_error, error);
      }
  if (!lw_store_commit (store, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  key = g_new (gint64, 1);
  *key = job_id;
  g_hash_table_add (self->trials, key);
  lw_scheduler_poke (self->scheduler);
  return TRUE;
}

gboolean
lw_jobs_get_projection (LwJobs *self, gint64 job_id, LwJobProjection *projection, GError **error)
{
  LwJobProgress p;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  g_return_val_if_fail (projection != NULL, FALSE);
  memset (projection, 0, sizeof *projection);
  projection->projected_seconds = -1;
  if (!lw_jobs_get_progress (self, job_id, &p, error))
    return FALSE;
  projection->finished = p.counts.completed + p.counts.failed;
  projection->left = lw_job_counts_open (&p.counts);
  /* What a photo really cost (retries, reused results included), once
   * some were done; the model's price before. */
  projection->cost_per_photo = projection->finished > 0 ? p.spent / projection->finished : p.price;
  projection->projected_cost = p.spent + projection->left * projection->cost_per_photo;
  if (p.rate > 0)
    projection->projected_seconds = (gint64) (projection->left / p.rate + 0.5);
  return TRUE;
}

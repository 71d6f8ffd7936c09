/* lw-jobs-photos.c — LwJobs: a job's photos and running them.
 *
 * Photos: loading, staging, instructions and removal; running a job:
 * launch, cancel, retries, pauses, progress and export.
 *
 * The rules themselves are stated in docs/ARCHITECTURE.md, "Jobs"; the
 * comments here say where each is applied.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-jobs-private.h"
#include "lw-models.h"
#include "lw-settings.h"
#include "lw-thread.h"

/* ---- photos -------------------------------------------------------------- */

LwImage *
lw_jobs_get_image (LwJobs *self, gint64 image_id, GError **error)
{
  GError *local_error = NULL;
  LwImage *image;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  image = lw_store_get_image (lw_jobs_get_store (self), image_id, &local_error);
  if (image == NULL)
    lw_jobs_propagate_store_error (local_error, error);
  return image;
}

gboolean
lw_jobs_load (LwJobs *self, gint64 job_id, GPtrArray **images, GPtrArray **rejections, GError **error)
{
  g_autoptr(LwStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  g_return_val_if_fail (images != NULL, FALSE);
  /* Listing 5,000 rows takes tens of ms: callers run it in a thread, on a
   * connection of that thread's own. */
  store = lw_core_open_store (self->core, error);
  if (store == NULL)
    return FALSE;
  list = lw_store_list_images (store, job_id, &local_error);
  if (list == NULL)
    return lw_jobs_propagate_store_error (local_error, error);
  if (rejections != NULL)
    {
      *rejections = lw_store_list_rejections (store, job_id, &local_error);
      if (*rejections == NULL)
        return lw_jobs_propagate_store_error (local_error, error);
    }
  *images = g_steal_pointer (&list);
  return TRUE;
}

void
lw_jobs_get_ingest_options (LwJobs *self, LwIngestOptions *options)
{
  LwStore *store = lw_jobs_get_store (self);

  lw_ingest_options_init (options);
  options->read_sidecar_prompts = TRUE;
  options->limits.max_bytes = lw_settings_get_int (store, LW_SETTING_MAX_BYTES);
  options->limits.max_pixels = lw_settings_get_int (store, LW_SETTING_MAX_PIXELS);
}

typedef struct {
  LwJobs *self;
  gint64  job_id;
} Poke;

static gboolean
poke_cb (gpointer data)
{
  Poke *poke = data;

  if (poke->self->started)
    lw_scheduler_poke (poke->self->scheduler);
  lw_jobs_emit_job (poke->self, poke->job_id);
  return G_SOURCE_REMOVE;
}

static void
poke_free (gpointer data)
{
  Poke *poke = data;

  g_object_unref (poke->self);
  g_free (poke);
}

/* The settings key of a staging not yet finished (the store deletes it
 * with its job). */
static char *
unstaged_key (gint64 job_id)
{
  return lw_store_unstaged_key (job_id);
}

/* paths, absolute (a later resume may run from another folder), as a
 * GVariant string array's text. */
static char *
print_paths (const char * const *paths)
{
  g_autoptr(GPtrArray) abs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GVariant) value = NULL;

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    g_ptr_array_add (abs, g_canonicalize_filename (paths[i], NULL));
  value = g_variant_ref_sink (g_variant_new_strv ((const char * const *) abs->pdata, abs->len));
  return g_variant_print (value, FALSE);
}

char **
lw_jobs_dup_unstaged_paths (LwJobs *self, gint64 job_id)
{
  g_autofree char *key = unstaged_key (job_id);
  g_autofree char *text = lw_store_get_setting (lw_jobs_get_store (self), key);
  g_autoptr(GVariant) paths = NULL;

  if (text == NULL)
    return NULL;
  paths = g_variant_parse (G_VARIANT_TYPE_STRING_ARRAY, text, NULL, NULL, NULL);
  return paths != NULL ? g_variant_dup_strv (paths, NULL) : NULL;
}

gboolean
lw_jobs_stage (LwJobs *self, gint64 job_id, const char * const *paths, const LwIngestOptions *options,
               LwIngestFunc func, gpointer user_data, LwIngestReport *report, GCancellable *cancellable,
               GError **error)
{
  g_autoptr(LwStore) store = NULL;
  g_autoptr(GHashTable) walk_rejections = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) staged = NULL;
  g_autoptr(GHashTable) known = NULL;
  g_autoptr(GPtrArray) todo = NULL;
  LwIngestOptions defaults;
  LwIngestReport local_report = { 0 };
  GHashTableIter iter;
  gpointer key, value;
  gint64 now;
  gboolean ok = TRUE;
  guint done = 0;
  Poke *poke;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  if (report == NULL)
    report = &local_report;
  memset (report, 0, sizeof *report);
  if (options == NULL)
    {
      lw_jobs_get_ingest_options (self, &defaults);
      options = &defaults;
    }

  /* Its own connection: SQLite connections are one thread's each. */
  store = lw_core_open_store (self->core, error);
  if (store == NULL)
    return FALSE;
  now = lw_clock_now_ms (lw_core_get_clock (self->core));

  walk_rejections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  files = lw_ingest_expand (paths, walk_rejections, cancellable);

  /* Folders that cannot be read and symlink loops are refusals like any
   * other: saved with the job, so both front ends list them. */
  g_hash_table_iter_init (&iter, walk_rejections);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      LwIngestEvent event = { LW_INGEST_REJECTED, key, NULL, value, ++done };

      if (!lw_store_add_rejection (store, job_id, key, value, now, error))
        return FALSE;
      report->rejected++;
      if (func != NULL)
        func (&event, user_data);
    }

  /* A file staged before from the same path is not read again (a job
   * continued with the same folder); one with the same content but
   * another path is a duplicate the ingest finds by its hash. */
  staged = lw_store_list_images (store, job_id, error);
  if (staged == NULL)
    return FALSE;
  known = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < staged->len; i++)
    {
      LwImage *image = g_ptr_array_index (staged, i);

      if (image->source_path != NULL)
        g_hash_table_add (known, image->source_path);
    }
  todo = g_ptr_array_new ();
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);

      if (g_hash_table_contains (known, path))
        report->duplicates++;
      else
        g_ptr_array_add (todo, (gpointer) path);
    }
  g_ptr_array_add (todo, NULL);

  if (todo->len > 1)
    {
      LwIngestReport ingest = { 0 };
      g_autofree char *marker = unstaged_key (job_id);
      g_autofree char *text = print_paths (paths);

      /* Until the batch is through, the job remembers what it was asked
       * to stage: a full disk (or a kill) leaves the rest as work still
       * to do, not as photos the job never had (issue 18: "9 of 9 done"
       * with 7 never staged). */
      if (!lw_store_set_setting (store, marker, text, error))
        return FALSE;
      ok = lw_ingest_paths (store, lw_core_get_blobs (self->core), job_id, (const char * const *) todo->pdata,
                            options, func, user_data, &ingest, cancellable, error);
      if (ok)
        ok = lw_store_set_setting (store, marker, NULL, error);
      report->staged += ingest.staged;
      report->duplicates += ingest.duplicates;
      report->rejected += ingest.rejected;
    }
  else
    {
      g_autofree char *marker = unstaged_key (job_id);

      /* All there already: a staging left unfinished is finished now. */
      lw_store_set_setting (store, marker, NULL, NULL);
    }

  /* The service's own thread hears of it: a running job claims the new
   * photos now, and listeners see the job change. */
  poke = g_new0 (Poke, 1);
  poke->self = g_object_ref (self);
  poke->job_id = job_id;
  lw_context_invoke (self->context, poke_cb, poke, poke_free);
  return ok;
}

gboolean
lw_jobs_set_instruction (LwJobs *self, gint64 job_id, const gint64 *image_ids, guint n_images,
                         const char *instruction, guint *n_changed, GError **error)
{
  LwStore *store;
  GError *local_error = NULL;
  g_autofree char *clean = NULL;
  gint64 now;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_jobs_get_store (self);
  if (n_changed != NULL)
    *n_changed = 0;
  if (!lw_jobs_all_of_job (store, job_id, image_ids, n_images, error) || lw_jobs_any_busy (store, image_ids, n_images, error))
    return FALSE;
  clean = instruction != NULL ? g_strstrip (g_strdup (instruction)) : NULL;
  now = lw_jobs_now (self);
  if (!lw_store_begin (store, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  for (guint i = 0; i < n_images; i++)
    if (!lw_store_set_image_prompt (store, image_ids[i], clean, now, &local_error))
      {
        lw_store_rollback (store);
        return lw_jobs_propagate_store_error (local_error, error);
      }
  if (!lw_store_commit (store, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  if (n_changed != NULL)
    *n_changed = n_images;
  for (guint i = 0; i < n_images; i++)
    lw_jobs_emit_image (self, job_id, image_ids[i]);
  return TRUE;
}

gboolean
lw_jobs_remove_images (LwJobs *self, gint64 job_id, const gint64 *image_ids, guint n_images, GError **error)
{
  LwStore *store;
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_jobs_get_store (self);
  if (lw_jobs_any_busy (store, image_ids, n_images, error))
    return FALSE;
  if (!lw_store_begin (store, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  for (guint i = 0; i < n_images; i++)
    {
      g_autoptr(LwImage) image = lw_store_get_image (store, image_ids[i], NULL);

      /* Gone already (another process) is what was asked. */
      if (image == NULL || image->job_id != job_id)
        continue;
      if (!lw_store_remove_image (store, image_ids[i], &local_error))
        {
          lw_store_rollback (store);
          return lw_jobs_propagate_store_error (local_error, error);
        }
    }
  if (!lw_store_commit (store, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  lw_jobs_emit_job (self, job_id);
  return TRUE;
}

/* ---- running a job -------------------------------------------------------- */

gboolean
lw_jobs_launch (LwJobs *self, gint64 job_id, GError **error)
{
  LwStore *store;
  LwJobCounts counts = { 0 };
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_jobs_get_store (self);
  if (!lw_store_count_images (store, job_id, &counts, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  if (counts.total == 0)
    {
      g_set_error_literal (error, LW_JOBS_ERROR, LW_JOBS_ERROR_EMPTY, _("The job has no photos to process"));
      return FALSE;
    }
  /* A launch runs every photo: what a trial run held goes back in. */
  if (lw_store_set_held (store, job_id, FALSE, &local_error) < 0)
    return lw_jobs_propagate_store_error (local_error, error);
  g_hash_table_remove (self->trials, &job_id);
  if (!lw_scheduler_launch (self->scheduler, job_id, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  /* This process launched it: a window opening meanwhile leaves it alone
   * while this process lives. */
  lw_store_set_job_runner (store, job_id, lw_core_get_owner (self->core), lw_jobs_now (self), NULL);
  /* A launch is "try again": the job's pause (saved, cleared by the
   * launch) and its model's pool in this process. */
  g_hash_table_remove (self->saved_pauses, &job_id);
  {
    g_autoptr(LwJob) job = lw_store_get_job (store, job_id, NULL);

    if (job != NULL)
      lw_scheduler_resume (self->scheduler, job->model);
  }
  g_hash_table_remove (self->finishes, &job_id);
  return TRUE;
}

gboolean
lw_jobs_cancel (LwJobs *self, gint64 job_id, GError **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  /* The store refuses a job that is not running (STATE), in words. */
  if (!lw_scheduler_cancel (self->scheduler, job_id, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  return TRUE;
}

guint
lw_jobs_stop_now (LwJobs *self, gint64 job_id)
{
  g_autoptr(LwJob) job = NULL;
  guint n;

  g_return_val_if_fail (LW_IS_JOBS (self), 0);
  job = lw_store_get_job (lw_jobs_get_store (self), job_id, NULL);
  /* A running job is cancelled first, so nothing new starts. */
  if (job != NULL && job->status == LW_JOB_PROCESSING)
    lw_scheduler_cancel (self->scheduler, job_id, NULL);
  n = lw_scheduler_abandon (self->scheduler, job_id);
  if (n > 0)
    lw_jobs_emit_job (self, job_id);
  return n;
}

/* Photos went back to the queue: a finished or cancelled job runs again,
 * a running one claims them now. */
static gboolean
run_requeued (LwJobs *self, gint64 job_id, int n, GError **error)
{
  g_autoptr(LwJob) job = NULL;

  if (n <= 0)
    return TRUE;
  job = lw_jobs_get (self, job_id, error);
  if (job == NULL)
    return FALSE;
  if (job->status == LW_JOB_PROCESSING)
    {
      lw_scheduler_poke (self->scheduler);
      return TRUE;
    }
  return lw_jobs_launch (self, job_id, error);
}

int
lw_jobs_retry (LwJobs *self, gint64 job_id, const gint64 *image_ids, guint n_images, gboolean new_take,
               GError **error)
{
  LwStore *store;
  GError *local_error = NULL;
  gint64 now;
  int n = 0;

  g_return_val_if_fail (LW_IS_JOBS (self), -1);
  store = lw_jobs_get_store (self);
  if (!lw_jobs_all_of_job (store, job_id, image_ids, n_images, error))
    return -1;
  now = lw_jobs_now (self);
  for (guint i = 0; i < n_images; i++)
    {
      g_autoptr(LwImage) image = lw_store_get_image (store, image_ids[i], NULL);

      /* Open photos are on their way already. */
      if (image == NULL || (image->status != LW_IMAGE_COMPLETED && image->status != LW_IMAGE_FAILED
                            && image->status != LW_IMAGE_RETRY_LATER))
        continue;
      if (!lw_store_requeue_image (store, image_ids[i], new_take, now, &local_error))
        {
          lw_jobs_propagate_store_error (local_error, error);
          return -1;
        }
      n++;
      lw_jobs_emit_image (self, job_id, image_ids[i]);
    }
  if (!run_requeued (self, job_id, n, error))
    return -1;
  return n;
}

int
lw_jobs_retry_failed (LwJobs *self, gint64 job_id, GError **error)
{
  LwStore *store;
  g_autoptr(GPtrArray) before = NULL;
  GError *local_error = NULL;
  int n;

  g_return_val_if_fail (LW_IS_JOBS (self), -1);
  store = lw_jobs_get_store (self);
  before = lw_store_list_images (store, job_id, &local_error);
  if (before == NULL)
    {
      lw_jobs_propagate_store_error (local_error, error);
      return -1;
    }
  n = lw_store_retry_failed (store, job_id, lw_jobs_now (self), &local_error);
  if (n < 0)
    {
      lw_jobs_propagate_store_error (local_error, error);
      return -1;
    }
  for (guint i = 0; i < before->len; i++)
    {
      LwImage *image = g_ptr_array_index (before, i);

      if (image->status == LW_IMAGE_FAILED)
        lw_jobs_emit_image (self, job_id, image->id);
    }
  if (!run_requeued (self, job_id, n, error))
    return -1;
  return n;
}

guint
lw_jobs_get_in_flight (LwJobs *self, gint64 job_id)
{
  g_return_val_if_fail (LW_IS_JOBS (self), 0);
  /* This process's own (another process's are PROCESSING too, but not
   * ours), a cancelled job's still landing among them. */
  return lw_scheduler_get_job_in_flight (self->scheduler, job_id);
}

gboolean
lw_jobs_result_is_reused (const LwImage *image)
{
  gint64 owner = 0;
  int attempt = 0;

  g_return_val_if_fail (image != NULL, FALSE);
  /* A result made for an attempt is stored under that image and attempt
   * (lw_blob_store_result_key); a reused one names another. */
  if (image->status != LW_IMAGE_COMPLETED || image->processed_key == NULL
      || !lw_blob_store_parse_result_key (image->processed_key, &owner, &attempt))
    return FALSE;
  return owner != image->id || attempt != image->attempt;
}

guint64
lw_jobs_get_n_requests (LwJobs *self)
{
  g_return_val_if_fail (LW_IS_JOBS (self), 0);
  return lw_scheduler_get_n_requests (self->scheduler);
}

/* What one call of model costs: the engine's own figure when this process
 * has one, else the models table's (or its price setting). */
static double
price_of (LwJobs *self, const char *model)
{
  LwEngine *engine = lw_scheduler_get_engine (self->scheduler, model);
  const LwModelInfo *info = lw_models_find (model);
  double price;

  if (engine != NULL)
    return lw_engine_get_cost (engine, model);
  if (info == NULL || !info->paid)
    return 0;
  price = info->price_setting != NULL ? lw_settings_get_double (lw_jobs_get_store (self), info->price_setting) : -1;
  return price >= 0 ? price : info->price;
}

gboolean
lw_jobs_get_progress (LwJobs *self, gint64 job_id, LwJobProgress *progress, GError **error)
{
  LwStore *store;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(GPtrArray) rejections = NULL;
  GError *local_error = NULL;
  GArray *times;
  int open;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  g_return_val_if_fail (progress != NULL, FALSE);
  memset (progress, 0, sizeof *progress);
  progress->eta_seconds = -1;
  store = lw_jobs_get_store (self);
  job = lw_jobs_get (self, job_id, error);
  if (job == NULL)
    return FALSE;
  if (!lw_store_count_images (store, job_id, &progress->counts, &local_error)
      || !lw_store_get_job_cost (store, job_id, &progress->spent, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  rejections = lw_store_list_rejections (store, job_id, NULL);
  progress->rejected = rejections != NULL ? (int) rejections->len : 0;
  progress->price = price_of (self, job->model) * lw_jobs_mode_price_factor (self, job_id);
  open = lw_job_counts_open (&progress->counts);
  progress->projected = progress->spent + open * progress->price;
  progress->in_flight = lw_scheduler_get_job_in_flight (self->scheduler, job_id);
  times = lw_jobs_finishes_of (self, job_id, FALSE);
  if (times != NULL && times->len >= 2)
    {
      gint64 first = g_array_index (times, gint64, 0);
      gint64 last = g_array_index (times, gint64, times->len - 1);

      if (last > first)
        {
          /* (n − 1) finishes over (last − first): the recent rate. */
          progress->rate = (double) (times->len - 1) * 1000.0 / (double) (last - first);
          if (open > 0)
            progress->eta_seconds = (gint64) (open / progress->rate + 0.5);
          else
            progress->eta_seconds = 0;
        }
    }
  return TRUE;
}

gboolean
lw_jobs_export (LwJobs *self, gint64 job_id, const char *dir, const char *template_str, LwExportSelection selection,
                LwExportProgressFunc progress, gpointer user_data, guint *n_written,
                GCancellable *cancellable, GError **error)
{
  return lw_jobs_export_full (self, job_id, dir, template_str, selection, progress, user_data, n_written, NULL,
                              cancellable, error);
}

gboolean
lw_jobs_export_full (LwJobs *self, gint64 job_id, const char *dir, const char *template_str,
                     LwExportSelection selection, LwExportProgressFunc progress, gpointer user_data,
                     guint *n_written, guint *n_skipped, GCancellable *cancellable, GError **error)
{
  g_autoptr(LwStore) store = NULL;
  g_autofree char *setting = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_core_open_store (self->core, error);
  if (store == NULL)
    return FALSE;
  if (template_str == NULL)
    template_str = setting = lw_settings_get_string (store, LW_SETTING_TEMPLATE);
  return lw_export_job (store, lw_core_get_blobs (self->core), job_id, dir, template_str, selection, progress, user_data,
                        n_written, n_skipped, cancellable, error);
}

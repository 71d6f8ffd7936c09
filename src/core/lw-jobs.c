/* lw-jobs.c — the jobs service (lw-jobs.h): every job rule, once.
 *
 * This file holds the GObject and its signals, the helpers the other files
 * share (lw-jobs-private.h), the scheduler's events, the queue in this
 * process, the defaults and the jobs themselves; photos and running them are
 * in lw-jobs-photos.c, review in lw-jobs-review.c, modules in
 * lw-jobs-modules.c.
 *
 * The rules themselves are stated in docs/ARCHITECTURE.md, "Jobs"; the
 * comments here say where each is applied.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "lw-engines.h"
#include "lw-jobs-private.h"
#include "lw-models.h"
#include "lw-modules.h"
#include "lw-settings.h"

/* The ETA follows the last 20 finishes: recent enough to follow a rate
 * limit's slowdown, long enough not to jump with every photo. */
#define ETA_WINDOW 20

G_DEFINE_FINAL_TYPE (LwJobs, lw_jobs, G_TYPE_OBJECT)

G_DEFINE_QUARK (lw-jobs-error-quark, lw_jobs_error)

enum {
  SIGNAL_IMAGE_CHANGED,
  SIGNAL_JOB_CHANGED,
  SIGNAL_JOB_PAUSED,
  SIGNAL_JOB_RESUMED,
  SIGNAL_TRIAL_FINISHED,
  SIGNAL_BATCH_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- helpers -------------------------------------------------------------- */

LwCore *
lw_jobs_get_core (LwJobs *self)
{
  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  return self->core;
}

LwStore *
lw_jobs_get_store (LwJobs *self)
{
  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  return lw_core_get_store (self->core);
}

LwScheduler *
lw_jobs_get_scheduler (LwJobs *self)
{
  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  return self->scheduler;
}

gint64
lw_jobs_now (LwJobs *self)
{
  return lw_clock_now_ms (lw_core_get_clock (self->core));
}

/* The store's refusals, in the service's words and codes. */
gboolean
lw_jobs_propagate_store_error (GError *store_error, GError **error)
{
  if (store_error == NULL)
    return FALSE;
  if (store_error->domain == LW_STORE_ERROR)
    {
      switch ((LwStoreError) store_error->code)
        {
        case LW_STORE_ERROR_RUNNING: store_error->domain = LW_JOBS_ERROR; store_error->code = LW_JOBS_ERROR_RUNNING; break;
        case LW_STORE_ERROR_STATE: store_error->domain = LW_JOBS_ERROR; store_error->code = LW_JOBS_ERROR_STATE; break;
        case LW_STORE_ERROR_NOT_FOUND: store_error->domain = LW_JOBS_ERROR; store_error->code = LW_JOBS_ERROR_NOT_FOUND; break;
        case LW_STORE_ERROR_INVALID:
        case LW_STORE_ERROR_BUILTIN: store_error->domain = LW_JOBS_ERROR; store_error->code = LW_JOBS_ERROR_INVALID; break;
        case LW_STORE_ERROR_SQLITE:
        case LW_STORE_ERROR_TOO_NEW:
        case LW_STORE_ERROR_DISK_FULL:   /* kept: lw_store_error_is_disk_full */
        case LW_STORE_ERROR_CORRUPT:
        default: break;
        }
    }
  g_propagate_error (error, store_error);
  return FALSE;
}

void
lw_jobs_emit_job (LwJobs *self, gint64 job_id)
{
  g_autoptr(LwJob) job = lw_store_get_job (lw_jobs_get_store (self), job_id, NULL);

  g_signal_emit (self, signals[SIGNAL_JOB_CHANGED], 0, job_id, job != NULL ? (int) job->status : -1);
}

void
lw_jobs_emit_image (LwJobs *self, gint64 job_id, gint64 image_id)
{
  g_autoptr(LwImage) image = lw_store_get_image (lw_jobs_get_store (self), image_id, NULL);

  if (image != NULL)
    g_signal_emit (self, signals[SIGNAL_IMAGE_CHANGED], 0, job_id, image_id, (int) image->status);
}

GArray *
lw_jobs_finishes_of (LwJobs *self, gint64 job_id, gboolean create)
{
  GArray *times = g_hash_table_lookup (self->finishes, &job_id);

  if (times == NULL && create)
    {
      gint64 *key = g_new (gint64, 1);

      *key = job_id;
      times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->finishes, key, times);
    }
  return times;
}

/* Whether any of the photos is in flight (its attempt owns the row). */
gboolean
lw_jobs_any_busy (LwStore *store, const gint64 *ids, guint n, GError **error)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LwImage) image = lw_store_get_image (store, ids[i], NULL);

      if (image != NULL && image->status == LW_IMAGE_PROCESSING)
        {
          g_set_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_BUSY,
                       _("“%s” is being processed; try again once it is done"), image->original_name);
          return TRUE;
        }
    }
  return FALSE;
}

/* Whether every id names a photo of the job. */
gboolean
lw_jobs_all_of_job (LwStore *store, gint64 job_id, const gint64 *ids, guint n, GError **error)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LwImage) image = lw_store_get_image (store, ids[i], NULL);

      if (image == NULL || image->job_id != job_id)
        {
          g_set_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_NOT_FOUND, _("Job %" PRId64 " has no photo %" PRId64),
                       job_id, ids[i]);
          return FALSE;
        }
    }
  return TRUE;
}

void
lw_jobs_emit_batch (LwJobs *self, gint64 job_id)
{
  g_signal_emit (self, signals[SIGNAL_BATCH_CHANGED], 0, job_id);
}

/* ---- the scheduler's events, per job ------------------------------------ */

static void
image_changed_cb (LwScheduler *scheduler, gint64 job_id, gint64 image_id, int status, LwJobs *self)
{
  if (status == LW_IMAGE_COMPLETED || status == LW_IMAGE_FAILED)
    {
      GArray *times = lw_jobs_finishes_of (self, job_id, TRUE);
      gint64 now = lw_jobs_now (self);

      g_array_append_val (times, now);
      if (times->len > ETA_WINDOW)
        g_array_remove_index (times, 0);
    }
  g_signal_emit (self, signals[SIGNAL_IMAGE_CHANGED], 0, job_id, image_id, status);
}

static void
job_changed_cb (LwScheduler *scheduler, gint64 job_id, int status, LwJobs *self)
{
  g_signal_emit (self, signals[SIGNAL_JOB_CHANGED], 0, job_id, status);
  /* The scheduler stops a job whose open photos are all held: a trial
   * run's photos are done. */
  if (status == LW_JOB_CANCELLED && g_hash_table_remove (self->trials, &job_id))
    g_signal_emit (self, signals[SIGNAL_TRIAL_FINISHED], 0, job_id);
}

/* A pool pauses per model; every launched job of that model is paused by
 * it, and is told so by its id. */
static void
for_each_launched_job (LwJobs *self, const char *model, guint signal, const GError *reason)
{
  g_autoptr(GPtrArray) jobs = lw_store_list_jobs (lw_jobs_get_store (self), 0, NULL);

  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    {
      LwJob *job = g_ptr_array_index (jobs, i);

      if (job->status != LW_JOB_PROCESSING || g_strcmp0 (job->model, model) != 0)
        continue;
      /* Saved before the signal: a listener reading the job sees PAUSED. */
      lw_jobs_pause_saved (self, job, reason);
      if (signal == signals[SIGNAL_JOB_PAUSED])
        g_signal_emit (self, signal, 0, job->id, model, reason);
      else
        g_signal_emit (self, signal, 0, job->id, model);
    }
}

static void
paused_cb (LwScheduler *scheduler, const char *model, const GError *reason, LwJobs *self)
{
  for_each_launched_job (self, model, signals[SIGNAL_JOB_PAUSED], reason);
}

static void
resumed_cb (LwScheduler *scheduler, const char *model, LwJobs *self)
{
  for_each_launched_job (self, model, signals[SIGNAL_JOB_RESUMED], NULL);
}

/* ---- the queue in this process -------------------------------------------- */

static LwEngine *
engine_factory (LwScheduler *scheduler, const char *model, gpointer data, GError **error)
{
  return lw_engines_create (LW_STORE (data), model, error);
}

/* Every model's pool gets the settings' limits (docs/ARCHITECTURE.md,
 * "Queue"): the same in the window and lightwork-cli. */
static void
apply_setting_limits (LwJobs *self)
{
  LwStore *store = lw_jobs_get_store (self);
  int concurrency = (int) lw_settings_get_int (store, LW_SETTING_CONCURRENCY);
  const LwModelInfo *models;
  guint n;

  models = lw_models_list (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf (LW_SETTING_RPM_FMT, models[i].id);

      lw_scheduler_set_limits (self->scheduler, models[i].id, concurrency,
                               (int) lw_settings_get_int (store, key));
    }
}

void
lw_jobs_start (LwJobs *self)
{
  g_return_if_fail (LW_IS_JOBS (self));
  if (self->started)
    return;
  self->started = TRUE;
  lw_scheduler_start (self->scheduler);
  lw_economy_start (self->economy);
}

void
lw_jobs_stop (LwJobs *self)
{
  g_return_if_fail (LW_IS_JOBS (self));
  if (!self->started)
    return;
  self->started = FALSE;
  lw_economy_stop (self->economy);
  lw_scheduler_stop (self->scheduler);
}

void
lw_jobs_set_scope (LwJobs *self, gint64 job_id)
{
  g_return_if_fail (LW_IS_JOBS (self));
  self->scope = job_id;
  lw_scheduler_set_scope (self->scheduler, job_id);
  lw_economy_set_scope (self->economy, job_id);
}

gboolean
lw_jobs_set_run_limits (LwJobs *self, const char *model, int concurrency, int rpm, GError **error)
{
  LwStore *store;
  g_autofree char *key = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  if (!lw_models_is_known (model))
    {
      g_autofree char *known = lw_models_describe ();

      g_set_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID, _("Unknown model “%s”; use %s"),
                   model != NULL ? model : "", known);
      return FALSE;
    }
  store = lw_jobs_get_store (self);
  key = g_strdup_printf (LW_SETTING_RPM_FMT, model);
  if ((concurrency != 0 && !lw_settings_check_int (LW_SETTING_CONCURRENCY, concurrency, &local_error))
      || (rpm >= 0 && !lw_settings_check_int (key, rpm, &local_error)))
    return lw_jobs_propagate_store_error (local_error, error);
  if (concurrency == 0)
    concurrency = (int) lw_settings_get_int (store, LW_SETTING_CONCURRENCY);
  if (rpm < 0)
    rpm = (int) lw_settings_get_int (store, key);
  lw_scheduler_set_limits (self->scheduler, model, concurrency, rpm);
  return TRUE;
}

void
lw_jobs_set_reuse_results (LwJobs *self, gboolean reuse)
{
  g_return_if_fail (LW_IS_JOBS (self));
  lw_scheduler_set_reuse_results (self->scheduler, reuse);
}

void
lw_jobs_hold_interrupted (LwJobs *self, GArray *held)
{
  LwStore *store;
  g_autoptr(GPtrArray) jobs = NULL;

  g_return_if_fail (LW_IS_JOBS (self));
  store = lw_jobs_get_store (self);
  jobs = lw_store_list_jobs (store, 0, NULL);
  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    {
      LwJob *job = g_ptr_array_index (jobs, i);

      /* The runner is the process that launched it last: alive (on this
       * host, by its pid) means someone is working on it, even with no
       * photo in flight (waiting out a rate limit, offline). */
      if (job->status != LW_JOB_PROCESSING)
        continue;
      /* A paused job waits for the user in any case: it stays PAUSED, with
       * its reason, and starts nothing by itself. */
      if (lw_job_is_paused (job))
        continue;
      if (job->runner != NULL && !lw_owner_is_dead (job->runner, NULL))
        continue;
      if (lw_store_set_job_status (store, job->id, LW_JOB_CANCELLED, lw_jobs_now (self), NULL) && held != NULL)
        g_array_append_val (held, job->id);
    }
}

/* ---- defaults ----------------------------------------------------------- */

char *
lw_jobs_dup_default_module (LwJobs *self)
{
  LwStore *store = lw_jobs_get_store (self);
  g_autofree char *id = lw_settings_get_string (store, LW_SETTING_DEFAULT_MODULE);
  g_autoptr(LwModule) module = id != NULL ? lw_store_get_module (store, id, NULL) : NULL;

  /* A remembered module that was deleted (by lightwork-cli, say) is no
   * default any more. */
  if (module == NULL)
    return g_strdup (LW_DEFAULT_MODULE_ID);
  return g_steal_pointer (&id);
}

gboolean
lw_jobs_set_default_module (LwJobs *self, const char *module_id, GError **error)
{
  g_autoptr(LwModule) module = NULL;
  GError *local_error = NULL;

  module = lw_store_get_module (lw_jobs_get_store (self), module_id, &local_error);
  if (module == NULL)
    return lw_jobs_propagate_store_error (local_error, error);
  if (!lw_settings_set (lw_jobs_get_store (self), LW_SETTING_DEFAULT_MODULE, module_id, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  return TRUE;
}

char *
lw_jobs_dup_default_model (LwJobs *self)
{
  g_autofree char *model = lw_settings_get_string (lw_jobs_get_store (self), LW_SETTING_DEFAULT_MODEL);

  if (lw_models_is_known (model))
    return g_steal_pointer (&model);
  return lw_engines_default_model (lw_jobs_get_store (self));
}

static gboolean
check_model (const char *model, GError **error)
{
  g_autofree char *known = NULL;

  if (lw_models_is_known (model))
    return TRUE;
  known = lw_models_describe ();
  g_set_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID, _("Unknown model “%s”; use %s"),
               model != NULL ? model : "", known);
  return FALSE;
}

gboolean
lw_jobs_set_default_model (LwJobs *self, const char *model, GError **error)
{
  GError *local_error = NULL;

  if (!check_model (model, error))
    return FALSE;
  if (!lw_settings_set (lw_jobs_get_store (self), LW_SETTING_DEFAULT_MODEL, model, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  return TRUE;
}

/* ---- jobs ------------------------------------------------------------------ */

LwJob *
lw_jobs_create (LwJobs *self, const char *name, const char *module_id, const char *model,
                const char *source_key, GError **error)
{
  g_autofree char *default_module = NULL;
  g_autofree char *default_model = NULL;
  g_autoptr(LwModule) module = NULL;
  g_autofree char *clean_name = NULL;
  GError *local_error = NULL;
  LwJob *job;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);

  if (module_id == NULL)
    module_id = default_module = lw_jobs_dup_default_module (self);
  if (model == NULL)
    model = default_model = lw_jobs_dup_default_model (self);
  if (!check_model (model, error))
    return NULL;
  module = lw_store_get_module (lw_jobs_get_store (self), module_id, NULL);
  if (module == NULL)
    {
      g_set_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID, _("There is no module “%s”"), module_id);
      return NULL;
    }
  if (name != NULL)
    {
      clean_name = g_strstrip (g_strdup (name));
      if (*clean_name == '\0')
        g_clear_pointer (&clean_name, g_free);
    }
  job = lw_store_create_job (lw_jobs_get_store (self), clean_name, module_id, model, source_key,
                             lw_jobs_now (self), &local_error);
  if (job == NULL)
    {
      lw_jobs_propagate_store_error (local_error, error);
      return NULL;
    }
  lw_jobs_emit_job (self, job->id);
  return job;
}

LwJob *
lw_jobs_get (LwJobs *self, gint64 job_id, GError **error)
{
  GError *local_error = NULL;
  LwJob *job;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  job = lw_store_get_job (lw_jobs_get_store (self), job_id, &local_error);
  if (job == NULL)
    lw_jobs_propagate_store_error (local_error, error);
  return job;
}

LwJob *
lw_jobs_lookup (LwJobs *self, const char *id_or_name, GError **error)
{
  g_autoptr(GPtrArray) jobs = NULL;
  GError *local_error = NULL;
  gint64 id;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);

  if (id_or_name != NULL && g_ascii_string_to_signed (id_or_name, 10, 1, G_MAXINT64, &id, NULL))
    {
      LwJob *job = lw_store_get_job (lw_jobs_get_store (self), id, NULL);

      if (job == NULL)
        g_set_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_NOT_FOUND, _("no job %s"), id_or_name);
      return job;
    }
  jobs = lw_store_list_jobs (lw_jobs_get_store (self), id_or_name != NULL ? 0 : 1, &local_error);
  if (jobs == NULL)
    {
      lw_jobs_propagate_store_error (local_error, error);
      return NULL;
    }
  for (guint i = 0; i < jobs->len; i++)
    {
      LwJob *job = g_ptr_array_index (jobs, i);

      if (id_or_name == NULL || g_str_equal (job->name, id_or_name))
        return lw_job_copy (job);
    }
  if (id_or_name != NULL)
    g_set_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_NOT_FOUND, _("no job named “%s”"), id_or_name);
  else
    g_set_error_literal (error, LW_JOBS_ERROR, LW_JOBS_ERROR_NOT_FOUND, _("there are no jobs yet"));
  return NULL;
}

LwJob *
lw_jobs_find_by_source_key (LwJobs *self, const char *source_key, GError **error)
{
  GError *local_error = NULL;
  LwJob *job;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  job = lw_store_find_job_by_source_key (lw_jobs_get_store (self), source_key, &local_error);
  if (local_error != NULL)
    lw_jobs_propagate_store_error (local_error, error);
  return job;
}

GPtrArray *
lw_jobs_list (LwJobs *self, int limit, GError **error)
{
  GError *local_error = NULL;
  GPtrArray *jobs;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  jobs = lw_store_list_jobs (lw_jobs_get_store (self), limit, &local_error);
  if (jobs == NULL)
    lw_jobs_propagate_store_error (local_error, error);
  return jobs;
}

gboolean
lw_jobs_rename (LwJobs *self, gint64 job_id, const char *name, GError **error)
{
  g_autofree char *clean = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  clean = g_strstrip (g_strdup (name != NULL ? name : ""));
  if (*clean == '\0')
    {
      g_set_error_literal (error, LW_JOBS_ERROR, LW_JOBS_ERROR_INVALID, _("A job needs a name"));
      return FALSE;
    }
  if (!lw_store_rename_job (lw_jobs_get_store (self), job_id, clean, lw_jobs_now (self), &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  lw_jobs_emit_job (self, job_id);
  return TRUE;
}

/* The name a job gets when nobody named it: "<Module name> — <date>". It
 * is recognised by its prefix, so it follows a change of module. */
static char *
module_name_of (LwJobs *self, const char *module_id)
{
  g_autoptr(LwModule) module = lw_store_get_module (lw_jobs_get_store (self), module_id, NULL);

  if (module == NULL)
    return NULL;
  return g_strdup (module->builtin ? g_dgettext (GETTEXT_PACKAGE, module->name) : module->name);
}

gboolean
lw_jobs_set_module (LwJobs *self, gint64 job_id, const char *module_id, GError **error)
{
  LwStore *store;
  g_autoptr(LwJob) job = NULL;
  LwJobCounts counts = { 0 };
  GError *local_error = NULL;
  g_autofree char *old_name = NULL;
  g_autofree char *new_name = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_jobs_get_store (self);
  job = lw_jobs_get (self, job_id, error);
  if (job == NULL)
    return FALSE;
  if (g_strcmp0 (job->module_id, module_id) == 0)
    return TRUE;
  if (!lw_store_count_images (store, job_id, &counts, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  /* Its results say which module made them (the saved names carry the
   * module's id): once a photo was edited, another module is another job. */
  if (job->status != LW_JOB_PROCESSING && counts.completed + counts.failed > 0)
    {
      g_set_error (error, LW_JOBS_ERROR, LW_JOBS_ERROR_STATE,
                   _("Photos of “%s” were already edited with its module; start a new job for another one"),
                   job->name);
      return FALSE;
    }
  if (!lw_store_set_job_module (store, job_id, module_id, lw_jobs_now (self), &local_error))
    return lw_jobs_propagate_store_error (local_error, error);

  /* An automatic name ("Food Enhancer — 6 Dec 14:05") follows the module. */
  old_name = module_name_of (self, job->module_id);
  new_name = module_name_of (self, module_id);
  if (old_name != NULL && new_name != NULL && g_str_has_prefix (job->name, old_name)
      && g_str_has_prefix (job->name + strlen (old_name), " — "))
    {
      g_autofree char *renamed = g_strconcat (new_name, job->name + strlen (old_name), NULL);

      lw_store_rename_job (store, job_id, renamed, lw_jobs_now (self), NULL);
    }
  lw_jobs_emit_job (self, job_id);
  return TRUE;
}

gboolean
lw_jobs_set_model (LwJobs *self, gint64 job_id, const char *model, GError **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  if (!check_model (model, error))
    return FALSE;
  if (!lw_store_set_job_model (lw_jobs_get_store (self), job_id, model, lw_jobs_now (self), &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  lw_jobs_emit_job (self, job_id);
  return TRUE;
}

gboolean
lw_jobs_set_prompt (LwJobs *self, gint64 job_id, const char *prompt, GError **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  if (!lw_store_set_job_prompt (lw_jobs_get_store (self), job_id, prompt, lw_jobs_now (self), &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  lw_jobs_emit_job (self, job_id);
  return TRUE;
}

gboolean
lw_jobs_set_output (LwJobs *self, gint64 job_id, const char *dir, const char *template_str, GError **error)
{
  g_autofree char *absolute = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  /* A relative folder would mean another place from another directory. */
  absolute = dir != NULL ? g_canonicalize_filename (dir, NULL) : NULL;
  if (!lw_store_set_job_output (lw_jobs_get_store (self), job_id, absolute, template_str, lw_jobs_now (self),
                                &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  return TRUE;
}

/* A job deleted from the store: nothing of it is kept here, and
 * listeners hear it is gone (photo -1). */
static void
forget_job (LwJobs *self, gint64 job_id)
{
  g_hash_table_remove (self->finishes, &job_id);
  g_signal_emit (self, signals[SIGNAL_JOB_CHANGED], 0, job_id, -1);
}

gboolean
lw_jobs_delete (LwJobs *self, gint64 job_id, GError **error)
{
  g_autoptr(LwJob) job = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  job = lw_jobs_get (self, job_id, error);
  if (job == NULL)
    return FALSE;
  /* Its requests in this process stop first; another process's land on a
   * row that is gone and are fenced out. */
  if (job->status == LW_JOB_PROCESSING)
    lw_scheduler_cancel (self->scheduler, job_id, NULL);
  lw_scheduler_abandon (self->scheduler, job_id);
  if (!lw_store_delete_job (lw_jobs_get_store (self), job_id, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  forget_job (self, job_id);
  return TRUE;
}

GArray *
lw_jobs_list_finished (LwJobs *self, gint64 finished_before, GError **error)
{
  GError *local_error = NULL;
  GArray *ids;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  ids = lw_store_list_finished_jobs (lw_jobs_get_store (self), finished_before, &local_error);
  if (ids == NULL)
    lw_jobs_propagate_store_error (local_error, error);
  return ids;
}

gboolean
lw_jobs_delete_finished (LwJobs *self, gint64 job_id, gint64 finished_before, gboolean *deleted, GError **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  g_return_val_if_fail (deleted != NULL, FALSE);
  /* A finished job has no requests in flight here. */
  if (!lw_store_delete_finished_job (lw_jobs_get_store (self), job_id, finished_before, deleted, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  if (*deleted)
    {
      lw_scheduler_abandon (self->scheduler, job_id);
      forget_job (self, job_id);
    }
  return TRUE;
}

/* ---- GObject ------------------------------------------------------------------ */

static void
lw_jobs_dispose (GObject *object)
{
  LwJobs *self = LW_JOBS (object);

  if (self->scheduler != NULL)
    {
      lw_jobs_stop (self);
      for (guint i = 0; i < G_N_ELEMENTS (self->handlers); i++)
        g_clear_signal_handler (&self->handlers[i], self->scheduler);
      g_clear_signal_handler (&self->economy_handler, self->economy);
    }
  g_clear_object (&self->economy);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->core);
  G_OBJECT_CLASS (lw_jobs_parent_class)->dispose (object);
}

static void
lw_jobs_finalize (GObject *object)
{
  LwJobs *self = LW_JOBS (object);

  g_clear_pointer (&self->finishes, g_hash_table_unref);
  g_clear_pointer (&self->trials, g_hash_table_unref);
  g_clear_pointer (&self->saved_pauses, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (lw_jobs_parent_class)->finalize (object);
}

static void
lw_jobs_class_init (LwJobsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lw_jobs_dispose;
  object_class->finalize = lw_jobs_finalize;

  signals[SIGNAL_IMAGE_CHANGED] =
    g_signal_new ("image-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT);
  signals[SIGNAL_JOB_CHANGED] =
    g_signal_new ("job-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT);
  signals[SIGNAL_JOB_PAUSED] =
    g_signal_new ("job-paused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_POINTER);
  signals[SIGNAL_TRIAL_FINISHED] =
    g_signal_new ("trial-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_BATCH_CHANGED] =
    g_signal_new ("batch-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_JOB_RESUMED] =
    g_signal_new ("job-resumed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

static void
lw_jobs_init (LwJobs *self)
{
  self->finishes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_array_unref);
  self->trials = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->saved_pauses = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_error_free);
}

LwJobs *
lw_jobs_new (LwCore *core)
{
  LwJobs *self;
  LwStore *store;

  g_return_val_if_fail (LW_IS_CORE (core), NULL);

  self = g_object_new (LW_TYPE_JOBS, NULL);
  self->core = g_object_ref (core);
  self->context = g_main_context_ref_thread_default ();
  store = lw_core_get_store (core);
  self->scheduler = lw_scheduler_new (store, lw_core_get_blobs (core), lw_core_get_clock (core),
                                      lw_core_get_owner (core));
  lw_scheduler_set_engine_factory (self->scheduler, engine_factory, store, NULL);
  apply_setting_limits (self);
  self->handlers[0] = g_signal_connect (self->scheduler, "image-changed", G_CALLBACK (image_changed_cb), self);
  self->handlers[1] = g_signal_connect (self->scheduler, "job-changed", G_CALLBACK (job_changed_cb), self);
  self->handlers[2] = g_signal_connect (self->scheduler, "paused", G_CALLBACK (paused_cb), self);
  self->handlers[3] = g_signal_connect (self->scheduler, "resumed", G_CALLBACK (resumed_cb), self);
  self->economy = lw_economy_new (store, self->scheduler, lw_core_get_clock (core),
                                  lw_core_get_owner (core));
  self->economy_handler = g_signal_connect_swapped (self->economy, "batch-changed",
                                                    G_CALLBACK (lw_jobs_emit_batch), self);
  return self;
}

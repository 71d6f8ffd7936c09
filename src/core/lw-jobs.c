/* lw-jobs.c — the jobs service (lw-jobs.h): every job rule, once.
 *
 * The rules themselves are stated in docs/ARCHITECTURE.md, "Jobs"; the
 * comments here say where each is applied.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "lw-engines.h"
#include "lw-jobs.h"
#include "lw-models.h"
#include "lw-modules.h"
#include "lw-settings.h"

/* The ETA follows the last 20 finishes: recent enough to follow a rate
 * limit's slowdown, long enough not to jump with every photo. */
#define ETA_WINDOW 20

struct _LwJobs
{
  GObject      parent_instance;

  LwCore      *core;
  LwScheduler *scheduler;
  GMainContext *context;      /* where the service lives (signals, pokes) */
  GHashTable  *finishes;      /* job id (gint64*) → GArray of finish times (the clock's ms) */
  GHashTable  *trials;        /* job ids (gint64*) of trial runs under way */
  gulong       handlers[4];
  gboolean     started;
};

G_DEFINE_FINAL_TYPE (LwJobs, lw_jobs, G_TYPE_OBJECT)

G_DEFINE_QUARK (lw-jobs-error-quark, lw_jobs_error)

enum {
  SIGNAL_IMAGE_CHANGED,
  SIGNAL_JOB_CHANGED,
  SIGNAL_JOB_PAUSED,
  SIGNAL_JOB_RESUMED,
  SIGNAL_TRIAL_FINISHED,
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
static gboolean
propagate_store_error (GError *store_error, GError **error)
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
        default: break;
        }
    }
  g_propagate_error (error, store_error);
  return FALSE;
}

static void
emit_job (LwJobs *self, gint64 job_id)
{
  g_autoptr(LwJob) job = lw_store_get_job (lw_jobs_get_store (self), job_id, NULL);

  g_signal_emit (self, signals[SIGNAL_JOB_CHANGED], 0, job_id, job != NULL ? (int) job->status : -1);
}

static void
emit_image (LwJobs *self, gint64 job_id, gint64 image_id)
{
  g_autoptr(LwImage) image = lw_store_get_image (lw_jobs_get_store (self), image_id, NULL);

  if (image != NULL)
    g_signal_emit (self, signals[SIGNAL_IMAGE_CHANGED], 0, job_id, image_id, (int) image->status);
}

static GArray *
finishes_of (LwJobs *self, gint64 job_id, gboolean create)
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

/* ---- the scheduler's events, per job ------------------------------------ */

static void
image_changed_cb (LwScheduler *scheduler, gint64 job_id, gint64 image_id, int status, LwJobs *self)
{
  if (status == LW_IMAGE_COMPLETED || status == LW_IMAGE_FAILED)
    {
      GArray *times = finishes_of (self, job_id, TRUE);
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
}

void
lw_jobs_stop (LwJobs *self)
{
  g_return_if_fail (LW_IS_JOBS (self));
  if (!self->started)
    return;
  self->started = FALSE;
  lw_scheduler_stop (self->scheduler);
}

void
lw_jobs_set_scope (LwJobs *self, gint64 job_id)
{
  g_return_if_fail (LW_IS_JOBS (self));
  lw_scheduler_set_scope (self->scheduler, job_id);
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
    return propagate_store_error (local_error, error);
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
    return propagate_store_error (local_error, error);
  if (!lw_settings_set (lw_jobs_get_store (self), LW_SETTING_DEFAULT_MODULE, module_id, &local_error))
    return propagate_store_error (local_error, error);
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
    return propagate_store_error (local_error, error);
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
      propagate_store_error (local_error, error);
      return NULL;
    }
  emit_job (self, job->id);
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
    propagate_store_error (local_error, error);
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
      propagate_store_error (local_error, error);
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
    propagate_store_error (local_error, error);
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
    propagate_store_error (local_error, error);
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
    return propagate_store_error (local_error, error);
  emit_job (self, job_id);
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
    return propagate_store_error (local_error, error);
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
    return propagate_store_error (local_error, error);

  /* An automatic name ("Food Enhancer — 6 Dec 14:05") follows the module. */
  old_name = module_name_of (self, job->module_id);
  new_name = module_name_of (self, module_id);
  if (old_name != NULL && new_name != NULL && g_str_has_prefix (job->name, old_name)
      && g_str_has_prefix (job->name + strlen (old_name), " — "))
    {
      g_autofree char *renamed = g_strconcat (new_name, job->name + strlen (old_name), NULL);

      lw_store_rename_job (store, job_id, renamed, lw_jobs_now (self), NULL);
    }
  emit_job (self, job_id);
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
    return propagate_store_error (local_error, error);
  emit_job (self, job_id);
  return TRUE;
}

gboolean
lw_jobs_set_prompt (LwJobs *self, gint64 job_id, const char *prompt, GError **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  if (!lw_store_set_job_prompt (lw_jobs_get_store (self), job_id, prompt, lw_jobs_now (self), &local_error))
    return propagate_store_error (local_error, error);
  emit_job (self, job_id);
  return TRUE;
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
  if (!lw_store_delete_job (lw_jobs_get_store (self), job_id, &local_error))
    return propagate_store_error (local_error, error);
  g_hash_table_remove (self->finishes, &job_id);
  g_signal_emit (self, signals[SIGNAL_JOB_CHANGED], 0, job_id, -1);
  return TRUE;
}

/* ---- photos -------------------------------------------------------------- */

LwImage *
lw_jobs_get_image (LwJobs *self, gint64 image_id, GError **error)
{
  GError *local_error = NULL;
  LwImage *image;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  image = lw_store_get_image (lw_jobs_get_store (self), image_id, &local_error);
  if (image == NULL)
    propagate_store_error (local_error, error);
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
    return propagate_store_error (local_error, error);
  if (rejections != NULL)
    {
      *rejections = lw_store_list_rejections (store, job_id, &local_error);
      if (*rejections == NULL)
        return propagate_store_error (local_error, error);
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
  emit_job (poke->self, poke->job_id);
  return G_SOURCE_REMOVE;
}

static void
poke_free (gpointer data)
{
  Poke *poke = data;

  g_object_unref (poke->self);
  g_free (poke);
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

      ok = lw_ingest_paths (store, lw_core_get_blobs (self->core), job_id, (const char * const *) todo->pdata,
                            options, func, user_data, &ingest, cancellable, error);
      report->staged += ingest.staged;
      report->duplicates += ingest.duplicates;
      report->rejected += ingest.rejected;
    }

  /* The service's own thread hears of it: a running job claims the new
   * photos now, and listeners see the job change. */
  poke = g_new0 (Poke, 1);
  poke->self = g_object_ref (self);
  poke->job_id = job_id;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, poke_cb, poke, poke_free);
  return ok;
}

/* Whether any of the photos is in flight (its attempt owns the row). */
static gboolean
any_busy (LwStore *store, const gint64 *ids, guint n, GError **error)
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
static gboolean
all_of_job (LwStore *store, gint64 job_id, const gint64 *ids, guint n, GError **error)
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
  if (!all_of_job (store, job_id, image_ids, n_images, error) || any_busy (store, image_ids, n_images, error))
    return FALSE;
  clean = instruction != NULL ? g_strstrip (g_strdup (instruction)) : NULL;
  now = lw_jobs_now (self);
  if (!lw_store_begin (store, &local_error))
    return propagate_store_error (local_error, error);
  for (guint i = 0; i < n_images; i++)
    if (!lw_store_set_image_prompt (store, image_ids[i], clean, now, &local_error))
      {
        lw_store_rollback (store);
        return propagate_store_error (local_error, error);
      }
  if (!lw_store_commit (store, &local_error))
    return propagate_store_error (local_error, error);
  if (n_changed != NULL)
    *n_changed = n_images;
  for (guint i = 0; i < n_images; i++)
    emit_image (self, job_id, image_ids[i]);
  return TRUE;
}

gboolean
lw_jobs_remove_images (LwJobs *self, gint64 job_id, const gint64 *image_ids, guint n_images, GError **error)
{
  LwStore *store;
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_jobs_get_store (self);
  if (any_busy (store, image_ids, n_images, error))
    return FALSE;
  if (!lw_store_begin (store, &local_error))
    return propagate_store_error (local_error, error);
  for (guint i = 0; i < n_images; i++)
    {
      g_autoptr(LwImage) image = lw_store_get_image (store, image_ids[i], NULL);

      /* Gone already (another process) is what was asked. */
      if (image == NULL || image->job_id != job_id)
        continue;
      if (!lw_store_remove_image (store, image_ids[i], &local_error))
        {
          lw_store_rollback (store);
          return propagate_store_error (local_error, error);
        }
    }
  if (!lw_store_commit (store, &local_error))
    return propagate_store_error (local_error, error);
  emit_job (self, job_id);
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
    return propagate_store_error (local_error, error);
  if (counts.total == 0)
    {
      g_set_error_literal (error, LW_JOBS_ERROR, LW_JOBS_ERROR_EMPTY, _("The job has no photos to process"));
      return FALSE;
    }
  /* A launch runs every photo: what a trial run held goes back in. */
  if (lw_store_set_held (store, job_id, FALSE, &local_error) < 0)
    return propagate_store_error (local_error, error);
  g_hash_table_remove (self->trials, &job_id);
  if (!lw_scheduler_launch (self->scheduler, job_id, &local_error))
    return propagate_store_error (local_error, error);
  /* This process launched it: a window opening meanwhile leaves it alone
   * while this process lives. */
  lw_store_set_job_runner (store, job_id, lw_core_get_owner (self->core), lw_jobs_now (self), NULL);
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
    return propagate_store_error (local_error, error);
  return TRUE;
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
  if (!all_of_job (store, job_id, image_ids, n_images, error))
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
          propagate_store_error (local_error, error);
          return -1;
        }
      n++;
      emit_image (self, job_id, image_ids[i]);
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
      propagate_store_error (local_error, error);
      return -1;
    }
  n = lw_store_retry_failed (store, job_id, lw_jobs_now (self), &local_error);
  if (n < 0)
    {
      propagate_store_error (local_error, error);
      return -1;
    }
  for (guint i = 0; i < before->len; i++)
    {
      LwImage *image = g_ptr_array_index (before, i);

      if (image->status == LW_IMAGE_FAILED)
        emit_image (self, job_id, image->id);
    }
  if (!run_requeued (self, job_id, n, error))
    return -1;
  return n;
}

const GError *
lw_jobs_get_pause (LwJobs *self, gint64 job_id)
{
  g_autoptr(LwJob) job = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), NULL);
  job = lw_store_get_job (lw_jobs_get_store (self), job_id, NULL);
  if (job == NULL || job->status != LW_JOB_PROCESSING)
    return NULL;
  return lw_scheduler_get_pause (self->scheduler, job->model);
}

void
lw_jobs_resume (LwJobs *self, gint64 job_id)
{
  g_autoptr(LwJob) job = NULL;

  g_return_if_fail (LW_IS_JOBS (self));
  job = lw_store_get_job (lw_jobs_get_store (self), job_id, NULL);
  if (job != NULL)
    lw_scheduler_resume (self->scheduler, job->model);
}

guint
lw_jobs_get_in_flight (LwJobs *self, gint64 job_id)
{
  g_autoptr(LwJob) job = NULL;
  LwJobCounts counts = { 0 };

  g_return_val_if_fail (LW_IS_JOBS (self), 0);
  job = lw_store_get_job (lw_jobs_get_store (self), job_id, NULL);
  if (job == NULL || !lw_store_count_images (lw_jobs_get_store (self), job_id, &counts, NULL))
    return 0;
  /* The pool's requests, bounded by the job's photos in flight (another
   * process's are PROCESSING too, but not ours). */
  return MIN (lw_scheduler_get_in_flight (self->scheduler, job->model), (guint) counts.processing);
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
    return propagate_store_error (local_error, error);
  rejections = lw_store_list_rejections (store, job_id, NULL);
  progress->rejected = rejections != NULL ? (int) rejections->len : 0;
  progress->price = price_of (self, job->model);
  open = lw_job_counts_open (&progress->counts);
  progress->projected = progress->spent + open * progress->price;
  progress->in_flight = MIN (lw_scheduler_get_in_flight (self->scheduler, job->model),
                             (guint) progress->counts.processing);
  times = finishes_of (self, job_id, FALSE);
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
  g_autoptr(LwStore) store = NULL;
  g_autofree char *setting = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_core_open_store (self->core, error);
  if (store == NULL)
    return FALSE;
  if (template_str == NULL)
    template_str = setting = lw_settings_get_string (store, LW_SETTING_TEMPLATE);
  return lw_export_job (store, lw_core_get_blobs (self->core), job_id, dir, template_str, selection, progress, user_data,
                        n_written, cancellable, error);
}

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
  if (!all_of_job (store, job_id, image_ids, n_images, error))
    return FALSE;
  now = lw_jobs_now (self);
  if (!lw_store_begin (store, &local_error))
    return propagate_store_error (local_error, error);
  for (guint i = 0; i < n_images; i++)
    if (!lw_store_set_image_review (store, image_ids[i], review, now, &local_error))
      {
        lw_store_rollback (store);
        return propagate_store_error (local_error, error);
      }
  if (!lw_store_commit (store, &local_error))
    return propagate_store_error (local_error, error);
  for (guint i = 0; i < n_images; i++)
    emit_image (self, job_id, image_ids[i]);
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
    propagate_store_error (local_error, error);
  return versions;
}

gboolean
lw_jobs_choose_version (LwJobs *self, gint64 job_id, gint64 image_id, int n, GError **error)
{
  LwStore *store;
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_jobs_get_store (self);
  if (!all_of_job (store, job_id, &image_id, 1, error) || any_busy (store, &image_id, 1, error))
    return FALSE;
  if (!lw_store_choose_version (store, image_id, n, lw_jobs_now (self), &local_error))
    return propagate_store_error (local_error, error);
  emit_image (self, job_id, image_id);
  emit_job (self, job_id);
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
      if (!all_of_job (store, job_id, image_ids, n_images, error))
        return FALSE;
      g_array_append_vals (chosen, image_ids, n_images);
    }
  else
    {
      g_autoptr(GPtrArray) images = lw_store_list_images (store, job_id, &local_error);

      if (images == NULL)
        return propagate_store_error (local_error, error);
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
    return propagate_store_error (local_error, error);
  if (lw_store_set_held (store, job_id, TRUE, &local_error) < 0)
    {
      lw_store_rollback (store);
      return propagate_store_error (local_error, error);
    }
  for (guint i = 0; i < chosen->len; i++)
    if (!lw_store_set_image_held (store, g_array_index (chosen, gint64, i), FALSE, &local_error))
      {
        lw_store_rollback (store);
        return propagate_store_error (local_error, error);
      }
  if (!lw_store_commit (store, &local_error))
    return propagate_store_error (local_error, error);
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

/* ---- modules --------------------------------------------------------------- */

GPtrArray *
lw_jobs_list_modules (LwJobs *self, GError **error)
{
  GError *local_error = NULL;
  GPtrArray *modules = lw_store_list_modules (lw_jobs_get_store (self), &local_error);

  if (modules == NULL)
    propagate_store_error (local_error, error);
  return modules;
}

LwModule *
lw_jobs_get_module (LwJobs *self, const char *module_id, GError **error)
{
  GError *local_error = NULL;
  LwModule *module = lw_store_get_module (lw_jobs_get_store (self), module_id, &local_error);

  if (module == NULL)
    propagate_store_error (local_error, error);
  return module;
}

LwModule *
lw_jobs_create_module (LwJobs *self, const char *name, const char *description, const char *prompt,
                       GError **error)
{
  GError *local_error = NULL;
  LwModule *module = lw_store_create_module (lw_jobs_get_store (self), name, description, prompt, &local_error);

  if (module == NULL)
    propagate_store_error (local_error, error);
  return module;
}

gboolean
lw_jobs_update_module (LwJobs *self, const LwModule *module, GError **error)
{
  GError *local_error = NULL;

  if (!lw_store_update_module (lw_jobs_get_store (self), module, &local_error))
    return propagate_store_error (local_error, error);
  return TRUE;
}

LwModule *
lw_jobs_duplicate_module (LwJobs *self, const char *module_id, GError **error)
{
  GError *local_error = NULL;
  LwModule *module = lw_store_duplicate_module (lw_jobs_get_store (self), module_id, &local_error);

  if (module == NULL)
    propagate_store_error (local_error, error);
  return module;
}

gboolean
lw_jobs_reset_module (LwJobs *self, const char *module_id, GError **error)
{
  GError *local_error = NULL;

  if (!lw_store_reset_module (lw_jobs_get_store (self), module_id, &local_error))
    return propagate_store_error (local_error, error);
  return TRUE;
}

gboolean
lw_jobs_delete_module (LwJobs *self, const char *module_id, GError **error)
{
  LwStore *store;
  g_autofree char *remembered = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (LW_IS_JOBS (self), FALSE);
  store = lw_jobs_get_store (self);
  if (!lw_store_delete_module (store, module_id, &local_error))
    return propagate_store_error (local_error, error);
  /* The default of new jobs never names a module that is gone. */
  remembered = lw_store_get_setting (store, LW_SETTING_DEFAULT_MODULE);
  if (g_strcmp0 (remembered, module_id) == 0)
    lw_store_set_setting (store, LW_SETTING_DEFAULT_MODULE, NULL, NULL);
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
    }
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
  signals[SIGNAL_JOB_RESUMED] =
    g_signal_new ("job-resumed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

static void
lw_jobs_init (LwJobs *self)
{
  self->finishes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_array_unref);
  self->trials = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
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
  return self;
}

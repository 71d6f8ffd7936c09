/* lw-jobs-modules.c — LwJobs: modules.
 *
 * Listing, creating, editing, duplicating, resetting and deleting the
 * modules jobs are made with.
 *
 * The rules themselves are stated in docs/ARCHITECTURE.md, "Jobs"; the
 * comments here say where each is applied.
 */
#include "config.h"

#include "lw-jobs-private.h"
#include "lw-settings.h"

/* ---- modules --------------------------------------------------------------- */

GPtrArray *
lw_jobs_list_modules (LwJobs *self, GError **error)
{
  GError *local_error = NULL;
  GPtrArray *modules = lw_store_list_modules (lw_jobs_get_store (self), &local_error);

  if (modules == NULL)
    lw_jobs_propagate_store_error (local_error, error);
  return modules;
}

LwModule *
lw_jobs_get_module (LwJobs *self, const char *module_id, GError **error)
{
  GError *local_error = NULL;
  LwModule *module = lw_store_get_module (lw_jobs_get_store (self), module_id, &local_error);

  if (module == NULL)
    lw_jobs_propagate_store_error (local_error, error);
  return module;
}

LwModule *
lw_jobs_create_module (LwJobs *self, const char *name, const char *description, const char *prompt,
                       GError **error)
{
  GError *local_error = NULL;
  LwModule *module = lw_store_create_module (lw_jobs_get_store (self), name, description, prompt, &local_error);

  if (module == NULL)
    lw_jobs_propagate_store_error (local_error, error);
  return module;
}

gboolean
lw_jobs_update_module (LwJobs *self, const LwModule *module, GError **error)
{
  GError *local_error = NULL;

  if (!lw_store_update_module (lw_jobs_get_store (self), module, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
  return TRUE;
}

LwModule *
lw_jobs_duplicate_module (LwJobs *self, const char *module_id, GError **error)
{
  GError *local_error = NULL;
  LwModule *module = lw_store_duplicate_module (lw_jobs_get_store (self), module_id, &local_error);

  if (module == NULL)
    lw_jobs_propagate_store_error (local_error, error);
  return module;
}

gboolean
lw_jobs_reset_module (LwJobs *self, const char *module_id, GError **error)
{
  GError *local_error = NULL;

  if (!lw_store_reset_module (lw_jobs_get_store (self), module_id, &local_error))
    return lw_jobs_propagate_store_error (local_error, error);
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
    return lw_jobs_propagate_store_error (local_error, error);
  /* The default of new jobs never names a module that is gone. */
  remembered = lw_store_get_setting (store, LW_SETTING_DEFAULT_MODULE);
  if (g_strcmp0 (remembered, module_id) == 0)
    lw_store_set_setting (store, LW_SETTING_DEFAULT_MODULE, NULL, NULL);
  return TRUE;
}

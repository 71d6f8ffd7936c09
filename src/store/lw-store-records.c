/* lw-store-records.c — modules, jobs, images and refused files. */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "lw-modules.h"
#include "lw-store-private.h"

/* ---- helpers ------------------------------------------------------------ */

/* The table a row id is of, for the error when there is no such row. */
typedef enum
{
  ROW_JOB,
  ROW_IMAGE,
} RowKind;

static void
set_no_such_row (GError **error, RowKind kind, gint64 id)
{
  if (kind == ROW_JOB)
    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND, _("There is no job %" PRId64), id);
  else
    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND, _("There is no image %" PRId64), id);
}

static void
set_no_such_module (GError **error, const char *id)
{
  g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND, _("There is no module “%s”"), id);
}

/* FALSE, with an INVALID error saying message, when value is NULL or "". */
static gboolean
require_text (const char *value, const char *message, GError **error)
{
  if (value != NULL && *value != '\0')
    return TRUE;
  g_set_error_literal (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID, message);
  return FALSE;
}

/* The cached statement for sql with a row id (a job's, an image's) bound
 * as ?1. */
static LwStmt *
stmt_for_id (LwStore *self, const char *sql, gint64 id, GError **error)
{
  LwStmt *stmt = lw_store_stmt (self, sql, error);

  if (stmt != NULL)
    sqlite3_bind_int64 (stmt, 1, id);
  return stmt;
}

/* The rows sql selects for a job (job_id bound as ?1), read with from_row. */
static GPtrArray *
list_for_job (LwStore *self, const char *sql, gint64 job_id, LwStoreRowFunc from_row,
              GDestroyNotify free_func, const char *what, GError **error)
{
  g_autoptr(LwStmt) stmt = stmt_for_id (self, sql, job_id, error);

  if (stmt == NULL)
    return NULL;
  return lw_store_collect_rows (self, stmt, from_row, free_func, what, error);
}

/* Steps stmt, an UPDATE or DELETE of the row id of kind's table: an error,
 * or NOT_FOUND when it changed no row. */
static gboolean
step_one_row (LwStore *self, sqlite3_stmt *stmt, RowKind kind, gint64 id, const char *what,
              GError **error)
{
  if (!lw_store_step_done (self, stmt, what, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      set_no_such_row (error, kind, id);
      return FALSE;
    }
  return TRUE;
}

/* ---- modules ------------------------------------------------------------ */

GPtrArray *
lw_store_list_modules (LwStore *self, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  stmt = lw_store_stmt (self, "SELECT " MODULE_COLUMNS " FROM modules ORDER BY position, builtin DESC, id", error);
  if (stmt == NULL)
    return NULL;
  return lw_store_collect_rows (self, stmt, (LwStoreRowFunc) lw_store_module_from_row, (GDestroyNotify) lw_module_free,
                       _("Could not list the modules"), error);
}

LwModule *
lw_store_get_module (LwStore *self, const char *id, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  LwModule *module;
  gboolean missing;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  stmt = lw_store_stmt (self, "SELECT " MODULE_COLUMNS " FROM modules WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  lw_store_bind_text (stmt, 1, id);
  module = lw_store_read_row (self, stmt, (LwStoreRowFunc) lw_store_module_from_row,
                              _("Could not read a module"), &missing, error);
  if (missing)
    set_no_such_module (error, id);
  return module;
}

/* The name a person reads: built-in names are stored as shipped (English)
 * and translated on the way out. */
static const char *
module_display_name (const LwModule *module)
{
  return module->builtin ? g_dgettext (GETTEXT_PACKAGE, module->name) : module->name;
}

/* Runs sql, which returns no rows, with a module id bound as ?1. */
static gboolean
run_for_module (LwStore *self, const char *sql, const char *id, const char *what, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  lw_store_bind_text (stmt, 1, id);
  return lw_store_step_done (self, stmt, what, error);
}

static gboolean
module_exists (LwStore *self, const char *id, gboolean *exists, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, "SELECT 1 FROM modules WHERE id = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  lw_store_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      lw_store_set_sqlite_error (self, error, _("Could not read a module"));
      return FALSE;
    }
  *exists = rc == SQLITE_ROW;
  return TRUE;
}

/* "custom-" + lowercase ASCII slug, '-' for everything else, then -2, -3…
 * until free. Must run inside a write transaction so the id stays free. */
static char *
unique_module_id (LwStore *self, const char *name, GError **error)
{
  g_autoptr(GString) slug = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (slug, g_ascii_tolower (*p));
      else if (slug->len > 0 && slug->str[slug->len - 1] != '-')
        g_string_append_c (slug, '-');
    }
  while (slug->len > 0 && slug->str[slug->len - 1] == '-')
    g_string_truncate (slug, slug->len - 1);
  if (slug->len == 0)
    g_string_assign (slug, "module");

  for (guint n = 1; ; n++)
    {
      g_autofree char *id = n == 1 ? g_strdup_printf ("custom-%s", slug->str)
                                   : g_strdup_printf ("custom-%s-%u", slug->str, n);
      gboolean exists = FALSE;

      if (!module_exists (self, id, &exists, error))
        return NULL;
      if (!exists)
        return g_steal_pointer (&id);
    }
}

static LwModule *
insert_custom_module (LwStore *self, const char *name, const char *description, const char *icon,
                      const char *prompt, GError **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name != NULL ? name : ""));
  g_autoptr(LwModule) module = NULL;
  gboolean owned;
  gboolean ok = FALSE;

  if (!require_text (trimmed, _("A module needs a name"), error))
    return NULL;
  if (!lw_store_tx_begin (self, &owned, error))
    return NULL;

  module = g_new0 (LwModule, 1);
  module->id = unique_module_id (self, trimmed, error);
  if (module->id != NULL)
    {
      g_autoptr(LwStmt) stmt = lw_store_stmt (self,
        "INSERT INTO modules (" MODULE_COLUMNS ")"
        " VALUES (?1, ?2, ?3, ?4, ?5, NULL, 0, (SELECT COALESCE(MAX(position), -1) + 1 FROM modules))"
        " RETURNING position", error);

      if (stmt != NULL)
        {
          module->name = g_steal_pointer (&trimmed);
          module->description = g_strdup (description != NULL ? description : "");
          module->icon = g_strdup (icon != NULL ? icon : CUSTOM_MODULE_ICON);
          module->prompt = g_strdup (prompt != NULL ? prompt : "");
          lw_store_bind_text (stmt, 1, module->id);
          lw_store_bind_text (stmt, 2, module->name);
          lw_store_bind_text (stmt, 3, module->description);
          lw_store_bind_text (stmt, 4, module->icon);
          lw_store_bind_text (stmt, 5, module->prompt);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              module->position = sqlite3_column_int (stmt, 0);
              ok = lw_store_step_done (self, stmt, _("Could not create the module"), error);
            }
          else
            lw_store_set_sqlite_error (self, error, _("Could not create the module"));
        }
    }
  if (!lw_store_tx_end (self, owned, ok, ok ? error : NULL))
    return NULL;
  return g_steal_pointer (&module);
}

LwModule *
lw_store_create_module (LwStore *self, const char *name, const char *description,
                        const char *prompt, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  return insert_custom_module (self, name, description, NULL, prompt, error);
}

gboolean
lw_store_update_module (LwStore *self, const LwModule *module, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (module != NULL && module->id != NULL, FALSE);

  if (!require_text (module->name, _("A module needs a name"), error))
    return FALSE;
  /* A built-in's name and description are the shipped ones (shown
   * translated, refreshed at every open): only its prompt is the user's. */
  stmt = lw_store_stmt (self,
                        "UPDATE modules SET prompt = ?4,"
                        " name = CASE builtin WHEN 1 THEN name ELSE ?2 END,"
                        " description = CASE builtin WHEN 1 THEN description ELSE ?3 END"
                        " WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  lw_store_bind_text (stmt, 1, module->id);
  lw_store_bind_text (stmt, 2, module->name);
  lw_store_bind_text (stmt, 3, module->description != NULL ? module->description : "");
  lw_store_bind_text (stmt, 4, module->prompt != NULL ? module->prompt : "");
  if (!lw_store_step_done (self, stmt, _("Could not save the module"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      set_no_such_module (error, module->id);
      return FALSE;
    }
  return TRUE;
}

LwModule *
lw_store_duplicate_module (LwStore *self, const char *id, GError **error)
{
  g_autoptr(LwModule) source = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  source = lw_store_get_module (self, id, error);
  if (source == NULL)
    return NULL;
  /* Translators: the name of a copy of a module, "%s" is the original's name */
  name = g_strdup_printf (_("%s (copy)"), module_display_name (source));
  return insert_custom_module (self, name, source->description, source->icon, source->prompt, error);
}

gboolean
lw_store_delete_module (LwStore *self, const char *id, GError **error)
{
  g_autoptr(LwModule) module = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  module = lw_store_get_module (self, id, error);
  if (module == NULL)
    return FALSE;
  /* Built-ins stay, so "reset" and a new job's default always exist. Jobs
   * that used a module keep their own prompt copy, so deleting a custom
   * one is always safe. */
  if (module->builtin)
    {
      g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_BUILTIN,
                   _("“%s” is a built-in module and cannot be deleted"), module_display_name (module));
      return FALSE;
    }
  return run_for_module (self, "DELETE FROM modules WHERE id = ? AND builtin = 0", id,
                         _("Could not delete the module"), error);
}

gboolean
lw_store_reset_module (LwStore *self, const char *id, GError **error)
{
  g_autoptr(LwModule) module = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  module = lw_store_get_module (self, id, error);
  if (module == NULL)
    return FALSE;
  if (module->default_prompt == NULL)
    {
      g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID,
                   _("The module “%s” has no default prompt to go back to"), module_display_name (module));
      return FALSE;
    }
  return run_for_module (self, "UPDATE modules SET prompt = default_prompt WHERE id = ? AND default_prompt IS NOT NULL", id,
                         _("Could not reset the module"), error);
}

/* ---- jobs --------------------------------------------------------------- */


static char *
default_job_name (const LwModule *module, gint64 now)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (now / 1000);
  g_autofree char *date = NULL;

  /* Translators: date and time in a new job's name, "26 Nov 14:05"; see
   * g_date_time_format() for the codes. */
  date = when != NULL ? g_date_time_format (when, _("%-d %b %H:%M")) : NULL;
  /* Translators: a new job's name: "<module name> — <date and time>" */
  return g_strdup_printf (_("%s — %s"), module_display_name (module), date != NULL ? date : "");
}

LwJob *
lw_store_create_job (LwStore *self, const char *name, const char *module_id, const char *model,
                     const char *source_key, gint64 now, GError **error)
{
  g_autoptr(LwModule) module = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  g_return_val_if_fail (module_id != NULL, NULL);

  if (!require_text (model, _("A job needs a model"), error))
    return NULL;
  module = lw_store_get_module (self, module_id, error);
  if (module == NULL)
    return NULL;

  job = g_new0 (LwJob, 1);
  job->name = name != NULL ? g_strdup (name) : default_job_name (module, now);
  job->module_id = g_strdup (module_id);
  job->model = g_strdup (model);
  job->prompt = g_strdup (module->prompt);
  job->status = LW_JOB_PENDING;
  job->source_key = g_strdup (source_key);
  job->created_at = job->updated_at = now;

  stmt = lw_store_stmt (self,
                   "INSERT INTO jobs (name, module_id, model, prompt, status, source_key, created_at, updated_at)"
                   " VALUES (?1, ?2, ?3, ?4, 'PENDING', ?5, ?6, ?6) RETURNING id", error);
  if (stmt == NULL)
    return NULL;
  lw_store_bind_text (stmt, 1, job->name);
  lw_store_bind_text (stmt, 2, job->module_id);
  lw_store_bind_text (stmt, 3, job->model);
  lw_store_bind_text (stmt, 4, job->prompt);
  lw_store_bind_text (stmt, 5, job->source_key);
  sqlite3_bind_int64 (stmt, 6, now);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      lw_store_set_sqlite_error (self, error, _("Could not create the job"));
      return NULL;
    }
  job->id = sqlite3_column_int64 (stmt, 0);
  if (!lw_store_step_done (self, stmt, _("Could not create the job"), error))
    return NULL;
  return g_steal_pointer (&job);
}

/* The one row sql selects by id (bound as ?1), read with from_row; NULL
 * with NOT_FOUND when there is none. */
static gpointer
get_by_id (LwStore *self, const char *sql, RowKind kind, gint64 id, LwStoreRowFunc from_row,
           const char *what, GError **error)
{
  g_autoptr(LwStmt) stmt = stmt_for_id (self, sql, id, error);
  gboolean missing;
  gpointer row;

  if (stmt == NULL)
    return NULL;
  row = lw_store_read_row (self, stmt, from_row, what, &missing, error);
  if (missing)
    set_no_such_row (error, kind, id);
  return row;
}

LwJob *
lw_store_get_job (LwStore *self, gint64 id, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  return get_by_id (self, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", ROW_JOB, id,
                    (LwStoreRowFunc) lw_store_job_from_row, _("Could not read a job"), error);
}

LwJob *
lw_store_find_job_by_source_key (LwStore *self, const char *source_key, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  g_return_val_if_fail (source_key != NULL, NULL);

  stmt = lw_store_stmt (self, "SELECT " JOB_COLUMNS " FROM jobs WHERE source_key = ? ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  lw_store_bind_text (stmt, 1, source_key);
  return lw_store_read_row (self, stmt, (LwStoreRowFunc) lw_store_job_from_row,
                            _("Could not look for a job"), NULL, error);
}

GPtrArray *
lw_store_list_jobs (LwStore *self, int limit, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  stmt = lw_store_stmt (self, "SELECT " JOB_COLUMNS " FROM jobs ORDER BY created_at DESC, id DESC LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, limit > 0 ? limit : -1);  /* -1: no limit */
  return lw_store_collect_rows (self, stmt, (LwStoreRowFunc) lw_store_job_from_row, (GDestroyNotify) lw_job_free,
                       _("Could not list the jobs"), error);
}

/* One UPDATE that sets a text (?2) and updated_at (?3) of row id (?1). */
static gboolean
update_text (LwStore *self, const char *sql, RowKind kind, gint64 id, const char *value, gint64 now,
             const char *what, GError **error)
{
  g_autoptr(LwStmt) stmt = stmt_for_id (self, sql, id, error);

  if (stmt == NULL)
    return FALSE;
  lw_store_bind_text (stmt, 2, value);
  sqlite3_bind_int64 (stmt, 3, now);
  return step_one_row (self, stmt, kind, id, what, error);
}

/* A job "finished before" ?2 (ms): completed or failed then. A running,
 * paused or cancelled job never is (launching a cancelled one continues
 * it). The listing and the delete share it, so the window offers to
 * remove exactly what the delete takes. */
#define FINISHED_BEFORE_2 "status IN ('COMPLETED', 'FAILED') AND finished_at > 0 AND finished_at < ?2"

/* One DELETE of row id (?1). */
static gboolean
delete_row (LwStore *self, const char *sql, RowKind kind, gint64 id, const char *what, GError **error)
{
  g_autoptr(LwStmt) stmt = stmt_for_id (self, sql, id, error);

  if (stmt == NULL)
    return FALSE;
  return step_one_row (self, stmt, kind, id, what, error);
}

gboolean
lw_store_rename_job (LwStore *self, gint64 id, const char *name, gint64 now, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  if (!require_text (name, _("A job needs a name"), error))
    return FALSE;
  return update_text (self, "UPDATE jobs SET name = ?2, updated_at = ?3 WHERE id = ?1",
                      ROW_JOB, id, name, now, _("Could not rename the job"), error);
}

/* What a running job must keep: its prompt, model and module. The UPDATEs
 * that change them say "AND status <> 'PROCESSING'", so a second process
 * cannot slip a change in between a check and the write; when no row
 * matched, this tells "running" from "no such job". */
static gboolean
refuse_if_running (LwStore *self, gint64 id, const char *what, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LwJob) job = NULL;

  if (error != NULL && *error != NULL && !g_error_matches (*error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND))
    return FALSE;
  job = lw_store_get_job (self, id, &local_error);
  if (job == NULL || job->status != LW_JOB_PROCESSING)
    return FALSE;
  g_clear_error (error);
  /* TRANSLATORS: "Cancel the job before changing its model" */
  g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_RUNNING, _("Cancel the job before changing its %s"), what);
  return FALSE;
}

gboolean
lw_store_set_job_prompt (LwStore *self, gint64 id, const char *prompt, gint64 now, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  if (update_text (self, "UPDATE jobs SET prompt = ?2, updated_at = ?3 WHERE id = ?1 AND status <> 'PROCESSING'",
                   ROW_JOB, id, prompt != NULL ? prompt : "", now, _("Could not save the job’s prompt"), error))
    return TRUE;
  /* TRANSLATORS: completes "Cancel the job before changing its %s" */
  return refuse_if_running (self, id, _("prompt"), error);
}

gboolean
lw_store_set_job_model (LwStore *self, gint64 id, const char *model, gint64 now, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  if (!require_text (model, _("A job needs a model"), error))
    return FALSE;
  if (update_text (self, "UPDATE jobs SET model = ?2, updated_at = ?3 WHERE id = ?1 AND status <> 'PROCESSING'",
                   ROW_JOB, id, model, now, _("Could not change the job’s model"), error))
    return TRUE;
  /* TRANSLATORS: completes "Cancel the job before changing its %s" */
  return refuse_if_running (self, id, _("model"), error);
}

gboolean
lw_store_set_job_module (LwStore *self, gint64 id, const char *module_id, gint64 now, GError **error)
{
  g_autoptr(LwModule) module = NULL;
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (module_id != NULL, FALSE);

  module = lw_store_get_module (self, module_id, error);
  if (module == NULL)
    return FALSE;
  stmt = stmt_for_id (self, "UPDATE jobs SET module_id = ?2, prompt = ?3, updated_at = ?4"
                            " WHERE id = ?1 AND status <> 'PROCESSING'", id, error);
  if (stmt == NULL)
    return FALSE;
  lw_store_bind_text (stmt, 2, module->id);
  lw_store_bind_text (stmt, 3, module->prompt);
  sqlite3_bind_int64 (stmt, 4, now);
  if (step_one_row (self, stmt, ROW_JOB, id, _("Could not change the job’s module"), error))
    return TRUE;
  /* TRANSLATORS: completes "Cancel the job before changing its %s" */
  return refuse_if_running (self, id, _("module"), error);
}

gboolean
lw_store_set_job_spend_cap (LwStore *self, gint64 id, double cap, gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  if (!isfinite (cap) || cap < 0)
    {
      g_set_error_literal (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID,
                           _("A spending limit cannot be negative"));
      return FALSE;
    }
  stmt = stmt_for_id (self, "UPDATE jobs SET spend_cap = ?2, updated_at = ?3 WHERE id = ?1", id, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_double (stmt, 2, cap);
  sqlite3_bind_int64 (stmt, 3, now);
  return step_one_row (self, stmt, ROW_JOB, id, _("Could not set the job’s spending limit"), error);
}

/* The job state machine (docs/ARCHITECTURE.md, "Jobs"): the states a job
 * may come from for each state it goes to.
 *   → PROCESSING  launch: from staging, or again after a cancel or a finish
 *                 (retry); PROCESSING → PROCESSING is a no-op launch;
 *   → COMPLETED, FAILED  only a running job finishes;
 *   → CANCELLED   only a running job can be cancelled;
 *   → PENDING     never: nothing goes back to staging.
 * The UPDATE carries the rule in its WHERE, so two processes cannot race
 * past it (a cancel from lightwork-cli against a finish in the window). */
/* Every change of status ends a pause (docs/ARCHITECTURE.md, "Jobs"): a
 * launch is "try again", a finish or a cancel leaves nothing to hold. */
#define PAUSE_CLEARED "pause_code = NULL, pause_reason = NULL, pause_advice = NULL,"

static const char *
allowed_from (LwJobStatus to)
{
  switch (to)
    {
    case LW_JOB_PROCESSING: return "'PENDING', 'PROCESSING', 'CANCELLED', 'COMPLETED', 'FAILED'";
    case LW_JOB_COMPLETED:
    case LW_JOB_FAILED:
    case LW_JOB_CANCELLED: return "'PROCESSING'";
    case LW_JOB_PENDING:
    default: return NULL;
    }
}

static void
set_transition_error (const LwJob *job, LwJobStatus to, GError **error)
{
  if (to == LW_JOB_CANCELLED)
    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_STATE,
                 job->status == LW_JOB_CANCELLED ? _("Job “%s” is already stopped")
                 : job->status == LW_JOB_PENDING ? _("Job “%s” has not been started, so there is nothing to cancel")
                 : _("Job “%s” is finished, so there is nothing to cancel"),
                 job->name);
  else
    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_STATE, _("Job “%s” cannot go from %s to %s"),
                 job->name, lw_job_status_to_string (job->status), lw_job_status_to_string (to));
}

gboolean
lw_store_set_job_status (LwStore *self, gint64 id, LwJobStatus status, gint64 now, GError **error)
{
  const char *from = allowed_from (status);
  g_autofree char *sql = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (lw_job_status_to_string (status) != NULL, FALSE);

  job = lw_store_get_job (self, id, error);
  if (job == NULL)
    return FALSE;
  if (from == NULL)
    {
      set_transition_error (job, status, error);
      return FALSE;
    }
  /* launched_at is the first launch only: a cancelled job launched again
   * keeps its place in the queue's order. One statement per target state,
   * so the cache holds at most four. */
  switch (status)
    {
    case LW_JOB_PROCESSING:
      stmt = stmt_for_id (self, "UPDATE jobs SET status = 'PROCESSING', updated_at = ?2, " PAUSE_CLEARED ""
                                "  launched_at = CASE WHEN launched_at = 0 THEN ?2 ELSE launched_at END,"
                                "  finished_at = 0"
                                " WHERE id = ?1 AND status IN ('PENDING', 'PROCESSING', 'CANCELLED', 'COMPLETED', 'FAILED')",
                          id, error);
      break;
    case LW_JOB_COMPLETED:
      stmt = stmt_for_id (self, "UPDATE jobs SET status = 'COMPLETED', updated_at = ?2, " PAUSE_CLEARED " finished_at = ?2"
                                " WHERE id = ?1 AND status = 'PROCESSING'", id, error);
      break;
    case LW_JOB_FAILED:
      stmt = stmt_for_id (self, "UPDATE jobs SET status = 'FAILED', updated_at = ?2, " PAUSE_CLEARED " finished_at = ?2"
                                " WHERE id = ?1 AND status = 'PROCESSING'", id, error);
      break;
    case LW_JOB_CANCELLED:
      stmt = stmt_for_id (self, "UPDATE jobs SET status = 'CANCELLED', updated_at = ?2, " PAUSE_CLEARED " finished_at = ?2"
                                " WHERE id = ?1 AND status = 'PROCESSING'", id, error);
      break;
    case LW_JOB_PENDING:
    default:
      g_assert_not_reached ();
    }
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 2, now);
  if (!lw_store_step_done (self, stmt, _("Could not change the job’s status"), error))
    return FALSE;
  if (sqlite3_changes (self->db) > 0)
    return TRUE;
  /* Another process moved it first: say what it is now. */
  g_clear_pointer (&job, lw_job_free);
  job = lw_store_get_job (self, id, error);
  if (job != NULL)
    set_transition_error (job, status, error);
  return FALSE;
}

gboolean
lw_store_set_job_runner (LwStore *self, gint64 id, const char *runner, gint64 now, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  return update_text (self, "UPDATE jobs SET runner = ?2, updated_at = ?3 WHERE id = ?1",
                      ROW_JOB, id, runner, now, _("Could not change the job’s status"), error);
}

gboolean
lw_store_set_job_pause (LwStore *self, gint64 id, const char *code, const char *reason, const char *advice,
                        gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  g_autoptr(LwJob) job = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  /* Only a launched job is held by a pause: the state machine's rule, in
   * the WHERE clause so no other process races past it. Clearing is
   * always allowed. */
  stmt = stmt_for_id (self, "UPDATE jobs SET pause_code = ?2, pause_reason = ?3, pause_advice = ?4, updated_at = ?5"
                            " WHERE id = ?1 AND (?2 IS NULL OR status = 'PROCESSING')", id, error);
  if (stmt == NULL)
    return FALSE;
  lw_store_bind_text (stmt, 2, code);
  lw_store_bind_text (stmt, 3, code != NULL ? reason : NULL);
  lw_store_bind_text (stmt, 4, code != NULL ? advice : NULL);
  sqlite3_bind_int64 (stmt, 5, now);
  if (!lw_store_step_done (self, stmt, _("Could not change the job’s status"), error))
    return FALSE;
  if (sqlite3_changes (self->db) > 0)
    return TRUE;
  job = lw_store_get_job (self, id, error);
  if (job != NULL)
    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_STATE, _("Job “%s” is not running, so it cannot be paused"),
                 job->name);
  return FALSE;
}

gboolean
lw_store_set_job_output (LwStore *self, gint64 id, const char *dir, const char *template_str, gint64 now,
                         GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  stmt = stmt_for_id (self, "UPDATE jobs SET out_dir = ?2, out_template = ?3, updated_at = ?4 WHERE id = ?1",
                      id, error);
  if (stmt == NULL)
    return FALSE;
  lw_store_bind_text (stmt, 2, dir);
  lw_store_bind_text (stmt, 3, template_str);
  sqlite3_bind_int64 (stmt, 4, now);
  return step_one_row (self, stmt, ROW_JOB, id, _("Could not save the job’s output folder"), error);
}

/* DELETE of job id, and only if it finished before finished_before when
 * that is > 0 (*deleted FALSE when it had not: no error). */
static gboolean
delete_job (LwStore *self, gint64 id, gint64 finished_before, gboolean *deleted, GError **error)
{
  g_autofree char *unstaged = lw_store_unstaged_key (id);
  g_autoptr(LwStmt) stmt = NULL;
  gboolean ok;

  *deleted = FALSE;
  /* images and rejections go with it (ON DELETE CASCADE); their blobs at
   * the next sweep, once no row names them. Its unfinished staging (a
   * settings row, no foreign key to cascade) goes in the same
   * transaction: a later job given the same id must not inherit it. */
  if (!lw_store_begin (self, error))
    return FALSE;
  if (finished_before > 0)
    {
      stmt = stmt_for_id (self,
                          "DELETE FROM jobs WHERE id = ?1 AND " FINISHED_BEFORE_2, id, error);
      if (stmt != NULL)
        sqlite3_bind_int64 (stmt, 2, finished_before);
      ok = stmt != NULL && lw_store_step_done (self, stmt, _("Could not delete the job"), error);
      *deleted = ok && sqlite3_changes (self->db) > 0;
    }
  else
    ok = *deleted = delete_row (self, "DELETE FROM jobs WHERE id = ?1", ROW_JOB, id, _("Could not delete the job"),
                                error);
  if (!ok || (*deleted && !lw_store_set_setting (self, unstaged, NULL, error)) || !lw_store_commit (self, error))
    {
      lw_store_rollback (self);
      *deleted = FALSE;
      return FALSE;
    }
  return TRUE;
}

gboolean
lw_store_delete_job (LwStore *self, gint64 id, GError **error)
{
  gboolean deleted;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  return delete_job (self, id, 0, &deleted, error);
}

gboolean
lw_store_delete_finished_job (LwStore *self, gint64 id, gint64 finished_before, gboolean *deleted, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (finished_before > 0, FALSE);
  g_return_val_if_fail (deleted != NULL, FALSE);
  return delete_job (self, id, finished_before, deleted, error);
}

GArray *
lw_store_list_finished_jobs (LwStore *self, gint64 finished_before, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  g_return_val_if_fail (finished_before > 0, NULL);

  stmt = lw_store_stmt (self, "SELECT id FROM jobs WHERE " FINISHED_BEFORE_2 " ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 2, finished_before);
  return lw_store_collect_ids (self, stmt, _("Could not list the jobs"), error);
}

char *
lw_store_unstaged_key (gint64 job_id)
{
  return g_strdup_printf ("staging.unfinished.%" G_GINT64_FORMAT, job_id);
}

gboolean
lw_store_job_has_open_images (LwStore *self, gint64 job_id, gboolean *open, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (open != NULL, FALSE);

  stmt = stmt_for_id (self,
                      "SELECT EXISTS (SELECT 1 FROM images WHERE job_id = ?"
                      " AND (status = 'PROCESSING' OR (status IN ('PENDING', 'RETRY_LATER') AND held = 0)))", job_id, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      lw_store_set_sqlite_error (self, error, _("Could not count the job’s images"));
      return FALSE;
    }
  *open = sqlite3_column_int (stmt, 0) != 0;
  return TRUE;
}

gboolean
lw_store_count_images (LwStore *self, gint64 job_id, LwJobCounts *counts, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  memset (counts, 0, sizeof *counts);
  stmt = stmt_for_id (self, "SELECT status, COUNT(*) FROM images WHERE job_id = ? GROUP BY status", job_id, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LwImageStatus status;
      int n = sqlite3_column_int (stmt, 1);

      counts->total += n;
      if (!lw_image_status_from_string ((const char *) sqlite3_column_text (stmt, 0), &status))
        continue;
      switch (status)
        {
        case LW_IMAGE_PENDING: counts->pending = n; break;
        case LW_IMAGE_PROCESSING: counts->processing = n; break;
        case LW_IMAGE_COMPLETED: counts->completed = n; break;
        case LW_IMAGE_FAILED: counts->failed = n; break;
        case LW_IMAGE_RETRY_LATER: counts->retry_later = n; break;
        default: break;
        }
    }
  if (rc != SQLITE_DONE)
    {
      lw_store_set_sqlite_error (self, error, _("Could not count the job’s images"));
      return FALSE;
    }
  g_clear_pointer (&stmt, lw_stmt_release);
  /* Through the images_review partial index: only the rows that need
   * review are read, never the job's thousands of passed ones. */
  stmt = stmt_for_id (self, "SELECT COUNT(*) FROM images INDEXED BY images_review"
                            " WHERE job_id = ? AND status = 'COMPLETED' AND review_reason IS NOT NULL",
                      job_id, error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      lw_store_set_sqlite_error (self, error, _("Could not count the job’s images"));
      return FALSE;
    }
  counts->needs_review = sqlite3_column_int (stmt, 0);
  return TRUE;
}

gboolean
lw_store_get_job_cost (LwStore *self, gint64 job_id, double *cost, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (cost != NULL, FALSE);

  *cost = 0;
  stmt = stmt_for_id (self, "SELECT COALESCE(SUM(cost), 0) FROM images WHERE job_id = ?", job_id, error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      lw_store_set_sqlite_error (self, error, _("Could not read what the job cost"));
      return FALSE;
    }
  *cost = sqlite3_column_double (stmt, 0);
  return TRUE;
}

/* ---- images ------------------------------------------------------------- */

static gboolean
forget_rejection (LwStore *self, gint64 job_id, const char *path, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, "DELETE FROM rejections WHERE job_id = ? AND path = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, job_id);
  lw_store_bind_text (stmt, 2, path);
  return lw_store_step_done (self, stmt, _("Could not record a refused file"), error);
}

gboolean
lw_store_add_image (LwStore *self, LwImage *image, gint64 now, gboolean *duplicate, GError **error)
{
  g_autoptr(LwStmt) find = NULL;
  g_autoptr(LwStmt) insert = NULL;
  gboolean owned;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (image->sha256 != NULL && image->original_key != NULL, FALSE);

  if (duplicate != NULL)
    *duplicate = FALSE;
  /* The lookup, MAX(position) and the insert must see one snapshot. */
  if (!lw_store_tx_begin (self, &owned, error))
    return FALSE;

  find = lw_store_stmt (self, "SELECT id FROM images WHERE job_id = ? AND sha256 = ?", error);
  if (find == NULL)
    goto out;
  sqlite3_bind_int64 (find, 1, image->job_id);
  lw_store_bind_text (find, 2, image->sha256);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    {
      image->id = sqlite3_column_int64 (find, 0);
      if (duplicate != NULL)
        *duplicate = TRUE;
      ok = TRUE;
      goto out;
    }
  if (rc != SQLITE_DONE)
    {
      lw_store_set_sqlite_error (self, error, _("Could not add an image"));
      goto out;
    }

  insert = lw_store_stmt (self,
    "INSERT INTO images (job_id, position, original_name, source_path, original_key, sha256, mime,"
    "  width, height, orientation, bytes, thumb_key, specific_prompt, status, created_at, updated_at)"
    " VALUES (?1, (SELECT COALESCE(MAX(position), -1) + 1 FROM images WHERE job_id = ?1),"
    "  ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'PENDING', ?13, ?13)"
    " RETURNING id, position", error);
  if (insert == NULL)
    goto out;
  sqlite3_bind_int64 (insert, 1, image->job_id);
  lw_store_bind_text (insert, 2, image->original_name != NULL ? image->original_name : "");
  lw_store_bind_text (insert, 3, image->source_path);
  lw_store_bind_text (insert, 4, image->original_key);
  lw_store_bind_text (insert, 5, image->sha256);
  lw_store_bind_text (insert, 6, image->mime);
  sqlite3_bind_int (insert, 7, image->width);
  sqlite3_bind_int (insert, 8, image->height);
  sqlite3_bind_int (insert, 9, image->orientation >= 1 && image->orientation <= 8 ? image->orientation : 1);
  sqlite3_bind_int64 (insert, 10, image->bytes);
  lw_store_bind_text (insert, 11, image->thumb_key);
  lw_store_bind_text (insert, 12, image->specific_prompt != NULL && *image->specific_prompt != '\0'
                         ? image->specific_prompt : NULL);
  sqlite3_bind_int64 (insert, 13, now);
  if (sqlite3_step (insert) != SQLITE_ROW)
    {
      lw_store_set_sqlite_error (self, error, _("Could not add an image"));
      goto out;
    }
  image->id = sqlite3_column_int64 (insert, 0);
  image->position = sqlite3_column_int64 (insert, 1);
  if (!lw_store_step_done (self, insert, _("Could not add an image"), error))
    goto out;
  image->status = LW_IMAGE_PENDING;
  image->created_at = image->updated_at = now;
  /* A file refused before and staged now (the user fixed it) is no longer
   * refused. */
  if (image->source_path != NULL && !forget_rejection (self, image->job_id, image->source_path, error))
    goto out;
  ok = TRUE;

out:
  return lw_store_tx_end (self, owned, ok, ok ? error : NULL);
}

LwImage *
lw_store_get_image (LwStore *self, gint64 id, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  return get_by_id (self, "SELECT " IMAGE_COLUMNS " FROM images WHERE id = ?", ROW_IMAGE, id,
                    (LwStoreRowFunc) lw_store_image_from_row, _("Could not read an image"), error);
}

GPtrArray *
lw_store_list_images (LwStore *self, gint64 job_id, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  return list_for_job (self, "SELECT " IMAGE_COLUMNS " FROM images WHERE job_id = ? ORDER BY position", job_id,
                       (LwStoreRowFunc) lw_store_image_from_row, (GDestroyNotify) lw_image_free,
                       _("Could not list the job’s images"), error);
}

gboolean
lw_store_set_image_prompt (LwStore *self, gint64 id, const char *prompt, gint64 now, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  return update_text (self, "UPDATE images SET specific_prompt = ?2, updated_at = ?3 WHERE id = ?1",
                      ROW_IMAGE, id, prompt != NULL && *prompt != '\0' ? prompt : NULL, now,
                      _("Could not save the image’s instruction"), error);
}

gboolean
lw_store_set_image_thumb (LwStore *self, gint64 id, const char *thumb_key, gint64 now, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  return update_text (self, "UPDATE images SET thumb_key = ?2, updated_at = ?3 WHERE id = ?1",
                      ROW_IMAGE, id, thumb_key, now, _("Could not save the image’s thumbnail"), error);
}

gboolean
lw_store_remove_image (LwStore *self, gint64 id, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  return delete_row (self, "DELETE FROM images WHERE id = ?1", ROW_IMAGE, id, _("Could not remove the image"), error);
}

int
lw_store_retry_failed (LwStore *self, gint64 job_id, gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), -1);

  /* RETRY_LATER images are left alone: they are on their way back by
   * themselves, and resetting them would defeat the server's back-off. */
  stmt = stmt_for_id (self,
                      "UPDATE images SET status = 'PENDING', retry_count = 0, next_retry_at = 0,"
                      "  error_code = NULL, error_message = NULL, updated_at = ?2"
                      " WHERE job_id = ?1 AND status = 'FAILED'", job_id, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 2, now);
  if (!lw_store_step_done (self, stmt, _("Could not queue the failed images again"), error))
    return -1;
  return sqlite3_changes (self->db);
}

gboolean
lw_store_requeue_image (LwStore *self, gint64 id, gboolean force, gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  /* Not while PROCESSING: the running attempt owns the row (its fenced
   * finish decides). force also forgets the result and its request key, so
   * the cache (lw_store_find_result) cannot hand back the same picture. */
  stmt = stmt_for_id (self,
                      "UPDATE images SET status = 'PENDING', retry_count = 0, next_retry_at = 0,"
                      "  error_code = NULL, error_message = NULL, updated_at = ?3,"
                      "  processed_key = CASE WHEN ?2 THEN NULL ELSE processed_key END,"
                      "  processed_mime = CASE WHEN ?2 THEN NULL ELSE processed_mime END,"
                      "  request_key = CASE WHEN ?2 THEN NULL ELSE request_key END,"
                      "  version = CASE WHEN ?2 THEN 0 ELSE version END,"
                      "  fresh_take = ?2"
                      " WHERE id = ?1 AND status <> 'PROCESSING'", id, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 2, force ? 1 : 0);
  sqlite3_bind_int64 (stmt, 3, now);
  if (!lw_store_step_done (self, stmt, _("Could not queue the image again"), error))
    return FALSE;
  if (sqlite3_changes (self->db) > 0)
    return TRUE;
  {
    g_autoptr(LwImage) image = lw_store_get_image (self, id, error);

    if (image != NULL)
      g_set_error_literal (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID,
                           _("The image is being processed; it can be queued again once it is done"));
  }
  return FALSE;
}

/* ---- rejections --------------------------------------------------------- */

gboolean
lw_store_add_rejection (LwStore *self, gint64 job_id, const char *path, const char *reason,
                        gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL && reason != NULL, FALSE);

  /* The same file refused again (a continued job) is listed once, with
   * today's reason. */
  if (!forget_rejection (self, job_id, path, error))
    return FALSE;
  stmt = lw_store_stmt (self, "INSERT INTO rejections (job_id, path, reason, created_at) VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, job_id);
  lw_store_bind_text (stmt, 2, path);
  lw_store_bind_text (stmt, 3, reason);
  sqlite3_bind_int64 (stmt, 4, now);
  return lw_store_step_done (self, stmt, _("Could not record a refused file"), error);
}

static LwRejection *
rejection_from_row (sqlite3_stmt *stmt)
{
  LwRejection *rejection = g_new0 (LwRejection, 1);

  rejection->id = sqlite3_column_int64 (stmt, 0);
  rejection->job_id = sqlite3_column_int64 (stmt, 1);
  rejection->path = lw_store_column_strdup (stmt, 2);
  rejection->reason = lw_store_column_strdup (stmt, 3);
  rejection->created_at = sqlite3_column_int64 (stmt, 4);
  return rejection;
}

GPtrArray *
lw_store_list_rejections (LwStore *self, gint64 job_id, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  return list_for_job (self, "SELECT id, job_id, path, reason, created_at FROM rejections WHERE job_id = ? ORDER BY id",
                       job_id, (LwStoreRowFunc) rejection_from_row, (GDestroyNotify) lw_rejection_free,
                       _("Could not list the refused files"), error);
}


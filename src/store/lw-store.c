/* lw-store.c — the SQLite repository: schema, migrations, records, the queue.
 *
 * One LwStore wraps one connection (SQLITE_OPEN_NOMUTEX) used by one thread
 * at a time. Statements are prepared once per connection
 * (SQLITE_PREPARE_PERSISTENT) and cached by their SQL text's address; every
 * value goes through sqlite3_bind_*, never into the SQL text.
 *
 * Transactions: lw_store_begin() is BEGIN IMMEDIATE. A store function that
 * needs more than one statement to be atomic opens its own BEGIN IMMEDIATE
 * only when the caller has none open (sqlite3_get_autocommit()); inside the
 * caller's transaction it simply joins it.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "lw-modules.h"
#include "lw-store.h"

G_DEFINE_QUARK (lw-store-error-quark, lw_store_error)

struct _LwStore
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  GHashTable *stmts;  /* const char *sql (by address) → sqlite3_stmt * */
  int         schema_version;
};

G_DEFINE_FINAL_TYPE (LwStore, lw_store, G_TYPE_OBJECT)

/* ---- schema -------------------------------------------------------------
 *
 * migrations[n] takes a database from user_version n to n + 1. Version 2 is
 * one more entry here (and LW_STORE_SCHEMA_VERSION + 1); a released entry is
 * never edited. Times are INTEGER ms since the epoch, 0 = never; booleans
 * INTEGER 0/1; money REAL.
 */
static const char *const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE settings ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ");"
  "CREATE TABLE modules ("
  "  id             TEXT PRIMARY KEY NOT NULL,"
  "  name           TEXT NOT NULL CHECK (name <> ''),"
  "  description    TEXT NOT NULL DEFAULT '',"
  "  icon           TEXT,"
  "  prompt         TEXT NOT NULL DEFAULT '',"
  "  default_prompt TEXT,"
  "  builtin        INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),"
  "  position       INTEGER NOT NULL DEFAULT 0"
  ");"
  /* module_id has no foreign key on purpose: a module used by jobs may be
   * deleted, the jobs keep their own copy of its prompt. */
  "CREATE TABLE jobs ("
  "  id          INTEGER PRIMARY KEY,"
  "  name        TEXT NOT NULL,"
  "  module_id   TEXT NOT NULL,"
  "  model       TEXT NOT NULL CHECK (model <> ''),"
  "  prompt      TEXT NOT NULL DEFAULT '',"
  "  status      TEXT NOT NULL DEFAULT 'PENDING'"
  "              CHECK (status IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED')),"
  "  source_key  TEXT,"
  "  spend_cap   REAL NOT NULL DEFAULT 0 CHECK (spend_cap >= 0),"
  "  created_at  INTEGER NOT NULL,"
  "  updated_at  INTEGER NOT NULL,"
  "  launched_at INTEGER NOT NULL DEFAULT 0,"
  "  finished_at INTEGER NOT NULL DEFAULT 0"
  ");"
  /* The claim walks the launched jobs of one model in launch order. */
  "CREATE INDEX jobs_queue ON jobs (status, model, launched_at);"
  "CREATE INDEX jobs_source_key ON jobs (source_key) WHERE source_key IS NOT NULL;"
  "CREATE TABLE images ("
  "  id               INTEGER PRIMARY KEY,"
  "  job_id           INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
  "  position         INTEGER NOT NULL,"
  "  original_name    TEXT NOT NULL DEFAULT '',"
  "  source_path      TEXT,"
  "  original_key     TEXT NOT NULL,"
  "  sha256           TEXT NOT NULL,"
  "  mime             TEXT,"
  "  width            INTEGER NOT NULL DEFAULT 0,"
  "  height           INTEGER NOT NULL DEFAULT 0,"
  "  orientation      INTEGER NOT NULL DEFAULT 1 CHECK (orientation BETWEEN 1 AND 8),"
  "  bytes            INTEGER NOT NULL DEFAULT 0,"
  "  thumb_key        TEXT,"
  "  processed_key    TEXT,"
  "  processed_mime   TEXT,"
  "  request_key      TEXT,"
  "  status           TEXT NOT NULL DEFAULT 'PENDING'"
  "                   CHECK (status IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'RETRY_LATER')),"
  "  specific_prompt  TEXT,"
  "  retry_count      INTEGER NOT NULL DEFAULT 0,"
  "  next_retry_at    INTEGER NOT NULL DEFAULT 0,"
  "  attempt          INTEGER NOT NULL DEFAULT 0,"
  "  lease_owner      TEXT,"
  "  lease_expires_at INTEGER NOT NULL DEFAULT 0,"
  "  error_code       TEXT,"
  "  error_message    TEXT,"
  "  cost             REAL NOT NULL DEFAULT 0,"
  "  created_at       INTEGER NOT NULL,"
  "  updated_at       INTEGER NOT NULL,"
  "  UNIQUE (job_id, sha256)"
  ");"
  "CREATE INDEX images_job_position ON images (job_id, position);"
  /* Partial: only open images are in it, so the claim never steps over the
   * thousands of finished rows of a big job, and the index stays small. */
  "CREATE INDEX images_claim ON images (job_id, position)"
  "  WHERE status IN ('PENDING', 'RETRY_LATER');"
  /* Leases are reaped and extended by owner and by expiry. */
  "CREATE INDEX images_lease ON images (lease_owner, lease_expires_at) WHERE status = 'PROCESSING';"
  "CREATE INDEX images_request_key ON images (request_key) WHERE request_key IS NOT NULL;"
  "CREATE TABLE rejections ("
  "  id         INTEGER PRIMARY KEY,"
  "  job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
  "  path       TEXT NOT NULL,"
  "  reason     TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX rejections_job ON rejections (job_id);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == LW_STORE_SCHEMA_VERSION);

#define JOB_COLUMNS \
  "id, name, module_id, model, prompt, status, source_key, spend_cap, " \
  "created_at, updated_at, launched_at, finished_at"

#define IMAGE_COLUMNS \
  "id, job_id, position, original_name, source_path, original_key, sha256, mime, " \
  "width, height, orientation, bytes, thumb_key, processed_key, processed_mime, " \
  "request_key, status, specific_prompt, retry_count, next_retry_at, attempt, " \
  "lease_owner, lease_expires_at, error_code, error_message, cost, created_at, updated_at"
#define N_IMAGE_COLUMNS 28

#define MODULE_COLUMNS \
  "id, name, description, icon, prompt, default_prompt, builtin, position"

/* Custom modules get an icon so the sidebar never shows a blank. */
#define CUSTOM_MODULE_ICON "applications-graphics-symbolic"

/* ---- errors and statements ---------------------------------------------- */

static void
set_sqlite_error (LwStore *self, GError **error, const char *what)
{
  g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_SQLITE,
               /* Translators: "<what was being done>: <SQLite's message> (<code>)" */
               _("%s: %s (SQLite error %d)"), what, sqlite3_errmsg (self->db),
               sqlite3_extended_errcode (self->db));
}

static void
set_not_found (GError **error, const char *what)
{
  g_set_error_literal (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND, what);
}

/* A cached statement borrowed for one use; the cleanup resets it (and so
 * releases its read snapshot) and clears its bindings. */
typedef sqlite3_stmt LwStmt;

static void
lw_stmt_release (LwStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwStmt, lw_stmt_release)

static LwStmt *
stmt_get (LwStore *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->stmts, sql);

  if (stmt != NULL)
    return stmt;
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, _("Could not prepare a database query"));
      return NULL;
    }
  g_hash_table_insert (self->stmts, (gpointer) sql, stmt);
  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt, int i, const char *value)
{
  /* NULL binds SQL NULL. */
  sqlite3_bind_text (stmt, i, value, -1, SQLITE_TRANSIENT);
}

static char *
column_strdup (sqlite3_stmt *stmt, int i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

static gpointer
column_strdup_0 (sqlite3_stmt *stmt)
{
  return column_strdup (stmt, 0);
}

/* Steps a statement that returns no rows. */
static gboolean
step_done (LwStore *self, sqlite3_stmt *stmt, const char *what, GError **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_sqlite_error (self, error, what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
exec_sql (LwStore *self, const char *sql, const char *what, GError **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, what);
      return FALSE;
    }
  return TRUE;
}

/* Opens BEGIN IMMEDIATE unless the caller already has a transaction open;
 * *owned says whether the matching tx_end must commit or roll back. */
static gboolean
tx_begin (LwStore *self, gboolean *owned, GError **error)
{
  *owned = sqlite3_get_autocommit (self->db) != 0;
  if (!*owned)
    return TRUE;
  return exec_sql (self, "BEGIN IMMEDIATE", _("Could not start a database transaction"), error);
}

static gboolean
tx_end (LwStore *self, gboolean owned, gboolean ok, GError **error)
{
  if (!owned)
    return ok;
  if (ok)
    {
      if (exec_sql (self, "COMMIT", _("Could not commit a database transaction"), error))
        return TRUE;
    }
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* ---- records from rows -------------------------------------------------- */

static LwJob *
job_from_row (sqlite3_stmt *stmt)
{
  LwJob *job = g_new0 (LwJob, 1);

  job->id = sqlite3_column_int64 (stmt, 0);
  job->name = column_strdup (stmt, 1);
  job->module_id = column_strdup (stmt, 2);
  job->model = column_strdup (stmt, 3);
  job->prompt = column_strdup (stmt, 4);
  if (!lw_job_status_from_string ((const char *) sqlite3_column_text (stmt, 5), &job->status))
    job->status = LW_JOB_PENDING;  /* unreachable: CHECK constraint */
  job->source_key = column_strdup (stmt, 6);
  job->spend_cap = sqlite3_column_double (stmt, 7);
  job->created_at = sqlite3_column_int64 (stmt, 8);
  job->updated_at = sqlite3_column_int64 (stmt, 9);
  job->launched_at = sqlite3_column_int64 (stmt, 10);
  job->finished_at = sqlite3_column_int64 (stmt, 11);
  return job;
}

static LwImage *
image_from_row (sqlite3_stmt *stmt)
{
  LwImage *image = g_new0 (LwImage, 1);

  image->id = sqlite3_column_int64 (stmt, 0);
  image->job_id = sqlite3_column_int64 (stmt, 1);
  image->position = sqlite3_column_int64 (stmt, 2);
  image->original_name = column_strdup (stmt, 3);
  image->source_path = column_strdup (stmt, 4);
  image->original_key = column_strdup (stmt, 5);
  image->sha256 = column_strdup (stmt, 6);
  image->mime = column_strdup (stmt, 7);
  image->width = sqlite3_column_int (stmt, 8);
  image->height = sqlite3_column_int (stmt, 9);
  image->orientation = sqlite3_column_int (stmt, 10);
  image->bytes = sqlite3_column_int64 (stmt, 11);
  image->thumb_key = column_strdup (stmt, 12);
  image->processed_key = column_strdup (stmt, 13);
  image->processed_mime = column_strdup (stmt, 14);
  image->request_key = column_strdup (stmt, 15);
  if (!lw_image_status_from_string ((const char *) sqlite3_column_text (stmt, 16), &image->status))
    image->status = LW_IMAGE_PENDING;  /* unreachable: CHECK constraint */
  image->specific_prompt = column_strdup (stmt, 17);
  image->retry_count = sqlite3_column_int (stmt, 18);
  image->next_retry_at = sqlite3_column_int64 (stmt, 19);
  image->attempt = sqlite3_column_int (stmt, 20);
  image->lease_owner = column_strdup (stmt, 21);
  image->lease_expires_at = sqlite3_column_int64 (stmt, 22);
  image->error_code = column_strdup (stmt, 23);
  image->error_message = column_strdup (stmt, 24);
  image->cost = sqlite3_column_double (stmt, 25);
  image->created_at = sqlite3_column_int64 (stmt, 26);
  image->updated_at = sqlite3_column_int64 (stmt, 27);
  return image;
}

static LwModule *
module_from_row (sqlite3_stmt *stmt)
{
  LwModule *module = g_new0 (LwModule, 1);

  module->id = column_strdup (stmt, 0);
  module->name = column_strdup (stmt, 1);
  module->description = column_strdup (stmt, 2);
  module->icon = column_strdup (stmt, 3);
  module->prompt = column_strdup (stmt, 4);
  module->default_prompt = column_strdup (stmt, 5);
  module->builtin = sqlite3_column_int (stmt, 6) != 0;
  module->position = sqlite3_column_int (stmt, 7);
  return module;
}

typedef gpointer (*RowFunc) (sqlite3_stmt *stmt);

/* Steps stmt to the end, collecting rows with from_row. */
static GPtrArray *
collect_rows (LwStore *self, sqlite3_stmt *stmt, RowFunc from_row,
              GDestroyNotify free_func, const char *what, GError **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, what);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* ---- GObject ------------------------------------------------------------ */

static void
lw_store_finalize (GObject *object)
{
  LwStore *self = LW_STORE (object);

  /* Statements first: sqlite3_close() refuses while any is alive. */
  g_clear_pointer (&self->stmts, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_free (self->path);

  G_OBJECT_CLASS (lw_store_parent_class)->finalize (object);
}

static void
lw_store_class_init (LwStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lw_store_finalize;
}

static void
lw_store_init (LwStore *self)
{
  self->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) sqlite3_finalize);
}

/* ---- opening ------------------------------------------------------------ */

static gboolean
read_user_version (LwStore *self, int *version, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, _("Could not read the database version"));
      return FALSE;
    }
  ok = sqlite3_step (stmt) == SQLITE_ROW;
  if (ok)
    *version = sqlite3_column_int (stmt, 0);
  else
    set_sqlite_error (self, error, _("Could not read the database version"));
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
check_not_too_new (LwStore *self, int version, GError **error)
{
  if (version <= LW_STORE_SCHEMA_VERSION)
    return TRUE;
  g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_TOO_NEW,
               _("The database %s was written by a newer version of LightWork "
                 "(schema %d, this version knows %d); it was left untouched"),
               self->path, version, LW_STORE_SCHEMA_VERSION);
  return FALSE;
}

/* Runs the missing migrations, all in one BEGIN IMMEDIATE: a second process
 * opening the same fresh file waits on busy_timeout, then re-reads the
 * version inside its own transaction and finds nothing left to do. */
static gboolean
migrate (LwStore *self, GError **error)
{
  int version = 0;
  gboolean ok = TRUE;

  if (!exec_sql (self, "BEGIN IMMEDIATE", _("Could not lock the database to update it"), error))
    return FALSE;
  ok = read_user_version (self, &version, error) && check_not_too_new (self, version, error);
  for (int v = version; ok && v < LW_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      /* The only formatted SQL here: an integer of our own, as PRAGMA
       * takes no bound parameters. */
      ok = exec_sql (self, migrations[v], _("Could not update the database schema"), error)
           && exec_sql (self, set_version, _("Could not update the database schema"), error);
    }
  if (ok)
    self->schema_version = MAX (version, LW_STORE_SCHEMA_VERSION);
  return tx_end (self, TRUE, ok, error);
}

/* Built-ins that are missing are inserted; existing ones keep the user's
 * prompt, but name, description, icon and default_prompt follow the shipped
 * text, so a better default in a new release reaches "reset". A prompt the
 * user never edited (still equal to the old default) follows too. Rows that
 * already match are not written (no WAL traffic on every open). */
static gboolean
seed_modules (LwStore *self, GError **error)
{
  static const char insert_sql[] =
    "INSERT OR IGNORE INTO modules (" MODULE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1, ?6)";
  static const char refresh_sql[] =
    "UPDATE modules SET"
    "  prompt = CASE WHEN prompt IS default_prompt THEN ?5 ELSE prompt END,"
    "  name = ?2, description = ?3, icon = ?4, default_prompt = ?5, builtin = 1, position = ?6"
    " WHERE id = ?1 AND (name IS NOT ?2 OR description IS NOT ?3 OR icon IS NOT ?4"
    "  OR default_prompt IS NOT ?5 OR builtin <> 1 OR position <> ?6)";
  const LwBuiltinModule *builtins;
  guint n = 0;
  gboolean owned;
  gboolean ok;

  builtins = lw_builtin_modules (&n);
  if (!tx_begin (self, &owned, error))
    return FALSE;
  ok = TRUE;
  for (guint i = 0; ok && i < n; i++)
    {
      const char *sqls[] = { insert_sql, refresh_sql };

      for (guint s = 0; ok && s < G_N_ELEMENTS (sqls); s++)
        {
          g_autoptr(LwStmt) stmt = stmt_get (self, sqls[s], error);

          ok = stmt != NULL;
          if (!ok)
            break;
          bind_text (stmt, 1, builtins[i].id);
          bind_text (stmt, 2, builtins[i].name);
          bind_text (stmt, 3, builtins[i].description);
          bind_text (stmt, 4, builtins[i].icon);
          bind_text (stmt, 5, builtins[i].prompt);
          sqlite3_bind_int (stmt, 6, (int) i);
          ok = step_done (self, stmt, _("Could not add the built-in modules"), error);
        }
    }
  return tx_end (self, owned, ok, error);
}

LwStore *
lw_store_open (const char *path, GError **error)
{
  g_autoptr(LwStore) self = NULL;
  int version = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (LW_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  /* NOMUTEX: one connection per thread, so SQLite's own mutexes would
   * only cost time. */
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      if (self->db == NULL)
        {
          g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_SQLITE,
                       _("Could not open the database %s: out of memory"), path);
          return NULL;
        }
      set_sqlite_error (self, error, _("Could not open the database"));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  /* 10 s: the window and lightwork-cli share the file; a writer waits for
   * the other's transaction (milliseconds) instead of failing. */
  sqlite3_busy_timeout (self->db, 10000);

  /* A newer schema is refused before anything writes to the file (turning
   * on WAL would rewrite its header). */
  if (!read_user_version (self, &version, error) || !check_not_too_new (self, version, error))
    return NULL;

  /* journal_mode=WAL persists in the file; synchronous and foreign_keys
   * are per connection and must be set on every one. NORMAL in WAL mode
   * is durable up to the last checkpoint-free commits after a power cut,
   * never corrupt. */
  if (!exec_sql (self, "PRAGMA journal_mode = WAL", _("Could not turn on write-ahead logging"), error)
      || !exec_sql (self, "PRAGMA synchronous = NORMAL", _("Could not configure the database"), error)
      || !exec_sql (self, "PRAGMA foreign_keys = ON", _("Could not configure the database"), error))
    return NULL;

  /* The common case, an up-to-date file, takes no write lock to migrate. */
  if (version == LW_STORE_SCHEMA_VERSION)
    self->schema_version = version;
  else if (!migrate (self, error))
    return NULL;
  if (!seed_modules (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
lw_store_get_path (LwStore *self)
{
  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  return self->path;
}

sqlite3 *
lw_store_get_db (LwStore *self)
{
  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  return self->db;
}

int
lw_store_get_schema_version (LwStore *self)
{
  g_return_val_if_fail (LW_IS_STORE (self), 0);
  return self->schema_version;
}

gboolean
lw_store_begin (LwStore *self, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  if (!sqlite3_get_autocommit (self->db))
    {
      g_set_error_literal (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID,
                           _("A database transaction is already open"));
      return FALSE;
    }
  return exec_sql (self, "BEGIN IMMEDIATE", _("Could not start a database transaction"), error);
}

gboolean
lw_store_commit (LwStore *self, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  return exec_sql (self, "COMMIT", _("Could not commit a database transaction"), error);
}

void
lw_store_rollback (LwStore *self)
{
  g_return_if_fail (LW_IS_STORE (self));
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- settings ----------------------------------------------------------- */

char *
lw_store_get_setting (LwStore *self, const char *key)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  stmt = stmt_get (self, "SELECT value FROM settings WHERE key = ?", NULL);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return column_strdup (stmt, 0);
}

gboolean
lw_store_set_setting (LwStore *self, const char *key, const char *value, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (value != NULL)
    stmt = stmt_get (self,
                     "INSERT INTO settings (key, value) VALUES (?1, ?2)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  else
    stmt = stmt_get (self, "DELETE FROM settings WHERE key = ?1", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  if (value != NULL)
    bind_text (stmt, 2, value);
  return step_done (self, stmt, _("Could not save a setting"), error);
}

gint64
lw_store_get_setting_int (LwStore *self, const char *key, gint64 default_value)
{
  g_autofree char *value = lw_store_get_setting (self, key);
  gint64 result;

  if (value == NULL
      || !g_ascii_string_to_signed (g_strstrip (value), 10, G_MININT64, G_MAXINT64, &result, NULL))
    return default_value;
  return result;
}

double
lw_store_get_setting_double (LwStore *self, const char *key, double default_value)
{
  g_autofree char *value = lw_store_get_setting (self, key);
  char *end = NULL;
  double result;

  if (value == NULL || *g_strstrip (value) == '\0')
    return default_value;
  result = g_ascii_strtod (value, &end);
  if (end == NULL || *end != '\0' || !isfinite (result))
    return default_value;
  return result;
}

/* ---- modules ------------------------------------------------------------ */

GPtrArray *
lw_store_list_modules (LwStore *self, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  stmt = stmt_get (self, "SELECT " MODULE_COLUMNS " FROM modules ORDER BY position, builtin DESC, id", error);
  if (stmt == NULL)
    return NULL;
  return collect_rows (self, stmt, (RowFunc) module_from_row, (GDestroyNotify) lw_module_free,
                       _("Could not list the modules"), error);
}

LwModule *
lw_store_get_module (LwStore *self, const char *id, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  stmt = stmt_get (self, "SELECT " MODULE_COLUMNS " FROM modules WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return module_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND, _("There is no module “%s”"), id);
  else
    set_sqlite_error (self, error, _("Could not read a module"));
  return NULL;
}

/* The name a person reads: built-in names are stored as shipped (English)
 * and translated on the way out. */
static const char *
module_display_name (const LwModule *module)
{
  return module->builtin ? g_dgettext (GETTEXT_PACKAGE, module->name) : module->name;
}

static gboolean
module_exists (LwStore *self, const char *id, gboolean *exists, GError **error)
{
  g_autoptr(LwStmt) stmt = stmt_get (self, "SELECT 1 FROM modules WHERE id = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, _("Could not read a module"));
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

  if (*trimmed == '\0')
    {
      g_set_error_literal (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID, _("A module needs a name"));
      return NULL;
    }
  if (!tx_begin (self, &owned, error))
    return NULL;

  module = g_new0 (LwModule, 1);
  module->id = unique_module_id (self, trimmed, error);
  if (module->id != NULL)
    {
      g_autoptr(LwStmt) stmt = stmt_get (self,
        "INSERT INTO modules (" MODULE_COLUMNS ")"
        " VALUES (?1, ?2, ?3, ?4, ?5, NULL, 0, (SELECT COALESCE(MAX(position), -1) + 1 FROM modules))"
        " RETURNING position", error);

      if (stmt != NULL)
        {
          module->name = g_steal_pointer (&trimmed);
          module->description = g_strdup (description != NULL ? description : "");
          module->icon = g_strdup (icon != NULL ? icon : CUSTOM_MODULE_ICON);
          module->prompt = g_strdup (prompt != NULL ? prompt : "");
          bind_text (stmt, 1, module->id);
          bind_text (stmt, 2, module->name);
          bind_text (stmt, 3, module->description);
          bind_text (stmt, 4, module->icon);
          bind_text (stmt, 5, module->prompt);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              module->position = sqlite3_column_int (stmt, 0);
              ok = step_done (self, stmt, _("Could not create the module"), error);
            }
          else
            set_sqlite_error (self, error, _("Could not create the module"));
        }
    }
  if (!tx_end (self, owned, ok, ok ? error : NULL))
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

  if (module->name == NULL || *module->name == '\0')
    {
      g_set_error_literal (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID, _("A module needs a name"));
      return FALSE;
    }
  stmt = stmt_get (self, "UPDATE modules SET name = ?2, description = ?3, prompt = ?4 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, module->id);
  bind_text (stmt, 2, module->name);
  bind_text (stmt, 3, module->description != NULL ? module->description : "");
  bind_text (stmt, 4, module->prompt != NULL ? module->prompt : "");
  if (!step_done (self, stmt, _("Could not save the module"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND, _("There is no module “%s”"), module->id);
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
  g_autoptr(LwStmt) stmt = NULL;

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
  stmt = stmt_get (self, "DELETE FROM modules WHERE id = ? AND builtin = 0", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  return step_done (self, stmt, _("Could not delete the module"), error);
}

gboolean
lw_store_reset_module (LwStore *self, const char *id, GError **error)
{
  g_autoptr(LwModule) module = NULL;
  g_autoptr(LwStmt) stmt = NULL;

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
  stmt = stmt_get (self, "UPDATE modules SET prompt = default_prompt WHERE id = ? AND default_prompt IS NOT NULL", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  return step_done (self, stmt, _("Could not reset the module"), error);
}

/* ---- jobs --------------------------------------------------------------- */

/* Runs an UPDATE/DELETE whose ?1 is a row id; no row → NOT_FOUND. */
static gboolean
step_one_row (LwStore *self, sqlite3_stmt *stmt, const char *what, const char *not_found, GError **error)
{
  if (!step_done (self, stmt, what, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      set_not_found (error, not_found);
      return FALSE;
    }
  return TRUE;
}

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

  if (model == NULL || *model == '\0')
    {
      g_set_error_literal (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID, _("A job needs a model"));
      return NULL;
    }
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

  stmt = stmt_get (self,
                   "INSERT INTO jobs (name, module_id, model, prompt, status, source_key, created_at, updated_at)"
                   " VALUES (?1, ?2, ?3, ?4, 'PENDING', ?5, ?6, ?6) RETURNING id", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, job->name);
  bind_text (stmt, 2, job->module_id);
  bind_text (stmt, 3, job->model);
  bind_text (stmt, 4, job->prompt);
  bind_text (stmt, 5, job->source_key);
  sqlite3_bind_int64 (stmt, 6, now);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_sqlite_error (self, error, _("Could not create the job"));
      return NULL;
    }
  job->id = sqlite3_column_int64 (stmt, 0);
  if (!step_done (self, stmt, _("Could not create the job"), error))
    return NULL;
  return g_steal_pointer (&job);
}

LwJob *
lw_store_get_job (LwStore *self, gint64 id, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  stmt = stmt_get (self, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return job_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND,
                 _("There is no job %" G_GINT64_FORMAT), id);
  else
    set_sqlite_error (self, error, _("Could not read a job"));
  return NULL;
}

LwJob *
lw_store_find_job_by_source_key (LwStore *self, const char *source_key, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  g_return_val_if_fail (source_key != NULL, NULL);

  stmt = stmt_get (self, "SELECT " JOB_COLUMNS " FROM jobs WHERE source_key = ? ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, source_key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return job_from_row (stmt);
  if (rc != SQLITE_DONE)
    set_sqlite_error (self, error, _("Could not look for a job"));
  return NULL;
}

GPtrArray *
lw_store_list_jobs (LwStore *self, int limit, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  stmt = stmt_get (self, "SELECT " JOB_COLUMNS " FROM jobs ORDER BY created_at DESC, id DESC LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, limit > 0 ? limit : -1);  /* -1: no limit */
  return collect_rows (self, stmt, (RowFunc) job_from_row, (GDestroyNotify) lw_job_free,
                       _("Could not list the jobs"), error);
}

static gboolean
update_job_text (LwStore *self, const char *sql, gint64 id, const char *value, gint64 now,
                 const char *what, GError **error)
{
  g_autoptr(LwStmt) stmt = stmt_get (self, sql, error);
  g_autofree char *not_found = g_strdup_printf (_("There is no job %" G_GINT64_FORMAT), id);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, value);
  sqlite3_bind_int64 (stmt, 3, now);
  return step_one_row (self, stmt, what, not_found, error);
}

gboolean
lw_store_rename_job (LwStore *self, gint64 id, const char *name, gint64 now, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  if (name == NULL || *name == '\0')
    {
      g_set_error_literal (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID, _("A job needs a name"));
      return FALSE;
    }
  return update_job_text (self, "UPDATE jobs SET name = ?2, updated_at = ?3 WHERE id = ?1",
                          id, name, now, _("Could not rename the job"), error);
}

gboolean
lw_store_set_job_prompt (LwStore *self, gint64 id, const char *prompt, gint64 now, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  return update_job_text (self, "UPDATE jobs SET prompt = ?2, updated_at = ?3 WHERE id = ?1",
                          id, prompt != NULL ? prompt : "", now, _("Could not save the job’s prompt"), error);
}

gboolean
lw_store_set_job_model (LwStore *self, gint64 id, const char *model, gint64 now, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  if (model == NULL || *model == '\0')
    {
      g_set_error_literal (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID, _("A job needs a model"));
      return FALSE;
    }
  return update_job_text (self, "UPDATE jobs SET model = ?2, updated_at = ?3 WHERE id = ?1",
                          id, model, now, _("Could not change the job’s model"), error);
}

gboolean
lw_store_set_job_module (LwStore *self, gint64 id, const char *module_id, gint64 now, GError **error)
{
  g_autoptr(LwModule) module = NULL;
  g_autoptr(LwStmt) stmt = NULL;
  g_autofree char *not_found = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (module_id != NULL, FALSE);

  module = lw_store_get_module (self, module_id, error);
  if (module == NULL)
    return FALSE;
  stmt = stmt_get (self, "UPDATE jobs SET module_id = ?2, prompt = ?3, updated_at = ?4 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, module->id);
  bind_text (stmt, 3, module->prompt);
  sqlite3_bind_int64 (stmt, 4, now);
  not_found = g_strdup_printf (_("There is no job %" G_GINT64_FORMAT), id);
  return step_one_row (self, stmt, _("Could not change the job’s module"), not_found, error);
}

gboolean
lw_store_set_job_spend_cap (LwStore *self, gint64 id, double cap, gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  g_autofree char *not_found = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  if (!isfinite (cap) || cap < 0)
    {
      g_set_error_literal (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID,
                           _("A spending limit cannot be negative"));
      return FALSE;
    }
  stmt = stmt_get (self, "UPDATE jobs SET spend_cap = ?2, updated_at = ?3 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_double (stmt, 2, cap);
  sqlite3_bind_int64 (stmt, 3, now);
  not_found = g_strdup_printf (_("There is no job %" G_GINT64_FORMAT), id);
  return step_one_row (self, stmt, _("Could not set the job’s spending limit"), not_found, error);
}

gboolean
lw_store_set_job_status (LwStore *self, gint64 id, LwJobStatus status, gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  g_autofree char *not_found = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (lw_job_status_to_string (status) != NULL, FALSE);

  /* launched_at is the first launch only: a cancelled job launched again
   * keeps its place in the queue's order. */
  stmt = stmt_get (self,
                   "UPDATE jobs SET status = ?2, updated_at = ?3,"
                   "  launched_at = CASE WHEN ?2 = 'PROCESSING' AND launched_at = 0 THEN ?3 ELSE launched_at END,"
                   "  finished_at = CASE WHEN ?2 IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN ?3 ELSE 0 END"
                   " WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, lw_job_status_to_string (status));
  sqlite3_bind_int64 (stmt, 3, now);
  not_found = g_strdup_printf (_("There is no job %" G_GINT64_FORMAT), id);
  return step_one_row (self, stmt, _("Could not change the job’s status"), not_found, error);
}

gboolean
lw_store_delete_job (LwStore *self, gint64 id, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  g_autofree char *not_found = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  /* images and rejections go with it (ON DELETE CASCADE); their blobs at
   * the next sweep, once no row names them. */
  stmt = stmt_get (self, "DELETE FROM jobs WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  not_found = g_strdup_printf (_("There is no job %" G_GINT64_FORMAT), id);
  return step_one_row (self, stmt, _("Could not delete the job"), not_found, error);
}

gboolean
lw_store_count_images (LwStore *self, gint64 job_id, LwJobCounts *counts, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  memset (counts, 0, sizeof *counts);
  stmt = stmt_get (self, "SELECT status, COUNT(*) FROM images WHERE job_id = ? GROUP BY status", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, job_id);
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
      set_sqlite_error (self, error, _("Could not count the job’s images"));
      return FALSE;
    }
  return TRUE;
}

double
lw_store_get_job_cost (LwStore *self, gint64 job_id)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), 0);

  stmt = stmt_get (self, "SELECT COALESCE(SUM(cost), 0) FROM images WHERE job_id = ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, job_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return sqlite3_column_double (stmt, 0);
}

/* ---- images ------------------------------------------------------------- */

static gboolean
forget_rejection (LwStore *self, gint64 job_id, const char *path, GError **error)
{
  g_autoptr(LwStmt) stmt = stmt_get (self, "DELETE FROM rejections WHERE job_id = ? AND path = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, job_id);
  bind_text (stmt, 2, path);
  return step_done (self, stmt, _("Could not record a refused file"), error);
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
  if (!tx_begin (self, &owned, error))
    return FALSE;

  find = stmt_get (self, "SELECT id FROM images WHERE job_id = ? AND sha256 = ?", error);
  if (find == NULL)
    goto out;
  sqlite3_bind_int64 (find, 1, image->job_id);
  bind_text (find, 2, image->sha256);
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
      set_sqlite_error (self, error, _("Could not add an image"));
      goto out;
    }

  insert = stmt_get (self,
    "INSERT INTO images (job_id, position, original_name, source_path, original_key, sha256, mime,"
    "  width, height, orientation, bytes, thumb_key, specific_prompt, status, created_at, updated_at)"
    " VALUES (?1, (SELECT COALESCE(MAX(position), -1) + 1 FROM images WHERE job_id = ?1),"
    "  ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'PENDING', ?13, ?13)"
    " RETURNING id, position", error);
  if (insert == NULL)
    goto out;
  sqlite3_bind_int64 (insert, 1, image->job_id);
  bind_text (insert, 2, image->original_name != NULL ? image->original_name : "");
  bind_text (insert, 3, image->source_path);
  bind_text (insert, 4, image->original_key);
  bind_text (insert, 5, image->sha256);
  bind_text (insert, 6, image->mime);
  sqlite3_bind_int (insert, 7, image->width);
  sqlite3_bind_int (insert, 8, image->height);
  sqlite3_bind_int (insert, 9, image->orientation >= 1 && image->orientation <= 8 ? image->orientation : 1);
  sqlite3_bind_int64 (insert, 10, image->bytes);
  bind_text (insert, 11, image->thumb_key);
  bind_text (insert, 12, image->specific_prompt != NULL && *image->specific_prompt != '\0'
                         ? image->specific_prompt : NULL);
  sqlite3_bind_int64 (insert, 13, now);
  if (sqlite3_step (insert) != SQLITE_ROW)
    {
      set_sqlite_error (self, error, _("Could not add an image"));
      goto out;
    }
  image->id = sqlite3_column_int64 (insert, 0);
  image->position = sqlite3_column_int64 (insert, 1);
  if (!step_done (self, insert, _("Could not add an image"), error))
    goto out;
  image->status = LW_IMAGE_PENDING;
  image->created_at = image->updated_at = now;
  /* A file refused before and staged now (the user fixed it) is no longer
   * refused. */
  if (image->source_path != NULL && !forget_rejection (self, image->job_id, image->source_path, error))
    goto out;
  ok = TRUE;

out:
  return tx_end (self, owned, ok, ok ? error : NULL);
}

LwImage *
lw_store_get_image (LwStore *self, gint64 id, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  stmt = stmt_get (self, "SELECT " IMAGE_COLUMNS " FROM images WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return image_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND,
                 _("There is no image %" G_GINT64_FORMAT), id);
  else
    set_sqlite_error (self, error, _("Could not read an image"));
  return NULL;
}

GPtrArray *
lw_store_list_images (LwStore *self, gint64 job_id, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  stmt = stmt_get (self, "SELECT " IMAGE_COLUMNS " FROM images WHERE job_id = ? ORDER BY position", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, job_id);
  return collect_rows (self, stmt, (RowFunc) image_from_row, (GDestroyNotify) lw_image_free,
                       _("Could not list the job’s images"), error);
}

static gboolean
update_image_text (LwStore *self, const char *sql, gint64 id, const char *value, gint64 now,
                   const char *what, GError **error)
{
  g_autoptr(LwStmt) stmt = stmt_get (self, sql, error);
  g_autofree char *not_found = g_strdup_printf (_("There is no image %" G_GINT64_FORMAT), id);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, value);
  sqlite3_bind_int64 (stmt, 3, now);
  return step_one_row (self, stmt, what, not_found, error);
}

gboolean
lw_store_set_image_prompt (LwStore *self, gint64 id, const char *prompt, gint64 now, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  return update_image_text (self, "UPDATE images SET specific_prompt = ?2, updated_at = ?3 WHERE id = ?1",
                            id, prompt != NULL && *prompt != '\0' ? prompt : NULL, now,
                            _("Could not save the image’s instruction"), error);
}

gboolean
lw_store_set_image_thumb (LwStore *self, gint64 id, const char *thumb_key, gint64 now, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  return update_image_text (self, "UPDATE images SET thumb_key = ?2, updated_at = ?3 WHERE id = ?1",
                            id, thumb_key, now, _("Could not save the image’s thumbnail"), error);
}

gboolean
lw_store_remove_image (LwStore *self, gint64 id, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  g_autofree char *not_found = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  stmt = stmt_get (self, "DELETE FROM images WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  not_found = g_strdup_printf (_("There is no image %" G_GINT64_FORMAT), id);
  return step_one_row (self, stmt, _("Could not remove the image"), not_found, error);
}

int
lw_store_retry_failed (LwStore *self, gint64 job_id, gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), -1);

  /* RETRY_LATER images are left alone: they are on their way back by
   * themselves, and resetting them would defeat the server's back-off. */
  stmt = stmt_get (self,
                   "UPDATE images SET status = 'PENDING', retry_count = 0, next_retry_at = 0,"
                   "  error_code = NULL, error_message = NULL, updated_at = ?2"
                   " WHERE job_id = ?1 AND status = 'FAILED'", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, job_id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!step_done (self, stmt, _("Could not queue the failed images again"), error))
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
  stmt = stmt_get (self,
                   "UPDATE images SET status = 'PENDING', retry_count = 0, next_retry_at = 0,"
                   "  error_code = NULL, error_message = NULL, updated_at = ?3,"
                   "  processed_key = CASE WHEN ?2 THEN NULL ELSE processed_key END,"
                   "  processed_mime = CASE WHEN ?2 THEN NULL ELSE processed_mime END,"
                   "  request_key = CASE WHEN ?2 THEN NULL ELSE request_key END"
                   " WHERE id = ?1 AND status <> 'PROCESSING'", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int (stmt, 2, force ? 1 : 0);
  sqlite3_bind_int64 (stmt, 3, now);
  if (!step_done (self, stmt, _("Could not queue the image again"), error))
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
  stmt = stmt_get (self, "INSERT INTO rejections (job_id, path, reason, created_at) VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, job_id);
  bind_text (stmt, 2, path);
  bind_text (stmt, 3, reason);
  sqlite3_bind_int64 (stmt, 4, now);
  return step_done (self, stmt, _("Could not record a refused file"), error);
}

static LwRejection *
rejection_from_row (sqlite3_stmt *stmt)
{
  LwRejection *rejection = g_new0 (LwRejection, 1);

  rejection->id = sqlite3_column_int64 (stmt, 0);
  rejection->job_id = sqlite3_column_int64 (stmt, 1);
  rejection->path = column_strdup (stmt, 2);
  rejection->reason = column_strdup (stmt, 3);
  rejection->created_at = sqlite3_column_int64 (stmt, 4);
  return rejection;
}

GPtrArray *
lw_store_list_rejections (LwStore *self, gint64 job_id, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  stmt = stmt_get (self,
                   "SELECT id, job_id, path, reason, created_at FROM rejections WHERE job_id = ? ORDER BY id",
                   error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, job_id);
  return collect_rows (self, stmt, (RowFunc) rejection_from_row, (GDestroyNotify) lw_rejection_free,
                       _("Could not list the refused files"), error);
}

/* ---- the queue ---------------------------------------------------------- */

typedef struct {
  gint64   launched_at;
  LwImage *image;
} Claimed;

static int
compare_claimed (gconstpointer a, gconstpointer b)
{
  const Claimed *x = a, *y = b;

  if (x->launched_at != y->launched_at)
    return x->launched_at < y->launched_at ? -1 : 1;
  if (x->image->job_id != y->image->job_id)
    return x->image->job_id < y->image->job_id ? -1 : 1;
  return x->image->position < y->image->position ? -1 : x->image->position > y->image->position;
}

/* The claim, one statement (DESIGN.md, "The queue"). Its rules, and why:
 *  1. Only images of launched jobs (jobs.status = 'PROCESSING'): staged and
 *     cancelled jobs wait for the user.
 *  2. Only jobs of this model: each model has its own pool (concurrency
 *     1–16, requests per minute), so each claims for itself.
 *  3. PENDING, or RETRY_LATER whose next_retry_at has passed: the back-off
 *     (2 s base, 5 min cap, or the server's retryDelay) is honoured here,
 *     not by a sleeping thread.
 *  4. ORDER BY jobs.launched_at, jobs.id, position: first launched, first
 *     finished; within a job the order the user sees in the grid.
 *  5. attempt + 1 is the fencing token the finishes check, so a worker
 *     whose lease was reaped can never overwrite a newer attempt.
 *  6. lease_expires_at = now + lease_ms: a claim of a process that died
 *     (killed, machine slept) returns to the queue when it expires.
 *  7. LIMIT = the free slots of the pool (max); `UPDATE … LIMIT` is not
 *     used because the Flatpak runtime's SQLite is built without
 *     SQLITE_ENABLE_UPDATE_DELETE_LIMIT, hence the id IN (SELECT …).
 *  8. The redundant `i.status IN (…)` lets the partial index images_claim
 *     (open images only) serve the walk: a job with 10,000 finished images
 *     costs the same per claim as a fresh one.
 *  9. It runs in BEGIN IMMEDIATE: the write lock is taken before the
 *     SELECT reads, so concurrent claimers (threads or the CLI) queue on
 *     busy_timeout instead of picking the same rows, and never hit
 *     SQLITE_BUSY_SNAPSHOT upgrading a read transaction.
 * RETURNING gives no order, so the launch time comes back with each row
 * and the few rows are sorted here. */
static const char claim_sql[] =
  "UPDATE images SET status = 'PROCESSING', attempt = attempt + 1,"
  "  lease_owner = ?1, lease_expires_at = ?2, updated_at = ?3"
  " WHERE id IN ("
  "  SELECT i.id FROM images AS i INDEXED BY images_claim"
  "  JOIN jobs AS j ON j.id = i.job_id"
  "  WHERE j.status = 'PROCESSING' AND j.model = ?4"
  "    AND i.status IN ('PENDING', 'RETRY_LATER')"
  "    AND (i.status = 'PENDING' OR (i.status = 'RETRY_LATER' AND i.next_retry_at <= ?3))"
  "  ORDER BY j.launched_at, j.id, i.position"
  "  LIMIT ?5)"
  " RETURNING " IMAGE_COLUMNS ", (SELECT launched_at FROM jobs WHERE jobs.id = images.job_id)";

GPtrArray *
lw_store_claim (LwStore *self, const char *model, int max, const char *owner, gint64 now,
                gint64 lease_ms, GError **error)
{
  g_autoptr(GArray) claimed = g_array_new (FALSE, FALSE, sizeof (Claimed));
  g_autoptr(GPtrArray) images = NULL;
  gboolean owned;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  g_return_val_if_fail (model != NULL && owner != NULL, NULL);

  images = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_image_free);
  if (max <= 0)
    return g_steal_pointer (&images);

  if (!tx_begin (self, &owned, error))
    return NULL;
  {
    g_autoptr(LwStmt) stmt = stmt_get (self, claim_sql, error);

    if (stmt != NULL)
      {
        bind_text (stmt, 1, owner);
        sqlite3_bind_int64 (stmt, 2, now + lease_ms);
        sqlite3_bind_int64 (stmt, 3, now);
        bind_text (stmt, 4, model);
        sqlite3_bind_int (stmt, 5, max);
        while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
          {
            Claimed c = { sqlite3_column_int64 (stmt, N_IMAGE_COLUMNS), image_from_row (stmt) };

            g_array_append_val (claimed, c);
          }
        ok = rc == SQLITE_DONE;
        if (!ok)
          set_sqlite_error (self, error, _("Could not take images from the queue"));
      }
  }
  ok = tx_end (self, owned, ok, ok ? error : NULL);
  g_array_sort (claimed, compare_claimed);
  for (guint i = 0; i < claimed->len; i++)
    {
      LwImage *image = g_array_index (claimed, Claimed, i).image;

      if (ok)
        g_ptr_array_add (images, image);
      else
        lw_image_free (image);
    }
  if (!ok)
    return NULL;
  return g_steal_pointer (&images);
}

/* ?1 id, ?2 attempt, ?3 now, ?4 cost, then each finish's own. The WHERE is
 * the fence: only the attempt that holds the claim may finish it. cost is
 * added, never set: a paid call that failed still cost money. */
#define FENCE " WHERE id = ?1 AND status = 'PROCESSING' AND attempt = ?2"
#define CLEAR_LEASE "lease_owner = NULL, lease_expires_at = 0, updated_at = ?3"

static const char finish_completed_sql[] =
  "UPDATE images SET status = 'COMPLETED', processed_key = ?5, processed_mime = ?6, request_key = ?7,"
  "  cost = cost + ?4, error_code = NULL, error_message = NULL, next_retry_at = 0, " CLEAR_LEASE
  FENCE;
static const char finish_retry_sql[] =
  "UPDATE images SET status = 'RETRY_LATER', retry_count = retry_count + 1, next_retry_at = ?5,"
  "  error_code = ?6, error_message = ?7, cost = cost + ?4, " CLEAR_LEASE
  FENCE;
static const char finish_failed_sql[] =
  "UPDATE images SET status = 'FAILED', error_code = ?5, error_message = ?6, next_retry_at = 0,"
  "  cost = cost + ?4, " CLEAR_LEASE
  FENCE;
/* A release is not a failure: retry_count stays, the next claim still
 * increments attempt. */
static const char release_sql[] =
  "UPDATE images SET status = 'PENDING', cost = cost + ?4, " CLEAR_LEASE
  FENCE;

static LwStmt *
finish_begin (LwStore *self, const char *sql, gint64 id, int attempt, gint64 now, double cost, GError **error)
{
  LwStmt *stmt = stmt_get (self, sql, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int (stmt, 2, attempt);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_double (stmt, 4, isfinite (cost) && cost > 0 ? cost : 0);
  return stmt;
}

static gboolean
finish_end (LwStore *self, sqlite3_stmt *stmt, gboolean *fenced_out, GError **error)
{
  gboolean fenced;

  if (!step_done (self, stmt, _("Could not record an image’s result"), error))
    return FALSE;
  /* No row: the claim is gone (reaped, released, re-claimed, or the job
   * deleted). Not an error; the caller drops its orphan blob. */
  fenced = sqlite3_changes (self->db) == 0;
  if (fenced_out != NULL)
    *fenced_out = fenced;
  return TRUE;
}

gboolean
lw_store_finish_completed (LwStore *self, gint64 id, int attempt, const char *processed_key,
                           const char *processed_mime, const char *request_key, double cost,
                           gint64 now, gboolean *fenced_out, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (processed_key != NULL, FALSE);

  stmt = finish_begin (self, finish_completed_sql, id, attempt, now, cost, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 5, processed_key);
  bind_text (stmt, 6, processed_mime);
  bind_text (stmt, 7, request_key);
  return finish_end (self, stmt, fenced_out, error);
}

gboolean
lw_store_finish_retry (LwStore *self, gint64 id, int attempt, gint64 next_retry_at,
                       const char *error_code, const char *error_message, double cost,
                       gint64 now, gboolean *fenced_out, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  stmt = finish_begin (self, finish_retry_sql, id, attempt, now, cost, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 5, next_retry_at);
  bind_text (stmt, 6, error_code);
  bind_text (stmt, 7, error_message);
  return finish_end (self, stmt, fenced_out, error);
}

gboolean
lw_store_finish_failed (LwStore *self, gint64 id, int attempt, const char *error_code,
                        const char *error_message, double cost, gint64 now,
                        gboolean *fenced_out, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  stmt = finish_begin (self, finish_failed_sql, id, attempt, now, cost, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 5, error_code);
  bind_text (stmt, 6, error_message);
  return finish_end (self, stmt, fenced_out, error);
}

gboolean
lw_store_release (LwStore *self, gint64 id, int attempt, gint64 now, gboolean *fenced_out, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  stmt = finish_begin (self, release_sql, id, attempt, now, 0, error);
  if (stmt == NULL)
    return FALSE;
  return finish_end (self, stmt, fenced_out, error);
}

int
lw_store_extend_leases (LwStore *self, const char *owner, gint64 until, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), -1);
  g_return_val_if_fail (owner != NULL, -1);

  stmt = stmt_get (self,
                   "UPDATE images SET lease_expires_at = ?2"
                   " WHERE status = 'PROCESSING' AND lease_owner = ?1", error);
  if (stmt == NULL)
    return -1;
  bind_text (stmt, 1, owner);
  sqlite3_bind_int64 (stmt, 2, until);
  if (!step_done (self, stmt, _("Could not extend the leases"), error))
    return -1;
  return sqlite3_changes (self->db);
}

/* The owners holding leases, asked about outside any transaction: is_dead
 * may take its time (a D-Bus or /proc lookup) and must not hold the write
 * lock while it does. */
static GPtrArray *
dead_owners (LwStore *self, LwOwnerDeadFunc is_dead, gpointer user_data, GError **error)
{
  g_autoptr(GPtrArray) owners = NULL;
  g_autoptr(GPtrArray) dead = g_ptr_array_new_with_free_func (g_free);

  if (is_dead == NULL)
    return g_steal_pointer (&dead);
  {
    g_autoptr(LwStmt) stmt = stmt_get (self,
      "SELECT DISTINCT lease_owner FROM images WHERE status = 'PROCESSING' AND lease_owner IS NOT NULL", error);

    if (stmt == NULL)
      return NULL;
    owners = collect_rows (self, stmt, (RowFunc) column_strdup_0, g_free, _("Could not read the leases"), error);
  }
  if (owners == NULL)
    return NULL;
  for (guint i = 0; i < owners->len; i++)
    if (is_dead (owners->pdata[i], user_data))
      g_ptr_array_add (dead, g_strdup (owners->pdata[i]));
  return g_steal_pointer (&dead);
}

int
lw_store_reap_leases (LwStore *self, gint64 now, LwOwnerDeadFunc is_dead, gpointer user_data,
                      GError **error)
{
  g_autoptr(GPtrArray) dead = NULL;
  gboolean owned;
  gboolean ok = TRUE;
  int reaped = 0;

  g_return_val_if_fail (LW_IS_STORE (self), -1);

  dead = dead_owners (self, is_dead, user_data, error);
  if (dead == NULL)
    return -1;
  if (!tx_begin (self, &owned, error))
    return -1;
  /* A reaped image goes back to PENDING with its attempt kept: the next
   * claim makes it attempt + 1, so the old worker's finish is fenced out.
   * The lost try is not counted as a retry (it was not the server's fault). */
  for (guint i = 0; ok && i <= dead->len; i++)
    {
      g_autoptr(LwStmt) stmt = stmt_get (self,
        i == 0 ? "UPDATE images SET status = 'PENDING', lease_owner = NULL, lease_expires_at = 0, updated_at = ?1"
                 " WHERE status = 'PROCESSING' AND lease_expires_at <= ?1"
               : "UPDATE images SET status = 'PENDING', lease_owner = NULL, lease_expires_at = 0, updated_at = ?1"
                 " WHERE status = 'PROCESSING' AND lease_owner = ?2", error);

      ok = stmt != NULL;
      if (!ok)
        break;
      sqlite3_bind_int64 (stmt, 1, now);
      if (i > 0)
        bind_text (stmt, 2, dead->pdata[i - 1]);
      ok = step_done (self, stmt, _("Could not return expired claims to the queue"), error);
      if (ok)
        reaped += sqlite3_changes (self->db);
    }
  if (!tx_end (self, owned, ok, ok ? error : NULL))
    return -1;
  return reaped;
}

gint64
lw_store_next_retry_at (LwStore *self, const char *model)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), -1);
  g_return_val_if_fail (model != NULL, -1);

  stmt = stmt_get (self,
                   "SELECT MIN(i.next_retry_at) FROM images AS i JOIN jobs AS j ON j.id = i.job_id"
                   " WHERE j.status = 'PROCESSING' AND j.model = ? AND i.status = 'RETRY_LATER'", NULL);
  if (stmt == NULL)
    return -1;
  bind_text (stmt, 1, model);
  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return -1;
  return sqlite3_column_int64 (stmt, 0);
}

LwImage *
lw_store_find_result (LwStore *self, const char *request_key, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  g_return_val_if_fail (request_key != NULL, NULL);

  /* The newest result wins when several images asked the same thing. */
  stmt = stmt_get (self,
                   "SELECT " IMAGE_COLUMNS " FROM images"
                   " WHERE request_key = ? AND status = 'COMPLETED' AND processed_key IS NOT NULL"
                   " ORDER BY updated_at DESC, id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, request_key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return image_from_row (stmt);
  if (rc != SQLITE_DONE)
    set_sqlite_error (self, error, _("Could not look for an earlier result"));
  return NULL;
}

GHashTable *
lw_store_referenced_keys (LwStore *self, GError **error)
{
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(LwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  stmt = stmt_get (self,
                   "SELECT original_key FROM images"
                   " UNION SELECT thumb_key FROM images WHERE thumb_key IS NOT NULL"
                   " UNION SELECT processed_key FROM images WHERE processed_key IS NOT NULL", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (keys, column_strdup (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, _("Could not list the stored files"));
      return NULL;
    }
  return g_steal_pointer (&keys);
}

/* lw-store.c — the SQLite repository: connection, schema, migrations, settings.
 *
 * Records (modules, jobs, images, rejections) are in lw-store-records.c, the
 * queue in lw-store-queue.c; what they share is in lw-store-private.h.
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

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>
#include <sys/statvfs.h>

#include "lw-modules.h"
#include "lw-store-private.h"

G_DEFINE_QUARK (lw-store-error-quark, lw_store_error)


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
  /* 1 → 2: what the window and the queue ask after every finish — how
   * many images of a job are in each state, what it cost, is anything left
   * — answered from this index alone. Without it each question read every
   * row of the job and sorted them (~5 ms for 5,000 photos, 40 times a
   * second on the main thread while a batch runs). */
  "CREATE INDEX images_job_status ON images (job_id, status, cost);",
  /* 2 → 3 (the jobs service, docs/ARCHITECTURE.md):
   * - jobs.runner: the process (lw_core_get_owner) that launched the job
   *   last, so a window that opens can tell a job left running by a dead
   *   process from one a live lightwork-cli is working on (waiting out a
   *   rate limit, offline: no image of it in flight);
   * - images.fresh_take: the user asked for another result, so the next
   *   attempt must not reuse an identical earlier one (cleared when it
   *   lands);
   * - starts: every request start of the last minute, per model, so all
   *   processes on this data folder together keep a requests-per-minute
   *   limit (the window and lightwork-cli share the key's quota). */
  "ALTER TABLE jobs ADD COLUMN runner TEXT;"
  "ALTER TABLE images ADD COLUMN fresh_take INTEGER NOT NULL DEFAULT 0 CHECK (fresh_take IN (0, 1));"
  "CREATE TABLE starts ("
  "  model TEXT NOT NULL,"
  "  at    INTEGER NOT NULL"
  ");"
  "CREATE INDEX starts_model_at ON starts (model, at);",
  /* 3 → 4 (review, docs/ARCHITECTURE.md, "Review"):
   * - images.review: what the user decided of the result;
   * - versions: every take that landed, so a redo never loses one and the
   *   user picks which is saved; images.version says which take
   *   processed_key is. Results that exist become take 1, with the prompt
   *   the 2-prompt rule composed for them;
   * - images.held: photos a trial run leaves out, not claimable until the
   *   job is launched. */
  "ALTER TABLE images ADD COLUMN review TEXT NOT NULL DEFAULT 'UNDECIDED'"
  "  CHECK (review IN ('UNDECIDED', 'ACCEPTED', 'REJECTED'));"
  "ALTER TABLE images ADD COLUMN version INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE images ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1));"
  "CREATE TABLE versions ("
  "  id             INTEGER PRIMARY KEY,"
  "  image_id       INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,"
  "  n              INTEGER NOT NULL,"
  "  processed_key  TEXT NOT NULL,"
  "  processed_mime TEXT,"
  "  prompt         TEXT NOT NULL DEFAULT '',"
  "  model          TEXT NOT NULL DEFAULT '',"
  "  module_id      TEXT NOT NULL DEFAULT '',"
  "  cost           REAL NOT NULL DEFAULT 0,"
  "  created_at     INTEGER NOT NULL,"
  "  UNIQUE (image_id, n)"
  ");"
  "INSERT INTO versions (image_id, n, processed_key, processed_mime, prompt, model, module_id, cost, created_at)"
  "  SELECT i.id, 1, i.processed_key, i.processed_mime,"
  "    trim(j.prompt) || CASE WHEN trim(COALESCE(i.specific_prompt, '')) <> ''"
  "                      THEN char(10) || char(10) || trim(i.specific_prompt) ELSE '' END,"
  "    j.model, j.module_id, i.cost, i.updated_at"
  "  FROM images AS i JOIN jobs AS j ON j.id = i.job_id WHERE i.processed_key IS NOT NULL;"
  "UPDATE images SET version = 1 WHERE processed_key IS NOT NULL;",
  /* 4 → 5 (results, docs/ARCHITECTURE.md "Results"):
   * - images.review_reason: a COMPLETED result that failed an automatic
   *   check (shape, similarity to the original, white background) says
   *   why; NULL = passed. A column, not a status: "needs review" is done
   *   with a doubt, and a new status would rebuild the table for its
   *   CHECK constraint;
   * - images.note: a remark on the result (a wide-gamut original);
   * - the partial index counts the results needing review of a job
   *   reading only those rows (lw_store_count_images, every finish). */
  "ALTER TABLE images ADD COLUMN review_reason TEXT;"
  "ALTER TABLE images ADD COLUMN note TEXT;"
  "CREATE INDEX images_review ON images (job_id) WHERE status = 'COMPLETED' AND review_reason IS NOT NULL;",
  /* 5 → 6 (docs/ARCHITECTURE.md, "Jobs"):
   * - jobs.pause_code, pause_reason, pause_advice: a launched job held by a
   *   pause (a bad key, an unknown model, a daily quota, …) is PAUSED, with
   *   why and what to do, for every process to show. Columns on a
   *   PROCESSING job, not a status: a new status would rebuild the table
   *   for its CHECK constraint, and images and rejections cascade from it;
   * - jobs.out_dir, out_template: where the job's results are saved
   *   (lightwork-cli's --out), so "resume" saves there too. */
  "ALTER TABLE jobs ADD COLUMN pause_code TEXT;"
  "ALTER TABLE jobs ADD COLUMN pause_reason TEXT;"
  "ALTER TABLE jobs ADD COLUMN pause_advice TEXT;"
  "ALTER TABLE jobs ADD COLUMN out_dir TEXT;"
  "ALTER TABLE jobs ADD COLUMN out_template TEXT;",
  /* 6 → 7 (economy mode, docs/ARCHITECTURE.md "Economy"):
   * - jobs.mode: 'fast' (the live pool) or 'economy' (the Batch API);
   * - batches: one row per batch sent to Google, written before anything
   *   is sent and updated as it moves, so polling survives quitting, a
   *   crash and a reboot: its remote name, the files it uploaded, its
   *   state, when it was sent and polled, which try of its photos it is
   *   (attempt 2 = resubmitted after an expired or cancelled batch), and
   *   the process sending it (runner, as jobs.runner);
   * - images.batch_id: the batch carrying the photo's current attempt;
   *   images.batch_tries: batches whose entry for it failed (a bounded
   *   number, then the photo fails and can be moved to the live pool);
   *   images.live: such a photo, moved to the live pool with the user's
   *   consent (the live claim takes economy photos only then). */
  "ALTER TABLE jobs ADD COLUMN mode TEXT NOT NULL DEFAULT 'fast' CHECK (mode IN ('fast', 'economy'));"
  "CREATE TABLE batches ("
  "  id           INTEGER PRIMARY KEY,"
  "  job_id       INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
  "  model        TEXT NOT NULL,"
  "  name         TEXT,"
  "  files        TEXT NOT NULL DEFAULT '',"
  "  state        TEXT NOT NULL DEFAULT 'submitting'"
  "               CHECK (state IN ('submitting', 'pending', 'running', 'succeeded', 'done',"
  "                                'failed', 'cancelled', 'expired', 'abandoned')),"
  "  attempt      INTEGER NOT NULL DEFAULT 1,"
  "  n_images     INTEGER NOT NULL DEFAULT 0,"
  "  runner       TEXT,"
  "  error        TEXT,"
  "  created_at   INTEGER NOT NULL,"
  "  submitted_at INTEGER NOT NULL DEFAULT 0,"
  "  polled_at    INTEGER NOT NULL DEFAULT 0,"
  "  next_poll_at INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX batches_open ON batches (job_id) WHERE state IN ('submitting', 'pending', 'running', 'succeeded');"
  "ALTER TABLE images ADD COLUMN batch_id INTEGER;"
  "ALTER TABLE images ADD COLUMN batch_tries INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE images ADD COLUMN live INTEGER NOT NULL DEFAULT 0 CHECK (live IN (0, 1));"
  "CREATE INDEX images_batch ON images (batch_id) WHERE batch_id IS NOT NULL;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == LW_STORE_SCHEMA_VERSION);


/* ---- errors and statements ---------------------------------------------- */

/* Less free than this is a full disk: growing the WAL index takes 32 KiB
 * at a time, and a commit at least one 4 KiB page plus its frame header. */
#define DISK_FULL_BYTES (64 * 1024)

/* SQLite reports a full disk as SQLITE_FULL only when a write to the
 * database itself fails; growing the WAL index (SQLITE_IOERR_SHMSIZE,
 * 4874) or a journal write fails with an I/O error instead. Those are a
 * full disk when the system said so (ENOSPC, EDQUOT) or the folder has no
 * space left: a user is told that, not "disk I/O error (4874)". */
static gboolean
sqlite_disk_full (LwStore *self, int rc)
{
  g_autofree char *dir = NULL;
  int errsv = sqlite3_system_errno (self->db);

  if ((rc & 0xff) == SQLITE_FULL)
    return TRUE;
  if ((rc & 0xff) != SQLITE_IOERR)
    return FALSE;
  if (errsv == ENOSPC || errsv == EDQUOT)
    return TRUE;
  dir = g_path_get_dirname (self->path);
  return lw_store_folder_is_full (dir);
}

gboolean
lw_store_folder_is_full (const char *dir)
{
  struct statvfs fs;

  return statvfs (dir, &fs) == 0 && (guint64) fs.f_bavail * fs.f_frsize < DISK_FULL_BYTES;
}

void
lw_store_set_sqlite_error (LwStore *self, GError **error, const char *what)
{
  int rc = sqlite3_extended_errcode (self->db);

  if (sqlite_disk_full (self, rc))
    {
      g_autofree char *dir = g_path_get_dirname (self->path);

      g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_DISK_FULL,
                   /* Translators: "<what was being done>: the disk holding <folder> is full …" */
                   _("%s: the disk holding %s is full — free some space, then try again"), what, dir);
    }
  else if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_CORRUPT,
                 /* Translators: "<what was being done>: the database <path> is damaged …" */
                 _("%s: the database %s is damaged (%s) — restore a backup or move it aside"), what, self->path,
                 sqlite3_errmsg (self->db));
  else
    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_SQLITE,
                 /* Translators: "<what was being done>: <SQLite's message> (<code>)" */
                 _("%s: %s (SQLite error %d)"), what, sqlite3_errmsg (self->db), rc);
}

gboolean
lw_store_quick_check (LwStore *self, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;
  static const char BANNER[] = "*** in database main ***\n";
  g_autofree char *finding = NULL;
  const char *shown;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  stmt = lw_store_stmt (self, "PRAGMA quick_check(1)", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      lw_store_set_sqlite_error (self, error, _("Could not check the database"));
      return FALSE;
    }
  finding = lw_store_column_strdup (stmt, 0);
  if (g_strcmp0 (finding, "ok") == 0)
    return TRUE;
  /* "*** in database main ***\nPage 15: btreeInitPage() returns error
   * code 11": one line, without the banner. */
  if (finding == NULL)
    finding = g_strdup ("?");
  shown = g_str_has_prefix (finding, BANNER) ? finding + strlen (BANNER) : finding;
  g_strdelimit (finding, "\n", ' ');
  g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_CORRUPT,
               _("The database %s is damaged (%s) — restore a backup or move it aside"), self->path, shown);
  return FALSE;
}

gboolean
lw_store_error_is_disk_full (const GError *error)
{
  return g_error_matches (error, LW_STORE_ERROR, LW_STORE_ERROR_DISK_FULL)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
}


LwStmt *
lw_store_stmt (LwStore *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->stmts, sql);

  if (stmt != NULL)
    return stmt;
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      lw_store_set_sqlite_error (self, error, _("Could not prepare a database query"));
      return NULL;
    }
  g_hash_table_insert (self->stmts, (gpointer) sql, stmt);
  return stmt;
}

void
lw_store_bind_text (sqlite3_stmt *stmt, int i, const char *value)
{
  /* NULL binds SQL NULL. */
  sqlite3_bind_text (stmt, i, value, -1, SQLITE_TRANSIENT);
}

char *
lw_store_column_strdup (sqlite3_stmt *stmt, int i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

gpointer
lw_store_column_strdup_0 (sqlite3_stmt *stmt)
{
  return lw_store_column_strdup (stmt, 0);
}

/* Steps a statement that returns no rows. */
gboolean
lw_store_step_done (LwStore *self, sqlite3_stmt *stmt, const char *what, GError **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      lw_store_set_sqlite_error (self, error, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
lw_store_exec (LwStore *self, const char *sql, const char *what, GError **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      lw_store_set_sqlite_error (self, error, what);
      return FALSE;
    }
  return TRUE;
}

/* Opens BEGIN IMMEDIATE unless the caller already has a transaction open;
 * *owned says whether the matching lw_store_tx_end must commit or roll back. */
gboolean
lw_store_tx_begin (LwStore *self, gboolean *owned, GError **error)
{
  *owned = sqlite3_get_autocommit (self->db) != 0;
  if (!*owned)
    return TRUE;
  return lw_store_begin (self, error);
}

gboolean
lw_store_tx_end (LwStore *self, gboolean owned, gboolean ok, GError **error)
{
  if (!owned)
    return ok;
  if (ok && lw_store_commit (self, error))
    return TRUE;
  lw_store_rollback (self);
  return FALSE;
}

/* ---- records from rows -------------------------------------------------- */

LwJob *
lw_store_job_from_row (sqlite3_stmt *stmt)
{
  LwJob *job = g_new0 (LwJob, 1);

  job->id = sqlite3_column_int64 (stmt, 0);
  job->name = lw_store_column_strdup (stmt, 1);
  job->module_id = lw_store_column_strdup (stmt, 2);
  job->model = lw_store_column_strdup (stmt, 3);
  job->prompt = lw_store_column_strdup (stmt, 4);
  if (!lw_job_status_from_string ((const char *) sqlite3_column_text (stmt, 5), &job->status))
    job->status = LW_JOB_PENDING;  /* unreachable: CHECK constraint */
  job->source_key = lw_store_column_strdup (stmt, 6);
  job->spend_cap = sqlite3_column_double (stmt, 7);
  job->created_at = sqlite3_column_int64 (stmt, 8);
  job->updated_at = sqlite3_column_int64 (stmt, 9);
  job->launched_at = sqlite3_column_int64 (stmt, 10);
  job->finished_at = sqlite3_column_int64 (stmt, 11);
  job->runner = lw_store_column_strdup (stmt, 12);
  job->pause_code = lw_store_column_strdup (stmt, 13);
  job->pause_reason = lw_store_column_strdup (stmt, 14);
  job->pause_advice = lw_store_column_strdup (stmt, 15);
  job->out_dir = lw_store_column_strdup (stmt, 16);
  job->out_template = lw_store_column_strdup (stmt, 17);
  return job;
}

LwImage *
lw_store_image_from_row (sqlite3_stmt *stmt)
{
  LwImage *image = g_new0 (LwImage, 1);

  image->id = sqlite3_column_int64 (stmt, 0);
  image->job_id = sqlite3_column_int64 (stmt, 1);
  image->position = sqlite3_column_int64 (stmt, 2);
  image->original_name = lw_store_column_strdup (stmt, 3);
  image->source_path = lw_store_column_strdup (stmt, 4);
  image->original_key = lw_store_column_strdup (stmt, 5);
  image->sha256 = lw_store_column_strdup (stmt, 6);
  image->mime = lw_store_column_strdup (stmt, 7);
  image->width = sqlite3_column_int (stmt, 8);
  image->height = sqlite3_column_int (stmt, 9);
  image->orientation = sqlite3_column_int (stmt, 10);
  image->bytes = sqlite3_column_int64 (stmt, 11);
  image->thumb_key = lw_store_column_strdup (stmt, 12);
  image->processed_key = lw_store_column_strdup (stmt, 13);
  image->processed_mime = lw_store_column_strdup (stmt, 14);
  image->request_key = lw_store_column_strdup (stmt, 15);
  if (!lw_image_status_from_string ((const char *) sqlite3_column_text (stmt, 16), &image->status))
    image->status = LW_IMAGE_PENDING;  /* unreachable: CHECK constraint */
  image->specific_prompt = lw_store_column_strdup (stmt, 17);
  image->retry_count = sqlite3_column_int (stmt, 18);
  image->next_retry_at = sqlite3_column_int64 (stmt, 19);
  image->attempt = sqlite3_column_int (stmt, 20);
  image->lease_owner = lw_store_column_strdup (stmt, 21);
  image->lease_expires_at = sqlite3_column_int64 (stmt, 22);
  image->error_code = lw_store_column_strdup (stmt, 23);
  image->error_message = lw_store_column_strdup (stmt, 24);
  image->cost = sqlite3_column_double (stmt, 25);
  image->created_at = sqlite3_column_int64 (stmt, 26);
  image->updated_at = sqlite3_column_int64 (stmt, 27);
  image->fresh_take = sqlite3_column_int (stmt, 28) != 0;
  if (!lw_review_from_string ((const char *) sqlite3_column_text (stmt, 29), &image->review))
    image->review = LW_REVIEW_UNDECIDED;  /* unreachable: CHECK constraint */
  image->version = sqlite3_column_int (stmt, 30);
  image->held = sqlite3_column_int (stmt, 31) != 0;
  image->review_reason = lw_store_column_strdup (stmt, 32);
  image->note = lw_store_column_strdup (stmt, 33);
  return image;
}

LwModule *
lw_store_module_from_row (sqlite3_stmt *stmt)
{
  LwModule *module = g_new0 (LwModule, 1);

  module->id = lw_store_column_strdup (stmt, 0);
  module->name = lw_store_column_strdup (stmt, 1);
  module->description = lw_store_column_strdup (stmt, 2);
  module->icon = lw_store_column_strdup (stmt, 3);
  module->prompt = lw_store_column_strdup (stmt, 4);
  module->default_prompt = lw_store_column_strdup (stmt, 5);
  module->builtin = sqlite3_column_int (stmt, 6) != 0;
  module->position = sqlite3_column_int (stmt, 7);
  /* Built-ins are stored as shipped, in English (every open refreshes
   * them); people read them in their language. The prompts stay English:
   * the models follow English instructions best. */
  if (module->builtin && module->name != NULL && module->description != NULL)
    {
      char *name = g_strdup (g_dgettext (GETTEXT_PACKAGE, module->name));
      char *description = g_strdup (g_dgettext (GETTEXT_PACKAGE, module->description));

      g_free (module->name);
      g_free (module->description);
      module->name = name;
      module->description = description;
    }
  return module;
}


/* Steps stmt to the end, collecting rows with from_row. */
GPtrArray *
lw_store_collect_rows (LwStore *self, sqlite3_stmt *stmt, LwStoreRowFunc from_row,
              GDestroyNotify free_func, const char *what, GError **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      lw_store_set_sqlite_error (self, error, what);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

GArray *
lw_store_collect_ids (LwStore *self, sqlite3_stmt *stmt, const char *what, GError **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      lw_store_set_sqlite_error (self, error, what);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

/* Steps stmt once for the row it selects, read with from_row. NULL when
 * there is none (*missing set, when asked) or on an error (set from what). */
gpointer
lw_store_read_row (LwStore *self, sqlite3_stmt *stmt, LwStoreRowFunc from_row, const char *what,
                   gboolean *missing, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (missing != NULL)
    *missing = rc == SQLITE_DONE;
  if (rc == SQLITE_ROW)
    return from_row (stmt);
  if (rc != SQLITE_DONE)
    lw_store_set_sqlite_error (self, error, what);
  return NULL;
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
      lw_store_set_sqlite_error (self, error, _("Could not read the database version"));
      return FALSE;
    }
  ok = sqlite3_step (stmt) == SQLITE_ROW;
  if (ok)
    *version = sqlite3_column_int (stmt, 0);
  else
    lw_store_set_sqlite_error (self, error, _("Could not read the database version"));
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

  if (!lw_store_exec (self, "BEGIN IMMEDIATE", _("Could not lock the database to update it"), error))
    return FALSE;
  ok = read_user_version (self, &version, error) && check_not_too_new (self, version, error);
  for (int v = version; ok && v < LW_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      /* The only formatted SQL here: an integer of our own, as PRAGMA
       * takes no bound parameters. */
      ok = lw_store_exec (self, migrations[v], _("Could not update the database schema"), error)
           && lw_store_exec (self, set_version, _("Could not update the database schema"), error);
    }
  if (ok)
    self->schema_version = MAX (version, LW_STORE_SCHEMA_VERSION);
  return lw_store_tx_end (self, TRUE, ok, error);
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
  if (!lw_store_tx_begin (self, &owned, error))
    return FALSE;
  ok = TRUE;
  for (guint i = 0; ok && i < n; i++)
    {
      const char *sqls[] = { insert_sql, refresh_sql };

      for (guint s = 0; ok && s < G_N_ELEMENTS (sqls); s++)
        {
          g_autoptr(LwStmt) stmt = lw_store_stmt (self, sqls[s], error);

          ok = stmt != NULL;
          if (!ok)
            break;
          lw_store_bind_text (stmt, 1, builtins[i].id);
          lw_store_bind_text (stmt, 2, builtins[i].name);
          lw_store_bind_text (stmt, 3, builtins[i].description);
          lw_store_bind_text (stmt, 4, builtins[i].icon);
          lw_store_bind_text (stmt, 5, builtins[i].prompt);
          sqlite3_bind_int (stmt, 6, (int) i);
          ok = lw_store_step_done (self, stmt, _("Could not add the built-in modules"), error);
        }
    }
  return lw_store_tx_end (self, owned, ok, error);
}

static gboolean
journal_is_wal (LwStore *self)
{
  sqlite3_stmt *stmt = NULL;
  gboolean wal = FALSE;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    wal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0;
  sqlite3_finalize (stmt);
  return wal;
}

/* Switching a fresh file to WAL needs it to itself for a moment, and SQLite
 * answers SQLITE_BUSY at once there rather than calling the busy handler:
 * when two processes create the database together, one waits and tries
 * again (for as long as busy_timeout would have waited). */
static gboolean
ensure_wal (LwStore *self, GError **error)
{
  for (int tries = 0;; tries++)
    {
      int rc;

      if (journal_is_wal (self))
        return TRUE;
      rc = sqlite3_exec (self->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
      if (rc == SQLITE_OK && journal_is_wal (self))
        return TRUE;
      if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED && rc != SQLITE_OK) || tries >= 1000)
        {
          lw_store_set_sqlite_error (self, error, _("Could not turn on write-ahead logging"));
          return FALSE;
        }
      g_usleep (10 * 1000);
    }
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
      lw_store_set_sqlite_error (self, error, _("Could not open the database"));
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
  if (!ensure_wal (self, error)
      || !lw_store_exec (self, "PRAGMA synchronous = NORMAL", _("Could not configure the database"), error)
      || !lw_store_exec (self, "PRAGMA foreign_keys = ON", _("Could not configure the database"), error)
      /* Sorts and DISTINCTs (the claim orders its candidates) would
       * otherwise create a temporary file each time: a file creation on
       * the main thread per claim, measured as 18 % of its time in
       * bench/ui. */
      || !lw_store_exec (self, "PRAGMA temp_store = MEMORY", _("Could not configure the database"), error))
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

void
lw_store_checkpoint (LwStore *self)
{
  g_return_if_fail (LW_IS_STORE (self));
  sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

void
lw_store_set_autocheckpoint (LwStore *self, int pages)
{
  g_return_if_fail (LW_IS_STORE (self));
  sqlite3_wal_autocheckpoint (self->db, pages);
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
  return lw_store_exec (self, "BEGIN IMMEDIATE", _("Could not start a database transaction"), error);
}

gboolean
lw_store_commit (LwStore *self, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  return lw_store_exec (self, "COMMIT", _("Could not commit a database transaction"), error);
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

  stmt = lw_store_stmt (self, "SELECT value FROM settings WHERE key = ?", NULL);
  if (stmt == NULL)
    return NULL;
  lw_store_bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return lw_store_column_strdup (stmt, 0);
}

gboolean
lw_store_set_setting (LwStore *self, const char *key, const char *value, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (value != NULL)
    stmt = lw_store_stmt (self,
                     "INSERT INTO settings (key, value) VALUES (?1, ?2)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  else
    stmt = lw_store_stmt (self, "DELETE FROM settings WHERE key = ?1", error);
  if (stmt == NULL)
    return FALSE;
  lw_store_bind_text (stmt, 1, key);
  if (value != NULL)
    lw_store_bind_text (stmt, 2, value);
  return lw_store_step_done (self, stmt, _("Could not save a setting"), error);
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


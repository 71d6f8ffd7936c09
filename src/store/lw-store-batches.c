/* lw-store-batches.c — economy mode in SQLite (lw-store-batches.h;
 * docs/ARCHITECTURE.md, "Economy"). One statement per rule, as in
 * lw-store-queue.c. */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "lw-store-batches.h"
#include "lw-store-private.h"

#define BATCH_COLUMNS \
  "id, job_id, model, name, files, state, attempt, n_images, error, created_at, submitted_at, polled_at, next_poll_at," \
  " runner"
#define OPEN_STATES "('submitting', 'pending', 'running', 'succeeded')"

void
lw_batch_record_free (LwBatchRecord *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->model);
  g_free (batch->name);
  g_free (batch->files);
  g_free (batch->state);
  g_free (batch->error);
  g_free (batch->runner);
  g_free (batch);
}

static LwBatchRecord *
batch_from_row (sqlite3_stmt *stmt)
{
  LwBatchRecord *batch = g_new0 (LwBatchRecord, 1);

  batch->id = sqlite3_column_int64 (stmt, 0);
  batch->job_id = sqlite3_column_int64 (stmt, 1);
  batch->model = lw_store_column_strdup (stmt, 2);
  batch->name = lw_store_column_strdup (stmt, 3);
  batch->files = lw_store_column_strdup (stmt, 4);
  batch->state = lw_store_column_strdup (stmt, 5);
  batch->attempt = sqlite3_column_int (stmt, 6);
  batch->n_images = sqlite3_column_int (stmt, 7);
  batch->error = lw_store_column_strdup (stmt, 8);
  batch->created_at = sqlite3_column_int64 (stmt, 9);
  batch->submitted_at = sqlite3_column_int64 (stmt, 10);
  batch->polled_at = sqlite3_column_int64 (stmt, 11);
  batch->next_poll_at = sqlite3_column_int64 (stmt, 12);
  batch->runner = lw_store_column_strdup (stmt, 13);
  return batch;
}

/* ---- the job's mode ----------------------------------------------------- */

char *
lw_store_get_job_mode (LwStore *self, gint64 job_id, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, "SELECT mode FROM jobs WHERE id = ?1", error);
  gboolean missing = FALSE;
  char *mode;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, job_id);
  mode = lw_store_read_row (self, stmt, lw_store_column_strdup_0, _("Could not read the job’s mode"), &missing, error);
  if (missing)
    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND, _("There is no job %" PRId64), job_id);
  return mode;
}

gboolean
lw_store_set_job_mode (LwStore *self, gint64 job_id, const char *mode, gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  if (g_strcmp0 (mode, LW_STORE_MODE_FAST) != 0 && g_strcmp0 (mode, LW_STORE_MODE_ECONOMY) != 0)
    {
      g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID, _("“%s” is not a mode (fast or economy)"), mode);
      return FALSE;
    }
  /* Like the model: the photos in flight were sent one way. */
  stmt = lw_store_stmt (self, "UPDATE jobs SET mode = ?2, updated_at = ?3"
                              " WHERE id = ?1 AND (status <> 'PROCESSING' OR mode = ?2)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, job_id);
  lw_store_bind_text (stmt, 2, mode);
  sqlite3_bind_int64 (stmt, 3, now);
  if (!lw_store_step_done (self, stmt, _("Could not change the job’s mode"), error))
    return FALSE;
  if (sqlite3_changes (lw_store_get_db (self)) > 0)
    return TRUE;
  g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_RUNNING, _("Cancel the job before changing its mode"));
  return FALSE;
}

GArray *
lw_store_list_economy_jobs (LwStore *self, gint64 scope, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, "SELECT id FROM jobs WHERE status = 'PROCESSING'"
                                                " AND mode = 'economy' AND (?1 = 0 OR id = ?1) ORDER BY launched_at, id",
                                          error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, scope);
  return lw_store_collect_ids (self, stmt, _("Could not list the economy jobs"), error);
}

/* ---- taking photos for a batch ------------------------------------------ */

/* The claim of a batch. Its rules, and why:
 *  1. Only a launched economy job's photos, PENDING or RETRY_LATER whose
 *     time came, not held out of a trial, not moved to the live pool.
 *  2. attempt + 1, as a live claim: the key of the photo's line carries
 *     it, and the finish is fenced on it.
 *  3. Owned by "batch:<id>" with a lease that never expires by time: a
 *     batch runs up to 24 h, and only its state, polled from Google,
 *     ends the claim (lw_owner_is_dead knows no such owner, so no process
 *     reaps it either).
 *  4. In the grid's order, up to max (a batch's size). */
static const char batch_take_sql[] =
  "UPDATE images SET status = 'PROCESSING', attempt = attempt + 1, lease_owner = ?1,"
  "  lease_expires_at = 9223372036854775807, batch_id = ?2, updated_at = ?3"
  " WHERE id IN ("
  "  SELECT i.id FROM images AS i JOIN jobs AS j ON j.id = i.job_id"
  "  WHERE i.job_id = ?4 AND j.status = 'PROCESSING' AND j.mode = 'economy'"
  "    AND i.status IN ('PENDING', 'RETRY_LATER') AND i.held = 0 AND i.live = 0"
  "    AND (i.status = 'PENDING' OR i.next_retry_at <= ?3)"
  "  ORDER BY i.position LIMIT ?5)"
  " RETURNING " IMAGE_COLUMNS;
/* A resubmission takes the photos of the batch that expired or was
 * cancelled by Google, with a new attempt (a new key). */
static const char batch_retake_sql[] =
  "UPDATE images SET attempt = attempt + 1, lease_owner = ?1, batch_id = ?2, updated_at = ?3"
  " WHERE batch_id = ?6 AND status = 'PROCESSING'"
  " RETURNING " IMAGE_COLUMNS;

static int
compare_position (gconstpointer a, gconstpointer b)
{
  const LwImage *x = *(LwImage * const *) a, *y = *(LwImage * const *) b;

  return x->position < y->position ? -1 : x->position > y->position;
}

static gint64
insert_batch (LwStore *self, gint64 job_id, const char *model, int attempt, const char *runner, gint64 now,
              GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, "INSERT INTO batches (job_id, model, attempt, created_at, runner)"
                                                " VALUES (?1, ?2, ?3, ?4, ?5)", error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, job_id);
  lw_store_bind_text (stmt, 2, model);
  sqlite3_bind_int (stmt, 3, attempt);
  sqlite3_bind_int64 (stmt, 4, now);
  lw_store_bind_text (stmt, 5, runner);
  if (!lw_store_step_done (self, stmt, _("Could not record a batch"), error))
    return 0;
  return sqlite3_last_insert_rowid (lw_store_get_db (self));
}

static GPtrArray *
take_images (LwStore *self, gint64 batch_id, gint64 job_id, gint64 from_batch, int max, gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, from_batch > 0 ? batch_retake_sql : batch_take_sql, error);
  g_autofree char *owner = g_strdup_printf (LW_BATCH_OWNER_PREFIX "%" G_GINT64_FORMAT, batch_id);
  GPtrArray *images;

  if (stmt == NULL)
    return NULL;
  lw_store_bind_text (stmt, 1, owner);
  sqlite3_bind_int64 (stmt, 2, batch_id);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, job_id);
  sqlite3_bind_int (stmt, 5, max);
  if (from_batch > 0)
    sqlite3_bind_int64 (stmt, 6, from_batch);
  images = lw_store_collect_rows (self, stmt, (LwStoreRowFunc) lw_store_image_from_row,
                                  (GDestroyNotify) lw_image_free, _("Could not take photos for a batch"), error);
  if (images != NULL)
    g_ptr_array_sort (images, compare_position);
  return images;
}

LwBatchRecord *
lw_store_batch_claim (LwStore *self, gint64 job_id, const char *model, gint64 from_batch, const char *runner,
                      int max, gint64 now, GPtrArray **images, GError **error)
{
  g_autoptr(GPtrArray) taken = NULL;
  g_autoptr(LwBatchRecord) batch = NULL;
  gboolean owned, ok;
  gint64 id;

  *images = NULL;
  if (!lw_store_tx_begin (self, &owned, error))
    return NULL;
  id = insert_batch (self, job_id, model, from_batch > 0 ? 2 : 1, runner, now, error);
  ok = id > 0 && (taken = take_images (self, id, job_id, from_batch, max, now, error)) != NULL;
  if (ok)
    {
      g_autoptr(LwStmt) stmt = lw_store_stmt (self, taken->len > 0
                                                      ? "UPDATE batches SET n_images = ?2 WHERE id = ?1"
                                                      : "DELETE FROM batches WHERE id = ?1", error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, id);
          sqlite3_bind_int (stmt, 2, (int) taken->len);
          ok = lw_store_step_done (self, stmt, _("Could not record a batch"), error);
        }
    }
  if (!lw_store_tx_end (self, owned, ok, ok ? error : NULL) || !ok || taken->len == 0)
    return NULL;
  batch = g_new0 (LwBatchRecord, 1);
  batch->id = id;
  batch->job_id = job_id;
  batch->model = g_strdup (model);
  batch->state = g_strdup ("submitting");
  batch->attempt = from_batch > 0 ? 2 : 1;
  batch->n_images = (int) taken->len;
  batch->created_at = now;
  batch->runner = g_strdup (runner);
  *images = g_steal_pointer (&taken);
  return g_steal_pointer (&batch);
}

/* ---- the batch's life --------------------------------------------------- */

gboolean
lw_store_batch_submitted (LwStore *self, gint64 batch_id, const char *name, const char *files, gint64 now,
                          GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, "UPDATE batches SET name = ?2, files = COALESCE (?3, ''), state = 'pending',"
                                                " submitted_at = ?4, next_poll_at = ?4 WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  lw_store_bind_text (stmt, 2, name);
  lw_store_bind_text (stmt, 3, files);
  sqlite3_bind_int64 (stmt, 4, now);
  return lw_store_step_done (self, stmt, _("Could not record a batch"), error);
}

/* Emptied ('') as the files are deleted: a restart deletes only what is left. */
gboolean
lw_store_batch_set_files (LwStore *self, gint64 batch_id, const char *files, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, "UPDATE batches SET files = COALESCE (?2, '') WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  lw_store_bind_text (stmt, 2, files);
  return lw_store_step_done (self, stmt, _("Could not record a batch"), error);
}

gboolean
lw_store_batch_set_state (LwStore *self, gint64 batch_id, const char *state, const char *error_message,
                          gint64 polled_at, gint64 next_poll_at, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, "UPDATE batches SET state = ?2, error = COALESCE (?3, error),"
                                                " polled_at = MAX (polled_at, ?4), next_poll_at = CASE WHEN ?5 > 0"
                                                " THEN ?5 ELSE next_poll_at END WHERE id = ?1 AND state IN " OPEN_STATES, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  lw_store_bind_text (stmt, 2, state);
  lw_store_bind_text (stmt, 3, error_message);
  sqlite3_bind_int64 (stmt, 4, polled_at);
  sqlite3_bind_int64 (stmt, 5, next_poll_at);
  return lw_store_step_done (self, stmt, _("Could not record a batch"), error);
}

static GPtrArray *
list_batches (LwStore *self, const char *sql, gint64 id, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, sql, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  return lw_store_collect_rows (self, stmt, (LwStoreRowFunc) batch_from_row, (GDestroyNotify) lw_batch_record_free,
                                _("Could not read the batches"), error);
}

GPtrArray *
lw_store_list_open_batches (LwStore *self, gint64 job_id, GError **error)
{
  return list_batches (self, "SELECT " BATCH_COLUMNS " FROM batches WHERE state IN " OPEN_STATES
                             " AND (?1 = 0 OR job_id = ?1) ORDER BY id", job_id, error);
}

GPtrArray *
lw_store_list_spent_batches (LwStore *self, gint64 job_id, GError **error)
{
  /* Not open: Google reads a batch's input until it ends, and a batch
   * succeeded but not yet downloaded may still be answered again. */
  return list_batches (self, "SELECT " BATCH_COLUMNS " FROM batches WHERE state NOT IN " OPEN_STATES
                             " AND files IS NOT NULL AND files <> '' AND (?1 = 0 OR job_id = ?1) ORDER BY id",
                       job_id, error);
}

GPtrArray *
lw_store_list_batches (LwStore *self, gint64 job_id, GError **error)
{
  return list_batches (self, "SELECT " BATCH_COLUMNS " FROM batches WHERE job_id = ?1 ORDER BY id", job_id, error);
}

GPtrArray *
lw_store_batch_images (LwStore *self, gint64 batch_id, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, "SELECT " IMAGE_COLUMNS " FROM images"
                                                " WHERE batch_id = ?1 AND status = 'PROCESSING' ORDER BY position",
                                          error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  return lw_store_collect_rows (self, stmt, (LwStoreRowFunc) lw_store_image_from_row, (GDestroyNotify) lw_image_free,
                                _("Could not read a batch’s photos"), error);
}

/* ---- its photos' outcomes ----------------------------------------------- */

/* Fenced on (id, PROCESSING, attempt) like every finish. A failed entry
 * goes into a later batch until max_tries batches failed it; then it
 * fails, with code "batch", which lw_store_move_to_live looks for. */
gboolean
lw_store_batch_entry_failed (LwStore *self, gint64 image_id, int attempt, int max_tries, const char *code,
                             const char *message, gint64 now, gboolean *failed, gboolean *fenced_out, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self,
    "UPDATE images SET status = CASE WHEN batch_tries + 1 >= ?4 THEN 'FAILED' ELSE 'PENDING' END,"
    "  batch_tries = batch_tries + 1, batch_id = NULL, error_code = ?5, error_message = ?6,"
    "  lease_owner = NULL, lease_expires_at = 0, updated_at = ?3"
    " WHERE id = ?1 AND status = 'PROCESSING' AND attempt = ?2"
    " RETURNING status = 'FAILED'", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, image_id);
  sqlite3_bind_int (stmt, 2, attempt);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int (stmt, 4, max_tries);
  lw_store_bind_text (stmt, 5, code);
  lw_store_bind_text (stmt, 6, message);
  rc = sqlite3_step (stmt);
  *fenced_out = rc != SQLITE_ROW;
  *failed = rc == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
  if (rc == SQLITE_ROW)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      lw_store_set_sqlite_error (self, error, _("Could not record an image’s result"));
      return FALSE;
    }
  return TRUE;
}

/* ?1 the batch (or job), ?2 now, ?3 code, ?4 message; a statement may
 * leave the last ones unused (binding them is then a no-op). */
static int
update_batch_images (LwStore *self, const char *sql, gint64 batch_id, gint64 now, const char *code,
                     const char *message, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, sql, error);

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  sqlite3_bind_int64 (stmt, 2, now);
  lw_store_bind_text (stmt, 3, code);
  lw_store_bind_text (stmt, 4, message);
  if (!lw_store_step_done (self, stmt, _("Could not return a batch’s photos"), error))
    return -1;
  return sqlite3_changes (lw_store_get_db (self));
}

int
lw_store_batch_release (LwStore *self, gint64 batch_id, gint64 now, GError **error)
{
  return update_batch_images (self, "UPDATE images SET status = 'PENDING', batch_id = NULL, lease_owner = NULL,"
                                    " lease_expires_at = 0, updated_at = ?2"
                                    " WHERE batch_id = ?1 AND status = 'PROCESSING'",
                              batch_id, now, NULL, NULL, error);
}

int
lw_store_batch_fail_images (LwStore *self, gint64 batch_id, const char *code, const char *message, gint64 now,
                            GError **error)
{
  return update_batch_images (self, "UPDATE images SET status = 'FAILED', error_code = ?3, error_message = ?4,"
                                    " batch_id = NULL, lease_owner = NULL, lease_expires_at = 0, updated_at = ?2"
                                    " WHERE batch_id = ?1 AND status = 'PROCESSING'",
                              batch_id, now, code, message, error);
}

int
lw_store_count_batch_failed (LwStore *self, gint64 job_id, GError **error)
{
  g_autoptr(LwStmt) stmt = lw_store_stmt (self, "SELECT COUNT(*) FROM images"
                                                " WHERE job_id = ?1 AND status = 'FAILED' AND error_code = 'batch'",
                                          error);

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, job_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      lw_store_set_sqlite_error (self, error, _("Could not count the job’s failed photos"));
      return -1;
    }
  return sqlite3_column_int (stmt, 0);
}

int
lw_store_move_to_live (LwStore *self, gint64 job_id, gint64 now, GError **error)
{
  return update_batch_images (self, "UPDATE images SET status = 'PENDING', live = 1, error_code = NULL,"
                                    " error_message = NULL, updated_at = ?2"
                                    " WHERE job_id = ?1 AND status = 'FAILED' AND error_code = 'batch'",
                              job_id, now, NULL, NULL, error);
}

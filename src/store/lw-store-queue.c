/* lw-store-queue.c — the queue: claim, fenced finishes, leases (docs/ARCHITECTURE.md,
 * "The queue"). Each rule is one statement; the comments say why. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "lw-modules.h"
#include "lw-store-private.h"

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

/* The claim, one statement (docs/ARCHITECTURE.md, "The queue"). Its rules, and why:
 *  1. Only images of launched jobs (jobs.status = 'PROCESSING') that no
 *     pause holds (pause_code IS NULL): staged, cancelled and paused jobs
 *     wait for the user (a paused one's model failed the same way for
 *     every photo: a bad key, an unknown model, a daily quota).
 *  2. Only jobs of this model: each model has its own pool (concurrency
 *     1–16, requests per minute), so each claims for itself; and, when ?6
 *     is not 0, only that job's (lightwork-cli works on its own job).
 *  2b. Not photos of an economy job: the Batch API takes those
 *     (lw-store-batches.c), unless one was moved to the live pool.
 *  3. PENDING, or RETRY_LATER whose next_retry_at has passed, and not held
 *     out of a trial run: the back-off
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
  "  WHERE j.status = 'PROCESSING' AND j.pause_code IS NULL AND j.model = ?4 AND (?6 = 0 OR j.id = ?6)"
  "    AND i.status IN ('PENDING', 'RETRY_LATER') AND i.held = 0"
  "    AND (j.mode = 'fast' OR i.live = 1)"
  "    AND (i.status = 'PENDING' OR (i.status = 'RETRY_LATER' AND i.next_retry_at <= ?3))"
  "  ORDER BY j.launched_at, j.id, i.position"
  "  LIMIT ?5)"
  " RETURNING " IMAGE_COLUMNS ", (SELECT launched_at FROM jobs WHERE jobs.id = images.job_id)";

GPtrArray *
lw_store_claim (LwStore *self, const char *model, gint64 job_id, int max, const char *owner, gint64 now,
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

  if (!lw_store_tx_begin (self, &owned, error))
    return NULL;
  {
    g_autoptr(LwStmt) stmt = lw_store_stmt (self, claim_sql, error);

    if (stmt != NULL)
      {
        lw_store_bind_text (stmt, 1, owner);
        sqlite3_bind_int64 (stmt, 2, now + lease_ms);
        sqlite3_bind_int64 (stmt, 3, now);
        lw_store_bind_text (stmt, 4, model);
        sqlite3_bind_int (stmt, 5, max);
        sqlite3_bind_int64 (stmt, 6, job_id);
        while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
          {
            Claimed c = { sqlite3_column_int64 (stmt, N_IMAGE_COLUMNS), lw_store_image_from_row (stmt) };

            g_array_append_val (claimed, c);
          }
        ok = rc == SQLITE_DONE;
        if (!ok)
          lw_store_set_sqlite_error (self, error, _("Could not take images from the queue"));
      }
  }
  ok = lw_store_tx_end (self, owned, ok, ok ? error : NULL);
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
  "  review_reason = ?8, note = ?9,"
  "  cost = cost + ?4, error_code = NULL, error_message = NULL, next_retry_at = 0, fresh_take = 0, " CLEAR_LEASE
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
  LwStmt *stmt = lw_store_stmt (self, sql, error);

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

  if (!lw_store_step_done (self, stmt, _("Could not record an image’s result"), error))
    return FALSE;
  /* No row: the claim is gone (reaped, released, re-claimed, or the job
   * deleted). Not an error; the caller drops its orphan blob. */
  fenced = sqlite3_changes (self->db) == 0;
  if (fenced_out != NULL)
    *fenced_out = fenced;
  return TRUE;
}

/* Every take is kept (docs/ARCHITECTURE.md, "Review"): the result becomes
 * the next version of the photo and the one processed_key shows, in the
 * finish's own transaction, so a take is never on the row without being
 * in versions. */
static const char add_version_sql[] =
  "INSERT INTO versions (image_id, n, processed_key, processed_mime, prompt, model, module_id, cost, created_at)"
  " SELECT i.id, (SELECT COALESCE(MAX(n), 0) + 1 FROM versions WHERE image_id = i.id), ?2, ?3, ?4,"
  "   j.model, j.module_id, ?5, ?6"
  " FROM images AS i JOIN jobs AS j ON j.id = i.job_id WHERE i.id = ?1"
  " RETURNING n";

gboolean
lw_store_finish_completed (LwStore *self, gint64 id, int attempt, const char *processed_key,
                           const char *processed_mime, const char *request_key, const char *prompt,
                           double cost, gint64 now, gboolean *fenced_out, GError **error)
{
  return lw_store_finish_checked (self, id, attempt, processed_key, processed_mime, request_key, prompt, NULL, NULL,
                                  cost, now, fenced_out, error);
}

gboolean
lw_store_finish_checked (LwStore *self, gint64 id, int attempt, const char *processed_key,
                         const char *processed_mime, const char *request_key, const char *prompt,
                         const char *review_reason, const char *note, double cost, gint64 now,
                         gboolean *fenced_out, GError **error)
{
  gboolean owned, ok, fenced = FALSE;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (processed_key != NULL, FALSE);

  if (!lw_store_tx_begin (self, &owned, error))
    return FALSE;
  {
    g_autoptr(LwStmt) stmt = finish_begin (self, finish_completed_sql, id, attempt, now, cost, error);

    ok = stmt != NULL;
    if (ok)
      {
        lw_store_bind_text (stmt, 5, processed_key);
        lw_store_bind_text (stmt, 6, processed_mime);
        lw_store_bind_text (stmt, 7, request_key);
        lw_store_bind_text (stmt, 8, review_reason);
        lw_store_bind_text (stmt, 9, note);
        ok = finish_end (self, stmt, &fenced, error);
      }
  }
  if (ok && !fenced)
    {
      g_autoptr(LwStmt) add = lw_store_stmt (self, add_version_sql, error);
      int n = 0;

      ok = add != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (add, 1, id);
          lw_store_bind_text (add, 2, processed_key);
          lw_store_bind_text (add, 3, processed_mime);
          lw_store_bind_text (add, 4, prompt != NULL ? prompt : "");
          sqlite3_bind_double (add, 5, isfinite (cost) && cost > 0 ? cost : 0);
          sqlite3_bind_int64 (add, 6, now);
          ok = sqlite3_step (add) == SQLITE_ROW;
          if (ok)
            n = sqlite3_column_int (add, 0);
          ok = ok && lw_store_step_done (self, add, _("Could not record an image’s result"), error);
          if (!ok && error != NULL && *error == NULL)
            lw_store_set_sqlite_error (self, error, _("Could not record an image’s result"));
        }
      if (ok)
        {
          g_autoptr(LwStmt) set = lw_store_stmt (self, "UPDATE images SET version = ?2 WHERE id = ?1", error);

          ok = set != NULL;
          if (ok)
            {
              sqlite3_bind_int64 (set, 1, id);
              sqlite3_bind_int (set, 2, n);
              ok = lw_store_step_done (self, set, _("Could not record an image’s result"), error);
            }
        }
    }
  ok = lw_store_tx_end (self, owned, ok, ok ? error : NULL);
  if (fenced_out != NULL)
    *fenced_out = fenced;
  return ok;
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
  lw_store_bind_text (stmt, 6, error_code);
  lw_store_bind_text (stmt, 7, error_message);
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
  lw_store_bind_text (stmt, 5, error_code);
  lw_store_bind_text (stmt, 6, error_message);
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

  stmt = lw_store_stmt (self,
                   "UPDATE images SET lease_expires_at = ?2"
                   " WHERE status = 'PROCESSING' AND lease_owner = ?1", error);
  if (stmt == NULL)
    return -1;
  lw_store_bind_text (stmt, 1, owner);
  sqlite3_bind_int64 (stmt, 2, until);
  if (!lw_store_step_done (self, stmt, _("Could not extend the leases"), error))
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
    g_autoptr(LwStmt) stmt = lw_store_stmt (self,
      "SELECT DISTINCT lease_owner FROM images WHERE status = 'PROCESSING' AND lease_owner IS NOT NULL", error);

    if (stmt == NULL)
      return NULL;
    owners = lw_store_collect_rows (self, stmt, (LwStoreRowFunc) lw_store_column_strdup_0, g_free, _("Could not read the leases"), error);
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
  if (!lw_store_tx_begin (self, &owned, error))
    return -1;
  /* A reaped image goes back to PENDING with its attempt kept: the next
   * claim makes it attempt + 1, so the old worker's finish is fenced out.
   * The lost try is not counted as a retry (it was not the server's fault). */
  for (guint i = 0; ok && i <= dead->len; i++)
    {
      g_autoptr(LwStmt) stmt = lw_store_stmt (self,
        i == 0 ? "UPDATE images SET status = 'PENDING', lease_owner = NULL, lease_expires_at = 0, updated_at = ?1"
                 " WHERE status = 'PROCESSING' AND lease_expires_at <= ?1"
               : "UPDATE images SET status = 'PENDING', lease_owner = NULL, lease_expires_at = 0, updated_at = ?1"
                 " WHERE status = 'PROCESSING' AND lease_owner = ?2", error);

      ok = stmt != NULL;
      if (!ok)
        break;
      sqlite3_bind_int64 (stmt, 1, now);
      if (i > 0)
        lw_store_bind_text (stmt, 2, dead->pdata[i - 1]);
      ok = lw_store_step_done (self, stmt, _("Could not return expired claims to the queue"), error);
      if (ok)
        reaped += sqlite3_changes (self->db);
    }
  if (!lw_store_tx_end (self, owned, ok, ok ? error : NULL))
    return -1;
  return reaped;
}

gint64
lw_store_next_retry_at (LwStore *self, const char *model)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), -1);
  g_return_val_if_fail (model != NULL, -1);

  stmt = lw_store_stmt (self,
                   "SELECT MIN(i.next_retry_at) FROM images AS i JOIN jobs AS j ON j.id = i.job_id"
                   " WHERE j.status = 'PROCESSING' AND j.model = ? AND i.status = 'RETRY_LATER'", NULL);
  if (stmt == NULL)
    return -1;
  lw_store_bind_text (stmt, 1, model);
  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return -1;
  return sqlite3_column_int64 (stmt, 0);
}

GPtrArray *
lw_store_list_launched_models (LwStore *self, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  stmt = lw_store_stmt (self, "SELECT DISTINCT model FROM jobs WHERE status = 'PROCESSING'", error);
  if (stmt == NULL)
    return NULL;
  return lw_store_collect_rows (self, stmt, lw_store_column_strdup_0, g_free,
                                _("Could not list the models of launched jobs"), error);
}

LwImage *
lw_store_find_result (LwStore *self, const char *request_key, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  g_return_val_if_fail (request_key != NULL, NULL);

  /* The newest result wins when several images asked the same thing. */
  stmt = lw_store_stmt (self,
                   "SELECT " IMAGE_COLUMNS " FROM images"
                   " WHERE request_key = ? AND status = 'COMPLETED' AND processed_key IS NOT NULL"
                   " ORDER BY updated_at DESC, id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  lw_store_bind_text (stmt, 1, request_key);
  return lw_store_read_row (self, stmt, (LwStoreRowFunc) lw_store_image_from_row,
                            _("Could not look for an earlier result"), NULL, error);
}

GHashTable *
lw_store_referenced_keys (LwStore *self, GError **error)
{
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(LwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);

  stmt = lw_store_stmt (self,
                   "SELECT original_key FROM images"
                   " UNION SELECT thumb_key FROM images WHERE thumb_key IS NOT NULL"
                   " UNION SELECT processed_key FROM images WHERE processed_key IS NOT NULL"
                   " UNION SELECT processed_key FROM versions", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (keys, lw_store_column_strdup (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      lw_store_set_sqlite_error (self, error, _("Could not list the stored files"));
      return NULL;
    }
  return g_steal_pointer (&keys);
}


/* ---- requests per minute, across processes ------------------------------
 *
 * A key's quota counts every request, whichever process sent it: the window
 * and lightwork-cli on one data folder share it. Each start is a row; a
 * scheduler counts the rows of the last window before it starts more, in
 * the same BEGIN IMMEDIATE as the claim (lw-scheduler.c), so two processes
 * cannot both see the last free start. Rows older than the window are
 * forgotten as new ones come, so the table holds at most a minute of
 * starts. */

gboolean
lw_store_count_starts (LwStore *self, const char *model, gint64 since, int *n, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  *n = 0;
  stmt = lw_store_stmt (self, "SELECT COUNT(*) FROM starts WHERE model = ?1 AND at >= ?2", error);
  if (stmt == NULL)
    return FALSE;
  lw_store_bind_text (stmt, 1, model);
  sqlite3_bind_int64 (stmt, 2, since);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      lw_store_set_sqlite_error (self, error, _("Could not read the request rate"));
      return FALSE;
    }
  *n = sqlite3_column_int (stmt, 0);
  return TRUE;
}

gboolean
lw_store_add_starts (LwStore *self, const char *model, gint64 at, int n, gint64 forget_before, GError **error)
{
  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  {
    g_autoptr(LwStmt) forget = lw_store_stmt (self, "DELETE FROM starts WHERE model = ?1 AND at < ?2", error);

    if (forget == NULL)
      return FALSE;
    lw_store_bind_text (forget, 1, model);
    sqlite3_bind_int64 (forget, 2, forget_before);
    if (!lw_store_step_done (self, forget, _("Could not record the request rate"), error))
      return FALSE;
  }
  for (int i = 0; i < n; i++)
    {
      g_autoptr(LwStmt) stmt = lw_store_stmt (self, "INSERT INTO starts (model, at) VALUES (?1, ?2)", error);

      if (stmt == NULL)
        return FALSE;
      lw_store_bind_text (stmt, 1, model);
      sqlite3_bind_int64 (stmt, 2, at);
      if (!lw_store_step_done (self, stmt, _("Could not record the request rate"), error))
        return FALSE;
    }
  return TRUE;
}

gint64
lw_store_first_start (LwStore *self, const char *model, gint64 since)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), -1);
  stmt = lw_store_stmt (self, "SELECT MIN(at) FROM starts WHERE model = ?1 AND at >= ?2", NULL);
  if (stmt == NULL)
    return -1;
  lw_store_bind_text (stmt, 1, model);
  sqlite3_bind_int64 (stmt, 2, since);
  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return -1;
  return sqlite3_column_int64 (stmt, 0);
}

/* ---- versions and review ------------------------------------------------- */

static LwVersion *
version_from_row (sqlite3_stmt *stmt)
{
  LwVersion *version = g_new0 (LwVersion, 1);

  version->id = sqlite3_column_int64 (stmt, 0);
  version->image_id = sqlite3_column_int64 (stmt, 1);
  version->n = sqlite3_column_int (stmt, 2);
  version->processed_key = lw_store_column_strdup (stmt, 3);
  version->processed_mime = lw_store_column_strdup (stmt, 4);
  version->prompt = lw_store_column_strdup (stmt, 5);
  version->model = lw_store_column_strdup (stmt, 6);
  version->module_id = lw_store_column_strdup (stmt, 7);
  version->cost = sqlite3_column_double (stmt, 8);
  version->created_at = sqlite3_column_int64 (stmt, 9);
  return version;
}

GPtrArray *
lw_store_list_versions (LwStore *self, gint64 image_id, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), NULL);
  stmt = lw_store_stmt (self, "SELECT id, image_id, n, processed_key, processed_mime, prompt, model, module_id,"
                              " cost, created_at FROM versions WHERE image_id = ? ORDER BY n", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, image_id);
  return lw_store_collect_rows (self, stmt, (LwStoreRowFunc) version_from_row, (GDestroyNotify) lw_version_free,
                                _("Could not list the image’s versions"), error);
}

gboolean
lw_store_choose_version (LwStore *self, gint64 image_id, int n, gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);

  /* Not while PROCESSING (the running attempt owns the row). The chosen
   * take is the photo's result again: a failed redo does not lose it. */
  stmt = lw_store_stmt (self,
                        "UPDATE images SET status = 'COMPLETED', version = v.n, processed_key = v.processed_key,"
                        "  processed_mime = v.processed_mime, error_code = NULL, error_message = NULL,"
                        "  next_retry_at = 0, updated_at = ?3"
                        " FROM (SELECT n, processed_key, processed_mime FROM versions WHERE image_id = ?1 AND n = ?2) AS v"
                        " WHERE images.id = ?1 AND images.status <> 'PROCESSING'", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, image_id);
  sqlite3_bind_int (stmt, 2, n);
  sqlite3_bind_int64 (stmt, 3, now);
  if (!lw_store_step_done (self, stmt, _("Could not choose the version"), error))
    return FALSE;
  if (sqlite3_changes (self->db) > 0)
    return TRUE;
  g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND,
               _("The image has no version %d, or it is being processed"), n);
  return FALSE;
}

gboolean
lw_store_set_image_review (LwStore *self, gint64 image_id, LwReview review, gint64 now, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  g_return_val_if_fail (lw_review_to_string (review) != NULL, FALSE);

  stmt = lw_store_stmt (self, "UPDATE images SET review = ?2, updated_at = ?3 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, image_id);
  lw_store_bind_text (stmt, 2, lw_review_to_string (review));
  sqlite3_bind_int64 (stmt, 3, now);
  if (!lw_store_step_done (self, stmt, _("Could not save the review"), error))
    return FALSE;
  if (sqlite3_changes (self->db) > 0)
    return TRUE;
  g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND, _("No image %" PRId64), image_id);
  return FALSE;
}

int
lw_store_set_held (LwStore *self, gint64 job_id, gboolean held, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), -1);
  stmt = lw_store_stmt (self, "UPDATE images SET held = ?2 WHERE job_id = ?1 AND held <> ?2"
                              "  AND status IN ('PENDING', 'RETRY_LATER')", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, job_id);
  sqlite3_bind_int (stmt, 2, held ? 1 : 0);
  if (!lw_store_step_done (self, stmt, _("Could not hold the photos"), error))
    return -1;
  return sqlite3_changes (self->db);
}

gboolean
lw_store_set_image_held (LwStore *self, gint64 image_id, gboolean held, GError **error)
{
  g_autoptr(LwStmt) stmt = NULL;

  g_return_val_if_fail (LW_IS_STORE (self), FALSE);
  stmt = lw_store_stmt (self, "UPDATE images SET held = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, image_id);
  sqlite3_bind_int (stmt, 2, held ? 1 : 0);
  return lw_store_step_done (self, stmt, _("Could not hold the photos"), error);
}

/* lw-store-private.h — what the store's files share: the connection, the
 * statement cache, row readers and transaction helpers. Not for outside
 * src/store/. */
#pragma once

#include <sqlite3.h>

#include "lw-store.h"

G_BEGIN_DECLS

struct _LwStore
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  GHashTable *stmts;  /* const char *sql (by address) → sqlite3_stmt * */
  int         schema_version;
};

/* The connection itself, for the store's files and the store's tests. */
sqlite3 *lw_store_get_db (LwStore *self);

#define JOB_COLUMNS \
  "id, name, module_id, model, prompt, status, source_key, spend_cap, " \
  "created_at, updated_at, launched_at, finished_at, runner, " \
  "pause_code, pause_reason, pause_advice, out_dir, out_template"

#define IMAGE_COLUMNS \
  "id, job_id, position, original_name, source_path, original_key, sha256, mime, " \
  "width, height, orientation, bytes, thumb_key, processed_key, processed_mime, " \
  "request_key, status, specific_prompt, retry_count, next_retry_at, attempt, " \
  "lease_owner, lease_expires_at, error_code, error_message, cost, created_at, updated_at, fresh_take, " \
  "review, version, held, review_reason, note"
#define N_IMAGE_COLUMNS 34

#define MODULE_COLUMNS \
  "id, name, description, icon, prompt, default_prompt, builtin, position"

/* Custom modules get an icon so the sidebar never shows a blank. */
#define CUSTOM_MODULE_ICON "applications-graphics-symbolic"

/* A cached statement borrowed for one use; the cleanup resets it (and so
 * releases its read snapshot) and clears its bindings. */
typedef sqlite3_stmt LwStmt;

static inline void
lw_stmt_release (LwStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwStmt, lw_stmt_release)

typedef gpointer (*LwStoreRowFunc) (sqlite3_stmt *stmt);

void lw_store_set_sqlite_error (LwStore *self, GError **error, const char *what);
LwStmt * lw_store_stmt (LwStore *self, const char *sql, GError **error);
void lw_store_bind_text (sqlite3_stmt *stmt, int i, const char *value);
char * lw_store_column_strdup (sqlite3_stmt *stmt, int i);
gpointer lw_store_column_strdup_0 (sqlite3_stmt *stmt);
gboolean lw_store_step_done (LwStore *self, sqlite3_stmt *stmt, const char *what, GError **error);
gboolean lw_store_exec (LwStore *self, const char *sql, const char *what, GError **error);
gboolean lw_store_tx_begin (LwStore *self, gboolean *owned, GError **error);
gboolean lw_store_tx_end (LwStore *self, gboolean owned, gboolean ok, GError **error);
LwJob * lw_store_job_from_row (sqlite3_stmt *stmt);
LwImage * lw_store_image_from_row (sqlite3_stmt *stmt);
LwModule * lw_store_module_from_row (sqlite3_stmt *stmt);
GPtrArray * lw_store_collect_rows (LwStore *self, sqlite3_stmt *stmt, LwStoreRowFunc from_row, GDestroyNotify free_func, const char *what, GError **error);
/* The first column of every row stmt selects, as gint64 (row ids). */
GArray * lw_store_collect_ids (LwStore *self, sqlite3_stmt *stmt, const char *what, GError **error);
gpointer lw_store_read_row (LwStore *self, sqlite3_stmt *stmt, LwStoreRowFunc from_row, const char *what, gboolean *missing, GError **error);

G_END_DECLS

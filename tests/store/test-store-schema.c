/* test-store-schema.c — migrations, connection settings, settings table,
 * transactions. */
#include "config.h"

#include "lw-store-batches.h"
#include "store-test-helpers.h"

/* Back from version 6 to 5: the jobs' pause and output folder. */
#define UNDO_6 "ALTER TABLE jobs DROP COLUMN pause_code; ALTER TABLE jobs DROP COLUMN pause_reason;" \
  "ALTER TABLE jobs DROP COLUMN pause_advice; ALTER TABLE jobs DROP COLUMN out_dir;" \
  "ALTER TABLE jobs DROP COLUMN out_template;"

static void
test_fresh_file (void)
{
  StoreFixture f = { 0 };
  sqlite3 *db;
  const char *tables[] = { "jobs", "images", "modules", "rejections", "settings" };
  g_autofree char *journal = NULL;
  gint64 cookie;

  store_fixture_init (&f);
  db = lw_store_get_db (f.store);
  g_assert_cmpint (lw_store_get_schema_version (f.store), ==, LW_STORE_SCHEMA_VERSION);
  g_assert_cmpint (test_query_int (db, "PRAGMA user_version"), ==, LW_STORE_SCHEMA_VERSION);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                                              tables[i]);
      g_assert_cmpint (test_query_int (db, sql), ==, 1);
    }
  /* Per-connection settings of this connection. */
  g_assert_cmpint (test_query_int (db, "PRAGMA synchronous"), ==, 1);   /* NORMAL */
  g_assert_cmpint (test_query_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (test_query_int (db, "PRAGMA busy_timeout"), ==, 10000);
  journal = test_query_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal, ==, "wal");
  cookie = test_query_int (db, "PRAGMA schema_version");
  g_assert_cmpint (cookie, >, 0);
  g_assert_finalize_object (f.store);

  /* WAL persists in the file: a plain connection sees it too. */
  {
    sqlite3 *raw = NULL;
    g_autofree char *mode = NULL;

    g_assert_cmpint (sqlite3_open_v2 (f.db_path, &raw, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    mode = test_query_text (raw, "PRAGMA journal_mode");
    g_assert_cmpstr (mode, ==, "wal");
    sqlite3_close (raw);
  }

  /* Reopening runs no DDL: the schema cookie does not move. */
  {
    g_autoptr(GError) error = NULL;

    f.store = lw_store_open (f.db_path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (test_query_int (lw_store_get_db (f.store), "PRAGMA schema_version"), ==, cookie);
    g_assert_cmpint (test_query_int (lw_store_get_db (f.store), "PRAGMA user_version"), ==, LW_STORE_SCHEMA_VERSION);
    g_assert_cmpint (test_query_int (lw_store_get_db (f.store), "SELECT COUNT(*) FROM modules"), ==, 5);
  }
  store_fixture_clear (&f);
}

static GBytes *
read_file_bytes (const char *path)
{
  char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_bytes_new_take (contents, len);
}

static void
test_too_new (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-store-test");
  g_autofree char *path = g_build_filename (dir, "future.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *raw = NULL;
  LwStore *store;

  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "CREATE TABLE future (x); PRAGMA user_version = 99;", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (raw);
  before = read_file_bytes (path);

  store = lw_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "99"));

  /* Untouched: same bytes, still a rollback-journal file, no WAL beside it. */
  after = read_file_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

  lw_test_rmtree (dir);
}

static void
test_not_a_database (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-store-test");
  g_autofree char *path = g_build_filename (dir, "junk.db", NULL);
  g_autoptr(GError) error = NULL;
  char junk[4096];
  LwStore *store;

  memset (junk, 'x', sizeof junk);
  lw_test_write_file (path, junk, sizeof junk);
  store = lw_store_open (path, &error);
  g_assert_null (store);
  /* SQLITE_NOTADB is a damaged file, in words (issue 18), with
   * sqlite3_errmsg() in the message. */
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "not a database"));
  g_assert_nonnull (strstr (error->message, "damaged"));
  lw_test_rmtree (dir);
}

typedef struct {
  const char *path;
  GError     *error;
  int         version;
} OpenData;

static gpointer
open_thread (gpointer data)
{
  OpenData *d = data;
  LwStore *store = lw_store_open (d->path, &d->error);

  if (store != NULL)
    {
      d->version = lw_store_get_schema_version (store);
      g_object_unref (store);
    }
  return NULL;
}

/* Four connections opening one fresh file at once: the migration runs
 * once, nobody fails with SQLITE_BUSY or "table already exists". */
static void
test_concurrent_first_open (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-store-test");
  g_autofree char *path = g_build_filename (dir, "race.db", NULL);
  OpenData data[4];
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      data[i] = (OpenData) { path, NULL, 0 };
      threads[i] = g_thread_new ("open", open_thread, &data[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      g_assert_no_error (data[i].error);
      g_assert_cmpint (data[i].version, ==, LW_STORE_SCHEMA_VERSION);
    }
  {
    g_autoptr(LwStore) store = lw_store_open (path, NULL);

    g_assert_nonnull (store);
    g_assert_cmpint (test_query_int (lw_store_get_db (store), "SELECT COUNT(*) FROM modules"), ==, 5);
  }
  lw_test_rmtree (dir);
}

static void
test_settings (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *gone = NULL;

  store_fixture_init (&f);
  g_assert_null (lw_store_get_setting (f.store, "model.nano_banana"));
  g_assert_true (lw_store_set_setting (f.store, "model.nano_banana", "gemini-2.5-flash-image", &error));
  g_assert_no_error (error);
  g_assert_true (lw_store_set_setting (f.store, "model.nano_banana", "gemini-3-flash-image", &error));
  value = lw_store_get_setting (f.store, "model.nano_banana");
  g_assert_cmpstr (value, ==, "gemini-3-flash-image");

  g_assert_true (lw_store_set_setting (f.store, "concurrency", " 8 ", &error));
  g_assert_cmpint (lw_store_get_setting_int (f.store, "concurrency", 2), ==, 8);
  g_assert_true (lw_store_set_setting (f.store, "concurrency", "eight", &error));
  g_assert_cmpint (lw_store_get_setting_int (f.store, "concurrency", 2), ==, 2);
  g_assert_cmpint (lw_store_get_setting_int (f.store, "unset", -7), ==, -7);

  g_assert_true (lw_store_set_setting (f.store, "price.pro", "0.134", &error));
  g_assert_cmpfloat_with_epsilon (lw_store_get_setting_double (f.store, "price.pro", 0), 0.134, 1e-12);
  g_assert_true (lw_store_set_setting (f.store, "price.pro", "0.1x", &error));
  g_assert_cmpfloat (lw_store_get_setting_double (f.store, "price.pro", 1.5), ==, 1.5);

  g_assert_true (lw_store_set_setting (f.store, "model.nano_banana", NULL, &error));
  g_assert_no_error (error);
  gone = lw_store_get_setting (f.store, "model.nano_banana");
  g_assert_null (gone);
  store_fixture_clear (&f);
}

static void
test_transactions (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GArray) ids = NULL;

  store_fixture_init (&f);
  g_assert_true (lw_store_begin (f.store, &error));
  g_assert_no_error (error);
  g_assert_false (lw_store_begin (f.store, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Store calls join the caller's transaction… */
  job = test_create_job (f.store, "local", 1000);
  ids = test_add_images (f.store, job->id, 0, 3, 1000);
  lw_store_rollback (f.store);
  /* …so a rollback takes them all back. */
  jobs = lw_store_list_jobs (f.store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 0);
  g_assert_cmpint (test_query_int (lw_store_get_db (f.store), "SELECT COUNT(*) FROM images"), ==, 0);

  g_assert_true (lw_store_begin (f.store, &error));
  g_clear_pointer (&job, lw_job_free);
  job = test_create_job (f.store, "local", 1000);
  g_assert_true (lw_store_commit (f.store, &error));
  g_assert_no_error (error);
  g_clear_pointer (&jobs, g_ptr_array_unref);
  jobs = lw_store_list_jobs (f.store, 0, &error);
  g_assert_cmpuint (jobs->len, ==, 1);
  store_fixture_clear (&f);
}

/* A version-1 file (as 0.1.0 wrote it) with a job in it gains the status
 * index, keeps its rows, and the counts are answered from the index. */
/* Undoes migration 5 → 6 (economy mode); the older migrations' tests
 * start from it. */
#define UNDO_ECONOMY "DROP INDEX images_batch; ALTER TABLE images DROP COLUMN live;" \
                     "ALTER TABLE images DROP COLUMN batch_tries; ALTER TABLE images DROP COLUMN batch_id;" \
                     "DROP TABLE batches; ALTER TABLE jobs DROP COLUMN mode;"

static void
test_migrate_1_to_2 (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  sqlite3 *db;
  LwJobCounts counts;

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 1000);
  g_array_unref (test_add_images (f.store, job->id, 0, 4, 1000));
  db = lw_store_get_db (f.store);
  /* Back to what version 1 had. */
  g_assert_cmpint (sqlite3_exec (db, UNDO_ECONOMY UNDO_6 "DROP INDEX images_review; ALTER TABLE images DROP COLUMN review_reason; ALTER TABLE images DROP COLUMN note;"
                                     "DROP TABLE versions; ALTER TABLE images DROP COLUMN review; ALTER TABLE images DROP COLUMN version;"
                                     "ALTER TABLE images DROP COLUMN held;"
                                     "DROP INDEX images_job_status; DROP TABLE starts;"
                                     "ALTER TABLE jobs DROP COLUMN runner; ALTER TABLE images DROP COLUMN fresh_take;"
                                     "PRAGMA user_version = 1", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  g_clear_object (&f.store);

  f.store = lw_store_open (f.db_path, &error);
  g_assert_no_error (error);
  db = lw_store_get_db (f.store);
  g_assert_cmpint (test_query_int (db, "PRAGMA user_version"), ==, LW_STORE_SCHEMA_VERSION);
  g_assert_cmpint (test_query_int (db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'"
                                       " AND name = 'images_job_status'"), ==, 1);
  g_assert_cmpint (test_query_int (db, "SELECT COUNT(*) FROM images"), ==, 4);
  g_assert_true (lw_store_count_images (f.store, job->id, &counts, &error));
  g_assert_cmpint (counts.pending, ==, 4);
  /* No statistics (the app never runs ANALYZE): the planner still takes the
   * index for the per-job counts, and reads no table row for them. */
  {
    g_autoptr(GString) plan = g_string_new (NULL);
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "EXPLAIN QUERY PLAN SELECT status, COUNT(*) FROM images"
                                             " WHERE job_id = 1 GROUP BY status", -1, &stmt, NULL), ==, SQLITE_OK);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_string_append_printf (plan, "%s | ", (const char *) sqlite3_column_text (stmt, 3));
    sqlite3_finalize (stmt);
    g_assert_nonnull (strstr (plan->str, "COVERING INDEX images_job_status"));
    g_assert_null (strstr (plan->str, "TEMP B-TREE"));
  }
  store_fixture_clear (&f);
}

/* A version-2 file with a launched job gains the runner, the fresh-take
 * flag and the starts table; its rows are kept with the new columns at
 * their "nothing known" values. */
static void
test_migrate_2_to_3 (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(LwJob) again = NULL;
  g_autoptr(GPtrArray) images = NULL;
  sqlite3 *db;
  int n = -1;

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 1000);
  g_array_unref (test_add_images (f.store, job->id, 0, 3, 1000));
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 2000, &error));
  db = lw_store_get_db (f.store);
  g_assert_cmpint (sqlite3_exec (db, UNDO_ECONOMY UNDO_6 "DROP INDEX images_review; ALTER TABLE images DROP COLUMN review_reason; ALTER TABLE images DROP COLUMN note;"
                                     "DROP TABLE versions; ALTER TABLE images DROP COLUMN review; ALTER TABLE images DROP COLUMN version;"
                                     "ALTER TABLE images DROP COLUMN held;"
                                     "DROP TABLE starts; ALTER TABLE jobs DROP COLUMN runner;"
                                     "ALTER TABLE images DROP COLUMN fresh_take; PRAGMA user_version = 2",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_object (&f.store);

  f.store = lw_store_open (f.db_path, &error);
  g_assert_no_error (error);
  db = lw_store_get_db (f.store);
  g_assert_cmpint (test_query_int (db, "PRAGMA user_version"), ==, LW_STORE_SCHEMA_VERSION);
  again = lw_store_get_job (f.store, job->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->status, ==, LW_JOB_PROCESSING);
  g_assert_null (again->runner);
  images = lw_store_list_images (f.store, job->id, &error);
  g_assert_cmpuint (images->len, ==, 3);
  g_assert_false (((LwImage *) g_ptr_array_index (images, 0))->fresh_take);
  g_assert_true (lw_store_count_starts (f.store, "local", 0, &n, &error));
  g_assert_cmpint (n, ==, 0);
  store_fixture_clear (&f);
}

/* A version-3 file with a finished photo: its result becomes take 1, with
 * the prompt the 2-prompt rule composed for it; nothing is held or
 * reviewed yet. */
static void
test_migrate_3_to_4 (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(LwImage) image = NULL;
  sqlite3 *db;

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 1000);
  ids = test_add_images (f.store, job->id, 0, 2, 1000);
  g_assert_true (lw_store_set_image_prompt (f.store, g_array_index (ids, gint64, 0), "  warmer ", 1000, &error));
  db = lw_store_get_db (f.store);
  g_assert_cmpint (sqlite3_exec (db, UNDO_ECONOMY UNDO_6 "DROP INDEX images_review; ALTER TABLE images DROP COLUMN review_reason; ALTER TABLE images DROP COLUMN note;"
                                     "DROP TABLE versions; ALTER TABLE images DROP COLUMN review;"
                                     "ALTER TABLE images DROP COLUMN version; ALTER TABLE images DROP COLUMN held;"
                                     "UPDATE images SET status = 'COMPLETED', processed_key = 'results/a.png'"
                                     " WHERE position = 0;"
                                     "UPDATE jobs SET prompt = 'Make it tasty.';"
                                     "PRAGMA user_version = 3", NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_object (&f.store);

  f.store = lw_store_open (f.db_path, &error);
  g_assert_no_error (error);
  db = lw_store_get_db (f.store);
  g_assert_cmpint (test_query_int (db, "PRAGMA user_version"), ==, LW_STORE_SCHEMA_VERSION);
  versions = lw_store_list_versions (f.store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 1);
  g_assert_cmpint (((LwVersion *) g_ptr_array_index (versions, 0))->n, ==, 1);
  g_assert_cmpstr (((LwVersion *) g_ptr_array_index (versions, 0))->processed_key, ==, "results/a.png");
  g_assert_cmpstr (((LwVersion *) g_ptr_array_index (versions, 0))->prompt, ==, "Make it tasty.\n\nwarmer");
  image = lw_store_get_image (f.store, g_array_index (ids, gint64, 0), &error);
  g_assert_cmpint (image->version, ==, 1);
  g_assert_cmpint (image->review, ==, LW_REVIEW_UNDECIDED);
  g_assert_false (image->held);
  g_assert_cmpint (test_query_int (db, "SELECT COUNT(*) FROM versions"), ==, 1);
  store_fixture_clear (&f);
}

/* A version-4 file with a finished image gains review_reason and note
 * (NULL: passed, nothing to say) and the partial index that counts the
 * results needing review reading only those rows; a result finished with a
 * reason is counted and read back. */
static void
test_migrate_4_to_5 (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  LwJobCounts counts;
  gboolean fenced = TRUE;
  sqlite3 *db;

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 1000);
  ids = test_add_images (f.store, job->id, 0, 2, 1000);
  db = lw_store_get_db (f.store);
  g_assert_cmpint (sqlite3_exec (db, UNDO_ECONOMY UNDO_6 "DROP INDEX images_review; ALTER TABLE images DROP COLUMN review_reason;"
                                     "ALTER TABLE images DROP COLUMN note; PRAGMA user_version = 4",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_object (&f.store);

  f.store = lw_store_open (f.db_path, &error);
  g_assert_no_error (error);
  db = lw_store_get_db (f.store);
  g_assert_cmpint (test_query_int (db, "PRAGMA user_version"), ==, LW_STORE_SCHEMA_VERSION);
  images = lw_store_list_images (f.store, job->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, 2);
  g_assert_null (((LwImage *) g_ptr_array_index (images, 0))->review_reason);
  g_assert_null (((LwImage *) g_ptr_array_index (images, 0))->note);

  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 2000, &error));
  claimed = lw_store_claim (f.store, "local", 0, 2, "me", 2000, 90000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 2);
  g_assert_true (lw_store_finish_checked (f.store, g_array_index (ids, gint64, 0), 1, "r0", "image/png", "k0", NULL,
                                          "It looks like a different picture", "wide", 0, 3000, &fenced, &error));
  g_assert_false (fenced);
  g_assert_true (lw_store_finish_completed (f.store, g_array_index (ids, gint64, 1), 1, "r1", "image/png", "k1", NULL,
                                            0, 3000, &fenced, &error));
  g_assert_true (lw_store_count_images (f.store, job->id, &counts, &error));
  g_assert_cmpint (counts.completed, ==, 2);
  g_assert_cmpint (counts.needs_review, ==, 1);
  g_clear_pointer (&images, g_ptr_array_unref);
  images = lw_store_list_images (f.store, job->id, &error);
  g_assert_cmpstr (((LwImage *) g_ptr_array_index (images, 0))->review_reason, ==,
                   "It looks like a different picture");
  g_assert_cmpstr (((LwImage *) g_ptr_array_index (images, 0))->note, ==, "wide");
  g_assert_null (((LwImage *) g_ptr_array_index (images, 1))->review_reason);
  {
    g_autoptr(GString) plan = g_string_new (NULL);
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM images INDEXED BY images_review WHERE job_id = 1"
                                             " AND status = 'COMPLETED' AND review_reason IS NOT NULL",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_string_append_printf (plan, "%s | ", (const char *) sqlite3_column_text (stmt, 3));
    sqlite3_finalize (stmt);
    g_assert_nonnull (strstr (plan->str, "USING INDEX images_review"));
  }
  store_fixture_clear (&f);
}

/* A version-5 file keeps its jobs: not paused, no output folder; then a
 * pause and an output folder are saved and read back. */
static void
test_migrate_5_to_6 (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(LwJob) again = NULL;

  store_fixture_init (&f);
  job = test_create_job (f.store, "local", 1000);
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 2000, &error));
  g_assert_cmpint (sqlite3_exec (lw_store_get_db (f.store), UNDO_ECONOMY UNDO_6 "PRAGMA user_version = 5", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  g_clear_object (&f.store);

  f.store = lw_store_open (f.db_path, &error);
  g_assert_no_error (error);
  again = lw_store_get_job (f.store, job->id, &error);
  g_assert_no_error (error);
  g_assert_false (lw_job_is_paused (again));
  g_assert_null (again->out_dir);
  g_assert_true (lw_store_set_job_pause (f.store, job->id, "auth", "The key was refused", "Set one.", 3000, &error));
  g_assert_true (lw_store_set_job_output (f.store, job->id, "/tmp/out", "{name}.{ext}", 3000, &error));
  g_clear_pointer (&again, lw_job_free);
  again = lw_store_get_job (f.store, job->id, &error);
  g_assert_cmpstr (lw_job_state_to_string (again), ==, "PAUSED");
  g_assert_cmpstr (again->pause_advice, ==, "Set one.");
  g_assert_cmpstr (again->out_dir, ==, "/tmp/out");
  g_assert_cmpstr (again->out_template, ==, "{name}.{ext}");
  /* Any change of status ends the pause. */
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_CANCELLED, 4000, &error));
  g_clear_pointer (&again, lw_job_free);
  again = lw_store_get_job (f.store, job->id, &error);
  g_assert_null (again->pause_code);
  g_assert_cmpstr (lw_job_state_to_string (again), ==, "CANCELLED");
  store_fixture_clear (&f);
}

/* 6 → 7 (economy mode): jobs are fast, no batch, nothing in one. */
static void
test_migrate_6_to_7 (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(GPtrArray) batches = NULL;
  g_autofree char *mode = NULL;
  sqlite3 *db;

  store_fixture_init (&f);
  job = test_create_job (f.store, "nano_banana", 1000);
  g_array_unref (test_add_images (f.store, job->id, 0, 2, 1000));
  db = lw_store_get_db (f.store);
  g_assert_cmpint (sqlite3_exec (db, UNDO_ECONOMY "PRAGMA user_version = 6", NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_object (&f.store);

  f.store = lw_store_open (f.db_path, &error);
  g_assert_no_error (error);
  db = lw_store_get_db (f.store);
  g_assert_cmpint (test_query_int (db, "PRAGMA user_version"), ==, LW_STORE_SCHEMA_VERSION);
  mode = lw_store_get_job_mode (f.store, job->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mode, ==, LW_STORE_MODE_FAST);
  batches = lw_store_list_batches (f.store, job->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batches->len, ==, 0);
  g_assert_cmpint (test_query_int (db, "SELECT COUNT(*) FROM images WHERE batch_id IS NULL AND live = 0"
                                       " AND batch_tries = 0"), ==, 2);
  /* Refused while it runs, like the model. */
  g_assert_true (lw_store_set_job_status (f.store, job->id, LW_JOB_PROCESSING, 2000, &error));
  g_assert_false (lw_store_set_job_mode (f.store, job->id, LW_STORE_MODE_ECONOMY, 2000, &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_RUNNING);
  store_fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/schema/fresh-file", test_fresh_file);
  g_test_add_func ("/store/schema/too-new", test_too_new);
  g_test_add_func ("/store/schema/not-a-database", test_not_a_database);
  g_test_add_func ("/store/schema/concurrent-first-open", test_concurrent_first_open);
  g_test_add_func ("/store/schema/settings", test_settings);
  g_test_add_func ("/store/schema/transactions", test_transactions);
  g_test_add_func ("/store/schema/migrate-1-to-2", test_migrate_1_to_2);
  g_test_add_func ("/store/schema/migrate-2-to-3", test_migrate_2_to_3);
  g_test_add_func ("/store/schema/migrate-3-to-4", test_migrate_3_to_4);
  g_test_add_func ("/store/schema/migrate-4-to-5", test_migrate_4_to_5);
  g_test_add_func ("/store/schema/migrate-5-to-6", test_migrate_5_to_6);
  g_test_add_func ("/store/schema/migrate-6-to-7", test_migrate_6_to_7);
  return g_test_run ();
}

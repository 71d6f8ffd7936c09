/* store-test-helpers.h — small helpers shared by the store tests. */
#pragma once

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "lw-blob-store.h"
#include "lw-modules.h"
#include "lw-store-private.h"
#include "lw-test-util.h"

/* A fresh folder with a store in it; free with store_fixture_clear. */
typedef struct {
  char    *dir;
  char    *db_path;
  LwStore *store;
} StoreFixture;

static inline void
store_fixture_init (StoreFixture *f)
{
  g_autoptr(GError) error = NULL;

  f->dir = lw_test_make_tmpdir ("lw-store-test");
  f->db_path = g_build_filename (f->dir, "lightwork.db", NULL);
  f->store = lw_store_open (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static inline void
store_fixture_clear (StoreFixture *f)
{
  if (f->store != NULL)
    g_assert_finalize_object (f->store);
  f->store = NULL;
  lw_test_rmtree (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->db_path, g_free);
}

/* An image record as ingest would fill it; content n gives its sha256. */
static inline LwImage *
test_image_new (gint64 job_id, guint n)
{
  LwImage *image = g_new0 (LwImage, 1);
  g_autofree char *content = g_strdup_printf ("photo %u", n);

  image->job_id = job_id;
  image->original_name = g_strdup_printf ("IMG_%04u.jpg", n);
  image->source_path = g_strdup_printf ("/photos/IMG_%04u.jpg", n);
  image->sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  image->original_key = lw_blob_store_original_key (image->sha256);
  image->thumb_key = lw_blob_store_thumb_key (image->sha256, FALSE);
  image->mime = g_strdup ("image/jpeg");
  image->width = 6000;
  image->height = 4000;
  image->orientation = 6;
  image->bytes = 1000 + n;
  return image;
}

/* Stages n images (contents first..first+n-1) into job_id; returns their ids. */
static inline GArray *
test_add_images (LwStore *store, gint64 job_id, guint first, guint n, gint64 now)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LwImage) image = test_image_new (job_id, first + i);
      g_autoptr(GError) error = NULL;
      gboolean duplicate = TRUE;

      g_assert_true (lw_store_add_image (store, image, now, &duplicate, &error));
      g_assert_no_error (error);
      g_assert_false (duplicate);
      g_array_append_val (ids, image->id);
    }
  return ids;
}

static inline LwJob *
test_create_job (LwStore *store, const char *model, gint64 now)
{
  g_autoptr(GError) error = NULL;
  LwJob *job = lw_store_create_job (store, NULL, LW_DEFAULT_MODULE_ID, model, NULL, now, &error);

  g_assert_no_error (error);
  g_assert_nonnull (job);
  return job;
}

/* One integer from a query on the raw connection. */
static inline gint64
test_query_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static inline char *
test_query_text (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

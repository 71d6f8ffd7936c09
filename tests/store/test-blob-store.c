/* test-blob-store.c — content-addressed originals, keyed writes, the sweep. */
#include "config.h"

#include <sys/stat.h>
#include <utime.h>

#include "store-test-helpers.h"

typedef struct {
  char        *dir;
  LwBlobStore *blobs;
} BlobFixture;

static void
blob_fixture_init (BlobFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;

  f->dir = lw_test_make_tmpdir ("lw-blob-test");
  root = g_build_filename (f->dir, "blobs", NULL);
  f->blobs = lw_blob_store_new (root, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->blobs);
}

static void
blob_fixture_clear (BlobFixture *f)
{
  g_assert_finalize_object (f->blobs);
  lw_test_rmtree (f->dir);
  g_free (f->dir);
}

static char *
sha256_of_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static void
test_put_file (void)
{
  BlobFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *photos_dir = NULL;
  g_autoptr(GPtrArray) photos = NULL;
  g_autofree char *twin = NULL;
  g_autofree char *originals = NULL;
  g_autoptr(GHashTable) distinct = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  blob_fixture_init (&f);
  photos_dir = g_build_filename (f.dir, "photos", NULL);
  photos = lw_test_copy_fixtures (photos_dir);

  for (guint i = 0; i < photos->len; i++)
    {
      const char *photo = photos->pdata[i];
      g_autofree char *sha256 = NULL;
      g_autofree char *expected = sha256_of_file (photo);
      g_autofree char *key = NULL;
      g_autofree char *stored = NULL;
      g_autofree char *stored_sha = NULL;
      GStatBuf st;
      gint64 bytes = -1;

      key = lw_blob_store_put_file (f.blobs, photo, &sha256, &bytes, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (sha256, ==, expected);
      g_assert_cmpint (g_stat (photo, &st), ==, 0);
      g_assert_cmpint (bytes, ==, st.st_size);
      g_assert_true (g_str_has_prefix (key, "originals/"));
      g_assert_true (g_str_has_suffix (key, sha256));
      g_assert_true (lw_blob_store_exists (f.blobs, key));
      stored = lw_blob_store_path (f.blobs, key);
      stored_sha = sha256_of_file (stored);
      g_assert_cmpstr (stored_sha, ==, expected);
      g_hash_table_add (distinct, g_strdup (sha256));
    }

  /* The same content under another name is stored once. */
  twin = g_build_filename (photos_dir, "twin-of-first.jpg", NULL);
  {
    g_autofree char *contents = NULL;
    gsize len = 0;
    g_autofree char *key1 = NULL;
    g_autofree char *key2 = NULL;

    g_assert_true (g_file_get_contents (photos->pdata[0], &contents, &len, NULL));
    lw_test_write_file (twin, contents, len);
    key1 = lw_blob_store_put_file (f.blobs, photos->pdata[0], NULL, NULL, NULL, &error);
    key2 = lw_blob_store_put_file (f.blobs, twin, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (key1, ==, key2);
  }
  originals = g_build_filename (lw_blob_store_get_root (f.blobs), "originals", NULL);
  g_assert_cmpuint (lw_test_count_files (originals), ==, g_hash_table_size (distinct));
  /* Nothing is left in tmp/. */
  g_assert_cmpuint (lw_blob_store_count_tmp (f.blobs), ==, 0);

  /* A missing source is an error and leaves nothing behind. */
  {
    g_autofree char *missing = g_build_filename (f.dir, "nope.jpg", NULL);
    g_autofree char *key = lw_blob_store_put_file (f.blobs, missing, NULL, NULL, NULL, &error);

    g_assert_null (key);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_cmpuint (lw_blob_store_count_tmp (f.blobs), ==, 0);
  }
  /* Cancelled before it starts. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autofree char *key = NULL;

    g_cancellable_cancel (cancellable);
    key = lw_blob_store_put_file (f.blobs, photos->pdata[0], NULL, NULL, cancellable, &error);
    g_assert_null (key);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpuint (lw_blob_store_count_tmp (f.blobs), ==, 0);
  }
  blob_fixture_clear (&f);
}

/* A file bigger than one 64 KiB chunk and not a multiple of it. */
static void
test_put_file_chunks (void)
{
  BlobFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *src = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GBytes) back = NULL;
  const gsize len = 3 * 65536 + 123;
  gint64 bytes = 0;

  blob_fixture_init (&f);
  data = g_malloc (len);
  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 7 + i / 65536);
  src = g_build_filename (f.dir, "big.bin", NULL);
  lw_test_write_file (src, data, len);
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);

  key = lw_blob_store_put_file (f.blobs, src, &sha256, &bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sha256, ==, expected);
  g_assert_cmpint (bytes, ==, len);
  back = lw_blob_store_get_bytes (f.blobs, key, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), data, len);
  blob_fixture_clear (&f);
}

static void
test_put_get_bytes (void)
{
  BlobFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("\x89PNG result", 11);
  g_autoptr(GBytes) data2 = g_bytes_new_static ("second", 6);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GBytes) back2 = NULL;
  g_autoptr(GBytes) missing = NULL;
  g_autofree char *key = lw_blob_store_result_key (17, 3, "image/png");

  blob_fixture_init (&f);
  g_assert_cmpstr (key, ==, "results/17-3.png");
  g_assert_false (lw_blob_store_exists (f.blobs, key));
  g_assert_true (lw_blob_store_put_bytes (f.blobs, key, data, &error));
  g_assert_no_error (error);
  g_assert_true (lw_blob_store_exists (f.blobs, key));
  back = lw_blob_store_get_bytes (f.blobs, key, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, data));
  /* Rewriting a key replaces it whole. */
  g_assert_true (lw_blob_store_put_bytes (f.blobs, key, data2, &error));
  back2 = lw_blob_store_get_bytes (f.blobs, key, &error);
  g_assert_true (g_bytes_equal (back2, data2));
  g_assert_cmpuint (lw_blob_store_count_tmp (f.blobs), ==, 0);

  /* Intermediate folders are made. */
  g_assert_true (lw_blob_store_put_bytes (f.blobs, "thumbs/ab/deep/x.jpg", data, &error));
  g_assert_no_error (error);

  g_assert_true (lw_blob_store_delete (f.blobs, key, &error));
  g_assert_false (lw_blob_store_exists (f.blobs, key));
  g_assert_true (lw_blob_store_delete (f.blobs, key, &error));   /* missing is fine */
  g_assert_no_error (error);
  missing = lw_blob_store_get_bytes (f.blobs, key, &error);
  g_assert_null (missing);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  blob_fixture_clear (&f);
}

static void
test_key_helpers (void)
{
  const char *sha = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
  g_autofree char *o = lw_blob_store_original_key (sha);
  g_autofree char *t = lw_blob_store_thumb_key (sha, FALSE);
  g_autofree char *ta = lw_blob_store_thumb_key (sha, TRUE);
  g_autofree char *r = lw_blob_store_result_key (5, 1, "image/jpeg");
  g_autofree char *rw = lw_blob_store_result_key (5, 2, "image/webp");
  g_autofree char *ru = lw_blob_store_result_key (5, 3, "application/x-weird");

  g_assert_cmpstr (o, ==, "originals/ab/abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  g_assert_cmpstr (t, ==, "thumbs/ab/abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789.jpg");
  g_assert_true (g_str_has_suffix (ta, ".png"));
  g_assert_cmpstr (r, ==, "results/5-1.jpg");
  g_assert_cmpstr (rw, ==, "results/5-2.webp");
  g_assert_cmpstr (ru, ==, "results/5-3.bin");
}

static void
test_bad_keys (void)
{
  BlobFixture f = { 0 };
  g_autoptr(GBytes) data = g_bytes_new_static ("x", 1);
  const char *bad[] = { "../outside", "results/../../outside", "/etc/passwd", "results\\x", "", ".." };
  g_autofree char *outside = NULL;

  blob_fixture_init (&f);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) got = NULL;

      g_assert_false (lw_blob_store_put_bytes (f.blobs, bad[i], data, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      got = lw_blob_store_get_bytes (f.blobs, bad[i], &error);
      g_assert_null (got);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      g_assert_false (lw_blob_store_delete (f.blobs, bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_false (lw_blob_store_exists (f.blobs, bad[i]));
    }
  outside = g_build_filename (f.dir, "outside", NULL);
  g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));
  blob_fixture_clear (&f);
}

static void
set_age (const char *path, gint64 age_s)
{
  struct utimbuf times;

  times.actime = times.modtime = (time_t) (g_get_real_time () / G_USEC_PER_SEC - age_s);
  g_assert_cmpint (g_utime (path, &times), ==, 0);
}

static void
test_sweep (void)
{
  BlobFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) referenced = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) data = g_bytes_new_static ("data", 4);
  const char *kept[] = {
    "originals/aa/aa11", "thumbs/aa/aa11.jpg", "results/1-1.png",
  };
  const char *garbage[] = {
    "originals/bb/bb22", "thumbs/bb/bb22.jpg", "results/2-1.png",
  };
  const char *root;
  g_autofree char *tmp1 = NULL;
  g_autofree char *tmp2 = NULL;
  g_autofree char *foreign = NULL;

  blob_fixture_init (&f);
  root = lw_blob_store_get_root (f.blobs);
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_assert_true (lw_blob_store_put_bytes (f.blobs, kept[i], data, &error));
      g_assert_true (lw_blob_store_put_bytes (f.blobs, garbage[i], data, &error));
      g_hash_table_add (referenced, (gpointer) kept[i]);
    }
  g_assert_no_error (error);
  /* Crash leftovers in tmp/: one old, one fresh. */
  tmp1 = g_build_filename (root, "tmp", "blob-old", NULL);
  tmp2 = g_build_filename (root, "tmp", "blob-new", NULL);
  lw_test_write_file (tmp1, "x", 1);
  lw_test_write_file (tmp2, "x", 1);
  set_age (tmp1, 3600);
  /* Only the first garbage file is old. */
  {
    g_autofree char *old = g_build_filename (root, garbage[0], NULL);

    set_age (old, 3600);
  }
  g_assert_cmpuint (lw_blob_store_count_tmp (f.blobs), ==, 2);

  /* With older_than_ms: only what is at least 10 min old goes. */
  g_assert_cmpuint (lw_blob_store_sweep (f.blobs, referenced, 10 * 60 * 1000, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_false (g_file_test (tmp1, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (tmp2, G_FILE_TEST_EXISTS));
  g_assert_false (lw_blob_store_exists (f.blobs, garbage[0]));
  g_assert_true (lw_blob_store_exists (f.blobs, garbage[1]));

  /* At start-up (0): everything unreferenced and all of tmp/. */
  g_assert_cmpuint (lw_blob_store_sweep (f.blobs, referenced, 0, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpuint (lw_blob_store_count_tmp (f.blobs), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_assert_true (lw_blob_store_exists (f.blobs, kept[i]));
      g_assert_false (lw_blob_store_exists (f.blobs, garbage[i]));
    }
  /* Files outside the three folders are none of the sweep's business. */
  foreign = g_build_filename (root, "lightwork.db", NULL);
  lw_test_write_file (foreign, "db", 2);
  g_assert_cmpuint (lw_blob_store_sweep (f.blobs, referenced, 0, &error), ==, 0);
  g_assert_true (g_file_test (foreign, G_FILE_TEST_EXISTS));
  blob_fixture_clear (&f);
}

/* The sweep and the store together: a deleted job's blobs go, a kept
 * job's stay. */
static void
test_sweep_with_store (void)
{
  StoreFixture sf = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwBlobStore) blobs = NULL;
  g_autofree char *root = NULL;
  g_autofree char *photos_dir = NULL;
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(LwJob) keep = NULL;
  g_autoptr(LwJob) drop = NULL;
  g_autoptr(GHashTable) referenced = NULL;
  g_autofree char *kept_key = NULL;
  g_autofree char *dropped_key = NULL;

  store_fixture_init (&sf);
  root = g_build_filename (sf.dir, "blobs", NULL);
  blobs = lw_blob_store_new (root, &error);
  g_assert_no_error (error);
  photos_dir = g_build_filename (sf.dir, "photos", NULL);
  photos = lw_test_copy_fixtures (photos_dir);
  g_assert_cmpuint (photos->len, >=, 2);
  keep = test_create_job (sf.store, "local", 100);
  drop = test_create_job (sf.store, "local", 100);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(LwImage) image = g_new0 (LwImage, 1);
      gboolean duplicate;

      image->job_id = i == 0 ? keep->id : drop->id;
      image->original_name = g_path_get_basename (photos->pdata[i]);
      image->original_key = lw_blob_store_put_file (blobs, photos->pdata[i], &image->sha256, &image->bytes,
                                                    NULL, &error);
      g_assert_no_error (error);
      g_assert_true (lw_store_add_image (sf.store, image, 200, &duplicate, &error));
      g_assert_no_error (error);
      if (i == 0)
        kept_key = g_strdup (image->original_key);
      else
        dropped_key = g_strdup (image->original_key);
    }
  g_assert_true (lw_store_delete_job (sf.store, drop->id, &error));
  referenced = lw_store_referenced_keys (sf.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lw_blob_store_sweep (blobs, referenced, 0, &error), ==, 1);
  g_assert_true (lw_blob_store_exists (blobs, kept_key));
  g_assert_false (lw_blob_store_exists (blobs, dropped_key));
  store_fixture_clear (&sf);
}

/* A result key names its image and attempt; nothing else parses as one. */
static void
test_result_key_parse (void)
{
  g_autofree char *key = lw_blob_store_result_key (32, 7, "image/jpeg");
  gint64 image_id = 0;
  int attempt = 0;

  g_assert_true (lw_blob_store_parse_result_key (key, &image_id, &attempt));
  g_assert_cmpint (image_id, ==, 32);
  g_assert_cmpint (attempt, ==, 7);
  g_assert_false (lw_blob_store_parse_result_key ("originals/ab/abcdef", &image_id, &attempt));
  g_assert_false (lw_blob_store_parse_result_key ("results/x-1.png", &image_id, &attempt));
  g_assert_false (lw_blob_store_parse_result_key ("results/3.png", &image_id, &attempt));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/blobs/put-file", test_put_file);
  g_test_add_func ("/store/blobs/put-file-chunks", test_put_file_chunks);
  g_test_add_func ("/store/blobs/put-get-bytes", test_put_get_bytes);
  g_test_add_func ("/store/blobs/key-helpers", test_key_helpers);
  g_test_add_func ("/store/blobs/bad-keys", test_bad_keys);
  g_test_add_func ("/store/blobs/sweep", test_sweep);
  g_test_add_func ("/store/blobs/sweep-with-store", test_sweep_with_store);
  g_test_add_func ("/store/blobs/result-key-parse", test_result_key_parse);
  return g_test_run ();
}

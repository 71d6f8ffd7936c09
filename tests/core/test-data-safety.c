/* test-data-safety.c — what the core may never do to a user's files:
 * sweep stored photos a database cannot prove are garbage, delete instead
 * of keeping them in the trash, sweep from a read-only command, or leave
 * the data folder readable by others. Real folders, real SQLite, real
 * file times; the trash's keep period runs on the fake clock.
 */
#include "config.h"

#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <glib/gstdio.h>

#include "lw-core.h"
#include "lw-export.h"
#include "lw-test-util.h"

/* File times come from the kernel's coarse clock (a tick of up to 10 ms
 * behind the wall clock): work meant to happen "after" a mark waits a bit
 * more than a tick, as any real session does. */
#define AFTER_A_TICK_US (30 * 1000)

static LwCore *
open_core (const char *dir, LwClock *clock, LwCoreOpenFlags flags)
{
  g_autoptr(GError) error = NULL;
  LwCore *core = lw_core_open_full (dir, clock, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (core);
  return core;
}

static gint64
new_job (LwCore *core)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = lw_store_create_job (lw_core_get_store (core), NULL, "food", "local", NULL,
                                              lw_clock_now_ms (lw_core_get_clock (core)), &error);

  g_assert_no_error (error);
  return job->id;
}

/* Stores content as an original of a new image of job_id; returns the
 * image id, *key the blob's key. */
static gint64
add_photo (LwCore *core, gint64 job_id, const char *content, char **key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (content, strlen (content));
  LwImage *image = g_new0 (LwImage, 1);
  gboolean duplicate = FALSE;
  gint64 id;

  image->job_id = job_id;
  image->original_name = g_strdup ("photo.jpg");
  image->sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  image->original_key = lw_blob_store_original_key (image->sha256);
  image->mime = g_strdup ("image/jpeg");
  image->width = image->height = 1;
  image->bytes = strlen (content);
  g_assert_true (lw_blob_store_put_bytes (lw_core_get_blobs (core), image->original_key, bytes, &error));
  g_assert_no_error (error);
  g_assert_true (lw_store_add_image (lw_core_get_store (core), image, lw_clock_now_ms (lw_core_get_clock (core)),
                                     &duplicate, &error));
  g_assert_no_error (error);
  g_assert_false (duplicate);
  id = image->id;
  if (key != NULL)
    *key = g_strdup (image->original_key);
  lw_image_free (image);
  return id;
}

static gboolean
blob_in_place (const char *dir, const char *key)
{
  g_autofree char *path = g_build_filename (dir, "blobs", key, NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static gboolean
blob_in_trash (const char *dir, const char *key)
{
  g_autofree char *path = g_build_filename (dir, "blobs", "trash", key, NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static guint
trash_count (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "blobs", "trash", NULL);

  return lw_test_count_files (path);
}

/* Removes lightwork.db and its -wal/-shm (the core must be closed). */
static void
remove_db (const char *dir, const char *aside)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/lightwork.db%s", dir, suffixes[i]);

      if (aside != NULL)
        {
          g_autofree char *dest = g_strdup_printf ("%s%s", aside, suffixes[i]);

          if (g_file_test (path, G_FILE_TEST_EXISTS))
            g_assert_cmpint (g_rename (path, dest), ==, 0);
        }
      else
        g_unlink (path);
    }
}

/* Copies a file the way cp does (the copy is dated now). */
static void
copy_file (const char *src, const char *dest)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (src, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 0);
  g_assert_true (g_file_set_contents (dest, contents, len, &error));
  g_assert_no_error (error);
}

/* A data folder with one job of three photos, closed (so its mark is
 * written, as after any clean exit). */
static char *
make_data_dir (char **keys /* [3] */)
{
  char *dir = lw_test_make_tmpdir ("lw-safety");
  g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
  gint64 job = new_job (core);
  const char *contents[] = { "first photo", "second photo", "third photo" };

  for (guint i = 0; i < 3; i++)
    add_photo (core, job, contents[i], &keys[i]);
  return dir;
}

/* A 0-byte lightwork.db beside a full blob folder: a database that knows
 * nothing proves nothing. Not then, and not later when it has rows of its
 * own. */
static void
test_zero_byte_db (void)
{
  char *keys[3] = { NULL, };
  g_autofree char *dir = make_data_dir (keys);
  g_autofree char *db = g_build_filename (dir, "lightwork.db", NULL);

  remove_db (dir, NULL);
  lw_test_write_file (db, "", 0);
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);

    g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_NEW_DB);
    g_assert_cmpuint (lw_core_get_swept (core, NULL), ==, 0);
    g_assert_cmpuint (lw_core_sweep (core, NULL), ==, 0);
    g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_EMPTY_DB);
  }
  /* The new database gets work of its own; the old files still stay. */
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);

    g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_EMPTY_DB);
    add_photo (core, new_job (core), "a new photo", NULL);
  }
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);

    g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_DONE);
    g_assert_cmpuint (lw_core_get_swept (core, NULL), ==, 0);
  }
  for (guint i = 0; i < 3; i++)
    g_assert_true (blob_in_place (dir, keys[i]));
  g_assert_cmpuint (trash_count (dir), ==, 0);

  for (guint i = 0; i < 3; i++)
    g_free (keys[i]);
  lw_test_rmtree (dir);
}

/* The database moved aside: a new one is made; nothing is swept; putting
 * the old one back finds every file. */
static void
test_db_moved_aside (void)
{
  char *keys[3] = { NULL, };
  g_autofree char *dir = make_data_dir (keys);
  g_autofree char *aside = g_build_filename (dir, "aside.db", NULL);
  g_autofree char *db = g_build_filename (dir, "lightwork.db", NULL);

  remove_db (dir, aside);
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);

    g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_NEW_DB);
    add_photo (core, new_job (core), "work in the new database", NULL);
  }
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);

    g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_DONE);
    g_assert_cmpuint (lw_core_get_swept (core, NULL), ==, 0);
  }
  for (guint i = 0; i < 3; i++)
    g_assert_true (blob_in_place (dir, keys[i]));
  g_assert_cmpuint (trash_count (dir), ==, 0);

  /* Back: every image of the old database has its original. */
  remove_db (dir, NULL);
  g_assert_cmpint (g_rename (aside, db), ==, 0);
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
    g_autoptr(GHashTable) referenced = lw_store_referenced_keys (lw_core_get_store (core), NULL);

    for (guint i = 0; i < 3; i++)
      {
        g_assert_true (g_hash_table_contains (referenced, keys[i]));
        g_assert_true (blob_in_place (dir, keys[i]));
      }
  }
  for (guint i = 0; i < 3; i++)
    g_free (keys[i]);
  lw_test_rmtree (dir);
}

/* An older backup copied back (cp: the file is dated now) beside a blob
 * folder with newer work: the newer job's files stay, then and later. */
static void
test_older_db_restored (void)
{
  char *keys[3] = { NULL, };
  g_autofree char *dir = make_data_dir (keys);
  g_autofree char *db = g_build_filename (dir, "lightwork.db", NULL);
  g_autofree char *backup = g_build_filename (dir, "backup.db", NULL);
  g_autofree char *newer_a = NULL;
  g_autofree char *newer_b = NULL;

  copy_file (db, backup);
  g_usleep (AFTER_A_TICK_US);
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
    gint64 job = new_job (core);

    g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_DONE);
    add_photo (core, job, "newer work, one", &newer_a);
    add_photo (core, job, "newer work, two", &newer_b);
  }
  remove_db (dir, NULL);
  copy_file (backup, db);
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);

    g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_OLDER_DB);
    g_assert_cmpuint (lw_core_get_swept (core, NULL), ==, 0);
  }
  /* The session above closed cleanly and vouched for its time; the newer
   * job's files were kept for good before that, so they still stay. */
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);

    g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_DONE);
    g_assert_cmpuint (lw_core_get_swept (core, NULL), ==, 0);
  }
  g_assert_true (blob_in_place (dir, newer_a));
  g_assert_true (blob_in_place (dir, newer_b));
  for (guint i = 0; i < 3; i++)
    g_assert_true (blob_in_place (dir, keys[i]));
  g_assert_cmpuint (trash_count (dir), ==, 0);

  for (guint i = 0; i < 3; i++)
    g_free (keys[i]);
  lw_test_rmtree (dir);
}

/* A real orphan (its image removed) goes to the trash, not away; it is
 * removed only once LW_BLOB_TRASH_KEEP_MS has passed on the core's clock. */
static void
test_orphan_trash_keep_period (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-safety");
  g_autofree char *kept = NULL;
  g_autofree char *orphan = NULL;
  gint64 trashed_at;

  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
    gint64 job = new_job (core);
    g_autoptr(GError) error = NULL;

    add_photo (core, job, "kept photo", &kept);
    g_assert_true (lw_store_remove_image (lw_core_get_store (core), add_photo (core, job, "removed photo", &orphan),
                                          &error));
    g_assert_no_error (error);
  }
  g_assert_true (blob_in_place (dir, orphan));
  trashed_at = g_get_real_time () / 1000;
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
    gboolean full = FALSE;

    g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_DONE);
    g_assert_cmpuint (lw_core_get_swept (core, &full), ==, 1);
    g_assert_true (full);
  }
  g_assert_false (blob_in_place (dir, orphan));
  g_assert_true (blob_in_trash (dir, orphan));
  g_assert_true (blob_in_place (dir, kept));

  /* A day short of the keep period: still there. */
  {
    g_autoptr(LwFakeClock) clock = lw_fake_clock_new (trashed_at + LW_BLOB_TRASH_KEEP_MS - 24 * 3600 * 1000);
    g_autoptr(LwCore) core = open_core (dir, LW_CLOCK (clock), LW_CORE_OPEN_DEFAULT);

    g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_DONE);
  }
  g_assert_true (blob_in_trash (dir, orphan));
  /* Past it: removed, and the kept photo is not. */
  {
    g_autoptr(LwFakeClock) clock = lw_fake_clock_new (trashed_at + LW_BLOB_TRASH_KEEP_MS + 60 * 1000);
    g_autoptr(LwCore) core = open_core (dir, LW_CLOCK (clock), LW_CORE_OPEN_DEFAULT);
  }
  g_assert_false (blob_in_trash (dir, orphan));
  g_assert_cmpuint (trash_count (dir), ==, 0);
  g_assert_true (blob_in_place (dir, kept));
  lw_test_rmtree (dir);
}

/* A file in the trash that a (restored) database names again comes back. */
static void
test_untrash (void)
{
  char *keys[3] = { NULL, };
  g_autofree char *dir = make_data_dir (keys);
  g_autofree char *db = g_build_filename (dir, "lightwork.db", NULL);
  g_autofree char *backup = g_build_filename (dir, "backup.db", NULL);

  copy_file (db, backup);
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
    g_autoptr(GPtrArray) jobs = lw_store_list_jobs (lw_core_get_store (core), 0, NULL);

    g_assert_cmpuint (jobs->len, ==, 1);
    g_assert_true (lw_store_delete_job (lw_core_get_store (core), ((LwJob *) jobs->pdata[0])->id, NULL));
    new_job (core);
    add_photo (core, new_job (core), "another job", NULL);
  }
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);

    g_assert_cmpuint (lw_core_get_swept (core, NULL), ==, 3);
  }
  for (guint i = 0; i < 3; i++)
    g_assert_true (blob_in_trash (dir, keys[i]));

  remove_db (dir, NULL);
  copy_file (backup, db);
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);

    for (guint i = 0; i < 3; i++)
      {
        g_assert_true (blob_in_place (dir, keys[i]));
        g_assert_false (blob_in_trash (dir, keys[i]));
      }
  }
  for (guint i = 0; i < 3; i++)
    g_free (keys[i]);
  lw_test_rmtree (dir);
}

/* Read-only use never sweeps and writes none of the sweep's bookkeeping;
 * the same data folder opened normally does sweep (so the test can fail). */
static void
test_read_only_never_sweeps (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-safety");
  g_autofree char *orphan = NULL;
  g_autofree char *mark = NULL;
  g_autofree char *leftover = g_build_filename (dir, "blobs", "tmp", "blob-left", NULL);

  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
    gint64 job = new_job (core);

    add_photo (core, job, "kept photo", NULL);
    g_assert_true (lw_store_remove_image (lw_core_get_store (core), add_photo (core, job, "removed", &orphan), NULL));
  }
  lw_test_write_file (leftover, "x", 1);
  for (guint flags = LW_CORE_OPEN_NO_SWEEP; flags <= LW_CORE_OPEN_READ_ONLY; flags <<= 1)
    {
      g_autoptr(LwCore) core = open_core (dir, NULL, flags);

      if (flags == LW_CORE_OPEN_READ_ONLY)
        mark = lw_store_get_setting (lw_core_get_store (core), "core.blobs_known_until_ms");
      g_assert_cmpint (lw_core_get_sweep_verdict (core), ==, LW_CORE_SWEEP_OFF);
      g_assert_cmpuint (lw_core_get_swept (core, NULL), ==, 0);
      g_assert_cmpuint (lw_core_sweep (core, NULL), ==, 0);
      g_assert_true (blob_in_place (dir, orphan));
      g_assert_true (g_file_test (leftover, G_FILE_TEST_EXISTS));
    }
  g_assert_cmpuint (trash_count (dir), ==, 0);
  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
    g_autofree char *after = lw_store_get_setting (lw_core_get_store (core), "core.blobs_known_until_ms");

    /* The read-only core wrote no mark of its own at closing. */
    g_assert_nonnull (mark);
    g_assert_cmpstr (after, ==, mark);
    g_assert_cmpuint (lw_core_get_swept (core, NULL), ==, 2);
  }
  g_assert_true (blob_in_trash (dir, orphan));
  g_assert_false (g_file_test (leftover, G_FILE_TEST_EXISTS));
  lw_test_rmtree (dir);
}

static guint
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

/* Data folder 0700, database and -wal/-shm 0600, blob folders 0700 and
 * blob files 0600, under the usual umask 022; folders and files an older
 * version made 0755/0644 are tightened. */
static void
test_permissions (void)
{
  g_autofree char *top = lw_test_make_tmpdir ("lw-safety");
  g_autofree char *dir = g_build_filename (top, "data", NULL);
  g_autofree char *old_dir = g_build_filename (top, "old", NULL);
  g_autofree char *key = NULL;
  const char *blob_dirs[] = { "blobs", "blobs/tmp", "blobs/trash", "blobs/originals", "blobs/thumbs", "blobs/results" };
  mode_t saved = umask (022);

  {
    g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
    g_autofree char *db = g_build_filename (dir, "lightwork.db", NULL);
    g_autofree char *wal = g_build_filename (dir, "lightwork.db-wal", NULL);
    g_autofree char *shm = g_build_filename (dir, "lightwork.db-shm", NULL);
    g_autofree char *blob = NULL;
    g_autofree char *fanout = NULL;

    add_photo (core, new_job (core), "private photo", &key);
    blob = g_build_filename (dir, "blobs", key, NULL);
    fanout = g_path_get_dirname (blob);
    g_assert_cmpuint (mode_of (dir), ==, 0700);
    g_assert_cmpuint (mode_of (db), ==, 0600);
    g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
    g_assert_cmpuint (mode_of (wal), ==, 0600);
    g_assert_cmpuint (mode_of (shm), ==, 0600);
    for (guint i = 0; i < G_N_ELEMENTS (blob_dirs); i++)
      {
        g_autofree char *path = g_build_filename (dir, blob_dirs[i], NULL);

        g_assert_cmpuint (mode_of (path), ==, 0700);
      }
    g_assert_cmpuint (mode_of (fanout), ==, 0700);
    g_assert_cmpuint (mode_of (blob), ==, 0600);
  }

  /* An older version's folder: 0755 everywhere, a 0644 database. */
  {
    g_autofree char *db = g_build_filename (old_dir, "lightwork.db", NULL);
    g_autofree char *originals = g_build_filename (old_dir, "blobs", "originals", NULL);

    g_assert_cmpint (g_mkdir_with_parents (originals, 0755), ==, 0);
    g_assert_cmpint (g_chmod (old_dir, 0755), ==, 0);
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LwStore) store = lw_store_open (db, &error);

      g_assert_no_error (error);
    }
    g_assert_cmpint (g_chmod (db, 0644), ==, 0);
    g_assert_cmpuint (mode_of (db), ==, 0644);
    {
      g_autoptr(LwCore) core = open_core (old_dir, NULL, LW_CORE_OPEN_DEFAULT);
      g_autofree char *blobs = g_build_filename (old_dir, "blobs", NULL);

      g_assert_cmpuint (mode_of (old_dir), ==, 0700);
      g_assert_cmpuint (mode_of (db), ==, 0600);
      g_assert_cmpuint (mode_of (blobs), ==, 0700);
      g_assert_cmpuint (mode_of (originals), ==, 0700);
    }
  }
  umask (saved);
  lw_test_rmtree (top);
}


/* ---- export names ------------------------------------------------------ */

/* A job of completed images named names[], each with a small PNG-ish
 * result; returns the job id. */
static gint64
make_done_job (LwCore *core, const char *const *names, guint n, gint64 *image_ids)
{
  LwStore *store = lw_core_get_store (core);
  gint64 now = lw_clock_now_ms (lw_core_get_clock (core));
  gint64 job = new_job (core);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *content = g_strdup_printf ("original %u of %s", i, names[i]);
      g_autoptr(LwImage) image = NULL;
      gint64 id = add_photo (core, job, content, NULL);

      image = lw_store_get_image (store, id, &error);
      g_assert_no_error (error);
      g_free (image->original_name);
      image->original_name = g_strdup (names[i]);
      /* add_photo names every image photo.jpg; the store keeps the name
       * given at staging, so stage again under the real name. */
      g_assert_true (lw_store_remove_image (store, id, &error));
      image->id = 0;
      {
        gboolean duplicate = FALSE;

        g_assert_true (lw_store_add_image (store, image, now, &duplicate, &error));
        g_assert_no_error (error);
      }
      if (image_ids != NULL)
        image_ids[i] = image->id;
    }
  g_assert_true (lw_store_set_job_status (store, job, LW_JOB_PROCESSING, now, &error));
  g_assert_no_error (error);
  claimed = lw_store_claim (store, "local", job, (int) n, "test:1:1", now, 60000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, n);
  for (guint i = 0; i < claimed->len; i++)
    {
      LwImage *image = g_ptr_array_index (claimed, i);
      g_autofree char *key = lw_blob_store_result_key (image->id, image->attempt, "image/png");
      g_autofree char *content = g_strdup_printf ("result of %s", image->original_name);
      g_autoptr(GBytes) bytes = g_bytes_new (content, strlen (content));
      gboolean fenced_out = TRUE;

      g_assert_true (lw_blob_store_put_bytes (lw_core_get_blobs (core), key, bytes, &error));
      g_assert_true (lw_store_finish_completed (store, image->id, image->attempt, key, "image/png", NULL, NULL, 0, now,
                                                &fenced_out, &error));
      g_assert_no_error (error);
      g_assert_false (fenced_out);
    }
  return job;
}

static GPtrArray *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  return names;
}

static char *
repeat (const char *piece, guint n)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (out, piece);
  return g_string_free (out, FALSE);
}

/* 80 and 100 Chinese characters (240 and 300 bytes of name; the issue saw 76 fail): saved under a
 * name shortened by whole characters, room left for the temporary suffix,
 * the extension kept; two of them do not collide; the photo after them is
 * saved too. */
static void
test_export_long_names (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-safety");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *cn80 = repeat ("烤", 80);
  g_autofree char *cn100 = repeat ("鸭", 100);
  g_autofree char *name80 = g_strconcat (cn80, ".jpg", NULL);
  g_autofree char *name100 = g_strconcat (cn100, ".jpg", NULL);
  const char *names[] = { name80, name100, name100, "after.jpg" };
  g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
  gint64 job = make_done_job (core, names, G_N_ELEMENTS (names), NULL);
  g_autoptr(GPtrArray) failures = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  guint written = 0;
  guint long_ones = 0;

  g_assert_cmpuint (strlen (cn80) + strlen ("-food.png"), >, 237);
  g_assert_true (lw_export_job_full (lw_core_get_store (core), lw_core_get_blobs (core), job, out, NULL, LW_EXPORT_ALL, NULL, NULL,
                                     &written, NULL, &failures, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (failures->len, ==, 0);
  g_assert_cmpuint (written, ==, 4);
  files = list_dir (out);
  g_assert_cmpuint (files->len, ==, 4);
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = files->pdata[i];

      g_assert_true (g_utf8_validate (file, -1, NULL));
      g_assert_cmpuint (strlen (file), <=, 255 - LW_EXPORT_TMP_OVERHEAD);
      g_assert_true (g_str_has_suffix (file, ".png"));
      g_assert_false (file[0] == '.');
      if (g_str_has_prefix (file, "烤") || g_str_has_prefix (file, "鸭"))
        long_ones++;
    }
  g_assert_cmpuint (long_ones, ==, 3);
  g_assert_true (g_ptr_array_find_with_equal_func (files, "after-food.png", g_str_equal, NULL));

  /* The fitting itself: by characters, the extension kept. */
  {
    g_autofree char *fit = lw_export_fit_name (name100, 100);
    g_autofree char *small = lw_export_fit_name ("short.jpg", 100);

    g_assert_cmpuint (strlen (fit), <=, 100);
    g_assert_true (g_utf8_validate (fit, -1, NULL));
    g_assert_true (g_str_has_suffix (fit, ".jpg"));
    g_assert_cmpuint (strlen (fit), ==, 96 / 3 * 3 + 4);
    g_assert_cmpstr (small, ==, "short.jpg");
  }
  lw_test_rmtree (dir);
}

/* One result that cannot be saved (its stored file is gone) does not stop
 * the others; it is reported by name. lw_export_job says so in one error
 * after saving the rest. */
static void
test_export_one_failure_not_all (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-safety");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *out2 = g_build_filename (dir, "out2", NULL);
  const char *names[] = { "one.jpg", "two.jpg", "three.jpg" };
  gint64 ids[3];
  g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
  gint64 job = make_done_job (core, names, 3, ids);
  g_autoptr(GPtrArray) failures = NULL;
  g_autoptr(GError) error = NULL;
  guint written = 0;

  {
    g_autoptr(LwImage) two = lw_store_get_image (lw_core_get_store (core), ids[1], NULL);
    g_autofree char *path = lw_blob_store_path (lw_core_get_blobs (core), two->processed_key);

    g_assert_cmpint (g_unlink (path), ==, 0);
  }
  g_assert_true (lw_export_job_full (lw_core_get_store (core), lw_core_get_blobs (core), job, out, NULL, LW_EXPORT_ALL, NULL, NULL,
                                     &written, NULL, &failures, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, 2);
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_cmpstr (((LwExportFailure *) failures->pdata[0])->original_name, ==, "two.jpg");
  g_assert_cmpint (((LwExportFailure *) failures->pdata[0])->image_id, ==, ids[1]);
  g_assert_nonnull (((LwExportFailure *) failures->pdata[0])->error);
  {
    g_autofree char *one = g_build_filename (out, "one-food.png", NULL);
    g_autofree char *three = g_build_filename (out, "three-food.png", NULL);

    g_assert_true (g_file_test (one, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (three, G_FILE_TEST_IS_REGULAR));
  }

  written = 0;
  g_assert_false (lw_export_job (lw_core_get_store (core), lw_core_get_blobs (core), job, out2, NULL, LW_EXPORT_ALL, NULL, NULL,
                                 &written, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "two.jpg"));
  g_assert_cmpuint (written, ==, 2);
  lw_test_rmtree (dir);
}

/* A leading dash is kept behind a "_"; a leading dot never makes a hidden
 * file. */
static void
test_export_leading_dash (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-safety");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *dashed = g_build_filename (out, "_-rf-food.png", NULL);
  const char *names[] = { "-rf.jpg" };
  g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
  gint64 job = make_done_job (core, names, 1, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *a = lw_export_format_name (NULL, "-rf.jpg", "food", "J", 1, "png");
  g_autofree char *b = lw_export_format_name ("{name}.{ext}", "--help", "food", "J", 1, "png");
  g_autofree char *c = lw_export_format_name ("{name}.{ext}", ".bashrc", "food", "J", 1, "png");

  g_assert_cmpstr (a, ==, "_-rf-food.png");
  g_assert_cmpstr (b, ==, "_--help.png");
  g_assert_cmpstr (c, ==, "_bashrc.png");
  g_assert_true (lw_export_job (lw_core_get_store (core), lw_core_get_blobs (core), job, out, NULL, LW_EXPORT_ALL, NULL, NULL,
                                NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (dashed, G_FILE_TEST_IS_REGULAR));
  lw_test_rmtree (dir);
}

/* Templates that would hide a file or leave the folder are refused, by
 * the check and by the export itself, before anything is written. */
static void
test_export_template_refused (void)
{
  static const char *const refused[] = { ".{name}.{ext}", "../{name}.{ext}", "{job}/{name}.{ext}", "a\\{name}.{ext}",
                                         "/tmp/{name}.{ext}" };
  static const char *const fine[] = { "{name}-{module}.{ext}", "{index}_{name}.{ext}", "{name}.v2.{ext}", "" };
  g_autofree char *dir = lw_test_make_tmpdir ("lw-safety");
  g_autofree char *out = g_build_filename (dir, "deep", "out", NULL);
  const char *names[] = { "photo.jpg" };
  g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
  gint64 job = make_done_job (core, names, 1, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) export_error = NULL;
      g_autofree char *parent = g_build_filename (dir, "deep", NULL);

      g_assert_false (lw_export_check_template (refused[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, refused[i]));
      g_assert_false (lw_export_job (lw_core_get_store (core), lw_core_get_blobs (core), job, out, refused[i], LW_EXPORT_ALL, NULL,
                                     NULL, NULL, NULL, NULL, &export_error));
      g_assert_error (export_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_false (g_file_test (parent, G_FILE_TEST_EXISTS));
    }
  g_assert_true (lw_export_check_template (NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (fine); i++)
    g_assert_true (lw_export_check_template (fine[i], NULL));
  lw_test_rmtree (dir);
}

static void
cancel_after_first_cb (guint done, guint total, gpointer user_data)
{
  if (done == 1)
    g_cancellable_cancel (user_data);
}

static void
set_age (const char *path, gint64 age_s)
{
  struct utimbuf times;

  times.actime = times.modtime = (time_t) (g_get_real_time () / G_USEC_PER_SEC - age_s);
  g_assert_cmpint (g_utime (path, &times), ==, 0);
}

/* An interrupted export leaves no hidden temporary files; one left by a
 * killed export is removed by the next one, but not a fresh one (another
 * export may be writing it) nor a user's own dot-file. */
static void
test_export_no_hidden_leftovers (void)
{
  g_autofree char *dir = lw_test_make_tmpdir ("lw-safety");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *stale = g_build_filename (out, ".one-food.png.lightwork-Ab3xZ9", NULL);
  g_autofree char *fresh = g_build_filename (out, ".two-food.png.lightwork-Qw8rT2", NULL);
  g_autofree char *mine = g_build_filename (out, ".one-food.png.lightwork-notes", NULL);
  const char *names[] = { "one.jpg", "two.jpg", "three.jpg" };
  g_autoptr(LwCore) core = open_core (dir, NULL, LW_CORE_OPEN_DEFAULT);
  gint64 job = make_done_job (core, names, 3, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;
  guint written = 0, skipped = 0;

  g_assert_false (lw_export_job (lw_core_get_store (core), lw_core_get_blobs (core), job, out, NULL, LW_EXPORT_ALL,
                                 cancel_after_first_cb, cancellable, &written, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (written, ==, 1);
  files = list_dir (out);
  g_assert_cmpuint (files->len, ==, 1);
  g_assert_cmpstr (files->pdata[0], ==, "one-food.png");
  g_clear_pointer (&files, g_ptr_array_unref);
  g_clear_error (&error);

  lw_test_write_file (stale, "half", 4);
  set_age (stale, 3600);
  lw_test_write_file (fresh, "half", 4);
  lw_test_write_file (mine, "notes", 5);
  set_age (mine, 3600);
  /* The one saved before the interruption is there byte for byte:
   * skipped, not saved again as "one-food-2.png". */
  g_assert_true (lw_export_job (lw_core_get_store (core), lw_core_get_blobs (core), job, out, NULL, LW_EXPORT_ALL, NULL, NULL,
                                &written, &skipped, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, 2);
  g_assert_cmpuint (skipped, ==, 1);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (mine, G_FILE_TEST_EXISTS));
  files = list_dir (out);
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = files->pdata[i];

      g_assert_true (file[0] != '.' || g_str_has_prefix (file, ".two-food") || g_str_has_suffix (file, "notes"));
    }
  g_assert_cmpuint (files->len, ==, 3 + 2);   /* one, two, three + the two kept dot-files */
  lw_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/data-safety/zero-byte-db", test_zero_byte_db);
  g_test_add_func ("/core/data-safety/db-moved-aside", test_db_moved_aside);
  g_test_add_func ("/core/data-safety/older-db-restored", test_older_db_restored);
  g_test_add_func ("/core/data-safety/orphan-trash-keep-period", test_orphan_trash_keep_period);
  g_test_add_func ("/core/data-safety/untrash", test_untrash);
  g_test_add_func ("/core/data-safety/read-only-never-sweeps", test_read_only_never_sweeps);
  g_test_add_func ("/core/data-safety/permissions", test_permissions);
  g_test_add_func ("/core/data-safety/export-long-names", test_export_long_names);
  g_test_add_func ("/core/data-safety/export-one-failure-not-all", test_export_one_failure_not_all);
  g_test_add_func ("/core/data-safety/export-leading-dash", test_export_leading_dash);
  g_test_add_func ("/core/data-safety/export-template-refused", test_export_template_refused);
  g_test_add_func ("/core/data-safety/export-no-hidden-leftovers", test_export_no_hidden_leftovers);
  return g_test_run ();
}

/* lw-blob-store.c — files in the data directory, named by key.
 *
 * Every write is tmp/<random> → write → fsync → rename → fsync(dir): after
 * a crash a key either names the whole file or nothing, and a row is only
 * committed once its file is durable (docs/ARCHITECTURE.md, "Data"). Leftovers in tmp/
 * and files no row names are removed by the sweep.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lw-blob-store.h"

/* 64 KiB: large enough that a 30 MB original is ~500 reads, small enough
 * to stay in the CPU cache while it is hashed and written. */
#define COPY_CHUNK (64 * 1024)

static const char *const blob_dirs[] = { "originals", "thumbs", "results" };

struct _LwBlobStore
{
  GObject  parent_instance;
  char    *root;
  char    *tmp_dir;
  char    *trash_dir;
};

G_DEFINE_FINAL_TYPE (LwBlobStore, lw_blob_store, G_TYPE_OBJECT)

static void
lw_blob_store_finalize (GObject *object)
{
  LwBlobStore *self = LW_BLOB_STORE (object);

  g_free (self->root);
  g_free (self->tmp_dir);
  g_free (self->trash_dir);
  G_OBJECT_CLASS (lw_blob_store_parent_class)->finalize (object);
}

static void
lw_blob_store_class_init (LwBlobStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lw_blob_store_finalize;
}

static void
lw_blob_store_init (LwBlobStore *self)
{
}

static void set_errno_error (GError **error, int errsv, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
set_errno_error (GError **error, int errsv, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* GLib maps EDQUOT to G_IO_ERROR_FAILED; a quota is a full disk to
   * the user, and to the queue (lw_store_error_is_disk_full). */
  g_set_error_literal (error, G_IO_ERROR, errsv == EDQUOT ? G_IO_ERROR_NO_SPACE : g_io_error_from_errno (errsv),
                       message);
}

/* The user's photos: private to the user (0700). A folder made by an
 * older version (0755) is tightened too; one owned by someone else is
 * left as it is (chmod would fail anyway). */
static gboolean
make_dir (const char *path, GError **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode))
    {
      if ((st.st_mode & 077) != 0 && st.st_uid == getuid () && g_chmod (path, st.st_mode & 0700) != 0)
        g_debug ("Cannot make %s private: %s", path, g_strerror (errno));
      return TRUE;
    }
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int errsv = errno;

      /* Translators: "<folder>: <system error>" */
      set_errno_error (error, errsv, _("Could not create the folder %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

LwBlobStore *
lw_blob_store_new (const char *root, GError **error)
{
  g_autoptr(LwBlobStore) self = NULL;

  g_return_val_if_fail (root != NULL, NULL);

  self = g_object_new (LW_TYPE_BLOB_STORE, NULL);
  self->root = g_canonicalize_filename (root, NULL);
  self->tmp_dir = g_build_filename (self->root, "tmp", NULL);
  self->trash_dir = g_build_filename (self->root, "trash", NULL);
  if (!make_dir (self->root, error) || !make_dir (self->tmp_dir, error) || !make_dir (self->trash_dir, error))
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (blob_dirs); i++)
    {
      g_autofree char *dir = g_build_filename (self->root, blob_dirs[i], NULL);

      if (!make_dir (dir, error))
        return NULL;
    }
  return g_steal_pointer (&self);
}

const char *
lw_blob_store_get_root (LwBlobStore *self)
{
  g_return_val_if_fail (LW_IS_BLOB_STORE (self), NULL);
  return self->root;
}

/* A key is a relative path below root; nothing may lead out of it. */
static gboolean
key_is_valid (const char *key)
{
  return key != NULL && *key != '\0' && key[0] != '/'
         && strstr (key, "..") == NULL && strchr (key, '\\') == NULL;
}

static gboolean
check_key (const char *key, GError **error)
{
  if (key_is_valid (key))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("“%s” is not a valid name for a stored file"), key != NULL ? key : "(null)");
  return FALSE;
}

char *
lw_blob_store_path (LwBlobStore *self, const char *key)
{
  g_return_val_if_fail (LW_IS_BLOB_STORE (self), NULL);
  g_return_val_if_fail (key_is_valid (key), NULL);
  return g_build_filename (self->root, key, NULL);
}

/* Makes a rename in dir survive a power cut. */
static gboolean
fsync_dir (const char *dir, GError **error)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0 || fsync (fd) != 0)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      set_errno_error (error, errsv, _("Could not flush the folder %s: %s"), dir, g_strerror (errsv));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Opens a new, unique file in tmp/ for writing. */
static int
open_tmp (LwBlobStore *self, char **out_path, GError **error)
{
  g_autofree char *path = g_build_filename (self->tmp_dir, "blob-XXXXXX", NULL);
  int fd = g_mkstemp_full (path, O_WRONLY | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int errsv = errno;

      /* tmp/ may have been removed under us: make it again, once. */
      if (errsv == ENOENT && make_dir (self->tmp_dir, NULL))
        {
          g_free (path);
          path = g_build_filename (self->tmp_dir, "blob-XXXXXX", NULL);
          fd = g_mkstemp_full (path, O_WRONLY | O_CLOEXEC, 0600);
          errsv = errno;
        }
      if (fd < 0)
        {
          set_errno_error (error, errsv, _("Could not create a file in %s: %s"), self->tmp_dir, g_strerror (errsv));
          return -1;
        }
    }
  *out_path = g_steal_pointer (&path);
  return fd;
}

static gboolean
write_all (int fd, const guint8 *data, gsize len, const char *path, GError **error)
{
  while (len > 0)
    {
      gssize n = write (fd, data, MIN (len, (gsize) G_MAXSSIZE));

      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;
          set_errno_error (error, errsv, _("Could not write %s: %s"), path, g_strerror (errsv));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* fsync + close; on failure the file is removed. */
static gboolean
finish_tmp (int fd, const char *tmp_path, GError **error)
{
  int errsv = 0;

  if (fsync (fd) != 0)
    errsv = errno;
  if (close (fd) != 0 && errsv == 0)
    errsv = errno;
  if (errsv != 0)
    {
      g_unlink (tmp_path);
      set_errno_error (error, errsv, _("Could not save %s: %s"), tmp_path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* Renames the durable tmp file to root/key and makes the rename durable. */
static gboolean
commit_tmp (LwBlobStore *self, const char *tmp_path, const char *key, GError **error)
{
  g_autofree char *dest = g_build_filename (self->root, key, NULL);
  g_autofree char *dir = g_path_get_dirname (dest);

  if (!make_dir (dir, error))
    {
      g_unlink (tmp_path);
      return FALSE;
    }
  if (g_rename (tmp_path, dest) != 0)
    {
      int errsv = errno;

      g_unlink (tmp_path);
      set_errno_error (error, errsv, _("Could not store %s: %s"), dest, g_strerror (errsv));
      return FALSE;
    }
  return fsync_dir (dir, error);
}

char *
lw_blob_store_put_file (LwBlobStore *self, const char *src_path, char **out_sha256, gint64 *out_bytes,
                        GCancellable *cancellable, GError **error)
{
  g_autoptr(GFile) src = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *key = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *sha256 = NULL;
  gint64 total = 0;
  int fd;

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), NULL);
  g_return_val_if_fail (src_path != NULL, NULL);

  src = g_file_new_for_path (src_path);
  in = g_file_read (src, cancellable, error);
  if (in == NULL)
    return NULL;
  fd = open_tmp (self, &tmp_path, error);
  if (fd < 0)
    return NULL;

  /* One pass: every chunk is hashed and written as it is read, so a
   * 30 MB photo is read once and never held in memory whole. */
  buffer = g_malloc (COPY_CHUNK);
  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (in), buffer, COPY_CHUNK, cancellable, error);

      if (n < 0 || (n > 0 && !write_all (fd, buffer, (gsize) n, tmp_path, error)))
        {
          close (fd);
          g_unlink (tmp_path);
          return NULL;
        }
      if (n == 0)
        break;
      g_checksum_update (checksum, buffer, n);
      total += n;
    }
  if (!finish_tmp (fd, tmp_path, error))
    return NULL;

  sha256 = g_strdup (g_checksum_get_string (checksum));
  key = lw_blob_store_original_key (sha256);
  dest = g_build_filename (self->root, key, NULL);
  if (g_file_test (dest, G_FILE_TEST_IS_REGULAR))
    {
      /* Stored already (the same photo dropped twice, or in another job).
       * Touch it so a sweep with older_than_ms, running in another process
       * before our row is committed, sees it as fresh and leaves it. */
      g_unlink (tmp_path);
      utimensat (AT_FDCWD, dest, NULL, 0);
    }
  else if (!commit_tmp (self, tmp_path, key, error))
    return NULL;

  if (out_sha256 != NULL)
    *out_sha256 = g_steal_pointer (&sha256);
  if (out_bytes != NULL)
    *out_bytes = total;
  return g_steal_pointer (&key);
}

gboolean
lw_blob_store_put_bytes (LwBlobStore *self, const char *key, GBytes *data, GError **error)
{
  g_autofree char *tmp_path = NULL;
  const guint8 *bytes;
  gsize len = 0;
  int fd;

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  if (!check_key (key, error))
    return FALSE;
  fd = open_tmp (self, &tmp_path, error);
  if (fd < 0)
    return FALSE;
  bytes = g_bytes_get_data (data, &len);
  if (!write_all (fd, bytes, len, tmp_path, error))
    {
      close (fd);
      g_unlink (tmp_path);
      return FALSE;
    }
  if (!finish_tmp (fd, tmp_path, error))
    return FALSE;
  return commit_tmp (self, tmp_path, key, error);
}

GBytes *
lw_blob_store_get_bytes (LwBlobStore *self, const char *key, GError **error)
{
  g_autofree char *path = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), NULL);

  if (!check_key (key, error))
    return NULL;
  path = g_build_filename (self->root, key, NULL);
  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  return g_bytes_new_take (contents, len);
}

gboolean
lw_blob_store_exists (LwBlobStore *self, const char *key)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), FALSE);

  if (!key_is_valid (key))
    return FALSE;
  path = g_build_filename (self->root, key, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

gboolean
lw_blob_store_delete (LwBlobStore *self, const char *key, GError **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), FALSE);

  if (!check_key (key, error))
    return FALSE;
  path = g_build_filename (self->root, key, NULL);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int errsv = errno;

      set_errno_error (error, errsv, _("Could not delete %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static gboolean
sha256_is_valid (const char *sha256)
{
  if (sha256 == NULL || strlen (sha256) != 64)
    return FALSE;
  for (const char *p = sha256; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

char *
lw_blob_store_original_key (const char *sha256)
{
  g_return_val_if_fail (sha256_is_valid (sha256), NULL);
  /* 256 fan-out folders keep each one small at 100k photos. */
  return g_strdup_printf ("originals/%.2s/%s", sha256, sha256);
}

char *
lw_blob_store_thumb_key (const char *sha256, gboolean alpha)
{
  g_return_val_if_fail (sha256_is_valid (sha256), NULL);
  return g_strdup_printf ("thumbs/%.2s/%s.%s", sha256, sha256, alpha ? "png" : "jpg");
}

char *
lw_blob_store_result_key (gint64 image_id, int attempt, const char *mime)
{
  static const struct { const char *mime; const char *ext; } exts[] = {
    { "image/png", "png" },
    { "image/jpeg", "jpg" },
    { "image/webp", "webp" },
    { "image/heic", "heic" },
    { "image/heif", "heif" },
    { "image/avif", "avif" },
    { "image/tiff", "tif" },
  };
  const char *ext = "bin";

  for (guint i = 0; mime != NULL && i < G_N_ELEMENTS (exts); i++)
    if (g_ascii_strcasecmp (mime, exts[i].mime) == 0)
      ext = exts[i].ext;
  return g_strdup_printf ("results/%" G_GINT64_FORMAT "-%d.%s", image_id, attempt, ext);
}

void
lw_blob_orphan_free (LwBlobOrphan *orphan)
{
  if (orphan == NULL)
    return;
  g_free (orphan->key);
  g_free (orphan);
}

static gint64
mtime_ms (const GStatBuf *st)
{
  return (gint64) st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
}

/* Remembers the first of several failures for one message at the end. */
typedef struct {
  guint  failed;
  char  *first_failure;
} Failures;

static void
failures_add (Failures *f, const char *path, int errsv)
{
  f->failed++;
  if (f->first_failure == NULL)
    f->first_failure = g_strdup_printf ("%s: %s", path, g_strerror (errsv));
}

/* Sets error (literal format: "… (%u; the first: %s)") when something failed. */
#define FAILURES_REPORT(f, error, format) \
  G_STMT_START { \
    if ((f)->failed > 0) \
      g_set_error ((error), G_IO_ERROR, G_IO_ERROR_FAILED, format, (f)->failed, (f)->first_failure); \
    g_clear_pointer (&(f)->first_failure, g_free); \
  } G_STMT_END

typedef void (*WalkFunc) (const char *path, const char *key, const GStatBuf *st, gpointer data);

/* Calls func for every regular file below dir (key prefix prefix), depth
 * first; symbolic links are neither followed nor reported. */
static void
walk (const char *dir, const char *prefix, WalkFunc func, gpointer data)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *key = prefix != NULL ? g_strconcat (prefix, "/", name, NULL) : g_strdup (name);
      GStatBuf st;

      if (g_lstat (path, &st) != 0)
        continue;  /* gone meanwhile */
      if (S_ISDIR (st.st_mode))
        walk (path, key, func, data);
      else if (S_ISREG (st.st_mode))
        func (path, key, &st, data);
    }
}

typedef struct {
  GHashTable *referenced;
  GPtrArray  *orphans;
  gint64      newest_ms;
} Census;

static void
census_file (const char *path, const char *key, const GStatBuf *st, gpointer data)
{
  Census *census = data;
  gint64 t = mtime_ms (st);

  census->newest_ms = MAX (census->newest_ms, t);
  if (!g_hash_table_contains (census->referenced, key))
    {
      LwBlobOrphan *orphan = g_new0 (LwBlobOrphan, 1);

      orphan->key = g_strdup (key);
      orphan->mtime_ms = t;
      g_ptr_array_add (census->orphans, orphan);
    }
}

GPtrArray *
lw_blob_store_find_orphans (LwBlobStore *self, GHashTable *referenced, gint64 *newest_mtime_ms, GError **error)
{
  Census census = { referenced, NULL, 0 };

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), NULL);
  g_return_val_if_fail (referenced != NULL, NULL);

  census.orphans = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_blob_orphan_free);
  for (guint i = 0; i < G_N_ELEMENTS (blob_dirs); i++)
    {
      g_autofree char *dir = g_build_filename (self->root, blob_dirs[i], NULL);

      walk (dir, blob_dirs[i], census_file, &census);
    }
  if (newest_mtime_ms != NULL)
    *newest_mtime_ms = census.newest_ms;
  return census.orphans;
}

const char *
lw_blob_store_get_trash_dir (LwBlobStore *self)
{
  g_return_val_if_fail (LW_IS_BLOB_STORE (self), NULL);
  return self->trash_dir;
}

/* Renames src to dest only when dest does not exist: link() fails on an
 * existing name where rename() would replace it. */
static int
move_no_replace (const char *src, const char *dest)
{
  if (link (src, dest) != 0)
    return -1;
  if (g_unlink (src) != 0)
    {
      int errsv = errno;

      g_unlink (dest);
      errno = errsv;
      return -1;
    }
  return 0;
}

gboolean
lw_blob_store_trash (LwBlobStore *self, const char *key, gint64 now_ms, gboolean *moved, GError **error)
{
  g_autofree char *src = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *dest_dir = NULL;
  struct timespec times[2];
  int rc = -1;

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), FALSE);

  if (moved != NULL)
    *moved = FALSE;
  if (!check_key (key, error))
    return FALSE;
  src = g_build_filename (self->root, key, NULL);
  dest = g_build_filename (self->trash_dir, key, NULL);
  dest_dir = g_path_get_dirname (dest);
  if (!make_dir (dest_dir, error))
    return FALSE;
  /* A result key can come back (SQLite may reuse a deleted job's image
   * ids): an earlier copy in the trash keeps its own keep period. */
  for (guint n = 1; rc != 0 && n < 1000; n++)
    {
      if (n > 1)
        {
          g_free (dest);
          dest = g_strdup_printf ("%s/%s~%u", self->trash_dir, key, n);
        }
      rc = move_no_replace (src, dest);
      if (rc != 0 && errno != EEXIST)
        break;
    }
  if (rc != 0)
    {
      int errsv = errno;

      if (errsv == ENOENT && !g_file_test (src, G_FILE_TEST_EXISTS))
        return FALSE;   /* gone meanwhile: nothing to keep */
      set_errno_error (error, errsv, _("Could not move %s to the trash: %s"), src, g_strerror (errsv));
      return FALSE;
    }
  /* The keep period starts now, whatever the file's age. */
  times[0].tv_sec = times[1].tv_sec = now_ms / 1000;
  times[0].tv_nsec = times[1].tv_nsec = (now_ms % 1000) * 1000000;
  if (utimensat (AT_FDCWD, dest, times, AT_SYMLINK_NOFOLLOW) != 0)
    g_debug ("Cannot date %s: %s", dest, g_strerror (errno));
  if (moved != NULL)
    *moved = TRUE;
  return TRUE;
}

typedef struct {
  LwBlobStore *self;
  GHashTable  *referenced;
  gint64       cutoff_ms;   /* empty_trash / clean_tmp: files up to this mtime go */
  guint        done;
  Failures     failures;
} TrashWalk;

static void
untrash_file (const char *path, const char *key, const GStatBuf *st, gpointer data)
{
  TrashWalk *tw = data;
  g_autofree char *dest = NULL;
  g_autofree char *dir = NULL;

  if (!g_hash_table_contains (tw->referenced, key) || !key_is_valid (key))
    return;
  dest = g_build_filename (tw->self->root, key, NULL);
  dir = g_path_get_dirname (dest);
  if (!make_dir (dir, NULL))
    {
      failures_add (&tw->failures, dir, errno);
      return;
    }
  if (move_no_replace (path, dest) == 0)
    tw->done++;
  else if (errno != EEXIST)
    failures_add (&tw->failures, path, errno);
}

guint
lw_blob_store_untrash (LwBlobStore *self, GHashTable *referenced, GError **error)
{
  TrashWalk tw = { self, referenced, 0, 0, { 0 } };

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), 0);
  g_return_val_if_fail (referenced != NULL, 0);

  walk (self->trash_dir, NULL, untrash_file, &tw);
  FAILURES_REPORT (&tw.failures, error, _("Some files could not be brought back from the trash (%u; the first: %s)"));
  return tw.done;
}

/* Removes path when its mtime is not after the cutoff. */
static void
remove_old_file (const char *path, const char *key, const GStatBuf *st, gpointer data)
{
  TrashWalk *tw = data;

  if (mtime_ms (st) > tw->cutoff_ms)
    return;
  if (g_unlink (path) == 0)
    tw->done++;
  else if (errno != ENOENT)
    failures_add (&tw->failures, path, errno);
}

/* Removes the empty folders below dir (not dir itself). */
static void
remove_empty_dirs (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode))
        {
          remove_empty_dirs (path);
          g_rmdir (path);   /* fails while something is left: fine */
        }
    }
}

guint
lw_blob_store_empty_trash (LwBlobStore *self, gint64 now_ms, gint64 keep_ms, GError **error)
{
  TrashWalk tw = { self, NULL, now_ms - keep_ms, 0, { 0 } };

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), 0);

  walk (self->trash_dir, NULL, remove_old_file, &tw);
  remove_empty_dirs (self->trash_dir);
  FAILURES_REPORT (&tw.failures, error, _("Some files in the trash could not be removed (%u; the first: %s)"));
  return tw.done;
}

guint
lw_blob_store_clean_tmp (LwBlobStore *self, gint64 older_than_ms, GError **error)
{
  TrashWalk tw = { self, NULL, G_MAXINT64, 0, { 0 } };

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), 0);

  /* With older_than_ms, a file written in the last moments may be another
   * process's write in progress: keep it. */
  if (older_than_ms > 0)
    tw.cutoff_ms = g_get_real_time () / 1000 - older_than_ms;
  walk (self->tmp_dir, "tmp", remove_old_file, &tw);
  FAILURES_REPORT (&tw.failures, error, _("Some unfinished files could not be deleted (%u; the first: %s)"));
  return tw.done;
}

guint
lw_blob_store_sweep (LwBlobStore *self, GHashTable *referenced, gint64 older_than_ms, GError **error)
{
  g_autoptr(GPtrArray) orphans = NULL;
  gint64 now_ms = g_get_real_time () / 1000;
  gint64 cutoff_ms = older_than_ms > 0 ? now_ms - older_than_ms : G_MAXINT64;
  Failures failures = { 0 };
  guint n;

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), 0);
  g_return_val_if_fail (referenced != NULL, 0);

  n = lw_blob_store_clean_tmp (self, older_than_ms, error);
  orphans = lw_blob_store_find_orphans (self, referenced, NULL, NULL);
  for (guint i = 0; i < orphans->len; i++)
    {
      LwBlobOrphan *orphan = g_ptr_array_index (orphans, i);
      g_autoptr(GError) local_error = NULL;
      gboolean moved = FALSE;

      if (orphan->mtime_ms > cutoff_ms)
        continue;
      if (lw_blob_store_trash (self, orphan->key, now_ms, &moved, &local_error))
        n += moved ? 1 : 0;
      else if (local_error != NULL)
        {
          failures.failed++;
          if (failures.first_failure == NULL)
            failures.first_failure = g_strdup (local_error->message);
        }
    }
  if (error != NULL && *error != NULL)
    g_clear_pointer (&failures.first_failure, g_free);   /* tmp/ reported first */
  else
    FAILURES_REPORT (&failures, error, _("Some stored files could not be moved to the trash (%u; the first: %s)"));
  return n;
}

static void
count_file (const char *path, const char *key, const GStatBuf *st, gpointer data)
{
  ((TrashWalk *) data)->done++;
}

guint
lw_blob_store_count_trash (LwBlobStore *self)
{
  TrashWalk tw = { self, NULL, 0, 0, { 0 } };

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), 0);

  walk (self->trash_dir, NULL, count_file, &tw);
  return tw.done;
}

guint
lw_blob_store_count_tmp (LwBlobStore *self)
{
  g_autoptr(GDir) dir = NULL;
  guint n = 0;

  g_return_val_if_fail (LW_IS_BLOB_STORE (self), 0);

  dir = g_dir_open (self->tmp_dir, 0, NULL);
  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

gboolean
lw_blob_store_parse_result_key (const char *key, gint64 *image_id, int *attempt)
{
  g_auto(GStrv) parts = NULL;
  gint64 id, n;

  /* "results/<image>-<attempt>.<ext>", as lw_blob_store_result_key writes it. */
  if (key == NULL || !g_str_has_prefix (key, "results/"))
    return FALSE;
  parts = g_strsplit_set (key + strlen ("results/"), "-.", 3);
  if (g_strv_length (parts) != 3
      || !g_ascii_string_to_signed (parts[0], 10, 1, G_MAXINT64, &id, NULL)
      || !g_ascii_string_to_signed (parts[1], 10, 1, G_MAXINT, &n, NULL))
    return FALSE;
  *image_id = id;
  *attempt = (int) n;
  return TRUE;
}

/* lw-blob-store.h — files in the data directory, named by key.
 *
 * Layout under root:
 *   originals/ab/<sha256>      content-addressed originals
 *   thumbs/ab/<sha256>.jpg     thumbnails (long edge 384 px), .png when the photo has alpha
 *   results/<image_id>-<attempt>.<ext>
 *   tmp/                       work in progress; anything here is garbage after a crash
 *   trash/<key>                files no row named, kept LW_BLOB_TRASH_KEEP_MS
 * A key is the path relative to root ("originals/ab/abcd…").
 * Every write goes to tmp/, is flushed (fsync) and renamed into place, and
 * the directory is fsynced, before the caller commits the row that names it.
 * Folders are 0700 and files 0600 (existing folders are tightened when the
 * store is opened): these are the user's photos.
 * Thread-safe: holds no mutable state beyond the root path.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LW_TYPE_BLOB_STORE (lw_blob_store_get_type ())
G_DECLARE_FINAL_TYPE (LwBlobStore, lw_blob_store, LW, BLOB_STORE, GObject)

LwBlobStore *lw_blob_store_new        (const char   *root,
                                       GError      **error);
const char  *lw_blob_store_get_root   (LwBlobStore  *self);
/* Absolute path of key (no check that it exists). */
char        *lw_blob_store_path       (LwBlobStore  *self,
                                       const char   *key);
/* Copies the file at src_path into originals/, hashing while it copies.
 * Returns the key; *out_sha256 the hex digest; *out_bytes its size.
 * When that content is already stored, nothing is written twice. */
char        *lw_blob_store_put_file   (LwBlobStore  *self,
                                       const char   *src_path,
                                       char        **out_sha256,
                                       gint64       *out_bytes,
                                       GCancellable *cancellable,
                                       GError      **error);
/* Writes data under key (tmp + fsync + rename). Returns TRUE on success. */
gboolean     lw_blob_store_put_bytes  (LwBlobStore  *self,
                                       const char   *key,
                                       GBytes       *data,
                                       GError      **error);
GBytes      *lw_blob_store_get_bytes  (LwBlobStore  *self,
                                       const char   *key,
                                       GError      **error);
gboolean     lw_blob_store_exists     (LwBlobStore  *self,
                                       const char   *key);
/* Missing is not an error. */
gboolean     lw_blob_store_delete     (LwBlobStore  *self,
                                       const char   *key,
                                       GError      **error);
/* Key helpers. */
char        *lw_blob_store_original_key (const char *sha256);
char        *lw_blob_store_thumb_key    (const char *sha256, gboolean alpha);
char        *lw_blob_store_result_key   (gint64 image_id, int attempt, const char *mime);
/* The image and attempt a key of lw_blob_store_result_key() names; FALSE
 * for any other key. */
gboolean     lw_blob_store_parse_result_key (const char *key, gint64 *image_id, int *attempt);
/* ---- the sweep: what no row names ---------------------------------------
 *
 * Nothing a row does not name is unlinked at once: it moves to trash/<key>
 * (same file system, so a rename), stamped with the time it went there, and
 * is removed only LW_BLOB_TRASH_KEEP_MS later. Whether a file no row names
 * is garbage at all is the caller's rule (lw-core.c): the blob store only
 * knows files, not which database they belong to. */

/* Two weeks: long enough for someone who restored an older database, moved
 * it aside or lost it to a full disk to notice missing photos after a
 * holiday and put the database back (a row naming a trashed file brings the
 * file back, see lw_blob_store_untrash()); short enough that a deleted
 * job's space comes back the same month. */
#define LW_BLOB_TRASH_KEEP_MS ((gint64) 14 * 24 * 60 * 60 * 1000)

typedef struct {
  char   *key;        /* "results/3-1.png" */
  gint64  mtime_ms;   /* last modification, ms since the epoch */
} LwBlobOrphan;

void         lw_blob_orphan_free      (LwBlobOrphan *orphan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwBlobOrphan, lw_blob_orphan_free)

/* One walk over originals/, thumbs/ and results/ (never tmp/ or trash/):
 * the files whose key is not in referenced (LwBlobOrphan), and in
 * *newest_mtime_ms the newest mtime of every file there (0 when none). */
GPtrArray   *lw_blob_store_find_orphans (LwBlobStore *self,
                                         GHashTable  *referenced,
                                         gint64      *newest_mtime_ms,
                                         GError     **error);
/* Moves key to trash/<key> (trash/<key>~N when an earlier copy is there:
 * never replaces one) and sets its mtime to now_ms, the start of its keep
 * period. Missing is not an error (FALSE, no error set, *moved FALSE). */
gboolean     lw_blob_store_trash      (LwBlobStore *self,
                                       const char  *key,
                                       gint64       now_ms,
                                       gboolean    *moved,
                                       GError     **error);
/* Every file in trash/ whose key is in referenced (a restored database
 * names it again) goes back in place, unless a file is there already.
 * Returns how many came back. */
guint        lw_blob_store_untrash    (LwBlobStore *self,
                                       GHashTable  *referenced,
                                       GError     **error);
/* Removes what has been in trash/ for at least keep_ms by now_ms (the
 * mtime lw_blob_store_trash() set). Returns files removed. */
guint        lw_blob_store_empty_trash (LwBlobStore *self,
                                        gint64       now_ms,
                                        gint64       keep_ms,
                                        GError     **error);
/* Deletes crash leftovers in tmp/ (half-written files no row can name),
 * with older_than_ms > 0 only those at least that old (another process
 * may be writing them). Returns files deleted. */
guint        lw_blob_store_clean_tmp  (LwBlobStore *self,
                                       gint64       older_than_ms,
                                       GError     **error);
/* <root>/trash */
const char  *lw_blob_store_get_trash_dir (LwBlobStore *self);
/* Number of files under trash/ (tests). */
guint        lw_blob_store_count_trash (LwBlobStore *self);

/* The simple sweep, for a caller that has proved its database names every
 * live file: cleans tmp/ and moves every file in originals/, thumbs/,
 * results/ whose key is not in referenced to the trash. With older_than_ms
 * > 0, only files (in tmp/ too) whose mtime is at least that old (another
 * process may be between its rename and its commit). Returns files moved
 * or deleted. */
guint        lw_blob_store_sweep      (LwBlobStore  *self,
                                       GHashTable   *referenced,
                                       gint64        older_than_ms,
                                       GError      **error);
/* Number of files under tmp/ (tests). */
guint        lw_blob_store_count_tmp  (LwBlobStore  *self);

G_END_DECLS

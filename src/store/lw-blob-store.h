/* lw-blob-store.h — files in the data directory, named by key.
 *
 * Layout under root:
 *   originals/ab/<sha256>      content-addressed originals
 *   thumbs/ab/<sha256>.jpg     thumbnails (long edge 384 px), .png when the photo has alpha
 *   results/<image_id>-<attempt>.<ext>
 *   tmp/                       work in progress; anything here is garbage after a crash
 * A key is the path relative to root ("originals/ab/abcd…").
 * Every write goes to tmp/, is flushed (fsync) and renamed into place, and
 * the directory is fsynced, before the caller commits the row that names it.
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
/* Start-up sweep: deletes everything in tmp/ and every file in originals/,
 * thumbs/, results/ whose key is not in referenced. With older_than_ms > 0,
 * only files whose mtime is at least that old (another process may be
 * between its rename and its commit). Returns files deleted. */
guint        lw_blob_store_sweep      (LwBlobStore  *self,
                                       GHashTable   *referenced,
                                       gint64        older_than_ms,
                                       GError      **error);
/* Number of files under tmp/ (tests). */
guint        lw_blob_store_count_tmp  (LwBlobStore  *self);

G_END_DECLS

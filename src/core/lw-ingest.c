/* lw-ingest.c — staging files and folders into a job.
 *
 * The order of work for one file is the order that survives a crash:
 * probe (nothing written), copy into the blob store (tmp + fsync + rename),
 * thumbnail (same), then one short transaction for the row. A crash loses
 * at most the file in hand; its blobs are orphans the sweep removes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lw-ingest.h"

/* A sidecar prompt is an instruction, not a document: 4 KiB is pages of it. */
#define SIDECAR_MAX 4096
/* Deeper than any photo archive; a guard against stack use, not a policy. */
#define MAX_DEPTH 128

void
lw_ingest_options_init (LwIngestOptions *options)
{
  g_return_if_fail (options != NULL);

  options->limits = LW_IMAGE_LIMITS_DEFAULT;
  /* Off unless asked: a "photo.txt" beside a photo may be someone's notes. */
  options->read_sidecar_prompts = FALSE;
  options->make_thumbnails = TRUE;
}

/* ---- expanding paths --------------------------------------------------- */

typedef struct {
  char *path;
  char *reason;   /* NULL: a file to stage */
} Entry;

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->path);
  g_free (entry->reason);
  g_free (entry);
}

typedef struct {
  dev_t dev;
  ino_t ino;
} DirId;

static guint
dir_id_hash (gconstpointer key)
{
  const DirId *id = key;

  return (guint) id->ino ^ (guint) ((guint64) id->ino >> 32) ^ ((guint) id->dev * 31u);
}

static gboolean
dir_id_equal (gconstpointer a,
              gconstpointer b)
{
  const DirId *x = a, *y = b;

  return x->dev == y->dev && x->ino == y->ino;
}

typedef struct {
  GPtrArray    *entries;    /* of Entry, in order */
  GHashTable   *seen_dirs;  /* DirId → first path */
  GHashTable   *ancestors;  /* DirId → path, the folders being walked */
  GCancellable *cancellable;
} Walk;

static void
add_entry (Walk       *walk,
           const char *path,
           char       *reason)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->path = g_strdup (path);
  entry->reason = reason;
  g_ptr_array_add (walk->entries, entry);
}

static char *
stat_reason (int errsv)
{
  if (errsv == EACCES || errsv == EPERM)
    return g_strdup (_("cannot be read: permission denied"));
  if (errsv == ENOENT)
    return g_strdup (_("not found"));
  if (errsv == ELOOP)
    return g_strdup (_("a link that leads back to itself"));
  return g_strdup_printf (_("cannot be read: %s"), g_strerror (errsv));
}

typedef struct {
  char *name;
  char *key;
} Child;

static int
compare_children (gconstpointer a,
                  gconstpointer b)
{
  const Child *x = a, *y = b;
  int cmp = strcmp (x->key, y->key);

  return cmp != 0 ? cmp : strcmp (x->name, y->name);
}

static void walk_path (Walk *walk, const char *path, int depth);

static void
walk_dir (Walk              *walk,
          const char        *path,
          const struct stat *st,
          int                depth)
{
  DirId id = { st->st_dev, st->st_ino };
  const char *first;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) children = NULL;
  const char *name;

  if ((first = g_hash_table_lookup (walk->ancestors, &id)) != NULL)
    {
      /* TRANSLATORS: "folder loop: /photos/link leads back to /photos" */
      add_entry (walk, path, g_strdup_printf (_("folder loop: %s leads back to %s"), path, first));
      return;
    }
  if (g_hash_table_contains (walk->seen_dirs, &id))
    return;   /* reached twice (a link, or a folder and its parent both given): once is enough */
  if (depth > MAX_DEPTH)
    {
      add_entry (walk, path, g_strdup (_("folders nested too deep")));
      return;
    }

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      add_entry (walk, path, g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_ACCES)
                             ? g_strdup (_("cannot open folder: permission denied"))
                             : g_strdup_printf (_("cannot open folder: %s"), error->message));
      return;
    }
  g_hash_table_insert (walk->seen_dirs, g_memdup2 (&id, sizeof id), g_strdup (path));
  g_hash_table_insert (walk->ancestors, g_memdup2 (&id, sizeof id), g_strdup (path));

  /* Sorted the way a file manager shows them ("IMG_2" before "IMG_10"),
   * so the grid's order matches what the person saw. */
  children = g_array_new (FALSE, FALSE, sizeof (Child));
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      Child child;

      if (name[0] == '.')
        continue;   /* hidden: .DS_Store, .thumbnails, editors' backups */
      child.name = g_strdup (name);
      child.key = g_utf8_validate (name, -1, NULL) ? g_utf8_collate_key_for_filename (name, -1) : g_strdup (name);
      g_array_append_val (children, child);
    }
  g_array_sort (children, compare_children);

  for (guint i = 0; i < children->len; i++)
    {
      Child *child = &g_array_index (children, Child, i);

      if (!g_cancellable_is_cancelled (walk->cancellable))
        {
          g_autofree char *child_path = g_build_filename (path, child->name, NULL);

          walk_path (walk, child_path, depth + 1);
        }
      g_free (child->name);
      g_free (child->key);
    }
  g_hash_table_remove (walk->ancestors, &id);
}

static void
walk_path (Walk       *walk,
           const char *path,
           int         depth)
{
  struct stat st;

  if (g_cancellable_is_cancelled (walk->cancellable))
    return;
  /* stat, not lstat: links are followed; the (device, inode) check keeps
   * that finite. */
  if (stat (path, &st) != 0)
    {
      int errsv = errno;
      struct stat lst;

      if (errsv == ENOENT && lstat (path, &lst) == 0 && S_ISLNK (lst.st_mode))
        add_entry (walk, path, g_strdup (_("a link to something that does not exist")));
      else
        add_entry (walk, path, stat_reason (errsv));
      return;
    }
  if (S_ISDIR (st.st_mode))
    walk_dir (walk, path, &st, depth);
  else if (S_ISREG (st.st_mode))
    add_entry (walk, path, NULL);
  else
    add_entry (walk, path, g_strdup (_("not a regular file")));
}

/* The ordered list of files and refusals that lw_ingest_expand and
 * lw_ingest_paths share: refusals keep their place among the files. */
static GPtrArray *
expand_entries (const char * const *paths,
                GCancellable       *cancellable)
{
  g_autoptr(GHashTable) seen_dirs = g_hash_table_new_full (dir_id_hash, dir_id_equal, g_free, g_free);
  g_autoptr(GHashTable) ancestors = g_hash_table_new_full (dir_id_hash, dir_id_equal, g_free, g_free);
  Walk walk = { g_ptr_array_new_with_free_func (entry_free), seen_dirs, ancestors, cancellable };

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autofree char *abs = g_canonicalize_filename (paths[i], NULL);

      walk_path (&walk, abs, 0);
    }
  return walk.entries;
}

GPtrArray *
lw_ingest_expand (const char * const *paths,
                  GHashTable         *rejected,
                  GCancellable       *cancellable)
{
  g_autoptr(GPtrArray) entries = expand_entries (paths, cancellable);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);

      if (entry->reason == NULL)
        g_ptr_array_add (files, g_strdup (entry->path));
      else if (rejected != NULL)
        g_hash_table_replace (rejected, g_strdup (entry->path), g_strdup (entry->reason));
    }
  return files;
}

/* ---- sidecar prompts --------------------------------------------------- */

/* "dir/photo.jpg" → "dir/photo"; NULL when the name has no extension. */
static char *
path_stem (const char *path)
{
  const char *base = strrchr (path, G_DIR_SEPARATOR);
  const char *dot = strrchr (path, '.');

  base = base != NULL ? base + 1 : path;
  if (dot == NULL || dot <= base)
    return NULL;   /* no dot, or only a leading one (".hidden") */
  return g_strndup (path, (gsize) (dot - path));
}

static char *
read_prompt_file (const char *path,
                  gboolean   *exists)
{
  char buf[SIDECAR_MAX + 1];
  struct stat st;
  gsize len = 0;
  const char *end = NULL;
  int fd;

  *exists = FALSE;
  /* O_NONBLOCK: a fifo named like a sidecar must not hang the batch. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return NULL;
    }
  *exists = TRUE;
  while (len < SIDECAR_MAX)
    {
      ssize_t n = read (fd, buf + len, SIDECAR_MAX - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (gsize) n;
    }
  close (fd);

  /* Cut at 4 KiB, a character may have been split: drop its first bytes,
   * but nothing else that is not UTF-8 (a binary file is no prompt). */
  if (!g_utf8_validate (buf, (gssize) len, &end))
    {
      gsize valid = (gsize) (end - buf);

      if (len < SIDECAR_MAX || len - valid >= 4 || *end == '\0'
          || g_utf8_get_char_validated (end, (gssize) (len - valid)) != (gunichar) -2)
        return NULL;
      len = valid;
    }
  buf[len] = '\0';
  g_strstrip (buf);
  return buf[0] != '\0' ? g_strdup (buf) : NULL;
}

char *
lw_ingest_read_sidecar (const char *photo_path)
{
  g_autofree char *full = NULL;
  g_autofree char *stem = NULL;
  gboolean exists = FALSE;
  char *prompt;

  g_return_val_if_fail (photo_path != NULL, NULL);

  /* "photo.jpg.txt" names one photo exactly; "photo.txt" is the shorter
   * form people write by hand. The first that exists decides. */
  full = g_strconcat (photo_path, ".txt", NULL);
  prompt = read_prompt_file (full, &exists);
  if (exists)
    return prompt;
  stem = path_stem (photo_path);
  if (stem != NULL)
    {
      g_autofree char *short_path = g_strconcat (stem, ".txt", NULL);

      if (g_strcmp0 (short_path, photo_path) != 0)
        return read_prompt_file (short_path, &exists);
    }
  return NULL;
}

/* The sidecar files of the photos in entries: read as prompts, so not
 * themselves files to stage (or to refuse as "not an image"). */
static GHashTable *
sidecar_paths (GPtrArray *entries)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);
      g_autofree char *stem = NULL;

      if (entry->reason != NULL || g_str_has_suffix (entry->path, ".txt"))
        continue;
      g_hash_table_add (set, g_strconcat (entry->path, ".txt", NULL));
      if ((stem = path_stem (entry->path)) != NULL)
        g_hash_table_add (set, g_strconcat (stem, ".txt", NULL));
    }
  return set;
}

/* ---- staging ----------------------------------------------------------- */

typedef struct {
  LwStore               *store;
  LwBlobStore           *blobs;
  gint64                 job_id;
  const LwIngestOptions *options;
  LwIngestFunc           func;
  gpointer               user_data;
  LwIngestReport        *report;
  guint                  done;
} Ingest;

static void
emit (Ingest          *ingest,
      LwIngestOutcome  outcome,
      const char      *path,
      const LwImage   *image,
      const char      *reason)
{
  LwIngestEvent event = { outcome, path, image, reason, ingest->done };

  if (ingest->func != NULL)
    ingest->func (&event, ingest->user_data);
}

static gboolean
reject (Ingest      *ingest,
        const char  *path,
        const char  *reason,
        GError     **error)
{
  if (!lw_store_add_rejection (ingest->store, ingest->job_id, path, reason, g_get_real_time () / 1000, error))
    return FALSE;
  ingest->report->rejected++;
  emit (ingest, LW_INGEST_REJECTED, path, NULL, reason);
  return TRUE;
}

/* The words for a copy or save that failed: the image error's own, or
 * the system's under a prefix ("could not be copied: %s"). */
static char *
failure_reason (gboolean      copying,
                const GError *error)
{
  if (error->domain == LW_IMAGE_ERROR)
    return g_strdup (error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) && copying)
    return g_strdup (_("cannot be read: permission denied"));
  if (copying)
    /* TRANSLATORS: "could not be copied: No space left on device" */
    return g_strdup_printf (_("could not be copied: %s"), error->message);
  return g_strdup_printf (_("the thumbnail could not be saved: %s"), error->message);
}

/* A full disk is no fault of the photo: the batch stops, and what is not
 * staged stays to stage (lw_jobs_dup_unstaged_paths), not a "skipped"
 * file. FALSE (error set) when error is that. */
static gboolean
disk_full (Ingest *ingest, const char *path, const GError *error, GError **out)
{
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;

  if (!lw_store_error_is_disk_full (error))
    return FALSE;
  dir = g_path_get_dirname (lw_blob_store_get_root (ingest->blobs));
  name = g_filename_display_basename (path);
  g_set_error (out, LW_STORE_ERROR, LW_STORE_ERROR_DISK_FULL,
               /* TRANSLATORS: "photo.jpg was not staged: the disk holding /home/me/.local/share/lightwork is full …" */
               _("%s was not staged: the disk holding %s is full — free some space, then stage it again"), name, dir);
  return TRUE;
}

/* One file. FALSE only for what ends the batch (the store failed, the disk
 * is full, or the work was cancelled); a file that cannot be staged is a
 * rejection. */
static gboolean
ingest_file (Ingest        *ingest,
             const char    *path,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LwImage) image = NULL;
  g_autofree char *key = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *thumb_key = NULL;
  gint64 bytes = 0;
  gboolean duplicate = FALSE;
  LwImageInfo info;

  if (!lw_image_probe (path, &ingest->options->limits, &info, &local_error))
    return reject (ingest, path, local_error->message, error);

  key = lw_blob_store_put_file (ingest->blobs, path, &sha256, &bytes, cancellable, &local_error);
  if (key == NULL)
    {
      g_autofree char *reason = NULL;

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (disk_full (ingest, path, local_error, error))
        return FALSE;
      reason = failure_reason (TRUE, local_error);
      return reject (ingest, path, reason, error);
    }

  /* From here on the stored copy is what counts. If the file changed
   * between probe and copy, probe the copy, which can no longer change. */
  if (bytes != info.bytes)
    {
      g_autofree char *stored = lw_blob_store_path (ingest->blobs, key);

      if (!lw_image_probe (stored, &ingest->options->limits, &info, &local_error))
        return reject (ingest, path, local_error->message, error);
    }

  if (ingest->options->make_thumbnails)
    {
      thumb_key = lw_blob_store_thumb_key (sha256, info.has_alpha);
      if (!lw_blob_store_exists (ingest->blobs, thumb_key))
        {
          g_autofree char *stored = lw_blob_store_path (ingest->blobs, key);
          g_autoptr(GBytes) thumb = lw_image_make_thumbnail (stored, &info, LW_THUMBNAIL_LONG_EDGE,
                                                             cancellable, &local_error);

          if (thumb == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          /* The header was fine but the picture does not decode: the file
           * is damaged, and the engine would fail on it later anyway. */
          if (thumb == NULL)
            return reject (ingest, path, local_error->message, error);
          if (!lw_blob_store_put_bytes (ingest->blobs, thumb_key, thumb, &local_error))
            {
              g_autofree char *reason = NULL;

              if (disk_full (ingest, path, local_error, error))
                return FALSE;
              reason = failure_reason (FALSE, local_error);
              return reject (ingest, path, reason, error);
            }
        }
    }

  image = g_new0 (LwImage, 1);
  image->job_id = ingest->job_id;
  image->original_name = g_filename_display_basename (path);
  image->source_path = g_strdup (path);
  image->original_key = g_steal_pointer (&key);
  image->sha256 = g_steal_pointer (&sha256);
  image->mime = g_strdup (info.mime);
  image->width = info.width;
  image->height = info.height;
  image->orientation = info.orientation;
  image->bytes = bytes;
  image->thumb_key = g_steal_pointer (&thumb_key);
  if (ingest->options->read_sidecar_prompts)
    image->specific_prompt = lw_ingest_read_sidecar (path);

  /* One short transaction per file: the window sees the row at once, and
   * a crash loses at most this file. */
  if (!lw_store_begin (ingest->store, error))
    return FALSE;
  if (!lw_store_add_image (ingest->store, image, g_get_real_time () / 1000, &duplicate, &local_error))
    {
      lw_store_rollback (ingest->store);
      /* The store refused this one image's data; the others may go in. */
      if (g_error_matches (local_error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID))
        return reject (ingest, path, local_error->message, error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!lw_store_commit (ingest->store, error))
    {
      lw_store_rollback (ingest->store);
      return FALSE;
    }

  if (duplicate)
    {
      /* The event carries the row that was already there, not our copy. */
      g_autoptr(LwImage) existing = lw_store_get_image (ingest->store, image->id, NULL);

      ingest->report->duplicates++;
      emit (ingest, LW_INGEST_DUPLICATE, path, existing != NULL ? existing : image, NULL);
    }
  else
    {
      ingest->report->staged++;
      emit (ingest, LW_INGEST_STAGED, path, image, NULL);
    }
  return TRUE;
}

gboolean
lw_ingest_paths (LwStore               *store,
                 LwBlobStore           *blobs,
                 gint64                 job_id,
                 const char * const    *paths,
                 const LwIngestOptions *options,
                 LwIngestFunc           func,
                 gpointer               user_data,
                 LwIngestReport        *report,
                 GCancellable          *cancellable,
                 GError               **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) sidecars = NULL;
  LwIngestOptions defaults;
  LwIngestReport local_report = { 0, 0, 0 };
  Ingest ingest;

  g_return_val_if_fail (LW_IS_STORE (store), FALSE);
  g_return_val_if_fail (LW_IS_BLOB_STORE (blobs), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options == NULL)
    {
      lw_ingest_options_init (&defaults);
      options = &defaults;
    }
  if (report == NULL)
    report = &local_report;
  memset (report, 0, sizeof *report);
  ingest = (Ingest) { store, blobs, job_id, options, func, user_data, report, 0 };

  entries = expand_entries (paths, cancellable);
  if (options->read_sidecar_prompts)
    sidecars = sidecar_paths (entries);

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);

      if (sidecars != NULL && entry->reason == NULL && g_hash_table_contains (sidecars, entry->path))
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      ingest.done++;
      if (entry->reason != NULL)
        {
          if (!reject (&ingest, entry->path, entry->reason, error))
            return FALSE;
        }
      else if (!ingest_file (&ingest, entry->path, cancellable, error))
        return FALSE;
    }
  /* The walk itself stops early when cancelled: say so, not "done". */
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

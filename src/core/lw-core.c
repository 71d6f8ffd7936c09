/* lw-core.c — one open data directory. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lw-core.h"
#include "lw-thread.h"

/* A process that is not alone only sweeps files this old: another process
 * may be between writing a blob and committing the row that names it, which
 * takes milliseconds; an hour is beyond any doubt. */
#define SHARED_SWEEP_AGE_MS (60 * 60 * 1000)

/* The sweep's bookkeeping, kept in the database itself (settings) so that
 * it travels with the database when it is copied, moved or restored — a
 * file's mtime would not (cp sets it to now).
 *
 * KNOWN_UNTIL: every stored file modified before this time (ms, wall
 * clock, like file mtimes) was written by a process using this database.
 * Written when a writable core closes and after each in-session sweep.
 *
 * KEPT_UNTIL: files no row names whose mtime is not after this are never
 * swept by this database: they were there before it (it was created beside
 * them, or is older than them) and it cannot tell whether they are
 * garbage. They stay where they are; putting the right database back makes
 * them live again. */
#define SETTING_KNOWN_UNTIL "core.blobs_known_until_ms"
#define SETTING_KEPT_UNTIL  "core.blobs_kept_until_ms"

struct _LwCore
{
  GObject      parent_instance;
  char        *data_dir;
  char        *db_path;
  LwStore     *store;
  LwBlobStore *blobs;
  LwClock     *clock;
  char        *owner;
  int          lock_fd;
  gboolean     alone;
  guint        swept;
  LwCoreOpenFlags flags;
  gboolean     db_was_new;    /* missing or 0 bytes before we opened it */
  gint64       opened_ms;     /* wall clock, ms */
  LwCoreSweepVerdict verdict;
  gboolean     may_mark;      /* see mark_known() */

  /* The checkpointer: see checkpoint_thread(). */
  GThread     *checkpointer;
  GMutex       checkpoint_lock;
  GCond        checkpoint_cond;
  gboolean     checkpoint_stop;
};

/* How often the WAL is folded into the database. SQLite's own default is
 * every 1,000 pages (4 MB) at commit time, in whichever thread commits. */
#define CHECKPOINT_INTERVAL_MS 1000

G_DEFINE_FINAL_TYPE (LwCore, lw_core, G_TYPE_OBJECT)

/* A checkpoint writes the WAL back into the database and fsyncs it: tens of
 * milliseconds on a slow disk, which on the main thread is a dropped frame.
 * So the main connection never checkpoints; this thread does, with its own
 * connection, PASSIVE (it never waits for readers or blocks writers). */
static gpointer
checkpoint_thread (gpointer data)
{
  LwCore *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LwStore) store = NULL;

  lw_thread_set_background ();
  store = lw_store_open (self->db_path, &error);
  if (store == NULL)
    {
      g_warning ("The checkpoint thread cannot open the database: %s", error->message);
      return NULL;
    }
  g_mutex_lock (&self->checkpoint_lock);
  while (!self->checkpoint_stop)
    {
      gint64 until = g_get_monotonic_time () + CHECKPOINT_INTERVAL_MS * G_TIME_SPAN_MILLISECOND;

      g_cond_wait_until (&self->checkpoint_cond, &self->checkpoint_lock, until);
      g_mutex_unlock (&self->checkpoint_lock);
      lw_store_checkpoint (store);
      g_mutex_lock (&self->checkpoint_lock);
    }
  g_mutex_unlock (&self->checkpoint_lock);
  return NULL;
}

static gint64
wall_now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* Raises the time setting key to value (never lowers it: another process
 * may have written a later one). */
static gboolean
raise_setting_ms (LwStore *store, const char *key, gint64 value, GError **error)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  if (lw_store_get_setting_int (store, key, 0) >= value)
    return TRUE;
  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  return lw_store_set_setting (store, key, text, error);
}

/* This process has used the database until now: every file it wrote is
 * accounted for by the rows it committed (or is garbage). */
static void
mark_known (LwCore *self)
{
  g_autoptr(GError) error = NULL;

  if (!self->may_mark)
    return;
  if (!raise_setting_ms (self->store, SETTING_KNOWN_UNTIL, wall_now_ms (), &error))
    g_debug ("Cannot record the sweep's mark: %s", error->message);
}

static void
lw_core_finalize (GObject *object)
{
  LwCore *self = LW_CORE (object);

  if (self->checkpointer != NULL)
    {
      g_mutex_lock (&self->checkpoint_lock);
      self->checkpoint_stop = TRUE;
      g_cond_signal (&self->checkpoint_cond);
      g_mutex_unlock (&self->checkpoint_lock);
      g_thread_join (g_steal_pointer (&self->checkpointer));
    }
  g_mutex_clear (&self->checkpoint_lock);
  g_cond_clear (&self->checkpoint_cond);

  if (self->store != NULL && self->blobs != NULL)
    mark_known (self);
  g_clear_object (&self->store);
  g_clear_object (&self->blobs);
  g_clear_object (&self->clock);
  if (self->lock_fd >= 0)
    close (self->lock_fd);   /* releases the flock */
  g_free (self->data_dir);
  g_free (self->db_path);
  g_free (self->owner);
  G_OBJECT_CLASS (lw_core_parent_class)->finalize (object);
}

static void
lw_core_class_init (LwCoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lw_core_finalize;
}

static void
lw_core_init (LwCore *self)
{
  self->lock_fd = -1;
  g_mutex_init (&self->checkpoint_lock);
  g_cond_init (&self->checkpoint_cond);
}

char *
lw_default_data_dir (void)
{
  const char *env = g_getenv ("LIGHTWORK_DATA_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "lightwork", NULL);
}

static char *
make_owner (void)
{
  char host[256] = "";

  if (gethostname (host, sizeof host - 1) != 0)
    g_strlcpy (host, "localhost", sizeof host);
  return g_strdup_printf ("%s:%d:%08x", host, (int) getpid (), g_random_int ());
}

gboolean
lw_owner_is_dead (const char *owner, gpointer user_data)
{
  g_auto(GStrv) parts = NULL;
  char host[256] = "";
  gint64 pid;

  if (owner == NULL)
    return TRUE;
  parts = g_strsplit (owner, ":", 3);
  if (g_strv_length (parts) != 3)
    return FALSE;
  if (gethostname (host, sizeof host - 1) != 0 || !g_str_equal (parts[0], host))
    return FALSE;   /* another machine: only its lease expiry tells */
  if (!g_ascii_string_to_signed (parts[1], 10, 1, G_MAXINT, &pid, NULL))
    return FALSE;
  if (pid == getpid ())
    return FALSE;   /* ourselves, in another LwCore (tests) */
  return kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

/* The newest time the database vouches for: its mark, and its jobs' own
 * times (a database written before the mark existed has only these). The
 * rows' times come from the core's clock, the real one outside tests. */
static gint64
newest_db_ms (LwCore *self, GError **error)
{
  g_autoptr(GPtrArray) jobs = lw_store_list_jobs (self->store, 0, error);
  gint64 newest = lw_store_get_setting_int (self->store, SETTING_KNOWN_UNTIL, 0);

  if (jobs == NULL)
    return -1;
  for (guint i = 0; i < jobs->len; i++)
    {
      LwJob *job = g_ptr_array_index (jobs, i);

      newest = MAX (newest, MAX (MAX (job->created_at, job->updated_at), MAX (job->launched_at, job->finished_at)));
    }
  return newest;
}

/* Whether the files no row names are garbage, the rule:
 *
 * 1. A database that was missing or 0 bytes when we opened it knows
 *    nothing of the files beside it (it was lost, moved aside, truncated):
 *    none of them is provably garbage. They are kept for good (KEPT_UNTIL
 *    = the newest of them: their own mtimes, not our clock, so that a file
 *    written a moment later in the same coarse file-system tick is not
 *    taken for one of them, nor a skewed clock lets one slip), and only
 *    files written from now on are this database's to sweep.
 * 2. A database that names no file at all (no images) proves nothing
 *    either: skip. (Unlike 1 this does not keep the files for good: a user
 *    who deleted every job wants the space back, and the next sweep of a
 *    database with rows does it, through the trash.)
 * 3. A database is older than the files when one no row names was
 *    modified after the newest time the database vouches for (its mark,
 *    its jobs' times): a restored backup, or a database from elsewhere.
 *    Those files may be the newer work the database never saw, so they
 *    are kept for good (KEPT_UNTIL = the newest of them). A process that is
 *    not alone only skips: the others are live and may be writing right
 *    now; the first process in decides.
 *    In a session (lw_core_sweep after opening), files modified since the
 *    core opened are this database's own doing and need no proof.
 * 4. Otherwise a file no row names, modified after KEPT_UNTIL, is garbage:
 *    it goes to the trash (tmp/ leftovers are deleted; they are never
 *    named by a row).
 *
 * Nothing is compared to the database file's mtime: copying a backup back
 * with cp makes it brand new. */
static LwCoreSweepVerdict
sweep_verdict (LwCore *self, gboolean at_open, gboolean alone, GHashTable *referenced, GPtrArray *orphans,
               GError **error)
{
  gint64 covered_from = at_open ? G_MAXINT64 : self->opened_ms;
  gint64 newest_db, newest_orphan = 0;
  g_autoptr(GError) local_error = NULL;

  for (guint i = 0; i < orphans->len; i++)
    {
      LwBlobOrphan *orphan = g_ptr_array_index (orphans, i);

      if (orphan->mtime_ms < covered_from)
        newest_orphan = MAX (newest_orphan, orphan->mtime_ms);
    }

  if (at_open && self->db_was_new)
    {
      if (!raise_setting_ms (self->store, SETTING_KEPT_UNTIL, newest_orphan, &local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return LW_CORE_SWEEP_FAILED;
        }
      return LW_CORE_SWEEP_NEW_DB;
    }
  if (g_hash_table_size (referenced) == 0)
    return LW_CORE_SWEEP_EMPTY_DB;
  newest_db = newest_db_ms (self, error);
  if (newest_db < 0)
    return LW_CORE_SWEEP_FAILED;
  if (newest_orphan > newest_db)
    {
      if (alone && !raise_setting_ms (self->store, SETTING_KEPT_UNTIL, newest_orphan, &local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return LW_CORE_SWEEP_FAILED;
        }
      return LW_CORE_SWEEP_OLDER_DB;
    }
  return LW_CORE_SWEEP_DONE;
}

/* A result no row names is provably garbage when this very database says
 * its attempt is over: the key is "results/<image>-<attempt>.<ext>", the
 * image's row is here, and either a later attempt was claimed, or this one
 * is no longer in flight, or it is in flight for a process that is gone
 * (killed between writing the file and committing the finish). Whatever
 * the age of the database, that attempt's finish would be fenced out: no
 * database, older or newer, can name that file for this row. */
static gboolean
is_dead_attempt (LwCore *self, const char *key)
{
  g_autoptr(LwImage) image = NULL;
  gint64 image_id;
  int attempt;

  if (!lw_blob_store_parse_result_key (key, &image_id, &attempt))
    return FALSE;
  image = lw_store_get_image (self->store, image_id, NULL);
  if (image == NULL)
    return FALSE;   /* a row this database never had, or lost: no proof */
  if (image->attempt > attempt)
    return TRUE;
  if (image->attempt < attempt)
    return FALSE;   /* newer than this database knows */
  if (image->status != LW_IMAGE_PROCESSING)
    return TRUE;
  return lw_owner_is_dead (image->lease_owner, NULL);
}

/* Logs a failure of a step that must not stop the others. */
static void
warn_step (GError *error)
{
  if (error != NULL)
    g_warning ("Cleaning the data folder: %s", error->message);
}

static guint
sweep (LwCore *self, gboolean at_open, gboolean alone, GError **error)
{
  g_autoptr(GHashTable) referenced = NULL;
  g_autoptr(GPtrArray) orphans = NULL;
  g_autoptr(GError) untrash_error = NULL;
  g_autoptr(GError) tmp_error = NULL;
  g_autoptr(GError) trash_error = NULL;
  gint64 older_than_ms = alone ? 0 : SHARED_SWEEP_AGE_MS;
  gint64 cutoff_ms = older_than_ms > 0 ? wall_now_ms () - older_than_ms : G_MAXINT64;
  gint64 clock_now = lw_clock_now_ms (self->clock);
  gint64 kept_until;
  guint moved = 0;   /* files moved to the trash, and tmp/ leftovers deleted */

  if (self->flags & LW_CORE_OPEN_READ_ONLY)
    {
      self->verdict = LW_CORE_SWEEP_OFF;
      return 0;
    }
  referenced = lw_store_referenced_keys (self->store, error);
  if (referenced == NULL)
    {
      self->verdict = LW_CORE_SWEEP_FAILED;
      return 0;
    }
  orphans = lw_blob_store_find_orphans (self->blobs, referenced, NULL, error);
  /* Results of attempts that are over are garbage on this database's own
   * word, whatever the verdict below: they go to the trash, and they
   * cannot make a database look older than its files. */
  if (orphans != NULL && !(self->flags & LW_CORE_OPEN_NO_SWEEP))
    for (guint i = orphans->len; i > 0; i--)
      {
        LwBlobOrphan *orphan = g_ptr_array_index (orphans, i - 1);
        g_autoptr(GError) dead_error = NULL;
        gboolean done = FALSE;

        if (!is_dead_attempt (self, orphan->key))
          continue;
        if (lw_blob_store_trash (self->blobs, orphan->key, clock_now, &done, &dead_error))
          moved += done ? 1 : 0;
        else
          warn_step (dead_error);
        g_ptr_array_remove_index (orphans, i - 1);
      }
  /* Decided (and files kept for good recorded) even when this process
   * does not sweep, so that its mark at closing cannot vouch for files it
   * never looked at. */
  self->verdict = sweep_verdict (self, at_open, alone, referenced, orphans, error);
  /* A database found older than the files and not told to keep them (we
   * were not alone) must not vouch for them when we close. */
  if (self->verdict == LW_CORE_SWEEP_FAILED || (self->verdict == LW_CORE_SWEEP_OLDER_DB && !alone))
    self->may_mark = FALSE;
  if (self->flags & LW_CORE_OPEN_NO_SWEEP)
    {
      self->verdict = LW_CORE_SWEEP_OFF;
      return 0;
    }

  /* Safe whatever the verdict: a file a row names again comes back from
   * the trash; half-written files are nobody's; the trash keeps its
   * promise of LW_BLOB_TRASH_KEEP_MS and no more. The trash is dated by
   * the core's clock, so tests can move it on. */
  lw_blob_store_untrash (self->blobs, referenced, &untrash_error);
  warn_step (untrash_error);
  moved += lw_blob_store_clean_tmp (self->blobs, older_than_ms, &tmp_error);
  warn_step (tmp_error);
  lw_blob_store_empty_trash (self->blobs, clock_now, LW_BLOB_TRASH_KEEP_MS, &trash_error);
  warn_step (trash_error);

  if (self->verdict != LW_CORE_SWEEP_DONE)
    return moved;
  kept_until = lw_store_get_setting_int (self->store, SETTING_KEPT_UNTIL, 0);
  for (guint i = 0; i < orphans->len; i++)
    {
      LwBlobOrphan *orphan = g_ptr_array_index (orphans, i);
      g_autoptr(GError) local_error = NULL;
      gboolean done = FALSE;

      if (orphan->mtime_ms <= kept_until || orphan->mtime_ms > cutoff_ms)
        continue;
      if (lw_blob_store_trash (self->blobs, orphan->key, clock_now, &done, &local_error))
        moved += done ? 1 : 0;
      else if (local_error != NULL && error != NULL && *error == NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return moved;
}

/* The database and its -wal and -shm hold the user's prompts and history:
 * 0600. SQLite creates a new database 0644 (less the umask) and gives the
 * -wal and -shm the database's mode, so creating it empty 0600 first makes
 * all three private; files made by an older version are tightened. */
static void
prepare_db_file (const char *db_path, gboolean *was_new)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
  GStatBuf st;
  int fd;

  *was_new = g_stat (db_path, &st) != 0 || st.st_size == 0;
  fd = g_open (db_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0)
    close (fd);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);

      if (g_lstat (path, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 077) != 0
          && st.st_uid == getuid () && g_chmod (path, 0600) != 0)
        g_debug ("Cannot make %s private: %s", path, g_strerror (errno));
    }
}

/* The data folder: 0700, also when an older version made it 0755. */
static void
make_private_dir (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode) && (st.st_mode & 077) != 0
      && st.st_uid == getuid () && g_chmod (path, 0700) != 0)
    g_debug ("Cannot make %s private: %s", path, g_strerror (errno));
}

LwCore *
lw_core_open (const char *data_dir, LwClock *clock, GError **error)
{
  return lw_core_open_full (data_dir, clock, LW_CORE_OPEN_DEFAULT, error);
}

LwCore *
lw_core_open_full (const char *data_dir, LwClock *clock, LwCoreOpenFlags flags, GError **error)
{
  g_autoptr(LwCore) self = g_object_new (LW_TYPE_CORE, NULL);
  g_autofree char *lock_path = NULL;
  g_autofree char *blob_root = NULL;
  g_autoptr(GError) local_error = NULL;

  self->data_dir = data_dir != NULL ? g_strdup (data_dir) : lw_default_data_dir ();
  if (g_mkdir_with_parents (self->data_dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create the data folder %s: %s"), self->data_dir, g_strerror (saved));
      return NULL;
    }
  make_private_dir (self->data_dir);
  self->flags = flags;
  if (flags & LW_CORE_OPEN_READ_ONLY)
    self->flags |= LW_CORE_OPEN_NO_SWEEP;
  /* A read-only process writes nothing of its own, so has nothing to vouch for. */
  self->may_mark = !(flags & LW_CORE_OPEN_READ_ONLY);
  self->opened_ms = wall_now_ms ();

  lock_path = g_build_filename (self->data_dir, "lock", NULL);
  self->lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot open %s: %s"), lock_path, g_strerror (saved));
      return NULL;
    }
  /* Alone if nobody else holds the lock at all; then we may sweep fully. */
  self->alone = flock (self->lock_fd, LOCK_EX | LOCK_NB) == 0;

  self->clock = clock != NULL ? g_object_ref (clock) : lw_clock_new ();
  self->owner = make_owner ();
  self->db_path = g_build_filename (self->data_dir, "lightwork.db", NULL);
  prepare_db_file (self->db_path, &self->db_was_new);
  self->store = lw_store_open (self->db_path, error);
  if (self->store == NULL)
    return NULL;
  lw_store_set_autocheckpoint (self->store, 0);
  self->checkpointer = g_thread_new ("lw-checkpoint", checkpoint_thread, self);
  blob_root = g_build_filename (self->data_dir, "blobs", NULL);
  self->blobs = lw_blob_store_new (blob_root, error);
  if (self->blobs == NULL)
    return NULL;

  self->swept = sweep (self, TRUE, self->alone, &local_error);
  if (local_error != NULL)
    g_warning ("Cleaning the data folder failed: %s", local_error->message);

  /* From now on, others may come in too: hold the lock shared. */
  if (flock (self->lock_fd, LOCK_SH) != 0)
    g_warning ("Cannot lock %s: %s", lock_path, g_strerror (errno));

  return g_steal_pointer (&self);
}

const char *
lw_core_get_data_dir (LwCore *self)
{
  return self->data_dir;
}

const char *
lw_core_get_db_path (LwCore *self)
{
  return self->db_path;
}

LwStore *
lw_core_get_store (LwCore *self)
{
  return self->store;
}

LwStore *
lw_core_open_store (LwCore *self, GError **error)
{
  return lw_store_open (self->db_path, error);
}

LwBlobStore *
lw_core_get_blobs (LwCore *self)
{
  return self->blobs;
}

LwClock *
lw_core_get_clock (LwCore *self)
{
  return self->clock;
}

const char *
lw_core_get_owner (LwCore *self)
{
  return self->owner;
}

guint
lw_core_get_swept (LwCore *self, gboolean *full)
{
  if (full != NULL)
    *full = self->alone;
  return self->swept;
}

LwCoreSweepVerdict
lw_core_get_sweep_verdict (LwCore *self)
{
  return self->verdict;
}

guint
lw_core_sweep (LwCore *self, GError **error)
{
  gboolean alone;
  guint n;

  if (self->flags & (LW_CORE_OPEN_READ_ONLY | LW_CORE_OPEN_NO_SWEEP))
    {
      self->verdict = LW_CORE_SWEEP_OFF;
      return 0;
    }
  /* Try for the whole lock again: others may have left since. */
  alone = flock (self->lock_fd, LOCK_EX | LOCK_NB) == 0;
  n = sweep (self, FALSE, alone, error);
  if (alone)
    flock (self->lock_fd, LOCK_SH);
  mark_known (self);
  return n;
}

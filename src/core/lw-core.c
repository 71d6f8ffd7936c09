/* lw-core.c — one open data directory. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lw-core.h"
#include "lw-thread.h"

/* A process that is not alone only sweeps files this old: another process
 * may be between writing a blob and committing the row that names it, which
 * takes milliseconds; an hour is beyond any doubt. */
#define SHARED_SWEEP_AGE_MS (60 * 60 * 1000)

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

static guint
sweep (LwCore *self, gint64 older_than_ms, GError **error)
{
  g_autoptr(GHashTable) referenced = lw_store_referenced_keys (self->store, error);

  if (referenced == NULL)
    return 0;
  return lw_blob_store_sweep (self->blobs, referenced, older_than_ms, error);
}

LwCore *
lw_core_open (const char *data_dir, LwClock *clock, GError **error)
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
  self->store = lw_store_open (self->db_path, error);
  if (self->store == NULL)
    return NULL;
  lw_store_set_autocheckpoint (self->store, 0);
  self->checkpointer = g_thread_new ("lw-checkpoint", checkpoint_thread, self);
  blob_root = g_build_filename (self->data_dir, "blobs", NULL);
  self->blobs = lw_blob_store_new (blob_root, error);
  if (self->blobs == NULL)
    return NULL;

  self->swept = sweep (self, self->alone ? 0 : SHARED_SWEEP_AGE_MS, &local_error);
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

guint
lw_core_sweep (LwCore *self, GError **error)
{
  /* Try for the whole lock again: others may have left since. */
  gboolean alone = flock (self->lock_fd, LOCK_EX | LOCK_NB) == 0;
  guint n = sweep (self, alone ? 0 : SHARED_SWEEP_AGE_MS, error);

  if (alone)
    flock (self->lock_fd, LOCK_SH);
  return n;
}

/* lw-core.h — one open data directory: database, blobs, clock, identity.
 *
 * Opening takes a shared lock on <data dir>/lock for the life of the
 * process. The first process in (it gets the lock exclusively for a moment)
 * sweeps the blob store fully and returns leases of dead processes to the
 * queue; a later one only sweeps what is old enough not to be another
 * process's work in progress.
 *
 * The sweep never deletes: a file no row names goes to blobs/trash/ for
 * LW_BLOB_TRASH_KEEP_MS, and only when the database can prove it is
 * garbage — not when the database was just created, is empty, or is older
 * than the files (a restored backup, a database moved aside); see
 * sweep_verdict() in lw-core.c for the rule. The data folder is 0700, the
 * database and its -wal/-shm 0600.
 */
#pragma once

#include <gio/gio.h>

#include "lw-blob-store.h"
#include "lw-clock.h"
#include "lw-store.h"

G_BEGIN_DECLS

#define LW_TYPE_CORE (lw_core_get_type ())
G_DECLARE_FINAL_TYPE (LwCore, lw_core, LW, CORE, GObject)

/* $LIGHTWORK_DATA_DIR, else $XDG_DATA_HOME/lightwork. */
char        *lw_default_data_dir     (void);

typedef enum {
  LW_CORE_OPEN_DEFAULT   = 0,
  /* Touch no stored file: no sweep, no trash emptied (a command that
   * writes rows but should leave the files alone). */
  LW_CORE_OPEN_NO_SWEEP  = 1 << 0,
  /* For commands that only read (jobs, status, export): implies NO_SWEEP,
   * and writes nothing of the core's own to the database (no sweep
   * bookkeeping). The store is still opened read-write (migrations). */
  LW_CORE_OPEN_READ_ONLY = 1 << 1,
} LwCoreOpenFlags;

/* Why the last sweep did or did not move orphans to the trash. */
typedef enum {
  LW_CORE_SWEEP_DONE,       /* swept: what no row names went to the trash */
  LW_CORE_SWEEP_OFF,        /* LW_CORE_OPEN_NO_SWEEP / READ_ONLY */
  LW_CORE_SWEEP_NEW_DB,     /* the database was missing or 0 bytes */
  LW_CORE_SWEEP_EMPTY_DB,   /* no row names any file */
  LW_CORE_SWEEP_OLDER_DB,   /* a stored file is newer than the database */
  LW_CORE_SWEEP_FAILED,     /* the rows or files could not be listed */
} LwCoreSweepVerdict;

/* data_dir NULL = lw_default_data_dir(); clock NULL = the real clock.
 * lw_core_open() is lw_core_open_full (…, LW_CORE_OPEN_DEFAULT, …). */
LwCore      *lw_core_open            (const char  *data_dir,
                                      LwClock     *clock,
                                      GError     **error);
LwCore      *lw_core_open_full       (const char      *data_dir,
                                      LwClock         *clock,
                                      LwCoreOpenFlags  flags,
                                      GError         **error);
const char  *lw_core_get_data_dir    (LwCore *self);
const char  *lw_core_get_db_path     (LwCore *self);
/* The connection of the thread that opened the core (the main thread). */
LwStore     *lw_core_get_store       (LwCore *self);
/* A new connection for another thread. */
LwStore     *lw_core_open_store      (LwCore *self, GError **error);
LwBlobStore *lw_core_get_blobs       (LwCore *self);
LwClock     *lw_core_get_clock       (LwCore *self);
/* This process's lease owner id: "<host>:<pid>:<random>". */
const char  *lw_core_get_owner       (LwCore *self);
/* Whether the files the opening sweep moved to the trash were a full sweep
 * (the process was alone) and how many there were. */
guint        lw_core_get_swept       (LwCore *self, gboolean *full);
/* What the last sweep decided (and so whether it moved anything). */
LwCoreSweepVerdict lw_core_get_sweep_verdict (LwCore *self);
/* Sweep again now (tests, long-running window): same rules; files written
 * since the core opened are this database's own. Returns files moved to
 * the trash (0 with READ_ONLY/NO_SWEEP). */
guint        lw_core_sweep           (LwCore *self, GError **error);

/* TRUE when owner names a process on this host that no longer runs. */
gboolean     lw_owner_is_dead        (const char *owner,
                                      gpointer    user_data);

G_END_DECLS

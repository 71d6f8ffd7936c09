/* lw-core.h — one open data directory: database, blobs, clock, identity.
 *
 * Opening takes a shared lock on <data dir>/lock for the life of the
 * process. The first process in (it gets the lock exclusively for a moment)
 * sweeps the blob store fully and returns leases of dead processes to the
 * queue; a later one only sweeps what is old enough not to be another
 * process's work in progress.
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

/* data_dir NULL = lw_default_data_dir(); clock NULL = the real clock. */
LwCore      *lw_core_open            (const char  *data_dir,
                                      LwClock     *clock,
                                      GError     **error);
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
/* Whether the files removed by the opening sweep were a full sweep (the
 * process was alone) and how many there were. */
guint        lw_core_get_swept       (LwCore *self, gboolean *full);
/* Sweep again now (tests, long-running window). */
guint        lw_core_sweep           (LwCore *self, GError **error);

/* TRUE when owner names a process on this host that no longer runs. */
gboolean     lw_owner_is_dead        (const char *owner,
                                      gpointer    user_data);

G_END_DECLS

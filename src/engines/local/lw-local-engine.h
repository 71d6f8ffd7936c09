/* lw-local-engine.h — the offline engine: GEGL recipes, no key, no network.
 *
 * Callable from the main thread; every photo is rendered in a worker thread
 * of the engine's own pool (one per core by default, the "local.threads"
 * setting otherwise). Cancelling a request stops it between two chunks of
 * work, or before it starts when it is still queued.
 */
#pragma once

#include "lw-engine.h"

G_BEGIN_DECLS

#define LW_TYPE_LOCAL_ENGINE (lw_local_engine_get_type ())
G_DECLARE_FINAL_TYPE (LwLocalEngine, lw_local_engine, LW, LOCAL_ENGINE, GObject)

/* threads: how many photos render at once; 0 = one per processor. */
LwLocalEngine *lw_local_engine_new         (int            threads);
int            lw_local_engine_get_threads (LwLocalEngine *self);

G_END_DECLS

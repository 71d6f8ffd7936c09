/* lw-local-render.h — one photo through the local engine, start to end.
 *
 * decode (gdk-pixbuf or GEGL's loaders, into a GEGL buffer) → upright
 * (lw:orient) → preview and statistics → plan (lw-local-recipes) → GEGL
 * graph, rendered chunk by chunk → sRGB JPEG 92, or PNG when the original
 * has alpha.
 * Blocking: the engine runs it in its worker threads.
 */
#pragma once

#include <gio/gio.h>

#include "lw-engine.h"

G_BEGIN_DECLS

/* GEGL, its configuration and our operations, once per process; safe to
 * call from any thread. */
void            lw_local_gegl_init (void);

LwEngineResult *lw_local_render    (const LwEngineRequest *request,
                                    GCancellable          *cancellable,
                                    GError               **error);

G_END_DECLS

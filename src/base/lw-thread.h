/* lw-thread.h — threads that do work nobody is watching. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Marks the calling thread as background work: decoding, hashing,
 * encoding, checkpoints. On Linux it runs at nice 10 from then on, so the
 * main thread (which draws the window) wins the cores when they are
 * contended; on a 2-core laptop a thumbnail decoder at equal priority
 * stretches a 30 ms frame into a visible stall. Cheap to call per job:
 * only the first call on a thread does anything. Pools that run GIO's own
 * work (GTask's) are left alone. */
void lw_thread_set_background (void);

G_END_DECLS

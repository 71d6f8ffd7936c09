/* lw-thread.h — threads that do work nobody is watching. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Marks the calling thread as background work: decoding, hashing,
 * encoding, checkpoints. On Linux it runs at nice 10 from then on, so the
 * main thread (which draws the window) wins the cores when they are
 * contended; on a 2-core laptop a thumbnail decoder at equal priority
 * stretches a 30 ms frame into a visible stall. Cheap to call per job:
 * only the first call on a thread does anything. Pools that run GIO's own
 * work (GTask's) are left alone. */
void lw_thread_set_background (void);

/* Work in a thread whose result comes back to a main context, with every
 * reference to the task dropped on that context. GLib's own
 * g_task_run_in_thread() drops its worker's reference after it has queued
 * the callback; once the callback has run, that reference can be the last,
 * and the task's source object and data are finalized on the worker: a job
 * session disposed off the main thread, or an engine whose finalize frees
 * the pool it runs on (docs/ARCHITECTURE.md, "Threads").
 *
 * lw_task_run_in_thread() runs func in GTask's pool with task's own source
 * object, data and cancellable; func returns task as usual. */
void lw_task_run_in_thread (GTask           *task,
                            GTaskThreadFunc  func);

/* For a pool of one's own: drops a worker's reference to task (taken) on
 * the task's context, after the worker has returned it. */
void lw_task_unref_in_context (GTask *task);

/* Calls func (data) once on context, then destroy (data) (may be NULL):
 * at once if the calling thread holds context, else queued there at
 * G_PRIORITY_DEFAULT. Unlike g_main_context_invoke(), a worker never runs
 * func itself: that one acquires a context no thread holds at the moment
 * (a test between two g_main_context_iteration() calls, a command between
 * two loops) and calls func on the worker. */
void lw_context_invoke (GMainContext   *context,
                        GSourceFunc     func,
                        gpointer        data,
                        GDestroyNotify  destroy);

G_END_DECLS

/* lw-thread.c — see lw-thread.h. */
#include "config.h"

#include "lw-thread.h"

#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define LW_BACKGROUND_NICE 10

void
lw_thread_set_background (void)
{
  static GPrivate marked;

  if (g_private_get (&marked) != NULL)
    return;
  g_private_set (&marked, GINT_TO_POINTER (1));
#ifdef __linux__
  /* On Linux nice is per thread: PRIO_PROCESS with a thread id changes only
   * that thread. Raising the value needs no privilege; failure (a sandbox
   * that forbids it) leaves the thread as it was, which is still correct. */
  {
    pid_t tid = (pid_t) syscall (SYS_gettid);
    int current;

    errno = 0;
    current = getpriority (PRIO_PROCESS, (id_t) tid);
    if (errno == 0 && current < LW_BACKGROUND_NICE)
      (void) setpriority (PRIO_PROCESS, (id_t) tid, LW_BACKGROUND_NICE);
  }
#endif
}

typedef struct {
  GTask           *task;   /* held by the carrier's callback */
  GTaskThreadFunc  func;
} Carried;

static void
carrier_thread (GTask        *carrier,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  Carried *carried = data;
  GTask *task = carried->task;

  /* Returned from here, task's callback is queued on its context by an
   * idle source that holds a reference of its own. */
  carried->func (task, g_task_get_source_object (task), g_task_get_task_data (task), g_task_get_cancellable (task));
}

static void
carrier_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  /* On task's context, after func has returned: the worker holds only the
   * carrier, which owns nothing but a pointer. */
  g_object_unref (user_data);
}

void
lw_task_run_in_thread (GTask           *task,
                       GTaskThreadFunc  func)
{
  g_autoptr(GTask) carrier = NULL;
  Carried *carried;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  carried = g_new (Carried, 1);
  carried->task = task;
  carried->func = func;
  /* No cancellable: the carrier's callback runs once func has returned,
   * whatever happens to task meanwhile. */
  carrier = g_task_new (NULL, NULL, carrier_done_cb, g_object_ref (task));
  g_task_set_source_tag (carrier, lw_task_run_in_thread);
  g_task_set_task_data (carrier, carried, g_free);
  g_task_run_in_thread (carrier, carrier_thread);
}

static gboolean
unref_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

void
lw_task_unref_in_context (GTask *task)
{
  g_return_if_fail (G_IS_TASK (task));

  lw_context_invoke (g_task_get_context (task), unref_cb, task, NULL);
}

void
lw_context_invoke (GMainContext   *context,
                   GSourceFunc     func,
                   gpointer        data,
                   GDestroyNotify  destroy)
{
  GSource *source;

  if (context == NULL)
    context = g_main_context_default ();
  if (g_main_context_is_owner (context))
    {
      func (data);
      if (destroy != NULL)
        destroy (data);
      return;
    }
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[lightwork] from a worker");
  g_source_attach (source, context);
  g_source_unref (source);
}

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

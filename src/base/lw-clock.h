/* lw-clock.h — time, as the core sees it.
 *
 * Every "now" and every timer of the queue goes through an LwClock so tests
 * can drive time: LwClock itself is the real clock (wall time + GLib timeouts
 * on the thread-default main context); LwFakeClock (lw-fake-clock.h) only moves
 * when told to and fires its timers in order.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define LW_TYPE_CLOCK (lw_clock_get_type ())
G_DECLARE_DERIVABLE_TYPE (LwClock, lw_clock, LW, CLOCK, GObject)

struct _LwClockClass
{
  GObjectClass parent_class;

  gint64 (*now_ms)      (LwClock        *self);
  guint  (*add_timer)   (LwClock        *self,
                         gint64          delay_ms,
                         GSourceFunc     func,
                         gpointer        data,
                         GDestroyNotify  notify);
  void   (*remove_timer)(LwClock        *self,
                         guint           id);
};

LwClock *lw_clock_new          (void);
/* Milliseconds since the Unix epoch. */
gint64   lw_clock_now_ms       (LwClock        *self);
/* One-shot unless func returns G_SOURCE_CONTINUE (then it repeats every
 * delay_ms). Returns an id > 0 for lw_clock_remove_timer(). */
guint    lw_clock_add_timer    (LwClock        *self,
                                gint64          delay_ms,
                                GSourceFunc     func,
                                gpointer        data,
                                GDestroyNotify  notify);
void     lw_clock_remove_timer (LwClock        *self,
                                guint           id);

/* Clears *id (if set) and sets it to 0. */
void     lw_clock_clear_timer  (LwClock        *self,
                                guint          *id);

#define LW_TYPE_FAKE_CLOCK (lw_fake_clock_get_type ())
G_DECLARE_FINAL_TYPE (LwFakeClock, lw_fake_clock, LW, FAKE_CLOCK, LwClock)

LwFakeClock *lw_fake_clock_new           (gint64       start_ms);
/* Moves time forward by delta_ms, firing every timer due on the way, in
 * order of due time, with "now" set to each timer's due time as it fires. */
void         lw_fake_clock_advance       (LwFakeClock *self,
                                          gint64       delta_ms);
/* Due time of the earliest pending timer, or -1 when none. */
gint64       lw_fake_clock_next_deadline (LwFakeClock *self);
guint        lw_fake_clock_get_n_timers  (LwFakeClock *self);

G_END_DECLS

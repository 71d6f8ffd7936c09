/* lw-clock.c — the real clock and a fake one for tests.
 *
 * The fake clock lives in the core (not under tests/) because benchmarks and
 * the CLI's --dry-run style tools may want virtual time too; it is tiny. */
#include "config.h"

#include "lw-clock.h"

G_DEFINE_TYPE (LwClock, lw_clock, G_TYPE_OBJECT)

static gint64
lw_clock_real_now_ms (LwClock *self)
{
  return g_get_real_time () / 1000;
}

static guint
lw_clock_real_add_timer (LwClock        *self,
                         gint64          delay_ms,
                         GSourceFunc     func,
                         gpointer        data,
                         GDestroyNotify  notify)
{
  g_autoptr(GSource) source = g_timeout_source_new ((guint) CLAMP (delay_ms, 0, G_MAXUINT));

  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[lightwork] clock timer");
  return g_source_attach (source, g_main_context_get_thread_default ());
}

static void
lw_clock_real_remove_timer (LwClock *self, guint id)
{
  GSource *source = g_main_context_find_source_by_id (g_main_context_get_thread_default (), id);

  if (source != NULL)
    g_source_destroy (source);
}

static void
lw_clock_class_init (LwClockClass *klass)
{
  klass->now_ms = lw_clock_real_now_ms;
  klass->add_timer = lw_clock_real_add_timer;
  klass->remove_timer = lw_clock_real_remove_timer;
}

static void
lw_clock_init (LwClock *self)
{
}

LwClock *
lw_clock_new (void)
{
  return g_object_new (LW_TYPE_CLOCK, NULL);
}

gint64
lw_clock_now_ms (LwClock *self)
{
  g_return_val_if_fail (LW_IS_CLOCK (self), 0);
  return LW_CLOCK_GET_CLASS (self)->now_ms (self);
}

guint
lw_clock_add_timer (LwClock        *self,
                    gint64          delay_ms,
                    GSourceFunc     func,
                    gpointer        data,
                    GDestroyNotify  notify)
{
  g_return_val_if_fail (LW_IS_CLOCK (self), 0);
  return LW_CLOCK_GET_CLASS (self)->add_timer (self, MAX (delay_ms, 0), func, data, notify);
}

void
lw_clock_remove_timer (LwClock *self, guint id)
{
  g_return_if_fail (LW_IS_CLOCK (self));
  if (id != 0)
    LW_CLOCK_GET_CLASS (self)->remove_timer (self, id);
}

void
lw_clock_clear_timer (LwClock *self, guint *id)
{
  if (*id != 0)
    {
      guint old = *id;

      *id = 0;
      lw_clock_remove_timer (self, old);
    }
}

/* ---- fake clock ---------------------------------------------------------- */

typedef struct {
  guint          id;
  gint64         due_ms;
  gint64         interval_ms;
  GSourceFunc    func;
  gpointer       data;
  GDestroyNotify notify;
} FakeTimer;

struct _LwFakeClock
{
  LwClock  parent_instance;
  gint64   now_ms;
  guint    next_id;
  GList   *timers;   /* sorted by due_ms, then id */
};

G_DEFINE_FINAL_TYPE (LwFakeClock, lw_fake_clock, LW_TYPE_CLOCK)

static void
fake_timer_free (FakeTimer *timer)
{
  if (timer->notify != NULL)
    timer->notify (timer->data);
  g_free (timer);
}

static gint
fake_timer_compare (gconstpointer a, gconstpointer b)
{
  const FakeTimer *ta = a, *tb = b;

  if (ta->due_ms != tb->due_ms)
    return ta->due_ms < tb->due_ms ? -1 : 1;
  return ta->id < tb->id ? -1 : (ta->id > tb->id);
}

static gint64
lw_fake_clock_now_ms (LwClock *clock)
{
  return LW_FAKE_CLOCK (clock)->now_ms;
}

static guint
lw_fake_clock_add_timer (LwClock        *clock,
                         gint64          delay_ms,
                         GSourceFunc     func,
                         gpointer        data,
                         GDestroyNotify  notify)
{
  LwFakeClock *self = LW_FAKE_CLOCK (clock);
  FakeTimer *timer = g_new0 (FakeTimer, 1);

  timer->id = ++self->next_id;
  timer->due_ms = self->now_ms + delay_ms;
  timer->interval_ms = delay_ms;
  timer->func = func;
  timer->data = data;
  timer->notify = notify;
  self->timers = g_list_insert_sorted (self->timers, timer, fake_timer_compare);
  return timer->id;
}

static void
lw_fake_clock_remove_timer (LwClock *clock, guint id)
{
  LwFakeClock *self = LW_FAKE_CLOCK (clock);

  for (GList *l = self->timers; l != NULL; l = l->next)
    {
      FakeTimer *timer = l->data;

      if (timer->id == id)
        {
          self->timers = g_list_delete_link (self->timers, l);
          fake_timer_free (timer);
          return;
        }
    }
}

static void
lw_fake_clock_finalize (GObject *object)
{
  LwFakeClock *self = LW_FAKE_CLOCK (object);

  g_list_free_full (g_steal_pointer (&self->timers), (GDestroyNotify) fake_timer_free);
  G_OBJECT_CLASS (lw_fake_clock_parent_class)->finalize (object);
}

static void
lw_fake_clock_class_init (LwFakeClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LwClockClass *clock_class = LW_CLOCK_CLASS (klass);

  object_class->finalize = lw_fake_clock_finalize;
  clock_class->now_ms = lw_fake_clock_now_ms;
  clock_class->add_timer = lw_fake_clock_add_timer;
  clock_class->remove_timer = lw_fake_clock_remove_timer;
}

static void
lw_fake_clock_init (LwFakeClock *self)
{
}

LwFakeClock *
lw_fake_clock_new (gint64 start_ms)
{
  LwFakeClock *self = g_object_new (LW_TYPE_FAKE_CLOCK, NULL);

  self->now_ms = start_ms;
  return self;
}

void
lw_fake_clock_advance (LwFakeClock *self, gint64 delta_ms)
{
  gint64 target;

  g_return_if_fail (LW_IS_FAKE_CLOCK (self));
  g_return_if_fail (delta_ms >= 0);

  target = self->now_ms + delta_ms;
  while (self->timers != NULL)
    {
      FakeTimer *timer = self->timers->data;
      gboolean again;

      if (timer->due_ms > target)
        break;
      /* Unlink before calling: the callback may add or remove timers. */
      self->timers = g_list_delete_link (self->timers, self->timers);
      self->now_ms = MAX (self->now_ms, timer->due_ms);
      again = timer->func (timer->data);
      if (again == G_SOURCE_CONTINUE)
        {
          timer->due_ms = self->now_ms + MAX (timer->interval_ms, 1);
          self->timers = g_list_insert_sorted (self->timers, timer, fake_timer_compare);
        }
      else
        fake_timer_free (timer);
    }
  self->now_ms = target;
}

gint64
lw_fake_clock_next_deadline (LwFakeClock *self)
{
  g_return_val_if_fail (LW_IS_FAKE_CLOCK (self), -1);
  if (self->timers == NULL)
    return -1;
  return ((FakeTimer *) self->timers->data)->due_ms;
}

guint
lw_fake_clock_get_n_timers (LwFakeClock *self)
{
  return g_list_length (self->timers);
}

/* lw-warn.c — rate-limited warnings (see lw-warn.h). */
#include "config.h"

#include <stdarg.h>

#include "lw-warn.h"

/* Distinct messages remembered: a loop repeats one message, not thousands;
 * past this many the table starts over rather than grow. */
#define MAX_MESSAGES 256

typedef struct {
  gint64 last_us;   /* when it was last printed */
  guint  held;      /* repeats not printed since */
} Seen;

G_LOCK_DEFINE_STATIC (warn);
static GHashTable *seen;  /* message → Seen */

void
lw_warn_limited (const char *format, ...)
{
  g_autofree char *message = NULL;
  gint64 now = g_get_monotonic_time ();
  guint held = 0;
  gboolean print = TRUE;
  Seen *s;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  G_LOCK (warn);
  if (seen == NULL || g_hash_table_size (seen) >= MAX_MESSAGES)
    {
      g_clear_pointer (&seen, g_hash_table_unref);
      seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }
  s = g_hash_table_lookup (seen, message);
  if (s == NULL)
    {
      s = g_new0 (Seen, 1);
      g_hash_table_insert (seen, g_strdup (message), s);
      s->last_us = now;
    }
  else if (now - s->last_us < LW_WARN_INTERVAL_US)
    {
      s->held++;
      print = FALSE;
    }
  else
    {
      held = s->held;
      s->held = 0;
      s->last_us = now;
    }
  G_UNLOCK (warn);

  if (!print)
    return;
  if (held > 0)
    g_warning ("%s (and %u more times since the last report)", message, held);
  else
    g_warning ("%s", message);
}

void
lw_warn_limited_reset (void)
{
  G_LOCK (warn);
  g_clear_pointer (&seen, g_hash_table_unref);
  G_UNLOCK (warn);
}

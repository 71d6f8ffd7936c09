/* lw-warn.h — warnings that cannot flood a terminal.
 *
 * A failing loop (a database that cannot commit, a disk that is full) must
 * not print the same line thousands of times a second: issue 18 saw 23,412
 * "Cannot claim work" lines (22 MB of stderr) in 30 s.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Repeats of one message are held back this long; the next line that gets
 * through says how many were. */
#define LW_WARN_INTERVAL_US (10 * G_USEC_PER_SEC)

/* g_warning, at most once per LW_WARN_INTERVAL_US for each distinct
 * message (the formatted text), with a count of the repeats held back.
 * Thread-safe. */
void lw_warn_limited (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* Forgets every message seen (tests). */
void lw_warn_limited_reset (void);

G_END_DECLS

/* lw-retry.h — when to try a transient failure again. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int    max_retries;   /* transient failures allowed before FAILED (default 5) */
  gint64 base_ms;       /* 2 s (docs/ARCHITECTURE.md) */
  gint64 cap_ms;        /* 5 min (docs/ARCHITECTURE.md) */
} LwRetryPolicy;

#define LW_RETRY_POLICY_DEFAULT ((LwRetryPolicy) { 5, 2000, 5 * 60 * 1000 })

/* Exponential backoff with full jitter (the AWS architecture blog's "Full
 * Jitter": it spreads a burst of failures out the most for the least total
 * wait): a uniform draw in [0, min(cap, base * 2^retry)], where retry counts
 * from 0 for the first retry. A server-given delay (>= 0) wins over the
 * draw, but is kept within the cap. rand may be NULL (g_random). */
gint64 lw_retry_delay_ms (const LwRetryPolicy *policy,
                          int                  retry,
                          gint64               server_delay_ms,
                          GRand               *rand);

G_END_DECLS

/* lw-retry.c — exponential backoff with full jitter. */
#include "config.h"

#include "lw-retry.h"

gint64
lw_retry_delay_ms (const LwRetryPolicy *policy,
                   int                  retry,
                   gint64               server_delay_ms,
                   GRand               *rand)
{
  gint64 ceiling;
  double u;

  if (server_delay_ms >= 0)
    return MIN (server_delay_ms, policy->cap_ms);

  /* base * 2^retry without overflow: past 2^30 the cap has long won. */
  retry = CLAMP (retry, 0, 30);
  ceiling = MIN (policy->cap_ms, policy->base_ms << retry);
  u = rand != NULL ? g_rand_double (rand) : g_random_double ();
  return (gint64) (u * (double) (ceiling + 1));
}

/* lw-fake-engine.h — an LwEngine for tests and benchmarks.
 *
 * Its result is a deterministic, checkable transform of its input: the
 * original's bytes XOR 0x5A, prefixed by "LWFAKE1\n" and the image id, with
 * the input's mime type. lw_fake_engine_check_result() proves a result
 * belongs to a given original.
 * Latency runs on the LwClock it was given (fake time in tests, real time in
 * benchmarks): fixed, or log-normal with a mean and σ. Failures come from a
 * script (per original name: a list of error codes to answer in turn) or at
 * random with a seeded rate.
 */
#pragma once

#include "lw-clock.h"
#include "lw-engine.h"

G_BEGIN_DECLS

#define LW_TYPE_FAKE_ENGINE (lw_fake_engine_get_type ())
G_DECLARE_FINAL_TYPE (LwFakeEngine, lw_fake_engine, LW, FAKE_ENGINE, GObject)

LwFakeEngine *lw_fake_engine_new            (LwClock      *clock);
void          lw_fake_engine_set_latency    (LwFakeEngine *self,
                                             gint64        mean_ms,
                                             double        sigma /* 0 = fixed */);
void          lw_fake_engine_set_seed       (LwFakeEngine *self,
                                             guint32       seed);
/* Random transient failures (server errors) at this rate, 0–1. */
void          lw_fake_engine_set_failure_rate (LwFakeEngine *self,
                                             double        rate,
                                             LwEngineErrorCode code);
/* The next calls for inputs whose original name ends with suffix answer these codes,
 * in order (-1 = succeed); after the list, they succeed. retry_delay_ms is
 * attached to RATE_LIMITED errors (-1 = none). */
void          lw_fake_engine_script         (LwFakeEngine *self,
                                             const char   *suffix,
                                             const int    *codes,
                                             guint         n_codes,
                                             gint64        retry_delay_ms);
/* Price per call (reported by get_cost and on each result); default 0. */
void          lw_fake_engine_set_cost       (LwFakeEngine *self,
                                             double        cost);
/* Mean of the latencies drawn so far (ms), 0 before the first call. */
double        lw_fake_engine_get_mean_latency (LwFakeEngine *self);
/* Calls per image id (tests: nothing sent twice after success). */
guint         lw_fake_engine_get_calls_for  (LwFakeEngine *self,
                                             gint64        image_id);
guint         lw_fake_engine_get_n_calls    (LwFakeEngine *self);
guint         lw_fake_engine_get_n_success  (LwFakeEngine *self);
/* Requests running right now, and the most ever at once. */
guint         lw_fake_engine_get_in_flight  (LwFakeEngine *self);
guint         lw_fake_engine_get_max_in_flight (LwFakeEngine *self);
/* The prompt of the last call for image_id (owned by the engine). */
const char   *lw_fake_engine_get_prompt_for (LwFakeEngine *self,
                                             gint64        image_id);
/* TRUE when result is this engine's transform of original. */
gboolean      lw_fake_engine_check_result   (GBytes       *result,
                                             GBytes       *original);

G_END_DECLS

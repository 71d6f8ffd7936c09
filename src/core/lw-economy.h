/* lw-economy.h — economy mode: a launched economy job's photos go to
 * Google's Batch API instead of the live pool, at half the price, within
 * 24 h (docs/ARCHITECTURE.md, "Economy").
 *
 * Runs on the main context of the thread that made it, beside the
 * scheduler and with its lifecycle (LwJobs starts and stops both). One
 * step at a time: submit a batch of open photos, poll a batch whose time
 * came (with a back-off that grows with the batch's age), download a
 * finished batch's results and store each through the scheduler's result
 * path (lw_scheduler_land_result). Every step is written to SQLite
 * (lw-store-batches.h) before the next, so a quit, a crash or a reboot
 * only delays it: the next start polls the same batches.
 */
#pragma once

#include <gio/gio.h>

#include "lw-scheduler.h"
#include "lw-store-batches.h"

G_BEGIN_DECLS

/* Polls: 10 % of the batch's age, between these (Google's guide polls
 * every 30 s; a batch may take up to 24 h). Override (tests, benchmarks):
 * $LIGHTWORK_ECONOMY_POLL_MS sets the shortest, the longest is 4 times it. */
#define LW_ECONOMY_POLL_MIN_MS    (30 * 1000)
#define LW_ECONOMY_POLL_MAX_MS    (10 * 60 * 1000)
#define LW_ECONOMY_ENV_POLL_MS    "LIGHTWORK_ECONOMY_POLL_MS"
/* Photos per batch: with photos inline at up to ~0.7 MB of base64 each,
 * 200 keep the JSONL far below the Files API's 2 GB. Override:
 * $LIGHTWORK_ECONOMY_BATCH_SIZE. */
#define LW_ECONOMY_BATCH_SIZE     200
#define LW_ECONOMY_ENV_BATCH_SIZE "LIGHTWORK_ECONOMY_BATCH_SIZE"
/* Batches a photo's entry may fail in before it fails (and may be moved
 * to the live pool with the user's consent, lw_jobs_move_to_live). */
#define LW_ECONOMY_MAX_TRIES      3
/* A batch another host was sending and never named after this long is
 * given up (its photos go back): three requests at the longest time-out. */
#define LW_ECONOMY_SEND_GRACE_MS  (20 * 60 * 1000)
/* Google deletes an uploaded file 48 h after its upload, and answers 403
 * ("… or it may not exist") for it from then on: a file of a batch last
 * heard of longer ago than this is forgotten when its delete is refused,
 * not asked for at every start. */
#define LW_ECONOMY_FILE_TTL_MS    (48 * 3600 * 1000LL)
/* Tests only: set, the process kills itself (SIGKILL) right after Google
 * created a batch, before its name is written down. */
#define LW_ECONOMY_ENV_DIE_AFTER_CREATE "LIGHTWORK_TEST_ECONOMY_DIE_AFTER_CREATE"
/* Tests only: set, the process kills itself right after a batch's first
 * upload is recorded, before batches.create. */
#define LW_ECONOMY_ENV_DIE_BEFORE_CREATE "LIGHTWORK_TEST_ECONOMY_DIE_BEFORE_CREATE"


#define LW_TYPE_ECONOMY (lw_economy_get_type ())
G_DECLARE_FINAL_TYPE (LwEconomy, lw_economy, LW, ECONOMY, GObject)

/* owner: this process, as lw_core_get_owner says it (a batch's runner). */
LwEconomy *lw_economy_new         (LwStore     *store,
                                   LwScheduler *scheduler,
                                   LwClock     *clock,
                                   const char  *owner);
/* Only job_id's batches and photos (lightwork-cli); 0 = every job. */
void       lw_economy_set_scope   (LwEconomy   *self,
                                   gint64       job_id);
void       lw_economy_start       (LwEconomy   *self);
/* Aborts the step under way; batches stay recorded for the next start. */
void       lw_economy_stop        (LwEconomy   *self);
/* Looks for work now (a job was launched, photos were added). */
void       lw_economy_poke        (LwEconomy   *self);
/* Whether a step is under way or a batch of the scope is open. */
gboolean   lw_economy_is_busy     (LwEconomy   *self);
/* HTTP requests sent to the Batch and Files APIs since start (benchmarks). */
guint64    lw_economy_get_n_steps (LwEconomy   *self);

/* Signals:
 *  "batch-changed" (gint64 job_id): a batch of the job was sent, moved,
 *                  finished or was cancelled.
 */

G_END_DECLS

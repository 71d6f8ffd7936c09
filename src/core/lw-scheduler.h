/* lw-scheduler.h — the pool that turns launched jobs into finished images.
 *
 * Runs on the main context of the thread that made it. Per model: at most
 * `concurrency` requests in flight and at most `rpm` started in any 60 s;
 * a slot refills the moment a request ends (no polling, no waiting for a
 * whole round as the V4 web loop did). The rules are docs/ARCHITECTURE.md, "The queue".
 */
#pragma once

#include <gio/gio.h>

#include "lw-clock.h"
#include "lw-engine.h"
#include "lw-retry.h"
#include "lw-blob-store.h"
#include "lw-store.h"

G_BEGIN_DECLS

#define LW_TYPE_SCHEDULER (lw_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (LwScheduler, lw_scheduler, LW, SCHEDULER, GObject)

/* Lease: 90 s, renewed every 30 s while a request runs, so a killed process's
 * images come back within 90 s even on another host; on this host they come
 * back at once (the owner's pid is checked). */
#define LW_LEASE_MS          (90 * 1000)
#define LW_LEASE_RENEW_MS    (30 * 1000)
/* How often expired leases are looked for: a crash elsewhere costs at most
 * one lease plus this. */
#define LW_REAP_INTERVAL_MS  (60 * 1000)

LwScheduler *lw_scheduler_new            (LwStore      *store,
                                          LwBlobStore  *blobs,
                                          LwClock      *clock,
                                          const char   *owner);
/* Makes the engine for a model that a launched job names and no pool has
 * yet (the front ends pass lw_engines_create). On failure the model's pool
 * pauses with the error. */
typedef LwEngine *(*LwSchedulerEngineFactory) (LwScheduler  *self,
                                               const char   *model,
                                               gpointer      user_data,
                                               GError      **error);
void         lw_scheduler_set_engine_factory (LwScheduler *self,
                                          LwSchedulerEngineFactory factory,
                                          gpointer      user_data,
                                          GDestroyNotify destroy);
/* The engine that serves jobs whose model is model. */
void         lw_scheduler_set_engine     (LwScheduler  *self,
                                          const char   *model,
                                          LwEngine     *engine);
LwEngine    *lw_scheduler_get_engine     (LwScheduler  *self,
                                          const char   *model);
/* concurrency 1–16; rpm 0 = no limit. */
void         lw_scheduler_set_limits     (LwScheduler  *self,
                                          const char   *model,
                                          int           concurrency,
                                          int           rpm);
void         lw_scheduler_set_retry_policy (LwScheduler *self,
                                          const LwRetryPolicy *policy);
/* Seeds the jitter (tests). */
void         lw_scheduler_set_seed       (LwScheduler  *self,
                                          guint32       seed);
/* Reuse finished results for identical requests (default TRUE). */
void         lw_scheduler_set_reuse_results (LwScheduler *self,
                                          gboolean      reuse);

/* Claim only job_id's images (lightwork-cli); 0 = every launched job. */
void         lw_scheduler_set_scope      (LwScheduler  *self,
                                          gint64        job_id);

/* Returns leases of dead owners, arms the timers and starts claiming work of
 * every launched job. Call once. */
void         lw_scheduler_start          (LwScheduler  *self);
/* Aborts everything in flight, returns those images to PENDING (jobs keep
 * their status so the next start resumes them) and disarms timers. */
void         lw_scheduler_stop           (LwScheduler  *self);

/* Job → PROCESSING (images PENDING/RETRY_LATER are claimable). */
gboolean     lw_scheduler_launch         (LwScheduler  *self,
                                          gint64        job_id,
                                          GError      **error);
/* Job → CANCELLED: none of its photos is claimed any more; its requests
 * in flight were sent (and are billed), so they land and are kept. */
gboolean     lw_scheduler_cancel         (LwScheduler  *self,
                                          gint64        job_id,
                                          GError      **error);
/* Aborts the job's requests still in flight: their photos go back to
 * PENDING (and are billed again when sent again). A result already being
 * written is kept. Returns how many were abandoned. */
guint        lw_scheduler_abandon        (LwScheduler  *self,
                                          gint64        job_id);
/* The job's photos this scheduler holds: requests in flight plus results
 * being written. */
guint        lw_scheduler_get_job_in_flight (LwScheduler *self,
                                          gint64        job_id);
/* Clears a pause (the user fixed the key or picked another model). */
void         lw_scheduler_resume         (LwScheduler  *self,
                                          const char   *model);
/* The error that paused model, or NULL. */
const GError *lw_scheduler_get_pause     (LwScheduler  *self,
                                          const char   *model);
/* Kicks the pool (new images were staged into a running job). */
void         lw_scheduler_poke           (LwScheduler  *self);

guint        lw_scheduler_get_in_flight  (LwScheduler  *self,
                                          const char   *model /* NULL = all */);
int          lw_scheduler_get_effective_concurrency (LwScheduler *self,
                                          const char   *model);
/* Images this scheduler holds right now: requests in flight plus results
 * still being written (tests wait for quiet with it). */
guint        lw_scheduler_get_n_flights  (LwScheduler  *self);
/* Requests sent to engines since start (tests, benchmarks). */
guint64      lw_scheduler_get_n_requests (LwScheduler  *self);

/* ---- for the economy runner (lw-economy.c; docs/ARCHITECTURE.md, "Economy") ---- */
/* The request a live call would send for a claimed image of job. */
LwEngineRequest *lw_scheduler_build_request (LwScheduler     *self,
                                          const LwImage   *image,
                                          const LwJob     *job);
/* A result that came from a batch, stored the live way: result checks and
 * blob off the main thread, fenced finish, a new version, the reuse key,
 * "image-changed", the job finished when nothing is open. Takes image (the
 * claimed row: PROCESSING, its attempt); result is read at once. */
void         lw_scheduler_land_result    (LwScheduler     *self,
                                          LwImage         *image,
                                          LwEngineRequest *request,
                                          LwEngineResult  *result);
/* The same photo asked the same thing of the same model was answered
 * before (docs/ARCHITECTURE.md, "The queue", Reuse): the claimed image is
 * finished with that result at no cost, and taken (TRUE); FALSE leaves it
 * to the caller. */
gboolean     lw_scheduler_reuse_result   (LwScheduler     *self,
                                          LwImage         *image,
                                          LwEngineRequest *request);
/* An image of job_id changed outside the scheduler: tells the front ends
 * and finishes the job when nothing is open. */
void         lw_scheduler_note_image     (LwScheduler     *self,
                                          gint64           job_id,
                                          gint64           image_id,
                                          LwImageStatus    status);

/* Signals:
 *  "image-changed" (gint64 job_id, gint64 image_id, LwImageStatus status)
 *  "job-changed"   (gint64 job_id, LwJobStatus status)
 *  "paused"        (const char *model, const GError *reason)
 *  "resumed"       (const char *model)
 */

G_END_DECLS

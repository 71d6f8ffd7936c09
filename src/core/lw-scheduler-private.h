/* lw-scheduler-private.h — what the files of LwScheduler share.
 *
 * The instance struct, a model's pool, a flight and the helpers one
 * concern calls in another, so the scheduler can be split by concern as
 * LwJobs is:
 *
 *   lw-scheduler.c          pools, signals and job state, starting flights
 *                           (claims, the pump, timers), GObject, the public
 *                           calls (launch, cancel, abandon, resume, limits)
 *   lw-scheduler-landing.c  a flight's outcome, the result blob written in
 *                           a worker thread, the engine's answer, the
 *                           economy runner's results
 *
 * The rules are stated in docs/ARCHITECTURE.md, "The queue". Not installed;
 * the rest of the core sees lw-scheduler.h only.
 */
#pragma once

#include "lw-scheduler.h"

G_BEGIN_DECLS

typedef struct {
  LwScheduler *scheduler;     /* unowned: pools die with it */
  char     *model;
  LwEngine *engine;
  int       concurrency;      /* configured, 1–16 */
  int       effective;        /* adaptive: halves on 429, +1 per round of successes */
  int       successes;        /* since effective last changed */
  int       rpm;              /* 0 = unlimited; starts are counted in the store */
  gint64    hold_until;       /* no new starts before this (after a 429) */
  GError   *pause;            /* set = paused */
  guint     in_flight;
  guint     probe_timer;      /* offline: try again */
  char     *signature;        /* engine signature for this model, cached */
} Pool;

typedef struct {
  LwScheduler     *self;
  Pool            *pool;
  LwImage         *image;
  LwEngineRequest *request;
  GCancellable    *cancellable;
  char            *request_key;
  gboolean         released;  /* stop() already returned it to PENDING */
  gboolean         slot_freed;/* the request is over; only its bookkeeping remains */
  /* The disk is full: the outcome could not be recorded. The flight waits,
   * its image PROCESSING under our lease, for lw_scheduler_resume. */
  gboolean         parked;
  LwEngineResult  *unsaved;   /* the answer, until it is safe in the blob store */
  gboolean         spilled;   /* a copy is kept by lw-unsaved (dropped once saved) */
} Flight;

struct _LwScheduler
{
  GObject        parent_instance;

  LwStore       *store;
  LwBlobStore   *blobs;
  LwClock       *clock;
  char          *owner;

  LwSchedulerEngineFactory factory;
  gpointer       factory_data;
  GDestroyNotify factory_destroy;

  GHashTable    *pools;       /* model → Pool */
  GHashTable    *flights;     /* image id (gint64*) → Flight */
  gint64         scope;       /* claim only this job's images; 0 = any */
  LwRetryPolicy  policy;
  GRand         *rand;
  gboolean       reuse;
  gboolean       started;
  gboolean       stopped;

  guint          pump_source; /* idle on the main context */
  guint          wake_timer;  /* clock timer: next due retry / hold / rpm slot */
  gint64         wake_at;
  guint          renew_timer;
  guint          reap_timer;
  guint64        n_requests;
};

/* lw-scheduler.c */
Pool    *lw_scheduler_get_pool               (LwScheduler    *self,
                                              const char     *model,
                                              gboolean        create);
void     lw_scheduler_pool_pause             (LwScheduler    *self,
                                              Pool           *pool,
                                              const GError   *error);
void     lw_scheduler_pool_pause_disk_full   (LwScheduler    *self,
                                              Pool           *pool);
void     lw_scheduler_emit_image             (LwScheduler    *self,
                                              gint64          job_id,
                                              gint64          image_id,
                                              LwImageStatus   status);
void     lw_scheduler_check_job_finished     (LwScheduler    *self,
                                              gint64          job_id);
char    *lw_scheduler_compute_request_key    (const char     *sha256,
                                              const char     *signature,
                                              const char     *prompt);

/* lw-scheduler-landing.c */
void     lw_scheduler_flight_free            (Flight         *flight);
void     lw_scheduler_flight_land            (LwScheduler    *self,
                                              Flight         *flight);
gboolean lw_scheduler_release_image          (LwScheduler    *self,
                                              Flight         *flight,
                                              GError        **error);
gboolean lw_scheduler_flight_release         (LwScheduler    *self,
                                              Flight         *flight);
gboolean lw_scheduler_flight_complete        (LwScheduler    *self,
                                              Flight         *flight,
                                              const char     *key,
                                              const char     *mime,
                                              double          cost,
                                              gboolean        owns_blob,
                                              const char     *review_reason,
                                              const char     *note);
void     lw_scheduler_write_result           (LwScheduler    *self,
                                              Flight         *flight);
gboolean lw_scheduler_take_unsaved           (LwScheduler    *self,
                                              Flight         *flight);
void     lw_scheduler_engine_done_cb         (GObject        *source,
                                              GAsyncResult   *res,
                                              gpointer        data);

G_END_DECLS

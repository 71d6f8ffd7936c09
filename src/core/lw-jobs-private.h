/* lw-jobs-private.h — what the files of LwJobs share.
 *
 * The instance struct and the helpers one concern calls in another, so the
 * service can be split by concern as LwJobSession is:
 *
 *   lw-jobs.c          GObject, signals, helpers, the scheduler's events,
 *                      the queue in this process, defaults, jobs
 *   lw-jobs-photos.c   photos (staging, instructions, removal), running a
 *                      job (launch, cancel, retry, pauses), progress, export
 *   lw-jobs-pause.c    pauses, saved with the job
 *   lw-jobs-review.c   review, versions, redo, trial runs, projection
 *   lw-jobs-modules.c  modules
 *
 * The rules are stated in docs/ARCHITECTURE.md, "Jobs". Not installed, not
 * for the front ends: they see lw-jobs.h only.
 */
#pragma once

#include "lw-economy.h"
#include "lw-jobs.h"

G_BEGIN_DECLS

struct _LwJobs
{
  GObject      parent_instance;

  LwCore      *core;
  LwScheduler *scheduler;
  LwEconomy   *economy;       /* economy jobs' batches (lw-economy.c) */
  gulong       economy_handler;
  GMainContext *context;      /* where the service lives (signals, pokes) */
  GHashTable  *finishes;      /* job id (gint64*) → GArray of finish times (the clock's ms) */
  GHashTable  *trials;        /* job ids (gint64*) of trial runs under way */
  GHashTable  *saved_pauses;  /* job id (gint64*) → GError: pauses saved by another process */
  gint64       scope;         /* lw_jobs_set_scope: the one job this process runs; 0 = any */
  gulong       handlers[4];
  gboolean     started;
};

/* lw-jobs-pause.c: saves reason (NULL: clears) as the job's pause when
 * this process runs it (docs/ARCHITECTURE.md, "Jobs"). */
void     lw_jobs_pause_saved           (LwJobs        *self,
                                        const LwJob   *job,
                                        const GError  *reason);

/* lw-jobs.c */
gboolean lw_jobs_propagate_store_error (GError        *store_error,
                                        GError       **error);
/* lw-jobs-economy.c: 1, or the Batch API's factor for an economy job. */
double   lw_jobs_mode_price_factor     (LwJobs        *self,
                                        gint64         job_id);
void     lw_jobs_emit_batch            (LwJobs        *self,
                                        gint64         job_id);
void     lw_jobs_emit_job              (LwJobs        *self,
                                        gint64         job_id);
void     lw_jobs_emit_image            (LwJobs        *self,
                                        gint64         job_id,
                                        gint64         image_id);
GArray  *lw_jobs_finishes_of           (LwJobs        *self,
                                        gint64         job_id,
                                        gboolean       create);
gboolean lw_jobs_any_busy              (LwStore       *store,
                                        const gint64  *ids,
                                        guint          n,
                                        GError       **error);
gboolean lw_jobs_all_of_job            (LwStore       *store,
                                        gint64         job_id,
                                        const gint64  *ids,
                                        guint          n,
                                        GError       **error);

G_END_DECLS

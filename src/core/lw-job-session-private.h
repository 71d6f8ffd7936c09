/* lw-job-session-private.h — what the files of LwJobSession share.
 *
 * The instance struct, the property and signal tables and the helpers one
 * concern calls in another, so the class can be split by concern as GNOME
 * Text Editor splits its window:
 *
 *   lw-job-session.c        GObject, properties, signals, notifications,
 *                           the service's signals, loading a job, the job
 *   lw-job-session-items.c  the list of items, its counts and the ETA
 *   lw-job-session-stage.c  staging: the ingest thread and its events
 *   lw-job-session-run.c    instructions, removal with undo, running, saving
 *
 * Not installed, not for the front ends: they see lw-job-session.h only.
 */
#pragma once

#include "lw-job-session.h"

G_BEGIN_DECLS

struct _LwJobSession
{
  GObject         parent_instance;

  LwJobs         *jobs;
  gulong          handlers[4];
  LwJob          *job;              /* NULL: nothing staged yet */
  char           *module_id;        /* what a new job gets */
  char           *model;
  GError         *pause;            /* the pause holding the shown job */

  GListStore     *items;            /* LwImageItem, in position order */
  GPtrArray      *incoming;         /* LwImageItem on their way into items */
  gboolean        paced;
  GHashTable     *items_by_id;      /* gint64* → LwImageItem (unowned) */
  GHashTable     *items_by_path;    /* source path → LwImageItem, while staging */
  LwJobCounts     counts;
  int             rejected;
  int             accepted;         /* items reviewed ACCEPTED (counted with counts) */
  int             refused;          /* items reviewed REJECTED */
  gboolean        counts_dirty;
  GArray         *finish_times;     /* monotonic µs of recent finishes, for the ETA */
  GPtrArray      *pending_removal;  /* LwImageItem removed, waiting for undo to expire */

  GCancellable   *cancellable;      /* loads, ingests and exports */
  guint           n_ingests;
  guint           load_serial;      /* bumps when another job is shown */
  gboolean        loading;
  gboolean        exporting;
  guint           changed_id;
  guint           jobs_changed_id;
  gulong          trial_handler;    /* the service's "trial-finished" */
};

enum {
  PROP_0,
  PROP_JOBS,
  PROP_JOB_ID,
  PROP_RUNNING,
  PROP_BUSY,
  PROP_EXPORTING,
  PROP_PAUSED,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  SIGNAL_JOBS_CHANGED,
  SIGNAL_INCOMING,
  SIGNAL_JOB_FINISHED,
  SIGNAL_STAGED,
  SIGNAL_EXPORT_PROGRESS,
  SIGNAL_ERROR,
  SIGNAL_TRIAL_FINISHED,
  N_SIGNALS
};

extern GParamSpec *lw_job_session_properties[N_PROPS];
extern guint lw_job_session_signals[N_SIGNALS];

/* lw-job-session.c */
void     lw_job_session_queue_changed      (LwJobSession  *self);
void     lw_job_session_emit_changed_now   (LwJobSession  *self);
void     lw_job_session_queue_jobs_changed (LwJobSession  *self);
void     lw_job_session_set_pause          (LwJobSession  *self,
                                            const GError  *pause);
void     lw_job_session_set_busy           (LwJobSession  *self,
                                            gboolean       loading,
                                            int            ingests_delta);
void     lw_job_session_reload_job         (LwJobSession  *self);
void     lw_job_session_show_job           (LwJobSession  *self,
                                            LwJob         *job /* taken */);
gboolean lw_job_session_require_job        (LwJobSession  *self,
                                            GError       **error);

/* lw-job-session-items.c */
void     lw_job_session_index_item         (LwJobSession  *self,
                                            LwImageItem   *item);
void     lw_job_session_append_items       (LwJobSession  *self,
                                            GPtrArray     *items);
void     lw_job_session_append_item        (LwJobSession  *self,
                                            LwImageItem   *item /* taken */);
void     lw_job_session_drop_item          (LwJobSession  *self,
                                            LwImageItem   *item);
void     lw_job_session_note_finish        (LwJobSession  *self);

G_END_DECLS

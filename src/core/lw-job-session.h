/* lw-job-session.h — the open job of a window, without the window.
 *
 * As GNOME Text Editor's EditorSession holds the open documents, this holds
 * the job a window shows: the job (or none until the first photo is staged:
 * it is made then, with the service's default module and model), its photos
 * as a GListModel of LwImageItem (rows, files still being staged, files
 * refused at ingest), their counts, the recent finishes for the ETA and a
 * removal waiting for its undo. Every rule is the jobs service's
 * (lw-jobs.h); this object only keeps the items in step with its signals.
 * GIO only: it works the same with no window at all (tests, tools).
 *
 * Items reach the list through an "incoming" queue. Unpaced (the default),
 * they are appended at once. A window that wants them a batch a frame sets
 * paced, listens to "incoming" and calls lw_job_session_grow() per frame.
 *
 * Lives on the thread that made the service.
 */
#pragma once

#include <gio/gio.h>

#include "lw-image-item.h"
#include "lw-jobs.h"

G_BEGIN_DECLS

#define LW_TYPE_JOB_SESSION (lw_job_session_get_type ())
G_DECLARE_FINAL_TYPE (LwJobSession, lw_job_session, LW, JOB_SESSION, GObject)

LwJobSession *lw_job_session_new             (LwJobs        *jobs);
LwJobs       *lw_job_session_get_jobs        (LwJobSession  *self);

/* ---- the job ------------------------------------------------------------ */
/* The job shown, NULL before the first staging of a new job. */
const LwJob  *lw_job_session_get_job         (LwJobSession  *self);
gint64        lw_job_session_get_job_id      (LwJobSession  *self);
gboolean      lw_job_session_get_running     (LwJobSession  *self);
/* The job's module and model, or what a new job gets. */
const char   *lw_job_session_get_module_id   (LwJobSession  *self);
const char   *lw_job_session_get_model       (LwJobSession  *self);
/* Shows job_id and loads its rows in a worker thread ("loading" is TRUE
 * meanwhile); remembered as the last job (ui.last_job). */
gboolean      lw_job_session_open            (LwJobSession  *self,
                                              gint64         job_id,
                                              GError       **error);
/* Reopens the remembered last job; FALSE when there is none. */
gboolean      lw_job_session_restore         (LwJobSession  *self);
/* Shows no job: the next staging makes one. Forgets the last job. */
void          lw_job_session_new_job         (LwJobSession  *self);
/* Makes the job now when there is none. */
gboolean      lw_job_session_ensure_job      (LwJobSession  *self,
                                              GError       **error);
gboolean      lw_job_session_rename          (LwJobSession  *self,
                                              const char    *name,
                                              GError       **error);
/* The default for new jobs, then the shown job's module: refused by the
 * service (LW_JOBS_ERROR_RUNNING, _STATE) once it ran or runs, and then
 * only the default changed. */
gboolean      lw_job_session_select_module   (LwJobSession  *self,
                                              const char    *module_id,
                                              GError       **error);
/* The same for the model (refused while the job runs). */
gboolean      lw_job_session_set_model       (LwJobSession  *self,
                                              const char    *model,
                                              GError       **error);
gboolean      lw_job_session_set_prompt      (LwJobSession  *self,
                                              const char    *prompt,
                                              GError       **error);
/* Any job; the shown one leaves the session (a new job is shown). */
gboolean      lw_job_session_delete_job      (LwJobSession  *self,
                                              gint64         job_id,
                                              GError       **error);
/* A module was deleted: new jobs fall back to the service's default. */
gboolean      lw_job_session_delete_module   (LwJobSession  *self,
                                              const char    *module_id,
                                              GError       **error);

/* ---- the photos --------------------------------------------------------- */
GListModel   *lw_job_session_get_items       (LwJobSession  *self);
LwImageItem  *lw_job_session_find_item       (LwJobSession  *self,
                                              gint64         image_id);
/* Counted from the items (rejected files are not in counts). */
void          lw_job_session_get_counts      (LwJobSession  *self,
                                              LwJobCounts   *counts,
                                              int           *rejected);
/* Milliseconds left at the recent rate, -1 when unknown. */
gint64        lw_job_session_get_eta_ms      (LwJobSession  *self);
/* Ingests running and a job's rows loading: the list is not complete. */
gboolean      lw_job_session_get_busy        (LwJobSession  *self);
/* Stages files and folders (new_job: into a new job). Returns at once;
 * items appear as files are listed, change as they land, and "staged"
 * reports the end. */
void          lw_job_session_stage           (LwJobSession  *self,
                                              const char * const *paths,
                                              gboolean       new_job);
gboolean      lw_job_session_set_instruction (LwJobSession  *self,
                                              GPtrArray     *items,
                                              const char    *instruction,
                                              GError       **error);

/* Items leave the list at once; their rows go when the removal becomes
 * final: at commit, at the next removal, launch, another job, dispose.
 * Returns how many left (staging files and photos in flight stay). */
guint         lw_job_session_remove          (LwJobSession  *self,
                                              GPtrArray     *items);
/* Puts the pending removal back where it was. */
void          lw_job_session_undo_remove     (LwJobSession  *self);
void          lw_job_session_commit_removals (LwJobSession  *self);
guint         lw_job_session_get_n_pending_removal (LwJobSession *self);

/* ---- running ------------------------------------------------------------ */
gboolean      lw_job_session_launch          (LwJobSession  *self,
                                              GError       **error);
/* Cancel keeps the requests in flight (they are billed): they land and
 * are kept; get_in_flight says how many are still coming. */
gboolean      lw_job_session_cancel          (LwJobSession  *self,
                                              GError       **error);
/* "Stop now": abandons them too (their photos go back to the queue and
 * are billed again when sent again); returns how many. */
guint         lw_job_session_stop_now        (LwJobSession  *self);
/* Finished items of items back to the queue (new_take: never an earlier
 * result); returns how many, -1 on error. */
int           lw_job_session_retry           (LwJobSession  *self,
                                              GPtrArray     *items,
                                              gboolean       new_take,
                                              GError       **error);
int           lw_job_session_retry_failed    (LwJobSession  *self,
                                              GError       **error);
/* The pause holding the shown job, or NULL. */
const GError *lw_job_session_get_pause       (LwJobSession  *self);
void          lw_job_session_resume          (LwJobSession  *self);
/* Cost so far of the shown job (-1 unknown, or nothing sent yet). */
double        lw_job_session_get_spent       (LwJobSession  *self);
guint         lw_job_session_get_in_flight   (LwJobSession  *self);

/* ---- review (docs/ARCHITECTURE.md, "Review") ---------------------------- */
/* Accepts, rejects or undecides the finished (COMPLETED) items of items;
 * saved with the job. Returns how many, -1 on error. */
int           lw_job_session_set_review      (LwJobSession  *self,
                                              GPtrArray     *items,
                                              LwReview       review,
                                              GError       **error);
/* Items reviewed accepted and rejected (counted with the counts). */
void          lw_job_session_get_review_counts (LwJobSession *self,
                                              int           *accepted,
                                              int           *rejected);
/* Another take of the finished items of items (instruction NULL keeps
 * each one's own): new versions, never an earlier result; the job runs.
 * Returns how many, -1 on error. */
int           lw_job_session_redo            (LwJobSession  *self,
                                              GPtrArray     *items,
                                              const char    *instruction,
                                              GError       **error);
/* A trial run: the open items of items, or (items NULL or empty) the
 * first LW_TRIAL_SIZE open photos; the rest are held. "trial-finished"
 * when they are done; lw_job_session_launch runs the rest. */
gboolean      lw_job_session_launch_trial    (LwJobSession  *self,
                                              GPtrArray     *items,
                                              GError       **error);
/* What the whole job will take (lw_jobs_get_projection). */
gboolean      lw_job_session_get_projection  (LwJobSession  *self,
                                              LwJobProjection *projection,
                                              GError       **error);
/* The job's model (or a new job's) costs money. */
gboolean      lw_job_session_get_paid        (LwJobSession  *self);

/* ---- saving ------------------------------------------------------------- */
/* Every result of the shown job (or only the accepted ones) into dir
 * ("export-progress" meanwhile). */
void          lw_job_session_export_async    (LwJobSession  *self,
                                              const char    *dir,
                                              LwExportSelection selection,
                                              GCancellable  *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer       user_data);
gboolean      lw_job_session_export_finish   (LwJobSession  *self,
                                              GAsyncResult  *result,
                                              guint         *n_written,
                                              GError       **error);
/* And *n_skipped: results the folder already held byte for byte, not
 * written again (for "8 already saved there, skipped"). */
gboolean      lw_job_session_export_finish_full (LwJobSession *self,
                                              GAsyncResult  *result,
                                              guint         *n_written,
                                              guint         *n_skipped,
                                              GError       **error);
gboolean      lw_job_session_get_exporting   (LwJobSession  *self);

/* ---- pacing ------------------------------------------------------------- */
void          lw_job_session_set_paced       (LwJobSession  *self,
                                              gboolean       paced);
guint         lw_job_session_get_n_incoming  (LwJobSession  *self);
/* Moves up to n incoming items into the list; returns how many are left. */
guint         lw_job_session_grow            (LwJobSession  *self,
                                              guint          n);
void          lw_job_session_flush           (LwJobSession  *self);

/* Properties: "jobs", "job-id", "running", "busy", "exporting", "paused".
 * Signals:
 *  "changed"         ()  the job, its items' states or counts changed
 *                        (coalesced to once per 100 ms at most);
 *  "jobs-changed"    ()  some job's row or counts changed (the job list);
 *  "incoming"        ()  paced: items wait for lw_job_session_grow();
 *  "job-finished"    (gboolean with_failures)  the shown job completed;
 *  "staged"          (guint staged, guint duplicates, guint rejected,
 *                     GError *error)  an ingest ended (error may be NULL);
 *  "export-progress" (guint done, guint total);
 *  "error"           (GError *error)  a load failed;
 *  "trial-finished"  ()  the shown job's trial run is done (it stopped,
 *                        the rest held).
 */

G_END_DECLS

/* lw-jobs.h — the jobs service: the one place job rules live.
 *
 * The window and lightwork-cli are thin over it: they never call the store
 * or the scheduler for a job rule, they call this. It owns the scheduler of
 * its process (made with the engines' factory and the limits of the
 * settings table for every model) and turns the scheduler's per-model
 * events into per-job ones, so no front end guesses which job a pause is
 * about. The job state machine itself is enforced by the store
 * (lw_store_set_job_status refuses a transition it does not allow); this
 * service adds the rules around it. docs/ARCHITECTURE.md, "Jobs", states
 * every rule once.
 *
 * Lives on the thread that made it (the main thread), except where a
 * function says "any thread".
 */
#pragma once

#include <gio/gio.h>

#include "lw-core.h"
#include "lw-export.h"
#include "lw-ingest.h"
#include "lw-scheduler.h"
#include "lw-store-batches.h"

G_BEGIN_DECLS

#define LW_JOBS_ERROR (lw_jobs_error_quark ())

typedef enum {
  LW_JOBS_ERROR_RUNNING,     /* refused while the job runs: cancel it first */
  LW_JOBS_ERROR_STATE,       /* not from the job's state (cancel a finished job, …) */
  LW_JOBS_ERROR_INVALID,     /* unknown module or model, value out of range, empty name */
  LW_JOBS_ERROR_EMPTY,       /* the job has no photo to process */
  LW_JOBS_ERROR_BUSY,        /* the photo is being processed right now */
  LW_JOBS_ERROR_NOT_FOUND,   /* no such job (or module) */
} LwJobsError;

GQuark lw_jobs_error_quark (void);

/* What a front end shows of a job's progress. */
typedef struct {
  LwJobCounts counts;
  int         rejected;     /* files refused at ingest (folders, loops, not photos) */
  double      spent;        /* what its calls cost so far */
  double      price;        /* one call of its model; 0 = free */
  double      projected;    /* spent + what the open photos will cost at one call each */
  double      rate;         /* photos finished a second lately in this process; 0 = unknown */
  gint64      eta_seconds;  /* -1 = unknown */
  guint       in_flight;    /* the job's photos this process has in flight */
} LwJobProgress;

#define LW_TYPE_JOBS (lw_jobs_get_type ())
G_DECLARE_FINAL_TYPE (LwJobs, lw_jobs, LW, JOBS, GObject)

LwJobs      *lw_jobs_new                (LwCore       *core);
LwCore      *lw_jobs_get_core           (LwJobs       *self);
LwStore     *lw_jobs_get_store          (LwJobs       *self);
LwScheduler *lw_jobs_get_scheduler      (LwJobs       *self);
gint64       lw_jobs_now                (LwJobs       *self);

/* ---- running the queue in this process ---------------------------------- */
/* Starts claiming work of launched jobs (after returning leases of dead
 * processes). Call once; stop hands work in flight back to the queue. */
void         lw_jobs_start              (LwJobs       *self);
void         lw_jobs_stop               (LwJobs       *self);
/* Claim only this job's photos (lightwork-cli works on its own job); 0 =
 * every launched job (the window). */
void         lw_jobs_set_scope          (LwJobs       *self,
                                         gint64        job_id);
/* This run's limits for model, over the settings (lightwork-cli's
 * --concurrency and --rpm): concurrency 0 and rpm -1 keep the setting.
 * Out of the settings table's range: LW_JOBS_ERROR_INVALID, nothing set. */
gboolean     lw_jobs_set_run_limits     (LwJobs       *self,
                                         const char   *model,
                                         int           concurrency,
                                         int           rpm,
                                         GError      **error);
/* FALSE: never reuse an identical earlier result in this run (--force). */
void         lw_jobs_set_reuse_results  (LwJobs       *self,
                                         gboolean      reuse);

/* A job left running by a process that is gone (killed, crashed) would
 * start again on its own as soon as any queue starts: it is CANCELLED
 * instead and its id added to held (may be NULL), so the window can ask
 * whether to go on. A job whose process still runs (a lightwork-cli
 * waiting out a rate limit, or offline) is left alone. Call before start. */
void         lw_jobs_hold_interrupted   (LwJobs       *self,
                                         GArray       *held);

/* ---- what new jobs get --------------------------------------------------- */
/* Always a module that exists and a model the table knows: a remembered
 * module that was deleted falls back to the default module. */
char        *lw_jobs_dup_default_module (LwJobs       *self);
gboolean     lw_jobs_set_default_module (LwJobs       *self,
                                         const char   *module_id,
                                         GError      **error);
char        *lw_jobs_dup_default_model  (LwJobs       *self);
gboolean     lw_jobs_set_default_model  (LwJobs       *self,
                                         const char   *model,
                                         GError      **error);

/* ---- jobs ---------------------------------------------------------------- */
/* module_id, model NULL = the defaults above; name NULL = "<Module> <date>"
 * (an automatic name, which follows a change of module). source_key: see
 * lw_store_find_job_by_source_key (lightwork-cli's "same command"). */
LwJob       *lw_jobs_create             (LwJobs       *self,
                                         const char   *name,
                                         const char   *module_id,
                                         const char   *model,
                                         const char   *source_key,
                                         GError      **error);
LwJob       *lw_jobs_get                (LwJobs       *self,
                                         gint64        job_id,
                                         GError      **error);
/* "12" (an id) or a name; NULL = the newest job. NOT_FOUND says so. */
LwJob       *lw_jobs_lookup             (LwJobs       *self,
                                         const char   *id_or_name,
                                         GError      **error);
/* The job lightwork-cli made for the same command (module, model, paths),
 * or NULL with no error when there is none. */
LwJob       *lw_jobs_find_by_source_key (LwJobs       *self,
                                         const char   *source_key,
                                         GError      **error);
/* Newest first; limit 0 = all. */
GPtrArray   *lw_jobs_list               (LwJobs       *self,
                                         int           limit,
                                         GError      **error);
gboolean     lw_jobs_rename             (LwJobs       *self,
                                         gint64        job_id,
                                         const char   *name,
                                         GError      **error);
/* Refused while the job runs (RUNNING) and once any of its photos was
 * edited (STATE: its results say which module made them). Copies the
 * module's prompt; an automatic name follows the module. */
gboolean     lw_jobs_set_module         (LwJobs       *self,
                                         gint64        job_id,
                                         const char   *module_id,
                                         GError      **error);
/* Refused while the job runs (RUNNING); an unknown model is INVALID. */
gboolean     lw_jobs_set_model          (LwJobs       *self,
                                         gint64        job_id,
                                         const char   *model,
                                         GError      **error);
/* The job's module prompt; refused while the job runs (RUNNING). */
gboolean     lw_jobs_set_prompt         (LwJobs       *self,
                                         gint64        job_id,
                                         const char   *prompt,
                                         GError      **error);
/* Where the job's results are saved (lightwork-cli's --out and
 * --template), remembered with the job so a resume saves there too. dir is
 * made absolute; template_str NULL = the export.template setting at the
 * time of saving. */
gboolean     lw_jobs_set_output         (LwJobs       *self,
                                         gint64        job_id,
                                         const char   *dir,
                                         const char   *template_str,
                                         GError      **error);
/* The ids of the jobs that finished (completed or failed) before
 * finished_before (ms): what lw_jobs_delete_finished would delete now. */
GArray      *lw_jobs_list_finished      (LwJobs       *self,
                                         gint64        finished_before,
                                         GError      **error);
/* Deletes job_id as lw_jobs_delete does, only if it finished (completed
 * or failed) before finished_before (ms): checked in the same statement,
 * so a job lightwork-cli launched again meanwhile stays. *deleted says
 * whether it went. */
gboolean     lw_jobs_delete_finished    (LwJobs       *self,
                                         gint64        job_id,
                                         gint64        finished_before,
                                         gboolean     *deleted,
                                         GError      **error);
/* Stops the job's work in this process, then deletes it with its photos'
 * rows (files go at a later sweep). */
gboolean     lw_jobs_delete             (LwJobs       *self,
                                         gint64        job_id,
                                         GError      **error);

/* ---- photos ------------------------------------------------------------- */
LwImage     *lw_jobs_get_image          (LwJobs       *self,
                                         gint64        image_id,
                                         GError      **error);
/* Any thread (its own connection): the job's photos by position (of
 * LwImage) and, when rejections is not NULL, its refused files (of
 * LwRejection). */
gboolean     lw_jobs_load               (LwJobs       *self,
                                         gint64        job_id,
                                         GPtrArray   **images,
                                         GPtrArray   **rejections,
                                         GError      **error);
/* Limits of the settings table (bytes, pixels), sidecar prompts on. */
void         lw_jobs_get_ingest_options (LwJobs       *self,
                                         LwIngestOptions *options);
/* Any thread (blocking; it opens its own connection). Expands paths,
 * skips files this job already staged from the same path, saves every
 * refusal (not a photo, too large, a folder loop, …) as a rejection of the
 * job and reports it through func, and stages the rest. A running job
 * claims new photos at once. report->duplicates counts files already in
 * the job (by path or content). */
gboolean     lw_jobs_stage              (LwJobs       *self,
                                         gint64        job_id,
                                         const char * const *paths,
                                         const LwIngestOptions *options,
                                         LwIngestFunc  func,
                                         gpointer      user_data,
                                         LwIngestReport *report,
                                         GCancellable *cancellable,
                                         GError      **error);
/* The paths of a staging of job_id that did not finish (the disk filled,
 * the process was stopped): staging them again stages the rest. NULL when
 * the last staging finished. */
char       **lw_jobs_dup_unstaged_paths (LwJobs       *self,
                                         gint64        job_id);
/* The instruction of these photos (NULL or "" clears), in one
 * transaction. Photos in flight are BUSY (nothing changed). *n_changed
 * (may be NULL) counts rows changed. */
gboolean     lw_jobs_set_instruction    (LwJobs       *self,
                                         gint64        job_id,
                                         const gint64 *image_ids,
                                         guint         n_images,
                                         const char   *instruction,
                                         guint        *n_changed,
                                         GError      **error);
/* Removes photos (not those in flight: BUSY, nothing removed). */
gboolean     lw_jobs_remove_images      (LwJobs       *self,
                                         gint64        job_id,
                                         const gint64 *image_ids,
                                         guint         n_images,
                                         GError      **error);

/* ---- running a job ------------------------------------------------------ */
/* Job → PROCESSING: its open photos become claimable (a CANCELLED,
 * COMPLETED or FAILED job with open photos continues). EMPTY when it has
 * no photo at all; a job with nothing open finishes at once. */
gboolean     lw_jobs_launch             (LwJobs       *self,
                                         gint64        job_id,
                                         GError      **error);
/* Only a running job: job → CANCELLED, nothing new starts (launching
 * again continues). Its requests in flight were sent and will be billed:
 * they land and their results are kept (lw_jobs_get_in_flight says how
 * many are still coming). STATE for a job that is not running. */
gboolean     lw_jobs_cancel             (LwJobs       *self,
                                         gint64        job_id,
                                         GError      **error);
/* "Stop now": cancels the job if it runs and abandons its requests in
 * flight; their photos go back to the queue and are billed again when
 * sent again. Returns how many were abandoned. */
guint        lw_jobs_stop_now           (LwJobs       *self,
                                         gint64        job_id);
/* Finished photos (done, failed, waiting to retry) back to the queue, and
 * the job launched when it is not running. new_take: the user asked for
 * another result, so no earlier result is reused for them, even an
 * identical one of another job. Photos still open are left as they are.
 * Returns how many were queued, -1 on error. */
int          lw_jobs_retry              (LwJobs       *self,
                                         gint64        job_id,
                                         const gint64 *image_ids,
                                         guint         n_images,
                                         gboolean      new_take,
                                         GError      **error);
/* Every FAILED photo of the job back to the queue (an identical earlier
 * result may be reused), and the job launched. -1 on error. */
int          lw_jobs_retry_failed       (LwJobs       *self,
                                         gint64        job_id,
                                         GError      **error);
/* The pause holding a launched job (its model's in this process: a
 * missing key, an unknown model, offline, a spending cap, …; else the one
 * another process saved with the job), or NULL. A paused job's LwJob says
 * it too: lw_job_is_paused, pause_code, pause_reason and pause_advice
 * (what to do, in words); lw_job_state_to_string gives "PAUSED". The jobs
 * this process runs are saved PAUSED while their model's pool is paused,
 * and no process claims their photos until the pause ends (a launch,
 * lw_jobs_resume, or the pool resuming by itself after offline). */
const GError *lw_jobs_get_pause         (LwJobs       *self,
                                         gint64        job_id);
/* Clears the job's pause and its model's (the user fixed the key). */
void         lw_jobs_resume             (LwJobs       *self,
                                         gint64        job_id);
/* The job's photos this process has in flight (requests, results being
 * written), a cancelled job's still landing among them. */
guint        lw_jobs_get_in_flight      (LwJobs       *self,
                                         gint64        job_id);
/* Whether a finished image's result was reused from an identical earlier
 * request (no call, no charge: docs/ARCHITECTURE.md, "The queue") rather
 * than made for its latest attempt. */
gboolean     lw_jobs_result_is_reused   (const LwImage *image);
/* Requests sent to engines by this process since it started. */
guint64      lw_jobs_get_n_requests     (LwJobs       *self);
/* Counts, cost, the projection and the ETA. A failed cost read is an
 * error, never "0 spent". */
gboolean     lw_jobs_get_progress       (LwJobs       *self,
                                         gint64        job_id,
                                         LwJobProgress *progress,
                                         GError      **error);
/* Any thread (blocking; its own connection). Every COMPLETED result (or
 * only the accepted ones) into dir, named by template_str (NULL = the
 * export.template setting). */
gboolean     lw_jobs_export             (LwJobs       *self,
                                         gint64        job_id,
                                         const char   *dir,
                                         const char   *template_str,
                                         LwExportSelection selection,
                                         LwExportProgressFunc progress,
                                         gpointer      user_data,
                                         guint        *n_written,
                                         GCancellable *cancellable,
                                         GError      **error);
/* lw_jobs_export, and *n_skipped (may be NULL) counts the results dir
 * already held byte for byte, which were not written again ("8 already
 * saved there, skipped"; lw_export_job_full). */
gboolean     lw_jobs_export_full        (LwJobs       *self,
                                         gint64        job_id,
                                         const char   *dir,
                                         const char   *template_str,
                                         LwExportSelection selection,
                                         LwExportProgressFunc progress,
                                         gpointer      user_data,
                                         guint        *n_written,
                                         guint        *n_skipped,
                                         GCancellable *cancellable,
                                         GError      **error);

/* ---- review (docs/ARCHITECTURE.md, "Review") ---------------------------- */
/* Accept, reject or undecide photos of the job (saved with it). */
gboolean     lw_jobs_set_review         (LwJobs       *self,
                                         gint64        job_id,
                                         const gint64 *image_ids,
                                         guint         n_images,
                                         LwReview      review,
                                         GError      **error);
/* Every take of a photo (LwVersion), oldest first. */
GPtrArray   *lw_jobs_list_versions      (LwJobs       *self,
                                         gint64        image_id,
                                         GError      **error);
/* Take n becomes the photo's result: what the grid shows and Save saves.
 * BUSY while the photo is in flight. */
gboolean     lw_jobs_choose_version     (LwJobs       *self,
                                         gint64        job_id,
                                         gint64        image_id,
                                         int           n,
                                         GError      **error);
/* Another take of finished photos: instruction (NULL keeps each photo's
 * own, "" clears it) becomes theirs, then they are queued as new takes
 * (never an earlier result) and the job runs. Returns how many, -1 on
 * error. */
int          lw_jobs_redo               (LwJobs       *self,
                                         gint64        job_id,
                                         const gint64 *image_ids,
                                         guint         n_images,
                                         const char   *instruction,
                                         GError      **error);

/* How many photos a trial run takes when none are chosen. */
#define LW_TRIAL_SIZE 5

/* A trial run: only these photos (n_images 0: the first LW_TRIAL_SIZE
 * open ones) are processed; the others are held. When they are done the
 * job stops ("trial-finished") and lw_jobs_get_projection says what the
 * rest will take; lw_jobs_launch runs the rest. */
gboolean     lw_jobs_launch_trial       (LwJobs       *self,
                                         gint64        job_id,
                                         const gint64 *image_ids,
                                         guint         n_images,
                                         GError      **error);

typedef struct {
  int     finished;          /* photos with a result or a failure */
  int     left;              /* photos still open, held ones included */
  double  cost_per_photo;    /* measured: spent / finished; the price when nothing finished */
  double  projected_cost;    /* spent + left × cost_per_photo: the whole job */
  gint64  projected_seconds; /* left at the measured rate of this process; -1 unknown */
} LwJobProjection;

gboolean     lw_jobs_get_projection     (LwJobs       *self,
                                         gint64        job_id,
                                         LwJobProjection *projection,
                                         GError      **error);

/* ---- modules ------------------------------------------------------------ */
GPtrArray   *lw_jobs_list_modules       (LwJobs       *self,
                                         GError      **error);
LwModule    *lw_jobs_get_module         (LwJobs       *self,
                                         const char   *module_id,
                                         GError      **error);
LwModule    *lw_jobs_create_module      (LwJobs       *self,
                                         const char   *name,
                                         const char   *description,
                                         const char   *prompt,
                                         GError      **error);
gboolean     lw_jobs_update_module      (LwJobs       *self,
                                         const LwModule *module,
                                         GError      **error);
LwModule    *lw_jobs_duplicate_module   (LwJobs       *self,
                                         const char   *module_id,
                                         GError      **error);
gboolean     lw_jobs_reset_module       (LwJobs       *self,
                                         const char   *module_id,
                                         GError      **error);
/* A built-in cannot be deleted. When it was the default module, the
 * default falls back to the built-in default. */
gboolean     lw_jobs_delete_module      (LwJobs       *self,
                                         const char   *module_id,
                                         GError      **error);

/* ---- economy mode (lw-jobs-economy.c; docs/ARCHITECTURE.md, "Economy") ---- */
typedef enum {
  LW_JOB_MODE_FAST,      /* the live pool: each photo one generateContent call */
  LW_JOB_MODE_ECONOMY,   /* Google's Batch API: half the price, within 24 h */
} LwJobMode;

/* A job's mode; refused while it runs (LW_JOBS_ERROR_RUNNING) and, for
 * economy, for a model that is not a paid Gemini one. */
gboolean     lw_jobs_set_mode           (LwJobs       *self,
                                         gint64        job_id,
                                         LwJobMode     mode,
                                         GError      **error);
LwJobMode    lw_jobs_get_mode           (LwJobs       *self,
                                         gint64        job_id);
/* What one photo of the job costs: its model's price, halved in economy. */
double       lw_jobs_get_price          (LwJobs       *self,
                                         gint64        job_id);
/* The job's batches (LwBatchRecord, lw-store-batches.h), oldest first:
 * what the window and `lightwork-cli status` show of an economy job. */
GPtrArray   *lw_jobs_list_batches       (LwJobs       *self,
                                         gint64        job_id,
                                         GError      **error);
/* The user's consent: the job's photos that failed in every batch they
 * were in go to the live pool (at the full price) and the job runs;
 * returns how many. */
int          lw_jobs_move_to_live       (LwJobs       *self,
                                         gint64        job_id,
                                         GError      **error);
/* How many photos lw_jobs_move_to_live would move (-1 on error). */
int          lw_jobs_count_batch_failed (LwJobs       *self,
                                         gint64        job_id,
                                         GError      **error);
/* What one photo of the job costs live: its model's full price, whatever
 * the mode (what a move to the live pool pays). */
double       lw_jobs_get_live_price     (LwJobs       *self,
                                         gint64        job_id);
/* Whether a batch of the scope is open or being sent (lightwork-cli waits). */
gboolean     lw_jobs_economy_is_busy    (LwJobs       *self);

/* Signals (all on the thread that made the service):
 *  "image-changed" (gint64 job_id, gint64 image_id, LwImageStatus status)
 *      a photo's row changed: by the queue, or by retry/instruction here;
 *  "job-changed"   (gint64 job_id, LwJobStatus status)
 *      the job's row changed (status, name, module, model, prompt, photos
 *      added or removed), or it was deleted (status -1);
 *  "job-paused"    (gint64 job_id, const char *model, const GError *reason)
 *      once for every launched job of the paused model;
 *  "job-resumed"   (gint64 job_id, const char *model)
 *  "trial-finished" (gint64 job_id)
 *      a trial run's photos are done; the job stopped with the rest held.
 *  "batch-changed" (gint64 job_id)
 *      one of the job's batches was sent, polled into a new state,
 *      finished or cancelled (lw_jobs_list_batches says how it stands).
 */

G_END_DECLS

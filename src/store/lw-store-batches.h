/* lw-store-batches.h — economy mode in SQLite: a job's mode, the batches
 * sent to the Batch API, and the photos they carry (docs/ARCHITECTURE.md,
 * "Economy"). Every statement here is fenced like the queue's: a photo in
 * a batch is PROCESSING with its attempt, owned by "batch:<id>", so a
 * result can only land on the attempt that asked for it.
 */
#pragma once

#include "lw-store.h"

G_BEGIN_DECLS

#define LW_STORE_MODE_FAST    "fast"
#define LW_STORE_MODE_ECONOMY "economy"

/* A batch's photos stay claimed by it, whatever the time: only the batch
 * (its state, polled from Google) ends their claim, not a lease. */
#define LW_BATCH_OWNER_PREFIX "batch:"

typedef struct {
  gint64  id;
  gint64  job_id;
  char   *model;
  char   *name;          /* "batches/…", NULL until created */
  char   *files;         /* the uploaded files, space-separated */
  char   *state;         /* submitting, pending, running, succeeded, done, failed, cancelled, expired, abandoned */
  int     attempt;       /* 2: resubmitted once after an expired or cancelled batch */
  int     n_images;
  char   *error;
  gint64  created_at;
  gint64  submitted_at;
  gint64  polled_at;
  gint64  next_poll_at;
  char   *runner;        /* the process that sends it (lw_core_get_owner) */
} LwBatchRecord;

void           lw_batch_record_free        (LwBatchRecord *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwBatchRecord, lw_batch_record_free)

/* "fast" or "economy". Changing it is refused while the job runs
 * (LW_STORE_ERROR_RUNNING), like its model. */
char          *lw_store_get_job_mode       (LwStore     *self,
                                            gint64       job_id,
                                            GError     **error);
gboolean       lw_store_set_job_mode       (LwStore     *self,
                                            gint64       job_id,
                                            const char  *mode,
                                            gint64       now,
                                            GError     **error);
/* Launched economy jobs (their ids), for the economy runner. */
GArray        *lw_store_list_economy_jobs  (LwStore     *self,
                                            gint64       scope,
                                            GError     **error);

/* In one transaction: a new batch row of job_id, and up to max of its open
 * economy photos (PENDING, or RETRY_LATER, not held, not moved to the live
 * pool) taken for it: PROCESSING, attempt + 1, owned by the batch; runner
 * is the process that will send it. With from_batch, that batch's photos
 * instead (a resubmission: attempt 2).
 * NULL and no error when there was no photo to take. */
LwBatchRecord *lw_store_batch_claim        (LwStore     *self,
                                            gint64       job_id,
                                            const char  *model,
                                            gint64       from_batch,
                                            const char  *runner,
                                            int          max,
                                            gint64       now,
                                            GPtrArray  **images,
                                            GError     **error);
/* The batch as Google named it, and the files it uploaded: written before
 * anything else happens to it. */
gboolean       lw_store_batch_submitted    (LwStore     *self,
                                            gint64       batch_id,
                                            const char  *name,
                                            const char  *files,
                                            gint64       now,
                                            GError     **error);
/* The uploaded files still to delete (space-separated; NULL or "" = none left). */
gboolean       lw_store_batch_set_files    (LwStore     *self,
                                            gint64       batch_id,
                                            const char  *files,
                                            GError     **error);
/* Batches Google is done with (done, failed, expired, cancelled,
 * abandoned) whose uploaded files are not deleted yet, of job_id (0:
 * every job), oldest first. */
GPtrArray     *lw_store_list_spent_batches (LwStore     *self,
                                            gint64       job_id,
                                            GError     **error);
/* state (and error, may be NULL); polled_at and next_poll_at when > 0.
 * Only an open batch changes: a poll answered after a cancel does not
 * open it again. */
gboolean       lw_store_batch_set_state    (LwStore     *self,
                                            gint64       batch_id,
                                            const char  *state,
                                            const char  *error_message,
                                            gint64       polled_at,
                                            gint64       next_poll_at,
                                            GError     **error);
/* Batches not finished with (submitting, pending, running, succeeded), of
 * job_id (0: every job), oldest first. */
GPtrArray     *lw_store_list_open_batches  (LwStore     *self,
                                            gint64       job_id,
                                            GError     **error);
GPtrArray     *lw_store_list_batches       (LwStore     *self,
                                            gint64       job_id,
                                            GError     **error);
/* The photos a batch still holds (PROCESSING, its batch_id). */
GPtrArray     *lw_store_batch_images       (LwStore     *self,
                                            gint64       batch_id,
                                            GError     **error);
/* A failed entry: back to PENDING for a later batch (batch_tries + 1), or
 * FAILED with code and message once max_tries batches failed it. */
gboolean       lw_store_batch_entry_failed (LwStore     *self,
                                            gint64       image_id,
                                            int          attempt,
                                            int          max_tries,
                                            const char  *code,
                                            const char  *message,
                                            gint64       now,
                                            gboolean    *failed,
                                            gboolean    *fenced_out,
                                            GError     **error);
/* Every photo the batch holds back to PENDING (a cancel, a batch never
 * created), their attempt kept; the number returned. */
int            lw_store_batch_release      (LwStore     *self,
                                            gint64       batch_id,
                                            gint64       now,
                                            GError     **error);
/* Every photo the batch holds FAILED with code and message. */
int            lw_store_batch_fail_images  (LwStore     *self,
                                            gint64       batch_id,
                                            const char  *code,
                                            const char  *message,
                                            gint64       now,
                                            GError     **error);
/* How many photos of job_id failed in every batch they were sent in
 * (error code "batch"): what lw_store_move_to_live would move. */
int            lw_store_count_batch_failed (LwStore     *self,
                                            gint64       job_id,
                                            GError     **error);
/* The user's consent: economy photos of job_id that failed in batches
 * (error code "batch") go to the live pool, PENDING; how many. */
int            lw_store_move_to_live       (LwStore     *self,
                                            gint64       job_id,
                                            gint64       now,
                                            GError     **error);

G_END_DECLS

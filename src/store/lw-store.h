/* lw-store.h — the SQLite repository: jobs, images, modules, settings.
 *
 * One LwStore is one connection, used by one thread at a time
 * (SQLITE_OPEN_NOMUTEX); a thread that needs the database opens its own.
 * Every connection sets WAL, synchronous=NORMAL, foreign_keys=ON and a
 * busy_timeout, so the window and lightwork-cli can share one file.
 * Opening runs the migrations (PRAGMA user_version) and seeds the built-in
 * modules (lw-modules.h). All times are ms since the epoch, passed in by
 * the caller (its LwClock), never read here.
 */
#pragma once

#include <gio/gio.h>

#include "lw-types.h"

G_BEGIN_DECLS

#define LW_STORE_ERROR (lw_store_error_quark ())

typedef enum {
  LW_STORE_ERROR_SQLITE,       /* message carries sqlite3_errmsg() */
  LW_STORE_ERROR_NOT_FOUND,
  LW_STORE_ERROR_TOO_NEW,      /* user_version newer than this build knows */
  LW_STORE_ERROR_BUILTIN,      /* a built-in module cannot be deleted */
  LW_STORE_ERROR_INVALID,      /* bad argument (empty name, …) */
  LW_STORE_ERROR_STATE,        /* the job's state does not allow it (cancel a finished job) */
  LW_STORE_ERROR_RUNNING,      /* refused while the job runs (change its model) */
  LW_STORE_ERROR_DISK_FULL,    /* SQLITE_FULL, or an I/O error on a full disk */
  LW_STORE_ERROR_CORRUPT,      /* SQLITE_CORRUPT, SQLITE_NOTADB: the file is damaged */
} LwStoreError;

GQuark lw_store_error_quark (void);

/* Out of space, whoever said it: LW_STORE_ERROR_DISK_FULL, or
 * G_IO_ERROR_NO_SPACE from the blob store (ENOSPC and EDQUOT alike). */
gboolean lw_store_error_is_disk_full (const GError *error);
/* Whether the file system holding dir has less than 64 KiB free: too little
 * for a commit (see DISK_FULL_BYTES in lw-store.c), so a full disk. */
gboolean lw_store_folder_is_full (const char *dir);

#define LW_STORE_SCHEMA_VERSION 7

#define LW_TYPE_STORE (lw_store_get_type ())
G_DECLARE_FINAL_TYPE (LwStore, lw_store, LW, STORE, GObject)

LwStore    *lw_store_open        (const char  *path,
                                  GError     **error);
const char *lw_store_get_path    (LwStore     *self);
/* PRAGMA quick_check: every page read and its structure checked (about
 * 40 ms per 10 MB, 160 ms for 100,000 rows in 41 MB); a damaged file is LW_STORE_ERROR_CORRUPT with SQLite's
 * first finding. For commands that only read: they may never touch the
 * damaged pages and would otherwise report a damaged database as fine. */
gboolean    lw_store_quick_check (LwStore    *self,
                                  GError    **error);
int         lw_store_get_schema_version (LwStore *self);

/* Nestable only in the sense that a begin inside a begin is an error.
 * begin is BEGIN IMMEDIATE: writers queue on busy_timeout instead of
 * failing half-way with SQLITE_BUSY on lock upgrade. */
gboolean    lw_store_begin       (LwStore *self, GError **error);
gboolean    lw_store_commit      (LwStore *self, GError **error);
void        lw_store_rollback    (LwStore *self);

/* The WAL: a passive checkpoint now (a thread of its own does it, so
 * writers never pay for it), and the automatic one off (pages = 0). */
void        lw_store_checkpoint  (LwStore *self);
void        lw_store_set_autocheckpoint (LwStore *self, int pages);

/* ---- settings (key/value; the key of the API is never stored here) ---- */
char       *lw_store_get_setting (LwStore *self, const char *key);     /* NULL when unset */
gboolean    lw_store_set_setting (LwStore *self, const char *key, const char *value /* NULL deletes */,
                                  GError **error);
/* Convenience: parse as integer/double, default when unset or unparsable. */
gint64      lw_store_get_setting_int    (LwStore *self, const char *key, gint64 default_value);
double      lw_store_get_setting_double (LwStore *self, const char *key, double default_value);

/* ---- modules ----------------------------------------------------------- */
GPtrArray  *lw_store_list_modules   (LwStore *self, GError **error);   /* of LwModule, by position */
LwModule   *lw_store_get_module     (LwStore *self, const char *id, GError **error);
/* New custom module; id is derived from the name ("custom-<slug>[-N]"). */
LwModule   *lw_store_create_module  (LwStore *self, const char *name, const char *description,
                                     const char *prompt, GError **error);
/* Updates name, description and prompt of a custom module; of a built-in,
 * only the prompt (its name and description are the shipped ones). */
gboolean    lw_store_update_module  (LwStore *self, const LwModule *module, GError **error);
LwModule   *lw_store_duplicate_module (LwStore *self, const char *id, GError **error);
gboolean    lw_store_delete_module  (LwStore *self, const char *id, GError **error);  /* built-in: LW_STORE_ERROR_BUILTIN */
gboolean    lw_store_reset_module   (LwStore *self, const char *id, GError **error);  /* prompt = default_prompt */

/* ---- jobs -------------------------------------------------------------- */
/* Status PENDING; prompt copied from the module; name defaults to
 * "<Module name> <date>" when NULL. */
LwJob      *lw_store_create_job     (LwStore *self, const char *name, const char *module_id,
                                     const char *model, const char *source_key, gint64 now,
                                     GError **error);
LwJob      *lw_store_get_job        (LwStore *self, gint64 id, GError **error);
LwJob      *lw_store_find_job_by_source_key (LwStore *self, const char *source_key, GError **error); /* NULL, no error, when none */
GPtrArray  *lw_store_list_jobs      (LwStore *self, int limit, GError **error);  /* newest first */
gboolean    lw_store_rename_job     (LwStore *self, gint64 id, const char *name, gint64 now, GError **error);
/* The prompt, model and module of a running job stay: LW_STORE_ERROR_RUNNING. */
gboolean    lw_store_set_job_prompt (LwStore *self, gint64 id, const char *prompt, gint64 now, GError **error);
gboolean    lw_store_set_job_model  (LwStore *self, gint64 id, const char *model, gint64 now, GError **error);
gboolean    lw_store_set_job_module (LwStore *self, gint64 id, const char *module_id, gint64 now, GError **error); /* also copies the module's prompt */
gboolean    lw_store_set_job_spend_cap (LwStore *self, gint64 id, double cap, gint64 now, GError **error);
/* Sets status where the job state machine allows it (see allowed_from in
 * lw-store-records.c, docs/ARCHITECTURE.md): else LW_STORE_ERROR_STATE, in
 * words. PROCESSING sets launched_at (first time) and clears finished_at;
 * COMPLETED/FAILED/CANCELLED set finished_at. */
gboolean    lw_store_set_job_status (LwStore *self, gint64 id, LwJobStatus status, gint64 now, GError **error);
/* Deletes the job and its images and rejections (blobs go at the next sweep). */
gboolean    lw_store_delete_job     (LwStore *self, gint64 id, GError **error);
/* The same, only if the job finished (COMPLETED or FAILED) before
 * finished_before (ms), checked and deleted in one statement: a job that
 * another process launched again since it was listed stays. *deleted says
 * whether it went. */
gboolean    lw_store_delete_finished_job (LwStore  *self,
                                          gint64    id,
                                          gint64    finished_before,
                                          gboolean *deleted,
                                          GError  **error);
/* The ids of the jobs lw_store_delete_finished_job would delete now, by
 * id (the same condition, said once in lw-store-records.c). */
GArray     *lw_store_list_finished_jobs  (LwStore  *self,
                                          gint64    finished_before,
                                          GError  **error);
/* The settings key holding the paths a job's staging has not finished
 * (lw_jobs_dup_unstaged_paths); deleted with the job. */
char       *lw_store_unstaged_key   (gint64 job_id);
gboolean    lw_store_count_images   (LwStore *self, gint64 job_id, LwJobCounts *counts, GError **error);
/* Whether the job has an image still to do (PENDING or RETRY_LATER and
 * not held, or PROCESSING): one index probe, cheap enough for every finish. */
gboolean    lw_store_job_has_open_images (LwStore *self, gint64 job_id, gboolean *open, GError **error);
/* Sum of images.cost for the job; FALSE (never "0") when it cannot be read. */
gboolean    lw_store_get_job_cost   (LwStore *self, gint64 job_id, double *cost, GError **error);
/* The process that launched the job last (lw_core_get_owner). */
gboolean    lw_store_set_job_runner (LwStore *self, gint64 id, const char *runner, gint64 now, GError **error);
/* A launched job held by a pause (docs/ARCHITECTURE.md, "Jobs"): code (an
 * engine error code, "auth", "disk_full", …), the reason and what to do, in
 * words; its photos are not claimed until the pause ends. Only a
 * PROCESSING job (else STATE); code NULL clears it (any job). Every change
 * of status clears it too. */
gboolean    lw_store_set_job_pause  (LwStore *self, gint64 id, const char *code, const char *reason,
                                     const char *advice, gint64 now, GError **error);
/* Where the job's results are saved (lightwork-cli's --out, --template);
 * NULL clears. */
gboolean    lw_store_set_job_output (LwStore *self, gint64 id, const char *dir, const char *template_str,
                                     gint64 now, GError **error);

/* ---- images ------------------------------------------------------------ */
/* Inserts image (job_id, original_name, source_path, original_key, sha256,
 * mime, width, height, orientation, bytes, thumb_key, specific_prompt are
 * read; id, position, status PENDING, timestamps are set and written back).
 * The same sha256 in the same job is staged once: *duplicate = TRUE and
 * image->id is the existing row's id, nothing inserted. */
gboolean    lw_store_add_image      (LwStore *self, LwImage *image, gint64 now, gboolean *duplicate,
                                     GError **error);
LwImage    *lw_store_get_image      (LwStore *self, gint64 id, GError **error);
GPtrArray  *lw_store_list_images    (LwStore *self, gint64 job_id, GError **error);  /* of LwImage, by position */
gboolean    lw_store_set_image_prompt (LwStore *self, gint64 id, const char *prompt /* NULL/"" clears */,
                                       gint64 now, GError **error);
gboolean    lw_store_set_image_thumb  (LwStore *self, gint64 id, const char *thumb_key, gint64 now, GError **error);
gboolean    lw_store_remove_image   (LwStore *self, gint64 id, GError **error);
/* FAILED images of the job back to PENDING with retry_count 0 and errors
 * cleared; returns how many, -1 on error. (RETRY_LATER ones come back by
 * themselves when due.) */
int         lw_store_retry_failed   (LwStore *self, gint64 job_id, gint64 now, GError **error);
/* One image (any finished state) back to PENDING. force: the user asked
 * for another result: also clears processed_key/request_key and sets
 * fresh_take, so no earlier result (of any job) is reused for it. */
gboolean    lw_store_requeue_image  (LwStore *self, gint64 id, gboolean force, gint64 now, GError **error);

/* ---- versions and review ---------------------------------------------- */
/* Every take of the image (LwVersion), oldest first. */
GPtrArray  *lw_store_list_versions  (LwStore *self, gint64 image_id, GError **error);
/* Take n becomes the image's result (status COMPLETED, processed_key);
 * NOT_FOUND when there is no such take or the image is in flight. */
gboolean    lw_store_choose_version (LwStore *self, gint64 image_id, int n, gint64 now, GError **error);
gboolean    lw_store_set_image_review (LwStore *self, gint64 image_id, LwReview review, gint64 now, GError **error);
/* Open photos of the job held out of (or back into) the queue: a trial
 * run. Returns how many changed, -1 on error. */
int         lw_store_set_held       (LwStore *self, gint64 job_id, gboolean held, GError **error);
gboolean    lw_store_set_image_held (LwStore *self, gint64 image_id, gboolean held, GError **error);

/* ---- rejections (files refused at ingest, listed with their reason) ---- */
gboolean    lw_store_add_rejection  (LwStore *self, gint64 job_id, const char *path, const char *reason,
                                     gint64 now, GError **error);
GPtrArray  *lw_store_list_rejections (LwStore *self, gint64 job_id, GError **error);

/* ---- the queue (docs/ARCHITECTURE.md, "The queue") -------------------------------- */
/* Atomic claim, one statement: up to max images of launched jobs
 * (jobs.status = PROCESSING) whose jobs.model = model, that are PENDING or
 * RETRY_LATER with next_retry_at <= now, ordered by job launch then
 * position, become PROCESSING with attempt + 1, lease_owner = owner,
 * lease_expires_at = now + lease_ms. Returns them (LwImage, as updated). */
GPtrArray  *lw_store_claim          (LwStore *self, const char *model, gint64 job_id /* 0 = any */, int max,
                                     const char *owner, gint64 now, gint64 lease_ms, GError **error);
/* Requests per minute across processes: starts of model since since. */
gboolean    lw_store_count_starts   (LwStore *self, const char *model, gint64 since, int *n, GError **error);
/* Records n starts at at, and forgets those before forget_before. */
gboolean    lw_store_add_starts     (LwStore *self, const char *model, gint64 at, int n, gint64 forget_before,
                                     GError **error);
/* The earliest start of model at or after since; -1 when none. */
gint64      lw_store_first_start    (LwStore *self, const char *model, gint64 since);
/* The fenced finishes: each updates only WHERE id = ? AND status =
 * 'PROCESSING' AND attempt = ?. *fenced_out is TRUE when no row matched
 * (a stale worker): the caller deletes its orphan blob. */
/* The result also becomes the photo's next version (prompt: the composed
 * prompt it answered), and the take the row shows. */
gboolean    lw_store_finish_completed (LwStore *self, gint64 id, int attempt, const char *processed_key,
                                       const char *processed_mime, const char *request_key, const char *prompt,
                                       double cost, gint64 now, gboolean *fenced_out, GError **error);
/* The same, with what the result checks said (docs/ARCHITECTURE.md,
 * "Results"): review_reason NULL = passed, else the row stays COMPLETED
 * and needs review; note, a remark on the result, may be NULL. */
gboolean    lw_store_finish_checked (LwStore *self, gint64 id, int attempt, const char *processed_key,
                                     const char *processed_mime, const char *request_key, const char *prompt,
                                     const char *review_reason, const char *note, double cost,
                                     gint64 now, gboolean *fenced_out, GError **error);
/* RETRY_LATER, retry_count + 1, next_retry_at, error code/message kept. */
gboolean    lw_store_finish_retry   (LwStore *self, gint64 id, int attempt, gint64 next_retry_at,
                                     const char *error_code, const char *error_message, double cost,
                                     gint64 now, gboolean *fenced_out, GError **error);
gboolean    lw_store_finish_failed  (LwStore *self, gint64 id, int attempt, const char *error_code,
                                     const char *error_message, double cost, gint64 now,
                                     gboolean *fenced_out, GError **error);
/* Back to PENDING without counting a retry (cancel, pause). */
gboolean    lw_store_release        (LwStore *self, gint64 id, int attempt, gint64 now,
                                     gboolean *fenced_out, GError **error);
/* Long requests keep their lease: every PROCESSING image of owner gets
 * lease_expires_at = until. Returns rows touched, -1 on error. */
int         lw_store_extend_leases  (LwStore *self, const char *owner, gint64 until, GError **error);
/* Expired leases (lease_expires_at <= now), and those whose owner
 * is_dead(owner) says is gone, return to PENDING. Returns how many. */
typedef gboolean (*LwOwnerDeadFunc) (const char *owner, gpointer user_data);
int         lw_store_reap_leases    (LwStore *self, gint64 now, LwOwnerDeadFunc is_dead, gpointer user_data,
                                     GError **error);
/* Earliest next_retry_at of RETRY_LATER images of launched jobs of model;
 * -1 when none. */
gint64      lw_store_next_retry_at  (LwStore *self, const char *model);
/* The models (char *) that launched jobs name, each once. */
GPtrArray  *lw_store_list_launched_models (LwStore *self, GError **error);
/* A COMPLETED image (any job) with this request_key, or NULL. */
LwImage    *lw_store_find_result    (LwStore *self, const char *request_key, GError **error);
/* Every blob key rows name (originals, thumbnails, results). */
GHashTable *lw_store_referenced_keys (LwStore *self, GError **error);


G_END_DECLS

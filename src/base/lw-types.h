/* lw-types.h — shared forward declarations and plain records of LightWork's core.
 *
 * Records (LwJob, LwImage, LwModule, LwRejection) are plain structs owned by
 * whoever received them; free with their _free function or g_autoptr.
 * Times are milliseconds since the Unix epoch (wall clock, as the LwClock says).
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _LwStore      LwStore;
typedef struct _LwBlobStore  LwBlobStore;
typedef struct _LwClock      LwClock;
typedef struct _LwEngine     LwEngine;
typedef struct _LwScheduler  LwScheduler;
typedef struct _LwCore       LwCore;

typedef enum {
  LW_JOB_PENDING,     /* staging, not launched */
  LW_JOB_PROCESSING,  /* launched: its images are claimable */
  LW_JOB_COMPLETED,   /* nothing left to do, even if some images failed */
  LW_JOB_FAILED,      /* every image failed */
  LW_JOB_CANCELLED,   /* stopped by the user; launching again continues */
} LwJobStatus;

typedef enum {
  LW_IMAGE_PENDING,
  LW_IMAGE_PROCESSING,
  LW_IMAGE_COMPLETED,
  LW_IMAGE_FAILED,
  LW_IMAGE_RETRY_LATER,
} LwImageStatus;

const char *lw_job_status_to_string   (LwJobStatus   status);
gboolean    lw_job_status_from_string (const char   *str,
                                       LwJobStatus  *out);
const char *lw_image_status_to_string   (LwImageStatus  status);
gboolean    lw_image_status_from_string (const char    *str,
                                         LwImageStatus *out);

/* What the user decided of a photo's result (docs/ARCHITECTURE.md,
 * "Review"). */
typedef enum {
  LW_REVIEW_UNDECIDED,
  LW_REVIEW_ACCEPTED,
  LW_REVIEW_REJECTED,
} LwReview;

const char *lw_review_to_string   (LwReview    review);
gboolean    lw_review_from_string (const char *str,
                                   LwReview   *out);

typedef struct {
  gint64       id;
  char        *name;
  char        *module_id;
  char        *model;         /* alias: "nano_banana", "nano_banana_pro", "local", … */
  char        *prompt;        /* the job's module prompt (copied at creation) */
  LwJobStatus  status;
  char        *source_key;    /* lightwork-cli: identifies "the same command", may be NULL */
  double       spend_cap;     /* 0 = none; in the currency of the price settings */
  gint64       created_at;
  gint64       updated_at;
  gint64       launched_at;   /* 0 = never */
  gint64       finished_at;   /* 0 = not finished */
  char        *runner;        /* the process that launched it last (lw_core_get_owner), may be NULL */
  /* PROCESSING but held by a pause (docs/ARCHITECTURE.md, "Jobs"): the
   * engine error code ("auth", "model_not_found", …), the reason and what
   * to do, in words; all NULL = not paused. */
  char        *pause_code;
  char        *pause_reason;
  char        *pause_advice;
  char        *out_dir;       /* where its results are saved, may be NULL */
  char        *out_template;  /* their names; NULL = the export.template setting */
} LwJob;

typedef struct {
  gint64         id;
  gint64         job_id;
  gint64         position;
  char          *original_name;   /* file name as the user knew it */
  char          *source_path;     /* where it was ingested from (may be NULL) */
  char          *original_key;    /* blob key of the original */
  char          *sha256;
  char          *mime;
  int            width;           /* as stored (before orientation) */
  int            height;
  int            orientation;     /* EXIF orientation 1–8 (1 = as stored) */
  gint64         bytes;
  char          *thumb_key;       /* blob key of the thumbnail, may be NULL */
  char          *processed_key;   /* blob key of the result, NULL until COMPLETED */
  char          *processed_mime;
  char          *request_key;     /* hash of what was asked; equal keys give reusable results */
  LwImageStatus  status;
  char          *specific_prompt; /* per-image instruction, may be NULL */
  int            retry_count;     /* transient failures so far */
  gint64         next_retry_at;
  int            attempt;         /* fencing token: +1 at every claim */
  char          *lease_owner;
  gint64         lease_expires_at;
  char          *error_code;      /* lw_engine_error_code_to_string() */
  char          *error_message;   /* in words, for a person */
  double         cost;            /* what this image cost so far */
  gint64         created_at;
  gint64         updated_at;
  gboolean       fresh_take;      /* the next attempt must not reuse an earlier result */
  LwReview       review;
  int            version;         /* the take processed_key is (LwVersion.n); 0 = none */
  gboolean       held;            /* left out of a trial run: not claimable until launched */
  char          *review_reason;   /* COMPLETED but a result check failed: why, in words; NULL = passed */
  char          *note;            /* a remark on the result ("the original is in Display P3, …"), may be NULL */
} LwImage;

/* One take of a photo: every result that ever landed is kept. */
typedef struct {
  gint64  id;
  gint64  image_id;
  int     n;                /* 1, 2, … in the order they landed */
  char   *processed_key;
  char   *processed_mime;
  char   *prompt;           /* the composed prompt it answered ("" when not known) */
  char   *model;
  char   *module_id;
  double  cost;
  gint64  created_at;
} LwVersion;

typedef struct {
  gint64  id;
  gint64  job_id;
  char   *path;
  char   *reason;   /* in words: "not an image", "truncated JPEG", … */
  gint64  created_at;
} LwRejection;

typedef struct {
  char     *id;             /* slug: "food", "product", …, or "custom-…" */
  char     *name;
  char     *description;
  char     *icon;           /* symbolic icon name */
  char     *prompt;
  char     *default_prompt; /* built-ins: the shipped prompt, for "reset"; NULL otherwise */
  gboolean  builtin;
  int       position;
} LwModule;

typedef struct {
  int total;
  int pending;
  int processing;
  int completed;
  int failed;
  int retry_later;
  int needs_review;   /* of completed: a result check failed (images.review_reason) */
} LwJobCounts;

LwJob       *lw_job_copy        (const LwJob       *job);
void         lw_job_free        (LwJob             *job);
LwImage     *lw_image_copy      (const LwImage     *image);
void         lw_image_free      (LwImage           *image);
LwModule    *lw_module_copy     (const LwModule    *module);
void         lw_module_free     (LwModule          *module);
LwRejection *lw_rejection_copy  (const LwRejection *rejection);
LwVersion   *lw_version_copy    (const LwVersion   *version);
void         lw_version_free    (LwVersion         *version);
void         lw_rejection_free  (LwRejection       *rejection);

GType lw_job_get_type       (void) G_GNUC_CONST;
GType lw_image_get_type     (void) G_GNUC_CONST;
GType lw_module_get_type    (void) G_GNUC_CONST;
GType lw_rejection_get_type (void) G_GNUC_CONST;

/* Unfinished work of a job: PENDING + PROCESSING + RETRY_LATER. */
static inline int
lw_job_counts_open (const LwJobCounts *c)
{
  return c->pending + c->processing + c->retry_later;
}

/* A launched job held by a pause. */
static inline gboolean
lw_job_is_paused (const LwJob *job)
{
  return job->status == LW_JOB_PROCESSING && job->pause_code != NULL;
}

/* What a front end shows: "PAUSED" for a paused job, else its status. */
static inline const char *
lw_job_state_to_string (const LwJob *job)
{
  return lw_job_is_paused (job) ? "PAUSED" : lw_job_status_to_string (job->status);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwJob, lw_job_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwImage, lw_image_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwModule, lw_module_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwRejection, lw_rejection_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwVersion, lw_version_free)

G_END_DECLS

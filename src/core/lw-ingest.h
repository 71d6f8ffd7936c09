/* lw-ingest.h — staging files and folders into a job.
 *
 * Blocking: call from a worker thread (the window) or directly (the CLI).
 * The store passed must be the calling thread's own connection.
 * Folders are walked recursively; symlink loops and repeats are detected by
 * (device, inode). Every file is probed (lw-image-io.h), copied into the blob
 * store, thumbnailed, then its row is committed. A file that fails becomes a
 * rejection with its reason; the batch goes on.
 */
#pragma once

#include <gio/gio.h>

#include "lw-blob-store.h"
#include "lw-image-io.h"
#include "lw-store.h"

G_BEGIN_DECLS

typedef enum {
  LW_INGEST_STAGED,      /* a new image row: image is set */
  LW_INGEST_DUPLICATE,   /* the same content is already in the job: image is the existing row */
  LW_INGEST_REJECTED,    /* reason is set */
} LwIngestOutcome;

typedef struct {
  LwIngestOutcome  outcome;
  const char      *path;
  const LwImage   *image;   /* STAGED/DUPLICATE */
  const char      *reason;  /* REJECTED */
  guint            done;    /* files handled so far */
} LwIngestEvent;

/* Called on the ingesting thread for every file, as it is handled. */
typedef void (*LwIngestFunc) (const LwIngestEvent *event, gpointer user_data);

typedef struct {
  guint staged;
  guint duplicates;
  guint rejected;
} LwIngestReport;

typedef struct {
  LwImageLimits  limits;
  gboolean       read_sidecar_prompts;  /* photo.jpg.txt or photo.txt beside a photo → specific_prompt */
  gboolean       make_thumbnails;       /* default TRUE */
} LwIngestOptions;

void     lw_ingest_options_init (LwIngestOptions *options);

/* Expands paths (files and folders) into the files to stage, in a stable
 * order (folders sorted by name). Unreadable folders and loops are
 * reported through rejected (path → reason, may be NULL). */
GPtrArray *lw_ingest_expand    (const char * const *paths,
                                GHashTable         *rejected,
                                GCancellable       *cancellable);

gboolean lw_ingest_paths       (LwStore               *store,
                                LwBlobStore           *blobs,
                                gint64                 job_id,
                                const char * const    *paths,
                                const LwIngestOptions *options,
                                LwIngestFunc           func,
                                gpointer               user_data,
                                LwIngestReport        *report,
                                GCancellable          *cancellable,
                                GError               **error);

/* The per-image prompt file beside a photo: "<photo>.txt" ("photo.jpg.txt")
 * or "<stem>.txt" ("photo.txt"); trimmed contents, or NULL. */
char    *lw_ingest_read_sidecar (const char *photo_path);

G_END_DECLS

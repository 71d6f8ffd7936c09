/* lw-export.h — naming and writing saved results. */
#pragma once

#include <gio/gio.h>

#include "lw-blob-store.h"
#include "lw-store.h"

G_BEGIN_DECLS

#define LW_EXPORT_TEMPLATE_DEFAULT "{name}-{module}.{ext}"

/* Expands a naming template. Fields: {name} (original name without its
 * extension), {module} (module id), {index} (position, from 1, 4 digits),
 * {job} (job name), {ext} (the result's extension). Path separators and
 * control characters in the values are replaced, so a name can never
 * leave the folder. A name that would start with a dash ("-rf-food.jpg",
 * which a shell command would take for options) or a dot is prefixed with
 * "_" ("_-rf-food.jpg"): the original stays readable in it. */
char     *lw_export_format_name (const char *template_str,
                                 const char *original_name,
                                 const char *module_id,
                                 const char *job_name,
                                 gint64      index,
                                 const char *ext);

/* Whether a naming template may be used: one that starts with a dot (a
 * hidden file) or holds a path separator ("../{name}", "{job}/…") is
 * refused with G_IO_ERROR_INVALID_ARGUMENT and words for the person who
 * typed it. NULL or "" (the default) is fine. lw_export_job() checks it
 * too, before writing anything; front ends call it when the template is
 * set. */
gboolean  lw_export_check_template (const char  *template_str,
                                    GError     **error);

/* While a result is written it is named ".<name>.lightwork-XXXXXX" in the
 * target folder: this many bytes more than the name. A name is kept to
 * the file system's limit (NAME_MAX, 255 on most) less this, so the
 * temporary name fits too: 237 bytes on most file systems. */
#define LW_EXPORT_TMP_OVERHEAD 18

/* name shortened to at most max_bytes bytes by whole characters (never
 * inside a UTF-8 sequence), its extension kept: "<long stem>.jpg" →
 * "<shorter stem>.jpg". A name that fits is returned as it is. */
char     *lw_export_fit_name     (const char *name,
                                  gsize       max_bytes);

/* Never overwrites: "a.jpg", then "a-2.jpg", "a-3.jpg", … — the first name
 * neither on disk in dir nor in taken (names already chosen in this run,
 * may be NULL). The returned name is added to taken. Every candidate is
 * fitted (lw_export_fit_name) to dir's limit less LW_EXPORT_TMP_OVERHEAD. */
char     *lw_export_unique_name (const char *dir,
                                 const char *name,
                                 GHashTable *taken);

/* Which results are saved: every COMPLETED one, or only those the user
 * accepted (docs/ARCHITECTURE.md, "Review"). */
typedef enum {
  LW_EXPORT_ALL,
  LW_EXPORT_ACCEPTED,
} LwExportSelection;

typedef void (*LwExportProgressFunc) (guint done, guint total, gpointer user_data);

/* One result that could not be saved, and why. */
typedef struct {
  gint64  image_id;
  char   *original_name;
  GError *error;
} LwExportFailure;

void      lw_export_failure_free (LwExportFailure *failure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwExportFailure, lw_export_failure_free)

/* Writes every COMPLETED result of job into dir with the template. Files
 * are written to a temporary name and linked into place (no half-written
 * file under its final name); a temporary file is removed on every error
 * and on cancellation, and ours left in dir by an interrupted export
 * (older than a few minutes, so not another export's in progress) are
 * removed first.
 *
 * One result that cannot be saved (its stored file unreadable, a name the
 * file system refuses) never stops the others: it is added to *failures
 * (LwExportFailure, may be NULL to not collect them) and the export goes
 * on. FALSE (and error) only for what stops the whole export: the job or
 * folder cannot be opened, the template is refused, the folder is full,
 * read-only or not writable, or cancellable was cancelled. *n_written
 * counts what was saved either way.
 *
 * A result dir already holds byte for byte (under its name or one of its
 * "-N" names: saved there by an earlier export) is not written again;
 * *n_skipped (may be NULL) counts those, so a front end can say "8
 * already saved there, skipped". */
gboolean  lw_export_job_full   (LwStore              *store,
                                LwBlobStore          *blobs,
                                gint64                job_id,
                                const char           *dir,
                                const char           *template_str,
                                LwExportSelection     selection,
                                LwExportProgressFunc  progress,
                                gpointer              user_data,
                                guint                *n_written,
                                guint                *n_skipped,
                                GPtrArray           **failures,
                                GCancellable         *cancellable,
                                GError              **error);

/* lw_export_job_full() for callers that want one error: every result that can be saved is saved; when some could
 * not, FALSE with an error that counts them and names the first. */
gboolean  lw_export_job        (LwStore              *store,
                                LwBlobStore          *blobs,
                                gint64                job_id,
                                const char           *dir,
                                const char           *template_str,
                                LwExportSelection     selection,
                                LwExportProgressFunc  progress,
                                gpointer              user_data,
                                guint                *n_written,
                                guint                *n_skipped,
                                GCancellable         *cancellable,
                                GError              **error);

G_END_DECLS

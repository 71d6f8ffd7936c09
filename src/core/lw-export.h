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
 * leave the folder. */
char     *lw_export_format_name (const char *template_str,
                                 const char *original_name,
                                 const char *module_id,
                                 const char *job_name,
                                 gint64      index,
                                 const char *ext);

/* Never overwrites: "a.jpg", then "a-2.jpg", "a-3.jpg", … — the first name
 * neither on disk in dir nor in taken (names already chosen in this run,
 * may be NULL). The returned name is added to taken. */
char     *lw_export_unique_name (const char *dir,
                                 const char *name,
                                 GHashTable *taken);

typedef void (*LwExportProgressFunc) (guint done, guint total, gpointer user_data);

/* Writes every COMPLETED result of job into dir with the template; returns
 * the number written. Files are written to a temporary name and renamed
 * (no half-written file under its final name). */
gboolean  lw_export_job        (LwStore              *store,
                                LwBlobStore          *blobs,
                                gint64                job_id,
                                const char           *dir,
                                const char           *template_str,
                                LwExportProgressFunc  progress,
                                gpointer              user_data,
                                guint                *n_written,
                                GCancellable         *cancellable,
                                GError              **error);

G_END_DECLS

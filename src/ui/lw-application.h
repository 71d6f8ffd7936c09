/* lw-application.h — the GtkApplication of LightWork: one core (database,
 * blobs) and one jobs service per process, shared by its windows. */
#pragma once

#include <adwaita.h>

#include "lw-core.h"
#include "lw-jobs.h"

G_BEGIN_DECLS

#define LW_TYPE_APPLICATION (lw_application_get_type ())
G_DECLARE_FINAL_TYPE (LwApplication, lw_application, LW, APPLICATION, AdwApplication)

LwApplication *lw_application_new           (void);
/* Tests: an application over jobs (made and started by the caller) under
 * its own id, instead of the data folder's at startup. */
LwApplication *lw_application_new_for_jobs  (const char    *application_id,
                                             LwJobs        *jobs);
LwCore        *lw_application_get_core      (LwApplication *self);
LwJobs        *lw_application_get_jobs      (LwApplication *self);
/* Loads the stylesheet and registers the fonts on the default display;
 * tests and tools without an LwApplication call it too. Idempotent. */
void           lw_application_load_style    (void);
/* Bounds the C heap of a process whose worker threads decode many ~1 MB
 * images: a fixed mmap threshold (glibc raises it after every large free,
 * and then keeps the freed megabytes in per-thread arenas) and at most
 * 4 arenas. Call first thing in main. */
void           lw_application_tune_memory   (void);
/* The last window closed while a job runs, and the person chose to keep it
 * running: the application holds itself until nothing runs, then quits
 * when no window is left. */
void           lw_application_keep_running  (LwApplication *self);
gboolean       lw_application_get_holding   (LwApplication *self);
/* Suspend is inhibited (a job runs in this process and the session
 * manager granted it). */
gboolean       lw_application_get_inhibiting (LwApplication *self);
/* TRUE when start-up could not open the data folder (main exits with 1). */
gboolean       lw_application_get_failed    (LwApplication *self);

G_END_DECLS

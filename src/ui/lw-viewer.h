/* lw-viewer.h — one photo large: its result against its original, its
 * review, its takes and a redo on the spot.
 *
 * A window over the main window, the size of it, as a photo viewer's page
 * (Loupe, Shotwell): it steps through the photos of the grid's model (what
 * the grid shows, in its order), reviews through the jobs service, and
 * decodes nothing on the main thread (lw-viewer-loader.h). Its keys are
 * one table in lw-viewer.c; the shortcuts window lists them.
 */
#pragma once

#include <adwaita.h>

#include "lw-job-session.h"
#include "lw-viewer-canvas.h"

G_BEGIN_DECLS

#define LW_TYPE_VIEWER (lw_viewer_get_type ())
G_DECLARE_FINAL_TYPE (LwViewer, lw_viewer, LW, VIEWER, AdwWindow)

/* items: the grid's model (of LwImageItem) to step through. */
LwViewer       *lw_viewer_new             (GtkWindow    *parent,
                                           LwJobSession *session,
                                           GListModel   *items);
/* Shows item and presents the window. */
void            lw_viewer_show_item       (LwViewer     *self,
                                           LwImageItem  *item);
LwImageItem    *lw_viewer_get_item        (LwViewer     *self);
/* Every (detailed action, accelerator) pair of the viewer, NULL-terminated. */
const char * const *lw_viewer_get_accels  (void);

/* ---- for tests, screenshots and the benchmark ---------------------------- */
LwViewerCanvas *lw_viewer_get_canvas      (LwViewer     *self);
LwViewerLoader *lw_viewer_get_loader      (LwViewer     *self);
GtkWidget      *lw_viewer_get_redo_entry  (LwViewer     *self);
/* The label with the prompt the redo will send (the 2-prompt rule). */
GtkWidget      *lw_viewer_get_redo_prompt (LwViewer     *self);
/* The take shown (LwVersion.n), 0 when the photo has none. */
int             lw_viewer_get_take        (LwViewer     *self);
int             lw_viewer_get_n_takes     (LwViewer     *self);
/* The pictures of the photo shown have arrived (the fitted ones; the full
 * one too when zoomed in). */
gboolean        lw_viewer_get_ready       (LwViewer     *self);

/* Signals: "closed" (LwImageItem *item) the viewer was closed on item. */

G_END_DECLS

/* lw-viewer-canvas.h — the viewer's picture: a result large, its original
 * beside it through a divider, zoomed and panned.
 *
 * Draws pictures it is given (lw-viewer-loader.h) and decodes nothing. The
 * frame is the result's full size (the original's when there is no result
 * yet); zoom counts device pixels per pixel of the frame, so 1.0 is 100 %.
 * Fitted, the zoom follows the widget's size. The original is drawn fitted
 * into the result's rectangle, so both line up even when the model
 * answered at another size.
 */
#pragma once

#include <gtk/gtk.h>

#include "lw-viewer-loader.h"

G_BEGIN_DECLS

typedef enum {
  LW_VIEWER_MODE_AFTER,   /* the result */
  LW_VIEWER_MODE_BEFORE,  /* the original */
  LW_VIEWER_MODE_SPLIT,   /* the original left of the divider, the result right */
} LwViewerMode;

#define LW_VIEWER_ZOOM_MIN 0.02
#define LW_VIEWER_ZOOM_MAX 16.0

#define LW_TYPE_VIEWER_CANVAS (lw_viewer_canvas_get_type ())
G_DECLARE_FINAL_TYPE (LwViewerCanvas, lw_viewer_canvas, LW, VIEWER_CANVAS, GtkWidget)

GtkWidget    *lw_viewer_canvas_new          (void);
/* Pictures of the photo shown (any may be NULL): fit is decoded at the
 * fitted size, full at the photo's own size for zooming in. keep_view:
 * the same photo (a new take, a finer level): zoom and position stay. */
void          lw_viewer_canvas_set_pictures (LwViewerCanvas  *self,
                                             LwViewerPicture *after_fit,
                                             LwViewerPicture *after_full,
                                             LwViewerPicture *before_fit,
                                             LwViewerPicture *before_full,
                                             gboolean         keep_view);
gboolean      lw_viewer_canvas_has_picture  (LwViewerCanvas  *self);
void          lw_viewer_canvas_set_mode     (LwViewerCanvas  *self,
                                             LwViewerMode     mode);
LwViewerMode  lw_viewer_canvas_get_mode     (LwViewerCanvas  *self);
/* Where the divider is, 0 (left edge) to 1 (right edge) of the widget. */
void          lw_viewer_canvas_set_divider  (LwViewerCanvas  *self,
                                             double           divider);
double        lw_viewer_canvas_get_divider  (LwViewerCanvas  *self);

/* ---- zoom and pan --------------------------------------------------------- */
void          lw_viewer_canvas_zoom_fit     (LwViewerCanvas  *self);
/* zoom about the widget point (x, y); x < 0: about the middle. */
void          lw_viewer_canvas_zoom_to      (LwViewerCanvas  *self,
                                             double           zoom,
                                             double           x,
                                             double           y);
/* × factor about the middle (keys and buttons). */
void          lw_viewer_canvas_zoom_by      (LwViewerCanvas  *self,
                                             double           factor);
double        lw_viewer_canvas_get_zoom     (LwViewerCanvas  *self);
double        lw_viewer_canvas_get_fit_zoom (LwViewerCanvas  *self);
gboolean      lw_viewer_canvas_get_fitted   (LwViewerCanvas  *self);
/* Zoomed in past the fitted size: the picture can be panned. */
gboolean      lw_viewer_canvas_get_zoomed   (LwViewerCanvas  *self);
/* Moves the picture by (dx, dy) logical pixels; FALSE when it cannot move
 * that way (at its edge, or fitted). */
gboolean      lw_viewer_canvas_pan          (LwViewerCanvas  *self,
                                             double           dx,
                                             double           dy);
/* The frame's point at the middle of the widget, in frame pixels. */
void          lw_viewer_canvas_get_center   (LwViewerCanvas  *self,
                                             double          *x,
                                             double          *y);
/* The size a fitted picture is decoded at: the widget in device pixels. */
void          lw_viewer_canvas_get_box      (LwViewerCanvas  *self,
                                             int             *width,
                                             int             *height);
/* Shown at more device pixels per photo pixel than fit has: the full
 * level is wanted. */
gboolean      lw_viewer_canvas_wants_full   (LwViewerCanvas  *self);

/* Properties: "zoom" (double), "fitted" (boolean), "mode", "divider".
 * Signals: "box-changed" () the widget's size changed: fitted pictures of
 * another size are wanted. */

G_END_DECLS

/* lw-viewer-canvas.c — draws a result and its original through a divider,
 * zoomed and panned. */
#include "config.h"

#include <math.h>

#include "lw-viewer-canvas.h"

struct _LwViewerCanvas
{
  GtkWidget        parent_instance;

  LwViewerPicture *after_fit;
  LwViewerPicture *after_full;
  LwViewerPicture *before_fit;
  LwViewerPicture *before_full;
  int              frame_width;   /* full size of the result (else the original) */
  int              frame_height;

  LwViewerMode     mode;
  double           divider;
  gboolean         fitted;
  double           zoom;          /* device pixels per frame pixel, when not fitted */
  double           cx, cy;        /* frame point at the middle of the widget */
  int              box_width;     /* last allocation, device pixels */
  int              box_height;

  /* gestures */
  double           pointer_x, pointer_y;
  gboolean         drag_divider;
  gboolean         drag_pan;
  double           drag_x, drag_y;
  double           drag_cx, drag_cy;
};

G_DEFINE_FINAL_TYPE (LwViewerCanvas, lw_viewer_canvas, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ZOOM,
  PROP_FITTED,
  PROP_MODE,
  PROP_DIVIDER,
  N_PROPS
};

enum {
  BOX_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Within this many logical pixels of the divider, a drag moves it. */
#define DIVIDER_GRAB 24
#define KNOB_RADIUS 18

/* ---- geometry ------------------------------------------------------------- */

static double
scale_factor (LwViewerCanvas *self)
{
  return MAX (1, gtk_widget_get_scale_factor (GTK_WIDGET (self)));
}

double
lw_viewer_canvas_get_fit_zoom (LwViewerCanvas *self)
{
  double s = scale_factor (self);
  double w = gtk_widget_get_width (GTK_WIDGET (self)) * s, h = gtk_widget_get_height (GTK_WIDGET (self)) * s;

  if (self->frame_width <= 0 || self->frame_height <= 0 || w <= 0 || h <= 0)
    return 1.0;
  return MIN (w / self->frame_width, h / self->frame_height);
}

double
lw_viewer_canvas_get_zoom (LwViewerCanvas *self)
{
  return self->fitted ? lw_viewer_canvas_get_fit_zoom (self) : self->zoom;
}

/* Keeps the picture on screen: centred along an axis where it is smaller
 * than the widget, with no gap at the edges where it is larger. */
static void
clamp_center (LwViewerCanvas *self)
{
  double scale = lw_viewer_canvas_get_zoom (self) / scale_factor (self);
  double half_w = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0 / scale;
  double half_h = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0 / scale;

  if (self->fitted || half_w * 2 >= self->frame_width)
    self->cx = self->frame_width / 2.0;
  else
    self->cx = CLAMP (self->cx, half_w, self->frame_width - half_w);
  if (self->fitted || half_h * 2 >= self->frame_height)
    self->cy = self->frame_height / 2.0;
  else
    self->cy = CLAMP (self->cy, half_h, self->frame_height - half_h);
}

/* The frame's rectangle in widget coordinates, its origin on a device
 * pixel so a picture decoded at the shown size is copied, not filtered. */
static graphene_rect_t
frame_rect (LwViewerCanvas *self)
{
  double s = scale_factor (self);
  double scale = lw_viewer_canvas_get_zoom (self) / s;
  double x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0 - self->cx * scale;
  double y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0 - self->cy * scale;
  graphene_rect_t rect;

  graphene_rect_init (&rect, round (x * s) / s, round (y * s) / s,
                      round (self->frame_width * scale * s) / s, round (self->frame_height * scale * s) / s);
  return rect;
}

/* Where picture goes inside the frame's rectangle: fitted, centred (the
 * original when the model answered at another shape). */
static graphene_rect_t
contain (const graphene_rect_t *frame,
         int                    width,
         int                    height)
{
  double scale = MIN (frame->size.width / width, frame->size.height / height);
  graphene_rect_t rect;

  graphene_rect_init (&rect, 0, 0, width * scale, height * scale);
  rect.origin.x = frame->origin.x + (frame->size.width - rect.size.width) / 2;
  rect.origin.y = frame->origin.y + (frame->size.height - rect.size.height) / 2;
  return rect;
}

/* The level that has enough pixels for the zoom shown: fit when it does,
 * else full when it is there (fit, scaled up, meanwhile). */
static LwViewerPicture *
pick_level (LwViewerCanvas  *self,
            LwViewerPicture *fit,
            LwViewerPicture *full,
            double           shown_width)
{
  if (fit != NULL && (full == NULL || shown_width <= fit->width * 1.01))
    return fit;
  return full != NULL ? full : fit;
}

/* ---- drawing -------------------------------------------------------------- */

static void
draw_picture (LwViewerCanvas        *self,
              GtkSnapshot           *snapshot,
              LwViewerPicture       *fit,
              LwViewerPicture       *full,
              const graphene_rect_t *frame,
              const graphene_rect_t *clip)
{
  double s = scale_factor (self);
  LwViewerPicture *level;
  graphene_rect_t rect;
  double tile_w, tile_h;

  if (fit == NULL && full == NULL)
    return;
  level = fit != NULL ? fit : full;
  rect = contain (frame, level->full_width, level->full_height);
  level = pick_level (self, fit, full, rect.size.width * s);
  tile_w = rect.size.width * LW_VIEWER_TILE / level->width;
  tile_h = rect.size.height * LW_VIEWER_TILE / level->height;

  gtk_snapshot_push_clip (snapshot, clip);
  for (int r = 0; r < level->rows; r++)
    for (int c = 0; c < level->cols; c++)
      {
        GdkTexture *tile = level->tiles[r * level->cols + c];
        graphene_rect_t bounds;

        /* Tiles meet on device pixels: no seam between them. */
        bounds.origin.x = round ((rect.origin.x + c * tile_w) * s) / s;
        bounds.origin.y = round ((rect.origin.y + r * tile_h) * s) / s;
        bounds.size.width = round ((rect.origin.x + c * tile_w + tile_w * gdk_texture_get_width (tile) / LW_VIEWER_TILE) * s) / s
                            - bounds.origin.x;
        bounds.size.height = round ((rect.origin.y + r * tile_h + tile_h * gdk_texture_get_height (tile) / LW_VIEWER_TILE) * s) / s
                             - bounds.origin.y;
        /* Only what shows: the cairo renderer copies every tile it draws. */
        if (!graphene_rect_intersection (&bounds, clip, NULL))
          continue;
        gtk_snapshot_append_texture (snapshot, tile, &bounds);
      }
  gtk_snapshot_pop (snapshot);
}

static void
draw_divider (LwViewerCanvas *self,
              GtkSnapshot    *snapshot,
              double          x,
              double          height)
{
  GskRoundedRect knob;
  graphene_point_t middle = GRAPHENE_POINT_INIT (x, height / 2);
  GdkRGBA white = { 1, 1, 1, 0.95 }, shade = { 0, 0, 0, 0.35 }, ink = { 0.12, 0.12, 0.12, 1 };
  cairo_t *cr;

  gtk_snapshot_append_color (snapshot, &shade, &GRAPHENE_RECT_INIT (x - 2, 0, 4, height));
  gtk_snapshot_append_color (snapshot, &white, &GRAPHENE_RECT_INIT (x - 1, 0, 2, height));

  gsk_rounded_rect_init_from_rect (&knob, &GRAPHENE_RECT_INIT (x - KNOB_RADIUS, middle.y - KNOB_RADIUS,
                                                               2 * KNOB_RADIUS, 2 * KNOB_RADIUS), KNOB_RADIUS);
  gtk_snapshot_append_outset_shadow (snapshot, &knob, &shade, 0, 1, 0, 4);
  gtk_snapshot_push_rounded_clip (snapshot, &knob);
  gtk_snapshot_append_color (snapshot, &white, &knob.bounds);
  gtk_snapshot_pop (snapshot);

  /* ◂ ▸ on the knob: drag sideways. */
  cr = gtk_snapshot_append_cairo (snapshot, &knob.bounds);
  gdk_cairo_set_source_rgba (cr, &ink);
  cairo_move_to (cr, x - 4, middle.y - 6);
  cairo_line_to (cr, x - 11, middle.y);
  cairo_line_to (cr, x - 4, middle.y + 6);
  cairo_close_path (cr);
  cairo_move_to (cr, x + 4, middle.y - 6);
  cairo_line_to (cr, x + 11, middle.y);
  cairo_line_to (cr, x + 4, middle.y + 6);
  cairo_close_path (cr);
  cairo_fill (cr);
  cairo_destroy (cr);
}

static void
lw_viewer_canvas_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  LwViewerCanvas *self = LW_VIEWER_CANVAS (widget);
  double width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  graphene_rect_t frame, all = GRAPHENE_RECT_INIT (0, 0, width, height);
  gboolean has_after = self->after_fit != NULL || self->after_full != NULL;
  gboolean has_before = self->before_fit != NULL || self->before_full != NULL;
  LwViewerMode mode = self->mode;

  if (self->frame_width <= 0 || width <= 0 || height <= 0)
    return;
  clamp_center (self);
  frame = frame_rect (self);

  /* Nothing to compare with: what there is. */
  if (!has_after)
    mode = LW_VIEWER_MODE_BEFORE;
  else if (!has_before && mode != LW_VIEWER_MODE_AFTER)
    mode = LW_VIEWER_MODE_AFTER;

  switch (mode)
    {
    case LW_VIEWER_MODE_AFTER:
      draw_picture (self, snapshot, self->after_fit, self->after_full, &frame, &all);
      break;
    case LW_VIEWER_MODE_BEFORE:
      draw_picture (self, snapshot, self->before_fit, self->before_full, &frame, &all);
      break;
    case LW_VIEWER_MODE_SPLIT:
    default:
      {
        double x = round (width * self->divider);
        graphene_rect_t left = GRAPHENE_RECT_INIT (0, 0, x, height);
        graphene_rect_t right = GRAPHENE_RECT_INIT (x, 0, width - x, height);

        draw_picture (self, snapshot, self->before_fit, self->before_full, &frame, &left);
        draw_picture (self, snapshot, self->after_fit, self->after_full, &frame, &right);
        draw_divider (self, snapshot, x, height);
      }
      break;
    }
}

/* ---- size ----------------------------------------------------------------- */

static void
lw_viewer_canvas_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  *minimum = 64;
  *natural = 640;
}

static void
lw_viewer_canvas_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  LwViewerCanvas *self = LW_VIEWER_CANVAS (widget);
  int s = (int) scale_factor (self);

  clamp_center (self);
  if (width * s != self->box_width || height * s != self->box_height)
    {
      self->box_width = width * s;
      self->box_height = height * s;
      if (self->fitted)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
      g_signal_emit (self, signals[BOX_CHANGED], 0);
    }
}

/* ---- zoom and pan ----------------------------------------------------------- */

static void
set_zoom (LwViewerCanvas *self,
          gboolean        fitted,
          double          zoom)
{
  gboolean was_fitted = self->fitted;

  self->fitted = fitted;
  self->zoom = CLAMP (zoom, LW_VIEWER_ZOOM_MIN, LW_VIEWER_ZOOM_MAX);
  clamp_center (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (was_fitted != fitted)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FITTED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), lw_viewer_canvas_get_zoomed (self) ? "grab" : NULL);
}

void
lw_viewer_canvas_zoom_fit (LwViewerCanvas *self)
{
  g_return_if_fail (LW_IS_VIEWER_CANVAS (self));

  set_zoom (self, TRUE, lw_viewer_canvas_get_fit_zoom (self));
}

void
lw_viewer_canvas_zoom_to (LwViewerCanvas *self,
                          double          zoom,
                          double          x,
                          double          y)
{
  double s, old_scale, new_scale, fx, fy, fit;
  double width, height;

  g_return_if_fail (LW_IS_VIEWER_CANVAS (self));

  width = gtk_widget_get_width (GTK_WIDGET (self));
  height = gtk_widget_get_height (GTK_WIDGET (self));
  if (x < 0)
    {
      x = width / 2;
      y = height / 2;
    }
  s = scale_factor (self);
  clamp_center (self);
  old_scale = lw_viewer_canvas_get_zoom (self) / s;
  zoom = CLAMP (zoom, LW_VIEWER_ZOOM_MIN, LW_VIEWER_ZOOM_MAX);
  fit = lw_viewer_canvas_get_fit_zoom (self);
  /* Below the fitted size there is nothing more to see: it fits. A photo
   * smaller than the window is fitted larger than it is, and can still be
   * seen at 100 %. */
  if (fabs (zoom - fit) <= fit * 0.001 || zoom < MIN (fit, 1.0))
    {
      lw_viewer_canvas_zoom_fit (self);
      return;
    }
  /* The frame point under (x, y) stays under it. */
  fx = self->cx + (x - width / 2) / old_scale;
  fy = self->cy + (y - height / 2) / old_scale;
  new_scale = zoom / s;
  self->cx = fx - (x - width / 2) / new_scale;
  self->cy = fy - (y - height / 2) / new_scale;
  set_zoom (self, FALSE, zoom);
}

void
lw_viewer_canvas_zoom_by (LwViewerCanvas *self,
                          double          factor)
{
  lw_viewer_canvas_zoom_to (self, lw_viewer_canvas_get_zoom (self) * factor, -1, -1);
}

gboolean
lw_viewer_canvas_get_fitted (LwViewerCanvas *self)
{
  return self->fitted;
}

gboolean
lw_viewer_canvas_get_zoomed (LwViewerCanvas *self)
{
  return !self->fitted && self->zoom > lw_viewer_canvas_get_fit_zoom (self) * 1.001;
}

gboolean
lw_viewer_canvas_pan (LwViewerCanvas *self,
                      double          dx,
                      double          dy)
{
  double scale, old_x = self->cx, old_y = self->cy;

  g_return_val_if_fail (LW_IS_VIEWER_CANVAS (self), FALSE);

  if (!lw_viewer_canvas_get_zoomed (self))
    return FALSE;
  scale = lw_viewer_canvas_get_zoom (self) / scale_factor (self);
  self->cx -= dx / scale;
  self->cy -= dy / scale;
  clamp_center (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return fabs (self->cx - old_x) > 0.01 || fabs (self->cy - old_y) > 0.01;
}

void
lw_viewer_canvas_get_center (LwViewerCanvas *self,
                             double         *x,
                             double         *y)
{
  clamp_center (self);
  *x = self->cx;
  *y = self->cy;
}

void
lw_viewer_canvas_get_box (LwViewerCanvas *self,
                          int            *width,
                          int            *height)
{
  *width = self->box_width;
  *height = self->box_height;
}

gboolean
lw_viewer_canvas_wants_full (LwViewerCanvas *self)
{
  LwViewerPicture *fit = self->after_fit != NULL ? self->after_fit : self->before_fit;

  /* A photo smaller than the window is decoded whole already. */
  if (fit == NULL || fit->width >= fit->full_width)
    return FALSE;
  return lw_viewer_canvas_get_zoom (self) * self->frame_width > fit->width * 1.01;
}

/* ---- pictures --------------------------------------------------------------- */

static void
replace (LwViewerPicture **field,
         LwViewerPicture  *picture)
{
  if (*field == picture)
    return;
  if (picture != NULL)
    lw_viewer_picture_ref (picture);
  g_clear_pointer (field, lw_viewer_picture_unref);
  *field = picture;
}

void
lw_viewer_canvas_set_pictures (LwViewerCanvas  *self,
                               LwViewerPicture *after_fit,
                               LwViewerPicture *after_full,
                               LwViewerPicture *before_fit,
                               LwViewerPicture *before_full,
                               gboolean         keep_view)
{
  LwViewerPicture *frame;
  int old_width = self->frame_width, old_height = self->frame_height;

  g_return_if_fail (LW_IS_VIEWER_CANVAS (self));

  replace (&self->after_fit, after_fit);
  replace (&self->after_full, after_full);
  replace (&self->before_fit, before_fit);
  replace (&self->before_full, before_full);
  frame = after_fit != NULL ? after_fit : after_full != NULL ? after_full
          : before_fit != NULL ? before_fit : before_full;
  self->frame_width = frame != NULL ? frame->full_width : 0;
  self->frame_height = frame != NULL ? frame->full_height : 0;
  if (!keep_view || old_width != self->frame_width || old_height != self->frame_height)
    {
      if (!keep_view)
        lw_viewer_canvas_zoom_fit (self);
      else
        clamp_center (self);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lw_viewer_canvas_has_picture (LwViewerCanvas *self)
{
  return self->frame_width > 0;
}

void
lw_viewer_canvas_set_mode (LwViewerCanvas *self,
                           LwViewerMode    mode)
{
  g_return_if_fail (LW_IS_VIEWER_CANVAS (self));

  if (self->mode == mode)
    return;
  self->mode = mode;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

LwViewerMode
lw_viewer_canvas_get_mode (LwViewerCanvas *self)
{
  return self->mode;
}

void
lw_viewer_canvas_set_divider (LwViewerCanvas *self,
                              double          divider)
{
  g_return_if_fail (LW_IS_VIEWER_CANVAS (self));

  divider = CLAMP (divider, 0.0, 1.0);
  if (self->divider == divider)
    return;
  self->divider = divider;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIVIDER]);
}

double
lw_viewer_canvas_get_divider (LwViewerCanvas *self)
{
  return self->divider;
}

/* ---- input ------------------------------------------------------------------ */

static gboolean
near_divider (LwViewerCanvas *self,
              double          x)
{
  return self->mode == LW_VIEWER_MODE_SPLIT
         && fabs (x - gtk_widget_get_width (GTK_WIDGET (self)) * self->divider) <= DIVIDER_GRAB;
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           LwViewerCanvas           *self)
{
  const char *cursor = NULL;

  self->pointer_x = x;
  self->pointer_y = y;
  if (self->drag_divider || near_divider (self, x))
    cursor = "col-resize";
  else if (self->drag_pan)
    cursor = "grabbing";
  else if (lw_viewer_canvas_get_zoomed (self))
    cursor = "grab";
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), cursor);
}

static void
drag_begin_cb (GtkGestureDrag *drag,
               double          x,
               double          y,
               LwViewerCanvas *self)
{
  self->drag_x = x;
  self->drag_y = y;
  self->drag_divider = near_divider (self, x);
  self->drag_pan = !self->drag_divider && lw_viewer_canvas_get_zoomed (self);
  if (!self->drag_divider && !self->drag_pan)
    {
      gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  clamp_center (self);
  self->drag_cx = self->cx;
  self->drag_cy = self->cy;
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
drag_update_cb (GtkGestureDrag *drag,
                double          dx,
                double          dy,
                LwViewerCanvas *self)
{
  if (self->drag_divider)
    {
      double width = gtk_widget_get_width (GTK_WIDGET (self));

      if (width > 0)
        lw_viewer_canvas_set_divider (self, (self->drag_x + dx) / width);
    }
  else if (self->drag_pan)
    {
      double scale = lw_viewer_canvas_get_zoom (self) / scale_factor (self);

      self->cx = self->drag_cx - dx / scale;
      self->cy = self->drag_cy - dy / scale;
      clamp_center (self);
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
drag_end_cb (GtkGestureDrag *drag,
             double          dx,
             double          dy,
             LwViewerCanvas *self)
{
  self->drag_divider = FALSE;
  self->drag_pan = FALSE;
  motion_cb (NULL, self->pointer_x, self->pointer_y, self);
}

static gboolean
scroll_cb (GtkEventControllerScroll *scroll,
           double                    dx,
           double                    dy,
           LwViewerCanvas           *self)
{
  /* A wheel notch (dy ±1) is ×1.25; touchpads send fractions of it. */
  double factor = pow (1.25, -dy);

  if (dy == 0 || !lw_viewer_canvas_has_picture (self))
    return FALSE;
  lw_viewer_canvas_zoom_to (self, lw_viewer_canvas_get_zoom (self) * factor, self->pointer_x, self->pointer_y);
  return TRUE;
}

static void
click_pressed_cb (GtkGestureClick *click,
                  int              n_press,
                  double           x,
                  double           y,
                  LwViewerCanvas  *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (n_press != 2 || near_divider (self, x))
    return;
  /* Double click: 100 % at the pointer, or back to the fitted size. */
  if (lw_viewer_canvas_get_zoomed (self))
    lw_viewer_canvas_zoom_fit (self);
  else
    lw_viewer_canvas_zoom_to (self, 1.0, x, y);
}

/* ---- the object ------------------------------------------------------------- */

static void
lw_viewer_canvas_finalize (GObject *object)
{
  LwViewerCanvas *self = LW_VIEWER_CANVAS (object);

  g_clear_pointer (&self->after_fit, lw_viewer_picture_unref);
  g_clear_pointer (&self->after_full, lw_viewer_picture_unref);
  g_clear_pointer (&self->before_fit, lw_viewer_picture_unref);
  g_clear_pointer (&self->before_full, lw_viewer_picture_unref);

  G_OBJECT_CLASS (lw_viewer_canvas_parent_class)->finalize (object);
}

static void
lw_viewer_canvas_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LwViewerCanvas *self = LW_VIEWER_CANVAS (object);

  switch (prop_id)
    {
    case PROP_ZOOM: g_value_set_double (value, lw_viewer_canvas_get_zoom (self)); break;
    case PROP_FITTED: g_value_set_boolean (value, self->fitted); break;
    case PROP_MODE: g_value_set_int (value, self->mode); break;
    case PROP_DIVIDER: g_value_set_double (value, self->divider); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_viewer_canvas_class_init (LwViewerCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lw_viewer_canvas_finalize;
  object_class->get_property = lw_viewer_canvas_get_property;
  widget_class->snapshot = lw_viewer_canvas_snapshot;
  widget_class->measure = lw_viewer_canvas_measure;
  widget_class->size_allocate = lw_viewer_canvas_size_allocate;

  properties[PROP_ZOOM] = g_param_spec_double ("zoom", NULL, NULL, 0, G_MAXDOUBLE, 1, flags);
  properties[PROP_FITTED] = g_param_spec_boolean ("fitted", NULL, NULL, TRUE, flags);
  properties[PROP_MODE] = g_param_spec_int ("mode", NULL, NULL, LW_VIEWER_MODE_AFTER, LW_VIEWER_MODE_SPLIT,
                                            LW_VIEWER_MODE_AFTER, flags);
  properties[PROP_DIVIDER] = g_param_spec_double ("divider", NULL, NULL, 0, 1, 0.5, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[BOX_CHANGED] = g_signal_new ("box-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "viewer-canvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lw_viewer_canvas_init (LwViewerCanvas *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->fitted = TRUE;
  self->zoom = 1.0;
  self->divider = 0.5;
  self->mode = LW_VIEWER_MODE_AFTER;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

GtkWidget *
lw_viewer_canvas_new (void)
{
  return g_object_new (LW_TYPE_VIEWER_CANVAS, NULL);
}

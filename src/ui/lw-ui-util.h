/* lw-ui-util.h — small helpers the widgets share (motion, words for numbers). */
#pragma once

#include <adwaita.h>

#include "lw-types.h"

G_BEGIN_DECLS

/* FALSE when the system asks for reduced motion (gtk-enable-animations). */
gboolean  lw_ui_animations_enabled (GtkWidget *widget);

/* A spring from 0 to 1 driving value_cb; when motion is reduced it jumps to
 * the end at once (value_cb(1) is still called) and returns NULL. */
typedef void (*LwSpringFunc) (double value, gpointer user_data);
AdwAnimation *lw_ui_spring (GtkWidget    *widget,
                            double        from,
                            double        to,
                            double        damping_ratio,
                            double        stiffness,
                            LwSpringFunc  value_cb,
                            gpointer      user_data);

/* "just now", "5 min ago", "2 h ago", "yesterday", "12 Mar". */
char     *lw_ui_format_relative_time (gint64 then_ms, gint64 now_ms);
/* "45 s", "3 min", "1 h 20 min". */
char     *lw_ui_format_duration      (gint64 ms);
/* Words for a status, for chips and accessible names. */
const char *lw_ui_image_status_label (LwImageStatus status);
const char *lw_ui_job_status_label   (LwJobStatus status);
/* Why a job waits, in the window's words ("offline", "no working Gemini
 * API key"), for "Paused: %s"; NULL for no pause. */
const char *lw_ui_pause_reason       (const GError *pause);
/* "Nano Banana", "Nano Banana Pro", "Local" */
const char *lw_ui_model_label        (const char *model);
/* A context menu for row at (x, y) (row's coordinates), as a right click or
 * long press asks: parented to anchor (a widget that outlives the rows), no
 * arrow, unparented after it closed; claims the gesture's sequence (if
 * any). Returns the popover (owned by anchor). */
GtkWidget  *lw_ui_popup_menu         (GtkWidget  *anchor,
                                      GtkWidget  *row,
                                      GMenuModel *menu,
                                      double      x,
                                      double      y,
                                      GtkGesture *gesture);
/* Ctrl+Return (and the keypad's Enter) activates action on widget before
 * any child sees the key: a text view inside would take it for a newline. */
void        lw_ui_add_apply_shortcut (GtkWidget  *widget,
                                      const char *action);

/* Whether dropdown (over a GtkStringList) may show its choice cut short
 * with "…", so that it can shrink with a narrow window; the list still
 * shows the whole names. Off, it asks for the whole name. */
void        lw_ui_dropdown_set_ellipsize (GtkDropDown *dropdown,
                                          gboolean     ellipsize);

G_END_DECLS

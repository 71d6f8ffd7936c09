/* lw-command-dock.h — the floating dock over the canvas: Launch, Cancel,
 * Save All and live progress. */
#pragma once

#include <adwaita.h>

#include "lw-types.h"

G_BEGIN_DECLS

#define LW_TYPE_COMMAND_DOCK (lw_command_dock_get_type ())
G_DECLARE_FINAL_TYPE (LwCommandDock, lw_command_dock, LW, COMMAND_DOCK, GtkWidget)

GtkWidget  *lw_command_dock_new          (void);
/* counts: the job's; in_flight: requests running; eta_ms -1 = unknown;
 * cost < 0 hides the cost (free models). Not running with requests in
 * flight is a cancelled job's requests landing: "Finishing 2 in flight…"
 * and Stop Now. */
void        lw_command_dock_set_progress (LwCommandDock     *self,
                                          const LwJobCounts *counts,
                                          guint              in_flight,
                                          gint64             eta_ms,
                                          double             cost,
                                          gboolean           running);
/* What a launch will cost, shown while the job does not run ("About
 * $4.20 for 125 photos"); NULL shows none (free models). Takes effect at
 * the next set_progress. */
void        lw_command_dock_set_projection (LwCommandDock   *self,
                                          const char        *text);
/* The pause holding the job (reason in the window's words), or NULL; the
 * next lw_command_dock_set_progress shows it instead of "running". */
void        lw_command_dock_set_paused   (LwCommandDock     *self,
                                          const char        *reason);
/* Photos of an economy job waiting in Google's batches (not in flight:
 * no request of ours is open for them); 0 for none. */
void        lw_command_dock_set_at_google (LwCommandDock   *self,
                                          guint            n);
/* Save All progress; total 0 ends it. */
void        lw_command_dock_set_saving   (LwCommandDock     *self,
                                          guint              done,
                                          guint              total);
/* Springs the dock in or out (at once when motion is reduced). */
void        lw_command_dock_set_revealed (LwCommandDock     *self,
                                          gboolean           revealed);
gboolean    lw_command_dock_get_revealed (LwCommandDock     *self);
/* Narrow windows: the progress above the buttons, edge to edge. */
void        lw_command_dock_set_narrow   (LwCommandDock     *self,
                                          gboolean           narrow);
/* Launch's key hint ("Ctrl+Return"): only where the dock has the room. */
void        lw_command_dock_show_key_hint (LwCommandDock    *self,
                                          gboolean           show);
/* Puts the keyboard on the dock's most useful button (Stop Now while
 * requests land, Save All, Launch, Cancel); FALSE when none can take it. */
gboolean    lw_command_dock_focus        (LwCommandDock     *self);
/* Shown while a cancelled job's requests land (win.stop-now). */
GtkWidget  *lw_command_dock_get_stop_now_button (LwCommandDock *self);
GtkWidget  *lw_command_dock_get_cancel_button (LwCommandDock *self);
GtkWidget  *lw_command_dock_get_save_button (LwCommandDock  *self);
const char *lw_command_dock_get_summary  (LwCommandDock     *self);
const char *lw_command_dock_get_detail   (LwCommandDock     *self);

G_END_DECLS

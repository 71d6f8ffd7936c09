/* lw-window-testing.h — the few widgets of LwWindow that the UI tests, the
 * screenshots and the benchmark drive or read. Not for the application's
 * own code: the window's state is its session's (lw_window_get_session). */
#pragma once

#include "lw-command-dock.h"
#include "lw-drop-zone.h"
#include "lw-module-editor.h"
#include "lw-prompt-editor.h"
#include "lw-sidebar.h"
#include "lw-staging-grid.h"
#include "lw-status-banner.h"
#include "lw-texture-cache.h"
#include "lw-viewer.h"
#include "lw-window.h"

G_BEGIN_DECLS

LwStagingGrid  *lw_window_get_staging_grid        (LwWindow *self);
LwStatusBanner *lw_window_get_banner              (LwWindow *self);
LwPromptEditor *lw_window_get_prompt_editor       (LwWindow *self);
LwModuleEditor *lw_window_get_module_editor       (LwWindow *self);
LwCommandDock  *lw_window_get_dock                (LwWindow *self);
LwDropZone     *lw_window_get_drop_zone           (LwWindow *self);
LwSidebar      *lw_window_get_sidebar             (LwWindow *self);
LwTextureCache *lw_window_get_cache               (LwWindow *self);
/* The open dialog of the module and key commands, or NULL. */
GtkWidget      *lw_window_get_dialog              (LwWindow *self);
/* The open Add Photos, Add Folders or Save All chooser, or NULL. */
GtkFileChooserNative *lw_window_get_chooser       (LwWindow *self);
/* The photos' context menu (right click, Shift+F10, Menu). */
GtkWidget      *lw_window_get_tile_popover        (LwWindow *self);
/* The photo viewer, NULL before the first win.view. */
LwViewer       *lw_window_get_viewer              (LwWindow *self);
GtkWidget      *lw_window_get_canvas_stack        (LwWindow *self);
GtkWidget      *lw_window_get_job_name_label      (LwWindow *self);
GtkWidget      *lw_window_get_model_dropdown      (LwWindow *self);
/* lw-window-economy.c: the mode switch (0 Fast, 1 Economy), the batches
 * button and its list (a row a batch, newest first, named by state). */
GtkWidget      *lw_window_get_mode_dropdown       (LwWindow *self);
GtkWidget      *lw_window_get_batches_button      (LwWindow *self);
GtkWidget      *lw_window_get_batch_list          (LwWindow *self);
GtkWidget      *lw_window_get_module_prompt_button (LwWindow *self);
/* The count labels of the filter tabs. */
GtkWidget      *lw_window_get_count_all           (LwWindow *self);
GtkWidget      *lw_window_get_count_pending       (LwWindow *self);
GtkWidget      *lw_window_get_count_done          (LwWindow *self);
GtkWidget      *lw_window_get_count_failed        (LwWindow *self);
GtkWidget      *lw_window_get_count_accepted      (LwWindow *self);
GtkWidget      *lw_window_get_count_rejected      (LwWindow *self);
/* The Accepted tab (shown once something is done). */
GtkWidget      *lw_window_get_filter_accepted     (LwWindow *self);
/* The title of the last toast added (toasts queue behind the one shown). */
const char     *lw_window_get_last_toast          (LwWindow *self);
/* Where the Save All chooser opens: the job's out_dir, else the folder
 * Save All saved into last (ui.save_folder); NULL when neither exists. */
char           *lw_window_dup_save_folder         (LwWindow *self);
/* A key is on its way to the keyring. */
gboolean        lw_window_get_storing_key         (LwWindow *self);
GtkDropTarget  *lw_window_get_drop_target         (LwWindow *self);
/* Frame clock: the longest gap between two frames (LW_MEASURE_FRAMES). */
gint64          lw_window_get_longest_stall_us    (LwWindow *self);

/* Brings counts, dock, sidebar and actions in step with the session now
 * (they follow it at most every 100 ms). */
void            lw_window_refresh_now             (LwWindow *self);
/* Every accelerator the window binds, for the shortcuts window and its test:
 * pairs of (detailed action, accelerator), NULL-terminated. */
const char * const *lw_window_get_accels          (void);

G_END_DECLS

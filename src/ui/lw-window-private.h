/* lw-window-private.h — LwWindow's instance, shared by the files that split
 * the class by concern: lw-window.c (widgets in step with the session),
 * lw-window-actions.c (every command and its key), lw-window-dnd.c (drop,
 * paste, file chooser, ingest). */
#pragma once

#include "lw-command-dock.h"
#include "lw-drop-zone.h"
#include "lw-image-item.h"
#include "lw-job-session.h"
#include "lw-module-editor.h"
#include "lw-prompt-editor.h"
#include "lw-sidebar.h"
#include "lw-staging-grid.h"
#include "lw-status-banner.h"
#include "lw-texture-cache.h"
#include "lw-viewer.h"
#include "lw-window.h"
#include "lw-window-testing.h"

G_BEGIN_DECLS

typedef struct _LwWindowEconomy LwWindowEconomy;

struct _LwWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;   /* window geometry; NULL without the schema */

  /* template */
  AdwToastOverlay      *toast_overlay;
  AdwFlap              *flap;
  LwSidebar            *sidebar;
  GtkWidget            *sidebar_button;
  GtkWidget            *job_name_label;
  GtkWidget            *filter_tabs;
  GtkWidget            *count_all;
  GtkWidget            *count_pending;
  GtkWidget            *count_done;
  GtkWidget            *count_failed;
  GtkWidget            *filter_accepted;
  GtkWidget            *filter_rejected;
  GtkWidget            *count_accepted;
  GtkWidget            *count_rejected;
  GtkWidget            *model_dropdown;
  GtkWidget            *tile_scale;
  GtkAdjustment        *tile_adjustment;
  LwStatusBanner       *banner;
  GtkWidget            *canvas;
  GtkWidget            *canvas_stack;
  LwDropZone           *drop_zone;
  LwStagingGrid        *staging_grid;
  LwCommandDock        *dock;
  GMenuModel           *tile_menu;
  GtkWidget            *module_prompt_button;
  GtkWidget            *filter_empty_page;
  GtkWidget            *filter_menu_button;  /* the tabs' twin when they do not fit */
  GtkWidget            *crumb_root;
  GtkWidget            *crumb_separator;
  GtkWidget            *tile_size_box;
  GtkWidget            *filter_slot;    /* the header's places of the filter menu and the model */
  GtkWidget            *model_slot;
  GtkWidget            *narrow_bar;     /* their row under the header in narrow windows */
  int                   wide_width;     /* the smallest width of the wide layout */

  /* owned */
  LwJobs               *jobs;
  LwJobSession         *session;        /* the open job: items, counts, undo */
  LwTextureCache       *cache;
  LwPromptEditor       *prompt_editor;
  LwModuleEditor       *module_editor;  /* owned by module_prompt_button */
  GtkWidget            *dialog;         /* the open dialog of lw-window-modules.c (weak) */
  LwViewer             *viewer;         /* made at the first win.view (weak: destroyed with the window) */
  gboolean              storing_key;    /* a key is on its way to the keyring */
  GtkWidget            *tile_popover;
  GtkDropTarget        *drop_target;
  guint                 grow_id;        /* moves the session's incoming items in, a batch a frame */
  gint64                grow_frame;     /* frame counter at the last batch (-1: not shown) */
  guint                 grow_tiles;     /* tiles the grid had before the last batch */
  guint                 grow_waits;     /* turns without a frame since the last batch */
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;
  char                 *filter_name;    /* "all", "pending", "done", "failed", "accepted", "rejected" */
  gboolean              closing;        /* the close was answered: close for real */
  AdwToast             *removal_toast;
  GCancellable         *cancellable;    /* exports of this window */
  gboolean              updating_ui;
  GtkWidget            *last_focus;     /* weak: the focus outside popovers, to come back to */
  guint                 focus_idle;
  GtkFileChooserNative *chooser;        /* weak: the open Add Photos/Folders or Save All chooser */
  gboolean              focus_canvas_pending;  /* the focus goes to the canvas's next page */
  GtkWidget            *popup_focus;    /* weak: the focus when a popover opened, given back at its close */
  guint                 tick_id;
  gint64                last_frame_us;
  gint64                longest_stall_us; /* frame clock: the longest gap (benchmark) */
  char                 *last_toast;     /* the title of the last toast (tests) */
  LwWindowEconomy      *economy;        /* lw-window-economy.c */
};

/* lw-window.c */
LwImageItem *lw_window_find_item         (LwWindow *self, gint64 image_id);
void        lw_window_toast              (LwWindow *self, const char *title);
void        lw_window_add_toast          (LwWindow *self, AdwToast *toast);
/* Shows error's message, unless it is a cancellation. */
void        lw_window_toast_error        (LwWindow *self, const GError *error);
void        lw_window_update_canvas      (LwWindow *self);
void        lw_window_select_module      (LwWindow *self, const char *module_id);
void        lw_window_set_model          (LwWindow *self, const char *model);
void        lw_window_set_filter         (LwWindow *self, const char *name);
void        lw_window_reload_modules     (LwWindow *self);
void        lw_window_sync_header        (LwWindow *self);

/* lw-window-status.c */
void        lw_window_refresh_jobs       (LwWindow *self);
void        lw_window_update_banner      (LwWindow *self);

/* lw-window-actions.c */
void        lw_window_class_init_actions (GtkWidgetClass *widget_class);
void        lw_window_init_actions       (LwWindow *self);
void        lw_window_update_actions     (LwWindow *self);

/* lw-window-modules.c */
/* An AdwMessageDialog over the window, one at a time (tests reach it
 * through lw_window_get_dialog). */
GtkWidget  *lw_window_new_dialog         (LwWindow *self, const char *heading, const char *body);
void        lw_window_class_init_module_actions (GtkWidgetClass *widget_class);
void        lw_window_init_modules       (LwWindow *self);
void        lw_window_dispose_modules    (LwWindow *self);
/* lw-window-state.c */
void        lw_window_init_state         (LwWindow *self);
void        lw_window_update_module_actions (LwWindow *self);

/* lw-window-adaptive.c: the layout for the window's width */
void        lw_window_init_adaptive      (LwWindow *self);

/* lw-window-focus.c: the focus put back when GTK drops it; Escape's
 * question before stopping a paid batch */
void        lw_window_class_init_focus   (GtkWidgetClass *widget_class);
void        lw_window_init_focus         (LwWindow *self);
void        lw_window_dispose_focus      (LwWindow *self);
/* lw_window_focus_photos once the canvas shows a page other than the
 * grid (a new job's drop zone). */
void        lw_window_focus_photos_later (LwWindow *self);
/* Pops popover up; at its close the focus goes back where it was. */
void        lw_window_popup              (LwWindow *self, GtkWidget *popover);

/* lw-window-views.c: the sidebar's button, an empty filter's page, toasts
 * above the dock */
void        lw_window_init_views         (LwWindow *self);
/* The canvas's page for the job's items and the filter. */
const char *lw_window_canvas_page        (LwWindow *self, gboolean has_items);

/* lw-window-dnd.c */
void        lw_window_init_dnd           (LwWindow *self);
/* Stages paths (files and folders) into the job, creating it first when
 * new_job or there is none. Returns at once; tiles appear as files land. */
void        lw_window_stage_paths        (LwWindow *self, const char * const *paths, gboolean new_job);
void        lw_window_stage_files        (LwWindow *self, GSList *files, gboolean new_job);
void        lw_window_choose_files       (LwWindow *self, gboolean folders);
void        lw_window_paste              (LwWindow *self);
void        lw_window_save_all_to        (LwWindow *self, const char *dir, LwExportSelection selection);
void        lw_window_choose_save_folder (LwWindow *self, LwExportSelection selection);

/* lw-window-review.c */
/* Accepts, rejects or undecides the selected finished photos. */
void        lw_window_review             (LwWindow *self, LwReview review);
/* Save All: with accepted photos, asks whether to save all or only those. */
void        lw_window_ask_save           (LwWindow *self);
/* An instruction landed on finished photos: asks whether to redo them. */
void        lw_window_ask_redo           (LwWindow *self, GPtrArray *items);
/* A trial run of the selection, or of the first LW_TRIAL_SIZE photos. */
void        lw_window_trial              (LwWindow *self);
/* "About $4.20 for 125 photos" before a paid model is launched, else NULL. */
char       *lw_window_dup_projection_text (LwWindow *self);
void        lw_window_init_review        (LwWindow *self);
/* Closing while the job runs: asks whether to keep running in the
 * background; TRUE when the close waits for that answer. */
gboolean    lw_window_ask_keep_running   (LwWindow *self);

/* lw-window-economy.c: the job's mode (Fast, Economy), its batches,
 * win.try-failed-live */
void        lw_window_class_init_economy (GtkWidgetClass *widget_class);
void        lw_window_init_economy       (LwWindow *self);
void        lw_window_dispose_economy    (LwWindow *self);

/* lw-window-testing.c: with LW_MEASURE_FRAMES set, the longest gap between
 * frames, for the benchmark */
void        lw_window_init_frame_stats   (LwWindow *self);


G_END_DECLS

/* lw-window-private.h — LwWindow's instance, shared by the files that split
 * the class by concern: lw-window.c (state, job, queue signals),
 * lw-window-actions.c (every command and its key), lw-window-dnd.c (drop,
 * paste, file chooser, ingest). */
#pragma once

#include "lw-command-dock.h"
#include "lw-drop-zone.h"
#include "lw-image-item.h"
#include "lw-module-editor.h"
#include "lw-prompt-editor.h"
#include "lw-sidebar.h"
#include "lw-staging-grid.h"
#include "lw-status-banner.h"
#include "lw-texture-cache.h"
#include "lw-window.h"

G_BEGIN_DECLS

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

  /* owned */
  LwCore               *core;
  LwScheduler          *scheduler;
  LwTextureCache       *cache;
  LwPromptEditor       *prompt_editor;
  LwModuleEditor       *module_editor;  /* owned by module_prompt_button */
  GtkWidget            *dialog;         /* the open dialog of lw-window-modules.c (weak) */
  gboolean              storing_key;    /* a key is on its way to the keyring */
  GtkWidget            *tile_popover;
  GtkDropTarget        *drop_target;
  GListStore           *items;          /* LwImageItem, in position order */
  GPtrArray            *incoming;       /* LwImageItem on their way into items */
  guint                 grow_id;        /* moves incoming into items, a batch a frame */
  gint64                grow_frame;     /* frame counter at the last batch (-1: not shown) */
  guint                 grow_tiles;     /* tiles the grid had before the last batch */
  guint                 grow_waits;     /* turns without a frame since the last batch */
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;
  char                 *filter_name;    /* "all", "pending", "done", "failed" */
  GHashTable           *items_by_id;    /* gint64* → LwImageItem (unowned) */
  GHashTable           *items_by_path;  /* source path → LwImageItem, while staging */
  LwJob                *job;            /* NULL: nothing staged yet */
  char                 *module_id;      /* the module new jobs get */
  char                 *model;          /* the model new jobs get */
  LwJobCounts           counts;
  GArray               *finish_times;   /* monotonic µs of recent finishes, for the ETA */
  GPtrArray            *pending_removal;/* LwImageItem removed, waiting for the toast to go */
  AdwToast             *removal_toast;
  GCancellable         *cancellable;    /* ingests, loads and exports of this window */
  guint                 n_ingests;      /* running */
  guint                 load_serial;    /* bumps when another job is shown */
  guint                 refresh_id;     /* debounced counts/dock/sidebar refresh */
  gboolean              refresh_filter;
  gboolean              refresh_jobs;
  guint                 export_total;
  gboolean              exporting;
  gboolean              updating_ui;
  gulong                scheduler_handlers[4];
  guint                 tick_id;
  gint64                last_frame_us;
  gint64                longest_stall_us; /* frame clock: the longest gap (benchmark) */
};

/* lw-window.c */
LwStore    *lw_window_get_store          (LwWindow *self);
LwBlobStore *lw_window_get_blobs         (LwWindow *self);
gint64      lw_window_now                (LwWindow *self);
/* Creates the job (module, model of the window) when there is none. */
gboolean    lw_window_ensure_job         (LwWindow *self, GError **error);
void        lw_window_show_job           (LwWindow *self, LwJob *job /* taken, NULL = new */);
void        lw_window_item_added         (LwWindow *self, LwImageItem *item);
/* Appends items (refs taken) to the grid's model: the first batch now, the
 * rest a batch a frame (see lw-window.c). flush puts all of them in now;
 * forget_item takes one out of the way in, TRUE if it was there. */
void        lw_window_append_items       (LwWindow *self, GPtrArray *items);
void        lw_window_flush_items        (LwWindow *self);
gboolean    lw_window_forget_item        (LwWindow *self, LwImageItem *item);
void        lw_window_queue_refresh      (LwWindow *self, gboolean filter, gboolean jobs);
void        lw_window_refresh_now        (LwWindow *self);
void        lw_window_toast              (LwWindow *self, const char *title);
void        lw_window_update_canvas      (LwWindow *self);
void        lw_window_select_module      (LwWindow *self, const char *module_id);
void        lw_window_set_model          (LwWindow *self, const char *model);
void        lw_window_set_filter         (LwWindow *self, const char *name);
void        lw_window_commit_removals    (LwWindow *self);
void        lw_window_reload_modules     (LwWindow *self);
LwImageItem *lw_window_find_item         (LwWindow *self, gint64 image_id);

/* lw-window-actions.c */
void        lw_window_class_init_actions (GtkWidgetClass *widget_class);
void        lw_window_update_actions     (LwWindow *self);
/* Every accelerator the window binds, for the shortcuts window and its test:
 * pairs of (detailed action, accelerator), NULL-terminated. */
const char * const *lw_window_get_accels (void);

/* lw-window-modules.c */
void        lw_window_class_init_module_actions (GtkWidgetClass *widget_class);
void        lw_window_init_modules       (LwWindow *self);
void        lw_window_dispose_modules    (LwWindow *self);
/* lw-window-state.c */
void        lw_window_init_state         (LwWindow *self);
void        lw_window_update_module_actions (LwWindow *self);

/* lw-window-dnd.c */
void        lw_window_init_dnd           (LwWindow *self);
/* Stages paths (files and folders) into the job, creating it first when
 * new_job or there is none. Returns at once; tiles appear as files land. */
void        lw_window_stage_paths        (LwWindow *self, const char * const *paths, gboolean new_job);
void        lw_window_stage_files        (LwWindow *self, GSList *files, gboolean new_job);
void        lw_window_choose_files       (LwWindow *self);
void        lw_window_paste              (LwWindow *self);
void        lw_window_save_all_to        (LwWindow *self, const char *dir);
void        lw_window_choose_save_folder (LwWindow *self);
GtkDropTarget *lw_window_get_drop_target (LwWindow *self);

G_END_DECLS

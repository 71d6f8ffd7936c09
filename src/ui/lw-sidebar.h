/* lw-sidebar.h — the fixed sidebar: the LightWork mark, the module list,
 * recent jobs and the engine's state with the version. */
#pragma once

#include <gtk/gtk.h>

#include "lw-module-list.h"
#include "lw-types.h"

G_BEGIN_DECLS

#define LW_TYPE_SIDEBAR (lw_sidebar_get_type ())
G_DECLARE_FINAL_TYPE (LwSidebar, lw_sidebar, LW, SIDEBAR, GtkWidget)

typedef enum {
  LW_ENGINE_STATE_IDLE,
  LW_ENGINE_STATE_RUNNING,
  LW_ENGINE_STATE_PAUSED,
  LW_ENGINE_STATE_OFFLINE,
} LwEngineState;

GtkWidget    *lw_sidebar_new             (void);
LwModuleList *lw_sidebar_get_module_list (LwSidebar     *self);
/* jobs: LwJob, newest first; counts: one per job (same order); paused:
 * NULL, or one per job: why it waits (lw_ui_pause_reason), or NULL. */
void          lw_sidebar_set_jobs        (LwSidebar          *self,
                                          GPtrArray          *jobs,
                                          const LwJobCounts  *counts,
                                          const char * const *paused,
                                          gint64              now_ms,
                                          gint64              current_job_id);
/* The details line of the index-th job row ("3 photos · Paused: offline"). */
const char   *lw_sidebar_get_job_details (LwSidebar     *self,
                                          guint          index);
guint         lw_sidebar_get_n_jobs      (LwSidebar     *self);
void          lw_sidebar_set_engine_status (LwSidebar   *self,
                                          LwEngineState  state,
                                          const char    *text);
const char   *lw_sidebar_get_engine_status (LwSidebar   *self);
/* Opens the context menu of the index-th job row (Rename…, Delete…), as a
 * right click does; returns its popover, or NULL without such a row. */
GtkWidget    *lw_sidebar_popup_job_menu  (LwSidebar     *self,
                                          guint          index);

G_END_DECLS

/* lw-module-list.h — the sidebar's module navigation: icon, name, one-line
 * description and the Ctrl+N that selects it. */
#pragma once

#include <gtk/gtk.h>

#include "lw-types.h"

G_BEGIN_DECLS

#define LW_TYPE_MODULE_LIST (lw_module_list_get_type ())
G_DECLARE_FINAL_TYPE (LwModuleList, lw_module_list, LW, MODULE_LIST, GtkWidget)

GtkWidget  *lw_module_list_new         (void);
/* modules: LwModule, by position (copied). */
void        lw_module_list_set_modules (LwModuleList *self,
                                        GPtrArray    *modules);
guint       lw_module_list_get_n_modules (LwModuleList *self);
/* The module at index (0-based), or NULL. */
const LwModule *lw_module_list_get_module (LwModuleList *self,
                                        guint         index);
const LwModule *lw_module_list_find    (LwModuleList *self,
                                        const char   *id);
void        lw_module_list_select      (LwModuleList *self,
                                        const char   *id);
const char *lw_module_list_get_selected (LwModuleList *self);
/* Opens the context menu of the index-th module row (Duplicate, Delete…),
 * as a right click does; returns its popover, or NULL without such a row. */
GtkWidget  *lw_module_list_popup_menu   (LwModuleList *self,
                                         guint         index);

G_END_DECLS

/* lw-drop-zone.h — the resting state of the canvas: a large target for
 * photos and folders. The drop itself is handled by the window's drop
 * target (lw-window-dnd.c) so the grid accepts drops too. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LW_TYPE_DROP_ZONE (lw_drop_zone_get_type ())
G_DECLARE_FINAL_TYPE (LwDropZone, lw_drop_zone, LW, DROP_ZONE, GtkWidget)

GtkWidget *lw_drop_zone_new         (void);
/* A drag hovers the window: the zone lifts toward it. */
void       lw_drop_zone_set_hover   (LwDropZone *self,
                                     gboolean    hover);
gboolean   lw_drop_zone_get_hover   (LwDropZone *self);
/* Narrow windows stack the buttons. */
void       lw_drop_zone_set_narrow  (LwDropZone *self,
                                     gboolean    narrow);
/* The module the photos will go through ("Food Enhancer"). */
void       lw_drop_zone_set_module  (LwDropZone *self,
                                     const char *module_name);

G_END_DECLS

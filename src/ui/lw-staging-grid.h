/* lw-staging-grid.h — the active state of the canvas: a virtualised grid of
 * LwImageTile over a GListModel of LwImageItem. */
#pragma once

#include <gtk/gtk.h>

#include "lw-image-item.h"
#include "lw-image-tile.h"
#include "lw-texture-cache.h"

G_BEGIN_DECLS

#define LW_TYPE_STAGING_GRID (lw_staging_grid_get_type ())
G_DECLARE_FINAL_TYPE (LwStagingGrid, lw_staging_grid, LW, STAGING_GRID, GtkWidget)

#define LW_TILE_SIZE_MIN     120
#define LW_TILE_SIZE_MAX     360
#define LW_TILE_SIZE_DEFAULT 200

GtkWidget  *lw_staging_grid_new           (void);
/* Must be called once before a model is set. */
void        lw_staging_grid_setup         (LwStagingGrid  *self,
                                           LwTextureCache *cache,
                                           const char     *blob_root);
void        lw_staging_grid_set_model     (LwStagingGrid  *self,
                                           GListModel     *items);
GtkSelectionModel *lw_staging_grid_get_selection (LwStagingGrid *self);
/* The selected items, in grid order (LwImageItem, owned by the array). */
GPtrArray  *lw_staging_grid_get_selected  (LwStagingGrid  *self);
void        lw_staging_grid_set_tile_size (LwStagingGrid  *self,
                                           int             size);
int         lw_staging_grid_get_tile_size (LwStagingGrid  *self);
/* Where a popover about the selection should point, in the grid's
 * coordinates: the focused tile if it shows, else the middle. */
void        lw_staging_grid_get_focus_rect (LwStagingGrid *self,
                                           GdkRectangle   *rect);
GtkWidget  *lw_staging_grid_get_grid_view (LwStagingGrid  *self);
/* Tiles bound right now, and how many of them show a picture (benchmark). */
/* Tile widgets the grid has made (bound or not). */
guint       lw_staging_grid_get_n_tiles   (LwStagingGrid  *self);
LwImageTile *lw_staging_grid_get_nth_tile (LwStagingGrid  *self,
                                           guint           i);
void        lw_staging_grid_count_tiles   (LwStagingGrid  *self,
                                           guint          *n_bound,
                                           guint          *n_with_texture);

G_END_DECLS

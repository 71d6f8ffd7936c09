/* lw-image-tile.h — one photo in the staging grid: thumbnail (the result once
 * done), a status chip, a mark when it has its own instruction. */
#pragma once

#include <gtk/gtk.h>

#include "lw-image-item.h"
#include "lw-texture-cache.h"

G_BEGIN_DECLS

#define LW_TYPE_IMAGE_TILE (lw_image_tile_get_type ())
G_DECLARE_FINAL_TYPE (LwImageTile, lw_image_tile, LW, IMAGE_TILE, GtkWidget)

/* blob_root: the blob store's folder (keys are paths relative to it). */
GtkWidget   *lw_image_tile_new        (LwTextureCache *cache,
                                       const char     *blob_root);
/* NULL unbinds. */
void         lw_image_tile_set_item   (LwImageTile    *self,
                                       LwImageItem    *item);
LwImageItem *lw_image_tile_get_item   (LwImageTile    *self);
void         lw_image_tile_set_tile_size (LwImageTile *self,
                                       int             size);
/* Whether a thumbnail or result is showing (tests, benchmark). */
gboolean     lw_image_tile_has_texture (LwImageTile   *self);
GdkTexture  *lw_image_tile_get_texture (LwImageTile   *self);
void         lw_image_tile_get_frame_size (LwImageTile *self,
                                           int         *width,
                                           int         *height);
/* The chip's words ("Done", "Retry in 12 s"). */
const char  *lw_image_tile_get_chip_text (LwImageTile *self);

/* What a screen reader says of the tile (and of its focusable list item):
 * name, state, the review ("accepted"), a failure's or refusal's reason,
 * the photo's own instruction: "a.jpg, Done, accepted". */
char        *lw_image_tile_dup_accessible_label (LwImageTile *self);

G_END_DECLS

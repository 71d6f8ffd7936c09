/* lw-viewer-loader.h — photos for the viewer, decoded off the main thread at
 * the size they are shown, kept in a small LRU for flipping.
 *
 * A 24 MP photo is 96 MB of pixels and its decode takes ~90 ms even with the
 * JPEG loader's DCT scaling (docs/ARCHITECTURE.md, "Platform facts"), so
 * the main thread never decodes: a worker decodes, turns the photo upright
 * (EXIF orientation), scales it into the box asked for and cuts it into
 * tiles of premultiplied textures, which the main thread only draws.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* One decoded level of a photo: upright, width × height pixels, in tiles of
 * LW_VIEWER_TILE² (the last row and column smaller). Immutable; any thread. */
typedef struct {
  int          width;
  int          height;
  int          full_width;   /* the photo's own size, upright */
  int          full_height;
  int          cols;
  int          rows;
  GdkTexture **tiles;        /* cols × rows, row by row */
} LwViewerPicture;

/* A tile is at most this many pixels a side: the cairo renderer copies the
 * tiles it draws on every frame, so at 100 % only what shows is copied (a
 * whole 24 MP texture is 96 MB a frame). */
#define LW_VIEWER_TILE 1024

LwViewerPicture *lw_viewer_picture_ref   (LwViewerPicture *picture);
void             lw_viewer_picture_unref (LwViewerPicture *picture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwViewerPicture, lw_viewer_picture_unref)

/* Called on the main thread; picture NULL with error when it could not be
 * decoded. */
typedef void (*LwViewerPictureFunc) (LwViewerPicture *picture,
                                     const GError    *error,
                                     gpointer         user_data);

#define LW_TYPE_VIEWER_LOADER (lw_viewer_loader_get_type ())
G_DECLARE_FINAL_TYPE (LwViewerLoader, lw_viewer_loader, LW, VIEWER_LOADER, GObject)

/* max_bytes: what the LRU keeps of pictures nobody shows. */
LwViewerLoader *lw_viewer_loader_new       (gsize                max_bytes);
/* The picture of path fitted into box_width × box_height device pixels
 * (never larger than the photo; 0 × 0 = its full size). func is called
 * once: at once when cached (returns 0), else later from the main loop.
 * func NULL prefetches. Requests of a higher priority are decoded first;
 * the newest first among equals (what the user looks at now). */
guint           lw_viewer_loader_request   (LwViewerLoader      *self,
                                            const char          *path,
                                            int                  box_width,
                                            int                  box_height,
                                            int                  priority,
                                            LwViewerPictureFunc  func,
                                            gpointer             user_data);
/* func will not be called; a decode nobody else wants is skipped or
 * abandoned. */
void            lw_viewer_loader_cancel    (LwViewerLoader      *self,
                                            guint                id);
/* Decodes finished since the loader was made (benchmark, tests). */
guint           lw_viewer_loader_get_n_decoded (LwViewerLoader  *self);
guint           lw_viewer_loader_get_n_pending (LwViewerLoader  *self);

G_END_DECLS

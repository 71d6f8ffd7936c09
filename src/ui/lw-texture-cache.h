/* lw-texture-cache.h — thumbnails as textures, decoded off the main thread,
 * kept in a bounded LRU.
 *
 * A 256² RGBA texture is 256 KiB, so 5,000 of them would not fit in any
 * reasonable budget; the grid only shows ~100 at once, so the cache keeps the
 * most recently used ones up to a byte budget and decodes the rest again on
 * demand (a 384-px JPEG thumbnail decodes in ~1 ms).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LW_TYPE_TEXTURE_CACHE (lw_texture_cache_get_type ())
G_DECLARE_FINAL_TYPE (LwTextureCache, lw_texture_cache, LW, TEXTURE_CACHE, GObject)

/* Called on the main thread; texture is NULL when the file could not be
 * decoded (error says why). */
typedef void (*LwTextureFunc) (GdkTexture   *texture,
                               const GError *error,
                               gpointer      user_data);

/* long_edge: textures are decoded to at most this size;
 * max_bytes: the budget of the LRU (textures in use by a widget stay alive
 * beyond it through their own reference). */
LwTextureCache *lw_texture_cache_new      (int             long_edge,
                                           gsize           max_bytes);
/* Calls func once with the texture of path: at once when cached, otherwise
 * from the main loop when a worker has decoded it. Returns an id for
 * lw_texture_cache_cancel() (0 when func was already called).
 *
 * width × height > 0 (device pixels): the texture is exactly that box,
 * upright, cropped to the middle as a cover fit shows it, in the format
 * cairo draws without converting (GDK_MEMORY_DEFAULT). Drawn into a box of
 * that size it needs no scaling: no renderer filters it again on every
 * frame (cairo's downscaling filter was most of the cost of a frame of the
 * grid). 0 × 0: at most the cache's long edge. */
guint           lw_texture_cache_request  (LwTextureCache *self,
                                           const char     *path,
                                           int             width,
                                           int             height,
                                           LwTextureFunc   func,
                                           gpointer        user_data);
/* func will not be called; the decode is skipped if nobody else wants it. */
void            lw_texture_cache_cancel   (LwTextureCache *self,
                                           guint           id);
guint           lw_texture_cache_get_n_cached (LwTextureCache *self);
gsize           lw_texture_cache_get_bytes    (LwTextureCache *self);
/* Decodes done and waiting (tests, benchmarks). */
guint           lw_texture_cache_get_n_decoded (LwTextureCache *self);
guint           lw_texture_cache_get_n_pending (LwTextureCache *self);

G_END_DECLS

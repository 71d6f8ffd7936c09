/* lw-texture-cache.c — thumbnails decoded in a thread pool, kept in an LRU. */
#include "config.h"

#include "lw-texture-cache.h"
#include "lw-thread.h"

typedef struct _Job Job;

typedef struct {
  guint          id;
  LwTextureFunc  func;
  gpointer       data;
  Job           *job;
} Request;

struct _Job {
  char       *key;        /* "W×H path", or the path alone */
  char       *path;
  int         long_edge;
  int         box_width;  /* > 0: cover this box exactly (device pixels) */
  int         box_height;
  gint        wanted;     /* atomic: live requests; 0 = skip the decode */
  GdkTexture *texture;    /* set by the worker */
  GError     *error;
  GList      *requests;   /* main thread only */
};

typedef struct {
  char       *key;
  GdkTexture *texture;
  gsize       bytes;
  GList      *link;       /* in lru, head = most recent */
} Entry;

struct _LwTextureCache
{
  GObject      parent_instance;

  int          long_edge;
  gsize        max_bytes;
  gsize        bytes;
  GHashTable  *entries;   /* key → Entry */
  GQueue       lru;       /* of Entry */
  GHashTable  *jobs;      /* key → Job, decoding */
  GHashTable  *requests;  /* id → Request */
  guint        next_id;
  GThreadPool *pool;
  GAsyncQueue *done;      /* Job, from workers */
  guint        done_source;
  GMutex       lock;      /* done_source */
  guint        n_decoded;
};

G_DEFINE_FINAL_TYPE (LwTextureCache, lw_texture_cache, G_TYPE_OBJECT)

/* A batch of finished decodes is handed to tiles for at most this long per
 * main-loop turn, so a flood of thumbnails never costs a frame (16 ms). */
#define DELIVER_BUDGET_US 4000

static void
job_free (Job *job)
{
  g_free (job->key);
  g_free (job->path);
  g_clear_object (&job->texture);
  g_clear_error (&job->error);
  g_list_free (job->requests);
  g_free (job);
}

static void
entry_free (Entry *entry)
{
  g_free (entry->key);
  g_clear_object (&entry->texture);
  g_free (entry);
}

/* Pixels as cairo keeps them (premultiplied ARGB in native-endian words,
 * GDK_MEMORY_DEFAULT): the cairo renderer then copies rows instead of
 * converting every pixel of every tile on every frame. */
static GBytes *
premultiply (GdkPixbuf *pixbuf,
             gsize     *stride)
{
  int width = gdk_pixbuf_get_width (pixbuf), height = gdk_pixbuf_get_height (pixbuf);
  int in_stride = gdk_pixbuf_get_rowstride (pixbuf), channels = gdk_pixbuf_get_n_channels (pixbuf);
  const guchar *in = gdk_pixbuf_read_pixels (pixbuf);
  guint32 *out = g_new (guint32, (gsize) width * height);

  for (int y = 0; y < height; y++)
    {
      const guchar *p = in + (gsize) y * in_stride;
      guint32 *q = out + (gsize) y * width;

      for (int x = 0; x < width; x++, p += channels)
        {
          guint a = channels == 4 ? p[3] : 255;
          guint r = p[0], g = p[1], b = p[2];

          if (a != 255)
            {
              /* x·a/255 rounded, without a division */
              r = r * a + 128; r = (r + (r >> 8)) >> 8;
              g = g * a + 128; g = (g + (g >> 8)) >> 8;
              b = b * a + 128; b = (b + (b >> 8)) >> 8;
            }
          q[x] = (guint32) a << 24 | r << 16 | g << 8 | b;
        }
    }
  *stride = (gsize) width * 4;
  return g_bytes_new_take (out, (gsize) width * height * 4);
}

/* The size that covers width × height with the photo's shape: one edge
 * equal to the box, the other at least as long. */
static void
cover_size (int  image_width,
            int  image_height,
            int  box_width,
            int  box_height,
            int *width,
            int *height)
{
  if ((gint64) image_width * box_height >= (gint64) box_width * image_height)
    {
      /* wider than the box: the heights match */
      *height = box_height;
      *width = MAX (box_width, (int) ((gint64) image_width * box_height / MAX (image_height, 1)));
    }
  else
    {
      *width = box_width;
      *height = MAX (box_height, (int) ((gint64) image_height * box_width / MAX (image_width, 1)));
    }
}

static GdkTexture *
decode (const Job  *job,
        GError    **error)
{
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  g_autoptr(GdkPixbuf) sized = NULL;
  g_autoptr(GBytes) bytes = NULL;
  int load_width = job->long_edge, load_height = job->long_edge;
  int file_width = 0, file_height = 0;
  gsize stride = 0;
  GdkPixbuf *pixbuf;

  if (job->box_width > 0 && job->box_height > 0
      && gdk_pixbuf_get_file_info (job->path, &file_width, &file_height) != NULL
      && file_width > 0 && file_height > 0)
    {
      int w1, h1, w2, h2;

      /* Enough pixels to cover the box whichever way EXIF turns the photo
       * (known only once it is loaded), and never more than the file has. */
      cover_size (file_width, file_height, job->box_width, job->box_height, &w1, &h1);
      cover_size (file_width, file_height, job->box_height, job->box_width, &w2, &h2);
      load_width = MIN (file_width, MAX (w1, w2));
      load_height = MIN (file_height, MAX (h1, h2));
    }

  /* at_scale lets the JPEG loader scale while decoding (DCT scaling). */
  loaded = gdk_pixbuf_new_from_file_at_scale (job->path, load_width, load_height, TRUE, error);
  if (loaded == NULL)
    return NULL;
  oriented = gdk_pixbuf_apply_embedded_orientation (loaded);
  pixbuf = oriented;
  if (job->box_width > 0 && job->box_height > 0
      && (gdk_pixbuf_get_width (oriented) != job->box_width || gdk_pixbuf_get_height (oriented) != job->box_height))
    {
      int width = gdk_pixbuf_get_width (oriented), height = gdk_pixbuf_get_height (oriented);
      double scale = MAX ((double) job->box_width / width, (double) job->box_height / height);

      /* Only the middle that a cover fit shows, at the box's size: what
       * GtkPicture would draw, computed once here, and never more memory
       * than the box (a 10 × 10,000 strip would otherwise cover a 200-px
       * frame with a 200 × 200,000 texture). BILINEAR integrates over the
       * source when reducing. */
      sized = gdk_pixbuf_new (GDK_COLORSPACE_RGB, gdk_pixbuf_get_has_alpha (oriented), 8,
                              job->box_width, job->box_height);
      if (sized == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "Cannot scale %s", job->path);
          return NULL;
        }
      gdk_pixbuf_scale (oriented, sized, 0, 0, job->box_width, job->box_height,
                        -(width * scale - job->box_width) / 2, -(height * scale - job->box_height) / 2,
                        scale, scale, GDK_INTERP_BILINEAR);
      pixbuf = sized;
    }
  bytes = premultiply (pixbuf, &stride);
  /* A memory texture is plain immutable data: made here, it costs the main
   * thread nothing. */
  return gdk_memory_texture_new (gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
                                 GDK_MEMORY_DEFAULT, bytes, stride);
}

static gboolean deliver_cb (gpointer data);

static void
worker_cb (gpointer data,
           gpointer user_data)
{
  Job *job = data;
  LwTextureCache *self = user_data;

  lw_thread_set_background ();
  if (g_atomic_int_get (&job->wanted) > 0)
    job->texture = decode (job, &job->error);

  g_async_queue_push (self->done, job);
  g_mutex_lock (&self->lock);
  if (self->done_source == 0)
    /* Below redraw priority: thumbnails arrive between frames. */
    self->done_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, deliver_cb, g_object_ref (self),
                                         g_object_unref);
  g_mutex_unlock (&self->lock);
}

static void
evict (LwTextureCache *self)
{
  while (self->bytes > self->max_bytes && self->lru.length > 1)
    {
      Entry *oldest = g_queue_pop_tail (&self->lru);

      self->bytes -= oldest->bytes;
      g_hash_table_remove (self->entries, oldest->key);
    }
}

static void
insert (LwTextureCache *self,
        const char     *key,
        GdkTexture     *texture)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->key = g_strdup (key);
  entry->texture = g_object_ref (texture);
  entry->bytes = (gsize) gdk_texture_get_width (texture) * gdk_texture_get_height (texture) * 4;
  g_queue_push_head (&self->lru, entry);
  entry->link = self->lru.head;
  self->bytes += entry->bytes;
  g_hash_table_replace (self->entries, entry->key, entry);
  evict (self);
}

static void
finish_job (LwTextureCache *self,
            Job            *job)
{
  GList *requests;

  g_hash_table_steal (self->jobs, job->key);
  if (job->texture != NULL)
    {
      insert (self, job->key, job->texture);
      self->n_decoded++;
    }

  requests = g_steal_pointer (&job->requests);
  for (GList *l = requests; l != NULL; l = l->next)
    {
      Request *request = l->data;

      g_hash_table_steal (self->requests, GUINT_TO_POINTER (request->id));
      if (job->texture != NULL || job->error != NULL)
        request->func (job->texture, job->error, request->data);
      g_free (request);
    }
  g_list_free (requests);
  job_free (job);
}

static gboolean
deliver_cb (gpointer data)
{
  LwTextureCache *self = data;
  gint64 start = g_get_monotonic_time ();
  Job *job;

  while ((job = g_async_queue_try_pop (self->done)) != NULL)
    {
      finish_job (self, job);
      if (g_get_monotonic_time () - start > DELIVER_BUDGET_US)
        return G_SOURCE_CONTINUE;
    }

  g_mutex_lock (&self->lock);
  /* A worker may have pushed after the last pop; it saw done_source set and
   * did not add another idle, so look once more under the lock. */
  if (g_async_queue_length (self->done) > 0)
    {
      g_mutex_unlock (&self->lock);
      return G_SOURCE_CONTINUE;
    }
  self->done_source = 0;
  g_mutex_unlock (&self->lock);
  return G_SOURCE_REMOVE;
}

static void
lw_texture_cache_dispose (GObject *object)
{
  LwTextureCache *self = LW_TEXTURE_CACHE (object);
  Job *job;

  if (self->pool != NULL)
    {
      /* Waits for running decodes; queued ones are dropped. */
      g_thread_pool_free (g_steal_pointer (&self->pool), TRUE, TRUE);
    }
  if (self->done != NULL)
    {
      while ((job = g_async_queue_try_pop (self->done)) != NULL)
        {
          g_hash_table_steal (self->jobs, job->key);
          job_free (job);
        }
    }

  G_OBJECT_CLASS (lw_texture_cache_parent_class)->dispose (object);
}

static void
lw_texture_cache_finalize (GObject *object)
{
  LwTextureCache *self = LW_TEXTURE_CACHE (object);

  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_pointer (&self->jobs, g_hash_table_unref);
  g_queue_clear (&self->lru);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->done, g_async_queue_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (lw_texture_cache_parent_class)->finalize (object);
}

static void
lw_texture_cache_class_init (LwTextureCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lw_texture_cache_dispose;
  object_class->finalize = lw_texture_cache_finalize;
}

static void
lw_texture_cache_init (LwTextureCache *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) job_free);
  self->requests = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->done = g_async_queue_new ();
  g_mutex_init (&self->lock);
  g_queue_init (&self->lru);
  self->next_id = 1;
}

LwTextureCache *
lw_texture_cache_new (int   long_edge,
                      gsize max_bytes)
{
  LwTextureCache *self = g_object_new (LW_TYPE_TEXTURE_CACHE, NULL);
  /* Leave a core to the main thread and the ingest worker: sized to the
   * machine, not GTask's fixed 10 threads. */
  int n_threads = CLAMP ((int) g_get_num_processors () - 1, 1, 4);

  self->long_edge = long_edge;
  self->max_bytes = max_bytes;
  self->pool = g_thread_pool_new (worker_cb, self, n_threads, FALSE, NULL);
  return self;
}

static char *
make_key (const char *path,
          int         width,
          int         height)
{
  if (width <= 0 || height <= 0)
    return g_strdup (path);
  return g_strdup_printf ("%dx%d %s", width, height, path);
}

static GdkTexture *
lookup_key (LwTextureCache *self,
            const char     *key)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);

  if (entry == NULL)
    return NULL;
  g_queue_unlink (&self->lru, entry->link);
  g_queue_push_head_link (&self->lru, entry->link);
  return entry->texture;
}

guint
lw_texture_cache_request (LwTextureCache *self,
                          const char     *path,
                          int             width,
                          int             height,
                          LwTextureFunc   func,
                          gpointer        user_data)
{
  g_autofree char *key = NULL;
  GdkTexture *cached;
  Request *request;
  Job *job;

  g_return_val_if_fail (LW_IS_TEXTURE_CACHE (self), 0);
  g_return_val_if_fail (path != NULL, 0);

  key = make_key (path, width, height);
  if ((cached = lookup_key (self, key)) != NULL)
    {
      func (cached, NULL, user_data);
      return 0;
    }

  job = g_hash_table_lookup (self->jobs, key);
  if (job == NULL)
    {
      job = g_new0 (Job, 1);
      job->key = g_steal_pointer (&key);
      job->path = g_strdup (path);
      job->long_edge = self->long_edge;
      job->box_width = MAX (width, 0);
      job->box_height = MAX (height, 0);
      g_hash_table_insert (self->jobs, job->key, job);
      g_atomic_int_set (&job->wanted, 1);
      g_thread_pool_push (self->pool, job, NULL);
    }
  else
    g_atomic_int_inc (&job->wanted);

  request = g_new0 (Request, 1);
  request->id = self->next_id++;
  request->func = func;
  request->data = user_data;
  request->job = job;
  job->requests = g_list_prepend (job->requests, request);
  g_hash_table_insert (self->requests, GUINT_TO_POINTER (request->id), request);
  return request->id;
}

void
lw_texture_cache_cancel (LwTextureCache *self,
                         guint           id)
{
  Request *request;

  g_return_if_fail (LW_IS_TEXTURE_CACHE (self));

  if (id == 0 || (request = g_hash_table_lookup (self->requests, GUINT_TO_POINTER (id))) == NULL)
    return;
  request->job->requests = g_list_remove (request->job->requests, request);
  g_atomic_int_dec_and_test (&request->job->wanted);
  g_hash_table_remove (self->requests, GUINT_TO_POINTER (id));
}

guint
lw_texture_cache_get_n_cached (LwTextureCache *self)
{
  return g_hash_table_size (self->entries);
}

gsize
lw_texture_cache_get_bytes (LwTextureCache *self)
{
  return self->bytes;
}

guint
lw_texture_cache_get_n_decoded (LwTextureCache *self)
{
  return self->n_decoded;
}

guint
lw_texture_cache_get_n_pending (LwTextureCache *self)
{
  return g_hash_table_size (self->jobs);
}

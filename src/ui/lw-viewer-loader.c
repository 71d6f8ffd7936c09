/* lw-viewer-loader.c — the viewer's decodes in a thread pool, an LRU of
 * pictures. */
#include "config.h"

#include "lw-image-io.h"
#include "lw-thread.h"
#include "lw-viewer-loader.h"

struct _LwViewerPictureRef
{
  LwViewerPicture  picture;
  gatomicrefcount  ref;
};
typedef struct _LwViewerPictureRef PictureRef;

typedef struct _Job Job;

typedef struct {
  guint                id;
  LwViewerPictureFunc  func;
  gpointer             data;
  Job                 *job;
} Request;

struct _Job {
  char            *key;       /* "W×H path" */
  char            *path;
  int              box_width;
  int              box_height;
  int              priority;
  guint64          seq;
  GCancellable    *cancellable;
  LwViewerPicture *picture;   /* set by the worker */
  GError          *error;
  GList           *requests;  /* main thread only */
  gboolean         orphan;    /* nobody wants it: in orphans, not in jobs */
};

typedef struct {
  char            *key;
  LwViewerPicture *picture;
  gsize            bytes;
  GList           *link;
} Entry;

struct _LwViewerLoader
{
  GObject      parent_instance;

  gsize        max_bytes;
  gsize        bytes;
  GHashTable  *entries;    /* key → Entry */
  GQueue       lru;        /* head = most recent */
  GHashTable  *jobs;       /* key → Job */
  GPtrArray   *orphans;    /* Job: cancelled, still queued or decoding */
  GHashTable  *requests;   /* id → Request */
  guint        next_id;
  guint64      next_seq;
  GThreadPool *pool;
  GAsyncQueue *done;
  guint        done_source;
  GMutex       lock;
  guint        n_decoded;
};

G_DEFINE_FINAL_TYPE (LwViewerLoader, lw_viewer_loader, G_TYPE_OBJECT)

/* ---- pictures ------------------------------------------------------------ */

LwViewerPicture *
lw_viewer_picture_ref (LwViewerPicture *picture)
{
  g_atomic_ref_count_inc (&((PictureRef *) picture)->ref);
  return picture;
}

void
lw_viewer_picture_unref (LwViewerPicture *picture)
{
  PictureRef *ref = (PictureRef *) picture;

  if (!g_atomic_ref_count_dec (&ref->ref))
    return;
  for (int i = 0; i < picture->cols * picture->rows; i++)
    g_clear_object (&picture->tiles[i]);
  g_free (picture->tiles);
  g_free (ref);
}

/* Premultiplied BGRA in native words (GDK_MEMORY_DEFAULT), as cairo keeps
 * pixels: drawing a tile is then a copy of rows, not a conversion. */
static GdkTexture *
make_tile (GdkPixbuf *pixbuf,
           int        x0,
           int        y0,
           int        width,
           int        height)
{
  int in_stride = gdk_pixbuf_get_rowstride (pixbuf), channels = gdk_pixbuf_get_n_channels (pixbuf);
  const guchar *in = gdk_pixbuf_read_pixels (pixbuf);
  guint32 *out = g_new (guint32, (gsize) width * height);
  g_autoptr(GBytes) bytes = NULL;

  for (int y = 0; y < height; y++)
    {
      const guchar *p = in + (gsize) (y0 + y) * in_stride + (gsize) x0 * channels;
      guint32 *q = out + (gsize) y * width;

      for (int x = 0; x < width; x++, p += channels)
        {
          guint a = channels == 4 ? p[3] : 255;
          guint r = p[0], g = p[1], b = p[2];

          if (a != 255)
            {
              r = r * a + 128; r = (r + (r >> 8)) >> 8;
              g = g * a + 128; g = (g + (g >> 8)) >> 8;
              b = b * a + 128; b = (b + (b >> 8)) >> 8;
            }
          q[x] = (guint32) a << 24 | r << 16 | g << 8 | b;
        }
    }
  bytes = g_bytes_new_take (out, (gsize) width * height * 4);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes, (gsize) width * 4);
}

static LwViewerPicture *
decode (const Job     *job,
        GCancellable  *cancellable,
        GError       **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  LwImageInfo info;
  PictureRef *ref;
  LwViewerPicture *picture;
  int full_width, full_height, long_edge = 0;

  /* No limits: the photo was probed when it was staged, or is our result. */
  if (!lw_image_probe (job->path, &(LwImageLimits) { 0, 0 }, &info, error))
    return NULL;
  full_width = info.orientation >= 5 ? info.height : info.width;
  full_height = info.orientation >= 5 ? info.width : info.height;
  if (job->box_width > 0 && job->box_height > 0 && full_width > 0 && full_height > 0)
    {
      double scale = MIN ((double) job->box_width / full_width, (double) job->box_height / full_height);

      if (scale < 1.0)
        long_edge = MAX (1, (int) (MAX (full_width, full_height) * scale + 0.5));
    }
  pixbuf = lw_image_load_oriented (job->path, info.orientation, long_edge, cancellable, error);
  if (pixbuf == NULL)
    return NULL;

  ref = g_new0 (PictureRef, 1);
  g_atomic_ref_count_init (&ref->ref);
  picture = &ref->picture;
  picture->width = gdk_pixbuf_get_width (pixbuf);
  picture->height = gdk_pixbuf_get_height (pixbuf);
  picture->full_width = full_width;
  picture->full_height = full_height;
  picture->cols = (picture->width + LW_VIEWER_TILE - 1) / LW_VIEWER_TILE;
  picture->rows = (picture->height + LW_VIEWER_TILE - 1) / LW_VIEWER_TILE;
  picture->tiles = g_new0 (GdkTexture *, (gsize) picture->cols * picture->rows);
  for (int r = 0; r < picture->rows; r++)
    for (int c = 0; c < picture->cols; c++)
      {
        int x = c * LW_VIEWER_TILE, y = r * LW_VIEWER_TILE;

        picture->tiles[r * picture->cols + c] = make_tile (pixbuf, x, y, MIN (LW_VIEWER_TILE, picture->width - x),
                                                           MIN (LW_VIEWER_TILE, picture->height - y));
      }
  return picture;
}

/* ---- jobs ---------------------------------------------------------------- */

static void
job_free (Job *job)
{
  g_free (job->key);
  g_free (job->path);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->picture, lw_viewer_picture_unref);
  g_clear_error (&job->error);
  g_list_free (job->requests);
  g_free (job);
}

static void
entry_free (Entry *entry)
{
  g_free (entry->key);
  g_clear_pointer (&entry->picture, lw_viewer_picture_unref);
  g_free (entry);
}

static gboolean deliver_cb (gpointer data);

static void
worker_cb (gpointer data,
           gpointer user_data)
{
  Job *job = data;
  LwViewerLoader *self = user_data;

  lw_thread_set_background ();
  if (!g_cancellable_is_cancelled (job->cancellable))
    job->picture = decode (job, job->cancellable, &job->error);

  g_async_queue_push (self->done, job);
  g_mutex_lock (&self->lock);
  /* At the priority of a GTask's answer, not an idle's: the frame clock
   * paints at GDK_PRIORITY_REDRAW, and while anything animates (the
   * viewer's own spinner, until this picture is here) a frame longer than
   * the refresh interval makes the next one due at once. An idle then
   * waits as long as the machine is slow: 7 to 17 s for a picture decoded
   * in 40 ms, two window tests at once under ASan. */
  if (self->done_source == 0)
    self->done_source = g_idle_add_full (G_PRIORITY_DEFAULT, deliver_cb, g_object_ref (self), g_object_unref);
  g_mutex_unlock (&self->lock);
}

/* Higher priority first, then the newest. */
static gint
job_compare (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  const Job *ja = a, *jb = b;

  if (ja->priority != jb->priority)
    return ja->priority > jb->priority ? -1 : 1;
  return ja->seq > jb->seq ? -1 : ja->seq < jb->seq ? 1 : 0;
}

static gsize
picture_bytes (const LwViewerPicture *picture)
{
  return (gsize) picture->width * picture->height * 4;
}

static void
insert (LwViewerLoader  *self,
        const char      *key,
        LwViewerPicture *picture)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);

  /* Decoded twice (a request cancelled once its decode had finished, then
   * asked again before that decode was delivered): the newer picture
   * replaces the older, which leaves the LRU with it. Replaced in the table
   * alone, the older entry was freed and stayed in the LRU, and evicting it
   * read freed memory. */
  if (entry != NULL)
    {
      g_queue_delete_link (&self->lru, entry->link);
      self->bytes -= entry->bytes;
      g_hash_table_remove (self->entries, key);
    }
  entry = g_new0 (Entry, 1);
  entry->key = g_strdup (key);
  entry->picture = lw_viewer_picture_ref (picture);
  entry->bytes = picture_bytes (picture);
  g_queue_push_head (&self->lru, entry);
  entry->link = self->lru.head;
  self->bytes += entry->bytes;
  g_hash_table_insert (self->entries, entry->key, entry);
  while (self->bytes > self->max_bytes && self->lru.length > 1)
    {
      Entry *oldest = g_queue_pop_tail (&self->lru);

      self->bytes -= oldest->bytes;
      g_hash_table_remove (self->entries, oldest->key);
    }
}

static void
finish_job (LwViewerLoader *self,
            Job            *job)
{
  GList *requests;

  guint index;

  if (!job->orphan)
    g_hash_table_steal (self->jobs, job->key);
  else if (g_ptr_array_find (self->orphans, job, &index))
    g_ptr_array_steal_index_fast (self->orphans, index);
  if (job->picture != NULL)
    {
      insert (self, job->key, job->picture);
      self->n_decoded++;
    }
  requests = g_steal_pointer (&job->requests);
  for (GList *l = requests; l != NULL; l = l->next)
    {
      Request *request = l->data;

      g_hash_table_steal (self->requests, GUINT_TO_POINTER (request->id));
      if (request->func != NULL && (job->picture != NULL || job->error != NULL))
        request->func (job->picture, job->error, request->data);
      g_free (request);
    }
  g_list_free (requests);
  job_free (job);
}

static gboolean
deliver_cb (gpointer data)
{
  LwViewerLoader *self = data;
  Job *job;

  /* One picture a turn: each may start a redraw of the whole viewer. */
  if ((job = g_async_queue_try_pop (self->done)) != NULL)
    {
      finish_job (self, job);
      return G_SOURCE_CONTINUE;
    }
  g_mutex_lock (&self->lock);
  if (g_async_queue_length (self->done) > 0)
    {
      g_mutex_unlock (&self->lock);
      return G_SOURCE_CONTINUE;
    }
  self->done_source = 0;
  g_mutex_unlock (&self->lock);
  return G_SOURCE_REMOVE;
}

/* ---- the object ---------------------------------------------------------- */

static void
lw_viewer_loader_dispose (GObject *object)
{
  LwViewerLoader *self = LW_VIEWER_LOADER (object);
  GHashTableIter iter;
  Job *job;

  if (self->jobs != NULL)
    {
      g_hash_table_iter_init (&iter, self->jobs);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &job))
        g_cancellable_cancel (job->cancellable);
    }
  for (guint i = 0; self->orphans != NULL && i < self->orphans->len; i++)
    g_cancellable_cancel (((Job *) g_ptr_array_index (self->orphans, i))->cancellable);
  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), TRUE, TRUE);
  if (self->done != NULL)
    while ((job = g_async_queue_try_pop (self->done)) != NULL)
      {
        guint index;

        if (!job->orphan)
          g_hash_table_steal (self->jobs, job->key);
        else if (g_ptr_array_find (self->orphans, job, &index))
          g_ptr_array_steal_index_fast (self->orphans, index);
        job_free (job);
      }

  G_OBJECT_CLASS (lw_viewer_loader_parent_class)->dispose (object);
}

static void
lw_viewer_loader_finalize (GObject *object)
{
  LwViewerLoader *self = LW_VIEWER_LOADER (object);

  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_pointer (&self->jobs, g_hash_table_unref);
  /* Cancelled jobs the pool dropped unprocessed. */
  g_clear_pointer (&self->orphans, g_ptr_array_unref);
  g_queue_clear (&self->lru);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->done, g_async_queue_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (lw_viewer_loader_parent_class)->finalize (object);
}

static void
lw_viewer_loader_class_init (LwViewerLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lw_viewer_loader_dispose;
  object_class->finalize = lw_viewer_loader_finalize;
}

static void
lw_viewer_loader_init (LwViewerLoader *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) job_free);
  self->requests = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->orphans = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
  self->done = g_async_queue_new ();
  g_mutex_init (&self->lock);
  g_queue_init (&self->lru);
  self->next_id = 1;
}

LwViewerLoader *
lw_viewer_loader_new (gsize max_bytes)
{
  LwViewerLoader *self = g_object_new (LW_TYPE_VIEWER_LOADER, NULL);

  self->max_bytes = max_bytes;
  /* Two decodes at once: the photo shown and its before (or a neighbour);
   * more would only take cores from the main thread and the queue. */
  self->pool = g_thread_pool_new (worker_cb, self, 2, FALSE, NULL);
  g_thread_pool_set_sort_function (self->pool, job_compare, NULL);
  return self;
}

guint
lw_viewer_loader_request (LwViewerLoader      *self,
                          const char          *path,
                          int                  box_width,
                          int                  box_height,
                          int                  priority,
                          LwViewerPictureFunc  func,
                          gpointer             user_data)
{
  g_autofree char *key = NULL;
  Entry *entry;
  Request *request;
  Job *job;

  g_return_val_if_fail (LW_IS_VIEWER_LOADER (self), 0);
  g_return_val_if_fail (path != NULL, 0);

  box_width = MAX (box_width, 0);
  box_height = MAX (box_height, 0);
  key = g_strdup_printf ("%dx%d %s", box_width, box_height, path);
  if ((entry = g_hash_table_lookup (self->entries, key)) != NULL)
    {
      g_queue_unlink (&self->lru, entry->link);
      g_queue_push_head_link (&self->lru, entry->link);
      if (func != NULL)
        func (entry->picture, NULL, user_data);
      return 0;
    }

  job = g_hash_table_lookup (self->jobs, key);
  if (job == NULL)
    {
      job = g_new0 (Job, 1);
      job->key = g_steal_pointer (&key);
      job->path = g_strdup (path);
      job->box_width = box_width;
      job->box_height = box_height;
      job->priority = priority;
      job->seq = self->next_seq++;
      job->cancellable = g_cancellable_new ();
      g_hash_table_insert (self->jobs, job->key, job);
      g_thread_pool_push (self->pool, job, NULL);
    }

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
lw_viewer_loader_cancel (LwViewerLoader *self,
                         guint           id)
{
  Request *request;
  Job *job;

  g_return_if_fail (LW_IS_VIEWER_LOADER (self));

  if (id == 0 || (request = g_hash_table_lookup (self->requests, GUINT_TO_POINTER (id))) == NULL)
    return;
  job = request->job;
  job->requests = g_list_remove (job->requests, request);
  g_hash_table_remove (self->requests, GUINT_TO_POINTER (id));
  /* Nobody waits: a queued decode is skipped, a running one stops at its
   * next read. */
  if (job->requests == NULL)
    {
      g_cancellable_cancel (job->cancellable);
      /* A new request for the same picture starts afresh. */
      g_hash_table_steal (self->jobs, job->key);
      job->orphan = TRUE;
      g_ptr_array_add (self->orphans, job);
    }
}

guint
lw_viewer_loader_get_n_decoded (LwViewerLoader *self)
{
  return self->n_decoded;
}

guint
lw_viewer_loader_get_n_pending (LwViewerLoader *self)
{
  return g_hash_table_size (self->jobs) + self->orphans->len;
}

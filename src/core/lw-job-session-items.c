/* lw-job-session-items.c — LwJobSession: the list of items.
 *
 * The GListModel of LwImageItem and the "incoming" queue that feeds it (a
 * batch a frame when paced), the index by image id, the counts and the ETA
 * from the recent finishes.
 */
#include "config.h"

#include "lw-job-session-private.h"

/* The ETA follows the last 20 finishes: recent enough to follow a rate
 * limit's slowdown, long enough not to jump with every photo. */
#define ETA_WINDOW 20

/* ---- items -------------------------------------------------------------- */

void
lw_job_session_index_item (LwJobSession *self,
                           LwImageItem  *item)
{
  gint64 id = lw_image_item_get_id (item);

  if (id > 0)
    {
      gint64 *key = g_new (gint64, 1);

      *key = id;
      g_hash_table_replace (self->items_by_id, key, item);
    }
}

void
lw_job_session_append_items (LwJobSession *self,
                             GPtrArray    *items)
{
  gboolean was_empty = self->incoming->len == 0;

  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (self->incoming, g_object_ref (g_ptr_array_index (items, i)));
  if (!self->paced)
    lw_job_session_flush (self);
  else if (was_empty && self->incoming->len > 0)
    g_signal_emit (self, lw_job_session_signals[SIGNAL_INCOMING], 0);
  lw_job_session_queue_changed (self);
}

void
lw_job_session_append_item (LwJobSession *self,
                            LwImageItem  *item /* taken */)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (items, item);
  lw_job_session_append_items (self, items);
}

/* Takes item out of the incoming queue or the list. */
void
lw_job_session_drop_item (LwJobSession *self,
                          LwImageItem  *item)
{
  guint position;

  if (g_ptr_array_remove (self->incoming, item))
    return;
  if (g_list_store_find (self->items, item, &position))
    g_list_store_remove (self->items, position);
}

guint
lw_job_session_grow (LwJobSession *self,
                     guint         max)
{
  guint n;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), 0);

  n = MIN (max, self->incoming->len);
  if (n > 0)
    {
      g_list_store_splice (self->items, g_list_model_get_n_items (G_LIST_MODEL (self->items)), 0,
                           self->incoming->pdata, n);
      g_ptr_array_remove_range (self->incoming, 0, n);
      lw_job_session_queue_changed (self);
    }
  return self->incoming->len;
}

void
lw_job_session_flush (LwJobSession *self)
{
  lw_job_session_grow (self, G_MAXUINT);
}

void
lw_job_session_set_paced (LwJobSession *self,
                          gboolean      paced)
{
  g_return_if_fail (LW_IS_JOB_SESSION (self));

  self->paced = paced;
  if (!paced)
    lw_job_session_flush (self);
}

guint
lw_job_session_get_n_incoming (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), 0);

  return self->incoming->len;
}

GListModel *
lw_job_session_get_items (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), NULL);

  return G_LIST_MODEL (self->items);
}

LwImageItem *
lw_job_session_find_item (LwJobSession *self,
                          gint64        image_id)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), NULL);

  return g_hash_table_lookup (self->items_by_id, &image_id);
}

static void
count_one (LwJobSession *self,
           LwImageItem  *item)
{
  LwJobCounts *counts = &self->counts;

  if (lw_image_item_get_phase (item) == LW_IMAGE_ITEM_REJECTED)
    {
      self->rejected++;
      return;
    }
  counts->total++;
  switch (lw_image_item_get_review (item))
    {
    case LW_REVIEW_ACCEPTED: self->accepted++; break;
    case LW_REVIEW_REJECTED: self->refused++; break;
    case LW_REVIEW_UNDECIDED:
    default: break;
    }
  switch (lw_image_item_get_status (item))
    {
    case LW_IMAGE_PROCESSING: counts->processing++; break;
    case LW_IMAGE_COMPLETED: counts->completed++; break;
    case LW_IMAGE_FAILED: counts->failed++; break;
    case LW_IMAGE_RETRY_LATER: counts->retry_later++; break;
    case LW_IMAGE_PENDING:
    default: counts->pending++; break;
    }
}

void
lw_job_session_get_counts (LwJobSession *self,
                           LwJobCounts  *counts,
                           int          *rejected)
{
  g_return_if_fail (LW_IS_JOB_SESSION (self));

  if (self->counts_dirty)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

      memset (&self->counts, 0, sizeof self->counts);
      self->rejected = 0;
      self->accepted = 0;
      self->refused = 0;
      /* Items on their way in count already: the job has them. */
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LwImageItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

          count_one (self, item);
        }
      for (guint i = 0; i < self->incoming->len; i++)
        count_one (self, g_ptr_array_index (self->incoming, i));
      self->counts_dirty = FALSE;
    }
  if (counts != NULL)
    *counts = self->counts;
  if (rejected != NULL)
    *rejected = self->rejected;
}

void
lw_job_session_get_review_counts (LwJobSession *self,
                                  int          *accepted,
                                  int          *rejected)
{
  g_return_if_fail (LW_IS_JOB_SESSION (self));

  lw_job_session_get_counts (self, NULL, NULL);
  if (accepted != NULL)
    *accepted = self->accepted;
  if (rejected != NULL)
    *rejected = self->refused;
}

void
lw_job_session_note_finish (LwJobSession *self)
{
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (self->finish_times, now);
  if (self->finish_times->len > ETA_WINDOW)
    g_array_remove_index (self->finish_times, 0);
}

gint64
lw_job_session_get_eta_ms (LwJobSession *self)
{
  LwJobCounts counts;
  guint n;
  gint64 first, last;
  int open;

  g_return_val_if_fail (LW_IS_JOB_SESSION (self), -1);

  lw_job_session_get_counts (self, &counts, NULL);
  open = lw_job_counts_open (&counts);
  n = self->finish_times->len;
  if (n < 2 || open == 0)
    return -1;
  first = g_array_index (self->finish_times, gint64, 0);
  last = g_array_index (self->finish_times, gint64, n - 1);
  if (last <= first)
    return -1;
  /* (n − 1) finishes over (last − first) µs: the recent rate. */
  return (gint64) ((double) (last - first) / (n - 1) * open / 1000.0);
}

gboolean
lw_job_session_get_busy (LwJobSession *self)
{
  g_return_val_if_fail (LW_IS_JOB_SESSION (self), FALSE);

  return self->loading || self->n_ingests > 0;
}

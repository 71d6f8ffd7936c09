/* lw-job-session-stage.c — LwJobSession: staging files into the job.
 *
 * An ingest runs on a thread of its own and posts events (the planned
 * files, each file's outcome, the end) that the main loop turns into items:
 * a staging tile for every planned file at once, then its row or its
 * refusal as the service stages it.
 */
#include "config.h"

#include "lw-job-session-private.h"
#include "lw-thread.h"

/* Ingest events are handled for at most this long per main-loop turn, so
 * 5,000 files landing never hold a frame. */
#define EVENT_BUDGET_US 5000

/* ---- staging ------------------------------------------------------------ */

typedef enum {
  EVENT_PLANNED,
  EVENT_FILE,
  EVENT_FINISHED,
} EventKind;

typedef struct {
  EventKind        kind;
  LwIngestOutcome  outcome;
  char            *path;
  LwImage         *image;
  char            *reason;
  GPtrArray       *planned;    /* paths */
} Event;

typedef struct {
  gatomicrefcount  ref;
  LwJobs          *jobs;
  gint64           job_id;
  char           **paths;
  LwIngestOptions  options;
  GCancellable    *cancellable;
  GWeakRef         session;
  GMutex           lock;
  GQueue           events;
  guint            idle_id;
  LwIngestReport   report;
  GError          *error;
  GPtrArray       *planned;    /* main thread: items this ingest added as staging */
} Ingest;

static void
event_free (Event *event)
{
  g_free (event->path);
  g_clear_pointer (&event->image, lw_image_free);
  g_free (event->reason);
  g_clear_pointer (&event->planned, g_ptr_array_unref);
  g_free (event);
}

static Ingest *
ingest_ref (Ingest *ingest)
{
  g_atomic_ref_count_inc (&ingest->ref);
  return ingest;
}

static void
ingest_unref (Ingest *ingest)
{
  if (!g_atomic_ref_count_dec (&ingest->ref))
    return;
  g_clear_object (&ingest->jobs);
  g_strfreev (ingest->paths);
  g_clear_object (&ingest->cancellable);
  g_weak_ref_clear (&ingest->session);
  g_queue_clear_full (&ingest->events, (GDestroyNotify) event_free);
  g_mutex_clear (&ingest->lock);
  g_clear_error (&ingest->error);
  g_clear_pointer (&ingest->planned, g_ptr_array_unref);
  g_free (ingest);
}

static void handle_event (LwJobSession *self, Ingest *ingest, Event *event);

static gboolean
deliver_events_cb (gpointer data)
{
  Ingest *ingest = data;
  g_autoptr(LwJobSession) self = g_weak_ref_get (&ingest->session);
  gint64 start = g_get_monotonic_time ();

  for (;;)
    {
      Event *event;

      g_mutex_lock (&ingest->lock);
      event = g_queue_pop_head (&ingest->events);
      if (event == NULL)
        {
          ingest->idle_id = 0;
          g_mutex_unlock (&ingest->lock);
          return G_SOURCE_REMOVE;
        }
      g_mutex_unlock (&ingest->lock);

      if (self != NULL)
        handle_event (self, ingest, event);
      event_free (event);
      if (g_get_monotonic_time () - start > EVENT_BUDGET_US)
        return G_SOURCE_CONTINUE;
    }
}

/* With last, the thread's own reference goes with the event: the main
 * thread always drops the last one, so the service and the staging items
 * this ingest holds are never released on the ingest thread. */
static void
post_event (Ingest   *ingest,
            Event    *event,
            gboolean  last)
{
  g_mutex_lock (&ingest->lock);
  g_queue_push_tail (&ingest->events, event);
  if (ingest->idle_id == 0)
    ingest->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT, deliver_events_cb, last ? ingest : ingest_ref (ingest),
                                       (GDestroyNotify) ingest_unref);
  else if (last)
    {
      /* The source still pending holds a reference: this one is not the
       * last (its callback clears idle_id under this lock before it can
       * return G_SOURCE_REMOVE and drop it). */
      gboolean was_last = g_atomic_ref_count_dec (&ingest->ref);

      g_assert (!was_last);
    }
  g_mutex_unlock (&ingest->lock);
}

static void
file_cb (const LwIngestEvent *ev,
         gpointer             user_data)
{
  Ingest *ingest = user_data;
  Event *event = g_new0 (Event, 1);

  event->kind = EVENT_FILE;
  event->outcome = ev->outcome;
  event->path = g_strdup (ev->path);
  event->image = ev->image != NULL ? lw_image_copy (ev->image) : NULL;
  event->reason = g_strdup (ev->reason);
  post_event (ingest, event, FALSE);
}

static gpointer
ingest_thread (gpointer data)
{
  Ingest *ingest = data;
  g_autoptr(GPtrArray) files = NULL;
  Event *event;

  lw_thread_set_background ();
  /* The list first, so a tile shows for every photo at once; the service
   * walks the folders again to stage them (a few ms for thousands of
   * files) and reports each refusal, loops included, through file_cb. */
  files = lw_ingest_expand ((const char * const *) ingest->paths, NULL, ingest->cancellable);
  event = g_new0 (Event, 1);
  event->kind = EVENT_PLANNED;
  event->planned = files != NULL ? g_steal_pointer (&files) : g_ptr_array_new_with_free_func (g_free);
  post_event (ingest, event, FALSE);

  lw_jobs_stage (ingest->jobs, ingest->job_id, (const char * const *) ingest->paths, &ingest->options,
                 file_cb, ingest, &ingest->report, ingest->cancellable, &ingest->error);

  event = g_new0 (Event, 1);
  event->kind = EVENT_FINISHED;
  post_event (ingest, event, TRUE);
  return NULL;
}

static LwImageItem *
take_staging_item (LwJobSession *self,
                   const char   *path)
{
  LwImageItem *item = g_hash_table_lookup (self->items_by_path, path);

  if (item != NULL)
    g_hash_table_remove (self->items_by_path, path);
  return item;
}

static void
handle_event (LwJobSession *self,
              Ingest       *ingest,
              Event        *event)
{
  gboolean current = lw_job_session_get_job_id (self) == ingest->job_id;
  LwImageItem *item;

  switch (event->kind)
    {
    case EVENT_PLANNED:
      if (current)
        {
          g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

          for (guint i = 0; i < event->planned->len; i++)
            {
              const char *path = g_ptr_array_index (event->planned, i);

              if (g_hash_table_contains (self->items_by_path, path))
                continue;
              item = lw_image_item_new_staging (path);
              g_hash_table_insert (self->items_by_path, g_strdup (path), item);
              g_ptr_array_add (items, item);
              g_ptr_array_add (ingest->planned, g_object_ref (item));
            }
          lw_job_session_append_items (self, items);
        }
      break;

    case EVENT_FILE:
      if (!current)
        break;
      item = take_staging_item (self, event->path);
      switch (event->outcome)
        {
        case LW_INGEST_STAGED:
          if (item == NULL)
            {
              item = lw_image_item_new_staging (event->path);
              lw_job_session_append_item (self, item);
            }
          lw_image_item_update (item, event->image);
          lw_job_session_index_item (self, item);
          break;

        case LW_INGEST_DUPLICATE:
          /* The photo is in the job already: its first tile stays. */
          if (item != NULL)
            lw_job_session_drop_item (self, item);
          break;

        case LW_INGEST_REJECTED:
        default:
          if (item == NULL)
            {
              item = lw_image_item_new_staging (event->path);
              lw_job_session_append_item (self, item);
            }
          lw_image_item_set_rejected (item, event->reason);
          break;
        }
      lw_job_session_queue_changed (self);
      break;

    case EVENT_FINISHED:
    default:
      if (current)
        {
          /* Files the service skipped without a word (staged before from
           * the same path) leave no tile behind. */
          for (guint i = 0; i < ingest->planned->len; i++)
            {
              item = g_ptr_array_index (ingest->planned, i);
              if (lw_image_item_get_phase (item) == LW_IMAGE_ITEM_STAGING)
                {
                  const char *path = lw_image_item_get_source_path (item);

                  if (path != NULL && g_hash_table_lookup (self->items_by_path, path) == item)
                    g_hash_table_remove (self->items_by_path, path);
                  lw_job_session_drop_item (self, item);
                }
            }
          lw_job_session_flush (self);
          lw_job_session_reload_job (self);
        }
      lw_job_session_set_busy (self, self->loading, -1);
      lw_job_session_emit_changed_now (self);
      lw_job_session_queue_jobs_changed (self);
      g_signal_emit (self, lw_job_session_signals[SIGNAL_STAGED], 0, ingest->report.staged, ingest->report.duplicates,
                     ingest->report.rejected, ingest->error);
      break;
    }
}

void
lw_job_session_stage (LwJobSession       *self,
                      const char * const *paths,
                      gboolean            new_job)
{
  g_autoptr(GError) error = NULL;
  Ingest *ingest;
  GThread *thread;

  g_return_if_fail (LW_IS_JOB_SESSION (self));

  if (paths == NULL || paths[0] == NULL)
    return;
  if (new_job && self->job != NULL)
    lw_job_session_show_job (self, NULL);
  if (!lw_job_session_ensure_job (self, &error))
    {
      g_signal_emit (self, lw_job_session_signals[SIGNAL_STAGED], 0, 0u, 0u, 0u, error);
      return;
    }

  ingest = g_new0 (Ingest, 1);
  g_atomic_ref_count_init (&ingest->ref);
  ingest->jobs = g_object_ref (self->jobs);
  ingest->job_id = self->job->id;
  ingest->paths = g_strdupv ((char **) paths);
  lw_jobs_get_ingest_options (self->jobs, &ingest->options);
  ingest->cancellable = g_object_ref (self->cancellable);
  ingest->planned = g_ptr_array_new_with_free_func (g_object_unref);
  g_weak_ref_init (&ingest->session, self);
  g_mutex_init (&ingest->lock);
  g_queue_init (&ingest->events);
  lw_job_session_set_busy (self, self->loading, +1);

  /* A thread of its own rather than GTask's pool: an ingest of thousands
   * of files must not starve the loads and exports that share that pool. */
  thread = g_thread_try_new ("lw-ingest", ingest_thread, ingest, &error);
  if (thread == NULL)
    {
      lw_job_session_set_busy (self, self->loading, -1);
      ingest_unref (ingest);
      g_signal_emit (self, lw_job_session_signals[SIGNAL_STAGED], 0, 0u, 0u, 0u, error);
      return;
    }
  g_thread_unref (thread);
}

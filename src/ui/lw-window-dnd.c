/* lw-window-dnd.c — photos coming in (drop, paste, file chooser, `lightwork
 * FILE…`) and results going out (Save All).
 *
 * Ingest and export run in worker threads with their own database
 * connection. The ingest thread first expands folders and hands the whole
 * list to the window, so a tile shows for every photo at once; then it stages
 * file after file, and each result comes back to the main thread in batches
 * the main loop handles a few milliseconds at a time, so dropping 5,000
 * photos never holds a frame.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-export.h"
#include "lw-ingest.h"
#include "lw-window-private.h"
#include "lw-thread.h"

/* ---- ingest ------------------------------------------------------------ */

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
  GHashTable      *rejected;   /* path → reason, found while expanding */
} Event;

typedef struct {
  gatomicrefcount  ref;
  LwCore          *core;
  gint64           job_id;
  char           **paths;
  GCancellable    *cancellable;
  GWeakRef         window;
  GMutex           lock;
  GQueue           events;
  guint            idle_id;
  LwIngestReport   report;
  GError          *error;
} Ingest;

/* Events are handed to widgets for at most this long per main-loop turn. */
#define EVENT_BUDGET_US 5000

static void
event_free (Event *event)
{
  g_free (event->path);
  g_clear_pointer (&event->image, lw_image_free);
  g_free (event->reason);
  g_clear_pointer (&event->planned, g_ptr_array_unref);
  g_clear_pointer (&event->rejected, g_hash_table_unref);
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
  g_clear_object (&ingest->core);
  g_strfreev (ingest->paths);
  g_clear_object (&ingest->cancellable);
  g_weak_ref_clear (&ingest->window);
  g_queue_clear_full (&ingest->events, (GDestroyNotify) event_free);
  g_mutex_clear (&ingest->lock);
  g_clear_error (&ingest->error);
  g_free (ingest);
}

static void handle_event (LwWindow *self, Ingest *ingest, Event *event);

static gboolean
deliver_events_cb (gpointer data)
{
  Ingest *ingest = data;
  g_autoptr(LwWindow) self = g_weak_ref_get (&ingest->window);
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

static void
post_event (Ingest *ingest,
            Event  *event)
{
  g_mutex_lock (&ingest->lock);
  g_queue_push_tail (&ingest->events, event);
  if (ingest->idle_id == 0)
    ingest->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT, deliver_events_cb, ingest_ref (ingest),
                                       (GDestroyNotify) ingest_unref);
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
  post_event (ingest, event);
}

static gpointer
ingest_thread (gpointer data)
{
  Ingest *ingest = data;
  g_autoptr(LwStore) store = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GHashTable) rejected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  LwIngestOptions options;
  Event *event;

  lw_thread_set_background ();
  store = lw_core_open_store (ingest->core, &ingest->error);
  if (store != NULL)
    {
      files = lw_ingest_expand ((const char * const *) ingest->paths, rejected, ingest->cancellable);
      if (files == NULL)
        files = g_ptr_array_new_with_free_func (g_free);

      event = g_new0 (Event, 1);
      event->kind = EVENT_PLANNED;
      /* A copy: the list below gets its NULL terminator while the main
       * thread reads this one. */
      event->planned = g_ptr_array_copy (files, (GCopyFunc) (void (*) (void)) g_strdup, NULL);
      g_ptr_array_set_free_func (event->planned, g_free);
      event->rejected = g_hash_table_ref (rejected);
      post_event (ingest, event);

      /* Folders that could not be read stay listed with their reason. */
      {
        GHashTableIter iter;
        gpointer path, reason;

        g_hash_table_iter_init (&iter, rejected);
        while (g_hash_table_iter_next (&iter, &path, &reason))
          lw_store_add_rejection (store, ingest->job_id, path, reason, g_get_real_time () / 1000, NULL);
      }

      lw_ingest_options_init (&options);
      options.limits.max_bytes = lw_store_get_setting_int (store, "ingest.max_bytes", options.limits.max_bytes);
      options.limits.max_pixels = lw_store_get_setting_int (store, "ingest.max_pixels", options.limits.max_pixels);
      g_ptr_array_add (files, NULL);
      lw_ingest_paths (store, lw_core_get_blobs (ingest->core), ingest->job_id,
                       (const char * const *) files->pdata, &options, file_cb, ingest,
                       &ingest->report, ingest->cancellable, &ingest->error);
    }

  event = g_new0 (Event, 1);
  event->kind = EVENT_FINISHED;
  post_event (ingest, event);
  ingest_unref (ingest);
  return NULL;
}

static void
handle_event (LwWindow *self,
              Ingest   *ingest,
              Event    *event)
{
  gboolean current = lw_window_get_job_id (self) == ingest->job_id;
  LwImageItem *item;

  switch (event->kind)
    {
    case EVENT_PLANNED:
      if (current)
        {
          g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
          GHashTableIter iter;
          gpointer path, reason;

          for (guint i = 0; i < event->planned->len; i++)
            {
              const char *path_i = g_ptr_array_index (event->planned, i);

              if (g_hash_table_contains (self->items_by_path, path_i))
                continue;
              item = lw_image_item_new_staging (path_i);
              g_hash_table_insert (self->items_by_path, g_strdup (path_i), item);
              g_ptr_array_add (items, item);
            }
          g_hash_table_iter_init (&iter, event->rejected);
          while (g_hash_table_iter_next (&iter, &path, &reason))
            {
              item = lw_image_item_new_staging (path);
              lw_image_item_set_rejected (item, reason);
              g_ptr_array_add (items, item);
            }
          lw_window_append_items (self, items);
        }
      break;

    case EVENT_FILE:
      if (!current)
        break;
      item = g_hash_table_lookup (self->items_by_path, event->path);
      if (item != NULL)
        g_hash_table_remove (self->items_by_path, event->path);
      switch (event->outcome)
        {
        case LW_INGEST_STAGED:
          if (item == NULL)
            {
              g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

              item = lw_image_item_new_staging (event->path);
              g_ptr_array_add (items, item);
              lw_window_append_items (self, items);
            }
          lw_image_item_update (item, event->image);
          lw_window_item_added (self, item);
          break;

        case LW_INGEST_DUPLICATE:
          {
            guint position;

            /* The photo is in the job already: its first tile stays. */
            if (item != NULL && !lw_window_forget_item (self, item)
                && g_list_store_find (self->items, item, &position))
              g_list_store_remove (self->items, position);
            lw_window_queue_refresh (self, TRUE, FALSE);
          }
          break;

        case LW_INGEST_REJECTED:
        default:
          if (item == NULL)
            {
              g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

              item = lw_image_item_new_staging (event->path);
              g_ptr_array_add (items, item);
              lw_window_append_items (self, items);
            }
          lw_image_item_set_rejected (item, event->reason);
          lw_window_queue_refresh (self, TRUE, FALSE);
          break;
        }
      break;

    case EVENT_FINISHED:
    default:
      if (current)
        lw_window_flush_items (self);
      self->n_ingests--;
      if (ingest->error != NULL && !g_error_matches (ingest->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lw_window_toast (self, ingest->error->message);
      else if (ingest->report.duplicates > 0 || ingest->report.rejected > 0)
        {
          g_autoptr(GString) text = g_string_new (NULL);

          g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u photo added", "%u photos added",
                                                     ingest->report.staged), ingest->report.staged);
          if (ingest->report.duplicates > 0)
            {
              g_string_append (text, " · ");
              g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u already there",
                                                         "%u already there", ingest->report.duplicates),
                                      ingest->report.duplicates);
            }
          if (ingest->report.rejected > 0)
            {
              g_string_append (text, " · ");
              g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u refused", "%u refused",
                                                         ingest->report.rejected), ingest->report.rejected);
            }
          lw_window_toast (self, text->str);
        }
      /* Photos staged into a running job join its queue now. */
      if (current && self->job->status == LW_JOB_PROCESSING)
        lw_scheduler_poke (self->scheduler);
      lw_window_queue_refresh (self, TRUE, TRUE);
      break;
    }
}

void
lw_window_stage_paths (LwWindow           *self,
                       const char * const *paths,
                       gboolean            new_job)
{
  g_autoptr(GError) error = NULL;
  Ingest *ingest;
  GThread *thread;

  g_return_if_fail (LW_IS_WINDOW (self));

  if (paths == NULL || paths[0] == NULL)
    return;
  if (new_job && self->job != NULL)
    lw_window_show_job (self, NULL);
  if (!lw_window_ensure_job (self, &error))
    {
      lw_window_toast (self, error->message);
      return;
    }

  ingest = g_new0 (Ingest, 1);
  g_atomic_ref_count_init (&ingest->ref);
  ingest->core = g_object_ref (self->core);
  ingest->job_id = self->job->id;
  ingest->paths = g_strdupv ((char **) paths);
  ingest->cancellable = g_object_ref (self->cancellable);
  g_weak_ref_init (&ingest->window, self);
  g_mutex_init (&ingest->lock);
  g_queue_init (&ingest->events);
  self->n_ingests++;

  /* A thread of its own rather than GTask's pool: an ingest of thousands
   * of files must not starve the loads and exports that share that pool. */
  thread = g_thread_try_new ("lw-ingest", ingest_thread, ingest, &error);
  if (thread == NULL)
    {
      self->n_ingests--;
      ingest_unref (ingest);
      lw_window_toast (self, error->message);
      return;
    }
  g_thread_unref (thread);
}

void
lw_window_stage_files (LwWindow *self,
                       GSList   *files,
                       gboolean  new_job)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint n_remote = 0;

  for (GSList *l = files; l != NULL; l = l->next)
    {
      char *path = g_file_get_path (l->data);

      if (path != NULL)
        g_ptr_array_add (paths, path);
      else
        n_remote++;
    }
  if (n_remote > 0)
    lw_window_toast (self, _("Only files on this computer can be added"));
  g_ptr_array_add (paths, NULL);
  lw_window_stage_paths (self, (const char * const *) paths->pdata, new_job);
}

/* ---- drop -------------------------------------------------------------- */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         LwWindow      *self)
{
  GdkFileList *list;

  lw_drop_zone_set_hover (self->drop_zone, FALSE);
  gtk_widget_remove_css_class (self->canvas, "drop-hover");
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  list = g_value_get_boxed (value);
  {
    g_autoptr(GSList) files = gdk_file_list_get_files (list);

    if (files == NULL)
      return FALSE;
    lw_window_stage_files (self, files, FALSE);
  }
  return TRUE;
}

static GdkDragAction
drop_enter_cb (GtkDropTarget *target,
               double         x,
               double         y,
               LwWindow      *self)
{
  lw_drop_zone_set_hover (self->drop_zone, TRUE);
  gtk_widget_add_css_class (self->canvas, "drop-hover");
  return GDK_ACTION_COPY;
}

static void
drop_leave_cb (GtkDropTarget *target,
               LwWindow      *self)
{
  lw_drop_zone_set_hover (self->drop_zone, FALSE);
  gtk_widget_remove_css_class (self->canvas, "drop-hover");
}

void
lw_window_init_dnd (LwWindow *self)
{
  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (self->drop_target, "drop", G_CALLBACK (drop_cb), self);
  g_signal_connect (self->drop_target, "enter", G_CALLBACK (drop_enter_cb), self);
  g_signal_connect (self->drop_target, "leave", G_CALLBACK (drop_leave_cb), self);
  /* On the whole canvas: photos can be dropped on the grid as well. */
  gtk_widget_add_controller (self->canvas, GTK_EVENT_CONTROLLER (self->drop_target));
}

GtkDropTarget *
lw_window_get_drop_target (LwWindow *self)
{
  return self->drop_target;
}

/* ---- paste ------------------------------------------------------------- */

static void
paste_text_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LwWindow) self = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  if (text == NULL)
    {
      lw_window_toast (self, _("The clipboard holds no photos"));
      return;
    }
  /* Some apps copy files as a list of URIs or paths in plain text. */
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *path = NULL;

      if (g_str_has_prefix (line, "file://"))
        path = g_filename_from_uri (line, NULL, NULL);
      else if (g_path_is_absolute (line) && g_file_test (line, G_FILE_TEST_EXISTS))
        path = g_strdup (line);
      if (path != NULL)
        g_ptr_array_add (paths, path);
    }
  if (paths->len == 0)
    {
      lw_window_toast (self, _("The clipboard holds no photos"));
      return;
    }
  g_ptr_array_add (paths, NULL);
  lw_window_stage_paths (self, (const char * const *) paths->pdata, FALSE);
}

static void
paste_files_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LwWindow) self = user_data;
  const GValue *value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (source), result, NULL);

  if (value != NULL && G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      g_autoptr(GSList) files = gdk_file_list_get_files (g_value_get_boxed (value));

      if (files != NULL)
        {
          lw_window_stage_files (self, files, FALSE);
          return;
        }
    }
  gdk_clipboard_read_text_async (GDK_CLIPBOARD (source), NULL, paste_text_cb, g_object_ref (self));
}

void
lw_window_paste (LwWindow *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT, NULL,
                                    paste_files_cb, g_object_ref (self));
  else
    gdk_clipboard_read_text_async (clipboard, NULL, paste_text_cb, g_object_ref (self));
}

/* ---- the file chooser -------------------------------------------------- */

static void
choose_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    LwWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GSList) list = NULL;
      guint n = g_list_model_get_n_items (files);

      for (guint i = n; i > 0; i--)
        list = g_slist_prepend (list, g_list_model_get_item (files, i - 1));
      lw_window_stage_files (self, list, FALSE);
      g_slist_free_full (g_steal_pointer (&list), g_object_unref);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
lw_window_choose_files (LwWindow *self)
{
  /* GtkFileChooserNative (GtkFileDialog is GTK 4.10): it goes through the
   * portal inside Flatpak, so no file-system permission is needed. */
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Add Photos"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                 _("_Add"), _("_Cancel"));
  g_autoptr(GtkFileFilter) images = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  gtk_file_filter_set_name (images, _("Photos"));
  gtk_file_filter_add_mime_type (images, "image/jpeg");
  gtk_file_filter_add_mime_type (images, "image/png");
  gtk_file_filter_add_mime_type (images, "image/webp");
  gtk_file_filter_add_mime_type (images, "image/tiff");
  gtk_file_filter_add_mime_type (images, "image/heic");
  gtk_file_filter_add_mime_type (images, "image/avif");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), images);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (choose_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- Save All ---------------------------------------------------------- */

typedef struct {
  LwCore   *core;
  gint64    job_id;
  char     *dir;
  char     *template_str;
  GWeakRef  window;
  gint      done;    /* atomic */
  gint      total;   /* atomic */
  gint      idle;    /* atomic: a progress idle is queued */
  guint     n_written;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->core);
  g_free (export->dir);
  g_free (export->template_str);
  g_weak_ref_clear (&export->window);
  g_free (export);
}

static gboolean
export_progress_idle (gpointer data)
{
  GTask *task = data;
  Export *export = g_task_get_task_data (task);
  g_autoptr(LwWindow) self = g_weak_ref_get (&export->window);

  g_atomic_int_set (&export->idle, 0);
  if (self != NULL && self->exporting)
    lw_command_dock_set_saving (self->dock, (guint) g_atomic_int_get (&export->done),
                                (guint) g_atomic_int_get (&export->total));
  return G_SOURCE_REMOVE;
}

static void
export_progress_cb (guint    done,
                    guint    total,
                    gpointer user_data)
{
  GTask *task = user_data;
  Export *export = g_task_get_task_data (task);

  g_atomic_int_set (&export->done, (gint) done);
  g_atomic_int_set (&export->total, (gint) total);
  if (g_atomic_int_compare_and_exchange (&export->idle, 0, 1))
    g_idle_add_full (G_PRIORITY_DEFAULT, export_progress_idle, g_object_ref (task), g_object_unref);
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Export *export = task_data;
  g_autoptr(LwStore) store = NULL;
  GError *error = NULL;

  store = lw_core_open_store (export->core, &error);
  if (store == NULL
      || !lw_export_job (store, lw_core_get_blobs (export->core), export->job_id, export->dir,
                         export->template_str, export_progress_cb, task, &export->n_written,
                         cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LwWindow *self = LW_WINDOW (source);
  Export *export = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  self->exporting = FALSE;
  lw_command_dock_set_saving (self->dock, 0, 0);
  lw_window_refresh_now (self);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lw_window_toast (self, error->message);
      return;
    }
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Saved %u photo", "Saved %u photos", export->n_written),
                           export->n_written);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("Open Folder"));
  adw_toast_set_action_name (toast, "win.open-folder");
  adw_toast_set_action_target_value (toast, g_variant_new_string (export->dir));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
lw_window_save_all_to (LwWindow   *self,
                       const char *dir)
{
  g_autoptr(GTask) task = NULL;
  Export *export;

  g_return_if_fail (LW_IS_WINDOW (self));

  if (self->job == NULL || self->exporting)
    return;
  export = g_new0 (Export, 1);
  export->core = g_object_ref (self->core);
  export->job_id = self->job->id;
  export->dir = g_strdup (dir);
  export->template_str = lw_store_get_setting (lw_window_get_store (self), "export.template");
  if (export->template_str == NULL)
    export->template_str = g_strdup (LW_EXPORT_TEMPLATE_DEFAULT);
  g_weak_ref_init (&export->window, self);

  self->exporting = TRUE;
  lw_command_dock_set_saving (self->dock, 0, (guint) MAX (self->counts.completed, 1));
  lw_window_update_actions (self);

  task = g_task_new (self, self->cancellable, export_done_cb, NULL);
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  g_task_set_source_tag (task, lw_window_save_all_to);
  g_task_run_in_thread (task, export_thread);
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  LwWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        lw_window_save_all_to (self, path);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
lw_window_choose_save_folder (LwWindow *self)
{
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Save All Results"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                 _("_Save Here"), _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

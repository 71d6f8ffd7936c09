/* lw-window-testing.c — getters of lw-window-testing.h, and the frame
 * clock's watch behind lw_window_get_longest_stall_us (LW_MEASURE_FRAMES). */
#include "config.h"

#include "lw-window-private.h"
#include "lw-window-testing.h"

LwStagingGrid *
lw_window_get_staging_grid (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->staging_grid;
}

LwStatusBanner *
lw_window_get_banner (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->banner;
}

LwPromptEditor *
lw_window_get_prompt_editor (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->prompt_editor;
}

LwModuleEditor *
lw_window_get_module_editor (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->module_editor;
}

LwCommandDock *
lw_window_get_dock (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->dock;
}

LwDropZone *
lw_window_get_drop_zone (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->drop_zone;
}

LwSidebar *
lw_window_get_sidebar (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->sidebar;
}

LwTextureCache *
lw_window_get_cache (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->cache;
}

LwViewer *
lw_window_get_viewer (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), NULL);

  return self->viewer;
}

const char *
lw_window_get_last_toast (LwWindow *self)
{
  return self->last_toast;
}

GtkFileChooserNative *
lw_window_get_chooser (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), NULL);

  return self->chooser;
}

GtkWidget *
lw_window_get_tile_popover (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), NULL);

  return self->tile_popover;
}

GtkWidget *
lw_window_get_dialog (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->dialog;
}

GtkWidget *
lw_window_get_canvas_stack (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->canvas_stack;
}

GtkWidget *
lw_window_get_job_name_label (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->job_name_label;
}

GtkWidget *
lw_window_get_model_dropdown (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->model_dropdown;
}

GtkWidget *
lw_window_get_module_prompt_button (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->module_prompt_button;
}

GtkWidget *
lw_window_get_count_all (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->count_all;
}

GtkWidget *
lw_window_get_count_pending (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->count_pending;
}

GtkWidget *
lw_window_get_count_done (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->count_done;
}

GtkWidget *
lw_window_get_count_failed (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->count_failed;
}

GtkWidget *
lw_window_get_count_accepted (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), NULL);

  return self->count_accepted;
}

GtkWidget *
lw_window_get_count_rejected (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), NULL);

  return self->count_rejected;
}

/* The tab buttons of the review filters (shown once something is done). */
GtkWidget *
lw_window_get_filter_accepted (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), NULL);

  return self->filter_accepted;
}

gboolean
lw_window_get_storing_key (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->storing_key;
}

gint64
lw_window_get_longest_stall_us (LwWindow *self)
{
  g_return_val_if_fail (LW_IS_WINDOW (self), 0);

  return self->longest_stall_us;
}

static void
frame_tick_stats (LwWindow *self,
                  gint64    frame_time)
{
  if (self->last_frame_us != 0 && frame_time - self->last_frame_us > self->longest_stall_us)
    self->longest_stall_us = frame_time - self->last_frame_us;
  self->last_frame_us = frame_time;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  frame_tick_stats (LW_WINDOW (widget), g_get_monotonic_time ());
  return G_SOURCE_CONTINUE;
}

void
lw_window_init_frame_stats (LwWindow *self)
{
  if (g_getenv ("LW_MEASURE_FRAMES") != NULL)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

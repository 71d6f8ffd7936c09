/* lw-command-dock.c — the floating command dock. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-command-dock.h"
#include "lw-ui-util.h"

struct _LwCommandDock
{
  GtkWidget     parent_instance;

  GtkWidget    *dock;
  GtkWidget    *summary_label;
  GtkWidget    *detail_label;
  GtkWidget    *progress_bar;
  GtkWidget    *launch_button;
  GtkWidget    *launch_label;
  GtkWidget    *info_box;
  GtkWidget    *separator;
  GtkWidget    *buttons;
  GtkWidget    *launch_hint;
  GtkWidget    *save_icon;
  GtkWidget    *stop_now_button;
  GtkWidget    *cancel_button;
  GtkWidget    *save_button;

  gboolean      revealed;
  double        reveal;   /* 0 hidden … 1 shown; the spring may overshoot */
  AdwAnimation *animation;
  gboolean      saving;
  char         *projection;   /* "About $4.20 for 125 photos", or NULL */
  char         *paused;   /* why the job waits (window words), or NULL */
  guint         at_google; /* photos in Google's batches (economy) */
};

G_DEFINE_FINAL_TYPE (LwCommandDock, lw_command_dock, GTK_TYPE_WIDGET)

static void
reveal_cb (double   value,
           gpointer user_data)
{
  LwCommandDock *self = user_data;

  self->reveal = value;
  gtk_widget_set_opacity (GTK_WIDGET (self), CLAMP (value, 0.0, 1.0));
  gtk_widget_set_can_target (GTK_WIDGET (self), value > 0.5);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (value <= 0.0 && !self->revealed)
    gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

void
lw_command_dock_set_revealed (LwCommandDock *self,
                              gboolean       revealed)
{
  g_return_if_fail (LW_IS_COMMAND_DOCK (self));

  revealed = !!revealed;
  if (self->revealed == revealed)
    return;
  self->revealed = revealed;
  if (self->animation != NULL)
    adw_animation_pause (self->animation);
  g_clear_object (&self->animation);
  if (revealed)
    gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  /* Slightly under-damped on the way in, so it lands with a small bounce. */
  self->animation = lw_ui_spring (GTK_WIDGET (self), self->reveal, revealed ? 1.0 : 0.0,
                                  revealed ? 0.7 : 1.0, 220.0, reveal_cb, self);
}

gboolean
lw_command_dock_get_revealed (LwCommandDock *self)
{
  return self->revealed;
}

static void
lw_command_dock_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  LwCommandDock *self = LW_COMMAND_DOCK (widget);

  /* Rises from 32 px below its place. */
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, (float) (32.0 * (1.0 - self->reveal))));
  gtk_widget_snapshot_child (widget, self->dock, snapshot);
  gtk_snapshot_restore (snapshot);
}

void
lw_command_dock_set_progress (LwCommandDock     *self,
                              const LwJobCounts *counts,
                              guint              in_flight,
                              gint64             eta_ms,
                              double             cost,
                              gboolean           running)
{
  g_autofree char *summary = NULL;
  g_autoptr(GString) detail = g_string_new (NULL);
  int finished;

  g_return_if_fail (LW_IS_COMMAND_DOCK (self));

  if (self->saving)
    return;

  finished = counts->completed + counts->failed;
  if (counts->total == 0)
    summary = g_strdup (_("No photos yet"));
  else if (!running && finished == 0 && in_flight == 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d photo ready", "%d photos ready", counts->total),
                               counts->total);
  else
    /* TRANSLATORS: "12 of 40 done" */
    summary = g_strdup_printf (_("%d of %d done"), counts->completed, counts->total);

  /* A launched job held by a pause is not running: say so, and why. */
  if (running && self->paused != NULL)
    {
      /* TRANSLATORS: the dock's detail while a job waits, "Paused: offline" */
      g_string_append_printf (detail, _("Paused: %s"), self->paused);
      running = FALSE;
    }
  else if (running && self->at_google > 0)
    {
      /* An economy job: its photos wait at Google, none is "in flight". */
      if (in_flight > 0)
        g_string_append_printf (detail, _("%u in flight"), in_flight);
      if (detail->len > 0)
        g_string_append (detail, " · ");
      g_string_append_printf (detail, g_dngettext (GETTEXT_PACKAGE, "%u in a batch at Google", "%u in batches at Google",
                                                   self->at_google), self->at_google);
    }
  else if (running)
    g_string_append_printf (detail, _("%u in flight"), in_flight);
  else if (in_flight > 0)
    /* Cancelled: nothing new starts, and the requests already sent (so
     * charged) land and are kept (docs/ARCHITECTURE.md, "Jobs"). */
    g_string_append_printf (detail, g_dngettext (GETTEXT_PACKAGE, "Finishing %u in flight…", "Finishing %u in flight…",
                                                 in_flight), in_flight);
  /* Stop Now only while there is something to abandon. */
  gtk_widget_set_visible (self->stop_now_button, !running && in_flight > 0);
  if (counts->failed > 0)
    {
      if (detail->len > 0)
        g_string_append (detail, " · ");
      g_string_append_printf (detail, _("%d failed"), counts->failed);
    }
  if (counts->retry_later > 0)
    {
      if (detail->len > 0)
        g_string_append (detail, " · ");
      g_string_append_printf (detail, _("%d waiting to retry"), counts->retry_later);
    }
  if (running && eta_ms >= 0)
    {
      g_autofree char *eta = lw_ui_format_duration (eta_ms);

      if (detail->len > 0)
        g_string_append (detail, " · ");
      /* TRANSLATORS: estimated time left, "ETA 3 min" */
      g_string_append_printf (detail, _("ETA %s"), eta);
    }
  if (cost >= 0)
    {
      if (detail->len > 0)
        g_string_append (detail, " · ");
      /* TRANSLATORS: money spent so far on the job, in US dollars */
      g_string_append_printf (detail, _("$%.2f"), cost);
    }
  if (!running && self->projection != NULL)
    {
      if (detail->len > 0)
        g_string_append (detail, " · ");
      g_string_append (detail, self->projection);
    }
  if (detail->len == 0 && !running)
    g_string_append (detail, finished == counts->total && counts->total > 0
                             ? _("Finished") : _("Ready to launch"));

  gtk_label_set_label (GTK_LABEL (self->summary_label), summary);
  gtk_label_set_label (GTK_LABEL (self->detail_label), detail->str);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar),
                                 counts->total > 0 ? (double) finished / counts->total : 0.0);
  if (running)
    gtk_widget_add_css_class (self->dock, "running");
  else
    gtk_widget_remove_css_class (self->dock, "running");
  {
    const char *launch = finished > 0 && finished < counts->total && !running ? _("Resume") : _("Launch");

    gtk_label_set_label (GTK_LABEL (self->launch_label), launch);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->launch_button), GTK_ACCESSIBLE_PROPERTY_LABEL, launch, -1);
  }
}

void
lw_command_dock_set_paused (LwCommandDock *self,
                            const char    *reason)
{
  g_return_if_fail (LW_IS_COMMAND_DOCK (self));

  g_free (self->paused);
  self->paused = g_strdup (reason);
}

void
lw_command_dock_set_at_google (LwCommandDock *self,
                               guint          n)
{
  g_return_if_fail (LW_IS_COMMAND_DOCK (self));

  self->at_google = n;
}

void
lw_command_dock_set_saving (LwCommandDock *self,
                            guint          done,
                            guint          total)
{
  g_autofree char *summary = NULL;

  g_return_if_fail (LW_IS_COMMAND_DOCK (self));

  self->saving = total > 0;
  if (total == 0)
    return;
  gtk_widget_set_visible (self->stop_now_button, FALSE);
  summary = g_strdup_printf (_("Saving %u of %u"), done, total);
  gtk_label_set_label (GTK_LABEL (self->summary_label), summary);
  gtk_label_set_label (GTK_LABEL (self->detail_label), _("Writing results to the folder you chose"));
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), (double) done / total);
}

void
lw_command_dock_set_projection (LwCommandDock *self,
                                const char    *text)
{
  g_return_if_fail (LW_IS_COMMAND_DOCK (self));

  g_free (self->projection);
  self->projection = g_strdup (text);
}

const char *
lw_command_dock_get_summary (LwCommandDock *self)
{
  return gtk_label_get_label (GTK_LABEL (self->summary_label));
}

const char *
lw_command_dock_get_detail (LwCommandDock *self)
{
  return gtk_label_get_label (GTK_LABEL (self->detail_label));
}

gboolean
lw_command_dock_focus (LwCommandDock *self)
{
  /* Stop Now while requests land; then Save All, once there is a result;
   * then Launch (Resume); then Cancel. */
  GtkWidget *order[] = { self->stop_now_button, self->save_button, self->launch_button, self->cancel_button };

  g_return_val_if_fail (LW_IS_COMMAND_DOCK (self), FALSE);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || !gtk_widget_get_can_target (GTK_WIDGET (self)))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (gtk_widget_get_mapped (order[i]) && gtk_widget_is_sensitive (order[i]) && gtk_widget_grab_focus (order[i]))
      return TRUE;
  return FALSE;
}

GtkWidget *
lw_command_dock_get_stop_now_button (LwCommandDock *self)
{
  return self->stop_now_button;
}

GtkWidget *
lw_command_dock_get_cancel_button (LwCommandDock *self)
{
  return self->cancel_button;
}

GtkWidget *
lw_command_dock_get_save_button (LwCommandDock *self)
{
  return self->save_button;
}

void
lw_command_dock_show_key_hint (LwCommandDock *self,
                               gboolean       show)
{
  g_return_if_fail (LW_IS_COMMAND_DOCK (self));

  gtk_widget_set_visible (self->launch_hint, show);
}

void
lw_command_dock_set_narrow (LwCommandDock *self,
                            gboolean       narrow)
{
  g_return_if_fail (LW_IS_COMMAND_DOCK (self));

  /* Narrow: the progress above the buttons, the dock as wide as the
   * window allows. */
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->dock), narrow ? GTK_ORIENTATION_VERTICAL
                                                                      : GTK_ORIENTATION_HORIZONTAL);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->separator), narrow ? GTK_ORIENTATION_HORIZONTAL
                                                                           : GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_size_request (self->info_box, narrow ? -1 : 240, -1);
  /* German's "Alle speichern" needs the room of the icon at 360 px. */
  gtk_widget_set_visible (self->save_icon, !narrow);
  gtk_widget_set_halign (self->buttons, narrow ? GTK_ALIGN_END : GTK_ALIGN_FILL);
  gtk_widget_set_halign (GTK_WIDGET (self), narrow ? GTK_ALIGN_FILL : GTK_ALIGN_CENTER);
  gtk_widget_set_margin_start (GTK_WIDGET (self), narrow ? 8 : 0);
  gtk_widget_set_margin_end (GTK_WIDGET (self), narrow ? 8 : 0);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self), narrow ? 8 : 24);
  if (narrow)
    gtk_widget_add_css_class (self->dock, "narrow");
  else
    gtk_widget_remove_css_class (self->dock, "narrow");
}

static void
lw_command_dock_dispose (GObject *object)
{
  LwCommandDock *self = LW_COMMAND_DOCK (object);

  /* Finished before its widget goes: a spring still playing holds a tick
   * callback and a signal handler on it. */
  if (self->animation != NULL)
    adw_animation_skip (self->animation);
  g_clear_object (&self->animation);
  g_clear_pointer (&self->paused, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), LW_TYPE_COMMAND_DOCK);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lw_command_dock_parent_class)->dispose (object);
}

static void
lw_command_dock_finalize (GObject *object)
{
  LwCommandDock *self = LW_COMMAND_DOCK (object);

  g_free (self->projection);

  G_OBJECT_CLASS (lw_command_dock_parent_class)->finalize (object);
}

static void
lw_command_dock_class_init (LwCommandDockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lw_command_dock_dispose;
  object_class->finalize = lw_command_dock_finalize;
  widget_class->snapshot = lw_command_dock_snapshot;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-command-dock.ui");
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, dock);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, detail_label);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, launch_button);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, launch_label);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, info_box);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, separator);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, buttons);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, launch_hint);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, save_icon);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, stop_now_button);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LwCommandDock, save_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lw-command-dock");
}

static void
lw_command_dock_init (LwCommandDock *self)
{
  LwJobCounts none = { 0 };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->reveal = 0.0;
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  gtk_widget_set_opacity (GTK_WIDGET (self), 0.0);
  lw_command_dock_set_progress (self, &none, 0, -1, -1, FALSE);
}

GtkWidget *
lw_command_dock_new (void)
{
  return g_object_new (LW_TYPE_COMMAND_DOCK, NULL);
}

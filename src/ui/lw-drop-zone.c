/* lw-drop-zone.c — the resting state of the canvas. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-drop-zone.h"
#include "lw-ui-util.h"

struct _LwDropZone
{
  GtkWidget     parent_instance;

  GtkWidget    *target;
  GtkWidget    *module_label;
  GtkWidget    *buttons;
  gboolean      hover;
  double        lift;      /* 0 resting … 1 lifted */
  AdwAnimation *animation;
};

G_DEFINE_FINAL_TYPE (LwDropZone, lw_drop_zone, GTK_TYPE_WIDGET)

static void
lift_cb (double   value,
         gpointer user_data)
{
  LwDropZone *self = user_data;

  self->lift = value;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lw_drop_zone_set_hover (LwDropZone *self,
                        gboolean    hover)
{
  g_return_if_fail (LW_IS_DROP_ZONE (self));

  hover = !!hover;
  if (self->hover == hover)
    return;
  self->hover = hover;
  if (hover)
    gtk_widget_add_css_class (self->target, "drag-hover");
  else
    gtk_widget_remove_css_class (self->target, "drag-hover");
  if (self->animation != NULL)
    adw_animation_pause (self->animation);
  g_clear_object (&self->animation);
  self->animation = lw_ui_spring (GTK_WIDGET (self), self->lift, hover ? 1.0 : 0.0, 0.6, 260.0,
                                  lift_cb, self);
}

gboolean
lw_drop_zone_get_hover (LwDropZone *self)
{
  return self->hover;
}

void
lw_drop_zone_set_narrow (LwDropZone *self,
                         gboolean    narrow)
{
  g_return_if_fail (LW_IS_DROP_ZONE (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->buttons),
                                  narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
}

void
lw_drop_zone_set_module (LwDropZone *self,
                         const char *module_name)
{
  g_autofree char *text = NULL;

  g_return_if_fail (LW_IS_DROP_ZONE (self));

  /* TRANSLATORS: under the drop target; %s is a module such as "Food Enhancer" */
  text = g_strdup_printf (_("They will go through %s"), module_name != NULL ? module_name : "");
  gtk_label_set_label (GTK_LABEL (self->module_label), text);
}

static void
lw_drop_zone_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  LwDropZone *self = LW_DROP_ZONE (widget);
  float w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  float s = (float) (1.0 + 0.025 * self->lift);

  /* Lifts 6 px and grows 2.5 % toward the pointer's drag. */
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (w / 2.f, h / 2.f - (float) (6.0 * self->lift)));
  gtk_snapshot_scale (snapshot, s, s);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-w / 2.f, -h / 2.f));
  gtk_widget_snapshot_child (widget, self->target, snapshot);
  gtk_snapshot_restore (snapshot);
}

static void
lw_drop_zone_dispose (GObject *object)
{
  LwDropZone *self = LW_DROP_ZONE (object);

  /* Finished before its widget goes: a spring still playing holds a tick
   * callback and a signal handler on it. */
  if (self->animation != NULL)
    adw_animation_skip (self->animation);
  g_clear_object (&self->animation);
  gtk_widget_dispose_template (GTK_WIDGET (self), LW_TYPE_DROP_ZONE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lw_drop_zone_parent_class)->dispose (object);
}

static void
lw_drop_zone_class_init (LwDropZoneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lw_drop_zone_dispose;
  widget_class->snapshot = lw_drop_zone_snapshot;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-drop-zone.ui");
  gtk_widget_class_bind_template_child (widget_class, LwDropZone, target);
  gtk_widget_class_bind_template_child (widget_class, LwDropZone, module_label);
  gtk_widget_class_bind_template_child (widget_class, LwDropZone, buttons);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lw-drop-zone");
}

static void
lw_drop_zone_init (LwDropZone *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
lw_drop_zone_new (void)
{
  return g_object_new (LW_TYPE_DROP_ZONE, NULL);
}

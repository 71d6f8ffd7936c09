/* lw-status-banner.c — the pause banner. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-status-banner.h"

struct _LwStatusBanner
{
  GtkWidget  parent_instance;

  GtkWidget *revealer;
  GtkWidget *title_label;
  GtkWidget *button;
  GtkWidget *secondary_button;
};

G_DEFINE_FINAL_TYPE (LwStatusBanner, lw_status_banner, GTK_TYPE_WIDGET)

void
lw_status_banner_show (LwStatusBanner *self,
                       const char     *title,
                       const char     *button_label,
                       const char     *action_name)
{
  g_return_if_fail (LW_IS_STATUS_BANNER (self));

  gtk_label_set_label (GTK_LABEL (self->title_label), title);
  gtk_widget_set_visible (self->button, button_label != NULL && action_name != NULL);
  if (button_label != NULL)
    gtk_button_set_label (GTK_BUTTON (self->button), button_label);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->button), action_name);
  lw_status_banner_set_secondary (self, NULL, NULL);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->revealer), TRUE);
  /* Screen readers hear it once, as it appears. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
}

void
lw_status_banner_set_secondary (LwStatusBanner *self,
                                const char     *button_label,
                                const char     *action_name)
{
  g_return_if_fail (LW_IS_STATUS_BANNER (self));

  gtk_widget_set_visible (self->secondary_button, button_label != NULL && action_name != NULL);
  if (button_label != NULL)
    gtk_button_set_label (GTK_BUTTON (self->secondary_button), button_label);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->secondary_button), action_name);
}

const char *
lw_status_banner_get_action_name (LwStatusBanner *self,
                                  gboolean        secondary)
{
  g_return_val_if_fail (LW_IS_STATUS_BANNER (self), NULL);

  return gtk_actionable_get_action_name (GTK_ACTIONABLE (secondary ? self->secondary_button : self->button));
}

void
lw_status_banner_hide (LwStatusBanner *self)
{
  g_return_if_fail (LW_IS_STATUS_BANNER (self));

  gtk_revealer_set_reveal_child (GTK_REVEALER (self->revealer), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Job status"), -1);
}

gboolean
lw_status_banner_is_shown (LwStatusBanner *self)
{
  return gtk_revealer_get_reveal_child (GTK_REVEALER (self->revealer));
}

const char *
lw_status_banner_get_title (LwStatusBanner *self)
{
  return gtk_label_get_label (GTK_LABEL (self->title_label));
}

static void
lw_status_banner_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), LW_TYPE_STATUS_BANNER);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lw_status_banner_parent_class)->dispose (object);
}

static void
lw_status_banner_class_init (LwStatusBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lw_status_banner_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-status-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, LwStatusBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, LwStatusBanner, title_label);
  gtk_widget_class_bind_template_child (widget_class, LwStatusBanner, button);
  gtk_widget_class_bind_template_child (widget_class, LwStatusBanner, secondary_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lw-status-banner");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_ALERT);
}

static void
lw_status_banner_init (LwStatusBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Never a nameless alert, even before the first pause. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Job status"), -1);
}

GtkWidget *
lw_status_banner_new (void)
{
  return g_object_new (LW_TYPE_STATUS_BANNER, NULL);
}

/* lw-window.c — the main window (placeholder until the workspace lands). */
#include "config.h"

#include <glib/gi18n.h>

#include "lw-window.h"

struct _LwWindow
{
  AdwApplicationWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (LwWindow, lw_window, ADW_TYPE_APPLICATION_WINDOW)

static void
lw_window_class_init (LwWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-window.ui");
}

static void
lw_window_init (LwWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "lightwork");
}

LwWindow *
lw_window_new (LwApplication *application)
{
  return g_object_new (LW_TYPE_WINDOW, "application", application, NULL);
}

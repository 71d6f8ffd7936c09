/* lw-application.c — the GtkApplication of LightWork. */
#include "config.h"

#include <glib/gi18n.h>

#include "lw-application.h"
#include "lw-window.h"

struct _LwApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (LwApplication, lw_application, ADW_TYPE_APPLICATION)

static void
lw_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (lw_window_new (LW_APPLICATION (app)));
  gtk_window_present (window);
}

static void
lw_application_class_init (LwApplicationClass *klass)
{
  G_APPLICATION_CLASS (klass)->activate = lw_application_activate;
}

static void
lw_application_init (LwApplication *self)
{
}

LwApplication *
lw_application_new (void)
{
  return g_object_new (LW_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/lightwork/LightWork",
                       NULL);
}

/* lw-application.h — the GtkApplication of LightWork. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LW_TYPE_APPLICATION (lw_application_get_type ())
G_DECLARE_FINAL_TYPE (LwApplication, lw_application, LW, APPLICATION, AdwApplication)

LwApplication *lw_application_new (void);

G_END_DECLS

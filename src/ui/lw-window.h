/* lw-window.h — the main window. */
#pragma once

#include <adwaita.h>

#include "lw-application.h"

G_BEGIN_DECLS

#define LW_TYPE_WINDOW (lw_window_get_type ())
G_DECLARE_FINAL_TYPE (LwWindow, lw_window, LW, WINDOW, AdwApplicationWindow)

LwWindow *lw_window_new (LwApplication *application);

G_END_DECLS

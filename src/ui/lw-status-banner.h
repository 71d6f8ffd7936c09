/* lw-status-banner.h — a revealer-based banner for what pauses the queue
 * (libadwaita 1.2 has no AdwBanner): a message and the action that fixes it. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LW_TYPE_STATUS_BANNER (lw_status_banner_get_type ())
G_DECLARE_FINAL_TYPE (LwStatusBanner, lw_status_banner, LW, STATUS_BANNER, GtkWidget)

GtkWidget  *lw_status_banner_new   (void);
/* button_label/action_name may be NULL (no button). */
void        lw_status_banner_show  (LwStatusBanner *self,
                                    const char     *title,
                                    const char     *button_label,
                                    const char     *action_name);
/* A second, quieter way out (shown before the button); NULL hides it.
 * lw_status_banner_show() hides it, so call this after. */
void        lw_status_banner_set_secondary (LwStatusBanner *self,
                                            const char     *button_label,
                                            const char     *action_name);
/* The action of the button (or of the secondary one); NULL when none. */
const char *lw_status_banner_get_action_name (LwStatusBanner *self,
                                              gboolean        secondary);
void        lw_status_banner_hide  (LwStatusBanner *self);
gboolean    lw_status_banner_is_shown (LwStatusBanner *self);
const char *lw_status_banner_get_title (LwStatusBanner *self);

G_END_DECLS

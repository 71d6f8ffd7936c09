/* lw-window-state.c — the window's size and maximized state, in GSettings.
 *
 * Only the window's own geometry lives there: what the CLI shares (model
 * ids, limits, the export template) and what belongs to the data folder
 * (the last job, the tile size) live in the database's settings table.
 * When the schema is not installed (an uninstalled build, the tests) the
 * window simply opens at its default size.
 */
#include "config.h"

#include "lw-window-private.h"

static GSettings *
lookup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

static gboolean
close_request_cb (GtkWindow *window, gpointer data)
{
  LwWindow *self = LW_WINDOW (window);
  int width = 0, height = 0;

  if (self->settings == NULL)
    return FALSE;
  /* The size it had before it was maximized, so unmaximizing next time
   * restores it. */
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);
  return FALSE;   /* let it close */
}

void
lw_window_init_state (LwWindow *self)
{
  self->settings = lookup_settings ();
  if (self->settings == NULL)
    return;
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}

/* lw-i18n.c — where both front ends find their translations.
 *
 * The installed folder is compiled in (LOCALEDIR, under the prefix), so an
 * uninstalled build would show English whatever LANGUAGE says: meson
 * compiles the catalogues into build/po/<lang>/LC_MESSAGES/, and
 * $LIGHTWORK_LOCALEDIR names that folder for such runs. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "lw-i18n.h"

const char *
lw_i18n_get_localedir (void)
{
  const char *dir = g_getenv ("LIGHTWORK_LOCALEDIR");

  return dir != NULL && *dir != '\0' ? dir : LOCALEDIR;
}

void
lw_i18n_init (void)
{
  bindtextdomain (GETTEXT_PACKAGE, lw_i18n_get_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

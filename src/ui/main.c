/* main.c — lightwork, the window. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "lw-application.h"

int
main (int argc, char *argv[])
{
  g_autoptr(LwApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = lw_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}

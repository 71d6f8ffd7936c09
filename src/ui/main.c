/* main.c — lightwork, the window. */
#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <locale.h>

#include "lw-application.h"
#include "lw-fonts.h"
#include "lw-i18n.h"

int
main (int argc, char *argv[])
{
  g_autoptr(LwApplication) app = NULL;
  int status;

  lw_application_tune_memory ();
  setlocale (LC_ALL, "");
  lw_i18n_init ();

  /* Before GTK makes Pango's font map: our typefaces, whatever the system has. */
  lw_fonts_register ();

  /* Without a display GTK would abort in startup; say what to do instead. */
  if (!gtk_init_check ())
    {
      g_printerr (_("lightwork: no display to open a window on (neither WAYLAND_DISPLAY nor DISPLAY works).\n"
                    "To work from a terminal, use lightwork-cli (see `lightwork-cli --help`).\n"));
      return 1;
    }

  app = lw_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  /* A start that could not open the data folder is not a success. */
  if (status == 0 && lw_application_get_failed (app))
    status = 1;
  return status;
}

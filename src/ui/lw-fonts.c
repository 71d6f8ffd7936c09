/* lw-fonts.c — registers the shipped typefaces with fontconfig. */
#include "config.h"

#include <fontconfig/fontconfig.h>
#include <gio/gio.h>

#include "lw-fonts.h"

static gboolean
dir_has_fonts (const char *dir)
{
  g_autofree char *probe = g_build_filename (dir, "Manrope-Bold.ttf", NULL);

  return g_file_test (probe, G_FILE_TEST_IS_REGULAR);
}

char *
lw_fonts_find_dir (void)
{
  const char *env = g_getenv ("LIGHTWORK_FONTS_DIR");
  g_autofree char *installed = g_build_filename (PKGDATADIR, "fonts", NULL);

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (dir_has_fonts (installed))
    return g_steal_pointer (&installed);
#ifdef LW_SOURCE_FONTS_DIR
  /* Run from the build tree before `meson install`. */
  if (dir_has_fonts (LW_SOURCE_FONTS_DIR))
    return g_strdup (LW_SOURCE_FONTS_DIR);
#endif
  return NULL;
}

guint
lw_fonts_register (void)
{
  static gsize once = 0;
  g_autofree char *dir = NULL;
  g_autoptr(GDir) listing = NULL;
  FcConfig *config;
  const char *name;
  guint n = 0;

  if (!g_once_init_enter (&once))
    return 0;

  dir = lw_fonts_find_dir ();
  if (dir == NULL || (listing = g_dir_open (dir, 0, NULL)) == NULL)
    {
      g_debug ("No shipped fonts found; using the system's");
      g_once_init_leave (&once, 1);
      return 0;
    }

  /* The default configuration, the one Pango's font map will pick up when
   * it is created: adding to it afterwards would need a config reload. */
  FcInit ();
  config = FcConfigGetCurrent ();
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = NULL;

      if (!g_str_has_suffix (name, ".ttf") && !g_str_has_suffix (name, ".otf"))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (FcConfigAppFontAddFile (config, (const FcChar8 *) path))
        n++;
      else
        g_warning ("Could not register font %s", path);
    }

  g_once_init_leave (&once, 1);
  return n;
}

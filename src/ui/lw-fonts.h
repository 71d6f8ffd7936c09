/* lw-fonts.h — the typefaces LightWork ships (Manrope, Inter), registered at start
 * so the look does not depend on what the system has installed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The folder the fonts are read from: $LIGHTWORK_FONTS_DIR, else the
 * installed pkgdatadir/fonts, else the source tree's data/fonts (uninstalled
 * runs). NULL when none exists. */
char  *lw_fonts_find_dir (void);
/* Adds every .ttf/.otf of that folder to fontconfig's current configuration.
 * Must run before Pango's font map is first used (before the first widget).
 * Idempotent; returns the number of files registered (0 on a second call). */
guint  lw_fonts_register (void);

G_END_DECLS

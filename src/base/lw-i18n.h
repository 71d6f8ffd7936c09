/* lw-i18n.h — where both front ends find their translations. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The folder holding <lang>/LC_MESSAGES/lightwork.mo: $LIGHTWORK_LOCALEDIR
 * when it is set and not empty (an uninstalled run: tools/dev.sh run and the
 * tests point it at the build tree's po/), else the installed LOCALEDIR. */
const char *lw_i18n_get_localedir (void);
/* Binds the text domain to lw_i18n_get_localedir () in UTF-8 and makes it
 * the default one. Call after setlocale (). */
void        lw_i18n_init          (void);

G_END_DECLS

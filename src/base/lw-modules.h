/* lw-modules.h — the built-in modules LightWork ships. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *id;
  const char *name;          /* translatable (N_) */
  const char *description;   /* translatable (N_), one line */
  const char *icon;          /* symbolic icon name */
  const char *prompt;        /* not translated: the model reads English best */
} LwBuiltinModule;

/* The array (n_modules elements), in sidebar order. */
const LwBuiltinModule *lw_builtin_modules     (guint *n_modules);
const LwBuiltinModule *lw_builtin_module_find (const char *id);

/* The module a new job gets when nothing else was chosen. */
#define LW_DEFAULT_MODULE_ID "food"

G_END_DECLS

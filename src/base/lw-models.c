/* lw-models.c — the one table of models (lw-models.h). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-models.h"

static const LwModelInfo models[] = {
  { LW_MODEL_NANO_BANANA, N_("Nano Banana"), LW_MODEL_TIER_FAST, TRUE,
    LW_MODEL_PRICE_FAST, "price.nano_banana" },
  { LW_MODEL_NANO_BANANA_PRO, N_("Nano Banana Pro"), LW_MODEL_TIER_PRO, TRUE,
    LW_MODEL_PRICE_PRO, "price.nano_banana_pro" },
  { LW_MODEL_LOCAL, N_("Local"), LW_MODEL_TIER_LOCAL, FALSE, 0, NULL },
};

const LwModelInfo *
lw_models_list (guint *n_models)
{
  if (n_models != NULL)
    *n_models = G_N_ELEMENTS (models);
  return models;
}

const LwModelInfo *
lw_models_find (const char *id)
{
  if (id == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    if (g_str_equal (models[i].id, id))
      return &models[i];
  return NULL;
}

gboolean
lw_models_is_known (const char *id)
{
  return lw_models_find (id) != NULL;
}

const char *
lw_models_get_label (const char *id)
{
  const LwModelInfo *info = lw_models_find (id);

  if (info == NULL)
    return id != NULL ? id : "";
  return g_dgettext (GETTEXT_PACKAGE, info->label);
}

char *
lw_models_describe (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      if (i > 0)
        /* TRANSLATORS: between the last two model ids of a list:
         * "nano_banana, nano_banana_pro or local" */
        g_string_append (s, i + 1 == G_N_ELEMENTS (models) ? _(" or ") : ", ");
      g_string_append (s, models[i].id);
    }
  return g_string_free (s, FALSE);
}

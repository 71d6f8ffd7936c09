/* lw-preferences-gemini.c — the Preferences window's Gemini page: the key
 * (to the keyring; GEMINI_API_KEY noted, as it wins), its test (the image
 * models it can use, lw_gemini_engine_list_models_async) and the model per
 * alias, chosen from that list once there is one. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-gemini-key.h"
#include "lw-models.h"
#include "lw-preferences-private.h"
#include "lw-window.h"

static char *
model_setting (LwGeminiTier tier)
{
  return g_strdup_printf ("model.%s.id", lw_gemini_tier_to_alias (tier));
}

/* ---- models per alias ------------------------------------------------------- */

static AdwComboRow *
combo_of (LwPreferences *self, LwGeminiTier tier)
{
  return tier == LW_GEMINI_TIER_PRO ? self->pro_combo : self->fast_combo;
}

static AdwEntryRow *
entry_of (LwPreferences *self, LwGeminiTier tier)
{
  return tier == LW_GEMINI_TIER_PRO ? self->pro_entry : self->fast_entry;
}

static void
write_model (LwPreferences *self,
             LwGeminiTier   tier,
             const char    *id)
{
  g_autofree char *key = model_setting (tier);
  g_autoptr(GError) error = NULL;

  if (!lw_settings_set (lw_preferences_get_store (self), key, id != NULL && *id != '\0' ? id : NULL, &error))
    lw_preferences_toast (self, error->message);
}

/* The free entry, before a test listed the models: any id. */
static void
model_entry_apply (LwPreferences *self,
                   LwGeminiTier   tier)
{
  g_autofree char *id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry_of (self, tier)))));

  write_model (self, tier, id);
}

static void
fast_entry_apply_cb (LwPreferences *self)
{
  model_entry_apply (self, LW_GEMINI_TIER_FAST);
}

static void
pro_entry_apply_cb (LwPreferences *self)
{
  model_entry_apply (self, LW_GEMINI_TIER_PRO);
}

static void
update_combo_subtitle (LwPreferences *self,
                       LwGeminiTier   tier)
{
  AdwComboRow *combo = combo_of (self, tier);
  GtkStringObject *item = adw_combo_row_get_selected_item (combo);
  const char *id = item != NULL ? gtk_string_object_get_string (item) : NULL;
  const char *name = id != NULL ? g_hash_table_lookup (self->model_names, id) : NULL;

  if (id == NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (combo), "");
  else if (name == NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (combo), _("Not available with this key"));
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (combo), name);
}

static void
model_combo_changed (LwPreferences *self,
                     LwGeminiTier   tier)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (combo_of (self, tier));

  update_combo_subtitle (self, tier);
  if (self->loading || item == NULL)
    return;
  write_model (self, tier, gtk_string_object_get_string (item));
  gtk_editable_set_text (GTK_EDITABLE (entry_of (self, tier)), gtk_string_object_get_string (item));
}

static void
fast_combo_changed_cb (LwPreferences *self)
{
  model_combo_changed (self, LW_GEMINI_TIER_FAST);
}

static void
pro_combo_changed_cb (LwPreferences *self)
{
  model_combo_changed (self, LW_GEMINI_TIER_PRO);
}

/* After a test: each alias is chosen from the image models the key can use
 * (and the current id, when the key cannot use it, so it stays shown). */
static void
fill_model_combos (LwPreferences *self,
                   GPtrArray     *models)
{
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_from_store (lw_preferences_get_store (self));

  g_hash_table_remove_all (self->model_names);
  for (guint i = 0; i < models->len; i++)
    {
      LwGeminiModelInfo *info = g_ptr_array_index (models, i);

      if (info->image_output)
        g_hash_table_insert (self->model_names, g_strdup (info->id),
                             g_strdup (info->display_name != NULL ? info->display_name : info->id));
    }
  self->loading = TRUE;
  for (guint tier = 0; tier < LW_GEMINI_N_TIERS; tier++)
    {
      g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
      const char *current = config->model_id[tier];
      guint selected = GTK_INVALID_LIST_POSITION;

      for (guint i = 0; i < models->len; i++)
        {
          LwGeminiModelInfo *info = g_ptr_array_index (models, i);

          if (!info->image_output)
            continue;
          if (g_strcmp0 (info->id, current) == 0)
            selected = g_list_model_get_n_items (G_LIST_MODEL (list));
          gtk_string_list_append (list, info->id);
        }
      if (selected == GTK_INVALID_LIST_POSITION && current != NULL)
        {
          selected = g_list_model_get_n_items (G_LIST_MODEL (list));
          gtk_string_list_append (list, current);
        }
      adw_combo_row_set_model (combo_of (self, (LwGeminiTier) tier), G_LIST_MODEL (list));
      adw_combo_row_set_selected (combo_of (self, (LwGeminiTier) tier), selected);
      update_combo_subtitle (self, (LwGeminiTier) tier);
      gtk_widget_set_visible (GTK_WIDGET (combo_of (self, (LwGeminiTier) tier)), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (entry_of (self, (LwGeminiTier) tier)), FALSE);
    }
  self->loading = FALSE;
}

/* ---- the key ------------------------------------------------------------------ */

static void
set_key_status (LwPreferences     *self,
                LwGeminiKeySource  source,
                const GError      *error)
{
  const char *text;

  if (source == LW_GEMINI_KEY_FROM_ENV)
    text = _("GEMINI_API_KEY, from the environment: it wins over a key saved here while it is set");
  else if (source == LW_GEMINI_KEY_FROM_KEYRING)
    text = _("The key saved in your keyring");
  else if (error != NULL)
    text = error->message;
  else
    text = _("None yet: enter one above, or edit photos with the local model");
  adw_action_row_set_subtitle (self->key_status_row, text);
}

static void
status_looked_up_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autoptr(LwPreferences) self = data;
  g_autoptr(GError) error = NULL;
  LwGeminiKeySource found;

  /* Only where it comes from; the test looks it up again when it needs it. */
  lw_secret_free (lw_gemini_key_lookup_finish (result, &found, &error));
  lw_preferences_busy_end (self);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_key_status (self, found, error);
}

void
lw_preferences_refresh_key_status (LwPreferences *self)
{
  lw_preferences_busy_begin (self);
  lw_gemini_key_lookup_async (self->cancellable, status_looked_up_cb, g_object_ref (self));
}

static void
key_stored_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(LwPreferences) self = data;
  g_autoptr(GError) error = NULL;
  GtkWindow *parent;

  lw_preferences_busy_end (self);
  if (!lw_gemini_key_store_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lw_preferences_toast (self, error->message);
      return;
    }
  lw_preferences_toast (self, _("API key saved in your keyring"));
  lw_preferences_refresh_key_status (self);
  /* The window's job, if it waits for a key, goes on. */
  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  if (LW_IS_WINDOW (parent))
    lw_window_key_saved (LW_WINDOW (parent));
}

void
lw_preferences_key_apply_cb (LwPreferences *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_row))));

  gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
  if (*text == '\0')
    {
      memset (text, 0, strlen (text));
      return;
    }
  lw_preferences_busy_begin (self);
  /* Locked, undumpable memory until the keyring has it. */
  lw_gemini_key_store_async (text, self->cancellable, key_stored_cb, g_object_ref (self));
  memset (text, 0, strlen (text));
}

static void
test_finished (LwPreferences *self,
               const char    *text)
{
  g_clear_object (&self->test_engine);
  gtk_widget_set_visible (self->test_spinner, FALSE);
  gtk_spinner_stop (GTK_SPINNER (self->test_spinner));
  gtk_widget_set_sensitive (self->test_button, TRUE);
  adw_action_row_set_subtitle (self->test_row, text);
  lw_preferences_busy_end (self);
}

static void
models_listed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(LwPreferences) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = lw_gemini_engine_list_models_finish (LW_GEMINI_ENGINE (source), result, &error);
  g_autoptr(GString) text = g_string_new (NULL);
  guint n_image = 0;

  if (models == NULL)
    {
      g_autofree char *words = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          lw_preferences_busy_end (self);
          return;
        }
      if (g_error_matches (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH))
        /* TRANSLATORS: %s is the server's reason */
        words = g_strdup_printf (_("The key does not work: %s"), error->message);
      else
        /* TRANSLATORS: %s says why (offline, a time-out, …) */
        words = g_strdup_printf (_("Could not check the key: %s"), error->message);
      test_finished (self, words);
      return;
    }
  for (guint i = 0; i < models->len; i++)
    {
      LwGeminiModelInfo *info = g_ptr_array_index (models, i);

      if (!info->image_output)
        continue;
      g_string_append_printf (text, "\n%s (%s)", info->display_name != NULL ? info->display_name : info->id, info->id);
      n_image++;
    }
  if (n_image == 0)
    g_string_prepend (text, _("The key works, but it can use no image model"));
  else
    g_string_prepend (text, g_dngettext (GETTEXT_PACKAGE, "The key works. The image model it can use:",
                                         "The key works. The image models it can use:", n_image));
  fill_model_combos (self, models);
  test_finished (self, text->str);
}

/* Lists the models with key (taken: a secret string). */
static void
test_with_key (LwPreferences *self,
               char          *key)
{
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_from_store (lw_preferences_get_store (self));
  g_autoptr(GError) error = NULL;

  self->test_engine = lw_gemini_engine_new (config, key, &error);
  lw_secret_free (key);
  if (self->test_engine == NULL)
    {
      g_autofree char *words = g_strdup_printf (_("Could not check the key: %s"), error->message);

      test_finished (self, words);
      return;
    }
  lw_gemini_engine_list_models_async (self->test_engine, self->cancellable, models_listed_cb, g_object_ref (self));
}

static void
test_key_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(LwPreferences) self = data;
  g_autoptr(GError) error = NULL;
  char *key = lw_gemini_key_lookup_finish (result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      lw_preferences_busy_end (self);
      return;
    }
  if (key == NULL)
    {
      test_finished (self, error != NULL ? error->message : _("There is no key to test: enter one above"));
      return;
    }
  test_with_key (self, key);
}

/* The key typed above when there is one (tested before it is saved), else
 * the key in use. */
void
lw_preferences_test_clicked_cb (LwPreferences *self)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->key_row));

  if (self->test_engine != NULL || !gtk_widget_get_sensitive (self->test_button))
    return;
  lw_preferences_busy_begin (self);
  gtk_widget_set_sensitive (self->test_button, FALSE);
  gtk_widget_set_visible (self->test_spinner, TRUE);
  gtk_spinner_start (GTK_SPINNER (self->test_spinner));
  adw_action_row_set_subtitle (self->test_row, _("Asking Google…"));
  if (*typed != '\0')
    {
      g_autofree char *copy = g_strstrip (g_strdup (typed));

      test_with_key (self, lw_secret_strdup (copy));
      memset (copy, 0, strlen (copy));
      return;
    }
  lw_gemini_key_lookup_async (self->cancellable, test_key_found_cb, g_object_ref (self));
}

/* ---- filling the rows ------------------------------------------------------- */

/* Each alias's row titled by the models table, with the id in use. */
void
lw_preferences_gemini_load (LwPreferences *self)
{
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_from_store (lw_preferences_get_store (self));

  for (guint tier = 0; tier < LW_GEMINI_N_TIERS; tier++)
    {
      const char *label = lw_models_get_label (lw_gemini_tier_to_alias ((LwGeminiTier) tier));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (combo_of (self, (LwGeminiTier) tier)), label);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry_of (self, (LwGeminiTier) tier)), label);
      gtk_editable_set_text (GTK_EDITABLE (entry_of (self, (LwGeminiTier) tier)),
                             config->model_id[tier] != NULL ? config->model_id[tier] : "");
    }
}

void
lw_preferences_gemini_connect (LwPreferences *self)
{
  g_signal_connect_swapped (self->fast_entry, "apply", G_CALLBACK (fast_entry_apply_cb), self);
  g_signal_connect_swapped (self->pro_entry, "apply", G_CALLBACK (pro_entry_apply_cb), self);
  g_signal_connect_swapped (self->fast_combo, "notify::selected", G_CALLBACK (fast_combo_changed_cb), self);
  g_signal_connect_swapped (self->pro_combo, "notify::selected", G_CALLBACK (pro_combo_changed_cb), self);
}

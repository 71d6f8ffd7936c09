/* lw-preferences.c — the Preferences window (lw-preferences.h). */
#include "config.h"

#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lw-core.h"
#include "lw-export.h"
#include "lw-gemini-engine.h"
#include "lw-gemini-key.h"
#include "lw-models.h"
#include "lw-preferences.h"
#include "lw-settings.h"

/* "Remove finished jobs older than": the combo's choices, in days. */
static const guint ages_days[] = { 7, 30, 90 };
#define DEFAULT_AGE_INDEX 1

/* The format combo's rows, as the export.format setting spells them. */
static const char * const formats[] = { "keep", "png", "jpeg", "webp" };

struct _LwPreferences
{
  AdwPreferencesWindow  parent_instance;

  LwJobs         *jobs;
  GCancellable   *cancellable;   /* every look-up, count and test of this window */
  LwGeminiEngine *test_engine;   /* the engine of the key test under way */
  guint           n_busy;
  gboolean        loading;       /* filling the rows: nothing is written */
  GHashTable     *model_names;   /* image model id → display name, after a test */

  AdwPasswordEntryRow *key_row;
  AdwActionRow   *key_status_row;
  AdwActionRow   *test_row;
  GtkWidget      *test_spinner;
  GtkWidget      *test_button;
  AdwComboRow    *fast_combo;
  AdwEntryRow    *fast_entry;
  AdwComboRow    *pro_combo;
  AdwEntryRow    *pro_entry;
  AdwActionRow   *concurrency_row;
  GtkSpinButton  *concurrency_spin;
  AdwActionRow   *fast_rpm_row;
  GtkSpinButton  *fast_rpm_spin;
  AdwActionRow   *pro_rpm_row;
  GtkSpinButton  *pro_rpm_spin;
  AdwEntryRow    *template_row;
  AdwActionRow   *example_row;
  AdwComboRow    *format_row;
  AdwActionRow   *quality_row;
  GtkSpinButton  *quality_spin;
  AdwActionRow   *folder_row;
  AdwActionRow   *size_row;
  AdwComboRow    *age_row;
  GtkWidget      *remove_button;
};

G_DEFINE_FINAL_TYPE (LwPreferences, lw_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static LwStore *
get_store (LwPreferences *self)
{
  return lw_jobs_get_store (self->jobs);
}

static void
toast (LwPreferences *self,
       const char    *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
}

static void
busy_begin (LwPreferences *self)
{
  self->n_busy++;
}

static void
busy_end (LwPreferences *self)
{
  g_return_if_fail (self->n_busy > 0);
  self->n_busy--;
}

/* The Gemini alias of a model row: fast (Nano Banana) or pro. */
static const char *
tier_alias (LwGeminiTier tier)
{
  return lw_gemini_tier_to_alias (tier);
}

static char *
model_setting (LwGeminiTier tier)
{
  return g_strdup_printf ("model.%s.id", tier_alias (tier));
}

static char *
rpm_setting (LwGeminiTier tier)
{
  return g_strdup_printf (LW_SETTING_RPM_FMT, tier_alias (tier));
}

/* ---- combo rows -------------------------------------------------------------- */

/* libadwaita 1.2's combo row shows its choice in a list item of its own, a
 * focusable node a screen reader would announce by type only: each item
 * (the shown one and the popover's) is named by its text. */
static void
combo_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
combo_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  GtkStringObject *object = gtk_list_item_get_item (item);
  const char *text = object != NULL ? gtk_string_object_get_string (object) : "";
  GtkWidget *parent = gtk_widget_get_parent (label);

  gtk_label_set_text (GTK_LABEL (label), text);
  if (parent != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (parent), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
setup_combo (AdwComboRow *row)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (combo_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (combo_bind_cb), NULL);
  adw_combo_row_set_factory (row, factory);
}

/* ---- numbers (spin rows) ------------------------------------------------ */

/* The spin button's range is the setting's, from the one settings table. */
static void
setup_spin (GtkSpinButton *spin,
            AdwActionRow  *row,
            const char    *key)
{
  const LwSettingInfo *info = lw_settings_find (key);

  g_return_if_fail (info != NULL);
  gtk_spin_button_set_range (spin, info->min, info->max);
  gtk_spin_button_set_increments (spin, 1, 10);
  gtk_spin_button_set_digits (spin, 0);
  /* A screen reader says the row's title for the spin button too. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), -1);
}

static void
write_int (LwPreferences *self,
           const char    *key,
           gint64         value)
{
  g_autoptr(GError) error = NULL;

  if (!lw_settings_set_int (get_store (self), key, value, &error))
    toast (self, error->message);
}

/* The queue of this process follows at once (lightwork-cli reads the
 * settings when it starts). */
static void
concurrency_changed_cb (LwPreferences *self)
{
  int value = gtk_spin_button_get_value_as_int (self->concurrency_spin);
  guint n = 0;
  const LwModelInfo *models = lw_models_list (&n);

  if (self->loading)
    return;
  write_int (self, LW_SETTING_CONCURRENCY, value);
  for (guint i = 0; i < n; i++)
    lw_jobs_set_run_limits (self->jobs, models[i].id, (int) lw_settings_get_int (get_store (self), LW_SETTING_CONCURRENCY),
                            -1, NULL);
}

static void
rpm_changed (LwPreferences *self,
             LwGeminiTier   tier,
             GtkSpinButton *spin)
{
  g_autofree char *key = rpm_setting (tier);

  if (self->loading)
    return;
  write_int (self, key, gtk_spin_button_get_value_as_int (spin));
  lw_jobs_set_run_limits (self->jobs, tier_alias (tier), 0, (int) lw_settings_get_int (get_store (self), key), NULL);
}

static void
fast_rpm_changed_cb (LwPreferences *self)
{
  rpm_changed (self, LW_GEMINI_TIER_FAST, self->fast_rpm_spin);
}

static void
pro_rpm_changed_cb (LwPreferences *self)
{
  rpm_changed (self, LW_GEMINI_TIER_PRO, self->pro_rpm_spin);
}

/* ---- saved files ---------------------------------------------------------- */

static const char *
selected_format (LwPreferences *self)
{
  guint i = adw_combo_row_get_selected (self->format_row);

  return i < G_N_ELEMENTS (formats) ? formats[i] : formats[0];
}

/* The example's extension: the format's, or the example original's. */
static const char *
example_ext (LwPreferences *self)
{
  const char *format = selected_format (self);

  if (g_str_equal (format, "png"))
    return "png";
  if (g_str_equal (format, "webp"))
    return "webp";
  return "jpg";
}

/* The template as typed: an example of a name it gives under it, or why it
 * is refused. */
static gboolean
update_example (LwPreferences *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->template_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *example = NULL;

  if (!lw_export_check_template (text, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->template_row), "error");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->example_row), _("Not Saved"));
      adw_action_row_set_subtitle (self->example_row, error->message);
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->template_row), "error");
  /* TRANSLATORS: the example photo and job of the naming template's
   * example; keep the file name's extension */
  example = lw_export_format_name (text, _("IMG_0042.jpg"), "food", _("Dinner Menu"), 7, example_ext (self));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->example_row), _("Example"));
  adw_action_row_set_subtitle (self->example_row, example);
  return TRUE;
}

static void
template_changed_cb (LwPreferences *self)
{
  update_example (self);
}

/* Written when applied (Enter, or the row's apply button), not at each key:
 * a template half typed ("" on the way to another) is never stored. A
 * refused one says why and is not written. */
static void
template_apply_cb (LwPreferences *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->template_row));
  g_autoptr(GError) error = NULL;

  if (!update_example (self))
    {
      toast (self, adw_action_row_get_subtitle (self->example_row));
      return;
    }
  if (!lw_settings_set (get_store (self), LW_SETTING_TEMPLATE, *text != '\0' ? text : NULL, &error))
    toast (self, error->message);
}

static void
format_changed_cb (LwPreferences *self)
{
  const char *format = selected_format (self);
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->quality_row),
                            g_str_equal (format, "jpeg") || g_str_equal (format, "webp"));
  if (!self->loading && !lw_settings_set (get_store (self), LW_SETTING_EXPORT_FORMAT, format, &error))
    toast (self, error->message);
  /* The example's extension follows. */
  update_example (self);
}

static void
quality_changed_cb (LwPreferences *self)
{
  if (!self->loading)
    write_int (self, LW_SETTING_JPEG_QUALITY, gtk_spin_button_get_value_as_int (self->quality_spin));
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

  if (!lw_settings_set (get_store (self), key, id != NULL && *id != '\0' ? id : NULL, &error))
    toast (self, error->message);
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
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_from_store (get_store (self));

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
lookup_key_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  LwGeminiKeySource *found = g_new0 (LwGeminiKeySource, 1);
  GError *error = NULL;
  char *key = lw_gemini_key_lookup (found, cancellable, &error);

  if (key == NULL)
    *found = LW_GEMINI_KEY_NONE;
  if (error != NULL)
    {
      g_free (found);
      lw_secret_free (key);
      g_task_return_error (task, error);
      return;
    }
  /* Only where it comes from; the test looks it up again when it needs it. */
  lw_secret_free (key);
  g_task_return_pointer (task, found, g_free);
}

static void
status_looked_up_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  LwPreferences *self = LW_PREFERENCES (source);
  g_autoptr(GError) error = NULL;
  g_autofree LwGeminiKeySource *found = g_task_propagate_pointer (G_TASK (result), &error);

  busy_end (self);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_key_status (self, found != NULL ? *found : LW_GEMINI_KEY_NONE, error);
}

static void
refresh_key_status (LwPreferences *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, status_looked_up_cb, NULL);

  g_task_set_source_tag (task, refresh_key_status);
  busy_begin (self);
  g_task_run_in_thread (task, lookup_key_thread);
}

static void
store_key_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;

  if (lw_gemini_key_store (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
key_stored_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  LwPreferences *self = LW_PREFERENCES (source);
  g_autoptr(GError) error = NULL;

  busy_end (self);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  toast (self, _("API key saved in your keyring"));
  refresh_key_status (self);
}

static void
key_apply_cb (LwPreferences *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_row))));
  g_autoptr(GTask) task = NULL;

  gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
  if (*text == '\0')
    {
      memset (text, 0, strlen (text));
      return;
    }
  task = g_task_new (self, self->cancellable, key_stored_cb, NULL);
  g_task_set_source_tag (task, key_apply_cb);
  /* Locked, undumpable memory until the keyring has it. */
  g_task_set_task_data (task, lw_secret_strdup (text), (GDestroyNotify) lw_secret_free);
  memset (text, 0, strlen (text));
  busy_begin (self);
  g_task_run_in_thread (task, store_key_thread);
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
  busy_end (self);
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
          busy_end (self);
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
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_from_store (get_store (self));
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
test_lookup_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  char *key = lw_gemini_key_lookup (NULL, cancellable, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, (GDestroyNotify) lw_secret_free);
}

static void
test_key_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  LwPreferences *self = LW_PREFERENCES (source);
  g_autoptr(GError) error = NULL;
  char *key = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      busy_end (self);
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
static void
test_clicked_cb (LwPreferences *self)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->key_row));
  g_autoptr(GTask) task = NULL;

  if (self->test_engine != NULL || !gtk_widget_get_sensitive (self->test_button))
    return;
  busy_begin (self);
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
  task = g_task_new (self, self->cancellable, test_key_found_cb, NULL);
  g_task_set_source_tag (task, test_clicked_cb);
  g_task_run_in_thread (task, test_lookup_thread);
}

/* ---- the data folder -------------------------------------------------------- */

/* Bytes the folder takes on disk; symbolic links are not followed. */
static guint64
disk_usage (const char   *path,
            GCancellable *cancellable)
{
  GStatBuf st;
  guint64 total;

  if (g_lstat (path, &st) != 0)
    return 0;
  total = (guint64) st.st_blocks * 512;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL
             && !g_cancellable_is_cancelled (cancellable))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          total += disk_usage (child, cancellable);
        }
    }
  return total;
}

static void
count_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  guint64 *size = g_new (guint64, 1);

  *size = disk_usage (task_data, cancellable);
  if (g_task_return_error_if_cancelled (task))
    g_free (size);
  else
    g_task_return_pointer (task, size, g_free);
}

static void
counted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  LwPreferences *self = LW_PREFERENCES (source);
  g_autoptr(GError) error = NULL;
  g_autofree guint64 *size = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  busy_end (self);
  if (size == NULL)
    return;
  text = g_format_size (*size);
  adw_action_row_set_subtitle (self->size_row, text);
}

static void
count_data_folder (LwPreferences *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, counted_cb, NULL);

  g_task_set_source_tag (task, count_data_folder);
  g_task_set_task_data (task, g_strdup (lw_core_get_data_dir (lw_jobs_get_core (self->jobs))), g_free);
  busy_begin (self);
  g_task_run_in_thread (task, count_thread);
}

static guint
selected_age_days (LwPreferences *self)
{
  guint i = adw_combo_row_get_selected (self->age_row);

  return ages_days[i < G_N_ELEMENTS (ages_days) ? i : DEFAULT_AGE_INDEX];
}

/* Finished (completed or failed) before cutoff_ms; a running or paused job
 * is PROCESSING and never one, nor a cancelled one (launching it again
 * continues it). */
static gboolean
is_old_finished (const LwJob *job,
                 gint64       cutoff_ms)
{
  return (job->status == LW_JOB_COMPLETED || job->status == LW_JOB_FAILED)
         && job->finished_at > 0 && job->finished_at < cutoff_ms;
}

static gint64
cutoff_ms (LwPreferences *self,
           guint          days)
{
  LwClock *clock = lw_core_get_clock (lw_jobs_get_core (self->jobs));

  return lw_clock_now_ms (clock) - (gint64) days * 24 * 60 * 60 * 1000;
}

/* Ids of the jobs the button would remove now. */
static GArray *
list_old_jobs (LwPreferences *self,
               gint64         cutoff,
               GError       **error)
{
  g_autoptr(GPtrArray) jobs = lw_jobs_list (self->jobs, 0, error);
  GArray *ids;

  if (jobs == NULL)
    return NULL;
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < jobs->len; i++)
    {
      LwJob *job = g_ptr_array_index (jobs, i);

      if (is_old_finished (job, cutoff))
        g_array_append_val (ids, job->id);
    }
  return ids;
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    LwPreferences    *self)
{
  guint days = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "lw-days"));
  gint64 cutoff = cutoff_ms (self, days);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *text = NULL;
  guint removed = 0;

  if (g_strcmp0 (response, "remove") != 0)
    return;
  ids = list_old_jobs (self, cutoff, &error);
  for (guint i = 0; ids != NULL && i < ids->len && error == NULL; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(LwJob) job = lw_jobs_get (self->jobs, id, NULL);

      /* Looked at again just before: lightwork-cli may have launched it
       * since the list was read. */
      if (job == NULL || !is_old_finished (job, cutoff))
        continue;
      if (lw_jobs_delete (self->jobs, id, &error))
        removed++;
    }
  if (error != NULL)
    {
      toast (self, error->message);
      return;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Removed %u job", "Removed %u jobs", removed), removed);
  toast (self, text);
  count_data_folder (self);
}

static void
remove_clicked_cb (LwPreferences *self)
{
  guint days = selected_age_days (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = list_old_jobs (self, cutoff_ms (self, days), &error);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (ids == NULL)
    {
      toast (self, error->message);
      return;
    }
  if (ids->len == 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "No job finished more than %u day ago",
                                                            "No job finished more than %u days ago", days),
                                               days);

      toast (self, text);
      return;
    }
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Remove %u Finished Job?", "Remove %u Finished Jobs?",
                                          ids->len),
                             ids->len);
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Jobs that finished more than %u day ago are removed with their photos and "
                                       "results from LightWork. Files you saved stay where they are.",
                                       "Jobs that finished more than %u days ago are removed with their photos and "
                                       "results from LightWork. Files you saved stay where they are.", days),
                          days);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "lw-days", GUINT_TO_POINTER (days));
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- filling the rows ------------------------------------------------------- */

static void
load_settings (LwPreferences *self)
{
  LwStore *store = get_store (self);
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_from_store (store);
  g_autofree char *template_str = lw_settings_get_string (store, LW_SETTING_TEMPLATE);
  g_autofree char *format = lw_settings_get_string (store, LW_SETTING_EXPORT_FORMAT);
  g_autofree char *fast_rpm = rpm_setting (LW_GEMINI_TIER_FAST);
  g_autofree char *pro_rpm = rpm_setting (LW_GEMINI_TIER_PRO);
  GtkStringList *ages = gtk_string_list_new (NULL);

  self->loading = TRUE;
  setup_combo (self->fast_combo);
  setup_combo (self->pro_combo);
  setup_combo (self->format_row);
  setup_combo (self->age_row);
  for (guint tier = 0; tier < LW_GEMINI_N_TIERS; tier++)
    {
      const char *label = lw_models_get_label (tier_alias ((LwGeminiTier) tier));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (combo_of (self, (LwGeminiTier) tier)), label);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry_of (self, (LwGeminiTier) tier)), label);
      gtk_editable_set_text (GTK_EDITABLE (entry_of (self, (LwGeminiTier) tier)),
                             config->model_id[tier] != NULL ? config->model_id[tier] : "");
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->fast_rpm_row),
                                 lw_models_get_label (tier_alias (LW_GEMINI_TIER_FAST)));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->pro_rpm_row),
                                 lw_models_get_label (tier_alias (LW_GEMINI_TIER_PRO)));

  setup_spin (self->concurrency_spin, self->concurrency_row, LW_SETTING_CONCURRENCY);
  setup_spin (self->fast_rpm_spin, self->fast_rpm_row, fast_rpm);
  setup_spin (self->pro_rpm_spin, self->pro_rpm_row, pro_rpm);
  setup_spin (self->quality_spin, self->quality_row, LW_SETTING_JPEG_QUALITY);
  gtk_spin_button_set_value (self->concurrency_spin, (double) lw_settings_get_int (store, LW_SETTING_CONCURRENCY));
  gtk_spin_button_set_value (self->fast_rpm_spin, (double) lw_settings_get_int (store, fast_rpm));
  gtk_spin_button_set_value (self->pro_rpm_spin, (double) lw_settings_get_int (store, pro_rpm));
  gtk_spin_button_set_value (self->quality_spin, (double) lw_settings_get_int (store, LW_SETTING_JPEG_QUALITY));

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_strcmp0 (format, formats[i]) == 0)
      adw_combo_row_set_selected (self->format_row, i);
  gtk_editable_set_text (GTK_EDITABLE (self->template_row), template_str != NULL ? template_str : "");
  format_changed_cb (self);

  for (guint i = 0; i < G_N_ELEMENTS (ages_days); i++)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day", "%u days", ages_days[i]),
                                               ages_days[i]);

      gtk_string_list_append (ages, text);
    }
  adw_combo_row_set_model (self->age_row, G_LIST_MODEL (ages));
  g_object_unref (ages);
  adw_combo_row_set_selected (self->age_row, DEFAULT_AGE_INDEX);
  adw_action_row_set_subtitle (self->folder_row, lw_core_get_data_dir (lw_jobs_get_core (self->jobs)));
  self->loading = FALSE;

  /* Connected once the rows hold the settings: filling them writes nothing. */
  g_signal_connect_swapped (self->concurrency_spin, "value-changed", G_CALLBACK (concurrency_changed_cb), self);
  g_signal_connect_swapped (self->fast_rpm_spin, "value-changed", G_CALLBACK (fast_rpm_changed_cb), self);
  g_signal_connect_swapped (self->pro_rpm_spin, "value-changed", G_CALLBACK (pro_rpm_changed_cb), self);
  g_signal_connect_swapped (self->quality_spin, "value-changed", G_CALLBACK (quality_changed_cb), self);
  g_signal_connect_swapped (self->template_row, "changed", G_CALLBACK (template_changed_cb), self);
  g_signal_connect_swapped (self->template_row, "apply", G_CALLBACK (template_apply_cb), self);
  g_signal_connect_swapped (self->format_row, "notify::selected", G_CALLBACK (format_changed_cb), self);
  g_signal_connect_swapped (self->fast_entry, "apply", G_CALLBACK (fast_entry_apply_cb), self);
  g_signal_connect_swapped (self->pro_entry, "apply", G_CALLBACK (pro_entry_apply_cb), self);
  g_signal_connect_swapped (self->fast_combo, "notify::selected", G_CALLBACK (fast_combo_changed_cb), self);
  g_signal_connect_swapped (self->pro_combo, "notify::selected", G_CALLBACK (pro_combo_changed_cb), self);
}

/* ---- GObject ---------------------------------------------------------------- */

gboolean
lw_preferences_is_busy (LwPreferences *self)
{
  g_return_val_if_fail (LW_IS_PREFERENCES (self), FALSE);

  return self->n_busy > 0;
}

static void
lw_preferences_dispose (GObject *object)
{
  LwPreferences *self = LW_PREFERENCES (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->test_engine);
  G_OBJECT_CLASS (lw_preferences_parent_class)->dispose (object);
}

static void
lw_preferences_finalize (GObject *object)
{
  LwPreferences *self = LW_PREFERENCES (object);

  g_clear_object (&self->jobs);
  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->model_names);
  G_OBJECT_CLASS (lw_preferences_parent_class)->finalize (object);
}

static void
lw_preferences_class_init (LwPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lw_preferences_dispose;
  object_class->finalize = lw_preferences_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, key_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, key_status_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, test_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, test_button);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, fast_combo);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, fast_entry);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, pro_combo);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, pro_entry);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, concurrency_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, concurrency_spin);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, fast_rpm_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, fast_rpm_spin);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, pro_rpm_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, pro_rpm_spin);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, template_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, example_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, format_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, quality_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, quality_spin);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, folder_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, size_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, age_row);
  gtk_widget_class_bind_template_child (widget_class, LwPreferences, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, key_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
  /* As every dialog of GNOME's: Escape closes it. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lw_preferences_init (LwPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->model_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->test_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Test the key"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Remove finished jobs older than the chosen age"), -1);
}

LwPreferences *
lw_preferences_new (GtkWindow *parent,
                    LwJobs    *jobs)
{
  LwPreferences *self;

  g_return_val_if_fail (LW_IS_JOBS (jobs), NULL);

  self = g_object_new (LW_TYPE_PREFERENCES, "transient-for", parent, "destroy-with-parent", TRUE, NULL);
  self->jobs = g_object_ref (jobs);
  load_settings (self);
  refresh_key_status (self);
  count_data_folder (self);
  return self;
}

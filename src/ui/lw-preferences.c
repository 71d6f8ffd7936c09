/* lw-preferences.c — the Preferences window (lw-preferences.h): the
 * queue's numbers, saved files, and filling the rows; the Gemini page's key
 * and models are in lw-preferences-gemini.c, the data folder in
 * lw-preferences-data.c. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-core.h"
#include "lw-export.h"
#include "lw-models.h"
#include "lw-preferences-private.h"

/* The format combo's rows, as the export.format setting spells them. */
static const char * const formats[] = { "keep", "png", "jpeg", "webp" };

G_DEFINE_FINAL_TYPE (LwPreferences, lw_preferences, ADW_TYPE_PREFERENCES_WINDOW)

LwStore *
lw_preferences_get_store (LwPreferences *self)
{
  return lw_jobs_get_store (self->jobs);
}

void
lw_preferences_toast (LwPreferences *self,
                      const char    *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
}

void
lw_preferences_busy_begin (LwPreferences *self)
{
  self->n_busy++;
}

void
lw_preferences_busy_end (LwPreferences *self)
{
  g_return_if_fail (self->n_busy > 0);
  self->n_busy--;
}

static char *
rpm_setting (LwGeminiTier tier)
{
  return g_strdup_printf (LW_SETTING_RPM_FMT, lw_gemini_tier_to_alias (tier));
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

  if (!lw_settings_set_int (lw_preferences_get_store (self), key, value, &error))
    lw_preferences_toast (self, error->message);
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
    lw_jobs_set_run_limits (self->jobs, models[i].id, (int) lw_settings_get_int (lw_preferences_get_store (self), LW_SETTING_CONCURRENCY),
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
  lw_jobs_set_run_limits (self->jobs, lw_gemini_tier_to_alias (tier), 0, (int) lw_settings_get_int (lw_preferences_get_store (self), key), NULL);
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
      lw_preferences_toast (self, adw_action_row_get_subtitle (self->example_row));
      return;
    }
  if (!lw_settings_set (lw_preferences_get_store (self), LW_SETTING_TEMPLATE, *text != '\0' ? text : NULL, &error))
    lw_preferences_toast (self, error->message);
}

static void
format_changed_cb (LwPreferences *self)
{
  const char *format = selected_format (self);
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->quality_row),
                            g_str_equal (format, "jpeg") || g_str_equal (format, "webp"));
  if (!self->loading && !lw_settings_set (lw_preferences_get_store (self), LW_SETTING_EXPORT_FORMAT, format, &error))
    lw_preferences_toast (self, error->message);
  /* The example's extension follows. */
  update_example (self);
}

static void
quality_changed_cb (LwPreferences *self)
{
  if (!self->loading)
    write_int (self, LW_SETTING_JPEG_QUALITY, gtk_spin_button_get_value_as_int (self->quality_spin));
}

/* ---- filling the rows ------------------------------------------------------- */

static void
load_settings (LwPreferences *self)
{
  LwStore *store = lw_preferences_get_store (self);
  g_autofree char *template_str = lw_settings_get_string (store, LW_SETTING_TEMPLATE);
  g_autofree char *format = lw_settings_get_string (store, LW_SETTING_EXPORT_FORMAT);
  g_autofree char *fast_rpm = rpm_setting (LW_GEMINI_TIER_FAST);
  g_autofree char *pro_rpm = rpm_setting (LW_GEMINI_TIER_PRO);

  self->loading = TRUE;
  setup_combo (self->fast_combo);
  setup_combo (self->pro_combo);
  setup_combo (self->format_row);
  setup_combo (self->age_row);
  lw_preferences_gemini_load (self);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->fast_rpm_row),
                                 lw_models_get_label (lw_gemini_tier_to_alias (LW_GEMINI_TIER_FAST)));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->pro_rpm_row),
                                 lw_models_get_label (lw_gemini_tier_to_alias (LW_GEMINI_TIER_PRO)));

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

  lw_preferences_data_load (self);
  self->loading = FALSE;

  /* Connected once the rows hold the settings: filling them writes nothing. */
  g_signal_connect_swapped (self->concurrency_spin, "value-changed", G_CALLBACK (concurrency_changed_cb), self);
  g_signal_connect_swapped (self->fast_rpm_spin, "value-changed", G_CALLBACK (fast_rpm_changed_cb), self);
  g_signal_connect_swapped (self->pro_rpm_spin, "value-changed", G_CALLBACK (pro_rpm_changed_cb), self);
  g_signal_connect_swapped (self->quality_spin, "value-changed", G_CALLBACK (quality_changed_cb), self);
  g_signal_connect_swapped (self->template_row, "changed", G_CALLBACK (template_changed_cb), self);
  g_signal_connect_swapped (self->template_row, "apply", G_CALLBACK (template_apply_cb), self);
  lw_preferences_gemini_connect (self);
  g_signal_connect_swapped (self->format_row, "notify::selected", G_CALLBACK (format_changed_cb), self);
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
  gtk_widget_class_bind_template_callback_full (widget_class, "key_apply_cb", G_CALLBACK (lw_preferences_key_apply_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "test_clicked_cb", G_CALLBACK (lw_preferences_test_clicked_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "remove_clicked_cb", G_CALLBACK (lw_preferences_remove_clicked_cb));
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
  lw_preferences_refresh_key_status (self);
  lw_preferences_count_data_folder (self);
  return self;
}

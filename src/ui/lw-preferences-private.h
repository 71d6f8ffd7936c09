/* lw-preferences-private.h — the Preferences window's instance, shared by
 * its files: lw-preferences.c (numbers, saved files, the rows' filling),
 * lw-preferences-gemini.c (the key, its test, the model per alias) and
 * lw-preferences-data.c (the data folder). */
#pragma once

#include "lw-gemini-engine.h"
#include "lw-preferences.h"
#include "lw-settings.h"

G_BEGIN_DECLS

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

LwStore *lw_preferences_get_store   (LwPreferences *self);
void     lw_preferences_toast       (LwPreferences *self,
                                     const char    *text);
/* Counts the look-ups, counts and tests under way (lw_preferences_is_busy). */
void     lw_preferences_busy_begin  (LwPreferences *self);
void     lw_preferences_busy_end    (LwPreferences *self);

/* lw-preferences-gemini.c */
void     lw_preferences_gemini_load     (LwPreferences *self);
void     lw_preferences_gemini_connect  (LwPreferences *self);
void     lw_preferences_refresh_key_status (LwPreferences *self);
void     lw_preferences_key_apply_cb    (LwPreferences *self);
void     lw_preferences_test_clicked_cb (LwPreferences *self);

/* lw-preferences-data.c */
void     lw_preferences_data_load          (LwPreferences *self);
void     lw_preferences_count_data_folder  (LwPreferences *self);
void     lw_preferences_remove_clicked_cb  (LwPreferences *self);

G_END_DECLS

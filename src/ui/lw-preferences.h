/* lw-preferences.h — the Preferences window (Ctrl+,).
 *
 * Every value is a row of the jobs service's settings table
 * (lw-settings.h), so the window and lightwork-cli read and write the same
 * settings; the Gemini key goes to the keyring (lw-gemini-key.h), never to
 * a setting. Changes apply at once: a value is written when it is valid,
 * and an invalid naming template says why and is not written.
 */
#pragma once

#include <adwaita.h>

#include "lw-jobs.h"

G_BEGIN_DECLS

#define LW_TYPE_PREFERENCES (lw_preferences_get_type ())
G_DECLARE_FINAL_TYPE (LwPreferences, lw_preferences, LW, PREFERENCES, AdwPreferencesWindow)

/* A modal window over parent (may be NULL) on the jobs service's settings. */
LwPreferences *lw_preferences_new         (GtkWindow     *parent,
                                           LwJobs        *jobs);
/* Whether a data-folder count, a key look-up or a key test is under way
 * (tests wait for it to settle). */
gboolean       lw_preferences_is_busy     (LwPreferences *self);

G_END_DECLS

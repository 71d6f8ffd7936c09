/* lw-settings.c — the settings table (lw-settings.h). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-settings.h"

/* Why these numbers:
 * - concurrency 2: the V4 design's MAX_CONCURRENCY, which a free Gemini key
 *   sustains; 16 is where libsoup's connection limits are set
 *   (lw-gemini-engine.c) and past which a 2-core machine only queues.
 * - ingest limits: 50 MB and 100 megapixels, the largest a camera writes
 *   with room to spare; larger files are scans or mistakes (lw-image-io.h).
 * - Gemini time-outs: the pro tier takes up to ~4 min for a 4K result. */
static const LwSettingInfo settings[] = {
  { LW_SETTING_CONCURRENCY, LW_SETTING_INT, "2", 1, 16, N_("Requests at once") },
  { "queue.*.rpm", LW_SETTING_INT, "0", 0, 10000, N_("Requests started per minute (0 = no limit)") },
  { LW_SETTING_MAX_BYTES, LW_SETTING_INT, "50000000", 1000000, 2000000000, N_("Largest photo file, in bytes") },
  { LW_SETTING_MAX_PIXELS, LW_SETTING_INT, "100000000", 1000000, 1000000000, N_("Most pixels in a photo") },
  { LW_SETTING_TEMPLATE, LW_SETTING_STRING, "{name}-{module}.{ext}", 0, 0, N_("Names of saved files") },
  /* Saved results (docs/ARCHITECTURE.md, "Results"). Quality 92: what
   * the Gemini input is re-encoded at, visually lossless at about a third
   * of quality 100's size. */
  { LW_SETTING_EXPORT_FORMAT, LW_SETTING_STRING, "keep", 0, 0, N_("Format of saved files: keep (as the original), png, jpeg or webp") },
  { LW_SETTING_JPEG_QUALITY, LW_SETTING_INT, "92", 1, 100, N_("JPEG and WebP quality of saved files") },
  { LW_SETTING_RESTORE_SIZE, LW_SETTING_INT, "1", 0, 1, N_("Save results at the original's pixel size (1) or as the model made them (0)") },
  { LW_SETTING_STRIP_GPS, LW_SETTING_INT, "1", 0, 1, N_("Leave the location (GPS) out of saved files (1) or keep it (0)") },
  { LW_SETTING_LOCAL_THREADS, LW_SETTING_INT, "0", 0, 64, N_("Photos the local engine edits at once (0 = one per core)") },
  { LW_SETTING_DEFAULT_MODULE, LW_SETTING_STRING, "food", 0, 0, N_("The module new jobs get") },
  { LW_SETTING_DEFAULT_MODEL, LW_SETTING_STRING, NULL, 0, 0, N_("The model new jobs get") },
  { LW_SETTING_LAST_JOB, LW_SETTING_INT, "0", 0, 9e18, N_("The job the window shows") },
  { LW_SETTING_TILE_SIZE, LW_SETTING_INT, "200", 120, 360, N_("Size of the window's tiles, in pixels") },
  { LW_SETTING_SAVE_FOLDER, LW_SETTING_STRING, NULL, 0, 0, N_("The folder the window's Save All opens") },
  { "gemini.base_url", LW_SETTING_STRING, "https://generativelanguage.googleapis.com", 0, 0, N_("Gemini server address") },
  { "model.*.id", LW_SETTING_STRING, NULL, 0, 0, N_("The Gemini model id an alias stands for") },
  { "price.*", LW_SETTING_DOUBLE, NULL, 0, 100, N_("Price of one result, in USD") },
  { "gemini.output_size", LW_SETTING_STRING, "2K", 0, 0, N_("Size of Nano Banana Pro results (1K, 2K or 4K)") },
  { "gemini.max_input_edge", LW_SETTING_INT, "2048", 256, 8192, N_("Longest edge of a photo sent to Gemini") },
  { "gemini.timeout_fast", LW_SETTING_INT, "180", 1, 3600, N_("Seconds a Nano Banana request may take") },
  { "gemini.timeout_pro", LW_SETTING_INT, "300", 1, 3600, N_("Seconds a Nano Banana Pro request may take") },
  { "gemini.timeout_connect", LW_SETTING_INT, "30", 1, 600, N_("Seconds to reach the Gemini server") },
};

const LwSettingInfo *
lw_settings_list (guint *n_settings)
{
  if (n_settings != NULL)
    *n_settings = G_N_ELEMENTS (settings);
  return settings;
}

const LwSettingInfo *
lw_settings_find (const char *key)
{
  if (key == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    if (strchr (settings[i].key, '*') != NULL ? g_pattern_match_simple (settings[i].key, key)
                                              : g_str_equal (settings[i].key, key))
      return &settings[i];
  return NULL;
}

static const LwSettingInfo *
find_checked (const char *key, LwSettingType type)
{
  const LwSettingInfo *info = lw_settings_find (key);

  if (info == NULL)
    g_critical ("Unknown setting “%s”: add it to lw-settings.c", key);
  else if (info->type != type)
    g_critical ("Setting “%s” is not of the type asked for", key);
  return info != NULL && info->type == type ? info : NULL;
}

static gboolean
parse_number (const char *text, LwSettingType type, double *out)
{
  gint64 i;
  char *end = NULL;

  if (text == NULL)
    return FALSE;
  if (type == LW_SETTING_INT)
    {
      if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &i, NULL))
        return FALSE;
      *out = (double) i;
      return TRUE;
    }
  *out = g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

gint64
lw_settings_get_int (LwStore *store, const char *key)
{
  const LwSettingInfo *info = find_checked (key, LW_SETTING_INT);
  g_autofree char *text = store != NULL ? lw_store_get_setting (store, key) : NULL;
  gint64 value = 0;

  if (info == NULL)
    return 0;
  if (text == NULL || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    g_ascii_string_to_signed (info->fallback, 10, G_MININT64, G_MAXINT64, &value, NULL);
  /* Compared as doubles: a range may end past what a gint64 holds exactly. */
  if ((double) value < info->min)
    return (gint64) info->min;
  if ((double) value > info->max)
    return (gint64) info->max;
  return value;
}

double
lw_settings_get_double (LwStore *store, const char *key)
{
  const LwSettingInfo *info = find_checked (key, LW_SETTING_DOUBLE);
  g_autofree char *text = store != NULL ? lw_store_get_setting (store, key) : NULL;
  double value = -1;

  if (info == NULL)
    return -1;
  if (!parse_number (text, LW_SETTING_DOUBLE, &value) && !parse_number (info->fallback, LW_SETTING_DOUBLE, &value))
    return -1;   /* no default: the caller has its own (a model's price) */
  return CLAMP (value, info->min, info->max);
}

char *
lw_settings_get_string (LwStore *store, const char *key)
{
  const LwSettingInfo *info = find_checked (key, LW_SETTING_STRING);
  char *text = store != NULL ? lw_store_get_setting (store, key) : NULL;

  if (text != NULL && *g_strstrip (text) != '\0')
    return text;
  g_free (text);
  return info != NULL ? g_strdup (info->fallback) : NULL;
}

static gboolean
check_range (const LwSettingInfo *info, double value, GError **error)
{
  if (value >= info->min && value <= info->max)
    return TRUE;
  {
    g_autofree char *low = info->type == LW_SETTING_INT ? g_strdup_printf ("%.0f", info->min)
                                                        : g_strdup_printf ("%g", info->min);
    g_autofree char *high = info->type == LW_SETTING_INT ? g_strdup_printf ("%.0f", info->max)
                                                         : g_strdup_printf ("%g", info->max);

    g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID,
                 /* TRANSLATORS: "Requests at once must be between 1 and 16" */
                 _("%s must be between %s and %s"), g_dgettext (GETTEXT_PACKAGE, info->summary), low, high);
  }
  return FALSE;
}

gboolean
lw_settings_check_int (const char *key, gint64 value, GError **error)
{
  const LwSettingInfo *info = find_checked (key, LW_SETTING_INT);

  return info != NULL && check_range (info, (double) value, error);
}

gboolean
lw_settings_set (LwStore *store, const char *key, const char *value, GError **error)
{
  const LwSettingInfo *info = lw_settings_find (key);
  double number;

  if (info == NULL)
    {
      g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID, _("There is no setting “%s”"), key);
      return FALSE;
    }
  if (value != NULL && info->type != LW_SETTING_STRING)
    {
      if (!parse_number (value, info->type, &number))
        {
          g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID,
                       info->type == LW_SETTING_INT ? _("“%s” is not a whole number") : _("“%s” is not a number"),
                       value);
          return FALSE;
        }
      if (!check_range (info, number, error))
        return FALSE;
    }
  if (value != NULL && g_str_equal (info->key, LW_SETTING_EXPORT_FORMAT)
      && !g_strv_contains ((const char * const[]) { "keep", "png", "jpeg", "webp", NULL }, value))
    {
      g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID,
                   _("The format of saved files must be keep, png, jpeg or webp, not “%s”"), value);
      return FALSE;
    }
  /* A relative folder would follow whatever the process's working
   * directory happens to be; the window's chooser needs a real place. */
  if (value != NULL && g_str_equal (info->key, LW_SETTING_SAVE_FOLDER) && !g_path_is_absolute (value))
    {
      g_set_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID,
                   _("The folder Save All opens must be an absolute path, not “%s”"), value);
      return FALSE;
    }
  return lw_store_set_setting (store, key, value, error);
}

gboolean
lw_settings_set_int (LwStore *store, const char *key, gint64 value, GError **error)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  return lw_settings_set (store, key, text, error);
}

/* lw-settings.h — the one table of settings the window and lightwork-cli
 * share, with their defaults and ranges.
 *
 * Settings live in the database's settings table (lw-store.h); this table
 * says what each key means, what it is when unset, and what values it takes.
 * Reading through it gives the default for an unset or unparsable value and
 * clamps to the range; writing through it refuses what is out of range with
 * a message a person can act on. The Gemini key is never a setting.
 */
#pragma once

#include <gio/gio.h>

#include "lw-store.h"

G_BEGIN_DECLS

#define LW_SETTING_CONCURRENCY   "queue.concurrency"
#define LW_SETTING_RPM_FMT       "queue.%s.rpm"      /* per model alias */
#define LW_SETTING_MAX_BYTES     "ingest.max_bytes"
#define LW_SETTING_MAX_PIXELS    "ingest.max_pixels"
#define LW_SETTING_TEMPLATE      "export.template"
#define LW_SETTING_EXPORT_FORMAT "export.format"       /* keep, png, jpeg, webp */
#define LW_SETTING_JPEG_QUALITY  "export.jpeg_quality"
#define LW_SETTING_RESTORE_SIZE  "export.restore_size" /* 0 or 1 */
#define LW_SETTING_STRIP_GPS     "export.strip_gps"    /* 0 or 1 */
#define LW_SETTING_LOCAL_THREADS "local.threads"
#define LW_SETTING_DEFAULT_MODULE "ui.module"        /* the module new jobs get */
#define LW_SETTING_DEFAULT_MODEL  "ui.model"         /* the model new jobs get */
#define LW_SETTING_LAST_JOB      "ui.last_job"
#define LW_SETTING_TILE_SIZE     "ui.tile_size"
#define LW_SETTING_SAVE_FOLDER   "ui.save_folder"    /* where Save All saved last: an absolute path */

typedef enum {
  LW_SETTING_INT,
  LW_SETTING_DOUBLE,
  LW_SETTING_STRING,
} LwSettingType;

typedef struct {
  const char    *key;       /* a '*' stands for a model alias */
  LwSettingType  type;
  const char    *fallback;  /* the default, as text; NULL = unset */
  double         min;       /* numbers: the range, inclusive */
  double         max;
  const char    *summary;   /* translatable (N_), one line */
} LwSettingInfo;

const LwSettingInfo *lw_settings_list       (guint       *n_settings);
/* The entry for key ("queue.local.rpm" finds "queue.*.rpm"), or NULL. */
const LwSettingInfo *lw_settings_find       (const char  *key);

/* The value, its default when unset or unparsable, clamped to the range. */
gint64   lw_settings_get_int    (LwStore *store, const char *key);
double   lw_settings_get_double (LwStore *store, const char *key);
char    *lw_settings_get_string (LwStore *store, const char *key);

/* Whether value is in key's range; LW_STORE_ERROR_INVALID says the range
 * ("Requests at once must be between 1 and 16") otherwise. */
gboolean lw_settings_check_int  (const char *key, gint64 value, GError **error);
/* Checks (type, range) and stores; NULL deletes (back to the default). */
gboolean lw_settings_set        (LwStore *store, const char *key, const char *value, GError **error);
gboolean lw_settings_set_int    (LwStore *store, const char *key, gint64 value, GError **error);

G_END_DECLS

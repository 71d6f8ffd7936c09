/* lw-gemini-key.h — where the Gemini API key lives.
 *
 * In the keyring (libsecret, schema io.lightwork.LightWork.ApiKey), or in
 * $GEMINI_API_KEY, which wins when it is set and not empty. The key never
 * goes to the database, GSettings, logs or error messages; in memory it is
 * kept in a locked page that core dumps leave out.
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

#define LW_GEMINI_KEY_SCHEMA_NAME "io.lightwork.LightWork.ApiKey"
#define LW_GEMINI_ENV_KEY         "GEMINI_API_KEY"

typedef enum {
  LW_GEMINI_KEY_NONE,
  LW_GEMINI_KEY_FROM_ENV,
  LW_GEMINI_KEY_FROM_KEYRING,
} LwGeminiKeySource;

const SecretSchema *lw_gemini_key_get_schema   (void);

/* The key (free with lw_secret_free), or NULL when none is set; error only
 * when the keyring failed (no keyring at all is "none", not an error). */
char               *lw_gemini_key_lookup       (LwGeminiKeySource *source,
                                                GCancellable      *cancellable,
                                                GError           **error);
/* lw_gemini_key_lookup() in a worker thread (the keyring's D-Bus calls
 * can block); finish gives the key (free with lw_secret_free) and where it
 * came from, as lw_gemini_key_lookup() does. */
void                lw_gemini_key_lookup_async (GCancellable      *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer           user_data);
char               *lw_gemini_key_lookup_finish (GAsyncResult     *result,
                                                LwGeminiKeySource *source,
                                                GError           **error);
gboolean            lw_gemini_key_is_configured (void);
gboolean            lw_gemini_key_store        (const char        *key,
                                                GCancellable      *cancellable,
                                                GError           **error);
/* lw_gemini_key_store() in a worker thread (the keyring's D-Bus calls can
 * block); key is copied into locked memory at once, so the caller may wipe
 * its own copy on return. */
void                lw_gemini_key_store_async  (const char        *key,
                                                GCancellable      *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer           user_data);
gboolean            lw_gemini_key_store_finish (GAsyncResult      *result,
                                                GError           **error);
/* TRUE and *removed whether there was one to remove. */
gboolean            lw_gemini_key_clear        (gboolean          *removed,
                                                GCancellable      *cancellable,
                                                GError           **error);

/* A copy of a secret string in memory that is locked (no swap) and left out
 * of core dumps; wiped when freed. */
char               *lw_secret_strdup           (const char        *text);
void                lw_secret_free             (char              *secret);

G_END_DECLS

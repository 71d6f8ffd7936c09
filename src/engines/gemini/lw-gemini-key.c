/* lw-gemini-key.c — where the Gemini API key lives. */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lw-gemini-key.h"
#include "lw-thread.h"

/* One attribute so a later provider (or a second Gemini account) can sit
 * beside it under the same schema. */
#define ATTRIBUTE_SERVICE "service"
#define SERVICE_GEMINI    "gemini"

const SecretSchema *
lw_gemini_key_get_schema (void)
{
  static const SecretSchema schema = {
    LW_GEMINI_KEY_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { ATTRIBUTE_SERVICE, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

/* ---- secret memory ------------------------------------------------------ */

/* Layout: [gsize mapped length][text\0], in its own mapping. */
char *
lw_secret_strdup (const char *text)
{
  gsize len, total, page;
  char *base;

  if (text == NULL)
    return NULL;
  len = strlen (text);
  page = (gsize) sysconf (_SC_PAGESIZE);
  total = (sizeof (gsize) + len + 1 + page - 1) / page * page;
  base = mmap (NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED)
    g_error ("out of memory for a secret");
#ifdef MADV_DONTDUMP
  madvise (base, total, MADV_DONTDUMP);
#endif
  /* Best effort: RLIMIT_MEMLOCK may be tiny; the key then may swap. */
  (void) mlock (base, total);
  memcpy (base, &total, sizeof total);
  memcpy (base + sizeof (gsize), text, len + 1);
  return base + sizeof (gsize);
}

void
lw_secret_free (char *secret)
{
  char *base;
  gsize total;

  if (secret == NULL)
    return;
  base = secret - sizeof (gsize);
  memcpy (&total, base, sizeof total);
  explicit_bzero (base, total);
  munlock (base, total);
  munmap (base, total);
}

/* ---- the key ------------------------------------------------------------ */

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static gboolean
keyring_unavailable (const GError *error)
{
  /* No session bus, no Secret Service on it, or a locked keyring the user
   * dismissed: there is no key to be had, which is not a failure. */
  return error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR ||
         g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT) ||
         g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED);
}

char *
lw_gemini_key_lookup (LwGeminiKeySource *source,
                      GCancellable      *cancellable,
                      GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *env = g_getenv (LW_GEMINI_ENV_KEY);
  gchar *found;
  char *key;

  if (source != NULL)
    *source = LW_GEMINI_KEY_NONE;
  if (!is_blank (env))
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (env));

      if (source != NULL)
        *source = LW_GEMINI_KEY_FROM_ENV;
      key = lw_secret_strdup (trimmed);
      explicit_bzero (trimmed, strlen (trimmed));
      return key;
    }

  found = secret_password_lookup_nonpageable_sync (lw_gemini_key_get_schema (), cancellable, &local_error,
                                                   ATTRIBUTE_SERVICE, SERVICE_GEMINI, NULL);
  if (found == NULL)
    {
      if (local_error != NULL && !keyring_unavailable (local_error))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("The keyring could not be read: %s"), local_error->message);
      else if (local_error != NULL)
        g_debug ("No keyring: %s", local_error->message);
      return NULL;
    }
  if (is_blank (found))
    {
      secret_password_free (found);
      return NULL;
    }
  key = lw_secret_strdup (g_strstrip (found));
  secret_password_free (found);
  if (source != NULL)
    *source = LW_GEMINI_KEY_FROM_KEYRING;
  return key;
}

typedef struct {
  char              *key;
  LwGeminiKeySource  source;
} Found;

static void
found_free (Found *found)
{
  lw_secret_free (found->key);
  g_free (found);
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Found *found = g_new0 (Found, 1);
  GError *error = NULL;

  found->key = lw_gemini_key_lookup (&found->source, cancellable, &error);
  if (error != NULL)
    {
      found_free (found);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, found, (GDestroyNotify) found_free);
}

void
lw_gemini_key_lookup_async (GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lw_gemini_key_lookup_async);
  lw_task_run_in_thread (task, lookup_thread);
}

char *
lw_gemini_key_lookup_finish (GAsyncResult       *result,
                             LwGeminiKeySource  *source,
                             GError            **error)
{
  Found *found;
  char *key;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  if (source != NULL)
    *source = LW_GEMINI_KEY_NONE;
  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return NULL;
  if (source != NULL)
    *source = found->source;
  key = g_steal_pointer (&found->key);
  found_free (found);
  return key;
}

gboolean
lw_gemini_key_is_configured (void)
{
  char *key = lw_gemini_key_lookup (NULL, NULL, NULL);
  gboolean configured = key != NULL;

  lw_secret_free (key);
  return configured;
}

gboolean
lw_gemini_key_store (const char    *key,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (is_blank (key))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("The key is empty"));
      return FALSE;
    }
  if (!secret_password_store_sync (lw_gemini_key_get_schema (), SECRET_COLLECTION_DEFAULT,
                                   _("LightWork: Gemini API key"), key, cancellable, &local_error,
                                   ATTRIBUTE_SERVICE, SERVICE_GEMINI, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The key could not be saved in the keyring: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
store_thread (GTask        *task,
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

void
lw_gemini_key_store_async (const char          *key,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lw_gemini_key_store_async);
  g_task_set_task_data (task, lw_secret_strdup (key), (GDestroyNotify) lw_secret_free);
  lw_task_run_in_thread (task, store_thread);
}

gboolean
lw_gemini_key_store_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
lw_gemini_key_clear (gboolean      *removed,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean done;

  done = secret_password_clear_sync (lw_gemini_key_get_schema (), cancellable, &local_error,
                                     ATTRIBUTE_SERVICE, SERVICE_GEMINI, NULL);
  if (local_error != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The key could not be removed from the keyring: %s"), local_error->message);
      return FALSE;
    }
  if (removed != NULL)
    *removed = done;
  return TRUE;
}

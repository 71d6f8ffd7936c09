/* lw-unsaved.c — paid answers kept outside a full data folder (see
 * lw-unsaved.h). */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "lw-unsaved.h"
#include "lw-warn.h"

/* The folders tried, in order: the runtime folder is the user's own and
 * usually a tmpfs (not the full disk); /tmp is shared, so the folder there
 * carries the uid and must be ours. */
static char *
folder (guint i)
{
  g_autofree char *name = NULL;

  switch (i)
    {
    case 0:
      return g_build_filename (g_get_user_runtime_dir (), "lightwork-unsaved", NULL);
    case 1:
      name = g_strdup_printf ("lightwork-unsaved-%u", (guint) getuid ());
      return g_build_filename (g_get_tmp_dir (), name, NULL);
    default:
      return NULL;
    }
}

/* The folder exists, is a folder (not a link) and only we can read it. */
static gboolean
folder_is_ours (const char *dir, gboolean create)
{
  struct stat st;

  if (create && g_mkdir_with_parents (dir, 0700) != 0 && errno != EEXIST)
    return FALSE;
  return lstat (dir, &st) == 0 && S_ISDIR (st.st_mode) && st.st_uid == getuid ()
         && (st.st_mode & 0077) == 0;
}

/* Request keys are sha256 hex: nothing else becomes a file name. */
static gboolean
key_is_valid (const char *request_key)
{
  if (request_key == NULL || *request_key == '\0')
    return FALSE;
  for (const char *p = request_key; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

gboolean
lw_unsaved_put (const char *request_key, GBytes *data)
{
  g_autoptr(GError) last = NULL;
  gsize len = 0;
  const char *bytes = g_bytes_get_data (data, &len);

  if (!key_is_valid (request_key))
    return FALSE;
  for (guint i = 0;; i++)
    {
      g_autofree char *dir = folder (i);
      g_autofree char *path = NULL;

      if (dir == NULL)
        break;
      if (!folder_is_ours (dir, TRUE))
        continue;
      path = g_build_filename (dir, request_key, NULL);
      g_clear_error (&last);
      if (g_file_set_contents_full (path, bytes, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &last))
        return TRUE;
    }
  lw_warn_limited ("Cannot keep an unsaved result anywhere: %s", last != NULL ? last->message : "no private folder");
  return FALSE;
}

GBytes *
lw_unsaved_get (const char *request_key, char **mime)
{
  if (!key_is_valid (request_key))
    return NULL;
  for (guint i = 0;; i++)
    {
      g_autofree char *dir = folder (i);
      g_autofree char *path = NULL;
      char *contents = NULL;
      gsize len = 0;

      if (dir == NULL)
        return NULL;
      if (!folder_is_ours (dir, FALSE))
        continue;
      path = g_build_filename (dir, request_key, NULL);
      if (g_file_get_contents (path, &contents, &len, NULL) && len > 0)
        {
          g_autofree char *type = g_content_type_guess (NULL, (const guchar *) contents, len, NULL);

          *mime = g_content_type_get_mime_type (type);
          if (*mime == NULL)
            *mime = g_strdup ("image/png");
          return g_bytes_new_take (contents, len);
        }
      g_free (contents);
    }
}

void
lw_unsaved_drop (const char *request_key)
{
  if (!key_is_valid (request_key))
    return;
  for (guint i = 0;; i++)
    {
      g_autofree char *dir = folder (i);
      g_autofree char *path = NULL;

      if (dir == NULL)
        return;
      path = g_build_filename (dir, request_key, NULL);
      g_unlink (path);
    }
}

/* lw-unsaved.c — paid answers kept outside a full data folder (see
 * lw-unsaved.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
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

/* A kept file is this line, then the answer's bytes: what it cost and its
 * type, so the answer restored by another process is billed as paid. */
#define HEADER_MAGIC "lightwork-unsaved 1 "

gboolean
lw_unsaved_put (const char *request_key, GBytes *data, const char *mime, double cost)
{
  g_autoptr(GError) last = NULL;
  g_autoptr(GByteArray) file = g_byte_array_new ();
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  gsize len = 0;
  const guint8 *answer = g_bytes_get_data (data, &len);
  const char *bytes;

  if (!key_is_valid (request_key) || mime == NULL || strchr (mime, '\n') != NULL)
    return FALSE;
  g_ascii_dtostr (number, sizeof number, isfinite (cost) && cost > 0 ? cost : 0);
  g_byte_array_append (file, (const guint8 *) HEADER_MAGIC, strlen (HEADER_MAGIC));
  g_byte_array_append (file, (const guint8 *) number, strlen (number));
  g_byte_array_append (file, (const guint8 *) " ", 1);
  g_byte_array_append (file, (const guint8 *) mime, strlen (mime));
  g_byte_array_append (file, (const guint8 *) "\n", 1);
  g_byte_array_append (file, answer, len);
  bytes = (const char *) file->data;
  len = file->len;
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

/* contents with our header: the answer after it, *mime and *cost from it. */
static GBytes *
parse (char *contents, gsize len, char **mime, double *cost)
{
  gsize magic = strlen (HEADER_MAGIC);
  const char *eol = memchr (contents, '\n', len);
  char *end = NULL;

  if (len <= magic || memcmp (contents, HEADER_MAGIC, magic) != 0 || eol == NULL)
    return NULL;
  *cost = g_ascii_strtod (contents + magic, &end);
  if (end == contents + magic || *end != ' ' || end >= eol || !isfinite (*cost) || *cost < 0)
    return NULL;
  *mime = g_strndup (end + 1, eol - end - 1);
  return g_bytes_new_with_free_func (eol + 1, len - (gsize) (eol + 1 - contents), g_free, contents);
}

GBytes *
lw_unsaved_get (const char *request_key, char **mime, double *cost)
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
          g_autofree char *type = NULL;
          GBytes *answer = parse (contents, len, mime, cost);

          if (answer != NULL)
            return answer;
          /* An older file, the bytes alone: its cost is not known here. */
          *cost = -1;
          type = g_content_type_guess (NULL, (const guchar *) contents, len, NULL);
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

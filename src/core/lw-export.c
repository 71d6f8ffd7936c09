/* lw-export.c — naming and writing saved results. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lw-export.h"
#include "lw-image-io.h"

/* A value pasted into a file name: no separators, no control characters,
 * no leading dots (hidden files, "..") and not empty. */
static void
append_sanitized (GString *out, const char *value)
{
  gsize start = out->len;

  for (const char *p = value != NULL ? value : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      if (c == '/' || c == '\\' || g_unichar_iscntrl (c) || c == ':')
        g_string_append_c (out, '_');
      else if (c == '.' && out->len == start)
        g_string_append_c (out, '_');
      else
        g_string_append_unichar (out, c);
    }
  if (out->len == start)
    g_string_append (out, "image");
}

char *
lw_export_format_name (const char *template_str,
                       const char *original_name,
                       const char *module_id,
                       const char *job_name,
                       gint64      index,
                       const char *ext)
{
  g_autoptr(GString) out = g_string_new (NULL);
  /* Only the last component counts: a name is never a path here. */
  g_autofree char *stem = g_path_get_basename (original_name != NULL && *original_name ? original_name : "image");
  char *dot = strrchr (stem, '.');
  const char *p;

  if (dot != NULL && dot != stem)
    *dot = '\0';
  if (template_str == NULL || *template_str == '\0')
    template_str = LW_EXPORT_TEMPLATE_DEFAULT;

  for (p = template_str; *p != '\0';)
    {
      const char *close;

      if (*p == '{' && (close = strchr (p, '}')) != NULL)
        {
          g_autofree char *field = g_strndup (p + 1, close - p - 1);
          gboolean known = TRUE;

          if (g_str_equal (field, "name"))
            append_sanitized (out, stem);
          else if (g_str_equal (field, "module"))
            append_sanitized (out, module_id);
          else if (g_str_equal (field, "job"))
            append_sanitized (out, job_name);
          else if (g_str_equal (field, "ext"))
            append_sanitized (out, ext);
          else if (g_str_equal (field, "index"))
            g_string_append_printf (out, "%04" G_GINT64_FORMAT, index);
          else
            known = FALSE;
          if (known)
            {
              p = close + 1;
              continue;
            }
        }
      if (*p == '/' || *p == '\\' || g_ascii_iscntrl (*p))
        g_string_append_c (out, '_');
      else
        g_string_append_c (out, *p);
      p++;
    }
  if (out->len == 0 || g_str_equal (out->str, ".") || g_str_equal (out->str, ".."))
    g_string_assign (out, "image");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
name_taken (const char *dir, const char *name, GHashTable *taken)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return (taken != NULL && g_hash_table_contains (taken, name))
         || g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK);
}

char *
lw_export_unique_name (const char *dir, const char *name, GHashTable *taken)
{
  g_autofree char *stem = g_strdup (name);
  const char *ext = "";
  char *dot = strrchr (stem, '.');
  char *candidate = NULL;

  if (dot != NULL && dot != stem)
    {
      *dot = '\0';
      ext = dot + 1;
    }
  for (guint n = 1; candidate == NULL; n++)
    {
      g_autofree char *try = n == 1 ? g_strdup (name)
                                    : g_strdup_printf ("%s-%u%s%s", stem, n, *ext ? "." : "", ext);

      if (!name_taken (dir, try, taken))
        candidate = g_steal_pointer (&try);
    }
  if (taken != NULL)
    g_hash_table_add (taken, g_strdup (candidate));
  return candidate;
}

/* Writes data to dir/name without ever replacing a file that appeared
 * meanwhile: link() of the finished temporary file fails on an existing
 * name, where rename() would silently overwrite it. */
static gboolean
write_exclusive (const char *dir, const char *name, GBytes *data, GError **error)
{
  g_autofree char *final_path = g_build_filename (dir, name, NULL);
  g_autofree char *tmp_path = g_strdup_printf ("%s/.%s.lightwork-XXXXXX", dir, name);
  gsize len = 0;
  const char *bytes = g_bytes_get_data (data, &len);
  int fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  gsize written = 0;
  int rc;

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot write in %s: %s"), dir,
                   g_strerror (saved));
      return FALSE;
    }
  while (written < len)
    {
      gssize n = write (fd, bytes + written, len - written);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          close (fd);
          g_unlink (tmp_path);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot write %s: %s"),
                       final_path, g_strerror (saved));
          return FALSE;
        }
      written += (gsize) n;
    }
  fsync (fd);
  close (fd);
  rc = link (tmp_path, final_path);
  if (rc != 0)
    {
      int saved = errno;
      g_unlink (tmp_path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot write %s: %s"),
                   final_path, g_strerror (saved));
      return FALSE;
    }
  g_unlink (tmp_path);
  return TRUE;
}

gboolean
lw_export_job (LwStore              *store,
               LwBlobStore          *blobs,
               gint64                job_id,
               const char           *dir,
               const char           *template_str,
               LwExportProgressFunc  progress,
               gpointer              user_data,
               guint                *n_written,
               GCancellable         *cancellable,
               GError              **error)
{
  g_autoptr(LwJob) job = lw_store_get_job (store, job_id, error);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint total = 0, done = 0;

  if (n_written != NULL)
    *n_written = 0;
  if (job == NULL)
    return FALSE;
  images = lw_store_list_images (store, job_id, error);
  if (images == NULL)
    return FALSE;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot create %s: %s"), dir,
                   g_strerror (saved));
      return FALSE;
    }

  for (guint i = 0; i < images->len; i++)
    if (((LwImage *) g_ptr_array_index (images, i))->status == LW_IMAGE_COMPLETED)
      total++;

  for (guint i = 0; i < images->len; i++)
    {
      LwImage *image = g_ptr_array_index (images, i);
      g_autoptr(GBytes) data = NULL;
      g_autofree char *name = NULL;
      g_autofree char *unique = NULL;

      if (image->status != LW_IMAGE_COMPLETED || image->processed_key == NULL)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      data = lw_blob_store_get_bytes (blobs, image->processed_key, error);
      if (data == NULL)
        return FALSE;
      name = lw_export_format_name (template_str, image->original_name, job->module_id, job->name,
                                    image->position + 1,
                                    lw_image_mime_to_extension (image->processed_mime));
      /* Another writer may take a name between our check and our link:
       * then take the next one. */
      for (guint tries = 0;; tries++)
        {
          g_autoptr(GError) local_error = NULL;

          g_free (unique);
          unique = lw_export_unique_name (dir, name, taken);
          if (write_exclusive (dir, unique, data, &local_error))
            break;
          if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS) || tries > 100)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }
      done++;
      if (n_written != NULL)
        *n_written = done;
      if (progress != NULL)
        progress (done, total, user_data);
    }
  return TRUE;
}

/* lw-export.c — naming and writing saved results. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lw-export.h"
#include "lw-export-render.h"
#include "lw-image-io.h"

/* The temporary name of a result being written: ".<name>" TMP_MARK "XXXXXX"
 * (18 bytes more than the name: LW_EXPORT_TMP_OVERHEAD). */
#define TMP_MARK ".lightwork-"

/* A temporary file of ours this old in the target folder is an export
 * that was interrupted (killed, power cut): no one is writing it. Writing
 * one result takes well under a second even on a slow network share; ten
 * minutes leaves any export still running alone. */
#define STALE_TMP_AGE_S (10 * 60)

/* The shortest a name is shrunk to when a file system refuses it as too
 * long even though it fits NAME_MAX (eCryptfs: 143 bytes; some network
 * shares less). */
#define MIN_NAME_BYTES 40

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
  /* "-rf-food.jpg" would be an option to every command a user then types
   * on it, ".x" a hidden file: prefixed, the name stays recognisable. */
  if (out->str[0] == '-' || out->str[0] == '.')
    g_string_prepend_c (out, '_');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
lw_export_check_template (const char *template_str, GError **error)
{
  if (template_str == NULL || *template_str == '\0')
    return TRUE;
  if (template_str[0] == '.')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The naming template “%s” starts with a dot, which would hide the saved files; "
                     "start it with a field such as {name}"), template_str);
      return FALSE;
    }
  if (strchr (template_str, '/') != NULL || strchr (template_str, '\\') != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The naming template “%s” contains a folder separator (/ or \\); it names files "
                     "inside the chosen folder only, such as {name}-{module}.{ext}"), template_str);
      return FALSE;
    }
  if (!g_utf8_validate (template_str, -1, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The naming template is not valid text (UTF-8)"));
      return FALSE;
    }
  return TRUE;
}

/* The longest prefix of text, at most max_bytes, that ends on a character
 * boundary. */
static gsize
utf8_prefix_bytes (const char *text, gsize max_bytes)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *next = g_utf8_next_char (p);

      if ((gsize) (next - text) > max_bytes)
        break;
      p = next;
    }
  return (gsize) (p - text);
}

char *
lw_export_fit_name (const char *name, gsize max_bytes)
{
  gsize len = strlen (name);
  const char *dot = strrchr (name, '.');
  gsize ext_len;
  gsize stem_len;

  if (len <= max_bytes)
    return g_strdup (name);
  if (!g_utf8_validate (name, -1, NULL))
    {
      /* Not ours to judge (format_name only makes UTF-8): cut safely by
       * bytes of ASCII only. */
      g_autofree char *valid = g_utf8_make_valid (name, -1);

      return lw_export_fit_name (valid, max_bytes);
    }
  ext_len = dot != NULL && dot != name ? strlen (dot) : 0;
  /* A long "extension" is not one: keep at most 16 bytes of it. */
  if (ext_len > 16 || ext_len >= max_bytes)
    ext_len = 0;
  stem_len = utf8_prefix_bytes (name, MIN (len - ext_len, max_bytes - ext_len));
  if (stem_len == 0)
    return g_strndup (name, utf8_prefix_bytes (name, max_bytes));
  {
    GString *out = g_string_new_len (name, (gssize) stem_len);

    g_string_append (out, name + len - ext_len);
    return g_string_free (out, FALSE);
  }
}

static gsize
name_limit (const char *dir)
{
  long name_max = pathconf (dir, _PC_NAME_MAX);

  if (name_max <= 0)
    name_max = NAME_MAX;
  return (gsize) MAX ((long) MIN_NAME_BYTES, name_max - LW_EXPORT_TMP_OVERHEAD);
}

static gboolean
name_taken (const char *dir, const char *name, GHashTable *taken)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return (taken != NULL && g_hash_table_contains (taken, name))
         || g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK);
}

/* The n-th name for name (n from 1): "a.jpg", "a-2.jpg", "a-3.jpg", …,
 * at most max_bytes. */
static char *
nth_name (const char *name, guint n, gsize max_bytes)
{
  g_autofree char *fitted = lw_export_fit_name (name, max_bytes);
  g_autofree char *stem = NULL;
  g_autofree char *suffix = NULL;
  g_autofree char *room = NULL;
  const char *ext = "";
  char *dot;

  if (n == 1)
    return g_steal_pointer (&fitted);
  stem = g_strdup (fitted);
  dot = strrchr (stem, '.');
  if (dot != NULL && dot != stem)
    {
      *dot = '\0';
      ext = dot + 1;
    }
  suffix = g_strdup_printf ("-%u%s%s", n, *ext ? "." : "", ext);
  /* The stem gives way to the suffix, by whole characters. */
  if (strlen (suffix) < max_bytes)
    room = g_strndup (stem, utf8_prefix_bytes (stem, max_bytes - strlen (suffix)));
  else
    room = g_strdup ("");
  return g_strconcat (room, suffix, NULL);
}

/* Like lw_export_unique_name(), with every candidate at most max_bytes. */
static char *
unique_name_within (const char *dir, const char *name, GHashTable *taken, gsize max_bytes)
{
  char *candidate = NULL;

  for (guint n = 1; candidate == NULL; n++)
    {
      g_autofree char *try = nth_name (name, n, max_bytes);

      if (!name_taken (dir, try, taken))
        candidate = g_steal_pointer (&try);
    }
  if (taken != NULL)
    g_hash_table_add (taken, g_strdup (candidate));
  return candidate;
}

char *
lw_export_unique_name (const char *dir, const char *name, GHashTable *taken)
{
  return unique_name_within (dir, name, taken, name_limit (dir));
}

/* Is name one of our temporary names (".<name>.lightwork-XXXXXX")? */
static gboolean
is_our_tmp_name (const char *name)
{
  const char *mark;
  gsize len = strlen (name);

  if (name[0] != '.' || len < 1 + strlen (TMP_MARK) + 6)
    return FALSE;
  mark = name + len - 6 - strlen (TMP_MARK);
  if (strncmp (mark, TMP_MARK, strlen (TMP_MARK)) != 0)
    return FALSE;
  for (const char *p = mark + strlen (TMP_MARK); *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      return FALSE;
  return TRUE;
}

/* Removes temporary files an interrupted export left in dir: ours by name,
 * regular files of this user, and old enough that no export is writing
 * them now. */
static void
remove_stale_tmp (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!is_our_tmp_name (name))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_uid != getuid ()
          || now_s - (gint64) st.st_mtime < STALE_TMP_AGE_S)
        continue;
      if (g_unlink (path) != 0)
        g_debug ("Cannot remove %s: %s", path, g_strerror (errno));
    }
}

/* Writes data to dir/name without ever replacing a file that appeared
 * meanwhile: link() of the finished temporary file fails on an existing
 * name, where rename() would silently overwrite it. */
static gboolean
write_exclusive (const char *dir, const char *name, GBytes *data, GError **error)
{
  g_autofree char *final_path = g_build_filename (dir, name, NULL);
  g_autofree char *tmp_path = g_strdup_printf ("%s/.%s" TMP_MARK "XXXXXX", dir, name);
  gsize len = 0;
  const char *bytes = g_bytes_get_data (data, &len);
  int fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  gsize written = 0;
  int saved = 0;

  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot write %s: %s"), final_path,
                   g_strerror (saved));
      return FALSE;
    }
  while (written < len && saved == 0)
    {
      gssize n = write (fd, bytes + written, len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        saved = n < 0 ? errno : EIO;
      else
        written += (gsize) n;
    }
  /* A full disk may only say so at fsync or close (NFS, delayed
   * allocation): a file that did not make it is never linked into place. */
  if (saved == 0 && fsync (fd) != 0 && errno != EINVAL)
    saved = errno;
  if (close (fd) != 0 && saved == 0 && errno != EINTR)
    saved = errno;
  if (saved == 0 && link (tmp_path, final_path) != 0)
    saved = errno;
  g_unlink (tmp_path);
  if (saved != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot write %s: %s"), final_path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

void
lw_export_failure_free (LwExportFailure *failure)
{
  if (failure == NULL)
    return;
  g_free (failure->original_name);
  g_clear_error (&failure->error);
  g_free (failure);
}

/* Errors that are about the folder, not one file: every other result would
 * fail the same way, so the export stops and says it once. */
static gboolean
stops_export (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Saves data as name (or the next free name) in dir. */
static gboolean
save_one (const char *dir, const char *name, GBytes *data, GHashTable *taken, gsize limit, GError **error)
{
  for (guint tries = 0;; tries++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *unique = unique_name_within (dir, name, taken, limit);

      if (write_exclusive (dir, unique, data, &local_error))
        return TRUE;
      /* Another writer took the name between our check and our link. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS) && tries < 100)
        continue;
      /* NAME_MAX is what the folder says; some file systems allow less
       * (eCryptfs 143 bytes): shorter, by whole characters, until it fits. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG) && limit > MIN_NAME_BYTES)
        {
          g_hash_table_remove (taken, unique);
          limit = MAX (MIN_NAME_BYTES, limit * 2 / 3);
          continue;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
}

/* Whether the file at path holds exactly data. */
static gboolean
same_content (const char *path, GBytes *data)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  GStatBuf st;

  if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode) || (gsize) st.st_size != g_bytes_get_size (data))
    return FALSE;
  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  return len == g_bytes_get_size (data) && memcmp (contents, g_bytes_get_data (data, NULL), len) == 0;
}

/* Whether dir already holds data, byte for byte, under name or one of the
 * names a save would have taken after it ("a-2.jpg", …; up to the first
 * that does not exist), not written in this run: a result saved there
 * before. Saving it again would only add an identical "-2" copy. */
static gboolean
already_saved (const char *dir, const char *name, GBytes *data, GHashTable *taken, gsize limit)
{
  for (guint n = 1;; n++)
    {
      g_autofree char *try = nth_name (name, n, limit);
      g_autofree char *path = g_build_filename (dir, try, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return FALSE;
      if (!g_hash_table_contains (taken, try) && same_content (path, data))
        {
          g_hash_table_add (taken, g_steal_pointer (&try));
          return TRUE;
        }
    }
}

static gboolean
is_selected (const LwImage *image, LwExportSelection selection)
{
  if (image->status != LW_IMAGE_COMPLETED || image->processed_key == NULL)
    return FALSE;
  return selection == LW_EXPORT_ALL || image->review == LW_REVIEW_ACCEPTED;
}

gboolean
lw_export_job_full (LwStore              *store,
                    LwBlobStore          *blobs,
                    gint64                job_id,
                    const char           *dir,
                    const char           *template_str,
                    LwExportSelection     selection,
                    LwExportProgressFunc  progress,
                    gpointer              user_data,
                    guint                *n_written,
                    guint                *n_skipped,
                    GPtrArray           **failures,
                    GCancellable         *cancellable,
                    GError              **error)
{
  g_autoptr(LwJob) job = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(LwExportOptions) options = { 0 };
  guint total = 0, done = 0, skipped = 0;
  gsize limit;

  if (n_written != NULL)
    *n_written = 0;
  if (n_skipped != NULL)
    *n_skipped = 0;
  if (failures != NULL)
    *failures = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_export_failure_free);
  if (!lw_export_check_template (template_str, error))
    return FALSE;
  job = lw_store_get_job (store, job_id, error);
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
  remove_stale_tmp (dir);
  limit = name_limit (dir);
  lw_export_options_load (&options, store, job);

  for (guint i = 0; i < images->len; i++)
    if (is_selected (g_ptr_array_index (images, i), selection))
      total++;

  for (guint i = 0; i < images->len; i++)
    {
      LwImage *image = g_ptr_array_index (images, i);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) data = NULL;
      g_autofree char *name = NULL;
      const char *mime = NULL;

      if (!is_selected (image, selection))
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      /* The original's size, format, metadata; sRGB (lw-export-render.h);
       * the stamp's prompt is the saved take's own. */
      {
        g_autoptr(GPtrArray) versions = image->version > 0 ? lw_store_list_versions (store, image->id, NULL) : NULL;

        options.prompt = NULL;
        options.taken_at = 0;
        for (guint k = 0; versions != NULL && k < versions->len; k++)
          {
            LwVersion *take = g_ptr_array_index (versions, k);

            if (take->n == image->version)
              {
                options.prompt = take->prompt;
                options.taken_at = take->created_at;
              }
          }
        data = lw_export_render (blobs, job, image, &options, &mime, cancellable, &local_error);
        options.prompt = NULL;
      }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (data != NULL)
        {
          name = lw_export_format_name (template_str, image->original_name, job->module_id, job->name,
                                        image->position + 1, lw_image_mime_to_extension (mime));
          if (already_saved (dir, name, data, taken, limit))
            {
              skipped++;
              if (n_skipped != NULL)
                *n_skipped = skipped;
            }
          else if (save_one (dir, name, data, taken, limit, &local_error))
            {
              done++;
              if (n_written != NULL)
                *n_written = done;
            }
          else if (stops_export (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }
      if (local_error != NULL && failures != NULL)
        {
          LwExportFailure *failure = g_new0 (LwExportFailure, 1);

          failure->image_id = image->id;
          failure->original_name = g_strdup (image->original_name);
          failure->error = g_steal_pointer (&local_error);
          g_ptr_array_add (*failures, failure);
        }
      if (progress != NULL)
        progress (done + skipped, total, user_data);
    }
  return TRUE;
}

gboolean
lw_export_job (LwStore              *store,
               LwBlobStore          *blobs,
               gint64                job_id,
               const char           *dir,
               const char           *template_str,
               LwExportSelection     selection,
               LwExportProgressFunc  progress,
               gpointer              user_data,
               guint                *n_written,
               guint                *n_skipped,
               GCancellable         *cancellable,
               GError              **error)
{
  g_autoptr(GPtrArray) failures = NULL;
  LwExportFailure *first;

  if (!lw_export_job_full (store, blobs, job_id, dir, template_str, selection, progress, user_data, n_written, n_skipped,
                           &failures, cancellable, error))
    return FALSE;
  if (failures->len == 0)
    return TRUE;
  first = g_ptr_array_index (failures, 0);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               g_dngettext (GETTEXT_PACKAGE, "%u result could not be saved (%s: %s); the others were",
                            "%u results could not be saved (the first, %s: %s); the others were", failures->len),
               failures->len, first->original_name != NULL ? first->original_name : "?", first->error->message);
  return FALSE;
}

/* lw-test-util.c — helpers shared by the tests. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <jpeglib.h>

#include "lw-test-util.h"

char *
lw_test_make_tmpdir (const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpl = g_strdup_printf ("%s-XXXXXX", prefix != NULL ? prefix : "lw-test");
  char *path = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return path;
}

void
lw_test_rmtree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;
  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      lw_test_rmtree (child);
    }
  g_rmdir (path);
}

const char *
lw_test_fixtures_dir (void)
{
  const char *dir = g_getenv ("LW_FIXTURES_DIR");

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_error ("LW_FIXTURES_DIR (%s) is not a folder of test photos", dir ? dir : "unset");
  return dir;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char **) a, *(char **) b);
}

GPtrArray *
lw_test_copy_fixtures (const char *dest)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (lw_test_fixtures_dir (), 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_mkdir_with_parents (dest, 0755);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = NULL;
      g_autofree char *contents = NULL;
      gsize len = 0;
      char *target;

      if (!g_str_has_suffix (name, ".jpg") && !g_str_has_suffix (name, ".png"))
        continue;
      src = g_build_filename (lw_test_fixtures_dir (), name, NULL);
      g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
      target = g_build_filename (dest, name, NULL);
      lw_test_write_file (target, contents, len);
      g_ptr_array_add (paths, target);
    }
  g_ptr_array_sort (paths, compare_strings);
  g_assert_cmpuint (paths->len, >, 0);
  return paths;
}

void
lw_test_write_file (const char *path, const void *data, gsize len)
{
  g_autoptr(GError) error = NULL;

  /* CONSISTENT: a fresh file renamed into place (GLib 2.74's NONE mode
   * writes over an existing file without truncating it). */
  g_file_set_contents_full (path, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error);
  g_assert_no_error (error);
}

void
lw_test_write_cmyk_jpeg (const char   *path,
                         int           width,
                         int           height,
                         const guint8 *stored,
                         GBytes       *icc)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  FILE *f = fopen (path, "wb");

  g_assert_nonnull (f);
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_stdio_dest (&cinfo, f);
  cinfo.image_width = (JDIMENSION) width;
  cinfo.image_height = (JDIMENSION) height;
  cinfo.input_components = 4;
  cinfo.in_color_space = JCS_CMYK;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, 95, TRUE);
  cinfo.write_Adobe_marker = TRUE;
  jpeg_start_compress (&cinfo, TRUE);
  if (icc != NULL)
    jpeg_write_icc_profile (&cinfo, g_bytes_get_data (icc, NULL), (unsigned int) g_bytes_get_size (icc));
  for (int y = 0; y < height; y++)
    {
      JSAMPROW rows[1] = { (JSAMPROW) stored + (gsize) y * width * 4 };

      jpeg_write_scanlines (&cinfo, rows, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  fclose (f);
}

gboolean
lw_test_wait_until (gboolean (*cond) (gpointer data), gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return cond (data);
      g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
    }
  return TRUE;
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

void
lw_test_assert_finalized_soon (gpointer object)
{
  gpointer weak = object;

  g_assert_true (G_IS_OBJECT (object));
  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  if (!lw_test_wait_until (pointer_cleared, &weak, 5000))
    g_error ("%s was not finalized within 5 s: a reference leaked", G_OBJECT_TYPE_NAME (weak));
}

guint
lw_test_count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        n += lw_test_count_files (child);
      else if (g_file_test (child, G_FILE_TEST_IS_REGULAR))
        n++;
    }
  return n;
}

double
lw_test_job_cost (LwStore *store, gint64 job_id)
{
  g_autoptr(GError) error = NULL;
  double cost = -1;

  g_assert_true (lw_store_get_job_cost (store, job_id, &cost, &error));
  g_assert_no_error (error);
  return cost;
}

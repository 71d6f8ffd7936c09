/* test-ingest.c — staging folders into a job: a real SQLite file, a real
 * blob directory, real (and deliberately broken) files. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lw-blob-store.h"
#include "lw-craft.h"
#include "lw-ingest.h"
#include "lw-store.h"
#include "lw-test-util.h"

typedef struct {
  char        *dir;
  char        *in;        /* the folder the "user" drops */
  char        *db_path;
  LwStore     *store;
  LwBlobStore *blobs;
  LwJob       *job;
  GPtrArray   *photos;    /* fixtures copied to dir/fixtures */
} Fixture;

typedef struct {
  LwIngestOutcome outcome;
  char           *path;
  char           *reason;
  gint64          image_id;
  guint           done;
} Seen;

typedef struct {
  GArray       *events;   /* of Seen */
  Fixture      *f;
  GCancellable *cancel_after_cancellable;
  guint         cancel_after;
  gboolean      check_visible;
} Recorder;

static void
seen_clear (gpointer data)
{
  Seen *seen = data;

  g_free (seen->path);
  g_free (seen->reason);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fixtures = NULL;
  g_autofree char *blobs = NULL;

  f->dir = lw_test_make_tmpdir ("lw-ingest");
  f->in = g_build_filename (f->dir, "in", NULL);
  g_assert_cmpint (g_mkdir (f->in, 0755), ==, 0);
  fixtures = g_build_filename (f->dir, "fixtures", NULL);
  f->photos = lw_test_copy_fixtures (fixtures);
  f->db_path = g_build_filename (f->dir, "lightwork.db", NULL);
  f->store = lw_store_open (f->db_path, &error);
  g_assert_no_error (error);
  blobs = g_build_filename (f->dir, "blobs", NULL);
  f->blobs = lw_blob_store_new (blobs, &error);
  g_assert_no_error (error);
  f->job = lw_store_create_job (f->store, "ingest test", "food", "local", NULL, g_get_real_time () / 1000, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  g_clear_object (&f->blobs);
  g_clear_pointer (&f->job, lw_job_free);
  lw_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->in);
  g_free (f->db_path);
  g_ptr_array_unref (f->photos);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static char *
put (const char *dir, const char *name, const void *data, gsize len)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_mkdir_with_parents (parent, 0755);
  g_unlink (path);   /* lw_test_write_file does not truncate (GLib 2.74) */
  lw_test_write_file (path, data, len);
  return path;
}

static char *
put_bytes (const char *dir, const char *name, GBytes *bytes)
{
  return put (dir, name, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static char *
put_copy (const char *dir, const char *name, const char *src)
{
  g_autoptr(GBytes) bytes = read_bytes (src);

  return put_bytes (dir, name, bytes);
}

static const char *
fixture_photo (Fixture *f, const char *name)
{
  for (guint i = 0; i < f->photos->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (f->photos, i), name))
      return g_ptr_array_index (f->photos, i);
  g_error ("no fixture %s", name);
  return NULL;
}

static void
record_cb (const LwIngestEvent *event, gpointer user_data)
{
  Recorder *rec = user_data;
  Seen seen = { event->outcome, g_strdup (event->path), g_strdup (event->reason), 0, event->done };

  if (event->outcome != LW_INGEST_REJECTED)
    {
      g_assert_nonnull (event->image);
      g_assert_cmpint (event->image->id, >, 0);
      seen.image_id = event->image->id;
    }
  else
    {
      g_assert_null (event->image);
      g_assert_nonnull (event->reason);
    }
  g_array_append_val (rec->events, seen);
  g_assert_cmpuint (event->done, ==, rec->events->len);

  /* Each file is committed before its event: another connection (the
   * window's) already sees the row. */
  if (rec->check_visible && event->outcome == LW_INGEST_STAGED)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LwStore) other = lw_store_open (rec->f->db_path, &error);
      g_autoptr(LwImage) row = NULL;

      g_assert_no_error (error);
      row = lw_store_get_image (other, event->image->id, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (row->sha256, ==, event->image->sha256);
    }

  if (rec->cancel_after > 0 && rec->events->len == rec->cancel_after)
    g_cancellable_cancel (rec->cancel_after_cancellable);
}

static Recorder *
recorder_new (Fixture *f)
{
  Recorder *rec = g_new0 (Recorder, 1);

  rec->events = g_array_new (FALSE, TRUE, sizeof (Seen));
  g_array_set_clear_func (rec->events, seen_clear);
  rec->f = f;
  return rec;
}

static void
recorder_free (Recorder *rec)
{
  g_array_unref (rec->events);
  g_free (rec);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recorder, recorder_free)

static guint
count_outcome (Recorder *rec, LwIngestOutcome outcome)
{
  guint n = 0;

  for (guint i = 0; i < rec->events->len; i++)
    n += g_array_index (rec->events, Seen, i).outcome == outcome;
  return n;
}

static const char *
rejection_for (GPtrArray *rejections, const char *basename)
{
  const char *found = NULL;

  for (guint i = 0; i < rejections->len; i++)
    {
      LwRejection *r = g_ptr_array_index (rejections, i);
      g_autofree char *base = g_path_get_basename (r->path);

      if (g_strcmp0 (base, basename) == 0)
        {
          g_assert_null (found);   /* reported once */
          found = r->reason;
        }
    }
  return found;
}

static gboolean
ingest (Fixture *f, const char * const *paths, const LwIngestOptions *options, Recorder *rec,
        LwIngestReport *report, GCancellable *cancellable, GError **error)
{
  return lw_ingest_paths (f->store, f->blobs, f->job->id, paths, options, record_cb, rec, report, cancellable, error);
}

/* ---- a folder with everything wrong in it ------------------------------ */

static void
test_folder_with_bad_files (Fixture *f, gconstpointer data)
{
  g_autoptr(Recorder) rec = recorder_new (f);
  g_autoptr(GBytes) jpeg = read_bytes (fixture_photo (f, "fruits.jpg"));
  g_autoptr(GBytes) huge = lw_craft_png_header (30000, 30000, 2, TRUE);
  g_autoptr(GdkPixbuf) noise = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 700, 700);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) rejections = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sub = g_build_filename (f->in, "sub", NULL);
  g_autofree char *loop = g_build_filename (sub, "back", NULL);
  g_autofree char *fifo = g_build_filename (f->in, "pipe.jpg", NULL);
  g_autofree char *big = g_build_filename (f->in, "big.png", NULL);
  g_autofree char *loop_reason = NULL;
  static const char gif[] = "GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xFF\xFF\xFF,\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0;";
  static const char text[] = "This is not a photo, whatever its name says.\n";
  const char *paths[] = { f->in, NULL };
  LwIngestOptions options;
  LwIngestReport report;
  g_autoptr(GHashTable) shas = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 start = g_get_monotonic_time ();

  /* The good: every fixture, half of them one folder down. */
  for (guint i = 0; i < f->photos->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (f->photos, i));
      g_autofree char *copy = put_copy (i % 2 ? sub : f->in, base, g_ptr_array_index (f->photos, i));
    }
  /* A hidden file is not staged, even a good photo. */
  g_free (put_copy (f->in, ".hidden.jpg", fixture_photo (f, "orange.jpg")));

  /* The bad. */
  g_free (put (f->in, "empty.jpg", "", 0));
  g_free (put (f->in, "notes.jpg", text, sizeof text - 1));
  g_free (put (f->in, "half.jpg", g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg) / 2));
  g_free (put_bytes (sub, "huge.png", huge));
  g_free (put (f->in, "anim.gif", gif, sizeof gif - 1));
  for (int y = 0; y < 700; y++)
    for (int x = 0; x < 700 * 3; x++)
      gdk_pixbuf_get_pixels (noise)[y * gdk_pixbuf_get_rowstride (noise) + x] = (guint8) g_rand_int (rand);
  g_assert_true (gdk_pixbuf_save (noise, big, "png", &error, NULL));   /* noise: ~1.5 MB */
  g_assert_no_error (error);
  g_assert_cmpint (symlink ("..", loop), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);

  lw_ingest_options_init (&options);
  options.limits.max_bytes = 1000 * 1000;
  g_assert_true (ingest (f, paths, &options, rec, &report, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (report.staged, ==, f->photos->len);
  g_assert_cmpuint (report.duplicates, ==, 0);
  g_assert_cmpuint (report.rejected, ==, 8);
  g_assert_cmpuint (count_outcome (rec, LW_INGEST_STAGED), ==, report.staged);
  g_assert_cmpuint (count_outcome (rec, LW_INGEST_REJECTED), ==, report.rejected);

  rejections = lw_store_list_rejections (f->store, f->job->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rejections->len, ==, 8);
  g_assert_cmpstr (rejection_for (rejections, "empty.jpg"), ==, "empty file");
  g_assert_cmpstr (rejection_for (rejections, "notes.jpg"), ==, "not an image");
  g_assert_cmpstr (rejection_for (rejections, "half.jpg"), ==, "truncated JPEG");
  g_assert_cmpstr (rejection_for (rejections, "huge.png"), ==, "900 megapixels, the limit is 100");
  g_assert_cmpstr (rejection_for (rejections, "anim.gif"), ==, "GIF images are not supported");
  g_assert_cmpstr (rejection_for (rejections, "big.png"), ==, "1.5 MB, the limit is 1 MB");
  g_assert_cmpstr (rejection_for (rejections, "pipe.jpg"), ==, "not a regular file");
  loop_reason = g_strdup_printf ("folder loop: %s leads back to %s", loop, f->in);
  g_assert_cmpstr (rejection_for (rejections, "back"), ==, loop_reason);

  /* Every good photo once, with its original, thumbnail and facts. */
  images = lw_store_list_images (f->store, f->job->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, f->photos->len);
  for (guint i = 0; i < images->len; i++)
    {
      LwImage *image = g_ptr_array_index (images, i);
      g_autofree char *original = lw_blob_store_path (f->blobs, image->original_key);
      g_autofree char *thumb_path = NULL;
      g_autofree char *base = NULL;
      g_autoptr(GdkPixbuf) thumb = NULL;
      g_autoptr(GBytes) a = NULL;
      g_autoptr(GBytes) b = NULL;
      LwImageInfo info;

      g_assert_false (g_hash_table_contains (shas, image->sha256));
      g_hash_table_add (shas, image->sha256);
      g_assert_true (g_path_is_absolute (image->source_path));
      base = g_path_get_basename (image->source_path);
      g_assert_cmpstr (image->original_name, ==, base);
      g_assert_false (g_str_has_prefix (image->original_name, "."));

      a = read_bytes (image->source_path);
      b = read_bytes (original);
      g_assert_true (g_bytes_equal (a, b));
      g_assert_cmpint (image->bytes, ==, (gint64) g_bytes_get_size (a));

      g_assert_true (lw_image_probe (image->source_path, NULL, &info, &error));
      g_assert_cmpstr (image->mime, ==, info.mime);
      g_assert_cmpint (image->width, ==, info.width);
      g_assert_cmpint (image->height, ==, info.height);
      g_assert_cmpint (image->orientation, ==, info.orientation);

      g_assert_nonnull (image->thumb_key);
      g_assert_true (lw_blob_store_exists (f->blobs, image->thumb_key));
      thumb_path = lw_blob_store_path (f->blobs, image->thumb_key);
      thumb = gdk_pixbuf_new_from_file (thumb_path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (MAX (gdk_pixbuf_get_width (thumb), gdk_pixbuf_get_height (thumb)), ==,
                       MIN (LW_THUMBNAIL_LONG_EDGE, MAX (info.width, info.height)));
      g_assert_null (image->specific_prompt);
    }

  /* The walk's order: by name, a folder's files where the folder sorts. */
  for (guint i = 1; i < images->len; i++)
    {
      LwImage *prev = g_ptr_array_index (images, i - 1);
      LwImage *image = g_ptr_array_index (images, i);

      g_assert_cmpint (prev->position, <, image->position);
    }
  g_assert_cmpstr (((LwImage *) g_ptr_array_index (images, 0))->original_name, ==, "astronaut.png");

  g_test_message ("ingested %u files in %.0f ms", rec->events->len, (g_get_monotonic_time () - start) / 1000.0);
}

static void
test_unreadable (Fixture *f, gconstpointer data)
{
  g_autoptr(Recorder) rec = recorder_new (f);
  g_autoptr(GPtrArray) rejections = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *locked = NULL;
  g_autofree char *good = NULL;
  const char *paths[] = { f->in, NULL };
  LwIngestReport report;

  if (geteuid () == 0)
    {
      g_test_skip ("root reads files whatever their mode");
      return;
    }
  locked = put_copy (f->in, "locked.jpg", fixture_photo (f, "orange.jpg"));
  good = put_copy (f->in, "open.jpg", fixture_photo (f, "fruits.jpg"));
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);
  g_assert_true (ingest (f, paths, NULL, rec, &report, NULL, &error));
  g_assert_cmpuint (report.staged, ==, 1);
  g_assert_cmpuint (report.rejected, ==, 1);
  rejections = lw_store_list_rejections (f->store, f->job->id, &error);
  g_assert_cmpstr (rejection_for (rejections, "locked.jpg"), ==, "cannot be read: permission denied");
}

/* ---- duplicates -------------------------------------------------------- */

static void
test_duplicate (Fixture *f, gconstpointer data)
{
  g_autoptr(Recorder) rec = recorder_new (f);
  g_autoptr(Recorder) again = recorder_new (f);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = put_copy (f->in, "a.jpg", fixture_photo (f, "orange.jpg"));
  g_autofree char *b = put_copy (f->in, "b copy.jpg", fixture_photo (f, "orange.jpg"));
  const char *paths[] = { a, b, NULL };
  LwIngestReport report;
  Seen *first, *second;

  g_assert_true (ingest (f, paths, NULL, rec, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.staged, ==, 1);
  g_assert_cmpuint (report.duplicates, ==, 1);
  g_assert_cmpuint (rec->events->len, ==, 2);
  first = &g_array_index (rec->events, Seen, 0);
  second = &g_array_index (rec->events, Seen, 1);
  g_assert_cmpint (first->outcome, ==, LW_INGEST_STAGED);
  g_assert_cmpstr (first->path, ==, a);
  g_assert_cmpint (second->outcome, ==, LW_INGEST_DUPLICATE);
  g_assert_cmpstr (second->path, ==, b);
  g_assert_cmpint (second->image_id, ==, first->image_id);

  images = lw_store_list_images (f->store, f->job->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, 1);
  g_assert_cmpstr (((LwImage *) g_ptr_array_index (images, 0))->original_name, ==, "a.jpg");

  /* The same folder again: nothing new. */
  g_assert_true (ingest (f, paths, NULL, again, &report, NULL, &error));
  g_assert_cmpuint (report.staged, ==, 0);
  g_assert_cmpuint (report.duplicates, ==, 2);
}

/* ---- sidecar prompts --------------------------------------------------- */

static void
test_sidecar (Fixture *f, gconstpointer data)
{
  g_autoptr(Recorder) rec = recorder_new (f);
  g_autoptr(Recorder) rec2 = recorder_new (f);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job2 = NULL;
  const char *paths[] = { f->in, NULL };
  static const char brighter[] = "  Make it brighter.\n\n";
  static const char square[] = "Crop to a square, keep the cup centred.";
  static const char blank[] = " \n\t \n";
  LwIngestOptions options;
  LwIngestReport report;

  g_free (put_copy (f->in, "p1.jpg", fixture_photo (f, "orange.jpg")));
  g_free (put (f->in, "p1.jpg.txt", brighter, sizeof brighter - 1));
  g_free (put_copy (f->in, "p2.png", fixture_photo (f, "coffee.png")));
  g_free (put (f->in, "p2.txt", square, sizeof square - 1));
  g_free (put_copy (f->in, "p3.jpg", fixture_photo (f, "fruits.jpg")));
  g_free (put_copy (f->in, "p4.jpg", fixture_photo (f, "building.jpg")));
  g_free (put (f->in, "p4.jpg.txt", blank, sizeof blank - 1));

  lw_ingest_options_init (&options);
  g_assert_false (options.read_sidecar_prompts);
  g_assert_true (options.make_thumbnails);
  options.read_sidecar_prompts = TRUE;
  g_assert_true (ingest (f, paths, &options, rec, &report, NULL, &error));
  g_assert_no_error (error);
  /* The prompt files are read, not refused as "not an image". */
  g_assert_cmpuint (report.staged, ==, 4);
  g_assert_cmpuint (report.rejected, ==, 0);
  images = lw_store_list_images (f->store, f->job->id, &error);
  g_assert_cmpuint (images->len, ==, 4);
  g_assert_cmpstr (((LwImage *) g_ptr_array_index (images, 0))->specific_prompt, ==, "Make it brighter.");
  g_assert_cmpstr (((LwImage *) g_ptr_array_index (images, 1))->specific_prompt, ==, square);
  g_assert_null (((LwImage *) g_ptr_array_index (images, 2))->specific_prompt);
  g_assert_null (((LwImage *) g_ptr_array_index (images, 3))->specific_prompt);

  /* Turned off: no prompts, and the text files are what they are. */
  job2 = lw_store_create_job (f->store, "no prompts", "food", "local", NULL, g_get_real_time () / 1000, &error);
  g_assert_no_error (error);
  options.read_sidecar_prompts = FALSE;
  g_assert_true (lw_ingest_paths (f->store, f->blobs, job2->id, paths, &options, record_cb, rec2, &report, NULL, &error));
  g_assert_cmpuint (report.staged, ==, 4);
  g_assert_cmpuint (report.rejected, ==, 3);
  g_clear_pointer (&images, g_ptr_array_unref);
  images = lw_store_list_images (f->store, job2->id, &error);
  for (guint i = 0; i < images->len; i++)
    g_assert_null (((LwImage *) g_ptr_array_index (images, i))->specific_prompt);
}

static void
test_read_sidecar (Fixture *f, gconstpointer data)
{
  g_autofree char *photo = g_build_filename (f->in, "shot.jpg", NULL);
  g_autofree char *full = g_build_filename (f->in, "shot.jpg.txt", NULL);
  g_autofree char *stem = g_build_filename (f->in, "shot.txt", NULL);
  g_autoptr(GString) long_text = g_string_new (NULL);
  char *prompt;

  g_assert_null (lw_ingest_read_sidecar (photo));

  lw_test_write_file (stem, "short form", 10);
  prompt = lw_ingest_read_sidecar (photo);
  g_assert_cmpstr (prompt, ==, "short form");
  g_free (prompt);

  /* "<photo>.txt" wins over "<stem>.txt". */
  lw_test_write_file (full, "\tfull form  ", 12);
  prompt = lw_ingest_read_sidecar (photo);
  g_assert_cmpstr (prompt, ==, "full form");
  g_free (prompt);

  /* Not UTF-8: ignored. */
  g_unlink (full);
  lw_test_write_file (full, "caf\xE9 au lait", 12);
  g_assert_null (lw_ingest_read_sidecar (photo));

  /* Capped at 4 KiB, never in the middle of a character. */
  while (long_text->len < 5000)
    g_string_append (long_text, "\xC3\xA9t\xC3\xA9 ");   /* "été " */
  g_unlink (full);
  lw_test_write_file (full, long_text->str, long_text->len);
  prompt = lw_ingest_read_sidecar (photo);
  g_assert_nonnull (prompt);
  g_assert_cmpuint (strlen (prompt), <=, 4096);
  g_assert_cmpuint (strlen (prompt), >, 4000);
  g_assert_true (g_utf8_validate (prompt, -1, NULL));
  g_assert_true (g_str_has_prefix (long_text->str, prompt));
  g_free (prompt);

  /* A file without an extension has only the "<photo>.txt" form. */
  {
    g_autofree char *bare = g_build_filename (f->in, "README", NULL);

    g_assert_null (lw_ingest_read_sidecar (bare));
  }
}

/* ---- expanding --------------------------------------------------------- */

static void
test_expand (Fixture *f, gconstpointer data)
{
  const char *src = fixture_photo (f, "orange.jpg");
  g_autofree char *z = put_copy (f->in, "z.jpg", src);
  g_autofree char *a = put_copy (f->in, "a.jpg", src);
  g_autofree char *folder = g_build_filename (f->in, "folder", NULL);
  g_autofree char *missing = g_build_filename (f->in, "missing.jpg", NULL);
  g_autofree char *deep = g_build_filename (folder, "deep", NULL);
  g_autofree char *loop = g_build_filename (deep, "up", NULL);
  g_autofree char *dangling = g_build_filename (folder, "gone.jpg", NULL);
  g_autofree char *relative = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr(GHashTable) rejected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) files = NULL;
  const char *expected[] = { "z.jpg", "folder/img2.jpg", "folder/img10.jpg", "folder/sub/b.jpg", "a.jpg", NULL };

  g_free (put_copy (folder, "img10.jpg", src));
  g_free (put_copy (folder, "img2.jpg", src));
  g_free (put_copy (folder, ".secret.jpg", src));
  g_free (put_copy (folder, "sub/b.jpg", src));
  g_assert_cmpint (g_mkdir_with_parents (deep, 0755), ==, 0);
  g_assert_cmpint (symlink ("..", loop), ==, 0);   /* deep/up → folder, which is being walked */
  g_assert_cmpint (symlink ("nowhere.jpg", dangling), ==, 0);
  /* The folder given twice (once through a relative path): walked once. */
  g_assert_cmpint (g_chdir (f->in), ==, 0);
  relative = g_strdup ("./folder/");
  {
    const char *paths[] = { z, folder, relative, missing, a, NULL };

    files = lw_ingest_expand (paths, rejected, NULL);
  }
  g_assert_cmpint (g_chdir (cwd), ==, 0);

  for (guint i = 0; i < files->len; i++)
    g_test_message ("%s", (char *) g_ptr_array_index (files, i));
  g_assert_cmpuint (files->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    {
      g_autofree char *want = g_build_filename (f->in, expected[i], NULL);

      g_assert_cmpstr (g_ptr_array_index (files, i), ==, want);
    }
  g_assert_cmpuint (g_hash_table_size (rejected), ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (rejected, missing), ==, "not found");
  g_assert_cmpstr (g_hash_table_lookup (rejected, dangling), ==, "a link to something that does not exist");
  {
    g_autofree char *reason = g_strdup_printf ("folder loop: %s leads back to %s", loop, folder);

    g_assert_cmpstr (g_hash_table_lookup (rejected, loop), ==, reason);
  }
}

/* ---- cancelling -------------------------------------------------------- */

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(Recorder) rec = recorder_new (f);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;
  const char *paths[] = { f->in, NULL };
  LwIngestReport report;

  for (guint i = 0; i < f->photos->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (f->photos, i));

      g_free (put_copy (f->in, base, g_ptr_array_index (f->photos, i)));
    }
  rec->cancel_after = 2;
  rec->cancel_after_cancellable = cancellable;
  rec->check_visible = TRUE;
  g_assert_false (ingest (f, paths, NULL, rec, &report, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (report.staged, ==, 2);
  images = lw_store_list_images (f->store, f->job->id, NULL);
  g_assert_cmpuint (images->len, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ingest/folder-with-bad-files", test_folder_with_bad_files);
  ADD ("/ingest/unreadable", test_unreadable);
  ADD ("/ingest/duplicate", test_duplicate);
  ADD ("/ingest/sidecar", test_sidecar);
  ADD ("/ingest/read-sidecar", test_read_sidecar);
  ADD ("/ingest/expand", test_expand);
  ADD ("/ingest/cancel", test_cancel);
#undef ADD

  return g_test_run ();
}

/* lw-queue-fixture.h — a data dir, a store, a fake clock, a fake engine and
 * a scheduler, driven in virtual time. Header-only: shared by the core
 * tests (and the Gemini tests, which swap the engine). */
#pragma once

#include <glib/gstdio.h>

#include "lw-core.h"
#include "lw-fake-engine.h"
#include "lw-scheduler.h"
#include "lw-test-util.h"

#define LW_FAKE_MODEL "fake"

typedef struct {
  char         *dir;
  LwFakeClock  *clock;
  LwCore       *core;
  LwStore      *store;
  LwBlobStore  *blobs;
  LwFakeEngine *engine;
  LwScheduler  *scheduler;
  GHashTable   *originals;   /* image id → GBytes of its original */
  int           n_paused;
  GError       *pause;
} QueueFixture;

static void
queue_paused_cb (LwScheduler *s, const char *model, const GError *reason, QueueFixture *f)
{
  f->n_paused++;
  g_clear_error (&f->pause);
  f->pause = g_error_copy (reason);
}

/* The fixture on the data folder dir (taken). */
static inline void
queue_fixture_open (QueueFixture *f, char *dir)
{
  g_autoptr(GError) error = NULL;

  f->dir = dir;
  /* A fixed epoch keeps every virtual time in the test reproducible. */
  f->clock = lw_fake_clock_new (1700000000000);
  f->core = lw_core_open (f->dir, LW_CLOCK (f->clock), &error);
  g_assert_no_error (error);
  f->store = lw_core_get_store (f->core);
  f->blobs = lw_core_get_blobs (f->core);
  f->engine = lw_fake_engine_new (LW_CLOCK (f->clock));
  lw_fake_engine_set_latency (f->engine, 1000, 0);
  f->scheduler = lw_scheduler_new (f->store, f->blobs, LW_CLOCK (f->clock), lw_core_get_owner (f->core));
  lw_scheduler_set_engine (f->scheduler, LW_FAKE_MODEL, LW_ENGINE (f->engine));
  lw_scheduler_set_seed (f->scheduler, 1234);
  g_signal_connect (f->scheduler, "paused", G_CALLBACK (queue_paused_cb), f);
  f->originals = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_bytes_unref);
}

static inline void
queue_fixture_setup (QueueFixture *f, gconstpointer data)
{
  queue_fixture_open (f, lw_test_make_tmpdir ("lw-queue"));
}

static inline void
queue_fixture_teardown (QueueFixture *f, gconstpointer data)
{
  g_clear_error (&f->pause);
  lw_scheduler_stop (f->scheduler);
  /* Let cancelled calls and result writes land before the objects go. */
  for (int i = 0; i < 50; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
  g_clear_object (&f->scheduler);
  g_clear_object (&f->engine);
  g_clear_object (&f->core);
  g_clear_object (&f->clock);
  g_clear_pointer (&f->originals, g_hash_table_unref);
  lw_test_rmtree (f->dir);
  g_free (f->dir);
}

static inline gint64
queue_create_job (QueueFixture *f, const char *module)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwJob) job = lw_store_create_job (f->store, NULL, module ? module : "food", LW_FAKE_MODEL, NULL,
                                              lw_clock_now_ms (LW_CLOCK (f->clock)), &error);

  g_assert_no_error (error);
  return job->id;
}

/* Stages n distinct small originals named "img-<k>.<suffix>" (bytes, not
 * real photos: the fake engine reads them as bytes). */
static inline GArray *
queue_stage (QueueFixture *f, gint64 job_id, guint n, const char *tag)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint k = 0; k < n; k++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *content = g_strdup_printf ("original %s #%u of job %" G_GINT64_FORMAT " %s", tag, k, job_id,
                                                  "padding-padding-padding-padding");
      g_autoptr(GBytes) bytes = g_bytes_new (content, strlen (content));
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
      g_autofree char *key = lw_blob_store_original_key (sha);
      LwImage image = { 0 };
      gboolean duplicate = FALSE;
      gint64 *id_key;

      g_assert_true (lw_blob_store_put_bytes (f->blobs, key, bytes, &error));
      g_assert_no_error (error);
      image.job_id = job_id;
      image.original_name = g_strdup_printf ("img-%u.%s", k, tag);
      image.original_key = key;
      image.sha256 = sha;
      image.mime = (char *) "image/jpeg";
      image.width = 640;
      image.height = 480;
      image.orientation = 1;
      image.bytes = (gint64) g_bytes_get_size (bytes);
      g_assert_true (lw_store_add_image (f->store, &image, lw_clock_now_ms (LW_CLOCK (f->clock)), &duplicate, &error));
      g_assert_no_error (error);
      g_assert_false (duplicate);
      g_free (image.original_name);
      g_array_append_val (ids, image.id);
      id_key = g_new (gint64, 1);
      *id_key = image.id;
      g_hash_table_insert (f->originals, id_key, g_bytes_ref (bytes));
    }
  return ids;
}

/* Runs the main context until nothing is left to do without time passing:
 * every flight is waiting on the (fake) engine, no result is being written
 * and no pump is pending. */
static inline void
queue_settle (QueueFixture *f)
{
  for (;;)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (lw_scheduler_get_n_flights (f->scheduler) <= lw_fake_engine_get_in_flight (f->engine))
        {
          /* One more pass: a pump may have been queued by the last landing. */
          if (!g_main_context_iteration (NULL, FALSE))
            return;
          continue;
        }
      g_main_context_iteration (NULL, TRUE);   /* a result write in a thread */
    }
}

typedef gboolean (*QueueDoneFunc) (QueueFixture *f, gpointer data);

/* Settles, then moves virtual time to the next timer, until done. Returns
 * the virtual milliseconds it took. */
static inline gint64
queue_drive (QueueFixture *f, QueueDoneFunc done, gpointer data, gint64 max_ms)
{
  gint64 start = lw_clock_now_ms (LW_CLOCK (f->clock));

  for (;;)
    {
      gint64 next, now;

      queue_settle (f);
      if (done (f, data))
        break;
      now = lw_clock_now_ms (LW_CLOCK (f->clock));
      next = lw_fake_clock_next_deadline (f->clock);
      g_assert_cmpint (next, >=, 0);
      g_assert_cmpint (next - start, <=, max_ms);
      lw_fake_clock_advance (f->clock, MAX (next - now, 0));
    }
  return lw_clock_now_ms (LW_CLOCK (f->clock)) - start;
}

static inline LwJobCounts
queue_counts (QueueFixture *f, gint64 job_id)
{
  LwJobCounts c;
  g_autoptr(GError) error = NULL;

  g_assert_true (lw_store_count_images (f->store, job_id, &c, &error));
  g_assert_no_error (error);
  return c;
}

static inline gboolean
queue_job_finished (QueueFixture *f, gpointer data)
{
  gint64 job_id = *(gint64 *) data;
  g_autoptr(LwJob) job = lw_store_get_job (f->store, job_id, NULL);

  return job->status != LW_JOB_PROCESSING;
}

static inline LwImage *
queue_image (QueueFixture *f, gint64 id)
{
  g_autoptr(GError) error = NULL;
  LwImage *image = lw_store_get_image (f->store, id, &error);

  g_assert_no_error (error);
  return image;
}

/* The result blob of a COMPLETED image is the engine's transform of that
 * very image's original. */
static inline void
queue_assert_result_matches (QueueFixture *f, gint64 id)
{
  g_autoptr(LwImage) image = queue_image (f, id);
  g_autoptr(GBytes) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (image->status, ==, LW_IMAGE_COMPLETED);
  g_assert_nonnull (image->processed_key);
  result = lw_blob_store_get_bytes (f->blobs, image->processed_key, &error);
  g_assert_no_error (error);
  g_assert_true (lw_fake_engine_check_result (result, g_hash_table_lookup (f->originals, &id)));
}

/* test-gemini-batch.c — the Batch API client against the fake server,
 * over real HTTP on 127.0.0.1: files uploaded (resumable), a batch
 * created, polled, cancelled, its results downloaded and matched by key;
 * and the parsers on the published shapes.
 */
#include "config.h"

#include <string.h>

#include "lw-gemini-batch.h"
#include "lw-gemini-test-util.h"
#include "lw-test-util.h"

typedef struct {
  LwFakeGemini   *server;
  LwGeminiConfig *config;
  LwGeminiEngine *engine;
  LwGeminiBatch  *batch;
  char           *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->server = lw_test_fake_start ();
  f->config = lw_test_config_for (f->server, 20000);
  f->engine = lw_gemini_engine_new (f->config, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  f->batch = lw_gemini_batch_new (f->engine);
  f->dir = lw_test_make_tmpdir ("lw-gemini-batch");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->batch);
  g_assert_finalize_object (f->engine);
  lw_gemini_config_free (f->config);
  lw_fake_gemini_free (f->server);
  lw_test_rmtree (f->dir);
  g_free (f->dir);
}

/* n small JPEGs, each its own content; requests image_id 1…n, attempt 2. */
static GPtrArray *
make_requests (Fixture *f, guint n, GPtrArray **shas)
{
  GPtrArray *requests = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_engine_request_unref);

  *shas = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%u.jpg", i);
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      LwEngineRequest *request;

      lw_test_make_jpeg (path, 96 + (int) i, 64, i + 1, 1, 90);
      request = lw_test_request_new (path, "nano_banana", "Brighten the photo.");
      request->image_id = i + 1;
      request->attempt = 2;
      g_ptr_array_add (requests, request);
      g_ptr_array_add (*shas, lw_test_file_sha256 (path));
    }
  return requests;
}

typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static GAsyncResult *
wait_for (Wait *wait)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!wait->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return wait->result;
}

static LwGeminiBatchSubmission *
submit (Fixture *f, GPtrArray *requests, GError **error)
{
  Wait wait = { FALSE, NULL };
  g_autoptr(GAsyncResult) result = NULL;

  lw_gemini_batch_submit_async (f->batch, requests, "LightWork test", NULL, wait_cb, &wait);
  result = wait_for (&wait);
  return lw_gemini_batch_submit_finish (f->batch, result, error);
}

static LwGeminiBatchStatus *
get (Fixture *f, const char *name)
{
  Wait wait = { FALSE, NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LwGeminiBatchStatus *status;

  lw_gemini_batch_get_async (f->batch, name, NULL, wait_cb, &wait);
  result = wait_for (&wait);
  status = lw_gemini_batch_get_finish (f->batch, result, &error);
  g_assert_no_error (error);
  return status;
}

/* Polls until the batch is final (the fake answers PENDING, RUNNING, then
 * its outcome); the states seen, in order. */
static LwGeminiBatchStatus *
poll_until_final (Fixture *f, const char *name, GString *seen)
{
  for (int i = 0; i < 1000; i++)
    {
      LwGeminiBatchStatus *status = get (f, name);

      g_string_append_printf (seen, "%s ", lw_gemini_batch_state_to_string (status->state));
      if (lw_gemini_batch_state_is_final (status->state))
        return status;
      lw_gemini_batch_status_free (status);
      g_usleep (2000);
    }
  g_assert_not_reached ();
}

static GPtrArray *
download (Fixture *f, const char *file)
{
  Wait wait = { FALSE, NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries;

  lw_gemini_batch_download_async (f->batch, file, NULL, wait_cb, &wait);
  result = wait_for (&wait);
  entries = lw_gemini_batch_download_finish (f->batch, result, &error);
  g_assert_no_error (error);
  return entries;
}

/* Every entry is the result of its own photo: the fake writes the input's
 * hash into the PNG. Returns how many entries failed. */
static guint
check_entries (GPtrArray *entries, GPtrArray *shas, GPtrArray *requests)
{
  guint failed = 0;

  g_assert_cmpuint (entries->len, ==, requests->len);
  for (guint i = 0; i < entries->len; i++)
    {
      LwGeminiBatchEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *result_sha = NULL;
      gint64 id = 0;
      int attempt = 0;

      g_assert_true (lw_gemini_batch_parse_key (entry->key, &id, &attempt));
      g_assert_cmpint (attempt, ==, 2);
      g_assert_cmpint (id, >=, 1);
      g_assert_cmpint (id, <=, (gint64) shas->len);
      g_assert_true ((entry->result == NULL) != (entry->error == NULL));
      if (entry->error != NULL)
        {
          failed++;
          continue;
        }
      result_sha = lw_fake_gemini_result_sha256 (entry->result->data);
      g_assert_cmpstr (result_sha, ==, g_ptr_array_index (shas, id - 1));
    }
  return failed;
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) shas = NULL;
  g_autoptr(GPtrArray) requests = make_requests (f, 6, &shas);
  g_autoptr(LwGeminiBatchSubmission) submission = NULL;
  g_autoptr(LwGeminiBatchStatus) status = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  lw_fake_gemini_set_batch_polls (f->server, 2, 2);
  submission = submit (f, requests, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (submission->batch_name, "batches/"));
  g_assert_cmpuint (submission->keys->len, ==, 6);
  g_assert_cmpuint (submission->files->len, ==, 1);   /* the JSONL alone: photos inline */
  g_assert_cmpuint (submission->rejected->len, ==, 0);
  g_assert_cmpuint (lw_fake_gemini_get_n_uploads (f->server), ==, 1);
  /* Nothing is run live, and nothing counts until the batch succeeds. */
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (f->server), ==, 0);
  g_assert_cmpuint (lw_fake_gemini_get_delivered_for (f->server, g_ptr_array_index (shas, 0)), ==, 0);

  status = poll_until_final (f, submission->batch_name, seen);
  /* Slow completion: two PENDING, at least two RUNNING, then SUCCEEDED. */
  g_assert_true (g_str_has_prefix (seen->str, "pending pending running running "));
  g_assert_true (g_str_has_suffix (seen->str, "succeeded "));
  g_assert_nonnull (status->responses_file);
  entries = download (f, status->responses_file);
  g_assert_cmpuint (check_entries (entries, shas, requests), ==, 0);
  for (guint i = 0; i < shas->len; i++)
    {
      g_assert_cmpuint (lw_fake_gemini_get_requests_for (f->server, g_ptr_array_index (shas, i)), ==, 1);
      g_assert_cmpuint (lw_fake_gemini_get_delivered_for (f->server, g_ptr_array_index (shas, i)), ==, 1);
    }
  g_assert_cmpuint (lw_fake_gemini_get_n_downloads (f->server), ==, 1);
  g_assert_cmpuint (lw_fake_gemini_get_n_batches (f->server), ==, 1);
}

/* Photos over the inline limit go through the Files API: one upload each,
 * named by fileData in their line; results still match. */
static void
test_files_over_inline_limit (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) shas = NULL;
  g_autoptr(GPtrArray) requests = make_requests (f, 3, &shas);
  g_autoptr(LwGeminiBatchSubmission) submission = NULL;
  g_autoptr(LwGeminiBatchStatus) status = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  lw_gemini_batch_set_inline_limit (f->batch, 1);
  submission = submit (f, requests, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (submission->files->len, ==, 4);
  g_assert_cmpuint (lw_fake_gemini_get_n_uploads (f->server), ==, 4);
  status = poll_until_final (f, submission->batch_name, seen);
  g_assert_cmpint (status->state, ==, LW_GEMINI_BATCH_STATE_SUCCEEDED);
  entries = download (f, status->responses_file);
  g_assert_cmpuint (check_entries (entries, shas, requests), ==, 0);
}

/* A share of entries fail on the server's side: they come back as
 * transient engine errors (to go into a later batch), the rest fine. */
static void
test_entry_failures (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) shas = NULL;
  g_autoptr(GPtrArray) requests = make_requests (f, 40, &shas);
  g_autoptr(LwGeminiBatchSubmission) submission = NULL;
  g_autoptr(LwGeminiBatchStatus) status = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint failed;

  lw_fake_gemini_set_seed (f->server, 7);
  lw_fake_gemini_set_batch_entry_failure_rate (f->server, 0.25);
  submission = submit (f, requests, &error);
  g_assert_no_error (error);
  status = poll_until_final (f, submission->batch_name, seen);
  entries = download (f, status->responses_file);
  failed = check_entries (entries, shas, requests);
  g_assert_cmpuint (failed, >, 0);
  g_assert_cmpuint (failed, <, 40);
  for (guint i = 0; i < entries->len; i++)
    {
      LwGeminiBatchEntry *entry = g_ptr_array_index (entries, i);

      if (entry->error != NULL)
        g_assert_cmpint (lw_engine_error_classify (entry->error), ==, LW_ERROR_CLASS_TRANSIENT);
    }
}

/* FAILED, EXPIRED and CANCELLED (by the server) end without results. */
static void
test_outcomes (Fixture *f, gconstpointer data)
{
  static const LwFakeBatchOutcome outcomes[] = {
    LW_FAKE_BATCH_FAILED, LW_FAKE_BATCH_EXPIRED, LW_FAKE_BATCH_CANCELLED,
  };
  static const LwGeminiBatchState states[] = {
    LW_GEMINI_BATCH_STATE_FAILED, LW_GEMINI_BATCH_STATE_EXPIRED, LW_GEMINI_BATCH_STATE_CANCELLED,
  };
  g_autoptr(GPtrArray) shas = NULL;
  g_autoptr(GPtrArray) requests = make_requests (f, 2, &shas);

  lw_fake_gemini_push_batch_outcomes (f->server, outcomes, G_N_ELEMENTS (outcomes));
  for (guint i = 0; i < G_N_ELEMENTS (outcomes); i++)
    {
      g_autoptr(LwGeminiBatchSubmission) submission = NULL;
      g_autoptr(LwGeminiBatchStatus) status = NULL;
      g_autoptr(GString) seen = g_string_new (NULL);
      g_autoptr(GError) error = NULL;

      submission = submit (f, requests, &error);
      g_assert_no_error (error);
      status = poll_until_final (f, submission->batch_name, seen);
      g_assert_cmpint (status->state, ==, states[i]);
      g_assert_null (status->responses_file);
      if (states[i] == LW_GEMINI_BATCH_STATE_FAILED)
        g_assert_nonnull (status->error_message);
    }
  /* Not run, not paid. */
  g_assert_cmpuint (lw_fake_gemini_get_delivered_for (f->server, g_ptr_array_index (shas, 0)), ==, 0);
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) shas = NULL;
  g_autoptr(GPtrArray) requests = make_requests (f, 2, &shas);
  g_autoptr(LwGeminiBatchSubmission) submission = NULL;
  g_autoptr(LwGeminiBatchStatus) status = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = { FALSE, NULL };

  lw_fake_gemini_set_batch_polls (f->server, 100, 100);
  submission = submit (f, requests, &error);
  g_assert_no_error (error);
  lw_gemini_batch_cancel_async (f->batch, submission->batch_name, NULL, wait_cb, &wait);
  result = wait_for (&wait);
  g_assert_true (lw_gemini_batch_cancel_finish (f->batch, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lw_fake_gemini_get_n_batch_cancels (f->server), ==, 1);
  status = get (f, submission->batch_name);
  g_assert_cmpint (status->state, ==, LW_GEMINI_BATCH_STATE_CANCELLED);
}

/* A wrong key is AUTH, as for a live call; the key is not in the message. */
static void
test_bad_key (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) shas = NULL;
  g_autoptr(GPtrArray) requests = make_requests (f, 1, &shas);
  g_autoptr(LwGeminiBatchSubmission) submission = NULL;
  g_autoptr(GError) error = NULL;

  lw_fake_gemini_set_key (f->server, "another-key");
  submission = submit (f, requests, &error);
  g_assert_null (submission);
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_AUTH);
  g_assert_null (strstr (error->message, LW_TEST_KEY));
}

/* A photo that cannot be read is set aside; the others go. */
static void
test_unreadable_photo (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) shas = NULL;
  g_autoptr(GPtrArray) requests = make_requests (f, 3, &shas);
  g_autoptr(LwGeminiBatchSubmission) submission = NULL;
  g_autoptr(GError) error = NULL;
  LwEngineRequest *broken = g_ptr_array_index (requests, 1);
  LwGeminiBatchEntry *rejected;

  lw_test_write_file (broken->input_path, "not a photo", 11);
  submission = submit (f, requests, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (submission->keys->len, ==, 2);
  g_assert_cmpuint (submission->rejected->len, ==, 1);
  rejected = g_ptr_array_index (submission->rejected, 0);
  g_assert_cmpstr (rejected->key, ==, "image-2-attempt-2");
  g_assert_error (rejected->error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT);
}

/* ---- the parsers -------------------------------------------------------- */

static void
test_states_and_keys (void)
{
  gint64 id = 0;
  int attempt = 0;
  g_autofree char *key = lw_gemini_batch_key (42, 3);

  g_assert_cmpint (lw_gemini_batch_state_from_string ("BATCH_STATE_PENDING"), ==, LW_GEMINI_BATCH_STATE_PENDING);
  g_assert_cmpint (lw_gemini_batch_state_from_string ("JOB_STATE_SUCCEEDED"), ==, LW_GEMINI_BATCH_STATE_SUCCEEDED);
  g_assert_cmpint (lw_gemini_batch_state_from_string ("BATCH_STATE_EXPIRED"), ==, LW_GEMINI_BATCH_STATE_EXPIRED);
  g_assert_cmpint (lw_gemini_batch_state_from_string ("running"), ==, LW_GEMINI_BATCH_STATE_RUNNING);
  g_assert_cmpint (lw_gemini_batch_state_from_string ("BATCH_STATE_UNSPECIFIED"), ==, LW_GEMINI_BATCH_STATE_UNKNOWN);
  for (int s = LW_GEMINI_BATCH_STATE_PENDING; s <= LW_GEMINI_BATCH_STATE_EXPIRED; s++)
    g_assert_cmpint (lw_gemini_batch_state_from_string (lw_gemini_batch_state_to_string (s)), ==, s);
  g_assert_false (lw_gemini_batch_state_is_final (LW_GEMINI_BATCH_STATE_RUNNING));
  g_assert_true (lw_gemini_batch_state_is_final (LW_GEMINI_BATCH_STATE_EXPIRED));

  g_assert_cmpstr (key, ==, "image-42-attempt-3");
  g_assert_true (lw_gemini_batch_parse_key (key, &id, &attempt));
  g_assert_cmpint (id, ==, 42);
  g_assert_cmpint (attempt, ==, 3);
  g_assert_false (lw_gemini_batch_parse_key ("image-x-attempt-3", &id, &attempt));
  g_assert_false (lw_gemini_batch_parse_key ("image-4-attempt-3-4", &id, &attempt));
  g_assert_false (lw_gemini_batch_parse_key ("request-1", &id, &attempt));
}

static void
test_parse_status (void)
{
  static const char operation[] =
    "{\"name\": \"batches/abc-123\", \"metadata\": {\"@type\": \"type.googleapis.com/google.ai.generativelanguage."
    "v1main.GenerateContentBatch\", \"model\": \"models/gemini-3-pro-image\", \"state\": \"BATCH_STATE_SUCCEEDED\"},"
    " \"done\": true, \"response\": {\"@type\": \"x\", \"responsesFile\": \"files/batch-abc\"}}";
  static const char bare[] = "{\"name\": \"batches/z\", \"state\": \"JOB_STATE_RUNNING\"}";
  static const char other[] = "{\"name\": \"operations/x\"}";
  static const char failed[] = "{\"name\": \"batches/q\", \"metadata\": {\"state\": \"BATCH_STATE_FAILED\"},"
                               " \"done\": true, \"error\": {\"code\": 13, \"message\": \"Boom\"}}";
  g_autoptr(LwGeminiBatchStatus) a = NULL;
  g_autoptr(LwGeminiBatchStatus) b = NULL;
  g_autoptr(LwGeminiBatchStatus) c = NULL;
  g_autoptr(GError) error = NULL;

  a = lw_gemini_batch_parse_status (operation, strlen (operation), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a->name, ==, "batches/abc-123");
  g_assert_cmpint (a->state, ==, LW_GEMINI_BATCH_STATE_SUCCEEDED);
  g_assert_cmpstr (a->responses_file, ==, "files/batch-abc");
  b = lw_gemini_batch_parse_status (bare, strlen (bare), &error);
  g_assert_no_error (error);
  g_assert_cmpint (b->state, ==, LW_GEMINI_BATCH_STATE_RUNNING);
  c = lw_gemini_batch_parse_status (failed, strlen (failed), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->error_message, ==, "Boom");
  g_assert_null (lw_gemini_batch_parse_status (other, strlen (other), &error));
  g_assert_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_FAILED);
}

static void
test_parse_results (void)
{
  static const char text[] =
    "{\"key\": \"image-1-attempt-1\", \"status\": {\"code\": 13, \"message\": \"Internal error encountered.\"}}\n"
    "{\"key\": \"image-2-attempt-1\", \"response\": {\"promptFeedback\": {\"blockReason\": \"PROHIBITED_CONTENT\"}}}\n"
    "{\"response\": {}}\n"
    "not json\n"
    "{\"key\": \"image-3-attempt-1\", \"error\": {\"code\": 400, \"message\": \"bad\", \"status\": \"INVALID_ARGUMENT\"}}";
  g_autoptr(GPtrArray) entries = lw_gemini_batch_parse_results (text, strlen (text));
  LwGeminiBatchEntry *e;

  g_assert_cmpuint (entries->len, ==, 3);
  e = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (e->key, ==, "image-1-attempt-1");
  g_assert_cmpint (lw_engine_error_classify (e->error), ==, LW_ERROR_CLASS_TRANSIENT);
  e = g_ptr_array_index (entries, 1);
  g_assert_error (e->error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_SAFETY_BLOCKED);
  e = g_ptr_array_index (entries, 2);
  g_assert_error (e->error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gemini/batch/states-and-keys", test_states_and_keys);
  g_test_add_func ("/gemini/batch/parse-status", test_parse_status);
  g_test_add_func ("/gemini/batch/parse-results", test_parse_results);
#define ADD(path, func) g_test_add ("/gemini/batch/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("round-trip", test_round_trip);
  ADD ("files-over-inline-limit", test_files_over_inline_limit);
  ADD ("entry-failures", test_entry_failures);
  ADD ("outcomes", test_outcomes);
  ADD ("cancel", test_cancel);
  ADD ("bad-key", test_bad_key);
  ADD ("unreadable-photo", test_unreadable_photo);
#undef ADD
  return g_test_run ();
}

/* test-gemini-flow.c — the window's whole flow, through its actions only,
 * with the real Gemini engine talking HTTP over 127.0.0.1 to the fake
 * Gemini server (tests/fake-gemini): stage, an instruction, launch, every
 * tile Done, the filter counts, Save All. Then a 503 that a retry gets
 * past, a safety refusal that fails its photo with the model's reason, and
 * the Retry action that sends that photo again.
 *
 * What the server saw is the judge: one request per photo (two after a
 * 503), the prompt of each (the 2-prompt rule), and every saved file is
 * the server's answer for its own photo (the SHA-256 of the bytes sent,
 * stamped in the PNG, and its pixels mirrored and inverted).
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lw-engines.h"
#include "lw-export-render.h"
#include "lw-gemini-input.h"
#include "lw-gemini-test-util.h"
#include "lw-modules.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"
#include "lw-ui-util.h"

/* "win.select-module" 1: the sidebar's second module. */
#define MODULE_INDEX 1
#define MODULE_ID    "product"

typedef struct {
  LwUiFixture     fx;
  LwFakeGemini   *server;
  LwGeminiConfig *config;
  GPtrArray      *photos;   /* paths of the copies staged, sorted */
  GHashTable     *sent;     /* photo base name → SHA-256 of the bytes the engine sends */
} Flow;

/* ---- waits -------------------------------------------------------------- */

static void
assert_label_becomes_n (LwUiFixture *fx, GtkWidget *label, guint n)
{
  g_autofree char *text = g_strdup_printf ("%u", n);

  lw_ui_assert_label_becomes (fx, label, text);
}

/* Every photo Done or Failed, nothing in flight. */
static gboolean
all_finished (LwUiFixture *fx)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (LW_UI_ITEMS (fx->window)));

  return n > 0 && LW_UI_JOB (fx->window) != NULL && LW_UI_JOB (fx->window)->status != LW_JOB_PROCESSING
         && lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED)
              + lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_FAILED) == n
         && lw_scheduler_get_n_flights (fx->scheduler) == 0;
}

static gboolean
export_done (LwUiFixture *fx)
{
  return !lw_job_session_get_exporting (lw_window_get_session (fx->window));
}

/* ---- set-up ------------------------------------------------------------- */

static const char *
sha_of (Flow *f, const char *name)
{
  const char *sha = g_hash_table_lookup (f->sent, name);

  g_assert_nonnull (sha);
  return sha;
}

/* The bytes the engine sends for path (upright, not too large, maybe
 * re-encoded): the same preparation, run here on the copy we staged. */
static GBytes *
prepared_bytes (Flow *f, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LwGeminiInput) input = lw_gemini_input_prepare (path, NULL, 0, 0, 0, f->config->max_input_edge, NULL,
                                                            &error);

  g_assert_no_error (error);
  g_assert_nonnull (input);
  return g_bytes_ref (input->data);
}

static void
flow_setup (Flow *f)
{
  g_autoptr(GError) error = NULL;
  LwGeminiEngine *engine;
  GListModel *labels;
  guint n_labels, position = G_MAXUINT;

  memset (f, 0, sizeof *f);
  f->server = lw_test_fake_start ();
  /* Long enough that tiles show Processing; the time-out is far above
   * what a loaded machine (or ASan) needs for an answer already sent. */
  lw_fake_gemini_set_latency (f->server, 40, 0);
  f->config = lw_test_config_for (f->server, 20000);
  g_assert_true (g_str_has_prefix (f->config->base_url, "http://127.0.0.1:"));
  engine = lw_gemini_engine_new (f->config, LW_TEST_KEY, &error);
  g_assert_no_error (error);
  lw_ui_fixture_setup_with_engine (&f->fx, LW_ENGINE (engine));
  g_assert_null (f->fx.engine);

  /* No key in the environment: the window starts on the local model. The
   * person picks Nano Banana in the header's drop-down. */
  labels = gtk_drop_down_get_model (GTK_DROP_DOWN (lw_window_get_model_dropdown (f->fx.window)));
  n_labels = g_list_model_get_n_items (labels);
  for (guint i = 0; i < n_labels; i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (labels), i),
                   lw_ui_model_label (LW_MODEL_NANO_BANANA)) == 0)
      position = i;
  g_assert_cmpuint (position, <, n_labels);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (lw_window_get_model_dropdown (f->fx.window)), position);
  g_assert_cmpstr (lw_job_session_get_model (lw_window_get_session (f->fx.window)), ==, LW_MODEL_NANO_BANANA);

  lw_ui_activate (&f->fx, "win.select-module", g_variant_new_int32 (MODULE_INDEX));

  /* The photos, and what the server will see of each. */
  f->photos = lw_ui_copy_photos (&f->fx);
  g_assert_cmpuint (f->photos->len, >=, 3);
  f->sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < f->photos->len; i++)
    {
      const char *path = g_ptr_array_index (f->photos, i);
      g_autoptr(GBytes) bytes = prepared_bytes (f, path);

      g_hash_table_insert (f->sent, g_path_get_basename (path),
                           g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes));
    }
  /* Distinct inputs, or the per-photo counts below would prove nothing. */
  {
    g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, f->sent);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_assert_true (g_hash_table_add (seen, value));
  }
}

static void
flow_stage (Flow *f)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  for (guint i = 0; i < f->photos->len; i++)
    g_ptr_array_add (paths, g_ptr_array_index (f->photos, i));
  g_ptr_array_add (paths, NULL);
  lw_ui_activate (&f->fx, "win.stage-paths", g_variant_new_strv ((const char * const *) paths->pdata, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, &f->fx, 30000));
  lw_window_refresh_now (f->fx.window);
  g_assert_cmpuint (lw_ui_count_items (&f->fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_PENDING), ==, f->photos->len);
  g_assert_cmpstr (LW_UI_JOB (f->fx.window)->module_id, ==, MODULE_ID);
  g_assert_cmpstr (LW_UI_JOB (f->fx.window)->model, ==, LW_MODEL_NANO_BANANA);
}

static void
flow_teardown (Flow *f)
{
  /* Window, scheduler, engine and core finalized; then the server. */
  lw_ui_fixture_teardown (&f->fx);
  lw_gemini_config_free (f->config);
  lw_fake_gemini_free (f->server);
  g_ptr_array_unref (f->photos);
  g_hash_table_unref (f->sent);
}

/* ---- checks ------------------------------------------------------------- */

/* A click on item's tile: the grid shows the filtered list. */
static void
select_only (Flow *f, LwImageItem *item)
{
  GListModel *shown = G_LIST_MODEL (lw_window_get_filtered (f->fx.window));
  guint n = g_list_model_get_n_items (shown), position = G_MAXUINT;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LwImageItem) each = g_list_model_get_item (shown, i);

      if (each == item)
        position = i;
    }
  g_assert_cmpuint (position, <, n);
  gtk_selection_model_select_item (lw_staging_grid_get_selection (lw_window_get_staging_grid (f->fx.window)), position, TRUE);
  g_assert_true (gtk_selection_model_is_selected (lw_staging_grid_get_selection (lw_window_get_staging_grid (f->fx.window)),
                                                  position));
}

/* Exactly one request for the photo's bytes per entry of expected, with
 * that prompt as its only text part. */
static void
assert_prompts (Flow *f, const char *name, const char * const *expected)
{
  g_auto(GStrv) prompts = lw_fake_gemini_dup_prompts_for (f->server, sha_of (f, name));

  g_assert_cmpuint (g_strv_length (prompts), ==, g_strv_length ((char **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (prompts[i], ==, expected[i]);
}

/* result is the server's answer for the photo at path: it says so (the
 * SHA-256 of the bytes sent for it), and it is those bytes' pixels, in
 * the aspect ratio asked for, mirrored left-right and inverted. */
static void
assert_answer_for (Flow *f, GBytes *result, const char *path)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *stamped = lw_fake_gemini_result_sha256 (result);
  g_autoptr(GBytes) sent = prepared_bytes (f, path);
  g_autoptr(GdkPixbuf) in = lw_test_decode (sent);
  const guint8 *head = g_bytes_get_data (result, NULL);

  g_assert_cmpuint (g_bytes_get_size (result), >, 8);
  g_assert_cmpmem (head, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpstr (stamped, ==, sha_of (f, name));
  lw_test_assert_transform_of (result, in, 5, 2);
}

/* The mean colour of the 9×9 block around x, y (0xRRGGBB). */
static guint32
block_mean (GdkPixbuf *pixbuf, int x, int y)
{
  guint sum[3] = { 0, 0, 0 }, n = 0;

  for (int dy = -4; dy <= 4; dy++)
    for (int dx = -4; dx <= 4; dx++)
      {
        int px = CLAMP (x + dx, 0, gdk_pixbuf_get_width (pixbuf) - 1);
        int py = CLAMP (y + dy, 0, gdk_pixbuf_get_height (pixbuf) - 1);
        guint32 c = lw_test_pixel (pixbuf, px, py);

        sum[0] += (c >> 16) & 0xff;
        sum[1] += (c >> 8) & 0xff;
        sum[2] += c & 0xff;
        n++;
      }
  return ((sum[0] / n) << 16) | ((sum[1] / n) << 8) | (sum[2] / n);
}

static GBytes *
load_file (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GBytes *bytes = g_file_load_bytes (file, NULL, NULL, &error);

  g_assert_no_error (error);
  return bytes;
}

/* ---- the whole flow ----------------------------------------------------- */

static void
test_flow (void)
{
  Flow f;
  const LwBuiltinModule *module = lw_builtin_module_find (MODULE_ID);
  const char *instruction = "Keep the crema, lift the shadows.";
  const char *with_instruction = "coffee.png";
  g_autofree char *expected_prompt = NULL;
  g_autofree char *out = NULL;
  LwImageItem *item;
  guint n;

  g_assert_nonnull (module);
  flow_setup (&f);
  flow_stage (&f);
  n = f.photos->len;
  /* The job starts from the module's own prompt. */
  g_assert_cmpstr (LW_UI_JOB (f.fx.window)->prompt, ==, module->prompt);

  /* An instruction for one photo, through the editor. */
  item = lw_ui_find_item (&f.fx, with_instruction);
  g_assert_nonnull (item);
  select_only (&f, item);
  lw_ui_activate (&f.fx, "win.edit-instruction", NULL);
  lw_prompt_editor_set_instruction (lw_window_get_prompt_editor (f.fx.window), instruction);
  expected_prompt = g_strconcat (module->prompt, "\n\n", instruction, NULL);
  g_assert_cmpstr (lw_prompt_editor_get_composed (lw_window_get_prompt_editor (f.fx.window)), ==, expected_prompt);
  lw_prompt_editor_apply (lw_window_get_prompt_editor (f.fx.window));
  g_assert_cmpstr (lw_image_item_get_specific_prompt (item), ==, instruction);

  g_assert_cmpuint (lw_fake_gemini_get_n_requests (f.server), ==, 0);
  lw_ui_activate (&f.fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (all_finished, &f.fx, 90000));
  lw_window_refresh_now (f.fx.window);
  g_assert_cmpuint (lw_ui_count_items (&f.fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED), ==, n);

  /* What the server saw: one request per photo, on the fast model, each
   * with the prompt of the 2-prompt rule as its one text part. */
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (f.server), ==, n);
  g_assert_cmpuint (lw_fake_gemini_get_n_delivered (f.server), ==, n);
  {
    g_autoptr(GPtrArray) log = lw_fake_gemini_dup_log (f.server);

    g_assert_cmpuint (log->len, ==, n);
    for (guint i = 0; i < log->len; i++)
      {
        LwFakeLogEntry *entry = g_ptr_array_index (log, i);

        g_assert_cmpstr (entry->model, ==, f.config->model_id[LW_GEMINI_TIER_FAST]);
        g_assert_cmpuint (entry->status, ==, 200);
      }
  }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_path_get_basename (g_ptr_array_index (f.photos, i));
      const char *plain[] = { module->prompt, NULL };
      const char *composed[] = { expected_prompt, NULL };

      g_assert_cmpuint (lw_fake_gemini_get_requests_for (f.server, sha_of (&f, name)), ==, 1);
      g_assert_cmpuint (lw_fake_gemini_get_delivered_for (f.server, sha_of (&f, name)), ==, 1);
      assert_prompts (&f, name, g_str_equal (name, with_instruction) ? composed : plain);
    }

  /* Filter counts, and the filters themselves. */
  assert_label_becomes_n (&f.fx, lw_window_get_count_all (f.fx.window), n);
  assert_label_becomes_n (&f.fx, lw_window_get_count_done (f.fx.window), n);
  lw_ui_assert_label_becomes (&f.fx, lw_window_get_count_pending (f.fx.window), "0");
  lw_ui_assert_label_becomes (&f.fx, lw_window_get_count_failed (f.fx.window), "0");
  lw_ui_activate (&f.fx, "win.filter", g_variant_new_string ("pending"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lw_window_get_filtered (f.fx.window))), ==, 0);
  lw_ui_activate (&f.fx, "win.filter", g_variant_new_string ("failed"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lw_window_get_filtered (f.fx.window))), ==, 0);
  lw_ui_activate (&f.fx, "win.filter", g_variant_new_string ("done"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lw_window_get_filtered (f.fx.window))), ==, n);
  lw_ui_activate (&f.fx, "win.filter", g_variant_new_string ("all"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lw_window_get_filtered (f.fx.window))), ==, n);

  /* Save All to a folder (what the folder chooser's answer activates):
   * {name}-{module}.{ext}, the original's format and size (docs/
   * ARCHITECTURE.md, "Results"). The stored result is the server's answer
   * for its own photo (its stamp and pixels); the saved file shows those
   * pixels (re-encoded: the stamp, a PNG text chunk, is not carried). */
  out = g_build_filename (f.fx.tmpdir, "out", NULL);
  g_mkdir_with_parents (out, 0700);
  lw_ui_activate (&f.fx, "win.save-all-to", g_variant_new_string (out));
  g_assert_true (lw_ui_wait (export_done, &f.fx, 30000));
  g_assert_cmpuint (lw_test_count_files (out), ==, n);
  {
    LwJobSession *session = lw_window_get_session (f.fx.window);
    LwJobs *jobs = lw_job_session_get_jobs (session);
    g_autoptr(GPtrArray) images = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (lw_jobs_load (jobs, lw_job_session_get_job_id (session), &images, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (images->len, ==, n);
    for (guint i = 0; i < n; i++)
      {
        const char *original = g_ptr_array_index (f.photos, i);
        g_autofree char *base = g_path_get_basename (original);
        const char *ext = strrchr (base, '.') + 1;
        g_autofree char *stem = g_strndup (base, (gsize) (ext - 1 - base));
        g_autofree char *saved_name = g_strdup_printf ("%s-%s.%s", stem, MODULE_ID, ext);
        g_autofree char *saved = g_build_filename (out, saved_name, NULL);
        g_autoptr(GBytes) stored = NULL;
        g_autoptr(GBytes) file = NULL;
        g_autoptr(GdkPixbuf) want = NULL;
        g_autoptr(GdkPixbuf) got = NULL;
        g_autoptr(GBytes) original_bytes = load_file (original);
        g_autoptr(GdkPixbuf) in = lw_test_decode (original_bytes);
        const LwImage *image = NULL;
        int saved_w = 0, saved_h = 0;
        gboolean resampled;
        gboolean lossy = g_ascii_strcasecmp (ext, "jpg") == 0 || g_ascii_strcasecmp (ext, "jpeg") == 0;

        for (guint k = 0; k < images->len; k++)
          if (g_str_equal (((LwImage *) g_ptr_array_index (images, k))->original_name, base))
            image = g_ptr_array_index (images, k);
        g_assert_nonnull (image);
        stored = lw_blob_store_get_bytes (lw_core_get_blobs (lw_jobs_get_core (jobs)), image->processed_key, &error);
        g_assert_no_error (error);
        assert_answer_for (&f, stored, original);

        if (!g_file_test (saved, G_FILE_TEST_IS_REGULAR))
          g_error ("%s was not saved", saved_name);
        file = load_file (saved);
        want = lw_test_decode (stored);
        got = lw_test_decode (file);
        /* At the original's size; the result's own shape (the aspect ratio
         * asked for) fitted inside the original's box. */
        lw_export_restored_size (gdk_pixbuf_get_width (in), gdk_pixbuf_get_height (in), gdk_pixbuf_get_width (want),
                                 gdk_pixbuf_get_height (want), &saved_w, &saved_h);
        g_assert_true ((saved_w == gdk_pixbuf_get_width (in) && saved_h <= gdk_pixbuf_get_height (in))
                       || (saved_h == gdk_pixbuf_get_height (in) && saved_w <= gdk_pixbuf_get_width (in)));
        g_assert_cmpint (gdk_pixbuf_get_width (got), ==, saved_w);
        g_assert_cmpint (gdk_pixbuf_get_height (got), ==, saved_h);
        resampled = saved_w != gdk_pixbuf_get_width (want) || saved_h != gdk_pixbuf_get_height (want);
        for (int j = 0; j < 5; j++)
          for (int k = 0; k < 5; k++)
            {
              /* Inside the picture: resampling and JPEG's chroma blocks
               * blur the very edges. */
              int x = (2 * k + 1) * gdk_pixbuf_get_width (got) / 10, y = (2 * j + 1) * gdk_pixbuf_get_height (got) / 10;
              int wx = x * gdk_pixbuf_get_width (want) / gdk_pixbuf_get_width (got);
              int wy = y * gdk_pixbuf_get_height (want) / gdk_pixbuf_get_height (got);

              /* Means of 9×9 blocks: a JPEG's error is per block, not
               * per pixel (a dark seed on a light skin moves by 30). */
              guint32 a = block_mean (got, x, y), b = block_mean (want, wx, wy);

              /* A result scaled to the original's box (or stretched to its
               * very size when the shapes are within a few %) moves a
               * block's mean by a few levels. */
              if (!lw_test_colour_near (a, b, lossy ? 8 : resampled ? 4 : 2))
                g_error ("%s at %d,%d: %06x, the result has %06x", saved_name, x, y, a, b);
            }
      }
  }
  /* Saving sends nothing. */
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (f.server), ==, n);

  flow_teardown (&f);
}

/* ---- a 503, a refusal, and Retry --------------------------------------- */

static void
test_faults_and_retry (void)
{
  Flow f;
  const LwFakeFault unavailable = LW_FAKE_FAULT_UNAVAILABLE;
  const LwFakeFault refusal = LW_FAKE_FAULT_SAFETY_PROMPT;
  const char *flaky = "building.jpg", *refused = "fruits.jpg";
  LwImageItem *flaky_item, *refused_item;
  const char *message;
  guint n;

  flow_setup (&f);
  flow_stage (&f);
  n = f.photos->len;
  /* building.jpg: 503 once, then an answer; fruits.jpg: refused once. */
  lw_fake_gemini_push_faults_for (f.server, sha_of (&f, flaky), &unavailable, 1);
  lw_fake_gemini_push_faults_for (f.server, sha_of (&f, refused), &refusal, 1);

  lw_ui_activate (&f.fx, "win.launch", NULL);
  g_assert_true (lw_ui_wait (all_finished, &f.fx, 90000));
  lw_window_refresh_now (f.fx.window);

  flaky_item = lw_ui_find_item (&f.fx, flaky);
  refused_item = lw_ui_find_item (&f.fx, refused);
  g_assert_nonnull (flaky_item);
  g_assert_nonnull (refused_item);
  /* The 503 was retried once and is Done; the refusal is not retried. */
  g_assert_cmpint (lw_image_item_get_status (flaky_item), ==, LW_IMAGE_COMPLETED);
  g_assert_cmpuint (lw_fake_gemini_get_requests_for (f.server, sha_of (&f, flaky)), ==, 2);
  g_assert_cmpuint (lw_fake_gemini_get_delivered_for (f.server, sha_of (&f, flaky)), ==, 1);
  g_assert_cmpuint (lw_fake_gemini_get_n_status (f.server, 503), ==, 1);
  g_assert_cmpint (lw_image_item_get_status (refused_item), ==, LW_IMAGE_FAILED);
  g_assert_cmpuint (lw_fake_gemini_get_requests_for (f.server, sha_of (&f, refused)), ==, 1);
  g_assert_cmpuint (lw_fake_gemini_get_delivered_for (f.server, sha_of (&f, refused)), ==, 0);
  /* The tile says why, in the words made of the server's blockReason. */
  message = lw_image_item_get_error_message (refused_item);
  g_assert_nonnull (message);
  if (strstr (message, "prohibited content") == NULL)
    g_error ("the refused tile says “%s”", message);
  g_assert_null (strstr (message, LW_TEST_KEY));
  /* Every other photo: one request, Done. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_path_get_basename (g_ptr_array_index (f.photos, i));

      if (g_str_equal (name, flaky) || g_str_equal (name, refused))
        continue;
      g_assert_cmpuint (lw_fake_gemini_get_requests_for (f.server, sha_of (&f, name)), ==, 1);
      g_assert_cmpint (lw_image_item_get_status (lw_ui_find_item (&f.fx, name)), ==, LW_IMAGE_COMPLETED);
    }
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (f.server), ==, n + 1);
  assert_label_becomes_n (&f.fx, lw_window_get_count_all (f.fx.window), n);
  assert_label_becomes_n (&f.fx, lw_window_get_count_done (f.fx.window), n - 1);
  lw_ui_assert_label_becomes (&f.fx, lw_window_get_count_failed (f.fx.window), "1");
  lw_ui_assert_label_becomes (&f.fx, lw_window_get_count_pending (f.fx.window), "0");
  lw_ui_activate (&f.fx, "win.filter", g_variant_new_string ("failed"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lw_window_get_filtered (f.fx.window))), ==, 1);
  {
    g_autoptr(LwImageItem) shown = g_list_model_get_item (G_LIST_MODEL (lw_window_get_filtered (f.fx.window)), 0);

    g_assert_true (shown == refused_item);
  }

  /* Retry on the failed tile: sent again. The server's script for it is
   * spent, so this time it answers with the edited photo. */
  select_only (&f, refused_item);
  lw_ui_activate (&f.fx, "win.retry", NULL);
  /* Queued again at once (the wait below must not pass on the old state). */
  g_assert_cmpint (lw_image_item_get_status (refused_item), !=, LW_IMAGE_FAILED);
  {
    g_autoptr(LwJob) job = lw_store_get_job (lw_core_get_store (f.fx.core), LW_UI_JOB (f.fx.window)->id, NULL);

    /* The finished job was launched again for it. */
    g_assert_cmpint (job->status, ==, LW_JOB_PROCESSING);
  }
  if (!lw_ui_wait (all_finished, &f.fx, 60000))
    {
      g_autoptr(LwImage) row = lw_store_get_image (lw_core_get_store (f.fx.core), lw_image_item_get_id (refused_item),
                                                   NULL);
      g_autoptr(LwJob) job = lw_store_get_job (lw_core_get_store (f.fx.core), LW_UI_JOB (f.fx.window)->id, NULL);

      g_error ("after Retry: the tile is %s, the row %s; job %d (window), %d (database); %u requests for it, "
               "%u flights",
               lw_image_status_to_string (lw_image_item_get_status (refused_item)),
               lw_image_status_to_string (row->status), (int) LW_UI_JOB (f.fx.window)->status, (int) job->status,
               lw_fake_gemini_get_requests_for (f.server, sha_of (&f, refused)),
               lw_scheduler_get_n_flights (f.fx.scheduler));
    }
  lw_window_refresh_now (f.fx.window);
  g_assert_cmpuint (lw_fake_gemini_get_requests_for (f.server, sha_of (&f, refused)), ==, 2);
  g_assert_cmpuint (lw_fake_gemini_get_delivered_for (f.server, sha_of (&f, refused)), ==, 1);
  g_assert_cmpuint (lw_fake_gemini_get_n_requests (f.server), ==, n + 2);
  g_assert_cmpint (lw_image_item_get_status (refused_item), ==, LW_IMAGE_COMPLETED);
  g_assert_cmpuint (lw_ui_count_items (&f.fx, LW_IMAGE_ITEM_STAGED, LW_IMAGE_COMPLETED), ==, n);
  lw_ui_assert_label_becomes (&f.fx, lw_window_get_count_failed (f.fx.window), "0");
  assert_label_becomes_n (&f.fx, lw_window_get_count_done (f.fx.window), n);
  /* The failed filter is empty now; the result stored is the answer for
   * fruits.jpg. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lw_window_get_filtered (f.fx.window))), ==, 0);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) result = NULL;
    const char *path = NULL;

    g_assert_nonnull (lw_image_item_get_processed_key (refused_item));
    result = lw_blob_store_get_bytes (lw_core_get_blobs (f.fx.core), lw_image_item_get_processed_key (refused_item),
                                      &error);
    g_assert_no_error (error);
    for (guint i = 0; i < n; i++)
      if (g_str_has_suffix (g_ptr_array_index (f.photos, i), "/fruits.jpg"))
        path = g_ptr_array_index (f.photos, i);
    g_assert_nonnull (path);
    assert_answer_for (&f, result, path);
  }
  lw_ui_activate (&f.fx, "win.filter", g_variant_new_string ("all"));

  flow_teardown (&f);
}

int
main (int argc, char **argv)
{
  lw_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/gemini-flow/flow", test_flow);
  g_test_add_func ("/ui/gemini-flow/faults-and-retry", test_faults_and_retry);
  return g_test_run ();
}

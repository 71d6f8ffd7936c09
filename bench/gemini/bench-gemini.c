/* bench-gemini.c — lightwork-cli against the fake Gemini server.
 *
 * Generates 12 MP photos, starts the fake server (log-normal latency, mean
 * 1 s, σ 0.5; an enforced quota of 60 requests per minute), and runs
 * `lightwork-cli process DIR --model nano_banana --concurrency C --rpm 60
 * --json` at C = 2, 4, 8, each in a fresh data folder (so no result is
 * reused). For each it prints the throughput against the ideal
 * min(C / mean latency, quota / 60), the wasted calls (requests beyond one
 * per photo, 429s among them), the most requests that reached the server in
 * any 60 s, and lightwork-cli's peak RSS. Then the V4 web design's loop on
 * the same engine and server: send C, wait for all C, repeat, with no idea
 * of the quota.
 *
 *   build/bench/gemini/bench-gemini [--photos N] [--mean-ms MS] [--sigma S]
 *                                   [--rpm N] [--levels 2,4,8] [--no-v4]
 *
 * With the defaults it runs for about 25 minutes (the quota is the limit:
 * 200 photos at 60 per minute take 3–4 minutes per run).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "lw-fake-gemini-server.h"
#include "lw-gemini-engine.h"
#include "lw-image-io.h"
#include "lw-test-util.h"

#define KEY "AIzaSyBENCHMARK-fake-key-0000000000"

static int      n_photos = 200;
static double   mean_ms = 1000;
static double   sigma = 0.5;
static int      rpm = 60;
static char    *levels_text = NULL;
static gboolean no_v4 = FALSE;

/* ---- photos ------------------------------------------------------------- */

/* 4000×3000 (12 MP): a smooth gradient with mild noise, like a photo's
 * sensor noise; each photo gets its own coloured block so no two are the
 * same file. */
static GPtrArray *
make_photos (const char *dir)
{
  g_autoptr(GdkPixbuf) base = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 4000, 3000);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  int stride = gdk_pixbuf_get_rowstride (base);
  guchar *pixels = gdk_pixbuf_get_pixels (base);
  gint64 start = g_get_monotonic_time ();

  for (int y = 0; y < 3000; y++)
    for (int x = 0; x < 4000; x++)
      {
        guchar *p = pixels + y * stride + x * 3;
        int noise = (int) (g_rand_int (rand) % 13) - 6;

        p[0] = (guchar) CLAMP (x * 200 / 4000 + 30 + noise, 0, 255);
        p[1] = (guchar) CLAMP (y * 200 / 3000 + 30 + noise, 0, 255);
        p[2] = (guchar) CLAMP ((x + y) * 150 / 7000 + 50 + noise, 0, 255);
      }
  for (int k = 0; k < n_photos; k++)
    {
      g_autoptr(GdkPixbuf) block = gdk_pixbuf_new_subpixbuf (base, 100 + (k % 10) * 300, 100 + (k / 10 % 8) * 300,
                                                             250, 250);
      g_autoptr(GError) error = NULL;
      char *path = g_strdup_printf ("%s/photo-%04d.jpg", dir, k);

      gdk_pixbuf_fill (block, ((guint32) (k * 2654435761u) & 0xffffff00) | 0xff);
      if (!gdk_pixbuf_save (base, path, "jpeg", &error, "quality", "90", NULL))
        g_error ("cannot write %s: %s", path, error->message);
      g_ptr_array_add (paths, path);
      if (k % 20 == 19)
        g_printerr ("  %d/%d photos written\n", k + 1, n_photos);
    }
  g_printerr ("  %d photos of 12 MP in %.0f s\n", n_photos, (g_get_monotonic_time () - start) / 1e6);
  return paths;
}

/* ---- reading the server's log ------------------------------------------- */

typedef struct {
  double   seconds;       /* first arrival to last image delivered */
  guint    requests;
  guint    delivered;
  guint    rate_limited;
  guint    max_per_minute;
  guint    max_in_flight;
} Outcome;

static Outcome
read_outcome (LwFakeGemini *server)
{
  g_autoptr(GPtrArray) log = lw_fake_gemini_dup_log (server);
  Outcome o = { 0 };
  gint64 first = G_MAXINT64, last = 0;

  for (guint i = 0; i < log->len; i++)
    {
      LwFakeLogEntry *e = g_ptr_array_index (log, i);
      guint in_window = 0;

      first = MIN (first, e->t_ms);
      if (e->delivered)
        last = MAX (last, e->t_ms + e->latency_ms);
      if (e->status == 429)
        o.rate_limited++;
      /* Arrivals in the 60 s starting at this one. */
      for (guint j = i; j < log->len; j++)
        if (((LwFakeLogEntry *) g_ptr_array_index (log, j))->t_ms < e->t_ms + 60000)
          in_window++;
      o.max_per_minute = MAX (o.max_per_minute, in_window);
    }
  o.requests = log->len;
  o.delivered = lw_fake_gemini_get_n_delivered (server);
  o.max_in_flight = lw_fake_gemini_get_max_in_flight (server);
  o.seconds = log->len > 0 ? (last - first) / 1000.0 : 0;
  return o;
}

static double
ideal_rate (int concurrency)
{
  return MIN (concurrency / (mean_ms / 1000.0), rpm / 60.0);
}

/* ---- lightwork-cli ------------------------------------------------------ */

static gboolean
run_cli (const char *photos_dir, const char *data_dir, const char *base_url, int concurrency,
         long *max_rss_kb, double *wall_s, int *exit_code)
{
  g_autofree char *c_text = g_strdup_printf ("%d", concurrency);
  g_autofree char *rpm_text = g_strdup_printf ("%d", rpm);
  g_autofree char *log_path = g_strdup_printf ("%s/cli.jsonl", data_dir);
  gint64 start = g_get_monotonic_time ();
  struct rusage usage;
  int status;
  pid_t pid;

  g_mkdir_with_parents (data_dir, 0700);
  pid = fork ();
  if (pid < 0)
    g_error ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      FILE *out = freopen (log_path, "w", stdout);

      (void) out;
      g_setenv ("LIGHTWORK_DATA_DIR", data_dir, TRUE);
      g_setenv ("GEMINI_API_KEY", KEY, TRUE);
      g_setenv ("LIGHTWORK_GEMINI_BASE_URL", base_url, TRUE);
      execl (LIGHTWORK_CLI_PATH, "lightwork-cli", "process", photos_dir, "--model", "nano_banana",
             "--concurrency", c_text, "--rpm", rpm_text, "--json", (char *) NULL);
      _exit (127);
    }
  if (wait4 (pid, &status, 0, &usage) < 0)
    g_error ("wait4: %s", g_strerror (errno));
  *wall_s = (g_get_monotonic_time () - start) / 1e6;
  *max_rss_kb = usage.ru_maxrss;   /* KiB on Linux */
  *exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  return *exit_code == 0;
}

/* ---- the V4 loop -------------------------------------------------------- */

typedef struct {
  GMainLoop  *loop;
  LwEngine   *engine;
  GQueue      todo;       /* paths */
  guint       outstanding;
  guint       done;
  guint       total;
  int         batch;
} V4;

static void v4_pulse (V4 *v);

static void
v4_done_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  LwEngineRequest *request = data;
  V4 *v = g_object_get_data (source, "v4");
  g_autoptr(GError) error = NULL;
  g_autoptr(LwEngineResult) result = lw_engine_process_finish (LW_ENGINE (source), res, &error);

  if (result != NULL)
    v->done++;
  else
    g_queue_push_tail (&v->todo, g_strdup (request->input_path));   /* tried again in a later pulse */
  lw_engine_request_unref (request);
  if (--v->outstanding == 0)
    v4_pulse (v);   /* Promise.allSettled: the next pulse once the whole batch settled */
}

static void
v4_pulse (V4 *v)
{
  if (v->done == v->total)
    {
      g_main_loop_quit (v->loop);
      return;
    }
  for (int i = 0; i < v->batch && !g_queue_is_empty (&v->todo); i++)
    {
      g_autofree char *path = g_queue_pop_head (&v->todo);
      LwEngineRequest *request = lw_engine_request_new ();
      LwImageInfo info;

      g_assert_true (lw_image_probe (path, &LW_IMAGE_LIMITS_DEFAULT, &info, NULL));
      request->model = g_strdup ("nano_banana");
      request->input_path = g_strdup (path);
      request->input_mime = g_strdup (info.mime);
      request->width = info.width;
      request->height = info.height;
      request->orientation = info.orientation;
      request->prompt = g_strdup ("Brighten the photo.");
      v->outstanding++;
      lw_engine_process_async (v->engine, request, NULL, v4_done_cb, request);
    }
}

static double
run_v4 (GPtrArray *paths, const char *base_url, int concurrency)
{
  g_autoptr(LwGeminiConfig) config = lw_gemini_config_new_default ();
  g_autoptr(LwGeminiEngine) engine = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  V4 v = { loop, NULL, G_QUEUE_INIT, 0, 0, paths->len, concurrency };
  gint64 start;

  g_free (config->base_url);
  config->base_url = g_strdup (base_url);
  engine = lw_gemini_engine_new (config, KEY, &error);
  g_assert_no_error (error);
  v.engine = LW_ENGINE (engine);
  g_object_set_data (G_OBJECT (engine), "v4", &v);
  for (guint i = 0; i < paths->len; i++)
    g_queue_push_tail (&v.todo, g_strdup (g_ptr_array_index (paths, i)));
  start = g_get_monotonic_time ();
  v4_pulse (&v);
  g_main_loop_run (loop);
  g_queue_clear_full (&v.todo, g_free);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* ---- main --------------------------------------------------------------- */

int
main (int argc, char *argv[])
{
  const GOptionEntry entries[] = {
    { "photos", 0, 0, G_OPTION_ARG_INT, &n_photos, "Photos per run (default 200)", "N" },
    { "mean-ms", 0, 0, G_OPTION_ARG_DOUBLE, &mean_ms, "Mean latency of the fake (default 1000)", "MS" },
    { "sigma", 0, 0, G_OPTION_ARG_DOUBLE, &sigma, "σ of the log-normal latency (default 0.5)", "S" },
    { "rpm", 0, 0, G_OPTION_ARG_INT, &rpm, "The fake's quota and the CLI's --rpm (default 60)", "N" },
    { "levels", 0, 0, G_OPTION_ARG_STRING, &levels_text, "Concurrency levels (default 2,4,8)", "LIST" },
    { "no-v4", 0, 0, G_OPTION_ARG_NONE, &no_v4, "Skip the V4 loop", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— lightwork-cli against the fake Gemini server");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) photos = NULL;
  g_auto(GStrv) levels = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *photos_dir = NULL;
  g_autofree char *base_url = NULL;
  LwFakeGemini *server;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-gemini: %s\n", error->message);
      return 1;
    }
  levels = g_strsplit (levels_text != NULL ? levels_text : "2,4,8", ",", -1);

  dir = lw_test_make_tmpdir ("lw-bench-gemini");
  photos_dir = g_build_filename (dir, "photos", NULL);
  g_mkdir_with_parents (photos_dir, 0755);
  g_printerr ("Writing %d photos of 12 MP...\n", n_photos);
  photos = make_photos (photos_dir);

  server = lw_fake_gemini_new ();
  lw_fake_gemini_set_key (server, KEY);
  lw_fake_gemini_set_latency (server, mean_ms, sigma);
  lw_fake_gemini_set_rpm (server, rpm);
  if (!lw_fake_gemini_start (server, 0, &error))
    g_error ("fake server: %s", error->message);
  base_url = lw_fake_gemini_dup_base_url (server);

  printf ("bench-gemini: %d photos of 12 MP, fake latency log-normal mean %.0f ms σ %.2f, quota %d/min\n\n",
          n_photos, mean_ms, sigma, rpm);
  printf ("%-6s %9s %9s %6s %9s %7s %6s %9s %8s %9s\n", "conc.", "photos/s", "ideal/s", "ratio", "requests",
          "wasted", "429s", "max/60s", "in-flight", "peak RSS");
  fflush (stdout);
  for (guint i = 0; levels[i] != NULL; i++)
    {
      int c = (int) g_ascii_strtoll (levels[i], NULL, 10);
      g_autofree char *data_dir = g_strdup_printf ("%s/data-c%d", dir, c);
      long rss_kb = 0;
      double wall = 0;
      int exit_code = 0;
      Outcome o;

      lw_fake_gemini_reset_stats (server);
      g_printerr ("lightwork-cli at concurrency %d...\n", c);
      run_cli (photos_dir, data_dir, base_url, c, &rss_kb, &wall, &exit_code);
      o = read_outcome (server);
      printf ("%-6d %9.3f %9.3f %6.2f %9u %7u %6u %9u %8u %6.0f MB%s\n", c, o.delivered / MAX (o.seconds, 1e-9),
              ideal_rate (c), o.delivered / MAX (o.seconds, 1e-9) / ideal_rate (c), o.requests,
              o.requests - MIN (o.requests, (guint) n_photos), o.rate_limited, o.max_per_minute, o.max_in_flight,
              rss_kb / 1024.0, exit_code == 0 && o.delivered == (guint) n_photos ? "" : "  (INCOMPLETE)");
      printf ("       wall %.1f s (staging %d photos included), exit %d\n", wall, n_photos, exit_code);
      fflush (stdout);
    }

  if (!no_v4)
    {
      printf ("\nThe V4 loop (send C, wait for all, repeat; no quota awareness), same engine and server:\n");
      printf ("%-6s %9s %9s %6s %9s %7s %6s %9s\n", "conc.", "photos/s", "ideal/s", "ratio", "requests", "wasted",
              "429s", "max/60s");
      for (guint i = 0; levels[i] != NULL; i++)
        {
          int c = (int) g_ascii_strtoll (levels[i], NULL, 10);
          Outcome o;

          lw_fake_gemini_reset_stats (server);
          g_printerr ("V4 loop at concurrency %d...\n", c);
          run_v4 (photos, base_url, c);
          o = read_outcome (server);
          printf ("%-6d %9.3f %9.3f %6.2f %9u %7u %6u %9u\n", c, o.delivered / MAX (o.seconds, 1e-9), ideal_rate (c),
                  o.delivered / MAX (o.seconds, 1e-9) / ideal_rate (c), o.requests,
                  o.requests - MIN (o.requests, (guint) n_photos), o.rate_limited, o.max_per_minute);
          fflush (stdout);
        }
    }

  lw_fake_gemini_free (server);
  lw_test_rmtree (dir);
  return 0;
}

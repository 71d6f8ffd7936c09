/* lw-fake-gemini.c — the fake Gemini API as a program.
 *
 *   lw-fake-gemini [--port N] [--key KEY] [--latency-mean-ms MS --latency-sigma S]
 *                  [--rate FAULT=R ...] [--rpm N] [--retry-delay-ms MS] [--seed N]
 *                  [--batch-entry-failure-rate R] [--batch-polls N]
 *                  [--model ID[:thinking][:sized] ...] [--snake-case]
 *
 * Prints "PORT <n>" on stdout once it listens on 127.0.0.1, then serves
 * until SIGINT or SIGTERM. Faults: 429 500 502 503 504 hang drop truncated
 * safety-prompt safety-image text-only quota-day quota-zero bad-key.
 * GET /_fake/stats answers the request log and counts as JSON.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib-unix.h>

#include "lw-fake-gemini-server.h"

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) rates = NULL;
  g_auto(GStrv) models = NULL;
  g_autofree char *key = NULL;
  double latency_mean = 0, latency_sigma = 0;
  int port = 0, rpm = 0, seed = 1, batch_polls = 1;
  double batch_failures = 0;
  gint64 retry_delay = -1;
  gboolean snake_case = FALSE;
  LwFakeGemini *server;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0: any free one)", "N" },
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, "The API key it accepts (default fake-key)", "KEY" },
    { "latency-mean-ms", 0, 0, G_OPTION_ARG_DOUBLE, &latency_mean, "Mean latency of an answer", "MS" },
    { "latency-sigma", 0, 0, G_OPTION_ARG_DOUBLE, &latency_sigma, "σ of the log-normal latency (0: fixed)", "S" },
    { "rate", 0, 0, G_OPTION_ARG_STRING_ARRAY, &rates, "Rate of a fault per request, e.g. 429=0.05", "FAULT=R" },
    { "rpm", 0, 0, G_OPTION_ARG_INT, &rpm, "Requests per minute admitted (0: no limit)", "N" },
    { "retry-delay-ms", 0, 0, G_OPTION_ARG_INT64, &retry_delay, "RetryInfo delay of fault 429s", "MS" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed of the random draws", "N" },
    { "model", 0, 0, G_OPTION_ARG_STRING_ARRAY, &models,
      "Known image model (replaces the defaults); :thinking adds thought parts, :sized takes imageSize",
      "ID[:thinking][:sized]" },
    { "snake-case", 0, 0, G_OPTION_ARG_NONE, &snake_case, "Answer inline_data/mime_type", NULL },
    { "batch-entry-failure-rate", 0, 0, G_OPTION_ARG_DOUBLE, &batch_failures,
      "Rate of batch entries answered with an error status", "R" },
    { "batch-polls", 0, 0, G_OPTION_ARG_INT, &batch_polls,
      "Gets a batch answers PENDING, then as many RUNNING, before it ends (default 1)", "N" },
    { NULL },
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("— a fake Gemini API for tests and benchmarks");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("lw-fake-gemini: %s\n", error->message);
      return 1;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("lw-fake-gemini: bad port %d\n", port);
      return 1;
    }

  server = lw_fake_gemini_new ();
  if (key != NULL)
    lw_fake_gemini_set_key (server, key);
  lw_fake_gemini_set_latency (server, latency_mean, latency_sigma);
  lw_fake_gemini_set_rpm (server, rpm);
  lw_fake_gemini_set_seed (server, (guint32) seed);
  lw_fake_gemini_set_snake_case (server, snake_case);
  lw_fake_gemini_set_batch_entry_failure_rate (server, batch_failures);
  lw_fake_gemini_set_batch_polls (server, (guint) MAX (batch_polls, 0), (guint) MAX (batch_polls, 0));
  if (retry_delay >= 0)
    lw_fake_gemini_set_retry_delay (server, retry_delay);
  for (guint i = 0; rates != NULL && rates[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (rates[i], "=", 2);
      LwFakeFault fault;

      if (pair[0] == NULL || pair[1] == NULL || !lw_fake_fault_from_string (pair[0], &fault))
        {
          g_printerr ("lw-fake-gemini: bad --rate %s\n", rates[i]);
          lw_fake_gemini_free (server);
          return 1;
        }
      lw_fake_gemini_set_fault_rate (server, fault, g_ascii_strtod (pair[1], NULL));
    }
  if (models != NULL && models[0] != NULL)
    {
      lw_fake_gemini_clear_models (server);
      for (guint i = 0; models[i] != NULL; i++)
        {
          g_auto(GStrv) parts = g_strsplit (models[i], ":", -1);

          lw_fake_gemini_add_model (server, parts[0], parts[0],
                                    g_strv_contains ((const char * const *) parts, "thinking"),
                                    g_strv_contains ((const char * const *) parts, "sized"));
        }
    }

  if (!lw_fake_gemini_start (server, (guint16) port, &error))
    {
      g_printerr ("lw-fake-gemini: %s\n", error->message);
      lw_fake_gemini_free (server);
      return 1;
    }
  printf ("PORT %u\n", lw_fake_gemini_get_port (server));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  lw_fake_gemini_free (server);
  return 0;
}

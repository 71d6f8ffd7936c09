/* lw-cli-economy.c — economy mode in lightwork-cli: `process --economy`
 * sets it; `status` and `jobs --json` show the job's batches
 * (docs/ARCHITECTURE.md, "Economy"). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-cli-private.h"
#include "lw-jobs.h"

gboolean
lw_cli_economy_set_mode (LwJobs *jobs, gint64 job_id, gboolean economy)
{
  g_autoptr(GError) error = NULL;

  if (lw_jobs_set_mode (jobs, job_id, economy ? LW_JOB_MODE_ECONOMY : LW_JOB_MODE_FAST, &error))
    return TRUE;
  lw_cli_fail (error);
  return FALSE;
}

/* --live: the user's consent to pay the full price for the photos Google's
 * batches failed (lw_jobs_move_to_live), said with the price. */
gboolean
lw_cli_economy_move_to_live (LwJobs *jobs, gint64 job_id, gboolean json)
{
  g_autoptr(GError) error = NULL;
  double price = lw_jobs_get_live_price (jobs, job_id);
  int n = lw_jobs_move_to_live (jobs, job_id, &error);

  if (n < 0)
    {
      lw_cli_fail (error);
      return FALSE;
    }
  if (!json)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "%d photo the batches failed goes live, at the full price ($%.3f).\n",
                             "%d photos the batches failed go live, at the full price ($%.3f each).\n", n),
                n, price);
  return TRUE;
}

/* "2 running, 1 done" — how many of the job's batches are in each state. */
static char *
describe_batches (GPtrArray *batches)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < batches->len; i++)
    {
      LwBatchRecord *batch = g_ptr_array_index (batches, i);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, batch->state));

      if (n == 0)
        g_ptr_array_add (order, batch->state);
      g_hash_table_insert (counts, batch->state, GUINT_TO_POINTER (n + 1));
    }
  for (guint i = 0; i < order->len; i++)
    g_string_append_printf (text, "%s%u %s", i > 0 ? ", " : "",
                            GPOINTER_TO_UINT (g_hash_table_lookup (counts, order->pdata[i])),
                            (const char *) order->pdata[i]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

void
lw_cli_economy_print_status (LwJobs *jobs, gint64 job_id)
{
  g_autoptr(GPtrArray) batches = NULL;
  g_autofree char *states = NULL;

  if (lw_jobs_get_mode (jobs, job_id) != LW_JOB_MODE_ECONOMY)
    return;
  batches = lw_jobs_list_batches (jobs, job_id, NULL);
  g_print (_("  economy mode (Google’s Batch API, half price): $%.4f a photo\n"), lw_jobs_get_price (jobs, job_id));
  if (batches == NULL || batches->len == 0)
    return;
  states = describe_batches (batches);
  g_print (ngettext ("  %u batch: %s\n", "  %u batches: %s\n", batches->len), batches->len, states);
}

void
lw_cli_economy_add_json (JsonBuilder *b, LwJobs *jobs, gint64 job_id)
{
  g_autoptr(GPtrArray) batches = lw_jobs_list_batches (jobs, job_id, NULL);
  gboolean economy = lw_jobs_get_mode (jobs, job_id) == LW_JOB_MODE_ECONOMY;

  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, economy ? "economy" : "fast");
  json_builder_set_member_name (b, "price");
  json_builder_add_double_value (b, lw_jobs_get_price (jobs, job_id));
  json_builder_set_member_name (b, "batches");
  json_builder_begin_array (b);
  for (guint i = 0; batches != NULL && i < batches->len; i++)
    {
      LwBatchRecord *batch = g_ptr_array_index (batches, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, batch->state);
      json_builder_set_member_name (b, "photos");
      json_builder_add_int_value (b, batch->n_images);
      json_builder_set_member_name (b, "attempt");
      json_builder_add_int_value (b, batch->attempt);
      json_builder_set_member_name (b, "submitted_at");
      json_builder_add_int_value (b, batch->submitted_at);
      json_builder_set_member_name (b, "polled_at");
      json_builder_add_int_value (b, batch->polled_at);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

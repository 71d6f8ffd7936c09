/* lw-fake-engine.c — an LwEngine for tests and benchmarks. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lw-fake-engine.h"

#define FAKE_MAGIC "LWFAKE1\n"

typedef struct {
  GArray *codes;   /* int */
  guint   next;
  gint64  retry_delay_ms;
} Script;

struct _LwFakeEngine
{
  GObject      parent_instance;
  LwClock     *clock;
  gint64       mean_ms;
  double       sigma;
  GRand       *rand;
  double       failure_rate;
  LwEngineErrorCode failure_code;
  GHashTable  *scripts;    /* suffix → Script */
  GHashTable  *calls;      /* image id → count */
  GHashTable  *prompts;    /* image id → char* */
  guint        n_calls;
  guint        n_success;
  guint        in_flight;
  guint        max_in_flight;
  double       cost;
  double       latency_sum;
};

static void lw_fake_engine_iface_init (LwEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LwFakeEngine, lw_fake_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LW_TYPE_ENGINE, lw_fake_engine_iface_init))

typedef struct {
  LwFakeEngine *self;
  GTask        *task;
  guint         timer;
  guint         cancel_idle;
  gulong        cancel_id;
  GCancellable *cancellable;
  GError       *error;      /* the answer, when it is a failure */
  GBytes       *result;
  char         *mime;
  gboolean      done;
} Call;

static void
script_free (Script *script)
{
  g_array_unref (script->codes);
  g_free (script);
}

static double
sample_latency (LwFakeEngine *self)
{
  double u1, u2, z, mu;

  if (self->mean_ms <= 0)
    return 0;
  if (self->sigma <= 0)
    return (double) self->mean_ms;
  /* Log-normal with the given mean: mu = ln(mean) - sigma²/2. */
  u1 = g_rand_double_range (self->rand, 1e-12, 1);   /* one draw: MAX () would draw twice */
  u2 = g_rand_double (self->rand);
  z = sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
  mu = log ((double) self->mean_ms) - self->sigma * self->sigma / 2.0;
  return exp (mu + self->sigma * z);
}

static GBytes *
transform (GBytes *input, gint64 image_id)
{
  gsize len = 0;
  const guint8 *in = g_bytes_get_data (input, &len);
  g_autofree char *header = g_strdup_printf (FAKE_MAGIC "%" G_GINT64_FORMAT "\n", image_id);
  gsize hlen = strlen (header);
  guint8 *out = g_malloc (hlen + len);

  memcpy (out, header, hlen);
  for (gsize i = 0; i < len; i++)
    out[hlen + i] = in[i] ^ 0x5A;
  return g_bytes_new_take (out, hlen + len);
}

gboolean
lw_fake_engine_check_result (GBytes *result, GBytes *original)
{
  gsize rlen = 0, olen = 0;
  const guint8 *r = g_bytes_get_data (result, &rlen);
  const guint8 *o = g_bytes_get_data (original, &olen);
  const guint8 *nl;
  gsize hlen;

  if (rlen < strlen (FAKE_MAGIC) || memcmp (r, FAKE_MAGIC, strlen (FAKE_MAGIC)) != 0)
    return FALSE;
  nl = memchr (r + strlen (FAKE_MAGIC), '\n', rlen - strlen (FAKE_MAGIC));
  if (nl == NULL)
    return FALSE;
  hlen = (gsize) (nl - r) + 1;
  if (rlen - hlen != olen)
    return FALSE;
  for (gsize i = 0; i < olen; i++)
    if ((r[hlen + i] ^ 0x5A) != o[i])
      return FALSE;
  return TRUE;
}

static void
call_finish (Call *call)
{
  LwFakeEngine *self = call->self;

  if (call->done)
    return;
  call->done = TRUE;
  self->in_flight--;
  if (call->cancel_id != 0)
    {
      g_cancellable_disconnect (call->cancellable, call->cancel_id);
      call->cancel_id = 0;
    }
  if (g_cancellable_is_cancelled (call->cancellable))
    g_task_return_new_error (call->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  else if (call->error != NULL)
    g_task_return_error (call->task, g_steal_pointer (&call->error));
  else
    {
      LwEngineResult *result = lw_engine_result_new (call->result, call->mime);

      self->n_success++;
      result->cost = self->cost;
      g_task_return_pointer (call->task, result, (GDestroyNotify) lw_engine_result_free);
    }
}

static void
call_free (Call *call)
{
  g_clear_handle_id (&call->cancel_idle, g_source_remove);
  g_clear_error (&call->error);
  g_clear_pointer (&call->result, g_bytes_unref);
  g_clear_object (&call->cancellable);
  g_free (call->mime);
  g_object_unref (call->task);
  g_free (call);
}

static gboolean
call_timer_cb (gpointer data)
{
  Call *call = data;

  call->timer = 0;
  call_finish (call);
  call_free (call);
  return G_SOURCE_REMOVE;
}

static gboolean
call_cancel_idle_cb (gpointer data)
{
  Call *call = data;

  call->cancel_idle = 0;
  lw_clock_clear_timer (call->self->clock, &call->timer);
  call_finish (call);
  call_free (call);
  return G_SOURCE_REMOVE;
}

static void
call_cancelled_cb (GCancellable *cancellable, gpointer data)
{
  Call *call = data;

  /* Not from inside the handler: disconnecting there would deadlock. At
   * default priority, not idle priority: a window redrawing every frame
   * (a slow build, a busy machine) would starve an idle forever. */
  if (call->cancel_idle == 0)
    call->cancel_idle = g_idle_add_full (G_PRIORITY_DEFAULT, call_cancel_idle_cb, call, NULL);
}

static const char *
lw_fake_engine_get_name (LwEngine *engine)
{
  return "fake";
}

static int
next_scripted_code (LwFakeEngine *self, const char *path, gint64 *delay_ms)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->scripts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Script *script = value;

      if (g_str_has_suffix (path, key) && script->next < script->codes->len)
        {
          *delay_ms = script->retry_delay_ms;
          return g_array_index (script->codes, int, script->next++);
        }
    }
  return -1;
}

static void
lw_fake_engine_process_async (LwEngine            *engine,
                              LwEngineRequest     *request,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  LwFakeEngine *self = LW_FAKE_ENGINE (engine);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  Call *call = g_new0 (Call, 1);
  guint *count;
  gint64 delay_ms = -1;
  int code;

  call->self = self;
  call->task = g_task_new (self, cancellable, callback, user_data);
  call->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  g_task_set_source_tag (call->task, lw_fake_engine_process_async);

  self->n_calls++;
  self->in_flight++;
  self->max_in_flight = MAX (self->max_in_flight, self->in_flight);
  count = g_hash_table_lookup (self->calls, &request->image_id);
  if (count == NULL)
    {
      gint64 *key = g_new (gint64, 1);
      *key = request->image_id;
      count = g_new0 (guint, 1);
      g_hash_table_insert (self->calls, key, count);
    }
  (*count)++;
  {
    gint64 *key = g_new (gint64, 1);
    *key = request->image_id;
    g_hash_table_replace (self->prompts, key, g_strdup (request->prompt));
  }

  code = next_scripted_code (self, request->original_name != NULL ? request->original_name : request->input_path,
                             &delay_ms);
  if (code < 0 && self->failure_rate > 0 && g_rand_double (self->rand) < self->failure_rate)
    code = (int) self->failure_code;

  if (code >= 0)
    call->error = lw_engine_error_new_with_delay ((LwEngineErrorCode) code,
                                                  code == LW_ENGINE_ERROR_RATE_LIMITED ? delay_ms : -1,
                                                  "fake failure %d", code);
  else if (!g_file_get_contents (request->input_path, &contents, &len, &error))
    call->error = g_error_new (LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT, "%s", error->message);
  else
    {
      g_autoptr(GBytes) input = g_bytes_new_take (g_steal_pointer (&contents), len);
      call->result = transform (input, request->image_id);
      call->mime = g_strdup (request->input_mime != NULL ? request->input_mime : "image/png");
    }

  if (cancellable != NULL)
    call->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (call_cancelled_cb), call, NULL);
  {
    gint64 latency = (gint64) sample_latency (self);

    self->latency_sum += (double) latency;
    call->timer = lw_clock_add_timer (self->clock, latency, call_timer_cb, call, NULL);
  }
}

static double
lw_fake_engine_get_cost (LwEngine *engine, const char *model)
{
  return LW_FAKE_ENGINE (engine)->cost;
}

static LwEngineResult *
lw_fake_engine_process_finish (LwEngine *engine, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lw_fake_engine_iface_init (LwEngineInterface *iface)
{
  iface->get_name = lw_fake_engine_get_name;
  iface->get_cost = lw_fake_engine_get_cost;
  iface->process_async = lw_fake_engine_process_async;
  iface->process_finish = lw_fake_engine_process_finish;
}

static void
lw_fake_engine_finalize (GObject *object)
{
  LwFakeEngine *self = LW_FAKE_ENGINE (object);

  g_clear_object (&self->clock);
  g_rand_free (self->rand);
  g_hash_table_destroy (self->scripts);
  g_hash_table_destroy (self->calls);
  g_hash_table_destroy (self->prompts);
  G_OBJECT_CLASS (lw_fake_engine_parent_class)->finalize (object);
}

static void
lw_fake_engine_class_init (LwFakeEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lw_fake_engine_finalize;
}

static void
lw_fake_engine_init (LwFakeEngine *self)
{
  self->rand = g_rand_new_with_seed (42);
  self->failure_code = LW_ENGINE_ERROR_SERVER;
  self->scripts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) script_free);
  self->calls = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->prompts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

LwFakeEngine *
lw_fake_engine_new (LwClock *clock)
{
  LwFakeEngine *self = g_object_new (LW_TYPE_FAKE_ENGINE, NULL);

  self->clock = g_object_ref (clock);
  return self;
}

void
lw_fake_engine_set_latency (LwFakeEngine *self, gint64 mean_ms, double sigma)
{
  self->mean_ms = mean_ms;
  self->sigma = sigma;
}

void
lw_fake_engine_set_seed (LwFakeEngine *self, guint32 seed)
{
  g_rand_set_seed (self->rand, seed);
}

void
lw_fake_engine_set_failure_rate (LwFakeEngine *self, double rate, LwEngineErrorCode code)
{
  self->failure_rate = rate;
  self->failure_code = code;
}

void
lw_fake_engine_script (LwFakeEngine *self, const char *suffix, const int *codes, guint n_codes,
                       gint64 retry_delay_ms)
{
  Script *script = g_new0 (Script, 1);

  script->codes = g_array_sized_new (FALSE, FALSE, sizeof (int), n_codes);
  g_array_append_vals (script->codes, codes, n_codes);
  script->retry_delay_ms = retry_delay_ms;
  g_hash_table_replace (self->scripts, g_strdup (suffix), script);
}

double
lw_fake_engine_get_mean_latency (LwFakeEngine *self)
{
  return self->n_calls > 0 ? self->latency_sum / self->n_calls : 0;
}

void
lw_fake_engine_set_cost (LwFakeEngine *self, double cost)
{
  self->cost = cost;
}

guint
lw_fake_engine_get_calls_for (LwFakeEngine *self, gint64 image_id)
{
  guint *count = g_hash_table_lookup (self->calls, &image_id);

  return count != NULL ? *count : 0;
}

guint
lw_fake_engine_get_n_calls (LwFakeEngine *self)
{
  return self->n_calls;
}

guint
lw_fake_engine_get_n_success (LwFakeEngine *self)
{
  return self->n_success;
}

guint
lw_fake_engine_get_in_flight (LwFakeEngine *self)
{
  return self->in_flight;
}

guint
lw_fake_engine_get_max_in_flight (LwFakeEngine *self)
{
  return self->max_in_flight;
}

const char *
lw_fake_engine_get_prompt_for (LwFakeEngine *self, gint64 image_id)
{
  return g_hash_table_lookup (self->prompts, &image_id);
}

/* lw-fake-gemini-server.c — a fake Gemini API on 127.0.0.1.
 *
 * The request is checked in the handler (on the server thread); the image
 * work (decode, mirror, invert, PNG) runs in a worker thread; latency is a
 * paused message and a timeout on the server's context.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "lw-fake-gemini-private.h"
#include "lw-fake-gemini-server.h"

#define SHA256_TEXT_KEY "lw-input-sha256"
#define STATS_PATH      "/_fake/stats"
#define MODELS_PREFIX   "/v1beta/models"
#define JSON_TYPE       "application/json; charset=UTF-8"

/* The API's words for a request without a key (403) and with a wrong one (400). */
#define NO_KEY_MESSAGE  "Method doesn't allow unregistered callers (callers without established identity). " \
                        "Please use API Key or other form of API consumer identity to call this API."
#define BAD_KEY_MESSAGE "API key not valid. Please pass a valid API key."
/* … and for the quotas (the real API prefixes its host; the fake names a
 * reserved .test one, so no test data points at Google). */
#define PAID_TIER_METRIC "generativelanguage.api.test/generate_content_paid_tier_requests"
#define FREE_TIER_METRIC "generativelanguage.api.test/generate_content_free_tier_requests"
#define QUOTA_EXCEEDED_MESSAGE "You exceeded your current quota, please check your plan and billing details. " \
                               "For more information on this error, head to: " \
                               "https://ai.google.dev/gemini-api/docs/rate-limits."

typedef struct {
  char     *id;
  char     *display_name;
  gboolean  thinking;
  gboolean  takes_image_size;
  gboolean  generates_images;   /* FALSE: listed only (a text or Imagen model) */
  gboolean  generate_content;
} FakeModel;

typedef struct {
  guint requests;
  guint delivered;
} PhotoStats;

struct _LwFakeGemini
{
  GMutex        lock;          /* guards everything below up to "server thread only" */

  char         *key;
  GPtrArray    *models;        /* FakeModel */
  double        latency_mean_ms;
  double        latency_sigma;
  double        rates[LW_FAKE_N_FAULTS];
  GQueue        script;        /* GINT_TO_POINTER (fault + 1) */
  GHashTable   *photo_scripts; /* sha256 → GQueue of GINT_TO_POINTER (fault + 1) */
  int           rpm;
  gint64        retry_delay_ms;
  GRand        *rand;
  gboolean      snake_case;

  GQueue        admitted;      /* monotonic ms of requests admitted under the RPM quota */
  GHashTable   *photos;        /* sha256 → PhotoStats */
  GPtrArray    *log;           /* LwFakeLogEntry */
  GHashTable   *statuses;      /* status → count */
  guint         n_requests;
  guint         n_delivered;
  guint         in_flight;
  guint         max_in_flight;
  gint64        started_us;

  /* Start/stop handshake. */
  GMutex        run_lock;
  GCond         run_cond;
  gboolean      running;
  GError       *start_error;
  guint16       wanted_port;
  guint16       port;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;

  LwFakeBatches *batches;     /* the Files and Batch APIs (lw-fake-gemini-batch.c) */

  /* server thread only */
  SoupServer   *server;
  GHashTable   *pending;       /* Req → Req (paused or stolen, not answered yet) */
  GHashTable   *sockets;       /* GSocket of every connection seen, closed at stop */
};

typedef struct {
  LwFakeGemini      *self;
  SoupServerMessage *msg;
  GIOStream         *stolen;   /* DROP: the connection, taken from libsoup */
  guint              log_index;
  char              *model_id;
  gboolean           thinking;
  LwFakeFault        fault;
  GBytes            *input;    /* decoded inlineData */
  GPtrArray         *texts;    /* char *: the text parts, in order (NULL until one is seen) */
  char              *input_mime;
  char              *sha256;
  char              *image_size;
  char              *aspect_ratio;   /* imageConfig.aspectRatio, "W:H" */
  gboolean           want_image;
  gint64             latency_ms;
  GSource           *timer;
  /* the answer */
  guint              status;
  char              *content_type;
  GBytes            *body;
  gboolean           delivered;
} Req;

static void
fake_model_free (FakeModel *model)
{
  g_free (model->id);
  g_free (model->display_name);
  g_free (model);
}

void
lw_fake_log_entry_free (LwFakeLogEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->model);
  g_free (entry->sha256);
  g_free (entry->aspect_ratio);
  g_free (entry->image_size);
  g_strfreev (entry->texts);
  g_free (entry);
}

static LwFakeLogEntry *
log_entry_copy (const LwFakeLogEntry *entry)
{
  LwFakeLogEntry *copy = g_memdup2 (entry, sizeof *entry);

  copy->model = g_strdup (entry->model);
  copy->sha256 = g_strdup (entry->sha256);
  copy->aspect_ratio = g_strdup (entry->aspect_ratio);
  copy->image_size = g_strdup (entry->image_size);
  copy->texts = g_strdupv (entry->texts);
  return copy;
}

static const char * const fault_names[LW_FAKE_N_FAULTS] = {
  "none", "429", "500", "502", "503", "504", "hang", "drop", "truncated",
  "safety-prompt", "safety-image", "text-only", "quota-day", "quota-zero", "bad-key",
};

const char *
lw_fake_fault_to_string (LwFakeFault fault)
{
  return fault < LW_FAKE_N_FAULTS ? fault_names[fault] : "?";
}

gboolean
lw_fake_fault_from_string (const char  *name,
                           LwFakeFault *fault)
{
  for (guint i = 0; i < LW_FAKE_N_FAULTS; i++)
    if (g_strcmp0 (name, fault_names[i]) == 0)
      {
        *fault = (LwFakeFault) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- JSON ----------------------------------------------------------------- */

/* One member of the object being built: "name": value. */
static void
add_int_member (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_string_member (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_bool_member (JsonBuilder *b, const char *name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

/* What b built, as compact text (length in *len when asked). */
static char *
json_to_text (JsonBuilder *b, gsize *len)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, len);
}

/* ---- construction and knobs --------------------------------------------- */

LwFakeGemini *
lw_fake_gemini_new (void)
{
  LwFakeGemini *self = g_new0 (LwFakeGemini, 1);

  g_mutex_init (&self->lock);
  g_mutex_init (&self->run_lock);
  g_cond_init (&self->run_cond);
  g_queue_init (&self->script);
  g_queue_init (&self->admitted);
  self->key = g_strdup ("fake-key");
  self->models = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_model_free);
  self->rand = g_rand_new_with_seed (1);
  self->retry_delay_ms = 2000;
  self->photos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->log = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_fake_log_entry_free);
  self->statuses = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->photo_scripts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_queue_free);
  self->started_us = g_get_monotonic_time ();
  self->batches = lw_fake_batches_new ();

  lw_fake_gemini_add_model (self, "gemini-nano-banana-2.1", "Nano Banana 2.1", FALSE, FALSE);
  lw_fake_gemini_add_model (self, "gemini-3-pro-image", "Nano Banana Pro", TRUE, TRUE);
  /* Listed but not ours: a text model, and Imagen (which answers :predict). */
  {
    FakeModel *text = g_new0 (FakeModel, 1);
    FakeModel *imagen = g_new0 (FakeModel, 1);

    text->id = g_strdup ("gemini-3.5-flash");
    text->display_name = g_strdup ("Gemini 3.5 Flash");
    text->generate_content = TRUE;
    imagen->id = g_strdup ("imagen-4.0-generate-001");
    imagen->display_name = g_strdup ("Imagen 4");
    g_ptr_array_add (self->models, text);
    g_ptr_array_add (self->models, imagen);
  }
  return self;
}

void
lw_fake_gemini_free (LwFakeGemini *self)
{
  if (self == NULL)
    return;
  if (self->thread != NULL)
    lw_fake_gemini_stop (self);
  /* First: it waits for batches still being answered, which read the rest. */
  lw_fake_batches_free (self->batches);
  g_free (self->key);
  g_ptr_array_unref (self->models);
  g_rand_free (self->rand);
  g_queue_clear (&self->script);
  g_queue_clear (&self->admitted);
  g_hash_table_unref (self->photos);
  g_ptr_array_unref (self->log);
  g_hash_table_unref (self->statuses);
  g_hash_table_unref (self->photo_scripts);
  g_clear_error (&self->start_error);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->run_lock);
  g_cond_clear (&self->run_cond);
  g_free (self);
}

void
lw_fake_gemini_set_key (LwFakeGemini *self, const char *key)
{
  g_mutex_lock (&self->lock);
  g_free (self->key);
  self->key = g_strdup (key);
  g_mutex_unlock (&self->lock);
}

void
lw_fake_gemini_clear_models (LwFakeGemini *self)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_set_size (self->models, 0);
  g_mutex_unlock (&self->lock);
}

void
lw_fake_gemini_add_model (LwFakeGemini *self,
                          const char   *id,
                          const char   *display_name,
                          gboolean      thinking,
                          gboolean      takes_image_size)
{
  FakeModel *model = g_new0 (FakeModel, 1);

  model->id = g_strdup (id);
  model->display_name = g_strdup (display_name != NULL ? display_name : id);
  model->thinking = thinking;
  model->takes_image_size = takes_image_size;
  model->generates_images = TRUE;
  model->generate_content = TRUE;
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->models, model);
  g_mutex_unlock (&self->lock);
}

void
lw_fake_gemini_set_latency (LwFakeGemini *self, double mean_ms, double sigma)
{
  g_mutex_lock (&self->lock);
  self->latency_mean_ms = MAX (0, mean_ms);
  self->latency_sigma = MAX (0, sigma);
  g_mutex_unlock (&self->lock);
}

void
lw_fake_gemini_set_fault_rate (LwFakeGemini *self, LwFakeFault fault, double rate)
{
  g_return_if_fail (fault < LW_FAKE_N_FAULTS);
  g_mutex_lock (&self->lock);
  self->rates[fault] = CLAMP (rate, 0, 1);
  g_mutex_unlock (&self->lock);
}

void
lw_fake_gemini_push_faults (LwFakeGemini *self, const LwFakeFault *faults, guint n_faults)
{
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < n_faults; i++)
    g_queue_push_tail (&self->script, GINT_TO_POINTER ((int) faults[i] + 1));
  g_mutex_unlock (&self->lock);
}

void
lw_fake_gemini_push_faults_for (LwFakeGemini      *self,
                                const char        *sha256,
                                const LwFakeFault *faults,
                                guint              n_faults)
{
  GQueue *queue;

  g_mutex_lock (&self->lock);
  queue = g_hash_table_lookup (self->photo_scripts, sha256);
  if (queue == NULL)
    {
      queue = g_queue_new ();
      g_hash_table_insert (self->photo_scripts, g_strdup (sha256), queue);
    }
  for (guint i = 0; i < n_faults; i++)
    g_queue_push_tail (queue, GINT_TO_POINTER ((int) faults[i] + 1));
  g_mutex_unlock (&self->lock);
}

void
lw_fake_gemini_set_rpm (LwFakeGemini *self, int rpm)
{
  g_mutex_lock (&self->lock);
  self->rpm = MAX (0, rpm);
  g_mutex_unlock (&self->lock);
}

void
lw_fake_gemini_set_retry_delay (LwFakeGemini *self, gint64 delay_ms)
{
  g_mutex_lock (&self->lock);
  self->retry_delay_ms = MAX (0, delay_ms);
  g_mutex_unlock (&self->lock);
}

void
lw_fake_gemini_set_seed (LwFakeGemini *self, guint32 seed)
{
  g_mutex_lock (&self->lock);
  g_rand_set_seed (self->rand, seed);
  g_mutex_unlock (&self->lock);
}

void
lw_fake_gemini_set_snake_case (LwFakeGemini *self, gboolean snake_case)
{
  g_mutex_lock (&self->lock);
  self->snake_case = snake_case;
  g_mutex_unlock (&self->lock);
}

/* ---- stats -------------------------------------------------------------- */

/* One of self's counters, read under the lock. */
static guint
read_counter (LwFakeGemini *self, const guint *counter)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = *counter;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
lw_fake_gemini_get_n_requests (LwFakeGemini *self)
{
  return read_counter (self, &self->n_requests);
}

guint
lw_fake_gemini_get_n_delivered (LwFakeGemini *self)
{
  return read_counter (self, &self->n_delivered);
}

guint
lw_fake_gemini_get_n_status (LwFakeGemini *self, guint status)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->statuses, GUINT_TO_POINTER (status)));
  g_mutex_unlock (&self->lock);
  return n;
}

/* The photo's requests, or its deliveries; 0 for a photo never seen. */
static guint
read_photo_count (LwFakeGemini *self, const char *sha256, gboolean delivered)
{
  PhotoStats *stats;
  guint n;

  g_mutex_lock (&self->lock);
  stats = sha256 != NULL ? g_hash_table_lookup (self->photos, sha256) : NULL;
  n = stats == NULL ? 0 : delivered ? stats->delivered : stats->requests;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
lw_fake_gemini_get_requests_for (LwFakeGemini *self, const char *sha256)
{
  return read_photo_count (self, sha256, FALSE);
}

guint
lw_fake_gemini_get_delivered_for (LwFakeGemini *self, const char *sha256)
{
  return read_photo_count (self, sha256, TRUE);
}

guint
lw_fake_gemini_get_in_flight (LwFakeGemini *self)
{
  return read_counter (self, &self->in_flight);
}

guint
lw_fake_gemini_get_max_in_flight (LwFakeGemini *self)
{
  return read_counter (self, &self->max_in_flight);
}

GPtrArray *
lw_fake_gemini_dup_log (LwFakeGemini *self)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_fake_log_entry_free);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->log->len; i++)
    g_ptr_array_add (copy, log_entry_copy (g_ptr_array_index (self->log, i)));
  g_mutex_unlock (&self->lock);
  return copy;
}

char **
lw_fake_gemini_dup_prompts_for (LwFakeGemini *self,
                                const char   *sha256)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **prompts;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->log->len; i++)
    {
      LwFakeLogEntry *entry = g_ptr_array_index (self->log, i);
      g_autofree char *joined = NULL;

      if (g_strcmp0 (entry->sha256, sha256) != 0)
        continue;
      joined = entry->texts != NULL ? g_strjoinv ("\x1e", entry->texts) : g_strdup ("");
      g_strv_builder_add (builder, joined);
    }
  g_mutex_unlock (&self->lock);
  prompts = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return prompts;
}

void
lw_fake_gemini_reset_stats (LwFakeGemini *self)
{
  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->photos);
  g_ptr_array_set_size (self->log, 0);
  g_hash_table_remove_all (self->statuses);
  g_queue_clear (&self->admitted);
  self->n_requests = 0;
  self->n_delivered = 0;
  self->max_in_flight = self->in_flight;
  g_mutex_unlock (&self->lock);
}

char *
lw_fake_gemini_dup_stats_json (LwFakeGemini *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_mutex_lock (&self->lock);
  json_builder_begin_object (b);
  add_int_member (b, "requests", self->n_requests);
  add_int_member (b, "delivered", self->n_delivered);
  add_int_member (b, "in_flight", self->in_flight);
  add_int_member (b, "max_in_flight", self->max_in_flight);
  /* The Batch and Files APIs' counts (their lock is taken inside ours). */
  add_int_member (b, "batches", lw_fake_gemini_get_n_batches (self));
  add_int_member (b, "batch_cancels", lw_fake_gemini_get_n_batch_cancels (self));
  add_int_member (b, "batch_http", lw_fake_gemini_get_n_batch_http (self));
  add_int_member (b, "uploads", lw_fake_gemini_get_n_uploads (self));
  add_int_member (b, "downloads", lw_fake_gemini_get_n_downloads (self));
  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, self->statuses);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *name = g_strdup_printf ("%u", GPOINTER_TO_UINT (key));

      add_int_member (b, name, GPOINTER_TO_UINT (value));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "photos");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, self->photos);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      PhotoStats *stats = value;

      json_builder_set_member_name (b, key);
      json_builder_begin_object (b);
      add_int_member (b, "requests", stats->requests);
      add_int_member (b, "delivered", stats->delivered);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "log");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->log->len; i++)
    {
      LwFakeLogEntry *entry = g_ptr_array_index (self->log, i);

      json_builder_begin_object (b);
      add_int_member (b, "t_ms", entry->t_ms);
      add_string_member (b, "model", entry->model);
      add_string_member (b, "sha256", entry->sha256);
      add_int_member (b, "status", entry->status);
      add_string_member (b, "fault", lw_fake_fault_to_string (entry->fault));
      add_bool_member (b, "delivered", entry->delivered);
      add_bool_member (b, "chunked", entry->chunked);
      add_string_member (b, "aspect_ratio", entry->aspect_ratio);
      add_string_member (b, "image_size", entry->image_size);
      add_int_member (b, "body_bytes", (gint64) entry->body_bytes);
      add_int_member (b, "latency_ms", entry->latency_ms);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_mutex_unlock (&self->lock);

  return json_to_text (b, NULL);
}

char *
lw_fake_gemini_result_sha256 (GBytes *png)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("png", NULL);
  GdkPixbuf *pixbuf;
  const char *value;
  gsize len = 0;
  const guchar *data = g_bytes_get_data (png, &len);

  if (loader == NULL || !gdk_pixbuf_loader_write (loader, data, len, NULL))
    {
      if (loader != NULL)
        gdk_pixbuf_loader_close (loader, NULL);
      return NULL;
    }
  if (!gdk_pixbuf_loader_close (loader, NULL))
    return NULL;
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  value = pixbuf != NULL ? gdk_pixbuf_get_option (pixbuf, "tEXt::" SHA256_TEXT_KEY) : NULL;
  return g_strdup (value);
}

/* ---- answers ------------------------------------------------------------ */

static GBytes *
json_to_bytes (JsonBuilder *b)
{
  gsize len = 0;
  char *data = json_to_text (b, &len);

  return g_bytes_new_take (data, len);
}

/* {"error": {"code", "message", "status", "details": [...]}} — details is
 * a JSON array text (may be NULL). */
static GBytes *
error_body (guint code, const char *status, const char *message, const char *details_json)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  add_int_member (b, "code", code);
  add_string_member (b, "message", message);
  add_string_member (b, "status", status);
  if (details_json != NULL)
    {
      json_builder_set_member_name (b, "details");
      json_builder_add_value (b, json_from_string (details_json, NULL));
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_to_bytes (b);
}

static void
req_set_answer (Req *req, guint status, const char *content_type, GBytes *body)
{
  req->status = status;
  g_free (req->content_type);
  req->content_type = g_strdup (content_type);
  g_clear_pointer (&req->body, g_bytes_unref);
  req->body = body;
}

static void
req_set_error (Req *req, guint status, const char *grpc_status, const char *message, const char *details)
{
  req_set_answer (req, status, JSON_TYPE,
                  error_body (status, grpc_status, message, details));
}

/* Always FALSE, so that a check can end in "return req_set_bad_request (…);". */
static gboolean
req_set_bad_request (Req *req, const char *field, const char *message)
{
  g_autofree char *details = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  json_builder_begin_object (b);
  add_string_member (b, "@type", "type.googleapis.com/google.rpc.BadRequest");
  json_builder_set_member_name (b, "fieldViolations");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  add_string_member (b, "field", field != NULL ? field : "");
  add_string_member (b, "description", message);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  details = json_to_text (b, NULL);
  req_set_error (req, 400, "INVALID_ARGUMENT", message, details);
  return FALSE;
}

static void
req_set_quota_error (Req *req, const char *quota_id, const char *metric, const char *value,
                     gint64 retry_ms, const char *message)
{
  g_autofree char *details = NULL;
  g_autofree char *value_member = value != NULL ? g_strdup_printf (", \"quotaValue\": \"%s\"", value)
                                                : g_strdup ("");

  details = g_strdup_printf ("[{\"@type\": \"type.googleapis.com/google.rpc.QuotaFailure\", \"violations\": "
                             "[{\"quotaMetric\": \"%s\", \"quotaId\": \"%s\", \"quotaDimensions\": "
                             "{\"location\": \"global\", \"model\": \"%s\"}%s}]},"
                             " {\"@type\": \"type.googleapis.com/google.rpc.Help\", \"links\": [{\"description\": "
                             "\"Learn more about Gemini API quotas\", \"url\": "
                             "\"https://ai.google.dev/gemini-api/docs/rate-limits\"}]},"
                             " {\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"%.3gs\"}]",
                             metric, quota_id, req->model_id != NULL ? req->model_id : "", value_member,
                             retry_ms / 1000.0);
  req_set_error (req, 429, "RESOURCE_EXHAUSTED", message, details);
}

/* The per-minute quota's 429: the RPM window is full, or a RATE_LIMIT fault. */
static void
req_set_minute_quota_error (Req *req, const char *limit, gint64 retry_ms)
{
  req_set_quota_error (req, "GenerateRequestsPerMinutePerProjectPerModel", PAID_TIER_METRIC, limit,
                       retry_ms, "Resource has been exhausted (e.g. check quota).");
}

static void
add_inline_image (JsonBuilder *b, gboolean snake_case, GBytes *png, gboolean thought)
{
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (png, NULL), g_bytes_get_size (png));

  json_builder_begin_object (b);
  if (thought)
    {
      add_bool_member (b, "thought", TRUE);
    }
  json_builder_set_member_name (b, snake_case ? "inline_data" : "inlineData");
  json_builder_begin_object (b);
  add_string_member (b, snake_case ? "mime_type" : "mimeType", "image/png");
  add_string_member (b, "data", b64);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
add_text_part (JsonBuilder *b, const char *text, gboolean thought)
{
  json_builder_begin_object (b);
  if (thought)
    {
      add_bool_member (b, "thought", TRUE);
    }
  add_string_member (b, "text", text);
  json_builder_end_object (b);
}

static void
add_usage (JsonBuilder *b, const char *model_id)
{
  json_builder_set_member_name (b, "usageMetadata");
  json_builder_begin_object (b);
  add_int_member (b, "promptTokenCount", 1290);
  add_int_member (b, "candidatesTokenCount", 1120);
  add_int_member (b, "totalTokenCount", 2410);
  json_builder_end_object (b);
  add_string_member (b, "modelVersion", model_id);
}

static GBytes *
decoy_png (void)
{
  g_autoptr(GdkPixbuf) decoy = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 16, 16);
  gchar *buffer = NULL;
  gsize size = 0;

  /* Magenta: no transform of a photo comes out this flat. */
  gdk_pixbuf_fill (decoy, 0xff00ffff);
  if (!gdk_pixbuf_save_to_buffer (decoy, &buffer, &size, "png", NULL, NULL))
    g_error ("fake gemini: cannot encode the decoy");
  return g_bytes_new_take (buffer, size);
}

void
lw_fake_gemini_drawn_region (int         width,
                             int         height,
                             const char *aspect_ratio,
                             int        *x,
                             int        *y,
                             int        *w,
                             int        *h)
{
  int rw = 0, rh = 0;

  *w = width;
  *h = height;
  if (aspect_ratio != NULL && sscanf (aspect_ratio, "%d:%d", &rw, &rh) == 2 && rw > 0 && rh > 0)
    {
      if ((gint64) width * rh > (gint64) height * rw)
        *w = MAX (1, (int) lround ((double) height * rw / rh));
      else
        *h = MAX (1, (int) lround ((double) width * rh / rw));
    }
  *x = (width - *w) / 2;
  *y = (height - *h) / 2;
}

/* pixbuf cut to its part that the answer is drawn from. */
static GdkPixbuf *
crop_to_ratio (GdkPixbuf *pixbuf, const char *aspect_ratio)
{
  int x, y, w, h;

  lw_fake_gemini_drawn_region (gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf), aspect_ratio, &x, &y,
                               &w, &h);
  return gdk_pixbuf_new_subpixbuf (pixbuf, x, y, w, h);
}

/* Mirrored left-right, colours inverted, cut to the aspect ratio asked for,
 * long edge at most the size asked for (1K = 1024 …; the real API renders
 * at that size, we only shrink). */
static GBytes *
transform (GBytes *input, const char *image_size, const char *aspect_ratio, const char *sha256, GError **error)
{
  g_autoptr(GdkPixbuf) cropped = NULL;
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr(GdkPixbuf) flipped = NULL;
  g_autoptr(GdkPixbuf) scaled = NULL;
  GdkPixbuf *pixbuf;
  int long_edge, limit, width, height, stride, channels;
  guchar *pixels;
  gchar *buffer = NULL;
  gsize size = 0;

  if (!gdk_pixbuf_loader_write (loader, g_bytes_get_data (input, NULL), g_bytes_get_size (input), error))
    {
      gdk_pixbuf_loader_close (loader, NULL);
      return NULL;
    }
  if (!gdk_pixbuf_loader_close (loader, error))
    return NULL;
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_set_error_literal (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_CORRUPT_IMAGE, "no image");
      return NULL;
    }
  cropped = crop_to_ratio (pixbuf, aspect_ratio);
  pixbuf = cropped;
  limit = g_strcmp0 (image_size, "4K") == 0 ? 4096 : g_strcmp0 (image_size, "2K") == 0 ? 2048 : 1024;
  long_edge = MAX (gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf));
  if (long_edge > limit)
    {
      double scale = (double) limit / long_edge;

      scaled = gdk_pixbuf_scale_simple (pixbuf, MAX (1, (int) (gdk_pixbuf_get_width (pixbuf) * scale)),
                                        MAX (1, (int) (gdk_pixbuf_get_height (pixbuf) * scale)),
                                        GDK_INTERP_BILINEAR);
      pixbuf = scaled;
    }
  flipped = gdk_pixbuf_flip (pixbuf, TRUE);
  width = gdk_pixbuf_get_width (flipped);
  height = gdk_pixbuf_get_height (flipped);
  stride = gdk_pixbuf_get_rowstride (flipped);
  channels = gdk_pixbuf_get_n_channels (flipped);
  pixels = gdk_pixbuf_get_pixels (flipped);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guchar *p = pixels + y * stride + x * channels;

        p[0] = 255 - p[0];
        p[1] = 255 - p[1];
        p[2] = 255 - p[2];
      }
  /* Compression 1: these PNGs live for one request; speed over size. */
  if (!gdk_pixbuf_save_to_buffer (flipped, &buffer, &size, "png", error,
                                  "tEXt::" SHA256_TEXT_KEY, sha256, "compression", "1", NULL))
    return NULL;
  return g_bytes_new_take (buffer, size);
}

/* "candidates": [{ … — its members follow, then end_candidate (). */
static void
begin_candidate (JsonBuilder *b)
{
  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
}

/* … "index": 0}] */
static void
end_candidate (JsonBuilder *b)
{
  add_int_member (b, "index", 0);
  json_builder_end_object (b);
  json_builder_end_array (b);
}

/* A candidate's "content": {"role": "model", "parts": [ … — the parts
 * follow, then end_model_parts (). */
static void
begin_model_parts (JsonBuilder *b)
{
  json_builder_set_member_name (b, "content");
  json_builder_begin_object (b);
  add_string_member (b, "role", "model");
  json_builder_set_member_name (b, "parts");
  json_builder_begin_array (b);
}

/* … ]}, "finishReason": "STOP" */
static void
end_model_parts (JsonBuilder *b)
{
  json_builder_end_array (b);
  json_builder_end_object (b);
  add_string_member (b, "finishReason", "STOP");
}

static GBytes *
success_body (Req *req, GBytes *png, gboolean snake_case)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *sha_text = g_strdup_printf ("input-sha256: %s", req->sha256);

  json_builder_begin_object (b);
  begin_candidate (b);
  begin_model_parts (b);
  if (req->thinking)
    {
      g_autoptr(GBytes) decoy = decoy_png ();

      /* The pro tier's "thinking": text and an interim image, both
       * thoughts; a client that takes the first image takes the decoy. */
      add_text_part (b, "**Planning the edit**\nMirroring the photo and inverting its colours.", TRUE);
      add_inline_image (b, snake_case, decoy, TRUE);
    }
  add_text_part (b, sha_text, FALSE);
  add_inline_image (b, snake_case, png, FALSE);
  end_model_parts (b);
  end_candidate (b);
  add_usage (b, req->model_id);
  json_builder_end_object (b);
  return json_to_bytes (b);
}

static GBytes *
refusal_body (Req *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  if (req->fault == LW_FAKE_FAULT_SAFETY_PROMPT)
    {
      json_builder_set_member_name (b, "promptFeedback");
      json_builder_begin_object (b);
      add_string_member (b, "blockReason", "PROHIBITED_CONTENT");
      json_builder_end_object (b);
    }
  else
    {
      begin_candidate (b);
      if (req->fault == LW_FAKE_FAULT_TEXT_ONLY || !req->want_image)
        {
          begin_model_parts (b);
          add_text_part (b, "I can describe this photo, but I cannot edit it as asked.", FALSE);
          end_model_parts (b);
        }
      else
        {
          add_string_member (b, "finishReason", "IMAGE_SAFETY");
          add_string_member (b, "finishMessage", "Unable to show the generated image.");
        }
      end_candidate (b);
    }
  add_usage (b, req->model_id);
  json_builder_end_object (b);
  return json_to_bytes (b);
}

/* ---- request life ------------------------------------------------------- */

static void
req_free (Req *req)
{
  if (req->timer != NULL)
    {
      g_source_destroy (req->timer);
      g_source_unref (req->timer);
    }
  g_clear_object (&req->msg);
  g_clear_object (&req->stolen);
  g_free (req->model_id);
  g_clear_pointer (&req->input, g_bytes_unref);
  g_clear_pointer (&req->texts, g_ptr_array_unref);
  g_free (req->input_mime);
  g_free (req->sha256);
  g_free (req->image_size);
  g_free (req->aspect_ratio);
  g_free (req->content_type);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_free (req);
}

static void
count_status (LwFakeGemini *self, Req *req)
{
  LwFakeLogEntry *entry;
  guint n;

  g_mutex_lock (&self->lock);
  entry = g_ptr_array_index (self->log, req->log_index);
  entry->status = req->status;
  entry->fault = req->fault;
  entry->delivered = req->delivered;
  entry->latency_ms = req->latency_ms;
  if (req->status != 0)
    {
      n = GPOINTER_TO_UINT (g_hash_table_lookup (self->statuses, GUINT_TO_POINTER (req->status)));
      g_hash_table_insert (self->statuses, GUINT_TO_POINTER (req->status), GUINT_TO_POINTER (n + 1));
    }
  if (req->delivered)
    {
      PhotoStats *stats = req->sha256 != NULL ? g_hash_table_lookup (self->photos, req->sha256) : NULL;

      self->n_delivered++;
      if (stats != NULL)
        stats->delivered++;
    }
  g_mutex_unlock (&self->lock);
}

static void
write_raw (GIOStream *stream, guint status, const char *content_type, GBytes *body, gsize send_len)
{
  GOutputStream *out = g_io_stream_get_output_stream (stream);
  g_autofree char *head = NULL;
  gsize len = g_bytes_get_size (body);

  /* Content-Length promises the whole body; only send_len of it follows
   * before the connection closes: a peer that hung up mid-body. (No
   * "Connection: close": with it libsoup reads to EOF and ignores the
   * length, which is not what a dropped keep-alive connection looks like.) */
  head = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                          status, soup_status_get_phrase (status), content_type, len);
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, g_bytes_get_data (body, NULL), MIN (send_len, len), NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
}

static void
respond (SoupServerMessage *msg, guint status, const char *content_type, GBytes *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Type", content_type);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
}

/* Sends the answer req holds, and forgets req. */
static void
req_finish (Req *req)
{
  LwFakeGemini *self = req->self;

  if (req->stolen != NULL)
    {
      gsize len = req->body != NULL ? g_bytes_get_size (req->body) : 0;

      write_raw (req->stolen, req->status, req->content_type, req->body,
                 req->fault == LW_FAKE_FAULT_DROP ? len / 2 : len);
      if (req->fault == LW_FAKE_FAULT_DROP)
        {
          req->status = 0;
          req->delivered = FALSE;
        }
    }
  else
    {
      respond (req->msg, req->status, req->content_type, req->body);
      soup_server_message_unpause (req->msg);
    }
  count_status (self, req);
  g_mutex_lock (&self->lock);
  self->in_flight--;
  g_mutex_unlock (&self->lock);
  g_hash_table_remove (self->pending, req);
}

static gboolean
latency_done_cb (gpointer user_data)
{
  Req *req = user_data;

  g_clear_pointer (&req->timer, g_source_unref);
  req_finish (req);
  return G_SOURCE_REMOVE;
}

static void
req_answer_later (Req *req)
{
  gint64 delay = req->latency_ms;

  /* Errors come back quicker than images: a tenth of the latency. */
  if (!req->delivered && req->fault != LW_FAKE_FAULT_DROP && req->fault != LW_FAKE_FAULT_TRUNCATED)
    delay /= 10;
  req->latency_ms = delay;
  if (delay <= 0)
    {
      req_finish (req);
      return;
    }
  req->timer = g_timeout_source_new ((guint) delay);
  g_source_set_callback (req->timer, latency_done_cb, req, NULL);
  g_source_attach (req->timer, req->self->context);
}

static void
transform_in_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  Req *req = task_data;
  GError *error = NULL;
  GBytes *png = transform (req->input, req->image_size, req->aspect_ratio, req->sha256, &error);

  if (png == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, png, (GDestroyNotify) g_bytes_unref);
}

static void
transformed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Req *req = user_data;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  gboolean snake_case;

  png = g_task_propagate_pointer (G_TASK (result), &error);
  if (png == NULL)
    {
      /* The real API's words for an image it cannot read. */
      req->fault = LW_FAKE_FAULT_NONE;
      req_set_bad_request (req, "contents[0].parts[0].inline_data",
                           "Unable to process input image. Please retry or report in "
                           "https://developers.generativeai.google/guide/troubleshooting");
      req_answer_later (req);
      return;
    }
  g_mutex_lock (&req->self->lock);
  snake_case = req->self->snake_case;
  g_mutex_unlock (&req->self->lock);
  req_set_answer (req, 200, JSON_TYPE, success_body (req, png, snake_case));
  if (req->fault == LW_FAKE_FAULT_TRUNCATED)
    {
      /* A complete HTTP answer whose JSON stops half-way. */
      GBytes *cut = g_bytes_new_from_bytes (req->body, 0, g_bytes_get_size (req->body) / 2);

      g_bytes_unref (req->body);
      req->body = cut;
    }
  else if (req->fault == LW_FAKE_FAULT_NONE)
    req->delivered = TRUE;
  req_answer_later (req);
}

/* ---- checking a request ------------------------------------------------- */

static gboolean
check_fields (Req *req, JsonObject *object, const char *path, const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *message =
            g_strdup_printf ("Invalid JSON payload received. Unknown name \"%s\" at '%s': Cannot find field.",
                             (const char *) l->data, path);

          return req_set_bad_request (req, path, message);
        }
    }
  return TRUE;
}

static JsonNode *
member2 (JsonObject *object, const char *camel, const char *snake)
{
  JsonNode *node = json_object_get_member (object, camel);

  return node != NULL ? node : json_object_get_member (object, snake);
}

static const char *
string_member2 (JsonObject *object, const char *camel, const char *snake)
{
  JsonNode *node = member2 (object, camel, snake);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* node as an array with something in it, or NULL. */
static JsonArray *
nonempty_array (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    return NULL;
  return json_node_get_array (node);
}

/* node as an object; NULL, with req holding the 400 for path, when it is
 * something else. */
static JsonObject *
expect_object (Req *req, JsonNode *node, const char *path)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      req_set_bad_request (req, path, "Invalid JSON payload received. Expected an object.");
      return NULL;
    }
  return json_node_get_object (node);
}

static gboolean
strict_base64 (const char *text)
{
  gsize len = strlen (text);

  if (len == 0 || len % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (g_ascii_isalnum (c) || c == '+' || c == '/')
        continue;
      if (c == '=' && i >= len - 2)
        continue;
      return FALSE;
    }
  return TRUE;
}

static const char * const top_fields[] = {
  "contents", "generationConfig", "generation_config", "safetySettings", "safety_settings",
  "systemInstruction", "system_instruction", "tools", "toolConfig", "tool_config",
  "cachedContent", "cached_content", NULL,
};
static const char * const content_fields[] = { "role", "parts", NULL };
static const char * const part_fields[] = {
  "text", "inlineData", "inline_data", "fileData", "file_data", "thought", "thoughtSignature",
  "thought_signature", "functionCall", "function_call", "functionResponse", "function_response",
  "videoMetadata", "video_metadata", NULL,
};
static const char * const blob_fields[] = { "mimeType", "mime_type", "data", NULL };
static const char * const generation_fields[] = {
  "responseModalities", "response_modalities", "imageConfig", "image_config", "temperature",
  "topP", "top_p", "topK", "top_k", "candidateCount", "candidate_count", "maxOutputTokens",
  "max_output_tokens", "stopSequences", "stop_sequences", "seed", "thinkingConfig",
  "thinking_config", "responseMimeType", "response_mime_type", "mediaResolution",
  "media_resolution", "presencePenalty", "presence_penalty", "frequencyPenalty",
  "frequency_penalty", NULL,
};
static const char * const image_config_fields[] = {
  "aspectRatio", "aspect_ratio", "imageSize", "image_size", NULL,
};
static const char * const aspect_ratios[] = {
  "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", NULL,
};

/* Checks the body like the API does; on failure req holds the 400. The
 * image found is left in req->input, the aspect ratio asked for in
 * req->aspect_ratio. */
static gboolean
check_body (Req *req, const FakeModel *model, const char *body, gsize length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *generation = NULL, *image_config = NULL;
  JsonArray *contents;
  JsonNode *node;
  guint n_images = 0;

  if (length == 0 || !json_parser_load_from_data (parser, body, (gssize) length, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_autofree char *message = g_strdup_printf ("Invalid JSON payload received. %s",
                                                  error != NULL ? error->message : "Expected an object.");

      return req_set_bad_request (req, NULL, message);
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if (!check_fields (req, root, "", top_fields))
    return FALSE;

  contents = nonempty_array (json_object_get_member (root, "contents"));
  if (contents == NULL)
    return req_set_bad_request (req, "contents", "* GenerateContentRequest.contents: contents is not specified\n");
  for (guint i = 0; i < json_array_get_length (contents); i++)
    {
      JsonNode *cnode = json_array_get_element (contents, i);
      g_autofree char *cpath = g_strdup_printf ("contents[%u]", i);
      JsonObject *content;
      JsonArray *parts;
      const char *role;

      content = expect_object (req, cnode, cpath);
      if (content == NULL || !check_fields (req, content, cpath, content_fields))
        return FALSE;
      role = string_member2 (content, "role", "role");
      if (role != NULL && g_strcmp0 (role, "user") != 0 && g_strcmp0 (role, "model") != 0)
        return req_set_bad_request (req, cpath, "Please use a valid role: user, model.");
      parts = nonempty_array (json_object_get_member (content, "parts"));
      if (parts == NULL)
        return req_set_bad_request (req, cpath, "* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n");
      for (guint j = 0; j < json_array_get_length (parts); j++)
        {
          JsonNode *pnode = json_array_get_element (parts, j);
          g_autofree char *ppath = g_strdup_printf ("%s.parts[%u]", cpath, j);
          JsonObject *part, *blob;
          const char *mime, *data;
          gsize decoded_len = 0;
          guchar *decoded;

          part = expect_object (req, pnode, ppath);
          if (part == NULL || !check_fields (req, part, ppath, part_fields))
            return FALSE;
          node = member2 (part, "inlineData", "inline_data");
          if (node == NULL)
            {
              JsonNode *text = json_object_get_member (part, "text");

              if (text == NULL)
                return req_set_bad_request (req, ppath, "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must have one initialized field\n");
              /* Kept as sent, for tests of what prompt reached the model. */
              if (JSON_NODE_HOLDS_VALUE (text) && json_node_get_value_type (text) == G_TYPE_STRING)
                {
                  if (req->texts == NULL)
                    req->texts = g_ptr_array_new_with_free_func (g_free);
                  g_ptr_array_add (req->texts, g_strdup (json_node_get_string (text)));
                }
              continue;
            }
          blob = expect_object (req, node, ppath);
          if (blob == NULL)
            return FALSE;
          {
            g_autofree char *bpath = g_strconcat (ppath, ".inline_data", NULL);

            if (!check_fields (req, blob, bpath, blob_fields))
              return FALSE;
          }
          mime = string_member2 (blob, "mimeType", "mime_type");
          data = string_member2 (blob, "data", "data");
          if (mime == NULL || data == NULL)
            return req_set_bad_request (req, ppath, "* GenerateContentRequest.contents[0].parts[0].inline_data: mime_type and data are required\n");
          if (!g_str_has_prefix (mime, "image/"))
            {
              g_autofree char *message = g_strdup_printf ("Unsupported MIME type: %s", mime);

              return req_set_bad_request (req, ppath, message);
            }
          if (!strict_base64 (data))
            {
              g_autofree char *message = g_strdup_printf ("Invalid value at '%s.inline_data.data' (TYPE_BYTES), "
                                                          "Base64 decoding failed", ppath);

              return req_set_bad_request (req, ppath, message);
            }
          decoded = g_base64_decode (data, &decoded_len);
          g_clear_pointer (&req->input, g_bytes_unref);
          req->input = g_bytes_new_take (decoded, decoded_len);
          g_free (req->input_mime);
          req->input_mime = g_strdup (mime);
          n_images++;
        }
    }
  if (n_images == 0)
    return req_set_bad_request (req, "contents", "This fake edits photos: send one inline image.");

  node = member2 (root, "generationConfig", "generation_config");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonNode *modalities;

      generation = json_node_get_object (node);
      if (!check_fields (req, generation, "generation_config", generation_fields))
        return FALSE;
      modalities = member2 (generation, "responseModalities", "response_modalities");
      req->want_image = TRUE;
      if (modalities != NULL && JSON_NODE_HOLDS_ARRAY (modalities))
        {
          JsonArray *list = json_node_get_array (modalities);

          req->want_image = FALSE;
          for (guint i = 0; i < json_array_get_length (list); i++)
            {
              const char *m = json_array_get_string_element (list, i);

              if (g_strcmp0 (m, "IMAGE") == 0)
                req->want_image = TRUE;
              else if (g_strcmp0 (m, "TEXT") != 0)
                {
                  g_autofree char *message = g_strdup_printf ("Invalid value at 'generation_config.response_modalities[%u]' "
                                                              "(type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.Modality), \"%s\"",
                                                              i, m != NULL ? m : "");

                  return req_set_bad_request (req, "generation_config.response_modalities", message);
                }
            }
        }
      node = member2 (generation, "imageConfig", "image_config");
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        image_config = json_node_get_object (node);
    }
  else
    req->want_image = TRUE;

  if (image_config != NULL)
    {
      const char *ratio = string_member2 (image_config, "aspectRatio", "aspect_ratio");
      const char *size = string_member2 (image_config, "imageSize", "image_size");

      if (!check_fields (req, image_config, "generation_config.image_config", image_config_fields))
        return FALSE;
      if (ratio != NULL && !g_strv_contains (aspect_ratios, ratio))
        return req_set_bad_request (req, "generation_config.image_config.aspect_ratio",
                                    "Aspect ratio is not supported. Supported values: 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9.");
      if (size != NULL && !model->takes_image_size)
        return req_set_bad_request (req, "generation_config.image_config.image_size",
                                    "Image size is not supported for this model.");
      if (size != NULL && g_strcmp0 (size, "1K") != 0 && g_strcmp0 (size, "2K") != 0 && g_strcmp0 (size, "4K") != 0)
        return req_set_bad_request (req, "generation_config.image_config.image_size",
                                    "Image size is not supported. Supported values: 1K, 2K, 4K.");
      req->aspect_ratio = g_strdup (ratio);
      req->image_size = g_strdup (size);
    }
  return TRUE;
}

static LwFakeFault
draw_fault (LwFakeGemini *self, const char *sha256)
{
  GQueue *photo_script = sha256 != NULL ? g_hash_table_lookup (self->photo_scripts, sha256) : NULL;
  double u, sum = 0;

  if (photo_script != NULL && !g_queue_is_empty (photo_script))
    return (LwFakeFault) (GPOINTER_TO_INT (g_queue_pop_head (photo_script)) - 1);
  if (!g_queue_is_empty (&self->script))
    return (LwFakeFault) (GPOINTER_TO_INT (g_queue_pop_head (&self->script)) - 1);
  u = g_rand_double (self->rand);
  for (guint i = 1; i < LW_FAKE_N_FAULTS; i++)
    {
      sum += self->rates[i];
      if (u < sum)
        return (LwFakeFault) i;
    }
  return LW_FAKE_FAULT_NONE;
}

static gint64
draw_latency_ms (LwFakeGemini *self)
{
  double mean = self->latency_mean_ms, sigma = self->latency_sigma, mu, z, u1, u2;

  if (mean <= 0)
    return 0;
  if (sigma <= 0)
    return (gint64) mean;
  /* Log-normal with this mean: mu = ln(mean) − σ²/2; z by Box–Muller. */
  mu = log (mean) - sigma * sigma / 2;
  u1 = g_rand_double_range (self->rand, 1e-12, 1);   /* one draw: MAX () would draw twice */
  u2 = g_rand_double (self->rand);
  z = sqrt (-2 * log (u1)) * cos (2 * G_PI * u2);
  return (gint64) exp (mu + sigma * z);
}

static char *
sha256_hex (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

/* Admits a request under the RPM quota; FALSE and *retry_ms when full. */
static gboolean
admit (LwFakeGemini *self, gint64 *retry_ms)
{
  gint64 now = g_get_monotonic_time () / 1000;

  if (self->rpm <= 0)
    return TRUE;
  while (!g_queue_is_empty (&self->admitted) &&
         now - GPOINTER_TO_SIZE (g_queue_peek_head (&self->admitted)) >= 60000)
    g_queue_pop_head (&self->admitted);
  if ((int) g_queue_get_length (&self->admitted) >= self->rpm)
    {
      *retry_ms = 60000 - (now - (gint64) GPOINTER_TO_SIZE (g_queue_peek_head (&self->admitted)));
      return FALSE;
    }
  g_queue_push_tail (&self->admitted, GSIZE_TO_POINTER ((gsize) now));
  return TRUE;
}

static void
handle_generate (LwFakeGemini      *self,
                 SoupServerMessage *msg,
                 const char        *model_id,
                 GHashTable        *query)
{
  Req *req = g_new0 (Req, 1);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (request_body);
  const FakeModel *model = NULL;
  LwFakeLogEntry *entry;
  const char *key, *content_type;
  gboolean valid = FALSE;
  gint64 retry_ms = 0;
  FakeModel model_copy = { 0, };

  req->self = self;
  req->msg = g_object_ref (msg);
  req->model_id = g_strdup (model_id);
  req->fault = LW_FAKE_FAULT_NONE;

  key = soup_message_headers_get_one (headers, "x-goog-api-key");
  if (key == NULL && query != NULL)
    key = g_hash_table_lookup (query, "key");
  content_type = soup_message_headers_get_content_type (headers, NULL);

  g_mutex_lock (&self->lock);
  self->n_requests++;
  entry = g_new0 (LwFakeLogEntry, 1);
  entry->t_ms = (g_get_monotonic_time () - self->started_us) / 1000;
  entry->model = g_strdup (model_id);
  entry->body_bytes = g_bytes_get_size (body);
  entry->chunked = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED;
  req->log_index = self->log->len;
  g_ptr_array_add (self->log, entry);
  for (guint i = 0; i < self->models->len; i++)
    {
      FakeModel *m = g_ptr_array_index (self->models, i);

      if (g_strcmp0 (m->id, model_id) == 0 && m->generate_content)
        {
          model_copy = *m;
          model = &model_copy;
        }
    }

  if (key == NULL || *key == '\0')
    req_set_error (req, 403, "PERMISSION_DENIED", NO_KEY_MESSAGE, NULL);
  else if (g_strcmp0 (key, self->key) != 0 || (self->script.head != NULL &&
           GPOINTER_TO_INT (self->script.head->data) - 1 == LW_FAKE_FAULT_BAD_KEY))
    {
      if (self->script.head != NULL && GPOINTER_TO_INT (self->script.head->data) - 1 == LW_FAKE_FAULT_BAD_KEY)
        req->fault = (LwFakeFault) (GPOINTER_TO_INT (g_queue_pop_head (&self->script)) - 1);
      req_set_error (req, 400, "INVALID_ARGUMENT", BAD_KEY_MESSAGE,
                     "[{\"@type\": \"type.googleapis.com/google.rpc.ErrorInfo\", \"reason\": \"API_KEY_INVALID\", "
                     "\"domain\": \"googleapis.com\", \"metadata\": {\"service\": \"generativelanguage.api.test\"}},"
                     " {\"@type\": \"type.googleapis.com/google.rpc.LocalizedMessage\", \"locale\": \"en-US\", "
                     "\"message\": \"" BAD_KEY_MESSAGE "\"}]");
    }
  else if (model == NULL)
    {
      g_autofree char *message = g_strdup_printf ("models/%s is not found for API version v1beta, or is not "
                                                  "supported for generateContent. Call ListModels to see the list "
                                                  "of available models and their supported methods.", model_id);

      req_set_error (req, 404, "NOT_FOUND", message, NULL);
    }
  else if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_POST) != 0)
    req_set_error (req, 405, "METHOD_NOT_ALLOWED", "generateContent takes POST.", NULL);
  else if (g_strcmp0 (content_type, "application/json") != 0)
    req_set_bad_request (req, NULL, "Invalid JSON payload received. Content-Type must be application/json.");
  else
    valid = TRUE;
  g_mutex_unlock (&self->lock);

  if (valid)
    {
      valid = check_body (req, model, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      req->thinking = model->thinking;
    }

  g_mutex_lock (&self->lock);
  if (req->input != NULL)
    {
      PhotoStats *stats;

      req->sha256 = sha256_hex (req->input);
      entry->sha256 = g_strdup (req->sha256);
      stats = g_hash_table_lookup (self->photos, req->sha256);
      if (stats == NULL)
        {
          stats = g_new0 (PhotoStats, 1);
          g_hash_table_insert (self->photos, g_strdup (req->sha256), stats);
        }
      stats->requests++;
    }
  entry->aspect_ratio = g_strdup (req->aspect_ratio);
  entry->image_size = g_strdup (req->image_size);
  if (req->texts != NULL)
    {
      g_ptr_array_add (req->texts, NULL);
      entry->texts = (char **) g_ptr_array_free (g_steal_pointer (&req->texts), FALSE);
    }
  if (valid && !admit (self, &retry_ms))
    {
      g_autofree char *value = g_strdup_printf ("%d", self->rpm);

      req_set_minute_quota_error (req, value, retry_ms);
      valid = FALSE;
    }
  if (valid)
    req->fault = draw_fault (self, req->sha256);
  /* Logged now: a hung request never reaches count_status (). */
  entry->fault = req->fault;
  req->latency_ms = draw_latency_ms (self);
  self->in_flight++;
  self->max_in_flight = MAX (self->max_in_flight, self->in_flight);
  retry_ms = self->retry_delay_ms;
  g_mutex_unlock (&self->lock);

  g_hash_table_add (self->pending, req);

  if (valid)
    {
      switch (req->fault)
        {
        case LW_FAKE_FAULT_NONE:
        case LW_FAKE_FAULT_DROP:
        case LW_FAKE_FAULT_TRUNCATED:
          break;
        case LW_FAKE_FAULT_RATE_LIMIT:
          req_set_minute_quota_error (req, "60", retry_ms);
          break;
        case LW_FAKE_FAULT_SERVER_500:
          req_set_error (req, 500, "INTERNAL", "An internal error has occurred. Please retry or report in "
                         "https://developers.generativeai.google/guide/troubleshooting", NULL);
          break;
        case LW_FAKE_FAULT_BAD_GATEWAY:
          req_set_answer (req, 502, "text/html; charset=UTF-8",
                          g_bytes_new_static ("<!DOCTYPE html>\n<html lang=en><title>Error 502 (Server Error)!!1</title>"
                                              "<p><b>502.</b> That’s an error.<p>The server encountered a temporary "
                                              "error and could not complete your request.<p>Please try again in 30 "
                                              "seconds.  That’s all we know.</html>", 247));
          break;
        case LW_FAKE_FAULT_UNAVAILABLE:
          req_set_error (req, 503, "UNAVAILABLE", "The model is overloaded. Please try again later.", NULL);
          break;
        case LW_FAKE_FAULT_DEADLINE:
          req_set_error (req, 504, "DEADLINE_EXCEEDED", "The request timed out. Please try again.", NULL);
          break;
        case LW_FAKE_FAULT_SAFETY_PROMPT:
        case LW_FAKE_FAULT_SAFETY_IMAGE:
        case LW_FAKE_FAULT_TEXT_ONLY:
          req_set_answer (req, 200, JSON_TYPE, refusal_body (req));
          break;
        case LW_FAKE_FAULT_QUOTA_DAY:
          /* The real answer carries a RetryInfo even for a daily quota: a
           * client that trusts it retries all day. */
          req_set_quota_error (req, "GenerateRequestsPerDayPerProjectPerModel", PAID_TIER_METRIC, "250",
                               31000, QUOTA_EXCEEDED_MESSAGE);
          break;
        case LW_FAKE_FAULT_QUOTA_ZERO:
          {
            g_autofree char *message =
              g_strdup_printf (QUOTA_EXCEEDED_MESSAGE "\n* Quota exceeded for metric: " FREE_TIER_METRIC
                               ", limit: 0, model: %s", req->model_id);

            req_set_quota_error (req, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", FREE_TIER_METRIC,
                                 NULL, 12000, message);
          }
          break;
        case LW_FAKE_FAULT_HANG:
          soup_server_message_pause (msg);
          return;
        case LW_FAKE_FAULT_BAD_KEY:
        case LW_FAKE_N_FAULTS:
        default:
          break;
        }
    }

  if (req->status != 0)
    {
      soup_server_message_pause (msg);
      req_answer_later (req);
      return;
    }

  /* An image to make. A dropped connection is taken from libsoup now (it
   * can only be stolen from within the handler) and written by hand. */
  if (req->fault == LW_FAKE_FAULT_DROP)
    req->stolen = soup_server_message_steal_connection (msg);
  else
    soup_server_message_pause (msg);
  {
    g_autoptr(GTask) task = g_task_new (NULL, NULL, transformed_cb, req);

    g_task_set_task_data (task, req, NULL);
    g_task_run_in_thread (task, transform_in_thread);
  }
}

static void
handle_models (LwFakeGemini      *self,
               SoupServerMessage *msg,
               GHashTable        *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GBytes) body = NULL;
  const char *key = soup_message_headers_get_one (headers, "x-goog-api-key");
  const char *size_text = query != NULL ? g_hash_table_lookup (query, "pageSize") : NULL;
  const char *token = query != NULL ? g_hash_table_lookup (query, "pageToken") : NULL;
  guint page_size = size_text != NULL ? (guint) g_ascii_strtoull (size_text, NULL, 10) : 50;
  guint first = token != NULL ? (guint) g_ascii_strtoull (token, NULL, 10) : 0;
  guint status = 200;

  if (key == NULL && query != NULL)
    key = g_hash_table_lookup (query, "key");
  page_size = CLAMP (page_size, 1, 1000);
  g_mutex_lock (&self->lock);
  if (key == NULL || g_strcmp0 (key, self->key) != 0)
    {
      status = key == NULL ? 403 : 400;
      body = status == 403 ? error_body (403, "PERMISSION_DENIED", NO_KEY_MESSAGE, NULL)
                           : error_body (400, "INVALID_ARGUMENT", BAD_KEY_MESSAGE,
                                         "[{\"@type\": \"type.googleapis.com/google.rpc.ErrorInfo\", \"reason\": "
                                         "\"API_KEY_INVALID\", \"domain\": \"googleapis.com\"}]");
    }
  else
    {
      guint end = MIN (self->models->len, first + page_size);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "models");
      json_builder_begin_array (b);
      for (guint i = first; i < end; i++)
        {
          FakeModel *m = g_ptr_array_index (self->models, i);
          g_autofree char *name = g_strconcat ("models/", m->id, NULL);

          json_builder_begin_object (b);
          add_string_member (b, "name", name);
          add_string_member (b, "version", "001");
          add_string_member (b, "displayName", m->display_name);
          add_string_member (b, "description", m->generates_images ? "Fast, native image generation and editing."
                                                                   : "A fake model for the list.");
          add_int_member (b, "inputTokenLimit", 65536);
          add_int_member (b, "outputTokenLimit", 32768);
          json_builder_set_member_name (b, "supportedGenerationMethods");
          json_builder_begin_array (b);
          if (m->generate_content)
            {
              json_builder_add_string_value (b, "generateContent");
              json_builder_add_string_value (b, "countTokens");
            }
          else
            json_builder_add_string_value (b, "predict");
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      if (end < self->models->len)
        {
          g_autofree char *next = g_strdup_printf ("%u", end);

          add_string_member (b, "nextPageToken", next);
        }
      json_builder_end_object (b);
      body = json_to_bytes (b);
    }
  g_mutex_unlock (&self->lock);

  respond (msg, status, JSON_TYPE, body);
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  LwFakeGemini *self = user_data;
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, STATS_PATH))
    {
      char *json = lw_fake_gemini_dup_stats_json (self);

      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json, strlen (json));
      soup_server_message_set_status (msg, 200, NULL);
      return;
    }
  if (g_str_equal (path, MODELS_PREFIX) && g_str_equal (method, SOUP_METHOD_GET))
    {
      handle_models (self, msg, query);
      return;
    }
  if (g_str_has_prefix (path, MODELS_PREFIX "/") && g_str_has_suffix (path, ":generateContent"))
    {
      const char *start = path + strlen (MODELS_PREFIX "/");
      g_autofree char *model_id = g_strndup (start, strlen (start) - strlen (":generateContent"));

      handle_generate (self, msg, model_id, query);
      return;
    }
  if (lw_fake_batches_handle (self, msg, path, query))
    return;
  {
    g_autoptr(GBytes) body = error_body (404, "NOT_FOUND", "The requested URL was not found on this server.", NULL);

    respond (msg, 404, JSON_TYPE, body);
  }
}

/* ---- for the Batch API (lw-fake-gemini-private.h) ----------------------- */

LwFakeBatches *
lw_fake_gemini_get_batches (LwFakeGemini *self)
{
  return self->batches;
}

/* Takes body (an empty one is no body). */
void
lw_fake_gemini_respond (SoupServerMessage *msg, guint status, const char *content_type, GBytes *body)
{
  if (g_bytes_get_size (body) > 0)
    respond (msg, status, content_type, body);
  else
    soup_server_message_set_status (msg, status, NULL);
  g_bytes_unref (body);
}

void
lw_fake_gemini_respond_error (SoupServerMessage *msg, guint status, const char *grpc_status, const char *message)
{
  lw_fake_gemini_respond (msg, status, JSON_TYPE, error_body (status, grpc_status, message, NULL));
}

gboolean
lw_fake_gemini_check_key (LwFakeGemini *self, SoupServerMessage *msg, GHashTable *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *key = soup_message_headers_get_one (headers, "x-goog-api-key");
  gboolean good;

  if (key == NULL && query != NULL)
    key = g_hash_table_lookup (query, "key");
  if (key == NULL || *key == '\0')
    {
      lw_fake_gemini_respond_error (msg, 403, "PERMISSION_DENIED", NO_KEY_MESSAGE);
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  good = g_strcmp0 (key, self->key) == 0;
  g_mutex_unlock (&self->lock);
  if (!good)
    lw_fake_gemini_respond_error (msg, 400, "INVALID_ARGUMENT", BAD_KEY_MESSAGE);
  return good;
}

gboolean
lw_fake_gemini_has_image_model (LwFakeGemini *self, const char *model_id)
{
  gboolean found = FALSE;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->models->len; i++)
    {
      FakeModel *m = g_ptr_array_index (self->models, i);

      found = found || (g_strcmp0 (m->id, model_id) == 0 && m->generate_content);
    }
  g_mutex_unlock (&self->lock);
  return found;
}

/* The same checks and the same transform as a live generateContent, done
 * at once (any thread): the GenerateContentResponse, or the error body
 * when *status is not 200. */
GBytes *
lw_fake_gemini_answer_now (LwFakeGemini *self,
                           const char   *model_id,
                           const char   *request_json,
                           char        **sha256,
                           guint        *status)
{
  Req *req = g_new0 (Req, 1);
  FakeModel model = { 0, };
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *answer = NULL;
  gboolean snake_case, found = FALSE;

  req->self = self;
  req->model_id = g_strdup (model_id);
  g_mutex_lock (&self->lock);
  snake_case = self->snake_case;
  for (guint i = 0; i < self->models->len && !found; i++)
    {
      FakeModel *m = g_ptr_array_index (self->models, i);

      if (g_strcmp0 (m->id, model_id) == 0 && m->generate_content)
        {
          model = *m;
          found = TRUE;
        }
    }
  g_mutex_unlock (&self->lock);
  *sha256 = NULL;
  if (found && check_body (req, &model, request_json, strlen (request_json)))
    {
      req->thinking = model.thinking;
      req->sha256 = req->input != NULL ? sha256_hex (req->input) : NULL;
      png = req->input != NULL ? transform (req->input, req->image_size, req->aspect_ratio, req->sha256, &error) : NULL;
      if (png != NULL)
        req_set_answer (req, 200, JSON_TYPE, success_body (req, png, snake_case));
      else
        req_set_bad_request (req, "contents[0].parts[0].inline_data", "Unable to process input image.");
      *sha256 = g_strdup (req->sha256);
    }
  else if (!found)
    req_set_error (req, 404, "NOT_FOUND", "models/… is not found for API version v1beta.", NULL);
  *status = req->status;
  answer = g_steal_pointer (&req->body);
  req_free (req);
  return answer;
}

/* Counts a batch entry's request (and its delivery) like a live one's. */
void
lw_fake_gemini_count_batch_entry (LwFakeGemini *self, const char *sha256, gboolean delivered)
{
  PhotoStats *stats;

  if (sha256 == NULL)
    return;
  g_mutex_lock (&self->lock);
  stats = g_hash_table_lookup (self->photos, sha256);
  if (stats == NULL)
    {
      stats = g_new0 (PhotoStats, 1);
      g_hash_table_insert (self->photos, g_strdup (sha256), stats);
    }
  stats->requests++;
  if (delivered)
    stats->delivered++;
  g_mutex_unlock (&self->lock);
}

/* A draw from the server's seeded generator, in [0, 1). */
double
lw_fake_gemini_draw (LwFakeGemini *self)
{
  double value;

  g_mutex_lock (&self->lock);
  value = g_rand_double (self->rand);
  g_mutex_unlock (&self->lock);
  return value;
}

/* ---- the thread --------------------------------------------------------- */

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  LwFakeGemini *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL && !g_hash_table_contains (self->sockets, socket))
    g_hash_table_add (self->sockets, g_object_ref (socket));
}

/* Every source ready on the context, dispatched (rounds times over: a
 * closed connection's sources come ready one round later). */
static void
drain_context (GMainContext *context, int rounds)
{
  for (int spins = 0; spins < rounds; spins++)
    while (g_main_context_iteration (context, FALSE))
      ;
}

/* Tells lw_fake_gemini_start () the thread is up (or failed: start_error). */
static void
signal_running (LwFakeGemini *self)
{
  g_mutex_lock (&self->run_lock);
  self->running = TRUE;
  g_cond_signal (&self->run_cond);
  g_mutex_unlock (&self->run_lock);
}

static gpointer
server_thread (gpointer data)
{
  LwFakeGemini *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  GSList *listeners;

  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new ("server-header", "fake-gemini ", NULL);
  self->pending = g_hash_table_new_full (g_direct_hash, g_direct_equal, (GDestroyNotify) req_free, NULL);
  self->sockets = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, self->wanted_port);
  if (!soup_server_listen (self->server, address, 0, &error))
    {
      self->start_error = g_steal_pointer (&error);
      signal_running (self);
      g_clear_pointer (&self->pending, g_hash_table_unref);
      g_clear_pointer (&self->sockets, g_hash_table_unref);
      g_clear_object (&self->server);
      g_main_context_pop_thread_default (self->context);
      return NULL;
    }
  /* The listener's own address (soup_server_get_uris leaks its addresses
   * in libsoup 3.2). */
  listeners = soup_server_get_listeners (self->server);
  local = g_socket_get_local_address (listeners->data, NULL);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_slist_free (listeners);

  signal_running (self);

  g_main_loop_run (self->loop);

  /* Hung and waiting requests get an answer now, so their connections
   * close cleanly before the server goes; images still being made (a
   * worker has them) come back within milliseconds and go out too. */
  for (int spins = 0; g_hash_table_size (self->pending) > 0 && spins < 10000; spins++)
    {
      g_autoptr(GPtrArray) reqs = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key;

      drain_context (self->context, 1);
      g_hash_table_iter_init (&iter, self->pending);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (reqs, key);
      for (guint i = 0; i < reqs->len; i++)
        {
          Req *req = g_ptr_array_index (reqs, i);

          if (req->timer != NULL)
            {
              g_source_destroy (req->timer);
              g_clear_pointer (&req->timer, g_source_unref);
              req_finish (req);
            }
          else if (req->fault == LW_FAKE_FAULT_HANG && req->status == 0)
            {
              req_set_error (req, 503, "UNAVAILABLE", "The fake server is shutting down.", NULL);
              req_finish (req);
            }
        }
      if (g_hash_table_size (self->pending) > 0)
        g_usleep (1000);
    }
  drain_context (self->context, 20);

  soup_server_disconnect (self->server);
  /* Keep-alive connections (the client's session pools them) would outlive
   * the server: close them, and let libsoup see it. */
  {
    GHashTableIter iter;
    gpointer socket;

    g_hash_table_iter_init (&iter, self->sockets);
    while (g_hash_table_iter_next (&iter, &socket, NULL))
      g_socket_close (socket, NULL);
    drain_context (self->context, 20);
  }
  g_clear_object (&self->server);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->sockets, g_hash_table_unref);
  drain_context (self->context, 1);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* The thread has ended or is about to: wait for it, drop its loop. */
static void
join_thread (LwFakeGemini *self)
{
  g_thread_join (self->thread);
  self->thread = NULL;
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
}

gboolean
lw_fake_gemini_start (LwFakeGemini  *self,
                      guint16        port,
                      GError       **error)
{
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->wanted_port = port;
  self->running = FALSE;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->started_us = g_get_monotonic_time ();
  self->thread = g_thread_new ("fake-gemini", server_thread, self);
  g_mutex_lock (&self->run_lock);
  while (!self->running)
    g_cond_wait (&self->run_cond, &self->run_lock);
  g_mutex_unlock (&self->run_lock);
  if (self->start_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      join_thread (self);
      return FALSE;
    }
  return TRUE;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
lw_fake_gemini_stop (LwFakeGemini *self)
{
  if (self->thread == NULL)
    return;
  g_main_context_invoke (self->context, quit_cb, self->loop);
  join_thread (self);
}

guint16
lw_fake_gemini_get_port (LwFakeGemini *self)
{
  return self->port;
}

char *
lw_fake_gemini_dup_base_url (LwFakeGemini *self)
{
  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

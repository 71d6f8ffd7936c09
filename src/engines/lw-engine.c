/* lw-engine.c — the engine interface, its error domain and its records. */
#include "config.h"

#include "lw-engine.h"

typedef struct {
  gint64 retry_delay_ms;
} LwEngineErrorPrivate;

static void
lw_engine_error_private_init (LwEngineErrorPrivate *priv)
{
  if (priv != NULL)
    priv->retry_delay_ms = -1;
}

static void
lw_engine_error_private_copy (const LwEngineErrorPrivate *src,
                              LwEngineErrorPrivate       *dest)
{
  if (src != NULL && dest != NULL)
    dest->retry_delay_ms = src->retry_delay_ms;
}

static void
lw_engine_error_private_clear (LwEngineErrorPrivate *priv)
{
}

G_DEFINE_EXTENDED_ERROR (LwEngineError, lw_engine_error)

gint64
lw_engine_error_get_retry_delay_ms (const GError *error)
{
  LwEngineErrorPrivate *priv;

  if (error == NULL || error->domain != LW_ENGINE_ERROR)
    return -1;
  priv = lw_engine_error_get_private (error);
  return priv != NULL ? priv->retry_delay_ms : -1;
}

void
lw_engine_error_set_retry_delay_ms (GError *error, gint64 delay_ms)
{
  LwEngineErrorPrivate *priv;

  g_return_if_fail (error != NULL && error->domain == LW_ENGINE_ERROR);
  priv = lw_engine_error_get_private (error);
  if (priv != NULL)
    priv->retry_delay_ms = delay_ms;
}

GError *
lw_engine_error_new_with_delay (LwEngineErrorCode code,
                                gint64            retry_delay_ms,
                                const char       *format,
                                ...)
{
  g_autofree char *message = NULL;
  GError *error;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  error = g_error_new_literal (LW_ENGINE_ERROR, code, message);
  lw_engine_error_set_retry_delay_ms (error, retry_delay_ms);
  return error;
}

LwErrorClass
lw_engine_error_classify (const GError *error)
{
  g_return_val_if_fail (error != NULL, LW_ERROR_CLASS_PERMANENT);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return LW_ERROR_CLASS_CANCELLED;

  if (error->domain == LW_ENGINE_ERROR)
    {
      switch ((LwEngineErrorCode) error->code)
        {
        case LW_ENGINE_ERROR_RATE_LIMITED:
        case LW_ENGINE_ERROR_SERVER:
        case LW_ENGINE_ERROR_TIMEOUT:
        case LW_ENGINE_ERROR_NETWORK:
        case LW_ENGINE_ERROR_TRUNCATED:
          return LW_ERROR_CLASS_TRANSIENT;
        case LW_ENGINE_ERROR_AUTH:
        case LW_ENGINE_ERROR_MODEL_NOT_FOUND:
        case LW_ENGINE_ERROR_QUOTA_EXHAUSTED:
        case LW_ENGINE_ERROR_OFFLINE:
        case LW_ENGINE_ERROR_SPEND_CAP:
        case LW_ENGINE_ERROR_DISK_FULL:
          return LW_ERROR_CLASS_PAUSE;
        case LW_ENGINE_ERROR_SAFETY_BLOCKED:
          return LW_ERROR_CLASS_REFUSED;
        case LW_ENGINE_ERROR_NO_IMAGE:
          return LW_ERROR_CLASS_NO_IMAGE;
        case LW_ENGINE_ERROR_BAD_REQUEST:
        case LW_ENGINE_ERROR_BAD_INPUT:
        case LW_ENGINE_ERROR_FAILED:
          return LW_ERROR_CLASS_PERMANENT;
        default:
          return LW_ERROR_CLASS_PERMANENT;
        }
    }

  /* An I/O error that escaped an engine unmapped is most likely the network
   * or the disk hiccuping: worth another try, within the retry limit. */
  if (error->domain == G_IO_ERROR)
    return LW_ERROR_CLASS_TRANSIENT;

  return LW_ERROR_CLASS_PERMANENT;
}

const char *
lw_engine_error_code_to_string (const GError *error)
{
  if (error == NULL)
    return NULL;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  if (error->domain != LW_ENGINE_ERROR)
    return error->domain == G_IO_ERROR ? "io" : "failed";

  switch ((LwEngineErrorCode) error->code)
    {
    case LW_ENGINE_ERROR_RATE_LIMITED: return "rate_limited";
    case LW_ENGINE_ERROR_SERVER: return "server";
    case LW_ENGINE_ERROR_TIMEOUT: return "timeout";
    case LW_ENGINE_ERROR_NETWORK: return "network";
    case LW_ENGINE_ERROR_TRUNCATED: return "truncated";
    case LW_ENGINE_ERROR_AUTH: return "auth";
    case LW_ENGINE_ERROR_MODEL_NOT_FOUND: return "model_not_found";
    case LW_ENGINE_ERROR_QUOTA_EXHAUSTED: return "quota_exhausted";
    case LW_ENGINE_ERROR_OFFLINE: return "offline";
    case LW_ENGINE_ERROR_SPEND_CAP: return "spend_cap";
    case LW_ENGINE_ERROR_DISK_FULL: return "disk_full";
    case LW_ENGINE_ERROR_SAFETY_BLOCKED: return "safety_blocked";
    case LW_ENGINE_ERROR_NO_IMAGE: return "no_image";
    case LW_ENGINE_ERROR_BAD_REQUEST: return "bad_request";
    case LW_ENGINE_ERROR_BAD_INPUT: return "bad_input";
    case LW_ENGINE_ERROR_FAILED: return "failed";
    default: return "failed";
    }
}

LwEngineRequest *
lw_engine_request_new (void)
{
  return g_atomic_rc_box_new0 (LwEngineRequest);
}

LwEngineRequest *
lw_engine_request_ref (LwEngineRequest *request)
{
  return g_atomic_rc_box_acquire (request);
}

static void
lw_engine_request_clear (LwEngineRequest *request)
{
  g_free (request->module_id);
  g_free (request->model);
  g_free (request->original_name);
  g_free (request->input_path);
  g_free (request->input_mime);
  g_free (request->prompt);
  g_free (request->module_prompt);
  g_free (request->specific_prompt);
}

void
lw_engine_request_unref (LwEngineRequest *request)
{
  g_atomic_rc_box_release_full (request, (GDestroyNotify) lw_engine_request_clear);
}

G_DEFINE_BOXED_TYPE (LwEngineRequest, lw_engine_request,
                     lw_engine_request_ref, lw_engine_request_unref)

LwEngineResult *
lw_engine_result_new (GBytes *data, const char *mime)
{
  LwEngineResult *result = g_new0 (LwEngineResult, 1);

  result->data = data != NULL ? g_bytes_ref (data) : NULL;
  result->mime = g_strdup (mime);
  return result;
}

void
lw_engine_result_free (LwEngineResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->data, g_bytes_unref);
  g_free (result->mime);
  g_free (result->text);
  g_free (result->notes);
  g_free (result);
}

G_DEFINE_INTERFACE (LwEngine, lw_engine, G_TYPE_OBJECT)

static void
lw_engine_default_init (LwEngineInterface *iface)
{
}

const char *
lw_engine_get_name (LwEngine *self)
{
  g_return_val_if_fail (LW_IS_ENGINE (self), NULL);
  return LW_ENGINE_GET_IFACE (self)->get_name (self);
}

char *
lw_engine_dup_signature (LwEngine *self, const char *model)
{
  LwEngineInterface *iface;

  g_return_val_if_fail (LW_IS_ENGINE (self), NULL);
  iface = LW_ENGINE_GET_IFACE (self);
  if (iface->dup_signature != NULL)
    return iface->dup_signature (self, model);
  return g_strdup_printf ("%s:%s", iface->get_name (self), model);
}

double
lw_engine_get_cost (LwEngine *self, const char *model)
{
  LwEngineInterface *iface;

  g_return_val_if_fail (LW_IS_ENGINE (self), 0);
  iface = LW_ENGINE_GET_IFACE (self);
  return iface->get_cost != NULL ? iface->get_cost (self, model) : 0;
}

void
lw_engine_process_async (LwEngine            *self,
                         LwEngineRequest     *request,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (LW_IS_ENGINE (self));
  g_return_if_fail (request != NULL);
  LW_ENGINE_GET_IFACE (self)->process_async (self, request, cancellable, callback, user_data);
}

LwEngineResult *
lw_engine_process_finish (LwEngine      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (LW_IS_ENGINE (self), NULL);
  return LW_ENGINE_GET_IFACE (self)->process_finish (self, result, error);
}

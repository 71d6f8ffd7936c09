/* lw-local-engine.c — the offline engine: GEGL recipes, no key, no network. */
#include "config.h"

#include "lw-local-engine.h"
#include "lw-thread.h"
#include "lw-local-recipes.h"
#include "lw-local-render.h"

struct _LwLocalEngine
{
  GObject      parent_instance;
  GThreadPool *pool;
  int          threads;
};

enum {
  PROP_0,
  PROP_THREADS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Set in the pool's threads: an engine whose last reference is dropped by
 * its own worker must not wait for that worker to finish. */
static GPrivate in_worker;

static void lw_local_engine_iface_init (LwEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LwLocalEngine, lw_local_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LW_TYPE_ENGINE, lw_local_engine_iface_init))

static void
worker_func (gpointer data,
             gpointer user_data)
{
  GTask *task = data;
  g_autoptr(GError) error = NULL;
  LwEngineRequest *request = g_task_get_task_data (task);
  LwEngineResult *result;

  g_private_set (&in_worker, GINT_TO_POINTER (TRUE));
  lw_thread_set_background ();
  result = lw_local_render (request, g_task_get_cancellable (task), &error);
  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) lw_engine_result_free);
  else
    g_task_return_error (task, g_steal_pointer (&error));
  /* Never the last reference here: that would finalize the engine, and
   * free this pool, on one of its own threads. */
  lw_task_unref_in_context (task);
}

static const char *
lw_local_engine_get_name (LwEngine *engine)
{
  return "local";
}

static char *
lw_local_engine_dup_signature (LwEngine   *engine,
                               const char *model)
{
  return g_strdup_printf ("local:recipes-%d", LW_LOCAL_RECIPE_VERSION);
}

static double
lw_local_engine_get_cost (LwEngine   *engine,
                          const char *model)
{
  return 0;
}

static void
lw_local_engine_process_async (LwEngine            *engine,
                               LwEngineRequest     *request,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  LwLocalEngine *self = LW_LOCAL_ENGINE (engine);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, lw_local_engine_process_async);
  g_task_set_task_data (task, lw_engine_request_ref (request),
                        (GDestroyNotify) lw_engine_request_unref);
  if (!g_thread_pool_push (self->pool, g_object_ref (task), &error))
    {
      g_object_unref (task);   /* the reference the pool did not take */
      g_task_return_new_error (task, LW_ENGINE_ERROR, LW_ENGINE_ERROR_FAILED,
                               "%s", error->message);
    }
}

static LwEngineResult *
lw_local_engine_process_finish (LwEngine      *engine,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lw_local_engine_iface_init (LwEngineInterface *iface)
{
  iface->get_name = lw_local_engine_get_name;
  iface->dup_signature = lw_local_engine_dup_signature;
  iface->get_cost = lw_local_engine_get_cost;
  iface->process_async = lw_local_engine_process_async;
  iface->process_finish = lw_local_engine_process_finish;
}

static void
lw_local_engine_constructed (GObject *object)
{
  LwLocalEngine *self = LW_LOCAL_ENGINE (object);

  G_OBJECT_CLASS (lw_local_engine_parent_class)->constructed (object);

  if (self->threads <= 0)
    self->threads = (int) g_get_num_processors ();
  self->pool = g_thread_pool_new (worker_func, NULL, self->threads, FALSE, NULL);
}

static void
lw_local_engine_dispose (GObject *object)
{
  LwLocalEngine *self = LW_LOCAL_ENGINE (object);

  if (self->pool != NULL)
    {
      /* Queued tasks hold a reference to the engine, so by now the pool is
       * idle or finishing the task that dropped the last reference. */
      g_thread_pool_free (self->pool, FALSE, g_private_get (&in_worker) == NULL);
      self->pool = NULL;
    }
  G_OBJECT_CLASS (lw_local_engine_parent_class)->dispose (object);
}

static void
lw_local_engine_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LwLocalEngine *self = LW_LOCAL_ENGINE (object);

  switch (prop_id)
    {
    case PROP_THREADS:
      g_value_set_int (value, self->threads);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_local_engine_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LwLocalEngine *self = LW_LOCAL_ENGINE (object);

  switch (prop_id)
    {
    case PROP_THREADS:
      self->threads = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_local_engine_class_init (LwLocalEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = lw_local_engine_constructed;
  object_class->dispose = lw_local_engine_dispose;
  object_class->get_property = lw_local_engine_get_property;
  object_class->set_property = lw_local_engine_set_property;

  /* 64: more photos at once than any machine has cores only costs memory */
  properties[PROP_THREADS] =
    g_param_spec_int ("threads", NULL, NULL, 0, 64, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lw_local_engine_init (LwLocalEngine *self)
{
}

LwLocalEngine *
lw_local_engine_new (int threads)
{
  return g_object_new (LW_TYPE_LOCAL_ENGINE, "threads", CLAMP (threads, 0, 64), NULL);
}

int
lw_local_engine_get_threads (LwLocalEngine *self)
{
  g_return_val_if_fail (LW_IS_LOCAL_ENGINE (self), 0);
  return self->threads;
}

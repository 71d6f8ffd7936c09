/* lw-local-op-common.c — what the classes of the local GEGL operations share. */
#include "config.h"

#include <operation/gegl-operation-filter.h>
#include <operation/gegl-operation-point-filter.h>

#include "lw-local-op-common.h"

#define NUMBER_FLAGS (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS)

static void
lw_local_op_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  gpointer field = G_STRUCT_MEMBER_P (object, prop_id);

  switch (G_PARAM_SPEC_VALUE_TYPE (pspec))
    {
    case G_TYPE_POINTER:
      *(gpointer *) field = g_value_get_pointer (value);
      break;
    case G_TYPE_INT:
      *(int *) field = g_value_get_int (value);
      break;
    case G_TYPE_DOUBLE:
      *(double *) field = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_local_op_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  gpointer field = G_STRUCT_MEMBER_P (object, prop_id);

  switch (G_PARAM_SPEC_VALUE_TYPE (pspec))
    {
    case G_TYPE_POINTER:
      g_value_set_pointer (value, *(gpointer *) field);
      break;
    case G_TYPE_INT:
      g_value_set_int (value, *(int *) field);
      break;
    case G_TYPE_DOUBLE:
      g_value_set_double (value, *(double *) field);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
class_setup (GeglOperationClass *klass,
             const char         *name,
             const char         *description)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = lw_local_op_set_property;
  object_class->get_property = lw_local_op_get_property;
  gegl_operation_class_set_keys (klass,
                                 "name", name,
                                 "categories", "hidden",
                                 "description", description,
                                 NULL);
}

void
lw_local_op_point_class_setup (GeglOperationClass  *klass,
                               const char          *name,
                               const char          *description,
                               LwLocalPointProcess  process)
{
  class_setup (klass, name, description);
  klass->prepare = lw_local_op_prepare_rgba_float;
  GEGL_OPERATION_POINT_FILTER_CLASS (klass)->process = process;
}

void
lw_local_op_filter_class_setup (GeglOperationClass   *klass,
                                const char           *name,
                                const char           *description,
                                LwLocalFilterProcess  process)
{
  class_setup (klass, name, description);
  GEGL_OPERATION_FILTER_CLASS (klass)->process = process;
}

static void
add_property (GeglOperationClass *klass,
              glong               offset,
              GParamSpec         *pspec)
{
  g_return_if_fail (offset >= (glong) sizeof (GeglOperation));
  g_object_class_install_property (G_OBJECT_CLASS (klass), (guint) offset, pspec);
}

void
lw_local_op_class_add_pointer (GeglOperationClass *klass,
                               const char         *name,
                               glong               offset)
{
  add_property (klass, offset,
                g_param_spec_pointer (name, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

void
lw_local_op_class_add_int (GeglOperationClass *klass,
                           const char         *name,
                           glong               offset,
                           int                 minimum,
                           int                 maximum,
                           int                 default_value)
{
  add_property (klass, offset,
                g_param_spec_int (name, NULL, NULL, minimum, maximum, default_value, NUMBER_FLAGS));
}

void
lw_local_op_class_add_double (GeglOperationClass *klass,
                              const char         *name,
                              glong               offset,
                              double              minimum,
                              double              maximum,
                              double              default_value)
{
  add_property (klass, offset,
                g_param_spec_double (name, NULL, NULL, minimum, maximum, default_value, NUMBER_FLAGS));
}

void
lw_local_op_prepare_rgba_float (GeglOperation *operation)
{
  const Babl *format = babl_format ("RGBA float");

  gegl_operation_set_format (operation, "input", format);
  gegl_operation_set_format (operation, "output", format);
}

GeglRectangle
lw_local_op_source_box (GeglOperation *operation)
{
  GeglRectangle *in = gegl_operation_source_get_bounding_box (operation, "input");

  return in != NULL ? *in : (GeglRectangle) { 0, 0, 0, 0 };
}

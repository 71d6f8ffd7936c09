/* lw-local-op-encode.c — lw:encode, linear RGBA floats to 8-bit sRGB.
 *
 * The last step of every recipe, done here rather than left to babl. babl
 * picks a conversion among candidates within its error tolerance by timing
 * them as the process runs, so the same photo came out of two runs with
 * codes one apart here and there (0.05–0.09 % of the pixels of the tuning
 * photos differed, by up to 6 levels after JPEG). This one is exact: a
 * code is round (255 · sRGB (v)), found by comparing v with the linear
 * values where the code changes (a table of 4096 starting points, then at
 * most a step or two), and it does not depend on timing, threads or
 * machine.
 */
#include "config.h"

#include <gegl-plugin.h>
#include <math.h>
#include <operation/gegl-operation-point-filter.h>

#include "lw-local-op-common.h"
#include "lw-local-ops.h"

#define START_BINS 4096

typedef struct {
  GeglOperationPointFilter parent_instance;
  int alpha;
} LwLocalOpEncode;

typedef struct {
  GeglOperationPointFilterClass parent_class;
} LwLocalOpEncodeClass;

G_DEFINE_TYPE (LwLocalOpEncode, lw_local_op_encode, GEGL_TYPE_OPERATION_POINT_FILTER)

/* threshold[k]: the linear value from which the code is k (k = 1–255);
 * start[b]: the code at v = b / START_BINS. Between two starting points
 * the code rises by less than one (the steepest part of the sRGB curve,
 * slope 12.92, gives 255 · 12.92 / 4096 = 0.8 codes a bin). */
static struct {
  double threshold[257];
  guint8 start[START_BINS];
} table;

static void
table_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      int k, b, code = 0;

      table.threshold[0] = -G_MAXDOUBLE;
      for (k = 1; k <= 255; k++)
        table.threshold[k] = lw_local_srgb_to_linear ((k - 0.5) / 255.0);
      table.threshold[256] = G_MAXDOUBLE;
      for (b = 0; b < START_BINS; b++)
        {
          while ((double) b / START_BINS >= table.threshold[code + 1])
            code++;
          table.start[b] = (guint8) code;
        }
      g_once_init_leave (&done, 1);
    }
}

static inline guint8
encode (float v)
{
  int code;

  if (!(v > 0.f))  /* NaN too */
    return 0;
  if (v >= 1.f)
    return 255;
  code = table.start[(int) (v * START_BINS)];
  while (v >= table.threshold[code + 1])
    code++;
  return (guint8) code;
}

void
lw_local_encode_srgb8 (const float *in,
                       guint8      *out,
                       glong        n_pixels,
                       gboolean     alpha)
{
  glong i;

  table_init ();
  for (i = 0; i < n_pixels; i++)
    {
      out[0] = encode (in[0]);
      out[1] = encode (in[1]);
      out[2] = encode (in[2]);
      if (alpha)
        {
          float a = in[3];

          out[3] = !(a > 0.f) ? 0 : a >= 1.f ? 255 : (guint8) (a * 255.f + 0.5f);
          out += 4;
        }
      else
        out += 3;
      in += 4;
    }
}

static void
prepare (GeglOperation *operation)
{
  LwLocalOpEncode *self = (LwLocalOpEncode *) operation;

  gegl_operation_set_format (operation, "input", babl_format ("RGBA float"));
  gegl_operation_set_format (operation, "output", babl_format (self->alpha ? "R'G'B'A u8" : "R'G'B' u8"));
}

static gboolean
process (GeglOperation       *operation,
         void                *in_buf,
         void                *out_buf,
         glong                n_pixels,
         const GeglRectangle *roi,
         gint                 level)
{
  lw_local_encode_srgb8 (in_buf, out_buf, n_pixels, ((LwLocalOpEncode *) operation)->alpha);
  return TRUE;
}

static void
lw_local_op_encode_class_init (LwLocalOpEncodeClass *klass)
{
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);

  lw_local_op_point_class_setup (operation_class, "lw:encode", "LightWork exact 8-bit sRGB encoding", process);
  operation_class->prepare = prepare;
  lw_local_op_class_add_int (operation_class, "alpha", G_STRUCT_OFFSET (LwLocalOpEncode, alpha), 0, 1, 0);
  table_init ();
}

static void
lw_local_op_encode_init (LwLocalOpEncode *self)
{
}

/* lw-local-op-sharpen.c — lw:sharpen, unsharp masking of luminance.
 *
 * On luminance only, so edges get crisper without coloured fringes, and
 * in a square-root (roughly perceptual) encoding, so a dark edge and a
 * bright one are sharpened alike. Differences smaller than the threshold
 * (noise, skin pores) are left alone. A plain area filter: each chunk reads
 * its own margin of 3σ and nothing is cached between chunks.
 */
#include "config.h"

#include <gegl-plugin.h>
#include <math.h>
#include <operation/gegl-operation-area-filter.h>

#include "lw-local-op-common.h"
#include "lw-local-ops.h"

typedef struct {
  GeglOperationAreaFilter parent_instance;
  double sigma;
  double amount;
  double threshold;
} LwLocalOpSharpen;

typedef struct {
  GeglOperationAreaFilterClass parent_class;
} LwLocalOpSharpenClass;

G_DEFINE_TYPE (LwLocalOpSharpen, lw_local_op_sharpen, GEGL_TYPE_OPERATION_AREA_FILTER)

static int
radius_of (LwLocalOpSharpen *self)
{
  return MAX (1, (int) ceil (3 * self->sigma));
}

static void
prepare (GeglOperation *operation)
{
  GeglOperationAreaFilter *area = GEGL_OPERATION_AREA_FILTER (operation);
  int r = radius_of ((LwLocalOpSharpen *) operation);

  area->left = area->right = area->top = area->bottom = r;
  lw_local_op_prepare_rgba_float (operation);
}

static gboolean
process (GeglOperation       *operation,
         GeglBuffer          *input,
         GeglBuffer          *output,
         const GeglRectangle *roi,
         gint                 level)
{
  LwLocalOpSharpen *self = (LwLocalOpSharpen *) operation;
  const Babl *format = babl_format ("RGBA float");
  int r = radius_of (self);
  GeglRectangle src = { roi->x - r, roi->y - r, roi->width + 2 * r, roi->height + 2 * r };
  gsize n_src = (gsize) src.width * src.height;
  g_autofree float *pixels = g_new (float, n_src * 4);
  g_autofree float *lum = g_new (float, n_src);
  g_autofree float *across = g_new (float, (gsize) src.height * roi->width);
  g_autofree float *out = g_new (float, (gsize) roi->width * roi->height * 4);
  g_autofree float *kernel = g_new (float, 2 * r + 1);
  float sum = 0, amount = (float) self->amount, threshold = (float) self->threshold;
  gsize i;
  int x, y, k;

  for (k = -r; k <= r; k++)
    sum += kernel[k + r] = expf (-(float) (k * k) / (float) (2 * self->sigma * self->sigma));
  for (k = 0; k <= 2 * r; k++)
    kernel[k] /= sum;

  gegl_buffer_get (input, &src, 1.0, format, pixels, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_CLAMP);
  for (i = 0; i < n_src; i++)
    lum[i] = sqrtf (MAX (lw_local_luminance (pixels + i * 4), 0.f));

  /* separable Gaussian: along rows, then down the columns */
  for (y = 0; y < src.height; y++)
    for (x = 0; x < roi->width; x++)
      {
        const float *l = lum + (gsize) y * src.width + x;
        float acc = 0;

        for (k = 0; k <= 2 * r; k++)
          acc += kernel[k] * l[k];
        across[(gsize) y * roi->width + x] = acc;
      }

  for (y = 0; y < roi->height; y++)
    for (x = 0; x < roi->width; x++)
      {
        gsize s = ((gsize) (y + r) * src.width + x + r);
        const float *p = pixels + s * 4;
        float *o = out + ((gsize) y * roi->width + x) * 4;
        float blur = 0, l = lum[s], d, l2, weight, y_old;
        int c;

        for (k = 0; k <= 2 * r; k++)
          blur += kernel[k] * across[(gsize) (y + k) * roi->width + x];
        d = l - blur;
        weight = threshold > 0 ? 1.f - expf (-(d / threshold) * (d / threshold)) : 1.f;
        l2 = MAX (l + amount * weight * d, 0.f);
        y_old = l * l;
        if (y_old > 1e-6f)
          {
            float ratio = l2 * l2 / y_old;

            for (c = 0; c < 3; c++)
              o[c] = p[c] * ratio;
          }
        else
          {
            for (c = 0; c < 3; c++)
              o[c] = p[c] + (l2 * l2 - y_old);
          }
        o[3] = p[3];
      }

  gegl_buffer_set (output, roi, 0, format, out, GEGL_AUTO_ROWSTRIDE);
  return TRUE;
}

static void
lw_local_op_sharpen_class_init (LwLocalOpSharpenClass *klass)
{
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);

  lw_local_op_filter_class_setup (operation_class, "lw:sharpen", "Unsharp mask on perceptual luminance", process);
  /* σ up to 10 px keeps the margin a chunk reads at 30 px */
  lw_local_op_class_add_double (operation_class, "sigma", G_STRUCT_OFFSET (LwLocalOpSharpen, sigma), 0.3, 10.0, 1.0);
  lw_local_op_class_add_double (operation_class, "amount", G_STRUCT_OFFSET (LwLocalOpSharpen, amount), 0.0, 5.0, 0.5);
  lw_local_op_class_add_double (operation_class, "threshold", G_STRUCT_OFFSET (LwLocalOpSharpen, threshold),
                                0.0, 1.0, 0.0);
  operation_class->prepare = prepare;
  /* The photo keeps its size: the margin is read (clamped at the edges),
   * never added. */
  operation_class->get_bounding_box = lw_local_op_source_box;
}

static void
lw_local_op_sharpen_init (LwLocalOpSharpen *self)
{
}

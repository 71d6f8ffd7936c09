/* lw-local-op-detail.c — lw:detail, edge-aware smoothing as a point filter.
 *
 * out = in + amount · w · (base − in), where base is a Gaussian-blurred copy
 * of the photo and w falls to 0 where the pixel differs from its blurred
 * neighbourhood by more than tau: a real edge (an eyelash, the rim of an
 * iris) differs a lot and is kept as it is, skin texture differs a little
 * and is softened. With skin_only, w is also weighted by how skin-coloured
 * the pixel is, so hair, eyes, lips and clothes keep all their texture.
 *
 * The blurred copy is made once, small (a blur of σ 16 px at 12 MP is a blur
 * of σ 6 px at 1600 px wide, with nothing lost: a blurred image has no
 * detail a smaller copy cannot hold), and sampled here bilinearly. A full
 * resolution Gaussian would make every chunk read a margin of 3σ.
 */
#include "config.h"

#include <gegl-plugin.h>
#include <operation/gegl-operation-point-filter.h>

#include "lw-local-op-common.h"
#include "lw-local-ops.h"

typedef struct {
  GeglOperationPointFilter parent_instance;
  const LwLocalDetail *params;
} LwLocalOpDetail;

typedef struct {
  GeglOperationPointFilterClass parent_class;
} LwLocalOpDetailClass;

G_DEFINE_TYPE (LwLocalOpDetail, lw_local_op_detail, GEGL_TYPE_OPERATION_POINT_FILTER)

static float
window (float v, float lo, float hi, float soft)
{
  return lw_local_smoothstep (lo - soft, lo + soft, v)
         * (1.f - lw_local_smoothstep (hi - soft, hi + soft, v));
}

/* Skin likelihood from the chroma of the gamma-encoded colour: the
 * Cb ∈ [77, 127], Cr ∈ [133, 173] box of Chai & Ngan (1999), softened so
 * the smoothing fades in and out instead of stopping at a line. */
static float
skin_weight (const float *rgb)
{
  float r = sqrtf (MAX (rgb[0], 0.f)) * 255.f;   /* γ ≈ 2 is close enough here */
  float g = sqrtf (MAX (rgb[1], 0.f)) * 255.f;
  float b = sqrtf (MAX (rgb[2], 0.f)) * 255.f;
  float y = 0.299f * r + 0.587f * g + 0.114f * b;
  float cb = 128.f - 0.168736f * r - 0.331264f * g + 0.5f * b;
  float cr = 128.f + 0.5f * r - 0.418688f * g - 0.081312f * b;

  return window (cb, 77.f, 127.f, 6.f) * window (cr, 133.f, 173.f, 6.f)
         * lw_local_smoothstep (30.f, 60.f, y);
}

static gboolean
process (GeglOperation       *operation,
         void                *in_buf,
         void                *out_buf,
         glong                n_pixels,
         const GeglRectangle *roi,
         gint                 level)
{
  LwLocalOpDetail *self = (LwLocalOpDetail *) operation;
  const LwLocalDetail *p = self->params;
  const float *in = in_buf;
  float *out = out_buf;
  float scale = (float) (1 << level);
  int col = 0, row = 0;
  glong i;

  for (i = 0; i < n_pixels; i++)
    {
      float w = 0.f, aux[4] = { 0.f, 0.f, 0.f, 0.f };
      int c;

      if (p != NULL && p->base != NULL)
        {
          float x = (float) (roi->x + col) * scale;
          float y = (float) (roi->y + row) * scale;
          float diff = 0.f;

          lw_local_image_sample (p->base, p->sx, p->sy, x, y, aux);
          for (c = 0; c < 3; c++)
            diff = MAX (diff, fabsf (in[c] - aux[c]));
          diff /= lw_local_luminance (aux) + 0.02f;
          w = p->amount * expf (-(diff / p->tau) * (diff / p->tau));
          if (p->skin_only)
            w *= skin_weight (in);
        }
      for (c = 0; c < 3; c++)
        out[c] = w > 0.f ? in[c] + w * (aux[c] - in[c]) : in[c];
      out[3] = in[3];
      in += 4;
      out += 4;
      lw_local_op_next_pixel (&col, &row, roi);
    }
  return TRUE;
}

static void
lw_local_op_detail_class_init (LwLocalOpDetailClass *klass)
{
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);

  lw_local_op_point_class_setup (operation_class, "lw:detail", "Edge-aware blend with a smoothed copy", process);
  lw_local_op_class_add_pointer (operation_class, "params", G_STRUCT_OFFSET (LwLocalOpDetail, params));
}

static void
lw_local_op_detail_init (LwLocalOpDetail *self)
{
}

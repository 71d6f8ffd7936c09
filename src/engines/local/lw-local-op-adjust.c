/* lw-local-op-adjust.c — lw:adjust, the colour pipeline as a GEGL point filter.
 *
 * All the per-pixel work of a recipe happens here in one pass, in linear
 * light, so a 50 MP photo is read and written once however many colour
 * steps the recipe has. The maths lives in lw-local-pixel.h, shared with the
 * planner; this file only walks the pixels of each chunk.
 */
#include "config.h"

#include <gegl-plugin.h>
#include <operation/gegl-operation-point-filter.h>
#include <string.h>

#include "lw-local-op-common.h"
#include "lw-local-ops.h"

typedef struct {
  GeglOperationPointFilter parent_instance;
  const LwLocalTone *tone;
  const LwLocalStudio *studio;
} LwLocalOpAdjust;

typedef struct {
  GeglOperationPointFilterClass parent_class;
} LwLocalOpAdjustClass;

G_DEFINE_TYPE (LwLocalOpAdjust, lw_local_op_adjust, GEGL_TYPE_OPERATION_POINT_FILTER)

static gboolean
process (GeglOperation       *operation,
         void                *in_buf,
         void                *out_buf,
         glong                n_pixels,
         const GeglRectangle *roi,
         gint                 level)
{
  LwLocalOpAdjust *self = (LwLocalOpAdjust *) operation;
  const float *in = in_buf;
  float *out = out_buf;
  const LwLocalTone *tone = self->tone;
  const LwLocalStudio *studio = self->studio;
  float scale = (float) (1 << level);
  int col = 0, row = 0;
  glong i;

  if (tone == NULL)
    {
      if (in != out)
        memcpy (out, in, sizeof (float) * 4 * n_pixels);
      return TRUE;
    }

  for (i = 0; i < n_pixels; i++)
    {
      float x = (float) (roi->x + col) * scale;
      float y = (float) (roi->y + row) * scale;
      float rgb[3] = { in[0], in[1], in[2] };
      float alpha = in[3];

      if (studio != NULL)
        {
          float a = lw_local_studio_alpha (studio, in, x, y);
          float white = lw_local_studio_shadow (studio, x, y);
          int c;

          if (a > 0.f)
            lw_local_tone_apply (tone, rgb, x, y);
          for (c = 0; c < 3; c++)
            out[c] = rgb[c] * a + white * (1.f - a);
          /* The background becomes opaque white: a cut-out keeps no
           * transparency of the original around the product. */
          out[3] = 1.f;
        }
      else
        {
          lw_local_tone_apply (tone, rgb, x, y);
          out[0] = rgb[0];
          out[1] = rgb[1];
          out[2] = rgb[2];
          out[3] = alpha;
        }
      in += 4;
      out += 4;
      lw_local_op_next_pixel (&col, &row, roi);
    }
  return TRUE;
}

static void
lw_local_op_adjust_class_init (LwLocalOpAdjustClass *klass)
{
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);

  lw_local_op_point_class_setup (operation_class, "lw:adjust", "LightWork colour pipeline", process);
  lw_local_op_class_add_pointer (operation_class, "tone", G_STRUCT_OFFSET (LwLocalOpAdjust, tone));
  lw_local_op_class_add_pointer (operation_class, "studio", G_STRUCT_OFFSET (LwLocalOpAdjust, studio));
}

static void
lw_local_op_adjust_init (LwLocalOpAdjust *self)
{
}

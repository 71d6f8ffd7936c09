/* lw-local-op-orient.c — lw:orient, EXIF orientation as a GEGL filter.
 *
 * GEGL's transform operations would resample; an orientation is a pure
 * permutation of pixels, so this reads the source rectangle an output chunk
 * needs and permutes it, in the source's own pixel format. Only the chunk
 * in flight is ever in memory.
 */
#include "config.h"

#include <gegl-plugin.h>
#include <operation/gegl-operation-filter.h>
#include <string.h>

#include "lw-local-op-common.h"
#include "lw-local-ops.h"

typedef struct {
  GeglOperationFilter parent_instance;
  int orientation;
} LwLocalOpOrient;

typedef struct {
  GeglOperationFilterClass parent_class;
} LwLocalOpOrientClass;

G_DEFINE_TYPE (LwLocalOpOrient, lw_local_op_orient, GEGL_TYPE_OPERATION_FILTER)

void
lw_local_orient_map (int  orientation,
                     int  width,
                     int  height,
                     int  u,
                     int  v,
                     int *x,
                     int *y)
{
  switch (orientation)
    {
    case 2: *x = width - 1 - u; *y = v; break;                  /* mirrored */
    case 3: *x = width - 1 - u; *y = height - 1 - v; break;     /* 180° */
    case 4: *x = u; *y = height - 1 - v; break;                 /* flipped */
    case 5: *x = v; *y = u; break;                              /* transposed */
    case 6: *x = v; *y = height - 1 - u; break;                 /* 90° clockwise */
    case 7: *x = width - 1 - v; *y = height - 1 - u; break;     /* transversed */
    case 8: *x = width - 1 - v; *y = u; break;                  /* 90° counter-clockwise */
    default: *x = u; *y = v; break;
    }
}

static GeglRectangle
get_bounding_box (GeglOperation *operation)
{
  LwLocalOpOrient *self = (LwLocalOpOrient *) operation;
  GeglRectangle box = lw_local_op_source_box (operation);

  if (self->orientation >= 5)
    {
      int t = box.width;
      box.width = box.height;
      box.height = t;
    }
  return box;
}

/* The stored-image rectangle an upright rectangle comes from. */
static GeglRectangle
map_rect (LwLocalOpOrient     *self,
          const GeglRectangle *src,
          const GeglRectangle *roi)
{
  GeglRectangle r;
  int x0, y0, x1, y1;

  lw_local_orient_map (self->orientation, src->width, src->height,
                       roi->x - src->x, roi->y - src->y, &x0, &y0);
  lw_local_orient_map (self->orientation, src->width, src->height,
                       roi->x - src->x + roi->width - 1, roi->y - src->y + roi->height - 1,
                       &x1, &y1);
  r.x = MIN (x0, x1) + src->x;
  r.y = MIN (y0, y1) + src->y;
  r.width = ABS (x1 - x0) + 1;
  r.height = ABS (y1 - y0) + 1;
  return r;
}

static GeglRectangle
get_required_for_output (GeglOperation       *operation,
                         const gchar         *input_pad,
                         const GeglRectangle *roi)
{
  GeglRectangle src = lw_local_op_source_box (operation);
  GeglRectangle need;

  if (roi->width <= 0 || roi->height <= 0 || src.width <= 0)
    return (GeglRectangle) { 0, 0, 0, 0 };
  need = map_rect ((LwLocalOpOrient *) operation, &src, roi);
  gegl_rectangle_intersect (&need, &need, &src);
  return need;
}

static GeglRectangle
get_invalidated_by_change (GeglOperation       *operation,
                           const gchar         *input_pad,
                           const GeglRectangle *input_roi)
{
  /* The graphs are built once and never edited: the whole output is as
   * good an answer as any. */
  return get_bounding_box (operation);
}

static void
prepare (GeglOperation *operation)
{
  const Babl *format = gegl_operation_get_source_format (operation, "input");

  if (format == NULL)
    format = babl_format ("RGBA float");
  gegl_operation_set_format (operation, "input", format);
  gegl_operation_set_format (operation, "output", format);
}

static gboolean
process (GeglOperation       *operation,
         GeglBuffer          *input,
         GeglBuffer          *output,
         const GeglRectangle *roi,
         gint                 level)
{
  LwLocalOpOrient *self = (LwLocalOpOrient *) operation;
  const Babl *format = gegl_operation_get_format (operation, "output");
  GeglRectangle src = lw_local_op_source_box (operation);
  GeglRectangle need;
  int bpp = babl_format_get_bytes_per_pixel (format);
  g_autofree guint8 *in_data = NULL;
  g_autofree guint8 *out_data = NULL;
  int u, v;

  if (level != 0)
    {
      /* The engine renders at full resolution only; a reduced level would
       * need the source box at that level, which GEGL does not hand us. */
      g_warning ("lw:orient: only level 0 is supported");
      return FALSE;
    }
  if (roi->width <= 0 || roi->height <= 0)
    return TRUE;

  need = map_rect (self, &src, roi);
  in_data = g_malloc ((gsize) need.width * need.height * bpp);
  out_data = g_malloc ((gsize) roi->width * roi->height * bpp);
  gegl_buffer_get (input, &need, 1.0, format, in_data, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_CLAMP);

  for (v = 0; v < roi->height; v++)
    {
      guint8 *dst = out_data + (gsize) v * roi->width * bpp;

      for (u = 0; u < roi->width; u++)
        {
          int x, y;

          lw_local_orient_map (self->orientation, src.width, src.height,
                               roi->x - src.x + u, roi->y - src.y + v, &x, &y);
          x += src.x - need.x;
          y += src.y - need.y;
          memcpy (dst + (gsize) u * bpp,
                  in_data + ((gsize) y * need.width + x) * bpp, bpp);
        }
    }

  gegl_buffer_set (output, roi, 0, format, out_data, GEGL_AUTO_ROWSTRIDE);
  return TRUE;
}

static void
lw_local_op_orient_class_init (LwLocalOpOrientClass *klass)
{
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);

  lw_local_op_filter_class_setup (operation_class, "lw:orient", "EXIF orientation without resampling", process);
  lw_local_op_class_add_int (operation_class, "orientation", G_STRUCT_OFFSET (LwLocalOpOrient, orientation),
                             1, 8, 1);
  operation_class->prepare = prepare;
  operation_class->get_bounding_box = get_bounding_box;
  operation_class->get_required_for_output = get_required_for_output;
  operation_class->get_invalidated_by_change = get_invalidated_by_change;
}

static void
lw_local_op_orient_init (LwLocalOpOrient *self)
{
  self->orientation = 1;
}

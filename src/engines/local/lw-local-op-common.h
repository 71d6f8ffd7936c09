/* lw-local-op-common.h — what the classes of the local GEGL operations share.
 *
 * Each operation's properties are plain fields of its instance struct, so
 * one pair of property accessors serves them all: a property's id is its
 * field's offset in the instance (never 0, where the parent instance sits),
 * and its value type says how to read and write the field.
 */
#pragma once

#include <gegl-plugin.h>

G_BEGIN_DECLS

typedef gboolean (*LwLocalPointProcess)  (GeglOperation       *operation,
                                          void                *in_buf,
                                          void                *out_buf,
                                          glong                n_pixels,
                                          const GeglRectangle *roi,
                                          gint                 level);
typedef gboolean (*LwLocalFilterProcess) (GeglOperation       *operation,
                                          GeglBuffer          *input,
                                          GeglBuffer          *output,
                                          const GeglRectangle *roi,
                                          gint                 level);

/* Names the operation (categories "hidden": it is ours, not for GEGL's
 * operation lists), installs the shared property accessors and sets
 * process(); a point filter also gets its pixel format, linear RGBA
 * floats. */
void          lw_local_op_point_class_setup  (GeglOperationClass   *klass,
                                              const char           *name,
                                              const char           *description,
                                              LwLocalPointProcess   process);
void          lw_local_op_filter_class_setup (GeglOperationClass   *klass,
                                              const char           *name,
                                              const char           *description,
                                              LwLocalFilterProcess  process);

/* Properties for the field at offset of the instance struct. A pointer is
 * borrowed (lw-local-ops.h): only stored and handed back. A number's
 * default is set at construction. */
void          lw_local_op_class_add_pointer  (GeglOperationClass   *klass,
                                              const char           *name,
                                              glong                 offset);
void          lw_local_op_class_add_int      (GeglOperationClass   *klass,
                                              const char           *name,
                                              glong                 offset,
                                              int                   minimum,
                                              int                   maximum,
                                              int                   default_value);
void          lw_local_op_class_add_double   (GeglOperationClass   *klass,
                                              const char           *name,
                                              glong                 offset,
                                              double                minimum,
                                              double                maximum,
                                              double                default_value);

/* prepare() of an operation that works on linear RGBA floats. */
void          lw_local_op_prepare_rgba_float (GeglOperation        *operation);

/* The bounding box of the operation's input, empty when there is none. */
GeglRectangle lw_local_op_source_box         (GeglOperation        *operation);

/* Point filters are handed the pixels of roi row by row; this steps
 * (col, row) to the next one. Counted, not divided out of the index: two
 * 64-bit divisions a pixel were measurable. */
static inline void
lw_local_op_next_pixel (int                 *col,
                        int                 *row,
                        const GeglRectangle *roi)
{
  if (++*col == roi->width)
    {
      *col = 0;
      ++*row;
    }
}

G_END_DECLS

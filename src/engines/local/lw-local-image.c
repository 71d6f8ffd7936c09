/* lw-local-image.c — small images in memory: previews and maps. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lw-local-image.h"
#include "lw-local-ops.h"

LwLocalImage *
lw_local_image_new (int width,
                    int height)
{
  LwLocalImage *image = g_new0 (LwLocalImage, 1);

  image->width = width;
  image->height = height;
  image->data = g_new0 (float, (gsize) width * height * 4);
  return image;
}

void
lw_local_image_free (LwLocalImage *image)
{
  if (image == NULL)
    return;
  g_free (image->data);
  g_free (image);
}

static const float *
linear_table (void)
{
  static float table[256];
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      int i;

      for (i = 0; i < 256; i++)
        table[i] = (float) lw_local_srgb_to_linear (i / 255.0);
      g_once_init_leave (&done, 1);
    }
  return table;
}

LwLocalImage *
lw_local_image_from_buffer (GeglBuffer *buffer,
                            int         max_edge)
{
  const GeglRectangle *extent = gegl_buffer_get_extent (buffer);
  int long_edge = MAX (extent->width, extent->height);
  const float *lin = linear_table ();
  const Babl *native = gegl_buffer_get_format (buffer);
  const Babl *format;
  LwLocalImage *image;
  g_autofree guint8 *band = NULL;
  g_autofree double *acc = NULL;
  double scale;
  int pw, ph, py, bpp;

  if (long_edge <= max_edge)
    {
      image = lw_local_image_new (extent->width, extent->height);
      gegl_buffer_get (buffer, extent, 1.0, babl_format ("RGBA float"), image->data,
                       GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_CLAMP);
      return image;
    }

  /* Box-average whole source pixels, a band of rows at a time, in linear
   * light. GEGL's scaled reads would build mipmaps of the whole photo (for
   * a buffer over a decoder's memory, copies of it), and average encoded
   * values. */
  /* 8-bit sRGB is read as it is stored: asking babl to add an alpha
   * channel to 8-bit RGB makes it build a lookup table of some 300 MB. */
  format = native == babl_format ("R'G'B' u8") || native == babl_format ("R'G'B'A u8")
           ? native : babl_format ("R'G'B'A u8");
  bpp = babl_format_get_bytes_per_pixel (format);
  scale = (double) max_edge / long_edge;
  pw = MAX (1, (int) floor (extent->width * scale));
  ph = MAX (1, (int) floor (extent->height * scale));
  image = lw_local_image_new (pw, ph);
  band = g_new (guint8, (gsize) extent->width * (extent->height / ph + 2) * bpp);
  acc = g_new (double, (gsize) pw * 5);

  for (py = 0; py < ph; py++)
    {
      int y0 = (int) floor ((double) py * extent->height / ph);
      int y1 = MAX (y0 + 1, (int) floor ((double) (py + 1) * extent->height / ph));
      GeglRectangle rows = { extent->x, extent->y + y0, extent->width, y1 - y0 };
      int x, y, px;

      memset (acc, 0, sizeof (double) * pw * 5);
      gegl_buffer_get (buffer, &rows, 1.0, format, band, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_CLAMP);
      for (y = 0; y < rows.height; y++)
        {
          const guint8 *p = band + (gsize) y * extent->width * bpp;

          for (x = 0; x < extent->width; x++, p += bpp)
            {
              double *a;

              px = MIN (pw - 1, (int) ((gint64) x * pw / extent->width));
              a = acc + (gsize) px * 5;
              a[0] += lin[p[0]];
              a[1] += lin[p[1]];
              a[2] += lin[p[2]];
              a[3] += bpp == 4 ? p[3] / 255.0 : 1.0;
              a[4] += 1;
            }
        }
      for (px = 0; px < pw; px++)
        {
          const double *a = acc + (gsize) px * 5;
          float *o = image->data + ((gsize) py * pw + px) * 4;
          int c;

          for (c = 0; c < 4; c++)
            o[c] = (float) (a[c] / a[4]);
        }
    }
  return image;
}

LwLocalImage *
lw_local_image_orient (const LwLocalImage *image,
                       int                 orientation)
{
  gboolean swap = orientation >= 5 && orientation <= 8;
  LwLocalImage *out = lw_local_image_new (swap ? image->height : image->width,
                                          swap ? image->width : image->height);
  int u, v;

  for (v = 0; v < out->height; v++)
    for (u = 0; u < out->width; u++)
      {
        int x, y;

        lw_local_orient_map (orientation, image->width, image->height, u, v, &x, &y);
        memcpy (out->data + ((gsize) v * out->width + u) * 4,
                image->data + ((gsize) y * image->width + x) * 4,
                sizeof (float) * 4);
      }
  return out;
}

/* One box pass of radius r along a line of n pixels (stride in floats),
 * edges clamped; out may not alias in. */
static void
box_line (const float *in,
          float       *out,
          int          n,
          gsize        stride,
          int          r)
{
  float acc[4] = { 0, 0, 0, 0 };
  float norm = 1.f / (float) (2 * r + 1);
  int i, k;

  for (i = -r; i <= r; i++)
    {
      const float *p = in + (gsize) CLAMP (i, 0, n - 1) * stride;

      for (k = 0; k < 4; k++)
        acc[k] += p[k];
    }
  for (i = 0; i < n; i++)
    {
      const float *add = in + (gsize) MIN (i + r + 1, n - 1) * stride;
      const float *sub = in + (gsize) MAX (i - r, 0) * stride;

      for (k = 0; k < 4; k++)
        {
          out[(gsize) i * stride + k] = acc[k] * norm;
          acc[k] += add[k] - sub[k];
        }
    }
}

LwLocalImage *
lw_local_image_blur (const LwLocalImage *image,
                     float               sigma)
{
  /* Three box passes of width w approximate a Gaussian of
   * σ² = 3 (w² − 1) / 12 (central limit theorem). */
  int r = MAX (0, (int) floorf ((sqrtf (4.f * sigma * sigma + 1.f) - 1.f) / 2.f));
  LwLocalImage *a = lw_local_image_new (image->width, image->height);
  g_autoptr(LwLocalImage) b = lw_local_image_new (image->width, image->height);
  int pass, x, y;

  memcpy (a->data, image->data, sizeof (float) * 4 * image->width * image->height);
  if (r == 0)
    return a;
  for (pass = 0; pass < 3; pass++)
    {
      for (y = 0; y < image->height; y++)
        box_line (a->data + (gsize) y * image->width * 4, b->data + (gsize) y * image->width * 4,
                  image->width, 4, r);
      for (x = 0; x < image->width; x++)
        box_line (b->data + (gsize) x * 4, a->data + (gsize) x * 4,
                  image->height, (gsize) image->width * 4, r);
    }
  return a;
}

LwLocalMap *
lw_local_map_new (int width,
                  int height)
{
  LwLocalMap *map = g_new0 (LwLocalMap, 1);

  map->width = width;
  map->height = height;
  map->sx = map->sy = 1.f;
  map->data = g_new0 (float, (gsize) width * height);
  return map;
}

void
lw_local_map_free (LwLocalMap *map)
{
  if (map == NULL)
    return;
  g_free (map->data);
  g_free (map);
}

/* lw-craft.h — hand-made image files for the ingest tests: headers that
 * say exactly what a test needs (an orientation, a size no decoder should
 * ever be asked to allocate), built byte by byte. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A copy of the JPEG jpeg with an APP1 Exif segment (IFD0 holding only
 * Orientation) inserted after SOI (and after APP0 when there is one). */
GBytes *lw_craft_jpeg_with_orientation (GBytes *jpeg, int orientation, gboolean little_endian);
/* A copy of the PNG png with an eXIf chunk after IHDR. */
GBytes *lw_craft_png_with_exif         (GBytes *png, int orientation);
/* A PNG whose IHDR says width × height, with one small IDAT and IEND
 * (with_iend FALSE leaves it out). Nothing in it decodes to that size. */
GBytes *lw_craft_png_header            (guint32 width, guint32 height, guint8 color_type, gboolean with_iend);
/* A one-strip, 8-bit grey TIFF; the size as SHORT or LONG values. When
 * cut, the file ends before its strip does. */
GBytes *lw_craft_tiff                  (gboolean little_endian, guint32 width, guint32 height,
                                        gboolean long_values, int orientation, gboolean cut);
/* A WebP with a VP8X header (canvas size, alpha flag) and an EXIF chunk. */
GBytes *lw_craft_webp_vp8x             (guint32 width, guint32 height, gboolean alpha, int orientation);
/* A lossless WebP header (VP8L) saying width × height. */
GBytes *lw_craft_webp_vp8l             (guint32 width, guint32 height, gboolean alpha);
/* An ISO-BMFF file: ftyp with major and the compatible brands (a
 * space-separated list of 4-letter brands), then meta/iprp/ipco with one
 * ispe per size (sizes: w0, h0, w1, h1, …, 0), an irot when rotate_90. */
GBytes *lw_craft_bmff                  (const char *major, const char *compatible, gboolean rotate_90,
                                        gboolean alpha, const guint32 *sizes);

G_END_DECLS

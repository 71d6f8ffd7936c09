/* lw-image-io-private.h — what the files of the prober share: the reading
 * window over a file (LwSrc), byte-order readers, the caps on structure
 * walks, the probe's error messages and the per-format parsers. Not for
 * outside src/base/lw-image-io*.c.
 *
 *   lw-image-io.c          the public API: probe (limits), decode, thumbnail
 *   lw-image-io-src.c      the reading window and the type by content
 *   lw-image-io-formats.c  JPEG, PNG, WebP and HEIF/AVIF headers
 *   lw-image-io-tiff.c     TIFF structures: TIFF files and Exif orientation
 */
#pragma once

#include "lw-image-io.h"

G_BEGIN_DECLS

/* A JPEG APP segment is at most 65535 + 2 bytes: the window holds any one
 * segment whole, so a parser never needs a range that straddles two reads. */
#define WINDOW_SIZE (128 * 1024)
/* Caps on structure walks, far above any real file, so a file made of
 * millions of tiny segments or chunks ends in CORRUPT, not in a long loop. */
#define MAX_SEGMENTS 100000
#define MAX_IFD_ENTRIES 4096
#define MAX_BOX_DEPTH 8

typedef struct {
  int           fd;        /* -1 when reading memory */
  const guint8 *mem;
  gint64        size;
  guint8       *win;
  gint64        win_off;
  gsize         win_len;
  int           read_errno; /* set when a read failed (not merely short) */
} LwSrc;

/* Numbers are read from the window with explicit byte order, never by
 * casting pointers. */
static inline guint16
be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline guint16
le16 (const guint8 *p)
{
  return (guint16) ((p[1] << 8) | p[0]);
}

static inline guint32
le32 (const guint8 *p)
{
  return ((guint32) p[3] << 24) | ((guint32) p[2] << 16) | ((guint32) p[1] << 8) | p[0];
}

static inline guint32
le24 (const guint8 *p)
{
  return ((guint32) p[2] << 16) | ((guint32) p[1] << 8) | p[0];
}

/* Where a format's structure checks start, found while reading its header:
 * the checks run after the limits, and never walk the header twice. */
typedef struct {
  gint64   jpeg_sos_end;     /* the first byte after the first SOS segment */
  gint64   png_idat;         /* the first IDAT chunk */
  guint32  webp_riff_size;
  gint64   tiff_offsets;     /* IFD entries of StripOffsets/StripByteCounts (or tiles), -1 when absent */
  gint64   tiff_counts;
  gboolean tiff_le;
} LwImageLayout;

/* ---- the reading window (lw-image-io-src.c) ----------------------------- */

gboolean       lw_image_io_src_open   (LwSrc        *src,
                                       const char   *path,
                                       GError      **error);
void           lw_image_io_src_clear  (LwSrc        *src);
const guint8  *lw_image_io_src_peek   (LwSrc        *src,
                                       gint64        off,
                                       gsize         len);
const guint8  *lw_image_io_find_bytes (const guint8 *hay,
                                       gsize         hay_len,
                                       const char   *needle,
                                       gsize         needle_len);
gboolean       lw_image_io_sniff      (LwSrc        *src,
                                       LwImageInfo  *info,
                                       GError      **error);

/* ---- messages (lw-image-io.c); each returns FALSE ----------------------- */

gboolean lw_image_io_fail_truncated   (GError **error, const char *mime);
gboolean lw_image_io_fail_corrupt     (GError **error, const char *mime);
gboolean lw_image_io_fail_unsupported (GError **error, const char *what);
gboolean lw_image_io_fail_read        (GError **error, int errsv);
gboolean lw_image_io_fail_short       (LwSrc *src, GError **error, const char *mime);

/* ---- headers (lw-image-io-formats.c, lw-image-io-tiff.c) ---------------- */

/* Each fills info's size, orientation and alpha from the header and notes
 * in layout where its structure check starts; the check runs later, after
 * the limits. */
gboolean lw_image_io_probe_jpeg        (LwSrc *src, LwImageInfo *info, LwImageLayout *layout, GError **error);
gboolean lw_image_io_probe_png         (LwSrc *src, LwImageInfo *info, LwImageLayout *layout, GError **error);
gboolean lw_image_io_probe_webp        (LwSrc *src, LwImageInfo *info, LwImageLayout *layout, GError **error);
gboolean lw_image_io_probe_bmff        (LwSrc *src, LwImageInfo *info, LwImageLayout *layout, GError **error);
gboolean lw_image_io_probe_tiff        (LwSrc *src, LwImageInfo *info, LwImageLayout *layout, GError **error);
gboolean lw_image_io_check_jpeg_end    (LwSrc *src, const LwImageLayout *layout, GError **error);
gboolean lw_image_io_check_png_end     (LwSrc *src, const LwImageLayout *layout, GError **error);
gboolean lw_image_io_check_webp_size   (LwSrc *src, const LwImageLayout *layout, GError **error);
gboolean lw_image_io_check_tiff_strips (LwSrc *src, const LwImageLayout *layout, GError **error);

int      lw_image_io_exif_orientation  (const guint8 *tiff, gsize len);

G_END_DECLS

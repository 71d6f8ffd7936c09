/* lw-image-io-tiff.c — TIFF structures: the TIFF file format, and the
 * Exif block (a little TIFF) that JPEG, PNG and WebP carry.
 *
 * Both are an image file directory of 12-byte entries in the byte order
 * the header names; from a TIFF file the probe reads size, orientation,
 * alpha and where the strips (or tiles) are, from an Exif block only the
 * orientation.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lw-image-io-private.h"

/* A number in the byte order the TIFF header names ("II" little, "MM" big). */
static inline guint16
tiff16 (const guint8 *p, gboolean le)
{
  return le ? le16 (p) : be16 (p);
}

static inline guint32
tiff32 (const guint8 *p, gboolean le)
{
  return le ? le32 (p) : be32 (p);
}

/* ---- EXIF -------------------------------------------------------------- */

/* Orientation (tag 0x0112) from IFD0 of a TIFF structure held in memory
 * (an Exif block); 1 when absent or implausible. */
int
lw_image_io_exif_orientation (const guint8 *tiff,
                              gsize         len)
{
  gboolean le;
  guint32 ifd;
  guint count;

  if (len >= 6 && memcmp (tiff, "Exif\0\0", 6) == 0)
    {
      tiff += 6;   /* some PNG and WebP writers keep the JPEG prefix */
      len -= 6;
    }
  if (len < 8)
    return 1;
  if (memcmp (tiff, "II*\0", 4) == 0)
    le = TRUE;
  else if (memcmp (tiff, "MM\0*", 4) == 0)
    le = FALSE;
  else
    return 1;

  ifd = tiff32 (tiff + 4, le);
  if (ifd > len || len - ifd < 2)
    return 1;
  count = tiff16 (tiff + ifd, le);
  for (guint i = 0; i < count; i++)
    {
      gsize entry = (gsize) ifd + 2 + (gsize) i * 12;
      guint tag, type, value;

      if (entry + 12 > len)
        break;
      tag = tiff16 (tiff + entry, le);
      if (tag != 0x0112)
        continue;
      type = tiff16 (tiff + entry + 2, le);
      if (type != 3)   /* SHORT */
        return 1;
      value = tiff16 (tiff + entry + 8, le);
      return value >= 1 && value <= 8 ? (int) value : 1;
    }
  return 1;
}

/* ---- TIFF -------------------------------------------------------------- */

typedef struct {
  LwSrc    *src;
  gboolean  le;
} Tiff;

/* A SHORT or LONG entry's values: where they are and how many. */
typedef struct {
  guint   type;    /* 3 SHORT, 4 LONG */
  guint32 count;
  gint64  base;    /* file offset of element 0 */
} TiffArray;

static gboolean
tiff_u16 (Tiff *t, gint64 off, guint *out)
{
  const guint8 *p = lw_image_io_src_peek (t->src, off, 2);

  if (p == NULL)
    return FALSE;
  *out = tiff16 (p, t->le);
  return TRUE;
}

static gboolean
tiff_u32 (Tiff *t, gint64 off, guint32 *out)
{
  const guint8 *p = lw_image_io_src_peek (t->src, off, 4);

  if (p == NULL)
    return FALSE;
  *out = tiff32 (p, t->le);
  return TRUE;
}

/* Values are inline when they fit in the entry's 4-byte field, else at
 * the offset that field holds. */
static gboolean
tiff_array (Tiff      *t,
            gint64     entry,
            TiffArray *array)
{
  guint32 off;

  if (!tiff_u16 (t, entry + 2, &array->type) || !tiff_u32 (t, entry + 4, &array->count))
    return FALSE;
  if ((array->type != 3 && array->type != 4) || array->count == 0)
    return FALSE;
  if ((guint64) array->count * (array->type == 3 ? 2 : 4) <= 4)
    array->base = entry + 8;
  else if (tiff_u32 (t, entry + 8, &off))
    array->base = off;
  else
    return FALSE;
  return TRUE;
}

/* n values from element start on into out; FALSE when outside the file. */
static gboolean
tiff_array_read (Tiff            *t,
                 const TiffArray *array,
                 guint32          start,
                 guint            n,
                 guint32         *out)
{
  gsize size = array->type == 3 ? 2 : 4;
  const guint8 *p;

  if ((guint64) start + n > array->count)
    return FALSE;
  if ((p = lw_image_io_src_peek (t->src, array->base + (gint64) start * (gint64) size, n * size)) == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      const guint8 *v = p + i * size;

      if (size == 2)
        out[i] = tiff16 (v, t->le);
      else
        out[i] = tiff32 (v, t->le);
    }
  return TRUE;
}

static gboolean
tiff_entry_first (Tiff *t, gint64 entry, guint32 *out)
{
  TiffArray array;

  return tiff_array (t, entry, &array) && tiff_array_read (t, &array, 0, 1, out);
}

gboolean
lw_image_io_probe_tiff (LwSrc         *src,
                        LwImageInfo   *info,
                        LwImageLayout *layout,
                        GError       **error)
{
  const char *mime = "image/tiff";
  Tiff t = { src, FALSE };
  const guint8 *p;
  guint32 ifd, width = 0, height = 0;
  guint count;
  gint64 offsets_entry = -1, counts_entry = -1;

  if ((p = lw_image_io_src_peek (src, 0, 8)) == NULL)
    return lw_image_io_fail_short (src, error, mime);
  t.le = p[0] == 'I';
  /* Canon's CR2 is a TIFF with "CR" after the header. */
  if ((p = lw_image_io_src_peek (src, 8, 2)) != NULL && memcmp (p, "CR", 2) == 0)
    return lw_image_io_fail_unsupported (error, _("Camera RAW"));

  if (!tiff_u32 (&t, 4, &ifd) || !tiff_u16 (&t, ifd, &count))
    return lw_image_io_fail_short (src, error, mime);
  if (ifd < 8 || count == 0 || count > MAX_IFD_ENTRIES)
    return lw_image_io_fail_corrupt (error, mime);
  if (lw_image_io_src_peek (src, (gint64) ifd + 2, (gsize) count * 12) == NULL)
    return lw_image_io_fail_short (src, error, mime);

  for (guint i = 0; i < count; i++)
    {
      gint64 entry = (gint64) ifd + 2 + (gint64) i * 12;
      guint tag;
      guint32 value = 0;

      if (!tiff_u16 (&t, entry, &tag))
        return lw_image_io_fail_short (src, error, mime);
      switch (tag)
        {
        case 256:   /* ImageWidth */
          if (!tiff_entry_first (&t, entry, &width))
            return lw_image_io_fail_corrupt (error, mime);
          break;
        case 257:   /* ImageLength */
          if (!tiff_entry_first (&t, entry, &height))
            return lw_image_io_fail_corrupt (error, mime);
          break;
        case 274:   /* Orientation */
          if (tiff_entry_first (&t, entry, &value) && value >= 1 && value <= 8)
            info->orientation = (int) value;
          break;
        case 338:   /* ExtraSamples: alpha (or some other channel) */
          info->has_alpha = TRUE;
          break;
        case 273:   /* StripOffsets */
        case 324:   /* TileOffsets */
          offsets_entry = entry;
          break;
        case 279:   /* StripByteCounts */
        case 325:   /* TileByteCounts */
          counts_entry = entry;
          break;
        case 50706: /* DNGVersion: a raw file with a TIFF face */
          return lw_image_io_fail_unsupported (error, _("Camera RAW"));
        default:
          break;
        }
    }
  if (width > G_MAXINT32 || height > G_MAXINT32)
    return lw_image_io_fail_corrupt (error, mime);
  info->width = (int) width;
  info->height = (int) height;
  layout->tiff_le = t.le;
  layout->tiff_offsets = offsets_entry;
  layout->tiff_counts = counts_entry;
  return TRUE;
}

/* Every strip (or tile) must lie inside the file. */
gboolean
lw_image_io_check_tiff_strips (LwSrc               *src,
                               const LwImageLayout *layout,
                               GError             **error)
{
  const char *mime = "image/tiff";
  Tiff t = { src, layout->tiff_le };

  if (layout->tiff_offsets < 0 || layout->tiff_counts < 0)
    return lw_image_io_fail_corrupt (error, mime);

  /* Read in batches: the two arrays may be far apart, and the window holds
   * one place at a time. */
  {
    TiffArray offsets, counts;
    guint32 off[1024], len[1024];

    if (!tiff_array (&t, layout->tiff_offsets, &offsets) || !tiff_array (&t, layout->tiff_counts, &counts))
      return lw_image_io_fail_corrupt (error, mime);
    if (offsets.count != counts.count || offsets.count > (1 << 20))
      return lw_image_io_fail_corrupt (error, mime);
    for (guint32 start = 0; start < offsets.count; start += G_N_ELEMENTS (off))
      {
        guint n = MIN (G_N_ELEMENTS (off), offsets.count - start);

        if (!tiff_array_read (&t, &offsets, start, n, off))
          return lw_image_io_fail_short (src, error, mime);
        if (!tiff_array_read (&t, &counts, start, n, len))
          return lw_image_io_fail_short (src, error, mime);
        for (guint i = 0; i < n; i++)
          if ((gint64) off[i] + (gint64) len[i] > src->size)
            return lw_image_io_fail_truncated (error, mime);
      }
  }
  return TRUE;
}

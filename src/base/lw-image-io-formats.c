/* lw-image-io-formats.c — the headers of JPEG, PNG, WebP and HEIF/AVIF.
 *
 * Each probe reads size, orientation and alpha from the header through the
 * reading window, and notes where its structure check (the end marker, the
 * RIFF size) starts; the checks run after the limits. TIFF and the Exif
 * blocks inside JPEG, PNG and WebP are read in lw-image-io-tiff.c.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lw-image-io-private.h"

/* Where the end markers are looked for: encoders pad or append a little
 * after EOI / IEND; 64 KiB covers every case we know but appended videos. */
#define TAIL_SIZE (64 * 1024)

/* ---- JPEG -------------------------------------------------------------- */

/* FF D9 somewhere in [from, to): an end of image. */
static gboolean
find_eoi (LwSrc  *src,
          gint64  from,
          gint64  to)
{
  /* Chunks overlap by one byte so a marker split across two is found. */
  for (gint64 off = from; off + 1 < to; off += WINDOW_SIZE - 1)
    {
      gsize len = (gsize) MIN ((gint64) WINDOW_SIZE, to - off);
      const guint8 *p = lw_image_io_src_peek (src, off, len);

      if (p == NULL)
        return FALSE;
      for (gsize i = 0; i + 1 < len; i++)
        if (p[i] == 0xFF && p[i + 1] == 0xD9)
          return TRUE;
    }
  return FALSE;
}

gboolean
lw_image_io_probe_jpeg (LwSrc         *src,
                        LwImageInfo   *info,
                        LwImageLayout *layout,
                        GError       **error)
{
  const char *mime = "image/jpeg";
  gint64 pos = 2;
  gint64 sos_end = -1;
  gboolean have_sof = FALSE;
  gboolean have_exif = FALSE;

  for (guint segments = 0; sos_end < 0; segments++)
    {
      const guint8 *p;
      guint marker;
      guint len;
      guint skipped = 0;
      guint fill = 0;

      if (segments > MAX_SEGMENTS)
        return lw_image_io_fail_corrupt (error, mime);

      /* libjpeg tolerates stray bytes before a marker; so do we, a little. */
      while ((p = lw_image_io_src_peek (src, pos, 1)) != NULL && p[0] != 0xFF)
        {
          if (++skipped > 4096)
            return lw_image_io_fail_corrupt (error, mime);
          pos++;
        }
      /* Any number of FF fill bytes may precede the marker code. */
      while ((p = lw_image_io_src_peek (src, pos, 2)) != NULL && p[1] == 0xFF)
        {
          if (++fill > 4096)
            return lw_image_io_fail_corrupt (error, mime);
          pos++;
        }
      if (p == NULL)
        return lw_image_io_fail_short (src, error, mime);
      marker = p[1];
      pos += 2;

      if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 || marker == 0x00)
        continue;   /* no length: RSTn, TEM; 00 is a stray stuffed byte */
      if (marker == 0xD8 || marker == 0xD9)
        return lw_image_io_fail_corrupt (error, mime);   /* a second SOI, or an end before any image data */

      if ((p = lw_image_io_src_peek (src, pos, 2)) == NULL)
        return lw_image_io_fail_short (src, error, mime);
      len = be16 (p);
      if (len < 2)
        return lw_image_io_fail_corrupt (error, mime);
      if (src->size - pos < len)
        return lw_image_io_fail_truncated (error, mime);
      /* Only the segments read below are fetched; the rest are stepped over. */
      if ((marker & 0xF0) != 0xC0 && marker != 0xE1 && marker != 0xDA)
        {
          pos += len;
          continue;
        }
      if ((p = lw_image_io_src_peek (src, pos, len)) == NULL)
        return lw_image_io_fail_short (src, error, mime);

      if ((marker & 0xF0) == 0xC0 && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
        {
          if (len < 8)
            return lw_image_io_fail_corrupt (error, mime);
          if (!have_sof)
            {
              /* SOF3, 7, 11, 15 are lossless: libjpeg-turbo before 3.0 cannot decode them. */
              if ((marker & 0x03) == 0x03)
                return lw_image_io_fail_unsupported (error, _("Lossless JPEG"));
              if (p[2] != 8)
                return lw_image_io_fail_unsupported (error, _("12-bit JPEG"));
              info->height = be16 (p + 3);
              info->width = be16 (p + 5);
              have_sof = TRUE;
            }
        }
      else if (marker == 0xE1 && !have_exif && len >= 2 + 6 && memcmp (p + 2, "Exif\0\0", 6) == 0)
        {
          info->orientation = lw_image_io_exif_orientation (p + 8, len - 8);
          have_exif = TRUE;
        }
      else if (marker == 0xDA)
        {
          if (!have_sof)
            return lw_image_io_fail_corrupt (error, mime);
          sos_end = pos + len;
        }
      pos += len;
    }
  layout->jpeg_sos_end = sos_end;
  return TRUE;
}

/* The end marker, after the image data (the Exif thumbnail before SOS has
 * its own FF D9, which must not count). Usually in the last bytes; if not,
 * something follows the image (a phone's motion-photo video) and the
 * marker is looked for from the data on, which reads more but only for
 * such files and for truncated ones. */
gboolean
lw_image_io_check_jpeg_end (LwSrc               *src,
                            const LwImageLayout *layout,
                            GError             **error)
{
  gint64 sos_end = layout->jpeg_sos_end;
  gint64 tail_from = MAX (sos_end, src->size - TAIL_SIZE);

  if (find_eoi (src, tail_from, src->size))
    return TRUE;
  if (src->read_errno == 0 && tail_from > sos_end && find_eoi (src, sos_end, tail_from + 1))
    return TRUE;
  return lw_image_io_fail_short (src, error, "image/jpeg");
}

/* ---- PNG --------------------------------------------------------------- */

gboolean
lw_image_io_probe_png (LwSrc         *src,
                       LwImageInfo   *info,
                       LwImageLayout *layout,
                       GError       **error)
{
  const char *mime = "image/png";
  const guint8 *p;
  gint64 pos = 8;
  guint32 width, height;
  guint color_type;

  if ((p = lw_image_io_src_peek (src, 8, 8 + 13 + 4)) == NULL)
    return lw_image_io_fail_short (src, error, mime);
  if (be32 (p) != 13 || memcmp (p + 4, "IHDR", 4) != 0)
    return lw_image_io_fail_corrupt (error, mime);
  width = be32 (p + 8);
  height = be32 (p + 12);
  color_type = p[17];
  if (width > G_MAXINT32 || height > G_MAXINT32)
    return lw_image_io_fail_corrupt (error, mime);
  info->width = (int) width;
  info->height = (int) height;
  info->has_alpha = color_type == 4 || color_type == 6;

  /* The chunks before the image data: tRNS gives alpha, eXIf the orientation. */
  for (guint chunks = 0;; chunks++)
    {
      guint32 len;

      if (chunks > MAX_SEGMENTS)
        return lw_image_io_fail_corrupt (error, mime);
      if ((p = lw_image_io_src_peek (src, pos, 8)) == NULL)
        return lw_image_io_fail_short (src, error, mime);
      len = be32 (p);
      if (len > G_MAXINT32)
        return lw_image_io_fail_corrupt (error, mime);
      if (memcmp (p + 4, "IDAT", 4) == 0)
        break;
      if (memcmp (p + 4, "IEND", 4) == 0)
        return lw_image_io_fail_corrupt (error, mime);
      if (memcmp (p + 4, "tRNS", 4) == 0)
        info->has_alpha = TRUE;
      else if (memcmp (p + 4, "eXIf", 4) == 0 && len <= WINDOW_SIZE)
        {
          const guint8 *exif = lw_image_io_src_peek (src, pos + 8, len);

          if (exif != NULL)
            info->orientation = lw_image_io_exif_orientation (exif, len);
        }
      /* length + type + data + CRC must all be in the file */
      if (src->size - pos < (gint64) len + 12)
        return lw_image_io_fail_short (src, error, mime);
      pos += (gint64) len + 12;
    }
  layout->png_idat = pos;
  return TRUE;
}

/* IEND (zero length, then its type) near the end; writers sometimes leave
 * a little after it, which decoders ignore. */
gboolean
lw_image_io_check_png_end (LwSrc               *src,
                           const LwImageLayout *layout,
                           GError             **error)
{
  gint64 from = MAX (layout->png_idat, src->size - TAIL_SIZE);
  gsize len = (gsize) (src->size - from);
  const guint8 *p = lw_image_io_src_peek (src, from, len);

  if (p == NULL)
    return lw_image_io_fail_short (src, error, "image/png");
  if (lw_image_io_find_bytes (p, len, "\0\0\0\0IEND", 8) == NULL)
    return lw_image_io_fail_truncated (error, "image/png");
  return TRUE;
}

/* ---- WebP -------------------------------------------------------------- */

gboolean
lw_image_io_probe_webp (LwSrc         *src,
                        LwImageInfo   *info,
                        LwImageLayout *layout,
                        GError       **error)
{
  const char *mime = "image/webp";
  const guint8 *p;
  guint32 riff_size;

  if ((p = lw_image_io_src_peek (src, 0, 30)) == NULL)
    return lw_image_io_fail_short (src, error, mime);
  riff_size = le32 (p + 4);
  layout->webp_riff_size = riff_size;

  if (memcmp (p + 12, "VP8 ", 4) == 0)
    {
      /* Frame tag (3 bytes; bit 0 clear on a key frame), start code, then
       * 14-bit width and height with 2 bits of scaling each. */
      if ((p[20] & 1) != 0 || p[23] != 0x9D || p[24] != 0x01 || p[25] != 0x2A)
        return lw_image_io_fail_corrupt (error, mime);
      info->width = le16 (p + 26) & 0x3FFF;
      info->height = le16 (p + 28) & 0x3FFF;
    }
  else if (memcmp (p + 12, "VP8L", 4) == 0)
    {
      guint32 bits;

      if (p[20] != 0x2F)
        return lw_image_io_fail_corrupt (error, mime);
      bits = le32 (p + 21);
      info->width = (int) (bits & 0x3FFF) + 1;
      info->height = (int) ((bits >> 14) & 0x3FFF) + 1;
      info->has_alpha = (bits >> 28) & 1;
    }
  else if (memcmp (p + 12, "VP8X", 4) == 0)
    {
      guint flags = p[20];
      gint64 pos;

      info->width = (int) le24 (p + 24) + 1;
      info->height = (int) le24 (p + 27) + 1;
      info->has_alpha = (flags & 0x10) != 0;

      /* The EXIF chunk, when the flags say there is one. */
      pos = 12 + 8 + (gint64) le32 (p + 16);
      for (guint chunks = 0; (flags & 0x08) != 0 && chunks < MAX_SEGMENTS; chunks++)
        {
          guint32 len;

          if ((p = lw_image_io_src_peek (src, pos, 8)) == NULL)
            break;
          len = le32 (p + 4);
          if (memcmp (p, "EXIF", 4) == 0)
            {
              const guint8 *exif = len <= WINDOW_SIZE ? lw_image_io_src_peek (src, pos + 8, len) : NULL;

              if (exif != NULL)
                info->orientation = lw_image_io_exif_orientation (exif, len);
              break;
            }
          /* chunks are padded to an even size */
          pos += 8 + (gint64) len + (len & 1);
        }
    }
  else
    return lw_image_io_fail_corrupt (error, mime);

  return TRUE;
}

/* The RIFF size says how long the file is; less is a cut-off file. */
gboolean
lw_image_io_check_webp_size (LwSrc               *src,
                             const LwImageLayout *layout,
                             GError             **error)
{
  if (src->size < (gint64) layout->webp_riff_size + 8)
    return lw_image_io_fail_truncated (error, "image/webp");
  return TRUE;
}

/* ---- HEIF / AVIF (ISO base media file format) --------------------------- */

typedef struct {
  LwSrc   *src;
  gint64   best_area;
  guint32  width;
  guint32  height;
  gboolean rotated;     /* an irot of 90° or 270° */
  gboolean alpha;       /* an auxC naming an alpha plane */
  gboolean cut;         /* a box ran past the end of the file (or its parent) */
  gboolean have_meta;
} Bmff;

/* Reads the box header at pos within [.., end): its type, where its
 * payload starts and where it ends. FALSE when it does not fit. */
static gboolean
bmff_box (LwSrc   *src,
          gint64   pos,
          gint64   end,
          char     type[5],
          gint64  *payload,
          gint64  *box_end,
          gboolean *cut)
{
  const guint8 *p = lw_image_io_src_peek (src, pos, 8);
  guint64 size;

  *cut = FALSE;
  if (p == NULL || end - pos < 8)
    {
      *cut = TRUE;
      return FALSE;
    }
  size = be32 (p);
  memcpy (type, p + 4, 4);
  type[4] = '\0';
  *payload = pos + 8;
  if (size == 1)
    {
      if ((p = lw_image_io_src_peek (src, pos + 8, 8)) == NULL)
        {
          *cut = TRUE;
          return FALSE;
        }
      size = ((guint64) be32 (p) << 32) | be32 (p + 4);
      *payload = pos + 16;
    }
  else if (size == 0)
    size = (guint64) (end - pos);   /* to the end of the enclosing box */
  if (size < (guint64) (*payload - pos))
    return FALSE;
  if (size > (guint64) (end - pos))
    {
      *cut = TRUE;
      return FALSE;
    }
  *box_end = pos + (gint64) size;
  return TRUE;
}

static void
bmff_walk (Bmff    *b,
           gint64   pos,
           gint64   end,
           int      depth)
{
  for (guint boxes = 0; pos < end && boxes < MAX_SEGMENTS; boxes++)
    {
      char type[5];
      gint64 payload, box_end;
      gboolean cut;
      const guint8 *p;

      if (!bmff_box (b->src, pos, end, type, &payload, &box_end, &cut))
        {
          b->cut = b->cut || cut;
          return;
        }

      if (depth == 0 && strcmp (type, "meta") == 0)
        {
          b->have_meta = TRUE;
          bmff_walk (b, payload + 4, box_end, depth + 1);   /* full box: version + flags */
        }
      else if (depth > 0 && depth < MAX_BOX_DEPTH && (strcmp (type, "iprp") == 0 || strcmp (type, "ipco") == 0))
        bmff_walk (b, payload, box_end, depth + 1);
      else if (strcmp (type, "ispe") == 0 && box_end - payload >= 12
               && (p = lw_image_io_src_peek (b->src, payload, 12)) != NULL)
        {
          guint32 w = be32 (p + 4), h = be32 (p + 8);

          /* The largest is the primary image; the others are tiles and thumbnails. */
          if ((gint64) w * h > b->best_area)
            {
              b->best_area = (gint64) w * h;
              b->width = w;
              b->height = h;
            }
        }
      else if (strcmp (type, "irot") == 0 && box_end - payload >= 1
               && (p = lw_image_io_src_peek (b->src, payload, 1)) != NULL)
        b->rotated = (p[0] & 1) != 0;
      else if (strcmp (type, "auxC") == 0 && box_end - payload > 4 && box_end - payload < 256)
        {
          gsize len = (gsize) (box_end - payload - 4);

          if ((p = lw_image_io_src_peek (b->src, payload + 4, len)) != NULL
              && (lw_image_io_find_bytes (p, len, "alpha", 5) != NULL || lw_image_io_find_bytes (p, len, "auxid:1", 7) != NULL))
            b->alpha = TRUE;
        }
      pos = box_end;
    }
}

gboolean
lw_image_io_probe_bmff (LwSrc         *src,
                        LwImageInfo   *info,
                        LwImageLayout *layout,
                        GError       **error)
{
  const char *mime = info->mime;
  Bmff b = { src, 0, 0, 0, FALSE, FALSE, FALSE, FALSE };

  bmff_walk (&b, 0, src->size, 0);
  /* Every top-level box must fit in the file: a cut one is a cut file. */
  if (b.cut)
    return lw_image_io_fail_short (src, error, mime);
  if (!b.have_meta || b.best_area == 0)
    return lw_image_io_fail_corrupt (error, mime);
  /* libheif applies irot itself, so the decoded picture is already turned:
   * report its size as delivered, with no orientation left to apply. */
  info->width = (int) MIN (b.rotated ? b.height : b.width, G_MAXINT32);
  info->height = (int) MIN (b.rotated ? b.width : b.height, G_MAXINT32);
  info->orientation = 1;
  info->has_alpha = b.alpha;
  return TRUE;
}

/* lw-image-io.c — what a file is, from its bytes, before anything decodes it.
 *
 * Every probe reads through a small window (LwSrc) that refuses any range
 * outside the file, so a hostile length or offset can only make a probe
 * fail, never read out of bounds. Numbers are read from that window with
 * explicit byte order, never by casting pointers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lw-image-io.h"

G_DEFINE_QUARK (lw-image-error-quark, lw_image_error)

/* A JPEG APP segment is at most 65535 + 2 bytes: the window holds any one
 * segment whole, so a parser never needs a range that straddles two reads. */
#define WINDOW_SIZE (128 * 1024)
/* Where the end markers are looked for: encoders pad or append a little
 * after EOI / IEND; 64 KiB covers every case we know but appended videos. */
#define TAIL_SIZE (64 * 1024)
/* Caps on structure walks, far above any real file, so a file made of
 * millions of tiny segments or chunks ends in CORRUPT, not in a long loop. */
#define MAX_SEGMENTS 100000
#define MAX_IFD_ENTRIES 4096
#define MAX_BOX_DEPTH 8
/* No camera or scanner makes a side this long; anything above is a lie
 * in a header (and would overflow a decoder's row stride). */
#define MAX_SIDE (1 << 20)

typedef struct {
  int           fd;        /* -1 when reading memory */
  const guint8 *mem;
  gint64        size;
  guint8       *win;
  gint64        win_off;
  gsize         win_len;
  int           read_errno; /* set when a read failed (not merely short) */
} LwSrc;

static void
src_clear (LwSrc *src)
{
  g_clear_pointer (&src->win, g_free);
  if (src->fd >= 0)
    close (src->fd);
  src->fd = -1;
}

/* len bytes at off, or NULL when any of them is outside the file (or the
 * read failed). The pointer is valid until the next src_peek. */
static const guint8 *
src_peek (LwSrc  *src,
          gint64  off,
          gsize   len)
{
  gsize got = 0;
  gsize want;

  if (off < 0 || off > src->size || (gint64) len > src->size - off || len > WINDOW_SIZE)
    return NULL;
  if (src->fd < 0)
    return src->mem + off;
  if (src->win != NULL && off >= src->win_off && off + (gint64) len <= src->win_off + (gint64) src->win_len)
    return src->win + (off - src->win_off);

  if (src->win == NULL)
    src->win = g_malloc (WINDOW_SIZE);
  want = (gsize) MIN ((gint64) WINDOW_SIZE, src->size - off);
  src->win_len = 0;
  while (got < want)
    {
      ssize_t n = pread (src->fd, src->win + got, want - got, off + (gint64) got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          src->read_errno = errno;
          return NULL;
        }
      if (n == 0)
        break;   /* the file shrank under us: treat as truncated */
      got += (gsize) n;
    }
  src->win_off = off;
  src->win_len = got;
  if (got < len)
    return NULL;
  return src->win;
}

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

/* memmem () is a GNU extension; this is all we need of it. */
static const guint8 *
find_bytes (const guint8 *hay,
            gsize         hay_len,
            const char   *needle,
            gsize         needle_len)
{
  if (needle_len == 0 || hay_len < needle_len)
    return NULL;
  for (gsize i = 0; i + needle_len <= hay_len; i++)
    if (hay[i] == (guint8) needle[0] && memcmp (hay + i, needle, needle_len) == 0)
      return hay + i;
  return NULL;
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
} Layout;

/* ---- names and messages ------------------------------------------------ */

static const char *
format_name (const char *mime)
{
  if (g_strcmp0 (mime, "image/jpeg") == 0)
    return "JPEG";
  if (g_strcmp0 (mime, "image/png") == 0)
    return "PNG";
  if (g_strcmp0 (mime, "image/webp") == 0)
    return "WebP";
  if (g_strcmp0 (mime, "image/tiff") == 0)
    return "TIFF";
  if (g_strcmp0 (mime, "image/heic") == 0)
    return "HEIC";
  if (g_strcmp0 (mime, "image/avif") == 0)
    return "AVIF";
  return "image";
}

static gboolean
fail_truncated (GError **error, const char *mime)
{
  /* TRANSLATORS: %s is a file format, "JPEG", "PNG", … */
  g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_TRUNCATED, _("truncated %s"), format_name (mime));
  return FALSE;
}

static gboolean
fail_corrupt (GError **error, const char *mime)
{
  /* TRANSLATORS: %s is a file format, "JPEG", "PNG", … */
  g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT, _("damaged %s header"), format_name (mime));
  return FALSE;
}

static gboolean
fail_unsupported (GError **error, const char *what)
{
  /* TRANSLATORS: %s is a kind of file, "GIF", "BMP", "camera RAW", … */
  g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNSUPPORTED, _("%s images are not supported"), what);
  return FALSE;
}

static gboolean
fail_read (GError **error, int errsv)
{
  if (errsv == EACCES || errsv == EPERM)
    g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNREADABLE,
                         _("cannot be read: permission denied"));
  else
    g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNREADABLE,
                 _("cannot be read: %s"), g_strerror (errsv));
  return FALSE;
}

/* A header that cannot be read to its end is truncated, unless the read
 * itself failed, which is an I/O error, not a property of the file. */
static gboolean
fail_short (LwSrc *src, GError **error, const char *mime)
{
  if (src->read_errno != 0)
    return fail_read (error, src->read_errno);
  return fail_truncated (error, mime);
}

/* The shortest of "%.0f", "%.1f", "%.2f" that tells value from limit. */
static char *
format_over (double value, double limit)
{
  g_autofree char *limit_str = g_strdup_printf ("%g", limit);

  for (int decimals = 0; decimals < 3; decimals++)
    {
      char *str = g_strdup_printf ("%.*f", decimals, value);

      if (g_strcmp0 (str, limit_str) != 0 && g_strtod (str, NULL) > limit)
        return str;
      g_free (str);
    }
  return g_strdup_printf ("%.3f", value);
}

/* ---- EXIF -------------------------------------------------------------- */

/* Orientation (tag 0x0112) from IFD0 of a TIFF structure held in memory
 * (an Exif block); 1 when absent or implausible. */
static int
exif_orientation (const guint8 *tiff,
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

  ifd = le ? le32 (tiff + 4) : be32 (tiff + 4);
  if (ifd > len || len - ifd < 2)
    return 1;
  count = le ? le16 (tiff + ifd) : be16 (tiff + ifd);
  for (guint i = 0; i < count; i++)
    {
      gsize entry = (gsize) ifd + 2 + (gsize) i * 12;
      guint tag, type, value;

      if (entry + 12 > len)
        break;
      tag = le ? le16 (tiff + entry) : be16 (tiff + entry);
      if (tag != 0x0112)
        continue;
      type = le ? le16 (tiff + entry + 2) : be16 (tiff + entry + 2);
      if (type != 3)   /* SHORT */
        return 1;
      value = le ? le16 (tiff + entry + 8) : be16 (tiff + entry + 8);
      return value >= 1 && value <= 8 ? (int) value : 1;
    }
  return 1;
}

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
      const guint8 *p = src_peek (src, off, len);

      if (p == NULL)
        return FALSE;
      for (gsize i = 0; i + 1 < len; i++)
        if (p[i] == 0xFF && p[i + 1] == 0xD9)
          return TRUE;
    }
  return FALSE;
}

static gboolean
probe_jpeg (LwSrc        *src,
            LwImageInfo  *info,
            Layout       *layout,
            GError      **error)
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
        return fail_corrupt (error, mime);

      /* libjpeg tolerates stray bytes before a marker; so do we, a little. */
      while ((p = src_peek (src, pos, 1)) != NULL && p[0] != 0xFF)
        {
          if (++skipped > 4096)
            return fail_corrupt (error, mime);
          pos++;
        }
      /* Any number of FF fill bytes may precede the marker code. */
      while ((p = src_peek (src, pos, 2)) != NULL && p[1] == 0xFF)
        {
          if (++fill > 4096)
            return fail_corrupt (error, mime);
          pos++;
        }
      if (p == NULL)
        return fail_short (src, error, mime);
      marker = p[1];
      pos += 2;

      if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 || marker == 0x00)
        continue;   /* no length: RSTn, TEM; 00 is a stray stuffed byte */
      if (marker == 0xD8 || marker == 0xD9)
        return fail_corrupt (error, mime);   /* a second SOI, or an end before any image data */

      if ((p = src_peek (src, pos, 2)) == NULL)
        return fail_short (src, error, mime);
      len = be16 (p);
      if (len < 2)
        return fail_corrupt (error, mime);
      if (src->size - pos < len)
        return fail_truncated (error, mime);
      /* Only the segments read below are fetched; the rest are stepped over. */
      if ((marker & 0xF0) != 0xC0 && marker != 0xE1 && marker != 0xDA)
        {
          pos += len;
          continue;
        }
      if ((p = src_peek (src, pos, len)) == NULL)
        return fail_short (src, error, mime);

      if ((marker & 0xF0) == 0xC0 && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
        {
          if (len < 8)
            return fail_corrupt (error, mime);
          if (!have_sof)
            {
              /* SOF3, 7, 11, 15 are lossless: libjpeg-turbo before 3.0 cannot decode them. */
              if ((marker & 0x03) == 0x03)
                return fail_unsupported (error, _("Lossless JPEG"));
              if (p[2] != 8)
                return fail_unsupported (error, _("12-bit JPEG"));
              info->height = be16 (p + 3);
              info->width = be16 (p + 5);
              have_sof = TRUE;
            }
        }
      else if (marker == 0xE1 && !have_exif && len >= 2 + 6 && memcmp (p + 2, "Exif\0\0", 6) == 0)
        {
          info->orientation = exif_orientation (p + 8, len - 8);
          have_exif = TRUE;
        }
      else if (marker == 0xDA)
        {
          if (!have_sof)
            return fail_corrupt (error, mime);
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
static gboolean
check_jpeg_end (LwSrc         *src,
                const Layout  *layout,
                GError       **error)
{
  gint64 sos_end = layout->jpeg_sos_end;
  gint64 tail_from = MAX (sos_end, src->size - TAIL_SIZE);

  if (find_eoi (src, tail_from, src->size))
    return TRUE;
  if (src->read_errno == 0 && tail_from > sos_end && find_eoi (src, sos_end, tail_from + 1))
    return TRUE;
  return fail_short (src, error, "image/jpeg");
}

/* ---- PNG --------------------------------------------------------------- */

static gboolean
probe_png (LwSrc        *src,
           LwImageInfo  *info,
           Layout       *layout,
           GError      **error)
{
  const char *mime = "image/png";
  const guint8 *p;
  gint64 pos = 8;
  guint32 width, height;
  guint color_type;

  if ((p = src_peek (src, 8, 8 + 13 + 4)) == NULL)
    return fail_short (src, error, mime);
  if (be32 (p) != 13 || memcmp (p + 4, "IHDR", 4) != 0)
    return fail_corrupt (error, mime);
  width = be32 (p + 8);
  height = be32 (p + 12);
  color_type = p[17];
  if (width > G_MAXINT32 || height > G_MAXINT32)
    return fail_corrupt (error, mime);
  info->width = (int) width;
  info->height = (int) height;
  info->has_alpha = color_type == 4 || color_type == 6;

  /* The chunks before the image data: tRNS gives alpha, eXIf the orientation. */
  for (guint chunks = 0;; chunks++)
    {
      guint32 len;

      if (chunks > MAX_SEGMENTS)
        return fail_corrupt (error, mime);
      if ((p = src_peek (src, pos, 8)) == NULL)
        return fail_short (src, error, mime);
      len = be32 (p);
      if (len > G_MAXINT32)
        return fail_corrupt (error, mime);
      if (memcmp (p + 4, "IDAT", 4) == 0)
        break;
      if (memcmp (p + 4, "IEND", 4) == 0)
        return fail_corrupt (error, mime);
      if (memcmp (p + 4, "tRNS", 4) == 0)
        info->has_alpha = TRUE;
      else if (memcmp (p + 4, "eXIf", 4) == 0 && len <= WINDOW_SIZE)
        {
          const guint8 *exif = src_peek (src, pos + 8, len);

          if (exif != NULL)
            info->orientation = exif_orientation (exif, len);
        }
      /* length + type + data + CRC must all be in the file */
      if (src->size - pos < (gint64) len + 12)
        return fail_short (src, error, mime);
      pos += (gint64) len + 12;
    }
  layout->png_idat = pos;
  return TRUE;
}

/* IEND (zero length, then its type) near the end; writers sometimes leave
 * a little after it, which decoders ignore. */
static gboolean
check_png_end (LwSrc         *src,
               const Layout  *layout,
               GError       **error)
{
  gint64 from = MAX (layout->png_idat, src->size - TAIL_SIZE);
  gsize len = (gsize) (src->size - from);
  const guint8 *p = src_peek (src, from, len);

  if (p == NULL)
    return fail_short (src, error, "image/png");
  if (find_bytes (p, len, "\0\0\0\0IEND", 8) == NULL)
    return fail_truncated (error, "image/png");
  return TRUE;
}

/* ---- WebP -------------------------------------------------------------- */

static gboolean
probe_webp (LwSrc        *src,
            LwImageInfo  *info,
            Layout       *layout,
            GError      **error)
{
  const char *mime = "image/webp";
  const guint8 *p;
  guint32 riff_size;

  if ((p = src_peek (src, 0, 30)) == NULL)
    return fail_short (src, error, mime);
  riff_size = le32 (p + 4);
  layout->webp_riff_size = riff_size;

  if (memcmp (p + 12, "VP8 ", 4) == 0)
    {
      /* Frame tag (3 bytes; bit 0 clear on a key frame), start code, then
       * 14-bit width and height with 2 bits of scaling each. */
      if ((p[20] & 1) != 0 || p[23] != 0x9D || p[24] != 0x01 || p[25] != 0x2A)
        return fail_corrupt (error, mime);
      info->width = le16 (p + 26) & 0x3FFF;
      info->height = le16 (p + 28) & 0x3FFF;
    }
  else if (memcmp (p + 12, "VP8L", 4) == 0)
    {
      guint32 bits;

      if (p[20] != 0x2F)
        return fail_corrupt (error, mime);
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

          if ((p = src_peek (src, pos, 8)) == NULL)
            break;
          len = le32 (p + 4);
          if (memcmp (p, "EXIF", 4) == 0)
            {
              const guint8 *exif = len <= WINDOW_SIZE ? src_peek (src, pos + 8, len) : NULL;

              if (exif != NULL)
                info->orientation = exif_orientation (exif, len);
              break;
            }
          /* chunks are padded to an even size */
          pos += 8 + (gint64) len + (len & 1);
        }
    }
  else
    return fail_corrupt (error, mime);

  return TRUE;
}

/* The RIFF size says how long the file is; less is a cut-off file. */
static gboolean
check_webp_size (LwSrc         *src,
                 const Layout  *layout,
                 GError       **error)
{
  if (src->size < (gint64) layout->webp_riff_size + 8)
    return fail_truncated (error, "image/webp");
  return TRUE;
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
  const guint8 *p = src_peek (t->src, off, 2);

  if (p == NULL)
    return FALSE;
  *out = t->le ? le16 (p) : be16 (p);
  return TRUE;
}

static gboolean
tiff_u32 (Tiff *t, gint64 off, guint32 *out)
{
  const guint8 *p = src_peek (t->src, off, 4);

  if (p == NULL)
    return FALSE;
  *out = t->le ? le32 (p) : be32 (p);
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
  if ((p = src_peek (t->src, array->base + (gint64) start * (gint64) size, n * size)) == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      const guint8 *v = p + i * size;

      if (size == 2)
        out[i] = t->le ? le16 (v) : be16 (v);
      else
        out[i] = t->le ? le32 (v) : be32 (v);
    }
  return TRUE;
}

static gboolean
tiff_entry_first (Tiff *t, gint64 entry, guint32 *out)
{
  TiffArray array;

  return tiff_array (t, entry, &array) && tiff_array_read (t, &array, 0, 1, out);
}

static gboolean
probe_tiff (LwSrc        *src,
            LwImageInfo  *info,
            Layout       *layout,
            GError      **error)
{
  const char *mime = "image/tiff";
  Tiff t = { src, FALSE };
  const guint8 *p;
  guint32 ifd, width = 0, height = 0;
  guint count;
  gint64 offsets_entry = -1, counts_entry = -1;

  if ((p = src_peek (src, 0, 8)) == NULL)
    return fail_short (src, error, mime);
  t.le = p[0] == 'I';
  /* Canon's CR2 is a TIFF with "CR" after the header. */
  if ((p = src_peek (src, 8, 2)) != NULL && memcmp (p, "CR", 2) == 0)
    return fail_unsupported (error, _("Camera RAW"));

  if (!tiff_u32 (&t, 4, &ifd) || !tiff_u16 (&t, ifd, &count))
    return fail_short (src, error, mime);
  if (ifd < 8 || count == 0 || count > MAX_IFD_ENTRIES)
    return fail_corrupt (error, mime);
  if (src_peek (src, (gint64) ifd + 2, (gsize) count * 12) == NULL)
    return fail_short (src, error, mime);

  for (guint i = 0; i < count; i++)
    {
      gint64 entry = (gint64) ifd + 2 + (gint64) i * 12;
      guint tag;
      guint32 value = 0;

      if (!tiff_u16 (&t, entry, &tag))
        return fail_short (src, error, mime);
      switch (tag)
        {
        case 256:   /* ImageWidth */
          if (!tiff_entry_first (&t, entry, &width))
            return fail_corrupt (error, mime);
          break;
        case 257:   /* ImageLength */
          if (!tiff_entry_first (&t, entry, &height))
            return fail_corrupt (error, mime);
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
          return fail_unsupported (error, _("Camera RAW"));
        default:
          break;
        }
    }
  if (width > G_MAXINT32 || height > G_MAXINT32)
    return fail_corrupt (error, mime);
  info->width = (int) width;
  info->height = (int) height;
  layout->tiff_le = t.le;
  layout->tiff_offsets = offsets_entry;
  layout->tiff_counts = counts_entry;
  return TRUE;
}

/* Every strip (or tile) must lie inside the file. */
static gboolean
check_tiff_strips (LwSrc         *src,
                   const Layout  *layout,
                   GError       **error)
{
  const char *mime = "image/tiff";
  Tiff t = { src, layout->tiff_le };

  if (layout->tiff_offsets < 0 || layout->tiff_counts < 0)
    return fail_corrupt (error, mime);

  /* Read in batches: the two arrays may be far apart, and the window holds
   * one place at a time. */
  {
    TiffArray offsets, counts;
    guint32 off[1024], len[1024];

    if (!tiff_array (&t, layout->tiff_offsets, &offsets) || !tiff_array (&t, layout->tiff_counts, &counts))
      return fail_corrupt (error, mime);
    if (offsets.count != counts.count || offsets.count > (1 << 20))
      return fail_corrupt (error, mime);
    for (guint32 start = 0; start < offsets.count; start += G_N_ELEMENTS (off))
      {
        guint n = MIN (G_N_ELEMENTS (off), offsets.count - start);

        if (!tiff_array_read (&t, &offsets, start, n, off))
          return fail_short (src, error, mime);
        if (!tiff_array_read (&t, &counts, start, n, len))
          return fail_short (src, error, mime);
        for (guint i = 0; i < n; i++)
          if ((gint64) off[i] + (gint64) len[i] > src->size)
            return fail_truncated (error, mime);
      }
  }
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
  const guint8 *p = src_peek (src, pos, 8);
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
      if ((p = src_peek (src, pos + 8, 8)) == NULL)
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
               && (p = src_peek (b->src, payload, 12)) != NULL)
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
               && (p = src_peek (b->src, payload, 1)) != NULL)
        b->rotated = (p[0] & 1) != 0;
      else if (strcmp (type, "auxC") == 0 && box_end - payload > 4 && box_end - payload < 256)
        {
          gsize len = (gsize) (box_end - payload - 4);

          if ((p = src_peek (b->src, payload + 4, len)) != NULL
              && (find_bytes (p, len, "alpha", 5) != NULL || find_bytes (p, len, "auxid:1", 7) != NULL))
            b->alpha = TRUE;
        }
      pos = box_end;
    }
}

static gboolean
brand_is (const guint8 *p, const char *const *brands)
{
  for (guint i = 0; brands[i] != NULL; i++)
    if (memcmp (p, brands[i], 4) == 0)
      return TRUE;
  return FALSE;
}

/* The brand in ftyp says what the file is: a HEIF or AVIF picture, a
 * camera's raw file, or (most often) a video. */
static gboolean
bmff_brand (LwSrc        *src,
            LwImageInfo  *info,
            GError      **error)
{
  static const char *const avif_brands[] = { "avif", "avis", NULL };
  static const char *const heic_brands[] = { "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", NULL };
  static const char *const raw_brands[] = { "crx ", NULL };
  const guint8 *p;
  guint32 ftyp_size;

  if ((p = src_peek (src, 0, 12)) == NULL)
    return fail_short (src, error, NULL);
  ftyp_size = be32 (p);
  if (ftyp_size < 16 || ftyp_size > 4096)
    return fail_corrupt (error, NULL);
  if ((p = src_peek (src, 0, ftyp_size)) == NULL)
    return fail_short (src, error, NULL);

  /* The major brand decides; else the first compatible brand we know. */
  for (guint32 off = 8; off + 4 <= ftyp_size; off += (off == 8 ? 8 : 4))
    {
      if (brand_is (p + off, avif_brands))
        info->mime = "image/avif";
      else if (brand_is (p + off, heic_brands))
        info->mime = "image/heic";
      else if (brand_is (p + off, raw_brands))
        return fail_unsupported (error, _("Camera RAW"));
      else
        continue;
      return TRUE;
    }
  g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_NOT_IMAGE, _("a video, not an image"));
  return FALSE;
}

static gboolean
probe_bmff (LwSrc        *src,
            LwImageInfo  *info,
            Layout       *layout,
            GError      **error)
{
  const char *mime = info->mime;
  Bmff b = { src, 0, 0, 0, FALSE, FALSE, FALSE, FALSE };

  bmff_walk (&b, 0, src->size, 0);
  /* Every top-level box must fit in the file: a cut one is a cut file. */
  if (b.cut)
    return fail_short (src, error, mime);
  if (!b.have_meta || b.best_area == 0)
    return fail_corrupt (error, mime);
  /* libheif applies irot itself, so the decoded picture is already turned:
   * report its size as delivered, with no orientation left to apply. */
  info->width = (int) MIN (b.rotated ? b.height : b.width, G_MAXINT32);
  info->height = (int) MIN (b.rotated ? b.width : b.height, G_MAXINT32);
  info->orientation = 1;
  info->has_alpha = b.alpha;
  return TRUE;
}

/* ---- type by content --------------------------------------------------- */

static gboolean
looks_like_svg (const guint8 *p, gsize len)
{
  gsize i = 0;

  if (len >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < len && g_ascii_isspace (p[i]))
    i++;
  if (i >= len || p[i] != '<')
    return FALSE;
  return find_bytes (p + i, len - i, "<svg", 4) != NULL;
}

/* Sets info->mime for the formats we read, or fails with what the file is. */
static gboolean
sniff (LwSrc        *src,
       LwImageInfo  *info,
       GError      **error)
{
  gsize len = (gsize) MIN (src->size, (gint64) 1024);
  const guint8 *p = src_peek (src, 0, len);

  if (p == NULL)
    return fail_short (src, error, NULL);

  if (len >= 3 && memcmp (p, "\xFF\xD8\xFF", 3) == 0)
    info->mime = "image/jpeg";
  else if (len >= 8 && memcmp (p, "\x89PNG\r\n\x1A\n", 8) == 0)
    info->mime = "image/png";
  else if (len >= 16 && memcmp (p, "RIFF", 4) == 0 && memcmp (p + 8, "WEBP", 4) == 0)
    info->mime = "image/webp";
  else if (len >= 8 && (memcmp (p, "II*\0", 4) == 0 || memcmp (p, "MM\0*", 4) == 0))
    info->mime = "image/tiff";
  else if (len >= 12 && memcmp (p + 4, "ftyp", 4) == 0)
    return bmff_brand (src, info, error);
  else if (len >= 6 && (memcmp (p, "GIF87a", 6) == 0 || memcmp (p, "GIF89a", 6) == 0))
    return fail_unsupported (error, "GIF");
  else if (len >= 18 && p[0] == 'B' && p[1] == 'M'
           && (le32 (p + 14) == 12 || le32 (p + 14) == 40 || le32 (p + 14) == 52
               || le32 (p + 14) == 56 || le32 (p + 14) == 64 || le32 (p + 14) == 108
               || le32 (p + 14) == 124))
    return fail_unsupported (error, "BMP");
  else if (len >= 4 && (memcmp (p, "II+\0", 4) == 0 || memcmp (p, "MM\0+", 4) == 0))
    return fail_unsupported (error, "BigTIFF");
  else if (len >= 4 && (memcmp (p, "IIRO", 4) == 0 || memcmp (p, "IIRS", 4) == 0 || memcmp (p, "IIU\0", 4) == 0))
    return fail_unsupported (error, _("Camera RAW"));
  else if (len >= 4 && memcmp (p, "8BPS", 4) == 0)
    return fail_unsupported (error, "Photoshop");
  else if ((len >= 2 && memcmp (p, "\xFF\x0A", 2) == 0)
           || (len >= 12 && memcmp (p, "\0\0\0\x0CJXL \r\n\x87\n", 12) == 0))
    return fail_unsupported (error, "JPEG XL");
  else if (len >= 12 && memcmp (p, "\0\0\0\x0CjP  \r\n\x87\n", 12) == 0)
    return fail_unsupported (error, "JPEG 2000");
  else if (len >= 4 && memcmp (p, "\0\0\1\0", 4) == 0)
    return fail_unsupported (error, _("Icon"));
  else if (looks_like_svg (p, len))
    return fail_unsupported (error, "SVG");
  else if (len >= 5 && memcmp (p, "%PDF-", 5) == 0)
    {
      g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_NOT_IMAGE, _("a PDF document, not an image"));
      return FALSE;
    }
  else
    {
      g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_NOT_IMAGE, _("not an image"));
      return FALSE;
    }
  return TRUE;
}

/* Whether one of gdk-pixbuf's loaders on this machine decodes mime. */
static gboolean
have_loader (const char *mime)
{
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();
  gboolean found = FALSE;

  for (GSList *l = formats; l != NULL && !found; l = l->next)
    {
      GdkPixbufFormat *format = l->data;
      g_auto(GStrv) mimes = NULL;

      if (gdk_pixbuf_format_is_disabled (format))
        continue;
      mimes = gdk_pixbuf_format_get_mime_types (format);
      found = mimes != NULL && g_strv_contains ((const char * const *) mimes, mime);
    }
  return found;
}

static gboolean
probe_src (LwSrc               *src,
           const LwImageLimits *limits,
           gboolean             check_structure,
           LwImageInfo         *info,
           GError             **error)
{
  LwImageLimits defaults = LW_IMAGE_LIMITS_DEFAULT;
  Layout layout = { -1, -1, 0, -1, -1, FALSE };
  gboolean ok;

  if (limits == NULL)
    limits = &defaults;
  info->bytes = src->size;
  info->orientation = 1;

  if (src->size == 0)
    {
      g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_EMPTY, _("empty file"));
      return FALSE;
    }
  if (!sniff (src, info, error))
    return FALSE;

  /* Before any header is walked: nothing of a file over the limit is read
   * beyond its first kilobyte. */
  if (limits->max_bytes > 0 && info->bytes > limits->max_bytes)
    {
      g_autofree char *have = format_over (info->bytes / 1e6, limits->max_bytes / 1e6);

      /* TRANSLATORS: "62 MB, the limit is 50 MB" (MB = 1,000,000 bytes) */
      g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_TOO_LARGE,
                   _("%s MB, the limit is %g MB"), have, limits->max_bytes / 1e6);
      return FALSE;
    }

  if (strcmp (info->mime, "image/jpeg") == 0)
    ok = probe_jpeg (src, info, &layout, error);
  else if (strcmp (info->mime, "image/png") == 0)
    ok = probe_png (src, info, &layout, error);
  else if (strcmp (info->mime, "image/webp") == 0)
    ok = probe_webp (src, info, &layout, error);
  else if (strcmp (info->mime, "image/tiff") == 0)
    ok = probe_tiff (src, info, &layout, error);
  else
    ok = probe_bmff (src, info, &layout, error);
  if (!ok)
    return FALSE;

  if (!have_loader (info->mime))
    {
      /* TRANSLATORS: %s is a file format, "HEIC", "WebP", … */
      g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNSUPPORTED,
                   _("%s images need a loader that is not installed"), format_name (info->mime));
      return FALSE;
    }

  if (info->width <= 0 || info->height <= 0 || info->width > MAX_SIDE || info->height > MAX_SIDE)
    {
      g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT,
                   /* TRANSLATORS: "damaged PNG header (0 × 480 pixels)" */
                   _("damaged %s header (%d × %d pixels)"), format_name (info->mime), info->width, info->height);
      return FALSE;
    }

  if (limits->max_pixels > 0 && (gint64) info->width * info->height > limits->max_pixels)
    {
      g_autofree char *have = format_over ((gint64) info->width * info->height / 1e6, limits->max_pixels / 1e6);

      /* TRANSLATORS: "120 megapixels, the limit is 100" */
      g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_TOO_MANY_PIXELS,
                   _("%s megapixels, the limit is %g"), have, limits->max_pixels / 1e6);
      return FALSE;
    }

  /* Last, as they may read more of the file than the header. */
  if (!check_structure)
    return TRUE;
  if (strcmp (info->mime, "image/jpeg") == 0)
    return check_jpeg_end (src, &layout, error);
  if (strcmp (info->mime, "image/png") == 0)
    return check_png_end (src, &layout, error);
  if (strcmp (info->mime, "image/webp") == 0)
    return check_webp_size (src, &layout, error);
  if (strcmp (info->mime, "image/tiff") == 0)
    return check_tiff_strips (src, &layout, error);
  return TRUE;   /* HEIF: probe_bmff checked that every top-level box fits */
}

static gboolean
src_open (LwSrc       *src,
          const char  *path,
          GError     **error)
{
  struct stat st;
  int flags;

  /* O_NONBLOCK: opening a fifo for reading would otherwise wait for a writer. */
  src->fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (src->fd < 0)
    return fail_read (error, errno);
  if (fstat (src->fd, &st) != 0)
    return fail_read (error, errno);
  if (S_ISDIR (st.st_mode))
    {
      g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_NOT_IMAGE, _("a folder, not an image"));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_NOT_IMAGE, _("not a regular file"));
      return FALSE;
    }
  flags = fcntl (src->fd, F_GETFL);
  if (flags >= 0)
    fcntl (src->fd, F_SETFL, flags & ~O_NONBLOCK);
  src->size = st.st_size;
  return TRUE;
}

static gboolean
probe_path (const char          *path,
            const LwImageLimits *limits,
            gboolean             check_structure,
            LwImageInfo         *info,
            GError             **error)
{
  LwSrc src = { -1, NULL, 0, NULL, 0, 0, 0 };
  gboolean ok;

  memset (info, 0, sizeof *info);
  ok = src_open (&src, path, error) && probe_src (&src, limits, check_structure, info, error);
  src_clear (&src);
  return ok;
}

gboolean
lw_image_probe (const char          *path,
                const LwImageLimits *limits,
                LwImageInfo         *info,
                GError             **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return probe_path (path, limits, TRUE, info, error);
}

gboolean
lw_image_probe_bytes (GBytes              *bytes,
                      const LwImageLimits *limits,
                      LwImageInfo         *info,
                      GError             **error)
{
  LwSrc src = { -1, NULL, 0, NULL, 0, 0, 0 };
  gsize size = 0;

  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (info, 0, sizeof *info);
  src.mem = g_bytes_get_data (bytes, &size);
  src.size = (gint64) size;
  return probe_src (&src, limits, TRUE, info, error);
}

/* ---- decoding ---------------------------------------------------------- */

static GdkPixbuf *
apply_orientation (GdkPixbuf *pixbuf,
                   int        orientation)
{
  g_autoptr(GdkPixbuf) turned = NULL;

  /* EXIF orientation n says how the stored picture must be turned to be
   * upright: 2 mirror, 3 half turn, 4 flip, 5 transpose, 6 quarter turn
   * clockwise, 7 transverse, 8 quarter turn counter-clockwise. */
  switch (orientation)
    {
    case 2:
      return gdk_pixbuf_flip (pixbuf, TRUE);
    case 3:
      return gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_UPSIDEDOWN);
    case 4:
      return gdk_pixbuf_flip (pixbuf, FALSE);
    case 5:
      turned = gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_CLOCKWISE);
      return turned != NULL ? gdk_pixbuf_flip (turned, TRUE) : NULL;
    case 6:
      return gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_CLOCKWISE);
    case 7:
      turned = gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_CLOCKWISE);
      return turned != NULL ? gdk_pixbuf_flip (turned, FALSE) : NULL;
    case 8:
      return gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_COUNTERCLOCKWISE);
    default:
      return g_object_ref (pixbuf);
    }
}

GdkPixbuf *
lw_image_load_oriented (const char    *path,
                        int            orientation,
                        int            max_long_edge,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) local_error = NULL;
  GdkPixbuf *upright;
  LwImageInfo info;
  int long_edge;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  /* The header's size, not the loader's: the decoder is told the target
   * before it allocates anything. No limits here; the caller probed. */
  if (!probe_path (path, &(LwImageLimits) { 0, 0 }, FALSE, &info, error))
    return NULL;

  file = g_file_new_for_path (path);
  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_UNREADABLE,
                     _("cannot be read: %s"), local_error->message);
      return NULL;
    }

  /* Turning a picture by quarter turns keeps its long edge: the box is
   * the same before and after orientation. */
  long_edge = MAX (info.width, info.height);
  if (max_long_edge > 0 && long_edge > max_long_edge)
    {
      double scale = (double) max_long_edge / long_edge;
      int w = MAX (1, (int) (info.width * scale + 0.5));
      int h = MAX (1, (int) (info.height * scale + 0.5));

      /* The size is computed here, aspect kept: the loader's own
       * preserve_aspect rounds the long edge down by a pixel. */
      pixbuf = gdk_pixbuf_new_from_stream_at_scale (G_INPUT_STREAM (stream), MIN (w, max_long_edge),
                                                    MIN (h, max_long_edge), FALSE, cancellable, &local_error);
    }
  else
    pixbuf = gdk_pixbuf_new_from_stream (G_INPUT_STREAM (stream), cancellable, &local_error);

  if (pixbuf == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        /* TRANSLATORS: "damaged JPEG: <the decoder's words>" */
        g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT, _("damaged %s: %s"),
                     format_name (info.mime), local_error != NULL ? local_error->message : "?");
      return NULL;
    }

  upright = apply_orientation (pixbuf, orientation);
  if (upright == NULL)
    g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT, _("not enough memory to turn the image"));
  return upright;
}

GBytes *
lw_image_make_thumbnail (const char         *path,
                         const LwImageInfo  *info,
                         int                 long_edge,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (info != NULL, NULL);

  if (long_edge <= 0)
    long_edge = LW_THUMBNAIL_LONG_EDGE;
  pixbuf = lw_image_load_oriented (path, info->orientation, long_edge, cancellable, error);
  if (pixbuf == NULL)
    return NULL;

  if (info->has_alpha)
    ok = gdk_pixbuf_save_to_buffer (pixbuf, &data, &len, "png", &local_error, NULL);
  else
    {
      /* The JPEG saver takes RGB only; some loaders (TIFF) always deliver RGBA. */
      if (gdk_pixbuf_get_has_alpha (pixbuf))
        {
          g_autoptr(GdkPixbuf) rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                                                     gdk_pixbuf_get_width (pixbuf),
                                                     gdk_pixbuf_get_height (pixbuf));

          if (rgb == NULL)
            {
              g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT,
                                   _("not enough memory for the thumbnail"));
              return NULL;
            }
          gdk_pixbuf_fill (rgb, 0xFFFFFFFF);
          gdk_pixbuf_composite (pixbuf, rgb, 0, 0, gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
                                0, 0, 1, 1, GDK_INTERP_NEAREST, 255);
          g_set_object (&pixbuf, rgb);
        }
      ok = gdk_pixbuf_save_to_buffer (pixbuf, &data, &len, "jpeg", &local_error, "quality", "85", NULL);
    }
  if (!ok)
    {
      g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT,
                   _("the thumbnail could not be made: %s"), local_error->message);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

const char *
lw_image_mime_to_extension (const char *mime)
{
  static const struct { const char *mime; const char *ext; } table[] = {
    { "image/jpeg", "jpg" },
    { "image/jpg", "jpg" },
    { "image/pjpeg", "jpg" },
    { "image/png", "png" },
    { "image/webp", "webp" },
    { "image/tiff", "tiff" },
    { "image/heic", "heic" },
    { "image/heif", "heif" },
    { "image/avif", "avif" },
    { "image/gif", "gif" },
  };

  if (mime == NULL)
    return "bin";
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_ascii_strncasecmp (mime, table[i].mime, strlen (table[i].mime)) == 0
        && (mime[strlen (table[i].mime)] == '\0' || mime[strlen (table[i].mime)] == ';'))
      return table[i].ext;
  return "bin";
}

/* lw-craft.c — hand-made image files for the ingest tests. */
#include "config.h"

#include <string.h>

#include "lw-craft.h"

static void
put8 (GByteArray *a, guint v)
{
  guint8 b = (guint8) v;

  g_byte_array_append (a, &b, 1);
}

static void
put16 (GByteArray *a, guint v, gboolean le)
{
  guint8 b[2];

  if (le)
    b[0] = v & 0xFF, b[1] = (v >> 8) & 0xFF;
  else
    b[0] = (v >> 8) & 0xFF, b[1] = v & 0xFF;
  g_byte_array_append (a, b, 2);
}

static void
put32 (GByteArray *a, guint32 v, gboolean le)
{
  guint8 b[4];

  for (int i = 0; i < 4; i++)
    b[le ? i : 3 - i] = (v >> (8 * i)) & 0xFF;
  g_byte_array_append (a, b, 4);
}

static void
set32 (GByteArray *a, guint off, guint32 v, gboolean le)
{
  for (int i = 0; i < 4; i++)
    a->data[off + (le ? i : 3 - i)] = (v >> (8 * i)) & 0xFF;
}

static void
put_str (GByteArray *a, const char *s, gsize len)
{
  g_byte_array_append (a, (const guint8 *) s, (guint) len);
}

/* A TIFF structure whose IFD0 holds only Orientation: an Exif block. */
static GByteArray *
exif_block (int orientation, gboolean le)
{
  GByteArray *a = g_byte_array_new ();

  put_str (a, le ? "II" : "MM", 2);
  put16 (a, 42, le);
  put32 (a, 8, le);
  put16 (a, 1, le);          /* one entry */
  put16 (a, 0x0112, le);     /* Orientation */
  put16 (a, 3, le);          /* SHORT */
  put32 (a, 1, le);
  put16 (a, (guint) orientation, le);
  put16 (a, 0, le);
  put32 (a, 0, le);          /* no next IFD */
  return a;
}

GBytes *
lw_craft_jpeg_with_orientation (GBytes *jpeg, int orientation, gboolean little_endian)
{
  gsize len;
  const guint8 *src = g_bytes_get_data (jpeg, &len);
  g_autoptr(GByteArray) exif = exif_block (orientation, little_endian);
  GByteArray *out = g_byte_array_new ();
  gsize at = 2;

  g_assert_true (len > 4 && src[0] == 0xFF && src[1] == 0xD8);
  if (src[2] == 0xFF && src[3] == 0xE0)
    at = 4 + (gsize) ((src[4] << 8) | src[5]);
  g_byte_array_append (out, src, (guint) at);
  put8 (out, 0xFF);
  put8 (out, 0xE1);
  put16 (out, 2 + 6 + exif->len, FALSE);
  put_str (out, "Exif\0\0", 6);
  g_byte_array_append (out, exif->data, exif->len);
  g_byte_array_append (out, src + at, (guint) (len - at));
  return g_byte_array_free_to_bytes (out);
}

static guint32
crc32_of (const guint8 *data, gsize len)
{
  guint32 crc = 0xFFFFFFFFu;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
  return crc ^ 0xFFFFFFFFu;
}

static void
put_png_chunk (GByteArray *a, const char *type, const guint8 *data, guint32 len)
{
  guint start;

  put32 (a, len, FALSE);
  start = a->len;
  put_str (a, type, 4);
  if (len > 0)
    g_byte_array_append (a, data, len);
  put32 (a, crc32_of (a->data + start, len + 4), FALSE);
}

GBytes *
lw_craft_png_with_exif (GBytes *png, int orientation)
{
  gsize len;
  const guint8 *src = g_bytes_get_data (png, &len);
  g_autoptr(GByteArray) exif = exif_block (orientation, FALSE);
  GByteArray *out = g_byte_array_new ();
  const gsize after_ihdr = 8 + 12 + 13;

  g_assert_true (len > after_ihdr && memcmp (src + 12, "IHDR", 4) == 0);
  g_byte_array_append (out, src, after_ihdr);
  put_png_chunk (out, "eXIf", exif->data, exif->len);
  g_byte_array_append (out, src + after_ihdr, (guint) (len - after_ihdr));
  return g_byte_array_free_to_bytes (out);
}

GBytes *
lw_craft_png_header (guint32 width, guint32 height, guint8 color_type, gboolean with_iend)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GByteArray) ihdr = g_byte_array_new ();
  static const guint8 idat[] = { 0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01 };

  put_str (out, "\x89PNG\r\n\x1A\n", 8);
  put32 (ihdr, width, FALSE);
  put32 (ihdr, height, FALSE);
  put8 (ihdr, 8);             /* bit depth */
  put8 (ihdr, color_type);
  put8 (ihdr, 0);
  put8 (ihdr, 0);
  put8 (ihdr, 0);
  put_png_chunk (out, "IHDR", ihdr->data, ihdr->len);
  put_png_chunk (out, "IDAT", idat, sizeof idat);
  if (with_iend)
    put_png_chunk (out, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (out);
}

static void
put_ifd_entry (GByteArray *a, gboolean le, guint tag, guint type, guint32 value)
{
  put16 (a, tag, le);
  put16 (a, type, le);
  put32 (a, 1, le);
  if (type == 3)
    {
      put16 (a, value, le);   /* a SHORT sits left-justified in the 4-byte field */
      put16 (a, 0, le);
    }
  else
    put32 (a, value, le);
}

GBytes *
lw_craft_tiff (gboolean le, guint32 width, guint32 height, gboolean long_values, int orientation, gboolean cut)
{
  GByteArray *a = g_byte_array_new ();
  guint n_entries = orientation > 0 ? 10 : 9;
  guint32 data_off = 8 + 2 + n_entries * 12 + 4;
  guint32 data_len = width * height;
  guint size_type = long_values ? 4 : 3;

  put_str (a, le ? "II" : "MM", 2);
  put16 (a, 42, le);
  put32 (a, 8, le);
  put16 (a, n_entries, le);
  put_ifd_entry (a, le, 256, size_type, width);
  put_ifd_entry (a, le, 257, size_type, height);
  put_ifd_entry (a, le, 258, 3, 8);          /* BitsPerSample */
  put_ifd_entry (a, le, 259, 3, 1);          /* no compression */
  put_ifd_entry (a, le, 262, 3, 1);          /* BlackIsZero */
  put_ifd_entry (a, le, 273, 4, data_off);   /* StripOffsets */
  if (orientation > 0)
    put_ifd_entry (a, le, 274, 3, (guint32) orientation);
  put_ifd_entry (a, le, 277, 3, 1);          /* SamplesPerPixel */
  put_ifd_entry (a, le, 278, size_type, height);   /* RowsPerStrip */
  put_ifd_entry (a, le, 279, 4, data_len);   /* StripByteCounts */
  put32 (a, 0, le);
  g_assert_cmpuint (a->len, ==, data_off);
  for (guint32 i = 0; i < (cut ? data_len / 2 : data_len); i++)
    put8 (a, (i % width) * 255 / MAX (width - 1, 1));
  return g_byte_array_free_to_bytes (a);
}

GBytes *
lw_craft_webp_vp8x (guint32 width, guint32 height, gboolean alpha, int orientation)
{
  GByteArray *a = g_byte_array_new ();
  g_autoptr(GByteArray) exif = exif_block (orientation, TRUE);
  guint8 flags = (alpha ? 0x10 : 0) | 0x08;

  put_str (a, "RIFF", 4);
  put32 (a, 0, TRUE);   /* patched below */
  put_str (a, "WEBPVP8X", 8);
  put32 (a, 10, TRUE);
  put8 (a, flags);
  put8 (a, 0);
  put8 (a, 0);
  put8 (a, 0);
  for (int i = 0; i < 3; i++)
    put8 (a, ((width - 1) >> (8 * i)) & 0xFF);
  for (int i = 0; i < 3; i++)
    put8 (a, ((height - 1) >> (8 * i)) & 0xFF);
  /* An image chunk of some other kind, so EXIF is not the first. */
  put_str (a, "ICCP", 4);
  put32 (a, 3, TRUE);
  put_str (a, "abc\0", 4);   /* 3 bytes + 1 byte of padding */
  put_str (a, "EXIF", 4);
  put32 (a, exif->len, TRUE);
  g_byte_array_append (a, exif->data, exif->len);
  if (exif->len & 1)
    put8 (a, 0);
  set32 (a, 4, a->len - 8, TRUE);
  return g_byte_array_free_to_bytes (a);
}

GBytes *
lw_craft_webp_vp8l (guint32 width, guint32 height, gboolean alpha)
{
  GByteArray *a = g_byte_array_new ();
  guint32 bits = ((width - 1) & 0x3FFF) | (((height - 1) & 0x3FFF) << 14) | ((alpha ? 1u : 0u) << 28);

  put_str (a, "RIFF", 4);
  put32 (a, 4 + 8 + 10, TRUE);
  put_str (a, "WEBPVP8L", 8);
  put32 (a, 10, TRUE);
  put8 (a, 0x2F);
  put32 (a, bits, TRUE);
  put_str (a, "\0\0\0\0\0", 5);
  return g_byte_array_free_to_bytes (a);
}

static guint
box_begin (GByteArray *a, const char *type)
{
  guint start = a->len;

  put32 (a, 0, FALSE);
  put_str (a, type, 4);
  return start;
}

static void
box_end (GByteArray *a, guint start)
{
  set32 (a, start, a->len - start, FALSE);
}

GBytes *
lw_craft_bmff (const char *major, const char *compatible, gboolean rotate_90, gboolean alpha, const guint32 *sizes)
{
  GByteArray *a = g_byte_array_new ();
  g_auto(GStrv) brands = g_strsplit (compatible, " ", -1);
  guint ftyp, meta, hdlr, iprp, ipco, box, mdat;

  ftyp = box_begin (a, "ftyp");
  put_str (a, major, 4);
  put32 (a, 0, FALSE);
  for (guint i = 0; brands[i] != NULL; i++)
    if (strlen (brands[i]) == 4)
      put_str (a, brands[i], 4);
  box_end (a, ftyp);

  meta = box_begin (a, "meta");
  put32 (a, 0, FALSE);   /* version and flags */
  hdlr = box_begin (a, "hdlr");
  put32 (a, 0, FALSE);
  put32 (a, 0, FALSE);
  put_str (a, "pict", 4);
  put_str (a, "\0\0\0\0\0\0\0\0\0\0\0\0\0", 13);
  box_end (a, hdlr);
  iprp = box_begin (a, "iprp");
  ipco = box_begin (a, "ipco");
  for (guint i = 0; sizes[i] != 0; i += 2)
    {
      box = box_begin (a, "ispe");
      put32 (a, 0, FALSE);
      put32 (a, sizes[i], FALSE);
      put32 (a, sizes[i + 1], FALSE);
      box_end (a, box);
    }
  if (rotate_90)
    {
      box = box_begin (a, "irot");
      put8 (a, 1);
      box_end (a, box);
    }
  if (alpha)
    {
      static const char urn[] = "urn:mpeg:mpegB:cicp:systems:auxiliary:alpha";

      box = box_begin (a, "auxC");
      put32 (a, 0, FALSE);
      put_str (a, urn, sizeof urn);
      box_end (a, box);
    }
  box_end (a, ipco);
  box_end (a, iprp);
  box_end (a, meta);

  mdat = box_begin (a, "mdat");
  put_str (a, "0123456789abcdef", 16);
  box_end (a, mdat);
  return g_byte_array_free_to_bytes (a);
}

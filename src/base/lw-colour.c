/* lw-colour.c — colour spaces (lw-colour.h), with lcms2 and libjpeg. */
#include "config.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <jpeglib.h>
#include <lcms2.h>

#include "lw-colour.h"
#include "lw-image-io.h"

/* A profile that moves no 8-bit value of a 6×6×6 grid by more than this
 * is sRGB under another name (camera "sRGB IEC61966-2.1", babl's sRGB):
 * converting it would only add rounding. */
#define SAME_AS_SRGB_MAX_STEP 1

/* A primary of the profile that lands this far outside [0, 1] in sRGB
 * (linear float) is a colour sRGB cannot show: Display P3's green is
 * about −0.23 in red, Adobe RGB's about −0.40, so 0.02 flags both and
 * never the rounding of an sRGB-like profile. */
#define WIDE_MARGIN 0.02

void
lw_colour_info_clear (LwColourInfo *info)
{
  if (info == NULL)
    return;
  g_clear_pointer (&info->profile, g_free);
  memset (info, 0, sizeof *info);
}

static cmsHPROFILE
srgb_profile (void)
{
  return cmsCreate_sRGBProfile ();
}

GBytes *
lw_colour_srgb_icc (void)
{
  static GBytes *icc;

  if (g_once_init_enter (&icc))
    {
      cmsHPROFILE profile = srgb_profile ();
      cmsUInt32Number len = 0;
      guint8 *data;
      GBytes *bytes;

      cmsSaveProfileToMem (profile, NULL, &len);
      data = g_malloc (len);
      cmsSaveProfileToMem (profile, data, &len);
      cmsCloseProfile (profile);
      /* lcms2 stamps the header with the time of creation (bytes 24–35,
       * six big-endian uInt16: year, month, day, h, m, s): a fixed date
       * instead, so the same result saved twice is the same file byte for
       * byte (an export skips what a folder already holds, see
       * docs/ARCHITECTURE.md, "Jobs"). Its profile ID is not computed, so
       * nothing else depends on the date. */
      if (len >= 36)
        {
          static const guint8 fixed_date[12] = { 0x07, 0xE0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0 };  /* 2016-01-01 */

          memcpy (data + 24, fixed_date, sizeof fixed_date);
        }
      bytes = g_bytes_new_take (data, len);
      g_once_init_leave (&icc, bytes);
    }
  return g_bytes_ref (icc);
}

const char *
lw_colour_srgb_icc_base64 (void)
{
  static char *text;

  if (g_once_init_enter (&text))
    {
      g_autoptr(GBytes) icc = lw_colour_srgb_icc ();
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (icc, &len);

      g_once_init_leave (&text, g_base64_encode (data, len));
    }
  return text;
}

GBytes *
lw_colour_pixbuf_icc (GdkPixbuf *pixbuf)
{
  const char *text = gdk_pixbuf_get_option (pixbuf, "icc-profile");
  gsize len = 0;
  guchar *data;

  if (text == NULL || *text == '\0')
    return NULL;
  data = g_base64_decode (text, &len);
  if (len == 0)
    {
      g_free (data);
      return NULL;
    }
  return g_bytes_new_take (data, len);
}

static char *
profile_description (cmsHPROFILE profile)
{
  char buf[256] = "";

  if (cmsGetProfileInfoASCII (profile, cmsInfoDescription, "en", "US", buf, sizeof buf) == 0)
    return NULL;
  g_strstrip (buf);
  return *buf != '\0' && g_utf8_validate (buf, -1, NULL) ? g_strdup (buf) : NULL;
}

static gboolean
same_as_srgb (cmsHTRANSFORM to_srgb)
{
  guint8 in[6 * 6 * 6 * 3], out[6 * 6 * 6 * 3];
  guint n = 0;

  for (int r = 0; r < 6; r++)
    for (int g = 0; g < 6; g++)
      for (int b = 0; b < 6; b++)
        {
          in[n++] = (guint8) (r * 51);
          in[n++] = (guint8) (g * 51);
          in[n++] = (guint8) (b * 51);
        }
  cmsDoTransform (to_srgb, in, out, 6 * 6 * 6);
  for (guint i = 0; i < n; i++)
    if (ABS ((int) in[i] - (int) out[i]) > SAME_AS_SRGB_MAX_STEP)
      return FALSE;
  return TRUE;
}

static gboolean
is_wide (cmsHPROFILE profile, cmsHPROFILE srgb)
{
  /* Matrix-shaper float transforms are unbounded: a primary outside sRGB
   * comes out below 0 or above 1 instead of being clipped. */
  cmsHTRANSFORM t = cmsCreateTransform (profile, TYPE_RGB_FLT, srgb, TYPE_RGB_FLT, INTENT_RELATIVE_COLORIMETRIC,
                                        cmsFLAGS_NOCACHE | cmsFLAGS_NOOPTIMIZE);
  float in[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, out[9];
  gboolean wide = FALSE;

  if (t == NULL)
    return FALSE;
  cmsDoTransform (t, in, out, 3);
  cmsDeleteTransform (t);
  for (guint i = 0; i < 9; i++)
    if (out[i] < -WIDE_MARGIN || out[i] > 1 + WIDE_MARGIN)
      wide = TRUE;
  return wide;
}

gboolean
lw_colour_to_srgb (GdkPixbuf    *pixbuf,
                   GBytes       *icc,
                   LwColourInfo *info)
{
  gsize len = 0;
  const guint8 *data;
  cmsHPROFILE profile, srgb;
  cmsHTRANSFORM t = NULL, check = NULL;
  gboolean alpha, ok = FALSE;

  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), FALSE);
  if (icc == NULL || gdk_pixbuf_get_bits_per_sample (pixbuf) != 8)
    return FALSE;
  data = g_bytes_get_data (icc, &len);
  profile = cmsOpenProfileFromMem (data, (cmsUInt32Number) len);
  if (profile == NULL)
    return FALSE;
  srgb = srgb_profile ();
  if (cmsGetColorSpace (profile) != cmsSigRgbData)
    goto out;
  check = cmsCreateTransform (profile, TYPE_RGB_8, srgb, TYPE_RGB_8, INTENT_RELATIVE_COLORIMETRIC, 0);
  if (check == NULL)
    goto out;
  ok = TRUE;
  if (same_as_srgb (check))
    goto out;
  alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  /* Relative colorimetric: a colour sRGB can show comes out the same
   * colour (what the ΔE test measures); one it cannot is clipped to the
   * nearest it can. Matrix profiles (P3, Adobe RGB) have no perceptual
   * tables, so "perceptual" would do the same. */
  t = cmsCreateTransform (profile, alpha ? TYPE_RGBA_8 : TYPE_RGB_8, srgb, alpha ? TYPE_RGBA_8 : TYPE_RGB_8,
                          INTENT_RELATIVE_COLORIMETRIC, alpha ? cmsFLAGS_COPY_ALPHA : 0);
  if (t == NULL)
    {
      ok = FALSE;
      goto out;
    }
  cmsDoTransformLineStride (t, gdk_pixbuf_get_pixels (pixbuf), gdk_pixbuf_get_pixels (pixbuf),
                            (cmsUInt32Number) gdk_pixbuf_get_width (pixbuf),
                            (cmsUInt32Number) gdk_pixbuf_get_height (pixbuf),
                            (cmsUInt32Number) gdk_pixbuf_get_rowstride (pixbuf),
                            (cmsUInt32Number) gdk_pixbuf_get_rowstride (pixbuf), 0, 0);
  if (info != NULL)
    {
      info->converted = TRUE;
      info->wide = is_wide (profile, srgb);
      g_free (info->profile);
      info->profile = profile_description (profile);
    }
out:
  if (t != NULL)
    cmsDeleteTransform (t);
  if (check != NULL)
    cmsDeleteTransform (check);
  cmsCloseProfile (srgb);
  cmsCloseProfile (profile);
  return ok;
}

/* ---- CMYK JPEG ----------------------------------------------------------- */

/* gdk-pixbuf turns CMYK into RGB by plain inversion, without the press
 * profile the file names: colours are off by ΔE 10–30. So a CMYK JPEG is
 * decoded here to its CMYK values and converted through its profile. */

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf               jump;
  char                  message[JMSG_LENGTH_MAX];
} JpegError;

static void
jpeg_error_exit_cb (j_common_ptr cinfo)
{
  JpegError *err = (JpegError *) cinfo->err;

  cinfo->err->format_message (cinfo, err->message);
  longjmp (err->jump, 1);
}

static void
jpeg_silence_cb (j_common_ptr cinfo, int level)
{
}

/* CMYK JPEG at path decoded to sRGB; NULL with *is_cmyk FALSE when it is
 * not a CMYK JPEG (the caller decodes it the usual way). */
static GdkPixbuf *
load_cmyk_jpeg (const char *path, int max_long_edge, gboolean *is_cmyk, LwColourInfo *info, GError **error)
{
  struct jpeg_decompress_struct cinfo;
  JpegError jerr;
  FILE *f;
  GdkPixbuf *volatile pixbuf = NULL;
  guint8 *volatile row = NULL;
  /* volatile: set after setjmp, read after a longjmp. */
  JOCTET *volatile icc_data = NULL;
  void *volatile profile = NULL;
  void *volatile srgb = NULL;
  void *volatile t = NULL;

  *is_cmyk = FALSE;
  f = fopen (path, "rbe");
  if (f == NULL)
    return NULL;
  memset (&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error (&jerr.pub);
  jerr.pub.error_exit = jpeg_error_exit_cb;
  jerr.pub.emit_message = jpeg_silence_cb;
  if (setjmp (jerr.jump))
    {
      g_set_error (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT, _("damaged %s: %s"), "JPEG", jerr.message);
      if (pixbuf != NULL)
        g_object_unref (pixbuf);
      pixbuf = NULL;
      goto out;
    }
  jpeg_create_decompress (&cinfo);
  jpeg_stdio_src (&cinfo, f);
  jpeg_save_markers (&cinfo, JPEG_APP0 + 2, 0xFFFF);
  jpeg_read_header (&cinfo, TRUE);
  if (cinfo.jpeg_color_space != JCS_CMYK && cinfo.jpeg_color_space != JCS_YCCK)
    goto out;
  *is_cmyk = TRUE;
  cinfo.out_color_space = JCS_CMYK;
  if (max_long_edge > 0)
    {
      /* DCT scaling in eighths, never below the size asked for. */
      guint long_edge = MAX (cinfo.image_width, cinfo.image_height);

      cinfo.scale_num = 8;
      cinfo.scale_denom = 8;
      while (cinfo.scale_num > 1 && long_edge * (cinfo.scale_num - 1) / 8 >= (guint) max_long_edge)
        cinfo.scale_num--;
    }
  jpeg_start_decompress (&cinfo);

  srgb = srgb_profile ();
  {
    JOCTET *icc = NULL;
    unsigned int icc_len = 0;

    if (jpeg_read_icc_profile (&cinfo, &icc, &icc_len))
      {
        icc_data = icc;
        profile = cmsOpenProfileFromMem (icc, icc_len);
      }
  }
  if (profile != NULL && cmsGetColorSpace (profile) == cmsSigCmykData)
    {
      /* Photoshop writes Adobe CMYK inverted (0 = full ink), and so says
       * with an APP14 "Adobe" marker; libjpeg tells us it saw one. */
      t = cmsCreateTransform (profile, cinfo.saw_Adobe_marker ? TYPE_CMYK_8_REV : TYPE_CMYK_8, srgb, TYPE_RGB_8,
                              INTENT_RELATIVE_COLORIMETRIC, 0);
      if (t != NULL && info != NULL)
        {
          info->converted = TRUE;
          info->profile = profile_description (profile);
        }
    }
  if (info != NULL)
    info->cmyk = TRUE;

  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, (int) cinfo.output_width, (int) cinfo.output_height);
  row = g_malloc ((gsize) cinfo.output_width * 4);
  if (pixbuf == NULL)
    {
      g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_CORRUPT, _("not enough memory to decode the image"));
      jpeg_abort_decompress (&cinfo);
      goto out;
    }
  while (cinfo.output_scanline < cinfo.output_height)
    {
      guint8 *dest = gdk_pixbuf_get_pixels (pixbuf)
                     + (gsize) cinfo.output_scanline * (gsize) gdk_pixbuf_get_rowstride (pixbuf);
      JSAMPROW rows[1] = { row };

      jpeg_read_scanlines (&cinfo, rows, 1);
      if (t != NULL)
        cmsDoTransform (t, row, dest, cinfo.output_width);
      else
        for (guint x = 0; x < cinfo.output_width; x++)
          {
            /* No profile: the plain conversion, as every viewer does. */
            int c = row[4 * x], m = row[4 * x + 1], y = row[4 * x + 2], k = row[4 * x + 3];

            if (!cinfo.saw_Adobe_marker)
              c = 255 - c, m = 255 - m, y = 255 - y, k = 255 - k;
            dest[3 * x] = (guint8) (c * k / 255);
            dest[3 * x + 1] = (guint8) (m * k / 255);
            dest[3 * x + 2] = (guint8) (y * k / 255);
          }
    }
  jpeg_finish_decompress (&cinfo);
out:
  jpeg_destroy_decompress (&cinfo);
  fclose (f);
  g_free (row);
  free (icc_data);
  if (t != NULL)
    cmsDeleteTransform (t);
  if (profile != NULL)
    cmsCloseProfile (profile);
  if (srgb != NULL)
    cmsCloseProfile (srgb);
  return pixbuf;
}

GdkPixbuf *
lw_colour_load_srgb (const char    *path,
                     int            orientation,
                     int            max_long_edge,
                     LwColourInfo  *info,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GBytes) icc = NULL;
  LwImageInfo header;
  gboolean is_cmyk = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  if (info != NULL)
    memset (info, 0, sizeof *info);
  if (lw_image_probe (path, &(LwImageLimits) { 0, 0 }, &header, NULL) && g_strcmp0 (header.mime, "image/jpeg") == 0)
    {
      g_autoptr(GError) local_error = NULL;

      pixbuf = load_cmyk_jpeg (path, max_long_edge, &is_cmyk, info, &local_error);
      if (is_cmyk && pixbuf == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  if (is_cmyk)
    {
      GdkPixbuf *scaled = pixbuf;
      int w = gdk_pixbuf_get_width (pixbuf), h = gdk_pixbuf_get_height (pixbuf);

      if (max_long_edge > 0 && MAX (w, h) > max_long_edge)
        {
          double s = (double) max_long_edge / MAX (w, h);

          scaled = gdk_pixbuf_scale_simple (pixbuf, MAX (1, (int) (w * s + 0.5)), MAX (1, (int) (h * s + 0.5)),
                                            GDK_INTERP_BILINEAR);
          g_object_unref (pixbuf);
          pixbuf = scaled;
        }
      if (orientation > 1 && orientation <= 8)
        {
          g_autofree char *value = g_strdup_printf ("%d", orientation);
          GdkPixbuf *upright;

          gdk_pixbuf_set_option (pixbuf, "orientation", value);
          upright = gdk_pixbuf_apply_embedded_orientation (pixbuf);
          g_object_unref (pixbuf);
          pixbuf = upright;
        }
      return g_steal_pointer (&pixbuf);
    }

  pixbuf = lw_image_load_oriented (path, orientation, max_long_edge, cancellable, error);
  if (pixbuf == NULL)
    return NULL;
  icc = lw_colour_pixbuf_icc (pixbuf);
  if (icc != NULL)
    lw_colour_to_srgb (pixbuf, icc, info);
  return g_steal_pointer (&pixbuf);
}

char *
lw_colour_note (const LwColourInfo *info)
{
  if (info == NULL || !info->wide)
    return NULL;
  /* TRANSLATORS: %s names a colour space ("Display P3", "Adobe RGB (1998)") */
  return g_strdup_printf (_("The original is in %s, a wider colour space than sRGB; the result is in sRGB, so its "
                            "most saturated colours may look a little less vivid"),
                          info->profile != NULL ? info->profile : _("a wide colour space"));
}

static guint32
crc32_update (guint32 crc, const guint8 *p, gsize len)
{
  static guint32 table[256];
  static gsize ready;

  if (g_once_init_enter (&ready))
    {
      for (guint32 n = 0; n < 256; n++)
        {
          guint32 c = n;

          for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
          table[n] = c;
        }
      g_once_init_leave (&ready, 1);
    }
  for (gsize i = 0; i < len; i++)
    crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return crc;
}

static void
put_be32 (GByteArray *out, guint32 v)
{
  guint8 b[4] = { (guint8) (v >> 24), (guint8) (v >> 16), (guint8) (v >> 8), (guint8) v };

  g_byte_array_append (out, b, 4);
}

GBytes *
lw_colour_png_with_icc (GBytes *png,
                        GBytes *icc)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
  g_autoptr(GZlibCompressor) zlib = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9);
  g_autoptr(GOutputStream) mem = NULL;
  g_autoptr(GOutputStream) z = NULL;
  g_autoptr(GBytes) packed = NULL;
  GByteArray *out;
  gsize len = 0, ihdr_end;
  const guint8 *data = g_bytes_get_data (png, &len);
  guint32 crc;
  static const char name[] = "sRGB";

  /* Signature, then IHDR (length 13): 8 + 4 + 4 + 13 + 4 bytes. */
  ihdr_end = 8 + 4 + 4 + 13 + 4;
  if (len < ihdr_end || memcmp (data, signature, 8) != 0 || memcmp (data + 12, "IHDR", 4) != 0)
    return NULL;
  mem = g_memory_output_stream_new_resizable ();
  z = g_converter_output_stream_new (mem, G_CONVERTER (zlib));
  if (!g_output_stream_write_all (z, g_bytes_get_data (icc, NULL), g_bytes_get_size (icc), NULL, NULL, NULL)
      || !g_output_stream_close (z, NULL, NULL))
    return NULL;
  packed = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));

  out = g_byte_array_sized_new ((guint) (len + g_bytes_get_size (packed) + 32));
  g_byte_array_append (out, data, (guint) ihdr_end);
  put_be32 (out, (guint32) (sizeof name + 1 + g_bytes_get_size (packed)));
  {
    gsize start = out->len;

    g_byte_array_append (out, (const guint8 *) "iCCP", 4);
    g_byte_array_append (out, (const guint8 *) name, sizeof name);   /* with its NUL */
    g_byte_array_append (out, (const guint8 *) "\0", 1);              /* deflate */
    g_byte_array_append (out, g_bytes_get_data (packed, NULL), (guint) g_bytes_get_size (packed));
    crc = crc32_update (0xFFFFFFFFu, out->data + start, out->len - start) ^ 0xFFFFFFFFu;
  }
  put_be32 (out, crc);
  g_byte_array_append (out, data + ihdr_end, (guint) (len - ihdr_end));
  return g_byte_array_free_to_bytes (out);
}

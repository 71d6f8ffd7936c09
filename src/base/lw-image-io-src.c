/* lw-image-io-src.c — the bytes of a file, read safely, and what they are.
 *
 * LwSrc is a window over a file (or memory) that refuses any range outside
 * it, so a hostile length or offset can only make a probe fail, never read
 * out of bounds. The type is told from the first kilobyte (magic numbers,
 * the ftyp brand of an ISO-BMFF file), never from the name.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lw-image-io-private.h"

/* ---- the reading window ------------------------------------------------ */

gboolean
lw_image_io_src_open (LwSrc      *src,
                      const char *path,
                      GError    **error)
{
  struct stat st;
  int flags;

  /* O_NONBLOCK: opening a fifo for reading would otherwise wait for a writer. */
  src->fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (src->fd < 0)
    return lw_image_io_fail_read (error, errno);
  if (fstat (src->fd, &st) != 0)
    return lw_image_io_fail_read (error, errno);
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

void
lw_image_io_src_clear (LwSrc *src)
{
  g_clear_pointer (&src->win, g_free);
  if (src->fd >= 0)
    close (src->fd);
  src->fd = -1;
}

/* len bytes at off, or NULL when any of them is outside the file (or the
 * read failed). The pointer is valid until the next lw_image_io_src_peek. */
const guint8 *
lw_image_io_src_peek (LwSrc *src,
                      gint64 off,
                      gsize  len)
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

/* memmem () is a GNU extension; this is all we need of it. */
const guint8 *
lw_image_io_find_bytes (const guint8 *hay,
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
  return lw_image_io_find_bytes (p + i, len - i, "<svg", 4) != NULL;
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

  if ((p = lw_image_io_src_peek (src, 0, 12)) == NULL)
    return lw_image_io_fail_short (src, error, NULL);
  ftyp_size = be32 (p);
  if (ftyp_size < 16 || ftyp_size > 4096)
    return lw_image_io_fail_corrupt (error, NULL);
  if ((p = lw_image_io_src_peek (src, 0, ftyp_size)) == NULL)
    return lw_image_io_fail_short (src, error, NULL);

  /* The major brand decides; else the first compatible brand we know. */
  for (guint32 off = 8; off + 4 <= ftyp_size; off += (off == 8 ? 8 : 4))
    {
      if (brand_is (p + off, avif_brands))
        info->mime = "image/avif";
      else if (brand_is (p + off, heic_brands))
        info->mime = "image/heic";
      else if (brand_is (p + off, raw_brands))
        return lw_image_io_fail_unsupported (error, _("Camera RAW"));
      else
        continue;
      return TRUE;
    }
  g_set_error_literal (error, LW_IMAGE_ERROR, LW_IMAGE_ERROR_NOT_IMAGE, _("a video, not an image"));
  return FALSE;
}

/* Sets info->mime for the formats we read, or fails with what the file is. */
gboolean
lw_image_io_sniff (LwSrc       *src,
                   LwImageInfo *info,
                   GError     **error)
{
  gsize len = (gsize) MIN (src->size, (gint64) 1024);
  const guint8 *p = lw_image_io_src_peek (src, 0, len);

  if (p == NULL)
    return lw_image_io_fail_short (src, error, NULL);

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
    return lw_image_io_fail_unsupported (error, "GIF");
  else if (len >= 18 && p[0] == 'B' && p[1] == 'M'
           && (le32 (p + 14) == 12 || le32 (p + 14) == 40 || le32 (p + 14) == 52
               || le32 (p + 14) == 56 || le32 (p + 14) == 64 || le32 (p + 14) == 108
               || le32 (p + 14) == 124))
    return lw_image_io_fail_unsupported (error, "BMP");
  else if (len >= 4 && (memcmp (p, "II+\0", 4) == 0 || memcmp (p, "MM\0+", 4) == 0))
    return lw_image_io_fail_unsupported (error, "BigTIFF");
  else if (len >= 4 && (memcmp (p, "IIRO", 4) == 0 || memcmp (p, "IIRS", 4) == 0 || memcmp (p, "IIU\0", 4) == 0))
    return lw_image_io_fail_unsupported (error, _("Camera RAW"));
  else if (len >= 4 && memcmp (p, "8BPS", 4) == 0)
    return lw_image_io_fail_unsupported (error, "Photoshop");
  else if ((len >= 2 && memcmp (p, "\xFF\x0A", 2) == 0)
           || (len >= 12 && memcmp (p, "\0\0\0\x0CJXL \r\n\x87\n", 12) == 0))
    return lw_image_io_fail_unsupported (error, "JPEG XL");
  else if (len >= 12 && memcmp (p, "\0\0\0\x0CjP  \r\n\x87\n", 12) == 0)
    return lw_image_io_fail_unsupported (error, "JPEG 2000");
  else if (len >= 4 && memcmp (p, "\0\0\1\0", 4) == 0)
    return lw_image_io_fail_unsupported (error, _("Icon"));
  else if (looks_like_svg (p, len))
    return lw_image_io_fail_unsupported (error, "SVG");
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

/* lw-gemini-input.h — the photo as it is sent: upright, not larger than the
 * model can use, in a format the API takes.
 *
 * Runs in a worker thread (it decodes and encodes); the original file is
 * never modified.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  GBytes   *data;       /* encoded image as sent */
  char     *mime;       /* "image/jpeg", "image/png", "image/webp" */
  int       width;      /* as sent, upright */
  int       height;
  gboolean  reencoded;  /* FALSE: the original bytes go out as they are */
} LwGeminiInput;

/* The input formats generateContent takes for images. */
gboolean       lw_gemini_mime_is_accepted     (const char *mime);

/* The supported imageConfig.aspectRatio nearest width:height (compared on a
 * log scale, so 2:1 is as far from 1:1 as 1:2 is). Static string. */
const char    *lw_gemini_nearest_aspect_ratio (int width,
                                               int height);
/* Width / height of the result Gemini gives for an aspectRatio name
 * ("3:2" → 1.5, "4:3" → 1184 / 864), 0 for an unknown one. */
double         lw_gemini_aspect_ratio_value   (const char *name);

/* Reads path, applies the EXIF orientation (1–8) and downscales so the long
 * edge is at most max_edge. Sends the original bytes when the photo is
 * already upright, small enough and in an accepted format, unless a JPEG
 * quality-92 re-encode is smaller. The file's header is the authority for
 * type and size (mime, width and height, as the database has them, are only
 * hints); orientation 0 = take the file's. Errors: LW_ENGINE_ERROR_BAD_INPUT. */
LwGeminiInput *lw_gemini_input_prepare        (const char   *path,
                                               const char   *mime,
                                               int           width,
                                               int           height,
                                               int           orientation,
                                               int           max_edge,
                                               GCancellable *cancellable,
                                               GError      **error);
void           lw_gemini_input_free           (LwGeminiInput *input);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwGeminiInput, lw_gemini_input_free)

G_END_DECLS

/* lw-gemini-body-stream.h — a generateContent request body, produced as it
 * is sent.
 *
 * Yields head, then the base64 of the image in chunks, then tail, so the
 * request never exists as one string: besides the encoded image only a
 * chunk-sized buffer is alive (the V4 design's "linear-time base64", without
 * its whole-body copies). libsoup sends it chunked (length −1).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LW_TYPE_GEMINI_BODY_STREAM (lw_gemini_body_stream_get_type ())
G_DECLARE_FINAL_TYPE (LwGeminiBodyStream, lw_gemini_body_stream, LW, GEMINI_BODY_STREAM, GInputStream)

/* head and tail are copied; image is referenced. */
GInputStream *lw_gemini_body_stream_new        (const char *head,
                                                GBytes     *image,
                                                const char *tail);
/* Bytes the stream yields in all: head + base64 + tail. */
gsize         lw_gemini_body_stream_get_length (LwGeminiBodyStream *self);
/* The largest base64 buffer it ever held (tests: memory stays bounded). */
gsize         lw_gemini_body_stream_get_peak_buffer (LwGeminiBodyStream *self);

/* Splits a whole JSON body at marker (which must occur once, inside a string
 * value) into head and tail, so a body built with json-glib around a
 * placeholder can be streamed with the image in its place. */
gboolean      lw_gemini_body_split             (const char *json,
                                                const char *marker,
                                                char      **head,
                                                char      **tail);

G_END_DECLS

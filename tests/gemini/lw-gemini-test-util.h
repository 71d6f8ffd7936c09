/* lw-gemini-test-util.h — photos and engine runs for the Gemini tests. */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "lw-engine.h"
#include "lw-fake-gemini-server.h"
#include "lw-gemini-engine.h"

G_BEGIN_DECLS

/* A key that looks real enough to be worth leaking; tests search for it. */
#define LW_TEST_KEY "AIzaSyFAKE-0123456789-lightwork-test"

/* A photo-like JPEG: a gradient, a red square at the top-left corner of
 * the stored pixels, noise from seed. orientation 1 writes no EXIF; 2–8
 * adds an APP1 Exif segment with that orientation. */
void       lw_test_make_jpeg      (const char *path,
                                   int         width,
                                   int         height,
                                   guint32     seed,
                                   int         orientation,
                                   int         quality);
/* Left half colour a, right half colour b (0xRRGGBB), as JPEG. */
void       lw_test_make_split_jpeg (const char *path,
                                    int         width,
                                    int         height,
                                    guint32     a,
                                    guint32     b);
void       lw_test_make_png       (const char *path,
                                   int         width,
                                   int         height,
                                   guint32     seed,
                                   gboolean    alpha);
char      *lw_test_file_sha256    (const char *path);
GdkPixbuf *lw_test_decode         (GBytes     *bytes);
/* RGB of pixbuf at x, y, as 0xRRGGBB. */
guint32    lw_test_pixel          (GdkPixbuf  *pixbuf,
                                   int         x,
                                   int         y);
/* TRUE when every channel of a and b differs by at most tolerance. */
gboolean   lw_test_colour_near    (guint32     a,
                                   guint32     b,
                                   int         tolerance);

/* The part of a width × height photo the fake server draws its answer
 * from: the middle of it in the aspect ratio LightWork asks for
 * (lw_gemini_nearest_aspect_ratio), at x, y, w × h. */
void       lw_test_drawn_region   (int         width,
                                   int         height,
                                   int        *x,
                                   int        *y,
                                   int        *w,
                                   int        *h);
/* Asserts that result is the fake's answer for original (already upright,
 * not shrunk): its drawn region mirrored left-right and inverted, checked
 * at n × n points within tolerance. */
void       lw_test_assert_transform_of (GBytes    *result,
                                        GdkPixbuf *original,
                                        int        n,
                                        int        tolerance);

/* A request for path (probed for size and type) with model alias. */
LwEngineRequest *lw_test_request_new (const char *path,
                                      const char *model,
                                      const char *prompt);
/* Runs one process_async to completion on the default main context. */
LwEngineResult  *lw_test_run_engine  (LwEngine        *engine,
                                      LwEngineRequest *request,
                                      GCancellable    *cancellable,
                                      GError         **error);

/* A fake server with LW_TEST_KEY, started; and a config pointing at it
 * with time-outs of timeout_ms. */
LwFakeGemini    *lw_test_fake_start  (void);
LwGeminiConfig  *lw_test_config_for  (LwFakeGemini *server,
                                      gint64        timeout_ms);

G_END_DECLS

/* lw-local-test-util.h — measuring the local engine's output.
 *
 * CIEDE2000 (Sharma, Wu & Dalal 2005) on sRGB images, 8-bit images decoded
 * with gdk-pixbuf, synthetic variants of photos (casts, exposure), and a
 * synchronous way to run an engine from a test.
 */
#pragma once

#include <gio/gio.h>

#include "lw-engine.h"

G_BEGIN_DECLS

/* CIEDE2000 with kL = kC = kH = 1. */
double        lw_ciede2000              (const double lab1[3],
                                         const double lab2[3]);
/* 8-bit sRGB → CIELAB (D65). */
void          lw_srgb8_to_lab           (const guint8 rgb[3],
                                         double       lab[3]);

typedef struct {
  int     width;
  int     height;
  guint8 *rgb;        /* 8-bit sRGB, 3 bytes a pixel, no padding */
  guint8 *alpha;      /* NULL when opaque */
} LwTestImage;

LwTestImage  *lw_test_image_new         (int                width,
                                         int                height);
/* Decoded, an embedded ICC profile converted to sRGB (as the engine does). */
LwTestImage  *lw_test_image_load        (const char        *path);
LwTestImage  *lw_test_image_from_bytes  (GBytes            *bytes);
void          lw_test_image_free        (LwTestImage       *image);
void          lw_test_image_save_png    (const LwTestImage *image,
                                         const char        *path);
/* A linear value as an 8-bit sRGB code, noise (in codes; 0 for none)
 * added before rounding. */
guint8        lw_test_srgb_code         (double             linear,
                                         double             noise);
/* Linear-light gains per channel (a cast, or ×0.5 for −1 EV), re-encoded
 * to 8 bits, clipping like a camera would. */
LwTestImage  *lw_test_image_gain        (const LwTestImage *image,
                                         const double       gains[3]);

/* Mean ΔE2000 between two images of the same size; max_out: the largest. */
double        lw_test_mean_delta_e      (const LwTestImage *a,
                                         const LwTestImage *b,
                                         double            *max_out);
/* Mean ΔE2000 over the pixels where mask (width × height) is set. */
double        lw_test_mean_delta_e_mask (const LwTestImage *a,
                                         const LwTestImage *b,
                                         const guint8      *mask);
double        lw_test_mean_lstar        (const LwTestImage *image);
double        lw_test_mean_chroma       (const LwTestImage *image);
double        lw_test_mean_b            (const LwTestImage *image);
/* Share of channel values (three a pixel) at 0 or at 255. */
double        lw_test_clipped_share     (const LwTestImage *image);
/* Share of pixels wholly black (0, 0, 0) or wholly white (255, 255, 255). */
double        lw_test_blown_share       (const LwTestImage *image);

/* Runs one request through engine, iterating the thread-default main
 * context until it is done. */
LwEngineResult *lw_test_run_engine      (LwEngine          *engine,
                                         const char        *path,
                                         const char        *module_id,
                                         const char        *instruction,
                                         int                orientation,
                                         GCancellable      *cancellable,
                                         GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LwTestImage, lw_test_image_free)

G_END_DECLS

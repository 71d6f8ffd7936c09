/* lw-result-check.h — the checks every result passes before it counts as
 * done (docs/ARCHITECTURE.md, "Results").
 *
 * A model can answer with another picture, a crop, the wrong shape or a
 * grey backdrop where white was asked. These checks look at the pixels
 * (small grey copies, cheap enough for every result) and say why a result
 * needs a person's eye; they never fail it: the result is kept, marked
 * "needs review" with the reason.
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* The side of the grey copies the similarity is measured on. */
#define LW_RESULT_CHECK_EDGE 128

/* A result's shape may differ from the one asked for by this much:
 * 2 % is a few pixels of rounding at 1–2K, while the nearest other ratio
 * Gemini offers is at least 6 % away (5:4 against 4:3). */
#define LW_RESULT_CHECK_ASPECT_TOLERANCE 0.02

typedef struct {
  double aspect_error;  /* |result ratio / asked ratio − 1| */
  double ssim;          /* structural similarity to the original, −1 to 1 */
  double ssim_floor;    /* the module's floor it was held to */
  double white;         /* share of the border that is white (product), −1 when not checked */
} LwResultScores;

/* Structural similarity of a and b, on grey copies of at most
 * LW_RESULT_CHECK_EDGE px a side in a's shape, each first brought to the
 * same mean and contrast (an edit that brightens a photo is the same
 * picture; a different picture or a crop is not). 8×8 windows, step 4. */
double  lw_result_check_ssim       (GdkPixbuf      *a,
                                    GdkPixbuf      *b);

/* The share of pixels in the outer band of result (6 % of each side) that
 * are white: every channel ≥ 235 and no more than 12 apart. Transparent
 * pixels count as on white. */
double  lw_result_check_whiteness  (GdkPixbuf      *result);

/* The least similarity a module's result must keep to its original. */
double  lw_result_check_ssim_floor (const char     *module_id);

/* Runs every check of module_id on result (decoded small; result_width and
 * result_height are its real size) against original (upright, any size);
 * asked_aspect is the width / height the engine was asked for (0: the
 * original's). Returns NULL when it passes, else the reasons in words,
 * one sentence each. scores (may be NULL) gets the numbers. */
char   *lw_result_check            (GdkPixbuf      *original,
                                    GdkPixbuf      *result,
                                    int             result_width,
                                    int             result_height,
                                    double          asked_aspect,
                                    const char     *module_id,
                                    LwResultScores *scores);

/* The checks as the queue runs them, on a result's encoded bytes: decodes
 * the original at original_path (upright by orientation, in sRGB, small)
 * and the result (small), runs lw_result_check(), and sets *review_reason
 * (NULL = passed) and *note (a wide-gamut original: lw_colour_note(),
 * else NULL). A result that cannot be decoded needs review; an original
 * that cannot be decoded is not the result's fault and skips the checks. */
void    lw_result_check_bytes      (const char     *original_path,
                                    int             orientation,
                                    GBytes         *result,
                                    double          asked_aspect,
                                    const char     *module_id,
                                    char          **review_reason,
                                    char          **note);

G_END_DECLS

/* lw-colour.h — colour spaces: photos in sRGB, results tagged sRGB.
 *
 * Gemini and the checks see pixels as sRGB: a photo with another embedded
 * ICC profile (Display P3, Adobe RGB, a CMYK JPEG's press profile) is
 * converted with lcms2 before anything looks at it, and every saved
 * result carries lcms2's standard sRGB profile (docs/ARCHITECTURE.md,
 * "Results").
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  gboolean  converted;  /* the pixels were converted from another profile */
  gboolean  wide;       /* that profile holds colours sRGB cannot (P3, Adobe RGB) */
  gboolean  cmyk;       /* a CMYK JPEG */
  char     *profile;    /* the profile's description ("Display P3"), NULL for none or sRGB */
} LwColourInfo;

void        lw_colour_info_clear   (LwColourInfo *info);

/* Decodes path upright (EXIF orientation 1–8) with its long edge at most
 * max_long_edge (0 = full size), converted to sRGB when it embeds another
 * RGB profile or is a CMYK JPEG (through its profile, or the plain
 * inversion when it has none). A photo without a profile is taken as
 * sRGB, as browsers do. info (may be NULL) says what was done; clear it
 * with lw_colour_info_clear(). */
GdkPixbuf  *lw_colour_load_srgb    (const char    *path,
                                    int            orientation,
                                    int            max_long_edge,
                                    LwColourInfo  *info,
                                    GCancellable  *cancellable,
                                    GError       **error);

/* Converts pixbuf (8-bit RGB or RGBA) in place from the ICC profile in icc
 * to sRGB; alpha is kept. FALSE (pixbuf untouched) when icc is not an RGB
 * profile lcms2 can read. A profile that is sRGB in all but name is left
 * alone (info->converted stays FALSE). */
gboolean    lw_colour_to_srgb      (GdkPixbuf     *pixbuf,
                                    GBytes        *icc,
                                    LwColourInfo  *info);

/* The pixbuf's embedded profile (its "icc-profile" option), NULL for none. */
GBytes     *lw_colour_pixbuf_icc   (GdkPixbuf     *pixbuf);

/* lcms2's standard sRGB profile (cmsCreate_sRGBProfile), serialised. */
GBytes     *lw_colour_srgb_icc     (void);

/* The same as base64, for gdk-pixbuf savers' "icc-profile" option. */
const char *lw_colour_srgb_icc_base64 (void);

/* png (a PNG file) with an iCCP chunk holding icc inserted after its
 * header; NULL when png is not a PNG. gdk-pixbuf 2.42's PNG saver sets
 * the profile before the header, and libpng then refuses any RGB profile
 * ("RGB color space not permitted on grayscale PNG"). */
GBytes     *lw_colour_png_with_icc (GBytes *png,
                                    GBytes *icc);

/* The sentence shown for a photo in a wide colour space, NULL when info
 * says it is not one. */
char       *lw_colour_note         (const LwColourInfo *info);

G_END_DECLS

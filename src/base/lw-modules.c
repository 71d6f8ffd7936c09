/* lw-modules.c — the built-in modules and their default prompts.
 *
 * The prompts are written for Gemini's image models and say as plainly what
 * must be kept (identity, geometry, framing, text on packaging) as what must
 * change: an edit the user cannot trust is worse than no edit. They are not
 * translated — the models follow English instructions most reliably — but
 * the names and descriptions people read are.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-modules.h"

static const LwBuiltinModule builtin_modules[] = {
  {
    "food",
    N_("Food Enhancer"),
    N_("Appetising light and colour for dishes and drinks"),
    "lw-food-symbolic",
    "Edit this food photograph the way a professional food photographer and retoucher would for a "
    "restaurant menu or a delivery app.\n"
    "Improve: white balance (neutral whites on plates and tablecloths, no colour cast); exposure and "
    "contrast so the dish reads clearly; gentle warmth and natural, appetising saturation — fresh "
    "greens, ripe reds, golden crusts — without neon or oversaturated colours; soft, flattering light "
    "with open shadows and controlled highlights on glossy sauces; crisp detail and texture on the food "
    "itself; remove small crumbs, smudges and drips on plate rims and the table.\n"
    "Keep exactly: the dish, its ingredients, portion size and arrangement; the plate, props, "
    "tableware and background; the camera angle, framing, crop and aspect ratio. Do not add, remove or "
    "replace any food, garnish, steam or prop, and do not change what the dish is.\n"
    "The result must look like an untouched, well-lit photograph, not an illustration or a render.",
  },
  {
    "product",
    N_("Product Studio"),
    N_("Pure white background and studio light for e-commerce"),
    "lw-product-symbolic",
    "Turn this photograph into a clean e-commerce product shot for an online shop listing.\n"
    "Background: replace everything that is not the product with a pure white (#FFFFFF) seamless "
    "studio background, edge to edge, with no gradient, texture, vignette or horizon line.\n"
    "Light: soft, even studio lighting; a soft, natural contact shadow directly under the product so it "
    "sits on the surface rather than floating; no hard cast shadows and no reflections that were not "
    "there.\n"
    "Composition: the whole product centred, upright and fully in frame with an even margin around it; "
    "nothing cropped.\n"
    "Keep exactly: the product itself — its shape, proportions, colours, materials, finish, and every "
    "label, logo, printed text, number and barcode on the packaging, letter for letter. Do not "
    "redesign, restyle, repair, add or remove any part of the product, and do not add props or text.\n"
    "Colours of the product must stay true to the original so a buyer receives what they saw.",
  },
  {
    "portrait",
    N_("Portrait"),
    N_("Natural retouching that keeps the person who they are"),
    "lw-portrait-symbolic",
    "Retouch this portrait the way a skilled, restrained portrait retoucher would.\n"
    "Improve: natural, even skin tone with temporary blemishes softened while keeping real skin "
    "texture and pores; balanced, flattering light on the face; correct white balance with natural "
    "skin colour; clear, bright eyes without changing their colour; tidy stray hairs; a gently "
    "cleaner background without changing what it is.\n"
    "Keep exactly: the person's identity and likeness — face shape, features, proportions, age, body "
    "shape, skin tone, freckles, moles and scars, hair style and colour, expression, pose, clothing and "
    "accessories; the framing, crop, camera angle and background scene.\n"
    "Do not slim, reshape, de-age, beautify or change makeup, and do not add or remove people or "
    "objects. The result must look like the same photograph on a good day, not an AI-generated face.",
  },
  {
    "realestate",
    N_("Real Estate"),
    N_("Bright, straight, true-to-life interiors and exteriors"),
    "lw-realestate-symbolic",
    "Edit this real estate photograph for a property listing, as a professional architectural "
    "photographer would.\n"
    "Improve: bright, balanced exposure — lift dark interiors and recover blown windows so the view "
    "outside is visible (a natural HDR look, no halos); neutral white balance with clean white walls and "
    "ceilings; straight vertical lines (correct converging verticals) and a level horizon; crisp detail; "
    "for exteriors, a clear natural sky where the sky is dull or overexposed.\n"
    "Keep exactly: the architecture, rooms, dimensions, layout, windows, doors, fixtures, furniture, "
    "materials, colours of walls and floors, and the view. Do not add, remove, move or restyle "
    "furniture or objects, do not add virtual staging, and do not hide defects or change the size "
    "of any space: the listing must stay truthful.\n"
    "The result must look like a real photograph, not a rendering.",
  },
  {
    "remaster",
    N_("Remaster"),
    N_("Restore old, faded or poor photos with care"),
    "lw-remaster-symbolic",
    "Restore this photograph as a careful photo restorer would.\n"
    "Improve: remove dust, scratches, creases, stains and film grain or compression noise; recover "
    "faded contrast and tonal range; correct colour casts and restore natural, period-appropriate "
    "colour (keep a black-and-white photo black and white); sharpen softness where detail is "
    "genuinely there.\n"
    "Keep exactly: every person's identity and features, expressions, poses, clothing, the scene, "
    "objects, composition, framing and aspect ratio. Do not invent details that cannot be seen, do not "
    "modernise clothing, hair or objects, and do not add or remove anything.\n"
    "The result must look like the same photograph in good condition, not a new picture.",
  },
};

const LwBuiltinModule *
lw_builtin_modules (guint *n_modules)
{
  if (n_modules != NULL)
    *n_modules = G_N_ELEMENTS (builtin_modules);
  return builtin_modules;
}

const LwBuiltinModule *
lw_builtin_module_find (const char *id)
{
  for (guint i = 0; id != NULL && i < G_N_ELEMENTS (builtin_modules); i++)
    if (g_str_equal (builtin_modules[i].id, id))
      return &builtin_modules[i];
  return NULL;
}

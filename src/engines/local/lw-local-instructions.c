/* lw-local-instructions.c — the per-image instructions the local engine honours.
 *
 * An instruction is split into clauses (at , ; . ! ? new lines and the
 * words "and", "then", "but", "plus", "also", "with"). In each clause,
 * polite filler ("please make the photo …") is dropped and an intensity
 * word is noted; what is left must be one of the phrases below.
 *
 *   effect           phrases (any of)                                        one step does
 *   ---------------  ------------------------------------------------------  -----------------------------
 *   warmer / cooler  warmer, warm up, more warmth · cooler, colder, cool      ±0.06 on the amber–blue axis
 *   brighter/darker  brighter, lighter, brighten · darker, darken            ±5 L* on the mid-tones
 *   contrast         more/less contrast, punchier · flatter                  ±0.15 S-curve
 *   saturation       more/less saturation, more colourful, vivid · muted     ±15 % chroma
 *   black and white  black and white, b&w, monochrome, greyscale             luminance only
 *   sharpness        sharper, crisper, more detail · softer, smoother        ±0.3 unsharp amount
 *   noise            less noise, denoise, less grain                         +1 noise-reduction pass
 *   square           square, square crop, 1:1                                centre crop to a square
 *   white background white background, on white, remove background          Product Studio's cut-out
 *   strength         natural, subtle, gentle · stronger, more dramatic       ×0.5 · ×1.5 the recipe's changes
 *
 *   intensity        slightly, a bit, a little, a touch, somewhat            ×0.5
 *                    much, a lot, very, really, way, significantly           ×2
 *
 * A clause with a negation ("not too bright", "don't …") or any other words
 * is reported as not understood, rather than guessed at.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lw-local-instructions.h"

typedef enum {
  FIELD_WARMTH,
  FIELD_BRIGHTNESS,
  FIELD_CONTRAST,
  FIELD_SATURATION,
  FIELD_SHARPNESS,
  FIELD_DENOISE,
  FIELD_STRENGTH,
  FIELD_MONO,
  FIELD_SQUARE,
  FIELD_WHITE_BACKGROUND,
} Field;

typedef struct {
  const char *phrase;
  Field       field;
  double      sign;
} Phrase;

static const Phrase phrases[] = {
  { "warmer", FIELD_WARMTH, +1 }, { "warm", FIELD_WARMTH, +1 }, { "warm up", FIELD_WARMTH, +1 },
  { "more warmth", FIELD_WARMTH, +1 }, { "more warm", FIELD_WARMTH, +1 }, { "add warmth", FIELD_WARMTH, +1 },
  { "warmer tones", FIELD_WARMTH, +1 }, { "warmer colours", FIELD_WARMTH, +1 },
  { "warmer colors", FIELD_WARMTH, +1 }, { "golden", FIELD_WARMTH, +1 },
  { "cooler", FIELD_WARMTH, -1 }, { "cool", FIELD_WARMTH, -1 }, { "colder", FIELD_WARMTH, -1 },
  { "cold", FIELD_WARMTH, -1 }, { "cool down", FIELD_WARMTH, -1 }, { "less warm", FIELD_WARMTH, -1 },
  { "less warmth", FIELD_WARMTH, -1 }, { "cooler tones", FIELD_WARMTH, -1 },
  { "cooler colours", FIELD_WARMTH, -1 }, { "cooler colors", FIELD_WARMTH, -1 },

  { "brighter", FIELD_BRIGHTNESS, +1 }, { "bright", FIELD_BRIGHTNESS, +1 },
  { "brighten", FIELD_BRIGHTNESS, +1 }, { "brighten up", FIELD_BRIGHTNESS, +1 },
  { "lighter", FIELD_BRIGHTNESS, +1 }, { "lighten", FIELD_BRIGHTNESS, +1 },
  { "more light", FIELD_BRIGHTNESS, +1 }, { "more exposure", FIELD_BRIGHTNESS, +1 },
  { "increase exposure", FIELD_BRIGHTNESS, +1 },
  { "darker", FIELD_BRIGHTNESS, -1 }, { "dark", FIELD_BRIGHTNESS, -1 }, { "darken", FIELD_BRIGHTNESS, -1 },
  { "less bright", FIELD_BRIGHTNESS, -1 }, { "less light", FIELD_BRIGHTNESS, -1 },
  { "less exposure", FIELD_BRIGHTNESS, -1 }, { "reduce exposure", FIELD_BRIGHTNESS, -1 },
  { "moodier", FIELD_BRIGHTNESS, -1 },

  { "more contrast", FIELD_CONTRAST, +1 }, { "higher contrast", FIELD_CONTRAST, +1 },
  { "increase contrast", FIELD_CONTRAST, +1 }, { "add contrast", FIELD_CONTRAST, +1 },
  { "boost contrast", FIELD_CONTRAST, +1 }, { "contrast", FIELD_CONTRAST, +1 },
  { "contrasty", FIELD_CONTRAST, +1 }, { "punchier", FIELD_CONTRAST, +1 }, { "punchy", FIELD_CONTRAST, +1 },
  { "more punch", FIELD_CONTRAST, +1 },
  { "less contrast", FIELD_CONTRAST, -1 }, { "lower contrast", FIELD_CONTRAST, -1 },
  { "reduce contrast", FIELD_CONTRAST, -1 }, { "decrease contrast", FIELD_CONTRAST, -1 },
  { "low contrast", FIELD_CONTRAST, -1 }, { "softer contrast", FIELD_CONTRAST, -1 },
  { "flatter", FIELD_CONTRAST, -1 }, { "flat", FIELD_CONTRAST, -1 },

  { "more saturation", FIELD_SATURATION, +1 }, { "more saturated", FIELD_SATURATION, +1 },
  { "saturated", FIELD_SATURATION, +1 }, { "saturate", FIELD_SATURATION, +1 },
  { "increase saturation", FIELD_SATURATION, +1 }, { "boost saturation", FIELD_SATURATION, +1 },
  { "more colour", FIELD_SATURATION, +1 }, { "more color", FIELD_SATURATION, +1 },
  { "more colourful", FIELD_SATURATION, +1 }, { "more colorful", FIELD_SATURATION, +1 },
  { "colourful", FIELD_SATURATION, +1 }, { "colorful", FIELD_SATURATION, +1 },
  { "vivid", FIELD_SATURATION, +1 }, { "more vivid", FIELD_SATURATION, +1 },
  { "vibrant", FIELD_SATURATION, +1 }, { "more vibrant", FIELD_SATURATION, +1 },
  { "richer colours", FIELD_SATURATION, +1 }, { "richer colors", FIELD_SATURATION, +1 },
  { "colours pop", FIELD_SATURATION, +1 }, { "colors pop", FIELD_SATURATION, +1 },
  { "pop", FIELD_SATURATION, +1 }, { "richer", FIELD_SATURATION, +1 },
  { "less saturation", FIELD_SATURATION, -1 }, { "less saturated", FIELD_SATURATION, -1 },
  { "desaturate", FIELD_SATURATION, -1 }, { "desaturated", FIELD_SATURATION, -1 },
  { "muted", FIELD_SATURATION, -1 }, { "more muted", FIELD_SATURATION, -1 },
  { "less colourful", FIELD_SATURATION, -1 }, { "less colorful", FIELD_SATURATION, -1 },
  { "less colour", FIELD_SATURATION, -1 }, { "less color", FIELD_SATURATION, -1 },
  { "less vivid", FIELD_SATURATION, -1 }, { "less vibrant", FIELD_SATURATION, -1 },
  { "subdued", FIELD_SATURATION, -1 }, { "softer colours", FIELD_SATURATION, -1 },
  { "softer colors", FIELD_SATURATION, -1 },

  { "monochrome", FIELD_MONO, +1 }, { "mono", FIELD_MONO, +1 }, { "greyscale", FIELD_MONO, +1 },
  { "grayscale", FIELD_MONO, +1 }, { "grey scale", FIELD_MONO, +1 }, { "gray scale", FIELD_MONO, +1 },
  { "bw", FIELD_MONO, +1 }, { "noir", FIELD_MONO, +1 },

  { "sharper", FIELD_SHARPNESS, +1 }, { "sharpen", FIELD_SHARPNESS, +1 }, { "sharp", FIELD_SHARPNESS, +1 },
  { "crisper", FIELD_SHARPNESS, +1 }, { "crisp", FIELD_SHARPNESS, +1 },
  { "more detail", FIELD_SHARPNESS, +1 }, { "more details", FIELD_SHARPNESS, +1 },
  { "more sharpness", FIELD_SHARPNESS, +1 }, { "increase sharpness", FIELD_SHARPNESS, +1 },
  { "clearer", FIELD_SHARPNESS, +1 }, { "more clarity", FIELD_SHARPNESS, +1 },
  { "softer", FIELD_SHARPNESS, -1 }, { "soften", FIELD_SHARPNESS, -1 }, { "less sharp", FIELD_SHARPNESS, -1 },
  { "less sharpening", FIELD_SHARPNESS, -1 }, { "smoother", FIELD_SHARPNESS, -1 },
  { "smooth", FIELD_SHARPNESS, -1 }, { "dreamy", FIELD_SHARPNESS, -1 },

  { "less noise", FIELD_DENOISE, +1 }, { "denoise", FIELD_DENOISE, +1 }, { "reduce noise", FIELD_DENOISE, +1 },
  { "remove noise", FIELD_DENOISE, +1 }, { "noise reduction", FIELD_DENOISE, +1 },
  { "less grain", FIELD_DENOISE, +1 }, { "less grainy", FIELD_DENOISE, +1 },
  { "remove grain", FIELD_DENOISE, +1 }, { "reduce grain", FIELD_DENOISE, +1 },
  { "cleaner", FIELD_DENOISE, +1 },

  { "square", FIELD_SQUARE, +1 }, { "square crop", FIELD_SQUARE, +1 }, { "crop square", FIELD_SQUARE, +1 },
  { "1:1", FIELD_SQUARE, +1 }, { "square format", FIELD_SQUARE, +1 }, { "crop 1:1", FIELD_SQUARE, +1 },

  { "white background", FIELD_WHITE_BACKGROUND, +1 }, { "pure white background", FIELD_WHITE_BACKGROUND, +1 },
  { "plain white background", FIELD_WHITE_BACKGROUND, +1 }, { "on white", FIELD_WHITE_BACKGROUND, +1 },
  { "white backdrop", FIELD_WHITE_BACKGROUND, +1 }, { "background white", FIELD_WHITE_BACKGROUND, +1 },
  { "remove background", FIELD_WHITE_BACKGROUND, +1 }, { "clean background", FIELD_WHITE_BACKGROUND, +1 },
  { "white bg", FIELD_WHITE_BACKGROUND, +1 },

  { "natural", FIELD_STRENGTH, -1 }, { "more natural", FIELD_STRENGTH, -1 }, { "subtle", FIELD_STRENGTH, -1 },
  { "more subtle", FIELD_STRENGTH, -1 }, { "keep natural", FIELD_STRENGTH, -1 },
  { "gentle", FIELD_STRENGTH, -1 }, { "gentler", FIELD_STRENGTH, -1 }, { "light touch", FIELD_STRENGTH, -1 },
  { "minimal", FIELD_STRENGTH, -1 }, { "less editing", FIELD_STRENGTH, -1 },
  { "stronger", FIELD_STRENGTH, +1 }, { "more dramatic", FIELD_STRENGTH, +1 },
  { "dramatic", FIELD_STRENGTH, +1 }, { "bolder", FIELD_STRENGTH, +1 },
  { "more intense", FIELD_STRENGTH, +1 }, { "intense", FIELD_STRENGTH, +1 },
};

/* Words that carry no instruction of their own. */
static const char * const fillers[] = {
  "please", "pls", "make", "it", "its", "it's", "this", "that", "the", "photo", "image",
  "picture", "pic", "shot", "look", "looks", "looking", "should", "be", "can", "you", "could",
  "would", "i", "want", "like", "me", "to", "give", "get", "just", "overall", "up",
  NULL,
};

/* Phrases kept whole before clauses are split on "and" / "&". */
static const char * const mono_spellings[] = {
  "black and white", "black & white", "black-and-white", "b & w", "b&w", "b/w",
  NULL,
};

typedef struct {
  const char *words[3];
  double      factor;
} Modifier;

static const Modifier modifiers[] = {
  { { "a", "little", "bit" }, 0.5 }, { { "a", "little", NULL }, 0.5 }, { { "a", "bit", NULL }, 0.5 },
  { { "a", "touch", NULL }, 0.5 }, { { "a", "tad", NULL }, 0.5 }, { { "slightly", NULL, NULL }, 0.5 },
  { { "somewhat", NULL, NULL }, 0.5 }, { { "touch", NULL, NULL }, 0.5 },
  { { "little", NULL, NULL }, 0.5 }, { { "bit", NULL, NULL }, 0.5 }, { { "tad", NULL, NULL }, 0.5 },
  { { "a", "lot", NULL }, 2.0 }, { { "much", NULL, NULL }, 2.0 }, { { "very", NULL, NULL }, 2.0 },
  { { "really", NULL, NULL }, 2.0 }, { { "way", NULL, NULL }, 2.0 }, { { "lot", NULL, NULL }, 2.0 },
  { { "significantly", NULL, NULL }, 2.0 }, { { "considerably", NULL, NULL }, 2.0 },
  { { "lots", NULL, NULL }, 2.0 },
};

static const char * const negations[] = {
  "not", "no", "don't", "dont", "never", "without", "nothing", "avoid",
  NULL,
};

static char *
replace_all (char       *text,
             const char *from,
             const char *to)
{
  g_auto(GStrv) parts = g_strsplit (text, from, -1);

  g_free (text);
  return g_strjoinv (to, parts);
}

static void
apply (LwLocalInstructions *self,
       const Phrase        *phrase,
       double               factor)
{
  double v = phrase->sign * factor;

  switch (phrase->field)
    {
    case FIELD_WARMTH: self->warmth += v; break;
    case FIELD_BRIGHTNESS: self->brightness += v; break;
    case FIELD_CONTRAST: self->contrast += v; break;
    case FIELD_SATURATION: self->saturation += v; break;
    case FIELD_SHARPNESS: self->sharpness += v; break;
    case FIELD_DENOISE: self->denoise += factor; break;
    case FIELD_STRENGTH: self->strength *= phrase->sign > 0 ? 1.5 : 0.5; break;
    case FIELD_MONO: self->mono = TRUE; break;
    case FIELD_SQUARE: self->square = TRUE; break;
    case FIELD_WHITE_BACKGROUND: self->white_background = TRUE; break;
    default: break;
    }
}

static gboolean
parse_clause (LwLocalInstructions *self,
              const char          *clause)
{
  g_auto(GStrv) tokens = g_strsplit_set (clause, " \t", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  g_autofree char *joined = NULL;
  double factor = 1.0;
  guint i, n = g_strv_length (tokens);

  for (i = 0; i < n; )
    {
      const char *t = tokens[i];
      gboolean matched = FALSE;
      guint m;

      if (*t == '\0')
        {
          i++;
          continue;
        }
      if (g_strv_contains (negations, t))
        return FALSE;
      for (m = 0; m < G_N_ELEMENTS (modifiers) && !matched; m++)
        {
          const Modifier *mod = &modifiers[m];
          guint len = 0, k;

          while (len < 3 && mod->words[len] != NULL)
            len++;
          if (i + len > n)
            continue;
          for (k = 0; k < len; k++)
            if (g_strcmp0 (tokens[i + k], mod->words[k]) != 0)
              break;
          if (k == len)
            {
              factor *= mod->factor;
              i += len;
              matched = TRUE;
            }
        }
      if (matched)
        continue;
      if (!g_strv_contains (fillers, t) && !g_str_equal (t, "a") && !g_str_equal (t, "an"))
        g_ptr_array_add (kept, (gpointer) t);
      i++;
    }

  if (kept->len == 0)
    return TRUE;   /* only filler ("please"): nothing asked, nothing missed */

  g_ptr_array_add (kept, NULL);
  joined = g_strjoinv (" ", (char **) kept->pdata);
  for (i = 0; i < G_N_ELEMENTS (phrases); i++)
    if (g_str_equal (joined, phrases[i].phrase))
      {
        apply (self, &phrases[i], factor);
        return TRUE;
      }
  return FALSE;
}

LwLocalInstructions *
lw_local_instructions_parse (const char *text)
{
  LwLocalInstructions *self = g_new0 (LwLocalInstructions, 1);
  g_autofree char *norm = NULL;
  g_auto(GStrv) clauses = NULL;
  guint i;

  self->strength = 1.0;
  self->not_understood = g_ptr_array_new_with_free_func (g_free);
  if (text == NULL || *text == '\0' || !g_utf8_validate (text, -1, NULL))
    return self;

  norm = g_utf8_strdown (text, -1);
  norm = replace_all (norm, "\xe2\x80\x99", "'");   /* ’ → ' */
  for (i = 0; mono_spellings[i] != NULL; i++)
    norm = replace_all (norm, mono_spellings[i], "monochrome");
  for (i = 0; norm[i] != '\0'; i++)
    if (strchr (",;.!?\n\r", norm[i]) != NULL)
      norm[i] = '|';
  {
    static const char * const joins[] = {
      " and ", " & ", " then ", " but ", " plus ", " also ", " with ", NULL,
    };
    guint j;

    for (j = 0; joins[j] != NULL; j++)
      norm = replace_all (norm, joins[j], "|");
  }

  clauses = g_strsplit (norm, "|", -1);
  for (i = 0; clauses[i] != NULL; i++)
    {
      char *clause = g_strstrip (clauses[i]);

      if (*clause == '\0')
        continue;
      if (!parse_clause (self, clause))
        g_ptr_array_add (self->not_understood, g_strdup (clause));
    }
  return self;
}

void
lw_local_instructions_free (LwLocalInstructions *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->not_understood, g_ptr_array_unref);
  g_free (self);
}

char *
lw_local_instructions_dup_note (const LwLocalInstructions *self)
{
  g_autoptr(GString) quoted = NULL;
  guint i;

  if (self == NULL || self->not_understood->len == 0)
    return NULL;
  quoted = g_string_new (NULL);
  for (i = 0; i < self->not_understood->len; i++)
    {
      if (i > 0)
        g_string_append (quoted, ", ");
      g_string_append_printf (quoted, "“%s”", (const char *) self->not_understood->pdata[i]);
    }
  /* TRANSLATORS: the end is a list of the user's own words, in quotes */
  return g_strdup_printf (_("Not understood by the local engine: %s"), quoted->str);
}

/* test-local-instructions.c — the local engine's vocabulary.
 *
 * What it understands changes the photo; what it does not is named back to
 * the user, word for word, never silently dropped. */
#include "config.h"

#include <string.h>

#include "lw-local-instructions.h"

static void
test_empty (void)
{
  g_autoptr(LwLocalInstructions) a = lw_local_instructions_parse (NULL);
  g_autoptr(LwLocalInstructions) b = lw_local_instructions_parse ("  ");
  g_autoptr(LwLocalInstructions) c = lw_local_instructions_parse ("Please.");

  g_assert_cmpuint (a->not_understood->len, ==, 0);
  g_assert_cmpuint (b->not_understood->len, ==, 0);
  g_assert_cmpuint (c->not_understood->len, ==, 0);
  g_assert_cmpfloat (a->strength, ==, 1.0);
  g_assert_null (lw_local_instructions_dup_note (c));
}

static void
test_vocabulary (void)
{
  static const struct {
    const char *text;
    double warmth, brightness, contrast, saturation, sharpness, denoise;
    gboolean mono, square, white;
  } cases[] = {
    { "warmer", 1, 0, 0, 0, 0, 0, FALSE, FALSE, FALSE },
    { "Make it a bit cooler", -0.5, 0, 0, 0, 0, 0, FALSE, FALSE, FALSE },
    { "Please make the photo much brighter!", 0, 2, 0, 0, 0, 0, FALSE, FALSE, FALSE },
    { "slightly darker, more contrast", 0, -0.5, 1, 0, 0, 0, FALSE, FALSE, FALSE },
    { "less contrast and more saturation", 0, 0, -1, 1, 0, 0, FALSE, FALSE, FALSE },
    { "make the colours pop", 0, 0, 0, 1, 0, 0, FALSE, FALSE, FALSE },
    { "muted", 0, 0, 0, -1, 0, 0, FALSE, FALSE, FALSE },
    { "Black and white", 0, 0, 0, 0, 0, 0, TRUE, FALSE, FALSE },
    { "B&W, sharper", 0, 0, 0, 0, 1, 0, TRUE, FALSE, FALSE },
    { "square crop; white background", 0, 0, 0, 0, 0, 0, FALSE, TRUE, TRUE },
    { "crop to square", 0, 0, 0, 0, 0, 0, FALSE, TRUE, FALSE },
    { "less noise", 0, 0, 0, 0, 0, 1, FALSE, FALSE, FALSE },
    { "warmer and warmer", 2, 0, 0, 0, 0, 0, FALSE, FALSE, FALSE },
    { "Make it warmer. Brighten up a little", 1, 0.5, 0, 0, 0, 0, FALSE, FALSE, FALSE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LwLocalInstructions) ins = lw_local_instructions_parse (cases[i].text);

      g_test_message ("\"%s\"", cases[i].text);
      g_assert_cmpuint (ins->not_understood->len, ==, 0);
      g_assert_cmpfloat (ins->warmth, ==, cases[i].warmth);
      g_assert_cmpfloat (ins->brightness, ==, cases[i].brightness);
      g_assert_cmpfloat (ins->contrast, ==, cases[i].contrast);
      g_assert_cmpfloat (ins->saturation, ==, cases[i].saturation);
      g_assert_cmpfloat (ins->sharpness, ==, cases[i].sharpness);
      g_assert_cmpfloat (ins->denoise, ==, cases[i].denoise);
      g_assert_cmpint (ins->mono, ==, cases[i].mono);
      g_assert_cmpint (ins->square, ==, cases[i].square);
      g_assert_cmpint (ins->white_background, ==, cases[i].white);
    }
}

static void
test_strength (void)
{
  g_autoptr(LwLocalInstructions) natural = lw_local_instructions_parse ("keep it natural");
  g_autoptr(LwLocalInstructions) bold = lw_local_instructions_parse ("more dramatic");

  g_assert_cmpuint (natural->not_understood->len, ==, 0);
  g_assert_cmpfloat (natural->strength, ==, 0.5);
  g_assert_cmpfloat (bold->strength, ==, 1.5);
}

static void
test_not_understood (void)
{
  g_autoptr(LwLocalInstructions) ins =
    lw_local_instructions_parse ("Warmer, remove the person on the left and add a sunset. Not too bright");
  g_autofree char *note = lw_local_instructions_dup_note (ins);

  /* what it knows still applies */
  g_assert_cmpfloat (ins->warmth, ==, 1);
  g_assert_cmpfloat (ins->brightness, ==, 0);
  g_assert_cmpuint (ins->not_understood->len, ==, 3);
  g_assert_cmpstr (ins->not_understood->pdata[0], ==, "remove the person on the left");
  g_assert_cmpstr (ins->not_understood->pdata[1], ==, "add a sunset");
  /* a negation is not guessed at */
  g_assert_cmpstr (ins->not_understood->pdata[2], ==, "not too bright");
  g_assert_nonnull (note);
  g_assert_true (g_str_has_prefix (note, "Not understood by the local engine: "));
  g_assert_nonnull (strstr (note, "“remove the person on the left”"));
  g_assert_nonnull (strstr (note, "“add a sunset”"));
}

static void
test_other_language (void)
{
  g_autoptr(LwLocalInstructions) ins = lw_local_instructions_parse ("plus chaud s'il vous plaît");
  g_autofree char *note = lw_local_instructions_dup_note (ins);

  g_assert_cmpuint (ins->not_understood->len, >=, 1);
  g_assert_cmpfloat (ins->warmth, ==, 0);
  g_assert_nonnull (note);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/local/instructions/empty", test_empty);
  g_test_add_func ("/local/instructions/vocabulary", test_vocabulary);
  g_test_add_func ("/local/instructions/strength", test_strength);
  g_test_add_func ("/local/instructions/not-understood", test_not_understood);
  g_test_add_func ("/local/instructions/other-language", test_other_language);
  return g_test_run ();
}

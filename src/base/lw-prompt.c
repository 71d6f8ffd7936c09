/* lw-prompt.c — the 2-prompt rule. */
#include "config.h"

#include "lw-prompt.h"

static char *
dup_trimmed (const char *text)
{
  return g_strstrip (g_strdup (text != NULL ? text : ""));
}

char *
lw_prompt_compose (const char *module_prompt,
                   const char *specific_prompt)
{
  g_autofree char *module = dup_trimmed (module_prompt);
  g_autofree char *specific = dup_trimmed (specific_prompt);

  if (*specific == '\0')
    return g_steal_pointer (&module);
  if (*module == '\0')
    return g_steal_pointer (&specific);
  return g_strconcat (module, "\n\n", specific, NULL);
}

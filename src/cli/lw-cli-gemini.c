/* lw-cli-gemini.c — "key" and "models" (placeholder until the Gemini engine lands). */
#include "config.h"

#include "lw-cli-private.h"

int
lw_cli_cmd_key (int argc, char **argv)
{
  g_printerr ("lightwork-cli: key: not available in this build yet\n");
  return LW_CLI_EXIT_ERROR;
}

int
lw_cli_cmd_models (int argc, char **argv)
{
  g_printerr ("lightwork-cli: models: not available in this build yet\n");
  return LW_CLI_EXIT_ERROR;
}

#include "config.h"

#include "lw-cli.h"

int
lw_cli_main (int argc, char **argv)
{
  return LW_CLI_EXIT_ERROR;
}

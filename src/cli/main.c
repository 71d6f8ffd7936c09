/* main.c — lightwork-cli. */
#include "config.h"

#include <locale.h>

#include "lw-cli.h"

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  return lw_cli_main (argc, argv);
}

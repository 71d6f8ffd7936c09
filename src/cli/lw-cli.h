/* lw-cli.h — lightwork-cli, as a function the tests can call. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit codes: 0 everything finished, 2 some images failed, 1 error,
 * 130 interrupted (Ctrl+C; running the same command again continues). */
#define LW_CLI_EXIT_OK          0
#define LW_CLI_EXIT_ERROR       1
#define LW_CLI_EXIT_SOME_FAILED 2
#define LW_CLI_EXIT_INTERRUPTED 130

int lw_cli_main (int argc, char **argv);

G_END_DECLS

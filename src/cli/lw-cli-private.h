/* lw-cli-private.h — the subcommands of lightwork-cli, one file each area. */
#pragma once

#include <glib.h>

#include "lw-cli.h"

G_BEGIN_DECLS

/* Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand) and returns an exit code (lw-cli.h). They print errors
 * themselves, to stderr, as "lightwork-cli: <message>". */

/* "lightwork-cli: <message>" on stderr. */
void lw_cli_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* lw-cli-gemini.c: "key set|test|delete", "models" */
int lw_cli_cmd_key    (int argc, char **argv);
int lw_cli_cmd_models (int argc, char **argv);

G_END_DECLS

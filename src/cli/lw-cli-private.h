/* lw-cli-private.h — the subcommands of lightwork-cli, one file each area. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "lw-cli.h"
#include "lw-core.h"
#include "lw-jobs.h"
#include "lw-types.h"

G_BEGIN_DECLS

/* Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand) and returns an exit code (lw-cli.h). They print errors
 * themselves, to stderr, as "lightwork-cli: <message>". */

/* "lightwork-cli: <message>" on stderr. */
void lw_cli_error (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Says error's message that way; returns LW_CLI_EXIT_ERROR, for
 * "return lw_cli_fail (error);". */
int  lw_cli_fail  (const GError *error);

/* s as it may reach a terminal: control characters (a newline or an
 * escape sequence in a file name), bidirectional overrides and bytes that
 * are not UTF-8 written as \n, \x1b, \u202e. s itself when it needs none;
 * else a string kept until the process ends. Every name, path and message
 * printed as text goes through it (JSON escapes its own). */
const char *lw_cli_shown (const char *s);

/* The data folder, or NULL after saying why it cannot be opened. Commands
 * that only read open it LW_CORE_OPEN_READ_ONLY (no sweep). */
LwCore *lw_cli_open_core  (LwCoreOpenFlags flags);
/* What b built, on one line of stdout. */
void    lw_cli_print_json (JsonBuilder *b);

/* lw-cli-gemini.c: "key set|test|delete", "models" */
int lw_cli_cmd_key    (int argc, char **argv);
int lw_cli_cmd_models (int argc, char **argv);

/* lw-cli-economy.c: economy mode (`process --economy`, batches in `status`) */
gboolean lw_cli_economy_set_mode     (LwJobs      *jobs,
                                      gint64       job_id,
                                      gboolean     economy);
/* resume/retry-failed --live: the batches' failed photos to the live pool. */
gboolean lw_cli_economy_move_to_live (LwJobs      *jobs,
                                      gint64       job_id,
                                      gboolean     json);
void     lw_cli_economy_print_status (LwJobs      *jobs,
                                      gint64       job_id);
void     lw_cli_economy_add_json     (JsonBuilder *b,
                                      LwJobs      *jobs,
                                      gint64       job_id);

G_END_DECLS

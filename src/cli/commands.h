/* The subcommands, one table in main.c. */
#ifndef WG_CLI_COMMANDS_H
#define WG_CLI_COMMANDS_H

#include "cli/cli.h"

int cmd_serve(const struct cli_command *cmd, int argc, char **argv);
int cmd_init(const struct cli_command *cmd, int argc, char **argv);
int cmd_migrate(const struct cli_command *cmd, int argc, char **argv);
int cmd_version(const struct cli_command *cmd, int argc, char **argv);

/* Opens the configured database and brings its schema up to date. Prints
 * the failure and returns NULL on error. */
struct store *cli_open_store(const struct cli_command *cmd, const struct cli_args *args, int *applied);

#endif

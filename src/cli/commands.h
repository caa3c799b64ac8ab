/* The subcommands, one table in main.c. */
#ifndef WG_CLI_COMMANDS_H
#define WG_CLI_COMMANDS_H

#include "cli/cli.h"

int cmd_serve(const struct cli_command *cmd, int argc, char **argv);
int cmd_init(const struct cli_command *cmd, int argc, char **argv);
int cmd_migrate(const struct cli_command *cmd, int argc, char **argv);
int cmd_version(const struct cli_command *cmd, int argc, char **argv);
int cmd_routes(const struct cli_command *cmd, int argc, char **argv);
int cmd_area(const struct cli_command *cmd, int argc, char **argv);
int cmd_keys(const struct cli_command *cmd, int argc, char **argv);
int cmd_import(const struct cli_command *cmd, int argc, char **argv);
int cmd_demo(const struct cli_command *cmd, int argc, char **argv);
extern const struct cli_option demo_options[];
int cmd_user(const struct cli_command *cmd, int argc, char **argv);
int cmd_token(const struct cli_command *cmd, int argc, char **argv);

/* Every module's route table, for serve and routes. store may be NULL when
 * nothing will be served. Returns the count written to out. */
#define CLI_MAX_MODULES 16
struct http_module;
struct store;
struct vault;
size_t cli_modules(struct store *store, const struct vault *vault, const struct config *cfg,
		   const struct http_module **out);

/* Loads the data keys named by key_file (or beside a SQLite database),
 * creating them when the database has never had any, and checks they
 * belong to this database. Prints the failure and returns -1. */
int cli_open_vault(const struct cli_command *cmd, const struct cli_args *args, struct store *s, struct vault *v);

/* One line from standard input, newline dropped; caller frees; NULL at EOF. */
char *cli_read_secret_line(void);

/* Opens the configured database and brings its schema up to date, then
 * does what a migration left pending for the modules (a recount of the
 * case figures). Prints the failure and returns NULL on error. */
struct store *cli_open_store(const struct cli_command *cmd, const struct cli_args *args, int *applied);

#endif

/* What every subcommand shares: option parsing into the configuration,
 * help texts, and the exit codes (0 done, 1 runtime failure, 2 usage). */
#ifndef WG_CLI_CLI_H
#define WG_CLI_CLI_H

#include <stdbool.h>

#include "core/config.h"

#define CLI_OK 0
#define CLI_FAILURE 1
#define CLI_USAGE 2

enum cli_kind {
	CLI_CONFIG, /* --key VALUE sets the configuration key of the same name */
	CLI_VALUE,  /* --name VALUE, read with cli_value() */
	CLI_SWITCH, /* --name, read with cli_switch() */
};

struct cli_option {
	const char *name; /* without the dashes; for CLI_CONFIG also the config key */
	enum cli_kind kind;
	const char *help; /* NULL for CLI_CONFIG: the key's own help is shown */
};

struct cli_command {
	const char *name;
	const char *summary;
	const char *usage; /* the part after "wangge NAME " */
	const struct cli_option *options; /* ends with {NULL} */
	int (*run)(struct cli_command const *cmd, int argc, char **argv);
};

#define CLI_MAX_OPTIONS 24

struct cli_args {
	const struct cli_command *cmd;
	struct config *cfg;
	const char *values[CLI_MAX_OPTIONS];
	bool switches[CLI_MAX_OPTIONS];
};

/* Parses argv (argv[0] is the command name) and loads the configuration:
 * flags, then WANGGE_* variables, then the config file (--config FILE,
 * WANGGE_CONFIG, or ./wangge.conf when present). Prints --help and returns
 * -1 with *exit_code CLI_OK; on a usage error prints one line and returns -1
 * with CLI_USAGE; on a bad config file prints it and returns -1 with
 * CLI_FAILURE. Returns 0 when the command should run; free with cli_args_free. */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *args, int *exit_code);
void cli_args_free(struct cli_args *args);
const char *cli_value(const struct cli_args *args, const char *name);
bool cli_switch(const struct cli_args *args, const char *name);

/* A whole file in memory (caller frees); NULL when it cannot be read. */
char *cli_read_file(const char *path, size_t *len);

/* Prints "wangge CMD: message" on stderr. */
void cli_error(const struct cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

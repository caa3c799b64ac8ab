/* wangge: one binary, subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static const struct cli_option serve_options[] = {
	{"listen", CLI_CONFIG, NULL},
	{"db", CLI_CONFIG, NULL},
	{"threads", CLI_CONFIG, NULL},
	{"body_limit", CLI_CONFIG, NULL},
	{"access_log", CLI_CONFIG, NULL},
	{"behind_tls", CLI_CONFIG, NULL},
	{"shutdown_timeout", CLI_CONFIG, NULL},
	{"per_ip_connections", CLI_CONFIG, NULL},
	{"trusted_proxy", CLI_CONFIG, NULL},
	{"public_writes_per_minute", CLI_CONFIG, NULL},
	{"public_write_burst", CLI_CONFIG, NULL},
	{"key_file", CLI_CONFIG, NULL},
	{"webhook_url", CLI_CONFIG, NULL},
	{"webhook_secret", CLI_CONFIG, NULL},
	{"webhook_timeout_ms", CLI_CONFIG, NULL},
	{"webhook_retry_base_ms", CLI_CONFIG, NULL},
	{"webhook_max_attempts", CLI_CONFIG, NULL},
	{"photo_max_bytes", CLI_CONFIG, NULL},
	{"photo_max_count", CLI_CONFIG, NULL},
	{"blob_dir", CLI_CONFIG, NULL},
	{"print-config", CLI_SWITCH, "print the effective settings and where each came from, then exit"},
	{NULL, 0, NULL},
};

static const struct cli_option migrate_options[] = {
	{"db", CLI_CONFIG, NULL},
	{"rebuild-figures", CLI_SWITCH, "then recount the case figures' aggregates from the cases (after a restore or a manual edit)"},
	{NULL, 0, NULL},
};

static const struct cli_option init_options[] = {
	{"db", CLI_CONFIG, NULL},
	{"key_file", CLI_CONFIG, NULL},
	{"admin-login", CLI_VALUE, "login of the first admin (default admin)"},
	{"root-name", CLI_VALUE, "name of the root area (default 全域)"},
	{NULL, 0, NULL},
};

static const struct cli_option import_options[] = {
	{"area", CLI_VALUE, "default area code for rows without a grid (default: the root)"},
	{"dry-run", CLI_SWITCH, "check every row and report; write nothing"},
	{"db", CLI_CONFIG, NULL},
	{"key_file", CLI_CONFIG, NULL},
	{NULL, 0, NULL},
};

static const struct cli_option keys_options[] = {
	{"db", CLI_CONFIG, NULL},
	{"key_file", CLI_CONFIG, NULL},
	{NULL, 0, NULL},
};

static const struct cli_option no_options[] = {
	{NULL, 0, NULL},
};

static const struct cli_command commands[] = {
	{"serve", "Serve the API and the web UI over HTTP until SIGINT or SIGTERM.", "[--listen ADDR:PORT] [--db URL] [options]",
	 serve_options, cmd_serve},
	{"init", "Create the database (or bring it up to date), the root area and the first admin.",
	 "[--db URL] [--admin-login L]", init_options, cmd_init},
	{"migrate", "Apply the schema migrations the database lacks.", "[--db URL] [--rebuild-figures]", migrate_options, cmd_migrate},
	{"version", "Print the version of wangge and of its libraries.", "", no_options, cmd_version},
	{"routes", "Print every HTTP route with the permission it needs, as JSON.", "", no_options, cmd_routes},
	{"area", "Manage the area tree: add, list, import.", "VERB [options]", no_options, cmd_area},
	{"import", "Import households and persons from a CSV or XLSX register (all or nothing).",
	 "FILE [--area CODE] [--dry-run] [--db URL]", import_options, cmd_import},
	{"keys", "Rotate the data keys: a new key version, then every sealed field re-keyed (resumable).",
	 "rotate [--db URL] [--key_file PATH]", keys_options, cmd_keys},
	{"demo", "Build a demo town (areas, register, units, one user per role); safe to run again.",
	 "[--scale N] [--db URL]", demo_options, cmd_demo},
	{"user", "Manage users: add, list, passwd, disable, enable.", "VERB [options]", no_options, cmd_user},
	{"token", "Manage bearer tokens for integrations: create, list, revoke.", "VERB [options]", no_options, cmd_token},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: wangge COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'wangge COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "wangge: a command is needed (see wangge --help)\n");
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(&commands[3], 1, argv + 1);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(&commands[i], argc - 1, argv + 1);
	fprintf(stderr, "wangge: unknown command '%s' (see wangge --help)\n", argv[1]);
	return CLI_USAGE;
}

/* wangge import FILE: the register import from the shell, as the admin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/buf.h"
#include "core/table.h"
#include "core/vault.h"
#include "core/xalloc.h"
#include "modules/identity/identity.h"
#include "modules/cases/cases.h"
#include "modules/register/register.h"
#include "store/store.h"


int cmd_import(const struct cli_command *cmd, int argc, char **argv)
{
	/* The file is the one positional argument: take it out first. */
	const char *file = NULL;
	char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
	int n = 0;
	for (int i = 0; i < argc; i++) {
		bool value_of_flag = i > 0 && strncmp(argv[i - 1], "--", 2) == 0 && !strchr(argv[i - 1], '=') &&
				     strcmp(argv[i - 1], "--dry-run") != 0 && strcmp(argv[i - 1], "--help") != 0;
		if (i > 0 && argv[i][0] != '-' && !value_of_flag && !file)
			file = argv[i];
		else
			rest[n++] = argv[i];
	}
	struct cli_args args;
	int code;
	if (cli_parse(cmd, n, rest, &args, &code)) {
		free(rest);
		return code;
	}
	free(rest);
	if (!file) {
		cli_error(cmd, "a FILE to import is needed (see wangge import --help)");
		cli_args_free(&args);
		return CLI_USAGE;
	}
	code = CLI_FAILURE;
	size_t len = 0;
	char *data = cli_read_file(file, &len);
	struct table t = {0};
	char *err = NULL;
	struct vault vault = {0};
	int applied;
	struct store *s = NULL;
	if (!data) {
		cli_error(cmd, "cannot read %s", file);
		goto out;
	}
	if (table_read(data, len, TABLE_AUTO, 1000001, &t, &err)) {
		cli_error(cmd, "%s: %s", file, err);
		goto out;
	}
	if (!(s = cli_open_store(cmd, &args, &applied)) || cli_open_vault(cmd, &args, s, &vault))
		goto out;
	struct caller caller;
	struct actor actor;
	if (identity_cli_caller(s, NULL, NULL, &caller, &actor) != STORE_OK) {
		cli_error(cmd, "the database has no areas yet: run wangge init first");
		goto out;
	}
	struct import_options opt = {.dry_run = cli_switch(&args, "dry-run"), .area = cli_value(&args, "area"),
				     .source = file};
	json_t *report = NULL;
	int rc = register_import(s, &vault, &caller, &actor, &t, &opt, &report);
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(report, "errors"), i, e)
		fprintf(stderr, "%s:%lld: %s%s%s\n", file, (long long)json_integer_value(json_object_get(e, "row")),
			json_string_value(json_object_get(e, "column")), *json_string_value(json_object_get(e, "column")) ? ": " : "",
			json_string_value(json_object_get(e, "reason")));
	printf("wangge: %s: %lld rows, %lld valid, %lld errors; %s: %lld created, %lld updated, %lld households created\n",
	       file, (long long)json_integer_value(json_object_get(report, "rows")),
	       (long long)json_integer_value(json_object_get(report, "valid")),
	       (long long)json_integer_value(json_object_get(report, "error_count")),
	       opt.dry_run ? "dry run" : rc == STORE_OK ? "committed" : "nothing written",
	       (long long)json_integer_value(json_object_get(report, "created")),
	       (long long)json_integer_value(json_object_get(report, "updated")),
	       (long long)json_integer_value(json_object_get(report, "households_created")));
	code = rc == STORE_OK && !json_integer_value(json_object_get(report, "error_count")) ? CLI_OK : CLI_FAILURE;
	json_decref(report);
out:
	free(err);
	free(data);
	table_free(&t);
	vault_wipe(&vault);
	store_close(s);
	cli_args_free(&args);
	return code;
}

/* wangge keys rotate: a new key version, then every sealed field re-keyed.
 * If rows still use an older key (an interrupted rotation, or a server that
 * wrote with the old key before it was restarted), it resumes instead. */
int cmd_keys(const struct cli_command *cmd, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "rotate") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			printf("usage: wangge keys rotate [--db URL] [--key_file PATH]\n\n%s\n", cmd->summary);
			return CLI_OK;
		}
		cli_error(cmd, "the verb is rotate (see wangge keys --help)");
		return CLI_USAGE;
	}
	struct cli_args args;
	int code;
	if (cli_parse(cmd, argc - 1, argv + 1, &args, &code))
		return code;
	code = CLI_FAILURE;
	struct vault vault = {0};
	int applied;
	struct store *s = cli_open_store(cmd, &args, &applied);
	char *err = NULL;
	if (!s || cli_open_vault(cmd, &args, s, &vault))
		goto out;
	int64_t stale = 0, stale_cases = 0, done = 0, done_cases = 0;
	bool damaged = false, damaged_cases = false;
	if (register_stale_rows(s, &vault, &stale) != STORE_OK || cases_stale_rows(s, &vault, &stale_cases) != STORE_OK)
		goto out;
	stale += stale_cases;
	const char *path = config_get(args.cfg, "key_file");
	char *owned = *path ? NULL : xasprintf("%s.key", config_get(args.cfg, "db") + 7);
	if (stale) {
		printf("wangge: %lld rows still use an older key: resuming with key version %d\n", (long long)stale,
		       vault.current);
	} else if (vault_add_version(owned ? owned : path, &vault, &err) == 0) {
		printf("wangge: key version %d added to %s; back the file up now\n", vault.current, owned ? owned : path);
	} else {
		cli_error(cmd, "%s", err);
		free(owned);
		goto out;
	}
	free(owned);
	if (register_rekey(s, &vault, &done, &damaged) != STORE_OK ||
	    cases_rekey(s, &vault, &done_cases, &damaged_cases) != STORE_OK) {
		cli_error(cmd, "stopped after %lld rows: run it again to resume", (long long)(done + done_cases));
		goto out;
	}
	done += done_cases;
	damaged |= damaged_cases;
	printf("wangge: %lld rows re-keyed; restart the servers so they write with the new key\n", (long long)done);
	if (damaged)
		cli_error(cmd, "some sealed fields did not open with their key and were cleared: see the log");
	code = damaged ? CLI_FAILURE : CLI_OK;
out:
	free(err);
	vault_wipe(&vault);
	store_close(s);
	cli_args_free(&args);
	return code;
}

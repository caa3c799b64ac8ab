#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"

void cli_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "wangge %s: ", cmd->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void cli_help(const struct cli_command *cmd)
{
	printf("usage: wangge %s %s\n\n%s\n\noptions:\n", cmd->name, cmd->usage, cmd->summary);
	for (const struct cli_option *o = cmd->options; o->name; o++) {
		char flag[64];
		snprintf(flag, sizeof flag, "--%s%s", o->name, o->kind == CLI_SWITCH ? "" : " VALUE");
		printf("  %-26s %s\n", flag, o->help ? o->help : "");
	}
	printf("  %-26s %s\n", "--config FILE", "read settings from FILE (default ./wangge.conf when present)");
	printf("  %-26s %s\n", "--help", "show this help");
	printf("\nsettings (flag > WANGGE_<KEY> environment > config file > default):\n");
	config_print_help(stdout);
}

static const char *env_lookup(const char *name)
{
	return getenv(name);
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *args, int *exit_code)
{
	memset(args, 0, sizeof *args);
	args->cmd = cmd;
	args->cfg = config_new();
	const char *config_path = NULL;
	char *err = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_help(cmd);
			*exit_code = CLI_OK;
			goto stop;
		}
		if (strncmp(a, "--", 2) != 0) {
			cli_error(cmd, "unexpected argument '%s' (see wangge %s --help)", a, cmd->name);
			*exit_code = CLI_USAGE;
			goto stop;
		}
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
		const char *value = eq ? eq + 1 : NULL;
		int idx = -1;
		for (int k = 0; cmd->options[k].name; k++)
			if (strlen(cmd->options[k].name) == name_len && strncmp(cmd->options[k].name, name, name_len) == 0)
				idx = k;
		bool is_config_flag = name_len == 6 && strncmp(name, "config", 6) == 0;
		if (idx < 0 && !is_config_flag) {
			cli_error(cmd, "unknown option '--%.*s' (see wangge %s --help)", (int)name_len, name, cmd->name);
			*exit_code = CLI_USAGE;
			goto stop;
		}
		enum cli_kind kind = is_config_flag ? CLI_VALUE : cmd->options[idx].kind;
		if (kind == CLI_SWITCH) {
			if (value) {
				cli_error(cmd, "option '--%.*s' takes no value", (int)name_len, name);
				*exit_code = CLI_USAGE;
				goto stop;
			}
			args->switches[idx] = true;
			continue;
		}
		if (!value) {
			if (i + 1 >= argc) {
				cli_error(cmd, "option '--%.*s' needs a value", (int)name_len, name);
				*exit_code = CLI_USAGE;
				goto stop;
			}
			value = argv[++i];
		}
		if (is_config_flag) {
			config_path = value;
		} else if (kind == CLI_CONFIG) {
			char origin[80];
			snprintf(origin, sizeof origin, "--%s", cmd->options[idx].name);
			if (config_set(args->cfg, cmd->options[idx].name, value, CONFIG_FLAG, origin, &err)) {
				cli_error(cmd, "%s", err);
				*exit_code = CLI_USAGE;
				goto stop;
			}
		} else {
			args->values[idx] = value;
		}
	}
	if (config_load_env(args->cfg, env_lookup, &err)) {
		cli_error(cmd, "%s", err);
		*exit_code = CLI_FAILURE;
		goto stop;
	}
	if (!config_path)
		config_path = getenv("WANGGE_CONFIG");
	int rc = config_path ? config_load_file(args->cfg, config_path, true, &err)
			     : config_load_file(args->cfg, "wangge.conf", false, &err);
	if (rc) {
		cli_error(cmd, "%s", err);
		*exit_code = CLI_FAILURE;
		goto stop;
	}
	return 0;
stop:
	free(err);
	cli_args_free(args);
	return -1;
}

void cli_args_free(struct cli_args *args)
{
	config_free(args->cfg);
	args->cfg = NULL;
}

static int cli_index(const struct cli_args *args, const char *name)
{
	for (int k = 0; args->cmd->options[k].name; k++)
		if (strcmp(args->cmd->options[k].name, name) == 0)
			return k;
	return -1;
}

const char *cli_value(const struct cli_args *args, const char *name)
{
	int k = cli_index(args, name);
	return k < 0 ? NULL : args->values[k];
}

bool cli_switch(const struct cli_args *args, const char *name)
{
	int k = cli_index(args, name);
	return k >= 0 && args->switches[k];
}

char *cli_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		buf_free(&b);
		errno = EIO;
		return NULL;
	}
	*len = b.len;
	return buf_steal(&b);
}

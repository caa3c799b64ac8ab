/* wangge user add|list|passwd|disable|enable, wangge token create|list|revoke. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/xalloc.h"
#include "modules/identity/identity.h"
#include "store/store.h"

/* Reads one line (the newline dropped) into a buffer the caller frees. */
char *cli_read_secret_line(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static const struct cli_option user_add_options[] = {
	{"login", CLI_VALUE, "the login (letters, digits, . _ - @)"},
	{"role", CLI_VALUE, "admin|commander|staff|grid_worker|handler|sampler|checkpoint|volunteer|resident"},
	{"area", CLI_VALUE, "the code of the user's area (their scope)"},
	{"name", CLI_VALUE, "display name (default: the login)"},
	{"phone", CLI_VALUE, "phone number"},
	{"unit", CLI_VALUE, "id of the user's department or unit"},
	{"password-stdin", CLI_SWITCH, "read the password from standard input (one line)"},
	{"db", CLI_CONFIG, NULL},
	{NULL, 0, NULL},
};
static const struct cli_option user_login_options[] = {
	{"login", CLI_VALUE, "the login"},
	{"password-stdin", CLI_SWITCH, "passwd: read the new password from standard input"},
	{"db", CLI_CONFIG, NULL},
	{NULL, 0, NULL},
};
static const struct cli_option db_only_options[] = {
	{"db", CLI_CONFIG, NULL},
	{NULL, 0, NULL},
};
static const struct cli_option token_create_options[] = {
	{"name", CLI_VALUE, "what the token is for, e.g. sms-gateway"},
	{"role", CLI_VALUE, "the role the token acts with"},
	{"area", CLI_VALUE, "the code of the token's area (its scope)"},
	{"db", CLI_CONFIG, NULL},
	{NULL, 0, NULL},
};
static const struct cli_option token_revoke_options[] = {
	{"id", CLI_VALUE, "the token's id (see wangge token list)"},
	{"db", CLI_CONFIG, NULL},
	{NULL, 0, NULL},
};

static const struct cli_command user_verbs[] = {
	{"user add", "Create a user (the password is read from standard input).",
	 "--login L --role R --area CODE [--name N] [--phone P] [--unit ID] --password-stdin", user_add_options, NULL},
	{"user list", "List every user: login, role, area, state, name.", "", db_only_options, NULL},
	{"user passwd", "Set a user's password (read from standard input); ends their sessions.", "--login L --password-stdin",
	 user_login_options, NULL},
	{"user disable", "Disable a user; ends their sessions.", "--login L", user_login_options, NULL},
	{"user enable", "Enable a disabled user.", "--login L", user_login_options, NULL},
};
static const struct cli_command token_verbs[] = {
	{"token create", "Create a bearer token for an integration; it is printed once.", "--name N --role R --area CODE",
	 token_create_options, NULL},
	{"token list", "List tokens: id, name, role, area, state, last use.", "", db_only_options, NULL},
	{"token revoke", "Revoke a token.", "--id N", token_revoke_options, NULL},
};

static const struct cli_command *find_verb(const struct cli_command *cmd, const struct cli_command *verbs, size_t n,
					   int argc, char **argv)
{
	if (argc >= 2) {
		for (size_t i = 0; i < n; i++)
			if (strcmp(strchr(verbs[i].name, ' ') + 1, argv[1]) == 0)
				return &verbs[i];
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: wangge %s VERB [options]\n\n%s\n\nverbs:\n", cmd->name, cmd->summary);
		for (size_t i = 0; i < n; i++)
			printf("  %-14s %s\n", strchr(verbs[i].name, ' ') + 1, verbs[i].summary);
		return NULL;
	}
	cli_error(cmd, argc >= 2 ? "unknown verb '%s' (see wangge %s --help)" : "a verb is needed%s (see wangge %s --help)",
		  argc >= 2 ? argv[1] : "", cmd->name);
	return NULL;
}

/* Opens the store and the CLI's caller; NULL on failure (printed). */
static struct store *open_as_cli(const struct cli_command *cmd, const struct cli_args *args, struct caller *caller,
				 struct actor *actor)
{
	int applied;
	struct store *s = cli_open_store(cmd, args, &applied);
	if (!s)
		return NULL;
	if (identity_cli_caller(s, NULL, NULL, caller, actor) != STORE_OK) {
		cli_error(cmd, "the database has no areas yet: run wangge init first");
		store_close(s);
		return NULL;
	}
	return s;
}

static int need(const struct cli_command *cmd, const struct cli_args *args, const char *name)
{
	if (cli_value(args, name))
		return 0;
	cli_error(cmd, "--%s is required", name);
	return -1;
}

static int user_run(const struct cli_command *verb, struct cli_args *args)
{
	struct caller caller;
	struct actor actor;
	const char *v = strchr(verb->name, ' ') + 1;
	bool wants_password = strcmp(v, "add") == 0 || strcmp(v, "passwd") == 0;
	if (strcmp(v, "list") != 0 && need(verb, args, "login"))
		return CLI_USAGE;
	if (strcmp(v, "add") == 0 && (need(verb, args, "role") || need(verb, args, "area")))
		return CLI_USAGE;
	if (wants_password && !cli_switch(args, "password-stdin")) {
		cli_error(verb, "--password-stdin is required: the password is read from standard input");
		return CLI_USAGE;
	}
	char *password = NULL;
	if (wants_password && !(password = cli_read_secret_line())) {
		cli_error(verb, "no password on standard input");
		return CLI_FAILURE;
	}
	struct store *s = open_as_cli(verb, args, &caller, &actor);
	int code = CLI_FAILURE;
	char *err = NULL;
	if (!s)
		goto out;
	if (strcmp(v, "list") == 0) {
		code = identity_list_users(s, stdout) == 0 ? CLI_OK : CLI_FAILURE;
	} else if (strcmp(v, "add") == 0) {
		struct user_form w = {.caller = &caller, .actor = actor};
		w.login = cli_value(args, "login");
		w.display_name = cli_value(args, "name") ? cli_value(args, "name") : w.login;
		w.role = cli_value(args, "role");
		w.area_code = cli_value(args, "area");
		w.password = password;
		w.phone = cli_value(args, "phone");
		w.has_phone = w.phone != NULL;
		if (cli_value(args, "unit")) {
			w.unit_id = atoll(cli_value(args, "unit"));
			w.has_unit = true;
		}
		int rc = users_create_run(&w);
		json_decref(w.user);
		if (rc == STORE_OK) {
			printf("wangge: user %s created (id %lld)\n", w.login, (long long)w.id);
			code = CLI_OK;
		} else {
			cli_error(verb, "%s%s%s", w.error_field ? w.error_field : "", w.error_field ? ": " : "",
				  rc == STORE_ABORT && w.error_message ? w.error_message
				  : rc == STORE_ABORT ? http_error_message(w.error) : "the database refused the user");
		}
	} else if (strcmp(v, "passwd") == 0) {
		if (identity_set_password(s, &actor, cli_value(args, "login"), password, &err) == 0)
			code = CLI_OK;
	} else {
		if (identity_set_active(s, &actor, cli_value(args, "login"), strcmp(v, "enable") == 0, &err) == 0)
			code = CLI_OK;
	}
	if (err)
		cli_error(verb, "%s", err);
out:
	free(err);
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	store_close(s);
	return code;
}

static int token_run(const struct cli_command *verb, struct cli_args *args)
{
	const char *v = strchr(verb->name, ' ') + 1;
	if (strcmp(v, "create") == 0 && (need(verb, args, "name") || need(verb, args, "role") || need(verb, args, "area")))
		return CLI_USAGE;
	if (strcmp(v, "revoke") == 0 && need(verb, args, "id"))
		return CLI_USAGE;
	struct caller caller;
	struct actor actor;
	struct store *s = open_as_cli(verb, args, &caller, &actor);
	if (!s)
		return CLI_FAILURE;
	int code = CLI_FAILURE;
	char *err = NULL;
	if (strcmp(v, "list") == 0) {
		code = identity_list_tokens(s, stdout) == 0 ? CLI_OK : CLI_FAILURE;
	} else if (strcmp(v, "create") == 0) {
		char token[44];
		int64_t id;
		if (identity_token_create(s, &caller, &actor, cli_value(args, "name"), cli_value(args, "role"),
					  cli_value(args, "area"), token, &id, &err) == 0) {
			/* The secret is printed once and never stored. */
			printf("%s\n", token);
			fprintf(stderr, "wangge: token %lld created; keep it secret: it is not shown again\n", (long long)id);
			memset(token, 0, sizeof token);
			code = CLI_OK;
		}
	} else {
		if (identity_token_revoke(s, &actor, atoll(cli_value(args, "id")), &err) == 0)
			code = CLI_OK;
	}
	if (err)
		cli_error(verb, "%s", err);
	free(err);
	store_close(s);
	return code;
}

static int run_verbs(const struct cli_command *cmd, const struct cli_command *verbs, size_t n, int argc, char **argv,
		     int (*run)(const struct cli_command *, struct cli_args *))
{
	const struct cli_command *verb = find_verb(cmd, verbs, n, argc, argv);
	if (!verb)
		return argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) ? CLI_OK : CLI_USAGE;
	struct cli_args args;
	int code;
	if (cli_parse(verb, argc - 1, argv + 1, &args, &code))
		return code;
	code = run(verb, &args);
	cli_args_free(&args);
	return code;
}

int cmd_user(const struct cli_command *cmd, int argc, char **argv)
{
	return run_verbs(cmd, user_verbs, sizeof user_verbs / sizeof user_verbs[0], argc, argv, user_run);
}

int cmd_token(const struct cli_command *cmd, int argc, char **argv)
{
	return run_verbs(cmd, token_verbs, sizeof token_verbs / sizeof token_verbs[0], argc, argv, token_run);
}

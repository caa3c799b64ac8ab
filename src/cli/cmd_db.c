/* Database commands: init, migrate; and version. */
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/log.h"
#include "core/vault.h"
#include "core/xalloc.h"
#include "modules/cases/cases.h"
#include "modules/identity/identity.h"
#include "modules/identity/secrets.h"
#include "store/store.h"

struct store *cli_open_store(const struct cli_command *cmd, const struct cli_args *args, int *applied)
{
	struct store *s;
	char *err = NULL;
	if (store_open(config_get(args->cfg, "db"), &s, &err)) {
		cli_error(cmd, "%s", err);
		free(err);
		return NULL;
	}
	if (store_migrate(s, applied, &err)) {
		cli_error(cmd, "%s", err);
		free(err);
		store_close(s);
		return NULL;
	}
	/* What a migration left for the modules to fill (the store does not
	 * call modules): here, so that every command that migrates does it. */
	bool rebuilt;
	if (cases_figures_rebuild_pending(s, &rebuilt) != STORE_OK) {
		cli_error(cmd, "cannot recount the case figures' aggregates left pending by a migration");
		store_close(s);
		return NULL;
	}
	if (rebuilt)
		log_info("recounted the case figures' aggregates, as a migration asked");
	return s;
}

static const char sql_meta_get[] = "SELECT value FROM meta WHERE key = ?";
static const char sql_meta_put[] = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING";

struct fingerprint {
	char value[65]; /* in: the key file's; out: the database's ("" if none) */
	char stored[65];
	bool record;
};

static int fingerprint_tx(struct store_conn *c, void *arg)
{
	struct fingerprint *f = arg;
	struct store_stmt *st = store_prepare(c, sql_meta_get);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, "vault_fingerprint");
	int rc = store_step(st);
	snprintf(f->stored, sizeof f->stored, "%s", rc == STORE_ROW ? store_col_text(st, 0) : "");
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return rc;
	if (!f->record || f->stored[0])
		return STORE_OK;
	st = store_prepare(c, sql_meta_put);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, "vault_fingerprint");
	store_bind_text(st, 2, f->value);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	/* Another node may have recorded its own first: read what stands. */
	st = store_prepare(c, sql_meta_get);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, "vault_fingerprint");
	rc = store_step(st);
	snprintf(f->stored, sizeof f->stored, "%s", rc == STORE_ROW ? store_col_text(st, 0) : "");
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : STORE_ERROR;
}

/* The fingerprint of a key file: a hash of its first lookup key, which no
 * rotation replaces. It tells a wrong or missing key file from the right
 * one before any data is written with it. */
static void vault_fingerprint(const struct vault *v, char out[65])
{
	unsigned char h[32];
	const struct vault_key *first = &v->keys[0];
	for (int i = 1; i < v->count; i++)
		if (v->keys[i].version < first->version)
			first = &v->keys[i];
	crypto_generichash(h, sizeof h, first->lookup, sizeof first->lookup, (const unsigned char *)"wangge-vault", 12);
	sodium_bin2hex(out, 65, h, sizeof h);
}

int cli_open_vault(const struct cli_command *cmd, const struct cli_args *args, struct store *s, struct vault *v)
{
	const char *path = config_get(args->cfg, "key_file");
	const char *db = config_get(args->cfg, "db");
	char *owned = NULL;
	if (!*path) {
		if (strncmp(db, "sqlite:", 7) != 0) {
			cli_error(cmd, "set key_file (WANGGE_KEY_FILE or --key_file): PostgreSQL keeps no files beside it");
			return -1;
		}
		path = owned = xasprintf("%s.key", db + 7);
	}
	struct fingerprint f = {0};
	int rc = store_tx(s, STORE_READ, fingerprint_tx, &f);
	char *err = NULL;
	if (rc == STORE_OK && access(path, F_OK) != 0) {
		if (f.stored[0]) {
			cli_error(cmd, "the key file %s is missing, and this database has data sealed with it: restore it from its backup", path);
			free(owned);
			return -1;
		}
		if (vault_create(path, &err) == 0)
			log_info("created the data key file %s: back it up apart from the database", path);
	}
	if (rc == STORE_OK && !err && vault_load(path, v, &err) == 0) {
		vault_fingerprint(v, f.value);
		f.record = true;
		if (f.stored[0] && strcmp(f.stored, f.value) != 0)
			err = xasprintf("%s does not belong to this database (another installation's keys?)", path);
		else if ((rc = store_tx(s, STORE_WRITE, fingerprint_tx, &f)) == STORE_OK && strcmp(f.stored, f.value) != 0)
			err = xasprintf("%s does not belong to this database (another installation's keys?)", path);
	}
	if (err || rc != STORE_OK) {
		cli_error(cmd, "%s", err ? err : "cannot read the database");
		free(err);
		free(owned);
		vault_wipe(v);
		return -1;
	}
	free(owned);
	return 0;
}

static const char init_sql_meta[] = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING";

static int init_record(struct store_conn *c, void *arg)
{
	(void)arg;
	unsigned char id[16];
	char hex[33], now[32];
	randombytes_buf(id, sizeof id);
	sodium_bin2hex(hex, sizeof hex, id, sizeof id);
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	const char *pairs[][2] = {{"installation_id", hex}, {"created_at", now}};
	for (size_t i = 0; i < 2; i++) {
		struct store_stmt *st = store_prepare(c, init_sql_meta);
		if (!st)
			return STORE_ERROR;
		store_bind_text(st, 1, pairs[i][0]);
		store_bind_text(st, 2, pairs[i][1]);
		int rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

/* The first admin: the password comes from standard input when it is not a
 * terminal (one line), else it is generated and printed once. An existing
 * login is left alone, so init can run again safely. */
static int init_admin(const struct cli_command *cmd, struct store *s, const struct caller *caller,
		      const struct actor *actor, const char *login)
{
	char generated[32];
	char *password = isatty(STDIN_FILENO) ? NULL : cli_read_secret_line();
	if (password && !*password) {
		free(password);
		password = NULL;
	}
	if (!password)
		password_generate(generated, sizeof generated);
	struct user_form w = {.caller = caller, .actor = *actor, .login = login, .display_name = "系统管理员",
			      .role = "admin", .area_code = caller->scope_code, .password = password ? password : generated};
	int rc = users_create_run(&w);
	json_decref(w.user);
	if (rc == STORE_OK) {
		if (password)
			printf("wangge: admin '%s' created with the password from standard input\n", login);
		else
			printf("wangge: admin '%s' created; password (shown once): %s\n", login, generated);
	} else if (rc == STORE_ABORT && w.error == HTTP_ERR_conflict) {
		printf("wangge: admin '%s' exists already; left as it is\n", login);
		rc = STORE_OK;
	} else {
		cli_error(cmd, "cannot create the admin: %s", rc == STORE_ABORT && w.error_message ? w.error_message
							  : "the database refused it");
	}
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	sodium_memzero(generated, sizeof generated);
	return rc;
}

int cmd_init(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_args args;
	int code;
	if (cli_parse(cmd, argc, argv, &args, &code))
		return code;
	if (sodium_init() < 0) {
		cli_error(cmd, "libsodium failed to start");
		cli_args_free(&args);
		return CLI_FAILURE;
	}
	int applied;
	struct store *s = cli_open_store(cmd, &args, &applied);
	if (!s) {
		cli_args_free(&args);
		return CLI_FAILURE;
	}
	int rc = store_tx(s, STORE_WRITE, init_record, NULL);
	if (rc != STORE_OK) {
		cli_error(cmd, "cannot record the installation");
		goto out;
	}
	struct caller caller;
	struct actor actor;
	const char *root_name = cli_value(&args, "root-name") ? cli_value(&args, "root-name") : "全域";
	rc = identity_cli_caller(s, "000000", root_name, &caller, &actor);
	if (rc != STORE_OK) {
		cli_error(cmd, "cannot create the root area");
		goto out;
	}
	printf("wangge: database ready (%s, schema version %d, root area %s %s)\n", store_backend_name(s),
	       store_schema_version(s), caller.scope_code, caller.scope_name);
	struct vault vault;
	if (cli_open_vault(cmd, &args, s, &vault)) {
		rc = STORE_ERROR;
		goto out;
	}
	vault_wipe(&vault);
	rc = init_admin(cmd, s, &caller, &actor, cli_value(&args, "admin-login") ? cli_value(&args, "admin-login") : "admin");
out:
	store_close(s);
	cli_args_free(&args);
	return rc == STORE_OK ? CLI_OK : CLI_FAILURE;
}

int cmd_migrate(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_args args;
	int code;
	if (cli_parse(cmd, argc, argv, &args, &code))
		return code;
	int applied;
	struct store *s = cli_open_store(cmd, &args, &applied);
	if (!s) {
		cli_args_free(&args);
		return CLI_FAILURE;
	}
	printf("wangge: applied %d migration%s; schema version %d\n", applied, applied == 1 ? "" : "s",
	       store_schema_version(s));
	int status = CLI_OK;
	if (cli_switch(&args, "rebuild-figures")) {
		if (cases_figures_rebuild(s) == STORE_OK) {
			printf("wangge: the case figures' aggregates were recounted\n");
		} else {
			cli_error(cmd, "cannot recount the case figures' aggregates");
			status = CLI_FAILURE;
		}
	}
	store_close(s);
	cli_args_free(&args);
	return status;
}

int cmd_version(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_args args;
	int code;
	if (cli_parse(cmd, argc, argv, &args, &code))
		return code;
	cli_args_free(&args);
	printf("wangge %s (libmicrohttpd %s, SQLite %s, jansson %s, libsodium %s, schema %d)\n", WANGGE_VERSION,
	       MHD_get_version(), sqlite3_libversion(), JANSSON_VERSION, sodium_version_string(),
	       store_latest_version());
	return CLI_OK;
}

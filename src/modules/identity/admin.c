/* What the command line does to identity: the first root and admin,
 * passwords, disabling, tokens. The CLI acts as an admin at the root, and
 * its changes are audited like any other (login "cli", address "local"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xalloc.h"
#include "modules/identity/identity_internal.h"
#include "modules/identity/secrets.h"

static const char sql_root_insert[] =
	"INSERT INTO areas (code, name, level, parent_id, path, created_at, updated_at)"
	" VALUES (?, ?, 0, NULL, ?, ?, ?) RETURNING id";
static const char sql_root_path[] = "UPDATE areas SET path = ? WHERE id = ?";
static const char sql_root_read[] = "SELECT id, path, code, name, level FROM areas WHERE id = ?";

struct root_op {
	const char *code, *name;
	int64_t id;
	struct caller *caller;
};

static int root_tx(struct store_conn *c, void *arg)
{
	struct root_op *r = arg;
	int rc = identity_root_area(c, &r->id);
	if (rc != STORE_OK)
		return rc;
	if (!r->id && r->name) {
		int64_t now = time_now();
		struct store_stmt *st = store_prepare(c, sql_root_insert);
		if (!st)
			return STORE_ERROR;
		store_bind_text(st, 1, r->code);
		store_bind_text(st, 2, r->name);
		store_bind_text(st, 3, "/new-root/");
		store_bind_int(st, 4, now);
		store_bind_int(st, 5, now);
		rc = store_step(st);
		r->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
		store_reset(st);
		if (rc != STORE_ROW)
			return rc;
		char path[32];
		snprintf(path, sizeof path, "/%lld/", (long long)r->id);
		st = store_prepare(c, sql_root_path);
		if (!st)
			return STORE_ERROR;
		store_bind_text(st, 1, path);
		store_bind_int(st, 2, r->id);
		rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	if (!r->id)
		return STORE_ABORT;
	struct store_stmt *st = store_prepare(c, sql_root_read);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->id);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		struct caller *k = r->caller;
		k->scope.area_id = store_col_int(st, 0);
		snprintf(k->scope.path, sizeof k->scope.path, "%s", store_col_text(st, 1));
		snprintf(k->scope_code, sizeof k->scope_code, "%s", store_col_text(st, 2));
		snprintf(k->scope_name, sizeof k->scope_name, "%s", store_col_text(st, 3));
		k->scope_level = (int)store_col_int(st, 4);
	}
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

int identity_cli_caller(struct store *s, const char *root_code, const char *root_name, struct caller *out,
			struct actor *actor)
{
	identity_store = s;
	memset(out, 0, sizeof *out);
	out->role = ROLE_ADMIN;
	snprintf(out->login, sizeof out->login, "cli");
	struct root_op r = {.code = root_code, .name = root_name, .caller = out};
	int rc = store_tx(s, STORE_WRITE, root_tx, &r);
	*actor = (struct actor){.login = "cli", .role = "admin", .address = "local", .request_id = "cli",
				.area_id = out->scope.area_id};
	return rc;
}

static const char sql_user_by_login_full[] = "SELECT id, role FROM users WHERE login = ?";
static const char sql_user_set_password[] = "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?";
static const char sql_user_set_active[] = "UPDATE users SET active = ?, updated_at = ? WHERE id = ?";
static const char sql_user_end_sessions[] = "DELETE FROM sessions WHERE user_id = ?";

struct user_change {
	const struct actor *actor;
	const char *login;
	const char *hash; /* set: new password */
	int active;       /* -1: unchanged */
	bool found;
};

static int user_change_tx(struct store_conn *c, void *arg)
{
	struct user_change *u = arg;
	struct store_stmt *st = store_prepare(c, sql_user_by_login_full);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, u->login);
	int rc = store_step(st);
	int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	u->found = rc == STORE_ROW;
	if (rc == STORE_DONE)
		return STORE_ABORT;
	if (rc != STORE_ROW)
		return rc;
	st = store_prepare(c, u->hash ? sql_user_set_password : sql_user_set_active);
	if (!st)
		return STORE_ERROR;
	if (u->hash)
		store_bind_text(st, 1, u->hash);
	else
		store_bind_int(st, 1, u->active);
	store_bind_int(st, 2, time_now());
	store_bind_int(st, 3, id);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	st = store_prepare(c, sql_user_end_sessions);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	json_t *summary = u->hash ? json_pack("{s:s}", "password", "(changed)") : json_pack("{s:b}", "active", u->active);
	rc = audit_append(c, u->actor, "user.update", "user", ids, 0, summary);
	json_decref(summary);
	return rc;
}

int identity_set_password(struct store *s, const struct actor *actor, const char *login, const char *password,
			  char **err)
{
	const char *problem = password_problem(login, password);
	if (problem) {
		*err = xstrdup(problem);
		return -1;
	}
	char hash[PASSWORD_HASH_BYTES];
	if (password_hash(password, hash) != 0) {
		*err = xstrdup("out of memory for hashing");
		return -1;
	}
	struct user_change u = {.actor = actor, .login = login, .hash = hash, .active = -1};
	int rc = store_tx(s, STORE_WRITE, user_change_tx, &u);
	if (rc == STORE_OK)
		identity_directory_changed();
	sodium_memzero(hash, sizeof hash);
	if (rc != STORE_OK) {
		*err = u.found || rc != STORE_ABORT ? xstrdup("the database refused the change")
						    : xasprintf("no user '%s'", login);
		return -1;
	}
	return 0;
}

int identity_set_active(struct store *s, const struct actor *actor, const char *login, bool active, char **err)
{
	struct user_change u = {.actor = actor, .login = login, .active = active};
	int rc = store_tx(s, STORE_WRITE, user_change_tx, &u);
	if (rc == STORE_OK)
		identity_directory_changed();
	if (rc != STORE_OK) {
		*err = u.found || rc != STORE_ABORT ? xstrdup("the database refused the change")
						    : xasprintf("no user '%s'", login);
		return -1;
	}
	return 0;
}

static const char sql_users_all[] =
	"SELECT u.login, u.role, a.code, u.active, u.display_name FROM users u JOIN areas a ON a.id = u.area_id"
	" ORDER BY u.login";
static const char sql_tokens_all[] =
	"SELECT t.id, t.name, t.role, a.code, COALESCE(t.revoked_at, 0), COALESCE(t.last_used_at, 0)"
	" FROM api_tokens t JOIN areas a ON a.id = t.area_id ORDER BY t.id";

struct listing {
	const char *sql;
	FILE *out;
};

static int listing_tx(struct store_conn *c, void *arg)
{
	struct listing *l = arg;
	struct store_stmt *st = store_prepare(c, l->sql);
	if (!st)
		return STORE_ERROR;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (l->sql == sql_users_all) {
			fprintf(l->out, "%s\t%s\t%s\t%s\t%s\n", store_col_text(st, 0), store_col_text(st, 1),
				store_col_text(st, 2), store_col_int(st, 3) ? "active" : "disabled", store_col_text(st, 4));
		} else {
			char used[32] = "never";
			if (store_col_int(st, 5))
				time_format(store_col_int(st, 5), used);
			fprintf(l->out, "%lld\t%s\t%s\t%s\t%s\tlast used %s\n", (long long)store_col_int(st, 0),
				store_col_text(st, 1), store_col_text(st, 2), store_col_text(st, 3),
				store_col_int(st, 4) ? "revoked" : "active", used);
		}
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int identity_list_users(struct store *s, FILE *out)
{
	struct listing l = {sql_users_all, out};
	return store_tx(s, STORE_READ, listing_tx, &l) == STORE_OK ? 0 : -1;
}

int identity_list_tokens(struct store *s, FILE *out)
{
	struct listing l = {sql_tokens_all, out};
	return store_tx(s, STORE_READ, listing_tx, &l) == STORE_OK ? 0 : -1;
}

static const char sql_token_insert[] =
	"INSERT INTO api_tokens (name, token_hash, role, area_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id";
static const char sql_token_revoke[] = "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";

struct token_op {
	const struct caller *caller;
	const struct actor *actor;
	const char *name, *role, *area_code;
	char hash[65];
	int64_t id;
	const char *problem;
};

static int token_create_tx(struct store_conn *c, void *arg)
{
	struct token_op *t = arg;
	struct area_ref area;
	int rc = area_find(c, &t->caller->scope, t->area_code, &area);
	if (rc == STORE_DONE) {
		t->problem = "no such area";
		return STORE_ABORT;
	}
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_token_insert);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, t->name);
	store_bind_text(st, 2, t->hash);
	store_bind_text(st, 3, t->role);
	store_bind_int(st, 4, area.id);
	store_bind_int(st, 5, time_now());
	rc = store_step(st);
	t->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	if (rc != STORE_ROW)
		return rc;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)t->id);
	json_t *summary = json_pack("{s:s, s:s, s:s}", "name", t->name, "role", t->role, "area", area.code);
	rc = audit_append(c, t->actor, "token.create", "token", id, area.id, summary);
	json_decref(summary);
	return rc;
}

int identity_token_create(struct store *s, const struct caller *as, const struct actor *actor, const char *name,
			  const char *role, const char *area_code, char token[44], int64_t *id, char **err)
{
	if (role_parse(role) == ROLE_NONE) {
		*err = xasprintf("unknown role '%s'", role);
		return -1;
	}
	token_new(token);
	struct token_op t = {.caller = as, .actor = actor, .name = name, .role = role, .area_code = area_code};
	token_hash(token, t.hash);
	int rc = store_tx(s, STORE_WRITE, token_create_tx, &t);
	if (rc != STORE_OK) {
		*err = xasprintf("cannot create the token: %s", t.problem ? t.problem : "the database refused it");
		return -1;
	}
	*id = t.id;
	return 0;
}

static int token_revoke_tx(struct store_conn *c, void *arg)
{
	struct token_op *t = arg;
	struct store_stmt *st = store_prepare(c, sql_token_revoke);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, time_now());
	store_bind_int(st, 2, t->id);
	int rc = store_step(st);
	int64_t changed = store_changes(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	if (changed != 1)
		return STORE_ABORT;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)t->id);
	return audit_append(c, t->actor, "token.revoke", "token", id, 0, NULL);
}

int identity_token_revoke(struct store *s, const struct actor *actor, int64_t id, char **err)
{
	struct token_op t = {.actor = actor, .id = id};
	int rc = store_tx(s, STORE_WRITE, token_revoke_tx, &t);
	if (rc == STORE_OK)
		identity_directory_changed();
	if (rc != STORE_OK) {
		*err = rc == STORE_ABORT ? xasprintf("no active token %lld", (long long)id)
					 : xstrdup("the database refused the change");
		return -1;
	}
	return 0;
}

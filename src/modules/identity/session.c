/* Who is asking: the authenticator, and log-in/log-out (POST/GET/DELETE
 * /api/v1/session). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "modules/common/reply.h"
#include "modules/identity/auth_cache.h"
#include "modules/identity/identity_internal.h"
#include "modules/identity/secrets.h"

#define SESSION_COOKIE "wg_session"

const struct caller *identity_caller(const struct http_req *req)
{
	return http_caller(req);
}

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* ---- the authenticator ---- */

static const char sql_session_lookup[] =
	"SELECT s.id, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, u.login, u.display_name, u.role,"
	" u.active, COALESCE(u.unit_id, 0), a.id, a.path, a.code, a.name, a.level"
	" FROM sessions s JOIN users u ON u.id = s.user_id JOIN areas a ON a.id = u.area_id"
	" WHERE s.token_hash = ?";
static const char sql_token_lookup[] =
	"SELECT t.id, t.name, t.role, COALESCE(t.revoked_at, 0), COALESCE(t.last_used_at, 0),"
	" a.id, a.path, a.code, a.name, a.level"
	" FROM api_tokens t JOIN areas a ON a.id = t.area_id WHERE t.token_hash = ?";
static const char sql_session_touch[] = "UPDATE sessions SET last_seen_at = ? WHERE id = ?";
static const char sql_session_delete[] = "DELETE FROM sessions WHERE id = ?";
static const char sql_token_touch[] = "UPDATE api_tokens SET last_used_at = ? WHERE id = ?";

struct lookup {
	const char *hash;
	bool is_token;
	struct caller *caller;
	bool found;
	bool expired;
	bool touch;
	int64_t until; /* a session's idle or absolute end, whichever is first */
};

static void read_scope(struct store_stmt *st, int col, struct caller *c)
{
	c->scope.area_id = store_col_int(st, col);
	copy_text(c->scope.path, sizeof c->scope.path, store_col_text(st, col + 1));
	copy_text(c->scope_code, sizeof c->scope_code, store_col_text(st, col + 2));
	copy_text(c->scope_name, sizeof c->scope_name, store_col_text(st, col + 3));
	c->scope_level = (int)store_col_int(st, col + 4);
}

static int lookup_tx(struct store_conn *conn, void *arg)
{
	struct lookup *l = arg;
	struct caller *c = l->caller;
	int64_t now = time_now();
	struct store_stmt *st = store_prepare(conn, l->is_token ? sql_token_lookup : sql_session_lookup);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, l->hash);
	int rc = store_step(st);
	l->found = rc == STORE_ROW;
	if (rc == STORE_ROW && !l->is_token) {
		c->session_id = store_col_int(st, 0);
		c->user_id = store_col_int(st, 1);
		copy_text(c->csrf, sizeof c->csrf, store_col_text(st, 2));
		int64_t created = store_col_int(st, 3), seen = store_col_int(st, 4);
		copy_text(c->login, sizeof c->login, store_col_text(st, 5));
		copy_text(c->display_name, sizeof c->display_name, store_col_text(st, 6));
		c->role = role_parse(store_col_text(st, 7));
		bool active = store_col_int(st, 8) != 0;
		c->unit_id = store_col_int(st, 9);
		read_scope(st, 10, c);
		l->expired = !active || session_expired(created, seen, now);
		l->until = session_end(created, seen);
		l->touch = session_needs_touch(seen, now);
	} else if (rc == STORE_ROW) {
		c->token_id = store_col_int(st, 0);
		snprintf(c->login, sizeof c->login, "token:%s", store_col_text(st, 1));
		copy_text(c->display_name, sizeof c->display_name, store_col_text(st, 1));
		c->role = role_parse(store_col_text(st, 2));
		l->expired = store_col_int(st, 3) != 0;
		l->touch = session_needs_touch(store_col_int(st, 4), now);
		l->until = INT64_MAX;
		read_scope(st, 5, c);
	}
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

/* Expired sessions are deleted; live ones get last_seen_at at most once a
 * minute, so a busy user costs one write a minute, not one a request. */
static int maintain_tx(struct store_conn *conn, void *arg)
{
	struct lookup *l = arg;
	const char *sql = l->expired ? sql_session_delete : l->is_token ? sql_token_touch : sql_session_touch;
	struct store_stmt *st = store_prepare(conn, sql);
	if (!st)
		return STORE_ERROR;
	if (l->expired) {
		store_bind_int(st, 1, l->caller->session_id);
	} else {
		store_bind_int(st, 1, time_now());
		store_bind_int(st, 2, l->is_token ? l->caller->token_id : l->caller->session_id);
	}
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

bool identity_authenticate(struct http_req *req, const char *permission, void *ctx)
{
	(void)ctx;
	const char *auth = http_header(req, "Authorization");
	const char *cookie = http_cookie(req, SESSION_COOKIE);
	const char *secret = NULL;
	bool is_token = false;
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		secret = auth + 7;
		is_token = true;
	} else if (cookie && *cookie) {
		secret = cookie;
	}
	bool is_public = http_permission_public(permission);
	/* Public routes answer anyone: bad or stale credentials there are
	 * ignored, so a health check never fails on a leftover header. */
	if (!secret || strlen(secret) != TOKEN_CHARS) {
		if (is_public)
			return true;
		http_reply_error(req, HTTP_ERR_unauthorized, NULL, NULL);
		return false;
	}
	char hash[65];
	token_hash(secret, hash);
	struct caller *c = xmalloc(sizeof *c);
	int64_t now = time_now();
	if (!auth_cache_get(hash, is_token, now, c)) {
		memset(c, 0, sizeof *c);
		/* Read before the look-up: see auth_cache.c. */
		uint64_t generation = identity_directory_generation();
		struct lookup l = {.hash = hash, .is_token = is_token, .caller = c};
		int rc = store_tx(identity_store, STORE_READ, lookup_tx, &l);
		if (rc != STORE_OK) {
			free(c);
			reply_store_failure(req, rc);
			return false;
		}
		if (l.found && (l.expired || l.touch))
			store_tx(identity_store, STORE_WRITE, maintain_tx, &l);
		if (!l.found || l.expired || c->role == ROLE_NONE) {
			free(c);
			if (is_public)
				return true;
			http_reply_error(req, HTTP_ERR_unauthorized, NULL, "Your session has ended: sign in again");
			return false;
		}
		int64_t until = now + AUTH_CACHE_SECONDS;
		auth_cache_put(hash, is_token, generation, l.until < until ? l.until : until, c);
	}
	http_set_caller(req, c, free);
	if (csrf_required(http_method_name(req), is_token) && !csrf_matches(http_header(req, "X-CSRF-Token"), c->csrf)) {
		http_reply_error(req, HTTP_ERR_csrf_failed, NULL, NULL);
		return false;
	}
	if (!role_has(c->role, permission)) {
		http_reply_error(req, HTTP_ERR_forbidden, NULL, "Your role (%s) may not do this", role_name(c->role));
		return false;
	}
	return true;
}

int identity_token_caller(const char *secret, struct caller *out)
{
	memset(out, 0, sizeof *out);
	if (!secret || strlen(secret) != TOKEN_CHARS)
		return STORE_DONE;
	char hash[65];
	token_hash(secret, hash);
	struct lookup l = {.hash = hash, .is_token = true, .caller = out};
	int rc = store_tx(identity_store, STORE_READ, lookup_tx, &l);
	if (rc != STORE_OK)
		return rc;
	if (!l.found || l.expired || out->role == ROLE_NONE)
		return STORE_DONE;
	if (l.touch)
		store_tx(identity_store, STORE_WRITE, maintain_tx, &l);
	return STORE_OK;
}

/* ---- POST /api/v1/session ---- */

static const char sql_user_by_login[] =
	"SELECT u.id, u.password_hash, u.active, u.area_id FROM users u WHERE u.login = ?";
static const char sql_throttle_get[] = "SELECT failures, first_at, locked_until FROM login_throttle WHERE key = ?";
static const char sql_throttle_put[] =
	"INSERT INTO login_throttle (key, failures, first_at, locked_until) VALUES (?, ?, ?, ?)"
	" ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at,"
	" locked_until = excluded.locked_until";
static const char sql_throttle_clear[] = "DELETE FROM login_throttle WHERE key = ?";
static const char sql_session_insert[] =
	"INSERT INTO sessions (token_hash, user_id, csrf_token, address, created_at, last_seen_at)"
	" VALUES (?, ?, ?, ?, ?, ?) RETURNING id";

struct login {
	const char *login;
	const char *address;
	char keys[3][200];
	int64_t retry_after; /* out: seconds locked, 0 when free */
	/* the user, read before verifying */
	int64_t user_id;
	int64_t area_id;
	bool active;
	char hash[PASSWORD_HASH_BYTES];
	/* the new session */
	char token[TOKEN_CHARS + 1];
	char csrf[TOKEN_CHARS + 1];
	struct actor actor;
	bool ok;
};

static void login_keys(struct login *l)
{
	snprintf(l->keys[0], sizeof l->keys[0], "%s%s|%s", throttle_rules[0].prefix, l->login, l->address);
	snprintf(l->keys[1], sizeof l->keys[1], "%s%s", throttle_rules[1].prefix, l->address);
	snprintf(l->keys[2], sizeof l->keys[2], "%s%s", throttle_rules[2].prefix, l->login);
}

static int login_read_tx(struct store_conn *conn, void *arg)
{
	struct login *l = arg;
	int64_t now = time_now();
	l->retry_after = 0;
	for (int i = 0; i < 3; i++) {
		struct store_stmt *st = store_prepare(conn, sql_throttle_get);
		if (!st)
			return STORE_ERROR;
		store_bind_text(st, 1, l->keys[i]);
		int rc = store_step(st);
		if (rc == STORE_ROW && store_col_int(st, 2) - now > l->retry_after)
			l->retry_after = store_col_int(st, 2) - now;
		store_reset(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return rc;
	}
	struct store_stmt *st = store_prepare(conn, sql_user_by_login);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, l->login);
	int rc = store_step(st);
	l->user_id = 0;
	if (rc == STORE_ROW) {
		l->user_id = store_col_int(st, 0);
		copy_text(l->hash, sizeof l->hash, store_col_text(st, 1));
		l->active = store_col_int(st, 2) != 0;
		l->area_id = store_col_int(st, 3);
	}
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

static int login_result_tx(struct store_conn *conn, void *arg)
{
	struct login *l = arg;
	int64_t now = time_now();
	int rc;
	if (!l->ok) {
		for (int i = 0; i < 3; i++) {
			struct store_stmt *st = store_prepare(conn, sql_throttle_get);
			if (!st)
				return STORE_ERROR;
			store_bind_text(st, 1, l->keys[i]);
			rc = store_step(st);
			int64_t failures = 0, first = now;
			if (rc == STORE_ROW && now - store_col_int(st, 1) < THROTTLE_WINDOW_SECONDS) {
				failures = store_col_int(st, 0);
				first = store_col_int(st, 1);
			}
			store_reset(st);
			if (rc != STORE_ROW && rc != STORE_DONE)
				return rc;
			failures++;
			int64_t lock = throttle_lock_seconds(&throttle_rules[i], failures);
			/* A lock extends the window, so the count survives it. */
			if (lock && now + lock - first >= THROTTLE_WINDOW_SECONDS)
				first = now + lock - THROTTLE_WINDOW_SECONDS + 1;
			st = store_prepare(conn, sql_throttle_put);
			if (!st)
				return STORE_ERROR;
			store_bind_text(st, 1, l->keys[i]);
			store_bind_int(st, 2, failures);
			store_bind_int(st, 3, first);
			store_bind_int(st, 4, lock ? now + lock : 0);
			rc = store_step(st);
			store_reset(st);
			if (rc != STORE_DONE)
				return rc;
		}
		json_t *summary = json_pack("{s:s}", "login", l->login);
		rc = audit_append(conn, &l->actor, "session.login_failed", "user", l->login,
				  l->area_id, summary);
		json_decref(summary);
		return rc;
	}
	struct store_stmt *st = store_prepare(conn, sql_throttle_clear);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, l->keys[0]);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	char hash[65];
	token_hash(l->token, hash);
	st = store_prepare(conn, sql_session_insert);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, hash);
	store_bind_int(st, 2, l->user_id);
	store_bind_text(st, 3, l->csrf);
	store_bind_text(st, 4, l->address);
	store_bind_int(st, 5, now);
	store_bind_int(st, 6, now);
	rc = store_step(st);
	int64_t session_id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	if (rc != STORE_ROW)
		return rc;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)l->user_id);
	json_t *summary = json_pack("{s:I}", "session", (json_int_t)session_id);
	rc = audit_append(conn, &l->actor, "session.login", "user", id, l->area_id, summary);
	json_decref(summary);
	return rc;
}

static void set_session_cookie(struct http_req *req, const char *token, int64_t max_age)
{
	char cookie[256];
	snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", SESSION_COOKIE,
		 token, (long long)max_age, identity_cfg.secure_cookies ? "; Secure" : "");
	http_add_header(req, "Set-Cookie", cookie);
}

static json_t *caller_user_json(const struct caller *c);
static void reply_whoami(struct http_req *req, const struct caller *c, unsigned status, const char *csrf);

struct whoami_load {
	int64_t user_id;
	struct caller *caller;
};

static const char sql_user_caller[] =
	"SELECT u.login, u.display_name, u.role, COALESCE(u.unit_id, 0), a.id, a.path, a.code, a.name, a.level"
	" FROM users u JOIN areas a ON a.id = u.area_id WHERE u.id = ?";

static int whoami_load_tx(struct store_conn *conn, void *arg)
{
	struct whoami_load *w = arg;
	struct store_stmt *st = store_prepare(conn, sql_user_caller);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, w->user_id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		struct caller *c = w->caller;
		c->user_id = w->user_id;
		copy_text(c->login, sizeof c->login, store_col_text(st, 0));
		copy_text(c->display_name, sizeof c->display_name, store_col_text(st, 1));
		c->role = role_parse(store_col_text(st, 2));
		c->unit_id = store_col_int(st, 3);
		read_scope(st, 4, c);
		rc = STORE_OK;
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_ERROR : rc;
}

void session_create(struct http_req *req)
{
	const char *login = NULL, *password = NULL;
	const struct field_spec specs[] = {
		FIELD_STR("login", &login, 1, 64),
		FIELD_STR("password", &password, 1, PASSWORD_MAX_BYTES),
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	struct login l = {.login = login, .address = http_client_addr(req)};
	login_keys(&l);
	l.actor = (struct actor){.login = login, .role = "anonymous", .address = l.address,
				 .request_id = http_request_id(req)};
	int rc = store_tx(identity_store, STORE_READ, login_read_tx, &l);
	if (rc != STORE_OK) {
		reply_store_failure(req, rc);
		return;
	}
	/* Locked keys are refused before any hashing: guessing costs the
	 * attacker time and us nothing. */
	if (l.retry_after > 0) {
		http_reply_retry_after(req, "Too many failed log-ins", l.retry_after);
		return;
	}
	if (l.user_id && l.active) {
		l.ok = password_verify(l.hash, password);
	} else {
		password_burn(password); /* unknown and known logins take as long */
		l.ok = false;
	}
	if (l.ok) {
		token_new(l.token);
		token_new(l.csrf);
		l.actor.user_id = l.user_id;
	}
	rc = store_tx(identity_store, STORE_WRITE, login_result_tx, &l);
	if (rc != STORE_OK) {
		reply_store_failure(req, rc);
		return;
	}
	if (!l.ok) {
		http_reply_error(req, HTTP_ERR_invalid_credentials, NULL, NULL);
		return;
	}
	struct caller c = {0};
	struct whoami_load w = {.user_id = l.user_id, .caller = &c};
	rc = store_tx(identity_store, STORE_READ, whoami_load_tx, &w);
	if (rc != STORE_OK) {
		reply_store_failure(req, rc);
		return;
	}
	reply_whoami(req, &c, 200, l.csrf);
	set_session_cookie(req, l.token, SESSION_ABSOLUTE_SECONDS);
	sodium_memzero(l.token, sizeof l.token);
}

/* ---- GET /api/v1/session ---- */

static void add_permission(const char *permission, void *arg)
{
	json_array_append_new(arg, json_string(permission));
}

static json_t *caller_user_json(const struct caller *c)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "id", (json_int_t)c->user_id, "login", c->login,
			 "display_name", c->display_name, "role", role_name(c->role), "area", "code", c->scope_code,
			 "name", c->scope_name, "level", area_level_name(c->scope_level));
}

static void reply_whoami(struct http_req *req, const struct caller *c, unsigned status, const char *csrf)
{
	json_t *permissions = json_array();
	role_each_permission(c->role, add_permission, permissions);
	char expires[32];
	time_format(time_now() + SESSION_ABSOLUTE_SECONDS, expires);
	http_reply_json(req, status,
			json_pack("{s:o, s:{s:s, s:s, s:s}, s:o, s:s, s:s}", "user", caller_user_json(c), "scope",
				  "code", c->scope_code, "name", c->scope_name, "level",
				  area_level_name(c->scope_level), "permissions", permissions, "csrf_token", csrf,
				  "expires_at", expires));
}

void session_read(struct http_req *req)
{
	const struct caller *c = identity_caller(req);
	if (!c->session_id) {
		/* A token has no session; say who it is all the same. */
		reply_whoami(req, c, 200, "");
		return;
	}
	reply_whoami(req, c, 200, c->csrf);
}

/* ---- DELETE /api/v1/session ---- */

struct logout {
	int64_t session_id;
	struct actor actor;
};

static int logout_tx(struct store_conn *conn, void *arg)
{
	struct logout *o = arg;
	struct store_stmt *st = store_prepare(conn, sql_session_delete);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, o->session_id);
	int rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)o->actor.user_id);
	return audit_append(conn, &o->actor, "session.logout", "user", id, 0, NULL);
}

void session_delete(struct http_req *req)
{
	const struct caller *c = identity_caller(req);
	struct logout o = {.session_id = c->session_id};
	identity_actor(req, &o.actor);
	if (c->session_id) {
		int rc = store_tx(identity_store, STORE_WRITE, logout_tx, &o);
		if (rc != STORE_OK) {
			reply_store_failure(req, rc);
			return;
		}
		identity_directory_changed(); /* the cookie ends here at once */
	}
	http_reply_json(req, 204, NULL);
	set_session_cookie(req, "", 0);
}

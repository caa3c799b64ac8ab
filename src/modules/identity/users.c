/* Users: /api/v1/users. Managers (admin, commander, staff) manage users
 * inside their scope and never grant a role above their own. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "modules/common/reply.h"
#include "modules/identity/identity_internal.h"
#include "modules/identity/secrets.h"

#define USER_COLUMNS                                                                                       \
	"u.id, u.login, u.display_name, COALESCE(u.phone, ''), u.role, u.active, u.created_at,"             \
	" COALESCE(u.unit_id, 0), COALESCE(n.name, ''), a.code, a.name, a.level"
#define USER_FROM " FROM users u JOIN areas a ON a.id = u.area_id LEFT JOIN units n ON n.id = u.unit_id"

static const char sql_user_list[] =
	"SELECT " USER_COLUMNS USER_FROM " WHERE " STORE_IN_SCOPE("a")
	" AND u.id > ? AND (CAST(? AS TEXT) IS NULL OR u.role = ?)"
	" AND (CAST(? AS BIGINT) IS NULL OR u.active = ?)"
	" AND (CAST(? AS TEXT) IS NULL OR substr(u.login, 1, ?) = ? OR substr(u.display_name, 1, ?) = ?)"
	" ORDER BY u.id LIMIT ?";
static const char sql_user_get[] = "SELECT " USER_COLUMNS USER_FROM " WHERE u.id = ? AND " STORE_IN_SCOPE("a");

/* The JSON of a user row read with USER_COLUMNS. */
static json_t *user_json(struct store_stmt *st, bool reveal_phone)
{
	char phone[40];
	const char *raw = store_col_text(st, 3);
	if (reveal_phone)
		snprintf(phone, sizeof phone, "%s", raw);
	else
		mask_phone(raw, phone, sizeof phone);
	char created[32];
	time_format(store_col_int(st, 6), created);
	json_t *unit = store_col_int(st, 7)
			       ? json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(st, 7), "name", store_col_text(st, 8))
			       : json_null();
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:o, s:b, s:s}", "id",
			 (json_int_t)store_col_int(st, 0), "login", store_col_text(st, 1), "display_name",
			 store_col_text(st, 2), "phone", phone, "role", store_col_text(st, 4), "area", "code",
			 store_col_text(st, 9), "name", store_col_text(st, 10), "level",
			 area_level_name((int)store_col_int(st, 11)), "unit", unit, "active", store_col_int(st, 5) != 0,
			 "created_at", created);
}

/* ---- list ---- */

struct user_list {
	struct store_scope scope;
	const char *area_code;
	const char *role;
	const char *q;
	int active; /* -1 any */
	struct http_page page;
	json_t *items;
	int64_t last_id;
	bool area_missing;
};

static int user_list_tx(struct store_conn *c, void *arg)
{
	struct user_list *l = arg;
	struct store_scope scope = l->scope;
	if (l->area_code) {
		struct area_ref a;
		int rc = area_find(c, &l->scope, l->area_code, &a);
		if (rc == STORE_DONE) {
			l->area_missing = true;
			return STORE_ABORT;
		}
		if (rc != STORE_OK)
			return rc;
		scope.area_id = a.id;
		snprintf(scope.path, sizeof scope.path, "%s", a.path);
	}
	struct store_stmt *st = store_prepare(c, sql_user_list);
	if (!st)
		return STORE_ERROR;
	int64_t qlen = l->q ? (int64_t)strlen(l->q) : 0;
	int64_t qchars = 0;
	for (int64_t i = 0; i < qlen; i++)
		qchars += ((unsigned char)l->q[i] & 0xC0) != 0x80;
	store_bind_scope(st, 1, &scope);
	store_bind_int(st, 3, l->page.after);
	store_bind_text(st, 4, l->role);
	store_bind_text(st, 5, l->role);
	if (l->active < 0) {
		store_bind_null(st, 6);
		store_bind_null(st, 7);
	} else {
		store_bind_int(st, 6, l->active);
		store_bind_int(st, 7, l->active);
	}
	store_bind_text(st, 8, l->q);
	store_bind_int(st, 9, qchars);
	store_bind_text(st, 10, l->q);
	store_bind_int(st, 11, qchars);
	store_bind_text(st, 12, l->q);
	store_bind_int(st, 13, l->page.limit);
	int rc;
	json_array_clear(l->items);
	while ((rc = store_step(st)) == STORE_ROW) {
		json_array_append_new(l->items, user_json(st, false));
		l->last_id = store_col_int(st, 0);
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

void users_list(struct http_req *req)
{
	const struct caller *c = identity_caller(req);
	struct user_list l = {.scope = c->scope, .area_code = http_query(req, "area"), .role = http_query(req, "role"),
			      .q = http_query(req, "q"), .active = -1};
	if (!http_page_params(req, &l.page))
		return;
	const char *active = http_query(req, "active");
	if (active) {
		if (strcmp(active, "true") && strcmp(active, "false")) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "active", "active is true or false");
			return;
		}
		l.active = strcmp(active, "true") == 0;
	}
	if (l.role && role_parse(l.role) == ROLE_NONE) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "role", "Unknown role '%.40s'", l.role);
		return;
	}
	if (l.q && (!*l.q || strlen(l.q) > 64))
		l.q = NULL;
	l.items = json_array();
	int rc = store_tx(identity_store, STORE_READ, user_list_tx, &l);
	if (rc != STORE_OK) {
		json_decref(l.items);
		if (l.area_missing)
			http_reply_error(req, HTTP_ERR_not_found, "area", "No such area");
		else
			reply_store_failure(req, rc);
		return;
	}
	json_t *out = json_pack("{s:o}", "items", l.items);
	http_page_finish(out, &l.page, json_array_size(l.items), l.last_id);
	http_reply_json(req, 200, out);
}

/* ---- read ---- */

struct user_read {
	struct store_scope scope;
	int64_t id;
	bool reveal;
	struct actor actor;
	json_t *user;
};

static int user_read_tx(struct store_conn *c, void *arg)
{
	struct user_read *r = arg;
	struct store_stmt *st = store_prepare(c, sql_user_get);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->id);
	store_bind_scope(st, 2, &r->scope);
	int rc = store_step(st);
	json_decref(r->user);
	r->user = NULL;
	if (rc == STORE_ROW)
		r->user = user_json(st, r->reveal);
	store_reset(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ABORT : rc;
	if (!r->reveal)
		return STORE_OK;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)r->id);
	json_t *summary = json_pack("{s:s}", "field", "phone");
	rc = audit_append(c, &r->actor, "user.reveal", "user", id, 0, summary);
	json_decref(summary);
	return rc;
}


void users_read(struct http_req *req)
{
	const struct caller *c = identity_caller(req);
	struct user_read r = {.scope = c->scope, .id = http_param_id(req, "id")};
	const char *reveal = http_query(req, "reveal");
	if (reveal) {
		if (strcmp(reveal, "phone") != 0) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "reveal", "Only the phone can be revealed");
			return;
		}
		if (!role_has(c->role, "users.manage")) {
			http_reply_error(req, HTTP_ERR_forbidden, "reveal", "Your role may not reveal phones");
			return;
		}
		r.reveal = true;
	}
	identity_actor(req, &r.actor);
	int rc = r.id ? store_tx(identity_store, r.reveal ? STORE_WRITE : STORE_READ, user_read_tx, &r) : STORE_ABORT;
	if (rc == STORE_ABORT) {
		json_decref(r.user);
		http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
		return;
	}
	if (rc != STORE_OK) {
		json_decref(r.user);
		reply_store_failure(req, rc);
		return;
	}
	http_reply_json(req, 200, r.user);
}

/* ---- create and update ---- */

static bool valid_login(const char *login)
{
	size_t n = strlen(login);
	if (n < 2 || n > 64)
		return false;
	for (const char *p = login; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-' && *p != '@')
			return false;
	return true;
}

static bool valid_phone(const char *phone)
{
	size_t n = strlen(phone);
	if (n < 5 || n > 20)
		return false;
	for (const char *p = phone; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '-' && *p != '+')
			return false;
	return true;
}

static const char sql_unit_in_scope[] =
	"SELECT n.id FROM units n JOIN areas a ON a.id = n.area_id WHERE n.id = ? AND " STORE_IN_SCOPE("a");
static const char sql_user_insert[] =
	"INSERT INTO users (login, display_name, phone, role, area_id, unit_id, active, password_hash, created_at,"
	" updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id";
static const char sql_login_taken[] = "SELECT 1 FROM users WHERE login = ?";


static int user_fail(struct user_form *w, enum http_error e, const char *field, const char *message)
{
	w->error = e;
	w->error_field = field;
	w->error_message = message;
	return STORE_ABORT;
}

static int check_unit(struct store_conn *c, struct user_form *w)
{
	struct store_stmt *st = store_prepare(c, sql_unit_in_scope);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, w->unit_id);
	store_bind_scope(st, 2, &w->caller->scope);
	int rc = store_step(st);
	store_reset(st);
	if (rc == STORE_DONE)
		return user_fail(w, HTTP_ERR_invalid_value, "unit_id", "No such unit in your area");
	return rc == STORE_ROW ? STORE_OK : rc;
}

static int reload_user(struct store_conn *c, struct user_form *w)
{
	struct store_stmt *st = store_prepare(c, sql_user_get);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, w->id);
	store_bind_scope(st, 2, &w->caller->scope);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		json_decref(w->user);
		w->user = user_json(st, false);
	}
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : STORE_ERROR;
}

static int user_create_tx(struct store_conn *c, void *arg)
{
	struct user_form *w = arg;
	struct area_ref area;
	int rc = area_find(c, &w->caller->scope, w->area_code, &area);
	if (rc == STORE_DONE)
		return user_fail(w, HTTP_ERR_invalid_value, "area_code", "No such area in your scope");
	if (rc != STORE_OK)
		return rc;
	if (w->has_unit && (rc = check_unit(c, w)) != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_login_taken);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, w->login);
	rc = store_step(st);
	store_reset(st);
	if (rc == STORE_ROW)
		return user_fail(w, HTTP_ERR_conflict, "login", "This login is taken");
	if (rc != STORE_DONE)
		return rc;
	int64_t now = time_now();
	st = store_prepare(c, sql_user_insert);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, w->login);
	store_bind_text(st, 2, w->display_name);
	store_bind_text(st, 3, w->has_phone ? w->phone : NULL);
	store_bind_text(st, 4, w->role);
	store_bind_int(st, 5, area.id);
	if (w->has_unit)
		store_bind_int(st, 6, w->unit_id);
	else
		store_bind_null(st, 6);
	store_bind_text(st, 7, w->hash);
	store_bind_int(st, 8, now);
	store_bind_int(st, 9, now);
	rc = store_step(st);
	if (rc == STORE_ROW)
		w->id = store_col_int(st, 0);
	store_reset(st);
	if (rc != STORE_ROW)
		return rc;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)w->id);
	json_t *summary = json_pack("{s:s, s:s, s:s}", "login", w->login, "role", w->role, "area", area.code);
	rc = audit_append(c, &w->actor, "user.create", "user", id, area.id, summary);
	json_decref(summary);
	if (rc != STORE_OK)
		return rc;
	return reload_user(c, w);
}

static bool hash_password(struct http_req *req, struct user_form *w, const char *login)
{
	const char *problem = password_problem(login, w->password);
	if (problem) {
		http_reply_error(req, HTTP_ERR_invalid_value, "password", "%s", problem);
		return false;
	}
	if (password_hash(w->password, w->hash) != 0) {
		http_reply_error(req, HTTP_ERR_unavailable, NULL, "The server is out of memory for hashing: try again");
		return false;
	}
	return true;
}

static void reply_write(struct http_req *req, struct user_form *w, int rc, unsigned status)
{
	if (rc == STORE_OK) {
		http_reply_json(req, status, w->user);
		return;
	}
	json_decref(w->user);
	if (rc == STORE_ABORT)
		http_reply_error(req, w->error, w->error_field, w->error_message ? "%s" : NULL, w->error_message);
	else
		reply_store_failure(req, rc);
}

static bool check_role(struct http_req *req, const struct caller *c, const char *role)
{
	enum role r = role_parse(role);
	if (r == ROLE_NONE) {
		http_reply_error(req, HTTP_ERR_invalid_value, "role", "Unknown role '%.40s'", role);
		return false;
	}
	if (role_rank(r) > role_rank(c->role)) {
		http_reply_error(req, HTTP_ERR_forbidden, "role", "You may not grant a role above your own");
		return false;
	}
	return true;
}

/* Checks a new user's fields, hashes the password and creates the user as
 * w->caller: the HTTP handler and the CLI both come through here. A client
 * error returns STORE_ABORT with w->error, error_field, error_message. */
int users_create_run(struct user_form *w)
{
	if (!valid_login(w->login))
		return user_fail(w, HTTP_ERR_invalid_value, "login", "A login is 2-64 letters, digits or . _ - @");
	if (w->has_phone && !valid_phone(w->phone))
		return user_fail(w, HTTP_ERR_invalid_value, "phone", "Not a phone number");
	enum role r = role_parse(w->role);
	if (r == ROLE_NONE)
		return user_fail(w, HTTP_ERR_invalid_value, "role", "Unknown role");
	if (role_rank(r) > role_rank(w->caller->role))
		return user_fail(w, HTTP_ERR_forbidden, "role", "You may not grant a role above your own");
	const char *problem = password_problem(w->login, w->password);
	if (problem)
		return user_fail(w, HTTP_ERR_invalid_value, "password", problem);
	if (password_hash(w->password, w->hash) != 0)
		return user_fail(w, HTTP_ERR_unavailable, NULL, "Out of memory for hashing: try again");
	int rc = store_tx(identity_store, STORE_WRITE, user_create_tx, w);
	sodium_memzero(w->hash, sizeof w->hash);
	return rc;
}

void users_create(struct http_req *req)
{
	const struct caller *c = identity_caller(req);
	struct user_form w = {.caller = c};
	const struct field_spec specs[] = {
		FIELD_STR("login", &w.login, 2, 64),
		FIELD_STR("display_name", &w.display_name, 1, 64),
		FIELD_STR("role", &w.role, 1, 32),
		FIELD_STR("area_code", &w.area_code, 1, AREA_CODE_MAX),
		FIELD_STR("password", &w.password, 1, PASSWORD_MAX_BYTES),
		{.name = "phone", .type = FIELD_STRING, .dest = &w.phone, .optional = true, .max = 20, .present = &w.has_phone},
		{.name = "unit_id", .type = FIELD_INT, .dest = &w.unit_id, .optional = true, .min = 1, .max = INT64_MAX, .present = &w.has_unit},
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	identity_actor(req, &w.actor);
	reply_write(req, &w, users_create_run(&w), 201);
}

static const char sql_user_target[] =
	"SELECT u.login, u.role, u.area_id FROM users u JOIN areas a ON a.id = u.area_id WHERE u.id = ? AND "
	STORE_IN_SCOPE("a");
static const char sql_user_update[] =
	"UPDATE users SET display_name = COALESCE(CAST(? AS TEXT), display_name),"
	" phone = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS TEXT) ELSE phone END,"
	" role = COALESCE(CAST(? AS TEXT), role), area_id = COALESCE(CAST(? AS BIGINT), area_id),"
	" unit_id = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS BIGINT) ELSE unit_id END,"
	" active = COALESCE(CAST(? AS BIGINT), active), password_hash = COALESCE(CAST(? AS TEXT), password_hash),"
	" updated_at = ? WHERE id = ?";
static const char sql_user_sessions_end[] = "DELETE FROM sessions WHERE user_id = ?";

struct login_of {
	const struct caller *caller;
	int64_t id;
	char *out;
	size_t size;
};

static int login_of_tx(struct store_conn *c, void *arg)
{
	struct login_of *l = arg;
	struct store_stmt *st = store_prepare(c, sql_user_target);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, l->id);
	store_bind_scope(st, 2, &l->caller->scope);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		snprintf(l->out, l->size, "%s", store_col_text(st, 0));
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc == STORE_DONE ? STORE_ABORT : rc;
}

/* The login of a user in the caller's scope: STORE_OK, STORE_DONE if none. */
static int user_login_of(const struct caller *c, int64_t id, char *out, size_t size)
{
	struct login_of l = {c, id, out, size};
	int rc = store_tx(identity_store, STORE_READ, login_of_tx, &l);
	return rc == STORE_ABORT ? STORE_DONE : rc;
}

static int user_update_tx(struct store_conn *c, void *arg)
{
	struct user_form *w = arg;
	struct store_stmt *st = store_prepare(c, sql_user_target);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, w->id);
	store_bind_scope(st, 2, &w->caller->scope);
	int rc = store_step(st);
	enum role target_role = rc == STORE_ROW ? role_parse(store_col_text(st, 1)) : ROLE_NONE;
	int64_t target_area = rc == STORE_ROW ? store_col_int(st, 2) : 0;
	store_reset(st);
	if (rc == STORE_DONE)
		return user_fail(w, HTTP_ERR_not_found, NULL, NULL);
	if (rc != STORE_ROW)
		return rc;
	/* Above one's rank, never; at one's rank, only below one's own scope
	 * root, so two staff of one community cannot take over each other. */
	int target_rank = role_rank(target_role), own_rank = role_rank(w->caller->role);
	if (target_rank > own_rank || (target_rank == own_rank && target_area == w->caller->scope.area_id &&
				       w->id != w->caller->user_id))
		return user_fail(w, HTTP_ERR_forbidden, NULL, "You may not manage a user of your rank and area, or above");
	struct area_ref area = {0};
	if (w->has_area) {
		rc = area_find(c, &w->caller->scope, w->area_code, &area);
		if (rc == STORE_DONE)
			return user_fail(w, HTTP_ERR_invalid_value, "area_code", "No such area in your scope");
		if (rc != STORE_OK)
			return rc;
	}
	if (w->has_unit && w->unit_id && (rc = check_unit(c, w)) != STORE_OK)
		return rc;
	st = store_prepare(c, sql_user_update);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, w->has_name ? w->display_name : NULL);
	store_bind_int(st, 2, w->has_phone);
	store_bind_text(st, 3, w->has_phone && *w->phone ? w->phone : NULL);
	store_bind_text(st, 4, w->has_role ? w->role : NULL);
	if (w->has_area)
		store_bind_int(st, 5, area.id);
	else
		store_bind_null(st, 5);
	store_bind_int(st, 6, w->has_unit);
	if (w->has_unit && w->unit_id)
		store_bind_int(st, 7, w->unit_id);
	else
		store_bind_null(st, 7);
	if (w->has_active)
		store_bind_int(st, 8, w->active);
	else
		store_bind_null(st, 8);
	store_bind_text(st, 9, w->has_password ? w->hash : NULL);
	store_bind_int(st, 10, time_now());
	store_bind_int(st, 11, w->id);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	/* A new password or a disabled account ends every session at once. */
	if (w->has_password || (w->has_active && !w->active)) {
		st = store_prepare(c, sql_user_sessions_end);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, w->id);
		rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)w->id);
	json_t *summary = json_object();
	if (w->has_name)
		json_object_set_new(summary, "display_name", json_string(w->display_name));
	if (w->has_phone)
		json_object_set_new(summary, "phone", json_string("(changed)"));
	if (w->has_role)
		json_object_set_new(summary, "role", json_string(w->role));
	if (w->has_area)
		json_object_set_new(summary, "area", json_string(area.code));
	if (w->has_unit)
		json_object_set_new(summary, "unit_id", json_integer(w->unit_id));
	if (w->has_active)
		json_object_set_new(summary, "active", json_boolean(w->active));
	if (w->has_password)
		json_object_set_new(summary, "password", json_string("(changed)"));
	rc = audit_append(c, &w->actor, "user.update", "user", id, w->has_area ? area.id : 0, summary);
	json_decref(summary);
	if (rc != STORE_OK)
		return rc;
	return reload_user(c, w);
}

void users_update(struct http_req *req)
{
	const struct caller *c = identity_caller(req);
	struct user_form w = {.caller = c, .id = http_param_id(req, "id")};
	const struct field_spec specs[] = {
		{.name = "display_name", .type = FIELD_STRING, .dest = &w.display_name, .optional = true, .min = 1, .max = 64, .present = &w.has_name},
		{.name = "phone", .type = FIELD_STRING, .dest = &w.phone, .optional = true, .max = 20, .present = &w.has_phone},
		{.name = "role", .type = FIELD_STRING, .dest = &w.role, .optional = true, .max = 32, .present = &w.has_role},
		{.name = "area_code", .type = FIELD_STRING, .dest = &w.area_code, .optional = true, .min = 1, .max = AREA_CODE_MAX, .present = &w.has_area},
		{.name = "unit_id", .type = FIELD_INT, .dest = &w.unit_id, .optional = true, .min = 0, .max = INT64_MAX, .present = &w.has_unit},
		{.name = "active", .type = FIELD_BOOL, .dest = &w.active, .optional = true, .present = &w.has_active},
		{.name = "password", .type = FIELD_STRING, .dest = &w.password, .optional = true, .min = 1, .max = PASSWORD_MAX_BYTES, .present = &w.has_password},
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	if (!w.id) {
		http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
		return;
	}
	if (w.id == c->user_id && (w.has_role || w.has_area || w.has_active)) {
		http_reply_error(req, HTTP_ERR_forbidden, NULL, "You may not change your own role, area or state");
		return;
	}
	if (w.has_phone && *w.phone && !valid_phone(w.phone)) {
		http_reply_error(req, HTTP_ERR_invalid_value, "phone", "Not a phone number");
		return;
	}
	if (w.has_role && !check_role(req, c, w.role))
		return;
	if (w.has_password) {
		char login[80];
		int rc = user_login_of(c, w.id, login, sizeof login);
		if (rc == STORE_DONE) {
			http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
			return;
		}
		if (rc != STORE_OK) {
			reply_store_failure(req, rc);
			return;
		}
		if (!hash_password(req, &w, login))
			return;
	}
	identity_actor(req, &w.actor);
	int rc = store_tx(identity_store, STORE_WRITE, user_update_tx, &w);
	if (rc == STORE_OK)
		identity_directory_changed(); /* role, area, unit, activity, sessions */
	sodium_memzero(w.hash, sizeof w.hash);
	reply_write(req, &w, rc, 200);
}

_Static_assert(sizeof(((struct user_form *)0)->hash) >= PASSWORD_HASH_BYTES, "user_form.hash holds an argon2id string");

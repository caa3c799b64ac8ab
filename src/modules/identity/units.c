/* Departments and stationed units: /api/v1/units. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "modules/common/reply.h"
#include "modules/identity/identity_internal.h"

#define UNIT_COLUMNS                                                                                      \
	"n.id, n.name, n.type, a.code, a.name, a.level,"                                                   \
	" (SELECT COUNT(*) FROM users u WHERE u.unit_id = n.id), n.contact_name, n.contact_phone"

static const char sql_unit_list[] =
	"SELECT " UNIT_COLUMNS " FROM units n JOIN areas a ON a.id = n.area_id WHERE " STORE_IN_SCOPE("a")
	" AND n.id > ? AND (CAST(? AS TEXT) IS NULL OR n.type = ?) ORDER BY n.id LIMIT ?";
static const char sql_unit_get[] =
	"SELECT " UNIT_COLUMNS " FROM units n JOIN areas a ON a.id = n.area_id WHERE n.id = ? AND " STORE_IN_SCOPE("a");
static const char sql_unit_insert[] =
	"INSERT INTO units (name, type, area_id, created_at, updated_at, contact_name, contact_phone)"
	" VALUES (?, ?, ?, ?, ?, COALESCE(CAST(? AS TEXT), ''), COALESCE(CAST(? AS TEXT), '')) RETURNING id";
static const char sql_unit_update[] =
	"UPDATE units SET name = COALESCE(CAST(? AS TEXT), name), type = COALESCE(CAST(? AS TEXT), type),"
	" area_id = COALESCE(CAST(? AS BIGINT), area_id), updated_at = ?,"
	" contact_name = COALESCE(CAST(? AS TEXT), contact_name), contact_phone = COALESCE(CAST(? AS TEXT), contact_phone)"
	" WHERE id = ?";
static const char sql_unit_name_taken[] =
	"SELECT n.id FROM units n JOIN areas a ON a.id = n.area_id WHERE n.name = ? AND " STORE_IN_SCOPE("a");

static bool valid_type(const char *t)
{
	return strcmp(t, "department") == 0 || strcmp(t, "unit") == 0;
}

static json_t *unit_json(struct store_stmt *st)
{
	/* A contact's phone may be a private mobile: masked like any other. */
	char phone[40];
	mask_phone(store_col_text(st, 8), phone, sizeof phone);
	return json_pack("{s:I, s:s, s:s, s:{s:s, s:s, s:s}, s:I, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0),
			 "name", store_col_text(st, 1), "type", store_col_text(st, 2), "area", "code", store_col_text(st, 3),
			 "name", store_col_text(st, 4), "level", area_level_name((int)store_col_int(st, 5)),
			 "user_count", (json_int_t)store_col_int(st, 6), "contact_name", store_col_text(st, 7),
			 "contact_phone", phone);
}


struct unit_op {
	struct store_scope scope;
	struct actor actor;
	int64_t id;
	const char *name, *type, *area_code, *contact_name, *contact_phone;
	bool has_name, has_type, has_area;
	struct http_page page;
	json_t *result;
	int64_t last_id;
	enum http_error error;
	const char *error_field, *error_message;
};

static int unit_fail(struct unit_op *o, enum http_error e, const char *field, const char *message)
{
	o->error = e;
	o->error_field = field;
	o->error_message = message;
	return STORE_ABORT;
}

static int unit_list_tx(struct store_conn *c, void *arg)
{
	struct unit_op *o = arg;
	struct store_scope scope = o->scope;
	if (o->area_code) {
		struct area_ref a;
		int rc = area_find(c, &o->scope, o->area_code, &a);
		if (rc == STORE_DONE)
			return unit_fail(o, HTTP_ERR_not_found, "area", "No such area");
		if (rc != STORE_OK)
			return rc;
		scope.area_id = a.id;
		snprintf(scope.path, sizeof scope.path, "%s", a.path);
	}
	struct store_stmt *st = store_prepare(c, sql_unit_list);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, &scope);
	store_bind_int(st, 3, o->page.after);
	store_bind_text(st, 4, o->type);
	store_bind_text(st, 5, o->type);
	store_bind_int(st, 6, o->page.limit);
	int rc;
	json_array_clear(o->result);
	while ((rc = store_step(st)) == STORE_ROW) {
		json_array_append_new(o->result, unit_json(st));
		o->last_id = store_col_int(st, 0);
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static void reply_op(struct http_req *req, struct unit_op *o, int rc, unsigned status)
{
	if (rc == STORE_OK) {
		http_reply_json(req, status, o->result);
		return;
	}
	json_decref(o->result);
	if (rc == STORE_ABORT)
		http_reply_error(req, o->error, o->error_field, o->error_message ? "%s" : NULL, o->error_message);
	else
		reply_store_failure(req, rc);
}

void units_list(struct http_req *req)
{
	const struct caller *c = identity_caller(req);
	struct unit_op o = {.scope = c->scope, .area_code = http_query(req, "area"), .type = http_query(req, "type")};
	if (!http_page_params(req, &o.page))
		return;
	if (o.type && !valid_type(o.type)) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "type", "type is department or unit");
		return;
	}
	o.result = json_array();
	int rc = store_tx(identity_store, STORE_READ, unit_list_tx, &o);
	if (rc == STORE_OK) {
		json_t *out = json_pack("{s:o}", "items", o.result);
		http_page_finish(out, &o.page, json_array_size(o.result), o.last_id);
		o.result = out;
	}
	reply_op(req, &o, rc, 200);
}

static int unit_load(struct store_conn *c, struct unit_op *o)
{
	struct store_stmt *st = store_prepare(c, sql_unit_get);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, o->id);
	store_bind_scope(st, 2, &o->scope);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		json_decref(o->result);
		o->result = unit_json(st);
	}
	store_reset(st);
	if (rc == STORE_DONE)
		return unit_fail(o, HTTP_ERR_not_found, NULL, NULL);
	return rc == STORE_ROW ? STORE_OK : rc;
}

static int unit_read_tx(struct store_conn *c, void *arg)
{
	return unit_load(c, arg);
}

void units_read(struct http_req *req)
{
	const struct caller *c = identity_caller(req);
	struct unit_op o = {.scope = c->scope, .id = http_param_id(req, "id")};
	int rc = o.id ? store_tx(identity_store, STORE_READ, unit_read_tx, &o)
		      : unit_fail(&o, HTTP_ERR_not_found, NULL, NULL);
	reply_op(req, &o, rc, 200);
}

static int name_free(struct store_conn *c, struct unit_op *o)
{
	struct store_stmt *st = store_prepare(c, sql_unit_name_taken);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, o->name);
	store_bind_scope(st, 2, &o->scope);
	int rc = store_step(st);
	int64_t other = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	if (rc == STORE_ROW && other != o->id)
		return unit_fail(o, HTTP_ERR_conflict, "name", "A unit of this name exists in your area");
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

static int unit_write_tx(struct store_conn *c, void *arg)
{
	struct unit_op *o = arg;
	int rc;
	bool create = o->id == 0;
	if (!create && (rc = unit_load(c, o)) != STORE_OK)
		return rc;
	struct area_ref area = {0};
	if (o->has_area) {
		rc = area_find(c, &o->scope, o->area_code, &area);
		if (rc == STORE_DONE)
			return unit_fail(o, HTTP_ERR_invalid_value, "area_code", "No such area in your scope");
		if (rc != STORE_OK)
			return rc;
	}
	if (o->has_name && (rc = name_free(c, o)) != STORE_OK)
		return rc;
	int64_t now = time_now();
	struct store_stmt *st = store_prepare(c, create ? sql_unit_insert : sql_unit_update);
	if (!st)
		return STORE_ERROR;
	if (create) {
		store_bind_text(st, 1, o->name);
		store_bind_text(st, 2, o->type);
		store_bind_int(st, 3, area.id);
		store_bind_int(st, 4, now);
		store_bind_int(st, 5, now);
		store_bind_text(st, 6, o->contact_name);
		store_bind_text(st, 7, o->contact_phone);
	} else {
		store_bind_text(st, 1, o->has_name ? o->name : NULL);
		store_bind_text(st, 2, o->has_type ? o->type : NULL);
		if (o->has_area)
			store_bind_int(st, 3, area.id);
		else
			store_bind_null(st, 3);
		store_bind_int(st, 4, now);
		store_bind_text(st, 5, o->contact_name);
		store_bind_text(st, 6, o->contact_phone);
		store_bind_int(st, 7, o->id);
	}
	rc = store_step(st);
	if (create && rc == STORE_ROW)
		o->id = store_col_int(st, 0);
	store_reset(st);
	if (rc != (create ? STORE_ROW : STORE_DONE))
		return rc;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)o->id);
	json_t *summary = json_object();
	if (o->has_name)
		json_object_set_new(summary, "name", json_string(o->name));
	if (o->has_type)
		json_object_set_new(summary, "type", json_string(o->type));
	if (o->has_area)
		json_object_set_new(summary, "area", json_string(area.code));
	rc = audit_append(c, &o->actor, create ? "unit.create" : "unit.update", "unit", id, area.id, summary);
	json_decref(summary);
	return rc == STORE_OK ? unit_load(c, o) : rc;
}

static void units_write(struct http_req *req, bool create)
{
	const struct caller *c = identity_caller(req);
	struct unit_op o = {.scope = c->scope, .id = create ? 0 : http_param_id(req, "id")};
	const struct field_spec specs[] = {
		{.name = "name", .type = FIELD_STRING, .dest = &o.name, .optional = !create, .min = 1, .max = 100, .present = &o.has_name},
		{.name = "type", .type = FIELD_STRING, .dest = &o.type, .optional = !create, .min = 1, .max = 20, .present = &o.has_type},
		{.name = "area_code", .type = FIELD_STRING, .dest = &o.area_code, .optional = !create, .min = 1, .max = AREA_CODE_MAX, .present = &o.has_area},
		FIELD_STR_OPT("contact_name", &o.contact_name, 50),
		FIELD_STR_OPT("contact_phone", &o.contact_phone, 30),
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	if (o.has_type && !valid_type(o.type)) {
		http_reply_error(req, HTTP_ERR_invalid_value, "type", "type is department or unit");
		return;
	}
	if (!create && !o.id) {
		http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
		return;
	}
	identity_actor(req, &o.actor);
	int rc = store_tx(identity_store, STORE_WRITE, unit_write_tx, &o);
	if (rc == STORE_OK && !create)
		identity_directory_changed(); /* cached cases name the unit */
	reply_op(req, &o, rc, create ? 201 : 200);
}

void units_create(struct http_req *req)
{
	units_write(req, true);
}

void units_update(struct http_req *req)
{
	units_write(req, false);
}

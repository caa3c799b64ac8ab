/* Households: /api/v1/households, with their members. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "modules/common/reply.h"
#include "modules/register/register_internal.h"

#define HOUSEHOLD_COLUMNS                                                                                  \
	"h.id, h.address, h.notes, h.version, a.code, a.name, a.level,"                                     \
	" (SELECT COUNT(*) FROM persons m WHERE m.household_id = h.id),"                                    \
	" COALESCE((SELECT m.name FROM persons m WHERE m.household_id = h.id AND m.relation = 'head' ORDER BY m.id LIMIT 1), '')"

static const char sql_household_list[] =
	"SELECT " HOUSEHOLD_COLUMNS " FROM households h JOIN areas a ON a.id = h.area_id WHERE " STORE_IN_SCOPE("a")
	" AND h.id > ? AND (CAST(? AS TEXT) IS NULL OR h.address LIKE ?)"
	" AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM household_tags t WHERE t.household_id = h.id AND t.tag = ?))"
	" ORDER BY h.id LIMIT ?";
static const char sql_household_get[] =
	"SELECT " HOUSEHOLD_COLUMNS " FROM households h JOIN areas a ON a.id = h.area_id WHERE h.id = ? AND "
	STORE_IN_SCOPE("a");
static const char sql_household_tags[] = "SELECT tag FROM household_tags WHERE household_id = ? ORDER BY tag";
static const char sql_household_members[] =
	"SELECT p.id, p.name, p.sex, p.birth_date, p.id_type, p.id_masked, p.phone_masked, p.relation, p.status,"
	" p.notes, p.version, p.created_at, p.updated_at, COALESCE(p.household_id, 0), COALESCE(h.address, ''),"
	" a.code, a.name, a.level, p.key_version FROM persons p JOIN areas a ON a.id = p.area_id"
	" LEFT JOIN households h ON h.id = p.household_id WHERE p.household_id = ? ORDER BY p.id";
static const char sql_household_insert[] =
	"INSERT INTO households (area_id, address, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id";
static const char sql_household_update[] =
	"UPDATE households SET area_id = COALESCE(CAST(? AS BIGINT), area_id), address = COALESCE(CAST(? AS TEXT), address),"
	" notes = COALESCE(CAST(? AS TEXT), notes), version = version + 1, updated_at = ? WHERE id = ? AND version = ?";
static const char sql_household_members_area[] = "UPDATE persons SET area_id = ? WHERE household_id = ?";
static const char sql_household_tags_clear[] = "DELETE FROM household_tags WHERE household_id = ?";
static const char sql_household_tag_add[] =
	"INSERT INTO household_tags (household_id, tag) SELECT ?, code FROM tags WHERE code = ? AND applies_to = 'household'";

static json_t *household_json(struct store_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:{s:s, s:s, s:s}, s:I, s:s, s:[]}", "id", (json_int_t)store_col_int(st, 0),
			 "address", store_col_text(st, 1), "notes", store_col_text(st, 2), "version",
			 (json_int_t)store_col_int(st, 3), "area", "code", store_col_text(st, 4), "name",
			 store_col_text(st, 5), "level", area_level_name((int)store_col_int(st, 6)), "member_count",
			 (json_int_t)store_col_int(st, 7), "head_name", store_col_text(st, 8), "tags");
}

static int household_tags_into(struct store_conn *c, int64_t id, json_t *household)
{
	struct store_stmt *st = store_prepare(c, sql_household_tags);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc;
	json_t *tags = json_object_get(household, "tags");
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(tags, json_string(store_col_text(st, 0)));
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

struct household_op {
	const struct caller *caller;
	struct actor actor;
	int64_t id, version;
	int64_t id_in, version_in; /* as requested: each attempt starts from them */
	const char *area, *address_q, *tag;
	char *like;
	const char *address, *notes, *area_code;
	json_t *tags;
	struct http_page page;
	json_t *result;
	int64_t last_id;
	enum http_error error;
	const char *error_field, *error_message;
};

static int op_fail(struct household_op *o, enum http_error e, const char *field, const char *message)
{
	o->error = e;
	o->error_field = field;
	o->error_message = message;
	return STORE_ABORT;
}

static void op_reply(struct http_req *req, struct household_op *o, int rc, unsigned status)
{
	free(o->like);
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

static int household_list_tx(struct store_conn *c, void *arg)
{
	struct household_op *o = arg;
	o->last_id = 0;
	struct store_scope scope;
	int rc = register_narrow_scope(c, o->caller, o->area, &scope);
	if (rc == STORE_DONE)
		return op_fail(o, HTTP_ERR_not_found, "area", "No such area");
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_household_list);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, &scope);
	store_bind_int(st, 3, o->page.after);
	store_bind_text(st, 4, o->like);
	store_bind_text(st, 5, o->like);
	store_bind_text(st, 6, o->tag);
	store_bind_text(st, 7, o->tag);
	store_bind_int(st, 8, o->page.limit);
	json_t *items = json_array();
	while ((rc = store_step(st)) == STORE_ROW) {
		json_array_append_new(items, household_json(st));
		o->last_id = store_col_int(st, 0);
	}
	store_reset(st);
	size_t i;
	json_t *h;
	json_array_foreach(items, i, h) {
		if (rc != STORE_DONE)
			break;
		rc = household_tags_into(c, json_integer_value(json_object_get(h, "id")), h) == STORE_OK ? STORE_DONE : STORE_ERROR;
	}
	json_decref(o->result);
	o->result = json_pack("{s:o}", "items", items);
	return rc == STORE_DONE ? STORE_OK : rc;
}

void households_list(struct http_req *req)
{
	struct household_op o = {.caller = identity_caller(req), .area = http_query(req, "area"),
				 .address_q = http_query(req, "address"), .tag = http_query(req, "tag")};
	if (!http_page_params(req, &o.page))
		return;
	if (o.address_q)
		o.like = register_like_pattern(o.address_q);
	int rc = store_tx(register_store, STORE_READ, household_list_tx, &o);
	if (rc == STORE_OK)
		http_page_finish(o.result, &o.page, json_array_size(json_object_get(o.result, "items")), o.last_id);
	op_reply(req, &o, rc, 200);
}

static int household_load(struct store_conn *c, struct household_op *o, bool members)
{
	struct store_stmt *st = store_prepare(c, sql_household_get);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, o->id);
	store_bind_scope(st, 2, &o->caller->scope);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		json_decref(o->result);
		o->result = household_json(st);
		o->version = store_col_int(st, 3);
	}
	store_reset(st);
	if (rc == STORE_DONE)
		return op_fail(o, HTTP_ERR_not_found, NULL, NULL);
	if (rc != STORE_ROW || (rc = household_tags_into(c, o->id, o->result)) != STORE_OK || !members)
		return rc == STORE_ROW ? STORE_OK : rc;
	json_t *list = json_array();
	json_object_set_new(o->result, "members", list);
	st = store_prepare(c, sql_household_members);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, o->id);
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(list, person_json(st));
	store_reset(st);
	return rc == STORE_DONE ? person_attach_tags(c, list) : rc;
}

static int household_read_tx(struct store_conn *c, void *arg)
{
	return household_load(c, arg, true);
}

void households_read(struct http_req *req)
{
	struct household_op o = {.caller = identity_caller(req), .id = http_param_id(req, "id")};
	int rc = o.id ? store_tx(register_store, STORE_READ, household_read_tx, &o) : op_fail(&o, HTTP_ERR_not_found, NULL, NULL);
	op_reply(req, &o, rc, 200);
}

static int household_tags_save(struct store_conn *c, struct household_op *o)
{
	if (!o->tags)
		return STORE_OK;
	struct store_stmt *st = store_prepare(c, sql_household_tags_clear);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, o->id);
	int rc = store_step(st);
	store_reset(st);
	size_t i;
	json_t *tag;
	json_array_foreach(o->tags, i, tag) {
		if (rc != STORE_DONE)
			break;
		if (!json_is_string(tag))
			return op_fail(o, HTTP_ERR_invalid_value, "tags", "tags is an array of tag codes");
		st = store_prepare(c, sql_household_tag_add);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, o->id);
		store_bind_text(st, 2, json_string_value(tag));
		rc = store_step(st);
		int64_t added = store_changes(st);
		store_reset(st);
		if (rc == STORE_CONSTRAINT)
			return op_fail(o, HTTP_ERR_invalid_value, "tags", "A tag is listed twice");
		if (rc == STORE_DONE && added != 1)
			return op_fail(o, HTTP_ERR_invalid_value, "tags", "Unknown household tag");
	}
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int household_write_tx(struct store_conn *c, void *arg)
{
	struct household_op *o = arg;
	o->id = o->id_in;
	o->version = o->version_in;
	bool create = o->id == 0;
	int64_t expected = o->version;
	int rc;
	struct area_ref area = {0};
	if (o->area_code) {
		rc = area_find(c, &o->caller->scope, o->area_code, &area);
		if (rc == STORE_DONE)
			return op_fail(o, HTTP_ERR_invalid_value, "area_code", "No such area in your scope");
		if (rc != STORE_OK)
			return rc;
	}
	if (!create) {
		if ((rc = household_load(c, o, false)) != STORE_OK)
			return rc;
		if (o->version != expected)
			return op_fail(o, HTTP_ERR_conflict, "version", "The household was changed by someone else: reload");
	}
	int64_t now = time_now();
	struct store_stmt *st = store_prepare(c, create ? sql_household_insert : sql_household_update);
	if (!st)
		return STORE_ERROR;
	if (create) {
		store_bind_int(st, 1, area.id);
		store_bind_text(st, 2, o->address);
		store_bind_text(st, 3, o->notes ? o->notes : "");
		store_bind_int(st, 4, now);
		store_bind_int(st, 5, now);
	} else {
		if (o->area_code)
			store_bind_int(st, 1, area.id);
		else
			store_bind_null(st, 1);
		store_bind_text(st, 2, o->address);
		store_bind_text(st, 3, o->notes);
		store_bind_int(st, 4, now);
		store_bind_int(st, 5, o->id);
		store_bind_int(st, 6, expected);
	}
	rc = store_step(st);
	if (create && rc == STORE_ROW)
		o->id = store_col_int(st, 0);
	int64_t changed = store_changes(st);
	store_reset(st);
	if (rc != (create ? STORE_ROW : STORE_DONE))
		return rc;
	if (!create && changed != 1)
		return op_fail(o, HTTP_ERR_conflict, "version", "The household was changed by someone else: reload");
	/* Members live where their household lives: scope follows. */
	if (!create && o->area_code) {
		st = store_prepare(c, sql_household_members_area);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, area.id);
		store_bind_int(st, 2, o->id);
		rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	if ((rc = household_tags_save(c, o)) != STORE_OK)
		return rc;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)o->id);
	json_t *summary = json_object();
	if (o->address)
		json_object_set_new(summary, "address", json_string(o->address));
	if (o->area_code)
		json_object_set_new(summary, "area", json_string(o->area_code));
	if (o->tags)
		json_object_set(summary, "tags", o->tags);
	rc = audit_append(c, &o->actor, create ? "household.create" : "household.update", "household", id, area.id, summary);
	json_decref(summary);
	return rc == STORE_OK ? household_load(c, o, true) : rc;
}

static void household_write(struct http_req *req, bool create)
{
	struct household_op o = {.caller = identity_caller(req), .id = create ? 0 : http_param_id(req, "id")};
	const struct field_spec specs[] = {
		{.name = "area_code", .type = FIELD_STRING, .dest = &o.area_code, .optional = !create, .min = 1, .max = AREA_CODE_MAX},
		{.name = "address", .type = FIELD_STRING, .dest = &o.address, .optional = !create, .min = 1, .max = 200},
		{.name = "notes", .type = FIELD_STRING, .dest = &o.notes, .optional = true, .max = 1000},
		{.name = "tags", .type = FIELD_ARRAY, .dest = &o.tags, .optional = true},
		{.name = "version", .type = FIELD_INT, .dest = &o.version, .optional = create, .min = 1, .max = INT64_MAX},
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	identity_actor(req, &o.actor);
	o.id_in = o.id;
	o.version_in = o.version;
	int rc = create || o.id ? store_tx(register_store, STORE_WRITE, household_write_tx, &o)
				: op_fail(&o, HTTP_ERR_not_found, NULL, NULL);
	op_reply(req, &o, rc, create ? 201 : 200);
}

void households_create(struct http_req *req)
{
	household_write(req, true);
}

void households_update(struct http_req *req)
{
	household_write(req, false);
}

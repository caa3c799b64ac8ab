/* Unit rosters: the staff of a stationed unit, as persons of the register.
 * /api/v1/units/{id}/members. */
#include <stdio.h>
#include <string.h>

#include "modules/common/reply.h"
#include "modules/register/register_internal.h"

static const char sql_unit_in_scope[] =
	"SELECT n.name, n.area_id FROM units n JOIN areas a ON a.id = n.area_id WHERE n.id = ? AND " STORE_IN_SCOPE("a");
static const char sql_person_in_scope[] =
	"SELECT 1 FROM persons p JOIN areas a ON a.id = p.area_id WHERE p.id = ? AND " STORE_IN_SCOPE("a");
/* Members are listed only where the caller may see the person too. */
static const char sql_members[] =
	"SELECT p.id, p.name, p.sex, p.birth_date, p.id_type, p.id_masked, p.phone_masked, p.relation, p.status,"
	" p.notes, p.version, p.created_at, p.updated_at, COALESCE(p.household_id, 0), COALESCE(h.address, ''),"
	" a.code, a.name, a.level, p.key_version, m.position FROM unit_members m JOIN persons p ON p.id = m.person_id"
	" JOIN areas a ON a.id = p.area_id LEFT JOIN households h ON h.id = p.household_id"
	" WHERE m.unit_id = ? AND " STORE_IN_SCOPE("a") " ORDER BY p.id";
static const char sql_member_add[] =
	"INSERT INTO unit_members (unit_id, person_id, position) VALUES (?, ?, ?)"
	" ON CONFLICT (unit_id, person_id) DO UPDATE SET position = excluded.position";
static const char sql_member_remove[] = "DELETE FROM unit_members WHERE unit_id = ? AND person_id = ?";

struct roster {
	const struct caller *caller;
	struct actor actor;
	int64_t unit_id, person_id;
	const char *position;
	int action; /* 0 list, 1 add, 2 remove */
	json_t *out;
	bool missing_unit, missing_person;
	int64_t area_id;
};

static int unit_check(struct store_conn *c, struct roster *r, char *name, size_t size)
{
	struct store_stmt *st = store_prepare(c, sql_unit_in_scope);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->unit_id);
	store_bind_scope(st, 2, &r->caller->scope);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		snprintf(name, size, "%s", store_col_text(st, 0));
		r->area_id = store_col_int(st, 1);
	}
	store_reset(st);
	if (rc == STORE_DONE) {
		r->missing_unit = true;
		return STORE_ABORT;
	}
	return rc == STORE_ROW ? STORE_OK : rc;
}

static int roster_tx(struct store_conn *c, void *arg)
{
	struct roster *r = arg;
	char name[400];
	int rc = unit_check(c, r, name, sizeof name);
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st;
	if (r->action) {
		st = store_prepare(c, sql_person_in_scope);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, r->person_id);
		store_bind_scope(st, 2, &r->caller->scope);
		rc = store_step(st);
		store_reset(st);
		if (rc == STORE_DONE) {
			r->missing_person = true;
			return STORE_ABORT;
		}
		if (rc != STORE_ROW)
			return rc;
		st = store_prepare(c, r->action == 1 ? sql_member_add : sql_member_remove);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, r->unit_id);
		store_bind_int(st, 2, r->person_id);
		if (r->action == 1)
			store_bind_text(st, 3, r->position ? r->position : "");
		rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
		char id[48];
		snprintf(id, sizeof id, "%lld", (long long)r->unit_id);
		json_t *summary = json_pack("{s:I, s:s?}", "person_id", (json_int_t)r->person_id, "position", r->position);
		rc = audit_append(c, &r->actor, r->action == 1 ? "unit.member_add" : "unit.member_remove", "unit", id,
				  r->area_id, summary);
		json_decref(summary);
		if (rc != STORE_OK || r->action == 2)
			return rc;
	}
	json_t *items = json_array();
	int64_t party = 0;
	json_decref(r->out);
	r->out = json_pack("{s:{s:I, s:s}, s:o}", "unit", "id", (json_int_t)r->unit_id, "name", name, "items", items);
	st = store_prepare(c, sql_members);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->unit_id);
	store_bind_scope(st, 2, &r->caller->scope);
	while ((rc = store_step(st)) == STORE_ROW) {
		json_t *p = person_json(st);
		json_object_set_new(p, "position", json_string(store_col_text(st, 19)));
		json_array_append_new(items, p);
	}
	store_reset(st);
	if (rc != STORE_DONE || (rc = person_attach_tags(c, items)) != STORE_OK)
		return rc == STORE_DONE ? STORE_OK : rc;
	size_t i;
	json_t *p;
	json_array_foreach(items, i, p) {
		size_t k;
		json_t *tag;
		json_array_foreach(json_object_get(p, "tags"), k, tag) party += strcmp(json_string_value(tag), "party_member") == 0;
	}
	json_object_set_new(r->out, "party_member_count", json_integer(party));
	json_object_set_new(r->out, "member_count", json_integer((json_int_t)json_array_size(items)));
	return STORE_OK;
}

static void roster_run(struct http_req *req, struct roster *r, unsigned status)
{
	r->caller = identity_caller(req);
	r->unit_id = http_param_id(req, "id");
	identity_actor(req, &r->actor);
	int rc = r->unit_id ? store_tx(register_store, r->action ? STORE_WRITE : STORE_READ, roster_tx, r) : STORE_ABORT;
	if (rc == STORE_OK) {
		if (r->action == 2) {
			json_decref(r->out);
			http_reply_json(req, 204, NULL);
		} else {
			http_reply_json(req, status, r->out);
		}
		return;
	}
	json_decref(r->out);
	if (rc == STORE_ABORT && r->missing_person)
		http_reply_error(req, r->action == 2 ? HTTP_ERR_not_found : HTTP_ERR_invalid_value, "person_id",
				 "No such person in your area");
	else if (rc == STORE_ABORT)
		http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
	else
		reply_store_failure(req, rc);
}

void roster_list(struct http_req *req)
{
	struct roster r = {.action = 0};
	roster_run(req, &r, 200);
}

void roster_add(struct http_req *req)
{
	struct roster r = {.action = 1};
	const struct field_spec specs[] = {
		FIELD_INT_RANGE("person_id", &r.person_id, 1, INT64_MAX),
		FIELD_STR_OPT("position", &r.position, 50),
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	roster_run(req, &r, 201);
}

void roster_remove(struct http_req *req)
{
	struct roster r = {.action = 2, .person_id = http_param_id(req, "person_id")};
	roster_run(req, &r, 204);
}

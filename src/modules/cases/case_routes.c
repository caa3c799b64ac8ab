/* Routing rules: category × area subtree → the lead department and its
 * co-handlers, and whether intake dispatches without a person. Rules are
 * data of an area: a caller sees and changes only the rules of areas in
 * their scope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "modules/cases/case_config.h"
#include "modules/cases/cases_internal.h"
#include "modules/common/reply.h"

/* ---- reading ---- */

#define ROUTE_SELECT                                                                                              \
	"SELECT r.id, r.category_code, a.code, a.name, a.level, r.lead_unit_id, u.name, r.auto, r.created_at,"    \
	" r.updated_at, r.area_id, a.path FROM case_routes r JOIN areas a ON a.id = r.area_id"                     \
	" JOIN units u ON u.id = r.lead_unit_id"
static const char sql_routes_page[] =
	ROUTE_SELECT " WHERE " STORE_IN_SCOPE("a") " AND (CAST(? AS TEXT) IS NULL OR r.category_code = ?)"
		     " AND r.id > ? ORDER BY r.id LIMIT ?";
static const char sql_route_one[] = ROUTE_SELECT " WHERE r.id = ? AND " STORE_IN_SCOPE("a");
static const char sql_route_co[] =
	"SELECT u.id, u.name FROM case_route_co_units c JOIN units u ON u.id = c.unit_id WHERE c.route_id = ?"
	" ORDER BY u.id";

/* A rule as read, for merging a change into. */
struct route_row {
	int64_t id, area_id, lead_unit_id;
	char category[CASE_CATEGORY_CODE_MAX + 1];
	char area_path[STORE_PATH_MAX];
	bool auto_dispatch;
	int64_t co[CASE_MAX_CO_DEPARTMENTS];
	size_t co_count;
};

static json_t *route_row_json(struct store_stmt *st, struct route_row *row)
{
	char created[32], updated[32];
	time_format(store_col_int(st, 8), created);
	time_format(store_col_int(st, 9), updated);
	if (row) {
		*row = (struct route_row){.id = store_col_int(st, 0), .area_id = store_col_int(st, 10),
					  .lead_unit_id = store_col_int(st, 5), .auto_dispatch = store_col_int(st, 7) != 0};
		snprintf(row->category, sizeof row->category, "%s", store_col_text(st, 1));
		snprintf(row->area_path, sizeof row->area_path, "%s", store_col_text(st, 11));
	}
	return json_pack("{s:I, s:s, s:{s:s, s:s, s:s}, s:{s:I, s:s}, s:[], s:b, s:s, s:s}", "id",
			 (json_int_t)store_col_int(st, 0), "category", store_col_text(st, 1), "area", "code",
			 store_col_text(st, 2), "name", store_col_text(st, 3), "level",
			 area_level_name((int)store_col_int(st, 4)), "lead_unit", "id", (json_int_t)store_col_int(st, 5),
			 "name", store_col_text(st, 6), "co_units", "auto", store_col_int(st, 7) != 0, "created_at",
			 created, "updated_at", updated);
}

/* Fills the co_units of a rule's JSON (and of row when given). */
static int route_co_read(struct store_conn *c, json_t *route, struct route_row *row)
{
	struct store_stmt *st = store_prepare(c, sql_route_co);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, json_integer_value(json_object_get(route, "id")));
	json_t *co = json_object_get(route, "co_units");
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		json_array_append_new(co, json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(st, 0), "name",
						    store_col_text(st, 1)));
		if (row && row->co_count < CASE_MAX_CO_DEPARTMENTS)
			row->co[row->co_count++] = store_col_int(st, 0);
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* One rule in scope: STORE_OK with *out (owned) and row filled,
 * STORE_DONE when there is none in scope, or a failure. */
static int route_read(struct store_conn *c, const struct store_scope *scope, int64_t id, json_t **out,
		      struct route_row *row)
{
	struct store_stmt *st = store_prepare(c, sql_route_one);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	store_bind_scope(st, 2, scope);
	int rc = store_step(st);
	json_t *j = rc == STORE_ROW ? route_row_json(st, row) : NULL;
	store_reset(st);
	if (rc != STORE_ROW)
		return rc;
	rc = route_co_read(c, j, row);
	if (rc != STORE_OK) {
		json_decref(j);
		return rc;
	}
	*out = j;
	return STORE_OK;
}

struct routes_page {
	const struct caller *caller;
	const char *area, *category;
	struct http_page page;
	json_t *items;
	int64_t last_id;
	bool no_area;
};

static int routes_list_tx(struct store_conn *c, void *arg)
{
	struct routes_page *p = arg;
	json_array_clear(p->items);
	p->last_id = 0;
	struct store_scope scope = p->caller->scope;
	if (p->area) {
		struct area_ref a;
		int rc = area_find(c, &p->caller->scope, p->area, &a);
		if (rc == STORE_DONE)
			p->no_area = true;
		if (rc != STORE_OK)
			return rc == STORE_DONE ? STORE_ABORT : rc;
		scope.area_id = a.id;
		snprintf(scope.path, sizeof scope.path, "%s", a.path);
	}
	struct store_stmt *st = store_prepare(c, sql_routes_page);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, &scope);
	store_bind_text(st, 3, p->category);
	store_bind_text(st, 4, p->category);
	store_bind_int(st, 5, p->page.after);
	store_bind_int(st, 6, p->page.limit);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		json_array_append_new(p->items, route_row_json(st, NULL));
		p->last_id = store_col_int(st, 0);
	}
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	for (size_t i = 0; i < json_array_size(p->items); i++)
		if ((rc = route_co_read(c, json_array_get(p->items, i), NULL)) != STORE_OK)
			return rc;
	return STORE_OK;
}

void routes_list(struct http_req *req)
{
	struct routes_page p = {.caller = identity_caller(req), .area = http_query(req, "area"),
				.category = http_query(req, "category")};
	if (!http_page_params(req, &p.page))
		return;
	p.items = json_array();
	int rc = store_tx(case_config_store, STORE_READ, routes_list_tx, &p);
	if (rc != STORE_OK) {
		json_decref(p.items);
		if (p.no_area)
			http_reply_error(req, HTTP_ERR_not_found, "area", "No such area");
		else
			reply_store_failure(req, rc);
		return;
	}
	json_t *list = json_pack("{s:o}", "items", p.items);
	http_page_finish(list, &p.page, json_array_size(p.items), p.last_id);
	http_reply_json(req, 200, list);
}

/* ---- writing ---- */

static const char sql_route_category[] = "SELECT 1 FROM case_categories WHERE code = ? AND active = 1";
/* A department may lead the rules of its own area and of areas under it
 * (a county's water company for every community of the county), so a unit
 * qualifies when it lies in the caller's scope or on the path above the
 * rule's area. */
static const char sql_route_unit[] =
	"SELECT 1 FROM units n JOIN areas a ON a.id = n.area_id WHERE n.id = ? AND (" STORE_IN_SCOPE("a")
	" OR a.path = substr(CAST(? AS TEXT), 1, length(a.path)))";
static const char sql_route_taken[] = "SELECT id FROM case_routes WHERE category_code = ? AND area_id = ? AND id <> ?";
static const char sql_route_insert[] =
	"INSERT INTO case_routes (category_code, area_id, lead_unit_id, auto, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_route_update[] =
	"UPDATE case_routes SET category_code = ?, area_id = ?, lead_unit_id = ?, auto = ?, updated_at = ? WHERE id = ?";
static const char sql_route_co_clear[] = "DELETE FROM case_route_co_units WHERE route_id = ?";
static const char sql_route_co_insert[] = "INSERT INTO case_route_co_units (route_id, unit_id) VALUES (?, ?)";
static const char sql_route_delete[] = "DELETE FROM case_routes WHERE id = ?";

struct route_form {
	const struct caller *caller;
	struct actor actor;
	int64_t id; /* 0 for a create */
	bool remove;
	const char *category, *area_code;
	int64_t lead_unit_id;
	json_t *co_ids;
	bool has_lead, has_co, has_auto, auto_dispatch;
	int64_t co[CASE_MAX_CO_DEPARTMENTS];
	size_t co_count;
	int64_t now;
	/* the outcome */
	bool refused;
	enum http_error error;
	const char *error_field, *message;
	json_t *out;
};

static int route_refuse(struct route_form *f, enum http_error code, const char *field, const char *message)
{
	f->refused = true;
	f->error = code;
	f->error_field = field;
	f->message = message;
	return STORE_ABORT;
}

/* Runs a one-row existence query; STORE_ROW, STORE_DONE or a failure. */
static int exists_step(struct store_stmt *st)
{
	int rc = store_step(st);
	store_reset(st);
	return rc;
}

static int unit_usable(struct store_conn *c, const struct route_form *f, int64_t unit, const char *area_path)
{
	struct store_stmt *st = store_prepare(c, sql_route_unit);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, unit);
	store_bind_scope(st, 2, &f->caller->scope);
	store_bind_text(st, 4, area_path);
	return exists_step(st);
}

/* Checks the merged rule r (what the form changes over the old one). */
static int route_check(struct store_conn *c, struct route_form *f, struct route_row *r)
{
	struct store_stmt *st;
	int rc;
	if (f->category) {
		if (!(st = store_prepare(c, sql_route_category)))
			return STORE_ERROR;
		store_bind_text(st, 1, f->category);
		if ((rc = exists_step(st)) != STORE_ROW)
			return rc == STORE_DONE ? route_refuse(f, HTTP_ERR_invalid_value, "category", "No such active category")
						: rc;
		snprintf(r->category, sizeof r->category, "%s", f->category);
	}
	if (f->area_code) {
		struct area_ref a;
		if ((rc = area_find(c, &f->caller->scope, f->area_code, &a)) != STORE_OK)
			return rc == STORE_DONE ? route_refuse(f, HTTP_ERR_invalid_value, "area_code", "No such area") : rc;
		r->area_id = a.id;
		snprintf(r->area_path, sizeof r->area_path, "%s", a.path);
	}
	if (f->has_lead)
		r->lead_unit_id = f->lead_unit_id;
	if (f->has_auto)
		r->auto_dispatch = f->auto_dispatch;
	if (f->has_co) {
		memcpy(r->co, f->co, sizeof r->co);
		r->co_count = f->co_count;
	}
	if ((rc = unit_usable(c, f, r->lead_unit_id, r->area_path)) != STORE_ROW)
		return rc == STORE_DONE ? route_refuse(f, HTTP_ERR_invalid_value, "lead_unit_id", "No such unit") : rc;
	for (size_t i = 0; i < r->co_count; i++) {
		if (r->co[i] == r->lead_unit_id)
			return route_refuse(f, HTTP_ERR_invalid_value, "co_unit_ids",
					    "The lead department cannot also be a co-handler");
		if ((rc = unit_usable(c, f, r->co[i], r->area_path)) != STORE_ROW)
			return rc == STORE_DONE ? route_refuse(f, HTTP_ERR_invalid_value, "co_unit_ids", "No such unit")
						: rc;
	}
	if (!(st = store_prepare(c, sql_route_taken)))
		return STORE_ERROR;
	store_bind_text(st, 1, r->category);
	store_bind_int(st, 2, r->area_id);
	store_bind_int(st, 3, f->id);
	if ((rc = exists_step(st)) != STORE_DONE)
		return rc == STORE_ROW ? route_refuse(f, HTTP_ERR_conflict, "category",
						      "This area already has a rule for this category")
				       : rc;
	return STORE_OK;
}

static int route_write_tx(struct store_conn *c, void *arg)
{
	struct route_form *f = arg;
	struct route_row r = {.auto_dispatch = true};
	json_t *old = NULL;
	int rc;
	if (f->id) {
		rc = route_read(c, &f->caller->scope, f->id, &old, &r);
		if (rc != STORE_OK)
			return rc == STORE_DONE ? route_refuse(f, HTTP_ERR_not_found, NULL, "No such routing rule") : rc;
	}
	struct store_stmt *st;
	if (f->remove) {
		if (!(st = store_prepare(c, sql_route_co_clear)))
			goto fail;
		store_bind_int(st, 1, f->id);
		if ((rc = exists_step(st)) != STORE_DONE)
			goto done;
		if (!(st = store_prepare(c, sql_route_delete)))
			goto fail;
		store_bind_int(st, 1, f->id);
		if ((rc = exists_step(st)) != STORE_DONE)
			goto done;
	} else {
		if ((rc = route_check(c, f, &r)) != STORE_OK)
			goto done;
		if (!(st = store_prepare(c, f->id ? sql_route_update : sql_route_insert)))
			goto fail;
		store_bind_text(st, 1, r.category);
		store_bind_int(st, 2, r.area_id);
		store_bind_int(st, 3, r.lead_unit_id);
		store_bind_int(st, 4, r.auto_dispatch);
		/* insert: created_at, updated_at; update: updated_at, id */
		store_bind_int(st, 5, f->now);
		store_bind_int(st, 6, f->id ? f->id : f->now);
		rc = store_step(st);
		if (rc == STORE_ROW && !f->id)
			r.id = store_col_int(st, 0);
		store_reset(st);
		if (rc == STORE_CONSTRAINT) {
			rc = route_refuse(f, HTTP_ERR_conflict, "category", "This area already has a rule for this category");
			goto done;
		}
		if (rc != (f->id ? STORE_DONE : STORE_ROW))
			goto done;
		if (f->id && f->has_co) {
			if (!(st = store_prepare(c, sql_route_co_clear)))
				goto fail;
			store_bind_int(st, 1, f->id);
			if ((rc = exists_step(st)) != STORE_DONE)
				goto done;
		}
		for (size_t i = 0; (!f->id || f->has_co) && i < r.co_count; i++) {
			if (!(st = store_prepare(c, sql_route_co_insert)))
				goto fail;
			store_bind_int(st, 1, r.id);
			store_bind_int(st, 2, r.co[i]);
			if ((rc = exists_step(st)) != STORE_DONE)
				goto done;
		}
	}
	json_t *summary = json_pack("{s:s, s:I, s:I, s:b, s:I}", "category", r.category, "area_id",
				    (json_int_t)r.area_id, "lead_unit_id", (json_int_t)r.lead_unit_id, "auto",
				    r.auto_dispatch, "co_units", (json_int_t)r.co_count);
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)r.id);
	rc = audit_append(c, &f->actor,
			  f->remove ? "case_route.delete" : f->id ? "case_route.update" : "case_route.create",
			  "case_route", id, r.area_id, summary);
	json_decref(summary);
	if (rc != STORE_OK || f->remove)
		goto done;
	json_decref(f->out);
	f->out = NULL;
	rc = route_read(c, &f->caller->scope, r.id, &f->out, NULL);
	if (rc == STORE_DONE)
		rc = STORE_ERROR; /* just written in scope: our bug */
	goto done;
fail:
	rc = STORE_ERROR;
done:
	json_decref(old);
	return rc;
}

/* Reads co_unit_ids into the form; false after answering. */
static bool co_units_parse(struct http_req *req, struct route_form *f)
{
	size_t n = json_array_size(f->co_ids);
	if (n > CASE_MAX_CO_DEPARTMENTS) {
		http_reply_error(req, HTTP_ERR_invalid_value, "co_unit_ids", "At most %d co-handling departments",
				 CASE_MAX_CO_DEPARTMENTS);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(f->co_ids, i);
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			http_reply_error(req, HTTP_ERR_invalid_value, "co_unit_ids", "co_unit_ids holds unit ids");
			return false;
		}
		for (size_t k = 0; k < i; k++)
			if (f->co[k] == json_integer_value(v)) {
				http_reply_error(req, HTTP_ERR_invalid_value, "co_unit_ids", "A unit appears twice");
				return false;
			}
		f->co[f->co_count++] = json_integer_value(v);
	}
	return true;
}

static void route_write(struct http_req *req, int64_t id, bool remove)
{
	struct route_form f = {.caller = identity_caller(req), .id = id, .remove = remove, .now = time_now()};
	bool create = !id && !remove;
	if (!create && id <= 0) {
		http_reply_error(req, HTTP_ERR_not_found, NULL, "No such routing rule");
		return;
	}
	const struct field_spec specs[] = {
		{.name = "category", .type = FIELD_STRING, .dest = &f.category, .optional = !create, .min = 1,
		 .max = CASE_CATEGORY_CODE_MAX},
		{.name = "area_code", .type = FIELD_STRING, .dest = &f.area_code, .optional = !create, .min = 1,
		 .max = AREA_CODE_MAX},
		{.name = "lead_unit_id", .type = FIELD_INT, .dest = &f.lead_unit_id, .optional = !create, .min = 1,
		 .max = INT64_MAX / 2, .present = &f.has_lead},
		{.name = "co_unit_ids", .type = FIELD_ARRAY, .dest = &f.co_ids, .optional = true, .present = &f.has_co},
		{.name = "auto", .type = FIELD_BOOL, .dest = &f.auto_dispatch, .optional = true, .present = &f.has_auto},
		FIELD_END,
	};
	if (!remove) {
		if (http_parse_body(req, specs) != HTTP_PARSE_OK || !co_units_parse(req, &f))
			return;
	}
	identity_actor(req, &f.actor);
	int rc = store_tx(case_config_store, STORE_WRITE, route_write_tx, &f);
	if (rc == STORE_OK && remove)
		http_reply_json(req, 204, NULL);
	else if (rc == STORE_OK)
		http_reply_json(req, create ? 201 : 200, f.out);
	else if (rc == STORE_ABORT && f.refused)
		http_reply_error(req, f.error, f.error_field, "%s", f.message);
	else {
		json_decref(f.out);
		reply_store_failure(req, rc);
	}
}

void routes_create(struct http_req *req)
{
	route_write(req, 0, false);
}

void routes_update(struct http_req *req)
{
	route_write(req, http_param_id(req, "id"), false);
}

void routes_delete(struct http_req *req)
{
	route_write(req, http_param_id(req, "id"), true);
}

/* ---- for the cases module: the rule of a case ---- */

/* The candidates: rules of the case's category or an ancestor of it (the
 * recursive walk gives each its distance) whose area's path is a prefix of
 * the case's area path, i.e. the area or one above it. The case_routes_key
 * index serves the category side; the prefix test is evaluated per rule of
 * those few categories. */
static const char sql_route_candidates[] =
	"WITH RECURSIVE chain (code, parent_code, depth) AS ("
	" SELECT code, parent_code, 0 FROM case_categories WHERE code = ?"
	" UNION ALL SELECT p.code, p.parent_code, chain.depth + 1 FROM case_categories p"
	" JOIN chain ON p.code = chain.parent_code WHERE chain.depth < 16)"
	" SELECT r.id, a.path, chain.depth FROM case_routes r JOIN chain ON chain.code = r.category_code"
	" JOIN areas a ON a.id = r.area_id WHERE a.path = substr(CAST(? AS TEXT), 1, length(a.path))"
	" ORDER BY r.id LIMIT 256";
static const char sql_route_choice[] = "SELECT lead_unit_id, auto FROM case_routes WHERE id = ?";
static const char sql_route_choice_co[] = "SELECT unit_id FROM case_route_co_units WHERE route_id = ? ORDER BY unit_id";

static int path_depth(const char *path)
{
	int n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n > 0 ? n - 1 : 0;
}

int case_route_find(struct store_conn *c, const char *category, const char *area_path, struct case_route_choice *out)
{
	/* The area tree has 7 levels and the category tree 8: at most 56
	 * candidates; the LIMIT is a guard, not a page. */
	struct case_route_candidate cands[256];
	size_t n = 0;
	struct store_stmt *st = store_prepare(c, sql_route_candidates);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, category);
	store_bind_text(st, 2, area_path);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW && n < sizeof cands / sizeof cands[0])
		cands[n++] = (struct case_route_candidate){.route_id = store_col_int(st, 0),
							   .area_depth = path_depth(store_col_text(st, 1)),
							   .category_depth = (int)store_col_int(st, 2)};
	store_reset(st);
	if (rc != STORE_DONE && rc != STORE_ROW)
		return rc;
	int best = case_route_pick(cands, n);
	if (best < 0)
		return STORE_DONE;
	*out = (struct case_route_choice){.route_id = cands[best].route_id};
	if (!(st = store_prepare(c, sql_route_choice)))
		return STORE_ERROR;
	store_bind_int(st, 1, out->route_id);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		out->lead_unit_id = store_col_int(st, 0);
		out->auto_dispatch = store_col_int(st, 1) != 0;
	}
	store_reset(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	if (!(st = store_prepare(c, sql_route_choice_co)))
		return STORE_ERROR;
	store_bind_int(st, 1, out->route_id);
	while ((rc = store_step(st)) == STORE_ROW)
		if (out->co_count < CASE_MAX_CO_DEPARTMENTS)
			out->co_units[out->co_count++] = store_col_int(st, 0);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

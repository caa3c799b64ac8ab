/* Case categories: the tree residents and staff file cases under, each with
 * its time limits and its extra questions (Open311 attributes).
 * Categories are never deleted, because cases refer to them: `active:
 * false` retires one (and, for the public, everything under it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xalloc.h"
#include "modules/cases/case_config.h"
#include "modules/cases/cases_internal.h"
#include "modules/common/reply.h"

/* Deep enough for 大类 → 小类 → 细类 and then some; bounded so the ancestor
 * walks of routing and validation are short and a cycle cannot hide. */
#define CATEGORY_DEPTH_MAX 8
#define CATEGORY_FIELDS_MAX 20
#define CATEGORY_VALUES_MAX 100
#define NAME_ZH_MAX 40
#define NAME_EN_MAX 80
#define DESCRIPTION_MAX 500

/* ---- pure checks ---- */

/* Lower-case letters, digits and '_', 2..32: codes appear in URLs, in
 * Open311 service codes and in rows of cases, so they are plain. */
static bool category_code_valid(const char *code, size_t min)
{
	size_t n = strlen(code);
	if (n < min || n > CASE_CATEGORY_CODE_MAX)
		return false;
	for (const char *p = code; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static bool field_type_is_list(const char *type)
{
	return !strcmp(type, "singlevaluelist") || !strcmp(type, "multivaluelist");
}

static bool field_type_valid(const char *type)
{
	static const char *const types[] = {"string", "text", "number", "datetime", "singlevaluelist", "multivaluelist"};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(type, types[i]))
			return true;
	return false;
}

/* Checks one list value {key, name}; appends its normal form to out. */
static int field_value_check(json_t *v, json_t *out, char *why, size_t size)
{
	const char *key = NULL, *name = NULL;
	const struct field_spec specs[] = {
		FIELD_STR("key", &key, 1, CASE_CATEGORY_CODE_MAX),
		FIELD_STR("name", &name, 1, NAME_EN_MAX),
		FIELD_END,
	};
	struct field_error fe;
	if (fields_parse(v, specs, &fe)) {
		snprintf(why, size, "%s", fe.message);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(out); i++)
		if (!strcmp(key, json_string_value(json_object_get(json_array_get(out, i), "key")))) {
			snprintf(why, size, "key '%s' appears twice", key);
			return -1;
		}
	json_array_append_new(out, json_pack("{s:s, s:s}", "key", key, "name", name));
	return 0;
}

/* Checks one extra question; appends its normal form to out. */
static int field_check(json_t *f, json_t *out, char *why, size_t size)
{
	const char *code = NULL, *name_zh = NULL, *name_en = NULL, *type = NULL;
	bool required = false;
	json_t *values = NULL;
	const struct field_spec specs[] = {
		FIELD_STR("code", &code, 1, CASE_CATEGORY_CODE_MAX),
		FIELD_STR("name_zh", &name_zh, 1, NAME_ZH_MAX),
		FIELD_STR("name_en", &name_en, 1, NAME_EN_MAX),
		FIELD_STR("type", &type, 1, 20),
		FIELD_BOOL_OPT("required", &required),
		{.name = "values", .type = FIELD_ARRAY, .dest = &values, .optional = true},
		FIELD_END,
	};
	struct field_error fe;
	if (fields_parse(f, specs, &fe)) {
		snprintf(why, size, "%s", fe.message);
		return -1;
	}
	if (!category_code_valid(code, 1)) {
		snprintf(why, size, "code '%.40s' is not lower-case letters, digits and _", code);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(out); i++)
		if (!strcmp(code, json_string_value(json_object_get(json_array_get(out, i), "code")))) {
			snprintf(why, size, "code '%s' appears twice", code);
			return -1;
		}
	if (!field_type_valid(type)) {
		snprintf(why, size, "type is string, text, number, datetime, singlevaluelist or multivaluelist");
		return -1;
	}
	json_t *norm = json_pack("{s:s, s:s, s:s, s:s, s:b}", "code", code, "name_zh", name_zh, "name_en", name_en,
				 "type", type, "required", required);
	if (field_type_is_list(type)) {
		size_t n = json_array_size(values);
		if (n == 0 || n > CATEGORY_VALUES_MAX) {
			snprintf(why, size, "a %s needs 1 to %d values", type, CATEGORY_VALUES_MAX);
			json_decref(norm);
			return -1;
		}
		json_t *vals = json_array();
		json_object_set_new(norm, "values", vals);
		for (size_t i = 0; i < n; i++) {
			char inner[200];
			if (field_value_check(json_array_get(values, i), vals, inner, sizeof inner)) {
				snprintf(why, size, "values[%zu]: %s", i, inner);
				json_decref(norm);
				return -1;
			}
		}
	} else if (json_array_size(values) > 0) {
		snprintf(why, size, "values are only for singlevaluelist and multivaluelist");
		json_decref(norm);
		return -1;
	}
	json_array_append_new(out, norm);
	return 0;
}

/* Checks a category's extra questions. Returns their normal form as JSON
 * text (caller frees), or NULL with why filled. */
static char *category_fields_check(json_t *fields, char *why, size_t size)
{
	if (json_array_size(fields) > CATEGORY_FIELDS_MAX) {
		snprintf(why, size, "at most %d fields", CATEGORY_FIELDS_MAX);
		return NULL;
	}
	json_t *out = json_array();
	for (size_t i = 0; i < json_array_size(fields); i++) {
		char inner[240];
		if (field_check(json_array_get(fields, i), out, inner, sizeof inner)) {
			snprintf(why, size, "fields[%zu]: %s", i, inner);
			json_decref(out);
			return NULL;
		}
	}
	char *text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return text;
}

/* ---- reading the tree ---- */

#define CATEGORY_COLUMNS                                                                                          \
	"code, parent_code, name_zh, name_en, description, sign_hours, resolve_limit, resolve_unit, urgent,"      \
	" urgent_sign_hours, urgent_resolve_hours, fields, active, sort, version, updated_at"
static const char sql_categories[] = "SELECT " CATEGORY_COLUMNS " FROM case_categories ORDER BY sort, code";

/* One row of the tree as read, for ordering and checks. */
struct category_node {
	char code[CASE_CATEGORY_CODE_MAX + 1];
	char parent[CASE_CATEGORY_CODE_MAX + 1]; /* "" for a root */
	bool active, emitted;
	json_t *json; /* owned: the full form */
};

struct category_tree {
	struct category_node *nodes;
	size_t count;
};

static void tree_free(struct category_tree *t)
{
	for (size_t i = 0; i < t->count; i++)
		json_decref(t->nodes[i].json);
	free(t->nodes);
	*t = (struct category_tree){0};
}

static json_t *category_row_json(struct store_stmt *st)
{
	json_t *fields = json_loads(store_col_text(st, 11), 0, NULL);
	if (!json_is_array(fields)) {
		json_decref(fields);
		fields = json_array();
	}
	char at[32];
	time_format(store_col_int(st, 15), at);
	json_t *limits = json_pack("{s:I, s:I, s:s, s:b, s:I, s:I}", "sign_hours", (json_int_t)store_col_int(st, 5),
				   "resolve_limit", (json_int_t)store_col_int(st, 6), "resolve_unit",
				   store_col_text(st, 7), "urgent", store_col_int(st, 8) != 0, "urgent_sign_hours",
				   (json_int_t)store_col_int(st, 9), "urgent_resolve_hours",
				   (json_int_t)store_col_int(st, 10));
	return json_pack("{s:s, s:s?, s:s, s:s, s:s, s:o, s:o, s:b, s:I, s:I, s:s}", "code", store_col_text(st, 0),
			 "parent_code", store_col_null(st, 1) ? NULL : store_col_text(st, 1), "name_zh",
			 store_col_text(st, 2), "name_en", store_col_text(st, 3), "description", store_col_text(st, 4),
			 "limits", limits, "fields", fields, "active", store_col_int(st, 12) != 0, "sort",
			 (json_int_t)store_col_int(st, 13), "version", (json_int_t)store_col_int(st, 14), "updated_at",
			 at);
}

/* Loads every category, in (sort, code) order. */
static int tree_load(struct store_conn *c, struct category_tree *t)
{
	tree_free(t);
	struct store_stmt *st = store_prepare(c, sql_categories);
	if (!st)
		return STORE_ERROR;
	int rc;
	size_t cap = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (t->count == cap)
			t->nodes = xrealloc(t->nodes, (cap = cap ? cap * 2 : 32) * sizeof *t->nodes);
		struct category_node *n = &t->nodes[t->count++];
		*n = (struct category_node){.active = store_col_int(st, 12) != 0, .json = category_row_json(st)};
		snprintf(n->code, sizeof n->code, "%s", store_col_text(st, 0));
		snprintf(n->parent, sizeof n->parent, "%s", store_col_text(st, 1));
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static struct category_node *tree_find(const struct category_tree *t, const char *code)
{
	for (size_t i = 0; code && i < t->count; i++)
		if (!strcmp(t->nodes[i].code, code))
			return &t->nodes[i];
	return NULL;
}

/* Levels from code up to its root (1 for a root); CATEGORY_DEPTH_MAX + 1
 * when the chain is longer, or broken by a cycle. */
static int tree_depth(const struct category_tree *t, const char *code)
{
	int depth = 0;
	for (const struct category_node *n = tree_find(t, code); n && depth <= CATEGORY_DEPTH_MAX;
	     n = tree_find(t, n->parent[0] ? n->parent : NULL))
		depth++;
	return depth;
}

/* Levels of the subtree under code, itself included (1 for a leaf). */
static int tree_height(const struct category_tree *t, const char *code)
{
	int height = 1;
	for (size_t i = 0; i < t->count; i++) {
		int d = 1;
		for (const struct category_node *n = &t->nodes[i]; n && d <= CATEGORY_DEPTH_MAX + 1;
		     n = tree_find(t, n->parent[0] ? n->parent : NULL), d++)
			if (!strcmp(n->code, code)) {
				if (d > height)
					height = d;
				break;
			}
	}
	return height;
}

/* Appends the subtree of parent ("" for the roots) in tree order: each
 * category followed by its children, siblings by (sort, code). public_only
 * skips retired categories with everything under them. */
static void tree_emit(struct category_tree *t, const char *parent, int depth, bool public_only, json_t *out)
{
	if (depth >= CATEGORY_DEPTH_MAX)
		return;
	for (size_t i = 0; i < t->count; i++) {
		struct category_node *n = &t->nodes[i];
		if (n->emitted || strcmp(n->parent, parent) != 0 || (public_only && !n->active))
			continue;
		n->emitted = true;
		if (public_only) {
			json_t *j = n->json, *limits = json_object_get(j, "limits");
			json_array_append_new(out, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "code",
							     json_object_get(j, "code"), "parent_code",
							     json_object_get(j, "parent_code"), "name_zh",
							     json_object_get(j, "name_zh"), "name_en",
							     json_object_get(j, "name_en"), "description",
							     json_object_get(j, "description"), "urgent",
							     json_object_get(limits, "urgent"), "fields",
							     json_object_get(j, "fields")));
		} else {
			json_object_set_new(n->json, "depth", json_integer(depth));
			json_array_append(out, n->json);
		}
		tree_emit(t, n->code, depth + 1, public_only, out);
	}
}

struct categories_read {
	bool public_only;
	json_t *items;
};

static int categories_read_tx(struct store_conn *c, void *arg)
{
	struct categories_read *r = arg;
	struct category_tree t = {0};
	int rc = tree_load(c, &t);
	json_array_clear(r->items);
	if (rc == STORE_OK) {
		tree_emit(&t, "", 0, r->public_only, r->items);
		/* Categories whose parent went missing would otherwise vanish
		 * from the admins' view: list them last, as roots. */
		for (size_t i = 0; !r->public_only && i < t.count; i++)
			if (!t.nodes[i].emitted) {
				json_object_set_new(t.nodes[i].json, "depth", json_integer(0));
				json_array_append(r->items, t.nodes[i].json);
			}
	}
	tree_free(&t);
	return rc;
}

static void categories_read(struct http_req *req, bool public_only)
{
	struct categories_read r = {.public_only = public_only, .items = json_array()};
	int rc = store_tx(case_config_store, STORE_READ, categories_read_tx, &r);
	if (rc != STORE_OK) {
		json_decref(r.items);
		reply_store_failure(req, rc);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o, s:n}", "items", r.items, "next_cursor"));
}

void categories_list(struct http_req *req)
{
	categories_read(req, false);
}

void categories_public(struct http_req *req)
{
	categories_read(req, true);
}

/* ---- writing ---- */

static const char sql_category_insert[] =
	"INSERT INTO case_categories (code, parent_code, name_zh, name_en, description, sign_hours, resolve_limit,"
	" resolve_unit, urgent, urgent_sign_hours, urgent_resolve_hours, fields, active, sort, version, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	" COALESCE(CAST(? AS BIGINT), (SELECT COALESCE(MAX(sort), 0) + 10 FROM case_categories)), 1, ?)";
static const char sql_category_update[] =
	"UPDATE case_categories SET parent_code = ?, name_zh = ?, name_en = ?, description = ?, sign_hours = ?,"
	" resolve_limit = ?, resolve_unit = ?, urgent = ?, urgent_sign_hours = ?, urgent_resolve_hours = ?,"
	" fields = ?, active = ?, sort = COALESCE(CAST(? AS BIGINT), sort), version = version + 1, updated_at = ?"
	" WHERE code = ? AND version = ?";

/* What a create or change says; NULL / has_* false for what it leaves. */
struct category_form {
	struct actor actor;
	bool create;
	const char *code, *parent_code, *name_zh, *name_en, *description;
	bool has_parent; /* parent_code given, NULL meaning "make it a root" */
	json_t *limits;
	char *fields;   /* normal form, owned */
	bool active, has_active;
	int64_t sort, version;
	bool has_sort, has_version;
	int64_t now;
	/* the outcome */
	bool refused;
	enum http_error error;
	const char *error_field;
	char message[200];
	json_t *out;
};

static int form_refuse(struct category_form *f, enum http_error code, const char *field, const char *message)
{
	f->refused = true;
	f->error = code;
	f->error_field = field;
	snprintf(f->message, sizeof f->message, "%s", message);
	return STORE_ABORT;
}

/* Applies the limits the body gives over l. Returns 0, or -1 with the
 * refusal in f (a field named "limits.<member>"). */
static int limits_apply(struct category_form *f, struct case_limits *l)
{
	if (!f->limits)
		return 0;
	int64_t sign = l->sign_hours, resolve = l->resolve_limit, usign = l->urgent_sign_hours,
		uresolve = l->urgent_resolve_hours;
	const char *unit = NULL;
	bool urgent = l->urgent;
	const struct field_spec specs[] = {
		FIELD_INT_OPT("sign_hours", &sign, 1, 720),
		FIELD_INT_OPT("resolve_limit", &resolve, 1, 720),
		FIELD_STR_OPT("resolve_unit", &unit, 10),
		FIELD_BOOL_OPT("urgent", &urgent),
		FIELD_INT_OPT("urgent_sign_hours", &usign, 1, 168),
		FIELD_INT_OPT("urgent_resolve_hours", &uresolve, 1, 168),
		FIELD_END,
	};
	static const char *const names[] = {"limits", "limits.sign_hours", "limits.resolve_limit",
					    "limits.resolve_unit", "limits.urgent", "limits.urgent_sign_hours",
					    "limits.urgent_resolve_hours"};
	struct field_error fe;
	if (fields_parse(f->limits, specs, &fe)) {
		const char *field = names[0];
		for (size_t i = 1; fe.field && i < sizeof names / sizeof names[0]; i++)
			if (!strcmp(names[i] + 7, fe.field))
				field = names[i];
		char msg[200];
		snprintf(msg, sizeof msg, "limits: %s", fe.message);
		form_refuse(f, fe.code, field, msg);
		return -1;
	}
	if (unit && strcmp(unit, "hours") && strcmp(unit, "days")) {
		form_refuse(f, HTTP_ERR_invalid_value, "limits.resolve_unit", "resolve_unit is hours or days");
		return -1;
	}
	*l = (struct case_limits){.sign_hours = (int)sign, .resolve_limit = (int)resolve,
				  .resolve_in_days = unit ? !strcmp(unit, "days") : l->resolve_in_days,
				  .urgent = urgent, .urgent_sign_hours = (int)usign, .urgent_resolve_hours = (int)uresolve};
	return 0;
}

/* Reads back the limits of a category's JSON form. */
static void limits_of(json_t *j, struct case_limits *l)
{
	json_t *lim = json_object_get(j, "limits");
	*l = (struct case_limits){
		.sign_hours = (int)json_integer_value(json_object_get(lim, "sign_hours")),
		.resolve_limit = (int)json_integer_value(json_object_get(lim, "resolve_limit")),
		.resolve_in_days = !strcmp(json_string_value(json_object_get(lim, "resolve_unit")), "days"),
		.urgent = json_is_true(json_object_get(lim, "urgent")),
		.urgent_sign_hours = (int)json_integer_value(json_object_get(lim, "urgent_sign_hours")),
		.urgent_resolve_hours = (int)json_integer_value(json_object_get(lim, "urgent_resolve_hours")),
	};
}

/* Checks where the category goes in the tree: the parent exists, is not
 * the category or under it, and the result is not too deep. */
static int placement_check(struct category_form *f, const struct category_tree *t, const char *parent)
{
	if (!parent)
		return tree_height(t, f->code) <= CATEGORY_DEPTH_MAX
			       ? STORE_OK
			       : form_refuse(f, HTTP_ERR_invalid_value, "parent_code", "The tree would be too deep");
	if (!tree_find(t, parent))
		return form_refuse(f, HTTP_ERR_invalid_value, "parent_code", "No such parent category");
	if (!f->create)
		for (const struct category_node *n = tree_find(t, parent); n; n = tree_find(t, n->parent[0] ? n->parent : NULL))
			if (!strcmp(n->code, f->code))
				return form_refuse(f, HTTP_ERR_invalid_value, "parent_code",
						   "A category cannot sit under itself or under one of its own subcategories");
	int height = f->create ? 1 : tree_height(t, f->code);
	if (tree_depth(t, parent) + height > CATEGORY_DEPTH_MAX) {
		char msg[80];
		snprintf(msg, sizeof msg, "The category tree is at most %d levels deep", CATEGORY_DEPTH_MAX);
		return form_refuse(f, HTTP_ERR_invalid_value, "parent_code", msg);
	}
	return STORE_OK;
}

static int category_write_tx(struct store_conn *c, void *arg)
{
	struct category_form *f = arg;
	struct category_tree t = {0};
	int rc = tree_load(c, &t);
	if (rc != STORE_OK)
		goto out;
	const struct category_node *old = tree_find(&t, f->code);
	if (f->create && old) {
		rc = form_refuse(f, HTTP_ERR_conflict, "code", "This category code exists");
		goto out;
	}
	if (!f->create && !old) {
		rc = form_refuse(f, HTTP_ERR_not_found, NULL, "No such category");
		goto out;
	}
	if (!f->create && f->has_version &&
	    f->version != json_integer_value(json_object_get(old->json, "version"))) {
		rc = form_refuse(f, HTTP_ERR_conflict, "version", "The category was changed by someone else: reload it");
		goto out;
	}
	/* The merged row: the old one (or the schema's defaults) under what
	 * the body gives. */
	struct case_limits l = {.sign_hours = 4, .resolve_limit = 5, .resolve_in_days = true, .urgent_sign_hours = 2,
				.urgent_resolve_hours = 24};
	const char *parent = f->parent_code;
	const char *name_zh = f->name_zh, *name_en = f->name_en, *description = f->description ? f->description : "";
	const char *fields = f->fields ? f->fields : "[]";
	bool active = f->has_active ? f->active : true;
	if (old) {
		limits_of(old->json, &l);
		if (!f->has_parent)
			parent = old->parent[0] ? old->parent : NULL;
		if (!name_zh)
			name_zh = json_string_value(json_object_get(old->json, "name_zh"));
		if (!name_en)
			name_en = json_string_value(json_object_get(old->json, "name_en"));
		if (!f->description)
			description = json_string_value(json_object_get(old->json, "description"));
		if (!f->has_active)
			active = json_is_true(json_object_get(old->json, "active"));
	}
	if (limits_apply(f, &l)) {
		rc = STORE_ABORT;
		goto out;
	}
	if ((f->create || f->has_parent) && (rc = placement_check(f, &t, parent)) != STORE_OK)
		goto out;
	char *old_fields = NULL;
	if (old && !f->fields)
		fields = old_fields = json_dumps(json_object_get(old->json, "fields"), JSON_COMPACT);
	struct store_stmt *st = store_prepare(c, f->create ? sql_category_insert : sql_category_update);
	if (!st) {
		free(old_fields);
		rc = STORE_ERROR;
		goto out;
	}
	int i = 1;
	if (f->create)
		store_bind_text(st, i++, f->code);
	store_bind_text(st, i++, parent);
	store_bind_text(st, i++, name_zh);
	store_bind_text(st, i++, name_en);
	store_bind_text(st, i++, description);
	store_bind_int(st, i++, l.sign_hours);
	store_bind_int(st, i++, l.resolve_limit);
	store_bind_text(st, i++, l.resolve_in_days ? "days" : "hours");
	store_bind_int(st, i++, l.urgent);
	store_bind_int(st, i++, l.urgent_sign_hours);
	store_bind_int(st, i++, l.urgent_resolve_hours);
	store_bind_text(st, i++, fields);
	store_bind_int(st, i++, active);
	if (f->has_sort)
		store_bind_int(st, i++, f->sort);
	else
		store_bind_null(st, i++);
	store_bind_int(st, i++, f->now);
	if (!f->create) {
		store_bind_text(st, i++, f->code);
		store_bind_int(st, i++, json_integer_value(json_object_get(old->json, "version")));
	}
	free(old_fields);
	rc = store_step(st);
	int64_t changed = store_changes(st);
	store_reset(st);
	if (rc == STORE_CONSTRAINT) {
		rc = form_refuse(f, HTTP_ERR_conflict, "code", "This category code exists");
		goto out;
	}
	if (rc != STORE_DONE)
		goto out;
	if (changed != 1) {
		rc = form_refuse(f, HTTP_ERR_conflict, "version", "The category was changed by someone else: reload it");
		goto out;
	}
	json_t *summary = json_pack("{s:s, s:s?, s:b}", "name_zh", name_zh, "parent_code", parent, "active", active);
	rc = audit_append(c, &f->actor, f->create ? "case_category.create" : "case_category.update", "case_category",
			  f->code, 0, summary);
	json_decref(summary);
	if (rc != STORE_OK)
		goto out;
	/* Answer with the row as stored, in the list's form. */
	if ((rc = tree_load(c, &t)) != STORE_OK)
		goto out;
	const struct category_node *now = tree_find(&t, f->code);
	json_decref(f->out);
	f->out = NULL;
	if (now) {
		f->out = json_incref(now->json);
		json_object_set_new(f->out, "depth", json_integer(tree_depth(&t, f->code) - 1));
	}
out:
	tree_free(&t);
	return rc;
}

/* Whether the raw body sets parent_code to null: field specs read null as
 * absent, but here it means "make this a root category". */
static bool body_has_null(struct http_req *req, const char *name)
{
	size_t len;
	const char *body = http_body(req, &len);
	json_t *j = json_loadb(body, len, 0, NULL);
	bool is_null = json_is_null(json_object_get(j, name));
	json_decref(j);
	return is_null;
}

static void category_write(struct http_req *req, bool create)
{
	struct category_form f = {.create = create, .now = time_now()};
	json_t *fields = NULL;
	bool has_parent = false, has_fields = false, has_code = false;
	const struct field_spec specs[] = {
		{.name = "code", .type = FIELD_STRING, .dest = &f.code, .optional = !create, .min = 2,
		 .max = CASE_CATEGORY_CODE_MAX, .present = &has_code},
		{.name = "parent_code", .type = FIELD_STRING, .dest = &f.parent_code, .optional = true,
		 .max = CASE_CATEGORY_CODE_MAX, .present = &has_parent},
		{.name = "name_zh", .type = FIELD_STRING, .dest = &f.name_zh, .optional = !create, .min = 1,
		 .max = NAME_ZH_MAX},
		{.name = "name_en", .type = FIELD_STRING, .dest = &f.name_en, .optional = !create, .min = 1,
		 .max = NAME_EN_MAX},
		FIELD_STR_OPT("description", &f.description, DESCRIPTION_MAX),
		{.name = "limits", .type = FIELD_OBJECT, .dest = &f.limits, .optional = true},
		{.name = "fields", .type = FIELD_ARRAY, .dest = &fields, .optional = true, .present = &has_fields},
		{.name = "active", .type = FIELD_BOOL, .dest = &f.active, .optional = true, .present = &f.has_active},
		{.name = "sort", .type = FIELD_INT, .dest = &f.sort, .optional = true, .min = 0, .max = 1000000000,
		 .present = &f.has_sort},
		/* A create has no version to check: the code is new. */
		{.name = "version", .type = FIELD_INT, .dest = &f.version, .optional = true,
		 .min = 1, .max = INT32_MAX, .present = &f.has_version},
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	if (create && f.has_version) {
		http_reply_error(req, HTTP_ERR_unknown_field, "version", "A new category has no version yet");
		return;
	}
	if (!create && has_code) {
		/* Cases and rules refer to the code: it never changes. */
		http_reply_error(req, HTTP_ERR_invalid_value, "code", "A category's code cannot change");
		return;
	}
	if (!create) {
		f.code = http_param(req, "code");
		if (f.code && !category_code_valid(f.code, 1)) {
			http_reply_error(req, HTTP_ERR_not_found, NULL, "No such category");
			return;
		}
		/* "" and null both mean: make it a root. */
		f.has_parent = has_parent || body_has_null(req, "parent_code");
		if (f.parent_code && !*f.parent_code)
			f.parent_code = NULL;
	} else {
		f.has_parent = has_parent && *f.parent_code;
		if (!f.has_parent)
			f.parent_code = NULL;
		if (!category_code_valid(f.code, 2)) {
			http_reply_error(req, HTTP_ERR_invalid_value, "code",
					 "A category code is 2 to 32 lower-case letters, digits and _");
			return;
		}
	}
	if (f.parent_code && !category_code_valid(f.parent_code, 1)) {
		http_reply_error(req, HTTP_ERR_invalid_value, "parent_code", "No such parent category");
		return;
	}
	if (has_fields) {
		char why[300];
		f.fields = category_fields_check(fields, why, sizeof why);
		if (!f.fields) {
			http_reply_error(req, HTTP_ERR_invalid_value, "fields", "%s", why);
			return;
		}
	}
	identity_actor(req, &f.actor);
	int rc = store_tx(case_config_store, STORE_WRITE, category_write_tx, &f);
	if (rc == STORE_OK && !create)
		case_cache_categories_changed();
	free(f.fields);
	if (rc == STORE_OK && f.out)
		http_reply_json(req, create ? 201 : 200, f.out);
	else if (rc == STORE_ABORT && f.refused)
		http_reply_error(req, f.error, f.error_field, "%s", f.message);
	else {
		json_decref(f.out);
		reply_store_failure(req, rc == STORE_OK ? STORE_ERROR : rc);
	}
}

void categories_create(struct http_req *req)
{
	category_write(req, true);
}

void categories_update(struct http_req *req)
{
	category_write(req, false);
}

/* ---- for the cases module ---- */

static const char sql_category_limits[] =
	"SELECT sign_hours, resolve_limit, resolve_unit, urgent, urgent_sign_hours, urgent_resolve_hours, active"
	" FROM case_categories WHERE code = ?";

int case_category_limits(struct store_conn *c, const char *code, struct case_limits *out)
{
	struct store_stmt *st = store_prepare(c, sql_category_limits);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, code);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*out = (struct case_limits){
			.sign_hours = (int)store_col_int(st, 0),
			.resolve_limit = (int)store_col_int(st, 1),
			.resolve_in_days = strcmp(store_col_text(st, 2), "hours") != 0,
			.urgent = store_col_int(st, 3) != 0,
			.urgent_sign_hours = (int)store_col_int(st, 4),
			.urgent_resolve_hours = (int)store_col_int(st, 5),
			.active = store_col_int(st, 6) != 0,
		};
		rc = STORE_OK;
	}
	store_reset(st);
	return rc;
}

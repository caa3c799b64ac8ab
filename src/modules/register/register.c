/* The register module's route table, and what its files share. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/idcheck.h"
#include "modules/common/reply.h"
#include "modules/register/register_internal.h"

struct store *register_store;
const struct vault *register_vault;

int register_narrow_scope(struct store_conn *c, const struct caller *caller, const char *area, struct store_scope *out)
{
	*out = caller->scope;
	if (!area)
		return STORE_OK;
	struct area_ref a;
	int rc = area_find(c, &caller->scope, area, &a);
	if (rc != STORE_OK)
		return rc;
	out->area_id = a.id;
	snprintf(out->path, sizeof out->path, "%s", a.path);
	return STORE_OK;
}

void register_normalize_id(const char *in, char *out, size_t size)
{
	size_t n = 0;
	for (; *in && n + 1 < size; in++)
		if (!isspace((unsigned char)*in))
			out[n++] = (char)toupper((unsigned char)*in);
	out[n] = '\0';
}

bool register_normalize_phone(const char *in, char *out, size_t size)
{
	char mobile[12], landline[16];
	if (idcheck_mobile(in, mobile)) {
		snprintf(out, size, "%s", mobile);
		return true;
	}
	if (idcheck_landline(in, landline)) {
		snprintf(out, size, "%s", landline);
		return true;
	}
	return false;
}

char *register_like_pattern(const char *text)
{
	struct buf b = {0};
	buf_puts(&b, "%");
	for (const char *p = text; *p; p++)
		if (*p != '%' && *p != '_' && *p != '\\')
			buf_append(&b, p, 1);
	buf_puts(&b, "%");
	return buf_steal(&b);
}

static const char sql_tags[] = "SELECT code, name_zh, name_en, applies_to FROM tags ORDER BY sort, code";

static int tags_tx(struct store_conn *c, void *arg)
{
	json_t *items = arg;
	struct store_stmt *st = store_prepare(c, sql_tags);
	if (!st)
		return STORE_ERROR;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s}", "code", store_col_text(st, 0), "name_zh",
						       store_col_text(st, 1), "name_en", store_col_text(st, 2),
						       "applies_to", store_col_text(st, 3)));
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

void tags_list(struct http_req *req)
{
	json_t *items = json_array();
	int rc = store_tx(register_store, STORE_READ, tags_tx, items);
	if (rc != STORE_OK) {
		json_decref(items);
		reply_store_failure(req, rc);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static const char sql_tag_insert[] =
	"INSERT INTO tags (code, name_zh, name_en, applies_to, sort) VALUES (?, ?, ?, ?,"
	" (SELECT COALESCE(MAX(sort), 0) + 10 FROM tags))";
static const char sql_tag_update[] =
	"UPDATE tags SET name_zh = COALESCE(CAST(? AS TEXT), name_zh), name_en = COALESCE(CAST(? AS TEXT), name_en)"
	" WHERE code = ?";

struct tag_write {
	struct actor actor;
	const char *code, *name_zh, *name_en, *applies_to;
	bool create, missing, taken;
};

static int tag_write_tx(struct store_conn *c, void *arg)
{
	struct tag_write *t = arg;
	struct store_stmt *st = store_prepare(c, t->create ? sql_tag_insert : sql_tag_update);
	if (!st)
		return STORE_ERROR;
	if (t->create) {
		store_bind_text(st, 1, t->code);
		store_bind_text(st, 2, t->name_zh);
		store_bind_text(st, 3, t->name_en);
		store_bind_text(st, 4, t->applies_to);
	} else {
		store_bind_text(st, 1, t->name_zh);
		store_bind_text(st, 2, t->name_en);
		store_bind_text(st, 3, t->code);
	}
	int rc = store_step(st);
	int64_t changed = store_changes(st);
	store_reset(st);
	if (rc == STORE_CONSTRAINT) {
		t->taken = true;
		return STORE_ABORT;
	}
	if (rc != STORE_DONE)
		return rc;
	if (changed != 1) {
		t->missing = true;
		return STORE_ABORT;
	}
	json_t *summary = json_pack("{s:s?, s:s?}", "name_zh", t->name_zh, "name_en", t->name_en);
	rc = audit_append(c, &t->actor, t->create ? "tag.create" : "tag.update", "tag", t->code, 0, summary);
	json_decref(summary);
	return rc;
}

/* The tag list is configuration: admins add tags and rename them; codes
 * never change, because rows refer to them. */
static void tag_write(struct http_req *req, bool create)
{
	struct tag_write t = {.create = create, .code = create ? NULL : http_param(req, "code")};
	const struct field_spec specs[] = {
		{.name = "code", .type = FIELD_STRING, .dest = &t.code, .optional = !create, .min = 2, .max = 32},
		{.name = "name_zh", .type = FIELD_STRING, .dest = &t.name_zh, .optional = !create, .min = 1, .max = 20},
		{.name = "name_en", .type = FIELD_STRING, .dest = &t.name_en, .optional = !create, .min = 1, .max = 40},
		{.name = "applies_to", .type = FIELD_STRING, .dest = &t.applies_to, .optional = !create, .min = 1, .max = 10},
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	if (!create)
		t.code = http_param(req, "code");
	if (create) {
		for (const char *p = t.code; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
				http_reply_error(req, HTTP_ERR_invalid_value, "code", "A tag code is lower-case letters, digits and _");
				return;
			}
		if (strcmp(t.applies_to, "person") && strcmp(t.applies_to, "household")) {
			http_reply_error(req, HTTP_ERR_invalid_value, "applies_to", "applies_to is person or household");
			return;
		}
	}
	identity_actor(req, &t.actor);
	int rc = store_tx(register_store, STORE_WRITE, tag_write_tx, &t);
	if (rc == STORE_OK)
		http_reply_json(req, create ? 201 : 200, json_pack("{s:s}", "code", t.code));
	else if (t.taken)
		http_reply_error(req, HTTP_ERR_conflict, "code", "This tag code exists");
	else if (t.missing)
		http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
	else
		reply_store_failure(req, rc);
}

static void tags_create(struct http_req *req)
{
	tag_write(req, true);
}

static void tags_update(struct http_req *req)
{
	tag_write(req, false);
}

/* Households and living persons under each child of an area: the range of
 * each child's subtree, counted with the same index the scope uses. */
static const char sql_counts[] =
	"SELECT c.code, c.name, c.level,"
	" (SELECT COUNT(*) FROM households h JOIN areas x ON x.id = h.area_id"
	"   WHERE x.path >= c.path AND x.path < substr(c.path, 1, length(c.path) - 1) || '0'),"
	" (SELECT COUNT(*) FROM persons p JOIN areas x ON x.id = p.area_id"
	"   WHERE x.path >= c.path AND x.path < substr(c.path, 1, length(c.path) - 1) || '0' AND p.status = 'living')"
	" FROM areas c WHERE c.parent_id = ? ORDER BY c.code";
static const char sql_counts_total[] =
	"SELECT (SELECT COUNT(*) FROM households h JOIN areas x ON x.id = h.area_id WHERE " STORE_IN_SCOPE("x") "),"
	" (SELECT COUNT(*) FROM persons p JOIN areas x ON x.id = p.area_id WHERE " STORE_IN_SCOPE("x")
	" AND p.status = 'living')";

struct counts {
	const struct caller *caller;
	const char *area;
	json_t *out;
};

static int counts_tx(struct store_conn *c, void *arg)
{
	struct counts *k = arg;
	struct area_ref a;
	int rc = area_find(c, &k->caller->scope, k->area ? k->area : k->caller->scope_code, &a);
	if (rc != STORE_OK)
		return rc == STORE_DONE ? STORE_ABORT : rc;
	struct store_scope scope = {.area_id = a.id};
	snprintf(scope.path, sizeof scope.path, "%s", a.path);
	struct store_stmt *st = store_prepare(c, sql_counts_total);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, &scope);
	store_bind_scope(st, 3, &scope);
	rc = store_step(st);
	json_int_t households = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	json_int_t persons = rc == STORE_ROW ? store_col_int(st, 1) : 0;
	store_reset(st);
	if (rc != STORE_ROW)
		return rc;
	json_t *children = json_array();
	json_decref(k->out);
	k->out = json_pack("{s:o, s:I, s:I, s:o}", "area", area_ref_json(&a), "households", households, "persons",
			   persons, "children", children);
	st = store_prepare(c, sql_counts);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, a.id);
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(children, json_pack("{s:s, s:s, s:s, s:I, s:I}", "code", store_col_text(st, 0), "name",
							  store_col_text(st, 1), "level",
							  area_level_name((int)store_col_int(st, 2)), "households",
							  (json_int_t)store_col_int(st, 3), "persons",
							  (json_int_t)store_col_int(st, 4)));
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

void register_counts(struct http_req *req)
{
	struct counts k = {.caller = identity_caller(req), .area = http_query(req, "area")};
	int rc = store_tx(register_store, STORE_READ, counts_tx, &k);
	if (rc != STORE_OK) {
		json_decref(k.out);
		if (rc == STORE_ABORT)
			http_reply_error(req, HTTP_ERR_not_found, "area", "No such area");
		else
			reply_store_failure(req, rc);
		return;
	}
	http_reply_json(req, 200, k.out);
}

static const char *const persons_query[] = {"area", "name", "id_number", "phone", "address", "status", "tag",
					    "limit", "cursor", NULL};
static const char *const person_read_query[] = {"reveal", NULL};
static const char *const households_query[] = {"area", "address", "tag", "limit", "cursor", NULL};
static const char *const counts_query[] = {"area", NULL};
static const char *const export_query[] = {"area", "name", "id_number", "phone", "address", "status", "tag",
					   "format", "reveal", NULL};
static const char *const households_export_query[] = {"area", "address", "tag", "format", NULL};
static const char *const imports_query[] = {"dry_run", "area", "mapping", NULL};

static const struct http_route register_routes[] = {
	{HTTP_GET, "/api/v1/persons", persons_list, "register.read", persons_query, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/persons/export", persons_export, "register.read", export_query, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/persons/{id}", persons_read, "register.read", person_read_query, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/persons", persons_create, "register.write", NULL, HTTP_BODY_JSON, 0},
	{HTTP_PATCH, "/api/v1/persons/{id}", persons_update, "register.write", NULL, HTTP_BODY_JSON, 0},
	{HTTP_POST, "/api/v1/persons/{id}/status", persons_status, "register.write", NULL, HTTP_BODY_JSON, 0},
	{HTTP_GET, "/api/v1/households", households_list, "register.read", households_query, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/households/export", households_export, "register.read", households_export_query, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/households/{id}", households_read, "register.read", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/households", households_create, "register.write", NULL, HTTP_BODY_JSON, 0},
	{HTTP_PATCH, "/api/v1/households/{id}", households_update, "register.write", NULL, HTTP_BODY_JSON, 0},
	{HTTP_GET, "/api/v1/units/{id}/members", roster_list, "register.read", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/units/{id}/members", roster_add, "register.write", NULL, HTTP_BODY_JSON, 0},
	{HTTP_DELETE, "/api/v1/units/{id}/members/{person_id}", roster_remove, "register.write", NULL, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/tags", tags_list, "session", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/tags", tags_create, "tags.manage", NULL, HTTP_BODY_JSON, 0},
	{HTTP_PATCH, "/api/v1/tags/{code}", tags_update, "tags.manage", NULL, HTTP_BODY_JSON, 0},
	{HTTP_GET, "/api/v1/stats/register", register_counts, "register.read", counts_query, HTTP_BODY_NONE, 0},
	/* A register of a whole town is a few megabytes; 64 MiB leaves room. */
	{HTTP_POST, "/api/v1/imports", imports_create, "register.write", imports_query, HTTP_BODY_RAW, 64u << 20},
};

static const struct http_module register_http = {
	.name = "register",
	.routes = register_routes,
	.count = sizeof register_routes / sizeof register_routes[0],
};

const struct http_module *register_module(struct store *store, const struct vault *vault)
{
	register_store = store;
	register_vault = vault;
	return &register_http;
}

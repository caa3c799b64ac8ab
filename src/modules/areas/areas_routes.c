/* /api/v1/areas: the handlers and the module's route table. Each handler
 * parses its input, runs one store function of areas_store.c in a
 * transaction, and answers once. */
#include <string.h>

#include "modules/areas/areas.h"
#include "modules/common/reply.h"

static struct store *areas_db;

/* One request's state, whichever the route. */
struct areas_op {
	struct store_scope scope; /* the caller's */
	const char *scope_code;
	struct actor actor;
	const char *code; /* the {code} of the path */
	/* list */
	const char *parent;
	struct http_page page;
	int64_t last_id;
	/* writes */
	struct areas_new create;
	struct areas_change change;
	const char *parent_code;
	/* the outcome */
	struct areas_row row;
	json_t *result;
	struct areas_error err;
};

static void areas_op_init(struct http_req *req, struct areas_op *o)
{
	const struct caller *c = identity_caller(req);
	memset(o, 0, sizeof *o);
	o->scope = c->scope;
	o->scope_code = c->scope_code;
	o->code = http_param(req, "code");
	identity_actor(req, &o->actor);
}

/* Answers a transaction's outcome: result (taken) on success, the client's
 * error on STORE_ABORT, else the failure. */
static void areas_reply(struct http_req *req, struct areas_op *o, int rc, unsigned status)
{
	if (rc == STORE_OK) {
		http_reply_json(req, status, o->result);
		return;
	}
	json_decref(o->result);
	if (rc == STORE_ABORT)
		http_reply_error(req, o->err.code, o->err.field, o->err.message[0] ? "%s" : NULL, o->err.message);
	else
		reply_store_failure(req, rc);
}

/* A {code} that cannot be a code names nothing: 404 without a query, the
 * same answer a well-formed missing code gets. */
static bool areas_path_code_ok(struct http_req *req, const struct areas_op *o)
{
	if (areas_valid_code(o->code))
		return true;
	http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
	return false;
}

/* ---- GET /api/v1/areas ---- */

static int areas_list_tx(struct store_conn *c, void *arg)
{
	struct areas_op *o = arg;
	struct areas_row top;
	int rc = areas_get(c, &o->scope, o->parent ? o->parent : o->scope_code, &top);
	if (rc == STORE_DONE) {
		areas_error_set(&o->err, HTTP_ERR_not_found, o->parent ? "parent" : NULL, NULL);
		return STORE_ABORT;
	}
	if (rc != STORE_OK)
		return rc;
	if (o->parent)
		return areas_children(c, &o->scope, top.area.id, o->page.after, o->page.limit, o->result, &o->last_id);
	/* Without a parent the list is the scope root alone: one page, and
	 * whatever cursor follows it reads an empty one. */
	json_array_clear(o->result);
	if (!o->page.has_cursor) {
		json_array_append_new(o->result, areas_row_json(&top, &o->scope));
		o->last_id = top.area.id;
	}
	return STORE_OK;
}

static void areas_http_list(struct http_req *req)
{
	struct areas_op o;
	areas_op_init(req, &o);
	o.parent = http_query(req, "parent");
	if (!http_page_params(req, &o.page))
		return;
	if (o.parent && !areas_valid_code(o.parent)) {
		http_reply_error(req, HTTP_ERR_not_found, "parent", NULL);
		return;
	}
	o.result = json_array();
	int rc = store_tx(areas_db, STORE_READ, areas_list_tx, &o);
	if (rc == STORE_OK) {
		size_t count = json_array_size(o.result);
		o.result = json_pack("{s:o}", "items", o.result);
		http_page_finish(o.result, &o.page, count, o.last_id);
	}
	areas_reply(req, &o, rc, 200);
}

/* ---- GET /api/v1/areas/{code} ---- */

static int areas_read_tx(struct store_conn *c, void *arg)
{
	struct areas_op *o = arg;
	json_decref(o->result);
	o->result = NULL;
	int rc = areas_get(c, &o->scope, o->code, &o->row);
	if (rc == STORE_DONE) {
		areas_error_set(&o->err, HTTP_ERR_not_found, NULL, NULL);
		return STORE_ABORT;
	}
	if (rc != STORE_OK)
		return rc;
	json_t *geojson = NULL, *ancestors = json_array();
	if ((rc = areas_get_geojson(c, &o->scope, &o->row, &geojson)) == STORE_OK)
		rc = areas_ancestors(c, &o->scope, &o->row, ancestors);
	if (rc != STORE_OK) {
		json_decref(geojson);
		json_decref(ancestors);
		return rc;
	}
	o->result = areas_row_json(&o->row, &o->scope);
	json_object_set_new(o->result, "geojson", geojson ? geojson : json_null());
	json_object_set_new(o->result, "ancestors", ancestors);
	return STORE_OK;
}

static void areas_http_read(struct http_req *req)
{
	struct areas_op o;
	areas_op_init(req, &o);
	if (!areas_path_code_ok(req, &o))
		return;
	areas_reply(req, &o, store_tx(areas_db, STORE_READ, areas_read_tx, &o), 200);
}

/* ---- the writes ---- */

static int areas_create_tx(struct store_conn *c, void *arg)
{
	struct areas_op *o = arg;
	return areas_create(c, &o->scope, &o->actor, &o->create, &o->row, &o->err);
}

static int areas_update_tx(struct store_conn *c, void *arg)
{
	struct areas_op *o = arg;
	return areas_update(c, &o->scope, &o->actor, o->code, &o->change, &o->row, &o->err);
}

static int areas_move_tx(struct store_conn *c, void *arg)
{
	struct areas_op *o = arg;
	return areas_move(c, &o->scope, &o->actor, o->code, o->parent_code, &o->row, &o->err);
}

static int areas_delete_tx(struct store_conn *c, void *arg)
{
	struct areas_op *o = arg;
	return areas_delete(c, &o->scope, &o->actor, o->code, &o->err);
}

/* Runs a write and answers the area as it is afterwards. */
static void areas_write(struct http_req *req, struct areas_op *o, store_tx_fn fn, unsigned status)
{
	int rc = store_tx(areas_db, STORE_WRITE, fn, o);
	if (rc == STORE_OK) {
		/* A moved or renamed area changes callers' scopes and what
		 * cached answers name. */
		identity_directory_changed();
		o->result = areas_row_json(&o->row, &o->scope);
	}
	areas_reply(req, o, rc, status);
}

static void areas_http_create(struct http_req *req)
{
	struct areas_op o;
	areas_op_init(req, &o);
	struct areas_new *n = &o.create;
	json_t *geojson = NULL;
	const struct field_spec specs[] = {
		FIELD_STR("code", &n->code, 1, AREA_CODE_MAX),
		FIELD_STR("name", &n->name, 1, AREA_NAME_MAX),
		FIELD_STR("level", &n->level, 1, 32),
		FIELD_STR("parent_code", &n->parent_code, 1, AREA_CODE_MAX),
		{.name = "geojson", .type = FIELD_OBJECT, .dest = &geojson, .optional = true},
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	n->geojson = geojson;
	/* Checked here too, before a transaction is spent on it. */
	if (!areas_check_new(n, &o.err)) {
		areas_reply(req, &o, STORE_ABORT, 0);
		return;
	}
	areas_write(req, &o, areas_create_tx, 201);
}

/* Field specs read null as absent, but in a PATCH "geojson": null means
 * "remove the outline". A body without an outline holds a name at most
 * (other members are refused), so reading it once more costs nothing. */
static bool areas_body_has_null(struct http_req *req, const char *name)
{
	size_t len;
	const char *body = http_body(req, &len);
	json_t *obj = len ? json_loadb(body, len, 0, NULL) : NULL;
	bool is_null = json_is_null(json_object_get(obj, name));
	json_decref(obj);
	return is_null;
}

static void areas_http_update(struct http_req *req)
{
	struct areas_op o;
	areas_op_init(req, &o);
	json_t *geojson = NULL;
	const struct field_spec specs[] = {
		{.name = "name", .type = FIELD_STRING, .dest = &o.change.name, .optional = true, .min = 1, .max = AREA_NAME_MAX},
		{.name = "geojson", .type = FIELD_OBJECT, .dest = &geojson, .optional = true},
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK || !areas_path_code_ok(req, &o))
		return;
	o.change.geojson = geojson;
	o.change.clear_geojson = !geojson && areas_body_has_null(req, "geojson");
	areas_write(req, &o, areas_update_tx, 200);
}

static void areas_http_move(struct http_req *req)
{
	struct areas_op o;
	areas_op_init(req, &o);
	const struct field_spec specs[] = {
		FIELD_STR("parent_code", &o.parent_code, 1, AREA_CODE_MAX),
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK || !areas_path_code_ok(req, &o))
		return;
	areas_write(req, &o, areas_move_tx, 200);
}

static void areas_http_delete(struct http_req *req)
{
	struct areas_op o;
	areas_op_init(req, &o);
	if (!areas_path_code_ok(req, &o))
		return;
	int rc = store_tx(areas_db, STORE_WRITE, areas_delete_tx, &o);
	if (rc == STORE_OK)
		identity_directory_changed();
	areas_reply(req, &o, rc, 204);
}

/* ---- the route table ---- */

static const char *const areas_list_query[] = {"parent", "limit", "cursor", NULL};

/* Outlines come in the body of POST and PATCH: the server's body_limit
 * (1 MiB by default) bounds them. */
static const struct http_route areas_routes[] = {
	{HTTP_GET, "/api/v1/areas", areas_http_list, "areas.read", areas_list_query, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/areas/{code}", areas_http_read, "areas.read", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/areas", areas_http_create, "areas.manage", NULL, HTTP_BODY_JSON, 0},
	{HTTP_PATCH, "/api/v1/areas/{code}", areas_http_update, "areas.manage", NULL, HTTP_BODY_JSON, 0},
	{HTTP_POST, "/api/v1/areas/{code}/move", areas_http_move, "areas.manage", NULL, HTTP_BODY_JSON, 4096},
	{HTTP_DELETE, "/api/v1/areas/{code}", areas_http_delete, "areas.manage", NULL, HTTP_BODY_NONE, 0},
};

static const struct http_module areas_http = {
	.name = "areas",
	.routes = areas_routes,
	.count = sizeof areas_routes / sizeof areas_routes[0],
};

const struct http_module *areas_module(struct store *store)
{
	areas_db = store;
	return &areas_http;
}

/* Open311 GeoReport v2 at /open311/v2/: the route table, the documents'
 * names and formats, replies and errors in the specification's shape, API
 * keys, and the documents about services (discovery, the service list, a
 * service's definition) and tokens. Requests are in requests.c, mySociety's
 * updates in updates.c.
 *
 * Every route is declared "public": Open311 carries its key as the api_key
 * parameter, which the server's authenticator does not read, so each
 * handler that needs a key checks it (open311_caller). Documents are one
 * path segment with the format as its extension ("services.xml"); one
 * route per depth catches them all, so an unknown document or format is
 * answered here, in Open311's error format, never by the server. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timeutil.h"
#include "modules/cases/cases.h"
#include "modules/open311/open311.h"
#include "modules/open311/open311_internal.h"

struct store *open311_store;

/* The day this API's documents last changed shape (discovery's changeset). */
#define OPEN311_CHANGESET "2026-11-22T00:00:00Z"

/* ---- documents, replies, errors ---- */

bool open311_split(const char *document, char *name, size_t size, enum open311_format *fmt)
{
	const char *dot = strrchr(document, '.');
	if (!dot || dot == document || (size_t)(dot - document) >= size)
		return false;
	if (strcmp(dot, ".json") == 0)
		*fmt = OPEN311_JSON;
	else if (strcmp(dot, ".xml") == 0)
		*fmt = OPEN311_XML;
	else
		return false;
	memcpy(name, document, (size_t)(dot - document));
	name[dot - document] = '\0';
	return true;
}

void open311_reply(struct http_req *req, enum open311_format fmt, unsigned status, const char *root, json_t *body)
{
	if (fmt == OPEN311_JSON) {
		/* Twelve significant digits: coordinates as given, not as binary
		 * fractions (34.265, not 34.265000000000001). */
		char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12) | JSON_ENCODE_ANY);
		json_decref(body);
		http_reply_raw(req, status, "application/json; charset=utf-8", text, strlen(text));
		return;
	}
	size_t len;
	char *text = xml_document(root, body, &len);
	json_decref(body);
	http_reply_raw(req, status, "text/xml; charset=utf-8", text, len);
}

void open311_error(struct http_req *req, enum open311_format fmt, unsigned status, const char *message, ...)
{
	char text[300];
	va_list ap;
	va_start(ap, message);
	vsnprintf(text, sizeof text, message, ap);
	va_end(ap);
	json_t *description = json_string(text);
	if (!description) /* a message cut inside a character */
		description = json_string("The request cannot be served");
	json_t *list = json_array();
	json_array_append_new(list, json_pack("{s:i, s:o}", "code", (int)status, "description", description));
	open311_reply(req, fmt, status, "errors", list);
}

void open311_store_failure(struct http_req *req, enum open311_format fmt, int rc)
{
	if (rc == STORE_SOFT)
		open311_error(req, fmt, 503, "The database is busy: try again");
	else
		open311_error(req, fmt, 500, "Internal error: the failure was logged");
}

/* ---- keys, scope, the request's facts ---- */

/* Reading requests by area is for callers that see cases by area; a
 * handler's token sees its department's cases and a resident's its own,
 * which an area subtree does not describe. */
static bool reads_by_area(enum role r)
{
	return r == ROLE_ADMIN || r == ROLE_COMMANDER || r == ROLE_STAFF || r == ROLE_GRID_WORKER;
}

bool open311_caller(struct http_req *req, enum open311_format fmt, const char *api_key, enum open311_need need,
		    struct caller *out)
{
	const struct caller *bearer = identity_caller(req);
	if (api_key) {
		int rc = identity_token_caller(api_key, out);
		if (rc != STORE_OK && rc != STORE_DONE) {
			open311_store_failure(req, fmt, rc);
			return false;
		}
		if (rc == STORE_DONE) {
			open311_error(req, fmt, 403, "Invalid api_key");
			return false;
		}
	} else if (bearer && bearer->token_id) {
		*out = *bearer;
	} else {
		open311_error(req, fmt, 403, "An api_key is required");
		return false;
	}
	bool ok = need == OPEN311_SUBMIT ? role_has(out->role, "cases.submit")
					 : role_has(out->role, "cases.read") && reads_by_area(out->role);
	if (!ok) {
		open311_error(req, fmt, 403, "This api_key (role %s) may not %s", role_name(out->role),
			      need == OPEN311_SUBMIT ? "submit requests" : "read requests");
		return false;
	}
	return true;
}

void open311_actor(struct http_req *req, const struct caller *caller, struct actor *out)
{
	out->user_id = caller->user_id;
	out->login = caller->login;
	out->role = role_name(caller->role);
	out->address = http_client_addr(req);
	out->request_id = http_request_id(req);
	out->area_id = caller->scope.area_id;
}

int open311_jurisdiction(struct store_conn *c, const char *jurisdiction_id, struct store_scope *scope)
{
	if (!jurisdiction_id)
		return STORE_OK;
	struct area_ref area;
	int rc = area_find(c, scope, jurisdiction_id, &area);
	if (rc != STORE_OK)
		return rc;
	scope->area_id = area.id;
	snprintf(scope->path, sizeof scope->path, "%s", area.path);
	return STORE_OK;
}

/* The Host header names this server as the client reached it; anything but
 * a plain host[:port] is not used, so a URL in an answer is never odd. */
void open311_base_url(struct http_req *req, char *out, size_t size)
{
	const char *host = http_header(req, "Host");
	bool ok = host && *host && strlen(host) <= 255;
	for (const char *p = host; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		     *p == '-' || *p == ':' || *p == '[' || *p == ']';
	const char *proto = http_header(req, "X-Forwarded-Proto");
	bool https = proto && strcasecmp(proto, "https") == 0;
	snprintf(out, size, "%s://%s", https ? "https" : "http", ok ? host : "localhost");
}

bool open311_locale_en(const char *locale)
{
	return locale && strncasecmp(locale, "en", 2) == 0 && (locale[2] == '\0' || locale[2] == '-' || locale[2] == '_');
}

bool open311_parse_time(const char *text, int64_t *seconds)
{
	int64_t ms;
	char full[40];
	/* W3C-DTF allows a bare date; it means the start of that day in UTC. */
	if (strlen(text) == 10) {
		snprintf(full, sizeof full, "%sT00:00:00Z", text);
		text = full;
	}
	if (!time_parse_ms(text, &ms))
		return false;
	*seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	return true;
}

bool open311_window(struct http_req *req, enum open311_format fmt, int64_t *from, int64_t *to)
{
	const char *start = http_query(req, "start_date"), *end = http_query(req, "end_date");
	if (start && !open311_parse_time(start, from)) {
		open311_error(req, fmt, 400, "start_date is not a W3C date-time, e.g. 2026-11-01T00:00:00+08:00");
		return false;
	}
	if (end && !open311_parse_time(end, to)) {
		open311_error(req, fmt, 400, "end_date is not a W3C date-time, e.g. 2026-11-30T23:59:59+08:00");
		return false;
	}
	if (!start && !end) {
		*to = time_now();
		*from = *to - OPEN311_DEFAULT_SPAN;
	} else if (!end) {
		*to = *from + OPEN311_DEFAULT_SPAN;
	} else if (!start) {
		*from = *to - OPEN311_DEFAULT_SPAN;
	}
	if (*from > *to) {
		open311_error(req, fmt, 400, "start_date is after end_date");
		return false;
	}
	return true;
}

bool open311_read_form(struct http_req *req, enum open311_format fmt, struct form *form)
{
	memset(form, 0, sizeof *form);
	const char *type = http_header(req, "Content-Type");
	static const char form_type[] = "application/x-www-form-urlencoded";
	size_t n = sizeof form_type - 1;
	if (!type || strncasecmp(type, form_type, n) != 0 || (type[n] && type[n] != ';' && type[n] != ' ')) {
		open311_error(req, fmt, 400, "Send the parameters as application/x-www-form-urlencoded");
		return false;
	}
	size_t len;
	const char *body = http_body(req, &len);
	const char *why = NULL;
	if (form_parse(body, len, form, &why)) {
		open311_error(req, fmt, 400, "The form is malformed: %s", why);
		return false;
	}
	return true;
}

/* ---- GET discovery ---- */

static void discovery(struct http_req *req, enum open311_format fmt)
{
	char url[320];
	open311_base_url(req, url, sizeof url - 16);
	strcat(url, "/open311/v2/");
	json_t *endpoint = json_pack("{s:s, s:s, s:s, s:s, s:[s, s]}", "specification", "http://wiki.open311.org/GeoReport_v2",
				     "url", url, "changeset", OPEN311_CHANGESET, "type", "production", "formats",
				     "text/xml", "application/json");
	json_t *doc = json_pack("{s:s, s:s, s:s, s:[o]}", "changeset", OPEN311_CHANGESET, "contact",
				"The operator of this wangge (网格) server", "key_service",
				"API keys are tokens the operator makes with `wangge token create`; a key sees and "
				"submits within its area", "endpoints", endpoint);
	open311_reply(req, fmt, 200, "discovery", doc);
}

/* ---- GET services ---- */

static const char sql_services[] =
	"SELECT k.code, k.name_zh, k.name_en, k.description, k.fields, COALESCE(p.name_zh, k.name_zh),"
	" COALESCE(p.name_en, k.name_en) FROM case_categories k LEFT JOIN case_categories p ON p.code = k.parent_code"
	" WHERE k.active = 1 ORDER BY k.sort, k.code";

struct services_read {
	bool en;
	json_t *out;
};

static bool has_fields(const char *fields_text)
{
	json_t *fields = json_loads(fields_text, 0, NULL);
	bool yes = json_array_size(fields) > 0;
	json_decref(fields);
	return yes;
}

static int services_tx(struct store_conn *c, void *arg)
{
	struct services_read *s = arg;
	json_decref(s->out);
	s->out = json_array();
	struct store_stmt *st = store_prepare(c, sql_services);
	if (!st)
		return STORE_ERROR;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *zh = store_col_text(st, 1), *en = store_col_text(st, 2);
		/* The other language's name helps a search in either. */
		json_array_append_new(s->out, json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "service_code",
							store_col_text(st, 0), "service_name", s->en ? en : zh,
							"description", store_col_text(st, 3), "metadata",
							has_fields(store_col_text(st, 4)), "type", "realtime", "keywords",
							s->en ? zh : en, "group",
							store_col_text(st, s->en ? 6 : 5)));
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static void services(struct http_req *req, enum open311_format fmt)
{
	struct services_read s = {.en = open311_locale_en(http_query(req, "locale"))};
	int rc = store_tx(open311_store, STORE_READ, services_tx, &s);
	if (rc != STORE_OK) {
		json_decref(s.out);
		open311_store_failure(req, fmt, rc);
		return;
	}
	open311_reply(req, fmt, 200, "services", s.out);
}

/* ---- GET services/{service_code} ---- */

static const char sql_service_fields[] = "SELECT fields FROM case_categories WHERE code = ? AND active = 1";

static const struct {
	const char *type, *zh, *en;
} datatypes[] = {
	{"string", "一行文字", "A line of text"},
	{"text", "一段文字", "Free text"},
	{"number", "数字", "A number"},
	{"datetime", "日期时间，如 2026-05-01T09:00:00+08:00", "A date and time, e.g. 2026-05-01T09:00:00+08:00"},
	{"singlevaluelist", "从所列选项中选一项", "One of the listed values"},
	{"multivaluelist", "从所列选项中选一项或多项", "One or more of the listed values"},
};

static const char *text_of(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

/* A category's extra question as a service attribute. */
static json_t *attribute_json(json_t *field, size_t order, bool en)
{
	const char *type = text_of(field, "type");
	const char *hint = "";
	for (size_t i = 0; i < sizeof datatypes / sizeof datatypes[0]; i++)
		if (strcmp(datatypes[i].type, type) == 0)
			hint = en ? datatypes[i].en : datatypes[i].zh;
	const char *name = text_of(field, en ? "name_en" : "name_zh");
	if (!*name)
		name = text_of(field, en ? "name_zh" : "name_en");
	json_t *values = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(field, "values"), i, v)
		json_array_append_new(values, json_pack("{s:s, s:s}", "key", text_of(v, "key"), "name", text_of(v, "name")));
	return json_pack("{s:b, s:s, s:s, s:b, s:s, s:I, s:s, s:o}", "variable", 1, "code", text_of(field, "code"),
			 "datatype", type, "required", json_is_true(json_object_get(field, "required")),
			 "datatype_description", hint, "order", (json_int_t)order, "description", name, "values",
			 values);
}

struct definition_read {
	const char *code;
	bool en;
	json_t *out;
};

static int definition_tx(struct store_conn *c, void *arg)
{
	struct definition_read *d = arg;
	struct store_stmt *st = store_prepare(c, sql_service_fields);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, d->code);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		json_t *fields = json_loads(store_col_text(st, 0), 0, NULL);
		json_t *attributes = json_array();
		size_t i;
		json_t *f;
		json_array_foreach(fields, i, f)
			if (json_is_object(f))
				json_array_append_new(attributes, attribute_json(f, i + 1, d->en));
		json_decref(fields);
		json_decref(d->out);
		d->out = json_pack("{s:s, s:o}", "service_code", d->code, "attributes", attributes);
	}
	store_reset(st);
	if (rc == STORE_DONE)
		return STORE_ABORT;
	return rc == STORE_ROW ? STORE_OK : rc;
}

static void get_service(struct http_req *req)
{
	char code[64];
	enum open311_format fmt = OPEN311_XML;
	if (!open311_split(http_param(req, "service"), code, sizeof code, &fmt)) {
		open311_error(req, fmt, 404, "No such document: name a service and a format, e.g. water.xml");
		return;
	}
	struct definition_read d = {.code = code, .en = open311_locale_en(http_query(req, "locale"))};
	int rc = store_tx(open311_store, STORE_READ, definition_tx, &d);
	if (rc == STORE_ABORT) {
		open311_error(req, fmt, 404, "No such service_code");
		return;
	}
	if (rc != STORE_OK) {
		json_decref(d.out);
		open311_store_failure(req, fmt, rc);
		return;
	}
	open311_reply(req, fmt, 200, "service_definition", d.out);
}

/* ---- GET tokens/{token} ---- */

struct token_read {
	const char *code;
	int64_t id;
};

static int token_tx(struct store_conn *c, void *arg)
{
	struct token_read *t = arg;
	int rc = cases_find_by_follow_code(c, t->code, &t->id);
	return rc == STORE_DONE ? STORE_ABORT : rc;
}

/* The token is the follow code given at submission: whoever holds it may
 * learn the id of its request (what the resident's follow link shows is
 * more), so this document needs no key. */
static void get_token(struct http_req *req)
{
	char code[64];
	enum open311_format fmt = OPEN311_XML;
	if (!open311_split(http_param(req, "token"), code, sizeof code, &fmt)) {
		open311_error(req, fmt, 404, "No such document: name a token and a format, e.g. TOKEN.xml");
		return;
	}
	struct token_read t = {.code = code};
	int rc = store_tx(open311_store, STORE_READ, token_tx, &t);
	if (rc == STORE_ABORT) {
		open311_error(req, fmt, 404, "No request has this token");
		return;
	}
	if (rc != STORE_OK) {
		open311_store_failure(req, fmt, rc);
		return;
	}
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)t.id);
	open311_reply(req, fmt, 200, "service_requests",
		      json_pack("[{s:s, s:s}]", "service_request_id", id, "token", code));
}

/* ---- GET requests/{service_request_id} ---- */

static void get_request(struct http_req *req)
{
	char id[32];
	enum open311_format fmt = OPEN311_XML;
	if (!open311_split(http_param(req, "request"), id, sizeof id, &fmt)) {
		open311_error(req, fmt, 404, "No such document: name a request and a format, e.g. 123.xml");
		return;
	}
	open311_request_get(req, fmt, id);
}

/* ---- the documents at /open311/v2/{document} ---- */

static void get_document(struct http_req *req)
{
	char name[40];
	enum open311_format fmt = OPEN311_XML;
	if (!open311_split(http_param(req, "document"), name, sizeof name, &fmt)) {
		open311_error(req, fmt, 404, "No such document: the formats are .xml and .json");
		return;
	}
	if (strcmp(name, "discovery") == 0)
		discovery(req, fmt);
	else if (strcmp(name, "services") == 0)
		services(req, fmt);
	else if (strcmp(name, "requests") == 0)
		open311_requests_get(req, fmt);
	else if (strcmp(name, "servicerequestupdates") == 0)
		open311_updates_get(req, fmt);
	else
		open311_error(req, fmt, 404, "No such document");
}

static void post_document(struct http_req *req)
{
	char name[40];
	enum open311_format fmt = OPEN311_XML;
	if (!open311_split(http_param(req, "document"), name, sizeof name, &fmt)) {
		open311_error(req, fmt, 404, "No such document: the formats are .xml and .json");
		return;
	}
	if (strcmp(name, "requests") == 0) {
		open311_requests_post(req, fmt);
	} else if (strcmp(name, "servicerequestupdates") == 0) {
		open311_updates_post(req, fmt);
	} else if (strcmp(name, "discovery") == 0 || strcmp(name, "services") == 0) {
		open311_error(req, fmt, 405, "This document is read with GET");
		http_add_header(req, "Allow", "GET, HEAD");
	} else {
		open311_error(req, fmt, 404, "No such document");
	}
}

/* Every parameter the specification and mySociety's extension define for
 * these documents, so a conforming client is never refused for one (the
 * server answers an undeclared parameter with 400 before any handler). */
static const char *const document_query[] = {"api_key", "jurisdiction_id", "locale", "service_request_id",
					     "service_code", "start_date", "end_date", "status", NULL};
static const char *const post_query[] = {"api_key", "jurisdiction_id", "locale", NULL};
static const char *const one_query[] = {"api_key", "jurisdiction_id", "locale", NULL};

#define OPEN311_BODY_LIMIT (64 * 1024)

static const struct http_route open311_routes[] = {
	{HTTP_GET, "/open311/v2/{document}", get_document, "public", document_query, HTTP_BODY_NONE, 0},
	/* Every post needs an api_key, a token checked by the module: one
	 * partner's server may forward a whole town's requests from one address. */
	{HTTP_POST, "/open311/v2/{document}", post_document, HTTP_PUBLIC_SELF_CHECKED, post_query, HTTP_BODY_RAW,
	 OPEN311_BODY_LIMIT},
	{HTTP_GET, "/open311/v2/services/{service}", get_service, "public", one_query, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/open311/v2/requests/{request}", get_request, "public", one_query, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/open311/v2/tokens/{token}", get_token, "public", one_query, HTTP_BODY_NONE, 0},
};

static const struct http_module open311_http = {
	.name = "open311",
	.routes = open311_routes,
	.count = sizeof open311_routes / sizeof open311_routes[0],
};

const struct http_module *open311_module(struct store *store, const struct vault *vault)
{
	/* Intake seals the reporter's phone with the cases module's vault. */
	(void)vault;
	open311_store = store;
	return &open311_http;
}

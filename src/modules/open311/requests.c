/* Service requests: POST requests (a case submitted through intake, source
 * "open311"), GET requests (a filtered list) and GET requests/{id}.
 *
 * Reading needs an API key whose role reads cases by area, and sees the
 * key's area subtree (narrowed by jurisdiction_id), enforced in the SQL. A
 * request's text and place can say much about a household (an epidemic
 * report, a dispute, a poverty watch), so nothing here is public; and no
 * answer ever holds the reporter's name or phone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "modules/cases/cases.h"
#include "modules/open311/open311_internal.h"
#include "store/scope.h"

/* ---- reading ---- */

#define MAX_IDS 100
#define MAX_CODES 10
#define CODE_MAX 32

/* The case columns every request answer needs (see request_json). */
#define REQUEST_COLUMNS                                                                                           \
	"c.id, c.state, c.result, k.name_zh, k.name_en, c.category_code, c.description, lu.name, c.submitted_at,"  \
	" c.updated_at, COALESCE(c.resolve_due_at, 0), c.address, c.lat_e6, c.lon_e6,"                           \
	" (SELECT p.sha256 FROM case_photos p WHERE p.case_id = c.id ORDER BY p.id LIMIT 1)"
#define REQUEST_FROM                                                                                              \
	" FROM cases c JOIN areas a ON a.id = c.area_id JOIN case_categories k ON k.code = c.category_code"        \
	" LEFT JOIN units lu ON lu.id = c.lead_unit_id"

static const char sql_request_by_id[] = "SELECT " REQUEST_COLUMNS REQUEST_FROM " WHERE c.id = ? AND "
	STORE_IN_SCOPE("a");
/* The codes and states are fixed-size lists, padded by repeating a member,
 * so one prepared statement serves every filter. */
static const char sql_requests[] = "SELECT " REQUEST_COLUMNS REQUEST_FROM " WHERE " STORE_IN_SCOPE("a")
	" AND c.submitted_at >= ? AND c.submitted_at <= ?"
	" AND (? = 0 OR c.category_code IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?))"
	" AND c.state IN (?, ?, ?, ?, ?, ?, ?)"
	" ORDER BY c.submitted_at DESC, c.id DESC LIMIT " OPEN311_MAX_RECORDS_SQL;

static const char *const open_states[] = {"submitted", "dispatched", "signed", "returned", NULL};
static const char *const closed_states[] = {"resolved", "rated", "closed", NULL};

static bool is_open_state(const char *state)
{
	for (const char *const *s = open_states; *s; s++)
		if (strcmp(*s, state) == 0)
			return true;
	return false;
}

static json_t *time_or_null(int64_t t)
{
	if (!t)
		return json_null();
	char text[32];
	time_format(t, text);
	return json_string(text);
}

static json_t *text_or_null(struct store_stmt *st, int col)
{
	return store_col_null(st, col) || !*store_col_text(st, col) ? json_null() : json_string(store_col_text(st, col));
}

static json_t *request_json(struct store_stmt *st, const char *base, bool en)
{
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)store_col_int(st, 0));
	const char *state = store_col_text(st, 1);
	bool has_loc = !store_col_null(st, 12) && !store_col_null(st, 13);
	json_t *media = json_null();
	if (!store_col_null(st, 14)) {
		char url[400];
		snprintf(url, sizeof url, "%s/api/v1/photos/%s", base, store_col_text(st, 14));
		media = json_string(url);
	}
	json_t *r = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:n, s:o, s:o, s:o, s:s, s:n, s:n}",
			      "service_request_id", id, "status", is_open_state(state) ? "open" : "closed",
			      "status_notes", text_or_null(st, 2), "service_name", store_col_text(st, en ? 4 : 3),
			      "service_code", store_col_text(st, 5), "description", store_col_text(st, 6),
			      "agency_responsible", text_or_null(st, 7), "service_notice", "requested_datetime",
			      time_or_null(store_col_int(st, 8)), "updated_datetime", time_or_null(store_col_int(st, 9)),
			      "expected_datetime", time_or_null(store_col_int(st, 10)), "address",
			      store_col_text(st, 11), "address_id", "zipcode");
	json_object_set_new(r, "lat", has_loc ? json_real((double)store_col_int(st, 12) / 1e6) : json_null());
	json_object_set_new(r, "long", has_loc ? json_real((double)store_col_int(st, 13) / 1e6) : json_null());
	json_object_set_new(r, "media_url", media);
	return r;
}

struct requests_read {
	struct store_scope scope;
	const char *jurisdiction;
	int64_t ids[MAX_IDS];
	size_t id_count;
	bool by_id;
	char codes[MAX_CODES][CODE_MAX + 1];
	size_t code_count;
	const char *const *states[2]; /* the lists asked for; NULL: not asked */
	int64_t from, to;
	bool en;
	char base[320];
	json_t *out;
};

static int rows_into(struct store_stmt *st, struct requests_read *q)
{
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(q->out, request_json(st, q->base, q->en));
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int requests_tx(struct store_conn *c, void *arg)
{
	struct requests_read *q = arg;
	json_decref(q->out);
	q->out = json_array();
	int rc = open311_jurisdiction(c, q->jurisdiction, &q->scope);
	if (rc == STORE_DONE)
		return STORE_ABORT;
	if (rc != STORE_OK)
		return rc;
	if (q->by_id) {
		for (size_t i = 0; i < q->id_count; i++) {
			struct store_stmt *st = store_prepare(c, sql_request_by_id);
			if (!st)
				return STORE_ERROR;
			store_bind_int(st, 1, q->ids[i]);
			store_bind_scope(st, 2, &q->scope);
			if ((rc = rows_into(st, q)) != STORE_OK)
				return rc;
		}
		return STORE_OK;
	}
	struct store_stmt *st = store_prepare(c, sql_requests);
	if (!st)
		return STORE_ERROR;
	int i = 1;
	store_bind_scope(st, i, &q->scope);
	i += 2;
	store_bind_int(st, i++, q->from);
	store_bind_int(st, i++, q->to);
	store_bind_int(st, i++, (int64_t)q->code_count);
	for (size_t k = 0; k < MAX_CODES; k++)
		store_bind_text(st, i++, q->code_count ? q->codes[k < q->code_count ? k : 0] : "");
	const char *states[7];
	size_t n = 0;
	for (int s = 0; s < 2; s++)
		for (const char *const *p = q->states[s]; p && *p; p++)
			states[n++] = *p;
	for (size_t k = 0; k < 7; k++)
		store_bind_text(st, i++, states[k < n ? k : 0]);
	return rows_into(st, q);
}

/* A comma-separated list into its items; false when one is empty or too
 * long, or there are more than max. */
static bool split_list(const char *text, char (*items)[CODE_MAX + 1], size_t max, size_t *count)
{
	*count = 0;
	const char *p = text;
	for (;;) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n > CODE_MAX || *count == max)
			return false;
		memcpy(items[*count], p, n);
		items[(*count)++][n] = '\0';
		if (!p[n])
			return true;
		p += n + 1;
	}
}

static bool parse_ids(const char *text, struct requests_read *q)
{
	q->id_count = 0;
	const char *p = text;
	for (;;) {
		char *end;
		if (*p < '0' || *p > '9' || q->id_count == MAX_IDS)
			return false;
		long long v = strtoll(p, &end, 10);
		if (v <= 0 || (*end != ',' && *end != '\0'))
			return false;
		q->ids[q->id_count++] = v;
		if (!*end)
			return true;
		p = end + 1;
	}
}

static bool parse_status(const char *text, struct requests_read *q)
{
	char items[2][CODE_MAX + 1];
	size_t n;
	if (!split_list(text, items, 2, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(items[i], "open") == 0)
			q->states[0] = open_states;
		else if (strcmp(items[i], "closed") == 0)
			q->states[1] = closed_states;
		else
			return false;
	}
	return true;
}

static void run_read(struct http_req *req, enum open311_format fmt, struct requests_read *q, bool single)
{
	int rc = store_tx(open311_store, STORE_READ, requests_tx, q);
	if (rc == STORE_ABORT) {
		json_decref(q->out);
		open311_error(req, fmt, 404, "No such jurisdiction_id within this api_key's area");
		return;
	}
	if (rc != STORE_OK) {
		json_decref(q->out);
		open311_store_failure(req, fmt, rc);
		return;
	}
	if (single && json_array_size(q->out) == 0) {
		json_decref(q->out);
		open311_error(req, fmt, 404, "No such service request");
		return;
	}
	open311_reply(req, fmt, 200, "service_requests", q->out);
}

static bool read_setup(struct http_req *req, enum open311_format fmt, struct requests_read *q)
{
	struct caller caller;
	if (!open311_caller(req, fmt, http_query(req, "api_key"), OPEN311_READ, &caller))
		return false;
	q->scope = caller.scope;
	q->jurisdiction = http_query(req, "jurisdiction_id");
	q->en = open311_locale_en(http_query(req, "locale"));
	open311_base_url(req, q->base, sizeof q->base);
	return true;
}

void open311_requests_get(struct http_req *req, enum open311_format fmt)
{
	struct requests_read q = {0};
	if (!read_setup(req, fmt, &q))
		return;
	const char *ids = http_query(req, "service_request_id");
	const char *codes = http_query(req, "service_code");
	const char *status = http_query(req, "status");
	/* The specification: with service_request_id, the other filters are
	 * ignored. */
	if (ids) {
		q.by_id = true;
		if (!parse_ids(ids, &q)) {
			open311_error(req, fmt, 400, "service_request_id is a comma-separated list of at most %d ids",
				      MAX_IDS);
			return;
		}
	} else {
		if (codes && !split_list(codes, q.codes, MAX_CODES, &q.code_count)) {
			open311_error(req, fmt, 400, "service_code is a comma-separated list of at most %d codes", MAX_CODES);
			return;
		}
		if (status && !parse_status(status, &q)) {
			open311_error(req, fmt, 400, "status is open, closed or both, comma-separated");
			return;
		}
		if (!q.states[0] && !q.states[1]) {
			q.states[0] = open_states;
			q.states[1] = closed_states;
		}
		if (!open311_window(req, fmt, &q.from, &q.to))
			return;
	}
	run_read(req, fmt, &q, false);
}

void open311_request_get(struct http_req *req, enum open311_format fmt, const char *id)
{
	struct requests_read q = {.by_id = true};
	if (!read_setup(req, fmt, &q))
		return;
	if (!parse_ids(id, &q) || q.id_count != 1) {
		open311_error(req, fmt, 404, "No such service request");
		return;
	}
	run_read(req, fmt, &q, true);
}

/* ---- POST requests ---- */

struct post_form {
	const char *jurisdiction_id, *api_key, *service_code, *lat, *lon, *address_string, *address_id, *email,
		*device_id, *account_id, *first_name, *last_name, *phone, *description, *media_url;
};

/* What intake needs that only the database knows, checked before it:
 * whether the service exists (to say so in Open311's words), where the
 * jurisdiction is, and the type of each question (a number is stored as
 * one). */
struct post_prepare {
	const char *service_code;
	const char *jurisdiction;
	struct store_scope scope;
	char area_code[AREA_CODE_MAX + 1];
	json_t *attributes;
	bool no_service, no_jurisdiction;
};

static const char sql_category[] = "SELECT fields FROM case_categories WHERE code = ? AND active = 1";
static const char sql_area_code[] = "SELECT code FROM areas WHERE id = ?";

static void numbers_as_numbers(const char *fields_text, json_t *attrs)
{
	json_t *fields = json_loads(fields_text, 0, NULL);
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f) {
		const char *code = json_string_value(json_object_get(f, "code"));
		const char *type = json_string_value(json_object_get(f, "type"));
		json_t *given = code ? json_object_get(attrs, code) : NULL;
		if (!type || strcmp(type, "number") != 0 || !json_is_string(given))
			continue;
		const char *text = json_string_value(given);
		char *end;
		double v = strtod(text, &end);
		if (end != text && !*end && v == v && v < 1e300 && v > -1e300) {
			/* Whole numbers within a double's exact range stay integers. */
			bool whole = !strpbrk(text, ".eE") && v > -9e15 && v < 9e15;
			json_t *num = whole ? json_integer((json_int_t)v) : json_real(v);
			json_object_set_new(attrs, code, num);
		}
	}
	json_decref(fields);
}

static int prepare_tx(struct store_conn *c, void *arg)
{
	struct post_prepare *p = arg;
	p->no_service = p->no_jurisdiction = false;
	struct store_stmt *st = store_prepare(c, sql_category);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, p->service_code);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		numbers_as_numbers(store_col_text(st, 0), p->attributes);
	store_reset(st);
	if (rc == STORE_DONE) {
		p->no_service = true;
		return STORE_ABORT;
	}
	if (rc != STORE_ROW)
		return rc;
	rc = open311_jurisdiction(c, p->jurisdiction, &p->scope);
	if (rc == STORE_DONE) {
		p->no_jurisdiction = true;
		return STORE_ABORT;
	}
	if (rc != STORE_OK)
		return rc;
	if (!(st = store_prepare(c, sql_area_code)))
		return STORE_ERROR;
	store_bind_int(st, 1, p->scope.area_id);
	rc = store_step(st);
	if (rc == STORE_ROW)
		snprintf(p->area_code, sizeof p->area_code, "%s", store_col_text(st, 0));
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc == STORE_DONE ? STORE_ERROR : rc;
}

static bool parse_coordinate(const char *text, double *out)
{
	char *end;
	*out = strtod(text, &end);
	return end != text && !*end && *out == *out;
}

static bool plain_url(const char *url)
{
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ')
			return false;
	return true;
}

static bool has_non_ascii(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/* The reporter's name as people write it: a Chinese name family name
 * first and without a space, others given name first. */
static void reporter_name(const struct post_form *f, char *out, size_t size)
{
	const char *first = f->first_name ? f->first_name : "", *last = f->last_name ? f->last_name : "";
	if (has_non_ascii(first) || has_non_ascii(last))
		snprintf(out, size, "%s%s", last, first);
	else
		snprintf(out, size, "%s%s%s", first, *first && *last ? " " : "", last);
}

/* What the client knows of the reporter that the case has no column for:
 * kept in the internal call notes, never in an Open311 answer. */
static char *client_notes(const struct post_form *f)
{
	struct buf b = {0};
	buf_puts(&b, "Open311");
	if (f->email)
		buf_printf(&b, "; email: %s", f->email);
	if (f->account_id)
		buf_printf(&b, "; account_id: %s", f->account_id);
	if (f->device_id)
		buf_printf(&b, "; device_id: %s", f->device_id);
	if (f->address_id)
		buf_printf(&b, "; address_id: %s", f->address_id);
	return buf_steal(&b);
}

static void post_reply(struct http_req *req, enum open311_format fmt, const struct case_intake_result *r, bool en)
{
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)r->id);
	const char *notice = strcmp(r->state, "dispatched") == 0 ? (en ? "Received and sent to the department responsible"
								       : "已受理，已派至承办部门")
								 : (en ? "Received" : "已受理");
	/* The token is the follow code: the client can pass it on as the
	 * reporter's link to follow, rate or comment on the request. */
	open311_reply(req, fmt, 201, "service_requests",
		      json_pack("[{s:s, s:s, s:n, s:s}]", "service_request_id", id, "service_notice", notice, "account_id",
				"token", r->follow_code));
}

void open311_requests_post(struct http_req *req, enum open311_format fmt)
{
	struct form form;
	if (!open311_read_form(req, fmt, &form)) {
		form_free(&form);
		return;
	}
	struct post_form f;
	const struct form_field fields[] = {
		{"jurisdiction_id", &f.jurisdiction_id, AREA_CODE_MAX},
		{"api_key", &f.api_key, 64},
		{"service_code", &f.service_code, CODE_MAX},
		{"lat", &f.lat, 32},
		{"long", &f.lon, 32},
		{"address_string", &f.address_string, 200},
		{"address_id", &f.address_id, 100},
		{"email", &f.email, 254},
		{"device_id", &f.device_id, 100},
		{"account_id", &f.account_id, 100},
		{"first_name", &f.first_name, 20},
		{"last_name", &f.last_name, 20},
		{"phone", &f.phone, 24},
		{"description", &f.description, 4000},
		{"media_url", &f.media_url, 500},
		{NULL, NULL, 0},
	};
	json_t *attributes = NULL;
	char err[200];
	if (form_bind(&form, fields, &attributes, err, sizeof err)) {
		open311_error(req, fmt, 400, "%s", err);
		form_free(&form);
		return;
	}
	const char *api_key = f.api_key ? f.api_key : http_query(req, "api_key");
	const char *jurisdiction = f.jurisdiction_id ? f.jurisdiction_id : http_query(req, "jurisdiction_id");
	struct caller caller;
	struct post_prepare p = {.service_code = f.service_code, .jurisdiction = jurisdiction, .attributes = attributes};
	struct case_intake in = {.source = "open311", .category = f.service_code, .urgent = -1};
	char name[200], *notes = NULL;
	struct buf description = {0};
	bool en = open311_locale_en(http_query(req, "locale"));
	if (!open311_caller(req, fmt, api_key, OPEN311_SUBMIT, &caller))
		goto done;
	if (!f.service_code) {
		open311_error(req, fmt, 400, "service_code is required");
		goto done;
	}
	if (!f.lat != !f.lon) {
		open311_error(req, fmt, 400, "lat and long go together");
		goto done;
	}
	if (!f.lat && !f.address_string && !f.address_id) {
		open311_error(req, fmt, 400, "A location is required: lat and long, address_string or address_id");
		goto done;
	}
	if (f.lat && (!parse_coordinate(f.lat, &in.lat) || !parse_coordinate(f.lon, &in.lon) || in.lat < -90 ||
		      in.lat > 90 || in.lon < -180 || in.lon > 180)) {
		open311_error(req, fmt, 400, "lat is a number in -90..90 and long in -180..180 (WGS-84)");
		goto done;
	}
	in.has_location = f.lat != NULL;
	/* Intake needs words to route and title a case: an empty request is
	 * refused here rather than stored. */
	if (!f.description || open311_chars(f.description) < 2) {
		open311_error(req, fmt, 400, "description is required");
		goto done;
	}
	if (f.media_url && !plain_url(f.media_url)) {
		open311_error(req, fmt, 400, "media_url is an http or https URL");
		goto done;
	}
	p.scope = caller.scope;
	int rc = store_tx(open311_store, STORE_READ, prepare_tx, &p);
	if (rc == STORE_ABORT) {
		if (p.no_service)
			open311_error(req, fmt, 400, "No such service_code: %s", f.service_code);
		else
			open311_error(req, fmt, 404, "No such jurisdiction_id within this api_key's area");
		goto done;
	}
	if (rc != STORE_OK) {
		open311_store_failure(req, fmt, rc);
		goto done;
	}
	/* Remote media are not fetched (the server would fetch whatever a
	 * client names); the link goes with the text for the handler. */
	buf_puts(&description, f.description);
	if (f.media_url)
		buf_printf(&description, "\n\n%s: %s", en ? "Media" : "附件", f.media_url);
	in.description = description.data;
	in.area_code = p.area_code;
	in.address = f.address_string;
	in.attributes = json_object_size(attributes) ? attributes : NULL;
	reporter_name(&f, name, sizeof name);
	in.reporter_name = *name ? name : "";
	in.reporter_phone = f.phone;
	notes = client_notes(&f);
	in.call_notes = notes;
	struct actor actor;
	open311_actor(req, &caller, &actor);
	struct case_intake_result r;
	rc = cases_intake(&caller, &actor, &in, &r);
	if (rc == STORE_ABORT)
		open311_error(req, fmt, 400, "%s", r.error_message);
	else if (rc != STORE_OK)
		open311_store_failure(req, fmt, rc);
	else
		post_reply(req, fmt, &r, en);
done:
	free(notes);
	buf_free(&description);
	json_decref(attributes);
	form_free(&form);
}

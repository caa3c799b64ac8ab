/* Intake: every channel a case comes in by (a resident's phone, a grid
 * worker's report, the 12345 hotline, the service window, integrations),
 * checked the same way and routed by rule in the transaction that writes
 * it. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idcheck.h"
#include "core/timeutil.h"
#include "modules/cases/cases.h"
#include "modules/cases/cases_internal.h"
#include "modules/cases/tallies.h"
#include "modules/common/reply.h"
#include "modules/notify/notify.h"

/* Which sources a caller may claim; the first is the default. Staff take
 * calls and visitors; a token is an integration; everyone else speaks for
 * themselves. */
static const char *const *sources_for(const struct caller *caller)
{
	static const char *const anonymous[] = {"resident", NULL};
	static const char *const token[] = {"api", "open311", NULL};
	static const char *const staff[] = {"hotline", "window", NULL};
	static const char *const grid[] = {"grid_worker", NULL};
	if (!caller)
		return anonymous;
	if (caller->token_id)
		return token;
	switch (caller->role) {
	case ROLE_ADMIN:
	case ROLE_COMMANDER:
	case ROLE_STAFF:
		return staff;
	case ROLE_GRID_WORKER:
		return grid;
	default:
		return anonymous;
	}
}

/* Residents may report about any place; staff, grid workers and tokens
 * only inside their scope. */
static bool reports_anywhere(const struct caller *caller)
{
	return !caller || (!caller->token_id && caller->role == ROLE_RESIDENT);
}

struct intake_tx {
	const struct caller *caller;
	const struct actor *actor;
	const struct case_intake *in;
	struct case_intake_result *out;
	const char *source;
	char phone[20], phone_masked[24], title[CASE_TITLE_MAX * 4 + 1];
	char follow_hash[65];
	char *attributes;
};

static const char sql_area_by_code[] = "SELECT id, path FROM areas WHERE code = ?";
static const char sql_category_fields[] = "SELECT fields FROM case_categories WHERE code = ?";
static const char sql_case_insert[] =
	"INSERT INTO cases (follow_hash, category_code, area_id, source, state, urgent, title, description, address,"
	" lat_e6, lon_e6, attributes, reporter_user_id, reporter_name, reporter_phone_sealed, reporter_phone_hash,"
	" reporter_phone_masked, key_version, call_notes, created_by, suggested_unit_id, submitted_at, updated_at)"
	" VALUES (?, ?, ?, ?, 'submitted', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_dispatch_by_rule[] =
	"UPDATE cases SET state = 'dispatched', lead_unit_id = ?, dispatched_at = ?, sign_due_at = ?,"
	" version = version + 1, updated_at = ? WHERE id = ?";
static const char sql_answer_directly[] =
	"UPDATE cases SET state = 'closed', result = ?, closed_at = ?, version = version + 1, updated_at = ?"
	" WHERE id = ?";
static const char sql_co_insert[] =
	"INSERT INTO case_units (case_id, unit_id, added_at) VALUES (?, ?, ?) ON CONFLICT (case_id, unit_id) DO NOTHING";

static const char *str_or_empty(json_t *v)
{
	const char *s = json_string_value(v);
	return s ? s : "";
}

static bool value_listed(json_t *values, const char *given)
{
	size_t k;
	json_t *v;
	json_array_foreach(values, k, v) if (strcmp(str_or_empty(json_object_get(v, "key")), given) == 0) return true;
	return false;
}

/* Checks the answers to the category's extra questions: every required one
 * present, no unknown ones, list answers among the listed keys. */
static bool attributes_ok(const char *fields_text, json_t *attrs, struct case_intake_result *out)
{
	json_t *fields = json_loads(fields_text, 0, NULL);
	bool ok = true;
	if (!json_is_array(fields)) {
		json_decref(fields);
		return true;
	}
	const char *key;
	json_t *val;
	if (attrs)
		json_object_foreach(attrs, key, val) {
			bool known = false;
			size_t i;
			json_t *f;
			json_array_foreach(fields, i, f) if (strcmp(str_or_empty(json_object_get(f, "code")), key) == 0)
			{
				known = true;
				const char *type = str_or_empty(json_object_get(f, "type"));
				json_t *values = json_object_get(f, "values");
				if (strstr(type, "valuelist") && json_is_array(values)) {
					/* A multi-value answer is a list of keys; any answer
					 * may be one key. Every key must be listed. */
					bool listed = true;
					size_t k, n = json_is_array(val) ? json_array_size(val) : 1;
					if (json_is_array(val) && (strcmp(type, "multivaluelist") || n == 0))
						listed = false;
					for (k = 0; listed && k < n; k++) {
						json_t *one = json_is_array(val) ? json_array_get(val, k) : val;
						listed = json_is_string(one) && value_listed(values, json_string_value(one));
					}
					if (!listed) {
						out->error = HTTP_ERR_invalid_value;
						snprintf(out->error_message, sizeof out->error_message,
							 "attributes.%s is not one of the listed values", key);
						ok = false;
					}
				} else if (!json_is_string(val) && !json_is_number(val)) {
					out->error = HTTP_ERR_invalid_type;
					snprintf(out->error_message, sizeof out->error_message,
						 "attributes.%s must be a string or a number", key);
					ok = false;
				}
			}
			if (!known && ok) {
				out->error = HTTP_ERR_unknown_field;
				snprintf(out->error_message, sizeof out->error_message,
					 "This category asks no question named %s", key);
				ok = false;
			}
			if (!ok)
				break;
		}
	size_t i;
	json_t *f;
	if (ok)
		json_array_foreach(fields, i, f) {
			const char *code = json_string_value(json_object_get(f, "code"));
			if (code && json_is_true(json_object_get(f, "required")) && !json_object_get(attrs, code)) {
				out->error = HTTP_ERR_missing_field;
				snprintf(out->error_message, sizeof out->error_message, "attributes.%s is required", code);
				ok = false;
				break;
			}
		}
	json_decref(fields);
	if (!ok)
		out->error_field = "attributes";
	return ok;
}

static int dispatch_by_rule(struct store_conn *c, struct intake_tx *t, int64_t id, const struct case_route_choice *rule,
			    const struct case_limits *limits, bool urgent)
{
	int64_t now = time_now();
	const struct workcal *cal = cases_calendar(c);
	if (!cal)
		return STORE_ERROR;
	struct store_stmt *st = store_prepare(c, sql_dispatch_by_rule);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, rule->lead_unit_id);
	store_bind_int(st, 2, now);
	store_bind_int(st, 3, case_sign_due(limits, cal, now, urgent));
	store_bind_int(st, 4, now);
	store_bind_int(st, 5, id);
	int rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	for (size_t i = 0; i < rule->co_count; i++) {
		if (!(st = store_prepare(c, sql_co_insert)))
			return STORE_ERROR;
		store_bind_int(st, 1, id);
		store_bind_int(st, 2, rule->co_units[i]);
		store_bind_int(st, 3, now);
		rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	json_t *data = json_pack("{s:I, s:I, s:b}", "lead_department", (json_int_t)rule->lead_unit_id, "route_id",
				 (json_int_t)rule->route_id, "automatic", 1);
	struct case_event e = {.case_id = id, .action = "dispatch", .party = "system", .from_state = "submitted",
			       .to_state = "dispatched", .actor_login = "system", .data = data, .public = true};
	rc = case_event_add(c, &e, NULL);
	json_decref(data);
	if (rc != STORE_OK)
		return rc;
	snprintf(t->out->state, sizeof t->out->state, "dispatched");
	json_t *payload = json_pack("{s:I, s:s, s:I}", "case_id", (json_int_t)id, "state", "dispatched", "lead_department",
				    (json_int_t)rule->lead_unit_id);
	rc = notify_enqueue(c, "case.dispatched", payload);
	json_decref(payload);
	return rc;
}

static int answer_directly(struct store_conn *c, struct intake_tx *t, int64_t id)
{
	int64_t now = time_now();
	struct store_stmt *st = store_prepare(c, sql_answer_directly);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, t->in->direct_answer);
	store_bind_int(st, 2, now);
	store_bind_int(st, 3, now);
	store_bind_int(st, 4, id);
	int rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	struct case_event e = {.case_id = id, .action = "answer_directly", .party = "dispatcher",
			       .from_state = "submitted", .to_state = "closed", .caller = t->caller,
			       .actor_login = t->actor->login, .note = t->in->direct_answer, .public = true};
	if ((rc = case_event_add(c, &e, NULL)) != STORE_OK)
		return rc;
	snprintf(t->out->state, sizeof t->out->state, "closed");
	return STORE_OK;
}

static int intake_tx(struct store_conn *c, void *arg)
{
	struct intake_tx *t = arg;
	const struct case_intake *in = t->in;
	struct case_intake_result *out = t->out;
	snprintf(out->state, sizeof out->state, "submitted");

	struct case_limits limits;
	int rc = case_category_limits(c, in->category, &limits);
	if (rc == STORE_OK && !limits.active)
		rc = STORE_DONE;
	if (rc == STORE_DONE)
		CASE_REFUSE(out, HTTP_ERR_invalid_value, "category", "No such category: %s", in->category);
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_category_fields);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, in->category);
	rc = store_step(st);
	bool attrs_ok = rc != STORE_ROW || attributes_ok(store_col_text(st, 0), in->attributes, out);
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return rc;
	if (!attrs_ok)
		return STORE_ABORT;

	const char *area_code = in->area_code ? in->area_code : (t->caller ? t->caller->scope_code : NULL);
	if (!area_code)
		CASE_REFUSE(out, HTTP_ERR_missing_field, "area_code", "Say where: the code of the community or grid");
	if (!(st = store_prepare(c, sql_area_by_code)))
		return STORE_ERROR;
	store_bind_text(st, 1, area_code);
	rc = store_step(st);
	int64_t area_id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	char area_path[STORE_PATH_MAX] = "";
	if (rc == STORE_ROW)
		snprintf(area_path, sizeof area_path, "%s", store_col_text(st, 1));
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return rc;
	if (!area_id || (!reports_anywhere(t->caller) && !store_path_in_scope(&t->caller->scope, area_path)))
		CASE_REFUSE(out, HTTP_ERR_invalid_value, "area_code", "No such area in your scope");

	struct case_route_choice rule = {0};
	rc = case_route_find(c, in->category, area_path, &rule);
	if (rc != STORE_OK && rc != STORE_DONE)
		return rc;
	bool routed = rc == STORE_OK;
	bool urgent = in->urgent < 0 ? limits.urgent : in->urgent != 0;

	unsigned char sealed[VAULT_SEALED_SIZE(sizeof t->phone)];
	char phone_hash[VAULT_HASH_HEX];
	size_t phone_len = strlen(t->phone);
	if (phone_len) {
		vault_seal(cases_vault, t->phone, phone_len, sealed);
		vault_hash(cases_vault, 0, "phone", t->phone, phone_hash);
	}
	int64_t now = time_now();
	if (!(st = store_prepare(c, sql_case_insert)))
		return STORE_ERROR;
	store_bind_text(st, 1, t->follow_hash);
	store_bind_text(st, 2, in->category);
	store_bind_int(st, 3, area_id);
	store_bind_text(st, 4, t->source);
	store_bind_int(st, 5, urgent ? 1 : 0);
	store_bind_text(st, 6, t->title);
	store_bind_text(st, 7, in->description);
	store_bind_text(st, 8, in->address ? in->address : "");
	if (in->has_location) {
		store_bind_int(st, 9, (int64_t)(in->lat * 1e6 + (in->lat >= 0 ? 0.5 : -0.5)));
		store_bind_int(st, 10, (int64_t)(in->lon * 1e6 + (in->lon >= 0 ? 0.5 : -0.5)));
	} else {
		store_bind_null(st, 9);
		store_bind_null(st, 10);
	}
	store_bind_text(st, 11, t->attributes);
	if (t->caller && t->caller->user_id)
		store_bind_int(st, 12, t->caller->user_id);
	else
		store_bind_null(st, 12);
	store_bind_text(st, 13, in->reporter_name ? in->reporter_name : (t->caller ? t->caller->display_name : ""));
	if (phone_len) {
		store_bind_blob(st, 14, sealed, VAULT_SEALED_SIZE(phone_len));
		store_bind_text(st, 15, phone_hash);
	} else {
		store_bind_null(st, 14);
		store_bind_null(st, 15);
	}
	store_bind_text(st, 16, t->phone_masked);
	store_bind_int(st, 17, phone_len ? cases_vault->current : 0);
	store_bind_text(st, 18, in->call_notes ? in->call_notes : "");
	store_bind_text(st, 19, t->actor->login);
	if (routed)
		store_bind_int(st, 20, rule.lead_unit_id);
	else
		store_bind_null(st, 20);
	store_bind_int(st, 21, now);
	store_bind_int(st, 22, now);
	rc = store_step(st);
	int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	if (rc != STORE_ROW)
		return rc;
	out->id = id;

	/* The hotline and the window record for the caller; the timeline
	 * says who took it. */
	bool staff_intake = strcmp(t->source, "hotline") == 0 || strcmp(t->source, "window") == 0;
	struct case_event e = {.case_id = id, .action = "submit", .party = staff_intake ? "dispatcher" : "reporter",
			       .from_state = "", .to_state = "submitted", .caller = t->caller,
			       .actor_login = t->actor->login, .public = true};
	json_t *data = json_pack("{s:s}", "source", t->source);
	e.data = data;
	int64_t event_id = 0;
	rc = case_event_add(c, &e, &event_id);
	json_decref(data);
	if (rc != STORE_OK)
		return rc;
	if (in->photos) {
		const char *bad = NULL;
		rc = case_attach_photos(c, id, 0, in->photos, &bad);
		if (rc == STORE_ABORT)
			CASE_REFUSE(out, HTTP_ERR_invalid_value, "photos", "No uploaded photo %.16s…: upload it first", bad);
		if (rc != STORE_OK)
			return rc;
	}
	json_t *summary = json_pack("{s:s, s:s, s:s, s:s}", "category", in->category, "area", area_code, "source",
				    t->source, "phone", t->phone_masked);
	char object_id[24];
	snprintf(object_id, sizeof object_id, "%lld", (long long)id);
	rc = audit_append(c, t->actor, "case.create", "case", object_id, area_id, summary);
	json_decref(summary);
	if (rc != STORE_OK)
		return rc;
	json_t *payload = json_pack("{s:I, s:s, s:s, s:s, s:b}", "case_id", (json_int_t)id, "category", in->category,
				    "area", area_code, "source", t->source, "urgent", urgent);
	rc = notify_enqueue(c, "case.submitted", payload);
	json_decref(payload);
	if (rc != STORE_OK)
		return rc;

	if (in->direct_answer)
		rc = answer_directly(c, t, id);
	else if (routed && rule.auto_dispatch)
		rc = dispatch_by_rule(c, t, id, &rule, &limits, urgent);
	/* The case counts in the figures as it leaves intake. */
	return rc == STORE_OK ? case_tally_update(c, NULL, id) : rc;
}

/* A title from the description: its first 30 characters. */
static void default_title(const char *text, char *out, size_t size)
{
	size_t n = 0, chars = 0;
	while (text[n] && chars < 30 && n + 4 < size) {
		unsigned char b = (unsigned char)text[n];
		size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
		if (text[n] == '\n' || text[n] == '\r')
			break;
		n += len;
		chars++;
	}
	memcpy(out, text, n);
	out[n] = '\0';
}

static void follow_code_new(char code[40], char hash[65])
{
	static const char alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz"; /* no 0/1/i/l/o: read aloud on the phone */
	unsigned char raw[26];
	randombytes_buf(raw, sizeof raw);
	for (size_t i = 0; i < sizeof raw; i++)
		code[i] = alphabet[raw[i] % (sizeof alphabet - 1)];
	code[sizeof raw] = '\0';
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)code, strlen(code), NULL, 0);
	sodium_bin2hex(hash, 65, h, sizeof h);
}

int cases_intake(const struct caller *caller, const struct actor *actor, const struct case_intake *in,
		 struct case_intake_result *out)
{
	memset(out, 0, sizeof *out);
	struct intake_tx t = {.caller = caller, .actor = actor, .in = in, .out = out};
	const char *const *allowed = sources_for(caller);
	t.source = in->source ? in->source : allowed[0];
	bool source_ok = false;
	for (const char *const *s = allowed; *s; s++)
		source_ok |= strcmp(*s, t.source) == 0;
	if (!source_ok)
		CASE_REFUSE(out, HTTP_ERR_invalid_value, "source", "You may not submit as source %s", t.source);
	if (in->reporter_phone && *in->reporter_phone) {
		char mobile[IDCHECK_MOBILE_SIZE], landline[IDCHECK_LANDLINE_SIZE];
		if (idcheck_mobile(in->reporter_phone, mobile))
			snprintf(t.phone, sizeof t.phone, "%s", mobile);
		else if (idcheck_landline(in->reporter_phone, landline))
			snprintf(t.phone, sizeof t.phone, "%s", landline);
		else
			CASE_REFUSE(out, HTTP_ERR_invalid_value, "reporter_phone", "Not a phone number in China");
		idcheck_mask_phone(t.phone, t.phone_masked, sizeof t.phone_masked);
	} else if (!caller) {
		/* An anonymous request needs a way back to its reporter. */
		CASE_REFUSE(out, HTTP_ERR_missing_field, "reporter_phone", "Leave a phone number so the handler can call back");
	}
	if (in->has_location && (in->lat < -90 || in->lat > 90 || in->lon < -180 || in->lon > 180))
		CASE_REFUSE(out, HTTP_ERR_invalid_value, "location", "Latitude -90..90 and longitude -180..180");
	if (in->direct_answer && strcmp(t.source, "hotline") && strcmp(t.source, "window"))
		CASE_REFUSE(out, HTTP_ERR_invalid_value, "direct_answer", "Only the hotline and the window answer directly");
	if (in->title && *in->title)
		snprintf(t.title, sizeof t.title, "%s", in->title);
	else
		default_title(in->description, t.title, sizeof t.title);
	t.attributes = in->attributes ? json_dumps(in->attributes, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	follow_code_new(out->follow_code, t.follow_hash);
	int rc = store_tx(cases_store, STORE_WRITE, intake_tx, &t);
	free(t.attributes);
	return rc;
}

static const char sql_by_follow[] = "SELECT id FROM cases WHERE follow_hash = ?";

int cases_find_by_follow_code(struct store_conn *c, const char *code, int64_t *id)
{
	size_t n = strlen(code);
	if (n < 20 || n > 40)
		return STORE_DONE;
	unsigned char h[32];
	char hash[65];
	crypto_generichash(h, sizeof h, (const unsigned char *)code, n, NULL, 0);
	sodium_bin2hex(hash, sizeof hash, h, sizeof h);
	struct store_stmt *st = store_prepare(c, sql_by_follow);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, hash);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*id = store_col_int(st, 0);
		rc = STORE_OK;
	}
	store_reset(st);
	return rc;
}

/* ---- the two intake routes ---- */

static void intake_reply(struct http_req *req, const struct case_intake_result *r, int rc)
{
	if (rc == STORE_ABORT) {
		http_reply_error(req, r->error, r->error_field, "%s", r->error_message);
		return;
	}
	if (rc != STORE_OK) {
		reply_store_failure(req, rc);
		return;
	}
	char url[96];
	snprintf(url, sizeof url, "/#/follow/%s", r->follow_code);
	http_reply_json(req, 201, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)r->id, "state", r->state,
					    "follow_code", r->follow_code, "follow_url", url));
}

static void intake_route(struct http_req *req, const struct caller *caller)
{
	struct case_intake in = {.urgent = -1};
	json_t *location = NULL;
	bool urgent = false, urgent_given = false;
	const struct field_spec specs[] = {
		FIELD_STR_OPT("source", &in.source, 16),
		FIELD_STR("category", &in.category, 1, CASE_CATEGORY_CODE_MAX),
		FIELD_STR_OPT("area_code", &in.area_code, 48),
		FIELD_STR_OPT("title", &in.title, CASE_TITLE_MAX),
		FIELD_STR("description", &in.description, 2, CASE_TEXT_MAX),
		FIELD_STR_OPT("address", &in.address, 200),
		{.name = "location", .type = FIELD_OBJECT, .dest = &location, .optional = true},
		FIELD_STR_OPT("reporter_name", &in.reporter_name, 40),
		FIELD_STR_OPT("reporter_phone", &in.reporter_phone, 24),
		FIELD_STR_OPT("call_notes", &in.call_notes, CASE_TEXT_MAX),
		FIELD_STR_OPT("direct_answer", &in.direct_answer, CASE_TEXT_MAX),
		{.name = "urgent", .type = FIELD_BOOL, .dest = &urgent, .optional = true, .present = &urgent_given},
		{.name = "attributes", .type = FIELD_OBJECT, .dest = &in.attributes, .optional = true},
		{.name = "photos", .type = FIELD_ARRAY, .dest = &in.photos, .optional = true},
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	if (location) {
		json_t *lat = json_object_get(location, "lat"), *lon = json_object_get(location, "lon");
		if (!json_is_number(lat) || !json_is_number(lon) || json_object_size(location) != 2) {
			http_reply_error(req, HTTP_ERR_invalid_value, "location", "location is {\"lat\": number, \"lon\": number}");
			return;
		}
		in.has_location = true;
		in.lat = json_number_value(lat);
		in.lon = json_number_value(lon);
	}
	/* A resident cannot make their own request jump the queue: urgency
	 * is the category's, or staff's and grid workers' judgement. */
	if (urgent_given && caller && caller->role != ROLE_RESIDENT)
		in.urgent = urgent ? 1 : 0;
	if (in.direct_answer && !*in.direct_answer)
		in.direct_answer = NULL;
	if (!case_photos_input_ok(req, in.photos))
		return;
	struct actor actor;
	identity_actor(req, &actor);
	struct case_intake_result r;
	int rc = cases_intake(caller, &actor, &in, &r);
	intake_reply(req, &r, rc);
}

void cases_create(struct http_req *req)
{
	intake_route(req, identity_caller(req));
}

/* Anonymous: even a signed-in browser is treated as a passer-by here, so
 * the public form never acts with a session's powers. */
void cases_create_public(struct http_req *req)
{
	intake_route(req, NULL);
}

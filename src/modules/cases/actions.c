/* Actions on a case: POST /api/v1/cases/{id}/actions {"action": ...,
 * "version": n, ...}. lifecycle.c decides whether the caller may; this file
 * loads the facts, writes what changed (clock, departments, rating) with a
 * timeline entry, an audit entry and an outbox event, all in one
 * transaction. The row version serializes concurrent actions: the loser
 * gets 409 conflict and the case as it now is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "modules/cases/cases_internal.h"
#include "modules/cases/tallies.h"
#include "modules/common/reply.h"
#include "modules/notify/notify.h"

/* Steps a resident following their case sees; the rest is internal. */
static bool action_public(enum case_action a, enum case_party p)
{
	switch (a) {
	case CASE_DISPATCH:
	case CASE_SIGN:
	case CASE_APPROVE_EXTENSION:
	case CASE_RESOLVE:
	case CASE_RATE:
	case CASE_CLOSE:
	case CASE_WHISTLE:
	case CASE_MERGE:
	case CASE_ANSWER_DIRECTLY:
	case CASE_WITHDRAW:
		return true;
	case CASE_COMMENT:
		return p == CASE_REPORTER;
	default:
		return false;
	}
}

/* The departments a case may go to: those in the caller's scope, and
 * those stationed above the case's area (a town or county department
 * serves every community below it). Binds: scope (2), the case's path. */
#define DEPARTMENTS_WHERE                                                                                            \
	" WHERE (" STORE_IN_SCOPE("a") " OR substr(CAST(? AS TEXT), 1, length(a.path)) = a.path)"
static const char sql_unit_dispatchable[] =
	"SELECT 1 FROM units u JOIN areas a ON a.id = u.area_id" DEPARTMENTS_WHERE " AND u.id = ?";
static const char sql_departments[] =
	"SELECT u.id, u.name, u.type, a.code, a.name, length(a.path) FROM units u JOIN areas a ON a.id = u.area_id"
	DEPARTMENTS_WHERE " ORDER BY length(a.path) DESC, u.name, u.id LIMIT 500";

static int unit_dispatchable(struct store_conn *c, const struct caller *caller, const struct case_row *row,
			     int64_t id, bool *yes)
{
	struct store_stmt *st = store_prepare(c, sql_unit_dispatchable);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, &caller->scope);
	store_bind_text(st, 3, row->area_path);
	store_bind_int(st, 4, id);
	int rc = store_step(st);
	store_reset(st);
	*yes = rc == STORE_ROW;
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

static const char sql_update_facts[] =
	"UPDATE cases SET state = ?, lead_unit_id = ?, reopen_count = ?, extension_pending = ?, extension_days = ?,"
	" ruled = ?, merged_into = ?, dispatched_at = ?, signed_at = ?, resolved_at = ?, sign_due_at = ?,"
	" resolve_due_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?";
static const char sql_update_extras[] =
	"UPDATE cases SET signed_late = COALESCE(?, signed_late), resolved_late = COALESCE(?, resolved_late),"
	" result = COALESCE(CAST(? AS TEXT), result), rating_outcome = COALESCE(CAST(? AS TEXT), rating_outcome),"
	" satisfaction = COALESCE(CAST(? AS TEXT), satisfaction),"
	" rating_comment = COALESCE(CAST(? AS TEXT), rating_comment), rated_at = COALESCE(?, rated_at),"
	" closed_at = COALESCE(?, closed_at), supervised = CASE WHEN ? = 1 THEN 1 ELSE supervised END,"
	" reminders = reminders + ?, reminded_at = COALESCE(?, reminded_at) WHERE id = ?";
/* An unsatisfied first rating sends the case back: the next rating is the
 * one that counts, so the first one lives on only in the timeline. */
static const char sql_reopen[] =
	"UPDATE cases SET rating_outcome = NULL, satisfaction = NULL, rating_comment = '', rated_at = NULL,"
	" resolved_late = NULL WHERE id = ?";
static const char sql_co_add[] =
	"INSERT INTO case_units (added_at, case_id, unit_id) VALUES (?, ?, ?) ON CONFLICT (case_id, unit_id) DO NOTHING";
static const char sql_co_report[] =
	"UPDATE case_units SET reported_at = COALESCE(reported_at, ?) WHERE case_id = ? AND unit_id = ?";
static const char sql_co_reply[] =
	"UPDATE case_units SET reported_at = COALESCE(reported_at, ?), replied_at = ?, reply = ?"
	" WHERE case_id = ? AND unit_id = ?";

static void bind_opt_int(struct store_stmt *st, int idx, int64_t v)
{
	if (v)
		store_bind_int(st, idx, v);
	else
		store_bind_null(st, idx);
}

struct extras {
	int signed_late, resolved_late; /* -1: unchanged */
	const char *result, *rating_outcome, *satisfaction, *rating_comment;
	int64_t rated_at, closed_at, reminded_at;
	int supervised, reminders;
};

static int write_extras(struct store_conn *c, int64_t id, const struct extras *x)
{
	struct store_stmt *st = store_prepare(c, sql_update_extras);
	if (!st)
		return STORE_ERROR;
	if (x->signed_late >= 0)
		store_bind_int(st, 1, x->signed_late);
	else
		store_bind_null(st, 1);
	if (x->resolved_late >= 0)
		store_bind_int(st, 2, x->resolved_late);
	else
		store_bind_null(st, 2);
	store_bind_text(st, 3, x->result);
	store_bind_text(st, 4, x->rating_outcome);
	store_bind_text(st, 5, x->satisfaction);
	store_bind_text(st, 6, x->rating_comment);
	bind_opt_int(st, 7, x->rated_at);
	bind_opt_int(st, 8, x->closed_at);
	store_bind_int(st, 9, x->supervised);
	store_bind_int(st, 10, x->reminders);
	bind_opt_int(st, 11, x->reminded_at);
	store_bind_int(st, 12, id);
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int exec_case_units(struct store_conn *c, const char *sql, int64_t case_id, int64_t unit_id, int64_t now,
			   const char *reply)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return STORE_ERROR;
	int i = 1;
	store_bind_int(st, i++, now);
	if (reply) {
		store_bind_int(st, i++, now);
		store_bind_text(st, i++, reply);
	}
	store_bind_int(st, i++, case_id);
	store_bind_int(st, i++, unit_id);
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Decides for the first of the caller's parties that may act; when none
 * may, the answer is the first party's refusal (the state, before the
 * party, so a case in the wrong state says so to everyone). */
static int decide(struct case_action_request *r, const struct case_row *row, unsigned parties,
		  struct case_facts *next, enum case_party *party)
{
	struct case_facts now;
	case_facts_of(row, &now);
	enum case_step_result first = CASE_STEP_OK;
	const char *first_why = NULL;
	enum case_party first_party = CASE_PARTY_NONE;
	bool tried = false;
	for (int p = 0; p < CASE_PARTY_COUNT; p++) {
		if (!((parties >> p) & 1u))
			continue;
		struct case_step_input in = r->input;
		in.party = (enum case_party)p;
		const char *why;
		enum case_step_result res = case_step(&now, &in, next, &why);
		if (res == CASE_STEP_OK) {
			*party = (enum case_party)p;
			return STORE_OK;
		}
		if (!tried) {
			first = res;
			first_why = why;
			first_party = (enum case_party)p;
			tried = true;
		}
	}
	if (!tried) {
		struct case_step_input in = r->input;
		in.party = CASE_PARTY_NONE;
		first = case_step(&now, &in, next, &first_why);
	}
	const char *action = case_action_name(r->action);
	switch (first) {
	case CASE_STEP_INVALID_TRANSITION:
		if (strcmp(first_why, row->state) == 0)
			CASE_REFUSE(r, HTTP_ERR_invalid_transition, "action", "Cannot %s: the case is %s", action, row->state);
		CASE_REFUSE(r, HTTP_ERR_invalid_transition, "action", "Cannot %s: the case is %s (%s)", action, row->state,
			   first_why);
	case CASE_STEP_FORBIDDEN:
		CASE_REFUSE(r, HTTP_ERR_forbidden, "action", "Your part on this case (%s) may not %s",
			   tried ? case_party_name(first_party) : "none", action);
	case CASE_STEP_MISSING_FIELD:
		CASE_REFUSE(r, HTTP_ERR_missing_field, first_why, "%s needs %s", action, first_why);
	case CASE_STEP_BAD_VALUE:
		CASE_REFUSE(r, HTTP_ERR_invalid_value, first_why, "Invalid %s", first_why);
	case CASE_STEP_OK:
		break;
	}
	return STORE_ERROR;
}

/* Checks what only the database knows: departments exist, a merge target
 * is an open case the caller sees. */
static int check_references(struct store_conn *c, struct case_action_request *r, const struct case_row *row)
{
	bool ok;
	int rc;
	if (!r->caller)
		return STORE_OK; /* the reporter and the timers name no departments */
	if (r->action == CASE_DISPATCH) {
		if ((rc = unit_dispatchable(c, r->caller, row, r->input.lead_department, &ok)) != STORE_OK)
			return rc;
		if (!ok)
			CASE_REFUSE(r, HTTP_ERR_invalid_value, "lead_department", "No such department");
	}
	for (size_t i = 0; i < r->input.co_department_count; i++) {
		if ((rc = unit_dispatchable(c, r->caller, row, r->input.co_departments[i], &ok)) != STORE_OK)
			return rc;
		if (!ok)
			CASE_REFUSE(r, HTTP_ERR_invalid_value, "co_departments", "No such department: %lld",
				   (long long)r->input.co_departments[i]);
	}
	if (r->action == CASE_MERGE) {
		struct case_row target;
		rc = case_load_visible(c, r->caller, r->input.merged_into, &target);
		if (rc == STORE_DONE)
			CASE_REFUSE(r, HTTP_ERR_invalid_value, "merged_into", "No such case");
		if (rc != STORE_OK)
			return rc;
		if (target.merged_into || strcmp(target.state, "closed") == 0 || target.id == row->id)
			CASE_REFUSE(r, HTTP_ERR_invalid_value, "merged_into", "Merge into an open case");
	}
	return STORE_OK;
}

static int act_tx(struct store_conn *c, void *arg)
{
	struct case_action_request *r = arg;
	json_decref(r->result);
	r->result = NULL;
	struct case_row row;
	int rc = case_load(c, r->case_id, &row);
	if (rc == STORE_OK && !r->as_reporter && !r->as_system)
		rc = case_visible(c, r->caller, &row);
	if (rc == STORE_DONE)
		CASE_REFUSE(r, HTTP_ERR_not_found, NULL, "No such case");
	if (rc != STORE_OK)
		return rc;
	unsigned parties = 0;
	if (r->as_reporter)
		parties = 1u << CASE_REPORTER;
	else if (r->as_system)
		parties = 1u << CASE_SYSTEM;
	else if ((rc = case_parties(c, r->caller, &row, &parties)) != STORE_OK)
		return rc;
	if (r->version != row.version)
		CASE_REFUSE(r, HTTP_ERR_conflict, "version", "The case changed (now version %d): reload and try again",
			   row.version);
	r->input.action = r->action;
	struct case_facts next;
	enum case_party party = CASE_PARTY_NONE;
	if ((rc = decide(r, &row, parties, &next, &party)) != STORE_OK)
		return rc;
	if ((rc = check_references(c, r, &row)) != STORE_OK)
		return rc;

	struct case_limits limits;
	rc = case_category_limits(c, row.category, &limits);
	if (rc != STORE_OK)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	const struct workcal *cal = cases_calendar(c);
	if (!cal)
		return STORE_ERROR;
	int64_t now = time_now();
	struct case_row after = row;
	struct extras x = {.signed_late = -1, .resolved_late = -1};
	bool reopened = false;
	const char *note = r->input.text;
	switch (r->action) {
	case CASE_DISPATCH:
	case CASE_RULE:
		after.dispatched_at = now;
		after.sign_due_at = case_sign_due(&limits, cal, now, row.urgent);
		after.signed_at = 0;
		after.resolve_due_at = 0;
		break;
	case CASE_SIGN:
		after.signed_at = now;
		after.resolve_due_at = case_resolve_due(&limits, cal, now, row.urgent, 0);
		x.signed_late = row.sign_due_at && now > row.sign_due_at;
		break;
	case CASE_APPROVE_EXTENSION:
		after.resolve_due_at = row.urgent ? row.resolve_due_at + (int64_t)row.extension_days * 86400
						  : workcal_add_days(cal, row.resolve_due_at, row.extension_days);
		break;
	case CASE_RESOLVE:
		after.resolved_at = now;
		x.result = r->input.result;
		x.resolved_late = row.resolve_due_at && now > row.resolve_due_at;
		note = r->input.result;
		break;
	case CASE_RATE:
		x.rating_outcome = r->input.rating_outcome;
		x.satisfaction = r->input.satisfaction;
		x.rating_comment = r->input.text ? r->input.text : "";
		x.rated_at = now;
		if (next.state == CASE_SIGNED) {
			reopened = true;
			after.signed_at = now;
			after.resolved_at = 0;
			after.resolve_due_at = case_resolve_due(&limits, cal, now, row.urgent, 0);
		}
		break;
	case CASE_RETURN:
		note = r->input.text;
		break;
	case CASE_CLOSE:
	case CASE_MERGE:
	case CASE_WITHDRAW:
		x.closed_at = now;
		break;
	case CASE_ANSWER_DIRECTLY:
		x.closed_at = now;
		x.result = r->input.text;
		break;
	case CASE_SUPERVISE:
		x.supervised = 1;
		break;
	case CASE_REMIND:
		x.reminders = 1;
		x.reminded_at = now;
		break;
	default:
		break;
	}

	/* What the case counts for before the write: the figures take the
	 * difference once everything below is written. */
	struct case_tally_facts counted;
	if ((rc = case_tally_load(c, row.id, &counted)) != STORE_OK)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	struct store_stmt *st = store_prepare(c, sql_update_facts);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, case_state_name(next.state));
	bind_opt_int(st, 2, next.lead_department);
	store_bind_int(st, 3, next.reopen_count);
	store_bind_int(st, 4, next.extension_pending);
	store_bind_int(st, 5, next.extension_days);
	store_bind_int(st, 6, next.ruled);
	bind_opt_int(st, 7, next.merged_into);
	bind_opt_int(st, 8, after.dispatched_at);
	bind_opt_int(st, 9, after.signed_at);
	bind_opt_int(st, 10, after.resolved_at);
	bind_opt_int(st, 11, after.sign_due_at);
	bind_opt_int(st, 12, after.resolve_due_at);
	store_bind_int(st, 13, now);
	store_bind_int(st, 14, row.id);
	store_bind_int(st, 15, row.version);
	rc = store_step(st);
	int64_t changed = store_changes(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	if (changed != 1)
		CASE_REFUSE(r, HTTP_ERR_conflict, "version", "The case changed: reload and try again");
	if ((rc = write_extras(c, row.id, &x)) != STORE_OK)
		return rc;
	if (reopened) {
		if (!(st = store_prepare(c, sql_reopen)))
			return STORE_ERROR;
		store_bind_int(st, 1, row.id);
		rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	if ((rc = case_tally_update(c, &counted, row.id)) != STORE_OK)
		return rc;
	for (size_t i = 0; i < r->input.co_department_count; i++)
		if ((rc = exec_case_units(c, sql_co_add, row.id, r->input.co_departments[i], now, NULL)) != STORE_OK)
			return rc;
	if (r->action == CASE_REPORT_IN || r->action == CASE_REPLY) {
		const char *sql = r->action == CASE_REPLY ? sql_co_reply : sql_co_report;
		if ((rc = exec_case_units(c, sql, row.id, r->caller->unit_id, now,
					  r->action == CASE_REPLY ? r->input.text : NULL)) != STORE_OK)
			return rc;
	}

	json_t *data = json_object();
	if (r->input.return_reason && r->action == CASE_RETURN)
		json_object_set_new(data, "return_reason", json_string(r->input.return_reason));
	if (r->action == CASE_DISPATCH)
		json_object_set_new(data, "lead_department", json_integer(r->input.lead_department));
	if (r->co_departments && r->input.co_department_count)
		json_object_set(data, "co_departments", r->co_departments);
	if (r->action == CASE_REQUEST_EXTENSION)
		json_object_set_new(data, "extension_days", json_integer(r->input.extension_days));
	if (r->action == CASE_RATE)
		json_object_set_new(data, "rating", json_pack("{s:s, s:s, s:b}", "outcome", r->input.rating_outcome,
							     "satisfaction", r->input.satisfaction, "reopened", reopened));
	if (r->action == CASE_MERGE)
		json_object_set_new(data, "merged_into", json_integer(r->input.merged_into));
	struct case_event e = {.case_id = row.id, .action = case_action_name(r->action), .party = case_party_name(party),
			       .from_state = row.state, .to_state = case_state_name(next.state), .note = note,
			       .caller = r->caller, .actor_login = r->as_system ? "system" : "resident", .data = data,
			       .public = action_public(r->action, party)};
	int64_t event_id = 0;
	rc = case_event_add(c, &e, &event_id);
	if (rc != STORE_OK) {
		json_decref(data);
		return rc;
	}
	if (r->photos && json_array_size(r->photos)) {
		const char *bad = NULL;
		rc = case_attach_photos(c, row.id, event_id, r->photos, &bad);
		if (rc == STORE_ABORT) {
			json_decref(data);
			CASE_REFUSE(r, HTTP_ERR_invalid_value, "photos", "No uploaded photo %.16s…: upload it first", bad);
		}
		if (rc != STORE_OK) {
			json_decref(data);
			return rc;
		}
	}
	char object_id[24], audit_action[48];
	snprintf(object_id, sizeof object_id, "%lld", (long long)row.id);
	snprintf(audit_action, sizeof audit_action, "case.%s", case_action_name(r->action));
	struct actor actor = {.user_id = r->caller ? r->caller->user_id : 0,
			      .login = r->caller ? r->caller->login : r->as_system ? "system" : "resident",
			      .role = r->caller ? role_name(r->caller->role) : r->as_system ? "system" : "anonymous",
			      .address = r->address,
			      .request_id = r->request_id,
			      .area_id = row.area_id};
	json_object_set_new(data, "from", json_string(row.state));
	json_object_set_new(data, "to", json_string(case_state_name(next.state)));
	rc = audit_append(c, &actor, audit_action, "case", object_id, row.area_id, data);
	if (rc == STORE_OK) {
		json_t *payload = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "case_id", (json_int_t)row.id, "action",
					    case_action_name(r->action), "party", case_party_name(party), "from", row.state,
					    "to", case_state_name(next.state), "lead_department",
					    next.lead_department ? json_integer(next.lead_department) : json_null());
		char event[48];
		snprintf(event, sizeof event, "case.%s", case_action_name(r->action));
		rc = notify_enqueue(c, event, payload);
		json_decref(payload);
	}
	json_decref(data);
	if (rc != STORE_OK)
		return rc;

	struct case_row now_row;
	if ((rc = case_load(c, row.id, &now_row)) != STORE_OK)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	if (r->caller && (rc = case_mark_read(c, r->caller->user_id, row.id, now_row.version)) != STORE_OK)
		return rc;
	if (!r->as_reporter && !r->as_system && (rc = case_parties(c, r->caller, &now_row, &parties)) != STORE_OK)
		return rc;
	return case_json(c, &now_row, parties, r->as_reporter, &r->result);
}

int case_act(struct case_action_request *r)
{
	return store_tx(cases_store, STORE_WRITE, act_tx, r);
}

void case_action_reply(struct http_req *req, struct case_action_request *r, int rc)
{
	if (rc == STORE_OK) {
		http_reply_json(req, 200, r->result);
		r->result = NULL;
	} else if (rc == STORE_ABORT) {
		http_reply_error(req, r->error, r->error_field, "%s", r->error_message);
	} else {
		reply_store_failure(req, rc);
	}
	json_decref(r->result);
	r->result = NULL;
	free(r->co_buffer);
	r->co_buffer = NULL;
}

bool case_action_body_parse(struct http_req *req, struct case_action_request *r, bool public_route)
{
	const char *action = NULL;
	int64_t lead = 0, days = 0, merged = 0;
	const struct field_spec specs[] = {
		FIELD_STR("action", &action, 1, 32),
		FIELD_INT_RANGE("version", &r->version, 1, INT32_MAX),
		FIELD_INT_OPT("lead_department", &lead, 1, INT64_MAX),
		{.name = "co_departments", .type = FIELD_ARRAY, .dest = &r->co_departments, .optional = true},
		FIELD_STR_OPT("return_reason", &r->input.return_reason, 32),
		FIELD_STR_OPT("result", &r->input.result, CASE_TEXT_MAX),
		FIELD_STR_OPT("rating_outcome", &r->input.rating_outcome, 16),
		FIELD_STR_OPT("satisfaction", &r->input.satisfaction, 32),
		FIELD_INT_OPT("extension_days", &days, 1, CASE_MAX_EXTENSION_DAYS),
		FIELD_INT_OPT("merged_into", &merged, 1, INT64_MAX),
		FIELD_STR_OPT("text", &r->input.text, CASE_TEXT_MAX),
		{.name = "photos", .type = FIELD_ARRAY, .dest = &r->photos, .optional = true},
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return false;
	r->action = case_action_parse(action);
	if (r->action == CASE_ACTION_NONE) {
		http_reply_error(req, HTTP_ERR_invalid_value, "action", "Unknown action: %s", action);
		return false;
	}
	/* Through the follow link the reporter rates, comments or withdraws;
	 * nothing else is a resident's to do. */
	if (public_route && r->action != CASE_RATE && r->action != CASE_COMMENT && r->action != CASE_WITHDRAW) {
		http_reply_error(req, HTTP_ERR_forbidden, "action", "The follow link may rate, comment or withdraw");
		return false;
	}
	r->input.lead_department = lead;
	r->input.extension_days = (int)days;
	r->input.merged_into = merged;
	if (r->co_departments) {
		size_t n = json_array_size(r->co_departments);
		if (n > CASE_MAX_CO_DEPARTMENTS) {
			http_reply_error(req, HTTP_ERR_invalid_value, "co_departments", "At most %d departments",
					 CASE_MAX_CO_DEPARTMENTS);
			return false;
		}
		r->co_buffer = calloc(n ? n : 1, sizeof *r->co_buffer);
		size_t i;
		json_t *v;
		json_array_foreach(r->co_departments, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) <= 0) {
				http_reply_error(req, HTTP_ERR_invalid_value, "co_departments",
						 "co_departments is a list of department ids");
				free(r->co_buffer);
				r->co_buffer = NULL;
				return false;
			}
			for (size_t k = 0; k < i; k++)
				if (r->co_buffer[k] == json_integer_value(v)) {
					http_reply_error(req, HTTP_ERR_invalid_value, "co_departments",
							 "A department is listed twice");
					free(r->co_buffer);
					r->co_buffer = NULL;
					return false;
				}
			r->co_buffer[i] = json_integer_value(v);
		}
		r->input.co_departments = r->co_buffer;
		r->input.co_department_count = n;
	}
	if (!case_photos_input_ok(req, r->photos)) {
		free(r->co_buffer);
		r->co_buffer = NULL;
		return false;
	}
	r->request_id = http_request_id(req);
	r->address = http_client_addr(req);
	return true;
}

void cases_action(struct http_req *req)
{
	struct case_action_request r = {.case_id = http_param_id(req, "id"), .caller = identity_caller(req)};
	if (r.case_id <= 0) {
		http_reply_error(req, HTTP_ERR_not_found, NULL, "No such case");
		return;
	}
	if (!case_action_body_parse(req, &r, false))
		return;
	int rc = case_act(&r);
	case_action_reply(req, &r, rc);
}

/* ---- GET /api/v1/cases/{id}/departments: where the case may go ---- */

struct departments {
	const struct caller *caller;
	int64_t id;
	json_t *items;
	bool missing;
};

static int departments_tx(struct store_conn *c, void *arg)
{
	struct departments *d = arg;
	struct case_row row;
	int rc = case_load_visible(c, d->caller, d->id, &row);
	if (rc == STORE_DONE) {
		d->missing = true;
		return STORE_ABORT;
	}
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_departments);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, &d->caller->scope);
	store_bind_text(st, 3, row.area_path);
	json_decref(d->items);
	d->items = json_array();
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(d->items, json_pack("{s:I, s:s, s:s, s:{s:s, s:s}, s:b}", "id",
							  (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1),
							  "type", store_col_text(st, 2), "area", "code", store_col_text(st, 3),
							  "name", store_col_text(st, 4), "suggested",
							  store_col_int(st, 0) == row.suggested_unit_id));
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

void cases_departments(struct http_req *req)
{
	struct departments d = {.caller = identity_caller(req), .id = http_param_id(req, "id")};
	int rc = d.id > 0 ? store_tx(cases_store, STORE_READ, departments_tx, &d) : STORE_ABORT;
	if (rc != STORE_OK) {
		json_decref(d.items);
		if (rc == STORE_ABORT)
			http_reply_error(req, HTTP_ERR_not_found, NULL, "No such case");
		else
			reply_store_failure(req, rc);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o, s:n}", "items", d.items, "next_cursor"));
}

/* mySociety's servicerequestupdates extension: GET lists the steps of the
 * requests in an API key's area that the resident's follow page shows (the
 * public timeline entries, but the submission itself, which is the request
 * and no update of it); POST adds a client's comment to a request it
 * submitted, as the reporter's comment on the public timeline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "modules/cases/cases.h"
#include "modules/open311/open311_internal.h"
#include "store/scope.h"

/* ---- statuses and words ---- */

/* mySociety's statuses for where a step left the case. */
static const char *update_status(const char *action, const char *to_state)
{
	static const struct {
		const char *state, *status;
	} map[] = {
		{"submitted", "OPEN"},        {"dispatched", "INVESTIGATING"}, {"returned", "INVESTIGATING"},
		{"signed", "IN_PROGRESS"},    {"resolved", "FIXED"},            {"rated", "FIXED"},
		{"closed", "CLOSED"},
	};
	if (strcmp(action, "merge") == 0)
		return "DUPLICATE";
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].state, to_state) == 0)
			return map[i].status;
	return "OPEN";
}

/* What a step without a note says. */
static const char *step_words(const char *action, bool en)
{
	static const struct {
		const char *action, *zh, *en;
	} words[] = {
		{"dispatch", "已派至承办部门", "Sent to the department responsible"},
		{"sign", "承办部门已签收", "Accepted by the department"},
		{"approve_extension", "办理期限已延长", "The deadline was extended"},
		{"resolve", "已办结", "Resolved"},
		{"rate", "已评价", "Rated"},
		{"close", "已结案", "Closed"},
		{"whistle", "已增派协办部门", "More departments were called in"},
		{"merge", "已与同一问题的诉求合并办理", "Merged with a request about the same problem"},
		{"answer_directly", "已直接答复", "Answered directly"},
		{"withdraw", "已撤回", "Withdrawn"},
		{"comment", "补充说明", "Comment"},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i].action, action) == 0)
			return en ? words[i].en : words[i].zh;
	return action;
}

/* ---- GET servicerequestupdates ---- */

/* Oldest first, so a client polling with start_date = the last update it
 * saw continues where a capped answer stopped. */
static const char sql_updates[] =
	"SELECT e.id, e.case_id, e.at, e.action, e.to_state, e.note,"
	" (SELECT p.sha256 FROM case_photos p WHERE p.event_id = e.id ORDER BY p.id LIMIT 1)"
	" FROM case_events e JOIN cases c ON c.id = e.case_id JOIN areas a ON a.id = c.area_id"
	" WHERE " STORE_IN_SCOPE("a") " AND e.public = 1 AND e.action <> 'submit' AND e.at >= ? AND e.at <= ?"
	" ORDER BY e.at, e.id LIMIT " OPEN311_MAX_RECORDS_SQL;

struct updates_read {
	struct store_scope scope;
	const char *jurisdiction;
	int64_t from, to;
	bool en;
	char base[320];
	json_t *out;
};

static json_t *update_json(struct store_stmt *st, const struct updates_read *u)
{
	char id[24], request_id[24], at[32];
	snprintf(id, sizeof id, "%lld", (long long)store_col_int(st, 0));
	snprintf(request_id, sizeof request_id, "%lld", (long long)store_col_int(st, 1));
	time_format(store_col_int(st, 2), at);
	const char *action = store_col_text(st, 3), *to_state = store_col_text(st, 4), *note = store_col_text(st, 5);
	json_t *media = json_null();
	if (!store_col_null(st, 6)) {
		char url[400];
		snprintf(url, sizeof url, "%s/api/v1/photos/%s", u->base, store_col_text(st, 6));
		media = json_string(url);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "update_id", id, "service_request_id", request_id,
			 "status", update_status(action, to_state), "updated_datetime", at, "description",
			 *note ? note : step_words(action, u->en), "media_url", media, "external_status_code",
			 to_state);
}

static int updates_tx(struct store_conn *c, void *arg)
{
	struct updates_read *u = arg;
	json_decref(u->out);
	u->out = json_array();
	int rc = open311_jurisdiction(c, u->jurisdiction, &u->scope);
	if (rc == STORE_DONE)
		return STORE_ABORT;
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_updates);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, &u->scope);
	store_bind_int(st, 3, u->from);
	store_bind_int(st, 4, u->to);
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(u->out, update_json(st, u));
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

void open311_updates_get(struct http_req *req, enum open311_format fmt)
{
	struct caller caller;
	if (!open311_caller(req, fmt, http_query(req, "api_key"), OPEN311_READ, &caller))
		return;
	struct updates_read u = {.scope = caller.scope, .jurisdiction = http_query(req, "jurisdiction_id"),
				 .en = open311_locale_en(http_query(req, "locale"))};
	open311_base_url(req, u.base, sizeof u.base);
	if (!open311_window(req, fmt, &u.from, &u.to))
		return;
	int rc = store_tx(open311_store, STORE_READ, updates_tx, &u);
	if (rc == STORE_ABORT) {
		json_decref(u.out);
		open311_error(req, fmt, 404, "No such jurisdiction_id within this api_key's area");
		return;
	}
	if (rc != STORE_OK) {
		json_decref(u.out);
		open311_store_failure(req, fmt, rc);
		return;
	}
	open311_reply(req, fmt, 200, "service_request_updates", u.out);
}

/* ---- POST servicerequestupdates ---- */

/* The client speaks for the reporter of the requests it submitted itself,
 * and only those: its own Open311 submissions in its area. */
static const char sql_own_request[] =
	"SELECT c.source, c.created_by FROM cases c JOIN areas a ON a.id = c.area_id WHERE c.id = ? AND "
	STORE_IN_SCOPE("a");

struct ownership {
	int64_t case_id;
	const char *jurisdiction;
	struct store_scope scope;
	const char *login;
	bool found, own, no_jurisdiction;
};

static int ownership_tx(struct store_conn *c, void *arg)
{
	struct ownership *o = arg;
	int rc = open311_jurisdiction(c, o->jurisdiction, &o->scope);
	o->no_jurisdiction = rc == STORE_DONE;
	if (rc == STORE_DONE)
		return STORE_OK;
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_own_request);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, o->case_id);
	store_bind_scope(st, 2, &o->scope);
	rc = store_step(st);
	o->found = rc == STORE_ROW;
	o->own = o->found && strcmp(store_col_text(st, 0), "open311") == 0 && strcmp(store_col_text(st, 1), o->login) == 0;
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

struct update_form {
	const char *jurisdiction_id, *api_key, *service_request_id, *service_code, *updated_datetime, *status,
		*description, *media_url, *email, *first_name, *last_name, *title, *account_id, *phone, *update_id;
};

static bool parse_id(const char *text, int64_t *id)
{
	char *end;
	if (!text || *text < '0' || *text > '9')
		return false;
	long long v = strtoll(text, &end, 10);
	*id = v;
	return !*end && v > 0;
}

static void comment_reply(struct http_req *req, enum open311_format fmt, struct case_reporter_comment *c, int rc)
{
	if (rc == STORE_OK) {
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)c->event_id);
		open311_reply(req, fmt, 201, "service_request_updates", json_pack("[{s:s}]", "update_id", id));
	} else if (rc == STORE_ABORT && c->error == HTTP_ERR_not_found) {
		open311_error(req, fmt, 404, "No such service request");
	} else if (rc == STORE_ABORT && c->error == HTTP_ERR_invalid_transition) {
		open311_error(req, fmt, 400, "This request takes no more comments: %s", c->error_message);
	} else if (rc == STORE_ABORT) {
		open311_error(req, fmt, 400, "%s", c->error_message);
	} else {
		open311_store_failure(req, fmt, rc);
	}
}

void open311_updates_post(struct http_req *req, enum open311_format fmt)
{
	struct form form;
	if (!open311_read_form(req, fmt, &form)) {
		form_free(&form);
		return;
	}
	/* mySociety's fields all bind, so a conforming client is never refused
	 * for one; the status a client asks for and its names are not taken:
	 * a comment moves no case, and the reporter stays as submitted. */
	struct update_form f;
	const struct form_field fields[] = {
		{"jurisdiction_id", &f.jurisdiction_id, AREA_CODE_MAX},
		{"api_key", &f.api_key, 64},
		{"service_request_id", &f.service_request_id, 24},
		{"service_code", &f.service_code, 32},
		{"updated_datetime", &f.updated_datetime, 40},
		{"status", &f.status, 40},
		{"description", &f.description, 4000},
		{"media_url", &f.media_url, 500},
		{"email", &f.email, 254},
		{"first_name", &f.first_name, 20},
		{"last_name", &f.last_name, 20},
		{"title", &f.title, 100},
		{"account_id", &f.account_id, 100},
		{"phone", &f.phone, 24},
		{"update_id", &f.update_id, 100},
		{NULL, NULL, 0},
	};
	char err[200];
	struct caller caller;
	struct buf text = {0};
	int64_t at;
	if (form_bind(&form, fields, NULL, err, sizeof err)) {
		open311_error(req, fmt, 400, "%s", err);
		goto done;
	}
	if (!open311_caller(req, fmt, f.api_key ? f.api_key : http_query(req, "api_key"), OPEN311_SUBMIT, &caller))
		goto done;
	struct ownership o = {.jurisdiction = f.jurisdiction_id ? f.jurisdiction_id : http_query(req, "jurisdiction_id"),
			      .scope = caller.scope, .login = caller.login};
	if (!f.service_request_id) {
		open311_error(req, fmt, 400, "service_request_id is required");
		goto done;
	}
	if (!f.description || open311_chars(f.description) < 1) {
		open311_error(req, fmt, 400, "description is required");
		goto done;
	}
	if (f.updated_datetime && !open311_parse_time(f.updated_datetime, &at)) {
		open311_error(req, fmt, 400, "updated_datetime is not a W3C date-time");
		goto done;
	}
	if (f.media_url && strncmp(f.media_url, "http://", 7) != 0 && strncmp(f.media_url, "https://", 8) != 0) {
		open311_error(req, fmt, 400, "media_url is an http or https URL");
		goto done;
	}
	if (!parse_id(f.service_request_id, &o.case_id)) {
		open311_error(req, fmt, 404, "No such service request");
		goto done;
	}
	int rc = store_tx(open311_store, STORE_READ, ownership_tx, &o);
	if (rc != STORE_OK) {
		open311_store_failure(req, fmt, rc);
		goto done;
	}
	if (o.no_jurisdiction) {
		open311_error(req, fmt, 404, "No such jurisdiction_id within this api_key's area");
		goto done;
	}
	if (!o.found) {
		open311_error(req, fmt, 404, "No such service request");
		goto done;
	}
	if (!o.own) {
		open311_error(req, fmt, 403, "This api_key comments only on the requests it submitted");
		goto done;
	}
	buf_puts(&text, f.description);
	if (f.media_url)
		buf_printf(&text, "\n\n%s: %s", open311_locale_en(http_query(req, "locale")) ? "Media" : "附件", f.media_url);
	struct case_reporter_comment c = {.caller = &caller, .case_id = o.case_id, .text = text.data,
					  .request_id = http_request_id(req), .address = http_client_addr(req)};
	rc = cases_reporter_comment(&c);
	comment_reply(req, fmt, &c, rc);
done:
	buf_free(&text);
	form_free(&form);
}

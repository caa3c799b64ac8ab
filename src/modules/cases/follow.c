/* The resident's side without an account: the follow link (an
 * unguessable code given once at submission) shows the public timeline and
 * lets the reporter rate, comment or withdraw; and the name of the place a
 * QR poster's form reports about. */
#include <stdio.h>
#include <string.h>

#include "modules/cases/cases.h"
#include "modules/cases/cases_internal.h"
#include "modules/common/reply.h"

struct follow {
	const char *code;
	json_t *out;
	int64_t id;
};

static int follow_tx(struct store_conn *c, void *arg)
{
	struct follow *f = arg;
	json_decref(f->out);
	f->out = NULL;
	int rc = cases_find_by_follow_code(c, f->code, &f->id);
	struct case_row row;
	if (rc == STORE_OK)
		rc = case_load(c, f->id, &row);
	if (rc == STORE_DONE)
		return STORE_ABORT;
	if (rc != STORE_OK)
		return rc;
	return case_json(c, &row, 1u << CASE_REPORTER, true, &f->out);
}

void cases_follow_read(struct http_req *req)
{
	struct follow f = {.code = http_param(req, "code")};
	int rc = store_tx(cases_store, STORE_READ, follow_tx, &f);
	if (rc != STORE_OK) {
		json_decref(f.out);
		if (rc == STORE_ABORT)
			http_reply_error(req, HTTP_ERR_not_found, NULL, "No case has this follow code");
		else
			reply_store_failure(req, rc);
		return;
	}
	http_reply_json(req, 200, f.out);
}

static int find_tx(struct store_conn *c, void *arg)
{
	struct follow *f = arg;
	int rc = cases_find_by_follow_code(c, f->code, &f->id);
	return rc == STORE_DONE ? STORE_ABORT : rc;
}

void cases_follow_action(struct http_req *req)
{
	struct follow f = {.code = http_param(req, "code")};
	int rc = store_tx(cases_store, STORE_READ, find_tx, &f);
	if (rc != STORE_OK) {
		if (rc == STORE_ABORT)
			http_reply_error(req, HTTP_ERR_not_found, NULL, "No case has this follow code");
		else
			reply_store_failure(req, rc);
		return;
	}
	struct case_action_request r = {.case_id = f.id, .as_reporter = true};
	if (!case_action_body_parse(req, &r, true))
		return;
	rc = case_act(&r);
	case_action_reply(req, &r, rc);
}

static const char sql_area_public[] =
	"SELECT a.code, a.name, a.level, p.name FROM areas a LEFT JOIN areas p ON p.id = a.parent_id WHERE a.code = ?";

struct public_area {
	const char *code;
	json_t *out;
};

static int public_area_tx(struct store_conn *c, void *arg)
{
	struct public_area *p = arg;
	struct store_stmt *st = store_prepare(c, sql_area_public);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, p->code);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		json_decref(p->out);
		p->out = json_pack("{s:s, s:s, s:s, s:s}", "code", store_col_text(st, 0), "name", store_col_text(st, 1),
				   "level", area_level_name((int)store_col_int(st, 2)), "parent_name", store_col_text(st, 3));
	}
	store_reset(st);
	if (rc == STORE_DONE)
		return STORE_ABORT;
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* A form opened from a poster names the place by code; the resident sees
 * its name (public knowledge: it is on the poster). */
void cases_public_area(struct http_req *req)
{
	struct public_area p = {.code = http_param(req, "code")};
	int rc = store_tx(cases_store, STORE_READ, public_area_tx, &p);
	if (rc != STORE_OK) {
		json_decref(p.out);
		if (rc == STORE_ABORT)
			http_reply_error(req, HTTP_ERR_not_found, NULL, "No such area");
		else
			reply_store_failure(req, rc);
		return;
	}
	http_reply_json(req, 200, p.out);
}

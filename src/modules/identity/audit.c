/* Reading the audit log: GET /api/v1/audit, newest first, within scope.
 * Entries are written by audit_append (areas_ref.c) in the transaction of
 * the change they record; nothing updates or deletes them. */
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "modules/common/reply.h"
#include "modules/identity/identity_internal.h"

static const char sql_audit_list[] =
	"SELECT l.id, l.at, l.login, l.role, l.address, l.request_id, l.action, l.object_type, l.object_id,"
	" l.summary, a.code FROM audit_log l JOIN areas a ON a.id = l.area_id"
	" WHERE " STORE_IN_SCOPE("a") " AND (CAST(? AS BIGINT) = 0 OR l.id < ?)"
	" AND (CAST(? AS TEXT) IS NULL OR l.login = ?) AND (CAST(? AS TEXT) IS NULL OR l.action = ?)"
	" AND (CAST(? AS TEXT) IS NULL OR l.object_type = ?) AND (CAST(? AS TEXT) IS NULL OR l.object_id = ?)"
	" AND l.at >= ? AND l.at < ? ORDER BY l.id DESC LIMIT ?";

struct audit_query {
	struct store_scope scope;
	const char *user, *action, *object_type, *object_id;
	int64_t since, until;
	struct http_page page;
	json_t *items;
	int64_t last_id;
};

static int audit_list_tx(struct store_conn *c, void *arg)
{
	struct audit_query *q = arg;
	struct store_stmt *st = store_prepare(c, sql_audit_list);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, &q->scope);
	store_bind_int(st, 3, q->page.after);
	store_bind_int(st, 4, q->page.after);
	const char *filters[] = {q->user, q->action, q->object_type, q->object_id};
	for (int i = 0; i < 4; i++) {
		store_bind_text(st, 5 + 2 * i, filters[i]);
		store_bind_text(st, 6 + 2 * i, filters[i]);
	}
	store_bind_int(st, 13, q->since);
	store_bind_int(st, 14, q->until);
	store_bind_int(st, 15, q->page.limit);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		char at[32];
		time_format_ms(store_col_int(st, 1), at);
		json_t *summary = json_loads(store_col_text(st, 9), 0, NULL);
		json_array_append_new(q->items,
				      json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id",
						(json_int_t)store_col_int(st, 0), "at", at, "user", store_col_text(st, 2),
						"role", store_col_text(st, 3), "address", store_col_text(st, 4),
						"request_id", store_col_text(st, 5), "action", store_col_text(st, 6),
						"object_type", store_col_text(st, 7), "object_id", store_col_text(st, 8),
						"area", store_col_text(st, 10), "summary", summary ? summary : json_object()));
		q->last_id = store_col_int(st, 0);
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static bool time_param(struct http_req *req, const char *name, int64_t *out)
{
	const char *v = http_query(req, name);
	if (!v)
		return true;
	if (!time_parse_ms(v, out)) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, name, "%s is an RFC 3339 time", name);
		return false;
	}
	return true;
}

void audit_list(struct http_req *req)
{
	const struct caller *c = identity_caller(req);
	struct audit_query q = {.scope = c->scope, .user = http_query(req, "user"), .action = http_query(req, "action"),
				.object_type = http_query(req, "object_type"), .object_id = http_query(req, "object_id"),
				.since = 0, .until = INT64_MAX / 2};
	if (!http_page_params(req, &q.page) || !time_param(req, "since", &q.since) || !time_param(req, "until", &q.until))
		return;
	q.items = json_array();
	int rc = store_tx(identity_store, STORE_READ, audit_list_tx, &q);
	if (rc != STORE_OK) {
		json_decref(q.items);
		reply_store_failure(req, rc);
		return;
	}
	json_t *out = json_pack("{s:o}", "items", q.items);
	http_page_finish(out, &q.page, json_array_size(q.items), q.last_id);
	http_reply_json(req, 200, out);
}

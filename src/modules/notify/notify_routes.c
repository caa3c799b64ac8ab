/* The webhook's routes: the delivery log, the outbox, a test event and the
 * retry of a failed one. The webhook is one setting of the whole system, so
 * its outbox is not divided by area: "webhooks.manage" (admins) sees it all. */
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "modules/common/reply.h"
#include "modules/identity/identity.h"
#include "modules/notify/notify_internal.h"

static const char *const notify_states[] = {"pending", "delivered", "failed", "skipped", NULL};

/* Reads ?state= into *out (NULL when absent). false after answering 400. */
static bool state_param(struct http_req *req, const char **out)
{
	*out = http_query(req, "state");
	if (!*out)
		return true;
	for (const char *const *s = notify_states; *s; s++)
		if (strcmp(*s, *out) == 0)
			return true;
	http_reply_error(req, HTTP_ERR_invalid_parameter, "state", "state is pending, delivered, failed or skipped");
	return false;
}

static bool event_param(struct http_req *req, const char **out)
{
	*out = http_query(req, "event");
	if (*out && !notify_event_name_valid(*out)) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "event", "event is a name like case.dispatched");
		return false;
	}
	return true;
}

/* ---- GET /api/v1/webhook/deliveries ---- */

static const char sql_deliveries[] =
	"SELECT d.id, d.outbox_id, o.event, o.state, d.attempt, d.at, d.http_status, d.error, d.duration_ms"
	" FROM webhook_deliveries d JOIN webhook_outbox o ON o.id = d.outbox_id"
	" WHERE (CAST(? AS BIGINT) = 0 OR d.id < ?) AND (CAST(? AS TEXT) IS NULL OR o.event = ?)"
	" AND (CAST(? AS TEXT) IS NULL OR o.state = ?) ORDER BY d.id DESC LIMIT ?";

struct list_query {
	const char *event, *state;
	struct http_page page;
	json_t *items;
	int64_t last_id;
};

static int deliveries_tx(struct store_conn *c, void *arg)
{
	struct list_query *q = arg;
	struct store_stmt *st = store_prepare(c, sql_deliveries);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, q->page.after);
	store_bind_int(st, 2, q->page.after);
	store_bind_text(st, 3, q->event);
	store_bind_text(st, 4, q->event);
	store_bind_text(st, 5, q->state);
	store_bind_text(st, 6, q->state);
	store_bind_int(st, 7, q->page.limit);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		char at[32];
		time_format(store_col_int(st, 5), at);
		json_t *status = store_col_null(st, 6) ? json_null() : json_integer(store_col_int(st, 6));
		json_t *error = store_col_null(st, 7) ? json_null() : json_string(store_col_text(st, 7));
		json_array_append_new(q->items, json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:o, s:o, s:I}", "id",
							  (json_int_t)store_col_int(st, 0), "outbox_id",
							  (json_int_t)store_col_int(st, 1), "event", store_col_text(st, 2),
							  "state", store_col_text(st, 3), "attempt",
							  (json_int_t)store_col_int(st, 4), "at", at, "http_status", status,
							  "error", error ? error : json_null(), "duration_ms",
							  (json_int_t)store_col_int(st, 8)));
		q->last_id = store_col_int(st, 0);
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static void deliveries_list(struct http_req *req)
{
	struct list_query q = {0};
	if (!http_page_params(req, &q.page) || !event_param(req, &q.event) || !state_param(req, &q.state))
		return;
	q.items = json_array();
	int rc = store_tx(notify_store, STORE_READ, deliveries_tx, &q);
	if (rc != STORE_OK) {
		json_decref(q.items);
		reply_store_failure(req, rc);
		return;
	}
	json_t *out = json_pack("{s:o}", "items", q.items);
	http_page_finish(out, &q.page, json_array_size(q.items), q.last_id);
	http_reply_json(req, 200, out);
}

/* ---- the outbox ---- */

#define OUTBOX_COLUMNS \
	"SELECT o.id, o.event, o.payload, o.created_at, o.attempts, o.next_attempt_ms, o.state," \
	" (SELECT d.error FROM webhook_deliveries d WHERE d.outbox_id = o.id ORDER BY d.id DESC LIMIT 1)" \
	" FROM webhook_outbox o"

/* Without ?state= the outbox shows what still needs attention. */
static const char sql_outbox[] = OUTBOX_COLUMNS
	" WHERE o.id > ? AND ((CAST(? AS TEXT) IS NULL AND o.state IN ('pending', 'failed')) OR o.state = ?)"
	" ORDER BY o.id LIMIT ?";
static const char sql_outbox_one[] = OUTBOX_COLUMNS " WHERE o.id = ?";

/* The outbox row st is on, as the API shows it; caller owns the result. */
static json_t *outbox_item(struct store_stmt *st)
{
	char created[32], next[32];
	time_format(store_col_int(st, 3), created);
	const char *state = store_col_text(st, 6);
	bool pending = strcmp(state, "pending") == 0;
	if (pending)
		time_format_ms(store_col_int(st, 5), next);
	json_t *data = json_loads(store_col_text(st, 2), JSON_DECODE_ANY, NULL);
	json_t *error = store_col_null(st, 7) ? json_null() : json_string(store_col_text(st, 7));
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s?, s:o, s:o}", "id", (json_int_t)store_col_int(st, 0), "event",
			 store_col_text(st, 1), "created_at", created, "state", state, "attempts",
			 (json_int_t)store_col_int(st, 4), "next_attempt_at", pending ? next : NULL, "last_error",
			 error ? error : json_null(), "data", data ? data : json_null());
}

static int outbox_tx(struct store_conn *c, void *arg)
{
	struct list_query *q = arg;
	struct store_stmt *st = store_prepare(c, sql_outbox);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, q->page.after);
	store_bind_text(st, 2, q->state);
	store_bind_text(st, 3, q->state);
	store_bind_int(st, 4, q->page.limit);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		json_array_append_new(q->items, outbox_item(st));
		q->last_id = store_col_int(st, 0);
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static void outbox_list(struct http_req *req)
{
	struct list_query q = {0};
	if (!http_page_params(req, &q.page) || !state_param(req, &q.state))
		return;
	q.items = json_array();
	int rc = store_tx(notify_store, STORE_READ, outbox_tx, &q);
	if (rc != STORE_OK) {
		json_decref(q.items);
		reply_store_failure(req, rc);
		return;
	}
	json_t *out = json_pack("{s:o, s:b}", "items", q.items, "webhook_configured", notify_configured());
	http_page_finish(out, &q.page, json_array_size(q.items), q.last_id);
	http_reply_json(req, 200, out);
}

/* Reads outbox row id into *out (replacing it). STORE_DONE when none. */
static int outbox_read(struct store_conn *c, int64_t id, json_t **out)
{
	struct store_stmt *st = store_prepare(c, sql_outbox_one);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		json_decref(*out);
		*out = outbox_item(st);
	}
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* ---- POST /api/v1/webhook/test ---- */

struct test_event {
	struct actor actor;
	json_t *out;
};

static int test_tx(struct store_conn *c, void *arg)
{
	struct test_event *t = arg;
	json_t *payload = json_pack("{s:s, s:s}", "message", "A test event from wangge", "requested_by", t->actor.login);
	int64_t id;
	int rc = notify_insert(c, "webhook.test", payload, &id);
	json_decref(payload);
	if (rc != STORE_OK)
		return rc;
	char object_id[24];
	snprintf(object_id, sizeof object_id, "%lld", (long long)id);
	rc = audit_append(c, &t->actor, "webhook.test", "webhook_event", object_id, 0, NULL);
	return rc == STORE_OK ? outbox_read(c, id, &t->out) : rc;
}

static void webhook_test(struct http_req *req)
{
	struct test_event t = {0};
	identity_actor(req, &t.actor);
	int rc = store_tx(notify_store, STORE_WRITE, test_tx, &t);
	if (rc != STORE_OK || !t.out) {
		json_decref(t.out);
		reply_store_failure(req, rc == STORE_OK ? STORE_ERROR : rc);
		return;
	}
	json_object_set_new(t.out, "webhook_configured", json_boolean(notify_configured()));
	http_reply_json(req, 202, t.out);
}

/* ---- POST /api/v1/webhook/outbox/{id}/retry ---- */

/* A retry starts a fresh series of attempts; the log keeps the old one. */
static const char sql_retry[] =
	"UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_ms = 0, claimed_until_ms = 0,"
	" updated_at = ? WHERE id = ? AND state IN ('failed', 'skipped')";

struct retry {
	struct actor actor;
	int64_t id;
	json_t *out;
	bool missing, wrong_state;
};

static int retry_tx(struct store_conn *c, void *arg)
{
	struct retry *r = arg;
	struct store_stmt *st = store_prepare(c, sql_retry);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, time_now());
	store_bind_int(st, 2, r->id);
	int rc = store_step(st);
	int64_t changed = store_changes(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	if (changed != 1) {
		rc = outbox_read(c, r->id, &r->out);
		if (rc == STORE_DONE)
			r->missing = true;
		else if (rc == STORE_OK)
			r->wrong_state = true;
		return rc == STORE_DONE || rc == STORE_OK ? STORE_ABORT : rc;
	}
	char object_id[24];
	snprintf(object_id, sizeof object_id, "%lld", (long long)r->id);
	rc = audit_append(c, &r->actor, "webhook.retry", "webhook_event", object_id, 0, NULL);
	return rc == STORE_OK ? outbox_read(c, r->id, &r->out) : rc;
}

static void outbox_retry(struct http_req *req)
{
	struct retry r = {.id = http_param_id(req, "id")};
	if (r.id <= 0) {
		http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
		return;
	}
	identity_actor(req, &r.actor);
	int rc = store_tx(notify_store, STORE_WRITE, retry_tx, &r);
	if (rc == STORE_OK && r.out) {
		notify_wake();
		http_reply_json(req, 202, r.out);
		return;
	}
	if (r.missing)
		http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
	else if (r.wrong_state)
		http_reply_error(req, HTTP_ERR_invalid_transition, NULL, "Only a failed or skipped event can be retried; this one is %s",
				 json_string_value(json_object_get(r.out, "state")));
	else
		reply_store_failure(req, rc == STORE_OK ? STORE_ERROR : rc);
	json_decref(r.out);
}

static const char *const deliveries_query[] = {"event", "state", "limit", "cursor", NULL};
static const char *const outbox_query[] = {"state", "limit", "cursor", NULL};

static const struct http_route notify_routes[] = {
	{HTTP_GET, "/api/v1/webhook/deliveries", deliveries_list, "webhooks.manage", deliveries_query, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/webhook/outbox", outbox_list, "webhooks.manage", outbox_query, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/webhook/test", webhook_test, "webhooks.manage", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/webhook/outbox/{id}/retry", outbox_retry, "webhooks.manage", NULL, HTTP_BODY_NONE, 0},
};

static const struct http_module notify_http = {
	.name = "notify",
	.routes = notify_routes,
	.count = sizeof notify_routes / sizeof notify_routes[0],
};

const struct http_module *notify_module(struct store *store)
{
	notify_store = store;
	return &notify_http;
}

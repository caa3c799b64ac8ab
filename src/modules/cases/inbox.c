/* Reading cases: one case, the lists, and the inboxes each role works
 * from with their unread counts.
 *   dispatch     community/street staff: new and returned cases, extension
 *                requests to approve (oldest first)
 *   department   a handler's department: cases to sign and to resolve, the
 *                ones due first (so overdue ones lead), and cases it
 *                co-handles and has not answered yet
 *   mine         what the caller reported (grid workers, residents)
 *   supervision  open cases in scope past or near their deadline on the
 *                working calendar, or under 督办 (due first)
 * Unread: the case changed since the user last opened it (case_reads). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xalloc.h"
#include "modules/cases/cases_internal.h"
#include "modules/cases/list_shape.h"
#include "modules/common/reply.h"

/* Cases due within this many working minutes count as near. */
#define SUPERVISION_NEAR_MINUTES 120

#define COUNT_COLS "SELECT COUNT(*), COALESCE(SUM(" UNREAD_EXPR "), 0)"
/* Binds: 1 = the user, for what they have read. */
#define FROM_CASES " FROM cases c JOIN areas a ON a.id = c.area_id" LIST_JOINS
/* The inboxes of an area's open cases start from the areas in scope and
 * read each one's open cases by cases_area (area_id, state, id): what they
 * read is the backlog of the scope, not the county's nor its history.
 * CROSS JOIN makes SQLite keep that order (without statistics it would
 * start at cases_state_*, which lead with the state across the county);
 * PostgreSQL plans it as any inner join. Binds: the user, the scope (2). */
#define FROM_AREA_CASES " FROM areas a CROSS JOIN cases c" LIST_JOINS " WHERE " STORE_IN_SCOPE("a") " AND c.area_id = a.id"
/* A department's open cases: its own by cases_lead, those it was called
 * into and has not answered by case_units_unit. Binds: unit, unit, user. */
#define FROM_UNIT_CASES                                                                                              \
	" FROM (SELECT l.id FROM cases l WHERE l.lead_unit_id = ? AND l.state IN ('dispatched', 'signed')"            \
	" UNION SELECT x.case_id FROM case_units x WHERE x.unit_id = ? AND x.replied_at IS NULL) d"                   \
	" CROSS JOIN cases c JOIN areas a ON a.id = c.area_id" LIST_JOINS " WHERE c.id = d.id"

/* Written as a list of states with a condition on one of them, so that the
 * states are index keys. */
#define W_DISPATCH                                                                                                   \
	" AND c.state IN ('submitted', 'returned', 'signed') AND (c.state <> 'signed' OR c.extension_pending = 1)"
#define W_DEPARTMENT " AND c.state IN ('dispatched', 'signed')"
/* Binds: user. */
#define W_MINE " WHERE c.reporter_user_id = ?"
/* Binds: near. */
#define W_SUPERVISION " AND c.state IN ('dispatched', 'signed') AND (" DUE_EXPR " <= ? OR c.supervised = 1)"

/* Pages: by id (dispatch: ascending; mine: descending) or by (due, id). */
#define PAGE_ID_ASC " AND c.id > ? ORDER BY c.id LIMIT ?"
#define PAGE_ID_DESC " AND (? = 0 OR c.id < ?) ORDER BY c.id DESC LIMIT ?"
#define PAGE_DUE " AND (" DUE_EXPR " > ? OR (" DUE_EXPR " = ? AND c.id > ?)) ORDER BY " DUE_EXPR ", c.id LIMIT ?"

static const char sql_dispatch[] = LIST_COLS FROM_AREA_CASES W_DISPATCH PAGE_ID_ASC;
static const char sql_department[] = LIST_COLS FROM_UNIT_CASES W_DEPARTMENT PAGE_DUE;
static const char sql_mine[] = LIST_COLS FROM_CASES W_MINE PAGE_ID_DESC;
static const char sql_supervision[] = LIST_COLS FROM_AREA_CASES W_SUPERVISION PAGE_DUE;
static const char sql_count_dispatch[] = COUNT_COLS FROM_AREA_CASES W_DISPATCH;
static const char sql_count_department[] = COUNT_COLS FROM_UNIT_CASES W_DEPARTMENT;
static const char sql_count_mine[] = COUNT_COLS FROM_CASES W_MINE;
static const char sql_count_supervision[] = COUNT_COLS FROM_AREA_CASES W_SUPERVISION;

/* "%text%" for LIKE, with the pattern characters dropped from the text. */
static char *like_text(const char *text)
{
	size_t n = strlen(text);
	char *out = xmalloc(n + 3), *p = out;
	*p++ = '%';
	for (; *text; text++)
		if (*text != '%' && *text != '_' && *text != '\\')
			*p++ = *text;
	*p++ = '%';
	*p = '\0';
	return out;
}

enum inbox { INBOX_ALL, INBOX_DISPATCH, INBOX_DEPARTMENT, INBOX_MINE, INBOX_SUPERVISION, INBOX_COUNT };
static const char *const inbox_names[INBOX_COUNT] = {"all", "dispatch", "department", "mine", "supervision"};

static bool staff_like(enum role r)
{
	return r == ROLE_ADMIN || r == ROLE_COMMANDER || r == ROLE_STAFF;
}

/* Which inboxes a caller works from. */
static bool inbox_available(const struct caller *c, enum inbox i)
{
	switch (i) {
	case INBOX_ALL:
		return true;
	case INBOX_DISPATCH:
	case INBOX_SUPERVISION:
		return staff_like(c->role);
	case INBOX_DEPARTMENT:
		return c->role == ROLE_HANDLER && c->unit_id > 0;
	case INBOX_MINE:
		return c->user_id > 0;
	case INBOX_COUNT:
		break;
	}
	return false;
}

static json_t *item_json(struct store_stmt *st, int64_t now)
{
	int64_t due = store_col_int(st, 13);
	int64_t lead = store_col_int(st, 10);
	return json_pack("{s:I, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:b, s:s, s:o, s:o, s:o, s:b, s:I, s:b, s:b,"
			 " s:b}",
			 "id", (json_int_t)store_col_int(st, 0), "state", store_col_text(st, 1), "title",
			 store_col_text(st, 2), "category", "code", store_col_text(st, 3), "name_zh",
			 store_col_text(st, 4), "area", "code", store_col_text(st, 5), "name", store_col_text(st, 6),
			 "source", store_col_text(st, 7), "urgent", store_col_int(st, 8) != 0, "address",
			 store_col_text(st, 9), "lead_department",
			 lead ? json_pack("{s:I, s:s}", "id", (json_int_t)lead, "name", store_col_text(st, 11)) : json_null(),
			 "submitted_at", case_time_json(store_col_int(st, 12)), "due_at", case_time_json(due), "overdue",
			 due && now > due, "version", (json_int_t)store_col_int(st, 14), "unread",
			 store_col_int(st, 15) != 0, "extension_pending", store_col_int(st, 16) != 0, "supervised",
			 store_col_int(st, 17) != 0);
}

struct list_query {
	const struct caller *caller;
	enum inbox inbox;
	const char *state, *category, *source, *area, *q;
	int64_t limit;
	int64_t cursor_id, cursor_due;
	json_t *items;
	int64_t last_id, last_due;
	bool bad_area;
};

/* The instant up to which a due date counts as near. */
static int near_limit(struct store_conn *c, int64_t now, int64_t *out)
{
	const struct workcal *cal = cases_calendar(c);
	if (!cal)
		return STORE_ERROR;
	*out = workcal_add_minutes(cal, now, SUPERVISION_NEAR_MINUTES);
	return STORE_OK;
}

/* The list without an inbox: the statement of its shape, bound in the
 * order the shape lists. */
static struct store_stmt *prepare_all(struct store_conn *c, const struct list_query *q,
				      const struct store_scope *range)
{
	const struct caller *caller = q->caller;
	enum list_base base = caller->role == ROLE_HANDLER    ? LIST_BY_UNIT
			      : caller->role == ROLE_RESIDENT ? LIST_BY_REPORTER
							      : LIST_BY_AREA;
	unsigned filters = (q->state ? LIST_STATE : 0) | (q->category ? LIST_CATEGORY : 0) |
			   (q->source ? LIST_SOURCE : 0) | (q->q ? LIST_TEXT : 0);
	const struct list_shape *shape = list_shape_get(base, filters);
	struct store_stmt *st = store_prepare(c, shape->sql);
	if (!st)
		return NULL;
	/* Handlers and residents are not area-scoped: without an area filter
	 * their range is the whole tree. */
	static const struct store_scope whole_tree = {.path = "/"};
	const struct store_scope *in_range = q->area || base == LIST_BY_AREA ? range : &whole_tree;
	char *like = q->q ? like_text(q->q) : NULL;
	int i = 1;
	for (int b = 0; b < shape->nbinds; b++) {
		switch ((enum list_bind)shape->binds[b]) {
		case LIST_BIND_USER:
			store_bind_int(st, i++, caller->user_id);
			break;
		case LIST_BIND_SCOPE:
			store_bind_scope(st, i, &caller->scope);
			i += 2;
			break;
		case LIST_BIND_RANGE:
			store_bind_scope(st, i, in_range);
			i += 2;
			break;
		case LIST_BIND_UNIT:
			store_bind_int(st, i++, caller->unit_id);
			break;
		case LIST_BIND_STATE:
			store_bind_text(st, i++, q->state);
			break;
		case LIST_BIND_CATEGORY:
			store_bind_text(st, i++, q->category);
			break;
		case LIST_BIND_SOURCE:
			store_bind_text(st, i++, q->source);
			break;
		case LIST_BIND_TEXT:
			store_bind_text(st, i++, like);
			break;
		case LIST_BIND_CURSOR:
			store_bind_int(st, i++, q->cursor_id ? q->cursor_id : INT64_MAX);
			break;
		case LIST_BIND_LIMIT:
			store_bind_int(st, i++, q->limit);
			break;
		}
	}
	free(like);
	return st;
}

/* An inbox's statement, bound but for its limit, which comes last; *next
 * gets the index of that parameter. */
static struct store_stmt *prepare_inbox(struct store_conn *c, const struct list_query *q,
					const struct store_scope *range, int64_t now, int *next, int *rc)
{
	const struct caller *caller = q->caller;
	static const char *const sqls[INBOX_COUNT] = {NULL, sql_dispatch, sql_department, sql_mine, sql_supervision};
	int64_t near = 0;
	if (q->inbox == INBOX_SUPERVISION && (*rc = near_limit(c, now, &near)) != STORE_OK)
		return NULL;
	struct store_stmt *st = store_prepare(c, sqls[q->inbox]);
	if (!st) {
		*rc = STORE_ERROR;
		return NULL;
	}
	int i = 1;
	if (q->inbox == INBOX_DEPARTMENT) {
		store_bind_int(st, i++, caller->unit_id);
		store_bind_int(st, i++, caller->unit_id);
	}
	store_bind_int(st, i++, caller->user_id);
	switch (q->inbox) {
	case INBOX_DISPATCH:
		store_bind_scope(st, i, range);
		i += 2;
		store_bind_int(st, i++, q->cursor_id);
		break;
	case INBOX_MINE:
		store_bind_int(st, i++, caller->user_id);
		store_bind_int(st, i++, q->cursor_id);
		store_bind_int(st, i++, q->cursor_id);
		break;
	case INBOX_SUPERVISION:
		store_bind_scope(st, i, range);
		i += 2;
		store_bind_int(st, i++, near);
		/* then the (due, id) page */
		/* FALLTHROUGH */
	case INBOX_DEPARTMENT:
		store_bind_int(st, i++, q->cursor_due);
		store_bind_int(st, i++, q->cursor_due);
		store_bind_int(st, i++, q->cursor_id);
		break;
	case INBOX_ALL:
	case INBOX_COUNT:
		break;
	}
	*next = i;
	return st;
}

static int list_tx(struct store_conn *c, void *arg)
{
	struct list_query *q = arg;
	const struct caller *caller = q->caller;
	int64_t now = time_now();
	json_decref(q->items);
	q->items = json_array();
	struct store_scope range = caller->scope;
	if (q->area) {
		struct area_ref a;
		int rc = area_find(c, &caller->scope, q->area, &a);
		if (rc == STORE_DONE) {
			q->bad_area = true;
			return STORE_ABORT;
		}
		if (rc != STORE_OK)
			return rc;
		snprintf(range.path, sizeof range.path, "%s", a.path);
	}
	struct store_stmt *st;
	int rc = STORE_ERROR;
	if (q->inbox == INBOX_ALL) {
		st = prepare_all(c, q, &range);
	} else {
		int limit_at = 0;
		st = prepare_inbox(c, q, &range, now, &limit_at, &rc);
		if (st)
			store_bind_int(st, limit_at, q->limit);
	}
	if (!st)
		return rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		json_array_append_new(q->items, item_json(st, now));
		q->last_id = store_col_int(st, 0);
		q->last_due = store_col_int(st, 13);
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* "due.id" for the inboxes ordered by due date, a plain id otherwise. */
static bool parse_cursor(const char *text, bool compound, int64_t *due, int64_t *id)
{
	char *end;
	if (compound) {
		long long d = strtoll(text, &end, 10);
		if (*end != '.')
			return false;
		long long v = strtoll(end + 1, &end, 10);
		if (*end || v <= 0)
			return false;
		*due = d;
		*id = v;
		return true;
	}
	long long v = strtoll(text, &end, 10);
	if (*end || v <= 0 || end == text)
		return false;
	*id = v;
	return true;
}

void cases_list(struct http_req *req)
{
	const struct caller *caller = identity_caller(req);
	struct list_query q = {.caller = caller, .state = http_query(req, "state"), .category = http_query(req, "category"),
			       .source = http_query(req, "source"), .area = http_query(req, "area"),
			       .q = http_query(req, "q"), .limit = 50};
	const char *inbox = http_query(req, "inbox");
	q.inbox = INBOX_COUNT;
	for (int i = 0; i < INBOX_COUNT; i++)
		if (!inbox ? i == INBOX_ALL : strcmp(inbox, inbox_names[i]) == 0)
			q.inbox = (enum inbox)i;
	if (q.inbox == INBOX_COUNT) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "inbox", "inbox is dispatch, department, mine or supervision");
		return;
	}
	if (!inbox_available(caller, q.inbox)) {
		http_reply_error(req, HTTP_ERR_forbidden, "inbox", "Your role has no %s inbox", inbox_names[q.inbox]);
		return;
	}
	if (q.state && case_state_parse(q.state) == CASE_STATE_NONE) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "state", "Unknown state");
		return;
	}
	const char *limit = http_query(req, "limit");
	if (limit) {
		char *end;
		long long v = strtoll(limit, &end, 10);
		if (*end || end == limit || v < 1 || v > 500) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "limit", "limit is 1..500");
			return;
		}
		q.limit = v;
	}
	bool by_due = q.inbox == INBOX_DEPARTMENT || q.inbox == INBOX_SUPERVISION;
	q.cursor_due = INT64_MIN;
	const char *cursor = http_query(req, "cursor");
	if (cursor && !parse_cursor(cursor, by_due, &q.cursor_due, &q.cursor_id)) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "cursor", "Use the next_cursor of the previous page");
		return;
	}
	int rc = store_tx(cases_store, STORE_READ, list_tx, &q);
	if (rc != STORE_OK) {
		json_decref(q.items);
		if (q.bad_area)
			http_reply_error(req, HTTP_ERR_not_found, "area", "No such area");
		else
			reply_store_failure(req, rc);
		return;
	}
	json_t *next = json_null();
	if ((int64_t)json_array_size(q.items) == q.limit) {
		char text[48];
		if (by_due)
			snprintf(text, sizeof text, "%" PRId64 ".%" PRId64, q.last_due, q.last_id);
		else
			snprintf(text, sizeof text, "%" PRId64, q.last_id);
		next = json_string(text);
	}
	http_reply_json(req, 200, json_pack("{s:o, s:o}", "items", q.items, "next_cursor", next));
}

struct counts {
	const struct caller *caller;
	json_t *out;
};

static int counts_tx(struct store_conn *c, void *arg)
{
	struct counts *k = arg;
	const struct caller *caller = k->caller;
	json_decref(k->out);
	k->out = json_object();
	static const char *const sqls[INBOX_COUNT] = {NULL, sql_count_dispatch, sql_count_department, sql_count_mine,
						      sql_count_supervision};
	for (int i = INBOX_DISPATCH; i < INBOX_COUNT; i++) {
		if (!inbox_available(caller, (enum inbox)i))
			continue;
		int64_t near = 0;
		if (i == INBOX_SUPERVISION) {
			int rc = near_limit(c, time_now(), &near);
			if (rc != STORE_OK)
				return rc;
		}
		struct store_stmt *st = store_prepare(c, sqls[i]);
		if (!st)
			return STORE_ERROR;
		if (i == INBOX_DEPARTMENT) {
			store_bind_int(st, 1, caller->unit_id);
			store_bind_int(st, 2, caller->unit_id);
			store_bind_int(st, 3, caller->user_id);
		} else {
			store_bind_int(st, 1, caller->user_id);
		}
		if (i == INBOX_DISPATCH || i == INBOX_SUPERVISION)
			store_bind_scope(st, 2, &caller->scope);
		if (i == INBOX_SUPERVISION)
			store_bind_int(st, 4, near);
		if (i == INBOX_MINE)
			store_bind_int(st, 2, caller->user_id);
		int rc = store_step(st);
		if (rc == STORE_ROW)
			json_object_set_new(k->out, inbox_names[i],
					    json_pack("{s:I, s:I}", "total", (json_int_t)store_col_int(st, 0), "unread",
						      (json_int_t)store_col_int(st, 1)));
		store_reset(st);
		if (rc != STORE_ROW)
			return rc;
	}
	return STORE_OK;
}

void cases_inboxes(struct http_req *req)
{
	struct counts k = {.caller = identity_caller(req)};
	int rc = store_tx(cases_store, STORE_READ, counts_tx, &k);
	if (rc != STORE_OK) {
		json_decref(k.out);
		reply_store_failure(req, rc);
		return;
	}
	http_reply_json(req, 200, k.out);
}

/* ---- one case ---- */

/* A read of an unchanged case is one statement (case_load_for_reader: the
 * case, its area and the reader's read mark by primary key) and a copy of
 * the text rendered for the same parties (case_cache.c). */
struct read_one {
	const struct caller *caller;
	struct actor actor;
	int64_t id;
	uint64_t generation; /* of the case cache, read before the load */
	char *text;          /* the answer (owned), cached or rendered */
	size_t len;
	int version;
	bool missing;
	bool read_already; /* the user has seen this version: no write needed */
	bool reveal; /* the reporter's phone, to call them back (audited) */
};

static const char sql_reporter_phone[] = "SELECT reporter_phone_sealed, key_version FROM cases WHERE id = ?";

/* The reporter's phone in clear ("" when none), audited in the same
 * transaction as the answer that shows it: no reveal without its entry. */
static int reveal_phone(struct store_conn *c, struct read_one *r, const struct case_row *row, char *phone,
			size_t cap)
{
	struct store_stmt *st = store_prepare(c, sql_reporter_phone);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, row->id);
	int rc = store_step(st);
	phone[0] = '\0';
	if (rc == STORE_ROW && !store_col_null(st, 0)) {
		size_t n;
		const unsigned char *sealed = store_col_blob(st, 0, &n);
		if (!vault_open(cases_vault, (int)store_col_int(st, 1), sealed, n, phone, cap))
			phone[0] = '\0';
	}
	store_reset(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	char object_id[24];
	snprintf(object_id, sizeof object_id, "%lld", (long long)row->id);
	json_t *summary = json_pack("{s:s}", "field", "reporter_phone");
	rc = audit_append(c, &r->actor, "case.reveal", "case", object_id, row->area_id, summary);
	json_decref(summary);
	return rc;
}

static int read_tx(struct store_conn *c, void *arg)
{
	struct read_one *r = arg;
	free(r->text);
	r->text = NULL;
	struct case_row row;
	int read_version = 0;
	int rc = case_load_for_reader(c, r->id, r->caller->user_id, &row, &read_version);
	if (rc == STORE_OK)
		rc = case_visible(c, r->caller, &row);
	if (rc == STORE_DONE) {
		r->missing = true;
		return STORE_ABORT;
	}
	if (rc != STORE_OK)
		return rc;
	unsigned parties;
	if ((rc = case_parties(c, r->caller, &row, &parties)) != STORE_OK)
		return rc;
	r->version = row.version;
	r->read_already = read_version >= row.version;
	int64_t now = time_now();
	if (!r->reveal && (r->text = case_cache_get(row.id, parties, row.version, r->generation, now, &r->len)))
		return STORE_OK;
	char phone[64];
	if (r->reveal && (rc = reveal_phone(c, r, &row, phone, sizeof phone)) != STORE_OK)
		return rc;
	struct buf text = {0};
	if ((rc = case_json_text(c, &row, parties, false, r->reveal ? phone : NULL, &text)) != STORE_OK) {
		buf_free(&text);
		return rc;
	}
	r->len = text.len;
	r->text = buf_steal(&text);
	if (r->reveal)
		return STORE_OK;
	int64_t until = now + CASE_CACHE_SECONDS, turns = case_json_valid_until(&row, now);
	case_cache_put(row.id, parties, row.version, r->generation, turns < until ? turns : until, r->text, r->len);
	return STORE_OK;
}

static int mark_tx(struct store_conn *c, void *arg)
{
	struct read_one *r = arg;
	return case_mark_read(c, r->caller->user_id, r->id, r->version);
}

void cases_read(struct http_req *req)
{
	struct read_one r = {.caller = identity_caller(req), .id = http_param_id(req, "id")};
	const char *reveal = http_query(req, "reveal");
	if (reveal) {
		if (strcmp(reveal, "phone") != 0) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "reveal", "reveal=phone shows the reporter's phone");
			return;
		}
		if (!role_has(r.caller->role, "cases.reveal")) {
			http_reply_error(req, HTTP_ERR_forbidden, "reveal", "Your role may not reveal personal data");
			return;
		}
		r.reveal = true;
		identity_actor(req, &r.actor);
	}
	r.generation = case_cache_generation();
	int rc = r.id > 0 ? store_tx(cases_store, r.reveal ? STORE_WRITE : STORE_READ, read_tx, &r) : STORE_ABORT;
	if (rc != STORE_OK) {
		free(r.text);
		if (rc == STORE_ABORT)
			http_reply_error(req, HTTP_ERR_not_found, NULL, "No such case");
		else
			reply_store_failure(req, rc);
		return;
	}
	/* Opening a case is what makes it read; a failure here costs only
	 * an unread mark, so the answer stands. */
	if (r.caller->user_id && !r.read_already)
		store_tx(cases_store, STORE_WRITE, mark_tx, &r);
	http_reply_raw(req, 200, "application/json; charset=utf-8", r.text, r.len);
}

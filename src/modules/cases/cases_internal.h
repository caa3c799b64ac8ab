/* What the cases module's files share. Not for other modules: they use
 * cases.h. */
#ifndef WG_CASES_INTERNAL_H
#define WG_CASES_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/vault.h"
#include "core/workcal.h"
#include "http/http.h"
#include "modules/cases/lifecycle.h"
#include "modules/identity/identity.h"
#include "store/store.h"

extern struct store *cases_store;
extern const struct vault *cases_vault;

/* Refuses a request from inside a transaction: fills the error fields of
 * *out (an intake or action result) and rolls back quietly. */
#define CASE_REFUSE(out, code, fld, ...)                                                                              \
	do {                                                                                                          \
		(out)->error = (code);                                                                                \
		(out)->error_field = (fld);                                                                           \
		snprintf((out)->error_message, sizeof (out)->error_message, __VA_ARGS__);                             \
		return STORE_ABORT;                                                                                   \
	} while (0)

/* ---- a case as the actions and reads need it (cases.c) ---- */

#define CASE_CATEGORY_CODE_MAX 32
#define CASE_TITLE_MAX 100
#define CASE_TEXT_MAX 4000

struct case_row {
	int64_t id, area_id, lead_unit_id, reporter_user_id, suggested_unit_id, merged_into;
	char state[16];
	char category[CASE_CATEGORY_CODE_MAX + 1];
	char area_path[STORE_PATH_MAX];
	int version, reopen_count, extension_days;
	bool extension_pending, ruled, urgent;
	int64_t submitted_at, dispatched_at, signed_at, resolved_at, sign_due_at, resolve_due_at;
};

/* Loads a case by id, whoever may see it: STORE_OK, STORE_DONE, a failure.
 * Callers then ask case_visible(): a case the caller may not see is
 * answered exactly as a missing one. */
int case_load(struct store_conn *c, int64_t id, struct case_row *out);
/* case_load and, in the same statement, the version of the case the user
 * last opened (*read_version 0 when never, or for user 0). */
int case_load_for_reader(struct store_conn *c, int64_t id, int64_t user_id, struct case_row *out, int *read_version);
/* Whether the caller may see the case: its area in an area-scoped caller's
 * scope, its departments for a handler, its reporter for a resident.
 * A store_rc: STORE_OK (visible), STORE_DONE (not), or a failure. */
int case_visible(struct store_conn *c, const struct caller *caller, const struct case_row *row);
/* case_load() then case_visible(): STORE_DONE alike for a case that does
 * not exist and for one out of the caller's sight, so a probe learns
 * nothing. */
int case_load_visible(struct store_conn *c, const struct caller *caller, int64_t id, struct case_row *out);
/* The caller's parties on the case, a bit per enum case_party. */
int case_parties(struct store_conn *c, const struct caller *caller, const struct case_row *row, unsigned *parties);
/* The facts lifecycle.c decides on. */
void case_facts_of(const struct case_row *row, struct case_facts *out);
/* The whole case as the API answers it, for a caller with these parties
 * (parties decide the allowed actions).
 * public_view: the resident's follow page (no internal notes, no names of
 * staff). Caller owns *out. */
int case_json(struct store_conn *c, const struct case_row *row, unsigned parties, bool public_view, json_t **out);
/* The same as text appended to out, with no tree in between (the read of
 * one case); phone, when not NULL, is the reporter's phone in clear for a
 * reveal ("" when there is none). */
int case_json_text(struct store_conn *c, const struct case_row *row, unsigned parties, bool public_view,
		   const char *phone, struct buf *out);
/* Until when case_json's answer stays what it is without a write: the
 * instant "overdue" turns true, INT64_MAX when it never will. */
int64_t case_json_valid_until(const struct case_row *row, int64_t now);
/* "2026-11-22T19:50:37Z", or JSON null for 0. */
json_t *case_time_json(int64_t t);
/* Rendered cases (case_cache.c): the JSON text of a case for a set of
 * parties at a version, under the generation read before the case was
 * loaded. get: a copy the caller frees, or NULL. */
#define CASE_CACHE_SECONDS 30
uint64_t case_cache_generation(void);
char *case_cache_get(int64_t id, unsigned parties, int version, uint64_t generation, int64_t now, size_t *len);
void case_cache_put(int64_t id, unsigned parties, int version, uint64_t generation, int64_t until, const char *text,
		    size_t len);
/* After a committed change of a category (its names are in cases). */
void case_cache_categories_changed(void);
void case_cache_close(void);
/* Marks the case read by the user at its version (no-op for user 0). */
int case_mark_read(struct store_conn *c, int64_t user_id, int64_t case_id, int version);
/* Attaches photos (content addresses) to the case and, when event_id is
 * not 0, to that step. STORE_ABORT with *bad naming the first unknown one. */
int case_attach_photos(struct store_conn *c, int64_t case_id, int64_t event_id, json_t *photos, const char **bad);
/* Checks a "photos" input: an array of at most photo_max_count distinct
 * 64-hex strings (or absent). false after answering 422. */
bool case_photos_input_ok(struct http_req *req, json_t *photos);
extern int cases_photo_max_count;

/* Appends a timeline entry; *event_id gets its id. data borrowed (may be
 * NULL). */
struct case_event {
	int64_t case_id;
	const char *action, *party, *from_state, *to_state, *note;
	const struct caller *caller; /* NULL: the system or an anonymous resident */
	const char *actor_login;     /* when caller is NULL */
	json_t *data;
	bool public;
};
int case_event_add(struct store_conn *c, const struct case_event *e, int64_t *event_id);
/* Each case's steps are numbered in a block of its own, case id ×
 * CASE_EVENT_BLOCK onwards, so that its timeline lies in adjacent rows
 * (on SQLite, the same page) instead of one page per step among all the
 * town's steps: the timeline was a third of the time of a read of one
 * case. The next id of the case's block, or past every id when the block
 * is full or holds older ids that left no room. */
#define CASE_EVENT_BLOCK 65536
int case_event_next_id(struct store_conn *c, int64_t case_id, int64_t *id);

/* ---- actions (actions.c), shared with the public follow page ---- */

struct case_action_request {
	int64_t case_id;
	const struct caller *caller; /* NULL: the anonymous reporter through the follow link */
	bool as_reporter;            /* the follow link proves the reporter */
	bool as_system;              /* the timers */
	enum case_action action;
	int64_t version;
	struct case_step_input input;
	json_t *co_departments; /* borrowed */
	json_t *photos;         /* borrowed */
	int64_t *co_buffer;     /* owned: the ids of co_departments */
	const char *request_id;
	const char *address;    /* the client's, for the audit log */
	/* out */
	enum http_error error;
	const char *error_field;
	char error_message[200];
	json_t *result;
};
/* Runs one action in a write transaction (load, decide, write, timeline,
 * outbox). Returns a store_rc; STORE_ABORT with the error fields set. */
int case_act(struct case_action_request *r);

/* The actions answer for both routes. */
void case_action_reply(struct http_req *req, struct case_action_request *r, int rc);
/* Parses the action body into r (everything but case_id/caller). false
 * after answering. */
bool case_action_body_parse(struct http_req *req, struct case_action_request *r, bool public_route);

/* Route handlers of the main table (cases.c). */
void cases_create(struct http_req *req);        /* intake.c */
void cases_create_public(struct http_req *req); /* intake.c */
void cases_action(struct http_req *req);        /* actions.c */
void cases_departments(struct http_req *req);   /* actions.c */
void cases_read(struct http_req *req);          /* inbox.c */
void cases_duplicates(struct http_req *req);    /* duplicates.c */
void cases_list(struct http_req *req);          /* inbox.c */
void cases_inboxes(struct http_req *req);       /* inbox.c */
void cases_follow_read(struct http_req *req);   /* follow.c */
void cases_follow_action(struct http_req *req); /* follow.c */
void cases_public_area(struct http_req *req);   /* follow.c */
extern int cases_autoclose_days;                /* sweep.c */

/* ---- categories, limits, routing, calendar (categories.c, routing.c,
 * limits.c, calendar.c) ---- */

/* A category's time limits (see migrations/0005_cases.sql). */
struct case_limits {
	int sign_hours;           /* working hours from dispatch to signing */
	int resolve_limit;        /* working hours or days from signing to resolution */
	bool resolve_in_days;
	bool urgent;              /* the category's default urgency */
	int urgent_sign_hours;    /* calendar hours, for urgent cases */
	int urgent_resolve_hours;
	bool active;              /* retired categories take no new cases; their open ones keep their clocks */
};

/* Reads the limits of a category, retired or not. STORE_OK, STORE_DONE
 * when there is no such category, or a failure. */
int case_category_limits(struct store_conn *c, const char *code, struct case_limits *out);

/* When a dispatched case must be signed, and a signed case resolved (pure).
 * Urgent cases count calendar hours; others working time on cal.
 * extension_days: working days granted so far (added to the resolution). */
int64_t case_sign_due(const struct case_limits *l, const struct workcal *cal, int64_t dispatched_at, bool urgent);
int64_t case_resolve_due(const struct case_limits *l, const struct workcal *cal, int64_t signed_at, bool urgent,
			 int extension_days);

/* The routing rule for a case: the rule whose area is the deepest one
 * holding area_path and, among those, whose category is the deepest of
 * category and its ancestors. */
struct case_route_choice {
	int64_t route_id;
	int64_t lead_unit_id;
	bool auto_dispatch;
	size_t co_count;
	int64_t co_units[CASE_MAX_CO_DEPARTMENTS];
};
/* STORE_OK with *out filled, STORE_DONE when no rule applies, or a failure. */
int case_route_find(struct store_conn *c, const char *category, const char *area_path, struct case_route_choice *out);

/* A candidate rule as the store found it, for the pure choice. */
struct case_route_candidate {
	int64_t route_id;
	int area_depth;     /* segments in the rule area's path */
	int category_depth; /* 0 for the case's own category, 1 its parent, ... */
};
/* The index of the winning candidate, or -1 when n is 0 (pure). */
int case_route_pick(const struct case_route_candidate *cands, size_t n);

/* The working calendar in force: the admins' edit if any, else the built-in
 * one. The pointer stays valid until the module is closed (superseded
 * calendars are kept, not freed, because edits are rare and readers hold
 * no lock). NULL on a store failure. */
const struct workcal *cases_calendar(struct store_conn *c);
/* Frees every calendar the module loaded (at shutdown). */
void cases_calendar_close(void);

/* Route handlers for configuration (categories.c, calendar.c). */
void categories_list(struct http_req *req);        /* GET  /api/v1/case-categories (session) */
void categories_public(struct http_req *req);      /* GET  /api/v1/public/case-categories (public) */
void categories_create(struct http_req *req);      /* POST /api/v1/case-categories */
void categories_update(struct http_req *req);      /* PATCH /api/v1/case-categories/{code} */
void routes_list(struct http_req *req);            /* GET  /api/v1/case-routes */
void routes_create(struct http_req *req);          /* POST /api/v1/case-routes */
void routes_update(struct http_req *req);          /* PATCH /api/v1/case-routes/{id} */
void routes_delete(struct http_req *req);          /* DELETE /api/v1/case-routes/{id} */
void calendar_read(struct http_req *req);          /* GET  /api/v1/calendar */
void calendar_replace(struct http_req *req);       /* PUT  /api/v1/calendar */

#endif

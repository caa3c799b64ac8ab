/* What the cases module's files share. Not for other modules: they use
 * cases.h. */
#ifndef WG_CASES_INTERNAL_H
#define WG_CASES_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vault.h"
#include "core/workcal.h"
#include "http/http.h"
#include "modules/cases/lifecycle.h"
#include "modules/identity/identity.h"
#include "store/store.h"

extern struct store *cases_store;
extern const struct vault *cases_vault;

/* ---- categories, limits, routing, calendar (categories.c, routing.c,
 * limits.c, calendar.c) ---- */

#define CASE_CATEGORY_CODE_MAX 32

/* A category's time limits (see migrations/0005_cases.sql). */
struct case_limits {
	int sign_hours;           /* working hours from dispatch to signing */
	int resolve_limit;        /* working hours or days from signing to resolution */
	bool resolve_in_days;
	bool urgent;              /* the category's default urgency */
	int urgent_sign_hours;    /* calendar hours, for urgent cases */
	int urgent_resolve_hours;
};

/* Reads the limits of an active category. STORE_OK, STORE_DONE when there
 * is no such active category, or a failure. */
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

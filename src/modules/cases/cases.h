/* Cases (诉求/事件): the request loop 点单 → 派单 → 接单 → 评单. Residents,
 * grid workers, hotline and window staff and integrations submit; rules or
 * dispatchers send each case to a lead department; the department signs,
 * handles and resolves it on a working-time clock; the reporter rates it.
 * Every step is on the case's timeline. lifecycle.c holds the one
 * transition table. */
#ifndef WG_CASES_CASES_H
#define WG_CASES_CASES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/vault.h"
#include "http/http.h"
#include "store/store.h"

struct caller;
struct actor;

/* The module's routes. store, vault and cfg are borrowed for the server's
 * life. */
const struct http_module *cases_module(struct store *store, const struct vault *vault, const struct config *cfg);
/* Stops the module's timer thread and frees what it holds (at shutdown). */
void cases_close(void);
/* Starts the timer thread: automatic reminders of overdue cases and the
 * closing of unrated ones. 0, or -1 with *err. */
int cases_start(char **err);

/* A new case, from any intake channel. */
struct case_intake {
	const char *source;      /* resident | grid_worker | hotline | window | api | open311 */
	const char *category;
	const char *area_code;   /* NULL: the caller's scope root */
	const char *title;       /* NULL: the start of the description */
	const char *description;
	const char *address;
	bool has_location;
	double lat, lon;
	const char *reporter_name;
	const char *reporter_phone;
	const char *call_notes;      /* hotline */
	const char *direct_answer;   /* hotline/window: answered at once; the case closes */
	int urgent;                  /* -1: the category's default */
	json_t *attributes;          /* borrowed; NULL: none */
	json_t *photos;              /* borrowed array of content addresses; NULL: none */
};

/* What intake made, or why not. */
struct case_intake_result {
	int64_t id;
	char follow_code[40];   /* for the reporter's link; shown once */
	char state[16];
	enum http_error error;  /* when the result is STORE_ABORT */
	const char *error_field;
	char error_message[200];
};

/* Submits a case as caller (NULL: an anonymous resident; actor from
 * identity_actor()). Checks every field, routes by rule, and writes the
 * case, its timeline, the audit entry and its outbox events in one
 * transaction. Returns a store_rc (STORE_ABORT: refused, see out->error). */
int cases_intake(const struct caller *caller, const struct actor *actor, const struct case_intake *in,
		 struct case_intake_result *out);
/* The reporter's follow code → the case id: STORE_OK, STORE_DONE, failure. */
int cases_find_by_follow_code(struct store_conn *c, const char *code, int64_t *id);

/* A comment on the public timeline by whoever speaks for the reporter
 * without being a user (an integration that submitted the case, such as an
 * Open311 client). The caller has checked that caller may: this adds no
 * check of scope. */
struct case_reporter_comment {
	const struct caller *caller; /* the integration's token caller */
	int64_t case_id;
	const char *text;
	const char *request_id, *address; /* for the audit log */
	/* out */
	int64_t event_id;       /* the timeline entry made */
	enum http_error error;  /* when the result is STORE_ABORT */
	char error_message[200];
};
/* Returns a store_rc (STORE_ABORT: refused, see c->error: not_found,
 * invalid_transition when the case no longer takes comments, or an invalid
 * text). */
int cases_reporter_comment(struct case_reporter_comment *c);

/* Key rotation of the reporters' sealed phones (see wangge keys rotate):
 * rows sealed with another key version than the current, and their re-keying
 * (resumable; *damaged when a field did not open and was left alone). */
int cases_stale_rows(struct store *s, const struct vault *v, int64_t *count);
int cases_rekey(struct store *s, const struct vault *v, int64_t *rekeyed, bool *damaged);

/* Recounts the case figures' aggregates from the cases, in one write
 * transaction (after a restore or a manual edit of cases), and clears a
 * pending recount. A store_rc. */
int cases_figures_rebuild(struct store *s);
/* Recounts them only when a migration left a recount pending (0008 on a
 * database that held cases), clearing the mark in the same transaction: a
 * crash leaves it set, and the next start recounts. Run after
 * store_migrate by whoever migrates. *rebuilt says whether it ran. A
 * store_rc. */
int cases_figures_rebuild_pending(struct store *s, bool *rebuilt);

/* Runs the timers once at `now` (the thread does it every minute; the CLI
 * and tests call it directly). *reminded and *closed get the counts. */
int cases_sweep(struct store *s, int64_t now, int autoclose_days, int64_t *reminded, int64_t *closed);

/* The demo town's cases (wangge demo, demo.c). */
struct cases_demo_options {
	const char *town_code;   /* where the rules go and the cases happen (its grids) */
	const char *focus_code;  /* the demo staff's community: a fuller share, and the newest cases; NULL: none */
	const char *staff_login, *commander_login, *grid_login, *resident_login, *handler_login; /* the demo users */
	const struct actor *actor; /* the CLI's, for the one audit entry */
	long cases;              /* how many the town should have: the missing ones are added */
	uint64_t seed;
	int64_t now;             /* the end of the 90 days; 0: the clock */
};
struct cases_demo_report {
	size_t rules, rules_created;
	size_t cases, cases_before, cases_created; /* cases: in the town afterwards */
	bool cases_skipped;      /* the town had as many cases or more: none added */
	size_t events, co_units, open, overdue, resolved, closed, reopened, merged;
	double seconds;
};
/* Writes the town's routing rules (those missing) and, unless the town
 * has cases already, o->cases cases with their timelines, in transactions
 * of 1,000 cases. Strings of o are borrowed. Uses the module's calendar
 * cache and frees it before returning: for the CLI, not a running server.
 * Returns a store_rc (STORE_ABORT: no such town, or a category missing). */
int cases_demo(struct store *s, const struct vault *v, const struct cases_demo_options *o,
	       struct cases_demo_report *out);

#endif

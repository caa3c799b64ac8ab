/* The case figures' aggregates, kept on write (migrations/0008): every
 * write that changes what a case counts for applies (new contribution −
 * old contribution) to the tally rows in its own transaction, so the
 * figures (stats.c) read sums over groups instead of scanning cases.
 * Internal to the cases module. */
#ifndef WG_CASES_TALLIES_H
#define WG_CASES_TALLIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strmap.h"
#include "modules/cases/cases_internal.h"
#include "modules/cases/figures.h"
#include "store/scope.h"

/* The tally columns after "received", each with its field of struct
 * case_counts. Overdue depends on the clock: the tallies hold the cases
 * past due that were reminded after their due date (the timer does so
 * within a minute; from then on time changes nothing), and the figures add
 * the few past due and not yet reminded when they are read. */
#define CASE_TALLY_COLUMNS(X)                                                                                      \
	X(state_submitted, by_state[CASE_SUBMITTED])                                                             \
	X(state_dispatched, by_state[CASE_DISPATCHED])                                                           \
	X(state_signed, by_state[CASE_SIGNED])                                                                   \
	X(state_returned, by_state[CASE_RETURNED])                                                               \
	X(state_resolved, by_state[CASE_RESOLVED])                                                               \
	X(state_rated, by_state[CASE_RATED])                                                                     \
	X(state_closed, by_state[CASE_CLOSED])                                                                   \
	X(signed_total, signed_total)                                                                            \
	X(signed_on_time, signed_on_time)                                                                        \
	X(resolved, resolved)                                                                                    \
	X(resolved_on_time, resolved_on_time)                                                                    \
	X(rated, rated)                                                                                          \
	X(outcome_resolved, outcome_resolved)                                                                    \
	X(outcome_partly, outcome_partly)                                                                        \
	X(outcome_not, outcome_not)                                                                              \
	X(satisfied, satisfied)                                                                                  \
	X(basically_satisfied, basically_satisfied)                                                              \
	X(unsatisfied, unsatisfied)                                                                              \
	X(handled, handled)                                                                                      \
	X(handling_seconds, handling_seconds)                                                                    \
	X(reopened, reopened)                                                                                    \
	X(good, good)                                                                                            \
	X(sign_overdue_reminded, sign_overdue)                                                                   \
	X(resolve_overdue_reminded, resolve_overdue)

#define CASE_SOURCE_MAX 24

/* What a case counts for: its keys and the fields the counters read. */
struct case_tally_facts {
	int64_t area_id;
	int64_t lead_unit_id; /* 0: none yet */
	char category[CASE_CATEGORY_CODE_MAX + 1];
	char source[CASE_SOURCE_MAX + 1];
	int64_t submitted_at;
	enum case_state state;
	bool merged;
	bool has_resolved_at;
	int64_t resolved_at;
	int signed_late, resolved_late;     /* -1: NULL */
	char rating_outcome[16];            /* "": NULL */
	char satisfaction[24];              /* "": NULL */
	int reopen_count;
	int64_t sign_due_at, resolve_due_at, reminded_at; /* 0: NULL */
	char area_path[STORE_PATH_MAX];     /* "": looked up when applied */
};

/* A case's contribution to the counters (pure): all zero for a merged
 * duplicate; otherwise received 1, its state 1, and the rest as the
 * comments of CASE_COUNTERS say, but for overdue: sign_overdue (and
 * resolve_overdue) is 1 only for a case dispatched (signed) and reminded
 * after its due date. */
void case_tally_contribution(const struct case_tally_facts *f, struct case_counts *out);
/* The local day (UTC+8) a case counts on. */
int64_t case_tally_day(const struct case_tally_facts *f);

/* Reads the counted fields of a case. STORE_OK, STORE_DONE, a failure. */
int case_tally_load(struct store_conn *c, int64_t case_id, struct case_tally_facts *out);

/* Changes to tally rows gathered in memory, written by one flush: a case
 * before and after a write (identical keys cancel out to a delta), or a
 * whole batch of new demo cases. */
struct case_tally_delta;
struct case_tally_batch {
	struct case_tally_delta *items;
	size_t count, cap;
	struct strmap index;     /* row key -> index in items */
	struct strmap path_of;   /* area id -> index in paths */
	char (*paths)[STORE_PATH_MAX];
	size_t npaths, paths_cap;
};
/* Adds sign (+1 or -1) times the case's contribution to every row it
 * counts in: its own area's day row, and the detail and department rows
 * of its own area and of each ancestor. Looks the area's path up when f has none. */
int case_tally_batch_add(struct store_conn *c, struct case_tally_batch *b, const struct case_tally_facts *f, int sign);
/* Upserts every non-zero delta and empties the batch. A store_rc. */
int case_tally_batch_flush(struct store_conn *c, struct case_tally_batch *b);
void case_tally_batch_free(struct case_tally_batch *b);

/* The whole change of one write: before (NULL for a new case) and the
 * case as it now stands, read back from the store. A store_rc. */
int case_tally_update(struct store_conn *c, const struct case_tally_facts *before, int64_t case_id);

/* A moved area: its subtree's detail and department rows (those of the
 * area itself) leave the old ancestors and join the new ones. Paths with
 * the area's own id last. A store_rc. */
int case_tally_area_moved(struct store_conn *c, int64_t area_id, const char *old_path, const char *new_path);

/* The body of cases_figures_rebuild(), for a caller's own transaction. */
int case_tallies_rebuild_tx(struct store_conn *c, void *arg);

#endif

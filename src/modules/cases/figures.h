/* Case figures: the arithmetic that turns raw counts of cases into the
 * rates a commander reads (及时签收率, 按时办结率, 解决率, 满意率), the
 * fair ranking score, and the local-date arithmetic of the reporting
 * periods. Pure: no I/O, no clock, no database. Where the counts come from
 * (a scan today, aggregates kept on write later) is stats.c's business. */
#ifndef WG_CASES_FIGURES_H
#define WG_CASES_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modules/cases/lifecycle.h"

/* Raw counts over a set of cases (merged duplicates are never in a set).
 * Every figure counts the case as it stands now: a case reopened by an
 * unsatisfied rating is back in handling, so its earlier resolution and
 * rating no longer count until it is resolved and rated again. The sets
 * that share a denominator are disjoint by construction. */
#define CASE_COUNTERS(X)                                                                     \
	X(received)         /* cases submitted in the period */                              \
	X(signed_total)     /* signed (signed_late set), not waiting for a new signing */    \
	X(signed_on_time)   /* ... of which signed_late = 0 */                               \
	X(sign_overdue)     /* dispatched, unsigned, past sign_due_at */                     \
	X(resolved)         /* resolved (resolved_late set) and resolved|rated|closed */     \
	X(resolved_on_time) /* ... of which resolved_late = 0 */                             \
	X(resolve_overdue)  /* signed, unresolved, past resolve_due_at */                    \
	X(rated)            /* rated|closed with a rating_outcome */                         \
	X(outcome_resolved)                                                                  \
	X(outcome_partly)                                                                    \
	X(outcome_not)                                                                       \
	X(satisfied)                                                                         \
	X(basically_satisfied)                                                               \
	X(unsatisfied)                                                                       \
	X(handled)          /* resolved cases with resolved_at: the mean's n */              \
	X(handling_seconds) /* sum of resolved_at - submitted_at over those */               \
	X(reopened)         /* cases reopened at least once */                               \
	X(good)             /* resolved on time and not rated unsatisfied */

struct case_counts {
	int64_t by_state[CASE_STATE_COUNT]; /* indexed by enum case_state */
#define CASE_COUNTER_FIELD(name) int64_t name;
	CASE_COUNTERS(CASE_COUNTER_FIELD)
#undef CASE_COUNTER_FIELD
};

/* into += add, field by field. */
void case_counts_add(struct case_counts *into, const struct case_counts *add);
/* Cases someone still owes work: submitted, dispatched, signed, returned. */
int64_t case_counts_open(const struct case_counts *c);
/* Open and past the due date that applies now. */
int64_t case_counts_overdue(const struct case_counts *c);
/* Cases with an outcome for the ranking: resolved, or past a due date. */
int64_t case_counts_outcomes(const struct case_counts *c);

/* A proportion with its parts; has is false when den is 0 (the API then
 * answers null: no data is not a rate of 0). */
struct case_rate {
	int64_t num, den;
	bool has;
	double value;
};

struct case_figures {
	struct case_rate response;     /* signed on time / (signed + unsigned past due) */
	struct case_rate on_time;      /* resolved on time / (resolved + unresolved past due) */
	struct case_rate resolution;   /* rating_outcome resolved / rated */
	struct case_rate satisfaction; /* satisfied + basically satisfied / rated */
	bool has_avg_handling;
	double avg_handling_hours;     /* mean submitted → resolved, in hours */
};

struct case_rate case_rate_of(int64_t num, int64_t den);
void case_figures_compute(const struct case_counts *c, struct case_figures *out);

/* ---- the ranking ---- */

#define FIGURES_Z95 1.96

/* The lower bound of the Wilson score interval for good successes out of
 * n, at confidence z (FIGURES_Z95 for 95%). 0 when n is 0. In [0, 1]. */
double figures_wilson_lower(int64_t good, int64_t n, double z);

/* One unit to rank: its index in the caller's array and its figures. */
struct figures_rank {
	size_t index;
	int64_t n, good;
	double score; /* filled by figures_rank_sort */
};
/* Scores every entry (Wilson lower bound at 95%) and sorts: score
 * descending, then n descending (more evidence first), then index
 * ascending (the caller's stable order). */
void figures_rank_sort(struct figures_rank *r, size_t count);

/* ---- local dates (Asia/Shanghai: UTC+8, no DST since 1991) ---- */

#define FIGURES_TZ_OFFSET (8 * 3600)

enum figures_period {
	FIGURES_DAY,
	FIGURES_WEEK,  /* Monday to Sunday */
	FIGURES_MONTH,
};

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t figures_days_from_civil(int y, int m, int d);
void figures_civil_from_days(int64_t day, int *y, int *m, int *d);
/* Parses exactly "YYYY-MM-DD" (a real date, years 1970-9999) into a day
 * number. */
bool figures_parse_date(const char *text, int64_t *day);
/* "YYYY-MM-DD" into out (at least 11 bytes). */
void figures_format_date(int64_t day, char *out);
/* The local day an instant falls on, and the instant a local day starts. */
int64_t figures_local_day(int64_t instant);
int64_t figures_day_start(int64_t day);
/* The first day of the period holding day, and of the period after it. */
int64_t figures_period_start(int64_t day, enum figures_period p);
int64_t figures_period_next(int64_t start, enum figures_period p);
/* The label of the period starting at start: "2026-02-01" for a day or a
 * week (its Monday), "2026-02" for a month. out at least 11 bytes. */
void figures_period_label(int64_t start, enum figures_period p, char *out);

#endif

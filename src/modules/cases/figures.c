/* Case figures: rates from counts, the Wilson score for rankings, and the
 * local-date arithmetic of reporting periods. See figures.h. */
#include "modules/cases/figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void case_counts_add(struct case_counts *into, const struct case_counts *add)
{
	for (int i = 0; i < CASE_STATE_COUNT; i++)
		into->by_state[i] += add->by_state[i];
#define CASE_COUNTER_ADD(name) into->name += add->name;
	CASE_COUNTERS(CASE_COUNTER_ADD)
#undef CASE_COUNTER_ADD
}

int64_t case_counts_open(const struct case_counts *c)
{
	return c->by_state[CASE_SUBMITTED] + c->by_state[CASE_DISPATCHED] + c->by_state[CASE_SIGNED] +
	       c->by_state[CASE_RETURNED];
}

int64_t case_counts_overdue(const struct case_counts *c)
{
	return c->sign_overdue + c->resolve_overdue;
}

int64_t case_counts_outcomes(const struct case_counts *c)
{
	return c->resolved + case_counts_overdue(c);
}

struct case_rate case_rate_of(int64_t num, int64_t den)
{
	struct case_rate r = {.num = num, .den = den, .has = den > 0};
	r.value = r.has ? (double)num / (double)den : 0.0;
	return r;
}

void case_figures_compute(const struct case_counts *c, struct case_figures *out)
{
	/* A case still unsigned (unresolved) past its due date has already
	 * failed the promise: leaving it out of the denominator would reward
	 * a department for sitting on late work. */
	out->response = case_rate_of(c->signed_on_time, c->signed_total + c->sign_overdue);
	out->on_time = case_rate_of(c->resolved_on_time, c->resolved + c->resolve_overdue);
	out->resolution = case_rate_of(c->outcome_resolved, c->rated);
	/* 12345 counts "basically satisfied" as satisfied. */
	out->satisfaction = case_rate_of(c->satisfied + c->basically_satisfied, c->rated);
	out->has_avg_handling = c->handled > 0;
	out->avg_handling_hours = out->has_avg_handling ? (double)c->handling_seconds / (double)c->handled / 3600.0 : 0.0;
}

double figures_wilson_lower(int64_t good, int64_t n, double z)
{
	if (n <= 0 || good <= 0)
		return 0.0; /* the formula's own answer at 0 successes, without rounding below it */
	if (good > n)
		good = n;
	double nn = (double)n, p = (double)good / nn, z2 = z * z;
	double centre = p + z2 / (2 * nn);
	double spread = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
	double lower = (centre - spread) / (1 + z2 / nn);
	return lower < 0 ? 0 : lower > 1 ? 1 : lower;
}

static int rank_cmp(const void *a, const void *b)
{
	const struct figures_rank *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void figures_rank_sort(struct figures_rank *r, size_t count)
{
	for (size_t i = 0; i < count; i++)
		r[i].score = figures_wilson_lower(r[i].good, r[i].n, FIGURES_Z95);
	if (count > 1)
		qsort(r, count, sizeof *r, rank_cmp);
}

/* ---- local dates ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Howard Hinnant's days-from-civil and its inverse (public domain
 * algorithms, written out here from their description). */
int64_t figures_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void figures_civil_from_days(int64_t day, int *y, int *m, int *d)
{
	int64_t z = day + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

bool figures_parse_date(const char *text, int64_t *day)
{
	int v[3] = {0, 0, 0};
	static const int widths[3] = {4, 2, 2};
	const char *p = text;
	if (!p)
		return false;
	for (int f = 0; f < 3; f++) {
		for (int i = 0; i < widths[f]; i++, p++) {
			if (*p < '0' || *p > '9')
				return false;
			v[f] = v[f] * 10 + (*p - '0');
		}
		if (f < 2 && *p++ != '-')
			return false;
	}
	if (*p || v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1)
		return false;
	/* A day past the month's end would roll over: check by going back. */
	int64_t n = figures_days_from_civil(v[0], v[1], v[2]);
	int y, m, d;
	figures_civil_from_days(n, &y, &m, &d);
	if (y != v[0] || m != v[1] || d != v[2])
		return false;
	*day = n;
	return true;
}

void figures_format_date(int64_t day, char *out)
{
	int y, m, d;
	figures_civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

int64_t figures_local_day(int64_t instant)
{
	return floor_div(instant + FIGURES_TZ_OFFSET, 86400);
}

int64_t figures_day_start(int64_t day)
{
	return day * 86400 - FIGURES_TZ_OFFSET;
}

int64_t figures_period_start(int64_t day, enum figures_period p)
{
	switch (p) {
	case FIGURES_WEEK:
		/* Day 0, 1970-01-01, was a Thursday: Monday is 3 days before. */
		return floor_div(day + 3, 7) * 7 - 3;
	case FIGURES_MONTH: {
		int y, m, d;
		figures_civil_from_days(day, &y, &m, &d);
		return figures_days_from_civil(y, m, 1);
	}
	case FIGURES_DAY:
	default:
		return day;
	}
}

int64_t figures_period_next(int64_t start, enum figures_period p)
{
	switch (p) {
	case FIGURES_WEEK:
		return start + 7;
	case FIGURES_MONTH: {
		int y, m, d;
		figures_civil_from_days(start, &y, &m, &d);
		return m == 12 ? figures_days_from_civil(y + 1, 1, 1) : figures_days_from_civil(y, m + 1, 1);
	}
	case FIGURES_DAY:
	default:
		return start + 1;
	}
}

void figures_period_label(int64_t start, enum figures_period p, char *out)
{
	figures_format_date(start, out);
	if (p == FIGURES_MONTH)
		out[7] = '\0';
}

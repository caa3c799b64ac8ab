/* Case figures, pure: the Wilson lower bound, rates with their
 * denominators, the ranking order, and local dates and periods (UTC+8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "modules/cases/figures.h"

#define NEAR(got, want, eps)                                                                         \
	do {                                                                                         \
		double g_ = (got), w_ = (want);                                                      \
		if (fabs(g_ - w_) > (eps))                                                           \
			fail_msg("%s = %.6f, want %.6f", #got, g_, w_);                              \
	} while (0)

static void test_wilson(void **state)
{
	(void)state;
	/* good, n -> the lower bound at z = 1.96, computed by hand from
	 * (p + z²/2n - z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n). */
	static const struct {
		int64_t good, n;
		double want;
	} rows[] = {
		{1, 1, 0.206543}, {95, 100, 0.888248}, {0, 1, 0}, {0, 100, 0}, {0, 0, 0},
		{5, 10, 0.236590}, {10, 10, 0.722460}, {1000, 1000, 0.996173}, {50, 100, 0.403830},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (fabs(figures_wilson_lower(rows[i].good, rows[i].n, FIGURES_Z95) - rows[i].want) > 5e-6)
			fail_msg("row %zu: %lld/%lld -> %.6f, want %.6f", i, (long long)rows[i].good, (long long)rows[i].n,
				 figures_wilson_lower(rows[i].good, rows[i].n, FIGURES_Z95), rows[i].want);
	/* The brief's figures, to the digits it gives. */
	NEAR(figures_wilson_lower(1, 1, FIGURES_Z95), 0.2065, 5e-5);
	NEAR(figures_wilson_lower(95, 100, FIGURES_Z95), 0.8883, 1e-4);
	/* More evidence at the same share scores higher; never above the share. */
	assert_true(figures_wilson_lower(9, 10, FIGURES_Z95) < figures_wilson_lower(90, 100, FIGURES_Z95));
	assert_true(figures_wilson_lower(90, 100, FIGURES_Z95) < 0.9);
	/* Nonsense input stays in [0, 1]. */
	NEAR(figures_wilson_lower(5, 3, FIGURES_Z95), figures_wilson_lower(3, 3, FIGURES_Z95), 0);
	NEAR(figures_wilson_lower(-1, 3, FIGURES_Z95), 0, 0);
}

static void test_rank_order(void **state)
{
	(void)state;
	/* index: the caller's order; the one-case unit must not top 95 of 100,
	 * equal scores go to more cases, then the caller's order. */
	struct figures_rank r[] = {
		{.index = 0, .n = 1, .good = 1},    {.index = 1, .n = 100, .good = 95}, {.index = 2, .n = 0, .good = 0},
		{.index = 3, .n = 20, .good = 0},   {.index = 4, .n = 5, .good = 0},    {.index = 5, .n = 10, .good = 10},
		{.index = 6, .n = 10, .good = 10},
	};
	figures_rank_sort(r, sizeof r / sizeof r[0]);
	static const size_t want[] = {1, 5, 6, 0, 3, 4, 2};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (r[i].index != want[i])
			fail_msg("place %zu: index %zu, want %zu", i, r[i].index, want[i]);
	NEAR(r[0].score, 0.888248, 5e-6);
	NEAR(r[3].score, 0.206543, 5e-6);
	figures_rank_sort(r, 0); /* nothing to do, no crash */
}

static void test_rates(void **state)
{
	(void)state;
	struct case_counts c = {0};
	struct case_figures f;
	/* Nothing at all: every rate is absent, not 0. */
	case_figures_compute(&c, &f);
	assert_false(f.response.has);
	assert_false(f.on_time.has);
	assert_false(f.resolution.has);
	assert_false(f.satisfaction.has);
	assert_false(f.has_avg_handling);
	assert_int_equal(f.response.den, 0);

	c.signed_total = 8;
	c.signed_on_time = 6;
	c.sign_overdue = 2;
	c.resolved = 5;
	c.resolved_on_time = 4;
	c.resolve_overdue = 3;
	c.rated = 4;
	c.outcome_resolved = 2;
	c.outcome_partly = 1;
	c.outcome_not = 1;
	c.satisfied = 1;
	c.basically_satisfied = 2;
	c.unsatisfied = 1;
	c.handled = 2;
	c.handling_seconds = 3600 * 10 + 3600 * 5;
	case_figures_compute(&c, &f);
	/* rate, numerator, denominator */
	const struct {
		const struct case_rate *r;
		int64_t num, den;
		double value;
	} rows[] = {
		{&f.response, 6, 10, 0.6},
		{&f.on_time, 4, 8, 0.5},
		{&f.resolution, 2, 4, 0.5},
		{&f.satisfaction, 3, 4, 0.75},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_true(rows[i].r->has);
		assert_int_equal(rows[i].r->num, rows[i].num);
		assert_int_equal(rows[i].r->den, rows[i].den);
		NEAR(rows[i].r->value, rows[i].value, 1e-12);
	}
	assert_true(f.has_avg_handling);
	NEAR(f.avg_handling_hours, 7.5, 1e-12);
	assert_int_equal(case_counts_overdue(&c), 5);
	assert_int_equal(case_counts_outcomes(&c), 10);

	struct case_rate none = case_rate_of(0, 0);
	assert_false(none.has);
	struct case_rate all = case_rate_of(3, 3);
	assert_true(all.has);
	NEAR(all.value, 1.0, 0);
}

static void test_counts_add(void **state)
{
	(void)state;
	struct case_counts a = {.received = 2, .good = 1, .handling_seconds = 10}, b = {.received = 3, .reopened = 1};
	a.by_state[CASE_SIGNED] = 1;
	b.by_state[CASE_SIGNED] = 2;
	b.by_state[CASE_CLOSED] = 1;
	b.by_state[CASE_RETURNED] = 4;
	case_counts_add(&a, &b);
	assert_int_equal(a.received, 5);
	assert_int_equal(a.good, 1);
	assert_int_equal(a.reopened, 1);
	assert_int_equal(a.handling_seconds, 10);
	assert_int_equal(a.by_state[CASE_SIGNED], 3);
	assert_int_equal(a.by_state[CASE_CLOSED], 1);
	assert_int_equal(case_counts_open(&a), 7);
}

static void test_dates(void **state)
{
	(void)state;
	/* text -> valid, and back */
	static const struct {
		const char *text;
		bool ok;
	} rows[] = {
		{"2026-01-31", true}, {"2024-02-29", true},  {"2026-02-29", false}, {"2026-13-01", false},
		{"2026-00-10", false}, {"2026-04-31", false}, {"2026-1-01", false},  {"2026-01-01x", false},
		{"", false},           {"1969-12-31", false}, {"1970-01-01", true},  {"2026/01/01", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int64_t day = -1;
		bool ok = figures_parse_date(rows[i].text, &day);
		if (ok != rows[i].ok)
			fail_msg("%s: parsed %d, want %d", rows[i].text, ok, rows[i].ok);
		if (ok) {
			char back[11];
			figures_format_date(day, back);
			assert_string_equal(back, rows[i].text);
		}
	}
	assert_false(figures_parse_date(NULL, &(int64_t){0}));
	int64_t day;
	assert_true(figures_parse_date("1970-01-01", &day));
	assert_int_equal(day, 0);

	/* 2026-01-31T17:00Z is 2026-02-01 01:00 in China. */
	int64_t instant = figures_day_start(0);
	assert_int_equal(instant, -8 * 3600);
	assert_true(figures_parse_date("2026-01-31", &day));
	int64_t t = day * 86400 + 17 * 3600; /* 2026-01-31T17:00:00Z */
	char text[11];
	figures_format_date(figures_local_day(t), text);
	assert_string_equal(text, "2026-02-01");
	figures_format_date(figures_local_day(t - 3601), text); /* 15:59:59Z is 23:59:59 local */
	assert_string_equal(text, "2026-01-31");
	assert_int_equal(figures_day_start(figures_local_day(t)), t - 3600);
}

static void test_periods(void **state)
{
	(void)state;
	/* date, period -> the label of its period, and the first day after it */
	static const struct {
		const char *date;
		enum figures_period p;
		const char *label, *next;
	} rows[] = {
		{"2026-02-01", FIGURES_DAY, "2026-02-01", "2026-02-02"},
		{"2026-02-01", FIGURES_WEEK, "2026-01-26", "2026-02-02"}, /* a Sunday: its Monday */
		{"2026-02-02", FIGURES_WEEK, "2026-02-02", "2026-02-09"}, /* a Monday */
		{"2026-01-01", FIGURES_WEEK, "2025-12-29", "2026-01-05"}, /* across the year */
		{"1970-01-01", FIGURES_WEEK, "1969-12-29", "1970-01-05"}, /* a Thursday */
		{"2026-02-01", FIGURES_MONTH, "2026-02", "2026-03-01"},
		{"2026-01-31", FIGURES_MONTH, "2026-01", "2026-02-01"},
		{"2025-12-15", FIGURES_MONTH, "2025-12", "2026-01-01"},
		{"2024-02-29", FIGURES_MONTH, "2024-02", "2024-03-01"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int64_t day;
		assert_true(figures_parse_date(rows[i].date, &day));
		int64_t start = figures_period_start(day, rows[i].p);
		char label[11], next[11];
		figures_period_label(start, rows[i].p, label);
		figures_format_date(figures_period_next(start, rows[i].p), next);
		if (strcmp(label, rows[i].label) || strcmp(next, rows[i].next))
			fail_msg("%s period %d: %s .. %s, want %s .. %s", rows[i].date, rows[i].p, label, next, rows[i].label,
				 rows[i].next);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilson),  cmocka_unit_test(test_rank_order), cmocka_unit_test(test_rates),
		cmocka_unit_test(test_counts_add), cmocka_unit_test(test_dates),   cmocka_unit_test(test_periods),
	};
	return cmocka_run_group_tests_name("figures", tests, NULL, NULL);
}

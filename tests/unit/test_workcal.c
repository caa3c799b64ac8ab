/* The working-time calendar, as tables: instant + working minutes or days
 * -> due instant, on the 2026 calendar with its 调休 days, plus parse
 * errors and the format round trip. Times in the tables are Beijing time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/workcal.h"

/* Embedded so the test does not depend on the shipped file's contents,
 * which admins edit; the shipped file is only checked to parse. */
static const char calendar_2026[] =
	"# test calendar\n"
	"hours = 09:00-12:00, 13:30-17:30   # 420 minutes a day\n"
	"holiday = 2026-01-01..2026-01-03  元旦\n"
	"workday = 2026-01-04  元旦调休\n"
	"holiday = 2026-02-15..2026-02-23  春节\n"
	"workday = 2026-02-14  春节调休\n"
	"workday = 2026-02-28  春节调休\n"
	"holiday = 2026-04-04..2026-04-06  清明节\n"
	"holiday = 2026-05-01..2026-05-05  劳动节\n"
	"workday = 2026-05-09\n"
	"holiday = 2026-06-19..2026-06-21  端午节\n"
	"holiday = 2026-09-25..2026-09-27  中秋节\n"
	"holiday = 2026-10-01..2026-10-07  国庆节\n"
	"workday = 2026-09-20\n"
	"workday = 2026-10-10\n";

#include "beijing_time.h"

static int setup(void **state)
{
	char *err = NULL;
	*state = workcal_parse(calendar_2026, &err);
	if (!*state) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	workcal_free(*state);
	return 0;
}

static void test_is_workday(void **state)
{
	const struct workcal *c = *state;
	static const struct {
		const char *when;
		bool want;
	} rows[] = {
		{"2025-12-31 23:59", true},  {"2026-01-01 00:00", false}, {"2026-01-03 23:59", false},
		{"2026-01-04 00:00", true},  {"2026-01-05 12:00", true},  {"2026-01-10 10:00", false},
		{"2026-01-11 10:00", false}, {"2026-02-13 10:00", true},  {"2026-02-14 10:00", true},
		{"2026-02-15 10:00", false}, {"2026-02-18 10:00", false}, {"2026-02-23 10:00", false},
		{"2026-02-24 10:00", true},  {"2026-02-28 10:00", true},  {"2026-03-01 10:00", false},
		{"2026-10-08 10:00", true},  {"2026-10-10 10:00", true},  {"1999-12-31 10:00", true},
		{"1969-12-31 10:00", true},  {"1969-12-28 10:00", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (workcal_is_workday(c, at(rows[i].when)) != rows[i].want)
			fail_msg("%s: want %d", rows[i].when, rows[i].want);
}

static void test_add_minutes(void **state)
{
	const struct workcal *c = *state;
	static const struct {
		const char *from;
		int64_t minutes;
		const char *want;
	} rows[] = {
		/* within the morning */
		{"2026-03-02 09:00", 60, "2026-03-02 10:00"},
		{"2026-03-02 09:00", 180, "2026-03-02 12:00"}, /* ends exactly at noon */
		{"2026-03-02 10:15", 0, "2026-03-02 10:15"},
		/* across lunch, and starting in it */
		{"2026-03-02 11:00", 90, "2026-03-02 14:00"},
		{"2026-03-02 12:00", 0, "2026-03-02 13:30"},
		{"2026-03-02 12:30", 30, "2026-03-02 14:00"},
		/* across the evening */
		{"2026-03-02 17:00", 60, "2026-03-03 09:30"},
		{"2026-03-02 17:30", 0, "2026-03-03 09:00"},
		{"2026-03-02 19:00", 1, "2026-03-03 09:01"},
		{"2026-03-02 06:00", 420, "2026-03-02 17:30"},
		{"2026-03-02 06:00", 421, "2026-03-03 09:01"},
		/* Friday afternoon into Monday, and a Saturday start */
		{"2026-03-06 16:30", 120, "2026-03-09 10:00"},
		{"2026-03-07 10:00", 30, "2026-03-09 09:30"},
		{"2026-03-08 23:59", 0, "2026-03-09 09:00"},
		/* 元旦: Sunday 01-04 is a working day */
		{"2025-12-31 17:00", 60, "2026-01-04 09:30"},
		/* 春节: Saturday 02-14 works, 02-15..02-23 (9 days) off */
		{"2026-02-13 17:00", 60, "2026-02-14 09:30"},
		{"2026-02-14 17:00", 60, "2026-02-24 09:30"},
		{"2026-02-13 09:00", 840, "2026-02-14 17:30"},
		{"2026-02-13 09:00", 841, "2026-02-24 09:01"},
		{"2026-02-16 10:00", 0, "2026-02-24 09:00"},
		{"2026-02-27 17:00", 60, "2026-02-28 09:30"},
		/* 30 working days: March has 22, 04-01..03 three, 04-06 is 清明 */
		{"2026-03-02 09:00", 30 * 420, "2026-04-13 17:30"},
		{"2026-03-02 09:00", -5, "2026-03-02 09:00"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int64_t got = workcal_add_minutes(c, at(rows[i].from), rows[i].minutes);
		char a[32], b[32];
		if (got != at(rows[i].want))
			fail_msg("%s + %lld min: got %s, want %s", rows[i].from, (long long)rows[i].minutes, show(got, a),
				 show(at(rows[i].want), b));
	}
}

static void test_add_days(void **state)
{
	const struct workcal *c = *state;
	static const struct {
		const char *from;
		int days;
		const char *want;
	} rows[] = {
		{"2026-03-02 10:00", 5, "2026-03-09 17:30"}, {"2026-03-02 10:00", 0, "2026-03-02 17:30"},
		{"2026-03-02 20:00", 1, "2026-03-03 17:30"}, {"2026-03-07 10:00", 0, "2026-03-09 17:30"},
		{"2026-03-07 10:00", 5, "2026-03-13 17:30"}, {"2026-03-06 16:00", 1, "2026-03-09 17:30"},
		/* 春节: 13 (1), Sat 14 (2), then 24, 25, 26 */
		{"2026-02-12 10:00", 5, "2026-02-26 17:30"}, {"2026-02-14 10:00", 1, "2026-02-24 17:30"},
		{"2026-02-18 10:00", 0, "2026-02-24 17:30"}, {"2026-02-27 10:00", 1, "2026-02-28 17:30"},
		/* 国庆: 10-08 Thu, 10-09 Fri, Sat 10-10 works */
		{"2026-09-30 10:00", 1, "2026-10-08 17:30"}, {"2026-09-30 10:00", 3, "2026-10-10 17:30"},
		{"2026-09-30 10:00", 4, "2026-10-12 17:30"}, {"2026-09-18 10:00", 1, "2026-09-20 17:30"},
		{"2025-12-31 10:00", 1, "2026-01-04 17:30"}, {"2026-03-02 10:00", 250, "2027-02-25 17:30"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int64_t got = workcal_add_days(c, at(rows[i].from), rows[i].days);
		char a[32], b[32];
		if (got != at(rows[i].want))
			fail_msg("%s + %d days: got %s, want %s", rows[i].from, rows[i].days, show(got, a),
				 show(at(rows[i].want), b));
	}
}

/* Working days after day0 counted one by one through the public API: the
 * slow reference the fast day skipping must agree with. */
static int64_t nth_workday_end_slow(const struct workcal *c, int64_t day0_noon, int n)
{
	int64_t t = day0_noon;
	while (n > 0) {
		t += 86400;
		if (workcal_is_workday(c, t))
			n--;
	}
	return t - 12 * 3600 + 17 * 3600 + 30 * 60;
}

static void test_between_consistent(void **state)
{
	const struct workcal *c = *state;
	static const char *const starts[] = {
		"2026-01-01 00:00", "2026-01-02 10:00", "2026-01-04 08:59", "2026-02-13 11:59", "2026-02-13 17:29",
		"2026-02-14 12:45", "2026-02-20 10:00", "2026-03-06 17:45", "2026-04-03 13:30", "2026-12-31 16:00",
	};
	static const int64_t minutes[] = {0, 1, 59, 179, 180, 181, 239, 420, 421, 2100, 12600, 100000, 1000000};
	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
		for (size_t j = 0; j < sizeof minutes / sizeof minutes[0]; j++) {
			int64_t a = at(starts[i]) + (int64_t)j * 7; /* off the minute too */
			int64_t b = workcal_add_minutes(c, a, minutes[j]);
			int64_t got = workcal_minutes_between(c, a, b);
			if (got != minutes[j])
				fail_msg("%s + %lld min: between says %lld", starts[i], (long long)minutes[j],
					 (long long)got);
			if (minutes[j] > 0 && workcal_minutes_between(c, a, b - 60) != minutes[j] - 1)
				fail_msg("%s + %lld min: not the earliest such instant", starts[i], (long long)minutes[j]);
		}
	assert_int_equal(workcal_minutes_between(c, at("2026-03-02 10:00"), at("2026-03-02 09:00")), 0);
	assert_int_equal(workcal_minutes_between(c, at("2026-02-13 09:00"), at("2026-02-25 09:00")), 3 * 420);
	/* Whole-day skipping agrees with walking day by day, across a year. */
	for (int n = 1; n <= 400; n += 13) {
		int64_t got = workcal_add_minutes(c, at("2025-12-31 09:00"), (int64_t)n * 420);
		int64_t want = nth_workday_end_slow(c, at("2025-12-31 12:00"), n - 1);
		char x[32], y[32];
		if (got != want)
			fail_msg("%d days of minutes: got %s, want %s", n, show(got, x), show(want, y));
	}
}

static void test_long_spans_fast(void **state)
{
	const struct workcal *c = *state;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int64_t sink = 0;
	for (int i = 0; i < 10000; i++)
		sink += workcal_add_minutes(c, at("2026-01-05 09:00") + i * 600, 30 * 420 + i);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / 10000;
	assert_true(sink != 0);
	if (us > 50) /* a few hundred nanoseconds measured; generous for sanitizers */
		fail_msg("30 working days took %.2f us per call", us);
	/* A century ahead still answers, on a weekday afternoon. */
	int64_t far = workcal_add_minutes(c, at("2026-01-05 09:00"), 100LL * 250 * 420);
	assert_true(workcal_is_workday(c, far));
}

static void test_parse_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} rows[] = {
		{"hours = 09:00-12:00\nholiday = 2026-13-01\n", "line 2: "},
		{"hours = 09:00-12:00\n\n# x\nholiday = 2026-02-30  bad\n", "line 4: '2026-02-30' is not a date"},
		{"hours = 09:00-12:00\nholiday = 2026-2-3\n", "line 2: "},
		{"hours = 09:00-12:00\nholiday = 2026-01-01x\n", "line 2: "},
		{"hours = 09:00-12:00\nholiday = 2026-01-01..\n", "line 2: "},
		{"hours = 09:00-12:00, 11:00-13:00\n", "line 1: overlapping periods"},
		{"hours = 13:30-17:30, 09:00-14:00\n", "line 1: overlapping periods"},
		{"hours = 12:00-09:00\n", "line 1: period 12:00-09:00 ends before it starts"},
		{"hours = 09:00-09:00\n", "line 1: period"},
		{"hours = 09:00-25:00\n", "line 1: "},
		{"hours = 9:00-12:00\n", "line 1: "},
		{"hours = 09:00\n", "line 1: "},
		{"hours =\n", "line 1: "},
		{"hours = 09:00-12:00\nhours = 13:00-14:00\n", "line 2: a second 'hours' line"},
		{"hours = 09:00-12:00\nholiday = 2026-01-03..2026-01-01\n", "line 2: range 2026-01-03..2026-01-01 ends"},
		{"hours = 09:00-12:00\nholiday = 2026-01-01..2027-06-01\n", "line 2: range"},
		{"hours = 09:00-12:00\nvacation = 2026-01-01\n", "line 2: unknown key 'vacation'"},
		{"hours = 09:00-12:00\njust words\n", "line 2: expected key = value"},
		{"holiday = 2026-01-01\n", "no 'hours' line"},
		{"", "no 'hours' line"},
		{"hours = 09:00-12:00\nholiday = 2026-02-15..2026-02-23\nholiday = 2026-02-20\n",
		 "line 3: 2026-02-20 is already listed on line 2"},
		{"hours = 09:00-12:00\nworkday = 2026-02-14\nholiday = 2026-02-10..2026-02-14\n",
		 "line 3: 2026-02-14 is already listed on line 2"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *err = NULL;
		struct workcal *c = workcal_parse(rows[i].text, &err);
		if (c)
			fail_msg("row %zu parsed, want error '%s'", i, rows[i].want);
		if (!err || strncmp(err, rows[i].want, strlen(rows[i].want)))
			fail_msg("row %zu: got '%s', want '%s...'", i, err ? err : "(null)", rows[i].want);
		free(err);
	}
	assert_null(workcal_parse("hours = x\n", NULL));
	/* What is accepted: any period order, 24:00, CRLF, redundant lines. */
	struct workcal *c = workcal_parse("hours = 13:00-24:00 ,00:00-12:00\r\nworkday = 2026-03-02\r\n"
					  "holiday = 2026-03-07\r\n", NULL);
	assert_non_null(c);
	assert_int_equal(workcal_add_minutes(c, at("2026-03-02 11:00"), 120), at("2026-03-02 14:00"));
	assert_false(workcal_is_workday(c, at("2026-03-07 10:00")));
	workcal_free(c);
}

static void test_format_round_trip(void **state)
{
	const struct workcal *c = *state;
	char *text = workcal_format(c);
	assert_non_null(strstr(text, "\nhours = 09:00-12:00, 13:30-17:30\n"));
	assert_non_null(strstr(text, "\nholiday = 2026-02-15..2026-02-23  春节\n"));
	assert_non_null(strstr(text, "\nworkday = 2026-02-14  春节调休\n"));
	assert_non_null(strstr(text, "\nworkday = 2026-05-09\n"));
	/* Sorted by date: 2026-09-20 comes before 2026-09-25. */
	assert_true(strstr(text, "2026-09-20") < strstr(text, "2026-09-25"));
	char *err = NULL;
	struct workcal *again = workcal_parse(text, &err);
	if (!again)
		fail_msg("%s", err);
	char *text2 = workcal_format(again);
	assert_string_equal(text, text2);
	for (int64_t t = at("2025-12-25 00:00"); t < at("2027-01-05 00:00"); t += 3 * 3600 + 7)
		assert_int_equal(workcal_add_minutes(c, t, 500), workcal_add_minutes(again, t, 500));
	free(text);
	free(text2);
	workcal_free(again);
}

/* The shipped calendar (data/calendar/cn.conf, embedded in the binary at
 * build time) parses and knows both years. */
extern const char *const cases_builtin_calendar;

static void test_shipped_calendar(void **state)
{
	(void)state;
	const char *text = cases_builtin_calendar;
	const char *path = "data/calendar/cn.conf";
	char *err = NULL;
	struct workcal *c = workcal_parse(text, &err);
	if (!c)
		fail_msg("%s: %s", path, err);
	static const struct {
		const char *when;
		bool want;
	} rows[] = {
		{"2025-01-28 10:00", false}, {"2025-01-26 10:00", true}, {"2025-10-08 10:00", false},
		{"2025-10-11 10:00", true},  {"2026-02-23 10:00", false}, {"2026-02-28 10:00", true},
		{"2026-09-20 10:00", true},  {"2026-10-07 10:00", false}, {"2026-10-09 10:00", true},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (workcal_is_workday(c, at(rows[i].when)) != rows[i].want)
			fail_msg("cn.conf %s: want %d", rows[i].when, rows[i].want);
	workcal_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_is_workday, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_minutes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_days, setup, teardown),
		cmocka_unit_test_setup_teardown(test_between_consistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_spans_fast, setup, teardown),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test_setup_teardown(test_format_round_trip, setup, teardown),
		cmocka_unit_test(test_shipped_calendar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The configuration half of the cases module, as tables: routing choices
 * (pure, then through the store), due instants on the shipped calendar
 * (data/calendar/cn.conf as compiled in: weekends, the 2026 Spring
 * Festival and National Day, 调休 Saturdays, urgent cases on the clock),
 * and the calendar cache following the work_calendar row. Times in the
 * tables are Beijing time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "modules/cases/case_config.h"
#include "modules/cases/cases_internal.h"
#include "store_fixture.h"

extern const char *const cases_builtin_calendar;

#include "beijing_time.h"

/* ---- routing choice (pure) ---- */

#define C(id, area, cat) {.route_id = (id), .area_depth = (area), .category_depth = (cat)}

static void test_route_pick(void **state)
{
	static const struct {
		const char *why;
		struct case_route_candidate cands[4];
		size_t n;
		int64_t winner; /* 0: none */
	} rows[] = {
		{"no rule", {{0}}, 0, 0},
		{"the only rule", {C(7, 2, 1)}, 1, 7},
		{"area depth beats category depth", {C(1, 3, 0), C(2, 4, 1)}, 2, 2},
		{"area depth beats category depth, other order", {C(2, 4, 1), C(1, 3, 0)}, 2, 2},
		{"same area: the case's own category beats its parent", {C(3, 4, 1), C(4, 4, 0)}, 2, 4},
		{"same area: the parent beats the grandparent", {C(5, 4, 2), C(6, 4, 1)}, 2, 6},
		{"an ancestor area's rule for an ancestor category", {C(9, 2, 2)}, 1, 9},
		{"deepest area among three, whatever the categories", {C(1, 1, 0), C(2, 5, 2), C(3, 3, 0)}, 3, 2},
		{"a full tie (cannot happen) goes to the lower id", {C(8, 3, 1), C(5, 3, 1)}, 2, 5},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int k = case_route_pick(rows[i].cands, rows[i].n);
		int64_t got = k < 0 ? 0 : rows[i].cands[k].route_id;
		if (got != rows[i].winner)
			fail_msg("%s: got route %lld, want %lld", rows[i].why, (long long)got, (long long)rows[i].winner);
	}
}

/* ---- due instants on the shipped calendar ---- */

static int calendar_setup(void **state)
{
	char *err = NULL;
	*state = workcal_parse(cases_builtin_calendar, &err);
	if (!*state) {
		fprintf(stderr, "data/calendar/cn.conf: %s\n", err);
		free(err);
		return -1;
	}
	return 0;
}

static int calendar_teardown(void **state)
{
	workcal_free(*state);
	return 0;
}

enum due_kind { SIGN, RESOLVE };

static void test_due(void **state)
{
	const struct workcal *cal = *state;
	/* Limits of a 4-hour sign / 5-day resolve category, a 24-hour resolve
	 * one, and the urgent clock (2 h to sign, 24 h to resolve). */
	const struct case_limits days5 = {.sign_hours = 4, .resolve_limit = 5, .resolve_in_days = true,
					  .urgent_sign_hours = 2, .urgent_resolve_hours = 24};
	const struct case_limits days3 = {.sign_hours = 4, .resolve_limit = 3, .resolve_in_days = true,
					  .urgent_sign_hours = 2, .urgent_resolve_hours = 24};
	const struct case_limits hours24 = {.sign_hours = 2, .resolve_limit = 24, .resolve_in_days = false,
					    .urgent_sign_hours = 1, .urgent_resolve_hours = 12};
	const struct {
		const char *why;
		const struct case_limits *l;
		enum due_kind kind;
		bool urgent;
		int ext;
		const char *from, *due;
	} rows[] = {
		/* a weekend: Friday 16:00 + 4 working hours = 1.5 h Friday, 2.5 h Monday */
		{"sign over a weekend", &days5, SIGN, false, 0, "2026-03-13 16:00", "2026-03-16 11:30"},
		{"sign before office hours", &days5, SIGN, false, 0, "2026-03-16 07:00", "2026-03-16 14:30"},
		{"sign dispatched on a Sunday", &days5, SIGN, false, 0, "2026-03-15 10:00", "2026-03-16 14:30"},
		{"resolve 5 days over a weekend", &days5, RESOLVE, false, 0, "2026-03-13 10:00", "2026-03-20 17:30"},
		/* Spring Festival 2026: off 02-15..02-23, Saturday 02-14 and 02-28 worked */
		{"sign into the 调休 Saturday before 春节", &days5, SIGN, false, 0, "2026-02-13 17:00", "2026-02-14 14:00"},
		{"sign dispatched on the 调休 Saturday", &days5, SIGN, false, 0, "2026-02-14 16:00", "2026-02-24 11:30"},
		{"resolve 5 days across 春节", &days5, RESOLVE, false, 0, "2026-02-13 10:00", "2026-02-27 17:30"},
		{"an extension day lands on the 调休 Saturday 02-28", &days5, RESOLVE, false, 1, "2026-02-13 10:00",
		 "2026-02-28 17:30"},
		{"signed during 春节: counting starts after it", &days3, RESOLVE, false, 0, "2026-02-18 10:00",
		 "2026-02-26 17:30"},
		/* National Day 2026: off 10-01..10-07, Saturday 10-10 worked */
		{"sign across 国庆", &days5, SIGN, false, 0, "2026-09-30 16:00", "2026-10-08 11:30"},
		{"resolve 3 days across 国庆 ends on the 调休 Saturday", &days3, RESOLVE, false, 0, "2026-09-30 10:00",
		 "2026-10-10 17:30"},
		{"resolve 5 days across 国庆", &days5, RESOLVE, false, 0, "2026-09-30 10:00", "2026-10-13 17:30"},
		/* the 调休 Sunday 09-20 before 国庆 and 中秋 (09-25..27) */
		{"sign on the 调休 Sunday 09-20", &days5, SIGN, false, 0, "2026-09-20 09:00", "2026-09-20 14:30"},
		{"resolve 3 days across 中秋", &days3, RESOLVE, false, 0, "2026-09-23 10:00", "2026-09-29 17:30"},
		/* a limit in working hours: 24 h = three 7-hour days and 3 h */
		{"resolve 24 working hours", &hours24, RESOLVE, false, 0, "2026-03-16 09:00", "2026-03-19 12:00"},
		{"resolve 24 working hours over a weekend", &hours24, RESOLVE, false, 0, "2026-03-19 09:00",
		 "2026-03-24 12:00"},
		{"an hours limit plus 2 extension days: close of the 2nd working day after", &hours24, RESOLVE, false,
		 2, "2026-03-16 09:00", "2026-03-23 17:30"},
		/* urgent: calendar hours, nights, Sundays and holidays included */
		{"urgent sign on a Sunday", &days5, SIGN, true, 0, "2026-03-15 10:00", "2026-03-15 12:00"},
		{"urgent resolve from a Sunday", &days5, RESOLVE, true, 0, "2026-03-15 12:00", "2026-03-16 12:00"},
		{"urgent resolve with an extension day (24 h)", &days5, RESOLVE, true, 1, "2026-03-15 12:00",
		 "2026-03-17 12:00"},
		{"urgent sign at night on National Day", &hours24, SIGN, true, 0, "2026-10-01 23:30", "2026-10-02 00:30"},
		{"urgent resolve over 春节", &hours24, RESOLVE, true, 0, "2026-02-16 20:00", "2026-02-17 08:00"},
	};
	int failures = 0;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int64_t from = at(rows[i].from);
		int64_t got = rows[i].kind == SIGN ? case_sign_due(rows[i].l, cal, from, rows[i].urgent)
						   : case_resolve_due(rows[i].l, cal, from, rows[i].urgent, rows[i].ext);
		if (got != at(rows[i].due)) {
			char a[32], b[32];
			print_error("%s: from %s got %s, want %s\n", rows[i].why, rows[i].from, show(got, a),
				    show(at(rows[i].due), b));
			failures++;
		}
	}
	assert_int_equal(failures, 0);
	/* A negative extension (a bug upstream) counts as none. */
	assert_int_equal(case_resolve_due(&days5, cal, at("2026-03-13 10:00"), false, -3), at("2026-03-20 17:30"));
}

/* ---- through the store ---- */

static int sqlite_setup(void **state)
{
	return fixture_sqlite(state, "caseconfig");
}

static int pg_setup(void **state)
{
	return fixture_pg(state, "caseconfig");
}

static int store_teardown(void **state)
{
	cases_calendar_close();
	return fixture_teardown(state);
}

static int exec_tx(struct store_conn *c, void *arg)
{
	return store_exec(c, arg);
}

static void sql(struct store *s, const char *text)
{
	int rc = store_tx(s, STORE_WRITE, exec_tx, (void *)text);
	if (rc != STORE_OK)
		fail_msg("%s: rc %d", text, rc);
}

/* The town: root(1) > county(2) > town(3) > community(4) > grid(5), plus a
 * sibling community(6) with its grid(7); ids are fixed by insertion order
 * on a fresh database. Units 1..4 in the county. Categories: the seeded
 * livelihood > water, plus water > water_pipe. */
static const char town_sql[] =
	"INSERT INTO areas (code, name, level, parent_id, path, created_at, updated_at) VALUES"
	" ('root', 'R', 0, NULL, '/1/', 0, 0);"
	"INSERT INTO areas (code, name, level, parent_id, path, created_at, updated_at) VALUES"
	" ('county', 'C', 2, 1, '/1/2/', 0, 0);"
	"INSERT INTO areas (code, name, level, parent_id, path, created_at, updated_at) VALUES"
	" ('town', 'T', 3, 2, '/1/2/3/', 0, 0);"
	"INSERT INTO areas (code, name, level, parent_id, path, created_at, updated_at) VALUES"
	" ('comm', 'M', 4, 3, '/1/2/3/4/', 0, 0);"
	"INSERT INTO areas (code, name, level, parent_id, path, created_at, updated_at) VALUES"
	" ('grid', 'G', 5, 4, '/1/2/3/4/5/', 0, 0);"
	"INSERT INTO areas (code, name, level, parent_id, path, created_at, updated_at) VALUES"
	" ('comm2', 'M2', 4, 3, '/1/2/3/6/', 0, 0);"
	"INSERT INTO areas (code, name, level, parent_id, path, created_at, updated_at) VALUES"
	" ('grid2', 'G2', 5, 6, '/1/2/3/6/7/', 0, 0);"
	"INSERT INTO units (name, type, area_id, created_at, updated_at) VALUES ('u1', 'department', 2, 0, 0);"
	"INSERT INTO units (name, type, area_id, created_at, updated_at) VALUES ('u2', 'department', 2, 0, 0);"
	"INSERT INTO units (name, type, area_id, created_at, updated_at) VALUES ('u3', 'department', 2, 0, 0);"
	"INSERT INTO units (name, type, area_id, created_at, updated_at) VALUES ('u4', 'department', 2, 0, 0);"
	"INSERT INTO case_categories (code, parent_code, name_zh, name_en, active) VALUES"
	" ('water_pipe', 'water', '管网', 'Pipes', 1);"
	"INSERT INTO case_categories (code, parent_code, name_zh, name_en, active) VALUES"
	" ('retired', NULL, '旧', 'Old', 0);"
	/* county: livelihood -> u1; town: water -> u2 (co u3, u4);
	 * community: livelihood -> u3 (not auto). */
	"INSERT INTO case_routes (category_code, area_id, lead_unit_id, auto, created_at, updated_at) VALUES"
	" ('livelihood', 2, 1, 1, 0, 0);"
	"INSERT INTO case_routes (category_code, area_id, lead_unit_id, auto, created_at, updated_at) VALUES"
	" ('water', 3, 2, 1, 0, 0);"
	"INSERT INTO case_routes (category_code, area_id, lead_unit_id, auto, created_at, updated_at) VALUES"
	" ('livelihood', 4, 3, 0, 0, 0);"
	"INSERT INTO case_route_co_units (route_id, unit_id) VALUES (2, 4);"
	"INSERT INTO case_route_co_units (route_id, unit_id) VALUES (2, 3);";

struct find {
	const char *category, *path;
	int rc;
	struct case_route_choice choice;
	struct case_limits limits;
	const struct workcal *cal;
};

static int find_tx(struct store_conn *c, void *arg)
{
	struct find *f = arg;
	memset(&f->choice, 0, sizeof f->choice);
	f->rc = case_route_find(c, f->category, f->path, &f->choice);
	return f->rc == STORE_OK || f->rc == STORE_DONE ? STORE_OK : f->rc;
}

static int limits_tx(struct store_conn *c, void *arg)
{
	struct find *f = arg;
	f->rc = case_category_limits(c, f->category, &f->limits);
	return f->rc == STORE_OK || f->rc == STORE_DONE ? STORE_OK : f->rc;
}

static int calendar_tx(struct store_conn *c, void *arg)
{
	struct find *f = arg;
	f->cal = cases_calendar(c);
	return f->cal ? STORE_OK : STORE_ERROR;
}

static const struct workcal *calendar_now(struct store *s)
{
	struct find f = {0};
	assert_int_equal(store_tx(s, STORE_READ, calendar_tx, &f), STORE_OK);
	return f.cal;
}

static void test_store(void **state)
{
	struct fixture *fx = *state;
	char *err = NULL;
	if (store_open(fx->url, &fx->s, &err))
		fail_msg("open %s: %s", fx->url, err);
	int applied;
	if (store_migrate(fx->s, &applied, &err))
		fail_msg("migrate: %s", err);
	sql(fx->s, town_sql);

	/* category, case area path -> route id, lead, auto, co units */
	static const struct {
		const char *why, *category, *path;
		int64_t route, lead;
		bool auto_dispatch;
		size_t co_count;
	} rows[] = {
		{"the community's rule for the parent beats the town's for water (area first)", "water", "/1/2/3/4/5/",
		 3, 3, false, 0},
		{"the community itself", "water_pipe", "/1/2/3/4/", 3, 3, false, 0},
		{"the sibling community: the town's water rule, with its co-handlers", "water", "/1/2/3/6/7/", 2, 2, true,
		 2},
		{"a grandchild category finds the town's water rule", "water_pipe", "/1/2/3/6/", 2, 2, true, 2},
		{"power in the sibling community: the county's livelihood rule", "power", "/1/2/3/6/7/", 1, 1, true, 0},
		{"the town itself: its own water rule", "water", "/1/2/3/", 2, 2, true, 2},
		{"above every rule's area: none", "water", "/1/", 0, 0, false, 0},
		{"a category with no rule anywhere above it", "dispute", "/1/2/3/4/5/", 0, 0, false, 0},
		{"an unknown category", "no_such", "/1/2/3/4/5/", 0, 0, false, 0},
		{"a path that only looks like a prefix (/1/2/3/44/)", "water_pipe", "/1/2/3/44/", 2, 2, true, 2},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct find f = {.category = rows[i].category, .path = rows[i].path};
		assert_int_equal(store_tx(fx->s, STORE_READ, find_tx, &f), STORE_OK);
		int64_t got = f.rc == STORE_OK ? f.choice.route_id : 0;
		if (got != rows[i].route)
			fail_msg("%s: route %lld, want %lld", rows[i].why, (long long)got, (long long)rows[i].route);
		if (!got)
			continue;
		assert_int_equal(f.choice.lead_unit_id, rows[i].lead);
		assert_int_equal(f.choice.auto_dispatch, rows[i].auto_dispatch);
		assert_int_equal(f.choice.co_count, rows[i].co_count);
		if (f.choice.co_count == 2) {
			assert_int_equal(f.choice.co_units[0], 3);
			assert_int_equal(f.choice.co_units[1], 4);
		}
	}

	/* Limits of an active category; none for a retired or unknown one. */
	struct find l = {.category = "epidemic"};
	assert_int_equal(store_tx(fx->s, STORE_READ, limits_tx, &l), STORE_OK);
	assert_int_equal(l.rc, STORE_OK);
	assert_int_equal(l.limits.sign_hours, 2);
	assert_int_equal(l.limits.resolve_limit, 24);
	assert_false(l.limits.resolve_in_days);
	assert_true(l.limits.urgent);
	l.category = "water";
	assert_int_equal(store_tx(fx->s, STORE_READ, limits_tx, &l), STORE_OK);
	assert_int_equal(l.limits.resolve_limit, 3);
	assert_true(l.limits.resolve_in_days);
	assert_false(l.limits.urgent);
	assert_true(l.limits.active);
	/* A retired category keeps its limits for the cases it still has. */
	l.category = "retired";
	assert_int_equal(store_tx(fx->s, STORE_READ, limits_tx, &l), STORE_OK);
	assert_int_equal(l.rc, STORE_OK);
	assert_false(l.limits.active);
	l.category = "no_such";
	assert_int_equal(store_tx(fx->s, STORE_READ, limits_tx, &l), STORE_OK);
	assert_int_equal(l.rc, STORE_DONE);

	/* The calendar follows the row: built-in, then the edit, then the
	 * built-in again for a stored text that no longer parses. */
	const struct workcal *builtin = calendar_now(fx->s);
	assert_non_null(builtin);
	assert_ptr_equal(calendar_now(fx->s), builtin); /* cached */
	assert_true(workcal_is_workday(builtin, at("2026-10-10 12:00")));
	sql(fx->s, "INSERT INTO work_calendar (id, text, version, updated_at, updated_by) VALUES"
		   " (1, 'hours = 08:00-12:00\nholiday = 2026-10-12  test', 1, 0, 'test')");
	const struct workcal *edited = calendar_now(fx->s);
	assert_ptr_not_equal(edited, builtin);
	assert_ptr_equal(calendar_now(fx->s), edited);
	assert_false(workcal_is_workday(edited, at("2026-10-10 12:00"))); /* no 调休 line any more */
	assert_false(workcal_is_workday(edited, at("2026-10-12 12:00")));
	assert_int_equal(workcal_add_minutes(edited, at("2026-10-13 08:00"), 240), at("2026-10-13 12:00"));
	assert_true(workcal_is_workday(builtin, at("2026-10-12 12:00"))); /* the old one is still valid */
	log_set_quiet(true);
	sql(fx->s, "UPDATE work_calendar SET text = 'hours = nonsense', version = 2 WHERE id = 1");
	const struct workcal *fallback = calendar_now(fx->s);
	log_set_quiet(false);
	assert_true(workcal_is_workday(fallback, at("2026-10-10 12:00")));
	assert_ptr_equal(calendar_now(fx->s), fallback);
	sql(fx->s, "DELETE FROM work_calendar");
	assert_ptr_equal(calendar_now(fx->s), builtin); /* version 0 again: the first parse */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_pick),
		cmocka_unit_test_setup_teardown(test_due, calendar_setup, calendar_teardown),
		cmocka_unit_test_setup_teardown(test_store, sqlite_setup, store_teardown),
	};
	int failed = cmocka_run_group_tests_name("caseconfig", tests, NULL, NULL);
	if (getenv("WANGGE_TEST_PG")) {
		const struct CMUnitTest pg[] = {
			cmocka_unit_test_setup_teardown(test_store, pg_setup, store_teardown),
		};
		failed += cmocka_run_group_tests_name("caseconfig on PostgreSQL", pg, NULL, NULL);
	}
	return failed;
}

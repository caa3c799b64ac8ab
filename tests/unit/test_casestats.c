/* Case statistics from the store: a known set of cases inserted by SQL,
 * counted by case_stats_groups() along every dimension, each figure
 * compared with values worked out by hand below; and the aggregates kept
 * on write against a recount. SQLite always;
 * PostgreSQL too when WANGGE_TEST_PG names a cluster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "modules/cases/stats.h"
#include "modules/cases/tallies.h"
#include "store_fixture.h"

static int sqlite_setup(void **state)
{
	return fixture_sqlite(state, "casestats");
}

static int pg_setup(void **state)
{
	return fixture_pg(state, "casestats");
}

static int teardown(void **state)
{
	return fixture_teardown(state);
}

/* ---- the known set ----
 *
 * Areas: root R; town T (2) with community C1 (3: grids G1 (4, holding
 * building B1 (5)) and G2 (6)) and community C2 (7: grid G3 (8)); town T2
 * (9) with grid G9 (10). Departments: 1 水务, 2 城管, 3 街道办. */
static const char seed_areas[] =
	"INSERT INTO areas (id, code, name, level, parent_id, path, created_at, updated_at) VALUES"
	" (1, 'R', '全域', 0, NULL, '/1/', 0, 0), (2, 'T', '西一路街道', 3, 1, '/1/2/', 0, 0),"
	" (3, 'C1', '东风社区', 4, 2, '/1/2/3/', 0, 0), (4, 'G1', '东风一网格', 5, 3, '/1/2/3/4/', 0, 0),"
	" (5, 'B1', '东风1号楼', 6, 4, '/1/2/3/4/5/', 0, 0), (6, 'G2', '东风二网格', 5, 3, '/1/2/3/6/', 0, 0),"
	" (7, 'C2', '西关社区', 4, 2, '/1/2/7/', 0, 0), (8, 'G3', '西关一网格', 5, 7, '/1/2/7/8/', 0, 0),"
	" (9, 'T2', '东关街道', 3, 1, '/1/9/', 0, 0), (10, 'G9', '东关一网格', 5, 9, '/1/9/10/', 0, 0);"
	"INSERT INTO units (id, name, type, area_id, created_at, updated_at) VALUES"
	" (1, '水务所', 'department', 2, 0, 0), (2, '城管中队', 'department', 2, 0, 0),"
	" (3, '街道办', 'department', 2, 0, 0)";

#define NONE INT32_MIN
#define NOW "2026-03-01T12:00:00Z"

/* A case as inserted. Due dates are hours from NOW; resolved_h hours from
 * submission; NONE is SQL NULL. */
static const struct seed {
	int id, area;
	const char *category, *source, *state;
	int lead;
	const char *submitted;
	int sign_due_h, resolve_due_h, signed_late, resolved_late, resolved_h;
	const char *outcome, *satisfaction;
	int reopen, merged_into;
} seeds[] = {
	/* id area category  source  state  lead  submitted (UTC)  sign_due resolve_due s_late r_late resolved_h */
	{1, 4, "water", "resident", "submitted", NONE, "2026-01-02T02:00:00Z", NONE, NONE, NONE, NONE, NONE, NULL, NULL, 0, NONE},
	{2, 4, "water", "hotline", "dispatched", 1, "2026-01-03T02:00:00Z", -1, NONE, NONE, NONE, NONE, NULL, NULL, 0, NONE},
	{3, 5, "power", "hotline", "dispatched", 1, "2026-01-04T02:00:00Z", 1, NONE, NONE, NONE, NONE, NULL, NULL, 0, NONE},
	{4, 6, "dispute", "grid_worker", "signed", 2, "2026-01-05T02:00:00Z", -100, -1, 0, NONE, NONE, NULL, NULL, 0, NONE},
	{5, 6, "dispute", "grid_worker", "signed", 2, "2026-01-06T02:00:00Z", -100, 1, 1, NONE, NONE, NULL, NULL, 0, NONE},
	{6, 3, "sanitation", "window", "resolved", 2, "2026-01-07T02:00:00Z", -100, -50, 0, 0, 10, NULL, NULL, 0, NONE},
	{7, 8, "water", "resident", "rated", 1, "2026-01-08T02:00:00Z", -100, -50, 0, 0, 20, "resolved", "satisfied", 0, NONE},
	{8, 8, "water", "resident", "rated", 1, "2026-01-09T02:00:00Z", -100, -50, 0, 1, 30, "partly", "basically_satisfied", 0, NONE},
	/* On time but unsatisfied, after one reopening: closed. */
	{9, 8, "water", "api", "closed", 1, "2026-01-10T02:00:00Z", -100, -50, 0, 0, 40, "not", "unsatisfied", 1, NONE},
	/* Signed, then sent back: the signing counts. */
	{10, 2, "complaint", "hotline", "returned", 3, "2026-01-11T02:00:00Z", -100, NONE, 0, NONE, NONE, NULL, NULL, 0, NONE},
	/* Reopened by a bad rating: back in handling, the old resolution and
	 * rating stale and not counted. */
	{11, 4, "water", "resident", "signed", 1, "2026-01-12T02:00:00Z", -100, 1, 0, 0, 5, "not", "unsatisfied", 1, NONE},
	/* A duplicate merged into case 1: never counted. */
	{12, 4, "water", "resident", "closed", NONE, "2026-01-05T02:00:00Z", NONE, NONE, NONE, NONE, NONE, NULL, NULL, 0, 1},
	/* Outside town T. */
	{13, 10, "water", "resident", "submitted", NONE, "2026-01-05T02:00:00Z", NONE, NONE, NONE, NONE, NONE, NULL, NULL, 0, NONE},
	/* 23:59:59 on 31 December in China: before the range. */
	{14, 4, "water", "resident", "submitted", NONE, "2025-12-31T15:59:59Z", NONE, NONE, NONE, NONE, NONE, NULL, NULL, 0, NONE},
	/* 00:00 on 1 January in China: inside. Answered directly at intake. */
	{15, 6, "inquiry", "open311", "closed", NONE, "2025-12-31T16:00:00Z", NONE, NONE, NONE, NONE, NONE, NULL, NULL, 0, NONE},
	/* 31 January in UTC, 1 February in China. */
	{16, 6, "help", "resident", "submitted", NONE, "2026-01-31T17:00:00Z", NONE, NONE, NONE, NONE, NONE, NULL, NULL, 0, NONE},
	/* Signed late once, returned, dispatched again and unsigned past due:
	 * only the overdue signing counts. */
	{17, 6, "hazard", "hotline", "dispatched", 2, "2026-02-10T02:00:00Z", -2, NONE, 1, NONE, NONE, NULL, NULL, 0, NONE},
	/* 23:59:59 on 28 February in China: the range's last second. */
	{18, 8, "gas", "window", "submitted", NONE, "2026-02-28T15:59:59Z", NONE, NONE, NONE, NONE, NONE, NULL, NULL, 0, NONE},
	/* 00:00 on 1 March in China: after it. */
	{19, 4, "water", "resident", "submitted", NONE, "2026-02-28T16:00:00Z", NONE, NONE, NONE, NONE, NONE, NULL, NULL, 0, NONE},
};

static int64_t at(const char *rfc3339)
{
	int64_t ms;
	if (!time_parse_ms(rfc3339, &ms))
		fail_msg("bad time %s", rfc3339);
	return ms / 1000;
}

static void sql_int(char *out, size_t size, int64_t v)
{
	if (v == NONE)
		snprintf(out, size, "NULL");
	else
		snprintf(out, size, "%lld", (long long)v);
}

static int seed_tx(struct store_conn *c, void *arg)
{
	(void)arg;
	int rc = store_exec(c, seed_areas);
	int64_t now = at(NOW);
	for (size_t i = 0; rc == STORE_OK && i < sizeof seeds / sizeof seeds[0]; i++) {
		const struct seed *s = &seeds[i];
		int64_t sub = at(s->submitted);
		char lead[24], sign_due[24], resolve_due[24], sl[24], rl[24], resolved[24], merged[24], sql[1400];
		sql_int(lead, sizeof lead, s->lead);
		sql_int(sign_due, sizeof sign_due, s->sign_due_h == NONE ? NONE : now + s->sign_due_h * 3600);
		sql_int(resolve_due, sizeof resolve_due, s->resolve_due_h == NONE ? NONE : now + s->resolve_due_h * 3600);
		sql_int(sl, sizeof sl, s->signed_late);
		sql_int(rl, sizeof rl, s->resolved_late);
		sql_int(resolved, sizeof resolved, s->resolved_h == NONE ? NONE : sub + s->resolved_h * 3600);
		sql_int(merged, sizeof merged, s->merged_into);
		snprintf(sql, sizeof sql,
			 "INSERT INTO cases (id, follow_hash, category_code, area_id, source, state, title, description,"
			 " lead_unit_id, submitted_at, sign_due_at, resolve_due_at, signed_late, resolved_late, resolved_at,"
			 " rating_outcome, satisfaction, reopen_count, merged_into, updated_at) VALUES (%d, 'h%d', '%s', %d,"
			 " '%s', '%s', 't', 'd', %s, %lld, %s, %s, %s, %s, %s, %s%s%s, %s%s%s, %d, %s, %lld)",
			 s->id, s->id, s->category, s->area, s->source, s->state, lead, (long long)sub, sign_due, resolve_due,
			 sl, rl, resolved, s->outcome ? "'" : "", s->outcome ? s->outcome : "NULL", s->outcome ? "'" : "",
			 s->satisfaction ? "'" : "", s->satisfaction ? s->satisfaction : "NULL", s->satisfaction ? "'" : "",
			 s->reopen, merged, (long long)sub);
		rc = store_exec(c, sql);
	}
	/* Inserted behind the write path's back: the figures' aggregates are
	 * recounted, as after a restore. */
	return rc == STORE_OK ? case_tallies_rebuild_tx(c, NULL) : rc;
}

static void open_seeded(struct fixture *f)
{
	char *err = NULL;
	int applied;
	if (store_open(f->url, &f->s, &err))
		fail_msg("open %s: %s", f->url, err);
	if (store_migrate(f->s, &applied, &err))
		fail_msg("migrate: %s", err);
	int rc = store_tx(f->s, STORE_WRITE, seed_tx, NULL);
	if (rc != STORE_OK)
		fail_msg("seeding failed: %d", rc);
}

/* ---- running a query ---- */

struct run {
	const char *area, *from, *to;
	enum case_stats_dim dim;
	enum figures_period period;
	struct case_stats_query q;
	struct case_groups groups;
	bool area_missing;
};

static const char sql_area[] = "SELECT id, parent_id, level, code, name, path FROM areas WHERE code = ?";

static int run_tx(struct store_conn *c, void *arg)
{
	struct run *r = arg;
	struct store_stmt *st = store_prepare(c, sql_area);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, r->area);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		r->q.area.id = store_col_int(st, 0);
		r->q.area.level = (int)store_col_int(st, 2);
		snprintf(r->q.area.code, sizeof r->q.area.code, "%s", store_col_text(st, 3));
		snprintf(r->q.area.name, sizeof r->q.area.name, "%s", store_col_text(st, 4));
		snprintf(r->q.area.path, sizeof r->q.area.path, "%s", store_col_text(st, 5));
	}
	store_reset(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	return case_stats_groups(c, &r->q, r->dim, &r->groups);
}

static void run(struct fixture *f, struct run *r)
{
	int64_t first, last;
	assert_true(figures_parse_date(r->from ? r->from : "2026-01-01", &first));
	assert_true(figures_parse_date(r->to ? r->to : "2026-02-28", &last));
	r->q.from = figures_day_start(first);
	r->q.to = figures_day_start(last + 1);
	r->q.now = at(NOW);
	r->q.period = r->period;
	int rc = store_tx(f->s, STORE_READ, run_tx, r);
	if (rc != STORE_OK)
		fail_msg("query %s: %d", r->area, rc);
}

/* What a group must show: the figures' parts, worked out by hand from the
 * seeds. avg_h < 0: no mean (null). A rate is absent exactly when its
 * denominator is 0. */
struct want {
	const char *key; /* the group's code, name or period label */
	int received, open, overdue;
	int resp_num, resp_den, ontime_num, ontime_den, resol_num, resol_den, sat_num, sat_den;
	double avg_h;
	int reopened, good, outcomes, partly;
};

static const char *group_key(const struct case_group *g, enum case_stats_dim dim)
{
	return dim == CASE_BY_DEPARTMENT ? (g->id ? g->name : "-") : g->code;
}

static void check_rate(const char *what, const char *key, const struct case_rate *r, int num, int den)
{
	if (r->num != num || r->den != den || r->has != (den > 0))
		fail_msg("%s %s: %lld/%lld (has %d), want %d/%d", key, what, (long long)r->num, (long long)r->den, r->has,
			 num, den);
}

static void check_counts(const char *key, const struct case_counts *c, const struct want *w)
{
	struct case_figures f;
	case_figures_compute(c, &f);
	if (c->received != w->received || case_counts_open(c) != w->open || case_counts_overdue(c) != w->overdue ||
	    c->reopened != w->reopened || c->good != w->good || case_counts_outcomes(c) != w->outcomes ||
	    c->outcome_partly != w->partly)
		fail_msg("%s: received %lld open %lld overdue %lld reopened %lld good %lld outcomes %lld partly %lld;"
			 " want %d %d %d %d %d %d %d",
			 key, (long long)c->received, (long long)case_counts_open(c), (long long)case_counts_overdue(c),
			 (long long)c->reopened, (long long)c->good, (long long)case_counts_outcomes(c),
			 (long long)c->outcome_partly, w->received, w->open, w->overdue, w->reopened, w->good, w->outcomes,
			 w->partly);
	check_rate("response", key, &f.response, w->resp_num, w->resp_den);
	check_rate("on_time", key, &f.on_time, w->ontime_num, w->ontime_den);
	check_rate("resolution", key, &f.resolution, w->resol_num, w->resol_den);
	check_rate("satisfaction", key, &f.satisfaction, w->sat_num, w->sat_den);
	if (f.has_avg_handling != (w->avg_h >= 0) || (w->avg_h >= 0 && fabs(f.avg_handling_hours - w->avg_h) > 1e-9))
		fail_msg("%s: average %s%.3f h, want %.3f", key, f.has_avg_handling ? "" : "(none) ", f.avg_handling_hours,
			 w->avg_h);
}

static void check_groups(struct fixture *f, struct run *r, const struct want *want, size_t n)
{
	run(f, r);
	if (r->groups.count != n)
		fail_msg("%s by %d: %zu groups, want %zu", r->area, r->dim, r->groups.count, n);
	for (size_t i = 0; i < n; i++) {
		const char *key = group_key(&r->groups.items[i], r->dim);
		if (strcmp(key, want[i].key))
			fail_msg("%s by %d, group %zu: %s, want %s", r->area, r->dim, i, key, want[i].key);
		check_counts(key, &r->groups.items[i].counts, &want[i]);
	}
	case_groups_free(&r->groups);
}

/* ---- the tests ---- */

/* Town T, by area: C1 holds 1-6, 11, 15-17; C2 holds 7-9, 18; case 10 is
 * filed on T itself. The totals are the sum of any partition. */
static const struct want town_total = {"T", 15, 10, 3, 7, 10, 3, 5, 1, 3, 2, 3, 25.0, 2, 2, 7, 1};
static const struct want by_area[] = {
	{"C1", 10, 8, 3, 3, 6, 1, 2, 0, 0, 0, 0, 10.0, 1, 1, 4, 0},
	{"C2", 4, 1, 0, 3, 3, 2, 3, 1, 3, 2, 3, 30.0, 1, 1, 3, 1},
	{"T", 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0},
};

static void test_by_area_and_totals(void **state)
{
	struct fixture *f = *state;
	open_seeded(f);
	struct run r = {.area = "T", .dim = CASE_BY_AREA};
	run(f, &r);
	struct case_counts total;
	case_groups_total(&r.groups, &total);
	check_counts("total", &total, &town_total);
	static const int64_t states[CASE_STATE_COUNT] = {3, 3, 3, 1, 1, 2, 2};
	for (int s = 0; s < CASE_STATE_COUNT; s++)
		if (total.by_state[s] != states[s])
			fail_msg("%s: %lld, want %lld", case_state_name((enum case_state)s), (long long)total.by_state[s],
				 (long long)states[s]);
	assert_true(r.groups.items[2].self);
	assert_false(r.groups.items[0].self);
	assert_int_equal(r.groups.items[0].level, 4);
	assert_string_equal(r.groups.items[1].name, "西关社区");
	case_groups_free(&r.groups);
	check_groups(f, &(struct run){.area = "T", .dim = CASE_BY_AREA}, by_area, 3);
}

static void test_by_department(void **state)
{
	struct fixture *f = *state;
	open_seeded(f);
	/* By name (城管中队 < 水务所 < 街道办 in UTF-8 byte order), none last. */
	static const struct want rows[] = {
		{"城管中队", 4, 3, 2, 2, 4, 1, 2, 0, 0, 0, 0, 10.0, 0, 1, 3, 0},  /* 4, 5, 6, 17 */
		{"水务所", 6, 3, 1, 4, 5, 2, 3, 1, 3, 2, 3, 30.0, 2, 1, 4, 1},    /* 2, 3, 7, 8, 9, 11 */
		{"街道办", 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0},      /* 10 */
		{"-", 4, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0},           /* 1, 15, 16, 18 */
	};
	check_groups(f, &(struct run){.area = "T", .dim = CASE_BY_DEPARTMENT}, rows, 4);
}

static void test_by_grid(void **state)
{
	struct fixture *f = *state;
	open_seeded(f);
	/* G1 takes building B1's case 3; cases 6 (C1) and 10 (T) lie above
	 * every grid; G9 is outside. */
	static const struct want rows[] = {
		{"G1", 4, 4, 1, 1, 2, 0, 0, 0, 0, 0, 0, -1, 1, 0, 1, 0},  /* 1, 2, 3, 11 */
		{"G2", 5, 4, 2, 1, 3, 0, 1, 0, 0, 0, 0, -1, 0, 0, 2, 0},  /* 4, 5, 15, 16, 17 */
		{"G3", 4, 1, 0, 3, 3, 2, 3, 1, 3, 2, 3, 30.0, 1, 1, 3, 1}, /* 7, 8, 9, 18 */
	};
	check_groups(f, &(struct run){.area = "T", .dim = CASE_BY_GRID}, rows, 3);
	/* A grid's own subtree is one grid; a building below the grids none. */
	static const struct want g1[] = {{"G1", 4, 4, 1, 1, 2, 0, 0, 0, 0, 0, 0, -1, 1, 0, 1, 0}};
	check_groups(f, &(struct run){.area = "G1", .dim = CASE_BY_GRID}, g1, 1);
	check_groups(f, &(struct run){.area = "B1", .dim = CASE_BY_GRID}, NULL, 0);
}

static void test_by_category_and_source(void **state)
{
	struct fixture *f = *state;
	open_seeded(f);
	/* In the categories' sort order; received and open only matter here. */
	static const struct want cats[] = {
		{"water", 6, 3, 1, 4, 5, 2, 3, 1, 3, 2, 3, 30.0, 2, 1, 4, 1},
		{"power", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0},
		{"gas", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0},
		{"dispute", 2, 2, 1, 1, 2, 0, 1, 0, 0, 0, 0, -1, 0, 0, 1, 0},
		{"sanitation", 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 10.0, 0, 1, 1, 0},
		{"hazard", 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0},
		{"inquiry", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0},
		{"help", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0},
		{"complaint", 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0},
	};
	check_groups(f, &(struct run){.area = "T", .dim = CASE_BY_CATEGORY}, cats, 9);
	static const struct want sources[] = {
		{"api", 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 40.0, 1, 0, 1, 0},
		{"grid_worker", 2, 2, 1, 1, 2, 0, 1, 0, 0, 0, 0, -1, 0, 0, 1, 0},
		{"hotline", 4, 4, 2, 1, 3, 0, 0, 0, 0, 0, 0, -1, 0, 0, 2, 0},
		{"open311", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0},
		{"resident", 5, 3, 0, 3, 3, 1, 2, 1, 2, 2, 2, 25.0, 1, 1, 2, 1},
		{"window", 2, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 10.0, 0, 1, 1, 0},
	};
	check_groups(f, &(struct run){.area = "T", .dim = CASE_BY_SOURCE}, sources, 6);
}

static void test_by_period(void **state)
{
	struct fixture *f = *state;
	open_seeded(f);
	static const struct want months[] = {
		{"2026-01", 12, 7, 2, 7, 9, 3, 5, 1, 3, 2, 3, 25.0, 2, 2, 6, 1},
		{"2026-02", 3, 3, 1, 0, 1, 0, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0},
	};
	check_groups(f, &(struct run){.area = "T", .dim = CASE_BY_PERIOD, .period = FIGURES_MONTH}, months, 2);

	/* Every day of the range is listed; case 16 (31 January 17:00 UTC)
	 * falls on 1 February, case 15 on 1 January, case 18 on 28 February. */
	struct run r = {.area = "T", .dim = CASE_BY_PERIOD, .period = FIGURES_DAY};
	run(f, &r);
	assert_int_equal(r.groups.count, 59);
	static const struct {
		size_t index;
		const char *label;
		int received;
	} days[] = {{0, "2026-01-01", 1}, {1, "2026-01-02", 1}, {30, "2026-01-31", 0}, {31, "2026-02-01", 1},
		    {40, "2026-02-10", 1}, {58, "2026-02-28", 1}, {4, "2026-01-05", 1}};
	for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
		const struct case_group *g = &r.groups.items[days[i].index];
		assert_string_equal(g->code, days[i].label);
		if (g->counts.received != days[i].received)
			fail_msg("%s: %lld, want %d", g->code, (long long)g->counts.received, days[i].received);
	}
	case_groups_free(&r.groups);

	/* Weeks start on Monday: the first one (29 December) is cut at the
	 * range's start; 26 January - 1 February holds cases 16 and none else. */
	r = (struct run){.area = "T", .dim = CASE_BY_PERIOD, .period = FIGURES_WEEK};
	run(f, &r);
	assert_int_equal(r.groups.count, 9);
	char from[11], to[11];
	figures_format_date(r.groups.items[0].first_day, from);
	figures_format_date(r.groups.items[0].last_day, to);
	assert_string_equal(r.groups.items[0].code, "2025-12-29");
	assert_string_equal(from, "2026-01-01");
	assert_string_equal(to, "2026-01-04");
	assert_int_equal(r.groups.items[0].counts.received, 4); /* 15, 1, 2, 3 */
	assert_string_equal(r.groups.items[4].code, "2026-01-26");
	assert_int_equal(r.groups.items[4].counts.received, 1);
	figures_format_date(r.groups.items[8].last_day, to);
	assert_string_equal(r.groups.items[8].code, "2026-02-23");
	assert_string_equal(to, "2026-02-28");
	assert_int_equal(r.groups.items[8].counts.received, 1);
	case_groups_free(&r.groups);
}

static void test_scope_and_range(void **state)
{
	struct fixture *f = *state;
	open_seeded(f);
	/* The root sees case 13 too; merged 12 and out-of-range 14, 19 never. */
	struct run r = {.area = "R", .dim = CASE_BY_SOURCE};
	run(f, &r);
	struct case_counts total;
	case_groups_total(&r.groups, &total);
	assert_int_equal(total.received, 16);
	case_groups_free(&r.groups);
	/* Community C2 sees its four; its child G3 holds them all. */
	static const struct want c2[] = {{"G3", 4, 1, 0, 3, 3, 2, 3, 1, 3, 2, 3, 30.0, 1, 1, 3, 1}};
	check_groups(f, &(struct run){.area = "C2", .dim = CASE_BY_AREA}, c2, 1);
	/* Building B1: no children, its one case on itself. */
	static const struct want b1[] = {{"B1", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0}};
	check_groups(f, &(struct run){.area = "B1", .dim = CASE_BY_AREA}, b1, 1);
	/* One day, 1 February: case 16 only. */
	r = (struct run){.area = "T", .from = "2026-02-01", .to = "2026-02-01", .dim = CASE_BY_SOURCE};
	run(f, &r);
	case_groups_total(&r.groups, &total);
	assert_int_equal(total.received, 1);
	case_groups_free(&r.groups);
	/* Nothing in range: no groups where the set is open, zero where fixed. */
	r = (struct run){.area = "T", .from = "2025-06-01", .to = "2025-06-30", .dim = CASE_BY_AREA};
	run(f, &r);
	assert_int_equal(r.groups.count, 2);
	assert_int_equal(r.groups.items[0].counts.received + r.groups.items[1].counts.received, 0);
	case_groups_free(&r.groups);
	check_groups(f, &(struct run){.area = "T", .from = "2025-06-01", .to = "2025-06-30", .dim = CASE_BY_DEPARTMENT},
		     NULL, 0);
}

/* ---- the aggregates kept on write ---- */

static struct case_tally_facts facts(const char *state, int signed_late, int resolved_late, const char *outcome,
				     const char *satisfaction, int reopen)
{
	struct case_tally_facts f = {.area_id = 4, .submitted_at = 1000, .signed_late = signed_late,
				     .resolved_late = resolved_late, .reopen_count = reopen};
	f.state = case_state_parse(state);
	snprintf(f.rating_outcome, sizeof f.rating_outcome, "%s", outcome ? outcome : "");
	snprintf(f.satisfaction, sizeof f.satisfaction, "%s", satisfaction ? satisfaction : "");
	return f;
}

static void test_contribution(void **state)
{
	(void)state;
	struct case_counts k;
	/* Closed after an on-time resolution rated unsatisfied: not good. */
	struct case_tally_facts f = facts("closed", 0, 0, "not", "unsatisfied", 0);
	f.has_resolved_at = true;
	f.resolved_at = 1000 + 7200;
	case_tally_contribution(&f, &k);
	assert_int_equal(k.received, 1);
	assert_int_equal(k.by_state[CASE_CLOSED], 1);
	assert_int_equal(k.signed_total + k.signed_on_time + k.resolved + k.resolved_on_time, 4);
	assert_int_equal(k.rated + k.outcome_not + k.unsatisfied, 3);
	assert_int_equal(k.outcome_resolved + k.satisfied + k.basically_satisfied, 0);
	assert_int_equal(k.handled, 1);
	assert_int_equal(k.handling_seconds, 7200);
	assert_int_equal(k.good, 0);
	assert_int_equal(k.sign_overdue + k.resolve_overdue, 0);
	/* Reopened by that rating: back in handling, the old marks stale. */
	f = facts("signed", 0, 0, "not", "unsatisfied", 1);
	f.has_resolved_at = true;
	case_tally_contribution(&f, &k);
	assert_int_equal(k.by_state[CASE_SIGNED] + k.signed_total + k.signed_on_time + k.reopened, 4);
	assert_int_equal(k.resolved + k.rated + k.unsatisfied + k.handled + k.good, 0);
	/* Dispatched again after a late signing and a return: unsigned now. */
	case_tally_contribution(&(struct case_tally_facts){.state = CASE_DISPATCHED, .signed_late = 1,
							    .resolved_late = -1}, &k);
	assert_int_equal(k.received + k.by_state[CASE_DISPATCHED], 2);
	assert_int_equal(k.signed_total, 0);
	/* Resolved on time, rated basically satisfied: good. */
	f = facts("rated", 1, 0, "partly", "basically_satisfied", 0);
	case_tally_contribution(&f, &k);
	assert_int_equal(k.signed_total - k.signed_on_time, 1);
	assert_int_equal(k.outcome_partly + k.basically_satisfied + k.good, 3);
	assert_int_equal(k.handled, 0); /* no resolved_at: no mean */
	/* Past its due date: overdue in the tallies once reminded after it. */
	f = facts("dispatched", -1, -1, NULL, NULL, 0);
	f.sign_due_at = 5000;
	f.reminded_at = 4000; /* a reminder before the due date */
	case_tally_contribution(&f, &k);
	assert_int_equal(k.sign_overdue, 0);
	f.reminded_at = 5060;
	case_tally_contribution(&f, &k);
	assert_int_equal(k.sign_overdue + k.resolve_overdue, 1);
	f = facts("signed", 0, -1, NULL, NULL, 0);
	f.sign_due_at = 5000;
	f.resolve_due_at = 9000;
	f.reminded_at = 5060; /* the signing's reminder: not the resolution's */
	case_tally_contribution(&f, &k);
	assert_int_equal(k.sign_overdue + k.resolve_overdue, 0);
	f.reminded_at = 9060;
	case_tally_contribution(&f, &k);
	assert_int_equal(k.resolve_overdue, 1);
	/* A merged duplicate counts nowhere. */
	f.merged = true;
	case_tally_contribution(&f, &k);
	static const struct case_counts zero;
	assert_memory_equal(&k, &zero, sizeof zero);
}

/* Both tally tables as text, rows that cancelled out to nothing left out
 * (a recount has none). */
#define SNAP_COLUMN(name, field) ", " #name
static const char sql_snap_detail[] = "SELECT area_id, day, lead_unit_id, category_code, source, received"
	CASE_TALLY_COLUMNS(SNAP_COLUMN) " FROM case_tallies WHERE received <> 0"
	" ORDER BY area_id, day, lead_unit_id, category_code, source";
static const char sql_snap_area[] = "SELECT area_id, day, '', '', '', received" CASE_TALLY_COLUMNS(SNAP_COLUMN)
	" FROM case_area_tallies WHERE received <> 0 ORDER BY area_id, day";

static int snapshot(struct store_conn *c, char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (int t = 0; t < 2; t++) {
		struct store_stmt *st = store_prepare(c, t ? sql_snap_area : sql_snap_detail);
		if (!st)
			return STORE_ERROR;
		int rc;
		while ((rc = store_step(st)) == STORE_ROW) {
			len += (size_t)snprintf(out + len, size - len, "%d %lld %lld %lld %s %s", t,
						(long long)store_col_int(st, 0), (long long)store_col_int(st, 1),
						(long long)store_col_int(st, 2), store_col_text(st, 3), store_col_text(st, 4));
			for (int col = 5; col < 5 + 1 + CASE_STATE_COUNT + 17; col++)
				len += (size_t)snprintf(out + len, size - len, " %lld", (long long)store_col_int(st, col));
			len += (size_t)snprintf(out + len, size - len, "\n");
			if (len >= size)
				fail_msg("snapshot too long");
		}
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

#define SNAP_SIZE (256 * 1024)

static int update_case(struct store_conn *c, int64_t id, const char *sql)
{
	struct case_tally_facts before;
	int rc = case_tally_load(c, id, &before);
	if (rc == STORE_OK)
		rc = store_exec(c, sql);
	return rc == STORE_OK ? case_tally_update(c, &before, id) : rc;
}

static int incremental_tx(struct store_conn *c, void *arg)
{
	char **snaps = arg;
	/* The seed's recount, then the same cases counted one by one. */
	int rc = snapshot(c, snaps[0], SNAP_SIZE);
	if (rc == STORE_OK)
		rc = store_exec(c, "DELETE FROM case_tallies; DELETE FROM case_area_tallies");
	for (size_t i = 0; rc == STORE_OK && i < sizeof seeds / sizeof seeds[0]; i++)
		rc = case_tally_update(c, NULL, seeds[i].id);
	if (rc == STORE_OK)
		rc = snapshot(c, snaps[1], SNAP_SIZE);
	/* Writes that change keys and marks: a first dispatch (department 0
	 * to 2), a signing, a reopening, a merge. Then a recount. */
	if (rc == STORE_OK)
		rc = update_case(c, 1, "UPDATE cases SET state = 'dispatched', lead_unit_id = 2 WHERE id = 1");
	if (rc == STORE_OK)
		rc = update_case(c, 2, "UPDATE cases SET state = 'signed', signed_late = 1 WHERE id = 2");
	if (rc == STORE_OK)
		rc = update_case(c, 7, "UPDATE cases SET state = 'signed', reopen_count = 1 WHERE id = 7");
	if (rc == STORE_OK)
		rc = update_case(c, 16, "UPDATE cases SET state = 'closed', merged_into = 1 WHERE id = 16");
	if (rc == STORE_OK) /* the timer's reminder of a late signing */
		rc = update_case(c, 17, "UPDATE cases SET reminded_at = sign_due_at + 60 WHERE id = 17");
	if (rc == STORE_OK)
		rc = snapshot(c, snaps[2], SNAP_SIZE);
	if (rc == STORE_OK)
		rc = case_tallies_rebuild_tx(c, NULL);
	if (rc == STORE_OK)
		rc = snapshot(c, snaps[3], SNAP_SIZE);
	return rc;
}

static void test_incremental_equals_recount(void **state)
{
	struct fixture *f = *state;
	open_seeded(f);
	char *snaps[4];
	for (int i = 0; i < 4; i++)
		snaps[i] = calloc(1, SNAP_SIZE);
	assert_int_equal(store_tx(f->s, STORE_WRITE, incremental_tx, snaps), STORE_OK);
	assert_true(strlen(snaps[0]) > 100);
	assert_string_equal(snaps[0], snaps[1]);
	assert_string_equal(snaps[2], snaps[3]);
	assert_string_not_equal(snaps[1], snaps[2]);
	for (int i = 0; i < 4; i++)
		free(snaps[i]);
}

/* The timer reminds the cases past due: their overdue moves from the
 * read-time count into the tallies, and no figure changes. */
static int remind_tx(struct store_conn *c, void *arg)
{
	(void)arg;
	int rc = STORE_OK;
	for (size_t i = 0; rc == STORE_OK && i < sizeof seeds / sizeof seeds[0]; i++) {
		if (strcmp(seeds[i].state, "dispatched") && strcmp(seeds[i].state, "signed"))
			continue;
		const char *due = strcmp(seeds[i].state, "dispatched") == 0 ? "sign_due_at" : "resolve_due_at";
		char text[160];
		snprintf(text, sizeof text, "UPDATE cases SET reminded_at = %s + 60 WHERE id = %d AND %s < %lld", due,
			 seeds[i].id, due, (long long)at(NOW));
		rc = update_case(c, seeds[i].id, text);
	}
	return rc;
}

static void test_overdue_reminded(void **state)
{
	struct fixture *f = *state;
	open_seeded(f);
	static const enum case_stats_dim dims[] = {CASE_BY_AREA, CASE_BY_DEPARTMENT, CASE_BY_CATEGORY, CASE_BY_SOURCE,
						   CASE_BY_PERIOD, CASE_BY_GRID};
	struct run before[6], after[6];
	for (int d = 0; d < 6; d++) {
		before[d] = (struct run){.area = "R", .dim = dims[d]};
		run(f, &before[d]);
	}
	assert_int_equal(store_tx(f->s, STORE_WRITE, remind_tx, NULL), STORE_OK);
	for (int d = 0; d < 6; d++) {
		after[d] = (struct run){.area = "R", .dim = dims[d]};
		run(f, &after[d]);
		assert_int_equal(before[d].groups.count, after[d].groups.count);
		for (size_t g = 0; g < before[d].groups.count; g++)
			assert_memory_equal(&before[d].groups.items[g].counts, &after[d].groups.items[g].counts,
					    sizeof(struct case_counts));
		case_groups_free(&before[d].groups);
		case_groups_free(&after[d].groups);
	}
	struct run t = {.area = "T", .dim = CASE_BY_SOURCE};
	run(f, &t);
	struct case_counts total;
	case_groups_total(&t.groups, &total);
	assert_int_equal(case_counts_overdue(&total), 3); /* 2, 4 and 17 */
	case_groups_free(&t.groups);
}

int main(void)
{
#define BOTH(setup)                                                                      \
	{                                                                                \
		cmocka_unit_test_setup_teardown(test_by_area_and_totals, setup, teardown),  \
		cmocka_unit_test_setup_teardown(test_by_department, setup, teardown),       \
		cmocka_unit_test_setup_teardown(test_by_grid, setup, teardown),             \
		cmocka_unit_test_setup_teardown(test_by_category_and_source, setup, teardown), \
		cmocka_unit_test_setup_teardown(test_by_period, setup, teardown),           \
		cmocka_unit_test_setup_teardown(test_scope_and_range, setup, teardown),     \
		cmocka_unit_test_setup_teardown(test_incremental_equals_recount, setup, teardown), \
		cmocka_unit_test_setup_teardown(test_overdue_reminded, setup, teardown),    \
	}
	const struct CMUnitTest sqlite_tests[] = BOTH(sqlite_setup);
	const struct CMUnitTest pure_tests[] = {cmocka_unit_test(test_contribution)};
	int failed = cmocka_run_group_tests_name("case tallies", pure_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("casestats on SQLite", sqlite_tests, NULL, NULL);
	if (getenv("WANGGE_TEST_PG")) {
		const struct CMUnitTest pg_tests[] = BOTH(pg_setup);
		failed += cmocka_run_group_tests_name("casestats on PostgreSQL", pg_tests, NULL, NULL);
	}
	return failed;
}

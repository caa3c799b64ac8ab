/* Case statistics: GET /api/v1/stats/cases. The store part reads raw
 * counts per group with one GROUP BY scan per dimension (plus a look-up of
 * the names the groups need), so the number of statements does not grow
 * with the number of groups; figures.c turns counts into rates and scores;
 * the handler shapes the answer as JSON, CSV or XLSX. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/strmap.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "modules/cases/cases_internal.h"
#include "modules/cases/stats.h"
#include "modules/common/reply.h"
#include "modules/common/xlsx_out.h"
#include "store/scope.h"

/* ---- the store: raw counts ---- */

/* Conditions that say where a case stands now (see struct case_counts).
 * A case reopened by a bad rating keeps its old signed_late, resolved_late
 * and rating until they are replaced, so the state decides which of them
 * still count. */
#define SIGNED_NOW "k.signed_late IS NOT NULL AND k.state <> 'dispatched'"
#define RESOLVED_NOW "k.resolved_late IS NOT NULL AND k.state IN ('resolved', 'rated', 'closed')"
#define HANDLED_NOW "k.resolved_at IS NOT NULL AND k.state IN ('resolved', 'rated', 'closed')"
#define RATED_NOW "k.rating_outcome IS NOT NULL AND k.state IN ('rated', 'closed')"
#define COUNT_IF(cond) "SUM(CASE WHEN " cond " THEN 1 ELSE 0 END)"

/* The counters, in the order read_counts() reads them: by_state,
 * then CASE_COUNTERS. Two parameters: now, now. */
#define SQL_COUNTS                                                                                         \
	COUNT_IF("k.state = 'submitted'") ", " COUNT_IF("k.state = 'dispatched'") ", "                    \
	COUNT_IF("k.state = 'signed'") ", " COUNT_IF("k.state = 'returned'") ", "                         \
	COUNT_IF("k.state = 'resolved'") ", " COUNT_IF("k.state = 'rated'") ", "                          \
	COUNT_IF("k.state = 'closed'") ", COUNT(*), "                                                     \
	COUNT_IF(SIGNED_NOW) ", " COUNT_IF(SIGNED_NOW " AND k.signed_late = 0") ", "                      \
	COUNT_IF("k.state = 'dispatched' AND k.sign_due_at < ?") ", "                                     \
	COUNT_IF(RESOLVED_NOW) ", " COUNT_IF(RESOLVED_NOW " AND k.resolved_late = 0") ", "                \
	COUNT_IF("k.state = 'signed' AND k.resolve_due_at < ?") ", "                                      \
	COUNT_IF(RATED_NOW) ", " COUNT_IF(RATED_NOW " AND k.rating_outcome = 'resolved'") ", "            \
	COUNT_IF(RATED_NOW " AND k.rating_outcome = 'partly'") ", "                                       \
	COUNT_IF(RATED_NOW " AND k.rating_outcome = 'not'") ", "                                          \
	COUNT_IF(RATED_NOW " AND k.satisfaction = 'satisfied'") ", "                                      \
	COUNT_IF(RATED_NOW " AND k.satisfaction = 'basically_satisfied'") ", "                            \
	COUNT_IF(RATED_NOW " AND k.satisfaction = 'unsatisfied'") ", "                                    \
	COUNT_IF(HANDLED_NOW) ", "                                                                         \
	"CAST(SUM(CASE WHEN " HANDLED_NOW " THEN k.resolved_at - k.submitted_at ELSE 0 END) AS BIGINT), "   \
	COUNT_IF("k.reopen_count > 0") ", "                                                               \
	COUNT_IF(RESOLVED_NOW " AND k.resolved_late = 0 AND NOT (" RATED_NOW                              \
		 " AND COALESCE(k.satisfaction, '') = 'unsatisfied')")

/* Four key columns come first in every statement (an id, a code, two
 * names); then the counters. Parameters: now, now, the subtree (2), from,
 * to. */
#define SQL_FROM " FROM cases k JOIN areas x ON x.id = k.area_id"
#define SQL_WHERE                                                                                           \
	" WHERE " STORE_IN_SCOPE("x") " AND k.submitted_at >= ? AND k.submitted_at < ? AND k.merged_into IS NULL"
#define KEY_COLUMNS 4

static const char sql_by_area[] = "SELECT k.area_id, x.path, '', '', " SQL_COUNTS SQL_FROM SQL_WHERE
				  " GROUP BY k.area_id, x.path";
static const char sql_by_department[] = "SELECT k.lead_unit_id, '', u.name, '', " SQL_COUNTS SQL_FROM
					" LEFT JOIN units u ON u.id = k.lead_unit_id" SQL_WHERE
					" GROUP BY k.lead_unit_id, u.name";
static const char sql_by_category[] = "SELECT g.sort, k.category_code, g.name_zh, g.name_en, " SQL_COUNTS SQL_FROM
				      " LEFT JOIN case_categories g ON g.code = k.category_code" SQL_WHERE
				      " GROUP BY k.category_code, g.name_zh, g.name_en, g.sort";
static const char sql_by_source[] = "SELECT 0, k.source, '', '', " SQL_COUNTS SQL_FROM SQL_WHERE
				    " GROUP BY k.source";
/* The local day (UTC+8) of submission. */
_Static_assert(FIGURES_TZ_OFFSET == 28800, "sql_by_day writes the offset out");
static const char sql_by_day[] = "SELECT (k.submitted_at + 28800) / 86400, '', '', '', " SQL_COUNTS SQL_FROM SQL_WHERE
				 " GROUP BY (k.submitted_at + 28800) / 86400";

/* No ORDER BY in these statements: the groups are sorted in C, by bytes,
 * because PostgreSQL would sort text by the database's locale. */
static const char sql_children[] = "SELECT id, code, name, level FROM areas WHERE parent_id = ?";
static const char sql_grids[] = "SELECT a.id, a.code, a.name, a.level FROM areas a WHERE a.level = 5 AND "
				STORE_IN_SCOPE("a");

void case_groups_free(struct case_groups *g)
{
	free(g->items);
	*g = (struct case_groups){0};
}

static struct case_group *group_add(struct case_groups *g)
{
	if (g->count == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->items = xrealloc(g->items, g->cap * sizeof *g->items);
	}
	struct case_group *r = &g->items[g->count++];
	memset(r, 0, sizeof *r);
	return r;
}

void case_groups_total(const struct case_groups *g, struct case_counts *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < g->count; i++)
		case_counts_add(out, &g->items[i].counts);
}

static int by_code(const void *a, const void *b)
{
	return strcmp(((const struct case_group *)a)->code, ((const struct case_group *)b)->code);
}

/* Departments by name, the cases of no department last. */
static int by_name(const void *a, const void *b)
{
	const struct case_group *x = a, *y = b;
	if ((x->id == 0) != (y->id == 0))
		return x->id == 0 ? 1 : -1;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Categories by their sort order (kept in id), then code. */
static int by_sort(const void *a, const void *b)
{
	const struct case_group *x = a, *y = b;
	return x->id != y->id ? (x->id > y->id) - (x->id < y->id) : strcmp(x->code, y->code);
}

static void groups_sort(struct case_groups *g, int (*cmp)(const void *, const void *))
{
	if (g->count > 1)
		qsort(g->items, g->count, sizeof *g->items, cmp);
}

static void read_counts(struct store_stmt *st, struct case_counts *out)
{
	int col = KEY_COLUMNS;
	for (int s = 0; s < CASE_STATE_COUNT; s++)
		out->by_state[s] = store_col_int(st, col++);
#define CASE_COUNTER_READ(name) out->name = store_col_int(st, col++);
	CASE_COUNTERS(CASE_COUNTER_READ)
#undef CASE_COUNTER_READ
}

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* Runs one of the counting statements; every row becomes a group. */
static int scan(struct store_conn *c, const char *sql, const struct case_stats_query *q, struct case_groups *out)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return STORE_ERROR;
	struct store_scope scope = {.area_id = q->area.id};
	copy_text(scope.path, sizeof scope.path, q->area.path);
	store_bind_int(st, 1, q->now);
	store_bind_int(st, 2, q->now);
	store_bind_scope(st, 3, &scope);
	store_bind_int(st, 5, q->from);
	store_bind_int(st, 6, q->to);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct case_group *g = group_add(out);
		g->id = store_col_null(st, 0) ? 0 : store_col_int(st, 0);
		copy_text(g->code, sizeof g->code, store_col_text(st, 1));
		copy_text(g->name, sizeof g->name, store_col_text(st, 2));
		copy_text(g->name_en, sizeof g->name_en, store_col_text(st, 3));
		read_counts(st, &g->counts);
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Areas that groups are made of (the children, or the grids), with a map
 * from id to their index. Per-area counts are then folded into them in
 * memory: one scan, however many areas there are. */
static int load_areas(struct store_conn *c, const struct case_stats_query *q, bool grids, struct case_groups *out,
		      struct strmap *index)
{
	struct store_stmt *st = store_prepare(c, grids ? sql_grids : sql_children);
	if (!st)
		return STORE_ERROR;
	if (grids) {
		struct store_scope scope = {.area_id = q->area.id};
		copy_text(scope.path, sizeof scope.path, q->area.path);
		store_bind_scope(st, 1, &scope);
	} else {
		store_bind_int(st, 1, q->area.id);
	}
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct case_group *g = group_add(out);
		g->id = store_col_int(st, 0);
		copy_text(g->code, sizeof g->code, store_col_text(st, 1));
		copy_text(g->name, sizeof g->name, store_col_text(st, 2));
		g->level = (int)store_col_int(st, 3);
	}
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	groups_sort(out, by_code);
	char key[24];
	for (size_t i = 0; i < out->count; i++) {
		snprintf(key, sizeof key, "%lld", (long long)out->items[i].id);
		strmap_put(index, key, (int64_t)i);
	}
	return STORE_OK;
}

/* The group of an area row: the first id on its path (from start) that
 * the index holds; -1 when none does. */
static int64_t fold_target(const char *path, const struct strmap *index)
{
	char key[24];
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t n = strspn(p, "0123456789");
		if (!n || n >= sizeof key)
			break;
		memcpy(key, p, n);
		key[n] = '\0';
		int64_t at;
		if (strmap_get(index, key, &at))
			return at;
		p += n;
	}
	return -1;
}

static int groups_by_area(struct store_conn *c, const struct case_stats_query *q, bool grids, struct case_groups *out)
{
	struct case_groups rows = {0};
	struct strmap index = {0};
	int rc = load_areas(c, q, grids, out, &index);
	if (rc == STORE_OK)
		rc = scan(c, sql_by_area, q, &rows);
	struct case_group *self = NULL;
	size_t path_len = strlen(q->area.path);
	for (size_t i = 0; rc == STORE_OK && i < rows.count; i++) {
		const char *path = rows.items[i].code;
		/* For children, look only below the chosen area's own path: an
		 * ancestor's id never names a child. */
		int64_t at = fold_target(grids ? path : path + (strlen(path) >= path_len ? path_len : 0), &index);
		if (at >= 0) {
			case_counts_add(&out->items[at].counts, &rows.items[i].counts);
		} else if (!grids) {
			/* Filed on the chosen area itself, not on any child. */
			if (!self) {
				self = group_add(out);
				self->id = q->area.id;
				copy_text(self->code, sizeof self->code, q->area.code);
				copy_text(self->name, sizeof self->name, q->area.name);
				self->level = q->area.level;
				self->self = true;
			}
			case_counts_add(&self->counts, &rows.items[i].counts);
		}
	}
	case_groups_free(&rows);
	strmap_free(&index);
	return rc;
}

/* Local days folded into days, weeks or months, every period of the range
 * listed (a chart needs its empty days too). */
static int groups_by_period(struct store_conn *c, const struct case_stats_query *q, struct case_groups *out)
{
	struct case_groups days = {0};
	int rc = scan(c, sql_by_day, q, &days);
	if (rc != STORE_OK) {
		case_groups_free(&days);
		return rc;
	}
	int64_t first = figures_local_day(q->from), last = figures_local_day(q->to - 1);
	for (int64_t start = figures_period_start(first, q->period); start <= last;
	     start = figures_period_next(start, q->period)) {
		struct case_group *g = group_add(out);
		g->id = start;
		figures_period_label(start, q->period, g->code);
		int64_t end = figures_period_next(start, q->period) - 1;
		g->first_day = start > first ? start : first;
		g->last_day = end < last ? end : last;
	}
	for (size_t i = 0; i < days.count; i++) {
		int64_t start = figures_period_start(days.items[i].id, q->period);
		/* Periods are sorted by their first day: a binary search. */
		size_t lo = 0, hi = out->count;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (out->items[mid].id < start)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < out->count && out->items[lo].id == start)
			case_counts_add(&out->items[lo].counts, &days.items[i].counts);
		else
			WG_BUG("day %lld lies outside the periods of the query", (long long)days.items[i].id);
	}
	case_groups_free(&days);
	return STORE_OK;
}

int case_stats_groups(struct store_conn *c, const struct case_stats_query *q, enum case_stats_dim dim,
		      struct case_groups *out)
{
	out->count = 0; /* a retried transaction starts over */
	int rc;
	switch (dim) {
	case CASE_BY_AREA:
		return groups_by_area(c, q, false, out);
	case CASE_BY_GRID:
		return groups_by_area(c, q, true, out);
	case CASE_BY_PERIOD:
		return groups_by_period(c, q, out);
	case CASE_BY_DEPARTMENT:
		rc = scan(c, sql_by_department, q, out);
		groups_sort(out, by_name);
		return rc;
	case CASE_BY_CATEGORY:
		rc = scan(c, sql_by_category, q, out);
		groups_sort(out, by_sort);
		return rc;
	case CASE_BY_SOURCE:
		rc = scan(c, sql_by_source, q, out);
		groups_sort(out, by_code);
		return rc;
	default:
		WG_BUG("unknown case statistics dimension %d", (int)dim);
		return STORE_ERROR;
	}
}

/* ---- the answer ---- */

#define STATS_MAX_DAYS 1096 /* three years, one of them leap */
#define STATS_DEFAULT_DAYS 30
#define STATS_RANKED 10

const char *const cases_stats_query[] = {"area", "from", "to", "group_by", "period", "format", NULL};

static const char *const dim_names[CASE_STATS_DIMS] = {"area", "department", "category", "source", "period", "grid"};
static const char *const period_names[] = {"day", "week", "month"};

static const char method_zh[] =
	"排名依据“威尔逊区间下限”（95%置信度）：按时办结且未被评为“不满意”的诉求记为“办好”，"
	"分母为已办结或已超过时限的诉求。得分是按该单位的件数仍有95%把握达到的办好率，件数越少得分越保守，"
	"所以只办了一两件的单位不会排在办了上百件、办好率略低的单位前面；得分相同时件数多者在前。";
static const char method_en[] =
	"Ranked by the Wilson score lower bound (95% confidence) of the share of good cases: resolved on time and "
	"not rated unsatisfied, out of the cases that were resolved or are past a due date. The score is the share "
	"the unit achieves with confidence given how many cases it had, so one or two good cases cannot put a small "
	"unit on top; ties go to the unit with more cases.";

struct stats_job {
	const struct caller *caller;
	const char *area_code;
	struct case_stats_query q;
	enum case_stats_dim dim;
	struct case_groups groups, departments, grids;
	bool area_missing;
};

static int stats_tx(struct store_conn *c, void *arg)
{
	struct stats_job *j = arg;
	int rc = area_find(c, &j->caller->scope, j->area_code, &j->q.area);
	if (rc == STORE_DONE) {
		j->area_missing = true;
		return STORE_ABORT;
	}
	if (rc == STORE_OK)
		rc = case_stats_groups(c, &j->q, j->dim, &j->groups);
	if (rc == STORE_OK && j->dim != CASE_BY_DEPARTMENT)
		rc = case_stats_groups(c, &j->q, CASE_BY_DEPARTMENT, &j->departments);
	if (rc == STORE_OK && j->dim != CASE_BY_GRID)
		rc = case_stats_groups(c, &j->q, CASE_BY_GRID, &j->grids);
	return rc;
}

static double round_to(double v, double unit)
{
	return round(v / unit) * unit;
}

static json_t *rate_json(const struct case_rate *r)
{
	return json_pack("{s:o, s:I, s:I}", "rate", r->has ? json_real(round_to(r->value, 1e-4)) : json_null(), "numerator",
			 (json_int_t)r->num, "denominator", (json_int_t)r->den);
}

static json_t *figures_json(const struct case_counts *c)
{
	struct case_figures f;
	case_figures_compute(c, &f);
	json_t *states = json_object();
	for (int s = 0; s < CASE_STATE_COUNT; s++)
		json_object_set_new(states, case_state_name((enum case_state)s), json_integer(c->by_state[s]));
	return json_pack("{s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o,"
			 " s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o}",
			 "received", (json_int_t)c->received, "by_state", states, "open", (json_int_t)case_counts_open(c),
			 "overdue", (json_int_t)case_counts_overdue(c), "resolved", (json_int_t)c->resolved, "rated",
			 (json_int_t)c->rated, "reopened", (json_int_t)c->reopened, "response_rate", rate_json(&f.response),
			 "on_time_rate", rate_json(&f.on_time), "resolution_rate", rate_json(&f.resolution),
			 "satisfaction_rate", rate_json(&f.satisfaction), "ratings", "resolved",
			 (json_int_t)c->outcome_resolved, "partly", (json_int_t)c->outcome_partly, "not",
			 (json_int_t)c->outcome_not, "satisfied", (json_int_t)c->satisfied, "basically_satisfied",
			 (json_int_t)c->basically_satisfied, "unsatisfied", (json_int_t)c->unsatisfied,
			 "avg_handling_hours",
			 f.has_avg_handling ? json_real(round_to(f.avg_handling_hours, 1e-2)) : json_null());
}

/* The key, name and dimension-specific fields of a group. */
static json_t *group_head_json(const struct case_group *g, enum case_stats_dim dim)
{
	char key[24], from[11], to[11];
	switch (dim) {
	case CASE_BY_AREA:
	case CASE_BY_GRID:
		return json_pack("{s:s, s:s, s:s, s:b}", "key", g->code, "name", g->name, "level", area_level_name(g->level),
				 "self", g->self);
	case CASE_BY_DEPARTMENT:
		snprintf(key, sizeof key, "%lld", (long long)g->id);
		return json_pack("{s:s?, s:s?}", "key", g->id ? key : NULL, "name", g->id ? g->name : NULL);
	case CASE_BY_CATEGORY:
		return json_pack("{s:s, s:s, s:s}", "key", g->code, "name", g->name, "name_en", g->name_en);
	case CASE_BY_PERIOD:
		figures_format_date(g->first_day, from);
		figures_format_date(g->last_day, to);
		return json_pack("{s:s, s:s, s:s, s:s}", "key", g->code, "name", g->code, "from", from, "to", to);
	default:
		return json_pack("{s:s, s:s}", "key", g->code, "name", g->code);
	}
}

static json_t *ranking_json(const struct case_groups *g, bool grids)
{
	struct figures_rank *r = xcalloc(g->count ? g->count : 1, sizeof *r);
	size_t n = 0;
	for (size_t i = 0; i < g->count; i++) {
		int64_t outcomes = case_counts_outcomes(&g->items[i].counts);
		/* No outcome yet is nothing to rank; neither are the cases of
		 * no department. */
		if (outcomes == 0 || (!grids && g->items[i].id == 0))
			continue;
		r[n++] = (struct figures_rank){.index = i, .n = outcomes, .good = g->items[i].counts.good};
	}
	figures_rank_sort(r, n);
	json_t *out = json_array();
	for (size_t i = 0; i < n && i < STATS_RANKED; i++) {
		const struct case_group *x = &g->items[r[i].index];
		json_t *e = json_pack("{s:I, s:s, s:f, s:I, s:I, s:f}", "rank", (json_int_t)(i + 1), "name", x->name, "score",
				      round_to(r[i].score, 1e-4), "n", (json_int_t)r[i].n, "good", (json_int_t)r[i].good,
				      "rate", round_to((double)r[i].good / (double)r[i].n, 1e-4));
		if (grids)
			json_object_set_new(e, "code", json_string(x->code));
		else
			json_object_set_new(e, "id", json_integer(x->id));
		json_array_append_new(out, e);
	}
	free(r);
	return out;
}

static json_t *answer_json(const struct stats_job *j)
{
	struct case_counts total;
	case_groups_total(&j->groups, &total);
	json_t *groups = json_array();
	for (size_t i = 0; i < j->groups.count; i++) {
		json_t *g = group_head_json(&j->groups.items[i], j->dim);
		json_object_update_new(g, figures_json(&j->groups.items[i].counts));
		json_array_append_new(groups, g);
	}
	/* The grids' totals would leave out cases above the grids: the
	 * answer's totals always come from a partition. */
	if (j->dim == CASE_BY_GRID)
		case_groups_total(&j->departments, &total);
	char from[11], to[11], now[32];
	figures_format_date(figures_local_day(j->q.from), from);
	figures_format_date(figures_local_day(j->q.to - 1), to);
	time_format(j->q.now, now);
	const struct case_groups *departments = j->dim == CASE_BY_DEPARTMENT ? &j->groups : &j->departments;
	const struct case_groups *grids = j->dim == CASE_BY_GRID ? &j->groups : &j->grids;
	return json_pack("{s:o, s:s, s:s, s:s, s:s?, s:s, s:o, s:o, s:{s:o, s:o, s:{s:s, s:s}}}", "area",
			 area_ref_json(&j->q.area), "from", from, "to", to, "group_by", dim_names[j->dim], "period",
			 j->dim == CASE_BY_PERIOD ? period_names[j->q.period] : NULL, "generated_at", now, "totals",
			 figures_json(&total), "groups", groups, "rankings", "departments", ranking_json(departments, false),
			 "grids", ranking_json(grids, true), "method", "zh", method_zh, "en", method_en);
}

/* ---- spreadsheets ---- */

enum sheet_kind { SHEET_TEXT, SHEET_COUNT, SHEET_RATE, SHEET_HOURS };

static const struct {
	const char *header;
	enum sheet_kind kind;
} sheet_columns[] = {
	{"编码", SHEET_TEXT},         {"名称", SHEET_TEXT},           {"受理量", SHEET_COUNT},
	{"待派单", SHEET_COUNT},      {"待签收", SHEET_COUNT},        {"办理中", SHEET_COUNT},
	{"已退单", SHEET_COUNT},      {"已办结", SHEET_COUNT},        {"已评价", SHEET_COUNT},
	{"已关闭", SHEET_COUNT},      {"在办", SHEET_COUNT},          {"超期", SHEET_COUNT},
	{"及时签收率", SHEET_RATE},   {"按时办结率", SHEET_RATE},     {"解决率", SHEET_RATE},
	{"部分解决", SHEET_COUNT},    {"满意率", SHEET_RATE},         {"平均办理时长(小时)", SHEET_HOURS},
	{"重办", SHEET_COUNT},
};
#define SHEET_COLS (sizeof sheet_columns / sizeof sheet_columns[0])

/* One row of cells: strings, integers, reals or null (no value). */
static json_t *sheet_row(const char *code, const char *name, const struct case_counts *c)
{
	struct case_figures f;
	case_figures_compute(c, &f);
	json_t *row = json_pack("[s, s, I]", code, name, (json_int_t)c->received);
	for (int s = 0; s < CASE_STATE_COUNT; s++)
		json_array_append_new(row, json_integer(c->by_state[s]));
	const struct case_rate *rates[] = {&f.response, &f.on_time, &f.resolution};
	json_array_append_new(row, json_integer(case_counts_open(c)));
	json_array_append_new(row, json_integer(case_counts_overdue(c)));
	for (size_t i = 0; i < 3; i++)
		json_array_append_new(row, rates[i]->has ? json_real(rates[i]->value) : json_null());
	json_array_append_new(row, json_integer(c->outcome_partly));
	json_array_append_new(row, f.satisfaction.has ? json_real(f.satisfaction.value) : json_null());
	json_array_append_new(row, f.has_avg_handling ? json_real(f.avg_handling_hours) : json_null());
	json_array_append_new(row, json_integer(c->reopened));
	return row;
}

static json_t *sheet_rows(const struct stats_job *j)
{
	json_t *rows = json_array();
	struct case_counts total;
	case_groups_total(j->dim == CASE_BY_GRID ? &j->departments : &j->groups, &total);
	json_array_append_new(rows, sheet_row("", "合计", &total));
	for (size_t i = 0; i < j->groups.count; i++) {
		const struct case_group *g = &j->groups.items[i];
		char key[24];
		const char *code = g->code, *name = g->name;
		if (j->dim == CASE_BY_DEPARTMENT) {
			snprintf(key, sizeof key, "%lld", (long long)g->id);
			code = g->id ? key : "";
			name = g->id ? g->name : "未派单";
		} else if (j->dim == CASE_BY_AREA && g->self) {
			name = "（本级）";
		} else if (j->dim == CASE_BY_SOURCE || j->dim == CASE_BY_PERIOD) {
			name = g->code;
		}
		json_array_append_new(rows, sheet_row(code, name, &g->counts));
	}
	return rows;
}

static void csv_text(struct buf *b, const char *s)
{
	/* A cell starting with = + - @ would be a formula: an apostrophe
	 * keeps it text (CSV injection); names come from users. */
	buf_puts(b, "\"");
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
		buf_puts(b, "'");
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_puts(b, "\"");
		buf_append(b, p, 1);
	}
	buf_puts(b, "\"");
}

static void *build_csv(json_t *rows, size_t *len)
{
	struct buf b = {0};
	buf_puts(&b, "\xEF\xBB\xBF"); /* the BOM Excel and WPS need to read UTF-8 */
	for (size_t c = 0; c < SHEET_COLS; c++) {
		if (c)
			buf_puts(&b, ",");
		csv_text(&b, sheet_columns[c].header);
	}
	buf_puts(&b, "\r\n");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		for (size_t c = 0; c < SHEET_COLS; c++) {
			json_t *v = json_array_get(row, c);
			if (c)
				buf_puts(&b, ",");
			if (json_is_string(v))
				csv_text(&b, json_string_value(v));
			else if (json_is_integer(v))
				buf_printf(&b, "%lld", (long long)json_integer_value(v));
			else if (json_is_real(v) && sheet_columns[c].kind == SHEET_RATE)
				buf_printf(&b, "%.2f%%", json_real_value(v) * 100);
			else if (json_is_real(v))
				buf_printf(&b, "%.1f", json_real_value(v));
		}
		buf_puts(&b, "\r\n");
	}
	*len = b.len;
	return buf_steal(&b);
}

static void *build_xlsx(json_t *rows, size_t *len)
{
	struct xlsx_out x;
	lxw_workbook *wb = xlsx_out_begin(&x);
	if (!wb)
		return NULL;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "诉求统计");
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	lxw_format *percent = workbook_add_format(wb);
	format_set_num_format(percent, "0.00%");
	lxw_format *hours = workbook_add_format(wb);
	format_set_num_format(hours, "0.0");
	for (size_t c = 0; c < SHEET_COLS; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, sheet_columns[c].header, bold);
	worksheet_set_column(ws, 0, (lxw_col_t)(SHEET_COLS - 1), 12, NULL);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		for (size_t c = 0; c < SHEET_COLS; c++) {
			json_t *v = json_array_get(row, c);
			lxw_row_t r = (lxw_row_t)(i + 1);
			if (json_is_string(v))
				worksheet_write_string(ws, r, (lxw_col_t)c, json_string_value(v), NULL);
			else if (json_is_number(v))
				worksheet_write_number(ws, r, (lxw_col_t)c, json_number_value(v),
						       sheet_columns[c].kind == SHEET_RATE    ? percent
						       : sheet_columns[c].kind == SHEET_HOURS ? hours
											      : NULL);
		}
	}
	return xlsx_out_finish(&x, len);
}

static void reply_sheet(struct http_req *req, const struct stats_job *j, bool csv)
{
	json_t *rows = sheet_rows(j);
	size_t len = 0;
	void *data = csv ? build_csv(rows, &len) : build_xlsx(rows, &len);
	json_decref(rows);
	if (!data) {
		http_reply_error(req, HTTP_ERR_internal_error, NULL, "Cannot write the spreadsheet");
		return;
	}
	http_reply_raw(req, 200,
		       csv ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		       data, len);
	char from[11], to[11], disposition[160];
	figures_format_date(figures_local_day(j->q.from), from);
	figures_format_date(figures_local_day(j->q.to - 1), to);
	snprintf(disposition, sizeof disposition, "attachment; filename=\"case-stats-%s-%s-%s.%s\"",
		 dim_names[j->dim], from, to, csv ? "csv" : "xlsx");
	http_add_header(req, "Content-Disposition", disposition);
}

/* ---- the handler ---- */

static int name_index(const char *const *names, size_t count, const char *name)
{
	for (size_t i = 0; name && i < count; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* Reads from and to (local dates, inclusive) into [q->from, q->to).
 * Defaults: the 30 days ending today. False after answering 400. */
static bool date_params(struct http_req *req, struct case_stats_query *q)
{
	const char *from = http_query(req, "from"), *to = http_query(req, "to");
	int64_t today = figures_local_day(q->now), first, last;
	if (to && !figures_parse_date(to, &last)) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "to", "to is a date, YYYY-MM-DD");
		return false;
	}
	if (!to)
		last = today;
	if (from && !figures_parse_date(from, &first)) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "from", "from is a date, YYYY-MM-DD");
		return false;
	}
	if (!from)
		first = last - (STATS_DEFAULT_DAYS - 1);
	if (first > last) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "from", "from is after to");
		return false;
	}
	if (last - first + 1 > STATS_MAX_DAYS) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "from", "The range is at most three years (%d days)",
				 STATS_MAX_DAYS);
		return false;
	}
	q->from = figures_day_start(first);
	q->to = figures_day_start(last + 1);
	return true;
}

void cases_stats(struct http_req *req)
{
	struct stats_job j = {.caller = identity_caller(req), .q.now = time_now()};
	const char *group_by = http_query(req, "group_by"), *period = http_query(req, "period");
	const char *format = http_query(req, "format");
	int dim = group_by ? name_index(dim_names, CASE_STATS_DIMS, group_by) : CASE_BY_AREA;
	if (dim < 0) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "group_by",
				 "group_by is area, department, category, source, period or grid");
		return;
	}
	j.dim = (enum case_stats_dim)dim;
	int p = period ? name_index(period_names, 3, period) : FIGURES_DAY;
	if (p < 0 || (period && j.dim != CASE_BY_PERIOD)) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "period",
				 p < 0 ? "period is day, week or month" : "period goes with group_by=period");
		return;
	}
	j.q.period = (enum figures_period)p;
	if (format && strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "xlsx")) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "format", "format is json, csv or xlsx");
		return;
	}
	if (!date_params(req, &j.q))
		return;
	j.area_code = http_query(req, "area");
	if (!j.area_code)
		j.area_code = j.caller->scope_code;
	int rc = store_tx(cases_store, STORE_READ, stats_tx, &j);
	if (rc != STORE_OK) {
		if (j.area_missing)
			http_reply_error(req, HTTP_ERR_not_found, "area", "No such area");
		else
			reply_store_failure(req, rc);
	} else if (format && strcmp(format, "json")) {
		reply_sheet(req, &j, strcmp(format, "csv") == 0);
	} else {
		/* Ten significant digits: the rounded figures print as written
		 * (0.95, not 0.94999999999999996). */
		json_t *body = answer_json(&j);
		char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10));
		json_decref(body);
		http_reply_raw(req, 200, "application/json; charset=utf-8", text, strlen(text));
	}
	case_groups_free(&j.groups);
	case_groups_free(&j.departments);
	case_groups_free(&j.grids);
}

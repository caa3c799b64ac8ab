/* Case statistics: GET /api/v1/stats/cases. The store part
 * (stats_store.c) reads raw counts per group; figures.c turns counts into
 * rates and scores; the handler shapes the answer as JSON, CSV or XLSX. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "modules/cases/cases_internal.h"
#include "modules/cases/stats.h"
#include "modules/common/reply.h"
#include "modules/common/xlsx_out.h"
#include "store/scope.h"

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
	/* By area, the default: the children and the grids from one scan. */
	bool both = j->dim == CASE_BY_AREA;
	if (rc == STORE_OK)
		rc = both ? case_stats_children_and_grids(c, &j->q, &j->groups, &j->grids)
			  : case_stats_groups(c, &j->q, j->dim, &j->groups);
	if (rc == STORE_OK && j->dim != CASE_BY_DEPARTMENT)
		rc = case_stats_groups(c, &j->q, CASE_BY_DEPARTMENT, &j->departments);
	if (rc == STORE_OK && j->dim != CASE_BY_GRID && !both)
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

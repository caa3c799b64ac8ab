/* Case statistics, the store part: raw counts per group, read from the
 * aggregates kept on write (tallies.c) with one GROUP BY per dimension,
 * plus one over the overdue cases not yet reminded (and a look-up of the
 * names the groups need): the statements grow neither with the number of
 * groups nor with the history of cases. See stats.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/strmap.h"
#include "core/xalloc.h"
#include "modules/cases/stats.h"
#include "modules/cases/tallies.h"
#include "store/scope.h"

/* ---- the store: raw counts ---- */

/* The counters come from the tallies kept on write (tallies.c): sums over
 * groups of (area, day, department, category, source), never a scan of
 * the cases. "Overdue" depends on the clock: the tallies hold the cases
 * reminded after their due date, and the rest are counted apart (see
 * overdue below). */

/* The tally columns summed, in the order read_counts() reads them:
 * received, then CASE_TALLY_COLUMNS. */
#define SUM_COLUMN(name, field) ", CAST(SUM(t." #name ") AS BIGINT)"
#define SQL_SUMS "CAST(SUM(t.received) AS BIGINT)" CASE_TALLY_COLUMNS(SUM_COLUMN)
/* Rows that cancelled out to nothing (a case moved on to other keys) are
 * no group. */
#define SQL_HAVING " HAVING SUM(t.received) > 0"

/* Four key columns come first in every statement (an id, a code, two
 * names); then the counters. Detail statements read the chosen area's own
 * rows: parameters area id, first day, last day. */
#define SQL_DETAIL_WHERE " WHERE t.area_id = ? AND t.day >= ? AND t.day <= ?"
#define KEY_COLUMNS 4

/* Departments and days from the department rows (migration 0009): at most
 * departments × days, where the detail rows multiply that by categories ×
 * sources. */
static const char sql_by_department[] = "SELECT t.lead_unit_id, '', u.name, '', " SQL_SUMS " FROM case_unit_tallies t"
					" LEFT JOIN units u ON u.id = t.lead_unit_id" SQL_DETAIL_WHERE
					" GROUP BY t.lead_unit_id, u.name" SQL_HAVING;
static const char sql_by_category[] = "SELECT g.sort, t.category_code, g.name_zh, g.name_en, " SQL_SUMS
				      " FROM case_tallies t LEFT JOIN case_categories g ON g.code = t.category_code"
				      SQL_DETAIL_WHERE " GROUP BY t.category_code, g.name_zh, g.name_en, g.sort" SQL_HAVING;
static const char sql_by_source[] = "SELECT 0, t.source, '', '', " SQL_SUMS " FROM case_tallies t" SQL_DETAIL_WHERE
				    " GROUP BY t.source" SQL_HAVING;
static const char sql_by_day[] = "SELECT t.day, '', '', '', " SQL_SUMS " FROM case_unit_tallies t" SQL_DETAIL_WHERE
				 " GROUP BY t.day" SQL_HAVING;
/* Each area of the subtree by its own cases, folded by path in C.
 * Parameters: the subtree (2), first day, last day. */
static const char sql_by_area[] = "SELECT t.area_id, x.path, '', '', " SQL_SUMS
				  " FROM case_area_tallies t JOIN areas x ON x.id = t.area_id WHERE " STORE_IN_SCOPE("x")
				  " AND t.day >= ? AND t.day <= ? GROUP BY t.area_id, x.path" SQL_HAVING;

/* Overdue, the part the tallies cannot hold: the open cases past the due
 * date of their state that no reminder has marked since (the tallies count
 * those reminded after their due date; the timer reminds each within a
 * minute). A partial index of migration 0008 lists exactly these by due
 * date, so this reads the timer's queue, not the workload or the history.
 * The same four key columns, then the two counters. Parameters: now,
 * from, to (twice), the subtree (2). */
#define OVERDUE_ONE(state, due, sign, resolve)                                                                    \
	"SELECT k.area_id, COALESCE(k.lead_unit_id, 0) AS lead_unit_id, k.category_code, k.source,"               \
	" (k.submitted_at + 28800) / 86400 AS day, " sign " AS sign_overdue, " resolve " AS resolve_overdue"       \
	" FROM cases k WHERE k.state = '" state "' AND (k.reminded_at IS NULL OR k.reminded_at <= k." due ")"      \
	" AND k." due " < ? AND k.submitted_at >= ? AND k.submitted_at < ? AND k.merged_into IS NULL"
#define OVERDUE_FROM                                                                                              \
	" FROM (" OVERDUE_ONE("dispatched", "sign_due_at", "1", "0") " UNION ALL "                               \
	OVERDUE_ONE("signed", "resolve_due_at", "0", "1") ") o JOIN areas x ON x.id = o.area_id"
#define OVERDUE_SUMS ", SUM(o.sign_overdue), SUM(o.resolve_overdue)"
#define OVERDUE_WHERE " WHERE " STORE_IN_SCOPE("x")

static const char overdue_by_area[] = "SELECT o.area_id, x.path, '', ''" OVERDUE_SUMS OVERDUE_FROM OVERDUE_WHERE
				      " GROUP BY o.area_id, x.path";
static const char overdue_by_department[] = "SELECT o.lead_unit_id, '', u.name, ''" OVERDUE_SUMS OVERDUE_FROM
					    " LEFT JOIN units u ON u.id = o.lead_unit_id" OVERDUE_WHERE
					    " GROUP BY o.lead_unit_id, u.name";
static const char overdue_by_category[] = "SELECT g.sort, o.category_code, g.name_zh, g.name_en" OVERDUE_SUMS
					  OVERDUE_FROM " LEFT JOIN case_categories g ON g.code = o.category_code"
					  OVERDUE_WHERE " GROUP BY o.category_code, g.name_zh, g.name_en, g.sort";
static const char overdue_by_source[] = "SELECT 0, o.source, '', ''" OVERDUE_SUMS OVERDUE_FROM OVERDUE_WHERE
					" GROUP BY o.source";
static const char overdue_by_day[] = "SELECT o.day, '', '', ''" OVERDUE_SUMS OVERDUE_FROM OVERDUE_WHERE
				     " GROUP BY o.day";

/* The local day (UTC+8) of submission. */
_Static_assert(FIGURES_TZ_OFFSET == 28800, "the overdue statements write the offset out");

/* How a dimension is read: its tally statement (detail rows of the area,
 * or own-area rows of the subtree) and its overdue statement. Groups are
 * matched by id for areas, departments and days, by code otherwise. */
struct dim_sql {
	const char *tallies, *overdue;
	bool subtree, by_code;
};
static const struct dim_sql dim_area = {sql_by_area, overdue_by_area, true, false};
static const struct dim_sql dim_department = {sql_by_department, overdue_by_department, false, false};
static const struct dim_sql dim_category = {sql_by_category, overdue_by_category, false, true};
static const struct dim_sql dim_source = {sql_by_source, overdue_by_source, false, true};
static const struct dim_sql dim_day = {sql_by_day, overdue_by_day, false, false};

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
	out->received = store_col_int(st, col++);
#define TALLY_READ(name, field) out->field = store_col_int(st, col++);
	CASE_TALLY_COLUMNS(TALLY_READ)
#undef TALLY_READ
}

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static void read_key(struct store_stmt *st, struct case_group *g)
{
	g->id = store_col_null(st, 0) ? 0 : store_col_int(st, 0);
	copy_text(g->code, sizeof g->code, store_col_text(st, 1));
	copy_text(g->name, sizeof g->name, store_col_text(st, 2));
	copy_text(g->name_en, sizeof g->name_en, store_col_text(st, 3));
}

static void group_key(const struct case_group *g, bool by_code, char *key, size_t size)
{
	if (by_code)
		snprintf(key, size, "%s", g->code);
	else
		snprintf(key, size, "%lld", (long long)g->id);
}

/* Reads a dimension's groups: the tallies first (every row a group), then
 * the overdue cases not yet reminded added to the groups with the same key
 * (such a case is counted in the tallies too, so its group exists; should
 * it not, it is added). */
static int scan(struct store_conn *c, const struct dim_sql *d, const struct case_stats_query *q,
		struct case_groups *out)
{
	struct store_scope scope = {.area_id = q->area.id};
	copy_text(scope.path, sizeof scope.path, q->area.path);
	struct store_stmt *st = store_prepare(c, d->tallies);
	if (!st)
		return STORE_ERROR;
	int i = 1;
	if (d->subtree) {
		store_bind_scope(st, i, &scope);
		i += 2;
	} else {
		store_bind_int(st, i++, q->area.id);
	}
	store_bind_int(st, i++, figures_local_day(q->from));
	store_bind_int(st, i, figures_local_day(q->to - 1));
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct case_group *g = group_add(out);
		read_key(st, g);
		read_counts(st, &g->counts);
	}
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;

	struct strmap index = {0};
	char key[sizeof out->items[0].code];
	for (size_t n = 0; n < out->count; n++) {
		group_key(&out->items[n], d->by_code, key, sizeof key);
		strmap_put(&index, key, (int64_t)n);
	}
	if (!(st = store_prepare(c, d->overdue))) {
		strmap_free(&index);
		return STORE_ERROR;
	}
	for (i = 1; i <= 4; i += 3) {
		store_bind_int(st, i, q->now);
		store_bind_int(st, i + 1, q->from);
		store_bind_int(st, i + 2, q->to);
	}
	store_bind_scope(st, 7, &scope);
	while ((rc = store_step(st)) == STORE_ROW) {
		struct case_group probe;
		read_key(st, &probe);
		group_key(&probe, d->by_code, key, sizeof key);
		int64_t at;
		struct case_group *g;
		if (strmap_get(&index, key, &at)) {
			g = &out->items[at];
		} else {
			g = group_add(out);
			*g = probe;
			memset(&g->counts, 0, sizeof g->counts);
			strmap_put(&index, key, (int64_t)(out->count - 1));
		}
		g->counts.sign_overdue += store_col_int(st, KEY_COLUMNS);
		g->counts.resolve_overdue += store_col_int(st, KEY_COLUMNS + 1);
	}
	store_reset(st);
	strmap_free(&index);
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

/* Folds the per-area rows of one scan into the chosen area's children (or
 * into the grids of its subtree). */
static int fold_areas(struct store_conn *c, const struct case_stats_query *q, bool grids,
		      const struct case_groups *rows, struct case_groups *out)
{
	struct strmap index = {0};
	int rc = load_areas(c, q, grids, out, &index);
	struct case_group *self = NULL;
	size_t path_len = strlen(q->area.path);
	for (size_t i = 0; rc == STORE_OK && i < rows->count; i++) {
		const char *path = rows->items[i].code;
		/* For children, look only below the chosen area's own path: an
		 * ancestor's id never names a child. */
		int64_t at = fold_target(grids ? path : path + (strlen(path) >= path_len ? path_len : 0), &index);
		if (at >= 0) {
			case_counts_add(&out->items[at].counts, &rows->items[i].counts);
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
			case_counts_add(&self->counts, &rows->items[i].counts);
		}
	}
	strmap_free(&index);
	return rc;
}

/* One scan of the subtree's per-area rows, folded into the children and,
 * when grids is not NULL, into the grids too: the scan is most of the cost
 * of the figures, and the default answer needs both. */
static int groups_by_areas(struct store_conn *c, const struct case_stats_query *q, struct case_groups *children,
			   struct case_groups *grids)
{
	struct case_groups rows = {0};
	int rc = scan(c, &dim_area, q, &rows);
	if (rc == STORE_OK && children)
		rc = fold_areas(c, q, false, &rows, children);
	if (rc == STORE_OK && grids)
		rc = fold_areas(c, q, true, &rows, grids);
	case_groups_free(&rows);
	return rc;
}

/* Local days folded into days, weeks or months, every period of the range
 * listed (a chart needs its empty days too). */
static int groups_by_period(struct store_conn *c, const struct case_stats_query *q, struct case_groups *out)
{
	struct case_groups days = {0};
	int rc = scan(c, &dim_day, q, &days);
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
		return groups_by_areas(c, q, out, NULL);
	case CASE_BY_GRID:
		return groups_by_areas(c, q, NULL, out);
	case CASE_BY_PERIOD:
		return groups_by_period(c, q, out);
	case CASE_BY_DEPARTMENT:
		rc = scan(c, &dim_department, q, out);
		groups_sort(out, by_name);
		return rc;
	case CASE_BY_CATEGORY:
		rc = scan(c, &dim_category, q, out);
		groups_sort(out, by_sort);
		return rc;
	case CASE_BY_SOURCE:
		rc = scan(c, &dim_source, q, out);
		groups_sort(out, by_code);
		return rc;
	default:
		WG_BUG("unknown case statistics dimension %d", (int)dim);
		return STORE_ERROR;
	}
}

int case_stats_children_and_grids(struct store_conn *c, const struct case_stats_query *q,
				  struct case_groups *children, struct case_groups *grids)
{
	children->count = grids->count = 0; /* a retried transaction starts over */
	return groups_by_areas(c, q, children, grids);
}

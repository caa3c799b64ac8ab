/* The shapes of GET /api/v1/cases (list_shape.h), and why each reads as it
 * does. The plans were checked with EXPLAIN QUERY PLAN on SQLite without
 * statistics (the server never runs ANALYZE: its plans must not change
 * with what a database happens to hold) and with EXPLAIN on PostgreSQL.
 *
 * By area: the page's ids come from a subquery that walks the areas in
 * range and, in each, the index cases_area (area_id, state, id) backwards
 * from the cursor. Each (area, state) pair then yields ids newest first,
 * so SQLite's sorter for ORDER BY id DESC LIMIT n stops reading a pair as
 * soon as its ids fall below the n-th best so far: the cost is about the
 * number of (area, state) pairs plus n, whatever the history holds. That
 * is why the state is always constrained, to the one asked for or to every
 * state there is. "areas sa CROSS JOIN cases s" keeps SQLite from starting
 * at an index that leads with state (cases_state_*, which its default
 * estimates prefer and which hold the whole county); PostgreSQL reads
 * CROSS JOIN as an inner join and plans it from its statistics. Only the
 * page's ids are sorted (the index covers them); the columns and joins are
 * read for those n rows alone.
 *
 * By unit: the department's own cases by cases_lead (lead_unit_id, state,
 * id) the same way, and the cases it was called into by case_units_unit
 * (unit_id, case_id) newest first, each cut to a page before the union.
 * The sorter's early stop applies to the innermost loop only, so the
 * area range is a set of ids (IN_AREAS) rather than a join.
 *
 * By reporter: cases_reporter (reporter_user_id, id) already yields the
 * order; a resident's cases are few. */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/cases/lifecycle.h"
#include "modules/cases/list_shape.h"
#include "store/scope.h"

static struct list_shape shapes[LIST_BASES][LIST_FILTERS];
static pthread_once_t shapes_once = PTHREAD_ONCE_INIT;
static char every_state[256]; /* "'submitted', 'dispatched', ..." */

/* A shape that does not fit its buffer is our bug, found on the first
 * request of any test run: stop rather than run a truncated statement. */
static void shape_put(struct list_shape *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void shape_put(struct list_shape *s, const char *fmt, ...)
{
	size_t len = strlen(s->sql);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->sql + len, sizeof s->sql - len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof s->sql - len) {
		fprintf(stderr, "list_shape: statement longer than LIST_SQL_MAX\n");
		abort();
	}
}

static void shape_bind(struct list_shape *s, enum list_bind b)
{
	if (s->nbinds == LIST_BINDS_MAX) {
		fprintf(stderr, "list_shape: more than LIST_BINDS_MAX parameters\n");
		abort();
	}
	s->binds[s->nbinds++] = (unsigned char)b;
}

/* Text and the parameter its one '?' stands for, in one call. */
static void shape_param(struct list_shape *s, const char *text, enum list_bind b)
{
	shape_put(s, "%s", text);
	shape_bind(s, b);
}

/* The filters on cases alias x. all_states: constrain the state even when
 * none was asked for, so that an index (…, state, id) yields ids in order. */
static void shape_filters(struct list_shape *s, const char *x, unsigned filters, bool all_states)
{
	if (filters & LIST_STATE) {
		shape_put(s, " AND %s.state = ?", x);
		shape_bind(s, LIST_BIND_STATE);
	} else if (all_states) {
		shape_put(s, " AND %s.state IN (%s)", x, every_state);
	}
	if (filters & LIST_CATEGORY) {
		shape_put(s, " AND %s.category_code = ?", x);
		shape_bind(s, LIST_BIND_CATEGORY);
	}
	if (filters & LIST_SOURCE) {
		shape_put(s, " AND %s.source = ?", x);
		shape_bind(s, LIST_BIND_SOURCE);
	}
	if (filters & LIST_TEXT) {
		shape_put(s, " AND (%s.title LIKE ? OR %s.description LIKE ? OR %s.address LIKE ?)", x, x, x);
		for (int i = 0; i < 3; i++)
			shape_bind(s, LIST_BIND_TEXT);
	}
}

#define LIST_FROM LIST_COLS " FROM cases c JOIN areas a ON a.id = c.area_id" LIST_JOINS
#define IN_RANGE(alias) " AND (" alias ".path >= ? AND " alias ".path < ?)"
/* The range as a set of area ids: no join, so that the cases are the inner
 * loop, the one SQLite's sorter can cut short. */
#define IN_AREAS(alias) " AND " alias ".area_id IN (SELECT sa.id FROM areas sa WHERE sa.path >= ? AND sa.path < ?)"

static void build_by_area(struct list_shape *s, unsigned filters)
{
	shape_param(s, LIST_FROM, LIST_BIND_USER);
	shape_param(s, " WHERE c.id IN (SELECT s.id FROM areas sa CROSS JOIN cases s WHERE " STORE_IN_SCOPE("sa"),
		    LIST_BIND_SCOPE);
	shape_param(s, IN_RANGE("sa"), LIST_BIND_RANGE);
	shape_put(s, " AND s.area_id = sa.id");
	shape_filters(s, "s", filters, true);
	shape_param(s, " AND s.id < ?", LIST_BIND_CURSOR);
	shape_param(s, " ORDER BY s.id DESC LIMIT ?", LIST_BIND_LIMIT);
	shape_put(s, ") ORDER BY c.id DESC");
}

static void build_by_unit(struct list_shape *s, unsigned filters)
{
	shape_param(s, LIST_FROM, LIST_BIND_USER);
	shape_param(s, " WHERE c.id IN (SELECT l.id FROM (SELECT s.id FROM cases s WHERE s.lead_unit_id = ?", LIST_BIND_UNIT);
	shape_filters(s, "s", filters, true);
	shape_param(s, " AND s.id < ?", LIST_BIND_CURSOR);
	shape_param(s, IN_AREAS("s"), LIST_BIND_RANGE);
	shape_param(s, " ORDER BY s.id DESC LIMIT ?", LIST_BIND_LIMIT);
	shape_param(s, ") l UNION SELECT w.id FROM (SELECT s.id FROM case_units x CROSS JOIN cases s WHERE x.unit_id = ?",
		    LIST_BIND_UNIT);
	shape_param(s, " AND x.case_id < ?", LIST_BIND_CURSOR);
	shape_put(s, " AND s.id = x.case_id");
	shape_param(s, IN_AREAS("s"), LIST_BIND_RANGE);
	shape_filters(s, "s", filters, false);
	shape_param(s, " ORDER BY x.case_id DESC LIMIT ?", LIST_BIND_LIMIT);
	shape_param(s, ") w) ORDER BY c.id DESC LIMIT ?", LIST_BIND_LIMIT);
}

static void build_by_reporter(struct list_shape *s, unsigned filters)
{
	shape_param(s, LIST_FROM, LIST_BIND_USER);
	shape_param(s, " WHERE c.reporter_user_id = ?", LIST_BIND_USER);
	shape_filters(s, "c", filters, false);
	shape_param(s, IN_RANGE("a"), LIST_BIND_RANGE);
	shape_param(s, " AND c.id < ?", LIST_BIND_CURSOR);
	shape_param(s, " ORDER BY c.id DESC LIMIT ?", LIST_BIND_LIMIT);
}

/* The parameters the binds stand for must be the '?' of the text. */
static void shape_check(const struct list_shape *s)
{
	int marks = 0, params = 0;
	for (const char *p = s->sql; *p; p++)
		marks += *p == '?';
	for (int i = 0; i < s->nbinds; i++)
		params += s->binds[i] == LIST_BIND_SCOPE || s->binds[i] == LIST_BIND_RANGE ? 2 : 1;
	if (marks != params) {
		fprintf(stderr, "list_shape: %d parameters in the text, %d bound: %s\n", marks, params, s->sql);
		abort();
	}
}

static void shapes_build(void)
{
	size_t len = 0;
	for (int i = 0; i < CASE_STATE_COUNT; i++)
		len += (size_t)snprintf(every_state + len, sizeof every_state - len, "%s'%s'", i ? ", " : "",
					case_state_name((enum case_state)i));
	if (len >= sizeof every_state)
		abort();
	for (unsigned f = 0; f < LIST_FILTERS; f++) {
		build_by_area(&shapes[LIST_BY_AREA][f], f);
		build_by_unit(&shapes[LIST_BY_UNIT][f], f);
		build_by_reporter(&shapes[LIST_BY_REPORTER][f], f);
		for (int b = 0; b < LIST_BASES; b++)
			shape_check(&shapes[b][f]);
	}
}

const struct list_shape *list_shape_get(enum list_base base, unsigned filters)
{
	pthread_once(&shapes_once, shapes_build);
	return &shapes[base][filters & (LIST_FILTERS - 1)];
}

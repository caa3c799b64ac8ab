/* Case statistics: raw counts of cases per group, read from the store, and
 * the handler of GET /api/v1/stats/cases. The counts are plain sums
 * (struct case_counts), read from the aggregates kept on write
 * (tallies.h), so their cost follows the number of groups and days, not
 * of cases. */
#ifndef WG_CASES_STATS_H
#define WG_CASES_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "modules/cases/figures.h"
#include "modules/identity/identity.h"
#include "store/scope.h"
#include "store/store.h"

/* GET /api/v1/stats/cases (permission cases.stats). Query parameters:
 * area, from, to, group_by, period, format. */
void cases_stats(struct http_req *req);
/* Its declared query parameters, NULL-terminated, for the route table. */
extern const char *const cases_stats_query[];

enum case_stats_dim {
	CASE_BY_AREA,       /* the children of the chosen area (+ the area itself) */
	CASE_BY_DEPARTMENT, /* lead_unit_id; id 0: not yet dispatched to one */
	CASE_BY_CATEGORY,
	CASE_BY_SOURCE,
	CASE_BY_PERIOD,     /* local days, weeks or months of [from, to] */
	CASE_BY_GRID,       /* grid-level areas of the subtree; cases above grids are in none */
	CASE_STATS_DIMS,
};

/* What to count: cases submitted in [from, to) whose area lies in the
 * subtree of area, not merged into another. */
struct case_stats_query {
	struct area_ref area;
	int64_t from, to;          /* starts of local days (the tallies count by day); to excluded */
	int64_t now;               /* "overdue" is judged at this instant */
	enum figures_period period; /* CASE_BY_PERIOD */
};

/* One group of a dimension. Which key fields are set depends on it:
 * area and grid: id, code (the area's), name, level; department: id (0 for
 * none), name; category: code, name, name_en; source: code; period: id (the
 * first local day, maybe before from), code (its label), first_day and
 * last_day. */
struct case_group {
	int64_t id;
	char code[STORE_PATH_MAX]; /* area rows of a scan carry their path here */
	char name[AREA_NAME_MAX * 4 + 1];
	char name_en[128];
	int level;
	bool self;        /* area: cases filed on the chosen area itself */
	int64_t first_day, last_day; /* period: its local days inside [from, to] */
	struct case_counts counts;
};

struct case_groups {
	struct case_group *items; /* owned; free with case_groups_free */
	size_t count, cap;
};
void case_groups_free(struct case_groups *g);

/* Reads the groups of dim into out (emptied first), in the order of the
 * answer: areas by code, periods by date, departments by name, categories
 * by their sort order, sources by code. Groups without a case are listed
 * only where the request fixes the set (the children of the area, the
 * periods of the range); grids and departments without an outcome are
 * still listed. A bounded number of statements, whatever the number of
 * groups. Returns a store_rc (STORE_OK). */
int case_stats_groups(struct store_conn *c, const struct case_stats_query *q, enum case_stats_dim dim,
		      struct case_groups *out);
/* CASE_BY_AREA and CASE_BY_GRID at once, from one scan of the subtree. */
int case_stats_children_and_grids(struct store_conn *c, const struct case_stats_query *q,
				  struct case_groups *children, struct case_groups *grids);

/* The totals of a dimension that partitions the cases (every one but
 * CASE_BY_GRID): the sum of its groups. */
void case_groups_total(const struct case_groups *g, struct case_counts *out);

#endif

/* The demo town as the case simulation (demo.c) sees it: areas, units,
 * users, limits, calendar and rules, loaded (rules written first when
 * missing) by demo_town.c. Internal to the demo. */
#ifndef WG_CASES_DEMO_TOWN_H
#define WG_CASES_DEMO_TOWN_H

#include "modules/cases/cases.h"
#include "modules/cases/cases_internal.h"
#include "modules/cases/demo_case.h"
#include "modules/cases/demo_data.h"

#define DEMO_MAX_GRIDS 4096
#define DEMO_MAX_UNITS 256

struct demo_rng {
	uint64_t state;
};

/* What the town offers the simulation. */

struct demo_unit_row {
	int64_t id;
	char name[64], contact[32];
};

struct demo_grid_row {
	int64_t id;
	char name[96];
	bool focus; /* in the demo staff's community */
	bool own;   /* the demo grid worker's grid */
};

struct demo_rule {
	bool present, automatic;
	int64_t lead;
	size_t nco;
	int64_t co[DEMO_MAX_CO];
};

struct demo_user_row {
	int64_t id;
	char name[64];
	char path[STORE_PATH_MAX];
};

struct demo_ctx {
	const struct vault *vault;
	const struct cases_demo_options *o;
	struct cases_demo_report *out;
	struct demo_rng rng;
	int64_t now;
	struct store_scope town, focus;
	const struct workcal *cal;
	struct case_limits limits[DEMO_CATEGORY_COUNT];
	struct demo_rule rules[DEMO_CATEGORY_COUNT];
	struct demo_unit_row units[DEMO_MAX_UNITS];
	size_t nunits;
	struct demo_grid_row *grids;
	size_t ngrids, nfocus;
	int64_t fallback_unit; /* the town government: where unrouted cases go */
	struct demo_user_row staff, commander, grid, resident, handler;
	int64_t handler_unit;
	/* merges: per category, the latest case so far and when it closed */
	long last_of[DEMO_CATEGORY_COUNT];
	int64_t last_closed[DEMO_CATEGORY_COUNT];
	int64_t *ids; /* database id of every case made so far, by index */
};

/* The unit of that name or id, or 0/NULL. */
int64_t demo_unit_by_name(const struct demo_ctx *x, const char *name);
const struct demo_unit_row *demo_unit_row_of(const struct demo_ctx *x, int64_t id);
/* A store_tx callback (arg: the demo_ctx): loads everything, writes the
 * missing rules, counts the town's cases. STORE_ABORT: no such town or a
 * category missing. */
int demo_prepare_tx(struct store_conn *c, void *arg);

#endif

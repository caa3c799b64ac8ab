/* Loading the demo town for the case simulation, and writing its routing
 * rules: one per category at the town, by unit name. See demo_town.h. */
#include <stdio.h>
#include <string.h>

#include "modules/cases/demo_town.h"

static const char sql_area[] = "SELECT id, path FROM areas WHERE code = ?";
static const char sql_grids[] = "SELECT a.id, a.name, a.path FROM areas a WHERE a.level = 5 AND " STORE_IN_SCOPE("a")
				 " ORDER BY a.path";
static const char sql_units[] = "SELECT id, name, contact_name FROM units ORDER BY id";
static const char sql_user[] = "SELECT u.id, u.display_name, a.path, COALESCE(u.unit_id, 0) FROM users u"
			       " JOIN areas a ON a.id = u.area_id WHERE u.login = ?";
static const char sql_count_cases[] =
	"SELECT COUNT(*) FROM cases k JOIN areas a ON a.id = k.area_id WHERE " STORE_IN_SCOPE("a");
static const char sql_rule_insert[] =
	"INSERT INTO case_routes (category_code, area_id, lead_unit_id, auto, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (category_code, area_id) DO NOTHING RETURNING id";
static const char sql_rule_co_insert[] = "INSERT INTO case_route_co_units (route_id, unit_id) VALUES (?, ?)";
static const char sql_rules[] = "SELECT r.id, r.category_code, r.lead_unit_id, r.auto FROM case_routes r"
				" WHERE r.area_id = ?";
static const char sql_rule_co[] = "SELECT unit_id FROM case_route_co_units WHERE route_id = ? ORDER BY unit_id";

int64_t demo_unit_by_name(const struct demo_ctx *x, const char *name)
{
	for (size_t i = 0; i < x->nunits; i++)
		if (strcmp(x->units[i].name, name) == 0)
			return x->units[i].id;
	return 0;
}

const struct demo_unit_row *demo_unit_row_of(const struct demo_ctx *x, int64_t id)
{
	for (size_t i = 0; i < x->nunits; i++)
		if (x->units[i].id == id)
			return &x->units[i];
	return NULL;
}

static int area_of(struct store_conn *c, const char *code, struct store_scope *out)
{
	struct store_stmt *st = store_prepare(c, sql_area);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, code);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		out->area_id = store_col_int(st, 0);
		snprintf(out->path, sizeof out->path, "%s", store_col_text(st, 1));
	}
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* A demo user, when there is one (an operator may have removed it). */
static int user_of(struct store_conn *c, const char *login, struct demo_user_row *out, int64_t *unit)
{
	memset(out, 0, sizeof *out);
	if (!login)
		return STORE_OK;
	struct store_stmt *st = store_prepare(c, sql_user);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, login);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		out->id = store_col_int(st, 0);
		snprintf(out->name, sizeof out->name, "%s", store_col_text(st, 1));
		snprintf(out->path, sizeof out->path, "%s", store_col_text(st, 2));
		if (unit)
			*unit = store_col_int(st, 3);
	}
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

static int count_cases(struct store_conn *c, const struct store_scope *town, size_t *n)
{
	struct store_stmt *st = store_prepare(c, sql_count_cases);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, town);
	int rc = store_step(st);
	*n = rc == STORE_ROW ? (size_t)store_col_int(st, 0) : 0;
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* The rules: one per category at the town, unless the town has one for it
 * already (an operator's or an earlier run's, left as it is). */
static int rules_write(struct store_conn *c, struct demo_ctx *x)
{
	int64_t now = x->now;
	for (size_t i = 0; i < demo_rule_count; i++) {
		const struct demo_rule_spec *r = &demo_rules[i];
		int64_t lead = demo_unit_by_name(x, r->lead);
		if (!lead)
			continue; /* not this town's units: no rule rather than a wrong one */
		struct store_stmt *st = store_prepare(c, sql_rule_insert);
		if (!st)
			return STORE_ERROR;
		store_bind_text(st, 1, r->category);
		store_bind_int(st, 2, x->town.area_id);
		store_bind_int(st, 3, lead);
		store_bind_int(st, 4, r->automatic ? 1 : 0);
		store_bind_int(st, 5, now);
		store_bind_int(st, 6, now);
		int rc = store_step(st);
		int64_t route = rc == STORE_ROW ? store_col_int(st, 0) : 0;
		store_reset(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return rc;
		if (!route)
			continue;
		x->out->rules_created++;
		for (size_t k = 0; k < DEMO_MAX_CO && r->co[k]; k++) {
			int64_t unit = demo_unit_by_name(x, r->co[k]);
			if (!unit || unit == lead)
				continue;
			if (!(st = store_prepare(c, sql_rule_co_insert)))
				return STORE_ERROR;
			store_bind_int(st, 1, route);
			store_bind_int(st, 2, unit);
			rc = store_step(st);
			store_reset(st);
			if (rc != STORE_DONE)
				return rc;
		}
	}
	return STORE_OK;
}

/* The town's rules as the cases will follow them. */
static int rules_load(struct store_conn *c, struct demo_ctx *x)
{
	struct store_stmt *st = store_prepare(c, sql_rules);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, x->town.area_id);
	int rc;
	int64_t routes[DEMO_CATEGORY_COUNT];
	while ((rc = store_step(st)) == STORE_ROW) {
		x->out->rules++;
		for (size_t k = 0; k < DEMO_CATEGORY_COUNT; k++)
			if (strcmp(demo_categories[k].code, store_col_text(st, 1)) == 0) {
				x->rules[k] = (struct demo_rule){.present = true, .lead = store_col_int(st, 2),
								 .automatic = store_col_int(st, 3) != 0};
				routes[k] = store_col_int(st, 0);
			}
	}
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	for (size_t k = 0; k < DEMO_CATEGORY_COUNT; k++) {
		if (!x->rules[k].present)
			continue;
		if (!(st = store_prepare(c, sql_rule_co)))
			return STORE_ERROR;
		store_bind_int(st, 1, routes[k]);
		while ((rc = store_step(st)) == STORE_ROW)
			if (x->rules[k].nco < DEMO_MAX_CO)
				x->rules[k].co[x->rules[k].nco++] = store_col_int(st, 0);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

/* Everything the simulation reads: areas, units, users, limits, calendar,
 * rules (written first when missing), and whether cases exist. */
int demo_prepare_tx(struct store_conn *c, void *arg)
{
	struct demo_ctx *x = arg;
	x->out->rules = x->out->rules_created = 0;
	x->nunits = x->ngrids = x->nfocus = 0;
	int rc = area_of(c, x->o->town_code, &x->town);
	if (rc != STORE_OK)
		return rc == STORE_DONE ? STORE_ABORT : rc;
	x->focus.path[0] = '\0';
	if (x->o->focus_code && (rc = area_of(c, x->o->focus_code, &x->focus)) != STORE_OK && rc != STORE_DONE)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_units);
	if (!st)
		return STORE_ERROR;
	while ((rc = store_step(st)) == STORE_ROW && x->nunits < DEMO_MAX_UNITS) {
		struct demo_unit_row *u = &x->units[x->nunits++];
		u->id = store_col_int(st, 0);
		snprintf(u->name, sizeof u->name, "%s", store_col_text(st, 1));
		snprintf(u->contact, sizeof u->contact, "%s", store_col_text(st, 2));
	}
	store_reset(st);
	if (rc != STORE_DONE && rc != STORE_ROW)
		return rc;
	x->fallback_unit = demo_unit_by_name(x, demo_fallback_unit);
	if ((rc = user_of(c, x->o->staff_login, &x->staff, NULL)) != STORE_OK ||
	    (rc = user_of(c, x->o->commander_login, &x->commander, NULL)) != STORE_OK ||
	    (rc = user_of(c, x->o->grid_login, &x->grid, NULL)) != STORE_OK ||
	    (rc = user_of(c, x->o->resident_login, &x->resident, NULL)) != STORE_OK ||
	    (rc = user_of(c, x->o->handler_login, &x->handler, &x->handler_unit)) != STORE_OK)
		return rc;
	if (!(st = store_prepare(c, sql_grids)))
		return STORE_ERROR;
	store_bind_scope(st, 1, &x->town);
	while ((rc = store_step(st)) == STORE_ROW && x->ngrids < DEMO_MAX_GRIDS) {
		struct demo_grid_row *g = &x->grids[x->ngrids++];
		const char *path = store_col_text(st, 2);
		g->id = store_col_int(st, 0);
		snprintf(g->name, sizeof g->name, "%s", store_col_text(st, 1));
		g->focus = x->focus.path[0] && store_path_in_scope(&x->focus, path);
		g->own = x->grid.id && strcmp(path, x->grid.path) == 0;
		x->nfocus += g->focus;
	}
	store_reset(st);
	if (rc != STORE_DONE && rc != STORE_ROW)
		return rc;
	for (size_t k = 0; k < DEMO_CATEGORY_COUNT; k++)
		if ((rc = case_category_limits(c, demo_categories[k].code, &x->limits[k])) != STORE_OK)
			return rc == STORE_DONE ? STORE_ABORT : rc;
	if (!(x->cal = cases_calendar(c)))
		return STORE_ERROR;
	memset(x->rules, 0, sizeof x->rules);
	if ((rc = rules_write(c, x)) != STORE_OK || (rc = rules_load(c, x)) != STORE_OK)
		return rc;
	return count_cases(c, &x->town, &x->out->cases_before);
}

/* ---- one case, simulated ---- */


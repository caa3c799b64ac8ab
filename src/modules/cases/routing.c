/* The choice among routing rules (pure). The store finds the candidates
 * (case_routes.c: case_route_find); this file decides, so that the rule
 * "deepest area first, then the closest category" is tested without a
 * database. */
#include "modules/cases/cases_internal.h"

/* Whether a beats b. The area comes first because the department that
 * owns a place knows it best: a community's rule for all 民生服务 beats the
 * county's rule for 供水. Rules are unique per (category, area), so two
 * candidates never tie on both depths; the route id breaks a tie anyway,
 * so the answer never depends on the order the store returned them in. */
static bool route_beats(const struct case_route_candidate *a, const struct case_route_candidate *b)
{
	if (a->area_depth != b->area_depth)
		return a->area_depth > b->area_depth;
	if (a->category_depth != b->category_depth)
		return a->category_depth < b->category_depth;
	return a->route_id < b->route_id;
}

int case_route_pick(const struct case_route_candidate *cands, size_t n)
{
	int best = -1;
	for (size_t i = 0; i < n; i++)
		if (best < 0 || route_beats(&cands[i], &cands[best]))
			best = (int)i;
	return best;
}

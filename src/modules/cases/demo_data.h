/* What the demo's cases are made of (demo.c): categories with their
 * shares and words, and the town's routing rules by unit name (the units
 * of src/cli/demo_names.c). Data only, so it reads at a glance. */
#ifndef WG_CASES_DEMO_DATA_H
#define WG_CASES_DEMO_DATA_H

#include <stdbool.h>
#include <stddef.h>

#define DEMO_CATEGORY_COUNT 15
#define DEMO_TEXTS 3

struct demo_category {
	const char *code;
	unsigned weight;          /* share of the cases, per mille */
	unsigned urgent_permille; /* cases urgent beyond the category's default */
	const char *titles[DEMO_TEXTS];
	const char *details[DEMO_TEXTS];
	const char *results[DEMO_TEXTS];
};
extern const struct demo_category demo_categories[DEMO_CATEGORY_COUNT];

struct demo_rule_spec {
	const char *category;
	const char *lead;  /* a unit's name */
	bool automatic;
	const char *co[2]; /* co-handling units' names, NULL-terminated */
};
extern const struct demo_rule_spec demo_rules[];
extern const size_t demo_rule_count;

/* Where cases without a rule, and returned ones, are dispatched. */
extern const char demo_fallback_unit[];
extern const char demo_second_unit[];

extern const char *const demo_co_replies[];
extern const size_t demo_co_reply_count;
extern const char *const demo_reporter_titles[2];

#endif

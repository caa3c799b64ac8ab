/* What `wangge demo` draws its town from: the places, the units, and the
 * pools of surnames, given-name characters, ID regions and phone prefixes.
 * Pure data, kept apart from the generator (cmd_demo.c) so the tables can be
 * read, and changed, at a glance. Every name of a person, village, unit or
 * company here is invented; only the administrative codes of the city,
 * county, town and the ID regions are real, so the ID numbers look right. */
#ifndef WG_CLI_DEMO_NAMES_H
#define WG_CLI_DEMO_NAMES_H

#include <stddef.h>

/* The fixed top of the demo tree, under the root 000000. */
#define DEMO_CITY_CODE "630200"
#define DEMO_CITY_NAME "海东市"
#define DEMO_COUNTY_CODE "630223"
#define DEMO_COUNTY_NAME "互助土族自治县"
#define DEMO_TOWN_CODE "630223100"
#define DEMO_TOWN_NAME "西口回族镇"

/* A village (村) or community (社区) of the town: its code is the town's
 * code + suffix; grids of a community hold 2-6 buildings each. */
struct demo_village {
	const char *suffix; /* "001" */
	const char *name;
	int community;      /* 1: 社区 (buildings, flat addresses); 0: 村 (社 and house numbers) */
	int grids;
};
extern const struct demo_village demo_villages[];
extern const size_t demo_village_count; /* 10; their grids add up to 221 */

/* A department or stationed unit. area: "county", "town", or a village
 * suffix ("001"). positions: the head's title, then the staff titles the
 * roster cycles through, ending with NULL. */
struct demo_unit {
	const char *name;
	const char *type; /* "department" or "unit" */
	const char *area;
	int roster;       /* members at scale 1 (5-40) */
	const char *positions[5];
};
extern const struct demo_unit demo_units[];
extern const size_t demo_unit_count;

/* Surnames with weights, Qinghai-flavoured (马, 韩, 冶 for the Hui town,
 * 祁, 鲁, 星 for the Tu county). */
struct demo_weighted {
	const char *text;
	unsigned weight;
};
extern const struct demo_weighted demo_surnames[];
extern const size_t demo_surname_count;

/* Given-name characters as one UTF-8 string each: every character is 3
 * bytes (all are CJK of the Basic Multilingual Plane), so character i is
 * the 3 bytes at 3 * i. By sex and by era (born before 1975 or after). */
extern const char demo_given_male_old[];
extern const char demo_given_male_young[];
extern const char demo_given_female_old[];
extern const char demo_given_female_young[];

/* Six-digit regions of ID numbers: this county's neighbours in Qinghai,
 * and places in other provinces (Gansu mostly) for 外省来人. */
extern const char *const demo_regions_qinghai[];
extern const size_t demo_regions_qinghai_count;
extern const char *const demo_regions_other[];
extern const size_t demo_regions_other_count;

/* Three-digit prefixes of mainland mobile numbers. */
extern const char *const demo_mobile_prefixes[];
extern const size_t demo_mobile_prefix_count;

#endif

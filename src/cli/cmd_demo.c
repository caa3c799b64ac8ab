/* wangge demo [--scale N]: builds a demo town, the same every time.
 *
 * 西口回族镇 of 互助土族自治县 (海东市) with 10 villages and communities,
 * 221 grids (the communities' with 2-6 buildings each), about 30,000
 * households and 100,000 persons at scale 1, 20 departments and units with
 * rosters, and one user per role with a fixed demo password.
 *
 * Deterministic: every choice comes from one fixed-seed generator
 * (splitmix64) and ages are counted on a fixed reference day, so two runs
 * produce the same rows and a second run only updates what the first
 * created. Areas, units and users that exist are left alone; persons are
 * matched by their ID numbers (the import's rule), households by grid and
 * address.
 *
 * One code path: persons and households go in through register_import(),
 * the function behind POST /api/v1/imports, as the CLI's admin caller; the
 * areas through areas_create() and the users through users_create_run(), as
 * `wangge area add` and `wangge user add` do. Only what no module offers a
 * function for (unit rosters, household tags, units with their contacts)
 * is written here, with portable SQL and an audit entry. */
#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/demo_names.h"
#include "core/idcheck.h"
#include "core/log.h"
#include "core/table.h"
#include "core/timeutil.h"
#include "core/vault.h"
#include "core/xalloc.h"
#include "modules/areas/areas.h"
#include "modules/cases/cases.h"
#include "modules/identity/identity.h"
#include "modules/register/register.h"
#include "store/store.h"

const struct cli_option demo_options[] = {
	{"scale", CLI_VALUE, "size of the register, 0.01 to 20 (default 1: about 30,000 households, 100,000 persons)"},
	{"cases", CLI_VALUE, "cases the town should have; the missing ones are added over the last 90 days, 0 to 10,000,000 (default 3,000 x scale)"},
	{"db", CLI_CONFIG, NULL},
	{"key_file", CLI_CONFIG, NULL},
	{NULL, 0, NULL},
};

#define DEMO_SEED 0x57414E4747450001u /* "WANGGE" 1 */
#define DEMO_HOUSEHOLDS 30000        /* at scale 1 */
#define DEMO_SCALE_MIN 0.01
#define DEMO_SCALE_MAX 20.0
/* Rows per register_import() call, each one transaction: large enough that
 * commits cost nothing, small enough that a batch's checked rows (about
 * 500 bytes each) stay a few megabytes. Households never straddle two. */
#define DEMO_BATCH_ROWS 20000
#define DEMO_FIRST_BATCH_ROWS 2000
/* Ages are full years on 2025-01-01, so every birth date is at most
 * 2024-12-31: in the past whenever the demo runs, and the same each run. */
#define DEMO_REF_YEAR 2025
#define DEMO_MAX_MEMBERS 7
#define DEMO_COLS 9

/* ---- the generator ---- */

struct rng {
	uint64_t state;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

/* 0..n-1 by multiply-shift: the bias (n / 2^32) is far below what a demo
 * could show, and it needs no loop. */
static unsigned rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static int rng_between(struct rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (unsigned)(hi - lo + 1));
}

static bool rng_permille(struct rng *r, unsigned p)
{
	return rng_below(r, 1000) < p;
}

static size_t rng_weighted(struct rng *r, const unsigned *weights, size_t n)
{
	unsigned total = 0;
	for (size_t i = 0; i < n; i++)
		total += weights[i];
	unsigned x = rng_below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

/* The first 17 digits of every ID number handed out, so no two persons
 * share one: the import would take the second for the first. */
struct idset {
	uint64_t *slots; /* 0: empty (no region starts with 0) */
	size_t cap, count;
};

static size_t idset_slot(const struct idset *s, uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15u) >> 20) & (s->cap - 1);
}

static bool idset_add(struct idset *s, uint64_t key)
{
	if ((s->count + 1) * 2 > s->cap) {
		struct idset bigger = {.cap = s->cap ? 2 * s->cap : 1u << 16};
		bigger.slots = xcalloc(bigger.cap, sizeof *bigger.slots);
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i])
				(void)idset_add(&bigger, s->slots[i]);
		free(s->slots);
		*s = bigger;
	}
	size_t i = idset_slot(s, key);
	for (; s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == key)
			return false;
	s->slots[i] = key;
	s->count++;
	return true;
}

/* A grid of the plan, and where its next household goes. */
struct demo_grid {
	char code[32];
	const struct demo_village *village;
	int number;         /* 1-based within the village: 第N网格, and the 社 of its addresses */
	unsigned weight;    /* its share of the households */
	int buildings;      /* communities: 2-6 buildings, numbered from first_building */
	int first_building;
	int households;     /* placed so far */
};

struct demo_gen {
	struct rng rng;
	struct idset ids;
	struct demo_grid *grids;
	unsigned *weights;
	size_t ngrids, nbuildings;
};

/* The grids and their buildings: independent of the scale and of the
 * person stream, so --scale changes the register, never the map. */
static void plan_town(struct demo_gen *g)
{
	struct rng r = {DEMO_SEED ^ 0xA7EA5u};
	for (size_t v = 0; v < demo_village_count; v++)
		g->ngrids += (size_t)demo_villages[v].grids;
	g->grids = xcalloc(g->ngrids, sizeof *g->grids);
	g->weights = xcalloc(g->ngrids, sizeof *g->weights);
	size_t k = 0;
	for (size_t v = 0; v < demo_village_count; v++) {
		const struct demo_village *vil = &demo_villages[v];
		int building = 1;
		for (int n = 1; n <= vil->grids; n++, k++) {
			struct demo_grid *gr = &g->grids[k];
			snprintf(gr->code, sizeof gr->code, "%s%s-%02d", DEMO_TOWN_CODE, vil->suffix, n);
			gr->village = vil;
			gr->number = n;
			/* Communities are denser than villages. */
			gr->weight = (unsigned)rng_between(&r, 70, 130) * (vil->community ? 13u : 10u);
			if (vil->community) {
				gr->buildings = rng_between(&r, 2, 6);
				gr->first_building = building;
				building += gr->buildings;
				g->nbuildings += (size_t)gr->buildings;
			}
			g->weights[k] = gr->weight;
		}
	}
}

/* A member of a household before it becomes a person. */
struct demo_member {
	const char *relation; /* as a register has it: 户主, 配偶, 儿子 ... */
	char sex;             /* 'M' or 'F' */
	int age;              /* full years on the reference day */
	const char *surname;
	bool married_in;      /* spouse, mother, child-in-law: born elsewhere */
};

static const char *pick_surname(struct rng *r)
{
	unsigned total = 0;
	for (size_t i = 0; i < demo_surname_count; i++)
		total += demo_surnames[i].weight;
	unsigned x = rng_below(r, total);
	for (size_t i = 0; i < demo_surname_count; i++) {
		if (x < demo_surnames[i].weight)
			return demo_surnames[i].text;
		x -= demo_surnames[i].weight;
	}
	return demo_surnames[0].text;
}

/* A child's age: gap years younger than the younger parent, or a baby
 * when that would be before birth (the parent is then still 18 or more
 * years older: every parent here is at least 20). */
static int child_age(struct rng *r, int parent, int gap)
{
	int most = parent - 20 < 2 ? parent - 20 : 2;
	return parent - gap >= 0 ? parent - gap : rng_between(r, 0, most < 0 ? 0 : most);
}

static void add_member(struct demo_member *m, int *n, const char *relation, char sex, int age, const char *surname,
		       bool married_in)
{
	m[(*n)++] = (struct demo_member){relation, sex, age, surname, married_in};
}

/* Household sizes 1..7: mean about 3.34, as 100,000 persons in 30,000
 * households. */
static const unsigned size_weights[DEMO_MAX_MEMBERS] = {120, 220, 220, 210, 130, 70, 30};

/* Who lives in one household. A parent is at least 18 years older than
 * the younger of the child's parents (20 in the usual case), so the birth
 * dates in the ID numbers agree with the relations. Children carry the
 * father's surname. */
static int compose(struct rng *r, struct demo_member *m, bool *alone_elderly)
{
	int size = 1 + (int)rng_weighted(r, size_weights, DEMO_MAX_MEMBERS);
	int n = 0;
	char head_sex = rng_permille(r, 850) ? 'M' : 'F';
	const char *head_name = pick_surname(r);
	*alone_elderly = false;
	if (size == 1) {
		/* Some of those living alone are old: 独居老人. */
		int age = rng_permille(r, 75) ? rng_between(r, 70, 92) : rng_between(r, 19, 69);
		add_member(m, &n, "户主", head_sex, age, head_name, false);
		*alone_elderly = age >= 70;
		return n;
	}
	/* 0: head, spouse, children; 1: a young head with parents; 2: an old
	 * head with grown children and grandchildren. */
	int mode = 0;
	unsigned with_parents = size <= 3 ? 100 : size == 4 ? 200 : 350;
	unsigned elder = size == 2 ? 0 : size == 3 ? 100 : size == 4 ? 200 : 450;
	unsigned x = rng_below(r, 1000);
	if (x < with_parents)
		mode = 1;
	else if (x < with_parents + elder)
		mode = 2;
	bool spouse = size == 2 ? (mode == 0 && rng_permille(r, 830)) : rng_permille(r, 920);
	int head_age;
	if (mode == 1)
		head_age = rng_between(r, 26, 50);
	else if (mode == 2)
		head_age = rng_between(r, 52, 82);
	else if (size == 2 && spouse) /* couples of any age, the children gone or not yet born */
		head_age = rng_between(r, 22, 85);
	else
		head_age = rng_between(r, 26, 62);
	const char *spouse_name = pick_surname(r);
	/* The children's surname: the husband's, or the mother's alone. */
	const char *line = head_sex == 'M' || !spouse ? head_name : spouse_name;
	add_member(m, &n, "户主", head_sex, head_age, head_name, false);
	int younger = head_age; /* the younger parent of the head's children */
	if (spouse) {
		int gap = head_sex == 'M' ? rng_between(r, -5, 2) : rng_between(r, -2, 5);
		int age = head_age + gap < 20 ? 20 : head_age + gap;
		add_member(m, &n, "配偶", head_sex == 'M' ? 'F' : 'M', age, spouse_name, true);
		if (age < younger)
			younger = age;
	}
	if (mode == 1) {
		bool both = size - n >= 2 && rng_permille(r, 550);
		bool father = both || rng_permille(r, 400);
		int father_age = head_age + rng_between(r, 22, 32);
		if (father)
			add_member(m, &n, "父亲", 'M', father_age, head_name, false);
		if (both || !father)
			add_member(m, &n, "母亲", 'F', father_age + rng_between(r, -4, 2), pick_surname(r), true);
	}
	if (mode == 2) {
		/* A grown child (22 or more) and, with a son, often his wife;
		 * as many grandchildren as their age makes plausible (at most
		 * 3); any slot left is another grown or growing child. */
		int slots = size - n;
		char sex = rng_permille(r, 600) ? 'M' : 'F';
		int first = younger - rng_between(r, 22, younger - 22 < 32 ? younger - 22 : 32);
		int most = first < 26 ? 1 : first < 30 ? 2 : 3;
		int grandchildren = slots < 2 ? 0 : rng_between(r, 1, slots - 1 < most ? slots - 1 : most);
		int adults = slots - grandchildren - 1;
		add_member(m, &n, sex == 'M' ? "儿子" : "女儿", sex, first, line, false);
		int parent = first; /* the younger parent of the grandchildren */
		if (sex == 'M' && adults > 0 && rng_permille(r, 600)) {
			int wife = first + rng_between(r, -3, 1);
			wife = wife < 20 ? 20 : wife;
			add_member(m, &n, "其他", 'F', wife, pick_surname(r), true);
			parent = wife < parent ? wife : parent;
			adults--;
		}
		for (; adults > 0; adults--) {
			char other = rng_permille(r, 515) ? 'M' : 'F';
			add_member(m, &n, other == 'M' ? "儿子" : "女儿", other, child_age(r, younger, rng_between(r, 20, 34)),
				   line, false);
		}
		/* A daughter's children are 外孙 and carry their father's name. */
		const char *grand_line = sex == 'M' ? line : pick_surname(r);
		for (; grandchildren > 0; grandchildren--) {
			char gs = rng_permille(r, 515) ? 'M' : 'F';
			const char *relation = sex == 'M' ? (gs == 'M' ? "孙子" : "孙女") : (gs == 'M' ? "外孙" : "外孙女");
			int gap = rng_between(r, 20, parent < 34 ? parent : 34);
			add_member(m, &n, relation, gs, parent - gap, grand_line, false);
		}
		return n;
	}
	while (n < size) {
		char sex = rng_permille(r, 515) ? 'M' : 'F';
		add_member(m, &n, sex == 'M' ? "儿子" : "女儿", sex, child_age(r, younger, rng_between(r, 20, 34)), line,
			   false);
	}
	return n;
}

/* One character (3 bytes) of a pool, appended to out. */
static void append_char(struct rng *r, const char *pool, size_t pool_len, char *out, size_t size)
{
	size_t i = rng_below(r, (unsigned)(pool_len / 3));
	size_t n = strlen(out);
	if (n + 4 <= size) {
		memcpy(out + n, pool + 3 * i, 3);
		out[n + 3] = '\0';
	}
}

/* A given name of 1 or 2 characters in the fashion of the birth year:
 * 秀英 and 建国 for the old, 欣怡 and 浩宇 for the young, a mix between. */
static void given_name(struct rng *r, char sex, int year, char *out, size_t size)
{
	const char *old = sex == 'M' ? demo_given_male_old : demo_given_female_old;
	const char *young = sex == 'M' ? demo_given_male_young : demo_given_female_young;
	/* The share of old-fashioned characters: all before 1970, none after
	 * 1995, falling in between. */
	unsigned old_share = year < 1970 ? 1000 : year >= 1995 ? 0 : (unsigned)(1995 - year) * 40;
	int chars = rng_permille(r, year < 1990 ? 250 : 150) ? 1 : 2;
	size_t start = strlen(out);
	for (int i = 0; i < chars; i++) {
		const char *pool = rng_permille(r, old_share) ? old : young;
		append_char(r, pool, strlen(pool), out, size);
		/* No 伟伟 by chance: draw the second again once. */
		if (i == 1 && memcmp(out + start, out + start + 3, 3) == 0) {
			out[start + 3] = '\0';
			append_char(r, pool, strlen(pool), out, size);
		}
	}
}

struct demo_person {
	char name[32];
	char sex;
	int year, month, day;
	const char *region;
	char id[19];
	char phone[12];
	char tags[160];
	const char *status;
};

static int days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return days[month - 1] + (month == 2 && leap);
}

/* A check-digit-valid number, unique in this run: region, birth date, a
 * sequence whose last digit is odd for men and even for women (GB 11643). */
static void person_id(struct demo_gen *g, struct demo_person *p)
{
	char first17[32];
	for (int attempt = 0;; attempt++) {
		/* A (region, date) that ran out of sequences (500 per sex) moves
		 * to the next day: at scale 20 this happens a few times. */
		if (attempt && attempt % 64 == 0)
			p->day = p->day % days_in_month(p->year, p->month) + 1;
		unsigned seq = rng_below(&g->rng, 500) * 2 + (p->sex == 'M');
		snprintf(first17, sizeof first17, "%s%04d%02d%02d%03u", p->region, p->year, p->month, p->day, seq);
		if (idset_add(&g->ids, strtoull(first17, NULL, 10)))
			break;
	}
	idcheck_make(first17, p->id);
}

/* Tags go in by code ("party_member、volunteer"), which the import reads
 * as well as the names: an admin may rename 党员, never its code. */
static void add_tag(char *tags, size_t size, const char *tag)
{
	size_t n = strlen(tags);
	snprintf(tags + n, size - n, "%s%s", n ? "、" : "", tag);
}

/* A person from a member: name, birth date and ID, phone, tags, status.
 * Shares aimed at (of all persons): 党员 6%, 志愿者 5%, 行动不便 2%, 外省来人
 * 4% (a household's region decides), 重点人员 0.5%; 独居老人 for those
 * who live alone at 70 or more. */
static void make_person(struct demo_gen *g, const struct demo_member *m, const char *household_region,
			bool other_province, bool alone_elderly, struct demo_person *p)
{
	struct rng *r = &g->rng;
	memset(p, 0, sizeof *p);
	p->sex = m->sex;
	p->year = DEMO_REF_YEAR - 1 - m->age;
	p->month = rng_between(r, 1, 12);
	p->day = rng_between(r, 1, days_in_month(p->year, p->month));
	snprintf(p->name, sizeof p->name, "%s", m->surname);
	given_name(r, m->sex, p->year, p->name, sizeof p->name);
	p->region = household_region;
	/* Who married in comes from anywhere near, now and then from
	 * another province. */
	bool from_outside = other_province;
	if (m->married_in && !other_province) {
		if (rng_permille(r, 15)) {
			from_outside = true;
			p->region = demo_regions_other[rng_below(r, (unsigned)demo_regions_other_count)];
		} else {
			p->region = rng_permille(r, 800) ? DEMO_COUNTY_CODE
							 : demo_regions_qinghai[rng_below(r, (unsigned)demo_regions_qinghai_count)];
		}
	}
	person_id(g, p);
	int age = m->age;
	if (age >= 16 && rng_permille(r, age < 70 ? 950 : 550)) {
		const char *prefix = demo_mobile_prefixes[rng_below(r, (unsigned)demo_mobile_prefix_count)];
		snprintf(p->phone, sizeof p->phone, "%s%04u%04u", prefix, rng_below(r, 10000), rng_below(r, 10000));
	}
	if (age >= 18 && rng_permille(r, 78))
		add_tag(p->tags, sizeof p->tags, "party_member");
	if (age >= 18 && age <= 65 && rng_permille(r, 75))
		add_tag(p->tags, sizeof p->tags, "volunteer");
	if (alone_elderly)
		add_tag(p->tags, sizeof p->tags, "elderly_alone");
	if (rng_permille(r, age >= 80 ? 180 : age >= 70 ? 90 : age >= 60 ? 35 : 10))
		add_tag(p->tags, sizeof p->tags, "mobility_impaired");
	if (from_outside)
		add_tag(p->tags, sizeof p->tags, "other_province");
	if (age >= 18 && age <= 60 && rng_permille(r, 8))
		add_tag(p->tags, sizeof p->tags, "key_person");
	/* Registers lag behind life: some have left, a few have died. */
	unsigned died = age >= 80 ? 60 : age >= 70 ? 25 : age >= 18 ? 2 : 0;
	unsigned left = age >= 18 && age <= 40 ? 45 : 5;
	unsigned x = rng_below(r, 1000);
	p->status = x < died ? "死亡" : x < died + left ? "迁出" : "在住";
}

/* ---- the register, in batches through register_import() ---- */

static const char *const demo_header[DEMO_COLS] = {"姓名", "性别", "证件号码", "联系电话", "住址",
						   "网格", "与户主关系", "标签", "状态"};

struct demo_batch {
	struct table_build b;
	size_t rows; /* data rows, the header not counted */
	bool broken;
};

static void batch_row(struct demo_batch *bt, const char *const cells[DEMO_COLS])
{
	for (int i = 0; i < DEMO_COLS; i++)
		if (table_build_text(&bt->b, cells[i], strlen(cells[i])) || table_build_cell_end(&bt->b))
			bt->broken = true;
	/* Line numbers as a file would have them: the header is line 1. */
	if (table_build_row_end(&bt->b, bt->b.t.rows + 1))
		bt->broken = true;
}

static void batch_start(struct demo_batch *bt)
{
	table_build_init(&bt->b, SIZE_MAX);
	bt->rows = 0;
	bt->broken = false;
	batch_row(bt, demo_header);
}

struct demo_run {
	const struct cli_command *cmd;
	struct store *store;
	struct vault vault;
	struct caller caller;
	struct actor actor;
	double scale;
	struct demo_gen gen;
	/* tallies for the summary */
	size_t areas, areas_created;
	size_t households_created, persons_created, persons_updated;
	size_t units_created, roster, roster_added;
	size_t users_created, users_kept;
	int64_t handler_unit;
	bool admin_by_demo;
	int64_t households_total, persons_total;
	struct cases_demo_report cases;
};

static void print_import_errors(const struct cli_command *cmd, const json_t *report)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(report, "errors"), i, e) {
		if (i == 5)
			break;
		cli_error(cmd, "row %lld, %s: %s", (long long)json_integer_value(json_object_get(e, "row")),
			  json_string_value(json_object_get(e, "column")), json_string_value(json_object_get(e, "reason")));
	}
}

/* Hands one batch to the import, which checks every row and writes them
 * in one transaction. Returns a store_rc. */
static int batch_flush(struct demo_run *d, struct demo_batch *bt)
{
	if (bt->broken) {
		/* Only the table's limits refuse a row, and ours are far below. */
		WG_BUG("the demo's table was refused: %s", bt->b.why);
		table_build_abort(&bt->b);
		return STORE_ERROR;
	}
	struct table t;
	table_build_finish(&bt->b, &t, "utf-8");
	struct import_options opt = {.source = "wangge demo"};
	json_t *report = NULL;
	int rc = register_import(d->store, &d->vault, &d->caller, &d->actor, &t, &opt, &report);
	table_free(&t);
	if (rc == STORE_OK) {
		d->persons_created += (size_t)json_integer_value(json_object_get(report, "created"));
		d->persons_updated += (size_t)json_integer_value(json_object_get(report, "updated"));
		d->households_created += (size_t)json_integer_value(json_object_get(report, "households_created"));
	} else if (rc == STORE_ABORT) {
		/* The generator's rows are meant to pass every check. */
		cli_error(d->cmd, "the import refused %lld of the demo's rows:",
			  (long long)json_integer_value(json_object_get(report, "error_count")));
		print_import_errors(d->cmd, report);
	}
	json_decref(report);
	return rc;
}

/* One household: its members as rows of the batch. */
static void household_rows(struct demo_run *d, struct demo_batch *bt)
{
	struct demo_gen *g = &d->gen;
	struct rng *r = &g->rng;
	struct demo_grid *grid = &g->grids[rng_weighted(r, g->weights, g->ngrids)];
	int k = grid->households++;
	char address[128], area[48];
	const struct demo_village *v = grid->village;
	if (v->community) {
		/* Households fill the grid's buildings in turn, then units
		 * 1-3, rooms 1-2 of each floor upwards: 新华社区5号楼2单元301. */
		int b = k % grid->buildings, rest = k / grid->buildings;
		int unit = rest % 3 + 1, floor = rest / 3 / 2 + 1, room = rest / 3 % 2 + 1;
		snprintf(address, sizeof address, "%s%d号楼%d单元%d%02d", v->name, grid->first_building + b, unit, floor, room);
		snprintf(area, sizeof area, "%s-%02d", grid->code, b + 1);
	} else {
		/* In a village a grid is a 社 (production team): 东沟村3社12号. */
		snprintf(address, sizeof address, "%s%d社%d号", v->name, grid->number, k + 1);
		snprintf(area, sizeof area, "%s", grid->code);
	}
	struct demo_member members[DEMO_MAX_MEMBERS];
	bool alone_elderly;
	int n = compose(r, members, &alone_elderly);
	bool other_province = rng_permille(r, 36);
	const char *region = other_province ? demo_regions_other[rng_below(r, (unsigned)demo_regions_other_count)]
			     : rng_permille(r, 850) ? DEMO_COUNTY_CODE
						    : demo_regions_qinghai[rng_below(r, (unsigned)demo_regions_qinghai_count)];
	for (int i = 0; i < n; i++) {
		struct demo_person p;
		make_person(g, &members[i], region, other_province, alone_elderly, &p);
		const char *cells[DEMO_COLS] = {p.name, p.sex == 'M' ? "男" : "女", p.id, p.phone, address,
						area, members[i].relation, p.tags, p.status};
		batch_row(bt, cells);
		bt->rows++;
	}
}

/* Fresh planner statistics, on PostgreSQL. It plans the import's look-ups
 * from them, and without them (tables just filled, autovacuum not round
 * yet) it guesses a couple of areas in scope and dozens of persons per ID
 * hash: each look-up of an ID then walks every area of the scope or every
 * person so far, and the import slows down with every row (measured at
 * scale 1: 88 s, 32 s with this). SQLite plans these well without
 * statistics, and its ANALYZE would leave sqlite_stat1 behind to change
 * the server's plans: not a demo's decision. */
static int analyze_tx(struct store_conn *c, void *arg)
{
	(void)arg;
	return store_exec(c, "ANALYZE");
}

static int analyze(struct demo_run *d)
{
	if (strcmp(store_backend_name(d->store), "postgres") != 0)
		return STORE_OK;
	return store_tx(d->store, STORE_WRITE, analyze_tx, NULL);
}

static int build_register(struct demo_run *d)
{
	long households = (long)(DEMO_HOUSEHOLDS * d->scale + 0.5);
	if (households < 1)
		households = 1;
	int rc = analyze(d);
	struct demo_batch bt;
	batch_start(&bt);
	/* A small first batch, so the big ones are planned with statistics
	 * of a register that is not empty. */
	size_t limit = DEMO_FIRST_BATCH_ROWS;
	for (long h = 0; h < households && rc == STORE_OK; h++) {
		household_rows(d, &bt);
		if (bt.rows >= limit || h + 1 == households) {
			rc = batch_flush(d, &bt);
			if (rc == STORE_OK)
				rc = analyze(d);
			if (rc == STORE_OK && h + 1 < households)
				batch_start(&bt);
			limit = DEMO_BATCH_ROWS;
		}
	}
	/* After a failure the builder may hold a batch; after a flush it is
	 * empty, and aborting an empty builder is a no-op. */
	table_build_abort(&bt.b);
	return rc;
}

/* ---- areas ---- */

struct areas_work {
	struct demo_run *d;
	struct areas_error err;
	const char *failed_code;
};

/* Creates the area unless its code exists (whatever its name: an operator
 * may have renamed it). */
static int area_ensure(struct store_conn *c, struct areas_work *w, const char *code, const char *name,
		       const char *level, const char *parent)
{
	struct store_scope all;
	areas_scope_all(&all);
	struct area_ref found;
	int rc = area_find(c, &all, code, &found);
	w->d->areas++;
	if (rc != STORE_DONE)
		return rc;
	struct areas_new in = {.code = code, .name = name, .level = level, .parent_code = parent};
	rc = areas_create(c, &all, &w->d->actor, &in, NULL, &w->err);
	if (rc == STORE_OK)
		w->d->areas_created++;
	else
		w->failed_code = code;
	return rc;
}

static int areas_tx(struct store_conn *c, void *arg)
{
	struct areas_work *w = arg;
	struct demo_run *d = w->d;
	d->areas = d->areas_created = 0;
	int rc = area_ensure(c, w, DEMO_CITY_CODE, DEMO_CITY_NAME, "city", d->caller.scope_code);
	if (rc == STORE_OK)
		rc = area_ensure(c, w, DEMO_COUNTY_CODE, DEMO_COUNTY_NAME, "county", DEMO_CITY_CODE);
	if (rc == STORE_OK)
		rc = area_ensure(c, w, DEMO_TOWN_CODE, DEMO_TOWN_NAME, "town", DEMO_COUNTY_CODE);
	for (size_t v = 0; v < demo_village_count && rc == STORE_OK; v++) {
		char code[32];
		snprintf(code, sizeof code, "%s%s", DEMO_TOWN_CODE, demo_villages[v].suffix);
		rc = area_ensure(c, w, code, demo_villages[v].name, "community", DEMO_TOWN_CODE);
	}
	for (size_t i = 0; i < d->gen.ngrids && rc == STORE_OK; i++) {
		const struct demo_grid *gr = &d->gen.grids[i];
		char village[32], name[128];
		snprintf(village, sizeof village, "%s%s", DEMO_TOWN_CODE, gr->village->suffix);
		snprintf(name, sizeof name, "%s第%d网格", gr->village->name, gr->number);
		rc = area_ensure(c, w, gr->code, name, "grid", village);
		for (int b = 0; b < gr->buildings && rc == STORE_OK; b++) {
			char code[48];
			snprintf(code, sizeof code, "%s-%02d", gr->code, b + 1);
			snprintf(name, sizeof name, "%s%d号楼", gr->village->name, gr->first_building + b);
			rc = area_ensure(c, w, code, name, "building", gr->code);
		}
	}
	return rc;
}

/* ---- units, rosters, household tags ---- */

static const char sql_unit_find[] = "SELECT id FROM units WHERE name = ?";
static const char sql_unit_insert[] =
	"INSERT INTO units (name, type, area_id, contact_name, contact_phone, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_roster_count[] = "SELECT COUNT(*) FROM unit_members WHERE unit_id = ?";
static const char sql_scope_persons[] =
	"SELECT COUNT(*) FROM persons p JOIN areas a ON a.id = p.area_id WHERE " STORE_IN_SCOPE("a");
/* Working-age residents of the unit's area, every m-th by id from a
 * residue of its own, so rosters spread over the register and differ from
 * unit to unit, the same on every fresh database. */
static const char sql_roster_pick[] =
	"SELECT p.id FROM persons p JOIN areas a ON a.id = p.area_id WHERE " STORE_IN_SCOPE("a")
	" AND p.status = 'living' AND p.birth_date >= '1962-01-01' AND p.birth_date <= '2004-12-31'"
	" AND p.id % ? = ? ORDER BY p.id LIMIT ?";
static const char sql_roster_add[] = "INSERT INTO unit_members (unit_id, person_id, position) VALUES (?, ?, ?)";
/* About 3% of the town's households are watched for falling back into
 * poverty (返贫监测户); the import has no household tags, so they are set
 * here, once, and not at all where an admin removed the tag. */
static const char sql_poverty_watch[] =
	"INSERT INTO household_tags (household_id, tag) SELECT h.id, g.code FROM households h"
	" JOIN areas a ON a.id = h.area_id JOIN tags g ON g.code = 'poverty_watch' AND g.applies_to = 'household'"
	" WHERE " STORE_IN_SCOPE("a") " AND h.id % 33 = 0"
	" AND NOT EXISTS (SELECT 1 FROM household_tags t WHERE t.household_id = h.id AND t.tag = g.code)";

static int64_t one_int(struct store_stmt *st, int *rc)
{
	*rc = store_step(st);
	int64_t v = *rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	if (*rc == STORE_ROW || *rc == STORE_DONE)
		*rc = STORE_OK;
	return v;
}

static void unit_area_code(const struct demo_unit *u, char *out, size_t size)
{
	if (strcmp(u->area, "county") == 0)
		snprintf(out, size, "%s", DEMO_COUNTY_CODE);
	else if (strcmp(u->area, "town") == 0)
		snprintf(out, size, "%s", DEMO_TOWN_CODE);
	else
		snprintf(out, size, "%s%s", DEMO_TOWN_CODE, u->area);
}

/* The unit's id, creating it (with a contact and an audit entry) when no
 * unit has its name. */
static int unit_ensure(struct store_conn *c, struct demo_run *d, struct rng *r, const struct demo_unit *u,
		       const struct area_ref *area, int64_t *id)
{
	/* Drawn before the look-up, so a contact does not depend on which
	 * units existed already. */
	char contact[32], phone[16];
	snprintf(contact, sizeof contact, "%s", pick_surname(r));
	char sex = rng_permille(r, 600) ? 'M' : 'F';
	given_name(r, sex, rng_between(r, 1965, 1995), contact, sizeof contact);
	if (strcmp(u->type, "department") == 0) /* an office line in 海东 (0972) */
		snprintf(phone, sizeof phone, "0972-8%06u", rng_below(r, 1000000));
	else
		snprintf(phone, sizeof phone, "1%02u%04u%04u", 30 + rng_below(r, 60), rng_below(r, 10000), rng_below(r, 10000));
	struct store_stmt *st = store_prepare(c, sql_unit_find);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, u->name);
	int rc;
	*id = one_int(st, &rc);
	if (rc != STORE_OK || *id)
		return rc;
	int64_t now = time_now();
	if (!(st = store_prepare(c, sql_unit_insert)))
		return STORE_ERROR;
	store_bind_text(st, 1, u->name);
	store_bind_text(st, 2, u->type);
	store_bind_int(st, 3, area->id);
	store_bind_text(st, 4, contact);
	store_bind_text(st, 5, phone);
	store_bind_int(st, 6, now);
	store_bind_int(st, 7, now);
	*id = one_int(st, &rc);
	if (rc != STORE_OK)
		return rc;
	d->units_created++;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)*id);
	json_t *summary = json_pack("{s:s, s:s, s:s}", "name", u->name, "type", u->type, "area", area->code);
	rc = audit_append(c, &d->actor, "unit.create", "unit", ids, area->id, summary);
	json_decref(summary);
	return rc;
}

static int units_tx(struct store_conn *c, void *arg)
{
	struct demo_run *d = arg;
	struct rng r = {DEMO_SEED ^ 0x0417Fu};
	d->units_created = 0;
	int rc = STORE_OK;
	for (size_t i = 0; i < demo_unit_count && rc == STORE_OK; i++) {
		char code[32];
		unit_area_code(&demo_units[i], code, sizeof code);
		struct area_ref area;
		struct store_scope all;
		areas_scope_all(&all);
		if ((rc = area_find(c, &all, code, &area)) != STORE_OK)
			return rc == STORE_DONE ? STORE_ERROR : rc;
		int64_t id;
		rc = unit_ensure(c, d, &r, &demo_units[i], &area, &id);
		if (i == 0)
			d->handler_unit = id;
	}
	return rc;
}

/* A unit's roster, unless it has one already (an operator's or an earlier
 * run's). */
static int roster_fill(struct store_conn *c, struct demo_run *d, size_t index, const struct demo_unit *u)
{
	struct store_stmt *st = store_prepare(c, sql_unit_find);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, u->name);
	int rc;
	int64_t unit = one_int(st, &rc);
	if (rc != STORE_OK || !unit)
		return rc;
	if (!(st = store_prepare(c, sql_roster_count)))
		return STORE_ERROR;
	store_bind_int(st, 1, unit);
	int64_t have = one_int(st, &rc);
	if (rc != STORE_OK || have) {
		d->roster += (size_t)have;
		return rc;
	}
	char code[32];
	unit_area_code(u, code, sizeof code);
	struct store_scope all, scope;
	areas_scope_all(&all);
	struct area_ref area;
	if ((rc = area_find(c, &all, code, &area)) != STORE_OK)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	scope.area_id = area.id;
	snprintf(scope.path, sizeof scope.path, "%s", area.path);
	if (!(st = store_prepare(c, sql_scope_persons)))
		return STORE_ERROR;
	store_bind_scope(st, 1, &scope);
	int64_t residents = one_int(st, &rc);
	if (rc != STORE_OK)
		return rc;
	/* About four residents per place on the roster are looked at: enough
	 * working-age ones among them at any scale from 0.01 up. */
	int64_t m = residents / (4 * (int64_t)u->roster);
	if (m < 1)
		m = 1;
	int64_t picked[64];
	int n = 0;
	if (!(st = store_prepare(c, sql_roster_pick)))
		return STORE_ERROR;
	store_bind_scope(st, 1, &scope);
	store_bind_int(st, 3, m);
	store_bind_int(st, 4, (int64_t)(index * 7) % m);
	store_bind_int(st, 5, u->roster);
	while (n < 64 && (rc = store_step(st)) == STORE_ROW)
		picked[n++] = store_col_int(st, 0);
	store_reset(st);
	if (rc != STORE_DONE && rc != STORE_ROW)
		return rc;
	size_t titles = 0;
	while (titles < 5 && u->positions[titles])
		titles++;
	for (int i = 0; i < n; i++) {
		if (!(st = store_prepare(c, sql_roster_add)))
			return STORE_ERROR;
		store_bind_int(st, 1, unit);
		store_bind_int(st, 2, picked[i]);
		store_bind_text(st, 3, i == 0 || titles < 2 ? u->positions[0] : u->positions[1 + (size_t)(i - 1) % (titles - 1)]);
		rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	d->roster += (size_t)n;
	d->roster_added += (size_t)n;
	return STORE_OK;
}

static const char sql_town_counts[] =
	"SELECT (SELECT COUNT(*) FROM households h JOIN areas a ON a.id = h.area_id WHERE " STORE_IN_SCOPE("a") "),"
	" (SELECT COUNT(*) FROM persons p JOIN areas a ON a.id = p.area_id WHERE " STORE_IN_SCOPE("a") ")";

static int finish_tx(struct store_conn *c, void *arg)
{
	struct demo_run *d = arg;
	d->roster = d->roster_added = 0;
	struct store_scope all, town;
	areas_scope_all(&all);
	struct area_ref a;
	int rc = area_find(c, &all, DEMO_TOWN_CODE, &a);
	if (rc != STORE_OK)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	town.area_id = a.id;
	snprintf(town.path, sizeof town.path, "%s", a.path);
	for (size_t i = 0; i < demo_unit_count && rc == STORE_OK; i++)
		rc = roster_fill(c, d, i, &demo_units[i]);
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_poverty_watch);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, &town);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	if (!(st = store_prepare(c, sql_town_counts)))
		return STORE_ERROR;
	store_bind_scope(st, 1, &town);
	store_bind_scope(st, 3, &town);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		d->households_total = store_col_int(st, 0);
		d->persons_total = store_col_int(st, 1);
	}
	store_reset(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	/* One entry says what the demo did, beside the entries of the areas,
	 * units and imports it wrote. */
	json_t *summary = json_pack("{s:I, s:I, s:I}", "households", (json_int_t)d->households_total, "persons",
				    (json_int_t)d->persons_total, "roster_added", (json_int_t)d->roster_added);
	rc = audit_append(c, &d->actor, "demo.build", "area", DEMO_TOWN_CODE, 0, summary);
	json_decref(summary);
	return rc;
}

/* ---- users ---- */

struct demo_user {
	const char *login, *role, *area, *name, *where;
};

/* The logins and passwords of scripts/demo.sh, placed in the demo town:
 * demo-<role>-pass. */
static const struct demo_user demo_users[] = {
	{"commander", "commander", DEMO_COUNTY_CODE, "指挥中心值班员", "指挥中心 (互助土族自治县)"},
	{"staff", "staff", DEMO_TOWN_CODE "001", "新华社区工作人员", "社区 (新华社区)"},
	{"grid", "grid_worker", DEMO_TOWN_CODE "001-01", "网格员马晓梅", "网格员 (新华社区第1网格)"},
	{"handler", "handler", DEMO_COUNTY_CODE, "城管局办事员", "部门 (互助县城管局)"},
	{"sampler", "sampler", DEMO_TOWN_CODE "001-01", "采样员李强", "采样员 (新华社区第1网格)"},
	{"checkpoint", "checkpoint", DEMO_TOWN_CODE "001-01", "卡口值守员", "卡口 (新华社区第1网格)"},
	{"volunteer", "volunteer", DEMO_TOWN_CODE "001-01", "志愿者张敏", "志愿者 (新华社区第1网格)"},
	{"resident", "resident", DEMO_TOWN_CODE "001-01", "居民祁大爷", "居民 (新华社区第1网格)"},
};

static const char sql_user_exists[] = "SELECT COUNT(*) FROM users WHERE login = ?";
static const char sql_meta_get[] = "SELECT value FROM meta WHERE key = ?";
static const char sql_meta_put[] = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING";

struct login_check {
	const char *login;
	bool exists;
	bool demo_admin; /* meta says the demo created the admin */
};

static int login_check_tx(struct store_conn *c, void *arg)
{
	struct login_check *l = arg;
	struct store_stmt *st = store_prepare(c, sql_user_exists);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, l->login);
	int rc;
	l->exists = one_int(st, &rc) > 0;
	if (rc != STORE_OK)
		return rc;
	if (!(st = store_prepare(c, sql_meta_get)))
		return STORE_ERROR;
	store_bind_text(st, 1, "demo_admin");
	rc = store_step(st);
	l->demo_admin = rc == STORE_ROW;
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

static int meta_put_tx(struct store_conn *c, void *arg)
{
	const char *const *pair = arg;
	struct store_stmt *st = store_prepare(c, sql_meta_put);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, pair[0]);
	store_bind_text(st, 2, pair[1]);
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Creates the user unless the login exists: checked first, so a second
 * run spends no time hashing passwords it would throw away. */
static int user_ensure(struct demo_run *d, const char *login, const char *role, const char *area, const char *name,
		       int64_t unit, bool *created)
{
	struct login_check l = {.login = login};
	*created = false;
	int rc = store_tx(d->store, STORE_READ, login_check_tx, &l);
	if (rc != STORE_OK)
		return rc;
	if (l.exists) {
		d->users_kept++;
		return STORE_OK;
	}
	char password[64];
	snprintf(password, sizeof password, "demo-%s-pass", role);
	struct user_form w = {.caller = &d->caller, .actor = d->actor, .login = login, .display_name = name,
			      .role = role, .area_code = area, .password = password, .unit_id = unit,
			      .has_unit = unit != 0};
	rc = users_create_run(&w);
	json_decref(w.user);
	if (rc == STORE_OK) {
		d->users_created++;
		*created = true;
	} else {
		const char *why = rc != STORE_ABORT ? "the database refused it"
				  : w.error_message ? w.error_message : http_error_message(w.error);
		cli_error(d->cmd, "cannot create the user %s: %s", login, why);
	}
	return rc;
}

static int build_users(struct demo_run *d)
{
	/* The first admin, as wangge init makes it, when there is none: with
	 * the demo's password, remembered in meta so later runs list it. */
	bool created;
	int rc = user_ensure(d, "admin", "admin", d->caller.scope_code, "系统管理员", 0, &created);
	if (rc == STORE_OK && created) {
		const char *pair[2] = {"demo_admin", "1"};
		rc = store_tx(d->store, STORE_WRITE, meta_put_tx, pair);
	}
	struct login_check l = {.login = "admin"};
	if (rc == STORE_OK)
		rc = store_tx(d->store, STORE_READ, login_check_tx, &l);
	d->admin_by_demo = l.demo_admin;
	for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0] && rc == STORE_OK; i++) {
		const struct demo_user *u = &demo_users[i];
		rc = user_ensure(d, u->login, u->role, u->area, u->name,
				 strcmp(u->role, "handler") == 0 ? d->handler_unit : 0, &created);
	}
	return rc;
}

/* ---- the command ---- */

/* What wangge init records about an installation (cmd_db.c keeps its
 * version static): an id and when it was created, each written once. */
static int install_record(struct store *s)
{
	unsigned char id[16];
	char hex[33], now[32];
	randombytes_buf(id, sizeof id);
	sodium_bin2hex(hex, sizeof hex, id, sizeof id);
	time_format(time_now(), now);
	const char *pairs[2][2] = {{"installation_id", hex}, {"created_at", now}};
	int rc = STORE_OK;
	for (size_t i = 0; i < 2 && rc == STORE_OK; i++)
		rc = store_tx(s, STORE_WRITE, meta_put_tx, (void *)pairs[i]);
	return rc;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static bool parse_scale(const char *text, double *out)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end || !isfinite(v) || v < DEMO_SCALE_MIN - 1e-9 || v > DEMO_SCALE_MAX + 1e-9)
		return false;
	*out = v;
	return true;
}

static bool parse_cases(const char *text, long *out)
{
	char *end;
	long v = strtol(text, &end, 10);
	if (end == text || *end || v < 0 || v > 10000000)
		return false;
	*out = v;
	return true;
}

/* The town's routing rules and cases (src/modules/cases/demo.c), after
 * the units and users they name. */
static int build_cases(struct demo_run *d, long count, struct cases_demo_report *report)
{
	struct cases_demo_options o = {.town_code = DEMO_TOWN_CODE, .focus_code = DEMO_TOWN_CODE "001",
				       .staff_login = "staff", .commander_login = "commander", .grid_login = "grid",
				       .resident_login = "resident", .handler_login = "handler", .actor = &d->actor,
				       .cases = count, .seed = DEMO_SEED ^ 0xCA5E5u};
	int rc = cases_demo(d->store, &d->vault, &o, report);
	if (rc != STORE_OK)
		cli_error(d->cmd, "cannot add the demo's cases%s", rc == STORE_ABORT ? ": the town or a category is missing" : "");
	return rc;
}

static void print_cases(const struct cases_demo_report *c)
{
	printf("  rules      %7zu  (%zu new)\n", c->rules, c->rules_created);
	if (c->cases_skipped)
		printf("  cases      %7zu  (0 new: the town had cases, none added)\n", c->cases);
	else
		printf("  cases      %7zu  (%zu new; %zu open, %zu of them overdue, %zu resolved, %zu closed, %zu reopened,"
		       " %zu merged; %zu timeline entries) in %.1f s\n",
		       c->cases, c->cases_created, c->open, c->overdue, c->resolved, c->closed, c->reopened, c->merged,
		       c->events, c->seconds);
}

static void print_summary(const struct demo_run *d, const double *phase, double total)
{
	printf("wangge demo: %s (%s) in %s %s, scale %g\n", DEMO_TOWN_NAME, DEMO_TOWN_CODE, DEMO_CITY_NAME,
	       DEMO_COUNTY_NAME, d->scale);
	printf("  areas      %7zu  (%zu new; city, county, town, %zu villages and communities, %zu grids, %zu buildings)\n",
	       d->areas, d->areas_created, demo_village_count, d->gen.ngrids, d->gen.nbuildings);
	printf("  households %7lld  (%zu new)\n", (long long)d->households_total, d->households_created);
	printf("  persons    %7lld  (%zu new, %zu updated)\n", (long long)d->persons_total, d->persons_created,
	       d->persons_updated);
	printf("  units      %7zu  (%zu new; %zu on their rosters)\n", demo_unit_count, d->units_created, d->roster);
	printf("  users      %7zu  (%zu new)\n", d->users_created + d->users_kept, d->users_created);
	print_cases(&d->cases);
	printf("  time       %7.1f s (areas %.1f, units %.1f, users %.1f, register %.1f, rosters and tags %.1f, cases %.1f)\n",
	       total, phase[0], phase[1], phase[2], phase[3], phase[4], phase[5]);
	printf("demo users (login / password; demo only, never on a real installation):\n");
	if (d->admin_by_demo)
		printf("  %-10s / %-22s %s\n", "admin", "demo-admin-pass", "系统管理员 (全域)");
	else
		printf("  %-10s   %-22s %s\n", "admin", "(set by wangge init)", "系统管理员 (全域)");
	for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
		char password[64];
		snprintf(password, sizeof password, "demo-%s-pass", demo_users[i].role);
		printf("  %-10s / %-22s %s\n", demo_users[i].login, password, demo_users[i].where);
	}
}

int cmd_demo(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_args args;
	int code;
	if (cli_parse(cmd, argc, argv, &args, &code))
		return code;
	struct demo_run d = {.cmd = cmd, .scale = 1.0};
	const char *scale = cli_value(&args, "scale");
	if (scale && !parse_scale(scale, &d.scale)) {
		cli_error(cmd, "--scale is a number from %g to %g", DEMO_SCALE_MIN, DEMO_SCALE_MAX);
		cli_args_free(&args);
		return CLI_USAGE;
	}
	const char *cases = cli_value(&args, "cases");
	long case_count = (long)(3000 * d.scale + 0.5);
	if (cases && !parse_cases(cases, &case_count)) {
		cli_error(cmd, "--cases is a whole number from 0 to 10000000");
		cli_args_free(&args);
		return CLI_USAGE;
	}
	if (sodium_init() < 0) {
		cli_error(cmd, "libsodium failed to start");
		cli_args_free(&args);
		return CLI_FAILURE;
	}
	struct timespec t0, tp;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	double phase[6] = {0};
	int applied;
	d.store = cli_open_store(cmd, &args, &applied);
	if (!d.store) {
		cli_args_free(&args);
		return CLI_FAILURE;
	}
	bool vault_open = false;
	int rc = install_record(d.store);
	/* The root and the CLI's caller as wangge init makes them. */
	if (rc == STORE_OK)
		rc = identity_cli_caller(d.store, "000000", "全域", &d.caller, &d.actor);
	if (rc != STORE_OK) {
		cli_error(cmd, "cannot prepare the database (root area, installation)");
		goto out;
	}
	if (cli_open_vault(cmd, &args, d.store, &d.vault)) {
		rc = STORE_ERROR;
		goto out;
	}
	vault_open = true;
	d.gen.rng.state = DEMO_SEED;
	plan_town(&d.gen);

	clock_gettime(CLOCK_MONOTONIC, &tp);
	struct areas_work aw = {.d = &d};
	rc = store_tx(d.store, STORE_WRITE, areas_tx, &aw);
	phase[0] = seconds_since(&tp);
	if (rc != STORE_OK) {
		cli_error(cmd, "cannot create the area %s: %s", aw.failed_code ? aw.failed_code : "?",
			  rc == STORE_ABORT ? aw.err.message : "the database refused it");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &tp);
	rc = store_tx(d.store, STORE_WRITE, units_tx, &d);
	phase[1] = seconds_since(&tp);
	if (rc != STORE_OK) {
		cli_error(cmd, "cannot create the units");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &tp);
	rc = build_users(&d);
	phase[2] = seconds_since(&tp);
	if (rc != STORE_OK)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &tp);
	rc = build_register(&d);
	phase[3] = seconds_since(&tp);
	if (rc != STORE_OK) {
		if (rc != STORE_ABORT)
			cli_error(cmd, "the import failed on the database's side (see the log above)");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &tp);
	rc = store_tx(d.store, STORE_WRITE, finish_tx, &d);
	phase[4] = seconds_since(&tp);
	if (rc != STORE_OK) {
		cli_error(cmd, "cannot fill the unit rosters and household tags");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &tp);
	rc = build_cases(&d, case_count, &d.cases);
	phase[5] = seconds_since(&tp);
	if (rc != STORE_OK)
		goto out;
	print_summary(&d, phase, seconds_since(&t0));
out:
	free(d.gen.grids);
	free(d.gen.weights);
	free(d.gen.ids.slots);
	if (vault_open)
		vault_wipe(&d.vault);
	store_close(d.store);
	cli_args_free(&args);
	return rc == STORE_OK ? CLI_OK : CLI_FAILURE;
}

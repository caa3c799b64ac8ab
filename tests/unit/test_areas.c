/* Areas: the pure rules as tables (codes, names, levels, outlines, path
 * arithmetic), then the store's writes and scoped reads on SQLite, and on
 * PostgreSQL when WANGGE_TEST_PG names a cluster (postgres://user@host:port). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/areas/areas.c"
#include "store_fixture.h"

/* ---- codes, names, levels ---- */

static void test_codes(void **state)
{
	(void)state;
	static const struct {
		const char *code;
		bool ok;
	} rows[] = {
		{"610102", true},
		{"610102001001-01", true},
		{"grid_7", true},
		{"A", true},
		{"123456789012345678901234567890123456789012345678", true}, /* 48 */
		{"1234567890123456789012345678901234567890123456789", false}, /* 49 */
		{"", false},
		{"6101.02", false},
		{"6101 02", false},
		{"61/01", false},
		{"东风", false},
		{"a\n", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (areas_valid_code(rows[i].code) != rows[i].ok)
			fail_msg("code '%s': expected %s", rows[i].code, rows[i].ok ? "valid" : "invalid");
	assert_false(areas_valid_code(NULL));
}

static void test_names(void **state)
{
	(void)state;
	char longest[64 * 3 + 1] = "", too_long[65 * 3 + 1] = "";
	for (int i = 0; i < 64; i++)
		strcat(longest, "区");
	snprintf(too_long, sizeof too_long, "%s区", longest);
	const struct {
		const char *name;
		bool ok;
	} rows[] = {
		{"东风社区", true},
		{"Block 7 (east)", true},
		{"楼栋 🏠", true},
		{longest, true},
		{too_long, false},
		{"", false},
		{"tab\there", false},
		{"line\nbreak", false},
		{"del\x7f", false},
		{"\xb6\xab\xb7\xe7", false}, /* GBK, not UTF-8 */
		{"\xc0\xaf", false},         /* overlong '/' */
		{"\xed\xa0\x80", false},     /* a surrogate */
		{"\xf4\x90\x80\x80", false}, /* above U+10FFFF */
		{"\xe4\xb8", false},         /* cut short */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (areas_valid_name(rows[i].name) != rows[i].ok)
			fail_msg("name #%zu: expected %s", i, rows[i].ok ? "valid" : "invalid");
}

static void test_levels(void **state)
{
	(void)state;
	static const struct {
		const char *parent, *child;
		bool fits;
	} rows[] = {
		{"root", "city", true},     {"city", "county", true},      {"county", "town", true},
		{"town", "community", true}, {"community", "grid", true},  {"grid", "building", true},
		{"community", "building", true}, /* a level may be skipped */
		{"root", "building", true},  {"city", "city", false},      {"grid", "community", false},
		{"building", "building", false}, {"city", "root", false},  {"市", "区", true},
		{"街道", "社区", true},      {"网格", "楼栋", true},        {"村", "镇", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int p = area_level_parse(rows[i].parent), c = area_level_parse(rows[i].child);
		assert_true(p >= 0 && c >= 0);
		if (areas_level_fits(p, c) != rows[i].fits)
			fail_msg("%s under %s: expected %s", rows[i].child, rows[i].parent, rows[i].fits ? "fits" : "refused");
	}
	assert_false(areas_level_fits(AREA_GRID, AREA_LEVELS));
	assert_false(areas_level_fits(-1, AREA_CITY));
}

/* ---- outlines ---- */

#define RING "[[108.9,34.2],[108.91,34.2],[108.91,34.21],[108.9,34.2]]"
#define POLY "{\"type\":\"Polygon\",\"coordinates\":[" RING "]}"

static void test_geojson(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		bool ok;
	} rows[] = {
		{POLY, true},
		{"{\"type\":\"Polygon\",\"coordinates\":[" RING "," RING "]}", true}, /* with a hole */
		{"{\"type\":\"MultiPolygon\",\"coordinates\":[[" RING "],[" RING "]]}", true},
		{"{\"type\":\"Feature\",\"properties\":{},\"geometry\":" POLY "}", true},
		{"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":" POLY "}]}", true},
		{"{\"type\":\"Polygon\",\"coordinates\":[[[1,2,3],[1,3,3],[2,3,3],[1,2,3]]]}", true}, /* altitudes */
		{"{\"type\":\"Point\",\"coordinates\":[108.9,34.2]}", false},
		{"{\"type\":\"LineString\",\"coordinates\":" RING "}", false},
		{"{\"type\":\"GeometryCollection\",\"geometries\":[" POLY "]}", false},
		{"{\"type\":\"Polygon\"}", false},
		{"{\"type\":\"Polygon\",\"coordinates\":[]}", false},
		{"{\"type\":\"Polygon\",\"coordinates\":[[[1,2],[1,3],[1,2]]]}", false}, /* 3 positions */
		{"{\"type\":\"Polygon\",\"coordinates\":[[[1,\"2\"],[1,3],[2,3],[1,2]]]}", false},
		{"{\"type\":\"Polygon\",\"coordinates\":[[[1],[1,3],[2,3],[1,2]]]}", false},
		{"{\"type\":\"MultiPolygon\",\"coordinates\":[" RING "]}", false}, /* a Polygon's nesting */
		{"{\"coordinates\":[" RING "]}", false},
		{"{\"type\":\"Feature\",\"geometry\":null}", false},
		{"{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}", false},
		{"{\"type\":\"FeatureCollection\",\"features\":[]}", false},
		{"{\"type\":\"FeatureCollection\",\"features\":[" POLY "]}", false}, /* not Features */
		{"[1,2]", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		json_t *g = json_loads(rows[i].json, JSON_DECODE_ANY, NULL);
		assert_non_null(g);
		const char *problem = areas_geojson_problem(g);
		if ((problem == NULL) != rows[i].ok)
			fail_msg("%s: %s", rows[i].json, problem ? problem : "accepted");
		json_decref(g);
	}
}

static void test_check_new(void **state)
{
	(void)state;
	static const struct {
		struct areas_new in;
		const char *field; /* NULL: accepted */
	} rows[] = {
		{{"610100", "西安市", "city", "000000", NULL}, NULL},
		{{"000000", "全域", "root", NULL, NULL}, NULL},
		{{"610100", "西安市", "市", "000000", NULL}, NULL},
		{{"6101.00", "西安市", "city", "000000", NULL}, "code"},
		{{"610100", "", "city", "000000", NULL}, "name"},
		{{"610100", "西安市", "metropolis", "000000", NULL}, "level"},
		{{"610100", "西安市", NULL, "000000", NULL}, "level"},
		{{"610100", "西安市", "city", "no/such", NULL}, "parent_code"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct areas_error err = {0};
		bool ok = areas_check_new(&rows[i].in, &err);
		if (ok != (rows[i].field == NULL) || (!ok && strcmp(err.field, rows[i].field) != 0))
			fail_msg("row %zu: %s (%s)", i, ok ? "accepted" : err.field, err.message);
		if (!ok)
			assert_int_equal(err.code, HTTP_ERR_invalid_value);
	}
	json_t *point = json_pack("{s:s, s:[i, i]}", "type", "Point", "coordinates", 1, 2);
	struct areas_new in = {"610100", "西安市", "city", "000000", point};
	struct areas_error err = {0};
	assert_false(areas_check_new(&in, &err));
	assert_string_equal(err.field, "geojson");
	json_decref(point);
}

/* ---- paths ---- */

static void test_paths(void **state)
{
	(void)state;
	char out[STORE_PATH_MAX];
	assert_true(areas_child_path("/", 1, out, sizeof out));
	assert_string_equal(out, "/1/");
	assert_true(areas_child_path("/1/5/", 23, out, sizeof out));
	assert_string_equal(out, "/1/5/23/");
	volatile size_t small = 8; /* volatile: GCC would flag the truncation it can see */
	assert_false(areas_child_path("/1/5/", 23, out, small)); /* "/1/5/23/" needs 9 bytes */
	assert_false(areas_child_path("/1/", 0, out, sizeof out));

	/* The subtree rule: a prefix ending in '/', as the range of
	 * store/scope.h, so "/1/5/" does not hold "/1/50/". */
	static const struct {
		const char *path, *top;
		bool within;
	} within[] = {
		{"/1/5/", "/1/5/", true},  {"/1/5/23/", "/1/5/", true}, {"/1/5/23/9/", "/1/5/", true},
		{"/1/50/", "/1/5/", false}, {"/1/", "/1/5/", false},    {"/2/5/", "/1/5/", false},
		{"/1/5/", "/", true},      {"/1/5", "/1/5", false},     {"/1/5/", "", false},
	};
	for (size_t i = 0; i < sizeof within / sizeof within[0]; i++) {
		if (areas_path_within(within[i].path, within[i].top) != within[i].within)
			fail_msg("%s within %s: expected %d", within[i].path, within[i].top, within[i].within);
		struct store_scope scope = {0};
		snprintf(scope.path, sizeof scope.path, "%s", within[i].top);
		size_t n = strlen(within[i].top);
		if (n && within[i].top[n - 1] == '/' && store_path_in_scope(&scope, within[i].path) != within[i].within)
			fail_msg("store_path_in_scope disagrees on %s within %s", within[i].path, within[i].top);
	}

	static const struct {
		const char *path;
		int count;
		int64_t ids[4];
	} ids[] = {
		{"/1/", 1, {1}},        {"/1/5/23/", 3, {1, 5, 23}}, {"/", 0, {0}},
		{"", -1, {0}},          {"1/5/", -1, {0}},           {"/1/5", -1, {0}},
		{"/1//5/", -1, {0}},    {"/1/x/", -1, {0}},          {"/0/", -1, {0}},
		{"/1/2/3/4/5/", -1, {0}}, /* more than max (4) */
		{"/99999999999999999999/", -1, {0}}, /* overflows */
	};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		int64_t got[4];
		int n = areas_path_ids(ids[i].path, got, 4);
		if (n != ids[i].count)
			fail_msg("ids of '%s': %d, expected %d", ids[i].path, n, ids[i].count);
		for (int k = 0; k < n; k++)
			assert_int_equal(got[k], ids[i].ids[k]);
	}

	/* Moving the subtree of /1/5/ to lie under /1/7/: its top becomes /1/7/5/. */
	static const struct {
		const char *path, *old_top, *new_top, *moved; /* NULL: refused */
	} moves[] = {
		{"/1/5/", "/1/5/", "/1/7/5/", "/1/7/5/"},
		{"/1/5/23/", "/1/5/", "/1/7/5/", "/1/7/5/23/"},
		{"/1/5/23/40/", "/1/5/", "/1/7/5/", "/1/7/5/23/40/"},
		{"/1/5/23/40/", "/1/5/23/", "/1/23/", "/1/23/40/"}, /* up a level */
		{"/1/50/", "/1/5/", "/1/7/5/", NULL},
		{"/1/", "/1/5/", "/1/7/5/", NULL},
	};
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
		bool ok = areas_moved_path(moves[i].path, moves[i].old_top, moves[i].new_top, out, sizeof out);
		if (ok != (moves[i].moved != NULL) || (ok && strcmp(out, moves[i].moved) != 0))
			fail_msg("move %s (%s -> %s): %s", moves[i].path, moves[i].old_top, moves[i].new_top,
				 ok ? out : "refused");
		/* What the UPDATE computes: new_top || substr(path, strlen(old_top) + 1), 1-based. */
		if (ok) {
			char sql_like[STORE_PATH_MAX];
			snprintf(sql_like, sizeof sql_like, "%s%s", moves[i].new_top,
				 moves[i].path + (strlen(moves[i].old_top) + 1) - 1);
			assert_string_equal(sql_like, out);
		}
	}
	small = 10;
	assert_false(areas_moved_path("/1/5/23/", "/1/5/", "/1/7/5/", out, small));
}

/* ---- the store, step by step ---- */

static int sqlite_setup(void **state)
{
	return fixture_sqlite(state, "areas");
}

static int pg_setup(void **state)
{
	return fixture_pg(state, "areas");
}

static int teardown(void **state)
{
	return fixture_teardown(state);
}

/* One step: an operation by a caller whose scope is the subtree of scope
 * (NULL: the whole tree, as the CLI), and the error it must meet. */
struct step {
	const char *op; /* create, update, outline, clear, move, delete, unit */
	const char *scope;
	const char *code;
	const char *arg;   /* create and move: the parent; update: the new name */
	const char *level; /* create */
	const char *error; /* NULL: it succeeds */
	const char *field;
};

static const struct step steps[] = {
	/* op         scope  code       arg        level         error             field */
	{"create",   NULL, "000000",  NULL,      "root",       NULL,             NULL},
	{"create",   NULL, "000001",  NULL,      "root",       "invalid_value",  "parent_code"}, /* one root */
	{"create",   NULL, "610100",  "000000",  "city",       NULL,             NULL},
	{"create",   NULL, "610102",  "610100",  "县",          NULL,             NULL},
	{"create",   NULL, "T",       "610102",  "town",       NULL,             NULL},
	{"create",   NULL, "A",       "T",       "community",  NULL,             NULL},
	{"create",   NULL, "B",       "T",       "community",  NULL,             NULL},
	{"create",   "A",  "GA",      "A",       "grid",       NULL,             NULL},
	{"create",   "A",  "BA",      "GA",      "building",   NULL,             NULL},
	{"create",   NULL, "GB",      "B",       "grid",       NULL,             NULL},
	{"create",   NULL, "GA",      "B",       "grid",       "conflict",       "code"},
	{"create",   NULL, "X",       "GB",      "grid",       "invalid_value",  "level"},
	{"create",   NULL, "X",       "BA",      "building",   "invalid_value",  "level"},
	{"create",   NULL, "X",       "nope",    "grid",       "invalid_value",  "parent_code"},
	{"create",   "A",  "X",       "B",       "grid",       "invalid_value",  "parent_code"}, /* outside = missing */
	{"create",   "A",  "X",       "T",       "community",  "invalid_value",  "parent_code"}, /* a sibling of A */
	{"create",   "A",  "X",       NULL,      "root",       "invalid_value",  "parent_code"},
	{"create",   NULL, "x y",     "A",       "grid",       "invalid_value",  "code"},
	{"update",   "A",  "A",       "新名",    NULL,         "forbidden",      NULL}, /* its own scope root */
	{"update",   "A",  "GB",      "x",       NULL,         "not_found",      NULL},
	{"update",   "A",  "nope",    "x",       NULL,         "not_found",      NULL},
	{"update",   "A",  "GA",      "\t",      NULL,         "invalid_value",  "name"},
	{"update",   "A",  "GA",      "第一网格", NULL,        NULL,             NULL},
	{"update",   NULL, "000000",  "全域",    NULL,         NULL,             NULL}, /* the CLI may */
	{"outline",  "A",  "GA",      NULL,      NULL,         NULL,             NULL},
	{"clear",    "A",  "GA",      NULL,      NULL,         NULL,             NULL},
	{"outline",  "A",  "BA",      NULL,      NULL,         NULL,             NULL},
	{"move",     "A",  "A",       "B",       NULL,         "forbidden",      NULL},
	{"move",     "A",  "GA",      "B",       NULL,         "invalid_value",  "parent_code"}, /* B outside */
	{"move",     NULL, "GA",      "BA",      NULL,         "invalid_value",  "parent_code"}, /* own subtree */
	{"move",     NULL, "GA",      "GA",      NULL,         "invalid_value",  "parent_code"}, /* itself */
	{"move",     NULL, "GA",      "GB",      NULL,         "invalid_value",  "parent_code"}, /* grid in grid */
	{"move",     NULL, "000000",  "A",       NULL,         "forbidden",      NULL},
	{"move",     "B",  "GA",      "B",       NULL,         "not_found",      NULL},
	{"move",     NULL, "GA",      "B",       NULL,         NULL,             NULL}, /* with BA */
	{"move",     "T",  "GA",      "A",       NULL,         NULL,             NULL},
	{"move",     "T",  "GA",      "B",       NULL,         NULL,             NULL},
	{"move",     NULL, "B",       "610102",  NULL,         NULL,             NULL}, /* a level up */
	{"delete",   "B",  "B",       NULL,      NULL,         "forbidden",      NULL},
	{"delete",   NULL, "B",       NULL,      NULL,         "area_not_empty", NULL}, /* children */
	{"delete",   "A",  "BA",      NULL,      NULL,         "not_found",      NULL}, /* moved out of A */
	{"delete",   "B",  "BA",      NULL,      NULL,         NULL,             NULL},
	{"delete",   NULL, "000000",  NULL,      NULL,         "forbidden",      NULL},
	{"unit",     NULL, "GB",      NULL,      NULL,         NULL,             NULL},
	{"delete",   NULL, "GB",      NULL,      NULL,         "area_not_empty", NULL}, /* a unit stands there */
	{"delete",   "B",  "GA",      NULL,      NULL,         NULL,             NULL},
	{"create",   NULL, "GA",      "A",       "grid",       NULL,             NULL}, /* the code is free again */
};

struct call {
	const struct step *step;
	struct store_scope scope;
	struct actor actor;
	json_t *outline;
	struct areas_row row;
	struct areas_error err;
};

static const char sql_unit_at[] =
	"INSERT INTO units (name, type, area_id, created_at, updated_at) SELECT 'unit', 'unit', id, 0, 0 FROM areas"
	" WHERE code = ?";

static int call_tx(struct store_conn *c, void *arg)
{
	struct call *k = arg;
	const struct step *s = k->step;
	if (strcmp(s->op, "create") == 0) {
		struct areas_new in = {s->code, s->code, s->level, s->arg, NULL};
		return areas_create(c, &k->scope, &k->actor, &in, &k->row, &k->err);
	}
	if (strcmp(s->op, "update") == 0 || strcmp(s->op, "outline") == 0 || strcmp(s->op, "clear") == 0) {
		struct areas_change ch = {.name = s->arg, .geojson = s->op[0] == 'o' ? k->outline : NULL,
					  .clear_geojson = s->op[0] == 'c'};
		return areas_update(c, &k->scope, &k->actor, s->code, &ch, &k->row, &k->err);
	}
	if (strcmp(s->op, "move") == 0)
		return areas_move(c, &k->scope, &k->actor, s->code, s->arg, &k->row, &k->err);
	if (strcmp(s->op, "delete") == 0)
		return areas_delete(c, &k->scope, &k->actor, s->code, &k->err);
	struct store_stmt *st = store_prepare(c, sql_unit_at);
	store_bind_text(st, 1, s->code);
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

struct lookup {
	struct store_scope scope;
	const char *code;
	struct areas_row row;
	json_t *json; /* ancestors, children or the outline */
	int64_t last_id;
	int rc;
};

static int get_tx(struct store_conn *c, void *arg)
{
	struct lookup *l = arg;
	l->rc = areas_get(c, &l->scope, l->code, &l->row);
	return l->rc == STORE_OK || l->rc == STORE_DONE ? STORE_OK : l->rc;
}

/* The area of that code, seen from the whole tree; it must exist. */
static struct areas_row get(struct store *s, const char *code)
{
	struct lookup l = {.code = code};
	areas_scope_all(&l.scope);
	assert_int_equal(store_tx(s, STORE_READ, get_tx, &l), STORE_OK);
	if (l.rc != STORE_OK)
		fail_msg("no area %s", code);
	return l.row;
}

static struct store_scope scope_of(struct store *s, const char *code)
{
	struct store_scope scope;
	if (!code) {
		areas_scope_all(&scope);
		return scope;
	}
	struct areas_row r = get(s, code);
	scope.area_id = r.area.id;
	snprintf(scope.path, sizeof scope.path, "%s", r.area.path);
	return scope;
}

/* Every path is its parent's plus its own id: what a move must keep. */
static const char sql_bad_paths[] =
	"SELECT COUNT(*) FROM areas a LEFT JOIN areas p ON p.id = a.parent_id"
	" WHERE a.path <> COALESCE(p.path, '/') || CAST(a.id AS TEXT) || '/'";

static const char sql_audit_count[] = "SELECT COUNT(*) FROM audit_log WHERE object_type = 'area' AND action = ?";

struct count {
	const char *sql, *arg; /* arg: NULL for none */
	int64_t n;
};

static int count_tx(struct store_conn *c, void *arg)
{
	struct count *k = arg;
	struct store_stmt *st = store_prepare(c, k->sql);
	if (k->arg)
		store_bind_text(st, 1, k->arg);
	int rc = store_step(st);
	k->n = rc == STORE_ROW ? store_col_int(st, 0) : -1;
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

static int64_t count(struct store *s, const char *sql, const char *arg)
{
	struct count k = {sql, arg, -1};
	assert_int_equal(store_tx(s, STORE_READ, count_tx, &k), STORE_OK);
	return k.n;
}

static void run_steps(struct store *s)
{
	json_t *outline = json_loads(POLY, 0, NULL);
	int64_t written[4] = {0}; /* create, update, move, delete */
	static const char *const actions[4] = {"create", "update", "move", "delete"};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		const struct step *st = &steps[i];
		struct call k = {.step = st, .outline = outline,
				 .actor = {.login = "test", .role = "admin", .address = "local", .request_id = "t"}};
		k.scope = scope_of(s, st->scope);
		int rc = store_tx(s, STORE_WRITE, call_tx, &k);
		const char *got = rc == STORE_OK ? NULL : rc == STORE_ABORT ? http_error_code(k.err.code) : "failure";
		if ((got == NULL) != (st->error == NULL) || (got && strcmp(got, st->error) != 0))
			fail_msg("step %zu (%s %s): %s, expected %s (%s)", i, st->op, st->code, got ? got : "ok",
				 st->error ? st->error : "ok", k.err.message);
		if (st->field && (!k.err.field || strcmp(k.err.field, st->field) != 0))
			fail_msg("step %zu (%s %s): field %s, expected %s", i, st->op, st->code,
				 k.err.field ? k.err.field : "none", st->field);
		bool draws = strcmp(st->op, "outline") == 0 || strcmp(st->op, "clear") == 0;
		for (int a = 0; a < 4 && rc == STORE_OK; a++)
			written[a] += strcmp(st->op, actions[a]) == 0 || (a == 1 && draws);
		int64_t bad = count(s, sql_bad_paths, NULL);
		if (bad != 0)
			fail_msg("step %zu (%s %s) left %lld paths wrong", i, st->op, st->code, (long long)bad);
	}
	json_decref(outline);
	/* One entry per write that changed something, filed where the actor stands. */
	for (int a = 0; a < 4; a++) {
		char action[32];
		snprintf(action, sizeof action, "area.%s", actions[a]);
		int64_t n = count(s, sql_audit_count, action);
		if (n != written[a])
			fail_msg("%lld %s entries, expected %lld", (long long)n, action, (long long)written[a]);
	}
}

static int ancestors_tx(struct store_conn *c, void *arg)
{
	struct lookup *l = arg;
	int rc = areas_get(c, &l->scope, l->code, &l->row);
	json_array_clear(l->json);
	return rc == STORE_OK ? areas_ancestors(c, &l->scope, &l->row, l->json) : rc;
}

static int children_tx(struct store_conn *c, void *arg)
{
	struct lookup *l = arg;
	int rc = areas_get(c, &l->scope, l->code, &l->row);
	return rc == STORE_OK ? areas_children(c, &l->scope, l->row.area.id, l->last_id, 1, l->json, &l->last_id) : rc;
}

static int outline_tx(struct store_conn *c, void *arg)
{
	struct lookup *l = arg;
	int rc = areas_get(c, &l->scope, l->code, &l->row);
	return rc == STORE_OK ? areas_get_geojson(c, &l->scope, &l->row, &l->json) : rc;
}

/* What the API reads after the steps: rows, ancestors, pages, outlines. */
static void check_reads(struct store *s)
{
	/* The tree now: 000000 > 610100 > 610102 > (T > A > GA, the new one), (B > GB). */
	struct areas_row b = get(s, "B"), k = get(s, "610102");
	assert_int_equal(b.area.parent_id, k.area.id);
	assert_string_equal(b.parent_code, "610102");
	assert_int_equal(b.child_count, 1); /* GB */
	assert_false(get(s, "GA").has_geometry);

	/* Ancestors from the scope root down, none above it. */
	static const struct {
		const char *scope, *code, *chain;
	} chains[] = {
		{NULL, "GA", "000000 610100 610102 T A"},
		{"610102", "GA", "610102 T A"},
		{"A", "GA", "A"},
		{"A", "A", ""},
		{NULL, "000000", ""},
	};
	for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++) {
		struct lookup l = {.code = chains[i].code, .json = json_array()};
		l.scope = scope_of(s, chains[i].scope);
		assert_int_equal(store_tx(s, STORE_READ, ancestors_tx, &l), STORE_OK);
		char got[200] = "";
		size_t idx;
		json_t *a;
		json_array_foreach(l.json, idx, a) {
			if (idx)
				strcat(got, " ");
			strcat(got, json_string_value(json_object_get(a, "code")));
		}
		if (strcmp(got, chains[i].chain) != 0)
			fail_msg("ancestors of %s within %s: '%s', expected '%s'", chains[i].code,
				 chains[i].scope ? chains[i].scope : "all", got, chains[i].chain);
		/* The scope root does not show its parent. */
		json_t *row = areas_row_json(&l.row, &l.scope);
		bool is_top = chains[i].scope ? strcmp(chains[i].scope, chains[i].code) == 0 : l.row.area.parent_id == 0;
		assert_int_equal(json_is_null(json_object_get(row, "parent_code")), is_top);
		json_decref(row);
		json_decref(l.json);
	}

	/* Children of 610102 page by page (limit 1): T then B, by id. */
	struct lookup l = {.code = "610102", .json = json_array()};
	areas_scope_all(&l.scope);
	const char *expect[] = {"T", "B", NULL};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_tx(s, STORE_READ, children_tx, &l), STORE_OK);
		json_t *first = json_array_get(l.json, 0);
		if (!expect[i]) {
			assert_int_equal(json_array_size(l.json), 0);
			break;
		}
		assert_string_equal(json_string_value(json_object_get(first, "code")), expect[i]);
	}
	json_decref(l.json);

	/* The outline set by a step survives the moves of its area. */
	struct lookup o = {.code = "GB"};
	areas_scope_all(&o.scope);
	assert_int_equal(store_tx(s, STORE_READ, outline_tx, &o), STORE_OK);
	assert_null(o.json);
}

static void test_store_steps(void **state)
{
	struct fixture *f = *state;
	char *err = NULL;
	if (store_open(f->url, &f->s, &err))
		fail_msg("open %s: %s", f->url, err);
	int applied;
	if (store_migrate(f->s, &applied, &err))
		fail_msg("migrate: %s", err);
	run_steps(f->s);
	check_reads(f->s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_geojson),
		cmocka_unit_test(test_check_new),
		cmocka_unit_test(test_paths),
		cmocka_unit_test_setup_teardown(test_store_steps, sqlite_setup, teardown),
	};
	int failed = cmocka_run_group_tests_name("areas", tests, NULL, NULL);
	if (getenv("WANGGE_TEST_PG")) {
		const struct CMUnitTest pg[] = {
			cmocka_unit_test_setup_teardown(test_store_steps, pg_setup, teardown),
		};
		failed += cmocka_run_group_tests_name("areas on PostgreSQL", pg, NULL, NULL);
	}
	return failed;
}

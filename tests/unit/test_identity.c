/* Identity's pure rules, as tables, and scope filtering on a real store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/identity/identity.h"
#include "modules/identity/secrets.h"

static void test_password_rules(void **state)
{
	(void)state;
	static const struct {
		const char *login, *password;
		bool ok;
	} rows[] = {
		{"wang", "correct horse", true},
		{"wang", "网格员的密码很安全哦", true}, /* ten characters, thirty bytes */
		{"wang", "short", false},
		{"wang", "123456789", false},
		{"wang", "1234567890", true},
		{"administrator", "Administrator", false},
		{"admin", "aaaaaaaaaaaa", false},
		{"admin", "网格网格网格网格网", false}, /* nine characters */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *problem = password_problem(rows[i].login, rows[i].password);
		if ((problem == NULL) != rows[i].ok)
			fail_msg("%s / %s: %s", rows[i].login, rows[i].password, problem ? problem : "accepted");
	}
	char long_pw[400];
	memset(long_pw, 'x', sizeof long_pw - 1);
	long_pw[0] = 'y';
	long_pw[sizeof long_pw - 1] = '\0';
	assert_non_null(password_problem("wang", long_pw));
}

static void test_password_hash(void **state)
{
	(void)state;
	char hash[PASSWORD_HASH_BYTES];
	assert_int_equal(password_hash("correct horse", hash), 0);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_true(password_verify(hash, "correct horse"));
	assert_false(password_verify(hash, "correct horsE"));
	char generated[32];
	password_generate(generated, sizeof generated);
	assert_int_equal(strlen(generated), 20);
	assert_null(password_problem("admin", generated));
}

static void test_tokens(void **state)
{
	(void)state;
	char a[TOKEN_CHARS + 1], b[TOKEN_CHARS + 1], ha[65], hb[65];
	token_new(a);
	token_new(b);
	assert_int_equal(strlen(a), TOKEN_CHARS);
	assert_string_not_equal(a, b);
	token_hash(a, ha);
	token_hash(b, hb);
	assert_int_equal(strlen(ha), 64);
	assert_string_not_equal(ha, hb);
	token_hash(a, hb);
	assert_string_equal(ha, hb);
}

static void test_session_expiry(void **state)
{
	(void)state;
	const int64_t t0 = 1000000000, h = 3600;
	static const struct {
		int64_t created, seen, now;
		bool expired, touch;
	} rows[] = {
		{0, 0, 0, false, false},
		{0, 0, 59, false, false},
		{0, 0, 60, false, true},
		{0, 0, 12 * 3600 - 1, false, true},
		{0, 0, 12 * 3600, true, true},                   /* idle 12 h */
		{0, 7 * 24 * 3600 - 3600, 7 * 24 * 3600 - 1, false, true}, /* active, under 7 days */
		{0, 7 * 24 * 3600 - 10, 7 * 24 * 3600, true, false}, /* 7 days whatever the activity */
	};
	(void)h;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(session_expired(t0 + rows[i].created, t0 + rows[i].seen, t0 + rows[i].now), rows[i].expired);
		assert_int_equal(session_needs_touch(t0 + rows[i].seen, t0 + rows[i].now), rows[i].touch);
	}
}

static void test_csrf(void **state)
{
	(void)state;
	assert_false(csrf_required("GET", false));
	assert_false(csrf_required("HEAD", false));
	assert_true(csrf_required("POST", false));
	assert_true(csrf_required("DELETE", false));
	assert_true(csrf_required("PATCH", false));
	assert_false(csrf_required("POST", true));
	assert_true(csrf_matches("abc123", "abc123"));
	assert_false(csrf_matches("abc124", "abc123"));
	assert_false(csrf_matches("abc12", "abc123"));
	assert_false(csrf_matches(NULL, "abc123"));
	assert_false(csrf_matches("", ""));
}

static void test_throttle(void **state)
{
	(void)state;
	const struct throttle_rule *pair = &throttle_rules[0], *addr = &throttle_rules[1], *login = &throttle_rules[2];
	static const struct {
		int rule;
		int64_t failures, lock;
	} rows[] = {
		{0, 1, 0}, {0, 5, 0}, {0, 6, 1}, {0, 7, 2}, {0, 10, 16}, {0, 15, 512}, {0, 16, 900}, {0, 1000, 900},
		{1, 20, 0}, {1, 21, 1}, {1, 40, 3600}, {2, 20, 0}, {2, 22, 2}, {2, 27, 60}, {2, 100000, 60},
	};
	const struct throttle_rule *rules[] = {pair, addr, login};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (throttle_lock_seconds(rules[rows[i].rule], rows[i].failures) != rows[i].lock)
			fail_msg("rule %s, %lld failures: %lld s", rules[rows[i].rule]->prefix, (long long)rows[i].failures,
				 (long long)throttle_lock_seconds(rules[rows[i].rule], rows[i].failures));
}

static void test_roles(void **state)
{
	(void)state;
	assert_int_equal(role_parse("grid_worker"), ROLE_GRID_WORKER);
	assert_int_equal(role_parse("root"), ROLE_NONE);
	assert_string_equal(role_name(ROLE_HANDLER), "handler");
	assert_true(role_rank(ROLE_ADMIN) > role_rank(ROLE_COMMANDER));
	assert_true(role_rank(ROLE_STAFF) > role_rank(ROLE_GRID_WORKER));
	assert_true(role_rank(ROLE_VOLUNTEER) > role_rank(ROLE_RESIDENT));
	assert_true(role_has(ROLE_RESIDENT, "public"));
	assert_true(role_has(ROLE_RESIDENT, "session"));
	assert_false(role_has(ROLE_NONE, "session"));
	assert_false(role_has(ROLE_RESIDENT, "areas.read"));
	assert_true(role_has(ROLE_GRID_WORKER, "areas.read"));
	assert_false(role_has(ROLE_GRID_WORKER, "users.read"));
	assert_false(role_has(ROLE_STAFF, "audit.read"));
	assert_true(role_has(ROLE_COMMANDER, "audit.read"));
	assert_false(role_has(ROLE_ADMIN, "no.such.permission"));
	assert_false(permission_known("no.such.permission"));
	assert_true(permission_known("units.manage"));
}

static void test_masking(void **state)
{
	(void)state;
	char out[32];
	mask_phone("13812345678", out, sizeof out);
	assert_string_equal(out, "138****5678");
	mask_phone("", out, sizeof out);
	assert_string_equal(out, "");
	mask_phone("12345", out, sizeof out); /* short numbers hide every digit */
	assert_string_equal(out, "*****");
	mask_phone("8888666", out, sizeof out);
	assert_string_equal(out, "*******");
}

/* Subtree filtering: the materialized-path range on a real database. */
static const char sql_area[] =
	"INSERT INTO areas (code, name, level, parent_id, path, created_at, updated_at) VALUES (?, ?, ?, NULL, ?, 0, 0)";

struct area_row {
	const char *code, *path;
};
static const struct area_row tree[] = {
	{"root", "/1/"},      {"c1", "/1/2/"},      {"c1-g1", "/1/2/3/"}, {"c1-g1-b", "/1/2/3/9/"},
	{"c10", "/1/20/"},   {"c10-g", "/1/20/21/"}, {"c2", "/1/4/"},      {"c2-g1", "/1/4/5/"},
};

static int seed_tx(struct store_conn *c, void *arg)
{
	(void)arg;
	for (size_t i = 0; i < sizeof tree / sizeof tree[0]; i++) {
		struct store_stmt *st = store_prepare(c, sql_area);
		store_bind_text(st, 1, tree[i].code);
		store_bind_text(st, 2, tree[i].code);
		store_bind_int(st, 3, 1);
		store_bind_text(st, 4, tree[i].path);
		int rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

struct find {
	struct store_scope scope;
	const char *code;
	int rc;
};

static int find_tx(struct store_conn *c, void *arg)
{
	struct find *f = arg;
	struct area_ref a;
	f->rc = area_find(c, &f->scope, f->code, &a);
	return STORE_OK;
}

static void test_subtree_filtering(void **state)
{
	(void)state;
	char path[64], url[80];
	snprintf(path, sizeof path, "/tmp/wangge-identity-%d.db", getpid());
	snprintf(url, sizeof url, "sqlite:%s", path);
	unlink(path);
	struct store *s;
	char *err = NULL;
	int applied;
	assert_int_equal(store_open(url, &s, &err), 0);
	assert_int_equal(store_migrate(s, &applied, &err), 0);
	assert_int_equal(store_tx(s, STORE_WRITE, seed_tx, NULL), STORE_OK);
	/* scope path -> code -> found? */
	static const struct {
		const char *scope, *code;
		bool found;
	} rows[] = {
		{"/1/", "c2-g1", true},      {"/1/2/", "c1", true},       {"/1/2/", "c1-g1-b", true},
		{"/1/2/", "c10", false},     {"/1/2/", "c10-g", false},   {"/1/2/", "c2-g1", false},
		{"/1/2/", "root", false},    {"/1/2/3/", "c1-g1", true},  {"/1/2/3/", "c1", false},
		{"/1/20/", "c10-g", true},   {"/1/20/", "c1-g1", false},  {"/1/4/5/", "c1-g1", false},
		{"/1/4/5/", "missing", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct find f = {.code = rows[i].code};
		snprintf(f.scope.path, sizeof f.scope.path, "%s", rows[i].scope);
		assert_int_equal(store_tx(s, STORE_READ, find_tx, &f), STORE_OK);
		if ((f.rc == STORE_OK) != rows[i].found)
			fail_msg("scope %s, area %s: rc %d", rows[i].scope, rows[i].code, f.rc);
		assert_int_equal(store_path_in_scope(&f.scope, "/1/2/3/9/"), strncmp("/1/2/3/9/", rows[i].scope, strlen(rows[i].scope)) == 0);
	}
	store_close(s);
	unlink(path);
	char side[96];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_rules), cmocka_unit_test(test_password_hash),
		cmocka_unit_test(test_tokens),         cmocka_unit_test(test_session_expiry),
		cmocka_unit_test(test_csrf),           cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_roles),          cmocka_unit_test(test_masking),
		cmocka_unit_test(test_subtree_filtering),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Router matching, as a table: method + path -> result, route, parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.c"

static void h(struct http_req *req) { (void)req; }

static const struct http_route routes[] = {
	{HTTP_GET, "/healthz", h, "public", NULL, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/cases", h, "cases.read", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/cases", h, "cases.create", NULL, HTTP_BODY_JSON, 0},
	{HTTP_GET, "/api/v1/cases/{id}", h, "cases.read", NULL, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/cases/stats", h, "cases.read", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/cases/{id}/actions", h, "cases.act", NULL, HTTP_BODY_JSON, 0},
	{HTTP_DELETE, "/api/v1/areas/{area}/users/{user}", h, "users.manage", NULL, HTTP_BODY_NONE, 0},
};
static const struct http_module mod = {"test", routes, sizeof routes / sizeof routes[0]};

struct row {
	const char *method, *path;
	enum router_result want;
	int route; /* index in routes, or -1 */
	const char *param1, *value1, *param2, *value2;
	const char *allow;
};

static const struct row rows[] = {
	{"GET", "/healthz", ROUTER_FOUND, 0, NULL, NULL, NULL, NULL, NULL},
	{"HEAD", "/healthz", ROUTER_FOUND, 0, NULL, NULL, NULL, NULL, NULL},
	{"GET", "/healthz/", ROUTER_NOT_FOUND, -1, NULL, NULL, NULL, NULL, NULL},
	{"GET", "/", ROUTER_NOT_FOUND, -1, NULL, NULL, NULL, NULL, NULL},
	{"GET", "healthz", ROUTER_NOT_FOUND, -1, NULL, NULL, NULL, NULL, NULL},
	{"GET", "/api/v1/cases", ROUTER_FOUND, 1, NULL, NULL, NULL, NULL, NULL},
	{"POST", "/api/v1/cases", ROUTER_FOUND, 2, NULL, NULL, NULL, NULL, NULL},
	{"GET", "/api/v1/cases/42", ROUTER_FOUND, 3, "id", "42", NULL, NULL, NULL},
	{"GET", "/api/v1/cases/stats", ROUTER_FOUND, 4, NULL, NULL, NULL, NULL, NULL},
	{"GET", "/api/v1/cases//actions", ROUTER_NOT_FOUND, -1, NULL, NULL, NULL, NULL, NULL},
	{"POST", "/api/v1/cases/7/actions", ROUTER_FOUND, 5, "id", "7", NULL, NULL, NULL},
	{"GET", "/api/v1/cases/7/actions", ROUTER_BAD_METHOD, -1, NULL, NULL, NULL, NULL, "POST"},
	{"PUT", "/api/v1/cases", ROUTER_BAD_METHOD, -1, NULL, NULL, NULL, NULL, "GET, HEAD, POST"},
	{"PROPFIND", "/api/v1/cases", ROUTER_BAD_METHOD, -1, NULL, NULL, NULL, NULL, "GET, HEAD, POST"},
	{"DELETE", "/api/v1/areas/610000/users/alice", ROUTER_FOUND, 6, "area", "610000", "user", "alice", NULL},
	{"DELETE", "/api/v1/areas/610000/users", ROUTER_NOT_FOUND, -1, NULL, NULL, NULL, NULL, NULL},
	{"GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z", ROUTER_NOT_FOUND, -1, NULL, NULL, NULL, NULL, NULL},
};

static void test_match_table(void **state)
{
	(void)state;
	struct router r = {0};
	char *err = NULL;
	assert_int_equal(router_add(&r, &mod, &err), 0);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *w = &rows[i];
		char *path = strdup(w->path);
		struct router_match m;
		enum router_result got = router_match(&r, w->method, path, &m);
		if (got != w->want)
			fail_msg("%s %s: got %d, want %d", w->method, w->path, got, w->want);
		if (w->route >= 0)
			assert_ptr_equal(m.entry->route, &routes[w->route]);
		if (w->param1)
			assert_string_equal(router_param(&m, w->param1), w->value1);
		if (w->param2)
			assert_string_equal(router_param(&m, w->param2), w->value2);
		if (got == ROUTER_FOUND)
			assert_null(router_param(&m, "nonexistent"));
		if (w->allow)
			assert_string_equal(m.allow, w->allow);
		free(path);
	}
	router_free(&r);
}

static void test_rejects_bad_tables(void **state)
{
	(void)state;
	static const struct http_route dup[] = {
		{HTTP_GET, "/x", h, "public", NULL, HTTP_BODY_NONE, 0},
		{HTTP_GET, "/x", h, "public", NULL, HTTP_BODY_NONE, 0},
	};
	static const struct http_route bad_pattern[] = {{HTTP_GET, "/x/{id", h, "public", NULL, HTTP_BODY_NONE, 0}};
	static const struct http_route no_slash[] = {{HTTP_GET, "x", h, "public", NULL, HTTP_BODY_NONE, 0}};
	static const struct http_route no_perm[] = {{HTTP_GET, "/y", h, NULL, NULL, HTTP_BODY_NONE, 0}};
	static const struct http_route empty_seg[] = {{HTTP_GET, "/a//b", h, "public", NULL, HTTP_BODY_NONE, 0}};
	const struct http_module mods[] = {
		{"dup", dup, 2}, {"bad", bad_pattern, 1}, {"slash", no_slash, 1},
		{"perm", no_perm, 1}, {"empty", empty_seg, 1},
	};
	for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++) {
		struct router r = {0};
		char *err = NULL;
		assert_int_equal(router_add(&r, &mods[i], &err), -1);
		assert_non_null(err);
		free(err);
		router_free(&r);
	}
}

static void test_methods(void **state)
{
	(void)state;
	assert_int_equal(router_method("GET"), HTTP_GET);
	assert_int_equal(router_method("HEAD"), HTTP_GET);
	assert_int_equal(router_method("DELETE"), HTTP_DELETE);
	assert_int_equal(router_method("get"), 0);
	assert_int_equal(router_method("TRACE"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_rejects_bad_tables),
		cmocka_unit_test(test_methods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

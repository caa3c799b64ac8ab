/* The error registry and the envelope of design.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static void test_registry_is_sane(void **state)
{
	(void)state;
	static const unsigned allowed[] = {400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503};
	for (int e = 0; e < HTTP_ERR_COUNT; e++) {
		const char *code = http_error_code(e);
		for (const char *p = code; *p; p++)
			assert_true(islower((unsigned char)*p) || *p == '_');
		for (int k = 0; k < e; k++)
			assert_string_not_equal(code, http_error_code(k));
		bool ok = false;
		for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
			ok |= http_error_status(e) == allowed[i];
		assert_true(ok);
		assert_true(strlen(http_error_message(e)) > 0);
	}
	assert_int_equal(http_error_status(HTTP_ERR_not_found), 404);
	assert_int_equal(http_error_status(HTTP_ERR_invalid_type), 422);
	assert_int_equal(http_error_status(HTTP_ERR_COUNT), 500);
}

static void test_envelope(void **state)
{
	(void)state;
	json_t *body = http_error_body(HTTP_ERR_invalid_type, "age", "'age' must be an integer");
	char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"error\":{\"code\":\"invalid_type\",\"field\":\"age\",\"message\":\"'age' must be an integer\"}}");
	free(text);
	json_decref(body);
	body = http_error_body(HTTP_ERR_not_found, NULL, NULL);
	text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"error\":{\"code\":\"not_found\",\"field\":null,\"message\":\"Not found\"}}");
	free(text);
	json_decref(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_is_sane),
		cmocka_unit_test(test_envelope),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

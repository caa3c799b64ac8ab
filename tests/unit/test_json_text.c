/* JSON written straight into a buffer (core/json_text.c) and the string
 * escaper under it: the text must parse, say what was written, and stay
 * valid JSON whatever bytes a row holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "core/json_text.h"

static char *escaped(const char *s)
{
	struct buf b = {0};
	buf_json_escape(&b, s);
	return buf_steal(&b);
}

static void expect_escape(const char *in, const char *want)
{
	char *got = escaped(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_escape(void **state)
{
	(void)state;
	expect_escape("plain text", "plain text");
	expect_escape("say \"hi\" \\ bye", "say \\\"hi\\\" \\\\ bye");
	expect_escape("a\nb\rc\td\x01", "a\\nb\\rc\\td\\u0001");
	expect_escape("楼下垃圾 😀", "楼下垃圾 😀"); /* UTF-8 stays as it is */
	expect_escape("", "");
	/* Not UTF-8: a lone continuation byte, a cut sequence, an overlong
	 * slash, a surrogate, past U+10FFFF; each bad byte is replaced. */
	expect_escape("a\x80z", "a\\ufffdz");
	expect_escape("\xe6\xa5", "\\ufffd\\ufffd");
	expect_escape("\xc0\xaf", "\\ufffd\\ufffd");
	expect_escape("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd");
	expect_escape("\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd");
	/* Whatever the bytes, jansson reads the result back. */
	char *got = escaped("x\xff\"\x1f\xe6\xa5\xbc");
	struct buf quoted = {0};
	buf_printf(&quoted, "\"%s\"", got);
	json_error_t err;
	json_t *v = json_loads(quoted.data, JSON_DECODE_ANY, &err);
	assert_non_null(v);
	assert_string_equal(json_string_value(v), "x\xef\xbf\xbd\"\x1f\xe6\xa5\xbc");
	json_decref(v);
	buf_free(&quoted);
	free(got);
}

static void test_writer(void **state)
{
	(void)state;
	struct json_text t = {0};
	jt_object(&t, NULL);
	jt_int(&t, "id", -42);
	jt_string(&t, "name", "名\"字");
	jt_string(&t, "none", NULL);
	jt_bool(&t, "yes", true);
	jt_bool(&t, "no", false);
	jt_null(&t, "nothing");
	jt_object(&t, "location");
	jt_micros(&t, "lat", 30123456);
	jt_micros(&t, "lon", -1500000);
	jt_object_end(&t);
	jt_array(&t, "empty");
	jt_array_end(&t);
	jt_array(&t, "list");
	jt_int(&t, NULL, 1);
	jt_object(&t, NULL);
	jt_raw(&t, "data", "{\"k\":[1,2]}");
	jt_object_end(&t);
	jt_string(&t, NULL, "three");
	jt_array_end(&t);
	jt_object_end(&t);
	assert_string_equal(t.out.data, "{\"id\":-42,\"name\":\"名\\\"字\",\"none\":null,\"yes\":true,\"no\":false,"
					"\"nothing\":null,\"location\":{\"lat\":30.123456,\"lon\":-1.500000},"
					"\"empty\":[],\"list\":[1,{\"data\":{\"k\":[1,2]}},\"three\"]}");
	json_t *v = json_loadb(t.out.data, t.out.len, 0, NULL);
	assert_non_null(v);
	assert_true(json_real_value(json_object_get(json_object_get(v, "location"), "lat")) == 30.123456);
	json_decref(v);
	buf_free(&t.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

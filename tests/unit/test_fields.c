/* Field specs: a body in, destinations or an error (code, field) out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "http/http.h"

struct body {
	const char *name;
	int64_t age;
	bool active;
	const char *note;
	bool note_given;
	json_t *tags;
};

static void specs_for(struct body *b, struct field_spec *out)
{
	const struct field_spec specs[] = {
		FIELD_STR("name", &b->name, 1, 4),
		FIELD_INT_RANGE("age", &b->age, 0, 150),
		FIELD_BOOL_OPT("active", &b->active),
		{.name = "note", .type = FIELD_STRING, .dest = &b->note, .optional = true, .max = 10, .present = &b->note_given},
		{.name = "tags", .type = FIELD_ARRAY, .dest = &b->tags, .optional = true},
		FIELD_END,
	};
	memcpy(out, specs, sizeof specs);
}

/* body -> 0 or the error code and field */
static const struct {
	const char *json;
	int rc;
	enum http_error code;
	const char *field;
} rows[] = {
	{"{\"name\":\"张三\",\"age\":30}", 0, 0, NULL},
	{"{\"name\":\"网格员王\",\"age\":0,\"active\":true,\"note\":null,\"tags\":[]}", 0, 0, NULL},
	{"{\"name\":\"abcd\",\"age\":150}", 0, 0, NULL},
	{"{\"name\":\"abcde\",\"age\":1}", -1, HTTP_ERR_invalid_value, "name"},
	{"{\"name\":\"网格员王五\",\"age\":1}", -1, HTTP_ERR_invalid_value, "name"},
	{"{\"name\":\"\",\"age\":1}", -1, HTTP_ERR_invalid_value, "name"},
	{"{\"age\":1}", -1, HTTP_ERR_missing_field, "name"},
	{"{\"name\":null,\"age\":1}", -1, HTTP_ERR_missing_field, "name"},
	{"{\"name\":\"a\"}", -1, HTTP_ERR_missing_field, "age"},
	{"{\"name\":\"a\",\"age\":\"30\"}", -1, HTTP_ERR_invalid_type, "age"},
	{"{\"name\":\"a\",\"age\":30.5}", -1, HTTP_ERR_invalid_type, "age"},
	{"{\"name\":\"a\",\"age\":151}", -1, HTTP_ERR_invalid_value, "age"},
	{"{\"name\":\"a\",\"age\":-1}", -1, HTTP_ERR_invalid_value, "age"},
	{"{\"name\":\"a\",\"age\":1,\"active\":1}", -1, HTTP_ERR_invalid_type, "active"},
	{"{\"name\":\"a\",\"age\":1,\"tags\":{}}", -1, HTTP_ERR_invalid_type, "tags"},
	{"{\"name\":\"a\",\"age\":1,\"note\":\"01234567890\"}", -1, HTTP_ERR_invalid_value, "note"},
	{"{\"name\":\"a\",\"age\":1,\"nmae\":\"x\"}", -1, HTTP_ERR_unknown_field, "nmae"},
	{"[]", -1, HTTP_ERR_invalid_body, NULL},
	{"\"text\"", -1, HTTP_ERR_invalid_body, NULL},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		json_t *obj = json_loads(rows[i].json, JSON_DECODE_ANY, NULL);
		assert_non_null(obj);
		struct body b = {0};
		struct field_spec specs[8];
		specs_for(&b, specs);
		struct field_error err = {0};
		int rc = fields_parse(obj, specs, &err);
		if (rc != rows[i].rc)
			fail_msg("%s: rc %d (%s)", rows[i].json, rc, err.message);
		if (rc) {
			assert_int_equal(err.code, rows[i].code);
			if (rows[i].field)
				assert_string_equal(err.field, rows[i].field);
			else
				assert_null(err.field);
			assert_true(strlen(err.message) > 0);
		}
		json_decref(obj);
	}
}

static void test_destinations(void **state)
{
	(void)state;
	json_t *obj = json_loads("{\"name\":\"李四\",\"age\":42,\"active\":true,\"note\":\"hi\",\"tags\":[1]}", 0, NULL);
	struct body b = {0};
	struct field_spec specs[8];
	specs_for(&b, specs);
	struct field_error err;
	assert_int_equal(fields_parse(obj, specs, &err), 0);
	assert_string_equal(b.name, "李四");
	assert_int_equal(b.age, 42);
	assert_true(b.active);
	assert_true(b.note_given);
	assert_string_equal(b.note, "hi");
	assert_int_equal(json_array_size(b.tags), 1);
	json_decref(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_destinations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

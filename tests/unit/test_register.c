/* The register's pure rules: person checks and import header and value
 * mapping, as tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "modules/register/register.h"

static void test_person_check(void **state)
{
	(void)state;
	static const struct {
		struct person_input in;
		enum person_field_error want;
		const char *sex, *birth;
	} rows[] = {
		{{.name = "张三"}, PERSON_OK, "", ""},
		{{.name = ""}, PERSON_BAD_NAME, NULL, NULL},
		{{.name = "张三", .id_number = "11010519491231002x"}, PERSON_OK, "F", "1949-12-31"},
		{{.name = "张三", .id_number = "11010519491231002X", .sex = "M"}, PERSON_ID_SEX_MISMATCH, NULL, NULL},
		{{.name = "张三", .id_number = "11010519491231002X", .birth_date = "1949-12-30"}, PERSON_ID_BIRTH_MISMATCH, NULL, NULL},
		{{.name = "张三", .id_number = "110105194912310021"}, PERSON_BAD_ID, NULL, NULL},
		{{.name = "张三", .birth_date = "2000-02-29"}, PERSON_OK, "", "2000-02-29"},
		{{.name = "张三", .birth_date = "1900-02-29"}, PERSON_BAD_BIRTH, NULL, NULL},
		{{.name = "张三", .birth_date = "2030-01-01"}, PERSON_BAD_BIRTH, NULL, NULL},
		{{.name = "张三", .birth_date = "1990-1-1"}, PERSON_BAD_BIRTH, NULL, NULL},
		{{.name = "张三", .sex = "X"}, PERSON_BAD_SEX, NULL, NULL},
		{{.name = "张三", .phone = "138 1234 5678"}, PERSON_OK, "", ""},
		{{.name = "张三", .phone = "029-87654321"}, PERSON_OK, "", ""},
		{{.name = "张三", .phone = "12345"}, PERSON_BAD_PHONE, NULL, NULL},
		{{.name = "张三", .relation = "head"}, PERSON_OK, "", ""},
		{{.name = "张三", .relation = "boss"}, PERSON_BAD_RELATION, NULL, NULL},
		{{.name = "张三", .status = "deceased"}, PERSON_OK, "", ""},
		{{.name = "张三", .status = "lost"}, PERSON_BAD_STATUS, NULL, NULL},
		{{.name = "张三", .id_type = "passport", .id_number = "e1234 5678"}, PERSON_OK, "", ""},
		{{.name = "张三", .id_type = "library_card", .id_number = "1"}, PERSON_BAD_ID_TYPE, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct person_clean out;
		const char *field = NULL, *why = NULL;
		enum person_field_error got = person_check(&rows[i].in, "20261122", &out, &field, &why);
		if (got != rows[i].want)
			fail_msg("row %zu: got %d (%s: %s), want %d", i, got, field, why, rows[i].want);
		if (got == PERSON_OK) {
			assert_string_equal(out.sex, rows[i].sex);
			assert_string_equal(out.birth_date, rows[i].birth);
		} else {
			assert_non_null(field);
			assert_non_null(why);
		}
	}
	struct person_clean out;
	const char *field, *why;
	struct person_input in = {.name = "李四", .id_number = "11010519491231002X", .phone = "+86 138-1234-5678"};
	assert_int_equal(person_check(&in, "20261122", &out, &field, &why), PERSON_OK);
	assert_string_equal(out.id_masked, "110105********002X");
	assert_string_equal(out.phone, "13812345678");
	assert_string_equal(out.phone_masked, "138****5678");
	assert_string_equal(out.status, "living");
	assert_string_equal(out.id_type, "resident_id");
}

static void test_import_headers(void **state)
{
	(void)state;
	static const struct {
		const char *header;
		enum import_field want;
	} rows[] = {
		{"姓名", IMPORT_NAME},         {" 姓名 ", IMPORT_NAME},     {"\xE3\x80\x80姓名", IMPORT_NAME},
		{"Name", IMPORT_NAME},         {"身份证号", IMPORT_ID_NUMBER}, {"公民身份号码", IMPORT_ID_NUMBER},
		{"证件号码", IMPORT_ID_NUMBER}, {"联系电话", IMPORT_PHONE},   {"手机号", IMPORT_PHONE},
		{"住址", IMPORT_ADDRESS},       {"网格", IMPORT_GRID},        {"与户主关系", IMPORT_RELATION},
		{"户主关系", IMPORT_RELATION},  {"标签", IMPORT_TAGS},        {"tags", IMPORT_TAGS},
		{"备注", IMPORT_NOTES},         {"民族", IMPORT_IGNORE},      {"", IMPORT_IGNORE},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (import_field_of(rows[i].header) != rows[i].want)
			fail_msg("header '%s': got %s", rows[i].header, import_field_name(import_field_of(rows[i].header)));
}

static void test_import_values(void **state)
{
	(void)state;
	static const struct {
		const char *(*fn)(const char *);
		const char *cell, *want;
	} rows[] = {
		{import_sex, "男", "M"},         {import_sex, "女", "F"},          {import_sex, "female", "F"},
		{import_sex, "未知", NULL},       {import_relation, "户主", "head"}, {import_relation, "妻子", "spouse"},
		{import_relation, "长女", "child"}, {import_relation, "孙辈", "grandchild"},
		{import_relation, "兄弟姐妹", "sibling"}, {import_relation, "邻居", NULL},
		{import_status, "在住", "living"}, {import_status, "迁出", "moved_out"}, {import_status, "已故", "deceased"},
		{import_status, "失联", NULL},     {import_id_type, "居民身份证", "resident_id"},
		{import_id_type, "护照", "passport"}, {import_id_type, "台胞证", "taiwan_permit"},
		{import_id_type, "军官证", NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *got = rows[i].fn(rows[i].cell);
		if (rows[i].want ? !got || strcmp(got, rows[i].want) : got != NULL)
			fail_msg("'%s': got %s", rows[i].cell, got ? got : "NULL");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_person_check),
		cmocka_unit_test(test_import_headers),
		cmocka_unit_test(test_import_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The rendered-case cache (case_cache.c) and the instant a rendered case
 * turns stale without a write (case_json_valid_until): an entry is served
 * only for its own id, parties, version and generation, before its end,
 * and the table's memory stays bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/cases/cases_internal.h"

static void test_valid_until(void **state)
{
	(void)state;
	struct case_row row = {.sign_due_at = 1000, .resolve_due_at = 5000};
	snprintf(row.state, sizeof row.state, "dispatched");
	assert_int_equal(case_json_valid_until(&row, 900), 1001);   /* overdue from 1001 on */
	assert_int_equal(case_json_valid_until(&row, 1000), 1001);
	assert_int_equal(case_json_valid_until(&row, 1001), INT64_MAX); /* overdue already: stays so */
	snprintf(row.state, sizeof row.state, "signed");
	assert_int_equal(case_json_valid_until(&row, 900), 5001);
	row.resolve_due_at = 0;
	assert_int_equal(case_json_valid_until(&row, 900), INT64_MAX); /* no deadline */
	snprintf(row.state, sizeof row.state, "submitted");
	assert_int_equal(case_json_valid_until(&row, 900), INT64_MAX);
}

static void expect_text(int64_t id, unsigned parties, int version, uint64_t gen, int64_t now, const char *want)
{
	size_t len = 0;
	char *got = case_cache_get(id, parties, version, gen, now, &len);
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	free(got);
}

static void test_keys(void **state)
{
	(void)state;
	uint64_t gen = case_cache_generation();
	case_cache_put(7, 0x6, 3, gen, 100, "{\"v\":3}", 7);
	expect_text(7, 0x6, 3, gen, 99, "{\"v\":3}");
	expect_text(7, 0x6, 3, gen, 100, NULL);     /* past its end */
	expect_text(7, 0x6, 4, gen, 99, NULL);      /* another version */
	expect_text(7, 0x1, 3, gen, 99, NULL);      /* other parties */
	expect_text(8, 0x6, 3, gen, 99, NULL);      /* another case */
	expect_text(7, 0x6, 3, gen + 1, 99, NULL);  /* a later generation */
	case_cache_categories_changed();
	assert_true(case_cache_generation() > gen);
	identity_directory_changed();
	assert_true(case_cache_generation() > gen + 1);
	expect_text(7, 0x6, 3, case_cache_generation(), 99, NULL);
	case_cache_close();
}

static void test_bounded(void **state)
{
	(void)state;
	uint64_t gen = case_cache_generation();
	/* Too large a text is not kept. */
	size_t big = 64 * 1024;
	char *text = malloc(big);
	memset(text, 'x', big);
	case_cache_put(1, 0, 1, gen, 100, text, big);
	expect_text(1, 0, 1, gen, 0, NULL);
	/* Many cases of 15 KB: the total stays under its cap, and what is
	 * kept still answers right. */
	size_t kept = 0;
	for (int64_t id = 1; id <= 4000; id++) {
		snprintf(text, 32, "%lld", (long long)id);
		case_cache_put(id, 0, 1, gen, 100, text, 15 * 1024);
	}
	for (int64_t id = 1; id <= 4000; id++) {
		size_t len;
		char *got = case_cache_get(id, 0, 1, gen, 0, &len);
		if (!got)
			continue;
		char want[32];
		snprintf(want, sizeof want, "%lld", (long long)id);
		assert_string_equal(got, want);
		kept += len;
		free(got);
	}
	assert_true(kept > 0);
	assert_true(kept <= 8 * 1024 * 1024);
	free(text);
	case_cache_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_until),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

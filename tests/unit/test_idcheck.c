/* Identity documents and phone numbers: each rule as a table row, input ->
 * result. Resident numbers are built with idcheck_make() so that a row
 * tests the rule it names and not, by accident, the check character. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/idcheck.h"

/* Every resident row is judged on this day. */
#define TODAY "20240615"

/* How a row's text becomes the input: as written, or its 17 digits completed
 * with the right check character, the right one in lower case (only ever
 * 'x'), or the character after the right one in "0123456789X". */
enum build { AS_IS, MAKE, MAKE_LOWER, MAKE_WRONG };

static const struct {
	const char *text;
	enum build build;
	enum idcheck_result result;
} resident_rows[] = {
	/* the example number of GB 11643 itself */
	{"11010519491231002X", AS_IS, ID_OK},
	{"11010519491231002x", AS_IS, ID_OK},
	{"61010219900307018", MAKE_LOWER, ID_OK},
	{"61010219900307123", MAKE, ID_OK},
	/* calendar: 2000 is a leap year (divisible by 400), 1900 is not (by 100) */
	{"61010220000229123", MAKE, ID_OK},
	{"61010219000229123", MAKE, ID_DATE},
	{"61010220230229123", MAKE, ID_DATE},
	{"61010220240229123", MAKE, ID_OK},
	{"61010220230228123", MAKE, ID_OK},
	{"61010219900430123", MAKE, ID_OK},
	{"61010219900431123", MAKE, ID_DATE},
	{"61010219901231123", MAKE, ID_OK},
	{"61010219901232123", MAKE, ID_DATE},
	{"61010219901200123", MAKE, ID_DATE},
	{"61010219901301123", MAKE, ID_DATE},
	{"61010219900001123", MAKE, ID_DATE},
	/* years: from 1890 up to today, today included */
	{"61010218900101123", MAKE, ID_OK},
	{"61010218891231123", MAKE, ID_DATE},
	{"61010218800101123", MAKE, ID_DATE},
	{"61010200000101123", MAKE, ID_DATE},
	{"61010220240615123", MAKE, ID_OK},
	{"61010220240616123", MAKE, ID_FUTURE},
	{"61010220250101123", MAKE, ID_FUTURE},
	/* region: province list, prefecture not 00 on the mainland, county free */
	{"99010219900307123", MAKE, ID_REGION},
	{"00010219900307123", MAKE, ID_REGION},
	{"16010219900307123", MAKE, ID_REGION},
	{"20010219900307123", MAKE, ID_REGION},
	{"47010219900307123", MAKE, ID_REGION},
	{"66010219900307123", MAKE, ID_REGION},
	{"72010219900307123", MAKE, ID_REGION},
	{"84010219900307123", MAKE, ID_REGION},
	{"91010219900307123", MAKE, ID_REGION},
	{"61000219900307123", MAKE, ID_REGION},
	{"11000019900307123", MAKE, ID_REGION},
	{"11010019900307123", MAKE, ID_OK},
	{"44030019851111001", MAKE, ID_OK},
	{"65010219900307123", MAKE, ID_OK},
	{"71000019900307123", MAKE, ID_OK},
	{"81000019900307123", MAKE, ID_OK},
	{"82000019900307123", MAKE, ID_OK},
	{"83000019900307123", MAKE, ID_OK},
	/* check character wrong, one row per kind of mistake */
	{"110105194912310021", AS_IS, ID_CHECK_DIGIT}, /* digit where X belongs */
	{"61010219900307123X", AS_IS, ID_CHECK_DIGIT}, /* X where a digit belongs */
	{"61010219900307123", MAKE_WRONG, ID_CHECK_DIGIT}, /* another digit */
	{"61010219900307018", MAKE_WRONG, ID_CHECK_DIGIT}, /* X+1 wraps to 0 */
	{"11010619491231002X", AS_IS, ID_CHECK_DIGIT}, /* region digit changed */
	{"11010519491230002X", AS_IS, ID_CHECK_DIGIT}, /* birth date digit changed */
	{"11010519491231003X", AS_IS, ID_CHECK_DIGIT}, /* sequence digit changed */
	/* length before anything else */
	{"", AS_IS, ID_LENGTH},
	{"11010519491231002", AS_IS, ID_LENGTH},
	{"11010519491231002X1", AS_IS, ID_LENGTH},
	{" 11010519491231002X", AS_IS, ID_LENGTH},
	{"110105194912310", AS_IS, ID_LENGTH}, /* first-generation 15-digit cards are gone */
	{"1101051949123100\xE5\x9B\x9B", AS_IS, ID_LENGTH}, /* a Chinese digit is 3 bytes */
	/* characters */
	{"1101051949A231002X", AS_IS, ID_CHARACTERS},
	{"11010X19491231002X", AS_IS, ID_CHARACTERS},
	{"11010519491231002Y", AS_IS, ID_CHARACTERS},
	{"110105 9491231002X", AS_IS, ID_CHARACTERS},
	{"110105-9491231002X", AS_IS, ID_CHARACTERS},
	{"X10105194912310021", AS_IS, ID_CHARACTERS},
	{"1101051949123100\xC2\xB2X", AS_IS, ID_LENGTH}, /* superscript two: 2 bytes */
	{"110105194912310\xC2\xB2X", AS_IS, ID_CHARACTERS},
};

static void build_input(size_t i, char out[32])
{
	const char *text = resident_rows[i].text;
	if (resident_rows[i].build == AS_IS) {
		snprintf(out, 32, "%s", text);
		return;
	}
	assert_int_equal(strlen(text), 17);
	idcheck_make(text, out);
	assert_int_equal(strlen(out), 18);
	if (resident_rows[i].build == MAKE_LOWER) {
		assert_int_equal(out[17], 'X');
		out[17] = 'x';
	} else if (resident_rows[i].build == MAKE_WRONG) {
		static const char order[] = "0123456789X";
		out[17] = order[(strchr(order, out[17]) - order + 1) % 11];
	}
}

static void test_resident_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof resident_rows / sizeof resident_rows[0]; i++) {
		char input[32];
		build_input(i, input);
		struct id_info info;
		enum idcheck_result r = idcheck_resident(input, TODAY, &info);
		if (r != resident_rows[i].result)
			fail_msg("row %zu '%s': got %d (%s), want %d", i, input, r, idcheck_message(r),
				 resident_rows[i].result);
		if (r == ID_OK) {
			/* the normalised form is the input with X in upper case */
			assert_int_equal(strlen(info.normalized), 18);
			assert_int_equal(strncmp(info.normalized, input, 17), 0);
			assert_int_equal(info.normalized[17], input[17] == 'x' ? 'X' : input[17]);
		}
	}
}

/* text -> what the card says about its holder */
static const struct {
	const char *text;
	const char *normalized;
	const char *region;
	int year, month, day;
	char sex;
} info_rows[] = {
	{"11010519491231002X", "11010519491231002X", "110105", 1949, 12, 31, 'F'},
	{"11010519491231002x", "11010519491231002X", "110105", 1949, 12, 31, 'F'},
	{"610102199003071238", "610102199003071238", "610102", 1990, 3, 7, 'M'},
	{"610102200002291234", "610102200002291234", "610102", 2000, 2, 29, 'M'},
	{"440300198511110012", "440300198511110012", "440300", 1985, 11, 11, 'M'},
};

static void test_resident_info(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof info_rows / sizeof info_rows[0]; i++) {
		struct id_info info;
		assert_int_equal(idcheck_resident(info_rows[i].text, TODAY, &info), ID_OK);
		assert_string_equal(info.normalized, info_rows[i].normalized);
		assert_string_equal(info.region, info_rows[i].region);
		assert_int_equal(info.year, info_rows[i].year);
		assert_int_equal(info.month, info_rows[i].month);
		assert_int_equal(info.day, info_rows[i].day);
		assert_int_equal(info.sex, info_rows[i].sex);
	}
}

/* The 17th digit alone decides the sex: odd male, even female. */
static void test_resident_sex(void **state)
{
	(void)state;
	for (char d = '0'; d <= '9'; d++) {
		char first17[18] = "6101021990030712?";
		first17[16] = d;
		char id[19];
		idcheck_make(first17, id);
		struct id_info info;
		assert_int_equal(idcheck_resident(id, TODAY, &info), ID_OK);
		assert_int_equal(info.sex, (d - '0') % 2 ? 'M' : 'F');
	}
}

static void test_resident_info_cleared_on_failure(void **state)
{
	(void)state;
	struct id_info info;
	memset(&info, 'z', sizeof info);
	assert_int_equal(idcheck_resident("110105194912310021", TODAY, &info), ID_CHECK_DIGIT);
	assert_string_equal(info.normalized, "");
	assert_string_equal(info.region, "");
	assert_int_equal(info.year, 0);
	assert_int_equal(info.sex, 0);
	/* and info is optional */
	assert_int_equal(idcheck_resident("11010519491231002X", TODAY, NULL), ID_OK);
}

/* What MOD 11-2 promises: one wrong digit anywhere, or two neighbours
 * swapped, never passes, whatever else it breaks first. */
static void test_resident_single_errors(void **state)
{
	(void)state;
	const char *good = "610102199003071238";
	assert_int_equal(idcheck_resident(good, TODAY, NULL), ID_OK);
	int refused = 0;
	for (int pos = 0; pos < 18; pos++) {
		for (char d = '0'; d <= '9'; d++) {
			if (d == good[pos])
				continue;
			char id[19];
			memcpy(id, good, 19);
			id[pos] = d;
			assert_int_not_equal(idcheck_resident(id, TODAY, NULL), ID_OK);
			refused++;
		}
		if (pos < 17 && good[pos] != good[pos + 1]) {
			char id[19];
			memcpy(id, good, 19);
			id[pos] = good[pos + 1];
			id[pos + 1] = good[pos];
			assert_int_not_equal(idcheck_resident(id, TODAY, NULL), ID_OK);
			refused++;
		}
	}
	assert_true(refused > 18 * 9);
}

/* Without a date passed in, today is read from the clock. */
static void test_resident_clock(void **state)
{
	(void)state;
	char id[19];
	idcheck_make("61010219900307123", id);
	assert_int_equal(idcheck_resident(id, NULL, NULL), ID_OK);
	idcheck_make("61010229990101123", id);
	assert_int_equal(idcheck_resident(id, NULL, NULL), ID_FUTURE);
}

static void test_make(void **state)
{
	(void)state;
	/* prefix -> number, or "" for a prefix that is not 17 digits */
	static const struct {
		const char *first17, *want;
	} rows[] = {
		{"11010519491231002", "11010519491231002X"},
		{"61010219900307123", "610102199003071238"},
		{"11010519491231002X", "11010519491231002X"}, /* the 18th is ignored */
		{"1101051949123100", ""},
		{"1101051949123100a", ""},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char out[19];
		memset(out, 'z', sizeof out);
		idcheck_make(rows[i].first17, out);
		assert_string_equal(out, rows[i].want);
	}
}

static void test_messages(void **state)
{
	(void)state;
	enum idcheck_result all[] = {ID_OK, ID_LENGTH, ID_CHARACTERS, ID_REGION, ID_DATE, ID_FUTURE, ID_CHECK_DIGIT};
	size_t n = sizeof all / sizeof all[0];
	for (size_t i = 0; i < n; i++) {
		const char *m = idcheck_message(all[i]);
		assert_true(strlen(m) > 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(m, idcheck_message(all[j]));
	}
}

/* type, text -> normalised number, or NULL when refused */
static const struct {
	const char *type, *text, *want;
} doc_rows[] = {
	{"resident_id", "11010519491231002X", "11010519491231002X"},
	{"resident_id", "110105 19491231 002x", "11010519491231002X"},
	{"resident_id", "\t110105\xE3\x80\x80" "19491231002X ", "11010519491231002X"},
	{"resident_id", "110105194912310021", NULL},
	{"resident_id", "11010519491231002", NULL},
	{"resident_id", "110105-19491231-002X", NULL},
	{"resident_id", "61010229990101123X", NULL}, /* future, by the clock */
	{"passport", "E12345678", "E12345678"},
	{"passport", "e1234 5678", "E12345678"},
	{"passport", "EA1234567", "EA1234567"},
	{"passport", "G12345678", "G12345678"},
	{"passport", "ABCDE", "ABCDE"},
	{"passport", "ABCDEFGH123456789", "ABCDEFGH123456789"},
	{"passport", "ABCD", NULL},
	{"passport", "ABCDEFGH1234567890", NULL},
	{"passport", "E1234-5678", NULL},
	{"passport", "E1234.5678", NULL},
	{"passport", "\xE6\x8A\xA4\xE7\x85\xA7" "12345", NULL},
	{"passport", "E12345678E12345678E12345678E12345678", NULL},
	{"passport", "", NULL},
	{"hk_macao_permit", "H12345678", "H12345678"},
	{"hk_macao_permit", "m1234567890", "M1234567890"},
	{"hk_macao_permit", "H 1234 5678", "H12345678"},
	{"hk_macao_permit", "H1234567", NULL},
	{"hk_macao_permit", "H123456789", NULL},
	{"hk_macao_permit", "H12345678901", NULL},
	{"hk_macao_permit", "K12345678", NULL},
	{"hk_macao_permit", "HH2345678", NULL},
	{"hk_macao_permit", "12345678", NULL},
	{"hk_macao_permit", "", NULL},
	{"taiwan_permit", "12345678", "12345678"},
	{"taiwan_permit", "1234567890", "1234567890"},
	{"taiwan_permit", "12345678ab", "12345678AB"},
	{"taiwan_permit", "1234567", NULL},
	{"taiwan_permit", "123456789", NULL},
	{"taiwan_permit", "1234567A", NULL},
	{"taiwan_permit", "12345678901", NULL},
	{"taiwan_permit", "1234-56789", NULL},
	{"foreign_permanent", "USA123456789012", "USA123456789012"},
	{"foreign_permanent", "usa 1234 5678 9012", "USA123456789012"},
	{"foreign_permanent", "911067199001010014", "911067199001010014"},
	{"foreign_permanent", "911067199001010015", NULL}, /* check character */
	{"foreign_permanent", "11010519491231002X", NULL}, /* a citizen's number */
	{"foreign_permanent", "9110671990010100A4", NULL},
	{"foreign_permanent", "USA12345678901", NULL},
	{"foreign_permanent", "USA1234567890123", NULL},
	{"foreign_permanent", "USA-23456789012", NULL},
	{"driving_licence", "11010519491231002X", NULL},
	{"", "E12345678", NULL},
	{"Passport", "E12345678", NULL},
};

static void test_document_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof doc_rows / sizeof doc_rows[0]; i++) {
		char out[IDCHECK_DOC_SIZE];
		memset(out, 'z', sizeof out);
		const char *why = NULL;
		bool ok = idcheck_document(doc_rows[i].type, doc_rows[i].text, out, sizeof out, &why);
		if (ok != (doc_rows[i].want != NULL))
			fail_msg("row %zu %s '%s': %s", i, doc_rows[i].type, doc_rows[i].text, ok ? "accepted" : why);
		if (ok) {
			assert_string_equal(out, doc_rows[i].want);
		} else {
			assert_non_null(why);
			assert_true(strlen(why) > 0);
		}
	}
}

static void test_document_edges(void **state)
{
	(void)state;
	const char *why = NULL;
	char out[IDCHECK_DOC_SIZE];
	/* resident numbers give the same reasons as idcheck_resident() */
	assert_false(idcheck_document("resident_id", "110105194912310021", out, sizeof out, &why));
	assert_string_equal(why, idcheck_message(ID_CHECK_DIGIT));
	assert_false(idcheck_document("resident_id", "1101051949123100", out, sizeof out, &why));
	assert_string_equal(why, idcheck_message(ID_LENGTH));
	assert_false(idcheck_document("resident_id", "11010519491231002X11010519491231002X", out, sizeof out, &why));
	assert_string_equal(why, idcheck_message(ID_LENGTH));
	assert_false(idcheck_document("visa", "E12345678", out, sizeof out, &why));
	assert_string_equal(why, "unknown document type");
	/* outputs are optional */
	assert_true(idcheck_document("passport", "E12345678", NULL, 0, NULL));
	assert_false(idcheck_document("passport", "E1", NULL, 0, NULL));
	/* a buffer too small is refused, not overrun */
	char small[9];
	memset(small, 'z', sizeof small);
	assert_false(idcheck_document("passport", "E12345678", small, sizeof small, &why));
	assert_int_equal(small[0], 'z');
	assert_true(idcheck_document("passport", "E12345678", out, 10, &why));
	assert_string_equal(out, "E12345678");
}

static void test_known_types(void **state)
{
	(void)state;
	static const struct {
		const char *type;
		bool known;
	} rows[] = {
		{"resident_id", true}, {"passport", true}, {"hk_macao_permit", true},
		{"taiwan_permit", true}, {"foreign_permanent", true},
		{"", false}, {"RESIDENT_ID", false}, {"resident", false}, {"passport ", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (idcheck_known_type(rows[i].type) != rows[i].known)
			fail_msg("'%s'", rows[i].type);
}

/* text -> 11 digits, or NULL when refused */
static const struct {
	const char *text, *want;
} mobile_rows[] = {
	{"13812345678", "13812345678"},
	{"+86 138 1234 5678", "13812345678"},
	{"86-138-1234-5678", "13812345678"},
	{"138-1234-5678", "13812345678"},
	{"0086 138 1234 5678", "13812345678"},
	{"+8613812345678", "13812345678"},
	{"8613812345678", "13812345678"},
	{" 13812345678 ", "13812345678"},
	{"19912345678", "19912345678"},
	{"16612345678", "16612345678"},
	{"14512345678", "14512345678"},
	{"", NULL},
	{"1381234567", NULL},
	{"138123456789", NULL},
	{"12812345678", NULL},
	{"12012345678", NULL},
	{"10012345678", NULL},
	{"11012345678", NULL},
	{"23812345678", NULL},
	{"03812345678", NULL},
	{"1381234567a", NULL},
	{"138I2345678", NULL},
	{"138.1234.5678", NULL},
	{"(138)12345678", NULL},
	{"+1 138 1234 5678", NULL},
	{"+86 238 1234 5678", NULL},
	{"+86", NULL},
	{"86138123456789", NULL},
	{"861381234567", NULL},
	{"+86+8613812345678", NULL},
	{"13812345678+86", NULL},
	{"1381234567813812345678138123456781381234567813812345678", NULL},
	{"\xEF\xBC\x91" "3812345678", NULL}, /* full-width 1 */
};

static void test_mobile_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof mobile_rows / sizeof mobile_rows[0]; i++) {
		char out[IDCHECK_MOBILE_SIZE] = "untouched";
		bool ok = idcheck_mobile(mobile_rows[i].text, out);
		if (ok != (mobile_rows[i].want != NULL))
			fail_msg("row %zu '%s': %s", i, mobile_rows[i].text, ok ? "accepted" : "refused");
		assert_string_equal(out, ok ? mobile_rows[i].want : "untouched");
	}
	assert_true(idcheck_mobile("13812345678", NULL));
}

/* text -> digits, or NULL when refused */
static const struct {
	const char *text, *want;
} landline_rows[] = {
	{"029-87654321", "02987654321"},
	{"029 8765 4321", "02987654321"},
	{"(029) 87654321", "02987654321"},
	{"+86 29 87654321", "02987654321"},
	{"+86 029 87654321", "02987654321"},
	{"0086-29-87654321", "02987654321"},
	{"010-62345678", "01062345678"},
	{"+86 10 6234 5678", "01062345678"},
	{"0755-2345678", "07552345678"},
	{"0571-88888888", "057188888888"},
	{"0991-2345678", "09912345678"},
	{"", NULL},
	{"87654321", NULL},
	{"029-876543", NULL},
	{"029-876543210", NULL},
	{"029-07654321", NULL},
	{"029-17654321", NULL},
	{"011-62345678", NULL},
	{"019-62345678", NULL},
	{"0029-87654321", NULL},
	{"0755-234567", NULL},
	{"0755-234567890", NULL},
	{"13812345678", NULL},
	{"029-8765432a", NULL},
	{"029.87654321", NULL},
	{"+1 212 5551234", NULL},
	{"0", NULL},
	{"02", NULL},
	{"029", NULL},
	{"029-87654321029-87654321029-87654321", NULL},
};

static void test_landline_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof landline_rows / sizeof landline_rows[0]; i++) {
		char out[IDCHECK_LANDLINE_SIZE] = "untouched";
		bool ok = idcheck_landline(landline_rows[i].text, out);
		if (ok != (landline_rows[i].want != NULL))
			fail_msg("row %zu '%s': %s", i, landline_rows[i].text, ok ? "accepted" : "refused");
		assert_string_equal(out, ok ? landline_rows[i].want : "untouched");
	}
	assert_true(idcheck_landline("029-87654321", NULL));
}

/* number -> mask */
static const struct {
	const char *in, *want;
} mask_id_rows[] = {
	{"61010219900307123X", "610102********123X"},
	{"911067199001010014", "911067********0014"},
	{"USA123456789012", "US***********12"},
	{"H1234567890", "H1*******90"},
	{"E12345678", "E1*****78"},
	{"12345678", "12****78"},
	{"ABCDE", "AB*DE"},
	{"ABCD", "****"},
	{"A", "*"},
	{"", ""},
}, mask_phone_rows[] = {
	{"13812345678", "138****5678"},
	{"02987654321", "029****4321"},
	{"057188888888", "057*****8888"},
	{"01062345678", "010****5678"},
	{"12345678", "123*5678"},
	{"1234567", "*******"},
	{"", ""},
};

static void test_mask(void **state)
{
	(void)state;
	char out[32];
	for (size_t i = 0; i < sizeof mask_id_rows / sizeof mask_id_rows[0]; i++) {
		idcheck_mask_id(mask_id_rows[i].in, out, sizeof out);
		assert_string_equal(out, mask_id_rows[i].want);
	}
	for (size_t i = 0; i < sizeof mask_phone_rows / sizeof mask_phone_rows[0]; i++) {
		idcheck_mask_phone(mask_phone_rows[i].in, out, sizeof out);
		assert_string_equal(out, mask_phone_rows[i].want);
	}
}

/* A short buffer gets a truncated mask, never the hidden digits. */
static void test_mask_truncates(void **state)
{
	(void)state;
	char out[19];
	idcheck_mask_id("61010219900307123X", out, 18);
	assert_string_equal(out, "610102********123");
	idcheck_mask_id("61010219900307123X", out, 8);
	assert_string_equal(out, "610102*");
	idcheck_mask_phone("13812345678", out, 5);
	assert_string_equal(out, "138*");
	idcheck_mask_phone("13812345678", out, 1);
	assert_string_equal(out, "");
	out[0] = 'z';
	idcheck_mask_id("61010219900307123X", out, 0);
	assert_int_equal(out[0], 'z');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resident_table),
		cmocka_unit_test(test_resident_info),
		cmocka_unit_test(test_resident_sex),
		cmocka_unit_test(test_resident_info_cleared_on_failure),
		cmocka_unit_test(test_resident_single_errors),
		cmocka_unit_test(test_resident_clock),
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_document_table),
		cmocka_unit_test(test_document_edges),
		cmocka_unit_test(test_known_types),
		cmocka_unit_test(test_mobile_table),
		cmocka_unit_test(test_landline_table),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_mask_truncates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "core/idcheck.h"

#include <string.h>
#include <time.h>

/* ISO 7064 MOD 11-2 as GB 11643-1999 applies it: position i (0-based, of 17)
 * weighs 2^(17-i) mod 11, and the check character is the one that makes the
 * weighted sum of all 18 (X counting 10, weight 1) equal 1 mod 11, which is
 * what indexing "10X98765432" by the sum of the first 17 does. Since 11 is
 * prime and adjacent weights differ, every single wrong digit and every swap
 * of two neighbouring digits changes the check character. */
static const int idcheck_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char idcheck_check_chars[] = "10X98765432";

/* Birth dates before this are certainly typing errors: nobody that old holds
 * a card, and the limit catches "0949" for "1949". */
#define IDCHECK_MIN_YEAR 1890

/* ASCII only: isdigit() and friends depend on the locale and are undefined
 * for negative chars, which UTF-8 text is full of. */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_alnum_upper(char c)
{
	return is_digit(c) || is_upper(c);
}

static char to_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static int digits_value(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* first17 holds 17 digits. */
static char check_char(const char *first17)
{
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * idcheck_weights[i];
	return idcheck_check_chars[sum % 11];
}

/* 17 digits then a digit or upper-case X. */
static bool check_char_matches(const char *s)
{
	return check_char(s) == s[17];
}

/* The address code is checked for plausibility only. A full division table
 * would need yearly updates, and a card keeps the code of the county that
 * issued it even after the county is merged or renamed, so a table would
 * refuse valid old cards. The rule, on digits d1..d6:
 *   - d1d2 is a province-level code: 11-15, 21-23, 31-37, 41-46, 50-54,
 *     61-65, 71 (Taiwan), 81 (Hong Kong), 82 (Macao) or 83 (Taiwan as used
 *     on the residence permit for Hong Kong, Macao and Taiwan residents,
 *     whose numbers follow GB 11643 with 810000, 820000 and 830000);
 *   - for the mainland provinces d3d4 (prefecture) is not "00"; for 71, 81,
 *     82 and 83 it may be anything, "00" included;
 *   - d5d6 (county) is not checked: "00" occurs on cards issued by a
 *     prefecture's own public security bureau (e.g. 440300 for Shenzhen). */
static bool region_plausible(const char *code)
{
	static const struct {
		int lo, hi;
		bool any_prefecture;
	} provinces[] = {
		{11, 15, false}, {21, 23, false}, {31, 37, false}, {41, 46, false},
		{50, 54, false}, {61, 65, false}, {71, 71, true}, {81, 83, true},
	};
	int p = digits_value(code, 2);
	for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
		if (p >= provinces[i].lo && p <= provinces[i].hi)
			return provinces[i].any_prefecture || code[2] != '0' || code[3] != '0';
	return false;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool date_valid(int y, int m, int d)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < IDCHECK_MIN_YEAR || m < 1 || m > 12 || d < 1)
		return false;
	return d <= days[m - 1] + (m == 2 && is_leap(y));
}

/* Birth dates on the card are Beijing dates, so "today" is too: UTC+8 (China
 * has kept no daylight saving time since 1991). */
static void today_in_china(char out[9])
{
	time_t now = time(NULL) + 8 * 3600;
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 9, "%Y%m%d", &tm);
}

enum idcheck_result idcheck_resident(const char *text, const char *today, struct id_info *info)
{
	if (info)
		memset(info, 0, sizeof *info);
	if (strlen(text) != 18)
		return ID_LENGTH;
	char s[19];
	memcpy(s, text, 19);
	s[17] = to_upper(s[17]);
	if (!all_digits(s, 17) || !(is_digit(s[17]) || s[17] == 'X'))
		return ID_CHARACTERS;
	if (!region_plausible(s))
		return ID_REGION;
	int year = digits_value(s + 6, 4), month = digits_value(s + 10, 2), day = digits_value(s + 12, 2);
	if (!date_valid(year, month, day))
		return ID_DATE;
	char now[9];
	if (!today) {
		today_in_china(now);
		today = now;
	}
	/* Both are eight digits, so text order is date order. */
	if (memcmp(s + 6, today, 8) > 0)
		return ID_FUTURE;
	if (!check_char_matches(s))
		return ID_CHECK_DIGIT;
	if (info) {
		memcpy(info->normalized, s, 19);
		info->year = year;
		info->month = month;
		info->day = day;
		info->sex = (s[16] - '0') % 2 ? 'M' : 'F';
		memcpy(info->region, s, 6);
		info->region[6] = '\0';
	}
	return ID_OK;
}

const char *idcheck_message(enum idcheck_result r)
{
	switch (r) {
	case ID_OK:
		return "valid";
	case ID_LENGTH:
		return "must be 18 characters";
	case ID_CHARACTERS:
		return "must be 17 digits followed by a digit or X";
	case ID_REGION:
		return "region code is not plausible";
	case ID_DATE:
		return "birth date is not a valid date";
	case ID_FUTURE:
		return "birth date is in the future";
	case ID_CHECK_DIGIT:
		return "check digit does not match";
	}
	return "unknown result";
}

void idcheck_make(const char *first17, char out[19])
{
	/* An empty string, not a guess: a caller that passed a bad prefix gets
	 * a number every check refuses. The loop stops at a NUL, so a short
	 * prefix is never read past its end. */
	for (int i = 0; i < 17; i++) {
		if (!is_digit(first17[i])) {
			out[0] = '\0';
			return;
		}
		out[i] = first17[i];
	}
	out[17] = check_char(first17);
	out[18] = '\0';
}

/* Document checkers. Each gets the normalised text s and its full length
 * len; when len > 18 only the first 18 characters are stored, so a checker
 * must refuse by length before it reads s. Returns NULL or the reason. */
typedef const char *idcheck_doc_fn(const char *s, size_t len);

static const char *doc_resident(const char *s, size_t len)
{
	if (len != 18)
		return idcheck_message(ID_LENGTH);
	enum idcheck_result r = idcheck_resident(s, NULL, NULL);
	return r == ID_OK ? NULL : idcheck_message(r);
}

/* Passports of every country: ICAO 9303 allows up to 9 characters in the
 * machine-readable zone, but numbers printed on older foreign passports run
 * longer, hence the wide range. Chinese ones are E + 8 digits, or E plus a
 * letter and 7 digits, or G + 8 digits for older issues. */
static const char *doc_passport(const char *s, size_t len)
{
	static const char why[] = "must be 5 to 17 letters or digits";
	if (len < 5 || len > 17)
		return why;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum_upper(s[i]))
			return why;
	return NULL;
}

/* Mainland travel permit for Hong Kong and Macao residents (回乡证): H (Hong
 * Kong) or M (Macao), then 8 digits, or 10 on the older booklet-era cards
 * that appended a two-digit issue count. */
static const char *doc_hk_macao(const char *s, size_t len)
{
	static const char why[] = "must be H or M followed by 8 or 10 digits";
	if ((len != 9 && len != 11) || (s[0] != 'H' && s[0] != 'M') || !all_digits(s + 1, len - 1))
		return why;
	return NULL;
}

/* Mainland travel permit for Taiwan residents (台胞证): 8 digits since 2015;
 * older cards carry 10 characters mixing digits with letters that mark the
 * issue count and issuing office. */
static const char *doc_taiwan(const char *s, size_t len)
{
	static const char why[] = "must be 8 digits or 10 letters or digits";
	if (len == 8 && all_digits(s, 8))
		return NULL;
	if (len == 10) {
		for (size_t i = 0; i < 10; i++)
			if (!is_alnum_upper(s[i]))
				return why;
		return NULL;
	}
	return why;
}

/* Foreign permanent resident ID card (永居证). Cards issued before December
 * 2023: 15 characters, a three-letter country code and 12 digits; accepted
 * as any 15 letters or digits, since we have no authoritative layout for the
 * earliest issues. Cards since: 18 characters laid out like a resident
 * number but starting with 9 (no citizen's address code does), with the same
 * MOD 11-2 check character, which is verified. */
static const char *doc_foreign(const char *s, size_t len)
{
	static const char why[] = "must be 15 letters or digits, or 18 characters starting with 9";
	if (len == 15) {
		for (size_t i = 0; i < 15; i++)
			if (!is_alnum_upper(s[i]))
				return why;
		return NULL;
	}
	if (len != 18 || s[0] != '9' || !all_digits(s, 17) || !(is_digit(s[17]) || s[17] == 'X'))
		return why;
	return check_char_matches(s) ? NULL : idcheck_message(ID_CHECK_DIGIT);
}

static const struct {
	const char *name;
	idcheck_doc_fn *check;
} idcheck_doctypes[] = {
	{"resident_id", doc_resident},
	{"passport", doc_passport},
	{"hk_macao_permit", doc_hk_macao},
	{"taiwan_permit", doc_taiwan},
	{"foreign_permanent", doc_foreign},
};

#define IDCHECK_NDOCTYPES (sizeof idcheck_doctypes / sizeof idcheck_doctypes[0])

static idcheck_doc_fn *doc_checker(const char *type)
{
	for (size_t i = 0; i < IDCHECK_NDOCTYPES; i++)
		if (strcmp(idcheck_doctypes[i].name, type) == 0)
			return idcheck_doctypes[i].check;
	return NULL;
}

bool idcheck_known_type(const char *type)
{
	return doc_checker(type) != NULL;
}

static bool doc_fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return false;
}

bool idcheck_document(const char *type, const char *text, char *normalized, size_t size,
		      const char **why)
{
	idcheck_doc_fn *check = doc_checker(type);
	if (!check)
		return doc_fail(why, "unknown document type");
	/* Spaces come from copying a number off a card printed in groups; the
	 * ideographic space is what a Chinese input method types. Only the
	 * first 18 characters are kept: no valid number is longer, and len
	 * still counts them all so the checker refuses by length. */
	char s[IDCHECK_DOC_SIZE];
	size_t len = 0;
	for (const char *p = text; *p; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		if (strncmp(p, "\xE3\x80\x80", 3) == 0) { /* stops at the NUL */
			p += 2;
			continue;
		}
		if (len < sizeof s - 1)
			s[len] = to_upper(*p);
		len++;
	}
	s[len < sizeof s - 1 ? len : sizeof s - 1] = '\0';
	const char *reason = check(s, len);
	if (reason)
		return doc_fail(why, reason);
	if (normalized) {
		if (size <= len)
			return doc_fail(why, "normalized buffer too small");
		memcpy(normalized, s, len + 1);
	}
	return true;
}

/* Copies text into out without the characters in skip, keeping at most
 * size - 1; returns false if more were left. */
static bool strip_copy(const char *text, const char *skip, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = text; *p; p++) {
		if (strchr(skip, *p))
			continue;
		if (n == size - 1)
			return false;
		out[n++] = *p;
	}
	out[n] = '\0';
	return true;
}

bool idcheck_mobile(const char *text, char out[IDCHECK_MOBILE_SIZE])
{
	/* The longest accepted form is 0086 and 11 digits; anything longer
	 * cannot be a number and is refused before it is looked at. */
	char buf[16];
	if (!strip_copy(text, " -", buf, sizeof buf))
		return false;
	const char *d = buf;
	if (strncmp(d, "+86", 3) == 0)
		d += 3;
	else if (strncmp(d, "0086", 4) == 0)
		d += 4;
	else if (strlen(d) == 13 && strncmp(d, "86", 2) == 0)
		/* A bare 86 only with 11 digits after it: no mobile number starts
		 * with 8, so this cannot eat part of a number. */
		d += 2;
	if (strlen(d) != 11 || !all_digits(d, 11) || d[0] != '1' || d[1] < '3')
		return false;
	if (out)
		memcpy(out, d, IDCHECK_MOBILE_SIZE);
	return true;
}

bool idcheck_landline(const char *text, char out[IDCHECK_LANDLINE_SIZE])
{
	char buf[24];
	if (!strip_copy(text, " -()", buf, sizeof buf))
		return false;
	/* After the country code the trunk 0 is dropped ("+86 29 ..."); put it
	 * back so both forms normalise alike. */
	char num[24];
	const char *d = buf;
	if (strncmp(d, "+86", 3) == 0)
		d += 3;
	else if (strncmp(d, "0086", 4) == 0)
		d += 4;
	if (d != buf && *d != '0') {
		num[0] = '0';
		strcpy(num + 1, d); /* d is shorter than buf, so it fits */
	} else {
		strcpy(num, d);
	}
	size_t len = strlen(num);
	if (len < 3 || !all_digits(num, len) || num[0] != '0')
		return false;
	/* The numbering plan has 3-digit codes for 010 (Beijing) and 020-029
	 * only; every other code is 4 digits, 0300-0999. */
	size_t area;
	if (num[1] == '2' || (num[1] == '1' && num[2] == '0'))
		area = 3;
	else if (num[1] >= '3')
		area = 4;
	else
		return false;
	size_t local = len - area;
	if (len <= area || (local != 7 && local != 8) || num[area] < '2')
		return false;
	if (out)
		memcpy(out, num, len + 1);
	return true;
}

/* Keeps the first head and last tail bytes of s, stars between. */
static void mask_middle(const char *s, size_t head, size_t tail, char *out, size_t size)
{
	if (size == 0)
		return;
	size_t len = strlen(s), n = 0;
	for (size_t i = 0; i < len && n + 1 < size; i++)
		out[n++] = i < head || i >= len - tail ? s[i] : '*';
	out[n] = '\0';
}

void idcheck_mask_id(const char *id, char *out, size_t size)
{
	size_t len = strlen(id);
	if (len >= 18)
		mask_middle(id, 6, 4, out, size);
	else if (len >= 5)
		mask_middle(id, 2, 2, out, size);
	else
		mask_middle(id, 0, 0, out, size);
}

void idcheck_mask_phone(const char *phone, char *out, size_t size)
{
	if (strlen(phone) >= 8)
		mask_middle(phone, 3, 4, out, size);
	else
		mask_middle(phone, 0, 0, out, size);
}

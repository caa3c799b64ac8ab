/* Identity documents and phone numbers: format checks, normalisation and
 * masking for display. Pure functions over text: no allocation, no I/O, and
 * the clock is read only when idcheck_resident() is given no "today". All
 * strings are borrowed; outputs go into caller buffers. */
#ifndef WG_CORE_IDCHECK_H
#define WG_CORE_IDCHECK_H

#include <stdbool.h>
#include <stddef.h>

/* Buffer sizes (with the NUL) that always suffice. */
#define IDCHECK_DOC_SIZE 19      /* normalised document number */
#define IDCHECK_MOBILE_SIZE 12   /* 11 digits */
#define IDCHECK_LANDLINE_SIZE 16 /* area code + local number, digits only */

/* Why a resident identity card number was refused, in checking order: the
 * first failing check wins, so a wrong birth date is reported as ID_DATE
 * even though it usually breaks the check character too. */
enum idcheck_result {
	ID_OK,
	ID_LENGTH,      /* not 18 characters */
	ID_CHARACTERS,  /* not 17 digits then a digit or X */
	ID_REGION,      /* address code not plausible (see idcheck.c) */
	ID_DATE,        /* birth date not a calendar date, or before 1890 */
	ID_FUTURE,      /* birth date after today */
	ID_CHECK_DIGIT, /* ISO 7064 MOD 11-2 check character wrong */
};

struct id_info {
	char normalized[19]; /* the 18 characters, check character 'x' as 'X' */
	int year, month, day;
	char sex;      /* 'M' (odd 17th digit) or 'F' (even) */
	char region[7]; /* the 6-digit address code */
};

/* Checks a resident identity card number (GB 11643-1999) as typed: no
 * spaces are stripped here (idcheck_document() does that). today is
 * "YYYYMMDD" so tests are deterministic; NULL means the current date in
 * China (UTC+8). info may be NULL; otherwise it is zeroed, then filled when
 * the result is ID_OK. */
enum idcheck_result idcheck_resident(const char *text, const char *today, struct id_info *info);

/* Short English text for API errors; static storage. */
const char *idcheck_message(enum idcheck_result r);

/* out = first17 followed by its check character. first17 must start with
 * 17 ASCII digits (anything after them is ignored); otherwise out is "".
 * For the demo-data generator and tests. */
void idcheck_make(const char *first17, char out[19]);

/* Document types: "resident_id", "passport", "hk_macao_permit",
 * "taiwan_permit", "foreign_permanent". */
bool idcheck_known_type(const char *type);

/* Checks text as a document of the given type after removing spaces, tabs
 * and ideographic spaces (U+3000) and upper-casing ASCII letters. On success
 * writes the normalised number to normalized (if not NULL; size
 * IDCHECK_DOC_SIZE always suffices) and returns true. On failure returns
 * false and, if why is not NULL, points *why at a short English reason
 * (static storage). Resident numbers are checked against today's date. */
bool idcheck_document(const char *type, const char *text, char *normalized, size_t size,
		      const char **why);

/* Mainland mobile number: spaces and dashes are ignored, then an optional
 * +86, 0086 or 86 prefix; what remains must be 11 digits, 1 then 3-9. On
 * success writes the 11 digits to out (if not NULL) and returns true. */
bool idcheck_mobile(const char *text, char out[IDCHECK_MOBILE_SIZE]);

/* Mainland fixed-line number with its area code: spaces, dashes and
 * parentheses are ignored; an optional +86 or 0086 prefix stands for the
 * trunk 0. Area codes are 010 and 020-029 (three digits) or 0300-0999 (four),
 * then a local number of 7 or 8 digits not starting with 0 or 1. On success
 * writes the digits ("02987654321") to out (if not NULL) and returns true. */
bool idcheck_landline(const char *text, char out[IDCHECK_LANDLINE_SIZE]);

/* Masks a document number for display: 18 or more characters keep the first
 * 6 and last 4 ("610102********123X"), 5 to 17 keep the first 2 and last 2,
 * shorter ones are all stars. out gets at most size - 1 bytes and a NUL
 * (when size > 0), so strlen(id) + 1 bytes hold the whole mask. */
void idcheck_mask_id(const char *id, char *out, size_t size);

/* Masks a normalised phone number: 8 or more characters keep the first 3 and
 * last 4 ("138****5678"), shorter ones are all stars. Output as above. */
void idcheck_mask_phone(const char *phone, char *out, size_t size);

#endif

/* Checking a person's fields: pure, so the API, the import and the demo
 * generator apply the same rules and unit tests call them directly. */
#include <stdio.h>
#include <string.h>

#include "core/idcheck.h"
#include "modules/register/register.h"

static const char *const relations[] = {"head", "spouse", "child", "parent", "grandchild", "sibling", "other", ""};
static const char *const statuses[] = {"living", "moved_out", "deceased"};

bool person_relation_known(const char *relation)
{
	for (size_t i = 0; i < sizeof relations / sizeof relations[0]; i++)
		if (strcmp(relations[i], relation) == 0)
			return true;
	return false;
}

bool person_status_known(const char *status)
{
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (strcmp(statuses[i], status) == 0)
			return true;
	return false;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* "YYYY-MM-DD" with a real calendar date; out gets "YYYYMMDD". */
static bool parse_date(const char *s, char out[9])
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1890 || m < 1 || m > 12 || d < 1 || d > days[m - 1] || (m == 2 && d == 29 && !leap))
		return false;
	/* Digits were checked above: copy them without the dashes. */
	memcpy(out, s, 4);
	memcpy(out + 4, s + 5, 2);
	memcpy(out + 6, s + 8, 2);
	out[8] = '\0';
	return true;
}

static enum person_field_error fail(enum person_field_error e, const char *f, const char *w, const char **field,
				    const char **why)
{
	*field = f;
	*why = w;
	return e;
}

enum person_field_error person_check(const struct person_input *in, const char *today, struct person_clean *out,
				     const char **field, const char **why)
{
	memset(out, 0, sizeof *out);
	size_t n = in->name ? utf8_chars(in->name) : 0;
	if (!n || n > 50 || strlen(in->name) >= sizeof out->name)
		return fail(PERSON_BAD_NAME, "name", "A name has 1 to 50 characters", field, why);
	snprintf(out->name, sizeof out->name, "%s", in->name);
	if (in->sex && *in->sex) {
		if (strcmp(in->sex, "M") && strcmp(in->sex, "F"))
			return fail(PERSON_BAD_SEX, "sex", "sex is M or F", field, why);
		snprintf(out->sex, sizeof out->sex, "%s", in->sex);
	}
	char birth[9] = "";
	if (in->birth_date && *in->birth_date) {
		if (!parse_date(in->birth_date, birth) || strcmp(birth, today) > 0)
			return fail(PERSON_BAD_BIRTH, "birth_date", "birth_date is a past date YYYY-MM-DD", field, why);
		snprintf(out->birth_date, sizeof out->birth_date, "%s", in->birth_date);
	}
	const char *type = in->id_type && *in->id_type ? in->id_type : "resident_id";
	if (in->id_number && *in->id_number) {
		if (!idcheck_known_type(type))
			return fail(PERSON_BAD_ID_TYPE, "id_type", "Unknown ID document type", field, why);
		snprintf(out->id_type, sizeof out->id_type, "%s", type);
		if (strcmp(type, "resident_id") == 0) {
			struct id_info info;
			enum idcheck_result r = idcheck_resident(in->id_number, today, &info);
			if (r != ID_OK)
				return fail(PERSON_BAD_ID, "id_number", idcheck_message(r), field, why);
			snprintf(out->id_number, sizeof out->id_number, "%s", info.normalized);
			/* Sex and birth date come from the number; what was entered
			 * must agree with it, else one of them is a typo. */
			char derived[11];
			snprintf(derived, sizeof derived, "%04d-%02d-%02d", info.year, info.month, info.day);
			char sex[2] = {info.sex, 0};
			if (out->sex[0] && strcmp(out->sex, sex) != 0)
				return fail(PERSON_ID_SEX_MISMATCH, "sex", "sex does not agree with the ID number", field, why);
			if (out->birth_date[0] && strcmp(out->birth_date, derived) != 0)
				return fail(PERSON_ID_BIRTH_MISMATCH, "birth_date", "birth_date does not agree with the ID number",
					    field, why);
			snprintf(out->sex, sizeof out->sex, "%s", sex);
			snprintf(out->birth_date, sizeof out->birth_date, "%s", derived);
		} else {
			const char *problem = NULL;
			if (!idcheck_document(type, in->id_number, out->id_number, sizeof out->id_number, &problem))
				return fail(PERSON_BAD_ID, "id_number", problem ? problem : "Not a valid document number", field,
					    why);
		}
		idcheck_mask_id(out->id_number, out->id_masked, sizeof out->id_masked);
	}
	if (in->phone && *in->phone) {
		char mobile[12];
		if (idcheck_mobile(in->phone, mobile))
			snprintf(out->phone, sizeof out->phone, "%s", mobile);
		else if (!idcheck_landline(in->phone, out->phone))
			return fail(PERSON_BAD_PHONE, "phone", "Not a mainland mobile or landline number", field, why);
		idcheck_mask_phone(out->phone, out->phone_masked, sizeof out->phone_masked);
	}
	const char *relation = in->relation ? in->relation : "";
	if (!person_relation_known(relation))
		return fail(PERSON_BAD_RELATION, "relation", "relation is head, spouse, child, parent, grandchild, sibling or other",
			    field, why);
	snprintf(out->relation, sizeof out->relation, "%s", relation);
	const char *status = in->status && *in->status ? in->status : "living";
	if (!person_status_known(status))
		return fail(PERSON_BAD_STATUS, "status", "status is living, moved_out or deceased", field, why);
	snprintf(out->status, sizeof out->status, "%s", status);
	return PERSON_OK;
}

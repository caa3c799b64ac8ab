/* The register: households, persons, their tags, unit rosters. Grid
 * workers live in it; campaigns, testing, passes and supplies target it.
 * ID numbers and phones are sealed at rest (core/vault.h), masked in every
 * answer, and revealed only to callers with persons.reveal, each reveal
 * audited. */
#ifndef WG_REGISTER_REGISTER_H
#define WG_REGISTER_REGISTER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vault.h"
#include "http/http.h"
#include "store/store.h"

/* The module's routes. store and vault are borrowed for the server's life. */
const struct http_module *register_module(struct store *store, const struct vault *vault);

/* A person as entered, checked and normalised (pure; see person.c). */
enum person_field_error {
	PERSON_OK,
	PERSON_BAD_NAME,
	PERSON_BAD_SEX,
	PERSON_BAD_BIRTH,
	PERSON_BAD_ID_TYPE,
	PERSON_BAD_ID,
	PERSON_ID_SEX_MISMATCH,
	PERSON_ID_BIRTH_MISMATCH,
	PERSON_BAD_PHONE,
	PERSON_BAD_RELATION,
	PERSON_BAD_STATUS,
};

struct person_input {
	const char *name, *sex, *birth_date, *id_type, *id_number, *phone, *relation, *status;
};

struct person_clean {
	char name[200];
	char sex[2];         /* "M", "F" or "" */
	char birth_date[11]; /* "YYYY-MM-DD" or "" */
	char id_type[24];
	char id_number[40];  /* normalised; "" when none */
	char id_masked[40];
	char phone[16];      /* normalised; "" when none */
	char phone_masked[20];
	char relation[16];
	char status[16];
};

/* Checks in and fills out; today is "YYYYMMDD". Returns PERSON_OK or the
 * first problem, with *field naming the input field and *why a message. */
enum person_field_error person_check(const struct person_input *in, const char *today, struct person_clean *out,
				     const char **field, const char **why);
bool person_relation_known(const char *relation);
bool person_status_known(const char *status);

#endif

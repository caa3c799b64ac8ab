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

/* ---- key rotation (rekey.c) ---- */

/* A table with sealed fields, for modules that seal data the way the
 * register does. stale_sql: (id, sealed..., key_version) of rows with
 * key_version <> ? AND id > ? ORDER BY id LIMIT ?; update_sql: SET the
 * (sealed, hash) pairs in order, key_version = ? WHERE id = ? AND
 * key_version = ?; count_sql: COUNT(*) WHERE key_version <> ?. All static. */
struct rekey_table {
	const char *what; /* for the log: "person" */
	const char *stale_sql, *update_sql, *count_sql;
	int fields;       /* 1 or 2 */
	const char *kinds[2];
};
int rekey_table_stale(struct store *s, const struct vault *v, const struct rekey_table *t, int64_t *count);
/* Re-keys the table 1,000 rows a transaction (resumable); *damaged: a field
 * did not open and was left as it was. */
int rekey_table_run(struct store *s, const struct vault *v, const struct rekey_table *t, int64_t *rekeyed,
		    bool *damaged);

/* Rows whose sealed fields use another key version than the current. */
int register_stale_rows(struct store *s, const struct vault *v, int64_t *count);
/* Re-seals and re-hashes every such row with the current key, 1,000 rows a
 * transaction (resumable). *damaged: some field did not open (left NULL). */
int register_rekey(struct store *s, const struct vault *v, int64_t *rekeyed, bool *damaged);

/* ---- import (import.c) ---- */

struct table;
struct caller;
struct actor;

enum import_field {
	IMPORT_IGNORE,
	IMPORT_NAME,
	IMPORT_SEX,
	IMPORT_BIRTH_DATE,
	IMPORT_ID_TYPE,
	IMPORT_ID_NUMBER,
	IMPORT_PHONE,
	IMPORT_ADDRESS,
	IMPORT_GRID,
	IMPORT_RELATION,
	IMPORT_TAGS,
	IMPORT_STATUS,
	IMPORT_NOTES,
	IMPORT_FIELDS,
};
/* The field a header names (Chinese or English), IMPORT_IGNORE if none. */
enum import_field import_field_of(const char *header);
const char *import_field_name(enum import_field f);
/* Translations of cell values into the API's codes; NULL when unknown. */
const char *import_sex(const char *cell);
const char *import_relation(const char *cell);
const char *import_status(const char *cell);
const char *import_id_type(const char *cell);

struct import_options {
	bool dry_run;
	const char *area;    /* default area code for rows without a grid; NULL: the scope root */
	json_t *mapping;     /* {"header": "field"} overrides; borrowed; may be NULL */
	const char *today;   /* "YYYYMMDD"; NULL: today in China */
	const char *source;  /* for the audit entry: file name or "upload" */
};

/* Checks every row of t and, unless dry_run or any row is wrong, writes
 * them all in one transaction as caller. Returns a store_rc (STORE_ABORT:
 * the file has errors, nothing written) and the report (caller owns). */
int register_import(struct store *s, const struct vault *v, const struct caller *caller, const struct actor *actor,
		    const struct table *t, const struct import_options *opt, json_t **report);
bool person_status_known(const char *status);

#endif

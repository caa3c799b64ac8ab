/* Shared inside the register module only. */
#ifndef WG_REGISTER_INTERNAL_H
#define WG_REGISTER_INTERNAL_H

#include "core/log.h"
#include "modules/identity/identity.h"
#include "modules/register/register.h"

extern struct store *register_store;
extern const struct vault *register_vault;

/* The caller's scope, narrowed to area when one is given: STORE_OK, or
 * STORE_DONE when the area is missing or out of scope. */
int register_narrow_scope(struct store_conn *c, const struct caller *caller, const char *area, struct store_scope *out);
/* Upper-cases and strips spaces: the form ID numbers are hashed in. */
void register_normalize_id(const char *in, char *out, size_t size);
/* A mobile or landline number in its stored form; false if neither. */
bool register_normalize_phone(const char *in, char *out, size_t size);
/* "%text%" with LIKE's wildcards escaped (ESCAPE is not needed: % and _
 * are replaced by themselves within [] is not portable, so they are
 * dropped). Caller frees. */
char *register_like_pattern(const char *text);

/* The persons list's filters, read from a request's query. */
struct person_query {
	const struct caller *caller;
	const char *area, *name, *id_number, *phone, *address, *status, *tag;
	char id_hash[2][VAULT_HASH_HEX], phone_hash[2][VAULT_HASH_HEX];
	char name_hi[220];
	char *address_like; /* owned */
	struct http_page page;
	json_t *items;      /* one page of Person, replaced by each run */
	int64_t last_id;
	bool area_missing;
};
/* Fills q from the request (page excluded); false after answering 400. */
bool person_query_from(struct http_req *req, struct person_query *q);
/* One page of the query, in a read transaction. */
int person_list_tx(struct store_conn *c, void *arg);

json_t *person_json(struct store_stmt *st);
int person_attach_tags(struct store_conn *c, json_t *persons);

/* A person to create (id 0) or change, as the API and the import write it. */
struct person_save {
	const struct caller *caller;
	const struct actor *actor;
	int64_t id;              /* 0: create; out: the id */
	int64_t version;         /* update: the version the client saw */
	struct person_clean clean;
	int64_t household_id;    /* 0: none */
	const char *area_code;   /* when there is no household */
	json_t *tags;            /* array of tag codes, or NULL to leave */
	const char *notes;       /* NULL to leave */
	bool match_existing;     /* import: update the person with the same ID, else name+phone+household */
	bool quiet;              /* import: no audit entry per person (the import records one) */
	/* outcome */
	bool created;
	enum http_error error;
	const char *error_field;
	const char *error_message;
};
/* Writes one person in the caller's transaction, with its audit entry.
 * Client errors return STORE_ABORT with the error in s. */
int person_save_in(struct store_conn *c, struct person_save *s);

/* Handlers; the route table is in register.c. */
void persons_list(struct http_req *req);
void persons_read(struct http_req *req);
void persons_create(struct http_req *req);
void persons_update(struct http_req *req);
void persons_status(struct http_req *req);
void households_list(struct http_req *req);
void households_read(struct http_req *req);
void households_create(struct http_req *req);
void households_update(struct http_req *req);
void tags_list(struct http_req *req);
void imports_create(struct http_req *req);
void persons_export(struct http_req *req);
void households_export(struct http_req *req);
void roster_list(struct http_req *req);
void roster_add(struct http_req *req);
void roster_remove(struct http_req *req);
void register_counts(struct http_req *req);

#endif

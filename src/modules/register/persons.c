/* Persons: /api/v1/persons. Every query takes the caller's scope; ID
 * numbers and phones are sealed at rest and masked in answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "modules/common/reply.h"
#include "modules/register/register_internal.h"

#define PERSON_COLUMNS                                                                                       \
	"p.id, p.name, p.sex, p.birth_date, p.id_type, p.id_masked, p.phone_masked, p.relation, p.status,"      \
	" p.notes, p.version, p.created_at, p.updated_at, COALESCE(p.household_id, 0), COALESCE(h.address, ''),"  \
	" a.code, a.name, a.level, p.key_version"
#define PERSON_FROM " FROM persons p JOIN areas a ON a.id = p.area_id LEFT JOIN households h ON h.id = p.household_id"

static const char sql_person_get[] = "SELECT " PERSON_COLUMNS PERSON_FROM " WHERE p.id = ? AND " STORE_IN_SCOPE("a");
static const char sql_person_list[] =
	"SELECT " PERSON_COLUMNS PERSON_FROM " WHERE " STORE_IN_SCOPE("a") " AND p.id > ?"
	" AND (CAST(? AS TEXT) IS NULL OR (p.name >= ? AND p.name < ?))"
	" AND (CAST(? AS TEXT) IS NULL OR p.id_hash IN (?, ?))"
	" AND (CAST(? AS TEXT) IS NULL OR p.phone_hash IN (?, ?))"
	" AND (CAST(? AS TEXT) IS NULL OR h.address LIKE ?)"
	" AND (CAST(? AS TEXT) IS NULL OR p.status = ?)"
	" AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM person_tags t WHERE t.person_id = p.id AND t.tag = ?))"
	" ORDER BY p.id LIMIT ?";
static const char sql_person_tags_range[] =
	"SELECT person_id, tag FROM person_tags WHERE person_id >= ? AND person_id <= ? ORDER BY person_id, tag";
static const char sql_person_sealed[] = "SELECT id_sealed, phone_sealed, key_version FROM persons WHERE id = ?";
static const char sql_status_history[] =
	"SELECT status, note, at, by_login FROM person_status_history WHERE person_id = ? ORDER BY id";

json_t *person_json(struct store_stmt *st)
{
	char created[32], updated[32];
	time_format(store_col_int(st, 11), created);
	time_format(store_col_int(st, 12), updated);
	int64_t household = store_col_int(st, 13);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:{s:s, s:s, s:s}, s:[]}",
			 "id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1), "sex",
			 store_col_text(st, 2), "birth_date", store_col_text(st, 3), "id_type", store_col_text(st, 4),
			 "id_number", store_col_text(st, 5), "phone", store_col_text(st, 6), "relation",
			 store_col_text(st, 7), "status", store_col_text(st, 8), "notes", store_col_text(st, 9), "version",
			 (json_int_t)store_col_int(st, 10), "created_at", created, "updated_at", updated, "household",
			 household ? json_pack("{s:I, s:s}", "id", (json_int_t)household, "address", store_col_text(st, 14))
				   : json_null(),
			 "area", "code", store_col_text(st, 15), "name", store_col_text(st, 16), "level",
			 area_level_name((int)store_col_int(st, 17)), "tags");
}

/* Fills the "tags" arrays of persons (a JSON array ordered by id) with one
 * range query over the page's ids instead of one query per person. */
int person_attach_tags(struct store_conn *c, json_t *persons)
{
	size_t n = json_array_size(persons);
	if (!n)
		return STORE_OK;
	int64_t lo = json_integer_value(json_object_get(json_array_get(persons, 0), "id"));
	int64_t hi = json_integer_value(json_object_get(json_array_get(persons, n - 1), "id"));
	struct store_stmt *st = store_prepare(c, sql_person_tags_range);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, lo);
	store_bind_int(st, 2, hi);
	size_t i = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t id = store_col_int(st, 0);
		while (i < n && json_integer_value(json_object_get(json_array_get(persons, i), "id")) < id)
			i++;
		if (i < n && json_integer_value(json_object_get(json_array_get(persons, i), "id")) == id)
			json_array_append_new(json_object_get(json_array_get(persons, i), "tags"),
					      json_string(store_col_text(st, 1)));
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* ---- list and search ---- */


/* The current key's hash and the previous version's, so a search finds
 * rows not yet re-keyed during a rotation. */
static void hashes(const char *kind, const char *text, char out[2][VAULT_HASH_HEX])
{
	const struct vault *v = register_vault;
	vault_hash(v, 0, kind, text, out[0]);
	int previous = 0;
	for (int i = 0; i < v->count; i++)
		if (v->keys[i].version < v->current && v->keys[i].version > previous)
			previous = v->keys[i].version;
	if (previous)
		vault_hash(v, previous, kind, text, out[1]);
	else
		memcpy(out[1], out[0], VAULT_HASH_HEX);
}

int person_list_tx(struct store_conn *c, void *arg)
{
	struct person_query *q = arg;
	struct store_scope scope;
	int rc = register_narrow_scope(c, q->caller, q->area, &scope);
	if (rc == STORE_DONE) {
		q->area_missing = true;
		return STORE_ABORT;
	}
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_person_list);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, &scope);
	store_bind_int(st, 3, q->page.after);
	store_bind_text(st, 4, q->name);
	store_bind_text(st, 5, q->name);
	store_bind_text(st, 6, q->name ? q->name_hi : NULL);
	store_bind_text(st, 7, q->id_number);
	store_bind_text(st, 8, q->id_hash[0]);
	store_bind_text(st, 9, q->id_hash[1]);
	store_bind_text(st, 10, q->phone);
	store_bind_text(st, 11, q->phone_hash[0]);
	store_bind_text(st, 12, q->phone_hash[1]);
	store_bind_text(st, 13, q->address_like);
	store_bind_text(st, 14, q->address_like);
	store_bind_text(st, 15, q->status);
	store_bind_text(st, 16, q->status);
	store_bind_text(st, 17, q->tag);
	store_bind_text(st, 18, q->tag);
	store_bind_int(st, 19, q->page.limit);
	json_array_clear(q->items);
	while ((rc = store_step(st)) == STORE_ROW) {
		json_array_append_new(q->items, person_json(st));
		q->last_id = store_col_int(st, 0);
	}
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	return person_attach_tags(c, q->items);
}

bool person_query_from(struct http_req *req, struct person_query *q)
{
	*q = (struct person_query){.caller = identity_caller(req), .area = http_query(req, "area"),
				   .name = http_query(req, "name"), .id_number = http_query(req, "id_number"),
				   .phone = http_query(req, "phone"), .address = http_query(req, "address"),
				   .status = http_query(req, "status"), .tag = http_query(req, "tag")};
	if (q->status && !person_status_known(q->status)) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "status", "status is living, moved_out or deceased");
		return false;
	}
	if (q->name) {
		/* A prefix as a range: every string starting with name sorts
		 * below name followed by the highest code point. */
		if (!*q->name || strlen(q->name) > 200) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "name", "name is a prefix of 1 to 50 characters");
			return false;
		}
		snprintf(q->name_hi, sizeof q->name_hi, "%s\xF4\x8F\xBF\xBF", q->name);
	}
	char normal[40];
	if (q->id_number) {
		register_normalize_id(q->id_number, normal, sizeof normal);
		hashes("id", normal, q->id_hash);
	}
	if (q->phone) {
		if (!register_normalize_phone(q->phone, normal, sizeof normal)) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "phone", "Not a phone number");
			return false;
		}
		hashes("phone", normal, q->phone_hash);
	}
	if (q->address) {
		if (!*q->address || strlen(q->address) > 200) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "address", "address is 1 to 200 bytes");
			return false;
		}
		q->address_like = register_like_pattern(q->address);
	}
	return true;
}

void persons_list(struct http_req *req)
{
	struct person_query q;
	if (!http_page_params(req, &q.page))
		return;
	struct http_page page = q.page;
	if (!person_query_from(req, &q))
		return;
	q.page = page;
	q.items = json_array();
	int rc = store_tx(register_store, STORE_READ, person_list_tx, &q);
	free(q.address_like);
	if (rc != STORE_OK) {
		json_decref(q.items);
		if (q.area_missing)
			http_reply_error(req, HTTP_ERR_not_found, "area", "No such area");
		else
			reply_store_failure(req, rc);
		return;
	}
	json_t *out = json_pack("{s:o}", "items", q.items);
	http_page_finish(out, &q.page, json_array_size(q.items), q.last_id);
	http_reply_json(req, 200, out);
}

/* ---- read, with an audited reveal ---- */

struct person_read {
	const struct caller *caller;
	struct actor actor;
	int64_t id;
	bool reveal_id, reveal_phone;
	json_t *person;
	bool damaged;
};

static int person_read_tx(struct store_conn *c, void *arg)
{
	struct person_read *r = arg;
	struct store_stmt *st = store_prepare(c, sql_person_get);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->id);
	store_bind_scope(st, 2, &r->caller->scope);
	int rc = store_step(st);
	json_decref(r->person);
	r->person = NULL;
	if (rc == STORE_ROW)
		r->person = person_json(st);
	store_reset(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ABORT : rc;
	json_t *list = json_pack("[O]", r->person);
	rc = person_attach_tags(c, list);
	json_decref(list);
	if (rc != STORE_OK)
		return rc;
	json_t *history = json_array();
	json_object_set_new(r->person, "status_history", history);
	st = store_prepare(c, sql_status_history);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->id);
	while ((rc = store_step(st)) == STORE_ROW) {
		char at[32];
		time_format(store_col_int(st, 2), at);
		json_array_append_new(history, json_pack("{s:s, s:s, s:s, s:s}", "status", store_col_text(st, 0), "note",
							 store_col_text(st, 1), "at", at, "by", store_col_text(st, 3)));
	}
	store_reset(st);
	if (rc != STORE_DONE || (!r->reveal_id && !r->reveal_phone))
		return rc == STORE_DONE ? STORE_OK : rc;
	st = store_prepare(c, sql_person_sealed);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->id);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		int version = (int)store_col_int(st, 2);
		const char *fields[] = {"id_number", "phone"};
		bool wanted[] = {r->reveal_id, r->reveal_phone};
		for (int i = 0; i < 2; i++) {
			size_t n;
			const unsigned char *sealed = store_col_blob(st, i, &n);
			char plain[64];
			if (!wanted[i] || store_col_null(st, i))
				continue;
			if (!vault_open(register_vault, version, sealed, n, plain, sizeof plain)) {
				r->damaged = true;
				continue;
			}
			json_object_set_new(r->person, fields[i], json_string(plain));
			sodium_memzero(plain, sizeof plain);
		}
	}
	store_reset(st);
	if (rc != STORE_ROW)
		return rc;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)r->id);
	json_t *summary = json_pack("{s:b, s:b}", "id_number", r->reveal_id, "phone", r->reveal_phone);
	rc = audit_append(c, &r->actor, "person.reveal", "person", id, 0, summary);
	json_decref(summary);
	return rc;
}

void persons_read(struct http_req *req)
{
	struct person_read r = {.caller = identity_caller(req), .id = http_param_id(req, "id")};
	const char *reveal = http_query(req, "reveal");
	if (reveal) {
		r.reveal_id = strstr(reveal, "id_number") != NULL;
		r.reveal_phone = strstr(reveal, "phone") != NULL;
		if (!r.reveal_id && !r.reveal_phone) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "reveal", "reveal lists id_number and/or phone");
			return;
		}
		if (!role_has(r.caller->role, "persons.reveal")) {
			http_reply_error(req, HTTP_ERR_forbidden, "reveal", "Your role may not reveal personal data");
			return;
		}
	}
	identity_actor(req, &r.actor);
	bool writes = r.reveal_id || r.reveal_phone;
	int rc = r.id ? store_tx(register_store, writes ? STORE_WRITE : STORE_READ, person_read_tx, &r) : STORE_ABORT;
	if (rc != STORE_OK) {
		json_decref(r.person);
		if (rc == STORE_ABORT)
			http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
		else
			reply_store_failure(req, rc);
		return;
	}
	if (r.damaged)
		log_error("person %lld: a sealed field does not open with its key", (long long)r.id);
	http_reply_json(req, 200, r.person);
}

/* Writing persons: create, change, status. One function, person_save_in,
 * writes a person for the API and for the import alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idcheck.h"
#include "core/timeutil.h"
#include "modules/common/reply.h"
#include "modules/register/register_internal.h"

static const char sql_household_area[] =
	"SELECT h.area_id FROM households h JOIN areas a ON a.id = h.area_id WHERE h.id = ? AND " STORE_IN_SCOPE("a");
static const char sql_person_current[] =
	"SELECT p.version, p.sex, p.birth_date, p.id_type, p.area_id, COALESCE(p.household_id, 0) FROM persons p"
	" JOIN areas a ON a.id = p.area_id WHERE p.id = ? AND " STORE_IN_SCOPE("a");
static const char sql_person_by_id_hash[] =
	"SELECT p.id, p.version FROM persons p JOIN areas a ON a.id = p.area_id WHERE p.id_hash = ? AND "
	STORE_IN_SCOPE("a");
static const char sql_person_by_name_phone[] =
	"SELECT p.id, p.version FROM persons p JOIN areas a ON a.id = p.area_id WHERE p.name = ? AND p.phone_hash = ?"
	" AND COALESCE(p.household_id, 0) = ? AND " STORE_IN_SCOPE("a");
static const char sql_person_insert[] =
	"INSERT INTO persons (area_id, household_id, relation, name, sex, birth_date, id_type, id_sealed, id_hash,"
	" id_masked, phone_sealed, phone_hash, phone_masked, key_version, status, notes, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
/* Sealed fields are replaced only when given (flag 1); key_version then
 * becomes current for both, so the other is re-sealed by the caller too. */
static const char sql_person_update[] =
	"UPDATE persons SET area_id = ?, household_id = ?, relation = ?, name = ?, sex = ?, birth_date = ?,"
	" id_type = ?, id_sealed = ?, id_hash = ?, id_masked = ?, phone_sealed = ?, phone_hash = ?, phone_masked = ?,"
	" key_version = ?, notes = COALESCE(CAST(? AS TEXT), notes), version = version + 1, updated_at = ?"
	" WHERE id = ? AND version = ?";
static const char sql_person_sealed_all[] =
	"SELECT id_sealed, phone_sealed, key_version, id_type, id_masked, phone_masked FROM persons WHERE id = ?";
static const char sql_tags_clear[] = "DELETE FROM person_tags WHERE person_id = ?";
static const char sql_tag_add[] =
	"INSERT INTO person_tags (person_id, tag) SELECT ?, code FROM tags WHERE code = ? AND applies_to = 'person'";
static const char sql_status_set[] =
	"UPDATE persons SET status = ?, version = version + 1, updated_at = ? WHERE id = ?";
static const char sql_status_history_add[] =
	"INSERT INTO person_status_history (person_id, status, note, at, by_login) VALUES (?, ?, ?, ?, ?)";

static int save_fail(struct person_save *s, enum http_error e, const char *field, const char *message)
{
	s->error = e;
	s->error_field = field;
	s->error_message = message;
	return STORE_ABORT;
}

static void bind_sealed(struct store_stmt *st, int idx, const char *kind, const char *text)
{
	if (!*text) {
		store_bind_null(st, idx);
		store_bind_null(st, idx + 1);
		return;
	}
	size_t n = strlen(text);
	unsigned char sealed[VAULT_SEALED_SIZE(64)];
	char hash[VAULT_HASH_HEX];
	vault_seal(register_vault, text, n, sealed);
	vault_hash(register_vault, 0, kind, text, hash);
	store_bind_blob(st, idx, sealed, VAULT_SEALED_SIZE(n));
	store_bind_text(st, idx + 1, hash);
}

/* Parameters 3 to 14 of the insert and the update alike: the person's
 * fields, sealed where they must be. */
static void bind_person(struct store_stmt *st, const struct person_save *s)
{
	store_bind_text(st, 3, s->clean.relation);
	store_bind_text(st, 4, s->clean.name);
	store_bind_text(st, 5, s->clean.sex);
	store_bind_text(st, 6, s->clean.birth_date);
	store_bind_text(st, 7, s->clean.id_type);
	bind_sealed(st, 8, "id", s->clean.id_number);
	store_bind_text(st, 10, s->clean.id_masked);
	bind_sealed(st, 11, "phone", s->clean.phone);
	store_bind_text(st, 13, s->clean.phone_masked);
	store_bind_int(st, 14, register_vault->current);
}

/* No ORDER BY/LIMIT: a hash names one person (or a few), and a LIMIT
 * tempts PostgreSQL's planner into walking the id index instead. */
static int find_match(struct store_conn *c, struct person_save *s, const struct store_scope *scope)
{
	struct store_stmt *st;
	char hash[VAULT_HASH_HEX];
	if (s->clean.id_number[0]) {
		vault_hash(register_vault, 0, "id", s->clean.id_number, hash);
		st = store_prepare(c, sql_person_by_id_hash);
		if (!st)
			return STORE_ERROR;
		store_bind_text(st, 1, hash);
		store_bind_scope(st, 2, scope);
	} else if (s->match_existing && s->clean.phone[0]) {
		vault_hash(register_vault, 0, "phone", s->clean.phone, hash);
		st = store_prepare(c, sql_person_by_name_phone);
		if (!st)
			return STORE_ERROR;
		store_bind_text(st, 1, s->clean.name);
		store_bind_text(st, 2, hash);
		store_bind_int(st, 3, s->household_id);
		store_bind_scope(st, 4, scope);
	} else {
		return STORE_OK;
	}
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		if (!s->match_existing) {
			store_reset(st);
			return save_fail(s, HTTP_ERR_conflict, "id_number", "A person with this ID number is registered already");
		}
		s->id = store_col_int(st, 0);
		s->version = store_col_int(st, 1);
	}
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

/* A change that gives a person an ID number another person in scope has
 * is refused, as a second registration would be. */
static int check_unique_id(struct store_conn *c, struct person_save *s, const struct store_scope *scope)
{
	char hash[VAULT_HASH_HEX];
	vault_hash(register_vault, 0, "id", s->clean.id_number, hash);
	struct store_stmt *st = store_prepare(c, sql_person_by_id_hash);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, hash);
	store_bind_scope(st, 2, scope);
	int rc;
	bool other = false;
	while ((rc = store_step(st)) == STORE_ROW)
		other |= store_col_int(st, 0) != s->id;
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	return other ? save_fail(s, HTTP_ERR_conflict, "id_number", "A person with this ID number is registered already")
		     : STORE_OK;
}

/* On update without a new ID number or phone, the stored ones are kept:
 * opened and sealed again with the current key, so one key version covers
 * the row. */
static int keep_sealed(struct store_conn *c, struct person_save *s, bool keep_id, bool keep_phone)
{
	struct store_stmt *st = store_prepare(c, sql_person_sealed_all);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, s->id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		int version = (int)store_col_int(st, 2);
		for (int i = 0; i < 2; i++) {
			if (!(i == 0 ? keep_id : keep_phone) || store_col_null(st, i))
				continue;
			size_t n;
			const unsigned char *sealed = store_col_blob(st, i, &n);
			char *dst = i == 0 ? s->clean.id_number : s->clean.phone;
			size_t size = i == 0 ? sizeof s->clean.id_number : sizeof s->clean.phone;
			if (!vault_open(register_vault, version, sealed, n, dst, size)) {
				store_reset(st);
				log_error("person %lld: a sealed field does not open", (long long)s->id);
				return STORE_ERROR;
			}
		}
		if (keep_id) {
			snprintf(s->clean.id_type, sizeof s->clean.id_type, "%s", store_col_text(st, 3));
			snprintf(s->clean.id_masked, sizeof s->clean.id_masked, "%s", store_col_text(st, 4));
		}
		if (keep_phone)
			snprintf(s->clean.phone_masked, sizeof s->clean.phone_masked, "%s", store_col_text(st, 5));
	}
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : STORE_ERROR;
}

static int save_tags(struct store_conn *c, struct person_save *s)
{
	if (!s->tags)
		return STORE_OK;
	int rc = STORE_DONE;
	struct store_stmt *st;
	if (!s->created) {
		st = store_prepare(c, sql_tags_clear);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, s->id);
		rc = store_step(st);
		store_reset(st);
	}
	size_t i;
	json_t *tag;
	json_array_foreach(s->tags, i, tag) {
		if (rc != STORE_DONE)
			break;
		if (!json_is_string(tag))
			return save_fail(s, HTTP_ERR_invalid_value, "tags", "tags is an array of tag codes");
		st = store_prepare(c, sql_tag_add);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, s->id);
		store_bind_text(st, 2, json_string_value(tag));
		rc = store_step(st);
		int64_t added = store_changes(st);
		store_reset(st);
		if (rc == STORE_DONE && added != 1)
			return save_fail(s, HTTP_ERR_invalid_value, "tags", "Unknown person tag");
		if (rc == STORE_CONSTRAINT) /* listed twice */
			return save_fail(s, HTTP_ERR_invalid_value, "tags", "A tag is listed twice");
	}
	return rc == STORE_DONE ? STORE_OK : rc;
}

int person_save_in(struct store_conn *c, struct person_save *s)
{
	const struct store_scope *scope = &s->caller->scope;
	int64_t area_id = 0;
	int rc;
	if (s->household_id) {
		struct store_stmt *st = store_prepare(c, sql_household_area);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, s->household_id);
		store_bind_scope(st, 2, scope);
		rc = store_step(st);
		area_id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
		store_reset(st);
		if (rc == STORE_DONE)
			return save_fail(s, HTTP_ERR_invalid_value, "household_id", "No such household in your area");
		if (rc != STORE_ROW)
			return rc;
	} else if (s->area_code) {
		struct area_ref a;
		rc = area_find(c, scope, s->area_code, &a);
		if (rc == STORE_DONE)
			return save_fail(s, HTTP_ERR_invalid_value, "area_code", "No such area in your scope");
		if (rc != STORE_OK)
			return rc;
		area_id = a.id;
	}
	if (!s->id && (rc = find_match(c, s, scope)) != STORE_OK)
		return rc;
	if (s->id && !s->match_existing && s->clean.id_number[0] && (rc = check_unique_id(c, s, scope)) != STORE_OK)
		return rc;
	bool create = s->id == 0;
	int64_t now = time_now();
	struct store_stmt *st;
	if (create) {
		if (!area_id)
			return save_fail(s, HTTP_ERR_missing_field, "area_code", "A person needs a household or an area");
		st = store_prepare(c, sql_person_insert);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, area_id);
		if (s->household_id)
			store_bind_int(st, 2, s->household_id);
		else
			store_bind_null(st, 2);
		bind_person(st, s);
		store_bind_text(st, 15, s->clean.status);
		store_bind_text(st, 16, s->notes ? s->notes : "");
		store_bind_int(st, 17, now);
		store_bind_int(st, 18, now);
		rc = store_step(st);
		s->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
		store_reset(st);
		if (rc != STORE_ROW)
			return rc;
		s->created = true;
	} else {
		st = store_prepare(c, sql_person_current);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, s->id);
		store_bind_scope(st, 2, scope);
		rc = store_step(st);
		int64_t version = rc == STORE_ROW ? store_col_int(st, 0) : 0;
		if (!area_id && rc == STORE_ROW)
			area_id = store_col_int(st, 4);
		/* A change that does not name a household keeps the one it has. */
		if (!s->household_id && !s->area_code && rc == STORE_ROW)
			s->household_id = store_col_int(st, 5);
		store_reset(st);
		if (rc == STORE_DONE)
			return save_fail(s, HTTP_ERR_not_found, NULL, NULL);
		if (rc != STORE_ROW)
			return rc;
		if (!s->match_existing && version != s->version)
			return save_fail(s, HTTP_ERR_conflict, "version", "The person was changed by someone else: reload");
		s->version = version;
		bool keep_id = !s->clean.id_number[0], keep_phone = !s->clean.phone[0];
		if ((keep_id || keep_phone) && (rc = keep_sealed(c, s, keep_id, keep_phone)) != STORE_OK)
			return rc;
		/* A kept resident ID still decides sex and birth date. */
		struct id_info info;
		if (keep_id && strcmp(s->clean.id_type, "resident_id") == 0 &&
		    idcheck_resident(s->clean.id_number, "99991231", &info) == ID_OK) {
			char sex[2] = {info.sex, 0}, birth[11];
			snprintf(birth, sizeof birth, "%04d-%02d-%02d", info.year, info.month, info.day);
			if (s->clean.sex[0] && strcmp(s->clean.sex, sex) != 0)
				return save_fail(s, HTTP_ERR_invalid_value, "sex", "sex does not agree with the ID number");
			if (s->clean.birth_date[0] && strcmp(s->clean.birth_date, birth) != 0)
				return save_fail(s, HTTP_ERR_invalid_value, "birth_date", "birth_date does not agree with the ID number");
			memcpy(s->clean.sex, sex, sizeof sex);
			memcpy(s->clean.birth_date, birth, sizeof birth);
		}
		st = store_prepare(c, sql_person_update);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, area_id);
		if (s->household_id)
			store_bind_int(st, 2, s->household_id);
		else
			store_bind_null(st, 2);
		bind_person(st, s);
		store_bind_text(st, 15, s->notes);
		store_bind_int(st, 16, now);
		store_bind_int(st, 17, s->id);
		store_bind_int(st, 18, version);
		rc = store_step(st);
		int64_t changed = store_changes(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
		if (changed != 1)
			return save_fail(s, HTTP_ERR_conflict, "version", "The person was changed by someone else: reload");
	}
	sodium_memzero(s->clean.id_number, sizeof s->clean.id_number);
	sodium_memzero(s->clean.phone, sizeof s->clean.phone);
	if ((rc = save_tags(c, s)) != STORE_OK)
		return rc;
	if (s->quiet)
		return STORE_OK;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)s->id);
	/* The summary names what changed, never the identifiers themselves. */
	json_t *summary = json_pack("{s:s, s:s, s:s}", "name", s->clean.name, "id_number", s->clean.id_masked, "phone",
				    s->clean.phone_masked);
	rc = audit_append(c, s->actor, create ? "person.create" : "person.update", "person", id, area_id, summary);
	json_decref(summary);
	return rc;
}

/* ---- handlers ---- */

struct person_request {
	struct person_save save;
	struct person_save original; /* the request as received: each attempt starts from it */
	json_t *person;
};

static const char sql_person_reload[] =
	"SELECT p.id, p.name, p.sex, p.birth_date, p.id_type, p.id_masked, p.phone_masked, p.relation, p.status,"
	" p.notes, p.version, p.created_at, p.updated_at, COALESCE(p.household_id, 0), COALESCE(h.address, ''),"
	" a.code, a.name, a.level, p.key_version FROM persons p JOIN areas a ON a.id = p.area_id"
	" LEFT JOIN households h ON h.id = p.household_id WHERE p.id = ?";

static int person_reload(struct store_conn *c, struct person_request *r)
{
	struct store_stmt *st = store_prepare(c, sql_person_reload);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->save.id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		r->person = person_json(st);
	store_reset(st);
	if (rc != STORE_ROW)
		return STORE_ERROR;
	json_t *list = json_pack("[O]", r->person);
	rc = person_attach_tags(c, list);
	json_decref(list);
	return rc;
}

static int person_write_tx(struct store_conn *c, void *arg)
{
	struct person_request *r = arg;
	/* person_save_in fills in ids and wipes identifiers as it goes: a
	 * retried attempt must see the request, not the last attempt. */
	r->save = r->original;
	json_decref(r->person);
	r->person = NULL;
	int rc = person_save_in(c, &r->save);
	return rc == STORE_OK ? person_reload(c, r) : rc;
}

static void person_reply(struct http_req *req, struct person_request *r, int rc, unsigned status)
{
	if (rc == STORE_OK) {
		http_reply_json(req, status, r->person);
		return;
	}
	json_decref(r->person);
	if (rc == STORE_ABORT)
		http_reply_error(req, r->save.error, r->save.error_field, r->save.error_message ? "%s" : NULL,
				 r->save.error_message);
	else
		reply_store_failure(req, rc);
}

static void today(char out[9])
{
	char now[32];
	time_format(time_now() + 8 * 3600, now); /* the calendar day in China */
	snprintf(out, 9, "%.4s%.2s%.2s", now, now + 5, now + 8);
}

static void person_write(struct http_req *req, bool create)
{
	struct person_input in = {0};
	struct person_request r = {0};
	struct actor actor;
	const char *notes = NULL;
	int64_t household_id = 0, version = 0;
	const char *area_code = NULL;
	json_t *tags = NULL;
	bool has_household = false;
	const struct field_spec specs[] = {
		{.name = "name", .type = FIELD_STRING, .dest = &in.name, .optional = !create, .min = 1, .max = 50},
		{.name = "sex", .type = FIELD_STRING, .dest = &in.sex, .optional = true, .max = 1},
		{.name = "birth_date", .type = FIELD_STRING, .dest = &in.birth_date, .optional = true, .max = 10},
		{.name = "id_type", .type = FIELD_STRING, .dest = &in.id_type, .optional = true, .max = 20},
		{.name = "id_number", .type = FIELD_STRING, .dest = &in.id_number, .optional = true, .max = 30},
		{.name = "phone", .type = FIELD_STRING, .dest = &in.phone, .optional = true, .max = 30},
		{.name = "relation", .type = FIELD_STRING, .dest = &in.relation, .optional = true, .max = 16},
		{.name = "notes", .type = FIELD_STRING, .dest = &notes, .optional = true, .max = 1000},
		{.name = "household_id", .type = FIELD_INT, .dest = &household_id, .optional = true, .min = 1, .max = INT64_MAX, .present = &has_household},
		{.name = "area_code", .type = FIELD_STRING, .dest = &area_code, .optional = true, .min = 1, .max = AREA_CODE_MAX},
		{.name = "tags", .type = FIELD_ARRAY, .dest = &tags, .optional = true},
		{.name = "version", .type = FIELD_INT, .dest = &version, .optional = create, .min = 1, .max = INT64_MAX},
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	if (!create && !in.name) {
		http_reply_error(req, HTTP_ERR_missing_field, "name", "A change sends the whole person but its identifiers: name is required");
		return;
	}
	char day[9];
	today(day);
	const char *field, *why;
	if (person_check(&in, day, &r.save.clean, &field, &why) != PERSON_OK) {
		http_reply_error(req, HTTP_ERR_invalid_value, field, "%s", why);
		return;
	}
	identity_actor(req, &actor);
	r.save.caller = identity_caller(req);
	r.save.actor = &actor;
	r.save.household_id = has_household ? household_id : 0;
	r.save.area_code = area_code;
	r.save.tags = tags;
	r.save.notes = notes;
	r.save.id = create ? 0 : http_param_id(req, "id");
	r.save.version = version;
	if (!create && !r.save.id) {
		http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
		return;
	}
	r.original = r.save;
	int rc = store_tx(register_store, STORE_WRITE, person_write_tx, &r);
	sodium_memzero(&r.original.clean, sizeof r.original.clean);
	person_reply(req, &r, rc, create ? 201 : 200);
}

void persons_create(struct http_req *req)
{
	person_write(req, true);
}

void persons_update(struct http_req *req)
{
	person_write(req, false);
}

struct status_change {
	const struct caller *caller;
	struct actor actor;
	int64_t id;
	const char *status, *note;
	struct person_request r;
};

static int status_tx(struct store_conn *c, void *arg)
{
	struct status_change *s = arg;
	struct store_stmt *st = store_prepare(c, sql_person_current);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, s->id);
	store_bind_scope(st, 2, &s->caller->scope);
	int rc = store_step(st);
	int64_t area_id = rc == STORE_ROW ? store_col_int(st, 4) : 0;
	store_reset(st);
	if (rc == STORE_DONE)
		return save_fail(&s->r.save, HTTP_ERR_not_found, NULL, NULL);
	if (rc != STORE_ROW)
		return rc;
	int64_t now = time_now();
	st = store_prepare(c, sql_status_set);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, s->status);
	store_bind_int(st, 2, now);
	store_bind_int(st, 3, s->id);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	st = store_prepare(c, sql_status_history_add);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, s->id);
	store_bind_text(st, 2, s->status);
	store_bind_text(st, 3, s->note ? s->note : "");
	store_bind_int(st, 4, now);
	store_bind_text(st, 5, s->actor.login);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)s->id);
	json_t *summary = json_pack("{s:s, s:s}", "status", s->status, "note", s->note ? s->note : "");
	rc = audit_append(c, &s->actor, "person.status", "person", id, area_id, summary);
	json_decref(summary);
	s->r.save.id = s->id;
	return rc == STORE_OK ? person_reload(c, &s->r) : rc;
}

void persons_status(struct http_req *req)
{
	struct status_change s = {.caller = identity_caller(req), .id = http_param_id(req, "id")};
	const struct field_spec specs[] = {
		FIELD_STR("status", &s.status, 1, 16),
		FIELD_STR_OPT("note", &s.note, 500),
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	if (!person_status_known(s.status)) {
		http_reply_error(req, HTTP_ERR_invalid_value, "status", "status is living, moved_out or deceased");
		return;
	}
	identity_actor(req, &s.actor);
	int rc = s.id ? store_tx(register_store, STORE_WRITE, status_tx, &s)
		      : save_fail(&s.r.save, HTTP_ERR_not_found, NULL, NULL);
	person_reply(req, &s.r, rc, 200);
}

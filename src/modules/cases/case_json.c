/* A case as the API answers it: the row, its departments, photos and
 * timeline, and what the caller may do next (a dispatcher asks for the
 * cases it may duplicate on its own route, duplicates.c). The resident's
 * follow page gets a public view:
 * no internal notes, departments instead of staff names, no phone. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_text.h"
#include "core/timeutil.h"
#include "modules/cases/cases_internal.h"

static const char sql_case_full[] =
	"SELECT c.source, c.urgent, c.title, c.description, c.address, c.lat_e6, c.lon_e6, c.attributes,"
	" c.reporter_name, c.reporter_phone_masked, c.call_notes, c.result, c.rating_outcome, c.satisfaction,"
	" c.rating_comment, c.rated_at, c.closed_at, c.supervised, c.reminders, c.signed_late, c.resolved_late,"
	" k.name_zh, k.name_en, a.code, a.name, a.level, lu.name, su.name, c.created_by"
	" FROM cases c JOIN case_categories k ON k.code = c.category_code JOIN areas a ON a.id = c.area_id"
	" LEFT JOIN units lu ON lu.id = c.lead_unit_id LEFT JOIN units su ON su.id = c.suggested_unit_id"
	" WHERE c.id = ?";

static const char sql_case_units[] =
	"SELECT u.id, u.name, x.added_at, COALESCE(x.reported_at, 0), COALESCE(x.replied_at, 0), x.reply"
	" FROM case_units x JOIN units u ON u.id = x.unit_id WHERE x.case_id = ? ORDER BY x.added_at, u.id";

static const char sql_case_photos[] =
	"SELECT sha256, COALESCE(event_id, 0) FROM case_photos WHERE case_id = ? ORDER BY id";

static const char sql_case_events[] =
	"SELECT e.id, e.at, e.action, e.party, e.actor_login, e.actor_name, u.name, e.from_state, e.to_state, e.note,"
	" e.data, e.public FROM case_events e LEFT JOIN units u ON u.id = e.actor_unit_id"
	" WHERE e.case_id = ? ORDER BY e.id";

static const char *text_or_null(struct store_stmt *st, int col)
{
	return store_col_null(st, col) ? NULL : store_col_text(st, col);
}

static void time_member(struct json_text *t, const char *key, int64_t seconds)
{
	if (!seconds) {
		jt_null(t, key);
		return;
	}
	char text[32];
	time_format(seconds, text);
	jt_string(t, key, text);
}

/* A column of JSON text this module wrote (attributes, an event's data):
 * written as it is once it parses, so the answer stays valid JSON whatever
 * the row holds. */
static void json_column(struct json_text *t, const char *key, struct store_stmt *st, int col)
{
	const char *text = store_col_text(st, col);
	json_t *v = *text && strcmp(text, "{}") != 0 ? json_loads(text, 0, NULL) : NULL;
	jt_raw(t, key, v ? text : "{}");
	json_decref(v);
}

static void allowed_json(struct json_text *t, const struct case_row *row, unsigned parties)
{
	struct case_facts f;
	case_facts_of(row, &f);
	bool allowed[CASE_ACTION_COUNT] = {false};
	for (int p = 0; p < CASE_PARTY_COUNT; p++) {
		if (!((parties >> p) & 1u))
			continue;
		enum case_action acts[CASE_ACTION_COUNT];
		size_t n = case_allowed_actions(&f, (enum case_party)p, acts, CASE_ACTION_COUNT);
		for (size_t i = 0; i < n && i < CASE_ACTION_COUNT; i++)
			allowed[acts[i]] = true;
	}
	jt_array(t, "allowed_actions");
	for (int a = 0; a < CASE_ACTION_COUNT; a++)
		if (allowed[a])
			jt_string(t, NULL, case_action_name((enum case_action)a));
	jt_array_end(t);
}

static void parties_json(struct json_text *t, unsigned parties)
{
	jt_array(t, "parties");
	for (int p = 0; p < CASE_PARTY_COUNT; p++)
		if ((parties >> p) & 1u)
			jt_string(t, NULL, case_party_name((enum case_party)p));
	jt_array_end(t);
}

static int units_json(struct store_conn *c, int64_t id, bool public_view, struct json_text *t)
{
	struct store_stmt *st = store_prepare(c, sql_case_units);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc;
	jt_array(t, "co_departments");
	while ((rc = store_step(st)) == STORE_ROW) {
		jt_object(t, NULL);
		jt_int(t, "id", store_col_int(st, 0));
		jt_string(t, "name", store_col_text(st, 1));
		if (!public_view) {
			time_member(t, "added_at", store_col_int(st, 2));
			time_member(t, "reported_at", store_col_int(st, 3));
			time_member(t, "replied_at", store_col_int(st, 4));
			jt_string(t, "reply", store_col_text(st, 5));
		}
		jt_object_end(t);
	}
	jt_array_end(t);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int photos_json(struct store_conn *c, int64_t id, struct json_text *t)
{
	struct store_stmt *st = store_prepare(c, sql_case_photos);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc;
	jt_array(t, "photos");
	while ((rc = store_step(st)) == STORE_ROW) {
		char url[128];
		snprintf(url, sizeof url, "/api/v1/photos/%s", store_col_text(st, 0));
		int64_t event = store_col_int(st, 1);
		jt_object(t, NULL);
		jt_string(t, "sha256", store_col_text(st, 0));
		jt_string(t, "url", url);
		if (event)
			jt_int(t, "event_id", event);
		else
			jt_null(t, "event_id");
		jt_object_end(t);
	}
	jt_array_end(t);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int timeline_json(struct store_conn *c, int64_t id, bool public_view, struct json_text *t)
{
	struct store_stmt *st = store_prepare(c, sql_case_events);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc;
	jt_array(t, "timeline");
	while ((rc = store_step(st)) == STORE_ROW) {
		bool is_public = store_col_int(st, 11) != 0;
		if (public_view && !is_public)
			continue;
		jt_object(t, NULL);
		jt_int(t, "id", store_col_int(st, 0));
		time_member(t, "at", store_col_int(st, 1));
		jt_string(t, "action", store_col_text(st, 2));
		jt_string(t, "party", store_col_text(st, 3));
		jt_string(t, "from", store_col_text(st, 7));
		jt_string(t, "to", store_col_text(st, 8));
		jt_string(t, "unit", text_or_null(st, 6));
		/* A resident sees which department acted, not which clerk. */
		if (!public_view) {
			jt_string(t, "actor", store_col_text(st, 4));
			jt_string(t, "actor_name", store_col_text(st, 5));
			json_column(t, "data", st, 10);
			jt_bool(t, "public", is_public);
		}
		jt_string(t, "note", store_col_text(st, 9));
		jt_object_end(t);
	}
	jt_array_end(t);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static bool overdue_at(const struct case_row *row, int64_t now)
{
	if (strcmp(row->state, "dispatched") == 0)
		return row->sign_due_at && now > row->sign_due_at;
	if (strcmp(row->state, "signed") == 0)
		return row->resolve_due_at && now > row->resolve_due_at;
	return false;
}

int64_t case_json_valid_until(const struct case_row *row, int64_t now)
{
	if (overdue_at(row, now))
		return INT64_MAX; /* until a write moves the case on */
	int64_t due = strcmp(row->state, "dispatched") == 0 ? row->sign_due_at
		      : strcmp(row->state, "signed") == 0    ? row->resolve_due_at
							     : 0;
	return due ? due + 1 : INT64_MAX;
}

static void department(struct json_text *t, const char *key, int64_t id, const char *name)
{
	if (!id) {
		jt_null(t, key);
		return;
	}
	jt_object(t, key);
	jt_int(t, "id", id);
	jt_string(t, "name", name);
	jt_object_end(t);
}

/* The late marks: null until the step was taken. */
static void late_member(struct json_text *t, const char *key, struct store_stmt *st, int col)
{
	if (store_col_null(st, col))
		jt_null(t, key);
	else
		jt_bool(t, key, store_col_int(st, col) != 0);
}

int case_json_text(struct store_conn *c, const struct case_row *row, unsigned parties, bool public_view,
		   const char *phone, struct buf *out)
{
	struct store_stmt *st = store_prepare(c, sql_case_full);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, row->id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_reset(st);
		return rc == STORE_DONE ? STORE_ERROR : rc;
	}
	struct json_text t = {.out = *out};
	buf_reserve(&t.out, 4096); /* a case with a few steps, in one go */
	jt_object(&t, NULL);
	jt_int(&t, "id", row->id);
	jt_string(&t, "state", row->state);
	jt_string(&t, "source", store_col_text(st, 0));
	jt_bool(&t, "urgent", store_col_int(st, 1) != 0);
	jt_string(&t, "title", store_col_text(st, 2));
	jt_string(&t, "description", store_col_text(st, 3));
	jt_string(&t, "address", store_col_text(st, 4));
	if (!store_col_null(st, 5) && !store_col_null(st, 6)) {
		jt_object(&t, "location");
		jt_micros(&t, "lat", store_col_int(st, 5));
		jt_micros(&t, "lon", store_col_int(st, 6));
		jt_object_end(&t);
	} else {
		jt_null(&t, "location");
	}
	json_column(&t, "attributes", st, 7);
	jt_object(&t, "category");
	jt_string(&t, "code", row->category);
	jt_string(&t, "name_zh", store_col_text(st, 21));
	jt_string(&t, "name_en", store_col_text(st, 22));
	jt_object_end(&t);
	jt_object(&t, "area");
	jt_string(&t, "code", store_col_text(st, 23));
	jt_string(&t, "name", store_col_text(st, 24));
	jt_string(&t, "level", area_level_name((int)store_col_int(st, 25)));
	jt_object_end(&t);
	department(&t, "lead_department", row->lead_unit_id, store_col_text(st, 26));
	jt_string(&t, "result", store_col_text(st, 11));
	if (store_col_null(st, 13)) {
		jt_null(&t, "rating");
	} else {
		jt_object(&t, "rating");
		jt_string(&t, "outcome", text_or_null(st, 12));
		jt_string(&t, "satisfaction", text_or_null(st, 13));
		jt_string(&t, "comment", store_col_text(st, 14));
		time_member(&t, "at", store_col_int(st, 15));
		jt_object_end(&t);
	}
	time_member(&t, "submitted_at", row->submitted_at);
	time_member(&t, "dispatched_at", row->dispatched_at);
	time_member(&t, "signed_at", row->signed_at);
	time_member(&t, "resolved_at", row->resolved_at);
	time_member(&t, "closed_at", store_col_int(st, 16));
	time_member(&t, "sign_due_at", row->sign_due_at);
	time_member(&t, "resolve_due_at", row->resolve_due_at);
	jt_bool(&t, "overdue", overdue_at(row, time_now()));
	jt_int(&t, "reopen_count", row->reopen_count);
	jt_int(&t, "version", row->version);
	if (!public_view) {
		jt_object(&t, "reporter");
		jt_string(&t, "name", store_col_text(st, 8));
		jt_string(&t, "phone_masked", store_col_text(st, 9));
		jt_bool(&t, "registered", row->reporter_user_id != 0);
		if (phone)
			jt_string(&t, "phone", *phone ? phone : NULL);
		jt_object_end(&t);
		jt_string(&t, "call_notes", store_col_text(st, 10));
		jt_string(&t, "created_by", store_col_text(st, 28));
		department(&t, "suggested_department", row->suggested_unit_id, store_col_text(st, 27));
		jt_bool(&t, "extension_pending", row->extension_pending);
		jt_int(&t, "extension_days", row->extension_days);
		jt_bool(&t, "ruled", row->ruled);
		if (row->merged_into)
			jt_int(&t, "merged_into", row->merged_into);
		else
			jt_null(&t, "merged_into");
		jt_bool(&t, "supervised", store_col_int(st, 17) != 0);
		jt_int(&t, "reminders", store_col_int(st, 18));
		late_member(&t, "signed_late", st, 19);
		late_member(&t, "resolved_late", st, 20);
	}
	store_reset(st);
	if ((rc = units_json(c, row->id, public_view, &t)) == STORE_OK &&
	    (rc = photos_json(c, row->id, &t)) == STORE_OK &&
	    (rc = timeline_json(c, row->id, public_view, &t)) == STORE_OK) {
		parties_json(&t, parties);
		allowed_json(&t, row, parties);
		jt_object_end(&t);
	}
	*out = t.out;
	return rc;
}

int case_json(struct store_conn *c, const struct case_row *row, unsigned parties, bool public_view, json_t **out)
{
	struct buf text = {0};
	int rc = case_json_text(c, row, parties, public_view, NULL, &text);
	if (rc == STORE_OK && !(*out = json_loadb(text.data, text.len, 0, NULL)))
		rc = STORE_ERROR;
	buf_free(&text);
	return rc;
}

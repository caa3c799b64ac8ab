/* A case as the API answers it: the row, its departments, photos and
 * timeline, and what the caller may do next (a dispatcher asks for the
 * cases it may duplicate on its own route, duplicates.c). The resident's
 * follow page gets a public view:
 * no internal notes, departments instead of staff names, no phone. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static json_t *text_or_null(struct store_stmt *st, int col)
{
	return store_col_null(st, col) ? json_null() : json_string(store_col_text(st, col));
}

static json_t *parse_json_col(struct store_stmt *st, int col)
{
	json_t *v = json_loads(store_col_text(st, col), 0, NULL);
	return v ? v : json_object();
}

static json_t *allowed_json(const struct case_row *row, unsigned parties)
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
	json_t *list = json_array();
	for (int a = 0; a < CASE_ACTION_COUNT; a++)
		if (allowed[a])
			json_array_append_new(list, json_string(case_action_name((enum case_action)a)));
	return list;
}

static json_t *parties_json(unsigned parties)
{
	json_t *list = json_array();
	for (int p = 0; p < CASE_PARTY_COUNT; p++)
		if ((parties >> p) & 1u)
			json_array_append_new(list, json_string(case_party_name((enum case_party)p)));
	return list;
}

static int units_json(struct store_conn *c, int64_t id, bool public_view, json_t *out)
{
	struct store_stmt *st = store_prepare(c, sql_case_units);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		json_t *u = json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1));
		if (!public_view) {
			json_object_set_new(u, "added_at", case_time_json(store_col_int(st, 2)));
			json_object_set_new(u, "reported_at", case_time_json(store_col_int(st, 3)));
			json_object_set_new(u, "replied_at", case_time_json(store_col_int(st, 4)));
			json_object_set_new(u, "reply", json_string(store_col_text(st, 5)));
		}
		json_array_append_new(out, u);
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int photos_json(struct store_conn *c, int64_t id, json_t *out)
{
	struct store_stmt *st = store_prepare(c, sql_case_photos);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		char url[128];
		snprintf(url, sizeof url, "/api/v1/photos/%s", store_col_text(st, 0));
		int64_t event = store_col_int(st, 1);
		json_array_append_new(out, json_pack("{s:s, s:s, s:o}", "sha256", store_col_text(st, 0), "url", url,
						     "event_id", event ? json_integer(event) : json_null()));
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int timeline_json(struct store_conn *c, int64_t id, bool public_view, json_t *out)
{
	struct store_stmt *st = store_prepare(c, sql_case_events);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		bool is_public = store_col_int(st, 11) != 0;
		if (public_view && !is_public)
			continue;
		const char *party = store_col_text(st, 3);
		json_t *e = json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)store_col_int(st, 0), "at",
				      case_time_json(store_col_int(st, 1)), "action", store_col_text(st, 2), "party",
				      party, "from", store_col_text(st, 7), "to", store_col_text(st, 8), "unit",
				      text_or_null(st, 6));
		/* A resident sees which department acted, not which clerk. */
		if (!public_view) {
			json_object_set_new(e, "actor", json_string(store_col_text(st, 4)));
			json_object_set_new(e, "actor_name", json_string(store_col_text(st, 5)));
			json_object_set_new(e, "data", parse_json_col(st, 10));
			json_object_set_new(e, "public", json_boolean(is_public));
		}
		json_object_set_new(e, "note", json_string(store_col_text(st, 9)));
		json_array_append_new(out, e);
	}
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

int case_json(struct store_conn *c, const struct case_row *row, unsigned parties, bool public_view, json_t **out)
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
	bool has_loc = !store_col_null(st, 5) && !store_col_null(st, 6);
	int64_t lat = store_col_int(st, 5), lon = store_col_int(st, 6);
	json_t *j = json_pack("{s:I, s:s, s:s, s:b, s:s, s:s, s:s}", "id", (json_int_t)row->id, "state", row->state,
			      "source", store_col_text(st, 0), "urgent", store_col_int(st, 1) != 0, "title",
			      store_col_text(st, 2), "description", store_col_text(st, 3), "address", store_col_text(st, 4));
	json_object_set_new(j, "location", has_loc ? json_pack("{s:f, s:f}", "lat", (double)lat / 1e6, "lon",
								  (double)lon / 1e6)
						   : json_null());
	json_object_set_new(j, "attributes", parse_json_col(st, 7));
	json_object_set_new(j, "category", json_pack("{s:s, s:s, s:s}", "code", row->category, "name_zh",
						    store_col_text(st, 21), "name_en", store_col_text(st, 22)));
	json_object_set_new(j, "area", json_pack("{s:s, s:s, s:s}", "code", store_col_text(st, 23), "name",
						store_col_text(st, 24), "level", area_level_name((int)store_col_int(st, 25))));
	json_object_set_new(j, "lead_department", row->lead_unit_id ? json_pack("{s:I, s:s}", "id",
									      (json_int_t)row->lead_unit_id, "name",
									      store_col_text(st, 26))
								     : json_null());
	json_object_set_new(j, "result", json_string(store_col_text(st, 11)));
	json_object_set_new(j, "rating", store_col_null(st, 13) ? json_null()
							       : json_pack("{s:o, s:o, s:s, s:o}", "outcome",
									   text_or_null(st, 12), "satisfaction",
									   text_or_null(st, 13), "comment",
									   store_col_text(st, 14), "at",
									   case_time_json(store_col_int(st, 15))));
	json_object_set_new(j, "submitted_at", case_time_json(row->submitted_at));
	json_object_set_new(j, "dispatched_at", case_time_json(row->dispatched_at));
	json_object_set_new(j, "signed_at", case_time_json(row->signed_at));
	json_object_set_new(j, "resolved_at", case_time_json(row->resolved_at));
	json_object_set_new(j, "closed_at", case_time_json(store_col_int(st, 16)));
	json_object_set_new(j, "sign_due_at", case_time_json(row->sign_due_at));
	json_object_set_new(j, "resolve_due_at", case_time_json(row->resolve_due_at));
	json_object_set_new(j, "overdue", json_boolean(overdue_at(row, time_now())));
	json_object_set_new(j, "reopen_count", json_integer(row->reopen_count));
	json_object_set_new(j, "version", json_integer(row->version));
	if (!public_view) {
		json_object_set_new(j, "reporter", json_pack("{s:s, s:s, s:b}", "name", store_col_text(st, 8),
							    "phone_masked", store_col_text(st, 9), "registered",
							    row->reporter_user_id != 0));
		json_object_set_new(j, "call_notes", json_string(store_col_text(st, 10)));
		json_object_set_new(j, "created_by", json_string(store_col_text(st, 28)));
		json_object_set_new(j, "suggested_department",
				    row->suggested_unit_id ? json_pack("{s:I, s:s}", "id", (json_int_t)row->suggested_unit_id,
								       "name", store_col_text(st, 27))
							   : json_null());
		json_object_set_new(j, "extension_pending", json_boolean(row->extension_pending));
		json_object_set_new(j, "extension_days", json_integer(row->extension_days));
		json_object_set_new(j, "ruled", json_boolean(row->ruled));
		json_object_set_new(j, "merged_into", row->merged_into ? json_integer(row->merged_into) : json_null());
		json_object_set_new(j, "supervised", json_boolean(store_col_int(st, 17) != 0));
		json_object_set_new(j, "reminders", json_integer(store_col_int(st, 18)));
		json_object_set_new(j, "signed_late", store_col_null(st, 19) ? json_null()
									    : json_boolean(store_col_int(st, 19) != 0));
		json_object_set_new(j, "resolved_late", store_col_null(st, 20) ? json_null()
									      : json_boolean(store_col_int(st, 20) != 0));
	}
	store_reset(st);

	json_t *units = json_array(), *photos = json_array(), *timeline = json_array();
	json_object_set_new(j, "co_departments", units);
	json_object_set_new(j, "photos", photos);
	json_object_set_new(j, "timeline", timeline);
	if ((rc = units_json(c, row->id, public_view, units)) != STORE_OK ||
	    (rc = photos_json(c, row->id, photos)) != STORE_OK ||
	    (rc = timeline_json(c, row->id, public_view, timeline)) != STORE_OK) {
		json_decref(j);
		return rc;
	}
	json_object_set_new(j, "parties", parties_json(parties));
	json_object_set_new(j, "allowed_actions", allowed_json(row, parties));
	*out = j;
	return STORE_OK;
}

/* The cases module's route table, and what its files share: loading a
 * case, who may see it, the caller's parties on it, and its JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "modules/areas/areas.h"
#include "modules/cases/cases.h"
#include "modules/cases/cases_internal.h"
#include "modules/cases/stats.h"
#include "modules/cases/tallies.h"
#include "modules/common/reply.h"
#include "modules/media/media.h"

struct store *cases_store;
const struct vault *cases_vault;
int cases_photo_max_count = 9;

#define LOAD_COLS                                                                                                     \
	"SELECT c.id, c.area_id, COALESCE(c.lead_unit_id, 0), COALESCE(c.reporter_user_id, 0),"                    \
	" COALESCE(c.suggested_unit_id, 0), COALESCE(c.merged_into, 0), c.state, c.category_code, a.path, c.version," \
	" c.reopen_count, c.extension_days, c.extension_pending, c.ruled, c.urgent, c.submitted_at,"               \
	" COALESCE(c.dispatched_at, 0), COALESCE(c.signed_at, 0), COALESCE(c.resolved_at, 0),"                     \
	" COALESCE(c.sign_due_at, 0), COALESCE(c.resolve_due_at, 0)"
#define LOAD_COL_COUNT 21
static const char sql_load[] = LOAD_COLS " FROM cases c JOIN areas a ON a.id = c.area_id WHERE c.id = ?";
/* Three primary-key look-ups: the case, its area, the user's read mark. */
static const char sql_load_for_reader[] =
	LOAD_COLS ", COALESCE(r.version, 0) FROM cases c JOIN areas a ON a.id = c.area_id"
		  " LEFT JOIN case_reads r ON r.user_id = ? AND r.case_id = c.id WHERE c.id = ?";

static void row_read(struct store_stmt *st, struct case_row *out)
{
	memset(out, 0, sizeof *out);
	out->id = store_col_int(st, 0);
	out->area_id = store_col_int(st, 1);
	out->lead_unit_id = store_col_int(st, 2);
	out->reporter_user_id = store_col_int(st, 3);
	out->suggested_unit_id = store_col_int(st, 4);
	out->merged_into = store_col_int(st, 5);
	snprintf(out->state, sizeof out->state, "%s", store_col_text(st, 6));
	snprintf(out->category, sizeof out->category, "%s", store_col_text(st, 7));
	snprintf(out->area_path, sizeof out->area_path, "%s", store_col_text(st, 8));
	out->version = (int)store_col_int(st, 9);
	out->reopen_count = (int)store_col_int(st, 10);
	out->extension_days = (int)store_col_int(st, 11);
	out->extension_pending = store_col_int(st, 12) != 0;
	out->ruled = store_col_int(st, 13) != 0;
	out->urgent = store_col_int(st, 14) != 0;
	out->submitted_at = store_col_int(st, 15);
	out->dispatched_at = store_col_int(st, 16);
	out->signed_at = store_col_int(st, 17);
	out->resolved_at = store_col_int(st, 18);
	out->sign_due_at = store_col_int(st, 19);
	out->resolve_due_at = store_col_int(st, 20);
}

int case_load(struct store_conn *c, int64_t id, struct case_row *out)
{
	struct store_stmt *st = store_prepare(c, sql_load);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		row_read(st, out);
		rc = STORE_OK;
	}
	store_reset(st);
	return rc;
}

int case_load_visible(struct store_conn *c, const struct caller *caller, int64_t id, struct case_row *out)
{
	int rc = case_load(c, id, out);
	return rc == STORE_OK ? case_visible(c, caller, out) : rc;
}

int case_load_for_reader(struct store_conn *c, int64_t id, int64_t user_id, struct case_row *out, int *read_version)
{
	struct store_stmt *st = store_prepare(c, sql_load_for_reader);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, user_id);
	store_bind_int(st, 2, id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		row_read(st, out);
		*read_version = (int)store_col_int(st, LOAD_COL_COUNT);
		rc = STORE_OK;
	}
	store_reset(st);
	return rc;
}

static const char sql_co_unit[] = "SELECT 1 FROM case_units WHERE case_id = ? AND unit_id = ?";

static int is_co_unit(struct store_conn *c, int64_t case_id, int64_t unit_id, bool *yes)
{
	*yes = false;
	if (unit_id <= 0)
		return STORE_OK;
	struct store_stmt *st = store_prepare(c, sql_co_unit);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, case_id);
	store_bind_int(st, 2, unit_id);
	int rc = store_step(st);
	store_reset(st);
	if (rc == STORE_ROW)
		*yes = true;
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

static bool area_scoped(enum role r)
{
	return r == ROLE_ADMIN || r == ROLE_COMMANDER || r == ROLE_STAFF || r == ROLE_GRID_WORKER;
}

static bool staff_like(enum role r)
{
	return r == ROLE_ADMIN || r == ROLE_COMMANDER || r == ROLE_STAFF;
}

int case_visible(struct store_conn *c, const struct caller *caller, const struct case_row *row)
{
	if (!caller)
		return STORE_DONE;
	if (caller->user_id && caller->user_id == row->reporter_user_id)
		return STORE_OK;
	if (area_scoped(caller->role))
		return store_path_in_scope(&caller->scope, row->area_path) ? STORE_OK : STORE_DONE;
	if (caller->role == ROLE_HANDLER && caller->unit_id > 0) {
		if (caller->unit_id == row->lead_unit_id)
			return STORE_OK;
		bool co;
		int rc = is_co_unit(c, row->id, caller->unit_id, &co);
		if (rc != STORE_OK)
			return rc;
		return co ? STORE_OK : STORE_DONE;
	}
	return STORE_DONE;
}

int case_parties(struct store_conn *c, const struct caller *caller, const struct case_row *row, unsigned *parties)
{
	*parties = 0;
	if (!caller)
		return STORE_OK;
	if (caller->user_id && caller->user_id == row->reporter_user_id)
		*parties |= 1u << CASE_REPORTER;
	bool in_scope = store_path_in_scope(&caller->scope, row->area_path);
	if (staff_like(caller->role) && in_scope)
		*parties |= 1u << CASE_DISPATCHER | 1u << CASE_SUPERVISOR;
	if (caller->role == ROLE_HANDLER && caller->unit_id > 0) {
		if (caller->unit_id == row->lead_unit_id)
			*parties |= 1u << CASE_LEAD_HANDLER;
		bool co;
		int rc = is_co_unit(c, row->id, caller->unit_id, &co);
		if (rc != STORE_OK)
			return rc;
		if (co)
			*parties |= 1u << CASE_CO_HANDLER;
	}
	return STORE_OK;
}

void case_facts_of(const struct case_row *row, struct case_facts *out)
{
	memset(out, 0, sizeof *out);
	out->case_id = row->id;
	out->state = case_state_parse(row->state);
	out->lead_department = row->lead_unit_id;
	out->reopen_count = row->reopen_count;
	out->extension_pending = row->extension_pending;
	out->extension_days = row->extension_days;
	out->ruled = row->ruled;
	out->merged_into = row->merged_into;
}

json_t *case_time_json(int64_t t)
{
	if (t == 0)
		return json_null();
	char text[32];
	time_format(t, text);
	return json_string(text);
}

static const char sql_read_upsert[] =
	"INSERT INTO case_reads (user_id, case_id, version) VALUES (?, ?, ?)"
	" ON CONFLICT (user_id, case_id) DO UPDATE SET version = excluded.version";

int case_mark_read(struct store_conn *c, int64_t user_id, int64_t case_id, int version)
{
	if (user_id <= 0)
		return STORE_OK;
	struct store_stmt *st = store_prepare(c, sql_read_upsert);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, user_id);
	store_bind_int(st, 2, case_id);
	store_bind_int(st, 3, version);
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static bool sha256_hex(const char *s)
{
	if (!s || strlen(s) != MEDIA_SHA256_HEX)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

bool case_photos_input_ok(struct http_req *req, json_t *photos)
{
	if (!photos || json_is_null(photos))
		return true;
	if (!json_is_array(photos)) {
		http_reply_error(req, HTTP_ERR_invalid_type, "photos", "photos is an array of photo addresses");
		return false;
	}
	if (json_array_size(photos) > (size_t)cases_photo_max_count) {
		http_reply_error(req, HTTP_ERR_invalid_value, "photos", "At most %d photos", cases_photo_max_count);
		return false;
	}
	size_t i, j;
	json_t *v, *w;
	json_array_foreach(photos, i, v) {
		if (!sha256_hex(json_string_value(v))) {
			http_reply_error(req, HTTP_ERR_invalid_value, "photos",
					 "A photo is named by the sha256 its upload answered");
			return false;
		}
		json_array_foreach(photos, j, w) if (j < i && json_equal(v, w))
		{
			http_reply_error(req, HTTP_ERR_invalid_value, "photos", "A photo is listed twice");
			return false;
		}
	}
	return true;
}

static const char sql_photo_insert[] = "INSERT INTO case_photos (case_id, event_id, sha256) VALUES (?, ?, ?)";

int case_attach_photos(struct store_conn *c, int64_t case_id, int64_t event_id, json_t *photos, const char **bad)
{
	size_t i;
	json_t *v;
	json_array_foreach(photos, i, v) {
		const char *sha = json_string_value(v);
		int rc = media_photo_exists(c, sha);
		if (rc == STORE_DONE) {
			*bad = sha;
			return STORE_ABORT;
		}
		if (rc != STORE_OK)
			return rc;
		struct store_stmt *st = store_prepare(c, sql_photo_insert);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, case_id);
		if (event_id)
			store_bind_int(st, 2, event_id);
		else
			store_bind_null(st, 2);
		store_bind_text(st, 3, sha);
		rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

static const char sql_event_block_last[] = "SELECT MAX(id) FROM case_events WHERE id >= ? AND id < ?";
static const char sql_event_last[] = "SELECT MAX(id) FROM case_events";

static int max_event_id(struct store_conn *c, const char *sql, int64_t from, int64_t below, int64_t *max)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return STORE_ERROR;
	if (sql == sql_event_block_last) {
		store_bind_int(st, 1, from);
		store_bind_int(st, 2, below);
	}
	int rc = store_step(st);
	*max = rc == STORE_ROW && !store_col_null(st, 0) ? store_col_int(st, 0) : 0;
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc == STORE_DONE ? STORE_ERROR : rc;
}

int case_event_next_id(struct store_conn *c, int64_t case_id, int64_t *id)
{
	if (case_id <= 0 || case_id >= INT64_MAX / CASE_EVENT_BLOCK - 1)
		return STORE_ERROR;
	int64_t from = case_id * CASE_EVENT_BLOCK, below = from + CASE_EVENT_BLOCK, last;
	int rc = max_event_id(c, sql_event_block_last, from, below, &last);
	if (rc != STORE_OK)
		return rc;
	if (!last)
		last = from;
	if (last + 1 < below) {
		*id = last + 1;
		return STORE_OK;
	}
	/* The block is used up: past every id, which stays unique because a
	 * later step of the block's own case starts from its largest id. */
	if ((rc = max_event_id(c, sql_event_last, 0, 0, &last)) != STORE_OK)
		return rc;
	*id = last + 1;
	return STORE_OK;
}

static const char sql_event_insert[] =
	"INSERT INTO case_events (id, case_id, at, action, party, actor_login, actor_name, actor_unit_id, from_state,"
	" to_state, note, data, public) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

int case_event_add(struct store_conn *c, const struct case_event *e, int64_t *event_id)
{
	int64_t id;
	int rc = case_event_next_id(c, e->case_id, &id);
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_event_insert);
	if (!st)
		return STORE_ERROR;
	char *data = e->data ? json_dumps(e->data, JSON_COMPACT) : NULL;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, e->case_id);
	store_bind_int(st, 3, time_now());
	store_bind_text(st, 4, e->action);
	store_bind_text(st, 5, e->party);
	store_bind_text(st, 6, e->caller ? e->caller->login : e->actor_login);
	store_bind_text(st, 7, e->caller ? e->caller->display_name : "");
	if (e->caller && e->caller->unit_id > 0)
		store_bind_int(st, 8, e->caller->unit_id);
	else
		store_bind_null(st, 8);
	store_bind_text(st, 9, e->from_state);
	store_bind_text(st, 10, e->to_state);
	store_bind_text(st, 11, e->note ? e->note : "");
	store_bind_text(st, 12, data ? data : "{}");
	store_bind_int(st, 13, e->public ? 1 : 0);
	free(data);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	if (event_id)
		*event_id = id;
	return STORE_OK;
}

/* ---- routes ---- */

static const char *const read_query[] = {"reveal", NULL};
static const char *const list_query[] = {"inbox", "state", "category", "area", "source", "q", "limit", "cursor", NULL};

static const struct http_route cases_routes[] = {
	{HTTP_GET, "/api/v1/cases", cases_list, "cases.read", list_query, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/cases/inboxes", cases_inboxes, "cases.read", NULL, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/cases/{id}", cases_read, "cases.read", read_query, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/cases", cases_create, "cases.submit", NULL, HTTP_BODY_JSON, 0},
	{HTTP_POST, "/api/v1/cases/{id}/actions", cases_action, "cases.act", NULL, HTTP_BODY_JSON, 0},
	{HTTP_GET, "/api/v1/cases/{id}/duplicates", cases_duplicates, "cases.read", NULL, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/cases/{id}/departments", cases_departments, "cases.act", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/public/cases", cases_create_public, "public", NULL, HTTP_BODY_JSON, 0},
	{HTTP_GET, "/api/v1/public/cases/{code}", cases_follow_read, "public", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/public/cases/{code}/actions", cases_follow_action, "public", NULL, HTTP_BODY_JSON, 0},
	{HTTP_GET, "/api/v1/public/areas/{code}", cases_public_area, "public", NULL, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/stats/cases", cases_stats, "cases.stats", cases_stats_query, HTTP_BODY_NONE, 0},
};

static const struct http_module cases_http = {
	.name = "cases",
	.routes = cases_routes,
	.count = sizeof cases_routes / sizeof cases_routes[0],
};

const struct http_module *cases_module(struct store *store, const struct vault *vault, const struct config *cfg)
{
	cases_store = store;
	cases_vault = vault;
	/* The figures keep rows by ancestor: a move carries them along. */
	areas_set_moved_hook(case_tally_area_moved);
	if (cfg) {
		cases_autoclose_days = (int)config_get_int(cfg, "case_autoclose_days");
		cases_photo_max_count = (int)config_get_int(cfg, "photo_max_count");
	}
	return &cases_http;
}

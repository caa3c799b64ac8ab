/* GET /api/v1/cases/{id}/duplicates: the open cases a new or returned case
 * may duplicate, for its dispatcher to merge it into one of them.
 *
 * Asked for on its own route, not with every read of the case: it scans
 * the open cases of the category in a 14-day window, which costs more
 * than the rest of the case together, and only a dispatcher about to
 * merge needs it. The case page asks for it when "merge" is among the
 * allowed actions. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "modules/cases/cases_internal.h"
#include "modules/common/reply.h"

/* Open cases of the same category, recent, at the same address, in the
 * same smallest area or within about 300 m. The index cases_category
 * (category_code, state, submitted_at) bounds the scan to the open states
 * of the category inside the window. */
static const char sql_duplicates[] =
	"SELECT c.id, c.title, c.address, c.state, c.submitted_at, a.name FROM cases c JOIN areas a ON a.id = c.area_id"
	" WHERE c.category_code = ? AND c.id <> ? AND c.submitted_at >= ? AND c.merged_into IS NULL"
	" AND c.state IN ('submitted', 'dispatched', 'signed', 'returned')"
	" AND (c.area_id = ? OR (c.address <> '' AND c.address = ?)"
	"  OR (c.lat_e6 BETWEEN ? AND ? AND c.lon_e6 BETWEEN ? AND ?))"
	" ORDER BY c.id DESC LIMIT 20";

static const char sql_place[] = "SELECT address, lat_e6, lon_e6 FROM cases WHERE id = ?";

#define DUPLICATE_WINDOW (14 * 86400)
#define DUPLICATE_RADIUS_E6 2700 /* ≈ 300 m of latitude */

struct duplicates_read {
	const struct caller *caller;
	int64_t id;
	json_t *items;
	bool missing;
	bool not_dispatcher;
};

struct place {
	char address[512];
	bool has_loc;
	int64_t lat, lon;
};

static int place_load(struct store_conn *c, int64_t id, struct place *out)
{
	struct store_stmt *st = store_prepare(c, sql_place);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		snprintf(out->address, sizeof out->address, "%s", store_col_text(st, 0));
		out->has_loc = !store_col_null(st, 1) && !store_col_null(st, 2);
		out->lat = store_col_int(st, 1);
		out->lon = store_col_int(st, 2);
		rc = STORE_OK;
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_ERROR : rc;
}

static int duplicates_list(struct store_conn *c, const struct case_row *row, const struct place *p, json_t *list)
{
	struct store_stmt *st = store_prepare(c, sql_duplicates);
	if (!st)
		return STORE_ERROR;
	int64_t lon_radius = DUPLICATE_RADIUS_E6;
	if (p->has_loc) {
		double k = cos((double)p->lat / 1e6 * 3.14159265358979 / 180.0);
		lon_radius = k > 0.05 ? (int64_t)(DUPLICATE_RADIUS_E6 / k) : DUPLICATE_RADIUS_E6 * 20;
	}
	store_bind_text(st, 1, row->category);
	store_bind_int(st, 2, row->id);
	store_bind_int(st, 3, row->submitted_at - DUPLICATE_WINDOW);
	store_bind_int(st, 4, row->area_id);
	store_bind_text(st, 5, p->address);
	/* Without coordinates the box is empty. */
	store_bind_int(st, 6, p->has_loc ? p->lat - DUPLICATE_RADIUS_E6 : 1);
	store_bind_int(st, 7, p->has_loc ? p->lat + DUPLICATE_RADIUS_E6 : 0);
	store_bind_int(st, 8, p->has_loc ? p->lon - lon_radius : 1);
	store_bind_int(st, 9, p->has_loc ? p->lon + lon_radius : 0);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)store_col_int(st, 0),
						      "title", store_col_text(st, 1), "address", store_col_text(st, 2),
						      "state", store_col_text(st, 3), "submitted_at",
						      case_time_json(store_col_int(st, 4)), "area_name",
						      store_col_text(st, 5)));
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int duplicates_tx(struct store_conn *c, void *arg)
{
	struct duplicates_read *d = arg;
	json_decref(d->items);
	d->items = json_array();
	struct case_row row;
	int rc = case_load_visible(c, d->caller, d->id, &row);
	if (rc == STORE_DONE) {
		d->missing = true;
		return STORE_ABORT;
	}
	if (rc != STORE_OK)
		return rc;
	unsigned parties;
	if ((rc = case_parties(c, d->caller, &row, &parties)) != STORE_OK)
		return rc;
	if (!(parties & (1u << CASE_DISPATCHER))) {
		d->not_dispatcher = true;
		return STORE_ABORT;
	}
	/* Only a case that may still be merged has candidates; any other
	 * state answers an empty list, so a page a step behind shows none. */
	if (strcmp(row.state, "submitted") != 0 && strcmp(row.state, "returned") != 0)
		return STORE_OK;
	struct place p;
	if ((rc = place_load(c, row.id, &p)) != STORE_OK)
		return rc;
	return duplicates_list(c, &row, &p, d->items);
}

void cases_duplicates(struct http_req *req)
{
	struct duplicates_read d = {.caller = identity_caller(req), .id = http_param_id(req, "id")};
	int rc = d.id > 0 ? store_tx(cases_store, STORE_READ, duplicates_tx, &d) : STORE_ABORT;
	if (rc != STORE_OK) {
		json_decref(d.items);
		if (d.not_dispatcher)
			http_reply_error(req, HTTP_ERR_forbidden, NULL, "Only the case's dispatcher merges duplicates");
		else if (rc == STORE_ABORT)
			http_reply_error(req, HTTP_ERR_not_found, NULL, "No such case");
		else
			reply_store_failure(req, rc);
		return;
	}
	/* At most 20, the nearest in id: a list without further pages. */
	http_reply_json(req, 200, json_pack("{s:o, s:n}", "items", d.items, "next_cursor"));
}

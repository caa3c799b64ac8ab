/* A comment by the reporter's channel: an integration that submitted a
 * case (Open311's POST servicerequestupdates) adds to its public timeline
 * as the reporter would through the follow link. */
#include <stdio.h>
#include <string.h>

#include "modules/cases/cases.h"
#include "modules/cases/cases_internal.h"

struct version_read {
	int64_t case_id;
	int version;
};

static int version_tx(struct store_conn *c, void *arg)
{
	struct version_read *v = arg;
	struct case_row row;
	int rc = case_load(c, v->case_id, &row);
	if (rc == STORE_OK)
		v->version = row.version;
	return rc == STORE_DONE ? STORE_ABORT : rc;
}

/* The comment is the last entry of the timeline case_act answers with: the
 * answer is read in the transaction that wrote it. */
static int64_t last_event_id(json_t *case_json)
{
	json_t *timeline = json_object_get(case_json, "timeline");
	size_t n = json_array_size(timeline);
	return n ? (int64_t)json_integer_value(json_object_get(json_array_get(timeline, n - 1), "id")) : 0;
}

int cases_reporter_comment(struct case_reporter_comment *c)
{
	/* The row version guards actions against stale screens; a machine
	 * adding a comment has no screen, so a version that moved between the
	 * read and the write is read again, a few times. */
	for (int attempt = 0;; attempt++) {
		struct version_read v = {.case_id = c->case_id};
		int rc = store_tx(cases_store, STORE_READ, version_tx, &v);
		if (rc == STORE_ABORT) {
			c->error = HTTP_ERR_not_found;
			snprintf(c->error_message, sizeof c->error_message, "No such case");
			return rc;
		}
		if (rc != STORE_OK)
			return rc;
		struct case_action_request r = {.case_id = c->case_id, .caller = c->caller, .as_reporter = true,
						.action = CASE_COMMENT, .version = v.version,
						.request_id = c->request_id, .address = c->address};
		r.input.text = c->text;
		rc = case_act(&r);
		if (rc == STORE_OK)
			c->event_id = last_event_id(r.result);
		json_decref(r.result);
		if (rc == STORE_ABORT && r.error == HTTP_ERR_conflict && attempt < 3)
			continue;
		if (rc == STORE_ABORT) {
			c->error = r.error;
			snprintf(c->error_message, sizeof c->error_message, "%s", r.error_message);
		}
		return rc;
	}
}

/* Writing a simulated demo case (demo.c): plain INSERTs on statements the
 * connection keeps prepared, so a million cases cost no more than their
 * rows. */
#include <stdio.h>
#include <string.h>

#include "modules/cases/demo_case.h"
#include "modules/cases/demo_data.h"
#include "modules/cases/tallies.h"

static const char sql_case_insert[] =
	"INSERT INTO cases (follow_hash, category_code, area_id, source, state, urgent, title, description, address,"
	" reporter_user_id, reporter_name, reporter_phone_sealed, reporter_phone_hash, reporter_phone_masked,"
	" key_version, created_by, suggested_unit_id, lead_unit_id, reopen_count, extension_pending, extension_days,"
	" ruled, merged_into, supervised, reminders, reminded_at, result, rating_outcome, satisfaction, submitted_at,"
	" dispatched_at, signed_at, resolved_at, rated_at, closed_at, sign_due_at, resolve_due_at, signed_late,"
	" resolved_late, version, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	" ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_event_insert[] =
	"INSERT INTO case_events (id, case_id, at, action, party, actor_login, actor_name, actor_unit_id, from_state,"
	" to_state, note, data, public) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_unit_insert[] =
	"INSERT INTO case_units (case_id, unit_id, added_at, reported_at, replied_at, reply) VALUES (?, ?, ?, ?, ?, ?)";

static void bind_opt(struct store_stmt *st, int idx, int64_t v)
{
	if (v)
		store_bind_int(st, idx, v);
	else
		store_bind_null(st, idx);
}

static void bind_flag(struct store_stmt *st, int idx, int v)
{
	if (v >= 0)
		store_bind_int(st, idx, v);
	else
		store_bind_null(st, idx);
}

static void copy_or_empty(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* The case as the figures count it (what case_tally_load() would read). */
static void tally_facts(const struct demo_case *k, bool merged, struct case_tally_facts *f)
{
	memset(f, 0, sizeof *f);
	f->area_id = k->area_id;
	f->lead_unit_id = k->lead;
	copy_or_empty(f->category, sizeof f->category, demo_categories[k->category].code);
	copy_or_empty(f->source, sizeof f->source, k->source);
	f->submitted_at = k->submitted_at;
	f->state = case_state_parse(k->state);
	f->merged = merged;
	f->has_resolved_at = k->resolved_at != 0;
	f->resolved_at = k->resolved_at;
	f->signed_late = k->signed_late;
	f->resolved_late = k->resolved_late;
	copy_or_empty(f->rating_outcome, sizeof f->rating_outcome, k->outcome);
	copy_or_empty(f->satisfaction, sizeof f->satisfaction, k->satisfaction);
	f->reopen_count = k->reopen_count;
	f->sign_due_at = k->sign_due_at;
	f->resolve_due_at = k->resolve_due_at;
	f->reminded_at = k->reminded_at;
}

int demo_case_write(struct store_conn *c, const struct demo_case *k, int key_version, int64_t merged_into, int64_t now,
		    struct case_tally_batch *tallies, int64_t *id)
{
	struct store_stmt *st = store_prepare(c, sql_case_insert);
	if (!st)
		return STORE_ERROR;
	int i = 1;
	store_bind_text(st, i++, k->follow_hash);
	store_bind_text(st, i++, demo_categories[k->category].code);
	store_bind_int(st, i++, k->area_id);
	store_bind_text(st, i++, k->source);
	store_bind_text(st, i++, k->state);
	store_bind_int(st, i++, k->urgent);
	store_bind_text(st, i++, k->title);
	store_bind_text(st, i++, k->description);
	store_bind_text(st, i++, k->address);
	bind_opt(st, i++, k->reporter_user);
	store_bind_text(st, i++, k->reporter_name);
	if (k->sealed_len) {
		store_bind_blob(st, i++, k->sealed, k->sealed_len);
		store_bind_text(st, i++, k->phone_hash);
	} else {
		store_bind_null(st, i++);
		store_bind_null(st, i++);
	}
	store_bind_text(st, i++, k->masked);
	store_bind_int(st, i++, k->sealed_len ? key_version : 0);
	store_bind_text(st, i++, k->created_by);
	bind_opt(st, i++, k->suggested);
	bind_opt(st, i++, k->lead);
	store_bind_int(st, i++, k->reopen_count);
	store_bind_int(st, i++, k->extension_pending);
	store_bind_int(st, i++, k->extension_days);
	store_bind_int(st, i++, k->ruled);
	bind_opt(st, i++, merged_into);
	store_bind_int(st, i++, k->supervised);
	store_bind_int(st, i++, k->reminders);
	bind_opt(st, i++, k->reminded_at);
	store_bind_text(st, i++, k->result ? k->result : "");
	store_bind_text(st, i++, k->outcome);
	store_bind_text(st, i++, k->satisfaction);
	store_bind_int(st, i++, k->submitted_at);
	bind_opt(st, i++, k->dispatched_at);
	bind_opt(st, i++, k->signed_at);
	bind_opt(st, i++, k->resolved_at);
	bind_opt(st, i++, k->rated_at);
	bind_opt(st, i++, k->closed_at);
	bind_opt(st, i++, k->sign_due_at);
	bind_opt(st, i++, k->resolve_due_at);
	bind_flag(st, i++, k->signed_late);
	bind_flag(st, i++, k->resolved_late);
	store_bind_int(st, i++, k->version);
	store_bind_int(st, i++, k->updated_at);
	int rc = store_step(st);
	*id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	struct case_tally_facts counted;
	tally_facts(k, merged_into != 0, &counted);
	if ((rc = case_tally_batch_add(c, tallies, &counted, +1)) != STORE_OK)
		return rc;
	int64_t event_id = 0;
	for (size_t e = 0; e < k->nevents; e++) {
		const struct demo_event *ev = &k->events[e];
		/* A new case's block is empty but for older ids: after its first
		 * step, the next ids follow on while they stay inside it. */
		if (event_id && event_id + 1 < (*id + 1) * CASE_EVENT_BLOCK)
			event_id++;
		else if ((rc = case_event_next_id(c, *id, &event_id)) != STORE_OK)
			return rc;
		if (!(st = store_prepare(c, sql_event_insert)))
			return STORE_ERROR;
		store_bind_int(st, 1, event_id);
		store_bind_int(st, 2, *id);
		store_bind_int(st, 3, ev->at);
		store_bind_text(st, 4, ev->action);
		store_bind_text(st, 5, ev->party);
		store_bind_text(st, 6, ev->login);
		store_bind_text(st, 7, ev->name);
		bind_opt(st, 8, ev->unit);
		store_bind_text(st, 9, ev->from);
		store_bind_text(st, 10, ev->to);
		store_bind_text(st, 11, ev->note);
		char data[96];
		if (strcmp(ev->action, "merge") == 0)
			snprintf(data, sizeof data, "{\"merged_into\":%lld}", (long long)merged_into);
		store_bind_text(st, 12, strcmp(ev->action, "merge") == 0 ? data : ev->data);
		store_bind_int(st, 13, ev->pub);
		rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	for (size_t u = 0; u < k->nco; u++) {
		const struct demo_co *co = &k->co[u];
		if (co->added_at > now)
			continue;
		if (!(st = store_prepare(c, sql_unit_insert)))
			return STORE_ERROR;
		store_bind_int(st, 1, *id);
		store_bind_int(st, 2, co->unit);
		store_bind_int(st, 3, co->added_at);
		bind_opt(st, 4, co->reported_at);
		bind_opt(st, 5, co->replied_at);
		store_bind_text(st, 6, co->replied_at ? co->reply : "");
		rc = store_step(st);
		store_reset(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}


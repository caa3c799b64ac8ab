/* A demo case as demo.c simulates it and demo_write.c writes it. Internal
 * to the demo. */
#ifndef WG_CASES_DEMO_CASE_H
#define WG_CASES_DEMO_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vault.h"
#include "store/store.h"

#define DEMO_MAX_EVENTS 40
#define DEMO_MAX_CO 2

struct demo_grid_row;
struct case_tally_batch;

struct demo_event {
	int64_t at;
	int seq; /* order among equal instants */
	const char *action, *party, *login, *name, *from, *to, *note;
	int64_t unit;
	bool pub;
	char data[96];
};

struct demo_co {
	int64_t unit, added_at, reported_at, replied_at;
	const char *reply;
};

struct demo_case {
	size_t category;
	const struct demo_grid_row *grid; /* the simulation's; the writer reads area_id */
	int64_t area_id;
	const char *source, *title, *description, *created_by;
	char address[128], reporter_name[64], masked[24], phone_hash[VAULT_HASH_HEX], follow_hash[65];
	unsigned char sealed[VAULT_SEALED_SIZE(20)];
	size_t sealed_len;
	int64_t reporter_user, suggested, lead;
	bool urgent, ruled, extension_pending, supervised;
	int reopen_count, extension_days, reminders, version;
	long merged_into; /* an index of an earlier case, or -1 */
	const char *state, *result, *outcome, *satisfaction;
	int64_t submitted_at, dispatched_at, signed_at, resolved_at, rated_at, closed_at, sign_due_at, resolve_due_at,
		reminded_at, updated_at;
	int signed_late, resolved_late; /* -1: NULL */
	size_t nco;
	struct demo_co co[DEMO_MAX_CO + 2];
	size_t nevents;
	struct demo_event events[DEMO_MAX_EVENTS];
};

/* Writes the case, its timeline (in the order of k->events) and its
 * co-departments added by now, and adds what it counts for in the figures
 * to tallies (flushed by the caller in the same transaction). merged_into:
 * the database id of the case it was merged into, or 0. *id gets the new
 * case's id. A store_rc. */
int demo_case_write(struct store_conn *c, const struct demo_case *k, int key_version, int64_t merged_into, int64_t now,
		    struct case_tally_batch *tallies, int64_t *id);

#endif

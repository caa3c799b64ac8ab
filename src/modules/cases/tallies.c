/* The case figures' aggregates: what one case contributes, the deltas a
 * write applies, the move of an area, and the rebuild from the cases. See
 * tallies.h and migrations/0008_case_tallies.sql. */
#include "modules/cases/tallies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "modules/cases/cases.h"

/* ---- one case's contribution (pure) ---- */

static bool state_in(enum case_state s, enum case_state a, enum case_state b, enum case_state c)
{
	return s == a || s == b || s == c;
}

void case_tally_contribution(const struct case_tally_facts *f, struct case_counts *out)
{
	memset(out, 0, sizeof *out);
	if (f->merged || f->state <= CASE_STATE_NONE || f->state >= CASE_STATE_COUNT)
		return;
	out->received = 1;
	out->by_state[f->state] = 1;
	/* A case back in a state before its signing or resolution keeps the
	 * old marks until they are replaced: the state decides whether they
	 * still count (the same rule as the rebuild's SQL below). */
	bool signed_now = f->signed_late >= 0 && f->state != CASE_DISPATCHED;
	bool done = state_in(f->state, CASE_RESOLVED, CASE_RATED, CASE_CLOSED);
	bool resolved_now = f->resolved_late >= 0 && done;
	bool rated_now = f->rating_outcome[0] && (f->state == CASE_RATED || f->state == CASE_CLOSED);
	out->signed_total = signed_now;
	out->signed_on_time = signed_now && f->signed_late == 0;
	out->resolved = resolved_now;
	out->resolved_on_time = resolved_now && f->resolved_late == 0;
	if (rated_now) {
		out->rated = 1;
		out->outcome_resolved = strcmp(f->rating_outcome, "resolved") == 0;
		out->outcome_partly = strcmp(f->rating_outcome, "partly") == 0;
		out->outcome_not = strcmp(f->rating_outcome, "not") == 0;
		out->satisfied = strcmp(f->satisfaction, "satisfied") == 0;
		out->basically_satisfied = strcmp(f->satisfaction, "basically_satisfied") == 0;
		out->unsatisfied = strcmp(f->satisfaction, "unsatisfied") == 0;
	}
	if (f->has_resolved_at && done) {
		out->handled = 1;
		out->handling_seconds = f->resolved_at - f->submitted_at;
	}
	/* Reminded after the due date: overdue for good, whatever the clock
	 * says later (a new dispatch or an extension moves the date, and is
	 * a write). */
	out->sign_overdue = f->state == CASE_DISPATCHED && f->sign_due_at && f->reminded_at > f->sign_due_at;
	out->resolve_overdue = f->state == CASE_SIGNED && f->resolve_due_at && f->reminded_at > f->resolve_due_at;
	out->reopened = f->reopen_count > 0;
	out->good = resolved_now && f->resolved_late == 0 && !out->unsatisfied;
}

int64_t case_tally_day(const struct case_tally_facts *f)
{
	return figures_local_day(f->submitted_at);
}

/* ---- reading a case ---- */

static const char sql_tally_load[] =
	"SELECT k.area_id, k.lead_unit_id, k.category_code, k.source, k.submitted_at, k.state, k.merged_into,"
	" k.resolved_at, k.signed_late, k.resolved_late, k.rating_outcome, k.satisfaction, k.reopen_count, a.path,"
	" k.sign_due_at, k.resolve_due_at, k.reminded_at"
	" FROM cases k JOIN areas a ON a.id = k.area_id WHERE k.id = ?";

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

int case_tally_load(struct store_conn *c, int64_t case_id, struct case_tally_facts *out)
{
	struct store_stmt *st = store_prepare(c, sql_tally_load);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, case_id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		memset(out, 0, sizeof *out);
		out->area_id = store_col_int(st, 0);
		out->lead_unit_id = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
		copy_text(out->category, sizeof out->category, store_col_text(st, 2));
		copy_text(out->source, sizeof out->source, store_col_text(st, 3));
		out->submitted_at = store_col_int(st, 4);
		out->state = case_state_parse(store_col_text(st, 5));
		out->merged = !store_col_null(st, 6);
		out->has_resolved_at = !store_col_null(st, 7);
		out->resolved_at = out->has_resolved_at ? store_col_int(st, 7) : 0;
		out->signed_late = store_col_null(st, 8) ? -1 : (int)store_col_int(st, 8);
		out->resolved_late = store_col_null(st, 9) ? -1 : (int)store_col_int(st, 9);
		copy_text(out->rating_outcome, sizeof out->rating_outcome, store_col_text(st, 10));
		copy_text(out->satisfaction, sizeof out->satisfaction, store_col_text(st, 11));
		out->reopen_count = (int)store_col_int(st, 12);
		copy_text(out->area_path, sizeof out->area_path, store_col_text(st, 13));
		out->sign_due_at = store_col_null(st, 14) ? 0 : store_col_int(st, 14);
		out->resolve_due_at = store_col_null(st, 15) ? 0 : store_col_int(st, 15);
		out->reminded_at = store_col_null(st, 16) ? 0 : store_col_int(st, 16);
	}
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* ---- deltas ---- */

/* The three tables: case_area_tallies (the case's own area × day),
 * case_tallies (each area holding it × department × category × source ×
 * day) and case_unit_tallies (each area holding it × department × day). */
enum tally_table { TALLY_AREA, TALLY_DETAIL, TALLY_UNIT };

struct case_tally_delta {
	enum tally_table table;
	int64_t area_id, day, lead_unit_id;
	char category[CASE_CATEGORY_CODE_MAX + 1];
	char source[CASE_SOURCE_MAX + 1];
	struct case_counts counts;
};

#define NAME_LIST(name, field) ", " #name
#define PLACEHOLDER(name, field) ", ?"
#define ADD_EXCLUDED(table, name) ", " #name " = " table "." #name " + excluded." #name
#define ADD_DETAIL(name, field) ADD_EXCLUDED("case_tallies", name)
#define ADD_AREA(name, field) ADD_EXCLUDED("case_area_tallies", name)
#define ADD_UNIT(name, field) ADD_EXCLUDED("case_unit_tallies", name)
#define TIMES_SIGN(name, field) ", CAST(? AS BIGINT) * " #name

static const char sql_detail_upsert[] =
	"INSERT INTO case_tallies (area_id, day, lead_unit_id, category_code, source, received"
	CASE_TALLY_COLUMNS(NAME_LIST) ") VALUES (?, ?, ?, ?, ?, ?" CASE_TALLY_COLUMNS(PLACEHOLDER)
	") ON CONFLICT (area_id, day, lead_unit_id, category_code, source) DO UPDATE SET"
	" received = case_tallies.received + excluded.received" CASE_TALLY_COLUMNS(ADD_DETAIL);
static const char sql_area_upsert[] =
	"INSERT INTO case_area_tallies (area_id, day, received" CASE_TALLY_COLUMNS(NAME_LIST) ") VALUES (?, ?, ?"
	CASE_TALLY_COLUMNS(PLACEHOLDER) ") ON CONFLICT (area_id, day) DO UPDATE SET"
	" received = case_area_tallies.received + excluded.received" CASE_TALLY_COLUMNS(ADD_AREA);
static const char sql_unit_upsert[] =
	"INSERT INTO case_unit_tallies (area_id, day, lead_unit_id, received" CASE_TALLY_COLUMNS(NAME_LIST)
	") VALUES (?, ?, ?, ?" CASE_TALLY_COLUMNS(PLACEHOLDER) ") ON CONFLICT (area_id, day, lead_unit_id) DO UPDATE SET"
	" received = case_unit_tallies.received + excluded.received" CASE_TALLY_COLUMNS(ADD_UNIT);
static const char sql_area_path[] = "SELECT path FROM areas WHERE id = ?";

static bool counts_zero(const struct case_counts *c)
{
	static const struct case_counts zero;
	return memcmp(c, &zero, sizeof zero) == 0;
}

static void counts_scale(struct case_counts *c, int sign)
{
	for (int s = 0; s < CASE_STATE_COUNT; s++)
		c->by_state[s] *= sign;
#define SCALE(name) c->name *= sign;
	CASE_COUNTERS(SCALE)
#undef SCALE
}

static struct case_tally_delta *delta_for(struct case_tally_batch *b, enum tally_table table, int64_t area_id,
					  int64_t day, const struct case_tally_facts *f)
{
	char key[CASE_CATEGORY_CODE_MAX + CASE_SOURCE_MAX + 80];
	if (table == TALLY_DETAIL)
		snprintf(key, sizeof key, "d/%lld/%lld/%lld/%s/%s", (long long)area_id, (long long)day,
			 (long long)f->lead_unit_id, f->category, f->source);
	else if (table == TALLY_UNIT)
		snprintf(key, sizeof key, "u/%lld/%lld/%lld", (long long)area_id, (long long)day, (long long)f->lead_unit_id);
	else
		snprintf(key, sizeof key, "a/%lld/%lld", (long long)area_id, (long long)day);
	int64_t at;
	if (strmap_get(&b->index, key, &at))
		return &b->items[at];
	if (b->count == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->items = xrealloc(b->items, b->cap * sizeof *b->items);
	}
	struct case_tally_delta *d = &b->items[b->count];
	memset(d, 0, sizeof *d);
	d->table = table;
	d->area_id = area_id;
	d->day = day;
	if (table != TALLY_AREA)
		d->lead_unit_id = f->lead_unit_id;
	if (table == TALLY_DETAIL) {
		copy_text(d->category, sizeof d->category, f->category);
		copy_text(d->source, sizeof d->source, f->source);
	}
	strmap_put(&b->index, key, (int64_t)b->count);
	b->count++;
	return d;
}

/* The next area id of a materialized path ("/1/2/3/"), moving *p past
 * it: 0 at the end, -1 when the path is not ids between slashes. */
static long long path_next_id(const char **p)
{
	while (**p == '/')
		(*p)++;
	if (!**p)
		return 0;
	char *end;
	long long id = strtoll(*p, &end, 10);
	if (end == *p || id <= 0)
		return -1;
	*p = end;
	return id;
}

/* The path of an area, from the batch's memory or the store. */
static int path_of(struct store_conn *c, struct case_tally_batch *b, int64_t area_id, const char **path)
{
	char key[24];
	snprintf(key, sizeof key, "%lld", (long long)area_id);
	int64_t at;
	if (strmap_get(&b->path_of, key, &at)) {
		*path = b->paths[at];
		return STORE_OK;
	}
	struct store_stmt *st = store_prepare(c, sql_area_path);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, area_id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		if (b->npaths == b->paths_cap) {
			b->paths_cap = b->paths_cap ? b->paths_cap * 2 : 16;
			b->paths = xrealloc(b->paths, b->paths_cap * sizeof *b->paths);
		}
		copy_text(b->paths[b->npaths], sizeof b->paths[0], store_col_text(st, 0));
		strmap_put(&b->path_of, key, (int64_t)b->npaths);
		*path = b->paths[b->npaths++];
	}
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc == STORE_DONE ? STORE_ERROR : rc;
}

int case_tally_batch_add(struct store_conn *c, struct case_tally_batch *b, const struct case_tally_facts *f, int sign)
{
	struct case_counts add;
	case_tally_contribution(f, &add);
	if (counts_zero(&add))
		return STORE_OK;
	counts_scale(&add, sign);
	const char *path = f->area_path;
	if (!path[0]) {
		int rc = path_of(c, b, f->area_id, &path);
		if (rc != STORE_OK)
			return rc;
	}
	int64_t day = case_tally_day(f);
	case_counts_add(&delta_for(b, TALLY_AREA, f->area_id, day, f)->counts, &add);
	/* Every id on the path holds the case: its ancestors and its area. */
	long long id;
	for (const char *p = path; (id = path_next_id(&p)) > 0;) {
		case_counts_add(&delta_for(b, TALLY_DETAIL, id, day, f)->counts, &add);
		case_counts_add(&delta_for(b, TALLY_UNIT, id, day, f)->counts, &add);
	}
	return id < 0 ? STORE_ERROR : STORE_OK;
}

static void bind_counts(struct store_stmt *st, int idx, const struct case_counts *k)
{
	store_bind_int(st, idx++, k->received);
#define BIND_COLUMN(name, field) store_bind_int(st, idx++, k->field);
	CASE_TALLY_COLUMNS(BIND_COLUMN)
#undef BIND_COLUMN
}

int case_tally_batch_flush(struct store_conn *c, struct case_tally_batch *b)
{
	int rc = STORE_OK;
	for (size_t i = 0; rc == STORE_OK && i < b->count; i++) {
		const struct case_tally_delta *d = &b->items[i];
		if (counts_zero(&d->counts))
			continue; /* a write that changed nothing counted, or a key that cancelled out */
		static const char *const upsert[] = {
			[TALLY_AREA] = sql_area_upsert, [TALLY_DETAIL] = sql_detail_upsert, [TALLY_UNIT] = sql_unit_upsert};
		struct store_stmt *st = store_prepare(c, upsert[d->table]);
		if (!st)
			return STORE_ERROR;
		int idx = 1;
		store_bind_int(st, idx++, d->area_id);
		store_bind_int(st, idx++, d->day);
		if (d->table != TALLY_AREA)
			store_bind_int(st, idx++, d->lead_unit_id);
		if (d->table == TALLY_DETAIL) {
			store_bind_text(st, idx++, d->category);
			store_bind_text(st, idx++, d->source);
		}
		bind_counts(st, idx, &d->counts);
		rc = store_step(st);
		store_reset(st);
		rc = rc == STORE_DONE ? STORE_OK : rc;
	}
	b->count = 0;
	strmap_free(&b->index);
	return rc;
}

void case_tally_batch_free(struct case_tally_batch *b)
{
	free(b->items);
	free(b->paths);
	strmap_free(&b->index);
	strmap_free(&b->path_of);
	memset(b, 0, sizeof *b);
}

int case_tally_update(struct store_conn *c, const struct case_tally_facts *before, int64_t case_id)
{
	struct case_tally_facts after;
	int rc = case_tally_load(c, case_id, &after);
	if (rc != STORE_OK)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	struct case_tally_batch b = {0};
	if (before)
		rc = case_tally_batch_add(c, &b, before, -1);
	if (rc == STORE_OK)
		rc = case_tally_batch_add(c, &b, &after, +1);
	if (rc == STORE_OK)
		rc = case_tally_batch_flush(c, &b);
	case_tally_batch_free(&b);
	return rc;
}

/* ---- a moved area ---- */

/* Adds sign times the rows of one area to another's. The key of a target
 * row is unique among the rows read (one area's), so no row is hit twice. */
static const char sql_carry_rows[] =
	"INSERT INTO case_tallies (area_id, day, lead_unit_id, category_code, source, received"
	CASE_TALLY_COLUMNS(NAME_LIST) ") SELECT CAST(? AS BIGINT), day, lead_unit_id, category_code, source,"
	" CAST(? AS BIGINT) * received" CASE_TALLY_COLUMNS(TIMES_SIGN) " FROM case_tallies WHERE area_id = ?"
	" ON CONFLICT (area_id, day, lead_unit_id, category_code, source) DO UPDATE SET"
	" received = case_tallies.received + excluded.received" CASE_TALLY_COLUMNS(ADD_DETAIL);
static const char sql_carry_unit_rows[] =
	"INSERT INTO case_unit_tallies (area_id, day, lead_unit_id, received" CASE_TALLY_COLUMNS(NAME_LIST)
	") SELECT CAST(? AS BIGINT), day, lead_unit_id, CAST(? AS BIGINT) * received" CASE_TALLY_COLUMNS(TIMES_SIGN)
	" FROM case_unit_tallies WHERE area_id = ?"
	" ON CONFLICT (area_id, day, lead_unit_id) DO UPDATE SET"
	" received = case_unit_tallies.received + excluded.received" CASE_TALLY_COLUMNS(ADD_UNIT);

/* received and the rest. */
#define COUNT_ONE(name, field) +1
enum { TALLY_COLUMN_COUNT = 1 CASE_TALLY_COLUMNS(COUNT_ONE) };

static bool path_holds(const char *path, long long id)
{
	char seg[32];
	snprintf(seg, sizeof seg, "/%lld/", id);
	return strstr(path, seg) != NULL;
}

static int carry(struct store_conn *c, int64_t area_id, const char *from_path, const char *other_path, int sign)
{
	long long id;
	for (const char *p = from_path; (id = path_next_id(&p)) > 0;) {
		/* Ancestors both paths share keep the subtree's rows. */
		if (id == area_id || path_holds(other_path, id))
			continue;
		static const char *const carry_rows[] = {sql_carry_rows, sql_carry_unit_rows};
		for (size_t t = 0; t < sizeof carry_rows / sizeof *carry_rows; t++) {
			struct store_stmt *st = store_prepare(c, carry_rows[t]);
			if (!st)
				return STORE_ERROR;
			int idx = 1;
			store_bind_int(st, idx++, id);
			for (int n = 0; n < TALLY_COLUMN_COUNT; n++)
				store_bind_int(st, idx++, sign);
			store_bind_int(st, idx, area_id);
			int rc = store_step(st);
			store_reset(st);
			if (rc != STORE_DONE)
				return rc;
		}
	}
	return id < 0 ? STORE_ERROR : STORE_OK;
}

int case_tally_area_moved(struct store_conn *c, int64_t area_id, const char *old_path, const char *new_path)
{
	int rc = carry(c, area_id, old_path, new_path, -1);
	return rc == STORE_OK ? carry(c, area_id, new_path, old_path, +1) : rc;
}

/* ---- the rebuild ---- */

/* The recount from the cases: the same sums as case_tally_contribution(),
 * in SQL. The only copy: migration 0008 marks a database that needs it
 * (see cases_figures_rebuild_pending). */
#define SUM_IF(cond) "SUM(CASE WHEN " cond " THEN 1 ELSE 0 END)"
#define DONE_NOW "k.state IN ('resolved', 'rated', 'closed')"
#define RATED_NOW "k.rating_outcome IS NOT NULL AND k.state IN ('rated', 'closed')"
#define REBUILD_SUMS                                                                                                \
	"COUNT(*), " SUM_IF("k.state = 'submitted'") ", " SUM_IF("k.state = 'dispatched'") ", "                    \
	SUM_IF("k.state = 'signed'") ", " SUM_IF("k.state = 'returned'") ", " SUM_IF("k.state = 'resolved'") ", "  \
	SUM_IF("k.state = 'rated'") ", " SUM_IF("k.state = 'closed'") ", "                                         \
	SUM_IF("k.signed_late IS NOT NULL AND k.state <> 'dispatched'") ", "                                      \
	SUM_IF("k.signed_late = 0 AND k.state <> 'dispatched'") ", "                                              \
	SUM_IF("k.resolved_late IS NOT NULL AND " DONE_NOW) ", " SUM_IF("k.resolved_late = 0 AND " DONE_NOW) ", "          \
	SUM_IF(RATED_NOW) ", " SUM_IF("k.rating_outcome = 'resolved' AND " RATED_NOW) ", "                         \
	SUM_IF("k.rating_outcome = 'partly' AND " RATED_NOW) ", " SUM_IF("k.rating_outcome = 'not' AND " RATED_NOW) \
	", " SUM_IF(RATED_NOW " AND k.satisfaction = 'satisfied'") ", "                                            \
	SUM_IF(RATED_NOW " AND k.satisfaction = 'basically_satisfied'") ", "                                       \
	SUM_IF(RATED_NOW " AND k.satisfaction = 'unsatisfied'") ", "                                               \
	SUM_IF("k.resolved_at IS NOT NULL AND " DONE_NOW) ", "                                                         \
	"SUM(CASE WHEN k.resolved_at IS NOT NULL AND " DONE_NOW " THEN k.resolved_at - k.submitted_at ELSE 0 END), "   \
	SUM_IF("k.reopen_count > 0") ", "                                                                          \
	SUM_IF("k.resolved_late = 0 AND " DONE_NOW " AND NOT (" RATED_NOW                                              \
	       " AND COALESCE(k.satisfaction, '') = 'unsatisfied')") ", "                                          \
	SUM_IF("k.state = 'dispatched' AND k.reminded_at > k.sign_due_at") ", "                                    \
	SUM_IF("k.state = 'signed' AND k.reminded_at > k.resolve_due_at")
#define DAY_OF "(k.submitted_at + 28800) / 86400"
_Static_assert(FIGURES_TZ_OFFSET == 28800, "DAY_OF writes the offset out");

static const char sql_rebuild_clear[] =
	"DELETE FROM case_tallies; DELETE FROM case_area_tallies; DELETE FROM case_unit_tallies";
static const char sql_rebuild_detail[] =
	"WITH RECURSIVE holders (area_id, holder_id) AS (SELECT id, id FROM areas UNION ALL"
	" SELECT h.area_id, a.parent_id FROM holders h JOIN areas a ON a.id = h.holder_id WHERE a.parent_id IS NOT NULL)"
	" INSERT INTO case_tallies (area_id, day, lead_unit_id, category_code, source, received"
	CASE_TALLY_COLUMNS(NAME_LIST) ") SELECT h.holder_id, " DAY_OF ", COALESCE(k.lead_unit_id, 0), k.category_code,"
	" k.source, " REBUILD_SUMS " FROM cases k JOIN holders h ON h.area_id = k.area_id WHERE k.merged_into IS NULL"
	" GROUP BY h.holder_id, " DAY_OF ", COALESCE(k.lead_unit_id, 0), k.category_code, k.source";
/* The department rows are the detail rows summed over category and
 * source: read from case_tallies once it is rebuilt. */
#define SUM_OF(name, field) ", SUM(" #name ")"
static const char sql_rebuild_unit[] =
	"INSERT INTO case_unit_tallies (area_id, day, lead_unit_id, received" CASE_TALLY_COLUMNS(NAME_LIST)
	") SELECT area_id, day, lead_unit_id, SUM(received)" CASE_TALLY_COLUMNS(SUM_OF)
	" FROM case_tallies GROUP BY area_id, day, lead_unit_id";
static const char sql_rebuild_area[] =
	"INSERT INTO case_area_tallies (area_id, day, received" CASE_TALLY_COLUMNS(NAME_LIST) ") SELECT k.area_id, "
	DAY_OF ", " REBUILD_SUMS " FROM cases k WHERE k.merged_into IS NULL GROUP BY k.area_id, " DAY_OF;

/* The mark migration 0008 leaves in meta when it made the tables on a
 * database that already held cases. */
static const char sql_pending_get[] = "SELECT value FROM meta WHERE key = 'case_figures_rebuild_pending'";
static const char sql_pending_clear[] = "DELETE FROM meta WHERE key = 'case_figures_rebuild_pending'";

int case_tallies_rebuild_tx(struct store_conn *c, void *arg)
{
	(void)arg;
	int rc = store_exec(c, sql_rebuild_clear);
	if (rc == STORE_OK)
		rc = store_exec(c, sql_rebuild_detail);
	if (rc == STORE_OK)
		rc = store_exec(c, sql_rebuild_unit);
	if (rc == STORE_OK)
		rc = store_exec(c, sql_rebuild_area);
	/* A full recount is whatever a pending one asked for. */
	if (rc == STORE_OK)
		rc = store_exec(c, sql_pending_clear);
	return rc;
}

int cases_figures_rebuild(struct store *s)
{
	return store_tx(s, STORE_WRITE, case_tallies_rebuild_tx, NULL);
}

/* Reads the mark and, when it is there, rebuilds and clears it, so that
 * the mark goes only with a commit that holds the recount. */
static int rebuild_if_pending_tx(struct store_conn *c, void *arg)
{
	bool *rebuilt = arg;
	*rebuilt = false; /* a retry starts over */
	struct store_stmt *st = store_prepare(c, sql_pending_get);
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	store_reset(st);
	if (rc == STORE_DONE)
		return STORE_OK;
	if (rc != STORE_ROW)
		return rc;
	rc = case_tallies_rebuild_tx(c, NULL);
	*rebuilt = rc == STORE_OK;
	return rc;
}

int cases_figures_rebuild_pending(struct store *s, bool *rebuilt)
{
	/* Alone: a bulk write, not to be batched with anything. */
	return store_tx(s, STORE_WRITE_ALONE, rebuild_if_pending_tx, rebuilt);
}

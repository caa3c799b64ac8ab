/* The timers: once a minute, 催办 every open case that has passed its
 * deadline since it was last reminded (a system remind on the timeline,
 * which also puts it before the commander in supervision), and close
 * rated cases and resolved cases nobody rated within the configured days.
 * Each case moves in its own transaction through the same case_act() as a
 * person's action, so the transition table decides here too. Hourly, photos
 * that no case cites a day after their upload are removed. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "modules/cases/cases.h"
#include "modules/cases/cases_internal.h"
#include "modules/media/media.h"

#define SWEEP_BATCH 200
#define SWEEP_INTERVAL_SECONDS 60
/* Photos no case cites after a day are the leftovers of abandoned forms. */
#define PHOTO_SWEEP_EVERY 60 /* sweeps: hourly */
#define PHOTO_ORPHAN_AGE 86400

static const char sql_due_reminders[] =
	"SELECT id, version FROM cases WHERE (state = 'dispatched' AND sign_due_at < ?"
	"  AND (reminded_at IS NULL OR reminded_at < sign_due_at))"
	" OR (state = 'signed' AND resolve_due_at < ? AND (reminded_at IS NULL OR reminded_at < resolve_due_at))"
	" ORDER BY id LIMIT ?";
static const char sql_due_closing[] =
	"SELECT id, version FROM cases WHERE state = 'rated' OR (state = 'resolved' AND resolved_at < ?)"
	" ORDER BY id LIMIT ?";

struct batch {
	const char *sql;
	int64_t now, before;
	size_t n;
	int64_t ids[SWEEP_BATCH];
	int versions[SWEEP_BATCH];
};

static int batch_tx(struct store_conn *c, void *arg)
{
	struct batch *b = arg;
	struct store_stmt *st = store_prepare(c, b->sql);
	if (!st)
		return STORE_ERROR;
	int i = 1;
	store_bind_int(st, i++, b->before);
	if (b->sql == sql_due_reminders)
		store_bind_int(st, i++, b->before);
	store_bind_int(st, i, SWEEP_BATCH);
	b->n = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW && b->n < SWEEP_BATCH) {
		b->ids[b->n] = store_col_int(st, 0);
		b->versions[b->n++] = (int)store_col_int(st, 1);
	}
	store_reset(st);
	return rc == STORE_DONE || rc == STORE_ROW ? STORE_OK : rc;
}

static int run_batch(struct store *s, struct batch *b, enum case_action action, int64_t *done)
{
	int rc = store_tx(s, STORE_READ, batch_tx, b);
	if (rc != STORE_OK)
		return rc;
	for (size_t i = 0; i < b->n; i++) {
		struct case_action_request r = {.case_id = b->ids[i], .as_system = true, .action = action,
						.version = b->versions[i], .request_id = "timer", .address = "-"};
		r.input.action = action;
		r.input.party = CASE_SYSTEM;
		if (action == CASE_REMIND)
			r.input.text = "逾期自动催办 / overdue: reminded automatically";
		rc = case_act(&r);
		json_decref(r.result);
		/* Someone acted on it meanwhile: the next sweep sees it anew. */
		if (rc == STORE_OK)
			(*done)++;
		else if (rc != STORE_ABORT)
			return rc;
	}
	return STORE_OK;
}

int cases_sweep(struct store *s, int64_t now, int autoclose_days, int64_t *reminded, int64_t *closed)
{
	*reminded = *closed = 0;
	struct batch b = {.sql = sql_due_reminders, .now = now, .before = now};
	int rc = run_batch(s, &b, CASE_REMIND, reminded);
	if (rc != STORE_OK)
		return rc;
	b = (struct batch){.sql = sql_due_closing, .now = now, .before = now - (int64_t)autoclose_days * 86400};
	return run_batch(s, &b, CASE_CLOSE, closed);
}

/* ---- the thread ---- */

static pthread_t sweeper;
static pthread_mutex_t sweep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sweep_wake = PTHREAD_COND_INITIALIZER;
static bool sweep_running, sweep_stop;
int cases_autoclose_days = 7;

static void *sweep_main(void *arg)
{
	(void)arg;
	unsigned round = 0;
	pthread_mutex_lock(&sweep_lock);
	while (!sweep_stop) {
		pthread_mutex_unlock(&sweep_lock);
		if (round++ % PHOTO_SWEEP_EVERY == 0) {
			int swept = media_sweep(cases_store, time_now() - PHOTO_ORPHAN_AGE);
			if (swept > 0)
				log_info("cases: %d photos no case cites removed", swept);
		}
		int64_t reminded, closed;
		int rc = cases_sweep(cases_store, time_now(), cases_autoclose_days, &reminded, &closed);
		if (rc != STORE_OK)
			log_warn("cases: the timer sweep failed (%d); retrying in a minute", rc);
		else if (reminded || closed)
			log_info("cases: %lld overdue reminded, %lld closed", (long long)reminded, (long long)closed);
		pthread_mutex_lock(&sweep_lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += SWEEP_INTERVAL_SECONDS;
		while (!sweep_stop && pthread_cond_timedwait(&sweep_wake, &sweep_lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&sweep_lock);
	return NULL;
}

int cases_start(char **err)
{
	sweep_stop = false;
	if (pthread_create(&sweeper, NULL, sweep_main, NULL) != 0) {
		*err = strdup("cannot start the cases timer thread");
		return -1;
	}
	sweep_running = true;
	return 0;
}

void cases_close(void)
{
	if (sweep_running) {
		pthread_mutex_lock(&sweep_lock);
		sweep_stop = true;
		pthread_cond_signal(&sweep_wake);
		pthread_mutex_unlock(&sweep_lock);
		pthread_join(sweeper, NULL);
		sweep_running = false;
	}
	cases_calendar_close();
	case_cache_close();
}

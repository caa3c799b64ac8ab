#include "store/store_backend.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/xalloc.h"

#define STORE_TX_ATTEMPTS 8
/* The most writes one commit carries: bounds the wait of the last. */
#define STORE_GROUP_MAX 64

/* A transaction's callback, waiting for or running in a group. */
struct store_job {
	store_tx_fn fn;
	void *arg;
	int rc;
	int attempts;  /* runs that ended in a soft failure */
	bool alone;    /* runs in a transaction of its own */
	bool settled;  /* rc is final (set by the thread that ran it) */
	bool done;     /* settled, as its waiter sees it under group_lock */
	pthread_cond_t wake; /* its writer waits here: woken alone, not as a herd */
	struct store_job *next;
};

struct store {
	const struct store_backend *be;
	char *url;
	uint64_t serial; /* distinguishes stores in the thread-local slot */
	pthread_mutex_t lock; /* guards conns */
	struct store_conn *conns;
	struct store_conn *claim_conn;
	/* Group commit: the queue of writes and whether a leader runs. */
	pthread_mutex_t group_lock;
	struct store_job *queue_head, *queue_tail;
	bool leading;
	/* Whoever leads writes on this one connection, so its page cache stays
	 * warm across commits instead of every worker's being invalidated by
	 * the others' writes. Used by the leader only. */
	struct store_conn *write_conn;
	_Atomic uint64_t commits, transactions, retries, failures, rollbacks, statements, connections;
};

static _Atomic uint64_t store_next_serial = 1;

/* Each thread keeps its connection to each of the last few stores it used
 * (one in a server; tools and tests may use two). A serial, not the
 * pointer, names the store: a new store may be allocated where a closed one
 * was. */
#define STORE_TLS_SLOTS 4
static _Thread_local struct {
	uint64_t serial;
	struct store_conn *conn;
} store_tls[STORE_TLS_SLOTS];
static _Thread_local unsigned store_tls_next;

static struct store_conn *store_tls_get(uint64_t serial)
{
	for (unsigned i = 0; i < STORE_TLS_SLOTS; i++)
		if (store_tls[i].serial == serial)
			return store_tls[i].conn;
	return NULL;
}

static void store_tls_put(uint64_t serial, struct store_conn *c)
{
	unsigned i = store_tls_next++ % STORE_TLS_SLOTS;
	store_tls[i].serial = serial;
	store_tls[i].conn = c;
}

int store_open(const char *url, struct store **out, char **err)
{
	const struct store_backend *be;
	if (strncmp(url, "sqlite:", 7) == 0)
		be = &store_sqlite_backend;
	else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		be = &store_pg_backend;
	else {
		*err = xasprintf("unknown database '%s': use sqlite:PATH or postgres://...", url);
		return -1;
	}
	struct store *s = xcalloc(1, sizeof *s);
	s->be = be;
	s->url = xstrdup(url);
	s->serial = atomic_fetch_add(&store_next_serial, 1);
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->group_lock, NULL);
	/* Connect once now so a wrong URL fails at start, not on first request. */
	struct store_conn *c;
	if (be->connect(url, &c, err)) {
		store_close(s);
		return -1;
	}
	c->be = be;
	c->store = s;
	s->conns = c;
	atomic_fetch_add(&s->connections, 1);
	store_tls_put(s->serial, c);
	*out = s;
	return 0;
}

static void store_drop_cache(struct store_conn *c)
{
	for (size_t i = 0; i < c->cache_cap; i++)
		if (c->cache[i])
			c->be->finalize(c->cache[i]);
	free(c->cache);
	c->cache = NULL;
	c->cache_cap = c->cache_len = 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	struct store_conn *c = s->conns;
	while (c) {
		struct store_conn *next = c->next;
		store_drop_cache(c);
		c->be->disconnect(c);
		c = next;
	}
	if (s->claim_conn) {
		store_drop_cache(s->claim_conn);
		s->be->disconnect(s->claim_conn);
	}
	/* Only this thread's slot can be cleared; others hold a serial that
	 * no store will carry again. */
	for (unsigned i = 0; i < STORE_TLS_SLOTS; i++)
		if (store_tls[i].serial == s->serial)
			store_tls[i].serial = 0;
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->group_lock);
	free(s->url);
	free(s);
}

const char *store_backend_name(const struct store *s)
{
	return s->be->name;
}

struct store_stats store_get_stats(struct store *s)
{
	return (struct store_stats){
		.transactions = atomic_load(&s->transactions),
		.commits = atomic_load(&s->commits),
		.retries = atomic_load(&s->retries),
		.failures = atomic_load(&s->failures),
		.rollbacks = atomic_load(&s->rollbacks),
		.statements = atomic_load(&s->statements),
		.connections = atomic_load(&s->connections),
	};
}

int store_claim(struct store *s, char **err)
{
	if (!s->be->claim)
		return 0;
	/* The claim lives on a connection of its own, never used for queries,
	 * so it lasts exactly as long as the store. */
	struct store_conn *c;
	if (s->be->connect(s->url, &c, err))
		return -1;
	c->be = s->be;
	c->store = s;
	if (s->be->claim(c, s->url, err)) {
		s->be->disconnect(c);
		return -1;
	}
	s->claim_conn = c;
	return 0;
}

/* A new connection in the store's list. NULL when the database cannot be
 * reached (logged). */
static struct store_conn *store_conn_open(struct store *s)
{
	struct store_conn *c;
	char *err = NULL;
	if (s->be->connect(s->url, &c, &err)) {
		log_error("database connection failed: %s", err);
		free(err);
		return NULL;
	}
	c->be = s->be;
	c->store = s;
	pthread_mutex_lock(&s->lock);
	c->next = s->conns;
	s->conns = c;
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add(&s->connections, 1);
	return c;
}

/* The calling thread's connection, opened on first use. */
static struct store_conn *store_conn_for_thread(struct store *s)
{
	struct store_conn *c = store_tls_get(s->serial);
	if (!c && (c = store_conn_open(s)))
		store_tls_put(s->serial, c);
	return c;
}

static void store_backoff(int attempt)
{
	/* Short randomized sleeps so retrying writers do not collide again. */
	long max_us = 500L << (attempt < 6 ? attempt : 6);
	struct timespec ts = {0, (long)(rand() % max_us) * 1000L};
	nanosleep(&ts, NULL);
}

/* ---- transactions and group commit ----
 *
 * Every transaction is a job. A read runs on its caller's thread at once. A
 * write joins the store's queue; the first writer to find no leader leads:
 * it takes the queued jobs (its own among them), runs them in one
 * transaction on its connection, each under a savepoint, commits once, and
 * wakes the writers whose jobs it settled. Jobs left unsettled (a soft
 * failure to retry) go back to the head of the queue. While one group
 * commits, the next one queues, so the number of fsyncs falls as the
 * number of concurrent writers rises. */

static _Thread_local bool store_tls_leading; /* this thread is running a group */

static bool job_joins(const struct store_job *j, size_t taken)
{
	return taken == 0 || (!j->alone && taken < STORE_GROUP_MAX);
}

/* Under group_lock: up to STORE_GROUP_MAX jobs from the head; a job that
 * must run alone is taken only as a group of one. */
static size_t group_take(struct store *s, struct store_job **group)
{
	size_t n = 0;
	while (s->queue_head && job_joins(s->queue_head, n)) {
		struct store_job *j = s->queue_head;
		s->queue_head = j->next;
		group[n++] = j;
		if (j->alone)
			break;
	}
	if (!s->queue_head)
		s->queue_tail = NULL;
	return n;
}

/* Under group_lock: settled jobs are done and their writers woken; the
 * rest go back to the head, in their order. Then the writer at the head is
 * woken to lead the next group. */
static void group_return(struct store *s, struct store_job **group, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		struct store_job *j = group[i];
		if (j->settled) {
			j->done = true;
			pthread_cond_signal(&j->wake);
			continue;
		}
		j->next = s->queue_head;
		s->queue_head = j;
		if (!s->queue_tail)
			s->queue_tail = j;
	}
	if (s->queue_head)
		pthread_cond_signal(&s->queue_head->wake);
}

static void job_settle(struct store *s, struct store_job *j, int rc, struct store_conn *c)
{
	j->rc = rc;
	j->settled = true;
	if (rc == STORE_OK) {
		atomic_fetch_add(&s->transactions, 1);
	} else if (rc == STORE_ABORT) {
		atomic_fetch_add(&s->rollbacks, 1);
	} else {
		atomic_fetch_add(&s->failures, 1);
		if (rc == STORE_SOFT)
			log_error("transaction failed (retries exhausted): %s", c ? c->errmsg : "no connection");
	}
}

/* A soft failure: run the job again, by itself when alone is set, unless
 * it has had its tries. */
static void job_retry(struct store *s, struct store_job *j, bool alone, struct store_conn *c)
{
	if (++j->attempts >= STORE_TX_ATTEMPTS) {
		job_settle(s, j, STORE_SOFT, c);
		return;
	}
	atomic_fetch_add(&s->retries, 1);
	j->alone = j->alone || alone;
}

static const char store_sql_savepoint[] = "SAVEPOINT wangge_member";
static const char store_sql_release[] = "RELEASE SAVEPOINT wangge_member";
static const char store_sql_rollback_to[] = "ROLLBACK TO SAVEPOINT wangge_member";

/* A statement without parameters or rows, prepared once per connection. */
static int store_run(struct store_conn *c, const char *sql)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return c->broken ? STORE_SOFT : STORE_ERROR;
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Runs one member of a shared transaction under a savepoint, so that its
 * failure undoes its own writes only. Returns STORE_OK while the shared
 * transaction is still sound, or the failure that broke it. */
static int group_run_member(struct store_conn *c, struct store_job *j)
{
	int rc = store_run(c, store_sql_savepoint);
	if (rc != STORE_OK)
		return rc;
	j->rc = j->fn(c, j->arg);
	if (j->rc == STORE_ERROR)
		log_error("transaction failed (error): %s", c->errmsg);
	if (j->rc != STORE_OK && (rc = store_run(c, store_sql_rollback_to)) != STORE_OK)
		return rc;
	rc = store_run(c, store_sql_release);
	return c->broken ? STORE_SOFT : rc;
}

/* Runs a group of n jobs (n is 1 for reads and lone writes) and settles or
 * re-arms each. A member's own failure is its own; a failure of the shared
 * transaction (begin, savepoint, commit, a lost link) sends every member of
 * a group of several to run again by itself. */
static void group_run(struct store *s, enum store_tx_mode mode, struct store_job **group, size_t n)
{
	int most = 0;
	for (size_t i = 0; i < n; i++)
		most = group[i]->attempts > most ? group[i]->attempts : most;
	if (most > 0)
		store_backoff(most);
	struct store_conn *c;
	if (mode == STORE_READ)
		c = store_conn_for_thread(s);
	else
		c = s->write_conn ? s->write_conn : (s->write_conn = store_conn_open(s));
	int rc = c ? STORE_OK : STORE_SOFT;
	if (rc == STORE_OK && c->broken) {
		store_drop_cache(c);
		if (c->be->reconnect(c))
			rc = STORE_SOFT;
		else
			c->broken = false;
	}
	if (rc == STORE_OK && (rc = c->be->begin(c, mode)) == STORE_ERROR)
		log_error("begin failed: %s", c->errmsg);
	bool any_ok = false;
	if (rc == STORE_OK && n == 1) {
		group[0]->rc = group[0]->fn(c, group[0]->arg);
		any_ok = group[0]->rc == STORE_OK;
		/* However the failure surfaced (a prepare returning NULL, say),
		 * a lost link is worth a retry on a fresh connection. */
		if (!any_ok && c->broken)
			group[0]->rc = STORE_SOFT;
		if (group[0]->rc == STORE_ERROR)
			log_error("transaction failed (error): %s", c->errmsg);
	} else if (rc == STORE_OK) {
		for (size_t i = 0; i < n && rc == STORE_OK; i++) {
			rc = group_run_member(c, group[i]);
			any_ok = any_ok || group[i]->rc == STORE_OK;
		}
	}
	if (rc == STORE_OK && any_ok) {
		rc = c->be->commit(c);
		if (rc == STORE_OK && mode != STORE_READ)
			atomic_fetch_add(&s->commits, 1);
		else if (rc == STORE_ERROR)
			log_error("commit failed: %s", c->errmsg);
	}
	if (c && (rc != STORE_OK || !any_ok))
		c->be->rollback(c); /* a commit that failed softly may leave the transaction open */
	if (rc != STORE_OK && c && c->broken)
		rc = STORE_SOFT;
	for (size_t i = 0; i < n; i++) {
		struct store_job *j = group[i];
		if (rc == STORE_OK && j->rc == STORE_SOFT)
			job_retry(s, j, false, c);
		else if (rc == STORE_OK)
			job_settle(s, j, j->rc, c);
		else if (n > 1)
			job_retry(s, j, true, c);
		else if (rc == STORE_SOFT)
			job_retry(s, j, false, c);
		else
			job_settle(s, j, rc, c);
	}
}

int store_tx(struct store *s, enum store_tx_mode mode, store_tx_fn fn, void *arg)
{
	struct store_job job = {.fn = fn, .arg = arg, .alone = mode == STORE_WRITE_ALONE};
	if (mode == STORE_READ) {
		struct store_job *one = &job;
		while (!job.settled)
			group_run(s, STORE_READ, &one, 1);
		return job.rc;
	}
	/* The leader would wait for itself. */
	if (store_tls_leading) {
		log_error("store_tx: a write transaction inside a transaction callback");
		return STORE_ERROR;
	}
	pthread_cond_init(&job.wake, NULL);
	pthread_mutex_lock(&s->group_lock);
	if (s->queue_tail)
		s->queue_tail->next = &job;
	else
		s->queue_head = &job;
	s->queue_tail = &job;
	while (!job.done) {
		if (s->leading) {
			pthread_cond_wait(&job.wake, &s->group_lock);
			continue;
		}
		s->leading = true;
		struct store_job *group[STORE_GROUP_MAX];
		size_t n = group_take(s, group);
		pthread_mutex_unlock(&s->group_lock);
		store_tls_leading = true;
		group_run(s, STORE_WRITE, group, n);
		store_tls_leading = false;
		pthread_mutex_lock(&s->group_lock);
		s->leading = false;
		group_return(s, group, n);
	}
	pthread_mutex_unlock(&s->group_lock);
	pthread_cond_destroy(&job.wake);
	return job.rc;
}

/* Open addressing on the statement text's address: a few dozen statements
 * per connection, looked up on every query. */
static size_t store_cache_slot(const char *sql, size_t cap)
{
	uintptr_t h = (uintptr_t)sql;
	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (cap - 1);
}

struct store_stmt *store_prepare(struct store_conn *c, const char *sql)
{
	if (c->cache_cap) {
		for (size_t i = store_cache_slot(sql, c->cache_cap);; i = (i + 1) & (c->cache_cap - 1)) {
			struct store_stmt *st = c->cache[i];
			if (!st)
				break;
			if (st->sql == sql)
				return st;
		}
	}
	struct store_stmt *st = c->be->prepare(c, sql);
	if (!st)
		return NULL;
	st->conn = c;
	st->sql = sql;
	if ((c->cache_len + 1) * 2 > c->cache_cap) {
		size_t cap = c->cache_cap ? c->cache_cap * 2 : 64;
		struct store_stmt **tab = xcalloc(cap, sizeof *tab);
		for (size_t i = 0; i < c->cache_cap; i++) {
			struct store_stmt *old = c->cache[i];
			if (!old)
				continue;
			size_t j = store_cache_slot(old->sql, cap);
			while (tab[j])
				j = (j + 1) & (cap - 1);
			tab[j] = old;
		}
		free(c->cache);
		c->cache = tab;
		c->cache_cap = cap;
	}
	size_t j = store_cache_slot(sql, c->cache_cap);
	while (c->cache[j])
		j = (j + 1) & (c->cache_cap - 1);
	c->cache[j] = st;
	c->cache_len++;
	return st;
}

void store_bind_int(struct store_stmt *st, int idx, int64_t v) { st->conn->be->bind_int(st, idx, v); }
void store_bind_text(struct store_stmt *st, int idx, const char *v) { st->conn->be->bind_text(st, idx, v); }
void store_bind_blob(struct store_stmt *st, int idx, const void *v, size_t n) { st->conn->be->bind_blob(st, idx, v, n); }
void store_bind_null(struct store_stmt *st, int idx) { st->conn->be->bind_null(st, idx); }
bool store_col_null(struct store_stmt *st, int col) { return st->conn->be->col_null(st, col); }
int64_t store_col_int(struct store_stmt *st, int col) { return st->conn->be->col_int(st, col); }
const char *store_col_text(struct store_stmt *st, int col) { return st->conn->be->col_text(st, col); }
const void *store_col_blob(struct store_stmt *st, int col, size_t *n) { return st->conn->be->col_blob(st, col, n); }
int64_t store_changes(struct store_stmt *st) { return st->conn->be->changes(st); }
void store_reset(struct store_stmt *st) { st->conn->be->reset(st); }

int store_step(struct store_stmt *st)
{
	atomic_fetch_add(&st->conn->store->statements, 1);
	return st->conn->be->step(st);
}

int store_exec(struct store_conn *c, const char *sql)
{
	atomic_fetch_add(&c->store->statements, 1);
	return c->be->exec(c, sql);
}

const char *store_errmsg(struct store_conn *c)
{
	return c->errmsg;
}

/* ---- migrations ---- */

int store_latest_version(void)
{
	return store_migrations_count ? store_migrations[store_migrations_count - 1].version : 0;
}

static const char store_sql_schema_table[] =
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" version INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" applied_at TEXT NOT NULL)";
static const char store_sql_max_version[] = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
static const char store_sql_record_version[] =
	"INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)";

struct migrate_step {
	int version_before; /* out: the version found */
	const struct store_migration *m; /* the one to apply, or NULL to only read */
	char *err;
};

static int migrate_read_version(struct store_conn *c, int *version)
{
	struct store_stmt *st = store_prepare(c, store_sql_max_version);
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*version = (int)store_col_int(st, 0);
		rc = STORE_OK;
	}
	store_reset(st);
	return rc;
}

static int migrate_one(struct store_conn *c, void *arg)
{
	struct migrate_step *ms = arg;
	int rc = c->be->lock_migrations(c);
	if (rc == STORE_OK)
		rc = store_exec(c, store_sql_schema_table);
	if (rc == STORE_OK)
		rc = migrate_read_version(c, &ms->version_before);
	if (rc != STORE_OK || !ms->m || ms->version_before >= ms->m->version)
		return rc;
	char *ddl = c->be->translate_ddl(ms->m->sql);
	rc = store_exec(c, ddl);
	free(ddl);
	if (rc != STORE_OK) {
		free(ms->err);
		ms->err = xasprintf("migration %04d_%s failed: %s", ms->m->version, ms->m->name, c->errmsg);
		return rc == STORE_SOFT ? STORE_SOFT : STORE_ABORT;
	}
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	struct store_stmt *st = store_prepare(c, store_sql_record_version);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, ms->m->version);
	store_bind_text(st, 2, ms->m->name);
	store_bind_text(st, 3, now);
	rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int store_schema_version(struct store *s)
{
	struct migrate_step ms = {0};
	int rc = store_tx(s, STORE_WRITE_ALONE, migrate_one, &ms);
	free(ms.err);
	return rc == STORE_OK ? ms.version_before : -1;
}

int store_migrate(struct store *s, int *applied, char **err)
{
	*applied = 0;
	int current = store_schema_version(s);
	if (current < 0) {
		*err = xstrdup("cannot read the schema version");
		return -1;
	}
	if (current > store_latest_version()) {
		*err = xasprintf("the database is at schema version %d, newer than this wangge (%d): upgrade wangge",
				 current, store_latest_version());
		return -1;
	}
	for (size_t i = 0; i < store_migrations_count; i++) {
		const struct store_migration *m = &store_migrations[i];
		if (m->version <= current)
			continue;
		struct migrate_step ms = {.m = m};
		int rc = store_tx(s, STORE_WRITE_ALONE, migrate_one, &ms);
		if (rc != STORE_OK) {
			*err = ms.err ? ms.err : xasprintf("migration %04d_%s failed", m->version, m->name);
			return -1;
		}
		free(ms.err);
		/* Another node may have applied it meanwhile: count only ours. */
		if (ms.version_before < m->version) {
			(*applied)++;
			log_info("applied migration %04d_%s", m->version, m->name);
		}
	}
	return 0;
}

/* ---- shared helpers for backends ---- */

static bool is_word_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

char *store_replace_words(const char *sql, const char *const *from, const char *const *to, size_t n)
{
	struct buf out = {0};
	const char *p = sql;
	while (*p) {
		if (*p == '\'' || *p == '"') {
			/* Copy a quoted literal or identifier untouched ('' escapes). */
			char q = *p;
			const char *e = p + 1;
			while (*e && !(*e == q && e[1] != q))
				e += (*e == q) ? 2 : 1;
			if (*e)
				e++;
			buf_append(&out, p, (size_t)(e - p));
			p = e;
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			const char *e = strchr(p, '\n');
			e = e ? e : p + strlen(p);
			buf_append(&out, p, (size_t)(e - p));
			p = e;
			continue;
		}
		if (is_word_char(*p) && (p == sql || !is_word_char(p[-1]))) {
			const char *e = p;
			while (is_word_char(*e))
				e++;
			size_t len = (size_t)(e - p);
			size_t i;
			for (i = 0; i < n; i++)
				if (strlen(from[i]) == len && strncmp(p, from[i], len) == 0)
					break;
			if (i < n)
				buf_puts(&out, to[i]);
			else
				buf_append(&out, p, len);
			p = e;
			continue;
		}
		buf_append(&out, p, 1);
		p++;
	}
	return buf_steal(&out);
}

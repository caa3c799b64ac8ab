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

struct store {
	const struct store_backend *be;
	char *url;
	uint64_t serial; /* distinguishes stores in the thread-local slot */
	pthread_mutex_t lock; /* guards conns */
	struct store_conn *conns;
	struct store_conn *claim_conn;
	_Atomic uint64_t transactions, retries, failures, rollbacks, statements, connections;
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

/* The calling thread's connection, opened on first use. NULL when the
 * database cannot be reached (logged). */
static struct store_conn *store_conn_for_thread(struct store *s)
{
	struct store_conn *c = store_tls_get(s->serial);
	if (c)
		return c;
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

int store_tx(struct store *s, enum store_tx_mode mode, store_tx_fn fn, void *arg)
{
	struct store_conn *c = NULL;
	int rc = STORE_ERROR;
	for (int attempt = 0; attempt < STORE_TX_ATTEMPTS; attempt++) {
		if (attempt > 0) {
			atomic_fetch_add(&s->retries, 1);
			store_backoff(attempt);
		}
		if (!c && !(c = store_conn_for_thread(s))) {
			rc = STORE_SOFT;
			continue;
		}
		if (c->broken) {
			store_drop_cache(c);
			if (c->be->reconnect(c)) {
				rc = STORE_SOFT;
				continue;
			}
			c->broken = false;
		}
		rc = c->be->begin(c, mode);
		if (rc == STORE_OK) {
			rc = fn(c, arg);
			if (rc == STORE_OK)
				rc = c->be->commit(c);
			else
				c->be->rollback(c);
		}
		if (rc == STORE_OK) {
			atomic_fetch_add(&s->transactions, 1);
			return STORE_OK;
		}
		/* However the failure surfaced (a prepare returning NULL, say),
		 * a lost link is worth a retry on a fresh connection. */
		if (c->broken)
			rc = STORE_SOFT;
		if (rc != STORE_SOFT)
			break;
		/* A commit that failed softly may leave the transaction open. */
		c->be->rollback(c);
	}
	if (rc == STORE_ABORT) {
		atomic_fetch_add(&s->rollbacks, 1);
	} else {
		atomic_fetch_add(&s->failures, 1);
		if (rc != STORE_CONSTRAINT)
			log_error("transaction failed (%s): %s", rc == STORE_SOFT ? "retries exhausted" : "error",
				  c ? c->errmsg : "no connection");
	}
	return rc;
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
	int rc = store_tx(s, STORE_WRITE, migrate_one, &ms);
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
		int rc = store_tx(s, STORE_WRITE, migrate_one, &ms);
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

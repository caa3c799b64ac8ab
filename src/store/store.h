/* The store: one narrow interface over the database, with a SQLite and a
 * PostgreSQL backend. Domain code writes portable SQL with '?' placeholders;
 * dialect differences live in the backend files only.
 *
 * Threads: a struct store is shared; each thread gets its own connection
 * (opened on first use, kept until store_close) and statements prepared on it
 * persist for the connection's life. Work runs inside store_tx(), which
 * retries soft failures (SQLite busy, PostgreSQL serialization failure or
 * deadlock, a lost connection) a bounded number of times.
 *
 * Group commit: write transactions that arrive while another is running
 * queue up, and the next leader runs the queued ones together in one
 * database transaction, each under a savepoint, with one commit (one fsync)
 * for all. store_tx returns only after the commit that holds its write is
 * durable. A callback that fails (a constraint, a client error, its own
 * error) rolls back to its savepoint and fails alone; its neighbours
 * commit. A failure of the shared transaction itself reruns its members
 * one by one, so no member fails because of another. */
#ifndef WG_STORE_STORE_H
#define WG_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_conn;
struct store_stmt;

/* Results. STORE_OK/ROW/DONE are successes; the rest are failures. */
enum store_rc {
	STORE_OK = 0,
	STORE_ROW,        /* store_step: a row is ready */
	STORE_DONE,       /* store_step: no more rows */
	STORE_SOFT,       /* transient: the transaction runner retries */
	STORE_CONSTRAINT, /* a unique/foreign-key/check constraint refused the write */
	STORE_ERROR,      /* anything else: our bug or the database is unwell */
	STORE_ABORT,      /* returned by a tx callback: roll back, no retry, no log */
};

enum store_tx_mode {
	STORE_READ,
	STORE_WRITE,       /* may share its commit with concurrent writes */
	/* A write in a transaction of its own: migrations (PostgreSQL must set
	 * the isolation level before any statement) and bulk loads, whose size
	 * would hold back the replies of writers batched with them. */
	STORE_WRITE_ALONE,
};

struct store_stats {
	uint64_t transactions; /* committed (each member of a group counts) */
	uint64_t commits;      /* database commits of write transactions: fewer than their members under group commit */
	uint64_t retries;      /* soft failures retried */
	uint64_t failures;     /* transactions that ended in an error */
	uint64_t rollbacks;    /* callbacks that asked to roll back */
	uint64_t statements;   /* statements executed */
	uint64_t connections;  /* connections opened */
};

/* Opens the database named by url ("sqlite:PATH" or "postgres://..."). Does
 * not migrate. Returns 0, or -1 with *err set (caller frees). */
int store_open(const char *url, struct store **out, char **err);
/* Closes every connection. No thread may use the store any more. */
void store_close(struct store *s);
/* "sqlite" or "postgres"; borrowed. */
const char *store_backend_name(const struct store *s);
struct store_stats store_get_stats(struct store *s);

/* Claims the database for one server process where the backend needs it
 * (SQLite: an exclusive lock on the file; PostgreSQL: many nodes may share a
 * database, so nothing). Held until store_close. Returns 0 or -1 with *err. */
int store_claim(struct store *s, char **err);

/* Applies the migrations the database lacks, each in its own transaction.
 * *applied gets how many ran. Refuses a database newer than this binary.
 * Returns 0 or -1 with *err (caller frees). */
int store_migrate(struct store *s, int *applied, char **err);
/* The schema version recorded in the database (0 when none); -1 on error. */
int store_schema_version(struct store *s);
/* The newest migration this binary carries. */
int store_latest_version(void);

/* The body of a transaction. Return STORE_OK to commit; STORE_SOFT to retry;
 * STORE_ABORT to roll back quietly (a client error already decided); any
 * other code rolls back and is returned. Never answers an HTTP request: it
 * may run more than once. */
typedef int (*store_tx_fn)(struct store_conn *c, void *arg);
/* Runs fn in a transaction. A callback must not call store_tx itself. */
int store_tx(struct store *s, enum store_tx_mode mode, store_tx_fn fn, void *arg);

/* Statements. sql must have static storage: its address keys the
 * connection's cache of prepared statements. The statement is borrowed from
 * the cache; call store_reset() when done with its rows. Bind indexes are
 * 1-based, column indexes 0-based. Text and blobs are copied at bind time. */
struct store_stmt *store_prepare(struct store_conn *c, const char *sql);
void store_bind_int(struct store_stmt *st, int idx, int64_t v);
void store_bind_text(struct store_stmt *st, int idx, const char *v); /* NULL binds NULL */
void store_bind_blob(struct store_stmt *st, int idx, const void *v, size_t n);
void store_bind_null(struct store_stmt *st, int idx);
int store_step(struct store_stmt *st);
bool store_col_null(struct store_stmt *st, int col);
int64_t store_col_int(struct store_stmt *st, int col);
/* Borrowed until the next store_step/store_reset; "" for NULL. */
const char *store_col_text(struct store_stmt *st, int col);
/* Borrowed until the next store_step/store_reset. */
const void *store_col_blob(struct store_stmt *st, int col, size_t *n);
/* Rows changed by the last INSERT/UPDATE/DELETE run on st. */
int64_t store_changes(struct store_stmt *st);
void store_reset(struct store_stmt *st);

/* Runs one or more statements without parameters (DDL). Returns a store_rc. */
int store_exec(struct store_conn *c, const char *sql);
/* The last error text on this connection; borrowed. */
const char *store_errmsg(struct store_conn *c);

#endif

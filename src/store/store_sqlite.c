/* SQLite backend: WAL, synchronous=FULL (an acknowledged write survives a
 * power cut), BEGIN IMMEDIATE for writes so two writers never deadlock on a
 * lock upgrade, a busy timeout, one connection per thread, persistent
 * prepared statements. */
#include "store/store_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/xalloc.h"

#define SQLITE_BUSY_TIMEOUT_MS 5000

/* The transaction-control statements every transaction runs, prepared once
 * per connection instead of parsed each time (that parse was an eighth of a
 * cached read). */
enum sqlite_control {
	CONTROL_BEGIN_READ,
	CONTROL_BEGIN_WRITE,
	CONTROL_COMMIT,
	CONTROL_ROLLBACK,
	CONTROLS,
};
static const char *const sqlite_control_sql[CONTROLS] = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};

struct sqlite_conn {
	struct store_conn base;
	sqlite3 *db;
	int lock_fd; /* store_claim's lock; -1 when not held */
	sqlite3_stmt *control[CONTROLS]; /* prepared on first use */
};

struct sqlite_stmt {
	struct store_stmt base;
	sqlite3_stmt *st;
};

static struct sqlite_conn *sq(struct store_conn *c) { return (struct sqlite_conn *)c; }
static struct sqlite_stmt *sqs(struct store_stmt *st) { return (struct sqlite_stmt *)st; }

static int sqlite_rc(struct store_conn *c, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return STORE_OK;
	case SQLITE_ROW:
		return STORE_ROW;
	case SQLITE_DONE:
		return STORE_DONE;
	}
	snprintf(c->errmsg, sizeof c->errmsg, "%s", sqlite3_errmsg(sq(c)->db));
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_SOFT;
	case SQLITE_CONSTRAINT:
		return STORE_CONSTRAINT;
	}
	return STORE_ERROR;
}

static const char *sqlite_path(const char *url)
{
	return url + strlen("sqlite:");
}

/* SQLite counts every allocation under one global mutex unless told not
 * to; with a connection per worker thread that mutex was contended on every
 * statement. Must run before SQLite initializes. */
static void sqlite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sqlite_connect(const char *url, struct store_conn **out, char **err)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	pthread_once(&configured, sqlite_configure);
	struct sqlite_conn *c = xcalloc(1, sizeof *c);
	c->lock_fd = -1;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(sqlite_path(url), &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		*err = xasprintf("cannot open %s: %s", sqlite_path(url),
				 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c);
		return -1;
	}
	sqlite3_busy_timeout(c->db, SQLITE_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(c->db, 1);
	char *msg = NULL;
	rc = sqlite3_exec(c->db,
			  "PRAGMA journal_mode=WAL;"
			  "PRAGMA synchronous=FULL;"
			  "PRAGMA foreign_keys=ON;"
			  "PRAGMA temp_store=MEMORY;"
			  /* 1 MiB of page cache per connection, not SQLite's 2: a
			   * server keeps one per worker thread, and the operating
			   * system's page cache already holds the file. */
			  "PRAGMA cache_size=-1024;",
			  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		*err = xasprintf("cannot set up %s: %s", sqlite_path(url), msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sqlite3_close(c->db);
		free(c);
		return -1;
	}
	*out = &c->base;
	return 0;
}

static void sqlite_disconnect(struct store_conn *c)
{
	for (int i = 0; i < CONTROLS; i++)
		sqlite3_finalize(sq(c)->control[i]);
	sqlite3_close(sq(c)->db);
	if (sq(c)->lock_fd >= 0)
		close(sq(c)->lock_fd);
	free(c);
}

static int sqlite_reconnect(struct store_conn *c)
{
	(void)c; /* an embedded database has no link to lose */
	return 0;
}

/* flock on the database file itself: independent of SQLite's own fcntl
 * locks, released by the kernel if the process dies. */
static int sqlite_claim(struct store_conn *c, const char *url, char **err)
{
	const char *path = sqlite_path(url);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = xasprintf("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		*err = errno == EWOULDBLOCK
			       ? xasprintf("%s is in use by another wangge server", path)
			       : xasprintf("cannot lock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	sq(c)->lock_fd = fd;
	return 0;
}

static int sqlite_exec(struct store_conn *c, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(sq(c)->db, sql, NULL, NULL, &msg);
	sqlite3_free(msg);
	return sqlite_rc(c, rc);
}

static int sqlite_control(struct store_conn *c, enum sqlite_control which)
{
	sqlite3_stmt **st = &sq(c)->control[which];
	if (!*st) {
		int rc = sqlite3_prepare_v3(sq(c)->db, sqlite_control_sql[which], -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
		if (rc != SQLITE_OK)
			return sqlite_rc(c, rc);
	}
	int rc = sqlite3_step(*st);
	sqlite3_reset(*st);
	return rc == SQLITE_DONE ? STORE_OK : sqlite_rc(c, rc);
}

static int sqlite_begin(struct store_conn *c, enum store_tx_mode mode)
{
	return sqlite_control(c, mode != STORE_READ ? CONTROL_BEGIN_WRITE : CONTROL_BEGIN_READ);
}

static int sqlite_commit(struct store_conn *c)
{
	return sqlite_control(c, CONTROL_COMMIT);
}

static void sqlite_rollback(struct store_conn *c)
{
	if (!sqlite3_get_autocommit(sq(c)->db))
		sqlite_control(c, CONTROL_ROLLBACK);
}

static int sqlite_lock_migrations(struct store_conn *c)
{
	(void)c; /* BEGIN IMMEDIATE already excludes every other writer */
	return STORE_OK;
}

static struct store_stmt *sqlite_prepare(struct store_conn *c, const char *sql)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v3(sq(c)->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		sqlite_rc(c, rc);
		return NULL;
	}
	struct sqlite_stmt *s = xcalloc(1, sizeof *s);
	s->st = st;
	return &s->base;
}

static void sqlite_finalize(struct store_stmt *st)
{
	sqlite3_finalize(sqs(st)->st);
	free(st);
}

static void sqlite_bind_int(struct store_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(sqs(st)->st, idx, v);
}

static void sqlite_bind_text(struct store_stmt *st, int idx, const char *v)
{
	if (v)
		sqlite3_bind_text(sqs(st)->st, idx, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(sqs(st)->st, idx);
}

static void sqlite_bind_blob(struct store_stmt *st, int idx, const void *v, size_t n)
{
	sqlite3_bind_blob64(sqs(st)->st, idx, v, n, SQLITE_TRANSIENT);
}

static void sqlite_bind_null(struct store_stmt *st, int idx)
{
	sqlite3_bind_null(sqs(st)->st, idx);
}

static int sqlite_step(struct store_stmt *st)
{
	return sqlite_rc(st->conn, sqlite3_step(sqs(st)->st));
}

static bool sqlite_col_null(struct store_stmt *st, int col)
{
	return sqlite3_column_type(sqs(st)->st, col) == SQLITE_NULL;
}

static int64_t sqlite_col_int(struct store_stmt *st, int col)
{
	return sqlite3_column_int64(sqs(st)->st, col);
}

static const char *sqlite_col_text(struct store_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(sqs(st)->st, col);
	return t ? (const char *)t : "";
}

static const void *sqlite_col_blob(struct store_stmt *st, int col, size_t *n)
{
	const void *p = sqlite3_column_blob(sqs(st)->st, col);
	*n = (size_t)sqlite3_column_bytes(sqs(st)->st, col);
	return p;
}

static int64_t sqlite_changes(struct store_stmt *st)
{
	return sqlite3_changes64(sq(st->conn)->db);
}

static void sqlite_reset(struct store_stmt *st)
{
	sqlite3_reset(sqs(st)->st);
	sqlite3_clear_bindings(sqs(st)->st);
}

static char *sqlite_translate_ddl(const char *sql)
{
	static const char *const from[] = {"SERIAL_PK", "PATH_TEXT", "BYTE_TEXT", "CLUSTERED_BY_KEY"};
	static const char *const to[] = {"INTEGER PRIMARY KEY", "TEXT", "TEXT", "WITHOUT ROWID"};
	return store_replace_words(sql, from, to, 4);
}

const struct store_backend store_sqlite_backend = {
	.name = "sqlite",
	.connect = sqlite_connect,
	.disconnect = sqlite_disconnect,
	.reconnect = sqlite_reconnect,
	.claim = sqlite_claim,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.exec = sqlite_exec,
	.lock_migrations = sqlite_lock_migrations,
	.prepare = sqlite_prepare,
	.finalize = sqlite_finalize,
	.bind_int = sqlite_bind_int,
	.bind_text = sqlite_bind_text,
	.bind_blob = sqlite_bind_blob,
	.bind_null = sqlite_bind_null,
	.step = sqlite_step,
	.col_null = sqlite_col_null,
	.col_int = sqlite_col_int,
	.col_text = sqlite_col_text,
	.col_blob = sqlite_col_blob,
	.changes = sqlite_changes,
	.reset = sqlite_reset,
	.translate_ddl = sqlite_translate_ddl,
};

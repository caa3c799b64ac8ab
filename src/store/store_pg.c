/* PostgreSQL backend: SERIALIZABLE write transactions (the runner retries
 * their serialization failures), REPEATABLE READ READ ONLY reads, one
 * connection per thread, named server-side prepared statements, text
 * results. Many nodes may share one database, so nothing is claimed. */
#include "store/store_backend.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/xalloc.h"

/* Any constant will do, as long as every node uses the same one. */
#define PG_MIGRATION_LOCK_KEY "7447001"

struct pg_conn {
	struct store_conn base;
	PGconn *pg;
	unsigned next_stmt; /* names prepared statements s1, s2, ... */
};

struct pg_stmt {
	struct store_stmt base;
	char name[16];
	int nparams;
	/* The bound parameters, owned (NULL binds SQL NULL). Text format for
	 * int and text, binary for blobs so bytes need no escaping. */
	char **values;
	int *lengths;
	int *formats;
	PGresult *res; /* NULL until the first step after a reset or bind */
	int row;       /* the row the columns read */
	unsigned char **blobs; /* col_blob's decoded bytes, per column of the row */
};

static struct pg_conn *pc(struct store_conn *c) { return (struct pg_conn *)c; }
static struct pg_stmt *pgs(struct store_stmt *st) { return (struct pg_stmt *)st; }

/* libpq prints notices on stderr by default; ours are never actionable. */
static void pg_notice(void *arg, const char *msg) { (void)arg, (void)msg; }

/* Copies msg into errmsg on one line: our log is one line per entry. */
static void pg_set_errmsg(struct store_conn *c, const char *msg)
{
	snprintf(c->errmsg, sizeof c->errmsg, "%s", msg);
	size_t n = strlen(c->errmsg);
	for (size_t i = 0; i < n; i++)
		if (c->errmsg[i] == '\n' || c->errmsg[i] == '\t')
			c->errmsg[i] = ' ';
	while (n > 0 && c->errmsg[n - 1] == ' ')
		c->errmsg[--n] = '\0';
}

/* Maps a result to a store_rc; STORE_OK for any success, and errmsg filled
 * otherwise. Does not clear res. */
static int pg_check(struct store_conn *c, const PGresult *res)
{
	ExecStatusType status = PQresultStatus(res);
	/* An empty query (text that is all comments) succeeds, as in SQLite. */
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
		return STORE_OK;
	const char *msg = res ? PQresultErrorMessage(res) : "";
	pg_set_errmsg(c, *msg ? msg : PQerrorMessage(pc(c)->pg));
	/* A session the server ended (restart, fail-over, an administrator)
	 * shows here: libpq reads the FATAL message and then the closed socket. */
	if (PQstatus(pc(c)->pg) != CONNECTION_OK) {
		c->broken = true;
		return STORE_SOFT;
	}
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (!state)
		return STORE_ERROR;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return STORE_SOFT;
	if (strncmp(state, "23", 2) == 0)
		return STORE_CONSTRAINT;
	return STORE_ERROR;
}

static int pg_exec(struct store_conn *c, const char *sql)
{
	PGresult *res = PQexec(pc(c)->pg, sql);
	int rc = pg_check(c, res);
	PQclear(res);
	return rc;
}

/* Session settings, run after every (re)connect. client_min_messages keeps
 * CREATE TABLE IF NOT EXISTS notices off the wire; bytea_output is what
 * col_blob decodes; our text is UTF-8 whatever the database's encoding. */
static int pg_setup(struct store_conn *c)
{
	PQsetNoticeProcessor(pc(c)->pg, pg_notice, NULL);
	return pg_exec(c, "SET client_min_messages = warning;"
			  "SET bytea_output = hex;"
			  "SET client_encoding = 'UTF8'");
}

/* Some libpq parse errors quote the whole URI: mask the password of
 * user:pw@. Caller frees. */
static char *pg_mask_password(const char *msg, const char *url)
{
	const char *auth = strstr(url, "://") + 3; /* store_open checked the scheme */
	const char *end = auth + strcspn(auth, "/?"), *at = NULL;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	size_t n = colon ? (size_t)(at - colon - 1) : 0;
	struct buf out = {0};
	for (const char *p = msg; *p;) {
		if (n && strncmp(p, colon + 1, n) == 0) {
			buf_puts(&out, "***");
			p += n;
		} else {
			buf_append(&out, p++, 1);
		}
	}
	return buf_steal(&out);
}

static int pg_connect(const char *url, struct store_conn **out, char **err)
{
	struct pg_conn *c = xcalloc(1, sizeof *c);
	/* libpq reads postgres:// and postgresql:// URIs itself. A NULL from
	 * PQconnectdb (out of memory) reads as CONNECTION_BAD below. */
	c->pg = PQconnectdb(url);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		char *msg = pg_mask_password(PQerrorMessage(c->pg), url);
		pg_set_errmsg(&c->base, msg);
		free(msg);
		*err = xasprintf("cannot connect to PostgreSQL: %s", c->base.errmsg);
	} else if (pg_setup(&c->base) != STORE_OK) {
		*err = xasprintf("cannot set up the PostgreSQL session: %s", c->base.errmsg);
	} else {
		*out = &c->base;
		return 0;
	}
	PQfinish(c->pg);
	free(c);
	return -1;
}

static void pg_disconnect(struct store_conn *c)
{
	PQfinish(pc(c)->pg);
	free(c);
}

/* PQreset keeps the PGconn (and its options), so nothing else changes. */
static int pg_reconnect(struct store_conn *c)
{
	PQreset(pc(c)->pg);
	if (PQstatus(pc(c)->pg) != CONNECTION_OK) {
		pg_set_errmsg(c, PQerrorMessage(pc(c)->pg));
		return -1;
	}
	return pg_setup(c) == STORE_OK ? 0 : -1;
}

static int pg_begin(struct store_conn *c, enum store_tx_mode mode)
{
	return pg_exec(c, mode != STORE_READ ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
					      : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static int pg_commit(struct store_conn *c)
{
	PGresult *res = PQexec(pc(c)->pg, "COMMIT");
	int rc = pg_check(c, res);
	/* COMMIT of a transaction an earlier statement aborted succeeds but
	 * rolls back: that must not read as a commit. */
	if (rc == STORE_OK && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		pg_set_errmsg(c, "COMMIT rolled back a transaction an earlier error had aborted");
		rc = STORE_ERROR;
	}
	PQclear(res);
	return rc;
}

static void pg_rollback(struct store_conn *c)
{
	PGTransactionStatusType ts = PQtransactionStatus(pc(c)->pg);
	/* A lost session has no transaction left to end. */
	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
		PQclear(PQexec(pc(c)->pg, "ROLLBACK"));
}

/* In SERIALIZABLE the first statement takes the snapshot, so a migrator
 * that waited here would then read the schema as it was before the lock's
 * holder committed and apply the same migration again. The runner calls
 * this before any statement, while the isolation level can still change:
 * READ COMMITTED takes a fresh snapshot per statement, and the lock alone
 * orders the migrators. */
static int pg_lock_migrations(struct store_conn *c)
{
	return pg_exec(c, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED;"
			  "SELECT pg_advisory_xact_lock(" PG_MIGRATION_LOCK_KEY ")");
}

/* Rewrites '?' to $1, $2, ... outside literals, quoted identifiers and
 * comments. *nparams gets the count; caller frees the result. */
static char *pg_number_params(const char *sql, int *nparams)
{
	struct buf out = {0};
	int n = 0;
	const char *p = sql;
	while (*p) {
		const char *e = p + 1;
		if (*p == '\'' || *p == '"') {
			/* A doubled quote ends the literal and starts another: same text. */
			while (*e && *e != *p)
				e++;
			if (*e)
				e++;
		} else if (p[0] == '-' && p[1] == '-') {
			e = p + strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			e = end ? end + 2 : p + strlen(p);
		} else if (*p == '?') {
			buf_printf(&out, "$%d", ++n);
			p = e;
			continue;
		}
		buf_append(&out, p, (size_t)(e - p));
		p = e;
	}
	*nparams = n;
	return buf_steal(&out);
}

static struct store_stmt *pg_prepare(struct store_conn *c, const char *sql)
{
	int nparams;
	char *text = pg_number_params(sql, &nparams);
	struct pg_stmt *s = xcalloc(1, sizeof *s);
	snprintf(s->name, sizeof s->name, "s%u", ++pc(c)->next_stmt);
	/* The server infers each parameter's type from the statement. */
	PGresult *res = PQprepare(pc(c)->pg, s->name, text, nparams, NULL);
	free(text);
	int rc = pg_check(c, res);
	PQclear(res);
	if (rc != STORE_OK) {
		free(s);
		return NULL;
	}
	s->nparams = nparams;
	s->values = xcalloc((size_t)nparams, sizeof *s->values);
	s->lengths = xcalloc((size_t)nparams, sizeof *s->lengths);
	s->formats = xcalloc((size_t)nparams, sizeof *s->formats);
	s->row = -1;
	return &s->base;
}

static void pg_free_blobs(struct pg_stmt *s)
{
	for (int i = 0; s->blobs && i < PQnfields(s->res); i++) {
		free(s->blobs[i]);
		s->blobs[i] = NULL;
	}
}

/* Drops the result and what was decoded from it; the bindings stay. */
static void pg_clear_result(struct pg_stmt *s)
{
	pg_free_blobs(s);
	free(s->blobs);
	s->blobs = NULL;
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
}

static void pg_clear_bindings(struct pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
		s->lengths[i] = s->formats[i] = 0;
	}
}

static void pg_finalize(struct store_stmt *st)
{
	struct pg_stmt *s = pgs(st);
	PGconn *pg = pc(st->conn)->pg;
	/* At store_close a healthy session is about to end anyway, but a
	 * statement dropped from a living session must not linger there. */
	if (!st->conn->broken && PQstatus(pg) == CONNECTION_OK) {
		char sql[32];
		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		PQclear(PQexec(pg, sql));
	}
	pg_clear_result(s);
	pg_clear_bindings(s);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s);
}

/* Takes ownership of v (NULL binds NULL). A new binding starts a new
 * execution, as in SQLite after a reset. */
static void pg_bind(struct store_stmt *st, int idx, char *v, int len, int format)
{
	struct pg_stmt *s = pgs(st);
	if (idx < 1 || idx > s->nparams) {
		WG_BUG("bind index %d out of range 1..%d in: %s", idx, s->nparams, st->sql);
		free(v);
		return;
	}
	pg_clear_result(s);
	free(s->values[idx - 1]);
	s->values[idx - 1] = v;
	s->lengths[idx - 1] = len;
	s->formats[idx - 1] = format;
}

static void pg_bind_int(struct store_stmt *st, int idx, int64_t v)
{
	pg_bind(st, idx, xasprintf("%" PRId64, v), 0, 0);
}

static void pg_bind_text(struct store_stmt *st, int idx, const char *v)
{
	pg_bind(st, idx, v ? xstrdup(v) : NULL, 0, 0);
}

static void pg_bind_blob(struct store_stmt *st, int idx, const void *v, size_t n)
{
	if (n > INT_MAX) {
		WG_BUG("blob of %zu bytes is over libpq's limit in: %s", n, st->sql);
		v = NULL;
	}
	/* A NULL pointer binds NULL, as in SQLite. */
	pg_bind(st, idx, v ? memcpy(xmalloc(n), v, n) : NULL, v ? (int)n : 0, 1);
}

static void pg_bind_null(struct store_stmt *st, int idx)
{
	pg_bind(st, idx, NULL, 0, 0);
}

static int pg_step(struct store_stmt *st)
{
	struct pg_stmt *s = pgs(st);
	if (!s->res) {
		s->res = PQexecPrepared(pc(st->conn)->pg, s->name, s->nparams, (const char *const *)s->values,
					s->lengths, s->formats, 0);
		int rc = pg_check(st->conn, s->res);
		if (rc != STORE_OK) {
			pg_clear_result(s);
			return rc;
		}
	}
	pg_free_blobs(s);
	if (s->row + 1 < PQntuples(s->res)) {
		s->row++;
		return STORE_ROW;
	}
	s->row = PQntuples(s->res); /* past the end: columns read as NULL */
	return STORE_DONE;
}

static bool pg_col_null(struct store_stmt *st, int col)
{
	return PQgetisnull(pgs(st)->res, pgs(st)->row, col);
}

static const char *pg_col_text(struct store_stmt *st, int col)
{
	/* libpq gives "" for a NULL value but NULL for a column out of range. */
	const char *v = PQgetvalue(pgs(st)->res, pgs(st)->row, col);
	return v ? v : "";
}

static int64_t pg_col_int(struct store_stmt *st, int col)
{
	const char *v = pg_col_text(st, col);
	/* PostgreSQL spells a boolean t/f where SQLite computes 1/0. */
	return strcmp(v, "t") == 0 ? 1 : strtoll(v, NULL, 10);
}

static int pg_hex(char ch)
{
	static const char digits[] = "0123456789abcdef0123456789ABCDEF";
	const char *d = ch ? strchr(digits, ch) : NULL;
	return d ? (int)(d - digits) % 16 : -1;
}

/* bytea arrives as text "\x0a1b..." (bytea_output = hex, set per session). */
static const void *pg_col_blob(struct store_stmt *st, int col, size_t *n)
{
	struct pg_stmt *s = pgs(st);
	*n = 0;
	if (pg_col_null(st, col) || col < 0 || col >= PQnfields(s->res))
		return NULL;
	if (!s->blobs)
		s->blobs = xcalloc((size_t)PQnfields(s->res), sizeof *s->blobs);
	const char *v = PQgetvalue(s->res, s->row, col);
	size_t len = (size_t)PQgetlength(s->res, s->row, col);
	bool hex = len >= 2 && len % 2 == 0 && v[0] == '\\' && v[1] == 'x';
	free(s->blobs[col]);
	unsigned char *out = s->blobs[col] = xmalloc(len / 2);
	for (size_t i = 2; hex && i < len; i += 2) {
		int hi = pg_hex(v[i]), lo = pg_hex(v[i + 1]);
		if ((hex = hi >= 0 && lo >= 0))
			out[(*n)++] = (unsigned char)(hi << 4 | lo);
	}
	if (!hex) {
		WG_BUG("column %d is not hex bytea in: %s", col, st->sql);
		*n = 0;
		return NULL;
	}
	return out;
}

static int64_t pg_changes(struct store_stmt *st)
{
	return atoll(PQcmdTuples(pgs(st)->res));
}

static void pg_reset(struct store_stmt *st)
{
	pg_clear_result(pgs(st));
	pg_clear_bindings(pgs(st));
}

static char *pg_translate_ddl(const char *sql)
{
	/* Paths compare byte by byte whatever the database's locale: the
	 * subtree range scan depends on it. */
	/* A heap table with a primary-key index is PostgreSQL's only kind:
	 * CLUSTERED_BY_KEY says nothing to it. */
	static const char *const from[] = {"SERIAL_PK", "BLOB", "PATH_TEXT", "BYTE_TEXT", "CLUSTERED_BY_KEY"};
	static const char *const to[] = {"BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA",
					 "TEXT COLLATE \"C\"", "TEXT COLLATE \"C\"", ""};
	return store_replace_words(sql, from, to, 5);
}

const struct store_backend store_pg_backend = {
	.name = "postgres",
	.connect = pg_connect,
	.disconnect = pg_disconnect,
	.reconnect = pg_reconnect,
	.claim = NULL, /* nodes share the database */
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.exec = pg_exec,
	.lock_migrations = pg_lock_migrations,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.bind_int = pg_bind_int,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.col_null = pg_col_null,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.changes = pg_changes,
	.reset = pg_reset,
	.translate_ddl = pg_translate_ddl,
};

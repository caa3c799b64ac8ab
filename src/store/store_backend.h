/* What a backend implements. Only store.c and the backend files include
 * this; domain code sees store.h alone. */
#ifndef WG_STORE_BACKEND_H
#define WG_STORE_BACKEND_H

#include "store/store.h"

/* Common head of every backend's connection; backends embed it first. */
struct store_conn {
	const struct store_backend *be;
	struct store *store;
	/* Set by the backend when the link to the server is gone: the runner
	 * then drops prepared statements and calls reconnect before a retry. */
	bool broken;
	char errmsg[512];
	/* The statement cache, kept by store.c: sql address -> statement. */
	struct store_stmt **cache;
	size_t cache_cap;
	size_t cache_len;
	struct store_conn *next; /* in the store's list of connections */
};

/* Common head of every backend's statement; backends embed it first. */
struct store_stmt {
	struct store_conn *conn;
	const char *sql; /* the caller's portable text; cache key */
};

struct store_backend {
	const char *name;
	/* Opens a connection for url (the part after the scheme is the
	 * backend's). Returns 0, or -1 with *err (caller frees). */
	int (*connect)(const char *url, struct store_conn **out, char **err);
	void (*disconnect)(struct store_conn *c);
	/* Re-establishes a broken connection; statements were already dropped. */
	int (*reconnect)(struct store_conn *c);
	int (*claim)(struct store_conn *c, const char *url, char **err);

	int (*begin)(struct store_conn *c, enum store_tx_mode mode);
	int (*commit)(struct store_conn *c);
	void (*rollback)(struct store_conn *c);
	int (*exec)(struct store_conn *c, const char *sql);
	/* Serializes concurrent migrators; called first in the migration's
	 * transaction, before any other statement (PostgreSQL relies on it). */
	int (*lock_migrations)(struct store_conn *c);

	/* Returns a new statement (owned by the cache), or NULL with errmsg set. */
	struct store_stmt *(*prepare)(struct store_conn *c, const char *sql);
	void (*finalize)(struct store_stmt *st);
	void (*bind_int)(struct store_stmt *st, int idx, int64_t v);
	void (*bind_text)(struct store_stmt *st, int idx, const char *v);
	void (*bind_blob)(struct store_stmt *st, int idx, const void *v, size_t n);
	void (*bind_null)(struct store_stmt *st, int idx);
	int (*step)(struct store_stmt *st);
	bool (*col_null)(struct store_stmt *st, int col);
	int64_t (*col_int)(struct store_stmt *st, int col);
	const char *(*col_text)(struct store_stmt *st, int col);
	const void *(*col_blob)(struct store_stmt *st, int col, size_t *n);
	int64_t (*changes)(struct store_stmt *st);
	void (*reset)(struct store_stmt *st);

	/* Rewrites portable DDL for this dialect (caller frees the result). The
	 * portable words are: SERIAL_PK (an auto-numbered 64-bit primary key),
	 * BLOB (bytes), PATH_TEXT and BYTE_TEXT (text compared byte by byte, for
	 * materialized paths and prefix ranges), and CLUSTERED_BY_KEY after a
	 * table's closing parenthesis (SQLite keeps the rows in primary-key
	 * order, WITHOUT ROWID, so a range of the key reads adjacent pages;
	 * PostgreSQL has no such table and ignores it); everything else is SQL
	 * both databases read alike. */
	char *(*translate_ddl)(const char *sql);
};

extern const struct store_backend store_sqlite_backend;
extern const struct store_backend store_pg_backend;

/* Replaces whole words outside quotes; caller frees. Shared by backends. */
char *store_replace_words(const char *sql, const char *const *from, const char *const *to, size_t n);

/* The migrations compiled into the binary, in version order. */
struct store_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct store_migration store_migrations[];
extern const size_t store_migrations_count;

#endif

/* Area scope, enforced in the query layer. Every user and token has a scope:
 * one area, whose subtree is all it may see. Areas carry a materialized path
 * of ids ("/1/5/23/"); the subtree of a node is the half-open range
 * [path, path with its last '/' turned into '0'), since '0' follows '/' and
 * no path holds anything but digits and slashes. One index range scan.
 *
 * Every store function of scoped data takes a const struct store_scope *
 * and puts STORE_IN_SCOPE(alias) in its WHERE clause, binding the range
 * with store_bind_scope(): a handler cannot ask for data without one. */
#ifndef WG_STORE_SCOPE_H
#define WG_STORE_SCOPE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "store/store.h"

#define STORE_PATH_MAX 200

struct store_scope {
	int64_t area_id;
	char path[STORE_PATH_MAX]; /* the scope root's path, "/1/5/" */
};

/* The condition "areas row <alias> lies in the scope"; two parameters. */
#define STORE_IN_SCOPE(alias) "(" alias ".path >= ? AND " alias ".path < ?)"

/* Binds the two parameters of STORE_IN_SCOPE at idx and idx + 1. */
static inline void store_bind_scope(struct store_stmt *st, int idx, const struct store_scope *scope)
{
	char hi[STORE_PATH_MAX];
	size_t n = strlen(scope->path);
	memcpy(hi, scope->path, n + 1);
	if (n)
		hi[n - 1] = '0';
	store_bind_text(st, idx, scope->path);
	store_bind_text(st, idx + 1, hi);
}

/* Whether path lies in the scope (the same rule, in C). */
static inline bool store_path_in_scope(const struct store_scope *scope, const char *path)
{
	return strncmp(path, scope->path, strlen(scope->path)) == 0;
}

#endif

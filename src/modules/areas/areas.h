/* Areas: the tree city > county > town > community > grid > building under
 * one root, served at /api/v1/areas and managed by `wangge area`.
 *
 * Three layers, each usable alone:
 *   areas.c        pure rules: what a code, a name, a level and a geometry
 *                  may be, and the arithmetic of materialized paths;
 *   areas_store.c  the queries, each taking the caller's scope, and the
 *                  writes (create, update, move, delete) with their audit
 *                  entries: the HTTP handlers and the CLI run the same code;
 *   areas_routes.c the handlers and the route table.
 *
 * The rules a write keeps: a child's level is below (a greater number than)
 * its parent's; the caller's own scope root cannot be changed, moved or
 * deleted, nor given a sibling (its parent lies outside the scope); an area
 * outside the scope answers exactly as a missing one.
 *
 * Where audit entries of areas are filed: under the actor's scope root
 * (the CLI's: the root), not under the area. An entry's area_id is a
 * foreign key, so an entry under the area, or under its parent, would pin
 * that area for good: an area that was ever renamed, or ever had a child,
 * could never be deleted. The actor's scope root is pinned anyway, by the
 * user or token standing there, so this adds no pin. The price: an auditor
 * sees the entry only when the actor's scope root lies in their scope. */
#ifndef WG_AREAS_AREAS_H
#define WG_AREAS_AREAS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "modules/identity/identity.h"
#include "store/scope.h"
#include "store/store.h"

/* The module's routes; store is borrowed and must outlive the server. */
const struct http_module *areas_module(struct store *store);

/* ---- pure rules (areas.c) ---- */

/* Why a request was refused: an HTTP error, the field, a message for people
 * (empty: the registry's). Filled by every function below that returns
 * false or STORE_ABORT. */
struct areas_error {
	enum http_error code;
	const char *field; /* static string or NULL */
	char message[200];
};
/* Fills err (fmt NULL: the registry's message). Returns false, so a check
 * reads `return areas_error_set(...)`. */
bool areas_error_set(struct areas_error *err, enum http_error code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* 1..AREA_CODE_MAX characters of [A-Za-z0-9_-]. */
bool areas_valid_code(const char *code);
/* 1..AREA_NAME_MAX characters of valid UTF-8, no control characters. */
bool areas_valid_name(const char *name);
/* Whether an area of child_level may sit under one of parent_level. */
bool areas_level_fits(int parent_level, int child_level);
/* NULL when geojson is an area's outline (a Polygon or MultiPolygon, or a
 * Feature or FeatureCollection of them); else why not (a static string). */
const char *areas_geojson_problem(const json_t *geojson);

/* What a new area is; every pointer borrowed. */
struct areas_new {
	const char *code;
	const char *name;
	const char *level;       /* "grid" or 网格: as area_level_parse reads */
	const char *parent_code; /* NULL or "": the root, while there is none */
	const json_t *geojson;   /* NULL for none */
};
/* Checks a new area's own fields (not its place in the tree). */
bool areas_check_new(const struct areas_new *in, struct areas_error *err);

/* Materialized paths ("/1/5/23/", see store/scope.h). Each returns false
 * when out (size bytes) is too small. */
/* parent_path + id + "/"; the root's parent_path is "/". */
bool areas_child_path(const char *parent_path, int64_t id, char *out, size_t size);
/* Whether path lies in the subtree whose top has path top (top included). */
bool areas_path_within(const char *path, const char *top);
/* The ids along path, top first, at most max; returns how many, or -1 for
 * a malformed path. */
int areas_path_ids(const char *path, int64_t *ids, int max);
/* Where path, in the subtree of old_top, lands when that subtree moves so
 * its top's path becomes new_top: new_top + the rest of path. This is what
 * the move's UPDATE computes in SQL with substr(path, strlen(old_top) + 1). */
bool areas_moved_path(const char *path, const char *old_top, const char *new_top, char *out, size_t size);

/* ---- the store (areas_store.c) ----
 * Each function runs inside the caller's transaction (store_tx) and
 * returns a store_rc: STORE_OK; STORE_DONE where it says "none"; STORE_ABORT
 * with *err filled for a client's error (roll back and answer it); any
 * other code is a failure. Queries see only the scope's subtree. */

/* An area as the API shows it. */
struct areas_row {
	struct area_ref area;
	char parent_code[AREA_CODE_MAX + 1]; /* "" for the root */
	char parent_path[STORE_PATH_MAX];    /* "" for the root */
	int64_t child_count;
	bool has_geometry;
};

/* The scope of the whole tree, for the CLI (a system actor). */
void areas_scope_all(struct store_scope *out);

/* {"code","name","level","parent_code","child_count","has_geometry"};
 * parent_code is null when the parent lies outside scope (the caller's
 * scope root does not show what is above it). Caller owns the result. */
json_t *areas_row_json(const struct areas_row *row, const struct store_scope *scope);

/* The area of that code in scope: STORE_OK, or STORE_DONE when none. */
int areas_get(struct store_conn *c, const struct store_scope *scope, const char *code, struct areas_row *out);
/* The stored outline of row (in scope) parsed into *out (caller owns it;
 * NULL when none). */
int areas_get_geojson(struct store_conn *c, const struct store_scope *scope, const struct areas_row *row,
		      json_t **out);
/* Appends {"code","name","level"} of row's ancestors to array, from the
 * scope root down to its parent; none above the scope root. */
int areas_ancestors(struct store_conn *c, const struct store_scope *scope, const struct areas_row *row,
		    json_t *array);
/* Replaces the contents of items with the JSON of up to limit children of
 * parent_id (0: the roots) with an id above after, ordered by id (so the
 * cursor is the last id). *last_id gets the last one's id. */
int areas_children(struct store_conn *c, const struct store_scope *scope, int64_t parent_id, int64_t after,
		   int64_t limit, json_t *items, int64_t *last_id);

/* What an update changes; NULL name and geojson without clear_geojson
 * leave those alone. Borrowed. */
struct areas_change {
	const char *name;
	const json_t *geojson;
	bool clear_geojson;
};

/* The writes. actor is borrowed; each appends its audit entry (area.create,
 * area.update, area.move, area.delete) in the same transaction. out, when
 * not NULL, gets the area as it is afterwards. */
int areas_create(struct store_conn *c, const struct store_scope *scope, const struct actor *actor,
		 const struct areas_new *in, struct areas_row *out, struct areas_error *err);
int areas_update(struct store_conn *c, const struct store_scope *scope, const struct actor *actor,
		 const char *code, const struct areas_change *change, struct areas_row *out, struct areas_error *err);
int areas_move(struct store_conn *c, const struct store_scope *scope, const struct actor *actor, const char *code,
	       const char *parent_code, struct areas_row *out, struct areas_error *err);
/* Called inside a move's transaction once the paths have changed, for a
 * module that keeps data by ancestor (the case figures): the area and its
 * path before and after. A store_rc; a failure rolls the move back. Set
 * once, before the server's threads start. */
typedef int (*areas_moved_fn)(struct store_conn *c, int64_t area_id, const char *old_path, const char *new_path);
void areas_set_moved_hook(areas_moved_fn fn);
/* Refuses (area_not_empty) an area with children or anything that refers
 * to it (users, units, audit entries, later modules' data). */
int areas_delete(struct store_conn *c, const struct store_scope *scope, const struct actor *actor,
		 const char *code, struct areas_error *err);

#endif

/* Areas in the database: reads within a scope, and the writes shared by
 * the HTTP handlers and the CLI, each with its audit entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "modules/areas/areas.h"

/* Levels strictly increase down the tree, so a path holds at most
 * AREA_LEVELS ids of at most 19 digits: 141 bytes, below STORE_PATH_MAX. */
#define AREAS_MAX_DEPTH AREA_LEVELS

#define AREAS_COLUMNS                                                                                      \
	"a.id, a.parent_id, a.level, a.code, a.name, a.path, p.code, p.path,"                              \
	" (SELECT COUNT(*) FROM areas k WHERE k.parent_id = a.id), CASE WHEN a.geojson IS NULL THEN 0 ELSE 1 END"
#define AREAS_FROM " FROM areas a LEFT JOIN areas p ON p.id = a.parent_id"

static const char sql_area_get[] = "SELECT " AREAS_COLUMNS AREAS_FROM " WHERE a.code = ? AND " STORE_IN_SCOPE("a");
static const char sql_area_children[] = "SELECT " AREAS_COLUMNS AREAS_FROM " WHERE a.parent_id = ? AND "
	STORE_IN_SCOPE("a") " AND a.id > ? ORDER BY a.id LIMIT ?";
static const char sql_area_roots[] = "SELECT " AREAS_COLUMNS AREAS_FROM " WHERE a.parent_id IS NULL AND "
	STORE_IN_SCOPE("a") " AND a.id > ? ORDER BY a.id LIMIT ?";
static const char sql_area_geojson[] = "SELECT a.geojson FROM areas a WHERE a.id = ? AND " STORE_IN_SCOPE("a");
static const char sql_area_ancestor[] =
	"SELECT a.code, a.name, a.level FROM areas a WHERE a.id = ? AND " STORE_IN_SCOPE("a");
/* Codes are unique over the whole tree, so this one look-up cannot be
 * scoped: a 409 tells the caller a code exists somewhere, nothing more. */
static const char sql_code_taken[] = "SELECT 1 FROM areas WHERE code = ?";
static const char sql_root_exists[] = "SELECT 1 FROM areas WHERE parent_id IS NULL";
static const char sql_area_insert[] =
	"INSERT INTO areas (code, name, level, parent_id, path, geojson, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_area_set_path[] = "UPDATE areas SET path = ? WHERE id = ?";
static const char sql_area_update[] =
	"UPDATE areas SET name = COALESCE(CAST(? AS TEXT), name),"
	" geojson = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS TEXT) ELSE geojson END, updated_at = ? WHERE id = ?";
/* One statement moves a whole subtree: every path under the old top keeps
 * its tail and takes the new top's path as head. The subtree range comes
 * first, the caller's scope second (the subtree lies inside it: belt and
 * braces). No transient duplicate can trip the UNIQUE index: a path ends
 * with its own area's id, so two rows never share one, before or after. */
static const char sql_area_move_paths[] =
	"UPDATE areas SET path = CAST(? AS TEXT) || substr(path, CAST(? AS INTEGER)) WHERE " STORE_IN_SCOPE("areas")
	" AND " STORE_IN_SCOPE("areas");
static const char sql_area_set_parent[] = "UPDATE areas SET parent_id = ?, updated_at = ? WHERE id = ?";
static const char sql_area_delete[] = "DELETE FROM areas WHERE id = ?";

static int areas_abort(struct areas_error *err, enum http_error code, const char *field, const char *message)
{
	areas_error_set(err, code, field, message ? "%s" : NULL, message);
	return STORE_ABORT;
}

/* The one answer for a missing area and for one outside the scope: the
 * same status and body, so a caller cannot probe for what is not theirs. */
static int areas_not_found(struct areas_error *err)
{
	return areas_abort(err, HTTP_ERR_not_found, NULL, NULL);
}

static int areas_no_parent(struct areas_error *err)
{
	return areas_abort(err, HTTP_ERR_invalid_value, "parent_code", "No such parent area in your scope");
}

void areas_scope_all(struct store_scope *out)
{
	/* "/" heads every path: the range ["/", "0") holds them all. */
	out->area_id = 0;
	snprintf(out->path, sizeof out->path, "/");
}

static void areas_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* Reads a row selected with AREAS_COLUMNS. */
static void areas_row_read(struct store_stmt *st, struct areas_row *out)
{
	struct area_ref *a = &out->area;
	a->id = store_col_int(st, 0);
	a->parent_id = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
	a->level = (int)store_col_int(st, 2);
	areas_copy(a->code, sizeof a->code, store_col_text(st, 3));
	areas_copy(a->name, sizeof a->name, store_col_text(st, 4));
	areas_copy(a->path, sizeof a->path, store_col_text(st, 5));
	areas_copy(out->parent_code, sizeof out->parent_code, store_col_text(st, 6));
	areas_copy(out->parent_path, sizeof out->parent_path, store_col_text(st, 7));
	out->child_count = store_col_int(st, 8);
	out->has_geometry = store_col_int(st, 9) != 0;
}

json_t *areas_row_json(const struct areas_row *row, const struct store_scope *scope)
{
	bool parent_shown = row->parent_code[0] && store_path_in_scope(scope, row->parent_path);
	return json_pack("{s:s, s:s, s:s, s:o, s:I, s:b}", "code", row->area.code, "name", row->area.name, "level",
			 area_level_name(row->area.level), "parent_code",
			 parent_shown ? json_string(row->parent_code) : json_null(), "child_count",
			 (json_int_t)row->child_count, "has_geometry", row->has_geometry);
}

int areas_get(struct store_conn *c, const struct store_scope *scope, const char *code, struct areas_row *out)
{
	struct store_stmt *st = store_prepare(c, sql_area_get);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, code);
	store_bind_scope(st, 2, scope);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		areas_row_read(st, out);
		rc = STORE_OK;
	}
	store_reset(st);
	return rc;
}

int areas_get_geojson(struct store_conn *c, const struct store_scope *scope, const struct areas_row *row,
		      json_t **out)
{
	*out = NULL;
	struct store_stmt *st = store_prepare(c, sql_area_geojson);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, row->area.id);
	store_bind_scope(st, 2, scope);
	int rc = store_step(st);
	/* Only this module writes the column, always a dump of valid JSON. */
	if (rc == STORE_ROW && !store_col_null(st, 0))
		*out = json_loads(store_col_text(st, 0), 0, NULL);
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

int areas_ancestors(struct store_conn *c, const struct store_scope *scope, const struct areas_row *row,
		    json_t *array)
{
	int64_t ids[AREAS_MAX_DEPTH + 1];
	int n = areas_path_ids(row->area.path, ids, AREAS_MAX_DEPTH + 1);
	if (n < 1)
		return STORE_ERROR;
	/* At most six look-ups by primary key; those above the scope root
	 * fall outside the range and are skipped. */
	for (int i = 0; i < n - 1; i++) {
		struct store_stmt *st = store_prepare(c, sql_area_ancestor);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, ids[i]);
		store_bind_scope(st, 2, scope);
		int rc = store_step(st);
		if (rc == STORE_ROW)
			json_array_append_new(array, json_pack("{s:s, s:s, s:s}", "code", store_col_text(st, 0), "name",
							       store_col_text(st, 1), "level",
							       area_level_name((int)store_col_int(st, 2))));
		store_reset(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

int areas_children(struct store_conn *c, const struct store_scope *scope, int64_t parent_id, int64_t after,
		   int64_t limit, json_t *items, int64_t *last_id)
{
	struct store_stmt *st = store_prepare(c, parent_id ? sql_area_children : sql_area_roots);
	if (!st)
		return STORE_ERROR;
	int idx = 1;
	if (parent_id)
		store_bind_int(st, idx++, parent_id);
	store_bind_scope(st, idx, scope);
	store_bind_int(st, idx + 2, after);
	store_bind_int(st, idx + 3, limit);
	/* A retried transaction runs this again: start from nothing. */
	json_array_clear(items);
	*last_id = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct areas_row row;
		areas_row_read(st, &row);
		json_array_append_new(items, areas_row_json(&row, scope));
		*last_id = row.area.id;
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Runs a statement that answers yes (a row) or no. */
static int areas_exists(struct store_conn *c, const char *sql, const char *text, bool *yes)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return STORE_ERROR;
	if (text)
		store_bind_text(st, 1, text);
	int rc = store_step(st);
	store_reset(st);
	*yes = rc == STORE_ROW;
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

/* Appends the audit entry of a change to the area of that code, filed
 * under the actor's scope root (areas.h says why). Takes ownership of
 * summary. */
static int areas_audit(struct store_conn *c, const struct actor *actor, const char *action, const char *code,
		       json_t *summary)
{
	int rc = audit_append(c, actor, action, "area", code, 0, summary);
	json_decref(summary);
	return rc;
}

/* The area as it is now, for out (which may be NULL). */
static int areas_reload(struct store_conn *c, const struct store_scope *scope, const char *code,
			struct areas_row *out)
{
	if (!out)
		return STORE_OK;
	int rc = areas_get(c, scope, code, out);
	/* It was just written inside this scope: not finding it is our bug. */
	return rc == STORE_DONE ? STORE_ERROR : rc;
}

/* Inserts the row and gives it its path, which holds its own id: the row
 * goes in under a provisional path first. "tmp:" + code is unique while
 * the code is, and cannot meet a real path (digits and slashes only). */
static int areas_insert(struct store_conn *c, const struct areas_new *in, int level, const struct area_ref *parent,
			struct areas_error *err)
{
	char temp[AREA_CODE_MAX + 8], path[STORE_PATH_MAX];
	snprintf(temp, sizeof temp, "tmp:%s", in->code);
	char *geojson = in->geojson ? json_dumps(in->geojson, JSON_COMPACT) : NULL;
	int64_t now = time_now();
	struct store_stmt *st = store_prepare(c, sql_area_insert);
	if (!st) {
		free(geojson);
		return STORE_ERROR;
	}
	store_bind_text(st, 1, in->code);
	store_bind_text(st, 2, in->name);
	store_bind_int(st, 3, level);
	if (parent)
		store_bind_int(st, 4, parent->id);
	else
		store_bind_null(st, 4);
	store_bind_text(st, 5, temp);
	store_bind_text(st, 6, geojson);
	store_bind_int(st, 7, now);
	store_bind_int(st, 8, now);
	int rc = store_step(st);
	int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	free(geojson);
	/* Taken since we looked (a concurrent writer). After a failed
	 * statement PostgreSQL has given up the transaction: return at once. */
	if (rc == STORE_CONSTRAINT)
		return areas_abort(err, HTTP_ERR_conflict, "code", "An area of this code exists");
	if (rc != STORE_ROW)
		return rc;
	if (!areas_child_path(parent ? parent->path : "/", id, path, sizeof path))
		return STORE_ERROR;
	st = store_prepare(c, sql_area_set_path);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, path);
	store_bind_int(st, 2, id);
	rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int areas_create(struct store_conn *c, const struct store_scope *scope, const struct actor *actor,
		 const struct areas_new *in, struct areas_row *out, struct areas_error *err)
{
	if (!areas_check_new(in, err))
		return STORE_ABORT;
	int level = area_level_parse(in->level);
	bool is_root = !in->parent_code || !*in->parent_code;
	struct area_ref parent = {0};
	bool yes;
	int rc;
	if (is_root) {
		/* Only the whole tree's scope (the CLI) may plant the root. */
		if (scope->area_id != 0)
			return areas_no_parent(err);
		if ((rc = areas_exists(c, sql_root_exists, NULL, &yes)) != STORE_OK)
			return rc;
		if (yes)
			return areas_abort(err, HTTP_ERR_invalid_value, "parent_code",
					   "The root exists: a new area needs a parent");
		if (level != AREA_ROOT)
			return areas_abort(err, HTTP_ERR_invalid_value, "level", "The first area is the root: level root");
	} else {
		rc = area_find(c, scope, in->parent_code, &parent);
		if (rc == STORE_DONE)
			return areas_no_parent(err);
		if (rc != STORE_OK)
			return rc;
		if (!areas_level_fits(parent.level, level)) {
			areas_error_set(err, HTTP_ERR_invalid_value, "level", "A %s cannot lie within a %s",
					area_level_name(level), area_level_name(parent.level));
			return STORE_ABORT;
		}
	}
	if ((rc = areas_exists(c, sql_code_taken, in->code, &yes)) != STORE_OK)
		return rc;
	if (yes)
		return areas_abort(err, HTTP_ERR_conflict, "code", "An area of this code exists");
	if ((rc = areas_insert(c, in, level, is_root ? NULL : &parent, err)) != STORE_OK)
		return rc;
	json_t *summary = json_pack("{s:s, s:s, s:s?, s:b}", "name", in->name, "level", area_level_name(level), "parent",
				    is_root ? NULL : parent.code, "geojson", in->geojson != NULL);
	rc = areas_audit(c, actor, "area.create", in->code, summary);
	return rc == STORE_OK ? areas_reload(c, scope, in->code, out) : rc;
}

int areas_update(struct store_conn *c, const struct store_scope *scope, const struct actor *actor,
		 const char *code, const struct areas_change *change, struct areas_row *out, struct areas_error *err)
{
	if (change->name && !areas_valid_name(change->name)) {
		areas_error_set(err, HTTP_ERR_invalid_value, "name",
				"A name is 1 to %d characters of UTF-8 text without control characters", AREA_NAME_MAX);
		return STORE_ABORT;
	}
	const char *problem = change->geojson ? areas_geojson_problem(change->geojson) : NULL;
	if (problem)
		return areas_abort(err, HTTP_ERR_invalid_value, "geojson", problem);
	struct areas_row row;
	int rc = areas_get(c, scope, code, &row);
	if (rc == STORE_DONE)
		return areas_not_found(err);
	if (rc != STORE_OK)
		return rc;
	if (row.area.id == scope->area_id)
		return areas_abort(err, HTTP_ERR_forbidden, NULL, "Your own scope's area is managed from above it");
	bool rename = change->name && strcmp(change->name, row.area.name) != 0;
	bool outline = change->geojson || change->clear_geojson;
	if (!rename && !outline) {
		/* Nothing changes: nothing to write or record. */
		if (out)
			*out = row;
		return STORE_OK;
	}
	char *geojson = change->geojson ? json_dumps(change->geojson, JSON_COMPACT) : NULL;
	struct store_stmt *st = store_prepare(c, sql_area_update);
	if (!st) {
		free(geojson);
		return STORE_ERROR;
	}
	store_bind_text(st, 1, rename ? change->name : NULL);
	store_bind_int(st, 2, outline);
	store_bind_text(st, 3, geojson);
	store_bind_int(st, 4, time_now());
	store_bind_int(st, 5, row.area.id);
	rc = store_step(st);
	store_reset(st);
	free(geojson);
	if (rc != STORE_DONE)
		return rc;
	json_t *summary = json_object();
	if (rename) {
		json_object_set_new(summary, "name", json_string(change->name));
		json_object_set_new(summary, "previous_name", json_string(row.area.name));
	}
	if (outline)
		json_object_set_new(summary, "geojson", json_string(change->geojson ? "set" : "cleared"));
	rc = areas_audit(c, actor, "area.update", code, summary);
	return rc == STORE_OK ? areas_reload(c, scope, code, out) : rc;
}

static areas_moved_fn moved_hook;

void areas_set_moved_hook(areas_moved_fn fn)
{
	moved_hook = fn;
}

int areas_move(struct store_conn *c, const struct store_scope *scope, const struct actor *actor, const char *code,
	       const char *parent_code, struct areas_row *out, struct areas_error *err)
{
	struct areas_row row;
	int rc = areas_get(c, scope, code, &row);
	if (rc == STORE_DONE)
		return areas_not_found(err);
	if (rc != STORE_OK)
		return rc;
	if (row.area.id == scope->area_id || !row.area.parent_id)
		return areas_abort(err, HTTP_ERR_forbidden, NULL, "Your own scope's area cannot be moved");
	struct area_ref parent;
	rc = areas_valid_code(parent_code) ? area_find(c, scope, parent_code, &parent) : STORE_DONE;
	if (rc == STORE_DONE)
		return areas_no_parent(err);
	if (rc != STORE_OK)
		return rc;
	if (areas_path_within(parent.path, row.area.path))
		return areas_abort(err, HTTP_ERR_invalid_value, "parent_code",
				   "An area cannot move into itself or its own sub-areas");
	if (!areas_level_fits(parent.level, row.area.level)) {
		areas_error_set(err, HTTP_ERR_invalid_value, "parent_code", "A %s cannot lie within a %s",
				area_level_name(row.area.level), area_level_name(parent.level));
		return STORE_ABORT;
	}
	if (parent.id == row.area.parent_id) {
		if (out)
			*out = row;
		return STORE_OK;
	}
	char top[STORE_PATH_MAX];
	if (!areas_child_path(parent.path, row.area.id, top, sizeof top))
		return STORE_ERROR;
	struct store_scope subtree = {.area_id = row.area.id};
	areas_copy(subtree.path, sizeof subtree.path, row.area.path);
	struct store_stmt *st = store_prepare(c, sql_area_move_paths);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, top);
	store_bind_int(st, 2, (int64_t)strlen(row.area.path) + 1);
	store_bind_scope(st, 3, &subtree);
	store_bind_scope(st, 5, scope);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	st = store_prepare(c, sql_area_set_parent);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, parent.id);
	store_bind_int(st, 2, time_now());
	store_bind_int(st, 3, row.area.id);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	if (moved_hook && (rc = moved_hook(c, row.area.id, row.area.path, top)) != STORE_OK)
		return rc;
	json_t *summary = json_pack("{s:s?, s:s}", "from", row.parent_code[0] ? row.parent_code : NULL, "to",
				    parent.code);
	rc = areas_audit(c, actor, "area.move", code, summary);
	return rc == STORE_OK ? areas_reload(c, scope, code, out) : rc;
}

int areas_delete(struct store_conn *c, const struct store_scope *scope, const struct actor *actor,
		 const char *code, struct areas_error *err)
{
	struct areas_row row;
	int rc = areas_get(c, scope, code, &row);
	if (rc == STORE_DONE)
		return areas_not_found(err);
	if (rc != STORE_OK)
		return rc;
	if (row.area.id == scope->area_id || !row.area.parent_id)
		return areas_abort(err, HTTP_ERR_forbidden, NULL, "Your own scope's area cannot be deleted");
	if (row.child_count > 0)
		return areas_abort(err, HTTP_ERR_area_not_empty, NULL, "The area still holds sub-areas");
	/* Should the delete fail, the entry rolls back with it. */
	json_t *summary = json_pack("{s:s, s:s, s:s?}", "name", row.area.name, "level", area_level_name(row.area.level),
				    "parent", row.parent_code[0] ? row.parent_code : NULL);
	if ((rc = areas_audit(c, actor, "area.delete", code, summary)) != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(c, sql_area_delete);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, row.area.id);
	rc = store_step(st);
	store_reset(st);
	/* Everything else that names the area (users, units, audit entries,
	 * other modules' data) holds a foreign key: the database knows the
	 * full list better than this file would. PostgreSQL has given up the
	 * transaction after the failed statement: return at once. */
	if (rc == STORE_CONSTRAINT)
		return areas_abort(err, HTTP_ERR_area_not_empty, NULL, "Users, units or records still refer to the area");
	return rc == STORE_DONE ? STORE_OK : rc;
}

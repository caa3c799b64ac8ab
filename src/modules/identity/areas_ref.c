/* Area look-ups, the actor and the audit log: what every module uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idcheck.h"
#include "core/timeutil.h"
#include "modules/identity/identity_internal.h"

static const char *const level_names[AREA_LEVELS] = {"root", "city", "county", "town", "community", "grid", "building"};
static const char *const level_names_zh[AREA_LEVELS] = {"全域", "市", "县", "镇", "村", "网格", "楼栋"};

const char *area_level_name(int level)
{
	return level >= 0 && level < AREA_LEVELS ? level_names[level] : "unknown";
}

int area_level_parse(const char *name)
{
	static const struct {
		const char *alias;
		int level;
	} aliases[] = {{"区", AREA_COUNTY}, {"县/区", AREA_COUNTY}, {"街道", AREA_TOWN}, {"乡", AREA_TOWN},
		       {"社区", AREA_COMMUNITY}, {"片区", AREA_GRID}, {"楼", AREA_BUILDING}};
	for (int i = 0; name && i < AREA_LEVELS; i++)
		if (strcmp(name, level_names[i]) == 0 || strcmp(name, level_names_zh[i]) == 0)
			return i;
	for (size_t i = 0; name && i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(name, aliases[i].alias) == 0)
			return aliases[i].level;
	return -1;
}

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

void area_ref_read(struct store_stmt *st, int col, struct area_ref *out)
{
	out->id = store_col_int(st, col);
	out->parent_id = store_col_null(st, col + 1) ? 0 : store_col_int(st, col + 1);
	out->level = (int)store_col_int(st, col + 2);
	copy_text(out->code, sizeof out->code, store_col_text(st, col + 3));
	copy_text(out->name, sizeof out->name, store_col_text(st, col + 4));
	copy_text(out->path, sizeof out->path, store_col_text(st, col + 5));
}

static const char sql_area_find[] =
	"SELECT " AREA_REF_COLUMNS("a") " FROM areas a WHERE a.code = ? AND " STORE_IN_SCOPE("a");

int area_find(struct store_conn *c, const struct store_scope *scope, const char *code, struct area_ref *out)
{
	struct store_stmt *st = store_prepare(c, sql_area_find);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, code);
	store_bind_scope(st, 2, scope);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		area_ref_read(st, 0, out);
		rc = STORE_OK;
	}
	store_reset(st);
	return rc;
}

json_t *area_ref_json(const struct area_ref *a)
{
	return json_pack("{s:s, s:s, s:s}", "code", a->code, "name", a->name, "level", area_level_name(a->level));
}

static const char sql_root_area[] = "SELECT id FROM areas WHERE parent_id IS NULL ORDER BY id LIMIT 1";

int identity_root_area(struct store_conn *c, int64_t *id)
{
	struct store_stmt *st = store_prepare(c, sql_root_area);
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	*id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

void identity_actor(const struct http_req *req, struct actor *out)
{
	const struct caller *c = identity_caller(req);
	out->user_id = c ? c->user_id : 0;
	out->login = c ? c->login : "-";
	out->role = c ? role_name(c->role) : "anonymous";
	out->address = http_client_addr(req);
	out->request_id = http_request_id(req);
	out->area_id = c ? c->scope.area_id : 0;
}

static const char sql_audit_insert[] =
	"INSERT INTO audit_log (at, user_id, login, role, address, request_id, action, object_type, object_id,"
	" area_id, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

int audit_append(struct store_conn *c, const struct actor *a, const char *action, const char *object_type,
		 const char *object_id, int64_t area_id, json_t *summary)
{
	if (!area_id)
		area_id = a->area_id;
	if (!area_id) {
		int rc = identity_root_area(c, &area_id);
		if (rc != STORE_OK)
			return rc;
	}
	char *text = summary ? json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct store_stmt *st = store_prepare(c, sql_audit_insert);
	if (!st) {
		free(text);
		return STORE_ERROR;
	}
	store_bind_int(st, 1, time_now_ms());
	if (a->user_id)
		store_bind_int(st, 2, a->user_id);
	else
		store_bind_null(st, 2);
	store_bind_text(st, 3, a->login);
	store_bind_text(st, 4, a->role);
	store_bind_text(st, 5, a->address);
	store_bind_text(st, 6, a->request_id);
	store_bind_text(st, 7, action);
	store_bind_text(st, 8, object_type);
	store_bind_text(st, 9, object_id);
	store_bind_int(st, 10, area_id);
	store_bind_text(st, 11, text ? text : "{}");
	int rc = store_step(st);
	store_reset(st);
	free(text);
	return rc == STORE_DONE ? STORE_OK : rc;
}

void mask_phone(const char *phone, char *out, size_t size)
{
	/* One masking rule for every phone in wangge (core/idcheck.c). */
	idcheck_mask_phone(phone ? phone : "", out, size);
}

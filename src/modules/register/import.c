/* Importing registers from spreadsheets. Three passes: load what rows refer
 * to (the areas in scope, the tags) in one read; check every row in memory
 * (pure, so a dry run writes nothing and reports every problem); then, for a
 * commit without errors, write every row in ONE transaction: all or nothing.
 * Rows with the same grid and address form one household; a person already
 * in scope is updated, so importing a file twice creates nothing new. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/strmap.h"
#include "core/table.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "modules/common/reply.h"
#include "modules/register/register_internal.h"

#define IMPORT_MAX_ROWS 200000
#define IMPORT_MAX_ERRORS 1000

static const char *const field_names[IMPORT_FIELDS] = {
	"ignore", "name", "sex", "birth_date", "id_type", "id_number", "phone",
	"address", "grid", "relation", "tags", "status", "notes",
};

static const struct {
	const char *header;
	enum import_field field;
} header_aliases[] = {
	{"姓名", IMPORT_NAME}, {"名字", IMPORT_NAME}, {"name", IMPORT_NAME},
	{"性别", IMPORT_SEX}, {"sex", IMPORT_SEX}, {"gender", IMPORT_SEX},
	{"出生日期", IMPORT_BIRTH_DATE}, {"出生年月", IMPORT_BIRTH_DATE}, {"birth_date", IMPORT_BIRTH_DATE},
	{"证件类型", IMPORT_ID_TYPE}, {"id_type", IMPORT_ID_TYPE},
	{"身份证号", IMPORT_ID_NUMBER}, {"身份证号码", IMPORT_ID_NUMBER}, {"公民身份号码", IMPORT_ID_NUMBER},
	{"证件号码", IMPORT_ID_NUMBER}, {"证件号", IMPORT_ID_NUMBER}, {"id_number", IMPORT_ID_NUMBER},
	{"联系电话", IMPORT_PHONE}, {"手机号", IMPORT_PHONE}, {"手机号码", IMPORT_PHONE}, {"电话", IMPORT_PHONE},
	{"phone", IMPORT_PHONE},
	{"住址", IMPORT_ADDRESS}, {"地址", IMPORT_ADDRESS}, {"家庭住址", IMPORT_ADDRESS}, {"现住址", IMPORT_ADDRESS},
	{"address", IMPORT_ADDRESS},
	{"网格", IMPORT_GRID}, {"所属网格", IMPORT_GRID}, {"网格编码", IMPORT_GRID}, {"grid", IMPORT_GRID},
	{"area", IMPORT_GRID},
	{"与户主关系", IMPORT_RELATION}, {"户主关系", IMPORT_RELATION}, {"关系", IMPORT_RELATION},
	{"relation", IMPORT_RELATION},
	{"标签", IMPORT_TAGS}, {"人员标签", IMPORT_TAGS}, {"tags", IMPORT_TAGS},
	{"状态", IMPORT_STATUS}, {"人员状态", IMPORT_STATUS}, {"status", IMPORT_STATUS},
	{"备注", IMPORT_NOTES}, {"notes", IMPORT_NOTES},
};

const char *import_field_name(enum import_field f)
{
	return f < IMPORT_FIELDS ? field_names[f] : "ignore";
}

/* Compares a header ignoring surrounding spaces (ASCII and U+3000) and
 * ASCII case: headers are typed by hand. */
static void header_key(const char *in, char *out, size_t size)
{
	while (*in == ' ' || *in == '\t' || strncmp(in, "\xE3\x80\x80", 3) == 0)
		in += *in == ' ' || *in == '\t' ? 1 : 3;
	size_t n = 0;
	for (; *in && n + 1 < size; in++)
		out[n++] = (char)tolower((unsigned char)*in);
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	if (n >= 3 && strncmp(out + n - 3, "\xE3\x80\x80", 3) == 0)
		n -= 3;
	out[n] = '\0';
}

enum import_field import_field_of(const char *header)
{
	char key[128];
	header_key(header, key, sizeof key);
	for (size_t i = 0; i < sizeof header_aliases / sizeof header_aliases[0]; i++)
		if (strcmp(key, header_aliases[i].header) == 0)
			return header_aliases[i].field;
	for (int f = 1; f < IMPORT_FIELDS; f++)
		if (strcmp(key, field_names[f]) == 0)
			return (enum import_field)f;
	return IMPORT_IGNORE;
}

static const char *lookup(const char *cell, const char *const (*table)[2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(cell, table[i][0]) == 0)
			return table[i][1];
	return NULL;
}

const char *import_sex(const char *cell)
{
	static const char *const t[][2] = {{"男", "M"}, {"女", "F"}, {"M", "M"}, {"F", "F"}, {"male", "M"}, {"female", "F"}};
	return lookup(cell, t, sizeof t / sizeof t[0]);
}

const char *import_relation(const char *cell)
{
	static const char *const t[][2] = {
		{"户主", "head"}, {"本人", "head"}, {"配偶", "spouse"}, {"妻", "spouse"}, {"妻子", "spouse"},
		{"夫", "spouse"}, {"丈夫", "spouse"}, {"子", "child"}, {"女", "child"}, {"儿子", "child"},
		{"女儿", "child"}, {"子女", "child"}, {"长子", "child"}, {"长女", "child"}, {"次子", "child"},
		{"次女", "child"}, {"父亲", "parent"}, {"母亲", "parent"}, {"父母", "parent"}, {"孙子", "grandchild"},
		{"孙女", "grandchild"}, {"外孙", "grandchild"}, {"外孙女", "grandchild"}, {"孙辈", "grandchild"},
		{"兄弟", "sibling"}, {"姐妹", "sibling"}, {"兄", "sibling"}, {"弟", "sibling"}, {"姐", "sibling"},
		{"妹", "sibling"}, {"兄弟姐妹", "sibling"}, {"其他", "other"}, {"head", "head"}, {"spouse", "spouse"}, {"child", "child"},
		{"parent", "parent"}, {"grandchild", "grandchild"}, {"sibling", "sibling"}, {"other", "other"},
	};
	return lookup(cell, t, sizeof t / sizeof t[0]);
}

const char *import_id_type(const char *cell)
{
	static const char *const t[][2] = {
		{"居民身份证", "resident_id"}, {"身份证", "resident_id"}, {"护照", "passport"},
		{"港澳通行证", "hk_macao_permit"}, {"港澳居民来往内地通行证", "hk_macao_permit"},
		{"台湾通行证", "taiwan_permit"}, {"台胞证", "taiwan_permit"}, {"台湾居民来往大陆通行证", "taiwan_permit"},
		{"外国人永久居留证", "foreign_permanent"}, {"外国人永久居留身份证", "foreign_permanent"},
		{"resident_id", "resident_id"}, {"passport", "passport"}, {"hk_macao_permit", "hk_macao_permit"},
		{"taiwan_permit", "taiwan_permit"}, {"foreign_permanent", "foreign_permanent"},
	};
	return lookup(cell, t, sizeof t / sizeof t[0]);
}

const char *import_status(const char *cell)
{
	static const char *const t[][2] = {{"在住", "living"}, {"正常", "living"}, {"迁出", "moved_out"},
					   {"外出", "moved_out"}, {"死亡", "deceased"}, {"已故", "deceased"},
					   {"living", "living"}, {"moved_out", "moved_out"}, {"deceased", "deceased"}};
	return lookup(cell, t, sizeof t / sizeof t[0]);
}

/* ---- the import ---- */

struct import_row {
	size_t line;
	struct person_clean clean;
	const char *address; /* borrowed from the table */
	int64_t area_id;
	json_t *tags;        /* codes, or NULL */
	const char *notes;
};

struct import {
	struct store *store;
	const struct vault *vault;
	const struct caller *caller;
	const struct actor *actor;
	const struct table *t;
	const struct import_options *opt;
	enum import_field *columns;
	struct strmap area_by_code, area_by_name, tag_by_name;
	int64_t default_area;
	struct import_row *rows;
	size_t nrows, valid;
	json_t *errors;
	size_t error_count;
	/* commit */
	size_t created, updated, households_created;
	bool default_missing;
};

static void row_error(struct import *im, size_t line, int col, const char *reason)
{
	im->error_count++;
	if (json_array_size(im->errors) >= IMPORT_MAX_ERRORS)
		return;
	json_array_append_new(im->errors, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)line, "column",
						    col >= 0 ? im->t->cells[0][col] : "", "reason", reason));
}

static const char sql_areas_in_scope[] = "SELECT a.id, a.code, a.name FROM areas a WHERE " STORE_IN_SCOPE("a");
static const char sql_tag_names[] = "SELECT code, name_zh, name_en FROM tags WHERE applies_to = 'person'";

static int import_load_tx(struct store_conn *c, void *arg)
{
	struct import *im = arg;
	strmap_free(&im->area_by_code);
	strmap_free(&im->area_by_name);
	strmap_free(&im->tag_by_name);
	struct store_stmt *st = store_prepare(c, sql_areas_in_scope);
	if (!st)
		return STORE_ERROR;
	store_bind_scope(st, 1, &im->caller->scope);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		strmap_put(&im->area_by_code, store_col_text(st, 1), store_col_int(st, 0));
		/* A name shared by two areas is ambiguous: -1 marks it. */
		int64_t seen;
		const char *name = store_col_text(st, 2);
		strmap_put(&im->area_by_name, name, strmap_get(&im->area_by_name, name, &seen) ? -1 : store_col_int(st, 0));
	}
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	st = store_prepare(c, sql_tag_names);
	if (!st)
		return STORE_ERROR;
	int64_t index = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		/* Values are indexes into nothing: the code is the key of its own
		 * entry, so both names map to the code through the code entry. */
		strmap_put(&im->tag_by_name, store_col_text(st, 0), index);
		strmap_put(&im->tag_by_name, store_col_text(st, 1), index);
		strmap_put(&im->tag_by_name, store_col_text(st, 2), index);
		index++;
	}
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* The tag codes, in load order, to turn a name back into its code. */
static const char sql_tag_codes[] = "SELECT code FROM tags WHERE applies_to = 'person'";

struct tag_codes {
	json_t *codes;
};

static int tag_codes_tx(struct store_conn *c, void *arg)
{
	struct tag_codes *t = arg;
	struct store_stmt *st = store_prepare(c, sql_tag_codes);
	if (!st)
		return STORE_ERROR;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(t->codes, json_string(store_col_text(st, 0)));
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static bool is_blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

/* Splits a tags cell on 、，,;|/ and spaces into known tag codes. */
static bool parse_tags(struct import *im, json_t *codes, const char *cell, json_t **out, const char **bad)
{
	*out = json_array();
	char *copy = xstrdup(cell);
	char *p = copy;
	bool ok = true;
	while (*p && ok) {
		size_t skip = 0;
		if (strncmp(p, "、", 3) == 0 || strncmp(p, "，", 3) == 0 || strncmp(p, "；", 3) == 0)
			skip = 3;
		else if (strchr(",;|/ \t", *p))
			skip = 1;
		if (skip) {
			p += skip;
			continue;
		}
		char *end = p;
		while (*end && !strchr(",;|/ \t", *end) && strncmp(end, "、", 3) && strncmp(end, "，", 3) &&
		       strncmp(end, "；", 3))
			end++;
		char saved = *end;
		*end = '\0';
		int64_t index;
		if (strmap_get(&im->tag_by_name, p, &index)) {
			const char *code = json_string_value(json_array_get(codes, (size_t)index));
			bool dup = false;
			size_t i;
			json_t *v;
			json_array_foreach(*out, i, v) dup |= strcmp(json_string_value(v), code) == 0;
			if (!dup)
				json_array_append_new(*out, json_string(code));
		} else {
			*bad = "Unknown tag";
			ok = false;
		}
		*end = saved;
		p = end;
	}
	free(copy);
	return ok;
}

static void check_row(struct import *im, size_t r, json_t *tag_codes, struct strmap *ids)
{
	const struct table *t = im->t;
	struct person_input in = {0};
	const char *cells[IMPORT_FIELDS] = {0};
	int cols[IMPORT_FIELDS];
	for (int f = 0; f < IMPORT_FIELDS; f++)
		cols[f] = -1;
	for (size_t c = 0; c < t->cols; c++) {
		enum import_field f = im->columns[c];
		if (f != IMPORT_IGNORE && !is_blank(t->cells[r][c])) {
			cells[f] = t->cells[r][c];
			cols[f] = (int)c;
		}
	}
	struct import_row *row = &im->rows[im->nrows];
	memset(row, 0, sizeof *row);
	row->line = t->lines[r];
	size_t errors_before = im->error_count;
	in.name = cells[IMPORT_NAME];
	if (!in.name) {
		row_error(im, row->line, cols[IMPORT_NAME], "The name is missing");
		return;
	}
	in.sex = cells[IMPORT_SEX] ? import_sex(cells[IMPORT_SEX]) : NULL;
	if (cells[IMPORT_SEX] && !in.sex)
		row_error(im, row->line, cols[IMPORT_SEX], "Sex is 男 or 女");
	in.relation = cells[IMPORT_RELATION] ? import_relation(cells[IMPORT_RELATION]) : NULL;
	if (cells[IMPORT_RELATION] && !in.relation)
		row_error(im, row->line, cols[IMPORT_RELATION], "Unknown relation to the head of household");
	in.status = cells[IMPORT_STATUS] ? import_status(cells[IMPORT_STATUS]) : NULL;
	if (cells[IMPORT_STATUS] && !in.status)
		row_error(im, row->line, cols[IMPORT_STATUS], "Status is 在住, 迁出 or 死亡");
	in.birth_date = cells[IMPORT_BIRTH_DATE];
	in.id_type = cells[IMPORT_ID_TYPE] ? import_id_type(cells[IMPORT_ID_TYPE]) : NULL;
	if (cells[IMPORT_ID_TYPE] && !in.id_type)
		row_error(im, row->line, cols[IMPORT_ID_TYPE], "Unknown ID document type");
	in.id_number = cells[IMPORT_ID_NUMBER];
	in.phone = cells[IMPORT_PHONE];
	const char *field = NULL, *why = NULL;
	if (person_check(&in, im->opt->today, &row->clean, &field, &why) != PERSON_OK) {
		static const struct {
			const char *name;
			enum import_field f;
		} fields[] = {{"name", IMPORT_NAME}, {"sex", IMPORT_SEX}, {"birth_date", IMPORT_BIRTH_DATE},
			      {"id_type", IMPORT_ID_TYPE}, {"id_number", IMPORT_ID_NUMBER}, {"phone", IMPORT_PHONE},
			      {"relation", IMPORT_RELATION}, {"status", IMPORT_STATUS}};
		int col = -1;
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
			if (strcmp(fields[i].name, field) == 0)
				col = cols[fields[i].f];
		row_error(im, row->line, col, why);
	}
	if (row->clean.id_number[0]) {
		int64_t first;
		if (strmap_get(ids, row->clean.id_number, &first)) {
			char why_dup[80];
			snprintf(why_dup, sizeof why_dup, "The same ID number as row %lld", (long long)first);
			row_error(im, row->line, cols[IMPORT_ID_NUMBER], why_dup);
		} else {
			strmap_put(ids, row->clean.id_number, (int64_t)row->line);
		}
	}
	row->area_id = im->default_area;
	if (cells[IMPORT_GRID]) {
		int64_t id;
		if (!strmap_get(&im->area_by_code, cells[IMPORT_GRID], &id) &&
		    !strmap_get(&im->area_by_name, cells[IMPORT_GRID], &id))
			row_error(im, row->line, cols[IMPORT_GRID], "No such grid in your area");
		else if (id < 0)
			row_error(im, row->line, cols[IMPORT_GRID], "Two areas have this name: use the code");
		else
			row->area_id = id;
	} else if (!row->area_id) {
		row_error(im, row->line, -1, "No grid column and no default area");
	}
	row->address = cells[IMPORT_ADDRESS];
	if (row->address && strlen(row->address) > 600)
		row_error(im, row->line, cols[IMPORT_ADDRESS], "The address is too long");
	row->notes = cells[IMPORT_NOTES];
	if (cells[IMPORT_TAGS]) {
		const char *bad = NULL;
		if (!parse_tags(im, tag_codes, cells[IMPORT_TAGS], &row->tags, &bad))
			row_error(im, row->line, cols[IMPORT_TAGS], bad);
	}
	if (im->error_count == errors_before) {
		im->nrows++;
		im->valid++;
	} else {
		json_decref(row->tags);
		row->tags = NULL;
	}
}

static const char sql_household_find[] =
	"SELECT id FROM households WHERE area_id = ? AND address = ? ORDER BY id LIMIT 1";
static const char sql_household_new[] =
	"INSERT INTO households (area_id, address, notes, created_at, updated_at) VALUES (?, ?, '', ?, ?) RETURNING id";

static int household_of(struct store_conn *c, struct import *im, struct strmap *cache, const struct import_row *row,
			int64_t *id)
{
	*id = 0;
	if (!row->address)
		return STORE_OK;
	char key[700];
	snprintf(key, sizeof key, "%lld|%s", (long long)row->area_id, row->address);
	if (strmap_get(cache, key, id))
		return STORE_OK;
	struct store_stmt *st = store_prepare(c, sql_household_find);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, row->area_id);
	store_bind_text(st, 2, row->address);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_reset(st);
	if (rc == STORE_DONE) {
		int64_t now = time_now();
		st = store_prepare(c, sql_household_new);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, row->area_id);
		store_bind_text(st, 2, row->address);
		store_bind_int(st, 3, now);
		store_bind_int(st, 4, now);
		rc = store_step(st);
		*id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
		store_reset(st);
		im->households_created++;
	}
	if (rc != STORE_ROW)
		return rc;
	strmap_put(cache, key, *id);
	return STORE_OK;
}

static const char sql_area_code_of[] = "SELECT code FROM areas WHERE id = ?";
static const char sql_match_id[] =
	"SELECT 1 FROM persons p JOIN areas a ON a.id = p.area_id WHERE p.id_hash = ? AND " STORE_IN_SCOPE("a");

/* A dry run says what a commit would do, reading only: persons matched by
 * their ID number would be updated, households found by grid and address
 * reused. (Persons without an ID number count as new: their match by name,
 * phone and household needs the households a commit would make.) */
static int import_preview_tx(struct store_conn *c, void *arg)
{
	struct import *im = arg;
	struct strmap seen = {0};
	im->created = im->updated = im->households_created = 0;
	int rc = STORE_OK;
	for (size_t i = 0; i < im->nrows && rc == STORE_OK; i++) {
		const struct import_row *row = &im->rows[i];
		bool found = false;
		if (row->clean.id_number[0]) {
			char hash[VAULT_HASH_HEX];
			vault_hash(register_vault, 0, "id", row->clean.id_number, hash);
			struct store_stmt *st = store_prepare(c, sql_match_id);
			if (!st)
				return STORE_ERROR;
			store_bind_text(st, 1, hash);
			store_bind_scope(st, 2, &im->caller->scope);
			rc = store_step(st);
			found = rc == STORE_ROW;
			store_reset(st);
			rc = rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
		}
		if (found)
			im->updated++;
		else
			im->created++;
		if (row->address && rc == STORE_OK) {
			char key[700];
			int64_t id;
			snprintf(key, sizeof key, "%lld|%s", (long long)row->area_id, row->address);
			if (strmap_get(&seen, key, &id))
				continue;
			struct store_stmt *st = store_prepare(c, sql_household_find);
			if (!st)
				return STORE_ERROR;
			store_bind_int(st, 1, row->area_id);
			store_bind_text(st, 2, row->address);
			rc = store_step(st);
			if (rc == STORE_DONE)
				im->households_created++;
			store_reset(st);
			rc = rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
			strmap_put(&seen, key, 1);
		}
	}
	strmap_free(&seen);
	return rc;
}

static int import_write_tx(struct store_conn *c, void *arg)
{
	struct import *im = arg;
	struct strmap households = {0};
	im->created = im->updated = im->households_created = 0;
	int rc = STORE_OK;
	for (size_t i = 0; i < im->nrows && rc == STORE_OK; i++) {
		struct import_row *row = &im->rows[i];
		struct person_save s = {.caller = im->caller, .actor = im->actor, .clean = row->clean, .tags = row->tags,
					.notes = row->notes, .match_existing = true, .quiet = true};
		rc = household_of(c, im, &households, row, &s.household_id);
		if (rc != STORE_OK)
			break;
		/* Without a household the person belongs to the row's area. */
		char code[AREA_CODE_MAX + 1] = "";
		if (!s.household_id) {
			struct store_stmt *st = store_prepare(c, sql_area_code_of);
			if (!st) {
				rc = STORE_ERROR;
				break;
			}
			store_bind_int(st, 1, row->area_id);
			if (store_step(st) == STORE_ROW)
				snprintf(code, sizeof code, "%s", store_col_text(st, 0));
			store_reset(st);
			s.area_code = code;
		}
		rc = person_save_in(c, &s);
		if (rc == STORE_ABORT) {
			/* Checked already; a refusal here is a race with another
			 * writer (say, the same ID registered meanwhile). */
			row_error(im, row->line, -1, s.error_message ? s.error_message : "Refused");
			break;
		}
		if (s.created)
			im->created++;
		else
			im->updated++;
	}
	strmap_free(&households);
	if (rc != STORE_OK)
		return rc;
	json_t *summary = json_pack("{s:s, s:I, s:I, s:I}", "source", im->opt->source ? im->opt->source : "upload",
				    "created", (json_int_t)im->created, "updated", (json_int_t)im->updated,
				    "households_created", (json_int_t)im->households_created);
	rc = audit_append(c, im->actor, "import.commit", "import", "persons", 0, summary);
	json_decref(summary);
	return rc;
}

static void default_today(char out[9])
{
	char now[32];
	time_format(time_now() + 8 * 3600, now);
	snprintf(out, 9, "%.4s%.2s%.2s", now, now + 5, now + 8);
}

int register_import(struct store *s, const struct vault *v, const struct caller *caller, const struct actor *actor,
		    const struct table *t, const struct import_options *opt, json_t **report)
{
	/* One store and one vault per process: the CLI reaches the module
	 * through here without register_module. */
	register_store = s;
	register_vault = v;
	char today[9];
	struct import_options o = *opt;
	if (!o.today) {
		default_today(today);
		o.today = today;
	}
	struct import im = {.store = s, .vault = v, .caller = caller, .actor = actor, .t = t, .opt = &o,
			    .errors = json_array()};
	json_t *columns = json_object();
	im.columns = xcalloc(t->cols ? t->cols : 1, sizeof *im.columns);
	bool has_name = false;
	for (size_t c = 0; t->rows && c < t->cols; c++) {
		const char *header = t->cells[0][c];
		json_t *forced = o.mapping ? json_object_get(o.mapping, header) : NULL;
		enum import_field f = IMPORT_IGNORE;
		if (json_is_string(forced)) {
			for (int k = 0; k < IMPORT_FIELDS; k++)
				if (strcmp(json_string_value(forced), field_names[k]) == 0)
					f = (enum import_field)k;
		} else {
			f = import_field_of(header);
		}
		im.columns[c] = f;
		has_name |= f == IMPORT_NAME;
		if (*header)
			json_object_set_new(columns, header, json_string(field_names[f]));
	}
	struct tag_codes tags = {json_array()};
	int rc = store_tx(s, STORE_READ, import_load_tx, &im);
	if (rc == STORE_OK)
		rc = store_tx(s, STORE_READ, tag_codes_tx, &tags);
	if (rc == STORE_OK) {
		const char *area = o.area ? o.area : caller->scope_code;
		if (!strmap_get(&im.area_by_code, area, &im.default_area))
			im.default_missing = true;
		if (!t->rows || !has_name) {
			row_error(&im, t->rows ? t->lines[0] : 1, -1,
				  "No column is the name (姓名): is the first row the header?");
		} else if (im.default_missing) {
			row_error(&im, t->lines[0], -1, "The default area is not in your scope");
		} else {
			im.rows = xcalloc(t->rows, sizeof *im.rows);
			struct strmap ids = {0};
			for (size_t r = 1; r < t->rows; r++)
				check_row(&im, r, tags.codes, &ids);
			strmap_free(&ids);
		}
		if (o.dry_run && im.nrows)
			rc = store_tx(s, STORE_READ, import_preview_tx, &im);
		if (!o.dry_run && im.error_count == 0)
			rc = store_tx(s, STORE_WRITE, import_write_tx, &im);
		else if (!o.dry_run)
			rc = STORE_ABORT;
	}
	*report = json_pack("{s:I, s:I, s:I, s:I, s:I, s:s, s:o, s:I, s:o, s:b}", "rows",
			    (json_int_t)(t->rows ? t->rows - 1 : 0), "valid", (json_int_t)im.valid, "created",
			    (json_int_t)im.created, "updated", (json_int_t)im.updated, "households_created",
			    (json_int_t)im.households_created, "encoding", t->encoding ? t->encoding : "", "columns",
			    columns, "error_count", (json_int_t)im.error_count, "errors", im.errors, "committed",
			    !o.dry_run && rc == STORE_OK);
	for (size_t i = 0; i < im.nrows; i++) {
		json_decref(im.rows[i].tags);
		sodium_memzero(&im.rows[i].clean, sizeof im.rows[i].clean);
	}
	free(im.rows);
	free(im.columns);
	json_decref(tags.codes);
	strmap_free(&im.area_by_code);
	strmap_free(&im.area_by_name);
	strmap_free(&im.tag_by_name);
	if (rc == STORE_OK && im.error_count && !o.dry_run)
		rc = STORE_ABORT;
	return rc;
}

/* ---- POST /api/v1/imports ---- */

void imports_create(struct http_req *req)
{
	const struct caller *caller = identity_caller(req);
	struct actor actor;
	identity_actor(req, &actor);
	const char *dry = http_query(req, "dry_run");
	if (dry && strcmp(dry, "true") && strcmp(dry, "false")) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "dry_run", "dry_run is true or false");
		return;
	}
	struct import_options opt = {.dry_run = !dry || strcmp(dry, "true") == 0, .area = http_query(req, "area"),
				     .source = "upload"};
	const char *mapping = http_query(req, "mapping");
	json_t *map = NULL;
	if (mapping && !json_is_object(map = json_loads(mapping, 0, NULL))) {
		json_decref(map);
		http_reply_error(req, HTTP_ERR_invalid_parameter, "mapping", "mapping is a JSON object {\"header\":\"field\"}");
		return;
	}
	opt.mapping = map;
	size_t len;
	const char *body = http_body(req, &len);
	struct table t = {0};
	char *err = NULL;
	if (!len || table_read(body, len, TABLE_AUTO, IMPORT_MAX_ROWS + 1, &t, &err)) {
		http_reply_error(req, HTTP_ERR_invalid_value, "file", "%s", err ? err : "The file is empty");
		free(err);
		json_decref(map);
		return;
	}
	json_t *report = NULL;
	int rc = register_import(register_store, register_vault, caller, &actor, &t, &opt, &report);
	table_free(&t);
	json_decref(map);
	if (rc == STORE_OK) {
		http_reply_json(req, 200, report);
	} else if (rc == STORE_ABORT) {
		json_t *body422 = http_error_body(HTTP_ERR_invalid_value, "file", "The file has errors: nothing was imported");
		json_object_set_new(json_object_get(body422, "error"), "report", report);
		http_reply_json(req, 422, body422);
	} else {
		json_decref(report);
		reply_store_failure(req, rc);
	}
}

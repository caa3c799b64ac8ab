/* Exporting the persons list: CSV (UTF-8 with a BOM, which Excel and WPS
 * need to read Chinese) or XLSX (libxlsxwriter), masked unless the caller
 * may reveal and asks to; every export is audited. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "modules/common/xlsx_out.h"

#include "core/buf.h"
#include "core/strmap.h"
#include "core/xalloc.h"
#include "modules/common/reply.h"
#include "modules/register/register_internal.h"

#define EXPORT_MAX_ROWS 1000000

static const char *const export_headers[] = {"姓名", "性别", "出生日期", "证件类型", "证件号码", "联系电话",
					     "与户主关系", "住址", "网格", "状态", "标签"};
#define EXPORT_COLS (sizeof export_headers / sizeof export_headers[0])

static const char sql_sealed_of[] = "SELECT id_sealed, phone_sealed, key_version FROM persons WHERE id = ?";

struct export_job {
	struct person_query q;
	bool reveal;
	struct actor actor;
	json_t *rows; /* arrays of EXPORT_COLS strings */
	bool too_many;
};

static const char *zh(const char *code)
{
	static const char *const t[][2] = {{"M", "男"}, {"F", "女"}, {"head", "户主"}, {"spouse", "配偶"},
					   {"child", "子女"}, {"parent", "父母"}, {"grandchild", "孙辈"},
					   {"sibling", "兄弟姐妹"}, {"other", "其他"}, {"living", "在住"},
					   {"moved_out", "迁出"}, {"deceased", "死亡"}, {"resident_id", "居民身份证"},
					   {"passport", "护照"}, {"hk_macao_permit", "港澳通行证"},
					   {"taiwan_permit", "台湾通行证"}, {"foreign_permanent", "外国人永久居留证"}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i][0], code) == 0)
			return t[i][1];
	return code;
}

static int reveal_row(struct store_conn *c, int64_t id, json_t *row)
{
	struct store_stmt *st = store_prepare(c, sql_sealed_of);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		for (int i = 0; i < 2; i++) {
			size_t n;
			char plain[64];
			if (store_col_null(st, i))
				continue;
			const unsigned char *sealed = store_col_blob(st, i, &n);
			if (vault_open(register_vault, (int)store_col_int(st, 2), sealed, n, plain, sizeof plain))
				json_array_set_new(row, i == 0 ? 4 : 5, json_string(plain));
			sodium_memzero(plain, sizeof plain);
		}
	}
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

static int export_tx(struct store_conn *c, void *arg)
{
	struct export_job *j = arg;
	json_array_clear(j->rows);
	j->q.page.after = 0;
	j->q.page.limit = 500;
	for (;;) {
		int rc = person_list_tx(c, &j->q);
		if (rc != STORE_OK)
			return rc;
		size_t i;
		json_t *p;
		json_array_foreach(j->q.items, i, p) {
			json_t *tags = json_object_get(p, "tags"), *tag;
			struct buf t = {0};
			size_t k;
			json_array_foreach(tags, k, tag) {
				if (k)
					buf_puts(&t, "、");
				buf_puts(&t, json_string_value(tag));
			}
			json_t *household = json_object_get(p, "household");
			json_t *row = json_pack("[s, s, s, s, s, s, s, s, s, s, s]", json_string_value(json_object_get(p, "name")),
						zh(json_string_value(json_object_get(p, "sex"))),
						json_string_value(json_object_get(p, "birth_date")),
						zh(json_string_value(json_object_get(p, "id_type"))),
						json_string_value(json_object_get(p, "id_number")),
						json_string_value(json_object_get(p, "phone")),
						zh(json_string_value(json_object_get(p, "relation"))),
						json_is_object(household) ? json_string_value(json_object_get(household, "address")) : "",
						json_string_value(json_object_get(json_object_get(p, "area"), "code")),
						zh(json_string_value(json_object_get(p, "status"))), t.data ? t.data : "");
			buf_free(&t);
			if (!row) {
				WG_BUG("person %lld: an export row could not be built",
				       (long long)json_integer_value(json_object_get(p, "id")));
				return STORE_ERROR;
			}
			if (j->reveal && (rc = reveal_row(c, json_integer_value(json_object_get(p, "id")), row)) != STORE_OK) {
				json_decref(row);
				return rc;
			}
			json_array_append_new(j->rows, row);
		}
		if ((int64_t)json_array_size(j->q.items) < j->q.page.limit)
			break;
		if (json_array_size(j->rows) >= EXPORT_MAX_ROWS) {
			j->too_many = true;
			return STORE_ABORT;
		}
		j->q.page.after = j->q.last_id;
	}
	return STORE_OK;
}

static int export_audit_tx(struct store_conn *c, void *arg)
{
	struct export_job *j = arg;
	json_t *summary = json_pack("{s:I, s:b, s:s?, s:s?, s:s?}", "rows", (json_int_t)json_array_size(j->rows), "reveal",
				    j->reveal, "area", j->q.area, "tag", j->q.tag, "status", j->q.status);
	int rc = audit_append(c, &j->actor, "person.export", "person", "export", 0, summary);
	json_decref(summary);
	return rc;
}

static void csv_cell(struct buf *b, const char *s)
{
	/* A cell starting with = + - @ would be a formula in a spreadsheet:
	 * a leading apostrophe keeps it text (CSV injection). */
	bool formula = *s == '=' || *s == '+' || *s == '-' || *s == '@';
	/* Quote everything: it costs little and keeps leading zeros and long
	 * digit strings (ID numbers) from being taken as numbers, with the
	 * tab trick Excel honours. */
	buf_puts(b, "\"");
	if (formula)
		buf_puts(b, "'");
	if (*s >= '0' && *s <= '9' && strlen(s) > 11)
		buf_puts(b, "\t");
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_puts(b, "\"");
		buf_append(b, p, 1);
	}
	buf_puts(b, "\"");
}

static void *build_csv(const char *const *headers, size_t cols, json_t *rows, size_t *len)
{
	struct buf b = {0};
	buf_puts(&b, "\xEF\xBB\xBF");
	for (size_t c = 0; c < cols; c++) {
		if (c)
			buf_puts(&b, ",");
		csv_cell(&b, headers[c]);
	}
	buf_puts(&b, "\r\n");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		for (size_t c = 0; c < cols; c++) {
			if (c)
				buf_puts(&b, ",");
			csv_cell(&b, json_string_value(json_array_get(row, c)));
		}
		buf_puts(&b, "\r\n");
	}
	*len = b.len;
	return buf_steal(&b);
}

static void *build_xlsx(const char *sheet, const char *const *headers, size_t cols, json_t *rows, size_t *len)
{
	struct xlsx_out x;
	lxw_workbook *wb = xlsx_out_begin(&x);
	if (!wb)
		return NULL;
	lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	for (size_t c = 0; c < cols; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, headers[c], bold);
	worksheet_set_column(ws, 0, (lxw_col_t)(cols - 1), 16, NULL);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		for (size_t c = 0; c < cols; c++)
			worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, json_string_value(json_array_get(row, c)),
					       NULL);
	return xlsx_out_finish(&x, len);
}

/* Answers rows as a CSV or XLSX download. Takes ownership of rows. */
static void reply_sheet(struct http_req *req, bool csv, const char *sheet, const char *file,
			const char *const *headers, size_t cols, json_t *rows)
{
	size_t len = 0;
	void *data = csv ? build_csv(headers, cols, rows, &len) : build_xlsx(sheet, headers, cols, rows, &len);
	json_decref(rows);
	if (!data) {
		http_reply_error(req, HTTP_ERR_internal_error, NULL, "Cannot write the spreadsheet");
		return;
	}
	http_reply_raw(req, 200,
		       csv ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		       data, len);
	char disposition[160];
	snprintf(disposition, sizeof disposition, "attachment; filename=\"%s.%s\"", file, csv ? "csv" : "xlsx");
	http_add_header(req, "Content-Disposition", disposition);
}

static bool format_param(struct http_req *req, bool *csv)
{
	const char *format = http_query(req, "format");
	if (!format || (strcmp(format, "csv") && strcmp(format, "xlsx"))) {
		http_reply_error(req, HTTP_ERR_invalid_parameter, "format", "format is csv or xlsx");
		return false;
	}
	*csv = strcmp(format, "csv") == 0;
	return true;
}

void persons_export(struct http_req *req)
{
	struct export_job j = {0};
	if (!person_query_from(req, &j.q))
		return;
	const char *reveal = http_query(req, "reveal");
	bool csv;
	if (!format_param(req, &csv)) {
		free(j.q.address_like);
		return;
	}
	if (reveal && strcmp(reveal, "true") && strcmp(reveal, "false")) {
		free(j.q.address_like);
		http_reply_error(req, HTTP_ERR_invalid_parameter, "reveal", "reveal is true or false");
		return;
	}
	j.reveal = reveal && strcmp(reveal, "true") == 0;
	if (j.reveal && !role_has(j.q.caller->role, "persons.reveal")) {
		free(j.q.address_like);
		http_reply_error(req, HTTP_ERR_forbidden, "reveal", "Your role may not reveal personal data");
		return;
	}
	identity_actor(req, &j.actor);
	j.rows = json_array();
	j.q.items = json_array();
	int rc = store_tx(register_store, STORE_READ, export_tx, &j);
	if (rc == STORE_OK)
		rc = store_tx(register_store, STORE_WRITE, export_audit_tx, &j);
	free(j.q.address_like);
	json_decref(j.q.items);
	if (rc != STORE_OK) {
		json_decref(j.rows);
		if (j.q.area_missing)
			http_reply_error(req, HTTP_ERR_not_found, "area", "No such area");
		else if (j.too_many)
			http_reply_error(req, HTTP_ERR_invalid_parameter, NULL, "More than a million rows: narrow the filters");
		else
			reply_store_failure(req, rc);
		return;
	}
	reply_sheet(req, csv, "人员", "persons", export_headers, EXPORT_COLS, j.rows);
}

/* ---- households ---- */

static const char *const household_headers[] = {"住址", "网格", "户主", "人数", "标签", "备注"};

static const char sql_households_export[] =
	"SELECT h.id, h.address, a.code, COALESCE((SELECT m.name FROM persons m WHERE m.household_id = h.id AND"
	" m.relation = 'head' ORDER BY m.id LIMIT 1), ''), (SELECT COUNT(*) FROM persons m WHERE m.household_id = h.id),"
	" h.notes FROM households h JOIN areas a ON a.id = h.area_id WHERE " STORE_IN_SCOPE("a")
	" AND (CAST(? AS TEXT) IS NULL OR h.address LIKE ?)"
	" AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM household_tags t WHERE t.household_id = h.id AND t.tag = ?))"
	" ORDER BY h.id";
static const char sql_household_tags_all[] =
	"SELECT t.household_id, t.tag FROM household_tags t JOIN households h ON h.id = t.household_id"
	" JOIN areas a ON a.id = h.area_id WHERE " STORE_IN_SCOPE("a") " ORDER BY t.household_id, t.tag";

struct household_export {
	const struct caller *caller;
	struct actor actor;
	const char *area, *tag;
	char *like;
	json_t *rows;
	bool area_missing;
};

static int household_export_tx(struct store_conn *c, void *arg)
{
	struct household_export *x = arg;
	json_array_clear(x->rows); /* a retried attempt starts over */
	struct store_scope scope;
	int rc = register_narrow_scope(c, x->caller, x->area, &scope);
	if (rc == STORE_DONE) {
		x->area_missing = true;
		return STORE_ABORT;
	}
	if (rc != STORE_OK)
		return rc;
	/* Each household's tags joined, found through the map by id. */
	struct strmap tags = {0};
	json_t *tag_text = json_array();
	struct buf joined = {0};
	struct store_stmt *st = store_prepare(c, sql_household_tags_all);
	if (!st) {
		json_decref(tag_text);
		return STORE_ERROR;
	}
	store_bind_scope(st, 1, &scope);
	int64_t current = 0;
	char key[24];
	while ((rc = store_step(st)) == STORE_ROW) {
		if (store_col_int(st, 0) != current && current) {
			snprintf(key, sizeof key, "%lld", (long long)current);
			strmap_put(&tags, key, (int64_t)json_array_size(tag_text));
			json_array_append_new(tag_text, json_string(joined.data));
			buf_reset(&joined);
		}
		current = store_col_int(st, 0);
		if (joined.len)
			buf_puts(&joined, "、");
		buf_puts(&joined, store_col_text(st, 1));
	}
	store_reset(st);
	if (current) {
		snprintf(key, sizeof key, "%lld", (long long)current);
		strmap_put(&tags, key, (int64_t)json_array_size(tag_text));
		json_array_append_new(tag_text, json_string(joined.data));
	}
	buf_free(&joined);
	st = rc == STORE_DONE ? store_prepare(c, sql_households_export) : NULL;
	if (st) {
		store_bind_scope(st, 1, &scope);
		store_bind_text(st, 3, x->like);
		store_bind_text(st, 4, x->like);
		store_bind_text(st, 5, x->tag);
		store_bind_text(st, 6, x->tag);
		char count[24];
		while ((rc = store_step(st)) == STORE_ROW) {
			int64_t at;
			snprintf(key, sizeof key, "%lld", (long long)store_col_int(st, 0));
			snprintf(count, sizeof count, "%lld", (long long)store_col_int(st, 4));
			const char *t = strmap_get(&tags, key, &at) ? json_string_value(json_array_get(tag_text, (size_t)at)) : "";
			json_array_append_new(x->rows, json_pack("[s, s, s, s, s, s]", store_col_text(st, 1), store_col_text(st, 2),
								 store_col_text(st, 3), count, t, store_col_text(st, 5)));
		}
		store_reset(st);
	} else if (rc == STORE_DONE) {
		rc = STORE_ERROR;
	}
	strmap_free(&tags);
	json_decref(tag_text);
	if (rc != STORE_DONE)
		return rc;
	json_t *summary = json_pack("{s:I, s:s?, s:s?}", "rows", (json_int_t)json_array_size(x->rows), "area", x->area,
				    "tag", x->tag);
	rc = audit_append(c, &x->actor, "household.export", "household", "export", 0, summary);
	json_decref(summary);
	return rc;
}

void households_export(struct http_req *req)
{
	bool csv;
	if (!format_param(req, &csv))
		return;
	struct household_export x = {.caller = identity_caller(req), .area = http_query(req, "area"),
				     .tag = http_query(req, "tag"), .rows = json_array()};
	const char *address = http_query(req, "address");
	if (address)
		x.like = register_like_pattern(address);
	identity_actor(req, &x.actor);
	int rc = store_tx(register_store, STORE_WRITE, household_export_tx, &x);
	free(x.like);
	if (rc != STORE_OK) {
		json_decref(x.rows);
		if (x.area_missing)
			http_reply_error(req, HTTP_ERR_not_found, "area", "No such area");
		else
			reply_store_failure(req, rc);
		return;
	}
	reply_sheet(req, csv, "住户", "households", household_headers, sizeof household_headers / sizeof household_headers[0],
		    x.rows);
}

/* Spreadsheet input: file bytes in, rows of UTF-8 cells (or a one-line error
 * saying where) out. XLSX inputs are real files, built here with
 * libxlsxwriter (as Excel would write them) and by hand with libzip (to
 * reach what libxlsxwriter never writes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "core/buf.h"
#include "core/table.h"
#include "core/xalloc.h"

/* A table as one string: cells joined by '|', rows by '/', and the start
 * lines as "1,2,4"; tests avoid those characters in cells. */
static char *render(const struct table *t, char **lines)
{
	struct buf b = {0}, l = {0};
	for (size_t r = 0; r < t->rows; r++) {
		for (size_t c = 0; c < t->cols; c++)
			buf_printf(&b, "%s%s", c ? "|" : r ? "/" : "", t->cells[r][c]);
		buf_printf(&l, "%s%zu", r ? "," : "", t->lines[r]);
	}
	*lines = buf_steal(&l);
	return buf_steal(&b);
}

/* Reads data and checks the outcome: the table and its lines (NULL: not
 * checked), or an error containing want_err, on one line, with *out left
 * empty. */
static void check(const char *what, const void *data, size_t len, enum table_format fmt, size_t max_rows,
		  const char *want_cells, const char *want_lines, const char *want_enc, const char *want_err)
{
	struct table t;
	char *err = NULL;
	int rc = table_read(data, len, fmt, max_rows, &t, &err);
	if (want_err) {
		if (rc != -1 || !err || !strstr(err, want_err) || strchr(err, '\n'))
			fail_msg("%s: rc %d, error \"%s\", want \"%s\"", what, rc, err ? err : "(none)", want_err);
		assert_int_equal(t.rows, 0);
		assert_null(t.cells);
		free(err);
		return;
	}
	if (rc != 0)
		fail_msg("%s: %s", what, err);
	char *lines, *cells = render(&t, &lines);
	if (want_cells && strcmp(cells, want_cells) != 0)
		fail_msg("%s: cells \"%s\", want \"%s\"", what, cells, want_cells);
	if (want_lines && strcmp(lines, want_lines) != 0)
		fail_msg("%s: lines \"%s\", want \"%s\"", what, lines, want_lines);
	if (want_enc)
		assert_string_equal(t.encoding, want_enc);
	for (size_t r = 0; r < t.rows; r++) /* every row is padded */
		for (size_t c = 0; c < t.cols; c++)
			assert_non_null(t.cells[r][c]);
	free(cells);
	free(lines);
	table_free(&t);
}

/* CSV bytes (len 0: strlen) → cells, lines and encoding, or an error. */
static const struct {
	const char *in;
	size_t len, max_rows; /* max_rows 0: 100 */
	const char *cells, *lines, *enc, *err;
} csv_rows[] = {
	{"a,b\n1,2\n", 0, 0, "a|b/1|2", "1,2", "utf-8", NULL},
	{"a,b\r\n1,2\r\n", 0, 0, "a|b/1|2", "1,2", "utf-8", NULL},
	{"a,b\r1,2", 0, 0, "a|b/1|2", "1,2", "utf-8", NULL},
	{"\xEF\xBB\xBF姓名,电话\n张三,13812345678\n", 0, 0, "姓名|电话/张三|13812345678", "1,2", "utf-8", NULL},
	{"a,b\n\"x,y\",\"say \"\"hi\"\"\"\n", 0, 0, "a|b/x,y|say \"hi\"", "1,2", "utf-8", NULL},
	{"a,b\n\"住址\n二楼\",z\n3,4\n", 0, 0, "a|b/住址\n二楼|z/3|4", "1,2,4", "utf-8", NULL},
	{"\"a\r\nb\",c\r\nd,e\r\n", 0, 0, "a\r\nb|c/d|e", "1,3", "utf-8", NULL},
	{"a,b,c\n1\n2,3\n", 0, 0, "a|b|c/1||/2|3|", "1,2,3", "utf-8", NULL},
	{"a\n1,2,3\n", 0, 0, "a||/1|2|3", "1,2", "utf-8", NULL},
	{"a;b;c\n1;2,5;3\n", 0, 0, "a|b|c/1|2,5|3", "1,2", "utf-8", NULL},
	{"a\tb\n1\t2,5\n", 0, 0, "a|b/1|2,5", "1,2", "utf-8", NULL},
	{"\"x;y\",b\n1,2\n", 0, 0, "x;y|b/1|2", "1,2", "utf-8", NULL},
	{"sep=;\r\na;b\r\n1;2\r\n", 0, 0, "a|b/1|2", "2,3", "utf-8", NULL},
	{"a,b\n\n1,2\n\n\n", 0, 0, "a|b/|/1|2", "1,2,3", "utf-8", NULL},
	{"a,b\n,\n\"\",\n", 0, 0, "a|b", "1", "utf-8", NULL},
	{" a , b \n5\",x\n", 0, 0, " a | b /5\"|x", "1,2", "utf-8", NULL},
	{"\"a\"b,\"\"\n", 0, 0, "ab|", "1", "utf-8", NULL},
	{"", 0, 0, "", "", "utf-8", NULL},
	{"\n\n", 0, 0, "", "", "utf-8", NULL},
	{"h\n1\n2\n", 0, 3, "h/1/2", "1,2,3", "utf-8", NULL},
	{"h\n1\n2\n\n\n", 0, 3, "h/1/2", "1,2,3", "utf-8", NULL},
	{"h\n1\n2\n", 0, 2, NULL, NULL, NULL, "line 3: more than 2 rows"},
	{"h\n\n\n2\n", 0, 3, NULL, NULL, NULL, "line 4: more than 3 rows"},
	{"a,b\n1,\"2\n3,4\n", 0, 0, NULL, NULL, NULL, "line 2: unterminated quote"},
	{"a\n\"x\ny\"\n\"", 0, 0, NULL, NULL, NULL, "line 4: unterminated quote"},
	{"a,b\nc,\xFF\n", 0, 0, NULL, NULL, NULL, "line 2, byte 7: neither UTF-8 nor GB18030 text"},
	{"\xEF\xBB\xBF" "a\nb,\xC3(\n", 0, 0, NULL, NULL, NULL, "line 2, byte 8: invalid UTF-8"},
	{"a,b\n1\0002\n", 8, 0, NULL, NULL, NULL, "line 2: NUL byte"},
	{"PK\x03\x04rest", 0, 0, NULL, NULL, NULL, "not CSV"},
	{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", 0, 0, NULL, NULL, NULL, ".xls"},
};

static void test_csv(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof csv_rows / sizeof csv_rows[0]; i++) {
		size_t len = csv_rows[i].len ? csv_rows[i].len : strlen(csv_rows[i].in);
		check(csv_rows[i].in, csv_rows[i].in, len, TABLE_CSV, csv_rows[i].max_rows ? csv_rows[i].max_rows : 100,
		      csv_rows[i].cells, csv_rows[i].lines, csv_rows[i].enc, csv_rows[i].err);
	}
}

/* What Chinese Windows Excel and WPS save as "CSV": GB18030/GBK bytes,
 * including the 4-byte forms for rare name characters (䶮, 𠀀). */
static char *encode(const char *to, const char *utf8, size_t *len)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	assert_true(cd != (iconv_t)-1);
	size_t il = strlen(utf8), cap = 4 * il + 8, ol = cap;
	char *out = xmalloc(cap), *ip = (char *)utf8, *op = out;
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	*len = cap - ol;
	return out;
}

static void test_encodings(void **state)
{
	(void)state;
	const char *text = "姓名,身份证号\n张三,11010519491231002X\n刘䶮,𠀀\n";
	const char *want = "姓名|身份证号/张三|11010519491231002X/刘䶮|𠀀";
	size_t len;
	char *gb = encode("GB18030", text, &len);
	check("gb18030", gb, len, TABLE_AUTO, 10, want, "1,2,3", "gb18030", NULL);
	/* a stray byte after valid GB18030: reported at its line */
	gb = xrealloc(gb, len + 2);
	memcpy(gb + len, "\x80\n", 2);
	char *want_err = xasprintf("line 4, byte %zu: neither UTF-8 nor GB18030", len + 1);
	check("gb18030 bad byte", gb, len + 2, TABLE_AUTO, 10, NULL, NULL, NULL, want_err);
	free(want_err);
	free(gb);

	char *u16 = encode("UTF-16", "姓名\t电话\n张三\t138\n", &len); /* glibc writes a BOM */
	check("utf-16", u16, len, TABLE_AUTO, 10, "姓名|电话/张三|138", "1,2", "utf-16", NULL);
	free(u16);
}

/* Limits are checked before buffering: long cells, wide rows, and padding
 * that would multiply a short file into a huge table. */
static void test_csv_limits(void **state)
{
	(void)state;
	struct buf b = {0};
	buf_puts(&b, "h\n");
	for (int i = 0; i < TABLE_CELL_MAX; i++)
		buf_puts(&b, "x");
	check("cell at the limit", b.data, b.len, TABLE_CSV, 10, NULL, "1,2", "utf-8", NULL);
	buf_puts(&b, "x");
	check("cell too long", b.data, b.len, TABLE_CSV, 10, NULL, NULL, NULL, "line 2: cell longer than 32768 bytes");
	buf_reset(&b);
	buf_puts(&b, "h\n\"");
	for (int i = 0; i < 2 * TABLE_CELL_MAX; i++)
		buf_puts(&b, "\n");
	check("unterminated long quote", b.data, b.len, TABLE_CSV, 10, NULL, NULL, NULL, "line 2: unterminated quote");
	buf_puts(&b, "\"");
	check("quoted cell too long", b.data, b.len, TABLE_CSV, 10, NULL, NULL, NULL, "line 2: cell longer");

	buf_reset(&b);
	for (int i = 0; i < TABLE_MAX_COLS; i++)
		buf_puts(&b, ",");
	check("too many columns", b.data, b.len, TABLE_CSV, 10, NULL, NULL, NULL, "line 1: more than 16384 columns");
	buf_reset(&b);
	buf_puts(&b, "h");
	for (int i = 1; i < TABLE_MAX_COLS; i++)
		buf_puts(&b, ",");
	for (size_t i = 0; i < TABLE_MAX_CELLS / TABLE_MAX_COLS; i++)
		buf_puts(&b, "\n1");
	check("too many cells", b.data, b.len, TABLE_CSV, 1u << 20, NULL, NULL, NULL, "line 1025: more than 16777216 cells");
	buf_free(&b);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct buf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

static char *temp_path(void)
{
	char *path = xstrdup("/tmp/wangge-table-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	return path;
}

/* A register as Excel writes it: shared strings (or, in constant-memory
 * mode, inline strings), a phone stored as a number, an ID as text, a
 * skipped row, a boolean, a formula with its cached value, a second sheet. */
static char *xlsxwriter_file(bool constant_memory, size_t *len)
{
	char *path = temp_path();
	lxw_workbook_options opt = {.constant_memory = constant_memory};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "户籍");
	const char *head[] = {"姓名", "身份证号", "电话", "备注"};
	for (int c = 0; c < 4; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], NULL);
	worksheet_write_string(ws, 1, 0, "张三", NULL);
	worksheet_write_string(ws, 1, 1, "11010519491231002X", NULL);
	worksheet_write_number(ws, 1, 2, 13812345678.0, NULL);
	worksheet_write_string(ws, 1, 3, " 两边有空格 ", NULL);
	worksheet_write_string(ws, 3, 0, "李四", NULL);
	worksheet_write_string(ws, 3, 1, "110105194912310021", NULL);
	worksheet_write_number(ws, 3, 2, 5.0, NULL);
	worksheet_write_boolean(ws, 3, 3, 1, NULL);
	worksheet_write_number(ws, 4, 0, 1.5, NULL);
	worksheet_write_formula_num(ws, 4, 2, "=1+1", NULL, 2);
	worksheet_write_string(ws, 4, 3, "一楼\n二楼", NULL);
	worksheet_write_string(workbook_add_worksheet(wb, "其他"), 0, 0, "not this sheet", NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	char *data = slurp(path, len);
	unlink(path);
	free(path);
	return data;
}

static void test_xlsxwriter(void **state)
{
	(void)state;
	const char *want = "姓名|身份证号|电话|备注/张三|11010519491231002X|13812345678| 两边有空格 /|||"
			   "/李四|110105194912310021|5|TRUE/1.5||2|一楼\n二楼";
	for (int mode = 0; mode < 2; mode++) {
		size_t len;
		char *data = xlsxwriter_file(mode, &len);
		check(mode ? "xlsxwriter inline" : "xlsxwriter shared", data, len, TABLE_AUTO, 10, want, "1,2,3,4,5", "xlsx",
		      NULL);
		check("xlsxwriter max_rows", data, len, TABLE_XLSX, 4, NULL, NULL, NULL, "row 5: more than 4 rows");
		check("xlsxwriter truncated", data, len / 2, TABLE_AUTO, 10, NULL, NULL, NULL, "not a valid XLSX");
		check("xlsxwriter as CSV", data, len, TABLE_CSV, 10, NULL, NULL, NULL, "not CSV");
		free(data);
	}
}

struct part {
	const char *name, *xml;
};

/* A zip holding the parts, in memory (caller frees). */
static char *zip_parts(const struct part *parts, size_t n, size_t *len)
{
	char *path = temp_path();
	int zerr;
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	assert_non_null(za);
	for (size_t i = 0; i < n && parts[i].name; i++) {
		zip_source_t *src = zip_source_buffer(za, parts[i].xml, strlen(parts[i].xml), 0);
		assert_non_null(src);
		assert_true(zip_file_add(za, parts[i].name, src, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
	char *data = slurp(path, len);
	unlink(path);
	free(path);
	return data;
}

#define SHEET "xl/worksheets/sheet1.xml"
#define WS(rows) "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" \
	"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" rows "</sheetData></worksheet>"
#define SST(items) "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" items "</sst>"
#define IS(ref, text) "<c r=\"" ref "\" t=\"inlineStr\"><is><t>" text "</t></is></c>"
#define V(ref, t, v) "<c r=\"" ref "\" t=\"" t "\"><v>" v "</v></c>"
#define N(ref, v) "<c r=\"" ref "\"><v>" v "</v></c>"

/* Hand-made workbooks: parts → cells and lines, or an error. */
static const struct {
	const char *what;
	struct part parts[4];
	size_t max_rows; /* 0: 100 */
	const char *cells, *lines, *err;
} xlsx_rows[] = {
	{"inline strings, no sharedStrings.xml, skipped row and cell",
	 {{SHEET, WS("<row r=\"1\">" IS("A1", "姓名") IS("B1", "电话") "</row>"
		     "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><r><t>张</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\">三 </t></r>"
		     "<rPh sb=\"0\" eb=\"1\"><t>ちょう</t></rPh></is></c><c r=\"B3\" s=\"1\"/>" N("C3", "1.3812345678E10") "</row>"
		     "<row r=\"4\"><c r=\"A4\" s=\"2\"/></row><row r=\"9\"><c r=\"B9\" s=\"2\"/></row>")}},
	 0, "姓名|电话|/||/张三 ||13812345678", "1,2,3", NULL},
	{"numbers: integers read plainly, the rest as written",
	 {{SHEET, WS("<row>" N("A1", "5.0") N("B1", "1.3812345678E10") N("C1", "0.5") N("D1", "1E300") N("E1", "-3.0")
		     N("F1", "1.5E-3") N("G1", "45292") N("H1", "1.10105194912310E+17") N("I1", "0.0") N("J1", "1.2e2")
		     N("K1", "12.50") N("L1", "1E20") N("M1", "1E21") "</row>")}},
	 0, "5|13812345678|0.5|1E300|-3|1.5E-3|45292|110105194912310000|0|120|12.50|100000000000000000000|1E21", "1", NULL},
	{"other types and _xHHHH_ escapes",
	 {{SHEET, WS("<row>" V("A1", "b", "1") V("B1", "b", "0") V("C1", "e", "#REF!") V("D1", "str", "a_x000D_b")
		     V("E1", "str", "_x005F_x0041_") V("F1", "d", "2024-01-31") "<c r=\"G1\" t=\"inlineStr\"><is><t>  trimmed\n</t></is></c>"
		     "<c><f>A1</f><v>7.0</v></c></row><row><c/><c>" "<v>1</v></c></row>")}},
	 0, "TRUE|FALSE|#REF!|a\rb|_x0041_|2024-01-31|trimmed|7/|1||||||", "1,2", NULL},
	{"shared strings with rich text, phonetics and a 4-byte character",
	 {{"xl/sharedStrings.xml", SST("<si><t>户主</t></si><si><r><t>刘</t></r><r><rPr/><t>䶮𠀀</t></r><rPh><t>x</t></rPh></si><si><t/></si>")},
	  {SHEET, WS("<row r=\"2\">" V("B2", "s", "0") V("C2", "s", "1") V("D2", "s", "2") "</row>")}},
	 0, "|||/|户主|刘䶮𠀀|", "1,2", NULL},
	{"the first sheet found through workbook.xml and its rels",
	 {{"xl/workbook.xml", "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
			      "xmlns:rel=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
			      "<sheet name=\"户籍\" sheetId=\"2\" rel:id=\"rId7\"/><sheet name=\"x\" sheetId=\"1\" rel:id=\"rId1\"/></sheets></workbook>"},
	  {"xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
					 "<Relationship Id=\"rId1\" Type=\"http://x/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
					 "<Relationship Id=\"rId9\" Type=\"http://x/sharedStrings\" Target=\"./strings/s.xml\"/>"
					 "<Relationship Id=\"rId7\" Type=\"http://x/worksheet\" Target=\"/xl/worksheets/../data/first.xml\"/>"
					 "</Relationships>"},
	  {"xl/strings/s.xml", SST("<si><t>right</t></si>")},
	  {"xl/data/first.xml", WS("<row>" V("A1", "s", "0") "</row>")}},
	 0, "right", "1", NULL},
	{"rows past max_rows", {{SHEET, WS("<row r=\"1\">" N("A1", "1") "</row><row r=\"5\">" N("A5", "1") "</row>")}},
	 4, NULL, NULL, "row 5: more than 4 rows"},
	{"trailing formatted rows do not count",
	 {{SHEET, WS("<row r=\"1\">" N("A1", "1") "</row><row r=\"2\"><c r=\"A2\" s=\"1\"/></row><row r=\"1048576\"/>")}},
	 1, "1", "1", NULL},
	{"malformed sheet", {{SHEET, WS("<row><c><v>1</v></row>")}}, 0, NULL, NULL,
	 "xl/worksheets/sheet1.xml: malformed XML at line 2"},
	{"malformed shared strings", {{"xl/sharedStrings.xml", "<sst><si><t>a</si></sst>"}, {SHEET, WS("")}}, 0, NULL, NULL,
	 "xl/sharedStrings.xml: malformed XML"},
	{"malformed workbook", {{"xl/workbook.xml", "<workbook"}, {SHEET, WS("")}}, 0, NULL, NULL, "xl/workbook.xml: malformed"},
	{"DTD refused", {{SHEET, "<!DOCTYPE x [<!ENTITY a \"b\">]><worksheet/>"}}, 0, NULL, NULL, "DTD not allowed"},
	{"shared string out of range", {{SHEET, WS("<row>" V("A1", "s", "3") "</row>")}}, 0, NULL, NULL,
	 "cell A1: shared string \"3\" out of range"},
	{"cells out of order", {{SHEET, WS("<row r=\"1\">" N("B1", "1") N("A1", "2") "</row>")}}, 0, NULL, NULL,
	 "row 1: cells out of order"},
	{"rows out of order", {{SHEET, WS("<row r=\"2\"/><row r=\"1\"/>")}}, 0, NULL, NULL, "row 1: rows out of order"},
	{"bad cell reference", {{SHEET, WS("<row r=\"1\">" N("XFE1", "1") "</row>")}}, 0, NULL, NULL, "bad cell reference"},
	{"no worksheet", {{"[Content_Types].xml", "<Types/>"}}, 0, NULL, NULL, "xl/worksheets/sheet1.xml: missing"},
	{"empty sheet", {{SHEET, WS("")}}, 0, "", "", NULL},
};

static void test_xlsx_parts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof xlsx_rows / sizeof xlsx_rows[0]; i++) {
		size_t len;
		char *data = zip_parts(xlsx_rows[i].parts, 4, &len);
		check(xlsx_rows[i].what, data, len, TABLE_AUTO, xlsx_rows[i].max_rows ? xlsx_rows[i].max_rows : 100,
		      xlsx_rows[i].cells, xlsx_rows[i].lines, "xlsx", xlsx_rows[i].err);
		free(data);
	}
}

/* Not a zip, too many entries, and a part that inflates past 64 MiB. */
static void test_xlsx_hostile(void **state)
{
	(void)state;
	static const char corrupt[] = "PK\x03\x04\x14\x00\x00\x00garbage that is no zip at all";
	check("corrupt zip", corrupt, sizeof corrupt - 1, TABLE_AUTO, 10, NULL, NULL, NULL, "not a valid XLSX (zip) file");
	check("CSV read as XLSX", "a,b\n", 4, TABLE_XLSX, 10, NULL, NULL, NULL, "not a valid XLSX");

	struct part many[202];
	char names[201][16];
	for (int i = 0; i < 201; i++) {
		snprintf(names[i], sizeof names[i], "f%d.xml", i);
		many[i] = (struct part){names[i], "<x/>"};
	}
	many[201] = (struct part){NULL, NULL};
	size_t len;
	char *data = zip_parts(many, 202, &len);
	check("201 entries", data, len, TABLE_AUTO, 10, NULL, NULL, NULL, "more than 200 files");
	free(data);

	size_t big = (64u << 20) + 1;
	char *xml = xmalloc(big + 1);
	memset(xml, ' ', big);
	xml[big] = '\0';
	struct part bomb[] = {{SHEET, xml}};
	data = zip_parts(bomb, 1, &len);
	assert_true(len < big / 100); /* it compresses like a bomb would */
	check("zip bomb", data, len, TABLE_AUTO, 10, NULL, NULL, NULL, "xl/worksheets/sheet1.xml: larger than 64 MiB");
	free(data);
	free(xml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_csv_limits),
		cmocka_unit_test(test_xlsxwriter),
		cmocka_unit_test(test_xlsx_parts),
		cmocka_unit_test(test_xlsx_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

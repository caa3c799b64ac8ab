/* The XLSX reader: the first worksheet of a workbook, with libzip reading
 * the archive from memory and expat streaming each XML part straight out of
 * the zip, so a 40 MB sheet is never held whole. Only what a register needs
 * is understood: cell values, not styles, formulas or merged cells. */
#include "core/table.h"

#include <expat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/xalloc.h"

/* Zip-bomb guards: a register's sheet XML is ~50 bytes a cell, so 64 MiB is
 * over a million cells; a workbook from Excel or WPS has a few dozen parts. */
#define PART_MAX (64u << 20)
#define ENTRIES_MAX 200
#define ROWS_MAX 1048576 /* Excel's last row: bounds the blank-row gap loop */

enum cell_type { CELL_NUM, CELL_SHARED, CELL_STR, CELL_INLINE, CELL_BOOL, CELL_OTHER };

struct xlsx {
	zip_t *za;
	XML_Parser parser;
	const char *part; /* being parsed, for messages */
	char *err;

	char *sheet_rid, *sheet_part, *sst_part; /* from workbook.xml and its rels */

	struct buf sst;    /* shared strings, each NUL-terminated */
	uint32_t *sst_off; /* start of each in sst; parts are < 4 GiB */
	size_t nsst, sst_cap;

	struct buf text;   /* text of the <t>, <v> or <si> being read */
	bool collect;      /* character data goes to text */
	size_t t_start;    /* where the current <t> began in text */
	bool t_preserve;   /* it had xml:space="preserve" */
	int rph;           /* depth inside <rPh>: phonetic hints, not cell text */
	bool in_si, in_data, in_row, in_c, in_is;

	struct table_build b;
	size_t row, last_row;  /* 1-based Excel row numbers */
	size_t col, next_col;  /* 0-based column of this cell, and the least allowed next */
	enum cell_type type;
	bool has_value;
	char ref[16];          /* "XFD1048576": this cell, for messages */
};

/* Records the first error and aborts the parse. Structural faults name the
 * part; faults in the data name the row or cell a user can find. Expat may
 * still deliver a few callbacks afterwards, so every handler checks x->err. */
__attribute__((format(printf, 2, 3))) static void stop(struct xlsx *x, const char *fmt, ...)
{
	if (!x->err) {
		va_list ap;
		va_start(ap, fmt);
		char *what = xvasprintf(fmt, ap);
		va_end(ap);
		x->err = what;
	}
	XML_StopParser(x->parser, XML_FALSE);
}

/* Names arrive as "namespace|local". Matching the local name alone is
 * enough because only the elements of a few known parents are looked at,
 * and it accepts both transitional and strict OOXML namespaces. */
static const char *local(const char *name)
{
	const char *bar = strrchr(name, '|');
	return bar ? bar + 1 : name;
}

/* An attribute by exact name ("r", "Target", or "namespace|local"). */
static const char *attr(const char **attrs, const char *name)
{
	for (size_t i = 0; attrs[i]; i += 2)
		if (strcmp(attrs[i], name) == 0)
			return attrs[i + 1];
	return NULL;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
	struct xlsx *x = ud;
	if (x->collect && !x->err)
		buf_append(&x->text, s, (size_t)len);
}

static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
		       int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	/* OOXML parts never have one; refusing it closes off entity tricks. */
	struct xlsx *x = ud;
	stop(x, "%s: DTD not allowed", x->part);
}

/* Parses one part of the archive through the handlers. Returns 0, 1 when
 * the part is absent and optional, or -1 with x->err set. */
static int parse_part(struct xlsx *x, const char *part, bool optional, XML_StartElementHandler start,
		      XML_EndElementHandler end)
{
	x->part = part;
	zip_int64_t idx = zip_name_locate(x->za, part, ZIP_FL_NOCASE);
	if (idx < 0) {
		if (optional)
			return 1;
		x->err = xasprintf("%s: missing from the workbook", part);
		return -1;
	}
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat_index(x->za, (zip_uint64_t)idx, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && st.size > PART_MAX) {
		x->err = xasprintf("%s: larger than %u MiB uncompressed", part, PART_MAX >> 20);
		return -1;
	}
	zip_file_t *zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0);
	if (!zf) {
		x->err = xasprintf("%s: %s", part, zip_strerror(x->za));
		return -1;
	}
	XML_Parser p = XML_ParserCreateNS(NULL, '|');
	if (!p)
		abort(); /* out of memory, fatal as with xmalloc */
	x->parser = p;
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, start, end);
	XML_SetCharacterDataHandler(p, on_text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	size_t total = 0;
	for (bool last = false; !last && !x->err;) {
		void *chunk = XML_GetBuffer(p, 1 << 16);
		if (!chunk)
			abort();
		zip_int64_t n = zip_fread(zf, chunk, 1 << 16);
		if (n < 0) {
			x->err = xasprintf("%s: %s", part, zip_file_strerror(zf));
			break;
		}
		/* The declared size may lie: count what actually inflates. */
		total += (size_t)n;
		if (total > PART_MAX) {
			x->err = xasprintf("%s: larger than %u MiB uncompressed", part, PART_MAX >> 20);
			break;
		}
		last = n == 0;
		if (XML_ParseBuffer(p, (int)n, last) != XML_STATUS_OK && !x->err)
			x->err = xasprintf("%s: malformed XML at line %lu: %s", part,
					   (unsigned long)XML_GetCurrentLineNumber(p),
					   XML_ErrorString(XML_GetErrorCode(p)));
	}
	XML_ParserFree(p);
	x->parser = NULL;
	zip_fclose(zf);
	return x->err ? -1 : 0;
}

/* ---- workbook.xml and its relationships: which part is the first sheet ---- */

static void workbook_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xlsx *x = ud;
	if (x->err || x->sheet_rid || strcmp(local(name), "sheet") != 0)
		return;
	/* r:id, whatever prefix the file binds to the relationships namespace */
	for (size_t i = 0; attrs[i]; i += 2) {
		const char *bar = strrchr(attrs[i], '|');
		if (bar && strcmp(bar + 1, "id") == 0) {
			x->sheet_rid = xstrdup(attrs[i + 1]);
			return;
		}
	}
}

static void ignore_end(void *ud, const XML_Char *name)
{
	(void)ud, (void)name;
}

/* A relationship target, relative to xl/ or absolute, as a part name. */
static char *part_name(const char *target)
{
	struct buf b = {0};
	if (target[0] != '/')
		buf_puts(&b, "xl/");
	for (const char *s = target; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.') { /* drop the last "segment/" */
			while (b.len > 0 && b.data[b.len - 1] == '/')
				b.len--;
			while (b.len > 0 && b.data[b.len - 1] != '/')
				b.len--;
		} else if (n && !(n == 1 && s[0] == '.')) {
			buf_append(&b, s, n);
			buf_puts(&b, "/");
		}
		s += n + (s[n] == '/');
	}
	if (b.len)
		b.len--; /* the last "/" */
	buf_append(&b, "", 0);
	return buf_steal(&b);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && strcmp(s + n - m, tail) == 0;
}

static void rels_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xlsx *x = ud;
	if (x->err || strcmp(local(name), "Relationship") != 0)
		return;
	const char *id = attr(attrs, "Id"), *type = attr(attrs, "Type"), *target = attr(attrs, "Target");
	if (!target || !*target)
		return;
	if (!x->sheet_part && id && x->sheet_rid && strcmp(id, x->sheet_rid) == 0)
		x->sheet_part = part_name(target);
	else if (!x->sst_part && type && ends_with(type, "/sharedStrings"))
		x->sst_part = part_name(target);
}

/* ---- text of <t> elements (shared and inline strings) ---- */

/* OOXML writes characters XML cannot carry as _xHHHH_ (Excel: a CR in a
 * cell is "_x000D_"; a literal "_x" is "_x005F_x"). Decodes text[from..] in
 * place: the UTF-8 of a code point up to U+FFFF is shorter than 7 bytes. */
static void unescape_x(struct buf *t, size_t from)
{
	if (t->len - from < 7 || !memmem(t->data + from, t->len - from, "_x", 2))
		return;
	char *s = t->data;
	size_t w = from;
	for (size_t r = from; r < t->len;) {
		char hex[5] = "";
		if (t->len - r >= 7 && s[r] == '_' && s[r + 1] == 'x' && s[r + 6] == '_' &&
		    strspn(s + r + 2, "0123456789abcdefABCDEF") >= 4)
			memcpy(hex, s + r + 2, 4);
		unsigned long cp = strtoul(hex, NULL, 16);
		/* NUL would cut the cell short and a lone surrogate is not UTF-8:
		 * those stay as written. */
		if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
			s[w++] = s[r++];
			continue;
		}
		if (cp < 0x80) {
			s[w++] = (char)cp;
		} else {
			if (cp < 0x800) {
				s[w++] = (char)(0xC0 | cp >> 6);
			} else {
				s[w++] = (char)(0xE0 | cp >> 12);
				s[w++] = (char)(0x80 | (cp >> 6 & 0x3F));
			}
			s[w++] = (char)(0x80 | (cp & 0x3F));
		}
		r += 7;
	}
	t->len = w;
	s[w] = '\0';
}

static bool is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void t_begin(struct xlsx *x, const char **attrs)
{
	const char *space = attr(attrs, "http://www.w3.org/XML/1998/namespace|space");
	x->t_preserve = space && strcmp(space, "preserve") == 0;
	x->t_start = x->text.len;
	x->collect = true;
}

/* Without xml:space="preserve" the surrounding whitespace is layout, not
 * text (Excel and libxlsxwriter mark every string that needs it). */
static void t_end(struct xlsx *x)
{
	x->collect = false;
	if (!x->t_preserve && x->text.len > x->t_start) {
		char *s = x->text.data;
		size_t a = x->t_start, z = x->text.len;
		while (z > a && is_xml_space(s[z - 1]))
			z--;
		while (a < z && is_xml_space(s[a]))
			a++;
		memmove(s + x->t_start, s + a, z - a);
		x->text.len = x->t_start + (z - a);
		s[x->text.len] = '\0';
	}
	unescape_x(&x->text, x->t_start);
}

/* ---- sharedStrings.xml ---- */

static void sst_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xlsx *x = ud;
	const char *l = local(name);
	if (x->err)
		return;
	if (strcmp(l, "si") == 0) {
		x->in_si = true;
		buf_reset(&x->text);
	} else if (x->in_si && strcmp(l, "rPh") == 0) {
		x->rph++;
	} else if (x->in_si && !x->rph && strcmp(l, "t") == 0) {
		t_begin(x, attrs); /* in <si> directly or in a rich-text run <r> */
	}
}

static void sst_end(void *ud, const XML_Char *name)
{
	struct xlsx *x = ud;
	const char *l = local(name);
	if (x->err || !x->in_si)
		return;
	if (strcmp(l, "t") == 0 && x->collect) {
		t_end(x);
	} else if (strcmp(l, "rPh") == 0) {
		x->rph--;
	} else if (strcmp(l, "si") == 0) {
		if (x->nsst == x->sst_cap) {
			x->sst_cap = x->sst_cap ? 2 * x->sst_cap : 256;
			x->sst_off = xrealloc(x->sst_off, x->sst_cap * sizeof *x->sst_off);
		}
		x->sst_off[x->nsst++] = (uint32_t)x->sst.len;
		buf_append(&x->sst, x->text.data, x->text.len);
		buf_append(&x->sst, "", 1);
		x->in_si = false;
	}
}

/* ---- the worksheet ---- */

/* Phone and ID-like numbers are often stored as numbers, and some writers
 * put them as "1.3812345678E10" or "5.0": an integer value is written out
 * plainly (up to 21 digits), anything else stays as the file has it. The
 * arithmetic is on the decimal digits, so nothing is lost to a double.
 * Returns s or out (at least 32 bytes). */
static const char *plain_integer(const char *s, char *out)
{
	const char *p = s;
	bool neg = *p == '-';
	p += *p == '-' || *p == '+';
	char d[48];
	size_t nd = 0, intlen = 0;
	bool point = false;
	for (; (*p >= '0' && *p <= '9') || (*p == '.' && !point); p++) {
		if (*p == '.') {
			point = true;
		} else if (nd == sizeof d) {
			return s;
		} else {
			d[nd++] = *p;
			intlen += !point;
		}
	}
	long e = 0;
	if (*p == 'e' || *p == 'E') {
		char *endp;
		e = strtol(p + 1, &endp, 10);
		if (endp == p + 1 || e > 400 || e < -400)
			return s;
		p = endp;
	}
	if (*p || !nd)
		return s;
	/* value = 0.d × 10^k; without leading and trailing zeros it is an
	 * integer iff all nd digits lie before the point. */
	long k = (long)intlen + e;
	size_t lead = 0;
	while (lead < nd && d[lead] == '0') {
		lead++;
		k--;
	}
	while (nd > lead && d[nd - 1] == '0')
		nd--;
	if (lead == nd)
		return strcpy(out, "0");
	if (k > 21 || k < (long)(nd - lead))
		return s;
	size_t w = 0;
	if (neg)
		out[w++] = '-';
	memcpy(out + w, d + lead, nd - lead);
	w += nd - lead;
	for (long z = (long)(nd - lead); z < k; z++)
		out[w++] = '0';
	out[w] = '\0';
	return out;
}

static void row_begin(struct xlsx *x, const char **attrs)
{
	const char *r = attr(attrs, "r");
	size_t num = x->last_row + 1;
	if (r) {
		char *end;
		unsigned long v = strtoul(r, &end, 10);
		if (end == r || *end || v == 0 || v > ROWS_MAX || r[0] == '-') {
			stop(x, "%s: bad row number \"%s\"", x->part, r);
			return;
		}
		num = v;
	}
	if (num <= x->last_row || num > ROWS_MAX) {
		stop(x, "%s: row %zu: rows out of order", x->part, num);
		return;
	}
	/* Rows the file skips are blank rows; trailing ones cost nothing. */
	for (size_t k = x->last_row + 1; k < num; k++)
		table_build_row_end(&x->b, k);
	x->row = num;
	x->in_row = true;
	x->next_col = 0;
}

static void cell_begin(struct xlsx *x, const char **attrs)
{
	const char *r = attr(attrs, "r"), *t = attr(attrs, "t");
	size_t col = x->next_col;
	if (r) {
		size_t n = 0, c = 0;
		for (; n < 3 && ((r[n] >= 'A' && r[n] <= 'Z') || (r[n] >= 'a' && r[n] <= 'z')); n++)
			c = c * 26 + (size_t)((r[n] | 0x20) - 'a' + 1);
		if (!n || c > TABLE_MAX_COLS || !(r[n] >= '0' && r[n] <= '9')) {
			stop(x, "%s: row %zu: bad cell reference \"%s\"", x->part, x->row, r);
			return;
		}
		col = c - 1;
	}
	if (col < x->next_col || col >= TABLE_MAX_COLS) {
		stop(x, "%s: row %zu: cells out of order", x->part, x->row);
		return;
	}
	char letters[4], *l = letters + sizeof letters;
	*--l = '\0';
	for (size_t c = col + 1; c; c = (c - 1) / 26)
		*--l = (char)('A' + (c - 1) % 26);
	snprintf(x->ref, sizeof x->ref, "%s%zu", l, x->row);
	x->col = col;
	x->next_col = col + 1;
	x->type = !t || strcmp(t, "n") == 0 ? CELL_NUM
		: strcmp(t, "s") == 0 ? CELL_SHARED
		: strcmp(t, "str") == 0 ? CELL_STR
		: strcmp(t, "inlineStr") == 0 ? CELL_INLINE
		: strcmp(t, "b") == 0 ? CELL_BOOL
		: CELL_OTHER; /* "e" (#N/A…) and "d" (ISO date) read as written */
	x->in_c = true;
	x->has_value = false;
	buf_reset(&x->text);
}

static void cell_end(struct xlsx *x)
{
	x->in_c = false;
	if (!x->has_value) /* a styled but empty cell: leave it to padding */
		return;
	const char *v = x->text.data ? x->text.data : "";
	char num[32];
	if (x->type == CELL_SHARED) {
		char *end;
		unsigned long i = strtoul(v, &end, 10);
		if (end == v || *end || v[0] == '-' || i >= x->nsst) {
			stop(x, "cell %s: shared string \"%s\" out of range", x->ref, v);
			return;
		}
		v = x->sst.data + x->sst_off[i];
	} else if (x->type == CELL_STR) {
		unescape_x(&x->text, 0);
		v = x->text.data ? x->text.data : "";
	} else if (x->type == CELL_BOOL) {
		v = strcmp(v, "1") == 0 ? "TRUE" : strcmp(v, "0") == 0 ? "FALSE" : v;
	} else if (x->type == CELL_NUM) {
		v = plain_integer(v, num);
	}
	while (x->b.nends < x->col) {
		if (table_build_cell_end(&x->b)) {
			stop(x, "cell %s: %s", x->ref, x->b.why);
			return;
		}
	}
	if (table_build_text(&x->b, v, strlen(v)) || table_build_cell_end(&x->b)) {
		stop(x, "cell %s: %s", x->ref, x->b.why);
		return;
	}
}

static void sheet_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xlsx *x = ud;
	const char *l = local(name);
	if (x->err)
		return;
	if (!x->in_data) {
		x->in_data = strcmp(l, "sheetData") == 0;
	} else if (x->in_c) {
		if (strcmp(l, "v") == 0) { /* a formula's cached result too */
			x->has_value = x->collect = true;
		} else if (strcmp(l, "is") == 0) {
			x->has_value = x->in_is = true;
		} else if (x->in_is && strcmp(l, "rPh") == 0) {
			x->rph++;
		} else if (x->in_is && !x->rph && strcmp(l, "t") == 0) {
			t_begin(x, attrs);
		}
	} else if (strcmp(l, "row") == 0) {
		row_begin(x, attrs);
	} else if (x->in_row && strcmp(l, "c") == 0) {
		cell_begin(x, attrs);
	}
}

static void sheet_end(void *ud, const XML_Char *name)
{
	struct xlsx *x = ud;
	const char *l = local(name);
	if (x->err || !x->in_data)
		return;
	if (x->in_c) {
		if (strcmp(l, "c") == 0)
			cell_end(x);
		else if (strcmp(l, "v") == 0)
			x->collect = false;
		else if (strcmp(l, "t") == 0 && x->collect)
			t_end(x);
		else if (strcmp(l, "rPh") == 0)
			x->rph--;
		else if (strcmp(l, "is") == 0)
			x->in_is = false;
	} else if (strcmp(l, "row") == 0 && x->in_row) {
		x->in_row = false;
		x->last_row = x->row;
		if (table_build_row_end(&x->b, x->row))
			stop(x, "row %zu: %s", x->row, x->b.why);
	} else if (strcmp(l, "sheetData") == 0) {
		x->in_data = false;
	}
}

/* ---- the reader ---- */

static int read_workbook(struct xlsx *x, size_t max_rows, struct table *out)
{
	if (zip_get_num_entries(x->za, 0) > ENTRIES_MAX) {
		x->err = xasprintf("more than %d files in the zip: not a spreadsheet", ENTRIES_MAX);
		return -1;
	}
	if (parse_part(x, "xl/workbook.xml", true, workbook_start, ignore_end) < 0 ||
	    parse_part(x, "xl/_rels/workbook.xml.rels", true, rels_start, ignore_end) < 0)
		return -1;
	if (parse_part(x, x->sst_part ? x->sst_part : "xl/sharedStrings.xml", true, sst_start, sst_end) < 0)
		return -1;
	buf_reset(&x->text);
	table_build_init(&x->b, max_rows);
	int rc = 1;
	if (x->sheet_part)
		rc = parse_part(x, x->sheet_part, true, sheet_start, sheet_end);
	if (rc == 1) /* no workbook.xml, or its first sheet is not where it says */
		rc = parse_part(x, "xl/worksheets/sheet1.xml", false, sheet_start, sheet_end);
	if (rc < 0)
		return -1;
	table_build_finish(&x->b, out, "xlsx");
	return 0;
}

int table_xlsx_read(const void *data, size_t len, size_t max_rows, struct table *out, char **err)
{
	memset(out, 0, sizeof *out);
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	if (!za) {
		*err = xasprintf("not a valid XLSX (zip) file: %s", zip_error_strerror(&ze));
		zip_source_free(src); /* NULL-safe; the archive owns it once open */
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	struct xlsx x = {.za = za};
	int rc = read_workbook(&x, max_rows, out);
	table_build_abort(&x.b);
	zip_discard(za);
	free(x.sheet_rid);
	free(x.sheet_part);
	free(x.sst_part);
	buf_free(&x.sst);
	free(x.sst_off);
	buf_free(&x.text);
	if (rc)
		*err = x.err;
	else
		free(x.err);
	return rc;
}

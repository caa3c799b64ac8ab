/* table_read(): format dispatch, the row builder both readers share, and the
 * CSV reader (RFC 4180 plus what Excel and WPS actually write). */
#include "core/table.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/* ---- dispatch ---- */

int table_read(const void *data, size_t len, enum table_format format, size_t max_rows,
	       struct table *out, char **err)
{
	memset(out, 0, sizeof *out);
	*err = NULL;
	bool zip = len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
	/* OLE2 compound file: an .xls, or an .xlsx saved with a password (Excel
	 * encrypts the zip inside an OLE2 container). Read as CSV it would fail
	 * with a puzzling encoding error; say what it is instead. */
	if (len >= 8 && memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
		*err = xstrdup("an Excel 97-2003 (.xls) or password-protected workbook: "
			       "save it as .xlsx or CSV without a password");
		return -1;
	}
	if (format == TABLE_AUTO)
		format = zip ? TABLE_XLSX : TABLE_CSV;
	if (format == TABLE_CSV && zip) {
		*err = xstrdup("a zip file (XLSX?), not CSV");
		return -1;
	}
	if (format == TABLE_XLSX)
		return table_xlsx_read(data, len, max_rows, out, err);
	return table_csv_read(data, len, max_rows, out, err);
}

void table_free(struct table *t)
{
	for (size_t r = 0; r < t->rows; r++)
		free(t->cells[r]);
	free(t->cells);
	free(t->lines);
	memset(t, 0, sizeof *t);
}

/* ---- row builder (see table.h) ---- */

void table_build_init(struct table_build *b, size_t max_rows)
{
	memset(b, 0, sizeof *b);
	b->max_rows = max_rows;
}

int table_build_text(struct table_build *b, const char *p, size_t n)
{
	/* Checked before appending, so an endless quoted cell never buffers
	 * more than the limit. */
	if (b->row.len - b->cell_start + n > TABLE_CELL_MAX) {
		snprintf(b->why, sizeof b->why, "cell longer than %d bytes", TABLE_CELL_MAX);
		return -1;
	}
	if (n) {
		buf_append(&b->row, p, n);
		b->row_has_text = true;
	}
	return 0;
}

int table_build_cell_end(struct table_build *b)
{
	if (b->nends == TABLE_MAX_COLS) {
		snprintf(b->why, sizeof b->why, "more than %d columns", TABLE_MAX_COLS);
		return -1;
	}
	buf_append(&b->row, "", 1); /* the cell's NUL */
	if (b->nends == b->ends_cap) {
		b->ends_cap = b->ends_cap ? 2 * b->ends_cap : 16;
		b->ends = xrealloc(b->ends, b->ends_cap * sizeof *b->ends);
	}
	b->ends[b->nends++] = b->row.len;
	b->cell_start = b->row.len;
	return 0;
}

/* Appends a row of n cells whose NUL-terminated texts fill text[0..textlen).
 * One extra NUL after the text is the "" that padding points at. */
static void keep_row(struct table_build *b, size_t line, size_t n, const char *text, size_t textlen)
{
	struct table *t = &b->t;
	if (t->rows == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		t->cells = xrealloc(t->cells, b->cap * sizeof *t->cells);
		t->lines = xrealloc(t->lines, b->cap * sizeof *t->lines);
		b->ncells = xrealloc(b->ncells, b->cap * sizeof *b->ncells);
	}
	char **block = xmalloc(n * sizeof *block + textlen + 1);
	char *dst = (char *)(block + n);
	if (textlen)
		memcpy(dst, text, textlen);
	dst[textlen] = '\0';
	for (size_t i = 0, start = 0; i < n; start = b->ends[i++])
		block[i] = dst + start;
	t->cells[t->rows] = block;
	t->lines[t->rows] = line;
	b->ncells[t->rows] = n;
	t->rows++;
	if (n > t->cols)
		t->cols = n;
}

static void clear_row(struct table_build *b)
{
	buf_reset(&b->row);
	b->nends = 0;
	b->cell_start = 0;
	b->row_has_text = false;
}

int table_build_row_end(struct table_build *b, size_t line)
{
	if (!b->row_has_text) {
		if (b->pending++ == 0)
			b->pending_line = line;
		clear_row(b);
		return 0;
	}
	/* Limits are checked before the held-back blank rows are materialised,
	 * so neither they nor padding can outgrow what the limits allow. */
	size_t rows = b->t.rows + b->pending + 1;
	if (rows > b->max_rows) {
		snprintf(b->why, sizeof b->why, "more than %zu rows", b->max_rows);
		return -1;
	}
	size_t cols = b->nends > b->t.cols ? b->nends : b->t.cols;
	if (cols && rows > TABLE_MAX_CELLS / cols) {
		snprintf(b->why, sizeof b->why, "more than %u cells (rows × columns)", TABLE_MAX_CELLS);
		return -1;
	}
	for (size_t i = 0; i < b->pending; i++)
		keep_row(b, b->pending_line + i, 0, NULL, 0);
	b->pending = 0;
	keep_row(b, line, b->nends, b->row.data, b->row.len);
	clear_row(b);
	return 0;
}

/* Rebuilds row r with t->cols cells, the missing ones pointing at the
 * block's spare NUL. */
static void pad_row(struct table *t, size_t r, size_t n)
{
	char **old = t->cells[r];
	const char *text = (const char *)(old + n);
	size_t textlen = n ? (size_t)(old[n - 1] - text) + strlen(old[n - 1]) + 1 : 0;
	char **block = xmalloc(t->cols * sizeof *block + textlen + 1);
	char *dst = (char *)(block + t->cols);
	if (textlen)
		memcpy(dst, text, textlen);
	dst[textlen] = '\0';
	for (size_t c = 0; c < n; c++)
		block[c] = dst + (old[c] - text);
	for (size_t c = n; c < t->cols; c++)
		block[c] = dst + textlen;
	free(old);
	t->cells[r] = block;
}

void table_build_finish(struct table_build *b, struct table *out, const char *encoding)
{
	for (size_t r = 0; r < b->t.rows; r++)
		if (b->ncells[r] < b->t.cols)
			pad_row(&b->t, r, b->ncells[r]);
	b->t.encoding = encoding;
	*out = b->t;
	memset(&b->t, 0, sizeof b->t); /* now owned by *out */
	table_build_abort(b);
}

void table_build_abort(struct table_build *b)
{
	table_free(&b->t);
	free(b->ncells);
	free(b->ends);
	buf_free(&b->row);
	memset(b, 0, sizeof *b);
}

/* ---- encoding ---- */

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF), so
 * that GB18030 text, which is rarely valid UTF-8 by accident, is not taken
 * for it. Returns the length of the valid prefix. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		/* Registers are mostly digits and ASCII punctuation: skip 8 at once. */
		uint64_t w;
		if (n - i >= 8 && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080u))) {
			i += 8;
			continue;
		}
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t need = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 0;
		if (!need || n - i <= need)
			return i;
		uint32_t cp = c & (0x3F >> need);
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return i;
		i += need + 1;
	}
	return n;
}

/* Lines before offset n: LF, CR or CRLF each end one. */
static size_t count_lines(const char *p, size_t n)
{
	size_t lines = 1;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\n' || (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n')))
			lines++;
	return lines;
}

/* Converts in[0..len) from `from` to UTF-8 into *out (caller frees).
 * Returns 0, or -1 with *err naming the line and byte of the first bad one. */
static int to_utf8(const char *from, const char *in, size_t len, size_t offset0, char **out,
		   size_t *outlen, char **err)
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1) {
		*err = xasprintf("cannot convert from %s: %s", from, strerror(errno));
		return -1;
	}
	/* Both GB18030 and UTF-16 grow by at most half in UTF-8; the loop
	 * still copes should a converter think otherwise. */
	size_t cap = len + len / 2 + 16;
	char *dst = xmalloc(cap);
	char *ip = (char *)in, *op = dst;
	size_t il = len, ol = cap;
	while (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		if (errno != E2BIG) {
			/* What converted so far is the text before the bad byte. */
			size_t done = (size_t)(op - dst);
			*err = xasprintf("line %zu, byte %zu: neither UTF-8 nor %s text",
					 count_lines(dst, done), offset0 + (size_t)(ip - in) + 1, from);
			free(dst);
			iconv_close(cd);
			return -1;
		}
		size_t used = (size_t)(op - dst);
		cap *= 2;
		dst = xrealloc(dst, cap);
		op = dst + used;
		ol = cap - used;
	}
	iconv_close(cd);
	*out = dst;
	*outlen = (size_t)(op - dst);
	return 0;
}

/* Finds the encoding and hands back UTF-8 text: borrowed from data when it
 * already is, else converted into *owned (caller frees). */
static int decode(const char *data, size_t len, const char **text, size_t *n, char **owned,
		  const char **encoding, char **err)
{
	*owned = NULL;
	if (len >= 2 && (memcmp(data, "\xFF\xFE", 2) == 0 || memcmp(data, "\xFE\xFF", 2) == 0)) {
		/* Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated. */
		*encoding = "utf-16";
		if (to_utf8(data[0] == '\xFF' ? "UTF-16LE" : "UTF-16BE", data + 2, len - 2, 2, owned, n, err))
			return -1;
		*text = *owned;
		return 0;
	}
	bool bom = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0;
	size_t skip = bom ? 3 : 0;
	size_t valid = utf8_valid_prefix((const unsigned char *)data + skip, len - skip);
	if (valid == len - skip) {
		*encoding = "utf-8";
		*text = data + skip;
		*n = len - skip;
		return 0;
	}
	if (bom) { /* the file says UTF-8: do not guess otherwise */
		*err = xasprintf("line %zu, byte %zu: invalid UTF-8", count_lines(data + 3, valid), valid + 4);
		return -1;
	}
	*encoding = "gb18030";
	if (to_utf8("GB18030", data, len, 0, owned, n, err))
		return -1;
	*text = *owned;
	return 0;
}

/* ---- CSV ---- */

/* The separator: Excel's "sep=X" first line (skipped: *skip bytes), else
 * ',' unless the header line has no comma outside quotes but has ';'
 * (European Excel) or tabs (copy-paste, "Unicode text"). */
static char detect_sep(const char *p, size_t n, size_t *skip)
{
	*skip = 0;
	if (n >= 5 && memcmp(p, "sep=", 4) == 0 && p[4] != '"' && p[4] != '\r' && p[4] != '\n' &&
	    (n == 5 || p[5] == '\r' || p[5] == '\n')) {
		*skip = n == 5 ? 5 : p[5] == '\r' && n > 6 && p[6] == '\n' ? 7 : 6;
		return p[4];
	}
	size_t semis = 0, tabs = 0;
	bool quoted = false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (c == '\n' || c == '\r')
			break;
		else if (c == ',')
			return ',';
		else if (c == ';')
			semis++;
		else if (c == '\t')
			tabs++;
	}
	return tabs > semis ? '\t' : semis ? ';' : ',';
}

/* Counts the line ends in a quoted run, where they are cell text. */
static size_t newlines_in(const char *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\n' ? i == 0 || p[i - 1] != '\r' : p[i] == '\r')
			k++;
	return k;
}

static int csv_fail(struct table_build *b, char **err, size_t line, const char *why)
{
	*err = xasprintf("line %zu: %s", line, why);
	table_build_abort(b);
	return -1;
}

static int parse_csv(const char *p, size_t n, size_t max_rows, struct table_build *b, char **err)
{
	size_t skip;
	char sep = detect_sep(p, n, &skip);
	size_t i = skip, line = skip ? 2 : 1;
	table_build_init(b, max_rows);
	while (i < n) { /* one record */
		size_t rec_line = line;
		for (;;) { /* one field */
			size_t cell_line = line;
			if (i < n && p[i] == '"') {
				for (i++;;) {
					const char *q = memchr(p + i, '"', n - i);
					if (!q)
						return csv_fail(b, err, cell_line, "unterminated quote");
					size_t run = (size_t)(q - p) - i;
					line += newlines_in(p + i, run);
					if (table_build_text(b, p + i, run))
						return csv_fail(b, err, cell_line, b->why);
					i += run + 1;
					if (i < n && p[i] == '"') { /* "" is a quote */
						if (table_build_text(b, "\"", 1))
							return csv_fail(b, err, cell_line, b->why);
						i++;
						continue;
					}
					break;
				}
			}
			/* An unquoted field, or text after a closing quote, which Excel
			 * keeps as is ("a"b reads as ab) rather than rejecting. */
			size_t start = i;
			while (i < n && p[i] != sep && p[i] != '\n' && p[i] != '\r')
				i++;
			if (table_build_text(b, p + start, i - start) || table_build_cell_end(b))
				return csv_fail(b, err, cell_line, b->why);
			if (i < n && p[i] == sep) {
				i++;
				continue;
			}
			if (i < n) { /* the line end, CR LF or CRLF, is not cell text */
				i += p[i] == '\r' && i + 1 < n && p[i + 1] == '\n' ? 2 : 1;
				line++;
			}
			break;
		}
		if (table_build_row_end(b, rec_line))
			return csv_fail(b, err, rec_line, b->why);
	}
	return 0;
}

int table_csv_read(const void *data, size_t len, size_t max_rows, struct table *out, char **err)
{
	const char *text, *encoding;
	size_t n;
	char *owned;
	memset(out, 0, sizeof *out);
	if (len == 0) {
		out->encoding = "utf-8";
		return 0;
	}
	if (decode(data, len, &text, &n, &owned, &encoding, err))
		return -1;
	/* Cells are C strings: a NUL would silently cut one short. */
	const char *nul = memchr(text, '\0', n);
	if (nul) {
		*err = xasprintf("line %zu: NUL byte (not a text file?)", count_lines(text, (size_t)(nul - text)));
		free(owned);
		return -1;
	}
	struct table_build b;
	int rc = parse_csv(text, n, max_rows, &b, err);
	if (rc == 0)
		table_build_finish(&b, out, encoding);
	free(owned);
	return rc;
}

/* Spreadsheet input: the registers grid workers export from Excel or WPS,
 * as CSV (UTF-8 with or without BOM, GB18030/GBK from Chinese Windows,
 * UTF-16 from Excel's "Unicode text") or XLSX, read into one shape: rows of
 * UTF-8 cells. The reader interprets nothing (no header matching, no
 * trimming, no date mapping); that is the importer's job, which can then
 * treat both formats alike. */
#ifndef WG_CORE_TABLE_H
#define WG_CORE_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Limits, enforced while reading so that a hostile file costs at most about
 * this much memory: TABLE_MAX_CELLS pointers once ragged rows are padded. */
#define TABLE_CELL_MAX 32768       /* bytes of UTF-8 in one cell */
#define TABLE_MAX_COLS 16384       /* XLSX's own limit (column XFD) */
#define TABLE_MAX_CELLS (1u << 24) /* rows × cols, e.g. 100,000 × 167 */

/* A table read from a file: rows of cells, all text in UTF-8. Row 0 is the
 * header as the file has it. Everything is owned by the table and freed by
 * table_free(); copy a cell to keep it. */
struct table {
	size_t rows, cols;     /* cols = the widest row */
	char ***cells;         /* cells[r][c], NUL-terminated UTF-8, "" for empty; every row has cols cells */
	size_t *lines;         /* lines[r]: the 1-based line (CSV) or row number (XLSX) where row r starts */
	const char *encoding;  /* static: "utf-8", "gb18030", "utf-16" or "xlsx" */
};

enum table_format { TABLE_AUTO, TABLE_CSV, TABLE_XLSX };

/* Reads data (len bytes, borrowed). AUTO: "PK\x03\x04" → XLSX, else CSV.
 * Returns 0 with *out filled (free with table_free), or -1 with *out empty
 * and *err set (caller frees; one line saying what and where, e.g.
 * "line 12: unterminated quote").
 *
 * At most max_rows rows, the header included: a caller importing 100,000
 * records passes 100,001. Trailing rows whose cells are all empty (a final
 * newline, blank lines, Excel's formatted but empty rows) are dropped and
 * not counted; blank rows in the middle are kept so that lines[] stays true.
 * A cell is at most TABLE_CELL_MAX bytes; a row at most TABLE_MAX_COLS. */
int table_read(const void *data, size_t len, enum table_format format, size_t max_rows,
	       struct table *out, char **err);

/* Frees what t owns and empties it; safe on an emptied or zeroed table. */
void table_free(struct table *t);

/* ---- Internal: shared by table_csv.c and table_xlsx.c; callers use
 * table_read(). ----
 *
 * A table is built one row at a time: table_build_text() adds bytes to the
 * current cell, table_build_cell_end() closes it, table_build_row_end()
 * closes the row. Each kept row is ONE allocation (its cell pointers followed
 * by its text) because 100,000 rows × 8 cells as separate strings would cost
 * 800,000 malloc calls and their headers.
 *
 * Rows whose cells are all empty are held back as a count (`pending`) and
 * only materialised when a non-empty row follows, so trailing blank rows are
 * dropped and a sheet of a million formatted but empty rows costs nothing.
 * Held-back rows are always on consecutive lines (an empty row cannot span
 * lines: it has no quoted newline), so the first line is enough to restore
 * lines[] for all of them. */
struct table_build {
	struct table t;       /* rows kept so far, not yet padded to t.cols */
	size_t cap;           /* allocated length of t.cells, t.lines, ncells */
	size_t *ncells;       /* cells in each kept row before padding */
	struct buf row;       /* the current row's cells, each NUL-terminated */
	size_t *ends;         /* ends[i]: offset in row just past cell i's NUL */
	size_t nends, ends_cap;
	size_t cell_start;    /* offset in row where the current cell starts */
	bool row_has_text;
	size_t pending, pending_line;
	size_t max_rows;
	char why[96];         /* after a -1: what went wrong; the caller adds where */
};

void table_build_init(struct table_build *b, size_t max_rows);
/* Return 0, or -1 with b->why set (cell, column, row or size limit). */
int table_build_text(struct table_build *b, const char *p, size_t n);
int table_build_cell_end(struct table_build *b);
int table_build_row_end(struct table_build *b, size_t line);
/* Pads every row to the widest and moves the result to *out; b is emptied. */
void table_build_finish(struct table_build *b, struct table *out, const char *encoding);
void table_build_abort(struct table_build *b);

/* The two readers behind table_read(); same contract. */
int table_csv_read(const void *data, size_t len, size_t max_rows, struct table *out, char **err);
int table_xlsx_read(const void *data, size_t len, size_t max_rows, struct table *out, char **err);

#endif

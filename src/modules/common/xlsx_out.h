/* XLSX answers: libxlsxwriter writes only to a file, so a workbook is
 * built in a private temporary file and read back into memory. */
#ifndef WG_MODULES_XLSX_OUT_H
#define WG_MODULES_XLSX_OUT_H

#include <stddef.h>
#include <xlsxwriter.h>

struct xlsx_out {
	char path[40];
	lxw_workbook *wb;
};

/* A new workbook in a fresh temporary file; NULL when none could be made. */
lxw_workbook *xlsx_out_begin(struct xlsx_out *x);
/* Closes the workbook, reads the file, removes it. The bytes (caller
 * frees) or NULL on failure; *len gets their count. */
void *xlsx_out_finish(struct xlsx_out *x, size_t *len);

#endif

#include "modules/common/xlsx_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"

lxw_workbook *xlsx_out_begin(struct xlsx_out *x)
{
	snprintf(x->path, sizeof x->path, "/tmp/wangge-sheet-XXXXXX.xlsx");
	x->wb = NULL;
	int fd = mkstemps(x->path, 5);
	if (fd < 0)
		return NULL;
	close(fd);
	x->wb = workbook_new(x->path);
	if (!x->wb)
		unlink(x->path);
	return x->wb;
}

void *xlsx_out_finish(struct xlsx_out *x, size_t *len)
{
	void *data = NULL;
	if (x->wb && workbook_close(x->wb) == LXW_NO_ERROR) {
		FILE *f = fopen(x->path, "rb");
		struct stat st;
		if (f && fstat(fileno(f), &st) == 0) {
			data = xmalloc((size_t)st.st_size + 1);
			*len = fread(data, 1, (size_t)st.st_size, f);
		}
		if (f)
			fclose(f);
	}
	x->wb = NULL;
	unlink(x->path);
	return data;
}

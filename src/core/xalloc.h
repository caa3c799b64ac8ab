/* Allocation that never returns NULL: running out of memory is fatal, so no
 * call site carries an untested out-of-memory branch. */
#ifndef WG_CORE_XALLOC_H
#define WG_CORE_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* Each returns memory the caller frees with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif

/* A growable byte buffer, always NUL-terminated so text can be read in place. */
#ifndef WG_CORE_BUF_H
#define WG_CORE_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
};

void buf_append(struct buf *b, const void *p, size_t n);
/* Makes room for extra more bytes at once, when the caller knows roughly
 * how much is coming (saves the doublings on the way). */
void buf_reserve(struct buf *b, size_t extra);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as the inside of a JSON string (no quotes); bytes that are not
 * UTF-8 become U+FFFD. */
void buf_json_escape(struct buf *b, const char *s);
void buf_reset(struct buf *b);
/* Hands the data to the caller (caller frees) and empties the buffer. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

#endif

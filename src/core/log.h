/* Diagnostics on stderr, one line each. Access logs are written by the HTTP
 * layer through log_line() so a line is never interleaved with another. */
#ifndef WG_CORE_LOG_H
#define WG_CORE_LOG_H

#include <stdbool.h>

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A broken invariant: our bug, not the client's. Logged loudly; aborts in
 * debug builds so tests catch it, carries on in release builds. */
void log_bug(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define WG_BUG(...) log_bug(__FILE__, __LINE__, __VA_ARGS__)

/* Writes one complete line (the newline is added) with a single write(2). */
void log_line(const char *text, unsigned long len);
void log_set_quiet(bool quiet);

#endif

#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool log_quiet;

void log_set_quiet(bool quiet)
{
	log_quiet = quiet;
}

static void log_write(const char *level, const char *fmt, va_list ap)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += snprintf(line + n, sizeof line - (size_t)n, "%s: ", level);
	if (n < (int)sizeof line)
		n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	if (n >= (int)sizeof line - 1)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	/* One write per line: lines from several threads never interleave. */
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}

void log_info(const char *fmt, ...)
{
	if (log_quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_write("info", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_write("warn", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_write("error", fmt, ap);
	va_end(ap);
}

void log_bug(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_error("BUG at %s:%d: %s", file, line, msg);
#ifndef NDEBUG
	abort();
#endif
}

void log_line(const char *text, unsigned long len)
{
	if (log_quiet)
		return;
	char stack[1024];
	char *p = len + 1 <= sizeof stack ? stack : malloc(len + 1);
	if (!p)
		return;
	memcpy(p, text, len);
	p[len] = '\n';
	ssize_t w = write(STDERR_FILENO, p, len + 1);
	(void)w;
	if (p != stack)
		free(p);
}

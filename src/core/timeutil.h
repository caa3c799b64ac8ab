/* Time: the API speaks RFC 3339 in UTC; the database keeps integers. */
#ifndef WG_CORE_TIMEUTIL_H
#define WG_CORE_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

/* Seconds and milliseconds since the epoch, wall clock. */
int64_t time_now(void);
int64_t time_now_ms(void);
/* "2026-11-22T19:50:37Z" (seconds) into out (at least 25 bytes). */
void time_format(int64_t seconds, char *out);
/* "2026-11-22T19:50:37.123Z" (milliseconds) into out (at least 30 bytes). */
void time_format_ms(int64_t ms, char *out);
/* Parses RFC 3339 with Z or an offset, optional fraction; false if malformed. */
bool time_parse_ms(const char *text, int64_t *ms);

#endif

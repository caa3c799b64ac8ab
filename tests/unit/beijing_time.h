/* Test helpers for instants in Beijing time (UTC+8, no daylight saving),
 * the time the working calendar speaks. Header-only: each test is its own
 * program. Include after <cmocka.h> (fail_msg). */
#ifndef WG_TESTS_BEIJING_TIME_H
#define WG_TESTS_BEIJING_TIME_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* "2026-02-13 17:00" Beijing time as Unix seconds. */
static int64_t at(const char *s)
{
	struct tm tm = {0};
	if (sscanf(s, "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min) != 5)
		fail_msg("bad test time '%s'", s);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) - 8 * 3600;
}

/* The instant as "2026-02-13 17:00:00 Fri" Beijing time, for messages. */
static const char *show(int64_t t, char out[32])
{
	time_t local = (time_t)(t + 8 * 3600);
	struct tm tm;
	gmtime_r(&local, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S %a", &tm);
	return out;
}

#endif

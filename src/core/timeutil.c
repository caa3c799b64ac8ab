#include "core/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* WANGGE_FAKE_NOW=<RFC 3339> starts the clock at that instant; it then
 * runs at the real rate. For drills and tests of time limits (a case due
 * after a holiday), never for production: it is read once, at first use. */
static int64_t clock_offset_ms;
static pthread_once_t clock_once = PTHREAD_ONCE_INIT;

static void clock_init(void)
{
	const char *fake = getenv("WANGGE_FAKE_NOW");
	int64_t at;
	if (fake && *fake && time_parse_ms(fake, &at)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		clock_offset_ms = at - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	}
}

int64_t time_now_ms(void)
{
	pthread_once(&clock_once, clock_init);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms;
}

int64_t time_now(void)
{
	int64_t ms = time_now_ms();
	return ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
}

void time_format(int64_t seconds, char *out)
{
	time_t t = (time_t)seconds;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 25, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_format_ms(int64_t ms, char *out)
{
	int64_t s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	time_t t = (time_t)s;
	struct tm tm;
	gmtime_r(&t, &tm);
	char base[24];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 30, "%s.%03dZ", base, (int)(ms - s * 1000));
}

static bool digits(const char *p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

bool time_parse_ms(const char *text, int64_t *ms)
{
	int y, mo, d, h, mi, s;
	if (strlen(text) < 20 || !digits(text, 4, &y) || text[4] != '-' || !digits(text + 5, 2, &mo) ||
	    text[7] != '-' || !digits(text + 8, 2, &d) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
	    !digits(text + 11, 2, &h) || text[13] != ':' || !digits(text + 14, 2, &mi) || text[16] != ':' ||
	    !digits(text + 17, 2, &s))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return false;
	const char *p = text + 19;
	int frac = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		while (*p >= '0' && *p <= '9') {
			if (n < 3)
				frac = frac * 10 + (*p - '0');
			n++;
			p++;
		}
		if (!n)
			return false;
		for (; n < 3; n++)
			frac *= 10;
	}
	int offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		offset = (oh * 60 + om) * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
	time_t t = timegm(&tm);
	struct tm back;
	gmtime_r(&t, &back);
	if (back.tm_mday != d) /* 31 February and the like */
		return false;
	*ms = ((int64_t)t - (int64_t)offset * 60) * 1000 + frac;
	return true;
}

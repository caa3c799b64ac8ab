#include "core/workcal.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"

/* Asia/Shanghai has been UTC+8 without daylight saving since 1991, so a local
 * date is a plain offset away and no tz database is consulted. Earlier
 * instants (1986-1991 had DST) are off by an hour in summer; no case is that
 * old. */
#define WORKCAL_TZ_OFFSET (8 * 3600)
#define WORKCAL_DAY 86400
#define WORKCAL_MAX_PERIODS 8
/* A longer range is surely a typo (a wrong year), and bounding it bounds the
 * memory the overlap check expands into. */
#define WORKCAL_MAX_RANGE 366
/* About 20,000 years of working time: keeps minutes * 60 and the day
 * arithmetic far from overflow whatever the caller passes. */
#define WORKCAL_MAX_MINUTES INT32_MAX

struct workcal_period {
	int32_t start, end; /* seconds since local midnight, start < end */
};

/* One holiday or workday line, kept as written so format() can give the
 * admin editor back the ranges and labels rather than a list of days. */
struct workcal_entry {
	bool holiday;
	int64_t first, last; /* day numbers (days since 1970-01-01), inclusive */
	int line;
	char *label; /* owned; "" when none */
};

struct workcal {
	struct workcal_period periods[WORKCAL_MAX_PERIODS]; /* sorted, disjoint */
	int nperiods;
	int64_t day_secs; /* working seconds in one working day, > 0 */
	struct workcal_entry *entries;
	size_t nentries;
	/* Only the days that change the Monday-Friday rule, sorted, so that both
	 * a lookup and "how many working days in [a, b)" are binary searches. */
	int64_t *off; /* holidays falling on Monday to Friday */
	size_t noff;
	int64_t *on; /* workdays falling on Saturday or Sunday */
	size_t non;
};

/* ---- day arithmetic ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Howard Hinnant's civil-from-days and inverse (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t local_day(int64_t t)
{
	return floor_div(t + WORKCAL_TZ_OFFSET, WORKCAL_DAY);
}

static int64_t day_start(int64_t day)
{
	return day * WORKCAL_DAY - WORKCAL_TZ_OFFSET;
}

/* Day 4, 1970-01-05, was a Monday; 0 = Monday ... 6 = Sunday. */
static int weekday(int64_t day)
{
	return (int)(day - 4 - 7 * floor_div(day - 4, 7));
}

static bool is_weekend(int64_t day)
{
	return weekday(day) >= 5;
}

/* Mondays to Fridays in [day 4, day), negative before it: differences of
 * this count the weekdays in any range in constant time. */
static int64_t weekdays_before(int64_t day)
{
	int64_t w = floor_div(day - 4, 7);
	int64_t r = day - 4 - 7 * w;
	return 5 * w + (r < 5 ? r : 5);
}

static size_t lower_bound(const int64_t *a, size_t n, int64_t day)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool contains(const int64_t *a, size_t n, int64_t day)
{
	size_t i = lower_bound(a, n, day);
	return i < n && a[i] == day;
}

static bool day_works(const struct workcal *c, int64_t day)
{
	return is_weekend(day) ? contains(c->on, c->non, day) : !contains(c->off, c->noff, day);
}

/* Working days in [d1, d2), d1 <= d2. */
static int64_t working_days(const struct workcal *c, int64_t d1, int64_t d2)
{
	int64_t off = (int64_t)(lower_bound(c->off, c->noff, d2) - lower_bound(c->off, c->noff, d1));
	int64_t on = (int64_t)(lower_bound(c->on, c->non, d2) - lower_bound(c->on, c->non, d1));
	return weekdays_before(d2) - weekdays_before(d1) - off + on;
}

/* The (n+1)-th working day at or after day (n >= 0). Growing the range by k
 * days adds at most k working days, so stepping by the shortfall never
 * overshoots; each step is a few binary searches and the shortfall shrinks
 * geometrically, so long spans cost a handful of steps. Weekdays never run
 * out (holiday lines are finite), so the loop ends. */
static int64_t nth_workday(const struct workcal *c, int64_t day, int64_t n)
{
	int64_t want = n + 1, end = day, got = 0;
	while (got < want) {
		end += want - got;
		got = working_days(c, day, end);
	}
	/* [day, end) holds exactly want working days: the last one is ours. */
	int64_t x = end - 1;
	while (!day_works(c, x))
		x--;
	return x;
}

/* Working seconds of day within local seconds [from, to). */
static int64_t secs_in_day(const struct workcal *c, int64_t day, int64_t from, int64_t to)
{
	if (!day_works(c, day))
		return 0;
	int64_t sum = 0;
	for (int i = 0; i < c->nperiods; i++) {
		int64_t s = from > c->periods[i].start ? from : c->periods[i].start;
		int64_t e = to < c->periods[i].end ? to : c->periods[i].end;
		if (e > s)
			sum += e - s;
	}
	return sum;
}

/* ---- queries ---- */

bool workcal_is_workday(const struct workcal *c, int64_t t)
{
	return day_works(c, local_day(t));
}

int64_t workcal_add_minutes(const struct workcal *c, int64_t from, int64_t minutes)
{
	int64_t left = (minutes < 0 ? 0 : minutes > WORKCAL_MAX_MINUTES ? WORKCAL_MAX_MINUTES : minutes) * 60;
	int64_t day = local_day(from), sod = from - day_start(day);
	if (day_works(c, day)) {
		for (int i = 0; i < c->nperiods; i++) {
			if (sod >= c->periods[i].end)
				continue;
			int64_t start = sod > c->periods[i].start ? sod : c->periods[i].start;
			if (left <= c->periods[i].end - start)
				return day_start(day) + start + left;
			left -= c->periods[i].end - start;
		}
	}
	/* Whole working days first, then the rest, which is in (0, day_secs]
	 * (or 0 for "the next working moment"), inside one day. */
	int64_t full = left == 0 ? 0 : (left - 1) / c->day_secs;
	day = nth_workday(c, day + 1, full);
	left -= full * c->day_secs;
	for (int i = 0; i < c->nperiods; i++) {
		int64_t len = c->periods[i].end - c->periods[i].start;
		if (left <= len)
			return day_start(day) + c->periods[i].start + left;
		left -= len;
	}
	abort(); /* left <= day_secs, the sum of the lengths */
}

int64_t workcal_minutes_between(const struct workcal *c, int64_t a, int64_t b)
{
	if (b <= a)
		return 0;
	int64_t da = local_day(a), db = local_day(b);
	int64_t sa = a - day_start(da), sb = b - day_start(db);
	int64_t secs;
	if (da == db)
		secs = secs_in_day(c, da, sa, sb);
	else
		secs = secs_in_day(c, da, sa, WORKCAL_DAY) + working_days(c, da + 1, db) * c->day_secs +
		       secs_in_day(c, db, 0, sb);
	return secs / 60;
}

int64_t workcal_add_days(const struct workcal *c, int64_t from, int days)
{
	int64_t day = local_day(from);
	day = days <= 0 ? nth_workday(c, day, 0) : nth_workday(c, day + 1, days - 1);
	return day_start(day) + c->periods[c->nperiods - 1].end;
}

/* ---- parsing ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Trims s in place and answers it. */
static char *trim(char *s)
{
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* "YYYY-MM-DD", exactly, a real date between 1900 and 2999. */
static bool parse_date(const char *s, size_t n, int64_t *day)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return false;
	*day = days_from_civil(y, m, d);
	return true;
}

/* "HH:MM" from 00:00 to 24:00, as seconds since midnight. */
static bool parse_hhmm(const char *s, size_t n, int32_t *secs)
{
	if (n != 5 || s[2] != ':')
		return false;
	int h = digits(s, 2), m = digits(s + 3, 2);
	if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0))
		return false;
	*secs = (h * 60 + m) * 60;
	return true;
}

static int period_cmp(const void *a, const void *b)
{
	const struct workcal_period *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/* Each parse_* answers NULL or an error without the line prefix (caller
 * frees). v is the trimmed value, writable. */
static char *parse_hours(struct workcal *c, char *v)
{
	if (c->nperiods > 0)
		return xstrdup("a second 'hours' line");
	for (char *piece = v; piece;) {
		char *comma = strchr(piece, ',');
		if (comma)
			*comma = '\0';
		char *p = trim(piece), *dash = strchr(p, '-');
		if (!dash)
			return xasprintf("'%s' is not HH:MM-HH:MM", p);
		*dash = '\0';
		char *a = trim(p), *b = trim(dash + 1);
		struct workcal_period per;
		if (!parse_hhmm(a, strlen(a), &per.start) || !parse_hhmm(b, strlen(b), &per.end))
			return xasprintf("'%s-%s' is not HH:MM-HH:MM", a, b);
		if (per.end <= per.start)
			return xasprintf("period %s-%s ends before it starts", a, b);
		if (c->nperiods == WORKCAL_MAX_PERIODS)
			return xasprintf("more than %d periods", WORKCAL_MAX_PERIODS);
		c->periods[c->nperiods++] = per;
		piece = comma ? comma + 1 : NULL;
	}
	qsort(c->periods, (size_t)c->nperiods, sizeof c->periods[0], period_cmp);
	c->day_secs = 0;
	for (int i = 0; i < c->nperiods; i++) {
		if (i > 0 && c->periods[i].start < c->periods[i - 1].end)
			return xstrdup("overlapping periods");
		c->day_secs += c->periods[i].end - c->periods[i].start;
	}
	return NULL;
}

static char *parse_days(struct workcal *c, bool holiday, char *v, int line)
{
	size_t n = strcspn(v, " \t");
	char *label = trim(v + n);
	v[n] = '\0';
	char *dots = strstr(v, "..");
	struct workcal_entry e = {.holiday = holiday, .line = line};
	if (!parse_date(v, dots ? (size_t)(dots - v) : n, &e.first))
		return xasprintf("'%s' is not a date (YYYY-MM-DD) or range (YYYY-MM-DD..YYYY-MM-DD)", v);
	e.last = e.first;
	if (dots && !parse_date(dots + 2, strlen(dots + 2), &e.last))
		return xasprintf("'%s' is not a date (YYYY-MM-DD)", dots + 2);
	if (e.last < e.first)
		return xasprintf("range %s ends before it starts", v);
	if (e.last - e.first >= WORKCAL_MAX_RANGE)
		return xasprintf("range %s is longer than %d days", v, WORKCAL_MAX_RANGE);
	e.label = xstrdup(label);
	c->entries = xrealloc(c->entries, (c->nentries + 1) * sizeof *c->entries);
	c->entries[c->nentries++] = e;
	return NULL;
}

static char *parse_line(struct workcal *c, char *line, int lineno)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	line = trim(line);
	if (!*line)
		return NULL;
	char *eq = strchr(line, '=');
	if (!eq)
		return xstrdup("expected key = value");
	*eq = '\0';
	char *key = trim(line), *v = trim(eq + 1);
	if (!strcmp(key, "hours"))
		return parse_hours(c, v);
	if (!strcmp(key, "holiday") || !strcmp(key, "workday"))
		return parse_days(c, key[0] == 'h', v, lineno);
	return xasprintf("unknown key '%s' (hours, holiday or workday)", key);
}

struct workcal_day {
	int64_t day;
	const struct workcal_entry *entry;
};

static int day_cmp(const void *a, const void *b)
{
	const struct workcal_day *x = a, *y = b;
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	return (x->entry->line > y->entry->line) - (x->entry->line < y->entry->line);
}

/* Expands the lines into days, rejects a day listed twice (naming the later
 * line, so the admin looks at what was just added) and keeps the days that
 * change the weekday rule. */
static char *index_days(struct workcal *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nentries; i++)
		n += (size_t)(c->entries[i].last - c->entries[i].first + 1);
	struct workcal_day *days = xcalloc(n ? n : 1, sizeof *days);
	size_t k = 0;
	for (size_t i = 0; i < c->nentries; i++)
		for (int64_t d = c->entries[i].first; d <= c->entries[i].last; d++)
			days[k++] = (struct workcal_day){d, &c->entries[i]};
	qsort(days, n, sizeof *days, day_cmp);
	const struct workcal_day *clash = NULL;
	for (size_t i = 1; i < n; i++)
		if (days[i].day == days[i - 1].day && (!clash || days[i].entry->line < clash[1].entry->line))
			clash = &days[i - 1];
	char *err = NULL;
	if (clash) {
		int y, m, d;
		civil_from_days(clash->day, &y, &m, &d);
		err = xasprintf("line %d: %04d-%02d-%02d is already listed on line %d", clash[1].entry->line, y, m, d,
				clash->entry->line);
	} else {
		c->off = xcalloc(n ? n : 1, sizeof *c->off);
		c->on = xcalloc(n ? n : 1, sizeof *c->on);
		for (size_t i = 0; i < n; i++) {
			if (days[i].entry->holiday && !is_weekend(days[i].day))
				c->off[c->noff++] = days[i].day;
			else if (!days[i].entry->holiday && is_weekend(days[i].day))
				c->on[c->non++] = days[i].day;
		}
	}
	free(days);
	return err;
}

struct workcal *workcal_parse(const char *text, char **err)
{
	struct workcal *c = xcalloc(1, sizeof *c);
	char *copy = xstrdup(text ? text : ""), *why = NULL;
	int lineno = 0;
	for (char *line = copy; line && !why;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		char *e = parse_line(c, line, lineno);
		if (e) {
			why = xasprintf("line %d: %s", lineno, e);
			free(e);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(copy);
	if (!why && c->nperiods == 0)
		why = xstrdup("no 'hours' line");
	if (!why)
		why = index_days(c);
	if (why) {
		workcal_free(c);
		if (err)
			*err = why;
		else
			free(why);
		return NULL;
	}
	return c;
}

void workcal_free(struct workcal *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nentries; i++)
		free(c->entries[i].label);
	free(c->entries);
	free(c->off);
	free(c->on);
	free(c);
}

/* ---- formatting ---- */

static void put_date(struct buf *b, int64_t day)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	buf_printf(b, "%04d-%02d-%02d", y, m, d);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct workcal_entry *const *x = a, *const *y = b;
	if ((*x)->first != (*y)->first)
		return ((*x)->first > (*y)->first) - ((*x)->first < (*y)->first);
	return ((*x)->line > (*y)->line) - ((*x)->line < (*y)->line);
}

char *workcal_format(const struct workcal *c)
{
	struct buf b = {0};
	buf_puts(&b, "# Working calendar, Asia/Shanghai local time (UTC+8)\nhours = ");
	for (int i = 0; i < c->nperiods; i++) {
		int32_t s = c->periods[i].start / 60, e = c->periods[i].end / 60;
		buf_printf(&b, "%s%02d:%02d-%02d:%02d", i ? ", " : "", (int)(s / 60), (int)(s % 60), (int)(e / 60),
			   (int)(e % 60));
	}
	buf_puts(&b, "\n");
	const struct workcal_entry **order = xcalloc(c->nentries ? c->nentries : 1, sizeof *order);
	for (size_t i = 0; i < c->nentries; i++)
		order[i] = &c->entries[i];
	qsort(order, c->nentries, sizeof *order, entry_cmp);
	for (size_t i = 0; i < c->nentries; i++) {
		buf_puts(&b, order[i]->holiday ? "holiday = " : "workday = ");
		put_date(&b, order[i]->first);
		if (order[i]->last != order[i]->first) {
			buf_puts(&b, "..");
			put_date(&b, order[i]->last);
		}
		if (*order[i]->label)
			buf_printf(&b, "  %s", order[i]->label);
		buf_puts(&b, "\n");
	}
	free(order);
	return buf_steal(&b);
}

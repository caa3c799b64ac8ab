/* Working-time calendar: case time limits ("reply within 8 working hours",
 * "resolve within 5 working days") counted on a Chinese office calendar with
 * public holidays and make-up workdays (调休). Pure: no I/O, no clock. Urgent
 * cases that run on calendar hours do not come here; that is the caller's
 * business.
 *
 * All instants are Unix seconds; dates and hours are Asia/Shanghai local
 * time, which is UTC+8 with no DST since 1991, so no tz database is needed. */
#ifndef WG_CORE_WORKCAL_H
#define WG_CORE_WORKCAL_H

#include <stdbool.h>
#include <stdint.h>

struct workcal; /* opaque; immutable once parsed, so safe to share between threads */

/* Parses a calendar file (see data/calendar/cn.conf):
 *   hours   = 09:00-12:00, 13:30-17:30
 *   holiday = 2026-02-15..2026-02-23  春节     (days off, even on a weekday)
 *   workday = 2026-02-14  春节调休             (working days, even on a weekend)
 * '#' starts a comment anywhere on a line. Exactly one hours line is needed.
 * Returns a calendar the caller frees with workcal_free(), or NULL with *err
 * set (caller frees; "line N: why", or just "why" for a file-level fault)
 * when err is not NULL. text is borrowed. */
struct workcal *workcal_parse(const char *text, char **err);
void workcal_free(struct workcal *c);

/* Whether the local date of t is a working day: Monday to Friday unless a
 * holiday line says otherwise, Saturday and Sunday only if a workday line
 * says so. */
bool workcal_is_workday(const struct workcal *c, int64_t t);

/* The instant `minutes` working minutes after `from`, counting only time
 * inside working hours on working days. A start outside working hours begins
 * counting at the next working period; a span that ends exactly at the end of
 * a period answers that end (12:00, not 13:30). minutes = 0 answers the next
 * working moment at or after from; negative minutes count as 0. Cost is
 * logarithmic in the span and the number of calendar lines. */
int64_t workcal_add_minutes(const struct workcal *c, int64_t from, int64_t minutes);

/* Working minutes in [a, b), rounded down; 0 if b <= a. For every a and
 * m >= 0: workcal_minutes_between(c, a, workcal_add_minutes(c, a, m)) == m. */
int64_t workcal_minutes_between(const struct workcal *c, int64_t a, int64_t b);

/* The end of the last working period of the working day that is `days`
 * working days after the local day of from (so a Monday case with 5 days is
 * due at the end of the next Monday). days = 0 (or negative) answers the end
 * of from's day if it is a working day, else of the next working day. */
int64_t workcal_add_days(const struct workcal *c, int64_t from, int days);

/* The calendar in the file format, hours first, then holiday and workday
 * lines by date; comments are not kept. Caller frees. */
char *workcal_format(const struct workcal *c);

#endif

/* Due instants of a case (pure): when it must be signed and resolved.
 *
 * Ordinary cases count working time on the calendar:
 *   sign    = dispatched_at + sign_hours working hours;
 *   resolve = signed_at + resolve_limit working days (the end of the office
 *             day that many working days after the signing day), or
 *             signed_at + resolve_limit working hours.
 * Extension days (申请延期, granted in whole working days) push the
 * resolution: for a limit in days they simply add to it; for a limit in
 * hours the due instant moves to the end of the office day that many working
 * days after the day it fell on. A whole day granted means "until close of
 * business on day N", the way an extension is written on paper, rather than
 * N * 7 working hours that would land at an odd hour of the afternoon.
 *
 * Urgent cases (risk to life or property) run on the clock, nights and
 * holidays included: urgent_sign_hours and urgent_resolve_hours are calendar
 * hours, and an extension day is 24 hours. */
#include "modules/cases/cases_internal.h"

#define HOUR 3600
#define DAY 86400

int64_t case_sign_due(const struct case_limits *l, const struct workcal *cal, int64_t dispatched_at, bool urgent)
{
	if (urgent)
		return dispatched_at + (int64_t)l->urgent_sign_hours * HOUR;
	return workcal_add_minutes(cal, dispatched_at, (int64_t)l->sign_hours * 60);
}

int64_t case_resolve_due(const struct case_limits *l, const struct workcal *cal, int64_t signed_at, bool urgent,
			 int extension_days)
{
	if (extension_days < 0)
		extension_days = 0;
	if (urgent)
		return signed_at + (int64_t)l->urgent_resolve_hours * HOUR + (int64_t)extension_days * DAY;
	if (l->resolve_in_days)
		return workcal_add_days(cal, signed_at, l->resolve_limit + extension_days);
	int64_t due = workcal_add_minutes(cal, signed_at, (int64_t)l->resolve_limit * 60);
	return extension_days > 0 ? workcal_add_days(cal, due, extension_days) : due;
}

/* The working calendar: the built-in one (data/calendar/cn.conf, compiled
 * in) or the admins' edit (table work_calendar, row 1), parsed once per
 * version and shared by every thread; and its two routes.
 *
 * Every node of a cluster reads the row's version in the caller's
 * transaction, so an edit made on one node is in force on all of them from
 * their next case on, with no message between nodes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "modules/cases/case_config.h"
#include "modules/cases/cases_internal.h"
#include "modules/common/reply.h"

/* Generated from data/calendar/cn.conf by tools/embed.c. */
extern const char *const cases_builtin_calendar;

/* The calendar text is a few kilobytes a decade; the cap bounds what one
 * request makes the parser expand (every listed day is indexed). */
#define CALENDAR_TEXT_MAX 32768
/* A calendar view asks for a month or a year, not more. */
#define CALENDAR_VIEW_DAYS 366
#define DAY 86400

/* ---- the cache ---- */

/* One parsed calendar per version seen; version 0 is the built-in one.
 * A version number names one text: the row's version only grows. */
struct loaded_calendar {
	int64_t version;
	struct workcal *cal; /* owned */
	struct loaded_calendar *next;
};

/* The mutex guards the list only. Calendars are immutable, and none is
 * freed before cases_calendar_close(), so a reader holding a pointer needs
 * no lock: superseded versions cost a few kilobytes each, and edits happen
 * once or twice a year. */
static pthread_mutex_t calendar_lock = PTHREAD_MUTEX_INITIALIZER;
static struct loaded_calendar *calendar_list;

static const char sql_calendar_version[] = "SELECT version FROM work_calendar WHERE id = 1";
static const char sql_calendar_text[] = "SELECT text FROM work_calendar WHERE id = 1";

/* The cached calendar of version; NULL when none. Call with the lock held. */
static const struct workcal *calendar_cached(int64_t version)
{
	for (const struct loaded_calendar *l = calendar_list; l; l = l->next)
		if (l->version == version)
			return l->cal;
	return NULL;
}

/* Parses the text of version (the built-in one for 0). A stored text that
 * no longer parses (a newer binary with a stricter parser) falls back to
 * the built-in calendar, loudly: deadlines must still be computed. Returns
 * a calendar the caller owns, or NULL on a store failure in *rc. */
static struct workcal *calendar_load(struct store_conn *c, int64_t version, int *rc)
{
	char *err = NULL;
	struct workcal *cal = NULL;
	*rc = STORE_OK;
	if (version > 0) {
		struct store_stmt *st = store_prepare(c, sql_calendar_text);
		if (!st) {
			*rc = STORE_ERROR;
			return NULL;
		}
		int step = store_step(st);
		if (step == STORE_ROW) {
			cal = workcal_parse(store_col_text(st, 0), &err);
			if (!cal) {
				log_error("work_calendar version %lld does not parse (%s): using the built-in calendar",
					  (long long)version, err);
				free(err);
				err = NULL;
			}
		}
		store_reset(st);
		if (step != STORE_ROW && step != STORE_DONE) {
			*rc = step;
			return NULL;
		}
	}
	if (!cal) {
		cal = workcal_parse(cases_builtin_calendar, &err);
		if (!cal) {
			WG_BUG("the built-in calendar does not parse: %s", err);
			free(err);
			*rc = STORE_ERROR;
		}
	}
	return cal;
}

const struct workcal *cases_calendar(struct store_conn *c)
{
	struct store_stmt *st = store_prepare(c, sql_calendar_version);
	if (!st)
		return NULL;
	int step = store_step(st);
	int64_t version = step == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	if (step != STORE_ROW && step != STORE_DONE)
		return NULL;

	pthread_mutex_lock(&calendar_lock);
	const struct workcal *cal = calendar_cached(version);
	pthread_mutex_unlock(&calendar_lock);
	if (cal)
		return cal;

	/* Parsed outside the lock: another thread may load the same version
	 * meanwhile, and the first to insert wins. */
	int rc;
	struct workcal *fresh = calendar_load(c, version, &rc);
	if (!fresh)
		return NULL;
	pthread_mutex_lock(&calendar_lock);
	cal = calendar_cached(version);
	if (!cal) {
		struct loaded_calendar *l = xmalloc(sizeof *l);
		*l = (struct loaded_calendar){.version = version, .cal = fresh, .next = calendar_list};
		calendar_list = l;
		cal = fresh;
		fresh = NULL;
	}
	pthread_mutex_unlock(&calendar_lock);
	workcal_free(fresh);
	return cal;
}

void cases_calendar_close(void)
{
	pthread_mutex_lock(&calendar_lock);
	struct loaded_calendar *l = calendar_list;
	calendar_list = NULL;
	pthread_mutex_unlock(&calendar_lock);
	while (l) {
		struct loaded_calendar *next = l->next;
		workcal_free(l->cal);
		free(l);
		l = next;
	}
}

/* ---- the calendar as the UI reads it ---- */

/* A holiday or workday line of the calendar in its normalized form. */
struct calendar_line {
	bool holiday;
	char first[11], last[11]; /* YYYY-MM-DD: compare as strings */
	char *name;               /* owned; "" when none */
};

/* Reads the lines back from workcal_format(), whose output is normalized
 * ("holiday = 2026-10-01..2026-10-07  国庆节"), so the UI gets ranges and
 * names without a second parser of the admin's free-form text. Fills hours
 * with the periods; returns the lines (caller frees with lines_free). */
static struct calendar_line *calendar_lines(const struct workcal *cal, json_t *hours, size_t *count)
{
	char *text = workcal_format(cal);
	struct calendar_line *lines = NULL;
	size_t n = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "hours = ", 8) == 0) {
			for (char *s2 = NULL, *p = strtok_r(line + 8, ", ", &s2); p; p = strtok_r(NULL, ", ", &s2))
				json_array_append_new(hours, json_string(p));
			continue;
		}
		bool holiday = strncmp(line, "holiday = ", 10) == 0;
		if (!holiday && strncmp(line, "workday = ", 10) != 0)
			continue;
		const char *dates = line + 10;
		size_t len = strcspn(dates, " ");
		if (len != 10 && len != 22)
			continue;
		struct calendar_line l = {.holiday = holiday};
		memcpy(l.first, dates, 10);
		memcpy(l.last, len == 22 ? dates + 12 : dates, 10);
		const char *name = dates + len;
		name += strspn(name, " ");
		l.name = xstrdup(name);
		lines = xrealloc(lines, (n + 1) * sizeof *lines);
		lines[n++] = l;
	}
	free(text);
	*count = n;
	return lines;
}

static void lines_free(struct calendar_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i].name);
	free(lines);
}

/* Local noon of a "YYYY-MM-DD" date, which is inside that date whatever
 * the working hours; false when it is not a real date. */
static bool date_noon(const char *date, int64_t *out)
{
	if (!date || strlen(date) != 10)
		return false;
	char text[32];
	snprintf(text, sizeof text, "%sT12:00:00+08:00", date);
	int64_t ms;
	if (!time_parse_ms(text, &ms))
		return false;
	*out = ms / 1000;
	return true;
}

static void noon_date(int64_t noon, char out[11])
{
	char text[32];
	time_format(noon, text); /* local noon is 04:00 UTC of the same date */
	memcpy(out, text, 10);
	out[10] = '\0';
}

/* A day range of the calendar view: [from, to], both local noons. */
struct calendar_view {
	bool wanted;
	int64_t from, to;
};

static json_t *calendar_days(const struct workcal *cal, const struct calendar_line *lines, size_t n,
			     const struct calendar_view *view)
{
	json_t *days = json_array();
	for (int64_t t = view->from; t <= view->to; t += DAY) {
		char date[11];
		noon_date(t, date);
		const char *name = NULL;
		for (size_t i = 0; i < n && !name; i++)
			if (strcmp(date, lines[i].first) >= 0 && strcmp(date, lines[i].last) <= 0)
				name = lines[i].name;
		json_array_append_new(days, json_pack("{s:s, s:b, s:s?}", "date", date, "workday",
						      workcal_is_workday(cal, t), "name", name && *name ? name : NULL));
	}
	return days;
}

/* The answer of both routes. text is borrowed; updated_at 0 means never
 * edited. Caller owns the result. */
static json_t *calendar_json(const struct workcal *cal, const char *text, int64_t version, int64_t updated_at,
			     const char *updated_by, const struct calendar_view *view)
{
	json_t *hours = json_array(), *holidays = json_array(), *workdays = json_array();
	size_t n;
	struct calendar_line *lines = calendar_lines(cal, hours, &n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(lines[i].holiday ? holidays : workdays,
				      json_pack("{s:s, s:s, s:s}", "from", lines[i].first, "to", lines[i].last, "name",
						lines[i].name));
	char at[32];
	if (updated_at)
		time_format(updated_at, at);
	json_t *out = json_pack("{s:s, s:I, s:s, s:s?, s:s?, s:o, s:o, s:o}", "text", text, "version",
				(json_int_t)version, "source", version ? "edited" : "built-in", "updated_at",
				updated_at ? at : NULL, "updated_by", version ? updated_by : NULL, "hours", hours,
				"holidays", holidays, "workdays", workdays);
	if (view && view->wanted)
		json_object_set_new(out, "days", calendar_days(cal, lines, n, view));
	lines_free(lines, n);
	return out;
}

/* ---- GET /api/v1/calendar ---- */

static const char sql_calendar_row[] = "SELECT text, version, updated_at, updated_by FROM work_calendar WHERE id = 1";

struct calendar_get {
	struct calendar_view view;
	json_t *out;
};

static int calendar_get_tx(struct store_conn *c, void *arg)
{
	struct calendar_get *g = arg;
	json_decref(g->out);
	g->out = NULL;
	const struct workcal *cal = cases_calendar(c);
	if (!cal)
		return STORE_ERROR;
	struct store_stmt *st = store_prepare(c, sql_calendar_row);
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	if (rc == STORE_ROW)
		g->out = calendar_json(cal, store_col_text(st, 0), store_col_int(st, 1), store_col_int(st, 2),
				       store_col_text(st, 3), &g->view);
	else if (rc == STORE_DONE)
		g->out = calendar_json(cal, cases_builtin_calendar, 0, 0, NULL, &g->view);
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

void calendar_read(struct http_req *req)
{
	struct calendar_get g = {0};
	const char *from = http_query(req, "from"), *to = http_query(req, "to");
	if (from || to) {
		if (!date_noon(from, &g.view.from)) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "from", "from is a date, YYYY-MM-DD, given with to");
			return;
		}
		if (!date_noon(to, &g.view.to)) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "to", "to is a date, YYYY-MM-DD, given with from");
			return;
		}
		if (g.view.to < g.view.from || (g.view.to - g.view.from) / DAY >= CALENDAR_VIEW_DAYS) {
			http_reply_error(req, HTTP_ERR_invalid_parameter, "to",
					 "to must be on or after from, at most %d days in all", CALENDAR_VIEW_DAYS);
			return;
		}
		g.view.wanted = true;
	}
	int rc = store_tx(case_config_store, STORE_READ, calendar_get_tx, &g);
	if (rc != STORE_OK) {
		json_decref(g.out);
		reply_store_failure(req, rc);
		return;
	}
	http_reply_json(req, 200, g.out);
}

/* ---- PUT /api/v1/calendar ---- */

static const char sql_calendar_insert[] =
	"INSERT INTO work_calendar (id, text, version, updated_at, updated_by) VALUES (1, ?, 1, ?, ?)";
static const char sql_calendar_update[] =
	"UPDATE work_calendar SET text = ?, version = version + 1, updated_at = ?, updated_by = ?"
	" WHERE id = 1 AND version = ?";

struct calendar_put {
	struct actor actor;
	const char *text;
	int64_t expect; /* the version the admin edited; -1 when not given */
	int64_t version, now; /* out: the new version */
	bool stale;
};

static int calendar_put_tx(struct store_conn *c, void *arg)
{
	struct calendar_put *p = arg;
	struct store_stmt *st = store_prepare(c, sql_calendar_version);
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	int64_t current = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return rc;
	if (p->expect >= 0 && p->expect != current) {
		p->stale = true;
		return STORE_ABORT;
	}
	st = store_prepare(c, current ? sql_calendar_update : sql_calendar_insert);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, p->text);
	store_bind_int(st, 2, p->now);
	store_bind_text(st, 3, p->actor.login);
	if (current)
		store_bind_int(st, 4, current);
	rc = store_step(st);
	int64_t changed = store_changes(st);
	store_reset(st);
	if (rc == STORE_CONSTRAINT || (rc == STORE_DONE && changed != 1)) {
		p->stale = true; /* a concurrent first edit won the insert */
		return STORE_ABORT;
	}
	if (rc != STORE_DONE)
		return rc;
	p->version = current + 1;
	json_t *summary = json_pack("{s:I, s:I}", "from_version", (json_int_t)current, "version", (json_int_t)p->version);
	rc = audit_append(c, &p->actor, "calendar.replace", "work_calendar", "1", 0, summary);
	json_decref(summary);
	return rc;
}

void calendar_replace(struct http_req *req)
{
	struct calendar_put p = {.expect = -1, .now = time_now()};
	bool has_version = false;
	const struct field_spec specs[] = {
		FIELD_STR("text", &p.text, 1, CALENDAR_TEXT_MAX),
		{.name = "version", .type = FIELD_INT, .dest = &p.expect, .optional = true, .min = 0, .max = INT32_MAX,
		 .present = &has_version},
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	if (!has_version)
		p.expect = -1;
	char *err = NULL;
	struct workcal *cal = workcal_parse(p.text, &err);
	if (!cal) {
		http_reply_error(req, HTTP_ERR_invalid_value, "text", "%s", err);
		free(err);
		return;
	}
	identity_actor(req, &p.actor);
	int rc = store_tx(case_config_store, STORE_WRITE, calendar_put_tx, &p);
	if (rc == STORE_OK)
		/* Answered from the calendar parsed here, not the shared cache:
		 * the cache learns a version only from a committed row. */
		http_reply_json(req, 200, calendar_json(cal, p.text, p.version, p.now, p.actor.login, NULL));
	else if (p.stale)
		http_reply_error(req, HTTP_ERR_conflict, "version", "The calendar was changed by someone else: reload it");
	else
		reply_store_failure(req, rc);
	workcal_free(cal);
}

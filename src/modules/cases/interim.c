/* INTERIM: stand-ins until categories/limits/calendar, media and notify land. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "modules/cases/cases_internal.h"
#include "modules/media/media.h"
#include "modules/notify/notify.h"

static const char sql_limits[] =
	"SELECT sign_hours, resolve_limit, resolve_unit, urgent, urgent_sign_hours, urgent_resolve_hours"
	" FROM case_categories WHERE code = ?";

int case_category_limits(struct store_conn *c, const char *code, struct case_limits *out)
{
	struct store_stmt *st = store_prepare(c, sql_limits);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, code);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		out->sign_hours = (int)store_col_int(st, 0);
		out->resolve_limit = (int)store_col_int(st, 1);
		out->resolve_in_days = strcmp(store_col_text(st, 2), "days") == 0;
		out->urgent = store_col_int(st, 3) != 0;
		out->urgent_sign_hours = (int)store_col_int(st, 4);
		out->urgent_resolve_hours = (int)store_col_int(st, 5);
		rc = STORE_OK;
	}
	store_reset(st);
	return rc;
}

int64_t case_sign_due(const struct case_limits *l, const struct workcal *cal, int64_t at, bool urgent)
{
	return urgent ? at + (int64_t)l->urgent_sign_hours * 3600 : workcal_add_minutes(cal, at, l->sign_hours * 60);
}

int64_t case_resolve_due(const struct case_limits *l, const struct workcal *cal, int64_t at, bool urgent, int ext)
{
	if (urgent)
		return at + (int64_t)l->urgent_resolve_hours * 3600 + (int64_t)ext * 86400;
	return l->resolve_in_days ? workcal_add_days(cal, at, l->resolve_limit + ext)
				  : workcal_add_minutes(cal, at, l->resolve_limit * 60);
}

int case_route_find(struct store_conn *c, const char *category, const char *area_path, struct case_route_choice *out)
{
	(void)c, (void)category, (void)area_path, (void)out;
	return STORE_DONE;
}

static struct workcal *cal;
static pthread_mutex_t cal_lock = PTHREAD_MUTEX_INITIALIZER;

const struct workcal *cases_calendar(struct store_conn *c)
{
	(void)c;
	pthread_mutex_lock(&cal_lock);
	if (!cal)
		cal = workcal_parse("hours = 09:00-12:00, 13:30-17:30\n", NULL);
	pthread_mutex_unlock(&cal_lock);
	return cal;
}

void cases_calendar_close(void)
{
	workcal_free(cal);
	cal = NULL;
}

int media_photo_exists(struct store_conn *c, const char *sha256)
{
	(void)c, (void)sha256;
	return STORE_DONE;
}

int notify_enqueue(struct store_conn *c, const char *event, json_t *payload)
{
	(void)c, (void)event, (void)payload;
	return STORE_OK;
}

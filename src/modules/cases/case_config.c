/* The route table of the cases configuration: who may read and change
 * categories, routing rules and the working calendar. */
#include "modules/cases/case_config.h"
#include "modules/cases/cases_internal.h"

struct store *case_config_store;

static const char *const routes_query[] = {"category", "area", "limit", "cursor", NULL};
static const char *const calendar_query[] = {"from", "to", NULL};

static const struct http_route case_config_routes[] = {
	/* Staff read the categories to file and dispatch cases; residents'
	 * forms and Open311 read the public list, which shows no internals. */
	{HTTP_GET, "/api/v1/case-categories", categories_list, "session", NULL, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/public/case-categories", categories_public, "public", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/case-categories", categories_create, "cases.configure", NULL, HTTP_BODY_JSON, 0},
	{HTTP_PATCH, "/api/v1/case-categories/{code}", categories_update, "cases.configure", NULL, HTTP_BODY_JSON, 0},
	{HTTP_GET, "/api/v1/case-routes", routes_list, "cases.configure", routes_query, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/case-routes", routes_create, "cases.configure", NULL, HTTP_BODY_JSON, 0},
	{HTTP_PATCH, "/api/v1/case-routes/{id}", routes_update, "cases.configure", NULL, HTTP_BODY_JSON, 0},
	{HTTP_DELETE, "/api/v1/case-routes/{id}", routes_delete, "cases.configure", NULL, HTTP_BODY_NONE, 0},
	/* Everyone with a session sees which days count: a handler planning
	 * their week, a resident's app showing when an answer is due. */
	{HTTP_GET, "/api/v1/calendar", calendar_read, "session", calendar_query, HTTP_BODY_NONE, 0},
	{HTTP_PUT, "/api/v1/calendar", calendar_replace, "cases.configure", NULL, HTTP_BODY_JSON, 0},
};

static const struct http_module case_config_http = {
	.name = "case-config",
	.routes = case_config_routes,
	.count = sizeof case_config_routes / sizeof case_config_routes[0],
};

const struct http_module *case_config_module(struct store *store)
{
	case_config_store = store;
	return &case_config_http;
}

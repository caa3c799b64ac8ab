/* The identity module's route table: every route and the permission it
 * needs. The permissions themselves are in roles.c. */
#include "modules/identity/identity_internal.h"

struct store *identity_store;
struct identity_config identity_cfg;

static const char *const users_list_query[] = {"area", "role", "q", "active", "limit", "cursor", NULL};
static const char *const users_read_query[] = {"reveal", NULL};
static const char *const units_list_query[] = {"area", "type", "limit", "cursor", NULL};
static const char *const audit_query[] = {"user", "action", "object_type", "object_id", "since", "until",
					  "limit", "cursor", NULL};

static const struct http_route identity_routes[] = {
	/* Staff of a whole centre may sign in at once behind one address; the
	 * log-in throttle counts failures per login and address instead. */
	{HTTP_POST, "/api/v1/session", session_create, HTTP_PUBLIC_SELF_CHECKED, NULL, HTTP_BODY_JSON, 4096},
	{HTTP_GET, "/api/v1/session", session_read, "session", NULL, HTTP_BODY_NONE, 0},
	{HTTP_DELETE, "/api/v1/session", session_delete, "session", NULL, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/users", users_list, "users.read", users_list_query, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/users/{id}", users_read, "users.read", users_read_query, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/users", users_create, "users.manage", NULL, HTTP_BODY_JSON, 0},
	{HTTP_PATCH, "/api/v1/users/{id}", users_update, "users.manage", NULL, HTTP_BODY_JSON, 0},
	{HTTP_GET, "/api/v1/units", units_list, "units.read", units_list_query, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/api/v1/units/{id}", units_read, "units.read", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/units", units_create, "units.manage", NULL, HTTP_BODY_JSON, 0},
	{HTTP_PATCH, "/api/v1/units/{id}", units_update, "units.manage", NULL, HTTP_BODY_JSON, 0},
	{HTTP_GET, "/api/v1/audit", audit_list, "audit.read", audit_query, HTTP_BODY_NONE, 0},
};

static const struct http_module identity_http = {
	.name = "identity",
	.routes = identity_routes,
	.count = sizeof identity_routes / sizeof identity_routes[0],
};

const struct http_module *identity_module(struct store *store, const struct identity_config *cfg)
{
	identity_store = store;
	identity_cfg = *cfg;
	return &identity_http;
}

#include "modules/identity/roles.h"

#include <string.h>

#include "http/http.h"

static const char *const role_names[ROLE_COUNT] = {
	"admin", "commander", "staff", "grid_worker", "handler", "sampler", "checkpoint", "volunteer", "resident",
};

static const int role_ranks[ROLE_COUNT] = {100, 80, 60, 40, 40, 20, 20, 10, 0};

#define R(x) (1u << ROLE_##x)
#define STAFF_LIKE (R(ADMIN) | R(COMMANDER) | R(STAFF))
#define FIELD (R(GRID_WORKER) | R(HANDLER) | R(SAMPLER) | R(CHECKPOINT) | R(VOLUNTEER))

/* The permission table. A role not listed for a permission lacks it. */
static const struct {
	const char *name;
	unsigned roles;
} permissions[] = {
	{"areas.read", STAFF_LIKE | FIELD},
	{"areas.manage", STAFF_LIKE},
	{"users.read", STAFF_LIKE},
	{"users.manage", STAFF_LIKE},
	{"units.read", STAFF_LIKE | R(GRID_WORKER) | R(HANDLER)},
	{"units.manage", STAFF_LIKE},
	{"audit.read", R(ADMIN) | R(COMMANDER)},
	{"register.read", STAFF_LIKE | R(GRID_WORKER)},
	{"register.write", R(ADMIN) | R(STAFF) | R(GRID_WORKER)},
	{"persons.reveal", R(ADMIN) | R(STAFF) | R(GRID_WORKER)},
	{"tags.manage", R(ADMIN)},
	/* Cases: residents see and act on their own, handlers on their
	 * department's; the store decides which case is whose. */
	{"cases.read", STAFF_LIKE | R(GRID_WORKER) | R(HANDLER) | R(RESIDENT)},
	{"cases.submit", STAFF_LIKE | R(GRID_WORKER) | R(RESIDENT)},
	{"cases.act", STAFF_LIKE | R(GRID_WORKER) | R(HANDLER) | R(RESIDENT)},
	{"cases.reveal", STAFF_LIKE | R(GRID_WORKER) | R(HANDLER)}, /* to call the reporter back */
	{"cases.stats", STAFF_LIKE},
	{"cases.configure", R(ADMIN)},
	{"webhooks.manage", R(ADMIN)},
};

#define NPERMISSIONS (sizeof permissions / sizeof permissions[0])

const char *role_name(enum role r)
{
	return r >= 0 && r < ROLE_COUNT ? role_names[r] : "none";
}

enum role role_parse(const char *name)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if (name && strcmp(role_names[r], name) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

int role_rank(enum role r)
{
	return r >= 0 && r < ROLE_COUNT ? role_ranks[r] : -1;
}

bool role_has(enum role r, const char *permission)
{
	if (http_permission_public(permission))
		return true;
	if (r < 0 || r >= ROLE_COUNT)
		return false;
	if (strcmp(permission, "session") == 0)
		return true;
	for (size_t i = 0; i < NPERMISSIONS; i++)
		if (strcmp(permissions[i].name, permission) == 0)
			return (permissions[i].roles >> r) & 1u;
	return false;
}

bool permission_known(const char *permission)
{
	if (http_permission_public(permission) || strcmp(permission, "session") == 0)
		return true;
	for (size_t i = 0; i < NPERMISSIONS; i++)
		if (strcmp(permissions[i].name, permission) == 0)
			return true;
	return false;
}

void role_each_permission(enum role r, void (*fn)(const char *permission, void *arg), void *arg)
{
	for (size_t i = 0; i < NPERMISSIONS; i++)
		if (r >= 0 && r < ROLE_COUNT && ((permissions[i].roles >> r) & 1u))
			fn(permissions[i].name, arg);
}

/* Roles and permissions: the one table of who may do what. Every route
 * names the permission it needs; "public" needs none, "session" needs only
 * a signed-in caller. Pure: unit tests call it directly. */
#ifndef WG_IDENTITY_ROLES_H
#define WG_IDENTITY_ROLES_H

#include <stdbool.h>

enum role {
	ROLE_NONE = -1,
	ROLE_ADMIN,
	ROLE_COMMANDER,   /* 指挥中心 */
	ROLE_STAFF,       /* 社区/街道 */
	ROLE_GRID_WORKER, /* 网格员 */
	ROLE_HANDLER,     /* 部门/驻区单位 */
	ROLE_SAMPLER,     /* 采样员 */
	ROLE_CHECKPOINT,  /* 卡口 */
	ROLE_VOLUNTEER,
	ROLE_RESIDENT,
	ROLE_COUNT,
};

const char *role_name(enum role r);
/* ROLE_NONE for an unknown name. */
enum role role_parse(const char *name);
/* Higher outranks lower; a manager never grants a role above their own. */
int role_rank(enum role r);
bool role_has(enum role r, const char *permission);
/* Whether the permission is declared in the table (or public/session). */
bool permission_known(const char *permission);
/* The permissions of r, for the UI: calls fn for each. */
void role_each_permission(enum role r, void (*fn)(const char *permission, void *arg), void *arg);

#endif

/* Identity: who is asking (sessions, API tokens), what they may do (roles),
 * where they may look (area scopes), and the audit log every module writes.
 * Other modules use the caller, the actor, area look-ups and audit_append. */
#ifndef WG_IDENTITY_IDENTITY_H
#define WG_IDENTITY_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "http/http.h"
#include "modules/identity/roles.h"
#include "store/scope.h"
#include "store/store.h"

struct identity_config {
	bool secure_cookies; /* behind TLS: cookies get Secure */
};

/* The module's routes (session, users, units, audit). store is borrowed. */
const struct http_module *identity_module(struct store *store, const struct identity_config *cfg);
/* Idempotency-Key handling for the server (see http/server.h). */
struct http_idempotency;
const struct http_idempotency *identity_idempotency(struct store *store);
/* The server's authenticator (http_auth_fn). */
bool identity_authenticate(struct http_req *req, const char *permission, void *ctx);

/* Who asks. For every route whose permission is not "public" it is set. */
struct caller {
	int64_t user_id;    /* 0 for an API token */
	int64_t token_id;   /* 0 for a user */
	int64_t session_id; /* 0 unless signed in with the cookie */
	int64_t unit_id;    /* 0 when none */
	enum role role;
	char login[80];     /* the user's login, or "token:<name>" */
	char display_name[160];
	struct store_scope scope;
	char scope_code[64];
	char scope_name[160];
	int scope_level;
	char csrf[48];
};
/* Borrowed for the request's life; NULL when anonymous. */
const struct caller *identity_caller(const struct http_req *req);
/* The caller an API token secret stands for, for protocols that carry the
 * token as a parameter (Open311's api_key) on routes declared "public".
 * Marks the token used, as the authenticator does. STORE_OK with *out
 * filled; STORE_DONE for an unknown, malformed or revoked token; or a
 * store failure. */
int identity_token_caller(const char *secret, struct caller *out);

/* The directory generation of this node: bumped after every commit here
 * that changes what a caller is (log-out, a user's role, area, unit or
 * activity) or what answers name (units, areas). Caches on this node keep
 * the generation read before they loaded an entry and drop it once the
 * generation moved on. Call identity_directory_changed() after the commit,
 * never before it. */
uint64_t identity_directory_generation(void);
void identity_directory_changed(void);

/* An area row as other modules need it. */
#define AREA_CODE_MAX 48
#define AREA_NAME_MAX 64
struct area_ref {
	int64_t id;
	int64_t parent_id; /* 0 for the root */
	int level;
	char code[AREA_CODE_MAX + 1];
	char name[AREA_NAME_MAX * 4 + 1];
	char path[STORE_PATH_MAX];
};
enum area_level {
	AREA_ROOT,
	AREA_CITY,
	AREA_COUNTY,
	AREA_TOWN,
	AREA_COMMUNITY,
	AREA_GRID,
	AREA_BUILDING,
	AREA_LEVELS,
};
const char *area_level_name(int level);
/* -1 for an unknown name; accepts the English names and 市/县/镇/村/网格/楼栋. */
int area_level_parse(const char *name);
/* Finds an area by code inside scope: STORE_OK, STORE_DONE when there is
 * none (or it lies outside: the same answer), or a failure. */
int area_find(struct store_conn *c, const struct store_scope *scope, const char *code, struct area_ref *out);
/* {"code","name","level"}; caller owns the result. */
json_t *area_ref_json(const struct area_ref *a);

/* Who did it, for the audit log. */
struct actor {
	int64_t user_id;
	const char *login;
	const char *role;
	const char *address;
	const char *request_id;
	int64_t area_id; /* the actor's scope root: where entries without an area go */
};
/* Fills the actor from the request's caller (borrowed strings). */
void identity_actor(const struct http_req *req, struct actor *out);
/* Appends one audit entry in the caller's transaction: the entry commits
 * or rolls back with the change it records. summary is borrowed (may be
 * NULL). area_id 0 uses the actor's. Returns a store_rc. */
int audit_append(struct store_conn *c, const struct actor *a, const char *action, const char *object_type,
		 const char *object_id, int64_t area_id, json_t *summary);

/* A user to create or change. *_has flags say which fields a change
 * carries. The outcome of a refused request is in error/error_field/
 * error_message; user is the resulting User JSON (owned). */
struct user_form {
	const struct caller *caller;
	struct actor actor;
	int64_t id; /* update: the target; create: out */
	const char *login, *display_name, *phone, *role, *area_code, *password;
	int64_t unit_id;
	bool active;
	bool has_name, has_phone, has_role, has_area, has_unit, has_active, has_password;
	char hash[128];
	enum http_error error;
	const char *error_field;
	const char *error_message;
	json_t *user;
};
/* Creates a user as w->caller may (scope, rank, password rules, audit).
 * Returns a store_rc; STORE_ABORT for a refusal described in w. */
int users_create_run(struct user_form *w);

/* ---- for the command line ---- */

/* A caller for the CLI: an admin at the root area, created (code, name)
 * when there is none yet and root_name is not NULL; the actor is "cli".
 * Returns a store_rc (STORE_ABORT: no root and none to create). */
int identity_cli_caller(struct store *s, const char *root_code, const char *root_name, struct caller *out,
			struct actor *actor);
/* Sets a password (the rules apply) or the active flag by login; either
 * ends the user's sessions. 0, or -1 with *err (caller frees). */
int identity_set_password(struct store *s, const struct actor *actor, const char *login, const char *password,
			  char **err);
int identity_set_active(struct store *s, const struct actor *actor, const char *login, bool active, char **err);
/* Tab-separated listings for the CLI. 0 or -1. */
int identity_list_users(struct store *s, FILE *out);
int identity_list_tokens(struct store *s, FILE *out);
/* A bearer token with a role and an area; token gets the secret, shown
 * once (43 characters). 0, or -1 with *err. */
int identity_token_create(struct store *s, const struct caller *as, const struct actor *actor, const char *name,
			  const char *role, const char *area_code, char token[44], int64_t *id, char **err);
int identity_token_revoke(struct store *s, const struct actor *actor, int64_t id, char **err);

/* A phone number masked for display: "138****5678". out >= 32 bytes. */
void mask_phone(const char *phone, char *out, size_t size);

#endif

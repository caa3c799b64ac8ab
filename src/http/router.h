/* Route matching: method + path pattern with {name} segments -> route.
 * Pure: no I/O, so unit tests drive it directly. */
#ifndef WG_HTTP_ROUTER_H
#define WG_HTTP_ROUTER_H

#include "http/http.h"

#define ROUTER_MAX_PARAMS 8
#define ROUTER_MAX_SEGMENTS 24

struct router_entry {
	const struct http_route *route;
	const char *module;
	unsigned index; /* position in the router: metrics slot */
	size_t nseg;
	size_t nparams;
	char *segments[ROUTER_MAX_SEGMENTS]; /* owned copies; "{id}" marks a parameter */
};

struct router {
	struct router_entry *entries;
	size_t count;
};

struct router_match {
	const struct router_entry *entry;
	size_t nparams;
	const char *names[ROUTER_MAX_PARAMS];  /* borrowed from the pattern, without braces */
	size_t name_lens[ROUTER_MAX_PARAMS];
	const char *values[ROUTER_MAX_PARAMS]; /* borrowed from the path buffer given to router_match */
	char allow[64];                        /* ROUTER_BAD_METHOD: the Allow header */
};

enum router_result {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,
	ROUTER_BAD_METHOD,
};

/* Adds a module's routes. Refuses a malformed pattern or a method+pattern
 * already present. Returns 0, or -1 with *err (caller frees). */
int router_add(struct router *r, const struct http_module *m, char **err);
void router_free(struct router *r);

/* "GET" -> HTTP_GET; HEAD reads as GET; 0 for a method no route can have. */
enum http_method router_method(const char *method);

/* Matches path, which it cuts into segments in place (it must be a writable
 * copy that outlives m). */
enum router_result router_match(const struct router *r, const char *method, char *path, struct router_match *m);

/* Looks a parameter up in a match; NULL when absent. */
const char *router_param(const struct router_match *m, const char *name);

#endif

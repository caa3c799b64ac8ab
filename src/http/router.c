#include "http/router.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static bool is_param(const char *seg)
{
	size_t n = strlen(seg);
	return n > 2 && seg[0] == '{' && seg[n - 1] == '}';
}

/* Cuts "/a/b/c" into {"a","b","c"} in place; "/" is zero segments. Returns
 * the count, or -1 for a path with too many segments or not starting with /. */
static int split_path(char *path, char **segs)
{
	if (path[0] != '/')
		return -1;
	int n = 0;
	char *p = path + 1;
	if (!*p)
		return 0;
	for (;;) {
		if (n == ROUTER_MAX_SEGMENTS)
			return -1;
		segs[n++] = p;
		char *slash = strchr(p, '/');
		if (!slash)
			break;
		*slash = '\0';
		p = slash + 1;
	}
	return n;
}

int router_add(struct router *r, const struct http_module *m, char **err)
{
	for (size_t i = 0; i < m->count; i++) {
		const struct http_route *route = &m->routes[i];
		char *copy = xstrdup(route->pattern);
		char *segs[ROUTER_MAX_SEGMENTS];
		int n = split_path(copy, segs);
		int params = 0;
		bool bad = n < 0 || !route->handler || !route->permission || !route->method;
		for (int k = 0; !bad && k < n; k++) {
			if (!*segs[k] || (strchr(segs[k], '{') && !is_param(segs[k])))
				bad = true;
			if (is_param(segs[k]) && ++params > ROUTER_MAX_PARAMS)
				bad = true;
		}
		if (bad) {
			*err = xasprintf("module %s: malformed route '%s'", m->name, route->pattern);
			free(copy);
			return -1;
		}
		for (size_t e = 0; e < r->count; e++) {
			if (r->entries[e].route->method == route->method &&
			    strcmp(r->entries[e].route->pattern, route->pattern) == 0) {
				*err = xasprintf("module %s: route '%s' is already declared by %s", m->name,
						 route->pattern, r->entries[e].module);
				free(copy);
				return -1;
			}
		}
		r->entries = xrealloc(r->entries, (r->count + 1) * sizeof *r->entries);
		struct router_entry *e = &r->entries[r->count];
		memset(e, 0, sizeof *e);
		e->route = route;
		e->module = m->name;
		e->index = (unsigned)r->count;
		e->nseg = (size_t)n;
		e->nparams = (size_t)params;
		for (int k = 0; k < n; k++)
			e->segments[k] = xstrdup(segs[k]);
		r->count++;
		free(copy);
	}
	return 0;
}

void router_free(struct router *r)
{
	for (size_t i = 0; i < r->count; i++)
		for (size_t k = 0; k < r->entries[i].nseg; k++)
			free(r->entries[i].segments[k]);
	free(r->entries);
	r->entries = NULL;
	r->count = 0;
}

bool http_permission_public(const char *permission)
{
	return strcmp(permission, HTTP_PUBLIC) == 0 || strcmp(permission, HTTP_PUBLIC_SELF_CHECKED) == 0;
}

enum http_method router_method(const char *method)
{
	static const struct {
		const char *name;
		enum http_method m;
	} methods[] = {
		{"GET", HTTP_GET}, {"HEAD", HTTP_GET}, {"POST", HTTP_POST},
		{"PUT", HTTP_PUT}, {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE},
	};
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(methods[i].name, method) == 0)
			return methods[i].m;
	return 0;
}

static void allow_add(char *allow, size_t cap, const char *name)
{
	if (strstr(allow, name))
		return;
	size_t len = strlen(allow);
	if (len + strlen(name) + 3 > cap)
		return;
	if (len)
		strcat(allow, ", ");
	strcat(allow, name);
}

static const char *method_label(enum http_method m)
{
	switch (m) {
	case HTTP_GET: return "GET, HEAD";
	case HTTP_POST: return "POST";
	case HTTP_PUT: return "PUT";
	case HTTP_PATCH: return "PATCH";
	case HTTP_DELETE: return "DELETE";
	}
	return "";
}

static bool segments_match(const struct router_entry *e, char **segs, size_t n)
{
	if (e->nseg != n)
		return false;
	for (size_t k = 0; k < n; k++) {
		if (e->segments[k][0] == '{') {
			if (!*segs[k])
				return false;
		} else if (strcmp(e->segments[k], segs[k]) != 0) {
			return false;
		}
	}
	return true;
}

enum router_result router_match(const struct router *r, const char *method, char *path, struct router_match *m)
{
	memset(m, 0, sizeof *m);
	char *segs[ROUTER_MAX_SEGMENTS];
	int n = split_path(path, segs);
	if (n < 0)
		return ROUTER_NOT_FOUND;
	enum http_method want = router_method(method);
	bool path_known = false;
	/* The most literal pattern wins: /cases/stats before /cases/{id}. */
	const struct router_entry *best = NULL;
	for (size_t i = 0; i < r->count; i++) {
		const struct router_entry *e = &r->entries[i];
		if (!segments_match(e, segs, (size_t)n))
			continue;
		if (e->route->method != want) {
			path_known = true;
			allow_add(m->allow, sizeof m->allow, method_label(e->route->method));
			continue;
		}
		if (!best || e->nparams < best->nparams)
			best = e;
	}
	if (!best)
		return path_known ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
	m->entry = best;
	m->allow[0] = '\0';
	for (size_t k = 0; k < best->nseg; k++) {
		if (best->segments[k][0] != '{')
			continue;
		m->names[m->nparams] = best->segments[k] + 1;
		m->name_lens[m->nparams] = strlen(best->segments[k]) - 2;
		m->values[m->nparams] = segs[k];
		m->nparams++;
	}
	return ROUTER_FOUND;
}

const char *router_param(const struct router_match *m, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < m->nparams; i++)
		if (m->name_lens[i] == len && strncmp(m->names[i], name, len) == 0)
			return m->values[i];
	return NULL;
}

/* The HTTP framework as domain modules see it: route tables, the request
 * context, replies, and body parsing by field specs. It knows no module.
 *
 * Contract of a handler: it answers exactly once, through http_reply_json(),
 * http_reply_error() or http_reply_raw(). The server adds the common headers
 * (request id, security headers), logs the request and counts it. A handler
 * that returns without answering is our bug: it is logged and answered 500. */
#ifndef WG_HTTP_HTTP_H
#define WG_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_req;

enum http_error {
#define HTTP_ERROR(code, status, message) HTTP_ERR_##code,
#include "http/errors.def"
#undef HTTP_ERROR
	HTTP_ERR_COUNT
};

enum http_method {
	HTTP_GET = 1,
	HTTP_POST = 2,
	HTTP_PUT = 4,
	HTTP_PATCH = 8,
	HTTP_DELETE = 16,
};

enum http_body {
	HTTP_BODY_NONE, /* a body is ignored */
	HTTP_BODY_JSON, /* application/json, parsed on demand by http_parse_body */
	HTTP_BODY_RAW,  /* any type, read with http_body() */
};

typedef void (*http_handler)(struct http_req *req);

struct http_route {
	enum http_method method;
	const char *pattern;       /* "/api/v1/cases/{id}/actions"; {name} matches one segment */
	http_handler handler;
	const char *permission;    /* the permission the caller needs; HTTP_PUBLIC (below) for none */
	const char *const *query;  /* declared query parameters, NULL-terminated; NULL for none */
	enum http_body body;
	size_t body_limit;         /* 0: the server's body_limit */
};

/* The permissions open to anyone. HTTP_PUBLIC: writes by callers not
 * signed in are limited per address (ratelimit.h). HTTP_PUBLIC_SELF_CHECKED:
 * for writes that know their caller by other means (the log-in's password,
 * Open311's api_key), which the limit does not count. */
#define HTTP_PUBLIC "public"
#define HTTP_PUBLIC_SELF_CHECKED "public.self_checked"
bool http_permission_public(const char *permission);

/* A module's routes, handed to the server at start. */
struct http_module {
	const char *name;
	const struct http_route *routes;
	size_t count;
};

/* ---- the request ---- */

const char *http_method_name(const struct http_req *req);
/* The matched route (NULL for static files); borrowed. */
const struct http_route *http_route_of(const struct http_req *req);
/* A {name} segment of the path; borrowed; NULL when absent. */
const char *http_param(const struct http_req *req, const char *name);
/* A {name} segment read as a positive decimal id; 0 when it is not one
 * (callers answer 404: a malformed id names nothing). */
int64_t http_param_id(const struct http_req *req, const char *name);
/* A declared query parameter; borrowed; NULL when absent. */
const char *http_query(const struct http_req *req, const char *name);
/* A request header; borrowed; NULL when absent. */
const char *http_header(const struct http_req *req, const char *name);
/* A cookie sent by the client; borrowed; NULL when absent. */
const char *http_cookie(const struct http_req *req, const char *name);
/* The path as requested (decoded, without the query); borrowed. */
const char *http_url(const struct http_req *req);
/* The peer's address as text; borrowed. */
const char *http_client_addr(const struct http_req *req);
const char *http_request_id(const struct http_req *req);
/* The raw body; borrowed; len 0 when none. */
const char *http_body(const struct http_req *req, size_t *len);

/* The authenticated caller, set by the authenticator; borrowed. */
void *http_caller(const struct http_req *req);
/* Takes ownership of caller; free_fn runs when the request ends. */
void http_set_caller(struct http_req *req, void *caller, void (*free_fn)(void *));

/* ---- replies (each answers the request; at most one per request) ---- */

/* Takes ownership of body (may be NULL for an empty answer). */
void http_reply_json(struct http_req *req, unsigned status, json_t *body);
/* field may be NULL; fmt NULL uses the registry's message. */
void http_reply_error(struct http_req *req, enum http_error code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* 429 too_many_requests with "<what>: try again in N s" and Retry-After: N. */
void http_reply_retry_after(struct http_req *req, const char *what, int64_t seconds);
/* Takes ownership of data (freed with free()). */
void http_reply_raw(struct http_req *req, unsigned status, const char *content_type, void *data, size_t len);
/* Adds a header to the answer; call after the reply function. Copies both. */
void http_add_header(struct http_req *req, const char *name, const char *value);
bool http_replied(const struct http_req *req);

unsigned http_error_status(enum http_error code);
const char *http_error_code(enum http_error code);
const char *http_error_message(enum http_error code);
/* The error envelope {"error":{"code","message","field"}}; caller owns it. */
json_t *http_error_body(enum http_error code, const char *field, const char *message);

/* Pagination of lists (design.md): ?limit= (default 50, at most 500) and
 * ?cursor=, an opaque position that wangge encodes as a decimal id. Declare
 * both in the route's query list. Returns false after answering 400. */
struct http_page {
	int64_t limit;
	int64_t after;   /* the cursor's id; 0 when no cursor */
	bool has_cursor;
};
bool http_page_params(struct http_req *req, struct http_page *page);
/* Sets "next_cursor" on list: last_id when the page is full, else null. */
void http_page_finish(json_t *list, const struct http_page *page, size_t count, int64_t last_id);

/* ---- body parsing by field specs ---- */

enum field_type {
	FIELD_STRING,  /* dest: const char ** borrowed from the request's body */
	FIELD_INT,     /* dest: int64_t * */
	FIELD_BOOL,    /* dest: bool * */
	FIELD_NUMBER,  /* dest: double * (integers accepted) */
	FIELD_OBJECT,  /* dest: json_t ** borrowed */
	FIELD_ARRAY,   /* dest: json_t ** borrowed */
};

struct field_spec {
	const char *name;
	enum field_type type;
	void *dest;
	bool optional;
	int64_t min, max; /* FIELD_INT: value range; FIELD_STRING: length in characters */
	bool *present;    /* optional: set to whether the field was given (null counts as absent) */
};

#define FIELD_STR(n, d, lo, hi) {.name = (n), .type = FIELD_STRING, .dest = (d), .min = (lo), .max = (hi)}
#define FIELD_STR_OPT(n, d, hi) {.name = (n), .type = FIELD_STRING, .dest = (d), .optional = true, .max = (hi)}
#define FIELD_INT_RANGE(n, d, lo, hi) {.name = (n), .type = FIELD_INT, .dest = (d), .min = (lo), .max = (hi)}
#define FIELD_INT_OPT(n, d, lo, hi) {.name = (n), .type = FIELD_INT, .dest = (d), .optional = true, .min = (lo), .max = (hi)}
#define FIELD_BOOL_OPT(n, d) {.name = (n), .type = FIELD_BOOL, .dest = (d), .optional = true}
#define FIELD_END {.name = NULL}

/* What went wrong in a body, for the error envelope. */
struct field_error {
	enum http_error code;
	const char *field; /* borrowed from the spec, or NULL */
	char message[160];
};

/* Pure: checks obj against specs and fills the destinations. Unknown members
 * are refused, so a client's typo is an error, not silently dropped data.
 * Returns 0, or -1 with *err filled (destinations then undefined). */
int fields_parse(json_t *obj, const struct field_spec *specs, struct field_error *err);

enum http_parse {
	HTTP_PARSE_OK,      /* destinations are filled */
	HTTP_PARSE_REPLIED, /* the client's error was answered: return */
};
/* Parses the JSON body (an empty body reads as {}) and applies specs. */
enum http_parse http_parse_body(struct http_req *req, const struct field_spec *specs);

#endif

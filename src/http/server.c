/* The HTTP server on libmicrohttpd 0.9.75: an internal epoll thread pool.
 *
 * Life of a request: the access handler is called once with the headers
 * (the request context is made), then once per body piece (accumulated up to
 * the route's limit), then a final time, when the request is dispatched and
 * answered. Answers are never queued on the headers-only call, except a 413
 * decided from Content-Length: 0.9.75 closes the connection after an answer
 * queued there, which would cost keep-alive on every GET. The context is
 * freed in the completion callback. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "http/router.h"

#define CSP_POLICY                                                                                   \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "      \
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " \
	"frame-ancestors 'none'"

struct http_server {
	struct MHD_Daemon *daemon;
	int listen_fd;
	struct http_server_config cfg;
	int quiesced_fd; /* ours to close once quiesced; -1 before */
	struct router router;
	struct metrics *metrics;
	struct rate_limiter *limiter; /* anonymous writes; NULL: no limit */
	const char **labels;
	size_t slot_static, slot_unmatched;
	_Atomic int in_flight;
	_Atomic bool stopping;
	char id_prefix[9];
	_Atomic uint64_t id_counter;
};

struct http_header {
	char *name, *value;
};

struct http_req {
	struct http_server *srv;
	struct MHD_Connection *conn;
	uint64_t start_us;
	char id[80];
	const char *method; /* borrowed from libmicrohttpd for the request's life */
	char *path;         /* owned; cut into segments by the router */
	char *url;          /* owned; the path as requested */
	enum router_result routed;
	struct router_match match;
	size_t slot;
	size_t body_limit;
	bool keep_body;
	bool body_too_large;
	struct buf body;
	json_t *json;
	char client_addr[INET6_ADDRSTRLEN];
	void *caller;
	void (*caller_free)(void *);
	/* the answer */
	bool replied;
	unsigned status;
	struct MHD_Response *resp;
	size_t resp_bytes;
	const void *resp_data;    /* the answer's bytes, owned by resp */
	char resp_type[96];
	bool is_api;
};

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- the request, as modules see it ---- */

const char *http_method_name(const struct http_req *req) { return req->method; }
const char *http_request_id(const struct http_req *req) { return req->id; }
void *http_caller(const struct http_req *req) { return req->caller; }
bool http_replied(const struct http_req *req) { return req->replied; }

const struct http_route *http_route_of(const struct http_req *req)
{
	return req->routed == ROUTER_FOUND ? req->match.entry->route : NULL;
}

const char *http_param(const struct http_req *req, const char *name)
{
	return router_param(&req->match, name);
}

const char *http_query(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *http_body(const struct http_req *req, size_t *len)
{
	*len = req->body.len;
	return req->body.data ? req->body.data : "";
}

const char *http_url(const struct http_req *req)
{
	return req->url;
}

const char *http_client_addr(const struct http_req *req)
{
	return req->client_addr;
}

void http_set_caller(struct http_req *req, void *caller, void (*free_fn)(void *))
{
	if (req->caller && req->caller_free)
		req->caller_free(req->caller);
	req->caller = caller;
	req->caller_free = free_fn;
}

/* ---- replies ---- */

static bool reply_begin(struct http_req *req)
{
	if (req->replied) {
		WG_BUG("request %s answered twice", req->id);
		return false;
	}
	req->replied = true;
	return true;
}

void http_reply_raw(struct http_req *req, unsigned status, const char *content_type, void *data, size_t len)
{
	if (!reply_begin(req)) {
		free(data);
		return;
	}
	req->status = status;
	req->resp_bytes = len;
	req->resp_data = data;
	req->resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (content_type) {
		MHD_add_response_header(req->resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
		snprintf(req->resp_type, sizeof req->resp_type, "%s", content_type);
	}
}

void http_reply_json(struct http_req *req, unsigned status, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	size_t len = text ? strlen(text) : 0;
	http_reply_raw(req, status, text ? "application/json; charset=utf-8" : NULL, text, len);
}

static void reply_error_body(struct http_req *req, enum http_error code, json_t *body)
{
	http_reply_json(req, http_error_status(code), body);
}

void http_reply_error(struct http_req *req, enum http_error code, const char *field, const char *fmt, ...)
{
	char message[512];
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(message, sizeof message, fmt, ap);
		va_end(ap);
	}
	reply_error_body(req, code, http_error_body(code, field, fmt ? message : NULL));
}

void http_reply_retry_after(struct http_req *req, const char *what, int64_t seconds)
{
	http_reply_error(req, HTTP_ERR_too_many_requests, NULL, "%s: try again in %lld s", what, (long long)seconds);
	char value[24];
	snprintf(value, sizeof value, "%lld", (long long)seconds);
	http_add_header(req, "Retry-After", value);
}

void http_add_header(struct http_req *req, const char *name, const char *value)
{
	if (!req->resp) {
		WG_BUG("header %s added before the answer", name);
		return;
	}
	MHD_add_response_header(req->resp, name, value);
}

enum http_parse http_parse_body(struct http_req *req, const struct field_spec *specs)
{
	if (!req->json) {
		if (req->body.len == 0) {
			req->json = json_object();
		} else {
			json_error_t jerr;
			req->json = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
			if (!req->json) {
				char message[300];
				snprintf(message, sizeof message, "Malformed JSON at line %d, column %d: %s", jerr.line,
					 jerr.column, jerr.text);
				json_t *body = http_error_body(HTTP_ERR_invalid_json, NULL, message);
				json_t *err = json_object_get(body, "error");
				json_object_set_new(err, "line", json_integer(jerr.line));
				json_object_set_new(err, "column", json_integer(jerr.column));
				reply_error_body(req, HTTP_ERR_invalid_json, body);
				return HTTP_PARSE_REPLIED;
			}
		}
	}
	struct field_error ferr;
	if (fields_parse(req->json, specs, &ferr)) {
		http_reply_error(req, ferr.code, ferr.field, "%s", ferr.message);
		return HTTP_PARSE_REPLIED;
	}
	return HTTP_PARSE_OK;
}

void http_render_metrics(struct http_req *req, struct buf *out)
{
	metrics_render(req->srv->metrics, out);
	buf_printf(out,
		   "# HELP wangge_http_in_flight Requests being handled now.\n"
		   "# TYPE wangge_http_in_flight gauge\n"
		   "wangge_http_in_flight %d\n",
		   atomic_load(&req->srv->in_flight));
}

/* ---- static files ---- */

static int asset_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct http_asset *)elem)->path);
}

static const struct http_asset *asset_find(const struct http_server *srv, const char *path)
{
	if (!srv->cfg.asset_count)
		return NULL;
	return bsearch(path, srv->cfg.assets, srv->cfg.asset_count, sizeof *srv->cfg.assets, asset_cmp);
}

/* True when the client accepts gzip (and did not refuse it with q=0). */
static bool accepts_gzip(const char *accept)
{
	if (!accept)
		return false;
	const char *p = strstr(accept, "gzip");
	if (!p)
		return false;
	p += 4;
	while (*p == ' ')
		p++;
	if (*p != ';')
		return true;
	const char *q = strstr(p, "q=");
	return !q || strtod(q + 2, NULL) > 0;
}

static bool etag_matches(const char *if_none_match, const char *etag)
{
	if (!if_none_match)
		return false;
	if (strcmp(if_none_match, "*") == 0)
		return true;
	/* The list may hold several tags, each quoted, perhaps weak (W/"..."). */
	return strstr(if_none_match, etag) != NULL;
}

static void serve_asset(struct http_req *req, const char *path)
{
	struct http_server *srv = req->srv;
	const char *name = path[0] == '/' ? path + 1 : path;
	const struct http_asset *a = asset_find(srv, *name ? name : "index.html");
	if (!a) {
		/* Client-side routes (no extension) get the app shell. */
		const char *last = strrchr(path, '/');
		if (!strchr(last ? last : path, '.'))
			a = asset_find(srv, "index.html");
	}
	if (!a) {
		http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
		return;
	}
	bool gz = a->gz && accepts_gzip(http_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	const char *etag = gz ? a->etag_gz : a->etag;
	reply_begin(req);
	if (etag_matches(http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH), etag)) {
		req->status = MHD_HTTP_NOT_MODIFIED;
		req->resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else {
		req->status = MHD_HTTP_OK;
		req->resp_bytes = gz ? a->gz_len : a->len;
		req->resp = MHD_create_response_from_buffer(req->resp_bytes, (void *)(gz ? a->gz : a->data),
							    MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(req->resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->mime);
		if (gz)
			MHD_add_response_header(req->resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	}
	MHD_add_response_header(req->resp, MHD_HTTP_HEADER_ETAG, etag);
	/* Revalidate every time: a 304 is cheap, and an upgrade is never
	 * hidden behind a stale app.js. */
	MHD_add_response_header(req->resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	if (a->gz)
		MHD_add_response_header(req->resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
}

/* ---- dispatch ---- */

struct query_check {
	const char *const *declared;
	const char *unknown;
};

static enum MHD_Result query_check_one(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	(void)value;
	struct query_check *qc = cls;
	for (const char *const *d = qc->declared; d && *d; d++)
		if (strcmp(*d, key) == 0)
			return MHD_YES;
	qc->unknown = key;
	return MHD_NO;
}

static bool is_json_type(const char *ct)
{
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	size_t n = strlen("application/json");
	return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Writes on public routes by callers not signed in go through the limiter
 * (ratelimit.h). A loopback peer is not counted: behind a local proxy that
 * is not named in trusted_proxy every client would share its address, and
 * one bucket for a whole town would shut the public form. */
static bool anonymous_write_limited(struct http_req *req, const struct http_route *route)
{
	struct rate_limiter *limiter = req->srv->limiter;
	if (!limiter || route->method == HTTP_GET || req->caller || strcmp(route->permission, HTTP_PUBLIC) != 0 ||
	    rate_address_loopback(req->client_addr))
		return false;
	int64_t wait = rate_limiter_take(limiter, req->client_addr, (int64_t)(now_us() / 1000));
	if (!wait)
		return false;
	http_reply_retry_after(req, "Too many writes from this address", wait);
	return true;
}

static void dispatch(struct http_req *req)
{
	struct http_server *srv = req->srv;
	if (req->body_too_large) {
		http_reply_error(req, HTTP_ERR_payload_too_large, NULL, "The body is larger than %zu bytes",
				 req->body_limit);
		return;
	}
	if (req->routed == ROUTER_NOT_FOUND) {
		if (!req->is_api && router_method(req->method) == HTTP_GET)
			serve_asset(req, req->path);
		else
			http_reply_error(req, HTTP_ERR_not_found, NULL, NULL);
		return;
	}
	if (req->routed == ROUTER_BAD_METHOD) {
		http_reply_error(req, HTTP_ERR_method_not_allowed, NULL, "Method %s is not allowed here; use %s",
				 req->method, req->match.allow);
		http_add_header(req, MHD_HTTP_HEADER_ALLOW, req->match.allow);
		return;
	}
	const struct http_route *route = req->match.entry->route;
	struct query_check qc = {.declared = route->query};
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_check_one, &qc);
	if (qc.unknown) {
		http_reply_error(req, HTTP_ERR_unknown_parameter, qc.unknown, "Unknown query parameter '%.100s'",
				 qc.unknown);
		return;
	}
	if (route->body == HTTP_BODY_JSON && req->body.len &&
	    !is_json_type(http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE))) {
		http_reply_error(req, HTTP_ERR_unsupported_media_type, NULL, "The body must be application/json");
		return;
	}
	if (srv->cfg.authenticate) {
		if (!srv->cfg.authenticate(req, route->permission, srv->cfg.auth_ctx))
			return;
	} else if (!http_permission_public(route->permission)) {
		http_reply_error(req, HTTP_ERR_unauthorized, NULL, NULL);
		return;
	}
	if (anonymous_write_limited(req, route))
		return;
	const char *idem_key = NULL;
	if (route->method == HTTP_POST && srv->cfg.idempotency &&
	    (idem_key = http_header(req, "Idempotency-Key")) != NULL) {
		size_t n = strlen(idem_key);
		bool ok = n >= 1 && n <= 128;
		for (const char *p = idem_key; ok && *p; p++)
			ok = *p > ' ' && *p < 127;
		if (!ok) {
			http_reply_error(req, HTTP_ERR_bad_request, "Idempotency-Key",
					 "Idempotency-Key is 1 to 128 printable characters");
			return;
		}
		if (srv->cfg.idempotency->begin(req, idem_key, srv->cfg.idempotency->ctx) == HTTP_IDEM_REPLIED)
			return;
	}
	route->handler(req);
	if (!req->replied) {
		WG_BUG("handler of %s %s did not answer", req->method, route->pattern);
		http_reply_error(req, HTTP_ERR_internal_error, NULL, NULL);
	}
	if (idem_key)
		srv->cfg.idempotency->end(req, idem_key, req->status, req->resp_type, req->resp_data, req->resp_bytes,
					  srv->cfg.idempotency->ctx);
}

static void add_common_headers(struct http_req *req)
{
	struct MHD_Response *r = req->resp;
	MHD_add_response_header(r, "X-Request-Id", req->id);
	/* A handler may set a stricter policy of its own (photos: sandbox). */
	if (!MHD_get_response_header(r, "Content-Security-Policy"))
		MHD_add_response_header(r, "Content-Security-Policy", CSP_POLICY);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Permissions-Policy", "camera=(self), geolocation=(self), microphone=()");
	if (req->srv->cfg.behind_tls)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
	/* Answers of the API may hold personal data: never cached anywhere. */
	if (req->is_api || req->routed != ROUTER_NOT_FOUND)
		if (!MHD_get_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL))
			MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (atomic_load(&req->srv->stopping))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
}

static void access_log(struct http_req *req, uint64_t micros)
{
	char when[32];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	const char *label = req->srv->labels[req->slot];
	char line[512];
	int n = snprintf(line, sizeof line,
			 "{\"time\":\"%s.%03ldZ\",\"id\":\"%s\",\"method\":\"%.10s\",\"route\":\"%s\","
			 "\"status\":%u,\"bytes\":%zu,\"us\":%llu}",
			 when, ts.tv_nsec / 1000000, req->id, req->method, label, req->status, req->resp_bytes,
			 (unsigned long long)micros);
	if (n > 0)
		log_line(line, (unsigned long)(n < (int)sizeof line ? n : (int)sizeof line - 1));
}

static enum MHD_Result finish(struct http_req *req)
{
	add_common_headers(req);
	enum MHD_Result rc = MHD_queue_response(req->conn, req->status, req->resp);
	MHD_destroy_response(req->resp);
	req->resp = NULL;
	uint64_t micros = now_us() - req->start_us;
	metrics_record(req->srv->metrics, req->slot, req->status, micros);
	if (req->srv->cfg.access_log)
		access_log(req, micros);
	return rc;
}

/* A client's X-Request-Id is kept when it is short and plain, so requests
 * can be followed across nginx and wangge; otherwise one is made. */
static void request_id(struct http_req *req)
{
	const char *given = http_header(req, "X-Request-Id");
	if (given) {
		size_t n = strlen(given);
		bool ok = n > 0 && n <= 64;
		for (const char *p = given; ok && *p; p++)
			ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			     *p == '-' || *p == '_' || *p == '.';
		if (ok) {
			memcpy(req->id, given, n + 1);
			return;
		}
	}
	snprintf(req->id, sizeof req->id, "%s-%llx", req->srv->id_prefix,
		 (unsigned long long)atomic_fetch_add(&req->srv->id_counter, 1));
}

static bool is_ip(const char *text)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1;
}

/* Behind a proxy every peer is the proxy: the log-in throttle and the
 * audit log need the client. The proxy's word is taken only when the peer
 * is one the operator named; X-Real-IP first, else the last address of
 * X-Forwarded-For (the one the proxy itself added). */
static void forwarded_address(struct http_req *req)
{
	const char *list = req->srv->cfg.trusted_proxies;
	if (!list || !*list)
		return;
	size_t n = strlen(req->client_addr);
	bool trusted = false;
	for (const char *p = list; *p && !trusted;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t len = strcspn(p, ", ");
		trusted = len == n && strncmp(p, req->client_addr, n) == 0;
		p += len;
	}
	if (!trusted)
		return;
	char candidate[INET6_ADDRSTRLEN] = "";
	const char *real = http_header(req, "X-Real-IP");
	const char *fwd = http_header(req, "X-Forwarded-For");
	if (real) {
		snprintf(candidate, sizeof candidate, "%s", real);
	} else if (fwd) {
		const char *last = strrchr(fwd, ',');
		last = last ? last + 1 : fwd;
		while (*last == ' ')
			last++;
		snprintf(candidate, sizeof candidate, "%.*s", (int)strcspn(last, " "), last);
	}
	if (is_ip(candidate))
		memcpy(req->client_addr, candidate, sizeof candidate);
}

static void client_address(struct http_req *req)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	strcpy(req->client_addr, "-");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, req->client_addr,
			  sizeof req->client_addr);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, req->client_addr,
			  sizeof req->client_addr);
	forwarded_address(req);
}

static struct http_req *request_new(struct http_server *srv, struct MHD_Connection *conn, const char *url,
				    const char *method)
{
	struct http_req *req = xcalloc(1, sizeof *req);
	atomic_fetch_add(&srv->in_flight, 1);
	req->srv = srv;
	req->conn = conn;
	req->start_us = now_us();
	req->method = method;
	req->body_limit = srv->cfg.body_limit;
	request_id(req);
	client_address(req);
	req->is_api = strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0 ||
		      strncmp(url, "/open311/", 9) == 0;
	req->path = xstrdup(url);
	req->url = xstrdup(url);
	/* The router cuts its own copy; req->path stays whole for static files. */
	char *cut = xstrdup(url);
	req->routed = router_match(&srv->router, method, cut, &req->match);
	if (req->routed == ROUTER_FOUND) {
		const struct http_route *route = req->match.entry->route;
		req->slot = req->match.entry->index;
		req->keep_body = route->body != HTTP_BODY_NONE;
		if (route->body_limit)
			req->body_limit = route->body_limit;
		/* Parameter values point into cut: keep it with the request. */
		free(req->path);
		req->path = cut;
	} else {
		req->slot = req->routed == ROUTER_NOT_FOUND && !req->is_api ? srv->slot_static : srv->slot_unmatched;
		/* Bodies sent to unknown routes are read and dropped, so the
		 * connection survives the 404. */
		free(cut);
	}
	return req;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	(void)version;
	struct http_server *srv = cls;
	struct http_req *req = *con_cls;
	if (!req) {
		req = request_new(srv, conn, url, method);
		*con_cls = req;
		const char *cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && req->keep_body && strtoull(cl, NULL, 10) > req->body_limit) {
			/* Refused before a byte of the body is read. */
			req->body_too_large = true;
			dispatch(req);
			return finish(req);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (req->keep_body && !req->body_too_large) {
			if (req->body.len + *upload_data_size > req->body_limit) {
				req->body_too_large = true;
				buf_free(&req->body);
			} else {
				buf_append(&req->body, upload_data, *upload_data_size);
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->replied)
		return MHD_YES; /* the early 413 is already queued */
	dispatch(req);
	return finish(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	struct http_server *srv = cls;
	struct http_req *req = *con_cls;
	if (!req)
		return;
	*con_cls = NULL;
	if (req->resp)
		MHD_destroy_response(req->resp);
	if (req->caller && req->caller_free)
		req->caller_free(req->caller);
	json_decref(req->json);
	buf_free(&req->body);
	free(req->path);
	free(req->url);
	free(req);
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warn("http: %s", msg);
}

/* ---- start and stop ---- */

int http_listen(const char *addr, char **bound, char **err)
{
	char host[256];
	const char *colon = strrchr(addr, ':');
	if (!colon || (size_t)(colon - addr) >= sizeof host) {
		*err = xasprintf("listen address '%s' is not ADDRESS:PORT", addr);
		return -1;
	}
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	char *h = host;
	if (h[0] == '[' && h[strlen(h) - 1] == ']') {
		h[strlen(h) - 1] = '\0';
		h++;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai;
	int rc = getaddrinfo(*h ? h : NULL, colon + 1, &hints, &ai);
	if (rc) {
		*err = xasprintf("cannot resolve listen address '%s': %s", addr, gai_strerror(rc));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		*err = xasprintf("socket: %s", strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		*err = errno == EADDRINUSE ? xasprintf("%s is already in use (is another wangge running?)", addr)
					   : xasprintf("cannot listen on %s: %s", addr, strerror(errno));
		close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (listen(fd, 1024) != 0) {
		*err = xasprintf("cannot listen on %s: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &len);
	char text[INET6_ADDRSTRLEN];
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof text);
		*bound = xasprintf("[%s]:%u", text, ntohs(s6->sin6_port));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, text, sizeof text);
		*bound = xasprintf("%s:%u", text, ntohs(s4->sin_port));
	}
	return fd;
}

struct http_server *http_server_start(const struct http_server_config *cfg, char **err)
{
	struct http_server *srv = xcalloc(1, sizeof *srv);
	srv->cfg = *cfg;
	srv->listen_fd = cfg->listen_fd;
	srv->quiesced_fd = -1;
	for (size_t i = 0; i < cfg->module_count; i++) {
		if (router_add(&srv->router, cfg->modules[i], err)) {
			router_free(&srv->router);
			free(srv);
			return NULL;
		}
	}
	/* Metrics slots: one per route, then static files, then unmatched. */
	srv->labels = xcalloc(srv->router.count + 2, sizeof *srv->labels);
	for (size_t i = 0; i < srv->router.count; i++)
		srv->labels[i] = srv->router.entries[i].route->pattern;
	srv->slot_static = srv->router.count;
	srv->slot_unmatched = srv->router.count + 1;
	srv->labels[srv->slot_static] = "static";
	srv->labels[srv->slot_unmatched] = "unmatched";
	srv->metrics = metrics_new(srv->labels, srv->router.count + 2);
	srv->limiter = rate_limiter_new(cfg->public_writes_per_minute, cfg->public_write_burst, 16384);
	unsigned char rnd[4];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		memset(rnd, 0, sizeof rnd);
	snprintf(srv->id_prefix, sizeof srv->id_prefix, "%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)cfg->listen_fd,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 1),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
		MHD_OPTION_END);
	if (!srv->daemon) {
		*err = xstrdup("cannot start the HTTP server (libmicrohttpd refused its options)");
		rate_limiter_free(srv->limiter);
		metrics_free(srv->metrics);
		free(srv->labels);
		router_free(&srv->router);
		free(srv);
		return NULL;
	}
	return srv;
}

void http_server_quiesce(struct http_server *srv)
{
	atomic_store(&srv->stopping, true);
	/* The socket comes back to us, to close after MHD_stop_daemon, as
	 * libmicrohttpd requires; until then it closes it itself. */
	srv->quiesced_fd = MHD_quiesce_daemon(srv->daemon);
	/* Quiescing only stops libmicrohttpd from accepting; the kernel would
	 * still queue new connections on the socket, to hang until the end.
	 * shutdown() makes newcomers get a refusal at once. */
	if (srv->quiesced_fd >= 0)
		shutdown(srv->quiesced_fd, SHUT_RDWR);
}

bool http_server_wait_idle(struct http_server *srv, unsigned timeout_ms)
{
	for (unsigned waited = 0; atomic_load(&srv->in_flight) > 0; waited += 10) {
		if (waited >= timeout_ms)
			return false;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return true;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->daemon);
	if (srv->quiesced_fd >= 0)
		close(srv->quiesced_fd);
	rate_limiter_free(srv->limiter);
	metrics_free(srv->metrics);
	free(srv->labels);
	router_free(&srv->router);
	free(srv);
}

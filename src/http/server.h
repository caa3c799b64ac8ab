/* Starting and stopping the HTTP server (libmicrohttpd): used by the CLI. */
#ifndef WG_HTTP_SERVER_H
#define WG_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "http/http.h"

/* A file compiled into the binary (see tools/embed.c). */
struct http_asset {
	const char *path; /* "index.html", "app.js", "img/logo.svg" */
	const char *mime;
	const unsigned char *data;
	size_t len;
	const unsigned char *gz; /* gzip of data, NULL when it would not be smaller */
	size_t gz_len;
	const char *etag;    /* quoted, e.g. "\"3f2a...\"" */
	const char *etag_gz; /* quoted, for the gzip form */
};

/* Decides whether the request may proceed to its handler. Runs for every
 * routed request (public ones too, so a handler can know who asks). Returns
 * true to proceed; false after answering (401, 403, 429...). */
typedef bool (*http_auth_fn)(struct http_req *req, const char *permission, void *ctx);

/* Idempotency-Key on POST (design.md: a repeated key returns the first
 * answer and creates nothing new). begin runs after authentication and may
 * answer (a replay, or a refusal); end gets the answer the handler gave. */
enum http_idem {
	HTTP_IDEM_PROCEED,
	HTTP_IDEM_REPLIED,
};
struct http_idempotency {
	enum http_idem (*begin)(struct http_req *req, const char *key, void *ctx);
	void (*end)(struct http_req *req, const char *key, unsigned status, const char *content_type,
		    const void *body, size_t len, void *ctx);
	void *ctx;
};

struct http_server_config {
	int listen_fd;             /* from http_listen(); the server takes it over */
	unsigned threads;          /* worker threads, at least 1 */
	size_t body_limit;         /* default largest body */
	bool access_log;
	bool behind_tls;           /* adds Strict-Transport-Security */
	unsigned per_ip_connections; /* 0: no limit */
	const char *trusted_proxies; /* "127.0.0.1,::1": peers whose forwarded client address is believed; borrowed */
	unsigned public_writes_per_minute; /* anonymous writes per address (ratelimit.h); 0: no limit */
	unsigned public_write_burst;       /* ... of which this many at once */
	const struct http_module *const *modules;
	size_t module_count;
	const struct http_asset *assets; /* sorted by path */
	size_t asset_count;
	http_auth_fn authenticate; /* NULL: only "public" routes are reachable */
	const struct http_idempotency *idempotency; /* NULL: keys are ignored */
	void *auth_ctx;
};

struct http_server;

/* Opens a listening socket on "ADDR:PORT" ("[::1]:8080" for IPv6; port 0
 * picks a free one). *bound gets "ADDR:PORT" as bound (caller frees).
 * Returns the socket, or -1 with *err (caller frees). */
int http_listen(const char *addr, char **bound, char **err);

/* Starts serving. Returns NULL with *err (caller frees) on failure. */
struct http_server *http_server_start(const struct http_server_config *cfg, char **err);
/* Stops accepting connections; in-flight requests go on. */
void http_server_quiesce(struct http_server *srv);
/* Waits until no request is in flight or timeout_ms passes; true if idle. */
bool http_server_wait_idle(struct http_server *srv, unsigned timeout_ms);
/* Closes every connection and frees the server. */
void http_server_stop(struct http_server *srv);

/* Appends the HTTP metrics of the server that answers req. */
void http_render_metrics(struct http_req *req, struct buf *out);

#endif

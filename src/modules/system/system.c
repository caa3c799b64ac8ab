#include "modules/system/system.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "http/server.h"

static struct store *system_store;

/* Liveness: answers while the process can serve HTTP at all. It touches no
 * database, so a slow database never gets a healthy node killed. */
static void system_healthz(struct http_req *req)
{
	http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static int system_ping(struct store_conn *c, void *arg)
{
	(void)arg;
	static const char sql[] = "SELECT 1";
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* Readiness: the database answers. A load balancer sends traffic only to
 * nodes that are ready. */
static void system_readyz(struct http_req *req)
{
	if (store_tx(system_store, STORE_READ, system_ping, NULL) != STORE_OK) {
		http_reply_error(req, HTTP_ERR_unavailable, NULL, "The database does not answer");
		return;
	}
	http_reply_json(req, 200, json_pack("{s:s, s:s}", "status", "ok", "database", store_backend_name(system_store)));
}

static long system_rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * 4096;
}

static void system_metrics(struct http_req *req)
{
	struct buf out = {0};
	http_render_metrics(req, &out);
	struct store_stats st = store_get_stats(system_store);
	buf_printf(&out,
		   "# HELP wangge_db_transactions_total Database transactions committed.\n"
		   "# TYPE wangge_db_transactions_total counter\n"
		   "wangge_db_transactions_total %llu\n"
		   "# HELP wangge_db_commits_total Database commits of writes; group commit makes them fewer than the writes.\n"
		   "# TYPE wangge_db_commits_total counter\n"
		   "wangge_db_commits_total %llu\n"
		   "# HELP wangge_db_retries_total Transactions retried after a soft failure.\n"
		   "# TYPE wangge_db_retries_total counter\n"
		   "wangge_db_retries_total %llu\n"
		   "# HELP wangge_db_failures_total Transactions that failed.\n"
		   "# TYPE wangge_db_failures_total counter\n"
		   "wangge_db_failures_total %llu\n"
		   "# HELP wangge_db_rollbacks_total Transactions rolled back on a client error.\n"
		   "# TYPE wangge_db_rollbacks_total counter\n"
		   "wangge_db_rollbacks_total %llu\n"
		   "# HELP wangge_db_statements_total Statements executed.\n"
		   "# TYPE wangge_db_statements_total counter\n"
		   "wangge_db_statements_total %llu\n"
		   "# HELP wangge_db_connections_total Database connections opened.\n"
		   "# TYPE wangge_db_connections_total counter\n"
		   "wangge_db_connections_total %llu\n"
		   "# HELP wangge_process_resident_bytes Resident memory of the process.\n"
		   "# TYPE wangge_process_resident_bytes gauge\n"
		   "wangge_process_resident_bytes %ld\n",
		   (unsigned long long)st.transactions, (unsigned long long)st.commits, (unsigned long long)st.retries,
		   (unsigned long long)st.failures, (unsigned long long)st.rollbacks,
		   (unsigned long long)st.statements, (unsigned long long)st.connections, system_rss_bytes());
	size_t len = out.len;
	http_reply_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", buf_steal(&out), len);
}

/* The web UI reports its own script errors here: on a grid worker's old
 * phone they are otherwise invisible. Logged, never stored. */
static void system_client_error(struct http_req *req)
{
	const char *message = NULL, *url = NULL;
	int64_t line = 0, column = 0;
	const struct field_spec specs[] = {
		FIELD_STR("message", &message, 1, 1000),
		FIELD_STR_OPT("url", &url, 500),
		FIELD_INT_OPT("line", &line, 0, 10000000),
		FIELD_INT_OPT("column", &column, 0, 10000000),
		FIELD_END,
	};
	if (http_parse_body(req, specs) != HTTP_PARSE_OK)
		return;
	struct buf text = {0};
	buf_json_escape(&text, message);
	buf_puts(&text, "\" at \"");
	buf_json_escape(&text, url ? url : "");
	log_warn("client error (request %s): \"%s\":%lld:%lld", http_request_id(req), text.data, (long long)line,
		 (long long)column);
	buf_free(&text);
	http_reply_json(req, 204, NULL);
}

static const struct http_route system_routes[] = {
	{HTTP_GET, "/healthz", system_healthz, "public", NULL, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/readyz", system_readyz, "public", NULL, HTTP_BODY_NONE, 0},
	{HTTP_GET, "/metrics", system_metrics, "public", NULL, HTTP_BODY_NONE, 0},
	{HTTP_POST, "/api/v1/client-errors", system_client_error, "public", NULL, HTTP_BODY_JSON, 0},
};

static const struct http_module system_http = {
	.name = "system",
	.routes = system_routes,
	.count = sizeof system_routes / sizeof system_routes[0],
};

const struct http_module *system_module(struct store *store)
{
	system_store = store;
	return &system_http;
}

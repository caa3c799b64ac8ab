/* wangge serve: open the store, bring it up to date, serve until a signal,
 * then stop gracefully: stop accepting, let in-flight requests finish
 * (bounded by shutdown_timeout), close the database, exit 0. */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/log.h"
#include "http/server.h"
#include "modules/areas/areas.h"
#include "modules/cases/cases.h"
#include "modules/cases/case_config.h"
#include "core/vault.h"
#include "modules/identity/identity.h"
#include "modules/notify/notify.h"
#include "modules/media/media.h"
#include "modules/open311/open311.h"
#include "modules/register/register.h"
#include "modules/system/system.h"
#include "store/store.h"

/* Generated from web/ by tools/embed.c. */
extern const struct http_asset wangge_assets[];
extern const size_t wangge_assets_count;

static unsigned serve_threads(const struct config *cfg)
{
	int64_t n = config_get_int(cfg, "threads");
	if (n > 0)
		return (unsigned)n;
	/* A worker waiting for its group's commit holds no core, and the more
	 * writers wait, the more share one fsync: several workers per core. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores > 2 ? (unsigned)(8 * cores) : 16;
}

size_t cli_modules(struct store *store, const struct vault *vault, const struct config *cfg,
		   const struct http_module **out)
{
	static struct identity_config idc;
	idc.secure_cookies = config_get_bool(cfg, "behind_tls");
	size_t n = 0;
	out[n++] = system_module(store);
	out[n++] = identity_module(store, &idc);
	out[n++] = areas_module(store);
	out[n++] = register_module(store, vault);
	out[n++] = cases_module(store, vault, cfg);
	out[n++] = notify_module(store);
	out[n++] = case_config_module(store);
	out[n++] = media_module(store, cfg);
	out[n++] = open311_module(store, vault);
	return n;
}

/* wangge routes: every route with its permission, as JSON, for the
 * authorization matrix test and for operators reviewing access. */
int cmd_routes(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_args args;
	int code;
	if (cli_parse(cmd, argc, argv, &args, &code))
		return code;
	const struct http_module *modules[CLI_MAX_MODULES];
	size_t n = cli_modules(NULL, NULL, args.cfg, modules);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		for (size_t r = 0; r < modules[i]->count; r++) {
			const struct http_route *route = &modules[i]->routes[r];
			static const char *const names[] = {"", "GET", "POST", "", "PUT", "", "", "", "PATCH"};
			const char *method = route->method == HTTP_DELETE ? "DELETE" : names[route->method];
			json_t *roles = json_array();
			for (int role = 0; role < ROLE_COUNT; role++)
				if (role_has((enum role)role, route->permission))
					json_array_append_new(roles, json_string(role_name((enum role)role)));
			json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "module", modules[i]->name,
							     "method", method, "pattern", route->pattern, "permission",
							     route->permission, "known",
							     permission_known(route->permission), "roles", roles));
		}
	char *text = json_dumps(out, JSON_INDENT(1));
	puts(text);
	free(text);
	json_decref(out);
	cli_args_free(&args);
	return CLI_OK;
}

int cmd_serve(const struct cli_command *cmd, int argc, char **argv)
{
	/* glibc gives each of the many worker threads an arena of its own (up
	 * to 8 per core), each keeping what it freed: a few shared arenas hold
	 * the server's memory down at no cost a 2-core machine can measure. */
	mallopt(M_ARENA_MAX, 4);
	struct cli_args args;
	int code;
	if (cli_parse(cmd, argc, argv, &args, &code))
		return code;
	if (cli_switch(&args, "print-config")) {
		config_print(args.cfg, stdout);
		cli_args_free(&args);
		return CLI_OK;
	}
	if (sodium_init() < 0) {
		cli_error(cmd, "libsodium failed to start");
		cli_args_free(&args);
		return CLI_FAILURE;
	}
	/* Signals are taken by sigwait() in this thread only: block them before
	 * any thread starts, so every thread inherits the mask. */
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	int exit_code = CLI_FAILURE;
	struct vault vault = {0};
	char *err = NULL, *bound = NULL;
	struct http_server *srv = NULL;
	int applied;
	struct store *store = NULL;
	const char *blob_dir = config_get(args.cfg, "blob_dir");
	if (*blob_dir && !media_blob_dir_usable(blob_dir, &err)) {
		cli_error(cmd, "%s", err);
		goto out;
	}
	store = cli_open_store(cmd, &args, &applied);
	if (!store)
		goto out;
	if (store_claim(store, &err)) {
		cli_error(cmd, "%s", err);
		goto out;
	}
	if (cli_open_vault(cmd, &args, store, &vault))
		goto out;
	/* The webhook thread only needs the store; it starts before the
	 * server so a bad webhook setting fails the start, not a request. */
	if (notify_start(store, args.cfg, &err)) {
		cli_error(cmd, "%s", err);
		goto out;
	}
	int fd = http_listen(config_get(args.cfg, "listen"), &bound, &err);
	if (fd < 0) {
		cli_error(cmd, "%s", err);
		goto out;
	}
	const struct http_module *modules[CLI_MAX_MODULES];
	size_t module_count = cli_modules(store, &vault, args.cfg, modules);
	/* A route naming a permission the table lacks would be open to no one
	 * (or, worse, be a typo): refuse to start. */
	for (size_t i = 0; i < module_count; i++)
		for (size_t r = 0; r < modules[i]->count; r++)
			if (!permission_known(modules[i]->routes[r].permission)) {
				cli_error(cmd, "route %s needs unknown permission '%s'", modules[i]->routes[r].pattern,
					  modules[i]->routes[r].permission);
				close(fd);
				goto out;
			}
	struct http_server_config hc = {
		.listen_fd = fd,
		.threads = serve_threads(args.cfg),
		.body_limit = (size_t)config_get_int(args.cfg, "body_limit"),
		.access_log = config_get_bool(args.cfg, "access_log"),
		.behind_tls = config_get_bool(args.cfg, "behind_tls"),
		.per_ip_connections = (unsigned)config_get_int(args.cfg, "per_ip_connections"),
		.trusted_proxies = config_get(args.cfg, "trusted_proxy"),
		.public_writes_per_minute = (unsigned)config_get_int(args.cfg, "public_writes_per_minute"),
		.public_write_burst = (unsigned)config_get_int(args.cfg, "public_write_burst"),
		.modules = modules,
		.module_count = module_count,
		.assets = wangge_assets,
		.asset_count = wangge_assets_count,
		.authenticate = identity_authenticate,
		.idempotency = identity_idempotency(store),
	};
	srv = http_server_start(&hc, &err);
	if (!srv) {
		close(fd);
		cli_error(cmd, "%s", err);
		goto out;
	}
	if (cases_start(&err)) {
		cli_error(cmd, "%s", err);
		goto out;
	}
	/* Tests and scripts wait for this line to know the server is up. */
	printf("wangge: listening on http://%s (%s, %u threads)\n", bound, store_backend_name(store), hc.threads);
	fflush(stdout);

	int sig = 0;
	sigwait(&stop_signals, &sig);
	log_info("%s received: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_server_quiesce(srv);
	unsigned timeout_ms = (unsigned)config_get_int(args.cfg, "shutdown_timeout") * 1000u;
	if (!http_server_wait_idle(srv, timeout_ms))
		log_warn("requests still running after %u s: closing them", timeout_ms / 1000);
	http_server_stop(srv);
	srv = NULL;
	/* Prompt: an attempt in flight is abandoned and given back. */
	notify_stop();
	log_info("stopped");
	exit_code = CLI_OK;
out:
	if (srv)
		http_server_stop(srv);
	cases_close();
	notify_stop();
	store_close(store);
	vault_wipe(&vault);
	free(err);
	free(bound);
	cli_args_free(&args);
	return exit_code;
}

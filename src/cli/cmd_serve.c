/* wangge serve: open the store, bring it up to date, serve until a signal,
 * then stop gracefully: stop accepting, let in-flight requests finish
 * (bounded by shutdown_timeout), close the database, exit 0. */
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/log.h"
#include "http/server.h"
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
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores > 2 ? (unsigned)cores : 2;
}

int cmd_serve(const struct cli_command *cmd, int argc, char **argv)
{
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
	char *err = NULL, *bound = NULL;
	struct http_server *srv = NULL;
	int applied;
	struct store *store = cli_open_store(cmd, &args, &applied);
	if (!store)
		goto out;
	if (store_claim(store, &err)) {
		cli_error(cmd, "%s", err);
		goto out;
	}
	int fd = http_listen(config_get(args.cfg, "listen"), &bound, &err);
	if (fd < 0) {
		cli_error(cmd, "%s", err);
		goto out;
	}
	const struct http_module *modules[] = {
		system_module(store),
	};
	struct http_server_config hc = {
		.listen_fd = fd,
		.threads = serve_threads(args.cfg),
		.body_limit = (size_t)config_get_int(args.cfg, "body_limit"),
		.access_log = config_get_bool(args.cfg, "access_log"),
		.behind_tls = config_get_bool(args.cfg, "behind_tls"),
		.per_ip_connections = (unsigned)config_get_int(args.cfg, "per_ip_connections"),
		.modules = modules,
		.module_count = sizeof modules / sizeof modules[0],
		.assets = wangge_assets,
		.asset_count = wangge_assets_count,
	};
	srv = http_server_start(&hc, &err);
	if (!srv) {
		close(fd);
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
	log_info("stopped");
	exit_code = CLI_OK;
out:
	store_close(store);
	free(err);
	free(bound);
	cli_args_free(&args);
	return exit_code;
}

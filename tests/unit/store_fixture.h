/* A database of a test's own, on SQLite (a file in /tmp) or on PostgreSQL
 * (a new database in the cluster WANGGE_TEST_PG names; made through the
 * cluster's postgres database, since CREATE DATABASE cannot run inside
 * store_tx's transaction). Header-only: each test is its own program.
 * The test opens f->url itself; teardown closes f->s and drops the data. */
#ifndef WG_TESTS_STORE_FIXTURE_H
#define WG_TESTS_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/store.h"

struct fixture {
	struct store *s;
	char url[512];
	char path[256];
	char pg_name[64];
};

static int fixture_sqlite(void **state, const char *name)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->path, sizeof f->path, "/tmp/wangge-%s-%d.db", name, getpid());
	unlink(f->path);
	snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
	*state = f;
	return 0;
}

static int fixture_pg(void **state, const char *name)
{
	const char *base = getenv("WANGGE_TEST_PG");
	if (!base)
		return -1;
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->pg_name, sizeof f->pg_name, "wg_%s_%d", name, getpid());
	char cmd[700];
	snprintf(cmd, sizeof cmd,
		 "PGOPTIONS='-c client_min_messages=warning' psql -q '%s/postgres' -c 'DROP DATABASE IF EXISTS %s'"
		 " -c 'CREATE DATABASE %s' >/dev/null",
		 base, f->pg_name, f->pg_name);
	if (system(cmd) != 0) {
		free(f);
		return -1;
	}
	snprintf(f->url, sizeof f->url, "%s/%s", base, f->pg_name);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->s);
	const char *suffixes[] = {"", "-wal", "-shm"};
	for (int i = 0; f->path[0] && i < 3; i++) {
		char p[300];
		snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
		unlink(p);
	}
	if (f->pg_name[0]) {
		char cmd[700];
		snprintf(cmd, sizeof cmd, "psql -q '%s/postgres' -c 'DROP DATABASE IF EXISTS %s WITH (FORCE)' >/dev/null",
			 getenv("WANGGE_TEST_PG"), f->pg_name);
		if (system(cmd) != 0)
			fprintf(stderr, "could not drop %s\n", f->pg_name);
	}
	free(f);
	return 0;
}

#endif

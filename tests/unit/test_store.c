/* The store on both backends: migrations, statements, transactions,
 * retries. PostgreSQL runs when WANGGE_TEST_PG names a cluster
 * (postgres://user@host:port); scripts/test.sh starts a throwaway one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.c"

struct fixture {
	struct store *s;
	char url[512];
	char path[256];
};

static int sqlite_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->path, sizeof f->path, "/tmp/wangge-store-%d.db", getpid());
	unlink(f->path);
	snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
	*state = f;
	return 0;
}

static int pg_setup(void **state)
{
	const char *base = getenv("WANGGE_TEST_PG");
	if (!base)
		return -1;
	struct fixture *f = calloc(1, sizeof *f);
	/* A database of its own: create it through the cluster's postgres db. */
	char admin[512], *err = NULL;
	snprintf(admin, sizeof admin, "%s/postgres", base);
	struct store *a;
	if (store_open(admin, &a, &err)) {
		free(err);
		free(f);
		return -1;
	}
	char name[64], sql[160];
	snprintf(name, sizeof name, "wg_unit_%d", getpid());
	struct store_conn *c = store_conn_for_thread(a);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
	store_exec(c, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	int rc = store_exec(c, sql);
	store_close(a);
	if (rc != STORE_OK) {
		free(f);
		return -1;
	}
	snprintf(f->url, sizeof f->url, "%s/%s", base, name);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (f->path[0]) {
		char p[300];
		unlink(f->path);
		snprintf(p, sizeof p, "%s-wal", f->path);
		unlink(p);
		snprintf(p, sizeof p, "%s-shm", f->path);
		unlink(p);
	}
	free(f);
	return 0;
}

static struct store *open_migrated(struct fixture *f)
{
	struct store *s;
	char *err = NULL;
	if (store_open(f->url, &s, &err))
		fail_msg("open %s: %s", f->url, err);
	int applied;
	if (store_migrate(s, &applied, &err))
		fail_msg("migrate: %s", err);
	return s;
}

static void test_migrations(void **state)
{
	struct fixture *f = *state;
	struct store *s;
	char *err = NULL;
	assert_int_equal(store_open(f->url, &s, &err), 0);
	assert_int_equal(store_schema_version(s), 0);
	int applied = -1;
	assert_int_equal(store_migrate(s, &applied, &err), 0);
	assert_int_equal(applied, (int)store_migrations_count);
	assert_int_equal(store_schema_version(s), store_latest_version());
	assert_int_equal(store_migrate(s, &applied, &err), 0);
	assert_int_equal(applied, 0);
	store_close(s);
}

static const char sql_future[] = "INSERT INTO schema_version (version, name, applied_at) VALUES (999999, 'future', 'now')";

static int write_future(struct store_conn *c, void *arg)
{
	(void)arg;
	struct store_stmt *st = store_prepare(c, sql_future);
	int rc = store_step(st);
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static void test_refuses_newer_schema(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_migrated(f);
	assert_int_equal(store_tx(s, STORE_WRITE, write_future, NULL), STORE_OK);
	int applied;
	char *err = NULL;
	assert_int_equal(store_migrate(s, &applied, &err), -1);
	assert_non_null(strstr(err, "newer than this wangge"));
	free(err);
	store_close(s);
}

static const char sql_create[] = "CREATE TABLE IF NOT EXISTS t_items (id SERIAL_PK, name TEXT NOT NULL UNIQUE, n BIGINT, data BLOB)";
static const char sql_insert[] = "INSERT INTO t_items (name, n, data) VALUES (?, ?, ?) RETURNING id";
static const char sql_select[] = "SELECT id, name, n, data FROM t_items WHERE name = ?";
static const char sql_update[] = "UPDATE t_items SET n = n + 1 WHERE name = ?";

struct item {
	const char *name;
	int64_t n;
	int64_t id;
};

static int create_table(struct store_conn *c, void *arg)
{
	(void)arg;
	char *ddl = c->be->translate_ddl(sql_create);
	int rc = store_exec(c, ddl);
	free(ddl);
	return rc;
}

static int insert_item(struct store_conn *c, void *arg)
{
	struct item *it = arg;
	struct store_stmt *st = store_prepare(c, sql_insert);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, it->name);
	store_bind_int(st, 2, it->n);
	store_bind_blob(st, 3, "\0\x01\xff", 3);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		it->id = store_col_int(st, 0);
	store_reset(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

static int read_item(struct store_conn *c, void *arg)
{
	struct item *it = arg;
	struct store_stmt *st = store_prepare(c, sql_select);
	store_bind_text(st, 1, it->name);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		it->id = store_col_int(st, 0);
		assert_string_equal(store_col_text(st, 1), it->name);
		it->n = store_col_int(st, 2);
		size_t n;
		const unsigned char *b = store_col_blob(st, 3, &n);
		assert_int_equal(n, 3);
		assert_memory_equal(b, "\0\x01\xff", 3);
		assert_int_equal(store_step(st), STORE_DONE);
		rc = STORE_OK;
	} else if (rc == STORE_DONE) {
		rc = STORE_ABORT;
	}
	store_reset(st);
	return rc;
}

static int insert_then_abort(struct store_conn *c, void *arg)
{
	int rc = insert_item(c, arg);
	return rc == STORE_OK ? STORE_ABORT : rc;
}

static void test_statements_and_transactions(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_migrated(f);
	assert_int_equal(store_tx(s, STORE_WRITE, create_table, NULL), STORE_OK);
	struct item a = {"网格一", 42, 0};
	assert_int_equal(store_tx(s, STORE_WRITE, insert_item, &a), STORE_OK);
	assert_true(a.id > 0);
	struct item again = {"网格一", 1, 0};
	assert_int_equal(store_tx(s, STORE_WRITE, insert_item, &again), STORE_CONSTRAINT);
	struct item gone = {"rolled back", 7, 0};
	assert_int_equal(store_tx(s, STORE_WRITE, insert_then_abort, &gone), STORE_ABORT);
	assert_int_equal(store_tx(s, STORE_READ, read_item, &gone), STORE_ABORT);
	struct item back = {"网格一", 0, 0};
	assert_int_equal(store_tx(s, STORE_READ, read_item, &back), STORE_OK);
	assert_int_equal(back.n, 42);
	assert_int_equal(back.id, a.id);
	struct store_stats st = store_get_stats(s);
	assert_true(st.transactions >= 3);
	assert_true(st.statements >= 4);
	store_close(s);
}

/* Concurrent writers on one counter: every increment lands, whatever soft
 * failures (busy, serialization) the runner had to retry. */
struct worker {
	struct store *s;
	int done;
};

static int bump(struct store_conn *c, void *arg)
{
	(void)arg;
	struct store_stmt *st = store_prepare(c, sql_update);
	store_bind_text(st, 1, "counter");
	int rc = store_step(st);
	int64_t changed = store_changes(st);
	store_reset(st);
	if (rc != STORE_DONE)
		return rc;
	return changed == 1 ? STORE_OK : STORE_ERROR;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 25; i++)
		if (store_tx(w->s, STORE_WRITE, bump, NULL) == STORE_OK)
			w->done++;
	return NULL;
}

static void test_concurrent_writers(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_migrated(f);
	assert_int_equal(store_tx(s, STORE_WRITE, create_table, NULL), STORE_OK);
	struct item counter = {"counter", 0, 0};
	assert_int_equal(store_tx(s, STORE_WRITE, insert_item, &counter), STORE_OK);
	struct worker w[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){s, 0};
		pthread_create(&th[i], NULL, worker_main, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].done, 25);
	}
	struct item back = {"counter", 0, 0};
	assert_int_equal(store_tx(s, STORE_READ, read_item, &back), STORE_OK);
	assert_int_equal(back.n, 100);
	/* A writer opens a connection only when it leads a group. */
	assert_true(store_get_stats(s).connections <= 5);
	store_close(s);
}

/* Group commit. A leader holds its transaction open until the other
 * writers have queued behind it; they then share the next commit. */
#define GROUP_WRITERS 8

struct group_writer {
	struct store *s;
	store_tx_fn fn;
	struct item it;
	int rc;
};

static _Atomic int group_queued;
static _Atomic bool leader_inside;

static int slow_leader(struct store_conn *c, void *arg)
{
	atomic_store(&leader_inside, true);
	while (atomic_load(&group_queued) < GROUP_WRITERS)
		usleep(1000);
	usleep(200 * 1000); /* from store_tx's first line to the queue */
	return insert_item(c, arg);
}

/* Writes its row, then ends the savepoint it runs under: the runner's
 * rollback to it fails, which breaks the shared transaction. */
static int savepoint_breaker(struct store_conn *c, void *arg)
{
	store_exec(c, "RELEASE SAVEPOINT wangge_member");
	insert_item(c, arg);
	return STORE_ERROR;
}

static void *group_writer_main(void *arg)
{
	struct group_writer *w = arg;
	if (w->fn != slow_leader)
		atomic_fetch_add(&group_queued, 1);
	w->rc = store_tx(w->s, STORE_WRITE, w->fn, &w->it);
	return NULL;
}

/* Runs the leader, then the writers, and returns how many commits the
 * store made for them. */
static uint64_t run_group(struct store *s, struct group_writer *w)
{
	atomic_store(&group_queued, 0);
	atomic_store(&leader_inside, false);
	uint64_t before = store_get_stats(s).commits;
	pthread_t th[GROUP_WRITERS + 1];
	w[0].s = s;
	w[0].fn = slow_leader;
	pthread_create(&th[0], NULL, group_writer_main, &w[0]);
	while (!atomic_load(&leader_inside))
		usleep(1000);
	for (int i = 1; i <= GROUP_WRITERS; i++) {
		w[i].s = s;
		pthread_create(&th[i], NULL, group_writer_main, &w[i]);
	}
	for (int i = 0; i <= GROUP_WRITERS; i++)
		pthread_join(th[i], NULL);
	return store_get_stats(s).commits - before;
}

static bool item_exists(struct store *s, const char *name)
{
	struct item back = {name, 0, 0};
	int rc = store_tx(s, STORE_READ, read_item, &back);
	assert_true(rc == STORE_OK || rc == STORE_ABORT);
	return rc == STORE_OK;
}

static void test_group_commit(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_migrated(f);
	assert_int_equal(store_tx(s, STORE_WRITE, create_table, NULL), STORE_OK);
	struct group_writer w[GROUP_WRITERS + 1] = {
		{.it = {"leader", 1, 0}},
		{.fn = insert_item, .it = {"g1", 1, 0}},
		{.fn = insert_item, .it = {"g2", 1, 0}},
		{.fn = insert_item, .it = {"g3", 1, 0}},
		{.fn = insert_item, .it = {"g4", 1, 0}},
		{.fn = insert_item, .it = {"g5", 1, 0}},
		{.fn = insert_item, .it = {"g6", 1, 0}},
		{.fn = insert_item, .it = {"leader", 2, 0}}, /* a unique name taken: fails alone */
		{.fn = insert_then_abort, .it = {"aborted", 3, 0}},
	};
	uint64_t commits = run_group(s, w);
	/* Nine writes; the eight that queued behind the leader share a commit
	 * (a writer slow to reach the queue may take one more). */
	assert_true(commits >= 2 && commits <= 3);
	for (int i = 0; i <= 6; i++) {
		assert_int_equal(w[i].rc, STORE_OK);
		assert_true(item_exists(s, w[i].it.name)); /* durable once store_tx returned */
	}
	assert_int_equal(w[7].rc, STORE_CONSTRAINT);
	assert_int_equal(w[8].rc, STORE_ABORT);
	assert_false(item_exists(s, "aborted"));
	struct item leader = {"leader", 0, 0};
	assert_int_equal(store_tx(s, STORE_READ, read_item, &leader), STORE_OK);
	assert_int_equal(leader.n, 1);
	store_close(s);
}

/* A member that breaks the shared transaction itself: every member runs
 * again alone, so only the culprit fails. */
static void test_group_failure_reruns_alone(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_migrated(f);
	assert_int_equal(store_tx(s, STORE_WRITE, create_table, NULL), STORE_OK);
	struct group_writer w[GROUP_WRITERS + 1] = {
		{.it = {"leader", 1, 0}},
		{.fn = insert_item, .it = {"g1", 1, 0}},
		{.fn = insert_item, .it = {"g2", 1, 0}},
		{.fn = insert_item, .it = {"g3", 1, 0}},
		{.fn = savepoint_breaker, .it = {"breaker", 1, 0}},
		{.fn = insert_item, .it = {"g4", 1, 0}},
		{.fn = insert_item, .it = {"g5", 1, 0}},
		{.fn = insert_item, .it = {"g6", 1, 0}},
		{.fn = insert_item, .it = {"g7", 1, 0}},
	};
	run_group(s, w);
	for (int i = 0; i <= GROUP_WRITERS; i++) {
		if (i == 4)
			continue;
		assert_int_equal(w[i].rc, STORE_OK);
		assert_true(item_exists(s, w[i].it.name));
	}
	assert_int_equal(w[4].rc, STORE_ERROR);
	assert_false(item_exists(s, "breaker"));
	store_close(s);
}

static void test_claim(void **state)
{
	struct fixture *f = *state;
	struct store *a = open_migrated(f), *b = open_migrated(f);
	char *err = NULL;
	assert_int_equal(store_claim(a, &err), 0);
	int rc = store_claim(b, &err);
	if (strcmp(store_backend_name(a), "sqlite") == 0) {
		assert_int_equal(rc, -1);
		assert_non_null(strstr(err, "in use by another wangge server"));
		free(err);
	} else {
		assert_int_equal(rc, 0); /* many nodes share one PostgreSQL */
	}
	store_close(a);
	store_close(b);
}

static void test_replace_words(void **state)
{
	(void)state;
	static const char *const from[] = {"SERIAL_PK", "BLOB"};
	static const char *const to[] = {"BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA"};
	char *out = store_replace_words("CREATE TABLE x (id SERIAL_PK, b BLOB, BLOBS TEXT DEFAULT 'BLOB', \"BLOB\" INT) -- BLOB\n",
					from, to, 2);
	assert_string_equal(out, "CREATE TABLE x (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, b BYTEA, BLOBS TEXT DEFAULT 'BLOB', \"BLOB\" INT) -- BLOB\n");
	free(out);
}

static void test_bad_urls(void **state)
{
	(void)state;
	struct store *s;
	char *err = NULL;
	assert_int_equal(store_open("mysql://x", &s, &err), -1);
	free(err);
	err = NULL;
	assert_int_equal(store_open("sqlite:/nonexistent/dir/x.db", &s, &err), -1);
	assert_non_null(err);
	free(err);
}

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
		cmocka_unit_test_setup_teardown(test_migrations, sqlite_setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_newer_schema, sqlite_setup, teardown),
		cmocka_unit_test_setup_teardown(test_statements_and_transactions, sqlite_setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, sqlite_setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit, sqlite_setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_failure_reruns_alone, sqlite_setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim, sqlite_setup, teardown),
		cmocka_unit_test(test_replace_words),
		cmocka_unit_test(test_bad_urls),
	};
	int failed = cmocka_run_group_tests_name("store_sqlite", sqlite_tests, NULL, NULL);
	if (getenv("WANGGE_TEST_PG")) {
		const struct CMUnitTest pg_tests[] = {
			cmocka_unit_test_setup_teardown(test_migrations, pg_setup, teardown),
			cmocka_unit_test_setup_teardown(test_refuses_newer_schema, pg_setup, teardown),
			cmocka_unit_test_setup_teardown(test_statements_and_transactions, pg_setup, teardown),
			cmocka_unit_test_setup_teardown(test_concurrent_writers, pg_setup, teardown),
			cmocka_unit_test_setup_teardown(test_group_commit, pg_setup, teardown),
			cmocka_unit_test_setup_teardown(test_group_failure_reruns_alone, pg_setup, teardown),
			cmocka_unit_test_setup_teardown(test_claim, pg_setup, teardown),
		};
		failed += cmocka_run_group_tests_name("store_postgres", pg_tests, NULL, NULL);
	}
	return failed;
}

/* The blob store below HTTP: files of blob_dir written, read back, caught
 * when corrupt; and the orphan sweep, which takes old unreferenced blobs
 * and their files and spares the rest. On SQLite, and on PostgreSQL when
 * WANGGE_TEST_PG names a cluster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "modules/media/media.c"
#include "store/store.c"

struct fixture {
	struct store *s;
	struct config *cfg;
	char dir[128];
	char db[160];
	char pg_name[64];
};

static void run_sql(struct store *s, const char *sql)
{
	struct store_conn *c = store_conn_for_thread(s);
	if (store_exec(c, sql) != STORE_OK)
		fail_msg("%s: %s", sql, store_errmsg(c));
}

static int setup_with(void **state, const char *url, const char *pg_name)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/wangge-media-%d", getpid());
	mkdir(f->dir, 0700);
	if (!url) {
		snprintf(f->db, sizeof f->db, "%s.db", f->dir);
		unlink(f->db);
	}
	char sqlite_url[200];
	snprintf(sqlite_url, sizeof sqlite_url, "sqlite:%s", f->db);
	if (pg_name)
		snprintf(f->pg_name, sizeof f->pg_name, "%s", pg_name);
	char *err = NULL;
	int applied;
	if (store_open(url ? url : sqlite_url, &f->s, &err) || store_migrate(f->s, &applied, &err))
		fail_msg("store: %s", err);
	f->cfg = config_new();
	assert_int_equal(config_set(f->cfg, "blob_dir", f->dir, CONFIG_FLAG, "test", &err), 0);
	media_module(f->s, f->cfg);
	*state = f;
	return 0;
}

static int sqlite_setup(void **state)
{
	return setup_with(state, NULL, NULL);
}

static int pg_setup(void **state)
{
	const char *base = getenv("WANGGE_TEST_PG");
	if (!base)
		return -1;
	char admin[512], url[512], name[64], sql[160], *err = NULL;
	snprintf(admin, sizeof admin, "%s/postgres", base);
	snprintf(name, sizeof name, "wg_media_%d", getpid());
	struct store *a;
	if (store_open(admin, &a, &err)) {
		free(err);
		return -1;
	}
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
	run_sql(a, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	run_sql(a, sql);
	store_close(a);
	snprintf(url, sizeof url, "%s/%s", base, name);
	return setup_with(state, url, name);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->s);
	config_free(f->cfg);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	if (f->db[0]) {
		const char *suffixes[] = {"", "-wal", "-shm"};
		for (int i = 0; i < 3; i++) {
			snprintf(cmd, sizeof cmd, "%s%s", f->db, suffixes[i]);
			unlink(cmd);
		}
	}
	if (f->pg_name[0]) {
		char admin[512], sql[160], *err = NULL;
		snprintf(admin, sizeof admin, "%s/postgres", getenv("WANGGE_TEST_PG"));
		struct store *a;
		if (store_open(admin, &a, &err) == 0) {
			snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", f->pg_name);
			run_sql(a, sql);
			store_close(a);
		}
		free(err);
	}
	free(f);
	return 0;
}

/* A blob row as an upload would leave it: bytes in the database, or NULL
 * with its file in blob_dir. */
struct add {
	struct upload u;
	bool in_dir;
};

static int add_tx(struct store_conn *c, void *arg)
{
	struct add *a = arg;
	return upload_insert(c, &a->u, !a->in_dir);
}

static void add_blob(struct fixture *f, const char *content, int64_t created_at, bool in_dir, char sha[65])
{
	static const struct image_info png_1x1 = {.type = IMAGE_PNG, .mime = "image/png", .width = 1, .height = 1};
	struct add a = {.u = {.data = content, .len = strlen(content), .info = &png_1x1, .now = created_at},
			.in_dir = in_dir};
	media_sha256_hex(content, strlen(content), a.u.sha);
	memcpy(sha, a.u.sha, 65);
	if (in_dir)
		assert_int_equal(blob_file_write(f->dir, sha, content, strlen(content)), BLOB_FILE_OK);
	assert_int_equal(store_tx(f->s, STORE_WRITE, add_tx, &a), STORE_OK);
	assert_true(a.u.created);
}

static int exists_tx(struct store_conn *c, void *arg)
{
	int rc = media_photo_exists(c, arg);
	return rc == STORE_DONE ? STORE_ABORT : rc;
}

static bool blob_row(struct fixture *f, const char *sha)
{
	return store_tx(f->s, STORE_READ, exists_tx, (void *)sha) == STORE_OK;
}

static void test_files(void **state)
{
	struct fixture *f = *state;
	const char *bytes = "pretend these are the bytes of a photo";
	char sha[65], path[300];
	media_sha256_hex(bytes, strlen(bytes), sha);
	assert_true(media_valid_address(sha));
	assert_false(media_valid_address("ABCDEF"));
	void *data = NULL;
	size_t len = 0;
	assert_int_equal(blob_file_read(f->dir, sha, &data, &len), BLOB_FILE_MISSING);
	assert_int_equal(blob_file_write(f->dir, sha, bytes, strlen(bytes)), BLOB_FILE_OK);
	snprintf(path, sizeof path, "%s/%.2s/%.2s/%s", f->dir, sha, sha + 2, sha);
	assert_int_equal(access(path, R_OK), 0);
	assert_true(blob_file_present(f->dir, sha, (int64_t)strlen(bytes)));
	assert_false(blob_file_present(f->dir, sha, 3));
	assert_int_equal(blob_file_read(f->dir, sha, &data, &len), BLOB_FILE_OK);
	assert_int_equal(len, strlen(bytes));
	assert_memory_equal(data, bytes, len);
	free(data);
	/* One byte changed on disk: refused, never served. */
	FILE *fp = fopen(path, "r+b");
	assert_non_null(fp);
	fputc('P', fp);
	fclose(fp);
	assert_int_equal(blob_file_read(f->dir, sha, &data, &len), BLOB_FILE_CORRUPT);
	/* Written again: repaired. Set aside and put back; set aside and discarded. */
	assert_int_equal(blob_file_write(f->dir, sha, bytes, strlen(bytes)), BLOB_FILE_OK);
	assert_int_equal(blob_file_set_aside(f->dir, sha), BLOB_FILE_OK);
	assert_false(blob_file_present(f->dir, sha, (int64_t)strlen(bytes)));
	blob_file_restore(f->dir, sha);
	assert_true(blob_file_present(f->dir, sha, (int64_t)strlen(bytes)));
	assert_int_equal(blob_file_set_aside(f->dir, sha), BLOB_FILE_OK);
	blob_file_discard(f->dir, sha);
	assert_int_equal(blob_file_set_aside(f->dir, sha), BLOB_FILE_MISSING);
}

static void test_sweep(void **state)
{
	struct fixture *f = *state;
	char old_db[65], old_dir[65], young[65], cited[65], many[130][65];
	add_blob(f, "old, unreferenced, in the database", 1000, false, old_db);
	add_blob(f, "old, unreferenced, in blob_dir", 1000, true, old_dir);
	add_blob(f, "young, unreferenced", 5000, true, young);
	add_blob(f, "old, but a case shows it", 1000, false, cited);
	/* More than one batch of the sweep. */
	for (int i = 0; i < 130; i++) {
		char content[32];
		snprintf(content, sizeof content, "batch filler %d", i);
		add_blob(f, content, 1000, i % 2, many[i]);
	}
	run_sql(f->s, "INSERT INTO areas (code, name, level, parent_id, path, created_at, updated_at)"
		      " VALUES ('t', 't', 0, NULL, '/1/', 0, 0)");
	run_sql(f->s, "INSERT INTO cases (follow_hash, category_code, area_id, source, state, title, description,"
		      " submitted_at, updated_at) SELECT 'h', 'epidemic', id, 'resident', 'submitted', 't', 'd', 0, 0"
		      " FROM areas WHERE code = 't'");
	char sql[300];
	snprintf(sql, sizeof sql, "INSERT INTO case_photos (case_id, sha256) SELECT id, '%s' FROM cases", cited);
	run_sql(f->s, sql);

	assert_int_equal(media_sweep(f->s, 2000), 132);
	assert_false(blob_row(f, old_db));
	assert_false(blob_row(f, old_dir));
	assert_false(blob_file_present(f->dir, old_dir, (int64_t)strlen("old, unreferenced, in blob_dir")));
	assert_true(blob_row(f, young));
	assert_true(blob_file_present(f->dir, young, (int64_t)strlen("young, unreferenced")));
	assert_true(blob_row(f, cited));
	for (int i = 0; i < 130; i++)
		assert_false(blob_row(f, many[i]));
	/* Nothing left to take; then the young one's turn comes. */
	assert_int_equal(media_sweep(f->s, 2000), 0);
	assert_int_equal(media_sweep(f->s, 6000), 1);
	assert_false(blob_file_present(f->dir, young, (int64_t)strlen("young, unreferenced")));
	assert_true(blob_row(f, cited));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	log_set_quiet(true);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_files, sqlite_setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, sqlite_setup, teardown),
	};
	int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
	if (getenv("WANGGE_TEST_PG")) {
		const struct CMUnitTest pg_tests[] = {
			cmocka_unit_test_setup_teardown(test_sweep, pg_setup, teardown),
		};
		failed += cmocka_run_group_tests_name("postgres", pg_tests, NULL, NULL);
	}
	return failed;
}

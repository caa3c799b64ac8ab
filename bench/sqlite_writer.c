/* The raw SQLite writer, make bench's reference for durable writes: one
 * connection inserting 200-byte rows, 100 per transaction, in WAL mode with
 * synchronous=FULL (wangge's own settings), so each commit waits for its
 * fsync. Whatever wangge's POST /api/v1/cases does beyond this (HTTP, JSON,
 * checks, audit, several rows per case) is what the ratio measures.
 *
 *   sqlite_writer DB [--seconds S | --rows N] [--batch N] [--size BYTES]
 *
 * Prints one line: "rows N seconds S rows/s R". DB is created if missing;
 * its table is dropped and made again, so a run starts empty. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: sqlite_writer DB [--seconds S | --rows N] [--batch N] [--size BYTES]\n");
	return 2;
}

static int fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite_writer: %s: %s\n", what, sqlite3_errmsg(db));
	sqlite3_close(db);
	return 1;
}

/* A positive number from text, or 0 when it is not one. */
static double positive(const char *text)
{
	char *end;
	double v = strtod(text, &end);
	return *end || end == text || !(v > 0) ? 0 : v;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *path = argv[1];
	double seconds = 5, rows_wanted = 0, batch = 100, size = 200;
	for (int i = 2; i < argc; i++) {
		double *to = !strcmp(argv[i], "--seconds") ? &seconds
			     : !strcmp(argv[i], "--rows")  ? &rows_wanted
			     : !strcmp(argv[i], "--batch") ? &batch
			     : !strcmp(argv[i], "--size")  ? &size
							   : NULL;
		if (!to || i + 1 == argc || !(*to = positive(argv[++i])))
			return usage();
	}
	if (size > 1 << 20 || batch > 1e6)
		return usage();

	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return fail(db, "open");
	const char *setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			    " DROP TABLE IF EXISTS rows; CREATE TABLE rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)";
	if (sqlite3_exec(db, setup, NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, "setup");
	sqlite3_stmt *insert, *begin, *commit;
	if (sqlite3_prepare_v2(db, "INSERT INTO rows (payload) VALUES (?)", -1, &insert, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "BEGIN", -1, &begin, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK)
		return fail(db, "prepare");

	/* Rows differ from each other (a counter at the front), as real ones do. */
	size_t len = (size_t)size;
	unsigned char *payload = malloc(len);
	if (!payload)
		return fail(db, "out of memory");
	for (size_t i = 0; i < len; i++)
		payload[i] = (unsigned char)('a' + i % 26);

	long long rows = 0;
	double t0 = now_seconds(), elapsed = 0;
	int rc = SQLITE_DONE;
	for (;;) {
		elapsed = now_seconds() - t0;
		if (rows_wanted ? rows >= (long long)rows_wanted : elapsed >= seconds)
			break;
		rc = sqlite3_step(begin);
		sqlite3_reset(begin);
		for (long b = 0; b < (long)batch && rc == SQLITE_DONE; b++) {
			memcpy(payload, &rows, sizeof rows < len ? sizeof rows : len);
			sqlite3_bind_blob(insert, 1, payload, (int)len, SQLITE_STATIC);
			rc = sqlite3_step(insert);
			sqlite3_reset(insert);
			rows++;
		}
		if (rc == SQLITE_DONE) {
			rc = sqlite3_step(commit);
			sqlite3_reset(commit);
		}
		if (rc != SQLITE_DONE)
			break;
	}
	free(payload);
	if (rc != SQLITE_DONE) {
		sqlite3_finalize(insert);
		sqlite3_finalize(begin);
		sqlite3_finalize(commit);
		return fail(db, "insert");
	}
	sqlite3_finalize(insert);
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	sqlite3_close(db);
	printf("rows %lld seconds %.3f rows/s %.0f\n", rows, elapsed, elapsed > 0 ? (double)rows / elapsed : 0.0);
	return 0;
}

/* The webhook's pure pieces: the signature a receiver recomputes, the
 * back-off schedule, the body, event names; and that an enqueued event is
 * a pending row of the caller's transaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/notify/notify_internal.h"

/* Expected values computed independently (Python's hmac module). */
static const struct {
	const char *secret;
	long long t;
	const char *body;
	const char *signature;
} signatures[] = {
	{"0123456789abcdef-secret", 1700000000, "{\"id\":1}",
	 "t=1700000000,v1=3787e09f63b51a5075d29f27b2a1c074f511860946a10efbeee3c7bd3097b42e"},
	/* A key longer than the hash's block is hashed first, as HMAC says. */
	{"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", 0, "",
	 "t=0,v1=243c2f8200e1d4ee892e7a7ded377a65e2beb1c64b997c54b8b0f516216d4b0f"},
};

static void test_signature(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof signatures / sizeof signatures[0]; i++) {
		char out[NOTIFY_SIGNATURE_SIZE];
		notify_sign(signatures[i].secret, signatures[i].t, signatures[i].body, strlen(signatures[i].body), out);
		assert_string_equal(out, signatures[i].signature);
	}
}

/* base, failures so far, random -> delay */
static const struct {
	int64_t base, failures;
	uint32_t random;
	int64_t delay;
} backoffs[] = {
	{1000, 1, 0, 1000},           {1000, 2, 0, 2000},          {1000, 3, 0, 4000},
	{1000, 10, 0, 512000},        {1000, 12, 0, 2048000},      {1000, 13, 0, 3600000}, /* capped */
	{1000, 99, 0, 3600000},       {1000, 1, 200, 1200},        {1000, 1, 201, 1000}, /* jitter <= a fifth */
	{1000, 1, 199, 1199},         {1000, 13, 12345, 3600000},  {50, 3, 0, 200},
	{0, 1, 0, 1},                 {3600000, 5, 7, 3600000},
};

static void test_backoff(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof backoffs / sizeof backoffs[0]; i++) {
		int64_t got = notify_backoff_ms(backoffs[i].base, backoffs[i].failures, backoffs[i].random);
		if (got != backoffs[i].delay)
			fail_msg("backoff(%lld, %lld, %u) = %lld, want %lld", (long long)backoffs[i].base,
				 (long long)backoffs[i].failures, backoffs[i].random, (long long)got,
				 (long long)backoffs[i].delay);
	}
}

static void test_body(void **state)
{
	(void)state;
	char *body = notify_body(7, "case.dispatched", 1700000000, "{\"case_id\":3,\"title\":\"漏水\"}");
	assert_string_equal(body, "{\"id\":7,\"event\":\"case.dispatched\",\"created_at\":\"2023-11-14T22:13:20Z\","
				  "\"data\":{\"case_id\":3,\"title\":\"漏水\"}}");
	free(body);
	body = notify_body(8, "x", 0, "not json");
	assert_string_equal(body, "{\"id\":8,\"event\":\"x\",\"created_at\":\"1970-01-01T00:00:00Z\",\"data\":null}");
	free(body);
}

static void test_event_names(void **state)
{
	(void)state;
	const char *good[] = {"case.dispatched", "webhook.test", "a", "x_y-z.0"};
	const char *bad[] = {"", "Case", "case dispatched", "case\r\nX-Evil: 1", "é",
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(notify_event_name_valid(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(notify_event_name_valid(bad[i]));
	assert_false(notify_event_name_valid(NULL));
}

static int enqueue_tx(struct store_conn *c, void *arg)
{
	json_t *payload = json_pack("{s:i}", "case_id", 42);
	int rc = notify_enqueue(c, "case.dispatched", payload);
	json_decref(payload);
	if (rc == STORE_OK)
		rc = notify_enqueue(c, "case.closed", NULL);
	/* Rolled back on request: the event must go with the change. */
	return rc == STORE_OK && arg ? STORE_ABORT : rc;
}

static const char sql_rows[] = "SELECT event, payload, state, attempts FROM webhook_outbox ORDER BY id";

static int rows_tx(struct store_conn *c, void *arg)
{
	char *out = arg;
	struct store_stmt *st = store_prepare(c, sql_rows);
	int rc;
	size_t n = 0;
	while ((rc = store_step(st)) == STORE_ROW)
		n += (size_t)snprintf(out + n, 256 - n, "%s %s %s %lld;", store_col_text(st, 0), store_col_text(st, 1),
				      store_col_text(st, 2), (long long)store_col_int(st, 3));
	store_reset(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static void test_enqueue(void **state)
{
	(void)state;
	char dir[] = "/tmp/wangge-notify-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char url[128], path[100];
	snprintf(path, sizeof path, "%s/t.db", dir);
	snprintf(url, sizeof url, "sqlite:%s", path);
	struct store *s;
	char *err = NULL;
	int applied;
	assert_int_equal(store_open(url, &s, &err), 0);
	assert_int_equal(store_migrate(s, &applied, &err), 0);
	/* Without a delivery thread (notify_start never ran) enqueue still records. */
	assert_int_equal(store_tx(s, STORE_WRITE, enqueue_tx, "roll back"), STORE_ABORT);
	char rows[256] = "";
	assert_int_equal(store_tx(s, STORE_READ, rows_tx, rows), STORE_OK);
	assert_string_equal(rows, "");
	assert_int_equal(store_tx(s, STORE_WRITE, enqueue_tx, NULL), STORE_OK);
	assert_int_equal(store_tx(s, STORE_READ, rows_tx, rows), STORE_OK);
	assert_string_equal(rows, "case.dispatched {\"case_id\":42} pending 0;case.closed {} pending 0;");
	store_close(s);
	unlink(path);
	char wal[128];
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);
	rmdir(dir);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature), cmocka_unit_test(test_backoff), cmocka_unit_test(test_body),
		cmocka_unit_test(test_event_names), cmocka_unit_test(test_enqueue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The limit on anonymous writes (http/ratelimit.c): the bucket's
 * arithmetic, the keys addresses are counted under, and the table, which
 * keeps addresses apart and stays bounded however many come. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "http/ratelimit.h"

static void test_bucket(void **state)
{
	(void)state;
	struct rate_bucket b;
	const int64_t t0 = 1000000;
	rate_bucket_fill(&b, 3, t0);
	assert_true(rate_bucket_full(&b, 60, 3, t0));
	/* the burst at once, then a wait of a second for the next (60 a minute) */
	for (int i = 0; i < 3; i++)
		assert_int_equal(rate_bucket_take(&b, 60, 3, t0), 0);
	assert_false(rate_bucket_full(&b, 60, 3, t0));
	assert_int_equal(rate_bucket_take(&b, 60, 3, t0), 1000);
	/* a refused take costs nothing: half a second on, half the wait */
	assert_int_equal(rate_bucket_take(&b, 60, 3, t0 + 500), 500);
	assert_int_equal(rate_bucket_take(&b, 60, 3, t0 + 1000), 0);
	assert_int_equal(rate_bucket_take(&b, 60, 3, t0 + 1000), 1000);
	/* the refill stops at the burst, however long the pause */
	assert_true(rate_bucket_full(&b, 60, 3, t0 + 10 * 60 * 1000));
	for (int i = 0; i < 3; i++)
		assert_int_equal(rate_bucket_take(&b, 60, 3, t0 + 10 * 60 * 1000), 0);
	assert_int_not_equal(rate_bucket_take(&b, 60, 3, t0 + 10 * 60 * 1000), 0);
	/* 1 a minute: a minute's wait; a clock stepping back refills nothing */
	rate_bucket_fill(&b, 1, t0);
	assert_int_equal(rate_bucket_take(&b, 1, 1, t0), 0);
	assert_int_equal(rate_bucket_take(&b, 1, 1, t0 - 5000), 60000);
	assert_int_equal(rate_bucket_take(&b, 1, 1, t0 + 30000), 30000);
	assert_int_equal(rate_bucket_take(&b, 1, 1, t0 + 60000), 0);
	/* a pause of years neither overflows nor overfills */
	assert_int_equal(rate_bucket_take(&b, 100000, 100000, t0 + 400LL * 24 * 3600 * 1000), 0);
	assert_true(b.units <= 100000LL * 60000);
}

static void expect_key(const char *address, const char *want)
{
	char key[64];
	rate_key(address, key);
	assert_string_equal(key, want);
}

static void test_keys(void **state)
{
	(void)state;
	expect_key("203.0.113.7", "203.0.113.7");
	/* one subscriber's /64 is one client */
	expect_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64");
	expect_key("2001:db8:1:2::1", "2001:db8:1:2::/64");
	expect_key("2001:db8:1:3::1", "2001:db8:1:3::/64");
	/* IPv4 in IPv6 clothing is the IPv4 address */
	expect_key("::ffff:203.0.113.7", "203.0.113.7");
	expect_key("-", "-");
	assert_true(rate_address_loopback("127.0.0.1"));
	assert_true(rate_address_loopback("127.8.9.10"));
	assert_true(rate_address_loopback("::1"));
	assert_true(rate_address_loopback("::ffff:127.0.0.1"));
	assert_false(rate_address_loopback("203.0.113.7"));
	assert_false(rate_address_loopback("::2"));
	assert_false(rate_address_loopback("::ffff:203.0.113.7"));
	assert_false(rate_address_loopback("-"));
}

static void test_limiter(void **state)
{
	(void)state;
	assert_null(rate_limiter_new(0, 10, 64)); /* 0 a minute: no limit */
	struct rate_limiter *l = rate_limiter_new(6, 2, 64);
	assert_non_null(l);
	const int64_t t0 = 5000000;
	assert_int_equal(rate_limiter_take(l, "203.0.113.7", t0), 0);
	assert_int_equal(rate_limiter_take(l, "203.0.113.7", t0), 0);
	/* 6 a minute: 10 s to the next one */
	assert_int_equal(rate_limiter_take(l, "203.0.113.7", t0), 10);
	assert_int_equal(rate_limiter_take(l, "203.0.113.7", t0 + 9001), 1);
	/* another address has a bucket of its own; the /64 shares one */
	assert_int_equal(rate_limiter_take(l, "203.0.113.8", t0), 0);
	assert_int_equal(rate_limiter_take(l, "2001:db8::1", t0), 0);
	assert_int_equal(rate_limiter_take(l, "2001:db8::2", t0), 0);
	assert_int_equal(rate_limiter_take(l, "2001:db8::3", t0), 10);
	assert_int_equal(rate_limiter_take(l, "203.0.113.7", t0 + 10000), 0);

	/* Far more addresses than slots: the table does not grow, and an
	 * address seen just now keeps its (empty) bucket among idle ones. */
	char addr[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(addr, sizeof addr, "198.51.%d.%d", i / 250, i % 250);
		assert_int_equal(rate_limiter_take(l, addr, t0 + 20000 + i), 0);
	}
	rate_limiter_free(l);

	/* A newcomer takes an idle (full) bucket's slot before an older one
	 * still in use: the busy address keeps its empty bucket. */
	l = rate_limiter_new(60, 3, 8); /* 8 slots: one probe window */
	for (int i = 0; i < 3; i++)
		assert_int_equal(rate_limiter_take(l, "203.0.113.7", t0), 0);
	assert_int_not_equal(rate_limiter_take(l, "203.0.113.7", t0), 0);
	for (int i = 0; i < 7; i++) {
		snprintf(addr, sizeof addr, "198.51.100.%d", i);
		assert_int_equal(rate_limiter_take(l, addr, t0 + 1), 0); /* 2 of 3 left; full again a second on */
	}
	assert_int_equal(rate_limiter_take(l, "192.0.2.1", t0 + 1001), 0);
	/* a second has given it one write back, not a fresh burst of three */
	assert_int_equal(rate_limiter_take(l, "203.0.113.7", t0 + 1001), 0);
	assert_int_not_equal(rate_limiter_take(l, "203.0.113.7", t0 + 1001), 0);
	rate_limiter_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_limiter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

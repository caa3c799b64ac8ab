/* A limit on anonymous writes per client address: the public case form,
 * a follower's rating or comment, photo uploads and the browser's error
 * reports are open to anyone, and a script could fill the command centre's
 * queue or the disk. Each address gets a token bucket: `burst` writes at
 * once, then `per_minute` more each minute. The server applies it to
 * writes on HTTP_PUBLIC routes from callers not signed in (server.c);
 * routes that know their caller by other means (the log-in, Open311's
 * api_key) are HTTP_PUBLIC_SELF_CHECKED and are not counted. Staff are
 * accountable and are not counted either.
 *
 * The buckets live in memory, in a table of fixed size: an attacker with
 * many addresses evicts idle buckets first, never grows the table. An
 * IPv6 client is counted by its /64, the block one subscriber gets. */
#ifndef WG_HTTP_RATELIMIT_H
#define WG_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One bucket (pure). units: the writes it holds, in 1/60000 of a write. */
struct rate_bucket {
	int64_t units;
	int64_t at_ms; /* when units was last brought up to date */
};

/* Starts a full bucket at now_ms. */
void rate_bucket_fill(struct rate_bucket *b, unsigned burst, int64_t now_ms);
/* Refills for the time since at_ms and takes one write. Returns 0 when
 * taken, else the milliseconds until one write is available (nothing
 * taken). per_minute > 0. */
int64_t rate_bucket_take(struct rate_bucket *b, unsigned per_minute, unsigned burst, int64_t now_ms);
/* Whether the bucket is full again by now_ms (an idle one, free to evict). */
bool rate_bucket_full(const struct rate_bucket *b, unsigned per_minute, unsigned burst, int64_t now_ms);

/* The key an address is counted under: the address itself for IPv4, the
 * /64 for IPv6 ("2001:db8:1:2::/64"); the text as given when it is
 * neither. key has room for 64 bytes. */
void rate_key(const char *address, char key[64]);

/* Whether an address is the machine's own (127.0.0.0/8, ::1). */
bool rate_address_loopback(const char *address);

struct rate_limiter;
/* per_minute 0: no limit (NULL is returned). slots: the table's size,
 * rounded up to a power of two. */
struct rate_limiter *rate_limiter_new(unsigned per_minute, unsigned burst, size_t slots);
void rate_limiter_free(struct rate_limiter *l);
/* Takes one write for address at now_ms. Returns 0 when allowed, else the
 * seconds to wait (at least 1), for Retry-After. Thread-safe. */
int64_t rate_limiter_take(struct rate_limiter *l, const char *address, int64_t now_ms);

#endif

/* Token buckets per client address for anonymous writes. See ratelimit.h. */
#include "http/ratelimit.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/xalloc.h"

/* ---- one bucket (pure) ---- */

/* A write is WRITE_UNITS units: per_minute writes a minute are then
 * exactly per_minute units a millisecond, and no fraction is ever lost. */
#define WRITE_UNITS 60000

void rate_bucket_fill(struct rate_bucket *b, unsigned burst, int64_t now_ms)
{
	b->units = (int64_t)burst * WRITE_UNITS;
	b->at_ms = now_ms;
}

/* A day refills any bucket (per_minute >= 1, burst within the config's
 * bounds), and keeps elapsed × per_minute far from overflowing. */
#define REFILL_CAP_MS (24LL * 3600 * 1000)

static void refill(struct rate_bucket *b, unsigned per_minute, unsigned burst, int64_t now_ms)
{
	int64_t full = (int64_t)burst * WRITE_UNITS;
	int64_t elapsed = now_ms - b->at_ms;
	if (elapsed <= 0)
		return; /* the clock stepped back: no refill, and no debt either */
	if (elapsed > REFILL_CAP_MS)
		elapsed = REFILL_CAP_MS;
	int64_t gained = elapsed * per_minute;
	b->units = b->units + gained > full ? full : b->units + gained;
	b->at_ms = now_ms;
}

int64_t rate_bucket_take(struct rate_bucket *b, unsigned per_minute, unsigned burst, int64_t now_ms)
{
	refill(b, per_minute, burst, now_ms);
	if (b->units >= WRITE_UNITS) {
		b->units -= WRITE_UNITS;
		return 0;
	}
	int64_t missing = WRITE_UNITS - b->units;
	return (missing + per_minute - 1) / per_minute;
}

bool rate_bucket_full(const struct rate_bucket *b, unsigned per_minute, unsigned burst, int64_t now_ms)
{
	struct rate_bucket copy = *b;
	refill(&copy, per_minute, burst, now_ms);
	return copy.units >= (int64_t)burst * WRITE_UNITS;
}

/* ---- addresses ---- */

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void rate_key(const char *address, char key[64])
{
	unsigned char a[16];
	if (inet_pton(AF_INET6, address, a) == 1) {
		if (memcmp(a, v4_mapped, sizeof v4_mapped) == 0) {
			snprintf(key, 64, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
			return;
		}
		memset(a + 8, 0, 8);
		char text[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, a, text, sizeof text);
		snprintf(key, 64, "%s/64", text);
		return;
	}
	snprintf(key, 64, "%s", address);
}

bool rate_address_loopback(const char *address)
{
	unsigned char a[16];
	if (inet_pton(AF_INET, address, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, address, a) != 1)
		return false;
	static const unsigned char one[16] = {[15] = 1};
	return memcmp(a, one, sizeof one) == 0 || (memcmp(a, v4_mapped, sizeof v4_mapped) == 0 && a[12] == 127);
}

/* ---- the table ---- */

/* Slots a key may sit in, from its hash on: the one to evict is looked for
 * among these only, so a take costs the same however full the table is. */
#define PROBES 8

struct rate_slot {
	char key[64]; /* "" when unused */
	struct rate_bucket bucket;
};

struct rate_limiter {
	unsigned per_minute, burst;
	size_t mask;
	uint64_t seed; /* random: nobody can aim addresses at one slot */
	pthread_mutex_t lock;
	struct rate_slot *slots;
};

struct rate_limiter *rate_limiter_new(unsigned per_minute, unsigned burst, size_t slots)
{
	if (per_minute == 0)
		return NULL;
	size_t n = PROBES;
	while (n < slots)
		n *= 2;
	struct rate_limiter *l = xcalloc(1, sizeof *l);
	l->per_minute = per_minute;
	l->burst = burst ? burst : 1;
	l->mask = n - 1;
	l->slots = xcalloc(n, sizeof *l->slots);
	if (getrandom(&l->seed, sizeof l->seed, 0) != (ssize_t)sizeof l->seed)
		l->seed = 0x9e3779b97f4a7c15ULL;
	pthread_mutex_init(&l->lock, NULL);
	return l;
}

void rate_limiter_free(struct rate_limiter *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->lock);
	free(l->slots);
	free(l);
}

static uint64_t hash_key(uint64_t seed, const char *key)
{
	uint64_t h = 1469598103934665603ULL ^ seed; /* FNV-1a, seeded */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h ^ (h >> 29);
}

/* The key's slot, or the one it takes over: an unused one, else an idle
 * (full) bucket, else the bucket used longest ago. */
static struct rate_slot *slot_for(struct rate_limiter *l, const char *key, int64_t now_ms, bool *found)
{
	size_t at = (size_t)hash_key(l->seed, key);
	struct rate_slot *unused = NULL, *idle = NULL, *oldest = NULL;
	for (size_t i = 0; i < PROBES; i++) {
		struct rate_slot *s = &l->slots[(at + i) & l->mask];
		if (!s->key[0]) {
			if (!unused)
				unused = s;
			continue;
		}
		if (strcmp(s->key, key) == 0) {
			*found = true;
			return s;
		}
		if (!idle && rate_bucket_full(&s->bucket, l->per_minute, l->burst, now_ms))
			idle = s;
		if (!oldest || s->bucket.at_ms < oldest->bucket.at_ms)
			oldest = s;
	}
	*found = false;
	return unused ? unused : idle ? idle : oldest;
}

int64_t rate_limiter_take(struct rate_limiter *l, const char *address, int64_t now_ms)
{
	char key[64];
	rate_key(address, key);
	pthread_mutex_lock(&l->lock);
	bool found;
	struct rate_slot *s = slot_for(l, key, now_ms, &found);
	if (!found) {
		memcpy(s->key, key, sizeof s->key);
		rate_bucket_fill(&s->bucket, l->burst, now_ms);
	}
	int64_t wait_ms = rate_bucket_take(&s->bucket, l->per_minute, l->burst, now_ms);
	pthread_mutex_unlock(&l->lock);
	return wait_ms ? (wait_ms + 999) / 1000 : 0;
}

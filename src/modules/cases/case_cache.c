/* Rendered cases: the JSON text of GET /api/v1/cases/{id} as a set of
 * parties sees it, kept so a read of an unchanged case costs one indexed
 * statement (the load that checks scope, case_load_for_reader) instead of
 * five statements and the JSON encoding.
 *
 * What the text depends on, and how each is kept fresh:
 *   - the case's rows (case, co-departments, photos, timeline): every write
 *     to them bumps cases.version in the same transaction, and an entry
 *     serves only the version the reader has just loaded;
 *   - the viewer: only through the parties (allowed actions, the parties
 *     list), which are part of the key; scope is checked on every read
 *     before the cache is asked, and reveal=phone never uses it;
 *   - the clock: "overdue" turns true at a deadline, so an entry lives no
 *     longer than case_json_valid_until();
 *   - names from other tables (units, areas, categories): a change to them
 *     on this node bumps a generation after its commit (see identity.h);
 *     one on another node sharing PostgreSQL shows within
 *     CASE_CACHE_SECONDS.
 * The generation is read before the load, so a render racing with a change
 * is stored under a generation already stale.
 *
 * Memory is bounded: a fixed table of slots, direct-mapped by (id,
 * parties), texts of at most CASE_CACHE_TEXT_MAX bytes and at most
 * CASE_CACHE_BYTES of them in all. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "modules/cases/cases_internal.h"

#define CASE_CACHE_SLOTS 4096
#define CASE_CACHE_LOCKS 64
#define CASE_CACHE_TEXT_MAX (16 * 1024)
#define CASE_CACHE_BYTES (8 * 1024 * 1024)

struct case_cache_entry {
	int64_t id;
	unsigned parties;
	int version;
	uint64_t generation;
	int64_t until; /* good while now < until */
	char *text;    /* owned; NULL for an empty slot */
	size_t len;
};

static struct case_cache_entry slots[CASE_CACHE_SLOTS];
static pthread_mutex_t locks[CASE_CACHE_LOCKS];
static pthread_once_t locks_once = PTHREAD_ONCE_INIT;
static _Atomic size_t cached_bytes;
static _Atomic uint64_t categories_generation;

static void locks_init(void)
{
	for (size_t i = 0; i < CASE_CACHE_LOCKS; i++)
		pthread_mutex_init(&locks[i], NULL);
}

static size_t slot_of(int64_t id, unsigned parties)
{
	pthread_once(&locks_once, locks_init);
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15u ^ (uint64_t)parties * 0xC2B2AE3D27D4EB4Fu;
	return (size_t)(h >> 32) % CASE_CACHE_SLOTS;
}

void case_cache_categories_changed(void)
{
	atomic_fetch_add(&categories_generation, 1);
}

uint64_t case_cache_generation(void)
{
	/* Both counters only grow, so their sum moves whenever either does. */
	return identity_directory_generation() + atomic_load(&categories_generation);
}

char *case_cache_get(int64_t id, unsigned parties, int version, uint64_t generation, int64_t now, size_t *len)
{
	size_t i = slot_of(id, parties);
	char *copy = NULL;
	pthread_mutex_lock(&locks[i % CASE_CACHE_LOCKS]);
	const struct case_cache_entry *e = &slots[i];
	if (e->text && e->id == id && e->parties == parties && e->version == version && e->generation == generation &&
	    now < e->until) {
		copy = xmalloc(e->len);
		memcpy(copy, e->text, e->len);
		*len = e->len;
	}
	pthread_mutex_unlock(&locks[i % CASE_CACHE_LOCKS]);
	return copy;
}

void case_cache_put(int64_t id, unsigned parties, int version, uint64_t generation, int64_t until, const char *text,
		    size_t len)
{
	if (len > CASE_CACHE_TEXT_MAX)
		return;
	size_t i = slot_of(id, parties);
	pthread_mutex_lock(&locks[i % CASE_CACHE_LOCKS]);
	struct case_cache_entry *e = &slots[i];
	size_t old = e->text ? e->len : 0;
	if (atomic_load(&cached_bytes) - old + len <= CASE_CACHE_BYTES) {
		free(e->text);
		e->text = xmalloc(len);
		memcpy(e->text, text, len);
		*e = (struct case_cache_entry){.id = id, .parties = parties, .version = version,
					       .generation = generation, .until = until, .text = e->text, .len = len};
		atomic_fetch_add(&cached_bytes, len);
		atomic_fetch_sub(&cached_bytes, old);
	}
	pthread_mutex_unlock(&locks[i % CASE_CACHE_LOCKS]);
}

void case_cache_close(void)
{
	for (size_t i = 0; i < CASE_CACHE_SLOTS; i++) {
		free(slots[i].text);
		slots[i] = (struct case_cache_entry){0};
	}
	atomic_store(&cached_bytes, 0);
}

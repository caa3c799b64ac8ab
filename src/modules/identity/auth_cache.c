/* The authenticator's memory: the caller a token or session cookie stood
 * for a moment ago, so a busy client costs no read transaction per request.
 *
 * Correctness rests on two rules:
 *   - an entry lives at most AUTH_CACHE_SECONDS and never past the
 *     session's idle or absolute end, so a change made elsewhere (another
 *     node, the CLI) reaches this node within that time;
 *   - every change on this node that can alter a caller (log-out, a user's
 *     role, area, unit or activity, an area's path or name) bumps the
 *     directory generation after its commit, and an entry is good only for
 *     the generation read before its look-up began. A look-up racing with a
 *     change therefore either saw the change or is stored under the old
 *     generation, which no reader accepts any more.
 * Only callers that passed (found, live, with a role) are kept: an unknown
 * secret always reaches the database.
 *
 * The table is direct-mapped by the token hash (uniform: it is a keyed
 * hash) with a fixed number of slots, so its memory is bounded
 * (AUTH_CACHE_SLOTS * sizeof (struct auth_entry), about 1 MB). */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "modules/identity/auth_cache.h"

#define AUTH_CACHE_SLOTS 1024
#define AUTH_CACHE_LOCKS 64

struct auth_entry {
	bool used;
	bool is_token;
	char hash[AUTH_HASH_CHARS + 1];
	uint64_t generation;
	int64_t until; /* good while now < until */
	struct caller caller;
};

static struct auth_entry slots[AUTH_CACHE_SLOTS];
static pthread_mutex_t locks[AUTH_CACHE_LOCKS];
static pthread_once_t locks_once = PTHREAD_ONCE_INIT;
static _Atomic uint64_t directory_generation = 1;

uint64_t identity_directory_generation(void)
{
	return atomic_load(&directory_generation);
}

void identity_directory_changed(void)
{
	atomic_fetch_add(&directory_generation, 1);
}

static void locks_init(void)
{
	for (size_t i = 0; i < AUTH_CACHE_LOCKS; i++)
		pthread_mutex_init(&locks[i], NULL);
}

/* The slot of a hash, with the locks made on first use. */
static size_t slot_of(const char *hash)
{
	pthread_once(&locks_once, locks_init);
	/* The first 8 hex digits of a uniform hash. */
	size_t v = 0;
	for (int i = 0; i < 8 && hash[i]; i++)
		v = v * 16 + (size_t)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
	return v % AUTH_CACHE_SLOTS;
}

bool auth_cache_get(const char *hash, bool is_token, int64_t now, struct caller *out)
{
	if (strlen(hash) != AUTH_HASH_CHARS)
		return false;
	size_t i = slot_of(hash);
	uint64_t generation = identity_directory_generation();
	bool hit = false;
	pthread_mutex_lock(&locks[i % AUTH_CACHE_LOCKS]);
	struct auth_entry *e = &slots[i];
	if (e->used && e->is_token == is_token && e->generation == generation && now < e->until &&
	    sodium_memcmp(e->hash, hash, AUTH_HASH_CHARS) == 0) {
		*out = e->caller;
		hit = true;
	}
	pthread_mutex_unlock(&locks[i % AUTH_CACHE_LOCKS]);
	return hit;
}

void auth_cache_put(const char *hash, bool is_token, uint64_t generation, int64_t until, const struct caller *c)
{
	if (strlen(hash) != AUTH_HASH_CHARS)
		return;
	size_t i = slot_of(hash);
	pthread_mutex_lock(&locks[i % AUTH_CACHE_LOCKS]);
	struct auth_entry *e = &slots[i];
	e->used = true;
	e->is_token = is_token;
	memcpy(e->hash, hash, AUTH_HASH_CHARS + 1);
	e->generation = generation;
	e->until = until;
	e->caller = *c;
	pthread_mutex_unlock(&locks[i % AUTH_CACHE_LOCKS]);
}

/* The authenticator's cache of callers by token hash (auth_cache.c), inside
 * the identity module. The directory generation itself is public
 * (identity.h): other modules bump it after changes that alter callers. */
#ifndef WG_IDENTITY_AUTH_CACHE_H
#define WG_IDENTITY_AUTH_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "modules/identity/identity.h"

/* How long a caller is remembered: the longest a revocation made on
 * another node (or through the CLI) takes to reach this one. */
#define AUTH_CACHE_SECONDS 2
#define AUTH_HASH_CHARS 64

/* Copies the remembered caller of hash into *out when there is a live
 * entry of the current generation. */
bool auth_cache_get(const char *hash, bool is_token, int64_t now, struct caller *out);
/* Remembers c (copied) until the instant until, for the generation read
 * before c was loaded. */
void auth_cache_put(const char *hash, bool is_token, uint64_t generation, int64_t until, const struct caller *c);

#endif

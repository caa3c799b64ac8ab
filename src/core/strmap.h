/* A map from strings to 64-bit values: open addressing, keys copied. For
 * the look-ups of bulk work (an import's 100,000 rows), where a query or a
 * linear search per row would dominate. */
#ifndef WG_CORE_STRMAP_H
#define WG_CORE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap {
	char **keys;
	int64_t *values;
	size_t cap, len;
};

/* Sets key to value (replacing). */
void strmap_put(struct strmap *m, const char *key, int64_t value);
/* True and *value when key is present. */
bool strmap_get(const struct strmap *m, const char *key, int64_t *value);
void strmap_free(struct strmap *m);

#endif

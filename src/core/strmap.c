#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static uint64_t strmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static size_t strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = (size_t)strmap_hash(key) & (m->cap - 1);
	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void strmap_put(struct strmap *m, const char *key, int64_t value)
{
	if ((m->len + 1) * 2 > m->cap) {
		struct strmap bigger = {.cap = m->cap ? m->cap * 2 : 64};
		bigger.keys = xcalloc(bigger.cap, sizeof *bigger.keys);
		bigger.values = xcalloc(bigger.cap, sizeof *bigger.values);
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = strmap_slot(&bigger, m->keys[i]);
			bigger.keys[j] = m->keys[i];
			bigger.values[j] = m->values[i];
		}
		bigger.len = m->len;
		free(m->keys);
		free(m->values);
		*m = bigger;
	}
	size_t i = strmap_slot(m, key);
	if (!m->keys[i]) {
		m->keys[i] = xstrdup(key);
		m->len++;
	}
	m->values[i] = value;
}

bool strmap_get(const struct strmap *m, const char *key, int64_t *value)
{
	if (!m->cap)
		return false;
	size_t i = strmap_slot(m, key);
	if (!m->keys[i])
		return false;
	*value = m->values[i];
	return true;
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof *m);
}

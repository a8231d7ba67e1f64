/*
 * map.c - open addressing with linear probing and backward-shift deletion
 * (no tombstones, so lookups stay short after many drops). FNV-1a hash,
 * load factor at most 1/2.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/alloc.h"
#include "pgdrift/map.h"

struct slot {
	const char *key; /* NULL: empty */
	size_t len;
	uint64_t hash;
	void *value;
};

struct pgd_map {
	struct slot *slots;
	size_t cap; /* power of two */
	size_t count;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct pgd_map *pgd_map_new(void)
{
	struct pgd_map *m = pgd_xcalloc(1, sizeof(*m));
	m->cap = 16;
	m->slots = pgd_xcalloc(m->cap, sizeof(*m->slots));
	return m;
}

void pgd_map_free(struct pgd_map *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

static size_t find_slot(const struct pgd_map *m, const char *key, size_t len,
			uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && s->len == len &&
				memcmp(s->key, key, len) == 0))
			return i;
	}
}

void *pgd_map_get(const struct pgd_map *m, const char *key, size_t len)
{
	size_t i = find_slot(m, key, len, hash_bytes(key, len));
	return m->slots[i].key ? m->slots[i].value : NULL;
}

static void grow(struct pgd_map *m)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap;
	m->cap *= 2;
	m->slots = pgd_xcalloc(m->cap, sizeof(*m->slots));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			m->slots[find_slot(m, old[i].key, old[i].len,
					   old[i].hash)] = old[i];
	free(old);
}

void pgd_map_put(struct pgd_map *m, const char *key, size_t len, void *value)
{
	if (2 * (m->count + 1) > m->cap)
		grow(m);
	uint64_t h = hash_bytes(key, len);
	size_t i = find_slot(m, key, len, h);
	if (!m->slots[i].key)
		m->count++;
	m->slots[i] = (struct slot){ key, len, h, value };
}

void *pgd_map_del(struct pgd_map *m, const char *key, size_t len)
{
	size_t mask = m->cap - 1;
	size_t i = find_slot(m, key, len, hash_bytes(key, len));
	if (!m->slots[i].key)
		return NULL;
	void *value = m->slots[i].value;
	m->slots[i].key = NULL;
	m->count--;
	/* backward shift: move later entries of the run into the hole */
	for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
		size_t home = m->slots[j].hash & mask;
		/* can the entry at j move to i? only if home is not in (i, j] */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->slots[i] = m->slots[j];
			m->slots[j].key = NULL;
			i = j;
		}
	}
	return value;
}

size_t pgd_map_count(const struct pgd_map *m)
{
	return m->count;
}

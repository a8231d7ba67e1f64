/*
 * map.h - a hash map from byte-string keys to pointers (linear probing).
 * The map does not own keys or values: each key must stay valid and
 * unchanged while it is in the map. pgd_map_free() frees only the table.
 */
#ifndef PGDRIFT_MAP_H
#define PGDRIFT_MAP_H

#include <stddef.h>

struct pgd_map;

struct pgd_map *pgd_map_new(void);
void pgd_map_free(struct pgd_map *m);
/* The value stored under key, or NULL. */
void *pgd_map_get(const struct pgd_map *m, const char *key, size_t len);
/* Stores value under key, replacing any previous value. */
void pgd_map_put(struct pgd_map *m, const char *key, size_t len, void *value);
/* Removes key; returns its value, or NULL when absent. */
void *pgd_map_del(struct pgd_map *m, const char *key, size_t len);
size_t pgd_map_count(const struct pgd_map *m);

#endif

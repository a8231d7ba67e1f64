/*
 * arena.h - a bump allocator: many small allocations, one free.
 * The arena owns every block it hands out; pgd_arena_free() releases them
 * all. Blocks are aligned for any type and zeroed.
 */
#ifndef PGDRIFT_ARENA_H
#define PGDRIFT_ARENA_H

#include <stddef.h>

struct pgd_arena;

struct pgd_arena *pgd_arena_new(void);
void pgd_arena_free(struct pgd_arena *a);
void *pgd_arena_alloc(struct pgd_arena *a, size_t size);
char *pgd_arena_strndup(struct pgd_arena *a, const char *s, size_t n);
char *pgd_arena_strdup(struct pgd_arena *a, const char *s);
/* Bytes handed out so far (for --timings and tests). */
size_t pgd_arena_used(const struct pgd_arena *a);

#endif

/*
 * arena.c - chunked bump allocation. Chunks grow with use (64 KiB up to
 * 4 MiB), and a request larger than a chunk gets a chunk of its own, so a
 * model of ten thousand tables costs a few hundred mallocs, not millions.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/alloc.h"
#include "pgdrift/arena.h"

struct chunk {
	struct chunk *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

struct pgd_arena {
	struct chunk *head;
	size_t next_size;
	size_t total;
};

struct pgd_arena *pgd_arena_new(void)
{
	struct pgd_arena *a = pgd_xcalloc(1, sizeof(*a));
	a->next_size = 64 * 1024;
	return a;
}

void pgd_arena_free(struct pgd_arena *a)
{
	if (!a)
		return;
	for (struct chunk *c = a->head, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(a);
}

void *pgd_arena_alloc(struct pgd_arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	size = (size + align - 1) & ~(align - 1);
	if (!size)
		size = align;
	struct chunk *c = a->head;
	if (!c || c->size - c->used < size) {
		size_t csize = a->next_size;
		if (csize < size)
			csize = size;
		else if (a->next_size < 4 * 1024 * 1024)
			a->next_size *= 2;
		c = pgd_xmalloc(sizeof(*c) + csize);
		c->size = csize;
		c->used = 0;
		if (a->head && csize == size) {
			/* an oversized block: keep the current chunk on top */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = c->data + c->used;
	c->used += size;
	a->total += size;
	memset(p, 0, size);
	return p;
}

char *pgd_arena_strndup(struct pgd_arena *a, const char *s, size_t n)
{
	char *p = pgd_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pgd_arena_strdup(struct pgd_arena *a, const char *s)
{
	return pgd_arena_strndup(a, s, strlen(s));
}

size_t pgd_arena_used(const struct pgd_arena *a)
{
	return a->total;
}

/*
 * alloc.c - the x* allocators and PGD_BUG(). Out of memory is an internal
 * error (exit 70): no caller ever sees NULL from these.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/alloc.h"

static PGD_NORETURN void oom(size_t n)
{
	fprintf(stderr, "pgdrift: fatal: out of memory allocating %zu bytes\n", n);
	exit(PGD_EXIT_INTERNAL);
}

void *pgd_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *pgd_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *pgd_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

void *pgd_xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	return pgd_xrealloc(p, nmemb * size);
}

char *pgd_xstrdup(const char *s)
{
	return pgd_xstrndup(s, strlen(s));
}

char *pgd_xstrndup(const char *s, size_t n)
{
	char *p = pgd_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pgd_xasprintf(const char *fmt, ...)
{
	/* most results fit the stack buffer: one format, then a copy */
	char small[256];
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		PGD_BUG("vsnprintf failed for format \"%s\"", fmt);
	char *p = pgd_xmalloc((size_t)n + 1);
	if ((size_t)n < sizeof(small))
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

void pgd_grow(void **arr, size_t *alloc, size_t need, size_t elem_size)
{
	if (need <= *alloc)
		return;
	size_t n = *alloc ? *alloc : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			oom(SIZE_MAX);
		n *= 2;
	}
	*arr = pgd_xreallocarray(*arr, n, elem_size);
	*alloc = n;
}

void pgd_bug_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "pgdrift: BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\npgdrift: this is a bug in pgdrift; please report it\n", stderr);
	exit(PGD_EXIT_INTERNAL);
}

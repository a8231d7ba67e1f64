/*
 * alloc.h - allocation that never returns NULL, and PGD_BUG() for the
 * "cannot happen" class of failure.
 *
 * pgdrift treats out-of-memory as an internal error: the x* functions print
 * a message and exit with PGD_EXIT_INTERNAL (70) rather than hand NULL to a
 * caller that would have to propagate it through every layer. Everything
 * they return is owned by the caller and released with free().
 */
#ifndef PGDRIFT_ALLOC_H
#define PGDRIFT_ALLOC_H

#include <stddef.h>

#define PGD_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define PGD_NORETURN __attribute__((noreturn))

/* Exit codes: the one enum of them, documented in the README. */
enum pgd_exit {
	PGD_EXIT_OK = 0,       /* audit complete, nothing at or above --fail-on */
	PGD_EXIT_FINDINGS = 1, /* audit complete, findings at or above --fail-on */
	PGD_EXIT_USAGE = 2,    /* bad flag, unreadable path, bad baseline */
	PGD_EXIT_INPUT = 3,    /* a migration could not be parsed or replayed */
	PGD_EXIT_DB = 4,       /* connect, auth, TLS, timeout, permission, query */
	PGD_EXIT_INTERNAL = 70 /* PGD_BUG, out of memory */
};

void *pgd_xmalloc(size_t n);
void *pgd_xcalloc(size_t nmemb, size_t size);
void *pgd_xrealloc(void *p, size_t n);
/* Reallocates an array of nmemb elements of size bytes, checking overflow. */
void *pgd_xreallocarray(void *p, size_t nmemb, size_t size);
char *pgd_xstrdup(const char *s);
/* Copies n bytes of s and NUL-terminates; s need not be terminated. */
char *pgd_xstrndup(const char *s, size_t n);
/* printf into a new string; caller frees. */
char *pgd_xasprintf(const char *fmt, ...) PGD_PRINTF(1, 2);

/*
 * Grows *arr (with *alloc slots) so it holds at least need elements of
 * elem_size bytes. Doubling growth; *arr may start NULL with *alloc 0.
 */
void pgd_grow(void **arr, size_t *alloc, size_t need, size_t elem_size);
#define PGD_GROW(arr, alloc, need) \
	pgd_grow((void **)&(arr), &(alloc), (need), sizeof(*(arr)))

/* Internal error: prints file:line and the message, exits 70. */
PGD_NORETURN void pgd_bug_at(const char *file, int line, const char *fmt, ...)
	PGD_PRINTF(3, 4);
#define PGD_BUG(...) pgd_bug_at(__FILE__, __LINE__, __VA_ARGS__)

#define PGD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* memcpy for possibly empty arrays: memcpy(dst, NULL, 0) is undefined. */
#define PGD_COPY(dst, src, nbytes)                          \
	do {                                                \
		if ((nbytes) > 0)                           \
			memcpy((dst), (src), (nbytes));     \
	} while (0)

#endif

/*
 * strbuf.h - a growable, always NUL-terminated byte buffer (git's strbuf).
 *
 * A struct pgd_strbuf owns buf. Initialise with PGD_STRBUF_INIT or
 * pgd_strbuf_init(), release with pgd_strbuf_release() (which leaves it
 * empty and reusable), or take the buffer with pgd_strbuf_detach() (the
 * caller then frees it).
 */
#ifndef PGDRIFT_STRBUF_H
#define PGDRIFT_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "pgdrift/alloc.h"

struct pgd_strbuf {
	size_t alloc; /* bytes allocated; 0 means buf points at a static "" */
	size_t len;   /* bytes used, not counting the terminating NUL */
	char *buf;
};

extern char pgd_strbuf_empty[];
#define PGD_STRBUF_INIT { 0, 0, pgd_strbuf_empty }

void pgd_strbuf_init(struct pgd_strbuf *sb, size_t hint);
void pgd_strbuf_release(struct pgd_strbuf *sb);
/* Returns the buffer (caller frees) and leaves sb empty. Never NULL. */
char *pgd_strbuf_detach(struct pgd_strbuf *sb, size_t *len);
void pgd_strbuf_grow(struct pgd_strbuf *sb, size_t extra);
void pgd_strbuf_reset(struct pgd_strbuf *sb);
void pgd_strbuf_setlen(struct pgd_strbuf *sb, size_t len);
void pgd_strbuf_add(struct pgd_strbuf *sb, const void *data, size_t len);
void pgd_strbuf_addstr(struct pgd_strbuf *sb, const char *s);
void pgd_strbuf_addch(struct pgd_strbuf *sb, int c);
void pgd_strbuf_addf(struct pgd_strbuf *sb, const char *fmt, ...)
	PGD_PRINTF(2, 3);
void pgd_strbuf_vaddf(struct pgd_strbuf *sb, const char *fmt, va_list ap)
	PGD_PRINTF(2, 0);
/* Appends s as a SQL identifier, double-quoted only when PostgreSQL needs it. */
void pgd_strbuf_add_ident(struct pgd_strbuf *sb, const char *s);
/* "schema.name" or, with sub, "schema.name.sub", each part an identifier
 * as pgd_strbuf_add_ident writes it. Caller frees. */
char *pgd_qualified_name(const char *schema, const char *name, const char *sub);
/* Appends s as a SQL string literal ('...' with quotes doubled; E'' never). */
void pgd_strbuf_add_literal(struct pgd_strbuf *sb, const char *s);
/* Reads the whole file at path; returns 0, or -1 with errno set. */
int pgd_strbuf_read_file(struct pgd_strbuf *sb, const char *path);

/* True when s needs double quotes to be read back as the same identifier. */
int pgd_ident_needs_quotes(const char *s);

#endif

/*
 * split.h - statement boundaries without libpg_query's scanner.
 *
 * pg_query_split_with_scanner() runs PostgreSQL's full lexer twice over a
 * file; on seed data that was a sixth of the replay. pgd_split() finds the
 * same boundaries with a lexer that knows only what decides them: quotes
 * (standard, E'', U&'', B'', X'', N'', continuation across newlines),
 * quoted identifiers, dollar quotes, -- and nested block comments,
 * parentheses, semicolons, and whether a statement holds a keyword (a
 * statement with none is dropped by libpg_query). Where its answer could
 * differ (an error the scanner would raise, escapes it would check, a
 * statement with no keyword this lexer knows), it says so and the caller
 * uses libpg_query's split. tests/unit/check_split.c compares the two on
 * every fixture. One difference is wanted: like psql, pgd_split() keeps a
 * CREATE FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END body in one statement
 * (the scanner split cuts it at its first ';').
 */
#ifndef PGDRIFT_LOADER_SPLIT_H
#define PGDRIFT_LOADER_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

struct pgd_split_stmt {
	size_t off, len; /* bytes, as stmt_location and stmt_len */
};

/*
 * Splits text (len bytes, NUL-terminated). Returns 0 with a malloc'd array
 * in *out (the caller frees it) and its size in *n, or -1 when the answer
 * must come from pg_query_split_with_scanner() (nothing allocated).
 */
int pgd_split(const char *text, size_t len, struct pgd_split_stmt **out,
	      size_t *n);

/*
 * 1 when text (len bytes; a statement the scanner split cut) ends inside a
 * BEGIN ATOMIC body, so the next statement continues it; 0 when not; -1
 * when this lexer cannot tell.
 */
int pgd_split_open_block(const char *text, size_t len);

/* Where a statement's text p[0..end) starts: past blanks and comments. */
const char *pgd_stmt_start(const char *p, const char *end);

/* Where the statement p[0..end) ends: before trailing blanks (they are
 * not part of the text the replay parses). */
const char *pgd_stmt_end(const char *p, const char *end);

/* Whether p[0..end) starts with keyword word (lower case, ASCII), in any
 * case, not followed by an identifier character. */
bool pgd_stmt_kw(const char *p, const char *end, const char *word);

/* Whether text[0..len) holds word (as pgd_stmt_kw) anywhere, as a whole
 * word: false means no statement of the text starts with it. */
bool pgd_text_has_kw(const char *text, size_t len, const char *word);

/* The keywords pgd_split() recognises (NULL-terminated; tests check each
 * is one to PostgreSQL's scanner). */
extern const char *const pgd_split_keywords[];

#endif

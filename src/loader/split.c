/*
 * split.c - statement boundaries as pg_query_split_with_scanner() finds
 * them (libpg_query's src/pg_query_split.c: a ';' outside parentheses ends
 * a statement if a keyword came before it; a statement without one is
 * skipped), from a lexer of PostgreSQL 15's scan.l reduced to what decides
 * them. See split.h.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgdrift/alloc.h"
#include "split.h"

/* Sorted. Every one is a keyword of PostgreSQL 15 (check_split tests it). */
const char *const pgd_split_keywords[] = {
	"add", "all", "alter", "analyze", "and", "as", "begin", "by", "call",
	"case", "check", "cluster", "column", "comment", "commit", "constraint",
	"copy", "create", "declare", "default", "delete", "disable", "discard",
	"do", "drop", "else", "enable", "end", "execute", "exists", "explain",
	"extension", "false", "for", "from", "function", "grant", "if", "import",
	"in", "index", "insert", "into", "is", "key", "language", "listen", "load",
	"lock", "merge", "not", "notify", "null", "on", "or", "policy",
	"prepare", "primary", "reassign", "refresh", "reindex", "release",
	"replace", "reset", "revoke", "rollback", "savepoint", "schema",
	"security", "select", "sequence", "set", "show", "start", "table",
	"then", "to", "transaction", "trigger", "true", "truncate", "type",
	"unique", "update", "using", "vacuum", "values", "view", "when", "where",
	"with", NULL,
};

static int cmp_kw(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

static bool known_keyword(const char *p, size_t n)
{
	char buf[16];
	if (n >= sizeof(buf))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		buf[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	buf[n] = '\0';
	size_t count = PGD_ARRAY_SIZE(pgd_split_keywords) - 1;
	return bsearch(buf, pgd_split_keywords, count, sizeof(char *), cmp_kw);
}

static bool ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c >= 0x80;
}

static bool ident_cont(unsigned char c)
{
	return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * After a closing quote at q: where the string continues (the index just
 * past the next opening quote) when only whitespace with a newline, and
 * -- comments ending in one, come between (scan.l's quotecontinue); else 0.
 */
static size_t continuation(const char *t, size_t len, size_t q)
{
	size_t i = q + 1;
	while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\f'))
		i++;
	if (i >= len || (t[i] != '\n' && t[i] != '\r'))
		return 0;
	for (;;) {
		if (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' ||
				t[i] == '\r' || t[i] == '\f')) {
			i++;
		} else if (i + 1 < len && t[i] == '-' && t[i + 1] == '-') {
			while (i < len && t[i] != '\n' && t[i] != '\r')
				i++;
			if (i >= len)
				return 0;
		} else {
			break;
		}
	}
	return i < len && t[i] == '\'' ? i + 1 : 0;
}

/*
 * A quoted string whose body starts at i. escapes: E'' backslashes.
 * Returns the index past it, or 0 to give up.
 */
static size_t skip_string(const char *t, size_t len, size_t i, bool escapes)
{
	for (;;) {
		if (i >= len)
			return 0; /* unterminated: the scanner raises an error */
		char c = t[i];
		if (c == '\\' && escapes) {
			if (i + 1 >= len)
				return 0;
			char e = t[i + 1];
			/* octal, hex and Unicode escapes are checked by the
			 * scanner (and can fail): leave them to it */
			if ((e >= '0' && e <= '7') || e == 'x' || e == 'u' || e == 'U')
				return 0;
			i += 2;
		} else if (c == '\'') {
			if (i + 1 < len && t[i + 1] == '\'') {
				i += 2;
				continue;
			}
			size_t next = continuation(t, len, i);
			if (!next)
				return i + 1;
			i = next;
		} else {
			i++;
		}
	}
}

/* A quoted identifier whose body starts at i: the index past it, or 0. */
static size_t skip_quoted_ident(const char *t, size_t len, size_t i)
{
	size_t body = i;
	for (; i < len; i++) {
		if (t[i] != '"')
			continue;
		if (i + 1 < len && t[i + 1] == '"') {
			i++;
			continue;
		}
		/* "" is an error to the scanner (zero-length identifier) */
		return i == body ? 0 : i + 1;
	}
	return 0;
}

static bool dolq_start(unsigned char c)
{
	return ident_start(c);
}

static bool dolq_cont(unsigned char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

static bool word_is(const char *p, size_t n, const char *w)
{
	if (strlen(w) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if ((c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c) != w[i])
			return false;
	}
	return true;
}

/*
 * psql's rule (psqlscan.l) for the bodies of CREATE [OR REPLACE]
 * FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END: in such a statement, outside
 * parentheses, BEGIN opens a block, CASE inside one opens another, END
 * closes one, and a ';' inside a block does not end the statement.
 * lead[] holds the first letters of the statement's leading words.
 */
struct atomic_state {
	char lead[4];
	size_t words;
	size_t depth;
};

static void atomic_word(struct atomic_state *a, const char *p, size_t n,
			size_t parens)
{
	if (a->words < sizeof(a->lead) &&
	    (word_is(p, n, "create") || word_is(p, n, "function") ||
	     word_is(p, n, "procedure") || word_is(p, n, "or") ||
	     word_is(p, n, "replace")))
		a->lead[a->words] = (char)(p[0] | 0x20);
	a->words++;
	const char *l = a->lead;
	bool routine = l[0] == 'c' &&
		       (l[1] == 'f' || l[1] == 'p' ||
			(l[1] == 'o' && l[2] == 'r' && (l[3] == 'f' || l[3] == 'p')));
	if (!routine || parens)
		return;
	if (word_is(p, n, "begin"))
		a->depth++;
	else if (word_is(p, n, "case") && a->depth)
		a->depth++;
	else if (word_is(p, n, "end") && a->depth)
		a->depth--;
}

static int split(const char *t, size_t len, struct pgd_split_stmt **out,
		 size_t *n, size_t *open_blocks)
{
	struct pgd_split_stmt *v = NULL;
	size_t nv = 0, av = 0;
	size_t start = 0, parens = 0, i = 0;
	bool kw = false;     /* a keyword since the last boundary */
	bool tokens = false; /* any token since the last boundary */
	struct atomic_state atomic = { { 0 }, 0, 0 };
	for (;;) {
		while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' ||
				   t[i] == '\r' || t[i] == '\f'))
			i++;
		if (i >= len)
			break;
		unsigned char c = (unsigned char)t[i];
		if (c == '-' && i + 1 < len && t[i + 1] == '-') {
			while (i < len && t[i] != '\n' && t[i] != '\r')
				i++;
			continue;
		}
		if (c == '/' && i + 1 < len && t[i + 1] == '*') {
			size_t depth = 1;
			i += 2;
			while (depth) {
				if (i + 1 >= len)
					goto fallback; /* unterminated comment */
				if (t[i] == '/' && t[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (t[i] == '*' && t[i + 1] == '/') {
					depth--;
					i += 2;
				} else {
					i++;
				}
			}
			continue;
		}
		if (c == ';') {
			if (parens == 0 && atomic.depth == 0) {
				if (kw) {
					PGD_GROW(v, av, nv + 1);
					v[nv].off = start;
					v[nv++].len = i - start;
				} else if (tokens) {
					/* libpg_query drops a statement without
					 * keywords; this lexer knows only some */
					goto fallback;
				}
				start = i + 1;
				kw = tokens = false;
				memset(&atomic, 0, sizeof(atomic));
			}
			i++;
			continue;
		}
		tokens = true;
		if (c == '(') {
			parens++;
			i++;
		} else if (c == ')') {
			if (parens == 0)
				goto fallback; /* libpg_query's counter wraps */
			parens--;
			i++;
		} else if (c == '\'') {
			if (!(i = skip_string(t, len, i + 1, false)))
				goto fallback;
		} else if (c == '"') {
			if (!(i = skip_quoted_ident(t, len, i + 1)))
				goto fallback;
		} else if (c == '$') {
			size_t j = i + 1;
			if (j < len && is_digit(t[j])) { /* $1 */
				while (j < len && is_digit(t[j]))
					j++;
				if (j < len && ident_start((unsigned char)t[j]))
					goto fallback; /* "trailing junk" */
				i = j;
				continue;
			}
			if (j < len && dolq_start((unsigned char)t[j]))
				while (j < len && dolq_cont((unsigned char)t[j]))
					j++;
			if (j < len && t[j] == '$') {
				size_t dlen = j + 1 - i;
				const char *end = NULL;
				for (size_t k = j + 1; k + dlen <= len; k++)
					if (t[k] == '$' && !memcmp(t + k, t + i, dlen)) {
						end = t + k;
						break;
					}
				if (!end)
					goto fallback; /* unterminated */
				i = (size_t)(end - t) + dlen;
			} else {
				i++; /* a lone '$' */
			}
		} else if (ident_start(c)) {
			size_t j = i;
			while (j < len && ident_cont((unsigned char)t[j]))
				j++;
			bool one = j - i == 1;
			if (one && j < len && t[j] == '\'' &&
			    (c == 'e' || c == 'E')) {
				if (!(i = skip_string(t, len, j + 1, true)))
					goto fallback;
			} else if (one && j < len && t[j] == '\'' &&
				   (c == 'b' || c == 'B' || c == 'x' || c == 'X' ||
				    c == 'n' || c == 'N')) {
				if (c == 'n' || c == 'N')
					kw = true; /* the scanner returns NCHAR */
				if (!(i = skip_string(t, len, j + 1, false)))
					goto fallback;
			} else if (one && (c == 'u' || c == 'U') && j + 1 < len &&
				   t[j] == '&' && (t[j + 1] == '\'' || t[j + 1] == '"')) {
				i = t[j + 1] == '\'' ? skip_string(t, len, j + 2, false)
						     : skip_quoted_ident(t, len, j + 2);
				if (!i)
					goto fallback;
			} else {
				if (!kw && known_keyword(t + i, j - i))
					kw = true;
				atomic_word(&atomic, t + i, j - i, parens);
				i = j;
			}
		} else if (is_digit((char)c) || (c == '.' && i + 1 < len && is_digit(t[i + 1]))) {
			while (i < len && is_digit(t[i]))
				i++;
			if (i < len && t[i] == '.')
				for (i++; i < len && is_digit(t[i]); i++)
					;
			if (i + 1 < len && (t[i] == 'e' || t[i] == 'E')) {
				size_t j = i + 1;
				if (j < len && (t[j] == '+' || t[j] == '-'))
					j++;
				if (j < len && is_digit(t[j])) {
					while (j < len && is_digit(t[j]))
						j++;
					i = j;
				}
			}
			/* 1e5abc, 0x1F, 1_000: "trailing junk" to the scanner */
			if (i < len && ident_start((unsigned char)t[i]))
				goto fallback;
		} else {
			i++; /* operators and other single characters */
		}
	}
	if (parens)
		goto fallback;
	if (kw) {
		PGD_GROW(v, av, nv + 1);
		v[nv].off = start;
		v[nv++].len = len - start;
	} else if (tokens) {
		goto fallback;
	}
	*out = v;
	*n = nv;
	*open_blocks = atomic.depth;
	return 0;
fallback:
	free(v);
	*out = NULL;
	*n = 0;
	return -1;
}

int pgd_split(const char *t, size_t len, struct pgd_split_stmt **out, size_t *n)
{
	size_t open;
	return split(t, len, out, n, &open);
}

int pgd_split_open_block(const char *text, size_t len)
{
	struct pgd_split_stmt *v;
	size_t n, open;
	if (split(text, len, &v, &n, &open) < 0)
		return -1;
	free(v);
	return open > 0;
}

/* ---- a statement's first keyword (split.h) */

const char *pgd_stmt_start(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\f' || *p == '\v') {
			p++;
		} else if (p + 1 < end && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (p + 1 < end && p[0] == '/' && p[1] == '*') {
			int depth = 1;
			p += 2;
			while (p < end && depth) {
				if (p + 1 < end && p[0] == '/' && p[1] == '*')
					depth++, p += 2;
				else if (p + 1 < end && p[0] == '*' && p[1] == '/')
					depth--, p += 2;
				else
					p++;
			}
		} else {
			break;
		}
	}
	return p;
}

const char *pgd_stmt_end(const char *p, const char *end)
{
	while (end > p && (end[-1] == ' ' || end[-1] == '\n' ||
			   end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return end;
}

/* A character that continues a word for pgd_stmt_kw. */
static bool kw_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

bool pgd_stmt_kw(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(end - p) < n || strncasecmp(p, word, n) != 0)
		return false;
	return (size_t)(end - p) == n || !kw_char(p[n]);
}

bool pgd_text_has_kw(const char *text, size_t len, const char *word)
{
	size_t n = strlen(word);
	char lo = word[0], up = (char)(lo - 'a' + 'A');
	for (size_t i = 0; i + n <= len; i++)
		if ((text[i] == lo || text[i] == up) && strncasecmp(text + i, word, n) == 0 &&
		    (i == 0 || !kw_char(text[i - 1])) &&
		    (i + n == len || !kw_char(text[i + n])))
			return true;
	return false;
}

/*
 * rows.c - which tables may hold rows at this point of the replay.
 *
 * A peer that applies the migrations to a shadow database sees a table the
 * migrations created, and no statement wrote, as empty: a DO block's
 * `if not exists (select 1 from t where ...)` then runs its body. The
 * interpreter (src/eval) may answer such a query with no rows only when
 * that is certain, so the replay keeps, conservatively, the names of every
 * table a statement might have written:
 *
 *  - every identifier of a data statement that may add rows (INSERT, also
 *    in a WITH, COPY, MERGE, anything with INTO) and of CREATE TABLE AS;
 *    UPDATE, DELETE and TRUNCATE only change or remove rows a table has,
 *    so an empty table stays empty (a table with rows is marked already);
 *  - every identifier of a statement recorded as unmodeled, also inside
 *    its string constants (a DO body, an EXECUTE string, a cron job);
 *  - the parents of a table created with INHERITS; a renamed table keeps
 *    what its old name had.
 * and gives up on all tables ("anything may hold rows") when a data or
 * unmodeled statement calls a function the migrations defined, names a
 * view, or names a table with a trigger that may fire (a row trigger of a
 * table without rows under UPDATE/DELETE does not; a statement trigger
 * does) and whose function may write (one whose body has no INSERT,
 * UPDATE, DELETE, ..., EXECUTE or call of a migration function cannot),
 * writes a table whose column default calls a migration-defined function,
 * or is unmodeled dynamic SQL (EXECUTE). Names are compared without schema: a name written anywhere
 * marks every table of that name. Partitioned tables, partitions,
 * platform tables and tables the replay holds only as placeholders are
 * never known to be empty.
 *
 * The names live in an arena owned by struct replay (rp_rows_release).
 * This file calls no other loader file.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "pgdrift/arena.h"
#include "pgdrift/map.h"

struct scan {
	struct pgd_map *idents; /* every identifier (lower case unless quoted) */
	struct pgd_map *calls;  /* identifiers followed by '(' */
	struct pgd_arena *a;    /* the keys of both */
	bool execute;           /* the word EXECUTE (dynamic SQL) */
	const char **list;      /* the keys of idents, in order (malloc'd) */
	size_t nlist, alist;
};

#define SCAN_INIT { pgd_map_new(), pgd_map_new(), pgd_arena_new(), false, NULL, 0, 0 }

static void scan_release(struct scan *s)
{
	pgd_map_free(s->idents);
	pgd_map_free(s->calls);
	pgd_arena_free(s->a);
	free(s->list);
}

static bool ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
	return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* The length of a name of n bytes as PostgreSQL keeps it: at most 63
 * bytes, cut at a character boundary (buf holds at least min(n, 64)). */
static size_t name_len(const char *buf, size_t n)
{
	if (n <= 63)
		return n;
	n = 63;
	while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static void add_ident(struct scan *s, const char *p, size_t n, bool call)
{
	if (!n)
		return;
	if (!pgd_map_get(s->idents, p, n)) {
		const char *k = pgd_arena_strndup(s->a, p, n);
		pgd_map_put(s->idents, k, n, (void *)1);
		PGD_GROW(s->list, s->alist, s->nlist + 1);
		s->list[s->nlist++] = k;
	}
	if (call && !pgd_map_get(s->calls, p, n)) {
		const char *k = pgd_arena_strndup(s->a, p, n);
		pgd_map_put(s->calls, k, n, (void *)1);
	}
}

/* Whether the next non-blank byte from p is '('. */
static bool call_follows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p < end && *p == '(';
}

/*
 * Collects the identifiers of SQL text [p, end). With strings, string
 * constants (quoted and dollar-quoted) are read as SQL too: a DO body or
 * an EXECUTE string names what it writes there.
 */
static void scan_text(struct scan *s, const char *begin, const char *end,
		      bool strings, int depth)
{
	char buf[64];
	const char *p = begin;
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (c == '-' && p + 1 < end && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (c == '/' && p + 1 < end && p[1] == '*') {
			int nest = 1;
			p += 2;
			while (p < end && nest) {
				if (p + 1 < end && p[0] == '/' && p[1] == '*')
					nest++, p += 2;
				else if (p + 1 < end && p[0] == '*' && p[1] == '/')
					nest--, p += 2;
				else
					p++;
			}
		} else if (c == '\'') {
			/* E'' strings: a backslash escapes the next byte */
			bool esc = p > begin && (p[-1] == 'e' || p[-1] == 'E') &&
				   (p - 1 == begin || !ident_char((unsigned char)p[-2]));
			const char *b = ++p;
			while (p < end) {
				if (esc && *p == '\\' && p + 1 < end) {
					p += 2;
				} else if (*p == '\'') {
					if (p + 1 < end && p[1] == '\'')
						p += 2;
					else
						break;
				} else {
					p++;
				}
			}
			if (strings && depth < 8)
				scan_text(s, b, p, strings, depth + 1);
			if (p < end)
				p++;
		} else if (c == '$' && p + 1 < end &&
			   (p[1] == '$' || ident_start((unsigned char)p[1]))) {
			const char *t = p + 1;
			while (t < end && *t != '$' && ident_char((unsigned char)*t) )
				t++;
			if (t >= end || *t != '$') {
				p = t;
				continue;
			}
			size_t tl = (size_t)(t + 1 - p); /* "$tag$" */
			const char *b = t + 1, *e = b;
			while ((size_t)(end - e) >= tl && memcmp(e, p, tl))
				e++;
			bool closed = (size_t)(end - e) >= tl;
			if (!closed)
				e = end;
			if (strings && depth < 8)
				scan_text(s, b, e, strings, depth + 1);
			p = closed ? e + tl : end;
		} else if (c == '"') {
			size_t n = 0;
			p++;
			while (p < end) {
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"')
						p++;
					else
						break;
				}
				if (n < sizeof(buf))
					buf[n++] = *p;
				p++;
			}
			if (p < end)
				p++;
			add_ident(s, buf, name_len(buf, n), call_follows(p, end));
		} else if (ident_start(c)) {
			size_t n = 0;
			while (p < end && ident_char((unsigned char)*p)) {
				if (n < sizeof(buf)) {
					char ch = *p;
					buf[n++] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
				}
				p++;
			}
			if (n == 7 && !memcmp(buf, "execute", 7))
				s->execute = true;
			add_ident(s, buf, name_len(buf, n), call_follows(p, end));
		} else {
			p++;
		}
	}
}

static void mark(struct replay *r, const char *name, size_t n)
{
	if (!r->rows_written) {
		r->rows_written = pgd_map_new();
		r->rows_keys = pgd_arena_new();
	}
	if (pgd_map_get(r->rows_written, name, n))
		return;
	const char *k = pgd_arena_strndup(r->rows_keys, name, n);
	pgd_map_put(r->rows_written, k, n, (void *)1);
}

void rp_rows_mark(struct replay *r, const char *name)
{
	if (name)
		mark(r, name, strlen(name));
}

void rp_rows_renamed(struct replay *r, const char *from, const char *to)
{
	if (from && to && r->rows_written &&
	    pgd_map_get(r->rows_written, from, strlen(from)))
		rp_rows_mark(r, to);
}

static bool has(const struct pgd_map *m, const char *s)
{
	return pgd_map_get(m, s, strlen(s)) != NULL;
}

/* Whether a default of t calls a function the migrations defined. */
static bool default_calls_mine(const struct pgd_table *t, const struct pgd_schema *m)
{
	if (!m->nfunctions)
		return false;
	for (size_t i = 0; i < t->ncolumns; i++) {
		const char *d = t->columns[i]->def;
		if (!d || !strchr(d, '('))
			continue;
		struct scan s = SCAN_INIT;
		scan_text(&s, d, d + strlen(d), false, 0);
		bool mine = false;
		for (size_t k = 0; k < m->nfunctions && !mine; k++)
			mine = has(s.calls, m->functions[k]->obj.name);
		scan_release(&s);
		if (mine)
			return true;
	}
	return false;
}

/* Whether the words of s write (or may write) rows somewhere. */
static bool writes(const struct scan *s)
{
	static const char *const kws[] = { "insert", "update", "delete", "merge",
					   "copy", "truncate", "refresh", "execute" };
	for (size_t i = 0; i < PGD_ARRAY_SIZE(kws); i++)
		if (has(s->idents, kws[i]))
			return true;
	return false;
}

/* Whether s calls a function the migrations defined. */
static bool calls_mine(const struct scan *s, const struct pgd_schema *m)
{
	if (!pgd_map_count(s->calls))
		return false;
	for (size_t i = 0; i < m->nfunctions; i++)
		if (has(s->calls, m->functions[i]->obj.name))
			return true;
	return false;
}

/*
 * Whether trigger tg's function certainly writes no rows: every function
 * of its name has a body, and no body has a data-changing word, EXECUTE
 * or a call of a migration-defined function (an updated_at trigger).
 */
static bool trigger_harmless(const struct pgd_schema *m, const struct pgd_trigger *tg)
{
	const char *d = tg->def ? strstr(tg->def, "EXECUTE FUNCTION ") : NULL;
	if (!d)
		d = tg->def ? strstr(tg->def, "EXECUTE PROCEDURE ") : NULL;
	if (!d)
		return false;
	d = strchr(d + 8, ' ') + 1;
	const char *paren = strchr(d, '(');
	if (!paren)
		return false;
	/* the last name before '(': schema.name or name, maybe quoted */
	const char *b = paren;
	while (b > d && b[-1] != '.')
		b--;
	size_t n = (size_t)(paren - b);
	if (n >= 2 && b[0] == '"' && b[n - 1] == '"')
		b++, n -= 2;
	if (memchr(b, '"', n))
		return false; /* a quoted name with quotes in it */
	bool any = false;
	for (size_t i = 0; i < m->nfunctions; i++) {
		const struct pgd_function *f = m->functions[i];
		if (strlen(f->obj.name) != n || memcmp(f->obj.name, b, n))
			continue;
		if (!f->body)
			return false;
		struct scan s = SCAN_INIT;
		scan_text(&s, f->body, f->body + strlen(f->body), true, 0);
		bool bad = writes(&s) || calls_mine(&s, m);
		scan_release(&s);
		if (bad)
			return false;
		any = true;
	}
	return any;
}

static bool marked(const struct replay *r, const char *name)
{
	return r->rows_written && pgd_map_get(r->rows_written, name, strlen(name));
}

/*
 * The tables through which a data statement may reach code: those with a
 * trigger, and (once the migrations defined a function) those with a
 * default that calls something. Data statements are not dispatched, so a
 * run of them (seed data) shares one list; any dispatched statement
 * makes it stale.
 */
static void reach_candidates(struct replay *r)
{
	if (r->rows_cand_at == r->ddl_seq + 1)
		return;
	const struct pgd_schema *m = r->m;
	r->nrows_cand = 0;
	for (size_t i = 0; i < m->ntables; i++) {
		const struct pgd_table *t = m->tables[i];
		bool cand = t->ntriggers > 0;
		for (size_t k = 0; !cand && m->nfunctions && k < t->ncolumns; k++)
			cand = t->columns[k]->def && strchr(t->columns[k]->def, '(');
		if (!cand)
			continue;
		PGD_GROW(r->rows_cand, r->arows_cand, r->nrows_cand + 1);
		r->rows_cand[r->nrows_cand++] = t;
	}
	r->rows_cand_at = r->ddl_seq + 1;
}

/* What the statement's names reach beyond themselves: views (their
 * tables), triggers, defaults and functions the migrations defined.
 * additive: the statement may add rows (else row triggers and defaults
 * of a table without rows do not run). */
static bool reaches_code(struct replay *r, const struct scan *s, bool additive)
{
	const struct pgd_schema *m = r->m;
	if (calls_mine(s, m))
		return true;
	reach_candidates(r);
	for (size_t i = 0; i < r->nrows_cand; i++) {
		const struct pgd_table *t = r->rows_cand[i];
		if (!has(s->idents, t->obj.name))
			continue;
		bool may_have_rows = additive || marked(r, t->obj.name);
		for (size_t k = 0; k < t->ntriggers; k++) {
			const struct pgd_trigger *tg = t->triggers[k];
			if (!may_have_rows && tg->def && strstr(tg->def, "FOR EACH ROW"))
				continue; /* no row to fire on */
			if (!trigger_harmless(m, tg))
				return true;
		}
		if (may_have_rows && default_calls_mine(t, m))
			return true;
	}
	for (size_t i = 0; i < m->nviews; i++)
		if (has(s->idents, m->views[i]->obj.name))
			return true; /* its tables, its INSTEAD OF triggers, rules */
	return false;
}

/* Whether a data statement may add rows: INSERT (also in a WITH), COPY
 * FROM, MERGE, REFRESH; not UPDATE, DELETE or TRUNCATE alone. */
static bool adds_rows(const struct scan *s)
{
	static const char *const kws[] = { "insert", "copy", "merge", "refresh", "into" };
	for (size_t i = 0; i < PGD_ARRAY_SIZE(kws); i++)
		if (has(s->idents, kws[i]))
			return true;
	return false;
}

void rp_rows_written_by(struct replay *r, const char *sql, size_t len,
			bool unmodeled)
{
	if (r->rows_all || !sql)
		return;
	struct scan s = SCAN_INIT;
	scan_text(&s, sql, sql + len, unmodeled, 0);
	bool additive = unmodeled || adds_rows(&s);
	if ((unmodeled && s.execute) || reaches_code(r, &s, additive)) {
		r->rows_all = true;
	} else if (!additive) {
		/* UPDATE, DELETE, TRUNCATE change or remove rows a table
		 * has: an empty one stays empty, one with rows is marked */
	} else {
		/* every identifier, not only today's table names: a table a
		 * string names may be written later (a scheduled job), and a
		 * table created later under one of them starts written,
		 * which is the safe side */
		for (size_t i = 0; i < s.nlist; i++)
			rp_rows_mark(r, s.list[i]);
	}
	scan_release(&s);
}

bool rp_rows_empty(const struct replay *r, const struct pgd_table *t)
{
	if (r->rows_all || t->external || t->columns_unknown || t->partition_of ||
	    (t->relkind && t->relkind != 'r') || pgd_schema_is_platform(t->obj.schema))
		return false;
	return !r->rows_written ||
	       !pgd_map_get(r->rows_written, t->obj.name, strlen(t->obj.name));
}

void rp_rows_release(struct replay *r)
{
	pgd_map_free(r->rows_written);
	pgd_arena_free(r->rows_keys);
	r->rows_written = NULL;
	r->rows_keys = NULL;
	free(r->rows_cand);
	r->rows_cand = NULL;
	r->nrows_cand = r->arows_cand = 0;
	r->rows_cand_at = 0;
}

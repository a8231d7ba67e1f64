/*
 * history.c - migration files x the applied-migrations table (history.h).
 * Pure comparison: the rows come from the catalog, the files from the
 * loader; nothing here talks to a database.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgdrift/history.h"
#include "pgdrift/srcfile.h"
#include "pgdrift/strbuf.h"

const char *pgd_history_kind_name(enum pgd_history_kind kind)
{
	switch (kind) {
	case PGD_HISTORY_SUPABASE: return "supabase";
	case PGD_HISTORY_FLYWAY: return "flyway";
	case PGD_HISTORY_GOLANG_MIGRATE: return "golang-migrate";
	case PGD_HISTORY_DBMATE: return "dbmate";
	case PGD_HISTORY_GENERIC: return "generic";
	}
	PGD_BUG("bad history kind %d", (int)kind);
}

void pgd_history_release(struct pgd_history *h)
{
	for (size_t i = 0; i < h->nrows; i++) {
		struct pgd_history_row *r = &h->rows[i];
		free(r->version);
		free(r->name);
		for (size_t k = 0; k < r->nstatements; k++)
			free(r->statements[k]);
		free(r->statements);
	}
	free(h->rows);
	free(h->table);
	memset(h, 0, sizeof(*h));
}

struct pgd_history_row *pgd_history_add_row(struct pgd_history *h,
					    const char *version,
					    const char *name)
{
	PGD_GROW(h->rows, h->alloc, h->nrows + 1);
	struct pgd_history_row *r = &h->rows[h->nrows++];
	memset(r, 0, sizeof(*r));
	r->version = pgd_xstrdup(version ? version : "");
	r->name = name ? pgd_xstrdup(name) : NULL;
	return r;
}

void pgd_history_row_add_statement(struct pgd_history_row *row,
				   const char *stmt)
{
	row->statements = pgd_xreallocarray(row->statements,
					    row->nstatements + 2,
					    sizeof(char *));
	row->statements[row->nstatements++] = pgd_xstrdup(stmt ? stmt : "");
	row->statements[row->nstatements] = NULL;
}

/* ---- the Supabase CLI's statement splitter, as a state machine
 *
 * Each state sees one more byte of the current piece (data[0..len), the
 * new byte last) and returns the next state, or NULL to end the piece
 * after this byte (a ';' outside everything). Written from the CLI's
 * documented behaviour: quotes ('' and "" doubled to escape), dollar quotes
 * ($tag$ ... $tag$), -- and nestable block comments, a backslash escaping
 * the next byte, parentheses and BEGIN ATOMIC ... END holding their ';'. */

enum sp_kind { SP_READY, SP_DASH, SP_BLOCK, SP_QUOTE, SP_DOLLAR, SP_TAG,
	       SP_ESCAPE, SP_ATOMIC };

struct sp_state {
	enum sp_kind kind;
	int depth;            /* SP_BLOCK */
	char quote;           /* SP_QUOTE */
	bool escape;          /* SP_QUOTE: the quote char was just seen */
	size_t off;           /* SP_TAG: where the '$' is in the piece */
	char *delim;          /* SP_DOLLAR, SP_ATOMIC: what closes it */
	size_t dlen;
	struct sp_state *prev; /* SP_ATOMIC: the state inside it */
};

struct splitter {
	struct sp_state **all; /* every state made for this piece */
	size_t n, alloc;
	struct sp_state ready; /* the shared ready state */
};

static struct sp_state *sp_new(struct splitter *s, enum sp_kind kind)
{
	struct sp_state *st = pgd_xcalloc(1, sizeof(*st));
	st->kind = kind;
	PGD_GROW(s->all, s->alloc, s->n + 1);
	s->all[s->n++] = st;
	return st;
}

static void sp_reset(struct splitter *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->all[i]->delim);
		free(s->all[i]);
	}
	s->n = 0;
}

static bool sp_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static bool sp_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static bool ends_with(const char *data, size_t len, const char *d, size_t dlen,
		      bool fold)
{
	if (len < dlen)
		return false;
	return fold ? strncasecmp(data + len - dlen, d, dlen) == 0
		    : memcmp(data + len - dlen, d, dlen) == 0;
}

static struct sp_state *sp_atomic(struct splitter *s, const char *delim)
{
	struct sp_state *st = sp_new(s, SP_ATOMIC);
	st->prev = &s->ready;
	st->delim = pgd_xstrdup(delim);
	st->dlen = strlen(delim);
	return st;
}

static struct sp_state *sp_next(struct splitter *s, struct sp_state *st,
				const char *data, size_t len);

static struct sp_state *sp_ready(struct splitter *s, const char *data,
				 size_t len)
{
	unsigned char c = (unsigned char)data[len - 1];
	struct sp_state *st;
	switch (c) {
	case '$':
		st = sp_new(s, SP_TAG);
		st->off = len - 1;
		return st;
	case '\'':
	case '"':
		st = sp_new(s, SP_QUOTE);
		st->quote = (char)c;
		return st;
	case '-':
		return sp_new(s, SP_DASH);
	case '/':
		return sp_new(s, SP_BLOCK);
	case '\\':
		return sp_new(s, SP_ESCAPE);
	case ';':
		return NULL;
	case '(':
		return sp_atomic(s, ")");
	case 'c':
	case 'C':
		/* "BEGIN ATOMIC": the word ATOMIC after white space */
		if (len > 6 && ends_with(data, len, "atomic", 6, true) &&
		    sp_space((unsigned char)data[len - 7]))
			return sp_atomic(s, "END");
		return &s->ready;
	default:
		return &s->ready;
	}
}

static struct sp_state *sp_next(struct splitter *s, struct sp_state *st,
				const char *data, size_t len)
{
	unsigned char c = (unsigned char)data[len - 1];
	switch (st->kind) {
	case SP_READY:
		return sp_ready(s, data, len);
	case SP_DASH:
		if (c == '-') {
			struct sp_state *d = sp_new(s, SP_DOLLAR);
			d->delim = pgd_xstrdup("\n");
			d->dlen = 1;
			return d;
		}
		return sp_ready(s, data, len);
	case SP_BLOCK:
		if (len >= 2 && data[len - 2] == '/' && c == '*') {
			st->depth++;
			return st;
		}
		if (st->depth == 0)
			return sp_ready(s, data, len);
		if (len >= 2 && data[len - 2] == '*' && c == '/' && --st->depth == 0)
			return &s->ready;
		return st;
	case SP_QUOTE:
		if (st->escape) {
			if (c == (unsigned char)st->quote) {
				st->escape = false; /* a doubled quote */
				return st;
			}
			return sp_ready(s, data, len);
		}
		if (c == (unsigned char)st->quote)
			st->escape = true;
		return st;
	case SP_DOLLAR:
		return ends_with(data, len, st->delim, st->dlen, false) ? &s->ready
									 : st;
	case SP_TAG:
		if (c == '$') {
			struct sp_state *d = sp_new(s, SP_DOLLAR);
			d->dlen = len - st->off;
			d->delim = pgd_xstrndup(data + st->off, d->dlen);
			return d;
		}
		if (sp_word(c))
			return st;
		return sp_ready(s, data, len);
	case SP_ESCAPE:
		return &s->ready;
	case SP_ATOMIC: {
		struct sp_state *cur = sp_next(s, st->prev, data, len);
		if (cur)
			st->prev = cur;
		if (st->prev->kind == SP_READY &&
		    ends_with(data, len, st->delim, st->dlen, true))
			return &s->ready;
		return st;
	}
	}
	PGD_BUG("bad splitter state %d", (int)st->kind);
}

/* TrimRight(";") then TrimSpace, as the CLI trims each piece. */
static void add_piece(const char *sql, size_t start, size_t end, char ***out,
		      size_t **offs, size_t *n, size_t *alloc)
{
	while (end > start && sql[end - 1] == ';')
		end--;
	while (start < end && sp_space((unsigned char)sql[start]))
		start++;
	while (end > start && sp_space((unsigned char)sql[end - 1]))
		end--;
	if (end == start)
		return;
	if (*n + 1 > *alloc) {
		*alloc = *alloc ? *alloc * 2 : 16;
		*out = pgd_xreallocarray(*out, *alloc, sizeof(**out));
		*offs = pgd_xreallocarray(*offs, *alloc, sizeof(**offs));
	}
	(*out)[*n] = pgd_xstrndup(sql + start, end - start);
	(*offs)[*n] = start;
	(*n)++;
}

size_t pgd_history_split(const char *sql, size_t len, char ***stmts,
			 size_t **offsets)
{
	struct splitter s = { 0 };
	s.ready.kind = SP_READY;
	char **out = NULL;
	size_t *offs = NULL, n = 0, alloc = 0, start = 0;
	struct sp_state *st = &s.ready;
	for (size_t i = 0; i < len; i++) {
		st = sp_next(&s, st, sql + start, i - start + 1);
		if (!st) {
			add_piece(sql, start, i + 1, &out, &offs, &n, &alloc);
			start = i + 1;
			sp_reset(&s);
			st = &s.ready;
		}
	}
	if (start < len)
		add_piece(sql, start, len, &out, &offs, &n, &alloc);
	sp_reset(&s);
	free(s.all);
	*stmts = out;
	if (offsets)
		*offsets = offs;
	else
		free(offs);
	return n;
}

void pgd_history_free_split(char **stmts, size_t n, size_t *offsets)
{
	for (size_t i = 0; i < n; i++)
		free(stmts[i]);
	free(stmts);
	free(offsets);
}

char *pgd_history_normalize(const char *stmt)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	bool space = false;
	for (const unsigned char *p = (const unsigned char *)stmt; *p; p++) {
		if (sp_space(*p)) {
			space = sb.len > 0;
			continue;
		}
		if (space)
			pgd_strbuf_addch(&sb, ' ');
		space = false;
		pgd_strbuf_addch(&sb, *p);
	}
	while (sb.len && (sb.buf[sb.len - 1] == ';' || sb.buf[sb.len - 1] == ' '))
		pgd_strbuf_setlen(&sb, sb.len - 1);
	return pgd_strbuf_detach(&sb, NULL);
}

/* ---- the comparison */

/* A statement shown in a finding: normalized, cut at 200 bytes on a UTF-8
 * boundary. */
static char *excerpt(const char *stmt)
{
	char *n = pgd_history_normalize(stmt);
	size_t len = strlen(n);
	if (len <= 200)
		return n;
	size_t cut = 200;
	while (cut > 0 && ((unsigned char)n[cut] & 0xC0) == 0x80)
		cut--;
	char *s = pgd_xasprintf("%.*s...", (int)cut, n);
	free(n);
	return s;
}

struct cmp {
	struct pgd_migration_set *set;
	const struct pgd_history *h;
	const struct pgd_history_row **sorted; /* h's rows by version */
	struct pgd_findings *f;
	struct pgd_diags *diags;
	const char *table;
	bool supabase;
};

static int cmp_row(const void *x, const void *y)
{
	const struct pgd_history_row *a = *(const struct pgd_history_row *const *)x;
	const struct pgd_history_row *b = *(const struct pgd_history_row *const *)y;
	return pgd_migrations_cmp_version(a->version, b->version);
}

/* The first of c->sorted whose version is not below version. */
static size_t lower_bound(const struct cmp *c, const char *version)
{
	size_t lo = 0, hi = c->h->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pgd_migrations_cmp_version(c->sorted[mid]->version, version) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The row that applied version, or NULL; *failed when a row records a
 * failed attempt at it. */
static const struct pgd_history_row *row_for(const struct cmp *c,
					     const char *version, bool *failed)
{
	const struct pgd_history_row *hit = NULL;
	*failed = false;
	for (size_t i = lower_bound(c, version); i < c->h->nrows; i++) {
		const struct pgd_history_row *r = c->sorted[i];
		if (pgd_migrations_cmp_version(r->version, version) != 0)
			break;
		if (r->failed) {
			*failed = true;
			continue;
		}
		if (!hit)
			hit = r;
	}
	return hit;
}

static struct pgd_finding *file_finding(struct cmp *c, enum pgd_rule_id id,
					const struct pgd_migration_file *mf,
					unsigned line, const char *expected,
					const char *actual, const char *msg)
{
	struct pgd_finding *x = pgd_findings_add(c->f, id, mf->name, NULL,
						 expected, actual, "%s", msg);
	x->file = pgd_xstrdup(mf->path);
	x->line = line ? line : 1;
	return x;
}

/*
 * A file's or a history row's text as a token stream: comments, white
 * space and statement-ending ';' out, string literals, quoted identifiers
 * and dollar-quoted bodies kept byte for byte. Two texts with the same
 * stream are the same statements however a runner split and trimmed them
 * (one element per file, one per statement, comments kept or not).
 * Appends to sb.
 */
static void add_token_text(struct pgd_strbuf *sb, const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		char ch = s[i];
		if (ch == '-' && i + 1 < len && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (ch == '/' && i + 1 < len && s[i + 1] == '*') {
			int depth = 0;
			do {
				if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (s[i] == '*' && i + 1 < len && s[i + 1] == '/') {
					depth--;
					i += 2;
				} else {
					i++;
				}
			} while (i < len && depth > 0);
		} else if (ch == '\'' || ch == '"') {
			/* E'...' takes backslash escapes */
			bool esc = ch == '\'' && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e');
			size_t j = i + 1;
			while (j < len) {
				if (esc && s[j] == '\\' && j + 1 < len) {
					j += 2;
					continue;
				}
				if (s[j] == ch) {
					if (j + 1 < len && s[j + 1] == ch) {
						j += 2;
						continue;
					}
					break;
				}
				j++;
			}
			j = j < len ? j + 1 : len;
			pgd_strbuf_add(sb, s + i, j - i);
			i = j;
		} else if (ch == '$' && (i == 0 || !(isalnum((unsigned char)s[i - 1]) ||
						  s[i - 1] == '_')) &&
			   i + 1 < len && !isdigit((unsigned char)s[i + 1])) {
			size_t t = i + 1;
			while (t < len && (isalnum((unsigned char)s[t]) || s[t] == '_' ||
					   (unsigned char)s[t] >= 0x80))
				t++;
			if (t < len && s[t] == '$') {
				size_t taglen = t + 1 - i;
				size_t j = t + 1;
				while (j + taglen <= len && memcmp(s + j, s + i, taglen) != 0)
					j++;
				j = j + taglen <= len ? j + taglen : len;
				pgd_strbuf_add(sb, s + i, j - i);
				i = j;
			} else {
				pgd_strbuf_addch(sb, ch);
				i++;
			}
		} else if (isspace((unsigned char)ch) || ch == ';') {
			i++;
		} else {
			pgd_strbuf_addch(sb, ch);
			i++;
		}
	}
}

/*
 * The file's statements against the recorded ones. Returns true when they
 * match; otherwise adds PGD305 unless report is false.
 */
static bool compare_statements(struct cmp *c, struct pgd_migration_file *mf,
			       const struct pgd_history_row *row, bool report)
{
	char **stmts;
	size_t *offs;
	size_t n = pgd_history_split(mf->src.text, mf->src.len, &stmts, &offs);
	size_t m = row->nstatements;
	size_t k = 0;
	for (; k < n && k < m; k++) {
		char *a = pgd_history_normalize(stmts[k]);
		char *b = pgd_history_normalize(row->statements[k]);
		bool same = !strcmp(a, b);
		free(a);
		free(b);
		if (!same)
			break;
	}
	bool match = k == n && k == m;
	if (!match) {
		/* split or trimmed otherwise: compare the token streams */
		struct pgd_strbuf a = PGD_STRBUF_INIT, b = PGD_STRBUF_INIT;
		add_token_text(&a, mf->src.text, mf->src.len);
		for (size_t r = 0; r < m; r++)
			add_token_text(&b, row->statements[r], strlen(row->statements[r]));
		match = a.len == b.len && (a.len == 0 || memcmp(a.buf, b.buf, a.len) == 0);
		pgd_strbuf_release(&a);
		pgd_strbuf_release(&b);
	}
	if (!match && report) {
		unsigned line = k < n ? pgd_srcfile_line_of(&mf->src, offs[k])
				      : n ? pgd_srcfile_line_of(&mf->src, offs[n - 1]) : 1;
		char *exp = k < n ? excerpt(stmts[k]) : NULL;
		char *act = k < m ? excerpt(row->statements[k]) : NULL;
		char *msg;
		if (k < n && k < m)
			msg = pgd_xasprintf("migration %s changed after it was applied: "
					    "statement %zu of %zu (line %u) differs from "
					    "the one recorded in %s", mf->name, k + 1, n,
					    line, c->table);
		else if (k < n)
			msg = pgd_xasprintf("migration %s changed after it was applied: "
					    "statement %zu (line %u) was added; %s "
					    "records %zu statement%s", mf->name, k + 1,
					    line, c->table, m, m == 1 ? "" : "s");
		else
			msg = pgd_xasprintf("migration %s changed after it was applied: "
					    "it has %zu statement%s, %s records %zu "
					    "(statement %zu onwards was removed)",
					    mf->name, n, n == 1 ? "" : "s", c->table, m,
					    k + 1);
		struct pgd_finding *x = file_finding(c, PGD_R_MIGRATION_MODIFIED, mf,
						     line, exp ? exp : "(none)",
						     act ? act : "(none)", msg);
		(void)x;
		free(msg);
		free(exp);
		free(act);
	}
	pgd_history_free_split(stmts, n, offs);
	return match;
}

/* Takes text: the Supabase CLI command that settles it, if Supabase. */
static void add_remedy(struct cmp *c, struct pgd_finding *x, char *text)
{
	if (c->supabase)
		x->remediation = text;
	else
		free(text);
}

/* The version's files: set->files[from, to), sorted by name. */
static void compare_version(struct cmp *c, size_t from, size_t to,
			    const char *newest)
{
	struct pgd_migration_file *first = &c->set->files[from];
	const char *version = first->version;
	bool failed;
	const struct pgd_history_row *row = row_for(c, version, &failed);
	size_t nfiles = to - from;
	/* which file the row stands for: by name, else by content */
	struct pgd_migration_file *applied = NULL;
	if (row && nfiles == 1)
		applied = first;
	for (size_t i = from; row && !applied && i < to; i++)
		if (row->name && !strcmp(row->name, c->set->files[i].label))
			applied = &c->set->files[i];
	for (size_t i = from; row && !applied && row->statements && i < to; i++)
		if (compare_statements(c, &c->set->files[i], row, false))
			applied = &c->set->files[i];
	if (nfiles > 1) {
		struct pgd_strbuf names = PGD_STRBUF_INIT;
		for (size_t i = from; i < to; i++) {
			if (i > from)
				pgd_strbuf_addstr(&names, ", ");
			pgd_strbuf_addstr(&names, c->set->files[i].name);
		}
		char *msg;
		if (!row)
			msg = pgd_xasprintf("version %s is shared by %zu files (%s); "
					    "a history table keyed on the version can "
					    "record only one of them", version, nfiles,
					    names.buf);
		else if (applied)
			msg = pgd_xasprintf("version %s is shared by %zu files (%s); "
					    "%s records it once, as %s: the other "
					    "file%s never recorded as applied",
					    version, nfiles, names.buf, c->table,
					    applied->name, nfiles > 2 ? "s are" : " is");
		else
			msg = pgd_xasprintf("version %s is shared by %zu files (%s); "
					    "%s records it once%s%s%s, matching none "
					    "of them", version, nfiles, names.buf,
					    c->table, row->name ? " (name '" : "",
					    row->name ? row->name : "",
					    row->name ? "')" : "");
		for (size_t i = from; i < to; i++) {
			struct pgd_migration_file *mf = &c->set->files[i];
			if (mf == applied)
				continue;
			file_finding(c, PGD_R_MIGRATION_DUPLICATE_VERSION, mf, 1,
				     NULL, NULL, msg);
		}
		free(msg);
		pgd_strbuf_release(&names);
	}
	if (!row) {
		for (size_t i = from; i < to; i++) {
			struct pgd_migration_file *mf = &c->set->files[i];
			if (failed && c->h->kind == PGD_HISTORY_GOLANG_MIGRATE) {
				char *msg = pgd_xasprintf(
					"migration %s (version %s) is marked dirty in %s: "
					"it failed part way and was never completed",
					mf->name, version, c->table);
				struct pgd_finding *x = file_finding(
					c, PGD_R_MIGRATION_UNAPPLIED, mf, 1, "applied",
					"dirty", msg);
				x->severity = PGD_SEV_ERROR;
				free(msg);
			} else if (newest && pgd_migrations_cmp_version(version, newest) < 0) {
				char *msg = pgd_xasprintf(
					"migration %s (version %s) was never applied, but "
					"the newer version %s was: migration runners skip "
					"it%s", mf->name, version, newest,
					failed ? " (its attempt is recorded as failed)" : "");
				struct pgd_finding *x = file_finding(
					c, PGD_R_MIGRATION_OUT_OF_ORDER, mf, 1, "applied",
					"not applied", msg);
				add_remedy(c, x, pgd_xasprintf("supabase db push --include-all  "
					   "# applies %s out of order", version));
				free(msg);
			} else {
				char *msg = pgd_xasprintf(
					"migration %s (version %s) has not been applied%s",
					mf->name, version,
					failed ? " (its attempt is recorded as failed)" : "");
				file_finding(c, PGD_R_MIGRATION_UNAPPLIED, mf, 1,
					     "applied", "not applied", msg);
				free(msg);
			}
		}
		return;
	}
	if (applied && row->statements && c->h->has_statements)
		compare_statements(c, applied, row, true);
}

/* golang-migrate keeps one row: every version up to it is applied. */
static bool cumulative(const struct pgd_history *h)
{
	return h->kind == PGD_HISTORY_GOLANG_MIGRATE;
}

int pgd_history_compare(struct pgd_migration_set *set,
			const struct pgd_history *h,
			const struct pgd_history_options *opts,
			struct pgd_findings *f, struct pgd_diags *diags)
{
	struct cmp c = { set, h, NULL, f, diags, h->table ? h->table
							 : PGD_HISTORY_DEFAULT_TABLE,
			 h->kind == PGD_HISTORY_SUPABASE };
	if (!h->present) {
		struct pgd_finding *x = pgd_findings_add(
			f, PGD_R_MIGRATION_HISTORY_MISSING, c.table, NULL, "present",
			"missing", "the migration history table %s does not exist: "
			"which migrations were applied could not be compared", c.table);
		if (opts && opts->missing_is_error)
			x->severity = PGD_SEV_ERROR;
		return 0;
	}
	size_t errors_before = diags->nerrors;
	for (size_t i = 0; i < set->nfiles; i++)
		pgd_migration_file_load(&set->files[i], diags);
	if (diags->nerrors > errors_before)
		return -1;
	c.sorted = pgd_xcalloc(h->nrows + 1, sizeof(*c.sorted));
	for (size_t i = 0; i < h->nrows; i++)
		c.sorted[i] = &h->rows[i];
	qsort(c.sorted, h->nrows, sizeof(*c.sorted), cmp_row);
	/* the newest applied version */
	const char *newest = NULL;
	for (size_t i = 0; i < h->nrows; i++)
		if (!h->rows[i].failed &&
		    (!newest || pgd_migrations_cmp_version(h->rows[i].version, newest) > 0))
			newest = h->rows[i].version;
	if (cumulative(h)) {
		/* the table keeps versions, not files: shared ones are ambiguous */
		for (size_t i = 1; i < set->nfiles; i++)
			if (!pgd_migrations_cmp_version(set->files[i - 1].version,
							set->files[i].version)) {
				char *msg = pgd_xasprintf(
					"version %s is shared by %s and %s; %s records "
					"versions, not files", set->files[i].version,
					set->files[i - 1].name, set->files[i].name, c.table);
				file_finding(&c, PGD_R_MIGRATION_DUPLICATE_VERSION,
					     &set->files[i], 1, NULL, NULL, msg);
				free(msg);
			}
		/* one row (version, dirty): files up to it are applied */
		const struct pgd_history_row *cur = h->nrows ? &h->rows[0] : NULL;
		for (size_t i = 0; i < set->nfiles; i++) {
			struct pgd_migration_file *mf = &set->files[i];
			int d = cur ? pgd_migrations_cmp_version(mf->version, cur->version) : 1;
			if (d < 0 || (d == 0 && !cur->failed))
				continue;
			char *msg = d == 0
				? pgd_xasprintf("migration %s (version %s) is marked dirty "
						"in %s: it failed part way and was never "
						"completed", mf->name, mf->version, c.table)
				: pgd_xasprintf("migration %s (version %s) has not been "
						"applied", mf->name, mf->version);
			struct pgd_finding *x = file_finding(
				&c, PGD_R_MIGRATION_UNAPPLIED, mf, 1, "applied",
				d == 0 ? "dirty" : "not applied", msg);
			if (d == 0)
				x->severity = PGD_SEV_ERROR;
			free(msg);
		}
	} else {
		for (size_t i = 0; i < set->nfiles;) {
			size_t j = i + 1;
			while (j < set->nfiles &&
			       !pgd_migrations_cmp_version(set->files[i].version,
							   set->files[j].version))
				j++;
			compare_version(&c, i, j, newest);
			i = j;
		}
	}
	/* applied versions no file has */
	for (size_t i = 0; i < h->nrows; i++) {
		const struct pgd_history_row *r = &h->rows[i];
		/* the files are in version order */
		size_t lo = 0, hi = set->nfiles;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (pgd_migrations_cmp_version(set->files[mid].version,
						       r->version) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		bool known = lo < set->nfiles &&
			     !pgd_migrations_cmp_version(set->files[lo].version,
							 r->version);
		if (known || (r->failed && !cumulative(h)))
			continue;
		struct pgd_strbuf obj = PGD_STRBUF_INIT;
		pgd_strbuf_addf(&obj, "version %s", r->version);
		if (r->name && *r->name)
			pgd_strbuf_addf(&obj, " (%s)", r->name);
		struct pgd_finding *x = pgd_findings_add(
			f, PGD_R_MIGRATION_UNKNOWN, obj.buf, NULL, "no such version",
			"applied", "%s records %s as applied, but no migration file "
			"has that version", c.table, obj.buf);
		add_remedy(&c, x, pgd_xasprintf("supabase migration repair --status "
						"reverted %s  # or restore the file",
						r->version));
		pgd_strbuf_release(&obj);
	}
	free(c.sorted);
	return 0;
}

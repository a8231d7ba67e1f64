/*
 * scan.c - walks an application's code folder and records how it reaches
 * the database: Supabase client calls matched on the token stream (lex.c)
 * and SQL literals analysed by libpg_query (normalize's
 * pgd_normalize_sql_refs). Each file is also classified as client code
 * (anon key, browser) or server code (service role), which decides what
 * the checks (check.c) ask of the schema.
 *
 * Memory is bounded by the largest file (PGD_REFS_MAX_FILE) plus what the
 * references themselves take: one read buffer and one token vector serve
 * every file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pgdrift/arena.h"
#include "pgdrift/map.h"
#include "pgdrift/normalize.h"
#include "pgdrift/refs.h"

_Static_assert((int)PGD_OP_SELECT == (int)PGD_SQL_SELECT &&
	       (int)PGD_OP_INSERT == (int)PGD_SQL_INSERT &&
	       (int)PGD_OP_UPDATE == (int)PGD_SQL_UPDATE &&
	       (int)PGD_OP_DELETE == (int)PGD_SQL_DELETE &&
	       (int)PGD_OP_EXECUTE == (int)PGD_SQL_EXECUTE, "command bits agree");

const char *pgd_ops_text(unsigned ops, char buf[64])
{
	static const char *const names[] = { "select", "insert", "update",
					     "delete", "execute" };
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < PGD_ARRAY_SIZE(names); i++)
		if (ops & (1u << i))
			n += (size_t)snprintf(buf + n, 64 - n, "%s%s", n ? ", " : "",
					      names[i]);
	return buf;
}

const char *pgd_side_name(enum pgd_side s)
{
	switch (s) {
	case PGD_SIDE_UNKNOWN: return "unknown";
	case PGD_SIDE_CLIENT: return "client";
	case PGD_SIDE_SERVER: return "server";
	}
	return "?";
}

/* ---- globs */

static bool glob_at(const char *g, const char *p, int depth)
{
	if (depth > 64)
		return false;
	for (; *g; g++, p++) {
		if (*g == '*') {
			bool dbl = g[1] == '*';
			if (dbl) {
				g += 2;
				if (*g == '/') {
					/* '**' + '/': zero or more folders */
					if (glob_at(g + 1, p, depth + 1))
						return true;
				}
				for (const char *q = p; *q; q++)
					if (glob_at(g, q, depth + 1) ||
					    (*q == '/' && glob_at(g, q + 1, depth + 1)))
						return true;
				return !*g;
			}
			g++;
			for (const char *q = p;; q++) {
				if (glob_at(g, q, depth + 1))
					return true;
				if (!*q || *q == '/')
					return false;
			}
		}
		if (!*p)
			return false;
		if (*g == '?') {
			if (*p == '/')
				return false;
			continue;
		}
		if (*g == '[') {
			const char *e = strchr(g + 1, ']');
			if (e) {
				bool neg = g[1] == '!' || g[1] == '^';
				bool hit = false;
				for (const char *c = g + 1 + neg; c < e; c++) {
					if (c + 2 < e && c[1] == '-') {
						hit |= *p >= c[0] && *p <= c[2];
						c += 2;
					} else {
						hit |= *p == *c;
					}
				}
				if (hit == neg)
					return false;
				g = e;
				continue;
			}
		}
		if (*g == '\\' && g[1])
			g++;
		if (*g != *p)
			return false;
	}
	return !*p;
}

bool pgd_refs_glob_match(const char *glob, const char *path)
{
	return glob_at(glob, path, 0);
}

/* ---- .gitignore: the common subset */

struct ign {
	char *pat;   /* without '!', leading and trailing '/' */
	char *base;  /* the folder of its .gitignore, "" or "dir/sub/" */
	bool neg, dironly, anchored;
};

struct igns {
	struct ign *v;
	size_t n, alloc;
};

static void ign_load(struct igns *l, const char *abs_dir, const char *rel)
{
	char *path = pgd_xasprintf("%s/.gitignore", abs_dir);
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (pgd_strbuf_read_file(&sb, path) == 0) {
		char *save = NULL;
		for (char *line = strtok_r(sb.buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			size_t n = strlen(line);
			while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
				line[--n] = '\0';
			if (!n || line[0] == '#')
				continue;
			struct ign g = { 0 };
			if (line[0] == '!') {
				g.neg = true;
				line++;
				n--;
			}
			if (n && line[n - 1] == '/') {
				g.dironly = true;
				line[--n] = '\0';
			}
			if (line[0] == '/') {
				line++;
				n--;
				g.anchored = true;
			}
			if (!n)
				continue;
			if (strchr(line, '/'))
				g.anchored = true;
			g.pat = pgd_xstrdup(line);
			g.base = pgd_xstrdup(rel);
			PGD_GROW(l->v, l->alloc, l->n + 1);
			l->v[l->n++] = g;
		}
	}
	pgd_strbuf_release(&sb);
	free(path);
}

static void ign_pop(struct igns *l, size_t to)
{
	while (l->n > to) {
		l->n--;
		free(l->v[l->n].pat);
		free(l->v[l->n].base);
	}
}

/* rel: the entry's path relative to the code folder */
static bool ignored(const struct igns *l, const char *rel, const char *name,
		    bool is_dir)
{
	bool ign = false;
	for (size_t i = 0; i < l->n; i++) {
		const struct ign *g = &l->v[i];
		if (g->dironly && !is_dir)
			continue;
		size_t bl = strlen(g->base);
		if (strncmp(rel, g->base, bl) != 0)
			continue;
		bool m = g->anchored ? pgd_refs_glob_match(g->pat, rel + bl)
				     : pgd_refs_glob_match(g->pat, name);
		if (m)
			ign = !g->neg;
	}
	return ign;
}

/* ---- classification: who runs a file's calls */

static bool contains_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (!strncasecmp(s + i, needle, k))
			return true;
	return false;
}

static const char *const service_words[] = { "service_role", "servicerole",
	"service_key", "servicekey", "secret_key", "sb_secret_" };
static const char *const anon_words[] = { "anon_key", "anonkey",
	"publishable_key", "publishablekey", "sb_publishable_" };
static const char *const server_dirs[] = { "server", "api", "functions",
	"scripts", "backend", "workers", "cron", "jobs" };
static const char *const client_dirs[] = { "app", "pages", "components", "src",
	"hooks", "client", "frontend", "web", "public", "screens", "views" };

static const char *word_in(const char *s, size_t n, const char *const *words,
			   size_t nwords)
{
	for (size_t i = 0; i < nwords; i++)
		if (contains_ci(s, n, words[i]))
			return words[i];
	return NULL;
}

/* What the keys a file names say: client (anon/publishable key; also when
 * a service key is named too: the calls cannot be told apart), server
 * (service role / secret key), or unknown. Identifiers and strings only. */
static enum pgd_side key_side(const char *src, const struct pgd_tokens *t,
			      const char **why)
{
	const char *svc = NULL, *anon = NULL;
	for (size_t i = 0; i < t->n && !(svc && anon); i++) {
		const struct pgd_token *k = &t->v[i];
		const char *s;
		size_t n;
		if (k->kind == PGD_TOK_IDENT) {
			s = src + k->off;
			n = k->len;
		} else if (k->kind == PGD_TOK_STRING) {
			s = pgd_token_val(t, i);
			n = k->vlen;
		} else {
			continue;
		}
		/* every word below has "key", "role" or "sb_" in it */
		if (n < 6 || !(contains_ci(s, n, "key") || contains_ci(s, n, "role") ||
			       contains_ci(s, n, "sb_")))
			continue;
		if (!svc)
			svc = word_in(s, n, service_words, PGD_ARRAY_SIZE(service_words));
		if (!anon)
			anon = word_in(s, n, anon_words, PGD_ARRAY_SIZE(anon_words));
	}
	if (anon) {
		*why = svc ? "anon and service keys (taken as client)" : "anon key";
		return PGD_SIDE_CLIENT;
	}
	if (svc) {
		*why = "service role key";
		return PGD_SIDE_SERVER;
	}
	return PGD_SIDE_UNKNOWN;
}

/* Who runs a file's calls; *weak when only its name, folders or language
 * said so (then a module it imports that names a key decides instead). */
static enum pgd_side classify(const struct pgd_refs_options *o,
			      struct pgd_arena *a, const char *rel,
			      enum pgd_lang lang, const char *src,
			      const struct pgd_tokens *t, const char **why,
			      bool *weak)
{
	*weak = false;
	for (size_t i = 0; i < o->nclient_globs; i++)
		if (pgd_refs_glob_match(o->client_globs[i], rel)) {
			*why = pgd_arena_strdup(a, o->client_globs[i]);
			return PGD_SIDE_CLIENT;
		}
	for (size_t i = 0; i < o->nserver_globs; i++)
		if (pgd_refs_glob_match(o->server_globs[i], rel)) {
			*why = pgd_arena_strdup(a, o->server_globs[i]);
			return PGD_SIDE_SERVER;
		}
	if (t->n && t->v[0].kind == PGD_TOK_STRING) {
		const char *v = pgd_token_val(t, 0);
		if (!strcmp(v, "use client")) {
			*why = "'use client'";
			return PGD_SIDE_CLIENT;
		}
		if (!strcmp(v, "use server")) {
			*why = "'use server'";
			return PGD_SIDE_SERVER;
		}
	}
	enum pgd_side ks = key_side(src, t, why);
	if (ks != PGD_SIDE_UNKNOWN)
		return ks;
	*weak = true;
	/* folders: any server folder on the path wins over client folders */
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	if (strstr(base, ".server.") || !strncmp(base, "route.", 6) ||
	    !strncmp(base, "middleware.", 11)) {
		*why = "server file name";
		return PGD_SIDE_SERVER;
	}
	enum pgd_side side = PGD_SIDE_UNKNOWN;
	const char *p = rel;
	while (true) {
		const char *slash = strchr(p, '/');
		if (!slash)
			break;
		size_t n = (size_t)(slash - p);
		for (size_t i = 0; i < PGD_ARRAY_SIZE(server_dirs); i++)
			if (strlen(server_dirs[i]) == n && !strncmp(p, server_dirs[i], n)) {
				*why = server_dirs[i];
				return PGD_SIDE_SERVER;
			}
		for (size_t i = 0; i < PGD_ARRAY_SIZE(client_dirs); i++)
			if (side == PGD_SIDE_UNKNOWN && strlen(client_dirs[i]) == n &&
			    !strncmp(p, client_dirs[i], n)) {
				*why = client_dirs[i];
				side = PGD_SIDE_CLIENT;
			}
		p = slash + 1;
	}
	if (side != PGD_SIDE_UNKNOWN)
		return side;
	if (lang == PGD_LANG_DART || lang == PGD_LANG_SWIFT || lang == PGD_LANG_KOTLIN) {
		*why = "mobile app language";
		return PGD_SIDE_CLIENT;
	}
	*why = "nothing says";
	return PGD_SIDE_UNKNOWN;
}

/* ---- matching on the token stream */

struct m {
	const struct pgd_refs_options *o;
	struct pgd_refs_scan *s;
	const struct pgd_tokens *t;
	const char *src;
	enum pgd_lang lang;
	size_t file;   /* index the file will get */
	size_t added;
};

static bool is_punct(const struct m *x, size_t i, const char *p)
{
	if (i >= x->t->n)
		return false;
	const struct pgd_token *k = &x->t->v[i];
	return k->kind == PGD_TOK_PUNCT && k->len == strlen(p) &&
	       !memcmp(x->src + k->off, p, k->len);
}

static bool is_dot(const struct m *x, size_t i)
{
	return is_punct(x, i, ".") || is_punct(x, i, "?.");
}

static bool is_ident(const struct m *x, size_t i, const char *name)
{
	if (i >= x->t->n)
		return false;
	const struct pgd_token *k = &x->t->v[i];
	return k->kind == PGD_TOK_IDENT && k->len == strlen(name) &&
	       !memcmp(x->src + k->off, name, k->len);
}

static bool ident_in(const struct m *x, size_t i, const char *const *names,
		     size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (is_ident(x, i, names[k]))
			return true;
	return false;
}

/* A constant string: a literal without substitutions, not bytes. */
static bool const_str(const struct m *x, size_t i)
{
	if (i >= x->t->n)
		return false;
	const struct pgd_token *k = &x->t->v[i];
	return (k->kind == PGD_TOK_STRING || k->kind == PGD_TOK_TEMPLATE) &&
	       !k->nsubst && k->prefix != 'b' && k->vlen > 0;
}

/* How far the matcher looks for a matching parenthesis: a chain spans a
 * few hundred tokens; an unbalanced file must not make matching quadratic. */
#define MAX_SPAN 20000

static size_t close_of(const struct m *x, size_t open)
{
	int d = 0;
	size_t end = x->t->n - open > MAX_SPAN ? open + MAX_SPAN : x->t->n;
	for (size_t i = open; i < end; i++) {
		if (is_punct(x, i, "("))
			d++;
		else if (is_punct(x, i, ")") && --d == 0)
			return i;
	}
	return x->t->n;
}

static size_t open_of(const struct m *x, size_t close)
{
	int d = 0;
	size_t stop = close > MAX_SPAN ? close - MAX_SPAN : 0;
	for (size_t i = close + 1; i-- > stop;) {
		if (is_punct(x, i, ")"))
			d++;
		else if (is_punct(x, i, "(") && --d == 0)
			return i;
	}
	return (size_t)-1;
}

static void add(struct m *x, enum pgd_ref_kind kind, enum pgd_ref_via via,
		const char *schema, const char *name, unsigned ops, unsigned line)
{
	struct pgd_refs_scan *s = x->s;
	PGD_GROW(s->refs, s->arefs, s->nrefs + 1);
	struct pgd_ref *r = &s->refs[s->nrefs++];
	r->kind = kind;
	r->via = via;
	r->schema = schema ? pgd_arena_strdup(s->arena, schema) : NULL;
	r->name = pgd_arena_strdup(s->arena, name);
	r->ops = ops;
	r->file = x->file;
	r->line = line;
	x->added++;
}

/* The commands a supabase chain issues after its .from(...) at close. */
static unsigned chain_ops(const struct m *x, size_t j)
{
	static const char *const stop[] = { "from", "from_", "rpc", "table",
					    "schema", "storage" };
	unsigned ops = 0;
	while (j < x->t->n) {
		if (is_punct(x, j, "!")) {
			j++;
			continue;
		}
		if (!is_dot(x, j) || j + 1 >= x->t->n ||
		    x->t->v[j + 1].kind != PGD_TOK_IDENT)
			break;
		size_t k = j + 2;
		if (is_punct(x, k, "<")) { /* TypeScript type arguments */
			int d = 0;
			for (; k < x->t->n; k++) {
				if (is_punct(x, k, "<"))
					d++;
				else if (is_punct(x, k, ">") && --d == 0)
					break;
			}
			k++;
		}
		if (!is_punct(x, k, "("))
			break;
		if (ident_in(x, j + 1, stop, PGD_ARRAY_SIZE(stop)))
			break;
		if (is_ident(x, j + 1, "select"))
			ops |= PGD_OP_SELECT;
		else if (is_ident(x, j + 1, "insert"))
			ops |= PGD_OP_INSERT;
		else if (is_ident(x, j + 1, "upsert"))
			ops |= PGD_OP_INSERT | PGD_OP_UPDATE;
		else if (is_ident(x, j + 1, "update"))
			ops |= PGD_OP_UPDATE;
		else if (is_ident(x, j + 1, "delete"))
			ops |= PGD_OP_DELETE;
		j = close_of(x, k) + 1;
	}
	return ops;
}

/* Methods whose result is a query builder of another library (knex,
 * kysely, drizzle): a .from() after one of them is not supabase's. */
static const char *const builder_methods[] = { "select", "selectFrom",
	"distinct", "count", "where", "join", "with", "withSchema", "delete",
	"update", "insert", "into", "columns", "column" };

static void match_call(struct m *x, size_t i)
{
	/* x->t->v[i] is '.' or '?.', i + 1 the method name */
	bool py = x->lang == PGD_LANG_PYTHON;
	bool from = is_ident(x, i + 1, "from") || is_ident(x, i + 1, "from_");
	bool table = py && is_ident(x, i + 1, "table");
	bool rpc = is_ident(x, i + 1, "rpc");
	if (!(from || table || rpc) || !is_punct(x, i + 2, "(") || !const_str(x, i + 3))
		return;
	/* .from('t') takes one argument; .rpc('fn', args) more */
	if (!is_punct(x, i + 4, ")") && !(rpc && is_punct(x, i + 4, ",")))
		return;
	const char *name = pgd_token_val(x->t, i + 3);
	unsigned line = x->t->v[i + 3].line;
	const char *schema = NULL;
	if (i == 0)
		return;
	size_t recv = i - 1;
	const struct pgd_token *rk = &x->t->v[recv];
	if (from && is_ident(x, recv, "storage")) {
		add(x, PGD_REF_BUCKET, PGD_VIA_API, NULL, name, 0, line);
		return;
	}
	if (rk->kind == PGD_TOK_IDENT && rk->len && x->src[rk->off] >= 'A' &&
	    x->src[rk->off] <= 'Z' && (recv == 0 || !is_dot(x, recv - 1)))
		return; /* Array.from('x'), Buffer.from('x'), Query.from_('t') */
	if (is_punct(x, recv, ")")) {
		size_t open = open_of(x, recv);
		if (open == (size_t)-1)
			return;
		if (open < 2) {
			/* (await createClient()).from(...) */
		} else if (is_ident(x, open - 1, "schema") && is_dot(x, open - 2)) {
			if (!const_str(x, open + 1) || !is_punct(x, open + 2, ")"))
				return;
			schema = pgd_token_val(x->t, open + 1);
		} else if (is_dot(x, open - 2) &&
			   ident_in(x, open - 1, builder_methods,
				    PGD_ARRAY_SIZE(builder_methods))) {
			return;
		}
	}
	if (rpc) {
		add(x, PGD_REF_FUNCTION, PGD_VIA_API, schema, name, PGD_OP_EXECUTE, line);
		return;
	}
	size_t close = close_of(x, i + 2);
	add(x, PGD_REF_TABLE, PGD_VIA_API, schema, name, chain_ops(x, close + 1), line);
}

/* Whether a literal's text starts like a data statement. */
static bool looks_sql(const char *v)
{
	static const char *const kw[] = { "select", "insert", "update", "delete",
					  "with" };
	while (*v == ' ' || *v == '\n' || *v == '\t' || *v == '\r' || *v == '(')
		v++;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(kw); i++) {
		size_t n = strlen(kw[i]);
		if (!strncasecmp(v, kw[i], n) &&
		    (v[n] == ' ' || v[n] == '\n' || v[n] == '\t' || v[n] == '\r'))
			return true;
	}
	return false;
}

/* Driver placeholders PostgreSQL does not parse (%s, %(name)s, ?, :name)
 * become $1; quoted text is left alone. Caller frees. */
static char *placeholders(const char *v)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	char q = 0;
	for (const char *p = v; *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
			pgd_strbuf_addch(&sb, *p);
			continue;
		}
		if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (p[0] == '%' && p[1] == 's') {
			pgd_strbuf_addstr(&sb, "$1");
			p++;
			continue;
		} else if (p[0] == '%' && p[1] == '(') {
			const char *e = strchr(p, ')');
			if (e && e[1] == 's') {
				pgd_strbuf_addstr(&sb, "$1");
				p = e + 1;
				continue;
			}
		} else if (*p == '?') {
			pgd_strbuf_addstr(&sb, "$1");
			continue;
		} else if (*p == ':' && p[1] != ':' && (p == v || p[-1] != ':') &&
			   ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') ||
			    p[1] == '_')) {
			pgd_strbuf_addstr(&sb, "$1");
			p++;
			while (p[1] && ((p[1] >= 'a' && p[1] <= 'z') ||
					(p[1] >= 'A' && p[1] <= 'Z') ||
					(p[1] >= '0' && p[1] <= '9') || p[1] == '_'))
				p++;
			continue;
		}
		pgd_strbuf_addch(&sb, *p);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static void match_sql(struct m *x, size_t i)
{
	const struct pgd_token *k = &x->t->v[i];
	bool tagged = k->kind == PGD_TOK_TEMPLATE && i > 0 &&
		      (is_ident(x, i - 1, "sql") || is_ident(x, i - 1, "SQL"));
	const char *v = pgd_token_val(x->t, i);
	if (!tagged && !looks_sql(v))
		return;
	struct pgd_sql_refs r = { 0 };
	char *alt = NULL;
	const char *text = v;
	if (pgd_normalize_sql_refs(v, &r) < 0) {
		alt = placeholders(v);
		text = alt;
		if (pgd_normalize_sql_refs(alt, &r) < 0) {
			x->s->sql_unparsed++;
			free(alt);
			return;
		}
	}
	x->s->sql_parsed++;
	for (size_t j = 0; j < r.n; j++) {
		const struct pgd_sql_ref *e = &r.v[j];
		if (!strncmp(e->name, "pg_", 3) ||
		    (e->schema && (!strcmp(e->schema, "pg_catalog") ||
				   !strcmp(e->schema, "information_schema"))))
			continue;
		unsigned line = k->line;
		for (size_t c = 0; c < e->location && text[c]; c++)
			line += text[c] == '\n';
		add(x, e->kind == 'f' ? PGD_REF_FUNCTION : PGD_REF_TABLE, PGD_VIA_SQL,
		    e->schema, e->name, e->cmd, line);
	}
	pgd_sql_refs_release(&r);
	free(alt);
}

/* ---- imports: a file judged by its folders alone takes the side of a
 * module it imports that names a key (lib/supabase.ts with the anon key) */

struct keyed {
	enum pgd_side side;
	const char *why;
	const char *rel;
};

static bool js_ext(const char *dot)
{
	static const char *const ext[] = { ".js", ".jsx", ".mjs", ".cjs", ".ts",
					   ".tsx", ".mts", ".cts" };
	for (size_t i = 0; i < PGD_ARRAY_SIZE(ext); i++)
		if (!strcmp(dot, ext[i]))
			return true;
	return false;
}

/* rel without its JS extension, and "dir" for "dir/index.ts" */
static char *module_of(struct pgd_arena *a, const char *rel)
{
	const char *dot = strrchr(rel, '.');
	const char *slash = strrchr(rel, '/');
	size_t n = dot && (!slash || dot > slash) && js_ext(dot)
		   ? (size_t)(dot - rel) : strlen(rel);
	if (n >= 6 && !strncmp(rel + n - 6, "/index", 6))
		n -= 6;
	return pgd_arena_strndup(a, rel, n);
}

/* Joins dir (ending in '/' or empty) and a relative spec, resolving "."
 * and ".."; NULL when it climbs out of the code folder. Caller frees. */
static char *join_path(const char *dir, const char *spec)
{
	char *all = pgd_xasprintf("%s%s", dir, spec);
	char **parts = NULL;
	size_t n = 0, alloc = 0;
	bool out = false;
	char *save = NULL;
	for (char *p = strtok_r(all, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (!strcmp(p, "."))
			continue;
		if (!strcmp(p, "..")) {
			if (!n)
				out = true;
			else
				n--;
			continue;
		}
		PGD_GROW(parts, alloc, n + 1);
		parts[n++] = p;
	}
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		pgd_strbuf_addf(&sb, "%s%s", i ? "/" : "", parts[i]);
	free(parts);
	free(all);
	if (out) {
		pgd_strbuf_release(&sb);
		return NULL;
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static void add_import(struct pgd_refs_scan *s, struct pgd_ref_file *f,
		       const char *cand)
{
	char *mod = module_of(s->arena, cand);
	const char **v = pgd_arena_alloc(s->arena, (f->nimports + 1) * sizeof(*v));
	PGD_COPY(v, f->imports, f->nimports * sizeof(*v));
	v[f->nimports++] = mod;
	f->imports = v;
}

/* import ... from 'x', import 'x', export ... from 'x', require('x'),
 * import('x'): the local ones, as module paths under the code folder */
static void collect_imports(struct pgd_refs_scan *s, struct pgd_ref_file *f,
			    const struct m *x)
{
	const char *slash = strrchr(f->rel, '/');
	char *dir = pgd_xstrndup(f->rel, slash ? (size_t)(slash - f->rel) + 1 : 0);
	for (size_t i = 1; i < x->t->n && f->nimports < 64; i++) {
		if (!const_str(x, i))
			continue;
		bool imp = is_ident(x, i - 1, "from") || is_ident(x, i - 1, "import") ||
			   (i >= 2 && is_punct(x, i - 1, "(") &&
			    (is_ident(x, i - 2, "require") || is_ident(x, i - 2, "import")));
		if (!imp)
			continue;
		const char *spec = pgd_token_val(x->t, i);
		if (!strncmp(spec, "./", 2) || !strncmp(spec, "../", 3)) {
			char *p = join_path(dir, spec);
			if (p)
				add_import(s, f, p);
			free(p);
		} else if (!strncmp(spec, "@/", 2) || !strncmp(spec, "~/", 2)) {
			char *p = pgd_xasprintf("src/%s", spec + 2);
			add_import(s, f, p);
			free(p);
			add_import(s, f, spec + 2);
		}
	}
	free(dir);
}

void pgd_refs_scan_finish(struct pgd_refs_scan *s)
{
	if (!s->keyed)
		return;
	for (size_t i = 0; i < s->nfiles; i++) {
		struct pgd_ref_file *f = &s->files[i];
		for (size_t k = 0; k < f->nimports; k++) {
			const struct keyed *kd = pgd_map_get(s->keyed, f->imports[k],
							     strlen(f->imports[k]));
			if (!kd)
				continue;
			char *why = pgd_xasprintf("imports %s (%s)", kd->rel, kd->why);
			f->side = kd->side;
			f->why = pgd_arena_strdup(s->arena, why);
			free(why);
			break;
		}
	}
}

size_t pgd_refs_scan_text(const struct pgd_refs_options *o,
			  struct pgd_refs_scan *s, const char *rel,
			  const char *text, size_t len)
{
	enum pgd_lang lang = pgd_lang_of_path(rel);
	if (lang == PGD_LANG_NONE)
		return 0;
	if (!s->arena)
		s->arena = pgd_arena_new();
	struct pgd_tokens *tp = &s->scratch;
	pgd_tokenize(lang, text, len, tp);
	const struct pgd_tokens t = *tp;
	struct m x = { o, s, tp, text, lang, s->nfiles, 0 };
	for (size_t i = 0; i < t.n; i++) {
		const struct pgd_token *k = &t.v[i];
		if (k->kind == PGD_TOK_PUNCT && is_dot(&x, i))
			match_call(&x, i);
		else if (k->kind == PGD_TOK_STRING || k->kind == PGD_TOK_TEMPLATE)
			match_sql(&x, i);
	}
	/* a JS/TS module that names a key tells its importers who they run
	 * as (pgd_refs_scan_finish) */
	if (lang == PGD_LANG_JS) {
		const char *kwhy;
		enum pgd_side ks = key_side(text, &t, &kwhy);
		if (ks != PGD_SIDE_UNKNOWN) {
			if (!s->keyed)
				s->keyed = pgd_map_new();
			struct keyed *kd = pgd_arena_alloc(s->arena, sizeof(*kd));
			kd->side = ks;
			kd->why = kwhy;
			kd->rel = pgd_arena_strdup(s->arena, rel);
			char *mod = module_of(s->arena, rel);
			if (!pgd_map_get(s->keyed, mod, strlen(mod)))
				pgd_map_put(s->keyed, mod, strlen(mod), kd);
		}
	}
	if (x.added) {
		PGD_GROW(s->files, s->afiles, s->nfiles + 1);
		struct pgd_ref_file *f = &s->files[s->nfiles++];
		memset(f, 0, sizeof(*f));
		const char *dir = o->code_dir;
		if (!dir || !*dir || !strcmp(dir, ".")) {
			f->path = pgd_arena_strdup(s->arena, rel);
		} else {
			size_t dl = strlen(dir);
			while (dl > 1 && dir[dl - 1] == '/')
				dl--;
			char *p = pgd_xasprintf("%.*s/%s", (int)dl, dir, rel);
			f->path = pgd_arena_strdup(s->arena, p);
			free(p);
		}
		f->rel = pgd_arena_strdup(s->arena, rel);
		f->lang = lang;
		bool weak;
		f->side = classify(o, s->arena, rel, lang, text, &t, &f->why, &weak);
		if (weak && lang == PGD_LANG_JS)
			collect_imports(s, f, &x);
	}
	s->scanned++;
	return x.added;
}

/* ---- the walk */

/* Folders never scanned: dependencies, build output, tool state. */
static const char *const skip_dirs[] = { "node_modules", ".git", "dist", "build",
	".next", ".nuxt", ".svelte-kit", ".output", "out", "target", "coverage",
	"__pycache__", ".venv", "venv", ".dart_tool", "Pods", ".turbo",
	".vercel" };

static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if (!c)
				return false; /* NUL: binary */
			i++;
			continue;
		}
		size_t k;
		if (c >= 0xc2 && c <= 0xdf)
			k = 1;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3;
		else
			return false;
		if (i + k >= n)
			return false;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

/* A skipped file; unreadable ones (errors) make the scan incomplete. */
static void note_at(struct pgd_refs_scan *s, enum pgd_diag_level level,
		    const char *path, const char *why)
{
	if (level == PGD_DIAG_ERROR)
		s->incomplete = true;
	if (s->notes.n >= PGD_REFS_MAX_NOTES) {
		s->notes_dropped++;
		return;
	}
	pgd_diags_add_path(&s->notes, level, path, "skipped: %s", why);
}

static void note(struct pgd_refs_scan *s, const char *path, const char *why)
{
	note_at(s, PGD_DIAG_NOTE, path, why);
}

static void unreadable(struct pgd_refs_scan *s, const char *path, const char *why)
{
	note_at(s, PGD_DIAG_ERROR, path, why);
}

struct walker {
	const struct pgd_refs_options *o;
	struct pgd_refs_scan *s;
	struct igns igns;
	struct pgd_strbuf buf;
	size_t unsupported[12]; /* per unsupported_ext */
};

/* Code in languages the scanner does not read: counted per extension and
 * reported once each, since their calls are not seen. */
static const char *const unsupported_ext[] = { ".vue", ".svelte", ".astro",
	".rb", ".go", ".java", ".php", ".rs", ".cs", ".ex", ".exs", ".scala" };

_Static_assert(PGD_ARRAY_SIZE(unsupported_ext) == 12, "walker.unsupported");

static void count_unsupported(struct walker *w, const char *name)
{
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < PGD_ARRAY_SIZE(unsupported_ext); i++)
		if (!strcmp(dot, unsupported_ext[i]))
			w->unsupported[i]++;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static void scan_file(struct walker *w, const char *abs, const char *rel)
{
	struct pgd_refs_scan *s = w->s;
	int fd = open(abs, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		unreadable(s, abs, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if ((size_t)st.st_size > PGD_REFS_MAX_FILE) {
		note(s, abs, "larger than 4 MiB (generated or bundled code?)");
		close(fd);
		return;
	}
	pgd_strbuf_reset(&w->buf);
	pgd_strbuf_grow(&w->buf, (size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, w->buf.buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		unreadable(s, abs, "short read");
		return;
	}
	pgd_strbuf_setlen(&w->buf, got);
	if (!valid_utf8((const unsigned char *)w->buf.buf, got)) {
		note(s, abs, "not UTF-8 text");
		return;
	}
	pgd_refs_scan_text(w->o, s, rel, w->buf.buf, got);
}

static void walk(struct walker *w, const char *abs, const char *rel, int depth)
{
	DIR *d = opendir(abs);
	if (!d) {
		unreadable(w->s, abs, strerror(errno));
		return;
	}
	size_t mark = w->igns.n;
	ign_load(&w->igns, abs, rel);
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* the entry's type first (readdir usually knows it, which
		 * saves an lstat per file), then its name */
		char t = de->d_type == DT_DIR ? 'd' : de->d_type == DT_REG ? 'f' : '?';
		PGD_GROW(names, alloc, n + 1);
		names[n++] = pgd_xasprintf("%c%s", t, de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		const char *name = names[i] + 1;
		char *cabs = pgd_xasprintf("%s/%s", abs, name);
		char *crel = pgd_xasprintf("%s%s", rel, name);
		struct stat st;
		bool is_dir = names[i][0] == 'd', is_file = names[i][0] == 'f';
		if (names[i][0] == '?' && lstat(cabs, &st) == 0) {
			is_dir = S_ISDIR(st.st_mode);
			is_file = S_ISREG(st.st_mode);
			/* a symlinked file is read; a symlinked folder is not
			 * followed (cycles) */
			if (S_ISLNK(st.st_mode) && stat(cabs, &st) == 0)
				is_file = S_ISREG(st.st_mode);
		}
		bool skip = false;
		if (is_dir)
			for (size_t k = 0; k < PGD_ARRAY_SIZE(skip_dirs); k++)
				skip |= !strcmp(name, skip_dirs[k]);
		if (!skip && (is_dir || is_file))
			skip = ignored(&w->igns, crel, name, is_dir);
		if (skip) {
			w->s->ignored++;
		} else if (is_dir && depth < 64) {
			char *sub = pgd_xasprintf("%s/", crel);
			walk(w, cabs, sub, depth + 1);
			free(sub);
		} else if (is_file) {
			if (pgd_lang_of_path(name) == PGD_LANG_NONE) {
				w->s->not_code++;
				count_unsupported(w, name);
			} else {
				scan_file(w, cabs, crel);
			}
		}
		free(cabs);
		free(crel);
		free(names[i]);
	}
	free(names);
	ign_pop(&w->igns, mark);
}

int pgd_refs_scan_dir(const struct pgd_refs_options *o,
		      struct pgd_refs_scan *out, struct pgd_error *err)
{
	struct stat st;
	if (!o->code_dir || stat(o->code_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		pgd_error_set(err, PGD_EXIT_USAGE, "--code %s: %s", o->code_dir ? o->code_dir : "",
			      o->code_dir && stat(o->code_dir, &st) == 0
			      ? "not a folder" : strerror(errno));
		return -1;
	}
	if (!out->arena)
		out->arena = pgd_arena_new();
	struct walker w = { o, out, { NULL, 0, 0 }, PGD_STRBUF_INIT, { 0 } };
	size_t dl = strlen(o->code_dir);
	while (dl > 1 && o->code_dir[dl - 1] == '/')
		dl--;
	char *root = pgd_xstrndup(o->code_dir, dl);
	walk(&w, root, "", 0);
	free(root);
	ign_pop(&w.igns, 0);
	free(w.igns.v);
	pgd_strbuf_release(&w.buf);
	for (size_t i = 0; i < PGD_ARRAY_SIZE(unsupported_ext); i++) {
		if (!w.unsupported[i])
			continue;
		char *why = pgd_xasprintf("%zu %s file%s (a language pgdrift does "
					  "not scan: their calls are not checked)",
					  w.unsupported[i], unsupported_ext[i],
					  w.unsupported[i] == 1 ? "" : "s");
		note(out, o->code_dir, why);
		free(why);
	}
	pgd_refs_scan_finish(out);
	return out->incomplete ? 1 : 0;
}

void pgd_refs_scan_release(struct pgd_refs_scan *s)
{
	pgd_arena_free(s->arena);
	free(s->refs);
	free(s->files);
	pgd_diags_release(&s->notes);
	pgd_tokens_release(&s->scratch);
	if (s->keyed)
		pgd_map_free(s->keyed);
	memset(s, 0, sizeof(*s));
}

/*
 * expr.c - values and expressions: constants, casts (text, integers,
 * boolean, name, regclass & co), operators, the string, array and catalog
 * functions migrations use to build DDL, and sub-selects (query.c).
 * Values live in the evaluation's arena (ev.h).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ev.h"
#include "pgdrift/srcfile.h"

/* ---- stopping */

static unsigned cur_line(struct ev_ctx *c)
{
	if (c->fr && c->fr->body_line && c->fr->cur)
		return c->fr->body_line + c->fr->cur - 1;
	return c->ev->stmt_line;
}

enum ev_stop ev_error(struct ev_ctx *c, const char *sqlstate, const char *fmt, ...)
{
	struct pgd_eval *ev = c->ev;
	va_list ap;
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	va_start(ap, fmt);
	pgd_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(ev->msg);
	ev->msg = pgd_strbuf_detach(&sb, NULL);
	snprintf(ev->sqlstate, sizeof(ev->sqlstate), "%s", sqlstate);
	ev->err_partial = false;
	ev->construct = NULL;
	ev->line = cur_line(c);
	return EV_ERROR;
}

enum ev_stop ev_unsupported(struct ev_ctx *c, const char *construct,
			    const char *fmt, ...)
{
	struct pgd_eval *ev = c->ev;
	va_list ap;
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	va_start(ap, fmt);
	pgd_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(ev->msg);
	ev->msg = pgd_strbuf_detach(&sb, NULL);
	ev->sqlstate[0] = '\0';
	ev->construct = construct;
	ev->line = cur_line(c);
	return EV_UNSUPPORTED;
}

enum ev_stop ev_step(struct ev_ctx *c)
{
	struct pgd_eval *ev = c->ev;
	if (++ev->steps > ev->lim.steps)
		return ev_unsupported(c, "step limit", "more than %lu evaluation "
				      "steps", ev->lim.steps);
	if (pgd_arena_used(ev->arena) > ev->lim.memory)
		return ev_unsupported(c, "memory limit", "more than %zu bytes of "
				      "values", ev->lim.memory);
	return EV_OK;
}

/* ---- values */

void *ev_alloc(struct pgd_eval *ev, size_t n)
{
	return pgd_arena_alloc(ev->arena, n ? n : 1);
}

const char *ev_strdup(struct pgd_eval *ev, const char *s)
{
	return s ? pgd_arena_strdup(ev->arena, s) : NULL;
}

struct ev_val ev_null(void)
{
	struct ev_val v = { 0 };
	v.k = EV_NULL;
	return v;
}

struct ev_val ev_text(struct pgd_eval *ev, const char *s)
{
	struct ev_val v = { 0 };
	if (!s)
		return v;
	v.k = EV_TEXT;
	v.type = "text";
	v.s = ev_strdup(ev, s);
	return v;
}

static struct ev_val text_take(struct pgd_eval *ev, struct pgd_strbuf *sb)
{
	struct ev_val v = ev_text(ev, sb->buf);
	pgd_strbuf_release(sb);
	return v;
}

struct ev_val ev_int(int64_t i)
{
	struct ev_val v = { 0 };
	v.k = EV_INT;
	v.type = "int4";
	v.i = i;
	return v;
}

struct ev_val ev_bool(bool b)
{
	struct ev_val v = { 0 };
	v.k = EV_BOOL;
	v.type = "bool";
	v.b = b;
	return v;
}

int64_t ev_oid(struct pgd_eval *ev, const char *kind, const char *schema,
	       const char *name)
{
	char *key = pgd_xasprintf("%s:%s.%s", kind, schema ? schema : "",
				  name ? name : "");
	void *p = pgd_map_get(ev->oids, key, strlen(key));
	int64_t oid;
	if (p) {
		oid = (int64_t)(intptr_t)p;
	} else {
		oid = ev->next_oid++;
		const char *k = pgd_arena_strdup(ev->keys, key);
		pgd_map_put(ev->oids, k, strlen(k), (void *)(intptr_t)oid);
	}
	free(key);
	return oid;
}

const char *const *ev_search_path(struct pgd_eval *ev, size_t *n)
{
	*n = 0;
	if (!ev->host.search_path)
		return NULL;
	return ev->host.search_path(ev->host.arg, n);
}

const char *ev_str(const PgQuery__Node *n)
{
	if (n && n->node_case == PG_QUERY__NODE__NODE_STRING)
		return n->string->sval;
	return NULL;
}

/* ---- object names: "a.b", "\"A\".b" as PostgreSQL's parser reads them */

static size_t split_qualified(struct pgd_eval *ev, const char *s, const char **parts,
			      size_t max)
{
	size_t n = 0;
	const char *p = s;
	while (*p == ' ')
		p++;
	for (;;) {
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"') {
					if (p[1] != '"')
						break;
					p++;
				}
				pgd_strbuf_addch(&sb, *p);
			}
			if (*p != '"') {
				pgd_strbuf_release(&sb);
				return 0;
			}
			p++;
		} else {
			for (; *p && *p != '.' && *p != ' ' && *p != '(' ; p++)
				pgd_strbuf_addch(&sb, tolower((unsigned char)*p));
		}
		if (!sb.len || n == max) {
			pgd_strbuf_release(&sb);
			return 0;
		}
		parts[n++] = ev_strdup(ev, sb.buf);
		pgd_strbuf_release(&sb);
		while (*p == ' ')
			p++;
		if (*p == '.') {
			p++;
			continue;
		}
		break;
	}
	if (*p && *p != '(')
		return 0;
	return n;
}

static const char *const builtin_schemas[] = {
	"pg_catalog", "information_schema", "public", "pg_toast",
};


static bool namespace_exists(struct pgd_eval *ev, const char *name)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(builtin_schemas); i++)
		if (!strcmp(builtin_schemas[i], name))
			return true;
	size_t np;
	const char *const *ps = pgd_platform_preexisting_schemas(&np);
	for (size_t i = 0; i < np; i++)
		if (!strcmp(ps[i], name))
			return true;
	return pgd_schema_find_namespace(ev->host.model, name) != NULL;
}

/* Built-in type names: the name format_type() prints for each spelling. */
static const char *const builtin_types[][2] = {
	{ "int", "integer" }, { "int4", "integer" }, { "integer", "integer" },
	{ "int8", "bigint" }, { "bigint", "bigint" }, { "int2", "smallint" },
	{ "smallint", "smallint" }, { "text", "text" }, { "varchar", "character varying" },
	{ "character varying", "character varying" }, { "bool", "boolean" },
	{ "boolean", "boolean" }, { "uuid", "uuid" }, { "jsonb", "jsonb" },
	{ "json", "json" }, { "timestamptz", "timestamp with time zone" },
	{ "timestamp", "timestamp without time zone" }, { "date", "date" },
	{ "numeric", "numeric" }, { "name", "name" }, { "bytea", "bytea" },
	{ "regclass", "regclass" }, { "float8", "double precision" },
	{ "double precision", "double precision" }, { "real", "real" },
	{ "float4", "real" }, { "inet", "inet" }, { "interval", "interval" },
	{ "oid", "oid" }, { "char", "character" }, { "time", "time without time zone" },
	{ "timestamp with time zone", "timestamp with time zone" },
	{ "void", "void" }, { "record", "record" }, { "trigger", "trigger" },
};

static const char *builtin_type(const char *s)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(builtin_types); i++)
		if (!strcmp(builtin_types[i][0], s))
			return builtin_types[i][1];
	return NULL;
}

/* The first schema of the search_path holding an object found by fn. */
typedef bool (*ev_exists_fn)(struct pgd_eval *ev, const char *schema,
			     const char *name);

static bool rel_exists(struct pgd_eval *ev, const char *schema, const char *name)
{
	if (pgd_schema_find_rel(ev->host.model, schema, name))
		return true;
	size_t np;
	const struct pgd_platform_rel *pt = pgd_platform_preexisting_tables(&np);
	for (size_t i = 0; i < np; i++)
		if (!strcmp(pt[i].schema, schema) && !strcmp(pt[i].name, name))
			return true;
	return false;
}

static bool type_exists(struct pgd_eval *ev, const char *schema, const char *name)
{
	return pgd_schema_find_type(ev->host.model, schema, name) ||
	       pgd_schema_find_table(ev->host.model, schema, name) ||
	       pgd_schema_find_view(ev->host.model, schema, name);
}

static bool func_exists(struct pgd_eval *ev, const char *schema, const char *name)
{
	return pgd_schema_find_function_name(ev->host.model, schema, name) != NULL;
}

static const char *resolve_schema(struct pgd_eval *ev, const char *name,
				  ev_exists_fn fn)
{
	size_t n;
	const char *const *sp = ev_search_path(ev, &n);
	for (size_t i = 0; i < n; i++)
		if (fn(ev, sp[i], name))
			return sp[i];
	return NULL;
}

/* Text -> a reg* value. missing_ok: NULL (to_regclass) instead of an
 * error. */
static enum ev_stop to_reg(struct ev_ctx *c, const char *text, const char *type,
			   bool missing_ok, struct ev_val *out)
{
	struct pgd_eval *ev = c->ev;
	const char *parts[3];
	size_t np = split_qualified(ev, text, parts, 3);
	*out = ev_null();
	if (!np || np > 2) {
		if (missing_ok && np)
			return EV_OK;
		return ev_error(c, "42602", "invalid name syntax");
	}
	const char *schema = np == 2 ? parts[0] : NULL, *name = parts[np - 1];
	struct ev_val v = { 0 };
	v.k = EV_REG;
	v.type = type;
	v.s = name;
	if (!strcmp(type, "regnamespace")) {
		if (np != 1 || !namespace_exists(ev, name))
			goto missing;
		v.i = ev_oid(ev, "n", NULL, name);
		*out = v;
		return EV_OK;
	}
	ev_exists_fn fn = !strcmp(type, "regclass") ? rel_exists
			  : !strcmp(type, "regtype") ? type_exists : func_exists;
	if (!strcmp(type, "regtype") && !schema && builtin_type(name)) {
		v.s = builtin_type(name);
		v.i = ev_oid(ev, "t", "pg_catalog", v.s);
		*out = v;
		return EV_OK;
	}
	if (!schema)
		schema = resolve_schema(ev, name, fn);
	else if (!fn(ev, schema, name))
		schema = NULL;
	if (!schema)
		goto missing;
	v.schema = schema;
	v.i = ev_oid(ev, !strcmp(type, "regclass") ? "r" : !strcmp(type, "regtype")
			 ? "t" : "p", schema, name);
	if (!strcmp(type, "regprocedure")) {
		const struct pgd_function *f =
			pgd_schema_find_function_name(ev->host.model, schema, name);
		v.extra = ev_strdup(ev, f && f->args ? f->args : "");
	}
	*out = v;
	return EV_OK;
missing:
	if (missing_ok)
		return EV_OK;
	if (!strcmp(type, "regclass"))
		return ev_error(c, "42P01", "relation \"%s\" does not exist", text);
	if (!strcmp(type, "regtype"))
		return ev_error(c, "42704", "type \"%s\" does not exist", text);
	if (!strcmp(type, "regnamespace"))
		return ev_error(c, "3F000", "schema \"%s\" does not exist", text);
	return ev_error(c, "42883", "function \"%s\" does not exist", text);
}

/* A reg* value as PostgreSQL prints it under the current search_path. */
static const char *reg_text(struct ev_ctx *c, const struct ev_val *v)
{
	struct pgd_eval *ev = c->ev;
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	bool qualify = false;
	if (v->schema) {
		ev_exists_fn fn = !strcmp(v->type, "regclass") ? rel_exists
				  : !strcmp(v->type, "regtype") ? type_exists
				  : func_exists;
		const char *vis = resolve_schema(ev, v->s, fn);
		qualify = !vis || strcmp(vis, v->schema) != 0;
	}
	if (qualify) {
		pgd_strbuf_add_ident(&sb, v->schema);
		pgd_strbuf_addch(&sb, '.');
	}
	if (!strcmp(v->type, "regtype") && !v->schema)
		pgd_strbuf_addstr(&sb, v->s);
	else
		pgd_strbuf_add_ident(&sb, v->s);
	if (!strcmp(v->type, "regprocedure"))
		pgd_strbuf_addf(&sb, "(%s)", v->extra ? v->extra : "");
	const char *res = ev_strdup(ev, sb.buf);
	pgd_strbuf_release(&sb);
	return res;
}

static bool array_elem_needs_quotes(const char *s)
{
	if (!*s || !strcasecmp(s, "null"))
		return true;
	for (; *s; s++)
		if (strchr("{}\",\\ \t\n", *s))
			return true;
	return false;
}

const char *ev_to_text(struct ev_ctx *c, const struct ev_val *v)
{
	struct pgd_eval *ev = c->ev;
	switch (v->k) {
	case EV_NULL:
		return NULL;
	case EV_BOOL:
		return v->b ? "true" : "false";
	case EV_INT: {
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", (long long)v->i);
		return ev_strdup(ev, buf);
	}
	case EV_TEXT:
		return v->s;
	case EV_REG:
		return reg_text(c, v);
	case EV_ARRAY:
	case EV_REC: {
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		pgd_strbuf_addch(&sb, v->k == EV_ARRAY ? '{' : '(');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				pgd_strbuf_addch(&sb, ',');
			const char *t = ev_to_text(c, &v->v[i]);
			if (!t) {
				if (v->k == EV_ARRAY)
					pgd_strbuf_addstr(&sb, "NULL");
				continue;
			}
			if (v->k == EV_ARRAY && v->v[i].k == EV_ARRAY) {
				pgd_strbuf_addstr(&sb, t);
			} else if (array_elem_needs_quotes(t)) {
				pgd_strbuf_addch(&sb, '"');
				for (; *t; t++) {
					if (*t == '"' || *t == '\\')
						pgd_strbuf_addch(&sb, '\\');
					pgd_strbuf_addch(&sb, *t);
				}
				pgd_strbuf_addch(&sb, '"');
			} else {
				pgd_strbuf_addstr(&sb, t);
			}
		}
		pgd_strbuf_addch(&sb, v->k == EV_ARRAY ? '}' : ')');
		const char *res = ev_strdup(ev, sb.buf);
		pgd_strbuf_release(&sb);
		return res;
	}
	}
	return NULL;
}

static int parse_bool(const char *s)
{
	static const char *const t[] = { "t", "true", "y", "yes", "on", "1" };
	static const char *const f[] = { "f", "false", "n", "no", "off", "0" };
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(t); i++)
		if (strlen(t[i]) == n && !strncasecmp(s, t[i], n))
			return 1;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(f); i++)
		if (strlen(f[i]) == n && !strncasecmp(s, f[i], n))
			return 0;
	return -1;
}

static bool parse_int(const char *s, int64_t *out)
{
	while (*s == ' ')
		s++;
	if (!*s)
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	while (*end == ' ')
		end++;
	if (errno || *end || end == s)
		return false;
	*out = v;
	return true;
}

int ev_truth(struct ev_ctx *c, const struct ev_val *v)
{
	if (v->k == EV_NULL)
		return -1;
	if (v->k == EV_BOOL)
		return v->b;
	if (v->k == EV_TEXT) {
		int b = parse_bool(v->s);
		if (b >= 0)
			return b;
	}
	ev_error(c, "42804", "argument of a condition must be type boolean");
	return -2;
}

/* '{a,b,"c d"}' -> an array of text. */
static enum ev_stop parse_array(struct ev_ctx *c, const char *s, struct ev_val *out)
{
	struct pgd_eval *ev = c->ev;
	const char *p = s;
	while (*p == ' ')
		p++;
	if (*p != '{')
		return ev_error(c, "22P02", "malformed array literal: \"%s\"", s);
	p++;
	struct ev_val *v = NULL;
	size_t n = 0, alloc = 0;
	enum ev_stop st = EV_OK;
	while (*p == ' ')
		p++;
	if (*p == '}') {
		p++;
		goto done;
	}
	for (;;) {
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		bool quoted = false;
		while (*p == ' ')
			p++;
		if (*p == '{') {
			st = ev_unsupported(c, "multidimensional array literal",
					    "multidimensional array literals are not evaluated");
			break;
		}
		if (*p == '"') {
			quoted = true;
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				pgd_strbuf_addch(&sb, *p);
			}
			if (*p != '"') {
				pgd_strbuf_release(&sb);
				st = ev_error(c, "22P02", "malformed array literal: \"%s\"", s);
				break;
			}
			p++;
		} else {
			for (; *p && *p != ',' && *p != '}'; p++) {
				if (*p == '\\' && p[1])
					p++;
				pgd_strbuf_addch(&sb, *p);
			}
			while (sb.len && sb.buf[sb.len - 1] == ' ')
				pgd_strbuf_setlen(&sb, sb.len - 1);
		}
		PGD_GROW(v, alloc, n + 1);
		if (!quoted && !strcasecmp(sb.buf, "null"))
			v[n++] = ev_null();
		else
			v[n++] = ev_text(ev, sb.buf);
		pgd_strbuf_release(&sb);
		while (*p == ' ')
			p++;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '}') {
			p++;
			break;
		}
		st = ev_error(c, "22P02", "malformed array literal: \"%s\"", s);
		break;
	}
done:
	if (st == EV_OK) {
		out->k = EV_ARRAY;
		out->type = "text[]";
		out->n = n;
		out->v = ev_alloc(ev, n * sizeof(*v));
		if (n)
			memcpy(out->v, v, n * sizeof(*v));
	}
	free(v);
	return st;
}

enum ev_stop ev_cast(struct ev_ctx *c, struct ev_val *v, const char *tn)
{
	struct pgd_eval *ev = c->ev;
	size_t len = strlen(tn);
	if (len > 2 && !strcmp(tn + len - 2, "[]")) {
		if (v->k == EV_NULL)
			return EV_OK;
		if (v->k != EV_ARRAY) {
			const char *t = ev_to_text(c, v);
			enum ev_stop st = parse_array(c, t, v);
			if (st)
				return st;
		}
		char *elem = pgd_xstrndup(tn, len - 2);
		for (size_t i = 0; i < v->n; i++) {
			enum ev_stop st = ev_cast(c, &v->v[i], elem);
			if (st) {
				free(elem);
				return st;
			}
		}
		free(elem);
		v->type = ev_strdup(ev, tn);
		return EV_OK;
	}
	if (v->k == EV_NULL)
		return EV_OK;
	if (!strcmp(tn, "text") || !strcmp(tn, "varchar") || !strcmp(tn, "name") ||
	    !strcmp(tn, "bpchar") || !strcmp(tn, "character varying") ||
	    !strcmp(tn, "unknown") || !strcmp(tn, "char")) {
		const char *t = ev_to_text(c, v);
		*v = ev_text(ev, t);
		v->type = !strcmp(tn, "name") ? "name" : "text";
		return EV_OK;
	}
	if (!strcmp(tn, "int4") || !strcmp(tn, "int8") || !strcmp(tn, "int2") ||
	    !strcmp(tn, "integer") || !strcmp(tn, "int") || !strcmp(tn, "bigint") ||
	    !strcmp(tn, "smallint") || !strcmp(tn, "oid")) {
		if (v->k == EV_INT || v->k == EV_REG) {
			int64_t i = v->i;
			*v = ev_int(i);
			return EV_OK;
		}
		if (v->k == EV_BOOL) {
			*v = ev_int(v->b);
			return EV_OK;
		}
		int64_t i;
		const char *t = ev_to_text(c, v);
		if (!t || !parse_int(t, &i))
			return ev_error(c, "22P02", "invalid input syntax for type "
					"integer: \"%s\"", t ? t : "");
		*v = ev_int(i);
		return EV_OK;
	}
	if (!strcmp(tn, "bool") || !strcmp(tn, "boolean")) {
		if (v->k == EV_BOOL)
			return EV_OK;
		if (v->k == EV_INT) {
			*v = ev_bool(v->i != 0);
			return EV_OK;
		}
		const char *t = ev_to_text(c, v);
		int b = t ? parse_bool(t) : -1;
		if (b < 0)
			return ev_error(c, "22P02", "invalid input syntax for type "
					"boolean: \"%s\"", t ? t : "");
		*v = ev_bool(b);
		return EV_OK;
	}
	if (!strcmp(tn, "regclass") || !strcmp(tn, "regtype") ||
	    !strcmp(tn, "regproc") || !strcmp(tn, "regprocedure") ||
	    !strcmp(tn, "regnamespace")) {
		if (v->k == EV_REG) {
			if (!strcmp(v->type, tn))
				return EV_OK;
			return ev_unsupported(c, "cast between reg types",
					      "a cast from %s to %s is not evaluated",
					      v->type, tn);
		}
		if (v->k == EV_INT)
			return ev_unsupported(c, "oid cast", "a cast of an oid "
					      "number to %s is not evaluated", tn);
		const char *t = ev_to_text(c, v);
		static const char *const names[] = { "regclass", "regtype", "regproc",
						      "regprocedure", "regnamespace" };
		for (size_t i = 0; i < PGD_ARRAY_SIZE(names); i++)
			if (!strcmp(names[i], tn))
				return to_reg(c, t, names[i], false, v);
	}
	return ev_unsupported(c, "cast", "a cast to %s is not evaluated", tn);
}

/* The lower-case name of a TypeName (pg_catalog. dropped), with "[]" for
 * arrays; NULL for a %TYPE or an unusual name. */
static const char *type_name(struct pgd_eval *ev, const PgQuery__TypeName *tn)
{
	if (!tn || !tn->n_names || tn->pct_type)
		return NULL;
	const char *last = ev_str(tn->names[tn->n_names - 1]);
	if (!last)
		return NULL;
	if (tn->n_names == 2) {
		const char *s = ev_str(tn->names[0]);
		if (!s || strcmp(s, "pg_catalog") != 0)
			return NULL;
	} else if (tn->n_names > 2) {
		return NULL;
	}
	if (tn->n_array_bounds) {
		char *t = pgd_xasprintf("%s[]", last);
		const char *res = ev_strdup(ev, t);
		free(t);
		return res;
	}
	return last;
}

/* ---- comparison */

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

int ev_compare(struct ev_ctx *c, const struct ev_val *a, const struct ev_val *b)
{
	if (a->k == EV_REG && b->k == EV_TEXT) {
		struct ev_val t = *b;
		if (ev_cast(c, &t, a->type))
			return INT_MIN;
		return cmp_i64(a->i, t.i);
	}
	if (b->k == EV_REG && a->k == EV_TEXT) {
		int r = ev_compare(c, b, a);
		return r == INT_MIN ? r : -r;
	}
	if ((a->k == EV_INT || a->k == EV_REG) && (b->k == EV_INT || b->k == EV_REG))
		return cmp_i64(a->i, b->i);
	if (a->k == EV_INT && b->k == EV_TEXT) {
		int64_t i;
		if (!parse_int(b->s, &i)) {
			ev_error(c, "22P02", "invalid input syntax for type integer: "
				 "\"%s\"", b->s);
			return INT_MIN;
		}
		return cmp_i64(a->i, i);
	}
	if (b->k == EV_INT && a->k == EV_TEXT) {
		int r = ev_compare(c, b, a);
		return r == INT_MIN ? r : -r;
	}
	if (a->k == EV_BOOL || b->k == EV_BOOL) {
		struct ev_val x = *a, y = *b;
		if (ev_cast(c, &x, "bool") || ev_cast(c, &y, "bool"))
			return INT_MIN;
		return (int)x.b - (int)y.b;
	}
	if (a->k == EV_ARRAY && b->k == EV_ARRAY) {
		for (size_t i = 0; i < a->n && i < b->n; i++) {
			if (a->v[i].k == EV_NULL || b->v[i].k == EV_NULL) {
				if (a->v[i].k != b->v[i].k)
					return a->v[i].k == EV_NULL ? 1 : -1;
				continue;
			}
			int r = ev_compare(c, &a->v[i], &b->v[i]);
			if (r)
				return r;
		}
		return cmp_i64((int64_t)a->n, (int64_t)b->n);
	}
	if (a->k == EV_TEXT && b->k == EV_TEXT) {
		int r = strcmp(a->s, b->s);
		return r < 0 ? -1 : r > 0;
	}
	ev_unsupported(c, "comparison", "a comparison of these types is not evaluated");
	return INT_MIN;
}

/* ---- LIKE and regular expressions */

/* One character of s (UTF-8) at *s; advances. */
static void utf8_next(const char **s)
{
	(*s)++;
	while (((unsigned char)**s & 0xC0) == 0x80)
		(*s)++;
}

/* LIKE: % any run, _ one character, esc quotes the next pattern byte.
 * Iterative with one backtrack point (the last %), so O(len(s) *
 * len(p)) whatever the pattern: no input makes it slow. */
static bool like_match(const char *s, const char *p, char esc, bool ci, int depth)
{
	const char *star_p = NULL, *star_s = NULL;
	(void)depth;
	while (*s) {
		if (*p == '%') {
			while (*p == '%')
				p++;
			if (!*p)
				return true;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*p == '_') {
			p++;
			utf8_next(&s);
			continue;
		}
		const char *pc = p;
		if (esc && *pc == esc && pc[1])
			pc++;
		char a = *s, b = *pc;
		if (ci) {
			a = (char)tolower((unsigned char)a);
			b = (char)tolower((unsigned char)b);
		}
		if (*pc && a == b) {
			p = pc + 1;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		/* let the last % swallow one more character */
		utf8_next(&star_s);
		s = star_s;
		p = star_p;
	}
	while (*p == '%')
		p++;
	return !*p;
}

static enum ev_stop regex_match(struct ev_ctx *c, const char *s, const char *pat,
				bool ci, bool *out)
{
	if (strlen(pat) > 256)
		return ev_unsupported(c, "regular expression",
				      "a regular expression over 256 bytes");
	for (const char *p = pat; *p; p++) {
		if (*p == '\\' && p[1] >= '0' && p[1] <= '9')
			return ev_unsupported(c, "regular expression",
					      "back references are not evaluated");
		if (*p == '\\' && p[1])
			p++;
	}
	regex_t re;
	if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB | (ci ? REG_ICASE : 0)))
		return ev_unsupported(c, "regular expression",
				      "the regular expression \"%s\" is not evaluated", pat);
	*out = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return EV_OK;
}

/* ---- functions */

static const char *quote_literal(struct pgd_eval *ev, const char *s)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (strchr(s, '\\'))
		pgd_strbuf_addch(&sb, 'E');
	pgd_strbuf_addch(&sb, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			pgd_strbuf_addch(&sb, *s);
		pgd_strbuf_addch(&sb, *s);
	}
	pgd_strbuf_addch(&sb, '\'');
	const char *r = ev_strdup(ev, sb.buf);
	pgd_strbuf_release(&sb);
	return r;
}

static const char *quote_ident(struct pgd_eval *ev, const char *s)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&sb, s);
	const char *r = ev_strdup(ev, sb.buf);
	pgd_strbuf_release(&sb);
	return r;
}

/* format(fmt, args...) with %s %I %L %% and n$ positions. */
static enum ev_stop do_format(struct ev_ctx *c, const struct ev_val *a, size_t n,
			      struct ev_val *out)
{
	struct pgd_eval *ev = c->ev;
	if (!n || a[0].k == EV_NULL) {
		*out = ev_null();
		return EV_OK;
	}
	const char *f = ev_to_text(c, &a[0]);
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	size_t next = 1;
	for (const char *p = f; *p; p++) {
		if (*p != '%') {
			pgd_strbuf_addch(&sb, *p);
			continue;
		}
		p++;
		if (*p == '%') {
			pgd_strbuf_addch(&sb, '%');
			continue;
		}
		size_t argi = next;
		if (*p >= '1' && *p <= '9') {
			const char *q = p;
			size_t k = 0;
			while (*q >= '0' && *q <= '9' && k < 100000)
				k = k * 10 + (size_t)(*q++ - '0');
			if (*q == '$') {
				argi = k;
				p = q + 1;
			} else {
				pgd_strbuf_release(&sb);
				return ev_unsupported(c, "format() width",
						      "format() widths are not evaluated");
			}
		}
		if (*p == '-' || *p == '*' || (*p >= '0' && *p <= '9')) {
			pgd_strbuf_release(&sb);
			return ev_unsupported(c, "format() width",
					      "format() widths are not evaluated");
		}
		if (*p != 's' && *p != 'I' && *p != 'L') {
			pgd_strbuf_release(&sb);
			return ev_error(c, "22023", "unrecognized format() type "
					"specifier \"%c\"", *p ? *p : ' ');
		}
		if (argi >= n) {
			pgd_strbuf_release(&sb);
			return ev_error(c, "22023", "too few arguments for format()");
		}
		next = argi + 1;
		const char *t = ev_to_text(c, &a[argi]);
		if (*p == 's') {
			if (t)
				pgd_strbuf_addstr(&sb, t);
		} else if (*p == 'I') {
			if (!t) {
				pgd_strbuf_release(&sb);
				return ev_error(c, "22004", "null values cannot be "
						"formatted as an SQL identifier");
			}
			pgd_strbuf_add_ident(&sb, t);
		} else {
			pgd_strbuf_addstr(&sb, t ? quote_literal(ev, t) : "NULL");
		}
	}
	*out = text_take(ev, &sb);
	return EV_OK;
}

static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static struct ev_val substr_chars(struct pgd_eval *ev, const char *s, int64_t from,
				  int64_t count)
{
	/* from is 1-based and may be < 1; count < 0 means to the end */
	int64_t start = from - 1, end;
	if (count < 0)
		end = INT64_MAX;
	else
		end = (start > INT64_MAX - count) ? INT64_MAX : start + count;
	if (start < 0)
		start = 0;
	if (end < start)
		end = start;
	size_t b0 = pgd_utf8_offset(s, start),
	       b1 = end == INT64_MAX ? strlen(s) : pgd_utf8_offset(s, end);
	char *t = pgd_xstrndup(s + b0, b1 - b0);
	struct ev_val v = ev_text(ev, t);
	free(t);
	return v;
}

static const char *trim_chars(struct pgd_eval *ev, const char *s, const char *set,
			      bool left, bool right)
{
	size_t b = 0, e = strlen(s);
	if (left)
		while (b < e && strchr(set, s[b]))
			b++;
	if (right)
		while (e > b && strchr(set, s[e - 1]))
			e--;
	return pgd_arena_strndup(ev->arena, s + b, e - b);
}

static const char *case_map(struct pgd_eval *ev, const char *s, bool up)
{
	char *t = (char *)ev_strdup(ev, s);
	for (char *p = t; *p; p++)
		*p = (char)(up ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
	return t;
}

static const char *replace_all(struct pgd_eval *ev, const char *s, const char *from,
			       const char *to)
{
	size_t fl = strlen(from);
	if (!fl)
		return s;
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	for (const char *p = s; *p;) {
		if (!strncmp(p, from, fl)) {
			pgd_strbuf_addstr(&sb, to);
			p += fl;
		} else {
			pgd_strbuf_addch(&sb, *p++);
		}
	}
	const char *r = ev_strdup(ev, sb.buf ? sb.buf : "");
	pgd_strbuf_release(&sb);
	return r;
}

static struct ev_val make_array(struct pgd_eval *ev, const struct ev_val *v, size_t n,
				const char *type)
{
	struct ev_val a = { 0 };
	a.k = EV_ARRAY;
	a.type = type ? type : "text[]";
	a.n = n;
	a.v = ev_alloc(ev, n * sizeof(*v));
	if (n)
		memcpy(a.v, v, n * sizeof(*v));
	return a;
}

static const char *func_name(const PgQuery__FuncCall *f, const char **schema)
{
	*schema = NULL;
	if (f->n_funcname == 2)
		*schema = ev_str(f->funcname[0]);
	else if (f->n_funcname != 1)
		return NULL;
	return ev_str(f->funcname[f->n_funcname - 1]);
}

static bool is_aggregate(const char *name)
{
	return !strcmp(name, "count") || !strcmp(name, "array_agg") ||
	       !strcmp(name, "string_agg") || !strcmp(name, "max") ||
	       !strcmp(name, "min") || !strcmp(name, "bool_or") ||
	       !strcmp(name, "bool_and") || !strcmp(name, "sum");
}

/* An aggregate over the scope's group. */
static enum ev_stop aggregate(struct ev_ctx *c, const PgQuery__FuncCall *f,
			      const char *name, struct ev_val *out)
{
	struct pgd_eval *ev = c->ev;
	const struct ev_scope *g = c->scope;
	if (!g || !g->grouped)
		return ev_unsupported(c, "aggregate", "%s() outside a query is not "
				      "evaluated", name);
	if (f->agg_order && f->n_agg_order && strcmp(name, "array_agg") &&
	    strcmp(name, "string_agg"))
		return ev_unsupported(c, "aggregate", "ORDER BY in %s()", name);
	if (f->agg_filter || f->over)
		return ev_unsupported(c, "aggregate", "FILTER or OVER on %s()", name);
	struct ev_scope row = *g;
	row.group = NULL;
	row.ngroup = 0;
	row.grouped = false;
	struct ev_ctx rc = *c;
	rc.scope = &row;
	struct ev_val *vals = ev_alloc(ev, (g->ngroup + 1) * sizeof(*vals));
	struct ev_val *keys = ev_alloc(ev, (g->ngroup + 1) * sizeof(*keys));
	size_t n = 0;
	for (size_t i = 0; i < g->ngroup; i++) {
		row.cur = g->group[i];
		if (f->agg_star) {
			vals[n++] = ev_int(1);
			continue;
		}
		if (!f->n_args)
			return ev_unsupported(c, "aggregate", "%s() without arguments", name);
		enum ev_stop st = ev_expr(&rc, f->args[0], &vals[n]);
		if (st)
			return st;
		if (f->n_agg_order) {
			PgQuery__SortBy *sb = f->agg_order[0]->sort_by;
			if (!sb)
				return ev_unsupported(c, "aggregate", "ORDER BY in %s()", name);
			st = ev_expr(&rc, sb->node, &keys[n]);
			if (st)
				return st;
		}
		if (!strcmp(name, "string_agg") && f->n_args > 1 && n == 0) {
			/* delimiter read below from the first row */
		}
		n++;
	}
	if (f->n_agg_order) {
		/* insertion sort: stable, groups are small */
		bool desc = f->agg_order[0]->sort_by->sortby_dir ==
			    PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
		for (size_t i = 1; i < n; i++) {
			for (size_t j = i; j > 0; j--) {
				int r;
				if (keys[j - 1].k == EV_NULL || keys[j].k == EV_NULL)
					r = (keys[j - 1].k == EV_NULL) - (keys[j].k == EV_NULL);
				else
					r = ev_compare(c, &keys[j - 1], &keys[j]);
				if (r == INT_MIN)
					return EV_UNSUPPORTED;
				if (desc)
					r = -r;
				if (r <= 0)
					break;
				struct ev_val t = vals[j]; vals[j] = vals[j - 1]; vals[j - 1] = t;
				t = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = t;
			}
		}
	}
	if (f->agg_distinct) {
		size_t m = 0;
		for (size_t i = 0; i < n; i++) {
			bool dup = false;
			for (size_t j = 0; j < m && !dup; j++)
				dup = vals[j].k == EV_NULL ? vals[i].k == EV_NULL
				      : vals[i].k != EV_NULL && ev_compare(c, &vals[j], &vals[i]) == 0;
			if (!dup)
				vals[m++] = vals[i];
		}
		n = m;
	}
	if (!strcmp(name, "count")) {
		int64_t k = 0;
		for (size_t i = 0; i < n; i++)
			k += vals[i].k != EV_NULL;
		*out = ev_int(k);
		out->type = "int8";
		return EV_OK;
	}
	if (!strcmp(name, "array_agg")) {
		*out = n ? make_array(ev, vals, n, NULL) : ev_null();
		return EV_OK;
	}
	if (!strcmp(name, "string_agg")) {
		if (f->n_args != 2)
			return ev_unsupported(c, "aggregate", "string_agg() needs two arguments");
		struct ev_val d;
		row.cur = g->ngroup ? g->group[0] : NULL;
		enum ev_stop st = ev_expr(&rc, f->args[1], &d);
		if (st)
			return st;
		const char *delim = ev_to_text(c, &d);
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		bool any = false;
		for (size_t i = 0; i < n; i++) {
			const char *t = ev_to_text(c, &vals[i]);
			if (!t)
				continue;
			if (any && delim)
				pgd_strbuf_addstr(&sb, delim);
			pgd_strbuf_addstr(&sb, t);
			any = true;
		}
		if (any)
			*out = text_take(ev, &sb);
		else {
			pgd_strbuf_release(&sb);
			*out = ev_null();
		}
		return EV_OK;
	}
	if (!strcmp(name, "bool_or") || !strcmp(name, "bool_and")) {
		bool or = !strcmp(name, "bool_or");
		*out = ev_null();
		for (size_t i = 0; i < n; i++) {
			int t = ev_truth(c, &vals[i]);
			if (t == -2)
				return EV_ERROR;
			if (t < 0)
				continue;
			if (out->k == EV_NULL)
				*out = ev_bool(t);
			else
				out->b = or ? (out->b || t) : (out->b && t);
		}
		return EV_OK;
	}
	if (!strcmp(name, "sum")) {
		*out = ev_null();
		for (size_t i = 0; i < n; i++) {
			if (vals[i].k == EV_NULL)
				continue;
			struct ev_val x = vals[i];
			enum ev_stop st = ev_cast(c, &x, "int8");
			if (st)
				return st;
			if (out->k == EV_NULL)
				*out = ev_int(0);
			if (__builtin_add_overflow(out->i, x.i, &out->i))
				return ev_error(c, "22003", "bigint out of range");
		}
		return EV_OK;
	}
	/* max, min */
	*out = ev_null();
	for (size_t i = 0; i < n; i++) {
		if (vals[i].k == EV_NULL)
			continue;
		if (out->k == EV_NULL) {
			*out = vals[i];
			continue;
		}
		int r = ev_compare(c, &vals[i], out);
		if (r == INT_MIN)
			return EV_UNSUPPORTED;
		if ((!strcmp(name, "max") && r > 0) || (!strcmp(name, "min") && r < 0))
			*out = vals[i];
	}
	return EV_OK;
}

static enum ev_stop need_args(struct ev_ctx *c, const char *name, size_t n,
			      size_t lo, size_t hi)
{
	if (n < lo || n > hi)
		return ev_unsupported(c, "function call", "%s() with %zu arguments "
				      "is not evaluated", name, n);
	return EV_OK;
}

/* Functions that are NULL on any NULL argument. */
static bool strict_builtin(const char *name)
{
	static const char *const nonstrict[] = {
		"concat", "concat_ws", "format", "quote_nullable", "coalesce",
		"current_schema", "current_setting", "set_config", "array_length",
		"cardinality", "now", "current_user", "pg_typeof", "num_nulls",
		"num_nonnulls",
	};
	for (size_t i = 0; i < PGD_ARRAY_SIZE(nonstrict); i++)
		if (!strcmp(nonstrict[i], name))
			return false;
	return true;
}

static enum ev_stop builtin(struct ev_ctx *c, const char *name, struct ev_val *a,
			    size_t n, bool *handled, struct ev_val *out)
{
	struct pgd_eval *ev = c->ev;
	enum ev_stop st;
	*handled = true;
	*out = ev_null();
#define ARGS(lo, hi) do { if ((st = need_args(c, name, n, lo, hi))) return st; } while (0)
#define TXT(i) ev_to_text(c, &a[i])
	static const char *const known[] = {
		"concat", "concat_ws", "format", "quote_ident", "quote_literal",
		"quote_nullable", "lower", "upper", "btrim", "ltrim", "rtrim", "trim",
		"replace", "substring", "substr", "split_part", "left", "right",
		"length", "char_length", "character_length", "octet_length",
		"position", "strpos", "array_length", "cardinality", "to_regclass",
		"to_regtype", "to_regproc", "to_regprocedure", "to_regnamespace",
		"current_schema", "current_setting", "set_config", "coalesce",
		"array_to_string", "string_to_array", "array_append", "array_prepend",
		"array_cat", "array_position", "starts_with", "regexp_replace",
		"abs", "md5", "repeat", "reverse", "initcap", "lpad", "rpad",
		"array_upper", "array_lower", "current_user", "num_nulls", "num_nonnulls",
		"chr", "ascii", "to_char", "now", "pg_typeof", "has_schema_privilege",
		"has_table_privilege", "has_function_privilege", "pg_get_userbyid",
		"obj_description", "col_description", "array_remove", "array_fill",
		"pg_advisory_lock", "pg_advisory_xact_lock", "pg_advisory_lock_shared",
		"pg_advisory_xact_lock_shared", "pg_try_advisory_lock",
		"pg_try_advisory_xact_lock", "pg_try_advisory_lock_shared",
		"pg_try_advisory_xact_lock_shared", "pg_advisory_unlock",
		"pg_advisory_unlock_shared",
	};
	bool k = false;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(known) && !k; i++)
		k = !strcmp(known[i], name);
	if (!k) {
		*handled = false;
		return EV_OK;
	}
	if (strict_builtin(name))
		for (size_t i = 0; i < n; i++)
			if (a[i].k == EV_NULL)
				return EV_OK;
	if (!strcmp(name, "concat") || !strcmp(name, "concat_ws")) {
		bool ws = name[6] == '_';
		if (ws && (!n || a[0].k == EV_NULL))
			return EV_OK;
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		bool any = false;
		const char *sep = ws ? TXT(0) : NULL;
		for (size_t i = ws; i < n; i++) {
			const char *t = TXT(i);
			if (!t)
				continue;
			if (ws && any)
				pgd_strbuf_addstr(&sb, sep);
			pgd_strbuf_addstr(&sb, t);
			any = true;
		}
		pgd_strbuf_addstr(&sb, "");
		*out = text_take(ev, &sb);
		return EV_OK;
	}
	if (!strcmp(name, "format"))
		return do_format(c, a, n, out);
	if (!strcmp(name, "quote_ident")) {
		ARGS(1, 1);
		*out = ev_text(ev, quote_ident(ev, TXT(0)));
		return EV_OK;
	}
	if (!strcmp(name, "quote_literal") || !strcmp(name, "quote_nullable")) {
		ARGS(1, 1);
		*out = ev_text(ev, a[0].k == EV_NULL ? "NULL" : quote_literal(ev, TXT(0)));
		return EV_OK;
	}
	if (!strcmp(name, "lower") || !strcmp(name, "upper")) {
		ARGS(1, 1);
		*out = ev_text(ev, case_map(ev, TXT(0), name[0] == 'u'));
		return EV_OK;
	}
	if (!strcmp(name, "initcap")) {
		ARGS(1, 1);
		char *t = (char *)ev_strdup(ev, TXT(0));
		bool start = true;
		for (char *p = t; *p; p++) {
			bool alnum = isalnum((unsigned char)*p);
			*p = (char)(start ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
			start = !alnum;
		}
		*out = ev_text(ev, t);
		return EV_OK;
	}
	if (!strcmp(name, "btrim") || !strcmp(name, "ltrim") || !strcmp(name, "rtrim") ||
	    !strcmp(name, "trim")) {
		ARGS(1, 2);
		const char *set = n > 1 ? TXT(1) : " ";
		*out = ev_text(ev, trim_chars(ev, TXT(0), set, name[0] != 'r',
					       name[0] != 'l'));
		return EV_OK;
	}
	if (!strcmp(name, "replace")) {
		ARGS(3, 3);
		*out = ev_text(ev, replace_all(ev, TXT(0), TXT(1), TXT(2)));
		return EV_OK;
	}
	if (!strcmp(name, "substring") || !strcmp(name, "substr")) {
		ARGS(2, 3);
		struct ev_val from = a[1], cnt = n > 2 ? a[2] : ev_int(-1);
		if (from.k == EV_TEXT && !parse_int(from.s, &from.i))
			return ev_unsupported(c, "substring", "substring() with a "
					      "pattern is not evaluated");
		if ((st = ev_cast(c, &from, "int8")) || (st = ev_cast(c, &cnt, "int8")))
			return st;
		if (n > 2 && cnt.i < 0)
			return ev_error(c, "22011", "negative substring length not allowed");
		*out = substr_chars(ev, TXT(0), from.i, cnt.i);
		return EV_OK;
	}
	if (!strcmp(name, "split_part")) {
		ARGS(3, 3);
		struct ev_val f = a[2];
		if ((st = ev_cast(c, &f, "int8")))
			return st;
		const char *s = TXT(0), *d = TXT(1);
		if (f.i == 0)
			return ev_error(c, "22023", "field position must not be zero");
		size_t dl = strlen(d);
		/* fields as byte ranges */
		const char *starts[1024];
		size_t lens[1024], nf = 0;
		if (!dl) {
			starts[0] = s;
			lens[0] = strlen(s);
			nf = 1;
		} else {
			const char *p = s;
			for (;;) {
				const char *q = strstr(p, d);
				if (nf == 1024)
					return ev_unsupported(c, "split_part", "more than "
							      "1024 fields");
				starts[nf] = p;
				lens[nf++] = q ? (size_t)(q - p) : strlen(p);
				if (!q)
					break;
				p = q + dl;
			}
		}
		int64_t idx = f.i > 0 ? f.i - 1 : (int64_t)nf + f.i;
		if (idx < 0 || idx >= (int64_t)nf)
			*out = ev_text(ev, "");
		else
			*out = ev_text(ev, pgd_arena_strndup(ev->arena, starts[idx],
							    lens[idx]));
		return EV_OK;
	}
	if (!strcmp(name, "left") || !strcmp(name, "right")) {
		ARGS(2, 2);
		struct ev_val k2 = a[1];
		if ((st = ev_cast(c, &k2, "int8")))
			return st;
		const char *s = TXT(0);
		int64_t len = (int64_t)utf8_len(s), cnt = k2.i;
		if (cnt < 0)
			cnt = len + cnt < 0 ? 0 : len + cnt;
		if (cnt > len)
			cnt = len;
		if (name[0] == 'l')
			*out = substr_chars(ev, s, 1, cnt);
		else
			*out = substr_chars(ev, s, len - cnt + 1, cnt);
		return EV_OK;
	}
	if (!strcmp(name, "length") || !strcmp(name, "char_length") ||
	    !strcmp(name, "character_length") || !strcmp(name, "octet_length")) {
		ARGS(1, 1);
		if (a[0].k == EV_ARRAY)
			return ev_unsupported(c, "length", "length() of an array");
		const char *s = TXT(0);
		*out = ev_int(name[0] == 'o' ? (int64_t)strlen(s) : (int64_t)utf8_len(s));
		return EV_OK;
	}
	if (!strcmp(name, "position") || !strcmp(name, "strpos")) {
		ARGS(2, 2);
		const char *s = TXT(0), *sub = TXT(1);
		const char *at = strstr(s, sub);
		if (!at)
			*out = ev_int(0);
		else {
			char *pre = pgd_xstrndup(s, (size_t)(at - s));
			*out = ev_int((int64_t)utf8_len(pre) + 1);
			free(pre);
		}
		return EV_OK;
	}
	if (!strcmp(name, "starts_with")) {
		ARGS(2, 2);
		const char *s = TXT(0), *p = TXT(1);
		*out = ev_bool(!strncmp(s, p, strlen(p)));
		return EV_OK;
	}
	if (!strcmp(name, "repeat")) {
		ARGS(2, 2);
		struct ev_val k2 = a[1];
		if ((st = ev_cast(c, &k2, "int8")))
			return st;
		const char *s = TXT(0);
		if (k2.i > 0 && (uint64_t)k2.i * (strlen(s) + 1) > ev->lim.memory / 4)
			return ev_unsupported(c, "memory limit", "repeat() too long");
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		pgd_strbuf_addstr(&sb, "");
		for (int64_t i = 0; i < k2.i; i++)
			pgd_strbuf_addstr(&sb, s);
		*out = text_take(ev, &sb);
		return EV_OK;
	}
	if (!strcmp(name, "reverse")) {
		ARGS(1, 1);
		const char *s = TXT(0);
		size_t l = strlen(s);
		char *t = ev_alloc(ev, l + 1);
		for (size_t i = 0; i < l; i++)
			t[i] = s[l - 1 - i];
		t[l] = 0;
		*out = ev_text(ev, t);
		return EV_OK;
	}
	if (!strcmp(name, "abs")) {
		ARGS(1, 1);
		struct ev_val x = a[0];
		if ((st = ev_cast(c, &x, "int8")))
			return st;
		if (x.i == INT64_MIN)
			return ev_error(c, "22003", "bigint out of range");
		*out = ev_int(x.i < 0 ? -x.i : x.i);
		return EV_OK;
	}
	if (!strcmp(name, "array_length") || !strcmp(name, "array_upper") ||
	    !strcmp(name, "cardinality") || !strcmp(name, "array_lower")) {
		ARGS(1, 2);
		if (a[0].k == EV_NULL)
			return EV_OK;
		if (a[0].k != EV_ARRAY) {
			struct ev_val t = a[0];
			if ((st = ev_cast(c, &t, "text[]")))
				return st;
			a[0] = t;
		}
		if (n == 2) {
			struct ev_val d = a[1];
			if (d.k == EV_NULL || (st = ev_cast(c, &d, "int8")))
				return st;
			if (d.i != 1 || !a[0].n)
				return EV_OK;
		}
		if (!a[0].n && name[0] != 'c')
			return EV_OK;
		*out = ev_int(!strcmp(name, "array_lower") ? 1 : (int64_t)a[0].n);
		return EV_OK;
	}
	if (!strcmp(name, "array_to_string")) {
		ARGS(2, 3);
		if (a[0].k != EV_ARRAY)
			return ev_unsupported(c, "array_to_string", "not an array");
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		pgd_strbuf_addstr(&sb, "");
		bool any = false;
		for (size_t i = 0; i < a[0].n; i++) {
			const char *t = ev_to_text(c, &a[0].v[i]);
			if (!t && n > 2)
				t = TXT(2);
			if (!t)
				continue;
			if (any)
				pgd_strbuf_addstr(&sb, TXT(1));
			pgd_strbuf_addstr(&sb, t);
			any = true;
		}
		*out = text_take(ev, &sb);
		return EV_OK;
	}
	if (!strcmp(name, "string_to_array")) {
		ARGS(2, 2);
		const char *s = TXT(0), *d = TXT(1);
		struct ev_val *v = NULL;
		size_t nv = 0, al = 0;
		size_t dl = strlen(d);
		if (*s) {
			const char *p = s;
			for (;;) {
				const char *q = dl ? strstr(p, d) : NULL;
				PGD_GROW(v, al, nv + 1);
				v[nv++] = ev_text(ev, pgd_arena_strndup(ev->arena, p,
					q ? (size_t)(q - p) : strlen(p)));
				if (!q)
					break;
				p = q + dl;
			}
		}
		*out = make_array(ev, v, nv, NULL);
		free(v);
		return EV_OK;
	}
	if (!strcmp(name, "array_append") || !strcmp(name, "array_prepend") ||
	    !strcmp(name, "array_cat") || !strcmp(name, "array_remove")) {
		ARGS(2, 2);
		struct ev_val x = a[0], y = a[1];
		if (!strcmp(name, "array_prepend")) {
			x = a[1];
			y = a[0];
		}
		if (x.k != EV_ARRAY)
			return ev_unsupported(c, name, "%s() of a non-array", name);
		size_t extra = !strcmp(name, "array_cat") ? (y.k == EV_ARRAY ? y.n : 0) : 1;
		struct ev_val *v = ev_alloc(ev, (x.n + extra) * sizeof(*v));
		size_t k2 = 0;
		if (!strcmp(name, "array_remove")) {
			for (size_t i = 0; i < x.n; i++) {
				if (x.v[i].k != EV_NULL && y.k != EV_NULL) {
					int r = ev_compare(c, &x.v[i], &y);
					if (r == INT_MIN)
						return EV_UNSUPPORTED;
					if (!r)
						continue;
				}
				v[k2++] = x.v[i];
			}
		} else if (!strcmp(name, "array_prepend")) {
			v[k2++] = y;
			for (size_t i = 0; i < x.n; i++)
				v[k2++] = x.v[i];
		} else {
			for (size_t i = 0; i < x.n; i++)
				v[k2++] = x.v[i];
			if (!strcmp(name, "array_cat")) {
				for (size_t i = 0; y.k == EV_ARRAY && i < y.n; i++)
					v[k2++] = y.v[i];
			} else {
				v[k2++] = y;
			}
		}
		*out = make_array(ev, v, k2, x.type);
		return EV_OK;
	}
	if (!strcmp(name, "array_position")) {
		ARGS(2, 2);
		if (a[0].k != EV_ARRAY)
			return ev_unsupported(c, name, "array_position() of a non-array");
		for (size_t i = 0; i < a[0].n; i++) {
			if (a[0].v[i].k == EV_NULL)
				continue;
			int r = ev_compare(c, &a[0].v[i], &a[1]);
			if (r == INT_MIN)
				return EV_UNSUPPORTED;
			if (!r) {
				*out = ev_int((int64_t)i + 1);
				break;
			}
		}
		return EV_OK;
	}
	if (!strncmp(name, "to_reg", 6)) {
		ARGS(1, 1);
		const char *t = name + 3;
		return to_reg(c, TXT(0), ev_strdup(ev, t), true, out);
	}
	if (!strncmp(name, "pg_advisory_", 12) || !strncmp(name, "pg_try_advisory_", 16)) {
		/* a migration runs alone: every lock is granted at once (the
		 * unlock of a lock not held would only warn) */
		ARGS(1, 2);
		for (size_t i = 0; i < n; i++)
			if (a[i].k != EV_INT)
				return ev_unsupported(c, "function call", "%s() of a "
						      "non-integer key is not evaluated", name);
		if (strstr(name, "_lock") && !strncmp(name, "pg_advisory_", 12))
			*out = ev_null(); /* void */
		else
			*out = ev_bool(true);
		return EV_OK;
	}
	if (!strcmp(name, "current_schema")) {
		ARGS(0, 0);
		size_t np;
		const char *const *sp = ev_search_path(ev, &np);
		for (size_t i = 0; i < np; i++)
			if (namespace_exists(ev, sp[i])) {
				*out = ev_text(ev, sp[i]);
				out->type = "name";
				break;
			}
		return EV_OK;
	}
	if (!strcmp(name, "current_user")) {
		*out = ev_text(ev, ev->host.role ? ev->host.role : "postgres");
		out->type = "name";
		return EV_OK;
	}
	if (!strcmp(name, "current_setting")) {
		ARGS(1, 2);
		const char *nm = TXT(0);
		if (!nm)
			return EV_OK;
		if (!strcmp(nm, "search_path")) {
			size_t np;
			const char *const *sp = ev_search_path(ev, &np);
			struct pgd_strbuf sb = PGD_STRBUF_INIT;
			pgd_strbuf_addstr(&sb, "");
			for (size_t i = 0; i < np; i++) {
				if (i)
					pgd_strbuf_addstr(&sb, ", ");
				pgd_strbuf_add_ident(&sb, sp[i]);
			}
			*out = text_take(ev, &sb);
			return EV_OK;
		}
		const char *v = ev->host.get_setting ?
				ev->host.get_setting(ev->host.arg, nm) : NULL;
		if (!v) {
			bool missing_ok = false;
			if (n > 1) {
				int t = ev_truth(c, &a[1]);
				if (t == -2)
					return EV_ERROR;
				missing_ok = t == 1;
			}
			if (missing_ok && strchr(nm, '.'))
				return EV_OK;
			return ev_unsupported(c, "current_setting", "the setting \"%s\" "
					      "is not tracked by the replay", nm);
		}
		*out = ev_text(ev, v);
		return EV_OK;
	}
	if (!strcmp(name, "set_config")) {
		ARGS(3, 3);
		if (a[0].k == EV_NULL)
			return ev_error(c, "22004", "SET requires parameter name");
		const char *nm = TXT(0), *val = a[1].k == EV_NULL ? "" : TXT(1);
		if (!ev->host.set_setting)
			return ev_unsupported(c, "set_config", "set_config() is not tracked");
		ev->host.set_setting(ev->host.arg, nm, val);
		*out = ev_text(ev, val);
		return EV_OK;
	}
	if (!strcmp(name, "coalesce")) {
		for (size_t i = 0; i < n; i++)
			if (a[i].k != EV_NULL) {
				*out = a[i];
				break;
			}
		return EV_OK;
	}
	if (!strcmp(name, "num_nulls") || !strcmp(name, "num_nonnulls")) {
		int64_t k2 = 0;
		for (size_t i = 0; i < n; i++)
			k2 += (a[i].k == EV_NULL) == (name[4] == 'n');
		*out = ev_int(k2);
		return EV_OK;
	}
	if (!strcmp(name, "has_schema_privilege") || !strcmp(name, "has_table_privilege") ||
	    !strcmp(name, "has_function_privilege")) {
		/* the migrations run as a superuser-like owner */
		*out = ev_bool(true);
		return EV_OK;
	}
	return ev_unsupported(c, "function call", "%s() is not evaluated", name);
#undef ARGS
#undef TXT
}

/* Arithmetic on two integers. */
static enum ev_stop arith(struct ev_ctx *c, const char *op, int64_t x, int64_t y,
			  struct ev_val *out)
{
	int64_t r = 0;
	bool ovf = false;
	switch (op[0]) {
	case '+': ovf = __builtin_add_overflow(x, y, &r); break;
	case '-': ovf = __builtin_sub_overflow(x, y, &r); break;
	case '*': ovf = __builtin_mul_overflow(x, y, &r); break;
	case '/':
	case '%':
		if (!y)
			return ev_error(c, "22012", "division by zero");
		if (x == INT64_MIN && y == -1) {
			ovf = op[0] == '/';
			r = 0;
		} else {
			r = op[0] == '/' ? x / y : x % y;
		}
		break;
	default:
		return ev_unsupported(c, "operator", "operator %s is not evaluated", op);
	}
	if (ovf)
		return ev_error(c, "22003", "integer out of range");
	*out = ev_int(r);
	return EV_OK;
}

static bool is_numberish(const struct ev_val *v)
{
	int64_t i;
	return v->k == EV_INT || (v->k == EV_TEXT && !strcmp(v->type ? v->type : "",
							      "unknown") &&
				  parse_int(v->s, &i));
}

static enum ev_stop binop(struct ev_ctx *c, const char *op, struct ev_val *l,
			  struct ev_val *r, struct ev_val *out)
{
	struct pgd_eval *ev = c->ev;
	if (!strcmp(op, "||")) {
		if (l->k == EV_NULL || r->k == EV_NULL) {
			*out = ev_null();
			return EV_OK;
		}
		if (l->k == EV_ARRAY || r->k == EV_ARRAY) {
			const struct ev_val *x = l, *y = r;
			size_t nx = x->k == EV_ARRAY ? x->n : 1, ny = y->k == EV_ARRAY ? y->n : 1;
			struct ev_val *v = ev_alloc(ev, (nx + ny) * sizeof(*v));
			for (size_t i = 0; i < nx; i++)
				v[i] = x->k == EV_ARRAY ? x->v[i] : *x;
			for (size_t i = 0; i < ny; i++)
				v[nx + i] = y->k == EV_ARRAY ? y->v[i] : *y;
			*out = make_array(ev, v, nx + ny, x->k == EV_ARRAY ? x->type : y->type);
			return EV_OK;
		}
		const char *a = ev_to_text(c, l), *b = ev_to_text(c, r);
		size_t na = strlen(a), nb = strlen(b);
		char *t = ev_alloc(ev, na + nb + 1);
		memcpy(t, a, na);
		memcpy(t + na, b, nb + 1);
		struct ev_val v = { 0 };
		v.k = EV_TEXT;
		v.type = "text";
		v.s = t;
		*out = v;
		return EV_OK;
	}
	if (l->k == EV_NULL || r->k == EV_NULL) {
		*out = ev_null();
		return EV_OK;
	}
	if (!strcmp(op, "+") || !strcmp(op, "-") || !strcmp(op, "*") ||
	    !strcmp(op, "/") || !strcmp(op, "%")) {
		struct ev_val x = *l, y = *r;
		if (!is_numberish(&x) || !is_numberish(&y))
			return ev_unsupported(c, "operator", "operator %s on these "
					      "types is not evaluated", op);
		enum ev_stop st;
		if ((st = ev_cast(c, &x, "int8")) || (st = ev_cast(c, &y, "int8")))
			return st;
		return arith(c, op, x.i, y.i, out);
	}
	static const char *const cmps[] = { "=", "<>", "!=", "<", ">", "<=", ">=" };
	for (size_t i = 0; i < PGD_ARRAY_SIZE(cmps); i++) {
		if (strcmp(op, cmps[i]))
			continue;
		int k = ev_compare(c, l, r);
		if (k == INT_MIN)
			return ev->msg && ev->sqlstate[0] ? EV_ERROR : EV_UNSUPPORTED;
		bool res = i == 0 ? k == 0 : i <= 2 ? k != 0 : i == 3 ? k < 0
			   : i == 4 ? k > 0 : i == 5 ? k <= 0 : k >= 0;
		*out = ev_bool(res);
		return EV_OK;
	}
	if (!strcmp(op, "~") || !strcmp(op, "~*") || !strcmp(op, "!~") ||
	    !strcmp(op, "!~*")) {
		bool m = false;
		enum ev_stop st = regex_match(c, ev_to_text(c, l), ev_to_text(c, r),
					      strchr(op, '*') != NULL, &m);
		if (st)
			return st;
		*out = ev_bool(op[0] == '!' ? !m : m);
		return EV_OK;
	}
	if (!strcmp(op, "~~") || !strcmp(op, "~~*") || !strcmp(op, "!~~") ||
	    !strcmp(op, "!~~*")) {
		bool m = like_match(ev_to_text(c, l), ev_to_text(c, r), '\\',
				    strchr(op, '*') != NULL, 0);
		*out = ev_bool(op[0] == '!' ? !m : m);
		return EV_OK;
	}
	return ev_unsupported(c, "operator", "operator %s is not evaluated", op);
}

static const char *op_name(const PgQuery__AExpr *e)
{
	if (e->n_name == 1)
		return ev_str(e->name[0]);
	if (e->n_name == 2 && ev_str(e->name[0]) &&
	    !strcmp(ev_str(e->name[0]), "pg_catalog"))
		return ev_str(e->name[1]);
	return NULL;
}

/* LIKE with a like_escape(pattern, escape) right side. */
static enum ev_stop like_expr(struct ev_ctx *c, const PgQuery__AExpr *e,
			      const char *op, struct ev_val *out)
{
	struct ev_val l, p, esc = ev_null();
	enum ev_stop st;
	if ((st = ev_expr(c, e->lexpr, &l)))
		return st;
	const PgQuery__Node *rx = e->rexpr;
	if (rx && rx->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
		const PgQuery__FuncCall *f = rx->func_call;
		const char *schema, *fname = func_name(f, &schema);
		if (fname && !strcmp(fname, "like_escape") && f->n_args == 2) {
			if ((st = ev_expr(c, f->args[0], &p)) ||
			    (st = ev_expr(c, f->args[1], &esc)))
				return st;
			goto have;
		}
	}
	if ((st = ev_expr(c, rx, &p)))
		return st;
have:
	if (l.k == EV_NULL || p.k == EV_NULL) {
		*out = ev_null();
		return EV_OK;
	}
	char ec = '\\';
	if (esc.k != EV_NULL) {
		const char *es = ev_to_text(c, &esc);
		if (strlen(es) > 1)
			return ev_error(c, "22025", "invalid escape string");
		ec = es[0];
	}
	bool m = like_match(ev_to_text(c, &l), ev_to_text(c, &p), ec,
			    strchr(op, '*') != NULL, 0);
	*out = ev_bool(op[0] == '!' ? !m : m);
	return EV_OK;
}

/* x = ANY(array) and x IN (list). */
static enum ev_stop in_values(struct ev_ctx *c, const struct ev_val *l,
			      const struct ev_val *v, size_t n, const char *op,
			      bool all, struct ev_val *out)
{
	bool any_null = l->k == EV_NULL;
	bool res = all;
	for (size_t i = 0; i < n && !any_null; i++) {
		struct ev_val r;
		struct ev_val x = *l, y = v[i];
		enum ev_stop st = binop(c, op, &x, &y, &r);
		if (st)
			return st;
		if (r.k == EV_NULL) {
			any_null = true;
			continue;
		}
		if (r.b != all) {
			res = !all;
			*out = ev_bool(res);
			return EV_OK;
		}
	}
	*out = any_null ? ev_null() : ev_bool(res);
	return EV_OK;
}

static enum ev_stop a_expr(struct ev_ctx *c, const PgQuery__AExpr *e,
			   struct ev_val *out)
{
	struct ev_val l, r;
	enum ev_stop st;
	const char *op = op_name(e);
	if (!op)
		return ev_unsupported(c, "operator", "a qualified operator is not evaluated");
	switch (e->kind) {
	case PG_QUERY__A__EXPR__KIND__AEXPR_OP:
		if (!e->lexpr) {
			if ((st = ev_expr(c, e->rexpr, &r)))
				return st;
			if (!strcmp(op, "-") && r.k == EV_INT) {
				if (r.i == INT64_MIN)
					return ev_error(c, "22003", "integer out of range");
				*out = ev_int(-r.i);
				return EV_OK;
			}
			if (!strcmp(op, "+") && r.k == EV_INT) {
				*out = r;
				return EV_OK;
			}
			return ev_unsupported(c, "operator", "prefix %s is not evaluated", op);
		}
		if ((st = ev_expr(c, e->lexpr, &l)) || (st = ev_expr(c, e->rexpr, &r)))
			return st;
		return binop(c, op, &l, &r, out);
	case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
	case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
		return like_expr(c, e, op, out);
	case PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT:
	case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT: {
		if ((st = ev_expr(c, e->lexpr, &l)) || (st = ev_expr(c, e->rexpr, &r)))
			return st;
		bool distinct;
		if (l.k == EV_NULL || r.k == EV_NULL) {
			distinct = l.k != r.k;
		} else {
			int k = ev_compare(c, &l, &r);
			if (k == INT_MIN)
				return c->ev->sqlstate[0] ? EV_ERROR : EV_UNSUPPORTED;
			distinct = k != 0;
		}
		*out = ev_bool(e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT
				       ? distinct : !distinct);
		return EV_OK;
	}
	case PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF: {
		if ((st = ev_expr(c, e->lexpr, &l)) || (st = ev_expr(c, e->rexpr, &r)))
			return st;
		if (l.k != EV_NULL && r.k != EV_NULL) {
			int k = ev_compare(c, &l, &r);
			if (k == INT_MIN)
				return c->ev->sqlstate[0] ? EV_ERROR : EV_UNSUPPORTED;
			if (!k) {
				*out = ev_null();
				return EV_OK;
			}
		}
		*out = l;
		return EV_OK;
	}
	case PG_QUERY__A__EXPR__KIND__AEXPR_IN: {
		if ((st = ev_expr(c, e->lexpr, &l)))
			return st;
		if (!e->rexpr || e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST)
			return ev_unsupported(c, "IN", "this IN form is not evaluated");
		const PgQuery__List *li = e->rexpr->list;
		struct ev_val *v = ev_alloc(c->ev, li->n_items * sizeof(*v));
		for (size_t i = 0; i < li->n_items; i++)
			if ((st = ev_expr(c, li->items[i], &v[i])))
				return st;
		bool neg = !strcmp(op, "<>");
		return in_values(c, &l, v, li->n_items, neg ? "<>" : "=", neg, out);
	}
	case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
	case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL: {
		if ((st = ev_expr(c, e->lexpr, &l)) || (st = ev_expr(c, e->rexpr, &r)))
			return st;
		if (r.k == EV_NULL) {
			*out = ev_null();
			return EV_OK;
		}
		if (r.k != EV_ARRAY && (st = ev_cast(c, &r, "text[]")))
			return st;
		return in_values(c, &l, r.v, r.n, op,
				 e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL, out);
	}
	case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
	case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN: {
		if (!e->rexpr || e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST ||
		    e->rexpr->list->n_items != 2)
			return ev_unsupported(c, "BETWEEN", "this BETWEEN is not evaluated");
		struct ev_val lo, hi, a1, a2;
		if ((st = ev_expr(c, e->lexpr, &l)) ||
		    (st = ev_expr(c, e->rexpr->list->items[0], &lo)) ||
		    (st = ev_expr(c, e->rexpr->list->items[1], &hi)))
			return st;
		struct ev_val l2 = l;
		if ((st = binop(c, ">=", &l, &lo, &a1)) || (st = binop(c, "<=", &l2, &hi, &a2)))
			return st;
		if (a1.k == EV_NULL || a2.k == EV_NULL)
			*out = ev_null();
		else
			*out = ev_bool((a1.b && a2.b) ==
				       (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN));
		return EV_OK;
	}
	default:
		return ev_unsupported(c, "operator", "this operator form is not evaluated");
	}
}

static enum ev_stop bool_expr(struct ev_ctx *c, const PgQuery__BoolExpr *b,
			      struct ev_val *out)
{
	enum ev_stop st;
	struct ev_val v;
	if (b->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR) {
		if (b->n_args != 1)
			return ev_unsupported(c, "NOT", "NOT with several arguments");
		if ((st = ev_expr(c, b->args[0], &v)))
			return st;
		int t = ev_truth(c, &v);
		if (t == -2)
			return EV_ERROR;
		*out = t < 0 ? ev_null() : ev_bool(!t);
		return EV_OK;
	}
	bool is_and = b->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR;
	bool saw_null = false;
	for (size_t i = 0; i < b->n_args; i++) {
		if ((st = ev_expr(c, b->args[i], &v)))
			return st;
		int t = ev_truth(c, &v);
		if (t == -2)
			return EV_ERROR;
		if (t < 0)
			saw_null = true;
		else if (t != is_and) {
			*out = ev_bool(!is_and);
			return EV_OK;
		}
	}
	*out = saw_null ? ev_null() : ev_bool(is_and);
	return EV_OK;
}


static enum ev_stop column_ref(struct ev_ctx *c, const PgQuery__ColumnRef *cr,
			       struct ev_val *out)
{
	const char *f[4];
	size_t n = cr->n_fields;
	if (!n || n > 3)
		return ev_unsupported(c, "column reference", "this name is not evaluated");
	for (size_t i = 0; i < n; i++) {
		f[i] = ev_str(cr->fields[i]);
		if (!f[i])
			return ev_unsupported(c, "column reference", "* is not evaluated here");
	}
	/* query rows first, innermost scope first */
	for (const struct ev_scope *s = c->scope; s; s = s->outer) {
		for (size_t i = 0; i < s->nrels; i++) {
			const struct ev_rel *rel = s->rels[i];
			if (n == 2 && (!rel->alias || strcmp(rel->alias, f[0])))
				continue;
			if (n == 3)
				continue;
			for (size_t j = 0; j < rel->ncols; j++) {
				if (strcmp(rel->cols[j], f[n - 1]))
					continue;
				*out = s->cur && s->cur[i] ? s->cur[i][j] : ev_null();
				return EV_OK;
			}
		}
		/* ORDER BY and HAVING may name an output column */
		if (n == 1)
			for (size_t j = 0; j < s->ntargets; j++)
				if (s->tnames[j] && !strcmp(s->tnames[j], f[0]) && s->tvals) {
					*out = s->tvals[j];
					return EV_OK;
				}
	}
	bool found = false;
	enum ev_stop st = ev_frame_var(c, f, n, out, &found);
	if (st || found)
		return st;
	if (n == 1)
		return ev_error(c, "42703", "column \"%s\" does not exist", f[0]);
	return ev_error(c, "42703", "column %s.%s does not exist", f[n - 2], f[n - 1]);
}

static enum ev_stop func_call(struct ev_ctx *c, const PgQuery__FuncCall *f,
			      struct ev_val *out)
{
	struct pgd_eval *ev = c->ev;
	const char *schema, *name = func_name(f, &schema);
	if (!name)
		return ev_unsupported(c, "function call", "this function name is not evaluated");
	if (f->over)
		return ev_unsupported(c, "window function", "window functions are not evaluated");
	if ((!schema || !strcmp(schema, "pg_catalog")) && is_aggregate(name))
		return aggregate(c, f, name, out);
	if (f->agg_star)
		return ev_unsupported(c, "function call", "%s(*)", name);
	size_t n = f->n_args;
	struct ev_val *a = ev_alloc(ev, (n + 1) * sizeof(*a));
	const char **names = ev_alloc(ev, (n + 1) * sizeof(*names));
	bool named = false;
	enum ev_stop st;
	for (size_t i = 0; i < n; i++) {
		const PgQuery__Node *arg = f->args[i];
		if (arg->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
			names[i] = arg->named_arg_expr->name;
			arg = arg->named_arg_expr->arg;
			named = true;
		}
		if ((st = ev_expr(c, arg, &a[i])))
			return st;
	}
	if (f->func_variadic)
		return ev_unsupported(c, "function call", "VARIADIC arguments");
	struct ev_func *fn = ev_find_func(c, schema, name, n, named ? names : NULL);
	if (fn)
		return ev_call(c, fn, a, named ? names : NULL, n, out);
	if (schema && strcmp(schema, "pg_catalog") != 0)
		return ev_unsupported(c, "function call", "%s.%s() is not a function "
				      "the migrations define", schema, name);
	if (named)
		return ev_unsupported(c, "function call", "named arguments to %s()", name);
	bool handled;
	st = builtin(c, name, a, n, &handled, out);
	if (st || handled)
		return st;
	/* a function the migrations defined but dropped, or called with
	 * arguments none of its definitions takes */
	size_t np;
	const char *const *sp = ev_search_path(ev, &np);
	for (size_t i = 0; i < np; i++)
		if (pgd_eval_knows(ev, sp[i], name))
			return ev_error(c, "42883", "function %s() does not exist", name);
	return ev_unsupported(c, "function call", "%s() is not evaluated", name);
}

static enum ev_stop sublink(struct ev_ctx *c, const PgQuery__SubLink *sl,
			    struct ev_val *out)
{
	if (!sl->subselect || sl->subselect->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		return ev_unsupported(c, "sub-select", "this sub-select is not evaluated");
	struct ev_val *rows;
	size_t nrows;
	enum ev_stop st = ev_select(c, sl->subselect->select_stmt, &rows, &nrows);
	if (st)
		return st;
	switch (sl->sub_link_type) {
	case PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK:
		*out = ev_bool(nrows > 0);
		return EV_OK;
	case PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK:
		if (nrows > 1)
			return ev_error(c, "21000", "more than one row returned by a "
					"subquery used as an expression");
		*out = nrows ? rows[0].v[0] : ev_null();
		return EV_OK;
	case PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK: {
		struct ev_val *v = ev_alloc(c->ev, (nrows + 1) * sizeof(*v));
		for (size_t i = 0; i < nrows; i++)
			v[i] = rows[i].v[0];
		*out = make_array(c->ev, v, nrows, NULL);
		return EV_OK;
	}
	case PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK: {
		struct ev_val l;
		if ((st = ev_expr(c, sl->testexpr, &l)))
			return st;
		struct ev_val *v = ev_alloc(c->ev, (nrows + 1) * sizeof(*v));
		for (size_t i = 0; i < nrows; i++)
			v[i] = rows[i].v[0];
		const char *op = "=";
		if (sl->n_oper_name == 1 && ev_str(sl->oper_name[0]))
			op = ev_str(sl->oper_name[0]);
		return in_values(c, &l, v, nrows, op, false, out);
	}
	default:
		return ev_unsupported(c, "sub-select", "this sub-select is not evaluated");
	}
}

static enum ev_stop const_val(struct ev_ctx *c, const PgQuery__AConst *k,
			      struct ev_val *out)
{
	if (k->isnull) {
		*out = ev_null();
		return EV_OK;
	}
	switch (k->val_case) {
	case PG_QUERY__A__CONST__VAL_IVAL:
		*out = ev_int(k->ival->ival);
		return EV_OK;
	case PG_QUERY__A__CONST__VAL_SVAL:
		*out = ev_text(c->ev, k->sval->sval);
		out->type = "unknown";
		return EV_OK;
	case PG_QUERY__A__CONST__VAL_BOOLVAL:
		*out = ev_bool(k->boolval->boolval);
		return EV_OK;
	case PG_QUERY__A__CONST__VAL_FVAL: {
		int64_t i;
		if (parse_int(k->fval->fval, &i)) {
			*out = ev_int(i);
			out->type = "int8";
			return EV_OK;
		}
		return ev_unsupported(c, "numeric constant", "numeric constants are "
				      "not evaluated");
	}
	default:
		return ev_unsupported(c, "constant", "this constant is not evaluated");
	}
}

enum ev_stop ev_expr(struct ev_ctx *c, const PgQuery__Node *n, struct ev_val *out)
{
	enum ev_stop st;
	struct pgd_eval *ev = c->ev;
	*out = ev_null();
	if (!n)
		return ev_unsupported(c, "expression", "an empty expression");
	if ((st = ev_step(c)))
		return st;
	if (++ev->depth > ev->lim.depth + 200) {
		ev->depth--;
		return ev_unsupported(c, "recursion limit", "expression nested too deeply");
	}
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_A_CONST:
		st = const_val(c, n->a_const, out);
		break;
	case PG_QUERY__NODE__NODE_TYPE_CAST: {
		const char *tn = type_name(ev, n->type_cast->type_name);
		if (!tn) {
			st = ev_unsupported(c, "cast", "a cast to this type is not evaluated");
			break;
		}
		if ((st = ev_expr(c, n->type_cast->arg, out)))
			break;
		st = ev_cast(c, out, tn);
		break;
	}
	case PG_QUERY__NODE__NODE_COLUMN_REF:
		st = column_ref(c, n->column_ref, out);
		break;
	case PG_QUERY__NODE__NODE_PARAM_REF: {
		int k = n->param_ref->number;
		if (c->params && k >= 1 && (size_t)k <= c->nparams) {
			*out = c->params[k - 1];
			st = EV_OK;
		} else {
			const char *f[1];
			char buf[16];
			snprintf(buf, sizeof(buf), "$%d", k);
			f[0] = buf;
			bool found = false;
			st = ev_frame_var(c, f, 1, out, &found);
			if (!st && !found)
				st = ev_error(c, "42P02", "there is no parameter $%d", k);
		}
		break;
	}
	case PG_QUERY__NODE__NODE_A_EXPR:
		st = a_expr(c, n->a_expr, out);
		break;
	case PG_QUERY__NODE__NODE_BOOL_EXPR:
		st = bool_expr(c, n->bool_expr, out);
		break;
	case PG_QUERY__NODE__NODE_NULL_TEST: {
		struct ev_val v;
		if ((st = ev_expr(c, n->null_test->arg, &v)))
			break;
		bool isnull = v.k == EV_NULL;
		if (v.k == EV_REC) {
			/* a row IS NULL when every field is */
			bool all = true, none = true;
			for (size_t i = 0; i < v.n; i++) {
				all = all && v.v[i].k == EV_NULL;
				none = none && v.v[i].k != EV_NULL;
			}
			*out = ev_bool(n->null_test->nulltesttype ==
				       PG_QUERY__NULL_TEST_TYPE__IS_NULL ? all : none);
			break;
		}
		*out = ev_bool(n->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NULL
				       ? isnull : !isnull);
		break;
	}
	case PG_QUERY__NODE__NODE_BOOLEAN_TEST: {
		struct ev_val v;
		if ((st = ev_expr(c, n->boolean_test->arg, &v)))
			break;
		int t = ev_truth(c, &v);
		if (t == -2) {
			st = EV_ERROR;
			break;
		}
		bool r;
		switch (n->boolean_test->booltesttype) {
		case PG_QUERY__BOOL_TEST_TYPE__IS_TRUE: r = t == 1; break;
		case PG_QUERY__BOOL_TEST_TYPE__IS_NOT_TRUE: r = t != 1; break;
		case PG_QUERY__BOOL_TEST_TYPE__IS_FALSE: r = t == 0; break;
		case PG_QUERY__BOOL_TEST_TYPE__IS_NOT_FALSE: r = t != 0; break;
		case PG_QUERY__BOOL_TEST_TYPE__IS_UNKNOWN: r = t < 0; break;
		default: r = t >= 0; break;
		}
		*out = ev_bool(r);
		break;
	}
	case PG_QUERY__NODE__NODE_FUNC_CALL:
		st = func_call(c, n->func_call, out);
		break;
	case PG_QUERY__NODE__NODE_CASE_EXPR: {
		const PgQuery__CaseExpr *ce = n->case_expr;
		struct ev_val test = ev_null();
		if (ce->arg && (st = ev_expr(c, ce->arg, &test)))
			break;
		st = EV_OK;
		bool done = false;
		for (size_t i = 0; i < ce->n_args && !done && !st; i++) {
			const PgQuery__CaseWhen *w = ce->args[i]->case_when;
			struct ev_val cond;
			if (!w) {
				st = ev_unsupported(c, "CASE", "a CASE arm");
				break;
			}
			if ((st = ev_expr(c, w->expr, &cond)))
				break;
			int t;
			if (ce->arg) {
				struct ev_val r, x = test;
				if ((st = binop(c, "=", &x, &cond, &r)))
					break;
				t = r.k == EV_BOOL && r.b;
			} else {
				t = ev_truth(c, &cond);
				if (t == -2) {
					st = EV_ERROR;
					break;
				}
			}
			if (t == 1) {
				st = ev_expr(c, w->result, out);
				done = true;
			}
		}
		if (!st && !done && ce->defresult)
			st = ev_expr(c, ce->defresult, out);
		break;
	}
	case PG_QUERY__NODE__NODE_COALESCE_EXPR: {
		const PgQuery__CoalesceExpr *ce = n->coalesce_expr;
		st = EV_OK;
		for (size_t i = 0; i < ce->n_args; i++) {
			if ((st = ev_expr(c, ce->args[i], out)))
				break;
			if (out->k != EV_NULL)
				break;
		}
		break;
	}
	case PG_QUERY__NODE__NODE_MIN_MAX_EXPR: {
		const PgQuery__MinMaxExpr *mm = n->min_max_expr;
		bool greatest = mm->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST;
		st = EV_OK;
		for (size_t i = 0; i < mm->n_args; i++) {
			struct ev_val v;
			if ((st = ev_expr(c, mm->args[i], &v)))
				break;
			if (v.k == EV_NULL)
				continue;
			if (out->k == EV_NULL) {
				*out = v;
				continue;
			}
			int k = ev_compare(c, &v, out);
			if (k == INT_MIN) {
				st = ev->sqlstate[0] ? EV_ERROR : EV_UNSUPPORTED;
				break;
			}
			if (greatest ? k > 0 : k < 0)
				*out = v;
		}
		break;
	}
	case PG_QUERY__NODE__NODE_A_ARRAY_EXPR: {
		const PgQuery__AArrayExpr *ae = n->a_array_expr;
		struct ev_val *v = ev_alloc(ev, (ae->n_elements + 1) * sizeof(*v));
		st = EV_OK;
		for (size_t i = 0; i < ae->n_elements && !st; i++)
			st = ev_expr(c, ae->elements[i], &v[i]);
		if (!st)
			*out = make_array(ev, v, ae->n_elements, NULL);
		break;
	}
	case PG_QUERY__NODE__NODE_SUB_LINK:
		st = sublink(c, n->sub_link, out);
		break;
	case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION: {
		bool handled;
		switch (n->sqlvalue_function->op) {
		case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_USER:
		case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_ROLE:
		case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_SESSION_USER:
		case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_USER:
			st = builtin(c, "current_user", NULL, 0, &handled, out);
			break;
		case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA:
			st = builtin(c, "current_schema", NULL, 0, &handled, out);
			break;
		default:
			st = ev_unsupported(c, "SQL value function", "dates and times "
					    "are not evaluated");
		}
		break;
	}
	case PG_QUERY__NODE__NODE_A_INDIRECTION: {
		const PgQuery__AIndirection *ai = n->a_indirection;
		if ((st = ev_expr(c, ai->arg, out)))
			break;
		for (size_t i = 0; i < ai->n_indirection && !st; i++) {
			const PgQuery__Node *ind = ai->indirection[i];
			if (ind->node_case == PG_QUERY__NODE__NODE_STRING && out->k == EV_REC) {
				size_t j;
				for (j = 0; j < out->n; j++)
					if (!strcmp(out->names[j], ind->string->sval))
						break;
				if (j == out->n) {
					st = ev_error(c, "42703", "record has no field \"%s\"",
						      ind->string->sval);
					break;
				}
				*out = out->v[j];
				continue;
			}
			if (ind->node_case != PG_QUERY__NODE__NODE_A_INDICES ||
			    ind->a_indices->is_slice || !ind->a_indices->uidx) {
				st = ev_unsupported(c, "subscript", "this subscript is not evaluated");
				break;
			}
			struct ev_val k;
			if ((st = ev_expr(c, ind->a_indices->uidx, &k)))
				break;
			if (out->k == EV_NULL || k.k == EV_NULL) {
				*out = ev_null();
				continue;
			}
			if (out->k != EV_ARRAY || (st = ev_cast(c, &k, "int8"))) {
				if (!st)
					st = ev_unsupported(c, "subscript", "a subscript of a non-array");
				break;
			}
			*out = (k.i >= 1 && (uint64_t)k.i <= out->n) ? out->v[k.i - 1] : ev_null();
		}
		break;
	}
	case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
		st = ev_expr(c, n->collate_clause->arg, out);
		break;
	default: {
		const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(
			&pg_query__node__descriptor, (unsigned)n->node_case);
		st = ev_unsupported(c, "expression", "%s expressions are not evaluated",
				    fd ? fd->name : "these");
	}
	}
	ev->depth--;
	return st;
}

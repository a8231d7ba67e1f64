/*
 * expr.c - canonical expressions.
 *
 * PostgreSQL stores expressions analyzed and prints them back through
 * ruleutils.c; a migration has them as typed. To compare the two we parse
 * both (the catalog's text too), rewrite both trees into one canonical
 * shape, and deparse. The rewrites, each symmetrical (applying one to
 * server output leaves it unchanged):
 *  - casts on constants go, and the constant takes the cast's type where it
 *    is a number or boolean ('-1'::integer == -1, 't'::boolean == true);
 *    casts on arrays of constants and text casts on columns and scalar
 *    sub-selects (what the server adds to varchar values) go too;
 *  - x IN (a, b) becomes x = ANY (ARRAY[a, b]); NOT IN becomes <> ALL;
 *    BETWEEN becomes two comparisons joined by AND (NOT BETWEEN: OR);
 *  - type names become pg_catalog internal names or schema.name;
 *  - function names are schema-qualified unless they live in pg_catalog;
 *    nextval('seq') gets the sequence's schema;
 *  - inside a sub-select every column is qualified by its relation's
 *    reference name, as ruleutils does when more than one relation is in
 *    scope; at the top level a column qualified by the expression's own
 *    table loses the qualifier, and relations in FROM get their schema.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pb.h"
#include "pgdrift/platform.h"
#include "pgdrift/strbuf.h"
#include "pgq.h"

#define MAX_DEPTH 1000

struct scope_item {
	const char *refname;    /* alias, or relation name */
	struct pgd_table *table; /* NULL: columns unknown */
	const char *written;    /* the name the text used, when refname is
				   one ruleutils gave it to stay unique */
};

struct frame {
	struct scope_item *items;
	size_t n, alloc;
};

struct cx {
	const struct pgd_nctx *ctx;
	struct frame *frames;
	size_t nframes, aframes;
	struct pgd_strbuf *err;
	int depth;
	bool failed;
};

static void canon_node(struct cx *cx, PgQuery__Node **np);
static void walk_msg(struct cx *cx, ProtobufCMessage *msg);

static void fail(struct cx *cx, const char *msg)
{
	if (!cx->failed)
		pgd_strbuf_addstr(cx->err, msg);
	cx->failed = true;
}

/* ---- node construction (malloc, so __free_unpacked can free them) */

PgQuery__Node *pgd_pgq_make_str(const char *s)
{
	PgQuery__Node *n = pgd_xmalloc(sizeof(*n));
	pg_query__node__init(n);
	n->node_case = PG_QUERY__NODE__NODE_STRING;
	n->string = pgd_xmalloc(sizeof(*n->string));
	pg_query__string__init(n->string);
	n->string->sval = pgd_xstrdup(s);
	return n;
}

void pgd_pgq_free_node(PgQuery__Node *n)
{
	if (n)
		pgd_pb_free(&n->base);
}

static void set_string(char **field, const char *s)
{
	if (*field && *field != protobuf_c_empty_string)
		free(*field);
	*field = pgd_xstrdup(s);
}

static PgQuery__Node *copy_node(const PgQuery__Node *n)
{
	size_t len = pg_query__node__get_packed_size(n);
	uint8_t *buf = pgd_xmalloc(len);
	pg_query__node__pack(n, buf);
	PgQuery__Node *c = pg_query__node__unpack(NULL, len, buf);
	free(buf);
	if (!c)
		PGD_BUG("cannot copy a parse tree node");
	return c;
}

static PgQuery__Node *make_aexpr(const char *op, PgQuery__Node *l,
				 PgQuery__Node *r)
{
	PgQuery__Node *n = pgd_xmalloc(sizeof(*n));
	pg_query__node__init(n);
	n->node_case = PG_QUERY__NODE__NODE_A_EXPR;
	n->a_expr = pgd_xmalloc(sizeof(*n->a_expr));
	pg_query__a__expr__init(n->a_expr);
	n->a_expr->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
	n->a_expr->n_name = 1;
	n->a_expr->name = pgd_xmalloc(sizeof(PgQuery__Node *));
	n->a_expr->name[0] = pgd_pgq_make_str(op);
	n->a_expr->lexpr = l;
	n->a_expr->rexpr = r;
	return n;
}

static PgQuery__Node *make_bool2(PgQuery__BoolExprType op, PgQuery__Node *a,
				 PgQuery__Node *b)
{
	PgQuery__Node *n = pgd_xmalloc(sizeof(*n));
	pg_query__node__init(n);
	n->node_case = PG_QUERY__NODE__NODE_BOOL_EXPR;
	n->bool_expr = pgd_xmalloc(sizeof(*n->bool_expr));
	pg_query__bool_expr__init(n->bool_expr);
	n->bool_expr->boolop = op;
	n->bool_expr->n_args = 2;
	n->bool_expr->args = pgd_xmalloc(2 * sizeof(PgQuery__Node *));
	n->bool_expr->args[0] = a;
	n->bool_expr->args[1] = b;
	return n;
}

/* ---- generic traversal over protobuf-c descriptors */

static void walk_field(struct cx *cx, const ProtobufCFieldDescriptor *f,
		       void **slot)
{
	if (!*slot)
		return;
	if (f->descriptor == &pg_query__node__descriptor)
		canon_node(cx, (PgQuery__Node **)slot);
	else
		walk_msg(cx, *slot);
}

static void walk_msg(struct cx *cx, ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	char *base = (char *)msg;
	for (unsigned i = 0; i < d->n_fields && !cx->failed; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t which = *(uint32_t *)(base + f->quantifier_offset);
			if (which != f->id)
				continue;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(size_t *)(base + f->quantifier_offset);
			void **arr = *(void ***)(base + f->offset);
			for (size_t k = 0; k < n; k++)
				walk_field(cx, f, &arr[k]);
		} else {
			walk_field(cx, f, (void **)(base + f->offset));
		}
	}
}

/* Replaces *np by child (detached from *np by the caller) and frees *np. */
static void replace(PgQuery__Node **np, PgQuery__Node *child)
{
	PgQuery__Node *old = *np;
	*np = child;
	pgd_pgq_free_node(old);
}

/* ---- names */

static const char *internal_type(const char *name)
{
	static const struct {
		const char *alias, *internal;
	} map[] = {
		{ "int", "int4" },         { "integer", "int4" },
		{ "smallint", "int2" },    { "bigint", "int8" },
		{ "real", "float4" },      { "float", "float8" },
		{ "double precision", "float8" }, { "boolean", "bool" },
		{ "decimal", "numeric" },  { "character varying", "varchar" },
		{ "character", "bpchar" },
	};
	for (size_t i = 0; i < PGD_ARRAY_SIZE(map); i++)
		if (strcmp(map[i].alias, name) == 0)
			return map[i].internal;
	return name;
}

static const char *const builtin_internal[] = {
	"bool", "bpchar", "bytea", "cidr", "date", "float4", "float8", "inet",
	"int2", "int4", "int8", "interval", "json", "jsonb", "macaddr", "money",
	"name", "numeric", "oid", "regclass", "regproc", "regtype", "text",
	"time", "timestamp", "timestamptz", "timetz", "tsquery", "tsvector",
	"uuid", "varbit", "bit", "varchar", "xml", "jsonpath", "char",
};

static bool is_builtin_internal(const char *name)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(builtin_internal); i++)
		if (strcmp(builtin_internal[i], name) == 0)
			return true;
	return false;
}

static void set_names(size_t *n, PgQuery__Node ***names, const char *a,
		      const char *b)
{
	for (size_t i = 0; i < *n; i++)
		pgd_pgq_free_node((*names)[i]);
	free(*names);
	*n = a ? 2 : 1;
	*names = pgd_xmalloc(*n * sizeof(PgQuery__Node *));
	size_t k = 0;
	if (a)
		(*names)[k++] = pgd_pgq_make_str(a);
	(*names)[k] = pgd_pgq_make_str(b);
}

/* Canonical names for a type in a cast: pg_catalog.internal or schema.name */
static void canon_typename(struct cx *cx, PgQuery__TypeName *tn)
{
	const char *schema = NULL, *name = NULL;
	if (tn->n_names == 1)
		name = pgd_pgq_str(tn->names[0]);
	else if (tn->n_names == 2) {
		schema = pgd_pgq_str(tn->names[0]);
		name = pgd_pgq_str(tn->names[1]);
	}
	if (!name)
		return;
	if (schema && strcmp(schema, "pg_catalog") != 0)
		return; /* already qualified */
	char *nm = pgd_xstrdup(internal_type(name));
	if (is_builtin_internal(nm)) {
		set_names(&tn->n_names, &tn->names, "pg_catalog", nm);
	} else if (!schema) {
		int serial;
		struct pgd_strbuf e = PGD_STRBUF_INIT;
		char *full = pgd_norm_typename(cx->ctx, tn, &serial, &e);
		pgd_strbuf_release(&e);
		/* pgd_norm_typename qualified it when it knows the type */
		const char *dot = full ? strchr(full, '.') : NULL;
		if (dot && full[0] != '"') {
			char *sch = pgd_xstrndup(full, (size_t)(dot - full));
			set_names(&tn->n_names, &tn->names, sch, nm);
			free(sch);
		}
		free(full);
	}
	free(nm);
}

static const char *resolve_function(const struct pgd_nctx *ctx, const char *name)
{
	if (ctx->model)
		for (size_t i = 0; i < ctx->nsearch_path; i++) {
			const char *s = ctx->search_path[i];
			if (strcmp(s, "pg_catalog") == 0)
				return NULL;
			if (pgd_schema_find_function_name(ctx->model, s, name))
				return s;
		}
	/* a member of an extension the migrations do not define: the
	 * server resolved it in the extension's schema */
	const char *ext = pgd_platform_extension_of(PGD_PM_FUNCTION, name);
	return ext ? pgd_norm_extension_schema(ctx, ext) : NULL;
}

const char *pgd_norm_resolve_rel(const struct pgd_nctx *ctx, const char *name)
{
	if (!ctx->model)
		return NULL;
	for (size_t i = 0; i < ctx->nsearch_path; i++)
		if (pgd_schema_find_rel(ctx->model, ctx->search_path[i], name))
			return ctx->search_path[i];
	return NULL;
}

/* ---- constants as the server prints them back */

/*
 * A decimal literal as numeric_out() prints the value numeric_in() reads
 * from it: 1e3 is 1000, 1.50e-3 is 0.00150, .5 is 0.5, 007 is 7 (the
 * scale is the digits after the point less the exponent, never below 0).
 * Malloc'd, or NULL when s is not a plain decimal literal.
 */
static char *numeric_text(const char *s)
{
	const char *p = s;
	bool neg = false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	struct pgd_strbuf digits = PGD_STRBUF_INIT;
	long dscale = 0;
	bool point = false, any = false;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			pgd_strbuf_addch(&digits, *p);
			any = true;
			if (point)
				dscale++;
		} else if (*p == '.' && !point) {
			point = true;
		} else {
			break;
		}
	}
	long exp = 0;
	if (any && (*p == 'e' || *p == 'E')) {
		char *end;
		errno = 0;
		exp = strtol(p + 1, &end, 10);
		if (end == p + 1 || errno || exp > 1000 || exp < -1000)
			any = false;
		p = end;
	}
	if (!any || *p) {
		pgd_strbuf_release(&digits);
		return NULL;
	}
	long scale = dscale - exp; /* digits right of the point */
	if (scale < 0) {
		for (long i = 0; i < -scale; i++)
			pgd_strbuf_addch(&digits, '0');
		scale = 0;
	}
	if ((long)digits.len <= scale) { /* at least one integer digit */
		struct pgd_strbuf padded = PGD_STRBUF_INIT;
		for (long i = (long)digits.len; i <= scale; i++)
			pgd_strbuf_addch(&padded, '0');
		pgd_strbuf_addstr(&padded, digits.buf);
		pgd_strbuf_release(&digits);
		digits = padded;
	}
	size_t ilen = digits.len - (size_t)scale, skip = 0;
	while (skip + 1 < ilen && digits.buf[skip] == '0')
		skip++;
	bool zero = strspn(digits.buf, "0") == digits.len;
	struct pgd_strbuf out = PGD_STRBUF_INIT;
	if (neg && !zero)
		pgd_strbuf_addch(&out, '-');
	pgd_strbuf_add(&out, digits.buf + skip, ilen - skip);
	if (scale) {
		pgd_strbuf_addch(&out, '.');
		pgd_strbuf_addstr(&out, digits.buf + ilen);
	}
	pgd_strbuf_release(&digits);
	return pgd_strbuf_detach(&out, NULL);
}

/* Reads n digits at *p; -1 when they are not there. */
static long take_digits(const char **p, int min, int max)
{
	long v = 0;
	int k = 0;
	while (k < max && (*p)[k] >= '0' && (*p)[k] <= '9')
		v = v * 10 + ((*p)[k++] - '0');
	if (k < min)
		return -1;
	*p += k;
	return v;
}

/* "H:MM[:SS[.frac]]" as time_out() prints it, appended to out; false when
 * the text is in some other form (left alone). */
static bool time_text(const char *p, struct pgd_strbuf *out)
{
	long h = take_digits(&p, 1, 2), mi = -1, sec = 0;
	if (h < 0 || *p++ != ':' || (mi = take_digits(&p, 2, 2)) < 0)
		return false;
	const char *frac = NULL;
	size_t nfrac = 0;
	if (*p == ':') {
		p++;
		if ((sec = take_digits(&p, 2, 2)) < 0)
			return false;
		if (*p == '.') {
			frac = ++p;
			while (*p >= '0' && *p <= '9')
				p++;
			nfrac = (size_t)(p - frac);
			if (nfrac > 6)
				return false; /* rounding: leave it to the server */
			while (nfrac && frac[nfrac - 1] == '0')
				nfrac--;
		}
	}
	if (*p || h > 23 || mi > 59 || sec > 59)
		return false;
	pgd_strbuf_addf(out, "%02ld:%02ld:%02ld", h, mi, sec);
	if (nfrac) {
		pgd_strbuf_addch(out, '.');
		pgd_strbuf_add(out, frac, nfrac);
	}
	return true;
}

/* An ISO time or timestamp literal as time_out()/timestamp_out() print it
 * (DateStyle ISO): '12:00' is '12:00:00', '2024-01-01' on a timestamp is
 * '2024-01-01 00:00:00'. Malloc'd, or NULL for any other form. */
static char *datetime_text(const char *s, bool with_date)
{
	struct pgd_strbuf out = PGD_STRBUF_INIT;
	const char *p = s;
	if (with_date) {
		const char *d = p;
		long y = take_digits(&p, 4, 4), mo = -1, dd = -1;
		if (y < 0 || *p++ != '-' || (mo = take_digits(&p, 2, 2)) < 1 ||
		    mo > 12 || *p++ != '-' || (dd = take_digits(&p, 2, 2)) < 1 ||
		    dd > 31)
			goto fail;
		pgd_strbuf_add(&out, d, 10);
		pgd_strbuf_addch(&out, ' ');
		if (!*p) {
			pgd_strbuf_addstr(&out, "00:00:00");
			return pgd_strbuf_detach(&out, NULL);
		}
		if (*p != ' ' && *p != 'T')
			goto fail;
		p++;
	}
	if (time_text(p, &out))
		return pgd_strbuf_detach(&out, NULL);
fail:
	pgd_strbuf_release(&out);
	return NULL;
}

/* Bit-string constants (B'101', X'F') are stored as bit values and
 * printed back as '101'::bit: a plain string of binary digits. */
static void canon_const(PgQuery__AConst *c)
{
	if (c->isnull)
		return;
	if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL && c->fval &&
	    c->fval->fval) {
		char *t = numeric_text(c->fval->fval);
		if (t) {
			free(c->fval->fval);
			c->fval->fval = t;
		}
	} else if (c->val_case == PG_QUERY__A__CONST__VAL_BSVAL && c->bsval &&
		   c->bsval->bsval) {
		const char *b = c->bsval->bsval;
		struct pgd_strbuf bits = PGD_STRBUF_INIT;
		bool ok = true;
		if (*b == 'b' || *b == 'B') {
			for (const char *p = b + 1; *p && ok; p++) {
				ok = *p == '0' || *p == '1';
				pgd_strbuf_addch(&bits, *p);
			}
		} else if (*b == 'x' || *b == 'X') {
			for (const char *p = b + 1; *p && ok; p++) {
				int v = *p >= '0' && *p <= '9' ? *p - '0'
				      : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
				      : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;
				ok = v >= 0;
				for (int k = 3; ok && k >= 0; k--)
					pgd_strbuf_addch(&bits, (v >> k) & 1 ? '1' : '0');
			}
		} else {
			ok = false;
		}
		if (ok) {
			PgQuery__String *sv = pgd_xmalloc(sizeof(*sv));
			pg_query__string__init(sv);
			sv->sval = pgd_strbuf_detach(&bits, NULL);
			protobuf_c_message_free_unpacked(&c->bsval->base, NULL);
			c->val_case = PG_QUERY__A__CONST__VAL_SVAL;
			c->sval = sv;
		}
		pgd_strbuf_release(&bits);
	}
}

/* ---- rules */

static bool is_numeric_type(const char *t)
{
	return !strcmp(t, "int2") || !strcmp(t, "int4") || !strcmp(t, "int8") ||
	       !strcmp(t, "numeric") || !strcmp(t, "float4") ||
	       !strcmp(t, "float8");
}

/* Gives a constant the value the cast's type reads it as. */
/*
 * An interval literal as interval_out prints it (IntervalStyle postgres):
 * '1 month' is '1 mon', '2 hours 30 minutes' is '02:30:00', '1 week' is
 * '7 days'. Only whole quantities of the usual units (and fractional
 * seconds); anything else gives NULL and the text stays as written.
 * Malloc'd.
 */
static char *interval_text(const char *s)
{
	static const struct {
		const char *name;
		int field; /* 0 months, 1 days, 2 microseconds */
		long long mult;
	} units[] = {
		{ "millennium", 0, 12000 }, { "millenniums", 0, 12000 }, { "millennia", 0, 12000 },
		{ "century", 0, 1200 }, { "centuries", 0, 1200 }, { "decade", 0, 120 },
		{ "decades", 0, 120 }, { "year", 0, 12 }, { "years", 0, 12 }, { "y", 0, 12 },
		{ "yr", 0, 12 }, { "yrs", 0, 12 }, { "month", 0, 1 }, { "months", 0, 1 },
		{ "mon", 0, 1 }, { "mons", 0, 1 }, { "week", 1, 7 }, { "weeks", 1, 7 },
		{ "w", 1, 7 }, { "day", 1, 1 }, { "days", 1, 1 }, { "d", 1, 1 },
		{ "hour", 2, 3600000000LL }, { "hours", 2, 3600000000LL }, { "h", 2, 3600000000LL },
		{ "hr", 2, 3600000000LL }, { "hrs", 2, 3600000000LL },
		{ "minute", 2, 60000000LL }, { "minutes", 2, 60000000LL }, { "min", 2, 60000000LL },
		{ "mins", 2, 60000000LL }, { "m", 2, 60000000LL },
		{ "second", 2, 1000000LL }, { "seconds", 2, 1000000LL }, { "sec", 2, 1000000LL },
		{ "secs", 2, 1000000LL }, { "s", 2, 1000000LL },
		{ "millisecond", 2, 1000LL }, { "milliseconds", 2, 1000LL }, { "ms", 2, 1000LL },
		{ "microsecond", 2, 1LL }, { "microseconds", 2, 1LL }, { "us", 2, 1LL },
	};
	long long f[3] = { 0, 0, 0 };
	const char *p = s;
	bool any = false;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		char *end;
		errno = 0;
		double v = strtod(p, &end);
		if (end == p || errno)
			return NULL;
		p = end;
		while (*p == ' ')
			p++;
		const char *u = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			p++;
		size_t ul = (size_t)(p - u);
		if (!ul)
			return NULL;
		size_t k = 0;
		for (; k < PGD_ARRAY_SIZE(units); k++)
			if (strlen(units[k].name) == ul && !strncasecmp(units[k].name, u, ul))
				break;
		if (k == PGD_ARRAY_SIZE(units))
			return NULL;
		double x = v * (double)units[k].mult;
		if (x != (double)(long long)x || x > 1e15 || x < -1e15)
			return NULL; /* a fraction PostgreSQL would spread over units */
		f[units[k].field] += (long long)x;
		any = true;
	}
	if (!any)
		return NULL;
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	bool is_zero = true, is_before = false;
	long long parts[3] = { f[0] / 12, f[0] % 12, f[1] };
	static const char *const names[3] = { "year", "mon", "day" };
	for (int i = 0; i < 3; i++) {
		if (!parts[i])
			continue;
		pgd_strbuf_addf(&sb, "%s%s%lld %s%s", is_zero ? "" : " ",
				!is_zero && is_before && parts[i] > 0 ? "+" : "",
				parts[i], names[i], parts[i] != 1 ? "s" : "");
		is_before = parts[i] < 0;
		is_zero = false;
	}
	long long us = f[2];
	if (us || is_zero) {
		bool minus = us < 0;
		unsigned long long a = minus ? (unsigned long long)(-us) : (unsigned long long)us;
		unsigned long long h = a / 3600000000ULL, m = a / 60000000ULL % 60,
				   sec = a / 1000000ULL % 60, frac = a % 1000000ULL;
		pgd_strbuf_addf(&sb, "%s%s%02llu:%02llu:%02llu", is_zero ? "" : " ",
				minus ? "-" : is_before ? "+" : "", h, m, sec);
		if (frac) {
			char buf[8];
			snprintf(buf, sizeof(buf), "%06llu", frac);
			size_t n = 6;
			while (n && buf[n - 1] == '0')
				buf[--n] = '\0';
			pgd_strbuf_addf(&sb, ".%s", buf);
		}
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static void fold_const(PgQuery__AConst *c, const char *type)
{
	if (c->isnull || c->val_case != PG_QUERY__A__CONST__VAL_SVAL ||
	    !c->sval)
		return;
	const char *s = c->sval->sval;
	if (!strcmp(type, "jsonb")) {
		char *canon = pgd_norm_jsonb_text(s);
		if (canon) {
			free(c->sval->sval);
			c->sval->sval = canon;
		}
		return;
	}
	if (!strcmp(type, "interval")) {
		char *t = interval_text(s);
		if (t) {
			free(c->sval->sval);
			c->sval->sval = t;
		}
		return;
	}
	if (is_numeric_type(type)) {
		char *end;
		errno = 0;
		long v = strtol(s, &end, 10);
		if (*s && !*end && !errno && v >= INT_MIN && v <= INT_MAX) {
			PgQuery__Integer *iv = pgd_xmalloc(sizeof(*iv));
			pg_query__integer__init(iv);
			iv->ival = (int32_t)v;
			protobuf_c_message_free_unpacked(&c->sval->base, NULL);
			c->val_case = PG_QUERY__A__CONST__VAL_IVAL;
			c->ival = iv;
			return;
		}
		strtod(s, &end);
		if (*s && !*end) {
			PgQuery__Float *fv = pgd_xmalloc(sizeof(*fv));
			pg_query__float__init(fv);
			fv->fval = pgd_xstrdup(s);
			protobuf_c_message_free_unpacked(&c->sval->base, NULL);
			c->val_case = PG_QUERY__A__CONST__VAL_FVAL;
			c->fval = fv;
		}
		return;
	}
	if (!strcmp(type, "time") || !strcmp(type, "timestamp")) {
		char *t = datetime_text(s, type[4] == 's');
		if (t) {
			free(c->sval->sval);
			c->sval->sval = t;
		}
		return;
	}
	if (!strcmp(type, "bool")) {
		static const char *const t[] = { "t", "true", "yes", "on", "1", "y" };
		static const char *const f[] = { "f", "false", "no", "off", "0", "n" };
		int v = -1;
		for (size_t i = 0; i < PGD_ARRAY_SIZE(t); i++) {
			if (!strcasecmp(s, t[i]))
				v = 1;
			if (!strcasecmp(s, f[i]))
				v = 0;
		}
		if (v < 0)
			return;
		PgQuery__Boolean *bv = pgd_xmalloc(sizeof(*bv));
		pg_query__boolean__init(bv);
		bv->boolval = v;
		protobuf_c_message_free_unpacked(&c->sval->base, NULL);
		c->val_case = PG_QUERY__A__CONST__VAL_BOOLVAL;
		c->boolval = bv;
	}
}

static const char *cast_type_internal(const PgQuery__TypeName *tn)
{
	if (!tn || !tn->n_names || tn->n_array_bounds)
		return NULL;
	const char *s = pgd_pgq_str(tn->names[tn->n_names - 1]);
	return s ? internal_type(s) : NULL;
}

/* (SELECT col FROM ...): a scalar sub-select whose one output is a column. */
static bool sublink_of_column(const PgQuery__Node *n)
{
	if (n->node_case != PG_QUERY__NODE__NODE_SUB_LINK ||
	    n->sub_link->sub_link_type != PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK ||
	    !n->sub_link->subselect ||
	    n->sub_link->subselect->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		return false;
	const PgQuery__SelectStmt *s = n->sub_link->subselect->select_stmt;
	if (s->n_target_list != 1 ||
	    s->target_list[0]->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
		return false;
	const PgQuery__Node *v = s->target_list[0]->res_target->val;
	return v && v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF;
}

/* Number of arguments in a canonical argument list ("" is none). */
static size_t count_args(const char *args)
{
	if (!args || !*args)
		return 0;
	size_t n = 1;
	for (int depth = 0; *args; args++) {
		if (*args == '(')
			depth++;
		else if (*args == ')')
			depth--;
		else if (*args == ',' && depth == 0)
			n++;
	}
	return n;
}

/*
 * f(...)::t where f is a function of the migrations that already returns
 * t: the server's parser makes no cast node for a cast to the type the
 * expression has, so it prints f(...) alone. The call's name is already
 * resolved (canon_funccall ran on the argument).
 */
static bool cast_is_noop(const struct cx *cx, const PgQuery__FuncCall *fc,
			 const PgQuery__TypeName *tn)
{
	if (!cx->ctx->model || !tn || tn->n_typmods || tn->n_array_bounds ||
	    fc->agg_star || fc->agg_distinct || fc->over || fc->n_agg_order ||
	    fc->agg_filter || fc->func_variadic)
		return false;
	if (fc->n_funcname != 2)
		return false;
	const char *schema = pgd_pgq_str(fc->funcname[0]);
	const char *name = pgd_pgq_str(fc->funcname[1]);
	if (!schema || !name)
		return false;
	const struct pgd_function *f =
		fc->n_args ? pgd_schema_find_function_name(cx->ctx->model, schema, name)
			   : pgd_schema_find_function(cx->ctx->model, schema, name, "");
	if (!f || !f->returns || count_args(f->args) != fc->n_args)
		return false;
	int serial;
	struct pgd_strbuf e = PGD_STRBUF_INIT;
	char *t = pgd_norm_typename(cx->ctx, tn, &serial, &e);
	pgd_strbuf_release(&e);
	bool same = t && !serial && strcmp(t, f->returns) == 0;
	free(t);
	return same;
}

static void canon_typecast(struct cx *cx, PgQuery__Node **np)
{
	PgQuery__TypeCast *tc = (*np)->type_cast;
	canon_node(cx, &tc->arg);
	PgQuery__Node *arg = tc->arg;
	if (!arg)
		return;
	const char *t = cast_type_internal(tc->type_name);
	bool textish = t && (!strcmp(t, "text") || !strcmp(t, "varchar") ||
			     !strcmp(t, "bpchar"));
	bool drop = false;
	if (arg->node_case == PG_QUERY__NODE__NODE_A_CONST) {
		if (t)
			fold_const(arg->a_const, t);
		drop = true;
	} else if (arg->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR) {
		drop = true;
		for (size_t i = 0; i < arg->a_array_expr->n_elements; i++)
			if (arg->a_array_expr->elements[i]->node_case !=
			    PG_QUERY__NODE__NODE_A_CONST)
				drop = false;
	} else if ((arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF ||
		    sublink_of_column(arg)) && textish) {
		/* a scalar sub-select of a varchar column (auth.users.email)
		 * gets the same text cast as the column itself */
		drop = true;
	} else if (arg->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
		   cast_is_noop(cx, arg->func_call, tc->type_name)) {
		drop = true;
	}
	if (drop) {
		tc->arg = NULL;
		replace(np, arg);
		return;
	}
	if (tc->type_name)
		canon_typename(cx, tc->type_name);
}

/* a::schema.type, a new node owning a (the implicit cast the server's
 * operator or function resolution adds and prints) */
static PgQuery__Node *wrap_cast(PgQuery__Node *a, const char *schema, const char *type)
{
	PgQuery__Node *tc = pgd_xmalloc(sizeof(*tc));
	pg_query__node__init(tc);
	tc->node_case = PG_QUERY__NODE__NODE_TYPE_CAST;
	tc->type_cast = pgd_xmalloc(sizeof(*tc->type_cast));
	pg_query__type_cast__init(tc->type_cast);
	tc->type_cast->arg = a;
	tc->type_cast->location = -1;
	PgQuery__TypeName *tn = pgd_xmalloc(sizeof(*tn));
	pg_query__type_name__init(tn);
	tn->n_names = 2;
	tn->names = pgd_xmalloc(2 * sizeof(*tn->names));
	tn->names[0] = pgd_pgq_make_str(schema);
	tn->names[1] = pgd_pgq_make_str(type);
	tn->typemod = -1;
	tn->location = -1;
	tc->type_cast->type_name = tn;
	return tc;
}

/* The type of operand n as the operator lookup sees it: a cast's type
 * name, a domain CHECK's VALUE (the base type), a column of a table in
 * scope (its canonical type); NULL when unknown. Borrowed. */
static const char *operand_type(struct cx *cx, const PgQuery__Node *n)
{
	if (!n)
		return NULL;
	if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
		const PgQuery__TypeName *tn = n->type_cast->type_name;
		return tn && tn->n_names ? pgd_pgq_str(tn->names[tn->n_names - 1]) : NULL;
	}
	if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || !n->column_ref->n_fields)
		return NULL;
	const PgQuery__ColumnRef *cr = n->column_ref;
	const char *col = pgd_pgq_str(cr->fields[cr->n_fields - 1]);
	if (!col)
		return NULL;
	if (cr->n_fields == 1 && cx->ctx->value_type && !strcmp(col, "value"))
		return cx->ctx->value_type;
	const struct pgd_column *c = NULL;
	for (size_t fi = cx->nframes; !c && fi-- > 0;)
		for (size_t i = 0; !c && i < cx->frames[fi].n; i++)
			if (cx->frames[fi].items[i].table)
				c = pgd_table_find_column(cx->frames[fi].items[i].table, col);
	return c ? c->type : NULL;
}

/* Whether type text t names type `name` in any schema, with any typmod
 * ("extensions.vector(1536)" is vector). */
static bool type_named(const char *t, const char *name)
{
	size_t len = strcspn(t, "(");
	size_t k = strlen(name);
	return len >= k && !strncmp(t + len - k, name, k) &&
	       (len == k || t[len - k - 1] == '.');
}

/* Whether n has type `name` (any schema, any typmod) to the operator
 * lookup. */
static bool typed_operand(struct cx *cx, const PgQuery__Node *n, const char *name)
{
	const char *t = operand_type(cx, n);
	return t && type_named(t, name);
}

static bool is_string_const(const PgQuery__Node *n)
{
	return n && n->node_case == PG_QUERY__NODE__NODE_A_CONST &&
	       n->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL;
}

/* Whether n is text to the operator lookup: a string literal, or text,
 * varchar or citext by operand_type. */
static bool text_operand(struct cx *cx, const PgQuery__Node *n)
{
	if (is_string_const(n))
		return true;
	const char *t = operand_type(cx, n);
	return t && (!strcmp(t, "text") || !strcmp(t, "varchar") ||
		     !strncmp(t, "character varying", 17) || type_named(t, "citext"));
}

static bool citext_operand(struct cx *cx, const PgQuery__Node *n)
{
	return typed_operand(cx, n, "citext");
}

/*
 * citext's own operators: comparisons between two citext operands (or one
 * and an untyped literal), and the pattern operators with citext on the
 * left. Others fall back to text's through citext's implicit cast.
 */
static bool citext_operator(struct cx *cx, const PgQuery__AExpr *e, const char *op)
{
	static const char *const cmp[] = { "=", "<>", "<", "<=", ">", ">=" };
	static const char *const pat[] = { "~", "~*", "!~", "!~*",
					   "~~", "~~*", "!~~", "!~~*" };
	for (size_t i = 0; i < PGD_ARRAY_SIZE(pat); i++)
		if (!strcmp(op, pat[i]))
			return citext_operand(cx, e->lexpr);
	bool lit_l = is_string_const(e->lexpr), lit_r = is_string_const(e->rexpr);
	for (size_t i = 0; i < PGD_ARRAY_SIZE(cmp); i++)
		if (!strcmp(op, cmp[i])) {
			bool l = citext_operand(cx, e->lexpr), r = citext_operand(cx, e->rexpr);
			return (l && (r || lit_r)) || (r && lit_l);
		}
	return false;
}

/*
 * An operator an extension provides (pg_trgm's % on text, pgvector's <=>):
 * the server prints it OPERATOR(schema.op) from the extension's schema
 * (pg_catalog's are not qualified). A name the model or the platform table
 * does not tie to an extension is left alone.
 */
static void canon_operator(struct cx *cx, PgQuery__AExpr *e)
{
	if (e->n_name != 1 || (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP &&
			       e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY &&
			       e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL))
		return;
	const char *op = pgd_pgq_str(e->name[0]);
	if (!op)
		return;
	const char *ext = pgd_platform_extension_of(PGD_PM_OPERATOR, op);
	if (!ext && e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP &&
	    citext_operator(cx, e, op))
		ext = "citext";
	/* <-> is pgvector's L2 distance between vectors */
	bool vec = !strcmp(op, "<->") && (typed_operand(cx, e->lexpr, "vector") ||
					   typed_operand(cx, e->rexpr, "vector"));
	if (vec)
		ext = "vector";
	/* % and <-> are pg_catalog's too (modulo; geometry, tsquery): else
	 * the extension's only between text operands */
	else if ((!strcmp(op, "%") || !strcmp(op, "<->")) &&
		 !text_operand(cx, e->lexpr) && !text_operand(cx, e->rexpr))
		return;
	const char *schema = ext ? pgd_norm_extension_schema(cx->ctx, ext) : NULL;
	if (!schema || !strcmp(schema, "pg_catalog"))
		return;
	char *o = pgd_xstrdup(op);
	set_names(&e->n_name, &e->name, schema, o);
	free(o);
}

static void canon_aexpr(struct cx *cx, PgQuery__Node **np)
{
	PgQuery__AExpr *e = (*np)->a_expr;
	canon_operator(cx, e);
	if ((e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_IN) && e->rexpr &&
	    e->rexpr->node_case == PG_QUERY__NODE__NODE_LIST) {
		/* x IN (a, b) -> x = ANY (ARRAY[a, b]) */
		const char *op = e->n_name ? pgd_pgq_str(e->name[0]) : "=";
		bool neg = op && strcmp(op, "<>") == 0;
		PgQuery__List *list = e->rexpr->list;
		if (list->n_items == 1) {
			/* x IN (a) is x = a to the server */
			PgQuery__Node *only = list->items[0];
			list->n_items = 0;
			pgd_pgq_free_node(e->rexpr);
			e->rexpr = only;
			e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
			walk_msg(cx, &(*np)->a_expr->base);
			return;
		}
		PgQuery__Node *arr = pgd_xmalloc(sizeof(*arr));
		pg_query__node__init(arr);
		arr->node_case = PG_QUERY__NODE__NODE_A_ARRAY_EXPR;
		arr->a_array_expr = pgd_xmalloc(sizeof(*arr->a_array_expr));
		pg_query__a__array_expr__init(arr->a_array_expr);
		arr->a_array_expr->n_elements = list->n_items;
		arr->a_array_expr->elements = list->items;
		list->n_items = 0;
		list->items = NULL;
		pgd_pgq_free_node(e->rexpr);
		e->rexpr = arr;
		e->kind = neg ? PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL
			      : PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY;
	} else if (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_LIKE ||
		   e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE) {
		/* the server prints LIKE as its operator: ~~, ~~*, !~~, !~~* */
		const char *op = e->n_name ? pgd_pgq_str(e->name[e->n_name - 1]) : NULL;
		if (op && e->rexpr &&
		    e->rexpr->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) {
			char *o = pgd_xstrdup(op);
			set_names(&e->n_name, &e->name, NULL, o);
			free(o);
			e->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
		}
	} else if ((e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN ||
		    e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN ||
		    e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM ||
		    e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM) &&
		   e->rexpr && e->rexpr->node_case == PG_QUERY__NODE__NODE_LIST &&
		   e->rexpr->list->n_items == 2) {
		/* as transformAExprBetween: x >= lo AND x <= hi; NOT: x < lo OR
		 * x > hi; SYMMETRIC: that test OR (AND for NOT) the one with
		 * the bounds swapped */
		bool neg = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN ||
			   e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
		bool sym = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM ||
			   e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
		PgQuery__List *list = e->rexpr->list;
		PgQuery__Node *lo = list->items[0], *hi = list->items[1];
		PgQuery__Node *x = e->lexpr;
		list->n_items = 0;
		e->lexpr = NULL;
		PgQuery__BoolExprType join = neg ? PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR
						 : PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR;
		PgQuery__Node *res;
		if (sym) {
			PgQuery__Node *a2 = make_aexpr(neg ? "<" : ">=", copy_node(x),
						       copy_node(hi));
			PgQuery__Node *b2 = make_aexpr(neg ? ">" : "<=", copy_node(x),
						       copy_node(lo));
			PgQuery__Node *a = make_aexpr(neg ? "<" : ">=", x, lo);
			PgQuery__Node *b = make_aexpr(neg ? ">" : "<=", copy_node(x), hi);
			res = make_bool2(neg ? PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR
					     : PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR,
					 make_bool2(join, a, b), make_bool2(join, a2, b2));
		} else {
			PgQuery__Node *a = make_aexpr(neg ? "<" : ">=", x, lo);
			PgQuery__Node *b = make_aexpr(neg ? ">" : "<=", copy_node(x), hi);
			res = make_bool2(join, a, b);
		}
		replace(np, res);
		canon_node(cx, np);
		return;
	}
	walk_msg(cx, &(*np)->a_expr->base);
}

/*
 * A qualified relation name in a regclass literal ("public"."s", Public.S)
 * as regclassout prints it: unquoted parts folded to lower case, each part
 * quoted only where needed. Malloc'd, or NULL when it is not two or three
 * well-formed parts.
 */
static char *regclass_text(const char *lit)
{
	struct pgd_strbuf out = PGD_STRBUF_INIT, part = PGD_STRBUF_INIT;
	size_t nparts = 0;
	const char *p = lit;
	for (;;) {
		pgd_strbuf_reset(&part);
		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"' && p[1] == '"')
					pgd_strbuf_addch(&part, *p++);
				else if (*p == '"')
					break;
				else
					pgd_strbuf_addch(&part, *p);
			}
			if (*p != '"')
				goto bad;
			p++;
		} else {
			for (; *p && *p != '.'; p++) {
				if (*p == '"' || *p == ' ')
					goto bad;
				pgd_strbuf_addch(&part, *p >= 'A' && *p <= 'Z'
							    ? (char)(*p - 'A' + 'a') : *p);
			}
		}
		if (!part.len)
			goto bad;
		if (nparts++)
			pgd_strbuf_addch(&out, '.');
		pgd_strbuf_add_ident(&out, part.buf);
		if (!*p)
			break;
		if (*p++ != '.')
			goto bad;
	}
	pgd_strbuf_release(&part);
	if (nparts < 2 || nparts > 3) {
		pgd_strbuf_release(&out);
		return NULL;
	}
	return pgd_strbuf_detach(&out, NULL);
bad:
	pgd_strbuf_release(&part);
	pgd_strbuf_release(&out);
	return NULL;
}

/*
 * Parameter types of extension functions whose arguments are commonly
 * columns of another type: PostGIS's point constructors take double
 * precision, and the server coerces a numeric or integer column to it,
 * printing st_makepoint(lon::double precision, lat::double precision).
 */
static const struct {
	const char *name;
	size_t nparams; /* leading parameters of that type */
	const char *type;
} param_types[] = {
	{ "st_makepoint", 4, "double precision" },
	{ "st_point", 2, "double precision" },
	{ "st_makeenvelope", 4, "double precision" },
};

/* Types with an implicit cast to double precision (pg_cast castcontext 'i'). */
static bool casts_to_float8(const char *type)
{
	static const char *const from[] = { "smallint", "integer", "bigint", "real",
					    "numeric" };
	size_t n = strcspn(type, "(");
	for (size_t i = 0; i < PGD_ARRAY_SIZE(from); i++)
		if (strlen(from[i]) == n && strncmp(type, from[i], n) == 0)
			return true;
	return false;
}

/*
 * An argument that is a bare column of the expression's own table, of a
 * type other than the parameter's, gets the implicit cast the server adds.
 * Only at the top level (a sub-select's names may be another table's).
 */
static void coerce_column_args(struct cx *cx, PgQuery__FuncCall *f,
			       const char *name)
{
	if (!cx->ctx->model || !cx->ctx->rel_name || cx->nframes != 1 ||
	    f->func_variadic || f->agg_star)
		return;
	const struct pgd_table *t = pgd_schema_find_table(
		cx->ctx->model, cx->ctx->rel_schema, cx->ctx->rel_name);
	if (!t)
		return;
	for (size_t k = 0; k < PGD_ARRAY_SIZE(param_types); k++) {
		if (strcmp(param_types[k].name, name) != 0)
			continue;
		for (size_t i = 0; i < f->n_args && i < param_types[k].nparams; i++) {
			PgQuery__Node *a = f->args[i];
			if (a->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
			    a->column_ref->n_fields != 1)
				continue;
			const char *col = pgd_pgq_str(a->column_ref->fields[0]);
			const struct pgd_column *c = col ? pgd_table_find_column(t, col) : NULL;
			if (!c || !c->type || !casts_to_float8(c->type) ||
			    strcmp(c->type, param_types[k].type) == 0)
				continue;
			f->args[i] = wrap_cast(a, "pg_catalog", "float8");
		}
		return;
	}
}

static void canon_funccall(struct cx *cx, PgQuery__FuncCall *f)
{
	if (f->n_funcname == 2 &&
	    strcmp(pgd_pgq_str(f->funcname[0]) ? pgd_pgq_str(f->funcname[0])
					       : "", "pg_catalog") == 0) {
		PgQuery__Node *name = f->funcname[1];
		pgd_pgq_free_node(f->funcname[0]);
		f->funcname[0] = name;
		f->n_funcname = 1;
	}
	const char *name = f->n_funcname ? pgd_pgq_str(f->funcname[f->n_funcname - 1])
					 : NULL;
	if (f->n_funcname == 1 && name) {
		const char *schema = resolve_function(cx->ctx, name);
		if (schema) {
			char *nm = pgd_xstrdup(name);
			set_names(&f->n_funcname, &f->funcname, schema, nm);
			free(nm);
		}
	}
	name = f->n_funcname ? pgd_pgq_str(f->funcname[f->n_funcname - 1]) : NULL;
	if (name && f->n_funcname == 2 && f->n_args &&
	    pgd_platform_extension_of(PGD_PM_FUNCTION, name) && cx->ctx->model &&
	    pgd_pgq_str(f->funcname[0]) &&
	    !pgd_schema_find_function_name(cx->ctx->model, pgd_pgq_str(f->funcname[0]),
					   name))
		coerce_column_args(cx, f, name);
	if (name && f->n_funcname == 1 && f->n_args >= 1 &&
	    (!strcmp(name, "nextval") || !strcmp(name, "currval") ||
	     !strcmp(name, "setval"))) {
		/* the regclass literal names a sequence: qualify it */
		PgQuery__Node *a0 = f->args[0];
		if (a0->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
			canon_node(cx, &f->args[0]);
		a0 = f->args[0];
		if (a0->node_case == PG_QUERY__NODE__NODE_A_CONST &&
		    a0->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL &&
		    strchr(a0->a_const->sval->sval, '.')) {
			/* '"public"."s"' names public.s: regclass prints
			 * each part quoted only where it needs it */
			char *canon = regclass_text(a0->a_const->sval->sval);
			if (canon) {
				set_string(&a0->a_const->sval->sval, canon);
				free(canon);
			}
		} else if (a0->node_case == PG_QUERY__NODE__NODE_A_CONST &&
		    a0->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL &&
		    !strchr(a0->a_const->sval->sval, '.')) {
			const char *seq = a0->a_const->sval->sval;
			const char *schema = pgd_norm_resolve_rel(cx->ctx, seq);
			if (!schema)
				schema = pgd_norm_creation_schema(cx->ctx);
			struct pgd_strbuf sb = PGD_STRBUF_INIT;
			pgd_strbuf_add_ident(&sb, schema);
			pgd_strbuf_addch(&sb, '.');
			pgd_strbuf_add_ident(&sb, seq);
			set_string(&a0->a_const->sval->sval, sb.buf);
			pgd_strbuf_release(&sb);
		}
	}
	walk_msg(cx, &f->base);
}

static struct frame *top_frame(struct cx *cx)
{
	return &cx->frames[cx->nframes - 1];
}

static void push_frame(struct cx *cx)
{
	PGD_GROW(cx->frames, cx->aframes, cx->nframes + 1);
	memset(&cx->frames[cx->nframes++], 0, sizeof(struct frame));
}

static void pop_frame(struct cx *cx)
{
	struct frame *f = top_frame(cx);
	for (size_t i = 0; i < f->n; i++)
		free((char *)f->items[i].written);
	free(top_frame(cx)->items);
	cx->nframes--;
}

static void frame_add(struct frame *f, const char *refname,
		      struct pgd_table *t)
{
	PGD_GROW(f->items, f->alloc, f->n + 1);
	f->items[f->n++] = (struct scope_item){ refname, t, NULL };
}

/* Whether name is a range name of an enclosing query level or already of
 * this one (ruleutils' set_rtable_names keeps them distinct). */
static bool name_taken(const struct cx *cx, const char *name)
{
	for (size_t fi = 0; fi < cx->nframes; fi++)
		for (size_t i = 0; i < cx->frames[fi].n; i++)
			if (!strcmp(cx->frames[fi].items[i].refname, name))
				return true;
	return false;
}

static void canon_columnref(struct cx *cx, PgQuery__ColumnRef *cr)
{
	for (size_t i = 0; i < cr->n_fields; i++)
		if (!pgd_pgq_str(cr->fields[i]))
			return; /* t.* and friends */
	if (cr->n_fields == 3) { /* schema.table.col -> table.col */
		pgd_pgq_free_node(cr->fields[0]);
		memmove(cr->fields, cr->fields + 1, 2 * sizeof(*cr->fields));
		cr->n_fields = 2;
	}
	if (cx->nframes > 1 && cr->n_fields == 2) {
		/* t.col where t got a unique name (t_1) in this scope */
		const char *q = pgd_pgq_str(cr->fields[0]);
		for (size_t fi = cx->nframes; fi-- > 1;) {
			const struct frame *f = &cx->frames[fi];
			const struct scope_item *hit = NULL;
			for (size_t i = 0; i < f->n && !hit; i++)
				if (!strcmp(f->items[i].written ? f->items[i].written
								: f->items[i].refname, q))
					hit = &f->items[i];
			if (hit) {
				if (hit->written) {
					pgd_pgq_free_node(cr->fields[0]);
					cr->fields[0] = pgd_pgq_make_str(hit->refname);
				}
				return;
			}
		}
		return;
	}
	if (cx->nframes <= 1) {
		/* top level: the expression's own table needs no qualifier */
		if (cr->n_fields == 2 && cx->ctx->rel_name &&
		    strcmp(pgd_pgq_str(cr->fields[0]), cx->ctx->rel_name) == 0) {
			pgd_pgq_free_node(cr->fields[0]);
			cr->fields[0] = cr->fields[1];
			cr->n_fields = 1;
		}
		return;
	}
	if (cr->n_fields != 1)
		return;
	const char *col = pgd_pgq_str(cr->fields[0]);
	const char *ref = NULL;
	for (size_t fi = cx->nframes; fi-- > 0 && !ref;) {
		struct frame *f = &cx->frames[fi];
		for (size_t i = 0; i < f->n && !ref; i++)
			if (f->items[i].table &&
			    (pgd_table_find_column(f->items[i].table, col) ||
			     /* a platform table the migrations only touched
			      * (a trigger on auth.users): its columns are known */
			     pgd_platform_table_has_column(f->items[i].table->obj.schema,
							   f->items[i].table->obj.name,
							   col) == 1))
				ref = f->items[i].refname;
		for (size_t i = 0; i < f->n && !ref; i++)
			if (!f->items[i].table && fi > 0)
				ref = f->items[i].refname;
	}
	if (!ref)
		return;
	PgQuery__Node **fields = pgd_xmalloc(2 * sizeof(*fields));
	fields[0] = pgd_pgq_make_str(ref);
	fields[1] = cr->fields[0];
	free(cr->fields);
	cr->fields = fields;
	cr->n_fields = 2;
}

static void scope_from_item(struct cx *cx, PgQuery__Node *n)
{
	if (!n)
		return;
	if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
		PgQuery__RangeVar *rv = n->range_var;
		const char *schema = rv->schemaname && *rv->schemaname
					     ? rv->schemaname : NULL;
		if (!schema) {
			schema = pgd_norm_resolve_rel(cx->ctx, rv->relname);
			if (schema)
				set_string(&rv->schemaname, schema);
		}
		struct pgd_table *t =
			schema && cx->ctx->model
				? pgd_schema_find_table(cx->ctx->model, schema,
							rv->relname)
				: NULL;
		const char *ref = rv->alias && rv->alias->aliasname &&
					  *rv->alias->aliasname
					  ? rv->alias->aliasname : rv->relname;
		if (cx->nframes > 1 && name_taken(cx, ref)) {
			/* a sub-select reading a table already named outside
			 * (a policy on profiles that reads profiles): ruleutils
			 * prints it as profiles_1 */
			char *unique = NULL;
			for (unsigned k = 1; !unique || name_taken(cx, unique); k++) {
				free(unique);
				unique = pgd_xasprintf("%s_%u", ref, k);
			}
			const char *written = ref;
			if (!rv->alias) {
				rv->alias = pgd_xmalloc(sizeof(*rv->alias));
				pg_query__alias__init(rv->alias);
			}
			written = rv->alias->aliasname && *rv->alias->aliasname
					  ? pgd_xstrdup(rv->alias->aliasname)
					  : pgd_xstrdup(rv->relname);
			set_string(&rv->alias->aliasname, unique);
			free(unique);
			frame_add(top_frame(cx), rv->alias->aliasname, t);
			/* the written name lives as long as the frame */
			struct scope_item *it = &top_frame(cx)->items[top_frame(cx)->n - 1];
			it->written = written;
			return;
		}
		frame_add(top_frame(cx), ref, t);
	} else if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR) {
		scope_from_item(cx, n->join_expr->larg);
		scope_from_item(cx, n->join_expr->rarg);
	} else if (n->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT) {
		PgQuery__RangeSubselect *rs = n->range_subselect;
		if (rs->alias && rs->alias->aliasname)
			frame_add(top_frame(cx), rs->alias->aliasname, NULL);
	} else if (n->node_case == PG_QUERY__NODE__NODE_RANGE_FUNCTION) {
		PgQuery__RangeFunction *rf = n->range_function;
		if (rf->alias && rf->alias->aliasname)
			frame_add(top_frame(cx), rf->alias->aliasname, NULL);
	}
}

static void canon_select(struct cx *cx, PgQuery__SelectStmt *s)
{
	/* output names of a sub-select never change what the expression
	 * means, and ruleutils adds them ("SELECT auth.uid() AS uid") */
	for (size_t i = 0; i < s->n_target_list; i++) {
		PgQuery__Node *t = s->target_list[i];
		if (t->node_case == PG_QUERY__NODE__NODE_RES_TARGET && t->res_target->name &&
		    *t->res_target->name)
			set_string(&t->res_target->name, "");
	}
	if (s->larg || s->rarg) {
		/* UNION / INTERSECT / EXCEPT: each branch is a query level of
		 * its own, with its own FROM scope (ruleutils qualifies per
		 * branch); the rest (WITH, ORDER BY, LIMIT) belongs to the
		 * whole */
		PgQuery__SelectStmt *l = s->larg, *r = s->rarg;
		s->larg = s->rarg = NULL;
		walk_msg(cx, &s->base);
		s->larg = l;
		s->rarg = r;
		if (l)
			canon_select(cx, l);
		if (r)
			canon_select(cx, r);
		return;
	}
	push_frame(cx);
	for (size_t i = 0; i < s->n_from_clause; i++)
		scope_from_item(cx, s->from_clause[i]);
	walk_msg(cx, &s->base);
	pop_frame(cx);
}

/* AND inside AND and OR inside OR are one list to the server. */
static void flatten_bool(PgQuery__BoolExpr *b)
{
	if (b->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR)
		return;
	for (size_t i = 0; i < b->n_args; i++) {
		PgQuery__Node *a = b->args[i];
		if (a->node_case != PG_QUERY__NODE__NODE_BOOL_EXPR ||
		    a->bool_expr->boolop != b->boolop)
			continue;
		PgQuery__BoolExpr *inner = a->bool_expr;
		size_t n = b->n_args - 1 + inner->n_args;
		PgQuery__Node **args = pgd_xmalloc(n * sizeof(*args));
		memcpy(args, b->args, i * sizeof(*args));
		memcpy(args + i, inner->args, inner->n_args * sizeof(*args));
		memcpy(args + i + inner->n_args, b->args + i + 1,
		       (b->n_args - i - 1) * sizeof(*args));
		i += inner->n_args - 1;
		inner->n_args = 0; /* moved */
		pgd_pgq_free_node(a);
		free(b->args);
		b->args = args;
		b->n_args = n;
	}
}

static void canon_node(struct cx *cx, PgQuery__Node **np)
{
	PgQuery__Node *n = *np;
	if (!n || cx->failed)
		return;
	if (++cx->depth > MAX_DEPTH) {
		fail(cx, "expression nested too deeply");
		cx->depth--;
		return;
	}
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_TYPE_CAST:
		canon_typecast(cx, np);
		break;
	case PG_QUERY__NODE__NODE_A_EXPR:
		canon_aexpr(cx, np);
		break;
	case PG_QUERY__NODE__NODE_FUNC_CALL:
		canon_funccall(cx, n->func_call);
		break;
	case PG_QUERY__NODE__NODE_COLUMN_REF:
		canon_columnref(cx, n->column_ref);
		break;
	case PG_QUERY__NODE__NODE_SELECT_STMT:
		canon_select(cx, n->select_stmt);
		break;
	case PG_QUERY__NODE__NODE_BOOL_EXPR:
		walk_msg(cx, &n->bool_expr->base);
		flatten_bool(n->bool_expr);
		break;
	case PG_QUERY__NODE__NODE_A_CONST:
		canon_const(n->a_const);
		break;
	case PG_QUERY__NODE__NODE_CASE_EXPR:
		walk_msg(cx, &n->case_expr->base);
		if (!n->case_expr->defresult) {
			/* the server stores CASE without ELSE as ELSE NULL */
			PgQuery__Node *null = pgd_xmalloc(sizeof(*null));
			pg_query__node__init(null);
			null->node_case = PG_QUERY__NODE__NODE_A_CONST;
			null->a_const = pgd_xmalloc(sizeof(*null->a_const));
			pg_query__a__const__init(null->a_const);
			null->a_const->isnull = true;
			n->case_expr->defresult = null;
		}
		break;
	default: {
		ProtobufCMessage *inner = pgd_pb_node_member(n);
		if (inner)
			walk_msg(cx, inner);
	}
	}
	cx->depth--;
}

void pgd_norm_fold_default(PgQuery__Node *expr, const PgQuery__TypeName *tn)
{
	const char *t = cast_type_internal(tn);
	if (t && expr && expr->node_case == PG_QUERY__NODE__NODE_A_CONST)
		fold_const(expr->a_const, t);
}

static void visit_msg(ProtobufCMessage *msg,
		      void (*fn)(PgQuery__Node *, void *), void *arg);

static void visit_slot(const ProtobufCFieldDescriptor *f, void *p,
		       void (*fn)(PgQuery__Node *, void *), void *arg)
{
	if (!p)
		return;
	if (f->descriptor == &pg_query__node__descriptor)
		fn(p, arg);
	visit_msg(p, fn, arg);
}

static void visit_msg(ProtobufCMessage *msg,
		      void (*fn)(PgQuery__Node *, void *), void *arg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	char *base = (char *)msg;
	if (d == &pg_query__node__descriptor) {
		/* its one member, not a visit of its ~250 fields */
		ProtobufCMessage *p = pgd_pb_node_member((PgQuery__Node *)msg);
		if (p)
			visit_msg(p, fn, arg);
		return;
	}
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(uint32_t *)(base + f->quantifier_offset) != f->id)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(size_t *)(base + f->quantifier_offset);
			void **arr = *(void ***)(base + f->offset);
			for (size_t k = 0; k < n; k++)
				visit_slot(f, arr[k], fn, arg);
		} else {
			visit_slot(f, *(void **)(base + f->offset), fn, arg);
		}
	}
}

void pgd_pgq_visit(ProtobufCMessage *msg, void (*fn)(PgQuery__Node *, void *),
		   void *arg)
{
	if (msg)
		visit_msg(msg, fn, arg);
}

/* ---- deparse */

/* Deparses a whole statement; malloc'd text or NULL with err. */
static char *deparse_stmt(PgQuery__Node *stmt, struct pgd_strbuf *err)
{
	PgQuery__RawStmt raw = PG_QUERY__RAW_STMT__INIT;
	PgQuery__RawStmt *raws[1] = { &raw };
	PgQuery__ParseResult pr = PG_QUERY__PARSE_RESULT__INIT;
	raw.stmt = stmt;
	pr.version = 150001;
	pr.n_stmts = 1;
	pr.stmts = raws;
	/* the text is a function of the tree alone: memoized by its bytes */
	size_t len;
	bool exact;
	uint8_t *key = pgd_pb_pack_exact(&pr.base, PGD_PB_DROP_LOCATIONS, &len,
					 &exact);
	PgQueryProtobuf pb;
	if (key) {
		const char *hit = pgd_memo_get('D', key, len, NULL);
		if (hit) {
			free(key);
			return pgd_xstrdup(hit);
		}
		pb.len = len;
		pb.data = (char *)key;
	} else {
		pb.len = pg_query__parse_result__get_packed_size(&pr);
		pb.data = pgd_xmalloc(pb.len);
		pg_query__parse_result__pack(&pr, (uint8_t *)pb.data);
	}
	/* the deparser reads the tree itself rather than an unpacked copy */
	if (key && exact)
		pgd_pb_lend(key, len, &pr);
	PgQueryDeparseResult d = pg_query_deparse_protobuf(pb);
	pgd_pb_lend_end();
	char *res = NULL;
	if (d.error) {
		pgd_strbuf_addf(err, "cannot print expression: %s",
				d.error->message);
	} else {
		res = pgd_xstrdup(d.query);
		if (key)
			pgd_memo_put('D', key, len, res, strlen(res));
	}
	free(pb.data);
	pg_query_free_deparse_result(d);
	return res;
}

static char *deparse_expr(PgQuery__Node *expr, struct pgd_strbuf *err)
{
	PgQuery__ResTarget rt = PG_QUERY__RES_TARGET__INIT;
	PgQuery__Node rtn = PG_QUERY__NODE__INIT;
	PgQuery__Node *targets[1] = { &rtn };
	PgQuery__SelectStmt sel = PG_QUERY__SELECT_STMT__INIT;
	PgQuery__Node stmt = PG_QUERY__NODE__INIT;
	rt.val = expr;
	rtn.node_case = PG_QUERY__NODE__NODE_RES_TARGET;
	rtn.res_target = &rt;
	sel.n_target_list = 1;
	sel.target_list = targets;
	sel.limit_option = PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
	sel.op = PG_QUERY__SET_OPERATION__SETOP_NONE;
	stmt.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
	stmt.select_stmt = &sel;
	char *text = deparse_stmt(&stmt, err);
	if (text && strncmp(text, "SELECT ", 7) == 0)
		memmove(text, text + 7, strlen(text + 7) + 1);
	return text;
}

char *pgd_norm_expr(const struct pgd_nctx *ctx, PgQuery__Node **expr,
		    struct pgd_strbuf *err)
{
	struct cx cx = { .ctx = ctx, .err = err };
	push_frame(&cx);
	if (ctx->rel_name) {
		struct pgd_table *t =
			ctx->model ? pgd_schema_find_table(ctx->model,
							   ctx->rel_schema,
							   ctx->rel_name)
				   : NULL;
		frame_add(top_frame(&cx), ctx->rel_name, t);
	}
	canon_node(&cx, expr);
	pop_frame(&cx);
	free(cx.frames);
	if (cx.failed)
		return NULL;
	return deparse_expr(*expr, err);
}

int pgd_norm_canon_stmt(const struct pgd_nctx *ctx, PgQuery__Node **stmt,
			struct pgd_strbuf *err)
{
	struct cx cx = { .ctx = ctx, .err = err };
	push_frame(&cx);
	canon_node(&cx, stmt);
	pop_frame(&cx);
	free(cx.frames);
	return cx.failed ? -1 : 0;
}

char *pgd_norm_deparse_stmt(PgQuery__Node *stmt, struct pgd_strbuf *err)
{
	return deparse_stmt(stmt, err);
}

char *pgd_norm_deparse_expr(PgQuery__Node *expr, struct pgd_strbuf *err)
{
	return deparse_expr(expr, err);
}

/* ---- indexes */

static bool default_opclass(const char *opclass)
{
	static const char *const defaults[] = {
		"int4_ops", "int8_ops", "int2_ops", "text_ops", "varchar_ops",
		"uuid_ops", "timestamptz_ops", "timestamp_ops", "date_ops",
		"bool_ops", "numeric_ops", "jsonb_ops", "array_ops", "bpchar_ops",
		"float8_ops", "float4_ops", "inet_ops", "bytea_ops", "oid_ops",
		"enum_ops", "tsvector_ops",
	};
	for (size_t i = 0; i < PGD_ARRAY_SIZE(defaults); i++)
		if (strcmp(defaults[i], opclass) == 0)
			return true;
	return false;
}

char *pgd_norm_index_stmt(const struct pgd_nctx *ctx, PgQuery__IndexStmt *stmt,
			  struct pgd_strbuf *err)
{
	struct cx cx = { .ctx = ctx, .err = err };
	push_frame(&cx);
	frame_add(top_frame(&cx), ctx->rel_name, NULL);
	set_string(&stmt->relation->schemaname, ctx->rel_schema);
	set_string(&stmt->relation->relname, ctx->rel_name);
	if (stmt->relation->alias) {
		protobuf_c_message_free_unpacked(&stmt->relation->alias->base,
						 NULL);
		stmt->relation->alias = NULL;
	}
	stmt->relation->inh = true;
	if (!stmt->access_method || !*stmt->access_method)
		set_string(&stmt->access_method, "btree");
	stmt->if_not_exists = false;
	stmt->concurrent = false;
	if (stmt->table_space && *stmt->table_space)
		set_string(&stmt->table_space, "");
	for (size_t i = 0; i < stmt->n_index_params && !cx.failed; i++) {
		PgQuery__Node *p = stmt->index_params[i];
		if (p->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM)
			continue;
		PgQuery__IndexElem *el = p->index_elem;
		if (el->expr) {
			canon_node(&cx, &el->expr);
			/* (col) written as an expression is a plain column */
			if (el->expr->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
			    el->expr->column_ref->n_fields == 1 &&
			    pgd_pgq_str(el->expr->column_ref->fields[0])) {
				set_string(&el->name, pgd_pgq_str(
					el->expr->column_ref->fields[0]));
				pgd_pgq_free_node(el->expr);
				el->expr = NULL;
			}
		}
		if (el->indexcolname && *el->indexcolname)
			set_string(&el->indexcolname, "");
		if (el->n_opclass) {
			const char *oc = pgd_pgq_str(el->opclass[el->n_opclass - 1]);
			if (oc && default_opclass(oc) && !el->n_opclassopts) {
				for (size_t k = 0; k < el->n_opclass; k++)
					pgd_pgq_free_node(el->opclass[k]);
				free(el->opclass);
				el->opclass = NULL;
				el->n_opclass = 0;
			} else if (el->n_opclass == 2 &&
				   !strcmp(pgd_pgq_str(el->opclass[0]) ? pgd_pgq_str(el->opclass[0]) : "",
					   "pg_catalog")) {
				pgd_pgq_free_node(el->opclass[0]);
				el->opclass[0] = el->opclass[1];
				el->n_opclass = 1;
			} else if (el->n_opclass == 1 && oc) {
				/* an extension's opclass: the server prints the
				 * schema the extension lives in */
				const char *ext = pgd_platform_extension_of(PGD_PM_OPCLASS, oc);
				const char *sch = ext ? pgd_norm_extension_schema(ctx, ext) : NULL;
				if (ext && !sch)
					sch = pgd_norm_creation_schema(ctx);
				if (sch) {
					char *nm = pgd_xstrdup(oc);
					set_names(&el->n_opclass, &el->opclass, sch, nm);
					free(nm);
				}
			}
		}
		/* ASC is the default; NULLS LAST goes with ASC, FIRST with DESC */
		if (el->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_ASC)
			el->ordering = PG_QUERY__SORT_BY_DIR__SORTBY_DEFAULT;
		bool desc = el->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
		if ((!desc && el->nulls_ordering ==
				      PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST) ||
		    (desc && el->nulls_ordering ==
				     PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST))
			el->nulls_ordering =
				PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_DEFAULT;
	}
	if (stmt->where_clause && !cx.failed)
		canon_node(&cx, &stmt->where_clause);
	/* storage parameters are stored as text (fillfactor=70 prints as
	 * fillfactor='70'), a bare name as name=true */
	for (size_t i = 0; i < stmt->n_options; i++) {
		PgQuery__DefElem *de = stmt->options[i]->node_case ==
			PG_QUERY__NODE__NODE_DEF_ELEM ? stmt->options[i]->def_elem : NULL;
		if (!de)
			continue;
		char buf[32];
		const char *v = NULL;
		PgQuery__Node *a = de->arg;
		if (!a)
			v = "true";
		else if (a->node_case == PG_QUERY__NODE__NODE_INTEGER) {
			snprintf(buf, sizeof(buf), "%d", (int)a->integer->ival);
			v = buf;
		} else if (a->node_case == PG_QUERY__NODE__NODE_FLOAT)
			v = a->float_->fval;
		else if (a->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
			v = a->boolean->boolval ? "true" : "false";
		else if (a->node_case == PG_QUERY__NODE__NODE_TYPE_NAME &&
			 a->type_name->n_names && !a->type_name->n_typmods)
			v = pgd_pgq_str(a->type_name->names[a->type_name->n_names - 1]);
		if (!v)
			continue;
		PgQuery__Node *str = pgd_pgq_make_str(v);
		pgd_pgq_free_node(de->arg);
		de->arg = str;
	}
	pop_frame(&cx);
	free(cx.frames);
	if (cx.failed)
		return NULL;
	/* libpg_query 15's deparser prints the index name unquoted ("CREATE
	 * INDEX we ird ON ..."): deparse with a placeholder and put the name
	 * back quoted as PostgreSQL quotes it */
	static const char placeholder[] = "pgd_idx_name_placeholder";
	char *name = pgd_xstrdup(stmt->idxname ? stmt->idxname : "");
	set_string(&stmt->idxname, placeholder);
	PgQuery__Node n = PG_QUERY__NODE__INIT;
	n.node_case = PG_QUERY__NODE__NODE_INDEX_STMT;
	n.index_stmt = stmt;
	char *text = deparse_stmt(&n, err);
	set_string(&stmt->idxname, name);
	char *at = text ? strstr(text, placeholder) : NULL;
	if (at) {
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		pgd_strbuf_add(&sb, text, (size_t)(at - text));
		pgd_strbuf_add_ident(&sb, name);
		pgd_strbuf_addstr(&sb, at + sizeof(placeholder) - 1);
		free(text);
		text = pgd_strbuf_detach(&sb, NULL);
	}
	free(name);
	return text;
}

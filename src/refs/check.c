/*
 * check.c - code references against a schema model: what the code names
 * must exist, what it issues through the API must be allowed by RLS for
 * anon or authenticated, and client code must not reach a table RLS leaves
 * open. The access questions are answered by the RLS review's coverage
 * matrix (rls.h), so refs and the review can never disagree about a
 * policy; nothing here re-reads policy expressions.
 */
#include <string.h>

#include "pgdrift/arena.h"
#include "pgdrift/map.h"
#include "pgdrift/refs.h"

struct ck {
	const struct pgd_refs_scan *s;
	const struct pgd_schema *m;
	const struct pgd_rls_matrix *mx;
	const char *const *exposed;
	size_t nexposed;
	struct pgd_findings *out;
	struct pgd_map *seen;  /* code\x1fobject\x1ffile\x1fline already reported */
	struct pgd_arena *keys; /* seen's keys */
	struct pgd_map *rows;  /* matrix row by table name */
};

static bool exposed(const struct ck *c, const char *schema)
{
	for (size_t i = 0; i < c->nexposed; i++)
		if (!strcmp(c->exposed[i], schema))
			return true;
	return false;
}

static const struct pgd_rls_row *row_of(const struct ck *c, const char *qn)
{
	return c->rows ? pgd_map_get(c->rows, qn, strlen(qn)) : NULL;
}

static const char *schema_of(const struct pgd_ref *r)
{
	return r->schema ? r->schema : "public";
}

/* A table, view or materialized view the code may name. */
static bool rel_exists(const struct pgd_schema *m, const char *schema,
		       const char *name)
{
	const struct pgd_object *o = pgd_schema_find_rel(m, schema, name);
	return o && (o->kind == PGD_TABLE || o->kind == PGD_VIEW);
}

/* Adds a finding at the reference's file:line unless the same code,
 * object and place is there already (two calls on one line). */
static struct pgd_finding *add(struct ck *c, enum pgd_rule_id id,
			       const struct pgd_ref *r, const char *object,
			       const char *table, const char *expected,
			       const char *actual, const char *msg)
{
	const char *file = c->s->files[r->file].path;
	char *key = pgd_xasprintf("%d\x1f%s\x1f%s\x1f%u", (int)id, object, file,
				  r->line);
	bool dup = pgd_map_get(c->seen, key, strlen(key)) != NULL;
	if (!dup) {
		const char *kept = pgd_arena_strdup(c->keys, key);
		pgd_map_put(c->seen, kept, strlen(kept), (void *)1);
	}
	free(key);
	if (dup)
		return NULL;
	struct pgd_finding *f = pgd_findings_add(c->out, id, object, table, expected,
						 actual, "%s", msg);
	f->file = pgd_xstrdup(file);
	f->line = r->line;
	return f;
}

static const char *via_word(const struct pgd_ref *r)
{
	return r->via == PGD_VIA_SQL ? "SQL" : "the API";
}

static void missing_table(struct ck *c, const struct pgd_ref *r, const char *qn)
{
	const struct pgd_tombstone *tb = pgd_schema_find_tombstone(c->m, PGD_TABLE,
		schema_of(r), NULL, r->name);
	char *msg;
	if (tb && tb->dropped.file)
		msg = pgd_xasprintf("the code uses %s through %s, which was dropped "
				    "in %s:%u", qn, via_word(r), tb->dropped.file,
				    tb->dropped.line);
	else
		msg = pgd_xasprintf("the code uses %s through %s, which the schema "
				    "does not have", qn, via_word(r));
	add(c, PGD_R_REF_MISSING_TABLE, r, qn, qn, "a table or view", "missing", msg);
	free(msg);
}

/* Commands the code issues that the matrix row's cells answer, as
 * matrix column bits: ops bits 0..3 are SELECT..DELETE in both. */
static unsigned table_ops(const struct pgd_ref *r)
{
	return r->ops & (PGD_OP_SELECT | PGD_OP_INSERT | PGD_OP_UPDATE | PGD_OP_DELETE);
}

static bool allows(enum pgd_access a)
{
	return a == PGD_ACC_POLICY || a == PGD_ACC_ALL_ROWS || a == PGD_ACC_OPEN;
}

static void access_checks(struct ck *c, const struct pgd_ref *r, const char *qn)
{
	const struct pgd_ref_file *file = &c->s->files[r->file];
	const struct pgd_rls_row *row = row_of(c, qn);
	unsigned ops = table_ops(r);
	if (!row || !ops || file->side == PGD_SIDE_SERVER)
		return;
	char buf[64];
	/* every call denied: RLS on, and neither API role may */
	unsigned denied = 0;
	if (row->rls_enabled)
		for (size_t k = 0; k < PGD_RLS_NCMDS; k++)
			if ((ops & (1u << k)) && !allows(row->cells[k][0].access) &&
			    !allows(row->cells[k][1].access))
				denied |= 1u << k;
	if (denied) {
		pgd_ops_text(denied, buf);
		char *msg = pgd_xasprintf("the code issues %s on %s, but row level "
			"security is on and no policy allows it for anon or "
			"authenticated: every call is denied", buf, qn);
		char *exp = pgd_xasprintf("a policy for %s to anon or authenticated", buf);
		add(c, PGD_R_REF_OPERATION_WITHOUT_POLICY, r, qn, qn, exp, "denied", msg);
		free(exp);
		free(msg);
	}
	if (file->side != PGD_SIDE_CLIENT)
		return;
	/* client code on a table RLS leaves open */
	unsigned open = 0;
	const char *why = NULL;
	for (size_t k = 0; k < PGD_RLS_NCMDS; k++) {
		if (!(ops & (1u << k)))
			continue;
		for (size_t role = 0; role < 2; role++) {
			const struct pgd_rls_cell *cell = &row->cells[k][role];
			if (cell->access == PGD_ACC_OPEN) {
				open |= 1u << k;
				why = "row level security is off";
			} else if (cell->access == PGD_ACC_ALL_ROWS && !(open & (1u << k))) {
				open |= 1u << k;
				if (!why)
					why = cell->policies;
			}
		}
	}
	if (open) {
		pgd_ops_text(open, buf);
		char *msg, *act;
		if (!row->rls_enabled) {
			msg = pgd_xasprintf("client code (%s) issues %s on %s, where row "
					    "level security is off: anyone with the anon "
					    "key can do the same to every row", file->why,
					    buf, qn);
			act = pgd_xstrdup("RLS disabled");
		} else {
			msg = pgd_xasprintf("client code (%s) issues %s on %s, where a "
					    "policy (%s) is always true: anyone with the "
					    "anon key can do the same to every row",
					    file->why, buf, qn, why ? why : "?");
			act = pgd_xasprintf("always-true policy %s", why ? why : "?");
		}
		struct pgd_finding *f = add(c, PGD_R_REF_CLIENT_OPEN_TABLE, r, qn, qn,
					    "RLS with a policy that restricts rows",
					    act, msg);
		if (f && !row->rls_enabled)
			f->remediation = pgd_xasprintf("ALTER TABLE %s ENABLE ROW LEVEL "
						       "SECURITY;", qn);
		free(act);
		free(msg);
	}
}

static void check_ref(struct ck *c, const struct pgd_ref *r)
{
	if (r->kind == PGD_REF_BUCKET)
		return;
	const char *schema = schema_of(r);
	char *qn = pgd_qualified_name(schema, r->name, NULL);
	if (r->via == PGD_VIA_API && !exposed(c, schema)) {
		char *obj = pgd_qualified_name(schema, r->name, NULL);
		struct pgd_strbuf ex = PGD_STRBUF_INIT;
		for (size_t i = 0; i < c->nexposed; i++)
			pgd_strbuf_addf(&ex, "%s%s", i ? ", " : "", c->exposed[i]);
		char *msg = pgd_xasprintf("the code calls .schema('%s') for %s, but the "
					  "API does not expose schema %s (exposed: %s)",
					  schema, obj, schema, ex.buf ? ex.buf : "");
		struct pgd_strbuf sq = PGD_STRBUF_INIT;
		pgd_strbuf_add_ident(&sq, schema);
		add(c, PGD_R_REF_UNEXPOSED_SCHEMA, r, sq.buf, NULL, ex.buf, schema, msg);
		pgd_strbuf_release(&sq);
		pgd_strbuf_release(&ex);
		free(msg);
		free(obj);
		free(qn);
		return;
	}
	if (r->kind == PGD_REF_FUNCTION) {
		/* unqualified SQL calls are mostly built-ins (now(), count()) */
		bool checkable = r->via == PGD_VIA_API ||
				 (r->schema && !pgd_schema_is_platform(r->schema));
		if (checkable && !pgd_schema_find_function_name(c->m, schema, r->name)) {
			char *msg = pgd_xasprintf("the code calls %s() through %s, which "
						  "the schema does not have", qn,
						  via_word(r));
			add(c, PGD_R_REF_MISSING_FUNCTION, r, qn, NULL, "a function",
			    "missing", msg);
			free(msg);
		}
		free(qn);
		return;
	}
	if (!rel_exists(c->m, schema, r->name)) {
		/* platform tables (auth.users) are not in a migration model */
		if (!pgd_schema_is_platform(schema))
			missing_table(c, r, qn);
		free(qn);
		return;
	}
	if (r->via == PGD_VIA_API)
		access_checks(c, r, qn);
	free(qn);
}

/* Marks a relation used (by its object in used), and what the views it
 * names read, transitively. */
static void mark_used(const struct pgd_schema *m, struct pgd_map *used,
		      struct pgd_arena *keys, const char *schema,
		      const char *name, int depth)
{
	const struct pgd_object *o = pgd_schema_find_rel(m, schema, name);
	if (!o || depth > 16 || pgd_map_get(used, (const char *)&o, sizeof(o)))
		return;
	/* the map keeps its key: the pointer's bytes, in the arena */
	const struct pgd_object **key = pgd_arena_alloc(keys, sizeof(*key));
	*key = o;
	pgd_map_put(used, (const char *)key, sizeof(*key), (void *)1);
	if (o->kind == PGD_VIEW) {
		const struct pgd_view *v = (const struct pgd_view *)o;
		for (size_t k = 0; k < v->nreads; k++)
			mark_used(m, used, keys, v->read_schemas[k], v->read_names[k],
				  depth + 1);
	}
}

static void unused_tables(struct ck *c)
{
	const struct pgd_schema *m = c->m;
	struct pgd_map *used = pgd_map_new();
	for (size_t i = 0; i < c->s->nrefs; i++) {
		const struct pgd_ref *r = &c->s->refs[i];
		if (r->kind == PGD_REF_TABLE)
			mark_used(m, used, c->keys, schema_of(r), r->name, 0);
	}
	for (size_t i = 0; i < m->ntables; i++) {
		const struct pgd_table *t = m->tables[i];
		const struct pgd_object *o = &t->obj;
		if (pgd_map_get(used, (const char *)&o, sizeof(o)) || t->external || t->partition_of ||
		    pgd_schema_is_platform(t->obj.schema))
			continue;
		char *qn = pgd_qualified_name(t->obj.schema, t->obj.name, NULL);
		struct pgd_finding *f = pgd_findings_add(c->out, PGD_R_REF_UNUSED_TABLE,
			qn, qn, NULL, NULL, "no code references %s (%zu file%s scanned)",
			qn, c->s->scanned, c->s->scanned == 1 ? "" : "s");
		if (t->obj.created.file) {
			f->file = pgd_xstrdup(t->obj.created.file);
			f->line = t->obj.created.line;
		}
		free(qn);
	}
	pgd_map_free(used);
}

void pgd_refs_check(const struct pgd_refs_scan *s, const struct pgd_schema *m,
		    const struct pgd_rls_matrix *mx,
		    const struct pgd_refs_check_options *o,
		    struct pgd_findings *out)
{
	static const char *const public_only[] = { "public" };
	struct ck c = { s, m, mx, public_only, 1, out, pgd_map_new(),
			pgd_arena_new(), NULL };
	if (mx) {
		c.rows = pgd_map_new();
		for (size_t i = 0; i < mx->n; i++)
			pgd_map_put(c.rows, mx->rows[i].table, strlen(mx->rows[i].table),
				    &mx->rows[i]);
	}
	if (o && o->nexposed) {
		c.exposed = o->exposed;
		c.nexposed = o->nexposed;
	} else if (m->exposed_known) {
		c.exposed = m->exposed_schemas;
		c.nexposed = m->nexposed_schemas;
	}
	for (size_t i = 0; i < s->nrefs; i++)
		check_ref(&c, &s->refs[i]);
	unused_tables(&c);
	for (size_t i = 0; i < s->notes.n; i++) {
		const struct pgd_diag *d = &s->notes.v[i];
		struct pgd_finding *f = pgd_findings_add(out, PGD_R_REF_FILE_SKIPPED,
			NULL, NULL, NULL, NULL, "%s: %s", d->path ? d->path : "?",
			d->message);
		if (d->path)
			f->file = pgd_xstrdup(d->path);
		/* unreadable: the scan is incomplete, never a clean report */
		if (d->level == PGD_DIAG_ERROR)
			f->severity = PGD_SEV_ERROR;
	}
	pgd_map_free(c.seen);
	pgd_arena_free(c.keys);
	if (c.rows)
		pgd_map_free(c.rows);
}

void pgd_refs_mark_matrix(const struct pgd_refs_scan *s,
			  struct pgd_rls_matrix *mx)
{
	struct pgd_map *rows = pgd_map_new();
	for (size_t i = 0; i < mx->n; i++)
		pgd_map_put(rows, mx->rows[i].table, strlen(mx->rows[i].table),
			    &mx->rows[i]);
	for (size_t i = 0; i < s->nrefs; i++) {
		const struct pgd_ref *r = &s->refs[i];
		if (r->kind != PGD_REF_TABLE || r->via != PGD_VIA_API)
			continue;
		char *qn = pgd_qualified_name(schema_of(r), r->name, NULL);
		struct pgd_rls_row *row = pgd_map_get(rows, qn, strlen(qn));
		if (row)
			row->used |= table_ops(r);
		free(qn);
	}
	pgd_map_free(rows);
}

static int cmp_use(const void *a, const void *b)
{
	const struct pgd_inventory_use *x = a, *y = b;
	int c = strcmp(x->schema, y->schema);
	if (!c)
		c = strcmp(x->name, y->name);
	if (!c)
		c = (x->kind > y->kind) - (x->kind < y->kind);
	if (!c)
		c = strcmp(x->file, y->file);
	if (!c)
		c = (x->line > y->line) - (x->line < y->line);
	if (!c)
		c = (x->sql > y->sql) - (x->sql < y->sql);
	if (!c)
		c = strcmp(x->ops, y->ops);
	return c;
}

struct pgd_inventory_use *pgd_refs_uses(const struct pgd_refs_scan *s,
					const struct pgd_schema *m, size_t *n)
{
	struct pgd_inventory_use *v = pgd_xcalloc(s->nrefs + 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < s->nrefs; i++) {
		const struct pgd_ref *r = &s->refs[i];
		if (r->kind != PGD_REF_TABLE && r->kind != PGD_REF_FUNCTION)
			continue;
		/* now(), count(): unqualified SQL calls the model lacks are
		 * built-ins */
		if (r->kind == PGD_REF_FUNCTION && r->via == PGD_VIA_SQL && !r->schema &&
		    !pgd_schema_find_function_name(m, "public", r->name))
			continue;
		struct pgd_inventory_use *u = &v[k++];
		u->kind = r->kind == PGD_REF_TABLE ? 't' : 'f';
		u->schema = schema_of(r);
		u->name = r->name;
		u->file = s->files[r->file].path;
		u->line = r->line;
		u->sql = r->via == PGD_VIA_SQL;
		pgd_ops_text(r->kind == PGD_REF_FUNCTION ? 0 : r->ops, u->ops);
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), cmp_use);
	*n = k;
	return v;
}

/* The same finding: code, object and place; an unused table has no place
 * in the code (its migration file:line only one side knows). */
static bool same_place(const struct pgd_finding *x, const struct pgd_finding *y)
{
	if (x->rule != y->rule ||
	    strcmp(x->object ? x->object : "", y->object ? y->object : ""))
		return false;
	return x->rule == pgd_rule(PGD_R_REF_UNUSED_TABLE) ||
	       (x->line == y->line &&
		!strcmp(x->file ? x->file : "", y->file ? y->file : ""));
}

static void move_tagged(struct pgd_findings *out, struct pgd_finding *x,
			const char *only)
{
	if (only) {
		char *m = pgd_xasprintf("%s (%s only)", x->message, only);
		free(x->message);
		x->message = m;
	}
	PGD_GROW(out->v, out->alloc, out->n + 1);
	out->v[out->n++] = *x;
	memset(x, 0, sizeof(*x));
}

void pgd_refs_merge(struct pgd_findings *a, const char *a_name,
		    struct pgd_findings *b, const char *b_name,
		    struct pgd_findings *out)
{
	char *in_b = pgd_xcalloc(b->n + 1, 1);
	for (size_t i = 0; i < a->n; i++) {
		bool both = false;
		for (size_t k = 0; k < b->n && !both; k++)
			if (!in_b[k] && same_place(&a->v[i], &b->v[k])) {
				in_b[k] = 1;
				both = true;
			}
		move_tagged(out, &a->v[i], both ? NULL : a_name);
	}
	for (size_t k = 0; k < b->n; k++) {
		if (in_b[k])
			pgd_finding_release(&b->v[k]);
		else
			move_tagged(out, &b->v[k], b_name);
	}
	free(in_b);
	free(a->v);
	free(b->v);
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
}

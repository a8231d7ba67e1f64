/*
 * replay_deps.c - dependency rules shared by several object families:
 * the foreign keys and views that depend on an index or column, dropping a
 * view with the views that read it, the partitions of a table and index
 * renames. Below the handlers, above replay_ctx.c.
 */
#include <string.h>

#include "replay.h"

static bool is_fk_to(const struct pgd_constraint *c, const struct pgd_table *t)
{
	return c->type == PGD_CON_FOREIGN && c->ref_table &&
	       strcmp(c->ref_table, t->obj.name) == 0 &&
	       strcmp(c->ref_schema, t->obj.schema) == 0;
}

bool rp_in_list(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool same_set(const char *const *a, size_t na, const char *const *b,
		     size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!rp_in_list(b, nb, a[i]))
			return false;
	return true;
}

/* The index a FOREIGN KEY to t depends on: as transformFkeyCheckAttrs()
 * picks it, the first plain unique index on exactly its referenced
 * columns. */
static const struct pgd_index *fk_index(const struct pgd_constraint *fk,
					const struct pgd_table *t)
{
	for (size_t i = 0; i < t->nindexes; i++) {
		const struct pgd_index *ix = t->indexes[i];
		if (ix->unique && !ix->has_exprs &&
		    same_set(ix->columns, ix->ncolumns, fk->ref_columns,
			     fk->nref_columns))
			return ix;
	}
	return NULL;
}

void rp_deps_release(struct rp_deps *d)
{
	free(d->fk_tables);
	free(d->fks);
	free(d->views);
}

/* Foreign keys that depend on index ix of t. */
void rp_fk_deps_on_index(struct replay *r, const struct pgd_table *t,
			 const struct pgd_index *ix, struct rp_deps *d)
{
	for (size_t i = 0; i < r->m->ntables; i++) {
		struct pgd_table *o = r->m->tables[i];
		for (size_t k = 0; k < o->nconstraints; k++) {
			struct pgd_constraint *c = o->constraints[k];
			if (!is_fk_to(c, t) || fk_index(c, t) != ix)
				continue;
			PGD_GROW(d->fks, d->afks, d->nfks + 1);
			d->fk_tables = pgd_xreallocarray(d->fk_tables, d->afks,
							 sizeof(*d->fk_tables));
			d->fk_tables[d->nfks] = o;
			d->fks[d->nfks++] = c;
		}
	}
}

/* Drops what depends on an object being dropped with CASCADE. */
void rp_drop_deps(struct replay *r, struct rp_deps *d)
{
	for (size_t i = 0; i < d->nfks; i++) {
		struct pgd_table *o = d->fk_tables[i];
		pgd_schema_add_tombstone(r->m, PGD_CONSTRAINT, o->obj.schema,
					 o->obj.name, d->fks[i]->obj.name, &r->src);
		pgd_table_remove_constraint(r->m, o, d->fks[i]);
	}
	for (size_t i = 0; i < d->nviews; i++) {
		bool still = false; /* a view dropped with another goes once */
		for (size_t k = 0; k < r->m->nviews && !still; k++)
			still = r->m->views[k] == d->views[i];
		if (still)
			rp_drop_view(r, d->views[i]);
	}
}

int rp_drop_index_deps(struct replay *r, struct pgd_index *ix, bool cascade,
		       const char *what)
{
	struct rp_deps d = { 0 };
	rp_fk_deps_on_index(r, ix->table, ix, &d);
	int rc = 0;
	if (d.nfks && !cascade)
		rc = rp_error(r, -1, "cannot drop %s because other objects depend on it",
			      what);
	else
		rp_drop_deps(r, &d);
	rp_deps_release(&d);
	return rc;
}

/* Whether c is a partition of t. */
static bool partition_of(const struct pgd_table *c, const struct pgd_table *t)
{
	if (!c->partition_of)
		return false;
	struct pgd_strbuf pn = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&pn, t->obj.schema);
	pgd_strbuf_addch(&pn, '.');
	pgd_strbuf_add_ident(&pn, t->obj.name);
	bool res = strcmp(c->partition_of, pn.buf) == 0;
	pgd_strbuf_release(&pn);
	return res;
}

struct pgd_table **rp_partitions(struct replay *r, const struct pgd_table *t,
				 size_t *n)
{
	struct pgd_table **v = pgd_xmalloc((r->m->ntables + 1) * sizeof(*v));
	*n = 0;
	for (size_t i = 0; t->relkind == 'p' && i < r->m->ntables; i++)
		if (partition_of(r->m->tables[i], t))
			v[(*n)++] = r->m->tables[i];
	return v;
}

void rp_rename_index_def(struct replay *r, struct pgd_index *ix,
			 const char *old)
{
	struct pgd_strbuf from = PGD_STRBUF_INIT, to = PGD_STRBUF_INIT;
	pgd_strbuf_addstr(&from, " INDEX ");
	pgd_strbuf_add_ident(&from, old);
	pgd_strbuf_addstr(&from, " ON ");
	pgd_strbuf_addstr(&to, " INDEX ");
	pgd_strbuf_add_ident(&to, ix->obj.name);
	pgd_strbuf_addstr(&to, " ON ");
	char *d = rp_replace_once(ix->def, from.buf, to.buf);
	if (d)
		ix->def = pgd_schema_strdup(r->m, d);
	free(d);
	pgd_strbuf_release(&from);
	pgd_strbuf_release(&to);
}

void rp_rename_index(struct replay *r, struct pgd_index *ix, const char *new_name)
{
	char *old = pgd_xstrdup(ix->obj.name);
	pgd_schema_rename_rel(r->m, &ix->obj, ix->obj.schema, new_name);
	rp_rename_index_def(r, ix, old);
	free(old);
}

static bool names(const char **schemas, const char **nms, size_t n,
		  const char *schema, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(schemas[k], schema) && !strcmp(nms[k], name))
			return true;
	return false;
}

void rp_drop_views_using(struct replay *r, bool calls, const char *schema,
			 const char *name, const struct pgd_view *except)
{
	for (size_t i = r->m->nviews; i-- > 0;) {
		struct pgd_view *o = r->m->views[i];
		if (o != except &&
		    (calls ? names(o->call_schemas, o->call_names, o->ncalls, schema, name)
			   : names(o->read_schemas, o->read_names, o->nreads, schema, name))) {
			rp_drop_view(r, o);
			i = r->m->nviews; /* the array changed */
		}
	}
}

void rp_drop_view(struct replay *r, struct pgd_view *v)
{
	/* views that read it go first */
	rp_drop_views_using(r, false, v->obj.schema, v->obj.name, v);
	pgd_schema_add_tombstone(r->m, PGD_VIEW, v->obj.schema, NULL, v->obj.name,
				 &r->src);
	pgd_schema_remove_view(r->m, v);
}

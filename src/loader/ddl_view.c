/*
 * ddl_view.c - CREATE VIEW and CREATE TABLE AS / materialized views: their
 * columns and the relations and columns they read.
 */
#include <string.h>

#include "replay.h"

/* ---- views and CREATE TABLE AS */

struct reads {
	struct replay *r;
	struct pgd_view *v;
	size_t alloc;
};

static void collect_rangevar(PgQuery__Node *n, void *arg)
{
	struct reads *rd = arg;
	if (n->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
		return;
	PgQuery__RangeVar *rv = n->range_var;
	const char *schema = rv->schemaname && *rv->schemaname ? rv->schemaname : NULL;
	if (!schema) {
		struct pgd_nctx ctx = rp_nctx(rd->r, NULL, NULL);
		schema = pgd_norm_resolve_rel(&ctx, rv->relname);
	}
	if (!schema)
		return; /* a CTE name or an object the model does not know */
	struct pgd_view *v = rd->v;
	const char **s = pgd_schema_alloc(rd->r->m, (v->nreads + 1) * sizeof(*s));
	const char **nm = pgd_schema_alloc(rd->r->m, (v->nreads + 1) * sizeof(*nm));
	PGD_COPY(s, v->read_schemas, v->nreads * sizeof(*s));
	PGD_COPY(nm, v->read_names, v->nreads * sizeof(*nm));
	s[v->nreads] = pgd_schema_strdup(rd->r->m, schema);
	nm[v->nreads] = pgd_schema_strdup(rd->r->m, rv->relname);
	v->read_schemas = s;
	v->read_names = nm;
	v->nreads++;
}

/* The column references of a query: "q\x1fname" for q.name, "\x1fname"
 * for a bare name, "q\x1f*" and "\x1f*" for stars. */
static void collect_colrefs(PgQuery__Node *n, void *arg)
{
	struct pgd_strbuf *refs = arg; /* NUL-separated */
	if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || !n->column_ref->n_fields)
		return;
	PgQuery__ColumnRef *cr = n->column_ref;
	PgQuery__Node *last = cr->fields[cr->n_fields - 1];
	const char *q = cr->n_fields >= 2 ? pgd_pgq_str(cr->fields[cr->n_fields - 2])
					  : "";
	const char *name = last->node_case == PG_QUERY__NODE__NODE_A_STAR
				   ? "*" : pgd_pgq_str(last);
	if (!q || !name)
		return;
	pgd_strbuf_addf(refs, "%s\x1f%s", q, name);
	pgd_strbuf_addch(refs, '\0');
}

static bool has_ref(const struct pgd_strbuf *refs, const char *q,
		    const char *name)
{
	char *key = pgd_xasprintf("%s\x1f%s", q, name);
	bool found = false;
	for (size_t at = 0; at < refs->len && !found; at += strlen(refs->buf + at) + 1)
		found = strcmp(refs->buf + at, key) == 0;
	free(key);
	return found;
}

struct refnames {
	const char **schema, **name, **ref; /* ref: the alias or name */
	size_t n, alloc;
};

static void collect_refnames(PgQuery__Node *n, void *arg)
{
	struct refnames *rn = arg;
	if (n->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
		return;
	PgQuery__RangeVar *rv = n->range_var;
	PGD_GROW(rn->schema, rn->alloc, rn->n + 1);
	rn->name = pgd_xrealloc(rn->name, rn->alloc * sizeof(*rn->name));
	rn->ref = pgd_xrealloc(rn->ref, rn->alloc * sizeof(*rn->ref));
	rn->schema[rn->n] = rv->schemaname && *rv->schemaname ? rv->schemaname : NULL;
	rn->name[rn->n] = rv->relname;
	rn->ref[rn->n] = rv->alias && rv->alias->aliasname && *rv->alias->aliasname
				 ? rv->alias->aliasname : rv->relname;
	rn->n++;
}

/*
 * The table columns a view's query uses, as PostgreSQL records them in
 * pg_depend: the columns named (qualified by the table's name or alias, or
 * bare when the table has such a column) and, for a star, every column the
 * table has now.
 */
static void view_columns(struct replay *r, struct pgd_view *v, PgQuery__Node *query)
{
	struct pgd_strbuf refs = PGD_STRBUF_INIT;
	struct refnames rn = { 0 };
	collect_refnames(query, &rn);
	pgd_pgq_visit(&query->base, collect_refnames, &rn);
	pgd_pgq_visit(&query->base, collect_colrefs, &refs);
	struct pgd_nctx ctx = rp_nctx(r, NULL, NULL);
	size_t alloc = 0;
	v->read_columns = NULL;
	v->nread_columns = 0;
	const char **cols = NULL;
	for (size_t i = 0; i < rn.n; i++) {
		const char *schema = rn.schema[i] ? rn.schema[i]
						  : pgd_norm_resolve_rel(&ctx, rn.name[i]);
		struct pgd_table *t = schema ? pgd_schema_find_table(r->m, schema,
								     rn.name[i]) : NULL;
		if (!t)
			continue;
		for (size_t k = 0; k < t->ncolumns; k++) {
			const char *cn = t->columns[k]->obj.name;
			if (!has_ref(&refs, "", "*") && !has_ref(&refs, rn.ref[i], "*") &&
			    !has_ref(&refs, "", cn) && !has_ref(&refs, rn.ref[i], cn))
				continue;
			struct pgd_strbuf q = PGD_STRBUF_INIT;
			rp_qualified(&q, t->obj.schema, t->obj.name);
			pgd_strbuf_addch(&q, '.');
			pgd_strbuf_add_ident(&q, cn);
			PGD_GROW(cols, alloc, v->nread_columns + 1);
			cols[v->nread_columns++] = pgd_schema_strdup(r->m, q.buf);
			pgd_strbuf_release(&q);
		}
	}
	const char **vec = pgd_schema_alloc(r->m, (v->nread_columns + 1) * sizeof(*vec));
	PGD_COPY(vec, cols, v->nread_columns * sizeof(*vec));
	v->read_columns = vec;
	free(cols);
	free(rn.schema);
	free(rn.name);
	free(rn.ref);
	pgd_strbuf_release(&refs);
}

/* A function of the model the view calls (resolved through the search
 * path as the server resolves the name when it creates the view). */
static void collect_call(PgQuery__Node *n, void *arg)
{
	struct reads *rd = arg;
	if (n->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
		return;
	const char *schema, *name;
	PgQuery__FuncCall *fc = n->func_call;
	if (!rp_split_names(fc->funcname, fc->n_funcname, &schema, &name))
		return;
	struct replay *r = rd->r;
	const char *hit = NULL;
	for (size_t k = 0; !hit && k < (schema ? 1 : r->nsearch_path); k++) {
		const char *s = schema ? schema : r->search_path[k];
		for (size_t i = 0; !hit && i < r->m->nfunctions; i++)
			if (!strcmp(r->m->functions[i]->obj.schema, s) &&
			    !strcmp(r->m->functions[i]->obj.name, name))
				hit = r->m->functions[i]->obj.schema;
	}
	if (!hit)
		return;
	struct pgd_view *v = rd->v;
	const char **s = pgd_schema_alloc(r->m, (v->ncalls + 1) * sizeof(*s));
	const char **nm = pgd_schema_alloc(r->m, (v->ncalls + 1) * sizeof(*nm));
	PGD_COPY(s, v->call_schemas, v->ncalls * sizeof(*s));
	PGD_COPY(nm, v->call_names, v->ncalls * sizeof(*nm));
	s[v->ncalls] = pgd_schema_strdup(r->m, hit);
	nm[v->ncalls] = pgd_schema_strdup(r->m, name);
	v->call_schemas = s;
	v->call_names = nm;
	v->ncalls++;
}

/* The relations a view's query reads, the columns and functions it uses. */
static void view_reads(struct replay *r, struct pgd_view *v, PgQuery__Node *query)
{
	struct reads rd = { r, v, 0 };
	v->nreads = 0;
	v->ncalls = 0;
	if (query) {
		pgd_pgq_visit(&query->base, collect_rangevar, &rd);
		pgd_pgq_visit(&query->base, collect_call, &rd);
		view_columns(r, v, query);
	}
}

void rp_create_view(struct replay *r, PgQuery__ViewStmt *s)
{
	const char *schema = rp_rv_schema(r, s->view);
	struct pgd_object *o = pgd_schema_find_rel(r->m, schema, s->view->relname);
	struct pgd_view *v = NULL;
	if (o) {
		if (o->kind != PGD_VIEW || !s->replace) {
			rp_error(r, s->view->location, "relation \"%s\" already exists",
				 s->view->relname);
			return;
		}
		v = (struct pgd_view *)o;
		rp_touch(r, &v->obj);
	} else {
		v = pgd_schema_add_view(r->m, schema, s->view->relname);
		v->obj.created = r->src;
	}
	v->security_invoker = false;
	view_reads(r, v, s->query);
	for (size_t i = 0; i < s->n_options; i++) {
		PgQuery__DefElem *de = s->options[i]->def_elem;
		if (!de || !de->defname || strcmp(de->defname, "security_invoker"))
			continue;
		const char *val = pgd_pgq_str(de->arg);
		bool on = !de->arg;
		if (val)
			on = !strcmp(val, "true") || !strcmp(val, "on") || !strcmp(val, "1");
		else if (de->arg && de->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
			on = de->arg->boolean->boolval;
		else if (de->arg && de->arg->node_case == PG_QUERY__NODE__NODE_INTEGER)
			on = de->arg->integer->ival != 0;
		v->security_invoker = on;
	}
}

/*
 * The columns of CREATE TABLE ... AS SELECT when the query is plain: one
 * known table in FROM and a target list of * or bare columns. They get the
 * source columns' types, and nothing else (no default, no NOT NULL), as the
 * server gives them. Returns false for any other query.
 */
static bool ctas_columns(struct replay *r, struct pgd_table *t,
			 PgQuery__CreateTableAsStmt *s)
{
	PgQuery__SelectStmt *q = s->query && s->query->node_case ==
		PG_QUERY__NODE__NODE_SELECT_STMT ? s->query->select_stmt : NULL;
	if (!q || q->n_from_clause != 1 || q->op != PG_QUERY__SET_OPERATION__SETOP_NONE ||
	    q->from_clause[0]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR ||
	    q->n_group_clause || q->n_values_lists)
		return false;
	struct pgd_table *src = rp_table(r, q->from_clause[0]->range_var, true);
	if (!src || src->columns_unknown)
		return false;
	const char **names = pgd_schema_alloc(r->m, (src->ncolumns + q->n_target_list + 1) *
						       sizeof(*names));
	const struct pgd_column **cols = pgd_schema_alloc(r->m,
		(src->ncolumns + q->n_target_list + 1) * sizeof(*cols));
	size_t n = 0;
	for (size_t i = 0; i < q->n_target_list; i++) {
		PgQuery__ResTarget *rt = q->target_list[i]->res_target;
		PgQuery__ColumnRef *cr = rt && rt->val && rt->val->node_case ==
			PG_QUERY__NODE__NODE_COLUMN_REF ? rt->val->column_ref : NULL;
		if (!cr || !cr->n_fields)
			return false;
		PgQuery__Node *last = cr->fields[cr->n_fields - 1];
		if (last->node_case == PG_QUERY__NODE__NODE_A_STAR) {
			for (size_t k = 0; k < src->ncolumns; k++) {
				cols[n] = src->columns[k];
				names[n++] = src->columns[k]->obj.name;
			}
			continue;
		}
		const char *cn = pgd_pgq_str(last);
		const struct pgd_column *c = cn ? pgd_table_find_column(src, cn) : NULL;
		if (!c)
			return false;
		cols[n] = c;
		names[n++] = rt->name && *rt->name ? pgd_schema_strdup(r->m, rt->name)
						   : c->obj.name;
	}
	PgQuery__IntoClause *into = s->into;
	for (size_t i = 0; into && i < into->n_col_names && i < n; i++)
		if (pgd_pgq_str(into->col_names[i]))
			names[i] = pgd_schema_strdup(r->m, pgd_pgq_str(into->col_names[i]));
	for (size_t i = 0; i < n; i++) {
		if (pgd_table_find_column(t, names[i]))
			return false;
		struct pgd_column *c = pgd_table_add_column(r->m, t, names[i]);
		c->obj.created = r->src;
		c->type = cols[i]->type;
		c->collation = cols[i]->collation;
	}
	return true;
}

void rp_create_table_as(struct replay *r, PgQuery__CreateTableAsStmt *s)
{
	PgQuery__RangeVar *rv = s->into ? s->into->rel : NULL;
	if (!rv)
		return;
	const char *schema = rp_rv_schema(r, rv);
	if (pgd_schema_find_rel(r->m, schema, rv->relname)) {
		if (!s->if_not_exists)
			rp_error(r, rv->location, "relation \"%s\" already exists",
				 rv->relname);
		return;
	}
	if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW) {
		struct pgd_view *v = pgd_schema_add_view(r->m, schema, rv->relname);
		v->relkind = 'm';
		v->obj.created = r->src;
		return;
	}
	struct pgd_table *t = pgd_schema_add_table(r->m, schema, rv->relname);
	t->obj.created = r->src;
	if (!ctas_columns(r, t, s)) {
		t->columns_unknown = true;
		rp_unmodeled(r, "CREATE TABLE AS",
			     "the columns of a table made from this query are not known");
	}
}

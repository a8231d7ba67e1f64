/*
 * sqlbody.c - canonical SQL-standard function bodies (BEGIN ATOMIC ... END
 * and RETURN expr), stored analyzed in pg_proc.prosqlbody and printed back
 * by ruleutils (pg_get_function_sqlbody). Both sides are parsed and go
 * through the expression rewrites of expr.c, plus what ruleutils does to a
 * whole body:
 *  - $n is printed as the parameter's name (the migration's side is
 *    rewritten to it);
 *  - every column and parameter is qualified (func.param, t.col): the
 *    canonical form keeps the last name only, on both sides;
 *  - relations get their schema (the migration's unqualified names are
 *    resolved through the model, as for policies);
 *  - SELECT * over tables the model knows becomes their columns;
 *  - INSERT gets its full target column list: a list that names the
 *    table's first columns in order is dropped, on both sides;
 *  - output names (AS count) and ELSE NULL are dropped by expr.c.
 * What the canonical form loses (qualifiers only) never changes what the
 * body does in a schema where the names resolve the same way.
 * Every node made or freed here uses malloc/free (see pgq.h).
 */
#include <stdlib.h>
#include <string.h>

#include "pb.h"
#include "pgdrift/strbuf.h"
#include "pgq.h"

struct pre {
	const struct pgd_nctx *ctx;
	PgQuery__Node *const *params;
	size_t nparams;
	const char **ctes;
	size_t nctes, actes;
};

static void collect_ctes(PgQuery__Node *n, void *arg)
{
	struct pre *p = arg;
	if (n->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR ||
	    !n->common_table_expr->ctename)
		return;
	PGD_GROW(p->ctes, p->actes, p->nctes + 1);
	p->ctes[p->nctes++] = n->common_table_expr->ctename;
}

/* The name of input parameter number no (1-based), or NULL. */
static const char *param_name(const struct pre *p, int no)
{
	int k = 0;
	for (size_t i = 0; i < p->nparams; i++) {
		const PgQuery__Node *n = p->params[i];
		if (n->node_case != PG_QUERY__NODE__NODE_FUNCTION_PARAMETER)
			continue;
		const PgQuery__FunctionParameter *fp = n->function_parameter;
		if (fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT ||
		    fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE)
			continue;
		if (++k == no)
			return fp->name && *fp->name ? fp->name : NULL;
	}
	return NULL;
}

/* Gives an unqualified relation the schema it resolves to. */
static void resolve_rel(const struct pre *p, PgQuery__RangeVar *rv)
{
	if (!rv || (rv->schemaname && *rv->schemaname) || !rv->relname)
		return;
	for (size_t i = 0; i < p->nctes; i++)
		if (!strcmp(p->ctes[i], rv->relname))
			return;
	const char *schema = pgd_norm_resolve_rel(p->ctx, rv->relname);
	if (schema) {
		if (rv->schemaname != protobuf_c_empty_string)
			free(rv->schemaname);
		rv->schemaname = pgd_xstrdup(schema);
	}
}

static PgQuery__Node *colref(const char *name)
{
	PgQuery__Node *n = pgd_xmalloc(sizeof(*n));
	pg_query__node__init(n);
	PgQuery__ColumnRef *cr = pgd_xmalloc(sizeof(*cr));
	pg_query__column_ref__init(cr);
	cr->fields = pgd_xmalloc(sizeof(*cr->fields));
	cr->fields[0] = pgd_pgq_make_str(name);
	cr->n_fields = 1;
	n->node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
	n->column_ref = cr;
	return n;
}

/*
 * SELECT * over plain tables the model knows: ruleutils prints the
 * columns the star stood for at creation, so the star becomes them.
 */
static void expand_star(const struct pre *p, PgQuery__SelectStmt *s)
{
	if (s->n_target_list != 1 || !s->n_from_clause || !p->ctx->model)
		return;
	PgQuery__Node *t = s->target_list[0];
	if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET || !t->res_target->val ||
	    t->res_target->val->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
		return;
	PgQuery__ColumnRef *cr = t->res_target->val->column_ref;
	if (cr->n_fields != 1 ||
	    cr->fields[0]->node_case != PG_QUERY__NODE__NODE_A_STAR)
		return;
	size_t n = 0;
	for (size_t i = 0; i < s->n_from_clause; i++) {
		PgQuery__Node *f = s->from_clause[i];
		if (f->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
			return;
		resolve_rel(p, f->range_var);
		const char *schema = f->range_var->schemaname;
		struct pgd_table *tb = schema && *schema
			? pgd_schema_find_table(p->ctx->model, schema,
						f->range_var->relname) : NULL;
		if (!tb || tb->columns_unknown)
			return;
		n += tb->ncolumns;
	}
	PgQuery__Node **list = pgd_xmalloc((n ? n : 1) * sizeof(*list));
	size_t k = 0;
	for (size_t i = 0; i < s->n_from_clause; i++) {
		PgQuery__RangeVar *rv = s->from_clause[i]->range_var;
		struct pgd_table *tb = pgd_schema_find_table(p->ctx->model,
			rv->schemaname, rv->relname);
		for (size_t c = 0; c < tb->ncolumns; c++) {
			PgQuery__Node *rt = pgd_xmalloc(sizeof(*rt));
			pg_query__node__init(rt);
			rt->node_case = PG_QUERY__NODE__NODE_RES_TARGET;
			rt->res_target = pgd_xmalloc(sizeof(*rt->res_target));
			pg_query__res_target__init(rt->res_target);
			rt->res_target->val = colref(tb->columns[c]->obj.name);
			list[k++] = rt;
		}
	}
	pgd_pgq_free_node(t);
	free(s->target_list);
	s->target_list = list;
	s->n_target_list = k;
}

static void pre_node(PgQuery__Node *n, void *arg)
{
	struct pre *p = arg;
	if (n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
		expand_star(p, n->select_stmt);
	} else if (n->node_case == PG_QUERY__NODE__NODE_PARAM_REF) {
		const char *name = param_name(p, n->param_ref->number);
		if (!name)
			return;
		pgd_pb_free(&n->param_ref->base);
		PgQuery__Node *c = colref(name);
		n->node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
		n->column_ref = c->column_ref;
		free(c);
	} else if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
		resolve_rel(p, n->range_var);
	} else if (n->node_case == PG_QUERY__NODE__NODE_INSERT_STMT) {
		/* the target is a RangeVar field, not a Node */
		resolve_rel(p, n->insert_stmt->relation);
	} else if (n->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT) {
		resolve_rel(p, n->update_stmt->relation);
	} else if (n->node_case == PG_QUERY__NODE__NODE_DELETE_STMT) {
		resolve_rel(p, n->delete_stmt->relation);
	} else if (n->node_case == PG_QUERY__NODE__NODE_MERGE_STMT) {
		resolve_rel(p, n->merge_stmt->relation);
	}
}

/* Whether cols are the first columns of the table rv names, in order. */
static bool default_columns(const struct pgd_nctx *ctx, const PgQuery__RangeVar *rv,
			    PgQuery__Node *const *cols, size_t ncols)
{
	const char *schema = rv->schemaname && *rv->schemaname ? rv->schemaname
							     : "pg_catalog";
	struct pgd_table *t = ctx->model ? pgd_schema_find_table(ctx->model, schema,
								 rv->relname)
					 : NULL;
	if (!t || ncols > t->ncolumns)
		return false;
	for (size_t i = 0; i < ncols; i++) {
		const PgQuery__Node *c = cols[i];
		if (c->node_case != PG_QUERY__NODE__NODE_RES_TARGET ||
		    !c->res_target->name || c->res_target->n_indirection ||
		    strcmp(c->res_target->name, t->columns[i]->obj.name))
			return false;
	}
	return true;
}

static void post_node(PgQuery__Node *n, void *arg)
{
	const struct pgd_nctx *ctx = arg;
	if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
		PgQuery__ColumnRef *cr = n->column_ref;
		if (cr->n_fields < 2)
			return;
		for (size_t i = 0; i + 1 < cr->n_fields; i++)
			pgd_pgq_free_node(cr->fields[i]);
		cr->fields[0] = cr->fields[cr->n_fields - 1];
		cr->n_fields = 1;
	} else if (n->node_case == PG_QUERY__NODE__NODE_INSERT_STMT) {
		PgQuery__InsertStmt *is = n->insert_stmt;
		if (is->n_cols && is->relation &&
		    default_columns(ctx, is->relation, is->cols, is->n_cols)) {
			for (size_t i = 0; i < is->n_cols; i++)
				pgd_pgq_free_node(is->cols[i]);
			free(is->cols);
			is->cols = NULL;
			is->n_cols = 0;
		}
	}
}

/* Canonical text of one statement (or, for RETURN, expression) at *np. */
static char *one(const struct pgd_nctx *ctx, struct pre *p, PgQuery__Node **np,
		 bool expr, struct pgd_strbuf *err)
{
	p->nctes = 0;
	pgd_pgq_visit((ProtobufCMessage *)*np, collect_ctes, p);
	pgd_pgq_visit((ProtobufCMessage *)*np, pre_node, p);
	/* pgd_pgq_visit() starts below its argument: a lone $1 */
	pre_node(*np, p);
	if (pgd_norm_canon_stmt(ctx, np, err) < 0)
		return NULL;
	pgd_pgq_visit((ProtobufCMessage *)*np, post_node, (void *)ctx);
	post_node(*np, (void *)ctx);
	return expr ? pgd_norm_deparse_expr(*np, err) : pgd_norm_deparse_stmt(*np, err);
}

char *pgd_norm_sql_body(const struct pgd_nctx *ctx, PgQuery__Node *body,
			PgQuery__Node *const *params, size_t nparams,
			struct pgd_strbuf *err)
{
	struct pre p = { .ctx = ctx, .params = params, .nparams = nparams };
	struct pgd_strbuf out = PGD_STRBUF_INIT;
	bool ok = true;
	if (body->node_case == PG_QUERY__NODE__NODE_RETURN_STMT &&
	    body->return_stmt->returnval) {
		char *t = one(ctx, &p, &body->return_stmt->returnval, true, err);
		ok = t != NULL;
		if (t)
			pgd_strbuf_addf(&out, "RETURN %s", t);
		free(t);
	} else if (body->node_case == PG_QUERY__NODE__NODE_LIST) {
		/* BEGIN ATOMIC: a List holding the List of statements */
		PgQuery__List *outer = body->list;
		PgQuery__List *l = outer->n_items == 1 &&
			outer->items[0]->node_case == PG_QUERY__NODE__NODE_LIST
			? outer->items[0]->list : outer;
		pgd_strbuf_addstr(&out, "BEGIN ATOMIC");
		for (size_t i = 0; ok && i < l->n_items; i++) {
			char *t = one(ctx, &p, &l->items[i], false, err);
			ok = t != NULL;
			if (t)
				pgd_strbuf_addf(&out, " %s;", t);
			free(t);
		}
		pgd_strbuf_addstr(&out, " END");
	} else {
		pgd_strbuf_addstr(err, "not a SQL-standard function body");
		ok = false;
	}
	free(p.ctes);
	if (!ok) {
		pgd_strbuf_release(&out);
		return NULL;
	}
	return pgd_strbuf_detach(&out, NULL);
}

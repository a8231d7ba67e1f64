/*
 * rename.c - keeping canonical definitions true across RENAME COLUMN and
 * the renames and moves of the relations they read.
 * PostgreSQL stores attribute numbers, so pg_get_*def() prints the new
 * name everywhere; the model stores text, so every definition that names
 * the column is parsed, rewritten and canonicalized again.
 */
#include <string.h>

#include "pgdrift/strbuf.h"
#include "pb.h"
#include "pgq.h"

struct rn {
	const char *table, *old, *new_name;
};

static void rename_str_node(PgQuery__Node *n, const struct rn *rn)
{
	const char *s = pgd_pgq_str(n);
	if (s && strcmp(s, rn->old) == 0) {
		free(n->string->sval);
		n->string->sval = pgd_xstrdup(rn->new_name);
	}
}

static void visit_rename(PgQuery__Node *n, void *arg)
{
	const struct rn *rn = arg;
	if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
		PgQuery__ColumnRef *cr = n->column_ref;
		/* col, or table.col for the table itself */
		if (cr->n_fields == 1 ||
		    (cr->n_fields == 2 && pgd_pgq_str(cr->fields[0]) &&
		     strcmp(pgd_pgq_str(cr->fields[0]), rn->table) == 0))
			rename_str_node(cr->fields[cr->n_fields - 1], rn);
	} else if (n->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM) {
		PgQuery__IndexElem *el = n->index_elem;
		if (el->name && strcmp(el->name, rn->old) == 0) {
			free(el->name);
			el->name = pgd_xstrdup(rn->new_name);
		}
	}
}

static void rename_list(PgQuery__Node **list, size_t n, const struct rn *rn)
{
	for (size_t i = 0; i < n; i++)
		rename_str_node(list[i], rn);
}

/* Parses a definition pgdrift printed; NULL with err when it does not
 * parse. Free with pgd_pb_free. */
static PgQuery__ParseResult *reparse(const char *sql, struct pgd_strbuf *err)
{
	PgQueryProtobufParseResult r;
	PgQuery__ParseResult *pr = pgd_pb_parse(sql, &r);
	if (r.error)
		pgd_strbuf_addf(err, "cannot re-read a definition: %s",
				r.error->message);
	else if (!pr)
		pgd_strbuf_addstr(err, "cannot re-read a definition");
	pg_query_free_protobuf_parse_result(r);
	return pr;
}

char *pgd_norm_rename_column(const struct pgd_nctx *ctx, struct pgd_schema *m,
			     char kind, const char *text, const char *old,
			     const char *new_name, bool ref,
			     struct pgd_strbuf *err)
{
	struct rn rn = { ctx->rel_name, old, new_name };
	char *sql = kind == 'e' ? pgd_xasprintf("SELECT %s", text)
		  : kind == 'c' ? pgd_xasprintf("ALTER TABLE x ADD CONSTRAINT c %s", text)
				: pgd_xstrdup(text);
	PgQuery__ParseResult *pr = reparse(sql, err);
	free(sql);
	if (!pr)
		return NULL;
	char *res = NULL;
	PgQuery__Node *st = pr && pr->n_stmts ? pr->stmts[0]->stmt : NULL;
	if (!st) {
		pgd_strbuf_addstr(err, "empty definition");
	} else if (kind == 'e' && st->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
		PgQuery__Node **e = &st->select_stmt->target_list[0]->res_target->val;
		pgd_pgq_visit(&(*e)->base, visit_rename, &rn);
		visit_rename(*e, &rn);
		res = pgd_norm_expr(ctx, e, err);
	} else if (kind == 'i' && st->node_case == PG_QUERY__NODE__NODE_INDEX_STMT) {
		pgd_pgq_visit(&st->index_stmt->base, visit_rename, &rn);
		res = pgd_norm_index_stmt(ctx, st->index_stmt, err);
	} else if (kind == 'c' && st->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT) {
		PgQuery__Constraint *con =
			st->alter_table_stmt->cmds[0]->alter_table_cmd->def->constraint;
		if (ref) {
			rename_list(con->pk_attrs, con->n_pk_attrs, &rn);
		} else {
			rename_list(con->keys, con->n_keys, &rn);
			rename_list(con->including, con->n_including, &rn);
			rename_list(con->fk_attrs, con->n_fk_attrs, &rn);
			if (con->raw_expr) {
				visit_rename(con->raw_expr, &rn);
				pgd_pgq_visit(&con->raw_expr->base, visit_rename, &rn);
			}
		}
		struct pgd_constraint tmp = { 0 };
		if (pgd_norm_constraint(ctx, m, &tmp, con, NULL, 0, err) == 0) {
			struct pgd_strbuf sb = PGD_STRBUF_INIT;
			pgd_strbuf_addstr(&sb, tmp.def);
			res = pgd_strbuf_detach(&sb, NULL);
		}
	} else {
		pgd_strbuf_addstr(err, "unexpected definition");
	}
	if (pr)
		pgd_pb_free(&pr->base);
	return res;
}

/* ---- relation renames (RENAME TO, SET SCHEMA) */

struct rr {
	const char *old_schema, *old_name, *new_schema, *new_name;
	bool qualifier; /* column qualifiers naming the relation follow it */
};

static void visit_rename_rel(PgQuery__Node *n, void *arg)
{
	struct rr *rr = arg;
	if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
		PgQuery__RangeVar *rv = n->range_var;
		if (!rv->schemaname || strcmp(rv->schemaname, rr->old_schema) != 0 ||
		    strcmp(rv->relname, rr->old_name) != 0)
			return;
		free(rv->schemaname);
		rv->schemaname = pgd_xstrdup(rr->new_schema);
		free(rv->relname);
		rv->relname = pgd_xstrdup(rr->new_name);
		if (!rv->alias)
			rr->qualifier = true;
	}
}

static void visit_rename_qualifier(PgQuery__Node *n, void *arg)
{
	const struct rr *rr = arg;
	if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
	    n->column_ref->n_fields < 2)
		return;
	PgQuery__ColumnRef *cr = n->column_ref;
	PgQuery__Node *q = cr->fields[cr->n_fields - 2];
	const char *s = pgd_pgq_str(q);
	if (s && strcmp(s, rr->old_name) == 0) {
		free(q->string->sval);
		q->string->sval = pgd_xstrdup(rr->new_name);
	}
}

char *pgd_norm_rename_rel(const struct pgd_nctx *ctx, const char *text,
			  const char *old_schema, const char *old_name,
			  const char *new_schema, const char *new_name,
			  struct pgd_strbuf *err)
{
	struct rr rr = { old_schema, old_name, new_schema, new_name, false };
	char *sql = pgd_xasprintf("SELECT %s", text);
	PgQuery__ParseResult *pr = reparse(sql, err);
	free(sql);
	if (!pr)
		return NULL;
	char *res = NULL;
	PgQuery__Node *st = pr && pr->n_stmts ? pr->stmts[0]->stmt : NULL;
	if (!st || st->node_case != PG_QUERY__NODE__NODE_SELECT_STMT ||
	    st->select_stmt->n_target_list != 1) {
		pgd_strbuf_addstr(err, "unexpected definition");
	} else {
		PgQuery__Node **e = &st->select_stmt->target_list[0]->res_target->val;
		pgd_pgq_visit(&(*e)->base, visit_rename_rel, &rr);
		/* the expression's own table is named by outer references in
		 * its sub-selects; another one by references to its FROM entry */
		if (ctx->rel_name && strcmp(ctx->rel_name, new_name) == 0 &&
		    ctx->rel_schema && strcmp(ctx->rel_schema, new_schema) == 0)
			rr.qualifier = true;
		if (rr.qualifier && strcmp(old_name, new_name) != 0) {
			visit_rename_qualifier(*e, &rr);
			pgd_pgq_visit(&(*e)->base, visit_rename_qualifier, &rr);
		}
		res = pgd_norm_expr(ctx, e, err);
	}
	pgd_pb_free(&pr->base);
	return res;
}

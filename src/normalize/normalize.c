/*
 * normalize.c - text entry points: parse the server's SQL text and hand the
 * tree to the same canonicalization the replay uses.
 */
#include <string.h>

#include "pgd_config.h"
#include "pgdrift/normalize.h"
#include "pgdrift/strbuf.h"
#include "pb.h"
#include "pgq.h"

const char *pgd_normalize_grammar_version(void)
{
	return PG_VERSION;
}

const char *pgd_normalize_grammar_name(void)
{
	return PGD_PG_QUERY_RELEASE[0]
		? "the PostgreSQL " PG_VERSION " grammar (libpg_query "
		  PGD_PG_QUERY_RELEASE ")"
		: "the PostgreSQL " PG_VERSION " grammar (libpg_query)";
}

/*
 * Parses sql into an unpacked tree; NULL with err on failure. The server
 * prints the same default or policy text for many tables: the parser's
 * output is memoized by the text (a function of it alone), from the
 * second time a text is seen (packing a tree for the memo costs about
 * what a parse does, and most texts name their own table: seen once).
 */
static PgQuery__ParseResult *parse(const char *sql, struct pgd_error *err)
{
	size_t sqllen = strlen(sql), hitlen;
	const char *hit = pgd_memo_get('P', sql, sqllen, &hitlen);
	if (hit)
		return pgd_pb_unpack_parse_result((const uint8_t *)hit, hitlen);
	PgQueryProtobufParseResult r;
	PgQuery__ParseResult *pr = pgd_pb_parse(sql, &r);
	if (r.error) {
		pgd_error_set(err, PGD_EXIT_DB,
			      "cannot parse the server's SQL text: %s",
			      r.error->message);
		err->detail = pgd_xasprintf("text: %s", sql);
	} else {
		if (!pr || pr->n_stmts != 1 || !pr->stmts[0]->stmt) {
			pgd_error_set(err, PGD_EXIT_DB,
				      "unexpected SQL text from the server");
			err->detail = pgd_xasprintf("text: %s", sql);
			if (pr)
				pgd_pb_free(&pr->base);
			pr = NULL;
		} else if (!pgd_memo_get('p', sql, sqllen, NULL)) {
			pgd_memo_put('p', sql, sqllen, "", 0); /* seen once */
		} else {
			size_t len;
			uint8_t *bytes = pgd_pb_pack(&pr->base, PGD_PB_KEEP_LOCATIONS, &len);
			if (bytes)
				pgd_memo_put('P', sql, sqllen, bytes, len);
			free(bytes);
		}
	}
	pg_query_free_protobuf_parse_result(r);
	return pr;
}

char *pgd_normalize_expr(struct pgd_schema *m, const char *schema,
			 const char *table, const char *expr,
			 struct pgd_error *err)
{
	char *sql = pgd_xasprintf("SELECT %s", expr);
	PgQuery__ParseResult *pr = parse(sql, err);
	free(sql);
	if (!pr)
		return NULL;
	char *res = NULL;
	PgQuery__Node *st = pr->stmts[0]->stmt;
	if (st->node_case == PG_QUERY__NODE__NODE_SELECT_STMT &&
	    st->select_stmt->n_target_list == 1 &&
	    st->select_stmt->target_list[0]->node_case ==
		    PG_QUERY__NODE__NODE_RES_TARGET) {
		struct pgd_nctx ctx = { m, NULL, 0, schema, table, NULL };
		struct pgd_strbuf e = PGD_STRBUF_INIT;
		res = pgd_norm_expr(&ctx, &st->select_stmt->target_list[0]
						   ->res_target->val, &e);
		if (!res)
			pgd_error_set(err, PGD_EXIT_DB, "%s (in: %s)", e.buf, expr);
		pgd_strbuf_release(&e);
	} else {
		pgd_error_set(err, PGD_EXIT_DB, "not an expression: %s", expr);
	}
	pgd_pb_free(&pr->base);
	return res;
}

char *pgd_normalize_sql_body(struct pgd_schema *m, const char *sqlbody,
			     struct pgd_error *err)
{
	char *sql = pgd_xasprintf("CREATE FUNCTION pgdrift_body() RETURNS void "
				  "LANGUAGE sql %s", sqlbody);
	PgQuery__ParseResult *pr = parse(sql, err);
	free(sql);
	if (!pr)
		return NULL;
	char *res = NULL;
	PgQuery__Node *st = pr->stmts[0]->stmt;
	if (st->node_case == PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT &&
	    st->create_function_stmt->sql_body) {
		struct pgd_nctx ctx = { m, NULL, 0, NULL, NULL, NULL };
		struct pgd_strbuf e = PGD_STRBUF_INIT;
		res = pgd_norm_sql_body(&ctx, st->create_function_stmt->sql_body,
					NULL, 0, &e);
		if (!res)
			pgd_error_set(err, PGD_EXIT_DB, "%s (in: %s)", e.buf, sqlbody);
		pgd_strbuf_release(&e);
	} else {
		pgd_error_set(err, PGD_EXIT_DB, "not a function body: %s", sqlbody);
	}
	pgd_pb_free(&pr->base);
	return res;
}

int pgd_normalize_index(struct pgd_schema *m, struct pgd_table *t,
			struct pgd_index *ix, const char *indexdef,
			struct pgd_error *err)
{
	PgQuery__ParseResult *pr = parse(indexdef, err);
	if (!pr)
		return -1;
	int rc = -1;
	PgQuery__Node *st = pr->stmts[0]->stmt;
	if (st->node_case != PG_QUERY__NODE__NODE_INDEX_STMT) {
		pgd_error_set(err, PGD_EXIT_DB, "not an index definition: %s",
			      indexdef);
		goto out;
	}
	PgQuery__IndexStmt *is = st->index_stmt;
	struct pgd_nctx ctx = { m, NULL, 0, t->obj.schema, t->obj.name, NULL };
	struct pgd_strbuf e = PGD_STRBUF_INIT;
	ix->unique = is->unique;
	size_t ncols = 0;
	const char **cols = pgd_schema_alloc(m, (is->n_index_params + 1) *
							sizeof(*cols));
	for (size_t i = 0; i < is->n_index_params; i++) {
		PgQuery__IndexElem *el = is->index_params[i]->index_elem;
		if (el && el->name && *el->name)
			cols[ncols++] = pgd_schema_strdup(m, el->name);
		else
			ix->has_exprs = true;
	}
	if (is->where_clause)
		ix->has_exprs = true;
	ix->columns = cols;
	ix->ncolumns = ncols;
	char *def = pgd_norm_index_stmt(&ctx, is, &e);
	if (!def) {
		pgd_error_set(err, PGD_EXIT_DB, "%s (in: %s)", e.buf, indexdef);
	} else {
		ix->def = pgd_schema_strdup(m, def);
		free(def);
		rc = 0;
	}
	pgd_strbuf_release(&e);
out:
	pgd_pb_free(&pr->base);
	return rc;
}

int pgd_normalize_constraint(struct pgd_schema *m, struct pgd_table *t,
			     struct pgd_constraint *c, const char *condef,
			     struct pgd_error *err)
{
	char *sql = pgd_xasprintf("ALTER TABLE x ADD CONSTRAINT c %s", condef);
	PgQuery__ParseResult *pr = parse(sql, err);
	free(sql);
	if (!pr)
		return -1;
	int rc = -1;
	PgQuery__Node *st = pr->stmts[0]->stmt;
	PgQuery__Constraint *con = NULL;
	if (st->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT &&
	    st->alter_table_stmt->n_cmds == 1) {
		PgQuery__AlterTableCmd *cmd =
			st->alter_table_stmt->cmds[0]->alter_table_cmd;
		if (cmd && cmd->def &&
		    cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			con = cmd->def->constraint;
	}
	if (!con) {
		pgd_error_set(err, PGD_EXIT_DB, "not a constraint definition: %s",
			      condef);
	} else {
		struct pgd_nctx ctx = { m, NULL, 0, t->obj.schema, t->obj.name, NULL };
		struct pgd_strbuf e = PGD_STRBUF_INIT;
		rc = pgd_norm_constraint(&ctx, m, c, con, NULL, 0, &e);
		if (rc)
			pgd_error_set(err, PGD_EXIT_DB, "%s (in: %s)", e.buf,
				      condef);
		pgd_strbuf_release(&e);
	}
	pgd_pb_free(&pr->base);
	return rc;
}

char *pgd_normalize_trigger(struct pgd_schema *m, const char *triggerdef,
			    struct pgd_error *err)
{
	PgQuery__ParseResult *pr = parse(triggerdef, err);
	if (!pr)
		return NULL;
	char *res = NULL;
	PgQuery__Node *st = pr->stmts[0]->stmt;
	if (st->node_case == PG_QUERY__NODE__NODE_CREATE_TRIG_STMT) {
		PgQuery__RangeVar *rv = st->create_trig_stmt->relation;
		struct pgd_nctx ctx = { m, NULL, 0, rv->schemaname, rv->relname, NULL };
		res = pgd_norm_trigger(&ctx, st->create_trig_stmt);
	} else {
		pgd_error_set(err, PGD_EXIT_DB, "not a trigger definition: %s",
			      triggerdef);
	}
	pgd_pb_free(&pr->base);
	return res;
}

/*
 * sqlrefs.c - what a piece of application SQL touches: the relations it
 * reads or writes and the functions it calls, for the code scanner
 * (refs.h). The tree is walked generically through protobuf-c's message
 * descriptors, so every statement kind the grammar has is covered without
 * a case per node type; only the nodes that name things are looked at.
 */
#include <string.h>

#include "pgdrift/normalize.h"
#include "pgdrift/strbuf.h"
#include "pb.h"
#include "pgq.h"

struct walk {
	struct pgd_sql_refs *out;
	char **ctes;          /* WITH names: not relations */
	size_t nctes, actes;
};

static void add_ref(struct walk *w, char kind, const char *schema,
		    const char *name, unsigned cmd, int location)
{
	struct pgd_sql_refs *o = w->out;
	PGD_GROW(o->v, o->alloc, o->n + 1);
	struct pgd_sql_ref *r = &o->v[o->n++];
	r->kind = kind;
	r->schema = schema && *schema ? pgd_xstrdup(schema) : NULL;
	r->name = pgd_xstrdup(name);
	r->cmd = cmd;
	r->location = location > 0 ? (size_t)location : 0;
}

static void walk_msg(struct walk *w, const ProtobufCMessage *m, unsigned cmd,
		     int depth);

static void walk_node(struct walk *w, const PgQuery__Node *n, unsigned cmd,
		      int depth)
{
	if (n)
		walk_msg(w, &n->base, cmd, depth);
}

static void range_var(struct walk *w, const PgQuery__RangeVar *rv, unsigned cmd)
{
	if (!rv || !rv->relname || !*rv->relname)
		return;
	if (!rv->schemaname || !*rv->schemaname)
		for (size_t i = 0; i < w->nctes; i++)
			if (!strcmp(w->ctes[i], rv->relname))
				return;
	add_ref(w, 't', rv->schemaname, rv->relname, cmd, rv->location);
}

static void func_call(struct walk *w, const PgQuery__FuncCall *fc)
{
	const char *schema = NULL, *name = NULL;
	if (fc->n_funcname == 1) {
		name = pgd_pgq_str(fc->funcname[0]);
	} else if (fc->n_funcname == 2) {
		schema = pgd_pgq_str(fc->funcname[0]);
		name = pgd_pgq_str(fc->funcname[1]);
	}
	if (name)
		add_ref(w, 'f', schema, name, PGD_SQL_EXECUTE, fc->location);
}

static void collect_ctes(struct walk *w, const PgQuery__WithClause *wc)
{
	if (!wc)
		return;
	for (size_t i = 0; i < wc->n_ctes; i++) {
		const PgQuery__Node *c = wc->ctes[i];
		if (c && c->node_case == PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR &&
		    c->common_table_expr->ctename) {
			PGD_GROW(w->ctes, w->actes, w->nctes + 1);
			w->ctes[w->nctes++] = c->common_table_expr->ctename;
		}
	}
}

/* Every message-typed field of m, recursively; the oneof of a Node only
 * through the member that is set. */
static void walk_fields(struct walk *w, const ProtobufCMessage *m, unsigned cmd,
			int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		const char *base = (const char *)m;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t which;
			memcpy(&which, base + f->quantifier_offset, sizeof(which));
			if (which != f->id)
				continue;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t cnt;
			ProtobufCMessage **arr;
			memcpy(&cnt, base + f->quantifier_offset, sizeof(cnt));
			memcpy(&arr, base + f->offset, sizeof(arr));
			for (size_t k = 0; k < cnt; k++)
				if (arr[k])
					walk_msg(w, arr[k], cmd, depth + 1);
		} else {
			ProtobufCMessage *sub;
			memcpy(&sub, base + f->offset, sizeof(sub));
			if (sub)
				walk_msg(w, sub, cmd, depth + 1);
		}
	}
}

static void walk_msg(struct walk *w, const ProtobufCMessage *m, unsigned cmd,
		     int depth)
{
	if (!m || depth > 400)
		return;
	const ProtobufCMessageDescriptor *d = m->descriptor;
	if (d == &pg_query__range_var__descriptor) {
		range_var(w, (const PgQuery__RangeVar *)m, cmd);
		return;
	}
	if (d == &pg_query__func_call__descriptor)
		func_call(w, (const PgQuery__FuncCall *)m);
	/* the target of a write: that command; everything else it reads */
	if (d == &pg_query__insert_stmt__descriptor) {
		const PgQuery__InsertStmt *s = (const PgQuery__InsertStmt *)m;
		collect_ctes(w, s->with_clause);
		range_var(w, s->relation, PGD_SQL_INSERT);
		if (s->on_conflict_clause &&
		    s->on_conflict_clause->action == PG_QUERY__ON_CONFLICT_ACTION__ONCONFLICT_UPDATE)
			range_var(w, s->relation, PGD_SQL_UPDATE);
		if (s->n_returning_list)
			range_var(w, s->relation, PGD_SQL_SELECT);
		if (s->select_stmt)
			walk_node(w, s->select_stmt, PGD_SQL_SELECT, depth + 1);
		if (s->with_clause)
			walk_msg(w, &s->with_clause->base, PGD_SQL_SELECT, depth + 1);
		return;
	}
	if (d == &pg_query__update_stmt__descriptor) {
		const PgQuery__UpdateStmt *s = (const PgQuery__UpdateStmt *)m;
		collect_ctes(w, s->with_clause);
		range_var(w, s->relation, PGD_SQL_UPDATE);
		for (size_t i = 0; i < s->n_from_clause; i++)
			walk_node(w, s->from_clause[i], PGD_SQL_SELECT, depth + 1);
		for (size_t i = 0; i < s->n_target_list; i++)
			walk_node(w, s->target_list[i], PGD_SQL_SELECT, depth + 1);
		walk_node(w, s->where_clause, PGD_SQL_SELECT, depth + 1);
		if (s->with_clause)
			walk_msg(w, &s->with_clause->base, PGD_SQL_SELECT, depth + 1);
		return;
	}
	if (d == &pg_query__delete_stmt__descriptor) {
		const PgQuery__DeleteStmt *s = (const PgQuery__DeleteStmt *)m;
		collect_ctes(w, s->with_clause);
		range_var(w, s->relation, PGD_SQL_DELETE);
		for (size_t i = 0; i < s->n_using_clause; i++)
			walk_node(w, s->using_clause[i], PGD_SQL_SELECT, depth + 1);
		walk_node(w, s->where_clause, PGD_SQL_SELECT, depth + 1);
		if (s->with_clause)
			walk_msg(w, &s->with_clause->base, PGD_SQL_SELECT, depth + 1);
		return;
	}
	if (d == &pg_query__select_stmt__descriptor)
		collect_ctes(w, ((const PgQuery__SelectStmt *)m)->with_clause);
	walk_fields(w, m, cmd, depth);
}

int pgd_normalize_sql_refs(const char *sql, struct pgd_sql_refs *out)
{
	PgQueryProtobufParseResult r;
	PgQuery__ParseResult *pr = pgd_pb_parse(sql, &r);
	pg_query_free_protobuf_parse_result(r);
	if (!pr)
		return -1;
	int rc = pr->n_stmts ? 0 : -1;
	for (size_t i = 0; i < pr->n_stmts; i++) {
		const PgQuery__Node *stmt = pr->stmts[i]->stmt;
		unsigned cmd = 0;
		if (!stmt)
			continue;
		switch (stmt->node_case) {
		case PG_QUERY__NODE__NODE_SELECT_STMT: cmd = PGD_SQL_SELECT; break;
		case PG_QUERY__NODE__NODE_INSERT_STMT: cmd = PGD_SQL_INSERT; break;
		case PG_QUERY__NODE__NODE_UPDATE_STMT: cmd = PGD_SQL_UPDATE; break;
		case PG_QUERY__NODE__NODE_DELETE_STMT: cmd = PGD_SQL_DELETE; break;
		case PG_QUERY__NODE__NODE_CALL_STMT: cmd = PGD_SQL_EXECUTE; break;
		default: cmd = 0; break;
		}
		/* application SQL is data access; DDL in code is not a use */
		if (!cmd)
			continue;
		out->cmds |= cmd;
		struct walk w = { out, NULL, 0, 0 };
		walk_node(&w, stmt, PGD_SQL_SELECT, 0);
		free(w.ctes);
	}
	pgd_pb_free(&pr->base);
	return rc;
}

void pgd_sql_refs_release(struct pgd_sql_refs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].schema);
		free(r->v[i].name);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

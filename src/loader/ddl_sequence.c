/*
 * ddl_sequence.c - CREATE SEQUENCE and ALTER SEQUENCE replay (OWNED BY).
 */
#include <string.h>

#include "replay.h"

static const char *owned_by_option(struct replay *r, PgQuery__Node **opts,
				   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		PgQuery__DefElem *de = opts[i]->def_elem;
		if (!de || !de->defname || strcmp(de->defname, "owned_by") ||
		    !de->arg || de->arg->node_case != PG_QUERY__NODE__NODE_LIST)
			continue;
		PgQuery__List *l = de->arg->list;
		if (l->n_items == 1)
			return ""; /* OWNED BY NONE */
		if (l->n_items < 2)
			return NULL;
		PgQuery__RangeVar rv = PG_QUERY__RANGE_VAR__INIT;
		rv.relname = (char *)pgd_pgq_str(l->items[l->n_items - 2]);
		rv.schemaname = l->n_items >= 3
			? (char *)pgd_pgq_str(l->items[l->n_items - 3]) : (char *)"";
		rv.location = -1;
		struct pgd_table *t = rp_table(r, &rv, false);
		if (!t)
			return NULL;
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		rp_qualified(&sb, t->obj.schema, t->obj.name);
		pgd_strbuf_addch(&sb, '.');
		pgd_strbuf_add_ident(&sb, pgd_pgq_str(l->items[l->n_items - 1]));
		const char *res = pgd_schema_strdup(r->m, sb.buf);
		pgd_strbuf_release(&sb);
		return res;
	}
	return NULL;
}

void rp_create_seq(struct replay *r, PgQuery__CreateSeqStmt *s)
{
	const char *schema = rp_rv_schema(r, s->sequence);
	if (pgd_schema_find_rel(r->m, schema, s->sequence->relname)) {
		if (!s->if_not_exists)
			rp_error(r, s->sequence->location,
				 "relation \"%s\" already exists",
				 s->sequence->relname);
		return;
	}
	struct pgd_sequence *sq =
		pgd_schema_add_sequence(r->m, schema, s->sequence->relname);
	sq->obj.created = r->src;
	const char *own = owned_by_option(r, s->options, s->n_options);
	if (own && *own)
		sq->owned_by = own;
}

void rp_alter_seq(struct replay *r, PgQuery__AlterSeqStmt *s)
{
	PgQuery__RangeVar *rv = s->sequence;
	struct pgd_sequence *sq = NULL;
	if (rv->schemaname && *rv->schemaname)
		sq = pgd_schema_find_sequence(r->m, rv->schemaname, rv->relname);
	for (size_t i = 0; i < r->nsearch_path && !sq; i++)
		sq = pgd_schema_find_sequence(r->m, r->search_path[i], rv->relname);
	if (!sq) {
		if (!s->missing_ok)
			rp_error(r, rv->location, "sequence \"%s\" does not exist",
				 rv->relname);
		return;
	}
	const char *own = owned_by_option(r, s->options, s->n_options);
	if (own)
		sq->owned_by = *own ? own : NULL;
	rp_touch(r, &sq->obj);
}

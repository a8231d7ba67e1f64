/*
 * ddl_schema.c - CREATE SCHEMA, CREATE EXTENSION, COMMENT ON and
 * ALTER ... SET SCHEMA replay.
 */
#include <string.h>

#include "replay.h"

/* ---- schemas and extensions */

void rp_create_schema_stmt(struct replay *r, PgQuery__CreateSchemaStmt *s)
{
	const char *name = s->schemaname && *s->schemaname ? s->schemaname
		: (s->authrole ? s->authrole->rolename : NULL);
	if (!name)
		return;
	struct pgd_namespace *ns = pgd_schema_find_namespace(r->m, name);
	if (ns || rp_platform_schema(r, name)) {
		/* the platform's own schemas are not modeled; only public is
		 * certain to exist on every server */
		if (!s->if_not_exists && (ns || !strcmp(name, "public")))
			rp_error(r, -1, "schema \"%s\" already exists", name);
		return;
	}
	ns = pgd_schema_add_namespace(r->m, name);
	ns->created = true;
	ns->obj.created = r->src;
	if (s->n_schema_elts)
		rp_unmodeled(r, "CREATE SCHEMA", "schema elements are not replayed");
}

void rp_create_extension(struct replay *r, PgQuery__CreateExtensionStmt *s)
{
	if (pgd_schema_find_extension(r->m, s->extname)) {
		if (!s->if_not_exists)
			rp_error(r, -1, "extension \"%s\" already exists", s->extname);
		return;
	}
	const char *schema = NULL;
	for (size_t i = 0; i < s->n_options; i++) {
		PgQuery__DefElem *de = s->options[i]->def_elem;
		if (de && de->defname && !strcmp(de->defname, "schema"))
			schema = pgd_pgq_str(de->arg);
	}
	if (!schema)
		schema = rp_create_schema(r);
	struct pgd_extension *e = pgd_schema_add_extension(r->m, s->extname, schema);
	e->obj.created = r->src;
}

/* ---- comments, SET SCHEMA */

/* COMMENT ON COLUMN [schema.]table.column */
static void comment_column(struct replay *r, PgQuery__CommentStmt *s)
{
	PgQuery__List *l = s->object->list;
	if (l->n_items < 2 || l->n_items > 3)
		return;
	const char *col = pgd_pgq_str(l->items[l->n_items - 1]);
	const char *name = pgd_pgq_str(l->items[l->n_items - 2]);
	const char *schema = l->n_items == 3 ? pgd_pgq_str(l->items[0]) : NULL;
	if (!col || !name)
		return;
	PgQuery__RangeVar rv = PG_QUERY__RANGE_VAR__INIT;
	rv.relname = (char *)name;
	rv.schemaname = (char *)(schema ? schema : "");
	rv.location = -1;
	struct pgd_table *t = rp_table(r, &rv, false);
	struct pgd_column *c = t ? pgd_table_find_column(t, col) : NULL;
	if (t && !c) {
		rp_error(r, -1, "column \"%s\" of relation \"%s\" does not exist",
			 col, name);
		return;
	}
	if (c)
		c->comment = s->comment && *s->comment
				     ? pgd_schema_strdup(r->m, s->comment) : NULL;
}

void rp_comment(struct replay *r, PgQuery__CommentStmt *s)
{
	if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN && s->object &&
	    s->object->node_case == PG_QUERY__NODE__NODE_LIST) {
		comment_column(r, s);
		return;
	}
	if ((s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION ||
	     s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE ||
	     s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE) && s->object &&
	    s->object->node_case == PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS) {
		/* not modeled, but a bare overloaded name fails on the server */
		rp_find_routine(r, s->object->object_with_args);
		return;
	}
	if (s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !s->object ||
	    s->object->node_case != PG_QUERY__NODE__NODE_LIST)
		return; /* comments on other objects are not modeled */
	const char *schema, *name;
	if (!rp_split_names(s->object->list->items, s->object->list->n_items,
			    &schema, &name))
		return;
	PgQuery__RangeVar rv = PG_QUERY__RANGE_VAR__INIT;
	rv.relname = (char *)name;
	rv.schemaname = (char *)(schema ? schema : "");
	rv.location = -1;
	struct pgd_table *t = rp_table(r, &rv, false);
	if (t)
		t->comment = s->comment && *s->comment
				     ? pgd_schema_strdup(r->m, s->comment) : NULL;
}

void rp_alter_object_schema(struct replay *r, PgQuery__AlterObjectSchemaStmt *s)
{
	if (s->object_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && s->relation) {
		struct pgd_table *t = rp_table(r, s->relation, s->missing_ok);
		if (!t)
			return;
		char *old_schema = pgd_xstrdup(t->obj.schema);
		char *old_name = pgd_xstrdup(t->obj.name);
		pgd_schema_rename_rel(r->m, &t->obj, s->newschema, t->obj.name);
		rp_retarget_fks(r, old_schema, old_name, t);
		rp_retarget_index_defs(r, t, old_schema, old_name);
		rp_follow_rel_rename(r, &t->obj, old_schema, old_name);
		rp_touch(r, &t->obj);
		free(old_schema);
		free(old_name);
		return;
	}
	rp_unmodeled(r, "ALTER ... SET SCHEMA", "moving this kind of object is not replayed");
}

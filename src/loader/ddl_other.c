/*
 * ddl_other.c - replay of everything but CREATE/ALTER TABLE and CREATE
 * INDEX: renames, drops (with CASCADE), policies, schemas, enums, domains,
 * extensions, sequences, grants, views, functions, triggers, comments.
 */
#include <string.h>

#include "replay.h"

/* ---- shared helpers */

static void touch(struct replay *r, struct pgd_object *o)
{
	o->changed = r->src;
}

static void qualified(struct pgd_strbuf *sb, const char *schema, const char *name)
{
	pgd_strbuf_add_ident(sb, schema);
	pgd_strbuf_addch(sb, '.');
	pgd_strbuf_add_ident(sb, name);
}

/* Splits a List of String names into schema (may be NULL) and name. */
static bool split_names(PgQuery__Node **names, size_t n, const char **schema,
			const char **name)
{
	*schema = NULL;
	*name = NULL;
	if (n == 1) {
		*name = pgd_pgq_str(names[0]);
	} else if (n == 2) {
		*schema = pgd_pgq_str(names[0]);
		*name = pgd_pgq_str(names[1]);
	} else if (n == 3) {
		*schema = pgd_pgq_str(names[1]);
		*name = pgd_pgq_str(names[2]);
	}
	return *name != NULL;
}

/* A table for an object to hang on; a platform table the migrations do not
 * create (storage.objects) gets an external placeholder. */
static struct pgd_table *table_for(struct replay *r, const PgQuery__RangeVar *rv)
{
	struct pgd_table *t = rp_table(r, rv, true);
	if (t)
		return t;
	const char *schema = rv->schemaname && *rv->schemaname ? rv->schemaname
							       : NULL;
	if (schema && pgd_schema_is_platform(schema) &&
	    !pgd_schema_find_rel(r->m, schema, rv->relname)) {
		t = pgd_schema_add_table(r->m, schema, rv->relname);
		t->external = true;
		t->columns_unknown = true;
		t->obj.created = r->src;
		return t;
	}
	return rp_table(r, rv, false);
}

static bool is_fk_to(const struct pgd_constraint *c, const struct pgd_table *t)
{
	return c->type == PGD_CON_FOREIGN && c->ref_table &&
	       strcmp(c->ref_table, t->obj.name) == 0 &&
	       strcmp(c->ref_schema, t->obj.schema) == 0;
}

/* ---- RENAME */

static char *replace_once(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	if (!p)
		return NULL;
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add(&sb, s, (size_t)(p - s));
	pgd_strbuf_addstr(&sb, to);
	pgd_strbuf_addstr(&sb, p + strlen(from));
	return pgd_strbuf_detach(&sb, NULL);
}

/* Foreign keys naming schema.old(...) now name the new table. */
static void retarget_fks(struct replay *r, const char *schema, const char *old,
			 struct pgd_table *t)
{
	struct pgd_strbuf from = PGD_STRBUF_INIT, to = PGD_STRBUF_INIT;
	pgd_strbuf_addstr(&from, "REFERENCES ");
	qualified(&from, schema, old);
	pgd_strbuf_addch(&from, '(');
	pgd_strbuf_addstr(&to, "REFERENCES ");
	qualified(&to, t->obj.schema, t->obj.name);
	pgd_strbuf_addch(&to, '(');
	for (size_t i = 0; i < r->m->ntables; i++) {
		struct pgd_table *o = r->m->tables[i];
		for (size_t k = 0; k < o->nconstraints; k++) {
			struct pgd_constraint *c = o->constraints[k];
			if (c->type != PGD_CON_FOREIGN || strcmp(c->ref_table, old) ||
			    strcmp(c->ref_schema, schema))
				continue;
			char *d = replace_once(c->def, from.buf, to.buf);
			if (d)
				c->def = pgd_schema_strdup(r->m, d);
			free(d);
			c->ref_table = t->obj.name;
			c->ref_schema = t->obj.schema;
		}
	}
	pgd_strbuf_release(&from);
	pgd_strbuf_release(&to);
}

static void rename_index_def(struct replay *r, struct pgd_index *ix,
			     const char *old)
{
	struct pgd_strbuf from = PGD_STRBUF_INIT, to = PGD_STRBUF_INIT;
	pgd_strbuf_addstr(&from, " INDEX ");
	pgd_strbuf_add_ident(&from, old);
	pgd_strbuf_addstr(&from, " ON ");
	pgd_strbuf_addstr(&to, " INDEX ");
	pgd_strbuf_add_ident(&to, ix->obj.name);
	pgd_strbuf_addstr(&to, " ON ");
	char *d = replace_once(ix->def, from.buf, to.buf);
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
	rename_index_def(r, ix, old);
	free(old);
}

/* Index definitions name their table: follow a table rename or move. */
static void retarget_index_defs(struct replay *r, struct pgd_table *t,
				const char *old_schema, const char *old_name)
{
	struct pgd_strbuf from = PGD_STRBUF_INIT, to = PGD_STRBUF_INIT;
	pgd_strbuf_addstr(&from, " ON ");
	qualified(&from, old_schema, old_name);
	pgd_strbuf_addstr(&from, " USING ");
	pgd_strbuf_addstr(&to, " ON ");
	qualified(&to, t->obj.schema, t->obj.name);
	pgd_strbuf_addstr(&to, " USING ");
	for (size_t i = 0; i < t->nindexes; i++) {
		struct pgd_index *ix = t->indexes[i];
		char *d = ix->def ? replace_once(ix->def, from.buf, to.buf) : NULL;
		if (d)
			ix->def = pgd_schema_strdup(r->m, d);
		free(d);
	}
	pgd_strbuf_release(&from);
	pgd_strbuf_release(&to);
}

static const char *renamed(struct replay *r, struct pgd_table *t, char kind,
			   const char *text, const char *old, const char *new_name,
			   bool ref)
{
	struct pgd_nctx ctx = rp_nctx(r, t->obj.schema, t->obj.name);
	struct pgd_strbuf err = PGD_STRBUF_INIT;
	char *s = pgd_norm_rename_column(&ctx, r->m, kind, text, old, new_name,
					 ref, &err);
	const char *res = text;
	if (!s)
		rp_error(r, -1, "cannot follow the column rename: %s", err.buf);
	else
		res = pgd_schema_strdup(r->m, s);
	free(s);
	pgd_strbuf_release(&err);
	return res;
}

/* Column defaults that call nextval('old') now call nextval('new'). */
static void retarget_nextval(struct replay *r, const char *old_schema,
			     const char *old_name, const char *new_schema,
			     const char *new_name)
{
	struct pgd_strbuf on = PGD_STRBUF_INIT, nn = PGD_STRBUF_INIT;
	struct pgd_strbuf from = PGD_STRBUF_INIT, to = PGD_STRBUF_INIT;
	qualified(&on, old_schema, old_name);
	qualified(&nn, new_schema, new_name);
	pgd_strbuf_addstr(&from, "nextval(");
	pgd_strbuf_add_literal(&from, on.buf);
	pgd_strbuf_addch(&from, ')');
	pgd_strbuf_addstr(&to, "nextval(");
	pgd_strbuf_add_literal(&to, nn.buf);
	pgd_strbuf_addch(&to, ')');
	for (size_t i = 0; i < r->m->ntables; i++)
		for (size_t k = 0; k < r->m->tables[i]->ncolumns; k++) {
			struct pgd_column *c = r->m->tables[i]->columns[k];
			char *d = c->def ? replace_once(c->def, from.buf, to.buf) : NULL;
			if (d)
				c->def = pgd_schema_strdup(r->m, d);
			free(d);
		}
	pgd_strbuf_release(&on);
	pgd_strbuf_release(&nn);
	pgd_strbuf_release(&from);
	pgd_strbuf_release(&to);
}

/* Column types naming type from (schema.name, or an array of it) now name
 * to: a renamed or moved type, or a table's row type. */
static void retarget_column_types(struct replay *r, const char *from,
				  const char *to)
{
	size_t fl = strlen(from);
	for (size_t i = 0; i < r->m->ntables; i++)
		for (size_t k = 0; k < r->m->tables[i]->ncolumns; k++) {
			struct pgd_column *c = r->m->tables[i]->columns[k];
			if (strncmp(c->type, from, fl) == 0 &&
			    (c->type[fl] == '\0' || c->type[fl] == '[')) {
				char *t2 = pgd_xasprintf("%s%s", to, c->type + fl);
				c->type = pgd_schema_strdup(r->m, t2);
				free(t2);
			}
		}
}

/*
 * What follows a table or view from old_schema.old_name to its new name
 * or schema (rel, already renamed): policies whose sub-selects read it,
 * the views that read it, columns of its row type, the sequences its
 * columns own (their OWNED BY, and on a move their schema, with the
 * defaults that call them).
 */
static void follow_rel_rename(struct replay *r, struct pgd_object *rel,
			      const char *old_schema, const char *old_name)
{
	const char *ns = rel->schema, *nn = rel->name;
	for (size_t i = 0; i < r->m->ntables && !r->failed; i++) {
		struct pgd_table *t = r->m->tables[i];
		struct pgd_nctx ctx = rp_nctx(r, t->obj.schema, t->obj.name);
		for (size_t k = 0; k < t->npolicies; k++) {
			struct pgd_policy *p = t->policies[k];
			const char **e[2] = { &p->using_expr, &p->check_expr };
			for (size_t x = 0; x < 2; x++) {
				if (!*e[x] || (!strstr(*e[x], old_name) &&
					       (struct pgd_object *)t != rel))
					continue;
				struct pgd_strbuf err = PGD_STRBUF_INIT;
				char *d = pgd_norm_rename_rel(&ctx, *e[x], old_schema,
							      old_name, ns, nn, &err);
				if (d)
					*e[x] = pgd_schema_strdup(r->m, d);
				else
					rp_error(r, -1, "cannot follow the rename in policy "
						 "\"%s\": %s", p->obj.name, err.buf);
				free(d);
				pgd_strbuf_release(&err);
			}
		}
	}
	for (size_t i = 0; i < r->m->nviews; i++) {
		struct pgd_view *v = r->m->views[i];
		for (size_t k = 0; k < v->nreads; k++)
			if (!strcmp(v->read_schemas[k], old_schema) &&
			    !strcmp(v->read_names[k], old_name)) {
				v->read_schemas[k] = ns;
				v->read_names[k] = nn;
			}
	}
	struct pgd_strbuf from = PGD_STRBUF_INIT, to = PGD_STRBUF_INIT;
	qualified(&from, old_schema, old_name);
	qualified(&to, ns, nn);
	retarget_column_types(r, from.buf, to.buf);
	pgd_strbuf_addch(&from, '.');
	pgd_strbuf_addch(&to, '.');
	for (size_t i = r->m->nsequences; i-- > 0;) {
		struct pgd_sequence *sq = r->m->sequences[i];
		if (!sq->owned_by || strncmp(sq->owned_by, from.buf, from.len) != 0)
			continue;
		char *own = pgd_xasprintf("%s%s", to.buf, sq->owned_by + from.len);
		sq->owned_by = pgd_schema_strdup(r->m, own);
		free(own);
		if (strcmp(sq->obj.schema, ns) != 0) {
			char *seq_schema = pgd_xstrdup(sq->obj.schema);
			pgd_schema_rename_rel(r->m, &sq->obj, ns, sq->obj.name);
			retarget_nextval(r, seq_schema, sq->obj.name, ns, sq->obj.name);
			free(seq_schema);
		}
	}
	pgd_strbuf_release(&from);
	pgd_strbuf_release(&to);
}

static void rename_column(struct replay *r, struct pgd_table *t,
			  const char *old, const char *new_name)
{
	struct pgd_column *c = pgd_table_find_column(t, old);
	if (!c) {
		rp_error(r, -1, "column \"%s\" does not exist", old);
		return;
	}
	if (pgd_table_find_column(t, new_name)) {
		rp_error(r, -1, "column \"%s\" of relation \"%s\" already exists",
			 new_name, t->obj.name);
		return;
	}
	c->obj.name = pgd_schema_strdup(r->m, new_name);
	touch(r, &c->obj);
	const char *nn = c->obj.name;
	/* partitions have the parent's columns under the parent's names */
	size_t nparts;
	struct pgd_table **parts = rp_partitions(r, t, &nparts);
	for (size_t i = 0; i < nparts && !r->failed; i++)
		rename_column(r, parts[i], old, nn);
	free(parts);
	for (size_t i = 0; i < t->ncolumns; i++)
		if (t->columns[i]->def && t->columns[i]->generated)
			t->columns[i]->def = renamed(r, t, 'e', t->columns[i]->def,
						     old, nn, false);
	for (size_t i = 0; i < t->nindexes; i++) {
		struct pgd_index *ix = t->indexes[i];
		ix->def = renamed(r, t, 'i', ix->def, old, nn, false);
		for (size_t k = 0; k < ix->ncolumns; k++)
			if (strcmp(ix->columns[k], old) == 0)
				ix->columns[k] = nn;
	}
	for (size_t i = 0; i < t->nconstraints; i++) {
		struct pgd_constraint *k = t->constraints[i];
		k->def = renamed(r, t, 'c', k->def, old, nn, false);
		for (size_t j = 0; j < k->ncolumns; j++)
			if (strcmp(k->columns[j], old) == 0)
				k->columns[j] = nn;
	}
	for (size_t i = 0; i < t->npolicies; i++) {
		struct pgd_policy *p = t->policies[i];
		if (p->using_expr)
			p->using_expr = renamed(r, t, 'e', p->using_expr, old, nn, false);
		if (p->check_expr)
			p->check_expr = renamed(r, t, 'e', p->check_expr, old, nn, false);
	}
	/* a sequence the column owns */
	struct pgd_strbuf own = PGD_STRBUF_INIT, nown = PGD_STRBUF_INIT;
	qualified(&own, t->obj.schema, t->obj.name);
	pgd_strbuf_addch(&own, '.');
	pgd_strbuf_addstr(&nown, own.buf);
	pgd_strbuf_add_ident(&own, old);
	pgd_strbuf_add_ident(&nown, nn);
	for (size_t i = 0; i < r->m->nsequences; i++) {
		struct pgd_sequence *sq = r->m->sequences[i];
		if (sq->owned_by && strcmp(sq->owned_by, own.buf) == 0)
			sq->owned_by = pgd_schema_strdup(r->m, nown.buf);
	}
	pgd_strbuf_release(&own);
	pgd_strbuf_release(&nown);
	/* foreign keys elsewhere that reference the column */
	for (size_t i = 0; i < r->m->ntables; i++) {
		struct pgd_table *o = r->m->tables[i];
		for (size_t j = 0; j < o->nconstraints; j++) {
			struct pgd_constraint *k = o->constraints[j];
			if (!is_fk_to(k, t))
				continue;
			bool uses = false;
			for (size_t x = 0; x < k->nref_columns; x++)
				if (strcmp(k->ref_columns[x], old) == 0) {
					uses = true;
					k->ref_columns[x] = nn;
				}
			if (uses)
				k->def = renamed(r, o, 'c', k->def, old, nn, true);
		}
	}
}

void rp_rename(struct replay *r, PgQuery__RenameStmt *s)
{
	const char *nn = s->newname;
	switch (s->rename_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
		PgQuery__RangeVar *rv = s->relation;
		struct pgd_object *o = NULL;
		const char *schema = NULL;
		if (rv->schemaname && *rv->schemaname) {
			schema = rv->schemaname;
			o = pgd_schema_find_rel(r->m, schema, rv->relname);
		} else {
			for (size_t i = 0; i < r->nsearch_path && !o; i++) {
				schema = r->search_path[i];
				o = pgd_schema_find_rel(r->m, schema, rv->relname);
			}
		}
		if (!o) {
			if (s->missing_ok)
				return;
			rp_error(r, rv->location, "relation \"%s\" does not exist",
				 rv->relname);
			return;
		}
		if (pgd_schema_find_rel(r->m, o->schema, nn)) {
			rp_error(r, -1, "relation \"%s\" already exists", nn);
			return;
		}
		char *old = pgd_xstrdup(o->name);
		pgd_schema_add_tombstone(r->m, o->kind, o->schema,
					 o->kind == PGD_INDEX
						 ? ((struct pgd_index *)o)->table->obj.name
						 : NULL,
					 old, &r->src);
		pgd_schema_rename_rel(r->m, o, o->schema, nn);
		touch(r, o);
		if (o->kind == PGD_TABLE) {
			retarget_fks(r, o->schema, old, (struct pgd_table *)o);
			retarget_index_defs(r, (struct pgd_table *)o, o->schema, old);
			follow_rel_rename(r, o, o->schema, old);
		} else if (o->kind == PGD_VIEW) {
			follow_rel_rename(r, o, o->schema, old);
		} else if (o->kind == PGD_SEQUENCE) {
			retarget_nextval(r, o->schema, old, o->schema, o->name);
		} else if (o->kind == PGD_INDEX) {
			struct pgd_index *ix = (struct pgd_index *)o;
			rename_index_def(r, ix, old);
			if (ix->constraint) {
				struct pgd_constraint *c =
					pgd_table_find_constraint(ix->table, ix->constraint);
				if (c) {
					pgd_schema_rename_constraint(r->m, c, nn);
					ix->constraint = c->obj.name;
				}
			}
		}
		free(old);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN: {
		struct pgd_table *t = rp_table(r, s->relation, s->missing_ok);
		if (t)
			rename_column(r, t, s->subname, nn);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT: {
		struct pgd_table *t = rp_table(r, s->relation, s->missing_ok);
		if (!t)
			return;
		struct pgd_constraint *c = pgd_table_find_constraint(t, s->subname);
		if (!c) {
			rp_error(r, -1, "constraint \"%s\" for table \"%s\" does not exist",
				 s->subname, t->obj.name);
			return;
		}
		char *old = pgd_xstrdup(c->obj.name);
		pgd_schema_rename_constraint(r->m, c, nn);
		touch(r, &c->obj);
		struct pgd_index *ix = pgd_schema_find_index(r->m, t->obj.schema, old);
		if (ix && ix->table == t && ix->constraint) {
			pgd_schema_rename_rel(r->m, &ix->obj, t->obj.schema, nn);
			ix->constraint = c->obj.name;
			rename_index_def(r, ix, old);
		}
		free(old);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
		struct pgd_table *t = table_for(r, s->relation);
		if (!t)
			return;
		struct pgd_policy *p = pgd_table_find_policy(t, s->subname);
		if (!p) {
			rp_error(r, -1, "policy \"%s\" for table \"%s\" does not exist",
				 s->subname, t->obj.name);
			return;
		}
		pgd_schema_add_tombstone(r->m, PGD_POLICY, t->obj.schema,
					 t->obj.name, p->obj.name, &r->src);
		p->obj.name = pgd_schema_strdup(r->m, nn);
		touch(r, &p->obj);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER: {
		struct pgd_table *t = table_for(r, s->relation);
		if (!t)
			return;
		struct pgd_trigger *tg = pgd_table_find_trigger(t, s->subname);
		if (!tg) {
			rp_error(r, -1, "trigger \"%s\" for table \"%s\" does not exist",
				 s->subname, t->obj.name);
			return;
		}
		tg->obj.name = pgd_schema_strdup(r->m, nn);
		touch(r, &tg->obj);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE: {
		const char *schema, *name;
		if (!s->object || s->object->node_case != PG_QUERY__NODE__NODE_LIST ||
		    !split_names(s->object->list->items, s->object->list->n_items,
				 &schema, &name))
			break;
		struct pgd_type *ty = NULL;
		for (size_t i = 0; i < r->nsearch_path && !ty && !schema; i++)
			ty = pgd_schema_find_type(r->m, r->search_path[i], name);
		if (schema)
			ty = pgd_schema_find_type(r->m, schema, name);
		if (!ty) {
			rp_error(r, -1, "type \"%s\" does not exist", name);
			return;
		}
		struct pgd_strbuf from = PGD_STRBUF_INIT, to = PGD_STRBUF_INIT;
		qualified(&from, ty->obj.schema, ty->obj.name);
		ty->obj.name = pgd_schema_strdup(r->m, nn);
		qualified(&to, ty->obj.schema, ty->obj.name);
		retarget_column_types(r, from.buf, to.buf);
		touch(r, &ty->obj);
		pgd_strbuf_release(&from);
		pgd_strbuf_release(&to);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION: {
		PgQuery__ObjectWithArgs *ow = s->object ? s->object->object_with_args
							: NULL;
		const char *schema, *name;
		if (!ow || !split_names(ow->objname, ow->n_objname, &schema, &name))
			break;
		for (size_t i = 0; i < r->m->nfunctions; i++) {
			struct pgd_function *f = r->m->functions[i];
			if (strcmp(f->obj.name, name) == 0 &&
			    (!schema || strcmp(f->obj.schema, schema) == 0)) {
				f->obj.name = pgd_schema_strdup(r->m, nn);
				touch(r, &f->obj);
			}
		}
		return;
	}
	default:
		break;
	}
	rp_unmodeled(r, "RENAME", "renaming this kind of object is not replayed");
}

/* ---- DROP */

static void drop_table(struct replay *r, struct pgd_table *t, bool cascade)
{
	/* a partitioned table's partitions are dropped with it */
	size_t nparts;
	struct pgd_table **parts = rp_partitions(r, t, &nparts);
	for (size_t i = 0; i < nparts && !r->failed; i++)
		drop_table(r, parts[i], cascade);
	free(parts);
	if (r->failed)
		return;
	/* foreign keys of other tables that point here */
	for (size_t i = 0; i < r->m->ntables; i++) {
		struct pgd_table *o = r->m->tables[i];
		if (o == t)
			continue;
		for (size_t k = o->nconstraints; k-- > 0;) {
			struct pgd_constraint *c = o->constraints[k];
			if (!is_fk_to(c, t))
				continue;
			if (!cascade) {
				rp_error(r, -1, "cannot drop table %s because constraint "
					 "%s on table %s depends on it",
					 t->obj.name, c->obj.name, o->obj.name);
				return;
			}
			pgd_schema_add_tombstone(r->m, PGD_CONSTRAINT, o->obj.schema,
						 o->obj.name, c->obj.name, &r->src);
			pgd_table_remove_constraint(r->m, o, c);
		}
	}
	const char *s = t->obj.schema, *n = t->obj.name;
	for (size_t i = 0; i < t->nindexes; i++)
		pgd_schema_add_tombstone(r->m, PGD_INDEX, s, n,
					 t->indexes[i]->obj.name, &r->src);
	for (size_t i = 0; i < t->npolicies; i++)
		pgd_schema_add_tombstone(r->m, PGD_POLICY, s, n,
					 t->policies[i]->obj.name, &r->src);
	for (size_t i = 0; i < t->nconstraints; i++)
		pgd_schema_add_tombstone(r->m, PGD_CONSTRAINT, s, n,
					 t->constraints[i]->obj.name, &r->src);
	/* sequences owned by its columns go with it */
	for (size_t i = r->m->nsequences; i-- > 0;) {
		struct pgd_sequence *sq = r->m->sequences[i];
		struct pgd_strbuf own = PGD_STRBUF_INIT;
		qualified(&own, s, n);
		pgd_strbuf_addch(&own, '.');
		if (sq->owned_by && strncmp(sq->owned_by, own.buf, own.len) == 0)
			pgd_schema_remove_sequence(r->m, sq);
		pgd_strbuf_release(&own);
	}
	pgd_schema_add_tombstone(r->m, PGD_TABLE, s, NULL, n, &r->src);
	pgd_schema_remove_table(r->m, t);
}

static void drop_rel(struct replay *r, PgQuery__DropStmt *s, PgQuery__Node *obj)
{
	const char *schema, *name;
	if (obj->node_case != PG_QUERY__NODE__NODE_LIST ||
	    !split_names(obj->list->items, obj->list->n_items, &schema, &name))
		return;
	struct pgd_object *o = NULL;
	if (schema) {
		o = pgd_schema_find_rel(r->m, schema, name);
	} else {
		for (size_t i = 0; i < r->nsearch_path && !o; i++)
			o = pgd_schema_find_rel(r->m, r->search_path[i], name);
	}
	bool cascade = s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
	enum pgd_kind want;
	switch (s->remove_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: want = PGD_TABLE; break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: want = PGD_INDEX; break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: want = PGD_SEQUENCE; break;
	default: want = PGD_VIEW; break;
	}
	if (!o || o->kind != want) {
		if (s->missing_ok)
			return;
		rp_error(r, -1, "%s \"%s\" does not exist", pgd_kind_name(want), name);
		return;
	}
	switch (o->kind) {
	case PGD_TABLE:
		drop_table(r, (struct pgd_table *)o, cascade);
		break;
	case PGD_INDEX: {
		struct pgd_index *ix = (struct pgd_index *)o;
		if (ix->constraint) {
			rp_error(r, -1, "cannot drop index %s because constraint %s "
				 "on table %s requires it", ix->obj.name, ix->constraint,
				 ix->table->obj.name);
			return;
		}
		char *what = pgd_xasprintf("index %s", ix->obj.name);
		int rc = rp_drop_index_deps(r, ix, cascade, what);
		free(what);
		if (rc < 0)
			return;
		/* the partitions' copies go with an index of a partitioned table */
		size_t nparts;
		struct pgd_table **parts = rp_partitions(r, ix->table, &nparts);
		for (size_t i = 0; i < nparts; i++) {
			struct pgd_index *pix = rp_matching_index(r, ix, parts[i]);
			if (pix && !pix->constraint) {
				pgd_schema_add_tombstone(r->m, PGD_INDEX, pix->obj.schema,
							 parts[i]->obj.name, pix->obj.name,
							 &r->src);
				pgd_table_remove_index(r->m, parts[i], pix);
			}
		}
		free(parts);
		pgd_schema_add_tombstone(r->m, PGD_INDEX, ix->obj.schema,
					 ix->table->obj.name, ix->obj.name, &r->src);
		pgd_table_remove_index(r->m, ix->table, ix);
		break;
	}
	case PGD_SEQUENCE:
		pgd_schema_add_tombstone(r->m, PGD_SEQUENCE, o->schema, NULL, o->name,
					 &r->src);
		pgd_schema_remove_sequence(r->m, (struct pgd_sequence *)o);
		break;
	case PGD_VIEW:
		pgd_schema_add_tombstone(r->m, PGD_VIEW, o->schema, NULL, o->name,
					 &r->src);
		pgd_schema_remove_view(r->m, (struct pgd_view *)o);
		break;
	default:
		break;
	}
}

static void drop_table_object(struct replay *r, PgQuery__DropStmt *s,
			      PgQuery__Node *obj)
{
	if (obj->node_case != PG_QUERY__NODE__NODE_LIST || obj->list->n_items < 2)
		return;
	PgQuery__List *l = obj->list;
	const char *name = pgd_pgq_str(l->items[l->n_items - 1]);
	PgQuery__RangeVar rv = PG_QUERY__RANGE_VAR__INIT;
	rv.relname = (char *)pgd_pgq_str(l->items[l->n_items - 2]);
	rv.schemaname = l->n_items >= 3 ? (char *)pgd_pgq_str(l->items[l->n_items - 3])
					: (char *)"";
	rv.location = -1;
	struct pgd_table *t = rp_table(r, &rv, true);
	if (!t && rv.schemaname && *rv.schemaname && pgd_schema_is_platform(rv.schemaname))
		return; /* dropping a platform object the model never had */
	if (!t) {
		if (s->missing_ok)
			return;
		rp_table(r, &rv, false);
		return;
	}
	if (s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_POLICY) {
		struct pgd_policy *p = pgd_table_find_policy(t, name);
		if (!p) {
			if (!s->missing_ok)
				rp_error(r, -1, "policy \"%s\" for table \"%s\" does not exist",
					 name, t->obj.name);
			return;
		}
		pgd_schema_add_tombstone(r->m, PGD_POLICY, t->obj.schema, t->obj.name,
					 name, &r->src);
		pgd_table_remove_policy(t, p);
	} else if (s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER) {
		struct pgd_trigger *tg = pgd_table_find_trigger(t, name);
		if (!tg) {
			if (!s->missing_ok)
				rp_error(r, -1, "trigger \"%s\" for table \"%s\" does not exist",
					 name, t->obj.name);
			return;
		}
		pgd_schema_add_tombstone(r->m, PGD_TRIGGER, t->obj.schema, t->obj.name,
					 name, &r->src);
		pgd_table_remove_trigger(t, tg);
	}
}

void rp_drop(struct replay *r, PgQuery__DropStmt *s)
{
	for (size_t i = 0; i < s->n_objects && !r->failed; i++) {
		PgQuery__Node *obj = s->objects[i];
		switch (s->remove_type) {
		case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
		case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
		case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
			drop_rel(r, s, obj);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
		case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
			drop_table_object(r, s, obj);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
			const char *name = pgd_pgq_str(obj);
			struct pgd_namespace *ns = name ? pgd_schema_find_namespace(r->m, name)
							: NULL;
			if (!ns) {
				if (!s->missing_ok)
					rp_error(r, -1, "schema \"%s\" does not exist",
						 name ? name : "?");
				break;
			}
			bool cascade = s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
			for (size_t k = r->m->ntables; k-- > 0;)
				if (strcmp(r->m->tables[k]->obj.schema, name) == 0) {
					if (!cascade) {
						rp_error(r, -1, "cannot drop schema %s because "
							 "other objects depend on it", name);
						return;
					}
					drop_table(r, r->m->tables[k], true);
				}
			pgd_schema_add_tombstone(r->m, PGD_SCHEMA, name, NULL, name,
						 &r->src);
			pgd_schema_remove_namespace(r->m, ns);
			break;
		}
		case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
			PgQuery__TypeName *tn = obj->node_case == PG_QUERY__NODE__NODE_TYPE_NAME
							? obj->type_name : NULL;
			const char *schema, *name;
			if (!tn || !split_names(tn->names, tn->n_names, &schema, &name))
				break;
			struct pgd_type *ty = NULL;
			if (schema)
				ty = pgd_schema_find_type(r->m, schema, name);
			for (size_t k = 0; k < r->nsearch_path && !ty && !schema; k++)
				ty = pgd_schema_find_type(r->m, r->search_path[k], name);
			if (!ty) {
				if (!s->missing_ok)
					rp_error(r, -1, "type \"%s\" does not exist", name);
				break;
			}
			pgd_schema_add_tombstone(r->m, PGD_TYPE, ty->obj.schema, NULL,
						 ty->obj.name, &r->src);
			pgd_schema_remove_type(r->m, ty);
			break;
		}
		case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION: {
			const char *name = pgd_pgq_str(obj);
			struct pgd_extension *e = name ? pgd_schema_find_extension(r->m, name)
						       : NULL;
			if (e)
				pgd_schema_remove_extension(r->m, e);
			break;
		}
		case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
		case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
			PgQuery__ObjectWithArgs *ow = obj->node_case ==
				PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS ? obj->object_with_args : NULL;
			const char *schema, *name;
			if (!ow || !split_names(ow->objname, ow->n_objname, &schema, &name))
				break;
			for (size_t k = r->m->nfunctions; k-- > 0;) {
				struct pgd_function *f = r->m->functions[k];
				if (strcmp(f->obj.name, name) == 0 &&
				    (!schema || strcmp(f->obj.schema, schema) == 0)) {
					pgd_schema_add_tombstone(r->m, PGD_FUNCTION,
								 f->obj.schema, NULL,
								 f->obj.name, &r->src);
					pgd_schema_remove_function(r->m, f);
					break;
				}
			}
			break;
		}
		default:
			rp_unmodeled(r, "DROP", "dropping this kind of object is not replayed");
			return;
		}
	}
}

/* ---- policies */

static enum pgd_polcmd polcmd(const char *name)
{
	if (!name || !strcmp(name, "all"))
		return PGD_POL_ALL;
	if (!strcmp(name, "select"))
		return PGD_POL_SELECT;
	if (!strcmp(name, "insert"))
		return PGD_POL_INSERT;
	if (!strcmp(name, "update"))
		return PGD_POL_UPDATE;
	return PGD_POL_DELETE;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The roles of a policy as pg_policy stores them: PUBLIC alone when it is
 * named at all (policy_role_list_to_array() drops the others, with a
 * warning), CURRENT_USER and the like as the role the migrations run as,
 * each role once.
 */
static void set_roles(struct replay *r, struct pgd_policy *p,
		      PgQuery__Node **roles, size_t n)
{
	const char **v = pgd_schema_alloc(r->m, (n ? n : 1) * sizeof(*v));
	size_t k = 0;
	bool public = false;
	for (size_t i = 0; i < n; i++) {
		PgQuery__RoleSpec *rs = roles[i]->role_spec;
		if (!rs)
			continue;
		const char *name;
		if (rs->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC) {
			public = true;
			continue;
		} else if (rs->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING) {
			name = pgd_schema_strdup(r->m, rs->rolename);
		} else {
			/* CURRENT_USER, CURRENT_ROLE, SESSION_USER */
			name = r->opts->role ? pgd_schema_strdup(r->m, r->opts->role)
					     : "postgres";
		}
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = strcmp(v[j], name) == 0;
		if (!dup)
			v[k++] = name;
	}
	if (public)
		k = 0;
	if (!k)
		v[k++] = "public";
	if (public && n > 1)
		rp_warn(r, -1, "ignoring specified roles other than PUBLIC");
	qsort(v, k, sizeof(*v), cmp_str);
	p->roles = v;
	p->nroles = k;
}

/* CreatePolicy()'s and AlterPolicy()'s checks of which expressions a
 * command may have (their messages differ). */
static bool policy_exprs_ok(struct replay *r, enum pgd_polcmd cmd, bool has_using,
			    bool has_check, bool alter)
{
	if (has_check && (cmd == PGD_POL_SELECT || cmd == PGD_POL_DELETE)) {
		rp_error(r, -1, alter ? "only USING expression allowed for SELECT, DELETE"
				      : "WITH CHECK cannot be applied to SELECT or DELETE");
		return false;
	}
	if (has_using && cmd == PGD_POL_INSERT) {
		rp_error(r, -1, "only WITH CHECK expression allowed for INSERT");
		return false;
	}
	return true;
}

void rp_create_policy(struct replay *r, PgQuery__CreatePolicyStmt *s)
{
	struct pgd_table *t = table_for(r, s->table);
	if (!t)
		return;
	if (pgd_table_find_policy(t, s->policy_name)) {
		rp_error(r, -1, "policy \"%s\" for table \"%s\" already exists",
			 s->policy_name, t->obj.name);
		return;
	}
	if (!policy_exprs_ok(r, polcmd(s->cmd_name), s->qual != NULL,
			     s->with_check != NULL, false))
		return;
	struct pgd_policy *p = pgd_table_add_policy(r->m, t, s->policy_name);
	p->obj.created = r->src;
	p->cmd = polcmd(s->cmd_name);
	p->permissive = s->permissive;
	set_roles(r, p, s->roles, s->n_roles);
	if (s->qual)
		p->using_expr = rp_expr(r, t, &s->qual);
	if (s->with_check)
		p->check_expr = rp_expr(r, t, &s->with_check);
}

void rp_alter_policy(struct replay *r, PgQuery__AlterPolicyStmt *s)
{
	struct pgd_table *t = table_for(r, s->table);
	if (!t)
		return;
	struct pgd_policy *p = pgd_table_find_policy(t, s->policy_name);
	if (!p) {
		rp_error(r, -1, "policy \"%s\" for table \"%s\" does not exist",
			 s->policy_name, t->obj.name);
		return;
	}
	if (!policy_exprs_ok(r, p->cmd, s->qual != NULL, s->with_check != NULL, true))
		return;
	if (s->n_roles)
		set_roles(r, p, s->roles, s->n_roles);
	if (s->qual)
		p->using_expr = rp_expr(r, t, &s->qual);
	if (s->with_check)
		p->check_expr = rp_expr(r, t, &s->with_check);
	touch(r, &p->obj);
}

/* ---- schemas, types, extensions, sequences */

void rp_create_schema_stmt(struct replay *r, PgQuery__CreateSchemaStmt *s)
{
	const char *name = s->schemaname && *s->schemaname ? s->schemaname
		: (s->authrole ? s->authrole->rolename : NULL);
	if (!name)
		return;
	struct pgd_namespace *ns = pgd_schema_find_namespace(r->m, name);
	if (ns) {
		if (!s->if_not_exists)
			rp_error(r, -1, "schema \"%s\" already exists", name);
		return;
	}
	ns = pgd_schema_add_namespace(r->m, name);
	ns->created = true;
	ns->obj.created = r->src;
	if (s->n_schema_elts)
		rp_unmodeled(r, "CREATE SCHEMA", "schema elements are not replayed");
}

static bool type_target(struct replay *r, PgQuery__Node **names, size_t n,
			const char **schema, const char **name)
{
	if (!split_names(names, n, schema, name))
		return false;
	if (!*schema)
		*schema = rp_create_schema(r);
	return true;
}

void rp_create_enum(struct replay *r, PgQuery__CreateEnumStmt *s)
{
	const char *schema, *name;
	if (!type_target(r, s->type_name, s->n_type_name, &schema, &name))
		return;
	if (pgd_schema_find_type(r->m, schema, name)) {
		rp_error(r, -1, "type \"%s\" already exists", name);
		return;
	}
	struct pgd_type *ty = pgd_schema_add_type(r->m, schema, name);
	ty->obj.created = r->src;
	ty->typtype = 'e';
	ty->labels = pgd_schema_alloc(r->m, (s->n_vals + 1) * sizeof(*ty->labels));
	for (size_t i = 0; i < s->n_vals; i++) {
		const char *v = pgd_pgq_str(s->vals[i]);
		ty->labels[ty->nlabels++] = pgd_schema_strdup(r->m, v ? v : "");
	}
}

static struct pgd_type *find_type(struct replay *r, PgQuery__Node **names,
				  size_t n)
{
	const char *schema, *name;
	if (!split_names(names, n, &schema, &name))
		return NULL;
	if (schema)
		return pgd_schema_find_type(r->m, schema, name);
	for (size_t i = 0; i < r->nsearch_path; i++) {
		struct pgd_type *ty = pgd_schema_find_type(r->m, r->search_path[i], name);
		if (ty)
			return ty;
	}
	return NULL;
}

void rp_alter_enum(struct replay *r, PgQuery__AlterEnumStmt *s)
{
	struct pgd_type *ty = find_type(r, s->type_name, s->n_type_name);
	if (!ty || ty->typtype != 'e') {
		rp_error(r, -1, "enum type does not exist");
		return;
	}
	if (s->old_val && *s->old_val) { /* RENAME VALUE */
		for (size_t i = 0; i < ty->nlabels; i++)
			if (strcmp(ty->labels[i], s->old_val) == 0) {
				ty->labels[i] = pgd_schema_strdup(r->m, s->new_val);
				touch(r, &ty->obj);
				return;
			}
		rp_error(r, -1, "\"%s\" is not an existing enum label", s->old_val);
		return;
	}
	for (size_t i = 0; i < ty->nlabels; i++)
		if (strcmp(ty->labels[i], s->new_val) == 0) {
			if (!s->skip_if_new_val_exists)
				rp_error(r, -1, "enum label \"%s\" already exists",
					 s->new_val);
			return;
		}
	size_t pos = ty->nlabels;
	if (s->new_val_neighbor && *s->new_val_neighbor) {
		for (size_t i = 0; i < ty->nlabels; i++)
			if (strcmp(ty->labels[i], s->new_val_neighbor) == 0)
				pos = s->new_val_is_after ? i + 1 : i;
	}
	const char **v = pgd_schema_alloc(r->m, (ty->nlabels + 1) * sizeof(*v));
	PGD_COPY(v, ty->labels, pos * sizeof(*v));
	v[pos] = pgd_schema_strdup(r->m, s->new_val);
	PGD_COPY(v + pos + 1, ty->labels + pos, (ty->nlabels - pos) * sizeof(*v));
	ty->labels = v;
	ty->nlabels++;
	touch(r, &ty->obj);
}

void rp_create_domain(struct replay *r, PgQuery__CreateDomainStmt *s)
{
	const char *schema, *name;
	if (!type_target(r, s->domainname, s->n_domainname, &schema, &name))
		return;
	if (pgd_schema_find_type(r->m, schema, name)) {
		rp_error(r, -1, "type \"%s\" already exists", name);
		return;
	}
	struct pgd_nctx ctx = rp_nctx(r, NULL, NULL);
	struct pgd_strbuf err = PGD_STRBUF_INIT;
	int serial;
	char *base = pgd_norm_typename(&ctx, s->type_name, &serial, &err);
	if (!base) {
		rp_error(r, -1, "%s", err.buf);
		pgd_strbuf_release(&err);
		return;
	}
	struct pgd_type *ty = pgd_schema_add_type(r->m, schema, name);
	ty->obj.created = r->src;
	ty->typtype = 'd';
	struct pgd_strbuf def = PGD_STRBUF_INIT;
	pgd_strbuf_addstr(&def, base);
	for (size_t i = 0; i < s->n_constraints; i++) {
		PgQuery__Constraint *c = s->constraints[i]->constraint;
		if (!c)
			continue;
		if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL)
			pgd_strbuf_addstr(&def, " NOT NULL");
		else if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK && c->raw_expr) {
			char *e = pgd_norm_expr(&ctx, &c->raw_expr, &err);
			if (e)
				pgd_strbuf_addf(&def, " CHECK (%s)", e);
			free(e);
		}
	}
	ty->def = pgd_schema_strdup(r->m, def.buf);
	pgd_strbuf_release(&def);
	pgd_strbuf_release(&err);
	free(base);
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
		qualified(&sb, t->obj.schema, t->obj.name);
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
	touch(r, &sq->obj);
}

/* ---- grants */

static unsigned priv_bits(PgQuery__Node **privs, size_t n)
{
	if (!n)
		return PGD_PRIV_ALL;
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++) {
		PgQuery__AccessPriv *ap = privs[i]->access_priv;
		if (!ap || !ap->priv_name)
			continue;
		if (ap->n_cols)
			continue; /* column privileges are not table privileges */
		const char *p = ap->priv_name;
		if (!strcmp(p, "select")) bits |= PGD_PRIV_SELECT;
		else if (!strcmp(p, "insert")) bits |= PGD_PRIV_INSERT;
		else if (!strcmp(p, "update")) bits |= PGD_PRIV_UPDATE;
		else if (!strcmp(p, "delete")) bits |= PGD_PRIV_DELETE;
		else if (!strcmp(p, "truncate")) bits |= PGD_PRIV_TRUNCATE;
		else if (!strcmp(p, "references")) bits |= PGD_PRIV_REFERENCES;
		else if (!strcmp(p, "trigger")) bits |= PGD_PRIV_TRIGGER;
	}
	return bits;
}

static void grant_table(struct replay *r, PgQuery__GrantStmt *s,
			struct pgd_table *t, unsigned bits)
{
	for (size_t g = 0; g < s->n_grantees; g++) {
		PgQuery__RoleSpec *rs = s->grantees[g]->role_spec;
		if (!rs)
			continue;
		const char *who = rs->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC
					  ? "public" : rs->rolename;
		if (who)
			pgd_table_grant(r->m, t, who, bits, !s->is_grant);
	}
}

/* GRANT/REVOKE EXECUTE ON FUNCTION: who may call it, for the RLS review. */
static void grant_function(struct replay *r, PgQuery__GrantStmt *s)
{
	for (size_t i = 0; i < s->n_objects; i++) {
		PgQuery__ObjectWithArgs *ow = s->objects[i]->object_with_args;
		const char *schema, *name;
		if (!ow || !split_names(ow->objname, ow->n_objname, &schema, &name))
			continue;
		for (size_t k = 0; k < r->m->nfunctions; k++) {
			struct pgd_function *f = r->m->functions[k];
			if (strcmp(f->obj.name, name) ||
			    (schema && strcmp(f->obj.schema, schema)))
				continue;
			for (size_t g = 0; g < s->n_grantees; g++) {
				PgQuery__RoleSpec *rs = s->grantees[g]->role_spec;
				const char *who = !rs ? NULL
					: rs->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC
					? "public" : rs->rolename;
				if (!who)
					continue;
				size_t at = f->nexec_roles;
				for (size_t x = 0; x < f->nexec_roles; x++)
					if (!strcmp(f->exec_roles[x], who))
						at = x;
				if (s->is_grant && at == f->nexec_roles) {
					const char **v = pgd_schema_alloc(r->m,
						(f->nexec_roles + 1) * sizeof(*v));
					PGD_COPY(v, f->exec_roles, f->nexec_roles * sizeof(*v));
					v[f->nexec_roles++] = pgd_schema_strdup(r->m, who);
					f->exec_roles = v;
				} else if (!s->is_grant && at < f->nexec_roles) {
					memmove(&f->exec_roles[at], &f->exec_roles[at + 1],
						(f->nexec_roles - at - 1) * sizeof(char *));
					f->nexec_roles--;
				}
			}
		}
	}
}

void rp_grant(struct replay *r, PgQuery__GrantStmt *s)
{
	if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION &&
	    s->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_OBJECT) {
		grant_function(r, s);
		return;
	}
	if (s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		return; /* schema and sequence privileges: not modeled */
	unsigned bits = priv_bits(s->privileges, s->n_privileges);
	if (s->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_ALL_IN_SCHEMA) {
		for (size_t i = 0; i < s->n_objects; i++) {
			const char *schema = pgd_pgq_str(s->objects[i]);
			for (size_t k = 0; schema && k < r->m->ntables; k++)
				if (!strcmp(r->m->tables[k]->obj.schema, schema))
					grant_table(r, s, r->m->tables[k], bits);
		}
		return;
	}
	for (size_t i = 0; i < s->n_objects; i++) {
		PgQuery__Node *o = s->objects[i];
		if (o->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
			continue;
		struct pgd_table *t = rp_table(r, o->range_var, true);
		if (t)
			grant_table(r, s, t, bits);
		/* grants on views and platform tables are not modeled */
	}
}

/* ---- views, CREATE TABLE AS, functions, triggers */

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
			qualified(&q, t->obj.schema, t->obj.name);
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

/* The relations a view's query reads, and the columns it uses. */
static void view_reads(struct replay *r, struct pgd_view *v, PgQuery__Node *query)
{
	struct reads rd = { r, v, 0 };
	v->nreads = 0;
	if (query) {
		pgd_pgq_visit(&query->base, collect_rangevar, &rd);
		view_columns(r, v, query);
	}
}

void rp_drop_view(struct replay *r, struct pgd_view *v)
{
	/* views that read it go first */
	for (size_t i = r->m->nviews; i-- > 0;) {
		struct pgd_view *o = r->m->views[i];
		if (o == v)
			continue;
		for (size_t k = 0; k < o->nreads; k++)
			if (!strcmp(o->read_schemas[k], v->obj.schema) &&
			    !strcmp(o->read_names[k], v->obj.name)) {
				rp_drop_view(r, o);
				i = r->m->nviews; /* the array changed */
				break;
			}
	}
	pgd_schema_add_tombstone(r->m, PGD_VIEW, v->obj.schema, NULL, v->obj.name,
				 &r->src);
	pgd_schema_remove_view(r->m, v);
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
		touch(r, &v->obj);
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

/* Canonical argument types of a function: "integer, text". */
static char *function_args(struct replay *r, PgQuery__Node **params, size_t n,
			   bool objfuncargs)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT, err = PGD_STRBUF_INIT;
	struct pgd_nctx ctx = rp_nctx(r, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		PgQuery__TypeName *tn = NULL;
		if (objfuncargs && params[i]->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
			tn = params[i]->type_name;
		} else if (params[i]->node_case == PG_QUERY__NODE__NODE_FUNCTION_PARAMETER) {
			PgQuery__FunctionParameter *fp = params[i]->function_parameter;
			if (fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT ||
			    fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE)
				continue;
			tn = fp->arg_type;
		}
		if (!tn)
			continue;
		int serial;
		char *t = pgd_norm_typename(&ctx, tn, &serial, &err);
		if (sb.len)
			pgd_strbuf_addstr(&sb, ", ");
		pgd_strbuf_addstr(&sb, t ? t : "?");
		free(t);
	}
	pgd_strbuf_release(&err);
	return pgd_strbuf_detach(&sb, NULL);
}

void rp_create_function(struct replay *r, PgQuery__CreateFunctionStmt *s)
{
	const char *schema, *name;
	if (!split_names(s->funcname, s->n_funcname, &schema, &name))
		return;
	if (!schema)
		schema = rp_create_schema(r);
	char *args = function_args(r, s->parameters, s->n_parameters, false);
	struct pgd_function *f = pgd_schema_find_function(r->m, schema, name, args);
	if (f) {
		if (!s->replace) {
			rp_error(r, -1, "function \"%s\" already exists with same "
				 "argument types", name);
			free(args);
			return;
		}
		touch(r, &f->obj);
	} else {
		f = pgd_schema_add_function(r->m, schema, name, args);
		f->obj.created = r->src;
		/* PostgreSQL grants EXECUTE to PUBLIC on a new function */
		f->exec_roles = pgd_schema_alloc(r->m, sizeof(*f->exec_roles));
		f->exec_roles[0] = "public";
		f->nexec_roles = 1;
		f->exec_known = true;
	}
	free(args);
	f->security_definer = false;
	for (size_t i = 0; i < s->n_options; i++) {
		PgQuery__DefElem *de = s->options[i]->def_elem;
		if (de && de->defname && !strcmp(de->defname, "security") && de->arg &&
		    de->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
			f->security_definer = de->arg->boolean->boolval;
	}
}

void rp_create_trigger(struct replay *r, PgQuery__CreateTrigStmt *s)
{
	struct pgd_table *t = table_for(r, s->relation);
	if (!t)
		return;
	struct pgd_trigger *tg = pgd_table_find_trigger(t, s->trigname);
	if (tg && !s->replace) {
		rp_error(r, -1, "trigger \"%s\" for relation \"%s\" already exists",
			 s->trigname, t->obj.name);
		return;
	}
	struct pgd_nctx ctx = rp_nctx(r, t->obj.schema, t->obj.name);
	char *def = pgd_norm_trigger(&ctx, s);
	if (!tg) {
		tg = pgd_table_add_trigger(r->m, t, s->trigname);
		tg->obj.created = r->src;
	} else {
		touch(r, &tg->obj);
	}
	tg->def = pgd_schema_strdup(r->m, def);
	free(def);
}

/* ---- comments, owners, SET SCHEMA */

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
	if (s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !s->object ||
	    s->object->node_case != PG_QUERY__NODE__NODE_LIST)
		return; /* comments on other objects are not modeled */
	const char *schema, *name;
	if (!split_names(s->object->list->items, s->object->list->n_items,
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

void rp_alter_owner(struct replay *r, PgQuery__AlterOwnerStmt *s)
{
	(void)r;
	(void)s; /* owners of non-table objects are not modeled */
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
		retarget_fks(r, old_schema, old_name, t);
		retarget_index_defs(r, t, old_schema, old_name);
		follow_rel_rename(r, &t->obj, old_schema, old_name);
		touch(r, &t->obj);
		free(old_schema);
		free(old_name);
		return;
	}
	rp_unmodeled(r, "ALTER ... SET SCHEMA", "moving this kind of object is not replayed");
}

/*
 * ddl_drop.c - DROP and RENAME replay (and ALTER TABLE DROP COLUMN) with
 * their dependency rules: CASCADE/RESTRICT, foreign keys, views and index
 * definitions that name a renamed or dropped object.
 */
#include <string.h>

#include "replay.h"

static bool is_fk_to(const struct pgd_constraint *c, const struct pgd_table *t)
{
	return c->type == PGD_CON_FOREIGN && c->ref_table &&
	       strcmp(c->ref_table, t->obj.name) == 0 &&
	       strcmp(c->ref_schema, t->obj.schema) == 0;
}

/* ---- RENAME */

/* Foreign keys naming schema.old(...) now name the new table. */
void rp_retarget_fks(struct replay *r, const char *schema, const char *old,
		     struct pgd_table *t)
{
	struct pgd_strbuf from = PGD_STRBUF_INIT, to = PGD_STRBUF_INIT;
	pgd_strbuf_addstr(&from, "REFERENCES ");
	rp_qualified(&from, schema, old);
	pgd_strbuf_addch(&from, '(');
	pgd_strbuf_addstr(&to, "REFERENCES ");
	rp_qualified(&to, t->obj.schema, t->obj.name);
	pgd_strbuf_addch(&to, '(');
	for (size_t i = 0; i < r->m->ntables; i++) {
		struct pgd_table *o = r->m->tables[i];
		for (size_t k = 0; k < o->nconstraints; k++) {
			struct pgd_constraint *c = o->constraints[k];
			if (c->type != PGD_CON_FOREIGN || strcmp(c->ref_table, old) ||
			    strcmp(c->ref_schema, schema))
				continue;
			char *d = rp_replace_once(c->def, from.buf, to.buf);
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

/* Index definitions name their table: follow a table rename or move. */
void rp_retarget_index_defs(struct replay *r, struct pgd_table *t,
			    const char *old_schema, const char *old_name)
{
	struct pgd_strbuf from = PGD_STRBUF_INIT, to = PGD_STRBUF_INIT;
	pgd_strbuf_addstr(&from, " ON ");
	rp_qualified(&from, old_schema, old_name);
	pgd_strbuf_addstr(&from, " USING ");
	pgd_strbuf_addstr(&to, " ON ");
	rp_qualified(&to, t->obj.schema, t->obj.name);
	pgd_strbuf_addstr(&to, " USING ");
	for (size_t i = 0; i < t->nindexes; i++) {
		struct pgd_index *ix = t->indexes[i];
		char *d = ix->def ? rp_replace_once(ix->def, from.buf, to.buf) : NULL;
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
	rp_qualified(&on, old_schema, old_name);
	rp_qualified(&nn, new_schema, new_name);
	pgd_strbuf_addstr(&from, "nextval(");
	pgd_strbuf_add_literal(&from, on.buf);
	pgd_strbuf_addch(&from, ')');
	pgd_strbuf_addstr(&to, "nextval(");
	pgd_strbuf_add_literal(&to, nn.buf);
	pgd_strbuf_addch(&to, ')');
	for (size_t i = 0; i < r->m->ntables; i++)
		for (size_t k = 0; k < r->m->tables[i]->ncolumns; k++) {
			struct pgd_column *c = r->m->tables[i]->columns[k];
			char *d = c->def ? rp_replace_once(c->def, from.buf, to.buf) : NULL;
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
void rp_follow_rel_rename(struct replay *r, struct pgd_object *rel,
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
	rp_qualified(&from, old_schema, old_name);
	rp_qualified(&to, ns, nn);
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
	rp_touch(r, &c->obj);
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
	rp_qualified(&own, t->obj.schema, t->obj.name);
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
		rp_touch(r, o);
		if (o->kind == PGD_TABLE) {
			rp_retarget_fks(r, o->schema, old, (struct pgd_table *)o);
			rp_retarget_index_defs(r, (struct pgd_table *)o, o->schema, old);
			rp_follow_rel_rename(r, o, o->schema, old);
		} else if (o->kind == PGD_VIEW) {
			rp_follow_rel_rename(r, o, o->schema, old);
		} else if (o->kind == PGD_SEQUENCE) {
			retarget_nextval(r, o->schema, old, o->schema, o->name);
		} else if (o->kind == PGD_INDEX) {
			struct pgd_index *ix = (struct pgd_index *)o;
			rp_rename_index_def(r, ix, old);
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
		rp_touch(r, &c->obj);
		struct pgd_index *ix = pgd_schema_find_index(r->m, t->obj.schema, old);
		if (ix && ix->table == t && ix->constraint) {
			pgd_schema_rename_rel(r->m, &ix->obj, t->obj.schema, nn);
			ix->constraint = c->obj.name;
			rp_rename_index_def(r, ix, old);
		}
		free(old);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
		struct pgd_table *t = rp_table_for(r, s->relation);
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
		rp_touch(r, &p->obj);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER: {
		struct pgd_table *t = rp_table_for(r, s->relation);
		if (!t)
			return;
		struct pgd_trigger *tg = pgd_table_find_trigger(t, s->subname);
		if (!tg) {
			rp_error(r, -1, "trigger \"%s\" for table \"%s\" does not exist",
				 s->subname, t->obj.name);
			return;
		}
		tg->obj.name = pgd_schema_strdup(r->m, nn);
		rp_touch(r, &tg->obj);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE: {
		const char *schema, *name;
		if (!s->object || s->object->node_case != PG_QUERY__NODE__NODE_LIST ||
		    !rp_split_names(s->object->list->items, s->object->list->n_items,
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
		rp_qualified(&from, ty->obj.schema, ty->obj.name);
		ty->obj.name = pgd_schema_strdup(r->m, nn);
		rp_qualified(&to, ty->obj.schema, ty->obj.name);
		retarget_column_types(r, from.buf, to.buf);
		rp_touch(r, &ty->obj);
		pgd_strbuf_release(&from);
		pgd_strbuf_release(&to);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION: {
		PgQuery__ObjectWithArgs *ow = s->object ? s->object->object_with_args
							: NULL;
		const char *schema, *name;
		if (!ow || !rp_split_names(ow->objname, ow->n_objname, &schema, &name))
			break;
		for (size_t i = 0; i < r->m->nfunctions; i++) {
			struct pgd_function *f = r->m->functions[i];
			if (strcmp(f->obj.name, name) == 0 &&
			    (!schema || strcmp(f->obj.schema, schema) == 0)) {
				pgd_schema_rename_function(r->m, f, nn);
				rp_touch(r, &f->obj);
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

void rp_drop_column(struct replay *r, struct pgd_table *t,
		    struct pgd_column *c, bool cascade)
{
	const char *name = c->obj.name;
	/* what depends on the column: foreign keys referencing it (through
	 * the key index that goes with it) and views using it */
	struct rp_deps d = { 0 };
	for (size_t i = 0; i < t->nindexes; i++)
		if (rp_in_list(t->indexes[i]->columns, t->indexes[i]->ncolumns, name))
			rp_fk_deps_on_index(r, t, t->indexes[i], &d);
	for (size_t i = d.nfks; i-- > 0;)
		if (d.fk_tables[i] == t &&
		    rp_in_list(d.fks[i]->columns, d.fks[i]->ncolumns, name)) {
			/* a foreign key of the table on the column goes with it */
			d.fks[i] = d.fks[--d.nfks];
			d.fk_tables[i] = d.fk_tables[d.nfks];
		}
	struct pgd_strbuf col = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&col, t->obj.schema);
	pgd_strbuf_addch(&col, '.');
	pgd_strbuf_add_ident(&col, t->obj.name);
	pgd_strbuf_addch(&col, '.');
	pgd_strbuf_add_ident(&col, name);
	for (size_t i = 0; i < r->m->nviews; i++) {
		struct pgd_view *v = r->m->views[i];
		if (rp_in_list(v->read_columns, v->nread_columns, col.buf)) {
			PGD_GROW(d.views, d.aviews, d.nviews + 1);
			d.views[d.nviews++] = v;
		}
	}
	pgd_strbuf_release(&col);
	if ((d.nfks || d.nviews) && !cascade) {
		rp_error(r, -1, "cannot drop column %s of table %s because other "
			 "objects depend on it", name, t->obj.name);
		rp_deps_release(&d);
		return;
	}
	rp_drop_deps(r, &d);
	rp_deps_release(&d);
	/* indexes and constraints on the column go with it */
	for (size_t i = t->nindexes; i-- > 0;) {
		struct pgd_index *ix = t->indexes[i];
		bool uses = false;
		for (size_t k = 0; k < ix->ncolumns; k++)
			if (strcmp(ix->columns[k], name) == 0)
				uses = true;
		if (uses) {
			pgd_schema_add_tombstone(r->m, PGD_INDEX, t->obj.schema,
						 t->obj.name, ix->obj.name, &r->src);
			struct pgd_constraint *c2 =
				ix->constraint ? pgd_table_find_constraint(t, ix->constraint)
					       : NULL;
			if (c2)
				pgd_table_remove_constraint(r->m, t, c2);
			pgd_table_remove_index(r->m, t, ix);
		}
	}
	for (size_t i = t->nconstraints; i-- > 0;) {
		struct pgd_constraint *con = t->constraints[i];
		bool uses = false;
		for (size_t k = 0; k < con->ncolumns; k++)
			if (strcmp(con->columns[k], name) == 0)
				uses = true;
		if (!uses && con->type == PGD_CON_CHECK && con->def) {
			/* a check on only this column goes too */
			struct pgd_strbuf pat = PGD_STRBUF_INIT;
			pgd_strbuf_add_ident(&pat, name);
			uses = strstr(con->def, pat.buf) != NULL;
			pgd_strbuf_release(&pat);
		}
		if (uses) {
			pgd_schema_add_tombstone(r->m, PGD_CONSTRAINT, t->obj.schema,
						 t->obj.name, con->obj.name, &r->src);
			pgd_table_remove_constraint(r->m, t, con);
		}
	}
	pgd_schema_add_tombstone(r->m, PGD_COLUMN, t->obj.schema, t->obj.name,
				 name, &r->src);
	pgd_table_remove_column(t, c);
	rp_touch(r, &t->obj);
}

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
	/* views that read it (and theirs); without CASCADE the server would
	 * have refused, and a read the replay inferred is not worth exit 3 */
	if (cascade)
		rp_drop_views_using(r, false, t->obj.schema, t->obj.name, NULL);
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
		rp_qualified(&own, s, n);
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
	    !rp_split_names(obj->list->items, obj->list->n_items, &schema, &name))
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
		if (cascade) { /* with the views that read it */
			rp_drop_view(r, (struct pgd_view *)o);
			break;
		}
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

/* Whether canonical text calls the function sig names ("public.f("). */
static bool calls(const char *text, const char *sig)
{
	for (const char *p = text ? strstr(text, sig) : NULL; p; p = strstr(p + 1, sig))
		if (p == text || !(p[-1] == '_' || p[-1] == '.' || p[-1] == '"' ||
				   (p[-1] >= 'a' && p[-1] <= 'z') ||
				   (p[-1] >= '0' && p[-1] <= '9')))
			return true;
	return false;
}

void rp_drop_function_dependents(struct replay *r, const struct pgd_function *f,
				 bool cascade)
{
	if (!cascade)
		return;
	struct pgd_strbuf sig = PGD_STRBUF_INIT;
	rp_qualified(&sig, f->obj.schema, f->obj.name);
	pgd_strbuf_addch(&sig, '(');
	/* another overload of the same name keeps its callers: the text
	 * cannot tell them apart, so only a unique name cascades */
	size_t same = 0;
	for (size_t i = 0; i < r->m->nfunctions; i++)
		same += !strcmp(r->m->functions[i]->obj.name, f->obj.name) &&
			!strcmp(r->m->functions[i]->obj.schema, f->obj.schema);
	for (size_t i = 0; same == 1 && i < r->m->ntables; i++) {
		struct pgd_table *t = r->m->tables[i];
		for (size_t k = t->ntriggers; k-- > 0;)
			if (calls(t->triggers[k]->def, sig.buf)) {
				pgd_schema_add_tombstone(r->m, PGD_TRIGGER, t->obj.schema,
							 t->obj.name, t->triggers[k]->obj.name,
							 &r->src);
				pgd_table_remove_trigger(t, t->triggers[k]);
			}
		for (size_t k = t->npolicies; k-- > 0;)
			if (calls(t->policies[k]->using_expr, sig.buf) ||
			    calls(t->policies[k]->check_expr, sig.buf)) {
				pgd_schema_add_tombstone(r->m, PGD_POLICY, t->obj.schema,
							 t->obj.name, t->policies[k]->obj.name,
							 &r->src);
				pgd_table_remove_policy(t, t->policies[k]);
			}
		for (size_t k = 0; k < t->ncolumns; k++)
			if (calls(t->columns[k]->def, sig.buf))
				t->columns[k]->def = NULL;
	}
	/* views that call it, and the views that read those */
	if (same == 1)
		rp_drop_views_using(r, true, f->obj.schema, f->obj.name, NULL);
	pgd_strbuf_release(&sig);
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
			bool platform = !ns && name && rp_platform_schema(r, name);
			if (!ns && !platform) {
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
			if (ns)
				pgd_schema_remove_namespace(r->m, ns);
			break;
		}
		case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
			PgQuery__TypeName *tn = obj->node_case == PG_QUERY__NODE__NODE_TYPE_NAME
							? obj->type_name : NULL;
			const char *schema, *name;
			if (!tn || !rp_split_names(tn->names, tn->n_names, &schema, &name))
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
			bool ambiguous;
			struct pgd_function *f = rp_find_function(r, ow, &ambiguous);
			if (!f) {
				const char *nm = ow && ow->n_objname
							 ? pgd_pgq_str(ow->objname[ow->n_objname - 1])
							 : NULL;
				if (ambiguous)
					rp_error(r, -1, "function name \"%s\" is not unique", nm ? nm : "?");
				else if (!s->missing_ok)
					rp_error(r, -1, "function %s does not exist", nm ? nm : "?");
				break;
			}
			rp_drop_function_dependents(r, f, s->behavior ==
				PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE);
			pgd_schema_add_tombstone(r->m, PGD_FUNCTION, f->obj.schema, NULL,
						 f->obj.name, &r->src);
			pgd_schema_remove_function(r->m, f);
			break;
		}
		default:
			rp_unmodeled(r, "DROP", "dropping this kind of object is not replayed");
			return;
		}
	}
}

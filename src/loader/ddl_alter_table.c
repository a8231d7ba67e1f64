/*
 * ddl_alter_table.c - ALTER TABLE replay: its subcommands, recursing to
 * partitions as PostgreSQL 15 does. Columns and constraints are built by
 * ddl_table.c, DROP COLUMN's dependency rules are in ddl_drop.c.
 */
#include <string.h>
#include <strings.h>

#include "replay.h"

/* ---- ALTER TABLE */

static struct pgd_column *need_column(struct replay *r, struct pgd_table *t,
				      const char *name, bool missing_ok)
{
	struct pgd_column *c = name ? pgd_table_find_column(t, name) : NULL;
	if (!c && !missing_ok)
		rp_error(r, -1, "column \"%s\" of relation \"%s\" does not exist",
			 name ? name : "?", t->obj.name);
	return c;
}

/* A column added to a partitioned table is added to its partitions. */
static void copy_column_down(struct replay *r, struct pgd_table *t,
			     const struct pgd_column *c)
{
	size_t n;
	struct pgd_table **parts = rp_partitions(r, t, &n);
	for (size_t i = 0; i < n; i++) {
		if (pgd_table_find_column(parts[i], c->obj.name))
			continue;
		struct pgd_column *pc = pgd_table_add_column(r->m, parts[i], c->obj.name);
		pc->obj.created = r->src;
		pc->type = c->type;
		pc->not_null = c->not_null;
		pc->def = c->def;
		pc->generated = c->generated;
		pc->identity = c->identity;
		pc->collation = c->collation;
		copy_column_down(r, parts[i], pc);
	}
	free(parts);
}

/* ALTER TABLE actions on a partitioned table that its partitions follow
 * (ATSimpleRecursion and friends). */
static bool recurses(PgQuery__AlterTableType subtype)
{
	switch (subtype) {
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumnRecurse:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
		return true;
	default:
		return false;
	}
}

/* ENABLE/DISABLE TRIGGER name|ALL|USER: the state is the suffix the
 * catalog reader appends to the definition (" DISABLED", ...). */
static void trigger_state(struct replay *r, struct pgd_table *t,
			  const PgQuery__AlterTableCmd *cmd, const char *state)
{
	static const char *const states[] = { " DISABLED", " ENABLE ALWAYS",
					      " ENABLE REPLICA" };
	bool one = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig ||
		   cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig ||
		   cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig ||
		   cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig;
	bool found = false;
	for (size_t i = 0; i < t->ntriggers; i++) {
		struct pgd_trigger *tg = t->triggers[i];
		if (one && (!cmd->name || strcmp(tg->obj.name, cmd->name)))
			continue;
		found = true;
		size_t len = strlen(tg->def);
		for (size_t k = 0; k < PGD_ARRAY_SIZE(states); k++) {
			size_t n = strlen(states[k]);
			if (len > n && !strcmp(tg->def + len - n, states[k]))
				len -= n;
		}
		char *def = pgd_xasprintf("%.*s%s", (int)len, tg->def, state);
		tg->def = pgd_schema_strdup(r->m, def);
		free(def);
		rp_touch(r, &tg->obj);
	}
	if (one && !found)
		rp_error(r, -1, "trigger \"%s\" for table \"%s\" does not exist",
			 cmd->name ? cmd->name : "?", t->obj.name);
}

static void alter_cmd(struct replay *r, struct pgd_table *t,
		      PgQuery__AlterTableCmd *cmd, bool recurse);

/* Applies cmd to the partitions of t. */
static void alter_partitions(struct replay *r, struct pgd_table *t,
			     PgQuery__AlterTableCmd *cmd)
{
	size_t n;
	struct pgd_table **parts = rp_partitions(r, t, &n);
	for (size_t i = 0; i < n && !r->failed; i++)
		alter_cmd(r, parts[i], cmd, true);
	free(parts);
}

/* The constraint of partition p that PostgreSQL made from the parent's
 * constraint c (same kind and definition), or NULL. */
static struct pgd_constraint *partition_constraint(const struct pgd_table *p,
						   const struct pgd_constraint *c)
{
	for (size_t i = 0; i < p->nconstraints; i++)
		if (p->constraints[i]->type == c->type && p->constraints[i]->def &&
		    c->def && strcmp(p->constraints[i]->def, c->def) == 0)
			return p->constraints[i];
	return NULL;
}

static void alter_cmd(struct replay *r, struct pgd_table *t,
		      PgQuery__AlterTableCmd *cmd, bool recurse)
{
	if (recurse && t->relkind == 'p' && recurses(cmd->subtype)) {
		alter_cmd(r, t, cmd, false);
		if (!r->failed)
			alter_partitions(r, t, cmd);
		return;
	}
	struct pending_list pending = { 0 };
	switch (cmd->subtype) {
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse: {
		PgQuery__ColumnDef *cd = cmd->def ? cmd->def->column_def : NULL;
		if (!cd)
			break;
		if (pgd_table_find_column(t, cd->colname)) {
			if (cmd->missing_ok)
				rp_warn(r, cd->location,
					"column \"%s\" of relation \"%s\" already exists, "
					"skipping (IF NOT EXISTS)", cd->colname, t->obj.name);
			else
				rp_error(r, cd->location,
					 "column \"%s\" of relation \"%s\" already exists",
					 cd->colname, t->obj.name);
			break;
		}
		struct pgd_column *c = rp_add_column(r, t, cd, &pending);
		if (c) {
			copy_column_down(r, t, c);
			rp_add_pending(r, t, &pending);
		}
		free(pending.v);
		rp_touch(r, &t->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumnRecurse: {
		struct pgd_column *c = need_column(r, t, cmd->name, cmd->missing_ok);
		if (c)
			rp_drop_column(r, t, c, cmd->behavior ==
				       PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType: {
		struct pgd_column *c = need_column(r, t, cmd->name, false);
		PgQuery__ColumnDef *cd = cmd->def ? cmd->def->column_def : NULL;
		if (!c || !cd || !cd->type_name)
			break;
		int serial;
		struct pgd_nctx ctx = rp_nctx(r, t->obj.schema, t->obj.name);
		struct pgd_strbuf err = PGD_STRBUF_INIT;
		char *type = pgd_norm_typename(&ctx, cd->type_name, &serial, &err);
		if (!type) {
			rp_error(r, cd->location, "%s", err.buf);
		} else {
			c->type = pgd_schema_strdup(r->m, type);
			rp_touch(r, &c->obj);
		}
		if (cd->coll_clause && cd->coll_clause->n_collname)
			c->collation = rp_collation_of(r, cd->coll_clause);
		free(type);
		pgd_strbuf_release(&err);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault: {
		struct pgd_column *c = need_column(r, t, cmd->name, false);
		if (!c)
			break;
		c->def = cmd->def ? rp_canon_default(r, t, &cmd->def, NULL) : NULL;
		rp_touch(r, &c->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull: {
		struct pgd_column *c = need_column(r, t, cmd->name, false);
		if (!c)
			break;
		if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull) {
			/* ATExecDropNotNull() */
			bool pk = false;
			for (size_t i = 0; i < t->nconstraints; i++)
				if (t->constraints[i]->type == PGD_CON_PRIMARY &&
				    rp_in_list(t->constraints[i]->columns,
					       t->constraints[i]->ncolumns, c->obj.name))
					pk = true;
			if (pk) {
				rp_error(r, -1, "column \"%s\" is in a primary key",
					 c->obj.name);
				break;
			}
			if (c->identity) {
				rp_error(r, -1, "column \"%s\" of relation \"%s\" is an "
					 "identity column", c->obj.name, t->obj.name);
				break;
			}
		}
		c->not_null = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull;
		rp_touch(r, &c->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse:
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			rp_add_constraint(r, t, cmd->def->constraint, NULL);
		rp_touch(r, &t->obj);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraintRecurse: {
		struct pgd_constraint *c = pgd_table_find_constraint(t, cmd->name);
		if (!c) {
			if (!cmd->missing_ok)
				rp_error(r, -1, "constraint \"%s\" of relation \"%s\" does not exist",
					 cmd->name, t->obj.name);
			break;
		}
		if (c->type == PGD_CON_PRIMARY || c->type == PGD_CON_UNIQUE ||
		    c->type == PGD_CON_EXCLUDE) {
			struct pgd_index *ix = pgd_schema_find_index(r->m, t->obj.schema,
								     c->obj.name);
			if (ix && ix->table == t) {
				char *what = pgd_xasprintf("constraint %s on table %s",
							   c->obj.name, t->obj.name);
				int rc = rp_drop_index_deps(r, ix, cmd->behavior ==
					PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE, what);
				free(what);
				if (rc < 0)
					break;
				pgd_table_remove_index(r->m, t, ix);
			}
		}
		/* the partitions' copies of a key go with it */
		size_t nparts = 0;
		struct pgd_table **parts = c->type != PGD_CON_CHECK && c->type != PGD_CON_FOREIGN
			? rp_partitions(r, t, &nparts) : NULL;
		for (size_t i = 0; i < nparts && !r->failed; i++) {
			struct pgd_constraint *pc = partition_constraint(parts[i], c);
			if (!pc)
				continue;
			PgQuery__AlterTableCmd sub = *cmd;
			sub.name = (char *)pc->obj.name;
			sub.missing_ok = true;
			alter_cmd(r, parts[i], &sub, false);
		}
		free(parts);
		pgd_schema_add_tombstone(r->m, PGD_CONSTRAINT, t->obj.schema,
					 t->obj.name, c->obj.name, &r->src);
		pgd_table_remove_constraint(r->m, t, c);
		rp_touch(r, &t->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse: {
		struct pgd_constraint *c = pgd_table_find_constraint(t, cmd->name);
		if (!c) {
			rp_error(r, -1, "constraint \"%s\" of relation \"%s\" does not exist",
				 cmd->name, t->obj.name);
			break;
		}
		c->validated = true;
		rp_touch(r, &c->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity:
		t->rls_enabled = true;
		t->rls_set = true;
		rp_touch(r, &t->obj);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity:
		t->rls_enabled = false;
		t->rls_set = true;
		rp_touch(r, &t->obj);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ForceRowSecurity:
		t->rls_forced = true;
		t->rls_set = true;
		rp_touch(r, &t->obj);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity:
		t->rls_forced = false;
		t->rls_set = true;
		rp_touch(r, &t->obj);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
		rp_change_owner(r, &t->obj, cmd->newowner);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity: {
		struct pgd_column *c = need_column(r, t, cmd->name, false);
		PgQuery__Constraint *con = cmd->def ? cmd->def->constraint : NULL;
		if (!c || !con)
			break;
		/* ATExecAddIdentity() */
		if (!c->not_null) {
			rp_error(r, -1, "column \"%s\" of relation \"%s\" must be "
				 "declared NOT NULL before identity can be added",
				 c->obj.name, t->obj.name);
			break;
		}
		if (c->identity) {
			rp_error(r, -1, "column \"%s\" of relation \"%s\" is already "
				 "an identity column", c->obj.name, t->obj.name);
			break;
		}
		if (c->def) {
			rp_error(r, -1, "column \"%s\" of relation \"%s\" already has "
				 "a default value", c->obj.name, t->obj.name);
			break;
		}
		c->identity = con->generated_when && *con->generated_when == 'a'
				      ? 'a' : 'd';
		rp_serial_sequence(r, t, c, true);
		rp_touch(r, &c->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetIdentity: {
		struct pgd_column *c = need_column(r, t, cmd->name, false);
		if (!c || !cmd->def || cmd->def->node_case != PG_QUERY__NODE__NODE_LIST)
			break;
		PgQuery__List *l = cmd->def->list;
		for (size_t i = 0; i < l->n_items; i++) {
			PgQuery__DefElem *de = l->items[i]->def_elem;
			if (de && de->defname && !strcmp(de->defname, "generated") &&
			    de->arg && de->arg->node_case == PG_QUERY__NODE__NODE_INTEGER)
				c->identity = de->arg->integer->ival == 'a' ? 'a' : 'd';
		}
		rp_touch(r, &c->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity: {
		struct pgd_column *c = need_column(r, t, cmd->name, false);
		if (!c)
			break;
		if (!c->identity && !cmd->missing_ok) {
			rp_error(r, -1, "column \"%s\" of relation \"%s\" is not an identity column",
				 c->obj.name, t->obj.name);
			break;
		}
		c->identity = 0;
		for (size_t i = 0; i < r->m->nsequences; i++) {
			struct pgd_sequence *sq = r->m->sequences[i];
			if (sq->identity && sq->owned_by &&
			    strstr(sq->owned_by, c->obj.name)) {
				pgd_schema_remove_sequence(r->m, sq);
				break;
			}
		}
		rp_touch(r, &c->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression: {
		struct pgd_column *c = need_column(r, t, cmd->name, cmd->missing_ok);
		if (c && c->generated) {
			c->generated = 0;
			c->def = NULL;
			rp_touch(r, &c->obj);
		}
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition: {
		PgQuery__PartitionCmd *pc = cmd->def ? cmd->def->partition_cmd : NULL;
		struct pgd_table *child = pc && pc->name ? rp_table(r, pc->name, false)
							 : NULL;
		if (child) {
			struct pgd_strbuf pn = PGD_STRBUF_INIT;
			pgd_strbuf_add_ident(&pn, t->obj.schema);
			pgd_strbuf_addch(&pn, '.');
			pgd_strbuf_add_ident(&pn, t->obj.name);
			child->partition_of = pgd_schema_strdup(r->m, pn.buf);
			pgd_strbuf_release(&pn);
			rp_touch(r, &child->obj);
			rp_clone_indexes(r, t, child, true);
		}
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize: {
		PgQuery__PartitionCmd *pc = cmd->def ? cmd->def->partition_cmd : NULL;
		struct pgd_table *child = pc && pc->name ? rp_table(r, pc->name, false)
							 : NULL;
		if (child) {
			child->partition_of = NULL;
			rp_touch(r, &child->obj);
		}
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
		t->unlogged = false;
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
		t->unlogged = true;
		break;
	/* storage, statistics, triggers' enabled state, replica identity,
	 * options: not part of the model */
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStorage:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetCompression:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ReplaceRelOptions:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ReplicaIdentity:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
		trigger_state(r, t, cmd, "");
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
		trigger_state(r, t, cmd, " DISABLED");
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
		trigger_state(r, t, cmd, " ENABLE ALWAYS");
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
		trigger_state(r, t, cmd, " ENABLE REPLICA");
		break;
	default:
		rp_unmodeled(r, "ALTER TABLE", "this ALTER TABLE action is not replayed");
		break;
	}
}

/* The view rv names (through the search_path), or NULL. */
static struct pgd_view *view_of(struct replay *r, const PgQuery__RangeVar *rv)
{
	const struct pgd_object *o = NULL;
	if (rv->schemaname && *rv->schemaname)
		o = pgd_schema_find_rel(r->m, rv->schemaname, rv->relname);
	for (size_t i = 0; !o && !(rv->schemaname && *rv->schemaname) &&
			   i < r->nsearch_path; i++)
		o = pgd_schema_find_rel(r->m, r->search_path[i], rv->relname);
	return o && o->kind == PGD_VIEW ? (struct pgd_view *)o : NULL;
}

/* A reloption's boolean value: "true", "on", "1", or no value at all. */
static bool option_on(const PgQuery__DefElem *de)
{
	if (!de->arg)
		return true;
	if (de->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
		return de->arg->boolean->boolval;
	if (de->arg->node_case == PG_QUERY__NODE__NODE_INTEGER)
		return de->arg->integer->ival != 0;
	const char *v = pgd_pgq_str(de->arg);
	return v && (!strcasecmp(v, "true") || !strcasecmp(v, "on") ||
		     !strcmp(v, "1") || !strcasecmp(v, "yes"));
}

/* ALTER VIEW (or ALTER TABLE on a view) SET/RESET (security_invoker):
 * the one view option the model keeps; OWNER TO and the rest change
 * nothing it holds. */
static void alter_view(struct replay *r, struct pgd_view *v,
		       const PgQuery__AlterTableStmt *s)
{
	for (size_t i = 0; i < s->n_cmds; i++) {
		const PgQuery__AlterTableCmd *cmd = s->cmds[i]->node_case ==
			PG_QUERY__NODE__NODE_ALTER_TABLE_CMD ? s->cmds[i]->alter_table_cmd : NULL;
		if (!cmd || !cmd->def || cmd->def->node_case != PG_QUERY__NODE__NODE_LIST)
			continue;
		bool set = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions;
		bool reset = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions;
		if (!set && !reset)
			continue;
		const PgQuery__List *l = cmd->def->list;
		for (size_t k = 0; k < l->n_items; k++) {
			const PgQuery__DefElem *de = l->items[k]->node_case ==
				PG_QUERY__NODE__NODE_DEF_ELEM ? l->items[k]->def_elem : NULL;
			if (!de || !de->defname || strcmp(de->defname, "security_invoker"))
				continue;
			v->security_invoker = set && option_on(de);
			rp_touch(r, &v->obj);
		}
	}
}

void rp_alter_table(struct replay *r, PgQuery__AlterTableStmt *s)
{
	if ((s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW ||
	     s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) && s->relation) {
		/* ALTER TABLE works on a view too (OWNER TO, SET (...)) */
		struct pgd_view *v = view_of(r, s->relation);
		if (v) {
			alter_view(r, v, s);
			return;
		}
	}
	if (s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
		/* ALTER INDEX/VIEW/SEQUENCE ... SET (...) and the like */
		if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW ||
		    s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW ||
		    s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX ||
		    s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE) {
			rp_alter_rel_owner(r, s);
			return;
		}
		rp_unmodeled(r, "ALTER", "this ALTER statement is not replayed");
		return;
	}
	struct pgd_table *t = rp_table(r, s->relation, s->missing_ok);
	if (!t) {
		if (s->missing_ok)
			rp_warn(r, s->relation->location,
				"relation \"%s\" does not exist, skipping (IF EXISTS)",
				s->relation->relname);
		return;
	}
	for (size_t i = 0; i < s->n_cmds && !r->failed; i++)
		if (s->cmds[i]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			alter_cmd(r, t, s->cmds[i]->alter_table_cmd, s->relation->inh);
}

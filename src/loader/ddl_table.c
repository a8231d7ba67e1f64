/*
 * ddl_table.c - CREATE TABLE, ALTER TABLE and CREATE INDEX replay, with
 * PostgreSQL 15's implicit objects: serial sequences, primary key and
 * unique indexes, and the names it gives unnamed constraints and indexes.
 */
#include <string.h>

#include "replay.h"

/* ---- helpers */

static void clone_index(struct replay *r, const struct pgd_index *pix,
			struct pgd_table *child);
static void clone_indexes(struct replay *r, const struct pgd_table *parent,
			  struct pgd_table *child, bool attach);

static void touch(struct replay *r, struct pgd_object *o)
{
	o->changed = r->src;
}

/* A constraint waiting for its name: column constraints carry their column. */
struct pending {
	PgQuery__Constraint *con;
	const char *column; /* NULL for a table constraint */
};

struct pending_list {
	struct pending *v;
	size_t n, alloc;
};

static void pending_add(struct pending_list *l, PgQuery__Constraint *con,
			const char *column)
{
	PGD_GROW(l->v, l->alloc, l->n + 1);
	l->v[l->n++] = (struct pending){ con, column };
}

static void collect_colref(PgQuery__Node *n, void *arg)
{
	struct pgd_strbuf *names = arg; /* "\x1fa\x1fb\x1f" */
	if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
		return;
	PgQuery__ColumnRef *cr = n->column_ref;
	const char *c = cr->n_fields ? pgd_pgq_str(cr->fields[cr->n_fields - 1])
				     : NULL;
	if (!c)
		return;
	struct pgd_strbuf key = PGD_STRBUF_INIT;
	pgd_strbuf_addf(&key, "\x1f%s\x1f", c);
	if (!names->len)
		pgd_strbuf_addch(names, '\x1f');
	if (!strstr(names->buf, key.buf))
		pgd_strbuf_addf(names, "%s\x1f", c);
	pgd_strbuf_release(&key);
}

/* The single column a CHECK expression uses, or NULL (as PostgreSQL names
 * checks: <table>_<col>_check when exactly one column is referenced). */
static char *check_column(PgQuery__Node *expr)
{
	struct pgd_strbuf names = PGD_STRBUF_INIT;
	if (expr) {
		collect_colref(expr, &names);
		pgd_pgq_visit(&expr->base, collect_colref, &names);
	}
	char *res = NULL;
	if (names.len > 1) {
		char *first = names.buf + 1;
		char *end = strchr(first, '\x1f');
		if (end && end[1] == '\0')
			res = pgd_xstrndup(first, (size_t)(end - first));
	}
	pgd_strbuf_release(&names);
	return res;
}

static const char **string_list(struct replay *r, PgQuery__Node **list, size_t n)
{
	const char **v = pgd_schema_alloc(r->m, (n ? n : 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		const char *s = pgd_pgq_str(list[i]);
		v[i] = pgd_schema_strdup(r->m, s ? s : "?");
	}
	return v;
}

/* Builds the index that backs a PRIMARY KEY or UNIQUE constraint. */
static void add_constraint_index(struct replay *r, struct pgd_table *t,
				 struct pgd_constraint *c,
				 PgQuery__Constraint *con)
{
	struct pgd_strbuf sql = PGD_STRBUF_INIT;
	struct pgd_error err = PGD_ERROR_INIT;
	pgd_strbuf_addstr(&sql, "CREATE UNIQUE INDEX ");
	pgd_strbuf_add_ident(&sql, c->obj.name);
	pgd_strbuf_addstr(&sql, " ON ");
	pgd_strbuf_add_ident(&sql, t->obj.schema);
	pgd_strbuf_addch(&sql, '.');
	pgd_strbuf_add_ident(&sql, t->obj.name);
	pgd_strbuf_addstr(&sql, " USING btree (");
	for (size_t i = 0; i < c->ncolumns; i++) {
		if (i)
			pgd_strbuf_addstr(&sql, ", ");
		pgd_strbuf_add_ident(&sql, c->columns[i]);
	}
	pgd_strbuf_addch(&sql, ')');
	if (con->n_including) {
		pgd_strbuf_addstr(&sql, " INCLUDE (");
		for (size_t i = 0; i < con->n_including; i++) {
			if (i)
				pgd_strbuf_addstr(&sql, ", ");
			pgd_strbuf_add_ident(&sql, pgd_pgq_str(con->including[i])
							   ? pgd_pgq_str(con->including[i]) : "?");
		}
		pgd_strbuf_addch(&sql, ')');
	}
	if (con->nulls_not_distinct)
		pgd_strbuf_addstr(&sql, " NULLS NOT DISTINCT");
	struct pgd_index *ix = pgd_table_add_index(r->m, t, c->obj.name);
	ix->obj.created = r->src;
	ix->unique = true;
	ix->primary = c->type == PGD_CON_PRIMARY;
	ix->constraint = c->obj.name;
	if (pgd_normalize_index(r->m, t, ix, sql.buf, &err) < 0)
		PGD_BUG("constraint index does not parse: %s: %s", sql.buf,
			err.message);
	pgd_strbuf_release(&sql);
}

/* The (non-unique) index behind an EXCLUDE constraint. */
static void add_exclusion_index(struct replay *r, struct pgd_table *t,
				struct pgd_constraint *c, PgQuery__Constraint *con)
{
	struct pgd_strbuf sql = PGD_STRBUF_INIT;
	struct pgd_error err = PGD_ERROR_INIT;
	pgd_strbuf_addstr(&sql, "CREATE INDEX ");
	pgd_strbuf_add_ident(&sql, c->obj.name);
	pgd_strbuf_addstr(&sql, " ON ");
	pgd_strbuf_add_ident(&sql, t->obj.schema);
	pgd_strbuf_addch(&sql, '.');
	pgd_strbuf_add_ident(&sql, t->obj.name);
	pgd_strbuf_addf(&sql, " USING %s (", con->access_method && *con->access_method
						   ? con->access_method : "btree");
	for (size_t i = 0; i < con->n_exclusions; i++) {
		PgQuery__Node *pair = con->exclusions[i];
		PgQuery__IndexElem *el = pair->node_case == PG_QUERY__NODE__NODE_LIST &&
						 pair->list->n_items
			? pair->list->items[0]->index_elem : NULL;
		if (i)
			pgd_strbuf_addstr(&sql, ", ");
		if (el && el->name && *el->name)
			pgd_strbuf_add_ident(&sql, el->name);
		else
			pgd_strbuf_addstr(&sql, "?");
	}
	pgd_strbuf_addch(&sql, ')');
	if (con->where_clause) {
		/* an exclusion constraint's WHERE is its index's predicate */
		const char *pred = rp_expr(r, t, &con->where_clause);
		if (!pred) {
			pgd_strbuf_release(&sql);
			return;
		}
		pgd_strbuf_addf(&sql, " WHERE (%s)", pred);
	}
	struct pgd_index *ix = pgd_table_add_index(r->m, t, c->obj.name);
	ix->obj.created = r->src;
	ix->constraint = c->obj.name;
	if (pgd_normalize_index(r->m, t, ix, sql.buf, &err) < 0) {
		rp_error(r, con->location, "%s", err.message);
		pgd_table_remove_index(r->m, t, ix);
	}
	pgd_error_release(&err);
	pgd_strbuf_release(&sql);
}

static struct pgd_column *column_of(struct pgd_table *t, const char *name)
{
	return name ? pgd_table_find_column(t, name) : NULL;
}

/*
 * Adds one constraint to t, choosing its name the way PostgreSQL does when
 * it has none. column is the column of a column constraint, or NULL.
 */
static int add_constraint(struct replay *r, struct pgd_table *t,
			  PgQuery__Constraint *con, const char *column)
{
	const char *name = con->conname && *con->conname ? con->conname : NULL;
	const char *s = t->obj.schema, *tn = t->obj.name;
	const char *cols[1] = { column };
	size_t ncols = column ? 1 : 0;

	if (name && pgd_table_find_constraint(t, name))
		return rp_error(r, con->location,
				"constraint \"%s\" for relation \"%s\" already exists",
				name, tn);

	/* USING INDEX: an existing unique index becomes the constraint */
	if (con->indexname && *con->indexname) {
		struct pgd_index *ix = pgd_schema_find_index(r->m, s, con->indexname);
		if (!ix || ix->table != t)
			return rp_error(r, con->location,
					"index \"%s\" does not exist", con->indexname);
		if (!name)
			name = ix->obj.name;
		struct pgd_constraint *c = pgd_table_add_constraint(r->m, t, name);
		c->obj.created = r->src;
		c->type = con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY
				  ? PGD_CON_PRIMARY : PGD_CON_UNIQUE;
		c->columns = ix->columns;
		c->ncolumns = ix->ncolumns;
		struct pgd_strbuf def = PGD_STRBUF_INIT;
		pgd_strbuf_addstr(&def, c->type == PGD_CON_PRIMARY ? "PRIMARY KEY ("
								   : "UNIQUE (");
		for (size_t i = 0; i < c->ncolumns; i++) {
			if (i)
				pgd_strbuf_addstr(&def, ", ");
			pgd_strbuf_add_ident(&def, c->columns[i]);
		}
		pgd_strbuf_addch(&def, ')');
		c->def = pgd_schema_strdup(r->m, def.buf);
		pgd_strbuf_release(&def);
		if (strcmp(ix->obj.name, name) != 0)
			rp_rename_index(r, ix, name);
		ix->constraint = c->obj.name;
		ix->primary = c->type == PGD_CON_PRIMARY;
		touch(r, &ix->obj);
		if (ix->primary)
			for (size_t i = 0; i < c->ncolumns; i++) {
				struct pgd_column *col = column_of(t, c->columns[i]);
				if (col)
					col->not_null = true;
			}
		return 0;
	}

	switch (con->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
		for (size_t i = 0; i < t->nconstraints; i++)
			if (t->constraints[i]->type == PGD_CON_PRIMARY)
				return rp_error(r, con->location,
					"multiple primary keys for table \"%s\" are not allowed",
					tn);
		if (!name)
			name = rp_choose_relname(r, s, tn, NULL, "pkey", true);
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
		if (!name) {
			/* the name lists every index column, INCLUDE ones too */
			size_t nk = con->n_keys ? con->n_keys : ncols;
			const char **keys = pgd_schema_alloc(r->m, (nk + con->n_including + 1) *
								       sizeof(*keys));
			const char **k0 = con->n_keys ? string_list(r, con->keys, con->n_keys)
						      : cols;
			for (size_t i = 0; i < nk; i++)
				keys[i] = k0[i];
			const char **inc = string_list(r, con->including, con->n_including);
			for (size_t i = 0; i < con->n_including; i++)
				keys[nk + i] = inc[i];
			char *add = rp_name_addition(keys, nk + con->n_including);
			name = rp_choose_relname(r, s, tn, add, "key", true);
			free(add);
		}
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
		if (!name) {
			const char **keys = con->n_fk_attrs
				? string_list(r, con->fk_attrs, con->n_fk_attrs) : cols;
			char *add = rp_name_addition(keys, con->n_fk_attrs ? con->n_fk_attrs
									   : ncols);
			name = rp_choose_conname(r, s, tn, add, "fkey");
			free(add);
		}
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
		if (!name) {
			char *col = check_column(con->raw_expr);
			name = rp_choose_conname(r, s, tn, col, "check");
			free(col);
		}
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
		if (!name) {
			const char **keys = pgd_schema_alloc(r->m, (con->n_exclusions + 1) *
								       sizeof(*keys));
			size_t nk = 0;
			for (size_t i = 0; i < con->n_exclusions; i++) {
				PgQuery__Node *pair = con->exclusions[i];
				PgQuery__IndexElem *el =
					pair->node_case == PG_QUERY__NODE__NODE_LIST &&
							pair->list->n_items
						? pair->list->items[0]->index_elem : NULL;
				if (el)
					keys[nk++] = el->name && *el->name ? el->name
						   : rp_expr_colname(el->expr);
			}
			char *add = rp_name_addition(keys, nk);
			name = rp_choose_relname(r, s, tn, add, "excl", true);
			free(add);
		}
		break;
	default:
		return rp_error(r, con->location, "unsupported constraint");
	}

	struct pgd_constraint *c = pgd_table_add_constraint(r->m, t, name);
	c->obj.created = r->src;
	struct pgd_nctx ctx = rp_nctx(r, s, tn);
	struct pgd_strbuf err = PGD_STRBUF_INIT;
	if (pgd_norm_constraint(&ctx, r->m, c, con, cols, ncols, &err) < 0) {
		pgd_table_remove_constraint(r->m, t, c);
		rp_error(r, con->location, "%s", err.buf);
		pgd_strbuf_release(&err);
		return -1;
	}
	pgd_strbuf_release(&err);
	for (size_t i = 0; i < c->ncolumns; i++)
		if (c->type != PGD_CON_FOREIGN && c->type != PGD_CON_CHECK &&
		    !column_of(t, c->columns[i])) {
			rp_error(r, con->location,
				 "column \"%s\" named in key does not exist",
				 c->columns[i]);
			pgd_table_remove_constraint(r->m, t, c);
			return -1;
		}
	if (c->type == PGD_CON_PRIMARY || c->type == PGD_CON_UNIQUE)
		add_constraint_index(r, t, c, con);
	else if (c->type == PGD_CON_EXCLUDE)
		add_exclusion_index(r, t, c, con);
	struct pgd_index *cix = c->type == PGD_CON_PRIMARY || c->type == PGD_CON_UNIQUE ||
					c->type == PGD_CON_EXCLUDE
		? pgd_schema_find_index(r->m, s, c->obj.name) : NULL;
	if (cix && cix->table == t) {
		/* the partitions get the constraint and its index too */
		size_t n;
		struct pgd_table **parts = rp_partitions(r, t, &n);
		for (size_t i = 0; i < n && !r->failed; i++)
			clone_index(r, cix, parts[i]);
		free(parts);
	}
	if (c->type == PGD_CON_PRIMARY)
		for (size_t i = 0; i < c->ncolumns; i++) {
			struct pgd_column *col = column_of(t, c->columns[i]);
			if (col)
				col->not_null = true;
		}
	return 0;
}

/* Adds pending constraints in PostgreSQL's order: CHECK constraints are
 * created with the table, then the indexes of PRIMARY KEY and UNIQUE, then
 * FOREIGN KEYs (they need the referenced keys). */
static void add_pending(struct replay *r, struct pgd_table *t,
			struct pending_list *l)
{
	static const PgQuery__ConstrType order[][2] = {
		{ PG_QUERY__CONSTR_TYPE__CONSTR_CHECK, PG_QUERY__CONSTR_TYPE__CONSTR_CHECK },
		{ PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY, PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE },
		{ PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION, PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION },
		{ PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN, PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN },
	};
	for (size_t k = 0; k < PGD_ARRAY_SIZE(order); k++) {
		/* PostgreSQL names the primary key before unique constraints */
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < l->n; i++) {
				PgQuery__ConstrType ct = l->v[i].con->contype;
				if (ct != order[k][pass])
					continue;
				if (pass == 1 && order[k][0] == order[k][1])
					continue;
				add_constraint(r, t, l->v[i].con, l->v[i].column);
			}
	}
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

/* The default expression of a column, canonical, or NULL. */
static const char *canon_default(struct replay *r, struct pgd_table *t,
				 PgQuery__Node **expr, const PgQuery__TypeName *tn)
{
	/* PostgreSQL stores no default for DEFAULT NULL */
	if (*expr && (*expr)->node_case == PG_QUERY__NODE__NODE_A_CONST &&
	    (*expr)->a_const->isnull)
		return NULL;
	if (tn)
		pgd_norm_fold_default(*expr, tn);
	return rp_expr(r, t, expr);
}

/* The collation a COLLATE clause gives a column, quoted as the catalog
 * reader prints it; NULL for none and for "default", which is the type's
 * own collation to the server. */
static const char *collation_of(struct replay *r, const PgQuery__CollateClause *cc)
{
	if (!cc || !cc->n_collname)
		return NULL;
	const char *last = pgd_pgq_str(cc->collname[cc->n_collname - 1]);
	const char *first = pgd_pgq_str(cc->collname[0]);
	if (last && strcmp(last, "default") == 0 &&
	    (cc->n_collname == 1 || (first && strcmp(first, "pg_catalog") == 0)))
		return NULL;
	struct pgd_strbuf cn = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&cn, last ? last : "?");
	const char *res = pgd_schema_strdup(r->m, cn.buf);
	pgd_strbuf_release(&cn);
	return res;
}

static const char *serial_sequence(struct replay *r, struct pgd_table *t,
				   struct pgd_column *c, bool identity)
{
	const char *seq = rp_choose_relname(r, t->obj.schema, t->obj.name,
					    c->obj.name, "seq", false);
	struct pgd_sequence *sq = pgd_schema_add_sequence(r->m, t->obj.schema, seq);
	sq->obj.created = r->src;
	sq->identity = identity;
	struct pgd_strbuf own = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&own, t->obj.schema);
	pgd_strbuf_addch(&own, '.');
	pgd_strbuf_add_ident(&own, t->obj.name);
	pgd_strbuf_addch(&own, '.');
	pgd_strbuf_add_ident(&own, c->obj.name);
	sq->owned_by = pgd_schema_strdup(r->m, own.buf);
	pgd_strbuf_release(&own);
	return seq;
}

/*
 * Adds a column from a ColumnDef; its constraints go to pending (named
 * later, after all columns exist). Returns the column or NULL on error.
 */
static struct pgd_column *add_column(struct replay *r, struct pgd_table *t,
				     PgQuery__ColumnDef *cd,
				     struct pending_list *pending)
{
	if (pgd_table_find_column(t, cd->colname)) {
		rp_error(r, cd->location,
			 "column \"%s\" specified more than once", cd->colname);
		return NULL;
	}
	int serial = 0;
	struct pgd_nctx ctx = rp_nctx(r, t->obj.schema, t->obj.name);
	struct pgd_strbuf err = PGD_STRBUF_INIT;
	char *type = cd->type_name ? pgd_norm_typename(&ctx, cd->type_name,
						       &serial, &err)
				   : NULL;
	if (!type) {
		rp_error(r, cd->location, "column \"%s\": %s", cd->colname,
			 err.len ? err.buf : "no type");
		pgd_strbuf_release(&err);
		return NULL;
	}
	pgd_strbuf_release(&err);
	struct pgd_column *c = pgd_table_add_column(r->m, t, cd->colname);
	c->obj.created = r->src;
	c->type = pgd_schema_strdup(r->m, type);
	free(type);
	if (cd->is_not_null)
		c->not_null = true;
	c->collation = collation_of(r, cd->coll_clause);
	PgQuery__Constraint *last_con = NULL;
	for (size_t i = 0; i < cd->n_constraints; i++) {
		PgQuery__Node *n = cd->constraints[i];
		if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
			continue;
		PgQuery__Constraint *con = n->constraint;
		switch (con->contype) {
		case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
			c->not_null = true;
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
			c->not_null = false;
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
			c->def = canon_default(r, t, &con->raw_expr, cd->type_name);
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
			c->identity = con->generated_when && *con->generated_when == 'a'
					      ? 'a' : 'd';
			c->not_null = true;
			serial_sequence(r, t, c, true);
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
			c->generated = 's';
			c->def = canon_default(r, t, &con->raw_expr, NULL);
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE:
			if (last_con)
				last_con->deferrable = true;
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE:
			if (last_con)
				last_con->deferrable = false;
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED:
			if (last_con)
				last_con->initdeferred = true;
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE:
			if (last_con)
				last_con->initdeferred = false;
			break;
		default:
			pending_add(pending, con, c->obj.name);
			last_con = con;
			break;
		}
	}
	if (serial) {
		const char *seq = serial_sequence(r, t, c, false);
		struct pgd_strbuf d = PGD_STRBUF_INIT, lit = PGD_STRBUF_INIT;
		pgd_strbuf_add_ident(&lit, t->obj.schema);
		pgd_strbuf_addch(&lit, '.');
		pgd_strbuf_add_ident(&lit, seq);
		pgd_strbuf_addstr(&d, "nextval(");
		pgd_strbuf_add_literal(&d, lit.buf);
		pgd_strbuf_addch(&d, ')');
		c->def = pgd_schema_strdup(r->m, d.buf);
		c->not_null = true;
		pgd_strbuf_release(&d);
		pgd_strbuf_release(&lit);
	}
	return c;
}

static void copy_columns(struct replay *r, struct pgd_table *to,
			 const struct pgd_table *from, bool with_defaults)
{
	for (size_t i = 0; i < from->ncolumns; i++) {
		const struct pgd_column *fc = from->columns[i];
		if (pgd_table_find_column(to, fc->obj.name))
			continue;
		struct pgd_column *c = pgd_table_add_column(r->m, to, fc->obj.name);
		c->obj.created = r->src;
		c->type = fc->type;
		c->not_null = fc->not_null;
		c->collation = fc->collation;
		if (with_defaults)
			c->def = fc->def;
		c->generated = with_defaults ? fc->generated : 0;
	}
}

void rp_create_table(struct replay *r, PgQuery__CreateStmt *s)
{
	PgQuery__RangeVar *rv = s->relation;
	const char *schema = rp_rv_schema(r, rv);
	struct pgd_object *existing = pgd_schema_find_rel(r->m, schema, rv->relname);
	if (existing) {
		if (s->if_not_exists) {
			rp_warn(r, rv->location,
				"relation \"%s\" already exists, skipping (IF NOT EXISTS)",
				rv->relname);
			return;
		}
		rp_error(r, rv->location, "relation \"%s\" already exists",
			 rv->relname);
		return;
	}
	struct pgd_table *t = pgd_schema_add_table(r->m, schema, rv->relname);
	t->obj.created = r->src;
	if (rv->relpersistence && *rv->relpersistence == 'u')
		t->unlogged = true;
	if (s->partspec)
		t->relkind = 'p';
	if (s->of_typename) {
		t->columns_unknown = true;
		rp_unmodeled(r, "CREATE TABLE OF", "typed tables are not modeled");
	}

	struct pgd_table *part_parent = NULL;
	/* inherited columns come first */
	for (size_t i = 0; i < s->n_inh_relations; i++) {
		PgQuery__Node *n = s->inh_relations[i];
		if (n->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
			continue;
		struct pgd_table *parent = rp_table(r, n->range_var, false);
		if (!parent)
			return;
		copy_columns(r, t, parent, true);
		if (s->partbound) {
			part_parent = parent;
			struct pgd_strbuf pn = PGD_STRBUF_INIT;
			pgd_strbuf_add_ident(&pn, parent->obj.schema);
			pgd_strbuf_addch(&pn, '.');
			pgd_strbuf_add_ident(&pn, parent->obj.name);
			t->partition_of = pgd_schema_strdup(r->m, pn.buf);
			pgd_strbuf_release(&pn);
		}
	}

	struct pending_list pending = { 0 };
	for (size_t i = 0; i < s->n_table_elts; i++) {
		PgQuery__Node *n = s->table_elts[i];
		switch (n->node_case) {
		case PG_QUERY__NODE__NODE_COLUMN_DEF: {
			PgQuery__ColumnDef *cd = n->column_def;
			struct pgd_column *inh = pgd_table_find_column(t, cd->colname);
			if (inh && (s->n_inh_relations || s->partbound)) {
				/* a partition or child restating an inherited column */
				for (size_t k = 0; k < cd->n_constraints; k++) {
					PgQuery__Constraint *con =
						cd->constraints[k]->constraint;
					if (!con)
						continue;
					if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL)
						inh->not_null = true;
					else if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT)
						inh->def = canon_default(r, t, &con->raw_expr,
									 NULL);
					else
						pending_add(&pending, con, inh->obj.name);
				}
				break;
			}
			add_column(r, t, cd, &pending);
			break;
		}
		case PG_QUERY__NODE__NODE_CONSTRAINT:
			pending_add(&pending, n->constraint, NULL);
			break;
		case PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE: {
			PgQuery__TableLikeClause *lc = n->table_like_clause;
			struct pgd_table *src = rp_table(r, lc->relation, true);
			if (!src || src->columns_unknown) {
				t->columns_unknown = true;
				rp_unmodeled(r, "CREATE TABLE LIKE",
					     "the table it copies is not in the model");
				break;
			}
			/* CREATE_TABLE_LIKE_DEFAULTS is bit 1 << 3 in PostgreSQL 15 */
			copy_columns(r, t, src, (lc->options & (1u << 3)) ||
						       lc->options == 0x7FFFFFFF);
			break;
		}
		default:
			break;
		}
	}
	add_pending(r, t, &pending);
	if (part_parent && !r->failed)
		clone_indexes(r, part_parent, t, false);
}

/* ---- ALTER TABLE */

static bool is_fk_to(const struct pgd_constraint *c, const struct pgd_table *t)
{
	return c->type == PGD_CON_FOREIGN && c->ref_table &&
	       strcmp(c->ref_table, t->obj.name) == 0 &&
	       strcmp(c->ref_schema, t->obj.schema) == 0;
}

static bool in_list(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool same_set(const char *const *a, size_t na, const char *const *b,
		     size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!in_list(b, nb, a[i]))
			return false;
	return true;
}

/* The index a FOREIGN KEY to t depends on: as transformFkeyCheckAttrs()
 * picks it, the first plain unique index on exactly its referenced
 * columns. */
static const struct pgd_index *fk_index(const struct pgd_constraint *fk,
					const struct pgd_table *t)
{
	for (size_t i = 0; i < t->nindexes; i++) {
		const struct pgd_index *ix = t->indexes[i];
		if (ix->unique && !ix->has_exprs &&
		    same_set(ix->columns, ix->ncolumns, fk->ref_columns,
			     fk->nref_columns))
			return ix;
	}
	return NULL;
}

struct deps {
	struct pgd_table **fk_tables;     /* the table of each foreign key */
	struct pgd_constraint **fks;
	size_t nfks, afks;
	struct pgd_view **views;
	size_t nviews, aviews;
};

static void deps_release(struct deps *d)
{
	free(d->fk_tables);
	free(d->fks);
	free(d->views);
}

/* Foreign keys that depend on index ix of t. */
static void fk_deps_on_index(struct replay *r, const struct pgd_table *t,
			     const struct pgd_index *ix, struct deps *d)
{
	for (size_t i = 0; i < r->m->ntables; i++) {
		struct pgd_table *o = r->m->tables[i];
		for (size_t k = 0; k < o->nconstraints; k++) {
			struct pgd_constraint *c = o->constraints[k];
			if (!is_fk_to(c, t) || fk_index(c, t) != ix)
				continue;
			PGD_GROW(d->fks, d->afks, d->nfks + 1);
			d->fk_tables = pgd_xreallocarray(d->fk_tables, d->afks,
							 sizeof(*d->fk_tables));
			d->fk_tables[d->nfks] = o;
			d->fks[d->nfks++] = c;
		}
	}
}

/* Drops what depends on an object being dropped with CASCADE. */
static void drop_deps(struct replay *r, struct deps *d)
{
	for (size_t i = 0; i < d->nfks; i++) {
		struct pgd_table *o = d->fk_tables[i];
		pgd_schema_add_tombstone(r->m, PGD_CONSTRAINT, o->obj.schema,
					 o->obj.name, d->fks[i]->obj.name, &r->src);
		pgd_table_remove_constraint(r->m, o, d->fks[i]);
	}
	for (size_t i = 0; i < d->nviews; i++) {
		bool still = false; /* a view dropped with another goes once */
		for (size_t k = 0; k < r->m->nviews && !still; k++)
			still = r->m->views[k] == d->views[i];
		if (still)
			rp_drop_view(r, d->views[i]);
	}
}

int rp_drop_index_deps(struct replay *r, struct pgd_index *ix, bool cascade,
		       const char *what)
{
	struct deps d = { 0 };
	fk_deps_on_index(r, ix->table, ix, &d);
	int rc = 0;
	if (d.nfks && !cascade)
		rc = rp_error(r, -1, "cannot drop %s because other objects depend on it",
			      what);
	else
		drop_deps(r, &d);
	deps_release(&d);
	return rc;
}

static void drop_column(struct replay *r, struct pgd_table *t,
			struct pgd_column *c, bool cascade)
{
	const char *name = c->obj.name;
	/* what depends on the column: foreign keys referencing it (through
	 * the key index that goes with it) and views using it */
	struct deps d = { 0 };
	for (size_t i = 0; i < t->nindexes; i++)
		if (in_list(t->indexes[i]->columns, t->indexes[i]->ncolumns, name))
			fk_deps_on_index(r, t, t->indexes[i], &d);
	for (size_t i = d.nfks; i-- > 0;)
		if (d.fk_tables[i] == t &&
		    in_list(d.fks[i]->columns, d.fks[i]->ncolumns, name)) {
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
		if (in_list(v->read_columns, v->nread_columns, col.buf)) {
			PGD_GROW(d.views, d.aviews, d.nviews + 1);
			d.views[d.nviews++] = v;
		}
	}
	pgd_strbuf_release(&col);
	if ((d.nfks || d.nviews) && !cascade) {
		rp_error(r, -1, "cannot drop column %s of table %s because other "
			 "objects depend on it", name, t->obj.name);
		deps_release(&d);
		return;
	}
	drop_deps(r, &d);
	deps_release(&d);
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
	touch(r, &t->obj);
}

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
		struct pgd_column *c = add_column(r, t, cd, &pending);
		if (c) {
			copy_column_down(r, t, c);
			add_pending(r, t, &pending);
		}
		free(pending.v);
		touch(r, &t->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumnRecurse: {
		struct pgd_column *c = need_column(r, t, cmd->name, cmd->missing_ok);
		if (c)
			drop_column(r, t, c, cmd->behavior ==
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
			touch(r, &c->obj);
		}
		if (cd->coll_clause && cd->coll_clause->n_collname)
			c->collation = collation_of(r, cd->coll_clause);
		free(type);
		pgd_strbuf_release(&err);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault: {
		struct pgd_column *c = need_column(r, t, cmd->name, false);
		if (!c)
			break;
		c->def = cmd->def ? canon_default(r, t, &cmd->def, NULL) : NULL;
		touch(r, &c->obj);
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
				    in_list(t->constraints[i]->columns,
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
		touch(r, &c->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse:
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			add_constraint(r, t, cmd->def->constraint, NULL);
		touch(r, &t->obj);
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
		touch(r, &t->obj);
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
		touch(r, &c->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity:
		t->rls_enabled = true;
		t->rls_set = true;
		touch(r, &t->obj);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity:
		t->rls_enabled = false;
		t->rls_set = true;
		touch(r, &t->obj);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ForceRowSecurity:
		t->rls_forced = true;
		t->rls_set = true;
		touch(r, &t->obj);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity:
		t->rls_forced = false;
		t->rls_set = true;
		touch(r, &t->obj);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
		if (cmd->newowner && cmd->newowner->rolename)
			t->owner = pgd_schema_strdup(r->m, cmd->newowner->rolename);
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
		serial_sequence(r, t, c, true);
		touch(r, &c->obj);
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
		touch(r, &c->obj);
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
		touch(r, &c->obj);
		break;
	}
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression: {
		struct pgd_column *c = need_column(r, t, cmd->name, cmd->missing_ok);
		if (c && c->generated) {
			c->generated = 0;
			c->def = NULL;
			touch(r, &c->obj);
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
			touch(r, &child->obj);
			clone_indexes(r, t, child, true);
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
			touch(r, &child->obj);
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
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
		break;
	default:
		rp_unmodeled(r, "ALTER TABLE", "this ALTER TABLE action is not replayed");
		break;
	}
}

void rp_alter_table(struct replay *r, PgQuery__AlterTableStmt *s)
{
	if (s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
		/* ALTER INDEX/VIEW/SEQUENCE ... SET (...) and the like */
		if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW ||
		    s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW ||
		    s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX ||
		    s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE)
			return;
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

/* ---- CREATE INDEX */

/* ChooseIndexColumnNames() joined like ChooseIndexNameAddition(): the name
 * given, or the column, or for an expression what FigureIndexColname()
 * makes of it (a copy on a partition is named the same way). Malloc'd. */
static char *index_name_addition(struct replay *r, const PgQuery__IndexStmt *s)
{
	size_t n = s->n_index_params + s->n_index_including_params;
	const char **all = pgd_schema_alloc(r->m, (n + 1) * sizeof(*all));
	for (size_t i = 0; i < s->n_index_params; i++) {
		PgQuery__IndexElem *el = s->index_params[i]->index_elem;
		if (el && el->indexcolname && *el->indexcolname)
			all[i] = el->indexcolname;
		else if (el && el->name && *el->name)
			all[i] = el->name;
		else
			all[i] = el ? rp_expr_colname(el->expr) : "expr";
	}
	for (size_t i = 0; i < s->n_index_including_params; i++) {
		PgQuery__IndexElem *el = s->index_including_params[i]->index_elem;
		all[s->n_index_params + i] = el && el->name && *el->name ? el->name
									 : "expr";
	}
	return rp_name_addition(all, n);
}

/* ChooseIndexName(): contype is 0 for a plain index, else the constraint
 * type the index backs. */
static const char *choose_index_name(struct replay *r, const struct pgd_table *t,
				     const char *add, char contype)
{
	if (contype == PGD_CON_PRIMARY)
		return rp_choose_relname(r, t->obj.schema, t->obj.name, NULL, "pkey",
					 true);
	return rp_choose_relname(r, t->obj.schema, t->obj.name, add,
				 contype == PGD_CON_UNIQUE ? "key"
				 : contype == PGD_CON_EXCLUDE ? "excl" : "idx",
				 contype != 0);
}

/* name must not be s->idxname itself */
static void set_idxname(PgQuery__IndexStmt *s, const char *name)
{
	if (s->idxname != protobuf_c_empty_string)
		free(s->idxname);
	s->idxname = pgd_xstrdup(name);
}

/* Adds index name to t from s (rewritten in place, its idxname set to
 * name). Returns the index, or NULL after reporting. */
static struct pgd_index *make_index(struct replay *r, struct pgd_table *t,
				    PgQuery__IndexStmt *s, const char *name)
{
	struct pgd_index *ix = pgd_table_add_index(r->m, t, name);
	ix->obj.created = r->src;
	ix->unique = s->unique;
	size_t ncols = 0;
	const char **cols = pgd_schema_alloc(r->m, (s->n_index_params + 1) *
							   sizeof(*cols));
	for (size_t i = 0; i < s->n_index_params; i++) {
		PgQuery__IndexElem *el = s->index_params[i]->index_elem;
		if (el && el->name && *el->name) {
			if (!pgd_table_find_column(t, el->name)) {
				rp_error(r, -1, "column \"%s\" does not exist", el->name);
				pgd_table_remove_index(r->m, t, ix);
				return NULL;
			}
			cols[ncols++] = pgd_schema_strdup(r->m, el->name);
		} else {
			ix->has_exprs = true;
		}
	}
	ix->columns = cols;
	ix->ncolumns = ncols;
	if (s->where_clause)
		ix->has_exprs = true;
	/* the stored definition always carries the chosen name */
	set_idxname(s, name);
	struct pgd_nctx ctx = rp_nctx(r, t->obj.schema, t->obj.name);
	struct pgd_strbuf err = PGD_STRBUF_INIT;
	char *def = pgd_norm_index_stmt(&ctx, s, &err);
	if (!def) {
		rp_error(r, -1, "%s", err.buf);
		pgd_table_remove_index(r->m, t, ix);
		ix = NULL;
	} else {
		ix->def = pgd_schema_strdup(r->m, def);
	}
	free(def);
	pgd_strbuf_release(&err);
	return ix;
}

/* Whether c is a partition of t. */
static bool partition_of(const struct pgd_table *c, const struct pgd_table *t)
{
	if (!c->partition_of)
		return false;
	struct pgd_strbuf pn = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&pn, t->obj.schema);
	pgd_strbuf_addch(&pn, '.');
	pgd_strbuf_add_ident(&pn, t->obj.name);
	bool res = strcmp(c->partition_of, pn.buf) == 0;
	pgd_strbuf_release(&pn);
	return res;
}

struct pgd_table **rp_partitions(struct replay *r, const struct pgd_table *t,
				 size_t *n)
{
	struct pgd_table **v = pgd_xmalloc((r->m->ntables + 1) * sizeof(*v));
	*n = 0;
	for (size_t i = 0; t->relkind == 'p' && i < r->m->ntables; i++)
		if (partition_of(r->m->tables[i], t))
			v[(*n)++] = r->m->tables[i];
	return v;
}

/* CREATE INDEX on a partitioned table (without ONLY) creates one on each
 * partition, named for the partition, and so on down. */
static void index_partitions(struct replay *r, struct pgd_table *t,
			     PgQuery__IndexStmt *s, const char *add)
{
	size_t n;
	struct pgd_table **parts = rp_partitions(r, t, &n);
	for (size_t i = 0; i < n && !r->failed; i++) {
		const char *name = choose_index_name(r, parts[i], add, 0);
		if (make_index(r, parts[i], s, name))
			index_partitions(r, parts[i], s, add);
	}
	free(parts);
}

/* Parses a canonical CREATE INDEX text of the model. The caller frees the
 * result with pg_query__parse_result__free_unpacked. */
static PgQuery__ParseResult *parse_index_def(const char *def)
{
	PgQueryProtobufParseResult pr = pg_query_parse_protobuf(def);
	PgQuery__ParseResult *tree = NULL;
	if (!pr.error)
		tree = pg_query__parse_result__unpack(NULL, pr.parse_tree.len,
						      (const uint8_t *)pr.parse_tree.data);
	pg_query_free_protobuf_parse_result(pr);
	if (!tree || tree->n_stmts != 1 || !tree->stmts[0]->stmt ||
	    tree->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_INDEX_STMT)
		PGD_BUG("an index definition of the model does not parse: %s", def);
	return tree;
}

/*
 * A partition gets a copy of each index of its parent (when it is created
 * or attached, or when the parent's index is), as generateClonedIndexStmt()
 * makes it: named for the partition, and for an index that backs a
 * PRIMARY KEY or UNIQUE constraint, with a constraint of the same name.
 */
static void clone_index(struct replay *r, const struct pgd_index *pix,
			struct pgd_table *child)
{
	const struct pgd_constraint *pc =
		pix->constraint ? pgd_table_find_constraint(pix->table, pix->constraint)
				: NULL;
	PgQuery__ParseResult *tree = parse_index_def(pix->def);
	PgQuery__IndexStmt *is = tree->stmts[0]->stmt->index_stmt;
	char *add = index_name_addition(r, is);
	const char *name = choose_index_name(r, child, add, pc ? (char)pc->type : 0);
	free(add);
	struct pgd_index *ix = make_index(r, child, is, name);
	pg_query__parse_result__free_unpacked(tree, NULL);
	if (!ix)
		return;
	ix->unique = pix->unique;
	ix->primary = pix->primary;
	if (pc) {
		struct pgd_constraint *c = pgd_table_add_constraint(r->m, child, name);
		c->obj.created = r->src;
		c->type = pc->type;
		c->def = pc->def;
		c->columns = pc->columns;
		c->ncolumns = pc->ncolumns;
		c->validated = pc->validated;
		ix->constraint = c->obj.name;
		for (size_t i = 0; c->type == PGD_CON_PRIMARY && i < c->ncolumns; i++) {
			struct pgd_column *col = column_of(child, c->columns[i]);
			if (col)
				col->not_null = true;
		}
	}
	size_t n;
	struct pgd_table **parts = rp_partitions(r, child, &n);
	for (size_t i = 0; i < n && !r->failed; i++)
		clone_index(r, ix, parts[i]);
	free(parts);
}

struct pgd_index *rp_matching_index(struct replay *r, const struct pgd_index *pix,
				    const struct pgd_table *child)
{
	struct pgd_index *found = NULL;
	for (size_t i = 0; i < child->nindexes && !found; i++) {
		struct pgd_index *cix = child->indexes[i];
		if ((cix->constraint != NULL) != (pix->constraint != NULL) ||
		    cix->unique != pix->unique || !cix->def)
			continue;
		PgQuery__ParseResult *tree = parse_index_def(pix->def);
		PgQuery__IndexStmt *is = tree->stmts[0]->stmt->index_stmt;
		set_idxname(is, cix->obj.name);
		struct pgd_nctx ctx = rp_nctx(r, child->obj.schema, child->obj.name);
		struct pgd_strbuf err = PGD_STRBUF_INIT;
		char *def = pgd_norm_index_stmt(&ctx, is, &err);
		if (def && strcmp(def, cix->def) == 0)
			found = cix;
		free(def);
		pgd_strbuf_release(&err);
		pg_query__parse_result__free_unpacked(tree, NULL);
	}
	return found;
}

/* A new or attached partition child of parent gets its parent's indexes. */
static void clone_indexes(struct replay *r, const struct pgd_table *parent,
			  struct pgd_table *child, bool attach)
{
	size_t n = parent->nindexes;
	for (size_t i = 0; i < n && !r->failed; i++) {
		const struct pgd_index *pix = parent->indexes[i];
		if (!pix->def || (attach && rp_matching_index(r, pix, child)))
			continue;
		clone_index(r, pix, child);
	}
}

void rp_create_index(struct replay *r, PgQuery__IndexStmt *s)
{
	struct pgd_table *t = rp_table(r, s->relation, false);
	if (!t)
		return;
	/* in the model's arena: make_index replaces s->idxname */
	const char *name = s->idxname && *s->idxname
		? pgd_schema_strdup(r->m, s->idxname) : NULL;
	if (name && pgd_schema_find_rel(r->m, t->obj.schema, name)) {
		if (s->if_not_exists) {
			rp_warn(r, -1, "relation \"%s\" already exists, skipping "
				       "(IF NOT EXISTS)", name);
			return;
		}
		rp_error(r, -1, "relation \"%s\" already exists", name);
		return;
	}
	/* the partitions' indexes are named from the statement as written */
	char *add = index_name_addition(r, s);
	bool only = !s->relation->inh;
	if (!name)
		name = choose_index_name(r, t, add, s->primary ? PGD_CON_PRIMARY
					 : s->isconstraint ? PGD_CON_UNIQUE : 0);
	if (make_index(r, t, s, name) && !only)
		index_partitions(r, t, s, add);
	free(add);
}

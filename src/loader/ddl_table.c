/*
 * ddl_table.c - CREATE TABLE replay and the columns and constraints it
 * (and ALTER TABLE, ddl_alter_table.c) adds, with PostgreSQL 15's implicit
 * objects: serial sequences, primary key and unique indexes, and the names
 * it gives unnamed constraints.
 */
#include <string.h>

#include "replay.h"

/* ---- helpers */

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

/*
 * Adds one constraint to t, choosing its name the way PostgreSQL does when
 * it has none. column is the column of a column constraint, or NULL.
 */
int rp_add_constraint(struct replay *r, struct pgd_table *t,
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
		/* NULLS NOT DISTINCT is the index's (pg_get_indexdef() prints
		 * it right after the key list) */
		if (c->type == PGD_CON_UNIQUE && ix->def &&
		    strstr(ix->def, ") NULLS NOT DISTINCT")) {
			pgd_strbuf_reset(&def);
			pgd_strbuf_addstr(&def, "UNIQUE NULLS NOT DISTINCT (");
		}
		for (size_t i = 0; i < c->ncolumns; i++) {
			if (i)
				pgd_strbuf_addstr(&def, ", ");
			pgd_strbuf_add_ident(&def, c->columns[i]);
		}
		pgd_strbuf_addch(&def, ')');
		/* the attributes are the constraint's, whatever the index */
		if (con->deferrable)
			pgd_strbuf_addstr(&def, " DEFERRABLE");
		if (con->initdeferred)
			pgd_strbuf_addstr(&def, " INITIALLY DEFERRED");
		c->def = pgd_schema_strdup(r->m, def.buf);
		pgd_strbuf_release(&def);
		if (strcmp(ix->obj.name, name) != 0)
			rp_rename_index(r, ix, name);
		ix->constraint = c->obj.name;
		ix->primary = c->type == PGD_CON_PRIMARY;
		rp_touch(r, &ix->obj);
		if (ix->primary)
			for (size_t i = 0; i < c->ncolumns; i++) {
				struct pgd_column *col = rp_column_of(t, c->columns[i]);
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
		    !rp_column_of(t, c->columns[i])) {
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
			rp_clone_index(r, cix, parts[i]);
		free(parts);
	}
	if (c->type == PGD_CON_PRIMARY)
		for (size_t i = 0; i < c->ncolumns; i++) {
			struct pgd_column *col = rp_column_of(t, c->columns[i]);
			if (col)
				col->not_null = true;
		}
	return 0;
}

/* A PRIMARY KEY or UNIQUE on plain columns that a repeat can merge with:
 * not USING INDEX, no INCLUDE, no index options. */
static bool plain_key(const PgQuery__Constraint *con)
{
	return !(con->indexname && *con->indexname) && !con->n_including &&
	       !con->n_options && !con->where_clause;
}

/* Whether two pending PRIMARY KEY/UNIQUE constraints index the same key
 * the same way (columns in order, NULLS NOT DISTINCT, deferrability). */
static bool same_key(const struct pending *a, const struct pending *b)
{
	const PgQuery__Constraint *x = a->con, *y = b->con;
	size_t nx = x->n_keys ? x->n_keys : a->column != NULL;
	size_t ny = y->n_keys ? y->n_keys : b->column != NULL;
	if (nx != ny || !nx || x->nulls_not_distinct != y->nulls_not_distinct ||
	    x->deferrable != y->deferrable || x->initdeferred != y->initdeferred)
		return false;
	for (size_t i = 0; i < nx; i++) {
		const char *kx = x->n_keys ? pgd_pgq_str(x->keys[i]) : a->column;
		const char *ky = y->n_keys ? pgd_pgq_str(y->keys[i]) : b->column;
		if (!kx || !ky || strcmp(kx, ky))
			return false;
	}
	return true;
}

/* Adds pending constraints in PostgreSQL's order: CHECK constraints are
 * created with the table, then the indexes of PRIMARY KEY and UNIQUE, then
 * FOREIGN KEYs (they need the referenced keys). */
void rp_add_pending(struct replay *r, struct pgd_table *t,
		    struct pending_list *l)
{
	static const PgQuery__ConstrType order[][2] = {
		{ PG_QUERY__CONSTR_TYPE__CONSTR_CHECK, PG_QUERY__CONSTR_TYPE__CONSTR_CHECK },
		{ PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY, PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE },
		{ PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION, PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION },
		{ PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN, PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN },
	};
	/* a UNIQUE that repeats the primary key (or an earlier UNIQUE) of
	 * the same statement makes no second index: PostgreSQL drops it and,
	 * when the kept one has no name, gives it the dropped one's */
	const char **rename = pgd_xcalloc(l->n ? l->n : 1, sizeof(*rename));
	bool *dropped = pgd_xcalloc(l->n ? l->n : 1, sizeof(*dropped));
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < l->n; i++) {
			PgQuery__Constraint *ci = l->v[i].con;
			if (ci->contype != (pass ? PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE
						 : PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) ||
			    !plain_key(ci))
				continue;
			for (int ppass = 0; ppass <= pass; ppass++)
				for (size_t j = 0; j < l->n && !dropped[i]; j++) {
					PgQuery__Constraint *cj = l->v[j].con;
					if (j == i || dropped[j] || !plain_key(cj) ||
					    cj->contype != (ppass ? PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE
								  : PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) ||
					    (ppass == pass && j > i) ||
					    !same_key(&l->v[i], &l->v[j]))
						continue;
					dropped[i] = true;
					bool unnamed = !(rename[j] || (cj->conname && *cj->conname));
					if (unnamed && ci->conname && *ci->conname)
						rename[j] = ci->conname;
				}
		}
	for (size_t k = 0; k < PGD_ARRAY_SIZE(order); k++) {
		/* PostgreSQL names the primary key before unique constraints */
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < l->n; i++) {
				PgQuery__ConstrType ct = l->v[i].con->contype;
				if (ct != order[k][pass] || dropped[i])
					continue;
				if (pass == 1 && order[k][0] == order[k][1])
					continue;
				/* the tree keeps owning its strings */
				char *own = l->v[i].con->conname;
				if (rename[i])
					l->v[i].con->conname = (char *)rename[i];
				rp_add_constraint(r, t, l->v[i].con, l->v[i].column);
				l->v[i].con->conname = own;
			}
	}
	free(rename);
	free(dropped);
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

/* The default expression of a column, canonical, or NULL. */
const char *rp_canon_default(struct replay *r, struct pgd_table *t,
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
const char *rp_collation_of(struct replay *r, const PgQuery__CollateClause *cc)
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

const char *rp_serial_sequence(struct replay *r, struct pgd_table *t,
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
struct pgd_column *rp_add_column(struct replay *r, struct pgd_table *t,
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
	c->collation = rp_collation_of(r, cd->coll_clause);
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
			c->def = rp_canon_default(r, t, &con->raw_expr, cd->type_name);
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
			c->identity = con->generated_when && *con->generated_when == 'a'
					      ? 'a' : 'd';
			c->not_null = true;
			rp_serial_sequence(r, t, c, true);
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
			c->generated = 's';
			c->def = rp_canon_default(r, t, &con->raw_expr, NULL);
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
		const char *seq = rp_serial_sequence(r, t, c, false);
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
						inh->def = rp_canon_default(r, t, &con->raw_expr,
									    NULL);
					else
						pending_add(&pending, con, inh->obj.name);
				}
				break;
			}
			rp_add_column(r, t, cd, &pending);
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
	rp_add_pending(r, t, &pending);
	if (part_parent && !r->failed)
		rp_clone_indexes(r, part_parent, t, false);
}

/*
 * constraint.c - constraints in the form pg_get_constraintdef() prints them
 * with an empty search_path. The loader feeds Constraint nodes from CREATE
 * and ALTER TABLE; the catalog reader feeds the server's own text parsed
 * back; both end here.
 */
#include <string.h>

#include "pgdrift/platform.h"
#include "pgdrift/strbuf.h"
#include "pgq.h"

static void add_col_list(struct pgd_strbuf *sb, const char *const *cols,
			 size_t n)
{
	pgd_strbuf_addch(sb, '(');
	for (size_t i = 0; i < n; i++) {
		if (i)
			pgd_strbuf_addstr(sb, ", ");
		pgd_strbuf_add_ident(sb, cols[i]);
	}
	pgd_strbuf_addch(sb, ')');
}

/* Copies the String nodes of list into the model; NULL on a non-string. */
static const char **names_of(struct pgd_schema *m, PgQuery__Node **list,
			     size_t n)
{
	const char **v = pgd_schema_alloc(m, (n ? n : 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		const char *s = pgd_pgq_str(list[i]);
		if (!s)
			return NULL;
		v[i] = pgd_schema_strdup(m, s);
	}
	return v;
}

static const char *fk_action(const char *a)
{
	switch (a && *a ? *a : 'a') {
	case 'r': return "RESTRICT";
	case 'c': return "CASCADE";
	case 'n': return "SET NULL";
	case 'd': return "SET DEFAULT";
	default: return NULL; /* NO ACTION is not printed */
	}
}

static void add_deferrable(struct pgd_strbuf *sb, const PgQuery__Constraint *con)
{
	if (con->deferrable)
		pgd_strbuf_addstr(sb, " DEFERRABLE");
	if (con->initdeferred)
		pgd_strbuf_addstr(sb, " INITIALLY DEFERRED");
}

/* The primary key columns of table t, or NULL. */
static struct pgd_constraint *primary_key(const struct pgd_table *t)
{
	for (size_t i = 0; t && i < t->nconstraints; i++)
		if (t->constraints[i]->type == PGD_CON_PRIMARY)
			return t->constraints[i];
	return NULL;
}

int pgd_norm_constraint(const struct pgd_nctx *ctx, struct pgd_schema *m,
			struct pgd_constraint *c, PgQuery__Constraint *con,
			const char *const *cols, size_t ncols,
			struct pgd_strbuf *err)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	const char **keys = NULL;
	size_t nkeys = 0;

	switch (con->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
	case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
		c->type = con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY
				  ? PGD_CON_PRIMARY : PGD_CON_UNIQUE;
		if (con->n_keys) {
			keys = names_of(m, con->keys, con->n_keys);
			nkeys = con->n_keys;
		} else {
			keys = pgd_schema_alloc(m, (ncols ? ncols : 1) * sizeof(*keys));
			for (size_t i = 0; i < ncols; i++)
				keys[i] = pgd_schema_strdup(m, cols[i]);
			nkeys = ncols;
		}
		if (!keys || !nkeys) {
			pgd_strbuf_addstr(err, "constraint has no columns");
			return -1;
		}
		pgd_strbuf_addstr(&sb, c->type == PGD_CON_PRIMARY ? "PRIMARY KEY "
								  : "UNIQUE ");
		if (con->nulls_not_distinct)
			pgd_strbuf_addstr(&sb, "NULLS NOT DISTINCT ");
		add_col_list(&sb, keys, nkeys);
		if (con->n_including) {
			const char **inc = names_of(m, con->including,
						    con->n_including);
			if (inc) {
				pgd_strbuf_addstr(&sb, " INCLUDE ");
				add_col_list(&sb, inc, con->n_including);
			}
		}
		add_deferrable(&sb, con);
		break;

	case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: {
		c->type = PGD_CON_FOREIGN;
		if (con->n_fk_attrs) {
			keys = names_of(m, con->fk_attrs, con->n_fk_attrs);
			nkeys = con->n_fk_attrs;
		} else {
			keys = pgd_schema_alloc(m, (ncols ? ncols : 1) * sizeof(*keys));
			for (size_t i = 0; i < ncols; i++)
				keys[i] = pgd_schema_strdup(m, cols[i]);
			nkeys = ncols;
		}
		PgQuery__RangeVar *pk = con->pktable;
		if (!keys || !nkeys || !pk) {
			pgd_strbuf_addstr(err, "foreign key has no columns");
			return -1;
		}
		const char *rs = pk->schemaname && *pk->schemaname
					 ? pk->schemaname : NULL;
		if (!rs)
			rs = pgd_norm_resolve_rel(ctx, pk->relname);
		if (!rs)
			rs = pgd_norm_creation_schema(ctx);
		c->ref_schema = pgd_schema_strdup(m, rs);
		c->ref_table = pgd_schema_strdup(m, pk->relname);
		if (con->n_pk_attrs) {
			c->ref_columns = names_of(m, con->pk_attrs, con->n_pk_attrs);
			c->nref_columns = con->n_pk_attrs;
		} else {
			struct pgd_table *rt =
				pgd_schema_find_table(m, rs, pk->relname);
			struct pgd_constraint *pkc = primary_key(rt);
			const char *pkey = pkc ? NULL
					       : pgd_platform_table_key(rs, pk->relname);
			if (!pkc && pkey) {
				/* `references auth.users`: the platform's key */
				size_t n = 1;
				for (const char *p = pkey; *p; p++)
					n += *p == ',';
				c->ref_columns = pgd_schema_alloc(m, n * sizeof(*c->ref_columns));
				c->nref_columns = 0;
				for (const char *p = pkey; *p;) {
					while (*p == ' ' || *p == ',')
						p++;
					size_t len = strcspn(p, ",");
					if (len)
						c->ref_columns[c->nref_columns++] =
							pgd_schema_strndup(m, p, len);
					p += len;
				}
			} else if (!pkc) {
				pgd_strbuf_addf(err,
					"foreign key references %s.%s without columns, "
					"and that table has no known primary key",
					rs, pk->relname);
				return -1;
			}
			if (pkc) {
				c->ref_columns = pkc->columns;
				c->nref_columns = pkc->ncolumns;
			}
		}
		pgd_strbuf_addstr(&sb, "FOREIGN KEY ");
		add_col_list(&sb, keys, nkeys);
		pgd_strbuf_addstr(&sb, " REFERENCES ");
		pgd_strbuf_add_ident(&sb, c->ref_schema);
		pgd_strbuf_addch(&sb, '.');
		pgd_strbuf_add_ident(&sb, c->ref_table);
		add_col_list(&sb, c->ref_columns, c->nref_columns);
		if (con->fk_matchtype && *con->fk_matchtype == 'f')
			pgd_strbuf_addstr(&sb, " MATCH FULL");
		const char *upd = fk_action(con->fk_upd_action);
		const char *del = fk_action(con->fk_del_action);
		if (upd)
			pgd_strbuf_addf(&sb, " ON UPDATE %s", upd);
		if (del) {
			pgd_strbuf_addf(&sb, " ON DELETE %s", del);
			if (con->n_fk_del_set_cols) {
				const char **sc = names_of(m, con->fk_del_set_cols,
							   con->n_fk_del_set_cols);
				if (sc) {
					pgd_strbuf_addch(&sb, ' ');
					add_col_list(&sb, sc, con->n_fk_del_set_cols);
				}
			}
		}
		add_deferrable(&sb, con);
		break;
	}

	case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: {
		c->type = PGD_CON_CHECK;
		char *e = pgd_norm_expr(ctx, &con->raw_expr, err);
		if (!e)
			return -1;
		pgd_strbuf_addf(&sb, "CHECK (%s)", e);
		free(e);
		if (con->is_no_inherit)
			pgd_strbuf_addstr(&sb, " NO INHERIT");
		break;
	}

	case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: {
		c->type = PGD_CON_EXCLUDE;
		pgd_strbuf_addf(&sb, "EXCLUDE USING %s (",
				con->access_method && *con->access_method
					? con->access_method : "btree");
		for (size_t i = 0; i < con->n_exclusions; i++) {
			PgQuery__Node *pair = con->exclusions[i];
			if (pair->node_case != PG_QUERY__NODE__NODE_LIST ||
			    pair->list->n_items != 2)
				continue;
			PgQuery__Node *el = pair->list->items[0];
			PgQuery__Node *op = pair->list->items[1];
			if (i)
				pgd_strbuf_addstr(&sb, ", ");
			if (el->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM &&
			    el->index_elem->name && *el->index_elem->name)
				pgd_strbuf_add_ident(&sb, el->index_elem->name);
			else
				pgd_strbuf_addstr(&sb, "?");
			pgd_strbuf_addstr(&sb, " WITH ");
			const char *opname =
				op->node_case == PG_QUERY__NODE__NODE_LIST &&
						op->list->n_items
					? pgd_pgq_str(op->list->items[op->list->n_items - 1])
					: NULL;
			pgd_strbuf_addstr(&sb, opname ? opname : "?");
		}
		pgd_strbuf_addch(&sb, ')');
		if (con->where_clause) {
			char *e = pgd_norm_expr(ctx, &con->where_clause, err);
			if (!e)
				return -1;
			pgd_strbuf_addf(&sb, " WHERE (%s)", e);
			free(e);
		}
		add_deferrable(&sb, con);
		break;
	}

	default:
		pgd_strbuf_addstr(err, "unsupported constraint type");
		return -1;
	}
	c->columns = keys;
	c->ncolumns = nkeys;
	c->validated = !con->skip_validation;
	c->def = pgd_schema_strdup(m, sb.buf);
	pgd_strbuf_release(&sb);
	return 0;
}

/*
 * ddl_index.c - CREATE INDEX replay, with PostgreSQL 15's index names,
 * and the copies of its indexes a partition gets when it is created or
 * attached (used by ddl_table.c, ddl_alter_table.c and ddl_drop.c).
 */
#include <string.h>

#include "../normalize/pb.h"
#include "replay.h"

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
 * result with pgd_pb_free. */
static PgQuery__ParseResult *parse_index_def(const char *def)
{
	PgQueryProtobufParseResult pr;
	PgQuery__ParseResult *tree = pgd_pb_parse(def, &pr);
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
void rp_clone_index(struct replay *r, const struct pgd_index *pix,
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
	pgd_pb_free(&tree->base);
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
			struct pgd_column *col = rp_column_of(child, c->columns[i]);
			if (col)
				col->not_null = true;
		}
	}
	size_t n;
	struct pgd_table **parts = rp_partitions(r, child, &n);
	for (size_t i = 0; i < n && !r->failed; i++)
		rp_clone_index(r, ix, parts[i]);
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
		pgd_pb_free(&tree->base);
	}
	return found;
}

/* A new or attached partition child of parent gets its parent's indexes. */
void rp_clone_indexes(struct replay *r, const struct pgd_table *parent,
		      struct pgd_table *child, bool attach)
{
	size_t n = parent->nindexes;
	for (size_t i = 0; i < n && !r->failed; i++) {
		const struct pgd_index *pix = parent->indexes[i];
		if (!pix->def || (attach && rp_matching_index(r, pix, child)))
			continue;
		rp_clone_index(r, pix, child);
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

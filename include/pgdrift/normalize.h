/*
 * normalize.h - canonical forms of SQL text, shared by every source.
 *
 * The catalog reader hands PostgreSQL's own text (pg_get_expr,
 * pg_get_indexdef, pg_get_constraintdef) to these functions so it ends up in
 * the same canonical form the migration replay produces from the files
 * (src/normalize/pgq.h is the tree-level half, for the loader). All of them
 * parse with libpg_query; none touches a database.
 */
#ifndef PGDRIFT_NORMALIZE_H
#define PGDRIFT_NORMALIZE_H

#include "pgdrift/diag.h"
#include "pgdrift/schema.h"

/*
 * Canonical text of the SQL expression expr, as found on table
 * schema.table (both NULL for an expression on no table). Names are
 * resolved against m (may be NULL). Returns a malloc'd string the caller
 * frees, or NULL with err set (exit code PGD_EXIT_DB: the server's text
 * was not understood).
 */
char *pgd_normalize_expr(struct pgd_schema *m, const char *schema,
			 const char *table, const char *expr,
			 struct pgd_error *err);

/*
 * Fills ix (already added to t) from a CREATE INDEX statement as
 * pg_get_indexdef() prints it: canonical def, unique, plain key columns.
 * Returns 0, or -1 with err.
 */
int pgd_normalize_index(struct pgd_schema *m, struct pgd_table *t,
			struct pgd_index *ix, const char *indexdef,
			struct pgd_error *err);

/*
 * Fills c (already added to t) from pg_get_constraintdef() text: type,
 * columns, FK target, canonical def, validated. Returns 0, or -1 with err.
 */
int pgd_normalize_constraint(struct pgd_schema *m, struct pgd_table *t,
			     struct pgd_constraint *c, const char *condef,
			     struct pgd_error *err);

/*
 * The canonical definition of a trigger from pg_get_triggerdef() text
 * (malloc'd), or NULL with err.
 */
char *pgd_normalize_trigger(struct pgd_schema *m, const char *triggerdef,
			    struct pgd_error *err);

/* What the RLS review asks of a policy expression. */
struct pgd_expr_facts {
	bool always_true;       /* constant true: true, 1 = 1, NOT false, x OR true */
	bool per_row_auth_call; /* auth.uid(), auth.jwt(), auth.role(), auth.email()
				   or current_setting() outside a sub-select, so
				   evaluated for every row */
	bool user_metadata;     /* mentions raw_user_meta_data / user_metadata */
};

/* Fills facts for canonical expression text; -1 when it does not parse. */
int pgd_normalize_expr_facts(const char *expr, struct pgd_expr_facts *facts);

/* The libpg_query grammar version, e.g. "15.1". */
const char *pgd_normalize_grammar_version(void);
/* What parses migrations, for messages: "the PostgreSQL 15.1 grammar
 * (libpg_query 15-4.0.0)". A static string. */
const char *pgd_normalize_grammar_name(void);

#endif

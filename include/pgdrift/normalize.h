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

/*
 * The canonical text of a SQL-standard function body from
 * pg_get_function_sqlbody() text ("BEGIN ATOMIC ... END" or "RETURN ..."),
 * names resolved against m. Returns a malloc'd string the caller frees, or
 * NULL with err (PGD_EXIT_DB).
 */
char *pgd_normalize_sql_body(struct pgd_schema *m, const char *sqlbody,
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

/* What application SQL touches (pgd_normalize_sql_refs). */
enum {
	PGD_SQL_SELECT = 1 << 0,
	PGD_SQL_INSERT = 1 << 1,
	PGD_SQL_UPDATE = 1 << 2,
	PGD_SQL_DELETE = 1 << 3,
	PGD_SQL_EXECUTE = 1 << 4,
};

struct pgd_sql_ref {
	char kind;       /* 't' a relation, 'f' a function call */
	char *schema;    /* as written, or NULL when unqualified */
	char *name;
	unsigned cmd;    /* one PGD_SQL_* bit: how the statement uses it */
	size_t location; /* byte offset in the SQL text */
};

struct pgd_sql_refs {
	struct pgd_sql_ref *v;
	size_t n, alloc;
	unsigned cmds;   /* PGD_SQL_* bits of the statements */
};

/*
 * Appends to out the relations (WITH names left out) and functions that
 * the SELECT, INSERT, UPDATE, DELETE and CALL statements of sql name;
 * other statements are skipped. Returns 0, or -1 when sql does not parse
 * (out unchanged). Release out with pgd_sql_refs_release.
 */
int pgd_normalize_sql_refs(const char *sql, struct pgd_sql_refs *out);
void pgd_sql_refs_release(struct pgd_sql_refs *r);

/* The libpg_query grammar version, e.g. "15.1". */
const char *pgd_normalize_grammar_version(void);
/* What parses migrations, for messages: "the PostgreSQL 15.1 grammar
 * (libpg_query 15-4.0.0)". A static string. */
const char *pgd_normalize_grammar_name(void);

#endif

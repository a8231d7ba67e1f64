/*
 * rls.h - the RLS coverage review: one model (and its grants and roles) ->
 * findings of category "rls", and a coverage matrix: per table in the
 * exposed schemas, for each command and API role, whether access is not
 * granted, open (RLS off), guarded by which policies, open to all rows, or
 * denied. Never prints.
 */
#ifndef PGDRIFT_RLS_H
#define PGDRIFT_RLS_H

#include "pgdrift/finding.h"
#include "pgdrift/schema.h"

enum pgd_access {
	PGD_ACC_NO_GRANT, /* the role holds no privilege for the command */
	PGD_ACC_OPEN,     /* granted and RLS is off: every row */
	PGD_ACC_ALL_ROWS, /* a permissive policy is constant true */
	PGD_ACC_POLICY,   /* guarded by the listed policies */
	PGD_ACC_DENIED,   /* RLS on, no policy applies */
};

#define PGD_RLS_NROLES 3 /* anon, authenticated, public */
#define PGD_RLS_NCMDS 4  /* SELECT, INSERT, UPDATE, DELETE */

struct pgd_rls_cell {
	enum pgd_access access;
	char *policies; /* "p1, p2" for PGD_ACC_POLICY / ALL_ROWS, else NULL */
	bool columns;   /* reached through column-level grants only */
};

struct pgd_rls_row {
	char *table; /* "schema.table", identifiers quoted as needed */
	bool rls_enabled, rls_forced;
	struct pgd_rls_cell cells[PGD_RLS_NCMDS][PGD_RLS_NROLES];
	/* bit c set: application code issues pgd_rls_cmds[c] on the table
	 * through the API (set by refs' pgd_refs_mark_matrix; 0 otherwise) */
	unsigned used;
};

struct pgd_rls_matrix {
	struct pgd_rls_row *rows;
	size_t n, alloc;
	char *exposed;        /* "public, storage" */
	bool exposed_assumed; /* no pgrst.db_schemas setting was found */
};

extern const char *const pgd_rls_roles[PGD_RLS_NROLES];
extern const char *const pgd_rls_cmds[PGD_RLS_NCMDS];
const char *pgd_access_name(enum pgd_access a);

struct pgd_rls_options {
	/* --exposed-schema; NULL/0: the model's setting, else "public" */
	const char *const *exposed;
	size_t nexposed;
};

/*
 * Reviews m. Findings are appended to out (sorted afterwards by the
 * caller); the matrix, when not NULL, is filled (release it with
 * pgd_rls_matrix_release).
 */
void pgd_rls_review(struct pgd_schema *m, const struct pgd_rls_options *opts,
		    struct pgd_findings *out, struct pgd_rls_matrix *matrix);
void pgd_rls_matrix_release(struct pgd_rls_matrix *mx);

/*
 * How exposed a row is, for ordering (higher is worse): the number of
 * cells open to every row with RLS off first, then of cells a constant-true
 * policy opens, then of cells a policy guards; (open * 13 + all_rows) * 13
 * + policy, so the order is lexicographic over those three counts.
 */
unsigned pgd_rls_row_risk(const struct pgd_rls_row *row);
/*
 * The indexes of mx's rows, worst first: risk descending, then the table
 * name. Returns an array of mx->n entries (at least one allocated); the
 * caller frees it.
 */
size_t *pgd_rls_matrix_worst_first(const struct pgd_rls_matrix *mx);

#endif

/*
 * history.h - migration files x the applied-migrations table: which files
 * were never applied, which applied versions have no file, which versions
 * several files share, which files were skipped by a newer one, and which
 * files changed after they were applied (findings PGD300-PGD305).
 *
 * The table is read by the catalog (pgd_catalog_read_history, catalog.h)
 * into a struct pgd_history; this module never sees libpq. Shapes
 * recognised by the columns present:
 *   Supabase       supabase_migrations.schema_migrations
 *                  (version text, statements text[], name text)
 *   Flyway         flyway_schema_history (version, script, checksum, success)
 *   golang-migrate schema_migrations (version bigint, dirty boolean): one
 *                  row, the newest version applied
 *   dbmate         schema_migrations (version varchar)
 *   any other table with a version column.
 *
 * struct pgd_history owns every string it holds (pgd_history_release).
 */
#ifndef PGDRIFT_HISTORY_H
#define PGDRIFT_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "pgdrift/diag.h"
#include "pgdrift/finding.h"
#include "pgdrift/migrations.h"

enum pgd_history_kind {
	PGD_HISTORY_SUPABASE,
	PGD_HISTORY_FLYWAY,
	PGD_HISTORY_GOLANG_MIGRATE,
	PGD_HISTORY_DBMATE,
	PGD_HISTORY_GENERIC,
};

/* "supabase", "flyway", "golang-migrate", "dbmate", "generic". */
const char *pgd_history_kind_name(enum pgd_history_kind kind);

/* The table Supabase's CLI keeps, read when no other table is named. */
#define PGD_HISTORY_DEFAULT_TABLE "supabase_migrations.schema_migrations"

struct pgd_history_row {
	char *version;      /* as stored, as text; never NULL */
	char *name;         /* the name column, or NULL (none, or NULL) */
	char **statements;  /* the statements column, or NULL when absent */
	size_t nstatements;
	bool failed;        /* Flyway success = false, golang-migrate dirty */
};

struct pgd_history {
	bool present;        /* false: the table does not exist */
	char *table;         /* schema.table as the server names it (quoted
				where needed), or as asked when not present */
	enum pgd_history_kind kind;
	bool has_names;      /* the table has a name column */
	bool has_statements; /* the table has a statements column */
	struct pgd_history_row *rows;
	size_t nrows, alloc;
};

#define PGD_HISTORY_INIT { false, NULL, PGD_HISTORY_GENERIC, false, false, NULL, 0, 0 }

void pgd_history_release(struct pgd_history *h);
/* Appends a row (strings copied; statements may be NULL) and returns it. */
struct pgd_history_row *pgd_history_add_row(struct pgd_history *h,
					    const char *version,
					    const char *name);
/* Appends a statement (copied) to row, marking the column present. */
void pgd_history_row_add_statement(struct pgd_history_row *row,
				   const char *stmt);

/*
 * Splits SQL text into statements the way the Supabase CLI does before it
 * applies and records a migration (its pkg/parser): split at every ';'
 * outside quotes, dollar quotes, comments, parentheses and BEGIN ATOMIC
 * bodies; each piece keeps its comments, loses its trailing ';' and its
 * surrounding white space; empty pieces are dropped. Returns the count;
 * *stmts (each malloc'd, then the array) and *offsets (byte offset of each
 * statement in sql; may be NULL) are the caller's to free
 * (pgd_history_free_split).
 */
size_t pgd_history_split(const char *sql, size_t len, char ***stmts,
			 size_t **offsets);
void pgd_history_free_split(char **stmts, size_t n, size_t *offsets);

/* The form two statements are compared in: every run of white space one
 * space, no leading or trailing white space or ';'. Caller frees. */
char *pgd_history_normalize(const char *stmt);

struct pgd_history_options {
	/* A missing table is an error (pgdrift history, or a table named with
	 * --history-table) rather than a warning (pgdrift check). */
	bool missing_is_error;
};

/*
 * Compares set's files with h and adds history findings to f. Reads a
 * file's text when it is not loaded yet (set->files[i].src). Returns 0, or
 * -1 with an error diagnostic when a file cannot be read.
 */
int pgd_history_compare(struct pgd_migration_set *set,
			const struct pgd_history *h,
			const struct pgd_history_options *opts,
			struct pgd_findings *f, struct pgd_diags *diags);

#endif

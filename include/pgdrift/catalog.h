/*
 * catalog.h - read a live database into a model through pg_catalog.
 *
 * One connection, one REPEATABLE READ READ ONLY transaction with statement
 * and lock timeouts, a fixed number of queries whatever the size of the
 * schema (one per object kind, like pg_dump), and search_path set to
 * pg_catalog so the server prints every name it means schema-qualified.
 * Works for PostgreSQL 15 to 18 (tested), 13 and 14 (untested); version-
 * gated like pg_dump. Never writes, never creates temporary
 * objects.
 */
#ifndef PGDRIFT_CATALOG_H
#define PGDRIFT_CATALOG_H

#include <stdbool.h>

#include "pgdrift/diag.h"
#include "pgdrift/schema.h"

struct pgd_catalog_options {
	/* A conninfo string or URI; NULL: DATABASE_URL if set, else libpq's
	 * environment (PGHOST, PGSERVICE, PGPASSFILE, ...). */
	const char *conninfo;
	int timeout_ms;    /* statement_timeout and lock_timeout; 0: 30 s */
	bool verbose;      /* each query's row count and time on stderr */
};

struct pgd_catalog_stats {
	int queries;        /* round trips, setup included */
	long objects;       /* catalog rows turned into model objects */
	int server_version; /* e.g. 150004 */
	char server[32];    /* as the server names it, to its first space:
			       "17.10", "18beta1"; "" if never connected */
	double ms;          /* wall time of the whole read */
};

/*
 * Reads the database. Returns 0 with *out (free with pgd_schema_free), or
 * -1 with err (exit code PGD_EXIT_DB; the message never contains a
 * password). stats may be NULL.
 */
int pgd_catalog_read(const struct pgd_catalog_options *opts,
		     struct pgd_schema **out, struct pgd_catalog_stats *stats,
		     struct pgd_error *err);

struct pgd_history;

/*
 * Reads the applied-migrations table (history.h) named table (NULL:
 * supabase_migrations.schema_migrations; an unqualified name is looked up
 * in public) under the same discipline as pgd_catalog_read: one read-only
 * REPEATABLE READ transaction with timeouts, two queries (the table and its
 * columns from pg_class, then its rows). A missing table is not an error:
 * out->present is false. Returns 0 with *out filled (release with
 * pgd_history_release), or -1 with err (PGD_EXIT_DB). stats may be NULL.
 */
int pgd_catalog_read_history(const struct pgd_catalog_options *opts,
			     const char *table, struct pgd_history *out,
			     struct pgd_catalog_stats *stats,
			     struct pgd_error *err);

/*
 * Replaces every occurrence of password in msg, and the password part of
 * any "scheme://user:password@" in it, with "****". Returns a malloc'd
 * string.
 */
char *pgd_catalog_redact(const char *msg, const char *password);

#endif

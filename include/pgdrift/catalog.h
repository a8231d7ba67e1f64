/*
 * catalog.h - read a live database into a model through pg_catalog.
 *
 * One REPEATABLE READ READ ONLY snapshot with statement and lock timeouts,
 * shared by up to K connections (pg_export_snapshot, as pg_dump -j), a fixed
 * number of queries whatever the size of the schema (one per object kind,
 * like pg_dump), and search_path set to
 * pg_catalog so the server prints every name it means schema-qualified.
 * Works for PostgreSQL 15 to 18 (tested), 13 and 14 (untested); version-
 * gated like pg_dump. Never writes, never creates temporary
 * objects.
 */
#ifndef PGDRIFT_CATALOG_H
#define PGDRIFT_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "pgdrift/diag.h"
#include "pgdrift/schema.h"

struct pgd_catalog_options {
	/* A conninfo string or URI; NULL: DATABASE_URL if set, else libpq's
	 * environment (PGHOST, PGSERVICE, PGPASSFILE, ...). */
	const char *conninfo;
	int timeout_ms;    /* statement_timeout and lock_timeout; 0: 30 s */
	bool verbose;      /* each query's row count and time on stderr */
	/* pgd_catalog_read: connections the queries run over, sharing one
	 * snapshot (pg_export_snapshot, as pg_dump -j); 0: automatic
	 * (PGD_CATALOG_AUTO_CONNECTIONS). One when the snapshot cannot be
	 * exported. The asynchronous reader always uses one. */
	int connections;
};

/* Connections a read uses unless told (the three queries the server
 * spends most on run side by side), and at most. */
#define PGD_CATALOG_AUTO_CONNECTIONS 3
#define PGD_CATALOG_MAX_CONNECTIONS 16

struct pgd_catalog_stats {
	int queries;        /* statements sent, setup included (not the
			       other connections' setup) */
	int connections;    /* the connections that ran catalog queries */
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

/*
 * The same read as pgd_catalog_read, as a state machine over libpq's
 * asynchronous API, so that one thread can read many databases at once
 * (fleet.h): the caller polls pgd_catalog_async_fd for the events
 * pgd_catalog_async_want names and calls pgd_catalog_async_step when one
 * arrives, until it says DONE or FAILED; then pgd_catalog_async_finish.
 * The same queries run in the same order in the same transaction, and
 * turn rows into the model the same way, as pgd_catalog_read's.
 */
struct pgd_catalog_async;

enum pgd_catalog_want {
	PGD_CATALOG_WANT_READ = 1,
	PGD_CATALOG_WANT_WRITE = 2,
};

enum pgd_catalog_progress {
	PGD_CATALOG_AGAIN,  /* wait for the events wanted, then step again */
	PGD_CATALOG_DONE,   /* the model is complete */
	PGD_CATALOG_FAILED, /* the read failed: finish gives the error */
};

/*
 * Starts connecting (opts is copied; opts->conninfo must outlive the
 * reader). Never NULL: a reader that cannot start is FAILED at once. Free
 * it with pgd_catalog_async_finish.
 */
struct pgd_catalog_async *pgd_catalog_async_start(const struct pgd_catalog_options *opts);
/* The socket to poll, or -1 when nothing is awaited (DONE or FAILED). It
 * may change while connecting: ask again before every poll. */
int pgd_catalog_async_fd(const struct pgd_catalog_async *a);
/* PGD_CATALOG_WANT_READ and/or _WRITE: what to poll the socket for. */
int pgd_catalog_async_want(const struct pgd_catalog_async *a);
/* Does the work the socket allows without blocking. */
enum pgd_catalog_progress pgd_catalog_async_step(struct pgd_catalog_async *a);
/* Abandons a read under way (a deadline passed): it is FAILED with the
 * message why; a finished read is left as it is. */
void pgd_catalog_async_cancel(struct pgd_catalog_async *a, const char *why);
/*
 * Ends the read and frees a (and its connection). Returns 0 with *out (the
 * caller frees it with pgd_schema_free) when it was DONE, else -1 with err
 * (PGD_EXIT_DB, password redacted; err may be NULL). stats may be NULL.
 */
int pgd_catalog_async_finish(struct pgd_catalog_async *a, struct pgd_schema **out,
			     struct pgd_catalog_stats *stats, struct pgd_error *err);

/*
 * The name a fleet list gives a database written without one: "dbname@host"
 * from conninfo (a missing part from PGDATABASE/PGHOST, else libpq's
 * default: the user name, "localhost"). Returns 0 with *name (caller
 * frees), or -1 with err (PGD_EXIT_USAGE) when conninfo does not parse;
 * the message never holds a password.
 */
int pgd_catalog_conninfo_name(const char *conninfo, char **name,
			      struct pgd_error *err);

struct pgd_history;

/*
 * pgd_catalog_read, and when history is not NULL the applied-migrations
 * table named history_table (as pgd_catalog_read_history) in the same
 * snapshot. Returns 0 with *out (free with pgd_schema_free) and *history
 * filled (release with pgd_history_release), or -1 with err (PGD_EXIT_DB)
 * and nothing to free.
 */
int pgd_catalog_read_all(const struct pgd_catalog_options *opts,
			 struct pgd_schema **out, const char *history_table,
			 struct pgd_history *history,
			 struct pgd_catalog_stats *stats, struct pgd_error *err);

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

/*
 * The catalog queries a read runs, for a server of version (e.g. 150004):
 * the number of them, and the i-th one's name and text (gate spliced in,
 * parameter $1 the excluded schemas, *param its value). For scripts/bench.sh,
 * which times exactly these texts on the server alone (the floor). Returns
 * a malloc'd string, NULL when i is out of range.
 */
size_t pgd_catalog_query_count(void);
char *pgd_catalog_query_sql(size_t i, int version, const char **name,
			    const char **param);

#endif

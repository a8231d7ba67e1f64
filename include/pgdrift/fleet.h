/*
 * fleet.h - one check over many databases. A list file names the
 * databases; the expected side is built once; every database is read
 * concurrently (catalog.h's asynchronous reader, K connections at a time,
 * one thread) in its own read-only REPEATABLE READ transaction, then
 * diffed and reviewed on its own, and its model freed at once, so memory
 * grows with K, not with the number of databases. A database that cannot
 * be read becomes an error row; it never hides the others.
 *
 * Sharding splits a list across CI runners by a hash of each name;
 * merging joins their JSON reports back into one fleet.
 *
 * Every struct here owns what it points to; each has a release.
 */
#ifndef PGDRIFT_FLEET_H
#define PGDRIFT_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pgdrift/diag.h"
#include "pgdrift/diff.h"
#include "pgdrift/finding.h"
#include "pgdrift/report.h"
#include "pgdrift/rls.h"
#include "pgdrift/schema.h"

#define PGD_FLEET_FORMAT "pgdrift.fleet/1"

struct pgd_fleet_entry {
	char *name;     /* the list's name, or "dbname@host" */
	char *conninfo; /* $VARs expanded: secret, never printed */
	unsigned line;  /* 1-based line in the list file */
};

struct pgd_fleet_list {
	char *path;
	struct pgd_fleet_entry *v;
	size_t n, alloc;
};

#define PGD_FLEET_LIST_INIT { NULL, NULL, 0, 0 }

/*
 * Parses a list file's text (path names it in messages). One database a
 * line: "NAME<TAB>CONNINFO-OR-URI", or the conninfo alone (the name is then
 * "dbname@host"); blank lines and lines starting with '#' are skipped,
 * leading and trailing blanks ignored. $VAR and ${VAR} are replaced by the
 * environment's value ($$ is a '$'). Returns 0 with out filled (release
 * with pgd_fleet_list_release), or -1 with err (PGD_EXIT_USAGE) naming
 * path:line and the cause: an unset variable (by name, never a value), an
 * unterminated ${, an empty name or conninfo, a name with control
 * characters, a duplicate name, a conninfo libpq cannot parse. An empty
 * list is an error too.
 */
int pgd_fleet_list_parse(const char *path, const char *text,
			 struct pgd_fleet_list *out, struct pgd_error *err);
/* Reads the file at path, as pgd_fleet_list_parse. */
int pgd_fleet_list_read(const char *path, struct pgd_fleet_list *out,
			struct pgd_error *err);
void pgd_fleet_list_release(struct pgd_fleet_list *l);

/* The shard hash: 64-bit FNV-1a over the name's bytes. */
uint64_t pgd_fleet_hash(const char *name);
/* Parses "I/N" (1 <= I <= N <= 1000). Returns 0, or -1. */
int pgd_fleet_shard_parse(const char *s, unsigned *i, unsigned *n);
/* Keeps the entries of shard i of n: those whose hash % n == i - 1. */
void pgd_fleet_list_shard(struct pgd_fleet_list *l, unsigned i, unsigned n);

/* One database's outcome. */
struct pgd_fleet_result {
	char *name;
	char *error;    /* NULL: read and audited; else the redacted reason */
	int exit_code;  /* 0 or 1 (set by the caller from fail_on), 4 */
	struct pgd_findings findings;
	char **tables;  /* the audited tables, sorted (JUnit's test cases) */
	size_t ntables;
	size_t suppressed; /* findings its baseline suppressed */
	int server_version;
	double ms;      /* wall time of its read */
};

struct pgd_fleet_results {
	struct pgd_fleet_result *v;
	size_t n, alloc;
	/* merge: the migrations' completeness the reports state (summary's
	 * "unmodeled"; the largest when shards disagree) */
	bool unmodeled_known;
	size_t unmodeled;
};

#define PGD_FLEET_RESULTS_INIT { NULL, 0, 0, false, 0 }

struct pgd_fleet_options {
	/* the expected model (kept, read only), or NULL for the RLS review
	 * alone (pgdrift rls) */
	struct pgd_schema *expected;
	const struct pgd_diff_options *diff;
	const struct pgd_rls_options *rls; /* NULL: no RLS review */
	int jobs;        /* connections at once; 0: 4 */
	int timeout_ms;  /* statement/lock timeout, and twice it the deadline
			    of one whole read; 0: 30 s */
	bool verbose;    /* a line per database on stderr */
};

/*
 * Reads and audits every database of l. Each result gets the findings of
 * the drift diff (when opts->expected) and the RLS review (when opts->rls),
 * sorted and located, or an error. Results come in list order. Returns 0
 * (database errors are results, not a failure of the run).
 */
int pgd_fleet_run(const struct pgd_fleet_list *l, const struct pgd_fleet_options *opts,
		  struct pgd_fleet_results *out);

/* Sorts results by name (byte order): the order every fleet report uses. */
void pgd_fleet_results_sort(struct pgd_fleet_results *r);
/* 4 if any database failed, else the highest exit code. */
int pgd_fleet_exit(const struct pgd_fleet_results *r);
/*
 * The reporters' view of r (report.h): an array of r->n rows borrowing
 * from r. The caller frees the array (free()).
 */
struct pgd_fleet_db *pgd_fleet_report_rows(const struct pgd_fleet_results *r);
void pgd_fleet_results_release(struct pgd_fleet_results *r);

/*
 * Adds the databases of a JSON report (text, named path in messages) to
 * out: a fleet report (pgdrift.fleet/1) gives its databases, a single
 * report (pgdrift.report/1) one database named after the file (its base
 * name without ".json"). Findings keep their fingerprints. Returns 0, or
 * -1 with err (PGD_EXIT_USAGE) naming path and what is wrong; a name
 * already in out is an error. When *command (*expected) is NULL it gets
 * the report's "command" ("expected"), if any; the caller frees them.
 * out->unmodeled(_known) take the report's completeness.
 */
int pgd_fleet_merge_text(const char *path, const char *text,
			 struct pgd_fleet_results *out, char **command,
			 char **expected, struct pgd_error *err);

#endif

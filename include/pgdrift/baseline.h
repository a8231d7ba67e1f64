/*
 * baseline.h - accepted findings. A baseline file ("pgdrift.baseline/1",
 * JSON) lists findings by fingerprint, each with the reason it was accepted
 * and optionally the date it expires; applying it suppresses exactly those
 * findings and reports what no longer matches, so the baseline can only
 * shrink: an entry that no longer occurs is reported as stale (PGD902), an
 * expired entry stops suppressing and says so (PGD903).
 *
 * A baseline owns every string it holds; pgd_baseline_free releases it.
 */
#ifndef PGDRIFT_BASELINE_H
#define PGDRIFT_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "pgdrift/diag.h"
#include "pgdrift/finding.h"

#define PGD_BASELINE_FORMAT "pgdrift.baseline/1"

struct pgd_strbuf;

struct pgd_baseline_entry {
	char *fingerprint; /* 16 hex digits (struct pgd_finding's) */
	char *code;        /* "PGD141", for people reading the file */
	char *object;      /* or NULL */
	char *message;     /* the finding's message when it was accepted */
	char *reason;      /* why it was accepted: never empty */
	char *added;       /* YYYY-MM-DD, or NULL */
	char *expires;     /* YYYY-MM-DD (last day it suppresses), or NULL */
	char *database;    /* the fleet database it is for; NULL: every one */
	unsigned line;     /* where the entry starts in its file; 0 if built */
};

struct pgd_baseline {
	char *path; /* the file it was read from, or NULL */
	struct pgd_baseline_entry *v;
	size_t n, alloc;
};

/*
 * Reads a baseline from text (name is the file name for messages). On
 * success *out is a new baseline the caller frees with pgd_baseline_free;
 * on a malformed file returns -1 with err (exit code PGD_EXIT_USAGE) naming
 * the file, line and what is wrong, and *out is NULL.
 */
int pgd_baseline_read_text(const char *name, const char *text,
			   struct pgd_baseline **out, struct pgd_error *err);
/* Reads the file at path, as pgd_baseline_read_text. */
int pgd_baseline_read_file(const char *path, struct pgd_baseline **out,
			   struct pgd_error *err);

/*
 * A baseline accepting every finding in f (PGD902/PGD903, which are about a
 * baseline, excepted). An entry of old (may be NULL) with the same
 * fingerprint that has not expired by today is carried over with its reason
 * and dates; every other finding gets reason, added = today and expires
 * (NULL for none). The caller frees the result with pgd_baseline_free.
 */
struct pgd_baseline *pgd_baseline_from_findings(const struct pgd_findings *f,
						const struct pgd_baseline *old,
						const char *reason,
						const char *expires,
						const char *today);

/* Appends the file text of b to out: one entry per line, in b's order. */
void pgd_baseline_write(const struct pgd_baseline *b, struct pgd_strbuf *out);

/*
 * Applies b to f: removes every finding whose fingerprint has an entry that
 * has not expired by today (YYYY-MM-DD), and adds an info finding for each
 * expired entry that still matches (PGD903) and for each entry that matched
 * nothing (PGD902), located at the entry's line of b->path. Re-sorts f.
 * Returns how many findings were suppressed.
 */
size_t pgd_baseline_apply(const struct pgd_baseline *b, struct pgd_findings *f,
			  const char *today);

/* One database of a fleet, for pgd_baseline_apply_fleet. */
struct pgd_baseline_db {
	const char *name;
	struct pgd_findings *findings;
	bool read;          /* false: it could not be read (no findings) */
	size_t suppressed;  /* out: how many of its findings b suppressed */
};

/*
 * Applies b to every database of a fleet. An entry with a "database"
 * applies to that database only, one without to every database (and to a
 * single-database run, which ignores entries naming a database). Expired
 * entries that match are reported (PGD903) in each database they match;
 * an entry naming a database that matched nothing there is stale (PGD902)
 * in it; an entry for every database that matched nowhere is stale in
 * every database, but only when whole (the run saw the whole list, not a
 * shard) and every database was read. Re-sorts each database's findings.
 */
void pgd_baseline_apply_fleet(const struct pgd_baseline *b,
			      struct pgd_baseline_db *dbs, size_t n,
			      const char *today, bool whole);

void pgd_baseline_free(struct pgd_baseline *b);

/* True when s is a valid calendar date written YYYY-MM-DD. */
bool pgd_date_valid(const char *s);

#endif

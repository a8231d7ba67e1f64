/*
 * diff.h - expected model x actual model -> drift findings. Never prints.
 *
 * Every object the expected model defines is audited wherever it lives (a
 * policy on storage.objects is the user's own). Unexpected objects are
 * reported only in schemas the expected side owns: schemas it creates or
 * creates tables in, never the platform's (auth, storage, ...).
 */
#ifndef PGDRIFT_DIFF_H
#define PGDRIFT_DIFF_H

#include "pgdrift/finding.h"
#include "pgdrift/schema.h"

struct pgd_diff_options {
	/* --schema: audit only these schemas (NULL/0: all) */
	const char *const *schemas;
	size_t nschemas;
	/* --exclude-schema */
	const char *const *exclude_schemas;
	size_t nexclude_schemas;
	/* --exclude-table: fnmatch patterns on "schema.table" or "table" */
	const char *const *exclude_tables;
	size_t nexclude_tables;
	/* report statements the expected side did not model (PGD901) */
	bool report_unmodeled;
};

/*
 * Appends the findings of expected vs actual to out. Both models are
 * sorted in place (pgd_schema_sort); neither is otherwise changed.
 */
void pgd_diff(struct pgd_schema *expected, struct pgd_schema *actual,
	      const struct pgd_diff_options *opts, struct pgd_findings *out);

/*
 * The tables pgd_diff audits under opts: every expected table in scope and
 * every actual table in a schema the expected side owns, as identities
 * ("schema.table", quoted as needed), sorted, each once. Sets *n. The
 * caller frees each string and the array.
 */
/*
 * Gives every finding in f that has no migration location the file:line of
 * the expected object it names (a policy, table, view or function), or of
 * its table (then file_is_table is set), or for PGD200 the statement that
 * set pgrst.db_schemas: so findings about the live side (the RLS review of
 * a database) point at the migration that should have made it right.
 * Findings keep their order and fingerprints.
 */
void pgd_diff_locate(struct pgd_findings *f, const struct pgd_schema *expected);

char **pgd_diff_audited_tables(const struct pgd_schema *expected,
			       const struct pgd_schema *actual,
			       const struct pgd_diff_options *opts, size_t *n);

#endif

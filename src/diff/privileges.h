/*
 * privileges.h - inside the diff module: the rules for grants, owners,
 * default privileges and function attributes (privileges.c), called by
 * pgd_diff with its scope as callbacks.
 */
#ifndef PGDRIFT_DIFF_PRIVILEGES_H
#define PGDRIFT_DIFF_PRIVILEGES_H

#include "pgdrift/finding.h"
#include "pgdrift/schema.h"

struct pgd_diff_privileges_scope {
	bool (*audited)(const char *schema, const void *arg);
	bool (*table_audited)(const char *schema, const char *table,
			      const void *arg);
	const void *arg;
};

/* Appends PGD195-PGD198 findings for objects both models have. */
void pgd_diff_privileges(struct pgd_schema *expected, struct pgd_schema *actual,
			 const struct pgd_diff_privileges_scope *scope,
			 struct pgd_findings *out);
/* Appends one PGD193 finding when e and a differ beyond the signature. */
void pgd_diff_function(struct pgd_findings *out, const struct pgd_function *e,
		       const struct pgd_function *a);

#endif

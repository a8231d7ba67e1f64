/*
 * finding.h - the finding record every check produces and every reporter
 * prints. Codes and names are stable: documented in docs/findings.md, never
 * renumbered; a new rule gets a new code.
 *
 * struct pgd_findings owns its findings and every string in them
 * (pgd_findings_release frees all).
 */
#ifndef PGDRIFT_FINDING_H
#define PGDRIFT_FINDING_H

#include <stdbool.h>
#include <stddef.h>

#include "pgdrift/alloc.h"

enum pgd_severity {
	PGD_SEV_INFO = 0,
	PGD_SEV_WARNING = 1,
	PGD_SEV_ERROR = 2,
};

enum pgd_category {
	PGD_CAT_DRIFT,
	PGD_CAT_RLS,
	PGD_CAT_HISTORY,
	PGD_CAT_COVERAGE,
	PGD_CAT_REFS,
};
#define PGD_CAT_COUNT 5

enum pgd_rule_id {
	/* drift: tables and schemas */
	PGD_R_MISSING_TABLE,
	PGD_R_UNEXPECTED_TABLE,
	PGD_R_TABLE_RENAMED,
	PGD_R_MISSING_SCHEMA,
	PGD_R_MISSING_EXTENSION,
	/* columns */
	PGD_R_MISSING_COLUMN,
	PGD_R_UNEXPECTED_COLUMN,
	PGD_R_COLUMN_TYPE,
	PGD_R_COLUMN_NULLABILITY,
	PGD_R_COLUMN_DEFAULT,
	PGD_R_COLUMN_IDENTITY,
	PGD_R_COLUMN_RENAMED,
	/* constraints */
	PGD_R_MISSING_CONSTRAINT,
	PGD_R_UNEXPECTED_CONSTRAINT,
	PGD_R_CONSTRAINT_DEFINITION,
	/* indexes */
	PGD_R_MISSING_INDEX,
	PGD_R_UNEXPECTED_INDEX,
	PGD_R_INDEX_DEFINITION,
	/* row level security */
	PGD_R_RLS_DISABLED,
	PGD_R_RLS_ENABLED,
	PGD_R_RLS_FORCE,
	PGD_R_MISSING_POLICY,
	PGD_R_UNEXPECTED_POLICY,
	PGD_R_POLICY_DEFINITION,
	/* other objects */
	PGD_R_MISSING_TRIGGER,
	PGD_R_UNEXPECTED_TRIGGER,
	PGD_R_TRIGGER_DEFINITION,
	PGD_R_MISSING_TYPE,
	PGD_R_UNEXPECTED_TYPE,
	PGD_R_TYPE_DEFINITION,
	PGD_R_MISSING_VIEW,
	PGD_R_UNEXPECTED_VIEW,
	PGD_R_VIEW_DEFINITION,
	PGD_R_MISSING_FUNCTION,
	PGD_R_UNEXPECTED_FUNCTION,
	PGD_R_FUNCTION_DEFINITION,
	/* privileges and owners */
	PGD_R_GRANT_MISSING,
	PGD_R_GRANT_UNEXPECTED,
	PGD_R_OWNER_CHANGED,
	PGD_R_DEFAULT_PRIVILEGES_CHANGED,
	/* RLS coverage review */
	PGD_R_RLS_EXPOSED_ASSUMED,
	PGD_R_RLS_TABLE_WITHOUT_RLS,
	PGD_R_RLS_POLICIES_IGNORED,
	PGD_R_RLS_NO_POLICY,
	PGD_R_RLS_POLICY_ALWAYS_TRUE,
	PGD_R_RLS_POLICY_PUBLIC_ROLE,
	PGD_R_RLS_USER_METADATA,
	PGD_R_RLS_VIEW_BYPASS,
	PGD_R_RLS_SECURITY_DEFINER_FUNCTION,
	PGD_R_RLS_INITPLAN,
	PGD_R_RLS_MULTIPLE_PERMISSIVE,
	PGD_R_RLS_FORCE_OFF,
	PGD_R_RLS_BYPASS_ROLE,
	PGD_R_RLS_DEFINER_SEARCH_PATH,
	PGD_R_RLS_COLUMN_GRANT,
	/* migration history (history.h) */
	PGD_R_MIGRATION_HISTORY_MISSING,
	PGD_R_MIGRATION_UNAPPLIED,
	PGD_R_MIGRATION_UNKNOWN,
	PGD_R_MIGRATION_DUPLICATE_VERSION,
	PGD_R_MIGRATION_OUT_OF_ORDER,
	PGD_R_MIGRATION_MODIFIED,
	/* code references (refs.h) */
	PGD_R_REF_MISSING_TABLE,
	PGD_R_REF_MISSING_FUNCTION,
	PGD_R_REF_OPERATION_WITHOUT_POLICY,
	PGD_R_REF_CLIENT_OPEN_TABLE,
	PGD_R_REF_UNEXPOSED_SCHEMA,
	PGD_R_REF_UNUSED_TABLE,
	PGD_R_REF_FILE_SKIPPED,
	/* coverage */
	PGD_R_UNMODELED_STATEMENT,
	PGD_R_BASELINE_STALE,
	PGD_R_BASELINE_EXPIRED,
	PGD_R_COUNT
};

struct pgd_rule {
	const char *code;   /* "PGD101" */
	const char *name;   /* "missing_table" */
	enum pgd_severity severity; /* the default; a finding may raise it */
	enum pgd_category category;
	const char *help;   /* one sentence: what it means */
};

/* The rule table, indexed by enum pgd_rule_id. */
const struct pgd_rule *pgd_rule(enum pgd_rule_id id);
/* Looks a rule up by code or name; NULL when unknown. */
const struct pgd_rule *pgd_rule_find(const char *code_or_name);

const char *pgd_severity_name(enum pgd_severity s);
/* Parses "error", "warning", "info"; -1 when unknown. */
int pgd_severity_parse(const char *s);
const char *pgd_category_name(enum pgd_category c);

struct pgd_finding {
	const struct pgd_rule *rule;
	enum pgd_severity severity;
	char *object;      /* "public.stories.story_access" (quoted as needed) */
	char *table;       /* "public.stories", or NULL */
	char *message;     /* one line, for people */
	char *expected;    /* canonical SQL or a word ("enabled"), or NULL */
	char *actual;
	char *file;        /* the migration behind the expectation, or NULL */
	unsigned line;
	/* file:line is where the finding's table was defined, not the object
	 * itself (an object only the database has): reports say "table
	 * defined at", not "migration" */
	bool file_is_table;
	bool dynamic;      /* file:line is a DO block or call that made the
			      object through EXECUTE (printed "(EXECUTE)") */
	char *remediation; /* SQL restoring the expected state, or NULL */
	char fingerprint[17]; /* 16 hex digits, set by pgd_findings_sort: stable
				 across runs (baselines, Code Quality, SARIF) */
};

struct pgd_findings {
	struct pgd_finding *v;
	size_t n, alloc;
};

#define PGD_FINDINGS_INIT { NULL, 0, 0 }

/*
 * Adds a finding with rule id's default severity; the strings are copied
 * (NULL allowed). Returns it so the caller may set more fields with
 * pgd_xstrdup/pgd_xasprintf.
 */
struct pgd_finding *pgd_findings_add(struct pgd_findings *f, enum pgd_rule_id id,
				     const char *object, const char *table,
				     const char *expected, const char *actual,
				     const char *fmt, ...) PGD_PRINTF(7, 8);
/* Frees the strings one finding owns (not the finding itself). */
void pgd_finding_release(struct pgd_finding *x);
void pgd_findings_release(struct pgd_findings *f);
/*
 * Sorts by table, object, code: the order every report uses; then sets
 * every finding's fingerprint: a hash of its code, object, table, expected
 * and actual values (and file:line when it names no object), so the same
 * drift gets the same fingerprint on every run and any change to it gets a
 * new one. Findings alike in all of those are told apart by their rank.
 * The message is left out so rewording a message keeps baselines valid.
 */
void pgd_findings_sort(struct pgd_findings *f);
/* How many findings are at or above severity s. */
size_t pgd_findings_count_at_least(const struct pgd_findings *f,
				   enum pgd_severity s);

#endif

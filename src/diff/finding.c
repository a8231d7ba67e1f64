/*
 * finding.c - the rule table and the findings vector.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pgdrift/finding.h"
#include "pgdrift/strbuf.h"

#define R(id, code, name, sev, cat, help) \
	[id] = { code, name, PGD_SEV_##sev, PGD_CAT_##cat, help }

static const struct pgd_rule rules[PGD_R_COUNT] = {
	R(PGD_R_MISSING_TABLE, "PGD101", "missing_table", ERROR, DRIFT,
	  "A table the migrations create is not in the database."),
	R(PGD_R_UNEXPECTED_TABLE, "PGD102", "unexpected_table", WARNING, DRIFT,
	  "The database has a table no migration creates."),
	R(PGD_R_TABLE_RENAMED, "PGD103", "table_renamed", WARNING, DRIFT,
	  "A table exists under another name with the same columns."),
	R(PGD_R_MISSING_SCHEMA, "PGD104", "missing_schema", ERROR, DRIFT,
	  "A schema the migrations create is not in the database."),
	R(PGD_R_MISSING_EXTENSION, "PGD105", "missing_extension", ERROR, DRIFT,
	  "An extension the migrations create is not installed."),
	R(PGD_R_MISSING_COLUMN, "PGD111", "missing_column", ERROR, DRIFT,
	  "A column the migrations define is not in the table."),
	R(PGD_R_UNEXPECTED_COLUMN, "PGD112", "unexpected_column", WARNING, DRIFT,
	  "The table has a column no migration defines."),
	R(PGD_R_COLUMN_TYPE, "PGD113", "column_type", ERROR, DRIFT,
	  "A column's type differs from the migrations."),
	R(PGD_R_COLUMN_NULLABILITY, "PGD114", "column_nullability", ERROR, DRIFT,
	  "A column's NOT NULL differs from the migrations."),
	R(PGD_R_COLUMN_DEFAULT, "PGD115", "column_default", WARNING, DRIFT,
	  "A column's default differs from the migrations."),
	R(PGD_R_COLUMN_IDENTITY, "PGD116", "column_identity", WARNING, DRIFT,
	  "A column's identity or generation differs from the migrations."),
	R(PGD_R_COLUMN_RENAMED, "PGD117", "column_renamed", WARNING, DRIFT,
	  "A column exists under another name with the same definition."),
	R(PGD_R_MISSING_CONSTRAINT, "PGD121", "missing_constraint", ERROR, DRIFT,
	  "A constraint the migrations define is not on the table."),
	R(PGD_R_UNEXPECTED_CONSTRAINT, "PGD122", "unexpected_constraint", WARNING, DRIFT,
	  "The table has a constraint no migration defines."),
	R(PGD_R_CONSTRAINT_DEFINITION, "PGD123", "constraint_definition", ERROR, DRIFT,
	  "A constraint's definition differs from the migrations."),
	R(PGD_R_MISSING_INDEX, "PGD131", "missing_index", WARNING, DRIFT,
	  "An index the migrations create is not in the database (an error when it is unique)."),
	R(PGD_R_UNEXPECTED_INDEX, "PGD132", "unexpected_index", WARNING, DRIFT,
	  "The database has an index no migration creates."),
	R(PGD_R_INDEX_DEFINITION, "PGD133", "index_definition", ERROR, DRIFT,
	  "An index's columns, method, uniqueness or predicate differ from the migrations."),
	R(PGD_R_RLS_DISABLED, "PGD141", "rls_disabled", ERROR, DRIFT,
	  "Row level security is off on a table where the migrations enable it."),
	R(PGD_R_RLS_ENABLED, "PGD142", "rls_enabled", WARNING, DRIFT,
	  "Row level security is on where the migrations leave it off."),
	R(PGD_R_RLS_FORCE, "PGD143", "rls_force", WARNING, DRIFT,
	  "FORCE ROW LEVEL SECURITY differs from the migrations."),
	R(PGD_R_MISSING_POLICY, "PGD151", "missing_policy", ERROR, DRIFT,
	  "A policy the migrations create is not on the table."),
	R(PGD_R_UNEXPECTED_POLICY, "PGD152", "unexpected_policy", ERROR, DRIFT,
	  "The table has a policy no migration creates: it may widen access."),
	R(PGD_R_POLICY_DEFINITION, "PGD153", "policy_definition", ERROR, DRIFT,
	  "A policy's command, roles, mode, USING or WITH CHECK differ from the migrations."),
	R(PGD_R_MISSING_TRIGGER, "PGD161", "missing_trigger", ERROR, DRIFT,
	  "A trigger the migrations create is not on the table."),
	R(PGD_R_UNEXPECTED_TRIGGER, "PGD162", "unexpected_trigger", WARNING, DRIFT,
	  "The table has a trigger no migration creates."),
	R(PGD_R_TRIGGER_DEFINITION, "PGD163", "trigger_definition", ERROR, DRIFT,
	  "A trigger's timing, events or function differ from the migrations."),
	R(PGD_R_MISSING_TYPE, "PGD171", "missing_type", ERROR, DRIFT,
	  "An enum or domain the migrations create is not in the database."),
	R(PGD_R_UNEXPECTED_TYPE, "PGD172", "unexpected_type", WARNING, DRIFT,
	  "The database has an enum or domain no migration creates."),
	R(PGD_R_TYPE_DEFINITION, "PGD173", "type_definition", ERROR, DRIFT,
	  "An enum's labels or a domain's definition differ from the migrations."),
	R(PGD_R_MISSING_VIEW, "PGD181", "missing_view", ERROR, DRIFT,
	  "A view the migrations create is not in the database."),
	R(PGD_R_UNEXPECTED_VIEW, "PGD182", "unexpected_view", WARNING, DRIFT,
	  "The database has a view no migration creates."),
	R(PGD_R_VIEW_DEFINITION, "PGD183", "view_definition", ERROR, DRIFT,
	  "A view's kind or security_invoker differ from the migrations."),
	R(PGD_R_MISSING_FUNCTION, "PGD191", "missing_function", ERROR, DRIFT,
	  "A function the migrations create is not in the database."),
	R(PGD_R_UNEXPECTED_FUNCTION, "PGD192", "unexpected_function", WARNING, DRIFT,
	  "The database has a function no migration creates."),
	R(PGD_R_FUNCTION_DEFINITION, "PGD193", "function_definition", ERROR, DRIFT,
	  "A function's body, language, return type, volatility, strictness, SECURITY DEFINER, leakproof, parallel, cost/rows or SET options differ from the migrations."),
	R(PGD_R_GRANT_MISSING, "PGD195", "grant_missing", WARNING, DRIFT,
	  "A privilege the migrations grant (or the platform's defaults give) is not held in the database."),
	R(PGD_R_GRANT_UNEXPECTED, "PGD196", "grant_unexpected", WARNING, DRIFT,
	  "A privilege is held that the migrations do not grant (an error when anon, authenticated or PUBLIC gained it)."),
	R(PGD_R_OWNER_CHANGED, "PGD197", "owner_changed", WARNING, DRIFT,
	  "An object's owner differs from the migrations (an error when the new owner is an API role: it bypasses RLS without FORCE)."),
	R(PGD_R_DEFAULT_PRIVILEGES_CHANGED, "PGD198", "default_privileges_changed", WARNING, DRIFT,
	  "ALTER DEFAULT PRIVILEGES in the database differ from the migrations and the platform profile (an error when API roles gain privileges on new objects)."),
	R(PGD_R_RLS_EXPOSED_ASSUMED, "PGD200", "rls_exposed_schemas_assumed", INFO, RLS,
	  "No pgrst.db_schemas setting was found; the review assumed only public is exposed."),
	R(PGD_R_RLS_TABLE_WITHOUT_RLS, "PGD201", "rls_table_without_rls", ERROR, RLS,
	  "A table in an exposed schema has row level security off: the API can reach every row."),
	R(PGD_R_RLS_POLICIES_IGNORED, "PGD202", "rls_policies_ignored", ERROR, RLS,
	  "A table has policies but row level security is off, so the policies do nothing."),
	R(PGD_R_RLS_NO_POLICY, "PGD203", "rls_no_policy", INFO, RLS,
	  "Row level security is on and no policy exists: every API request is denied."),
	R(PGD_R_RLS_POLICY_ALWAYS_TRUE, "PGD204", "rls_policy_always_true", ERROR, RLS,
	  "A permissive policy for anon, authenticated or public is constant true (a warning on SELECT)."),
	R(PGD_R_RLS_POLICY_PUBLIC_ROLE, "PGD205", "rls_policy_public_role", WARNING, RLS,
	  "A policy without TO applies to public, so to anon too, where the table's other policies name authenticated."),
	R(PGD_R_RLS_USER_METADATA, "PGD206", "rls_user_metadata", ERROR, RLS,
	  "A policy trusts raw_user_meta_data / user_metadata, which end users can edit."),
	R(PGD_R_RLS_VIEW_BYPASS, "PGD207", "rls_view_bypass", WARNING, RLS,
	  "A view in an exposed schema without security_invoker reads an RLS-protected table: it bypasses RLS."),
	R(PGD_R_RLS_SECURITY_DEFINER_FUNCTION, "PGD208", "rls_security_definer_function", WARNING, RLS,
	  "A SECURITY DEFINER function in an exposed schema is executable by anon or authenticated."),
	R(PGD_R_RLS_INITPLAN, "PGD209", "rls_initplan", INFO, RLS,
	  "A policy calls auth.uid(), auth.jwt() or current_setting() per row; (select auth.uid()) runs once."),
	R(PGD_R_RLS_MULTIPLE_PERMISSIVE, "PGD210", "rls_multiple_permissive", INFO, RLS,
	  "Several permissive policies apply to one role and command; each is evaluated for every row."),
	R(PGD_R_RLS_FORCE_OFF, "PGD211", "rls_force_off", INFO, RLS,
	  "RLS is on but not forced on a table owned by a role the API uses, so the owner bypasses it."),
	R(PGD_R_RLS_BYPASS_ROLE, "PGD212", "rls_bypass_role", ERROR, RLS,
	  "An API role (anon, authenticated, authenticator) is a superuser, has BYPASSRLS or owns an exposed table."),
	R(PGD_R_RLS_DEFINER_SEARCH_PATH, "PGD213", "rls_definer_search_path", WARNING, RLS,
	  "A SECURITY DEFINER function an API role can execute has no fixed search_path: objects on the caller's path can hijack it."),
	R(PGD_R_RLS_COLUMN_GRANT, "PGD214", "rls_column_grant", INFO, RLS,
	  "A column-level grant gives an API role a column of a table whose table-level privileges or policies withhold it."),
	R(PGD_R_MIGRATION_HISTORY_MISSING, "PGD300", "migration_history_missing", WARNING, HISTORY,
	  "The applied-migrations table is not in the database, so the migration history was not compared (an error for pgdrift history)."),
	R(PGD_R_MIGRATION_UNAPPLIED, "PGD301", "migration_unapplied", WARNING, HISTORY,
	  "A migration file newer than every applied version has never been applied (pending)."),
	R(PGD_R_MIGRATION_UNKNOWN, "PGD302", "migration_unknown", ERROR, HISTORY,
	  "The database records an applied migration version that no file has."),
	R(PGD_R_MIGRATION_DUPLICATE_VERSION, "PGD303", "migration_duplicate_version", WARNING, HISTORY,
	  "Several migration files share one version; the history can record only one of them."),
	R(PGD_R_MIGRATION_OUT_OF_ORDER, "PGD304", "migration_out_of_order", ERROR, HISTORY,
	  "A migration file older than the newest applied version was never applied: runners skip it."),
	R(PGD_R_MIGRATION_MODIFIED, "PGD305", "migration_modified", ERROR, HISTORY,
	  "A migration file no longer matches the statements recorded when it was applied."),
	R(PGD_R_REF_MISSING_TABLE, "PGD400", "ref_missing_table", ERROR, REFS,
	  "The code names a table or view the schema does not have: the call fails at run time."),
	R(PGD_R_REF_MISSING_FUNCTION, "PGD401", "ref_missing_function", ERROR, REFS,
	  "The code calls a function (rpc or SQL) the schema does not have."),
	R(PGD_R_REF_OPERATION_WITHOUT_POLICY, "PGD402", "ref_operation_without_policy", ERROR, REFS,
	  "The code issues a command on a table whose RLS lets neither anon nor authenticated do it: every call is denied."),
	R(PGD_R_REF_CLIENT_OPEN_TABLE, "PGD403", "ref_client_open_table", ERROR, REFS,
	  "Client code (anon key or browser) reaches a table with RLS off, or whose policy for that command is always true."),
	R(PGD_R_REF_UNEXPOSED_SCHEMA, "PGD404", "ref_unexposed_schema", WARNING, REFS,
	  "The code calls .schema() with a schema the API does not expose."),
	R(PGD_R_REF_UNUSED_TABLE, "PGD405", "ref_unused_table", INFO, REFS,
	  "No code the scan read references this table."),
	R(PGD_R_REF_FILE_SKIPPED, "PGD406", "ref_file_skipped", INFO, REFS,
	  "A code file was not scanned (not UTF-8, too large, unreadable): its references are unknown."),
	R(PGD_R_UNMODELED_STATEMENT, "PGD901", "unmodeled_statement", INFO, COVERAGE,
	  "A migration statement pgdrift did not model: what it does is not audited."),
	R(PGD_R_BASELINE_STALE, "PGD902", "baseline_stale", INFO, COVERAGE,
	  "A baseline entry matches no finding any more: remove it so the baseline shrinks."),
	R(PGD_R_BASELINE_EXPIRED, "PGD903", "baseline_expired", INFO, COVERAGE,
	  "A baseline entry has expired: the finding it accepted is reported again."),
};

const struct pgd_rule *pgd_rule(enum pgd_rule_id id)
{
	if ((unsigned)id >= PGD_R_COUNT)
		PGD_BUG("bad rule id %d", (int)id);
	return &rules[id];
}

const struct pgd_rule *pgd_rule_find(const char *s)
{
	for (size_t i = 0; i < PGD_R_COUNT; i++)
		if (!strcmp(rules[i].code, s) || !strcmp(rules[i].name, s))
			return &rules[i];
	return NULL;
}

const char *pgd_severity_name(enum pgd_severity s)
{
	switch (s) {
	case PGD_SEV_INFO: return "info";
	case PGD_SEV_WARNING: return "warning";
	case PGD_SEV_ERROR: return "error";
	}
	PGD_BUG("bad severity %d", (int)s);
}

int pgd_severity_parse(const char *s)
{
	if (!strcmp(s, "info"))
		return PGD_SEV_INFO;
	if (!strcmp(s, "warning"))
		return PGD_SEV_WARNING;
	if (!strcmp(s, "error"))
		return PGD_SEV_ERROR;
	return -1;
}

const char *pgd_category_name(enum pgd_category c)
{
	switch (c) {
	case PGD_CAT_DRIFT: return "drift";
	case PGD_CAT_RLS: return "rls";
	case PGD_CAT_HISTORY: return "history";
	case PGD_CAT_COVERAGE: return "coverage";
	case PGD_CAT_REFS: return "refs";
	}
	PGD_BUG("bad category %d", (int)c);
}

static char *dup_or_null(const char *s)
{
	return s ? pgd_xstrdup(s) : NULL;
}

struct pgd_finding *pgd_findings_add(struct pgd_findings *f, enum pgd_rule_id id,
				     const char *object, const char *table,
				     const char *expected, const char *actual,
				     const char *fmt, ...)
{
	PGD_GROW(f->v, f->alloc, f->n + 1);
	struct pgd_finding *x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->rule = pgd_rule(id);
	x->severity = x->rule->severity;
	x->object = dup_or_null(object);
	x->table = dup_or_null(table);
	x->expected = dup_or_null(expected);
	x->actual = dup_or_null(actual);
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	pgd_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	x->message = pgd_strbuf_detach(&sb, NULL);
	return x;
}

void pgd_finding_release(struct pgd_finding *x)
{
	free(x->object);
	free(x->table);
	free(x->message);
	free(x->expected);
	free(x->actual);
	free(x->file);
	free(x->remediation);
}

void pgd_findings_release(struct pgd_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		pgd_finding_release(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static int cmp_null_last(const char *a, const char *b)
{
	if (!a || !b)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

static int cmp_finding(const void *x, const void *y)
{
	const struct pgd_finding *a = x, *b = y;
	int c = cmp_null_last(a->table, b->table);
	if (!c)
		c = cmp_null_last(a->object, b->object);
	if (!c)
		c = strcmp(a->rule->code, b->rule->code);
	if (!c)
		c = cmp_null_last(a->file, b->file);
	if (!c)
		c = (a->line > b->line) - (a->line < b->line);
	if (!c)
		c = strcmp(a->message, b->message);
	return c;
}

/* FNV-1a, 64 bits, over a field and a separator (NULL hashes apart from "") */
static uint64_t hash_field(uint64_t h, const char *s)
{
	if (!s)
		return (h ^ 0xffu) * 0x100000001b3ULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return (h ^ 0x1fu) * 0x100000001b3ULL;
}

static uint64_t finding_hash(const struct pgd_finding *x, unsigned rank)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = hash_field(h, x->rule->code);
	h = hash_field(h, x->object);
	h = hash_field(h, x->table);
	h = hash_field(h, x->expected);
	h = hash_field(h, x->actual);
	/* a refs finding is about a place in the code: the same problem on
	 * two lines is two findings */
	if (!x->object || x->rule->category == PGD_CAT_REFS) {
		char line[16];
		snprintf(line, sizeof(line), "%u", x->line);
		h = hash_field(h, x->file);
		h = hash_field(h, line);
	}
	if (rank) {
		char r[16];
		snprintf(r, sizeof(r), "#%u", rank);
		h = hash_field(h, r);
	}
	return h;
}

void pgd_findings_sort(struct pgd_findings *f)
{
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), cmp_finding);
	/* findings hashing alike share table, object and code, so they sit
	 * in one run of the sorted order */
	size_t run = 0;
	uint64_t *base = pgd_xcalloc(f->n + 1, sizeof(*base));
	for (size_t i = 0; i < f->n; i++) {
		struct pgd_finding *x = &f->v[i];
		if (i && (cmp_null_last(x->table, f->v[run].table) ||
			  cmp_null_last(x->object, f->v[run].object) ||
			  x->rule != f->v[run].rule))
			run = i;
		base[i] = finding_hash(x, 0);
		unsigned rank = 0;
		for (size_t j = run; j < i; j++)
			if (base[j] == base[i])
				rank++;
		snprintf(x->fingerprint, sizeof(x->fingerprint), "%016llx",
			 (unsigned long long)(rank ? finding_hash(x, rank) : base[i]));
	}
	free(base);
}

size_t pgd_findings_count_at_least(const struct pgd_findings *f,
				   enum pgd_severity s)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].severity >= s)
			n++;
	return n;
}

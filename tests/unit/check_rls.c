/*
 * check_rls.c - the RLS coverage rules, each with a positive case and a
 * look-alike that is safe and must not be flagged. Models come from SQL
 * through the replay (the review of a migration set before deploy).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/migrations.h"
#include "pgdrift/rls.h"
#include "pgdrift/strbuf.h"
#include "unit.h"

static const struct {
	const char *name, *sql, *want;
} cases[] = {
	{ "table without RLS (positive)",
	  "create table t (id int);",
	  "rls_table_without_rls public.t\n" },
	{ "table with RLS and a policy (negative)",
	  "create table t (id int); alter table t enable row level security;"
	  "create policy p on t for select to authenticated using (id > 0);",
	  "" },
	{ "table outside the exposed schemas (negative)",
	  "create schema private; create table private.t (id int);", "" },
	{ "policies ignored",
	  "create table t (id int); create policy p on t using (id > 0);",
	  "rls_table_without_rls public.t\nrls_policies_ignored public.t\n" },
	{ "RLS on, no policy",
	  "create table t (id int); alter table t enable row level security;",
	  "rls_no_policy public.t\n" },
	{ "always true on a write command",
	  "create table t (id int); alter table t enable row level security;"
	  "create policy p on t for update to authenticated using (true);",
	  "rls_policy_always_true public.t.p\n" },
	{ "1 = 1 is always true too",
	  "create table t (id int); alter table t enable row level security;"
	  "create policy p on t for insert to anon with check (1 = 1);",
	  "rls_policy_always_true public.t.p\n" },
	{ "always true, but restrictive (negative)",
	  "create table t (id int); alter table t enable row level security;"
	  "create policy p on t as restrictive for update to authenticated using (true);"
	  "create policy q on t for update to authenticated using (id = 1);",
	  "" },
	{ "always true, but only for service_role (negative)",
	  "create table t (id int); alter table t enable row level security;"
	  "create policy p on t for all to service_role using (true);",
	  "" },
	{ "no TO clause beside authenticated policies",
	  "create table t (id uuid); alter table t enable row level security;"
	  "create policy a on t for select to authenticated using (id = (select auth.uid()));"
	  "create policy b on t for delete using (id = (select auth.uid()));",
	  "rls_policy_public_role public.t.b\n" },
	{ "user metadata",
	  "create table t (id uuid); alter table t enable row level security;"
	  "create policy p on t for select to authenticated using "
	  "((select auth.jwt()) -> 'user_metadata' ->> 'role' = 'admin');",
	  "rls_user_metadata public.t.p\n" },
	{ "app metadata (negative)",
	  "create table t (id uuid); alter table t enable row level security;"
	  "create policy p on t for select to authenticated using "
	  "((select auth.jwt()) -> 'app_metadata' ->> 'role' = 'admin');",
	  "" },
	{ "auth.uid() per row",
	  "create table t (id uuid); alter table t enable row level security;"
	  "create policy p on t for select to authenticated using (id = auth.uid());",
	  "rls_initplan public.t.p\n" },
	{ "auth.uid() per row inside an EXISTS sub-select with FROM",
	  "create table m (u uuid); alter table m enable row level security;"
	  "create policy mp on m for select to authenticated using (u = (select auth.uid()));"
	  "create table t (id uuid); alter table t enable row level security;"
	  "create policy p on t for select to authenticated using ("
	  "  exists (select 1 from m where m.u = auth.uid()));",
	  "rls_initplan public.t.p\n" },
	{ "(select auth.uid()) inside an EXISTS sub-select is evaluated once",
	  "create table m (u uuid); alter table m enable row level security;"
	  "create policy mp on m for select to authenticated using (u = (select auth.uid()));"
	  "create table t (id uuid); alter table t enable row level security;"
	  "create policy p on t for select to authenticated using ("
	  "  exists (select 1 from m where m.u = (select auth.uid())));",
	  "" },
	{ "multiple permissive policies",
	  "create table t (id uuid, o uuid); alter table t enable row level security;"
	  "create policy a on t for select to authenticated using (id = (select auth.uid()));"
	  "create policy b on t for select to authenticated using (o = (select auth.uid()));",
	  "rls_multiple_permissive public.t authenticated SELECT\n" },
	{ "multiple permissive policies for a custom role",
	  "create table t (id uuid, o uuid); alter table t enable row level security;"
	  "create policy a on t for update to editor using (id = (select auth.uid()));"
	  "create policy b on t for all to editor using (o = (select auth.uid()));",
	  "rls_multiple_permissive public.t editor UPDATE\n" },
	{ "several permissive policies for service_role (negative: it bypasses RLS)",
	  "create table t (id uuid, o uuid); alter table t enable row level security;"
	  "create policy a on t for select to service_role using (true);"
	  "create policy b on t for select to service_role using (o is not null);",
	  "" },
	{ "security definer view over an RLS table",
	  "create table t (id int); alter table t enable row level security;"
	  "create policy p on t for select to authenticated using (id > 0);"
	  "create view v as select * from t;",
	  "rls_view_bypass public.v\n" },
	{ "security definer view over a table in a schema the API does not expose",
	  "create schema private; create table private.secrets (k text);"
	  "create view v as select * from private.secrets;",
	  "rls_view_bypass public.v\n" },
	{ "security definer view over an exposed table without RLS (info)",
	  "create table t (id int); create view v as select * from t;",
	  "rls_table_without_rls public.t\nrls_view_bypass public.v info\n" },
	{ "security invoker view (negative)",
	  "create table t (id int); alter table t enable row level security;"
	  "create policy p on t for select to authenticated using (id > 0);"
	  "create view v with (security_invoker = true) as select * from t;",
	  "" },
	{ "security definer function callable by anyone",
	  "create function f() returns int language sql security definer as 'select 1';",
	  "rls_security_definer_function public.f\nrls_definer_search_path public.f\n" },
	{ "security definer function revoked from public only: the API roles "
	  "keep Supabase's default EXECUTE",
	  "create function f() returns int language sql security definer as 'select 1';"
	  "revoke execute on function f() from public;",
	  "rls_security_definer_function public.f\nrls_definer_search_path public.f\n" },
	{ "security definer function revoked from everyone (negative)",
	  "create function f() returns int language sql security definer as 'select 1';"
	  "revoke execute on function f() from public, anon, authenticated;",
	  "" },
	{ "security definer function with a fixed search_path: PGD208 only",
	  "create function f() returns int language sql security definer "
	  "set search_path = '' as 'select 1';",
	  "rls_security_definer_function public.f\n" },
	{ "PUBLIC's default EXECUTE, the schema-less default removed (negative)",
	  "alter default privileges revoke execute on functions from public;"
	  "alter default privileges in schema public revoke execute on functions "
	  "from anon, authenticated;"
	  "create function f() returns int language sql security definer as 'select 1';",
	  "" },
	{ "table without RLS that no API role can reach: info",
	  "create table t (id int); revoke all on t from anon, authenticated;",
	  "rls_table_without_rls public.t info\n" },
	{ "table without RLS reached through a role authenticated is a member of",
	  "create table t (id int); revoke all on t from anon, authenticated;"
	  "grant select on t to reader; grant reader to authenticated;",
	  "rls_table_without_rls public.t\n" },
	{ "table without RLS reached through PUBLIC",
	  "create table t (id int); revoke all on t from anon, authenticated;"
	  "grant select on t to public;",
	  "rls_table_without_rls public.t\n" },
	{ "definer view no API role can select (negative)",
	  "create table t (id int); alter table t enable row level security;"
	  "create policy p on t for select to authenticated using (id > 0);"
	  "create view v as select id from t; revoke all on v from anon, authenticated;",
	  "" },
	{ "column grant where the table grant was withheld",
	  "create table t (id int, secret text); alter table t enable row level security;"
	  "create policy p on t for select to authenticated using (id > 0);"
	  "revoke all on t from anon; grant select (id) on t to anon;",
	  "rls_column_grant public.t.id\n" },
	{ "column grant beside a table grant (negative)",
	  "create table t (id int, secret text); alter table t enable row level security;"
	  "create policy p on t for select to authenticated using (id > 0);"
	  "grant select (id) on t to anon;",
	  "" },
};

START_TEST(rules)
{
	struct pgd_diags d = PGD_DIAGS_INIT;
	struct pgd_schema *m = NULL;
	struct pgd_load_options o = PGD_LOAD_OPTIONS_INIT;
	ck_assert_int_eq(pgd_migrations_replay_text("m.sql", cases[_i].sql, &o, &m, &d), 0);
	struct pgd_findings f = PGD_FINDINGS_INIT;
	static const char *const exposed[] = { "public" };
	struct pgd_rls_options ro = { exposed, 1 };
	pgd_rls_review(m, &ro, &f, NULL);
	pgd_findings_sort(&f);
	struct pgd_strbuf got = PGD_STRBUF_INIT;
	for (size_t i = 0; i < f.n; i++)
		pgd_strbuf_addf(&got, "%s %s%s%s\n", f.v[i].rule->name,
				f.v[i].object ? f.v[i].object : "-",
				/* a severity other than the rule's default is shown */
				f.v[i].severity != f.v[i].rule->severity ? " " : "",
				f.v[i].severity != f.v[i].rule->severity
					? pgd_severity_name(f.v[i].severity) : "");
	ck_assert_msg(!strcmp(got.buf, cases[_i].want), "%s:\ngot:\n%swant:\n%s",
		      cases[_i].name, got.buf, cases[_i].want);
	pgd_strbuf_release(&got);
	pgd_findings_release(&f);
	pgd_schema_free(m);
	pgd_diags_release(&d);
}
END_TEST

START_TEST(severity_of_always_true_on_select_is_warning)
{
	struct pgd_diags d = PGD_DIAGS_INIT;
	struct pgd_schema *m = NULL;
	struct pgd_load_options o = PGD_LOAD_OPTIONS_INIT;
	ck_assert_int_eq(pgd_migrations_replay_text("m.sql",
		"create table t (id int); alter table t enable row level security;"
		"create policy p on t for select to anon using (true);", &o, &m, &d), 0);
	struct pgd_findings f = PGD_FINDINGS_INIT;
	struct pgd_rls_matrix mx;
	pgd_rls_review(m, NULL, &f, &mx);
	pgd_findings_sort(&f);
	/* no setting: public assumed, and said so */
	ck_assert_uint_eq(f.n, 2);
	ck_assert_str_eq(f.v[0].rule->name, "rls_policy_always_true");
	ck_assert_int_eq(f.v[0].severity, PGD_SEV_WARNING);
	ck_assert_str_eq(f.v[1].rule->name, "rls_exposed_schemas_assumed");
	ck_assert(mx.exposed_assumed);
	ck_assert_uint_eq(mx.n, 1);
	/* anon reads every row; nobody may insert */
	ck_assert_int_eq(mx.rows[0].cells[0][0].access, PGD_ACC_ALL_ROWS);
	ck_assert_str_eq(mx.rows[0].cells[0][0].policies, "p");
	ck_assert_int_eq(mx.rows[0].cells[1][0].access, PGD_ACC_DENIED);
	ck_assert_int_eq(mx.rows[0].cells[0][1].access, PGD_ACC_DENIED);
	pgd_rls_matrix_release(&mx);
	pgd_findings_release(&f);
	pgd_schema_free(m);

	/* a DELETE policy with no USING grants nothing (not "all rows") */
	ck_assert_int_eq(pgd_migrations_replay_text("m.sql",
		"create table t (id int); alter table t enable row level security;"
		"create policy d on t for delete to anon;", &o, &m, &d), 0);
	pgd_rls_review(m, NULL, &f, &mx);
	ck_assert_int_eq(mx.rows[0].cells[3][0].access, PGD_ACC_DENIED);
	pgd_rls_matrix_release(&mx);
	pgd_findings_release(&f);
	pgd_schema_free(m);
	pgd_diags_release(&d);
}
END_TEST

START_TEST(exposed_schemas_from_the_migrations)
{
	struct pgd_diags d = PGD_DIAGS_INIT;
	struct pgd_schema *m = NULL;
	struct pgd_load_options o = PGD_LOAD_OPTIONS_INIT;
	ck_assert_int_eq(pgd_migrations_replay_text("m.sql",
		"create schema api; create table api.t (id int);"
		"alter role authenticator set pgrst.db_schemas = 'public, api';",
		&o, &m, &d), 0);
	struct pgd_findings f = PGD_FINDINGS_INIT;
	pgd_rls_review(m, NULL, &f, NULL);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_str_eq(f.v[0].rule->name, "rls_table_without_rls");
	ck_assert_str_eq(f.v[0].object, "api.t");
	pgd_findings_release(&f);
	pgd_schema_free(m);
	pgd_diags_release(&d);
}
END_TEST

/* the grid's order: most cells open with RLS off, then open to all rows by
 * a policy, then guarded; ties by name; and the exposed-schemas setting
 * keeps the statement that made it */
START_TEST(matrix_worst_first)
{
	struct pgd_diags d = PGD_DIAGS_INIT;
	struct pgd_schema *m = NULL;
	struct pgd_load_options o = PGD_LOAD_OPTIONS_INIT;
	ck_assert_int_eq(pgd_migrations_replay_text("m.sql",
		"create table a_guarded (id int); alter table a_guarded enable row level security;\n"
		"create policy p on a_guarded for all to anon, authenticated using (id > 0);\n"
		"create table b_denied (id int); alter table b_denied enable row level security;\n"
		"create table c_open (id int);\n"
		"create table d_true (id int); alter table d_true enable row level security;\n"
		"create policy p on d_true for select to anon using (true);\n"
		"create table e_open (id int);\n"
		"alter role authenticator set pgrst.db_schemas = 'public';\n",
		&o, &m, &d), 0);
	ck_assert_str_eq(m->exposed_src.file, "m.sql");
	ck_assert_uint_eq(m->exposed_src.line, 8);
	struct pgd_findings f = PGD_FINDINGS_INIT;
	struct pgd_rls_matrix mx;
	pgd_rls_review(m, NULL, &f, &mx);
	ck_assert_uint_eq(mx.n, 5);
	size_t *order = pgd_rls_matrix_worst_first(&mx);
	static const char *const want[] = { "public.c_open", "public.e_open", "public.d_true",
					    "public.a_guarded", "public.b_denied" };
	for (size_t i = 0; i < 5; i++)
		ck_assert_str_eq(mx.rows[order[i]].table, want[i]);
	/* open cells outrank any number of all-rows or guarded cells; the
	 * counts depend on the grants the API roles hold */
	unsigned r[5];
	for (size_t i = 0; i < 5; i++)
		r[i] = pgd_rls_row_risk(&mx.rows[order[i]]);
	ck_assert_uint_eq(r[0], r[1]);
	ck_assert_uint_ge(r[0], 169u);
	ck_assert_uint_lt(r[2], 169u);
	ck_assert_uint_ge(r[2], 13u);
	ck_assert_uint_lt(r[3], 13u);
	ck_assert_uint_gt(r[3], 0u);
	ck_assert_uint_eq(r[4], 0u);
	free(order);
	pgd_rls_matrix_release(&mx);
	pgd_findings_release(&f);
	pgd_schema_free(m);
	pgd_diags_release(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rls");
	TCase *tc = tcase_create("rls");
	tcase_add_loop_test(tc, rules, 0, PGD_NCASES(cases));
	tcase_add_test(tc, severity_of_always_true_on_select_is_warning);
	tcase_add_test(tc, exposed_schemas_from_the_migrations);
	tcase_add_test(tc, matrix_worst_first);
	suite_add_tcase(s, tc);
	return pgd_run_suite(s);
}

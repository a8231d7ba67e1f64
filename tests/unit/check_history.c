/*
 * check_history.c - the migration history without a database: the Supabase
 * CLI's statement split (table-driven: SQL in, statements out), the
 * comparison form, and each history rule on hand-made history rows.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pgdrift/history.h"
#include "pgdrift/strbuf.h"
#include "unit.h"

/* statements joined by '|' (no case below has a '|' of its own) */
static const struct {
	const char *sql, *want;
} split_cases[] = {
	{ "select 1; select 2;", "select 1|select 2" },
	{ "select 1", "select 1" },
	{ "select ';' ; select 2", "select ';'|select 2" },
	{ "select 'it''s;';", "select 'it''s;'" },
	{ "create table \"a;b\" (x int);", "create table \"a;b\" (x int)" },
	{ "-- note; here\nselect 1;", "-- note; here\nselect 1" },
	{ "/* a; /* b; */ c; */ select 1;", "/* a; /* b; */ c; */ select 1" },
	{ "create function f() returns int as $$ select 1; $$ language sql;\nselect 2;",
	  "create function f() returns int as $$ select 1; $$ language sql|select 2" },
	{ "do $body$ begin perform 1; $$; end $body$;",
	  "do $body$ begin perform 1; $$; end $body$" },
	{ "select 1;\n-- a trailing comment\n", "select 1|-- a trailing comment" },
	{ "select 1;;; \n\n", "select 1" },
	{ "insert into t values (1, ';'), (2, ')');select 2",
	  "insert into t values (1, ';'), (2, ')')|select 2" },
	{ "create function f() returns int language sql begin atomic select 1; select 2; end;\nselect 3;",
	  "create function f() returns int language sql begin atomic select 1; select 2; end|select 3" },
	{ "prepare p as select $1; execute p(1);", "prepare p as select $1|execute p(1)" },
	{ "  \n\t ", "" },
	{ "select 1 -- no newline at the end; still a comment", "select 1 -- no newline at the end; still a comment" },
};

START_TEST(split_like_the_cli)
{
	char **stmts;
	size_t *offs;
	const char *sql = split_cases[_i].sql;
	size_t n = pgd_history_split(sql, strlen(sql), &stmts, &offs);
	struct pgd_strbuf got = PGD_STRBUF_INIT;
	for (size_t k = 0; k < n; k++) {
		if (k)
			pgd_strbuf_addch(&got, '|');
		pgd_strbuf_addstr(&got, stmts[k]);
		/* each statement is where its offset says */
		ck_assert_int_eq(strncmp(sql + offs[k], stmts[k], strlen(stmts[k])), 0);
	}
	ck_assert_str_eq(got.buf, split_cases[_i].want);
	pgd_strbuf_release(&got);
	pgd_history_free_split(stmts, n, offs);
}
END_TEST

START_TEST(normalize_white_space_and_semicolons)
{
	char *a = pgd_history_normalize("  create\n\ttable  x (a int) ;; \n");
	ck_assert_str_eq(a, "create table x (a int)");
	free(a);
	a = pgd_history_normalize("select 'a  b'");
	ck_assert_str_eq(a, "select 'a b'"); /* documented: all white space */
	free(a);
	a = pgd_history_normalize(" ;\n");
	ck_assert_str_eq(a, "");
	free(a);
}
END_TEST

/* ---- the rules, on files in a temporary folder */

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char *p = pgd_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static struct pgd_migration_set *files(void)
{
	strcpy(dir, "/tmp/pgd-history-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file("001_a.sql", "create table a (id int);\ncreate index ia on a (id);\n");
	write_file("002_b.sql", "-- b\ncreate table b (id int);\n\ncreate table c (id int);\n");
	write_file("002_c.sql", "create table d (id int);\n");
	write_file("003_e.sql", "create table e (id int);\n");
	struct pgd_diags d = PGD_DIAGS_INIT;
	struct pgd_migration_set *set = NULL;
	ck_assert_int_eq(pgd_migrations_find(dir, &set, &d), 0);
	pgd_diags_release(&d);
	return set;
}

static void cleanup(struct pgd_migration_set *set)
{
	char *cmd = pgd_xasprintf("rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	pgd_migration_set_free(set);
}

static void row(struct pgd_history *h, const char *v, const char *name,
		const char *const *stmts)
{
	struct pgd_history_row *r = pgd_history_add_row(h, v, name);
	for (; stmts && *stmts; stmts++)
		pgd_history_row_add_statement(r, *stmts);
}

static const char *const s1[] = { "create table a (id int)", "create index ia on a (id)", NULL };
static const char *const s2[] = { "-- b\ncreate table b (id int)", "create table c (id int)", NULL };
static const char *const s3[] = { "create table e (id int)", NULL };

/* "CODE object severity" per finding, sorted, joined by ';' */
static char *run(struct pgd_migration_set *set, struct pgd_history *h, bool strict)
{
	struct pgd_findings f = PGD_FINDINGS_INIT;
	struct pgd_diags d = PGD_DIAGS_INIT;
	struct pgd_history_options o = { strict };
	ck_assert_int_eq(pgd_history_compare(set, h, &o, &f, &d), 0);
	pgd_findings_sort(&f);
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	for (size_t i = 0; i < f.n; i++) {
		if (i)
			pgd_strbuf_addch(&sb, ';');
		pgd_strbuf_addf(&sb, "%s %s %s", f.v[i].rule->code, f.v[i].object,
				pgd_severity_name(f.v[i].severity));
		ck_assert_str_eq(pgd_category_name(f.v[i].rule->category), "history");
	}
	pgd_findings_release(&f);
	pgd_diags_release(&d);
	pgd_history_release(h);
	return pgd_strbuf_detach(&sb, NULL);
}

static struct pgd_history supabase(void)
{
	struct pgd_history h = PGD_HISTORY_INIT;
	h.present = true;
	h.table = pgd_xstrdup("supabase_migrations.schema_migrations");
	h.kind = PGD_HISTORY_SUPABASE;
	h.has_names = h.has_statements = true;
	return h;
}

START_TEST(history_clean_but_for_the_shared_version)
{
	struct pgd_migration_set *set = files();
	struct pgd_history h = supabase();
	row(&h, "001", "a", s1);
	row(&h, "002", "b", s2);
	row(&h, "003", "e", s3);
	char *got = run(set, &h, false);
	ck_assert_str_eq(got, "PGD303 002_c.sql warning");
	free(got);
	cleanup(set);
}
END_TEST

START_TEST(history_unapplied_out_of_order_unknown)
{
	struct pgd_migration_set *set = files();
	struct pgd_history h = supabase();
	row(&h, "002", "b", s2);
	row(&h, "004", "z", NULL);
	char *got = run(set, &h, false);
	ck_assert_str_eq(got, "PGD304 001_a.sql error;PGD303 002_c.sql warning;"
			      "PGD304 003_e.sql error;PGD302 version 004 (z) error");
	free(got);
	cleanup(set);
	set = files();
	h = supabase();
	row(&h, "001", "a", s1);
	row(&h, "0002", "b", s2); /* versions compare as numbers */
	got = run(set, &h, false);
	ck_assert_str_eq(got, "PGD303 002_c.sql warning;PGD301 003_e.sql warning");
	free(got);
	cleanup(set);
}
END_TEST

START_TEST(history_modified_names_the_statement)
{
	static const char *const changed[] = { "-- b\ncreate table b (id int)",
					       "create table c (id bigint)", NULL };
	struct pgd_migration_set *set = files();
	struct pgd_history h = supabase();
	row(&h, "001", "a", s1);
	row(&h, "002", "b", changed);
	row(&h, "003", "e", s3);
	struct pgd_findings f = PGD_FINDINGS_INIT;
	struct pgd_diags d = PGD_DIAGS_INIT;
	ck_assert_int_eq(pgd_history_compare(set, &h, NULL, &f, &d), 0);
	pgd_findings_sort(&f);
	ck_assert_uint_eq(f.n, 2);
	const struct pgd_finding *x = &f.v[0]; /* 002_b.sql sorts first */
	ck_assert_str_eq(x->rule->code, "PGD305");
	ck_assert_str_eq(x->object, "002_b.sql");
	ck_assert_uint_eq(x->line, 4); /* the second statement's line */
	ck_assert_str_eq(x->expected, "create table c (id int)");
	ck_assert_str_eq(x->actual, "create table c (id bigint)");
	ck_assert_ptr_nonnull(strstr(x->message, "statement 2 of 2 (line 4)"));
	pgd_findings_release(&f);
	pgd_diags_release(&d);
	pgd_history_release(&h);
	cleanup(set);
}
END_TEST

START_TEST(history_shared_version_found_by_content)
{
	static const char *const sd[] = { "create table d (id int)", NULL };
	struct pgd_migration_set *set = files();
	struct pgd_history h = supabase();
	h.has_names = false;
	row(&h, "001", NULL, s1);
	row(&h, "002", NULL, sd); /* no name: the content says it is 002_c */
	row(&h, "003", NULL, s3);
	char *got = run(set, &h, false);
	ck_assert_str_eq(got, "PGD303 002_b.sql warning");
	free(got);
	cleanup(set);
}
END_TEST

START_TEST(history_split_elsewhere_is_not_modified)
{
	/* another runner recorded each file as one element, comments out and
	 * white space changed; a third split inside a statement: the token
	 * streams are the same, so nothing was modified */
	static const char *const one[] = {
		"create table a (id int);\ncreate index ia on a (id);", NULL };
	static const char *const trimmed[] = {
		"create table b(id int)", "create  table c (\n id int\n)", NULL };
	static const char *const cut[] = { "create table", "e (id int)", NULL };
	struct pgd_migration_set *set = files();
	struct pgd_history h = supabase();
	row(&h, "001", "a", one);
	row(&h, "002", "b", trimmed);
	row(&h, "003", "e", cut);
	char *got = run(set, &h, false);
	ck_assert_str_eq(got, "PGD303 002_c.sql warning");
	free(got);
	cleanup(set);
	/* a changed token is still a change, however it was split */
	static const char *const changed[] = {
		"create table a (id bigint);\ncreate index ia on a (id);", NULL };
	set = files();
	h = supabase();
	row(&h, "001", "a", changed);
	row(&h, "002", "b", s2);
	row(&h, "003", "e", s3);
	got = run(set, &h, false);
	ck_assert_str_eq(got, "PGD305 001_a.sql error;PGD303 002_c.sql warning");
	free(got);
	cleanup(set);
}
END_TEST

START_TEST(history_missing_table)
{
	struct pgd_migration_set *set = files();
	struct pgd_history h = PGD_HISTORY_INIT;
	h.table = pgd_xstrdup("supabase_migrations.schema_migrations");
	char *got = run(set, &h, false);
	ck_assert_str_eq(got, "PGD300 supabase_migrations.schema_migrations warning");
	free(got);
	h.table = pgd_xstrdup("flyway_schema_history");
	got = run(set, &h, true);
	ck_assert_str_eq(got, "PGD300 flyway_schema_history error");
	free(got);
	cleanup(set);
}
END_TEST

START_TEST(history_golang_migrate_one_row)
{
	struct pgd_migration_set *set = files();
	struct pgd_history h = PGD_HISTORY_INIT;
	h.present = true;
	h.table = pgd_xstrdup("public.schema_migrations");
	h.kind = PGD_HISTORY_GOLANG_MIGRATE;
	pgd_history_add_row(&h, "2", NULL)->failed = true;
	char *got = run(set, &h, false);
	ck_assert_str_eq(got, "PGD301 002_b.sql error;PGD301 002_c.sql error;"
			      "PGD303 002_c.sql warning;PGD301 003_e.sql warning");
	free(got);
	h = (struct pgd_history)PGD_HISTORY_INIT;
	h.present = true;
	h.table = pgd_xstrdup("public.schema_migrations");
	h.kind = PGD_HISTORY_GOLANG_MIGRATE;
	pgd_history_add_row(&h, "7", NULL);
	got = run(set, &h, false);
	ck_assert_str_eq(got, "PGD303 002_c.sql warning;PGD302 version 7 error");
	free(got);
	cleanup(set);
}
END_TEST

/* The Supabase CLI applies files in name byte order: "20251021123456_a.sql"
 * before "20251021_b.sql" ('1' < '_'), the reverse of version-number order.
 * The loader warns once, naming both files; 20251020_z.sql agrees. */
START_TEST(loader_warns_when_name_and_version_order_differ)
{
	strcpy(dir, "/tmp/pgd-history-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* only name order replays this without an unmodeled statement */
	write_file("20251021123456_a.sql", "create table a (id int);\n");
	write_file("20251021_b.sql", "alter table a add column b text;\n");
	write_file("20251020_z.sql", "create table z (id int);\n");
	struct pgd_diags d = PGD_DIAGS_INIT;
	struct pgd_migration_set *set = NULL;
	ck_assert_int_eq(pgd_migrations_find(dir, &set, &d), 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_int_eq(d.v[0].level, PGD_DIAG_WARNING);
	ck_assert_ptr_nonnull(strstr(d.v[0].message, "20251021123456_a.sql"));
	ck_assert_msg(strstr(d.v[0].message, "20251021_b.sql"), "%s", d.v[0].message);
	ck_assert_ptr_nonnull(strstr(d.v[0].path, "20251021123456_a.sql"));
	struct pgd_schema *m = NULL;
	ck_assert_int_eq(pgd_migrations_replay(set, NULL, &m, &d), 0);
	for (size_t i = 1; i < d.n; i++) /* notes only: nothing unmodeled */
		ck_assert_msg(d.v[i].level != PGD_DIAG_WARNING, "%s", d.v[i].message);
	pgd_schema_free(m);
	pgd_diags_release(&d);
	cleanup(set);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("history");
	tcase_add_loop_test(tc, split_like_the_cli, 0, PGD_NCASES(split_cases));
	tcase_add_test(tc, normalize_white_space_and_semicolons);
	tcase_add_test(tc, history_clean_but_for_the_shared_version);
	tcase_add_test(tc, history_unapplied_out_of_order_unknown);
	tcase_add_test(tc, history_modified_names_the_statement);
	tcase_add_test(tc, history_shared_version_found_by_content);
	tcase_add_test(tc, history_split_elsewhere_is_not_modified);
	tcase_add_test(tc, history_missing_table);
	tcase_add_test(tc, history_golang_migrate_one_row);
	tcase_add_test(tc, loader_warns_when_name_and_version_order_differ);
	suite_add_tcase(s, tc);
	return pgd_run_suite(s);
}

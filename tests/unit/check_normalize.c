/*
 * check_normalize.c - the normalization contract: what a migration says and
 * what PostgreSQL 15 prints back for it (pg_get_expr & co, empty
 * search_path) must normalize to the same text. Each pair below was read
 * off a real PostgreSQL 15 server.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/normalize.h"
#include "pgdrift/schema.h"
#include "unit.h"

static struct pgd_schema *model(void)
{
	struct pgd_schema *m = pgd_schema_new();
	pgd_schema_add_namespace(m, "public");
	struct pgd_table *lp = pgd_schema_add_table(m, "public", "lp");
	const char *cols[] = { "id", "library_id", "user_id", "status" };
	for (size_t i = 0; i < 4; i++)
		pgd_table_add_column(m, lp, cols[i]);
	struct pgd_table *s = pgd_schema_add_table(m, "public", "s");
	pgd_table_add_column(m, s, "library_id");
	pgd_table_add_column(m, s, "owner");
	pgd_schema_add_function(m, "auth", "uid", "");
	return m;
}

static const struct {
	const char *table, *migration, *server;
} same[] = {
	{ "lp", "status in ('x','y')",
	  "((status)::text = ANY ((ARRAY['x'::character varying, 'y'::character varying])::text[]))" },
	{ "lp", "library_id between 1 and 2", "((library_id >= 1) AND (library_id <= 2))" },
	{ "lp", "library_id not between 1 and 2", "((library_id < 1) OR (library_id > 2))" },
	{ "lp", "'q'", "'q'::character varying" },
	{ "lp", "-1", "'-1'::integer" },
	{ "lp", "5", "5" },
	{ "lp", "'{}'", "'{}'::text[]" },
	{ "lp", "'{}'::jsonb", "'{}'::jsonb" },
	{ "lp", "now()", "now()" },
	{ "lp", "lower('X')", "lower('X'::text)" },
	{ "lp", "1.5", "1.5" },
	{ "lp", "status = 'x' and lower(status) = 'y'",
	  "(((status)::text = 'x'::text) AND (lower((status)::text) = 'y'::text))" },
	{ "s", "auth.uid() = owner and library_id in (1,2)",
	  "((auth.uid() = owner) AND (library_id = ANY (ARRAY[1, 2])))" },
	{ "s", "exists (select 1 from public.lp where lp.library_id = s.library_id and user_id = auth.uid())",
	  "(EXISTS ( SELECT 1\n   FROM public.lp\n  WHERE ((lp.library_id = s.library_id) AND (lp.user_id = auth.uid()))))" },
	{ "s", "s.owner = auth.uid()", "(owner = auth.uid())" },
	{ "lp", "now()::date", "(now())::date" },
	{ "lp", "x::int4", "(x)::integer" },
	{ "lp", "created_at > now() - interval '1 day'",
	  "(created_at > (now() - '1 day'::interval))" },
	{ "lp", "(auth.jwt() ->> 'role') = 'admin'",
	  "((auth.jwt() ->> 'role'::text) = 'admin'::text)" },
	{ "lp", "status not in ('a', 'b')",
	  "((status)::text <> ALL ((ARRAY['a'::character varying, 'b'::character varying])::text[]))" },
	{ "lp", "current_timestamp", "CURRENT_TIMESTAMP" },
	{ "lp", "true", "true" },
	{ "lp", "coalesce(status, 'none')", "COALESCE(status, 'none'::character varying)" },
	{ "lp", "library_id between symmetric 2 and 1",
	  "(((library_id >= 2) AND (library_id <= 1)) OR ((library_id >= 1) AND (library_id <= 2)))" },
	{ "lp", "library_id not between symmetric 2 and 1",
	  "(((library_id < 2) OR (library_id > 1)) AND ((library_id < 1) OR (library_id > 2)))" },
	{ "lp", "1e3", "'1000'::numeric" },
	{ "lp", "1.50e-3", "0.00150" },
	{ "lp", ".5", "0.5" },
	{ "lp", "B'101'", "'101'::\"bit\"" },
	{ "lp", "X'F'", "'1111'::\"bit\"" },
	{ "lp", "case when status = 'a' then true end",
	  "CASE WHEN ((status)::text = 'a'::text) THEN true ELSE NULL::boolean END" },
};

START_TEST(migration_and_server_text_agree)
{
	struct pgd_schema *m = model();
	struct pgd_error err = PGD_ERROR_INIT;
	char *a = pgd_normalize_expr(m, "public", same[_i].table,
				     same[_i].migration, &err);
	ck_assert_msg(a, "migration side failed: %s", err.message);
	char *b = pgd_normalize_expr(m, "public", same[_i].table,
				     same[_i].server, &err);
	ck_assert_msg(b, "server side failed: %s", err.message);
	ck_assert_str_eq(a, b);
	/* canonical text is a fixed point */
	char *c = pgd_normalize_expr(m, "public", same[_i].table, a, &err);
	ck_assert_str_eq(c, a);
	free(a);
	free(b);
	free(c);
	pgd_error_release(&err);
	pgd_schema_free(m);
}
END_TEST

static const struct {
	const char *a, *b;
} differ[] = {
	{ "auth.uid() = owner", "auth.uid() <> owner" },
	{ "library_id in (1,2)", "library_id in (1,3)" },
	{ "owner = auth.uid()", "owner = auth.email()" },
	{ "library_id > 0", "library_id >= 0" },
};

START_TEST(different_meaning_differs)
{
	struct pgd_schema *m = model();
	struct pgd_error err = PGD_ERROR_INIT;
	char *a = pgd_normalize_expr(m, "public", "s", differ[_i].a, &err);
	char *b = pgd_normalize_expr(m, "public", "s", differ[_i].b, &err);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
	pgd_schema_free(m);
}
END_TEST

static const struct {
	const char *migration, *server;
} indexes[] = {
	{ "create index i on lp (lower(status)) where library_id > 0",
	  "CREATE INDEX i ON public.lp USING btree (lower((status)::text)) WHERE (library_id > 0)" },
	{ "create unique index if not exists i on public.lp using btree (user_id asc nulls last, id desc nulls first)",
	  "CREATE UNIQUE INDEX i ON public.lp USING btree (user_id, id DESC)" },
	{ "create index i on lp using gin (status jsonb_ops)",
	  "CREATE INDEX i ON public.lp USING gin (status)" },
	{ "create index i on lp ((status))",
	  "CREATE INDEX i ON public.lp USING btree (status)" },
	{ "create index i on lp (id) with (fillfactor = 70, deduplicate_items = off)",
	  "CREATE INDEX i ON public.lp USING btree (id) WITH (fillfactor='70', deduplicate_items=off)" },
};

START_TEST(index_definitions_agree)
{
	struct pgd_schema *m = model();
	struct pgd_table *t = pgd_schema_find_table(m, "public", "lp");
	struct pgd_error err = PGD_ERROR_INIT;
	struct pgd_index *a = pgd_table_add_index(m, t, "i");
	ck_assert_int_eq(pgd_normalize_index(m, t, a, indexes[_i].migration, &err), 0);
	struct pgd_index *b = pgd_table_add_index(m, t, "i2");
	ck_assert_int_eq(pgd_normalize_index(m, t, b, indexes[_i].server, &err), 0);
	ck_assert_str_eq(a->def, b->def);
	pgd_schema_free(m);
}
END_TEST

/* The canonical text is SQL a user can run: index names PostgreSQL quotes
 * stay quoted (libpg_query's deparser alone drops the quotes). */
START_TEST(index_names_stay_quoted)
{
	static const char *const defs[] = {
		"CREATE INDEX \"we ird\" ON public.lp USING btree (id)",
		"CREATE UNIQUE INDEX \"Mixed_idx\" ON public.lp USING btree (id)",
		"CREATE INDEX \"select\" ON public.lp USING btree (id)",
		"CREATE INDEX plain_idx ON public.lp USING btree (id)",
	};
	for (size_t i = 0; i < PGD_ARRAY_SIZE(defs); i++) {
		struct pgd_schema *m = model();
		struct pgd_table *t = pgd_schema_find_table(m, "public", "lp");
		struct pgd_error err = PGD_ERROR_INIT;
		struct pgd_index *a = pgd_table_add_index(m, t, "i");
		ck_assert_int_eq(pgd_normalize_index(m, t, a, defs[i], &err), 0);
		ck_assert_str_eq(a->def, defs[i]);
		pgd_schema_free(m);
	}
}
END_TEST

static const struct {
	const char *def, *want;
} constraints[] = {
	{ "FOREIGN KEY (user_id) REFERENCES public.s(owner) ON DELETE CASCADE",
	  "FOREIGN KEY (user_id) REFERENCES public.s(owner) ON DELETE CASCADE" },
	{ "foreign key (user_id) references s(owner) on update restrict on delete set null deferrable initially deferred",
	  "FOREIGN KEY (user_id) REFERENCES public.s(owner) ON UPDATE RESTRICT ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED" },
	{ "CHECK (((library_id >= 1) AND (library_id <= 2)))",
	  "CHECK (library_id >= 1 AND library_id <= 2)" },
	{ "check (library_id between 1 and 2)",
	  "CHECK (library_id >= 1 AND library_id <= 2)" },
	{ "PRIMARY KEY (id)", "PRIMARY KEY (id)" },
	{ "UNIQUE NULLS NOT DISTINCT (user_id, status)",
	  "UNIQUE NULLS NOT DISTINCT (user_id, status)" },
	{ "FOREIGN KEY (user_id) REFERENCES public.s(owner) NOT VALID",
	  "FOREIGN KEY (user_id) REFERENCES public.s(owner)" },
};

START_TEST(constraint_definitions)
{
	struct pgd_schema *m = model();
	struct pgd_table *t = pgd_schema_find_table(m, "public", "lp");
	struct pgd_error err = PGD_ERROR_INIT;
	struct pgd_constraint *c = pgd_table_add_constraint(m, t, "c");
	ck_assert_msg(pgd_normalize_constraint(m, t, c, constraints[_i].def,
					       &err) == 0, "%s", err.message);
	ck_assert_str_eq(c->def, constraints[_i].want);
	pgd_schema_free(m);
}
END_TEST

START_TEST(not_valid_is_recorded)
{
	struct pgd_schema *m = model();
	struct pgd_table *t = pgd_schema_find_table(m, "public", "lp");
	struct pgd_error err = PGD_ERROR_INIT;
	struct pgd_constraint *c = pgd_table_add_constraint(m, t, "c");
	ck_assert_int_eq(pgd_normalize_constraint(m, t, c,
		"CHECK (id > 0) NOT VALID", &err), 0);
	ck_assert(!c->validated);
	ck_assert_int_eq(c->type, PGD_CON_CHECK);
	pgd_schema_free(m);
}
END_TEST

START_TEST(bad_text_is_an_error)
{
	struct pgd_error err = PGD_ERROR_INIT;
	char *a = pgd_normalize_expr(NULL, NULL, NULL, "1 +", &err);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(err.exit_code, 4);
	ck_assert_ptr_nonnull(strstr(err.message, "syntax error"));
	pgd_error_release(&err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("normalize");
	TCase *tc = tcase_create("normalize");
	tcase_add_loop_test(tc, migration_and_server_text_agree, 0, PGD_NCASES(same));
	tcase_add_loop_test(tc, different_meaning_differs, 0, PGD_NCASES(differ));
	tcase_add_test(tc, index_names_stay_quoted);
	tcase_add_loop_test(tc, index_definitions_agree, 0, PGD_NCASES(indexes));
	tcase_add_loop_test(tc, constraint_definitions, 0, PGD_NCASES(constraints));
	tcase_add_test(tc, not_valid_is_recorded);
	tcase_add_test(tc, bad_text_is_an_error);
	suite_add_tcase(s, tc);
	return pgd_run_suite(s);
}

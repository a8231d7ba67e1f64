/*
 * check_eval.c - the interpreter (src/eval) on its own, with a host that
 * records every statement it is asked to run and answers like the replay
 * would: CREATE TABLE adds the table to the model (so loops and guards see
 * what they made), a second one fails with duplicate_table, text with
 * "boom" fails with undefined_object.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "pgdrift/eval.h"
#include "pgdrift/arena.h"
#include "pgdrift/strbuf.h"
#include "src/eval/ev.h"

struct fake {
	struct pgd_schema *m;
	struct pgd_strbuf log;
	const char *path[2];
	size_t npath;
	char setting[64];
};

static int fake_exec(void *arg, const char *sql, unsigned line, bool dynamic,
		     struct pgd_eval_error *err)
{
	struct fake *f = arg;
	pgd_strbuf_addf(&f->log, "%u%s:%s\n", line, dynamic ? "d" : "", sql);
	char name[64];
	if (strstr(sql, "boom")) {
		strcpy(err->sqlstate, "42704");
		err->message = pgd_xstrdup("boom does not exist");
		err->partial = strstr(sql, "partial") != NULL;
		return -1;
	}
	if (strstr(sql, "unmodelable")) {
		err->message = pgd_xstrdup("cannot model");
		return -2;
	}
	if (sscanf(sql, "create table public.%63[a-z_0-9]", name) == 1 ||
	    sscanf(sql, "CREATE TABLE public.%63[a-z_0-9]", name) == 1) {
		if (pgd_schema_find_table(f->m, "public", name)) {
			strcpy(err->sqlstate, "42P07");
			err->message = pgd_xasprintf("relation \"%s\" already exists", name);
			return -1;
		}
		pgd_schema_add_table(f->m, "public", name);
	}
	return 0;
}

static const char *const *fake_path(void *arg, size_t *n)
{
	struct fake *f = arg;
	*n = f->npath;
	return f->path;
}

static const char *fake_get(void *arg, const char *name)
{
	struct fake *f = arg;
	return !strcmp(name, "app.x") && f->setting[0] ? f->setting : NULL;
}

static void fake_set(void *arg, const char *name, const char *value)
{
	struct fake *f = arg;
	if (!strcmp(name, "app.x"))
		snprintf(f->setting, sizeof(f->setting), "%s", value);
}

static struct pgd_eval *fake_new(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->m = pgd_schema_new();
	f->path[0] = "public";
	f->path[1] = "extensions";
	f->npath = 2;
	struct pgd_eval_host h = { f, f->m, fake_exec, fake_path, fake_get, fake_set, NULL, NULL, NULL };
	return pgd_eval_new(&h);
}

static void fake_free(struct fake *f, struct pgd_eval *ev)
{
	pgd_eval_free(ev);
	pgd_schema_free(f->m);
	pgd_strbuf_release(&f->log);
}

/* Runs body as a DO block starting on line 10; returns the status. */
static enum pgd_eval_status run_do(struct pgd_eval *ev, const char *body,
				   struct pgd_eval_result *res)
{
	return pgd_eval_do(ev, body, "plpgsql", 10, 9, res);
}

START_TEST(foreach_format_execute)
{
	struct fake f;
	struct pgd_eval *ev = fake_new(&f);
	struct pgd_eval_result res;
	enum pgd_eval_status st = run_do(ev,
		" declare t text; begin\n"
		"  foreach t in array array['orgs','Projects'] loop\n"
		"    execute format('alter table public.%I enable row level security', t);\n"
		"    execute format('create policy %1$I on public.%2$I using (%3$L = %3$L)', t || '_read', t, 'it''s');\n"
		"  end loop; end ", &res);
	ck_assert_int_eq(st, PGD_EVAL_DONE);
	ck_assert_str_eq(f.log.buf,
		"9d:alter table public.orgs enable row level security\n"
		"9d:create policy orgs_read on public.orgs using ('it''s' = 'it''s')\n"
		"9d:alter table public.\"Projects\" enable row level security\n"
		"9d:create policy \"Projects_read\" on public.\"Projects\" using ('it''s' = 'it''s')\n");
	ck_assert_uint_eq(res.executed, 4);
	pgd_eval_result_release(&res);
	fake_free(&f, ev);
}
END_TEST

START_TEST(static_sql_gets_its_line_and_guards_see_the_model)
{
	struct fake f;
	struct pgd_eval *ev = fake_new(&f);
	struct pgd_eval_result res;
	const char *body =
		"\nbegin\n"
		"  if not exists (select 1 from pg_tables where schemaname = 'public' and tablename = 'notes') then\n"
		"    create table public.notes (id int);\n"
		"  end if;\n"
		"end\n";
	ck_assert_int_eq(run_do(ev, body, &res), PGD_EVAL_DONE);
	pgd_eval_result_release(&res);
	/* the second time the guard skips */
	ck_assert_int_eq(run_do(ev, body, &res), PGD_EVAL_DONE);
	pgd_eval_result_release(&res);
	ck_assert_str_eq(f.log.buf, "13:create table public.notes (id int)\n");
	fake_free(&f, ev);
}
END_TEST

START_TEST(handlers_catch_what_postgres_would)
{
	struct fake f;
	struct pgd_eval *ev = fake_new(&f);
	struct pgd_eval_result res;
	pgd_schema_add_table(f.m, "public", "a");
	ck_assert_int_eq(run_do(ev,
		"begin\n"
		"  begin create table public.a (x int); exception when duplicate_table then null; end;\n"
		"  begin create table public.boom (x int); exception when undefined_object then null; end;\n"
		"  begin create table public.a (x int); exception when sqlstate '42P07' then null; end;\n"
		"  begin raise exception 'x' using errcode = 'duplicate_object';\n"
		"  exception when others then null; end;\n"
		"end", &res), PGD_EVAL_DONE);
	pgd_eval_result_release(&res);
	/* the wrong condition lets it escape */
	ck_assert_int_eq(run_do(ev,
		"begin\n"
		"  begin create table public.a (x int); exception when duplicate_object then null; end;\n"
		"end", &res), PGD_EVAL_FAILED);
	ck_assert_str_eq(res.sqlstate, "42P07");
	ck_assert_uint_eq(res.line, 11);
	pgd_eval_result_release(&res);
	/* RAISE EXCEPTION aborts */
	ck_assert_int_eq(run_do(ev, "begin raise exception 'no %', 1+1; end", &res),
			 PGD_EVAL_FAILED);
	ck_assert_str_eq(res.message, "no 2");
	ck_assert_str_eq(res.sqlstate, "P0001");
	pgd_eval_result_release(&res);
	fake_free(&f, ev);
}
END_TEST

START_TEST(rollback_of_changes_is_unmodeled)
{
	struct fake f;
	struct pgd_eval *ev = fake_new(&f);
	struct pgd_eval_result res;
	ck_assert_int_eq(run_do(ev,
		"begin\n"
		"  begin\n"
		"    create table public.b (x int);\n"
		"    create table public.boom (x int);\n"
		"  exception when others then null; end;\n"
		"end", &res), PGD_EVAL_UNMODELED);
	ck_assert_str_eq(res.construct, "rollback to savepoint");
	pgd_eval_result_release(&res);
	/* a statement that failed half-way needs a rollback too */
	ck_assert_int_eq(run_do(ev,
		"begin\n"
		"  begin alter table public.boom add column partial int;\n"
		"  exception when undefined_object then null; end;\n"
		"end", &res), PGD_EVAL_UNMODELED);
	ck_assert_str_eq(res.construct, "rollback to savepoint");
	pgd_eval_result_release(&res);
	/* one that failed cleanly is caught */
	ck_assert_int_eq(run_do(ev,
		"begin\n"
		"  begin alter table public.boom add column x int;\n"
		"  exception when undefined_object then null; end;\n"
		"end", &res), PGD_EVAL_DONE);
	pgd_eval_result_release(&res);
	fake_free(&f, ev);
}
END_TEST

START_TEST(loops_and_limits)
{
	struct fake f;
	struct pgd_eval *ev = fake_new(&f);
	struct pgd_eval_result res;
	ck_assert_int_eq(run_do(ev,
		"declare n int := 0; r record; begin\n"
		"  for i in 1..10 by 3 loop execute 'create table public.t' || i || ' ()'; end loop;\n"
		"  for i in reverse 3..1 loop n := n + i; end loop;\n"
		"  while n < 100 loop n := n * 2; continue when n < 50; exit; end loop;\n"
		"  loop n := n - 1; exit when n <= 90; end loop;\n"
		"  for r in select tablename from pg_tables where tablename like 't%' order by tablename desc loop\n"
		"    execute format('create table public.%s_copy ()', r.tablename);\n"
		"  end loop;\n"
		"  if n <> 90 then raise exception 'n=%', n; end if;\n"
		"end", &res), PGD_EVAL_DONE);
	pgd_eval_result_release(&res);
	ck_assert_ptr_nonnull(strstr(f.log.buf, "create table public.t10 ()"));
	ck_assert_ptr_nonnull(strstr(f.log.buf, "9d:create table public.t7_copy ()\n"
						  "9d:create table public.t4_copy ()\n"
						  "9d:create table public.t10_copy ()\n"
						  "9d:create table public.t1_copy ()\n"));
	/* an endless loop stops at the bound */
	struct pgd_eval_limits l = PGD_EVAL_LIMITS_INIT;
	l.loops = 1000;
	pgd_eval_set_limits(ev, &l);
	ck_assert_int_eq(run_do(ev, "begin loop end loop; end", &res), PGD_EVAL_UNMODELED);
	ck_assert_str_eq(res.construct, "loop limit");
	pgd_eval_result_release(&res);
	ck_assert_int_eq(run_do(ev, "begin return next; end", &res), PGD_EVAL_UNMODELED);
	pgd_eval_result_release(&res);
	/* a loop querying the catalog it grows, whose filter passes no
	 * table: every table the scan looks at costs a step, so the bound
	 * comes after ~200 rounds (k^2/2 steps), not ~2,000 (found by the
	 * fuzzer: 13 s at the default bounds, now 40 ms) */
	l = (struct pgd_eval_limits)PGD_EVAL_LIMITS_INIT;
	l.steps = 20000;
	pgd_eval_set_limits(ev, &l);
	size_t before = f.log.len;
	ck_assert_int_eq(run_do(ev,
		"declare i int := 0; begin\n"
		"  while (select count(*) from pg_tables where schemaname = 'nowhere') < 4 loop\n"
		"    i := i + 1;\n"
		"    execute format('create table public.grow_%s ()', i);\n"
		"  end loop;\n"
		"end", &res), PGD_EVAL_UNMODELED);
	ck_assert_str_eq(res.construct, "step limit");
	pgd_eval_result_release(&res);
	size_t made = 0;
	for (const char *p = f.log.buf + before; (p = strstr(p, "public.grow_")); p++)
		made++;
	ck_assert_uint_gt(made, 50);
	ck_assert_uint_lt(made, 400);
	fake_free(&f, ev);
}
END_TEST

START_TEST(functions_named_defaults_and_replace)
{
	struct fake f;
	struct pgd_eval *ev = fake_new(&f);
	struct pgd_eval_result res;
	const char *v1 =
		"create function public.mk(tbl text, suffix text default 'x') returns void\n"
		"language plpgsql as $$ begin\n"
		"  execute format('create table public.%s_%s ()', tbl, suffix);\n"
		"end $$";
	pgd_schema_add_function(f.m, "public", "mk", "text, text");
	pgd_eval_define(ev, "public", "mk", "text, text", v1, 5);
	ck_assert(pgd_eval_knows(ev, "public", "mk"));
	ck_assert_int_eq(pgd_eval_toplevel(ev, "select mk('a'), public.mk(suffix => 'z', tbl => 'b')",
					   20, &res), PGD_EVAL_DONE);
	pgd_eval_result_release(&res);
	const char *v2 =
		"create or replace function public.mk(tbl text, suffix text default 'x') returns void\n"
		"language sql as $$ create table public.v2 () $$";
	pgd_eval_define(ev, "public", "mk", "text, text", v2, 30);
	ck_assert_int_eq(pgd_eval_toplevel(ev, "select mk('c')", 31, &res), PGD_EVAL_DONE);
	pgd_eval_result_release(&res);
	ck_assert_str_eq(f.log.buf, "20d:create table public.a_x ()\n"
				    "20d:create table public.b_z ()\n"
				    "31d:create table public.v2 ()\n");
	/* SQL functions return their last SELECT; CASE, LIKE */
	const char *lim =
		"create function public.lim(c text) returns int language sql as $$\n"
		"  select case when c like '%\\_name' escape '\\' then 100 when c ilike 'E%' then 320 else 0 end $$";
	pgd_schema_add_function(f.m, "public", "lim", "text");
	pgd_eval_define(ev, "public", "lim", "text", lim, 40);
	ck_assert_int_eq(run_do(ev,
		"begin\n"
		"  if lim('first_name') <> 100 or lim('EMAIL') <> 320 or lim('x') <> 0 then\n"
		"    raise exception 'lim';\n"
		"  end if;\n"
		"end", &res), PGD_EVAL_DONE);
	pgd_eval_result_release(&res);
	/* a SELECT calling nothing of the migrations is not ours */
	ck_assert_int_eq(pgd_eval_toplevel(ev, "select now()", 50, &res), PGD_EVAL_NOT_MINE);
	pgd_eval_result_release(&res);
	/* a dropped function is not called */
	pgd_schema_remove_function(f.m, pgd_schema_find_function(f.m, "public", "mk", "text, text"));
	ck_assert_int_eq(pgd_eval_toplevel(ev, "select mk('d')", 60, &res),
			 PGD_EVAL_FAILED);
	ck_assert_str_eq(res.sqlstate, "42883");
	pgd_eval_result_release(&res);
	fake_free(&f, ev);
}
END_TEST

struct expr_case {
	const char *expr;
	const char *want; /* text of the value, "<NULL>" for NULL */
};

static const struct expr_case expr_cases[] = {
	{ "format('%I.%I', 'public', 'My T')", "public.\"My T\"" },
	{ "format('%s %L %L %%', 1, null, 'a\\b')", "1 NULL E'a\\\\b' %" },
	{ "format('%2$s-%1$s', 'a', 'b')", "b-a" },
	{ "quote_ident('select') || quote_literal('o''k') || quote_nullable(null)",
	  "\"select\"'o''k'NULL" },
	{ "concat('a', null, 2, true)", "a2true" },
	{ "concat_ws('-', 'a', null, 'b')", "a-b" },
	{ "upper('ab') || lower('CD') || btrim('  x  ') || trim(both 'x' from 'xxyxx')", "ABcdxy" },
	{ "replace('a.b.c', '.', '_')", "a_b_c" },
	{ "substring('hello' from 2 for 3) || substr('hello', 4)", "elllo" },
	{ "split_part('a,b,c', ',', 2) || split_part('a,b,c', ',', -1)", "bc" },
	{ "left('abcdef', 2) || right('abcdef', -4)", "abef" },
	{ "length('héllo') + position('l' in 'hello')", "8" },
	{ "'a_b' like 'a\\_b' and 'A%B' ilike 'a#%b' escape '#' and 'x' not like 'y'", "true" },
	{ "'abc' ~ '^a.c$' and not ('abc' ~ 'z')", "true" },
	{ "null is null and 1 is not null and null is distinct from 1 and 2 is not distinct from 2",
	  "true" },
	{ "3 in (1, 2, 3) and 'x' not in ('a', 'b')", "true" },
	{ "coalesce(null, 'b', 'c') || nullif('a', 'a') is null", "true" },
	{ "coalesce(null, 'b', 'c') || nullif('a', 'a')", "<NULL>" },
	{ "coalesce(nullif('a', 'b'), 'z')", "a" },
	{ "greatest(1, 5, 3) * 10 + least(4, 2) - 7 / 2 % 2", "51" },
	{ "array_length(array['a','b','c'], 1) + cardinality('{x,y}'::text[])", "5" },
	{ "array['a','b'] || 'c'", "{a,b,c}" },
	{ "(array['x','y','z'])[2]", "y" },
	{ "'{\"a b\",c}'::text[]", "{\"a b\",c}" },
	{ "'12'::int + 1", "13" },
	{ "'yes'::boolean", "true" },
	{ "case when 1 = 2 then 'a' when 2 = 2 then 'b' else 'c' end", "b" },
	{ "case 'x' when 'y' then 1 when 'x' then 2 end", "2" },
	{ "current_schema()", "public" },
	{ "to_regclass('public.nope') is null", "true" },
	{ "(select count(*) from pg_tables where schemaname = 'public')", "2" },
	{ "(select string_agg(tablename, ',' order by tablename) from pg_tables where schemaname = 'public')",
	  "Weird,t" },
	{ "(select string_agg(schemaname || '.' || tablename, ',') from pg_tables where schemaname <> 'public')",
	  "auth.users,storage.buckets,storage.objects" },
	{ "(select array_agg(column_name order by ordinal_position) from information_schema.columns where table_name = 't')",
	  "{id,name}" },
	{ "'public.t'::regclass::text || ' ' || 't'::regclass || ' ' || '\"Weird\"'::regclass",
	  "t t \"Weird\"" },
	{ "exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace "
	  "where n.nspname = 'public' and c.relname = 't')", "true" },
	{ "(select c.relname from pg_class c where c.oid = 'public.t'::regclass)", "t" },
	{ "current_setting('app.x', true) is null", "true" },
	{ "(select count(*) from unnest(array[1,2,3]) u)", "3" },
	{ "(select string_agg(x, '') from (select distinct u as x from unnest(array['b','a','b']) u order by 1) s)",
	  "ab" },
	{ "1 between 0 and 2 and 5 not between 0 and 2", "true" },
	{ "'a' = any(array['b','a'])", "true" },
	{ "(select max(tablename) from pg_tables where schemaname = 'public' limit 1)", "t" },
};

START_TEST(expressions)
{
	struct fake f;
	struct pgd_eval *ev = fake_new(&f);
	struct pgd_eval_result res;
	struct pgd_table *t = pgd_schema_add_table(f.m, "public", "t");
	pgd_table_add_column(f.m, t, "id")->position = 1;
	pgd_table_add_column(f.m, t, "name")->position = 2;
	pgd_schema_add_table(f.m, "public", "Weird");
	const struct expr_case *c = &expr_cases[_i];
	char *body = pgd_xasprintf(
		"declare v text; begin v := %s;\n"
		"raise exception 'v=%%', coalesce(v, '<NULL>'); end", c->expr);
	enum pgd_eval_status st = run_do(ev, body, &res);
	ck_assert_msg(st == PGD_EVAL_FAILED && !strcmp(res.sqlstate, "P0001"), "%s: %s",
		      c->expr, res.message);
	char *want = pgd_xasprintf("v=%s", c->want);
	ck_assert_str_eq(res.message, want);
	free(want);
	free(body);
	pgd_eval_result_release(&res);
	fake_free(&f, ev);
}
END_TEST

START_TEST(regclass_follows_search_path)
{
	struct fake f;
	struct pgd_eval *ev = fake_new(&f);
	struct pgd_eval_result res;
	pgd_schema_add_namespace(f.m, "app");
	pgd_schema_add_table(f.m, "app", "items");
	ck_assert_int_eq(run_do(ev, "begin execute 'alter table ' || 'app.items'::regclass || ' enable row level security'; end", &res),
			 PGD_EVAL_DONE);
	pgd_eval_result_release(&res);
	f.path[0] = "app";
	ck_assert_int_eq(run_do(ev, "begin execute 'alter table ' || 'app.items'::regclass || ' enable row level security'; end", &res),
			 PGD_EVAL_DONE);
	pgd_eval_result_release(&res);
	ck_assert_str_eq(f.log.buf, "9d:alter table app.items enable row level security\n"
				    "9d:alter table items enable row level security\n");
	/* a missing relation is undefined_table, catchable */
	ck_assert_int_eq(run_do(ev, "begin perform 'nope'::regclass; end", &res),
			 PGD_EVAL_FAILED);
	ck_assert_str_eq(res.sqlstate, "42P01");
	pgd_eval_result_release(&res);
	fake_free(&f, ev);
}
END_TEST

START_TEST(settings_diagnostics_and_nested_do)
{
	struct fake f;
	struct pgd_eval *ev = fake_new(&f);
	struct pgd_eval_result res;
	ck_assert_int_eq(run_do(ev,
		"declare n int; s text; begin\n"
		"  perform set_config('app.x', 'v1', false);\n"
		"  execute 'create table public.z' || current_setting('app.x') || ' ()';\n"
		"  execute 'do $i$ begin execute ''create table public.inner ()''; end $i$';\n"
		"  get diagnostics n = row_count;\n"
		"  begin perform 1/0; exception when division_by_zero then\n"
		"    get stacked diagnostics s = returned_sqlstate;\n"
		"    execute 'create table public.state_' || s || ' ()';\n"
		"  end;\n"
		"end", &res), PGD_EVAL_DONE);
	pgd_eval_result_release(&res);
	ck_assert_str_eq(f.log.buf, "9d:create table public.zv1 ()\n"
				    "9d:create table public.inner ()\n"
				    "9d:create table public.state_22012 ()\n");
	/* the host cannot model a statement: the block is unmodeled */
	ck_assert_int_eq(run_do(ev, "begin execute 'create table public.unmodelable ()'; end", &res),
			 PGD_EVAL_UNMODELED);
	pgd_eval_result_release(&res);
	/* a body libpg_query cannot parse is unmodeled */
	ck_assert_int_eq(run_do(ev, "begin if then end", &res), PGD_EVAL_UNMODELED);
	pgd_eval_result_release(&res);
	ck_assert_int_eq(pgd_eval_do(ev, "", "plpgsql", 1, 1, &res), PGD_EVAL_UNMODELED);
	pgd_eval_result_release(&res);
	ck_assert_int_eq(pgd_eval_do(ev, "select 1", "sql", 1, 1, &res), PGD_EVAL_UNMODELED);
	pgd_eval_result_release(&res);
	fake_free(&f, ev);
}
END_TEST

START_TEST(condition_names)
{
	ck_assert_str_eq(pgd_eval_sqlstate("duplicate_table"), "42P07");
	ck_assert_str_eq(pgd_eval_sqlstate("DUPLICATE_OBJECT"), "42710");
	ck_assert_str_eq(pgd_eval_sqlstate("undefined_table"), "42P01");
	ck_assert_ptr_null(pgd_eval_sqlstate("no_such_condition"));
}
END_TEST

/* The reader of libpg_query's PL/pgSQL JSON (src/eval/json.c). */
START_TEST(json_reader)
{
	struct pgd_arena *a = pgd_arena_new();
	const char *err;
	struct ev_json *j = ev_json_parse(a, " [{\"PLpgSQL_function\": {\"datums\": [], "
		"\"n\": -42, \"big\": 99999999999999999999, \"r\": 1.5e3, \"t\": true, "
		"\"f\": false, \"z\": null, \"s\": \"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\\/\"}}] ", &err);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(ev_json_size(j), 1);
	struct ev_json *o = ev_json_at(j, 0);
	ck_assert_int_eq(o->t, EVJ_OBJ);
	ck_assert_str_eq(o->k[0], "PLpgSQL_function");
	struct ev_json *f = ev_json_get(o, "PLpgSQL_function");
	ck_assert_uint_eq(ev_json_size(ev_json_get(f, "datums")), 0);
	ck_assert_int_eq(ev_json_get(f, "n")->i, -42);
	ck_assert_int_eq(ev_json_get(f, "big")->t, EVJ_REAL);
	ck_assert_int_eq(ev_json_get(f, "r")->t, EVJ_REAL);
	ck_assert(ev_json_get(f, "t")->b && !ev_json_get(f, "f")->b);
	ck_assert_int_eq(ev_json_get(f, "z")->t, EVJ_NULL);
	ck_assert_str_eq(ev_json_get(f, "s")->s, "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80/");
	ck_assert_ptr_null(ev_json_get(f, "missing"));
	ck_assert_ptr_null(ev_json_at(j, 1));
	ck_assert_int_eq(ev_json_get(f, "datums")->aux, -1);
	/* not JSON, or too deep: NULL and a reason, never a crash */
	static const char *const bad[] = { "", "[", "{\"a\" 1}", "[1,]x", "\"abc",
		"\"\\u12\"", "\"\\u0000\"", "[1] 2", "{1: 2}", "tru" };
	for (size_t i = 0; i < PGD_ARRAY_SIZE(bad); i++) {
		ck_assert_ptr_null(ev_json_parse(a, bad[i], &err));
		ck_assert_ptr_nonnull(err);
	}
	char deep[2100];
	memset(deep, '[', 2050);
	deep[2050] = '\0';
	ck_assert_ptr_null(ev_json_parse(a, deep, &err));
	ck_assert_str_eq(err, "nested too deeply");
	pgd_arena_free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("eval");
	TCase *tc = tcase_create("eval");
	tcase_add_test(tc, foreach_format_execute);
	tcase_add_test(tc, static_sql_gets_its_line_and_guards_see_the_model);
	tcase_add_test(tc, handlers_catch_what_postgres_would);
	tcase_add_test(tc, rollback_of_changes_is_unmodeled);
	tcase_add_test(tc, loops_and_limits);
	tcase_add_test(tc, functions_named_defaults_and_replace);
	tcase_add_loop_test(tc, expressions, 0, PGD_NCASES(expr_cases));
	tcase_add_test(tc, regclass_follows_search_path);
	tcase_add_test(tc, settings_diagnostics_and_nested_do);
	tcase_add_test(tc, condition_names);
	tcase_add_test(tc, json_reader);
	suite_add_tcase(s, tc);
	return pgd_run_suite(s);
}

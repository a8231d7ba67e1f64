/*
 * check_refs.c - the code scanner: each tokenizer on the constructs that
 * could hide or fake a call (comments, every quote form, substitutions,
 * regex literals), then the matcher (tokens -> references) with a positive
 * case and a look-alike for each pattern, the file classification, the
 * .gitignore globs and the SQL analysis.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/normalize.h"
#include "pgdrift/refs.h"
#include "pgdrift/strbuf.h"
#include "unit.h"

/* "I:name S:value T:value R:/re/ N:1 P:(" per token, space separated */
static char *dump_tokens(enum pgd_lang lang, const char *src)
{
	struct pgd_tokens t = PGD_TOKENS_INIT;
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_tokenize(lang, src, strlen(src), &t);
	for (size_t i = 0; i < t.n; i++) {
		const struct pgd_token *k = &t.v[i];
		if (i)
			pgd_strbuf_addch(&sb, ' ');
		switch (k->kind) {
		case PGD_TOK_IDENT: pgd_strbuf_addstr(&sb, "I:"); break;
		case PGD_TOK_NUMBER: pgd_strbuf_addstr(&sb, "N:"); break;
		case PGD_TOK_STRING: pgd_strbuf_addstr(&sb, "S:"); break;
		case PGD_TOK_TEMPLATE: pgd_strbuf_addstr(&sb, "T:"); break;
		case PGD_TOK_REGEX: pgd_strbuf_addstr(&sb, "R:"); break;
		case PGD_TOK_PUNCT: pgd_strbuf_addstr(&sb, "P:"); break;
		}
		if (k->kind == PGD_TOK_STRING || k->kind == PGD_TOK_TEMPLATE)
			pgd_strbuf_addstr(&sb, pgd_token_val(&t, i));
		else
			pgd_strbuf_add(&sb, src + k->off, k->len);
	}
	pgd_tokens_release(&t);
	return pgd_strbuf_detach(&sb, NULL);
}

static const struct {
	enum pgd_lang lang;
	const char *src, *want;
} tok_cases[] = {
	/* JavaScript / TypeScript */
	{ PGD_LANG_JS, "a.from('t') // b.from('x')\n/* c.from('y') */ d",
	  "I:a P:. I:from P:( S:t P:) I:d" },
	{ PGD_LANG_JS, "\"it's\" + 'say \"hi\"' + 'a\\'b'",
	  "S:it's P:+ S:say \"hi\" P:+ S:a'b" },
	{ PGD_LANG_JS, "`x ${a + `in ${b}`} y`",
	  "T:x $1 y I:a P:+ T:in $1 I:b" },
	{ PGD_LANG_JS, "`${ {k: '}'}.k }`", "T:$1 P:{ I:k P:: S:} P:} P:. I:k" },
	{ PGD_LANG_JS, "x = a / b / c", "I:x P:= I:a P:/ I:b P:/ I:c" },
	{ PGD_LANG_JS, "x = /'[/]'/g.test(s)", "I:x P:= R:/'[/]'/g P:. I:test P:( I:s P:)" },
	{ PGD_LANG_JS, "return /a/.test(x)", "I:return R:/a/ P:. I:test P:( I:x P:)" },
	{ PGD_LANG_JS, "(a) / 2 / (b)", "P:( I:a P:) P:/ N:2 P:/ P:( I:b P:)" },
	{ PGD_LANG_JS, "a?.b ? .5 : 1", "I:a P:?. I:b P:? N:.5 P:: N:1" },
	{ PGD_LANG_JS, "<p>It's {x}</p>\ny", "P:< I:p P:> I:It S:s {x}</p> I:y" },
	{ PGD_LANG_JS, "#!/usr/bin/env node\nz", "I:z" },
	{ PGD_LANG_JS, "'unterminated\nq", "S:unterminated I:q" },
	/* Python */
	{ PGD_LANG_PYTHON, "a.table('t') # b.table('x')", "I:a P:. I:table P:( S:t P:)" },
	{ PGD_LANG_PYTHON, "'''x 'y' \"z\"''' + \"\"\"q\"\"\"",
	  "S:x 'y' \"z\" P:+ S:q" },
	{ PGD_LANG_PYTHON, "r'\\d' + b'\\x00' + rb\"a\"", "S:\\d P:+ S:x00 P:+ S:a" },
	{ PGD_LANG_PYTHON, "f'{a} {{b}} {c!r:>{w}}'", "S:$1 {b} $2 I:a I:c" },
	{ PGD_LANG_PYTHON, "f\"{d['k']}\"", "S:$1 I:d P:[ S:k P:]" },
	{ PGD_LANG_PYTHON, "x = 1 \\\n  + 2", "I:x P:= N:1 P:+ N:2" },
	{ PGD_LANG_PYTHON, "rb = 3", "I:rb P:= N:3" },
	/* Dart, Swift, Kotlin */
	{ PGD_LANG_DART, "/* a /* nested */ b.from('x') */ c", "I:c" },
	{ PGD_LANG_DART, "'$a and ${b.c} \\$d'", "S:$1 and $2 $d I:b P:. I:c" },
	{ PGD_LANG_DART, "r'$a\\n' + '''x'y'''", "S:$a\\n P:+ S:x'y" },
	{ PGD_LANG_SWIFT, "\"a \\(b.c) $d\"", "S:a $1 $d I:b P:. I:c" },
	{ PGD_LANG_KOTLIN, "\"${'$'}x $y\" + \"\"\"raw \\n\"\"\"",
	  "S:$1x $2 S:$ P:+ S:raw \\n" },
};

START_TEST(tokenizers)
{
	char *got = dump_tokens(tok_cases[_i].lang, tok_cases[_i].src);
	ck_assert_msg(!strcmp(got, tok_cases[_i].want),
		      "case %d (%s):\n%s\n got: %s\nwant: %s", _i,
		      pgd_lang_name(tok_cases[_i].lang), tok_cases[_i].src, got,
		      tok_cases[_i].want);
	free(got);
}
END_TEST

/* "table api schema.name ops line" per reference */
static char *dump_refs(const char *rel, const char *src)
{
	struct pgd_refs_options o = { "app", NULL, 0, NULL, 0 };
	struct pgd_refs_scan s = { 0 };
	pgd_refs_scan_text(&o, &s, rel, src, strlen(src));
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	static const char *const kinds[] = { "table", "function", "bucket" };
	for (size_t i = 0; i < s.nrefs; i++) {
		const struct pgd_ref *r = &s.refs[i];
		char ops[64];
		pgd_strbuf_addf(&sb, "%s %s %s%s%s [%s] %u\n", kinds[r->kind],
				r->via == PGD_VIA_SQL ? "sql" : "api",
				r->schema ? r->schema : "", r->schema ? "." : "",
				r->name, pgd_ops_text(r->ops, ops), r->line);
	}
	pgd_refs_scan_release(&s);
	return pgd_strbuf_detach(&sb, NULL);
}

static const struct {
	const char *name, *rel, *src, *want;
} ref_cases[] = {
	{ "js from + select", "a.ts", "supabase.from('t').select('*')",
	  "table api t [select] 1\n" },
	{ "js chain over lines, several commands", "a.ts",
	  "await db\n  .from(\"t\")\n  .insert({ a: 1 })\n  .select()\n  .single();",
	  "table api t [select, insert] 2\n" },
	{ "js upsert is insert and update", "a.ts", "s.from('t').upsert(x)",
	  "table api t [insert, update] 1\n" },
	{ "js update, delete, generics, optional chaining", "a.ts",
	  "s?.from('t').update<Row>(x).eq('id', 1); s.from('u')!.delete()",
	  "table api t [update] 1\ntable api u [delete] 1\n" },
	{ "js template argument counts", "a.ts", "s.from(`t`).select()",
	  "table api t [select] 1\n" },
	{ "js template with a substitution is dynamic", "a.ts",
	  "s.from(`t_${x}`).select()", "" },
	{ "js schema().from()", "a.ts", "s.schema('api').from('t').delete()",
	  "table api api.t [delete] 1\n" },
	{ "js rpc with arguments", "a.ts", "s.rpc('fn', { a: 1 })",
	  "function api fn [execute] 1\n" },
	{ "js schema().rpc()", "a.ts", "s.schema('x').rpc('fn')",
	  "function api x.fn [execute] 1\n" },
	{ "js storage bucket is not a table", "a.ts",
	  "s.storage.from('avatars').upload('a', b)", "bucket api avatars [] 1\n" },
	{ "js comments and strings do not count", "a.ts",
	  "// s.from('a').select()\n/* s.from('b') */ x = \"s.from('c')\"", "" },
	{ "js class statics do not count", "a.ts",
	  "Buffer.from('a'); Array.from('b'); Observable.from('c')", "" },
	{ "js query builders do not count", "a.ts",
	  "knex.select('*').from('t'); db.selectFrom('u').where(x).from('v')", "" },
	{ "js two-argument from is not supabase", "a.ts",
	  "iconv.from('a', 'utf8')", "" },
	{ "js call result receiver counts", "a.ts",
	  "(await createClient()).from('t').select()", "table api t [select] 1\n" },
	{ "js tagged sql", "a.ts",
	  "const r = sql`select a from t join s.u on true where id = ${id}`",
	  "table sql t [select] 1\ntable sql s.u [select] 1\n" },
	{ "js SQL string, line of the relation", "a.ts",
	  "q(`\n  insert into t (a)\n  select a from u`)",
	  "table sql t [insert] 2\ntable sql u [select] 3\n" },
	{ "js prose is not SQL", "a.ts",
	  "alert('Select the rows you want from the list below')", "" },
	{ "js CTE names are not tables", "a.ts",
	  "sql`with x as (select 1 from t) delete from u where id in (select * from x)`",
	  "table sql u [delete] 1\ntable sql t [select] 1\n" },
	{ "sql function calls", "a.ts",
	  "sql`select api.f(1), now() from t`",
	  "function sql api.f [execute] 1\nfunction sql now [execute] 1\n"
	  "table sql t [select] 1\n" },
	{ "python table/from_/rpc", "a.py",
	  "c.table('t').insert(x).execute()\nc.from_(\"u\").select('*').execute()\n"
	  "c.rpc('fn', {'a': 1}).execute()",
	  "table api t [insert] 1\ntable api u [select] 2\nfunction api fn [execute] 3\n" },
	{ "python .table() outside Python does not count", "a.ts",
	  "console.table('t')", "" },
	{ "python comments, strings, docstrings, bytes", "a.py",
	  "\"\"\"c.table('a')\"\"\"\n# c.table('b')\nx = 'c.table(\"c\")'\nc.from_(b'd')",
	  "" },
	{ "python pypika Query.from_ does not count", "a.py",
	  "Query.from_('t').select('*')", "" },
	{ "python %s placeholders", "a.py",
	  "cur.execute(\"update t set a = %s where id = %(id)s\", x)",
	  "table sql t [update] 1\n" },
	{ "python f-string SQL with a dynamic table does not parse", "a.py",
	  "cur.execute(f\"select * from {table}\")", "" },
	{ "dart from", "a.dart",
	  "await supabase.from('t').select().eq('a', '$b');",
	  "table api t [select] 1\n" },
	{ "dart interpolated name is dynamic", "a.dart",
	  "supabase.from('t_$x').select()", "" },
	{ "swift from", "a.swift",
	  "try await client.from(\"t\").insert(row).execute()",
	  "table api t [insert] 1\n" },
	{ "kotlin from", "a.kt", "supabase.from(\"t\").delete()",
	  "table api t [delete] 1\n" },
	{ "not code", "a.md", "supabase.from('t').select()", "" },
};

START_TEST(references)
{
	char *got = dump_refs(ref_cases[_i].rel, ref_cases[_i].src);
	ck_assert_msg(!strcmp(got, ref_cases[_i].want), "%s:\n got: %s\nwant: %s",
		      ref_cases[_i].name, got, ref_cases[_i].want);
	free(got);
}
END_TEST

static enum pgd_side side_of(const char *rel, const char *src,
			     const char *client_glob, const char *server_glob)
{
	struct pgd_refs_options o = { ".", &client_glob, client_glob ? 1 : 0,
				      &server_glob, server_glob ? 1 : 0 };
	struct pgd_refs_scan s = { 0 };
	pgd_refs_scan_text(&o, &s, rel, src, strlen(src));
	ck_assert_uint_eq(s.nfiles, 1);
	enum pgd_side side = s.files[0].side;
	pgd_refs_scan_release(&s);
	return side;
}

START_TEST(classification)
{
	const char *call = "\nx.from('t').select()\n";
	ck_assert_int_eq(side_of("lib/a.ts", "k = process.env.SUPABASE_ANON_KEY;"
				 "x.from('t').select()", NULL, NULL), PGD_SIDE_CLIENT);
	ck_assert_int_eq(side_of("lib/a.ts", "k = env.SUPABASE_SERVICE_ROLE_KEY;"
				 "x.from('t').select()", NULL, NULL), PGD_SIDE_SERVER);
	ck_assert_int_eq(side_of("lib/a.py", "k = os.environ['SUPABASE_SERVICE_KEY']"
				 "\nx.table('t').select()", NULL, NULL), PGD_SIDE_SERVER);
	/* a comment naming the key decides nothing */
	ck_assert_int_eq(side_of("lib/a.ts", "// SUPABASE_SERVICE_ROLE_KEY" "\nx.from('t')",
				 NULL, NULL), PGD_SIDE_UNKNOWN);
	/* both keys: the calls cannot be told apart, so client */
	ck_assert_int_eq(side_of("lib/a.ts", "a = ANON_KEY; b = SERVICE_ROLE_KEY;"
				 "x.from('t')", NULL, NULL), PGD_SIDE_CLIENT);
	ck_assert_int_eq(side_of("app/x/page.tsx", call, NULL, NULL), PGD_SIDE_CLIENT);
	ck_assert_int_eq(side_of("src/components/a.tsx", call, NULL, NULL), PGD_SIDE_CLIENT);
	ck_assert_int_eq(side_of("pages/api/a.ts", call, NULL, NULL), PGD_SIDE_SERVER);
	ck_assert_int_eq(side_of("supabase/functions/f/index.ts", call, NULL, NULL),
			 PGD_SIDE_SERVER);
	ck_assert_int_eq(side_of("app/x/route.ts", call, NULL, NULL), PGD_SIDE_SERVER);
	ck_assert_int_eq(side_of("lib/db.server.ts", call, NULL, NULL), PGD_SIDE_SERVER);
	ck_assert_int_eq(side_of("app/a.ts", "'use server';" "x.from('t')", NULL, NULL),
			 PGD_SIDE_SERVER);
	ck_assert_int_eq(side_of("lib/a.dart", call, NULL, NULL), PGD_SIDE_CLIENT);
	ck_assert_int_eq(side_of("lib/a.ts", call, NULL, NULL), PGD_SIDE_UNKNOWN);
	/* overrides win over keys and folders */
	ck_assert_int_eq(side_of("server/a.ts", call, "server/**", NULL), PGD_SIDE_CLIENT);
	ck_assert_int_eq(side_of("app/a.ts", "k = ANON_KEY;" "x.from('t')", NULL, "app/*.ts"),
			 PGD_SIDE_SERVER);
}
END_TEST

/* a file judged by its folders alone takes the side of the key module
 * it imports; one whose own key or directive says otherwise keeps it */
START_TEST(imports)
{
	struct pgd_refs_options o = { ".", NULL, 0, NULL, 0 };
	struct pgd_refs_scan s = { 0 };
	static const struct { const char *rel, *src; } files[] = {
		{ "lib/db/admin.ts", "export const a = createClient(u, env.SUPABASE_SERVICE_ROLE_KEY)" },
		{ "lib/supabase/index.ts", "export const c = createClient(u, env.SUPABASE_ANON_KEY)" },
		{ "lib/jobs/a.ts", "import { a } from '../db/admin';\na.from('t').delete()" },
		{ "lib/b.ts", "const { c } = require('./supabase');\nc.from('t').select()" },
		{ "lib/c.ts", "import { c } from '@/lib/supabase';\nc.from('t').select()" },
		{ "lib/d.ts", "import { a } from 'some-package/admin';\na.from('t').select()" },
		{ "lib/e.ts", "'use client';\nimport { a } from './db/admin';\na.from('t').select()" },
	};
	for (size_t i = 0; i < PGD_ARRAY_SIZE(files); i++)
		pgd_refs_scan_text(&o, &s, files[i].rel, files[i].src, strlen(files[i].src));
	pgd_refs_scan_finish(&s);
	ck_assert_uint_eq(s.nfiles, 5);
	ck_assert_int_eq(s.files[0].side, PGD_SIDE_SERVER);
	ck_assert_str_eq(s.files[0].why, "imports lib/db/admin.ts (service role key)");
	ck_assert_int_eq(s.files[1].side, PGD_SIDE_CLIENT);
	ck_assert_int_eq(s.files[2].side, PGD_SIDE_CLIENT); /* @/ is src/ or the root */
	ck_assert_int_eq(s.files[3].side, PGD_SIDE_UNKNOWN); /* a package, not a module here */
	ck_assert_int_eq(s.files[4].side, PGD_SIDE_CLIENT);  /* its directive wins */
	pgd_refs_scan_release(&s);
}
END_TEST

START_TEST(globs)
{
	ck_assert(pgd_refs_glob_match("*.ts", "a.ts"));
	ck_assert(!pgd_refs_glob_match("*.ts", "d/a.ts"));
	ck_assert(pgd_refs_glob_match("**/*.ts", "a.ts"));
	ck_assert(pgd_refs_glob_match("**/*.ts", "d/e/a.ts"));
	ck_assert(pgd_refs_glob_match("src/**", "src/a/b.ts"));
	ck_assert(!pgd_refs_glob_match("src/**", "lib/a.ts"));
	ck_assert(pgd_refs_glob_match("a/**/b.ts", "a/b.ts"));
	ck_assert(pgd_refs_glob_match("a/**/b.ts", "a/x/y/b.ts"));
	ck_assert(pgd_refs_glob_match("f?.[jt]s", "f1.ts"));
	ck_assert(!pgd_refs_glob_match("f?.[!jt]s", "f1.ts"));
}
END_TEST

START_TEST(sql_refs)
{
	struct pgd_sql_refs r = { 0 };
	ck_assert_int_eq(pgd_normalize_sql_refs("select from", &r), -1);
	ck_assert_uint_eq(r.n, 0);
	ck_assert_int_eq(pgd_normalize_sql_refs(
		"insert into s.t (a) values (1) on conflict (a) do update set a = 2 "
		"returning a", &r), 0);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_str_eq(r.v[0].schema, "s");
	ck_assert_str_eq(r.v[0].name, "t");
	ck_assert_uint_eq(r.v[0].cmd, PGD_SQL_INSERT);
	ck_assert_uint_eq(r.v[1].cmd, PGD_SQL_UPDATE);
	ck_assert_uint_eq(r.v[2].cmd, PGD_SQL_SELECT);
	pgd_sql_refs_release(&r);
	/* DDL in application code is not a use */
	ck_assert_int_eq(pgd_normalize_sql_refs("create table t (a int)", &r), 0);
	ck_assert_uint_eq(r.n, 0);
	pgd_sql_refs_release(&r);
	ck_assert_int_eq(pgd_normalize_sql_refs("call p.proc(1)", &r), 0);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.v[0].kind, 'f');
	pgd_sql_refs_release(&r);
}
END_TEST

/* Hostile input: deep nesting and unbalanced text neither crash nor
 * take quadratic time; the calls around them are still found. */
START_TEST(hostile_input)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_addstr(&sb, "s.from('a').select();\n");
	for (int i = 0; i < 5000; i++)
		pgd_strbuf_addstr(&sb, "`${");
	pgd_strbuf_addstr(&sb, "\n");
	for (int i = 0; i < 50000; i++)
		pgd_strbuf_addstr(&sb, "x.from('b')(");
	char *got = dump_refs("a.ts", sb.buf);
	ck_assert(!strncmp(got, "table api a [select] 1\n", 23));
	free(got);
	pgd_strbuf_reset(&sb);
	for (int i = 0; i < 5000; i++)
		pgd_strbuf_addstr(&sb, "f'{f\"{");
	got = dump_refs("a.py", sb.buf);
	free(got);
	pgd_strbuf_release(&sb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("refs");
	TCase *tc = tcase_create("refs");
	tcase_add_loop_test(tc, tokenizers, 0, PGD_NCASES(tok_cases));
	tcase_add_loop_test(tc, references, 0, PGD_NCASES(ref_cases));
	tcase_add_test(tc, classification);
	tcase_add_test(tc, globs);
	tcase_add_test(tc, imports);
	tcase_add_test(tc, sql_refs);
	tcase_add_test(tc, hostile_input);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return pgd_run_suite(s);
}

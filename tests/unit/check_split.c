/*
 * check_split.c - pgd_split() (src/loader/split.c) against libpg_query's
 * pg_query_split_with_scanner(): wherever pgd_split() answers, the two give
 * the same statements, on every SQL file under the given directories (the
 * fixtures; scripts/bench.sh's scale sets too when passed), every SQL block
 * of fixtures/parser/NN_name.cases, and a list of lexical edge cases. Also:
 * every keyword pgd_split() knows is a keyword to PostgreSQL's scanner.
 * Where the text has a BEGIN ATOMIC body the reference is libpg_query's
 * parser split (the scanner's cuts the body at its first ';', psql and
 * pgd_split() do not); pgd_split_open_block() is checked on such cuts.
 * A text with a statement that starts with DO has the word DO for
 * pgd_text_has_kw() (the DO read-ahead skips the others).
 * One TAP line per file. Usage: check_split DIR...
 */
#define _GNU_SOURCE /* strcasestr */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "pgdrift/strbuf.h"
#include "src/loader/split.h"

static int ntests, nfailed;
static unsigned nfallback;

/* Compares the two splits of text; a message in why when they differ. */
static void compare(const char *text, struct pgd_strbuf *why)
{
	struct pgd_split_stmt *mine;
	size_t n;
	if (pgd_split(text, strlen(text), &mine, &n) < 0) {
		nfallback++;
		return;
	}
	/* a BEGIN ATOMIC body is one statement, as the parser split has it */
	bool atomic = strcasestr(text, "atomic") != NULL;
	PgQuerySplitResult s = atomic ? pg_query_split_with_parser(text)
				      : pg_query_split_with_scanner(text);
	if (atomic && s.error) {
		/* a syntax error: the parser cannot say where statements end */
		pg_query_free_split_result(s);
		free(mine);
		return;
	}
	bool same = !s.error && (size_t)s.n_stmts == n;
	for (size_t i = 0; same && i < n; i++)
		same = (size_t)s.stmts[i]->stmt_location == mine[i].off &&
		       (size_t)s.stmts[i]->stmt_len == mine[i].len;
	if (!same) {
		pgd_strbuf_addf(why, "splits differ (%s): ",
				s.error ? s.error->message : "boundaries");
		for (size_t i = 0; i < n; i++)
			pgd_strbuf_addf(why, "(%zu,%zu)", mine[i].off, mine[i].len);
		pgd_strbuf_addstr(why, " vs ");
		for (int i = 0; !s.error && i < s.n_stmts; i++)
			pgd_strbuf_addf(why, "(%d,%d)", s.stmts[i]->stmt_location,
					s.stmts[i]->stmt_len);
		pgd_strbuf_addf(why, "\n#   in: %.200s\n", text);
	}
	pg_query_free_split_result(s);
	/* the DO read-ahead skips a text without the word DO: none of its
	 * statements may start with it */
	bool has_do = pgd_text_has_kw(text, strlen(text), "do");
	for (size_t i = 0; !has_do && i < n; i++) {
		const char *b = text + mine[i].off, *e = b + mine[i].len;
		if (pgd_stmt_kw(pgd_stmt_start(b, e), e, "do"))
			pgd_strbuf_addf(why, "a DO statement, no word DO: %.200s\n", b);
	}
	free(mine);
}

static void report(const char *name, struct pgd_strbuf *why)
{
	ntests++;
	if (why->len) {
		nfailed++;
		printf("not ok %d - %s\n# %s", ntests, name, why->buf);
	} else {
		printf("ok %d - %s\n", ntests, name);
	}
}

static void check_file(const char *path)
{
	struct pgd_strbuf text = PGD_STRBUF_INIT, why = PGD_STRBUF_INIT;
	if (pgd_strbuf_read_file(&text, path) < 0) {
		pgd_strbuf_addf(&why, "cannot read %s\n", path);
	} else if (strstr(path, ".cases")) {
		struct pgd_strbuf sql = PGD_STRBUF_INIT;
		bool in_sql = false;
		for (char *line = text.buf; *line;) {
			char *nl = strchr(line, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);
			if (!strncmp(line, "===", 3)) {
				in_sql = true;
				pgd_strbuf_reset(&sql);
			} else if (in_sql && len == 3 && !strncmp(line, "---", 3)) {
				in_sql = false;
				compare(sql.buf, &why);
			} else if (in_sql) {
				pgd_strbuf_add(&sql, line, len);
				pgd_strbuf_addch(&sql, '\n');
			}
			line += len + (nl ? 1 : 0);
		}
		pgd_strbuf_release(&sql);
	} else {
		compare(text.buf, &why);
	}
	report(path, &why);
	pgd_strbuf_release(&why);
	pgd_strbuf_release(&text);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		PGD_GROW(names, alloc, n + 1);
		names[n++] = pgd_xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		size_t len = strlen(names[i]);
		if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
			walk(names[i]);
		else if ((len > 4 && !strcmp(names[i] + len - 4, ".sql")) ||
			 (len > 6 && !strcmp(names[i] + len - 6, ".cases")))
			check_file(names[i]);
		free(names[i]);
	}
	free(names);
}

static const char *const edge_cases[] = {
	"select 1", "select 1 ", "select 1 -- c", "select 1;\n-- c\n",
	"select 1; /* c */", "select (1;2);select 2", "a ; ; select 1 ;",
	";;select 1;;", "select ')' ; e'\\''; select 1",
	"select $$;$$; select $a$ $$ ; $a$ x", "select $a$ $ab$a$; select 2",
	"select 1 /* a /* b */ ; */ ; select 2",
	"select E'a'\n  'b\\';' ;select 1", "select 'a'\n-- hi\n'b;' ; select 2",
	"select 'a' -- hi\n'b;' ; select 2", "select 'a'  'b;' ; select 2",
	"select 'it''s;' ; select 2", "select \"a;\"\"b\" from t; select 2",
	"select U&'d;\\0061t' ; select U&\"d;a\" ; select 2",
	"select B'01''b;' ; select X'1F;' ; select 2",
	"select N'a;b' ; n'x'; select 2", "select e'a\\\\'; select 2",
	"select ee'x;'; select 2", "select x$$y ; select 2",
	"select 1$$;$$ ; select 2", "select $1, $2abc; select 2",
	"select $x ; select 2", "select 1e5; select 2.5e-3; select .5; select 1.;",
	"select a+--b;\n1; select 2", "select a*/*x;*/2; select 3",
	"insert into t values ('a;b'), (E'c\\'d;'), ($q$;$q$); insert into t values (1)",
	"SELECT 1; SeLeCt 2;", "create function f() returns int as $$ select 1; $$ language sql; select 1",
	"select 1\r\n;\r\nselect 2\r\n", "select 'a'\r\n'b;'; select 2",
	"select '\xc3\xa9;' ; select \"\xc3\xa9\" ; select 2",
	"do $do$ begin perform 1; end $do$; select 1",
	/* BEGIN ATOMIC bodies: one statement, CASE ... END nested inside */
	"create function f() returns int language sql begin atomic select 1; select 2; end; select 3",
	"CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
	"  SELECT CASE WHEN a > 0 THEN 1 ELSE case a when 0 then 2 end END; -- ; end\n"
	"  /* end; */ SELECT 'end;'; SELECT $$;end$$;\nEND;\nselect 4;",
	"create procedure p(x int) language sql begin atomic insert into t values (x); "
	"update t set a = (case when a > 1 then 1 end); end; select 5",
	"create or replace procedure p() language sql begin atomic delete from t; end ; create table end_(a int);",
	"create function f() returns int language sql return case when true then 1 end; select 6",
	"create table t (begin int); select 7",
};

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		walk(argv[i]);

	struct pgd_strbuf why = PGD_STRBUF_INIT;
	for (size_t i = 0; i < sizeof(edge_cases) / sizeof(edge_cases[0]); i++)
		compare(edge_cases[i], &why);
	report("lexical edge cases", &why);
	pgd_strbuf_reset(&why);

	/* what must fall back (libpg_query errors or drops a statement) */
	static const char *const fallback[] = {
		"x; select 1", "select 'a", "select \"\" ; select 1", "select /* a",
		"select $$ a", "create table x (a int", "select 1); select 2",
		"select E'\\u0061'; select 1", "select E'\\101'; select 1",
		"select $1abc; select 2", "select 1e5abc; select 2", "select 0x1F; select 2",
	};
	for (size_t i = 0; i < sizeof(fallback) / sizeof(fallback[0]); i++) {
		struct pgd_split_stmt *v;
		size_t n;
		if (pgd_split(fallback[i], strlen(fallback[i]), &v, &n) == 0) {
			pgd_strbuf_addf(&why, "no fallback for: %s\n", fallback[i]);
			free(v);
		}
	}
	report("undecidable input falls back to libpg_query", &why);
	pgd_strbuf_reset(&why);

	/* where the scanner split cut a body, pgd_split_open_block() says so */
	static const struct {
		const char *text;
		int open;
	} cuts[] = {
		{ "create function f() returns int language sql begin atomic select 1", 1 },
		{ "create or replace procedure p() language sql begin atomic select case when 1 > 0 then 1 end", 1 },
		{ "create function f() returns int language sql begin atomic select 1; end", 0 },
		{ "create function f() returns int as $$ begin $$ language plpgsql", 0 },
		{ "select 1", 0 },
		{ "create function f() begin atomic select 'x", -1 },
	};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		int got = pgd_split_open_block(cuts[i].text, strlen(cuts[i].text));
		if (got != cuts[i].open)
			pgd_strbuf_addf(&why, "open_block %d, want %d: %s\n", got,
					cuts[i].open, cuts[i].text);
	}
	report("a cut BEGIN ATOMIC body is seen as open", &why);
	pgd_strbuf_reset(&why);

	/* pgd_text_has_kw(): a text with a statement that starts with DO has
	 * the word (the DO read-ahead skips the others); a longer word or
	 * an identifier is not it */
	static const struct {
		const char *text;
		bool has;
	} words[] = {
		{ "do $$ begin null; end $$;", true },
		{ "create table t (x int);\n/* x */DO language plpgsql $$ $$;", true },
		{ "select 1;\n  Do\n$b$ begin null; end $b$", true },
		{ "insert into t values (1) on conflict do nothing;", true },
		{ "create table docs (done bool, to_do text, undo int, do1 int);", false },
		{ "select 'd' || 'o';", false },
		{ "d", false },
		{ "", false },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *t = words[i].text;
		if (pgd_text_has_kw(t, strlen(t), "do") != words[i].has)
			pgd_strbuf_addf(&why, "has DO %d, want %d: %s\n", !words[i].has,
					words[i].has, t);
		/* every statement that starts with DO is found */
		struct pgd_split_stmt *st;
		size_t n;
		if (pgd_split(t, strlen(t), &st, &n) < 0)
			continue;
		for (size_t k = 0; k < n; k++) {
			const char *b = t + st[k].off, *e = b + st[k].len;
			if (pgd_stmt_kw(pgd_stmt_start(b, e), e, "do") && !words[i].has)
				pgd_strbuf_addf(&why, "a DO statement in a text without DO: %s\n", t);
		}
		free(st);
	}
	report("the word DO is found where a statement starts with it", &why);
	pgd_strbuf_reset(&why);

	for (size_t i = 0; pgd_split_keywords[i]; i++) {
		PgQueryScanResult r = pg_query_scan(pgd_split_keywords[i]);
		PgQuery__ScanResult *sr = r.error ? NULL :
			pg_query__scan_result__unpack(NULL, r.pbuf.len,
						      (const uint8_t *)r.pbuf.data);
		if (!sr || sr->n_tokens != 1 ||
		    sr->tokens[0]->keyword_kind == PG_QUERY__KEYWORD_KIND__NO_KEYWORD)
			pgd_strbuf_addf(&why, "not a keyword: %s\n",
					pgd_split_keywords[i]);
		if (sr)
			pg_query__scan_result__free_unpacked(sr, NULL);
		pg_query_free_scan_result(r);
		if (i && strcmp(pgd_split_keywords[i - 1], pgd_split_keywords[i]) >= 0)
			pgd_strbuf_addf(&why, "not sorted: %s\n", pgd_split_keywords[i]);
	}
	report("every keyword pgd_split knows is one to PostgreSQL", &why);
	pgd_strbuf_release(&why);

	printf("# %u inputs left to libpg_query's split\n", nfallback);
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}

/*
 * check_fleet.c - the fleet list parser (names, $VAR expansion, comments,
 * every malformed line with its file:line), the shard hash and the merge
 * of JSON reports.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/baseline.h"
#include "pgdrift/fleet.h"
#include "pgdrift/report.h"
#include "pgdrift/strbuf.h"
#include "unit.h"

/* Parses text; returns "name=conninfo;..." or "ERR:message" (caller frees). */
static char *parse(const char *text)
{
	struct pgd_fleet_list l;
	struct pgd_error err = PGD_ERROR_INIT;
	char buf[4096] = "";
	if (pgd_fleet_list_parse("db.list", text, &l, &err) < 0) {
		ck_assert_int_eq(err.exit_code, PGD_EXIT_USAGE);
		snprintf(buf, sizeof(buf), "ERR:%s", err.message);
		pgd_error_release(&err);
		return strdup(buf);
	}
	for (size_t i = 0; i < l.n; i++) {
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, "%s%s=%s@%u", i ? ";" : "",
			 l.v[i].name, l.v[i].conninfo, l.v[i].line);
	}
	pgd_fleet_list_release(&l);
	return strdup(buf);
}

static const struct {
	const char *text, *want;
} cases[] = {
	/* names, comments, blank lines, CRLF */
	{ "prod\tdbname=p host=h\n", "prod=dbname=p host=h@1" },
	{ "# fleet\n\n  \nprod\tdbname=p\r\n", "prod=dbname=p@4" },
	{ "dbname=app host=db1\n", "app@db1=dbname=app host=db1@1" },
	{ "postgresql://u@db2:5433/shop\n", "shop@db2=postgresql://u@db2:5433/shop@1" },
	{ "a\tdbname=x\nb\tdbname=y\n", "a=dbname=x@1;b=dbname=y@2" },
	{ "  spaced \t dbname=x  \n", "spaced=dbname=x@1" },
	/* $VAR, ${VAR}, $$, a lone $ */
	{ "t\tdbname=x password=$PGD_T_PW\n", "t=dbname=x password=s3cr3t@1" },
	{ "t\tdbname=${PGD_T_DB}x\n", "t=dbname=appx@1" },
	{ "t\tdbname=x password=a$$b\n", "t=dbname=x password=a$b@1" },
	{ "t\tdbname=x password=a$\n", "t=dbname=x password=a$@1" },
	/* malformed lines: exit 2 with file:line and the cause */
	{ "ok\tdbname=x\nbad\t\n", "ERR:db.list:2: a name without a connection string" },
	{ "a\tb\tc\n", "ERR:db.list:1: more than one tab: a line is NAME<TAB>CONNINFO" },
	{ "\n\nx\tdbname=$PGD_T_UNSET\n", "ERR:db.list:3: environment variable PGD_T_UNSET is not set" },
	{ "x\tdbname=${PGD_T_DB\n", "ERR:db.list:1: unterminated ${ (a } is missing)" },
	{ "x\tdbname=${}\n", "ERR:db.list:1: ${} needs a variable name" },
	{ "x\tdbname=${A-B}\n", "ERR:db.list:1: ${...} holds a character a variable name cannot have" },
	{ "a\tdbname=x\na\tdbname=y\n", "ERR:db.list:2: the name a is already used on line 1" },
	{ "dbname=x host=h\nx@h\tdbname=z\n", "ERR:db.list:2: the name x@h is already used on line 1" },
	{ "x\tdbname='unterminated password=s3cr3t\n",
	  "ERR:db.list:1: not a connection string libpq can parse (key=value pairs or a postgresql:// URI)" },
	{ "x\tt=$PGD_T_EMPTY\n",
	  "ERR:db.list:1: not a connection string libpq can parse (key=value pairs or a postgresql:// URI)" },
	{ "x\t$PGD_T_EMPTY\n", "ERR:db.list:1: the connection string is empty" },
	{ "# nothing\n\n", "ERR:db.list: the list names no database" },
	{ "a\x01\tdbname=x\n", "ERR:db.list:1: the name holds a control character" },
};

START_TEST(list_parse)
{
	setenv("PGD_T_PW", "s3cr3t", 1);
	setenv("PGD_T_DB", "app", 1);
	setenv("PGD_T_EMPTY", "", 1);
	unsetenv("PGD_T_UNSET");
	char *got = parse(cases[_i].text);
	ck_assert_str_eq(got, cases[_i].want);
	free(got);
}
END_TEST

/* An error never repeats the line's text: it may hold a secret. */
START_TEST(list_errors_hide_secrets)
{
	setenv("PGD_T_PW", "s3cr3t", 1);
	char *got = parse("x\tdbname='oops password=$PGD_T_PW\n");
	ck_assert_ptr_null(strstr(got, "s3cr3t"));
	ck_assert_ptr_null(strstr(got, "oops"));
	free(got);
}
END_TEST

START_TEST(shard_hash_and_split)
{
	/* FNV-1a 64: the documented constants */
	ck_assert(pgd_fleet_hash("") == UINT64_C(0xcbf29ce484222325));
	ck_assert(pgd_fleet_hash("a") == UINT64_C(0xaf63dc4c8601ec8c));
	unsigned i, n;
	ck_assert_int_eq(pgd_fleet_shard_parse("2/3", &i, &n), 0);
	ck_assert_uint_eq(i, 2);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(pgd_fleet_shard_parse("0/3", &i, &n), -1);
	ck_assert_int_eq(pgd_fleet_shard_parse("4/3", &i, &n), -1);
	ck_assert_int_eq(pgd_fleet_shard_parse("1/", &i, &n), -1);
	ck_assert_int_eq(pgd_fleet_shard_parse("-1/3", &i, &n), -1);
	ck_assert_int_eq(pgd_fleet_shard_parse("1/3x", &i, &n), -1);
	/* the shards of a list cover it exactly once */
	char text[4096] = "";
	for (int k = 0; k < 50; k++) {
		size_t len = strlen(text);
		snprintf(text + len, sizeof(text) - len, "db%d\tdbname=d%d\n", k, k);
	}
	size_t total = 0;
	for (unsigned s = 1; s <= 3; s++) {
		struct pgd_fleet_list l;
		struct pgd_error err = PGD_ERROR_INIT;
		ck_assert_int_eq(pgd_fleet_list_parse("x", text, &l, &err), 0);
		pgd_fleet_list_shard(&l, s, 3);
		ck_assert_uint_gt(l.n, 5); /* 50 names spread over 3 shards */
		for (size_t k = 0; k < l.n; k++)
			ck_assert_uint_eq(pgd_fleet_hash(l.v[k].name) % 3, s - 1);
		total += l.n;
		pgd_fleet_list_release(&l);
	}
	ck_assert_uint_eq(total, 50);
}
END_TEST

START_TEST(merge_reports)
{
	const char *fleet =
		"{\"format\":\"pgdrift.fleet/1\",\"command\":\"check\",\"databases\":["
		"{\"name\":\"b\",\"status\":\"ok\",\"exit\":1,\"error\":null,"
		"\"tables\":[\"public.t\"],\"summary\":{\"suppressed\":2},\"findings\":["
		"{\"code\":\"PGD101\",\"severity\":\"error\",\"object\":\"public.t\","
		"\"table\":\"public.t\",\"message\":\"m\",\"expected\":null,"
		"\"actual\":null,\"source\":{\"file\":\"1_a.sql\",\"line\":3},"
		"\"remediation\":null,\"fingerprint\":\"0123456789abcdef\"}]},"
		"{\"name\":\"a\",\"status\":\"error\",\"exit\":4,\"error\":\"boom\","
		"\"findings\":[],\"summary\":{}}]}";
	const char *single = "{\"format\":\"pgdrift.report/1\",\"findings\":[],"
			     "\"summary\":{\"failed\":false}}";
	struct pgd_fleet_results r = PGD_FLEET_RESULTS_INIT;
	struct pgd_error err = PGD_ERROR_INIT;
	char *cmd = NULL, *exp = NULL;
	ck_assert_int_eq(pgd_fleet_merge_text("s1.json", fleet, &r, &cmd, &exp, &err), 0);
	ck_assert_int_eq(pgd_fleet_merge_text("dir/c.json", single, &r, &cmd, &exp, &err), 0);
	ck_assert_str_eq(cmd, "check");
	ck_assert_uint_eq(r.n, 3);
	pgd_fleet_results_sort(&r);
	ck_assert_str_eq(r.v[0].name, "a");
	ck_assert_str_eq(r.v[0].error, "boom");
	ck_assert_str_eq(r.v[1].name, "b");
	ck_assert_uint_eq(r.v[1].suppressed, 2);
	ck_assert_uint_eq(r.v[1].ntables, 1);
	ck_assert_str_eq(r.v[1].findings.v[0].fingerprint, "0123456789abcdef");
	ck_assert_str_eq(r.v[1].findings.v[0].file, "1_a.sql");
	ck_assert_uint_eq(r.v[1].findings.v[0].line, 3);
	ck_assert_str_eq(r.v[2].name, "c");
	ck_assert_int_eq(pgd_fleet_exit(&r), PGD_EXIT_DB);
	/* the same database twice: the shards overlap */
	ck_assert_int_eq(pgd_fleet_merge_text("s2.json", fleet, &r, &cmd, &exp, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "already"));
	pgd_error_release(&err);
	ck_assert_int_eq(pgd_fleet_merge_text("x.json", "{\"format\":\"nope\"}", &r,
					      &cmd, &exp, &err), -1);
	pgd_error_release(&err);
	ck_assert_int_eq(pgd_fleet_merge_text("y.json", "[", &r, &cmd, &exp, &err), -1);
	pgd_error_release(&err);
	free(cmd);
	free(exp);
	pgd_fleet_results_release(&r);
}
END_TEST

/* Findings for objects named in objs ("a b c"); sorted (fingerprints set). */
static void some_findings(struct pgd_findings *f, const char *objs)
{
	char *copy = strdup(objs), *save = NULL;
	for (char *o = strtok_r(copy, " ", &save); o; o = strtok_r(NULL, " ", &save))
		pgd_findings_add(f, PGD_R_MISSING_TABLE, o, o, NULL, NULL, "missing %s", o);
	free(copy);
	pgd_findings_sort(f);
}

static const char *fp_of(const char *obj)
{
	static char fp[17];
	struct pgd_findings f = PGD_FINDINGS_INIT;
	some_findings(&f, obj);
	memcpy(fp, f.v[0].fingerprint, 17);
	pgd_findings_release(&f);
	return fp;
}

static char *codes(const struct pgd_findings *f)
{
	char buf[512] = "";
	for (size_t i = 0; i < f->n; i++) {
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, "%s%s:%s", i ? "," : "",
			 f->v[i].rule->code, f->v[i].object);
	}
	return strdup(buf);
}

/* An entry naming a database applies there only; one without to all. */
START_TEST(baseline_per_database)
{
	char text[2048];
	char fa[17], fb[17], fz[17];
	memcpy(fa, fp_of("public.a"), 17);
	memcpy(fb, fp_of("public.b"), 17);
	memcpy(fz, fp_of("public.z"), 17);
	snprintf(text, sizeof(text),
		 "{\"format\": \"pgdrift.baseline/1\", \"entries\": [\n"
		 "{\"fingerprint\": \"%s\", \"object\": \"public.a\", \"reason\": \"r\"},\n"
		 "{\"fingerprint\": \"%s\", \"object\": \"public.b\", \"reason\": \"r\", \"database\": \"one\"},\n"
		 "{\"fingerprint\": \"%s\", \"object\": \"public.z\", \"reason\": \"r\", \"database\": \"two\"}]}\n",
		 fa, fb, fz);
	struct pgd_baseline *b;
	struct pgd_error err = PGD_ERROR_INIT;
	ck_assert_int_eq(pgd_baseline_read_text("bl.json", text, &b, &err), 0);
	struct pgd_findings one = PGD_FINDINGS_INIT, two = PGD_FINDINGS_INIT;
	some_findings(&one, "public.a public.b");
	some_findings(&two, "public.a public.b");
	struct pgd_baseline_db dbs[] = { { "one", &one, true, 0 }, { "two", &two, true, 0 } };
	pgd_baseline_apply_fleet(b, dbs, 2, "2026-01-01", true);
	char *g1 = codes(&one), *g2 = codes(&two);
	ck_assert_str_eq(g1, "");                 /* a (all) and b (one) */
	ck_assert_str_eq(g2, "PGD101:public.b,PGD902:public.z"); /* a only; z stale */
	ck_assert_uint_eq(dbs[0].suppressed, 2);
	ck_assert_uint_eq(dbs[1].suppressed, 1);
	free(g1);
	free(g2);
	/* a single database: entries naming a database do not apply */
	struct pgd_findings single = PGD_FINDINGS_INIT;
	some_findings(&single, "public.a public.b");
	ck_assert_uint_eq(pgd_baseline_apply(b, &single, "2026-01-01"), 1);
	char *gs = codes(&single);
	ck_assert_str_eq(gs, "PGD101:public.b");
	free(gs);
	/* the same fingerprint for two databases is fine; twice for one is not */
	snprintf(text, sizeof(text),
		 "{\"format\": \"pgdrift.baseline/1\", \"entries\": [\n"
		 "{\"fingerprint\": \"%s\", \"reason\": \"r\", \"database\": \"one\"},\n"
		 "{\"fingerprint\": \"%s\", \"reason\": \"r\", \"database\": \"two\"},\n"
		 "{\"fingerprint\": \"%s\", \"reason\": \"r\", \"database\": \"one\"}]}\n",
		 fa, fa, fa);
	struct pgd_baseline *b2;
	ck_assert_int_eq(pgd_baseline_read_text("bl.json", text, &b2, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "bl.json:4: fingerprint "));
	ck_assert_ptr_nonnull(strstr(err.message, "is listed twice"));
	pgd_error_release(&err);
	pgd_findings_release(&one);
	pgd_findings_release(&two);
	pgd_findings_release(&single);
	pgd_baseline_free(b);
}
END_TEST

/* A hostile database name is escaped in every fleet format. */
START_TEST(fleet_reports_escape_names)
{
	struct pgd_findings f = PGD_FINDINGS_INIT;
	some_findings(&f, "public.a");
	const char *tables[] = { "public.a" };
	struct pgd_fleet_db dbs[] = {
		{ "x|<b>*y*</b>\"&", NULL, 1, &f, tables, 1, 0 },
		{ "z", "cannot connect: <refused> & \"gone\"", 4, NULL, NULL, 0, 0 },
	};
	struct pgd_report_meta meta = { 0 };
	meta.command = "check";
	meta.version = "test";
	struct {
		const char *format, *must, *must_not;
	} want[] = {
		{ "markdown", "x\\|&lt;b&gt;\\*y\\*&lt;/b&gt;\"&amp;", "<b>" },
		{ "junit", "name=\"x|&lt;b&gt;*y*&lt;/b&gt;&quot;&amp;\"", "<b>" },
		{ "json", "\"name\": \"x|<b>*y*</b>\\\"&\"", NULL },
		{ "sarif", "\"database\": \"x|<b>*y*</b>\\\"&\"", NULL },
		{ "codequality", "[x|<b>*y*</b>\\\"&] PGD101", NULL },
		{ "text", "x|<b>*y*</b>\"&: 1 error", NULL },
	};
	for (size_t i = 0; i < PGD_NCASES(want); i++) {
		pgd_fleet_reporter rep = pgd_report_fleet_find(want[i].format);
		ck_assert_ptr_nonnull(rep);
		struct pgd_strbuf out = PGD_STRBUF_INIT;
		rep(dbs, 2, &meta, &out);
		if (!strstr(out.buf, want[i].must))
			ck_abort_msg("%s: no %s in\n%s", want[i].format, want[i].must, out.buf);
		if (want[i].must_not)
			ck_assert_ptr_null(strstr(out.buf, want[i].must_not));
		ck_assert_ptr_nonnull(strstr(out.buf, "z"));
		pgd_strbuf_release(&out);
	}
	pgd_findings_release(&f);
}
END_TEST

/* Every fleet format says how complete the migrations side was, as a
 * single report does. */
START_TEST(fleet_reports_state_completeness)
{
	struct pgd_findings f = PGD_FINDINGS_INIT;
	some_findings(&f, "public.a");
	const char *tables[] = { "public.a" };
	struct pgd_fleet_db dbs[] = { { "one", NULL, 1, &f, tables, 1, 0 } };
	struct pgd_report_meta meta = { 0 };
	meta.command = "check";
	meta.version = "test";
	meta.unmodeled_known = true;
	meta.unmodeled = 3;
	const char *const formats[] = { "text", "json", "markdown", "html" };
	for (size_t i = 0; i < PGD_NCASES(formats); i++) {
		struct pgd_strbuf out = PGD_STRBUF_INIT;
		pgd_report_fleet_find(formats[i])(dbs, 1, &meta, &out);
		if (!strstr(out.buf, "3 statements not modeled"))
			ck_abort_msg("%s: no completeness line in\n%s", formats[i], out.buf);
		pgd_strbuf_release(&out);
	}
	struct pgd_strbuf out = PGD_STRBUF_INIT;
	pgd_report_fleet_find("json")(dbs, 1, &meta, &out);
	ck_assert_ptr_nonnull(strstr(out.buf, "\"unmodeled\": 3"));
	pgd_strbuf_release(&out);
	meta.unmodeled = 0;
	pgd_report_fleet_find("text")(dbs, 1, &meta, &out);
	ck_assert_ptr_nonnull(strstr(out.buf, "complete: every migration statement modeled"));
	pgd_strbuf_release(&out);
	pgd_findings_release(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fleet");
	TCase *tc = tcase_create("fleet");
	tcase_add_loop_test(tc, list_parse, 0, PGD_NCASES(cases));
	tcase_add_test(tc, list_errors_hide_secrets);
	tcase_add_test(tc, shard_hash_and_split);
	tcase_add_test(tc, merge_reports);
	tcase_add_test(tc, baseline_per_database);
	tcase_add_test(tc, fleet_reports_escape_names);
	tcase_add_test(tc, fleet_reports_state_completeness);
	suite_add_tcase(s, tc);
	return pgd_run_suite(s);
}

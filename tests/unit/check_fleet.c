/*
 * check_fleet.c - the fleet list parser (names, $VAR expansion, comments,
 * every malformed line with its file:line), the shard hash and the merge
 * of JSON reports.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/fleet.h"
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

int main(void)
{
	Suite *s = suite_create("fleet");
	TCase *tc = tcase_create("fleet");
	tcase_add_loop_test(tc, list_parse, 0, PGD_NCASES(cases));
	tcase_add_test(tc, list_errors_hide_secrets);
	tcase_add_test(tc, shard_hash_and_split);
	tcase_add_test(tc, merge_reports);
	suite_add_tcase(s, tc);
	return pgd_run_suite(s);
}

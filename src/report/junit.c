/*
 * junit.c - a JUnit XML report for CI test widgets: one test case per
 * audited object (every table in meta->tables, and every other object a
 * finding names: a view, a function, a role, a migration statement), one
 * <failure> per finding on it, typed by severity. A table without findings
 * is a passing test case, so the widget also shows what was checked.
 *
 * The XML is valid whatever the identifiers hold: markup characters are
 * escaped, attribute whitespace is written as character references,
 * control characters XML 1.0 cannot carry become visible \xNN text and
 * invalid UTF-8 becomes U+FFFD.
 */
#include <stdint.h>
#include <string.h>

#include "pgdrift/report.h"
#include "pgdrift/strbuf.h"
#include "report_internal.h"

/* Length of the valid UTF-8 sequence at p (1-4), or 0; *cp gets it. */
static size_t utf8_seq(const unsigned char *p, uint32_t *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	size_t n;
	uint32_t c, min;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2; c = p[0] & 0x1f; min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3; c = p[0] & 0x0f; min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4; c = p[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Escapes s for XML text (attr false) or a double-quoted attribute. */
static void xml(struct pgd_strbuf *out, const char *s, bool attr)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		uint32_t c;
		size_t n = utf8_seq(p, &c);
		if (!n || c == 0xfffe || c == 0xffff) {
			pgd_strbuf_addstr(out, "\xef\xbf\xbd"); /* U+FFFD */
			p += n ? n : 1;
			continue;
		}
		switch (c) {
		case '&': pgd_strbuf_addstr(out, "&amp;"); break;
		case '<': pgd_strbuf_addstr(out, "&lt;"); break;
		case '>': pgd_strbuf_addstr(out, "&gt;"); break;
		case '"': pgd_strbuf_addstr(out, attr ? "&quot;" : "\""); break;
		case '\'': pgd_strbuf_addstr(out, attr ? "&apos;" : "'"); break;
		case '\n': pgd_strbuf_addstr(out, attr ? "&#10;" : "\n"); break;
		case '\r': pgd_strbuf_addstr(out, "&#13;"); break;
		case '\t': pgd_strbuf_addstr(out, attr ? "&#9;" : "\t"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				pgd_strbuf_addf(out, "\\x%02x", (unsigned)c);
			else
				pgd_strbuf_add(out, p, n);
		}
		p += n;
	}
}

struct tcase {
	const char *classname;
	const char *name;  /* borrowed from meta or a finding */
	size_t first, n;   /* its findings: order[first .. first+n) */
};

static void add_line(struct pgd_strbuf *out, const char *label, const char *v)
{
	if (!v)
		return;
	pgd_strbuf_addf(out, "%s: ", label);
	xml(out, v, false);
	pgd_strbuf_addch(out, '\n');
}

static void failure(struct pgd_strbuf *out, const struct pgd_finding *x)
{
	pgd_strbuf_addf(out, "      <failure type=\"%s\" message=\"%s %s: ",
			pgd_severity_name(x->severity), x->rule->code, x->rule->name);
	xml(out, x->message, true);
	pgd_strbuf_addstr(out, "\">");
	pgd_strbuf_addf(out, "%s %s (%s)\n", x->rule->code, x->rule->name,
			pgd_severity_name(x->severity));
	xml(out, x->message, false);
	pgd_strbuf_addch(out, '\n');
	if (x->file) {
		pgd_strbuf_addstr(out, x->rule->category == PGD_CAT_REFS ? "at: "
									  : "migration: ");
		xml(out, x->file, false);
		if (x->line)
			pgd_strbuf_addf(out, ":%u", x->line);
		if (x->dynamic)
			pgd_strbuf_addstr(out, " (EXECUTE)");
		pgd_strbuf_addch(out, '\n');
	}
	add_line(out, "expected", x->expected);
	add_line(out, "actual", x->actual);
	add_line(out, "fix", x->remediation);
	pgd_strbuf_addf(out, "fingerprint: %s</failure>\n", x->fingerprint);
}

static int cmp_case(const void *a, const void *b)
{
	const struct tcase *x = a, *y = b;
	int c = strcmp(x->classname, y->classname);
	return c ? c : strcmp(x->name, y->name);
}

/* The test case a finding belongs to: its table, else its object. */
static struct tcase case_of(const struct pgd_finding *x)
{
	if (x->table)
		return (struct tcase){ "tables", x->table, 0, 0 };
	if (x->object)
		return (struct tcase){ "objects", x->object, 0, 0 };
	return (struct tcase){ "migrations", "(migrations)", 0, 0 };
}

/* One <testsuite> named name; adds its test cases and failing ones. */
void pgd_report_junit_suite(struct pgd_strbuf *out, const struct pgd_findings *f,
			    const struct pgd_report_meta *meta, const char *name,
			    size_t *tests, size_t *failures)
{
	/* the test cases: audited tables and every object a finding names */
	size_t ncases = 0;
	struct tcase *cases = pgd_xcalloc(meta->ntables + f->n + 1, sizeof(*cases));
	for (size_t i = 0; i < meta->ntables; i++)
		cases[ncases++] = (struct tcase){ "tables", meta->tables[i], 0, 0 };
	for (size_t i = 0; i < f->n; i++)
		cases[ncases++] = case_of(&f->v[i]);
	qsort(cases, ncases, sizeof(*cases), cmp_case);
	size_t u = 0;
	for (size_t k = 0; k < ncases; k++)
		if (!u || cmp_case(&cases[u - 1], &cases[k]))
			cases[u++] = cases[k];
	ncases = u;
	/* each case's findings, in report order: a counting sort by case */
	size_t *owner = pgd_xcalloc(f->n + 1, sizeof(*owner));
	size_t *order = pgd_xcalloc(f->n + 1, sizeof(*order));
	size_t nfailing = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct tcase key = case_of(&f->v[i]);
		struct tcase *c = bsearch(&key, cases, ncases, sizeof(*cases), cmp_case);
		if (!c)
			PGD_BUG("finding without a test case");
		owner[i] = (size_t)(c - cases);
		if (!c->n++)
			nfailing++;
	}
	for (size_t k = 1; k < ncases; k++)
		cases[k].first = cases[k - 1].first + cases[k - 1].n;
	size_t *fill = pgd_xcalloc(ncases + 1, sizeof(*fill));
	for (size_t i = 0; i < f->n; i++)
		order[cases[owner[i]].first + fill[owner[i]]++] = i;
	free(fill);
	pgd_strbuf_addstr(out, "  <testsuite name=\"");
	xml(out, name, true);
	pgd_strbuf_addf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
			     "skipped=\"0\">\n", ncases, nfailing);
	*tests += ncases;
	*failures += nfailing;
	pgd_strbuf_addstr(out, "    <properties>\n");
	pgd_strbuf_addstr(out, "      <property name=\"expected\" value=\"");
	xml(out, meta->expected, true);
	pgd_strbuf_addstr(out, "\"/>\n      <property name=\"actual\" value=\"");
	xml(out, meta->actual, true);
	if (meta->expected_server) {
		pgd_strbuf_addstr(out, "\"/>\n      <property name=\"expected_server_version\" value=\"");
		xml(out, meta->expected_server, true);
	}
	if (meta->actual_server) {
		pgd_strbuf_addstr(out, "\"/>\n      <property name=\"server_version\" value=\"");
		xml(out, meta->actual_server, true);
	}
	pgd_strbuf_addf(out, "\"/>\n      <property name=\"suppressed_by_baseline\" "
			     "value=\"%zu\"/>\n    </properties>\n", meta->suppressed);
	for (size_t k = 0; k < ncases; k++) {
		pgd_strbuf_addf(out, "    <testcase classname=\"pgdrift.%s\" name=\"",
				cases[k].classname);
		xml(out, cases[k].name, true);
		if (!cases[k].n) {
			pgd_strbuf_addstr(out, "\"/>\n");
			continue;
		}
		pgd_strbuf_addstr(out, "\">\n");
		for (size_t i = 0; i < cases[k].n; i++)
			failure(out, &f->v[order[cases[k].first + i]]);
		pgd_strbuf_addstr(out, "    </testcase>\n");
	}
	pgd_strbuf_addstr(out, "  </testsuite>\n");
	free(order);
	free(owner);
	free(cases);
}

void pgd_report_junit(const struct pgd_findings *f,
		      const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	const char *cmd = meta->command ? meta->command : "check";
	char *name = pgd_xasprintf("pgdrift %s", cmd);
	struct pgd_strbuf suite = PGD_STRBUF_INIT;
	size_t tests = 0, failures = 0;
	pgd_report_junit_suite(&suite, f, meta, name, &tests, &failures);
	pgd_strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	pgd_strbuf_addf(out, "<testsuites name=\"%s\" tests=\"%zu\" "
			     "failures=\"%zu\" errors=\"0\">\n", name, tests, failures);
	pgd_strbuf_add(out, suite.buf, suite.len);
	pgd_strbuf_addstr(out, "</testsuites>\n");
	pgd_strbuf_release(&suite);
	free(name);
}

/* Escapes s for an XML attribute (fleet.c's test suites). */
void pgd_report_xml_attr(struct pgd_strbuf *out, const char *s)
{
	xml(out, s, true);
}

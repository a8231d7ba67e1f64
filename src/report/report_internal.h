/*
 * report_internal.h - what the fleet reporters borrow from the single
 * database ones. Internal to src/report/.
 */
#ifndef PGDRIFT_REPORT_INTERNAL_H
#define PGDRIFT_REPORT_INTERNAL_H

#include <stddef.h>

struct pgd_findings;
struct pgd_report_meta;
struct pgd_strbuf;

/* One JUnit <testsuite> named name over f; adds its test cases to *tests
 * and its failing ones to *failures. */
void pgd_report_junit_suite(struct pgd_strbuf *out, const struct pgd_findings *f,
			    const struct pgd_report_meta *meta, const char *name,
			    size_t *tests, size_t *failures);
/* s escaped for a double-quoted XML attribute. */
void pgd_report_xml_attr(struct pgd_strbuf *out, const char *s);

#endif

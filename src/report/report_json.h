/*
 * report_json.h - what the JSON-based reporters (json, sarif, codequality)
 * share. Internal to src/report/.
 */
#ifndef PGDRIFT_REPORT_JSON_H
#define PGDRIFT_REPORT_JSON_H

#include <jansson.h>

#include "pgdrift/strbuf.h"

/* Appends root, indented by 2 and in insertion order, and a newline to out;
 * takes the reference to root (releases it). */
static inline void pgd_report_json_emit_take(json_t *root, struct pgd_strbuf *out)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		PGD_BUG("json_dumps failed");
	pgd_strbuf_addstr(out, text);
	pgd_strbuf_addch(out, '\n');
	free(text);
	json_decref(root);
}

/* A JSON string, or null for NULL. */
static inline json_t *pgd_json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

struct pgd_finding;
struct pgd_findings;
struct pgd_report_meta;

/* The JSON object of one finding in the json report (a new reference). */
json_t *pgd_report_json_finding(const struct pgd_finding *x);
/* {"total", "by_severity": {...}, "by_category": {...}}: the counts of a
 * report's summary (single-database and fleet alike). New reference; the
 * caller owns it. */
json_t *pgd_report_json_counts(const size_t sev[3], const size_t cat[PGD_CAT_COUNT],
			       size_t total);
/* One SARIF run of f (a new reference). */
json_t *pgd_report_sarif_run(const struct pgd_findings *f,
			     const struct pgd_report_meta *meta);
/* One Code Quality issue for x with this description and fingerprint. */
json_t *pgd_report_cq_issue(const struct pgd_finding *x,
			    const struct pgd_report_meta *meta,
			    const char *description, const char *fingerprint);

#endif

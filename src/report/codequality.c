/*
 * codequality.c - GitLab Code Quality (a JSON array of Code Climate
 * issues): description, check_name (the finding code), fingerprint (the
 * finding's, stable across runs, so the merge-request widget shows only new
 * and fixed findings), severity, and location.path/lines.begin at the
 * migration behind the expectation (the migrations folder when no single
 * file is). Severity: RLS errors are "critical" (data is exposed), other
 * errors "major", warnings "minor", info "info".
 */
#include <jansson.h>

#include "pgdrift/report.h"
#include "pgdrift/strbuf.h"
#include "report_json.h"

/* RLS findings, and code reaching what RLS denies or leaves open */
static bool security(const struct pgd_finding *x)
{
	return x->rule->category == PGD_CAT_RLS ||
	       x->rule == pgd_rule(PGD_R_REF_CLIENT_OPEN_TABLE) ||
	       x->rule == pgd_rule(PGD_R_REF_OPERATION_WITHOUT_POLICY);
}

static const char *cq_severity(const struct pgd_finding *x)
{
	switch (x->severity) {
	case PGD_SEV_ERROR:
		return security(x) ? "critical" : "major";
	case PGD_SEV_WARNING:
		return "minor";
	case PGD_SEV_INFO:
		return "info";
	}
	return "info";
}

json_t *pgd_report_cq_issue(const struct pgd_finding *x,
			    const struct pgd_report_meta *meta,
			    const char *description, const char *fingerprint)
{
	const char *path = x->file ? x->file : meta->location ? meta->location : ".";
	return json_pack(
		"{s:s, s:s, s:s, s:[s], s:s, s:s, s:{s:s, s:{s:I}}}",
		"type", "issue",
		"description", description, "check_name", x->rule->code,
		"categories", security(x) ? "Security" : "Bug Risk",
		"fingerprint", fingerprint, "severity", cq_severity(x),
		"location", "path", path, "lines", "begin",
		(json_int_t)(x->file && x->line ? x->line : 1));
}

void pgd_report_codequality(const struct pgd_findings *f,
			    const struct pgd_report_meta *meta,
			    struct pgd_strbuf *out)
{
	json_t *issues = json_array();
	for (size_t i = 0; i < f->n; i++) {
		const struct pgd_finding *x = &f->v[i];
		char *desc = pgd_xasprintf("%s %s: %s", x->rule->code, x->rule->name,
					   x->message);
		json_array_append_new(issues, pgd_report_cq_issue(x, meta, desc,
								  x->fingerprint));
		free(desc);
	}
	pgd_report_json_emit_take(issues, out);
}

/*
 * json.c - the machine report, "format": "pgdrift.report/1": a findings
 * array (code, name, severity, category, object, table, message, expected,
 * actual, source, remediation, fingerprint) and a summary with counts by severity and
 * category. jansson escapes every string.
 */
#include <jansson.h>

#include "pgd_config.h"
#include "pgdrift/report.h"
#include "pgdrift/strbuf.h"
#include "report_json.h"

json_t *pgd_report_json_counts(const size_t sev[3], const size_t cat[PGD_CAT_COUNT],
			       size_t total)
{
	return json_pack("{s:I, s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I}}",
		"total", (json_int_t)total,
		"by_severity", "error", (json_int_t)sev[PGD_SEV_ERROR],
		"warning", (json_int_t)sev[PGD_SEV_WARNING],
		"info", (json_int_t)sev[PGD_SEV_INFO],
		"by_category", "drift", (json_int_t)cat[PGD_CAT_DRIFT],
		"rls", (json_int_t)cat[PGD_CAT_RLS],
		"history", (json_int_t)cat[PGD_CAT_HISTORY],
		"coverage", (json_int_t)cat[PGD_CAT_COVERAGE],
		"refs", (json_int_t)cat[PGD_CAT_REFS]);
}

json_t *pgd_report_json_finding(const struct pgd_finding *x)
{
	json_t *j = json_object();
	json_object_set_new(j, "code", json_string(x->rule->code));
	json_object_set_new(j, "name", json_string(x->rule->name));
	json_object_set_new(j, "severity", json_string(pgd_severity_name(x->severity)));
	json_object_set_new(j, "category",
			    json_string(pgd_category_name(x->rule->category)));
	json_object_set_new(j, "object", pgd_json_str_or_null(x->object));
	json_object_set_new(j, "table", pgd_json_str_or_null(x->table));
	json_object_set_new(j, "message", json_string(x->message));
	json_object_set_new(j, "expected", pgd_json_str_or_null(x->expected));
	json_object_set_new(j, "actual", pgd_json_str_or_null(x->actual));
	json_t *src = json_null();
	if (x->file) {
		src = json_pack("{s:s, s:I}", "file", x->file, "line", (json_int_t)x->line);
		if (x->dynamic) /* made by a DO block or call: "file.sql:12 (EXECUTE)" */
			json_object_set_new(src, "execute", json_true());
		else if (x->file_is_table) /* the text report's "table defined at" */
			json_object_set_new(src, "of_table", json_true());
	}
	json_object_set_new(j, "source", src);
	json_object_set_new(j, "remediation", pgd_json_str_or_null(x->remediation));
	json_object_set_new(j, "fingerprint", json_string(x->fingerprint));
	return j;
}

void pgd_report_json(const struct pgd_findings *f,
		     const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	json_t *root = json_object();
	json_object_set_new(root, "format", json_string("pgdrift.report/1"));
	json_object_set_new(root, "tool", json_pack("{s:s, s:s}", "name", "pgdrift",
						    "version", meta->version ? meta->version : PGD_VERSION));
	json_object_set_new(root, "command", pgd_json_str_or_null(meta->command));
	json_object_set_new(root, "expected", pgd_json_str_or_null(meta->expected));
	json_object_set_new(root, "actual", pgd_json_str_or_null(meta->actual));
	/* the server of each side, when it is a database (or a snapshot of one) */
	if (meta->expected_server)
		json_object_set_new(root, "expected_database", json_pack(
			"{s:s}", "server_version", meta->expected_server));
	if (meta->actual_server)
		json_object_set_new(root, "database", json_pack(
			"{s:s}", "server_version", meta->actual_server));
	json_t *arr = json_array();
	size_t sev[3] = { 0, 0, 0 }, cat[PGD_CAT_COUNT] = { 0 };
	for (size_t i = 0; i < f->n; i++) {
		const struct pgd_finding *x = &f->v[i];
		sev[x->severity]++;
		cat[x->rule->category]++;
		json_array_append_new(arr, pgd_report_json_finding(x));
	}
	json_object_set_new(root, "findings", arr);
	json_t *summary = pgd_report_json_counts(sev, cat, f->n);
	json_object_set_new(summary, "fail_on", meta->fail_on_none
		? json_string("none") : json_string(pgd_severity_name(meta->fail_on)));
	json_object_set_new(summary, "failed", json_boolean(!meta->fail_on_none &&
		pgd_findings_count_at_least(f, meta->fail_on) > 0));
	json_object_set_new(summary, "unmodeled", meta->unmodeled_known
		? json_integer((json_int_t)meta->unmodeled) : json_null());
	json_object_set_new(summary, "suppressed", json_integer((json_int_t)meta->suppressed));
	json_object_set_new(summary, "baseline", pgd_json_str_or_null(meta->baseline));
	json_object_set_new(root, "summary", summary);
	if (meta->matrix) {
		const struct pgd_rls_matrix *mx = meta->matrix;
		json_t *rows = json_array();
		for (size_t i = 0; i < mx->n; i++) {
			const struct pgd_rls_row *row = &mx->rows[i];
			json_t *cmds = json_object();
			for (size_t c = 0; c < PGD_RLS_NCMDS; c++) {
				json_t *roles = json_object();
				for (size_t r = 0; r < PGD_RLS_NROLES; r++) {
					const struct pgd_rls_cell *cell = &row->cells[c][r];
					json_t *cj = json_pack(
						"{s:s, s:o}", "access", pgd_access_name(cell->access),
						"policies", pgd_json_str_or_null(cell->policies));
					if (cell->columns)
						json_object_set_new(cj, "columns", json_true());
					json_object_set_new(roles, pgd_rls_roles[r], cj);
				}
				json_object_set_new(cmds, pgd_rls_cmds[c], roles);
			}
			json_array_append_new(rows, json_pack("{s:s, s:b, s:b, s:o}",
				"table", row->table, "rls_enabled", row->rls_enabled,
				"rls_forced", row->rls_forced, "access", cmds));
		}
		json_object_set_new(root, "coverage_matrix", json_pack("{s:s, s:b, s:o}",
			"exposed_schemas", mx->exposed ? mx->exposed : "",
			"assumed", mx->exposed_assumed, "tables", rows));
	}
	pgd_report_json_emit_take(root, out);
}

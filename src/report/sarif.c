/*
 * sarif.c - SARIF 2.1.0 for code-scanning tools: one rule per finding code
 * (every code pgdrift knows, with its help text, default level and
 * category), one result per finding located at the migration file:line
 * behind the expectation (a database-wide finding at the migrations
 * folder: every result has a physical location), the finding's fingerprint as a partial
 * fingerprint so the same drift keeps its identity across runs. jansson
 * escapes every string; file paths become URI references (percent-encoded).
 */
#include <jansson.h>

#include "pgd_config.h"
#include "pgdrift/report.h"
#include "pgdrift/strbuf.h"
#include "report_json.h"

static const char *level(enum pgd_severity s)
{
	switch (s) {
	case PGD_SEV_ERROR: return "error";
	case PGD_SEV_WARNING: return "warning";
	case PGD_SEV_INFO: return "note";
	}
	return "none";
}

/* A relative path stays relative (resolved against the run's working
 * directory); an absolute one becomes a file: URI. */
static char *uri_of(const char *path)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (path[0] == '/')
		pgd_strbuf_addstr(&sb, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~' || *p == '/')
			pgd_strbuf_addch(&sb, *p);
		else
			pgd_strbuf_addf(&sb, "%%%02X", *p);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static json_t *rules_array(void)
{
	json_t *rules = json_array();
	for (size_t i = 0; i < PGD_R_COUNT; i++) {
		const struct pgd_rule *r = pgd_rule((enum pgd_rule_id)i);
		json_array_append_new(rules, json_pack(
			"{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}",
			"id", r->code, "name", r->name,
			"shortDescription", "text", r->name,
			"fullDescription", "text", r->help,
			"help", "text", r->help,
			"defaultConfiguration", "level", level(r->severity),
			"properties", "category", pgd_category_name(r->category)));
	}
	return rules;
}

static json_t *result_of(const struct pgd_finding *x,
			 const struct pgd_report_meta *meta)
{
	json_t *res = json_pack("{s:s, s:I, s:s, s:{s:s}}",
		"ruleId", x->rule->code,
		"ruleIndex", (json_int_t)(x->rule - pgd_rule(0)),
		"level", level(x->severity), "message", "text", x->message);
	/* one location, always (code scanning drops results without one): the
	 * migration file:line, or for a database-wide finding the migrations
	 * folder (no region); and the object by name */
	json_t *loc = json_object();
	char *uri = uri_of(x->file ? x->file : meta->location ? meta->location : ".");
	json_t *phys = json_pack("{s:{s:s}}", "artifactLocation", "uri", uri);
	if (x->file)
		json_object_set_new(phys, "region", json_pack("{s:I}", "startLine",
				    (json_int_t)(x->line ? x->line : 1)));
	json_object_set_new(loc, "physicalLocation", phys);
	free(uri);
	if (x->file && x->dynamic)
		json_object_set_new(loc, "message", json_pack("{s:s}", "text",
			"made by EXECUTE in the DO block or call on this line"));
	if (x->object)
		json_object_set_new(loc, "logicalLocations", json_pack(
			"[{s:s}]", "fullyQualifiedName", x->object));
	if (!x->file)
		json_object_set_new(loc, "message", json_pack("{s:s}", "text",
				    "no migration file behind this finding: the "
				    "migrations folder"));
	else if (x->file_is_table && !x->dynamic)
		json_object_set_new(loc, "message", json_pack("{s:s}", "text",
				    "where its table is defined: the object has no "
				    "migration of its own"));
	json_object_set_new(res, "locations", json_pack("[o]", loc));
	json_object_set_new(res, "partialFingerprints",
			    json_pack("{s:s}", "pgdrift/v1", x->fingerprint));
	json_object_set_new(res, "properties", json_pack(
		"{s:s, s:o, s:o, s:o, s:o, s:o}",
		"category", pgd_category_name(x->rule->category),
		"object", pgd_json_str_or_null(x->object), "table", pgd_json_str_or_null(x->table),
		"expected", pgd_json_str_or_null(x->expected), "actual", pgd_json_str_or_null(x->actual),
		"remediation", pgd_json_str_or_null(x->remediation)));
	return res;
}

json_t *pgd_report_sarif_run(const struct pgd_findings *f,
			     const struct pgd_report_meta *meta)
{
	json_t *results = json_array();
	for (size_t i = 0; i < f->n; i++)
		json_array_append_new(results, result_of(&f->v[i], meta));
	const char *version = meta->version ? meta->version : PGD_VERSION;
	json_t *driver = json_pack("{s:s, s:s, s:s, s:o}", "name", "pgdrift",
				   "version", version, "semanticVersion", version,
				   "rules", rules_array());
	json_t *run = json_pack("{s:{s:o}, s:o, s:s}", "tool", "driver", driver,
				"results", results, "columnKind", "unicodeCodePoints");
	json_t *props = json_pack("{s:o, s:o, s:o, s:I}",
		"command", pgd_json_str_or_null(meta->command),
		"expected", pgd_json_str_or_null(meta->expected),
		"actual", pgd_json_str_or_null(meta->actual),
		"suppressedByBaseline", (json_int_t)meta->suppressed);
	if (meta->expected_server)
		json_object_set_new(props, "expectedServerVersion",
				    json_string(meta->expected_server));
	if (meta->actual_server)
		json_object_set_new(props, "serverVersion",
				    json_string(meta->actual_server));
	json_object_set_new(run, "properties", props);
	return run;
}

void pgd_report_sarif(const struct pgd_findings *f,
		      const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	json_t *root = json_pack("{s:s, s:s, s:[o]}",
		"$schema", "https://json.schemastore.org/sarif-2.1.0.json",
		"version", "2.1.0", "runs", pgd_report_sarif_run(f, meta));
	pgd_report_json_emit_take(root, out);
}

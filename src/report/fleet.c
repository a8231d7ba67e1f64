/*
 * fleet.c - the reports of a fleet (fleet.h): every format of the single
 * database reports, once per database, inside one document. JSON is
 * "pgdrift.fleet/1" (each database's findings keep the fields of
 * "pgdrift.report/1"); Markdown a table of databases by severity and
 * category, then a section per database with findings; text a short form;
 * SARIF a run per database; JUnit a test suite per database; Code Quality
 * one list whose fingerprints include the database name. A database that
 * could not be read is an error row in every format.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgd_config.h"
#include "pgdrift/report.h"
#include "pgdrift/strbuf.h"
#include "report_internal.h"
#include "report_json.h"

static void counts(const struct pgd_findings *f, size_t sev[3], size_t cat[PGD_CAT_COUNT])
{
	for (size_t i = 0; f && i < f->n; i++) {
		sev[f->v[i].severity]++;
		cat[f->v[i].rule->category]++;
	}
}

static int fleet_exit(const struct pgd_fleet_db *dbs, size_t n)
{
	int worst = 0;
	for (size_t i = 0; i < n; i++) {
		if (dbs[i].error)
			return PGD_EXIT_DB;
		if (dbs[i].exit_code > worst)
			worst = dbs[i].exit_code;
	}
	return worst;
}

void pgd_report_fleet_json(const struct pgd_fleet_db *dbs, size_t n,
			   const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	json_t *root = json_object();
	json_object_set_new(root, "format", json_string("pgdrift.fleet/1"));
	json_object_set_new(root, "tool", json_pack("{s:s, s:s}", "name", "pgdrift",
		"version", meta->version ? meta->version : PGD_VERSION));
	json_object_set_new(root, "command", pgd_json_str_or_null(meta->command));
	json_object_set_new(root, "expected", pgd_json_str_or_null(meta->expected));
	json_t *arr = json_array();
	size_t tsev[3] = { 0 }, tcat[PGD_CAT_COUNT] = { 0 }, total = 0, nerr = 0;
	for (size_t d = 0; d < n; d++) {
		const struct pgd_fleet_db *db = &dbs[d];
		size_t sev[3] = { 0 }, cat[PGD_CAT_COUNT] = { 0 };
		counts(db->findings, sev, cat);
		json_t *fa = json_array();
		size_t nf = db->findings ? db->findings->n : 0;
		for (size_t i = 0; i < nf; i++)
			json_array_append_new(fa, pgd_report_json_finding(&db->findings->v[i]));
		json_t *summary = pgd_report_json_counts(sev, cat, nf);
		json_object_set_new(summary, "suppressed", json_integer((json_int_t)db->suppressed));
		json_t *tables = json_array();
		for (size_t i = 0; i < db->ntables; i++)
			json_array_append_new(tables, json_string(db->tables[i]));
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(db->name));
		json_object_set_new(o, "status", json_string(db->error ? "error" : "ok"));
		json_object_set_new(o, "exit", json_integer(db->exit_code));
		json_object_set_new(o, "error", pgd_json_str_or_null(db->error));
		json_object_set_new(o, "findings", fa);
		json_object_set_new(o, "summary", summary);
		json_object_set_new(o, "tables", tables);
		json_array_append_new(arr, o);
		for (int k = 0; k < 3; k++)
			tsev[k] += sev[k];
		for (int k = 0; k < PGD_CAT_COUNT; k++)
			tcat[k] += cat[k];
		total += nf;
		nerr += db->error != NULL;
	}
	json_object_set_new(root, "databases", arr);
	json_t *summary = json_pack("{s:I, s:I, s:I}", "databases", (json_int_t)n,
				    "ok", (json_int_t)(n - nerr), "error", (json_int_t)nerr);
	json_object_set_new(summary, "findings", pgd_report_json_counts(tsev, tcat, total));
	size_t suppressed = 0;
	for (size_t d = 0; d < n; d++)
		suppressed += dbs[d].suppressed;
	json_object_set_new(summary, "suppressed", json_integer((json_int_t)suppressed));
	json_object_set_new(summary, "fail_on", meta->fail_on_none
		? json_string("none") : json_string(pgd_severity_name(meta->fail_on)));
	json_object_set_new(summary, "exit", json_integer(fleet_exit(dbs, n)));
	json_object_set_new(summary, "unmodeled", meta->unmodeled_known
		? json_integer((json_int_t)meta->unmodeled) : json_null());
	char *comp = pgd_report_completeness(meta);
	json_object_set_new(summary, "completeness", json_string(comp));
	free(comp);
	json_object_set_new(root, "summary", summary);
	pgd_report_json_emit_take(root, out);
}

/* Control characters shown escaped (a hostile name cannot forge lines). */
static void safe(struct pgd_strbuf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '\n')
			pgd_strbuf_addstr(out, "\\n");
		else if (*p < 0x20 || *p == 0x7f)
			pgd_strbuf_addf(out, "\\x%02x", *p);
		else
			pgd_strbuf_addch(out, *p);
	}
}

void pgd_report_fleet_text(const struct pgd_fleet_db *dbs, size_t n,
			   const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	size_t nerr = 0, total = 0;
	for (size_t d = 0; d < n; d++) {
		const struct pgd_fleet_db *db = &dbs[d];
		size_t sev[3] = { 0 }, cat[PGD_CAT_COUNT] = { 0 };
		counts(db->findings, sev, cat);
		safe(out, db->name);
		if (db->error) {
			nerr++;
			pgd_strbuf_addstr(out, ": ERROR ");
			safe(out, db->error);
			pgd_strbuf_addch(out, '\n');
			continue;
		}
		pgd_strbuf_addf(out, ": %zu error%s, %zu warning%s, %zu info\n",
				sev[2], sev[2] == 1 ? "" : "s", sev[1],
				sev[1] == 1 ? "" : "s", sev[0]);
		for (size_t i = 0; i < db->findings->n; i++) {
			const struct pgd_finding *x = &db->findings->v[i];
			/* short: only what fails the gate (errors with none) */
			if (x->severity < (meta->fail_on_none ? PGD_SEV_ERROR : meta->fail_on))
				continue;
			pgd_strbuf_addf(out, "  %-7s %s %s ", pgd_severity_name(x->severity),
					x->rule->code, x->rule->name);
			safe(out, x->object ? x->object : x->table);
			pgd_strbuf_addstr(out, ": ");
			safe(out, x->message);
			pgd_strbuf_addch(out, '\n');
		}
		total += db->findings->n;
	}
	char *comp = pgd_report_completeness(meta);
	pgd_strbuf_addstr(out, "\ncompleteness: ");
	safe(out, comp);
	free(comp);
	pgd_strbuf_addf(out, "\n%zu database%s: %zu read, %zu could not be read; "
			"%zu finding%s; exit %d (fail on %s)\n", n, n == 1 ? "" : "s",
			n - nerr, nerr, total, total == 1 ? "" : "s", fleet_exit(dbs, n),
			meta->fail_on_none ? "none" : pgd_severity_name(meta->fail_on));
}

void pgd_report_fleet_markdown(const struct pgd_fleet_db *dbs, size_t n,
			       const struct pgd_report_meta *meta,
			       struct pgd_strbuf *out)
{
	pgd_strbuf_addf(out, "## pgdrift %s: %zu database%s\n\n",
			meta->command ? meta->command : "check", n, n == 1 ? "" : "s");
	if (meta->expected) {
		pgd_strbuf_addstr(out, "Expected: ");
		pgd_report_markdown_escape(out, meta->expected);
		pgd_strbuf_addstr(out, "\n\n");
	}
	char *comp = pgd_report_completeness(meta);
	pgd_strbuf_addstr(out, "Completeness: ");
	pgd_report_markdown_escape(out, comp);
	pgd_strbuf_addstr(out, "\n\n");
	free(comp);
	pgd_strbuf_addstr(out, "| database | status | drift (E/W/I) | rls (E/W/I) | "
			       "history (E/W/I) | coverage (E/W/I) |\n"
			       "|---|---|---|---|---|---|\n");
	for (size_t d = 0; d < n; d++) {
		const struct pgd_fleet_db *db = &dbs[d];
		pgd_strbuf_addstr(out, "| ");
		pgd_report_markdown_escape(out, db->name);
		if (db->error) {
			pgd_strbuf_addstr(out, " | **error**: ");
			pgd_report_markdown_escape(out, db->error);
			pgd_strbuf_addstr(out, " | – | – | – | – |\n");
			continue;
		}
		size_t by[4][3] = { { 0 } };
		for (size_t i = 0; i < db->findings->n; i++)
			by[db->findings->v[i].rule->category][db->findings->v[i].severity]++;
		pgd_strbuf_addf(out, " | %s |", db->exit_code ? "findings" : "ok");
		for (int c = 0; c < 4; c++)
			pgd_strbuf_addf(out, " %zu/%zu/%zu |", by[c][2], by[c][1], by[c][0]);
		pgd_strbuf_addch(out, '\n');
	}
	pgd_strbuf_addf(out, "\nExit %d (fail on %s).\n", fleet_exit(dbs, n),
			meta->fail_on_none ? "none" : pgd_severity_name(meta->fail_on));
	for (size_t d = 0; d < n; d++) {
		const struct pgd_fleet_db *db = &dbs[d];
		size_t shown = 0;
		for (size_t i = 0; !db->error && i < db->findings->n; i++)
			shown += db->findings->v[i].severity != PGD_SEV_INFO;
		if (!shown)
			continue;
		pgd_strbuf_addstr(out, "\n### ");
		pgd_report_markdown_escape(out, db->name);
		pgd_strbuf_addstr(out, "\n\n| severity | code | object | finding | migration |\n"
				       "|---|---|---|---|---|\n");
		for (size_t i = 0; i < db->findings->n; i++) {
			const struct pgd_finding *x = &db->findings->v[i];
			if (x->severity == PGD_SEV_INFO)
				continue;
			pgd_strbuf_addf(out, "| %s | %s %s | ", pgd_severity_name(x->severity),
					x->rule->code, x->rule->name);
			pgd_report_markdown_escape(out, x->object ? x->object : x->table);
			pgd_strbuf_addstr(out, " | ");
			pgd_report_markdown_escape(out, x->message);
			pgd_strbuf_addstr(out, " | ");
			if (x->file) {
				pgd_report_markdown_escape(out, x->file);
				pgd_strbuf_addf(out, ":%u%s", x->line,
						x->dynamic ? " (EXECUTE)" : "");
			}
			pgd_strbuf_addstr(out, " |\n");
		}
	}
}

/* The meta of one database inside a fleet report. */
static struct pgd_report_meta db_meta(const struct pgd_report_meta *meta,
				      const struct pgd_fleet_db *db)
{
	struct pgd_report_meta m = *meta;
	m.actual = db->name;
	m.tables = db->tables;
	m.ntables = db->ntables;
	m.suppressed = db->suppressed;
	return m;
}

static const struct pgd_findings no_findings = PGD_FINDINGS_INIT;

void pgd_report_fleet_sarif(const struct pgd_fleet_db *dbs, size_t n,
			    const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	json_t *runs = json_array();
	for (size_t d = 0; d < n; d++) {
		struct pgd_report_meta m = db_meta(meta, &dbs[d]);
		json_t *run = pgd_report_sarif_run(dbs[d].error ? &no_findings
							    : dbs[d].findings, &m);
		json_t *props = json_object_get(run, "properties");
		json_object_set_new(props, "database", json_string(dbs[d].name));
		if (dbs[d].error) {
			/* SARIF's way to say a run did not complete */
			json_object_set_new(run, "invocations", json_pack(
				"[{s:b, s:[{s:s, s:{s:s}}]}]", "executionSuccessful", 0,
				"toolExecutionNotifications", "level", "error",
				"message", "text", dbs[d].error));
		}
		json_array_append_new(runs, run);
	}
	json_t *root = json_pack("{s:s, s:s, s:o}",
		"$schema", "https://json.schemastore.org/sarif-2.1.0.json",
		"version", "2.1.0", "runs", runs);
	pgd_report_json_emit_take(root, out);
}

void pgd_report_fleet_junit(const struct pgd_fleet_db *dbs, size_t n,
			    const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	struct pgd_strbuf suites = PGD_STRBUF_INIT;
	size_t tests = 0, failures = 0, errors = 0;
	const char *cmd = meta->command ? meta->command : "check";
	for (size_t d = 0; d < n; d++) {
		const struct pgd_fleet_db *db = &dbs[d];
		if (db->error) {
			/* the database is one test case in error */
			errors++;
			tests++;
			pgd_strbuf_addstr(&suites, "  <testsuite name=\"");
			pgd_report_xml_attr(&suites, db->name);
			pgd_strbuf_addstr(&suites, "\" tests=\"1\" failures=\"0\" errors=\"1\" "
					  "skipped=\"0\">\n    <testcase classname=\"pgdrift.database\" name=\"");
			pgd_report_xml_attr(&suites, db->name);
			pgd_strbuf_addstr(&suites, "\">\n      <error type=\"database\" message=\"");
			pgd_report_xml_attr(&suites, db->error);
			pgd_strbuf_addstr(&suites, "\"/>\n    </testcase>\n  </testsuite>\n");
			continue;
		}
		struct pgd_report_meta m = db_meta(meta, db);
		pgd_report_junit_suite(&suites, db->findings, &m, db->name, &tests,
				       &failures);
	}
	pgd_strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	pgd_strbuf_addf(out, "<testsuites name=\"pgdrift %s fleet\" tests=\"%zu\" "
			"failures=\"%zu\" errors=\"%zu\">\n", cmd, tests, failures, errors);
	pgd_strbuf_add(out, suites.buf, suites.len);
	pgd_strbuf_addstr(out, "</testsuites>\n");
	pgd_strbuf_release(&suites);
}

/* 16 hex digits: FNV-1a of the database name, a NUL and the finding's
 * fingerprint, so one drift in two databases is two issues. */
static void db_fingerprint(const char *db, const char *fp, char hex[17])
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (const unsigned char *p = (const unsigned char *)db;; p++) {
		h ^= *p;
		h *= UINT64_C(1099511628211);
		if (!*p)
			break;
	}
	for (const unsigned char *p = (const unsigned char *)fp; *p; p++) {
		h ^= *p;
		h *= UINT64_C(1099511628211);
	}
	snprintf(hex, 17, "%016llx", (unsigned long long)h);
}

void pgd_report_fleet_codequality(const struct pgd_fleet_db *dbs, size_t n,
				  const struct pgd_report_meta *meta,
				  struct pgd_strbuf *out)
{
	json_t *issues = json_array();
	for (size_t d = 0; d < n; d++) {
		const struct pgd_fleet_db *db = &dbs[d];
		char fp[17];
		if (db->error) {
			db_fingerprint(db->name, "error", fp);
			char *desc = pgd_xasprintf("[%s] the database could not be read: %s",
						   db->name, db->error);
			const char *path = meta->location ? meta->location : ".";
			json_array_append_new(issues, json_pack(
				"{s:s, s:s, s:s, s:[s], s:s, s:s, s:{s:s, s:{s:i}}}",
				"type", "issue", "description", desc,
				"check_name", "database-error", "categories", "Bug Risk",
				"fingerprint", fp, "severity", "blocker",
				"location", "path", path, "lines", "begin", 1));
			free(desc);
			continue;
		}
		for (size_t i = 0; i < db->findings->n; i++) {
			const struct pgd_finding *x = &db->findings->v[i];
			db_fingerprint(db->name, x->fingerprint, fp);
			char *desc = pgd_xasprintf("[%s] %s %s: %s", db->name, x->rule->code,
						   x->rule->name, x->message);
			json_array_append_new(issues, pgd_report_cq_issue(x, meta, desc, fp));
			free(desc);
		}
	}
	pgd_report_json_emit_take(issues, out);
}

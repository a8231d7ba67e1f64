/*
 * markdown.c - a report for a merge request or a security review: a
 * summary first (verdict, sources, completeness, counts by category and
 * severity), findings grouped by table, and the RLS coverage matrix.
 * Everything that comes from the database or the migrations is escaped for
 * GitLab/GitHub Markdown: HTML-special characters become entities, table
 * and emphasis characters get a backslash, newlines are shown as \n.
 */
#include <string.h>

#include "pgd_config.h"
#include "pgdrift/report.h"
#include "pgdrift/strbuf.h"

static void md(struct pgd_strbuf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&': pgd_strbuf_addstr(out, "&amp;"); break;
		case '<': pgd_strbuf_addstr(out, "&lt;"); break;
		case '>': pgd_strbuf_addstr(out, "&gt;"); break;
		case '\n': pgd_strbuf_addstr(out, "\\n"); break;
		case '\r': pgd_strbuf_addstr(out, "\\r"); break;
		case '|': case '\\': case '`': case '*': case '_': case '[': case ']':
		case '#': case '~':
			pgd_strbuf_addch(out, '\\');
			pgd_strbuf_addch(out, *p);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				pgd_strbuf_addf(out, "\\x%02x", *p);
			else
				pgd_strbuf_addch(out, *p);
		}
	}
}

static const char *cell(const struct pgd_rls_cell *c)
{
	if (c->columns)
		switch (c->access) {
		case PGD_ACC_OPEN: return "**OPEN** (columns)";
		case PGD_ACC_ALL_ROWS: return "**all rows** (columns)";
		case PGD_ACC_POLICY: return "policy (columns)";
		case PGD_ACC_DENIED: return "denied (columns)";
		default: break;
		}
	switch (c->access) {
	case PGD_ACC_NO_GRANT: return "–";
	case PGD_ACC_OPEN: return "**OPEN**";
	case PGD_ACC_ALL_ROWS: return "**all rows**";
	case PGD_ACC_POLICY: return "policy";
	case PGD_ACC_DENIED: return "denied";
	}
	return "?";
}

void pgd_report_markdown(const struct pgd_findings *f,
			 const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	struct pgd_report_summary s;
	pgd_report_summarize(f, meta, &s);
	pgd_strbuf_addf(out, "## pgdrift %s\n\n", meta->command ? meta->command : "check");
	pgd_strbuf_addstr(out, "| summary | |\n|---|---|\n| result | ");
	if (meta->fail_on_none)
		pgd_strbuf_addstr(out, "not gated (--fail-on none), exit code 0");
	else
		pgd_strbuf_addf(out, "%s, exit code %d (--fail-on %s)",
				s.failed ? "**failed**" : "passed", s.exit_code,
				pgd_severity_name(meta->fail_on));
	pgd_strbuf_addstr(out, " |\n| expected | ");
	md(out, meta->expected);
	if (meta->expected_server) {
		pgd_strbuf_addstr(out, " (PostgreSQL ");
		md(out, meta->expected_server);
		pgd_strbuf_addch(out, ')');
	}
	pgd_strbuf_addstr(out, " |\n| actual | ");
	md(out, meta->actual);
	if (meta->actual_server) {
		pgd_strbuf_addstr(out, " (PostgreSQL ");
		md(out, meta->actual_server);
		pgd_strbuf_addch(out, ')');
	}
	pgd_strbuf_addstr(out, " |\n");
	if (meta->history) {
		pgd_strbuf_addstr(out, "| history | ");
		md(out, meta->history);
		pgd_strbuf_addstr(out, " |\n");
	}
	char *comp = pgd_report_completeness(meta);
	pgd_strbuf_addstr(out, "| completeness | ");
	md(out, comp);
	free(comp);
	pgd_strbuf_addstr(out, " |\n");
	if (meta->baseline) {
		pgd_strbuf_addf(out, "| baseline | %zu finding%s suppressed by ", meta->suppressed,
				meta->suppressed == 1 ? "" : "s");
		md(out, meta->baseline);
		pgd_strbuf_addstr(out, " |\n");
	}
	pgd_strbuf_addstr(out, "\n| category | errors | warnings | info |\n|---|---:|---:|---:|\n");
	static const enum pgd_category cats[] = { PGD_CAT_DRIFT, PGD_CAT_RLS,
						  PGD_CAT_HISTORY, PGD_CAT_COVERAGE,
						  PGD_CAT_REFS };
	for (size_t c = 0; c < PGD_ARRAY_SIZE(cats); c++)
		pgd_strbuf_addf(out, "| %s | %zu | %zu | %zu |\n", pgd_category_name(cats[c]),
				s.cat[cats[c]][PGD_SEV_ERROR], s.cat[cats[c]][PGD_SEV_WARNING],
				s.cat[cats[c]][PGD_SEV_INFO]);
	pgd_strbuf_addf(out, "| **all** | %zu | %zu | %zu |\n", s.sev[PGD_SEV_ERROR],
			s.sev[PGD_SEV_WARNING], s.sev[PGD_SEV_INFO]);
	if (s.hidden)
		pgd_strbuf_addf(out, "\n%zu finding%s below --min-severity not shown.\n",
				s.hidden, s.hidden == 1 ? "" : "s");
	const char *group = "\x01";
	for (size_t i = 0; i < f->n; i++) {
		const struct pgd_finding *x = &f->v[i];
		const char *g = x->table ? x->table : "";
		if (strcmp(g, group) != 0) {
			pgd_strbuf_addstr(out, "\n### ");
			if (*g)
				md(out, g);
			else
				pgd_strbuf_addstr(out, "Not on a table");
			pgd_strbuf_addf(out, "\n\n| severity | code | finding | %s | fix |\n"
					"|---|---|---|---|---|\n",
					meta->command && !strcmp(meta->command, "refs")
					? "source" : "migration");
			group = g;
		}
		pgd_strbuf_addf(out, "| %s | %s %s | ", pgd_severity_name(x->severity),
				x->rule->code, x->rule->name);
		md(out, x->message);
		pgd_strbuf_addstr(out, " | ");
		if (x->file) {
			if (x->file_is_table)
				pgd_strbuf_addstr(out, "table defined at ");
			md(out, x->file);
			if (x->line)
				pgd_strbuf_addf(out, ":%u", x->line);
			if (x->dynamic)
				pgd_strbuf_addstr(out, " (EXECUTE)");
		}
		pgd_strbuf_addstr(out, " | ");
		if (x->remediation)
			md(out, x->remediation);
		pgd_strbuf_addstr(out, " |\n");
	}
	if (meta->matrix) {
		const struct pgd_rls_matrix *mx = meta->matrix;
		pgd_strbuf_addstr(out, "\n### RLS coverage\n\nExposed schemas: ");
		md(out, mx->exposed);
		if (mx->exposed_assumed)
			pgd_strbuf_addstr(out, " (assumed: no `pgrst.db_schemas` setting)");
		pgd_strbuf_addstr(out, ". Each cell: anon / authenticated / public.");
		bool any_used = false;
		for (size_t i = 0; i < mx->n; i++)
			any_used |= mx->rows[i].used != 0;
		if (any_used)
			pgd_strbuf_addstr(out, " **used**: the application code issues "
					       "this command through the API.");
		pgd_strbuf_addstr(out, "\n\n| table | RLS |");
		for (size_t c = 0; c < PGD_RLS_NCMDS; c++)
			pgd_strbuf_addf(out, " %s |", pgd_rls_cmds[c]);
		pgd_strbuf_addstr(out, "\n|---|---|---|---|---|---|\n");
		for (size_t i = 0; i < mx->n; i++) {
			const struct pgd_rls_row *row = &mx->rows[i];
			pgd_strbuf_addstr(out, "| ");
			md(out, row->table);
			pgd_strbuf_addf(out, " | %s |", !row->rls_enabled ? "**off**"
						 : row->rls_forced ? "forced" : "on");
			for (size_t c = 0; c < PGD_RLS_NCMDS; c++)
				pgd_strbuf_addf(out, " %s / %s / %s%s |", cell(&row->cells[c][0]),
						cell(&row->cells[c][1]), cell(&row->cells[c][2]),
						row->used & (1u << c) ? " · **used**" : "");
			pgd_strbuf_addch(out, '\n');
		}
	}
	pgd_strbuf_addf(out, "\n<sub>pgdrift %s</sub>\n", meta->version ? meta->version
								   : PGD_VERSION);
}

/* The escaping above, for other Markdown writers (the inventory). */
void pgd_report_markdown_escape(struct pgd_strbuf *out, const char *s)
{
	md(out, s);
}

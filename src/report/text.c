/*
 * text.c - the human report: a summary block first (verdict, sources,
 * completeness, counts), then findings grouped by table, severity and code
 * on each line, then the migration file:line (or where the table of an
 * object only the database has is defined), expected, actual and the fix;
 * the verdict line again last. Control characters inside names are shown escaped
 * so a hostile identifier cannot forge report lines or move the terminal.
 */
#include <string.h>

#include "pgdrift/report.h"
#include "pgdrift/strbuf.h"

static void add_safe(struct pgd_strbuf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			pgd_strbuf_addstr(out, "\\n");
		else if (*p == '\r')
			pgd_strbuf_addstr(out, "\\r");
		else if (*p == '\t')
			pgd_strbuf_addstr(out, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			pgd_strbuf_addf(out, "\\x%02x", *p);
		else
			pgd_strbuf_addch(out, *p);
	}
}

static const char *sev_color(enum pgd_severity s)
{
	switch (s) {
	case PGD_SEV_ERROR: return "\033[1;31m";
	case PGD_SEV_WARNING: return "\033[1;33m";
	case PGD_SEV_INFO: return "\033[36m";
	}
	return "";
}

static void field(struct pgd_strbuf *out, const char *label, const char *value)
{
	if (!value)
		return;
	pgd_strbuf_addf(out, "           %-10s", label);
	add_safe(out, value);
	pgd_strbuf_addch(out, '\n');
}

static const char *cell_word(const struct pgd_rls_cell *c)
{
	if (c->columns)
		switch (c->access) {
		case PGD_ACC_OPEN: return "OPEN(c)";
		case PGD_ACC_ALL_ROWS: return "ALL(c)";
		case PGD_ACC_POLICY: return "pol(c)";
		case PGD_ACC_DENIED: return "deny(c)";
		default: break;
		}
	switch (c->access) {
	case PGD_ACC_NO_GRANT: return "-";
	case PGD_ACC_OPEN: return "OPEN";
	case PGD_ACC_ALL_ROWS: return "ALL";
	case PGD_ACC_POLICY: return "pol";
	case PGD_ACC_DENIED: return "deny";
	}
	return "?";
}

static void matrix_text(struct pgd_strbuf *out, const struct pgd_rls_matrix *mx)
{
	pgd_strbuf_addstr(out, "\nRLS coverage (exposed schemas: ");
	add_safe(out, mx->exposed ? mx->exposed : "");
	pgd_strbuf_addf(out, "%s)\n", mx->exposed_assumed ? ", assumed" : "");
	pgd_strbuf_addstr(out, "  cells: anon/authenticated/public; - no grant, OPEN "
			       "RLS off, ALL a policy allows every row, pol guarded "
			       "by policies, deny no policy, (c) through column grants only\n");
	size_t w = 5;
	for (size_t i = 0; i < mx->n; i++) {
		size_t l = strlen(mx->rows[i].table);
		if (l > w)
			w = l;
	}
	pgd_strbuf_addf(out, "  %-*s %-6s", (int)w, "table", "rls");
	for (size_t c = 0; c < PGD_RLS_NCMDS; c++)
		pgd_strbuf_addf(out, " %-15s", pgd_rls_cmds[c]);
	pgd_strbuf_addch(out, '\n');
	for (size_t i = 0; i < mx->n; i++) {
		const struct pgd_rls_row *row = &mx->rows[i];
		pgd_strbuf_addstr(out, "  ");
		size_t before = out->len;
		add_safe(out, row->table);
		size_t used = out->len - before;
		for (; used < w; used++)
			pgd_strbuf_addch(out, ' ');
		pgd_strbuf_addf(out, " %-6s", !row->rls_enabled ? "off"
					      : row->rls_forced ? "forced" : "on");
		for (size_t c = 0; c < PGD_RLS_NCMDS; c++) {
			char cell[64];
			snprintf(cell, sizeof(cell), "%s/%s/%s",
				 cell_word(&row->cells[c][0]), cell_word(&row->cells[c][1]),
				 cell_word(&row->cells[c][2]));
			pgd_strbuf_addf(out, " %-15s", cell);
		}
		pgd_strbuf_addch(out, '\n');
	}
}

/* The summary block: what was compared, how complete, how many. */
static void summary_text(struct pgd_strbuf *out, const struct pgd_report_summary *s,
			 const struct pgd_report_meta *meta)
{
	pgd_strbuf_addf(out, "pgdrift %s: ", meta->command ? meta->command : "check");
	if (meta->fail_on_none)
		pgd_strbuf_addstr(out, "not gated (--fail-on none), exit code 0\n");
	else
		pgd_strbuf_addf(out, "%s, exit code %d (--fail-on %s)\n",
				s->failed ? "FAILED" : "passed", s->exit_code,
				pgd_severity_name(meta->fail_on));
	pgd_strbuf_addstr(out, "  expected      ");
	add_safe(out, meta->expected ? meta->expected : "?");
	if (meta->expected_server) {
		pgd_strbuf_addstr(out, " (PostgreSQL ");
		add_safe(out, meta->expected_server);
		pgd_strbuf_addch(out, ')');
	}
	pgd_strbuf_addstr(out, "\n  actual        ");
	add_safe(out, meta->actual ? meta->actual : "?");
	if (meta->actual_server) {
		pgd_strbuf_addstr(out, " (PostgreSQL ");
		add_safe(out, meta->actual_server);
		pgd_strbuf_addch(out, ')');
	}
	pgd_strbuf_addch(out, '\n');
	if (meta->history) {
		pgd_strbuf_addstr(out, "  history       ");
		add_safe(out, meta->history);
		pgd_strbuf_addch(out, '\n');
	}
	char *comp = pgd_report_completeness(meta);
	pgd_strbuf_addstr(out, "  completeness  ");
	add_safe(out, comp);
	free(comp);
	pgd_strbuf_addf(out, "\n  findings      %zu error%s, %zu warning%s, %zu info "
			     "(drift %zu, rls %zu, history %zu, coverage %zu, refs %zu)\n",
			s->sev[PGD_SEV_ERROR], s->sev[PGD_SEV_ERROR] == 1 ? "" : "s",
			s->sev[PGD_SEV_WARNING], s->sev[PGD_SEV_WARNING] == 1 ? "" : "s",
			s->sev[PGD_SEV_INFO],
			s->cat[PGD_CAT_DRIFT][0] + s->cat[PGD_CAT_DRIFT][1] + s->cat[PGD_CAT_DRIFT][2],
			s->cat[PGD_CAT_RLS][0] + s->cat[PGD_CAT_RLS][1] + s->cat[PGD_CAT_RLS][2],
			s->cat[PGD_CAT_HISTORY][0] + s->cat[PGD_CAT_HISTORY][1] +
				s->cat[PGD_CAT_HISTORY][2],
			s->cat[PGD_CAT_COVERAGE][0] + s->cat[PGD_CAT_COVERAGE][1] +
				s->cat[PGD_CAT_COVERAGE][2],
			s->cat[PGD_CAT_REFS][0] + s->cat[PGD_CAT_REFS][1] + s->cat[PGD_CAT_REFS][2]);
	if (s->hidden)
		pgd_strbuf_addf(out, "  hidden        %zu finding%s below --min-severity\n",
				s->hidden, s->hidden == 1 ? "" : "s");
	if (meta->baseline) {
		pgd_strbuf_addf(out, "  baseline      %zu suppressed by ", meta->suppressed);
		add_safe(out, meta->baseline);
		pgd_strbuf_addch(out, '\n');
	}
}

void pgd_report_text(const struct pgd_findings *f,
		     const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	struct pgd_report_summary s;
	pgd_report_summarize(f, meta, &s);
	summary_text(out, &s, meta);
	const char *group = "\x01"; /* no table yet */
	for (size_t i = 0; i < f->n; i++) {
		const struct pgd_finding *x = &f->v[i];
		const char *g = x->table ? x->table : "";
		if (strcmp(g, group) != 0) {
			pgd_strbuf_addch(out, '\n');
			if (*g)
				add_safe(out, g);
			else
				pgd_strbuf_addstr(out, "(not on a table)");
			pgd_strbuf_addch(out, '\n');
			group = g;
		}
		pgd_strbuf_addstr(out, "  ");
		if (meta->color)
			pgd_strbuf_addstr(out, sev_color(x->severity));
		pgd_strbuf_addf(out, "%-8s", pgd_severity_name(x->severity));
		if (meta->color)
			pgd_strbuf_addstr(out, "\033[0m");
		pgd_strbuf_addf(out, " %s %-22s ", x->rule->code, x->rule->name);
		add_safe(out, x->message);
		pgd_strbuf_addch(out, '\n');
		if (x->file) {
			/* refs findings point at application code (an unused
			 * table at its migration); an object only the database
			 * has points at its table */
			pgd_strbuf_addstr(out, x->rule->category == PGD_CAT_REFS
					  ? "           at        "
					  : x->file_is_table ? "           table defined at "
					  : "           migration ");
			add_safe(out, x->file);
			if (x->line)
				pgd_strbuf_addf(out, ":%u", x->line);
			if (x->dynamic)
				pgd_strbuf_addstr(out, " (EXECUTE)");
			pgd_strbuf_addch(out, '\n');
		}
		field(out, "expected", x->expected);
		field(out, "actual", x->actual);
		field(out, "fix", x->remediation);
	}
	if (meta->matrix)
		matrix_text(out, meta->matrix);
	/* the verdict again where a terminal or CI log ends */
	pgd_strbuf_addf(out, "\n%zu error%s, %zu warning%s, %zu info",
			s.sev[PGD_SEV_ERROR], s.sev[PGD_SEV_ERROR] == 1 ? "" : "s",
			s.sev[PGD_SEV_WARNING], s.sev[PGD_SEV_WARNING] == 1 ? "" : "s",
			s.sev[PGD_SEV_INFO]);
	if (meta->baseline) {
		pgd_strbuf_addf(out, ", %zu suppressed by baseline ", meta->suppressed);
		add_safe(out, meta->baseline);
	}
	if (meta->fail_on_none)
		pgd_strbuf_addstr(out, " (--fail-on none)\n");
	else
		pgd_strbuf_addf(out, "; %s (--fail-on %s)\n",
				s.failed ? "FAILED" : "passed",
				pgd_severity_name(meta->fail_on));
}

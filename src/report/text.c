/*
 * text.c - the human report: findings grouped by table, severity and code
 * on each line, then the migration file:line, expected, actual and the fix;
 * a summary line last. Control characters inside names are shown escaped
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

void pgd_report_text(const struct pgd_findings *f,
		     const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	size_t counts[3] = { 0, 0, 0 };
	pgd_strbuf_addf(out, "pgdrift %s: ", meta->command ? meta->command : "check");
	add_safe(out, meta->expected ? meta->expected : "?");
	if (meta->expected_server) {
		pgd_strbuf_addstr(out, " (PostgreSQL ");
		add_safe(out, meta->expected_server);
		pgd_strbuf_addch(out, ')');
	}
	pgd_strbuf_addstr(out, " vs ");
	add_safe(out, meta->actual ? meta->actual : "?");
	if (meta->actual_server) {
		pgd_strbuf_addstr(out, " (PostgreSQL ");
		add_safe(out, meta->actual_server);
		pgd_strbuf_addch(out, ')');
	}
	pgd_strbuf_addstr(out, "\n");
	const char *group = "\x01"; /* no table yet */
	for (size_t i = 0; i < f->n; i++) {
		const struct pgd_finding *x = &f->v[i];
		counts[x->severity]++;
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
			 * table at its migration) */
			pgd_strbuf_addstr(out, x->rule->category == PGD_CAT_REFS
					  ? "           at        " : "           migration ");
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
	pgd_strbuf_addf(out, "\n%zu error%s, %zu warning%s, %zu info",
			counts[PGD_SEV_ERROR], counts[PGD_SEV_ERROR] == 1 ? "" : "s",
			counts[PGD_SEV_WARNING], counts[PGD_SEV_WARNING] == 1 ? "" : "s",
			counts[PGD_SEV_INFO]);
	if (meta->unmodeled_known)
		pgd_strbuf_addf(out, ", %zu statement%s not modeled", meta->unmodeled,
				meta->unmodeled == 1 ? "" : "s");
	if (meta->baseline) {
		pgd_strbuf_addf(out, ", %zu suppressed by baseline ", meta->suppressed);
		add_safe(out, meta->baseline);
	}
	if (meta->fail_on_none) {
		pgd_strbuf_addstr(out, " (--fail-on none)\n");
	} else {
		size_t n = pgd_findings_count_at_least(f, meta->fail_on);
		pgd_strbuf_addf(out, "; %s (--fail-on %s)\n",
				n ? "FAILED" : "passed",
				pgd_severity_name(meta->fail_on));
	}
}

/*
 * report.c - the dispatch table of output formats.
 */
#include <string.h>

#include "pgdrift/alloc.h"
#include "pgdrift/strbuf.h"

#include "pgdrift/report.h"

static const struct {
	const char *name;
	pgd_reporter fn;
} formats[] = {
	{ "text", pgd_report_text },
	{ "json", pgd_report_json },
	{ "markdown", pgd_report_markdown },
	{ "sarif", pgd_report_sarif },
	{ "junit", pgd_report_junit },
	{ "codequality", pgd_report_codequality },
	{ "html", pgd_report_html },
};

pgd_reporter pgd_report_find(const char *format)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i].name, format))
			return formats[i].fn;
	return NULL;
}

static const struct {
	const char *name;
	pgd_fleet_reporter fn;
} fleet_formats[] = {
	{ "text", pgd_report_fleet_text },
	{ "json", pgd_report_fleet_json },
	{ "markdown", pgd_report_fleet_markdown },
	{ "sarif", pgd_report_fleet_sarif },
	{ "junit", pgd_report_fleet_junit },
	{ "codequality", pgd_report_fleet_codequality },
	{ "html", pgd_report_fleet_html },
};

pgd_fleet_reporter pgd_report_fleet_find(const char *format)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(fleet_formats); i++)
		if (!strcmp(fleet_formats[i].name, format))
			return fleet_formats[i].fn;
	return NULL;
}

const char *pgd_report_formats(void)
{
	return "text, json, markdown, sarif, junit, codequality, html";
}

void pgd_report_summarize(const struct pgd_findings *f,
			  const struct pgd_report_meta *meta,
			  struct pgd_report_summary *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < f->n; i++) {
		const struct pgd_finding *x = &f->v[i];
		s->sev[x->severity]++;
		s->cat[x->rule->category][x->severity]++;
	}
	const struct pgd_findings *all = meta->all ? meta->all : f;
	s->failed = !meta->fail_on_none &&
		    pgd_findings_count_at_least(all, meta->fail_on) > 0;
	s->hidden = all->n > f->n ? all->n - f->n : 0;
	s->exit_code = s->failed ? 1 : 0;
}

char *pgd_report_completeness(const struct pgd_report_meta *meta)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (meta->unmodeled_known && meta->unmodeled)
		pgd_strbuf_addf(&sb, "partial: %zu statement%s not modeled "
				"(PGD901; objects they make are not in the expected "
				"schema)", meta->unmodeled, meta->unmodeled == 1 ? "" : "s");
	else if (meta->unmodeled_known)
		pgd_strbuf_addstr(&sb, "complete: every migration statement modeled");
	else
		pgd_strbuf_addstr(&sb, "no migrations replayed in this run");
	if (meta->matrix && meta->matrix->exposed_assumed)
		pgd_strbuf_addstr(&sb, "; exposed schemas assumed (no pgrst.db_schemas "
				       "setting)");
	return pgd_strbuf_detach(&sb, NULL);
}

/*
 * html.c - one self-contained HTML page for people: the verdict first
 * (exit code, sources, completeness, counts), then the findings grouped by
 * table with expected and actual side by side (a word diff) and the fix,
 * the RLS coverage grid (colour and a letter per cell, worst tables
 * first), and the migration history. No external script, style or font;
 * the page reads with JavaScript off, and a little inline script adds
 * severity filters and grid sorting.
 *
 * Every string from the migrations or the database goes through esc() or
 * esc_pre(): & < > " ' become entities, control characters are shown
 * escaped. Links are built from percent-encoded paths, so a file name can
 * never become a javascript: URL.
 *
 * Fleet mode: a page is pgd_report_html_begin, one
 * pgd_report_html_database per database, pgd_report_html_end.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pgd_config.h"
#include "pgdrift/report.h"
#include "pgdrift/strbuf.h"

/* ---- escaping */

/* in: one line of text (identifiers, messages): newlines shown as \n */
static void esc(struct pgd_strbuf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&': pgd_strbuf_addstr(out, "&amp;"); break;
		case '<': pgd_strbuf_addstr(out, "&lt;"); break;
		case '>': pgd_strbuf_addstr(out, "&gt;"); break;
		case '"': pgd_strbuf_addstr(out, "&quot;"); break;
		case '\'': pgd_strbuf_addstr(out, "&#39;"); break;
		case '\n': pgd_strbuf_addstr(out, "\\n"); break;
		case '\r': pgd_strbuf_addstr(out, "\\r"); break;
		case '\t': pgd_strbuf_addstr(out, "\\t"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				pgd_strbuf_addf(out, "\\x%02x", *p);
			else
				pgd_strbuf_addch(out, *p);
		}
	}
}

/* n bytes of SQL for a <pre>: newlines and tabs kept */
static void esc_pre_n(struct pgd_strbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\t') {
			pgd_strbuf_addch(out, c);
		} else {
			char one[2] = { (char)c, '\0' };
			esc(out, one);
		}
	}
}

void pgd_report_html_escape(struct pgd_strbuf *out, const char *s)
{
	esc(out, s);
}

/* A path as a URI reference: unreserved characters and '/' kept, the rest
 * percent-encoded (a ':' too, so no path reads as a scheme). */
static void add_uri_path(struct pgd_strbuf *out, const char *path)
{
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~' || *p == '/')
			pgd_strbuf_addch(out, *p);
		else
			pgd_strbuf_addf(out, "%%%02X", *p);
	}
}

/* The link to file:line: --source-url's template with {path} and {line}
 * filled in, or the path itself (relative as given; file:// if absolute). */
static char *source_href(const struct pgd_report_meta *meta, const char *file,
			 unsigned line)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	const char *t = meta->source_url;
	if (!t) {
		if (file[0] == '/')
			pgd_strbuf_addstr(&sb, "file://");
		add_uri_path(&sb, file);
		return pgd_strbuf_detach(&sb, NULL);
	}
	while (*t) {
		if (!strncmp(t, "{path}", 6)) {
			const char *rel = file;
			while (rel[0] == '.' && rel[1] == '/')
				rel += 2;
			add_uri_path(&sb, rel);
			t += 6;
		} else if (!strncmp(t, "{line}", 6)) {
			pgd_strbuf_addf(&sb, "%u", line ? line : 1);
			t += 6;
		} else {
			pgd_strbuf_addch(&sb, *t++);
		}
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static void source_link(struct pgd_strbuf *out, const struct pgd_report_meta *meta,
			const char *file, unsigned line)
{
	char *href = source_href(meta, file, line);
	pgd_strbuf_addstr(out, "<a href=\"");
	esc(out, href);
	pgd_strbuf_addstr(out, "\"><code>");
	esc(out, file);
	pgd_strbuf_addf(out, ":%u</code></a>", line);
	free(href);
}

/* ---- word diff of two definitions */

struct tok {
	const char *s;
	size_t n;
	bool space;
};

static bool word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

/* words, runs of white space, and single punctuation characters; a quoted
 * identifier or literal is one token */
static struct tok *tokenize(const char *s, size_t *n)
{
	size_t alloc = 0;
	struct tok *v = NULL;
	*n = 0;
	for (const char *p = s; *p;) {
		const char *q = p;
		bool space = false;
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
			while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r')
				q++;
			space = true;
		} else if (*p == '"' || *p == '\'') {
			char quote = *p;
			q = p + 1;
			while (*q && !(*q == quote && q[1] != quote))
				q += *q == quote ? 2 : 1;
			if (*q)
				q++;
		} else if (word_char((unsigned char)*p)) {
			while (*q && word_char((unsigned char)*q))
				q++;
		} else {
			q++;
		}
		PGD_GROW(v, alloc, *n + 1);
		v[(*n)++] = (struct tok){ p, (size_t)(q - p), space };
		p = q;
	}
	return v;
}

static bool tok_eq(const struct tok *a, const struct tok *b)
{
	if (a->space && b->space)
		return true;
	return a->n == b->n && !memcmp(a->s, b->s, a->n);
}

/*
 * Marks which tokens of a and b belong to a longest common subsequence
 * (keep_a, keep_b). Returns false when the definitions are too long for
 * the quadratic table (then no word is marked).
 */
static bool lcs(const struct tok *a, size_t na, const struct tok *b, size_t nb,
		bool *keep_a, bool *keep_b)
{
	if (na && nb && (na > 4000 || nb > 4000 || na * nb > 1000000))
		return false;
	size_t w = nb + 1;
	uint16_t *t = pgd_xcalloc((na + 1) * w, sizeof(*t));
	for (size_t i = na; i-- > 0;)
		for (size_t j = nb; j-- > 0;)
			t[i * w + j] = tok_eq(&a[i], &b[j])
				? (uint16_t)(t[(i + 1) * w + j + 1] + 1)
				: t[(i + 1) * w + j] >= t[i * w + j + 1]
					? t[(i + 1) * w + j] : t[i * w + j + 1];
	size_t i = 0, j = 0;
	while (i < na && j < nb) {
		if (tok_eq(&a[i], &b[j])) {
			keep_a[i++] = true;
			keep_b[j++] = true;
		} else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) {
			i++;
		} else {
			j++;
		}
	}
	free(t);
	return true;
}

/* the tokens of one side, changed words in <del> or <ins> */
static void diff_side(struct pgd_strbuf *out, const struct tok *v, size_t n,
		      const bool *keep, const char *tag)
{
	bool open = false;
	for (size_t i = 0; i < n; i++) {
		bool mark = !keep[i] && !v[i].space;
		/* a space between two changed words stays inside the mark */
		if (!keep[i] && v[i].space && open && i + 1 < n && !keep[i + 1])
			mark = true;
		if (mark && !open)
			pgd_strbuf_addf(out, "<%s>", tag);
		else if (!mark && open)
			pgd_strbuf_addf(out, "</%s>", tag);
		open = mark;
		esc_pre_n(out, v[i].s, v[i].n);
	}
	if (open)
		pgd_strbuf_addf(out, "</%s>", tag);
}

static void side_by_side(struct pgd_strbuf *out, const char *expected,
			 const char *actual)
{
	size_t na = 0, nb = 0;
	struct tok *a = tokenize(expected ? expected : "", &na);
	struct tok *b = tokenize(actual ? actual : "", &nb);
	bool *ka = pgd_xcalloc(na + 1, sizeof(*ka));
	bool *kb = pgd_xcalloc(nb + 1, sizeof(*kb));
	bool diffed = expected && actual && lcs(a, na, b, nb, ka, kb);
	if (!diffed) {
		/* one side only, or too long to compare word by word: plain */
		for (size_t i = 0; i < na; i++)
			ka[i] = true;
		for (size_t i = 0; i < nb; i++)
			kb[i] = true;
	}
	pgd_strbuf_addstr(out, "<div class=\"sbs\"><div><h5>expected</h5>");
	if (expected) {
		pgd_strbuf_addstr(out, "<pre class=\"sql\">");
		diff_side(out, a, na, ka, "del");
		pgd_strbuf_addstr(out, "</pre>");
	} else {
		pgd_strbuf_addstr(out, "<p class=\"none\">(absent)</p>");
	}
	pgd_strbuf_addstr(out, "</div><div><h5>actual</h5>");
	if (actual) {
		pgd_strbuf_addstr(out, "<pre class=\"sql\">");
		diff_side(out, b, nb, kb, "ins");
		pgd_strbuf_addstr(out, "</pre>");
	} else {
		pgd_strbuf_addstr(out, "<p class=\"none\">(absent)</p>");
	}
	pgd_strbuf_addstr(out, "</div></div>\n");
	free(a);
	free(b);
	free(ka);
	free(kb);
}

/* ---- the page */

static const char css[] =
	":root{color-scheme:light}\n"
	"body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
	"margin:0 auto;max-width:1200px;padding:1em 1.5em;color:#1a1a1a;background:#fff}\n"
	"h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.25em;border-bottom:1px solid #ccc;"
	"padding-bottom:.2em;margin-top:1.6em}h3{font-size:1.05em;margin:1.2em 0 .4em}"
	"h4{margin:0;font-size:1em;font-weight:600}h5{margin:.3em 0 .1em;font-size:.85em;"
	"color:#444;text-transform:uppercase}\n"
	"code,pre{font-family:ui-monospace,\"DejaVu Sans Mono\",Menlo,Consolas,monospace;"
	"font-size:.88em}\n"
	"pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f5f7;border:1px solid #d8dbe0;"
	"padding:.4em .6em;margin:.2em 0}\n"
	"a{color:#0645ad}\n"
	".verdict{border:2px solid;padding:.6em 1em;margin:.8em 0}\n"
	".verdict.fail{border-color:#b00020;background:#fdf0f2}"
	".verdict.pass{border-color:#1b7a3a;background:#eff8f1}\n"
	".verdict .result{font-size:1.2em;font-weight:700;margin:.1em 0 .4em}\n"
	".verdict h2{margin:0 0 .3em;border:0;font-size:1.1em}\n"
	".verdict-body{display:flex;flex-wrap:wrap;gap:.5em 2.5em;align-items:flex-start}\n"
	"caption{text-align:left;font-weight:600;padding:.2em 0}\n"
	"dl.sources{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:.4em 0;"
	"flex:1 1 28em}"
	"dl.sources dt{font-weight:600}dl.sources dd{margin:0}\n"
	"table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.2em .5em;"
	"text-align:left;vertical-align:top}thead th{background:#eef0f3}\n"
	"table.counts td{text-align:right}\n"
	".finding{border:1px solid #ccc;border-left:6px solid #888;padding:.4em .8em;margin:.5em 0}\n"
	".finding.sev-error{border-left-color:#b00020}.finding.sev-warning{border-left-color:#a15c00}"
	".finding.sev-info{border-left-color:#245a9a}\n"
	".sev{display:inline-block;min-width:4.5em;font-weight:700;font-size:.85em}\n"
	".sev-error .sev{color:#b00020}.sev-warning .sev{color:#8a4b00}.sev-info .sev{color:#245a9a}\n"
	".where{margin:.2em 0;color:#333}\n"
	".sbs{display:grid;grid-template-columns:1fr 1fr;gap:.8em}\n"
	"del{background:#ffd7d5;color:#5c0000}ins{background:#c9f0d1;color:#003b12}\n"
	".none{color:#555;font-style:italic;margin:.2em 0}\n"
	".grid-wrap{overflow-x:auto}\n"
	"table.grid{font-size:.85em}table.grid th,table.grid td{padding:.1em .35em}"
	"table.grid td{white-space:nowrap}table.grid td.cell{text-align:center;font-weight:700;"
	"min-width:1.6em}\n"
	"table.grid th[scope=row]{font-weight:400;font-family:ui-monospace,\"DejaVu Sans Mono\",monospace}\n"
	"table.grid button{font:inherit;font-weight:600;background:none;border:0;padding:0;"
	"cursor:pointer;color:#0645ad;text-decoration:underline}\n"
	/* the grid's colours: the tests check each pair's WCAG contrast */
	".c-open{background:#b00020;color:#ffffff}\n"
	".c-all{background:#ffc940;color:#1a1a1a}\n"
	".c-policy{background:#1b7a3a;color:#ffffff}\n"
	".c-denied{background:#dfe3e8;color:#1a1a1a}\n"
	".c-nogrant{background:#ffffff;color:#555555}\n"
	".legend span.cell{display:inline-block;min-width:1.6em;text-align:center;font-weight:700;"
	"border:1px solid #bbb;margin-right:.3em}\n"
	".legend li{list-style:none;display:inline-block;margin:.15em 1.2em .15em 0}"
	".legend{padding-left:0;margin:.3em 0}\n"
	".filters{margin:.4em 0}.filters label{margin-right:1em}\n"
	"footer{margin-top:2em;color:#555;font-size:.85em}\n"
	"@media print{.filters{display:none}}\n";

/*
 * filters and sorting; the page is complete without it. The page's
 * Content-Security-Policy allows this script alone, by its hash: the
 * base64 SHA-256 of "\n" followed by it (the <script> element's text).
 * Change the script, change the hash: the browser test fails otherwise
 * (tests/e2e/html_dom_check.py recomputes it, and Chromium then blocks
 * the script, so the filters it makes are missing).
 */
#define SCRIPT_SHA256 "WmApty8ONFLIAoN5UVg/xIYJOHpTfeaerW+KhKI1P7E="
static const char script[] =
	"(function(){\n"
	"document.querySelectorAll('[data-filters]').forEach(function(box){\n"
	" var sec=document.getElementById(box.getAttribute('data-filters'));\n"
	" ['error','warning','info'].forEach(function(s){\n"
	"  var l=document.createElement('label'),c=document.createElement('input');\n"
	"  c.type='checkbox';c.checked=true;c.addEventListener('change',function(){\n"
	"   sec.querySelectorAll('.finding.sev-'+s).forEach(function(f){f.hidden=!c.checked;});\n"
	"  });l.appendChild(c);l.appendChild(document.createTextNode(' '+s));box.appendChild(l);\n"
	" });box.hidden=false;\n"
	"});\n"
	"document.querySelectorAll('table.grid').forEach(function(t){\n"
	" t.querySelectorAll('th[data-sort]').forEach(function(th){\n"
	"  var b=document.createElement('button');b.type='button';\n"
	"  while(th.firstChild)b.appendChild(th.firstChild);th.appendChild(b);\n"
	"  b.addEventListener('click',function(){\n"
	"   var key=th.getAttribute('data-sort'),desc=th.getAttribute('aria-sort')==='ascending';\n"
	"   var rows=Array.prototype.slice.call(t.tBodies[0].rows);\n"
	"   rows.sort(function(x,y){var a=x.getAttribute('data-'+key),c=y.getAttribute('data-'+key);\n"
	"    var r=key==='risk'?a-c:(a<c?-1:a>c?1:0);return desc?-r:r;});\n"
	"   rows.forEach(function(r){t.tBodies[0].appendChild(r);});\n"
	"   t.querySelectorAll('th[data-sort]').forEach(function(o){o.removeAttribute('aria-sort');});\n"
	"   th.setAttribute('aria-sort',desc?'descending':'ascending');\n"
	"  });\n"
	" });\n"
	"});\n"
	"})();\n";

void pgd_report_html_begin(struct pgd_strbuf *out, const char *title)
{
	pgd_strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			       "<meta charset=\"utf-8\">\n"
			       /* nothing from outside the page, no script but its
				* own: an identifier that escaped escaping still could
				* not run or load anything */
			       "<meta http-equiv=\"Content-Security-Policy\" "
			       "content=\"default-src 'none'; style-src 'unsafe-inline'; "
			       "script-src 'sha256-" SCRIPT_SHA256 "'; base-uri 'none'; "
			       "form-action 'none'\">\n"
			       "<meta name=\"viewport\" content=\"width=device-width, "
			       "initial-scale=1\">\n"
			       "<meta name=\"generator\" content=\"pgdrift\">\n<title>");
	esc(out, title);
	pgd_strbuf_addf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
			     "<header><h1>", css);
	esc(out, title);
	pgd_strbuf_addstr(out, "</h1></header>\n<main>\n");
}

void pgd_report_html_end(struct pgd_strbuf *out, const char *version)
{
	pgd_strbuf_addstr(out, "</main>\n<footer>pgdrift ");
	esc(out, version ? version : PGD_VERSION);
	pgd_strbuf_addf(out, "</footer>\n<script>\n%s</script>\n</body>\n</html>\n",
			script);
}

static const char *const sev_label[3] = { "info", "warning", "error" };

static void verdict(struct pgd_strbuf *out, const struct pgd_findings *f,
		    const struct pgd_report_meta *meta, const char *id)
{
	struct pgd_report_summary s;
	pgd_report_summarize(f, meta, &s);
	pgd_strbuf_addf(out, "<section class=\"verdict %s\" id=\"%s-verdict\" "
			     "aria-labelledby=\"%s-verdict-h\">\n"
			     "<h2 id=\"%s-verdict-h\">Verdict</h2>\n<p class=\"result\">",
			s.failed ? "fail" : "pass", id, id, id);
	if (meta->fail_on_none)
		pgd_strbuf_addstr(out, "Not gated (--fail-on none): exit code 0");
	else
		pgd_strbuf_addf(out, "%s: exit code %d (--fail-on %s)",
				s.failed ? "FAILED" : "Passed", s.exit_code,
				pgd_severity_name(meta->fail_on));
	pgd_strbuf_addstr(out, "</p>\n<div class=\"verdict-body\">\n"
			       "<dl class=\"sources\">\n<dt>command</dt><dd>");
	esc(out, meta->command ? meta->command : "check");
	pgd_strbuf_addstr(out, "</dd>\n<dt>expected</dt><dd>");
	esc(out, meta->expected ? meta->expected : "?");
	pgd_strbuf_addstr(out, "</dd>\n<dt>actual</dt><dd>");
	esc(out, meta->actual ? meta->actual : "?");
	pgd_strbuf_addstr(out, "</dd>\n");
	if (meta->history) {
		pgd_strbuf_addstr(out, "<dt>history</dt><dd>");
		esc(out, meta->history);
		pgd_strbuf_addstr(out, "</dd>\n");
	}
	char *comp = pgd_report_completeness(meta);
	pgd_strbuf_addstr(out, "<dt>completeness</dt><dd>");
	esc(out, comp);
	free(comp);
	if (meta->unmodeled_known)
		pgd_strbuf_addf(out, "</dd>\n<dt>statements not modeled</dt><dd>%zu</dd>\n",
				meta->unmodeled);
	else
		pgd_strbuf_addstr(out, "</dd>\n<dt>statements not modeled</dt><dd>-</dd>\n");
	if (s.hidden)
		pgd_strbuf_addf(out, "<dt>hidden</dt><dd>%zu finding%s below "
				     "--min-severity</dd>\n", s.hidden,
				s.hidden == 1 ? "" : "s");
	if (meta->baseline) {
		pgd_strbuf_addf(out, "<dt>baseline</dt><dd>%zu suppressed by ",
				meta->suppressed);
		esc(out, meta->baseline);
		pgd_strbuf_addstr(out, "</dd>\n");
	}
	pgd_strbuf_addstr(out, "</dl>\n<table class=\"counts\">\n<caption>Findings by "
			       "category and severity</caption>\n<thead><tr><th "
			       "scope=\"col\">category</th><th scope=\"col\">error</th>"
			       "<th scope=\"col\">warning</th><th scope=\"col\">info</th>"
			       "<th scope=\"col\">total</th></tr></thead>\n<tbody>\n");
	static const enum pgd_category cats[] = { PGD_CAT_DRIFT, PGD_CAT_RLS,
						  PGD_CAT_HISTORY, PGD_CAT_COVERAGE,
						  PGD_CAT_REFS };
	for (size_t c = 0; c < PGD_ARRAY_SIZE(cats); c++) {
		const size_t *n = s.cat[cats[c]];
		pgd_strbuf_addf(out, "<tr><th scope=\"row\">%s</th><td>%zu</td><td>%zu</td>"
				     "<td>%zu</td><td>%zu</td></tr>\n",
				pgd_category_name(cats[c]), n[PGD_SEV_ERROR],
				n[PGD_SEV_WARNING], n[PGD_SEV_INFO],
				n[0] + n[1] + n[2]);
	}
	pgd_strbuf_addf(out, "<tr><th scope=\"row\">all</th><td>%zu</td><td>%zu</td>"
			     "<td>%zu</td><td>%zu</td></tr>\n</tbody>\n</table>\n</div>\n"
			     "</section>\n",
			s.sev[PGD_SEV_ERROR], s.sev[PGD_SEV_WARNING], s.sev[PGD_SEV_INFO],
			f->n);
}

static void finding_html(struct pgd_strbuf *out, const struct pgd_finding *x,
			 const struct pgd_report_meta *meta)
{
	pgd_strbuf_addf(out, "<article class=\"finding sev-%s\" data-code=\"%s\">\n"
			     "<h4><span class=\"sev\">%s</span> <code>%s</code> %s: ",
			sev_label[x->severity], x->rule->code, sev_label[x->severity],
			x->rule->code, x->rule->name);
	esc(out, x->message);
	pgd_strbuf_addstr(out, "</h4>\n");
	if (x->object) {
		pgd_strbuf_addstr(out, "<p class=\"where\">object <code class=\"ident\">");
		esc(out, x->object);
		pgd_strbuf_addstr(out, "</code>");
	} else {
		pgd_strbuf_addstr(out, "<p class=\"where\">");
	}
	if (x->file) {
		pgd_strbuf_addstr(out, x->object ? "; " : "");
		pgd_strbuf_addstr(out, x->rule->category == PGD_CAT_REFS ? "at "
				  : x->file_is_table ? "table defined at " : "migration ");
		source_link(out, meta, x->file, x->line);
		if (x->dynamic)
			pgd_strbuf_addstr(out, " (EXECUTE)");
	}
	pgd_strbuf_addstr(out, "</p>\n");
	if (x->expected || x->actual)
		side_by_side(out, x->expected, x->actual);
	if (x->remediation) {
		pgd_strbuf_addstr(out, "<h5>fix</h5><pre class=\"sql fix\">");
		esc_pre_n(out, x->remediation, strlen(x->remediation));
		pgd_strbuf_addstr(out, "</pre>\n");
	}
	pgd_strbuf_addstr(out, "</article>\n");
}

static void findings_html(struct pgd_strbuf *out, const struct pgd_findings *f,
			  const struct pgd_report_meta *meta, const char *id)
{
	pgd_strbuf_addf(out, "<section id=\"%s-findings\" aria-labelledby=\"%s-findings-h\">\n"
			     "<h2 id=\"%s-findings-h\">Findings by table</h2>\n"
			     "<div class=\"filters\" data-filters=\"%s-findings\" hidden>"
			     "Show: </div>\n", id, id, id, id);
	const char *group = "\x01";
	size_t shown = 0;
	for (size_t i = 0; i < f->n; i++) {
		const struct pgd_finding *x = &f->v[i];
		if (x->rule->category == PGD_CAT_HISTORY)
			continue;
		const char *g = x->table ? x->table : "";
		if (strcmp(g, group) != 0) {
			pgd_strbuf_addstr(out, "<h3>");
			if (*g) {
				pgd_strbuf_addstr(out, "<code class=\"ident\">");
				esc(out, g);
				pgd_strbuf_addstr(out, "</code>");
			} else {
				pgd_strbuf_addstr(out, "Not on a table");
			}
			pgd_strbuf_addstr(out, "</h3>\n");
			group = g;
		}
		finding_html(out, x, meta);
		shown++;
	}
	if (!shown)
		pgd_strbuf_addstr(out, "<p class=\"none\">No findings.</p>\n");
	pgd_strbuf_addstr(out, "</section>\n");
}

struct look {
	const char *cls, *letter, *meaning;
};

static const struct look looks[] = {
	[PGD_ACC_OPEN] = { "c-open", "O", "open: RLS is off, every row" },
	[PGD_ACC_ALL_ROWS] = { "c-all", "A", "all rows: a policy is always true" },
	[PGD_ACC_POLICY] = { "c-policy", "P", "guarded by policies" },
	[PGD_ACC_DENIED] = { "c-denied", "D", "denied: RLS on, no policy applies" },
	[PGD_ACC_NO_GRANT] = { "c-nogrant", "-", "no grant for the command" },
};

/* the worst count a risk holds (pgd_rls_row_risk), in words */
static void risk_words(struct pgd_strbuf *out, unsigned risk)
{
	unsigned open = risk / 169, all = risk / 13 % 13, policy = risk % 13;
	if (open)
		pgd_strbuf_addf(out, "%u open", open);
	else if (all)
		pgd_strbuf_addf(out, "%u all rows", all);
	else if (policy)
		pgd_strbuf_addf(out, "%u guarded", policy);
	else
		pgd_strbuf_addstr(out, "none");
}

static void grid_html(struct pgd_strbuf *out, const struct pgd_rls_matrix *mx,
		      const char *id)
{
	pgd_strbuf_addf(out, "<section id=\"%s-rls\" aria-labelledby=\"%s-rls-h\">\n"
			     "<h2 id=\"%s-rls-h\">RLS coverage</h2>\n<p>Exposed schemas: ",
			id, id, id);
	esc(out, mx->exposed);
	if (mx->exposed_assumed)
		pgd_strbuf_addstr(out, " (assumed: no <code>pgrst.db_schemas</code> setting)");
	pgd_strbuf_addstr(out, ". Worst tables first: the most cells open with RLS "
			       "off, then open to all rows by a policy, then guarded.</p>\n"
			       "<ul class=\"legend\">\n");
	static const enum pgd_access order[] = { PGD_ACC_OPEN, PGD_ACC_ALL_ROWS,
						 PGD_ACC_POLICY, PGD_ACC_DENIED,
						 PGD_ACC_NO_GRANT };
	for (size_t i = 0; i < PGD_ARRAY_SIZE(order); i++)
		pgd_strbuf_addf(out, "<li><span class=\"cell %s\">%s</span>%s</li>\n",
				looks[order[i]].cls, looks[order[i]].letter,
				looks[order[i]].meaning);
	pgd_strbuf_addf(out, "</ul>\n<div class=\"grid-wrap\">\n"
			     "<table class=\"grid\" id=\"%s-grid\">\n"
			     "<caption>Access per table, command and API role</caption>\n"
			     "<thead>\n<tr><th scope=\"col\" rowspan=\"2\" data-sort=\"table\">"
			     "table</th><th scope=\"col\" rowspan=\"2\">RLS</th>"
			     "<th scope=\"col\" rowspan=\"2\" data-sort=\"risk\" "
			     "aria-sort=\"descending\">risk</th>", id);
	for (size_t c = 0; c < PGD_RLS_NCMDS; c++)
		pgd_strbuf_addf(out, "<th scope=\"colgroup\" colspan=\"%d\">%s</th>",
				PGD_RLS_NROLES, pgd_rls_cmds[c]);
	pgd_strbuf_addstr(out, "</tr>\n<tr>");
	static const char *const short_role[PGD_RLS_NROLES] = { "anon", "auth", "public" };
	for (size_t c = 0; c < PGD_RLS_NCMDS; c++)
		for (size_t r = 0; r < PGD_RLS_NROLES; r++)
			pgd_strbuf_addf(out, "<th scope=\"col\" abbr=\"%s\" title=\"%s\">%s</th>",
					pgd_rls_roles[r], pgd_rls_roles[r], short_role[r]);
	pgd_strbuf_addstr(out, "</tr>\n</thead>\n<tbody>\n");
	size_t *rank = pgd_rls_matrix_worst_first(mx);
	for (size_t k = 0; k < mx->n; k++) {
		const struct pgd_rls_row *row = &mx->rows[rank[k]];
		unsigned risk = pgd_rls_row_risk(row);
		pgd_strbuf_addf(out, "<tr data-risk=\"%u\" data-table=\"", risk);
		esc(out, row->table);
		pgd_strbuf_addstr(out, "\"><th scope=\"row\"><code class=\"ident\">");
		esc(out, row->table);
		pgd_strbuf_addf(out, "</code></th><td>%s</td><td>",
				!row->rls_enabled ? "off" : row->rls_forced ? "forced" : "on");
		risk_words(out, risk);
		pgd_strbuf_addstr(out, "</td>");
		for (size_t c = 0; c < PGD_RLS_NCMDS; c++)
			for (size_t r = 0; r < PGD_RLS_NROLES; r++) {
				const struct pgd_rls_cell *cell = &row->cells[c][r];
				const struct look *lk = &looks[cell->access];
				pgd_strbuf_addf(out, "<td class=\"cell %s\" title=\"%s %s: %s",
						lk->cls, pgd_rls_roles[r], pgd_rls_cmds[c],
						lk->meaning);
				if (cell->policies) {
					pgd_strbuf_addstr(out, " (");
					esc(out, cell->policies);
					pgd_strbuf_addch(out, ')');
				}
				pgd_strbuf_addf(out, "\">%s</td>", lk->letter);
			}
		pgd_strbuf_addstr(out, "</tr>\n");
	}
	free(rank);
	if (!mx->n)
		pgd_strbuf_addf(out, "<tr><td colspan=\"%d\" class=\"none\">No table in "
				     "the exposed schemas.</td></tr>\n",
				3 + PGD_RLS_NCMDS * PGD_RLS_NROLES);
	pgd_strbuf_addstr(out, "</tbody>\n</table>\n</div>\n</section>\n");
}

static void history_html(struct pgd_strbuf *out, const struct pgd_findings *f,
			 const struct pgd_report_meta *meta, const char *id)
{
	pgd_strbuf_addf(out, "<section id=\"%s-history\" aria-labelledby=\"%s-history-h\">\n"
			     "<h2 id=\"%s-history-h\">Migration history</h2>\n",
			id, id, id);
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].rule->category == PGD_CAT_HISTORY;
	/* pgdrift history: the history table is the actual side */
	const char *table = meta->history;
	if (!table && meta->command && !strcmp(meta->command, "history"))
		table = meta->actual;
	if (!table && !n) {
		pgd_strbuf_addstr(out, "<p class=\"none\">Not compared in this run.</p>\n"
				       "</section>\n");
		return;
	}
	if (table) {
		pgd_strbuf_addstr(out, "<p>");
		esc(out, table);
		pgd_strbuf_addstr(out, "</p>\n");
	}
	if (!n) {
		pgd_strbuf_addstr(out, "<p class=\"none\">Every migration file is applied, "
				       "and every applied version has its file.</p>\n"
				       "</section>\n");
		return;
	}
	pgd_strbuf_addstr(out, "<table class=\"history\">\n<thead><tr>"
			       "<th scope=\"col\">migration</th><th scope=\"col\">severity</th>"
			       "<th scope=\"col\">finding</th><th scope=\"col\">file</th>"
			       "<th scope=\"col\">fix</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < f->n; i++) {
		const struct pgd_finding *x = &f->v[i];
		if (x->rule->category != PGD_CAT_HISTORY)
			continue;
		pgd_strbuf_addstr(out, "<tr><th scope=\"row\"><code>");
		esc(out, x->object);
		pgd_strbuf_addf(out, "</code></th><td>%s</td><td><code>%s</code> %s: ",
				sev_label[x->severity], x->rule->code, x->rule->name);
		esc(out, x->message);
		pgd_strbuf_addstr(out, "</td><td>");
		if (x->file)
			source_link(out, meta, x->file, x->line);
		pgd_strbuf_addstr(out, "</td><td>");
		if (x->remediation) {
			pgd_strbuf_addstr(out, "<code>");
			esc(out, x->remediation);
			pgd_strbuf_addstr(out, "</code>");
		}
		pgd_strbuf_addstr(out, "</td></tr>\n");
	}
	pgd_strbuf_addstr(out, "</tbody>\n</table>\n</section>\n");
}

void pgd_report_html_database(const struct pgd_findings *f,
			      const struct pgd_report_meta *meta,
			      const char *id, const char *heading,
			      struct pgd_strbuf *out)
{
	pgd_strbuf_addf(out, "<section class=\"database\" id=\"%s\">\n", id);
	if (heading) {
		pgd_strbuf_addstr(out, "<h2 class=\"database-name\">");
		esc(out, heading);
		pgd_strbuf_addstr(out, "</h2>\n");
	}
	verdict(out, f, meta, id);
	pgd_strbuf_addf(out, "<nav aria-label=\"sections\"><a href=\"#%s-rls\">RLS coverage</a> · "
			     "<a href=\"#%s-findings\">Findings</a> · "
			     "<a href=\"#%s-history\">Migration history</a></nav>\n",
			id, id, id);
	if (meta->matrix)
		grid_html(out, meta->matrix, id);
	else
		pgd_strbuf_addf(out, "<section id=\"%s-rls\"><h2>RLS coverage</h2>"
				     "<p class=\"none\">Not reviewed in this run.</p>"
				     "</section>\n", id);
	findings_html(out, f, meta, id);
	history_html(out, f, meta, id);
	pgd_strbuf_addstr(out, "</section>\n");
}

void pgd_report_html(const struct pgd_findings *f,
		     const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	struct pgd_strbuf title = PGD_STRBUF_INIT;
	pgd_strbuf_addf(&title, "pgdrift %s", meta->command ? meta->command : "check");
	pgd_report_html_begin(out, title.buf);
	pgd_report_html_database(f, meta, "db", NULL, out);
	pgd_report_html_end(out, meta->version);
	pgd_strbuf_release(&title);
}

/*
 * The fleet page (report.h): an overview of every database, then one
 * pgd_report_html_database section each; a database that could not be
 * read gets a section with the reason. Element ids are db1, db2, ...
 */
void pgd_report_fleet_html(const struct pgd_fleet_db *dbs, size_t n,
			   const struct pgd_report_meta *meta, struct pgd_strbuf *out)
{
	int worst = 0;
	for (size_t d = 0; d < n; d++) {
		int code = dbs[d].error ? PGD_EXIT_DB : dbs[d].exit_code;
		if (code > worst)
			worst = code;
	}
	struct pgd_strbuf title = PGD_STRBUF_INIT;
	pgd_strbuf_addf(&title, "pgdrift %s: %zu database%s",
			meta->command ? meta->command : "check", n, n == 1 ? "" : "s");
	pgd_report_html_begin(out, title.buf);
	pgd_strbuf_release(&title);
	pgd_strbuf_addf(out, "<section class=\"verdict %s\" id=\"fleet\" "
			     "aria-labelledby=\"fleet-h\">\n<h2 id=\"fleet-h\">Fleet</h2>\n"
			     "<p class=\"result\">%s: exit code %d (",
			worst ? "fail" : "pass", worst ? "FAILED" : "Passed", worst);
	if (meta->fail_on_none)
		pgd_strbuf_addstr(out, "--fail-on none");
	else
		pgd_strbuf_addf(out, "--fail-on %s", pgd_severity_name(meta->fail_on));
	pgd_strbuf_addstr(out, ")</p>\n<p>expected: ");
	esc(out, meta->expected ? meta->expected : "?");
	char *comp = pgd_report_completeness(meta);
	pgd_strbuf_addstr(out, "</p>\n<p class=\"completeness\">completeness: ");
	esc(out, comp);
	free(comp);
	pgd_strbuf_addstr(out, "</p>\n<table class=\"counts\">\n<thead><tr>"
			       "<th scope=\"col\">database</th><th scope=\"col\">exit code</th>"
			       "<th scope=\"col\">error</th><th scope=\"col\">warning</th>"
			       "<th scope=\"col\">info</th></tr></thead>\n<tbody>\n");
	for (size_t d = 0; d < n; d++) {
		const struct pgd_fleet_db *db = &dbs[d];
		pgd_strbuf_addf(out, "<tr><th scope=\"row\"><a href=\"#db%zu\">", d + 1);
		esc(out, db->name);
		if (db->error) {
			pgd_strbuf_addf(out, "</a></th><td>%d</td><td colspan=\"3\">could not be "
					     "read: ", PGD_EXIT_DB);
			esc(out, db->error);
			pgd_strbuf_addstr(out, "</td></tr>\n");
			continue;
		}
		size_t sev[3] = { 0, 0, 0 };
		for (size_t i = 0; i < db->findings->n; i++)
			sev[db->findings->v[i].severity]++;
		pgd_strbuf_addf(out, "</a></th><td>%d</td><td>%zu</td><td>%zu</td>"
				     "<td>%zu</td></tr>\n", db->exit_code, sev[PGD_SEV_ERROR],
				sev[PGD_SEV_WARNING], sev[PGD_SEV_INFO]);
	}
	pgd_strbuf_addstr(out, "</tbody>\n</table>\n</section>\n");
	for (size_t d = 0; d < n; d++) {
		const struct pgd_fleet_db *db = &dbs[d];
		char id[32];
		snprintf(id, sizeof(id), "db%zu", d + 1);
		if (db->error) {
			pgd_strbuf_addf(out, "<section class=\"database\" id=\"%s\">\n"
					     "<h2 class=\"database-name\">", id);
			esc(out, db->name);
			pgd_strbuf_addstr(out, "</h2>\n<p class=\"none\">Could not be read: ");
			esc(out, db->error);
			pgd_strbuf_addstr(out, "</p>\n</section>\n");
			continue;
		}
		struct pgd_report_meta m = *meta;
		m.suppressed = db->suppressed;
		m.tables = db->tables;
		m.ntables = db->ntables;
		m.all = NULL;
		pgd_report_html_database(db->findings, &m, id, db->name, out);
	}
	pgd_report_html_end(out, meta->version);
}

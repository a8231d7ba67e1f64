/*
 * diag.c - collecting and printing diagnostics and environment errors.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/diag.h"
#include "pgdrift/srcfile.h"
#include "pgdrift/strbuf.h"

void pgd_diags_release(struct pgd_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct pgd_diag *x = &d->v[i];
		free(x->path);
		free(x->message);
		free(x->detail);
		free(x->hint);
		free(x->source_line);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static struct pgd_diag *new_diag(struct pgd_diags *d, enum pgd_diag_level level,
				 const char *fmt, va_list ap)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	PGD_GROW(d->v, d->alloc, d->n + 1);
	struct pgd_diag *x = &d->v[d->n++];
	memset(x, 0, sizeof(*x));
	x->level = level;
	pgd_strbuf_vaddf(&sb, fmt, ap);
	x->message = pgd_strbuf_detach(&sb, NULL);
	if (level == PGD_DIAG_ERROR)
		d->nerrors++;
	return x;
}

struct pgd_diag *pgd_diags_add(struct pgd_diags *d, enum pgd_diag_level level,
			       const struct pgd_srcfile *sf, size_t offset,
			       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct pgd_diag *x = new_diag(d, level, fmt, ap);
	va_end(ap);
	if (sf) {
		const char *start;
		size_t len;
		x->path = pgd_xstrdup(sf->path);
		pgd_srcfile_position(sf, offset, &x->line, &x->col);
		if (pgd_srcfile_line_text(sf, x->line, &start, &len) == 0)
			x->source_line = pgd_xstrndup(start, len);
	}
	return x;
}

struct pgd_diag *pgd_diags_add_path(struct pgd_diags *d,
				    enum pgd_diag_level level, const char *path,
				    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct pgd_diag *x = new_diag(d, level, fmt, ap);
	va_end(ap);
	if (path)
		x->path = pgd_xstrdup(path);
	return x;
}

static const char *level_name(enum pgd_diag_level l)
{
	switch (l) {
	case PGD_DIAG_ERROR:
		return "error";
	case PGD_DIAG_WARNING:
		return "warning";
	case PGD_DIAG_NOTE:
		return "note";
	}
	PGD_BUG("unknown diagnostic level %d", (int)l);
}

/*
 * Prints the source line with control characters made visible, so a stray
 * byte cannot move the caret or the terminal, then a caret under col.
 */
static void print_caret(FILE *f, const char *line, unsigned col)
{
	unsigned c = 1, caret_pos = 0, width = 0;
	fputs("    ", f);
	for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
		if ((*p & 0xC0) == 0x80) { /* continuation byte */
			fputc(*p, f);
			continue;
		}
		if (c == col)
			caret_pos = width;
		c++;
		if (*p == '\t') {
			fputc(' ', f);
			width++;
		} else if (*p < 0x20 || *p == 0x7F) {
			fprintf(f, "^%c", *p == 0x7F ? '?' : *p + '@');
			width += 2;
		} else {
			fputc(*p, f);
			width++;
		}
	}
	if (c <= col)
		caret_pos = width + (col - c);
	fputs("\n    ", f);
	for (unsigned i = 0; i < caret_pos; i++)
		fputc(' ', f);
	fputs("^\n", f);
}

void pgd_diag_print(FILE *f, const struct pgd_diag *x)
{
	fputs("pgdrift: ", f);
	if (x->path) {
		fputs(x->path, f);
		if (x->line) {
			fprintf(f, ":%u", x->line);
			if (x->col)
				fprintf(f, ":%u", x->col);
		}
		fputs(": ", f);
	}
	fprintf(f, "%s: %s\n", level_name(x->level), x->message);
	if (x->source_line && x->col)
		print_caret(f, x->source_line, x->col);
	if (x->detail)
		fprintf(f, "DETAIL: %s\n", x->detail);
	if (x->hint)
		fprintf(f, "HINT: %s\n", x->hint);
}

void pgd_diags_print(FILE *f, const struct pgd_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		pgd_diag_print(f, &d->v[i]);
}

int pgd_error_set(struct pgd_error *err, int exit_code, const char *fmt, ...)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	va_list ap;
	pgd_error_release(err);
	va_start(ap, fmt);
	pgd_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	err->exit_code = exit_code;
	err->message = pgd_strbuf_detach(&sb, NULL);
	return -1;
}

void pgd_error_release(struct pgd_error *err)
{
	free(err->message);
	free(err->detail);
	free(err->hint);
	memset(err, 0, sizeof(*err));
}

void pgd_error_print(FILE *f, const struct pgd_error *err)
{
	fprintf(f, "pgdrift: error: %s\n",
		err->message ? err->message : "unknown error");
	if (err->detail)
		fprintf(f, "DETAIL: %s\n", err->detail);
	if (err->hint)
		fprintf(f, "HINT: %s\n", err->hint);
}

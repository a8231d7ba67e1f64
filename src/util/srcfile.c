/*
 * srcfile.c - line tables over source text. The table is built once per file
 * (one pass, one allocation); lookups are a binary search, so mapping every
 * statement of a 100 MB file costs O(statements * log lines).
 */
#include <stdlib.h>
#include <string.h>

#include "pgdrift/alloc.h"
#include "pgdrift/srcfile.h"

void pgd_srcfile_init_take(struct pgd_srcfile *sf, const char *path,
			   char *text, size_t len)
{
	size_t alloc = 0;
	sf->path = pgd_xstrdup(path);
	sf->text = text;
	sf->len = len;
	sf->line_starts = NULL;
	sf->nlines = 0;
	PGD_GROW(sf->line_starts, alloc, 1);
	sf->line_starts[sf->nlines++] = 0;
	for (const char *p = text, *end = text + len;
	     (p = memchr(p, '\n', (size_t)(end - p))) != NULL;) {
		p++;
		PGD_GROW(sf->line_starts, alloc, sf->nlines + 1);
		sf->line_starts[sf->nlines++] = (size_t)(p - text);
	}
}

void pgd_srcfile_release(struct pgd_srcfile *sf)
{
	free(sf->path);
	free(sf->text);
	free(sf->line_starts);
	memset(sf, 0, sizeof(*sf));
}

static size_t line_index(const struct pgd_srcfile *sf, size_t offset)
{
	size_t lo = 0, hi = sf->nlines;
	/* invariant: line_starts[lo] <= offset, answer in [lo, hi) */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (sf->line_starts[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

unsigned pgd_srcfile_line_of(const struct pgd_srcfile *sf, size_t offset)
{
	if (offset > sf->len)
		offset = sf->len;
	return (unsigned)line_index(sf, offset) + 1;
}

void pgd_srcfile_position(const struct pgd_srcfile *sf, size_t offset,
			  unsigned *line, unsigned *col)
{
	if (offset > sf->len)
		offset = sf->len;
	size_t li = line_index(sf, offset);
	unsigned c = 1;
	for (size_t i = sf->line_starts[li]; i < offset; i++)
		if (((unsigned char)sf->text[i] & 0xC0) != 0x80)
			c++;
	*line = (unsigned)li + 1;
	*col = c;
}

int pgd_srcfile_line_text(const struct pgd_srcfile *sf, unsigned line,
			  const char **start, size_t *len)
{
	if (line == 0 || line > sf->nlines)
		return -1;
	size_t b = sf->line_starts[line - 1];
	size_t e = line < sf->nlines ? sf->line_starts[line] : sf->len;
	if (e > b && sf->text[e - 1] == '\n')
		e--;
	if (e > b && sf->text[e - 1] == '\r')
		e--;
	*start = sf->text + b;
	*len = e - b;
	return 0;
}

long pgd_utf8_first_invalid(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return (long)i;
		}
		if (len - i <= n)
			return (long)i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return (long)i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return (long)i;
		i += n + 1;
	}
	return -1;
}

size_t pgd_utf8_offset(const char *s, long long ci)
{
	size_t i = 0;
	long long k = 0;
	if (ci <= 0)
		return 0;
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && k++ == ci)
			return i;
	return i;
}

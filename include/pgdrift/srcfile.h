/*
 * srcfile.h - a source text with its path and a byte-offset -> line:col map.
 *
 * A struct pgd_srcfile owns its path, its text and its line table; release
 * with pgd_srcfile_release(). Lines and columns are 1-based; a column counts
 * characters (UTF-8 code points; an invalid byte counts as one), which is
 * what editors show and what GNU-style diagnostics mean by "column".
 */
#ifndef PGDRIFT_SRCFILE_H
#define PGDRIFT_SRCFILE_H

#include <stddef.h>

struct pgd_srcfile {
	char *path;          /* as the user named it (relative paths kept) */
	char *text;          /* NUL-terminated; may contain no NUL inside */
	size_t len;          /* bytes of text */
	size_t *line_starts; /* byte offset of the start of each line */
	size_t nlines;       /* a file with no newline still has one line */
};

/*
 * Takes ownership of text (len bytes, NUL-terminated, malloc'd) and copies
 * path. Builds the line table.
 */
void pgd_srcfile_init_take(struct pgd_srcfile *sf, const char *path,
			   char *text, size_t len);
void pgd_srcfile_release(struct pgd_srcfile *sf);

/* Maps a byte offset (clamped to len) to 1-based line and column. */
void pgd_srcfile_position(const struct pgd_srcfile *sf, size_t offset,
			  unsigned *line, unsigned *col);
/* 1-based line of offset. */
unsigned pgd_srcfile_line_of(const struct pgd_srcfile *sf, size_t offset);
/*
 * The text of 1-based line number line, without its newline (or "\r\n"):
 * *start points into sf->text, *len is its length. Returns -1 when the line
 * does not exist.
 */
int pgd_srcfile_line_text(const struct pgd_srcfile *sf, unsigned line,
			  const char **start, size_t *len);

/*
 * Checks that text is valid UTF-8. Returns -1 when it is, else the byte
 * offset of the first invalid sequence.
 */
long pgd_utf8_first_invalid(const char *text, size_t len);

/*
 * The byte offset in the NUL-terminated UTF-8 string s of the character
 * with 0-based index ci: 0 when ci <= 0, strlen(s) when s has no such
 * character.
 */
size_t pgd_utf8_offset(const char *s, long long ci);

#endif

/*
 * diag.h - diagnostics about user input, and errors from the environment.
 *
 * Two of pgdrift's three kinds of failure (the third is PGD_BUG):
 *  - struct pgd_diags collects diagnostics about the user's input
 *    (migrations, snapshot and baseline files) so that all of them are
 *    reported together, GNU-style, with the source line and a caret;
 *  - struct pgd_error is filled by a function that fails because of the
 *    environment (database, file system) and returns -1.
 * Both own every string they hold.
 */
#ifndef PGDRIFT_DIAG_H
#define PGDRIFT_DIAG_H

#include <stddef.h>
#include <stdio.h>

#include "pgdrift/alloc.h"

struct pgd_srcfile;

enum pgd_diag_level {
	PGD_DIAG_ERROR,
	PGD_DIAG_WARNING,
	PGD_DIAG_NOTE
};

struct pgd_diag {
	enum pgd_diag_level level;
	char *path;        /* NULL when the diagnostic is about no file */
	unsigned line;     /* 1-based; 0 when unknown */
	unsigned col;      /* 1-based, in characters; 0 when unknown */
	char *message;
	char *detail;      /* NULL or a DETAIL: line */
	char *hint;        /* NULL or a HINT: line */
	char *source_line; /* NULL or the text of line, for the caret */
};

struct pgd_diags {
	struct pgd_diag *v;
	size_t n, alloc;
	size_t nerrors; /* how many of v are PGD_DIAG_ERROR */
};

#define PGD_DIAGS_INIT { NULL, 0, 0, 0 }

void pgd_diags_release(struct pgd_diags *d);

/*
 * Adds a diagnostic located at byte offset of sf (sf may be NULL for a
 * diagnostic about no file; offset is then ignored). Returns the new entry so
 * the caller may set detail or hint (with pgd_xstrdup/pgd_xasprintf).
 */
struct pgd_diag *pgd_diags_add(struct pgd_diags *d, enum pgd_diag_level level,
			       const struct pgd_srcfile *sf, size_t offset,
			       const char *fmt, ...) PGD_PRINTF(5, 6);
/* Adds a diagnostic about path (a file or directory) with no position. */
struct pgd_diag *pgd_diags_add_path(struct pgd_diags *d,
				    enum pgd_diag_level level, const char *path,
				    const char *fmt, ...) PGD_PRINTF(4, 5);

/* Prints one diagnostic GNU-style to f (see STYLE.md habit 5). */
void pgd_diag_print(FILE *f, const struct pgd_diag *diag);
/* Prints every diagnostic in order. */
void pgd_diags_print(FILE *f, const struct pgd_diags *d);

/*
 * An environment error: what failed, in one line, and optional detail and
 * hint. exit_code is the pgd_exit value main() should use.
 */
struct pgd_error {
	int exit_code;
	char *message;
	char *detail;
	char *hint;
};

#define PGD_ERROR_INIT { 0, NULL, NULL, NULL }

/* Sets err (releasing what it held); returns -1 so callers can return it. */
int pgd_error_set(struct pgd_error *err, int exit_code, const char *fmt, ...)
	PGD_PRINTF(3, 4);
void pgd_error_release(struct pgd_error *err);
/* Prints "pgdrift: error: message" and DETAIL/HINT lines. */
void pgd_error_print(FILE *f, const struct pgd_error *err);

#endif

/*
 * golden.h - what the golden runners share: TAP lines, reading and
 * writing files, and the comparison of a rendering with its expected.<fmt>
 * file (PGDRIFT_UPDATE_GOLDEN=1 rewrites the expected file). Header-only:
 * each runner is one executable.
 */
#ifndef PGDRIFT_TESTS_GOLDEN_H
#define PGDRIFT_TESTS_GOLDEN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pgdrift/strbuf.h"

static int ntests, nfailed;

static inline void ok(bool cond, const char *fmt, ...) PGD_PRINTF(2, 3);

/* One TAP line; a false cond counts as a failure. */
static inline void ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	printf("%s %d - ", cond ? "ok" : "not ok", ++ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		nfailed++;
}

/* The file's contents (caller frees), or NULL when it cannot be read. */
static inline char *slurp(const char *path)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (pgd_strbuf_read_file(&sb, path) < 0) {
		pgd_strbuf_release(&sb);
		return NULL;
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static inline int write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	size_t w = fwrite(text, 1, len, f);
	return fclose(f) == 0 && w == len ? 0 : -1;
}

/*
 * Compares out with DIR/expected.SUFFIX and prints one TAP line named
 * "LABEL: WHAT matches expected.SUFFIX", leaving DIR/actual.SUFFIX for a
 * diff. When optional, a missing expected file (and no update) is no test.
 */
static inline void golden_compare(const char *dir, const char *suffix,
				  const struct pgd_strbuf *out, const char *label,
				  const char *what, bool optional)
{
	char *want_path = pgd_xasprintf("%s/expected.%s", dir, suffix);
	char *got_path = pgd_xasprintf("%s/actual.%s", dir, suffix);
	bool update = getenv("PGDRIFT_UPDATE_GOLDEN") != NULL;
	if (!optional || update || access(want_path, F_OK) == 0) {
		write_file(got_path, out->buf, out->len);
		if (update)
			write_file(want_path, out->buf, out->len);
		char *want = slurp(want_path);
		bool same = want && !strcmp(want, out->buf);
		ok(same, "%s: %s matches expected.%s", label, what, suffix);
		if (!same)
			printf("# diff -u %s %s\n", want_path, got_path);
		free(want);
	}
	free(want_path);
	free(got_path);
}

#endif

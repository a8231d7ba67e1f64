/*
 * corpus_main.c - runs a fuzz harness over every file of a directory (the
 * seeds and crashers kept in fixtures/fuzz/TARGET), one TAP line each, so
 * the regression set runs in every build without clang.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	DIR *d = opendir(argv[1]);
	if (!d) {
		printf("Bail out! cannot open %s\n", argv[1]);
		return 1;
	}
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			PGD_GROW(names, alloc, n + 1);
			names[n++] = pgd_xstrdup(de->d_name);
		}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		char *p = pgd_xasprintf("%s/%s", argv[1], names[i]);
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		if (pgd_strbuf_read_file(&sb, p) < 0) {
			printf("not ok %zu - %s: cannot read\n", i + 1, names[i]);
		} else {
			LLVMFuzzerTestOneInput((const uint8_t *)sb.buf, sb.len);
			printf("ok %zu - %s\n", i + 1, names[i]);
		}
		pgd_strbuf_release(&sb);
		free(p);
		free(names[i]);
	}
	free(names);
	printf("1..%zu\n", n);
	return 0;
}

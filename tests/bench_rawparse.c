/*
 * bench_rawparse.c - the lower bound for pgdrift's replay (scripts/bench.sh):
 * what libpg_query alone costs on a migration folder, with no replay.
 * Reads every *.sql file in DIR, splits it with libpg_query's scanner, and
 * parses every statement that is not seed data (first keyword INSERT,
 * UPDATE, DELETE or COPY: the statements pgdrift never parses) with
 * pg_query_parse_protobuf(), the entry point pgdrift uses. Prints
 *   files N stmts N parsed N split_ms X parse_ms Y
 * where split_ms covers every file's scanner pass and parse_ms the parses.
 * Built twice: bench_rawparse is libpg_query as shipped (its protobuf
 * output packed by protobuf-c's generic code); bench_rawparse_pb links
 * src/normalize/pb.c, whose stand-ins for that packing pgdrift uses too
 * (pb.c, "libpg_query's own protobuf round trips").
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <pg_query.h>

#include "pgdrift/strbuf.h"
#ifdef PGD_BENCH_OWN_PACK
#include "src/normalize/pb.h"
#endif

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* The statement's first word, after blanks and comments, is seed data. */
static int is_data(const char *p, const char *end)
{
	for (;;) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			const char *c = strstr(p + 2, "*/");
			p = c && c < end ? c + 2 : end;
		} else {
			break;
		}
	}
	static const char *const kw[] = { "insert", "update", "delete", "copy" };
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++) {
		size_t n = strlen(kw[i]);
		if ((size_t)(end - p) >= n && !strncasecmp(p, kw[i], n) &&
		    (p + n == end || !isalnum((unsigned char)p[n])))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
#ifdef PGD_BENCH_OWN_PACK
	pgd_pb_free(NULL); /* links pb.c, and with it its stand-ins */
#endif
	DIR *d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 2;
	}
	double split_ms = 0, parse_ms = 0;
	long files = 0, stmts = 0, parsed = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".sql"))
			continue;
		char *path = pgd_xasprintf("%s/%s", argv[1], e->d_name);
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		if (pgd_strbuf_read_file(&sb, path) < 0) {
			perror(path);
			return 2;
		}
		files++;
		double t0 = now_ms();
		PgQuerySplitResult s = pg_query_split_with_scanner(sb.buf);
		split_ms += now_ms() - t0;
		for (int i = 0; !s.error && i < s.n_stmts; i++) {
			const char *p = sb.buf + s.stmts[i]->stmt_location;
			const char *end = p + s.stmts[i]->stmt_len;
			stmts++;
			if (is_data(p, end))
				continue;
			char *sql = pgd_xstrndup(p, (size_t)(end - p));
			t0 = now_ms();
			PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql);
			pg_query_free_protobuf_parse_result(r);
			parse_ms += now_ms() - t0;
			parsed++;
			free(sql);
		}
		pg_query_free_split_result(s);
		pgd_strbuf_release(&sb);
		free(path);
	}
	closedir(d);
	printf("files %ld stmts %ld parsed %ld split_ms %.1f parse_ms %.1f\n",
	       files, stmts, parsed, split_ms, parse_ms);
	return 0;
}

/*
 * run_golden.c - golden files, one directory per case (jansson's
 * test/suites layout): migrations.sql (the expected side) and
 * database.sql (what the database holds) are replayed, diffed,
 * and each report format with an expected.<format> file in the directory is
 * rendered to actual.<format> and compared byte for byte. The version is
 * pinned so output does not change with releases; an optional file
 * server_version holds the PostgreSQL version the case's "database" is
 * reported to run (the source is a replay, so nothing else names one).
 * PGDRIFT_UPDATE_GOLDEN=1 rewrites the expected files
 * (scripts/update-golden.sh); review that diff like code.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pgdrift/diff.h"
#include "pgdrift/migrations.h"
#include "pgdrift/report.h"
#include "pgdrift/rls.h"
#include "pgdrift/strbuf.h"

#include "golden.h"


static struct pgd_schema *replay(const char *path, const char *sql)
{
	struct pgd_diags d = PGD_DIAGS_INIT;
	struct pgd_schema *m = NULL;
	struct pgd_load_options o = PGD_LOAD_OPTIONS_INIT;
	if (pgd_migrations_replay_text(path, sql, &o, &m, &d) < 0)
		pgd_diags_print(stdout, &d);
	pgd_diags_release(&d);
	return m;
}


static void run_case(const char *root, const char *name)
{
	static const char *const formats[] = { "text", "json", "markdown", "sarif",
						"junit", "codequality", "html" };
	char *dir = pgd_xasprintf("%s/%s", root, name);
	char *ep = pgd_xasprintf("%s/migrations.sql", dir);
	char *ap = pgd_xasprintf("%s/database.sql", dir);
	char *esql = slurp(ep), *asql = slurp(ap);
	char *sp = pgd_xasprintf("%s/server_version", dir);
	char *server = slurp(sp);
	free(sp);
	if (server)
		server[strcspn(server, "\n")] = '\0';
	if (!esql || !asql) {
		printf("not ok %d - %s: cannot read migrations.sql and database.sql\n",
		       ++ntests, name);
		nfailed++;
		goto out;
	}
	/* the migration file is named by its path relative to the case */
	struct pgd_schema *e = replay("migrations/expected.sql", esql);
	struct pgd_schema *a = replay("migrations/actual.sql", asql);
	if (!e || !a) {
		printf("not ok %d - %s: replay failed\n", ++ntests, name);
		nfailed++;
		pgd_schema_free(e);
		pgd_schema_free(a);
		goto out;
	}
	struct pgd_findings f = PGD_FINDINGS_INIT;
	struct pgd_diff_options o = { .report_unmodeled = true };
	pgd_diff(e, a, &o, &f);
	/* the RLS review of the actual side, as check runs it */
	struct pgd_rls_matrix mx;
	static const char *const exposed[] = { "public" };
	struct pgd_rls_options ro = { exposed, 1 };
	/* a case whose migrations set pgrst.db_schemas gets check's default:
	 * the database's setting, or PGD200 (assumed) */
	if (e->exposed_known)
		ro = (struct pgd_rls_options){ NULL, 0 };
	pgd_rls_review(a, &ro, &f, &mx);
	pgd_diff_locate(&f, e);
	pgd_findings_sort(&f);
	size_t ntables = 0;
	char **tables = pgd_diff_audited_tables(e, a, &o, &ntables);
	struct pgd_report_meta meta = { .command = "check",
					.expected = "migrations migrations",
					.actual = "database", .fail_on = PGD_SEV_ERROR,
					.version = "0.0.0-golden", .matrix = &mx,
					.tables = (const char *const *)tables,
					.ntables = ntables, .location = "migrations",
					.unmodeled_known = true, .unmodeled = e->nunmodeled,
					.actual_server = server };
	for (size_t i = 0; i < PGD_ARRAY_SIZE(formats); i++) {
		struct pgd_strbuf out = PGD_STRBUF_INIT;
		pgd_report_find(formats[i])(&f, &meta, &out);
		char *what = pgd_xasprintf("%s report", formats[i]);
		golden_compare(dir, formats[i], &out, name, what, true);
		free(what);
		pgd_strbuf_release(&out);
	}
	for (size_t i = 0; i < ntables; i++)
		free(tables[i]);
	free(tables);
	pgd_findings_release(&f);
	pgd_rls_matrix_release(&mx);
	pgd_schema_free(e);
	pgd_schema_free(a);
out:
	free(esql);
	free(asql);
	free(server);
	free(ep);
	free(ap);
	free(dir);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: run_golden DIR\n");
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (!d) {
		printf("Bail out! cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *p = pgd_xasprintf("%s/%s/migrations.sql", argv[1], de->d_name);
		struct stat st;
		if (stat(p, &st) == 0) {
			PGD_GROW(names, alloc, n + 1);
			names[n++] = pgd_xstrdup(de->d_name);
		}
		free(p);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		run_case(argv[1], names[i]);
		free(names[i]);
	}
	free(names);
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}

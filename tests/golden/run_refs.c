/*
 * run_refs.c - golden files for pgdrift refs: the fixture app
 * (fixtures/refs/app) against its migrations (fixtures/refs/migrations),
 * rendered in every report format into tests/golden/refs_app/
 * expected.<format>, and the inventory with "used by" into
 * expected.inventory.{markdown,json}. Paths are relative to the source
 * root (the runner changes into it), the version and time are pinned;
 * the exposed schemas are public and api (--exposed-schema).
 * Then what must hold whatever the layout: exactly the findings of
 * fixtures/refs/expected ("name object file:line"), and no reference to
 * a look-alike ("ghost_" names sit in comments, strings, ignored files).
 * PGDRIFT_UPDATE_GOLDEN=1 rewrites the expected files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pgdrift/inventory.h"
#include "pgdrift/migrations.h"
#include "pgdrift/refs.h"
#include "pgdrift/report.h"
#include "pgdrift/rls.h"
#include "pgdrift/strbuf.h"

#include "golden.h"

int main(int argc, char **argv)
{
	if (argc != 2 || chdir(argv[1]) != 0) {
		printf("Bail out! usage: run_refs SOURCE_ROOT\n");
		return 1;
	}
	const char *dir = "tests/golden/refs_app";
	struct pgd_diags d = PGD_DIAGS_INIT;
	struct pgd_migration_set *set = NULL;
	struct pgd_schema *m = NULL;
	struct pgd_load_options lo = PGD_LOAD_OPTIONS_INIT;
	if (pgd_migrations_find("fixtures/refs/migrations", &set, &d) != 0 ||
	    pgd_migrations_replay(set, &lo, &m, &d) < 0) {
		pgd_diags_print(stdout, &d);
		printf("Bail out! fixtures/refs/migrations do not replay\n");
		return 1;
	}
	pgd_diags_release(&d);
	pgd_schema_sort(m);
	struct pgd_refs_options ro = { "fixtures/refs/app", NULL, 0, NULL, 0 };
	struct pgd_refs_scan scan = { 0 };
	struct pgd_error err = PGD_ERROR_INIT;
	ok(pgd_refs_scan_dir(&ro, &scan, &err) == 0, "the fixture app scans completely");

	/* the checks, as pgdrift refs --migrations runs them */
	struct pgd_findings rls = PGD_FINDINGS_INIT, f = PGD_FINDINGS_INIT;
	struct pgd_rls_matrix mx = { 0 };
	/* as --exposed-schema public --exposed-schema api */
	static const char *const exposed[] = { "public", "api" };
	struct pgd_rls_options rlo = { exposed, 2 };
	struct pgd_refs_check_options co = { exposed, 2 };
	pgd_rls_review(m, &rlo, &rls, &mx);
	pgd_findings_release(&rls);
	pgd_refs_check(&scan, m, &mx, &co, &f);
	pgd_findings_sort(&f);
	pgd_refs_mark_matrix(&scan, &mx);

	/* exactly the expected findings, at their file:line */
	struct pgd_strbuf got = PGD_STRBUF_INIT;
	for (size_t i = 0; i < f.n; i++) {
		const struct pgd_finding *x = &f.v[i];
		pgd_strbuf_addf(&got, "%s %s %s:%u\n", x->rule->name,
				x->object ? x->object : "-", x->file ? x->file : "-",
				x->line);
	}
	char *want = slurp("fixtures/refs/expected");
	struct pgd_strbuf wantf = PGD_STRBUF_INIT;
	for (char *save = NULL, *l = want ? strtok_r(want, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save))
		if (*l && *l != '#')
			pgd_strbuf_addf(&wantf, "%s\n", l);
	bool same = want && !strcmp(got.buf ? got.buf : "", wantf.buf ? wantf.buf : "");
	ok(same, "refs_app: exactly the findings of fixtures/refs/expected");
	if (!same)
		printf("# got:\n%s# want:\n%s", got.buf ? got.buf : "",
		       wantf.buf ? wantf.buf : "");
	free(want);
	pgd_strbuf_release(&wantf);
	pgd_strbuf_release(&got);

	size_t ghosts = 0;
	for (size_t i = 0; i < scan.nrefs; i++)
		if (strstr(scan.refs[i].name, "ghost")) {
			printf("# look-alike counted: %s at %s:%u\n", scan.refs[i].name,
			       scan.files[scan.refs[i].file].path, scan.refs[i].line);
			ghosts++;
		}
	ok(ghosts == 0, "refs_app: no look-alike is a reference");
	bool bucket = false;
	for (size_t i = 0; i < scan.nrefs; i++)
		bucket |= scan.refs[i].kind == PGD_REF_BUCKET &&
			  !strcmp(scan.refs[i].name, "avatars");
	ok(bucket, "refs_app: .storage.from('avatars') is a bucket, not a table");

	/* every report format */
	char *formats = pgd_xstrdup(pgd_report_formats());
	struct pgd_report_meta meta = { .command = "refs",
		.expected = "code fixtures/refs/app",
		.actual = "migrations fixtures/refs/migrations",
		.fail_on = PGD_SEV_ERROR, .version = "0.0.0-golden", .matrix = &mx,
		.location = "fixtures/refs/app" };
	const char **tables = pgd_xcalloc(mx.n + 1, sizeof(*tables));
	for (size_t i = 0; i < mx.n; i++)
		tables[i] = mx.rows[i].table;
	meta.tables = tables;
	meta.ntables = mx.n;
	/* as pgdrift refs --migrations says it: how complete the replay was */
	meta.unmodeled_known = true;
	meta.unmodeled = m->nunmodeled;
	for (char *save = NULL, *name = strtok_r(formats, ", ", &save); name;
	     name = strtok_r(NULL, ", ", &save)) {
		struct pgd_strbuf out = PGD_STRBUF_INIT;
		pgd_report_find(name)(&f, &meta, &out);
		golden_compare(dir, name, &out, "refs_app", name, true);
		pgd_strbuf_release(&out);
	}
	free(formats);
	free(tables);

	/* the inventory with "used by" */
	size_t nuses = 0;
	struct pgd_inventory_use *uses = pgd_refs_uses(&scan, m, &nuses);
	struct pgd_inventory_options io = { "0.0.0-golden", "2026-01-01 00:00 UTC",
					    "fixtures/refs/migrations", NULL, NULL,
					    uses, nuses, "fixtures/refs/app" };
	struct pgd_strbuf md = PGD_STRBUF_INIT, js = PGD_STRBUF_INIT;
	pgd_inventory_markdown(set, m, &io, &md);
	pgd_inventory_json(set, m, &io, &js);
	golden_compare(dir, "inventory.markdown", &md, "refs_app", "inventory.markdown", true);
	golden_compare(dir, "inventory.json", &js, "refs_app", "inventory.json", true);
	ok(strstr(md.buf, "**Used by code (0)**") != NULL &&
	   strstr(md.buf, "| fixtures/refs/app/web/server/admin.ts:12 | API | delete |"),
	   "refs_app: the inventory says where each table is used, and when none");
	pgd_strbuf_release(&md);
	pgd_strbuf_release(&js);
	free(uses);

	pgd_findings_release(&f);
	pgd_rls_matrix_release(&mx);
	pgd_refs_scan_release(&scan);
	pgd_schema_free(m);
	pgd_migration_set_free(set);
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}

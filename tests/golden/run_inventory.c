/*
 * run_inventory.c - golden files for pgdrift inventory, one directory per
 * case under tests/golden/ (inventory_<case>/), each naming its migration
 * folder in a file "source" (relative to the source root) or holding a
 * migrations/ folder. Markdown and JSON are rendered with the version and
 * time pinned and compared byte for byte with expected.markdown and
 * expected.json (PGDRIFT_UPDATE_GOLDEN=1 rewrites them). Then, for the
 * Storytailor case, what the document must hold whatever its layout: every
 * table of fixtures/storytailor/seed-tables.txt as a section with each of
 * its columns and policies, the RLS flags of expected-tables.tsv, the exact
 * counts, and never "Unknown".
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "pgdrift/inventory.h"
#include "pgdrift/migrations.h"
#include "pgdrift/report.h"
#include "pgdrift/strbuf.h"

#include "golden.h"

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

/* The Markdown section of table schema.name: from its heading to the next. */
static char *section(const char *md, const struct pgd_table *t)
{
	struct pgd_strbuf h = PGD_STRBUF_INIT, id = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&id, t->obj.schema);
	pgd_strbuf_addch(&id, '.');
	pgd_strbuf_add_ident(&id, t->obj.name);
	pgd_strbuf_addstr(&h, "\n### ");
	pgd_report_markdown_escape(&h, id.buf);
	pgd_strbuf_addch(&h, '\n');
	const char *s = strstr(md, h.buf);
	char *res = NULL;
	if (s) {
		const char *e = strstr(s + h.len, "\n### ");
		const char *e2 = strstr(s + h.len, "\n## ");
		if (!e || (e2 && e2 < e))
			e = e2;
		res = e ? pgd_xstrndup(s, (size_t)(e - s)) : pgd_xstrdup(s);
	}
	pgd_strbuf_release(&h);
	pgd_strbuf_release(&id);
	return res;
}

static void storytailor_facts(const struct pgd_schema *m, const char *md,
			      const char *json)
{
	char *seed = slurp("fixtures/storytailor/seed-tables.txt");
	char *rls = slurp("fixtures/storytailor/expected-tables.tsv");
	if (!seed || !rls) {
		ok(false, "storytailor: seed-tables.txt and expected-tables.tsv readable");
		free(seed);
		free(rls);
		return;
	}
	size_t ntables = 0, missing = 0, badcols = 0, badpols = 0, badrls = 0;
	char *save = NULL;
	for (char *name = strtok_r(seed, "\n", &save); name;
	     name = strtok_r(NULL, "\n", &save)) {
		if (!*name)
			continue;
		ntables++;
		const struct pgd_table *t = pgd_schema_find_table(m, "public", name);
		char *sec = t ? section(md, t) : NULL;
		if (!sec) {
			missing++;
			printf("# no section for public.%s\n", name);
			continue;
		}
		for (size_t k = 0; k < t->ncolumns; k++) {
			struct pgd_strbuf row = PGD_STRBUF_INIT;
			pgd_strbuf_addf(&row, "| %zu | ", k + 1);
			pgd_report_markdown_escape(&row, t->columns[k]->obj.name);
			pgd_strbuf_addstr(&row, " | ");
			pgd_report_markdown_escape(&row, t->columns[k]->type);
			pgd_strbuf_addstr(&row, t->columns[k]->not_null ? " | NOT NULL |"
									: " | null |");
			if (!strstr(sec, row.buf)) {
				badcols++;
				printf("# public.%s: no row \"%s\"\n", name, row.buf);
			}
			pgd_strbuf_release(&row);
		}
		for (size_t k = 0; k < t->npolicies; k++) {
			struct pgd_strbuf row = PGD_STRBUF_INIT;
			pgd_strbuf_addstr(&row, "\n| ");
			pgd_report_markdown_escape(&row, t->policies[k]->obj.name);
			pgd_strbuf_addstr(&row, " | ");
			if (!strstr(sec, row.buf)) {
				badpols++;
				printf("# public.%s: no policy row \"%s\"\n", name, row.buf + 1);
			}
			pgd_strbuf_release(&row);
		}
		/* expected-tables.tsv: "name\ton|off", read back from the server */
		struct pgd_strbuf key = PGD_STRBUF_INIT;
		pgd_strbuf_addf(&key, "\n%s\t", name);
		const char *at = !strncmp(rls, key.buf + 1, key.len - 1)
					 ? rls : strstr(rls, key.buf);
		if (at && *at == '\n')
			at++;
		bool on = at && !strncmp(at + strlen(name) + 1, "on", 2);
		if (!at || !strstr(sec, on ? "**Row level security:** enabled"
					   : "**Row level security:** **disabled**")) {
			badrls++;
			printf("# public.%s: RLS flag not as the server says\n", name);
		}
		pgd_strbuf_release(&key);
		free(sec);
	}
	ok(ntables == 134, "storytailor: seed-tables.txt lists 134 tables (%zu)", ntables);
	ok(missing == 0, "storytailor: every seed table has its section (%zu missing)", missing);
	ok(badcols == 0, "storytailor: every column listed with type and nullability (%zu not)", badcols);
	ok(badpols == 0, "storytailor: every policy listed (%zu not)", badpols);
	ok(badrls == 0, "storytailor: RLS flags as the server reports them (%zu differ)", badrls);
	ok(!contains_ci(md, "unknown") && !contains_ci(json, "unknown"),
	   "storytailor: no \"Unknown\" anywhere");
	ok(!contains_ci(md, "TODO") && !strstr(md, "120+"),
	   "storytailor: no TODO, no approximate count");
	static const char *const stats[] = {
		"| migration files | 26 |", "| tables | 134 |", "| indexes | 271 |",
		"| foreign keys | 140 |", "| policies | 185 |",
		"| tables with RLS enabled | 134 |", "| policies on platform tables | 5 |",
		"| versions shared by several files | 7 |",
	};
	for (size_t i = 0; i < PGD_ARRAY_SIZE(stats); i++)
		ok(strstr(md, stats[i]) != NULL, "storytailor: statistics %s", stats[i]);
	/* the JSON agrees with the model */
	json_error_t je;
	json_t *root = json_loads(json, 0, &je);
	json_t *tables = json_object_get(root, "tables");
	size_t ncols = 0, jcols = 0, i;
	json_t *v;
	for (size_t k = 0; k < m->ntables; k++)
		if (pgd_inventory_lists(m->tables[k]))
			ncols += m->tables[k]->ncolumns;
	json_array_foreach(tables, i, v)
		jcols += json_array_size(json_object_get(v, "columns"));
	ok(root && json_array_size(tables) == 134 && jcols == ncols,
	   "storytailor: JSON has 134 tables and all %zu columns (%zu)", ncols, jcols);
	json_decref(root);
	free(seed);
	free(rls);
}

static void run_case(const char *root, const char *name)
{
	static const char *const formats[] = { "markdown", "json" };
	char *dir = pgd_xasprintf("%s/%s", root, name);
	char *srcp = pgd_xasprintf("%s/source", dir);
	char *src = slurp(srcp);
	char *migdir;
	if (src) {
		src[strcspn(src, "\n")] = '\0';
		migdir = pgd_xstrdup(src);
	} else {
		migdir = pgd_xasprintf("%s/migrations", dir);
	}
	struct pgd_diags d = PGD_DIAGS_INIT;
	struct pgd_migration_set *set = NULL;
	struct pgd_schema *m = NULL;
	struct pgd_load_options lo = PGD_LOAD_OPTIONS_INIT;
	if (pgd_migrations_find(migdir, &set, &d) != 0 ||
	    pgd_migrations_replay(set, &lo, &m, &d) != 0) {
		pgd_diags_print(stdout, &d);
		ok(false, "%s: %s replays", name, migdir);
		goto out;
	}
	pgd_schema_sort(m);
	struct pgd_inventory_options io = { "0.0.0-golden", "2026-01-01 00:00 UTC",
					    migdir, NULL, NULL, NULL, 0, NULL };
	char *text[2] = { NULL, NULL };
	for (size_t i = 0; i < PGD_ARRAY_SIZE(formats); i++) {
		struct pgd_strbuf out = PGD_STRBUF_INIT;
		if (i == 0)
			pgd_inventory_markdown(set, m, &io, &out);
		else
			pgd_inventory_json(set, m, &io, &out);
		char *what = pgd_xasprintf("inventory %s", formats[i]);
		golden_compare(dir, formats[i], &out, name, what, false);
		free(what);
		text[i] = pgd_strbuf_detach(&out, NULL);
	}
	if (strstr(name, "storytailor"))
		storytailor_facts(m, text[0], text[1]);
	free(text[0]);
	free(text[1]);
out:
	pgd_diags_release(&d);
	pgd_schema_free(m);
	pgd_migration_set_free(set);
	free(migdir);
	free(src);
	free(srcp);
	free(dir);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: run_inventory SRCROOT\n");
		return 2;
	}
	/* paths in the documents are relative to the source root */
	if (chdir(argv[1]) < 0) {
		printf("Bail out! cannot enter %s\n", argv[1]);
		return 1;
	}
	static const char *const cases[] = { "inventory_hostile", "inventory_storytailor" };
	for (size_t i = 0; i < PGD_ARRAY_SIZE(cases); i++)
		run_case("tests/golden", cases[i]);
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}

/*
 * bench_catalog_sql.c - the floor of pgdrift's introspection
 * (scripts/bench.sh): writes a psql script that runs exactly the catalog
 * queries pgdrift runs (catalog.h, pgd_catalog_query_sql, for the server
 * version given) in the same kind of transaction, each once with its
 * result sent to /dev/null (\timing: the round trip, rows transferred and
 * formatted, nothing built from them) and, with --explain, under EXPLAIN
 * (ANALYZE, TIMING OFF) (the server's execution alone). bench.sh sums the
 * times psql prints.
 *   bench_catalog_sql [--explain] VERSION   (e.g. 150018) > floor.sql
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/catalog.h"

int main(int argc, char **argv)
{
	bool explain = argc > 1 && !strcmp(argv[1], "--explain");
	if (argc != 2 + explain) {
		fprintf(stderr, "usage: bench_catalog_sql [--explain] SERVER_VERSION_NUM\n");
		return 2;
	}
	int version = (int)strtol(argv[1 + explain], NULL, 10);
	printf("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\n"
	       "SET LOCAL search_path = pg_catalog;\n");
	for (size_t i = 0; i < pgd_catalog_query_count(); i++) {
		const char *name, *param;
		char *sql = pgd_catalog_query_sql(i, version, &name, &param);
		/* a prepared statement: the parameter bound as pgdrift binds it */
		printf("PREPARE q_%zu(text[]) AS %s;\n", i, sql);
		free(sql);
	}
	if (!explain)
		printf("\\o /dev/null\n\\timing on\n");
	for (size_t i = 0; i < pgd_catalog_query_count(); i++) {
		const char *name, *param;
		free(pgd_catalog_query_sql(i, version, &name, &param));
		if (explain)
			printf("\\echo %s\nEXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) "
			       "EXECUTE q_%zu('%s');\n", name, i, param);
		else
			printf("\\echo %s\nEXECUTE q_%zu('%s');\n", name, i, param);
	}
	printf("\\o\n\\timing off\nCOMMIT;\n");
	return 0;
}

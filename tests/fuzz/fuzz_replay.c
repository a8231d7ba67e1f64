/*
 * fuzz_replay.c - libFuzzer harness: SQL bytes in, the whole loader path
 * (NUL and UTF-8 checks, scanner split, parse, replay, canonical dump) out.
 * Any crash, leak or sanitizer report is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/migrations.h"
#include "pgdrift/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char *sql = pgd_xstrndup((const char *)data, size);
	struct pgd_diags d = PGD_DIAGS_INIT;
	struct pgd_schema *m = NULL;
	struct pgd_load_options o = PGD_LOAD_OPTIONS_INIT;
	o.allow_unmodeled = (size & 1) != 0;
	if (pgd_migrations_replay_text("fuzz.sql", sql, &o, &m, &d) == 0) {
		struct pgd_strbuf out = PGD_STRBUF_INIT;
		pgd_schema_dump(m, &out, PGD_DUMP_SOURCES, NULL, NULL);
		pgd_strbuf_release(&out);
	}
	pgd_schema_free(m);
	pgd_diags_release(&d);
	free(sql);
	return 0;
}

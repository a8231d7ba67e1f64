/*
 * fuzz_snapshot.c - libFuzzer harness for the JSON snapshot reader: any
 * bytes in; a model, or an error naming the place, out; and a model that
 * was read must dump and write back without a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "pgdrift/snapshot.h"
#include "pgdrift/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = pgd_xstrndup((const char *)data, size);
	struct pgd_schema *m = NULL;
	struct pgd_error err = PGD_ERROR_INIT;
	if (pgd_snapshot_read_text("fuzz.json", text, &m, &err) == 0) {
		struct pgd_strbuf out = PGD_STRBUF_INIT;
		pgd_schema_dump(m, &out, 0, NULL, NULL);
		pgd_snapshot_write(m, &out);
		pgd_strbuf_release(&out);
		pgd_schema_free(m);
	}
	pgd_error_release(&err);
	free(text);
	return 0;
}

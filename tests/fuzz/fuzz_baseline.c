/*
 * fuzz_baseline.c - libFuzzer harness for the baseline reader: any bytes
 * in; a baseline, or an error naming the place, out. A baseline that was
 * read is applied to a small set of findings and written back, and what it
 * writes must read again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/baseline.h"
#include "pgdrift/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = pgd_xstrndup((const char *)data, size);
	struct pgd_baseline *b = NULL;
	struct pgd_error err = PGD_ERROR_INIT;
	if (pgd_baseline_read_text("fuzz.json", text, &b, &err) == 0) {
		struct pgd_findings f = PGD_FINDINGS_INIT;
		pgd_findings_add(&f, PGD_R_MISSING_TABLE, "public.t", "public.t",
				 NULL, NULL, "table public.t is missing");
		pgd_findings_add(&f, PGD_R_RLS_NO_POLICY, "public.u", "public.u",
				 NULL, NULL, "no policy");
		pgd_findings_sort(&f);
		struct pgd_baseline *w = pgd_baseline_from_findings(&f, b, "fuzz", NULL,
								    "2026-11-25");
		pgd_baseline_apply(b, &f, "2026-11-25");
		struct pgd_strbuf out = PGD_STRBUF_INIT;
		pgd_baseline_write(w, &out);
		struct pgd_baseline *again = NULL;
		if (pgd_baseline_read_text("again.json", out.buf, &again, &err) < 0)
			abort(); /* what pgdrift writes, pgdrift must read */
		pgd_baseline_free(again);
		pgd_strbuf_release(&out);
		pgd_baseline_free(w);
		pgd_findings_release(&f);
		pgd_baseline_free(b);
	}
	pgd_error_release(&err);
	free(text);
	return 0;
}

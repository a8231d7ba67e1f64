/*
 * snapshot.h - the model as JSON ("format": "pgdrift.schema/1"), written
 * with jansson. The shape is documented in docs/commands.md ("Snapshot format")
 * and versioned: a reader refuses a format it does not know.
 */
#ifndef PGDRIFT_SNAPSHOT_H
#define PGDRIFT_SNAPSHOT_H

#include "pgdrift/diag.h"
#include "pgdrift/schema.h"

struct pgd_strbuf;

#define PGD_SNAPSHOT_FORMAT "pgdrift.schema/1"

/* Appends m as pretty-printed JSON (sorted first) to out. */
void pgd_snapshot_write(struct pgd_schema *m, struct pgd_strbuf *out);

/*
 * Reads a snapshot written by pgd_snapshot_write (or by hand) into a new
 * model (free with pgd_schema_free). Returns 0, or -1 with err naming the
 * file, line and column of malformed JSON, an unknown "format", or a field
 * of the wrong type (exit code PGD_EXIT_USAGE).
 */
int pgd_snapshot_read_file(const char *path, struct pgd_schema **out,
			   struct pgd_error *err);
int pgd_snapshot_read_text(const char *name, const char *text,
			   struct pgd_schema **out, struct pgd_error *err);

#endif

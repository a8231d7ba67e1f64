/*
 * snapshot.h - the model as JSON ("format": "pgdrift.schema/1"), written
 * with jansson. The shape is documented in the README ("Snapshot format")
 * and versioned: a reader refuses a format it does not know.
 */
#ifndef PGDRIFT_SNAPSHOT_H
#define PGDRIFT_SNAPSHOT_H

#include "pgdrift/schema.h"

struct pgd_strbuf;

#define PGD_SNAPSHOT_FORMAT "pgdrift.schema/1"

/* Appends m as pretty-printed JSON (sorted first) to out. */
void pgd_snapshot_write(struct pgd_schema *m, struct pgd_strbuf *out);

#endif

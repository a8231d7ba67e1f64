/*
 * inventory.h - the schema inventory: a document of every migration file
 * (version, name, the tables, indexes and policies it creates, alters or
 * drops, duplicate versions), every table the migrations define (purpose
 * from COMMENT ON TABLE, columns, primary key, foreign keys with their
 * actions, indexes, RLS flags, policies) and exact statistics; with a
 * database, each table marked verified or drifted with its findings.
 *
 * Everything here reads a replayed model and prints; nothing is decided
 * (the findings come from diff.h). Output is deterministic: tables in the
 * model's sorted order, and the time and version are given by the caller.
 */
#ifndef PGDRIFT_INVENTORY_H
#define PGDRIFT_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "pgdrift/finding.h"
#include "pgdrift/migrations.h"
#include "pgdrift/schema.h"

struct pgd_strbuf;

/* One place application code uses a table or function (refs.h). */
struct pgd_inventory_use {
	char kind;          /* 't' table or view, 'f' function */
	const char *schema; /* resolved: "public" when the code named none */
	const char *name;
	const char *file;   /* the code file, as reports print it */
	unsigned line;
	bool sql;           /* SQL text rather than a client call */
	char ops[64];       /* "select, insert", "" when none is known */
};

struct pgd_inventory_options {
	const char *version;    /* the tool version printed; NULL: this build's */
	const char *generated;  /* when, e.g. "2026-11-25 06:40 UTC"; NULL: omitted */
	const char *migrations; /* the migration folder, as given */
	/* With a database: its description and the drift findings of the
	 * migrations against it (pgd_diff, expected = the model). database
	 * NULL: no database was compared, and drift is ignored. */
	const char *database;
	const struct pgd_findings *drift;
	/* With --code: where the code uses each table and function, sorted
	 * by schema, name, file, line (NULL/0: no code was scanned) */
	const struct pgd_inventory_use *uses;
	size_t nuses;
	const char *code;       /* the code folder, as given */
};

struct pgd_inventory_stats {
	size_t files;              /* migration files */
	size_t duplicate_versions; /* versions more than one file has */
	size_t tables;             /* tables the migrations define (not
				      platform tables they only attach to) */
	size_t columns;
	size_t jsonb_columns;      /* jsonb and jsonb[] */
	size_t indexes;            /* including those behind PK/UNIQUE */
	size_t foreign_keys;
	size_t policies;           /* on those tables */
	size_t platform_policies;  /* on platform tables (storage.objects) */
	size_t rls_tables;         /* RLS enabled */
	size_t forced_tables;      /* RLS forced */
	size_t commented_tables;   /* with COMMENT ON TABLE */
	size_t verified, drifted;  /* with a database */
};

/* Whether the inventory lists table t (the migrations define it). */
bool pgd_inventory_lists(const struct pgd_table *t);

/* Counts what the inventory of set/m holds. m must be sorted. */
void pgd_inventory_count(const struct pgd_migration_set *set,
			 const struct pgd_schema *m,
			 const struct pgd_inventory_options *o,
			 struct pgd_inventory_stats *out);

/*
 * Appends the inventory to out as GitLab-flavoured Markdown (a table of
 * contents, one anchored section per table, every identifier escaped) or
 * as JSON ("format": "pgdrift.inventory/1", documented in docs/commands.md).
 * set is the replayed migration set (its files' text still loaded), m the
 * model it built, sorted (pgd_schema_sort).
 */
void pgd_inventory_markdown(const struct pgd_migration_set *set,
			    const struct pgd_schema *m,
			    const struct pgd_inventory_options *o,
			    struct pgd_strbuf *out);
void pgd_inventory_json(const struct pgd_migration_set *set,
			const struct pgd_schema *m,
			const struct pgd_inventory_options *o,
			struct pgd_strbuf *out);

#endif

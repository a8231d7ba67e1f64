/*
 * migrations.h - the expected schema: find and order migration files,
 * split them into statements, parse them with libpg_query and replay the
 * DDL onto a model, remembering the file:line of every object.
 *
 * File naming styles, all ordered by version (numerically), ties by name:
 *   Supabase  <digits>_<name>.sql        20240101000000_init.sql
 *   plain     <digits>_<name>.sql        0001_init.sql
 *   Flyway    V<version>__<name>.sql     V1_2__init.sql (U and R files are
 *             reported and skipped: undo and repeatable migrations)
 *   up/down   <version>_<name>.up.sql    (the .down.sql files are skipped)
 * Anything else ending in .sql is reported (a warning) and skipped.
 */
#ifndef PGDRIFT_MIGRATIONS_H
#define PGDRIFT_MIGRATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "pgdrift/diag.h"
#include "pgdrift/schema.h"

struct pgd_platform_profile;
#include "pgdrift/srcfile.h"

struct pgd_migration_file {
	char *path;    /* DIR/NAME as the user gave DIR */
	char *name;    /* the file name */
	char *version; /* the version digits ("1.2" for Flyway V1_2) */
	char *label;   /* the name part after the version */
	struct pgd_srcfile src; /* the text, once loaded */
	size_t nstatements;     /* statements found by the splitter */
	size_t nparsed;         /* of those, parsed (schema-changing) */
	size_t nread_ahead;     /* of those, DO blocks a second thread parsed
	                         * ahead of the replay */
};

struct pgd_migration_set {
	char *dir;
	struct pgd_migration_file *files;
	size_t nfiles;
	size_t nskipped; /* .sql files skipped (down, undo, unknown names) */
	/* The order the files are replayed in, as indices into files (owned);
	 * NULL: files order. files stay in version order (history, inventory);
	 * a Supabase layout is replayed in file name byte order, as the CLI
	 * applies it. */
	size_t *order;
};

/* The replay's view of SET search_path: how long a SET lasts. */
enum pgd_session_scope {
	PGD_SESSION_PER_FILE, /* each file in a new session (Supabase CLI) */
	PGD_SESSION_SHARED    /* one session for all files */
};

struct pgd_load_options {
	enum pgd_session_scope session;
	/* The search_path each session starts with; NULL: "public", "extensions"
	 * (what Supabase gives the postgres role, less "$user"). */
	const char *const *search_path;
	size_t nsearch_path;
	/* Statements that cannot be replayed become unmodeled entries (info)
	 * instead of errors. Syntax errors stay errors. */
	bool allow_unmodeled;
	/* The role the migrations run as, which CURRENT_USER names (in a
	 * policy's TO list); NULL: "postgres", as the Supabase CLI runs them. */
	const char *role;
	/* What the platform provides before the first migration (roles,
	 * default privileges); NULL: Supabase, era PGD_PLATFORM_ERA_DEFAULT. */
	const struct pgd_platform_profile *platform;
};

#define PGD_LOAD_OPTIONS_INIT { PGD_SESSION_PER_FILE, NULL, 0, false, NULL, NULL }

/*
 * Finds and orders the migration files of dir (without reading them).
 * Returns 0 and a set (free with pgd_migration_set_free); -1 with
 * diagnostics when dir itself is missing, not a directory or unreadable (a
 * usage error); -2 when it holds no migration files or one of them cannot
 * be read (a migration input error). Warnings (duplicate versions, skipped
 * files) may be added on success too.
 */
int pgd_migrations_find(const char *dir, struct pgd_migration_set **out,
			struct pgd_diags *diags);

void pgd_migration_set_free(struct pgd_migration_set *set);

/*
 * Reads mf's text into mf->src unless it is there already (the set owns
 * it). Returns 0, or -1 with a diagnostic naming the file.
 */
int pgd_migration_file_load(struct pgd_migration_file *mf,
			    struct pgd_diags *diags);

/* Compares two versions as the files are ordered: numerically part by part
 * ("0010" = "10", "1.10" > "1.9"). Returns <0, 0 or >0. */
int pgd_migrations_cmp_version(const char *a, const char *b);

/*
 * Reads, parses and replays every file of set in order onto a new model.
 * Returns 0 with *out set (the caller frees it with pgd_schema_free), or -1
 * when any error diagnostic was added (syntax errors, unreadable files,
 * invalid UTF-8, NUL bytes, statements that cannot be replayed); *out is
 * then NULL. All errors of all files are collected, not just the first.
 */
int pgd_migrations_replay(struct pgd_migration_set *set,
			  const struct pgd_load_options *opts,
			  struct pgd_schema **out, struct pgd_diags *diags);

/* Replays SQL text as one migration file named path (for tests). */
int pgd_migrations_replay_text(const char *path, const char *sql,
			       const struct pgd_load_options *opts,
			       struct pgd_schema **out, struct pgd_diags *diags);

#endif

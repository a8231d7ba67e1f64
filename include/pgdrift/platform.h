/*
 * platform.h - what the platform the migrations run on provides before the
 * first migration: its roles and default privileges (roles.c,
 * privileges.c), the keys of its own tables (keys.c) and the members of
 * the extensions it offers (extensions.c). One place names these
 * assumptions; the replay starts from them and `pgdrift expected` prints
 * them. The key and extension tables are pure data: those answers point
 * into static tables and are never freed.
 */
#ifndef PGDRIFT_PLATFORM_H
#define PGDRIFT_PLATFORM_H

#include <stdbool.h>

#include "pgdrift/schema.h"

struct pgd_strbuf;

/* ---- profile, roles and privileges (src/platform/roles.c, privileges.c) */

enum pgd_platform {
	PGD_PLATFORM_SUPABASE, /* the default */
	PGD_PLATFORM_NONE      /* vanilla PostgreSQL: built-in defaults only */
};

/*
 * Supabase's default privileges on public changed in 2026: tables created
 * after the change are no longer granted to the API roles. 2025 is the
 * default era (see docs/platform.md).
 */
#define PGD_PLATFORM_ERA_DEFAULT 2025

struct pgd_platform_profile {
	enum pgd_platform platform;
	int era;          /* 2025 or 2026 (Supabase only) */
	int server_major; /* ALL on tables has MAINTAIN from 17 on; 0: 15 */
	/* with --db: the database model whose platform roles' own default
	 * privileges (pg_default_acl) replace the era's for those roles;
	 * NULL: the era's documented defaults */
	const struct pgd_schema *db;
};

#define PGD_PLATFORM_PROFILE_INIT { PGD_PLATFORM_SUPABASE, PGD_PLATFORM_ERA_DEFAULT, 0, NULL }

/* Parses "supabase" / "none"; -1 when unknown. */
int pgd_platform_parse(const char *name, enum pgd_platform *out);
/* Parses "2025" / "2026"; -1 when unknown. */
int pgd_platform_era_parse(const char *s, int *out);
/* "supabase" or "none" (static). */
const char *pgd_platform_name(enum pgd_platform p);
/* "platform supabase, era 2025": for report headers. The caller frees. */
char *pgd_platform_describe(const struct pgd_platform_profile *p);

/* The role the migrations run as, and own what they create, unless
 * --migration-role says otherwise: "postgres" (the Supabase CLI's role,
 * and the superuser initdb makes by default). */
const char *pgd_platform_migration_role(const struct pgd_platform_profile *p);
/* Whether a fresh database on this platform has schema name before the
 * first migration: public on every server; on Supabase also the
 * platform's own schemas (auth, storage, extensions, ...). The replay
 * does not model these schemas: CREATE SCHEMA IF NOT EXISTS on one of
 * them changes nothing. */
bool pgd_platform_has_schema(const struct pgd_platform_profile *p,
			     const char *name);
/* Whether name is an API role: anon, authenticated or PUBLIC (the roles a
 * request runs as before it signs in or after). */
bool pgd_platform_is_api_role(const char *name);
/* Adds the platform's roles and memberships to m (anon, authenticated,
 * service_role, authenticator, postgres, supabase_admin). */
void pgd_platform_add_roles(struct pgd_schema *m,
			    const struct pgd_platform_profile *p);

/*
 * Sets m's default privileges to the platform's starting state (for
 * postgres and supabase_admin in public), from p->db for the roles it
 * has entries of when given, and records the profile in m->platform and
 * m->platform_era. Entries are marked platform.
 */
void pgd_platform_seed_privileges(struct pgd_schema *m,
				  const struct pgd_platform_profile *p);
/*
 * After both sources are read (they load concurrently): gives the replayed
 * model exp what only the database db can say. The default privileges of
 * the platform roles other than the migration role become the database's
 * (users cannot change them). exp keeps the server version it was replayed
 * for: on a 17+ database the diff then leaves MAINTAIN out of the table
 * privileges it compares (src/diff/privileges.c).
 */
void pgd_platform_adopt_db(struct pgd_schema *exp, const struct pgd_schema *db,
			   const struct pgd_platform_profile *p);
/* Appends the starting state as "-- platform ..." comment lines, for
 * `pgdrift expected`. */
void pgd_platform_print(const struct pgd_platform_profile *p,
			struct pgd_strbuf *out);

/* ---- extension members (src/platform/extensions.c) ---- */

enum pgd_platform_member {
	PGD_PM_FUNCTION, /* function or procedure, by name */
	PGD_PM_TYPE,     /* base, composite or enum type */
	PGD_PM_OPCLASS,  /* operator class, by name (any access method) */
	PGD_PM_OPERATOR, /* operator, by symbol (% and <-> on text only) */
};

/*
 * The extension that provides an object of this kind and (unqualified,
 * case-sensitive) name among the extensions Supabase offers, or NULL.
 * Used for names a migration writes unqualified and does not define: the
 * server resolved them to the extension's schema.
 */
const char *pgd_platform_extension_of(enum pgd_platform_member kind,
				      const char *name);

/*
 * The schema a hosted Supabase project has this extension in before any
 * migration runs ("extensions", "graphql", "vault", ...), or NULL when the
 * platform does not pre-install it.
 */
const char *pgd_platform_extension_preinstalled(const char *extname);

/* ---- keys of the platform's tables (src/platform/keys.c) ---- */

/*
 * The primary key columns of a platform table, comma-separated in key
 * order ("id"), or NULL when schema.table is not a platform table pgdrift
 * knows. `references auth.users` without a column list means this key.
 */
const char *pgd_platform_table_key(const char *schema, const char *table);

/*
 * Whether schema.table is a platform table whose column set pgdrift
 * knows, and if so whether it has column col. Returns -1 when the table
 * is unknown, 0 when it is known without col, 1 when it has col.
 */
int pgd_platform_table_has_column(const char *schema, const char *table,
				  const char *col);

#endif

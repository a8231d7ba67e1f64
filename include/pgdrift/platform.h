/*
 * platform.h - what the platform provides before any migration runs: the
 * keys of its own tables, the members of the extensions it offers (and,
 * from other files of this module, its roles and default privileges).
 * Pure data: every answer points into static tables and is never freed;
 * nothing here calls up into the replay or the catalog.
 */
#ifndef PGDRIFT_PLATFORM_H
#define PGDRIFT_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

/* ---- extension members (src/platform/extensions.c) ---- */

enum pgd_platform_member {
	PGD_PM_FUNCTION, /* function or procedure, by name */
	PGD_PM_TYPE,     /* base, composite or enum type */
	PGD_PM_OPCLASS,  /* operator class, by name (any access method) */
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

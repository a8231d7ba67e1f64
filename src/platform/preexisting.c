/*
 * preexisting.c - the objects a Supabase project has before the first
 * migration runs, as fixtures/supabase/stub.sql gives them to vanilla
 * PostgreSQL: the tables and schemas a DO block's catalog query or regclass
 * cast sees although no migration made them, and the roles pg_roles lists.
 * Pure data: the answers point into static tables and are never freed.
 */
#include "pgdrift/platform.h"
#include "pgdrift/alloc.h"

static const struct pgd_platform_rel tables[] = {
	{ "auth", "users" }, { "storage", "buckets" }, { "storage", "objects" },
};

static const char *const schemas[] = { "extensions", "auth", "storage" };

/* the stub's roles, then the predefined roles migrations grant and test:
 * name, superuser, login, bypassrls */
static const struct pgd_platform_role_attrs roles[] = {
	{ "postgres", true, true, true },
	{ "anon", false, false, false },
	{ "authenticated", false, false, false },
	{ "authenticator", false, true, false },
	{ "service_role", false, false, true },
	{ "supabase_admin", true, false, false },
	{ "supabase_auth_admin", false, false, false },
	{ "supabase_storage_admin", false, false, false },
	{ "pg_read_all_data", false, false, false },
	{ "pg_write_all_data", false, false, false },
};

const struct pgd_platform_rel *pgd_platform_preexisting_tables(size_t *n)
{
	*n = PGD_ARRAY_SIZE(tables);
	return tables;
}

const char *const *pgd_platform_preexisting_schemas(size_t *n)
{
	*n = PGD_ARRAY_SIZE(schemas);
	return schemas;
}

const struct pgd_platform_role_attrs *pgd_platform_preexisting_roles(size_t *n)
{
	*n = PGD_ARRAY_SIZE(roles);
	return roles;
}

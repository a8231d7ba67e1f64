/*
 * roles.c - the platform profile's names and roles: which platform, which
 * era, who runs the migrations, which roles the API uses and how they are
 * related (Supabase: authenticator is a member of anon, authenticated and
 * service_role and switches to them per request).
 */
#include <string.h>

#include "pgdrift/platform.h"
#include "pgdrift/strbuf.h"

int pgd_platform_parse(const char *name, enum pgd_platform *out)
{
	if (!strcmp(name, "supabase"))
		*out = PGD_PLATFORM_SUPABASE;
	else if (!strcmp(name, "none"))
		*out = PGD_PLATFORM_NONE;
	else
		return -1;
	return 0;
}

int pgd_platform_era_parse(const char *s, int *out)
{
	if (!strcmp(s, "2025"))
		*out = 2025;
	else if (!strcmp(s, "2026"))
		*out = 2026;
	else
		return -1;
	return 0;
}

const char *pgd_platform_name(enum pgd_platform p)
{
	return p == PGD_PLATFORM_NONE ? "none" : "supabase";
}

char *pgd_platform_describe(const struct pgd_platform_profile *p)
{
	if (p->platform == PGD_PLATFORM_NONE)
		return pgd_xstrdup("platform none");
	return pgd_xasprintf("platform supabase, era %d%s", p->era,
			     p->db ? ", platform roles' default privileges from the database"
				   : "");
}

const char *pgd_platform_migration_role(const struct pgd_platform_profile *p)
{
	(void)p; /* the Supabase CLI's role, and initdb's default superuser */
	return "postgres";
}

bool pgd_platform_has_schema(const struct pgd_platform_profile *p,
			     const char *name)
{
	if (!strcmp(name, "public"))
		return true;
	return p->platform == PGD_PLATFORM_SUPABASE && pgd_schema_is_platform(name) &&
	       strncmp(name, "pg_", 3) != 0;
}

bool pgd_platform_is_api_role(const char *name)
{
	return !strcmp(name, "anon") || !strcmp(name, "authenticated") ||
	       !strcmp(name, "public");
}

static struct pgd_role *role(struct pgd_schema *m, const char *name,
			     bool superuser, bool bypassrls, bool inherit)
{
	struct pgd_role *r = pgd_schema_find_role(m, name);
	if (!r)
		r = pgd_schema_add_role(m, name);
	r->superuser = superuser;
	r->bypassrls = bypassrls;
	r->inherit = inherit;
	return r;
}

void pgd_platform_add_roles(struct pgd_schema *m,
			    const struct pgd_platform_profile *p)
{
	if (p->platform != PGD_PLATFORM_SUPABASE)
		return;
	role(m, "anon", false, false, false);
	role(m, "authenticated", false, false, false);
	role(m, "service_role", false, true, false);
	role(m, "postgres", false, true, true);
	role(m, "supabase_admin", true, true, true);
	struct pgd_role *a = role(m, "authenticator", false, false, false);
	static const char *const members[] = { "anon", "authenticated", "service_role" };
	const char **v = pgd_schema_alloc(m, sizeof(members));
	for (size_t i = 0; i < PGD_ARRAY_SIZE(members); i++)
		v[i] = pgd_schema_strdup(m, members[i]);
	a->member_of = v;
	a->nmember_of = PGD_ARRAY_SIZE(members);
}

/*
 * privileges.c - the platform's default privileges: what a plain CREATE
 * in a migration is granted before any GRANT of its own.
 *
 * Supabase (era 2025): for both postgres and supabase_admin, in schema
 * public, anon, authenticated and service_role get ALL on new tables and
 * sequences and EXECUTE on new functions; PUBLIC keeps the built-in
 * EXECUTE on new functions (only a schema-less ALTER DEFAULT PRIVILEGES
 * takes it away). Era 2026 (new projects from 2026-05-30, existing ones
 * from 2026-10-30): postgres's new public tables are no longer exposed;
 * like the CLI's auto_expose_new_tables = false, only SELECT, INSERT,
 * UPDATE and DELETE leave the default and TRUNCATE, REFERENCES, TRIGGER
 * (and MAINTAIN from 17) stay. supabase_admin's entries cannot be changed
 * by users and stay as they were.
 *
 * With a database model (--db), the default privileges of the platform's
 * own roles other than the migration role are taken from its
 * pg_default_acl instead: the database knows better than any era. The
 * migration role's come from the era, so that a hand-made ALTER DEFAULT
 * PRIVILEGES on the database is still drift (PGD198).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/platform.h"
#include "pgdrift/strbuf.h"

static const char *const api_roles[] = { "anon", "authenticated", "service_role" };
static const char *const owners[] = { "postgres", "supabase_admin" };

static void grant_api(struct pgd_schema *m, const char *owner, char objtype,
		      unsigned privs)
{
	struct pgd_default_acl *d = pgd_schema_default_acl(m, owner, "public", objtype);
	for (size_t i = 0; i < PGD_ARRAY_SIZE(api_roles); i++)
		pgd_acl_grant(m, &d->acl, api_roles[i], privs, 0);
	d->platform = true;
}

/* Copies role's pg_default_acl entries from db; false when it has none. */
static bool copy_from_db(struct pgd_schema *m, const struct pgd_schema *db,
			 const char *owner)
{
	bool any = false;
	for (size_t i = 0; i < db->ndefault_acls; i++) {
		const struct pgd_default_acl *s = db->default_acls[i];
		if (strcmp(s->role, owner))
			continue;
		struct pgd_default_acl *d = pgd_schema_default_acl(m, owner, s->schema,
								   s->objtype);
		pgd_acl_copy(m, &d->acl, &s->acl);
		d->platform = true;
		any = true;
	}
	return any;
}

void pgd_platform_seed_privileges(struct pgd_schema *m,
				  const struct pgd_platform_profile *p)
{
	m->server_major = p->server_major ? p->server_major : 15;
	m->platform = pgd_schema_strdup(m, pgd_platform_name(p->platform));
	if (p->platform != PGD_PLATFORM_SUPABASE)
		return;
	char era[8];
	snprintf(era, sizeof(era), "%d", p->era);
	m->platform_era = pgd_schema_strdup(m, era);
	const char *runner = pgd_platform_migration_role(p);
	for (size_t o = 0; o < PGD_ARRAY_SIZE(owners); o++) {
		const char *owner = owners[o];
		if (p->db && strcmp(owner, runner) && copy_from_db(m, p->db, owner))
			continue;
		unsigned tables = pgd_acl_all(PGD_ACL_TABLE, m->server_major);
		if (p->era >= 2026 && !strcmp(owner, runner))
			tables &= ~(PGD_PRIV_SELECT | PGD_PRIV_INSERT | PGD_PRIV_UPDATE |
				    PGD_PRIV_DELETE);
		grant_api(m, owner, PGD_ACL_TABLE, tables);
		grant_api(m, owner, PGD_ACL_SEQUENCE,
			  pgd_acl_all(PGD_ACL_SEQUENCE, m->server_major));
		grant_api(m, owner, PGD_ACL_FUNCTION, PGD_PRIV_EXECUTE);
	}
}

void pgd_platform_print(const struct pgd_platform_profile *p,
			struct pgd_strbuf *out)
{
	char *d = pgd_platform_describe(p);
	pgd_strbuf_addf(out, "-- %s\n", d);
	free(d);
}

void pgd_platform_adopt_db(struct pgd_schema *exp, const struct pgd_schema *db,
			   const struct pgd_platform_profile *p)
{
	if (!db->server_major)
		return;
	/* exp keeps the server it was replayed for: when db is 17 or newer
	 * and exp older, the diff leaves MAINTAIN out (which grants came from
	 * ALL cannot be told after a REVOKE), and the model stays shared by
	 * every database of a fleet */
	if (p->platform != PGD_PLATFORM_SUPABASE)
		return;
	const char *runner = pgd_platform_migration_role(p);
	for (size_t o = 0; o < PGD_ARRAY_SIZE(owners); o++) {
		if (!strcmp(owners[o], runner))
			continue;
		bool any = false;
		for (size_t i = 0; i < db->ndefault_acls && !any; i++)
			any = !strcmp(db->default_acls[i]->role, owners[o]);
		if (!any)
			continue;
		/* the platform's entries for this role give way to the database's */
		for (size_t i = 0; i < exp->ndefault_acls; i++) {
			struct pgd_default_acl *d = exp->default_acls[i];
			if (!strcmp(d->role, owners[o]) && d->platform)
				pgd_acl_clear(&d->acl);
		}
		copy_from_db(exp, db, owners[o]);
	}
}

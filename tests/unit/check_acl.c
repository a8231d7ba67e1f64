/*
 * check_acl.c - access control lists in the model: the server's aclitem[]
 * text, grant/revoke with grant option, owner changes, default privileges
 * (global entries replace the built-in default, per-schema ones add to it),
 * role reach, and the platform profile's starting state.
 */
#include <check.h>
#include <string.h>

#include "pgdrift/diff.h"
#include "pgdrift/platform.h"
#include "pgdrift/schema.h"
#include "pgdrift/strbuf.h"
#include "unit.h"

static char *acl_text(const struct pgd_acl *acl)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	for (size_t i = 0; i < acl->n; i++) {
		pgd_strbuf_addf(&sb, "%s%s=", i ? "; " : "", acl->v[i].grantee);
		pgd_privs_text(&sb, acl->v[i].privs, acl->v[i].grantable);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

#define ACL_IS(acl, want)                                        \
	do {                                                     \
		pgd_acl_sort(acl);                               \
		char *got_ = acl_text(acl);                      \
		ck_assert_str_eq(got_, want);                    \
		free(got_);                                      \
	} while (0)

START_TEST(parse_server_text)
{
	struct pgd_schema *m = pgd_schema_new();
	struct pgd_acl a = { 0 };
	ck_assert_int_eq(pgd_acl_parse(m, &a,
		"{postgres=arwdDxtm/postgres,=X/postgres,anon=r*w/postgres,"
		"\"\\\"we ird\\\"=U/postgres\",\"\\\"a\\\"\\\"b=c\\\"=C/postgres\"}"), 0);
	ck_assert(a.known);
	ACL_IS(&a, "a\"b=c=CREATE; anon=SELECT*, UPDATE; postgres=SELECT, INSERT, "
		   "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER, MAINTAIN; "
		   "public=EXECUTE; we ird=USAGE");
	struct pgd_acl b = { 0 };
	ck_assert_int_eq(pgd_acl_parse(m, &b, "{}"), 0);
	ck_assert(b.known);
	ck_assert_uint_eq(b.n, 0);
	struct pgd_acl c = { 0 };
	ck_assert_int_eq(pgd_acl_parse(m, &c, "{anon=r}"), -1); /* no grantor */
	ck_assert_int_eq(pgd_acl_parse(m, &c, "{\"anon=r/x}"), -1);
	pgd_schema_free(m);
}
END_TEST

START_TEST(grant_revoke_option)
{
	struct pgd_schema *m = pgd_schema_new();
	struct pgd_acl a = { 0 };
	pgd_acl_grant(m, &a, "anon", PGD_PRIV_SELECT | PGD_PRIV_UPDATE, PGD_PRIV_SELECT);
	ACL_IS(&a, "anon=SELECT*, UPDATE");
	pgd_acl_revoke(&a, "anon", PGD_PRIV_SELECT, true); /* GRANT OPTION FOR */
	ACL_IS(&a, "anon=SELECT, UPDATE");
	pgd_acl_revoke(&a, "anon", PGD_PRIV_SELECT | PGD_PRIV_UPDATE, false);
	ACL_IS(&a, "");
	pgd_acl_revoke(&a, "nobody", PGD_PRIV_SELECT, false);
	ACL_IS(&a, "");
	pgd_schema_free(m);
}
END_TEST

START_TEST(owner_change_moves_entry)
{
	struct pgd_schema *m = pgd_schema_new();
	struct pgd_acl a = { 0 };
	pgd_acl_set_builtin(m, &a, PGD_ACL_TABLE, "postgres", 15);
	pgd_acl_grant(m, &a, "anon", PGD_PRIV_SELECT, 0);
	pgd_acl_new_owner(m, &a, "postgres", "anon");
	ACL_IS(&a, "anon=SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER");
	pgd_schema_free(m);
}
END_TEST

START_TEST(all_by_version)
{
	ck_assert_uint_eq(pgd_acl_all(PGD_ACL_TABLE, 15), PGD_PRIV_ALL);
	ck_assert_uint_eq(pgd_acl_all(PGD_ACL_TABLE, 17), PGD_PRIV_ALL | PGD_PRIV_MAINTAIN);
	ck_assert_uint_eq(pgd_acl_all(PGD_ACL_SEQUENCE, 17),
			  PGD_PRIV_USAGE | PGD_PRIV_SELECT | PGD_PRIV_UPDATE);
	ck_assert_uint_eq(pgd_priv_parse("maintain"), PGD_PRIV_MAINTAIN);
	ck_assert_uint_eq(pgd_priv_parse("connect"), 0);
}
END_TEST

START_TEST(default_privileges)
{
	struct pgd_schema *m = pgd_schema_new();
	struct pgd_acl a = { 0 };
	/* nothing said: the built-in default */
	pgd_schema_new_object_acl(m, &a, "postgres", "public", PGD_ACL_FUNCTION);
	ACL_IS(&a, "postgres=EXECUTE; public=EXECUTE");
	/* a global entry replaces it; a per-schema one adds to it */
	struct pgd_default_acl *g = pgd_schema_default_acl(m, "postgres", NULL,
							   PGD_ACL_FUNCTION);
	ck_assert(pgd_default_acl_is_noop(m, g));
	pgd_acl_revoke(&g->acl, "public", PGD_PRIV_EXECUTE, false);
	ck_assert(!pgd_default_acl_is_noop(m, g));
	struct pgd_default_acl *s = pgd_schema_default_acl(m, "postgres", "public",
							   PGD_ACL_FUNCTION);
	ck_assert(pgd_default_acl_is_noop(m, s));
	pgd_acl_grant(m, &s->acl, "anon", PGD_PRIV_EXECUTE, 0);
	pgd_schema_new_object_acl(m, &a, "postgres", "public", PGD_ACL_FUNCTION);
	ACL_IS(&a, "anon=EXECUTE; postgres=EXECUTE");
	pgd_schema_new_object_acl(m, &a, "postgres", "app", PGD_ACL_FUNCTION);
	ACL_IS(&a, "postgres=EXECUTE");
	/* another owner's objects are not touched */
	pgd_schema_new_object_acl(m, &a, "alice", "public", PGD_ACL_FUNCTION);
	ACL_IS(&a, "alice=EXECUTE; public=EXECUTE");
	pgd_schema_free(m);
}
END_TEST

START_TEST(platform_eras)
{
	struct pgd_platform_profile p = PGD_PLATFORM_PROFILE_INIT;
	struct pgd_schema *m = pgd_schema_new();
	pgd_platform_seed_privileges(m, &p);
	struct pgd_acl a = { 0 };
	pgd_schema_new_object_acl(m, &a, "postgres", "public", PGD_ACL_TABLE);
	ck_assert_uint_eq(pgd_acl_find(&a, "anon")->privs, PGD_PRIV_ALL);
	ck_assert_str_eq(m->platform_era, "2025");
	pgd_schema_free(m);
	a = (struct pgd_acl){ 0 };

	p.era = 2026;
	p.server_major = 17;
	m = pgd_schema_new();
	pgd_platform_seed_privileges(m, &p);
	pgd_schema_new_object_acl(m, &a, "postgres", "public", PGD_ACL_TABLE);
	ck_assert_uint_eq(pgd_acl_find(&a, "anon")->privs,
			  PGD_PRIV_TRUNCATE | PGD_PRIV_REFERENCES | PGD_PRIV_TRIGGER |
			  PGD_PRIV_MAINTAIN);
	/* supabase_admin's entries are the platform's and stay */
	pgd_schema_new_object_acl(m, &a, "supabase_admin", "public", PGD_ACL_TABLE);
	ck_assert_uint_eq(pgd_acl_find(&a, "anon")->privs, PGD_PRIV_ALL | PGD_PRIV_MAINTAIN);
	/* functions keep PUBLIC's EXECUTE */
	pgd_schema_new_object_acl(m, &a, "postgres", "public", PGD_ACL_FUNCTION);
	ck_assert_ptr_nonnull(pgd_acl_find(&a, "public"));
	pgd_schema_free(m);
	a = (struct pgd_acl){ 0 };

	p.platform = PGD_PLATFORM_NONE;
	m = pgd_schema_new();
	pgd_platform_seed_privileges(m, &p);
	ck_assert_uint_eq(m->ndefault_acls, 0);
	ck_assert_str_eq(pgd_platform_migration_role(&p), "postgres");
	pgd_schema_free(m);
}
END_TEST

START_TEST(role_reach)
{
	struct pgd_platform_profile p = PGD_PLATFORM_PROFILE_INIT;
	struct pgd_schema *m = pgd_schema_new();
	pgd_platform_add_roles(m, &p);
	ck_assert(pgd_schema_role_has(m, "anon", "public"));
	ck_assert(pgd_schema_role_has(m, "anon", "anon"));
	ck_assert(!pgd_schema_role_has(m, "anon", "authenticated"));
	/* authenticator does not inherit, but may SET ROLE to the API roles */
	ck_assert(pgd_schema_role_has(m, "authenticator", "anon"));
	struct pgd_role *r = pgd_schema_add_role(m, "reader_member");
	const char *of[] = { "reader" };
	r->member_of = of;
	r->nmember_of = 1;
	ck_assert(pgd_schema_role_has(m, "reader_member", "reader"));
	pgd_schema_free(m);
}
END_TEST

/* ALL on PostgreSQL 17 gives MAINTAIN, also to a default-privileges grant
 * later narrowed by REVOKE: against an expected model built for 15, the
 * diff leaves MAINTAIN out on both sides, and still finds what else
 * changed. */
START_TEST(maintain_from_all_on_17)
{
	struct pgd_schema *e = pgd_schema_new(), *a = pgd_schema_new();
	e->server_major = 15;
	a->server_major = 17;
	struct pgd_table *et = pgd_schema_add_table(e, "public", "t");
	struct pgd_table *at = pgd_schema_add_table(a, "public", "t");
	struct pgd_table *ev = pgd_schema_add_table(e, "public", "v");
	struct pgd_table *av = pgd_schema_add_table(a, "public", "v");
	struct pgd_table *eu = pgd_schema_add_table(e, "public", "u");
	struct pgd_table *au = pgd_schema_add_table(a, "public", "u");
	unsigned narrowed = PGD_PRIV_TRUNCATE | PGD_PRIV_REFERENCES | PGD_PRIV_TRIGGER;
	pgd_acl_grant(e, &et->acl, "anon", PGD_PRIV_ALL, 0);
	pgd_acl_grant(a, &at->acl, "anon", PGD_PRIV_ALL | PGD_PRIV_MAINTAIN, 0);
	pgd_acl_grant(e, &ev->acl, "anon", narrowed, 0);
	pgd_acl_grant(a, &av->acl, "anon", narrowed | PGD_PRIV_MAINTAIN, 0);
	pgd_acl_grant(e, &eu->acl, "anon", PGD_PRIV_SELECT, 0);
	pgd_acl_grant(a, &au->acl, "anon",
		      PGD_PRIV_SELECT | PGD_PRIV_INSERT | PGD_PRIV_MAINTAIN, 0);
	struct pgd_findings f = PGD_FINDINGS_INIT;
	pgd_diff(e, a, NULL, &f);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_str_eq(f.v[0].rule->name, "grant_unexpected");
	ck_assert_str_eq(f.v[0].object, "public.u");
	ck_assert_int_eq(f.v[0].severity, PGD_SEV_ERROR);
	ck_assert_ptr_null(strstr(f.v[0].actual, "MAINTAIN"));
	ck_assert_ptr_nonnull(strstr(f.v[0].actual, "INSERT"));
	pgd_findings_release(&f);
	pgd_schema_free(e);
	pgd_schema_free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("acl");
	tcase_add_test(tc, parse_server_text);
	tcase_add_test(tc, grant_revoke_option);
	tcase_add_test(tc, owner_change_moves_entry);
	tcase_add_test(tc, all_by_version);
	tcase_add_test(tc, default_privileges);
	tcase_add_test(tc, platform_eras);
	tcase_add_test(tc, role_reach);
	tcase_add_test(tc, maintain_from_all_on_17);
	suite_add_tcase(s, tc);
	return pgd_run_suite(s);
}

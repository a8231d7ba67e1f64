/*
 * ddl_policy.c - CREATE POLICY and ALTER POLICY replay.
 */
#include <string.h>

#include "replay.h"

/* ---- policies */

static enum pgd_polcmd polcmd(const char *name)
{
	if (!name || !strcmp(name, "all"))
		return PGD_POL_ALL;
	if (!strcmp(name, "select"))
		return PGD_POL_SELECT;
	if (!strcmp(name, "insert"))
		return PGD_POL_INSERT;
	if (!strcmp(name, "update"))
		return PGD_POL_UPDATE;
	return PGD_POL_DELETE;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The roles of a policy as pg_policy stores them: PUBLIC alone when it is
 * named at all (policy_role_list_to_array() drops the others, with a
 * warning), CURRENT_USER and the like as the role the migrations run as,
 * each role once.
 */
static void set_roles(struct replay *r, struct pgd_policy *p,
		      PgQuery__Node **roles, size_t n)
{
	const char **v = pgd_schema_alloc(r->m, (n ? n : 1) * sizeof(*v));
	size_t k = 0;
	bool public = false;
	for (size_t i = 0; i < n; i++) {
		PgQuery__RoleSpec *rs = roles[i]->role_spec;
		if (!rs)
			continue;
		const char *name;
		if (rs->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC) {
			public = true;
			continue;
		} else if (rs->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING) {
			name = pgd_schema_strdup(r->m, rs->rolename);
		} else {
			/* CURRENT_USER, CURRENT_ROLE, SESSION_USER */
			name = r->opts->role ? pgd_schema_strdup(r->m, r->opts->role)
					     : "postgres";
		}
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = strcmp(v[j], name) == 0;
		if (!dup)
			v[k++] = name;
	}
	if (public)
		k = 0;
	if (!k)
		v[k++] = "public";
	if (public && n > 1)
		rp_warn(r, -1, "ignoring specified roles other than PUBLIC");
	qsort(v, k, sizeof(*v), cmp_str);
	p->roles = v;
	p->nroles = k;
}

/* CreatePolicy()'s and AlterPolicy()'s checks of which expressions a
 * command may have (their messages differ). */
static bool policy_exprs_ok(struct replay *r, enum pgd_polcmd cmd, bool has_using,
			    bool has_check, bool alter)
{
	if (has_check && (cmd == PGD_POL_SELECT || cmd == PGD_POL_DELETE)) {
		rp_error(r, -1, alter ? "only USING expression allowed for SELECT, DELETE"
				      : "WITH CHECK cannot be applied to SELECT or DELETE");
		return false;
	}
	if (has_using && cmd == PGD_POL_INSERT) {
		rp_error(r, -1, "only WITH CHECK expression allowed for INSERT");
		return false;
	}
	return true;
}

/* A policy expression's canonical text, its RLS facts noted from the
 * canonical tree (the review reads them by the text). */
static const char *policy_expr(struct replay *r, struct pgd_table *t, PgQuery__Node **e)
{
	const char *text = rp_expr(r, t, e);
	if (text)
		pgd_norm_facts_note(*e, text);
	return text;
}

void rp_create_policy(struct replay *r, PgQuery__CreatePolicyStmt *s)
{
	struct pgd_table *t = rp_table_for(r, s->table);
	if (!t)
		return;
	if (pgd_table_find_policy(t, s->policy_name)) {
		rp_error(r, -1, "policy \"%s\" for table \"%s\" already exists",
			 s->policy_name, t->obj.name);
		return;
	}
	if (!policy_exprs_ok(r, polcmd(s->cmd_name), s->qual != NULL,
			     s->with_check != NULL, false))
		return;
	struct pgd_policy *p = pgd_table_add_policy(r->m, t, s->policy_name);
	p->obj.created = r->src;
	p->cmd = polcmd(s->cmd_name);
	p->permissive = s->permissive;
	set_roles(r, p, s->roles, s->n_roles);
	if (s->qual)
		p->using_expr = policy_expr(r, t, &s->qual);
	if (s->with_check)
		p->check_expr = policy_expr(r, t, &s->with_check);
}

void rp_alter_policy(struct replay *r, PgQuery__AlterPolicyStmt *s)
{
	struct pgd_table *t = rp_table_for(r, s->table);
	if (!t)
		return;
	struct pgd_policy *p = pgd_table_find_policy(t, s->policy_name);
	if (!p) {
		rp_error(r, -1, "policy \"%s\" for table \"%s\" does not exist",
			 s->policy_name, t->obj.name);
		return;
	}
	if (!policy_exprs_ok(r, p->cmd, s->qual != NULL, s->with_check != NULL, true))
		return;
	if (s->n_roles)
		set_roles(r, p, s->roles, s->n_roles);
	if (s->qual)
		p->using_expr = policy_expr(r, t, &s->qual);
	if (s->with_check)
		p->check_expr = policy_expr(r, t, &s->with_check);
	rp_touch(r, &p->obj);
}

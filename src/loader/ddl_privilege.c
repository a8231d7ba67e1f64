/*
 * ddl_privilege.c - GRANT and REVOKE on tables and functions, and
 * ALTER ... OWNER TO.
 */
#include <string.h>

#include "replay.h"

/* ---- grants */

static unsigned priv_bits(PgQuery__Node **privs, size_t n)
{
	if (!n)
		return PGD_PRIV_ALL;
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++) {
		PgQuery__AccessPriv *ap = privs[i]->access_priv;
		if (!ap || !ap->priv_name)
			continue;
		if (ap->n_cols)
			continue; /* column privileges are not table privileges */
		const char *p = ap->priv_name;
		if (!strcmp(p, "select")) bits |= PGD_PRIV_SELECT;
		else if (!strcmp(p, "insert")) bits |= PGD_PRIV_INSERT;
		else if (!strcmp(p, "update")) bits |= PGD_PRIV_UPDATE;
		else if (!strcmp(p, "delete")) bits |= PGD_PRIV_DELETE;
		else if (!strcmp(p, "truncate")) bits |= PGD_PRIV_TRUNCATE;
		else if (!strcmp(p, "references")) bits |= PGD_PRIV_REFERENCES;
		else if (!strcmp(p, "trigger")) bits |= PGD_PRIV_TRIGGER;
	}
	return bits;
}

static void grant_table(struct replay *r, PgQuery__GrantStmt *s,
			struct pgd_table *t, unsigned bits)
{
	for (size_t g = 0; g < s->n_grantees; g++) {
		PgQuery__RoleSpec *rs = s->grantees[g]->role_spec;
		if (!rs)
			continue;
		const char *who = rs->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC
					  ? "public" : rs->rolename;
		if (who)
			pgd_table_grant(r->m, t, who, bits, !s->is_grant);
	}
}

/* GRANT/REVOKE EXECUTE ON FUNCTION: who may call it, for the RLS review. */
static void grant_function(struct replay *r, PgQuery__GrantStmt *s)
{
	for (size_t i = 0; i < s->n_objects; i++) {
		PgQuery__ObjectWithArgs *ow = s->objects[i]->object_with_args;
		const char *schema, *name;
		if (!ow || !rp_split_names(ow->objname, ow->n_objname, &schema, &name))
			continue;
		for (size_t k = 0; k < r->m->nfunctions; k++) {
			struct pgd_function *f = r->m->functions[k];
			if (strcmp(f->obj.name, name) ||
			    (schema && strcmp(f->obj.schema, schema)))
				continue;
			for (size_t g = 0; g < s->n_grantees; g++) {
				PgQuery__RoleSpec *rs = s->grantees[g]->role_spec;
				const char *who = !rs ? NULL
					: rs->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC
					? "public" : rs->rolename;
				if (!who)
					continue;
				size_t at = f->nexec_roles;
				for (size_t x = 0; x < f->nexec_roles; x++)
					if (!strcmp(f->exec_roles[x], who))
						at = x;
				if (s->is_grant && at == f->nexec_roles) {
					const char **v = pgd_schema_alloc(r->m,
						(f->nexec_roles + 1) * sizeof(*v));
					PGD_COPY(v, f->exec_roles, f->nexec_roles * sizeof(*v));
					v[f->nexec_roles++] = pgd_schema_strdup(r->m, who);
					f->exec_roles = v;
				} else if (!s->is_grant && at < f->nexec_roles) {
					memmove(&f->exec_roles[at], &f->exec_roles[at + 1],
						(f->nexec_roles - at - 1) * sizeof(char *));
					f->nexec_roles--;
				}
			}
		}
	}
}

void rp_grant(struct replay *r, PgQuery__GrantStmt *s)
{
	if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION &&
	    s->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_OBJECT) {
		grant_function(r, s);
		return;
	}
	if (s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		return; /* schema and sequence privileges: not modeled */
	unsigned bits = priv_bits(s->privileges, s->n_privileges);
	if (s->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_ALL_IN_SCHEMA) {
		for (size_t i = 0; i < s->n_objects; i++) {
			const char *schema = pgd_pgq_str(s->objects[i]);
			for (size_t k = 0; schema && k < r->m->ntables; k++)
				if (!strcmp(r->m->tables[k]->obj.schema, schema))
					grant_table(r, s, r->m->tables[k], bits);
		}
		return;
	}
	for (size_t i = 0; i < s->n_objects; i++) {
		PgQuery__Node *o = s->objects[i];
		if (o->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
			continue;
		struct pgd_table *t = rp_table(r, o->range_var, true);
		if (t)
			grant_table(r, s, t, bits);
		/* grants on views and platform tables are not modeled */
	}
}

void rp_alter_owner(struct replay *r, PgQuery__AlterOwnerStmt *s)
{
	(void)r;
	(void)s; /* owners of non-table objects are not modeled */
}

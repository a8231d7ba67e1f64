/*
 * ddl_privilege.c - who may do what: GRANT and REVOKE on tables, views,
 * sequences, columns, functions and procedures, schemas and types (WITH
 * GRANT OPTION, GRANT OPTION FOR, ALL ... IN SCHEMA), ALTER DEFAULT
 * PRIVILEGES, ALTER ... OWNER TO, GRANT role TO role; and the owner and
 * starting ACL of every object a statement creates (rp_init_fresh), from
 * the platform profile's default privileges as the migrations have left
 * them.
 */
#include <string.h>

#include "pgdrift/platform.h"
#include "replay.h"

/* The role the statements run as: --role, else the platform's migration
 * role (NULL without a platform: owners unknown). */
static const char *current_role(const struct replay *r)
{
	return r->opts->role ? r->opts->role : pgd_platform_migration_role(rp_profile(r));
}

void rp_platform_start(struct replay *r)
{
	pgd_platform_add_roles(r->m, rp_profile(r));
	pgd_platform_seed_privileges(r->m, rp_profile(r));
	r->m->track_fresh = true;
}

/* ---- new objects: owner and default privileges */

static void init_object(struct replay *r, struct pgd_object *o)
{
	const char **owner;
	struct pgd_acl *acl;
	char acltype;
	if (!pgd_object_access(o, &owner, &acl, &acltype) || acl->known)
		return;
	if (o->kind == PGD_TABLE && ((struct pgd_table *)o)->external)
		return;
	if (o->kind == PGD_SCHEMA && !((struct pgd_namespace *)o)->created)
		return;
	/* a schema's AUTHORIZATION named its owner already */
	if (o->kind != PGD_SCHEMA || !*owner)
		*owner = pgd_schema_strdup(r->m, current_role(r));
	pgd_schema_new_object_acl(r->m, acl, *owner,
				  o->kind == PGD_SCHEMA ? NULL : o->schema, acltype);
}

void rp_init_fresh(struct replay *r)
{
	struct pgd_schema *m = r->m;
	for (size_t i = 0; i < m->nfresh; i++)
		init_object(r, m->fresh[i]);
	m->nfresh = 0;
}

/* ---- grants */

/* The type or domain a GRANT / ALTER ... OWNER names (a name list,
 * resolved on the search_path), or NULL. */
static struct pgd_type *type_named(struct replay *r, const PgQuery__Node *o)
{
	const char *schema = NULL, *name = NULL;
	if (o->node_case != PG_QUERY__NODE__NODE_LIST ||
	    !rp_split_names(o->list->items, o->list->n_items, &schema, &name))
		return NULL;
	if (schema)
		return pgd_schema_find_type(r->m, schema, name);
	for (size_t k = 0; k < r->nsearch_path; k++) {
		struct pgd_type *ty = pgd_schema_find_type(r->m, r->search_path[k], name);
		if (ty)
			return ty;
	}
	return NULL;
}

static const char *grantee_name(struct replay *r, const PgQuery__RoleSpec *rs)
{
	if (!rs)
		return NULL;
	switch (rs->roletype) {
	case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC:
		return "public";
	case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING:
		return rs->rolename;
	default: /* CURRENT_USER, CURRENT_ROLE, SESSION_USER */
		return current_role(r);
	}
}

/* Privilege bits an AccessPriv list names for an object of objtype (ALL
 * when the list is empty); column privileges are left to columns. */
static unsigned priv_bits(struct replay *r, PgQuery__Node **privs, size_t n,
			  char objtype, bool with_columns)
{
	if (!n)
		return pgd_acl_all(objtype, r->m->server_major);
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++) {
		PgQuery__AccessPriv *ap = privs[i]->access_priv;
		if (!ap)
			continue;
		if (ap->n_cols != 0 && !with_columns)
			continue;
		if (!ap->priv_name) { /* ALL (cols) */
			bits |= pgd_acl_all(with_columns ? PGD_ACL_COLUMN : objtype,
					    r->m->server_major);
			continue;
		}
		unsigned b = pgd_priv_parse(ap->priv_name);
		if (!b)
			rp_warn(r, -1, "privilege \"%s\" is not modeled", ap->priv_name);
		bits |= b;
	}
	return bits & pgd_acl_all(with_columns ? PGD_ACL_COLUMN : objtype,
				  r->m->server_major);
}

static void apply(struct replay *r, PgQuery__GrantStmt *s, struct pgd_acl *acl,
		  unsigned bits)
{
	if (!bits)
		return;
	for (size_t g = 0; g < s->n_grantees; g++) {
		const char *who = grantee_name(r, s->grantees[g]->role_spec);
		if (!who)
			continue;
		if (s->is_grant)
			pgd_acl_grant(r->m, acl, who, bits, s->grant_option ? bits : 0);
		else
			pgd_acl_revoke(acl, who, bits, s->grant_option);
	}
	acl->known = true;
	acl->src = r->src;
}

/* Column privileges of a GRANT on a table: SELECT (a, b), UPDATE (c). */
static void grant_columns(struct replay *r, PgQuery__GrantStmt *s,
			  struct pgd_table *t)
{
	for (size_t i = 0; i < s->n_privileges; i++) {
		PgQuery__AccessPriv *ap = s->privileges[i]->access_priv;
		if (!ap || !ap->n_cols)
			continue;
		unsigned b = ap->priv_name ? pgd_priv_parse(ap->priv_name)
					   : pgd_acl_all(PGD_ACL_COLUMN, 0);
		for (size_t k = 0; k < ap->n_cols; k++) {
			const char *cn = pgd_pgq_str(ap->cols[k]);
			struct pgd_column *c = cn ? pgd_table_find_column(t, cn) : NULL;
			if (!c) {
				if (t->columns_unknown)
					rp_unmodeled(r, "GRANT", "the table's columns are not known");
				else
					rp_error(r, -1, "column \"%s\" of relation \"%s\" does not exist",
						 cn ? cn : "?", t->obj.name);
				return;
			}
			apply(r, s, &c->acl, b & pgd_acl_all(PGD_ACL_COLUMN, 0));
		}
	}
}

/* GRANT ... ON [TABLE] rel: a table, view or sequence by that name. */
static void grant_relation(struct replay *r, PgQuery__GrantStmt *s,
			   PgQuery__RangeVar *rv, bool sequence_only)
{
	const char *schema = rv->schemaname && *rv->schemaname ? rv->schemaname : NULL;
	struct pgd_object *o = NULL;
	if (schema)
		o = pgd_schema_find_rel(r->m, schema, rv->relname);
	else
		for (size_t i = 0; i < r->nsearch_path && !o; i++)
			o = pgd_schema_find_rel(r->m, r->search_path[i], rv->relname);
	if (!o) {
		/* a platform table (storage.objects) is not modeled; another one
		 * was made by something the replay did not model (dynamic SQL) */
		if (!(schema && pgd_schema_is_platform(schema)))
			rp_unmodeled(r, "GRANT", "the relation is not one the replay knows");
		return;
	}
	if (o->kind == PGD_TABLE && !sequence_only) {
		struct pgd_table *t = (struct pgd_table *)o;
		if (t->external)
			return;
		apply(r, s, &t->acl, priv_bits(r, s->privileges, s->n_privileges,
					       PGD_ACL_TABLE, false));
		grant_columns(r, s, t);
	} else if (o->kind == PGD_VIEW && !sequence_only) {
		struct pgd_view *v = (struct pgd_view *)o;
		apply(r, s, &v->acl, priv_bits(r, s->privileges, s->n_privileges,
					       PGD_ACL_TABLE, false));
	} else if (o->kind == PGD_SEQUENCE) {
		struct pgd_sequence *sq = (struct pgd_sequence *)o;
		apply(r, s, &sq->acl, priv_bits(r, s->privileges, s->n_privileges,
						PGD_ACL_SEQUENCE, false));
	} else if (sequence_only) {
		rp_error(r, -1, "\"%s\" is not a sequence", rv->relname);
	} else {
		rp_unmodeled(r, "GRANT", "privileges on this kind of relation are not modeled");
	}
}

/* The functions an ObjectWithArgs names: one overload, or every one of
 * that name when no argument list was given. */
static void grant_routine(struct replay *r, PgQuery__GrantStmt *s,
			  PgQuery__ObjectWithArgs *ow)
{
	const char *schema, *name;
	if (!ow || !rp_split_names(ow->objname, ow->n_objname, &schema, &name))
		return;
	char *args = ow->args_unspecified ? NULL
		: rp_function_args(r, ow->objargs, ow->n_objargs, true);
	unsigned bits = priv_bits(r, s->privileges, s->n_privileges,
				  PGD_ACL_FUNCTION, false);
	if (!args) {
		/* a bare name: PostgreSQL's lookup, which rejects an overloaded one */
		bool ambiguous;
		struct pgd_function *f = rp_find_function(r, ow, &ambiguous);
		if (ambiguous) {
			rp_find_routine(r, ow); /* its error */
			return;
		}
		if (f)
			apply(r, s, &f->acl, bits);
		else if (!(schema && pgd_schema_is_platform(schema)))
			rp_unmodeled(r, "GRANT ON FUNCTION",
				     "the function is not one the migrations create");
		return;
	}
	bool found = false;
	for (size_t k = 0; k < r->m->nfunctions; k++) {
		struct pgd_function *f = r->m->functions[k];
		if (strcmp(f->obj.name, name))
			continue;
		if (schema ? strcmp(f->obj.schema, schema)
			   : !rp_in_list((const char *const *)r->search_path,
					 r->nsearch_path, f->obj.schema))
			continue;
		if (strcmp(f->args, args))
			continue;
		found = true;
		apply(r, s, &f->acl, bits);
	}
	if (!found && !(schema && pgd_schema_is_platform(schema)))
		rp_unmodeled(r, "GRANT ON FUNCTION",
			     "the function is not one the migrations create");
	free(args);
}

static void grant_in_schema(struct replay *r, PgQuery__GrantStmt *s,
			    const char *schema)
{
	struct pgd_schema *m = r->m;
	switch (s->objtype) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: {
		unsigned bits = priv_bits(r, s->privileges, s->n_privileges,
					  PGD_ACL_TABLE, false);
		for (size_t i = 0; i < m->ntables; i++)
			if (!strcmp(m->tables[i]->obj.schema, schema) &&
			    !m->tables[i]->external)
				apply(r, s, &m->tables[i]->acl, bits);
		for (size_t i = 0; i < m->nviews; i++)
			if (!strcmp(m->views[i]->obj.schema, schema))
				apply(r, s, &m->views[i]->acl, bits);
		break;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: {
		unsigned bits = priv_bits(r, s->privileges, s->n_privileges,
					  PGD_ACL_SEQUENCE, false);
		for (size_t i = 0; i < m->nsequences; i++)
			if (!strcmp(m->sequences[i]->obj.schema, schema))
				apply(r, s, &m->sequences[i]->acl, bits);
		break;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
	case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
		unsigned bits = priv_bits(r, s->privileges, s->n_privileges,
					  PGD_ACL_FUNCTION, false);
		for (size_t i = 0; i < m->nfunctions; i++) {
			struct pgd_function *f = m->functions[i];
			if (strcmp(f->obj.schema, schema))
				continue;
			if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION &&
			    f->prokind == 'p')
				continue;
			if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE &&
			    f->prokind != 'p')
				continue;
			apply(r, s, &f->acl, bits);
		}
		break;
	}
	default:
		break;
	}
}

void rp_grant(struct replay *r, PgQuery__GrantStmt *s)
{
	if (s->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_ALL_IN_SCHEMA) {
		for (size_t i = 0; i < s->n_objects; i++) {
			const char *schema = pgd_pgq_str(s->objects[i]);
			if (schema)
				grant_in_schema(r, s, schema);
		}
		return;
	}
	for (size_t i = 0; i < s->n_objects; i++) {
		PgQuery__Node *o = s->objects[i];
		switch (s->objtype) {
		case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
			if (o->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
				grant_relation(r, s, o->range_var,
					       s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
		case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE:
			grant_routine(r, s, o->object_with_args);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
			const char *name = pgd_pgq_str(o);
			struct pgd_namespace *ns = name ? pgd_schema_find_namespace(r->m, name)
							: NULL;
			if (ns && ns->created)
				apply(r, s, &ns->acl, priv_bits(r, s->privileges,
					s->n_privileges, PGD_ACL_SCHEMA, false));
			/* the platform's schemas (public, auth, ...): not modeled */
			break;
		}
		case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
		case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
			struct pgd_type *ty = type_named(r, o);
			if (ty)
				apply(r, s, &ty->acl, priv_bits(r, s->privileges,
					s->n_privileges, PGD_ACL_TYPE, false));
			break;
		}
		default:
			rp_unmodeled(r, "GRANT", "privileges on this kind of object are "
				     "not modeled");
			return;
		}
	}
}

/* ---- ALTER DEFAULT PRIVILEGES */

static char objtype_letter(PgQuery__ObjectType t)
{
	switch (t) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: return PGD_ACL_TABLE;
	case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: return PGD_ACL_SEQUENCE;
	case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
	case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: return PGD_ACL_FUNCTION;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: return PGD_ACL_TYPE;
	case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: return PGD_ACL_SCHEMA;
	default: return 0;
	}
}

void rp_alter_default_privileges(struct replay *r,
				 PgQuery__AlterDefaultPrivilegesStmt *s)
{
	PgQuery__GrantStmt *g = s->action;
	char objtype = g ? objtype_letter(g->objtype) : 0;
	if (!objtype) {
		rp_unmodeled(r, "ALTER DEFAULT PRIVILEGES", "this kind of object is not modeled");
		return;
	}
	const char *roles[64], *schemas[64];
	size_t nroles = 0, nschemas = 0;
	for (size_t i = 0; i < s->n_options; i++) {
		PgQuery__DefElem *de = s->options[i]->def_elem;
		if (!de || !de->arg || de->arg->node_case != PG_QUERY__NODE__NODE_LIST)
			continue;
		PgQuery__List *l = de->arg->list;
		for (size_t k = 0; k < l->n_items; k++) {
			if (!strcmp(de->defname, "roles") && nroles < PGD_ARRAY_SIZE(roles)) {
				const char *n = grantee_name(r, l->items[k]->role_spec);
				if (n)
					roles[nroles++] = n;
			} else if (!strcmp(de->defname, "schemas") &&
				   nschemas < PGD_ARRAY_SIZE(schemas)) {
				const char *n = pgd_pgq_str(l->items[k]);
				if (n)
					schemas[nschemas++] = n;
			}
		}
	}
	if (!nroles) {
		const char *me = current_role(r);
		if (!me) {
			rp_unmodeled(r, "ALTER DEFAULT PRIVILEGES",
				     "the role the migrations run as is unknown (--platform none)");
			return;
		}
		roles[nroles++] = me;
	}
	if (objtype == PGD_ACL_SCHEMA && nschemas) {
		rp_error(r, -1, "cannot use IN SCHEMA clause when using GRANT/REVOKE ON SCHEMAS");
		return;
	}
	unsigned bits = priv_bits(r, g->privileges, g->n_privileges, objtype, false);
	for (size_t i = 0; i < nroles; i++)
		for (size_t k = 0; k < (nschemas ? nschemas : 1); k++) {
			struct pgd_default_acl *d = pgd_schema_default_acl(r->m, roles[i],
				nschemas ? schemas[k] : NULL, objtype);
			apply(r, g, &d->acl, bits);
			d->src = r->src;
			d->platform = false;
		}
}

/* ---- owners */

static void set_owner(struct replay *r, const char **owner, struct pgd_acl *acl,
		      const char *who)
{
	const char *new_owner = pgd_schema_strdup(r->m, who);
	pgd_acl_new_owner(r->m, acl, *owner, new_owner);
	*owner = new_owner;
	acl->src = r->src;
}

void rp_change_owner(struct replay *r, struct pgd_object *o,
		     const PgQuery__RoleSpec *rs)
{
	const char *who = grantee_name(r, rs);
	if (!who)
		return;
	rp_touch(r, o);
	const char **owner;
	struct pgd_acl *acl;
	char acltype;
	if (!pgd_object_access(o, &owner, &acl, &acltype))
		return;
	set_owner(r, owner, acl, who);
	if (o->kind != PGD_TABLE)
		return;
	/* the sequences a table owns follow it (ATExecChangeOwner) */
	struct pgd_strbuf pre = PGD_STRBUF_INIT;
	rp_qualified(&pre, o->schema, o->name);
	pgd_strbuf_addch(&pre, '.');
	for (size_t i = 0; i < r->m->nsequences; i++) {
		struct pgd_sequence *sq = r->m->sequences[i];
		if (sq->owned_by && !strncmp(sq->owned_by, pre.buf, pre.len))
			set_owner(r, &sq->owner, &sq->acl, who);
	}
	pgd_strbuf_release(&pre);
}

void rp_alter_owner(struct replay *r, PgQuery__AlterOwnerStmt *s)
{
	PgQuery__Node *obj = s->object;
	if (!obj)
		return;
	switch (s->object_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: {
		const char *name = pgd_pgq_str(obj);
		struct pgd_namespace *ns = name ? pgd_schema_find_namespace(r->m, name) : NULL;
		if (ns && ns->created)
			rp_change_owner(r, &ns->obj, s->newowner);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
		struct pgd_type *ty = type_named(r, obj);
		if (ty)
			rp_change_owner(r, &ty->obj, s->newowner);
		return;
	}
	case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
	case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE: {
		struct pgd_function *f = rp_find_routine(r, obj->object_with_args);
		if (f)
			rp_change_owner(r, &f->obj, s->newowner);
		return;
	}
	default:
		return; /* owners of other objects are not modeled */
	}
}

/* ---- role memberships: GRANT role TO role */

void rp_grant_role(struct replay *r, PgQuery__GrantRoleStmt *s)
{
	for (size_t i = 0; i < s->n_grantee_roles; i++) {
		const char *member = grantee_name(r, s->grantee_roles[i]->role_spec);
		if (!member)
			continue;
		struct pgd_role *m = pgd_schema_find_role(r->m, member);
		if (!m)
			m = pgd_schema_add_role(r->m, member);
		for (size_t k = 0; k < s->n_granted_roles; k++) {
			PgQuery__AccessPriv *ap = s->granted_roles[k]->access_priv;
			if (!ap || !ap->priv_name)
				continue;
			size_t at = m->nmember_of;
			for (size_t x = 0; x < m->nmember_of; x++)
				if (!strcmp(m->member_of[x], ap->priv_name))
					at = x;
			if (s->is_grant && at == m->nmember_of) {
				const char **v = pgd_schema_alloc(r->m,
					(m->nmember_of + 1) * sizeof(*v));
				PGD_COPY(v, m->member_of, m->nmember_of * sizeof(*v));
				v[m->nmember_of++] = pgd_schema_strdup(r->m, ap->priv_name);
				m->member_of = v;
			} else if (!s->is_grant && at < m->nmember_of &&
				   !s->admin_opt /* REVOKE ADMIN OPTION FOR keeps it */) {
				memmove(&m->member_of[at], &m->member_of[at + 1],
					(m->nmember_of - at - 1) * sizeof(char *));
				m->nmember_of--;
			}
		}
	}
}

/* ALTER VIEW / MATERIALIZED VIEW / SEQUENCE ... OWNER TO (an ALTER TABLE
 * statement of another object type). */
void rp_alter_rel_owner(struct replay *r, PgQuery__AlterTableStmt *s)
{
	for (size_t i = 0; i < s->n_cmds; i++) {
		PgQuery__AlterTableCmd *cmd = s->cmds[i]->alter_table_cmd;
		if (!cmd || cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner)
			continue;
		PgQuery__RangeVar *rv = s->relation;
		const char *schema = rv->schemaname && *rv->schemaname ? rv->schemaname : NULL;
		struct pgd_object *o = NULL;
		if (schema)
			o = pgd_schema_find_rel(r->m, schema, rv->relname);
		for (size_t k = 0; !schema && !o && k < r->nsearch_path; k++)
			o = pgd_schema_find_rel(r->m, r->search_path[k], rv->relname);
		if (o && (o->kind == PGD_VIEW || o->kind == PGD_SEQUENCE))
			rp_change_owner(r, o, cmd->newowner);
	}
}

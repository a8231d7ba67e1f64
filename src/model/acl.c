/*
 * acl.c - access control lists, default privileges and role membership in
 * the model. Every array lives in the model's arena (a grown array leaves
 * its old copy there: ACLs hold a handful of entries), so nothing here
 * needs freeing apart from pgd_schema_free().
 *
 * The semantics follow PostgreSQL's acl.c: ACLs merge entries by grantee
 * (grantors are not modeled), REVOKE removes privileges together with
 * their grant option, REVOKE GRANT OPTION FOR only the option, and a new
 * owner takes over the old owner's entry (aclnewowner).
 */
#include <string.h>
#include <strings.h>

#include "pgdrift/schema.h"
#include "pgdrift/strbuf.h"

static const struct {
	unsigned bit;
	char letter;
	const char *name;
} privs[PGD_PRIV_COUNT] = {
	{ PGD_PRIV_SELECT, 'r', "SELECT" },
	{ PGD_PRIV_INSERT, 'a', "INSERT" },
	{ PGD_PRIV_UPDATE, 'w', "UPDATE" },
	{ PGD_PRIV_DELETE, 'd', "DELETE" },
	{ PGD_PRIV_TRUNCATE, 'D', "TRUNCATE" },
	{ PGD_PRIV_REFERENCES, 'x', "REFERENCES" },
	{ PGD_PRIV_TRIGGER, 't', "TRIGGER" },
	{ PGD_PRIV_MAINTAIN, 'm', "MAINTAIN" },
	{ PGD_PRIV_USAGE, 'U', "USAGE" },
	{ PGD_PRIV_EXECUTE, 'X', "EXECUTE" },
	{ PGD_PRIV_CREATE, 'C', "CREATE" },
};

const char *pgd_priv_name(unsigned bit)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(privs); i++)
		if (privs[i].bit == bit)
			return privs[i].name;
	return NULL;
}

unsigned pgd_priv_parse(const char *name)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(privs); i++)
		if (!strcasecmp(privs[i].name, name))
			return privs[i].bit;
	return 0;
}

void pgd_privs_text(struct pgd_strbuf *out, unsigned p, unsigned grantable)
{
	bool first = true;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(privs); i++) {
		if (!(p & privs[i].bit))
			continue;
		if (!first)
			pgd_strbuf_addstr(out, ", ");
		first = false;
		pgd_strbuf_addstr(out, privs[i].name);
		if (grantable & privs[i].bit)
			pgd_strbuf_addch(out, '*');
	}
}

static struct pgd_grant *find(struct pgd_acl *acl, const char *grantee)
{
	for (size_t i = 0; i < acl->n; i++)
		if (!strcmp(acl->v[i].grantee, grantee))
			return &acl->v[i];
	return NULL;
}

const struct pgd_grant *pgd_acl_find(const struct pgd_acl *acl,
				     const char *grantee)
{
	return find((struct pgd_acl *)acl, grantee);
}

static void push(struct pgd_schema *m, struct pgd_acl *acl,
		 const struct pgd_grant *g)
{
	if (acl->n == acl->alloc) {
		size_t cap = acl->alloc ? acl->alloc * 2 : 4;
		struct pgd_grant *v = pgd_schema_alloc(m, cap * sizeof(*v));
		PGD_COPY(v, acl->v, acl->n * sizeof(*v));
		acl->v = v;
		acl->alloc = cap;
	}
	acl->v[acl->n++] = *g;
}

void pgd_acl_grant(struct pgd_schema *m, struct pgd_acl *acl,
		   const char *grantee, unsigned p, unsigned grantable)
{
	acl->known = true;
	if (!p)
		return;
	struct pgd_grant *g = find(acl, grantee);
	if (g) {
		g->privs |= p;
		g->grantable |= grantable & p;
		return;
	}
	struct pgd_grant ng = { pgd_schema_strdup(m, grantee), p, grantable & p };
	push(m, acl, &ng);
}

void pgd_acl_revoke(struct pgd_acl *acl, const char *grantee, unsigned p,
		    bool option_only)
{
	struct pgd_grant *g = find(acl, grantee);
	if (!g)
		return;
	g->grantable &= ~p;
	if (!option_only)
		g->privs &= ~p;
	if (!g->privs) {
		size_t at = (size_t)(g - acl->v);
		memmove(&acl->v[at], &acl->v[at + 1],
			(acl->n - at - 1) * sizeof(*acl->v));
		acl->n--;
	}
}

void pgd_acl_clear(struct pgd_acl *acl)
{
	acl->n = 0;
	acl->known = true;
}

void pgd_acl_copy(struct pgd_schema *m, struct pgd_acl *dst,
		  const struct pgd_acl *src)
{
	struct pgd_acl copy = { 0 };
	copy.known = src->known;
	for (size_t i = 0; i < src->n; i++)
		push(m, &copy, &src->v[i]);
	*dst = copy;
}

void pgd_acl_new_owner(struct pgd_schema *m, struct pgd_acl *acl,
		       const char *old_owner, const char *new_owner)
{
	if (!old_owner || !new_owner || !strcmp(old_owner, new_owner))
		return;
	struct pgd_grant *g = find(acl, old_owner);
	if (!g)
		return;
	struct pgd_grant moved = *g;
	pgd_acl_revoke(acl, old_owner, moved.privs, false);
	pgd_acl_grant(m, acl, new_owner, moved.privs, moved.grantable);
}

static int cmp_grant(const void *a, const void *b)
{
	return strcmp(((const struct pgd_grant *)a)->grantee,
		      ((const struct pgd_grant *)b)->grantee);
}

void pgd_acl_sort(struct pgd_acl *acl)
{
	if (acl->n > 1)
		qsort(acl->v, acl->n, sizeof(*acl->v), cmp_grant);
}

unsigned pgd_acl_all(char objtype, int server_major)
{
	switch (objtype) {
	case PGD_ACL_TABLE:
		return PGD_PRIV_ALL | (server_major >= 17 ? PGD_PRIV_MAINTAIN : 0);
	case PGD_ACL_COLUMN:
		return PGD_PRIV_SELECT | PGD_PRIV_INSERT | PGD_PRIV_UPDATE |
		       PGD_PRIV_REFERENCES;
	case PGD_ACL_SEQUENCE:
		return PGD_PRIV_USAGE | PGD_PRIV_SELECT | PGD_PRIV_UPDATE;
	case PGD_ACL_FUNCTION:
		return PGD_PRIV_EXECUTE;
	case PGD_ACL_TYPE:
		return PGD_PRIV_USAGE;
	case PGD_ACL_SCHEMA:
		return PGD_PRIV_USAGE | PGD_PRIV_CREATE;
	}
	return 0;
}

void pgd_acl_set_builtin(struct pgd_schema *m, struct pgd_acl *acl,
			 char objtype, const char *owner, int server_major)
{
	pgd_acl_clear(acl);
	if (objtype == PGD_ACL_COLUMN)
		return; /* columns have no default: attacl is NULL */
	if (owner)
		pgd_acl_grant(m, acl, owner, pgd_acl_all(objtype, server_major), 0);
	if (objtype == PGD_ACL_FUNCTION)
		pgd_acl_grant(m, acl, "public", PGD_PRIV_EXECUTE, 0);
	else if (objtype == PGD_ACL_TYPE)
		pgd_acl_grant(m, acl, "public", PGD_PRIV_USAGE, 0);
}

/* Reads one role name of an aclitem at *pp (quoted as the server quotes:
 * "a""b"), up to a stop character. Returns the length written to buf, or
 * -1 when it does not fit or a quote is not closed. */
static int read_role(const char **pp, char *buf, size_t cap, char stop)
{
	const char *p = *pp;
	size_t n = 0;
	if (*p == '"') {
		p++;
		for (;;) {
			if (!*p)
				return -1;
			if (*p == '"') {
				if (p[1] != '"')
					break;
				p++;
			}
			if (n + 1 >= cap)
				return -1;
			buf[n++] = *p++;
		}
		p++;
	} else {
		while (*p && *p != stop) {
			if (n + 1 >= cap)
				return -1;
			buf[n++] = *p++;
		}
	}
	buf[n] = '\0';
	*pp = p;
	return (int)n;
}

int pgd_acl_parse(struct pgd_schema *m, struct pgd_acl *acl, const char *text)
{
	acl->known = true;
	const char *p = text;
	if (*p == '{')
		p++;
	while (*p && *p != '}') {
		/* array elements holding a quote or a comma are themselves
		 * double-quoted, with \" and \\ escapes: unescape first */
		char item[1024];
		size_t n = 0;
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				if (n + 1 >= sizeof(item))
					return -1;
				item[n++] = *p++;
			}
			if (*p != '"')
				return -1;
			p++;
		} else {
			while (*p && *p != ',' && *p != '}') {
				if (n + 1 >= sizeof(item))
					return -1;
				item[n++] = *p++;
			}
		}
		item[n] = '\0';
		if (*p == ',')
			p++;
		/* grantee=privs/grantor; an empty grantee is PUBLIC */
		char who[256];
		const char *q = item;
		if (read_role(&q, who, sizeof(who), '=') < 0 || *q != '=')
			return -1;
		q++;
		unsigned have = 0, option = 0;
		for (; *q && *q != '/'; q++) {
			if (*q == '*') {
				/* the star follows the letter it marks */
				if (q == item)
					return -1;
				for (size_t k = 0; k < PGD_ARRAY_SIZE(privs); k++)
					if (privs[k].letter == q[-1])
						option |= privs[k].bit;
				continue;
			}
			size_t k = 0;
			while (k < PGD_ARRAY_SIZE(privs) && privs[k].letter != *q)
				k++;
			if (k < PGD_ARRAY_SIZE(privs))
				have |= privs[k].bit;
			/* other letters (CONNECT, TEMPORARY, SET, ...) belong to
			 * objects pgdrift does not model */
		}
		if (*q != '/')
			return -1;
		pgd_acl_grant(m, acl, who[0] ? who : "public", have, option);
	}
	return 0;
}

/* ---- default privileges */

struct pgd_default_acl *pgd_schema_find_default_acl(const struct pgd_schema *m,
						    const char *role,
						    const char *schema,
						    char objtype)
{
	for (size_t i = 0; i < m->ndefault_acls; i++) {
		struct pgd_default_acl *d = m->default_acls[i];
		if (d->objtype == objtype && !strcmp(d->role, role) &&
		    (d->schema ? schema && !strcmp(d->schema, schema) : !schema))
			return d;
	}
	return NULL;
}

struct pgd_default_acl *pgd_schema_default_acl(struct pgd_schema *m,
					       const char *role,
					       const char *schema,
					       char objtype)
{
	struct pgd_default_acl *d = pgd_schema_find_default_acl(m, role, schema,
								objtype);
	if (d)
		return d;
	d = pgd_schema_alloc(m, sizeof(*d));
	d->role = pgd_schema_strdup(m, role);
	d->schema = pgd_schema_strdup(m, schema);
	d->objtype = objtype;
	if (schema)
		pgd_acl_clear(&d->acl);
	else
		pgd_acl_set_builtin(m, &d->acl, objtype, role, m->server_major);
	PGD_GROW(m->default_acls, m->adefault_acls, m->ndefault_acls + 1);
	m->default_acls[m->ndefault_acls++] = d;
	return d;
}

static bool same_acl(const struct pgd_acl *a, const struct pgd_acl *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct pgd_grant *g = pgd_acl_find(b, a->v[i].grantee);
		if (!g || g->privs != a->v[i].privs ||
		    g->grantable != a->v[i].grantable)
			return false;
	}
	return true;
}

bool pgd_default_acl_is_noop(const struct pgd_schema *m,
			     const struct pgd_default_acl *d)
{
	if (d->schema)
		return d->acl.n == 0;
	struct pgd_acl builtin = { 0 };
	pgd_acl_set_builtin((struct pgd_schema *)m, &builtin, d->objtype, d->role,
			    m->server_major);
	return same_acl(&builtin, &d->acl);
}

void pgd_schema_new_object_acl(struct pgd_schema *m, struct pgd_acl *out,
			       const char *owner, const char *schema,
			       char objtype)
{
	struct pgd_default_acl *g = owner
		? pgd_schema_find_default_acl(m, owner, NULL, objtype) : NULL;
	if (g)
		pgd_acl_copy(m, out, &g->acl);
	else
		pgd_acl_set_builtin(m, out, objtype, owner, m->server_major);
	struct pgd_default_acl *s = owner && schema
		? pgd_schema_find_default_acl(m, owner, schema, objtype) : NULL;
	for (size_t i = 0; s && i < s->acl.n; i++)
		pgd_acl_grant(m, out, s->acl.v[i].grantee, s->acl.v[i].privs,
			      s->acl.v[i].grantable);
	out->known = true;
}

/* ---- roles */

static bool has_role(const struct pgd_schema *m, const char *role,
		     const char *target, int depth)
{
	if (!strcmp(role, target) || !strcmp(target, "public"))
		return true;
	if (depth > 16)
		return false; /* membership cycles are refused by the server */
	/* INHERIT is not asked: a member may SET ROLE to what it is a member
	 * of, so for "can it reach this" membership is enough */
	const struct pgd_role *r = pgd_schema_find_role(m, role);
	if (!r)
		return false;
	for (size_t i = 0; i < r->nmember_of; i++)
		if (has_role(m, r->member_of[i], target, depth + 1))
			return true;
	return false;
}

bool pgd_schema_role_has(const struct pgd_schema *m, const char *role,
			 const char *target)
{
	return has_role(m, role, target, 0);
}

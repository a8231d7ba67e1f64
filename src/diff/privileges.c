/*
 * privileges.c - the drift rules for who may do what: grants (PGD195,
 * PGD196) on every object both models know the ACL of, owners (PGD197),
 * default privileges (PGD198), and function bodies and attributes
 * (PGD193). Called by pgd_diff; scope questions go back through the
 * callbacks it hands over.
 *
 * An owner's own entry in its object's ACL is implied by ownership and not
 * compared (an owner change is PGD197 instead). ACLs a source did not know
 * (known false) are never compared.
 */
#include <string.h>

#include "pgdrift/platform.h"
#include "pgdrift/strbuf.h"
#include "privileges.h"

static char *ident(const char *schema, const char *name, const char *sub)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&sb, schema);
	pgd_strbuf_addch(&sb, '.');
	pgd_strbuf_add_ident(&sb, name);
	if (sub) {
		pgd_strbuf_addch(&sb, '.');
		pgd_strbuf_add_ident(&sb, sub);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static char *entry_text(const char *grantee, unsigned privs, unsigned grantable)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&sb, grantee);
	pgd_strbuf_addstr(&sb, ": ");
	if (privs)
		pgd_privs_text(&sb, privs, grantable);
	else
		pgd_strbuf_addstr(&sb, "(none)");
	return pgd_strbuf_detach(&sb, NULL);
}

static void locate(struct pgd_finding *f, const struct pgd_acl *acl,
		   const struct pgd_object *o)
{
	const struct pgd_src *s = acl && acl->src.file ? &acl->src
		: o->changed.file ? &o->changed : &o->created;
	if (s->file) {
		f->file = pgd_xstrdup(s->file);
		f->line = s->line;
	}
}

/* "GRANT SELECT (c), UPDATE (c)" or "GRANT SELECT, UPDATE" */
static void privs_sql(struct pgd_strbuf *sb, unsigned privs, const char *column)
{
	bool first = true;
	for (unsigned b = 0; b < PGD_PRIV_COUNT; b++) {
		if (!(privs & (1u << b)))
			continue;
		pgd_strbuf_addstr(sb, first ? "" : ", ");
		first = false;
		pgd_strbuf_addstr(sb, pgd_priv_name(1u << b));
		if (column) {
			pgd_strbuf_addstr(sb, " (");
			pgd_strbuf_add_ident(sb, column);
			pgd_strbuf_addch(sb, ')');
		}
	}
}

static char *fix_sql(bool grant, unsigned privs, bool option, const char *column,
		     const char *on, const char *grantee)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (grant) {
		pgd_strbuf_addstr(&sb, "GRANT ");
		privs_sql(&sb, privs, column);
		pgd_strbuf_addf(&sb, " ON %s TO ", on);
	} else {
		pgd_strbuf_addstr(&sb, option ? "REVOKE GRANT OPTION FOR " : "REVOKE ");
		privs_sql(&sb, privs, column);
		pgd_strbuf_addf(&sb, " ON %s FROM ", on);
	}
	if (!strcmp(grantee, "public"))
		pgd_strbuf_addstr(&sb, "PUBLIC");
	else
		pgd_strbuf_add_ident(&sb, grantee);
	if (grant && option)
		pgd_strbuf_addstr(&sb, " WITH GRANT OPTION");
	pgd_strbuf_addch(&sb, ';');
	return pgd_strbuf_detach(&sb, NULL);
}

/* ALL on a table gives MAINTAIN from PostgreSQL 17 on. When the expected
 * side was built for an older server than the actual one, which grants
 * came from ALL (the default privileges' included, also after a later
 * REVOKE of some privileges) cannot be told, so MAINTAIN is left out of
 * the comparison on both sides. */
static unsigned lift(unsigned p, bool up)
{
	return up ? p & ~PGD_PRIV_MAINTAIN : p;
}

/*
 * Compares the ACLs of one object. what: "table public.t" for messages;
 * on: "TABLE public.t" for the remediation SQL; column: the column of a
 * column-level ACL, else NULL; table: the finding's table or NULL.
 */
static void acl_diff(struct pgd_findings *out, const char *object,
		     const char *table, const char *what, const char *on,
		     const char *column, const char *eowner,
		     const struct pgd_acl *e, const char *aowner,
		     const struct pgd_acl *a, const struct pgd_object *o, bool up)
{
	if (!e->known || !a->known)
		return;
	size_t n = e->n + a->n;
	const char **names = pgd_xcalloc(n ? n : 1, sizeof(*names));
	size_t nn = 0;
	for (size_t i = 0; i < e->n; i++)
		names[nn++] = e->v[i].grantee;
	for (size_t i = 0; i < a->n; i++)
		if (!pgd_acl_find(e, a->v[i].grantee))
			names[nn++] = a->v[i].grantee;
	for (size_t i = 0; i < nn; i++) {
		const char *g = names[i];
		if ((eowner && !strcmp(g, eowner)) || (aowner && !strcmp(g, aowner)))
			continue;
		const struct pgd_grant *ge = pgd_acl_find(e, g), *ga = pgd_acl_find(a, g);
		unsigned ep = ge ? lift(ge->privs, up) : 0;
		unsigned eg = ge ? lift(ge->grantable, up) : 0;
		unsigned ap = ga ? lift(ga->privs, up) : 0;
		unsigned ag = ga ? lift(ga->grantable, up) : 0;
		unsigned lost = ep & ~ap, lost_opt = eg & ~ag & ap;
		unsigned gained = ap & ~ep, gained_opt = ag & ~eg & ep;
		if (!(lost | lost_opt | gained | gained_opt))
			continue;
		char *et = entry_text(g, ep, eg), *at = entry_text(g, ap, ag);
		if (lost | lost_opt) {
			struct pgd_strbuf ps = PGD_STRBUF_INIT;
			pgd_privs_text(&ps, lost | lost_opt, lost_opt);
			struct pgd_finding *f = pgd_findings_add(out, PGD_R_GRANT_MISSING,
				object, table, et, at, "%s: %s lacks %s%s", what, g, ps.buf,
				lost ? "" : " (the grant option)");
			locate(f, e, o);
			struct pgd_strbuf fx = PGD_STRBUF_INIT;
			if (lost) {
				char *s = fix_sql(true, lost, false, column, on, g);
				pgd_strbuf_addstr(&fx, s);
				free(s);
			}
			if (lost_opt | (lost & eg)) {
				char *s = fix_sql(true, lost_opt | (lost & eg), true, column, on, g);
				pgd_strbuf_addf(&fx, "%s%s", fx.len ? "\n" : "", s);
				free(s);
			}
			f->remediation = pgd_strbuf_detach(&fx, NULL);
			pgd_strbuf_release(&ps);
		}
		if (gained | gained_opt) {
			struct pgd_strbuf ps = PGD_STRBUF_INIT;
			pgd_privs_text(&ps, gained | gained_opt, gained_opt | (gained & ag));
			struct pgd_finding *f = pgd_findings_add(out, PGD_R_GRANT_UNEXPECTED,
				object, table, et, at, "%s: %s holds %s%s, which the "
				"migrations do not grant", what, g, ps.buf,
				gained ? "" : " (the grant option)");
			if (pgd_platform_is_api_role(g))
				f->severity = PGD_SEV_ERROR;
			locate(f, e, o);
			f->remediation = gained
				? fix_sql(false, gained, false, column, on, g)
				: fix_sql(false, gained_opt, true, column, on, g);
			pgd_strbuf_release(&ps);
		}
		free(et);
		free(at);
	}
	free(names);
}

static bool api_owner(const char *role)
{
	return pgd_platform_is_api_role(role) || !strcmp(role, "authenticator");
}

static void owner_diff(struct pgd_findings *out, const char *object,
		       const char *table, const char *what, const char *alter,
		       const char *eowner, const char *aowner,
		       const struct pgd_object *o)
{
	if (!eowner || !aowner || !strcmp(eowner, aowner))
		return;
	struct pgd_finding *f = pgd_findings_add(out, PGD_R_OWNER_CHANGED, object,
		table, eowner, aowner, "%s is owned by %s, expected %s%s", what, aowner,
		eowner, api_owner(aowner) ? ": an API role owns it and bypasses its "
		"row level security unless RLS is forced" : "");
	if (api_owner(aowner))
		f->severity = PGD_SEV_ERROR;
	locate(f, NULL, o);
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_addf(&sb, "ALTER %s OWNER TO ", alter);
	pgd_strbuf_add_ident(&sb, eowner);
	pgd_strbuf_addch(&sb, ';');
	f->remediation = pgd_strbuf_detach(&sb, NULL);
}

/* owner and ACL of one object of kind ("table", "view", ...) */
static void object_access(struct pgd_findings *out, const char *kind,
			  const char *sqlkind, const char *object,
			  const char *table, const char *eowner,
			  const struct pgd_acl *e, const char *aowner,
			  const struct pgd_acl *a, const struct pgd_object *o, bool up)
{
	char *what = pgd_xasprintf("%s %s", kind, object);
	char *on = pgd_xasprintf("%s %s", sqlkind, object);
	owner_diff(out, object, table, what, on, eowner, aowner, o);
	acl_diff(out, object, table, what, on, NULL, eowner, e, aowner, a, o, up);
	free(on);
	free(what);
}

/* ---- default privileges */

static const char *objtype_words(char t)
{
	switch (t) {
	case PGD_ACL_TABLE: return "TABLES";
	case PGD_ACL_SEQUENCE: return "SEQUENCES";
	case PGD_ACL_FUNCTION: return "FUNCTIONS";
	case PGD_ACL_TYPE: return "TYPES";
	case PGD_ACL_SCHEMA: return "SCHEMAS";
	}
	return "?";
}

static char *dacl_text(const struct pgd_default_acl *d)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (!d || !d->acl.n)
		pgd_strbuf_addstr(&sb, "(built-in default)");
	for (size_t i = 0; d && i < d->acl.n; i++) {
		if (i)
			pgd_strbuf_addstr(&sb, "; ");
		char *t = entry_text(d->acl.v[i].grantee, d->acl.v[i].privs,
				     d->acl.v[i].grantable);
		pgd_strbuf_addstr(&sb, t);
		free(t);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

/* x from the expected side, y from the actual one (MAINTAIN left out
 * when up) */
static bool same_entry(const struct pgd_acl *x, const struct pgd_acl *y, bool up)
{
	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++) {
		const struct pgd_grant *g = pgd_acl_find(y, x->v[i].grantee);
		if (!g || lift(g->privs, up) != lift(x->v[i].privs, up) ||
		    lift(g->grantable, up) != lift(x->v[i].grantable, up))
			return false;
	}
	return true;
}

static unsigned api_privs(const struct pgd_default_acl *d)
{
	unsigned p = 0;
	for (size_t i = 0; d && i < d->acl.n; i++)
		if (pgd_platform_is_api_role(d->acl.v[i].grantee))
			p |= d->acl.v[i].privs;
	return p;
}

static bool role_listed(const struct pgd_schema *m, const char *role)
{
	for (size_t i = 0; i < m->ndefault_acls; i++)
		if (!strcmp(m->default_acls[i]->role, role))
			return true;
	return false;
}

static void one_default(struct pgd_findings *out, struct pgd_schema *em,
			struct pgd_schema *am, const struct pgd_default_acl *e,
			const struct pgd_default_acl *a)
{
	if (e && pgd_default_acl_is_noop(em, e))
		e = NULL;
	if (a && pgd_default_acl_is_noop(am, a))
		a = NULL;
	if (!e && !a)
		return;
	bool up = (em->server_major ? em->server_major : 15) < 17 &&
		  am->server_major >= 17 && (e ? e->objtype : a->objtype) == PGD_ACL_TABLE;
	if (e && a && same_entry(&e->acl, &a->acl, up))
		return;
	const struct pgd_default_acl *k = e ? e : a;
	struct pgd_strbuf obj = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&obj, k->role);
	if (k->schema) {
		pgd_strbuf_addstr(&obj, " in ");
		pgd_strbuf_add_ident(&obj, k->schema);
	}
	pgd_strbuf_addf(&obj, " %s", objtype_words(k->objtype));
	char *et = dacl_text(e), *at = dacl_text(a);
	/* the database holds the other era's defaults for postgres's public
	 * tables: the profile was likely wrong, not the database */
	const char *hint = "";
	if (a && em->platform_era && !strcmp(k->role, "postgres") && k->schema &&
	    !strcmp(k->schema, "public") && k->objtype == PGD_ACL_TABLE) {
		const struct pgd_grant *g = pgd_acl_find(&a->acl, "anon");
		unsigned p = g ? g->privs & PGD_PRIV_ALL : 0;
		if (p == (PGD_PRIV_TRUNCATE | PGD_PRIV_REFERENCES | PGD_PRIV_TRIGGER) &&
		    strcmp(em->platform_era, "2026"))
			hint = " (the database has Supabase's 2026 defaults: --platform-era 2026?)";
		else if (p == PGD_PRIV_ALL && !strcmp(em->platform_era, "2026"))
			hint = " (the database has Supabase's 2025 defaults: --platform-era 2025?)";
	}
	struct pgd_finding *f = pgd_findings_add(out,
		PGD_R_DEFAULT_PRIVILEGES_CHANGED, obj.buf, NULL, et, at,
		"default privileges for %s differ: new objects get other grants than "
		"the migrations%s expect%s", obj.buf,
		em->platform ? " and the platform profile" : "", hint);
	if (api_privs(a) & ~api_privs(e))
		f->severity = PGD_SEV_ERROR;
	if (e && e->src.file) {
		f->file = pgd_xstrdup(e->src.file);
		f->line = e->src.line;
	}
	free(et);
	free(at);
	pgd_strbuf_release(&obj);
}

static void defaults_diff(struct pgd_findings *out, struct pgd_schema *em,
			  struct pgd_schema *am,
			  const struct pgd_diff_privileges_scope *sc)
{
	/* only roles the expected side says something about: the platform's
	 * and those the migrations ALTER DEFAULT PRIVILEGES for */
	for (size_t i = 0; i < em->ndefault_acls; i++) {
		const struct pgd_default_acl *e = em->default_acls[i];
		if (e->schema && !sc->audited(e->schema, sc->arg))
			continue;
		one_default(out, em, am, e,
			    pgd_schema_find_default_acl(am, e->role, e->schema, e->objtype));
	}
	for (size_t i = 0; i < am->ndefault_acls; i++) {
		const struct pgd_default_acl *a = am->default_acls[i];
		if (!role_listed(em, a->role) ||
		    (a->schema && (!sc->audited(a->schema, sc->arg) ||
				   pgd_schema_is_platform(a->schema))) ||
		    pgd_schema_find_default_acl(em, a->role, a->schema, a->objtype))
			continue;
		one_default(out, em, am, NULL, a);
	}
}

/* ---- functions beyond the signature */

/* The lines where two bodies differ: everything between their common head
 * and tail, whole lines, each prefixed "-" (expected) or "+" (actual). Enough
 * to show a hot patch. */
static char *changed_lines(const char *text, size_t len, size_t head, size_t tail,
			   char mark)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	const char *p = text + head, *end = text + len - tail;
	if (p == end)
		pgd_strbuf_addf(&sb, "%c(nothing)", mark);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		pgd_strbuf_addf(&sb, "%s%c%.*s", sb.len ? "\n" : "", mark, (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static void body_diff(const char *e, const char *a, char **eout, char **aout)
{
	size_t el = strlen(e), al = strlen(a), head = 0, tail = 0;
	while (head < el && head < al && e[head] == a[head])
		head++;
	while (head > 0 && e[head - 1] != '\n')
		head--;
	while (tail < el - head && tail < al - head &&
	       e[el - 1 - tail] == a[al - 1 - tail])
		tail++;
	while (tail > 0 && e[el - tail] != '\n')
		tail--;
	*eout = changed_lines(e, el, head, tail, '-');
	*aout = changed_lines(a, al, head, tail, '+');
}

static void config_text(struct pgd_strbuf *sb, const struct pgd_function *f)
{
	for (size_t i = 0; i < f->nconfig; i++)
		pgd_strbuf_addf(sb, "%sSET %s", i ? " " : "", f->config[i]);
	if (!f->nconfig)
		pgd_strbuf_addstr(sb, "(no SET)");
}

static bool same_config(const struct pgd_function *e, const struct pgd_function *a)
{
	if (e->nconfig != a->nconfig)
		return false;
	for (size_t i = 0; i < e->nconfig; i++)
		if (strcmp(e->config[i], a->config[i]))
			return false;
	return true;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

void pgd_diff_function(struct pgd_findings *out, const struct pgd_function *e,
		       const struct pgd_function *a)
{
	struct pgd_strbuf parts = PGD_STRBUF_INIT, ev = PGD_STRBUF_INIT,
			  av = PGD_STRBUF_INIT;
	char *bexp = NULL, *bact = NULL;
#define PART(label, etext, atext)                                            \
	do {                                                                  \
		pgd_strbuf_addf(&parts, "%s%s", parts.len ? ", " : "", label);  \
		pgd_strbuf_addf(&ev, "%s%s", ev.len ? "; " : "", etext);        \
		pgd_strbuf_addf(&av, "%s%s", av.len ? "; " : "", atext);        \
	} while (0)
	if (e->security_definer != a->security_definer)
		PART("security", e->security_definer ? "SECURITY DEFINER" : "SECURITY INVOKER",
		     a->security_definer ? "SECURITY DEFINER" : "SECURITY INVOKER");
	if (e->attrs_known && a->attrs_known) {
		if (!same(e->language, a->language))
			PART("language", e->language ? e->language : "?",
			     a->language ? a->language : "?");
		if (!same(e->returns, a->returns))
			PART("return type", e->returns ? e->returns : "(procedure)",
			     a->returns ? a->returns : "(procedure)");
		if (e->volatility != a->volatility) {
			char x[2] = { e->volatility, 0 }, y[2] = { a->volatility, 0 };
			PART("volatility", !strcmp(x, "i") ? "IMMUTABLE" : !strcmp(x, "s") ? "STABLE" : "VOLATILE",
			     !strcmp(y, "i") ? "IMMUTABLE" : !strcmp(y, "s") ? "STABLE" : "VOLATILE");
		}
		if (e->strict != a->strict)
			PART("strictness", e->strict ? "STRICT" : "CALLED ON NULL INPUT",
			     a->strict ? "STRICT" : "CALLED ON NULL INPUT");
		if (e->leakproof != a->leakproof)
			PART("leakproof", e->leakproof ? "LEAKPROOF" : "NOT LEAKPROOF",
			     a->leakproof ? "LEAKPROOF" : "NOT LEAKPROOF");
		if (e->parallel != a->parallel) {
			const char *pe = e->parallel == 's' ? "PARALLEL SAFE" : e->parallel == 'r'
				? "PARALLEL RESTRICTED" : "PARALLEL UNSAFE";
			const char *pa = a->parallel == 's' ? "PARALLEL SAFE" : a->parallel == 'r'
				? "PARALLEL RESTRICTED" : "PARALLEL UNSAFE";
			PART("parallel", pe, pa);
		}
		if (!same(e->cost, a->cost) || !same(e->rows, a->rows)) {
			char *x = pgd_xasprintf("COST %s ROWS %s", e->cost ? e->cost : "?",
						e->rows ? e->rows : "?");
			char *y = pgd_xasprintf("COST %s ROWS %s", a->cost ? a->cost : "?",
						a->rows ? a->rows : "?");
			PART("cost/rows", x, y);
			free(x);
			free(y);
		}
		if (!same_config(e, a)) {
			struct pgd_strbuf x = PGD_STRBUF_INIT, y = PGD_STRBUF_INIT;
			config_text(&x, e);
			config_text(&y, a);
			PART("SET options", x.buf, y.buf);
			pgd_strbuf_release(&x);
			pgd_strbuf_release(&y);
		}
		if (e->atomic != a->atomic)
			PART("body", e->atomic ? "BEGIN ATOMIC body" : "string body",
			     a->atomic ? "BEGIN ATOMIC body" : "string body");
		else if ((!e->atomic || (e->body && a->body)) &&
			 !same(e->body, a->body)) {
			/* BEGIN ATOMIC: both canonical (normalize's sqlbody.c);
			 * NULL on one side (an old snapshot) is not compared */
			body_diff(e->body ? e->body : "", a->body ? a->body : "", &bexp, &bact);
			PART("body", bexp, bact);
		}
	}
#undef PART
	if (parts.len) {
		char *name = ident(e->obj.schema, e->obj.name, NULL);
		char *obj = pgd_xasprintf("%s(%s)", name, e->args);
		/* named by identity signature, as every function finding is */
		struct pgd_finding *f = pgd_findings_add(out, PGD_R_FUNCTION_DEFINITION,
			obj, NULL, ev.buf, av.buf, "function %s differs: %s", obj,
			parts.buf);
		locate(f, NULL, &e->obj);
		if (e->obj.changed.stmt || e->obj.created.stmt)
			f->remediation = pgd_xasprintf("%s;", e->obj.changed.stmt
				? e->obj.changed.stmt : e->obj.created.stmt);
		free(obj);
		free(name);
	}
	free(bexp);
	free(bact);
	pgd_strbuf_release(&parts);
	pgd_strbuf_release(&ev);
	pgd_strbuf_release(&av);
}

/* ---- every object */

void pgd_diff_privileges(struct pgd_schema *em, struct pgd_schema *am,
			 const struct pgd_diff_privileges_scope *sc,
			 struct pgd_findings *out)
{
	bool up = (em->server_major ? em->server_major : 15) < 17 &&
		  am->server_major >= 17;
	for (size_t i = 0; i < em->nnamespaces; i++) {
		const struct pgd_namespace *e = em->namespaces[i];
		const struct pgd_namespace *a = pgd_schema_find_namespace(am, e->obj.name);
		if (!a || !e->created || !sc->audited(e->obj.name, sc->arg))
			continue;
		struct pgd_strbuf nm = PGD_STRBUF_INIT;
		pgd_strbuf_add_ident(&nm, e->obj.name);
		object_access(out, "schema", "SCHEMA", nm.buf, NULL, e->owner, &e->acl,
			      a->owner, &a->acl, &e->obj, up);
		pgd_strbuf_release(&nm);
	}
	for (size_t i = 0; i < em->ntables; i++) {
		const struct pgd_table *e = em->tables[i];
		const struct pgd_table *a = pgd_schema_find_table(am, e->obj.schema,
								  e->obj.name);
		if (!a || e->external || !sc->table_audited(e->obj.schema, e->obj.name,
							     sc->arg))
			continue;
		char *tn = ident(e->obj.schema, e->obj.name, NULL);
		object_access(out, "table", "TABLE", tn, tn, e->owner, &e->acl,
			      a->owner, &a->acl, &e->obj, up);
		for (size_t k = 0; k < e->ncolumns; k++) {
			const struct pgd_column *ec = e->columns[k];
			const struct pgd_column *ac = pgd_table_find_column(a, ec->obj.name);
			if (!ac)
				continue;
			/* a column nobody granted on has attacl NULL: empty */
			struct pgd_acl ea = ec->acl, aa = ac->acl;
			ea.known = e->acl.known;
			aa.known = a->acl.known;
			char *cn = ident(e->obj.schema, e->obj.name, ec->obj.name);
			char *what = pgd_xasprintf("column %s", cn);
			char *on = pgd_xasprintf("TABLE %s", tn);
			acl_diff(out, cn, tn, what, on, ec->obj.name, NULL, &ea, NULL, &aa,
				 &ec->obj, false);
			free(on);
			free(what);
			free(cn);
		}
		free(tn);
	}
	for (size_t i = 0; i < em->nviews; i++) {
		const struct pgd_view *e = em->views[i];
		const struct pgd_view *a = pgd_schema_find_view(am, e->obj.schema, e->obj.name);
		if (!a || !sc->audited(e->obj.schema, sc->arg))
			continue;
		char *vn = ident(e->obj.schema, e->obj.name, NULL);
		object_access(out, e->relkind == 'm' ? "materialized view" : "view",
			      "TABLE", vn, NULL, e->owner, &e->acl, a->owner, &a->acl,
			      &e->obj, up);
		free(vn);
	}
	for (size_t i = 0; i < em->nsequences; i++) {
		const struct pgd_sequence *e = em->sequences[i];
		const struct pgd_sequence *a = pgd_schema_find_sequence(am, e->obj.schema,
									e->obj.name);
		if (!a || e->identity || !sc->audited(e->obj.schema, sc->arg))
			continue;
		char *sn = ident(e->obj.schema, e->obj.name, NULL);
		object_access(out, "sequence", "SEQUENCE", sn, NULL, e->owner, &e->acl,
			      a->owner, &a->acl, &e->obj, up);
		free(sn);
	}
	for (size_t i = 0; i < em->ntypes; i++) {
		const struct pgd_type *e = em->types[i];
		const struct pgd_type *a = pgd_schema_find_type(am, e->obj.schema, e->obj.name);
		if (!a || !sc->audited(e->obj.schema, sc->arg))
			continue;
		char *tn = ident(e->obj.schema, e->obj.name, NULL);
		object_access(out, "type", "TYPE", tn, NULL, e->owner, &e->acl,
			      a->owner, &a->acl, &e->obj, up);
		free(tn);
	}
	for (size_t i = 0; i < em->nfunctions; i++) {
		const struct pgd_function *e = em->functions[i];
		const struct pgd_function *a = pgd_schema_find_function(am, e->obj.schema,
			e->obj.name, e->args);
		if (!a || !sc->audited(e->obj.schema, sc->arg))
			continue;
		char *fnm = ident(e->obj.schema, e->obj.name, NULL);
		char *sig = pgd_xasprintf("%s(%s)", fnm, e->args);
		object_access(out, e->prokind == 'p' ? "procedure" : "function",
			      e->prokind == 'p' ? "PROCEDURE" : "FUNCTION", sig, NULL,
			      e->owner, &e->acl, a->owner, &a->acl, &e->obj, up);
		free(sig);
		free(fnm);
	}
	defaults_diff(out, em, am, sc);
}

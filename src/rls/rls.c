/*
 * rls.c - RLS coverage rules. Each rule reads the model only (tables,
 * policies, grants, roles, views, functions); expression questions go to
 * normalize's expression facts. Semantics follow Supabase's linter
 * (splinter) where it has a rule, and go further: grants decide how bad a
 * table without RLS is, the migrations can be reviewed before deploy, and
 * the matrix shows every role and command.
 */
#include <string.h>

#include "pgdrift/normalize.h"
#include "pgdrift/rls.h"
#include "pgdrift/strbuf.h"

const char *const pgd_rls_roles[PGD_RLS_NROLES] = { "anon", "authenticated", "public" };
const char *const pgd_rls_cmds[PGD_RLS_NCMDS] = { "SELECT", "INSERT", "UPDATE", "DELETE" };
static const enum pgd_polcmd cmd_codes[PGD_RLS_NCMDS] = {
	PGD_POL_SELECT, PGD_POL_INSERT, PGD_POL_UPDATE, PGD_POL_DELETE,
};
static const unsigned cmd_privs[PGD_RLS_NCMDS] = {
	PGD_PRIV_SELECT, PGD_PRIV_INSERT, PGD_PRIV_UPDATE, PGD_PRIV_DELETE,
};

const char *pgd_access_name(enum pgd_access a)
{
	switch (a) {
	case PGD_ACC_NO_GRANT: return "no grant";
	case PGD_ACC_OPEN: return "OPEN";
	case PGD_ACC_ALL_ROWS: return "all rows";
	case PGD_ACC_POLICY: return "policy";
	case PGD_ACC_DENIED: return "denied";
	}
	return "?";
}

struct review {
	struct pgd_schema *m;
	struct pgd_findings *out;
	const char *const *exposed;
	size_t nexposed;
};

static bool is_exposed(const struct review *rv, const char *schema)
{
	for (size_t i = 0; i < rv->nexposed; i++)
		if (!strcmp(rv->exposed[i], schema))
			return true;
	return false;
}

static void set_src(struct pgd_finding *f, const struct pgd_object *o)
{
	const struct pgd_src *s = o->changed.file ? &o->changed : &o->created;
	if (s->file) {
		f->file = pgd_xstrdup(s->file);
		f->line = s->line;
		f->dynamic = s->dynamic;
	}
}

/* Privileges role holds through acl: its own entry, PUBLIC's, and those of
 * the roles it inherits from. An ACL no source gave (an old snapshot, a
 * platform table) counts as every privilege: the review fails closed. */
static unsigned acl_privs(const struct pgd_schema *m, const struct pgd_acl *acl,
			  const char *role)
{
	if (!acl->known)
		return ~0u;
	unsigned p = 0;
	for (size_t i = 0; i < acl->n; i++)
		if (pgd_schema_role_has(m, role, acl->v[i].grantee))
			p |= acl->v[i].privs;
	return p;
}

static unsigned privs_of(const struct pgd_schema *m, const struct pgd_table *t,
			 const char *role)
{
	return acl_privs(m, &t->acl, role);
}

/* Column-level privileges role holds on some column of t. */
static unsigned column_privs_of(const struct pgd_schema *m,
				const struct pgd_table *t, const char *role)
{
	unsigned p = 0;
	for (size_t i = 0; i < t->ncolumns; i++)
		if (t->columns[i]->acl.known)
			p |= acl_privs(m, &t->columns[i]->acl, role);
	return p;
}

static bool policy_applies_to(const struct pgd_policy *p, const char *role)
{
	for (size_t i = 0; i < p->nroles; i++)
		if (!strcmp(p->roles[i], role) || !strcmp(p->roles[i], "public"))
			return true;
	return false;
}

static bool policy_for_cmd(const struct pgd_policy *p, enum pgd_polcmd c)
{
	return p->cmd == PGD_POL_ALL || p->cmd == c;
}

static bool names_api_role(const struct pgd_policy *p)
{
	for (size_t i = 0; i < p->nroles; i++)
		for (size_t k = 0; k < PGD_RLS_NROLES; k++)
			if (!strcmp(p->roles[i], pgd_rls_roles[k]))
				return true;
	return false;
}

static void facts_of(const char *e, struct pgd_expr_facts *f)
{
	memset(f, 0, sizeof(*f));
	if (e)
		pgd_normalize_expr_facts(e, f);
}

/* A role the API connects as, or one of its direct members. */
static bool api_role(const struct pgd_schema *m, const char *name)
{
	static const char *const api[] = { "anon", "authenticated", "authenticator" };
	(void)m;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(api); i++)
		if (!strcmp(name, api[i]))
			return true;
	return false;
}

/* A role RLS does not apply to: a superuser or BYPASSRLS role of the
 * model, or, when the model does not know it (a migration set), one of the
 * platform's (service_role, postgres, supabase_admin). */
static bool bypasses_rls(const struct pgd_schema *m, const char *name)
{
	static const char *const platform[] = { "service_role", "postgres",
						"supabase_admin" };
	const struct pgd_role *r = pgd_schema_find_role(m, name);
	if (r)
		return r->superuser || r->bypassrls;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(platform); i++)
		if (!strcmp(name, platform[i]))
			return true;
	return false;
}

static void review_policy(struct review *rv, struct pgd_table *t,
			  struct pgd_policy *p)
{
	char *obj = pgd_qualified_name(t->obj.schema, t->obj.name, p->obj.name);
	char *tab = pgd_qualified_name(t->obj.schema, t->obj.name, NULL);
	struct pgd_expr_facts fu, fc;
	facts_of(p->using_expr, &fu);
	facts_of(p->check_expr, &fc);
	bool true_using = p->using_expr && fu.always_true && p->cmd != PGD_POL_INSERT;
	bool true_check = p->check_expr && fc.always_true;
	if (p->permissive && names_api_role(p) && (true_using || true_check)) {
		bool write = p->cmd != PGD_POL_SELECT;
		struct pgd_finding *f = pgd_findings_add(rv->out,
			PGD_R_RLS_POLICY_ALWAYS_TRUE, obj, tab,
			NULL, true_using ? p->using_expr : p->check_expr,
			"policy %s lets its roles %s every row (%s is always true)", obj,
			p->cmd == PGD_POL_SELECT ? "read" : p->cmd == PGD_POL_INSERT
				? "insert" : "change", true_using ? "USING" : "WITH CHECK");
		f->severity = write ? PGD_SEV_ERROR : PGD_SEV_WARNING;
		set_src(f, &p->obj);
	}
	if (fu.user_metadata || fc.user_metadata) {
		struct pgd_finding *f = pgd_findings_add(rv->out, PGD_R_RLS_USER_METADATA,
			obj, tab, NULL, fu.user_metadata ? p->using_expr : p->check_expr,
			"policy %s trusts user_metadata, which any signed-in user can edit "
			"(use app_metadata)", obj);
		set_src(f, &p->obj);
	}
	if (fu.per_row_auth_call || fc.per_row_auth_call) {
		struct pgd_finding *f = pgd_findings_add(rv->out, PGD_R_RLS_INITPLAN,
			obj, tab, NULL, fu.per_row_auth_call ? p->using_expr : p->check_expr,
			"policy %s calls auth.*() or current_setting() for every row; "
			"wrap it as (select auth.uid())", obj);
		set_src(f, &p->obj);
	}
	free(obj);
	free(tab);
}

static void matrix_row(const struct pgd_schema *mx_m, struct pgd_rls_matrix *mx,
		       struct pgd_table *t)
{
	PGD_GROW(mx->rows, mx->alloc, mx->n + 1);
	struct pgd_rls_row *row = &mx->rows[mx->n++];
	memset(row, 0, sizeof(*row));
	row->table = pgd_qualified_name(t->obj.schema, t->obj.name, NULL);
	row->rls_enabled = t->rls_enabled;
	row->rls_forced = t->rls_forced;
	for (size_t c = 0; c < PGD_RLS_NCMDS; c++)
		for (size_t r = 0; r < PGD_RLS_NROLES; r++) {
			struct pgd_rls_cell *cell = &row->cells[c][r];
			const char *role = pgd_rls_roles[r];
			if (!(privs_of(mx_m, t, role) & cmd_privs[c])) {
				if (!(column_privs_of(mx_m, t, role) & cmd_privs[c])) {
					cell->access = PGD_ACC_NO_GRANT;
					continue;
				}
				cell->columns = true;
			}
			if (!t->rls_enabled) {
				cell->access = PGD_ACC_OPEN;
				continue;
			}
			struct pgd_strbuf names = PGD_STRBUF_INIT;
			bool all_rows = false;
			for (size_t i = 0; i < t->npolicies; i++) {
				struct pgd_policy *p = t->policies[i];
				if (!p->permissive || !policy_for_cmd(p, cmd_codes[c]) ||
				    !policy_applies_to(p, role))
					continue;
				/* INSERT is judged by WITH CHECK, which a FOR ALL
				 * policy without one takes from USING */
				const char *e = cmd_codes[c] == PGD_POL_INSERT
					? (p->check_expr ? p->check_expr : p->using_expr)
					: p->using_expr;
				/* a permissive policy with no expression for the
				 * command grants no row: PostgreSQL ORs only the
				 * quals that exist, and none means false */
				if (!e)
					continue;
				struct pgd_expr_facts f;
				facts_of(e, &f);
				if (f.always_true)
					all_rows = true;
				if (names.len)
					pgd_strbuf_addstr(&names, ", ");
				pgd_strbuf_add_ident(&names, p->obj.name);
			}
			if (!names.len) {
				cell->access = PGD_ACC_DENIED;
				pgd_strbuf_release(&names);
			} else {
				cell->access = all_rows ? PGD_ACC_ALL_ROWS : PGD_ACC_POLICY;
				cell->policies = pgd_strbuf_detach(&names, NULL);
			}
		}
}

/* PGD214: an API role holds a column-level privilege for a command the
 * table-level ACL withholds from it: someone opened one column on purpose,
 * and the table's policies may have been written assuming it was closed. */
static void column_grants(struct review *rv, struct pgd_table *t, const char *tab)
{
	static const char *const api[] = { "anon", "authenticated", "public" };
	const unsigned cmds = PGD_PRIV_SELECT | PGD_PRIV_INSERT | PGD_PRIV_UPDATE;
	for (size_t i = 0; i < t->ncolumns; i++) {
		struct pgd_column *c = t->columns[i];
		if (!c->acl.known || !c->acl.n)
			continue;
		for (size_t r = 0; r < PGD_ARRAY_SIZE(api); r++) {
			unsigned only = acl_privs(rv->m, &c->acl, api[r]) & cmds &
					~privs_of(rv->m, t, api[r]);
			if (!only)
				continue;
			char *obj = pgd_qualified_name(t->obj.schema, t->obj.name, c->obj.name);
			struct pgd_strbuf ps = PGD_STRBUF_INIT;
			pgd_privs_text(&ps, only, 0);
			struct pgd_finding *f = pgd_findings_add(rv->out,
				PGD_R_RLS_COLUMN_GRANT, obj, tab, NULL, ps.buf,
				"%s holds %s on column %s only (not on the table): check that "
				"%s's policies were not written to hide it%s", api[r], ps.buf,
				obj, tab, t->rls_enabled ? "" : " (RLS is off: every row)");
			f->file = c->acl.src.file ? pgd_xstrdup(c->acl.src.file) : NULL;
			f->line = c->acl.src.file ? c->acl.src.line : 0;
			if (!f->file)
				set_src(f, &t->obj);
			pgd_strbuf_release(&ps);
			free(obj);
		}
	}
}

/* The API role that can use fn (EXECUTE through its ACL, PUBLIC's default
 * included), or NULL. Without an ACL, the roles the source named. */
static const char *executor(const struct review *rv, const struct pgd_function *fn)
{
	static const char *const api[] = { "anon", "authenticated", "public" };
	if (fn->acl.known) {
		/* name the grant that opens it: a direct one, PUBLIC's, or a
		 * membership's */
		for (size_t r = 0; r < PGD_ARRAY_SIZE(api); r++) {
			const struct pgd_grant *g = pgd_acl_find(&fn->acl, api[r]);
			if (g && (g->privs & PGD_PRIV_EXECUTE))
				return api[r];
		}
		for (size_t r = 0; r < PGD_ARRAY_SIZE(api); r++)
			if (acl_privs(rv->m, &fn->acl, api[r]) & PGD_PRIV_EXECUTE)
				return api[r];
		return NULL;
	}
	for (size_t k = 0; k < fn->nexec_roles; k++)
		if (!strcmp(fn->exec_roles[k], "anon") ||
		    !strcmp(fn->exec_roles[k], "authenticated") ||
		    !strcmp(fn->exec_roles[k], "public"))
			return fn->exec_roles[k];
	return NULL;
}

static bool fixed_search_path(const struct pgd_function *fn)
{
	for (size_t i = 0; i < fn->nconfig; i++)
		if (!strncmp(fn->config[i], "search_path=", 12))
			return true;
	return false;
}

static void review_table(struct review *rv, struct pgd_table *t,
			 struct pgd_rls_matrix *mx)
{
	bool exposed = is_exposed(rv, t->obj.schema);
	char *tab = pgd_qualified_name(t->obj.schema, t->obj.name, NULL);
	if (exposed && !t->rls_enabled) {
		/* an error only when an API role reaches the rows through a
		 * grant (its own, PUBLIC's, or a role's it is a member of) */
		const unsigned rows = PGD_PRIV_SELECT | PGD_PRIV_INSERT |
				      PGD_PRIV_UPDATE | PGD_PRIV_DELETE;
		const char *who = NULL;
		for (size_t r = 0; r < PGD_RLS_NROLES && !who; r++)
			if ((privs_of(rv->m, t, pgd_rls_roles[r]) |
			     column_privs_of(rv->m, t, pgd_rls_roles[r])) & rows)
				who = pgd_rls_roles[r];
		struct pgd_finding *f = pgd_findings_add(rv->out,
			PGD_R_RLS_TABLE_WITHOUT_RLS, tab, tab, "RLS enabled", "RLS disabled",
			who ? "CRITICAL: %s is exposed without row level security, and "
			      "%s holds privileges on it: the API can read and write every row"
			    : "%s has row level security off, but no API role holds a "
			      "privilege on it: safe until one is granted", tab, who ? who : "");
		if (!who)
			f->severity = PGD_SEV_INFO;
		set_src(f, &t->obj);
		f->remediation = pgd_xasprintf("ALTER TABLE %s ENABLE ROW LEVEL SECURITY;",
					       tab);
	}
	if (exposed)
		column_grants(rv, t, tab);
	if (!t->rls_enabled && t->npolicies) {
		struct pgd_finding *f = pgd_findings_add(rv->out,
			PGD_R_RLS_POLICIES_IGNORED, tab, tab, NULL, NULL,
			"%s has %zu polic%s but row level security is off: they do nothing",
			tab, t->npolicies, t->npolicies == 1 ? "y" : "ies");
		set_src(f, &t->obj);
		f->remediation = pgd_xasprintf("ALTER TABLE %s ENABLE ROW LEVEL SECURITY;",
					       tab);
	}
	if (t->rls_enabled && !t->npolicies) {
		struct pgd_finding *f = pgd_findings_add(rv->out, PGD_R_RLS_NO_POLICY,
			tab, tab, NULL, NULL,
			"%s has row level security on and no policy: every API request "
			"is denied", tab);
		set_src(f, &t->obj);
	}
	if (t->rls_enabled && !t->rls_forced && t->owner && api_role(rv->m, t->owner)) {
		struct pgd_finding *f = pgd_findings_add(rv->out, PGD_R_RLS_FORCE_OFF,
			tab, tab, NULL, NULL,
			"%s is owned by %s, an API role, and RLS is not forced: the owner "
			"bypasses it", tab, t->owner);
		f->remediation = pgd_xasprintf("ALTER TABLE %s FORCE ROW LEVEL SECURITY;",
					       tab);
	}
	if (exposed && t->owner && api_role(rv->m, t->owner)) {
		struct pgd_finding *f = pgd_findings_add(rv->out, PGD_R_RLS_BYPASS_ROLE,
			tab, tab, NULL, t->owner,
			"%s is owned by the API role %s, which is not subject to its "
			"own table's policies", tab, t->owner);
		(void)f;
	}
	/* a policy without TO beside policies naming authenticated */
	bool names_auth = false;
	for (size_t i = 0; i < t->npolicies; i++)
		for (size_t k = 0; k < t->policies[i]->nroles; k++)
			if (!strcmp(t->policies[i]->roles[k], "authenticated"))
				names_auth = true;
	for (size_t i = 0; i < t->npolicies; i++) {
		struct pgd_policy *p = t->policies[i];
		if (names_auth && p->nroles == 1 && !strcmp(p->roles[0], "public")) {
			char *obj = pgd_qualified_name(t->obj.schema, t->obj.name, p->obj.name);
			struct pgd_finding *f = pgd_findings_add(rv->out,
				PGD_R_RLS_POLICY_PUBLIC_ROLE, obj, tab, "TO authenticated",
				"TO public",
				"policy %s has no TO clause, so it applies to anon too, while "
				"the table's other policies name authenticated", obj);
			set_src(f, &p->obj);
			free(obj);
		}
		review_policy(rv, t, p);
	}
	/* several permissive policies for one role and command: for the API
	 * roles and every other role a policy here names (splinter checks every
	 * role that does not bypass RLS) */
	size_t cap = 2;
	for (size_t i = 0; i < t->npolicies; i++)
		cap += t->policies[i]->nroles;
	const char **roles = pgd_xcalloc(cap, sizeof(*roles));
	size_t nroles = 0;
	roles[nroles++] = "anon";
	roles[nroles++] = "authenticated";
	for (size_t i = 0; i < t->npolicies; i++)
		for (size_t k = 0; k < t->policies[i]->nroles; k++) {
			const char *name = t->policies[i]->roles[k];
			bool seen = !strcmp(name, "public") || bypasses_rls(rv->m, name);
			for (size_t j = 0; j < nroles && !seen; j++)
				seen = !strcmp(roles[j], name);
			if (!seen)
				roles[nroles++] = name;
		}
	for (size_t r = 0; r < nroles; r++)
		for (size_t c = 0; c < PGD_RLS_NCMDS; c++) {
			struct pgd_strbuf names = PGD_STRBUF_INIT;
			size_t n = 0;
			for (size_t i = 0; i < t->npolicies; i++) {
				struct pgd_policy *p = t->policies[i];
				if (!p->permissive || !policy_for_cmd(p, cmd_codes[c]) ||
				    !policy_applies_to(p, roles[r]))
					continue;
				if (n++)
					pgd_strbuf_addstr(&names, ", ");
				pgd_strbuf_add_ident(&names, p->obj.name);
			}
			if (n > 1) {
				char *obj = pgd_xasprintf("%s %s %s", tab, roles[r],
							  pgd_rls_cmds[c]);
				pgd_findings_add(rv->out, PGD_R_RLS_MULTIPLE_PERMISSIVE, obj,
					tab, NULL, names.buf,
					"%s: %zu permissive policies for %s on %s (%s); merge "
					"them into one", tab, n, roles[r],
					pgd_rls_cmds[c], names.buf);
				free(obj);
			}
			pgd_strbuf_release(&names);
		}
	free(roles);
	if (exposed && mx)
		matrix_row(rv->m, mx, t);
	free(tab);
}

void pgd_rls_review(struct pgd_schema *m, const struct pgd_rls_options *opts,
		    struct pgd_findings *out, struct pgd_rls_matrix *mx)
{
	static const char *const public_only[] = { "public" };
	struct review rv = { m, out, public_only, 1 };
	bool assumed = false;
	if (opts && opts->nexposed) {
		rv.exposed = opts->exposed;
		rv.nexposed = opts->nexposed;
	} else if (m->exposed_known) {
		rv.exposed = m->exposed_schemas;
		rv.nexposed = m->nexposed_schemas;
	} else {
		assumed = true;
		pgd_findings_add(out, PGD_R_RLS_EXPOSED_ASSUMED, NULL, NULL, NULL, NULL,
			"no pgrst.db_schemas setting on the database or the authenticator "
			"role: the review assumed only public is exposed (--exposed-schema "
			"to say otherwise)");
	}
	pgd_schema_sort(m);
	if (mx) {
		memset(mx, 0, sizeof(*mx));
		struct pgd_strbuf ex = PGD_STRBUF_INIT;
		for (size_t i = 0; i < rv.nexposed; i++)
			pgd_strbuf_addf(&ex, "%s%s", i ? ", " : "", rv.exposed[i]);
		mx->exposed = pgd_strbuf_detach(&ex, NULL);
		mx->exposed_assumed = assumed;
	}
	for (size_t i = 0; i < m->ntables; i++) {
		struct pgd_table *t = m->tables[i];
		if (t->external || pgd_schema_is_platform(t->obj.schema))
			continue;
		review_table(&rv, t, mx);
	}
	/* exposed views that run with their owner's rights (splinter's
	 * security_definer_view): a warning when that bypasses a table's RLS or
	 * opens a schema the API cannot reach directly, info otherwise (RLS
	 * enabled later on what it reads would not apply through it) */
	for (size_t i = 0; i < m->nviews; i++) {
		struct pgd_view *v = m->views[i];
		if (!is_exposed(&rv, v->obj.schema) || v->security_invoker)
			continue;
		/* only a view an API role can select from bypasses anything */
		if (!((acl_privs(m, &v->acl, "anon") | acl_privs(m, &v->acl, "authenticated") |
		       acl_privs(m, &v->acl, "public")) & PGD_PRIV_SELECT))
			continue;
		char *vn = pgd_qualified_name(v->obj.schema, v->obj.name, NULL);
		char *msg = NULL;
		for (size_t k = 0; k < v->nreads && !msg; k++) {
			struct pgd_table *t = pgd_schema_find_table(m, v->read_schemas[k],
								    v->read_names[k]);
			if (!t || !t->rls_enabled)
				continue;
			char *tn = pgd_qualified_name(t->obj.schema, t->obj.name, NULL);
			msg = pgd_xasprintf("view %s reads %s with its owner's rights: it "
					    "bypasses that table's row level security", vn, tn);
			free(tn);
		}
		for (size_t k = 0; k < v->nreads && !msg; k++) {
			if (is_exposed(&rv, v->read_schemas[k]))
				continue;
			char *tn = pgd_qualified_name(v->read_schemas[k], v->read_names[k], NULL);
			msg = pgd_xasprintf("view %s reads %s with its owner's rights: it "
					    "exposes a schema the API cannot reach directly",
					    vn, tn);
			free(tn);
		}
		enum pgd_severity sev = PGD_SEV_WARNING;
		if (!msg) {
			msg = pgd_xasprintf("view %s runs with its owner's rights: row level "
					    "security enabled later on what it reads would "
					    "not apply through it", vn);
			sev = PGD_SEV_INFO;
		}
		struct pgd_finding *f = pgd_findings_add(out, PGD_R_RLS_VIEW_BYPASS,
			vn, NULL, "security_invoker = true", "security definer view",
			"%s", msg);
		f->severity = sev;
		set_src(f, &v->obj);
		f->remediation = pgd_xasprintf("ALTER VIEW %s SET (security_invoker = true);",
					       vn);
		free(msg);
		free(vn);
	}
	for (size_t i = 0; i < m->nfunctions; i++) {
		struct pgd_function *fn = m->functions[i];
		if (!fn->security_definer || !is_exposed(&rv, fn->obj.schema))
			continue;
		const char *who = executor(&rv, fn);
		if (!who)
			continue;
		if (fn->attrs_known && !fixed_search_path(fn)) {
			char *fname = pgd_qualified_name(fn->obj.schema, fn->obj.name, NULL);
			struct pgd_finding *f = pgd_findings_add(out,
				PGD_R_RLS_DEFINER_SEARCH_PATH, fname, NULL,
				"SET search_path = ''", "no SET search_path",
				"SECURITY DEFINER function %s(%s), executable by %s, has no "
				"fixed search_path: an object the caller puts on its path can "
				"run with the owner's rights", fname, fn->args, who);
			set_src(f, &fn->obj);
			f->remediation = pgd_xasprintf("ALTER FUNCTION %s(%s) SET search_path = '';",
						       fname, fn->args);
			free(fname);
		}
		char *name = pgd_qualified_name(fn->obj.schema, fn->obj.name, NULL);
		struct pgd_finding *f = pgd_findings_add(out,
			PGD_R_RLS_SECURITY_DEFINER_FUNCTION, name, NULL, NULL, who,
			"SECURITY DEFINER function %s(%s) in an exposed schema is executable "
			"by %s: it runs with its owner's rights, past RLS", name, fn->args, who);
		set_src(f, &fn->obj);
		free(name);
	}
	static const char *const api[] = { "anon", "authenticated", "authenticator" };
	for (size_t i = 0; i < PGD_ARRAY_SIZE(api); i++) {
		const struct pgd_role *r = pgd_schema_find_role(m, api[i]);
		if (!r || (!r->superuser && !r->bypassrls))
			continue;
		pgd_findings_add(out, PGD_R_RLS_BYPASS_ROLE, r->name, NULL, NULL,
				 r->superuser ? "SUPERUSER" : "BYPASSRLS",
				 "the API role %s is %s: every policy is skipped for it",
				 r->name, r->superuser ? "a superuser" : "BYPASSRLS");
	}
}

void pgd_rls_matrix_release(struct pgd_rls_matrix *mx)
{
	for (size_t i = 0; i < mx->n; i++) {
		free(mx->rows[i].table);
		for (size_t c = 0; c < PGD_RLS_NCMDS; c++)
			for (size_t r = 0; r < PGD_RLS_NROLES; r++)
				free(mx->rows[i].cells[c][r].policies);
	}
	free(mx->rows);
	free(mx->exposed);
	memset(mx, 0, sizeof(*mx));
}

unsigned pgd_rls_row_risk(const struct pgd_rls_row *row)
{
	unsigned n[3] = { 0, 0, 0 };
	for (size_t c = 0; c < PGD_RLS_NCMDS; c++)
		for (size_t r = 0; r < PGD_RLS_NROLES; r++)
			switch (row->cells[c][r].access) {
			case PGD_ACC_OPEN: n[0]++; break;
			case PGD_ACC_ALL_ROWS: n[1]++; break;
			case PGD_ACC_POLICY: n[2]++; break;
			case PGD_ACC_NO_GRANT:
			case PGD_ACC_DENIED: break;
			}
	return (n[0] * 13 + n[1]) * 13 + n[2];
}

struct ranked {
	unsigned risk;
	const char *table;
	size_t index;
};

static int cmp_worst(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->risk != y->risk)
		return x->risk > y->risk ? -1 : 1;
	return strcmp(x->table, y->table);
}

size_t *pgd_rls_matrix_worst_first(const struct pgd_rls_matrix *mx)
{
	struct ranked *v = pgd_xcalloc(mx->n + 1, sizeof(*v));
	for (size_t i = 0; i < mx->n; i++)
		v[i] = (struct ranked){ pgd_rls_row_risk(&mx->rows[i]), mx->rows[i].table, i };
	qsort(v, mx->n, sizeof(*v), cmp_worst);
	size_t *order = pgd_xcalloc(mx->n + 1, sizeof(*order));
	for (size_t i = 0; i < mx->n; i++)
		order[i] = v[i].index;
	free(v);
	return order;
}

/*
 * dump.c - the canonical text dump of a model: one object per line, sorted,
 * identifiers quoted only where PostgreSQL would need it. Two models of the
 * same database must dump identically; that is the round-trip oracle.
 *
 * Line shapes (documented in docs/commands.md, "The canonical dump"):
 *   schema NAME
 *   extension NAME schema=SCHEMA
 *   type S.NAME enum ('a', 'b')          | type S.NAME domain DEF
 *   sequence S.NAME [owned_by=S.T.C]
 *   table S.T rls=on|off force=on|off [unlogged] [partitioned]
 *         [partition_of=S.P] [columns_unknown]
 *   column S.T.C TYPE [collate C] [not null] [default EXPR]
 *         [identity always|by default] [generated always as (EXPR) stored|virtual]
 *   constraint S.T.NAME DEF [not valid]
 *   index S.T.NAME DEF
 *   policy S.T.NAME CMD permissive|restrictive to R[,R] [using (E)] [with check (E)]
 *   trigger S.T.NAME DEF
 *   view S.NAME [materialized] [security_invoker]
 *   function S.NAME(ARGS) [security_definer]
 *
 * With PGD_DUMP_PRIVILEGES, after an object's line (when known):
 *   owner KIND NAME ROLE
 *   grant KIND NAME GRANTEE PRIV[*], PRIV...   (* WITH GRANT OPTION; the
 *         owner's own entry is implied and left out)
 *   function_attrs S.NAME(ARGS) LANG VOLATILITY ... returns R config [..]
 *   function_body S.NAME(ARGS) 'prosrc' | atomic 'canonical body'
 * and at the end, per pg_default_acl entry PostgreSQL would keep:
 *   default_privileges ROLE [in SCHEMA] OBJTYPE GRANTEE PRIVS
 */
#include <string.h>

#include "pgdrift/schema.h"
#include "pgdrift/strbuf.h"

static void qname(struct pgd_strbuf *out, const char *schema, const char *a,
		  const char *b)
{
	pgd_strbuf_add_ident(out, schema);
	pgd_strbuf_addch(out, '.');
	pgd_strbuf_add_ident(out, a);
	if (b) {
		pgd_strbuf_addch(out, '.');
		pgd_strbuf_add_ident(out, b);
	}
}

static void end_line(struct pgd_strbuf *out, const struct pgd_object *o,
		     unsigned flags)
{
	if ((flags & PGD_DUMP_SOURCES) && o->created.file) {
		pgd_strbuf_addf(out, "  -- %s:%u%s", o->created.file,
				o->created.line,
				o->created.dynamic ? " (EXECUTE)" : "");
		if (o->changed.file)
			pgd_strbuf_addf(out, " (changed %s:%u%s)", o->changed.file,
					o->changed.line,
					o->changed.dynamic ? " (EXECUTE)" : "");
	}
	pgd_strbuf_addch(out, '\n');
}

/* owner and grant lines of one object (name already in canonical form) */
static void dump_access(struct pgd_strbuf *out, unsigned flags,
			const char *kind, const char *name, const char *owner,
			const struct pgd_acl *acl)
{
	if (!(flags & PGD_DUMP_PRIVILEGES))
		return;
	if (owner) {
		pgd_strbuf_addf(out, "owner %s %s ", kind, name);
		pgd_strbuf_add_ident(out, owner);
		pgd_strbuf_addch(out, '\n');
	}
	if (!acl->known)
		return;
	for (size_t i = 0; i < acl->n; i++) {
		const struct pgd_grant *g = &acl->v[i];
		if (owner && !strcmp(g->grantee, owner))
			continue;
		pgd_strbuf_addf(out, "grant %s %s ", kind, name);
		pgd_strbuf_add_ident(out, g->grantee);
		pgd_strbuf_addch(out, ' ');
		pgd_privs_text(out, g->privs, g->grantable);
		pgd_strbuf_addch(out, '\n');
	}
}

static char *name2(const char *schema, const char *a, const char *b)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	qname(&sb, schema, a, b);
	return pgd_strbuf_detach(&sb, NULL);
}

static const char *objtype_word(char objtype)
{
	switch (objtype) {
	case PGD_ACL_TABLE: return "tables";
	case PGD_ACL_SEQUENCE: return "sequences";
	case PGD_ACL_FUNCTION: return "functions";
	case PGD_ACL_TYPE: return "types";
	case PGD_ACL_SCHEMA: return "schemas";
	}
	return "?";
}

/* A body on one line: quoted, with backslash, newline, CR and tab escaped
 * as \\, \n, \r and \t (the dump is line-based). */
static void add_body(struct pgd_strbuf *out, const char *body)
{
	pgd_strbuf_addch(out, '\'');
	for (const char *p = body; *p; p++)
		switch (*p) {
		case '\\': pgd_strbuf_addstr(out, "\\\\"); break;
		case '\n': pgd_strbuf_addstr(out, "\\n"); break;
		case '\r': pgd_strbuf_addstr(out, "\\r"); break;
		case '\t': pgd_strbuf_addstr(out, "\\t"); break;
		case '\'': pgd_strbuf_addstr(out, "''"); break;
		default: pgd_strbuf_addch(out, *p);
		}
	pgd_strbuf_addch(out, '\'');
}

static void dump_function_attrs(struct pgd_strbuf *out,
				const struct pgd_function *f, const char *name)
{
	if (!f->attrs_known)
		return;
	pgd_strbuf_addf(out, "function_attrs %s(%s) %s language %s", name,
			f->args, f->prokind == 'p' ? "procedure" : "function",
			f->language ? f->language : "?");
	if (f->returns)
		pgd_strbuf_addf(out, " returns %s", f->returns);
	pgd_strbuf_addf(out, " %s", f->volatility == 'i' ? "immutable"
				    : f->volatility == 's' ? "stable" : "volatile");
	if (f->strict)
		pgd_strbuf_addstr(out, " strict");
	if (f->leakproof)
		pgd_strbuf_addstr(out, " leakproof");
	pgd_strbuf_addf(out, " parallel %s", f->parallel == 's' ? "safe"
				: f->parallel == 'r' ? "restricted" : "unsafe");
	if (f->cost)
		pgd_strbuf_addf(out, " cost %s", f->cost);
	if (f->rows && strcmp(f->rows, "0"))
		pgd_strbuf_addf(out, " rows %s", f->rows);
	for (size_t i = 0; i < f->nconfig; i++) {
		pgd_strbuf_addstr(out, " set ");
		pgd_strbuf_add_literal(out, f->config[i]);
	}
	pgd_strbuf_addch(out, '\n');
	pgd_strbuf_addf(out, "function_body %s(%s) ", name, f->args);
	if (f->atomic) {
		pgd_strbuf_addstr(out, "atomic");
		if (f->body) {
			pgd_strbuf_addch(out, ' ');
			add_body(out, f->body);
		}
	} else {
		add_body(out, f->body ? f->body : "");
	}
	pgd_strbuf_addch(out, '\n');
}

static void dump_table(struct pgd_strbuf *out, const struct pgd_table *t,
		       unsigned flags)
{
	const char *s = t->obj.schema;
	pgd_strbuf_addstr(out, "table ");
	qname(out, s, t->obj.name, NULL);
	pgd_strbuf_addf(out, " rls=%s force=%s", t->rls_enabled ? "on" : "off",
			t->rls_forced ? "on" : "off");
	if (t->unlogged)
		pgd_strbuf_addstr(out, " unlogged");
	if (t->relkind == 'p')
		pgd_strbuf_addstr(out, " partitioned");
	if (t->partition_of)
		pgd_strbuf_addf(out, " partition_of=%s", t->partition_of);
	if (t->columns_unknown)
		pgd_strbuf_addstr(out, " columns_unknown");
	end_line(out, &t->obj, flags);
	char *tn = name2(s, t->obj.name, NULL);
	dump_access(out, flags, "table", tn, t->owner, &t->acl);
	free(tn);

	for (size_t i = 0; i < t->ncolumns; i++) {
		const struct pgd_column *c = t->columns[i];
		pgd_strbuf_addstr(out, "column ");
		qname(out, s, t->obj.name, c->obj.name);
		pgd_strbuf_addf(out, " %s", c->type);
		if (c->collation) {
			pgd_strbuf_addstr(out, " collate ");
			pgd_strbuf_addstr(out, c->collation);
		}
		if (c->not_null)
			pgd_strbuf_addstr(out, " not null");
		if (c->def && !c->generated)
			pgd_strbuf_addf(out, " default %s", c->def);
		if (c->identity)
			pgd_strbuf_addstr(out, c->identity == 'a'
				? " identity always" : " identity by default");
		if (c->generated)
			pgd_strbuf_addf(out, " generated always as (%s) %s",
					c->def ? c->def : "?",
					c->generated == 'v' ? "virtual" : "stored");
		end_line(out, &c->obj, flags);
		if (c->acl.known && c->acl.n) {
			char *cn = name2(s, t->obj.name, c->obj.name);
			dump_access(out, flags, "column", cn, NULL, &c->acl);
			free(cn);
		}
	}
	for (size_t i = 0; i < t->nconstraints; i++) {
		const struct pgd_constraint *c = t->constraints[i];
		pgd_strbuf_addstr(out, "constraint ");
		qname(out, s, t->obj.name, c->obj.name);
		pgd_strbuf_addf(out, " %s", c->def ? c->def : "?");
		if (!c->validated)
			pgd_strbuf_addstr(out, " not valid");
		end_line(out, &c->obj, flags);
	}
	for (size_t i = 0; i < t->nindexes; i++) {
		const struct pgd_index *ix = t->indexes[i];
		pgd_strbuf_addstr(out, "index ");
		qname(out, s, t->obj.name, ix->obj.name);
		pgd_strbuf_addf(out, " %s", ix->def ? ix->def : "?");
		end_line(out, &ix->obj, flags);
	}
	for (size_t i = 0; i < t->npolicies; i++) {
		const struct pgd_policy *p = t->policies[i];
		pgd_strbuf_addstr(out, "policy ");
		qname(out, s, t->obj.name, p->obj.name);
		pgd_strbuf_addf(out, " %s %s to ", pgd_polcmd_name(p->cmd),
				p->permissive ? "permissive" : "restrictive");
		for (size_t r = 0; r < p->nroles; r++) {
			if (r)
				pgd_strbuf_addch(out, ',');
			pgd_strbuf_add_ident(out, p->roles[r]);
		}
		if (p->using_expr)
			pgd_strbuf_addf(out, " using (%s)", p->using_expr);
		if (p->check_expr)
			pgd_strbuf_addf(out, " with check (%s)", p->check_expr);
		end_line(out, &p->obj, flags);
	}
	for (size_t i = 0; i < t->ntriggers; i++) {
		const struct pgd_trigger *tg = t->triggers[i];
		pgd_strbuf_addstr(out, "trigger ");
		qname(out, s, t->obj.name, tg->obj.name);
		pgd_strbuf_addf(out, " %s", tg->def ? tg->def : "?");
		end_line(out, &tg->obj, flags);
	}
}

#define WANT(schema) (!filter || filter((schema), arg))

void pgd_schema_dump(struct pgd_schema *m, struct pgd_strbuf *out,
		     unsigned flags,
		     bool (*filter)(const char *schema, void *arg), void *arg)
{
	pgd_schema_sort(m);
	for (size_t i = 0; i < m->nnamespaces; i++) {
		const struct pgd_namespace *ns = m->namespaces[i];
		/* public exists everywhere; only schemas someone made are listed */
		if (!WANT(ns->obj.name) || strcmp(ns->obj.name, "public") == 0)
			continue;
		pgd_strbuf_addstr(out, "schema ");
		pgd_strbuf_add_ident(out, ns->obj.name);
		end_line(out, &ns->obj, flags);
		if (ns->created) {
			struct pgd_strbuf nb = PGD_STRBUF_INIT;
			pgd_strbuf_add_ident(&nb, ns->obj.name);
			dump_access(out, flags, "schema", nb.buf, ns->owner, &ns->acl);
			pgd_strbuf_release(&nb);
		}
	}
	for (size_t i = 0; i < m->nextensions; i++) {
		const struct pgd_extension *e = m->extensions[i];
		if (!WANT(e->obj.schema))
			continue;
		pgd_strbuf_addstr(out, "extension ");
		pgd_strbuf_add_ident(out, e->obj.name);
		pgd_strbuf_addstr(out, " schema=");
		pgd_strbuf_add_ident(out, e->obj.schema);
		end_line(out, &e->obj, flags);
	}
	for (size_t i = 0; i < m->ntypes; i++) {
		const struct pgd_type *ty = m->types[i];
		if (!WANT(ty->obj.schema))
			continue;
		pgd_strbuf_addstr(out, "type ");
		qname(out, ty->obj.schema, ty->obj.name, NULL);
		if (ty->typtype == 'e') {
			pgd_strbuf_addstr(out, " enum (");
			for (size_t l = 0; l < ty->nlabels; l++) {
				if (l)
					pgd_strbuf_addstr(out, ", ");
				pgd_strbuf_add_literal(out, ty->labels[l]);
			}
			pgd_strbuf_addch(out, ')');
		} else {
			pgd_strbuf_addf(out, " domain %s", ty->def ? ty->def : "?");
		}
		end_line(out, &ty->obj, flags);
		char *nm = name2(ty->obj.schema, ty->obj.name, NULL);
		dump_access(out, flags, "type", nm, ty->owner, &ty->acl);
		free(nm);
	}
	for (size_t i = 0; i < m->nsequences; i++) {
		const struct pgd_sequence *sq = m->sequences[i];
		if (sq->identity || !WANT(sq->obj.schema))
			continue;
		pgd_strbuf_addstr(out, "sequence ");
		qname(out, sq->obj.schema, sq->obj.name, NULL);
		if (sq->owned_by)
			pgd_strbuf_addf(out, " owned_by=%s", sq->owned_by);
		end_line(out, &sq->obj, flags);
		char *nm = name2(sq->obj.schema, sq->obj.name, NULL);
		dump_access(out, flags, "sequence", nm, sq->owner, &sq->acl);
		free(nm);
	}
	for (size_t i = 0; i < m->ntables; i++)
		if (WANT(m->tables[i]->obj.schema))
			dump_table(out, m->tables[i], flags);
	for (size_t i = 0; i < m->nviews; i++) {
		const struct pgd_view *v = m->views[i];
		if (!WANT(v->obj.schema))
			continue;
		pgd_strbuf_addstr(out, "view ");
		qname(out, v->obj.schema, v->obj.name, NULL);
		if (v->relkind == 'm')
			pgd_strbuf_addstr(out, " materialized");
		if (v->security_invoker)
			pgd_strbuf_addstr(out, " security_invoker");
		end_line(out, &v->obj, flags);
		char *nm = name2(v->obj.schema, v->obj.name, NULL);
		dump_access(out, flags, "view", nm, v->owner, &v->acl);
		free(nm);
	}
	for (size_t i = 0; i < m->nfunctions; i++) {
		const struct pgd_function *f = m->functions[i];
		if (!WANT(f->obj.schema))
			continue;
		pgd_strbuf_addstr(out, "function ");
		qname(out, f->obj.schema, f->obj.name, NULL);
		pgd_strbuf_addf(out, "(%s)", f->args);
		if (f->security_definer)
			pgd_strbuf_addstr(out, " security_definer");
		end_line(out, &f->obj, flags);
		if (flags & PGD_DUMP_PRIVILEGES) {
			char *nm = name2(f->obj.schema, f->obj.name, NULL);
			char *sig = pgd_xasprintf("%s(%s)", nm, f->args);
			dump_access(out, flags, "function", sig, f->owner, &f->acl);
			dump_function_attrs(out, f, nm);
			free(sig);
			free(nm);
		}
	}
	if (!(flags & PGD_DUMP_PRIVILEGES))
		return;
	for (size_t i = 0; i < m->ndefault_acls; i++) {
		const struct pgd_default_acl *d = m->default_acls[i];
		if ((d->schema && !WANT(d->schema)) || pgd_default_acl_is_noop(m, d))
			continue;
		for (size_t k = 0; k < d->acl.n; k++) {
			pgd_strbuf_addstr(out, "default_privileges ");
			pgd_strbuf_add_ident(out, d->role);
			if (d->schema) {
				pgd_strbuf_addstr(out, " in ");
				pgd_strbuf_add_ident(out, d->schema);
			}
			pgd_strbuf_addf(out, " %s ", objtype_word(d->objtype));
			pgd_strbuf_add_ident(out, d->acl.v[k].grantee);
			pgd_strbuf_addch(out, ' ');
			pgd_privs_text(out, d->acl.v[k].privs, d->acl.v[k].grantable);
			pgd_strbuf_addch(out, '\n');
		}
	}
}

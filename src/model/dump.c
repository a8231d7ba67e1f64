/*
 * dump.c - the canonical text dump of a model: one object per line, sorted,
 * identifiers quoted only where PostgreSQL would need it. Two models of the
 * same database must dump identically; that is the round-trip oracle.
 *
 * Line shapes (documented in the README, "Canonical dump"):
 *   schema NAME
 *   extension NAME schema=SCHEMA
 *   type S.NAME enum ('a', 'b')          | type S.NAME domain DEF
 *   sequence S.NAME [owned_by=S.T.C]
 *   table S.T rls=on|off force=on|off [unlogged] [partitioned]
 *         [partition_of=S.P] [columns_unknown]
 *   column S.T.C TYPE [collate C] [not null] [default EXPR]
 *         [identity always|by default] [generated always as (EXPR) stored]
 *   constraint S.T.NAME DEF [not valid]
 *   index S.T.NAME DEF
 *   policy S.T.NAME CMD permissive|restrictive to R[,R] [using (E)] [with check (E)]
 *   trigger S.T.NAME DEF
 *   view S.NAME [materialized] [security_invoker]
 *   function S.NAME(ARGS) [security_definer]
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
			pgd_strbuf_addf(out, " generated always as (%s) stored",
					c->def ? c->def : "?");
		end_line(out, &c->obj, flags);
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
	}
}

/*
 * write.c - model -> JSON snapshot. Every object carries "source"
 * ({"file", "line"}, or null for objects read from a database).
 */
#include <jansson.h>
#include <string.h>

#include "pgdrift/snapshot.h"
#include "pgdrift/strbuf.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *src_json(const struct pgd_src *s)
{
	if (!s->file)
		return json_null();
	return json_pack("{s:s, s:I}", "file", s->file, "line", (json_int_t)s->line);
}

static void add_sources(json_t *o, const struct pgd_object *obj)
{
	json_object_set_new(o, "source", src_json(&obj->created));
	if (obj->changed.file)
		json_object_set_new(o, "changed", src_json(&obj->changed));
}

static json_t *str_array(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static const char *contype_name(enum pgd_contype t)
{
	switch (t) {
	case PGD_CON_PRIMARY: return "primary_key";
	case PGD_CON_UNIQUE: return "unique";
	case PGD_CON_FOREIGN: return "foreign_key";
	case PGD_CON_CHECK: return "check";
	case PGD_CON_EXCLUDE: return "exclude";
	}
	return "unknown";
}

static json_t *privs_json(unsigned p)
{
	json_t *a = json_array();
	for (unsigned b = 0; b < PGD_PRIV_COUNT; b++)
		if (p & (1u << b))
			json_array_append_new(a, json_string(pgd_priv_name(1u << b)));
	return a;
}

/* An ACL: null when no source said, else [{grantee, privileges,
 * grantable}] (grantable only when some privilege has the option). */
static json_t *acl_json(const struct pgd_acl *acl)
{
	if (!acl->known)
		return json_null();
	json_t *a = json_array();
	for (size_t i = 0; i < acl->n; i++) {
		const struct pgd_grant *g = &acl->v[i];
		json_t *j = json_pack("{s:s, s:o}", "grantee", g->grantee,
				      "privileges", privs_json(g->privs));
		if (g->grantable)
			json_object_set_new(j, "grantable", privs_json(g->grantable));
		json_array_append_new(a, j);
	}
	return a;
}

/* owner and acl of an object, each only when known so older readers and
 * older snapshots keep their meaning */
static void add_access(json_t *o, const char *owner, const struct pgd_acl *acl)
{
	if (owner)
		json_object_set_new(o, "owner", json_string(owner));
	if (acl->known)
		json_object_set_new(o, "acl", acl_json(acl));
}

static json_t *table_json(const struct pgd_table *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "schema", json_string(t->obj.schema));
	json_object_set_new(o, "name", json_string(t->obj.name));
	json_object_set_new(o, "rls_enabled", json_boolean(t->rls_enabled));
	json_object_set_new(o, "rls_forced", json_boolean(t->rls_forced));
	json_object_set_new(o, "partitioned", json_boolean(t->relkind == 'p'));
	json_object_set_new(o, "unlogged", json_boolean(t->unlogged));
	json_object_set_new(o, "partition_of", str_or_null(t->partition_of));
	json_object_set_new(o, "columns_unknown", json_boolean(t->columns_unknown));
	json_object_set_new(o, "external", json_boolean(t->external));
	json_object_set_new(o, "owner", str_or_null(t->owner));
	json_object_set_new(o, "comment", str_or_null(t->comment));
	add_sources(o, &t->obj);

	json_t *cols = json_array();
	for (size_t i = 0; i < t->ncolumns; i++) {
		const struct pgd_column *c = t->columns[i];
		json_t *j = json_object();
		json_object_set_new(j, "name", json_string(c->obj.name));
		json_object_set_new(j, "type", json_string(c->type));
		json_object_set_new(j, "not_null", json_boolean(c->not_null));
		json_object_set_new(j, "default",
				    str_or_null(c->generated ? NULL : c->def));
		json_object_set_new(j, "identity", c->identity == 'a'
			? json_string("always") : c->identity == 'd'
			? json_string("by default") : json_null());
		json_object_set_new(j, "generated", str_or_null(c->generated ? c->def
									      : NULL));
		if (c->generated == 'v') /* PostgreSQL 18; absent: stored */
			json_object_set_new(j, "virtual", json_true());
		json_object_set_new(j, "collation", str_or_null(c->collation));
		if (c->comment) /* only when set: older snapshots stay valid */
			json_object_set_new(j, "comment", json_string(c->comment));
		if (c->acl.known && c->acl.n)
			json_object_set_new(j, "acl", acl_json(&c->acl));
		add_sources(j, &c->obj);
		json_array_append_new(cols, j);
	}
	json_object_set_new(o, "columns", cols);

	json_t *cons = json_array();
	for (size_t i = 0; i < t->nconstraints; i++) {
		const struct pgd_constraint *c = t->constraints[i];
		json_t *j = json_object();
		json_object_set_new(j, "name", json_string(c->obj.name));
		json_object_set_new(j, "type", json_string(contype_name(c->type)));
		json_object_set_new(j, "definition", str_or_null(c->def));
		json_object_set_new(j, "columns", str_array(c->columns, c->ncolumns));
		if (c->type == PGD_CON_FOREIGN)
			json_object_set_new(j, "references", json_pack("{s:s, s:s, s:o}",
				"schema", c->ref_schema, "table", c->ref_table,
				"columns", str_array(c->ref_columns, c->nref_columns)));
		json_object_set_new(j, "validated", json_boolean(c->validated));
		add_sources(j, &c->obj);
		json_array_append_new(cons, j);
	}
	json_object_set_new(o, "constraints", cons);

	json_t *idx = json_array();
	for (size_t i = 0; i < t->nindexes; i++) {
		const struct pgd_index *ix = t->indexes[i];
		json_t *j = json_object();
		json_object_set_new(j, "name", json_string(ix->obj.name));
		json_object_set_new(j, "definition", str_or_null(ix->def));
		json_object_set_new(j, "unique", json_boolean(ix->unique));
		json_object_set_new(j, "primary", json_boolean(ix->primary));
		json_object_set_new(j, "constraint", str_or_null(ix->constraint));
		add_sources(j, &ix->obj);
		json_array_append_new(idx, j);
	}
	json_object_set_new(o, "indexes", idx);

	json_t *pols = json_array();
	for (size_t i = 0; i < t->npolicies; i++) {
		const struct pgd_policy *p = t->policies[i];
		json_t *j = json_object();
		json_object_set_new(j, "name", json_string(p->obj.name));
		json_object_set_new(j, "command", json_string(pgd_polcmd_name(p->cmd)));
		json_object_set_new(j, "permissive", json_boolean(p->permissive));
		json_object_set_new(j, "roles", str_array(p->roles, p->nroles));
		json_object_set_new(j, "using", str_or_null(p->using_expr));
		json_object_set_new(j, "with_check", str_or_null(p->check_expr));
		add_sources(j, &p->obj);
		json_array_append_new(pols, j);
	}
	json_object_set_new(o, "policies", pols);

	json_t *trg = json_array();
	for (size_t i = 0; i < t->ntriggers; i++) {
		const struct pgd_trigger *tg = t->triggers[i];
		json_t *j = json_pack("{s:s, s:o}", "name", tg->obj.name,
				      "definition", str_or_null(tg->def));
		add_sources(j, &tg->obj);
		json_array_append_new(trg, j);
	}
	json_object_set_new(o, "triggers", trg);

	if (t->acl.known)
		json_object_set_new(o, "acl", acl_json(&t->acl));
	return o;
}

void pgd_snapshot_write(struct pgd_schema *m, struct pgd_strbuf *out)
{
	pgd_schema_sort(m);
	json_t *root = json_object();
	json_object_set_new(root, "format", json_string(PGD_SNAPSHOT_FORMAT));
	json_object_set_new(root, "origin", str_or_null(m->origin));
	if (m->server_version) /* a snapshot of a database names its server */
		json_object_set_new(root, "server_version",
				    json_string(m->server_version));

	json_t *a = json_array();
	for (size_t i = 0; i < m->nnamespaces; i++) {
		json_t *j = json_pack("{s:s, s:b}", "name", m->namespaces[i]->obj.name,
				      "created", m->namespaces[i]->created);
		add_access(j, m->namespaces[i]->owner, &m->namespaces[i]->acl);
		add_sources(j, &m->namespaces[i]->obj);
		json_array_append_new(a, j);
	}
	json_object_set_new(root, "schemas", a);

	a = json_array();
	for (size_t i = 0; i < m->nextensions; i++) {
		json_t *j = json_pack("{s:s, s:s}", "name", m->extensions[i]->obj.name,
				      "schema", m->extensions[i]->obj.schema);
		add_sources(j, &m->extensions[i]->obj);
		json_array_append_new(a, j);
	}
	json_object_set_new(root, "extensions", a);

	a = json_array();
	for (size_t i = 0; i < m->ntypes; i++) {
		const struct pgd_type *ty = m->types[i];
		json_t *j = json_pack("{s:s, s:s, s:s}", "schema", ty->obj.schema,
				      "name", ty->obj.name, "kind",
				      ty->typtype == 'e' ? "enum" : "domain");
		if (ty->typtype == 'e')
			json_object_set_new(j, "labels", str_array(ty->labels, ty->nlabels));
		else
			json_object_set_new(j, "definition", str_or_null(ty->def));
		add_access(j, ty->owner, &ty->acl);
		add_sources(j, &ty->obj);
		json_array_append_new(a, j);
	}
	json_object_set_new(root, "types", a);

	a = json_array();
	for (size_t i = 0; i < m->nsequences; i++) {
		const struct pgd_sequence *s = m->sequences[i];
		json_t *j = json_pack("{s:s, s:s, s:o, s:b}", "schema", s->obj.schema,
				      "name", s->obj.name, "owned_by",
				      str_or_null(s->owned_by), "identity", s->identity);
		add_access(j, s->owner, &s->acl);
		add_sources(j, &s->obj);
		json_array_append_new(a, j);
	}
	json_object_set_new(root, "sequences", a);

	a = json_array();
	for (size_t i = 0; i < m->ntables; i++)
		json_array_append_new(a, table_json(m->tables[i]));
	json_object_set_new(root, "tables", a);

	a = json_array();
	for (size_t i = 0; i < m->nviews; i++) {
		const struct pgd_view *v = m->views[i];
		json_t *j = json_pack("{s:s, s:s, s:b, s:b}", "schema", v->obj.schema,
				      "name", v->obj.name, "materialized",
				      v->relkind == 'm', "security_invoker",
				      v->security_invoker);
		add_access(j, v->owner, &v->acl);
		add_sources(j, &v->obj);
		json_array_append_new(a, j);
	}
	json_object_set_new(root, "views", a);

	a = json_array();
	for (size_t i = 0; i < m->nfunctions; i++) {
		const struct pgd_function *f = m->functions[i];
		json_t *j = json_pack("{s:s, s:s, s:s, s:b}", "schema", f->obj.schema,
				      "name", f->obj.name, "arguments", f->args,
				      "security_definer", f->security_definer);
		add_access(j, f->owner, &f->acl);
		if (f->attrs_known) {
			char vol[2] = { f->volatility, 0 }, par[2] = { f->parallel, 0 };
			json_object_set_new(j, "attributes", json_pack(
				"{s:s, s:s, s:o, s:o, s:b, s:s, s:b, s:b, s:s, s:s, s:s, s:o}",
				"kind", f->prokind == 'p' ? "procedure" : "function",
				"language", f->language ? f->language : "",
				"returns", str_or_null(f->returns),
				"body", str_or_null(f->body), "atomic", f->atomic,
				"volatility", vol, "strict", f->strict,
				"leakproof", f->leakproof, "parallel", par,
				"cost", f->cost ? f->cost : "", "rows", f->rows ? f->rows : "",
				"config", str_array(f->config, f->nconfig)));
		}
		add_sources(j, &f->obj);
		json_array_append_new(a, j);
	}
	json_object_set_new(root, "functions", a);

	a = json_array();
	for (size_t i = 0; i < m->ndefault_acls; i++) {
		const struct pgd_default_acl *d = m->default_acls[i];
		char ot[2] = { d->objtype, 0 };
		json_t *j = json_pack("{s:s, s:o, s:s, s:o, s:b}", "role", d->role,
				      "schema", str_or_null(d->schema), "objtype", ot,
				      "acl", acl_json(&d->acl), "platform", d->platform);
		json_object_set_new(j, "source", src_json(&d->src));
		json_array_append_new(a, j);
	}
	json_object_set_new(root, "default_privileges", a);

	a = json_array();
	for (size_t i = 0; i < m->nroles; i++) {
		const struct pgd_role *r = m->roles[i];
		json_array_append_new(a, json_pack("{s:s, s:b, s:b, s:b, s:o}",
			"name", r->name, "superuser", r->superuser,
			"bypassrls", r->bypassrls, "inherit", r->inherit,
			"member_of", str_array(r->member_of, r->nmember_of)));
	}
	json_object_set_new(root, "roles", a);
	if (m->platform)
		json_object_set_new(root, "platform", json_pack("{s:s, s:o}",
			"profile", m->platform, "era", str_or_null(m->platform_era)));
	if (m->server_major)
		json_object_set_new(root, "server_major", json_integer(m->server_major));

	a = json_array();
	for (size_t i = 0; i < m->ntombstones; i++) {
		const struct pgd_tombstone *ts = &m->tombstones[i];
		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:s, s:o}",
			"kind", pgd_kind_name(ts->kind), "schema", str_or_null(ts->schema),
			"table", str_or_null(ts->table), "name", ts->name,
			"dropped", src_json(&ts->dropped)));
	}
	json_object_set_new(root, "dropped", a);

	a = json_array();
	for (size_t i = 0; i < m->nunmodeled; i++) {
		const struct pgd_unmodeled *u = &m->unmodeled[i];
		json_array_append_new(a, json_pack("{s:o, s:s, s:s}",
			"source", src_json(&u->src), "what", u->what,
			"reason", u->reason));
	}
	json_object_set_new(root, "unmodeled", a);

	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					      JSON_ENSURE_ASCII);
	if (!text)
		PGD_BUG("json_dumps failed");
	pgd_strbuf_addstr(out, text);
	pgd_strbuf_addch(out, '\n');
	free(text);
	json_decref(root);
}

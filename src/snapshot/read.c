/*
 * read.c - JSON snapshot -> model. Strict: an unknown format version, a
 * missing required field or a field of the wrong type is an error naming
 * the object, never a silently emptier model.
 */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "pgdrift/snapshot.h"
#include "pgdrift/strbuf.h"

struct rd {
	struct pgd_schema *m;
	struct pgd_error *err;
	const char *name;
	bool failed;
};

static void bad(struct rd *r, const char *where, const char *what)
{
	if (!r->failed)
		pgd_error_set(r->err, PGD_EXIT_USAGE, "%s: %s: %s", r->name, where,
			      what);
	r->failed = true;
}

static const char *req_str(struct rd *r, json_t *o, const char *key,
			   const char *where)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v)) {
		char *w = pgd_xasprintf("\"%s\" must be a string", key);
		bad(r, where, w);
		free(w);
		return NULL;
	}
	return pgd_schema_strdup(r->m, json_string_value(v));
}

static const char *opt_str(struct rd *r, json_t *o, const char *key,
			   const char *where)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		char *w = pgd_xasprintf("\"%s\" must be a string or null", key);
		bad(r, where, w);
		free(w);
		return NULL;
	}
	return pgd_schema_strdup(r->m, json_string_value(v));
}

static bool opt_bool(struct rd *r, json_t *o, const char *key, const char *where)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return false;
	if (!json_is_boolean(v)) {
		char *w = pgd_xasprintf("\"%s\" must be true or false", key);
		bad(r, where, w);
		free(w);
		return false;
	}
	return json_is_true(v);
}

static json_t *opt_array(struct rd *r, json_t *o, const char *key,
			 const char *where)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_array(v)) {
		char *w = pgd_xasprintf("\"%s\" must be an array", key);
		bad(r, where, w);
		free(w);
		return NULL;
	}
	return v;
}

static const char **str_list(struct rd *r, json_t *o, const char *key,
			     const char *where, size_t *n)
{
	json_t *a = opt_array(r, o, key, where);
	size_t len = a ? json_array_size(a) : 0;
	const char **v = pgd_schema_alloc(r->m, (len ? len : 1) * sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < len; i++) {
		json_t *s = json_array_get(a, i);
		if (!json_is_string(s)) {
			bad(r, where, "list entries must be strings");
			return v;
		}
		v[(*n)++] = pgd_schema_strdup(r->m, json_string_value(s));
	}
	return v;
}

static void read_source(struct rd *r, json_t *o, struct pgd_object *obj)
{
	json_t *s = json_object_get(o, "source");
	if (json_is_object(s) && json_is_string(json_object_get(s, "file"))) {
		obj->created.file = pgd_schema_strdup(r->m,
			json_string_value(json_object_get(s, "file")));
		obj->created.line = (unsigned)json_integer_value(
			json_object_get(s, "line"));
	}
}

static unsigned privs_of_list(struct rd *r, json_t *x, const char *key,
			      const char *where)
{
	size_t np;
	const char **names = str_list(r, x, key, where, &np);
	unsigned bits = 0;
	for (size_t k = 0; k < np; k++) {
		unsigned b = pgd_priv_parse(names[k]);
		if (!b)
			bad(r, where, "unknown privilege in an ACL");
		bits |= b;
	}
	return bits;
}

/* "acl": null (unknown) or [{grantee, privileges, grantable?}] */
static void read_acl(struct rd *r, json_t *o, struct pgd_acl *acl,
		     const char *where)
{
	json_t *a = opt_array(r, o, "acl", where), *x;
	size_t i;
	if (!a)
		return;
	acl->known = true;
	json_array_foreach(a, i, x) {
		const char *g = req_str(r, x, "grantee", where);
		if (r->failed)
			return;
		unsigned p = privs_of_list(r, x, "privileges", where);
		unsigned go = privs_of_list(r, x, "grantable", where);
		pgd_acl_grant(r->m, acl, g, p, go);
	}
}

static enum pgd_contype contype(const char *s)
{
	if (!strcmp(s, "primary_key")) return PGD_CON_PRIMARY;
	if (!strcmp(s, "unique")) return PGD_CON_UNIQUE;
	if (!strcmp(s, "foreign_key")) return PGD_CON_FOREIGN;
	if (!strcmp(s, "exclude")) return PGD_CON_EXCLUDE;
	return PGD_CON_CHECK;
}

static enum pgd_polcmd polcmd(const char *s)
{
	if (!strcmp(s, "SELECT")) return PGD_POL_SELECT;
	if (!strcmp(s, "INSERT")) return PGD_POL_INSERT;
	if (!strcmp(s, "UPDATE")) return PGD_POL_UPDATE;
	if (!strcmp(s, "DELETE")) return PGD_POL_DELETE;
	return PGD_POL_ALL;
}

static void read_table(struct rd *r, json_t *o)
{
	const char *schema = req_str(r, o, "schema", "a table");
	const char *name = req_str(r, o, "name", "a table");
	if (r->failed)
		return;
	char *where = pgd_xasprintf("table %s.%s", schema, name);
	struct pgd_table *t = pgd_schema_add_table(r->m, schema, name);
	read_source(r, o, &t->obj);
	t->rls_enabled = opt_bool(r, o, "rls_enabled", where);
	t->rls_forced = opt_bool(r, o, "rls_forced", where);
	t->rls_set = true;
	t->relkind = opt_bool(r, o, "partitioned", where) ? 'p' : 'r';
	t->unlogged = opt_bool(r, o, "unlogged", where);
	t->columns_unknown = opt_bool(r, o, "columns_unknown", where);
	t->external = opt_bool(r, o, "external", where);
	t->partition_of = opt_str(r, o, "partition_of", where);
	t->owner = opt_str(r, o, "owner", where);
	t->comment = opt_str(r, o, "comment", where);
	json_t *a, *x;
	size_t i;
	if ((a = opt_array(r, o, "columns", where)))
		json_array_foreach(a, i, x) {
			const char *cn = req_str(r, x, "name", where);
			const char *ty = req_str(r, x, "type", where);
			if (r->failed)
				break;
			struct pgd_column *c = pgd_table_add_column(r->m, t, cn);
			read_source(r, x, &c->obj);
			c->type = ty;
			c->not_null = opt_bool(r, x, "not_null", where);
			c->def = opt_str(r, x, "default", where);
			const char *id = opt_str(r, x, "identity", where);
			c->identity = !id ? 0 : !strcmp(id, "always") ? 'a' : 'd';
			const char *gen = opt_str(r, x, "generated", where);
			if (gen) {
				c->generated = opt_bool(r, x, "virtual", where) ? 'v' : 's';
				c->def = gen;
			}
			c->collation = opt_str(r, x, "collation", where);
			c->comment = opt_str(r, x, "comment", where);
			read_acl(r, x, &c->acl, where);
		}
	if ((a = opt_array(r, o, "constraints", where)))
		json_array_foreach(a, i, x) {
			const char *cn = req_str(r, x, "name", where);
			const char *ty = req_str(r, x, "type", where);
			if (r->failed)
				break;
			struct pgd_constraint *c = pgd_table_add_constraint(r->m, t, cn);
			read_source(r, x, &c->obj);
			c->type = contype(ty);
			c->def = opt_str(r, x, "definition", where);
			c->columns = str_list(r, x, "columns", where, &c->ncolumns);
			json_t *ref = json_object_get(x, "references");
			if (json_is_object(ref)) {
				c->ref_schema = opt_str(r, ref, "schema", where);
				c->ref_table = opt_str(r, ref, "table", where);
				c->ref_columns = str_list(r, ref, "columns", where,
							  &c->nref_columns);
			}
			json_t *v = json_object_get(x, "validated");
			c->validated = !v || json_is_true(v);
		}
	if ((a = opt_array(r, o, "indexes", where)))
		json_array_foreach(a, i, x) {
			const char *in = req_str(r, x, "name", where);
			if (r->failed)
				break;
			struct pgd_index *ix = pgd_table_add_index(r->m, t, in);
			read_source(r, x, &ix->obj);
			ix->def = opt_str(r, x, "definition", where);
			ix->unique = opt_bool(r, x, "unique", where);
			ix->primary = opt_bool(r, x, "primary", where);
			ix->constraint = opt_str(r, x, "constraint", where);
		}
	if ((a = opt_array(r, o, "policies", where)))
		json_array_foreach(a, i, x) {
			const char *pn = req_str(r, x, "name", where);
			const char *cmd = req_str(r, x, "command", where);
			if (r->failed)
				break;
			struct pgd_policy *p = pgd_table_add_policy(r->m, t, pn);
			read_source(r, x, &p->obj);
			p->cmd = polcmd(cmd);
			json_t *perm = json_object_get(x, "permissive");
			p->permissive = !perm || json_is_true(perm);
			p->roles = str_list(r, x, "roles", where, &p->nroles);
			if (!p->nroles) {
				p->roles[0] = "public";
				p->nroles = 1;
			}
			p->using_expr = opt_str(r, x, "using", where);
			p->check_expr = opt_str(r, x, "with_check", where);
		}
	if ((a = opt_array(r, o, "triggers", where)))
		json_array_foreach(a, i, x) {
			const char *tn = req_str(r, x, "name", where);
			if (r->failed)
				break;
			struct pgd_trigger *tg = pgd_table_add_trigger(r->m, t, tn);
			read_source(r, x, &tg->obj);
			tg->def = opt_str(r, x, "definition", where);
		}
	/* "acl" since privileges are modeled; the older "grants" list (only
	 * ever written from a database) still reads */
	read_acl(r, o, &t->acl, where);
	if (!t->acl.known && (a = opt_array(r, o, "grants", where)))
		json_array_foreach(a, i, x) {
			const char *g = req_str(r, x, "grantee", where);
			if (r->failed)
				break;
			pgd_table_grant(r->m, t, g,
					privs_of_list(r, x, "privileges", where), false);
		}
	free(where);
}

int pgd_snapshot_read_text(const char *name, const char *text,
			   struct pgd_schema **out, struct pgd_error *err)
{
	json_error_t je;
	*out = NULL;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		pgd_error_set(err, PGD_EXIT_USAGE, "%s:%d:%d: malformed JSON: %s", name,
			      je.line, je.column, je.text);
		return -1;
	}
	struct rd r = { pgd_schema_new(), err, name, false };
	json_t *fmt = json_object_get(root, "format");
	if (!json_is_object(root) || !json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), PGD_SNAPSHOT_FORMAT) != 0) {
		pgd_error_set(err, PGD_EXIT_USAGE,
			      "%s: not a pgdrift snapshot (\"format\" must be \"%s\")",
			      name, PGD_SNAPSHOT_FORMAT);
		json_decref(root);
		pgd_schema_free(r.m);
		return -1;
	}
	r.m->origin = pgd_schema_strdup(r.m, name);
	r.m->server_version = opt_str(&r, root, "server_version", "snapshot");
	json_t *a, *x;
	size_t i;
	if ((a = opt_array(&r, root, "schemas", "snapshot")))
		json_array_foreach(a, i, x) {
			const char *n = req_str(&r, x, "name", "a schema");
			if (r.failed)
				break;
			struct pgd_namespace *ns = pgd_schema_add_namespace(r.m, n);
			ns->created = opt_bool(&r, x, "created", "a schema");
			ns->owner = opt_str(&r, x, "owner", "a schema");
			read_acl(&r, x, &ns->acl, "a schema");
			read_source(&r, x, &ns->obj);
		}
	if ((a = opt_array(&r, root, "extensions", "snapshot")))
		json_array_foreach(a, i, x) {
			const char *n = req_str(&r, x, "name", "an extension");
			const char *s = req_str(&r, x, "schema", "an extension");
			if (r.failed)
				break;
			read_source(&r, x, &pgd_schema_add_extension(r.m, n, s)->obj);
		}
	if ((a = opt_array(&r, root, "types", "snapshot")))
		json_array_foreach(a, i, x) {
			const char *s = req_str(&r, x, "schema", "a type");
			const char *n = req_str(&r, x, "name", "a type");
			const char *k = req_str(&r, x, "kind", "a type");
			if (r.failed)
				break;
			struct pgd_type *ty = pgd_schema_add_type(r.m, s, n);
			read_source(&r, x, &ty->obj);
			ty->typtype = !strcmp(k, "enum") ? 'e' : 'd';
			if (ty->typtype == 'e')
				ty->labels = str_list(&r, x, "labels", "a type", &ty->nlabels);
			else
				ty->def = opt_str(&r, x, "definition", "a type");
			ty->owner = opt_str(&r, x, "owner", "a type");
			read_acl(&r, x, &ty->acl, "a type");
		}
	if ((a = opt_array(&r, root, "sequences", "snapshot")))
		json_array_foreach(a, i, x) {
			const char *s = req_str(&r, x, "schema", "a sequence");
			const char *n = req_str(&r, x, "name", "a sequence");
			if (r.failed)
				break;
			struct pgd_sequence *sq = pgd_schema_add_sequence(r.m, s, n);
			read_source(&r, x, &sq->obj);
			sq->owned_by = opt_str(&r, x, "owned_by", "a sequence");
			sq->identity = opt_bool(&r, x, "identity", "a sequence");
			sq->owner = opt_str(&r, x, "owner", "a sequence");
			read_acl(&r, x, &sq->acl, "a sequence");
		}
	if ((a = opt_array(&r, root, "tables", "snapshot")))
		json_array_foreach(a, i, x) {
			if (!json_is_object(x)) {
				bad(&r, "tables", "entries must be objects");
				break;
			}
			read_table(&r, x);
			if (r.failed)
				break;
		}
	if ((a = opt_array(&r, root, "views", "snapshot")))
		json_array_foreach(a, i, x) {
			const char *s = req_str(&r, x, "schema", "a view");
			const char *n = req_str(&r, x, "name", "a view");
			if (r.failed)
				break;
			struct pgd_view *v = pgd_schema_add_view(r.m, s, n);
			read_source(&r, x, &v->obj);
			v->relkind = opt_bool(&r, x, "materialized", "a view") ? 'm' : 'v';
			v->security_invoker = opt_bool(&r, x, "security_invoker", "a view");
			v->owner = opt_str(&r, x, "owner", "a view");
			read_acl(&r, x, &v->acl, "a view");
		}
	if ((a = opt_array(&r, root, "functions", "snapshot")))
		json_array_foreach(a, i, x) {
			const char *s = req_str(&r, x, "schema", "a function");
			const char *n = req_str(&r, x, "name", "a function");
			const char *args = req_str(&r, x, "arguments", "a function");
			if (r.failed)
				break;
			struct pgd_function *f = pgd_schema_add_function(r.m, s, n, args);
			read_source(&r, x, &f->obj);
			f->security_definer = opt_bool(&r, x, "security_definer", "a function");
			f->owner = opt_str(&r, x, "owner", "a function");
			read_acl(&r, x, &f->acl, "a function");
			json_t *at = json_object_get(x, "attributes");
			if (json_is_object(at)) {
				const char *w = "a function's attributes";
				const char *k = opt_str(&r, at, "kind", w);
				const char *vol = opt_str(&r, at, "volatility", w);
				const char *par = opt_str(&r, at, "parallel", w);
				f->attrs_known = true;
				f->prokind = k && !strcmp(k, "procedure") ? 'p' : 'f';
				f->language = opt_str(&r, at, "language", w);
				f->returns = opt_str(&r, at, "returns", w);
				f->body = opt_str(&r, at, "body", w);
				f->atomic = opt_bool(&r, at, "atomic", w);
				f->volatility = vol && *vol ? vol[0] : 'v';
				f->parallel = par && *par ? par[0] : 'u';
				f->strict = opt_bool(&r, at, "strict", w);
				f->leakproof = opt_bool(&r, at, "leakproof", w);
				f->cost = opt_str(&r, at, "cost", w);
				f->rows = opt_str(&r, at, "rows", w);
				f->config = str_list(&r, at, "config", w, &f->nconfig);
			}
		}
	if ((a = opt_array(&r, root, "default_privileges", "snapshot")))
		json_array_foreach(a, i, x) {
			const char *w = "a default_privileges entry";
			const char *role = req_str(&r, x, "role", w);
			const char *ot = req_str(&r, x, "objtype", w);
			if (r.failed)
				break;
			const char *sch = opt_str(&r, x, "schema", w);
			struct pgd_default_acl *d = pgd_schema_default_acl(r.m, role, sch,
									   ot[0]);
			pgd_acl_clear(&d->acl);
			read_acl(&r, x, &d->acl, w);
			d->platform = opt_bool(&r, x, "platform", w);
		}
	if ((a = opt_array(&r, root, "roles", "snapshot")))
		json_array_foreach(a, i, x) {
			const char *n = req_str(&r, x, "name", "a role");
			if (r.failed)
				break;
			struct pgd_role *ro = pgd_schema_add_role(r.m, n);
			ro->superuser = opt_bool(&r, x, "superuser", "a role");
			ro->bypassrls = opt_bool(&r, x, "bypassrls", "a role");
			json_t *inh = json_object_get(x, "inherit");
			ro->inherit = !inh || json_is_true(inh);
			ro->member_of = str_list(&r, x, "member_of", "a role",
						 &ro->nmember_of);
		}
	json_t *pf = json_object_get(root, "platform");
	if (json_is_object(pf)) {
		r.m->platform = opt_str(&r, pf, "profile", "platform");
		r.m->platform_era = opt_str(&r, pf, "era", "platform");
	}
	json_t *sm = json_object_get(root, "server_major");
	if (json_is_integer(sm))
		r.m->server_major = (int)json_integer_value(sm);
	json_decref(root);
	if (r.failed) {
		pgd_schema_free(r.m);
		return -1;
	}
	*out = r.m;
	return 0;
}

int pgd_snapshot_read_file(const char *path, struct pgd_schema **out,
			   struct pgd_error *err)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	*out = NULL;
	if (pgd_strbuf_read_file(&sb, path) < 0) {
		pgd_error_set(err, PGD_EXIT_USAGE, "cannot read %s: %s", path,
			      strerror(errno));
		pgd_strbuf_release(&sb);
		return -1;
	}
	if (memchr(sb.buf, '\0', sb.len)) {
		pgd_error_set(err, PGD_EXIT_USAGE, "%s: NUL byte in a JSON file", path);
		pgd_strbuf_release(&sb);
		return -1;
	}
	int rc = pgd_snapshot_read_text(path, sb.buf, out, err);
	pgd_strbuf_release(&sb);
	return rc;
}

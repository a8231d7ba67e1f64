/*
 * ddl_type.c - enums (CREATE TYPE AS ENUM, ALTER TYPE ADD VALUE) and
 * domains.
 */
#include <string.h>

#include "replay.h"

static bool type_target(struct replay *r, PgQuery__Node **names, size_t n,
			const char **schema, const char **name)
{
	if (!rp_split_names(names, n, schema, name))
		return false;
	if (!*schema)
		*schema = rp_create_schema(r);
	return true;
}

void rp_create_enum(struct replay *r, PgQuery__CreateEnumStmt *s)
{
	const char *schema, *name;
	if (!type_target(r, s->type_name, s->n_type_name, &schema, &name))
		return;
	if (pgd_schema_find_type(r->m, schema, name)) {
		rp_error(r, -1, "type \"%s\" already exists", name);
		return;
	}
	struct pgd_type *ty = pgd_schema_add_type(r->m, schema, name);
	ty->obj.created = r->src;
	ty->typtype = 'e';
	ty->labels = pgd_schema_alloc(r->m, (s->n_vals + 1) * sizeof(*ty->labels));
	for (size_t i = 0; i < s->n_vals; i++) {
		const char *v = pgd_pgq_str(s->vals[i]);
		ty->labels[ty->nlabels++] = pgd_schema_strdup(r->m, v ? v : "");
	}
}

static struct pgd_type *find_type(struct replay *r, PgQuery__Node **names,
				  size_t n)
{
	const char *schema, *name;
	if (!rp_split_names(names, n, &schema, &name))
		return NULL;
	if (schema)
		return pgd_schema_find_type(r->m, schema, name);
	for (size_t i = 0; i < r->nsearch_path; i++) {
		struct pgd_type *ty = pgd_schema_find_type(r->m, r->search_path[i], name);
		if (ty)
			return ty;
	}
	return NULL;
}

void rp_alter_enum(struct replay *r, PgQuery__AlterEnumStmt *s)
{
	struct pgd_type *ty = find_type(r, s->type_name, s->n_type_name);
	if (!ty || ty->typtype != 'e') {
		rp_error(r, -1, "enum type does not exist");
		return;
	}
	if (s->old_val && *s->old_val) { /* RENAME VALUE */
		for (size_t i = 0; i < ty->nlabels; i++)
			if (strcmp(ty->labels[i], s->old_val) == 0) {
				ty->labels[i] = pgd_schema_strdup(r->m, s->new_val);
				rp_touch(r, &ty->obj);
				return;
			}
		rp_error(r, -1, "\"%s\" is not an existing enum label", s->old_val);
		return;
	}
	for (size_t i = 0; i < ty->nlabels; i++)
		if (strcmp(ty->labels[i], s->new_val) == 0) {
			if (!s->skip_if_new_val_exists)
				rp_error(r, -1, "enum label \"%s\" already exists",
					 s->new_val);
			return;
		}
	size_t pos = ty->nlabels;
	if (s->new_val_neighbor && *s->new_val_neighbor) {
		for (size_t i = 0; i < ty->nlabels; i++)
			if (strcmp(ty->labels[i], s->new_val_neighbor) == 0)
				pos = s->new_val_is_after ? i + 1 : i;
	}
	const char **v = pgd_schema_alloc(r->m, (ty->nlabels + 1) * sizeof(*v));
	PGD_COPY(v, ty->labels, pos * sizeof(*v));
	v[pos] = pgd_schema_strdup(r->m, s->new_val);
	PGD_COPY(v + pos + 1, ty->labels + pos, (ty->nlabels - pos) * sizeof(*v));
	ty->labels = v;
	ty->nlabels++;
	rp_touch(r, &ty->obj);
}

void rp_create_domain(struct replay *r, PgQuery__CreateDomainStmt *s)
{
	const char *schema, *name;
	if (!type_target(r, s->domainname, s->n_domainname, &schema, &name))
		return;
	if (pgd_schema_find_type(r->m, schema, name)) {
		rp_error(r, -1, "type \"%s\" already exists", name);
		return;
	}
	struct pgd_nctx ctx = rp_nctx(r, NULL, NULL);
	struct pgd_strbuf err = PGD_STRBUF_INIT;
	int serial;
	char *base = pgd_norm_typename(&ctx, s->type_name, &serial, &err);
	if (!base) {
		rp_error(r, -1, "%s", err.buf);
		pgd_strbuf_release(&err);
		return;
	}
	struct pgd_type *ty = pgd_schema_add_type(r->m, schema, name);
	ty->obj.created = r->src;
	ty->typtype = 'd';
	ctx.value_type = base; /* VALUE in its CHECK constraints */
	struct pgd_strbuf def = PGD_STRBUF_INIT;
	pgd_strbuf_addstr(&def, base);
	for (size_t i = 0; i < s->n_constraints; i++) {
		PgQuery__Constraint *c = s->constraints[i]->constraint;
		if (!c)
			continue;
		if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL)
			pgd_strbuf_addstr(&def, " NOT NULL");
		else if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK && c->raw_expr) {
			char *e = pgd_norm_expr(&ctx, &c->raw_expr, &err);
			if (e)
				pgd_strbuf_addf(&def, " CHECK (%s)", e);
			free(e);
		}
	}
	ty->def = pgd_schema_strdup(r->m, def.buf);
	pgd_strbuf_release(&def);
	pgd_strbuf_release(&err);
	free(base);
}

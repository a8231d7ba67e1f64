/*
 * ddl_setting.c - settings that change how later statements read:
 * SET search_path, SELECT set_config('search_path', ...) as pg_dump writes
 * it, and the schemas PostgREST exposes (pgrst.db_schemas).
 */
#include <string.h>

#include "replay.h"

/* ---- SET search_path and set_config() */

/* Splits "a, \"B\", c" as PostgreSQL reads a search_path value. */
static size_t split_path(const char *value, char ***out)
{
	size_t n = 0, alloc = 0;
	const char *p = value;
	*out = NULL;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"') {
					if (p[1] != '"') {
						p++;
						break;
					}
					p++;
				}
				pgd_strbuf_addch(&sb, *p);
			}
		} else {
			for (; *p && *p != ',' && *p != ' ' && *p != '\t'; p++)
				pgd_strbuf_addch(&sb, (*p >= 'A' && *p <= 'Z')
							      ? *p + 32 : *p);
		}
		PGD_GROW(*out, alloc, n + 1);
		(*out)[n++] = pgd_strbuf_detach(&sb, NULL);
	}
	return n;
}

void rp_apply_search_path(struct replay *r, const char *value)
{
	char **names;
	size_t n = split_path(value, &names);
	rp_set_search_path(r, (const char *const *)names, n);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void rp_variable_set(struct replay *r, PgQuery__VariableSetStmt *s)
{
	if (!s->name || strcmp(s->name, "search_path") != 0)
		return; /* other settings do not change names */
	switch (s->kind) {
	case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE: {
		struct pgd_strbuf v = PGD_STRBUF_INIT;
		for (size_t i = 0; i < s->n_args; i++) {
			PgQuery__Node *a = s->args[i];
			const char *sv = NULL;
			if (a->node_case == PG_QUERY__NODE__NODE_A_CONST &&
			    a->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL)
				sv = a->a_const->sval->sval;
			if (!sv)
				continue;
			if (v.len)
				pgd_strbuf_addch(&v, ',');
			/* each argument is one name, already dequoted */
			pgd_strbuf_addch(&v, '"');
			for (const char *p = sv; *p; p++) {
				if (*p == '"')
					pgd_strbuf_addch(&v, '"');
				pgd_strbuf_addch(&v, *p);
			}
			pgd_strbuf_addch(&v, '"');
		}
		rp_apply_search_path(r, v.buf);
		pgd_strbuf_release(&v);
		break;
	}
	case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT:
	case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET:
	case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL:
		rp_reset_search_path(r);
		break;
	default:
		break;
	}
}

/* SELECT set_config('search_path', 'x, y', false) as pg_dump writes it. */
bool rp_select_set_config(struct replay *r, PgQuery__SelectStmt *s)
{
	bool found = false;
	for (size_t i = 0; i < s->n_target_list; i++) {
		PgQuery__Node *t = s->target_list[i];
		if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET ||
		    !t->res_target->val ||
		    t->res_target->val->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
			continue;
		PgQuery__FuncCall *f = t->res_target->val->func_call;
		const char *fn = pgd_pgq_str(f->funcname[f->n_funcname - 1]);
		if (!fn || strcmp(fn, "set_config") != 0 || f->n_args < 2)
			continue;
		const PgQuery__Node *a0 = f->args[0], *a1 = f->args[1];
		if (a0->node_case != PG_QUERY__NODE__NODE_A_CONST ||
		    a1->node_case != PG_QUERY__NODE__NODE_A_CONST ||
		    a0->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL ||
		    a1->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL)
			continue;
		if (strcmp(a0->a_const->sval->sval, "search_path") != 0)
			continue;
		rp_apply_search_path(r, a1->a_const->sval->sval);
		found = true;
	}
	return found;
}

/* ALTER ROLE authenticator / ALTER DATABASE SET pgrst.db_schemas = '...':
 * the schemas PostgREST exposes, for the RLS review. */
bool rp_set_exposed(struct replay *r, PgQuery__VariableSetStmt *vs)
{
	if (!vs || !vs->name || strcmp(vs->name, "pgrst.db_schemas") != 0 ||
	    vs->kind != PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE || !vs->n_args)
		return false;
	PgQuery__Node *a = vs->args[0];
	if (a->node_case != PG_QUERY__NODE__NODE_A_CONST ||
	    a->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL)
		return false;
	char **names;
	size_t n = split_path(a->a_const->sval->sval, &names);
	const char **v = pgd_schema_alloc(r->m, (n + 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i] = pgd_schema_strdup(r->m, names[i]);
		free(names[i]);
	}
	free(names);
	r->m->exposed_schemas = v;
	r->m->nexposed_schemas = n;
	r->m->exposed_known = true;
	r->m->exposed_src = r->src;
	return true;
}

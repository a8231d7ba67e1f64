/*
 * ddl_function.c - CREATE FUNCTION / PROCEDURE and CREATE TRIGGER replay.
 */
#include <string.h>

#include "replay.h"
#include "pgdrift/eval.h"

/* Canonical argument types of a function: "integer, text". */
static char *function_args(struct replay *r, PgQuery__Node **params, size_t n,
			   bool objfuncargs)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT, err = PGD_STRBUF_INIT;
	struct pgd_nctx ctx = rp_nctx(r, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		PgQuery__TypeName *tn = NULL;
		if (objfuncargs && params[i]->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
			tn = params[i]->type_name;
		} else if (params[i]->node_case == PG_QUERY__NODE__NODE_FUNCTION_PARAMETER) {
			PgQuery__FunctionParameter *fp = params[i]->function_parameter;
			if (fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT ||
			    fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE)
				continue;
			tn = fp->arg_type;
		}
		if (!tn)
			continue;
		int serial;
		char *t = pgd_norm_typename(&ctx, tn, &serial, &err);
		if (sb.len)
			pgd_strbuf_addstr(&sb, ", ");
		pgd_strbuf_addstr(&sb, t ? t : "?");
		free(t);
	}
	pgd_strbuf_release(&err);
	return pgd_strbuf_detach(&sb, NULL);
}

void rp_create_function(struct replay *r, PgQuery__CreateFunctionStmt *s)
{
	const char *schema, *name;
	if (!rp_split_names(s->funcname, s->n_funcname, &schema, &name))
		return;
	if (!schema)
		schema = rp_create_schema(r);
	char *args = function_args(r, s->parameters, s->n_parameters, false);
	struct pgd_function *f = pgd_schema_find_function(r->m, schema, name, args);
	if (f) {
		if (!s->replace) {
			rp_error(r, -1, "function \"%s\" already exists with same "
				 "argument types", name);
			free(args);
			return;
		}
		rp_touch(r, &f->obj);
	} else {
		f = pgd_schema_add_function(r->m, schema, name, args);
		f->obj.created = r->src;
		/* PostgreSQL grants EXECUTE to PUBLIC on a new function */
		f->exec_roles = pgd_schema_alloc(r->m, sizeof(*f->exec_roles));
		f->exec_roles[0] = "public";
		f->nexec_roles = 1;
		f->exec_known = true;
	}
	if (r->ev && r->src.stmt)
		pgd_eval_define(r->ev, schema, name, args, r->src.stmt, r->src.line);
	free(args);
	f->security_definer = false;
	for (size_t i = 0; i < s->n_options; i++) {
		PgQuery__DefElem *de = s->options[i]->def_elem;
		if (de && de->defname && !strcmp(de->defname, "security") && de->arg &&
		    de->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
			f->security_definer = de->arg->boolean->boolval;
	}
}

void rp_create_trigger(struct replay *r, PgQuery__CreateTrigStmt *s)
{
	struct pgd_table *t = rp_table_for(r, s->relation);
	if (!t)
		return;
	struct pgd_trigger *tg = pgd_table_find_trigger(t, s->trigname);
	if (tg && !s->replace) {
		rp_error(r, -1, "trigger \"%s\" for relation \"%s\" already exists",
			 s->trigname, t->obj.name);
		return;
	}
	struct pgd_nctx ctx = rp_nctx(r, t->obj.schema, t->obj.name);
	char *def = pgd_norm_trigger(&ctx, s);
	if (!tg) {
		tg = pgd_table_add_trigger(r->m, t, s->trigname);
		tg->obj.created = r->src;
	} else {
		rp_touch(r, &tg->obj);
	}
	tg->def = pgd_schema_strdup(r->m, def);
	free(def);
}

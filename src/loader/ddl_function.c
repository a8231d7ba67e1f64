/*
 * ddl_function.c - CREATE FUNCTION / PROCEDURE and CREATE TRIGGER replay.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replay.h"
#include "pgdrift/eval.h"

char *rp_function_args(struct replay *r, PgQuery__Node **params, size_t n,
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

/* ---- beyond the signature: body and attributes, as pg_proc keeps them */

/* format_type() without typmods, as pg_get_function_result prints types:
 * "character varying(10)[]" -> "character varying[]". */
static char *strip_typmods(const char *t)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	for (const char *p = t; *p; p++) {
		if (*p == '(') {
			const char *q = p + 1;
			while (*q && (strchr("0123456789, ", *q)))
				q++;
			if (*q == ')' && q > p + 1) {
				p = q;
				if (sb.len && sb.buf[sb.len - 1] == ' ' && p[1] == ' ')
					p++;
				continue;
			}
		}
		pgd_strbuf_addch(&sb, *p);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static char *type_text(struct replay *r, PgQuery__TypeName *tn)
{
	struct pgd_strbuf err = PGD_STRBUF_INIT;
	struct pgd_nctx ctx = rp_nctx(r, NULL, NULL);
	int serial;
	char *t = pgd_norm_typename(&ctx, tn, &serial, &err);
	pgd_strbuf_release(&err);
	char *s = strip_typmods(t ? t : "?");
	free(t);
	return s;
}

/* What pg_get_function_result() prints: "integer", "SETOF public.t",
 * "TABLE(id uuid, n text)", or for OUT parameters their type or "record".
 * NULL for a procedure. */
static const char *function_result(struct replay *r, PgQuery__CreateFunctionStmt *s,
				   bool *set)
{
	*set = false;
	if (s->is_procedure)
		return NULL;
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	size_t nout = 0, ntable = 0;
	PgQuery__FunctionParameter *last_out = NULL;
	for (size_t i = 0; i < s->n_parameters; i++) {
		PgQuery__FunctionParameter *fp = s->parameters[i]->function_parameter;
		if (!fp)
			continue;
		if (fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE) {
			pgd_strbuf_addstr(&sb, ntable++ ? ", " : "TABLE(");
			if (fp->name) {
				pgd_strbuf_add_ident(&sb, fp->name);
				pgd_strbuf_addch(&sb, ' ');
			}
			char *t = type_text(r, fp->arg_type);
			pgd_strbuf_addstr(&sb, t);
			free(t);
		} else if (fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT ||
			   fp->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_INOUT) {
			nout++;
			last_out = fp;
		}
	}
	if (ntable) {
		pgd_strbuf_addch(&sb, ')');
		*set = true;
	} else if (s->return_type) {
		*set = s->return_type->setof;
		if (*set)
			pgd_strbuf_addstr(&sb, "SETOF ");
		bool was_setof = s->return_type->setof;
		s->return_type->setof = false;
		char *t = type_text(r, s->return_type);
		s->return_type->setof = was_setof;
		pgd_strbuf_addstr(&sb, t);
		free(t);
	} else if (nout == 1) {
		char *t = type_text(r, last_out->arg_type);
		pgd_strbuf_addstr(&sb, t);
		free(t);
	} else {
		pgd_strbuf_addstr(&sb, nout ? "record" : "void");
	}
	const char *out = pgd_schema_strdup(r->m, sb.buf);
	pgd_strbuf_release(&sb);
	return out;
}

static bool list_quoted_guc(const char *name)
{
	return !strcmp(name, "search_path") || !strcmp(name, "temp_tablespaces") ||
	       !strcmp(name, "session_preload_libraries") ||
	       !strcmp(name, "local_preload_libraries") ||
	       !strcmp(name, "shared_preload_libraries");
}

/* proconfig's "name=value" for SET name = args (flatten_set_variable_args) */
static char *config_entry(PgQuery__VariableSetStmt *vs)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_addf(&sb, "%s=", vs->name);
	for (size_t i = 0; i < vs->n_args; i++) {
		PgQuery__Node *a = vs->args[i];
		if (i)
			pgd_strbuf_addstr(&sb, ", ");
		if (a->node_case != PG_QUERY__NODE__NODE_A_CONST)
			continue;
		PgQuery__AConst *c = a->a_const;
		switch (c->val_case) {
		case PG_QUERY__A__CONST__VAL_SVAL: {
			const char *v = c->sval->sval ? c->sval->sval : "";
			if (list_quoted_guc(vs->name) &&
			    (!*v || pgd_ident_needs_quotes(v))) {
				pgd_strbuf_addch(&sb, '"');
				for (const char *p = v; *p; p++) {
					if (*p == '"')
						pgd_strbuf_addch(&sb, '"');
					pgd_strbuf_addch(&sb, *p);
				}
				pgd_strbuf_addch(&sb, '"');
			} else {
				pgd_strbuf_addstr(&sb, v);
			}
			break;
		}
		case PG_QUERY__A__CONST__VAL_IVAL:
			pgd_strbuf_addf(&sb, "%d", (int)c->ival->ival);
			break;
		case PG_QUERY__A__CONST__VAL_FVAL:
			pgd_strbuf_addstr(&sb, c->fval->fval ? c->fval->fval : "");
			break;
		case PG_QUERY__A__CONST__VAL_BOOLVAL:
			pgd_strbuf_addstr(&sb, c->boolval->boolval ? "on" : "off");
			break;
		default:
			break;
		}
	}
	return pgd_strbuf_detach(&sb, NULL);
}

/* SET / RESET on a function's proconfig (GUCArrayAdd / GUCArrayDelete):
 * a new name is appended, a known one replaced where it stands. */
static void set_config(struct replay *r, struct pgd_function *f,
		       PgQuery__VariableSetStmt *vs)
{
	if (vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL) {
		f->nconfig = 0;
		return;
	}
	if (!vs->name)
		return;
	size_t nlen = strlen(vs->name), at = f->nconfig;
	for (size_t i = 0; i < f->nconfig; i++)
		if (!strncmp(f->config[i], vs->name, nlen) && f->config[i][nlen] == '=')
			at = i;
	if (vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET ||
	    vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT) {
		if (at < f->nconfig) {
			memmove(&f->config[at], &f->config[at + 1],
				(f->nconfig - at - 1) * sizeof(*f->config));
			f->nconfig--;
		}
		return;
	}
	if (vs->kind != PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE) {
		rp_unmodeled(r, "SET ... FROM CURRENT", "the session's value is not known");
		return;
	}
	char *e = config_entry(vs);
	const char **v = pgd_schema_alloc(r->m, (f->nconfig + 1) * sizeof(*v));
	PGD_COPY(v, f->config, f->nconfig * sizeof(*v));
	v[at] = pgd_schema_strdup(r->m, e);
	if (at == f->nconfig)
		f->nconfig++;
	f->config = v;
	free(e);
}

static const char *number_text(struct replay *r, const PgQuery__Node *n)
{
	double v = 0;
	if (n && n->node_case == PG_QUERY__NODE__NODE_INTEGER)
		v = n->integer->ival;
	else if (n && n->node_case == PG_QUERY__NODE__NODE_FLOAT && n->float_->fval)
		v = strtod(n->float_->fval, NULL);
	char buf[64];
	snprintf(buf, sizeof(buf), "%g", (double)(float)v);
	return pgd_schema_strdup(r->m, buf);
}

/* One option of CREATE FUNCTION or ALTER FUNCTION. */
static void function_option(struct replay *r, struct pgd_function *f,
			    PgQuery__DefElem *de)
{
	if (!de || !de->defname)
		return;
	const char *n = de->defname;
	const PgQuery__Node *a = de->arg;
	bool b = a && a->node_case == PG_QUERY__NODE__NODE_BOOLEAN && a->boolean->boolval;
	if (!strcmp(n, "security"))
		f->security_definer = b;
	else if (!strcmp(n, "strict"))
		f->strict = b;
	else if (!strcmp(n, "leakproof"))
		f->leakproof = b;
	else if (!strcmp(n, "language") && pgd_pgq_str(a))
		f->language = pgd_schema_strdup(r->m, pgd_pgq_str(a));
	else if (!strcmp(n, "volatility") && pgd_pgq_str(a))
		f->volatility = pgd_pgq_str(a)[0];
	else if (!strcmp(n, "parallel") && pgd_pgq_str(a))
		f->parallel = pgd_pgq_str(a)[0];
	else if (!strcmp(n, "cost"))
		f->cost = number_text(r, a);
	else if (!strcmp(n, "rows"))
		f->rows = number_text(r, a);
	else if (!strcmp(n, "set") && a && a->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT)
		set_config(r, f, a->variable_set_stmt);
	else if (!strcmp(n, "as") && a && a->node_case == PG_QUERY__NODE__NODE_LIST &&
		 a->list->n_items) {
		/* one string: the body; two (C): object file and symbol */
		const char *src = pgd_pgq_str(a->list->items[a->list->n_items - 1]);
		f->body = pgd_schema_strdup(r->m, src ? src : "");
		f->atomic = false;
	}
}

/* Sets f's body and attributes from CREATE [OR REPLACE] FUNCTION s: what
 * the statement does not say gets PostgreSQL's default. */
static void function_attrs(struct replay *r, struct pgd_function *f,
			   PgQuery__CreateFunctionStmt *s)
{
	bool set;
	f->attrs_known = true;
	f->prokind = s->is_procedure ? 'p' : 'f';
	f->returns = function_result(r, s, &set);
	f->security_definer = f->strict = f->leakproof = false;
	f->volatility = 'v';
	f->parallel = 'u';
	f->language = pgd_schema_strdup(r->m, "sql");
	f->body = NULL;
	f->atomic = s->sql_body != NULL;
	f->cost = f->rows = NULL;
	f->config = NULL;
	f->nconfig = 0;
	for (size_t i = 0; i < s->n_options; i++)
		function_option(r, f, s->options[i]->def_elem);
	if (!f->cost)
		f->cost = pgd_schema_strdup(r->m, !strcmp(f->language, "c") ||
					    !strcmp(f->language, "internal") ? "1" : "100");
	if (!f->rows)
		f->rows = pgd_schema_strdup(r->m, set ? "1000" : "0");
	if (!f->body && !f->atomic)
		f->body = pgd_schema_strdup(r->m, "");
	if (f->atomic) {
		/* analyzed at creation: names resolve through today's path */
		struct pgd_nctx ctx = rp_nctx(r, NULL, NULL);
		struct pgd_strbuf err = PGD_STRBUF_INIT;
		char *body = pgd_norm_sql_body(&ctx, s->sql_body, s->parameters,
					       s->n_parameters, &err);
		if (body)
			f->body = pgd_schema_strdup(r->m, body);
		else
			rp_unmodeled(r, "BEGIN ATOMIC body", err.buf);
		free(body);
		pgd_strbuf_release(&err);
	}
}

struct pgd_function *rp_find_function(struct replay *r, PgQuery__ObjectWithArgs *ow,
				      bool *ambiguous)
{
	const char *schema, *name;
	*ambiguous = false;
	if (!ow || !rp_split_names(ow->objname, ow->n_objname, &schema, &name))
		return NULL;
	if (ow->args_unspecified) {
		struct pgd_function *hit = NULL;
		for (size_t k = 0; k < r->nsearch_path + 1 && !hit; k++) {
			const char *s = schema ? schema : k < r->nsearch_path
							  ? r->search_path[k] : NULL;
			if (!s)
				break;
			for (size_t i = 0; i < r->m->nfunctions; i++) {
				struct pgd_function *f = r->m->functions[i];
				if (strcmp(f->obj.name, name) || strcmp(f->obj.schema, s))
					continue;
				if (hit) {
					*ambiguous = true;
					return NULL;
				}
				hit = f;
			}
			if (schema)
				break;
		}
		return hit;
	}
	char *args = ow->n_objfuncargs
			     ? rp_function_args(r, ow->objfuncargs, ow->n_objfuncargs, false)
			     : rp_function_args(r, ow->objargs, ow->n_objargs, true);
	struct pgd_function *f = NULL;
	if (schema)
		f = pgd_schema_find_function(r->m, schema, name, args);
	for (size_t k = 0; !schema && !f && k < r->nsearch_path; k++)
		f = pgd_schema_find_function(r->m, r->search_path[k], name, args);
	free(args);
	return f;
}

void rp_create_function(struct replay *r, PgQuery__CreateFunctionStmt *s)
{
	const char *schema, *name;
	if (!rp_split_names(s->funcname, s->n_funcname, &schema, &name))
		return;
	if (!schema)
		schema = rp_create_schema(r);
	char *args = rp_function_args(r, s->parameters, s->n_parameters, false);
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
		/* owner and EXECUTE come from the default privileges once the
		 * statement is done (rp_init_fresh) */
		f = pgd_schema_add_function(r->m, schema, name, args);
		f->obj.created = r->src;
	}
	if (r->ev && r->src.stmt)
		pgd_eval_define(r->ev, schema, name, args, r->src.stmt, r->src.line);
	free(args);
	function_attrs(r, f, s);
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

struct pgd_function *rp_find_routine(struct replay *r, PgQuery__ObjectWithArgs *ow)
{
	bool ambiguous;
	struct pgd_function *f = rp_find_function(r, ow, &ambiguous);
	if (ambiguous) {
		/* PostgreSQL rejects a bare name that fits several overloads */
		const char *nm = pgd_pgq_str(ow->objname[ow->n_objname - 1]);
		rp_error(r, -1, "function name \"%s\" is not unique", nm ? nm : "?");
	}
	return f;
}

void rp_alter_function(struct replay *r, PgQuery__AlterFunctionStmt *s)
{
	bool ambiguous;
	struct pgd_function *f = rp_find_function(r, s->func, &ambiguous);
	if (ambiguous) {
		rp_find_routine(r, s->func); /* its error */
		return;
	}
	if (!f) {
		rp_unmodeled(r, "ALTER FUNCTION", "the function is not one the migrations create");
		return;
	}
	for (size_t i = 0; i < s->n_actions; i++)
		function_option(r, f, s->actions[i]->def_elem);
	rp_touch(r, &f->obj);
}

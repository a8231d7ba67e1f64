/*
 * plpgsql.c - the statements of PL/pgSQL (from pg_query_parse_plpgsql's
 * JSON), SQL-language function bodies, calls with named and default
 * arguments, EXECUTE handed to the host, exception handlers, and the
 * public entry points of eval.h.
 *
 * libpg_query 15-4.0.0 aborts the process on a DO or CREATE FUNCTION
 * without a body, so a body is checked for before pg_query_parse_plpgsql
 * is called. Its lineno counts from the body's first line; ev_frame keeps
 * the file line of that first line to map it.
 *
 * Savepoints: a sub-block with an EXCEPTION clause remembers how many
 * statements the host has run successfully. When a handler catches an
 * error after some of them changed the model, PostgreSQL would roll them
 * back; the replay cannot undo model changes, so the evaluation stops as
 * unmodeled there rather than keep objects PostgreSQL would not have.
 * (A failing statement itself changes nothing: the replay checks before
 * it changes the model.)
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ev.h"
#include "../normalize/pb.h"

/* ---- condition names */

static const char *const conditions[][2] = {
	{ "ambiguous_column", "42702" }, { "ambiguous_function", "42725" },
	{ "assert_failure", "P0004" }, { "cardinality_violation", "21000" },
	{ "case_not_found", "20000" }, { "check_violation", "23514" },
	{ "data_exception", "22000" }, { "datatype_mismatch", "42804" },
	{ "dependent_objects_still_exist", "2BP01" }, { "division_by_zero", "22012" },
	{ "duplicate_alias", "42712" }, { "duplicate_column", "42701" },
	{ "duplicate_database", "42P04" }, { "duplicate_function", "42723" },
	{ "duplicate_object", "42710" }, { "duplicate_schema", "42P06" },
	{ "duplicate_table", "42P07" }, { "exclusion_violation", "23P01" },
	{ "feature_not_supported", "0A000" }, { "foreign_key_violation", "23503" },
	{ "grouping_error", "42803" }, { "insufficient_privilege", "42501" },
	{ "integrity_constraint_violation", "23000" }, { "internal_error", "XX000" },
	{ "invalid_column_definition", "42611" }, { "invalid_column_reference", "42P10" },
	{ "invalid_escape_sequence", "22025" }, { "invalid_name", "42602" },
	{ "invalid_object_definition", "42P17" }, { "invalid_parameter_value", "22023" },
	{ "invalid_schema_definition", "42P15" }, { "invalid_schema_name", "3F000" },
	{ "invalid_table_definition", "42P16" }, { "invalid_text_representation", "22P02" },
	{ "name_too_long", "42622" }, { "no_data_found", "P0002" },
	{ "not_null_violation", "23502" }, { "null_value_not_allowed", "22004" },
	{ "numeric_value_out_of_range", "22003" },
	{ "object_not_in_prerequisite_state", "55000" }, { "plpgsql_error", "P0000" },
	{ "program_limit_exceeded", "54000" }, { "query_canceled", "57014" },
	{ "raise_exception", "P0001" }, { "reserved_name", "42939" },
	{ "string_data_right_truncation", "22001" },
	{ "syntax_error", "42601" },
	{ "syntax_error_or_access_rule_violation", "42000" },
	{ "too_many_rows", "P0003" }, { "undefined_column", "42703" },
	{ "undefined_function", "42883" }, { "undefined_object", "42704" },
	{ "undefined_parameter", "42P02" }, { "undefined_table", "42P01" },
	{ "unique_violation", "23505" }, { "wrong_object_type", "42809" },
	{ "invalid_function_definition", "42P13" }, { "object_in_use", "55006" },
	{ "invalid_grant_operation", "0LP01" }, { "undefined_file", "58P01" },
};

const char *pgd_eval_sqlstate(const char *condname)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(conditions); i++)
		if (!strcasecmp(conditions[i][0], condname))
			return conditions[i][1];
	return NULL;
}

static bool is_sqlstate(const char *s)
{
	if (strlen(s) != 5)
		return false;
	for (int i = 0; i < 5; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

/* Whether handler condition cond catches an error with state. */
static bool condition_matches(const char *cond, const char *state)
{
	if (!strcasecmp(cond, "others"))
		return strcmp(state, "57014") && strcmp(state, "P0004");
	const char *code = is_sqlstate(cond) ? cond : pgd_eval_sqlstate(cond);
	if (!code)
		return false;
	if (!strcmp(code + 2, "000") && strcmp(code, "00000"))
		return !strncmp(code, state, 2);
	return !strcmp(code, state);
}

/* ---- JSON helpers */

static struct ev_json *jget(struct ev_json *o, const char *k)
{
	return ev_json_get(o, k);
}

static const char *jstr(struct ev_json *o, const char *k)
{
	struct ev_json *v = jget(o, k);
	return v && v->t == EVJ_STR ? v->s : NULL;
}

static long jint(struct ev_json *o, const char *k, long def)
{
	struct ev_json *v = jget(o, k);
	return v && v->t == EVJ_INT && v->i >= LONG_MIN && v->i <= LONG_MAX ? (long)v->i : def;
}

static bool jbool(struct ev_json *o, const char *k)
{
	struct ev_json *v = jget(o, k);
	return v && v->t == EVJ_BOOL && v->b;
}

/* The single key and value of a node object {"PLpgSQL_x": {...}}. */
static const char *jnode(struct ev_json *n, struct ev_json **body)
{
	*body = NULL;
	if (!n || n->t != EVJ_OBJ || n->n != 1)
		return NULL;
	*body = n->v[0];
	return n->k[0];
}

/* ---- parse trees, cached in the JSON expression objects */

static PgQuery__ParseResult *parse_sql(const char *sql, char **err)
{
	PgQueryProtobufParseResult pr;
	PgQuery__ParseResult *t = pgd_pb_parse(sql, &pr);
	*err = NULL;
	if (pr.error)
		*err = pgd_xstrdup(pr.error->message);
	else if (!t)
		*err = pgd_xstrdup("the parse tree could not be read");
	pg_query_free_protobuf_parse_result(pr);
	return t;
}

static long ahead_index(const struct pgd_eval_prepared *p, const char *sql);
static PgQuery__ParseResult *ahead_tree(const struct pgd_eval_prepared *p, long i);

static PgQuery__ParseResult *cached_tree(struct ev_ctx *c, struct ev_json *expr,
					 const char *prefix, const char *text,
					 enum ev_stop *st)
{
	struct ev_func *ev = c->fr->fn;
	*st = EV_OK;
	if (expr && expr->aux <= -2) /* a tree the block's read-ahead holds */
		return ahead_tree(ev->ahead, -2 - expr->aux);
	if (expr && expr->aux >= 0) {
		long i = expr->aux;
		if ((size_t)i < ev->ntrees && ev->trees[i])
			return ev->trees[i];
		*st = ev_unsupported(c, "SQL", "this SQL does not parse");
		return NULL;
	}
	size_t np = strlen(prefix), nt = strlen(text);
	char *sql = pgd_xmalloc(np + nt + 1);
	memcpy(sql, prefix, np);
	memcpy(sql + np, text, nt + 1);
	long lent = ahead_index(ev->ahead, sql);
	if (lent >= 0) {
		free(sql);
		if (expr)
			expr->aux = -2 - lent;
		return ahead_tree(ev->ahead, lent);
	}
	char *err;
	PgQuery__ParseResult *t = parse_sql(sql, &err);
	free(sql);
	PGD_GROW(ev->trees, ev->atrees, ev->ntrees + 1);
	ev->trees[ev->ntrees] = t;
	if (expr)
		expr->aux = (long)ev->ntrees;
	ev->ntrees++;
	if (!t) {
		*st = ev_unsupported(c, "SQL", "this SQL does not parse: %s", err);
		free(err);
	}
	return t;
}

/* ---- datums and variables */

static void read_datums(struct ev_func *fn)
{
	struct ev_json *datums = jget(fn->plpgsql, "datums");
	size_t n = ev_json_size(datums);
	fn->d = calloc(n + 1, sizeof(*fn->d));
	if (!fn->d)
		PGD_BUG("out of memory");
	fn->nd = n;
	for (size_t i = 0; i < n; i++) {
		struct ev_json *body;
		const char *kind = jnode(ev_json_at(datums, i), &body);
		struct ev_datum *d = &fn->d[i];
		d->name = jstr(body, "refname");
		if (!d->name)
			d->name = "";
		d->lineno = (unsigned)jint(body, "lineno", 0);
		d->kind = kind && !strcmp(kind, "PLpgSQL_row") ? 'w'
			  : kind && !strcmp(kind, "PLpgSQL_rec") ? 'r' : 'v';
		d->fields = jget(body, "fields");
		const char *t = jstr(jget(jget(body, "datatype"), "PLpgSQL_type"), "typname");
		d->type = t ? t : "";
		if (!strcmp(d->type, "UNKNOWN"))
			d->type = "";
		if (!strcmp(d->type, "record") || strstr(d->type, "%rowtype"))
			d->kind = 'r';
		d->defexpr = jget(jget(body, "default_val"), "PLpgSQL_expr");
		d->isconst = jbool(body, "isconst");
	}
}

/* The datum index of name visible at the frame's current line, or -1. */
static long find_datum(const struct ev_frame *fr, const char *name)
{
	const struct ev_func *fn = fr->fn;
	for (size_t i = fn->nd; i-- > 0;) {
		const struct ev_datum *d = &fn->d[i];
		if (d->kind == 'w' || strcmp(d->name, name))
			continue;
		if (fr->hidden && fr->hidden[i])
			continue;
		if (d->lineno && d->lineno > fr->cur)
			continue;
		return (long)i;
	}
	return -1;
}

/* A declared type as a cast target ("" none). */
static const char *cast_type(const char *t, char *buf, size_t bufsz)
{
	size_t n = 0;
	while (*t == ' ')
		t++;
	for (; *t && n + 1 < bufsz; t++)
		buf[n++] = (char)(*t >= 'A' && *t <= 'Z' ? *t + 32 : *t);
	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = 0;
	static const char *const ok[] = {
		"text", "varchar", "name", "int", "integer", "int4", "int8", "bigint",
		"smallint", "int2", "bool", "boolean", "regclass", "regtype", "regproc",
		"regprocedure", "regnamespace", "text[]", "varchar[]", "name[]",
		"int[]", "integer[]", "bigint[]", "character varying",
	};
	for (size_t i = 0; i < PGD_ARRAY_SIZE(ok); i++)
		if (!strcmp(ok[i], buf))
			return buf;
	if (!strncmp(buf, "varchar(", 8) || !strncmp(buf, "character varying(", 18))
		return "text";
	return "";
}

static enum ev_stop assign(struct ev_ctx *c, long varno, struct ev_val v)
{
	struct ev_frame *fr = c->fr;
	if (varno < 0 || (size_t)varno >= fr->nvals)
		return ev_unsupported(c, "assignment", "an assignment target");
	const struct ev_datum *d = &fr->fn->d[varno];
	char buf[64];
	const char *t = cast_type(d->type, buf, sizeof(buf));
	if (*t) {
		enum ev_stop st = ev_cast(c, &v, t);
		if (st)
			return st;
	} else if (d->type[0] && d->kind != 'r') {
		/* numeric, uuid, jsonb, ...: kept as given */
	}
	if (v.k == EV_TEXT && v.type && !strcmp(v.type, "unknown"))
		v.type = "text";
	fr->vals[varno] = v;
	return EV_OK;
}

enum ev_stop ev_frame_var(struct ev_ctx *c, const char *const *fields, size_t n,
			  struct ev_val *out, bool *found)
{
	struct ev_frame *fr = c->fr;
	*found = false;
	if (!fr)
		return EV_OK;
	if (n == 1 && fields[0][0] == '$') {
		char *end;
		long k = strtol(fields[0] + 1, &end, 10);
		if (!*end && k >= 1 && (size_t)k <= fr->nargs) {
			*out = fr->args[k - 1];
			*found = true;
		}
		return EV_OK;
	}
	if (!fr->fn->plpgsql) {
		/* SQL function: parameters by name, or fname.param */
		const char *name = fields[n - 1];
		if (n == 2 && strcmp(fields[0], fr->fn->name))
			return EV_OK;
		if (n > 2)
			return EV_OK;
		for (size_t i = 0; i < fr->fn->nparams && i < fr->nargs; i++)
			if (fr->fn->pnames[i] && !strcmp(fr->fn->pnames[i], name)) {
				*out = fr->args[i];
				*found = true;
				return EV_OK;
			}
		return EV_OK;
	}
	long k = find_datum(fr, fields[0]);
	if (n == 1) {
		if (k >= 0) {
			*out = fr->vals[k];
			*found = true;
		}
		return EV_OK;
	}
	if (k >= 0 && fr->vals[k].k == EV_REC && n == 2) {
		const struct ev_val *r = &fr->vals[k];
		for (size_t i = 0; i < r->n; i++)
			if (!strcmp(r->names[i], fields[1])) {
				*out = r->v[i];
				*found = true;
				return EV_OK;
			}
		return ev_error(c, "42703", "record \"%s\" has no field \"%s\"", fields[0],
				fields[1]);
	}
	if (k >= 0 && fr->fn->d[k].kind == 'r' && n == 2)
		return ev_error(c, "55000", "record \"%s\" is not assigned yet", fields[0]);
	/* label.var or function_name.param */
	if (n == 2) {
		long k2 = find_datum(fr, fields[1]);
		if (k2 >= 0) {
			*out = fr->vals[k2];
			*found = true;
		}
	}
	return EV_OK;
}

/* ---- evaluating PL/pgSQL expressions */

/* A PL/pgSQL expression object {"PLpgSQL_expr": {"query": ...}}. */
static struct ev_json *pl_expr(struct ev_json *n)
{
	return jget(n, "PLpgSQL_expr");
}

/* A whole expression that needs no parse: a plain string literal, a
 * small integer or a lone variable name. Returns true with *out set. */
static bool trivial_expr(struct ev_ctx *c, const char *text, struct ev_val *out)
{
	const char *p = text;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n'))
		n--;
	if (!n || n > 200)
		return false;
	if (p[0] == '\'' && p[n - 1] == '\'' && n >= 2) {
		/* '...' with no quote or backslash inside (no '' escapes to
		 * undo, no E'' semantics) */
		for (size_t i = 1; i + 1 < n; i++)
			if (p[i] == '\'' || p[i] == '\\')
				return false;
		*out = ev_text(c->ev, pgd_arena_strndup(c->ev->arena, p + 1, n - 2));
		out->type = "unknown";
		return true;
	}
	if (p[0] >= '0' && p[0] <= '9' && n < 10) {
		int64_t v = 0;
		for (size_t i = 0; i < n; i++) {
			if (p[i] < '0' || p[i] > '9')
				return false;
			v = v * 10 + (p[i] - '0');
		}
		*out = ev_int(v);
		return true;
	}
	if ((p[0] >= 'a' && p[0] <= 'z') || p[0] == '_') {
		char name[64];
		if (n >= sizeof(name))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
			      p[i] == '_'))
				return false;
		memcpy(name, p, n);
		name[n] = 0;
		/* keywords (true, null, current_user, ...) are not variables */
		static const char *const kw[] = { "true", "false", "null", "current_user",
			"current_schema", "current_role", "session_user", "user",
			"current_date", "current_time", "current_timestamp", "localtime",
			"localtimestamp", "current_catalog", "default", "select" };
		for (size_t i = 0; i < PGD_ARRAY_SIZE(kw); i++)
			if (!strcmp(kw[i], name))
				return false;
		const char *f[1] = { name };
		bool found = false;
		if (ev_frame_var(c, f, 1, out, &found) != EV_OK || !found)
			return false;
		return true;
	}
	return false;
}

/* Evaluates the expression text e (an expression, or a SELECT's tail). */
static enum ev_stop eval_expr_text(struct ev_ctx *c, struct ev_json *e, const char *text,
				   struct ev_val *out)
{
	enum ev_stop st;
	*out = ev_null();
	if (!c->scope && trivial_expr(c, text, out))
		return ev_step(c);
	PgQuery__ParseResult *t = cached_tree(c, e, "SELECT ", text, &st);
	if (!t)
		return st;
	if (t->n_stmts != 1 || !t->stmts[0]->stmt ||
	    t->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		return ev_unsupported(c, "expression", "this expression is not evaluated");
	const PgQuery__SelectStmt *s = t->stmts[0]->stmt->select_stmt;
	if (s->n_target_list == 1 && !s->n_from_clause && !s->where_clause &&
	    s->op == PG_QUERY__SET_OPERATION__SETOP_NONE && !s->n_sort_clause &&
	    !s->limit_count && !s->n_group_clause && !s->n_distinct_clause &&
	    s->target_list[0]->node_case == PG_QUERY__NODE__NODE_RES_TARGET &&
	    s->target_list[0]->res_target->val) {
		const PgQuery__Node *v = s->target_list[0]->res_target->val;
		/* aggregates need the query machinery even without FROM */
		if (v->node_case != PG_QUERY__NODE__NODE_FUNC_CALL || !v->func_call->agg_star)
			return ev_expr(c, v, out);
	}
	struct ev_val *rows;
	size_t n;
	if ((st = ev_select(c, s, &rows, &n)))
		return st;
	if (n > 1)
		return ev_error(c, "21000", "query returned more than one row");
	if (n && rows[0].n != 1)
		return ev_error(c, "42601", "query returned %zu columns", rows[0].n);
	*out = n ? rows[0].v[0] : ev_null();
	return EV_OK;
}

static enum ev_stop eval_pl(struct ev_ctx *c, struct ev_json *exprnode, struct ev_val *out)
{
	struct ev_json *e = pl_expr(exprnode);
	const char *q = jstr(e, "query");
	if (!q)
		return ev_unsupported(c, "expression", "an empty expression");
	return eval_expr_text(c, e, q, out);
}

static enum ev_stop eval_cond(struct ev_ctx *c, struct ev_json *exprnode, int *truth)
{
	struct ev_val v;
	enum ev_stop st = eval_pl(c, exprnode, &v);
	if (st)
		return st;
	*truth = ev_truth(c, &v);
	return *truth == -2 ? EV_ERROR : EV_OK;
}

/* ---- running SQL */

static enum ev_stop run_host(struct ev_ctx *c, const char *sql, bool dynamic)
{
	struct pgd_eval *ev = c->ev;
	if (!ev->host.exec)
		return ev_unsupported(c, "SQL", "no replay to run SQL");
	unsigned line = ev->stmt_line;
	if (!dynamic && c->fr && !c->fr->dynamic && c->fr->body_line && c->fr->cur)
		line = c->fr->body_line + c->fr->cur - 1;
	else
		dynamic = true;
	struct pgd_eval_error err = { "", NULL, false };
	ev->executed++;
	int rc = ev->host.exec(ev->host.arg, sql, line, dynamic, &err);
	if (rc == 0) {
		ev->changes++;
		free(err.message);
		return EV_OK;
	}
	enum ev_stop st;
	if (rc == -1) {
		st = ev_error(c, err.sqlstate[0] ? err.sqlstate : "XX000", "%s",
			      err.message ? err.message : "error");
		ev->err_partial = err.partial;
	}
	else
		st = ev_unsupported(c, "statement", "%s", err.message ? err.message
					      : "the replay cannot model this statement");
	free(err.message);
	return st;
}

static enum ev_stop do_block(struct ev_ctx *c, const char *body, const char *lang,
			     unsigned body_line, bool dynamic,
			     struct pgd_eval_prepared *prep);
static enum ev_stop call_stmt(struct ev_ctx *c, const PgQuery__CallStmt *cs);

static bool is_data_stmt(const PgQuery__Node *n)
{
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_INSERT_STMT:
	case PG_QUERY__NODE__NODE_UPDATE_STMT:
	case PG_QUERY__NODE__NODE_DELETE_STMT:
	case PG_QUERY__NODE__NODE_NOTIFY_STMT:
	case PG_QUERY__NODE__NODE_LOCK_STMT:
	case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
	case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT:
	case PG_QUERY__NODE__NODE_COPY_STMT:
		return true;
	default:
		return false;
	}
}

/* Runs the statements of tree t (text sql); rows of the last SELECT. */
static enum ev_stop run_tree(struct ev_ctx *c, PgQuery__ParseResult *t, const char *sql,
			     bool dynamic, const struct ev_val *params, size_t nparams,
			     struct ev_val **rows, size_t *nrows)
{
	enum ev_stop st = EV_OK;
	size_t len = strlen(sql);
	if (rows) {
		*rows = NULL;
		*nrows = 0;
	}
	for (size_t i = 0; i < t->n_stmts && !st; i++) {
		const PgQuery__RawStmt *rs = t->stmts[i];
		const PgQuery__Node *n = rs->stmt;
		if (!n)
			continue;
		struct ev_ctx sc = *c;
		if (params) {
			sc.params = params;
			sc.nparams = nparams;
		}
		if ((st = ev_step(c)))
			break;
		if (n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT &&
		    !n->select_stmt->into_clause) {
			struct ev_val *r;
			size_t nr;
			st = ev_select(&sc, n->select_stmt, &r, &nr);
			if (!st && rows) {
				*rows = r;
				*nrows = nr;
			}
			if (!st && c->fr)
				c->fr->row_count = (int64_t)nr;
			continue;
		}
		if (rows && i + 1 == t->n_stmts) {
			*rows = NULL;
			*nrows = 0;
		}
		if (n->node_case == PG_QUERY__NODE__NODE_DO_STMT) {
			const PgQuery__DoStmt *d = n->do_stmt;
			const char *body = NULL, *lang = "plpgsql";
			for (size_t k = 0; k < d->n_args; k++) {
				const PgQuery__DefElem *de = d->args[k]->def_elem;
				if (!de || !de->defname)
					continue;
				if (!strcmp(de->defname, "as"))
					body = ev_str(de->arg);
				else if (!strcmp(de->defname, "language") && ev_str(de->arg))
					lang = ev_str(de->arg);
			}
			if (!body)
				st = ev_unsupported(c, "DO", "a DO without a body");
			else
				st = do_block(&sc, body, lang, 0, true, NULL);
			continue;
		}
		if (n->node_case == PG_QUERY__NODE__NODE_CALL_STMT) {
			st = call_stmt(&sc, n->call_stmt);
			continue;
		}
		if (n->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT) {
			st = ev_unsupported(c, "transaction control", "COMMIT, ROLLBACK "
					    "and savepoints inside a block are not evaluated");
			continue;
		}
		size_t off = rs->stmt_location > 0 ? (size_t)rs->stmt_location : 0;
		size_t l = rs->stmt_len > 0 ? (size_t)rs->stmt_len : len - (off < len ? off : len);
		if (off > len)
			off = len;
		if (off + l > len)
			l = len - off;
		while (l && (sql[off] == ' ' || sql[off] == '\n' || sql[off] == '\t' ||
			     sql[off] == '\r')) {
			off++;
			l--;
		}
		while (l && (sql[off + l - 1] == ' ' || sql[off + l - 1] == '\n' ||
			     sql[off + l - 1] == '\t' || sql[off + l - 1] == '\r'))
			l--;
		if (is_data_stmt(n)) {
			/* rows are not modeled; the host learns what it may
			 * have written (a later query over it is data) */
			if (c->ev->host.wrote)
				c->ev->host.wrote(c->ev->host.arg, sql + off, l);
			if (c->fr)
				c->fr->row_count = 0;
			continue;
		}
		char *one = pgd_xstrndup(sql + off, l);
		st = run_host(c, one, dynamic);
		free(one);
	}
	return st;
}

/* Whether sql is one DDL statement the host runs as it is: it starts with
 * a DDL keyword and has no ';' but at its end (else it is parsed here and
 * split). Saves a parse of every EXECUTEd statement. */
static bool plain_ddl(const char *sql)
{
	static const char *const kws[] = { "create", "alter", "drop", "grant",
					   "revoke", "comment" };
	const char *p = sql;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	bool kw = false;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(kws) && !kw; i++) {
		size_t n = strlen(kws[i]);
		kw = !strncasecmp(p, kws[i], n) && (p[n] == ' ' || p[n] == '\t' ||
						     p[n] == '\n' || p[n] == '\r');
	}
	if (!kw)
		return false;
	const char *semi = strchr(p, ';');
	if (!semi)
		return true;
	for (semi++; *semi; semi++)
		if (*semi != ' ' && *semi != '\t' && *semi != '\n' && *semi != '\r')
			return false;
	return true;
}

enum ev_stop ev_run_sql(struct ev_ctx *c, const char *sql, bool dynamic,
			const struct ev_val *params, size_t nparams,
			struct ev_val **rows, size_t *nrows)
{
	if (plain_ddl(sql) && !strstr(sql, "--") && !strstr(sql, "/*")) {
		if (rows) {
			*rows = NULL;
			*nrows = 0;
		}
		enum ev_stop st = ev_step(c);
		if (!st) {
			const char *b = sql;
			while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
				b++;
			size_t l = strlen(b);
			while (l && (b[l - 1] == ' ' || b[l - 1] == '\t' || b[l - 1] == '\n' ||
				     b[l - 1] == '\r' || b[l - 1] == ';'))
				l--;
			char *one = pgd_xstrndup(b, l);
			st = run_host(c, one, dynamic);
			free(one);
		}
		return st;
	}
	char *err;
	PgQuery__ParseResult *t = parse_sql(sql, &err);
	if (!t) {
		/* EXECUTE of text that does not parse: a syntax error in
		 * PostgreSQL too, and catchable */
		enum ev_stop st = ev_error(c, "42601", "%s", err);
		free(err);
		return st;
	}
	enum ev_stop st = run_tree(c, t, sql, dynamic, params, nparams, rows, nrows);
	pgd_pb_free(&t->base);
	return st;
}

/* ---- assigning query results to targets */

static enum ev_stop assign_target(struct ev_ctx *c, struct ev_json *target, const struct ev_val *row)
{
	struct ev_json *body;
	const char *kind = jnode(target, &body);
	if (!kind)
		return ev_unsupported(c, "INTO", "this INTO target");
	if (!strcmp(kind, "PLpgSQL_row")) {
		struct ev_json *fields = jget(body, "fields");
		size_t n = ev_json_size(fields);
		if (n == 1) {
			long varno = jint(ev_json_at(fields, 0), "varno", -1);
			if (varno >= 0 && (size_t)varno < c->fr->nvals &&
			    c->fr->fn->d[varno].kind == 'r') {
				c->fr->vals[varno] = row ? *row : ev_null();
				return EV_OK;
			}
		}
		for (size_t i = 0; i < n; i++) {
			long varno = jint(ev_json_at(fields, i), "varno", -1);
			struct ev_val v = row && i < row->n ? row->v[i] : ev_null();
			enum ev_stop st = assign(c, varno, v);
			if (st)
				return st;
		}
		return EV_OK;
	}
	if (!strcmp(kind, "PLpgSQL_rec")) {
		long varno = jint(body, "dno", -1);
		if (varno < 0 || (size_t)varno >= c->fr->nvals)
			return ev_unsupported(c, "INTO", "this INTO target");
		c->fr->vals[varno] = row ? *row : ev_null();
		return EV_OK;
	}
	return ev_unsupported(c, "INTO", "INTO %s", kind);
}

static enum ev_stop into_rows(struct ev_ctx *c, struct ev_json *stmt, struct ev_val *rows,
			      size_t n)
{
	if (jbool(stmt, "strict")) {
		if (!n)
			return ev_error(c, "P0002", "query returned no rows");
		if (n > 1)
			return ev_error(c, "P0003", "query returned more than one row");
	}
	return assign_target(c, jget(stmt, "target"), n ? &rows[0] : NULL);
}

/* ---- statements */

struct ctl {
	const char *label; /* EXIT/CONTINUE label, or NULL */
};

static enum ev_stop exec_list(struct ev_ctx *c, struct ev_json *list, struct ctl *ctl);

static void set_found(struct ev_ctx *c, bool found)
{
	long k = find_datum(c->fr, "found");
	if (k >= 0)
		c->fr->vals[k] = ev_bool(found);
}

/* Loop bookkeeping: EXIT/CONTINUE directed at this loop? */
static bool mine(const struct ctl *ctl, const char *label)
{
	return !ctl->label || (label && !strcmp(ctl->label, label));
}

static enum ev_stop loop_tick(struct ev_ctx *c)
{
	if (++c->ev->loops > c->ev->lim.loops)
		return ev_unsupported(c, "loop limit", "more than %lu loop iterations",
				      c->ev->lim.loops);
	return EV_OK;
}

/* After a loop body: whether to stop (*stop), translating EXIT/CONTINUE. */
static enum ev_stop loop_after(enum ev_stop st, struct ctl *ctl, const char *label,
			       bool *stop)
{
	*stop = false;
	if (st == EV_EXIT) {
		*stop = true;
		if (mine(ctl, label)) {
			ctl->label = NULL;
			return EV_OK;
		}
		return st;
	}
	if (st == EV_CONTINUE) {
		if (mine(ctl, label)) {
			ctl->label = NULL;
			return EV_OK;
		}
		*stop = true;
		return st;
	}
	if (st)
		*stop = true;
	return st;
}

/* Initializes the variables declared between lines lo (exclusive) and hi
 * (inclusive): defaults in order, else NULL. */
static enum ev_stop init_vars(struct ev_ctx *c, unsigned lo, unsigned hi)
{
	struct ev_frame *fr = c->fr;
	for (size_t i = 0; i < fr->fn->nd; i++) {
		const struct ev_datum *d = &fr->fn->d[i];
		if (!d->lineno || d->lineno <= lo || d->lineno > hi || d->kind == 'w' ||
		    (!d->type[0] && !d->defexpr))
			continue;
		unsigned saved = fr->cur;
		fr->cur = d->lineno;
		struct ev_val v = ev_null();
		enum ev_stop st = EV_OK;
		if (d->defexpr) {
			const char *q = jstr(d->defexpr, "query");
			st = q ? eval_expr_text(c, d->defexpr, q, &v) : EV_OK;
		}
		if (!st)
			st = assign(c, (long)i, v);
		fr->cur = saved;
		if (st)
			return st;
	}
	return EV_OK;
}

static enum ev_stop exec_block(struct ev_ctx *c, struct ev_json *b, unsigned prev_line,
			       struct ctl *ctl)
{
	struct pgd_eval *ev = c->ev;
	enum ev_stop st;
	const char *label = jstr(b, "label");
	unsigned line = c->fr->cur;
	/* the block's own variables come into scope */
	for (size_t i = 0; c->fr->hidden && i < c->fr->fn->nd; i++)
		if (c->fr->fn->d[i].lineno > prev_line && c->fr->fn->d[i].lineno <= line)
			c->fr->hidden[i] = false;
	if ((st = init_vars(c, prev_line, line)))
		return st;
	if (++ev->depth > ev->lim.depth) {
		ev->depth--;
		return ev_unsupported(c, "recursion limit", "blocks nested deeper than %u",
				      ev->lim.depth);
	}
	struct ev_json *exc = jget(jget(b, "exceptions"), "PLpgSQL_exception_block");
	unsigned saved_changes = ev->changes;
	st = exec_list(c, jget(b, "body"), ctl);
	ev->depth--;
	/* and go out of scope when it ends (a nested block's a hides the
	 * outer a only inside it) */
	for (size_t i = 0; prev_line && c->fr->hidden && i < c->fr->fn->nd; i++)
		if (c->fr->fn->d[i].lineno > prev_line && c->fr->fn->d[i].lineno <= line &&
		    c->fr->fn->d[i].type[0])
			c->fr->hidden[i] = true;
	if (st == EV_EXIT && label && ctl->label && !strcmp(ctl->label, label)) {
		ctl->label = NULL;
		return EV_OK;
	}
	if (st != EV_ERROR || !exc)
		return st;
	struct ev_json *list = jget(exc, "exc_list");
	for (size_t i = 0; i < ev_json_size(list); i++) {
		struct ev_json *h = jget(ev_json_at(list, i), "PLpgSQL_exception");
		struct ev_json *conds = jget(h, "conditions");
		bool match = false;
		for (size_t k = 0; k < ev_json_size(conds) && !match; k++) {
			const char *cn = jstr(jget(ev_json_at(conds, k), "PLpgSQL_condition"),
					      "condname");
			if (cn && !is_sqlstate(cn) && strcasecmp(cn, "others") &&
			    !pgd_eval_sqlstate(cn)) {
				return ev_unsupported(c, "exception condition", "the condition "
						      "\"%s\" is not known", cn);
			}
			match = cn && condition_matches(cn, ev->sqlstate);
		}
		if (!match)
			continue;
		if (ev->changes != saved_changes || ev->err_partial)
			return ev_unsupported(c, "rollback to savepoint",
					      "a sub-block changed the schema and then "
					      "failed (%s); undoing its changes is not "
					      "modeled", ev->msg ? ev->msg : "");
		/* the handler sees SQLSTATE and SQLERRM */
		const char *state = ev_strdup(ev, ev->sqlstate);
		const char *msg = ev_strdup(ev, ev->msg ? ev->msg : "");
		const char *ps = c->fr->err_state, *pm = c->fr->err_msg;
		c->fr->err_state = state;
		c->fr->err_msg = msg;
		/* the handler's own SQLSTATE and SQLERRM datums are declared
		 * at its line, after the failing statement's */
		for (size_t d = 0; d < c->fr->fn->nd; d++) {
			if (!strcmp(c->fr->fn->d[d].name, "sqlstate"))
				c->fr->vals[d] = ev_text(ev, state);
			else if (!strcmp(c->fr->fn->d[d].name, "sqlerrm"))
				c->fr->vals[d] = ev_text(ev, msg);
		}
		st = exec_list(c, jget(h, "action"), ctl);
		c->fr->err_state = ps;
		c->fr->err_msg = pm;
		if (st == EV_EXIT && label && ctl->label && !strcmp(ctl->label, label)) {
			ctl->label = NULL;
			return EV_OK;
		}
		return st;
	}
	return EV_ERROR;
}

static enum ev_stop raise_stmt(struct ev_ctx *c, struct ev_json *s)
{
	struct pgd_eval *ev = c->ev;
	long level = jint(s, "elog_level", 21);
	if (level < 21)
		return EV_OK; /* NOTICE, WARNING, INFO, LOG, DEBUG */
	const char *condname = jstr(s, "condname");
	const char *message = jstr(s, "message");
	struct ev_json *opts = jget(s, "options");
	if (!condname && !message && !ev_json_size(opts)) {
		/* RAISE; re-throws the caught error */
		if (!c->fr->err_state)
			return ev_error(c, "0Z002", "RAISE without parameters cannot be "
					"used outside an exception handler");
		struct ev_frame *fr = c->fr;
		return ev_error(c, fr->err_state, "%s", fr->err_msg);
	}
	const char *state = "P0001";
	if (condname) {
		state = is_sqlstate(condname) ? condname : pgd_eval_sqlstate(condname);
		if (!state)
			return ev_unsupported(c, "RAISE", "the condition \"%s\" is not known",
					      condname);
	}
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	enum ev_stop st = EV_OK;
	if (message) {
		struct ev_json *params = jget(s, "params");
		size_t pi = 0;
		for (const char *p = message; *p && !st; p++) {
			if (*p == '%' && p[1] == '%') {
				pgd_strbuf_addch(&sb, '%');
				p++;
			} else if (*p == '%') {
				struct ev_val v;
				st = eval_pl(c, ev_json_at(params, pi++), &v);
				if (!st) {
					const char *t = ev_to_text(c, &v);
					pgd_strbuf_addstr(&sb, t ? t : "<NULL>");
				}
			} else {
				pgd_strbuf_addch(&sb, *p);
			}
		}
	} else if (condname) {
		pgd_strbuf_addstr(&sb, condname);
	}
	for (size_t i = 0; i < ev_json_size(opts) && !st; i++) {
		struct ev_json *o = jget(ev_json_at(opts, i), "PLpgSQL_raise_option");
		long type = jint(o, "opt_type", -1);
		struct ev_val v;
		if ((st = eval_pl(c, jget(o, "expr"), &v)))
			break;
		const char *t = ev_to_text(c, &v);
		if (type == 0 && t) {
			const char *code = is_sqlstate(t) ? t : pgd_eval_sqlstate(t);
			if (!code)
				st = ev_unsupported(c, "RAISE", "the condition \"%s\" is not "
						    "known", t);
			else
				state = code;
		} else if (type == 1 && t) {
			pgd_strbuf_reset(&sb);
			pgd_strbuf_addstr(&sb, t);
		}
	}
	if (!st) {
		const char *st_copy = ev_strdup(ev, state);
		st = ev_error(c, st_copy, "%s", sb.buf ? sb.buf : "");
	}
	pgd_strbuf_release(&sb);
	return st;
}

/* The text of an assignment's expression after "target :=". */
static const char *assign_rhs(const char *q)
{
	const char *p = q;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	for (;;) {
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++)
				if (*p == '"')
					p++;
			if (*p)
				p++;
		} else {
			while (*p && (((unsigned char)*p >= 0x80) || (*p >= 'a' && *p <= 'z') ||
				      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				      *p == '_' || *p == '$'))
				p++;
		}
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '.') {
			p++;
			continue;
		}
		break;
	}
	if (p[0] == ':' && p[1] == '=')
		return p + 2;
	if (p[0] == '=')
		return p + 1;
	return NULL;
}

static long loop_var(struct ev_ctx *c, struct ev_json *var)
{
	struct ev_json *body;
	const char *kind = jnode(var, &body);
	if (!kind)
		return -1;
	const char *name = jstr(body, "refname");
	unsigned lineno = (unsigned)jint(body, "lineno", 0);
	const struct ev_func *fn = c->fr->fn;
	for (size_t i = 0; name && i < fn->nd; i++)
		if (fn->d[i].lineno == lineno && !strcmp(fn->d[i].name, name))
			return (long)i;
	return -1;
}

static enum ev_stop rows_loop(struct ev_ctx *c, struct ev_json *s, struct ev_val *rows, size_t n,
			      struct ctl *ctl)
{
	enum ev_stop st = EV_OK;
	const char *label = jstr(s, "label");
	unsigned line = c->fr->cur;
	for (size_t i = 0; i < n; i++) {
		if ((st = loop_tick(c)))
			return st;
		c->fr->cur = line;
		if ((st = assign_target(c, jget(s, "var"), &rows[i])))
			return st;
		bool stop;
		st = loop_after(exec_list(c, jget(s, "body"), ctl), ctl, label, &stop);
		if (stop)
			break;
	}
	set_found(c, n > 0);
	return st;
}

static enum ev_stop exec_stmt(struct ev_ctx *c, struct ev_json *node, struct ctl *ctl)
{
	struct pgd_eval *ev = c->ev;
	struct ev_json *s;
	const char *kind = jnode(node, &s);
	enum ev_stop st;
	if (!kind)
		return ev_unsupported(c, "statement", "an unreadable statement");
	long ln = jint(s, "lineno", 0);
	if (ln > 0)
		c->fr->cur = (unsigned)ln;
	if ((st = ev_step(c)))
		return st;
	const char *label = jstr(s, "label");
	if (!strcmp(kind, "PLpgSQL_stmt_block"))
		return exec_block(c, s, c->fr->prev_start, ctl);
	if (!strcmp(kind, "PLpgSQL_stmt_assign")) {
		struct ev_json *e = pl_expr(jget(s, "expr"));
		const char *q = jstr(e, "query");
		const char *rhs = q ? assign_rhs(q) : NULL;
		if (!rhs || (strchr(q, '[') && strchr(q, '[') < rhs))
			return ev_unsupported(c, "assignment", "this assignment target is "
					      "not evaluated");
		struct ev_val v;
		if ((st = eval_expr_text(c, e, rhs, &v)))
			return st;
		long varno = jint(s, "varno", -1);
		if (varno >= 0 && (size_t)varno < c->fr->fn->nd &&
		    c->fr->fn->d[varno].kind == 'w')
			return ev_unsupported(c, "assignment", "assignment to a record field");
		return assign(c, varno, v);
	}
	if (!strcmp(kind, "PLpgSQL_stmt_if")) {
		int t;
		if ((st = eval_cond(c, jget(s, "cond"), &t)))
			return st;
		if (t == 1)
			return exec_list(c, jget(s, "then_body"), ctl);
		struct ev_json *el = jget(s, "elsif_list");
		for (size_t i = 0; i < ev_json_size(el); i++) {
			struct ev_json *e = jget(ev_json_at(el, i), "PLpgSQL_if_elsif");
			c->fr->cur = (unsigned)jint(e, "lineno", c->fr->cur);
			if ((st = eval_cond(c, jget(e, "cond"), &t)))
				return st;
			if (t == 1)
				return exec_list(c, jget(e, "stmts"), ctl);
		}
		return exec_list(c, jget(s, "else_body"), ctl);
	}
	if (!strcmp(kind, "PLpgSQL_stmt_case")) {
		struct ev_json *te = jget(s, "t_expr");
		if (te) {
			struct ev_val v;
			if ((st = eval_pl(c, te, &v)))
				return st;
			long k = jint(s, "t_varno", -1);
			if (k < 0 || (size_t)k >= c->fr->nvals)
				return ev_unsupported(c, "CASE", "this CASE");
			c->fr->vals[k] = v;
		}
		struct ev_json *wl = jget(s, "case_when_list");
		for (size_t i = 0; i < ev_json_size(wl); i++) {
			struct ev_json *w = jget(ev_json_at(wl, i), "PLpgSQL_case_when");
			int t;
			if ((st = eval_cond(c, jget(w, "expr"), &t)))
				return st;
			if (t == 1)
				return exec_list(c, jget(w, "stmts"), ctl);
		}
		if (!jbool(s, "have_else"))
			return ev_error(c, "20000", "case not found");
		return exec_list(c, jget(s, "else_stmts"), ctl);
	}
	if (!strcmp(kind, "PLpgSQL_stmt_loop") || !strcmp(kind, "PLpgSQL_stmt_while")) {
		bool is_while = kind[13] == 'w';
		for (;;) {
			if ((st = loop_tick(c)))
				return st;
			c->fr->cur = (unsigned)ln;
			if (is_while) {
				int t;
				if ((st = eval_cond(c, jget(s, "cond"), &t)))
					return st;
				if (t != 1)
					return EV_OK;
			}
			bool stop;
			st = loop_after(exec_list(c, jget(s, "body"), ctl), ctl, label, &stop);
			if (stop)
				return st;
		}
	}
	if (!strcmp(kind, "PLpgSQL_stmt_fori")) {
		struct ev_val lo, hi, by = ev_int(1);
		if ((st = eval_pl(c, jget(s, "lower"), &lo)) ||
		    (st = eval_pl(c, jget(s, "upper"), &hi)) ||
		    (jget(s, "step") && (st = eval_pl(c, jget(s, "step"), &by))))
			return st;
		if (lo.k == EV_NULL || hi.k == EV_NULL || by.k == EV_NULL)
			return ev_error(c, "22004", "lower, upper and BY bound of FOR loop "
					"cannot be null");
		if ((st = ev_cast(c, &lo, "int8")) || (st = ev_cast(c, &hi, "int8")) ||
		    (st = ev_cast(c, &by, "int8")))
			return st;
		if (by.i <= 0)
			return ev_error(c, "22023", "BY value of FOR loop must be greater "
					"than zero");
		long k = loop_var(c, jget(s, "var"));
		if (k < 0)
			return ev_unsupported(c, "FOR", "the loop variable");
		bool rev = jbool(s, "reverse");
		bool any = false;
		for (int64_t i = lo.i; rev ? i >= hi.i : i <= hi.i;) {
			if ((st = loop_tick(c)))
				return st;
			any = true;
			c->fr->cur = (unsigned)ln;
			c->fr->vals[k] = ev_int(i);
			bool stop;
			st = loop_after(exec_list(c, jget(s, "body"), ctl), ctl, label, &stop);
			if (stop) {
				if (st)
					return st;
				break;
			}
			int64_t nx;
			if (rev ? __builtin_sub_overflow(i, by.i, &nx)
				: __builtin_add_overflow(i, by.i, &nx))
				break;
			i = nx;
		}
		set_found(c, any);
		return EV_OK;
	}
	if (!strcmp(kind, "PLpgSQL_stmt_foreach_a")) {
		if (jint(s, "slice", 0))
			return ev_unsupported(c, "FOREACH", "FOREACH ... SLICE");
		struct ev_val a;
		if ((st = eval_pl(c, jget(s, "expr"), &a)))
			return st;
		if (a.k == EV_NULL)
			return ev_error(c, "22004", "FOREACH expression must not be null");
		if (a.k != EV_ARRAY && (st = ev_cast(c, &a, "text[]")))
			return st;
		long k = jint(s, "varno", -1);
		for (size_t i = 0; i < a.n; i++) {
			if ((st = loop_tick(c)))
				return st;
			c->fr->cur = (unsigned)ln;
			if ((st = assign(c, k, a.v[i])))
				return st;
			bool stop;
			st = loop_after(exec_list(c, jget(s, "body"), ctl), ctl, label, &stop);
			if (stop)
				return st;
		}
		return EV_OK;
	}
	if (!strcmp(kind, "PLpgSQL_stmt_fors")) {
		struct ev_json *e = pl_expr(jget(s, "query"));
		const char *q = jstr(e, "query");
		if (!q)
			return ev_unsupported(c, "FOR", "a FOR without a query");
		PgQuery__ParseResult *t = cached_tree(c, e, "", q, &st);
		if (!t)
			return st;
		struct ev_val *rows;
		size_t n;
		if ((st = run_tree(c, t, q, false, NULL, 0, &rows, &n)))
			return st;
		return rows_loop(c, s, rows, n, ctl);
	}
	if (!strcmp(kind, "PLpgSQL_stmt_dynfors") || !strcmp(kind, "PLpgSQL_stmt_dynexecute")) {
		struct ev_val qv;
		if ((st = eval_pl(c, jget(s, "query"), &qv)))
			return st;
		if (qv.k == EV_NULL)
			return ev_error(c, "22004", "query string argument of EXECUTE is null");
		struct ev_json *pl = jget(s, "params");
		size_t np = ev_json_size(pl);
		struct ev_val *params = ev_alloc(ev, (np + 1) * sizeof(*params));
		for (size_t i = 0; i < np; i++)
			if ((st = eval_pl(c, ev_json_at(pl, i), &params[i])))
				return st;
		const char *sql = ev_to_text(c, &qv);
		struct ev_val *rows;
		size_t n;
		if ((st = ev_run_sql(c, sql, true, np ? params : NULL, np, &rows, &n)))
			return st;
		c->fr->cur = (unsigned)ln;
		if (kind[13] == 'd' && kind[16] == 'f')
			return rows_loop(c, s, rows, n, ctl);
		if (jbool(s, "into"))
			return into_rows(c, s, rows, n);
		return EV_OK;
	}
	if (!strcmp(kind, "PLpgSQL_stmt_execsql") || !strcmp(kind, "PLpgSQL_stmt_perform") ||
	    !strcmp(kind, "PLpgSQL_stmt_call")) {
		struct ev_json *e = pl_expr(jget(s, kind[13] == 'e' ? "sqlstmt" : "expr"));
		const char *q = jstr(e, "query");
		if (!q)
			return ev_unsupported(c, "SQL", "an empty statement");
		struct ev_val *rows;
		size_t n;
		if (kind[13] == 'e' && !jbool(s, "into") && plain_ddl(q) &&
		    !strstr(q, "--") && !strstr(q, "/*")) {
			/* static DDL goes to the host as it is: the host
			 * parses it, once */
			if ((st = ev_run_sql(c, q, false, NULL, 0, &rows, &n)))
				return st;
		} else {
			PgQuery__ParseResult *t = cached_tree(c, e, "", q, &st);
			if (!t)
				return st;
			if ((st = run_tree(c, t, q, false, NULL, 0, &rows, &n)))
				return st;
		}
		c->fr->cur = (unsigned)ln;
		if (jbool(s, "into"))
			st = into_rows(c, s, rows, n);
		if (!st && kind[13] != 'c')
			set_found(c, rows ? n > 0 : true);
		return st;
	}
	if (!strcmp(kind, "PLpgSQL_stmt_exit")) {
		struct ev_json *cond = jget(s, "cond");
		if (cond) {
			int t;
			if ((st = eval_cond(c, cond, &t)))
				return st;
			if (t != 1)
				return EV_OK;
		}
		ctl->label = label;
		return jbool(s, "is_exit") ? EV_EXIT : EV_CONTINUE;
	}
	if (!strcmp(kind, "PLpgSQL_stmt_return")) {
		struct ev_json *e = jget(s, "expr");
		c->fr->ret = ev_null();
		if (e && (st = eval_pl(c, e, &c->fr->ret)))
			return st;
		return EV_RETURN;
	}
	if (!strcmp(kind, "PLpgSQL_stmt_raise"))
		return raise_stmt(c, s);
	if (!strcmp(kind, "PLpgSQL_stmt_assert")) {
		int t;
		if ((st = eval_cond(c, jget(s, "cond"), &t)))
			return st;
		if (t != 1)
			return ev_error(c, "P0004", "assertion failed");
		return EV_OK;
	}
	if (!strcmp(kind, "PLpgSQL_stmt_getdiag")) {
		struct ev_json *items = jget(s, "diag_items");
		bool stacked = jbool(s, "is_stacked");
		for (size_t i = 0; i < ev_json_size(items); i++) {
			struct ev_json *it = jget(ev_json_at(items, i), "PLpgSQL_diag_item");
			const char *k = jstr(it, "kind");
			long target = jint(it, "target", -1);
			struct ev_val v;
			if (!k)
				return ev_unsupported(c, "GET DIAGNOSTICS", "an item");
			if (!stacked && !strcmp(k, "ROW_COUNT"))
				v = ev_int(c->fr->row_count);
			else if (stacked && !strcmp(k, "RETURNED_SQLSTATE") && c->fr->err_state)
				v = ev_text(ev, c->fr->err_state);
			else if (stacked && !strcmp(k, "MESSAGE_TEXT") && c->fr->err_msg)
				v = ev_text(ev, c->fr->err_msg);
			else if (stacked && (!strcmp(k, "PG_EXCEPTION_DETAIL") ||
					     !strcmp(k, "PG_EXCEPTION_HINT") ||
					     !strcmp(k, "PG_EXCEPTION_CONTEXT")))
				v = ev_text(ev, "");
			else
				return ev_unsupported(c, "GET DIAGNOSTICS", "the item %s", k);
			if ((st = assign(c, target, v)))
				return st;
		}
		return EV_OK;
	}
	if (!strcmp(kind, "PLpgSQL_stmt_return_next") ||
	    !strcmp(kind, "PLpgSQL_stmt_return_query"))
		return ev_unsupported(c, "RETURN NEXT/QUERY", "set-returning functions "
				      "are not evaluated");
	return ev_unsupported(c, kind + 13, "the PL/pgSQL statement %s is not "
			      "evaluated", kind + 13);
}

static enum ev_stop exec_list(struct ev_ctx *c, struct ev_json *list, struct ctl *ctl)
{
	/* a nested block's declarations lie between the start of the
	 * statement before it (or its parent's line) and its BEGIN */
	unsigned parent = c->fr->cur;
	for (size_t i = 0; i < ev_json_size(list); i++) {
		if (i) {
			struct ev_json *b;
			jnode(ev_json_at(list, i - 1), &b);
			c->fr->prev_start = (unsigned)jint(b, "lineno", parent);
		} else {
			c->fr->prev_start = parent;
		}
		enum ev_stop st = exec_stmt(c, ev_json_at(list, i), ctl);
		if (st)
			return st;
	}
	return EV_OK;
}

/* ---- function definitions */

static void func_free(struct ev_func *f)
{
	if (!f)
		return;
	free(f->schema);
	free(f->name);
	free(f->args);
	free(f->lang);
	free(f->body);
	free(f->rettype);
	for (size_t i = 0; i < f->nparams; i++) {
		free(f->pnames[i]);
		free(f->ptypes[i]);
	}
	free(f->pnames);
	free(f->ptypes);
	free(f->pmodes);
	free(f->pdefaults);
	if (f->tree)
		pgd_pb_free(&f->tree->base);
	free(f->create_sql);
	pgd_arena_free(f->plarena);
	pgd_eval_prepared_free(f->ahead);
	for (size_t i = 0; i < f->ntrees; i++)
		if (f->trees[i])
			pgd_pb_free(&f->trees[i]->base);
	free(f->trees);
	free(f->d);
	free(f);
}

/* Parses the PL/pgSQL of sql (a CREATE FUNCTION with a body). */
/*
 * Reads sql (one CREATE FUNCTION in PL/pgSQL) with libpg_query's PL/pgSQL
 * parser into a new arena: true with *a (the caller frees it) and *f (the
 * PLpgSQL_function object, in *a); false with *err (malloc'd). Touches no
 * evaluator, so any thread may call it.
 */
static bool read_plpgsql(const char *sql, struct pgd_arena **a, struct ev_json **f,
			 char **err)
{
	PgQueryPlpgsqlParseResult pr = pg_query_parse_plpgsql(sql);
	*err = NULL;
	*a = NULL;
	*f = NULL;
	if (pr.error) {
		*err = pgd_xstrdup(pr.error->message);
		pg_query_free_plpgsql_parse_result(pr);
		return false;
	}
	struct pgd_arena *ar = pgd_arena_new();
	const char *jerr;
	struct ev_json *root = ev_json_parse(ar, pr.plpgsql_funcs, &jerr);
	pg_query_free_plpgsql_parse_result(pr);
	struct ev_json *fo = jget(ev_json_at(root, 0), "PLpgSQL_function");
	if (!fo) {
		*err = pgd_xasprintf("the PL/pgSQL tree could not be read%s%s",
				     jerr ? ": " : "", jerr ? jerr : "");
		pgd_arena_free(ar);
		return false;
	}
	*a = ar;
	*f = fo;
	return true;
}

/* fn's PL/pgSQL from sql (read_plpgsql); false with *err. */
static bool parse_plpgsql(struct ev_func *fn, const char *sql, char **err)
{
	if (!read_plpgsql(sql, &fn->plarena, &fn->plpgsql, err))
		return false;
	read_datums(fn);
	return true;
}

static const char *def_string(const PgQuery__Node *n)
{
	return ev_str(n);
}

/*
 * The rest of a definition (language, body, parameters, result), read from
 * its CREATE statement when a call first looks the function up: most
 * functions (trigger functions first of all) are never called by a
 * migration. False when the text is not one CREATE FUNCTION (the replay
 * accepted it, so it is); the function is then never called.
 */
static bool materialize(struct ev_func *f)
{
	if (!f->pending)
		return f->tree != NULL;
	f->pending = false;
	const char *create_sql = f->create_sql;
	char *err;
	PgQuery__ParseResult *t = parse_sql(create_sql, &err);
	free(err);
	if (!t)
		return false;
	if (t->n_stmts != 1 || !t->stmts[0]->stmt ||
	    t->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT) {
		pgd_pb_free(&t->base);
		return false;
	}
	const PgQuery__CreateFunctionStmt *cf = t->stmts[0]->stmt->create_function_stmt;
	f->tree = t;
	f->is_proc = cf->is_procedure;
	const char *body = NULL, *lang = "sql";
	for (size_t i = 0; i < cf->n_options; i++) {
		const PgQuery__DefElem *de = cf->options[i]->def_elem;
		if (!de || !de->defname)
			continue;
		if (!strcmp(de->defname, "as") && de->arg &&
		    de->arg->node_case == PG_QUERY__NODE__NODE_LIST &&
		    de->arg->list->n_items == 1)
			body = def_string(de->arg->list->items[0]);
		else if (!strcmp(de->defname, "language") && def_string(de->arg))
			lang = def_string(de->arg);
	}
	f->lang = pgd_xstrdup(lang);
	f->body = body ? pgd_xstrdup(body) : NULL;
	if (cf->return_type) {
		const PgQuery__TypeName *rt = cf->return_type;
		f->returns_set = rt->setof;
		const char *last = rt->n_names ? ev_str(rt->names[rt->n_names - 1]) : NULL;
		f->rettype = pgd_xstrdup(last ? last : "");
	} else {
		f->rettype = pgd_xstrdup("void");
	}
	f->nparams = cf->n_parameters;
	f->pnames = calloc(f->nparams + 1, sizeof(char *));
	f->ptypes = calloc(f->nparams + 1, sizeof(char *));
	f->pmodes = calloc(f->nparams + 1, 1);
	f->pdefaults = calloc(f->nparams + 1, sizeof(*f->pdefaults));
	if (!f->pnames || !f->ptypes || !f->pmodes || !f->pdefaults)
		PGD_BUG("out of memory");
	for (size_t i = 0; i < f->nparams; i++) {
		const PgQuery__FunctionParameter *p = cf->parameters[i]->function_parameter;
		if (!p)
			continue;
		f->pnames[i] = p->name && *p->name ? pgd_xstrdup(p->name) : NULL;
		const char *tn = p->arg_type && p->arg_type->n_names
			? ev_str(p->arg_type->names[p->arg_type->n_names - 1]) : NULL;
		if (tn && p->arg_type->n_array_bounds)
			f->ptypes[i] = pgd_xasprintf("%s[]", tn);
		else
			f->ptypes[i] = pgd_xstrdup(tn ? tn : "");
		switch (p->mode) {
		case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT:
		case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE:
			f->pmodes[i] = 'o';
			break;
		case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_INOUT:
			f->pmodes[i] = 'b';
			break;
		case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_VARIADIC:
			f->pmodes[i] = 'v';
			break;
		default:
			f->pmodes[i] = 'i';
		}
		f->pdefaults[i] = p->defexpr;
	}
	/* the body's first line in the file (body_line: the statement's) */
	if (body) {
		const char *at = strstr(create_sql, body);
		if (at)
			for (const char *p = create_sql; p < at; p++)
				f->body_line += *p == '\n';
	}
	/* its PL/pgSQL is parsed at the first call (ev_call) */
	return true;
}

/* "schema\x1fname" into sb (reset): the key of funcs_by_name, and with
 * "\x1fargs" after it, of funcs_by_identity */
static void func_key(struct pgd_strbuf *sb, const char *schema, const char *name)
{
	pgd_strbuf_reset(sb);
	pgd_strbuf_addstr(sb, schema);
	pgd_strbuf_addch(sb, '\x1f');
	pgd_strbuf_addstr(sb, name);
}

void pgd_eval_define(struct pgd_eval *ev, const char *schema, const char *name,
		     const char *args, const char *create_sql, unsigned line)
{
	struct ev_func *f = calloc(1, sizeof(*f));
	if (!f)
		PGD_BUG("out of memory");
	f->schema = pgd_xstrdup(schema);
	f->name = pgd_xstrdup(name);
	f->args = pgd_xstrdup(args ? args : "");
	f->create_sql = pgd_xstrdup(create_sql);
	f->body_line = line;
	f->pending = true;
	PGD_GROW(ev->funcs, ev->afuncs, ev->nfuncs + 1);
	ev->funcs[ev->nfuncs++] = f;
	/* the maps borrow their keys: they live in the keys arena */
	struct pgd_strbuf key = PGD_STRBUF_INIT;
	func_key(&key, schema, name);
	if (!pgd_map_get(ev->funcs_by_name, key.buf, key.len))
		pgd_map_put(ev->funcs_by_name, pgd_arena_strndup(ev->keys, key.buf, key.len),
			    key.len, (void *)1);
	/* a later definition of the same identity replaces this one */
	pgd_strbuf_addch(&key, '\x1f');
	pgd_strbuf_addstr(&key, f->args);
	struct ev_func *o = pgd_map_get(ev->funcs_by_identity, key.buf, key.len);
	if (o)
		o->superseded = true;
	pgd_map_put(ev->funcs_by_identity, pgd_arena_strndup(ev->keys, key.buf, key.len),
		    key.len, f);
	pgd_strbuf_release(&key);
}

bool pgd_eval_any(const struct pgd_eval *ev)
{
	return ev && ev->nfuncs > 0;
}

bool pgd_eval_knows(const struct pgd_eval *ev, const char *schema, const char *name)
{
	if (!ev->nfuncs)
		return false;
	struct pgd_strbuf key = PGD_STRBUF_INIT;
	func_key(&key, schema, name);
	bool r = pgd_map_get(ev->funcs_by_name, key.buf, key.len) != NULL;
	pgd_strbuf_release(&key);
	return r;
}

static size_t input_params(const struct ev_func *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nparams; i++)
		n += f->pmodes[i] != 'o';
	return n;
}

/* Whether f can take nargs arguments named as names. */
static bool fits(const struct ev_func *f, size_t nargs, const char *const *names)
{
	size_t nin = input_params(f);
	if (nargs > nin)
		return false;
	/* every input parameter not given needs a default */
	size_t pos = 0;
	for (size_t i = 0; i < nargs; i++)
		if (!names || !names[i])
			pos++;
	size_t k = 0;
	for (size_t i = 0; i < f->nparams; i++) {
		if (f->pmodes[i] == 'o')
			continue;
		bool given = k < pos;
		for (size_t j = 0; !given && names && j < nargs; j++)
			given = names[j] && f->pnames[i] && !strcmp(names[j], f->pnames[i]);
		if (!given && !f->pdefaults[i])
			return false;
		k++;
	}
	for (size_t j = 0; names && j < nargs; j++) {
		if (!names[j])
			continue;
		bool found = false;
		for (size_t i = 0; i < f->nparams && !found; i++)
			found = f->pnames[i] && !strcmp(names[j], f->pnames[i]) &&
				f->pmodes[i] != 'o';
		if (!found)
			return false;
	}
	return true;
}

struct ev_func *ev_find_func(struct ev_ctx *c, const char *schema, const char *name,
			     size_t nargs, const char *const *argnames)
{
	struct pgd_eval *ev = c->ev;
	size_t np = 1;
	const char *const *path = &schema;
	if (!schema)
		path = ev_search_path(ev, &np);
	for (size_t s = 0; s < np; s++) {
		if (!path[s] || !pgd_eval_knows(ev, path[s], name))
			continue;
		struct ev_func *best = NULL;
		for (size_t i = ev->nfuncs; i-- > 0;) {
			struct ev_func *f = ev->funcs[i];
			if (f->superseded || strcmp(f->schema, path[s]) || strcmp(f->name, name))
				continue;
			if (!pgd_schema_find_function(ev->host.model, f->schema, f->name, f->args))
				continue; /* dropped since */
			if (!materialize(f) || !fits(f, nargs, argnames))
				continue;
			if (best)
				return best; /* ambiguous: the newest wins */
			best = f;
		}
		if (best)
			return best;
	}
	return NULL;
}

static enum ev_stop run_sql_function(struct ev_ctx *c, struct ev_func *fn,
				     struct ev_val *out)
{
	enum ev_stop st;
	char *err;
	PgQuery__ParseResult *t = parse_sql(fn->body, &err);
	if (!t) {
		st = ev_unsupported(c, "SQL function", "the body of %s() does not parse: %s",
				    fn->name, err);
		free(err);
		return st;
	}
	struct ev_val *rows = NULL;
	size_t n = 0;
	st = run_tree(c, t, fn->body, true, NULL, 0, &rows, &n);
	pgd_pb_free(&t->base);
	if (st)
		return st;
	*out = rows && n ? (rows[0].n == 1 ? rows[0].v[0] : rows[0]) : ev_null();
	return EV_OK;
}

enum ev_stop ev_call(struct ev_ctx *c, struct ev_func *fn, const struct ev_val *args,
		     const char *const *argnames, size_t nargs, struct ev_val *out)
{
	struct pgd_eval *ev = c->ev;
	enum ev_stop st;
	*out = ev_null();
	if (!fn->body)
		return ev_unsupported(c, "function call", "%s() has no body the "
				      "interpreter reads", fn->name);
	if (fn->returns_set)
		return ev_unsupported(c, "function call", "set-returning function %s()",
				      fn->name);
	bool pl = !strcmp(fn->lang, "plpgsql");
	if (!pl && strcmp(fn->lang, "sql"))
		return ev_unsupported(c, "function call", "%s() is in language %s",
				      fn->name, fn->lang);
	if (pl && !fn->plpgsql && !fn->parse_failed && fn->create_sql) {
		char *perr;
		if (!parse_plpgsql(fn, fn->create_sql, &perr))
			fn->parse_failed = true;
		free(perr);
	}
	if (pl && (fn->parse_failed || !fn->plpgsql))
		return ev_unsupported(c, "function call", "the PL/pgSQL of %s() does not "
				      "parse", fn->name);
	if (!strcmp(fn->rettype, "trigger") || !strcmp(fn->rettype, "event_trigger"))
		return ev_unsupported(c, "function call", "trigger function %s() called "
				      "directly", fn->name);
	if (ev->depth + 1 > ev->lim.depth)
		return ev_unsupported(c, "recursion limit", "calls nested deeper than %u",
				      ev->lim.depth);
	/* bind: positional first, then named, then defaults */
	struct ev_frame fr = { 0 };
	fr.fn = fn;
	fr.caller = c->fr;
	fr.dynamic = true;
	fr.body_line = fn->body_line;
	fr.nargs = fn->nparams;
	fr.args = ev_alloc(ev, (fn->nparams + 1) * sizeof(*fr.args));
	bool *set = ev_alloc(ev, fn->nparams + 1);
	size_t pos = 0;
	for (size_t i = 0; i < nargs; i++)
		if (!argnames || !argnames[i])
			pos++;
	size_t k = 0, ai = 0;
	for (size_t i = 0; i < fn->nparams; i++) {
		if (fn->pmodes[i] == 'o')
			continue;
		if (k < pos) {
			while (ai < nargs && argnames && argnames[ai])
				ai++;
			fr.args[i] = args[ai++];
			set[i] = true;
		}
		k++;
	}
	for (size_t j = 0; argnames && j < nargs; j++) {
		if (!argnames[j])
			continue;
		for (size_t i = 0; i < fn->nparams; i++)
			if (fn->pnames[i] && !strcmp(fn->pnames[i], argnames[j])) {
				fr.args[i] = args[j];
				set[i] = true;
			}
	}
	for (size_t i = 0; i < fn->nparams; i++) {
		if (set[i] || fn->pmodes[i] == 'o')
			continue;
		if (!fn->pdefaults[i])
			return ev_error(c, "42883", "function %s() does not exist with "
					"these arguments", fn->name);
		struct ev_ctx dc = { ev, NULL, NULL, 0, NULL };
		if ((st = ev_expr(&dc, fn->pdefaults[i], &fr.args[i])))
			return st;
		set[i] = true;
	}
	/* casts to the declared parameter types */
	for (size_t i = 0; i < fn->nparams; i++) {
		char buf[64];
		const char *t = cast_type(fn->ptypes[i], buf, sizeof(buf));
		if (*t && fn->pmodes[i] != 'o' && (st = ev_cast(c, &fr.args[i], t)))
			return st;
		if (fr.args[i].k == EV_TEXT && fr.args[i].type &&
		    !strcmp(fr.args[i].type, "unknown"))
			fr.args[i].type = "text";
	}
	struct ev_ctx fc = { ev, &fr, NULL, 0, NULL };
	ev->depth++;
	if (!pl) {
		st = run_sql_function(&fc, fn, out);
		ev->depth--;
		if (st == EV_RETURN)
			st = EV_OK;
		return st;
	}
	fr.nvals = fn->nd;
	fr.vals = ev_alloc(ev, (fn->nd + 1) * sizeof(*fr.vals));
	fr.hidden = ev_alloc(ev, fn->nd + 1);
	for (size_t i = 0; i < fn->nd; i++)
		fr.vals[i] = ev_null();
	/* named parameters are the datums without a line */
	for (size_t i = 0; i < fn->nparams; i++) {
		if (!fn->pnames[i])
			continue;
		for (size_t d = 0; d < fn->nd; d++)
			if (!fn->d[d].lineno && !strcmp(fn->d[d].name, fn->pnames[i])) {
				fr.vals[d] = fr.args[i];
				break;
			}
	}
	long kf = find_datum(&fr, "found");
	if (kf >= 0)
		fr.vals[kf] = ev_bool(false);
	struct ctl ctl = { NULL };
	struct ev_json *action = jget(fn->plpgsql, "action");
	st = exec_stmt(&fc, action, &ctl);
	ev->depth--;
	if (st == EV_RETURN || st == EV_OK) {
		*out = fr.ret;
		/* OUT parameters: the first is the result */
		bool has_out = false;
		for (size_t i = 0; i < fn->nparams && !has_out; i++)
			if (fn->pmodes[i] == 'o' || fn->pmodes[i] == 'b') {
				has_out = true;
				long d = -1;
				for (size_t x = 0; fn->pnames[i] && x < fn->nd && d < 0; x++)
					if (!fn->d[x].lineno && !strcmp(fn->d[x].name, fn->pnames[i]))
						d = (long)x;
				*out = d >= 0 ? fr.vals[d] : ev_null();
			}
		if (st == EV_OK && !has_out && strcmp(fn->rettype, "void") && !fn->is_proc)
			return ev_error(c, "2F005", "control reached end of function "
					"without RETURN");
		return EV_OK;
	}
	if (st == EV_EXIT || st == EV_CONTINUE)
		return ev_unsupported(c, "EXIT", "EXIT or CONTINUE outside a loop");
	return st;
}

static enum ev_stop call_stmt(struct ev_ctx *c, const PgQuery__CallStmt *cs)
{
	const PgQuery__FuncCall *f = cs->funccall;
	if (!f)
		return ev_unsupported(c, "CALL", "this CALL");
	PgQuery__Node n = PG_QUERY__NODE__INIT;
	n.node_case = PG_QUERY__NODE__NODE_FUNC_CALL;
	n.func_call = (PgQuery__FuncCall *)f;
	struct ev_val v;
	return ev_expr(c, &n, &v);
}

/* ---- DO */

/* A DO block's body as the CREATE FUNCTION libpg_query's PL/pgSQL parser
 * reads (malloc'd): quoted with a dollar tag the body does not contain. */
static char *do_wrapper(const char *body)
{
	char tag[32];
	unsigned k = 0;
	do {
		snprintf(tag, sizeof(tag), "$pgd_do%u$", k++);
	} while (strstr(body, tag) && k < 1000);
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_grow(&sb, strlen(body) + 80);
	pgd_strbuf_addstr(&sb, "CREATE FUNCTION pgd_do() RETURNS void LANGUAGE plpgsql AS ");
	pgd_strbuf_addstr(&sb, tag);
	pgd_strbuf_addstr(&sb, body);
	pgd_strbuf_addstr(&sb, tag);
	return pgd_strbuf_detach(&sb, NULL);
}

/* Whether the evaluator is likely to take text as it is, unparsed
 * (trivial_expr): a name, a number or a quoted literal. */
static bool looks_trivial(const char *text)
{
	const char *p = text;
	if (*p == '\'') {
		for (p++; *p && *p != '\''; p++)
			;
		return *p == '\'' && !p[1];
	}
	for (; *p; p++)
		if (!(((unsigned char)*p >= 0x80) || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

/*
 * The SQL the evaluator will parse for the expression query of a
 * PLpgSQL_expr under member key of a statement of kind (cached_tree's
 * prefix and text), malloc'd, or NULL when it is likely to parse none.
 * A guess: the evaluator takes a tree read ahead only when its SQL is the
 * very SQL it would parse.
 */
static char *expected_sql(const char *kind, const char *key, const char *query)
{
	const char *prefix = "SELECT ", *text = query;
	if (!strcmp(kind, "PLpgSQL_stmt_assign")) {
		text = assign_rhs(query);
		if (!text)
			return NULL;
	} else if (!strcmp(kind, "PLpgSQL_stmt_execsql")) {
		if (plain_ddl(query) && !strstr(query, "--") && !strstr(query, "/*"))
			return NULL; /* the host parses it */
		prefix = "";
	} else if (!strcmp(kind, "PLpgSQL_stmt_perform") || !strcmp(kind, "PLpgSQL_stmt_call") ||
		   (!strcmp(kind, "PLpgSQL_stmt_fors") && !strcmp(key, "query"))) {
		prefix = "";
	}
	if (looks_trivial(text))
		return NULL;
	return pgd_xasprintf("%s%s", prefix, text);
}

struct pgd_eval_prepared {
	char *body;               /* the body it was read from */
	struct pgd_arena *arena;  /* owns f; NULL when the read failed */
	struct ev_json *f;
	char *err;                /* why the read failed */
	/* the SQL of its expressions, parsed ahead: SQL text -> index + 1
	 * in trees; texts and trees in mem (an expression's aux -2 - index
	 * lends it the tree) */
	struct pgd_map *sql;
	struct pgd_arena *mem;
	PgQuery__ParseResult **trees;
	size_t ntrees, atrees;
};

/* Parses ahead the SQL of the expressions under n, a member key of a
 * statement of kind. */
static void parse_ahead(struct pgd_eval_prepared *p, struct ev_json *n,
			const char *kind, const char *key, int depth)
{
	if (!n || depth > 200)
		return;
	if (n->t == EVJ_ARR) {
		for (size_t i = 0; i < n->n; i++)
			parse_ahead(p, n->v[i], kind, key, depth + 1);
		return;
	}
	if (n->t != EVJ_OBJ)
		return;
	if (n->n == 1 && !strcmp(n->k[0], "PLpgSQL_expr")) {
		const char *q = jstr(n->v[0], "query");
		char *sql = q ? expected_sql(kind, key, q) : NULL;
		if (!sql || pgd_map_get(p->sql, sql, strlen(sql))) {
			free(sql);
			return;
		}
		PgQueryProtobufParseResult pr;
		PgQuery__ParseResult *t = pgd_pb_parse_in(p->mem, sql, &pr);
		pg_query_free_protobuf_parse_result(pr);
		if (t) { /* else the evaluator parses it, and says why it fails */
			PGD_GROW(p->trees, p->atrees, p->ntrees + 1);
			p->trees[p->ntrees++] = t;
			size_t len = strlen(sql);
			pgd_map_put(p->sql, pgd_arena_strndup(p->mem, sql, len), len,
				    (void *)(uintptr_t)p->ntrees);
		}
		free(sql);
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->k[i];
		if (!strncmp(k, "PLpgSQL_stmt_", 13) || !strcmp(k, "PLpgSQL_function"))
			parse_ahead(p, n->v[i], k, "", depth + 1);
		else
			parse_ahead(p, n->v[i], kind, k, depth + 1);
	}
}

struct pgd_eval_prepared *pgd_eval_prepare_do(const char *body)
{
	struct pgd_eval_prepared *p = calloc(1, sizeof(*p));
	if (!p)
		PGD_BUG("out of memory");
	p->body = pgd_xstrdup(body);
	p->sql = pgd_map_new();
	p->mem = pgd_arena_new();
	char *sql = do_wrapper(body);
	if (read_plpgsql(sql, &p->arena, &p->f, &p->err))
		parse_ahead(p, p->f, "", "", 0); /* datums' defaults, action */
	free(sql);
	return p;
}

/* The index of sql's tree among those p parsed ahead (they stay p's), or
 * -1. */
static long ahead_index(const struct pgd_eval_prepared *p, const char *sql)
{
	if (!p)
		return -1;
	uintptr_t i = (uintptr_t)pgd_map_get(p->sql, sql, strlen(sql));
	return i ? (long)i - 1 : -1;
}

static PgQuery__ParseResult *ahead_tree(const struct pgd_eval_prepared *p, long i)
{
	return p->trees[i];
}

void pgd_eval_prepared_free(struct pgd_eval_prepared *p)
{
	if (!p)
		return;
	free(p->body);
	pgd_arena_free(p->arena);
	free(p->err);
	free(p->trees);
	pgd_map_free(p->sql);
	pgd_arena_free(p->mem);
	free(p);
}

/* prep (taken; NULL, or one read from another body: read body now) */
static enum ev_stop do_block(struct ev_ctx *c, const char *body, const char *lang,
			     unsigned body_line, bool dynamic,
			     struct pgd_eval_prepared *prep)
{
	struct pgd_eval *ev = c->ev;
	if (prep && strcmp(prep->body, body)) {
		pgd_eval_prepared_free(prep);
		prep = NULL;
	}
	if (strcasecmp(lang, "plpgsql")) {
		pgd_eval_prepared_free(prep);
		return ev_unsupported(c, "DO", "DO blocks in language %s are not evaluated",
				      lang);
	}
	if (ev->depth + 1 > ev->lim.depth) {
		pgd_eval_prepared_free(prep);
		return ev_unsupported(c, "recursion limit", "DO blocks nested deeper than %u",
				      ev->lim.depth);
	}
	struct ev_func *fn = calloc(1, sizeof(*fn));
	if (!fn)
		PGD_BUG("out of memory");
	fn->name = pgd_xstrdup("inline_code_block");
	fn->lang = pgd_xstrdup("plpgsql");
	fn->rettype = pgd_xstrdup("void");
	char *err = NULL;
	enum ev_stop st;
	bool ok;
	if (prep) {
		ok = prep->arena != NULL;
		fn->plarena = prep->arena;
		fn->plpgsql = prep->f;
		err = prep->err;
		prep->arena = NULL;
		prep->err = NULL;
		fn->ahead = prep; /* its trees, as expressions run */
		if (ok)
			read_datums(fn);
	} else {
		char *sql = do_wrapper(body);
		ok = parse_plpgsql(fn, sql, &err);
		free(sql);
	}
	if (!ok) {
		/* a syntax error, or a construct libpg_query's PL/pgSQL parser
		 * cannot read without the catalog (it knows no types: OPEN of
		 * a refcursor fails) */
		st = ev_unsupported(c, "PL/pgSQL parse", "the PL/pgSQL does not parse: %s",
				    err);
		free(err);
		func_free(fn);
		return st;
	}
	struct ev_frame fr = { 0 };
	fr.fn = fn;
	fr.caller = c->fr;
	fr.dynamic = dynamic;
	fr.body_line = body_line;
	fr.nvals = fn->nd;
	fr.vals = ev_alloc(ev, (fn->nd + 1) * sizeof(*fr.vals));
	fr.hidden = ev_alloc(ev, fn->nd + 1);
	for (size_t i = 0; i < fn->nd; i++)
		fr.vals[i] = ev_null();
	long kf = find_datum(&fr, "found");
	if (kf >= 0)
		fr.vals[kf] = ev_bool(false);
	struct ev_ctx fc = { ev, &fr, NULL, 0, NULL };
	struct ctl ctl = { NULL };
	ev->depth++;
	st = exec_stmt(&fc, jget(fn->plpgsql, "action"), &ctl);
	ev->depth--;
	if (st == EV_RETURN)
		st = EV_OK;
	else if (st == EV_EXIT || st == EV_CONTINUE)
		st = ev_unsupported(&fc, "EXIT", "EXIT or CONTINUE outside a loop");
	/* the parse trees cached for its JSON die with it */
	func_free(fn);
	return st;
}

/* ---- public API */

struct pgd_eval *pgd_eval_new(const struct pgd_eval_host *host)
{
	struct pgd_eval *ev = calloc(1, sizeof(*ev));
	struct pgd_eval_limits l = PGD_EVAL_LIMITS_INIT;
	if (!ev)
		PGD_BUG("out of memory");
	ev->host = *host;
	ev->lim = l;
	ev->funcs_by_name = pgd_map_new();
	ev->funcs_by_identity = pgd_map_new();
	ev->oids = pgd_map_new();
	ev->keys = pgd_arena_new();
	ev->next_oid = 16384;
	return ev;
}

void pgd_eval_free(struct pgd_eval *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < ev->nfuncs; i++)
		func_free(ev->funcs[i]);
	free(ev->funcs);
	pgd_map_free(ev->funcs_by_name);
	pgd_map_free(ev->funcs_by_identity);
	pgd_map_free(ev->oids);
	pgd_arena_free(ev->keys);
	free(ev->msg);
	if (ev->arena)
		pgd_arena_free(ev->arena);
	free(ev);
}

void pgd_eval_set_limits(struct pgd_eval *ev, const struct pgd_eval_limits *l)
{
	ev->lim = *l;
}

void pgd_eval_result_release(struct pgd_eval_result *res)
{
	free(res->message);
	res->message = NULL;
}

static void begin(struct pgd_eval *ev, unsigned line)
{
	if (ev->arena)
		pgd_arena_free(ev->arena);
	ev->arena = pgd_arena_new();
	ev->steps = ev->loops = 0;
	ev->depth = 0;
	ev->stmt_line = line;
	ev->executed = 0;
	ev->changes = 0;
	free(ev->msg);
	ev->msg = NULL;
	ev->sqlstate[0] = '\0';
	ev->construct = NULL;
	ev->line = 0;
}

static enum pgd_eval_status finish(struct pgd_eval *ev, enum ev_stop st,
				   struct pgd_eval_result *res)
{
	memset(res, 0, sizeof(*res));
	res->executed = ev->executed;
	switch (st) {
	case EV_OK:
	case EV_RETURN:
		res->status = PGD_EVAL_DONE;
		break;
	case EV_ERROR:
		res->status = PGD_EVAL_FAILED;
		memcpy(res->sqlstate, ev->sqlstate, sizeof(res->sqlstate));
		res->message = pgd_xstrdup(ev->msg ? ev->msg : "error");
		res->line = ev->line;
		break;
	default:
		res->status = PGD_EVAL_UNMODELED;
		res->construct = ev->construct ? ev->construct : "statement";
		res->message = pgd_xstrdup(ev->msg ? ev->msg : "not evaluated");
		res->line = ev->line;
		break;
	}
	pgd_arena_free(ev->arena);
	ev->arena = NULL;
	return res->status;
}

enum pgd_eval_status pgd_eval_do_take_prepared(struct pgd_eval *ev, const char *body,
					       const char *language, unsigned body_line,
					       unsigned stmt_line,
					       struct pgd_eval_prepared *prep,
					       struct pgd_eval_result *res)
{
	begin(ev, stmt_line);
	struct ev_ctx c = { ev, NULL, NULL, 0, NULL };
	enum ev_stop st;
	if (!body || !*body) {
		pgd_eval_prepared_free(prep);
		st = ev_unsupported(&c, "DO", "a DO block without a body");
	} else {
		st = do_block(&c, body, language ? language : "plpgsql", body_line, false,
			      prep);
	}
	return finish(ev, st, res);
}

enum pgd_eval_status pgd_eval_do(struct pgd_eval *ev, const char *body,
				 const char *language, unsigned body_line,
				 unsigned stmt_line, struct pgd_eval_result *res)
{
	return pgd_eval_do_take_prepared(ev, body, language, body_line, stmt_line, NULL, res);
}

/* Whether n calls a migration-defined function (at any depth of the
 * expression's top structure). */
static bool calls_mine(struct ev_ctx *c, const PgQuery__Node *n, int depth)
{
	if (!n || depth > 32)
		return false;
	if (n->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
		const PgQuery__FuncCall *f = n->func_call;
		const char *schema = f->n_funcname == 2 ? ev_str(f->funcname[0]) : NULL;
		const char *name = ev_str(f->funcname[f->n_funcname - 1]);
		size_t np;
		const char *const *sp = schema ? &schema : ev_search_path(c->ev, &np);
		if (schema)
			np = 1;
		for (size_t i = 0; name && i < np; i++)
			if (sp[i] && pgd_eval_knows(c->ev, sp[i], name))
				return true;
		for (size_t i = 0; i < f->n_args; i++)
			if (calls_mine(c, f->args[i], depth + 1))
				return true;
		return false;
	}
	if (n->node_case == PG_QUERY__NODE__NODE_RES_TARGET)
		return calls_mine(c, n->res_target->val, depth + 1);
	if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
		return calls_mine(c, n->type_cast->arg, depth + 1);
	if (n->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR)
		return calls_mine(c, n->named_arg_expr->arg, depth + 1);
	return false;
}

enum pgd_eval_status pgd_eval_toplevel(struct pgd_eval *ev, const char *sql,
				       unsigned line, struct pgd_eval_result *res)
{
	begin(ev, line);
	struct ev_ctx c = { ev, NULL, NULL, 0, NULL };
	if (!ev->nfuncs) {
		/* no migration function yet: nothing to parse for */
		finish(ev, EV_OK, res);
		res->status = PGD_EVAL_NOT_MINE;
		return res->status;
	}
	char *err;
	PgQuery__ParseResult *t = parse_sql(sql, &err);
	enum ev_stop st = EV_OK;
	if (!t) {
		free(err);
		finish(ev, EV_OK, res);
		res->status = PGD_EVAL_NOT_MINE;
		return res->status;
	}
	bool mine_ = false;
	for (size_t i = 0; i < t->n_stmts; i++) {
		const PgQuery__Node *n = t->stmts[i]->stmt;
		if (!n)
			continue;
		if (n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
			const PgQuery__SelectStmt *s = n->select_stmt;
			for (size_t k = 0; k < s->n_target_list && !mine_; k++)
				mine_ = calls_mine(&c, s->target_list[k], 0);
		} else if (n->node_case == PG_QUERY__NODE__NODE_CALL_STMT &&
			   n->call_stmt->funccall) {
			PgQuery__Node fnode = PG_QUERY__NODE__INIT;
			fnode.node_case = PG_QUERY__NODE__NODE_FUNC_CALL;
			fnode.func_call = n->call_stmt->funccall;
			mine_ = calls_mine(&c, &fnode, 0);
		}
	}
	if (!mine_) {
		pgd_pb_free(&t->base);
		finish(ev, EV_OK, res);
		res->status = PGD_EVAL_NOT_MINE;
		return res->status;
	}
	st = run_tree(&c, t, sql, true, NULL, 0, NULL, NULL);
	pgd_pb_free(&t->base);
	return finish(ev, st, res);
}

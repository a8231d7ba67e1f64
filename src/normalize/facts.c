/*
 * facts.c - what the RLS review needs to know about a policy expression:
 * is it constant true (true, 1 = 1, NOT false, x OR true, ...), does it call
 * auth.uid() & co once per row instead of once per statement (outside a
 * sub-select without FROM), does it trust user-editable metadata.
 */
#include <stdlib.h>
#include <string.h>

#include "pgdrift/alloc.h"
#include "pgdrift/normalize.h"
#include "pgdrift/strbuf.h"
#include "pb.h"
#include "pgq.h"

enum { F_FALSE = 0, F_TRUE = 1, F_UNKNOWN = -1 };

static bool same_const(const PgQuery__AConst *a, const PgQuery__AConst *b)
{
	if (a->isnull || b->isnull || a->val_case != b->val_case)
		return false;
	switch (a->val_case) {
	case PG_QUERY__A__CONST__VAL_IVAL:
		return (a->ival ? a->ival->ival : 0) == (b->ival ? b->ival->ival : 0);
	case PG_QUERY__A__CONST__VAL_FVAL:
		return !strcmp(a->fval->fval, b->fval->fval);
	case PG_QUERY__A__CONST__VAL_SVAL:
		return !strcmp(a->sval->sval, b->sval->sval);
	case PG_QUERY__A__CONST__VAL_BOOLVAL:
		return a->boolval->boolval == b->boolval->boolval;
	default:
		return false;
	}
}

/* Three-valued constant evaluation: true, false, or not a constant. */
static int eval(const PgQuery__Node *n, int depth)
{
	if (!n || depth > 200)
		return F_UNKNOWN;
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_A_CONST:
		if (n->a_const->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL)
			return n->a_const->boolval->boolval ? F_TRUE : F_FALSE;
		return F_UNKNOWN;
	case PG_QUERY__NODE__NODE_BOOL_EXPR: {
		const PgQuery__BoolExpr *b = n->bool_expr;
		if (b->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR) {
			int v = b->n_args ? eval(b->args[0], depth + 1) : F_UNKNOWN;
			return v == F_UNKNOWN ? v : !v;
		}
		bool is_and = b->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR;
		int res = is_and ? F_TRUE : F_FALSE;
		for (size_t i = 0; i < b->n_args; i++) {
			int v = eval(b->args[i], depth + 1);
			if (is_and && v == F_FALSE)
				return F_FALSE;
			if (!is_and && v == F_TRUE)
				return F_TRUE;
			if (v == F_UNKNOWN)
				res = F_UNKNOWN;
		}
		return res;
	}
	case PG_QUERY__NODE__NODE_A_EXPR: {
		const PgQuery__AExpr *e = n->a_expr;
		const char *op = e->n_name ? pgd_pgq_str(e->name[e->n_name - 1]) : NULL;
		if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !op || !e->lexpr ||
		    !e->rexpr)
			return F_UNKNOWN;
		if (e->lexpr->node_case == PG_QUERY__NODE__NODE_A_CONST &&
		    e->rexpr->node_case == PG_QUERY__NODE__NODE_A_CONST) {
			bool same = same_const(e->lexpr->a_const, e->rexpr->a_const);
			if (!strcmp(op, "="))
				return same ? F_TRUE : F_UNKNOWN;
			if (!strcmp(op, "<>") || !strcmp(op, "!="))
				return same ? F_FALSE : F_UNKNOWN;
		}
		/* x = x on the same column is true for every non-null x; we do
		 * not call that constant */
		return F_UNKNOWN;
	}
	default:
		return F_UNKNOWN;
	}
}

struct walk {
	struct pgd_expr_facts *f;
};

static bool is_auth_call(const PgQuery__FuncCall *fc)
{
	const char *s = fc->n_funcname == 2 ? pgd_pgq_str(fc->funcname[0]) : NULL;
	const char *n = fc->n_funcname ? pgd_pgq_str(fc->funcname[fc->n_funcname - 1])
				       : NULL;
	if (!n)
		return false;
	if (s && !strcmp(s, "auth"))
		return !strcmp(n, "uid") || !strcmp(n, "jwt") || !strcmp(n, "role") ||
		       !strcmp(n, "email");
	return (!s || !strcmp(s, "pg_catalog")) && !strcmp(n, "current_setting");
}

static void scan(const PgQuery__Node *n, bool in_select, struct pgd_expr_facts *f,
		 int depth);

static void scan_msg(const ProtobufCMessage *msg, bool in_select,
		     struct pgd_expr_facts *f, int depth)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	const char *base = (const char *)msg;
	if (depth > 500)
		return;
	if (d == &pg_query__node__descriptor) {
		/* a Node holds one member of its ~250: visit that one only */
		const ProtobufCMessage *p = pgd_pb_node_member((const PgQuery__Node *)msg);
		if (p)
			scan_msg(p, in_select, f, depth + 1);
		return;
	}
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		if (fd->type == PROTOBUF_C_TYPE_STRING && fd->label != PROTOBUF_C_LABEL_REPEATED) {
			const char *s = *(char *const *)(base + fd->offset);
			if (s && (strstr(s, "raw_user_meta_data") || strstr(s, "user_metadata")))
				f->user_metadata = true;
			continue;
		}
		if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(base + fd->quantifier_offset) != fd->id)
			continue;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t k = *(const size_t *)(base + fd->quantifier_offset);
			void *const *arr = *(void *const *const *)(base + fd->offset);
			for (size_t j = 0; j < k; j++) {
				if (fd->descriptor == &pg_query__node__descriptor)
					scan(arr[j], in_select, f, depth + 1);
				else if (arr[j])
					scan_msg(arr[j], in_select, f, depth + 1);
			}
		} else {
			void *p = *(void *const *)(base + fd->offset);
			if (!p)
				continue;
			if (fd->descriptor == &pg_query__node__descriptor)
				scan(p, in_select, f, depth + 1);
			else
				scan_msg(p, in_select, f, depth + 1);
		}
	}
}

static void scan(const PgQuery__Node *n, bool in_select, struct pgd_expr_facts *f,
		 int depth)
{
	if (!n)
		return;
	if (n->node_case == PG_QUERY__NODE__NODE_FUNC_CALL && !in_select &&
	    is_auth_call(n->func_call))
		f->per_row_auth_call = true;
	/* a sub-select without FROM, like (select auth.uid()), becomes an
	 * InitPlan: evaluated once per statement. One with FROM (EXISTS
	 * (select 1 from m where m.user_id = auth.uid())) runs its
	 * expressions per row, as splinter's auth_rls_initplan also says. */
	if (n->node_case == PG_QUERY__NODE__NODE_SUB_LINK) {
		const PgQuery__Node *sub = n->sub_link->subselect;
		in_select = sub && sub->node_case == PG_QUERY__NODE__NODE_SELECT_STMT &&
			    sub->select_stmt->n_from_clause == 0;
	}
	scan_msg(&n->base, in_select, f, depth);
}

static int expr_facts(const char *expr, struct pgd_expr_facts *out);

static void facts_code(char v[4], int rc, const struct pgd_expr_facts *f)
{
	v[0] = rc ? '1' : '0';
	v[1] = f->always_true ? '1' : '0';
	v[2] = f->per_row_auth_call ? '1' : '0';
	v[3] = f->user_metadata ? '1' : '0';
}

void pgd_norm_facts_note(const PgQuery__Node *canon, const char *text)
{
	if (!canon || !text)
		return;
	size_t len = strlen(text);
	if (pgd_memo_get('F', text, len, NULL))
		return;
	struct pgd_expr_facts f;
	memset(&f, 0, sizeof(f));
	f.always_true = eval(canon, 0) == F_TRUE;
	scan(canon, false, &f, 0);
	char v[4];
	facts_code(v, 0, &f);
	if (getenv("PGDRIFT_VERIFY_FACTS")) {
		/* the tests hold the tree's facts to those of its text */
		struct pgd_expr_facts g;
		char w[4];
		facts_code(w, expr_facts(text, &g), &g);
		if (memcmp(v, w, sizeof(v)))
			PGD_BUG("facts of a canonical tree (%.4s) and of its text (%.4s) "
				"differ: %s", v, w, text);
	}
	pgd_memo_put('F', text, len, v, sizeof(v));
}

/* The same policy text comes back for many tables: memoized by the text
 * (facts depend on nothing else). */
int pgd_normalize_expr_facts(const char *expr, struct pgd_expr_facts *out)
{
	size_t len = strlen(expr);
	const char *hit = pgd_memo_get('F', expr, len, NULL);
	if (hit) {
		memset(out, 0, sizeof(*out));
		out->always_true = hit[1] == '1';
		out->per_row_auth_call = hit[2] == '1';
		out->user_metadata = hit[3] == '1';
		return hit[0] == '0' ? 0 : -1;
	}
	int rc = expr_facts(expr, out);
	char v[4];
	facts_code(v, rc, out);
	pgd_memo_put('F', expr, len, v, sizeof(v));
	return rc;
}

static int expr_facts(const char *expr, struct pgd_expr_facts *out)
{
	memset(out, 0, sizeof(*out));
	char *sql = pgd_xasprintf("SELECT %s", expr);
	PgQueryProtobufParseResult r;
	PgQuery__ParseResult *pr = pgd_pb_parse(sql, &r);
	free(sql);
	pg_query_free_protobuf_parse_result(r);
	if (!pr)
		return -1;
	int rc = -1;
	if (pr && pr->n_stmts == 1 &&
	    pr->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
		PgQuery__Node *e =
			pr->stmts[0]->stmt->select_stmt->target_list[0]->res_target->val;
		out->always_true = eval(e, 0) == F_TRUE;
		scan(e, false, out, 0);
		rc = 0;
	}
	if (pr)
		pgd_pb_free(&pr->base);
	return rc;
}

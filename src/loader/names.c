/*
 * names.c - implicit object names, following PostgreSQL 15's
 * makeObjectName(), ChooseRelationName(), ChooseConstraintName() and
 * ChooseIndexNameAddition() (src/backend/commands/indexcmds.c): the longer
 * of the two name parts is truncated first so the whole fits in 63 bytes,
 * never inside a UTF-8 character, and a number is appended to the label
 * ("_key1") while the name is taken.
 */
#include <string.h>

#include "replay.h"

#define NAMEDATALEN 64

/* Bytes of s's first n bytes that end on a character boundary. */
static size_t mbcliplen(const char *s, size_t len, size_t limit)
{
	size_t n = limit < len ? limit : len;
	while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

char *rp_make_object_name(const char *name1, const char *name2,
			  const char *label)
{
	size_t n1 = strlen(name1), n2 = name2 ? strlen(name2) : 0;
	size_t overhead = (name2 ? 1 : 0) + (label ? strlen(label) + 1 : 0);
	size_t avail = NAMEDATALEN - 1 - overhead;
	while (n1 + n2 > avail) {
		if (n1 > n2)
			n1--;
		else
			n2--;
	}
	n1 = mbcliplen(name1, strlen(name1), n1);
	if (name2)
		n2 = mbcliplen(name2, strlen(name2), n2);
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add(&sb, name1, n1);
	if (name2) {
		pgd_strbuf_addch(&sb, '_');
		pgd_strbuf_add(&sb, name2, n2);
	}
	if (label) {
		pgd_strbuf_addch(&sb, '_');
		pgd_strbuf_addstr(&sb, label);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static const char *choose(struct replay *r, const char *schema,
			  const char *name1, const char *name2,
			  const char *label, bool check_rel, bool check_con)
{
	char modlabel[NAMEDATALEN + 16];
	for (int pass = 0;; pass++) {
		if (pass)
			snprintf(modlabel, sizeof(modlabel), "%s%d", label, pass);
		else
			snprintf(modlabel, sizeof(modlabel), "%s", label);
		char *name = rp_make_object_name(name1, name2, modlabel);
		bool taken = (check_rel && pgd_schema_find_rel(r->m, schema, name)) ||
			     (check_con && pgd_schema_conname_taken(r->m, schema, name));
		if (!taken) {
			const char *res = pgd_schema_strdup(r->m, name);
			free(name);
			return res;
		}
		free(name);
	}
}

const char *rp_choose_relname(struct replay *r, const char *schema,
			      const char *name1, const char *name2,
			      const char *label, bool isconstraint)
{
	return choose(r, schema, name1, name2, label, true, isconstraint);
}

const char *rp_choose_conname(struct replay *r, const char *schema,
			      const char *name1, const char *name2,
			      const char *label)
{
	return choose(r, schema, name1, name2, label, false, true);
}

char *rp_name_addition(const char *const *names, size_t n)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (sb.len)
			pgd_strbuf_addch(&sb, '_');
		size_t l = strlen(names[i]);
		if (l > NAMEDATALEN - 1)
			l = NAMEDATALEN - 1;
		pgd_strbuf_add(&sb, names[i], l);
		if (sb.len >= NAMEDATALEN)
			break;
	}
	return pgd_strbuf_detach(&sb, NULL);
}

const char *rp_expr_colname(const PgQuery__Node *e)
{
	while (e) {
		switch (e->node_case) {
		case PG_QUERY__NODE__NODE_COLUMN_REF: {
			const PgQuery__ColumnRef *cr = e->column_ref;
			const char *s = cr->n_fields
				? pgd_pgq_str(cr->fields[cr->n_fields - 1]) : NULL;
			return s ? s : "expr";
		}
		case PG_QUERY__NODE__NODE_FUNC_CALL: {
			const PgQuery__FuncCall *f = e->func_call;
			const char *s = f->n_funcname
				? pgd_pgq_str(f->funcname[f->n_funcname - 1]) : NULL;
			return s ? s : "expr";
		}
		case PG_QUERY__NODE__NODE_TYPE_CAST: {
			const char *inner = rp_expr_colname(e->type_cast->arg);
			if (strcmp(inner, "expr") != 0)
				return inner;
			const PgQuery__TypeName *tn = e->type_cast->type_name;
			const char *s = tn && tn->n_names
				? pgd_pgq_str(tn->names[tn->n_names - 1]) : NULL;
			return s ? s : "expr";
		}
		case PG_QUERY__NODE__NODE_COALESCE_EXPR:
			return "coalesce";
		case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
			return e->min_max_expr->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST
				       ? "greatest" : "least";
		case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
			return "array";
		case PG_QUERY__NODE__NODE_ROW_EXPR:
			return "row";
		case PG_QUERY__NODE__NODE_A_EXPR:
			return e->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF
				       ? "nullif" : "expr";
		case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
			e = e->collate_clause->arg;
			continue;
		case PG_QUERY__NODE__NODE_CASE_EXPR:
			return "case";
		case PG_QUERY__NODE__NODE_A_INDIRECTION:
			e = e->a_indirection->arg;
			continue;
		default:
			return "expr";
		}
	}
	return "expr";
}

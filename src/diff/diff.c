/*
 * diff.c - one generic merge-join over sorted arrays, and per object kind a
 * comparator and three callbacks (only expected, only actual, both): the
 * algorithm of pgquarrel's quarrel* functions, written once.
 */
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "pgdrift/diff.h"
#include "pgdrift/strbuf.h"
#include "privileges.h"

struct dctx {
	struct pgd_schema *exp, *act;
	const struct pgd_diff_options *opts;
	struct pgd_findings *out;
	/* the table pair being compared, for sub-objects */
	struct pgd_table *et, *at;
};

struct merge_ops {
	int (*cmp)(const void *a, const void *b);
	void (*only_expected)(struct dctx *d, void *e);
	void (*only_actual)(struct dctx *d, void *a);
	void (*both)(struct dctx *d, void *e, void *a);
};

static void merge(struct dctx *d, void *const *e, size_t ne, void *const *a,
		  size_t na, const struct merge_ops *ops)
{
	size_t i = 0, j = 0;
	while (i < ne || j < na) {
		int c = i >= ne ? 1 : j >= na ? -1 : ops->cmp(&e[i], &a[j]);
		if (c < 0)
			ops->only_expected(d, e[i++]);
		else if (c > 0)
			ops->only_actual(d, a[j++]);
		else {
			ops->both(d, e[i], a[j]);
			i++;
			j++;
		}
	}
}

/* ---- scope */

static bool in_list(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static bool schema_audited(const struct dctx *d, const char *schema)
{
	const struct pgd_diff_options *o = d->opts;
	if (o->nschemas && !in_list(schema, o->schemas, o->nschemas))
		return false;
	return !in_list(schema, o->exclude_schemas, o->nexclude_schemas);
}

static bool table_excluded(const struct dctx *d, const char *schema,
			   const char *name)
{
	char *full = pgd_xasprintf("%s.%s", schema, name);
	bool ex = false;
	for (size_t i = 0; i < d->opts->nexclude_tables && !ex; i++) {
		const char *p = d->opts->exclude_tables[i];
		ex = fnmatch(p, full, 0) == 0 || fnmatch(p, name, 0) == 0;
	}
	free(full);
	return ex || !schema_audited(d, schema);
}

/* Whether the expected side owns the schema, so unexpected objects there
 * are drift. */
static bool owned(const struct dctx *d, const char *schema)
{
	if (pgd_schema_is_platform(schema) || !schema_audited(d, schema))
		return false;
	struct pgd_namespace *ns = pgd_schema_find_namespace(d->exp, schema);
	if (ns && ns->created)
		return true;
	for (size_t i = 0; i < d->exp->ntables; i++)
		if (!d->exp->tables[i]->external &&
		    !strcmp(d->exp->tables[i]->obj.schema, schema))
			return true;
	return false;
}

/* ---- identities and provenance */

/* The migration that defines the object's expected state. */
static void set_source(struct pgd_finding *f, const struct pgd_object *o)
{
	const struct pgd_src *s = o->changed.file ? &o->changed : &o->created;
	if (s->file) {
		f->file = pgd_xstrdup(s->file);
		f->line = s->line;
		f->dynamic = s->dynamic;
	}
}

static void set_fix(struct pgd_finding *f, struct pgd_strbuf *sql)
{
	f->remediation = pgd_strbuf_detach(sql, NULL);
}

/* For an object the migrations lack, point at the table they create. */
static void set_table_source(struct pgd_finding *f, const struct pgd_table *t)
{
	if (t->obj.created.file) {
		f->file = pgd_xstrdup(t->obj.created.file);
		f->line = t->obj.created.line;
		/* the table's own findings name it as their object */
		f->file_is_table = f->object && f->table && strcmp(f->object, f->table) != 0;
		f->dynamic = t->obj.created.dynamic;
	}
}

/* "dropped in FILE:LINE but present" when the migrations dropped it. */
static void note_tombstone(struct dctx *d, struct pgd_finding *f,
			   enum pgd_kind kind, const char *schema,
			   const char *table, const char *name)
{
	const struct pgd_tombstone *ts =
		pgd_schema_find_tombstone(d->exp, kind, schema, table, name);
	if (!ts || !ts->dropped.file)
		return;
	char *m = pgd_xasprintf("%s (dropped in %s:%u but present)", f->message,
				ts->dropped.file, ts->dropped.line);
	free(f->message);
	f->message = m;
	f->file = pgd_xstrdup(ts->dropped.file);
	f->line = ts->dropped.line;
	f->dynamic = ts->dropped.dynamic;
}

/* ---- comparators */

static int cmp_obj(const void *x, const void *y)
{
	const struct pgd_object *a = *(const struct pgd_object *const *)x;
	const struct pgd_object *b = *(const struct pgd_object *const *)y;
	int c = strcmp(a->schema, b->schema);
	return c ? c : strcmp(a->name, b->name);
}

static int cmp_name(const void *x, const void *y)
{
	return strcmp((*(const struct pgd_object *const *)x)->name,
		      (*(const struct pgd_object *const *)y)->name);
}

static int cmp_function(const void *x, const void *y)
{
	const struct pgd_function *a = *(const struct pgd_function *const *)x;
	const struct pgd_function *b = *(const struct pgd_function *const *)y;
	int c = cmp_obj(x, y);
	return c ? c : strcmp(a->args, b->args);
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* ---- columns */

static void column_sql(struct pgd_strbuf *sb, const struct pgd_column *c)
{
	pgd_strbuf_add_ident(sb, c->obj.name);
	pgd_strbuf_addf(sb, " %s", c->type);
	if (c->collation)
		pgd_strbuf_addf(sb, " COLLATE %s", c->collation);
	if (c->generated && c->def)
		pgd_strbuf_addf(sb, " GENERATED ALWAYS AS (%s) %s", c->def,
				c->generated == 'v' ? "VIRTUAL" : "STORED");
	else if (c->def)
		pgd_strbuf_addf(sb, " DEFAULT %s", c->def);
	if (c->identity)
		pgd_strbuf_addstr(sb, c->identity == 'a'
				      ? " GENERATED ALWAYS AS IDENTITY"
				      : " GENERATED BY DEFAULT AS IDENTITY");
	if (c->not_null)
		pgd_strbuf_addstr(sb, " NOT NULL");
}

static void alter_prefix(struct pgd_strbuf *sb, const struct pgd_table *t)
{
	pgd_strbuf_addstr(sb, "ALTER TABLE ");
	pgd_strbuf_add_ident(sb, t->obj.schema);
	pgd_strbuf_addch(sb, '.');
	pgd_strbuf_add_ident(sb, t->obj.name);
	pgd_strbuf_addch(sb, ' ');
}

static bool same_column_def(const struct pgd_column *a, const struct pgd_column *b)
{
	return !strcmp(a->type, b->type) && a->not_null == b->not_null &&
	       same_str(a->def, b->def) && a->identity == b->identity &&
	       a->generated == b->generated;
}

static void col_only_expected(struct dctx *d, void *p)
{
	struct pgd_column *c = p;
	struct pgd_strbuf def = PGD_STRBUF_INIT, fix = PGD_STRBUF_INIT;
	column_sql(&def, c);
	char *obj = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, c->obj.name);
	char *tab = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, NULL);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_MISSING_COLUMN, obj, tab,
		def.buf, NULL, "column %s is missing", obj);
	set_source(f, &c->obj);
	alter_prefix(&fix, d->et);
	pgd_strbuf_addf(&fix, "ADD COLUMN %s;", def.buf);
	set_fix(f, &fix);
	pgd_strbuf_release(&def);
	free(obj);
	free(tab);
}

static void col_only_actual(struct dctx *d, void *p)
{
	struct pgd_column *c = p;
	if (d->et->columns_unknown)
		return;
	struct pgd_strbuf def = PGD_STRBUF_INIT, fix = PGD_STRBUF_INIT;
	column_sql(&def, c);
	char *obj = pgd_qualified_name(d->at->obj.schema, d->at->obj.name, c->obj.name);
	char *tab = pgd_qualified_name(d->at->obj.schema, d->at->obj.name, NULL);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_UNEXPECTED_COLUMN, obj,
		tab, NULL, def.buf, "column %s is not in the migrations", obj);
	note_tombstone(d, f, PGD_COLUMN, d->et->obj.schema, d->et->obj.name,
		       c->obj.name);
	if (!f->file)
		set_table_source(f, d->et);
	alter_prefix(&fix, d->at);
	pgd_strbuf_addstr(&fix, "DROP COLUMN ");
	pgd_strbuf_add_ident(&fix, c->obj.name);
	pgd_strbuf_addstr(&fix, ";  -- only if the column is not wanted");
	set_fix(f, &fix);
	pgd_strbuf_release(&def);
	free(obj);
	free(tab);
}

static void col_both(struct dctx *d, void *pe, void *pa)
{
	struct pgd_column *e = pe, *a = pa;
	char *obj = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, e->obj.name);
	char *tab = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, NULL);
	struct pgd_strbuf fix = PGD_STRBUF_INIT;
	struct pgd_finding *f;
	if (strcmp(e->type, a->type) || !same_str(e->collation, a->collation)) {
		f = pgd_findings_add(d->out, PGD_R_COLUMN_TYPE, obj, tab, e->type,
				     a->type, "column %s has type %s, expected %s",
				     obj, a->type, e->type);
		set_source(f, &e->obj);
		alter_prefix(&fix, d->et);
		pgd_strbuf_addstr(&fix, "ALTER COLUMN ");
		pgd_strbuf_add_ident(&fix, e->obj.name);
		pgd_strbuf_addf(&fix, " TYPE %s;", e->type);
		set_fix(f, &fix);
	}
	if (e->not_null != a->not_null) {
		f = pgd_findings_add(d->out, PGD_R_COLUMN_NULLABILITY, obj, tab,
				     e->not_null ? "NOT NULL" : "NULL",
				     a->not_null ? "NOT NULL" : "NULL",
				     "column %s is %s, expected %s", obj,
				     a->not_null ? "NOT NULL" : "nullable",
				     e->not_null ? "NOT NULL" : "nullable");
		set_source(f, &e->obj);
		alter_prefix(&fix, d->et);
		pgd_strbuf_addstr(&fix, "ALTER COLUMN ");
		pgd_strbuf_add_ident(&fix, e->obj.name);
		pgd_strbuf_addstr(&fix, e->not_null ? " SET NOT NULL;" : " DROP NOT NULL;");
		set_fix(f, &fix);
	}
	if (e->generated == a->generated && !same_str(e->def, a->def) &&
	    !e->generated) {
		f = pgd_findings_add(d->out, PGD_R_COLUMN_DEFAULT, obj, tab,
				     e->def ? e->def : "(none)",
				     a->def ? a->def : "(none)",
				     "column %s has default %s, expected %s", obj,
				     a->def ? a->def : "(none)", e->def ? e->def : "(none)");
		set_source(f, &e->obj);
		alter_prefix(&fix, d->et);
		pgd_strbuf_addstr(&fix, "ALTER COLUMN ");
		pgd_strbuf_add_ident(&fix, e->obj.name);
		if (e->def)
			pgd_strbuf_addf(&fix, " SET DEFAULT %s;", e->def);
		else
			pgd_strbuf_addstr(&fix, " DROP DEFAULT;");
		set_fix(f, &fix);
	}
	if (e->identity != a->identity || e->generated != a->generated ||
	    (e->generated && !same_str(e->def, a->def))) {
		struct pgd_strbuf es = PGD_STRBUF_INIT, as = PGD_STRBUF_INIT;
		column_sql(&es, e);
		column_sql(&as, a);
		f = pgd_findings_add(d->out, PGD_R_COLUMN_IDENTITY, obj, tab, es.buf,
				     as.buf, "column %s: identity or generation differs",
				     obj);
		set_source(f, &e->obj);
		pgd_strbuf_release(&es);
		pgd_strbuf_release(&as);
	}
	free(obj);
	free(tab);
}

static const struct merge_ops column_ops = {
	cmp_name, col_only_expected, col_only_actual, col_both,
};

/* A missing and an unexpected column with one definition: a rename. */
static void columns_diff(struct dctx *d)
{
	struct pgd_table *e = d->et, *a = d->at;
	void **ev = pgd_xmalloc((e->ncolumns + 1) * sizeof(void *));
	void **av = pgd_xmalloc((a->ncolumns + 1) * sizeof(void *));
	PGD_COPY(ev, e->columns, e->ncolumns * sizeof(void *));
	PGD_COPY(av, a->columns, a->ncolumns * sizeof(void *));
	qsort(ev, e->ncolumns, sizeof(void *), cmp_name);
	qsort(av, a->ncolumns, sizeof(void *), cmp_name);
	size_t first = d->out->n;
	merge(d, ev, e->ncolumns, av, a->ncolumns, &column_ops);
	/* pair renames: one missing, one unexpected, same definition */
	for (size_t i = first; i < d->out->n; i++) {
		struct pgd_finding *m = &d->out->v[i];
		if (m->rule != pgd_rule(PGD_R_MISSING_COLUMN))
			continue;
		const char *mname = strrchr(m->object, '.') + 1;
		for (size_t k = first; k < d->out->n; k++) {
			struct pgd_finding *u = &d->out->v[k];
			if (u->rule != pgd_rule(PGD_R_UNEXPECTED_COLUMN))
				continue;
			const char *uname = strrchr(u->object, '.') + 1;
			struct pgd_column *ec = NULL, *ac = NULL;
			for (size_t x = 0; x < e->ncolumns; x++) {
				struct pgd_strbuf q = PGD_STRBUF_INIT;
				pgd_strbuf_add_ident(&q, e->columns[x]->obj.name);
				if (!strcmp(q.buf, mname))
					ec = e->columns[x];
				pgd_strbuf_release(&q);
			}
			for (size_t x = 0; x < a->ncolumns; x++) {
				struct pgd_strbuf q = PGD_STRBUF_INIT;
				pgd_strbuf_add_ident(&q, a->columns[x]->obj.name);
				if (!strcmp(q.buf, uname))
					ac = a->columns[x];
				pgd_strbuf_release(&q);
			}
			if (!ec || !ac || !same_column_def(ec, ac))
				continue;
			/* turn the missing finding into a rename, drop the other */
			char *msg = pgd_xasprintf("column %s was renamed to %s", m->object,
						  u->object);
			free(m->message);
			m->message = msg;
			m->rule = pgd_rule(PGD_R_COLUMN_RENAMED);
			m->severity = m->rule->severity;
			free(m->expected);
			free(m->actual);
			m->expected = pgd_xstrdup(mname);
			m->actual = pgd_xstrdup(uname);
			free(m->remediation);
			m->remediation = pgd_xasprintf(
				"ALTER TABLE %s RENAME COLUMN %s TO %s;", m->table, uname,
				mname);
			free(u->object);
			free(u->table);
			free(u->message);
			free(u->expected);
			free(u->actual);
			free(u->file);
			free(u->remediation);
			memmove(u, u + 1, (d->out->n - k - 1) * sizeof(*u));
			d->out->n--;
			if (k < i)
				i--;
			break;
		}
	}
	free(ev);
	free(av);
}

/* ---- constraints, indexes, policies, triggers */

static char *constraint_text(const struct pgd_constraint *c)
{
	return pgd_xasprintf("%s%s", c->def ? c->def : "?",
			     c->validated ? "" : " NOT VALID");
}

static void add_constraint_sql(struct pgd_strbuf *sb, const struct pgd_table *t,
			       const struct pgd_constraint *c)
{
	alter_prefix(sb, t);
	pgd_strbuf_addstr(sb, "ADD CONSTRAINT ");
	pgd_strbuf_add_ident(sb, c->obj.name);
	pgd_strbuf_addf(sb, " %s;", c->def ? c->def : "?");
}

static void con_only_expected(struct dctx *d, void *p)
{
	struct pgd_constraint *c = p;
	char *obj = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, c->obj.name);
	char *tab = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, NULL);
	char *def = constraint_text(c);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_MISSING_CONSTRAINT, obj,
		tab, def, NULL, "constraint %s is missing", obj);
	set_source(f, &c->obj);
	struct pgd_strbuf fix = PGD_STRBUF_INIT;
	add_constraint_sql(&fix, d->et, c);
	set_fix(f, &fix);
	free(def);
	free(obj);
	free(tab);
}

static void con_only_actual(struct dctx *d, void *p)
{
	struct pgd_constraint *c = p;
	if (d->et->external)
		return;
	char *obj = pgd_qualified_name(d->at->obj.schema, d->at->obj.name, c->obj.name);
	char *tab = pgd_qualified_name(d->at->obj.schema, d->at->obj.name, NULL);
	char *def = constraint_text(c);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_UNEXPECTED_CONSTRAINT,
		obj, tab, NULL, def, "constraint %s is not in the migrations", obj);
	note_tombstone(d, f, PGD_CONSTRAINT, d->et->obj.schema, d->et->obj.name,
		       c->obj.name);
	if (!f->file)
		set_table_source(f, d->et);
	struct pgd_strbuf fix = PGD_STRBUF_INIT;
	alter_prefix(&fix, d->at);
	pgd_strbuf_addstr(&fix, "DROP CONSTRAINT ");
	pgd_strbuf_add_ident(&fix, c->obj.name);
	pgd_strbuf_addch(&fix, ';');
	set_fix(f, &fix);
	free(def);
	free(obj);
	free(tab);
}

static void con_both(struct dctx *d, void *pe, void *pa)
{
	struct pgd_constraint *e = pe, *a = pa;
	char *et = constraint_text(e), *at = constraint_text(a);
	if (strcmp(et, at)) {
		char *obj = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, e->obj.name);
		char *tab = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, NULL);
		struct pgd_finding *f = pgd_findings_add(d->out,
			PGD_R_CONSTRAINT_DEFINITION, obj, tab, et, at,
			"constraint %s differs", obj);
		set_source(f, &e->obj);
		struct pgd_strbuf fix = PGD_STRBUF_INIT;
		alter_prefix(&fix, d->et);
		pgd_strbuf_addstr(&fix, "DROP CONSTRAINT ");
		pgd_strbuf_add_ident(&fix, e->obj.name);
		pgd_strbuf_addstr(&fix, "; ");
		add_constraint_sql(&fix, d->et, e);
		set_fix(f, &fix);
		free(obj);
		free(tab);
	}
	free(et);
	free(at);
}

static const struct merge_ops constraint_ops = {
	cmp_name, con_only_expected, con_only_actual, con_both,
};

/* Indexes that back a constraint are judged through the constraint. */
static void idx_only_expected(struct dctx *d, void *p)
{
	struct pgd_index *ix = p;
	if (ix->constraint)
		return;
	char *obj = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, ix->obj.name);
	char *tab = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, NULL);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_MISSING_INDEX, obj, tab,
		ix->def, NULL, "index %s is missing", obj);
	if (ix->unique)
		f->severity = PGD_SEV_ERROR;
	set_source(f, &ix->obj);
	f->remediation = pgd_xasprintf("%s;", ix->def);
	free(obj);
	free(tab);
}

static void idx_only_actual(struct dctx *d, void *p)
{
	struct pgd_index *ix = p;
	if (ix->constraint || d->et->external)
		return;
	char *obj = pgd_qualified_name(d->at->obj.schema, d->at->obj.name, ix->obj.name);
	char *tab = pgd_qualified_name(d->at->obj.schema, d->at->obj.name, NULL);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_UNEXPECTED_INDEX, obj,
		tab, NULL, ix->def, "index %s is not in the migrations", obj);
	note_tombstone(d, f, PGD_INDEX, d->et->obj.schema, d->et->obj.name,
		       ix->obj.name);
	if (!f->file)
		set_table_source(f, d->et);
	char *name = pgd_qualified_name(d->at->obj.schema, ix->obj.name, NULL);
	f->remediation = pgd_xasprintf("DROP INDEX %s;  -- only if it is not wanted",
				       name);
	free(name);
	free(obj);
	free(tab);
}

static void idx_both(struct dctx *d, void *pe, void *pa)
{
	struct pgd_index *e = pe, *a = pa;
	if (same_str(e->def, a->def) || (e->constraint && a->constraint))
		return;
	char *obj = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, e->obj.name);
	char *tab = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, NULL);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_INDEX_DEFINITION, obj,
		tab, e->def, a->def, "index %s differs%s", obj,
		e->unique != a->unique ? (e->unique ? " (it lost UNIQUE)"
						    : " (it became UNIQUE)") : "");
	set_source(f, &e->obj);
	char *name = pgd_qualified_name(d->et->obj.schema, e->obj.name, NULL);
	f->remediation = pgd_xasprintf("DROP INDEX %s; %s;", name, e->def);
	free(name);
	free(obj);
	free(tab);
}

static const struct merge_ops index_ops = {
	cmp_name, idx_only_expected, idx_only_actual, idx_both,
};

static void policy_sql(struct pgd_strbuf *sb, const struct pgd_table *t,
		       const struct pgd_policy *p)
{
	pgd_strbuf_addstr(sb, "CREATE POLICY ");
	pgd_strbuf_add_ident(sb, p->obj.name);
	pgd_strbuf_addstr(sb, " ON ");
	pgd_strbuf_add_ident(sb, t->obj.schema);
	pgd_strbuf_addch(sb, '.');
	pgd_strbuf_add_ident(sb, t->obj.name);
	pgd_strbuf_addf(sb, " AS %s FOR %s TO ",
			p->permissive ? "PERMISSIVE" : "RESTRICTIVE", pgd_polcmd_name(p->cmd));
	for (size_t i = 0; i < p->nroles; i++) {
		if (i)
			pgd_strbuf_addstr(sb, ", ");
		pgd_strbuf_add_ident(sb, p->roles[i]);
	}
	if (p->using_expr)
		pgd_strbuf_addf(sb, " USING (%s)", p->using_expr);
	if (p->check_expr)
		pgd_strbuf_addf(sb, " WITH CHECK (%s)", p->check_expr);
}

static void drop_policy_sql(struct pgd_strbuf *sb, const struct pgd_table *t,
			    const char *name)
{
	pgd_strbuf_addstr(sb, "DROP POLICY ");
	pgd_strbuf_add_ident(sb, name);
	pgd_strbuf_addstr(sb, " ON ");
	pgd_strbuf_add_ident(sb, t->obj.schema);
	pgd_strbuf_addch(sb, '.');
	pgd_strbuf_add_ident(sb, t->obj.name);
	pgd_strbuf_addch(sb, ';');
}

static void pol_only_expected(struct dctx *d, void *p)
{
	struct pgd_policy *pol = p;
	char *obj = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, pol->obj.name);
	char *tab = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, NULL);
	struct pgd_strbuf sql = PGD_STRBUF_INIT;
	policy_sql(&sql, d->et, pol);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_MISSING_POLICY, obj,
		tab, sql.buf, NULL, "policy %s is missing", obj);
	set_source(f, &pol->obj);
	pgd_strbuf_addch(&sql, ';');
	set_fix(f, &sql);
	free(obj);
	free(tab);
}

static void pol_only_actual(struct dctx *d, void *p)
{
	struct pgd_policy *pol = p;
	if (d->et->external)
		return;
	char *obj = pgd_qualified_name(d->at->obj.schema, d->at->obj.name, pol->obj.name);
	char *tab = pgd_qualified_name(d->at->obj.schema, d->at->obj.name, NULL);
	struct pgd_strbuf sql = PGD_STRBUF_INIT, fix = PGD_STRBUF_INIT;
	policy_sql(&sql, d->at, pol);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_UNEXPECTED_POLICY, obj,
		tab, NULL, sql.buf, "policy %s is not in the migrations", obj);
	note_tombstone(d, f, PGD_POLICY, d->et->obj.schema, d->et->obj.name,
		       pol->obj.name);
	if (!f->file)
		set_table_source(f, d->et);
	drop_policy_sql(&fix, d->at, pol->obj.name);
	set_fix(f, &fix);
	pgd_strbuf_release(&sql);
	free(obj);
	free(tab);
}

static void pol_both(struct dctx *d, void *pe, void *pa)
{
	struct pgd_policy *e = pe, *a = pa;
	struct pgd_strbuf parts = PGD_STRBUF_INIT;
	if (e->cmd != a->cmd)
		pgd_strbuf_addf(&parts, ", command %s instead of %s", pgd_polcmd_name(a->cmd),
				pgd_polcmd_name(e->cmd));
	if (e->permissive != a->permissive)
		pgd_strbuf_addf(&parts, ", %s instead of %s",
				a->permissive ? "permissive" : "restrictive",
				e->permissive ? "permissive" : "restrictive");
	bool roles_same = e->nroles == a->nroles;
	for (size_t i = 0; roles_same && i < e->nroles; i++)
		roles_same = !strcmp(e->roles[i], a->roles[i]);
	if (!roles_same)
		pgd_strbuf_addstr(&parts, ", roles differ");
	if (!same_str(e->using_expr, a->using_expr))
		pgd_strbuf_addstr(&parts, ", USING differs");
	if (!same_str(e->check_expr, a->check_expr))
		pgd_strbuf_addstr(&parts, ", WITH CHECK differs");
	if (parts.len) {
		char *obj = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, e->obj.name);
		char *tab = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, NULL);
		struct pgd_strbuf es = PGD_STRBUF_INIT, as = PGD_STRBUF_INIT,
				  fix = PGD_STRBUF_INIT;
		policy_sql(&es, d->et, e);
		policy_sql(&as, d->at, a);
		struct pgd_finding *f = pgd_findings_add(d->out,
			PGD_R_POLICY_DEFINITION, obj, tab, es.buf, as.buf,
			"policy %s differs: %s", obj, parts.buf + 2);
		set_source(f, &e->obj);
		drop_policy_sql(&fix, d->et, e->obj.name);
		pgd_strbuf_addf(&fix, " %s;", es.buf);
		set_fix(f, &fix);
		pgd_strbuf_release(&es);
		pgd_strbuf_release(&as);
		free(obj);
		free(tab);
	}
	pgd_strbuf_release(&parts);
}

static const struct merge_ops policy_ops = {
	cmp_name, pol_only_expected, pol_only_actual, pol_both,
};

static void trg_only_expected(struct dctx *d, void *p)
{
	struct pgd_trigger *tg = p;
	char *obj = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, tg->obj.name);
	char *tab = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, NULL);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_MISSING_TRIGGER, obj,
		tab, tg->def, NULL, "trigger %s is missing", obj);
	set_source(f, &tg->obj);
	if (tg->obj.created.stmt)
		f->remediation = pgd_xasprintf("%s;", tg->obj.created.stmt);
	free(obj);
	free(tab);
}

static void trg_only_actual(struct dctx *d, void *p)
{
	struct pgd_trigger *tg = p;
	if (d->et->external)
		return;
	char *obj = pgd_qualified_name(d->at->obj.schema, d->at->obj.name, tg->obj.name);
	char *tab = pgd_qualified_name(d->at->obj.schema, d->at->obj.name, NULL);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_UNEXPECTED_TRIGGER, obj,
		tab, NULL, tg->def, "trigger %s is not in the migrations", obj);
	note_tombstone(d, f, PGD_TRIGGER, d->et->obj.schema, d->et->obj.name,
		       tg->obj.name);
	if (!f->file)
		set_table_source(f, d->et);
	free(obj);
	free(tab);
}

static void trg_both(struct dctx *d, void *pe, void *pa)
{
	struct pgd_trigger *e = pe, *a = pa;
	if (same_str(e->def, a->def))
		return;
	char *obj = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, e->obj.name);
	char *tab = pgd_qualified_name(d->et->obj.schema, d->et->obj.name, NULL);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_TRIGGER_DEFINITION, obj,
		tab, e->def, a->def, "trigger %s differs", obj);
	set_source(f, &e->obj);
	free(obj);
	free(tab);
}

static const struct merge_ops trigger_ops = {
	cmp_name, trg_only_expected, trg_only_actual, trg_both,
};

/* ---- tables */

static void table_pair(struct dctx *d, struct pgd_table *e, struct pgd_table *a)
{
	d->et = e;
	d->at = a;
	char *tab = pgd_qualified_name(e->obj.schema, e->obj.name, NULL);
	if ((!e->external || e->rls_set) && e->rls_enabled != a->rls_enabled) {
		struct pgd_finding *f = pgd_findings_add(d->out,
			e->rls_enabled ? PGD_R_RLS_DISABLED : PGD_R_RLS_ENABLED, tab, tab,
			e->rls_enabled ? "enabled" : "disabled",
			a->rls_enabled ? "enabled" : "disabled",
			e->rls_enabled ? "row level security is disabled on %s"
				       : "row level security is enabled on %s", tab);
		set_source(f, &e->obj);
		f->remediation = pgd_xasprintf("ALTER TABLE %s %s ROW LEVEL SECURITY;",
					       tab, e->rls_enabled ? "ENABLE" : "DISABLE");
	}
	if ((!e->external || e->rls_set) && e->rls_forced != a->rls_forced) {
		struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_RLS_FORCE, tab,
			tab, e->rls_forced ? "forced" : "not forced",
			a->rls_forced ? "forced" : "not forced",
			"row level security is %s on %s, expected %s",
			a->rls_forced ? "forced" : "not forced", tab,
			e->rls_forced ? "forced" : "not forced");
		set_source(f, &e->obj);
		f->remediation = pgd_xasprintf("ALTER TABLE %s %s ROW LEVEL SECURITY;",
					       tab, e->rls_forced ? "FORCE" : "NO FORCE");
	}
	free(tab);
	if (!e->columns_unknown)
		columns_diff(d);
	else if (!e->external)
		for (size_t i = 0; i < e->ncolumns; i++)
			if (!pgd_table_find_column(a, e->columns[i]->obj.name))
				col_only_expected(d, e->columns[i]);
	merge(d, (void *const *)e->constraints, e->nconstraints,
	      (void *const *)a->constraints, a->nconstraints, &constraint_ops);
	merge(d, (void *const *)e->indexes, e->nindexes,
	      (void *const *)a->indexes, a->nindexes, &index_ops);
	merge(d, (void *const *)e->policies, e->npolicies,
	      (void *const *)a->policies, a->npolicies, &policy_ops);
	merge(d, (void *const *)e->triggers, e->ntriggers,
	      (void *const *)a->triggers, a->ntriggers, &trigger_ops);
	d->et = d->at = NULL;
}

static void tab_only_expected(struct dctx *d, void *p)
{
	struct pgd_table *t = p;
	if (table_excluded(d, t->obj.schema, t->obj.name))
		return;
	char *tab = pgd_qualified_name(t->obj.schema, t->obj.name, NULL);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_MISSING_TABLE, tab, tab,
		NULL, NULL, "table %s is missing%s", tab,
		t->external ? " (a platform table the migrations attach objects to)" : "");
	set_table_source(f, t);
	if (t->obj.created.stmt && !t->external)
		f->remediation = pgd_xasprintf("%s;", t->obj.created.stmt);
	free(tab);
}

static void tab_only_actual(struct dctx *d, void *p)
{
	struct pgd_table *t = p;
	if (!owned(d, t->obj.schema) || table_excluded(d, t->obj.schema, t->obj.name))
		return;
	char *tab = pgd_qualified_name(t->obj.schema, t->obj.name, NULL);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_UNEXPECTED_TABLE, tab,
		tab, NULL, NULL, "table %s is not in the migrations", tab);
	note_tombstone(d, f, PGD_TABLE, t->obj.schema, NULL, t->obj.name);
	free(tab);
}

static void tab_both(struct dctx *d, void *e, void *a)
{
	struct pgd_table *t = e;
	if (table_excluded(d, t->obj.schema, t->obj.name))
		return;
	table_pair(d, e, a);
}

static const struct merge_ops table_ops = {
	cmp_obj, tab_only_expected, tab_only_actual, tab_both,
};

/* Same column names and types, in order: a renamed table. */
static bool same_columns(const struct pgd_table *a, const struct pgd_table *b)
{
	if (a->ncolumns != b->ncolumns || !a->ncolumns || a->columns_unknown)
		return false;
	for (size_t i = 0; i < a->ncolumns; i++)
		if (strcmp(a->columns[i]->obj.name, b->columns[i]->obj.name) ||
		    strcmp(a->columns[i]->type, b->columns[i]->type))
			return false;
	return true;
}

static void tables_diff(struct dctx *d)
{
	size_t first = d->out->n;
	merge(d, (void *const *)d->exp->tables, d->exp->ntables,
	      (void *const *)d->act->tables, d->act->ntables, &table_ops);
	for (size_t i = first; i < d->out->n; i++) {
		struct pgd_finding *m = &d->out->v[i];
		if (m->rule != pgd_rule(PGD_R_MISSING_TABLE))
			continue;
		for (size_t k = first; k < d->out->n; k++) {
			struct pgd_finding *u = &d->out->v[k];
			if (u->rule != pgd_rule(PGD_R_UNEXPECTED_TABLE))
				continue;
			struct pgd_table *et = NULL, *at = NULL;
			for (size_t x = 0; x < d->exp->ntables && !et; x++) {
				char *n = pgd_qualified_name(d->exp->tables[x]->obj.schema,
						 d->exp->tables[x]->obj.name, NULL);
				if (!strcmp(n, m->object))
					et = d->exp->tables[x];
				free(n);
			}
			for (size_t x = 0; x < d->act->ntables && !at; x++) {
				char *n = pgd_qualified_name(d->act->tables[x]->obj.schema,
						 d->act->tables[x]->obj.name, NULL);
				if (!strcmp(n, u->object))
					at = d->act->tables[x];
				free(n);
			}
			if (!et || !at || !same_columns(et, at))
				continue;
			char *msg = pgd_xasprintf("table %s was renamed to %s", m->object,
						  u->object);
			free(m->message);
			m->message = msg;
			m->rule = pgd_rule(PGD_R_TABLE_RENAMED);
			m->severity = m->rule->severity;
			m->expected = pgd_xstrdup(m->object);
			m->actual = pgd_xstrdup(u->object);
			free(m->remediation);
			struct pgd_strbuf fix = PGD_STRBUF_INIT;
			pgd_strbuf_addf(&fix, "ALTER TABLE %s RENAME TO ", u->object);
			pgd_strbuf_add_ident(&fix, et->obj.name);
			pgd_strbuf_addch(&fix, ';');
			m->remediation = pgd_strbuf_detach(&fix, NULL);
			/* compare what is inside, under the new name */
			free(u->object);
			free(u->table);
			free(u->message);
			free(u->expected);
			free(u->actual);
			free(u->file);
			free(u->remediation);
			memmove(u, u + 1, (d->out->n - k - 1) * sizeof(*u));
			d->out->n--;
			table_pair(d, et, at);
			break;
		}
	}
}

/* ---- other objects */

/* How a finding names an object: a function by its identity signature,
 * since overloads share a name. Malloc'd. */
static char *object_name(const struct pgd_object *o)
{
	char *name = pgd_qualified_name(o->schema, o->name, NULL);
	if (o->kind != PGD_FUNCTION)
		return name;
	const struct pgd_function *fn = (const struct pgd_function *)o;
	char *sig = pgd_xasprintf("%s(%s)", name, fn->args ? fn->args : "");
	free(name);
	return sig;
}

static void simple_missing(struct dctx *d, enum pgd_rule_id id,
			   const struct pgd_object *o, const char *what)
{
	if (!schema_audited(d, o->schema))
		return;
	char *name = object_name(o);
	struct pgd_finding *f = pgd_findings_add(d->out, id, name, NULL, NULL, NULL,
						 "%s %s is missing", what, name);
	set_source(f, o);
	if (o->created.stmt)
		f->remediation = pgd_xasprintf("%s;", o->created.stmt);
	free(name);
}

static void simple_unexpected(struct dctx *d, enum pgd_rule_id id,
			      const struct pgd_object *o, const char *what,
			      enum pgd_kind kind)
{
	if (!owned(d, o->schema))
		return;
	char *name = object_name(o);
	struct pgd_finding *f = pgd_findings_add(d->out, id, name, NULL, NULL, NULL,
						 "%s %s is not in the migrations",
						 what, name);
	note_tombstone(d, f, kind, o->schema, NULL, o->name);
	free(name);
}

static void type_only_expected(struct dctx *d, void *p)
{
	simple_missing(d, PGD_R_MISSING_TYPE, p, "type");
}

static void type_only_actual(struct dctx *d, void *p)
{
	simple_unexpected(d, PGD_R_UNEXPECTED_TYPE, p, "type", PGD_TYPE);
}

static char *type_text(const struct pgd_type *t)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (t->typtype == 'e') {
		pgd_strbuf_addstr(&sb, "ENUM (");
		for (size_t i = 0; i < t->nlabels; i++) {
			if (i)
				pgd_strbuf_addstr(&sb, ", ");
			pgd_strbuf_add_literal(&sb, t->labels[i]);
		}
		pgd_strbuf_addch(&sb, ')');
	} else {
		pgd_strbuf_addf(&sb, "DOMAIN %s", t->def ? t->def : "?");
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static void type_both(struct dctx *d, void *pe, void *pa)
{
	char *e = type_text(pe), *a = type_text(pa);
	if (strcmp(e, a)) {
		const struct pgd_object *o = pe;
		char *name = pgd_qualified_name(o->schema, o->name, NULL);
		struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_TYPE_DEFINITION,
			name, NULL, e, a, "type %s differs", name);
		set_source(f, o);
		free(name);
	}
	free(e);
	free(a);
}

static const struct merge_ops type_ops = {
	cmp_obj, type_only_expected, type_only_actual, type_both,
};

static void view_only_expected(struct dctx *d, void *p)
{
	simple_missing(d, PGD_R_MISSING_VIEW, p, "view");
}

static void view_only_actual(struct dctx *d, void *p)
{
	simple_unexpected(d, PGD_R_UNEXPECTED_VIEW, p, "view", PGD_VIEW);
}

static void view_both(struct dctx *d, void *pe, void *pa)
{
	struct pgd_view *e = pe, *a = pa;
	if (e->relkind == a->relkind && e->security_invoker == a->security_invoker)
		return;
	char *name = pgd_qualified_name(e->obj.schema, e->obj.name, NULL);
	struct pgd_finding *f = pgd_findings_add(d->out, PGD_R_VIEW_DEFINITION, name,
		NULL, e->security_invoker ? "security_invoker" : "security definer (default)",
		a->security_invoker ? "security_invoker" : "security definer (default)",
		"view %s differs (security_invoker or materialization)", name);
	set_source(f, &e->obj);
	free(name);
}

static const struct merge_ops view_ops = {
	cmp_obj, view_only_expected, view_only_actual, view_both,
};

static void fn_only_expected(struct dctx *d, void *p)
{
	simple_missing(d, PGD_R_MISSING_FUNCTION, p, "function");
}

static void fn_only_actual(struct dctx *d, void *p)
{
	simple_unexpected(d, PGD_R_UNEXPECTED_FUNCTION, p, "function", PGD_FUNCTION);
}

static void fn_both(struct dctx *d, void *pe, void *pa)
{
	struct pgd_function *e = pe;
	if (!schema_audited(d, e->obj.schema))
		return;
	pgd_diff_function(d->out, e, pa);
}

static bool scope_audited(const char *schema, const void *arg)
{
	return schema_audited(arg, schema);
}

static bool scope_table(const char *schema, const char *table, const void *arg)
{
	return schema_audited(arg, schema) && !table_excluded(arg, schema, table);
}

static const struct merge_ops function_ops = {
	cmp_function, fn_only_expected, fn_only_actual, fn_both,
};

/* ---- findings an unmodeled statement may explain */

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* Whether text names ident as a whole word (ASCII case folded). */
static bool mentions(const char *text, const char *ident)
{
	size_t n = strlen(ident);
	if (!text || !n)
		return false;
	for (const char *p = text; *p; p++) {
		if (strncasecmp(p, ident, n) != 0)
			continue;
		if ((p == text || !ident_char(p[-1])) && !ident_char(p[n]))
			return true;
	}
	return false;
}

/* The last name of a dotted, possibly quoted object name, unquoted and
 * without a function's argument list. Malloc'd. */
static char *last_name(const char *object)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	bool quoted = false;
	for (const char *p = object; *p; p++) {
		if (*p == '"') {
			if (quoted && p[1] == '"') {
				pgd_strbuf_addch(&sb, '"');
				p++;
			} else {
				quoted = !quoted;
			}
		} else if (!quoted && *p == '.') {
			pgd_strbuf_reset(&sb);
		} else if (!quoted && *p == '(') {
			break;
		} else {
			pgd_strbuf_addch(&sb, *p);
		}
	}
	return pgd_strbuf_detach(&sb, NULL);
}

/*
 * A drift finding about an object whose name appears in the text of a
 * statement the replay did not model may be that statement's doing: say
 * so, with the statement's file:line, so nobody chases a false drift.
 */
static void attribute_unmodeled(struct pgd_findings *out, size_t from,
				const struct pgd_schema *exp)
{
	if (!exp->nunmodeled)
		return;
	for (size_t i = from; i < out->n; i++) {
		struct pgd_finding *x = &out->v[i];
		if (x->rule->category != PGD_CAT_DRIFT || !x->object)
			continue;
		char *names[2] = { last_name(x->object),
				   x->table ? last_name(x->table) : NULL };
		const struct pgd_unmodeled *hit = NULL;
		for (size_t k = 0; k < 2 && !hit; k++)
			for (size_t u = 0; names[k] && u < exp->nunmodeled && !hit; u++)
				if (exp->unmodeled[u].src.file &&
				    mentions(exp->unmodeled[u].src.stmt, names[k]))
					hit = &exp->unmodeled[u];
		if (hit) {
			char *m = pgd_xasprintf("%s (possibly made by the unmodeled "
						"statement at %s:%u)", x->message,
						hit->src.file, hit->src.line);
			free(x->message);
			x->message = m;
		}
		free(names[0]);
		free(names[1]);
	}
}

void pgd_diff(struct pgd_schema *expected, struct pgd_schema *actual,
	      const struct pgd_diff_options *opts, struct pgd_findings *out)
{
	static const struct pgd_diff_options none = { 0 };
	struct dctx d = { expected, actual, opts ? opts : &none, out, NULL, NULL };
	size_t first = out->n;
	pgd_schema_sort(expected);
	pgd_schema_sort(actual);

	for (size_t i = 0; i < expected->nnamespaces; i++) {
		const struct pgd_namespace *ns = expected->namespaces[i];
		if (!ns->created || !schema_audited(&d, ns->obj.name) ||
		    pgd_schema_find_namespace(actual, ns->obj.name))
			continue;
		struct pgd_finding *f = pgd_findings_add(out, PGD_R_MISSING_SCHEMA,
			ns->obj.name, NULL, NULL, NULL, "schema %s is missing",
			ns->obj.name);
		set_source(f, &ns->obj);
	}
	for (size_t i = 0; i < expected->nextensions; i++) {
		const struct pgd_extension *e = expected->extensions[i];
		if (pgd_schema_find_extension(actual, e->obj.name))
			continue;
		struct pgd_finding *f = pgd_findings_add(out, PGD_R_MISSING_EXTENSION,
			e->obj.name, NULL, NULL, NULL, "extension %s is not installed",
			e->obj.name);
		set_source(f, &e->obj);
		f->remediation = pgd_xasprintf("CREATE EXTENSION IF NOT EXISTS \"%s\" "
					       "WITH SCHEMA %s;", e->obj.name,
					       e->obj.schema);
	}
	merge(&d, (void *const *)expected->types, expected->ntypes,
	      (void *const *)actual->types, actual->ntypes, &type_ops);
	tables_diff(&d);
	merge(&d, (void *const *)expected->views, expected->nviews,
	      (void *const *)actual->views, actual->nviews, &view_ops);
	merge(&d, (void *const *)expected->functions, expected->nfunctions,
	      (void *const *)actual->functions, actual->nfunctions, &function_ops);
	struct pgd_diff_privileges_scope scope = { scope_audited, scope_table, &d };
	pgd_diff_privileges(expected, actual, &scope, out);

	attribute_unmodeled(out, first, expected);
	if (d.opts->report_unmodeled)
		for (size_t i = 0; i < expected->nunmodeled; i++) {
			const struct pgd_unmodeled *u = &expected->unmodeled[i];
			struct pgd_finding *f = pgd_findings_add(out,
				PGD_R_UNMODELED_STATEMENT, NULL, NULL, NULL, NULL,
				"%s not modeled: %s", u->what, u->reason);
			if (u->src.file) {
				f->file = pgd_xstrdup(u->src.file);
				f->line = u->src.line;
				f->dynamic = u->src.dynamic;
			}
		}
	pgd_findings_sort(out);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **pgd_diff_audited_tables(const struct pgd_schema *expected,
			       const struct pgd_schema *actual,
			       const struct pgd_diff_options *opts, size_t *n)
{
	static const struct pgd_diff_options none = { 0 };
	struct dctx d = { (struct pgd_schema *)expected, (struct pgd_schema *)actual,
			  opts ? opts : &none, NULL, NULL, NULL };
	char **v = pgd_xcalloc(expected->ntables + actual->ntables + 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < expected->ntables; i++) {
		const struct pgd_table *t = expected->tables[i];
		if (!table_excluded(&d, t->obj.schema, t->obj.name))
			v[k++] = pgd_qualified_name(t->obj.schema, t->obj.name, NULL);
	}
	for (size_t i = 0; i < actual->ntables; i++) {
		const struct pgd_table *t = actual->tables[i];
		if (owned(&d, t->obj.schema) &&
		    !table_excluded(&d, t->obj.schema, t->obj.name))
			v[k++] = pgd_qualified_name(t->obj.schema, t->obj.name, NULL);
	}
	qsort(v, k, sizeof(*v), cmp_cstr);
	size_t u = 0;
	for (size_t i = 0; i < k; i++) {
		if (u && !strcmp(v[u - 1], v[i]))
			free(v[i]);
		else
			v[u++] = v[i];
	}
	*n = u;
	return v;
}

struct located {
	char *ident;
	const struct pgd_object *obj;
};

static int cmp_located(const void *a, const void *b)
{
	return strcmp(((const struct located *)a)->ident,
		      ((const struct located *)b)->ident);
}

static const struct pgd_object *find_located(const struct located *v, size_t n,
					     const char *ident)
{
	if (!ident)
		return NULL;
	struct located key = { (char *)ident, NULL };
	const struct located *hit = bsearch(&key, v, n, sizeof(*v), cmp_located);
	return hit ? hit->obj : NULL;
}

void pgd_diff_locate(struct pgd_findings *f, const struct pgd_schema *expected)
{
	size_t need = 0, n = 0;
	for (size_t i = 0; i < f->n; i++)
		need += !f->v[i].file;
	if (!need)
		return;
	size_t cap = expected->ntables + expected->nviews + expected->nfunctions + 1;
	for (size_t i = 0; i < expected->ntables; i++)
		cap += expected->tables[i]->npolicies;
	struct located *v = pgd_xcalloc(cap, sizeof(*v));
	for (size_t i = 0; i < expected->ntables; i++) {
		const struct pgd_table *t = expected->tables[i];
		v[n++] = (struct located){ pgd_qualified_name(t->obj.schema, t->obj.name, NULL), &t->obj };
		for (size_t k = 0; k < t->npolicies; k++)
			v[n++] = (struct located){ pgd_qualified_name(t->obj.schema, t->obj.name,
							  t->policies[k]->obj.name),
						   &t->policies[k]->obj };
	}
	for (size_t i = 0; i < expected->nviews; i++)
		v[n++] = (struct located){ pgd_qualified_name(expected->views[i]->obj.schema,
						  expected->views[i]->obj.name, NULL),
					   &expected->views[i]->obj };
	for (size_t i = 0; i < expected->nfunctions; i++)
		v[n++] = (struct located){ pgd_qualified_name(expected->functions[i]->obj.schema,
						  expected->functions[i]->obj.name, NULL),
					   &expected->functions[i]->obj };
	qsort(v, n, sizeof(*v), cmp_located);
	for (size_t i = 0; i < f->n; i++) {
		struct pgd_finding *x = &f->v[i];
		if (x->file)
			continue;
		/* the database lacks the setting the migrations make */
		if (x->rule == pgd_rule(PGD_R_RLS_EXPOSED_ASSUMED) &&
		    expected->exposed_src.file) {
			x->file = pgd_xstrdup(expected->exposed_src.file);
			x->line = expected->exposed_src.line;
			continue;
		}
		const struct pgd_object *o = find_located(v, n, x->object);
		bool of_table = false;
		if (!o) {
			o = find_located(v, n, x->table);
			/* the table's own findings name it as their object */
			of_table = o && x->object && strcmp(x->object, x->table) != 0;
		}
		if (o) {
			set_source(x, o);
			x->file_is_table = of_table && x->file;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].ident);
	free(v);
}

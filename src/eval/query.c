/*
 * query.c - SELECTs over the catalog relations migrations consult
 * (pg_tables, pg_class, information_schema.columns, ...), answered from
 * the model as the replay has built it so far. Rows come in the order the
 * objects were made (PostgreSQL's heap order) unless the query sorts.
 * Joins are nested loops over small relations; every row visited counts
 * as a step, so a query is bounded like everything else.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"

/* ---- building relations */

struct rb {
	struct pgd_eval *ev;
	struct ev_rel *rel;
	size_t alloc;
};

static void rb_init(struct rb *b, struct pgd_eval *ev, const char *const *cols,
		    size_t ncols)
{
	b->ev = ev;
	b->rel = ev_alloc(ev, sizeof(*b->rel));
	b->rel->cols = ev_alloc(ev, ncols * sizeof(char *));
	for (size_t i = 0; i < ncols; i++)
		b->rel->cols[i] = cols[i];
	b->rel->ncols = ncols;
	b->alloc = 0;
}

static struct ev_val *rb_row(struct rb *b)
{
	struct ev_rel *r = b->rel;
	if (r->nrows == b->alloc) {
		size_t na = b->alloc ? b->alloc * 2 : 16;
		struct ev_val **nr = ev_alloc(b->ev, na * sizeof(*nr));
		if (r->nrows)
			memcpy(nr, r->rows, r->nrows * sizeof(*nr));
		r->rows = nr;
		b->alloc = na;
	}
	struct ev_val *row = ev_alloc(b->ev, r->ncols * sizeof(*row));
	r->rows[r->nrows++] = row;
	return row;
}

static struct ev_val name_v(struct pgd_eval *ev, const char *s)
{
	struct ev_val v = ev_text(ev, s);
	if (s)
		v.type = "name";
	return v;
}

static struct ev_val char_v(struct pgd_eval *ev, char ch)
{
	char buf[2] = { ch, 0 };
	return ev_text(ev, buf);
}

static struct ev_val oid_v(struct pgd_eval *ev, const char *kind, const char *schema,
			   const char *name)
{
	struct ev_val v = ev_int(ev_oid(ev, kind, schema, name));
	v.type = "oid";
	return v;
}

static const char *const builtin_ns[] = { "pg_catalog", "public", "information_schema" };

/* Every schema: the built-in ones, then the model's in creation order. */
static size_t all_namespaces(const struct pgd_schema *m, const char ***out)
{
	size_t n = 0;
	const char **v = malloc((m->nnamespaces + 3) * sizeof(*v));
	if (!v)
		PGD_BUG("out of memory");
	for (size_t i = 0; i < PGD_ARRAY_SIZE(builtin_ns); i++)
		v[n++] = builtin_ns[i];
	size_t np;
	const char *const *ps = pgd_platform_preexisting_schemas(&np);
	v = realloc(v, (m->nnamespaces + 3 + np) * sizeof(*v));
	if (!v)
		PGD_BUG("out of memory");
	for (size_t i = 0; i < np; i++)
		v[n++] = ps[i];
	for (size_t i = 0; i < m->nnamespaces; i++) {
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup = dup || !strcmp(v[j], m->namespaces[i]->obj.name);
		if (!dup)
			v[n++] = m->namespaces[i]->obj.name;
	}
	*out = v;
	return n;
}

static const char *data_type(struct pgd_eval *ev, const char *t, const struct pgd_schema *m)
{
	size_t l = strlen(t);
	if (l > 2 && !strcmp(t + l - 2, "[]"))
		return "ARRAY";
	const char *paren = strchr(t, '(');
	char *base = paren ? pgd_xstrndup(t, (size_t)(paren - t)) : pgd_xstrdup(t);
	/* "timestamp(3) with time zone" keeps its tail */
	if (paren) {
		const char *close = strchr(paren, ')');
		if (close && close[1]) {
			char *b2 = pgd_xasprintf("%s%s", base, close + 1);
			free(base);
			base = b2;
		}
	}
	const char *dot = strchr(base, '.');
	const char *res;
	if (dot || pgd_schema_find_type(m, "public", base))
		res = "USER-DEFINED";
	else
		res = ev_strdup(ev, base);
	free(base);
	return res;
}

static const char *polcmd(enum pgd_polcmd c)
{
	return pgd_polcmd_name(c);
}

/* col = 'value' conjuncts of a WHERE clause that name a catalog
 * relation's table, schema or column: rows of other objects are not built
 * (the WHERE clause still decides; this only saves work). */
struct filt {
	const char *col;
	const char *val;
};

struct filts {
	const struct filt *v;
	size_t n;
	/* the table name and schema they require, or NULL (precomputed) */
	const char *table, *schema, *relname;
	bool none; /* two filters on one column disagree: no row */
	size_t *visits; /* tables the scan looked at, or NULL: they cost steps */
};

static bool filt_mismatch(const struct filts *f, const char *const *cols,
			  const char *val)
{
	for (size_t i = 0; f && i < f->n; i++)
		for (const char *const *c = cols; *c; c++)
			if (!strcmp(f->v[i].col, *c) && strcmp(f->v[i].val, val))
				return true;
	return false;
}

static const char *const name_cols[] = { "tablename", "table_name",
	"event_object_table", NULL };
static const char *const schema_cols[] = { "schemaname", "table_schema",
	"event_object_schema", NULL };

static bool in_list(const char *const *cols, const char *c)
{
	for (; *cols; cols++)
		if (!strcmp(*cols, c))
			return true;
	return false;
}

/* Fills f->table, f->schema and f->relname from its filters. */
static void filts_prepare(struct filts *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const char **slot = in_list(name_cols, f->v[i].col) ? &f->table
				    : in_list(schema_cols, f->v[i].col) ? &f->schema
				    : !strcmp(f->v[i].col, "relname") ? &f->relname : NULL;
		if (!slot)
			continue;
		if (*slot && strcmp(*slot, f->v[i].val))
			f->none = true;
		*slot = f->v[i].val;
	}
}

/* Whether table t cannot give a row the filters keep. */
static bool skip_table(const struct filts *f, const struct pgd_table *t,
		       bool relname_too)
{
	if (!f)
		return false;
	if (f->visits)
		(*f->visits)++;
	return f->none || (f->table && strcmp(f->table, t->obj.name)) ||
	       (f->schema && strcmp(f->schema, t->obj.schema)) ||
	       (relname_too && f->relname && strcmp(f->relname, t->obj.name));
}

/*
 * The tables a scan filtered by fl must visit, in the model's order: the
 * one table the filters name when a lookup finds exactly one (by schema
 * and name, or by name in each schema there is), else all of them. The
 * caller still applies skip_table(); *one is the storage for the single
 * table. Returns the array (borrowed) and its length in *n.
 */
static struct pgd_table *const *tables_for(const struct pgd_schema *m, const struct filts *fl,
					   bool relname_too, struct pgd_table **one, size_t *n)
{
	const char *name = fl ? fl->table : NULL;
	if (!name && fl && relname_too)
		name = fl->relname;
	*n = m->ntables;
	if (!name || fl->none)
		return m->tables;
	size_t found = 0;
	if (fl->schema) {
		*one = pgd_schema_find_table(m, fl->schema, name);
		found = *one != NULL;
	} else {
		const char **ns;
		size_t nns = all_namespaces(m, &ns);
		for (size_t i = 0; i < nns && found < 2; i++) {
			struct pgd_table *t = pgd_schema_find_table(m, ns[i], name);
			if (t) {
				*one = t;
				found++;
			}
		}
		free(ns);
	}
	if (found != 1)
		return m->tables; /* none, or several: every table, in order */
	*n = 1;
	return one;
}

/* The catalog relation schema.name as a relation, or NULL. */
static struct ev_rel *catalog_rel(struct ev_ctx *c, const char *schema,
				  const char *name, const struct filts *fl)
{
	struct pgd_eval *ev = c->ev;
	const struct pgd_schema *m = ev->host.model;
	struct rb b;
	bool is_is = schema && !strcmp(schema, "information_schema");
	if (schema && !is_is && strcmp(schema, "pg_catalog"))
		return NULL;
	if (!is_is && !strcmp(name, "pg_namespace")) {
		static const char *const cols[] = { "oid", "nspname", "nspowner" };
		rb_init(&b, ev, cols, 3);
		const char **ns;
		size_t n = all_namespaces(m, &ns);
		for (size_t i = 0; i < n; i++) {
			struct ev_val *r = rb_row(&b);
			r[0] = oid_v(ev, "n", NULL, ns[i]);
			r[1] = name_v(ev, ns[i]);
			r[2] = ev_int(10);
		}
		free(ns);
		return b.rel;
	}
	if (is_is && !strcmp(name, "schemata")) {
		static const char *const cols[] = { "catalog_name", "schema_name", "schema_owner" };
		rb_init(&b, ev, cols, 3);
		const char **ns;
		size_t n = all_namespaces(m, &ns);
		for (size_t i = 0; i < n; i++) {
			struct ev_val *r = rb_row(&b);
			r[0] = name_v(ev, "postgres");
			r[1] = name_v(ev, ns[i]);
			r[2] = name_v(ev, "postgres");
		}
		free(ns);
		return b.rel;
	}
	if ((!is_is && (!strcmp(name, "pg_tables") || !strcmp(name, "pg_class") ||
			!strcmp(name, "pg_views") || !strcmp(name, "pg_matviews"))) ||
	    (is_is && (!strcmp(name, "tables") || !strcmp(name, "views")))) {
		static const char *const c_tables[] = { "schemaname", "tablename",
			"tableowner", "hasindexes", "rowsecurity" };
		static const char *const c_class[] = { "oid", "relname", "relnamespace",
			"relkind", "relrowsecurity", "relforcerowsecurity", "relispartition" };
		static const char *const c_views[] = { "schemaname", "viewname", "viewowner" };
		static const char *const c_matviews[] = { "schemaname", "matviewname",
			"matviewowner" };
		static const char *const c_istables[] = { "table_catalog", "table_schema",
			"table_name", "table_type" };
		static const char *const c_isviews[] = { "table_catalog", "table_schema",
			"table_name" };
		int which = is_is ? (!strcmp(name, "tables") ? 4 : 5)
			    : !strcmp(name, "pg_tables") ? 0 : !strcmp(name, "pg_class") ? 1
			    : !strcmp(name, "pg_views") ? 2 : 3;
		switch (which) {
		case 0: rb_init(&b, ev, c_tables, 5); break;
		case 1: rb_init(&b, ev, c_class, 7); break;
		case 2: rb_init(&b, ev, c_views, 3); break;
		case 3: rb_init(&b, ev, c_matviews, 3); break;
		case 4: rb_init(&b, ev, c_istables, 4); break;
		default: rb_init(&b, ev, c_isviews, 3); break;
		}
		/* the platform's tables first (they were there before any
		 * migration), then the model's tables, views, then (pg_class)
		 * indexes and sequences: creation order within each */
		size_t npt;
		const struct pgd_platform_rel *pt = pgd_platform_preexisting_tables(&npt);
		for (size_t i = 0; i < npt && (which == 0 || which == 1 || which == 4); i++) {
			const char *ps = pt[i].schema, *pn = pt[i].name;
			if (pgd_schema_find_table(m, ps, pn) && !pgd_schema_find_table(m, ps, pn)->external)
				continue;
			if ((fl->table && strcmp(fl->table, pn)) || (fl->schema && strcmp(fl->schema, ps)) ||
			    (which == 1 && fl->relname && strcmp(fl->relname, pn)) || fl->none)
				continue;
			struct ev_val *r = rb_row(&b);
			if (which == 0) {
				r[0] = name_v(ev, ps);
				r[1] = name_v(ev, pn);
				r[2] = name_v(ev, "postgres");
				r[3] = ev_bool(true);
				r[4] = ev_bool(false);
			} else if (which == 1) {
				r[0] = oid_v(ev, "r", ps, pn);
				r[1] = name_v(ev, pn);
				r[2] = oid_v(ev, "n", NULL, ps);
				r[3] = char_v(ev, 'r');
				r[4] = r[5] = r[6] = ev_bool(false);
			} else {
				r[0] = name_v(ev, "postgres");
				r[1] = name_v(ev, ps);
				r[2] = name_v(ev, pn);
				r[3] = ev_text(ev, "BASE TABLE");
			}
		}
		struct pgd_table *one;
		size_t nt;
		struct pgd_table *const *tl = tables_for(m, fl, which == 1, &one, &nt);
		for (size_t i = 0; i < nt && (which == 0 || which == 1 || which == 4); i++) {
			const struct pgd_table *t = tl[i];
			if (skip_table(fl, t, which == 1))
				continue;
			bool platform = false;
			for (size_t k = 0; t->external && k < npt; k++)
				platform = platform || (!strcmp(pt[k].schema, t->obj.schema) &&
						       !strcmp(pt[k].name, t->obj.name));
			if (platform)
				continue; /* listed above */
			struct ev_val *r = rb_row(&b);
			if (which == 0) {
				r[0] = name_v(ev, t->obj.schema);
				r[1] = name_v(ev, t->obj.name);
				r[2] = name_v(ev, t->owner ? t->owner : "postgres");
				r[3] = ev_bool(t->nindexes > 0);
				r[4] = ev_bool(t->rls_enabled);
			} else if (which == 1) {
				r[0] = oid_v(ev, "r", t->obj.schema, t->obj.name);
				r[1] = name_v(ev, t->obj.name);
				r[2] = oid_v(ev, "n", NULL, t->obj.schema);
				r[3] = char_v(ev, t->relkind ? t->relkind : 'r');
				r[4] = ev_bool(t->rls_enabled);
				r[5] = ev_bool(t->rls_forced);
				r[6] = ev_bool(t->partition_of != NULL);
			} else {
				r[0] = name_v(ev, "postgres");
				r[1] = name_v(ev, t->obj.schema);
				r[2] = name_v(ev, t->obj.name);
				r[3] = ev_text(ev, "BASE TABLE");
			}
		}
		for (size_t i = 0; i < m->nviews && which != 0; i++) {
			const struct pgd_view *v = m->views[i];
			if ((which == 2 || which == 5) && v->relkind != 'v')
				continue;
			if (which == 3 && v->relkind != 'm')
				continue;
			if (which == 4 && v->relkind != 'v')
				continue;
			struct ev_val *r = rb_row(&b);
			if (which == 1) {
				r[0] = oid_v(ev, "r", v->obj.schema, v->obj.name);
				r[1] = name_v(ev, v->obj.name);
				r[2] = oid_v(ev, "n", NULL, v->obj.schema);
				r[3] = char_v(ev, v->relkind);
				r[4] = r[5] = r[6] = ev_bool(false);
			} else if (which == 2 || which == 3) {
				r[0] = name_v(ev, v->obj.schema);
				r[1] = name_v(ev, v->obj.name);
				r[2] = name_v(ev, "postgres");
			} else if (which == 4) {
				r[0] = name_v(ev, "postgres");
				r[1] = name_v(ev, v->obj.schema);
				r[2] = name_v(ev, v->obj.name);
				r[3] = ev_text(ev, "VIEW");
			} else {
				r[0] = name_v(ev, "postgres");
				r[1] = name_v(ev, v->obj.schema);
				r[2] = name_v(ev, v->obj.name);
			}
		}
		if (which == 1) {
			for (size_t i = 0; i < m->ntables; i++)
				for (size_t j = 0; j < m->tables[i]->nindexes; j++) {
					const struct pgd_index *ix = m->tables[i]->indexes[j];
					struct ev_val *r = rb_row(&b);
					r[0] = oid_v(ev, "r", ix->obj.schema, ix->obj.name);
					r[1] = name_v(ev, ix->obj.name);
					r[2] = oid_v(ev, "n", NULL, ix->obj.schema);
					r[3] = char_v(ev, 'i');
					r[4] = r[5] = r[6] = ev_bool(false);
				}
			for (size_t i = 0; i < m->nsequences; i++) {
				const struct pgd_sequence *s = m->sequences[i];
				struct ev_val *r = rb_row(&b);
				r[0] = oid_v(ev, "r", s->obj.schema, s->obj.name);
				r[1] = name_v(ev, s->obj.name);
				r[2] = oid_v(ev, "n", NULL, s->obj.schema);
				r[3] = char_v(ev, 'S');
				r[4] = r[5] = r[6] = ev_bool(false);
			}
		}
		return b.rel;
	}
	if ((!is_is && !strcmp(name, "pg_attribute")) || (is_is && !strcmp(name, "columns"))) {
		static const char *const c_att[] = { "attrelid", "attname", "attnum",
			"attnotnull", "attisdropped", "atthasdef", "attidentity", "attgenerated" };
		static const char *const c_cols[] = { "table_catalog", "table_schema",
			"table_name", "column_name", "ordinal_position", "column_default",
			"is_nullable", "data_type", "is_identity", "is_generated" };
		if (is_is)
			rb_init(&b, ev, c_cols, 10);
		else
			rb_init(&b, ev, c_att, 8);
		static const char *const colname[] = { "column_name", "attname", NULL };
		struct pgd_table *one;
		size_t nt;
		struct pgd_table *const *tl = tables_for(m, fl, false, &one, &nt);
		for (size_t i = 0; i < nt; i++) {
			const struct pgd_table *t = tl[i];
			if (skip_table(fl, t, false))
				continue;
			for (size_t j = 0; j < t->ncolumns; j++) {
				const struct pgd_column *col = t->columns[j];
				if (filt_mismatch(fl, colname, col->obj.name))
					continue;
				struct ev_val *r = rb_row(&b);
				if (!is_is) {
					r[0] = oid_v(ev, "r", t->obj.schema, t->obj.name);
					r[1] = name_v(ev, col->obj.name);
					r[2] = ev_int(col->position);
					r[3] = ev_bool(col->not_null);
					r[4] = ev_bool(false);
					r[5] = ev_bool(col->def != NULL);
					r[6] = char_v(ev, col->identity);
					r[7] = char_v(ev, col->generated);
					continue;
				}
				r[0] = name_v(ev, "postgres");
				r[1] = name_v(ev, t->obj.schema);
				r[2] = name_v(ev, t->obj.name);
				r[3] = name_v(ev, col->obj.name);
				r[4] = ev_int(col->position);
				r[5] = col->def && !col->generated ? ev_text(ev, col->def) : ev_null();
				r[6] = ev_text(ev, col->not_null ? "NO" : "YES");
				r[7] = ev_text(ev, data_type(ev, col->type ? col->type : "", m));
				r[8] = ev_text(ev, col->identity ? "YES" : "NO");
				r[9] = ev_text(ev, col->generated ? "ALWAYS" : "NEVER");
			}
		}
		return b.rel;
	}
	if ((!is_is && !strcmp(name, "pg_constraint")) ||
	    (is_is && (!strcmp(name, "table_constraints") ||
		       !strcmp(name, "key_column_usage")))) {
		static const char *const c_con[] = { "oid", "conname", "connamespace",
			"contype", "conrelid", "confrelid", "convalidated", "contypid" };
		static const char *const c_tc[] = { "constraint_catalog", "constraint_schema",
			"constraint_name", "table_schema", "table_name", "constraint_type" };
		static const char *const c_kcu[] = { "constraint_catalog", "constraint_schema",
			"constraint_name", "table_schema", "table_name", "column_name",
			"ordinal_position" };
		int which = !is_is ? 0 : !strcmp(name, "table_constraints") ? 1 : 2;
		if (which == 0)
			rb_init(&b, ev, c_con, 8);
		else if (which == 1)
			rb_init(&b, ev, c_tc, 6);
		else
			rb_init(&b, ev, c_kcu, 7);
		static const char *const conname[] = { "conname", "constraint_name", NULL };
		struct pgd_table *one;
		size_t nt;
		struct pgd_table *const *tl = tables_for(m, fl, false, &one, &nt);
		for (size_t i = 0; i < nt; i++) {
			const struct pgd_table *t = tl[i];
			if (skip_table(fl, t, false))
				continue;
			for (size_t j = 0; j < t->nconstraints; j++) {
				const struct pgd_constraint *k = t->constraints[j];
				if (filt_mismatch(fl, conname, k->obj.name))
					continue;
				if (which == 0) {
					struct ev_val *r = rb_row(&b);
					r[0] = oid_v(ev, "c", t->obj.schema, k->obj.name);
					r[1] = name_v(ev, k->obj.name);
					r[2] = oid_v(ev, "n", NULL, t->obj.schema);
					r[3] = char_v(ev, (char)k->type);
					r[4] = oid_v(ev, "r", t->obj.schema, t->obj.name);
					r[5] = k->ref_table ? oid_v(ev, "r", k->ref_schema,
								    k->ref_table) : ev_int(0);
					r[6] = ev_bool(k->validated);
					r[7] = ev_int(0);
				} else if (which == 1) {
					if (k->type == PGD_CON_EXCLUDE)
						continue;
					struct ev_val *r = rb_row(&b);
					r[0] = name_v(ev, "postgres");
					r[1] = name_v(ev, t->obj.schema);
					r[2] = name_v(ev, k->obj.name);
					r[3] = name_v(ev, t->obj.schema);
					r[4] = name_v(ev, t->obj.name);
					r[5] = ev_text(ev, k->type == PGD_CON_PRIMARY ? "PRIMARY KEY"
						       : k->type == PGD_CON_UNIQUE ? "UNIQUE"
						       : k->type == PGD_CON_FOREIGN ? "FOREIGN KEY"
						       : "CHECK");
				} else {
					if (k->type == PGD_CON_CHECK || k->type == PGD_CON_EXCLUDE)
						continue;
					for (size_t x = 0; x < k->ncolumns; x++) {
						struct ev_val *r = rb_row(&b);
						r[0] = name_v(ev, "postgres");
						r[1] = name_v(ev, t->obj.schema);
						r[2] = name_v(ev, k->obj.name);
						r[3] = name_v(ev, t->obj.schema);
						r[4] = name_v(ev, t->obj.name);
						r[5] = name_v(ev, k->columns[x]);
						r[6] = ev_int((int64_t)x + 1);
					}
				}
			}
		}
		return b.rel;
	}
	if (!is_is && !strcmp(name, "pg_indexes")) {
		static const char *const cols[] = { "schemaname", "tablename", "indexname",
			"tablespace", "indexdef" };
		rb_init(&b, ev, cols, 5);
		struct pgd_table *one;
		size_t nt;
		struct pgd_table *const *tl = tables_for(m, fl, false, &one, &nt);
		for (size_t i = 0; i < nt; i++)
			for (size_t j = 0; !skip_table(fl, tl[i], false) &&
					   j < tl[i]->nindexes; j++) {
				const struct pgd_index *ix = tl[i]->indexes[j];
				struct ev_val *r = rb_row(&b);
				r[0] = name_v(ev, tl[i]->obj.schema);
				r[1] = name_v(ev, tl[i]->obj.name);
				r[2] = name_v(ev, ix->obj.name);
				r[3] = ev_null();
				r[4] = ev_text(ev, ix->def);
			}
		return b.rel;
	}
	if (!is_is && (!strcmp(name, "pg_policies") || !strcmp(name, "pg_policy"))) {
		static const char *const c_pols[] = { "schemaname", "tablename", "policyname",
			"permissive", "roles", "cmd", "qual", "with_check" };
		static const char *const c_pol[] = { "oid", "polname", "polrelid", "polcmd",
			"polpermissive" };
		bool view = !strcmp(name, "pg_policies");
		rb_init(&b, ev, view ? c_pols : c_pol, view ? 8 : 5);
		struct pgd_table *one;
		size_t nt;
		struct pgd_table *const *tl = tables_for(m, fl, false, &one, &nt);
		for (size_t i = 0; i < nt; i++)
			for (size_t j = 0; !skip_table(fl, tl[i], false) &&
					   j < tl[i]->npolicies; j++) {
				const struct pgd_table *t = tl[i];
				const struct pgd_policy *p = t->policies[j];
				struct ev_val *r = rb_row(&b);
				if (!view) {
					r[0] = oid_v(ev, "pol", t->obj.name, p->obj.name);
					r[1] = name_v(ev, p->obj.name);
					r[2] = oid_v(ev, "r", t->obj.schema, t->obj.name);
					r[3] = char_v(ev, (char)p->cmd);
					r[4] = ev_bool(p->permissive);
					continue;
				}
				r[0] = name_v(ev, t->obj.schema);
				r[1] = name_v(ev, t->obj.name);
				r[2] = name_v(ev, p->obj.name);
				r[3] = ev_text(ev, p->permissive ? "PERMISSIVE" : "RESTRICTIVE");
				struct ev_val *roles = ev_alloc(ev, (p->nroles + 1) * sizeof(*roles));
				for (size_t k = 0; k < p->nroles; k++)
					roles[k] = name_v(ev, p->roles[k]);
				r[4].k = EV_ARRAY;
				r[4].type = "name[]";
				r[4].v = roles;
				r[4].n = p->nroles;
				r[5] = ev_text(ev, polcmd(p->cmd));
				r[6] = ev_text(ev, p->using_expr);
				r[7] = ev_text(ev, p->check_expr);
			}
		return b.rel;
	}
	if ((!is_is && !strcmp(name, "pg_trigger")) || (is_is && !strcmp(name, "triggers"))) {
		static const char *const c_tg[] = { "oid", "tgname", "tgrelid", "tgisinternal" };
		static const char *const c_is[] = { "trigger_catalog", "trigger_schema",
			"trigger_name", "event_object_schema", "event_object_table" };
		rb_init(&b, ev, is_is ? c_is : c_tg, is_is ? 5 : 4);
		struct pgd_table *one;
		size_t nt;
		struct pgd_table *const *tl = tables_for(m, fl, false, &one, &nt);
		for (size_t i = 0; i < nt; i++)
			for (size_t j = 0; !skip_table(fl, tl[i], false) &&
					   j < tl[i]->ntriggers; j++) {
				const struct pgd_table *t = tl[i];
				const struct pgd_trigger *tg = t->triggers[j];
				struct ev_val *r = rb_row(&b);
				if (is_is) {
					r[0] = name_v(ev, "postgres");
					r[1] = name_v(ev, t->obj.schema);
					r[2] = name_v(ev, tg->obj.name);
					r[3] = name_v(ev, t->obj.schema);
					r[4] = name_v(ev, t->obj.name);
				} else {
					r[0] = oid_v(ev, "tg", t->obj.name, tg->obj.name);
					r[1] = name_v(ev, tg->obj.name);
					r[2] = oid_v(ev, "r", t->obj.schema, t->obj.name);
					r[3] = ev_bool(false);
				}
			}
		return b.rel;
	}
	if ((!is_is && !strcmp(name, "pg_proc")) || (is_is && !strcmp(name, "routines"))) {
		static const char *const c_proc[] = { "oid", "proname", "pronamespace",
			"prokind", "prosecdef" };
		static const char *const c_rt[] = { "specific_schema", "routine_schema",
			"routine_name", "routine_type", "security_type" };
		rb_init(&b, ev, is_is ? c_rt : c_proc, 5);
		for (size_t i = 0; i < m->nfunctions; i++) {
			const struct pgd_function *f = m->functions[i];
			struct ev_val *r = rb_row(&b);
			char *key = pgd_xasprintf("%s(%s)", f->obj.name, f->args ? f->args : "");
			if (is_is) {
				r[0] = name_v(ev, f->obj.schema);
				r[1] = name_v(ev, f->obj.schema);
				r[2] = name_v(ev, f->obj.name);
				r[3] = ev_text(ev, "FUNCTION");
				r[4] = ev_text(ev, f->security_definer ? "DEFINER" : "INVOKER");
			} else {
				r[0] = oid_v(ev, "p", f->obj.schema, key);
				r[1] = name_v(ev, f->obj.name);
				r[2] = oid_v(ev, "n", NULL, f->obj.schema);
				r[3] = char_v(ev, 'f');
				r[4] = ev_bool(f->security_definer);
			}
			free(key);
		}
		return b.rel;
	}
	if (!is_is && (!strcmp(name, "pg_type") || !strcmp(name, "pg_enum"))) {
		static const char *const c_type[] = { "oid", "typname", "typnamespace", "typtype" };
		static const char *const c_enum[] = { "oid", "enumtypid", "enumsortorder",
			"enumlabel" };
		bool e = !strcmp(name, "pg_enum");
		rb_init(&b, ev, e ? c_enum : c_type, 4);
		for (size_t i = 0; i < m->ntypes; i++) {
			const struct pgd_type *ty = m->types[i];
			if (!e) {
				struct ev_val *r = rb_row(&b);
				r[0] = oid_v(ev, "t", ty->obj.schema, ty->obj.name);
				r[1] = name_v(ev, ty->obj.name);
				r[2] = oid_v(ev, "n", NULL, ty->obj.schema);
				r[3] = char_v(ev, ty->typtype);
				continue;
			}
			for (size_t k = 0; ty->typtype == 'e' && k < ty->nlabels; k++) {
				struct ev_val *r = rb_row(&b);
				r[0] = oid_v(ev, "el", ty->obj.name, ty->labels[k]);
				r[1] = oid_v(ev, "t", ty->obj.schema, ty->obj.name);
				r[2] = ev_int((int64_t)k + 1);
				r[3] = name_v(ev, ty->labels[k]);
			}
		}
		return b.rel;
	}
	if (!is_is && (!strcmp(name, "pg_roles") || !strcmp(name, "pg_authid") ||
		       !strcmp(name, "pg_user"))) {
		/* the roles a Supabase project has (what the replay assumes it
		 * runs on; migrations' CREATE ROLE is not modeled), and any the
		 * model knows */
		size_t nplatform;
		const struct pgd_platform_role_attrs *platform =
			pgd_platform_preexisting_roles(&nplatform);
		static const char *const cols[] = { "oid", "rolname", "rolsuper",
			"rolcanlogin", "rolbypassrls" };
		bool user = !strcmp(name, "pg_user");
		static const char *const ucols[] = { "usesysid", "usename", "usesuper" };
		rb_init(&b, ev, user ? ucols : cols, user ? 3 : 5);
		for (size_t i = 0; i < nplatform + m->nroles; i++) {
			const struct pgd_platform_role_attrs *pr = i < nplatform ? &platform[i] : NULL;
			const char *rn = pr ? pr->name : m->roles[i - nplatform]->name;
			bool dup = false;
			for (size_t k = 0; k < nplatform && i >= nplatform; k++)
				dup = dup || !strcmp(platform[k].name, rn);
			if (dup)
				continue;
			struct ev_val *r = rb_row(&b);
			r[0] = oid_v(ev, "role", NULL, rn);
			r[1] = name_v(ev, rn);
			r[2] = ev_bool(pr && pr->superuser);
			if (!user) {
				r[3] = ev_bool(pr && pr->login);
				r[4] = ev_bool(pr && pr->bypassrls);
			}
		}
		return b.rel;
	}
	if (!is_is && !strcmp(name, "pg_extension")) {
		static const char *const cols[] = { "oid", "extname", "extnamespace" };
		rb_init(&b, ev, cols, 3);
		for (size_t i = 0; i < m->nextensions; i++) {
			const struct pgd_extension *x = m->extensions[i];
			struct ev_val *r = rb_row(&b);
			r[0] = oid_v(ev, "x", NULL, x->obj.name);
			r[1] = name_v(ev, x->obj.name);
			r[2] = oid_v(ev, "n", NULL, x->obj.schema);
		}
		return b.rel;
	}
	return NULL;
}

/* ---- FROM */

struct from_item {
	struct ev_rel *rel;
	bool left;                /* LEFT JOIN: null-extended when no row matches */
	const PgQuery__Node *on;  /* join condition checked at this item */
};

struct from {
	struct from_item *v;
	size_t n, alloc;
};

static enum ev_stop add_from(struct ev_ctx *c, struct from *f, const PgQuery__Node *n,
			     bool left, const PgQuery__Node *on, const PgQuery__Node *where);

/* The equality filters of where that apply to the relation alias. */
static void collect_filters(struct ev_ctx *c, const PgQuery__Node *w, const char *alias,
			    struct filt **v, size_t *n, size_t *alloc, int depth)
{
	if (!w || depth > 32)
		return;
	if (w->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
	    w->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
		for (size_t i = 0; i < w->bool_expr->n_args; i++)
			collect_filters(c, w->bool_expr->args[i], alias, v, n, alloc, depth + 1);
		return;
	}
	if (w->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
	    w->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP ||
	    w->a_expr->n_name != 1 || !ev_str(w->a_expr->name[0]) ||
	    strcmp(ev_str(w->a_expr->name[0]), "="))
		return;
	const PgQuery__Node *l = w->a_expr->lexpr, *r = w->a_expr->rexpr;
	if (!l || !r)
		return;
	for (int side = 0; side < 2; side++) {
		const PgQuery__Node *col = side ? r : l, *other = side ? l : r;
		if (col->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
			continue;
		const PgQuery__ColumnRef *cr = col->column_ref;
		const char *name = NULL;
		if (cr->n_fields == 1)
			name = ev_str(cr->fields[0]);
		else if (cr->n_fields == 2 && ev_str(cr->fields[0]) && alias &&
			 !strcmp(ev_str(cr->fields[0]), alias))
			name = ev_str(cr->fields[1]);
		if (!name)
			continue;
		/* the other side: a constant, a parameter or a variable */
		const PgQuery__Node *o = other;
		while (o->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
			o = o->type_cast->arg;
		if (o->node_case != PG_QUERY__NODE__NODE_A_CONST &&
		    o->node_case != PG_QUERY__NODE__NODE_PARAM_REF &&
		    !(o->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
		      o->column_ref->n_fields == 1))
			continue;
		if (o->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
			/* a variable, not a column of the catalog */
			const char *vn = ev_str(o->column_ref->fields[0]);
			bool found = false;
			struct ev_val val;
			const char *f1[1] = { vn };
			if (!vn || !c->fr || ev_frame_var(c, f1, 1, &val, &found) || !found ||
			    val.k != EV_TEXT)
				continue;
			PGD_GROW(*v, *alloc, *n + 1);
			(*v)[*n].col = name;
			(*v)[*n].val = val.s;
			(*n)++;
			continue;
		}
		struct ev_val val;
		struct ev_ctx sc = *c;
		sc.scope = NULL;
		if (ev_expr(&sc, o, &val) || val.k != EV_TEXT)
			continue;
		PGD_GROW(*v, *alloc, *n + 1);
		(*v)[*n].col = name;
		(*v)[*n].val = val.s;
		(*n)++;
	}
}

/*
 * A relation of the migrations' own (a table, view, sequence, ...) that
 * schema.name resolves to, as PostgreSQL resolves it: unqualified pg_*
 * catalog names first (pg_catalog is searched first), then the
 * search_path. A table the host says certainly holds no rows reads as
 * empty, as it reads in a shadow database the migrations were applied
 * to; any other is data the replay cannot know (unmodeled). EV_EXIT when
 * the name is not the migrations' (a catalog relation, a platform table).
 */
static enum ev_stop user_rel(struct ev_ctx *c, const char *schema, const char *name,
			     const char *alias, struct ev_rel **out)
{
	const struct pgd_schema *m = c->ev->host.model;
	const struct pgd_object *o = NULL;
	if (schema) {
		if (!strcmp(schema, "pg_catalog") || !strcmp(schema, "information_schema"))
			return EV_EXIT;
		o = pgd_schema_find_rel(m, schema, name);
	} else if (strncmp(name, "pg_", 3)) {
		size_t n;
		const char *const *sp = ev_search_path(c->ev, &n);
		for (size_t i = 0; i < n && !o; i++)
			if (sp[i])
				o = pgd_schema_find_rel(m, sp[i], name);
	}
	if (!o)
		return EV_EXIT;
	const struct pgd_table *t = o->kind == PGD_TABLE ? (const struct pgd_table *)o : NULL;
	if (t && t->external)
		return EV_EXIT; /* a platform table: unknown, as catalog_rel says */
	if (!t || !c->ev->host.rows_empty || !c->ev->host.rows_empty(c->ev->host.arg, t))
		return ev_unsupported(c, "query", "a query over the table \"%s\" "
				      "(data) is not evaluated", name);
	/* no statement wrote it: no rows, and its columns */
	struct ev_rel *r = ev_alloc(c->ev, sizeof(*r));
	r->alias = alias;
	r->ncols = t->ncolumns;
	r->cols = ev_alloc(c->ev, (t->ncolumns + 1) * sizeof(char *));
	for (size_t i = 0; i < t->ncolumns; i++)
		r->cols[i] = t->columns[i]->obj.name;
	r->rows = ev_alloc(c->ev, sizeof(*r->rows));
	r->nrows = 0;
	*out = r;
	return EV_OK;
}

static enum ev_stop range_var(struct ev_ctx *c, const PgQuery__RangeVar *rv,
			      const PgQuery__Node *where, struct ev_rel **out)
{
	const char *schema = rv->schemaname && *rv->schemaname ? rv->schemaname : NULL;
	const char *alias = rv->alias && rv->alias->aliasname ? rv->alias->aliasname
							       : rv->relname;
	enum ev_stop st;
	if ((st = user_rel(c, schema, rv->relname, alias, out)) != EV_EXIT)
		return st;
	struct filt *fv = NULL;
	size_t nf = 0, af = 0;
	collect_filters(c, where, alias, &fv, &nf, &af, 0);
	size_t visits = 0;
	struct filts fl = { fv, nf, NULL, NULL, NULL, false, &visits };
	filts_prepare(&fl);
	struct ev_rel *r = catalog_rel(c, schema, rv->relname, &fl);
	free(fv);
	if (!r)
		return ev_unsupported(c, "query", "a query over %s%s%s is not evaluated",
				      schema ? schema : "", schema ? "." : "", rv->relname);
	/* the tables the filters passed over cost steps as the rows do: a
	 * loop that queries the catalog it grows stays bounded in time */
	c->ev->steps += visits;
	if ((st = ev_step(c)))
		return st;
	struct ev_rel *copy = ev_alloc(c->ev, sizeof(*copy));
	*copy = *r;
	copy->alias = alias;
	*out = copy;
	return EV_OK;
}

static enum ev_stop rows_to_rel(struct ev_ctx *c, struct ev_val *rows, size_t n,
				const char *alias, const char *const *cols, size_t ncols,
				struct ev_rel **out)
{
	struct ev_rel *r = ev_alloc(c->ev, sizeof(*r));
	r->alias = alias;
	r->ncols = ncols;
	r->cols = ev_alloc(c->ev, (ncols + 1) * sizeof(char *));
	for (size_t i = 0; i < ncols; i++)
		r->cols[i] = cols[i];
	r->nrows = n;
	r->rows = ev_alloc(c->ev, (n + 1) * sizeof(*r->rows));
	for (size_t i = 0; i < n; i++)
		r->rows[i] = rows[i].v;
	*out = r;
	return EV_OK;
}

static enum ev_stop add_from(struct ev_ctx *c, struct from *f, const PgQuery__Node *n,
			     bool left, const PgQuery__Node *on, const PgQuery__Node *where)
{
	enum ev_stop st;
	struct ev_rel *rel = NULL;
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_RANGE_VAR:
		if ((st = range_var(c, n->range_var, where, &rel)))
			return st;
		break;
	case PG_QUERY__NODE__NODE_JOIN_EXPR: {
		const PgQuery__JoinExpr *j = n->join_expr;
		if (j->is_natural || j->n_using_clause)
			return ev_unsupported(c, "join", "NATURAL and USING joins are not "
					      "evaluated");
		if (j->jointype != PG_QUERY__JOIN_TYPE__JOIN_INNER &&
		    j->jointype != PG_QUERY__JOIN_TYPE__JOIN_LEFT)
			return ev_unsupported(c, "join", "RIGHT and FULL joins are not evaluated");
		if (j->alias)
			return ev_unsupported(c, "join", "an aliased join");
		if ((st = add_from(c, f, j->larg, left, on, where)))
			return st;
		return add_from(c, f, j->rarg, j->jointype == PG_QUERY__JOIN_TYPE__JOIN_LEFT,
				j->quals, where);
	}
	case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
		const PgQuery__RangeSubselect *rs = n->range_subselect;
		if (rs->lateral || !rs->subquery ||
		    rs->subquery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
			return ev_unsupported(c, "sub-select", "this FROM sub-select");
		struct ev_val *rows;
		size_t nrows;
		/* uncorrelated: evaluated without the outer rows */
		struct ev_ctx sc = *c;
		if ((st = ev_select(&sc, rs->subquery->select_stmt, &rows, &nrows)))
			return st;
		const PgQuery__SelectStmt *ss = rs->subquery->select_stmt;
		size_t ncols = ss->n_target_list;
		const char **cols = ev_alloc(c->ev, (ncols + 1) * sizeof(char *));
		if (nrows && rows[0].n == ncols)
			for (size_t i = 0; i < ncols; i++)
				cols[i] = rows[0].names[i];
		else
			for (size_t i = 0; i < ncols; i++) {
				const PgQuery__ResTarget *rt = ss->target_list[i]->res_target;
				cols[i] = rt && rt->name && *rt->name ? rt->name : "?column?";
			}
		if (nrows && rows[0].n != ncols)
			return ev_unsupported(c, "sub-select", "* in a FROM sub-select");
		const char *alias = rs->alias && rs->alias->aliasname ? rs->alias->aliasname : NULL;
		if ((st = rows_to_rel(c, rows, nrows, alias, cols, ncols, &rel)))
			return st;
		break;
	}
	case PG_QUERY__NODE__NODE_RANGE_FUNCTION: {
		const PgQuery__RangeFunction *rf = n->range_function;
		if (rf->lateral || rf->ordinality || rf->is_rowsfrom || rf->n_functions != 1)
			return ev_unsupported(c, "FROM function", "this FROM function");
		const PgQuery__Node *fl = rf->functions[0];
		if (fl->node_case != PG_QUERY__NODE__NODE_LIST || !fl->list->n_items ||
		    fl->list->items[0]->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
			return ev_unsupported(c, "FROM function", "this FROM function");
		const PgQuery__FuncCall *fc = fl->list->items[0]->func_call;
		const char *fname = ev_str(fc->funcname[fc->n_funcname - 1]);
		if (!fname || strcmp(fname, "unnest") || fc->n_args != 1)
			return ev_unsupported(c, "FROM function", "%s() in FROM is not "
					      "evaluated", fname ? fname : "this function");
		struct ev_val a;
		if ((st = ev_expr(c, fc->args[0], &a)))
			return st;
		if (a.k != EV_NULL && a.k != EV_ARRAY && (st = ev_cast(c, &a, "text[]")))
			return st;
		const char *alias = rf->alias && rf->alias->aliasname ? rf->alias->aliasname
								   : "unnest";
		const char *col = alias;
		if (rf->alias && rf->alias->n_colnames == 1)
			col = ev_str(rf->alias->colnames[0]);
		struct ev_val *rows = ev_alloc(c->ev, (a.n + 1) * sizeof(*rows));
		for (size_t i = 0; a.k == EV_ARRAY && i < a.n; i++) {
			rows[i].v = &a.v[i];
			rows[i].n = 1;
		}
		const char *cols[1] = { col };
		if ((st = rows_to_rel(c, rows, a.k == EV_ARRAY ? a.n : 0, alias, cols, 1, &rel)))
			return st;
		break;
	}
	default:
		return ev_unsupported(c, "query", "this FROM item is not evaluated");
	}
	PGD_GROW(f->v, f->alloc, f->n + 1);
	f->v[f->n].rel = rel;
	f->v[f->n].left = left;
	f->v[f->n].on = on;
	f->n++;
	return EV_OK;
}

/* ---- enumeration */

struct combos {
	struct ev_val ***v;
	size_t n, alloc;
};

struct walk {
	struct ev_ctx *c;
	struct from *f;
	struct ev_scope *scope;
	const PgQuery__Node *where;
	struct combos *out;
};

static enum ev_stop check(struct walk *w, const PgQuery__Node *cond, bool *ok)
{
	struct ev_ctx sc = *w->c;
	sc.scope = w->scope;
	struct ev_val v;
	enum ev_stop st = ev_expr(&sc, cond, &v);
	if (st)
		return st;
	int t = ev_truth(&sc, &v);
	if (t == -2)
		return EV_ERROR;
	*ok = t == 1;
	return EV_OK;
}

static enum ev_stop walk_item(struct walk *w, size_t i)
{
	enum ev_stop st;
	if (i == w->f->n) {
		bool ok = true;
		if (w->where && (st = check(w, w->where, &ok)))
			return st;
		if (!ok)
			return EV_OK;
		if (w->out->n >= 1000000)
			return ev_unsupported(w->c, "query", "a query with over a million rows");
		PGD_GROW(w->out->v, w->out->alloc, w->out->n + 1);
		struct ev_val **copy = ev_alloc(w->c->ev, (w->f->n + 1) * sizeof(*copy));
		memcpy(copy, w->scope->cur, w->f->n * sizeof(*copy));
		w->out->v[w->out->n++] = copy;
		return EV_OK;
	}
	const struct from_item *it = &w->f->v[i];
	bool matched = false;
	for (size_t r = 0; r < it->rel->nrows; r++) {
		if ((st = ev_step(w->c)))
			return st;
		w->scope->cur[i] = it->rel->rows[r];
		bool ok = true;
		if (it->on) {
			/* only the items so far are bound */
			size_t saved = w->scope->nrels;
			w->scope->nrels = i + 1;
			st = check(w, it->on, &ok);
			w->scope->nrels = saved;
			if (st)
				return st;
		}
		if (!ok)
			continue;
		matched = true;
		if ((st = walk_item(w, i + 1)))
			return st;
	}
	if (it->left && !matched) {
		w->scope->cur[i] = NULL;
		if ((st = walk_item(w, i + 1)))
			return st;
	}
	w->scope->cur[i] = NULL;
	return EV_OK;
}

static bool has_aggregate(const PgQuery__Node *n, int depth)
{
	if (!n || depth > 64)
		return false;
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_FUNC_CALL: {
		const PgQuery__FuncCall *f = n->func_call;
		const char *name = ev_str(f->funcname[f->n_funcname - 1]);
		if (name && f->n_funcname == 1 &&
		    (!strcmp(name, "count") || !strcmp(name, "array_agg") ||
		     !strcmp(name, "string_agg") || !strcmp(name, "max") ||
		     !strcmp(name, "min") || !strcmp(name, "bool_or") ||
		     !strcmp(name, "bool_and") || !strcmp(name, "sum")))
			return true;
		for (size_t i = 0; i < f->n_args; i++)
			if (has_aggregate(f->args[i], depth + 1))
				return true;
		return false;
	}
	case PG_QUERY__NODE__NODE_RES_TARGET:
		return has_aggregate(n->res_target->val, depth + 1);
	case PG_QUERY__NODE__NODE_A_EXPR:
		return has_aggregate(n->a_expr->lexpr, depth + 1) ||
		       has_aggregate(n->a_expr->rexpr, depth + 1);
	case PG_QUERY__NODE__NODE_TYPE_CAST:
		return has_aggregate(n->type_cast->arg, depth + 1);
	case PG_QUERY__NODE__NODE_COALESCE_EXPR:
		for (size_t i = 0; i < n->coalesce_expr->n_args; i++)
			if (has_aggregate(n->coalesce_expr->args[i], depth + 1))
				return true;
		return false;
	case PG_QUERY__NODE__NODE_BOOL_EXPR:
		for (size_t i = 0; i < n->bool_expr->n_args; i++)
			if (has_aggregate(n->bool_expr->args[i], depth + 1))
				return true;
		return false;
	default:
		return false;
	}
}

bool ev_select_has_from(const PgQuery__SelectStmt *s)
{
	return s->n_from_clause > 0;
}

struct outrow {
	struct ev_val rec;
	struct ev_val *keys;
};

static int cmp_keys(struct ev_ctx *c, const struct outrow *a, const struct outrow *b,
		    const PgQuery__SelectStmt *s, bool *err)
{
	for (size_t i = 0; i < s->n_sort_clause; i++) {
		const PgQuery__SortBy *sb = s->sort_clause[i]->sort_by;
		bool desc = sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
		bool nulls_first = sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST ||
				   (desc && sb->sortby_nulls != PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST);
		const struct ev_val *x = &a->keys[i], *y = &b->keys[i];
		int r;
		if (x->k == EV_NULL || y->k == EV_NULL) {
			if (x->k == y->k)
				continue;
			r = x->k == EV_NULL ? 1 : -1;
			if (nulls_first)
				r = -r;
			return r;
		}
		r = ev_compare(c, x, y);
		if (r == INT_MIN) {
			*err = true;
			return 0;
		}
		if (desc)
			r = -r;
		if (r)
			return r;
	}
	return 0;
}

static enum ev_stop target_name(const PgQuery__ResTarget *rt, const char **name)
{
	if (rt->name && *rt->name) {
		*name = rt->name;
		return EV_OK;
	}
	const PgQuery__Node *v = rt->val;
	while (v && v->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
		v = v->type_cast->arg;
	*name = "?column?";
	if (!v)
		return EV_OK;
	if (v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
		const PgQuery__ColumnRef *cr = v->column_ref;
		const char *s = ev_str(cr->fields[cr->n_fields - 1]);
		if (s)
			*name = s;
	} else if (v->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
		const PgQuery__FuncCall *f = v->func_call;
		const char *s = ev_str(f->funcname[f->n_funcname - 1]);
		if (s)
			*name = s;
	} else if (v->node_case == PG_QUERY__NODE__NODE_SUB_LINK &&
		   v->sub_link->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK) {
		*name = "exists";
	} else if (v->node_case == PG_QUERY__NODE__NODE_CASE_EXPR) {
		*name = "case";
	} else if (v->node_case == PG_QUERY__NODE__NODE_COALESCE_EXPR) {
		*name = "coalesce";
	}
	return EV_OK;
}

enum ev_stop ev_select(struct ev_ctx *c, const PgQuery__SelectStmt *s,
		       struct ev_val **rows_out, size_t *nrows_out)
{
	struct pgd_eval *ev = c->ev;
	enum ev_stop st;
	*rows_out = NULL;
	*nrows_out = 0;
	if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE) {
		if (s->op != PG_QUERY__SET_OPERATION__SETOP_UNION || !s->all || !s->larg ||
		    !s->rarg || s->n_sort_clause || s->limit_count)
			return ev_unsupported(c, "set operation", "UNION (without ALL), "
					      "INTERSECT and EXCEPT are not evaluated");
		struct ev_val *a, *b;
		size_t na, nb;
		if ((st = ev_select(c, s->larg, &a, &na)) || (st = ev_select(c, s->rarg, &b, &nb)))
			return st;
		struct ev_val *all = ev_alloc(ev, (na + nb + 1) * sizeof(*all));
		if (na)
			memcpy(all, a, na * sizeof(*a));
		if (nb)
			memcpy(all + na, b, nb * sizeof(*b));
		*rows_out = all;
		*nrows_out = na + nb;
		return EV_OK;
	}
	if (s->n_values_lists || s->with_clause || s->into_clause || s->n_locking_clause ||
	    s->n_window_clause || s->having_clause)
		return ev_unsupported(c, "query", "VALUES, WITH, HAVING, window and "
				      "locking clauses are not evaluated");
	if (s->n_distinct_clause && s->distinct_clause[0] &&
	    s->distinct_clause[0]->node_case != PG_QUERY__NODE__NODE__NOT_SET)
		return ev_unsupported(c, "query", "DISTINCT ON is not evaluated");
	struct from f = { 0 };
	for (size_t i = 0; i < s->n_from_clause; i++)
		if ((st = add_from(c, &f, s->from_clause[i], false, NULL, s->where_clause))) {
			free(f.v);
			return st;
		}
	struct ev_scope scope = { 0 };
	scope.nrels = f.n;
	scope.rels = ev_alloc(ev, (f.n + 1) * sizeof(*scope.rels));
	scope.cur = ev_alloc(ev, (f.n + 1) * sizeof(*scope.cur));
	for (size_t i = 0; i < f.n; i++)
		scope.rels[i] = f.v[i].rel;
	scope.outer = c->scope;
	struct combos cb = { 0 };
	struct walk w = { c, &f, &scope, s->where_clause, &cb };
	st = walk_item(&w, 0);
	free(f.v);
	if (st) {
		free(cb.v);
		return st;
	}
	/* groups: all rows as one when aggregates appear without GROUP BY */
	bool agg = false;
	for (size_t i = 0; i < s->n_target_list && !agg; i++)
		agg = has_aggregate(s->target_list[i], 0);
	size_t ngroups = cb.n;
	struct combos *groups = NULL;
	if (s->n_group_clause || agg) {
		groups = ev_alloc(ev, (cb.n + 1) * sizeof(*groups));
		ngroups = 0;
		struct ev_val **gkeys = ev_alloc(ev, (cb.n + 1) * sizeof(*gkeys));
		for (size_t r = 0; r < cb.n && !st; r++) {
			struct ev_val *k = ev_alloc(ev, (s->n_group_clause + 1) * sizeof(*k));
			struct ev_ctx sc = *c;
			scope.cur = cb.v[r];
			sc.scope = &scope;
			for (size_t g = 0; g < s->n_group_clause && !st; g++)
				st = ev_expr(&sc, s->group_clause[g], &k[g]);
			if (st)
				break;
			size_t gi;
			for (gi = 0; gi < ngroups; gi++) {
				bool same = true;
				for (size_t g = 0; g < s->n_group_clause && same; g++) {
					if (k[g].k == EV_NULL || gkeys[gi][g].k == EV_NULL)
						same = k[g].k == gkeys[gi][g].k;
					else
						same = ev_compare(&sc, &k[g], &gkeys[gi][g]) == 0;
				}
				if (same)
					break;
			}
			if (gi == ngroups) {
				gkeys[ngroups] = k;
				memset(&groups[ngroups], 0, sizeof(groups[0]));
				ngroups++;
			}
			PGD_GROW(groups[gi].v, groups[gi].alloc, groups[gi].n + 1);
			groups[gi].v[groups[gi].n++] = cb.v[r];
		}
		if (!s->n_group_clause && !ngroups) {
			memset(&groups[0], 0, sizeof(groups[0]));
			ngroups = 1; /* an aggregate over no rows still gives one row */
		}
	}
	/* targets */
	size_t nt = 0;
	const char **tnames = NULL;
	const PgQuery__Node **texprs = NULL;
	size_t at = 0;
	for (size_t i = 0; i < s->n_target_list && !st; i++) {
		const PgQuery__ResTarget *rt = s->target_list[i]->res_target;
		if (!rt || !rt->val) {
			st = ev_unsupported(c, "query", "this target list");
			break;
		}
		if (rt->val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
		    rt->val->column_ref->n_fields >= 1 &&
		    rt->val->column_ref->fields[rt->val->column_ref->n_fields - 1]->node_case ==
			    PG_QUERY__NODE__NODE_A_STAR) {
			/* * or alias.*: every column of the relations */
			const char *alias = rt->val->column_ref->n_fields == 2
				? ev_str(rt->val->column_ref->fields[0]) : NULL;
			for (size_t r = 0; r < scope.nrels; r++) {
				if (alias && (!scope.rels[r]->alias ||
					      strcmp(alias, scope.rels[r]->alias)))
					continue;
				for (size_t k = 0; k < scope.rels[r]->ncols; k++) {
					PGD_GROW(tnames, at, nt + 1);
					texprs = realloc(texprs, at * sizeof(*texprs));
					if (!texprs)
						PGD_BUG("out of memory");
					tnames[nt] = scope.rels[r]->cols[k];
					/* encoded as rel/col: NULL expr, looked up below */
					texprs[nt] = NULL;
					nt++;
				}
			}
			continue;
		}
		PGD_GROW(tnames, at, nt + 1);
		texprs = realloc(texprs, at * sizeof(*texprs));
		if (!texprs)
			PGD_BUG("out of memory");
		target_name(rt, &tnames[nt]);
		texprs[nt] = rt->val;
		nt++;
	}
	struct outrow *out = NULL;
	size_t nout = 0, aout = 0;
	for (size_t r = 0; r < ngroups && !st; r++) {
		struct ev_scope rs = scope;
		if (groups) {
			rs.group = groups[r].v;
			rs.ngroup = groups[r].n;
			rs.grouped = true;
			rs.cur = groups[r].n ? groups[r].v[0] : scope.cur;
			if (!groups[r].n)
				memset(scope.cur, 0, scope.nrels * sizeof(*scope.cur));
		} else {
			rs.cur = cb.v[r];
		}
		struct ev_ctx sc = *c;
		sc.scope = &rs;
		struct ev_val rec = { 0 };
		rec.k = EV_REC;
		rec.n = nt;
		rec.names = ev_alloc(ev, (nt + 1) * sizeof(char *));
		rec.v = ev_alloc(ev, (nt + 1) * sizeof(struct ev_val));
		size_t star = 0;
		for (size_t t = 0; t < nt && !st; t++) {
			/* the names outlive the parse tree they come from */
			rec.names[t] = ev_strdup(ev, tnames[t]);
			if (texprs[t]) {
				st = ev_expr(&sc, texprs[t], &rec.v[t]);
				continue;
			}
			/* the star columns in order */
			size_t k = star++, rel = 0;
			while (rel < rs.nrels && k >= rs.rels[rel]->ncols)
				k -= rs.rels[rel++]->ncols;
			rec.v[t] = rel < rs.nrels && rs.cur && rs.cur[rel] ? rs.cur[rel][k]
								      : ev_null();
		}
		if (st)
			break;
		struct ev_val *keys = ev_alloc(ev, (s->n_sort_clause + 1) * sizeof(*keys));
		rs.tnames = tnames;
		rs.tvals = rec.v;
		rs.ntargets = nt;
		for (size_t k = 0; k < s->n_sort_clause && !st; k++) {
			const PgQuery__SortBy *sb = s->sort_clause[k]->sort_by;
			if (!sb || sb->n_use_op) {
				st = ev_unsupported(c, "ORDER BY", "this ORDER BY");
				break;
			}
			const PgQuery__Node *e = sb->node;
			if (e && e->node_case == PG_QUERY__NODE__NODE_A_CONST &&
			    e->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
				int pos = e->a_const->ival->ival;
				if (pos < 1 || (size_t)pos > nt) {
					st = ev_error(c, "42P10", "ORDER BY position %d is not "
						      "in select list", pos);
					break;
				}
				keys[k] = rec.v[pos - 1];
				continue;
			}
			st = ev_expr(&sc, e, &keys[k]);
		}
		if (st)
			break;
		PGD_GROW(out, aout, nout + 1);
		out[nout].rec = rec;
		out[nout].keys = keys;
		nout++;
	}
	free(texprs);
	free(tnames);
	if (groups)
		for (size_t r = 0; r < ngroups; r++)
			free(groups[r].v);
	free(cb.v);
	if (st) {
		free(out);
		return st;
	}
	/* ORDER BY: a stable insertion sort (merge would be faster; these
	 * lists are the model's objects) */
	if (s->n_sort_clause) {
		bool err = false;
		if (nout > 20000) {
			free(out);
			return ev_unsupported(c, "ORDER BY", "sorting over 20000 rows");
		}
		for (size_t i = 1; i < nout && !err; i++) {
			for (size_t j = i; j > 0; j--) {
				if ((st = ev_step(c))) {
					free(out);
					return st;
				}
				if (cmp_keys(c, &out[j - 1], &out[j], s, &err) <= 0 || err)
					break;
				struct outrow t = out[j];
				out[j] = out[j - 1];
				out[j - 1] = t;
			}
		}
		if (err) {
			free(out);
			return ev->sqlstate[0] ? EV_ERROR : EV_UNSUPPORTED;
		}
	}
	/* DISTINCT */
	if (s->n_distinct_clause) {
		size_t m = 0;
		for (size_t i = 0; i < nout; i++) {
			bool dup = false;
			for (size_t j = 0; j < m && !dup; j++) {
				bool same = true;
				for (size_t k = 0; k < nt && same; k++) {
					const struct ev_val *x = &out[i].rec.v[k], *y = &out[j].rec.v[k];
					if (x->k == EV_NULL || y->k == EV_NULL)
						same = x->k == y->k;
					else
						same = ev_compare(c, x, y) == 0;
				}
				dup = same;
			}
			if (!dup)
				out[m++] = out[i];
		}
		nout = m;
	}
	/* OFFSET, LIMIT */
	size_t from = 0, count = nout;
	if (s->limit_offset) {
		struct ev_val v;
		if ((st = ev_expr(c, s->limit_offset, &v)) || (st = ev_cast(c, &v, "int8"))) {
			free(out);
			return st;
		}
		if (v.k != EV_NULL && v.i > 0)
			from = (uint64_t)v.i > nout ? nout : (size_t)v.i;
	}
	if (s->limit_count) {
		struct ev_val v;
		if ((st = ev_expr(c, s->limit_count, &v)) || (st = ev_cast(c, &v, "int8"))) {
			free(out);
			return st;
		}
		if (v.k != EV_NULL && v.i >= 0 && (uint64_t)v.i < count)
			count = (size_t)v.i;
	}
	if (from + count > nout)
		count = nout - from;
	struct ev_val *rows = ev_alloc(ev, (count + 1) * sizeof(*rows));
	for (size_t i = 0; i < count; i++)
		rows[i] = out[from + i].rec;
	free(out);
	*rows_out = rows;
	*nrows_out = count;
	return EV_OK;
}

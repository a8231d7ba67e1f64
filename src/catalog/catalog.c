/*
 * catalog.c - pg_catalog -> model. The queries follow pg_dump's habits:
 * one query per object kind for the whole database, never one per table;
 * column positions looked up once with PQfnumber; nullable columns checked
 * with PQgetisnull; the schema filter passed as a parameter; ORDER BY in
 * the model's order. Text the server prints (defaults, constraints,
 * indexes, policies, triggers) goes through normalize so it meets the
 * replay's canonical forms.
 *
 * Version-gated like pg_dump for PostgreSQL 15 to 18 (13 and 14 are read
 * too, untested): one query per kind on every server, the server version
 * read once at connect, and where a catalog changed, the query text differs
 * by version in one fragment (a gate, spliced in at GATE), commented with
 * what that version changed, so every server returns rows of the same shape
 * and meaning.
 */
#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgdrift/catalog.h"
#include "pgdrift/history.h"
#include "pgdrift/map.h"
#include "pgdrift/normalize.h"
#include "pgdrift/strbuf.h"

struct reader {
	PGconn *conn;
	const struct pgd_catalog_options *opts;
	struct pgd_schema *m;
	struct pgd_map *by_oid; /* "oid" -> struct pgd_table */
	struct pgd_catalog_stats *stats;
	struct pgd_error *err;
	const char *password;   /* for redaction; owned by conn options */
	char *password_copy;
	int version;            /* PQserverVersion, e.g. 170010 */
};

/* Schemas never read: the server's own. */
#define SYSTEM_SCHEMAS "{pg_catalog,information_schema}"

/* The filter every query applies to a namespace alias n. */
#define NS_FILTER \
	" n.nspname <> ALL ($1::text[]) AND n.nspname !~ '^pg_(toast|temp)' "

/* Where a query's version-dependent fragment goes (catalog_query.gate). */
#define GATE "/*gate*/"

/* Not an extension member: pg_depend deptype 'e'. */
#define NOT_EXT(classid, objid)                                            \
	" NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = "     \
	classid "::regclass AND dep.objid = " objid                        \
	" AND dep.deptype = 'e') "

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int db_error(struct reader *r, const char *what, const char *msg)
{
	char *clean = pgd_catalog_redact(msg ? msg : "", r->password);
	size_t n = strlen(clean);
	while (n && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
		clean[--n] = '\0';
	pgd_error_set(r->err, PGD_EXIT_DB, "%s: %s", what, clean);
	free(clean);
	return -1;
}

/*
 * Fills r->err from a failed result: the server's message and a hint by
 * SQLSTATE (pg_dump's ExecuteSqlQuery); what names the query kind in the
 * message, denied is the hint for a missing privilege. Returns -1.
 */
static int query_failed(struct reader *r, const char *what, const char *name,
			const PGresult *res, const char *denied)
{
	char *msg = pgd_xasprintf("%s query \"%s\" failed", what, name);
	db_error(r, msg, PQresultErrorMessage(res));
	free(msg);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state && !strcmp(state, "57014"))
		r->err->hint = pgd_xstrdup("the statement timed out: raise "
					   "--timeout, or look for a lock "
					   "held on a catalog table");
	else if (state && !strcmp(state, "55P03"))
		r->err->hint = pgd_xstrdup("a lock could not be taken in "
					   "time (lock_timeout)");
	else if (state && !strcmp(state, "42501"))
		r->err->hint = pgd_xstrdup(denied);
	return -1;
}

/*
 * Runs sql with text parameters. Returns 0 with *res, or -1 with r->err
 * (query_failed).
 */
static int exec_query(struct reader *r, const char *what, const char *name,
		      const char *sql, int nparams, const char *const *params,
		      const char *denied, PGresult **res)
{
	double t0 = now_ms();
	*res = PQexecParams(r->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	r->stats->queries++;
	if (PQresultStatus(*res) != PGRES_TUPLES_OK) {
		query_failed(r, what, name, *res, denied);
		PQclear(*res);
		*res = NULL;
		return -1;
	}
	if (r->opts->verbose)
		fprintf(stderr, "pgdrift: query %-12s %6d rows %8.1f ms\n", name,
			PQntuples(*res), now_ms() - t0);
	return 0;
}

static const char *val(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static bool bval(PGresult *res, int row, int col)
{
	const char *v = val(res, row, col);
	return v && v[0] == 't';
}

static struct pgd_table *table_of(struct reader *r, const char *oid)
{
	return pgd_map_get(r->by_oid, oid, strlen(oid));
}

/* Parses a JSON array of strings into the model. */
static const char **json_strings(struct reader *r, const char *text, size_t *n)
{
	json_error_t je;
	json_t *a = json_loads(text ? text : "[]", 0, &je);
	*n = 0;
	if (!a || !json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	size_t len = json_array_size(a);
	const char **v = pgd_schema_alloc(r->m, (len ? len : 1) * sizeof(*v));
	for (size_t i = 0; i < len; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		v[(*n)++] = pgd_schema_strdup(r->m, s ? s : "");
	}
	json_decref(a);
	return v;
}

/* ---- one function per object kind */

static const char sql_schemas[] =
		  "SELECT n.nspname FROM pg_namespace n WHERE" NS_FILTER
		  "AND" NOT_EXT("'pg_namespace'", "n.oid")
		  "ORDER BY n.nspname COLLATE \"C\"";

static int on_schemas(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_namespace *ns =
			pgd_schema_add_namespace(r->m, PQgetvalue(res, i, 0));
		ns->created = true;
	}
	r->stats->objects += PQntuples(res);
	return 0;
}

static const char sql_tables[] =
		  "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relrowsecurity,"
		  " c.relforcerowsecurity, c.relpersistence,"
		  " pg_get_userbyid(c.relowner) AS owner,"
		  " ds.description AS comment,"
		  " (SELECT quote_ident(pn.nspname) || '.' || quote_ident(pc.relname)"
		  "   FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent"
		  "   JOIN pg_namespace pn ON pn.oid = pc.relnamespace"
		  "   WHERE i.inhrelid = c.oid AND c.relispartition) AS partition_of"
		  " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		  " LEFT JOIN pg_description ds ON ds.objoid = c.oid"
		  "  AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0"
		  " WHERE c.relkind IN ('r', 'p') AND" NS_FILTER
		  "AND" NOT_EXT("'pg_class'", "c.oid")
		  "ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"";

static int on_tables(struct reader *r, PGresult *res)
{
	int f_oid = PQfnumber(res, "oid"), f_ns = PQfnumber(res, "nspname"),
	    f_name = PQfnumber(res, "relname"), f_kind = PQfnumber(res, "relkind"),
	    f_rls = PQfnumber(res, "relrowsecurity"),
	    f_force = PQfnumber(res, "relforcerowsecurity"),
	    f_pers = PQfnumber(res, "relpersistence"),
	    f_owner = PQfnumber(res, "owner"), f_comment = PQfnumber(res, "comment"),
	    f_part = PQfnumber(res, "partition_of");
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_table *t = pgd_schema_add_table(r->m, PQgetvalue(res, i, f_ns),
							   PQgetvalue(res, i, f_name));
		t->relkind = PQgetvalue(res, i, f_kind)[0];
		t->rls_enabled = bval(res, i, f_rls);
		t->rls_forced = bval(res, i, f_force);
		t->unlogged = PQgetvalue(res, i, f_pers)[0] == 'u';
		t->owner = pgd_schema_strdup(r->m, val(res, i, f_owner));
		t->comment = pgd_schema_strdup(r->m, val(res, i, f_comment));
		t->partition_of = pgd_schema_strdup(r->m, val(res, i, f_part));
		const char *oid = pgd_schema_strdup(r->m, PQgetvalue(res, i, f_oid));
		pgd_map_put(r->by_oid, oid, strlen(oid), t);
	}
	r->stats->objects += PQntuples(res);
	return 0;
}

/*
 * 18 stores NOT NULL as pg_constraint rows (contype 'n'), and sets
 * attnotnull for a NOT VALID one too, which existing rows need not meet: a
 * column is NOT NULL when its constraint is validated, as before 18
 * (pg_dump reads convalidated the same way). 18 also adds virtual generated
 * columns: attgenerated 'v' beside 's' (stored), read as they are; their
 * expression is in pg_attrdef like a stored one's.
 */
static const char *gate_columns(int version)
{
	return version >= 180000
		? " (a.attnotnull AND NOT EXISTS (SELECT 1 FROM pg_constraint nn"
		  "   WHERE nn.conrelid = a.attrelid AND nn.contype = 'n'"
		  "   AND nn.conkey[1] = a.attnum AND NOT nn.convalidated)) AS attnotnull"
		: " a.attnotnull";
}

/* A default has no column reference (only a generated column's expression
 * may have one), so it is printed without the table as context: pg_get_expr
 * with a relation opens it, and a backend building the cache entry of every
 * table that way spent 0.1 ms a default (0.33 s of the query's 0.4 s at
 * N=1,000 tables). The text is the same. Comments come from a join, not
 * from col_description(), an SQL function run once a row. */
static const char sql_columns[] =
		  "SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod) AS type,"
		  GATE ", CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, 0)"
		  "  ELSE pg_get_expr(d.adbin, d.adrelid) END AS def,"
		  " a.attidentity, a.attgenerated,"
		  " CASE WHEN a.attcollation <> t.typcollation"
		  "  THEN quote_ident(co.collname) END AS collation,"
		  " ds.description AS comment"
		  " FROM pg_attribute a"
		  " JOIN pg_class c ON c.oid = a.attrelid"
		  " JOIN pg_namespace n ON n.oid = c.relnamespace"
		  " JOIN pg_type t ON t.oid = a.atttypid"
		  " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
		  " LEFT JOIN pg_collation co ON co.oid = a.attcollation"
		  " LEFT JOIN pg_description ds ON ds.objoid = a.attrelid"
		  "  AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum"
		  " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')"
		  " AND" NS_FILTER "AND" NOT_EXT("'pg_class'", "c.oid")
		  "ORDER BY a.attrelid, a.attnum";

static int on_columns(struct reader *r, PGresult *res)
{
	int f_rel = PQfnumber(res, "attrelid"), f_name = PQfnumber(res, "attname"),
	    f_type = PQfnumber(res, "type"), f_nn = PQfnumber(res, "attnotnull"),
	    f_def = PQfnumber(res, "def"), f_id = PQfnumber(res, "attidentity"),
	    f_gen = PQfnumber(res, "attgenerated"), f_coll = PQfnumber(res, "collation"),
	    f_comment = PQfnumber(res, "comment");
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_table *t = table_of(r, PQgetvalue(res, i, f_rel));
		if (!t)
			continue;
		struct pgd_column *c = pgd_table_add_column(r->m, t, PQgetvalue(res, i, f_name));
		c->type = pgd_schema_strdup(r->m, PQgetvalue(res, i, f_type));
		c->not_null = bval(res, i, f_nn);
		const char *id = val(res, i, f_id), *gen = val(res, i, f_gen);
		c->identity = id && *id ? *id : 0;
		c->generated = gen && *gen ? *gen : 0;
		c->collation = pgd_schema_strdup(r->m, val(res, i, f_coll));
		c->comment = pgd_schema_strdup(r->m, val(res, i, f_comment));
		const char *def = val(res, i, f_def);
		if (def) {
			char *canon = pgd_normalize_expr(r->m, t->obj.schema, t->obj.name,
							 def, r->err);
			if (!canon) {
				return -1;
			}
			c->def = pgd_schema_strdup(r->m, canon);
			free(canon);
		}
	}
	r->stats->objects += PQntuples(res);
	return 0;
}

/* The contype list is explicit: 18 adds NOT NULL constraints (contype 'n',
 * named <table>_<column>_not_null), which the model holds as the column's
 * nullability (gate_columns), never as constraints of their own, on every
 * version. */
static const char sql_constraints[] =
		  "SELECT co.conrelid, co.conname, pg_get_constraintdef(co.oid) AS def"
		  " FROM pg_constraint co"
		  " JOIN pg_class c ON c.oid = co.conrelid"
		  " JOIN pg_namespace n ON n.oid = c.relnamespace"
		  " WHERE co.contype IN ('p', 'u', 'f', 'c', 'x') AND c.relkind IN ('r', 'p')"
		  " AND" NS_FILTER "AND" NOT_EXT("'pg_class'", "c.oid")
		  "ORDER BY co.conrelid, co.conname COLLATE \"C\"";

static int on_constraints(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_table *t = table_of(r, PQgetvalue(res, i, 0));
		if (!t)
			continue;
		struct pgd_constraint *c =
			pgd_table_add_constraint(r->m, t, PQgetvalue(res, i, 1));
		if (pgd_normalize_constraint(r->m, t, c, PQgetvalue(res, i, 2), r->err)) {
			return -1;
		}
	}
	r->stats->objects += PQntuples(res);
	return 0;
}

/*
 * An index on plain columns with their default operator classes and
 * nothing else (no expression, predicate, INCLUDE, options, ordering,
 * collation or NULLS NOT DISTINCT; not a partitioned index) gets the text
 * pg_get_indexdef prints, built from pg_index's columns: pg_get_indexdef
 * opens the table (its deparse context), and a backend building the cache
 * entry of every table that way is most of the query's time. Any other
 * index is printed by pg_get_indexdef. 15 added indnullsnotdistinct.
 */
static const char *gate_indexes(int version)
{
	return version >= 150000 ? " AND NOT i.indnullsnotdistinct" : "";
}

static const char sql_indexes[] =
		  "SELECT i.indrelid, ic.relname,"
		  " coalesce(CASE WHEN i.indexprs IS NULL AND i.indpred IS NULL"
		  "  AND ic.relkind = 'i' AND ic.reloptions IS NULL"
		  "  AND i.indnkeyatts = i.indnatts" GATE
		  " THEN 'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END"
		  "  || 'INDEX ' || quote_ident(ic.relname) || ' ON ' || quote_ident(n.nspname)"
		  "  || '.' || quote_ident(c.relname) || ' USING ' || quote_ident(am.amname)"
		  "  || ' (' || (SELECT CASE WHEN bool_and(coalesce(k.opt = 0"
		  "     AND (k.coll = 0 OR k.coll = a.attcollation)"
		  "     AND (k.opc, a.atttypid) IN (SELECT o.oid, o.opcintype FROM pg_opclass o"
		  "      WHERE o.opcdefault), false))"
		  "    THEN string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord) END"
		  "   FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[],"
		  "    i.indoption::int2[]) WITH ORDINALITY k(attnum, opc, coll, opt, ord)"
		  "   LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum)"
		  "  || ')' END,"
		  "  pg_get_indexdef(i.indexrelid)) AS def,"
		  " i.indisunique, i.indisprimary,"
		  " (SELECT co.conname FROM pg_constraint co WHERE co.conindid = i.indexrelid"
		  "   AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x')) AS con"
		  " FROM pg_index i"
		  " JOIN pg_class ic ON ic.oid = i.indexrelid"
		  " JOIN pg_class c ON c.oid = i.indrelid"
		  " JOIN pg_namespace n ON n.oid = c.relnamespace"
		  " JOIN pg_am am ON am.oid = ic.relam"
		  " WHERE c.relkind IN ('r', 'p') AND" NS_FILTER
		  "AND" NOT_EXT("'pg_class'", "c.oid")
		  "ORDER BY i.indrelid, ic.relname COLLATE \"C\"";

static int on_indexes(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_table *t = table_of(r, PQgetvalue(res, i, 0));
		if (!t)
			continue;
		struct pgd_index *ix = pgd_table_add_index(r->m, t, PQgetvalue(res, i, 1));
		if (pgd_normalize_index(r->m, t, ix, PQgetvalue(res, i, 2), r->err)) {
			return -1;
		}
		ix->unique = bval(res, i, 3);
		ix->primary = bval(res, i, 4);
		ix->constraint = pgd_schema_strdup(r->m, val(res, i, 5));
	}
	r->stats->objects += PQntuples(res);
	return 0;
}

/*
 * The policies, in three parts by table (polrelid modulo 3). Printing a
 * policy's expressions opens its table, and the server builds that
 * table's relation cache entry (all its policies parsed): most of what
 * the whole read costs the server. Three parts run on three connections
 * side by side; a table's policies are all in one part, in order, and
 * the parts become the model one after the other like any query.
 */
#define SQL_POLICIES(PART) \
		  "SELECT p.polrelid, p.polname, p.polcmd, p.polpermissive," \
		  " array_to_json(ARRAY(SELECT CASE WHEN ro = 0 THEN 'public'" \
		  "   ELSE pg_get_userbyid(ro) END FROM unnest(p.polroles) ro)) AS roles," \
		  " pg_get_expr(p.polqual, p.polrelid) AS qual," \
		  " pg_get_expr(p.polwithcheck, p.polrelid) AS wcheck" \
		  " FROM pg_policy p" \
		  " JOIN pg_class c ON c.oid = p.polrelid" \
		  " JOIN pg_namespace n ON n.oid = c.relnamespace" \
		  " WHERE" NS_FILTER "AND p.polrelid::int8 % 3 = " PART \
		  " ORDER BY p.polrelid, p.polname COLLATE \"C\""
static const char sql_policies_0[] = SQL_POLICIES("0");
static const char sql_policies_1[] = SQL_POLICIES("1");
static const char sql_policies_2[] = SQL_POLICIES("2");

static int on_policies(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_table *t = table_of(r, PQgetvalue(res, i, 0));
		if (!t)
			continue;
		struct pgd_policy *p = pgd_table_add_policy(r->m, t, PQgetvalue(res, i, 1));
		p->cmd = (enum pgd_polcmd)PQgetvalue(res, i, 2)[0];
		p->permissive = bval(res, i, 3);
		p->roles = json_strings(r, val(res, i, 4), &p->nroles);
		if (p->nroles > 1) {
			/* sorted like the replay does (byte order) */
			for (size_t a = 1; a < p->nroles; a++)
				for (size_t b = a; b > 0 && strcmp(p->roles[b - 1],
								   p->roles[b]) > 0; b--) {
					const char *tmp = p->roles[b];
					p->roles[b] = p->roles[b - 1];
					p->roles[b - 1] = tmp;
				}
		}
		for (int k = 5; k <= 6; k++) {
			const char *e = val(res, i, k);
			if (!e)
				continue;
			char *canon = pgd_normalize_expr(r->m, t->obj.schema,
							 t->obj.name, e, r->err);
			if (!canon) {
				return -1;
			}
			if (k == 5)
				p->using_expr = pgd_schema_strdup(r->m, canon);
			else
				p->check_expr = pgd_schema_strdup(r->m, canon);
			free(canon);
		}
	}
	r->stats->objects += PQntuples(res);
	return 0;
}

static const char sql_triggers[] =
		  "SELECT tg.tgrelid, tg.tgname, pg_get_triggerdef(tg.oid) AS def,"
		  " tg.tgenabled"
		  " FROM pg_trigger tg"
		  " JOIN pg_class c ON c.oid = tg.tgrelid"
		  " JOIN pg_namespace n ON n.oid = c.relnamespace"
		  " WHERE NOT tg.tgisinternal AND" NS_FILTER
		  "ORDER BY tg.tgrelid, tg.tgname COLLATE \"C\"";

static int on_triggers(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_table *t = table_of(r, PQgetvalue(res, i, 0));
		if (!t)
			continue;
		char *def = pgd_normalize_trigger(r->m, PQgetvalue(res, i, 2), r->err);
		if (!def) {
			return -1;
		}
		struct pgd_trigger *tg = pgd_table_add_trigger(r->m, t, PQgetvalue(res, i, 1));
		/* ALTER TABLE ... DISABLE TRIGGER & co: not in the definition */
		const char *en = PQgetvalue(res, i, 3);
		const char *state = *en == 'D' ? " DISABLED" : *en == 'A' ? " ENABLE ALWAYS"
				  : *en == 'R' ? " ENABLE REPLICA" : "";
		char *full = pgd_xasprintf("%s%s", def, state);
		tg->def = pgd_schema_strdup(r->m, full);
		free(full);
		free(def);
	}
	r->stats->objects += PQntuples(res);
	return 0;
}

/* 17 catalogs a domain's NOT NULL as a pg_constraint row (contype 'n')
 * too; typnotnull still says it on every version, and only the CHECK rows
 * are read. */
static const char sql_types[] =
		  "SELECT n.nspname, t.typname, t.typtype,"
		  " array_to_json(ARRAY(SELECT e.enumlabel FROM pg_enum e"
		  "   WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)) AS labels,"
		  " format_type(t.typbasetype, t.typtypmod) AS base, t.typnotnull,"
		  " array_to_json(ARRAY(SELECT pg_get_constraintdef(co.oid)"
		  "   FROM pg_constraint co WHERE co.contypid = t.oid AND co.contype = 'c'"
		  "   ORDER BY co.conname)) AS checks"
		  " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
		  " WHERE t.typtype IN ('e', 'd') AND" NS_FILTER
		  "AND" NOT_EXT("'pg_type'", "t.oid")
		  "ORDER BY n.nspname COLLATE \"C\", t.typname COLLATE \"C\"";

static int on_types(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_type *ty = pgd_schema_add_type(r->m, PQgetvalue(res, i, 0),
							  PQgetvalue(res, i, 1));
		ty->typtype = PQgetvalue(res, i, 2)[0];
		if (ty->typtype == 'e') {
			ty->labels = json_strings(r, val(res, i, 3), &ty->nlabels);
			continue;
		}
		struct pgd_strbuf def = PGD_STRBUF_INIT;
		pgd_strbuf_addstr(&def, PQgetvalue(res, i, 4));
		if (bval(res, i, 5))
			pgd_strbuf_addstr(&def, " NOT NULL");
		size_t nchecks;
		const char **checks = json_strings(r, val(res, i, 6), &nchecks);
		for (size_t k = 0; k < nchecks; k++) {
			/* "CHECK ((VALUE > 0))" -> the canonical expression */
			const char *c = checks[k];
			size_t len = strlen(c);
			if (len > 8 && !strncmp(c, "CHECK (", 7) && c[len - 1] == ')') {
				char *inner = pgd_xstrndup(c + 7, len - 8);
				char *canon = pgd_normalize_expr(r->m, NULL, NULL, inner, r->err);
				free(inner);
				if (!canon) {
					pgd_strbuf_release(&def);
					return -1;
				}
				pgd_strbuf_addf(&def, " CHECK (%s)", canon);
				free(canon);
			}
		}
		ty->def = pgd_schema_strdup(r->m, def.buf);
		pgd_strbuf_release(&def);
	}
	r->stats->objects += PQntuples(res);
	return 0;
}

static const char sql_sequences[] =
		  "SELECT n.nspname, c.relname,"
		  " (SELECT quote_ident(tn.nspname) || '.' || quote_ident(tc.relname)"
		  "   || '.' || quote_ident(ta.attname)"
		  "  FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid"
		  "  JOIN pg_namespace tn ON tn.oid = tc.relnamespace"
		  "  JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid"
		  "  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid"
		  "  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')"
		  "  LIMIT 1) AS owned_by,"
		  " EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
		  "  AND d.objid = c.oid AND d.deptype = 'i') AS identity"
		  " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		  " WHERE c.relkind = 'S' AND" NS_FILTER "AND" NOT_EXT("'pg_class'", "c.oid")
		  "ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"";

static int on_sequences(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_sequence *s = pgd_schema_add_sequence(r->m, PQgetvalue(res, i, 0),
								 PQgetvalue(res, i, 1));
		s->owned_by = pgd_schema_strdup(r->m, val(res, i, 2));
		s->identity = bval(res, i, 3);
	}
	r->stats->objects += PQntuples(res);
	return 0;
}

/* The relations each view reads, through its rewrite rule's dependencies. */
static const char sql_view_deps[] =
		  "SELECT DISTINCT n.nspname, c.relname, rn.nspname AS rschema,"
		  " rc.relname AS rname"
		  " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		  " JOIN pg_rewrite rw ON rw.ev_class = c.oid"
		  " JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid"
		  "  AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> c.oid"
		  " JOIN pg_class rc ON rc.oid = d.refobjid"
		  " JOIN pg_namespace rn ON rn.oid = rc.relnamespace"
		  " WHERE c.relkind IN ('v', 'm') AND" NS_FILTER
		  "ORDER BY 1, 2, 3, 4";

static int on_view_deps(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_view *v = pgd_schema_find_view(r->m, PQgetvalue(res, i, 0),
							  PQgetvalue(res, i, 1));
		if (!v)
			continue;
		const char **s = pgd_schema_alloc(r->m, (v->nreads + 1) * sizeof(*s));
		const char **n = pgd_schema_alloc(r->m, (v->nreads + 1) * sizeof(*n));
		PGD_COPY(s, v->read_schemas, v->nreads * sizeof(*s));
		PGD_COPY(n, v->read_names, v->nreads * sizeof(*n));
		s[v->nreads] = pgd_schema_strdup(r->m, PQgetvalue(res, i, 2));
		n[v->nreads] = pgd_schema_strdup(r->m, PQgetvalue(res, i, 3));
		v->read_schemas = s;
		v->read_names = n;
		v->nreads++;
	}
	return 0;
}

/*
 * Roles, with what they are members of: the roles whose privileges a role
 * can use. 16 changed pg_auth_members: one row per grantor (the same
 * membership may be there twice), and INHERIT and SET per membership
 * (GRANT ... WITH INHERIT FALSE, SET FALSE): a membership with neither only
 * lets the member administer the role. Before 16 every membership allowed
 * SET ROLE, and there was one row per pair.
 */
static const char *gate_roles(int version)
{
	return version >= 160000 ? " AND (am.inherit_option OR am.set_option)" : "";
}

static const char sql_roles[] =
		  "SELECT ro.rolname, ro.rolsuper, ro.rolbypassrls,"
		  " array_to_json(ARRAY(SELECT DISTINCT g.rolname FROM pg_auth_members am"
		  "   JOIN pg_roles g ON g.oid = am.roleid WHERE am.member = ro.oid" GATE
		  "   ORDER BY 1)) AS member_of, ro.rolinherit"
		  " FROM pg_roles ro WHERE $1::text[] IS NOT NULL"
		  " AND ro.rolname !~ '^pg_' ORDER BY 1";

static int on_roles(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_role *ro = pgd_schema_add_role(r->m, PQgetvalue(res, i, 0));
		ro->superuser = bval(res, i, 1);
		ro->bypassrls = bval(res, i, 2);
		ro->member_of = json_strings(r, val(res, i, 3), &ro->nmember_of);
		ro->inherit = bval(res, i, 4);
	}
	return 0;
}

/* What PostgREST is told to expose (pgrst.db_schemas), set on the database
 * or on the authenticator role. */
static const char sql_settings[] =
		  "SELECT (SELECT substr(cfg, length('pgrst.db_schemas=') + 1)"
		  "   FROM pg_db_role_setting s, unnest(s.setconfig) cfg"
		  "   WHERE s.setdatabase = (SELECT oid FROM pg_database"
		  "     WHERE datname = current_database()) AND s.setrole = 0"
		  "   AND cfg LIKE 'pgrst.db\\_schemas=%' LIMIT 1) AS db,"
		  " (SELECT substr(cfg, length('pgrst.db_schemas=') + 1)"
		  "   FROM pg_db_role_setting s JOIN pg_roles ro ON ro.oid = s.setrole,"
		  "   unnest(s.setconfig) cfg"
		  "   WHERE ro.rolname = 'authenticator' AND cfg LIKE 'pgrst.db\\_schemas=%'"
		  "   ORDER BY s.setdatabase DESC LIMIT 1) AS role"
		  " WHERE $1::text[] IS NOT NULL";

static int on_settings(struct reader *r, PGresult *res)
{
	const char *v = PQntuples(res) ? val(res, 0, 0) : NULL;
	if (!v && PQntuples(res))
		v = val(res, 0, 1);
	if (v) {
		/* "public, storage, graphql_public" */
		size_t alloc = 0;
		const char *p = v;
		r->m->exposed_known = true;
		while (*p) {
			while (*p == ' ' || *p == ',')
				p++;
			const char *e = p;
			while (*e && *e != ',')
				e++;
			size_t len = (size_t)(e - p);
			while (len && p[len - 1] == ' ')
				len--;
			if (len) {
				PGD_GROW(r->m->exposed_schemas, alloc, r->m->nexposed_schemas + 1);
				r->m->exposed_schemas[r->m->nexposed_schemas++] =
					pgd_schema_strndup(r->m, p, len);
			}
			p = e;
		}
		/* the array lives in the arena: copy it there */
		const char **keep = pgd_schema_alloc(r->m, (r->m->nexposed_schemas + 1) *
								   sizeof(*keep));
		PGD_COPY(keep, r->m->exposed_schemas,
		       r->m->nexposed_schemas * sizeof(*keep));
		free(r->m->exposed_schemas);
		r->m->exposed_schemas = keep;
	}
	return 0;
}

static const char sql_views[] =
		  "SELECT n.nspname, c.relname, c.relkind,"
		  " coalesce((SELECT lower(o.option_value) FROM pg_options_to_table(c.reloptions) o"
		  "   WHERE o.option_name = 'security_invoker'), 'false') AS invoker"
		  " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		  " WHERE c.relkind IN ('v', 'm') AND" NS_FILTER
		  "AND" NOT_EXT("'pg_class'", "c.oid")
		  "ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"";

static int on_views(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_view *v = pgd_schema_add_view(r->m, PQgetvalue(res, i, 0),
							 PQgetvalue(res, i, 1));
		v->relkind = PQgetvalue(res, i, 2)[0];
		const char *inv = PQgetvalue(res, i, 3);
		v->security_invoker = !strcmp(inv, "true") || !strcmp(inv, "on") ||
				      !strcmp(inv, "1") || !strcmp(inv, "yes");
	}
	r->stats->objects += PQntuples(res);
	return 0;
}

static const char sql_functions[] =
		  "SELECT n.nspname, p.proname, oidvectortypes(p.proargtypes) AS args,"
		  " p.prosecdef,"
		  " array_to_json(ARRAY(SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'public'"
		  "   ELSE pg_get_userbyid(a.grantee) END"
		  "   FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a"
		  "   WHERE a.privilege_type = 'EXECUTE' ORDER BY 1)) AS exec"
		  " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
		  " WHERE p.prokind IN ('f', 'p') AND" NS_FILTER
		  "AND" NOT_EXT("'pg_proc'", "p.oid")
		  "ORDER BY n.nspname COLLATE \"C\", p.proname COLLATE \"C\", 3";

static int on_functions(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_function *f = pgd_schema_add_function(
			r->m, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			PQgetvalue(res, i, 2));
		f->security_definer = bval(res, i, 3);
		/* the body and attributes come from function_attrs */
		f->exec_roles = json_strings(r, val(res, i, 4), &f->nexec_roles);
		f->exec_known = true;
	}
	r->stats->objects += PQntuples(res);
	return 0;
}

static const char sql_extensions[] =
		  "SELECT e.extname, n.nspname FROM pg_extension e"
		  " JOIN pg_namespace n ON n.oid = e.extnamespace"
		  " WHERE $1::text[] IS NOT NULL"
		  " ORDER BY e.extname COLLATE \"C\"";

static int on_extensions(struct reader *r, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++)
		pgd_schema_add_extension(r->m, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
	r->stats->objects += PQntuples(res);
	return 0;
}

/*
 * Privileges. The ACLs come as raw aclitem[] text (NULL replaced by the
 * built-in acldefault()), one row per object, and are parsed in C
 * (pgd_acl_parse) as pg_dump does: aclexplode() would multiply every row
 * by grantees x privileges, and the text form is the same on 15-18 (17
 * adds the letter m for MAINTAIN).
 */
static int take_acl(struct reader *r, struct pgd_acl *acl, const char *text,
		    const char *what)
{
	if (pgd_acl_parse(r->m, acl, text ? text : "{}") == 0)
		return 0;
	pgd_error_set(r->err, PGD_EXIT_DB, "cannot read the ACL of %s: %s", what,
		      text);
	return -1;
}

/* Owners and ACLs of tables, views and sequences. */
static const char sql_grants[] =
		  "SELECT c.oid, n.nspname, c.relname, c.relkind,"
		  " pg_get_userbyid(c.relowner) AS owner,"
		  " coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's'"
		  "   ELSE 'r' END::\"char\", c.relowner))::text AS acl"
		  " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		  " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND" NS_FILTER
		  "AND" NOT_EXT("'pg_class'", "c.oid")
		  "ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"";

static int on_grants(struct reader *r, PGresult *res)
{
	int rc = 0;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		const char *ns = PQgetvalue(res, i, 1), *name = PQgetvalue(res, i, 2);
		const char *owner = pgd_schema_strdup(r->m, val(res, i, 4));
		const char *acl = val(res, i, 5);
		char kind = PQgetvalue(res, i, 3)[0];
		struct pgd_acl *dst = NULL;
		if (kind == 'r' || kind == 'p') {
			struct pgd_table *t = table_of(r, PQgetvalue(res, i, 0));
			dst = t ? &t->acl : NULL;
		} else if (kind == 'S') {
			struct pgd_sequence *sq = pgd_schema_find_sequence(r->m, ns, name);
			if (sq)
				sq->owner = owner;
			dst = sq ? &sq->acl : NULL;
		} else {
			struct pgd_view *v = pgd_schema_find_view(r->m, ns, name);
			if (v)
				v->owner = owner;
			dst = v ? &v->acl : NULL;
		}
		if (dst)
			rc = take_acl(r, dst, acl, name);
	}
	return rc;
}

/* Column-level grants: attacl is NULL unless one was made. */
static const char sql_column_grants[] =
		  "SELECT a.attrelid, a.attname, a.attacl::text"
		  " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
		  " JOIN pg_namespace n ON n.oid = c.relnamespace"
		  " WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped"
		  " AND c.relkind IN ('r', 'p') AND" NS_FILTER
		  "ORDER BY a.attrelid, a.attnum";

static int on_column_grants(struct reader *r, PGresult *res)
{
	int rc = 0;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		struct pgd_table *t = table_of(r, PQgetvalue(res, i, 0));
		struct pgd_column *c = t ? pgd_table_find_column(t, PQgetvalue(res, i, 1))
					 : NULL;
		if (c)
			rc = take_acl(r, &c->acl, PQgetvalue(res, i, 2), c->obj.name);
	}
	return rc;
}

static const char sql_schema_grants[] =
		  "SELECT n.nspname, pg_get_userbyid(n.nspowner),"
		  " coalesce(n.nspacl, acldefault('n', n.nspowner))::text"
		  " FROM pg_namespace n WHERE" NS_FILTER
		  "ORDER BY n.nspname COLLATE \"C\"";

static int on_schema_grants(struct reader *r, PGresult *res)
{
	int rc = 0;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		struct pgd_namespace *ns = pgd_schema_find_namespace(r->m,
								    PQgetvalue(res, i, 0));
		if (!ns)
			continue;
		ns->owner = pgd_schema_strdup(r->m, val(res, i, 1));
		rc = take_acl(r, &ns->acl, val(res, i, 2), ns->obj.name);
	}
	return rc;
}

static const char sql_type_grants[] =
		  "SELECT n.nspname, t.typname, pg_get_userbyid(t.typowner),"
		  " coalesce(t.typacl, acldefault('T', t.typowner))::text"
		  " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
		  " WHERE t.typtype IN ('e', 'd') AND" NS_FILTER
		  "ORDER BY n.nspname COLLATE \"C\", t.typname COLLATE \"C\"";

static int on_type_grants(struct reader *r, PGresult *res)
{
	int rc = 0;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		struct pgd_type *ty = pgd_schema_find_type(r->m, PQgetvalue(res, i, 0),
							   PQgetvalue(res, i, 1));
		if (!ty)
			continue;
		ty->owner = pgd_schema_strdup(r->m, val(res, i, 2));
		rc = take_acl(r, &ty->acl, val(res, i, 3), ty->obj.name);
	}
	return rc;
}

/* What lies beyond a function's signature: owner, ACL, body, attributes. */
static const char sql_function_attrs[] =
		  "SELECT n.nspname, p.proname, oidvectortypes(p.proargtypes) AS args,"
		  " p.prokind, pg_get_userbyid(p.proowner) AS owner, l.lanname,"
		  " CASE WHEN p.prokind = 'p' THEN NULL"
		  "   ELSE pg_get_function_result(p.oid) END AS returns,"
		  " p.prosrc, p.prosqlbody IS NOT NULL AS atomic,"
		  " CASE WHEN p.prosqlbody IS NOT NULL"
		  "   THEN pg_get_function_sqlbody(p.oid) END AS sqlbody, p.provolatile,"
		  " p.proisstrict, p.proleakproof, p.proparallel, p.procost::text AS cost,"
		  " p.prorows::text AS rows,"
		  " array_to_json(coalesce(p.proconfig, '{}'::text[])) AS config,"
		  " coalesce(p.proacl, acldefault('f', p.proowner))::text AS acl"
		  " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
		  " JOIN pg_language l ON l.oid = p.prolang"
		  " WHERE p.prokind IN ('f', 'p') AND" NS_FILTER
		  "AND" NOT_EXT("'pg_proc'", "p.oid")
		  "ORDER BY n.nspname COLLATE \"C\", p.proname COLLATE \"C\", 3";

/* The canonical BEGIN ATOMIC / RETURN body (in the model), or NULL with
 * the reader's error set. */
static const char *sql_body(struct reader *r, const char *text)
{
	char *canon = pgd_normalize_sql_body(r->m, text ? text : "", r->err);
	if (!canon)
		return NULL;
	const char *res = pgd_schema_strdup(r->m, canon);
	free(canon);
	return res;
}

static int on_function_attrs(struct reader *r, PGresult *res)
{
	int f_ns = PQfnumber(res, "nspname"), f_name = PQfnumber(res, "proname"),
	    f_args = PQfnumber(res, "args"), f_kind = PQfnumber(res, "prokind"),
	    f_owner = PQfnumber(res, "owner"), f_lang = PQfnumber(res, "lanname"),
	    f_ret = PQfnumber(res, "returns"), f_src = PQfnumber(res, "prosrc"),
	    f_atomic = PQfnumber(res, "atomic"), f_sqlbody = PQfnumber(res, "sqlbody"),
	    f_vol = PQfnumber(res, "provolatile"),
	    f_strict = PQfnumber(res, "proisstrict"),
	    f_leak = PQfnumber(res, "proleakproof"),
	    f_par = PQfnumber(res, "proparallel"), f_cost = PQfnumber(res, "cost"),
	    f_rows = PQfnumber(res, "rows"), f_config = PQfnumber(res, "config"),
	    f_acl = PQfnumber(res, "acl");
	int rc = 0;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		struct pgd_function *f = pgd_schema_find_function(r->m,
			PQgetvalue(res, i, f_ns), PQgetvalue(res, i, f_name),
			PQgetvalue(res, i, f_args));
		if (!f)
			continue;
		f->attrs_known = true;
		f->prokind = PQgetvalue(res, i, f_kind)[0];
		f->owner = pgd_schema_strdup(r->m, val(res, i, f_owner));
		f->language = pgd_schema_strdup(r->m, val(res, i, f_lang));
		f->returns = pgd_schema_strdup(r->m, val(res, i, f_ret));
		f->atomic = bval(res, i, f_atomic);
		f->body = pgd_schema_strdup(r->m, val(res, i, f_src));
		if (f->atomic && (f->body = sql_body(r, val(res, i, f_sqlbody))) == NULL)
			rc = -1;
		f->volatility = PQgetvalue(res, i, f_vol)[0];
		f->strict = bval(res, i, f_strict);
		f->leakproof = bval(res, i, f_leak);
		f->parallel = PQgetvalue(res, i, f_par)[0];
		f->cost = pgd_schema_strdup(r->m, val(res, i, f_cost));
		f->rows = pgd_schema_strdup(r->m, val(res, i, f_rows));
		f->config = json_strings(r, val(res, i, f_config), &f->nconfig);
		rc = take_acl(r, &f->acl, val(res, i, f_acl), f->obj.name);
	}
	return rc;
}

/* pg_default_acl: a global entry (no schema) holds the whole ACL, a
 * per-schema one the grants added on top. */
static const char sql_default_acls[] =
		  "SELECT pg_get_userbyid(d.defaclrole), n.nspname, d.defaclobjtype,"
		  " d.defaclacl::text"
		  " FROM pg_default_acl d LEFT JOIN pg_namespace n"
		  "   ON n.oid = d.defaclnamespace"
		  " WHERE $1::text[] IS NOT NULL"
		  " ORDER BY 1, 2 NULLS FIRST, 3";

static int on_default_acls(struct reader *r, PGresult *res)
{
	int rc = 0;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		const char *role = val(res, i, 0);
		if (!role)
			continue; /* a dropped role's entry cannot exist */
		struct pgd_default_acl *d = pgd_schema_default_acl(r->m, role,
			val(res, i, 1), PQgetvalue(res, i, 2)[0]);
		pgd_acl_clear(&d->acl);
		rc = take_acl(r, &d->acl, val(res, i, 3), "default privileges");
	}
	return rc;
}

/* ---- connection */

char *pgd_catalog_redact(const char *msg, const char *password)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	size_t plen = password ? strlen(password) : 0;
	for (const char *p = msg; *p;) {
		if (plen && strncmp(p, password, plen) == 0) {
			pgd_strbuf_addstr(&sb, "****");
			p += plen;
			continue;
		}
		/* scheme://user:secret@host -> scheme://user:****@host */
		if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
			const char *at = NULL, *colon = NULL, *q = p + 3;
			for (; *q && *q != '/' && *q != ' ' && *q != '"' && *q != '\''; q++) {
				if (*q == '@')
					at = q;
				if (*q == ':' && !at && !colon)
					colon = q;
			}
			if (at && colon && colon < at) {
				pgd_strbuf_add(&sb, p, (size_t)(colon - p) + 1);
				pgd_strbuf_addstr(&sb, "****");
				p = at;
				continue;
			}
		}
		/* password=secret in a conninfo string */
		if (strncmp(p, "password=", 9) == 0) {
			pgd_strbuf_addstr(&sb, "password=****");
			p += 9;
			if (*p == '\'') {
				for (p++; *p && *p != '\''; p++)
					if (*p == '\\' && p[1])
						p++;
				if (*p)
					p++;
			} else {
				while (*p && *p != ' ')
					p++;
			}
			continue;
		}
		pgd_strbuf_addch(&sb, *p++);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

static const char *conninfo_of(const struct pgd_catalog_options *opts)
{
	const char *conninfo = opts->conninfo;
	if (!conninfo || !*conninfo)
		conninfo = getenv("DATABASE_URL");
	return conninfo ? conninfo : "";
}

/* Learns the password of conninfo, only to keep it out of messages. */
static int learn_password(struct reader *r, const char *conninfo)
{
	if (!*conninfo)
		return 0;
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
	if (!opts) {
		char *clean = pgd_catalog_redact(perr ? perr : "invalid", NULL);
		pgd_error_set(r->err, PGD_EXIT_DB,
			      "invalid connection string: %s", clean);
		free(clean);
		PQfreemem(perr);
		return -1;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val)
			r->password = r->password_copy = pgd_xstrdup(o->val);
	PQconninfoFree(opts);
	return 0;
}

/* The server's version as it names it, up to the first space ("17.10",
 * "18beta1", "15.18" of "15.18 (Debian 15.18-0+deb12u1)"), into buf. */
static void server_version_text(PGconn *conn, char *buf, size_t size)
{
	const char *s = PQparameterStatus(conn, "server_version");
	size_t n = 0;
	while (s && s[n] && s[n] != ' ' && n + 1 < size) {
		buf[n] = s[n];
		n++;
	}
	buf[n] = '\0';
}

/* Once connected: the password libpq found (a .pgpass one), the server
 * version. Returns 0, or -1 with r->err. */
static int connected(struct reader *r)
{
	if (!r->password) {
		const char *pw = PQpass(r->conn);
		if (pw && *pw)
			r->password = r->password_copy = pgd_xstrdup(pw);
	}
	/* read once: every gated query asks r->version */
	int v = PQserverVersion(r->conn);
	r->stats->server_version = v;
	r->version = v;
	server_version_text(r->conn, r->stats->server, sizeof(r->stats->server));
	if (r->opts->verbose)
		fprintf(stderr, "pgdrift: connected to PostgreSQL %s (%d)\n",
			r->stats->server, v);
	if (v < 130000) {
		pgd_error_set(r->err, PGD_EXIT_DB,
			      "PostgreSQL %d.%d is not supported (13 or later)",
			      v / 10000, v % 10000 / 100);
		return -1;
	}
	return 0;
}

/* The transaction every read runs in (caller frees); snapshot, when not
 * NULL, is the quoted literal of an exported snapshot it reads in (SET
 * TRANSACTION SNAPSHOT must come before any query). */
static char *setup_sql_in(const struct reader *r, const char *snapshot)
{
	int timeout = r->opts->timeout_ms > 0 ? r->opts->timeout_ms : 30000;
	return pgd_xasprintf(
		"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;%s%s%s"
		" SET LOCAL statement_timeout = %d; SET LOCAL lock_timeout = %d;"
		" SET LOCAL idle_in_transaction_session_timeout = %d;"
		" SET LOCAL search_path = pg_catalog;",
		snapshot ? " SET TRANSACTION SNAPSHOT " : "",
		snapshot ? snapshot : "", snapshot ? ";" : "",
		timeout, timeout, timeout > 60000 ? timeout * 2 : 120000);
}

static char *setup_sql(const struct reader *r)
{
	return setup_sql_in(r, NULL);
}

static const char *const conn_keys[] = { "dbname", "application_name", NULL };

static int connect_db(struct reader *r)
{
	const char *conninfo = conninfo_of(r->opts);
	if (learn_password(r, conninfo))
		return -1;
	const char *vals[] = { conninfo, "pgdrift", NULL };
	r->conn = PQconnectdbParams(conn_keys, vals, 1);
	if (!r->conn)
		PGD_BUG("out of memory in libpq");
	if (PQstatus(r->conn) != CONNECTION_OK)
		return db_error(r, "cannot connect to the database",
				PQerrorMessage(r->conn));
	if (connected(r))
		return -1;
	char *setup = setup_sql(r);
	PGresult *res = PQexec(r->conn, setup);
	free(setup);
	r->stats->queries++;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		db_error(r, "cannot start a read-only transaction",
			 PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

/*
 * The catalog queries, in the order they run: a name (for --verbose and
 * messages), the SQL (parameter $1: the schemas never read) and the
 * function turning its rows into the model (0, or -1 with r->err). The
 * synchronous and the asynchronous reader both run exactly this table: a
 * new query is one row.
 */
struct catalog_query {
	const char *name;
	const char *sql;
	int (*rows)(struct reader *r, PGresult *res);
};

static const struct catalog_query queries[] = {
	{ "schemas", sql_schemas, on_schemas },
	{ "extensions", sql_extensions, on_extensions },
	{ "types", sql_types, on_types },
	{ "tables", sql_tables, on_tables },
	{ "columns", sql_columns, on_columns },
	{ "sequences", sql_sequences, on_sequences },
	{ "constraints", sql_constraints, on_constraints },
	{ "indexes", sql_indexes, on_indexes },
	{ "policies", sql_policies_0, on_policies },
	{ "policies/1", sql_policies_1, on_policies },
	{ "policies/2", sql_policies_2, on_policies },
	{ "triggers", sql_triggers, on_triggers },
	{ "views", sql_views, on_views },
	{ "view_reads", sql_view_deps, on_view_deps },
	{ "functions", sql_functions, on_functions },
	{ "grants", sql_grants, on_grants },
	{ "roles", sql_roles, on_roles },
	{ "settings", sql_settings, on_settings },
	{ "column_grants", sql_column_grants, on_column_grants },
	{ "schema_grants", sql_schema_grants, on_schema_grants },
	{ "type_grants", sql_type_grants, on_type_grants },
	{ "function_attrs", sql_function_attrs, on_function_attrs },
	{ "default_acls", sql_default_acls, on_default_acls },
};

/* The queries whose text differs by server version: the fragment their
 * GATE stands for, by version (the functions say what changed where). */
static const struct {
	const char *sql;
	const char *(*fragment)(int version);
} gates[] = {
	{ sql_columns, gate_columns },
	{ sql_indexes, gate_indexes },
	{ sql_roles, gate_roles },
};

/* The text of q for the server r reads, its gate's fragment spliced in.
 * Caller frees. */
static char *query_text_for(int version, const struct catalog_query *q)
{
	const char *(*fragment)(int) = NULL;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(gates); i++)
		if (gates[i].sql == q->sql)
			fragment = gates[i].fragment;
	const char *at = fragment ? strstr(q->sql, GATE) : NULL;
	if (!at) {
		if (strstr(q->sql, GATE))
			PGD_BUG("catalog query %s has a GATE and no gate", q->name);
		return pgd_xstrdup(q->sql);
	}
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add(&sb, q->sql, (size_t)(at - q->sql));
	pgd_strbuf_addstr(&sb, fragment(version));
	pgd_strbuf_addstr(&sb, at + strlen(GATE));
	return pgd_strbuf_detach(&sb, NULL);
}

static char *query_text(const struct reader *r, const struct catalog_query *q)
{
	return query_text_for(r->version, q);
}

size_t pgd_catalog_query_count(void)
{
	return PGD_ARRAY_SIZE(queries);
}

char *pgd_catalog_query_sql(size_t i, int version, const char **name,
			    const char **param)
{
	if (i >= PGD_ARRAY_SIZE(queries))
		return NULL;
	*name = queries[i].name;
	*param = SYSTEM_SCHEMAS;
	return query_text_for(version, &queries[i]);
}

static void reader_begin(struct reader *r)
{
	r->m = pgd_schema_new();
	r->m->origin = pgd_schema_strdup(r->m, "database");
	if (r->conn)
		r->m->server_major = PQserverVersion(r->conn) / 10000;
	r->m->server_version = pgd_schema_strdup(r->m, r->stats->server);
	r->by_oid = pgd_map_new();
}

/* ---- K connections sharing one snapshot, as pg_dump -j */

/*
 * One connection of a read. Lane 0 is the one connect_db opened: it
 * exports its snapshot, the others import it before their first query, so
 * every query sees the same database whichever connection runs it. A lane
 * that cannot connect or import is dropped before it ran anything (its
 * queries go to the others); a query that fails fails the read.
 */
struct lane {
	PGconn *conn;
	enum { L_CONNECTING, L_IMPORTING, L_IDLE, L_BUSY, L_GONE } state;
	int want;          /* POLLIN / POLLOUT while connecting */
	size_t q;          /* queries[q] while L_BUSY */
	bool failed;       /* the command under way failed: drain, then stop */
	bool ran;          /* it ran a catalog query */
	double tq;         /* when the command under way was sent */
	PGresult *res;     /* its result */
};

/* The queries the server spends most on, started first: with K
 * connections they run side by side, the others fill the gaps. */
static const char *const heavy_queries[] = { "policies", "policies/1", "policies/2",
					     "indexes", "columns" };

/* The order queries are sent in: heavy_queries, then the table's order. */
static void send_order(size_t order[])
{
	size_t n = 0;
	bool taken[PGD_ARRAY_SIZE(queries)] = { false };
	for (size_t h = 0; h < PGD_ARRAY_SIZE(heavy_queries); h++)
		for (size_t i = 0; i < PGD_ARRAY_SIZE(queries); i++)
			if (!strcmp(queries[i].name, heavy_queries[h]) && !taken[i]) {
				taken[i] = true;
				order[n++] = i;
			}
	for (size_t i = 0; i < PGD_ARRAY_SIZE(queries); i++)
		if (!taken[i])
			order[n++] = i;
}

static void lane_drop(struct reader *r, struct lane *l, size_t k, const char *why,
		      const char *msg)
{
	if (r->opts->verbose) {
		char *clean = pgd_catalog_redact(msg ? msg : "", r->password);
		size_t n = strlen(clean);
		while (n && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
			clean[--n] = '\0';
		fprintf(stderr, "pgdrift: connection %zu %s, read without it: %s\n",
			k + 1, why, clean);
		free(clean);
	}
	if (l->res)
		PQclear(l->res);
	l->res = NULL;
	PQfinish(l->conn);
	l->conn = NULL;
	l->state = L_GONE;
}

/* Exports lane 0's snapshot. Returns the quoted literal of its name
 * (caller frees with PQfreemem), or NULL when the server or the role
 * cannot (a hot standby before 10, a pooler in transaction mode):
 * then the transaction is started again, to be read alone. Sets -1 in
 * *rc with r->err when even that fails. */
static char *export_snapshot(struct reader *r, int *rc)
{
	PGresult *res = PQexec(r->conn, "SELECT pg_export_snapshot()");
	r->stats->queries++;
	*rc = 0;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		const char *id = PQgetvalue(res, 0, 0);
		char *lit = PQescapeLiteral(r->conn, id, strlen(id));
		PQclear(res);
		if (lit)
			return lit;
		res = NULL;
	}
	if (r->opts->verbose)
		fprintf(stderr, "pgdrift: the snapshot cannot be exported (%s); "
				"one connection reads the catalog\n",
			res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			      ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : "?"
			    : "out of memory");
	PQclear(res);
	char *setup = setup_sql(r);
	char *again = pgd_xasprintf("ROLLBACK; %s", setup);
	free(setup);
	res = PQexec(r->conn, again);
	free(again);
	r->stats->queries++;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		*rc = db_error(r, "cannot start a read-only transaction",
			       PQresultErrorMessage(res));
	PQclear(res);
	return NULL;
}

/* A lane's connection made progress (PQconnectPoll). */
static void lane_connect(struct reader *r, struct lane *l, size_t k,
			 const char *snapshot)
{
	switch (PQconnectPoll(l->conn)) {
	case PGRES_POLLING_READING:
		l->want = POLLIN;
		return;
	case PGRES_POLLING_WRITING:
		l->want = POLLOUT;
		return;
	case PGRES_POLLING_OK:
		break;
	default:
		lane_drop(r, l, k, "cannot connect", PQerrorMessage(l->conn));
		return;
	}
	char *setup = setup_sql_in(r, snapshot);
	int ok = PQsendQuery(l->conn, setup);
	free(setup);
	if (!ok) {
		lane_drop(r, l, k, "cannot import the snapshot", PQerrorMessage(l->conn));
		return;
	}
	l->state = L_IMPORTING;
	l->want = POLLIN;
}

/* Sends queries[q] on an idle lane. Returns 0, or -1 with r->err. */
static int lane_send(struct reader *r, struct lane *l, size_t q)
{
	const char *params[1] = { SYSTEM_SCHEMAS };
	char *sql = query_text(r, &queries[q]);
	int ok = PQsendQueryParams(l->conn, sql, 1, NULL, params, NULL, NULL, 0);
	free(sql);
	r->stats->queries++;
	if (!ok)
		return db_error(r, "cannot send a query to the database",
				PQerrorMessage(l->conn));
	l->state = L_BUSY;
	l->ran = true;
	l->q = q;
	l->tq = now_ms();
	l->want = POLLIN;
	return 0;
}

/*
 * Reads what arrived on a lane. A finished query's result goes to
 * done[q]. Returns 0, or -1 with r->err (a query failed, or a connection
 * that ran queries was lost: the read is not complete).
 */
static int lane_input(struct reader *r, struct lane *l, size_t k, PGresult **done)
{
	if (!PQconsumeInput(l->conn)) {
		if (l->state == L_IMPORTING) {
			lane_drop(r, l, k, "was lost", PQerrorMessage(l->conn));
			return 0;
		}
		return db_error(r, "the connection to the database was lost",
				PQerrorMessage(l->conn));
	}
	while (!PQisBusy(l->conn)) {
		PGresult *res = PQgetResult(l->conn);
		if (res) {
			ExecStatusType st = PQresultStatus(res);
			if (l->state == L_IMPORTING) {
				if (st != PGRES_COMMAND_OK && !l->failed) {
					l->failed = true;
					l->res = res; /* for the message */
					continue;
				}
			} else if (st != PGRES_TUPLES_OK && !l->failed) {
				query_failed(r, "catalog", queries[l->q].name, res,
					     "the role lacks a privilege pgdrift needs "
					     "to read the catalog");
				l->failed = true;
			} else if (!l->failed && !l->res) {
				l->res = res;
				continue;
			}
			PQclear(res);
			continue;
		}
		/* the command is complete */
		if (l->state == L_IMPORTING) {
			if (l->failed) {
				lane_drop(r, l, k, "cannot import the snapshot",
					  PQresultErrorMessage(l->res));
				return 0;
			}
			l->state = L_IDLE;
			return 0;
		}
		if (l->failed)
			return -1;
		if (r->opts->verbose)
			fprintf(stderr, "pgdrift: query %-12s %6d rows %8.1f ms (connection %zu)\n",
				queries[l->q].name, PQntuples(l->res), now_ms() - l->tq,
				k + 1);
		done[l->q] = l->res;
		l->res = NULL;
		l->state = L_IDLE;
		return 0;
	}
	return 0;
}

/* The connections a read uses: opts->connections, else PGD_CATALOG_AUTO. */
static size_t lanes_wanted(const struct pgd_catalog_options *opts)
{
	int k = opts->connections > 0 ? opts->connections : PGD_CATALOG_AUTO_CONNECTIONS;
	return (size_t)(k > PGD_CATALOG_MAX_CONNECTIONS ? PGD_CATALOG_MAX_CONNECTIONS : k);
}

/*
 * Runs every catalog query over up to K connections (lane 0 connected and
 * in its transaction) and turns the rows into the model in the table's
 * order, whatever order they arrive in. Returns 0, or -1 with r->err.
 */
static int read_queries(struct reader *r)
{
	enum { NQ = PGD_ARRAY_SIZE(queries) };
	size_t order[NQ], sent = 0, next = 0, nlanes = lanes_wanted(r->opts);
	PGresult *done[NQ] = { NULL };
	struct lane lanes[PGD_CATALOG_MAX_CONNECTIONS] = { { 0 } };
	struct pollfd fds[PGD_CATALOG_MAX_CONNECTIONS];
	size_t fd_lane[PGD_CATALOG_MAX_CONNECTIONS];
	char *snapshot = NULL;
	int rc = 0;
	send_order(order);
	lanes[0].conn = r->conn;
	lanes[0].state = L_IDLE;
	if (nlanes > 1) {
		snapshot = export_snapshot(r, &rc);
		if (!snapshot)
			nlanes = 1;
	}
	const char *conninfo = conninfo_of(r->opts);
	const char *vals[] = { conninfo, "pgdrift", NULL };
	for (size_t k = 1; k < nlanes && rc == 0; k++) {
		struct lane *l = &lanes[k];
		l->conn = PQconnectStartParams(conn_keys, vals, 1);
		if (!l->conn)
			PGD_BUG("out of memory in libpq");
		l->state = L_CONNECTING;
		l->want = POLLOUT; /* as if PQconnectPoll said WRITING */
		if (PQstatus(l->conn) == CONNECTION_BAD)
			lane_drop(r, l, k, "cannot connect", PQerrorMessage(l->conn));
	}
	double deadline = now_ms() + (r->opts->timeout_ms > 0 ? r->opts->timeout_ms : 30000);
	while (rc == 0 && next < NQ) {
		for (size_t k = 0; k < nlanes && rc == 0 && sent < NQ; k++)
			if (lanes[k].state == L_IDLE)
				rc = lane_send(r, &lanes[k], order[sent++]);
		/* into the model in the table's order: a query may need the
		 * rows of one before it (tables before columns) */
		while (rc == 0 && next < NQ && done[next]) {
			rc = queries[next].rows(r, done[next]);
			PQclear(done[next]);
			done[next++] = NULL;
		}
		if (rc || next == NQ)
			break;
		nfds_t n = 0;
		for (size_t k = 0; k < nlanes; k++) {
			struct lane *l = &lanes[k];
			if (l->state == L_GONE || l->state == L_IDLE)
				continue;
			if (l->state != L_BUSY && sent == NQ) {
				/* everything is under way: no use for it now */
				PQfinish(l->conn);
				l->conn = NULL;
				l->state = L_GONE;
				continue;
			}
			fds[n].fd = PQsocket(l->conn);
			fds[n].events = (short)l->want;
			fds[n].revents = 0;
			fd_lane[n++] = k;
		}
		if (n == 0)
			PGD_BUG("catalog read: %zu queries left and none under way", NQ - next);
		int ready = poll(fds, n, 1000);
		if (ready < 0 && errno != EINTR)
			rc = db_error(r, "cannot wait for the database", strerror(errno));
		for (nfds_t i = 0; rc == 0 && ready > 0 && i < n; i++) {
			if (!fds[i].revents)
				continue;
			size_t k = fd_lane[i];
			struct lane *l = &lanes[k];
			if (l->state == L_CONNECTING)
				lane_connect(r, l, k, snapshot);
			else
				rc = lane_input(r, l, k, done);
		}
		/* a lane still connecting at the deadline is not waited for */
		if (rc == 0 && now_ms() > deadline)
			for (size_t k = 1; k < nlanes; k++)
				if (lanes[k].state == L_CONNECTING ||
				    lanes[k].state == L_IMPORTING)
					lane_drop(r, &lanes[k], k, "timed out", "");
	}
	size_t used = 0;
	for (size_t k = 0; k < nlanes; k++)
		used += lanes[k].ran;
	for (size_t k = 1; k < nlanes; k++) {
		/* its transaction read nothing to commit */
		if (lanes[k].res)
			PQclear(lanes[k].res);
		if (lanes[k].conn)
			PQfinish(lanes[k].conn);
	}
	if (lanes[0].res)
		PQclear(lanes[0].res);
	if (rc && lanes[0].state == L_BUSY) {
		/* lane 0 is r->conn, the caller's: leave it with no command
		 * under way (its transaction ends with the connection) */
		PQrequestCancel(r->conn);
		PGresult *res;
		while ((res = PQgetResult(r->conn)))
			PQclear(res);
	}
	for (size_t i = 0; i < NQ; i++)
		if (done[i])
			PQclear(done[i]);
	if (rc == 0)
		r->stats->connections = (int)used;
	PQfreemem(snapshot);
	return rc;
}

static int commit(struct reader *r)
{
	PGresult *res = PQexec(r->conn, "COMMIT");
	int rc = 0;
	r->stats->queries++;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = db_error(r, "cannot end the read-only transaction",
			      PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

static int read_history_rows(struct reader *r, const char *table,
			     struct pgd_history *h);

int pgd_catalog_read_all(const struct pgd_catalog_options *opts,
			 struct pgd_schema **out, const char *history_table,
			 struct pgd_history *history,
			 struct pgd_catalog_stats *stats, struct pgd_error *err)
{
	struct pgd_catalog_stats local = { 0 };
	struct reader r = { 0 };
	double t0 = now_ms();
	r.opts = opts;
	r.stats = stats ? stats : &local;
	memset(r.stats, 0, sizeof(*r.stats));
	r.err = err;
	*out = NULL;
	int rc = connect_db(&r);
	if (rc == 0) {
		reader_begin(&r);
		rc = read_queries(&r);
		/* the history in the same snapshot: lane 0's transaction */
		if (rc == 0 && history)
			rc = read_history_rows(&r, history_table ? history_table
						   : PGD_HISTORY_DEFAULT_TABLE, history);
		if (rc == 0)
			rc = commit(&r);
		if (rc != 0 && history)
			pgd_history_release(history);
		if (rc == 0 && opts->verbose)
			fprintf(stderr, "pgdrift: %d connection%s, one snapshot\n",
				r.stats->connections, r.stats->connections == 1 ? "" : "s");
		pgd_map_free(r.by_oid);
		if (rc == 0)
			*out = r.m;
		else
			pgd_schema_free(r.m);
	}
	if (r.conn)
		PQfinish(r.conn);
	free(r.password_copy);
	r.stats->ms = now_ms() - t0;
	return rc;
}

int pgd_catalog_read(const struct pgd_catalog_options *opts,
		     struct pgd_schema **out, struct pgd_catalog_stats *stats,
		     struct pgd_error *err)
{
	return pgd_catalog_read_all(opts, out, NULL, NULL, stats, err);
}

/* ---- the asynchronous reader: the same queries as a state machine */

enum async_state {
	A_CONNECT,  /* PQconnectPoll until CONNECTION_OK */
	A_SETUP,    /* the transaction's BEGIN and SET LOCALs */
	A_QUERY,    /* queries[a->q] */
	A_COMMIT,
	A_DONE,
	A_FAILED,
};

struct pgd_catalog_async {
	struct reader r;
	struct pgd_catalog_options opts;
	struct pgd_catalog_stats stats;
	struct pgd_error err;
	enum async_state state;
	size_t q;        /* the query under way in A_QUERY */
	bool flushing;   /* PQflush has more to send */
	bool failed;     /* the command under way failed: drain, then stop */
	int want;        /* PGD_CATALOG_WANT_* */
	double t0, tq;
};

static void async_fail(struct pgd_catalog_async *a)
{
	a->state = A_FAILED;
	a->want = 0;
	if (a->r.conn) {
		PQfinish(a->r.conn);
		a->r.conn = NULL;
	}
}

/* Sends what libpq holds; sets a->want. Returns 0 or -1 (failed). */
static int async_flush(struct pgd_catalog_async *a)
{
	int f = PQflush(a->r.conn);
	if (f < 0) {
		db_error(&a->r, "cannot send to the database",
			 PQerrorMessage(a->r.conn));
		return -1;
	}
	a->flushing = f == 1;
	a->want = PGD_CATALOG_WANT_READ | (a->flushing ? PGD_CATALOG_WANT_WRITE : 0);
	return 0;
}

/* Starts the command of the current state. Returns 0 or -1 (failed). */
static int async_send(struct pgd_catalog_async *a)
{
	struct reader *r = &a->r;
	int ok;
	a->tq = now_ms();
	r->stats->queries++;
	if (a->state == A_SETUP) {
		char *setup = setup_sql(r);
		ok = PQsendQuery(r->conn, setup);
		free(setup);
	} else if (a->state == A_QUERY) {
		const char *params[1] = { SYSTEM_SCHEMAS };
		char *sql = query_text(r, &queries[a->q]);
		ok = PQsendQueryParams(r->conn, sql, 1, NULL, params, NULL, NULL, 0);
		free(sql);
	} else {
		ok = PQsendQuery(r->conn, "COMMIT");
	}
	if (!ok) {
		db_error(r, "cannot send a query to the database",
			 PQerrorMessage(r->conn));
		return -1;
	}
	return async_flush(a);
}

/* One result of the command under way. */
static void async_result(struct pgd_catalog_async *a, PGresult *res)
{
	struct reader *r = &a->r;
	ExecStatusType st = PQresultStatus(res);
	if (a->failed)
		return; /* the first error is the one reported */
	if (a->state == A_QUERY) {
		const struct catalog_query *q = &queries[a->q];
		if (st != PGRES_TUPLES_OK) {
			query_failed(r, "catalog", q->name, res,
				     "the role lacks a privilege pgdrift needs to "
				     "read the catalog");
			a->failed = true;
			return;
		}
		if (r->opts->verbose)
			fprintf(stderr, "pgdrift: query %-12s %6d rows %8.1f ms\n",
				q->name, PQntuples(res), now_ms() - a->tq);
		if (q->rows(r, res))
			a->failed = true;
		return;
	}
	if (st != PGRES_COMMAND_OK) {
		db_error(r, a->state == A_SETUP ? "cannot start a read-only transaction"
			 : "cannot end the read-only transaction",
			 PQresultErrorMessage(res));
		a->failed = true;
	}
}

/* The command under way is complete: start the next one. */
static int async_next(struct pgd_catalog_async *a)
{
	if (a->failed)
		return -1;
	switch (a->state) {
	case A_SETUP:
		a->state = A_QUERY;
		a->q = 0;
		reader_begin(&a->r);
		break;
	case A_QUERY:
		if (++a->q == PGD_ARRAY_SIZE(queries))
			a->state = A_COMMIT;
		break;
	case A_COMMIT:
		a->state = A_DONE;
		a->want = 0;
		pgd_map_free(a->r.by_oid);
		a->r.by_oid = NULL;
		PQfinish(a->r.conn);
		a->r.conn = NULL;
		return 0;
	default:
		PGD_BUG("async_next in state %d", (int)a->state);
	}
	return async_send(a);
}

struct pgd_catalog_async *pgd_catalog_async_start(const struct pgd_catalog_options *opts)
{
	struct pgd_catalog_async *a = pgd_xcalloc(1, sizeof(*a));
	a->opts = *opts;
	a->r.opts = &a->opts;
	a->r.stats = &a->stats;
	a->r.err = &a->err;
	a->t0 = now_ms();
	const char *conninfo = conninfo_of(opts);
	if (learn_password(&a->r, conninfo)) {
		async_fail(a);
		return a;
	}
	const char *vals[] = { conninfo, "pgdrift", NULL };
	a->r.conn = PQconnectStartParams(conn_keys, vals, 1);
	if (!a->r.conn)
		PGD_BUG("out of memory in libpq");
	if (PQstatus(a->r.conn) == CONNECTION_BAD) {
		db_error(&a->r, "cannot connect to the database",
			 PQerrorMessage(a->r.conn));
		async_fail(a);
		return a;
	}
	a->state = A_CONNECT;
	a->want = PGD_CATALOG_WANT_WRITE; /* as if PQconnectPoll said WRITING */
	return a;
}

int pgd_catalog_async_fd(const struct pgd_catalog_async *a)
{
	return a->r.conn && a->want ? PQsocket(a->r.conn) : -1;
}

int pgd_catalog_async_want(const struct pgd_catalog_async *a)
{
	return a->want;
}

/* One step of A_CONNECT. */
static enum pgd_catalog_progress async_connect(struct pgd_catalog_async *a)
{
	switch (PQconnectPoll(a->r.conn)) {
	case PGRES_POLLING_READING:
		a->want = PGD_CATALOG_WANT_READ;
		return PGD_CATALOG_AGAIN;
	case PGRES_POLLING_WRITING:
		a->want = PGD_CATALOG_WANT_WRITE;
		return PGD_CATALOG_AGAIN;
	case PGRES_POLLING_OK:
		break;
	default:
		db_error(&a->r, "cannot connect to the database",
			 PQerrorMessage(a->r.conn));
		async_fail(a);
		return PGD_CATALOG_FAILED;
	}
	if (connected(&a->r) || PQsetnonblocking(a->r.conn, 1) != 0) {
		if (!a->err.message)
			db_error(&a->r, "cannot switch to non-blocking mode",
				 PQerrorMessage(a->r.conn));
		async_fail(a);
		return PGD_CATALOG_FAILED;
	}
	a->state = A_SETUP;
	if (async_send(a)) {
		async_fail(a);
		return PGD_CATALOG_FAILED;
	}
	return PGD_CATALOG_AGAIN;
}

enum pgd_catalog_progress pgd_catalog_async_step(struct pgd_catalog_async *a)
{
	if (a->state == A_DONE)
		return PGD_CATALOG_DONE;
	if (a->state == A_FAILED)
		return PGD_CATALOG_FAILED;
	if (a->state == A_CONNECT)
		return async_connect(a);
	PGconn *conn = a->r.conn;
	if (a->flushing && async_flush(a))
		goto fail;
	if (!PQconsumeInput(conn)) {
		db_error(&a->r, "the connection to the database was lost",
			 PQerrorMessage(conn));
		goto fail;
	}
	while (!PQisBusy(conn)) {
		PGresult *res = PQgetResult(conn);
		if (res) {
			async_result(a, res);
			PQclear(res);
			continue;
		}
		/* the command is complete */
		if (async_next(a))
			goto fail;
		if (a->state == A_DONE)
			return PGD_CATALOG_DONE;
		conn = a->r.conn;
	}
	return PGD_CATALOG_AGAIN;
fail:
	async_fail(a);
	return PGD_CATALOG_FAILED;
}

void pgd_catalog_async_cancel(struct pgd_catalog_async *a, const char *why)
{
	if (a->state == A_DONE || a->state == A_FAILED)
		return;
	pgd_error_release(&a->err);
	pgd_error_set(&a->err, PGD_EXIT_DB, "%s", why);
	async_fail(a);
}

int pgd_catalog_async_finish(struct pgd_catalog_async *a, struct pgd_schema **out,
			     struct pgd_catalog_stats *stats, struct pgd_error *err)
{
	int rc = a->state == A_DONE ? 0 : -1;
	*out = NULL;
	if (rc == 0) {
		*out = a->r.m;
		a->r.m = NULL;
	} else if (err) {
		if (!a->err.message)
			pgd_error_set(&a->err, PGD_EXIT_DB,
				      "the database read did not complete");
		*err = a->err;
		memset(&a->err, 0, sizeof(a->err));
	}
	a->stats.ms = now_ms() - a->t0;
	if (stats)
		*stats = a->stats;
	if (a->r.conn)
		PQfinish(a->r.conn);
	pgd_map_free(a->r.by_oid);
	pgd_schema_free(a->r.m);
	pgd_error_release(&a->err);
	free(a->r.password_copy);
	free(a);
	return rc;
}

int pgd_catalog_conninfo_name(const char *conninfo, char **name,
			      struct pgd_error *err)
{
	char *perr = NULL;
	*name = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
	if (!opts) {
		char *clean = pgd_catalog_redact(perr ? perr : "invalid", NULL);
		size_t n = strlen(clean);
		while (n && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
			clean[--n] = '\0';
		pgd_error_set(err, PGD_EXIT_USAGE, "invalid connection string: %s",
			      clean);
		free(clean);
		PQfreemem(perr);
		return -1;
	}
	const char *db = NULL, *host = NULL, *addr = NULL, *user = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (!strcmp(o->keyword, "dbname"))
			db = o->val;
		else if (!strcmp(o->keyword, "host"))
			host = o->val;
		else if (!strcmp(o->keyword, "hostaddr"))
			addr = o->val;
		else if (!strcmp(o->keyword, "user"))
			user = o->val;
	}
	if (!db)
		db = getenv("PGDATABASE");
	if (!db || !*db)
		db = user ? user : getenv("PGUSER");
	if (!host)
		host = addr ? addr : getenv("PGHOST");
	*name = pgd_xasprintf("%s@%s", db && *db ? db : "postgres",
			      host && *host ? host : "localhost");
	PQconninfoFree(opts);
	return 0;
}

/* ---- the applied-migrations table (history.h) */

/* A history query: sql with text parameters, as exec_query. */
static int query_params(struct reader *r, const char *name, const char *sql,
			int nparams, const char *const *params, PGresult **res)
{
	return exec_query(r, "history", name, sql, nparams, params,
			  "grant the role SELECT on the history table (and USAGE "
			  "on its schema)", res);
}

/* Whether a table name has a '.' outside double quotes (is qualified). */
static bool qualified(const char *name)
{
	bool quoted = false;
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '.' && !quoted)
			return true;
	}
	return false;
}

static bool has_col(json_t *cols, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(cols, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), name))
			return true;
	return false;
}

static int read_history_rows(struct reader *r, const char *table,
			     struct pgd_history *h)
{
	/* an unqualified name is looked up in public: the search_path of this
	 * transaction is pg_catalog */
	char *in_public = qualified(table) ? NULL : pgd_xasprintf("public.%s", table);
	const char *params[2] = { table, in_public };
	PGresult *res;
	int rc = query_params(r, "history_table",
		"SELECT n.nspname, c.relname,"
		" quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qname,"
		" array_to_json(ARRAY(SELECT a.attname::text FROM pg_attribute a"
		"   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
		"   ORDER BY a.attnum)) AS cols"
		" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE c.oid = coalesce(to_regclass($1), to_regclass($2))"
		" AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
		2, params, &res);
	free(in_public);
	if (rc)
		return -1;
	if (PQntuples(res) == 0) {
		h->present = false;
		h->table = pgd_xstrdup(table);
		PQclear(res);
		return 0;
	}
	h->present = true;
	h->table = pgd_xstrdup(PQgetvalue(res, 0, 2));
	json_error_t je;
	json_t *cols = json_loads(PQgetvalue(res, 0, 3), 0, &je);
	char *nsp = PQescapeIdentifier(r->conn, PQgetvalue(res, 0, 0),
				       strlen(PQgetvalue(res, 0, 0)));
	char *rel = PQescapeIdentifier(r->conn, PQgetvalue(res, 0, 1),
				       strlen(PQgetvalue(res, 0, 1)));
	bool in_supabase = !strcmp(PQgetvalue(res, 0, 0), "supabase_migrations");
	PQclear(res);
	if (!cols || !nsp || !rel || !has_col(cols, "version")) {
		pgd_error_set(r->err, PGD_EXIT_DB, "the migration history table %s "
			      "has no version column", h->table);
		r->err->hint = pgd_xstrdup("--history-table takes a table with a "
					   "version column (Supabase, Flyway, "
					   "golang-migrate, dbmate)");
		json_decref(cols);
		PQfreemem(nsp);
		PQfreemem(rel);
		return -1;
	}
	h->has_names = has_col(cols, "name");
	h->has_statements = has_col(cols, "statements");
	bool flyway = has_col(cols, "script") && has_col(cols, "success");
	bool dirty = has_col(cols, "dirty");
	if (flyway)
		h->kind = PGD_HISTORY_FLYWAY;
	else if (dirty)
		h->kind = PGD_HISTORY_GOLANG_MIGRATE;
	else if (h->has_statements || (in_supabase && h->has_names))
		h->kind = PGD_HISTORY_SUPABASE;
	else if (json_array_size(cols) == 1)
		h->kind = PGD_HISTORY_DBMATE;
	else
		h->kind = PGD_HISTORY_GENERIC;
	json_decref(cols);
	/* Flyway names a migration in "description", the others in "name" */
	const char *name_col = flyway ? "h.description::text" : "h.name::text";
	if (flyway)
		h->has_names = true;
	char *sql = pgd_xasprintf(
		"SELECT h.version::text AS version, %s AS name, %s AS statements,"
		" %s AS failed FROM %s.%s h WHERE h.version IS NOT NULL%s"
		" ORDER BY %s",
		h->has_names ? name_col : "NULL::text",
		h->has_statements ? "array_to_json(h.statements)" : "NULL::json",
		flyway ? "NOT h.success" : dirty ? "h.dirty" : "false",
		nsp, rel, dirty ? "" : "",
		flyway ? "h.installed_rank" : "1");
	PQfreemem(nsp);
	PQfreemem(rel);
	rc = query_params(r, "history_rows", sql, 0, NULL, &res);
	free(sql);
	if (rc)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct pgd_history_row *row = pgd_history_add_row(
			h, PQgetvalue(res, i, 0), val(res, i, 1));
		row->failed = bval(res, i, 3);
		const char *st = val(res, i, 2);
		if (!st)
			continue;
		json_t *a = json_loads(st, 0, &je);
		size_t k;
		json_t *v;
		json_array_foreach(a, k, v)
			pgd_history_row_add_statement(row, json_is_string(v)
							   ? json_string_value(v) : "");
		if (!row->statements)
			row->statements = pgd_xcalloc(1, sizeof(char *));
		json_decref(a);
	}
	PQclear(res);
	return 0;
}

int pgd_catalog_read_history(const struct pgd_catalog_options *opts,
			     const char *table, struct pgd_history *out,
			     struct pgd_catalog_stats *stats,
			     struct pgd_error *err)
{
	struct pgd_catalog_stats local = { 0 };
	struct reader r = { 0 };
	double t0 = now_ms();
	r.opts = opts;
	r.stats = stats ? stats : &local;
	memset(r.stats, 0, sizeof(*r.stats));
	r.err = err;
	int rc = connect_db(&r);
	if (rc == 0)
		rc = read_history_rows(&r, table ? table : PGD_HISTORY_DEFAULT_TABLE,
				       out);
	if (rc == 0)
		rc = commit(&r);
	if (rc != 0)
		pgd_history_release(out);
	if (r.conn)
		PQfinish(r.conn);
	free(r.password_copy);
	r.stats->ms = now_ms() - t0;
	return rc;
}

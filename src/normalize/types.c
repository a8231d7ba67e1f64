/*
 * types.c - canonical type names: what format_type(oid, typmod) prints
 * with an empty search_path. Built-in types keep their SQL-standard
 * spellings ("character varying(10)", "timestamp with time zone"), user
 * types are schema-qualified, arrays get one "[]" whatever their bounds.
 */
#include <string.h>
#include <strings.h>

#include "pgdrift/platform.h"
#include "pgdrift/strbuf.h"
#include "pgq.h"

const char *pgd_pgq_str(const PgQuery__Node *n)
{
	if (n && n->node_case == PG_QUERY__NODE__NODE_STRING && n->string)
		return n->string->sval;
	return NULL;
}

/* internal or alias name -> canonical display name (no typmod) */
static const struct {
	const char *name, *display;
} builtin[] = {
	{ "bool", "boolean" },
	{ "boolean", "boolean" },
	{ "int2", "smallint" },
	{ "smallint", "smallint" },
	{ "int4", "integer" },
	{ "int", "integer" },
	{ "integer", "integer" },
	{ "int8", "bigint" },
	{ "bigint", "bigint" },
	{ "float4", "real" },
	{ "real", "real" },
	{ "float8", "double precision" },
	{ "float", "double precision" },
	{ "numeric", "numeric" },
	{ "decimal", "numeric" },
	{ "varchar", "character varying" },
	{ "bpchar", "character" }, /* unquoted char(n) parses as bpchar */
	{ "text", "text" },
	{ "varbit", "bit varying" },
	{ "bit", "bit" },
	{ "timestamp", "timestamp without time zone" },
	{ "timestamptz", "timestamp with time zone" },
	{ "time", "time without time zone" },
	{ "timetz", "time with time zone" },
	{ "interval", "interval" },
	{ "date", "date" },
	{ "uuid", "uuid" },
	{ "json", "json" },
	{ "jsonb", "jsonb" },
	{ "bytea", "bytea" },
	{ "inet", "inet" },
	{ "cidr", "cidr" },
	{ "macaddr", "macaddr" },
	{ "money", "money" },
	{ "xml", "xml" },
	{ "oid", "oid" },
	{ "name", "name" },
	{ "tsvector", "tsvector" },
	{ "tsquery", "tsquery" },
	{ "regclass", "regclass" },
	{ "point", "point" },
	{ "int4range", "int4range" },
	{ "int8range", "int8range" },
	{ "tstzrange", "tstzrange" },
	{ "daterange", "daterange" },
	{ "numrange", "numrange" },
	{ "jsonpath", "jsonpath" },
	{ "citext", NULL }, /* extension types: resolved like user types */
};

static const struct {
	const char *name;
	int width;
} serials[] = {
	{ "serial", 4 },      { "serial4", 4 }, { "bigserial", 8 },
	{ "serial8", 8 },     { "smallserial", 2 }, { "serial2", 2 },
};

static const char *builtin_display(const char *name)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(builtin); i++)
		if (strcmp(builtin[i].name, name) == 0)
			return builtin[i].display;
	return NULL;
}

const char *pgd_norm_creation_schema(const struct pgd_nctx *ctx)
{
	for (size_t i = 0; i < ctx->nsearch_path; i++) {
		const char *s = ctx->search_path[i];
		if (strcmp(s, "pg_catalog") == 0 || strcmp(s, "$user") == 0)
			continue;
		/* public and the platform's own schemas (extensions, auth, ...)
		 * exist before any migration runs */
		if (!ctx->model || pgd_schema_find_namespace(ctx->model, s) ||
		    strcmp(s, "public") == 0 ||
		    (pgd_schema_is_platform(s) && strncmp(s, "pg_", 3) != 0))
			return s;
	}
	return "public";
}

const char *pgd_norm_extension_schema(const struct pgd_nctx *ctx,
				      const char *extname)
{
	struct pgd_extension *e =
		ctx->model ? pgd_schema_find_extension(ctx->model, extname) : NULL;
	if (e)
		return e->obj.schema;
	for (size_t k = 0; k < ctx->nsearch_path; k++)
		if (strcmp(ctx->search_path[k], "extensions") == 0)
			return "extensions";
	return NULL;
}

/* The schema of user type name through the search path, or NULL. */
static const char *resolve_type(const struct pgd_nctx *ctx, const char *name)
{
	if (ctx->model)
		for (size_t i = 0; i < ctx->nsearch_path; i++)
			if (pgd_schema_find_type(ctx->model, ctx->search_path[i],
						 name))
				return ctx->search_path[i];
	/* every table and view has a composite type of its name */
	if (ctx->model)
		for (size_t i = 0; i < ctx->nsearch_path; i++) {
			const struct pgd_object *o =
				pgd_schema_find_rel(ctx->model, ctx->search_path[i], name);
			if (o && (o->kind == PGD_TABLE || o->kind == PGD_VIEW))
				return ctx->search_path[i];
		}
	const char *ext = pgd_platform_extension_of(PGD_PM_TYPE, name);
	if (ext) {
		const char *s = pgd_norm_extension_schema(ctx, ext);
		return s ? s : pgd_norm_creation_schema(ctx);
	}
	return NULL;
}

static long typmod_int(const PgQuery__Node *n, int *ok)
{
	if (n && n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const &&
	    n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
		*ok = 1;
		return n->a_const->ival ? n->a_const->ival->ival : 0;
	}
	*ok = 0;
	return 0;
}

static void add_typmods(struct pgd_strbuf *sb, const PgQuery__TypeName *tn)
{
	if (!tn->n_typmods)
		return;
	pgd_strbuf_addch(sb, '(');
	for (size_t i = 0; i < tn->n_typmods; i++) {
		int ok;
		long v = typmod_int(tn->typmods[i], &ok);
		if (i)
			pgd_strbuf_addch(sb, ',');
		if (ok)
			pgd_strbuf_addf(sb, "%ld", v);
		else
			pgd_strbuf_addstr(sb, "?");
	}
	pgd_strbuf_addch(sb, ')');
}

/*
 * PostGIS's geometry and geography typmods as postgis_typmod_out() prints
 * them: "(Point,4326)", "(MultiPolygonZ)", "(Geometry,4326)". The grammar
 * gives the geometry type as a name (`geography(POINT, 4326)`, folded to
 * lower case) or a string; PostGIS reads it case-blind with an optional
 * Z, M or ZM suffix and prints its own spelling. geography's SRID is 4326
 * unless given; geometry's is 0, printed only when not 0. With no type,
 * SRID or dimension there is no typmod at all. Returns false (nothing
 * added) when a modifier is not of that form.
 */
static bool add_postgis_typmods(struct pgd_strbuf *sb, const PgQuery__TypeName *tn,
				bool geography)
{
	static const char *const types[] = {
		"Geometry", "Point", "LineString", "Polygon", "MultiPoint",
		"MultiLineString", "MultiPolygon", "GeometryCollection",
		"CircularString", "CompoundCurve", "CurvePolygon", "MultiCurve",
		"MultiSurface", "PolyhedralSurface", "Triangle", "Tin",
	};
	if (!tn->n_typmods || tn->n_typmods > 2)
		return false;
	const PgQuery__Node *t0 = tn->typmods[0];
	const char *word = NULL;
	if (t0->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && t0->column_ref &&
	    t0->column_ref->n_fields == 1)
		word = pgd_pgq_str(t0->column_ref->fields[0]);
	else if (t0->node_case == PG_QUERY__NODE__NODE_A_CONST && t0->a_const &&
		 t0->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL)
		word = t0->a_const->sval->sval;
	if (!word)
		return false;
	size_t type = PGD_ARRAY_SIZE(types), tlen = 0;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(types); i++) {
		size_t n = strlen(types[i]);
		/* the longest name that prefixes the word: MultiPoint, not Point */
		if (n > tlen && strncasecmp(word, types[i], n) == 0) {
			type = i;
			tlen = n;
		}
	}
	if (type == PGD_ARRAY_SIZE(types))
		return false;
	const char *dims = word + tlen;
	bool z = false, m = false;
	if (!strcasecmp(dims, "zm"))
		z = m = true;
	else if (!strcasecmp(dims, "z"))
		z = true;
	else if (!strcasecmp(dims, "m"))
		m = true;
	else if (*dims)
		return false;
	long srid = geography ? 4326 : 0;
	if (tn->n_typmods == 2) {
		int ok;
		srid = typmod_int(tn->typmods[1], &ok);
		if (!ok)
			return false;
	}
	if (!type && !srid && !z && !m)
		return true;
	pgd_strbuf_addch(sb, '(');
	pgd_strbuf_addstr(sb, types[type]);
	if (z)
		pgd_strbuf_addch(sb, 'Z');
	if (m)
		pgd_strbuf_addch(sb, 'M');
	if (srid)
		pgd_strbuf_addf(sb, ",%ld", srid);
	pgd_strbuf_addch(sb, ')');
	return true;
}

/*
 * Interval typmods as intervaltypmodout() prints them. The grammar gives
 * a field mask (INTERVAL_MASK bits of datetime.h) and optionally a
 * precision: "interval day to second", "interval(3)", "interval
 * second(3)". Precision above 6 is stored as 6.
 */
static void add_interval_typmods(struct pgd_strbuf *sb,
				 const PgQuery__TypeName *tn)
{
	enum { MONTH = 1 << 1, YEAR = 1 << 2, DAY = 1 << 3, HOUR = 1 << 10,
	       MINUTE = 1 << 11, SECOND = 1 << 12, FULL_RANGE = 0x7FFF };
	static const struct {
		long mask;
		const char *text;
	} fields[] = {
		{ YEAR, " year" }, { MONTH, " month" }, { DAY, " day" },
		{ HOUR, " hour" }, { MINUTE, " minute" }, { SECOND, " second" },
		{ YEAR | MONTH, " year to month" },
		{ DAY | HOUR, " day to hour" },
		{ DAY | HOUR | MINUTE, " day to minute" },
		{ DAY | HOUR | MINUTE | SECOND, " day to second" },
		{ HOUR | MINUTE, " hour to minute" },
		{ HOUR | MINUTE | SECOND, " hour to second" },
		{ MINUTE | SECOND, " minute to second" },
	};
	int ok = 0;
	long mask = tn->n_typmods ? typmod_int(tn->typmods[0], &ok) : FULL_RANGE;
	if (!ok)
		mask = FULL_RANGE;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(fields); i++)
		if (fields[i].mask == mask)
			pgd_strbuf_addstr(sb, fields[i].text);
	if (tn->n_typmods > 1) {
		long prec = typmod_int(tn->typmods[1], &ok);
		if (ok)
			pgd_strbuf_addf(sb, "(%ld)", prec > 6 ? 6 : prec < 0 ? 0 : prec);
	}
}

char *pgd_norm_typename(const struct pgd_nctx *ctx, const PgQuery__TypeName *tn,
			int *serial, struct pgd_strbuf *err)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	const char *schema = NULL, *name = NULL;

	*serial = 0;
	if (tn->pct_type) {
		pgd_strbuf_addstr(err, "%TYPE references are not supported");
		return NULL;
	}
	if (tn->setof) {
		pgd_strbuf_addstr(err, "SETOF is not a column type");
		return NULL;
	}
	if (tn->n_names == 1) {
		name = pgd_pgq_str(tn->names[0]);
	} else if (tn->n_names == 2) {
		schema = pgd_pgq_str(tn->names[0]);
		name = pgd_pgq_str(tn->names[1]);
	} else if (tn->n_names == 3) { /* db.schema.type */
		schema = pgd_pgq_str(tn->names[1]);
		name = pgd_pgq_str(tn->names[2]);
	}
	if (!name) {
		pgd_strbuf_addstr(err, "unsupported type name");
		return NULL;
	}
	if (schema && strcmp(schema, "pg_catalog") == 0)
		schema = NULL;

	if (!schema) {
		for (size_t i = 0; i < PGD_ARRAY_SIZE(serials); i++)
			if (strcmp(serials[i].name, name) == 0 &&
			    !tn->n_array_bounds) {
				*serial = serials[i].width;
				name = serials[i].width == 2 ? "int2"
				     : serials[i].width == 4 ? "int4" : "int8";
			}
	}

	const char *display = schema ? NULL : builtin_display(name);
	if (!schema && !display) {
		/* a user or extension type, or a built-in we do not list */
		schema = resolve_type(ctx, name);
	}
	if (display) {
		/* typmods go inside the name for the time types */
		if (!strncmp(name, "timestamp", 9) || !strncmp(name, "time", 4)) {
			const char *tz = strstr(display, " with");
			size_t base = (size_t)(tz - display);
			pgd_strbuf_add(&sb, display, base);
			add_typmods(&sb, tn);
			pgd_strbuf_addstr(&sb, tz);
		} else if (!strcmp(name, "numeric") || !strcmp(name, "decimal")) {
			pgd_strbuf_addstr(&sb, display);
			if (tn->n_typmods == 1) { /* numeric(p) means numeric(p,0) */
				int ok;
				long p = typmod_int(tn->typmods[0], &ok);
				pgd_strbuf_addf(&sb, "(%ld,0)", p);
			} else {
				add_typmods(&sb, tn);
			}
		} else if (!strcmp(name, "float") && tn->n_typmods == 1) {
			int ok;
			long p = typmod_int(tn->typmods[0], &ok);
			pgd_strbuf_addstr(&sb, p <= 24 ? "real" : "double precision");
		} else if (!strcmp(name, "bpchar") && !tn->n_typmods) {
			/* only a literal "bpchar" has no length */
			pgd_strbuf_addstr(&sb, "bpchar");
		} else if (!strcmp(name, "interval")) {
			pgd_strbuf_addstr(&sb, "interval");
			add_interval_typmods(&sb, tn);
		} else {
			pgd_strbuf_addstr(&sb, display);
			add_typmods(&sb, tn);
		}
	} else {
		if (schema) {
			pgd_strbuf_add_ident(&sb, schema);
			pgd_strbuf_addch(&sb, '.');
		}
		pgd_strbuf_add_ident(&sb, name);
		const char *ext = pgd_platform_extension_of(PGD_PM_TYPE, name);
		bool postgis = ext && !strcmp(ext, "postgis") &&
			       (!strcmp(name, "geometry") || !strcmp(name, "geography")) &&
			       !(ctx->model && schema &&
				 pgd_schema_find_type(ctx->model, schema, name));
		if (!postgis || !add_postgis_typmods(&sb, tn, !strcmp(name, "geography")))
			add_typmods(&sb, tn);
	}
	if (tn->n_array_bounds)
		pgd_strbuf_addstr(&sb, "[]");
	return pgd_strbuf_detach(&sb, NULL);
}

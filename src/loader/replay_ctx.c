/*
 * replay_ctx.c - what every DDL handler shares: diagnostics (rp_error,
 * rp_warn, rp_unmodeled), the search_path, name resolution (rp_table,
 * rp_rv_schema), canonical expressions (rp_expr) and small name helpers.
 * It calls no handler: everything in the loader but names.c sits above it.
 */
#include <stdarg.h>
#include <string.h>

#include "pgdrift/platform.h"
#include "replay.h"

/* ---- diagnostics */

static size_t stmt_byte(struct replay *r, int loc)
{
	if (loc < 0 || (size_t)loc > r->stmt_len)
		return r->stmt_off;
	return r->stmt_off + (size_t)loc;
}

int rp_error(struct replay *r, int loc, const char *fmt, ...)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	pgd_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (r->tolerant) {
		if (!r->tolerant_msg.len)
			pgd_strbuf_addstr(&r->tolerant_msg, sb.buf);
	} else if (r->opts->allow_unmodeled) {
		rp_unmodeled(r, "statement", sb.buf);
		pgd_diags_add(r->diags, PGD_DIAG_WARNING, r->sf, stmt_byte(r, loc),
			      "%s (recorded as unmodeled)", sb.buf);
	} else {
		struct pgd_diag *d = pgd_diags_add(r->diags, PGD_DIAG_ERROR, r->sf,
						   stmt_byte(r, loc), "%s", sb.buf);
		d->hint = pgd_xstrdup("fix the migration, or run with "
				      "--allow-unmodeled to report it as "
				      "unmodeled and go on");
	}
	pgd_strbuf_release(&sb);
	r->failed = true;
	return -1;
}

void rp_warn(struct replay *r, int loc, const char *fmt, ...)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (r->tolerant)
		return;
	va_list ap;
	va_start(ap, fmt);
	pgd_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	pgd_diags_add(r->diags, PGD_DIAG_WARNING, r->sf, stmt_byte(r, loc), "%s",
		      sb.buf);
	pgd_strbuf_release(&sb);
}

void rp_unmodeled(struct replay *r, const char *what, const char *reason)
{
	pgd_schema_add_unmodeled(r->m, &r->src, what, reason);
	/* what it would have written, PostgreSQL has */
	if (r->src.stmt)
		rp_rows_written_by(r, r->src.stmt, strlen(r->src.stmt), true);
	else if (r->sf)
		rp_rows_written_by(r, r->sf->text + r->stmt_off, r->stmt_len, true);
}

/* ---- names */

static const char *const default_path[] = { "public", "extensions" };

void rp_set_search_path(struct replay *r, const char *const *names, size_t n)
{
	for (size_t i = 0; i < r->nsearch_path; i++)
		free(r->search_path[i]);
	r->nsearch_path = 0;
	for (size_t i = 0; i < n; i++) {
		PGD_GROW(r->search_path, r->asearch_path, r->nsearch_path + 1);
		r->search_path[r->nsearch_path++] = pgd_xstrdup(names[i]);
	}
}

void rp_reset_search_path(struct replay *r)
{
	if (r->opts->search_path)
		rp_set_search_path(r, r->opts->search_path,
				   r->opts->nsearch_path);
	else
		rp_set_search_path(r, default_path,
				   PGD_ARRAY_SIZE(default_path));
}

struct pgd_nctx rp_nctx(struct replay *r, const char *schema,
			const char *table)
{
	struct pgd_nctx ctx = { r->m, (const char *const *)r->search_path,
				r->nsearch_path, schema, table, NULL };
	return ctx;
}

const char *rp_expr(struct replay *r, struct pgd_table *t, PgQuery__Node **e)
{
	struct pgd_nctx ctx = rp_nctx(r, t->obj.schema, t->obj.name);
	struct pgd_strbuf err = PGD_STRBUF_INIT;
	char *text = pgd_norm_expr(&ctx, e, &err);
	const char *res = NULL;
	if (!text)
		rp_error(r, -1, "%s", err.buf);
	else
		res = pgd_schema_strdup(r->m, text);
	free(text);
	pgd_strbuf_release(&err);
	return res;
}

const char *rp_create_schema(struct replay *r)
{
	struct pgd_nctx ctx = rp_nctx(r, NULL, NULL);
	return pgd_norm_creation_schema(&ctx);
}

const char *rp_rv_schema(struct replay *r, const PgQuery__RangeVar *rv)
{
	if (rv->schemaname && *rv->schemaname)
		return rv->schemaname;
	return rp_create_schema(r);
}

struct pgd_table *rp_table(struct replay *r, const PgQuery__RangeVar *rv,
			   bool missing_ok)
{
	struct pgd_table *t = NULL;
	if (rv->schemaname && *rv->schemaname) {
		t = pgd_schema_find_table(r->m, rv->schemaname, rv->relname);
	} else {
		for (size_t i = 0; i < r->nsearch_path && !t; i++)
			t = pgd_schema_find_table(r->m, r->search_path[i],
						  rv->relname);
	}
	if (!t && !missing_ok) {
		if (rv->schemaname && *rv->schemaname)
			rp_error(r, rv->location,
				 "relation \"%s.%s\" does not exist",
				 rv->schemaname, rv->relname);
		else
			rp_error(r, rv->location,
				 "relation \"%s\" does not exist", rv->relname);
	}
	return t;
}

/* ---- shared helpers */

void rp_touch(struct replay *r, struct pgd_object *o)
{
	o->changed = r->src;
}

void rp_qualified(struct pgd_strbuf *sb, const char *schema, const char *name)
{
	pgd_strbuf_add_ident(sb, schema);
	pgd_strbuf_addch(sb, '.');
	pgd_strbuf_add_ident(sb, name);
}

/* Splits a List of String names into schema (may be NULL) and name. */
bool rp_split_names(PgQuery__Node **names, size_t n, const char **schema,
		    const char **name)
{
	*schema = NULL;
	*name = NULL;
	if (n == 1) {
		*name = pgd_pgq_str(names[0]);
	} else if (n == 2) {
		*schema = pgd_pgq_str(names[0]);
		*name = pgd_pgq_str(names[1]);
	} else if (n == 3) {
		*schema = pgd_pgq_str(names[1]);
		*name = pgd_pgq_str(names[2]);
	}
	return *name != NULL;
}

static const struct pgd_platform_profile default_profile = PGD_PLATFORM_PROFILE_INIT;

const struct pgd_platform_profile *rp_profile(const struct replay *r)
{
	return r->opts->platform ? r->opts->platform : &default_profile;
}

bool rp_platform_schema(const struct replay *r, const char *name)
{
	return pgd_platform_has_schema(rp_profile(r), name) &&
	       !pgd_schema_find_namespace(r->m, name) &&
	       !pgd_schema_find_tombstone(r->m, PGD_SCHEMA, name, NULL, name);
}

/* A table for an object to hang on; a platform table the migrations do not
 * create (storage.objects) gets an external placeholder. */
struct pgd_table *rp_table_for(struct replay *r, const PgQuery__RangeVar *rv)
{
	struct pgd_table *t = rp_table(r, rv, true);
	if (t)
		return t;
	const char *schema = rv->schemaname && *rv->schemaname ? rv->schemaname
							       : NULL;
	if (schema && pgd_schema_is_platform(schema) &&
	    !pgd_schema_find_rel(r->m, schema, rv->relname)) {
		t = pgd_schema_add_table(r->m, schema, rv->relname);
		t->external = true;
		t->columns_unknown = true;
		t->obj.created = r->src;
		return t;
	}
	return rp_table(r, rv, false);
}

char *rp_replace_once(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	if (!p)
		return NULL;
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add(&sb, s, (size_t)(p - s));
	pgd_strbuf_addstr(&sb, to);
	pgd_strbuf_addstr(&sb, p + strlen(from));
	return pgd_strbuf_detach(&sb, NULL);
}

struct pgd_column *rp_column_of(struct pgd_table *t, const char *name)
{
	return name ? pgd_table_find_column(t, name) : NULL;
}

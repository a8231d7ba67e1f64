/*
 * trigger.c - canonical trigger definitions, shared by the replay (CREATE
 * TRIGGER) and the catalog reader (pg_get_triggerdef() parsed back).
 */
#include <string.h>

#include "pgdrift/platform.h"
#include "pgdrift/strbuf.h"
#include "pgq.h"

/* TRIGGER_TYPE_* bits of PostgreSQL's pg_trigger.tgtype */
enum { TT_ROW = 1, TT_BEFORE = 2, TT_INSERT = 4, TT_DELETE = 8,
       TT_UPDATE = 16, TT_TRUNCATE = 32, TT_INSTEAD = 64 };

char *pgd_norm_trigger(const struct pgd_nctx *ctx, PgQuery__CreateTrigStmt *s)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_addstr(&sb, (s->timing & TT_BEFORE) ? "BEFORE"
			       : (s->timing & TT_INSTEAD) ? "INSTEAD OF" : "AFTER");
	const char *sep = " ";
	if (s->events & TT_INSERT) {
		pgd_strbuf_addf(&sb, "%sINSERT", sep);
		sep = " OR ";
	}
	if (s->events & TT_DELETE) {
		pgd_strbuf_addf(&sb, "%sDELETE", sep);
		sep = " OR ";
	}
	if (s->events & TT_UPDATE) {
		pgd_strbuf_addf(&sb, "%sUPDATE", sep);
		if (s->n_columns) {
			pgd_strbuf_addstr(&sb, " OF ");
			for (size_t i = 0; i < s->n_columns; i++) {
				const char *c = pgd_pgq_str(s->columns[i]);
				if (i)
					pgd_strbuf_addstr(&sb, ", ");
				pgd_strbuf_add_ident(&sb, c ? c : "?");
			}
		}
		sep = " OR ";
	}
	if (s->events & TT_TRUNCATE)
		pgd_strbuf_addf(&sb, "%sTRUNCATE", sep);
	pgd_strbuf_addstr(&sb, s->row ? " FOR EACH ROW" : " FOR EACH STATEMENT");
	if (s->when_clause) {
		struct pgd_strbuf err = PGD_STRBUF_INIT;
		char *w = pgd_norm_expr(ctx, &s->when_clause, &err);
		pgd_strbuf_addf(&sb, " WHEN (%s)", w ? w : "?");
		free(w);
		pgd_strbuf_release(&err);
	}
	const char *fs = NULL, *fn = NULL;
	if (s->n_funcname == 1) {
		fn = pgd_pgq_str(s->funcname[0]);
	} else if (s->n_funcname >= 2) {
		fs = pgd_pgq_str(s->funcname[s->n_funcname - 2]);
		fn = pgd_pgq_str(s->funcname[s->n_funcname - 1]);
	}
	if (fn && !fs && ctx->model)
		for (size_t i = 0; i < ctx->nsearch_path && !fs; i++)
			if (pgd_schema_find_function_name(ctx->model,
							  ctx->search_path[i], fn))
				fs = ctx->search_path[i];
	if (fn && !fs) {
		/* moddatetime & co: the extension's schema */
		const char *ext = pgd_platform_extension_of(PGD_PM_FUNCTION, fn);
		if (ext)
			fs = pgd_norm_extension_schema(ctx, ext);
	}
	pgd_strbuf_addstr(&sb, " EXECUTE FUNCTION ");
	if (fs && strcmp(fs, "pg_catalog") != 0) {
		pgd_strbuf_add_ident(&sb, fs);
		pgd_strbuf_addch(&sb, '.');
	}
	pgd_strbuf_add_ident(&sb, fn ? fn : "?");
	pgd_strbuf_addch(&sb, '(');
	for (size_t i = 0; i < s->n_args; i++) {
		const char *a = pgd_pgq_str(s->args[i]);
		if (i)
			pgd_strbuf_addstr(&sb, ", ");
		pgd_strbuf_add_literal(&sb, a ? a : "");
	}
	pgd_strbuf_addch(&sb, ')');
	return pgd_strbuf_detach(&sb, NULL);
}

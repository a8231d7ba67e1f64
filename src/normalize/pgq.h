/*
 * pgq.h - the libpg_query side of normalize, shared with the loader only
 * (the two modules allowed to see parse trees). Everything here works on
 * unpacked protobuf trees (PgQuery__Node) from pg_query_parse_protobuf().
 *
 * Canonicalization rewrites a tree in place into the form PostgreSQL 15
 * prints back with an empty search_path (pg_get_expr & co), then deparses
 * it; both the migration replay and the catalog reader go through here, so
 * equal meaning gives equal text. Nodes this code creates or drops use
 * protobuf-c's default allocator (malloc/free), so the tree stays freeable
 * with its __free_unpacked function.
 */
#ifndef PGDRIFT_NORMALIZE_PGQ_H
#define PGDRIFT_NORMALIZE_PGQ_H

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "pgdrift/schema.h"

struct pgd_strbuf;

/* Name resolution for unqualified names in an expression. */
struct pgd_nctx {
	struct pgd_schema *model;        /* objects the names may refer to */
	const char *const *search_path;  /* schemas, in order; pg_catalog is
					    implicit and searched first */
	size_t nsearch_path;
	const char *rel_schema;          /* the table the expression is on */
	const char *rel_name;            /* (NULL: none) */
	const char *value_type;          /* a domain CHECK's VALUE: the base
					    type's canonical name (NULL: none) */
};

/* The sval of a String node, or NULL for any other node. */
const char *pgd_pgq_str(const PgQuery__Node *n);

/* New String node (malloc'd, freed with the tree). */
PgQuery__Node *pgd_pgq_make_str(const char *s);

/* Frees a node and everything below it. */
void pgd_pgq_free_node(PgQuery__Node *n);

/*
 * The canonical type name (format_type() text with an empty search_path)
 * of tn, resolving user types through ctx. *serial is set to 2, 4 or 8 for
 * smallserial/serial/bigserial (then the type is the integer type), else 0.
 * Returns a malloc'd string, or NULL with a message in err for %TYPE and
 * SETOF.
 */
char *pgd_norm_typename(const struct pgd_nctx *ctx, const PgQuery__TypeName *tn,
			int *serial, struct pgd_strbuf *err);

/*
 * Records what the RLS review asks of a policy expression (constant true,
 * per-row auth calls, user metadata) from its canonical tree, under the
 * text that tree prints as, in this thread's memo: the review of this
 * thread then need not parse the text again. (PGDRIFT_VERIFY_FACTS set:
 * also computed from the text, and a difference is a bug.)
 */
void pgd_norm_facts_note(const PgQuery__Node *canon, const char *text);

/*
 * Canonicalizes the expression *expr in place (it may be replaced) and
 * returns its deparsed text (malloc'd), or NULL with a message in err.
 */
char *pgd_norm_expr(const struct pgd_nctx *ctx, PgQuery__Node **expr,
		    struct pgd_strbuf *err);

/*
 * The rewrites of pgd_norm_expr() applied to a whole statement *stmt (in
 * place; it may be replaced), without deparsing. Returns 0, or -1 with err.
 */
int pgd_norm_canon_stmt(const struct pgd_nctx *ctx, PgQuery__Node **stmt,
			struct pgd_strbuf *err);

/* Deparsed text of a statement / an expression (malloc'd), or NULL with err. */
char *pgd_norm_deparse_stmt(PgQuery__Node *stmt, struct pgd_strbuf *err);
char *pgd_norm_deparse_expr(PgQuery__Node *expr, struct pgd_strbuf *err);

/*
 * Canonical text of a SQL-standard function body: body is
 * CreateFunctionStmt.sql_body (a ReturnStmt, or a List holding the List of
 * the statements of BEGIN ATOMIC ... END), rewritten in place. params are
 * the function's parameters (FunctionParameter nodes) so that $n reads as
 * the parameter's name, as the server prints it. Equal for the migration's
 * text and pg_get_function_sqlbody()'s (see sqlbody.c for what is
 * canonical). Returns "BEGIN ATOMIC <stmt>; ... END" or "RETURN <expr>"
 * (malloc'd), or NULL with err.
 */
char *pgd_norm_sql_body(const struct pgd_nctx *ctx, PgQuery__Node *body,
			PgQuery__Node *const *params, size_t nparams,
			struct pgd_strbuf *err);

/*
 * Canonical CREATE INDEX text for stmt (which is rewritten in place):
 * schema-qualified table, explicit USING method, default orderings and
 * default operator classes dropped, expressions canonical. idxname must
 * already be set. Returns a malloc'd string or NULL with err.
 */
char *pgd_norm_index_stmt(const struct pgd_nctx *ctx, PgQuery__IndexStmt *stmt,
			  struct pgd_strbuf *err);

/*
 * Fills c (already added to its table, with name set) from a Constraint
 * node: type, key columns, FK target and canonical def. For a FOREIGN KEY
 * without referenced columns, the referenced table's primary key columns
 * are looked up in ctx->model. Returns 0, or -1 with err.
 */
int pgd_norm_constraint(const struct pgd_nctx *ctx, struct pgd_schema *m,
			struct pgd_constraint *c, PgQuery__Constraint *con,
			const char *const *cols, size_t ncols,
			struct pgd_strbuf *err);

/* Calls fn on every Node below msg (pre-order; fn must not replace it). */
void pgd_pgq_visit(ProtobufCMessage *msg, void (*fn)(PgQuery__Node *, void *),
		   void *arg);

/*
 * A constant default on a column of type tn takes that type's reading
 * ('t' on a boolean is true, '5' on an integer is 5), as the server stores
 * it; any other expression is left alone.
 */
void pgd_norm_fold_default(PgQuery__Node *expr, const PgQuery__TypeName *tn);

/*
 * Column renames: rewrites canonical text that mentions column old of table
 * (ctx->rel_schema, ctx->rel_name) to say new, and returns the new canonical
 * text (malloc'd), or NULL with err. kind says what the text is:
 * 'e' an expression on the table, 'i' a CREATE INDEX on it, 'c' a
 * constraint definition on it. For 'c', columns of a FOREIGN KEY's
 * referenced table are renamed when ref is true (the renamed column is on
 * the referenced side) instead of the key columns.
 */
char *pgd_norm_rename_column(const struct pgd_nctx *ctx, struct pgd_schema *m,
			     char kind, const char *text, const char *old,
			     const char *new_name, bool ref,
			     struct pgd_strbuf *err);

/*
 * Relation renames: rewrites canonical expression text (on table
 * ctx->rel_schema.ctx->rel_name, already under its new name if it is the
 * one renamed) so that relation old_schema.old_name, read in a sub-select,
 * is new_schema.new_name, and so are column qualifiers that name it.
 * Returns the new canonical text (malloc'd), or NULL with err.
 */
char *pgd_norm_rename_rel(const struct pgd_nctx *ctx, const char *text,
			  const char *old_schema, const char *old_name,
			  const char *new_schema, const char *new_name,
			  struct pgd_strbuf *err);

/*
 * A trigger as pg_get_triggerdef() prints it, less "CREATE TRIGGER name"
 * and "ON table": "BEFORE UPDATE FOR EACH ROW EXECUTE FUNCTION
 * public.f()". The function is qualified through ctx; the WHEN clause is
 * canonicalized in place. Malloc'd.
 */
char *pgd_norm_trigger(const struct pgd_nctx *ctx, PgQuery__CreateTrigStmt *s);

/* JSON text as jsonb prints it (malloc'd), or NULL when not valid JSON. */
char *pgd_norm_jsonb_text(const char *text);

/* Resolves an unqualified relation name through the search path (tables,
 * views, sequences in ctx->model); NULL when not found. */
const char *pgd_norm_resolve_rel(const struct pgd_nctx *ctx, const char *name);

/* Where extension extname's objects are: its schema in ctx->model, else
 * "extensions" when that is on the search path (Supabase), else NULL. */
const char *pgd_norm_extension_schema(const struct pgd_nctx *ctx,
				      const char *extname);

/* First schema of the search path that exists in the model (or the first
 * entry when none does): where CREATE puts an unqualified object. */
const char *pgd_norm_creation_schema(const struct pgd_nctx *ctx);

#endif

/*
 * replay.h - internal to the loader: the state of a replay and the DDL
 * handlers. A struct replay lives for one pgd_migrations_replay() call.
 */
#ifndef PGDRIFT_LOADER_REPLAY_H
#define PGDRIFT_LOADER_REPLAY_H

#include <stdbool.h>

#include "../normalize/pgq.h"
#include "pgdrift/diag.h"
#include "pgdrift/migrations.h"
#include "pgdrift/normalize.h"
#include "pgdrift/strbuf.h"

struct replay {
	struct pgd_schema *m;
	struct pgd_diags *diags;
	const struct pgd_load_options *opts;
	const struct pgd_srcfile *sf;
	size_t stmt_off;     /* byte offset of the statement in sf */
	size_t stmt_len;
	struct pgd_src src;  /* file:line of the statement, text in m's arena */
	const char *file;    /* sf->path in the model's arena */
	/* current search_path (strings owned here) */
	char **search_path;
	size_t nsearch_path, asearch_path;
	bool failed;         /* an error was reported for this statement */
	/* inside a DO block: errors are collected here instead of reported,
	 * since the block may guard the statement with an existence check */
	bool tolerant;
	struct pgd_strbuf tolerant_msg;
};

/* Reports an error at byte offset loc within the statement (-1: its start)
 * and marks the statement failed. With --allow-unmodeled the statement is
 * recorded as unmodeled instead. Returns -1. */
int rp_error(struct replay *r, int loc, const char *fmt, ...) PGD_PRINTF(3, 4);
/* A warning at loc within the statement. */
void rp_warn(struct replay *r, int loc, const char *fmt, ...) PGD_PRINTF(3, 4);
/* Records the statement as not modeled. */
void rp_unmodeled(struct replay *r, const char *what, const char *reason);

/* Name context for normalize, for an expression on schema.table. */
struct pgd_nctx rp_nctx(struct replay *r, const char *schema,
			const char *table);
/* The canonical text of expression *e on table t (in the model's arena),
 * or NULL after reporting why it could not be read. */
const char *rp_expr(struct replay *r, struct pgd_table *t, PgQuery__Node **e);

/* The schema an unqualified new object goes to. */
const char *rp_create_schema(struct replay *r);

/* Resolves a RangeVar to an existing table; reports and returns NULL when
 * there is none, unless missing_ok. */
struct pgd_table *rp_table(struct replay *r, const PgQuery__RangeVar *rv,
			   bool missing_ok);
/* The schema a RangeVar names or resolves to (for creating objects). */
const char *rp_rv_schema(struct replay *r, const PgQuery__RangeVar *rv);

void rp_set_search_path(struct replay *r, const char *const *names, size_t n);
void rp_reset_search_path(struct replay *r);

/* Handlers, one per statement family (ddl_table.c, ddl_other.c). */
void rp_create_table(struct replay *r, PgQuery__CreateStmt *s);
void rp_alter_table(struct replay *r, PgQuery__AlterTableStmt *s);
void rp_create_index(struct replay *r, PgQuery__IndexStmt *s);
void rp_rename(struct replay *r, PgQuery__RenameStmt *s);
void rp_drop(struct replay *r, PgQuery__DropStmt *s);
void rp_create_policy(struct replay *r, PgQuery__CreatePolicyStmt *s);
void rp_alter_policy(struct replay *r, PgQuery__AlterPolicyStmt *s);
void rp_create_schema_stmt(struct replay *r, PgQuery__CreateSchemaStmt *s);
void rp_create_enum(struct replay *r, PgQuery__CreateEnumStmt *s);
void rp_alter_enum(struct replay *r, PgQuery__AlterEnumStmt *s);
void rp_create_domain(struct replay *r, PgQuery__CreateDomainStmt *s);
void rp_create_extension(struct replay *r, PgQuery__CreateExtensionStmt *s);
void rp_create_seq(struct replay *r, PgQuery__CreateSeqStmt *s);
void rp_alter_seq(struct replay *r, PgQuery__AlterSeqStmt *s);
void rp_grant(struct replay *r, PgQuery__GrantStmt *s);
void rp_create_view(struct replay *r, PgQuery__ViewStmt *s);
void rp_create_table_as(struct replay *r, PgQuery__CreateTableAsStmt *s);
void rp_create_function(struct replay *r, PgQuery__CreateFunctionStmt *s);
void rp_create_trigger(struct replay *r, PgQuery__CreateTrigStmt *s);
void rp_comment(struct replay *r, PgQuery__CommentStmt *s);
void rp_alter_owner(struct replay *r, PgQuery__AlterOwnerStmt *s);
void rp_alter_object_schema(struct replay *r, PgQuery__AlterObjectSchemaStmt *s);

/* Before dropping index ix (what: "index i", "constraint c on table t",
 * for the message): foreign keys that depend on it are dropped with
 * cascade, else an error. Returns 0, or -1 after reporting. */
int rp_drop_index_deps(struct replay *r, struct pgd_index *ix, bool cascade,
		       const char *what);

/* The partitions of t (none unless t is partitioned), in a vector the
 * caller frees: the model's table array may grow while they are worked
 * on. */
struct pgd_table **rp_partitions(struct replay *r, const struct pgd_table *t,
				 size_t *n);

/* The index of partition child that stands for the parent's index pix
 * (the same definition but for names, backing a constraint exactly when
 * pix does): the one ATTACH PARTITION attaches instead of making a copy,
 * or NULL. */
struct pgd_index *rp_matching_index(struct replay *r, const struct pgd_index *pix,
				    const struct pgd_table *child);

/* Drops view v and, first, the views that read it (CASCADE). */
void rp_drop_view(struct replay *r, struct pgd_view *v);

/* Renames an index, keeping its canonical definition true. */
void rp_rename_index(struct replay *r, struct pgd_index *ix, const char *new_name);

/* Implicit names, as PostgreSQL 15 chooses them (names.c). Results are in
 * the model's arena. */
const char *rp_choose_relname(struct replay *r, const char *schema,
			      const char *name1, const char *name2,
			      const char *label, bool isconstraint);
const char *rp_choose_conname(struct replay *r, const char *schema,
			      const char *name1, const char *name2,
			      const char *label);
/* name1_name2_..._label truncated to 63 bytes like makeObjectName(). */
char *rp_make_object_name(const char *name1, const char *name2,
			  const char *label);
/* Joins column names with '_' like ChooseIndexNameAddition (malloc'd). */
char *rp_name_addition(const char *const *names, size_t n);
/* FigureIndexColname: the column name an index expression gets. */
const char *rp_expr_colname(const PgQuery__Node *expr);

#endif

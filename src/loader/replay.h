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
	/* the interpreter for DO blocks and helper calls (src/eval), and
	 * whether it is running (a statement it hands back is replayed
	 * tolerantly and may not start another evaluation) */
	struct pgd_eval *ev;
	bool in_eval;
	/* rows.c: the names of tables a statement may have written (keys
	 * in rows_keys), or rows_all when any table may hold rows */
	struct pgd_map *rows_written;
	struct pgd_arena *rows_keys;
	bool rows_all;
	/* statements dispatched so far, and rows.c's list of the tables a
	 * data statement can reach code through (triggers, defaults), as it
	 * stood after dispatch number rows_cand_at - 1 (0: never built) */
	unsigned long ddl_seq;
	unsigned long rows_cand_at;
	const struct pgd_table **rows_cand;
	size_t nrows_cand, arows_cand;
	/* prefetch.c: the set, the file being replayed (its position in the
	 * replay's order), and the thread reading DO blocks ahead (NULL
	 * before the first DO block, or when no thread could start) */
	const struct pgd_migration_set *set;
	size_t file_pos;
	struct rp_prefetch *prefetch;
	bool prefetch_tried;
};

struct pgd_eval;

/*
 * Files, from the top down; a file calls only files below it
 * (tests/check_loader_layout.py checks it):
 *   replay.c            the dispatcher: classifies a statement, calls its
 *                       handler; DO blocks and top-level calls go to the
 *                       interpreter (src/eval), whose SQL comes back
 *                       through the dispatcher (host_exec)
 *   ddl_alter_table.c   ALTER TABLE
 *   ddl_table.c         CREATE TABLE, columns and constraints
 *   ddl_drop.c          DROP, RENAME, DROP COLUMN, with dependency rules
 *   ddl_index.c         CREATE INDEX, partition index copies
 *   ddl_view.c, ddl_function.c, ddl_policy.c, ddl_privilege.c,
 *   ddl_schema.c, ddl_sequence.c, ddl_type.c, ddl_setting.c
 *                       one object family each
 *   prefetch.c          DO blocks parsed ahead on a second thread
 *   replay_deps.c       dependency helpers shared by several families
 *   replay_ctx.c        diagnostics, search_path, name resolution
 *   names.c             PostgreSQL's implicit names
 */

/* ---- replay.c */

/* Creates r->ev, the interpreter over r's model (freed by the replay). */
void rp_eval_init(struct replay *r);

/* ---- prefetch.c: DO blocks read ahead on a thread (calls split.c) */

/* A DO statement the thread read: its text (trimmed as the replay trims
 * it), and when it is one DO block in PL/pgSQL, its body and read
 * PL/pgSQL (else body is NULL). */
struct rp_do_job {
	size_t pos, off;   /* file position in the replay's order, byte offset */
	char *sql, *body;
	struct pgd_eval_prepared *prep;
	struct rp_do_job *next;
};
struct rp_prefetch;

/* Starts the thread on the statements after byte off of the file at
 * position pos (set must outlive it): NULL when no thread starts. */
struct rp_prefetch *rp_prefetch_start(const struct pgd_migration_set *set, size_t pos,
				      size_t off);
/* The thread's job for the statement at (pos, off) whose text is sql,
 * waiting for it if need be (the caller frees it with rp_do_job_free),
 * or NULL when the thread has none: the replay reads it itself. */
struct rp_do_job *rp_prefetch_take(struct rp_prefetch *p, size_t pos, size_t off,
				   const char *sql);
void rp_do_job_free(struct rp_do_job *j);
/* Stops and joins the thread, frees what it read (NULL: nothing). */
void rp_prefetch_stop(struct rp_prefetch *p);

/* A DO statement's body (NULL when it has none; in s) and language
 * ("plpgsql" when it names none). */
void rp_do_args(const PgQuery__DoStmt *s, const char **body, const char **lang);

/* ---- rows.c: which tables may hold rows (calls no loader file) */

/* Records what the statement text sql[0..len) may have written: a data
 * statement's names, or (unmodeled) an unmodeled statement's names, its
 * string constants' too; past what names can tell (migration-defined
 * functions, triggers, views, EXECUTE), every table. */
void rp_rows_written_by(struct replay *r, const char *sql, size_t len,
			bool unmodeled);
/* Marks the tables named name (any schema) as possibly holding rows. */
void rp_rows_mark(struct replay *r, const char *name);
/* A relation renamed from `from` to `to` keeps what `from` had. */
void rp_rows_renamed(struct replay *r, const char *from, const char *to);
/* Whether t certainly holds no rows: a table the migrations created that
 * no statement so far may have written. */
bool rp_rows_empty(const struct replay *r, const struct pgd_table *t);
/* Frees what rows.c holds. */
void rp_rows_release(struct replay *r);

/* ---- replay_ctx.c */

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
/* A table for an object to hang on; a platform table the migrations do not
 * create (storage.objects) gets an external placeholder. NULL after
 * reporting. */
struct pgd_table *rp_table_for(struct replay *r, const PgQuery__RangeVar *rv);

void rp_set_search_path(struct replay *r, const char *const *names, size_t n);
void rp_reset_search_path(struct replay *r);

/* Marks o changed by the current statement. */
void rp_touch(struct replay *r, struct pgd_object *o);
/* Appends schema.name, each quoted as needed, to sb. */
void rp_qualified(struct pgd_strbuf *sb, const char *schema, const char *name);
/* Splits a List of String names into schema (may be NULL) and name
 * (borrowed from the list). Returns whether a name was found. */
bool rp_split_names(PgQuery__Node **names, size_t n, const char **schema,
		    const char **name);
/* s with its first from replaced by to (malloc'd), or NULL if s has none. */
char *rp_replace_once(const char *s, const char *from, const char *to);
/* Column name of t, or NULL (also for a NULL name). */
struct pgd_column *rp_column_of(struct pgd_table *t, const char *name);

/* ---- replay_deps.c */

/* What depends on an object being dropped: foreign keys (with their
 * tables) and views. The arrays are malloc'd, freed by rp_deps_release. */
struct rp_deps {
	struct pgd_table **fk_tables;     /* the table of each foreign key */
	struct pgd_constraint **fks;
	size_t nfks, afks;
	struct pgd_view **views;
	size_t nviews, aviews;
};
void rp_deps_release(struct rp_deps *d);
/* Adds to d the foreign keys that depend on index ix of t. */
void rp_fk_deps_on_index(struct replay *r, const struct pgd_table *t,
			 const struct pgd_index *ix, struct rp_deps *d);
/* Drops what is in d (CASCADE). */
void rp_drop_deps(struct replay *r, struct rp_deps *d);
/* Whether s is one of v[0..n). */
bool rp_in_list(const char *const *v, size_t n, const char *s);

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

/* Drops view v and, first, the views that read it (CASCADE). */
void rp_drop_view(struct replay *r, struct pgd_view *v);
/* Drops (as rp_drop_view) every view but except whose reads, or with calls
 * whose calls of functions, name schema.name. */
void rp_drop_views_using(struct replay *r, bool calls, const char *schema,
			 const char *name, const struct pgd_view *except);

/* Renames an index, keeping its canonical definition true. */
void rp_rename_index(struct replay *r, struct pgd_index *ix, const char *new_name);
/* After index ix was renamed from old: its definition names it anew. */
void rp_rename_index_def(struct replay *r, struct pgd_index *ix,
			 const char *old);

/* ---- ddl_index.c */

void rp_create_index(struct replay *r, PgQuery__IndexStmt *s);
/* The index of partition child that stands for the parent's index pix
 * (the same definition but for names, backing a constraint exactly when
 * pix does): the one ATTACH PARTITION attaches instead of making a copy,
 * or NULL. */
struct pgd_index *rp_matching_index(struct replay *r, const struct pgd_index *pix,
				    const struct pgd_table *child);
/* Gives partition child (and its partitions) a copy of parent index pix. */
void rp_clone_index(struct replay *r, const struct pgd_index *pix,
		    struct pgd_table *child);
/* A new or attached partition child of parent gets its parent's indexes
 * (attach: but for those it has a matching index for). */
void rp_clone_indexes(struct replay *r, const struct pgd_table *parent,
		      struct pgd_table *child, bool attach);

/* ---- ddl_table.c */

/* A constraint waiting for its name: column constraints carry their column. */
struct pending {
	PgQuery__Constraint *con;
	const char *column; /* NULL for a table constraint */
};

/* Constraints to add once all columns exist; the caller frees v. */
struct pending_list {
	struct pending *v;
	size_t n, alloc;
};

void rp_create_table(struct replay *r, PgQuery__CreateStmt *s);
/* Adds one constraint to t, naming it as PostgreSQL does when it has none.
 * column is the column of a column constraint, or NULL. Returns 0, or -1
 * after reporting. */
int rp_add_constraint(struct replay *r, struct pgd_table *t,
		      PgQuery__Constraint *con, const char *column);
/* Adds the constraints of l in PostgreSQL's order and empties l. */
void rp_add_pending(struct replay *r, struct pgd_table *t,
		    struct pending_list *l);
/* The canonical default expression of a column (model's arena), or NULL. */
const char *rp_canon_default(struct replay *r, struct pgd_table *t,
			     PgQuery__Node **expr, const PgQuery__TypeName *tn);
/* The collation a COLLATE clause gives a column (model's arena), or NULL. */
const char *rp_collation_of(struct replay *r, const PgQuery__CollateClause *cc);
/* Creates the sequence of serial or identity column c of t; returns its
 * name (model's arena). */
const char *rp_serial_sequence(struct replay *r, struct pgd_table *t,
			       struct pgd_column *c, bool identity);
/* Adds a column from a ColumnDef; its constraints go to pending. Returns
 * the column, or NULL after reporting. */
struct pgd_column *rp_add_column(struct replay *r, struct pgd_table *t,
				 PgQuery__ColumnDef *cd,
				 struct pending_list *pending);

/* ---- ddl_alter_table.c */

void rp_alter_table(struct replay *r, PgQuery__AlterTableStmt *s);

/* ---- ddl_drop.c */

void rp_rename(struct replay *r, PgQuery__RenameStmt *s);
void rp_drop(struct replay *r, PgQuery__DropStmt *s);
/* After table t moved or was renamed from old_schema.old_name: foreign
 * keys, index definitions, and (rp_follow_rel_rename, also for views) what
 * else names it follow. */
void rp_retarget_fks(struct replay *r, const char *schema, const char *old,
		     struct pgd_table *t);
void rp_retarget_index_defs(struct replay *r, struct pgd_table *t,
			    const char *old_schema, const char *old_name);
void rp_follow_rel_rename(struct replay *r, struct pgd_object *rel,
			  const char *old_schema, const char *old_name);
/* ALTER TABLE DROP COLUMN c of t, with what depends on it when cascade. */
void rp_drop_column(struct replay *r, struct pgd_table *t,
		    struct pgd_column *c, bool cascade);

/* ---- one object family each */

void rp_create_policy(struct replay *r, PgQuery__CreatePolicyStmt *s);   /* ddl_policy.c */
void rp_alter_policy(struct replay *r, PgQuery__AlterPolicyStmt *s);
void rp_create_schema_stmt(struct replay *r, PgQuery__CreateSchemaStmt *s); /* ddl_schema.c */
void rp_create_extension(struct replay *r, PgQuery__CreateExtensionStmt *s);
void rp_comment(struct replay *r, PgQuery__CommentStmt *s);
void rp_alter_object_schema(struct replay *r, PgQuery__AlterObjectSchemaStmt *s);
void rp_create_enum(struct replay *r, PgQuery__CreateEnumStmt *s);       /* ddl_type.c */
void rp_alter_enum(struct replay *r, PgQuery__AlterEnumStmt *s);
void rp_create_domain(struct replay *r, PgQuery__CreateDomainStmt *s);
void rp_create_seq(struct replay *r, PgQuery__CreateSeqStmt *s);         /* ddl_sequence.c */
void rp_alter_seq(struct replay *r, PgQuery__AlterSeqStmt *s);
void rp_grant(struct replay *r, PgQuery__GrantStmt *s);                  /* ddl_privilege.c */
void rp_alter_owner(struct replay *r, PgQuery__AlterOwnerStmt *s);
void rp_alter_default_privileges(struct replay *r,
				 PgQuery__AlterDefaultPrivilegesStmt *s);
void rp_grant_role(struct replay *r, PgQuery__GrantRoleStmt *s);
/* ALTER VIEW / SEQUENCE ... OWNER TO */
void rp_alter_rel_owner(struct replay *r, PgQuery__AlterTableStmt *s);
/* o's owner becomes the role rs names; its ACL follows (aclnewowner). */
void rp_change_owner(struct replay *r, struct pgd_object *o,
		     const PgQuery__RoleSpec *rs);
/* The platform profile the replay starts from (--platform, else the
 * default: Supabase, the default era). Owned by the options or static. */
const struct pgd_platform_profile *rp_profile(const struct replay *r);
/* Whether name is a schema the platform made before the first migration
 * (public, auth, ...), still there and not modeled. */
bool rp_platform_schema(const struct replay *r, const char *name);
/* The platform profile's roles and default privileges, before the first
 * statement. */
void rp_platform_start(struct replay *r);
/* Gives the objects the statement created their owner and starting ACL. */
void rp_init_fresh(struct replay *r);
void rp_create_view(struct replay *r, PgQuery__ViewStmt *s);             /* ddl_view.c */
void rp_create_table_as(struct replay *r, PgQuery__CreateTableAsStmt *s);
void rp_create_function(struct replay *r, PgQuery__CreateFunctionStmt *s); /* ddl_function.c */
void rp_alter_function(struct replay *r, PgQuery__AlterFunctionStmt *s);
/* Canonical argument types of a parameter list: "integer, text" (malloc'd). */
char *rp_function_args(struct replay *r, PgQuery__Node **params, size_t n,
		       bool objfuncargs);
/* rp_find_function, with PostgreSQL's error when a bare name fits several
 * overloads (ALTER FUNCTION, OWNER TO, COMMENT ON FUNCTION). */
struct pgd_function *rp_find_routine(struct replay *r, PgQuery__ObjectWithArgs *ow);
/* The function an ObjectWithArgs names (DROP/ALTER FUNCTION f(...)), by
 * identity signature (argument names, modes of OUT arguments, defaults
 * and typmods ignored), through the search_path when unqualified; without
 * an argument list, the only function of that name. NULL when none is
 * found or the name alone is ambiguous (*ambiguous then set). Borrowed. */
struct pgd_function *rp_find_function(struct replay *r, PgQuery__ObjectWithArgs *ow,
				      bool *ambiguous); /* ddl_function.c */
/* DROP FUNCTION f: with cascade, the triggers that execute f (on platform
 * tables such as auth.users too), the policies and column defaults that
 * call it go with it, as PostgreSQL's dependency walk takes them. */
void rp_drop_function_dependents(struct replay *r, const struct pgd_function *f,
				 bool cascade); /* ddl_drop.c */
void rp_create_trigger(struct replay *r, PgQuery__CreateTrigStmt *s);

/* ---- ddl_setting.c */

/* Applies a search_path value ("a, \"B\"") as SET search_path does. */
void rp_apply_search_path(struct replay *r, const char *value);
/* SET search_path (other settings change no names). */
void rp_variable_set(struct replay *r, PgQuery__VariableSetStmt *s);
/* SELECT set_config('search_path', ...): returns whether s was one. */
bool rp_select_set_config(struct replay *r, PgQuery__SelectStmt *s);
/* SET pgrst.db_schemas in ALTER ROLE authenticator / ALTER DATABASE:
 * records the exposed schemas; returns whether vs was that setting. */
bool rp_set_exposed(struct replay *r, PgQuery__VariableSetStmt *vs);

/* ---- names.c */

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

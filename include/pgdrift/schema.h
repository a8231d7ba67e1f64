/*
 * schema.h - the schema model every source produces and every check reads.
 *
 * A struct pgd_schema is built by the migration replay (loader), the catalog
 * reader or the snapshot reader, and owns everything it points to: all
 * strings and objects live in its arena and are released at once by
 * pgd_schema_free(). Pointers into a model stay valid until it is freed;
 * the add_* functions never move existing objects.
 *
 * Names are stored as PostgreSQL stores them (case-folded, unquoted).
 * Definitions (types, defaults, expressions, constraint and index
 * definitions) are stored in canonical form (normalize.h), so two models of
 * the same database compare equal with strcmp.
 *
 * Every object begins with struct pgd_object: kind, schema, name and
 * provenance. Provenance is the migration file:line that created the object
 * and the one that last altered it; a catalog or snapshot model leaves it
 * empty (file NULL).
 */
#ifndef PGDRIFT_SCHEMA_H
#define PGDRIFT_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "pgdrift/alloc.h"

struct pgd_strbuf;

enum pgd_kind {
	PGD_SCHEMA,
	PGD_TABLE,
	PGD_COLUMN,
	PGD_CONSTRAINT,
	PGD_INDEX,
	PGD_POLICY,
	PGD_TRIGGER,
	PGD_TYPE,
	PGD_SEQUENCE,
	PGD_VIEW,
	PGD_FUNCTION,
	PGD_EXTENSION,
	PGD_KIND_COUNT
};

/* "table", "column", ...: stable words used in dumps and reports. */
const char *pgd_kind_name(enum pgd_kind kind);

/* Where a migration statement is: file (as named to pgdrift) and line. */
struct pgd_src {
	const char *file; /* NULL: not from a migration */
	unsigned line;    /* 1-based; 0 when file is NULL */
	const char *stmt; /* the statement's text, for remediation; may be NULL */
	/* made at run time by SQL a DO block or a migration-defined function
	 * ran (EXECUTE): line is the DO block's or the top-level call's, and
	 * reports print "file:line (EXECUTE)" */
	bool dynamic;
};

struct pgd_object {
	enum pgd_kind kind;
	const char *schema; /* for columns, constraints, ...: the table's */
	const char *name;
	struct pgd_src created; /* the statement that made it */
	struct pgd_src changed; /* the last statement that altered it, or empty */
};

/*
 * Privileges, one bit each; the comment gives the aclitem letter. ALL on a
 * table is PGD_PRIV_ALL before PostgreSQL 17 and adds MAINTAIN from 17 on
 * (pgd_acl_all).
 */
enum {
	PGD_PRIV_SELECT = 1 << 0,     /* r */
	PGD_PRIV_INSERT = 1 << 1,     /* a */
	PGD_PRIV_UPDATE = 1 << 2,     /* w */
	PGD_PRIV_DELETE = 1 << 3,     /* d */
	PGD_PRIV_TRUNCATE = 1 << 4,   /* D */
	PGD_PRIV_REFERENCES = 1 << 5, /* x */
	PGD_PRIV_TRIGGER = 1 << 6,    /* t */
	PGD_PRIV_ALL = (1 << 7) - 1,  /* the table privileges up to PG 16 */
	PGD_PRIV_MAINTAIN = 1 << 7,   /* m (tables, PostgreSQL 17+) */
	PGD_PRIV_USAGE = 1 << 8,      /* U (sequences, types, schemas) */
	PGD_PRIV_EXECUTE = 1 << 9,    /* X (functions, procedures) */
	PGD_PRIV_CREATE = 1 << 10,    /* C (schemas) */
	PGD_PRIV_COUNT = 11
};

/* The kinds of object an ACL belongs to, by pg_default_acl's letters. */
enum pgd_acl_objtype {
	PGD_ACL_TABLE = 'r',    /* tables and views */
	PGD_ACL_SEQUENCE = 'S',
	PGD_ACL_FUNCTION = 'f', /* functions and procedures */
	PGD_ACL_TYPE = 'T',
	PGD_ACL_SCHEMA = 'n',
	PGD_ACL_COLUMN = 'c'
};

/* One grantee's privileges (grantors are merged: pgdrift compares who
 * holds what, not who gave it). */
struct pgd_grant {
	const char *grantee;  /* a role name, or "public" for PUBLIC */
	unsigned privs;       /* PGD_PRIV_* bits held */
	unsigned grantable;   /* the subset held WITH GRANT OPTION */
};

/*
 * An access control list. The array lives in the model's arena; known is
 * false when no source said what it is (an object the migrations only
 * attach things to), and then no check reads it.
 */
struct pgd_acl {
	struct pgd_grant *v;
	size_t n, alloc;
	bool known;
	struct pgd_src src; /* the last GRANT/REVOKE/OWNER TO that changed it;
			       empty: as the object was created */
};

struct pgd_column {
	struct pgd_object obj;
	struct pgd_table *table;
	int position;          /* 1-based order of definition (attnum order) */
	const char *type;      /* canonical, e.g. "character varying(10)" */
	bool not_null;
	const char *def;       /* canonical default expression; NULL: none */
	char identity;         /* 0, 'a' (ALWAYS) or 'd' (BY DEFAULT) */
	char generated;        /* 0, 's' (STORED) or 'v' (VIRTUAL, PostgreSQL 18);
				  def holds the expression */
	const char *collation; /* NULL: the type's default */
	const char *comment;   /* COMMENT ON COLUMN, or NULL */
	struct pgd_acl acl;    /* attacl: column-level grants only */
};

enum pgd_contype {
	PGD_CON_PRIMARY = 'p',
	PGD_CON_UNIQUE = 'u',
	PGD_CON_FOREIGN = 'f',
	PGD_CON_CHECK = 'c',
	PGD_CON_EXCLUDE = 'x'
};

struct pgd_constraint {
	struct pgd_object obj;
	struct pgd_table *table;
	enum pgd_contype type;
	/* Canonical text as pg_get_constraintdef() prints it with an empty
	 * search_path, e.g. "FOREIGN KEY (user_id) REFERENCES public.users(id)
	 * ON DELETE CASCADE". */
	const char *def;
	const char **columns; /* key columns (not for CHECK); ncolumns of them */
	size_t ncolumns;
	/* FOREIGN KEY only */
	const char *ref_schema, *ref_table;
	const char **ref_columns;
	size_t nref_columns;
	bool validated; /* false after NOT VALID */
};

struct pgd_index {
	struct pgd_object obj;
	struct pgd_table *table;
	bool unique;
	bool primary;
	const char *constraint; /* name of the constraint it backs, or NULL */
	/* Canonical CREATE INDEX text as pg_get_indexdef() prints it with an
	 * empty search_path (schema-qualified table, USING method). */
	const char *def;
	const char **columns; /* plain key columns, for dependency tracking */
	size_t ncolumns;
	bool has_exprs;       /* keys or predicate use expressions */
};

enum pgd_polcmd {
	PGD_POL_ALL = '*',
	PGD_POL_SELECT = 'r',
	PGD_POL_INSERT = 'a',
	PGD_POL_UPDATE = 'w',
	PGD_POL_DELETE = 'd'
};

/* "ALL", "SELECT", "INSERT", "UPDATE" or "DELETE" (a static string). */
const char *pgd_polcmd_name(enum pgd_polcmd c);

struct pgd_policy {
	struct pgd_object obj;
	struct pgd_table *table;
	enum pgd_polcmd cmd;
	bool permissive;
	const char **roles; /* sorted, "public" for none; nroles >= 1 */
	size_t nroles;
	const char *using_expr; /* canonical, or NULL */
	const char *check_expr; /* canonical, or NULL */
};

struct pgd_trigger {
	struct pgd_object obj;
	struct pgd_table *table;
	const char *def; /* canonical: timing, events, level, function */
};

#define PGD_VEC(type, name) \
	type *name;         \
	size_t n##name, a##name

struct pgd_table {
	struct pgd_object obj;
	char relkind;          /* 'r' ordinary, 'p' partitioned */
	bool rls_enabled;
	bool rls_forced;
	bool rls_set;          /* the migrations said ENABLE/DISABLE/FORCE */
	bool unlogged;
	bool columns_unknown;  /* CREATE TABLE AS / LIKE of an unknown table */
	bool external;         /* a platform table the migrations only attach
				  objects to (policies on storage.objects) */
	const char *owner;     /* NULL: unknown (migrations) */
	const char *comment;   /* COMMENT ON TABLE, or NULL */
	const char *partition_of; /* "schema.table" of the parent, or NULL */
	PGD_VEC(struct pgd_column *, columns);
	PGD_VEC(struct pgd_constraint *, constraints);
	PGD_VEC(struct pgd_index *, indexes);
	PGD_VEC(struct pgd_policy *, policies);
	PGD_VEC(struct pgd_trigger *, triggers);
	struct pgd_acl acl;    /* relacl, the owner's own entry included */
	int next_position;     /* attnum the next added column gets */
};

/* Enum types and domains. */
struct pgd_type {
	struct pgd_object obj;
	char typtype; /* 'e' enum, 'd' domain */
	const char **labels; /* enum labels in sort order */
	size_t nlabels;
	const char *def;     /* domain: canonical base type and constraints */
	const char *owner;   /* NULL: unknown */
	struct pgd_acl acl;
};

struct pgd_sequence {
	struct pgd_object obj;
	const char *owned_by; /* "schema.table.column" or NULL */
	bool identity;        /* belongs to an identity column (not dumped) */
	const char *owner;    /* NULL: unknown */
	struct pgd_acl acl;
};

/* Views, functions and extensions: identity only for now. */
struct pgd_view {
	struct pgd_object obj;
	char relkind;            /* 'v' or 'm' */
	bool security_invoker;
	/* the tables and views it reads, as schema/name pairs */
	const char **read_schemas, **read_names;
	size_t nreads;
	/* the table columns it uses, as "schema.table.column" (identifiers
	 * quoted where needed), for DROP COLUMN; only the replay fills it */
	const char **read_columns;
	size_t nread_columns;
	/* the functions of the model it calls, as schema/name pairs, for
	 * DROP FUNCTION ... CASCADE; only the replay fills it */
	const char **call_schemas, **call_names;
	size_t ncalls;
	const char *owner;       /* NULL: unknown */
	struct pgd_acl acl;      /* relacl */
};

struct pgd_function {
	struct pgd_object obj;
	const char *args;        /* canonical argument types, "integer, text" */
	bool security_definer;
	/* roles that may EXECUTE it ("public" for PUBLIC); nexec_roles is 0
	 * and exec_known false when nobody said. Superseded by acl; kept for
	 * the replay until it fills acl. */
	const char **exec_roles;
	size_t nexec_roles;
	bool exec_known;
	/* what lies beyond the signature; attrs_known is false when the
	 * source gave only the signature (then none of these is compared) */
	bool attrs_known;
	char prokind;            /* 'f' function, 'p' procedure */
	const char *owner;       /* NULL: unknown */
	const char *language;    /* "plpgsql", "sql", ... */
	const char *returns;     /* pg_get_function_result(); NULL: procedure */
	const char *body;        /* prosrc exactly as written; for a BEGIN
				    ATOMIC / RETURN body its canonical text
				    (normalize), NULL when not known */
	bool atomic;             /* a BEGIN ATOMIC body (SQL-standard) */
	char volatility;         /* 'i', 's' or 'v' */
	char parallel;           /* 's', 'r' or 'u' */
	bool strict;
	bool leakproof;
	const char *cost;        /* procost as the server prints it, "100" */
	const char *rows;        /* prorows, "0" unless it returns a set */
	const char **config;     /* proconfig: "search_path=public, pg_temp" */
	size_t nconfig;
	struct pgd_acl acl;      /* proacl, PUBLIC's default EXECUTE included */
};

/* A role as the catalog knows it (the migrations side has none). */
struct pgd_role {
	const char *name;
	bool superuser;
	bool bypassrls;
	const char **member_of; /* roles it is a direct member of */
	size_t nmember_of;
	bool inherit;           /* rolinherit: uses its memberships' rights */
};

/*
 * ALTER DEFAULT PRIVILEGES: what objects role creates get. A global entry
 * (schema NULL) holds the whole ACL new objects start from, replacing the
 * built-in default (the owner's own entry included); a per-schema entry
 * holds grants added on top. This is pg_default_acl's meaning.
 */
struct pgd_default_acl {
	const char *role;   /* FOR ROLE: whose new objects */
	const char *schema; /* IN SCHEMA, or NULL: every schema */
	char objtype;       /* enum pgd_acl_objtype (not PGD_ACL_COLUMN) */
	struct pgd_acl acl;
	struct pgd_src src; /* the last statement that changed it, or empty */
	bool platform;      /* set by the platform profile, not a migration */
};

struct pgd_extension {
	struct pgd_object obj;   /* schema: where its objects live */
};

struct pgd_namespace {
	struct pgd_object obj;
	bool created;            /* created by the migrations (they own it) */
	const char *owner;       /* NULL: unknown */
	struct pgd_acl acl;      /* nspacl */
};

/* A dropped object remembered so reports can say where it was dropped. */
struct pgd_tombstone {
	enum pgd_kind kind;
	const char *schema;
	const char *table; /* for objects of a table, else NULL */
	const char *name;
	struct pgd_src dropped;
};

/* A statement the replay did not model (DO blocks, dynamic SQL, ...). */
struct pgd_unmodeled {
	struct pgd_src src;
	const char *what;   /* the statement kind, e.g. "DO block" */
	const char *reason; /* why it was not modeled */
};

struct pgd_arena;
struct pgd_map;

struct pgd_schema {
	struct pgd_arena *arena;
	struct pgd_map *rels;     /* "schema\x1fname" -> relation object */
	struct pgd_map *connames; /* "schema\x1fname" -> count (implicit names) */
	/* "schema\x1fname\x1fidentity args" -> the first such function */
	struct pgd_map *funcs;
	PGD_VEC(struct pgd_namespace *, namespaces);
	PGD_VEC(struct pgd_table *, tables);
	PGD_VEC(struct pgd_type *, types);
	PGD_VEC(struct pgd_sequence *, sequences);
	PGD_VEC(struct pgd_view *, views);
	PGD_VEC(struct pgd_function *, functions);
	PGD_VEC(struct pgd_extension *, extensions);
	PGD_VEC(struct pgd_tombstone, tombstones);
	PGD_VEC(struct pgd_unmodeled, unmodeled);
	PGD_VEC(struct pgd_role *, roles);
	PGD_VEC(struct pgd_default_acl *, default_acls);
	/* with track_fresh (the replay), every namespace, table, type,
	 * sequence, view and function added since the replay last emptied
	 * fresh, so it can give them their owner and default privileges;
	 * removing an object takes it out too */
	bool track_fresh;
	PGD_VEC(struct pgd_object *, fresh);
	/* which platform profile and era built the replay's starting state
	 * ("supabase", "2025"); NULL for a catalog or snapshot model */
	const char *platform;
	const char *platform_era;
	/* the server's major version (15, 17, ...): ALL on a table includes
	 * MAINTAIN from 17 on; 0 when unknown (treated as 15) */
	int server_major;
	/* the schemas PostgREST exposes (pgrst.db_schemas); exposed_known is
	 * false when no setting says, and the RLS review assumes "public" */
	const char **exposed_schemas;
	size_t nexposed_schemas;
	bool exposed_known;
	struct pgd_src exposed_src; /* the migration that set it, if one did */
	const char *origin; /* "migrations DIR", "database", "snapshot FILE" */
	/* the PostgreSQL version of the database read ("17.10"), kept by a
	 * snapshot of it; NULL for a model replayed from migrations */
	const char *server_version;
};

/* A new, empty model. Free with pgd_schema_free(). */
struct pgd_schema *pgd_schema_new(void);
void pgd_schema_free(struct pgd_schema *m);

/* Copies into the model's arena (NULL stays NULL). */
const char *pgd_schema_strdup(struct pgd_schema *m, const char *s);
const char *pgd_schema_strndup(struct pgd_schema *m, const char *s, size_t n);
/* Zeroed memory owned by the model. */
void *pgd_schema_alloc(struct pgd_schema *m, size_t size);

/* ---- namespaces */
struct pgd_namespace *pgd_schema_find_namespace(const struct pgd_schema *m,
						const char *name);
struct pgd_namespace *pgd_schema_add_namespace(struct pgd_schema *m,
					       const char *name);
void pgd_schema_remove_namespace(struct pgd_schema *m, struct pgd_namespace *ns);

/* ---- relations (tables, indexes, sequences and views share one namespace) */
/* The object named schema.name in pg_class's namespace, or NULL. */
struct pgd_object *pgd_schema_find_rel(const struct pgd_schema *m,
				       const char *schema, const char *name);
struct pgd_table *pgd_schema_find_table(const struct pgd_schema *m,
					const char *schema, const char *name);
struct pgd_table *pgd_schema_add_table(struct pgd_schema *m, const char *schema,
				       const char *name);
/* Removes t and everything on it; the caller records tombstones first. */
void pgd_schema_remove_table(struct pgd_schema *m, struct pgd_table *t);
void pgd_schema_rename_rel(struct pgd_schema *m, struct pgd_object *rel,
			   const char *new_schema, const char *new_name);

struct pgd_column *pgd_table_find_column(const struct pgd_table *t,
					 const char *name);
struct pgd_column *pgd_table_add_column(struct pgd_schema *m,
					struct pgd_table *t, const char *name);
void pgd_table_remove_column(struct pgd_table *t, struct pgd_column *c);

struct pgd_constraint *pgd_table_find_constraint(const struct pgd_table *t,
						 const char *name);
struct pgd_constraint *pgd_table_add_constraint(struct pgd_schema *m,
						struct pgd_table *t,
						const char *name);
void pgd_table_remove_constraint(struct pgd_schema *m, struct pgd_table *t,
				 struct pgd_constraint *c);
void pgd_schema_rename_constraint(struct pgd_schema *m, struct pgd_constraint *c,
				  const char *new_name);
/* Whether a constraint of that name exists anywhere in the schema. */
bool pgd_schema_conname_taken(const struct pgd_schema *m, const char *schema,
			      const char *name);

struct pgd_index *pgd_schema_find_index(const struct pgd_schema *m,
					const char *schema, const char *name);
struct pgd_index *pgd_table_add_index(struct pgd_schema *m, struct pgd_table *t,
				      const char *name);
void pgd_table_remove_index(struct pgd_schema *m, struct pgd_table *t,
			    struct pgd_index *ix);

struct pgd_policy *pgd_table_find_policy(const struct pgd_table *t,
					 const char *name);
struct pgd_policy *pgd_table_add_policy(struct pgd_schema *m,
					struct pgd_table *t, const char *name);
void pgd_table_remove_policy(struct pgd_table *t, struct pgd_policy *p);

struct pgd_trigger *pgd_table_find_trigger(const struct pgd_table *t,
					   const char *name);
struct pgd_trigger *pgd_table_add_trigger(struct pgd_schema *m,
					  struct pgd_table *t, const char *name);
void pgd_table_remove_trigger(struct pgd_table *t, struct pgd_trigger *tg);

/* Adds privs for grantee (granting) or removes them (revoking). */
void pgd_table_grant(struct pgd_schema *m, struct pgd_table *t,
		     const char *grantee, unsigned privs, bool revoke);

/* ---- access control lists (every array in the model's arena) */
/* Gives grantee privs; those in grantable (a subset) WITH GRANT OPTION.
 * Marks the ACL known. */
void pgd_acl_grant(struct pgd_schema *m, struct pgd_acl *acl,
		   const char *grantee, unsigned privs, unsigned grantable);
/* Takes privs from grantee; with option_only just the grant option
 * (REVOKE GRANT OPTION FOR). Entries left empty are removed. */
void pgd_acl_revoke(struct pgd_acl *acl, const char *grantee, unsigned privs,
		    bool option_only);
/* The entry of grantee, or NULL. */
const struct pgd_grant *pgd_acl_find(const struct pgd_acl *acl,
				     const char *grantee);
/* Makes dst a copy of src (dst's old array is abandoned to the arena). */
void pgd_acl_copy(struct pgd_schema *m, struct pgd_acl *dst,
		  const struct pgd_acl *src);
/* Empties acl and marks it known. */
void pgd_acl_clear(struct pgd_acl *acl);
/* ALTER ... OWNER TO: the old owner's entry becomes the new owner's
 * (PostgreSQL's aclnewowner), merged with any the new owner had. */
void pgd_acl_new_owner(struct pgd_schema *m, struct pgd_acl *acl,
		       const char *old_owner, const char *new_owner);
/* Sorts entries by grantee. */
void pgd_acl_sort(struct pgd_acl *acl);
/* What ALL means on objtype for a server major version (0: 15). */
unsigned pgd_acl_all(char objtype, int server_major);
/* Sets acl to PostgreSQL's built-in default for an object of objtype owned
 * by owner (acldefault()): the owner holds ALL, and PUBLIC gets EXECUTE on
 * functions and USAGE on types. owner NULL: only PUBLIC's part. */
void pgd_acl_set_builtin(struct pgd_schema *m, struct pgd_acl *acl,
			 char objtype, const char *owner, int server_major);
/*
 * Parses aclitem[] as the server prints it ("{postgres=arwd/postgres,
 * =X/postgres,\"we ird\"=r*\/postgres}") into acl, which becomes known.
 * Returns 0, or -1 on a malformed item (acl then holds what came before).
 */
int pgd_acl_parse(struct pgd_schema *m, struct pgd_acl *acl, const char *text);
/* "SELECT" for PGD_PRIV_SELECT, ... (static); NULL for another value. */
const char *pgd_priv_name(unsigned bit);
/* The bit of a privilege keyword, any case ("select", "ALL" -> 0); 0 when
 * unknown. */
unsigned pgd_priv_parse(const char *name);
/* Appends "SELECT, INSERT*" (a star marks WITH GRANT OPTION) in the fixed
 * order of the bits. */
void pgd_privs_text(struct pgd_strbuf *out, unsigned privs, unsigned grantable);

/* ---- default privileges */
/* The entry for role, schema (NULL: global) and objtype, or NULL. */
struct pgd_default_acl *pgd_schema_find_default_acl(const struct pgd_schema *m,
						    const char *role,
						    const char *schema,
						    char objtype);
/* The entry, made when missing: a new global one starts from the built-in
 * default for role, a new per-schema one empty. */
struct pgd_default_acl *pgd_schema_default_acl(struct pgd_schema *m,
					       const char *role,
					       const char *schema,
					       char objtype);
/* Whether d says nothing PostgreSQL would keep a pg_default_acl row for
 * (a global entry equal to the built-in default, an empty per-schema one). */
bool pgd_default_acl_is_noop(const struct pgd_schema *m,
			     const struct pgd_default_acl *d);
/* Sets out to the ACL a new object of objtype in schema gets when owner
 * creates it: the global entry (or the built-in default) plus the
 * per-schema one. */
void pgd_schema_new_object_acl(struct pgd_schema *m, struct pgd_acl *out,
			       const char *owner, const char *schema,
			       char objtype);

/* ---- roles */
struct pgd_role *pgd_schema_find_role(const struct pgd_schema *m,
				      const char *name);
struct pgd_role *pgd_schema_add_role(struct pgd_schema *m, const char *name);
/* Whether role can use the rights of target: it is target, or a member of
 * it, directly or through other roles, inheriting or by SET ROLE (INHERIT
 * is not asked); PUBLIC's are everyone's. Unknown roles are members of
 * nothing. */
bool pgd_schema_role_has(const struct pgd_schema *m, const char *role,
			 const char *target);

/* ---- other objects */
struct pgd_type *pgd_schema_find_type(const struct pgd_schema *m,
				      const char *schema, const char *name);
struct pgd_type *pgd_schema_add_type(struct pgd_schema *m, const char *schema,
				     const char *name);
void pgd_schema_remove_type(struct pgd_schema *m, struct pgd_type *ty);

struct pgd_sequence *pgd_schema_find_sequence(const struct pgd_schema *m,
					      const char *schema,
					      const char *name);
struct pgd_sequence *pgd_schema_add_sequence(struct pgd_schema *m,
					     const char *schema,
					     const char *name);
void pgd_schema_remove_sequence(struct pgd_schema *m, struct pgd_sequence *s);

struct pgd_view *pgd_schema_find_view(const struct pgd_schema *m,
				      const char *schema, const char *name);
struct pgd_view *pgd_schema_add_view(struct pgd_schema *m, const char *schema,
				     const char *name);
void pgd_schema_remove_view(struct pgd_schema *m, struct pgd_view *v);

struct pgd_function *pgd_schema_find_function(const struct pgd_schema *m,
					      const char *schema,
					      const char *name,
					      const char *args);
/* Any function of that name in schema (overloads ignored), or NULL. */
struct pgd_function *pgd_schema_find_function_name(const struct pgd_schema *m,
						   const char *schema,
						   const char *name);
struct pgd_function *pgd_schema_add_function(struct pgd_schema *m,
					     const char *schema,
					     const char *name,
					     const char *args);
void pgd_schema_remove_function(struct pgd_schema *m, struct pgd_function *f);
/* Renames f (ALTER FUNCTION ... RENAME TO), keeping the lookup by identity. */
void pgd_schema_rename_function(struct pgd_schema *m, struct pgd_function *f,
				const char *new_name);

struct pgd_extension *pgd_schema_find_extension(const struct pgd_schema *m,
						const char *name);
struct pgd_extension *pgd_schema_add_extension(struct pgd_schema *m,
					       const char *name,
					       const char *schema);
void pgd_schema_remove_extension(struct pgd_schema *m, struct pgd_extension *e);

void pgd_schema_add_tombstone(struct pgd_schema *m, enum pgd_kind kind,
			      const char *schema, const char *table,
			      const char *name, const struct pgd_src *dropped);
/* The newest tombstone for that object, or NULL. */
const struct pgd_tombstone *pgd_schema_find_tombstone(const struct pgd_schema *m,
						      enum pgd_kind kind,
						      const char *schema,
						      const char *table,
						      const char *name);
void pgd_schema_add_unmodeled(struct pgd_schema *m, const struct pgd_src *src,
			      const char *what, const char *reason);

/*
 * Sorts every array into canonical order (schemas, then names in byte
 * order; columns by position). Call before dumping or diffing.
 */
void pgd_schema_sort(struct pgd_schema *m);

/* Whether the schema is managed by the platform (auth, storage, ...). */
bool pgd_schema_is_platform(const char *schema);

/*
 * The owner and ACL of an object that has them: a table, view, sequence,
 * function, type or schema. Sets *owner and *acl to o's own fields (they
 * point into o) and *acltype to its PGD_ACL_* kind; false, touching
 * nothing, for the other kinds.
 */
bool pgd_object_access(struct pgd_object *o, const char ***owner,
		       struct pgd_acl **acl, char *acltype);

enum {
	PGD_DUMP_SOURCES = 1 << 0, /* append "  -- file:line" to each line */
	PGD_DUMP_PRIVILEGES = 1 << 1, /* owner, grant and default_privileges
					 lines (pgdrift expected/snapshot) */
};

/*
 * Appends the canonical text dump: one object per line, sorted, in the
 * schemas for which filter returns true (NULL: all). This is the form the
 * round-trip oracle compares byte for byte.
 */
void pgd_schema_dump(struct pgd_schema *m, struct pgd_strbuf *out,
		     unsigned flags,
		     bool (*filter)(const char *schema, void *arg), void *arg);

#endif

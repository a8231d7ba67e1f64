/*
 * ev.h - internal to eval: values, the interpreter's state, and the
 * expression and query evaluators shared by its files.
 *
 * Every value of one top-level evaluation lives in that evaluation's arena
 * (struct pgd_eval.arena), released at once when it ends; values are
 * passed by copy (struct ev_val is small) and never freed one by one.
 */
#ifndef PGDRIFT_EVAL_EV_H
#define PGDRIFT_EVAL_EV_H

#include <stdbool.h>
#include <stdint.h>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "pgdrift/arena.h"
#include "pgdrift/eval.h"
#include "pgdrift/map.h"
#include "pgdrift/platform.h"
#include "pgdrift/strbuf.h"

enum ev_kind {
	EV_NULL,
	EV_BOOL,
	EV_INT,
	EV_TEXT,  /* text, name, varchar, unknown literals (type says) */
	EV_REG,   /* regclass & co: an object identity (type says which) */
	EV_ARRAY,
	EV_REC    /* a record: names[] and v[] */
};

struct ev_val {
	enum ev_kind k;
	const char *type; /* "text", "name", "regclass", "int4", ... or NULL */
	bool b;
	int64_t i;        /* EV_INT; EV_REG: the object's oid */
	const char *s;    /* EV_TEXT; EV_REG: the object's name */
	const char *schema; /* EV_REG: its schema (NULL: built in) */
	const char *extra;  /* EV_REG regprocedure: "(integer, text)" */
	struct ev_val *v;   /* EV_ARRAY elements, EV_REC fields */
	const char **names; /* EV_REC field names */
	size_t n;
};

/* Why evaluation stops. */
enum ev_stop {
	EV_OK = 0,
	EV_ERROR,       /* a SQL error: catchable by a handler */
	EV_UNSUPPORTED, /* a construct or a bound: never catchable */
	EV_EXIT,        /* EXIT [label] */
	EV_CONTINUE,    /* CONTINUE [label] */
	EV_RETURN
};

struct ev_func;

/* ---- the PL/pgSQL tree as JSON (json.c), in an arena */
enum ev_jt { EVJ_NULL, EVJ_BOOL, EVJ_INT, EVJ_REAL, EVJ_STR, EVJ_ARR, EVJ_OBJ };

struct ev_json {
	enum ev_jt t;
	bool b;             /* EVJ_BOOL */
	long long i;        /* EVJ_INT */
	const char *s;      /* EVJ_STR, NUL-terminated */
	size_t n;           /* EVJ_STR: bytes; EVJ_ARR, EVJ_OBJ: members */
	struct ev_json **v; /* EVJ_ARR items, EVJ_OBJ values */
	const char **k;     /* EVJ_OBJ keys, in document order */
	long aux;           /* the interpreter's memo (a parsed tree's index); -1 */
};

/* Reads JSON text into arena a: the root, or NULL with *err (static). */
struct ev_json *ev_json_parse(struct pgd_arena *a, const char *text, const char **err);
/* Member key of object o, element i of array a, a's length (0 for a
 * non-array): NULL when absent. Borrowed from the arena. */
struct ev_json *ev_json_get(const struct ev_json *o, const char *key);
struct ev_json *ev_json_at(const struct ev_json *a, size_t i);
size_t ev_json_size(const struct ev_json *a);

/* One activation of a PL/pgSQL or SQL function (or a DO block). */
struct ev_frame {
	struct ev_func *fn;
	struct ev_json *datums;       /* PL/pgSQL datums (NULL for SQL functions) */
	struct ev_val *vals;  /* one per datum; for SQL functions, per param */
	size_t nvals;
	const char **pnames;  /* SQL functions: parameter names */
	bool *hidden;         /* datums of blocks that have ended */
	unsigned prev_start;  /* exec_list: line of the previous sibling */
	struct ev_val *args;  /* $1.. by position */
	size_t nargs;
	bool dynamic;         /* DDL it runs is attributed to the top-level line */
	unsigned body_line;   /* file line of the body's first line */
	unsigned cur;         /* lineno (in the body) being run */
	struct ev_val ret;
	int64_t row_count;    /* GET DIAGNOSTICS ROW_COUNT */
	bool found;
	struct ev_frame *caller;
	/* the caught error inside a handler (GET STACKED, SQLSTATE, SQLERRM) */
	const char *err_state, *err_msg;
};

/* A relation in a query: a catalog view's rows or a sub-select's. */
struct ev_rel {
	const char *alias;
	const char **cols;
	size_t ncols;
	struct ev_val **rows; /* nrows rows of ncols values */
	size_t nrows;
};

/* The rows being looked at by a query, innermost first. */
struct ev_scope {
	struct ev_rel **rels;
	struct ev_val **cur; /* the current row of each rel (NULL: none) */
	size_t nrels;
	/* output columns (ORDER BY may name a target alias) */
	const char **tnames;
	struct ev_val *tvals;
	size_t ntargets;
	const struct ev_scope *outer;
	/* aggregates: the group's rows when evaluating a grouped target */
	struct ev_val ***group; /* ngroup combinations of rel rows */
	size_t ngroup;
	bool grouped;           /* group holds the group (maybe empty) */
};

/* What an expression may refer to. */
struct ev_ctx {
	struct pgd_eval *ev;
	struct ev_frame *fr;          /* variables, or NULL */
	const struct ev_val *params;  /* $1.. (EXECUTE USING), or NULL */
	size_t nparams;
	const struct ev_scope *scope; /* query rows, or NULL */
};

/* A PL/pgSQL datum as read from libpg_query's JSON. */
struct ev_datum {
	const char *name;   /* refname (borrowed from the JSON) */
	unsigned lineno;    /* 0: a parameter or FOUND */
	char kind;          /* 'v' variable, 'w' row, 'r' record */
	const char *type;   /* declared type, lower case, trimmed; "" unknown */
	struct ev_json *defexpr;    /* default, or NULL */
	bool isconst;
	struct ev_json *fields;     /* rows: [{name, varno}] */
};

struct ev_func {
	char *schema, *name, *args;
	char *lang;          /* "plpgsql", "sql" */
	char *body;
	unsigned body_line;
	bool is_proc;
	bool returns_set;
	char *rettype;       /* canonical-ish, lower case; "void" ... */
	size_t nparams;
	char **pnames;       /* NULL entries for unnamed */
	char **ptypes;
	char *pmodes;        /* 'i', 'o', 'b' (inout), 'v' (variadic) */
	PgQuery__Node **pdefaults; /* in tree, or NULL */
	PgQuery__ParseResult *tree; /* owns pdefaults */
	struct ev_json *plpgsql;     /* parsed lazily: the PLpgSQL_function object */
	char *create_sql;            /* the CREATE FUNCTION it is read from (malloc'd) */
	bool pending;                /* defined, not read yet (materialize) */
	struct pgd_arena *plarena; /* owns plpgsql */
	struct pgd_eval_prepared *ahead; /* a DO block's SQL parsed ahead, or NULL */
	struct ev_datum *d;  /* its datums, read once */
	size_t nd;
	/* parsed expressions of plpgsql: the index is kept in the JSON
	 * expression object (aux) */
	PgQuery__ParseResult **trees;
	size_t ntrees, atrees;
	bool parse_failed;
	bool superseded;     /* replaced by a later definition */
};

struct pgd_eval {
	struct pgd_eval_host host;
	struct pgd_eval_limits lim;
	struct pgd_arena *arena;  /* this evaluation's values */
	unsigned long steps, loops;
	unsigned depth;
	/* the stop reason when a function returned EV_ERROR/EV_UNSUPPORTED */
	char sqlstate[6];
	char *msg;                /* malloc'd */
	bool err_partial;         /* the error left changes (pgd_eval_error) */
	const char *construct;
	unsigned line;            /* file line of the error */
	unsigned stmt_line;       /* provenance line of the top-level statement */
	unsigned executed;        /* statements run through the host */
	unsigned changes;         /* successful host statements (savepoints) */
	/* functions by "schema\x1fname": a vector of definitions */
	struct ev_func **funcs;
	size_t nfuncs, afuncs;
	struct pgd_map *funcs_by_name; /* key -> 1 (any definition) */
	/* schema, name, args -> the definition in force (keys in keys) */
	struct pgd_map *funcs_by_identity;
	/* synthetic oids for catalog rows: "kind:schema.name" -> oid */
	struct pgd_map *oids;
	int64_t next_oid;
	struct pgd_arena *keys;   /* the maps' keys, for the interpreter's life */
};

/* ---- stopping */
enum ev_stop ev_error(struct ev_ctx *c, const char *sqlstate, const char *fmt, ...)
	PGD_PRINTF(3, 4);
enum ev_stop ev_unsupported(struct ev_ctx *c, const char *construct,
			    const char *fmt, ...) PGD_PRINTF(3, 4);
/* Counts a step; EV_UNSUPPORTED past the bound. */
enum ev_stop ev_step(struct ev_ctx *c);

/* ---- values (arena memory) */
void *ev_alloc(struct pgd_eval *ev, size_t n);
const char *ev_strdup(struct pgd_eval *ev, const char *s);
struct ev_val ev_null(void);
struct ev_val ev_text(struct pgd_eval *ev, const char *s);
struct ev_val ev_int(int64_t i);
struct ev_val ev_bool(bool b);
/* The text form of v as PostgreSQL prints it (arena); NULL for NULL. */
const char *ev_to_text(struct ev_ctx *c, const struct ev_val *v);
/* v as a boolean: -1 NULL, 0, 1; or -2 after an error was set. */
int ev_truth(struct ev_ctx *c, const struct ev_val *v);
/* Casts v to type name tn (lower case, "regclass", "int4", ...). */
enum ev_stop ev_cast(struct ev_ctx *c, struct ev_val *v, const char *tn);
/* Compares two non-null values: <0, 0, >0, or INT_MIN on error. */
int ev_compare(struct ev_ctx *c, const struct ev_val *a, const struct ev_val *b);
/* Synthetic oid of an object key ("r:schema.name"). */
int64_t ev_oid(struct pgd_eval *ev, const char *kind, const char *schema,
	       const char *name);

/* ---- expressions */
enum ev_stop ev_expr(struct ev_ctx *c, const PgQuery__Node *n, struct ev_val *out);

/* ---- queries (query.c) */
/* Runs a SELECT: its rows as records into *rows (arena). */
enum ev_stop ev_select(struct ev_ctx *c, const PgQuery__SelectStmt *s,
		       struct ev_val **rows, size_t *nrows);
/* Whether a SELECT reads any relation (not a bare SELECT of expressions). */
bool ev_select_has_from(const PgQuery__SelectStmt *s);

/* ---- functions (plpgsql.c) */
/* The migration-defined function schema.name (schema NULL: by
 * search_path) taking nargs arguments (named as argnames, NULL for
 * positional), or NULL. */
struct ev_func *ev_find_func(struct ev_ctx *c, const char *schema,
			     const char *name, size_t nargs,
			     const char *const *argnames);
/* Calls fn with args (argnames[i] NULL: positional). */
enum ev_stop ev_call(struct ev_ctx *c, struct ev_func *fn,
		     const struct ev_val *args, const char *const *argnames,
		     size_t nargs, struct ev_val *out);
/* Runs SQL text (one or more statements) as EXECUTE or static SQL would:
 * SELECTs are evaluated into rows, DDL goes to the host. */
enum ev_stop ev_run_sql(struct ev_ctx *c, const char *sql, bool dynamic,
			const struct ev_val *params, size_t nparams,
			struct ev_val **rows, size_t *nrows);
/* A variable, parameter ($n) or record field of the frame c->fr: *found
 * says whether the name is one. */
enum ev_stop ev_frame_var(struct ev_ctx *c, const char *const *fields, size_t n,
			  struct ev_val *out, bool *found);
/* The search_path of the host. */
const char *const *ev_search_path(struct pgd_eval *ev, size_t *n);


/* The string value of a String node or NULL. */
const char *ev_str(const PgQuery__Node *n);

#endif

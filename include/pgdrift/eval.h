/*
 * eval.h - a bounded interpreter for DO blocks and migration-defined
 * PL/pgSQL and SQL-language functions, run over the replay's model.
 *
 * The loader creates one struct pgd_eval per replay and hands it a host:
 * the model to answer catalog queries from, the current search_path and
 * settings, and a callback that runs one SQL statement (the DDL a block
 * runs, statically or through EXECUTE) through the replay. The interpreter
 * never reaches the loader otherwise, so the module graph stays one-way.
 *
 * Every evaluation is bounded (statements executed, loop iterations,
 * call depth, memory); past a bound, or at a construct it does not know,
 * the evaluation stops with PGD_EVAL_UNMODELED naming the construct and
 * its line. Nothing here aborts the process.
 */
#ifndef PGDRIFT_EVAL_H
#define PGDRIFT_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "pgdrift/schema.h"

/* An error of a statement the host ran, as PostgreSQL would raise it. */
struct pgd_eval_error {
	char sqlstate[6]; /* e.g. "42P07"; "" for an unknown condition */
	char *message;    /* malloc'd; the interpreter frees it */
	/* the failed statement left part of its changes in the model (the
	 * replay cannot undo them): a handler that catches it makes the
	 * evaluation unmodeled, as a rollback would be needed */
	bool partial;
};

struct pgd_eval_host {
	void *arg; /* passed back to every callback */
	/* the model as it stands; read-only for the interpreter */
	const struct pgd_schema *model;
	/*
	 * Runs one SQL statement (not a SELECT, DO or CALL: those the
	 * interpreter evaluates itself) through the replay. line is the file
	 * line the objects it makes are attributed to; dynamic is true for
	 * SQL run by EXECUTE. Returns 0, -1 with err filled when the
	 * statement fails as PostgreSQL's would (a handler may catch it), or
	 * -2 with err->message when the replay cannot model the statement
	 * (the evaluation stops as unmodeled).
	 */
	int (*exec)(void *arg, const char *sql, unsigned line, bool dynamic,
		    struct pgd_eval_error *err);
	/* The current search_path (borrowed, valid until the next exec). */
	const char *const *(*search_path)(void *arg, size_t *n);
	/* A setting's current value, or NULL when the replay does not track
	 * it (the evaluation stops as unmodeled then). Borrowed. */
	const char *(*get_setting)(void *arg, const char *name);
	/* set_config(name, value, is_local). May be NULL. */
	void (*set_setting)(void *arg, const char *name, const char *value);
	const char *role; /* current_user; NULL: "postgres" */
	/* Whether table t of the model certainly holds no rows now: the
	 * migrations created it and none of their statements may have
	 * written it (a shadow database's view of it). A query over a table
	 * of the model reads it as empty then, and is unmodeled otherwise.
	 * May be NULL: never. */
	bool (*rows_empty)(void *arg, const struct pgd_table *t);
	/* A data statement (INSERT, UPDATE, DELETE, COPY, ...; text sql of
	 * len bytes) the evaluation ran: rows are not modeled, but what it
	 * may have written is no longer known to be empty. May be NULL. */
	void (*wrote)(void *arg, const char *sql, size_t len);
};

/* Bounds of one top-level evaluation (a DO block or a top-level call). */
struct pgd_eval_limits {
	unsigned long steps;  /* statements and expression nodes evaluated */
	unsigned long loops;  /* iterations of all loops together */
	unsigned depth;       /* nested function calls, DO and sub-blocks */
	size_t memory;        /* bytes of values held at once */
};

#define PGD_EVAL_LIMITS_INIT { 2000000UL, 200000UL, 48, 64u << 20 }

enum pgd_eval_status {
	PGD_EVAL_DONE,      /* ran to the end (or to RETURN) */
	PGD_EVAL_FAILED,    /* an error escaped, as it would in PostgreSQL */
	PGD_EVAL_UNMODELED, /* a construct or a bound the interpreter stops at */
	PGD_EVAL_NOT_MINE,  /* a top-level SELECT that calls no migration
			       function (data or unknown functions) */
};

struct pgd_eval_result {
	enum pgd_eval_status status;
	char *message;      /* malloc'd; NULL for DONE */
	char sqlstate[6];   /* FAILED: the condition's SQLSTATE */
	unsigned line;      /* file line of the failing construct, 0: unknown */
	const char *construct; /* UNMODELED: the construct (static string) */
	unsigned executed;  /* statements run through the host */
};

/* A new interpreter over host (copied). Free with pgd_eval_free(). */
struct pgd_eval *pgd_eval_new(const struct pgd_eval_host *host);
void pgd_eval_free(struct pgd_eval *ev);

/* Replaces the bounds (tests, the fuzzer). */
void pgd_eval_set_limits(struct pgd_eval *ev, const struct pgd_eval_limits *l);

/*
 * Remembers a CREATE [OR REPLACE] FUNCTION or PROCEDURE the replay has
 * accepted: create_sql is the whole statement (copied), line the file
 * line it starts on. schema and args are as the model keys the function.
 * A later definition with the same identity replaces it. Calls check the
 * model, so a dropped function is not called.
 */
void pgd_eval_define(struct pgd_eval *ev, const char *schema, const char *name,
		     const char *args, const char *create_sql, unsigned line);

/* Whether any function or procedure was defined (a top-level SELECT
 * before the first one needs no parse). */
bool pgd_eval_any(const struct pgd_eval *ev);

/* Whether schema.name is a function or procedure the migrations defined
 * (any arguments). */
bool pgd_eval_knows(const struct pgd_eval *ev, const char *schema,
		    const char *name);

/*
 * Runs a DO block: body is its text (PL/pgSQL; language another one is
 * UNMODELED), body_line the file line its first line is on, stmt_line the
 * line of the DO statement (the provenance of objects made by EXECUTE).
 * Fills *res (release with pgd_eval_result_release) and returns its
 * status.
 */
enum pgd_eval_status pgd_eval_do(struct pgd_eval *ev, const char *body,
				 const char *language, unsigned body_line,
				 unsigned stmt_line, struct pgd_eval_result *res);

/*
 * A DO block's PL/pgSQL read ahead of its run. pgd_eval_prepare_do()
 * parses body (libpg_query's PL/pgSQL parser, as pgd_eval_do would) and
 * touches no evaluator: any thread may call it, while another runs the
 * evaluator (libpg_query keeps its state per thread). It never fails: a
 * body that does not parse is reported when the block runs. The caller
 * owns the result: it frees it with pgd_eval_prepared_free() or hands it
 * to pgd_eval_do_take_prepared(), which takes it (and reads the body itself
 * when prep was read from another body, or is NULL).
 */
struct pgd_eval_prepared;
struct pgd_eval_prepared *pgd_eval_prepare_do(const char *body);
void pgd_eval_prepared_free(struct pgd_eval_prepared *prep);
enum pgd_eval_status pgd_eval_do_take_prepared(struct pgd_eval *ev, const char *body,
					       const char *language, unsigned body_line,
					       unsigned stmt_line,
					       struct pgd_eval_prepared *prep,
					       struct pgd_eval_result *res);

/*
 * Evaluates a top-level SELECT or CALL (its text) on line: calls of
 * migration-defined functions and procedures run, with named and default
 * arguments. A SELECT calling none is PGD_EVAL_NOT_MINE.
 */
enum pgd_eval_status pgd_eval_toplevel(struct pgd_eval *ev, const char *sql,
				       unsigned line,
				       struct pgd_eval_result *res);

void pgd_eval_result_release(struct pgd_eval_result *res);

/*
 * The SQLSTATE of a PL/pgSQL condition name ("duplicate_table" ->
 * "42P07"), or NULL when the name is not one the interpreter knows.
 * A static string.
 */
const char *pgd_eval_sqlstate(const char *condname);

#endif

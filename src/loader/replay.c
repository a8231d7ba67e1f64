/*
 * replay.c - read each migration file, split it into statements with the
 * libpg_query scanner, parse the statements that can change the schema and
 * dispatch them to the DDL handlers. Statements that only move data
 * (INSERT, UPDATE, DELETE, COPY, ...) are recognised by their first keyword
 * and never parsed: real migrations carry megabytes of seed data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replay.h"
#include "pgdrift/arena.h"
#include "pgdrift/eval.h"
#include "pgdrift/srcfile.h"
#include "../normalize/pb.h"
#include "split.h"

/* ---- statement classification without parsing */

enum stmt_class { ST_PARSE, ST_DATA, ST_TXN, ST_SELECT, ST_DO, ST_EMPTY };

static enum stmt_class classify(const char *p, const char *end)
{
	static const char *const data[] = {
		"insert", "update", "delete", "copy", "values", "truncate",
		"analyze", "analyse", "vacuum", "notify", "lock", "merge",
		"with", "cluster", "refresh", "checkpoint", "listen", "discard",
	};
	static const char *const txn[] = {
		"begin", "commit", "rollback", "start", "end", "savepoint",
		"release", "abort",
	};
	if (p >= end || *p == ';')
		return ST_EMPTY;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(data); i++)
		if (pgd_stmt_kw(p, end, data[i]))
			return ST_DATA;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(txn); i++)
		if (pgd_stmt_kw(p, end, txn[i]))
			return ST_TXN;
	if (pgd_stmt_kw(p, end, "select"))
		return ST_SELECT;
	if (pgd_stmt_kw(p, end, "do"))
		return ST_DO;
	return ST_PARSE;
}

/* Whether p[0..n) contains needle (lower case, ASCII) in any case. Runs
 * over every statement's text: the first byte is tested inline. */
static bool contains_ci(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	char lo = needle[0], up = (char)(lo >= 'a' && lo <= 'z' ? lo - 'a' + 'A' : lo);
	for (size_t i = 0; i + k <= n; i++)
		if ((p[i] == lo || p[i] == up) &&
		    strncasecmp(p + i + 1, needle + 1, k - 1) == 0)
			return true;
	return false;
}

/* ---- DO blocks, top-level calls: the interpreter (src/eval) */

static void dispatch(struct replay *r, PgQuery__Node *n);

/* The SQLSTATE PostgreSQL raises for one of the replay's messages, so a
 * handler catches exactly what it would catch there. */
static const char *sqlstate_of(const char *msg)
{
	static const struct { const char *kind, *exists, *missing; } kinds[] = {
		{ "relation", "42P07", "42P01" }, { "table", "42P07", "42P01" },
		{ "view", "42P07", "42P01" }, { "index", "42P07", "42P01" },
		{ "sequence", "42P07", "42P01" }, { "column", "42701", "42703" },
		{ "schema", "42P06", "3F000" }, { "function", "42723", "42883" },
	};
	bool exists = strstr(msg, "already exists") != NULL;
	bool missing = strstr(msg, "does not exist") != NULL;
	if (exists || missing) {
		for (size_t i = 0; i < PGD_ARRAY_SIZE(kinds); i++) {
			size_t k = strlen(kinds[i].kind);
			if (!strncmp(msg, kinds[i].kind, k) && msg[k] == ' ')
				return exists ? kinds[i].exists : kinds[i].missing;
		}
		/* type, constraint, policy, trigger, extension, enum label */
		return exists ? "42710" : "42704";
	}
	if (strstr(msg, "multiple primary keys"))
		return "42P16";
	if (!strncmp(msg, "cannot drop", 11))
		return "2BP01";
	if (strstr(msg, " is not "))
		return "42809";
	return "XX000";
}

/* The interpreter's host: runs one statement through the dispatcher with
 * errors captured, not reported. */
static int host_exec(void *arg, const char *sql, unsigned line, bool dynamic,
		     struct pgd_eval_error *err)
{
	struct replay *r = arg;
	PgQueryProtobufParseResult pr;
	PgQuery__ParseResult *tree = pgd_pb_parse(sql, &pr);
	if (pr.error) {
		memcpy(err->sqlstate, "42601", 6);
		err->message = pgd_xstrdup(pr.error->message);
		pg_query_free_protobuf_parse_result(pr);
		return -1;
	}
	pg_query_free_protobuf_parse_result(pr);
	if (!tree)
		PGD_BUG("cannot unpack a parse tree from libpg_query");
	struct pgd_src saved = r->src;
	bool saved_tolerant = r->tolerant;
	r->src.line = line;
	r->src.dynamic = dynamic || saved.dynamic;
	r->src.stmt = pgd_schema_strdup(r->m, sql);
	r->tolerant = true;
	r->failed = false;
	pgd_strbuf_reset(&r->tolerant_msg);
	/* a statement that fails may have changed the model before it did
	 * (ALTER TABLE a, b: a is added, b fails); the model's arena grows
	 * with every change, so a failure after growth is a partial one */
	size_t arena_before = pgd_arena_used(r->m->arena);
	for (size_t i = 0; i < tree->n_stmts && !r->failed; i++)
		if (tree->stmts[i]->stmt)
			dispatch(r, tree->stmts[i]->stmt);
	/* a statement the replay records as unmodeled (PGD901, with the
	 * block's line) does not stop the block: PostgreSQL's goes on */
	int rc = 0;
	if (r->failed) {
		const char *msg = r->tolerant_msg.len ? r->tolerant_msg.buf : "error";
		memcpy(err->sqlstate, sqlstate_of(msg), 6);
		err->message = pgd_xstrdup(msg);
		err->partial = pgd_arena_used(r->m->arena) != arena_before;
		rc = -1;
	}
	r->failed = false;
	r->tolerant = saved_tolerant;
	r->src = saved;
	pgd_pb_free(&tree->base);
	return rc;
}

static const char *const *host_search_path(void *arg, size_t *n)
{
	struct replay *r = arg;
	*n = r->nsearch_path;
	return (const char *const *)r->search_path;
}

static const char *host_get_setting(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return NULL; /* only search_path is tracked (the interpreter reads it) */
}

static bool host_rows_empty(void *arg, const struct pgd_table *t)
{
	return rp_rows_empty(arg, t);
}

static void host_wrote(void *arg, const char *sql, size_t len)
{
	rp_rows_written_by(arg, sql, len, false);
}

static void host_set_setting(void *arg, const char *name, const char *value)
{
	struct replay *r = arg;
	if (!strcmp(name, "search_path"))
		rp_apply_search_path(r, value);
}

void rp_eval_init(struct replay *r)
{
	struct pgd_eval_host h = { r, r->m, host_exec, host_search_path,
				   host_get_setting, host_set_setting,
				   r->opts->role, host_rows_empty, host_wrote };
	r->ev = pgd_eval_new(&h);
}

/* Reports what an evaluation ended with. */
static void eval_outcome(struct replay *r, const char *what,
			 struct pgd_eval_result *res)
{
	switch (res->status) {
	case PGD_EVAL_DONE:
	case PGD_EVAL_NOT_MINE:
		break;
	case PGD_EVAL_FAILED: {
		/* PostgreSQL stops the migration here: the error escaped */
		int loc = -1;
		if (res->line && res->line <= r->sf->nlines) {
			size_t off = r->sf->line_starts[res->line - 1];
			if (off >= r->stmt_off && off < r->stmt_off + r->stmt_len)
				loc = (int)(off - r->stmt_off);
		}
		rp_error(r, loc, "%s: %s (SQLSTATE %s)", what, res->message,
			 res->sqlstate);
		break;
	}
	case PGD_EVAL_UNMODELED: {
		char *why = pgd_xasprintf("%s at line %u: %s", res->construct,
					  res->line, res->message);
		rp_unmodeled(r, what, why);
		free(why);
		break;
	}
	}
	pgd_eval_result_release(res);
}

/*
 * A DO block: the interpreter runs it over the model as it stands, and
 * the DDL it runs (statically or through EXECUTE) comes back through
 * host_exec. Past the interpreter's bounds or at a construct it does not
 * evaluate, the block is unmodeled (PGD901 naming the construct and line).
 */
static void rp_do_run(struct replay *r, const char *body, const char *lang,
		      struct pgd_eval_prepared *prep)
{
	if (r->in_eval) {
		pgd_eval_prepared_free(prep);
		rp_unmodeled(r, "DO block", "a DO block run by the replay inside an "
			     "evaluation is not evaluated");
		return;
	}
	/* the body's first line, to place the statements inside it */
	unsigned body_line = r->src.line;
	const char *text = r->sf->text + r->stmt_off;
	const char *at = body ? strstr(text, body) : NULL;
	if (at && (size_t)(at - text) < r->stmt_len)
		body_line = pgd_srcfile_line_of(r->sf, (size_t)(at - r->sf->text));
	struct pgd_eval_result res;
	r->in_eval = true;
	pgd_eval_do_take_prepared(r->ev, body, lang, body_line, r->src.line, prep, &res);
	r->in_eval = false;
	eval_outcome(r, "DO block", &res);
}

static void rp_do(struct replay *r, PgQuery__DoStmt *s)
{
	const char *body, *lang;
	rp_do_args(s, &body, &lang);
	rp_do_run(r, body, lang, NULL);
}

/* A top-level SELECT or CALL: calls of migration-defined functions run. */
static void rp_call(struct replay *r, const char *what)
{
	if (r->in_eval || !r->src.stmt) {
		rp_unmodeled(r, what, "function calls in a SELECT are not replayed");
		return;
	}
	struct pgd_eval_result res;
	r->in_eval = true;
	pgd_eval_toplevel(r->ev, r->src.stmt, r->src.line, &res);
	r->in_eval = false;
	if (res.status == PGD_EVAL_NOT_MINE)
		rp_unmodeled(r, what, "function calls in a SELECT are not replayed");
	eval_outcome(r, what, &res);
}

/* ---- one statement */

/*
 * Newer syntax the PostgreSQL 15 grammar takes with another meaning: since
 * 16, an unquoted system_user is the SQL function SYSTEM_USER (the 15
 * grammar reads a column reference), and JSON_ARRAY(...), JSON_ARRAYAGG,
 * JSON_OBJECTAGG, and 17's JSON_SCALAR, JSON_SERIALIZE, JSON_EXISTS,
 * JSON_QUERY, JSON_VALUE are SQL/JSON constructors and functions (the 15
 * grammar reads a call of an ordinary function of that name, which 15
 * does not have). Returns the node's location in sql and sets *what to
 * the keyword, or -1. (Syntax the 15 grammar rejects is a syntax error,
 * with newer_syntax_hint.)
 */
static const char *const newer_json_functions[][2] = {
	{ "json_array", "16" },     { "json_arrayagg", "16" },
	{ "json_objectagg", "16" }, { "json_scalar", "17" },
	{ "json_serialize", "17" }, { "json_exists", "17" },
	{ "json_query", "17" },     { "json_value", "17" },
};

struct newer_kw {
	const char *what;    /* the keyword, lower case */
	const char *version; /* the first PostgreSQL that reads it so */
	bool column;         /* read as a column (else as a function call) */
};

struct newer_scan {
	const char *sql;
	size_t len;
	int at; /* the first match's location, or -1 */
	struct newer_kw kw;
};

static bool unquoted_at(const struct newer_scan *ns, int32_t loc)
{
	return loc >= 0 && (size_t)loc < ns->len && ns->sql[loc] != '"';
}

static void newer_node(PgQuery__Node *n, void *arg)
{
	struct newer_scan *ns = arg;
	if (ns->at >= 0)
		return;
	if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
		const PgQuery__ColumnRef *cr = n->column_ref;
		if (cr->n_fields == 1 && cr->fields[0]->node_case ==
		    PG_QUERY__NODE__NODE_STRING && cr->fields[0]->string->sval &&
		    !strcmp(cr->fields[0]->string->sval, "system_user") &&
		    unquoted_at(ns, cr->location)) {
			ns->kw = (struct newer_kw){ "system_user", "16", true };
			ns->at = cr->location;
		}
	} else if (n->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
		const PgQuery__FuncCall *fc = n->func_call;
		const char *name = fc->n_funcname == 1 &&
			fc->funcname[0]->node_case == PG_QUERY__NODE__NODE_STRING
			? fc->funcname[0]->string->sval : NULL;
		for (size_t i = 0; name && i < PGD_ARRAY_SIZE(newer_json_functions); i++)
			if (!strcmp(name, newer_json_functions[i][0]) &&
			    unquoted_at(ns, fc->location)) {
				ns->kw = (struct newer_kw){ newer_json_functions[i][0],
							    newer_json_functions[i][1], false };
				ns->at = fc->location;
				return;
			}
	}
}

/* The first newer keyword in the tree (pre-order), or -1. */
static int newer_keyword_at(PgQuery__ParseResult *tree, const char *sql, size_t len,
			    struct newer_kw *kw)
{
	struct newer_scan ns = { sql, len, -1, { NULL, NULL, false } };
	pgd_pgq_visit(&tree->base, newer_node, &ns);
	*kw = ns.kw;
	return ns.at;
}

/* The HINT of a syntax error: which grammar read the statement. */
static void newer_syntax_hint(struct pgd_diag *d, const char *msg)
{
	if (strncmp(msg, "syntax error", 12) != 0)
		return;
	d->hint = pgd_xasprintf("this pgdrift build parses with %s; the statement "
				"may use newer syntax (PostgreSQL 16, 17 or 18), "
				"which it cannot read", pgd_normalize_grammar_name());
}

/* A parser message on one line: a newline inside the quoted token shows
 * as \n, so a diagnostic is always one line. */
static char *one_line(const char *msg)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	for (const char *p = msg; *p; p++) {
		if (*p == '\n')
			pgd_strbuf_addstr(&sb, "\\n");
		else if (*p == '\r')
			pgd_strbuf_addstr(&sb, "\\r");
		else
			pgd_strbuf_addch(&sb, *p);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

/* Byte offset of 1-based character position cursorpos in s (the
 * parser's error cursor). */
static size_t char_to_byte(const char *s, int cursorpos)
{
	return pgd_utf8_offset(s, (long long)cursorpos - 1);
}

static void dispatch_one(struct replay *r, PgQuery__Node *n)
{
	r->ddl_seq++; /* the model may change: rows.c's cache is stale */
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT: {
		/* a child's rows are its parents' rows too */
		const PgQuery__CreateStmt *cs = n->create_stmt;
		for (size_t i = 0; !cs->partbound && i < cs->n_inh_relations; i++)
			if (cs->inh_relations[i]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
				rp_rows_mark(r, cs->inh_relations[i]->range_var->relname);
		rp_create_table(r, n->create_stmt);
		break;
	}
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		rp_alter_table(r, n->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		rp_create_index(r, n->index_stmt);
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		if (n->rename_stmt->relation && n->rename_stmt->rename_type ==
		    PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
			rp_rows_renamed(r, n->rename_stmt->relation->relname,
					n->rename_stmt->newname);
		rp_rename(r, n->rename_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		rp_drop(r, n->drop_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
		rp_create_policy(r, n->create_policy_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT:
		rp_alter_policy(r, n->alter_policy_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
		rp_create_schema_stmt(r, n->create_schema_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
		rp_create_enum(r, n->create_enum_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
		rp_alter_enum(r, n->alter_enum_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
		rp_create_domain(r, n->create_domain_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT:
		rp_create_extension(r, n->create_extension_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
		rp_create_seq(r, n->create_seq_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
		rp_alter_seq(r, n->alter_seq_stmt);
		break;
	case PG_QUERY__NODE__NODE_GRANT_STMT:
		rp_grant(r, n->grant_stmt);
		break;
	case PG_QUERY__NODE__NODE_VIEW_STMT:
		rp_create_view(r, n->view_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		/* the new table holds the query's rows */
		if (r->src.stmt)
			rp_rows_written_by(r, r->src.stmt, strlen(r->src.stmt), false);
		rp_create_table_as(r, n->create_table_as_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
		rp_create_function(r, n->create_function_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
		rp_create_trigger(r, n->create_trig_stmt);
		break;
	case PG_QUERY__NODE__NODE_COMMENT_STMT:
		rp_comment(r, n->comment_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT:
		rp_alter_owner(r, n->alter_owner_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT:
		rp_alter_object_schema(r, n->alter_object_schema_stmt);
		break;
	case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
		rp_variable_set(r, n->variable_set_stmt);
		break;
	case PG_QUERY__NODE__NODE_SELECT_STMT:
		if (n->select_stmt->into_clause)
			rp_unmodeled(r, "SELECT INTO", "SELECT INTO a new table is not "
				     "replayed");
		else if (!rp_select_set_config(r, n->select_stmt))
			rp_call(r, "SELECT");
		break;
	case PG_QUERY__NODE__NODE_CALL_STMT:
		rp_call(r, "CALL");
		break;
	case PG_QUERY__NODE__NODE_DO_STMT:
		rp_do(r, n->do_stmt);
		break;
	case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
	case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
		break;
	case PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT:
		rp_alter_default_privileges(r, n->alter_default_privileges_stmt);
		break;
	case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT:
		rp_grant_role(r, n->grant_role_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_FUNCTION_STMT:
		rp_alter_function(r, n->alter_function_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_ROLE_SET_STMT: {
		PgQuery__AlterRoleSetStmt *a = n->alter_role_set_stmt;
		if (a->role && a->role->rolename &&
		    !strcmp(a->role->rolename, "authenticator") &&
		    rp_set_exposed(r, a->setstmt))
			break;
		rp_unmodeled(r, "ALTER ROLE SET", "role settings are not part of the model");
		break;
	}
	case PG_QUERY__NODE__NODE_ALTER_DATABASE_SET_STMT:
		if (rp_set_exposed(r, n->alter_database_set_stmt->setstmt))
			break;
		rp_unmodeled(r, "ALTER DATABASE SET", "database settings are not part of the model");
		break;
	case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT:
	case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT:
	case PG_QUERY__NODE__NODE_DROP_ROLE_STMT:
		rp_unmodeled(r, "role or setting",
			     "roles, functions' settings and database settings "
			     "are not part of the model");
		break;
	default: {
		const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
			&pg_query__node__descriptor, (unsigned)n->node_case);
		rp_unmodeled(r, f ? f->name : "statement",
			     "this kind of statement is not replayed");
	}
	}
}

/* One statement (also each one inside a DO block); what it created gets
 * its owner and default privileges as it would on the server, when the
 * statement is done. */
static void dispatch(struct replay *r, PgQuery__Node *n)
{
	dispatch_one(r, n);
	rp_init_fresh(r);
}

/*
 * A DO statement the prefetch thread has read (prefetch.c): replayed as
 * dispatch() would replay its tree. False when the thread has nothing for
 * it (the first DO block starts the thread): the caller parses it.
 */
static bool replay_prefetched_do(struct replay *r, const char *sql,
				 struct pgd_migration_file *mf)
{
	if (!r->prefetch) {
		/* PGDRIFT_NO_READAHEAD=1: the replay alone (the tests compare) */
		if (!r->prefetch_tried && r->set && !getenv("PGDRIFT_NO_READAHEAD"))
			r->prefetch = rp_prefetch_start(r->set, r->file_pos, r->stmt_off);
		r->prefetch_tried = true;
		return false;
	}
	struct rp_do_job *j = rp_prefetch_take(r->prefetch, r->file_pos, r->stmt_off, sql);
	if (!j || !j->body) {
		rp_do_job_free(j);
		return false;
	}
	mf->nparsed++;
	mf->nread_ahead++;
	r->src.stmt = pgd_schema_strndup(r->m, sql, strlen(sql));
	r->ddl_seq++; /* as dispatch_one */
	rp_do_run(r, j->body, "plpgsql", j->prep); /* the thread reads no other */
	j->prep = NULL;
	rp_init_fresh(r);
	rp_do_job_free(j);
	return true;
}

static void replay_statement(struct replay *r, const char *text, size_t off,
			     size_t len, struct pgd_migration_file *mf)
{
	const char *begin = text + off, *end = text + off + len;
	const char *p = pgd_stmt_start(begin, end);
	enum stmt_class k = classify(p, end);
	if (k == ST_EMPTY)
		return;
	mf->nstatements++;
	r->stmt_off = (size_t)(p - text);
	r->stmt_len = (size_t)(end - p);
	r->failed = false;
	if (k == ST_DATA)
		rp_rows_written_by(r, p, (size_t)(end - p), false);
	if (k == ST_DATA || k == ST_TXN)
		return;
	end = pgd_stmt_end(p, end);
	r->src.file = r->file;
	r->src.line = pgd_srcfile_line_of(r->sf, r->stmt_off);
	r->src.stmt = NULL;
	if (k == ST_SELECT && !contains_ci(p, (size_t)(end - p), "set_config")) {
		if (!pgd_eval_any(r->ev)) {
			/* no migration function to call yet: not worth a
			 * parse; the text stays, for findings it may explain */
			r->src.stmt = pgd_schema_strndup(r->m, p, (size_t)(end - p));
			rp_unmodeled(r, "SELECT", "function calls in a SELECT are "
				     "not replayed");
			return;
		}
		/* the interpreter parses it, once */
		r->src.stmt = pgd_schema_strndup(r->m, p, (size_t)(end - p));
		rp_call(r, "SELECT");
		return;
	}
	char *sql = pgd_xstrndup(p, (size_t)(end - p));
	if (k == ST_DO && replay_prefetched_do(r, sql, mf)) {
		free(sql);
		return;
	}
	PgQueryProtobufParseResult pr;
	PgQuery__ParseResult *tree = pgd_pb_parse(sql, &pr);
	mf->nparsed++;
	if (pr.error) {
		char *msg = one_line(pr.error->message);
		struct pgd_diag *d = pgd_diags_add(r->diags, PGD_DIAG_ERROR, r->sf,
			r->stmt_off + char_to_byte(sql, pr.error->cursorpos),
			"%s", msg);
		newer_syntax_hint(d, msg);
		free(msg);
		pg_query_free_protobuf_parse_result(pr);
		free(sql);
		return;
	}
	pg_query_free_protobuf_parse_result(pr);
	if (!tree)
		PGD_BUG("cannot unpack a parse tree from libpg_query");
	struct newer_kw kw;
	size_t sql_len = strlen(sql);
	int newer = contains_ci(sql, sql_len, "system_user") || contains_ci(sql, sql_len, "json_")
		? newer_keyword_at(tree, sql, sql_len, &kw) : -1;
	if (newer >= 0) {
		struct pgd_strbuf up = PGD_STRBUF_INIT;
		for (const char *c = kw.what; *c; c++)
			pgd_strbuf_addch(&up, (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c));
		struct pgd_diag *d = pgd_diags_add(r->diags, PGD_DIAG_ERROR, r->sf,
			r->stmt_off + (size_t)newer,
			"%s is PostgreSQL %s syntax; the PostgreSQL %s "
			"grammar reads it as %s named %s", up.buf, kw.version,
			pgd_normalize_grammar_version(),
			kw.column ? "a column" : "a call of a function", kw.what);
		d->hint = pgd_xasprintf("this pgdrift build parses with %s; write "
					"\"%s\" in double quotes where a %s is meant",
					pgd_normalize_grammar_name(), kw.what,
					kw.column ? "column" : "function of your own");
		pgd_strbuf_release(&up);
		pgd_pb_free(&tree->base);
		free(sql);
		return;
	}
	r->src.stmt = pgd_schema_strndup(r->m, sql, strlen(sql));
	for (size_t i = 0; i < tree->n_stmts; i++)
		if (tree->stmts[i]->stmt)
			dispatch(r, tree->stmts[i]->stmt);
	pgd_pb_free(&tree->base);
	free(sql);
}

static void replay_file(struct replay *r, struct pgd_migration_file *mf)
{
	const struct pgd_srcfile *sf = &mf->src;
	r->sf = sf;
	r->file = pgd_schema_strdup(r->m, sf->path);
	const char *nul = memchr(sf->text, '\0', sf->len);
	if (nul) {
		struct pgd_diag *d = pgd_diags_add(r->diags, PGD_DIAG_ERROR, sf,
			(size_t)(nul - sf->text), "NUL byte in a migration file");
		d->hint = pgd_xstrdup("PostgreSQL cannot run a file with NUL bytes; "
				      "is it binary or UTF-16?");
		return;
	}
	long bad = pgd_utf8_first_invalid(sf->text, sf->len);
	if (bad >= 0) {
		struct pgd_diag *d = pgd_diags_add(r->diags, PGD_DIAG_ERROR, sf,
			(size_t)bad, "invalid UTF-8 byte 0x%02x",
			(unsigned char)sf->text[bad]);
		d->hint = pgd_xstrdup("migrations are read as UTF-8; convert the file "
				      "(e.g. iconv -f LATIN1 -t UTF-8)");
		return;
	}
	struct pgd_split_stmt *stmts;
	size_t nstmts;
	if (pgd_split(sf->text, sf->len, &stmts, &nstmts) == 0) {
		for (size_t i = 0; i < nstmts; i++)
			replay_statement(r, sf->text, stmts[i].off, stmts[i].len, mf);
		free(stmts);
		return;
	}
	PgQuerySplitResult split = pg_query_split_with_scanner(sf->text);
	if (split.error) {
		char *msg = one_line(split.error->message);
		struct pgd_diag *d = pgd_diags_add(r->diags, PGD_DIAG_ERROR, sf,
			char_to_byte(sf->text, split.error->cursorpos),
			"%s", msg);
		newer_syntax_hint(d, msg);
		free(msg);
		pg_query_free_split_result(split);
		return;
	}
	for (int i = 0; i < split.n_stmts; i++) {
		PgQuerySplitStmt *st = split.stmts[i];
		size_t off = (size_t)st->stmt_location, len = (size_t)st->stmt_len;
		/* the scanner cuts a BEGIN ATOMIC body at its first ';' */
		while (i + 1 < split.n_stmts &&
		       pgd_split_open_block(sf->text + off, len) == 1) {
			st = split.stmts[++i];
			len = (size_t)st->stmt_location + (size_t)st->stmt_len - off;
		}
		replay_statement(r, sf->text, off, len, mf);
	}
	pg_query_free_split_result(split);
}

int pgd_migration_file_load(struct pgd_migration_file *mf,
			    struct pgd_diags *diags)
{
	if (mf->src.text)
		return 0;
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (pgd_strbuf_read_file(&sb, mf->path) < 0) {
		pgd_diags_add_path(diags, PGD_DIAG_ERROR, mf->path,
				   "cannot read migration file: %s", strerror(errno));
		pgd_strbuf_release(&sb);
		return -1;
	}
	size_t len;
	char *text = pgd_strbuf_detach(&sb, &len);
	pgd_srcfile_init_take(&mf->src, mf->path, text, len);
	return 0;
}

static int run(struct pgd_migration_set *set, const struct pgd_load_options *opts,
	       struct pgd_schema **out, struct pgd_diags *diags)
{
	struct pgd_load_options defaults = PGD_LOAD_OPTIONS_INIT;
	struct replay r = { 0 };
	size_t errors_before = diags->nerrors;
	r.m = pgd_schema_new();
	r.diags = diags;
	r.opts = opts ? opts : &defaults;
	rp_platform_start(&r);
	rp_reset_search_path(&r);
	rp_eval_init(&r);
	r.set = set;
	for (size_t i = 0; i < set->nfiles; i++) {
		struct pgd_migration_file *mf =
			&set->files[set->order ? set->order[i] : i];
		if (pgd_migration_file_load(mf, diags) < 0)
			continue;
		if (r.opts->session == PGD_SESSION_PER_FILE)
			rp_reset_search_path(&r);
		r.file_pos = i;
		replay_file(&r, mf);
	}
	rp_prefetch_stop(r.prefetch);
	rp_set_search_path(&r, NULL, 0);
	free(r.search_path);
	pgd_strbuf_release(&r.tolerant_msg);
	pgd_eval_free(r.ev);
	rp_rows_release(&r);
	if (diags->nerrors > errors_before) {
		pgd_schema_free(r.m);
		*out = NULL;
		return -1;
	}
	*out = r.m;
	return 0;
}

int pgd_migrations_replay(struct pgd_migration_set *set,
			  const struct pgd_load_options *opts,
			  struct pgd_schema **out, struct pgd_diags *diags)
{
	int rc = run(set, opts, out, diags);
	if (*out)
		(*out)->origin = pgd_schema_strdup(*out, set->dir);
	return rc;
}

int pgd_migrations_replay_text(const char *path, const char *sql,
			       const struct pgd_load_options *opts,
			       struct pgd_schema **out, struct pgd_diags *diags)
{
	struct pgd_migration_file f = { 0 };
	struct pgd_migration_set set = { 0 };
	f.path = (char *)path;
	f.name = (char *)path;
	pgd_srcfile_init_take(&f.src, path, pgd_xstrdup(sql), strlen(sql));
	set.dir = (char *)".";
	set.files = &f;
	set.nfiles = 1;
	int rc = run(&set, opts, out, diags);
	pgd_srcfile_release(&f.src);
	return rc;
}

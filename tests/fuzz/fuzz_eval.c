/*
 * fuzz_eval.c - libFuzzer harness for the interpreter (src/eval): the
 * bytes are a PL/pgSQL body, run as a DO block and as the body of a
 * migration-defined function called at top level, over a small model,
 * with a host that adds a table for every CREATE TABLE it is handed and
 * fails every statement mentioning "boom" (so handlers run). Small bounds
 * keep every input fast; any crash, leak, hang or sanitizer report is a
 * bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/eval.h"
#include "pgdrift/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int host_exec(void *arg, const char *sql, unsigned line, bool dynamic,
		     struct pgd_eval_error *err)
{
	struct pgd_schema *m = arg;
	char name[64];
	(void)line;
	(void)dynamic;
	if (strstr(sql, "boom")) {
		memcpy(err->sqlstate, "42710", 6);
		err->message = pgd_xstrdup("boom");
		return -1;
	}
	if (strstr(sql, "unmodel")) {
		err->message = pgd_xstrdup("cannot model");
		return -2;
	}
	if (sscanf(sql, "create table %63[a-z_0-9]", name) == 1 &&
	    !pgd_schema_find_table(m, "public", name) && m->ntables < 200) {
		struct pgd_table *t = pgd_schema_add_table(m, "public", name);
		pgd_table_add_column(m, t, "id")->position = 1;
	}
	return 0;
}

static const char *const *host_path(void *arg, size_t *n)
{
	static const char *const path[] = { "public", "extensions" };
	(void)arg;
	*n = 2;
	return path;
}

static const char *host_get(void *arg, const char *name)
{
	(void)arg;
	return !strcmp(name, "app.x") ? "v" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16 * 1024)
		return 0;
	char *body = pgd_xstrndup((const char *)data, size);
	struct pgd_schema *m = pgd_schema_new();
	struct pgd_table *t = pgd_schema_add_table(m, "public", "notes");
	pgd_table_add_column(m, t, "owner")->position = 1;
	pgd_table_add_policy(m, t, "notes_owner");
	pgd_schema_add_type(m, "public", "state")->typtype = 'e';
	struct pgd_eval_host h = { m, m, host_exec, host_path, host_get, NULL, NULL, NULL, NULL };
	struct pgd_eval *ev = pgd_eval_new(&h);
	struct pgd_eval_limits l = { 20000, 2000, 16, 8u << 20 };
	pgd_eval_set_limits(ev, &l);
	struct pgd_eval_result res;
	pgd_eval_do(ev, body, "plpgsql", 1, 1, &res);
	pgd_eval_result_release(&res);
	/* again, read ahead as the replay's second thread does (its SQL
	 * parsed into the prepared block's arena), after the first run */
	pgd_eval_do_take_prepared(ev, body, "plpgsql", 1, 1, pgd_eval_prepare_do(body), &res);
	pgd_eval_result_release(&res);
	/* the same text as a function body, called twice (named and default
	 * arguments, the second call after the first one's changes) */
	if (!strstr(body, "$f$")) {
		char *fn = pgd_xasprintf("create function public.f(a text default 'x', "
					 "b int default 1) returns text language plpgsql "
					 "as $f$%s$f$", body);
		pgd_schema_add_function(m, "public", "f", "text, integer");
		pgd_eval_define(ev, "public", "f", "text, integer", fn, 1);
		pgd_eval_toplevel(ev, "select f(), public.f(b => 2, a => 'y')", 2, &res);
		pgd_eval_result_release(&res);
		free(fn);
		/* and as an SQL expression */
		char *sel = pgd_xasprintf("select f(%s)", body);
		pgd_eval_toplevel(ev, sel, 3, &res);
		pgd_eval_result_release(&res);
		free(sel);
	}
	pgd_eval_free(ev);
	pgd_schema_free(m);
	free(body);
	return 0;
}

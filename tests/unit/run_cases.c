/*
 * run_cases.c - runs the parser/replay case files (fixtures/parser/NAME.cases)
 * and prints TAP, one line per case, naming the case file and line.
 *
 * Case file format (jq's tests/jq.test in spirit):
 *   # a comment
 *   === name of the case
 *   SQL, any number of lines
 *   ---
 *   the expected canonical dump lines (pgdrift expected, text format), or
 *   %%FAIL LINE:COL: MESSAGE   (the first error; LINE:COL within the SQL)
 *   An expected section may start with lines "%%UNMODELED TEXT" (the replay
 *   records a statement as unmodeled, PGD901, whose "what: reason" contains
 *   TEXT) or the line "%%NO-UNMODELED" (it records none): the oracle cannot
 *   tell a guard the interpreter evaluated from one it left alone when both
 *   leave the same schema.
 *   An expected section that starts with the line %%PRIVILEGES compares the
 *   dump with owners, grants, function attributes and default privileges
 *   (PGD_DUMP_PRIVILEGES), on both sides.
 *
 * A line "-- file: NAME" in the SQL starts another migration file: the
 * files are replayed in order as one migration set (each in its own
 * session), and the oracle runs each on its own connection.
 *
 * Modes:
 *   run_cases FILE|DIR...            replay each case and compare
 *   run_cases --oracle FILE|DIR...   also apply each case to a real PostgreSQL
 *                                (a fresh database from the template named
 *                                by PGDRIFT_CASES_TEMPLATE) and check that
 *                                pgdrift snapshot's dump equals the
 *                                expected lines, or that PostgreSQL rejects
 *                                the SQL too for a %%FAIL case.
 *
 * A %%FAIL case whose name starts with a PostgreSQL major version ("16:
 * GRANT ... WITH INHERIT") is syntax newer than the grammar: the replay
 * must reject it everywhere, and a server of that version or later
 * accepts it, so the oracle half is skipped there.
 */
#include <dirent.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgdrift/catalog.h"
#include "pgdrift/migrations.h"
#include "pgdrift/strbuf.h"


struct tcase {
	char *file;
	unsigned line;
	char *name;
	struct pgd_strbuf sql, expected;
};

static int ntests, nfailed;

static void tap(bool ok, const struct tcase *c, const char *mode)
{
	ntests++;
	if (!ok)
		nfailed++;
	printf("%s %d - %s:%u: %s%s\n", ok ? "ok" : "not ok", ntests, c->file,
	       c->line, c->name, mode);
}

static void diag_text(const char *label, const char *text)
{
	printf("# %s:\n", label);
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		printf("#   %.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
}

static bool keep_schema(const char *schema, void *arg)
{
	(void)arg;
	return !pgd_schema_is_platform(schema);
}

static void strip_trailing_newlines(struct pgd_strbuf *sb)
{
	while (sb->len && sb->buf[sb->len - 1] == '\n')
		pgd_strbuf_setlen(sb, sb->len - 1);
}

/* Splits sql at "-- file: NAME" lines: *n chunks (malloc'd texts) and
 * their names. A case without such lines is one chunk, "case.sql". */
static size_t split_files(const char *sql, char ***texts, char ***names)
{
	size_t n = 0;
	*texts = NULL;
	*names = NULL;
	const char *p = sql;
	struct pgd_strbuf cur = PGD_STRBUF_INIT;
	char *name = pgd_xstrdup("case.sql");
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > 9 && !strncmp(p, "-- file: ", 9)) {
			if (cur.len || n) {
				*texts = realloc(*texts, (n + 1) * sizeof(char *));
				*names = realloc(*names, (n + 1) * sizeof(char *));
				(*texts)[n] = pgd_strbuf_detach(&cur, NULL);
				if (!(*texts)[n])
					(*texts)[n] = pgd_xstrdup("");
				(*names)[n] = name;
				n++;
			} else {
				free(name);
			}
			name = pgd_xstrndup(p + 9, len - 9);
		} else {
			pgd_strbuf_add(&cur, p, len);
			pgd_strbuf_addch(&cur, '\n');
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	*texts = realloc(*texts, (n + 1) * sizeof(char *));
	*names = realloc(*names, (n + 1) * sizeof(char *));
	(*texts)[n] = pgd_strbuf_detach(&cur, NULL);
	if (!(*texts)[n])
		(*texts)[n] = pgd_xstrdup("");
	(*names)[n] = name;
	return n + 1;
}

static void free_files(char **texts, char **names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(texts[i]);
		free(names[i]);
	}
	free(texts);
	free(names);
}

/* Replays the files of a case as one migration set. */
static int replay_files(const char *sql, struct pgd_schema **m,
			struct pgd_diags *diags)
{
	struct pgd_load_options opts = PGD_LOAD_OPTIONS_INIT;
	char **texts, **names;
	size_t n = split_files(sql, &texts, &names);
	if (n == 1) {
		int rc = pgd_migrations_replay_text("case.sql", sql, &opts, m, diags);
		free_files(texts, names, n);
		return rc;
	}
	struct pgd_migration_set set = { 0 };
	set.dir = (char *)".";
	set.files = calloc(n, sizeof(*set.files));
	set.nfiles = n;
	for (size_t i = 0; i < n; i++) {
		set.files[i].path = names[i];
		set.files[i].name = names[i];
		pgd_srcfile_init_take(&set.files[i].src, names[i], texts[i],
				      strlen(texts[i]));
		texts[i] = NULL;
	}
	int rc = pgd_migrations_replay(&set, &opts, m, diags);
	for (size_t i = 0; i < n; i++)
		pgd_srcfile_release(&set.files[i].src);
	free(set.files);
	free_files(texts, names, n);
	return rc;
}

/* Replays the case; returns the dump, or "%%FAIL L:C: msg". With
 * unmodeled, also the unmodeled statements, one "what: reason" a line. */
static char *replay(const struct tcase *c, unsigned flags, struct pgd_strbuf *unmodeled)
{
	struct pgd_diags diags = PGD_DIAGS_INIT;
	struct pgd_schema *m = NULL;
	struct pgd_strbuf out = PGD_STRBUF_INIT;
	if (replay_files(c->sql.buf, &m, &diags) < 0) {
		for (size_t i = 0; i < diags.n; i++)
			if (diags.v[i].level == PGD_DIAG_ERROR) {
				pgd_strbuf_addf(&out, "%%%%FAIL %u:%u: %s", diags.v[i].line,
						diags.v[i].col, diags.v[i].message);
				break;
			}
	} else {
		pgd_schema_dump(m, &out, flags, keep_schema, NULL);
		for (size_t i = 0; unmodeled && i < m->nunmodeled; i++)
			pgd_strbuf_addf(unmodeled, "%s: %s\n", m->unmodeled[i].what,
					m->unmodeled[i].reason);
	}
	strip_trailing_newlines(&out);
	pgd_schema_free(m);
	pgd_diags_release(&diags);
	return pgd_strbuf_detach(&out, NULL);
}

static PGconn *admin;

static bool exec_ok(PGconn *conn, const char *sql, char **errmsg)
{
	PGresult *r = PQexec(conn, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
		  PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok && errmsg)
		*errmsg = pgd_xstrdup(PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

/* Applies the case to a fresh database; returns the snapshot dump, or
 * "%%FAIL" when PostgreSQL rejects it (message in *pgerr). */
static char *oracle(const struct tcase *c, int n, char **pgerr, unsigned flags)
{
	const char *tpl = getenv("PGDRIFT_CASES_TEMPLATE");
	char *db = pgd_xasprintf("pgd_case_%d", n);
	char *sql = pgd_xasprintf("DROP DATABASE IF EXISTS %s", db);
	exec_ok(admin, sql, NULL);
	free(sql);
	sql = pgd_xasprintf("CREATE DATABASE %s TEMPLATE %s", db, tpl);
	char *err = NULL;
	if (!exec_ok(admin, sql, &err)) {
		fprintf(stderr, "run_cases: %s", err);
		exit(2);
	}
	free(sql);
	char *conninfo = pgd_xasprintf("dbname=%s", db);
	struct pgd_strbuf out = PGD_STRBUF_INIT;
	*pgerr = NULL;
	char **texts, **names;
	size_t nfiles = split_files(c->sql.buf, &texts, &names);
	bool failed = false;
	for (size_t i = 0; i < nfiles && !failed; i++) {
		/* each file in its own session, as the Supabase CLI runs them */
		PGconn *fc = PQconnectdb(conninfo);
		exec_ok(fc, "SET client_min_messages = warning", NULL);
		failed = !exec_ok(fc, texts[i], pgerr);
		PQfinish(fc);
	}
	free_files(texts, names, nfiles);
	PGconn *conn = PQconnectdb(conninfo);
	if (failed) {
		pgd_strbuf_addstr(&out, "%%FAIL");
	} else {
		struct pgd_catalog_options opts = { conninfo, 0, false, 0 };
		struct pgd_error e = PGD_ERROR_INIT;
		struct pgd_schema *m = NULL;
		if (pgd_catalog_read(&opts, &m, NULL, &e) < 0) {
			pgd_strbuf_addf(&out, "catalog read failed: %s", e.message);
			pgd_error_release(&e);
		} else {
			pgd_schema_dump(m, &out, flags, keep_schema, NULL);
			pgd_schema_free(m);
		}
	}
	PQfinish(conn);
	strip_trailing_newlines(&out);
	sql = pgd_xasprintf("DROP DATABASE %s", db);
	exec_ok(admin, sql, NULL);
	free(sql);
	free(conninfo);
	free(db);
	return pgd_strbuf_detach(&out, NULL);
}

/*
 * The first extension the case creates that the server cannot install
 * (postgis, pg_cron: the corpus's emulations are not on the test
 * server), as a malloc'd name, or NULL. Matches "create extension
 * [if not exists] NAME" case-blind.
 */
static char *missing_extension(const struct tcase *c)
{
	static const char kw[] = "create extension ";
	for (const char *p = c->sql.buf; *p; p++) {
		if (strncasecmp(p, kw, sizeof(kw) - 1) != 0)
			continue;
		const char *q = p + sizeof(kw) - 1;
		if (!strncasecmp(q, "if not exists ", 14))
			q += 14;
		if (*q == '"')
			q++;
		size_t n = strcspn(q, "\" ;\n");
		if (!n)
			continue;
		char *name = pgd_xstrndup(q, n);
		for (char *k = name; *k; k++)
			if (*k >= 'A' && *k <= 'Z')
				*k = (char)(*k - 'A' + 'a');
		const char *params[1] = { name };
		PGresult *r = PQexecParams(admin,
			"SELECT 1 FROM pg_available_extensions WHERE name = $1",
			1, NULL, params, NULL, NULL, 0);
		bool have = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
		PQclear(r);
		if (!have)
			return name;
		free(name);
	}
	return NULL;
}

/* The major version a case name starts with ("17: ..."), or 0. */
static int atoi_prefix(const char *name)
{
	int v = 0;
	const char *p = name;
	while (*p >= '0' && *p <= '9' && v < 1000)
		v = v * 10 + (*p++ - '0');
	return p != name && *p == ':' ? v : 0;
}

static void run_case(struct tcase *c, bool with_oracle)
{
	strip_trailing_newlines(&c->expected);
	unsigned flags = 0;
	if (!strncmp(c->expected.buf, "%%PRIVILEGES\n", 13)) {
		size_t cut = 13;
		memmove(c->expected.buf, c->expected.buf + cut, c->expected.len - cut + 1);
		c->expected.len -= cut;
		flags = PGD_DUMP_PRIVILEGES;
	}
	/* %%UNMODELED / %%NO-UNMODELED lines */
	struct pgd_strbuf want = PGD_STRBUF_INIT;
	bool none = false;
	for (;;) {
		size_t cut;
		if (!strncmp(c->expected.buf, "%%NO-UNMODELED\n", 15)) {
			none = true;
			cut = 15;
		} else if (!strncmp(c->expected.buf, "%%UNMODELED ", 12)) {
			const char *nl = strchr(c->expected.buf, '\n');
			cut = nl ? (size_t)(nl - c->expected.buf) + 1 : c->expected.len;
			pgd_strbuf_add(&want, c->expected.buf + 12, cut - 12);
			if (!nl)
				pgd_strbuf_addch(&want, '\n');
		} else {
			break;
		}
		memmove(c->expected.buf, c->expected.buf + cut, c->expected.len - cut + 1);
		c->expected.len -= cut;
	}
	struct pgd_strbuf unm = PGD_STRBUF_INIT;
	char *got = replay(c, flags, &unm);
	bool ok = !strcmp(got, c->expected.buf);
	bool unm_ok = !none || !unm.len;
	for (char *w = want.buf; w && *w;) {
		char *nl = strchr(w, '\n');
		*nl = '\0';
		unm_ok = unm_ok && unm.buf && strstr(unm.buf, w);
		w = nl + 1;
	}
	tap(ok && unm_ok, c, "");
	if (!ok) {
		diag_text("expected", c->expected.buf);
		diag_text("replay gave", got);
	}
	if (!unm_ok) {
		diag_text("expected unmodeled", none ? "(none)" : "");
		diag_text("replay recorded unmodeled", unm.len ? unm.buf : "(none)");
	}
	pgd_strbuf_release(&want);
	pgd_strbuf_release(&unm);
	free(got);
	if (!with_oracle)
		return;
	int since = atoi_prefix(c->name);
	if (since && PQserverVersion(admin) / 10000 >= since &&
	    !strncmp(c->expected.buf, "%%FAIL", 6)) {
		ntests++;
		printf("ok %d - %s:%u: %s (PostgreSQL agrees) # SKIP PostgreSQL %d "
		       "takes this syntax\n", ntests, c->file, c->line, c->name,
		       PQserverVersion(admin) / 10000);
		return;
	}
	char *ext = missing_extension(c);
	if (ext) {
		ntests++;
		printf("ok %d - %s:%u: %s (PostgreSQL agrees) # SKIP extension %s is "
		       "not installed on this server\n", ntests, c->file, c->line,
		       c->name, ext);
		free(ext);
		return;
	}
	char *pgerr = NULL;
	char *truth = oracle(c, ntests, &pgerr, flags);
	if (!strncmp(c->expected.buf, "%%FAIL", 6))
		ok = !strcmp(truth, "%%FAIL");
	else
		ok = !strcmp(truth, c->expected.buf);
	tap(ok, c, " (PostgreSQL agrees)");
	if (!ok) {
		diag_text("expected", c->expected.buf);
		diag_text("PostgreSQL holds", truth);
		if (pgerr)
			diag_text("PostgreSQL said", pgerr);
	}
	free(pgerr);
	free(truth);
}

static void release(struct tcase *c)
{
	free(c->name);
	pgd_strbuf_release(&c->sql);
	pgd_strbuf_release(&c->expected);
	c->name = NULL;
}

static int run_file(const char *path, bool with_oracle)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("not ok %d - cannot open %s\n", ++ntests, path);
		nfailed++;
		return -1;
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	struct tcase c = { 0 };
	int section = 0; /* 0 none, 1 sql, 2 expected */
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!strncmp(line, "=== ", 4)) {
			if (c.name)
				run_case(&c, with_oracle);
			release(&c);
			c.file = (char *)base;
			c.line = lineno;
			c.name = pgd_xstrdup(line + 4);
			section = 1;
			continue;
		}
		if (section == 1 && !strcmp(line, "---")) {
			section = 2;
			continue;
		}
		if (section == 0 && (line[0] == '#' || !line[0]))
			continue;
		if (section == 2 && line[0] == '#')
			continue;
		struct pgd_strbuf *sb = section == 1 ? &c.sql : &c.expected;
		if (section == 0) {
			printf("not ok %d - %s:%u: text outside a case\n", ++ntests,
			       base, lineno);
			nfailed++;
			continue;
		}
		pgd_strbuf_add(sb, line, (size_t)len);
		pgd_strbuf_addch(sb, '\n');
	}
	if (c.name)
		run_case(&c, with_oracle);
	release(&c);
	free(line);
	fclose(f);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every *.cases file of dir, in name order. */
static void run_dir(const char *dir, bool with_oracle)
{
	DIR *d = opendir(dir);
	if (!d) {
		printf("Bail out! cannot open %s\n", dir);
		exit(1);
	}
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 6 && !strcmp(de->d_name + l - 6, ".cases")) {
			PGD_GROW(names, alloc, n + 1);
			names[n++] = pgd_xasprintf("%s/%s", dir, de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		run_file(names[i], with_oracle);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	bool with_oracle = false;
	int first = 1;
	if (argc > 1 && !strcmp(argv[1], "--oracle")) {
		with_oracle = true;
		first = 2;
		admin = PQconnectdb("dbname=postgres");
		if (PQstatus(admin) != CONNECTION_OK) {
			printf("Bail out! cannot connect: %s", PQerrorMessage(admin));
			return 1;
		}
		exec_ok(admin, "SET client_min_messages = warning", NULL);
		if (!getenv("PGDRIFT_CASES_TEMPLATE")) {
			printf("Bail out! PGDRIFT_CASES_TEMPLATE is not set\n");
			return 1;
		}
	}
	for (int i = first; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			run_dir(argv[i], with_oracle);
		else
			run_file(argv[i], with_oracle);
	}
	printf("1..%d\n", ntests);
	if (admin)
		PQfinish(admin);
	return nfailed ? 1 : 0;
}

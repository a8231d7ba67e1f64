/*
 * main.c - the command line: arguments, sources, output files and exit
 * codes. The only file that calls exit() (through main's return); every
 * decision about schemas lives in the library.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pgd_config.h"
#include "pgdrift/baseline.h"
#include "pgdrift/catalog.h"
#include "pgdrift/diff.h"
#include "pgdrift/fleet.h"
#include "pgdrift/history.h"
#include "pgdrift/inventory.h"
#include "pgdrift/refs.h"
#include "pgdrift/report.h"
#include "pgdrift/rls.h"
#include "pgdrift/migrations.h"
#include "pgdrift/platform.h"
#include "pgdrift/normalize.h"
#include "pgdrift/schema.h"
#include "pgdrift/snapshot.h"
#include "pgdrift/strbuf.h"


struct cli {
	const char *command;
	const char *migrations;
	const char *format;     /* the last --format, for expected/snapshot */
	char **formats;         /* every --format NAME[:FILE], for reports */
	size_t nformats;
	const char *output;
	const char *fail_on;
	const char *min_severity; /* reports show findings at or above it */
	char **exclude_schemas;
	size_t nexclude_schemas;
	char **exclude_tables;
	size_t nexclude_tables;
	char **positional;
	size_t npositional;
	char **exposed;        /* --exposed-schema */
	size_t nexposed;
	bool no_rls;           /* check: skip the RLS review */
	bool rls_matrix;       /* check: print the coverage matrix too */
	bool timings;          /* per-phase wall time and peak memory */
	const char *db;
	int timeout_ms;
	bool verbose;
	bool all_schemas;
	char **schemas; /* --schema, repeatable */
	size_t nschemas;
	bool with_sources;
	bool show_unmodeled;
	bool fail_on_unmodeled; /* exit 1 when a statement was not modeled */
	struct pgd_load_options load;
	struct pgd_platform_profile platform; /* --platform, --platform-era */
	char **search_path;
	size_t nsearch_path;
	const char *baseline;       /* --baseline FILE */
	const char *write_baseline; /* --write-baseline FILE */
	const char *reason;         /* --reason TEXT */
	const char *expires;        /* --expires YYYY-MM-DD */
	const char *history_table; /* --history-table; NULL: Supabase's */
	bool no_history;           /* check: skip the migration history */
	const char *source_url;    /* --source-url TEMPLATE ({path}, {line}) */
	const char *code;          /* refs, inventory: --code DIR */
	char **client_globs;       /* refs: --client-glob, repeatable */
	size_t nclient_globs;
	char **server_globs;       /* refs: --server-glob, repeatable */
	size_t nserver_globs;
	const char *db_list;       /* --db-list FILE: a fleet */
	int jobs;                  /* --jobs K */
	int connections;           /* --connections K; 0: automatic */
	/* check: the history read with the catalog, in its snapshot */
	struct pgd_history *history_in; /* where load_source puts it, or NULL */
	bool history_read;              /* history_in is filled */
	const char *shard;         /* --shard I/N */
};

static void usage(FILE *f)
{
	fputs("usage: pgdrift <command> [options]\n"
	      "\n"
	      "Commands:\n"
	      "  check      migrations vs a live database: drift and RLS findings\n"
	      "  diff       any two sources: FROM TO (migration folder, snapshot file\n"
	      "             or connection string)\n"
	      "  rls        the RLS coverage review of a database (--db) or of the\n"
	      "             migrations (--migrations), with the coverage matrix\n"
	      "  expected   the schema the migration files build, replayed statically\n"
	      "  snapshot   the schema a live database holds, read through pg_catalog\n"
	      "  history    migration files vs the applied-migrations table\n"
	      "  merge      JSON reports of fleet shards (or single databases) into\n"
	      "             one fleet report, with the exit code it implies\n"
	      "  inventory  a document of every migration, table, column, index,\n"
	      "             foreign key and policy (markdown or json); with --db,\n"
	      "             each table marked verified or drifted; with --code,\n"
	      "             the code that uses each table and function\n"
	      "  refs       application code (--code DIR) against the schema of\n"
	      "             --migrations and/or --db: missing tables and functions,\n"
	      "             commands RLS denies, client code on open tables\n"
	      "\n"
	      "Sources:\n"
	      "  --migrations DIR        the migration folder\n"
	      "  --platform NAME         what the migrations run on: supabase (default;\n"
	      "                          its roles and default privileges) or none\n"
	      "  --platform-era YEAR     Supabase's default privileges of 2025 (default:\n"
	      "                          new public tables granted to the API roles) or\n"
	      "                          2026 (new public tables not exposed)\n"
	      "  --migration-role NAME   the role the migrations run as and whose\n"
	      "                          objects they are (default postgres)\n"
	      "  --db CONNINFO|URI       the database (default: DATABASE_URL, then\n"
	      "                          libpq's PGHOST, PGDATABASE, PGSERVICE, ...)\n"
	      "  --timeout SECONDS       statement and lock timeout (default 30)\n"
	      "  --verbose               each catalog query's rows and time on stderr\n"
	      "  --connections K         connections one database is read over, in one\n"
	      "                          snapshot (default 3; 1 where it cannot be shared)\n"
	      "Reports (check, diff, rls):\n"
	      "  --format NAME[:FILE]    text (default), json, markdown, sarif, junit,\n"
	      "                          codequality or html; repeatable, e.g.\n"
	      "                          --format text --format html:pgdrift.html\n"
	      "  --source-url TEMPLATE   html: link file:line to TEMPLATE with {path}\n"
	      "                          and {line} filled in (default: the relative path)\n"
	      "  -o, --output FILE       where a format without :FILE goes\n"
	      "  --fail-on LEVEL         error (default), warning, info or none\n"
	      "  --min-severity LEVEL    show only findings at or above LEVEL\n"
	      "  --timings               per-phase wall time and peak memory on stderr\n"
	      "  --schema NAME           audit only this schema (repeatable)\n"
	      "  --exclude-schema NAME   leave a schema out (repeatable)\n"
	      "  --exclude-table PATTERN leave tables out (glob on schema.table or table)\n"
	      "  --exposed-schema NAME   schemas the API exposes (default: the\n"
	      "                          pgrst.db_schemas setting, else public)\n"
	      "  --no-rls                check: skip the RLS review\n"
	      "  --rls-matrix            check: print the coverage matrix too\n"
	      "Baselines (check, diff, rls):\n"
	      "  --baseline FILE         suppress the findings FILE accepts; report\n"
	      "                          its stale and expired entries (info)\n"
	      "  --write-baseline FILE   accept every current finding into FILE\n"
	      "                          (needs --reason; keeps --baseline's reasons)\n"
	      "  --reason TEXT           why the findings are accepted\n"
	      "  --expires YYYY-MM-DD    the last day the new entries suppress\n"
	      "  --history-table TABLE   history, check: the applied-migrations table\n"
	      "                          (default supabase_migrations.schema_migrations;\n"
	      "                          Flyway, golang-migrate and dbmate tables too)\n"
	      "  --no-history            check: skip the migration history\n"
	      "Code references (refs, inventory):\n"
	      "  --code DIR              the application code to scan (JS/TS,\n"
	      "                          Python, Dart, Swift, Kotlin)\n"
	      "  --client-glob GLOB      files whose calls run with the anon key\n"
	      "                          (relative to DIR; '**' spans folders)\n"
	      "  --server-glob GLOB      files whose calls run with the service role\n"
	      "Fleets (check, rls, diff FROM):\n"
	      "  --db-list FILE          many databases: NAME<TAB>CONNINFO or CONNINFO\n"
	      "                          a line, $VAR from the environment\n"
	      "  --jobs K                databases read at once (default 4)\n"
	      "  --shard I/N             only shard I of N (by a hash of the name)\n"
	      "  pgdrift merge REPORT.json...  shard reports into one (any --format)\n"
	      "Dumps (expected, snapshot):\n"
	      "  --format text|json      canonical text dump (default) or JSON snapshot\n"
	      "  -o, --output FILE       write there instead of standard output\n"
	      "  --schema NAME           dump only this schema (repeatable); the default\n"
	      "                          leaves out platform schemas (auth, storage, ...)\n"
	      "  --all-schemas           dump every schema, platform ones included\n"
	      "  --with-sources          append the file:line of each object (text)\n"
	      "Inventory:\n"
	      "  --format markdown|json  the document's format (default markdown)\n"
	      "  -o, --output FILE       write there instead of standard output\n"
	      "  --db CONNINFO|URI       mark each table verified or drifted (the\n"
	      "                          drift diff); --fail-on applies to its findings\n"
	      "Reading migrations:\n"
	      "  --show-unmodeled        list statements the replay did not model\n"
	      "  --search-path LIST      initial search_path (default: public,extensions)\n"
	      "  --session per-file|shared\n"
	      "                          whether SET search_path ends with its file\n"
	      "                          (per-file, the default) or not\n"
	      "  --allow-unmodeled       (the default) a statement that cannot be\n"
	      "                          replayed becomes an unmodeled entry (PGD901)\n"
	      "  --fail-on-unmodeled     check, diff: exit 1 when any statement was\n"
	      "                          not modeled (a strict gate)\n"
	      "\n"
	      "  pgdrift --version | pgdrift help\n"
	      "\n"
	      "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error,\n"
	      "3 migration input error, 4 database error, 70 internal error.\n",
	      f);
}

static int usage_error(const char *fmt, ...) PGD_PRINTF(1, 2);

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("pgdrift: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'pgdrift help'.\n", stderr);
	return PGD_EXIT_USAGE;
}

static void split_search_path(struct cli *c, const char *list)
{
	char *copy = pgd_xstrdup(list);
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		size_t n = strlen(tok);
		while (n && tok[n - 1] == ' ')
			tok[--n] = '\0';
		if (!n)
			continue;
		c->search_path = pgd_xreallocarray(c->search_path,
						   c->nsearch_path + 1,
						   sizeof(char *));
		c->search_path[c->nsearch_path++] = pgd_xstrdup(tok);
	}
	free(copy);
	c->load.search_path = (const char *const *)c->search_path;
	c->load.nsearch_path = c->nsearch_path;
}

enum {
	OPT_MIGRATIONS = 256,
	OPT_FORMAT,
	OPT_WITH_SOURCES,
	OPT_SHOW_UNMODELED,
	OPT_FAIL_ON_UNMODELED,
	OPT_SEARCH_PATH,
	OPT_SESSION,
	OPT_ALLOW_UNMODELED,
	OPT_DB,
	OPT_TIMEOUT,
	OPT_VERBOSE,
	OPT_SCHEMA,
	OPT_ALL_SCHEMAS,
	OPT_FAIL_ON,
	OPT_EXCLUDE_SCHEMA,
	OPT_EXCLUDE_TABLE,
	OPT_EXPOSED_SCHEMA,
	OPT_NO_RLS,
	OPT_RLS_MATRIX,
	OPT_MIN_SEVERITY,
	OPT_TIMINGS,
	OPT_BASELINE,
	OPT_WRITE_BASELINE,
	OPT_REASON,
	OPT_EXPIRES,
	OPT_HISTORY_TABLE,
	OPT_NO_HISTORY,
	OPT_SOURCE_URL,
	OPT_PLATFORM,
	OPT_PLATFORM_ERA,
	OPT_MIGRATION_ROLE,
	OPT_CODE,
	OPT_CLIENT_GLOB,
	OPT_SERVER_GLOB,
	OPT_DB_LIST,
	OPT_JOBS,
	OPT_CONNECTIONS,
	OPT_SHARD,
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* --timings: one line per phase on stderr, with the peak RSS so far. */
static void timing(const struct cli *c, const char *phase, double t0,
		   const char *extra)
{
	if (!c->timings)
		return;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "pgdrift: timing %-12s %9.1f ms  peak RSS %6ld MB%s%s\n",
		phase, now_ms() - t0, ru.ru_maxrss / 1024, extra ? "  " : "",
		extra ? extra : "");
}

static void push(char ***v, size_t *n, char *s)
{
	*v = pgd_xreallocarray(*v, *n + 1, sizeof(char *));
	(*v)[(*n)++] = s;
}

static int parse_args(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "migrations", required_argument, NULL, OPT_MIGRATIONS },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "with-sources", no_argument, NULL, OPT_WITH_SOURCES },
		{ "show-unmodeled", no_argument, NULL, OPT_SHOW_UNMODELED },
		{ "search-path", required_argument, NULL, OPT_SEARCH_PATH },
		{ "session", required_argument, NULL, OPT_SESSION },
		{ "allow-unmodeled", no_argument, NULL, OPT_ALLOW_UNMODELED },
		{ "fail-on-unmodeled", no_argument, NULL, OPT_FAIL_ON_UNMODELED },
		{ "db", required_argument, NULL, OPT_DB },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "verbose", no_argument, NULL, OPT_VERBOSE },
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "all-schemas", no_argument, NULL, OPT_ALL_SCHEMAS },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "exclude-schema", required_argument, NULL, OPT_EXCLUDE_SCHEMA },
		{ "exclude-table", required_argument, NULL, OPT_EXCLUDE_TABLE },
		{ "exposed-schema", required_argument, NULL, OPT_EXPOSED_SCHEMA },
		{ "no-rls", no_argument, NULL, OPT_NO_RLS },
		{ "rls-matrix", no_argument, NULL, OPT_RLS_MATRIX },
		{ "min-severity", required_argument, NULL, OPT_MIN_SEVERITY },
		{ "timings", no_argument, NULL, OPT_TIMINGS },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "expires", required_argument, NULL, OPT_EXPIRES },
		{ "history-table", required_argument, NULL, OPT_HISTORY_TABLE },
		{ "no-history", no_argument, NULL, OPT_NO_HISTORY },
		{ "source-url", required_argument, NULL, OPT_SOURCE_URL },
		{ "platform", required_argument, NULL, OPT_PLATFORM },
		{ "platform-era", required_argument, NULL, OPT_PLATFORM_ERA },
		{ "migration-role", required_argument, NULL, OPT_MIGRATION_ROLE },
		{ "code", required_argument, NULL, OPT_CODE },
		{ "client-glob", required_argument, NULL, OPT_CLIENT_GLOB },
		{ "server-glob", required_argument, NULL, OPT_SERVER_GLOB },
		{ "db-list", required_argument, NULL, OPT_DB_LIST },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "connections", required_argument, NULL, OPT_CONNECTIONS },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	opterr = 0;
	optind = 2;
	/* '-' first: positional arguments come back in order as 1 */
	while ((ch = getopt_long(argc, argv, "-:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_MIGRATIONS: c->migrations = optarg; break;
		case OPT_FORMAT:
			c->format = optarg;
			push(&c->formats, &c->nformats, optarg);
			break;
		case OPT_FAIL_ON: c->fail_on = optarg; break;
		case OPT_EXCLUDE_SCHEMA:
			push(&c->exclude_schemas, &c->nexclude_schemas, optarg);
			break;
		case OPT_EXCLUDE_TABLE:
			push(&c->exclude_tables, &c->nexclude_tables, optarg);
			break;
		case OPT_EXPOSED_SCHEMA:
			push(&c->exposed, &c->nexposed, optarg);
			break;
		case OPT_NO_RLS: c->no_rls = true; break;
		case OPT_RLS_MATRIX: c->rls_matrix = true; break;
		case OPT_MIN_SEVERITY: c->min_severity = optarg; break;
		case OPT_TIMINGS: c->timings = true; break;
		case OPT_BASELINE: c->baseline = optarg; break;
		case OPT_WRITE_BASELINE: c->write_baseline = optarg; break;
		case OPT_REASON: c->reason = optarg; break;
		case OPT_EXPIRES: c->expires = optarg; break;
		case OPT_HISTORY_TABLE: c->history_table = optarg; break;
		case OPT_NO_HISTORY: c->no_history = true; break;
		case OPT_SOURCE_URL: c->source_url = optarg; break;
		case OPT_PLATFORM:
			if (pgd_platform_parse(optarg, &c->platform.platform) < 0)
				return usage_error("--platform takes supabase or none, not '%s'",
						   optarg);
			break;
		case OPT_MIGRATION_ROLE: c->load.role = optarg; break;
		case OPT_PLATFORM_ERA:
			if (pgd_platform_era_parse(optarg, &c->platform.era) < 0)
				return usage_error("--platform-era takes 2025 or 2026, not '%s'",
						   optarg);
			break;
		case OPT_CODE: c->code = optarg; break;
		case OPT_CLIENT_GLOB:
			push(&c->client_globs, &c->nclient_globs, optarg);
			break;
		case OPT_SERVER_GLOB:
			push(&c->server_globs, &c->nserver_globs, optarg);
			break;
		case OPT_DB_LIST: c->db_list = optarg; break;
		case OPT_SHARD: c->shard = optarg; break;
		case OPT_JOBS: {
			char *end;
			errno = 0;
			long k = strtol(optarg, &end, 10);
			if (end == optarg || *end || errno || k < 1 || k > 256)
				return usage_error("--jobs takes a number from 1 to 256, not '%s'",
						   optarg);
			c->jobs = (int)k;
			break;
		}
		case OPT_CONNECTIONS: {
			char *end;
			errno = 0;
			long k = strtol(optarg, &end, 10);
			if (end == optarg || *end || errno || k < 1 ||
			    k > PGD_CATALOG_MAX_CONNECTIONS)
				return usage_error("--connections takes a number from 1 to %d, not '%s'",
						   PGD_CATALOG_MAX_CONNECTIONS, optarg);
			c->connections = (int)k;
			break;
		}
		case 'o': c->output = optarg; break;
		case OPT_WITH_SOURCES: c->with_sources = true; break;
		case OPT_SHOW_UNMODELED: c->show_unmodeled = true; break;
		case OPT_SEARCH_PATH: split_search_path(c, optarg); break;
		case OPT_SESSION:
			if (!strcmp(optarg, "per-file"))
				c->load.session = PGD_SESSION_PER_FILE;
			else if (!strcmp(optarg, "shared"))
				c->load.session = PGD_SESSION_SHARED;
			else
				return usage_error("--session takes per-file or shared, not '%s'",
						   optarg);
			break;
		case OPT_ALLOW_UNMODELED: c->load.allow_unmodeled = true; break;
		case OPT_FAIL_ON_UNMODELED: c->fail_on_unmodeled = true; break;
		case OPT_DB: c->db = optarg; break;
		case OPT_VERBOSE: c->verbose = true; break;
		case OPT_ALL_SCHEMAS: c->all_schemas = true; break;
		case OPT_SCHEMA:
			c->schemas = pgd_xreallocarray(c->schemas, c->nschemas + 1,
						       sizeof(char *));
			c->schemas[c->nschemas++] = optarg;
			break;
		case OPT_TIMEOUT: {
			char *end;
			double secs = strtod(optarg, &end);
			if (*end || secs <= 0 || secs > 86400)
				return usage_error("--timeout takes seconds (0 < s <= 86400), not '%s'",
						   optarg);
			c->timeout_ms = (int)(secs * 1000);
			if (c->timeout_ms < 1)
				c->timeout_ms = 1;
			break;
		}
		case 1:
			push(&c->positional, &c->npositional, optarg);
			break;
		case 'h':
			usage(stdout);
			exit(PGD_EXIT_OK);
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	while (optind < argc)
		push(&c->positional, &c->npositional, argv[optind++]);
	if (c->npositional && strcmp(c->command, "diff") != 0 &&
	    strcmp(c->command, "merge") != 0)
		return usage_error("unexpected argument '%s'", c->positional[0]);
	if (c->write_baseline && (!c->reason || !c->reason[strspn(c->reason, " \t")]))
		return usage_error("%s", "--write-baseline needs --reason TEXT: say why "
				   "these findings are accepted");
	if ((c->reason || c->expires) && !c->write_baseline)
		return usage_error("%s", "--reason and --expires go with --write-baseline");
	bool fleet_cmd = !strcmp(c->command, "check") || !strcmp(c->command, "rls") ||
			 !strcmp(c->command, "diff");
	if (c->db_list && !fleet_cmd)
		return usage_error("--db-list goes with check, rls or diff, not %s",
				   c->command);
	if ((c->jobs || c->shard) && !c->db_list)
		return usage_error("%s", "--jobs and --shard go with --db-list");
	if (c->expires && !pgd_date_valid(c->expires))
		return usage_error("--expires takes a date YYYY-MM-DD, not '%s'", c->expires);
	if (c->source_url && !strstr(c->source_url, "{path}"))
		return usage_error("--source-url needs a template with {path} (and "
				   "optionally {line}), not '%s'", c->source_url);
	return 0;
}

/* Writes text to the output (a file or stdout). */
static int emit(const struct cli *c, const char *text, size_t len)
{
	FILE *f = stdout;
	if (c->output && strcmp(c->output, "-") != 0) {
		f = fopen(c->output, "w");
		if (!f) {
			fprintf(stderr, "pgdrift: error: cannot write %s: %s\n",
				c->output, strerror(errno));
			return PGD_EXIT_USAGE;
		}
	}
	size_t w = fwrite(text, 1, len, f);
	int bad = w != len || fflush(f) != 0;
	if (f != stdout)
		bad |= fclose(f) != 0;
	if (bad) {
		fprintf(stderr, "pgdrift: error: cannot write %s: %s\n",
			c->output ? c->output : "standard output", strerror(errno));
		return PGD_EXIT_USAGE;
	}
	return PGD_EXIT_OK;
}

/* Loads the expected schema from c->migrations. Returns an exit code;
 * *stats (--timings) gets what was read, malloc'd, when stats is not NULL. */
static int load_migrations(const struct cli *c, struct pgd_schema **out, char **stats)
{
	struct pgd_diags diags = PGD_DIAGS_INIT;
	struct pgd_migration_set *set = NULL;
	int rc = pgd_migrations_find(c->migrations, &set, &diags);
	if (rc == 0)
		rc = pgd_migrations_replay(set, &c->load, out, &diags) == 0
			     ? 0 : -2;
	if (stats && set) {
		size_t n = 0, parsed = 0, ahead = 0;
		for (size_t i = 0; i < set->nfiles; i++) {
			n += set->files[i].nstatements;
			parsed += set->files[i].nparsed;
			ahead += set->files[i].nread_ahead;
		}
		*stats = pgd_xasprintf("%zu files, %zu statements, %zu parsed, "
				       "%zu DO blocks read ahead", set->nfiles, n,
				       parsed, ahead);
	}
	pgd_diags_print(stderr, &diags);
	if (rc != 0)
		fprintf(stderr, "pgdrift: the migrations could not be read completely "
				"(%zu error%s); no report was made\n",
			diags.nerrors, diags.nerrors == 1 ? "" : "s");
	pgd_diags_release(&diags);
	pgd_migration_set_free(set);
	if (rc == -1)
		return PGD_EXIT_USAGE;
	if (rc != 0)
		return PGD_EXIT_INPUT;
	return PGD_EXIT_OK;
}

static void print_unmodeled(const struct pgd_schema *m, bool list)
{
	if (!m->nunmodeled)
		return;
	if (!list) {
		fprintf(stderr, "pgdrift: note: %zu statement%s not modeled "
				"(--show-unmodeled lists them)\n", m->nunmodeled,
			m->nunmodeled == 1 ? " was" : "s were");
		return;
	}
	for (size_t i = 0; i < m->nunmodeled; i++) {
		const struct pgd_unmodeled *u = &m->unmodeled[i];
		fprintf(stderr, "pgdrift: %s:%u: note: %s not modeled: %s\n",
			u->src.file ? u->src.file : "?", u->src.line, u->what,
			u->reason);
	}
}

/* Which schemas a dump shows: --schema names, or all but platform ones. */
static bool dump_filter(const char *schema, void *arg)
{
	const struct cli *c = arg;
	if (c->nschemas) {
		for (size_t i = 0; i < c->nschemas; i++)
			if (!strcmp(c->schemas[i], schema))
				return true;
		return false;
	}
	return c->all_schemas || !pgd_schema_is_platform(schema);
}

static int write_model(struct cli *c, struct pgd_schema *m, const char *fmt)
{
	struct pgd_strbuf out = PGD_STRBUF_INIT;
	if (!strcmp(fmt, "text"))
		pgd_schema_dump(m, &out, PGD_DUMP_PRIVILEGES |
				(c->with_sources ? PGD_DUMP_SOURCES : 0), dump_filter, c);
	else
		pgd_snapshot_write(m, &out);
	int rc = emit(c, out.buf, out.len);
	pgd_strbuf_release(&out);
	return rc;
}

static int load_source(struct cli *c, const char *spec, bool is_db,
		       struct pgd_schema **out, char **desc);

static int cmd_snapshot(struct cli *c)
{
	const char *fmt = c->format ? c->format : "text";
	if (strcmp(fmt, "text") && strcmp(fmt, "json"))
		return usage_error("--format takes text or json, not '%s'", fmt);
	struct pgd_schema *m = NULL;
	char *desc = NULL;
	int rc = load_source(c, c->db, true, &m, &desc);
	free(desc);
	if (rc)
		return rc;
	rc = write_model(c, m, fmt);
	pgd_schema_free(m);
	return rc;
}

static int cmd_expected(struct cli *c)
{
	if (!c->migrations)
		return usage_error("%s needs --migrations DIR", "expected");
	const char *fmt = c->format ? c->format : "text";
	if (strcmp(fmt, "text") && strcmp(fmt, "json"))
		return usage_error("--format takes text or json, not '%s'", fmt);
	struct pgd_schema *m = NULL;
	double t0 = now_ms();
	char *stats = NULL;
	int rc = load_migrations(c, &m, c->timings ? &stats : NULL);
	timing(c, "migrations", t0, stats);
	free(stats);
	if (rc)
		return rc;
	char *pd = pgd_platform_describe(&c->platform);
	fprintf(stderr, "pgdrift: expected: %s\n", pd);
	free(pd);
	print_unmodeled(m, c->show_unmodeled);
	rc = write_model(c, m, fmt);
	pgd_schema_free(m);
	return rc;
}

/* A source: a migration folder, a snapshot file or a database. */
/* A connection string has a key=value pair or a scheme; anything else is
 * a path. */
static bool looks_like_conninfo(const char *s)
{
	return strstr(s, "://") || strchr(s, '=');
}

static int load_source(struct cli *c, const char *spec, bool is_db,
		       struct pgd_schema **out, char **desc)
{
	struct stat st;
	if (!is_db && spec && !looks_like_conninfo(spec) && stat(spec, &st) < 0) {
		fprintf(stderr, "pgdrift: error: %s: %s (a source is a migration "
				"folder, a snapshot file or a connection string)\n",
			spec, strerror(errno));
		return PGD_EXIT_USAGE;
	}
	double t0 = now_ms();
	if (!is_db && spec && stat(spec, &st) == 0 && S_ISDIR(st.st_mode)) {
		struct cli sub = *c;
		sub.migrations = spec;
		char *pd = pgd_platform_describe(&c->platform);
		*desc = pgd_xasprintf("migrations %s (%s)", spec, pd);
		free(pd);
		char *stats = NULL;
		int rc = load_migrations(&sub, out, c->timings ? &stats : NULL);
		timing(c, "migrations", t0, stats);
		free(stats);
		return rc;
	}
	if (!is_db && spec && stat(spec, &st) == 0 && S_ISREG(st.st_mode)) {
		*desc = pgd_xasprintf("snapshot %s", spec);
		struct pgd_error err = PGD_ERROR_INIT;
		if (pgd_snapshot_read_file(spec, out, &err) < 0) {
			pgd_error_print(stderr, &err);
			pgd_error_release(&err);
			return PGD_EXIT_USAGE;
		}
		return PGD_EXIT_OK;
	}
	struct pgd_catalog_options opts = { spec, c->timeout_ms, c->verbose,
					    c->connections };
	struct pgd_catalog_stats stats;
	struct pgd_error err = PGD_ERROR_INIT;
	*desc = pgd_xstrdup("database");
	/* check: the history in the catalog's snapshot (history_findings) */
	struct pgd_history *hist = is_db && c->history_in && spec == c->db
				   ? c->history_in : NULL;
	if (pgd_catalog_read_all(&opts, out, c->history_table, hist, &stats,
				 &err) < 0) {
		pgd_error_print(stderr, &err);
		fputs("pgdrift: the database could not be read completely; no "
		      "report was made\n", stderr);
		int code = err.exit_code ? err.exit_code : PGD_EXIT_DB;
		pgd_error_release(&err);
		return code;
	}
	if (hist)
		c->history_read = true;
	if (c->verbose)
		fprintf(stderr, "pgdrift: %d queries, %ld catalog objects, %.1f ms "
				"(PostgreSQL %s)\n", stats.queries, stats.objects,
			stats.ms, stats.server);
	char extra[96];
	snprintf(extra, sizeof(extra), "%d catalog queries, %ld objects",
		 stats.queries, stats.objects);
	timing(c, "introspect", t0, extra);
	return PGD_EXIT_OK;
}

static int write_reports_of(struct cli *c, const struct pgd_findings *f,
			    const struct pgd_report_meta *meta_in);

/* Today, YYYY-MM-DD in UTC, for baseline dates; PGDRIFT_TODAY pins it
 * (tests). Returns an exit code. */
static int today(char buf[11])
{
	const char *pinned = getenv("PGDRIFT_TODAY");
	if (pinned) {
		if (!pgd_date_valid(pinned))
			return usage_error("PGDRIFT_TODAY must be a date YYYY-MM-DD, not '%s'",
					   pinned);
		memcpy(buf, pinned, 11);
		return 0;
	}
	time_t t = time(NULL);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, 11, "%Y-%m-%d", &tm))
		PGD_BUG("cannot format today's date");
	return 0;
}

/*
 * --write-baseline and --baseline, once every finding is known: writing
 * records every current finding (keeping the reasons of a --baseline read
 * alongside) and then applies what it wrote, so the run that adopts a
 * baseline passes; reading applies the file. Sets meta's baseline fields.
 * Returns an exit code.
 */
static int apply_baseline(const struct cli *c, struct pgd_findings *f,
			  struct pgd_report_meta *meta)
{
	if (!c->baseline && !c->write_baseline)
		return 0;
	char day[11];
	int rc = today(day);
	if (rc)
		return rc;
	struct pgd_baseline *old = NULL;
	if (c->baseline) {
		struct pgd_error err = PGD_ERROR_INIT;
		if (pgd_baseline_read_file(c->baseline, &old, &err) < 0) {
			pgd_error_print(stderr, &err);
			pgd_error_release(&err);
			return PGD_EXIT_USAGE;
		}
	}
	struct pgd_baseline *use = old;
	if (c->write_baseline) {
		use = pgd_baseline_from_findings(f, old, c->reason, c->expires, day);
		use->path = pgd_xstrdup(c->write_baseline);
		pgd_baseline_free(old);
		struct pgd_strbuf text = PGD_STRBUF_INIT;
		pgd_baseline_write(use, &text);
		struct cli sub = *c;
		sub.output = c->write_baseline;
		rc = emit(&sub, text.buf, text.len);
		pgd_strbuf_release(&text);
		if (rc) {
			pgd_baseline_free(use);
			return rc;
		}
		fprintf(stderr, "pgdrift: wrote %zu accepted finding%s to %s\n", use->n,
			use->n == 1 ? "" : "s", c->write_baseline);
	}
	meta->suppressed = pgd_baseline_apply(use, f, day);
	meta->baseline = c->write_baseline ? c->write_baseline : c->baseline;
	pgd_baseline_free(use);
	return 0;
}

/* Writes every requested report: --format NAME[:FILE], text by default.
 * --min-severity hides lesser findings from the reports (not from the exit
 * code, which --fail-on decides over all findings). */
static int write_reports(struct cli *c, const struct pgd_findings *all,
			 const struct pgd_report_meta *meta_in)
{
	struct pgd_findings shown = *all;
	if (c->min_severity) {
		int min = pgd_severity_parse(c->min_severity);
		if (min < 0)
			return usage_error("--min-severity takes error, warning or info, not '%s'",
					   c->min_severity);
		shown.v = pgd_xcalloc(all->n + 1, sizeof(*shown.v));
		shown.n = 0;
		for (size_t i = 0; i < all->n; i++)
			if ((int)all->v[i].severity >= min)
				shown.v[shown.n++] = all->v[i];
	}
	const struct pgd_findings *f = &shown;
	struct pgd_report_meta meta = *meta_in;
	if (c->min_severity)
		meta.all = all; /* the verdict is over every finding */
	int rc = write_reports_of(c, f, &meta);
	if (c->min_severity)
		free(shown.v);
	return rc;
}

static int write_reports_of(struct cli *c, const struct pgd_findings *f,
			    const struct pgd_report_meta *meta_in)
{
	char *deflt = (char *)"text";
	char **formats = c->nformats ? c->formats : &deflt;
	size_t n = c->nformats ? c->nformats : 1;
	for (size_t i = 0; i < n; i++) {
		char *spec = pgd_xstrdup(formats[i]);
		char *colon = strchr(spec, ':');
		const char *file = c->output;
		if (colon) {
			*colon = '\0';
			file = colon + 1;
		}
		pgd_reporter rep = pgd_report_find(spec);
		if (!rep) {
			int rc = usage_error("unknown format '%s' (known: %s)", spec,
					     pgd_report_formats());
			free(spec);
			return rc;
		}
		struct pgd_report_meta meta = *meta_in;
		/* check: the Markdown summary and the HTML page always carry the
		 * coverage matrix, the other formats with --rls-matrix */
		if (!strcmp(c->command, "check") && !c->rls_matrix &&
		    strcmp(spec, "markdown") != 0 && strcmp(spec, "html") != 0)
			meta.matrix = NULL;
		bool to_stdout = !file || !strcmp(file, "-");
		meta.color = to_stdout && !strcmp(spec, "text") && isatty(1) &&
			     !getenv("NO_COLOR");
		struct pgd_strbuf out = PGD_STRBUF_INIT;
		rep(f, &meta, &out);
		struct cli sub = *c;
		sub.output = file;
		int rc = emit(&sub, out.buf, out.len);
		pgd_strbuf_release(&out);
		free(spec);
		if (rc)
			return rc;
	}
	return PGD_EXIT_OK;
}

static int parse_fail_on(const struct cli *c, struct pgd_report_meta *meta)
{
	const char *v = c->fail_on ? c->fail_on : "error";
	if (!strcmp(v, "none")) {
		meta->fail_on_none = true;
		return 0;
	}
	int s = pgd_severity_parse(v);
	if (s < 0)
		return usage_error("--fail-on takes error, warning, info or none, not '%s'", v);
	meta->fail_on = (enum pgd_severity)s;
	return 0;
}

/*
 * The migration history: c->migrations' files against the applied-migrations
 * table of c->db (history.h). standalone (pgdrift history) makes a missing
 * table an error; so does naming it with --history-table. *desc describes
 * the table (caller frees). Returns an exit code; findings go to f.
 */
static int history_findings(struct cli *c, bool standalone,
			    struct pgd_findings *f, char **desc,
			    char server[32])
{
	struct pgd_diags diags = PGD_DIAGS_INIT;
	struct pgd_migration_set *set = NULL;
	double t0 = now_ms();
	*desc = NULL;
	int rc = pgd_migrations_find(c->migrations, &set, &diags);
	if (rc != 0) {
		pgd_diags_print(stderr, &diags);
		pgd_diags_release(&diags);
		return rc == -1 ? PGD_EXIT_USAGE : PGD_EXIT_INPUT;
	}
	struct pgd_catalog_options opts = { c->db, c->timeout_ms, c->verbose, 1 };
	struct pgd_history h = PGD_HISTORY_INIT;
	struct pgd_error err = PGD_ERROR_INIT;
	struct pgd_catalog_stats stats = { 0 };
	if (c->history_read) {
		/* read with the catalog, in the same snapshot (load_source) */
		h = *c->history_in;
		*c->history_in = (struct pgd_history)PGD_HISTORY_INIT;
		c->history_read = false;
	} else if (pgd_catalog_read_history(&opts, c->history_table, &h, &stats,
					    &err) < 0) {
		pgd_error_print(stderr, &err);
		fputs("pgdrift: the migration history could not be read; no "
		      "report was made\n", stderr);
		rc = err.exit_code ? err.exit_code : PGD_EXIT_DB;
		pgd_error_release(&err);
		pgd_diags_release(&diags);
		pgd_migration_set_free(set);
		return rc;
	}
	if (server)
		memcpy(server, stats.server, sizeof(stats.server));
	struct pgd_history_options ho = { standalone || c->history_table };
	if (pgd_history_compare(set, &h, &ho, f, &diags) < 0)
		rc = PGD_EXIT_INPUT;
	/* check printed the loader's warnings already */
	if (standalone || diags.nerrors)
		pgd_diags_print(stderr, &diags);
	if (h.present)
		*desc = pgd_xasprintf("history table %s (%s, %zu row%s)", h.table,
				      pgd_history_kind_name(h.kind), h.nrows,
				      h.nrows == 1 ? "" : "s");
	else
		*desc = pgd_xasprintf("history table %s (missing)", h.table);
	pgd_history_release(&h);
	pgd_diags_release(&diags);
	pgd_migration_set_free(set);
	timing(c, "history", t0, NULL);
	return rc;
}

/* Moves every finding of src to the end of dst. */
static void take_findings(struct pgd_findings *dst, struct pgd_findings *src)
{
	for (size_t i = 0; i < src->n; i++) {
		PGD_GROW(dst->v, dst->alloc, dst->n + 1);
		dst->v[dst->n++] = src->v[i];
	}
	free(src->v);
	memset(src, 0, sizeof(*src));
}

/* pgdrift history: files vs the applied-migrations table. */
static int cmd_history(struct cli *c)
{
	if (!c->migrations)
		return usage_error("%s needs --migrations DIR", "history");
	struct pgd_report_meta meta = { 0 };
	meta.command = "history";
	meta.source_url = c->source_url;
	int rc = parse_fail_on(c, &meta);
	if (rc)
		return rc;
	struct pgd_findings f = PGD_FINDINGS_INIT;
	char *desc = NULL;
	char server[32] = "";
	rc = history_findings(c, true, &f, &desc, server);
	if (rc == 0) {
		char *edesc = pgd_xasprintf("migrations %s", c->migrations);
		pgd_findings_sort(&f);
		meta.expected = edesc;
		meta.actual = desc;
		meta.location = c->migrations;
		meta.actual_server = *server ? server : NULL;
		rc = write_reports(c, &f, &meta);
		if (rc == 0 && !meta.fail_on_none &&
		    pgd_findings_count_at_least(&f, meta.fail_on) > 0)
			rc = PGD_EXIT_FINDINGS;
		free(edesc);
	}
	pgd_findings_release(&f);
	free(desc);
	return rc;
}

/* The time an inventory says it was made: SOURCE_DATE_EPOCH when set
 * (reproducible builds), else now; UTC. Caller frees. */
static char *generated_at(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (!*end && v >= 0)
			t = (time_t)v;
	}
	struct tm tm;
	char buf[64];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
	return pgd_xstrdup(buf);
}

/*
 * Scans c->code (refs.h) into scan; notes (skipped files) and a summary go
 * to stderr. Returns an exit code: a folder that cannot be read is a usage
 * error; unreadable files inside it become PGD406 findings.
 */
static int scan_code(struct cli *c, struct pgd_refs_scan *scan)
{
	struct pgd_refs_options ro = {
		c->code, (const char *const *)c->client_globs, c->nclient_globs,
		(const char *const *)c->server_globs, c->nserver_globs,
	};
	struct pgd_error err = PGD_ERROR_INIT;
	double t0 = now_ms();
	struct rusage ru0, ru1;
	getrusage(RUSAGE_SELF, &ru0);
	int rc = pgd_refs_scan_dir(&ro, scan, &err);
	getrusage(RUSAGE_SELF, &ru1);
	double cpu_ms = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec +
			 ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1000.0 +
			(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec +
			 ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1000.0;
	if (rc < 0) {
		pgd_error_print(stderr, &err);
		pgd_error_release(&err);
		return PGD_EXIT_USAGE;
	}
	pgd_diags_print(stderr, &scan->notes);
	if (scan->notes_dropped)
		fprintf(stderr, "pgdrift: note: %zu more files skipped\n",
			scan->notes_dropped);
	if (c->verbose || c->timings)
		fprintf(stderr, "pgdrift: scanned %zu code files in %.0f ms CPU: "
			"%zu references, %zu SQL literals parsed (%zu did not "
			"parse); %zu files not code, %zu paths ignored\n",
			scan->scanned, cpu_ms, scan->nrefs, scan->sql_parsed,
			scan->sql_unparsed, scan->not_code, scan->ignored);
	timing(c, "scan", t0, NULL);
	return PGD_EXIT_OK;
}

/*
 * pgdrift inventory: the document of every migration, table, column, key,
 * index and policy (inventory.h); with --db, every table verified against
 * the database by the drift diff, and --fail-on applied to its findings.
 */
static int cmd_inventory(struct cli *c)
{
	if (!c->migrations)
		return usage_error("%s needs --migrations DIR", "inventory");
	const char *fmt = c->format ? c->format : "markdown";
	if (strcmp(fmt, "markdown") && strcmp(fmt, "json"))
		return usage_error("--format takes markdown or json, not '%s'", fmt);
	struct pgd_report_meta meta = { 0 };
	int rc = parse_fail_on(c, &meta);
	if (rc)
		return rc;
	struct pgd_diags diags = PGD_DIAGS_INIT;
	struct pgd_migration_set *set = NULL;
	struct pgd_schema *exp = NULL, *act = NULL;
	rc = pgd_migrations_find(c->migrations, &set, &diags);
	if (rc == 0 && pgd_migrations_replay(set, &c->load, &exp, &diags) < 0)
		rc = -2;
	pgd_diags_print(stderr, &diags);
	pgd_diags_release(&diags);
	if (rc != 0) {
		fputs("pgdrift: the migrations could not be read completely; no "
		      "inventory was made\n", stderr);
		pgd_migration_set_free(set);
		return rc == -1 ? PGD_EXIT_USAGE : PGD_EXIT_INPUT;
	}
	print_unmodeled(exp, c->show_unmodeled);
	struct pgd_findings f = PGD_FINDINGS_INIT;
	char *adesc = NULL;
	if (c->db) {
		rc = load_source(c, c->db, true, &act, &adesc);
		if (rc == 0) {
			struct pgd_diff_options dopts = {
				(const char *const *)c->schemas, c->nschemas,
				(const char *const *)c->exclude_schemas, c->nexclude_schemas,
				(const char *const *)c->exclude_tables, c->nexclude_tables,
				false,
			};
			pgd_diff(exp, act, &dopts, &f);
			pgd_findings_sort(&f);
		}
	}
	if (rc == 0) {
		pgd_schema_sort(exp);
		char *when = generated_at();
		struct pgd_inventory_options io = { NULL, when, c->migrations,
						    c->db ? adesc : NULL, &f, NULL, 0,
						    NULL };
		struct pgd_refs_scan scan = { 0 };
		if (c->code) {
			rc = scan_code(c, &scan);
			io.uses = pgd_refs_uses(&scan, exp, &io.nuses);
			io.code = c->code;
		}
		struct pgd_strbuf out = PGD_STRBUF_INIT;
		if (!strcmp(fmt, "json"))
			pgd_inventory_json(set, exp, &io, &out);
		else
			pgd_inventory_markdown(set, exp, &io, &out);
		if (rc == 0)
			rc = emit(c, out.buf, out.len);
		pgd_strbuf_release(&out);
		free(when);
		free((void *)io.uses);
		pgd_refs_scan_release(&scan);
		if (rc == 0 && c->db && !meta.fail_on_none &&
		    pgd_findings_count_at_least(&f, meta.fail_on) > 0)
			rc = PGD_EXIT_FINDINGS;
	}
	pgd_findings_release(&f);
	free(adesc);
	pgd_schema_free(exp);
	pgd_schema_free(act);
	pgd_migration_set_free(set);
	return rc;
}

struct load_job {
	struct cli *c;
	const char *spec;
	bool is_db;
	struct pgd_schema *out;
	char *desc;
	int rc;
};

static void *load_job_run(void *arg)
{
	struct load_job *j = arg;
	j->rc = load_source(j->c, j->spec, j->is_db, &j->out, &j->desc);
	return NULL;
}

/*
 * Loads both sources at once: the replay is CPU work here, the catalog read
 * is mostly waiting for the server, and libpg_query keeps its state per
 * thread. Returns the first non-zero exit code.
 */
static int load_both(struct cli *c, const char *from, bool from_db,
		     const char *to, bool to_db, struct pgd_schema **exp,
		     char **edesc, struct pgd_schema **act, char **adesc)
{
	struct load_job a = { c, from, from_db, NULL, NULL, 0 };
	struct load_job b = { c, to, to_db, NULL, NULL, 0 };
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, load_job_run, &b) == 0;
	load_job_run(&a);
	if (threaded)
		pthread_join(th, NULL);
	else
		load_job_run(&b);
	*exp = a.out;
	*edesc = a.desc;
	*act = b.out;
	*adesc = b.desc;
	return a.rc ? a.rc : b.rc;
}

static int audit(struct cli *c, const char *command, const char *from,
		 bool from_db, const char *to, bool to_db, bool with_rls)
{
	struct pgd_report_meta meta = { 0 };
	meta.command = command;
	meta.source_url = c->source_url;
	int rc = parse_fail_on(c, &meta);
	if (rc)
		return rc;
	for (size_t i = 0; i < c->nformats; i++) {
		char *name = pgd_xstrdup(c->formats[i]);
		char *colon = strchr(name, ':');
		if (colon)
			*colon = '\0';
		bool known = pgd_report_find(name) != NULL;
		free(name);
		if (!known)
			return usage_error("unknown format '%s' (known: %s)",
					   c->formats[i], pgd_report_formats());
	}
	struct pgd_schema *exp = NULL, *act = NULL;
	char *edesc = NULL, *adesc = NULL;
	/* check: the history is read with the catalog, in its snapshot */
	struct pgd_history prefetch = PGD_HISTORY_INIT;
	if (!strcmp(command, "check") && !c->no_history && to_db)
		c->history_in = &prefetch;
	rc = load_both(c, from, from_db, to, to_db, &exp, &edesc, &act, &adesc);
	/* what only the database can say about the platform's starting state */
	if (rc == 0 && exp->platform && !act->platform)
		pgd_platform_adopt_db(exp, act, &c->platform);
	/* check: the migration history too, in category history */
	struct pgd_findings hist = PGD_FINDINGS_INIT;
	char *hdesc = NULL;
	char hserver[32];
	if (rc == 0 && !strcmp(command, "check") && !c->no_history)
		rc = history_findings(c, false, &hist, &hdesc, hserver);
	if (rc == 0 && hdesc && c->verbose)
		fprintf(stderr, "pgdrift: %s\n", hdesc);
	if (rc == 0) {
		struct pgd_diff_options dopts = {
			(const char *const *)c->schemas, c->nschemas,
			(const char *const *)c->exclude_schemas, c->nexclude_schemas,
			(const char *const *)c->exclude_tables, c->nexclude_tables,
			true,
		};
		struct pgd_findings f = PGD_FINDINGS_INIT;
		struct pgd_rls_matrix mx = { 0 };
		double t0 = now_ms();
		pgd_diff(exp, act, &dopts, &f);
		timing(c, "diff", t0, NULL);
		take_findings(&f, &hist);
		pgd_findings_sort(&f);
		t0 = now_ms();
		if (with_rls) {
			struct pgd_rls_options ro = {
				(const char *const *)c->exposed, c->nexposed };
			pgd_rls_review(act, &ro, &f, &mx);
			pgd_diff_locate(&f, exp);
			pgd_findings_sort(&f);
			meta.matrix = &mx; /* shown by markdown, or all with --rls-matrix */
		}
		if (with_rls)
			timing(c, "rls", t0, NULL);
		meta.expected = edesc;
		meta.actual = adesc;
		meta.expected_server = exp->server_version;
		meta.actual_server = act->server_version;
		meta.unmodeled_known = !from_db || !to_db;
		meta.unmodeled = (!from_db ? exp->nunmodeled : 0) +
				 (!to_db ? act->nunmodeled : 0);
		size_t ntables = 0;
		char **tables = pgd_diff_audited_tables(exp, act, &dopts, &ntables);
		meta.tables = (const char *const *)tables;
		meta.ntables = ntables;
		/* a folder only: a connection string must never reach a report */
		struct stat st;
		meta.location = !from_db && stat(from, &st) == 0 && S_ISDIR(st.st_mode)
				? from : NULL;
		meta.history = hdesc;
		t0 = now_ms();
		rc = apply_baseline(c, &f, &meta);
		if (rc == 0)
			rc = write_reports(c, &f, &meta);
		timing(c, "report", t0, NULL);
		for (size_t i = 0; i < ntables; i++)
			free(tables[i]);
		free(tables);
		pgd_rls_matrix_release(&mx);
		if (rc == 0 && !meta.fail_on_none &&
		    pgd_findings_count_at_least(&f, meta.fail_on) > 0)
			rc = PGD_EXIT_FINDINGS;
		if (rc == 0 && c->fail_on_unmodeled && meta.unmodeled) {
			fprintf(stderr, "pgdrift: %zu statement%s not modeled: the audit is "
				"partial (--fail-on-unmodeled)\n", meta.unmodeled,
				meta.unmodeled == 1 ? " was" : "s were");
			rc = PGD_EXIT_FINDINGS;
		}
		pgd_findings_release(&f);
	}
	pgd_findings_release(&hist);
	free(hdesc);
	pgd_history_release(&prefetch);
	c->history_in = NULL;
	c->history_read = false;
	pgd_schema_free(exp);
	pgd_schema_free(act);
	free(edesc);
	free(adesc);
	return rc;
}

/* Every --format of a fleet report; --min-severity hides lesser findings
 * from the reports (not from the exit codes). */
static int write_fleet_reports(struct cli *c, const struct pgd_fleet_results *r,
			       const struct pgd_report_meta *meta)
{
	struct pgd_fleet_db *rows = pgd_fleet_report_rows(r);
	struct pgd_findings *shown = NULL;
	if (c->min_severity) {
		int min = pgd_severity_parse(c->min_severity);
		if (min < 0) {
			free(rows);
			return usage_error("--min-severity takes error, warning or info, not '%s'",
					   c->min_severity);
		}
		shown = pgd_xcalloc(r->n + 1, sizeof(*shown));
		for (size_t d = 0; d < r->n; d++) {
			const struct pgd_findings *all = &r->v[d].findings;
			shown[d].v = pgd_xcalloc(all->n + 1, sizeof(*shown[d].v));
			for (size_t i = 0; i < all->n; i++)
				if ((int)all->v[i].severity >= min)
					shown[d].v[shown[d].n++] = all->v[i];
			rows[d].findings = &shown[d];
		}
	}
	char *deflt = (char *)"text";
	char **formats = c->nformats ? c->formats : &deflt;
	size_t n = c->nformats ? c->nformats : 1;
	int rc = PGD_EXIT_OK;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *spec = pgd_xstrdup(formats[i]);
		char *colon = strchr(spec, ':');
		const char *file = c->output;
		if (colon) {
			*colon = '\0';
			file = colon + 1;
		}
		pgd_fleet_reporter rep = pgd_report_fleet_find(spec);
		if (!rep) {
			rc = usage_error("unknown format '%s' (known: %s)", spec,
					 pgd_report_formats());
			free(spec);
			break;
		}
		struct pgd_strbuf out = PGD_STRBUF_INIT;
		rep(rows, r->n, meta, &out);
		struct cli sub = *c;
		sub.output = file;
		rc = emit(&sub, out.buf, out.len);
		pgd_strbuf_release(&out);
		free(spec);
	}
	if (shown)
		for (size_t d = 0; d < r->n; d++)
			free(shown[d].v);
	free(shown);
	free(rows);
	return rc;
}

/* Each database's exit code under meta's --fail-on; errors stay 4. */
static void fleet_exit_codes(struct pgd_fleet_results *r,
			     const struct pgd_report_meta *meta)
{
	for (size_t d = 0; d < r->n; d++) {
		struct pgd_fleet_result *x = &r->v[d];
		if (x->error)
			x->exit_code = PGD_EXIT_DB;
		else
			x->exit_code = !meta->fail_on_none &&
				pgd_findings_count_at_least(&x->findings, meta->fail_on) > 0
				? PGD_EXIT_FINDINGS : PGD_EXIT_OK;
	}
}

static int check_fleet_formats(const struct cli *c)
{
	for (size_t i = 0; i < c->nformats; i++) {
		char *name = pgd_xstrdup(c->formats[i]);
		char *colon = strchr(name, ':');
		if (colon)
			*colon = '\0';
		bool known = pgd_report_fleet_find(name) != NULL;
		free(name);
		if (!known)
			return usage_error("unknown format '%s' (known: %s)",
					   c->formats[i], pgd_report_formats());
	}
	return 0;
}

static int apply_fleet_baseline(const struct cli *c, struct pgd_fleet_results *r,
				struct pgd_report_meta *meta);

/*
 * check, rls or diff over the databases of --db-list: the expected side
 * (from: a migration folder or a snapshot; NULL for rls) is built once,
 * every database read and audited by the fleet module, then one report.
 * The exit code is the worst over the fleet: 4 if any database failed.
 */
static int cmd_fleet(struct cli *c, const char *command, const char *from,
		     bool with_rls)
{
	struct pgd_report_meta meta = { 0 };
	meta.command = command;
	int rc = parse_fail_on(c, &meta);
	if (rc == 0)
		rc = check_fleet_formats(c);
	if (rc)
		return rc;
	if (c->db)
		return usage_error("%s", "--db and --db-list do not go together");
	if (c->write_baseline)
		return usage_error("%s", "--write-baseline takes one database (--db), "
				   "not a fleet");
	if (c->rls_matrix || c->history_table)
		return usage_error("%s", "--rls-matrix and --history-table take one "
				   "database (--db), not a fleet");
	if (from && looks_like_conninfo(from))
		return usage_error("%s", "with --db-list the left side of diff is a "
				   "migration folder or a snapshot file");
	unsigned si = 1, sn = 1;
	if (c->shard && pgd_fleet_shard_parse(c->shard, &si, &sn))
		return usage_error("--shard takes I/N with 1 <= I <= N <= 1000, not '%s'",
				   c->shard);
	struct pgd_fleet_list list;
	struct pgd_error err = PGD_ERROR_INIT;
	if (pgd_fleet_list_read(c->db_list, &list, &err) < 0) {
		pgd_error_print(stderr, &err);
		pgd_error_release(&err);
		return PGD_EXIT_USAGE;
	}
	size_t listed = list.n;
	if (c->shard)
		pgd_fleet_list_shard(&list, si, sn);
	if (c->verbose && c->shard)
		fprintf(stderr, "pgdrift: shard %u/%u: %zu of %zu databases\n", si, sn,
			list.n, listed);
	struct pgd_schema *exp = NULL;
	char *edesc = NULL;
	if (from) {
		rc = load_source(c, from, false, &exp, &edesc);
		if (rc) {
			free(edesc);
			pgd_fleet_list_release(&list);
			return rc;
		}
		print_unmodeled(exp, c->show_unmodeled);
	}
	/* a migration folder's completeness, said once for the fleet */
	meta.unmodeled_known = exp != NULL;
	meta.unmodeled = exp ? exp->nunmodeled : 0;
	struct pgd_diff_options dopts = {
		(const char *const *)c->schemas, c->nschemas,
		(const char *const *)c->exclude_schemas, c->nexclude_schemas,
		(const char *const *)c->exclude_tables, c->nexclude_tables,
		true,
	};
	struct pgd_rls_options ro = { (const char *const *)c->exposed, c->nexposed };
	struct pgd_fleet_options fo = {
		exp, &dopts, with_rls ? &ro : NULL, c->jobs, c->timeout_ms, c->verbose,
	};
	struct pgd_fleet_results res;
	double t0 = now_ms();
	pgd_fleet_run(&list, &fo, &res);
	char extra[64];
	snprintf(extra, sizeof(extra), "%zu databases, %d at once", list.n,
		 c->jobs ? c->jobs : 4);
	timing(c, "fleet", t0, extra);
	pgd_fleet_list_release(&list);
	for (size_t d = 0; d < res.n; d++)
		if (res.v[d].error)
			fprintf(stderr, "pgdrift: %s: error: %s\n", res.v[d].name,
				res.v[d].error);
	pgd_fleet_results_sort(&res);
	meta.expected = from ? edesc : "row level security review";
	meta.actual = "fleet";
	struct stat st;
	meta.location = from && stat(from, &st) == 0 && S_ISDIR(st.st_mode) ? from : NULL;
	rc = apply_fleet_baseline(c, &res, &meta);
	if (rc == 0) {
		fleet_exit_codes(&res, &meta);
		rc = write_fleet_reports(c, &res, &meta);
	}
	if (rc == 0)
		rc = pgd_fleet_exit(&res);
	pgd_fleet_results_release(&res);
	pgd_schema_free(exp);
	free(edesc);
	return rc;
}

/* pgdrift merge REPORT.json...: shard reports into one fleet report. */
static int cmd_merge(struct cli *c)
{
	if (!c->npositional)
		return usage_error("%s", "merge takes the JSON reports to merge");
	if (c->migrations || c->db || c->baseline || c->write_baseline)
		return usage_error("%s", "merge reads reports only: --format, -o, "
				   "--fail-on and --min-severity apply");
	struct pgd_report_meta meta = { 0 };
	int rc = parse_fail_on(c, &meta);
	if (rc == 0)
		rc = check_fleet_formats(c);
	if (rc)
		return rc;
	struct pgd_fleet_results res = PGD_FLEET_RESULTS_INIT;
	char *command = NULL, *expected = NULL;
	for (size_t i = 0; i < c->npositional && rc == 0; i++) {
		struct pgd_strbuf text = PGD_STRBUF_INIT;
		struct pgd_error err = PGD_ERROR_INIT;
		if (pgd_strbuf_read_file(&text, c->positional[i]) < 0) {
			fprintf(stderr, "pgdrift: error: cannot read %s: %s\n",
				c->positional[i], strerror(errno));
			rc = PGD_EXIT_USAGE;
		} else if (pgd_fleet_merge_text(c->positional[i], text.buf, &res, &command,
						&expected, &err) < 0) {
			pgd_error_print(stderr, &err);
			rc = PGD_EXIT_USAGE;
		}
		pgd_error_release(&err);
		pgd_strbuf_release(&text);
	}
	if (rc == 0) {
		pgd_fleet_results_sort(&res);
		meta.command = command ? command : "check";
		meta.expected = expected;
		meta.unmodeled_known = res.unmodeled_known;
		meta.unmodeled = res.unmodeled;
		meta.actual = "fleet";
		fleet_exit_codes(&res, &meta);
		rc = write_fleet_reports(c, &res, &meta);
		if (rc == 0)
			rc = pgd_fleet_exit(&res);
	}
	free(command);
	free(expected);
	pgd_fleet_results_release(&res);
	return rc;
}

/* --baseline for a fleet: entries naming a database apply to it alone,
 * the others to every database (baseline.h). Returns an exit code. */
static int apply_fleet_baseline(const struct cli *c, struct pgd_fleet_results *r,
				struct pgd_report_meta *meta)
{
	if (!c->baseline)
		return 0;
	char day[11];
	int rc = today(day);
	if (rc)
		return rc;
	struct pgd_baseline *b = NULL;
	struct pgd_error err = PGD_ERROR_INIT;
	if (pgd_baseline_read_file(c->baseline, &b, &err) < 0) {
		pgd_error_print(stderr, &err);
		pgd_error_release(&err);
		return PGD_EXIT_USAGE;
	}
	struct pgd_baseline_db *dbs = pgd_xcalloc(r->n + 1, sizeof(*dbs));
	for (size_t d = 0; d < r->n; d++)
		dbs[d] = (struct pgd_baseline_db){ r->v[d].name, &r->v[d].findings,
						   !r->v[d].error, 0 };
	pgd_baseline_apply_fleet(b, dbs, r->n, day, !c->shard);
	for (size_t d = 0; d < r->n; d++) {
		r->v[d].suppressed = dbs[d].suppressed;
		meta->suppressed += dbs[d].suppressed;
	}
	meta->baseline = c->baseline;
	free(dbs);
	pgd_baseline_free(b);
	return 0;
}

static int cmd_check(struct cli *c)
{
	if (!c->migrations)
		return usage_error("%s needs --migrations DIR", "check");
	if (c->db_list)
		return cmd_fleet(c, "check", c->migrations, !c->no_rls);
	return audit(c, "check", c->migrations, false, c->db, true, !c->no_rls);
}

/* pgdrift rls: the review alone, of a database or of the migrations. */
static int cmd_rls(struct cli *c)
{
	struct pgd_report_meta meta = { 0 };
	meta.command = "rls";
	meta.source_url = c->source_url;
	int rc = parse_fail_on(c, &meta);
	if (rc)
		return rc;
	if (c->db_list) {
		if (c->migrations)
			return usage_error("%s", "rls takes --migrations or --db-list, "
					   "not both");
		return cmd_fleet(c, "rls", NULL, true);
	}
	struct pgd_schema *m = NULL;
	char *desc = NULL;
	if (c->migrations)
		rc = load_source(c, c->migrations, false, &m, &desc);
	else
		rc = load_source(c, c->db, true, &m, &desc);
	if (rc) {
		free(desc);
		return rc;
	}
	struct pgd_findings f = PGD_FINDINGS_INIT;
	struct pgd_rls_matrix mx = { 0 };
	struct pgd_rls_options ro = { (const char *const *)c->exposed, c->nexposed };
	pgd_rls_review(m, &ro, &f, &mx);
	pgd_findings_sort(&f);
	meta.expected = "row level security review";
	meta.actual = desc;
	meta.actual_server = m->server_version;
	meta.matrix = &mx;
	meta.location = c->migrations;
	meta.unmodeled_known = c->migrations != NULL;
	meta.unmodeled = c->migrations ? m->nunmodeled : 0;
	const char **tables = pgd_xcalloc(mx.n + 1, sizeof(*tables));
	for (size_t i = 0; i < mx.n; i++)
		tables[i] = mx.rows[i].table;
	meta.tables = tables;
	meta.ntables = mx.n;
	rc = apply_baseline(c, &f, &meta);
	if (rc == 0)
		rc = write_reports(c, &f, &meta);
	free(tables);
	if (rc == 0 && !meta.fail_on_none &&
	    pgd_findings_count_at_least(&f, meta.fail_on) > 0)
		rc = PGD_EXIT_FINDINGS;
	pgd_rls_matrix_release(&mx);
	pgd_findings_release(&f);
	pgd_schema_free(m);
	free(desc);
	return rc;
}

/*
 * The refs findings of scan against one schema source; mx gets its RLS
 * matrix (the caller releases it) and *m the model.
 */
static int refs_against(struct cli *c, const char *spec, bool is_db,
			const struct pgd_refs_scan *scan, struct pgd_schema **m,
			char **desc, struct pgd_rls_matrix *mx,
			struct pgd_findings *f)
{
	int rc = load_source(c, spec, is_db, m, desc);
	if (rc)
		return rc;
	struct pgd_findings rls = PGD_FINDINGS_INIT;
	struct pgd_rls_options ro = { (const char *const *)c->exposed, c->nexposed };
	pgd_rls_review(*m, &ro, &rls, mx);
	pgd_findings_release(&rls);
	struct pgd_refs_check_options co = { (const char *const *)c->exposed,
					     c->nexposed };
	pgd_refs_check(scan, *m, mx, &co, f);
	return PGD_EXIT_OK;
}

/*
 * pgdrift refs: application code against the schema of the migrations,
 * the database, or both (both checked; a finding one side only has says
 * so).
 */
static int cmd_refs(struct cli *c)
{
	if (!c->code)
		return usage_error("%s needs --code DIR", "refs");
	struct pgd_report_meta meta = { 0 };
	meta.command = "refs";
	int rc = parse_fail_on(c, &meta);
	if (rc)
		return rc;
	for (size_t i = 0; i < c->nformats; i++) {
		char *name = pgd_xstrdup(c->formats[i]);
		char *colon = strchr(name, ':');
		if (colon)
			*colon = '\0';
		bool known = pgd_report_find(name) != NULL;
		free(name);
		if (!known)
			return usage_error("unknown format '%s' (known: %s)",
					   c->formats[i], pgd_report_formats());
	}
	struct pgd_refs_scan scan = { 0 };
	rc = scan_code(c, &scan);
	struct pgd_schema *mm = NULL, *dm = NULL;
	char *mdesc = NULL, *ddesc = NULL;
	struct pgd_rls_matrix mmx = { 0 }, dmx = { 0 };
	struct pgd_findings mf = PGD_FINDINGS_INIT, df = PGD_FINDINGS_INIT;
	struct pgd_findings f = PGD_FINDINGS_INIT;
	bool use_db = c->db || !c->migrations;
	if (rc == 0 && c->migrations)
		rc = refs_against(c, c->migrations, false, &scan, &mm, &mdesc, &mmx, &mf);
	if (rc == 0 && use_db)
		rc = refs_against(c, c->db, true, &scan, &dm, &ddesc, &dmx, &df);
	if (rc == 0) {
		if (c->migrations && use_db)
			pgd_refs_merge(&mf, "migrations", &df, "database", &f);
		else
			take_findings(&f, c->migrations ? &mf : &df);
		pgd_findings_sort(&f);
		struct pgd_rls_matrix *mx = use_db ? &dmx : &mmx;
		pgd_refs_mark_matrix(&scan, mx);
		char *edesc = pgd_xasprintf("code %s", c->code);
		char *adesc = c->migrations && use_db
			? pgd_xasprintf("%s and %s", mdesc, ddesc)
			: pgd_xstrdup(c->migrations ? mdesc : ddesc);
		meta.expected = edesc;
		meta.actual = adesc;
		meta.matrix = mx;
		meta.location = c->code;
		/* how complete the migrations side was, as every report says */
		meta.unmodeled_known = mm != NULL;
		meta.unmodeled = mm ? mm->nunmodeled : 0;
		const char **tables = pgd_xcalloc(mx->n + 1, sizeof(*tables));
		for (size_t i = 0; i < mx->n; i++)
			tables[i] = mx->rows[i].table;
		meta.tables = tables;
		meta.ntables = mx->n;
		rc = apply_baseline(c, &f, &meta);
		if (rc == 0)
			rc = write_reports(c, &f, &meta);
		if (rc == 0 && !meta.fail_on_none &&
		    pgd_findings_count_at_least(&f, meta.fail_on) > 0)
			rc = PGD_EXIT_FINDINGS;
		if ((rc == 0 || rc == PGD_EXIT_FINDINGS) && scan.incomplete) {
			fputs("pgdrift: some code could not be read (PGD406); the "
			      "report is partial\n", stderr);
			rc = PGD_EXIT_INPUT;
		}
		free(tables);
		free(edesc);
		free(adesc);
	}
	pgd_findings_release(&f);
	pgd_findings_release(&mf);
	pgd_findings_release(&df);
	pgd_rls_matrix_release(&mmx);
	pgd_rls_matrix_release(&dmx);
	pgd_schema_free(mm);
	pgd_schema_free(dm);
	free(mdesc);
	free(ddesc);
	pgd_refs_scan_release(&scan);
	return rc;
}

static int cmd_diff(struct cli *c)
{
	if (c->db_list) {
		if (c->npositional != 1)
			return usage_error("%s", "diff with --db-list takes one source: "
				"FROM (a migration folder or a snapshot file)");
		return cmd_fleet(c, "diff", c->positional[0], false);
	}
	if (c->npositional != 2)
		return usage_error("%s", "diff takes two sources: FROM TO (a migration "
			"folder, a snapshot file, or a connection string)");
	return audit(c, "diff", c->positional[0], false, c->positional[1], false,
		     false);
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	struct pgd_load_options lo = PGD_LOAD_OPTIONS_INIT;
	struct pgd_platform_profile pp = PGD_PLATFORM_PROFILE_INIT;
	int rc;
	c.load = lo;
	c.platform = pp;
	c.load.platform = &c.platform;
	/* exit 3 is for unreadable input: a statement the replay cannot model
	 * is reported (PGD901) and the audit goes on */
	c.load.allow_unmodeled = true;
	if (argc < 2) {
		usage(stderr);
		return PGD_EXIT_USAGE;
	}
	c.command = argv[1];
	if (!strcmp(c.command, "--version") || !strcmp(c.command, "version")) {
		printf("pgdrift %s (libpg_query grammar PostgreSQL %s)\n"
		       "migrations: parsed with %s\n"
		       "databases: PostgreSQL 15, 16, 17 and 18\n",
		       PGD_VERSION, pgd_normalize_grammar_version(),
		       pgd_normalize_grammar_name());
		return PGD_EXIT_OK;
	}
	if (!strcmp(c.command, "help") || !strcmp(c.command, "--help") ||
	    !strcmp(c.command, "-h")) {
		usage(stdout);
		return PGD_EXIT_OK;
	}
	rc = parse_args(&c, argc, argv);
	if (rc == 0) {
		if (!strcmp(c.command, "expected"))
			rc = cmd_expected(&c);
		else if (!strcmp(c.command, "snapshot"))
			rc = cmd_snapshot(&c);
		else if (!strcmp(c.command, "check"))
			rc = cmd_check(&c);
		else if (!strcmp(c.command, "diff"))
			rc = cmd_diff(&c);
		else if (!strcmp(c.command, "rls"))
			rc = cmd_rls(&c);
		else if (!strcmp(c.command, "history"))
			rc = cmd_history(&c);
		else if (!strcmp(c.command, "inventory"))
			rc = cmd_inventory(&c);
		else if (!strcmp(c.command, "refs"))
			rc = cmd_refs(&c);
		else if (!strcmp(c.command, "merge"))
			rc = cmd_merge(&c);
		else
			rc = usage_error("unknown command '%s'", c.command);
	}
	for (size_t i = 0; i < c.nsearch_path; i++)
		free(c.search_path[i]);
	free(c.search_path);
	free(c.schemas);
	free(c.formats);
	free(c.exclude_schemas);
	free(c.exclude_tables);
	free(c.positional);
	free(c.exposed);
	free(c.client_globs);
	free(c.server_globs);
	return rc;
}

/*
 * report.h - findings -> one output format. Reporters decide nothing: not
 * severity, not exit codes; they print what they are given, escaping every
 * identifier for their format. One file per format, one row in the
 * dispatch table.
 */
#ifndef PGDRIFT_REPORT_H
#define PGDRIFT_REPORT_H

#include <stdbool.h>

#include "pgdrift/finding.h"
#include "pgdrift/rls.h"

struct pgd_strbuf;

struct pgd_report_meta {
	const char *command;  /* "check", "diff", "rls" */
	const char *expected; /* description of the expected side */
	const char *actual;   /* description of the actual side */
	enum pgd_severity fail_on; /* for the summary line only */
	bool fail_on_none;
	bool color;           /* ANSI colour (text, on a terminal) */
	const char *version;  /* the tool version to print; NULL: this build's
				 (golden tests pin it) */
	const struct pgd_rls_matrix *matrix; /* the RLS coverage matrix, or NULL */
	/* the tables audited ("schema.table", quoted as needed, sorted): JUnit
	 * makes one test case of each; NULL/0 when unknown */
	const char *const *tables;
	size_t ntables;
	/* where a finding with no migration file points (Code Quality needs a
	 * path): the migrations folder; NULL for "." */
	const char *location;
	/* the PostgreSQL version of each side ("17.10") when it is a database
	 * or a snapshot of one, else NULL; shown in every report's header */
	const char *expected_server;
	const char *actual_server;
	/* how complete the audit was: the statements the replay did not
	 * model ("N statements not modeled"); unmodeled_known is false when
	 * neither side is a migration folder */
	bool unmodeled_known;
	size_t unmodeled;
	size_t suppressed;    /* findings a baseline suppressed */
	const char *baseline; /* the baseline file, or NULL */
	/* the migration history compared ("history table ... (N rows)"), or
	 * NULL when none was */
	const char *history;
	/* --source-url: a link template with {path} and {line} (HTML); NULL:
	 * links are the migration paths as given, relative */
	const char *source_url;
	/* every finding, when the report shows fewer (--min-severity): the
	 * verdict is taken over these; NULL: the findings shown are all */
	const struct pgd_findings *all;
};

/* What every report's summary block says, counted once. */
struct pgd_report_summary {
	size_t sev[3];    /* findings by severity (enum pgd_severity) */
	size_t cat[PGD_CAT_COUNT][3]; /* by category (enum pgd_category), severity */
	bool failed;      /* findings at or above --fail-on, shown or not */
	int exit_code;    /* what the run exits with: 1 when failed, else 0 */
	size_t hidden;    /* findings --min-severity left out of the report */
};

void pgd_report_summarize(const struct pgd_findings *f,
			  const struct pgd_report_meta *meta,
			  struct pgd_report_summary *s);
/*
 * One line on how complete the audit was: statements not modeled,
 * exposed schemas assumed. Plain text (the caller escapes it for its
 * format); the caller frees it.
 */
char *pgd_report_completeness(const struct pgd_report_meta *meta);

typedef void (*pgd_reporter)(const struct pgd_findings *f,
			     const struct pgd_report_meta *meta,
			     struct pgd_strbuf *out);

/* The reporter for a format name ("text", "json"), or NULL. */
pgd_reporter pgd_report_find(const char *format);
/* "text, json": the names pgd_report_find knows. */
const char *pgd_report_formats(void);

void pgd_report_text(const struct pgd_findings *f,
		     const struct pgd_report_meta *meta, struct pgd_strbuf *out);
void pgd_report_json(const struct pgd_findings *f,
		     const struct pgd_report_meta *meta, struct pgd_strbuf *out);
void pgd_report_markdown(const struct pgd_findings *f,
			 const struct pgd_report_meta *meta, struct pgd_strbuf *out);
void pgd_report_sarif(const struct pgd_findings *f,
		      const struct pgd_report_meta *meta, struct pgd_strbuf *out);
void pgd_report_junit(const struct pgd_findings *f,
		      const struct pgd_report_meta *meta, struct pgd_strbuf *out);
void pgd_report_codequality(const struct pgd_findings *f,
			    const struct pgd_report_meta *meta,
			    struct pgd_strbuf *out);
/* One self-contained HTML page: pgd_report_html_begin, one
 * pgd_report_html_database, pgd_report_html_end. */
void pgd_report_html(const struct pgd_findings *f,
		     const struct pgd_report_meta *meta, struct pgd_strbuf *out);

/*
 * The HTML page in parts, so that a page may hold many databases (fleet
 * mode): begin once (title: plain text, escaped here), then one section
 * per database, then end. id names the section: its element ids start with
 * it, so it must be unique in the page and made of [A-Za-z0-9_-]; heading
 * is the section's heading (plain text, escaped here), or NULL for none.
 * The section holds that database's verdict, findings, RLS grid and
 * migration history.
 */
void pgd_report_html_begin(struct pgd_strbuf *out, const char *title);
void pgd_report_html_database(const struct pgd_findings *f,
			      const struct pgd_report_meta *meta,
			      const char *id, const char *heading,
			      struct pgd_strbuf *out);
void pgd_report_html_end(struct pgd_strbuf *out, const char *version);
/* Appends s (NULL: nothing) escaped for HTML text and attribute values:
 * & < > " ' as entities; control characters shown as \n, \xNN. */
void pgd_report_html_escape(struct pgd_strbuf *out, const char *s);

/*
 * Fleets (fleet.h): one database of many, as a fleet reporter sees it.
 * Everything is borrowed. name is the list's name, never a connection
 * string; error is the redacted reason it could not be read (then
 * findings is empty and exit_code PGD_EXIT_DB).
 */
struct pgd_fleet_db {
	const char *name;
	const char *error;
	int exit_code;   /* this database's own: 0, 1 or 4 */
	const struct pgd_findings *findings;
	const char *const *tables; /* audited tables, as meta->tables */
	size_t ntables;
	size_t suppressed;
};

/*
 * A fleet reporter: every database in dbs[0..n) (in the order given), meta
 * for what they share (command, sides, fail_on, version, location). Every
 * format has one; a new format (HTML) adds one row to the fleet table.
 */
typedef void (*pgd_fleet_reporter)(const struct pgd_fleet_db *dbs, size_t n,
				   const struct pgd_report_meta *meta,
				   struct pgd_strbuf *out);

/* The fleet reporter for a format name, or NULL. */
pgd_fleet_reporter pgd_report_fleet_find(const char *format);

void pgd_report_fleet_text(const struct pgd_fleet_db *dbs, size_t n,
			   const struct pgd_report_meta *meta, struct pgd_strbuf *out);
void pgd_report_fleet_json(const struct pgd_fleet_db *dbs, size_t n,
			   const struct pgd_report_meta *meta, struct pgd_strbuf *out);
void pgd_report_fleet_markdown(const struct pgd_fleet_db *dbs, size_t n,
			       const struct pgd_report_meta *meta,
			       struct pgd_strbuf *out);
void pgd_report_fleet_sarif(const struct pgd_fleet_db *dbs, size_t n,
			    const struct pgd_report_meta *meta, struct pgd_strbuf *out);
void pgd_report_fleet_junit(const struct pgd_fleet_db *dbs, size_t n,
			    const struct pgd_report_meta *meta, struct pgd_strbuf *out);
void pgd_report_fleet_codequality(const struct pgd_fleet_db *dbs, size_t n,
				  const struct pgd_report_meta *meta,
				  struct pgd_strbuf *out);
void pgd_report_fleet_html(const struct pgd_fleet_db *dbs, size_t n,
			   const struct pgd_report_meta *meta, struct pgd_strbuf *out);

/* Appends s (NULL: nothing) escaped for GitLab/GitHub Markdown, in text or
 * in a table cell: HTML-special characters as entities, Markdown
 * punctuation with a backslash, newlines and control characters shown
 * as \n and \xNN. */
void pgd_report_markdown_escape(struct pgd_strbuf *out, const char *s);

#endif

/*
 * refs.h - code references: which tables, functions and storage buckets
 * an application's code reaches, with which commands, from which file and
 * line, and whether a schema model serves them safely.
 *
 * The scanner tokenizes (never regexes over raw text): JavaScript and
 * TypeScript (template literals with ${} nesting, regex literals, JSX
 * tolerated), Python (every quote form, f-strings), and one C-like
 * tokenizer for Dart, Swift and Kotlin. Supabase client calls are matched
 * on the token stream; SQL found in string and template literals goes to
 * normalize's libpg_query analysis (pgd_normalize_sql_refs).
 *
 * struct pgd_refs_scan owns everything it points to (one arena plus its
 * vectors); pgd_refs_scan_release frees all. The tokens vector owns its
 * token array and value buffer (pgd_tokens_release).
 */
#ifndef PGDRIFT_REFS_H
#define PGDRIFT_REFS_H

#include <stdbool.h>
#include <stddef.h>

#include "pgdrift/diag.h"
#include "pgdrift/finding.h"
#include "pgdrift/inventory.h"
#include "pgdrift/map.h"
#include "pgdrift/rls.h"
#include "pgdrift/schema.h"
#include "pgdrift/strbuf.h"

/* ---- tokenizers */

enum pgd_lang {
	PGD_LANG_NONE,
	PGD_LANG_JS,     /* .js .jsx .mjs .cjs .ts .tsx .mts .cts */
	PGD_LANG_PYTHON, /* .py */
	PGD_LANG_DART,   /* .dart */
	PGD_LANG_SWIFT,  /* .swift */
	PGD_LANG_KOTLIN, /* .kt .kts */
};

/* The language of a file name by its extension; PGD_LANG_NONE if none. */
enum pgd_lang pgd_lang_of_path(const char *path);
const char *pgd_lang_name(enum pgd_lang l);

enum pgd_tok {
	PGD_TOK_IDENT,
	PGD_TOK_NUMBER,
	PGD_TOK_STRING,   /* a quoted string literal (any quote form) */
	PGD_TOK_TEMPLATE, /* a JS template literal */
	PGD_TOK_REGEX,    /* a JS regular expression literal */
	PGD_TOK_PUNCT,    /* one character, or "?." */
};

struct pgd_token {
	enum pgd_tok kind;
	unsigned line;  /* 1-based line of the first character */
	size_t off;     /* the token's bytes in the source: off, len */
	size_t len;
	/* STRING and TEMPLATE: the value (escapes decoded, each substitution
	 * replaced by $1, $2, ...) at vals.buf + voff, vlen bytes, NUL
	 * terminated; 0/0 for other kinds */
	size_t voff, vlen;
	unsigned nsubst; /* substitutions: ${...}, Python {...}, Dart $x */
	char prefix;     /* Python: 'f' for an f-string, 'r' raw, 'b' bytes,
			    else 0; Dart: 'r' for a raw string */
};

struct pgd_tokens {
	struct pgd_token *v;
	size_t n, alloc;
	struct pgd_strbuf vals; /* every string value, NUL separated */
};

#define PGD_TOKENS_INIT { NULL, 0, 0, PGD_STRBUF_INIT }

/*
 * Tokenizes src (len bytes) as lang into out (emptied first; its buffers
 * are reused, so one pgd_tokens serves a whole scan with bounded memory).
 * Comments produce no token. A substitution's own tokens follow the
 * template or string token that contains it. Never fails: an unterminated
 * literal ends at the end of its line (JS, Python one-line strings) or of
 * the file.
 */
void pgd_tokenize(enum pgd_lang lang, const char *src, size_t len,
		  struct pgd_tokens *out);
void pgd_tokens_release(struct pgd_tokens *t);
/* A STRING or TEMPLATE token's value (NUL terminated, owned by t). */
const char *pgd_token_val(const struct pgd_tokens *t, size_t i);

/* ---- references */

enum pgd_ref_kind {
	PGD_REF_TABLE,    /* .from('t'), .table('t'), a relation in SQL */
	PGD_REF_FUNCTION, /* .rpc('fn'), a function call in SQL */
	PGD_REF_BUCKET,   /* .storage.from('bucket') */
};

enum pgd_ref_via {
	PGD_VIA_API, /* a Supabase client call: PostgREST, RLS applies */
	PGD_VIA_SQL, /* SQL text in a literal: a direct connection */
};

/* Commands, as bits of pgd_ref.ops. */
enum {
	PGD_OP_SELECT = 1 << 0,
	PGD_OP_INSERT = 1 << 1,
	PGD_OP_UPDATE = 1 << 2,
	PGD_OP_DELETE = 1 << 3,
	PGD_OP_EXECUTE = 1 << 4,
};

/* "select, insert" for ops (static buffer of the caller, 64 bytes). */
const char *pgd_ops_text(unsigned ops, char buf[64]);

/* Who runs a file's calls. */
enum pgd_side {
	PGD_SIDE_UNKNOWN, /* nothing says: treated as not service role */
	PGD_SIDE_CLIENT,  /* the anon key or the browser */
	PGD_SIDE_SERVER,  /* the service role key or server-only code */
};
const char *pgd_side_name(enum pgd_side s);

struct pgd_ref {
	enum pgd_ref_kind kind;
	enum pgd_ref_via via;
	const char *schema; /* .schema('s') or as written in SQL, or NULL
			       (the API's public; SQL's search_path public) */
	const char *name;
	unsigned ops;       /* PGD_OP_* bits; 0 when the chain names none */
	size_t file;        /* index into files */
	unsigned line;
};

struct pgd_ref_file {
	const char *path;   /* CODE_DIR/relative path, as reports print it */
	const char *rel;    /* relative to the code folder */
	enum pgd_lang lang;
	enum pgd_side side;
	const char *why;    /* what decided side, e.g. "anon key" */
	/* JS/TS files judged by name, folders or language only: the local
	 * modules they import, as paths under the code folder without
	 * extension (for pgd_refs_scan_finish) */
	const char **imports;
	size_t nimports;
};

struct pgd_refs_scan {
	struct pgd_arena *arena; /* every string below */
	struct pgd_ref *refs;
	size_t nrefs, arefs;
	struct pgd_ref_file *files; /* code files with at least one ref, and
				       every file a glob or key classified */
	size_t nfiles, afiles;
	struct pgd_diags notes;  /* files skipped: notes (not UTF-8, too
				    large) and errors (unreadable), at most
				    PGD_REFS_MAX_NOTES */
	bool incomplete;         /* a file or folder could not be read */
	size_t notes_dropped;    /* notes beyond that */
	size_t scanned;          /* code files tokenized */
	size_t not_code;         /* files skipped for their extension */
	size_t ignored;          /* paths skipped by .gitignore or by name */
	size_t sql_parsed, sql_unparsed; /* SQL-looking literals */
	struct pgd_tokens scratch; /* reused for every file */
	struct pgd_map *keyed;   /* JS/TS module path -> what its keys say */
};

#define PGD_REFS_MAX_NOTES 100
/* Files larger than this are skipped with a note. */
#define PGD_REFS_MAX_FILE (4u << 20)

struct pgd_refs_options {
	const char *code_dir;
	/* --client-glob / --server-glob: globs on the path relative to
	 * code_dir ('*' within a name, '**' across folders, '?', [...]) */
	const char *const *client_globs;
	size_t nclient_globs;
	const char *const *server_globs;
	size_t nserver_globs;
};

/*
 * Walks o->code_dir (skipping node_modules, dist, build, .next, out,
 * target, .git and what .gitignore files exclude), tokenizes every code
 * file and records its references into out (zero it first, release with
 * pgd_refs_scan_release). Returns 0, or -1 with err when code_dir cannot
 * be read (exit code PGD_EXIT_USAGE); a file that cannot be read is a note
 * and makes the scan incomplete: returns 1 then.
 */
int pgd_refs_scan_dir(const struct pgd_refs_options *o,
		      struct pgd_refs_scan *out, struct pgd_error *err);
/*
 * Scans one file's text as if found at rel under o->code_dir (for tests
 * and for pgd_refs_scan_dir). Returns how many references it added.
 */
size_t pgd_refs_scan_text(const struct pgd_refs_options *o,
			  struct pgd_refs_scan *s, const char *rel,
			  const char *text, size_t len);
/*
 * After the last pgd_refs_scan_text: a file whose side only its name,
 * folders or language decided takes the side of the first local module it
 * imports that names a key. pgd_refs_scan_dir calls it.
 */
void pgd_refs_scan_finish(struct pgd_refs_scan *s);
void pgd_refs_scan_release(struct pgd_refs_scan *s);

/* Whether glob matches path ('*' not across '/', '**' across, '?', [..]). */
bool pgd_refs_glob_match(const char *glob, const char *path);

/* ---- checks */

struct pgd_refs_check_options {
	/* --exposed-schema; NULL/0: the model's setting, else public */
	const char *const *exposed;
	size_t nexposed;
};

/*
 * The findings of category refs (PGD400-PGD409) for scan s against model
 * m, whose RLS matrix mx (from pgd_rls_review with the same exposed
 * schemas) decides what each command may do. Appends to out.
 */
void pgd_refs_check(const struct pgd_refs_scan *s, const struct pgd_schema *m,
		    const struct pgd_rls_matrix *mx,
		    const struct pgd_refs_check_options *o,
		    struct pgd_findings *out);

/*
 * Merges the findings of one scan checked against two models (--migrations
 * and --db) into out: a finding both have (same code, object, file, line)
 * is kept once, one only a side has says so in its message ("(database
 * only)"). a and b are emptied.
 */
void pgd_refs_merge(struct pgd_findings *a, const char *a_name,
		    struct pgd_findings *b, const char *b_name,
		    struct pgd_findings *out);

/* Sets each matrix row's used bits from the API references of s. */
void pgd_refs_mark_matrix(const struct pgd_refs_scan *s,
			  struct pgd_rls_matrix *mx);

/*
 * The inventory's "used by" entries for s (tables and functions; an
 * unqualified function call in SQL only when m has it, else it is taken
 * for a built-in), sorted by object, file, line. Returns a malloc'd array
 * of *n entries whose strings point into s (free the array only).
 */
struct pgd_inventory_use *pgd_refs_uses(const struct pgd_refs_scan *s,
					const struct pgd_schema *m, size_t *n);

#endif

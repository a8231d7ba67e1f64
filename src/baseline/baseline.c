/*
 * baseline.c - accepted findings: read, build, write, apply (baseline.h).
 *
 * jansson parses the file but keeps no positions, so a semantic error
 * (an entry without a reason, a bad date) is located by a small skim of the
 * text that finds where the N-th element of "entries" starts.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/baseline.h"
#include "pgdrift/strbuf.h"

static char *dup_or_null(const char *s)
{
	return s ? pgd_xstrdup(s) : NULL;
}

bool pgd_date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

static bool fingerprint_valid(const char *s)
{
	if (strlen(s) != 16)
		return false;
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
			return false;
	return true;
}

/*
 * The 1-based line where element want (0-based) of the top-level
 * "entries" array starts; 0 when the skim does not find it.
 */
static unsigned entry_line(const char *text, size_t want)
{
	int depth = 0;
	bool key_entries = false, in_entries = false, expect = false;
	size_t idx = 0;
	unsigned line = 1;
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			line++;
			continue;
		}
		if (isspace((unsigned char)*p))
			continue;
		if (in_entries && depth == 2 && expect && *p != ']') {
			if (idx == want)
				return line;
			idx++;
			expect = false;
		}
		switch (*p) {
		case '"': {
			const char *s = ++p;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '\n')
					line++;
				p++;
			}
			if (!*p)
				return 0;
			key_entries = depth == 1 && p - s == 7 && !strncmp(s, "entries", 7);
			break;
		}
		case '[':
		case '{':
			depth++;
			if (*p == '[' && depth == 2 && key_entries) {
				in_entries = true;
				expect = true;
			}
			break;
		case ']':
		case '}':
			depth--;
			if (in_entries && depth == 1)
				in_entries = false;
			break;
		case ',':
			if (in_entries && depth == 2)
				expect = true;
			break;
		case ':':
			continue; /* keeps key_entries for the value that follows */
		default:
			break;
		}
		if (*p != '"' && *p != ':')
			key_entries = false;
	}
	return 0;
}

static void entry_release(struct pgd_baseline_entry *e)
{
	free(e->fingerprint);
	free(e->code);
	free(e->object);
	free(e->message);
	free(e->reason);
	free(e->added);
	free(e->expires);
	free(e->database);
}

void pgd_baseline_free(struct pgd_baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		entry_release(&b->v[i]);
	free(b->v);
	free(b->path);
	free(b);
}

static struct pgd_baseline_entry *add_entry(struct pgd_baseline *b)
{
	PGD_GROW(b->v, b->alloc, b->n + 1);
	struct pgd_baseline_entry *e = &b->v[b->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* A string member or NULL; *bad is set when present but not a string. */
static const char *opt_str(json_t *o, const char *key, bool *bad)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

/* By fingerprint, then database (an entry for every database first). */
static int cmp_entry_fp(const void *a, const void *b)
{
	const struct pgd_baseline_entry *const *x = a, *const *y = b;
	int c = strcmp((*x)->fingerprint, (*y)->fingerprint);
	if (c || (*x)->database == (*y)->database)
		return c;
	if (!(*x)->database || !(*y)->database)
		return (*x)->database ? 1 : -1;
	return strcmp((*x)->database, (*y)->database);
}

/* Checks one entry; on a problem fills err and returns -1. */
static int read_entry(struct pgd_baseline *b, const char *name, const char *text,
		      size_t i, json_t *x, struct pgd_error *err)
{
	unsigned line = entry_line(text, i);
	bool bad = false;
	const char *fp = NULL, *reason = NULL, *expires = NULL, *added = NULL;
	const char *database = NULL;
	const char *what = NULL;
	if (!json_is_object(x)) {
		what = "is not an object";
	} else {
		fp = opt_str(x, "fingerprint", &bad);
		reason = opt_str(x, "reason", &bad);
		expires = opt_str(x, "expires", &bad);
		added = opt_str(x, "added", &bad);
		database = opt_str(x, "database", &bad);
		if (bad)
			what = "has a member that is not a string";
		else if (!fp)
			what = "has no \"fingerprint\"";
		else if (!fingerprint_valid(fp))
			what = "has a \"fingerprint\" that is not 16 lower-case hex digits";
		else if (!reason || !*reason)
			what = "has no \"reason\" (every accepted finding needs one)";
		else if (expires && !pgd_date_valid(expires))
			what = "has an \"expires\" that is not a date YYYY-MM-DD";
		else if (added && !pgd_date_valid(added))
			what = "has an \"added\" that is not a date YYYY-MM-DD";
		else if (database && !*database)
			what = "has an empty \"database\" (leave it out to mean every database)";
	}
	if (what) {
		if (line)
			return pgd_error_set(err, PGD_EXIT_USAGE, "%s:%u: baseline entry %zu %s",
					     name, line, i + 1, what);
		return pgd_error_set(err, PGD_EXIT_USAGE, "%s: baseline entry %zu %s",
				     name, i + 1, what);
	}
	bool ignored = false;
	struct pgd_baseline_entry *e = add_entry(b);
	e->fingerprint = pgd_xstrdup(fp);
	e->code = dup_or_null(opt_str(x, "code", &ignored));
	e->object = dup_or_null(opt_str(x, "object", &ignored));
	e->message = dup_or_null(opt_str(x, "message", &ignored));
	e->reason = pgd_xstrdup(reason);
	e->added = dup_or_null(added);
	e->expires = dup_or_null(expires);
	e->database = dup_or_null(database);
	e->line = line;
	return 0;
}

int pgd_baseline_read_text(const char *name, const char *text,
			   struct pgd_baseline **out, struct pgd_error *err)
{
	*out = NULL;
	json_error_t je;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return pgd_error_set(err, PGD_EXIT_USAGE, "%s:%d:%d: malformed baseline: %s",
				     name, je.line, je.column, je.text);
	json_t *fmt = json_object_get(root, "format");
	json_t *entries = json_object_get(root, "entries");
	int rc = 0;
	if (!json_is_object(root) || !json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), PGD_BASELINE_FORMAT) != 0)
		rc = pgd_error_set(err, PGD_EXIT_USAGE,
				   "%s: not a pgdrift baseline (\"format\" must be \"%s\")",
				   name, PGD_BASELINE_FORMAT);
	else if (!json_is_array(entries))
		rc = pgd_error_set(err, PGD_EXIT_USAGE,
				   "%s: a baseline needs an \"entries\" array", name);
	struct pgd_baseline *b = pgd_xcalloc(1, sizeof(*b));
	b->path = pgd_xstrdup(name);
	size_t i;
	json_t *x;
	if (rc == 0)
		json_array_foreach(entries, i, x) {
			rc = read_entry(b, name, text, i, x, err);
			if (rc)
				break;
		}
	if (rc == 0 && b->n > 1) {
		/* one entry per fingerprint: a duplicate is a merge gone wrong */
		struct pgd_baseline_entry **s = pgd_xcalloc(b->n, sizeof(*s));
		for (size_t k = 0; k < b->n; k++)
			s[k] = &b->v[k];
		qsort(s, b->n, sizeof(*s), cmp_entry_fp);
		for (size_t k = 1; k < b->n && rc == 0; k++)
			if (!cmp_entry_fp(&s[k], &s[k - 1])) {
				const struct pgd_baseline_entry *d =
					s[k]->line > s[k - 1]->line ? s[k] : s[k - 1];
				rc = pgd_error_set(err, PGD_EXIT_USAGE,
						   "%s:%u: fingerprint %s is listed twice", name,
						   d->line, d->fingerprint);
			}
		free(s);
	}
	json_decref(root);
	if (rc) {
		pgd_baseline_free(b);
		return -1;
	}
	*out = b;
	return 0;
}

int pgd_baseline_read_file(const char *path, struct pgd_baseline **out,
			   struct pgd_error *err)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	*out = NULL;
	if (pgd_strbuf_read_file(&sb, path) < 0) {
		pgd_strbuf_release(&sb);
		return pgd_error_set(err, PGD_EXIT_USAGE, "cannot read baseline %s: %s",
				     path, strerror(errno));
	}
	if (memchr(sb.buf, '\0', sb.len)) {
		pgd_strbuf_release(&sb);
		return pgd_error_set(err, PGD_EXIT_USAGE,
				     "%s: malformed baseline: it contains a NUL byte", path);
	}
	int rc = pgd_baseline_read_text(path, sb.buf, out, err);
	pgd_strbuf_release(&sb);
	return rc;
}

static bool about_baseline(const struct pgd_finding *x)
{
	return x->rule == pgd_rule(PGD_R_BASELINE_STALE) ||
	       x->rule == pgd_rule(PGD_R_BASELINE_EXPIRED);
}

static bool expired(const struct pgd_baseline_entry *e, const char *today)
{
	return e->expires && strcmp(e->expires, today) < 0;
}

/*
 * The entry of b for fingerprint fp in database db (NULL: a single
 * database, which only entries for every database apply to), through
 * index s (sorted): the entry naming db, else the one for every database,
 * else NULL.
 */
static struct pgd_baseline_entry *lookup_db(struct pgd_baseline_entry **s, size_t n,
					    const char *fp, const char *db)
{
	size_t lo = 0, hi = n;
	while (lo < hi) { /* the first entry with this fingerprint */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(s[mid]->fingerprint, fp) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	struct pgd_baseline_entry *all = NULL;
	for (size_t k = lo; k < n && !strcmp(s[k]->fingerprint, fp); k++) {
		if (!s[k]->database)
			all = s[k];
		else if (db && !strcmp(s[k]->database, db))
			return s[k];
	}
	return all;
}

static struct pgd_baseline_entry *lookup(struct pgd_baseline_entry **s, size_t n,
					 const char *fp)
{
	return lookup_db(s, n, fp, NULL);
}

static struct pgd_baseline_entry **sorted_index(const struct pgd_baseline *b)
{
	struct pgd_baseline_entry **s = pgd_xcalloc(b->n + 1, sizeof(*s));
	for (size_t k = 0; k < b->n; k++)
		s[k] = &b->v[k];
	qsort(s, b->n, sizeof(*s), cmp_entry_fp);
	return s;
}

struct pgd_baseline *pgd_baseline_from_findings(const struct pgd_findings *f,
						const struct pgd_baseline *old,
						const char *reason,
						const char *expires,
						const char *today)
{
	struct pgd_baseline *b = pgd_xcalloc(1, sizeof(*b));
	struct pgd_baseline_entry **idx = old ? sorted_index(old) : NULL;
	for (size_t i = 0; i < f->n; i++) {
		const struct pgd_finding *x = &f->v[i];
		if (about_baseline(x))
			continue;
		const struct pgd_baseline_entry *prev =
			idx ? lookup(idx, old->n, x->fingerprint) : NULL;
		if (prev && expired(prev, today))
			prev = NULL;
		struct pgd_baseline_entry *e = add_entry(b);
		e->fingerprint = pgd_xstrdup(x->fingerprint);
		e->code = pgd_xstrdup(x->rule->code);
		e->object = dup_or_null(x->object);
		e->message = pgd_xstrdup(x->message);
		e->reason = pgd_xstrdup(prev ? prev->reason : reason);
		e->added = dup_or_null(prev ? prev->added : today);
		e->expires = dup_or_null(prev ? prev->expires : expires);
	}
	free(idx);
	return b;
}

void pgd_baseline_write(const struct pgd_baseline *b, struct pgd_strbuf *out)
{
	pgd_strbuf_addstr(out, "{\n  \"format\": \"" PGD_BASELINE_FORMAT "\",\n"
			       "  \"entries\": [");
	for (size_t i = 0; i < b->n; i++) {
		const struct pgd_baseline_entry *e = &b->v[i];
		json_t *j = json_pack("{s:s, s:s}", "fingerprint", e->fingerprint,
				      "code", e->code ? e->code : "");
		if (e->object)
			json_object_set_new(j, "object", json_string(e->object));
		if (e->message)
			json_object_set_new(j, "message", json_string(e->message));
		json_object_set_new(j, "reason", json_string(e->reason));
		if (e->added)
			json_object_set_new(j, "added", json_string(e->added));
		if (e->expires)
			json_object_set_new(j, "expires", json_string(e->expires));
		if (e->database)
			json_object_set_new(j, "database", json_string(e->database));
		char *line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!line)
			PGD_BUG("json_dumps failed");
		pgd_strbuf_addstr(out, i ? ",\n    " : "\n    ");
		pgd_strbuf_addstr(out, line);
		free(line);
		json_decref(j);
	}
	pgd_strbuf_addstr(out, b->n ? "\n  ]\n}\n" : "]\n}\n");
}

/* Suppresses the findings of f (database db, or NULL) that b accepts;
 * marks the entries that matched in used. Returns how many. */
static size_t suppress(const struct pgd_baseline *b, struct pgd_baseline_entry **idx,
		       struct pgd_findings *f, const char *db, const char *today,
		       bool *used)
{
	size_t kept = 0, suppressed = 0, nf = f->n;
	for (size_t i = 0; i < nf; i++) {
		struct pgd_finding *x = &f->v[i];
		struct pgd_baseline_entry *e = about_baseline(x) ? NULL
					       : lookup_db(idx, b->n, x->fingerprint, db);
		if (e)
			used[e - b->v] = true;
		if (e && !expired(e, today)) {
			pgd_finding_release(x);
			suppressed++;
			continue;
		}
		f->v[kept++] = *x;
	}
	f->n = kept;
	return suppressed;
}

/* Reports entry e to f: expired (it matched) or stale (it did not). */
static void report_entry(const struct pgd_baseline *b,
			 const struct pgd_baseline_entry *e, bool matched,
			 struct pgd_findings *f)
{
	struct pgd_finding *x;
	if (matched)
		x = pgd_findings_add(f, PGD_R_BASELINE_EXPIRED, e->object, NULL,
			NULL, e->fingerprint,
			"baseline entry %s (%s) expired on %s: the finding is "
			"reported again (reason was: %s)", e->fingerprint,
			e->code ? e->code : "?", e->expires, e->reason);
	else
		x = pgd_findings_add(f, PGD_R_BASELINE_STALE, e->object, NULL,
			NULL, e->fingerprint,
			"baseline entry %s (%s) matches no finding any more: "
			"remove it from the baseline", e->fingerprint,
			e->code ? e->code : "?");
	if (b->path) {
		x->file = pgd_xstrdup(b->path);
		x->line = e->line;
	}
}

size_t pgd_baseline_apply(const struct pgd_baseline *b, struct pgd_findings *f,
			  const char *today)
{
	struct pgd_baseline_entry **idx = sorted_index(b);
	bool *used = pgd_xcalloc(b->n + 1, sizeof(*used));
	size_t suppressed = suppress(b, idx, f, NULL, today, used);
	free(idx);
	for (size_t k = 0; k < b->n; k++) {
		const struct pgd_baseline_entry *e = &b->v[k];
		if (e->database)
			continue; /* for a database of a fleet */
		if ((used[k] && expired(e, today)) || !used[k])
			report_entry(b, e, used[k], f);
	}
	free(used);
	pgd_findings_sort(f);
	return suppressed;
}

void pgd_baseline_apply_fleet(const struct pgd_baseline *b,
			      struct pgd_baseline_db *dbs, size_t n,
			      const char *today, bool whole)
{
	struct pgd_baseline_entry **idx = sorted_index(b);
	bool *used = pgd_xcalloc(b->n + 1, sizeof(*used));
	bool *here = pgd_xcalloc(b->n + 1, sizeof(*here));
	bool all_read = true;
	for (size_t d = 0; d < n; d++)
		all_read &= dbs[d].read;
	for (size_t d = 0; d < n; d++) {
		if (!dbs[d].read)
			continue;
		memset(here, 0, (b->n + 1) * sizeof(*here));
		dbs[d].suppressed = suppress(b, idx, dbs[d].findings, dbs[d].name,
					     today, here);
		for (size_t k = 0; k < b->n; k++) {
			const struct pgd_baseline_entry *e = &b->v[k];
			used[k] |= here[k];
			if (here[k] && expired(e, today))
				report_entry(b, e, true, dbs[d].findings);
			/* an entry naming this database that matched nothing */
			if (!here[k] && e->database && !strcmp(e->database, dbs[d].name))
				report_entry(b, e, false, dbs[d].findings);
		}
	}
	/* an entry for every database is stale when it matched in none: only
	 * a run that saw the whole fleet, every database read, can tell */
	for (size_t k = 0; whole && all_read && k < b->n; k++)
		if (!b->v[k].database && !used[k])
			for (size_t d = 0; d < n; d++)
				report_entry(b, &b->v[k], false, dbs[d].findings);
	for (size_t d = 0; d < n; d++)
		if (dbs[d].read)
			pgd_findings_sort(dbs[d].findings);
	free(here);
	free(used);
	free(idx);
}

/*
 * merge.c - JSON reports back into fleet results, so shards run on many CI
 * runners become one report. A finding read back keeps every field the
 * JSON report has, its fingerprint included, so the merged report names
 * the same drift the same way as one unsharded run.
 */
#include <jansson.h>
#include <string.h>

#include "pgdrift/fleet.h"
#include "pgdrift/strbuf.h"

static char *str_or_null(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? pgd_xstrdup(s) : NULL;
}

/* Reads one finding. Returns 0, or -1 with err. */
static int read_finding(const char *path, size_t db, size_t i, json_t *j,
			struct pgd_findings *f, struct pgd_error *err)
{
	const char *code = json_string_value(json_object_get(j, "code"));
	const char *sev = json_string_value(json_object_get(j, "severity"));
	const char *msg = json_string_value(json_object_get(j, "message"));
	const char *fp = json_string_value(json_object_get(j, "fingerprint"));
	const struct pgd_rule *rule = code ? pgd_rule_find(code) : NULL;
	int s = sev ? pgd_severity_parse(sev) : -1;
	if (!json_is_object(j) || !rule || s < 0 || !msg || !fp || strlen(fp) != 16) {
		pgd_error_set(err, PGD_EXIT_USAGE, "%s: database %zu, finding %zu: "
			      "not a pgdrift finding (code, severity, message and "
			      "fingerprint are needed%s)", path, db + 1, i + 1,
			      code && !rule ? "; the code is unknown to this pgdrift" : "");
		return -1;
	}
	PGD_GROW(f->v, f->alloc, f->n + 1);
	struct pgd_finding *x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->rule = rule;
	x->severity = (enum pgd_severity)s;
	x->object = str_or_null(j, "object");
	x->table = str_or_null(j, "table");
	x->message = pgd_xstrdup(msg);
	x->expected = str_or_null(j, "expected");
	x->actual = str_or_null(j, "actual");
	x->remediation = str_or_null(j, "remediation");
	json_t *src = json_object_get(j, "source");
	if (json_is_object(src)) {
		x->file = str_or_null(src, "file");
		x->line = (unsigned)json_integer_value(json_object_get(src, "line"));
		x->dynamic = json_is_true(json_object_get(src, "execute"));
		x->file_is_table = json_is_true(json_object_get(src, "of_table"));
	}
	memcpy(x->fingerprint, fp, 17);
	return 0;
}

/* Reads one database object (or a whole single report) into a new result. */
static int read_db(const char *path, size_t d, const char *name, json_t *o,
		   bool fleet, struct pgd_fleet_results *out, struct pgd_error *err)
{
	for (size_t i = 0; i < out->n; i++) {
		if (!strcmp(out->v[i].name, name)) {
			pgd_error_set(err, PGD_EXIT_USAGE, "%s: the database %s is "
				      "already in an earlier report (shards overlap?)",
				      path, name);
			return -1;
		}
	}
	json_t *findings = json_object_get(o, "findings");
	if (!json_is_array(findings)) {
		pgd_error_set(err, PGD_EXIT_USAGE, "%s: database %zu has no findings "
			      "array", path, d + 1);
		return -1;
	}
	PGD_GROW(out->v, out->alloc, out->n + 1);
	struct pgd_fleet_result *r = &out->v[out->n++];
	memset(r, 0, sizeof(*r));
	r->name = pgd_xstrdup(name);
	json_t *summary = json_object_get(o, "summary");
	r->suppressed = (size_t)json_integer_value(json_object_get(summary, "suppressed"));
	if (fleet) {
		const char *status = json_string_value(json_object_get(o, "status"));
		if (status && !strcmp(status, "error")) {
			const char *e = json_string_value(json_object_get(o, "error"));
			r->error = pgd_xstrdup(e ? e : "the database could not be read");
			r->exit_code = PGD_EXIT_DB;
		} else {
			r->exit_code = (int)json_integer_value(json_object_get(o, "exit"));
		}
		json_t *tables = json_object_get(o, "tables");
		size_t nt = json_array_size(tables);
		r->tables = pgd_xcalloc(nt + 1, sizeof(char *));
		for (size_t i = 0; i < nt; i++) {
			const char *t = json_string_value(json_array_get(tables, i));
			if (t)
				r->tables[r->ntables++] = pgd_xstrdup(t);
		}
	} else {
		r->exit_code = json_is_true(json_object_get(summary, "failed"))
				       ? PGD_EXIT_FINDINGS : PGD_EXIT_OK;
	}
	size_t i;
	json_t *j;
	json_array_foreach(findings, i, j)
		if (read_finding(path, d, i, j, &r->findings, err))
			return -1;
	return 0;
}

/* "dir/shard-1.json" -> "shard-1" (caller frees). */
static char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	if (n > 5 && !strcmp(b + n - 5, ".json"))
		n -= 5;
	return pgd_xstrndup(b, n);
}

int pgd_fleet_merge_text(const char *path, const char *text,
			 struct pgd_fleet_results *out, char **command,
			 char **expected, struct pgd_error *err)
{
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	if (!root) {
		pgd_error_set(err, PGD_EXIT_USAGE, "%s:%d:%d: not JSON: %s", path,
			      je.line, je.column, je.text);
		return -1;
	}
	const char *format = json_string_value(json_object_get(root, "format"));
	int rc = 0;
	if (!*command)
		*command = str_or_null(root, "command");
	if (!*expected)
		*expected = str_or_null(root, "expected");
	json_t *unmodeled = json_object_get(json_object_get(root, "summary"),
					    "unmodeled");
	if (json_is_integer(unmodeled)) {
		size_t u = (size_t)json_integer_value(unmodeled);
		if (!out->unmodeled_known || u > out->unmodeled)
			out->unmodeled = u;
		out->unmodeled_known = true;
	}
	if (format && !strcmp(format, PGD_FLEET_FORMAT)) {
		json_t *dbs = json_object_get(root, "databases");
		size_t d;
		json_t *o;
		if (!json_is_array(dbs)) {
			pgd_error_set(err, PGD_EXIT_USAGE, "%s: a fleet report without "
				      "a databases array", path);
			rc = -1;
		}
		json_array_foreach(dbs, d, o) {
			const char *name = json_string_value(json_object_get(o, "name"));
			if (!name) {
				pgd_error_set(err, PGD_EXIT_USAGE, "%s: database %zu has "
					      "no name", path, d + 1);
				rc = -1;
				break;
			}
			if ((rc = read_db(path, d, name, o, true, out, err)))
				break;
		}
	} else if (format && !strcmp(format, "pgdrift.report/1")) {
		char *name = base_name(path);
		rc = read_db(path, 0, name, root, false, out, err);
		free(name);
	} else {
		pgd_error_set(err, PGD_EXIT_USAGE, "%s: not a pgdrift JSON report "
			      "(format %s, want %s or pgdrift.report/1)", path,
			      format ? format : "missing", PGD_FLEET_FORMAT);
		rc = -1;
	}
	json_decref(root);
	return rc;
}

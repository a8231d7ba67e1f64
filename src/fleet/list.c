/*
 * list.c - the fleet's list file and its shards. A line is a database:
 * "NAME<TAB>CONNINFO" or the conninfo alone. Secrets stay in the
 * environment ($VAR, ${VAR}); a message about a line names the file, the
 * line and the cause, never the line's text (it may hold a password).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/catalog.h"
#include "pgdrift/fleet.h"
#include "pgdrift/strbuf.h"

static bool var_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool var_char(char c)
{
	return var_start(c) || (c >= '0' && c <= '9');
}

/* Expands $VAR, ${VAR} and $$ in s[0..len). Returns 0 with *out (caller
 * frees), or -1 with err. */
static int expand(const char *path, unsigned line, const char *s, size_t len,
		  char **out, struct pgd_error *err)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	const char *end = s + len;
	for (const char *p = s; p < end;) {
		if (*p != '$') {
			pgd_strbuf_addch(&sb, *p++);
			continue;
		}
		if (p + 1 < end && p[1] == '$') {
			pgd_strbuf_addch(&sb, '$');
			p += 2;
			continue;
		}
		const char *name = p + 1, *name_end;
		bool braced = p + 1 < end && p[1] == '{';
		if (braced) {
			name++;
			name_end = name;
			while (name_end < end && *name_end != '}')
				name_end++;
			if (name_end == end) {
				pgd_strbuf_release(&sb);
				pgd_error_set(err, PGD_EXIT_USAGE,
					      "%s:%u: unterminated ${ (a } is missing)",
					      path, line);
				return -1;
			}
		} else {
			name_end = name;
			while (name_end < end && var_char(*name_end))
				name_end++;
		}
		size_t nlen = (size_t)(name_end - name);
		if (!nlen || !var_start(*name)) {
			if (braced) {
				pgd_strbuf_release(&sb);
				pgd_error_set(err, PGD_EXIT_USAGE,
					      "%s:%u: ${} needs a variable name",
					      path, line);
				return -1;
			}
			pgd_strbuf_addch(&sb, *p++); /* a lone '$' is itself */
			continue;
		}
		for (const char *q = name; q < name_end; q++) {
			if (!var_char(*q)) {
				pgd_strbuf_release(&sb);
				pgd_error_set(err, PGD_EXIT_USAGE,
					      "%s:%u: ${...} holds a character a "
					      "variable name cannot have", path, line);
				return -1;
			}
		}
		char *var = pgd_xstrndup(name, nlen);
		const char *v = getenv(var);
		if (!v) {
			pgd_error_set(err, PGD_EXIT_USAGE,
				      "%s:%u: environment variable %s is not set",
				      path, line, var);
			free(var);
			pgd_strbuf_release(&sb);
			return -1;
		}
		free(var);
		pgd_strbuf_addstr(&sb, v);
		p = name_end + (braced ? 1 : 0);
	}
	*out = pgd_strbuf_detach(&sb, NULL);
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One line (without its newline). Returns 0, or -1 with err. */
static int parse_line(const char *path, unsigned line, const char *s, size_t len,
		      struct pgd_fleet_list *out, struct pgd_error *err)
{
	while (len && blank(*s)) {
		s++;
		len--;
	}
	/* not a trailing tab: "name<TAB>" is a name without a conninfo */
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\r'))
		len--;
	if (!len || *s == '#')
		return 0;
	const char *tab = memchr(s, '\t', len);
	char *name = NULL, *conninfo = NULL;
	if (tab) {
		size_t nlen = (size_t)(tab - s);
		while (nlen && s[nlen - 1] == ' ')
			nlen--;
		const char *c = tab;
		while (c < s + len && blank(*c))
			c++;
		if (c == s + len) {
			pgd_error_set(err, PGD_EXIT_USAGE, "%s:%u: a name without "
				      "a connection string", path, line);
			return -1;
		}
		if (memchr(c, '\t', (size_t)(s + len - c))) {
			pgd_error_set(err, PGD_EXIT_USAGE, "%s:%u: more than one tab: "
				      "a line is NAME<TAB>CONNINFO", path, line);
			return -1;
		}
		for (size_t i = 0; i < nlen; i++) {
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
				pgd_error_set(err, PGD_EXIT_USAGE, "%s:%u: the name "
					      "holds a control character", path, line);
				return -1;
			}
		}
		if (expand(path, line, c, (size_t)(s + len - c), &conninfo, err))
			return -1;
		name = pgd_xstrndup(s, nlen);
	} else {
		if (expand(path, line, s, len, &conninfo, err))
			return -1;
	}
	if (!*conninfo) {
		pgd_error_set(err, PGD_EXIT_USAGE, "%s:%u: the connection string "
			      "is empty", path, line);
		free(conninfo);
		free(name);
		return -1;
	}
	struct pgd_error perr = PGD_ERROR_INIT;
	char *derived = NULL;
	if (pgd_catalog_conninfo_name(conninfo, &derived, &perr)) {
		/* libpq's message quotes the text it stumbled on: it may be a
		 * password, so it is not repeated */
		pgd_error_set(err, PGD_EXIT_USAGE, "%s:%u: not a connection string "
			      "libpq can parse (key=value pairs or a "
			      "postgresql:// URI)", path, line);
		pgd_error_release(&perr);
		free(conninfo);
		free(name);
		return -1;
	}
	if (!name)
		name = derived;
	else
		free(derived);
	if (!*name) {
		pgd_error_set(err, PGD_EXIT_USAGE, "%s:%u: the name is empty", path, line);
		free(conninfo);
		free(name);
		return -1;
	}
	for (size_t i = 0; i < out->n; i++) {
		if (!strcmp(out->v[i].name, name)) {
			pgd_error_set(err, PGD_EXIT_USAGE, "%s:%u: the name %s is "
				      "already used on line %u", path, line, name,
				      out->v[i].line);
			free(conninfo);
			free(name);
			return -1;
		}
	}
	PGD_GROW(out->v, out->alloc, out->n + 1);
	out->v[out->n++] = (struct pgd_fleet_entry){ name, conninfo, line };
	return 0;
}

int pgd_fleet_list_parse(const char *path, const char *text,
			 struct pgd_fleet_list *out, struct pgd_error *err)
{
	memset(out, 0, sizeof(*out));
	out->path = pgd_xstrdup(path);
	unsigned line = 1;
	for (const char *p = text; *p; line++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (parse_line(path, line, p, len, out, err)) {
			pgd_fleet_list_release(out);
			return -1;
		}
		p += len + (nl ? 1 : 0);
	}
	if (!out->n) {
		pgd_error_set(err, PGD_EXIT_USAGE, "%s: the list names no database",
			      path);
		pgd_fleet_list_release(out);
		return -1;
	}
	return 0;
}

int pgd_fleet_list_read(const char *path, struct pgd_fleet_list *out,
			struct pgd_error *err)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	memset(out, 0, sizeof(*out));
	if (pgd_strbuf_read_file(&sb, path) < 0) {
		pgd_error_set(err, PGD_EXIT_USAGE, "cannot read %s: %s", path,
			      strerror(errno));
		pgd_strbuf_release(&sb);
		return -1;
	}
	if (memchr(sb.buf, '\0', sb.len)) {
		pgd_error_set(err, PGD_EXIT_USAGE, "%s: a NUL byte: not a text file",
			      path);
		pgd_strbuf_release(&sb);
		return -1;
	}
	int rc = pgd_fleet_list_parse(path, sb.buf, out, err);
	pgd_strbuf_release(&sb);
	return rc;
}

void pgd_fleet_list_release(struct pgd_fleet_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		if (l->v[i].conninfo) /* a secret: wipe before freeing */
			memset(l->v[i].conninfo, 0, strlen(l->v[i].conninfo));
		free(l->v[i].conninfo);
	}
	free(l->v);
	free(l->path);
	memset(l, 0, sizeof(*l));
}

uint64_t pgd_fleet_hash(const char *name)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

int pgd_fleet_shard_parse(const char *s, unsigned *i, unsigned *n)
{
	char *end;
	errno = 0;
	unsigned long a = strtoul(s, &end, 10);
	if (end == s || *end != '/' || errno)
		return -1;
	const char *q = end + 1;
	unsigned long b = strtoul(q, &end, 10);
	if (end == q || *end || errno || !a || a > b || b > 1000 || *s == '-' ||
	    *q == '-' || *s == '+' || *q == '+')
		return -1;
	*i = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

void pgd_fleet_list_shard(struct pgd_fleet_list *l, unsigned i, unsigned n)
{
	size_t k = 0;
	for (size_t j = 0; j < l->n; j++) {
		if (pgd_fleet_hash(l->v[j].name) % n == i - 1) {
			l->v[k++] = l->v[j];
			continue;
		}
		free(l->v[j].name);
		memset(l->v[j].conninfo, 0, strlen(l->v[j].conninfo));
		free(l->v[j].conninfo);
	}
	l->n = k;
}

/*
 * strbuf.c - growable strings, SQL identifier and literal quoting, whole-file
 * reads. See include/pgdrift/strbuf.h for ownership.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pgdrift/strbuf.h"

char pgd_strbuf_empty[1];

void pgd_strbuf_init(struct pgd_strbuf *sb, size_t hint)
{
	sb->alloc = sb->len = 0;
	sb->buf = pgd_strbuf_empty;
	if (hint)
		pgd_strbuf_grow(sb, hint);
}

void pgd_strbuf_release(struct pgd_strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	pgd_strbuf_init(sb, 0);
}

char *pgd_strbuf_detach(struct pgd_strbuf *sb, size_t *len)
{
	if (!sb->alloc)
		pgd_strbuf_grow(sb, 0);
	char *res = sb->buf;
	if (len)
		*len = sb->len;
	pgd_strbuf_init(sb, 0);
	return res;
}

void pgd_strbuf_grow(struct pgd_strbuf *sb, size_t extra)
{
	int fresh = !sb->alloc;
	if (extra > (size_t)-1 - sb->len - 1)
		PGD_BUG("strbuf overflow");
	size_t need = sb->len + extra + 1;
	if (fresh)
		sb->buf = NULL;
	PGD_GROW(sb->buf, sb->alloc, need);
	if (fresh)
		sb->buf[0] = '\0';
}

void pgd_strbuf_reset(struct pgd_strbuf *sb)
{
	pgd_strbuf_setlen(sb, 0);
}

void pgd_strbuf_setlen(struct pgd_strbuf *sb, size_t len)
{
	if (len > (sb->alloc ? sb->alloc - 1 : 0))
		PGD_BUG("strbuf_setlen beyond allocation");
	sb->len = len;
	if (sb->alloc)
		sb->buf[len] = '\0';
}

void pgd_strbuf_add(struct pgd_strbuf *sb, const void *data, size_t len)
{
	if (!len)
		return;
	pgd_strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	pgd_strbuf_setlen(sb, sb->len + len);
}

void pgd_strbuf_addstr(struct pgd_strbuf *sb, const char *s)
{
	pgd_strbuf_add(sb, s, strlen(s));
}

void pgd_strbuf_addch(struct pgd_strbuf *sb, int c)
{
	pgd_strbuf_grow(sb, 1);
	sb->buf[sb->len] = (char)c;
	pgd_strbuf_setlen(sb, sb->len + 1);
}

void pgd_strbuf_vaddf(struct pgd_strbuf *sb, const char *fmt, va_list ap)
{
	/* format once into the spare room; again only when it did not fit
	 * (glibc's vsnprintf(NULL, 0) is no cheaper than a real format) */
	va_list cp;
	va_copy(cp, ap);
	pgd_strbuf_grow(sb, 64);
	size_t room = sb->alloc - sb->len;
	int n = vsnprintf(sb->buf + sb->len, room, fmt, cp);
	va_end(cp);
	if (n < 0)
		PGD_BUG("vsnprintf failed for format \"%s\"", fmt);
	if ((size_t)n >= room) {
		pgd_strbuf_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	}
	pgd_strbuf_setlen(sb, sb->len + (size_t)n);
}

void pgd_strbuf_addf(struct pgd_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pgd_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

/*
 * PostgreSQL 15's keywords that are not UNRESERVED (pg_get_keywords() with
 * catcode <> 'U'): quote_ident() quotes these. Sorted for bsearch.
 */
static const char *const quoted_keywords[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc",
	"asymmetric", "authorization", "between", "bigint", "binary", "bit",
	"boolean", "both", "case", "cast", "char", "character", "check",
	"coalesce", "collate", "collation", "column", "concurrently",
	"constraint", "create", "cross", "current_catalog", "current_date",
	"current_role", "current_schema", "current_time", "current_timestamp",
	"current_user", "dec", "decimal", "default", "deferrable", "desc",
	"distinct", "do", "else", "end", "except", "exists", "extract",
	"false", "fetch", "float", "for", "foreign", "freeze", "from", "full",
	"grant", "greatest", "group", "grouping", "having", "ilike", "in",
	"initially", "inner", "inout", "int", "integer", "intersect",
	"interval", "into", "is", "isnull", "join", "lateral", "leading",
	"least", "left", "like", "limit", "localtime", "localtimestamp",
	"national", "natural", "nchar", "none", "normalize", "not", "notnull",
	"null", "nullif", "numeric", "offset", "on", "only", "or", "order",
	"out", "outer", "overlaps", "overlay", "placing", "position",
	"precision", "primary", "real", "references", "returning", "right",
	"row", "select", "session_user", "setof", "similar", "smallint",
	"some", "substring", "symmetric", "table", "tablesample", "then",
	"time", "timestamp", "to", "trailing", "treat", "trim", "true",
	"union", "unique", "user", "using", "values", "varchar", "variadic",
	"verbose", "when", "where", "window", "with", "xmlattributes",
	"xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces",
	"xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable"
};

static int cmp_kw(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int pgd_ident_needs_quotes(const char *s)
{
	if (!*s)
		return 1;
	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return 1;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			return 1;
	return bsearch(&s, quoted_keywords, PGD_ARRAY_SIZE(quoted_keywords),
		       sizeof(quoted_keywords[0]), cmp_kw) != NULL;
}

void pgd_strbuf_add_ident(struct pgd_strbuf *sb, const char *s)
{
	if (!pgd_ident_needs_quotes(s)) {
		pgd_strbuf_addstr(sb, s);
		return;
	}
	pgd_strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			pgd_strbuf_addch(sb, '"');
		pgd_strbuf_addch(sb, *s);
	}
	pgd_strbuf_addch(sb, '"');
}

char *pgd_qualified_name(const char *schema, const char *name, const char *sub)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&sb, schema);
	pgd_strbuf_addch(&sb, '.');
	pgd_strbuf_add_ident(&sb, name);
	if (sub) {
		pgd_strbuf_addch(&sb, '.');
		pgd_strbuf_add_ident(&sb, sub);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

void pgd_strbuf_add_literal(struct pgd_strbuf *sb, const char *s)
{
	pgd_strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			pgd_strbuf_addch(sb, '\'');
		pgd_strbuf_addch(sb, *s);
	}
	pgd_strbuf_addch(sb, '\'');
}

int pgd_strbuf_read_file(struct pgd_strbuf *sb, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	size_t oldlen = sb->len;
	pgd_strbuf_grow(sb, st.st_size > 0 ? (size_t)st.st_size : 8192);
	for (;;) {
		if (sb->alloc - sb->len < 4096)
			pgd_strbuf_grow(sb, 65536);
		ssize_t n = read(fd, sb->buf + sb->len, sb->alloc - sb->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			pgd_strbuf_setlen(sb, oldlen);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		pgd_strbuf_setlen(sb, sb->len + (size_t)n);
	}
	close(fd);
	return 0;
}

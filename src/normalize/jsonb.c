/*
 * jsonb.c - JSON text as PostgreSQL's jsonb prints it back: object keys
 * ordered by length and then bytes, duplicate keys resolved to the last
 * value, ", " and ": " separators, strings re-escaped the way escape_json()
 * does, numbers kept as written (jsonb keeps numeric precision).
 */
#include <stdlib.h>
#include <string.h>

#include "pgdrift/strbuf.h"
#include "pgq.h"

struct jp {
	const char *p;
	int depth;
	bool bad;
};

static void ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static void put_utf8(struct pgd_strbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		pgd_strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		pgd_strbuf_addch(sb, (int)(0xC0 | (cp >> 6)));
		pgd_strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		pgd_strbuf_addch(sb, (int)(0xE0 | (cp >> 12)));
		pgd_strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3F)));
		pgd_strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
	} else {
		pgd_strbuf_addch(sb, (int)(0xF0 | (cp >> 18)));
		pgd_strbuf_addch(sb, (int)(0x80 | ((cp >> 12) & 0x3F)));
		pgd_strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3F)));
		pgd_strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
	}
}

static int hex4(const char *s, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* Decodes a JSON string (at the opening quote) into raw bytes. */
static char *jstring(struct jp *j, size_t *len)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	j->p++;
	while (*j->p && *j->p != '"') {
		if (*j->p != '\\') {
			pgd_strbuf_addch(&sb, *j->p++);
			continue;
		}
		j->p++;
		if (!*j->p) { /* a backslash that ends the text */
			j->bad = true;
			break;
		}
		char c = *j->p++;
		switch (c) {
		case '"': pgd_strbuf_addch(&sb, '"'); break;
		case '\\': pgd_strbuf_addch(&sb, '\\'); break;
		case '/': pgd_strbuf_addch(&sb, '/'); break;
		case 'b': pgd_strbuf_addch(&sb, '\b'); break;
		case 'f': pgd_strbuf_addch(&sb, '\f'); break;
		case 'n': pgd_strbuf_addch(&sb, '\n'); break;
		case 'r': pgd_strbuf_addch(&sb, '\r'); break;
		case 't': pgd_strbuf_addch(&sb, '\t'); break;
		case 'u': {
			unsigned cp;
			if (hex4(j->p, &cp) < 0) {
				j->bad = true;
				break;
			}
			j->p += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF && j->p[0] == '\\' && j->p[1] == 'u') {
				unsigned lo;
				if (hex4(j->p + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					j->p += 6;
				}
			}
			put_utf8(&sb, cp);
			break;
		}
		default:
			j->bad = true;
		}
		if (j->bad)
			break;
	}
	if (*j->p != '"')
		j->bad = true;
	else
		j->p++;
	return pgd_strbuf_detach(&sb, len);
}

/* escape_json() of PostgreSQL */
static void put_string(struct pgd_strbuf *out, const char *s, size_t len)
{
	pgd_strbuf_addch(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '\b': pgd_strbuf_addstr(out, "\\b"); break;
		case '\f': pgd_strbuf_addstr(out, "\\f"); break;
		case '\n': pgd_strbuf_addstr(out, "\\n"); break;
		case '\r': pgd_strbuf_addstr(out, "\\r"); break;
		case '\t': pgd_strbuf_addstr(out, "\\t"); break;
		case '"': pgd_strbuf_addstr(out, "\\\""); break;
		case '\\': pgd_strbuf_addstr(out, "\\\\"); break;
		default:
			if (c < ' ')
				pgd_strbuf_addf(out, "\\u%04x", c);
			else
				pgd_strbuf_addch(out, c);
		}
	}
	pgd_strbuf_addch(out, '"');
}

static void value(struct jp *j, struct pgd_strbuf *out);

struct member {
	char *key;
	size_t klen;
	char *val;
	size_t order;
};

static int cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	int c = memcmp(x->key, y->key, x->klen);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void object(struct jp *j, struct pgd_strbuf *out)
{
	struct member *m = NULL;
	size_t n = 0, alloc = 0;
	j->p++;
	ws(j);
	while (!j->bad && *j->p != '}') {
		ws(j);
		if (*j->p != '"') {
			j->bad = true;
			break;
		}
		PGD_GROW(m, alloc, n + 1);
		m[n].key = jstring(j, &m[n].klen);
		ws(j);
		if (*j->p != ':') {
			j->bad = true;
			m[n].val = NULL;
			n++;
			break;
		}
		j->p++;
		struct pgd_strbuf v = PGD_STRBUF_INIT;
		value(j, &v);
		m[n].val = pgd_strbuf_detach(&v, NULL);
		m[n].order = n;
		n++;
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p != '}')
			j->bad = true;
	}
	if (!j->bad)
		j->p++;
	if (n > 1)
		qsort(m, n, sizeof(*m), cmp_member);
	pgd_strbuf_addch(out, '{');
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		/* the last of equal keys wins */
		if (i + 1 < n && m[i].klen == m[i + 1].klen &&
		    !memcmp(m[i].key, m[i + 1].key, m[i].klen))
			continue;
		if (!first)
			pgd_strbuf_addstr(out, ", ");
		first = false;
		put_string(out, m[i].key, m[i].klen);
		pgd_strbuf_addstr(out, ": ");
		pgd_strbuf_addstr(out, m[i].val ? m[i].val : "");
	}
	pgd_strbuf_addch(out, '}');
	for (size_t i = 0; i < n; i++) {
		free(m[i].key);
		free(m[i].val);
	}
	free(m);
}

static void value(struct jp *j, struct pgd_strbuf *out)
{
	ws(j);
	if (++j->depth > 500) {
		j->bad = true;
		return;
	}
	char c = *j->p;
	if (c == '{') {
		object(j, out);
	} else if (c == '[') {
		j->p++;
		pgd_strbuf_addch(out, '[');
		ws(j);
		bool first = true;
		while (!j->bad && *j->p != ']') {
			if (!first)
				pgd_strbuf_addstr(out, ", ");
			first = false;
			value(j, out);
			ws(j);
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p != ']')
				j->bad = true;
		}
		if (!j->bad)
			j->p++;
		pgd_strbuf_addch(out, ']');
	} else if (c == '"') {
		size_t len;
		char *s = jstring(j, &len);
		put_string(out, s, len);
		free(s);
	} else if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "null", 4)) {
		pgd_strbuf_add(out, j->p, 4);
		j->p += 4;
	} else if (!strncmp(j->p, "false", 5)) {
		pgd_strbuf_addstr(out, "false");
		j->p += 5;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		const char *s = j->p;
		while (*j->p && strchr("+-0123456789.eE", *j->p))
			j->p++;
		pgd_strbuf_add(out, s, (size_t)(j->p - s));
	} else {
		j->bad = true;
	}
	j->depth--;
}

char *pgd_norm_jsonb_text(const char *text)
{
	struct jp j = { text, 0, false };
	struct pgd_strbuf out = PGD_STRBUF_INIT;
	value(&j, &out);
	ws(&j);
	if (j.bad || *j.p) {
		pgd_strbuf_release(&out);
		return NULL;
	}
	return pgd_strbuf_detach(&out, NULL);
}

/*
 * json.c - a reader for the one JSON document eval reads: the PL/pgSQL
 * tree pg_query_parse_plpgsql() returns. It is read once per DO block
 * or function and then only walked, so it goes into an arena (the
 * caller's, freed at once) as arrays and small objects looked up by a
 * linear scan, with no hash tables and no reference counts: jansson spent
 * more decoding this text than libpg_query spent parsing the PL/pgSQL
 * (docs/performance.md).
 *
 * Input that is not JSON, or nested deeper than EV_JSON_DEPTH, gives NULL
 * and a message; nothing here aborts.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"

#define EV_JSON_DEPTH 1000

struct jr {
	const char *p, *end;
	struct pgd_arena *a;
	const char *err;
	/* scratch stack of children being collected, shared by all levels */
	struct ev_json **stack;
	const char **keys;
	size_t n, alloc;
};

static void ws(struct jr *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' ||
				 *r->p == '\r'))
		r->p++;
}

static struct ev_json *node(struct jr *r, enum ev_jt t)
{
	struct ev_json *j = pgd_arena_alloc(r->a, sizeof(*j));
	memset(j, 0, sizeof(*j));
	j->t = t;
	j->aux = -1;
	return j;
}

static void put_utf8(char *out, size_t *o, unsigned long cp)
{
	if (cp < 0x80) {
		out[(*o)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*o)++] = (char)(0xC0 | (cp >> 6));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*o)++] = (char)(0xE0 | (cp >> 12));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*o)++] = (char)(0xF0 | (cp >> 18));
		out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
	}
}

static int hex4(const char *p, unsigned long *out)
{
	unsigned long v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A string at r->p (after the opening quote): its text in the arena. */
static const char *string(struct jr *r, size_t *len)
{
	const char *b = r->p;
	const char *q = b;
	bool esc = false;
	while (q < r->end && *q != '"') {
		if (*q == '\\') {
			esc = true;
			q++;
		}
		q++;
	}
	if (q >= r->end) {
		r->err = "unterminated string";
		return NULL;
	}
	/* escapes only shrink the text (\uXXXX: 6 bytes to at most 4) */
	char *out = pgd_arena_alloc(r->a, (size_t)(q - b) + 1);
	size_t o = 0;
	if (!esc) {
		memcpy(out, b, (size_t)(q - b));
		o = (size_t)(q - b);
	} else {
		for (const char *p = b; p < q; p++) {
			if (*p != '\\') {
				out[o++] = *p;
				continue;
			}
			p++;
			switch (*p) {
			case 'n': out[o++] = '\n'; break;
			case 't': out[o++] = '\t'; break;
			case 'r': out[o++] = '\r'; break;
			case 'b': out[o++] = '\b'; break;
			case 'f': out[o++] = '\f'; break;
			case 'u': {
				unsigned long cp, lo;
				if (q - p < 5 || hex4(p + 1, &cp) < 0) {
					r->err = "bad \\u escape";
					return NULL;
				}
				p += 4;
				if (cp >= 0xD800 && cp < 0xDC00 && q - p >= 7 && p[1] == '\\' &&
				    p[2] == 'u' && hex4(p + 3, &lo) == 0 && lo >= 0xDC00 &&
				    lo < 0xE000) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					p += 6;
				}
				if (!cp || (cp >= 0xD800 && cp < 0xE000)) {
					r->err = "a \\u escape JSON text from libpg_query does not hold";
					return NULL;
				}
				put_utf8(out, &o, cp);
				break;
			}
			default: out[o++] = *p; break; /* " \ / */
			}
		}
	}
	out[o] = '\0';
	*len = o;
	r->p = q + 1;
	return out;
}

static struct ev_json *value(struct jr *r, int depth);

/* The children collected since base, moved into the arena. */
static void take(struct jr *r, struct ev_json *j, size_t base, bool keys)
{
	j->n = r->n - base;
	j->v = pgd_arena_alloc(r->a, (j->n + 1) * sizeof(*j->v));
	if (keys)
		j->k = pgd_arena_alloc(r->a, (j->n + 1) * sizeof(*j->k));
	if (j->n) { /* the stack is NULL before the first push */
		memcpy(j->v, r->stack + base, j->n * sizeof(*j->v));
		if (keys)
			memcpy(j->k, r->keys + base, j->n * sizeof(*j->k));
	}
	r->n = base;
}

static void push(struct jr *r, const char *key, struct ev_json *v)
{
	if (r->n == r->alloc) {
		size_t na = r->alloc ? 2 * r->alloc : 64;
		r->stack = realloc(r->stack, na * sizeof(*r->stack));
		r->keys = realloc(r->keys, na * sizeof(*r->keys));
		if (!r->stack || !r->keys)
			PGD_BUG("out of memory");
		r->alloc = na;
	}
	r->keys[r->n] = key;
	r->stack[r->n++] = v;
}

static struct ev_json *container(struct jr *r, int depth, bool obj)
{
	struct ev_json *j = node(r, obj ? EVJ_OBJ : EVJ_ARR);
	size_t base = r->n;
	r->p++;
	ws(r);
	if (r->p < r->end && *r->p == (obj ? '}' : ']')) {
		r->p++;
		take(r, j, base, obj);
		return j;
	}
	for (;;) {
		const char *key = NULL;
		ws(r);
		if (obj) {
			size_t kl;
			if (r->p >= r->end || *r->p != '"') {
				r->err = "an object key expected";
				return NULL;
			}
			r->p++;
			if (!(key = string(r, &kl)))
				return NULL;
			ws(r);
			if (r->p >= r->end || *r->p != ':') {
				r->err = "':' expected";
				return NULL;
			}
			r->p++;
		}
		struct ev_json *v = value(r, depth + 1);
		if (!v)
			return NULL;
		push(r, key, v);
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == (obj ? '}' : ']')) {
			r->p++;
			break;
		}
		r->err = obj ? "',' or '}' expected" : "',' or ']' expected";
		return NULL;
	}
	take(r, j, base, obj);
	return j;
}

static bool word(struct jr *r, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n))
		return false;
	r->p += n;
	return true;
}

static struct ev_json *value(struct jr *r, int depth)
{
	if (depth > EV_JSON_DEPTH) {
		r->err = "nested too deeply";
		return NULL;
	}
	ws(r);
	if (r->p >= r->end) {
		r->err = "unexpected end";
		return NULL;
	}
	char c = *r->p;
	if (c == '{' || c == '[')
		return container(r, depth, c == '{');
	if (c == '"') {
		struct ev_json *j = node(r, EVJ_STR);
		r->p++;
		if (!(j->s = string(r, &j->n)))
			return NULL;
		return j;
	}
	if (word(r, "true") || word(r, "false")) {
		struct ev_json *j = node(r, EVJ_BOOL);
		j->b = r->p[-1] == 'e' && r->p[-2] == 'u';
		return j;
	}
	if (word(r, "null"))
		return node(r, EVJ_NULL);
	if (c == '-' || (c >= '0' && c <= '9')) {
		const char *b = r->p;
		bool real = false;
		if (*r->p == '-')
			r->p++;
		while (r->p < r->end && ((*r->p >= '0' && *r->p <= '9') || *r->p == '.' ||
					 *r->p == 'e' || *r->p == 'E' || *r->p == '+' ||
					 *r->p == '-')) {
			real = real || *r->p == '.' || *r->p == 'e' || *r->p == 'E';
			r->p++;
		}
		struct ev_json *j = node(r, real ? EVJ_REAL : EVJ_INT);
		if (!real) {
			long long v = 0;
			bool neg = *b == '-';
			for (const char *p = b + neg; p < r->p; p++) {
				if (v > (LLONG_MAX - 9) / 10) {
					j->t = EVJ_REAL; /* out of range: not an integer */
					break;
				}
				v = v * 10 + (*p - '0');
			}
			j->i = neg ? -v : v;
		}
		return j;
	}
	r->err = "unexpected character";
	return NULL;
}

struct ev_json *ev_json_parse(struct pgd_arena *a, const char *text, const char **err)
{
	struct jr r = { text, text + strlen(text), a, NULL, NULL, NULL, 0, 0 };
	struct ev_json *j = value(&r, 0);
	if (j) {
		ws(&r);
		if (r.p != r.end) {
			r.err = "text after the JSON value";
			j = NULL;
		}
	}
	free(r.stack);
	free(r.keys);
	*err = j ? NULL : r.err;
	return j;
}

struct ev_json *ev_json_get(const struct ev_json *o, const char *key)
{
	if (!o || o->t != EVJ_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->k[i], key))
			return o->v[i];
	return NULL;
}

size_t ev_json_size(const struct ev_json *a)
{
	return a && a->t == EVJ_ARR ? a->n : 0;
}

struct ev_json *ev_json_at(const struct ev_json *a, size_t i)
{
	return a && a->t == EVJ_ARR && i < a->n ? a->v[i] : NULL;
}

/*
 * lex.c - the tokenizers the code scanner runs: JavaScript/TypeScript,
 * Python, and one C-like tokenizer for Dart, Swift and Kotlin.
 *
 * They are deliberately small: identifiers, numbers, string values and
 * one-character punctuation are all the matcher needs, but every construct
 * that could hide or fake one (comments, every quote form, template and
 * f-string substitutions, JS regex literals) is lexed the way the language
 * does it, so a call in a comment or in an ordinary string never becomes a
 * token. Substitutions are lexed recursively: their tokens follow the
 * literal's own token. Recursion is bounded (MAX_DEPTH); deeper nesting is
 * taken as literal text.
 *
 * Everything lives in the caller's struct pgd_tokens, reused across files.
 */
#include <string.h>

#include "pgdrift/refs.h"

#define MAX_DEPTH 64

struct lx {
	enum pgd_lang lang;
	const char *s;
	size_t n, i;
	unsigned line;
	struct pgd_tokens *out;
	int depth;
};

static bool ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '$' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static char peek(const struct lx *x, size_t k)
{
	return x->i + k < x->n ? x->s[x->i + k] : '\0';
}

static void adv(struct lx *x)
{
	if (x->i < x->n) {
		if (x->s[x->i] == '\n')
			x->line++;
		x->i++;
	}
}

static size_t push(struct lx *x, enum pgd_tok kind, size_t off, unsigned line)
{
	struct pgd_tokens *t = x->out;
	PGD_GROW(t->v, t->alloc, t->n + 1);
	struct pgd_token *k = &t->v[t->n];
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->off = off;
	k->line = line;
	return t->n++;
}

static void finish(struct lx *x, size_t idx)
{
	struct pgd_token *k = &x->out->v[idx];
	k->len = x->i - k->off;
}

/* String values are built in a scratch buffer and appended to vals at
 * the end of the literal: a nested literal may be appended meanwhile. */
static void set_val(struct lx *x, size_t idx, const struct pgd_strbuf *v)
{
	struct pgd_tokens *t = x->out;
	struct pgd_token *k = &t->v[idx];
	k->voff = t->vals.len;
	k->vlen = v->len;
	pgd_strbuf_add(&t->vals, v->buf, v->len);
	pgd_strbuf_addch(&t->vals, '\0');
}

static void placeholder(struct lx *x, size_t idx, struct pgd_strbuf *v)
{
	struct pgd_token *k = &x->out->v[idx];
	k->nsubst++;
	pgd_strbuf_addf(v, "$%u", k->nsubst);
}

/* A backslash escape at x->i (the backslash): appends its value. */
static void escape(struct lx *x, struct pgd_strbuf *v)
{
	adv(x);
	char c = peek(x, 0);
	switch (c) {
	case 'n': pgd_strbuf_addch(v, '\n'); break;
	case 't': pgd_strbuf_addch(v, '\t'); break;
	case 'r': pgd_strbuf_addch(v, '\r'); break;
	case '0': pgd_strbuf_addch(v, ' '); break;
	case '\n': break; /* line continuation */
	case '\0': return;
	default: pgd_strbuf_addch(v, c); break;
	}
	adv(x);
}

static void lex_until(struct lx *x, char close);

/* The tokens of a substitution up to its closing character, which is
 * consumed. Too deep: skipped as text. */
static void substitution(struct lx *x, char close)
{
	if (x->depth >= MAX_DEPTH) {
		int d = 0;
		while (x->i < x->n) {
			char c = peek(x, 0);
			if (c == close && d == 0) {
				adv(x);
				return;
			}
			if (c == '{' || c == '(')
				d++;
			else if ((c == '}' || c == ')') && d > 0)
				d--;
			adv(x);
		}
		return;
	}
	x->depth++;
	lex_until(x, close);
	x->depth--;
}

/* ---- JavaScript */

static bool js_regex_allowed(const struct lx *x)
{
	const struct pgd_tokens *t = x->out;
	/* the previous token at this nesting level: substitution tokens of
	 * an earlier template are followed by the template itself */
	if (!t->n)
		return true;
	const struct pgd_token *p = &t->v[t->n - 1];
	switch (p->kind) {
	case PGD_TOK_NUMBER:
	case PGD_TOK_STRING:
	case PGD_TOK_TEMPLATE:
	case PGD_TOK_REGEX:
		return false;
	case PGD_TOK_PUNCT: {
		char c = x->s[p->off];
		return !(p->len == 1 && (c == ')' || c == ']' || c == '}'));
	}
	case PGD_TOK_IDENT: {
		static const char *const kw[] = { "return", "typeof", "instanceof",
			"in", "of", "new", "delete", "void", "throw", "case", "do",
			"else", "yield", "await" };
		for (size_t i = 0; i < PGD_ARRAY_SIZE(kw); i++)
			if (strlen(kw[i]) == p->len &&
			    !memcmp(x->s + p->off, kw[i], p->len))
				return true;
		return false;
	}
	}
	return true;
}

/* A regex literal at '/'; false (nothing consumed) when the line ends
 * first: then it was a division after all. */
static bool js_regex(struct lx *x)
{
	size_t j = x->i + 1;
	bool cls = false;
	while (j < x->n && x->s[j] != '\n') {
		char c = x->s[j];
		if (c == '\\') {
			j += 2;
			continue;
		}
		if (c == '[')
			cls = true;
		else if (c == ']')
			cls = false;
		else if (c == '/' && !cls)
			break;
		j++;
	}
	if (j >= x->n || x->s[j] != '/')
		return false;
	size_t idx = push(x, PGD_TOK_REGEX, x->i, x->line);
	x->i = j + 1;
	while (x->i < x->n && ident_char((unsigned char)x->s[x->i]))
		x->i++;
	finish(x, idx);
	return true;
}

static void js_template(struct lx *x)
{
	size_t idx = push(x, PGD_TOK_TEMPLATE, x->i, x->line);
	struct pgd_strbuf v = PGD_STRBUF_INIT;
	adv(x);
	while (x->i < x->n) {
		char c = peek(x, 0);
		if (c == '`') {
			adv(x);
			break;
		}
		if (c == '\\') {
			escape(x, &v);
			continue;
		}
		if (c == '$' && peek(x, 1) == '{') {
			adv(x);
			adv(x);
			placeholder(x, idx, &v);
			substitution(x, '}');
			continue;
		}
		pgd_strbuf_addch(&v, c);
		adv(x);
	}
	finish(x, idx);
	set_val(x, idx, &v);
	pgd_strbuf_release(&v);
}

/* '...' or "..." in JS, Python (non-triple) and C-like languages without
 * interpolation: ends at the quote or, unterminated, at the line's end. */
static void quoted(struct lx *x, size_t start, char q, bool raw, bool multiline)
{
	size_t idx = push(x, PGD_TOK_STRING, start, x->line);
	struct pgd_strbuf v = PGD_STRBUF_INIT;
	while (x->i < x->n) {
		char c = peek(x, 0);
		if (c == q) {
			adv(x);
			break;
		}
		if (c == '\n' && !multiline)
			break;
		if (c == '\\' && !raw) {
			escape(x, &v);
			continue;
		}
		if (c == '\\' && raw && (peek(x, 1) == q || peek(x, 1) == '\\')) {
			pgd_strbuf_addch(&v, c);
			adv(x);
		}
		pgd_strbuf_addch(&v, peek(x, 0));
		adv(x);
	}
	finish(x, idx);
	set_val(x, idx, &v);
	pgd_strbuf_release(&v);
}

static void line_comment(struct lx *x)
{
	while (x->i < x->n && x->s[x->i] != '\n')
		x->i++;
}

static void block_comment(struct lx *x, bool nested)
{
	int d = 1;
	adv(x);
	adv(x);
	while (x->i < x->n) {
		if (nested && peek(x, 0) == '/' && peek(x, 1) == '*') {
			d++;
			adv(x);
		} else if (peek(x, 0) == '*' && peek(x, 1) == '/') {
			adv(x);
			adv(x);
			if (--d == 0)
				return;
			continue;
		}
		adv(x);
	}
}

static void number(struct lx *x)
{
	size_t idx = push(x, PGD_TOK_NUMBER, x->i, x->line);
	while (x->i < x->n) {
		char c = x->s[x->i];
		if (ident_char((unsigned char)c) ||
		    (c == '.' && is_digit((unsigned char)peek(x, 1))))
			x->i++;
		else if ((c == '+' || c == '-') && x->i > 0 &&
			 (x->s[x->i - 1] == 'e' || x->s[x->i - 1] == 'E'))
			x->i++;
		else
			break;
	}
	finish(x, idx);
}

static void ident(struct lx *x)
{
	size_t idx = push(x, PGD_TOK_IDENT, x->i, x->line);
	while (x->i < x->n && ident_char((unsigned char)x->s[x->i]))
		x->i++;
	finish(x, idx);
}

static void punct(struct lx *x)
{
	size_t idx = push(x, PGD_TOK_PUNCT, x->i, x->line);
	if (peek(x, 0) == '?' && peek(x, 1) == '.' && !is_digit((unsigned char)peek(x, 2)))
		adv(x);
	adv(x);
	finish(x, idx);
}

/* ---- Python */

static void py_fexpr_end(struct lx *x);

/* A Python string at its opening quote; prefix letters already read. */
static void py_string(struct lx *x, size_t start, const char *prefix, size_t plen)
{
	bool raw = false, f = false, b = false;
	for (size_t k = 0; k < plen; k++) {
		char c = (char)(prefix[k] | 0x20);
		raw |= c == 'r';
		f |= c == 'f';
		b |= c == 'b';
	}
	char q = peek(x, 0);
	bool triple = peek(x, 1) == q && peek(x, 2) == q;
	size_t idx = push(x, PGD_TOK_STRING, start, x->line);
	x->out->v[idx].prefix = f ? 'f' : raw ? 'r' : b ? 'b' : 0;
	struct pgd_strbuf v = PGD_STRBUF_INIT;
	adv(x);
	if (triple) {
		adv(x);
		adv(x);
	}
	while (x->i < x->n) {
		char c = peek(x, 0);
		if (c == q && (!triple || (peek(x, 1) == q && peek(x, 2) == q))) {
			adv(x);
			if (triple) {
				adv(x);
				adv(x);
			}
			break;
		}
		if (c == '\n' && !triple)
			break;
		if (c == '\\') {
			if (raw) {
				pgd_strbuf_addch(&v, c);
				adv(x);
				if (x->i < x->n) {
					pgd_strbuf_addch(&v, peek(x, 0));
					adv(x);
				}
			} else {
				escape(x, &v);
			}
			continue;
		}
		if (f && c == '{') {
			if (peek(x, 1) == '{') {
				pgd_strbuf_addch(&v, '{');
				adv(x);
				adv(x);
				continue;
			}
			adv(x);
			placeholder(x, idx, &v);
			if (x->depth >= MAX_DEPTH) {
				substitution(x, '}');
			} else {
				x->depth++;
				py_fexpr_end(x);
				x->depth--;
			}
			continue;
		}
		if (f && c == '}' && peek(x, 1) == '}') {
			adv(x);
		}
		pgd_strbuf_addch(&v, peek(x, 0));
		adv(x);
	}
	finish(x, idx);
	set_val(x, idx, &v);
	pgd_strbuf_release(&v);
}

static void lex_one(struct lx *x);

/* The expression of an f-string field, then its !conversion and :format
 * spec, up to the closing brace (consumed). */
static void py_fexpr_end(struct lx *x)
{
	int d = 0;
	while (x->i < x->n) {
		char c = peek(x, 0);
		if (d == 0 && (c == '}' || (c == '!' && peek(x, 1) != '=') ||
			       (c == ':' && peek(x, 1) != '='))) {
			if (c != '}') {
				/* conversion / format spec: text up to the
				 * matching brace (nested fields are text too) */
				int fd = 0;
				while (x->i < x->n) {
					char e = peek(x, 0);
					if (e == '{')
						fd++;
					else if (e == '}' && fd-- == 0)
						break;
					adv(x);
				}
			}
			adv(x);
			return;
		}
		if (c == '(' || c == '[' || c == '{')
			d++;
		else if (c == ')' || c == ']' || c == '}')
			d--;
		if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
			adv(x);
			continue;
		}
		lex_one(x);
	}
}

/* ---- C-like: Dart, Swift, Kotlin */

static void clike_string(struct lx *x, size_t start, bool raw)
{
	char q = peek(x, 0);
	bool triple = peek(x, 1) == q && peek(x, 2) == q;
	/* Swift and Kotlin: '...' is a character; only Dart has '''...''' */
	bool dollar = x->lang == PGD_LANG_DART || x->lang == PGD_LANG_KOTLIN;
	size_t idx = push(x, PGD_TOK_STRING, start, x->line);
	x->out->v[idx].prefix = raw ? 'r' : 0;
	struct pgd_strbuf v = PGD_STRBUF_INIT;
	adv(x);
	if (triple) {
		adv(x);
		adv(x);
	}
	/* Kotlin's """raw""" strings take no escapes */
	bool noesc = raw || (triple && x->lang == PGD_LANG_KOTLIN);
	while (x->i < x->n) {
		char c = peek(x, 0);
		if (c == q && (!triple || (peek(x, 1) == q && peek(x, 2) == q))) {
			adv(x);
			if (triple) {
				adv(x);
				adv(x);
			}
			break;
		}
		if (c == '\n' && !triple)
			break;
		if (c == '\\' && !noesc) {
			if (x->lang == PGD_LANG_SWIFT && peek(x, 1) == '(') {
				adv(x);
				adv(x);
				placeholder(x, idx, &v);
				substitution(x, ')');
				continue;
			}
			escape(x, &v);
			continue;
		}
		if (c == '$' && dollar && !raw) {
			if (peek(x, 1) == '{') {
				adv(x);
				adv(x);
				placeholder(x, idx, &v);
				substitution(x, '}');
				continue;
			}
			if (ident_start((unsigned char)peek(x, 1)) && peek(x, 1) != '$') {
				adv(x);
				placeholder(x, idx, &v);
				while (x->i < x->n && ident_char((unsigned char)x->s[x->i]) &&
				       x->s[x->i] != '$')
					x->i++;
				continue;
			}
		}
		pgd_strbuf_addch(&v, c);
		adv(x);
	}
	finish(x, idx);
	set_val(x, idx, &v);
	pgd_strbuf_release(&v);
}

/* ---- the dispatcher */

static void lex_one(struct lx *x)
{
	unsigned char c = (unsigned char)peek(x, 0);
	char c1 = peek(x, 1);
	size_t start = x->i;
	switch (x->lang) {
	case PGD_LANG_JS:
		if (c == '/' && c1 == '/') {
			line_comment(x);
			return;
		}
		if (c == '/' && c1 == '*') {
			block_comment(x, false);
			return;
		}
		if (c == '`') {
			js_template(x);
			return;
		}
		if (c == '\'' || c == '"') {
			adv(x);
			quoted(x, start, (char)c, false, false);
			return;
		}
		if (c == '/' && js_regex_allowed(x) && js_regex(x))
			return;
		if (c == '#' && ident_start((unsigned char)c1)) { /* #private */
			adv(x);
			ident(x);
			x->out->v[x->out->n - 1].off = start;
			finish(x, x->out->n - 1);
			return;
		}
		break;
	case PGD_LANG_PYTHON:
		if (c == '#') {
			line_comment(x);
			return;
		}
		if (c == '\'' || c == '"') {
			py_string(x, start, "", 0);
			return;
		}
		if (ident_start(c)) {
			/* string prefixes: up to two of r, b, u, f */
			size_t k = 0;
			while (k < 2 && peek(x, k) && strchr("rRbBuUfF", peek(x, k)))
				k++;
			for (size_t p = 1; p <= k; p++) {
				char q = peek(x, p);
				if (q == '\'' || q == '"') {
					const char *pre = x->s + x->i;
					x->i += p;
					py_string(x, start, pre, p);
					return;
				}
			}
		}
		if (c == '\\' && c1 == '\n') {
			adv(x);
			adv(x);
			return;
		}
		break;
	case PGD_LANG_DART:
	case PGD_LANG_SWIFT:
	case PGD_LANG_KOTLIN:
		if (c == '/' && c1 == '/') {
			line_comment(x);
			return;
		}
		if (c == '/' && c1 == '*') {
			block_comment(x, true);
			return;
		}
		if (c == '"' || (c == '\'' && x->lang == PGD_LANG_DART)) {
			clike_string(x, start, false);
			return;
		}
		if (c == '\'') { /* a Swift/Kotlin character literal */
			adv(x);
			quoted(x, start, '\'', false, false);
			return;
		}
		if (c == 'r' && x->lang == PGD_LANG_DART && (c1 == '\'' || c1 == '"')) {
			adv(x);
			clike_string(x, start, true);
			return;
		}
		break;
	case PGD_LANG_NONE:
		break;
	}
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
		adv(x);
		return;
	}
	if (is_digit(c) || (c == '.' && is_digit((unsigned char)c1))) {
		number(x);
		return;
	}
	if (ident_start(c)) {
		ident(x);
		return;
	}
	punct(x);
}

/* Tokens up to close at bracket depth 0 (consumed), or to the end. */
static void lex_until(struct lx *x, char close)
{
	int d = 0;
	while (x->i < x->n) {
		char c = peek(x, 0);
		if (close && d == 0 && c == close) {
			adv(x);
			return;
		}
		size_t before = x->out->n;
		size_t at = x->i;
		lex_one(x);
		if (x->out->n == before + 1 && x->out->v[before].kind == PGD_TOK_PUNCT &&
		    x->out->v[before].len == 1) {
			char p = x->s[at];
			if (p == '{' || p == '(' || p == '[')
				d++;
			else if ((p == '}' || p == ')' || p == ']') && d > 0)
				d--;
		}
	}
}

void pgd_tokenize(enum pgd_lang lang, const char *src, size_t len,
		  struct pgd_tokens *out)
{
	out->n = 0;
	pgd_strbuf_reset(&out->vals);
	struct lx x = { lang, src, len, 0, 1, out, 0 };
	/* a hashbang line is not code */
	if (len >= 2 && src[0] == '#' && src[1] == '!')
		line_comment(&x);
	lex_until(&x, '\0');
}

void pgd_tokens_release(struct pgd_tokens *t)
{
	free(t->v);
	pgd_strbuf_release(&t->vals);
	memset(t, 0, sizeof(*t));
}

const char *pgd_token_val(const struct pgd_tokens *t, size_t i)
{
	const struct pgd_token *k = &t->v[i];
	if (k->kind != PGD_TOK_STRING && k->kind != PGD_TOK_TEMPLATE)
		return "";
	return t->vals.buf + k->voff;
}

enum pgd_lang pgd_lang_of_path(const char *path)
{
	static const struct { const char *ext; enum pgd_lang lang; } map[] = {
		{ ".js", PGD_LANG_JS }, { ".jsx", PGD_LANG_JS }, { ".mjs", PGD_LANG_JS },
		{ ".cjs", PGD_LANG_JS }, { ".ts", PGD_LANG_JS }, { ".tsx", PGD_LANG_JS },
		{ ".mts", PGD_LANG_JS }, { ".cts", PGD_LANG_JS },
		{ ".py", PGD_LANG_PYTHON }, { ".dart", PGD_LANG_DART },
		{ ".swift", PGD_LANG_SWIFT }, { ".kt", PGD_LANG_KOTLIN },
		{ ".kts", PGD_LANG_KOTLIN },
	};
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		return PGD_LANG_NONE;
	/* declaration files describe types, never calls */
	size_t n = strlen(path);
	if (n > 5 && !strcmp(path + n - 5, ".d.ts"))
		return PGD_LANG_NONE;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(map); i++)
		if (!strcmp(dot, map[i].ext))
			return map[i].lang;
	return PGD_LANG_NONE;
}

const char *pgd_lang_name(enum pgd_lang l)
{
	switch (l) {
	case PGD_LANG_NONE: return "none";
	case PGD_LANG_JS: return "javascript";
	case PGD_LANG_PYTHON: return "python";
	case PGD_LANG_DART: return "dart";
	case PGD_LANG_SWIFT: return "swift";
	case PGD_LANG_KOTLIN: return "kotlin";
	}
	return "?";
}

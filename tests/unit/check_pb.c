/*
 * check_pb.c - src/normalize/pb.c against protobuf-c and libpg_query, on
 * every statement of every fixture: the SQL files under fixtures/ and the
 * SQL blocks of fixtures/parser/NN_name.cases. For each statement that parses:
 *  - the bytes libpg_query returned (packed by pb.c's stand-ins for
 *    pg_query__parse_result__get_packed_size/pack) are protobuf-c's: its
 *    generic unpack then generic pack gives them back;
 *  - pgd_pb_pack(KEEP_LOCATIONS) of the tree protobuf-c's generic unpack
 *    built gives the very bytes protobuf-c's generic encoder writes;
 *  - the tree packed without locations deparses to the same text as the
 *    original (the deparse memo relies on that);
 *  - pgd_pb_unpack_parse_result() builds a tree that packs back to them;
 *  - pgd_pb_parse() (the tree copied as libpg_query hands it to pack,
 *    no bytes) is field for field the tree the bytes unpack to: the same
 *    scalars, strings, NULLs, empty defaults and list lengths;
 *    pgd_pb_parse_in() makes the same tree in an arena;
 *  - pgd_pb_free() frees the tree (leaks and bad frees: ASan and valgrind
 *    in CI).
 * One TAP line per file. Usage: check_pb FIXTURES_DIR
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pg_query.h>

#include "pgdrift/arena.h"
#include "pgdrift/strbuf.h"
#include "src/normalize/pb.h"

static int ntests, nfailed;

static char *deparse(const char *data, size_t len)
{
	PgQueryProtobuf pb = { len, (char *)data };
	PgQueryDeparseResult d = pg_query_deparse_protobuf(pb);
	char *res = d.error ? NULL : strdup(d.query);
	pg_query_free_deparse_result(d);
	return res;
}

static bool same_msg(const ProtobufCMessage *a, const ProtobufCMessage *b);

static bool same_value(const ProtobufCFieldDescriptor *f, const void *a, const void *b)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *x = *(char *const *)a, *y = *(char *const *)b;
		if (!x || !y)
			return x == y;
		/* an empty default is the same pointer on both sides */
		if ((x == f->default_value) != (y == f->default_value) ||
		    (x == protobuf_c_empty_string) != (y == protobuf_c_empty_string))
			return false;
		return strcmp(x, y) == 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		return same_msg(*(ProtobufCMessage *const *)a, *(ProtobufCMessage *const *)b);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return memcmp(a, b, 8) == 0;
	case PROTOBUF_C_TYPE_BOOL:
		return *(const protobuf_c_boolean *)a == *(const protobuf_c_boolean *)b;
	default:
		return memcmp(a, b, 4) == 0;
	}
}

/* Field for field equality of two unpacked trees, pointers' NULL-ness
 * and empty defaults included. */
static bool same_msg(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
	if (!a || !b)
		return a == b;
	if (a->descriptor != b->descriptor || a->n_unknown_fields || b->n_unknown_fields)
		return false;
	const ProtobufCMessageDescriptor *d = a->descriptor;
	const char *x = (const char *)a, *y = (const char *)b;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(x + f->quantifier_offset);
			if (n != *(const size_t *)(y + f->quantifier_offset))
				return false;
			const char *p = *(char *const *)(x + f->offset);
			const char *q = *(char *const *)(y + f->offset);
			if ((p == NULL) != (q == NULL))
				return false;
			size_t es = f->type == PROTOBUF_C_TYPE_STRING ||
				    f->type == PROTOBUF_C_TYPE_MESSAGE ? sizeof(void *)
				  : f->type == PROTOBUF_C_TYPE_INT64 || f->type == PROTOBUF_C_TYPE_UINT64 ||
				    f->type == PROTOBUF_C_TYPE_DOUBLE ? 8 : 4;
			for (size_t j = 0; j < n; j++)
				if (!same_value(f, p + es * j, q + es * j))
					return false;
			continue;
		}
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t ca = *(const uint32_t *)(x + f->quantifier_offset);
			if (ca != *(const uint32_t *)(y + f->quantifier_offset))
				return false;
			if (ca != f->id)
				continue;
		}
		if (!same_value(f, x + f->offset, y + f->offset))
			return false;
	}
	return true;
}

/* Checks one statement; returns false with a message in why. */
static bool check_stmt(const char *sql, struct pgd_strbuf *why, unsigned *nstmts)
{
	PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql);
	bool ok = true;
	if (r.error) {
		pg_query_free_protobuf_parse_result(r);
		return true; /* %%FAIL cases and friends: nothing to pack */
	}
	(*nstmts)++;
	/* protobuf-c's generic code, which pb.c stands in for */
	PgQuery__ParseResult *pr = (PgQuery__ParseResult *)protobuf_c_message_unpack(
		&pg_query__parse_result__descriptor, NULL, r.parse_tree.len,
		(const uint8_t *)r.parse_tree.data);
	size_t len = pr ? protobuf_c_message_get_packed_size(&pr->base) : 0;
	uint8_t *ref = malloc(len ? len : 1);
	if (!pr || protobuf_c_message_pack(&pr->base, ref) != len ||
	    len != r.parse_tree.len || memcmp(ref, r.parse_tree.data, len) != 0) {
		pgd_strbuf_addf(why, "libpg_query's bytes differ from protobuf-c's: %s\n", sql);
		free(ref);
		if (pr)
			protobuf_c_message_free_unpacked(&pr->base, NULL);
		pg_query_free_protobuf_parse_result(r);
		return false;
	}
	uint8_t *mine = pgd_pb_pack(&pr->base, PGD_PB_KEEP_LOCATIONS, &len);
	if (!mine || len != r.parse_tree.len || memcmp(mine, ref, len) != 0) {
		pgd_strbuf_addf(why, "pack differs from protobuf-c: %s\n", sql);
		ok = false;
	}
	free(mine);
	free(ref);
	PgQuery__ParseResult *own = pgd_pb_unpack_parse_result(
		(const uint8_t *)r.parse_tree.data, r.parse_tree.len);
	uint8_t *again = own ? pgd_pb_pack(&own->base, PGD_PB_KEEP_LOCATIONS, &len)
			     : NULL;
	if (!again || len != r.parse_tree.len ||
	    memcmp(again, r.parse_tree.data, len) != 0) {
		pgd_strbuf_addf(why, "unpack does not pack back: %s\n", sql);
		ok = false;
	}
	free(again);
	PgQueryProtobufParseResult r2;
	PgQuery__ParseResult *copied = pgd_pb_parse(sql, &r2);
	if (!copied || !own || !same_msg(&copied->base, &own->base)) {
		pgd_strbuf_addf(why, "pgd_pb_parse's tree differs from the unpacked bytes: %s\n", sql);
		ok = false;
	}
	if (copied)
		pgd_pb_free(&copied->base);
	pg_query_free_protobuf_parse_result(r2);
	/* the same copy into an arena (the DO read-ahead's trees) */
	struct pgd_arena *arena = pgd_arena_new();
	PgQueryProtobufParseResult r3;
	PgQuery__ParseResult *in_arena = pgd_pb_parse_in(arena, sql, &r3);
	if (!in_arena || !own || !same_msg(&in_arena->base, &own->base)) {
		pgd_strbuf_addf(why, "pgd_pb_parse_in's tree differs from the unpacked bytes: %s\n", sql);
		ok = false;
	}
	pg_query_free_protobuf_parse_result(r3);
	pgd_arena_free(arena);
	if (own)
		pgd_pb_free(&own->base);
	uint8_t *noloc = pgd_pb_pack(&pr->base, PGD_PB_DROP_LOCATIONS, &len);
	char *a = deparse(r.parse_tree.data, r.parse_tree.len);
	char *b = noloc ? deparse((const char *)noloc, len) : NULL;
	if (!noloc || (a && (!b || strcmp(a, b) != 0))) {
		pgd_strbuf_addf(why, "deparse without locations differs: %s\n"
			       "  with:    %s\n  without: %s\n", sql,
			       a ? a : "(error)", b ? b : "(error)");
		ok = false;
	}
	/* the same deparse reading the tree itself (pgd_pb_lend) */
	bool exact;
	uint8_t *lend = pgd_pb_pack_exact(&pr->base, PGD_PB_DROP_LOCATIONS, &len,
					  &exact);
	if (!lend || !exact) {
		pgd_strbuf_addf(why, "an unpacked tree is not exact: %s\n", sql);
		ok = false;
	} else {
		pgd_pb_lend(lend, len, pr);
		char *c = deparse((const char *)lend, len);
		pgd_pb_lend_end();
		if (a && (!c || strcmp(a, c) != 0)) {
			pgd_strbuf_addf(why, "deparse of the lent tree differs: %s\n"
				       "  bytes: %s\n  lent:  %s\n", sql, a,
				       c ? c : "(error)");
			ok = false;
		}
		free(c);
	}
	free(lend);
	free(a);
	free(b);
	free(noloc);
	pgd_pb_free(&pr->base);
	pg_query_free_protobuf_parse_result(r);
	return ok;
}

static char *read_all(const char *path)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (pgd_strbuf_read_file(&sb, path) < 0) {
		pgd_strbuf_release(&sb);
		return NULL;
	}
	return pgd_strbuf_detach(&sb, NULL);
}

/* The statements of a SQL text, through libpg_query's scanner split. */
static void check_sql(const char *text, struct pgd_strbuf *why, unsigned *n)
{
	PgQuerySplitResult s = pg_query_split_with_scanner(text);
	if (!s.error)
		for (int i = 0; i < s.n_stmts; i++) {
			char *stmt = strndup(text + s.stmts[i]->stmt_location,
					     (size_t)s.stmts[i]->stmt_len);
			check_stmt(stmt, why, n);
			free(stmt);
		}
	pg_query_free_split_result(s);
}

static void check_file(const char *path)
{
	char *text = read_all(path);
	struct pgd_strbuf why = PGD_STRBUF_INIT;
	unsigned n = 0;
	if (!text) {
		pgd_strbuf_addf(&why, "cannot read %s\n", path);
	} else if (strstr(path, ".cases")) {
		/* SQL blocks: after a "===" line, up to the "---" line */
		struct pgd_strbuf sql = PGD_STRBUF_INIT;
		bool in_sql = false;
		for (char *line = text; *line;) {
			char *nl = strchr(line, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);
			if (!strncmp(line, "===", 3)) {
				in_sql = true;
				pgd_strbuf_reset(&sql);
			} else if (in_sql && len == 3 && !strncmp(line, "---", 3)) {
				in_sql = false;
				check_sql(sql.buf, &why, &n);
			} else if (in_sql) {
				pgd_strbuf_add(&sql, line, len);
				pgd_strbuf_addch(&sql, '\n');
			}
			line += len + (nl ? 1 : 0);
		}
		pgd_strbuf_release(&sql);
	} else {
		check_sql(text, &why, &n);
	}
	ntests++;
	if (why.len) {
		nfailed++;
		printf("not ok %d - %s\n# %s", ntests, path, why.buf);
	} else {
		printf("ok %d - %s (%u statements)\n", ntests, path, n);
	}
	pgd_strbuf_release(&why);
	free(text);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		PGD_GROW(names, alloc, n + 1);
		names[n++] = pgd_xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		size_t len = strlen(names[i]);
		if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
			walk(names[i]);
		else if ((len > 4 && !strcmp(names[i] + len - 4, ".sql")) ||
			 (len > 6 && !strcmp(names[i] + len - 6, ".cases")))
			check_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FIXTURES_DIR\n", argv[0]);
		return 2;
	}
	walk(argv[1]);
	/* the one deparse that reads locations: point 'x' vs 'x'::point */
	struct pgd_strbuf why = PGD_STRBUF_INIT;
	unsigned n = 0;
	check_stmt("CREATE TABLE p (a point DEFAULT point '(1,2)', "
		   "b point DEFAULT '(1,2)'::point)", &why, &n);
	ntests++;
	if (why.len)
		nfailed++;
	printf("%s %d - point literals keep their locations\n%s",
	       why.len ? "not ok" : "ok", ntests, why.buf);
	pgd_strbuf_release(&why);
	/* NULLs the bytes would turn into empty values: not exact, so never
	 * lent to a deparse whose readers would dereference them */
	{
		PgQuery__String str = PG_QUERY__STRING__INIT;
		PgQuery__Node *items[1] = { NULL };
		PgQuery__List list = PG_QUERY__LIST__INIT;
		PgQuery__Node unset = PG_QUERY__NODE__INIT;
		size_t len;
		bool e1 = true, e2 = true, e3 = true, e4 = false;
		str.sval = NULL;
		free(pgd_pb_pack_exact(&str.base, PGD_PB_KEEP_LOCATIONS, &len, &e1));
		list.n_items = 1;
		list.items = items;
		free(pgd_pb_pack_exact(&list.base, PGD_PB_KEEP_LOCATIONS, &len, &e2));
		unset.node_case = PG_QUERY__NODE__NODE_STRING; /* member NULL */
		free(pgd_pb_pack_exact(&unset.base, PGD_PB_KEEP_LOCATIONS, &len, &e3));
		str.sval = (char *)"x";
		free(pgd_pb_pack_exact(&str.base, PGD_PB_KEEP_LOCATIONS, &len, &e4));
		ntests++;
		bool good = !e1 && !e2 && !e3 && e4;
		if (!good)
			nfailed++;
		printf("%s %d - NULL string, list element and Node member are not exact\n",
		       good ? "ok" : "not ok", ntests);
	}
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}

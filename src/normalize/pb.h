/*
 * pb.h - the protobuf-c operations normalize and the loader run most, done
 * in time proportional to what a tree holds.
 *
 * protobuf-c's generic pack, get_packed_size and free_unpacked visit every
 * field a message type declares; a PgQuery__Node declares about 250 (its
 * oneof), and pack asks each ancestor's size again at every level. That
 * was most of pgdrift's time (docs/performance.md). These walk only the
 * Node member that is set and size every message once, and give the same
 * result: pgd_pb_pack() writes the same bytes protobuf-c would,
 * pgd_pb_unpack_parse_result() builds the tree protobuf-c would (it packs
 * back to the same bytes), pgd_pb_free() frees what
 * protobuf_c_message_free_unpacked(m, NULL) would (tests/unit/check_pb.c
 * checks all three on every fixture statement).
 *
 * A per-thread memo also lives here: canonical text by the packed tree it
 * was printed from, and RLS facts by expression text. Both are pure
 * functions of their key, so a hit gives what a recomputation would.
 */
#ifndef PGDRIFT_NORMALIZE_PB_H
#define PGDRIFT_NORMALIZE_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

/* A message type's field by number. pg_query.proto numbers most fields
 * 1..n in order, so fields[id - 1] is nearly always it, without
 * protobuf-c's binary search over field ranges. NULL when there is none. */
static inline const ProtobufCFieldDescriptor *
pgd_pb_field_by_id(const ProtobufCMessageDescriptor *d, unsigned id)
{
	if (id - 1 < d->n_fields && d->fields[id - 1].id == id)
		return &d->fields[id - 1];
	return protobuf_c_message_descriptor_get_field(d, id);
}

/* The message a Node holds (its set oneof member; every member is a
 * message), or NULL: one lookup, not a visit of the Node's ~250 fields. */
static inline ProtobufCMessage *pgd_pb_node_member(const PgQuery__Node *n)
{
	const ProtobufCFieldDescriptor *f =
		pgd_pb_field_by_id(n->base.descriptor, (unsigned)n->node_case);
	return f && f->type == PROTOBUF_C_TYPE_MESSAGE
		? *(ProtobufCMessage *const *)((const char *)n + f->offset) : NULL;
}

/* How pgd_pb_pack() treats int32 fields named "location". */
enum pgd_pb_locations {
	PGD_PB_KEEP_LOCATIONS,
	/* leave them out (they read back as 0) unless the tree has a
	 * TypeName "point": the only place libpg_query's deparser reads a
	 * location (pg_query_deparse.c, deparseTypeCast: point 'x' syntax) */
	PGD_PB_DROP_LOCATIONS,
};

/*
 * Packs msg like protobuf_c_message_pack(). Returns a malloc'd buffer and
 * its length in *len, or NULL when msg holds something this packer does
 * not write (unknown fields, a field type pg_query.proto does not use);
 * then use protobuf-c.
 */
uint8_t *pgd_pb_pack(const ProtobufCMessage *msg, enum pgd_pb_locations loc,
		     size_t *len);

/*
 * pgd_pb_pack(), and *exact (when not NULL) says whether the tree
 * unpacked from the bytes reads as msg itself does to libpg_query's
 * readers (pg_query_protobuf_to_nodes): false when msg holds a NULL the
 * bytes turn into an empty value (a NULL string, a NULL list element, a
 * Node whose member is unset), which those readers would dereference.
 * Locations differ when loc drops them; the deparser reads none but those
 * PGD_PB_DROP_LOCATIONS keeps.
 */
uint8_t *pgd_pb_pack_exact(const ProtobufCMessage *msg,
			   enum pgd_pb_locations loc, size_t *len, bool *exact);

/*
 * Lends tree, which data (len bytes, from pgd_pb_pack_exact with *exact)
 * encodes, to the next pg_query__parse_result__unpack(NULL, len, data) in
 * this thread: it returns tree itself instead of unpacking, and the
 * pg_query__parse_result__free_unpacked() of it that follows does
 * nothing. tree stays the caller's. pgd_pb_lend_end() ends the loan
 * (call it after the libpg_query call, whatever it returned).
 */
void pgd_pb_lend(const uint8_t *data, size_t len, PgQuery__ParseResult *tree);
void pgd_pb_lend_end(void);

/*
 * pg_query__parse_result__unpack(NULL, len, buf), faster: the same tree,
 * malloc'd, freed with pgd_pb_free() or protobuf-c. NULL when buf is not
 * a parse result.
 */
PgQuery__ParseResult *pgd_pb_unpack_parse_result(const uint8_t *buf,
						 size_t len);

/*
 * pg_query_parse_protobuf(sql) with its bytes unpacked, without packing
 * and unpacking them: the tree libpg_query builds is copied as it is
 * handed to pack (the same tree pgd_pb_unpack_parse_result() of the bytes
 * gives; tests/unit/check_pb.c holds them equal). *r is libpg_query's
 * result (its error, an empty parse_tree when the tree was copied); the
 * caller frees it with pg_query_free_protobuf_parse_result(). Returns the
 * tree, which the caller frees with pgd_pb_free(), or NULL when r->error
 * is set (or the bytes could not be read).
 */
PgQuery__ParseResult *pgd_pb_parse(const char *sql, PgQueryProtobufParseResult *r);

/*
 * pgd_pb_parse() with the tree in arena a (freed with it, never with
 * pgd_pb_free): NULL on an error (in *r) and where the copy cannot be
 * taken (then pgd_pb_parse() would read r's bytes; the caller parses
 * again with it). The caller frees *r.
 */
struct pgd_arena;
PgQuery__ParseResult *pgd_pb_parse_in(struct pgd_arena *a, const char *sql,
				      PgQueryProtobufParseResult *r);

/* protobuf_c_message_free_unpacked(msg, NULL), faster. NULL is fine. */
void pgd_pb_free(ProtobufCMessage *msg);

/*
 * The per-thread memo: the value stored under (kind, key), or NULL; *len
 * gets its length. Values are copied in and owned by the memo, which the
 * thread's exit frees (pthread key destructor); the main thread's lives
 * until exit.
 */
const char *pgd_memo_get(char kind, const void *key, size_t keylen,
			 size_t *len);
void pgd_memo_put(char kind, const void *key, size_t keylen, const void *val,
		  size_t vallen);

#endif

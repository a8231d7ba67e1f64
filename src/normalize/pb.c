/*
 * pb.c - protobuf-c pack and free in time proportional to what a tree
 * holds, and normalize's per-thread memo. See pb.h for why; the wire
 * format written here is protobuf's, field by field in descriptor order,
 * with protobuf-c's rules for which proto3 fields are present.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pb.h"
#include "pgdrift/alloc.h"
#include "pgdrift/arena.h"
#include "pgdrift/map.h"

/* ---- pack */

struct pk {
	size_t *sizes; /* payload size of every sub-message, in pre-order */
	size_t nsizes, asizes, pos;
	uint8_t *out;
	size_t len;
	bool drop_loc;
	bool point;       /* saw a TypeName "point" */
	bool unsupported;
	bool hole;        /* a NULL the bytes turn into an empty value */
};

static size_t varint_size(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void put_varint(struct pk *k, uint64_t v)
{
	while (v >= 0x80) {
		k->out[k->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	k->out[k->len++] = (uint8_t)v;
}

/* int32 and enums go out sign-extended to 64 bits, as protobuf-c does */
static uint64_t int32_wire(int32_t v)
{
	return (uint64_t)(int64_t)v;
}

static size_t tag_size(const ProtobufCFieldDescriptor *f)
{
	return varint_size((uint64_t)f->id << 3);
}

static void put_tag(struct pk *k, const ProtobufCFieldDescriptor *f,
		    unsigned wire)
{
	put_varint(k, ((uint64_t)f->id << 3) | wire);
}

static bool is_location(const ProtobufCFieldDescriptor *f)
{
	return f->type == PROTOBUF_C_TYPE_INT32 && f->name[0] == 'l' &&
	       strcmp(f->name, "location") == 0;
}

static size_t emit_msg(struct pk *k, const ProtobufCMessage *m, bool write);

/* A sub-message with its length prefix (after the tag). */
static size_t emit_sub(struct pk *k, const ProtobufCMessage *m, bool write)
{
	size_t sz;
	if (!write) {
		PGD_GROW(k->sizes, k->asizes, k->nsizes + 1);
		size_t idx = k->nsizes++;
		sz = m ? emit_msg(k, m, false) : 0;
		k->sizes[idx] = sz;
	} else {
		sz = k->sizes[k->pos++];
		put_varint(k, sz);
		if (m)
			emit_msg(k, m, true);
	}
	return varint_size(sz) + sz;
}

/* One present, non-repeated value with its tag. */
static size_t emit_value(struct pk *k, const ProtobufCFieldDescriptor *f,
			 const void *member, bool write)
{
	size_t n = tag_size(f);
	switch (f->type) {
	case PROTOBUF_C_TYPE_ENUM:
	case PROTOBUF_C_TYPE_INT32: {
		uint64_t v = int32_wire(*(const int32_t *)member);
		if (write) {
			put_tag(k, f, PROTOBUF_C_WIRE_TYPE_VARINT);
			put_varint(k, v);
		}
		return n + varint_size(v);
	}
	case PROTOBUF_C_TYPE_UINT32: {
		uint64_t v = *(const uint32_t *)member;
		if (write) {
			put_tag(k, f, PROTOBUF_C_WIRE_TYPE_VARINT);
			put_varint(k, v);
		}
		return n + varint_size(v);
	}
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64: {
		uint64_t v = *(const uint64_t *)member;
		if (write) {
			put_tag(k, f, PROTOBUF_C_WIRE_TYPE_VARINT);
			put_varint(k, v);
		}
		return n + varint_size(v);
	}
	case PROTOBUF_C_TYPE_BOOL:
		if (write) {
			put_tag(k, f, PROTOBUF_C_WIRE_TYPE_VARINT);
			k->out[k->len++] = *(const protobuf_c_boolean *)member ? 1 : 0;
		}
		return n + 1;
	case PROTOBUF_C_TYPE_DOUBLE: {
		uint64_t v;
		memcpy(&v, member, 8);
		if (write) {
			put_tag(k, f, PROTOBUF_C_WIRE_TYPE_64BIT);
			for (int i = 0; i < 8; i++)
				k->out[k->len++] = (uint8_t)(v >> (8 * i));
		}
		return n + 8;
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)member;
		size_t len = s ? strlen(s) : 0;
		if (!s)
			k->hole = true;
		if (write) {
			put_tag(k, f, PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED);
			put_varint(k, len);
			memcpy(k->out + k->len, s, len);
			k->len += len;
		}
		return n + varint_size(len) + len;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		if (write)
			put_tag(k, f, PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED);
		return n + emit_sub(k, *(ProtobufCMessage *const *)member, write);
	default:
		k->unsupported = true;
		return 0;
	}
}

/* protobuf-c's field_is_zeroish, for the types pg_query.proto uses */
static bool zeroish(const ProtobufCFieldDescriptor *f, const void *member)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_BOOL:
		return *(const protobuf_c_boolean *)member == 0;
	case PROTOBUF_C_TYPE_ENUM:
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_UINT32:
		return *(const uint32_t *)member == 0;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64:
		return *(const uint64_t *)member == 0;
	case PROTOBUF_C_TYPE_DOUBLE:
		return *(const double *)member == 0;
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)member;
		return !s || !*s;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(const void *const *)member == NULL;
	default:
		return true;
	}
}

static size_t emit_repeated(struct pk *k, const ProtobufCFieldDescriptor *f,
			    size_t count, const void *member, bool write)
{
	const void *arr = *(const void *const *)member;
	size_t n = 0;
	if (!count)
		return 0;
	if (f->flags & PROTOBUF_C_FIELD_FLAG_PACKED) {
		size_t payload = 0;
		for (size_t i = 0; i < count; i++) {
			switch (f->type) {
			case PROTOBUF_C_TYPE_INT64:
			case PROTOBUF_C_TYPE_UINT64:
				payload += varint_size(((const uint64_t *)arr)[i]);
				break;
			case PROTOBUF_C_TYPE_UINT32:
				payload += varint_size(((const uint32_t *)arr)[i]);
				break;
			case PROTOBUF_C_TYPE_ENUM:
			case PROTOBUF_C_TYPE_INT32:
				payload += varint_size(int32_wire(((const int32_t *)arr)[i]));
				break;
			default:
				k->unsupported = true;
				return 0;
			}
		}
		if (write) {
			put_tag(k, f, PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED);
			put_varint(k, payload);
			for (size_t i = 0; i < count; i++) {
				if (f->type == PROTOBUF_C_TYPE_INT64 ||
				    f->type == PROTOBUF_C_TYPE_UINT64)
					put_varint(k, ((const uint64_t *)arr)[i]);
				else if (f->type == PROTOBUF_C_TYPE_UINT32)
					put_varint(k, ((const uint32_t *)arr)[i]);
				else
					put_varint(k, int32_wire(((const int32_t *)arr)[i]));
			}
		}
		return tag_size(f) + varint_size(payload) + payload;
	}
	if (f->type != PROTOBUF_C_TYPE_MESSAGE && f->type != PROTOBUF_C_TYPE_STRING) {
		k->unsupported = true;
		return 0;
	}
	for (size_t i = 0; i < count; i++) {
		if (!((const void *const *)arr)[i])
			k->hole = true;
		n += emit_value(k, f, (const void *const *)arr + i, write);
	}
	return n;
}

static size_t emit_field(struct pk *k, const ProtobufCMessage *m,
			 const ProtobufCFieldDescriptor *f, bool write)
{
	const char *base = (const char *)m;
	const void *member = base + f->offset;
	if (f->label == PROTOBUF_C_LABEL_REPEATED)
		return emit_repeated(k, f, *(const size_t *)(base + f->quantifier_offset),
				     member, write);
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		if (*(const uint32_t *)(base + f->quantifier_offset) != f->id)
			return 0;
		if (f->type == PROTOBUF_C_TYPE_MESSAGE ||
		    f->type == PROTOBUF_C_TYPE_STRING) {
			const void *p = *(const void *const *)member;
			if (!p || p == f->default_value) {
				k->hole = true;
				return 0;
			}
		}
		return emit_value(k, f, member, write);
	}
	if (f->label != PROTOBUF_C_LABEL_NONE) {
		k->unsupported = true; /* proto2 labels: not in pg_query.proto */
		return 0;
	}
	if (f->type == PROTOBUF_C_TYPE_STRING && !*(char *const *)member)
		k->hole = true;
	if (zeroish(f, member) || (k->drop_loc && is_location(f)))
		return 0;
	return emit_value(k, f, member, write);
}

static size_t emit_msg(struct pk *k, const ProtobufCMessage *m, bool write)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	size_t n = 0;
	if (m->n_unknown_fields) {
		k->unsupported = true;
		return 0;
	}
	if (d == &pg_query__node__descriptor) {
		/* every field of a Node is a member of its oneof: look up the
		 * one that is set instead of testing all of them */
		const PgQuery__Node *node = (const PgQuery__Node *)m;
		if (node->node_case == PG_QUERY__NODE__NODE__NOT_SET)
			return 0;
		const ProtobufCFieldDescriptor *f =
			pgd_pb_field_by_id(d, (unsigned)node->node_case);
		if (!f) {
			k->unsupported = true;
			return 0;
		}
		return emit_field(k, m, f, write);
	}
	if (!write && d == &pg_query__type_name__descriptor) {
		const PgQuery__TypeName *tn = (const PgQuery__TypeName *)m;
		if (tn->n_names == 1 && tn->names[0] &&
		    tn->names[0]->node_case == PG_QUERY__NODE__NODE_STRING &&
		    tn->names[0]->string->sval &&
		    strcmp(tn->names[0]->string->sval, "point") == 0)
			k->point = true;
	}
	for (unsigned i = 0; i < d->n_fields && !k->unsupported; i++)
		n += emit_field(k, m, &d->fields[i], write);
	return n;
}

static uint8_t *pack_once(struct pk *k, const ProtobufCMessage *msg,
			  size_t *len)
{
	size_t total = emit_msg(k, msg, false);
	if (k->unsupported)
		return NULL;
	k->out = pgd_xmalloc(total ? total : 1);
	k->len = 0;
	k->pos = 0;
	emit_msg(k, msg, true);
	if (k->len != total || k->pos != k->nsizes)
		PGD_BUG("pgd_pb_pack: sizes disagree (%zu, %zu)", k->len, total);
	*len = total;
	return k->out;
}

uint8_t *pgd_pb_pack_exact(const ProtobufCMessage *msg,
			   enum pgd_pb_locations loc, size_t *len, bool *exact)
{
	struct pk k = { .drop_loc = loc == PGD_PB_DROP_LOCATIONS };
	uint8_t *out = pack_once(&k, msg, len);
	if (out && k.drop_loc && k.point) {
		free(out);
		struct pk again = { .sizes = k.sizes, .asizes = k.asizes };
		out = pack_once(&again, msg, len);
		k.sizes = again.sizes;
	}
	free(k.sizes);
	if (exact)
		*exact = out && !k.hole;
	return out;
}

uint8_t *pgd_pb_pack(const ProtobufCMessage *msg, enum pgd_pb_locations loc,
		     size_t *len)
{
	return pgd_pb_pack_exact(msg, loc, len, NULL);
}

/* ---- unpack */

/* Reads a varint at *p (< end); false when malformed. */
static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;
	for (unsigned shift = 0; shift < 70 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

/* Skips one value of wire type wt; false when malformed. */
static bool skip_value(const uint8_t **p, const uint8_t *end, unsigned wt,
		       const uint8_t **val, size_t *vlen)
{
	uint64_t v;
	*val = *p;
	switch (wt) {
	case PROTOBUF_C_WIRE_TYPE_VARINT:
		if (!get_varint(p, end, &v))
			return false;
		break;
	case PROTOBUF_C_WIRE_TYPE_64BIT:
		if (end - *p < 8)
			return false;
		*p += 8;
		break;
	case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED:
		if (!get_varint(p, end, &v) || v > (uint64_t)(end - *p))
			return false;
		*val = *p;
		*p += v;
		break;
	default:
		return false;
	}
	*vlen = (size_t)(*p - *val);
	return true;
}

static size_t elem_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	default:
		return 4;
	}
}

static bool is_varint_type(ProtobufCType t)
{
	return t == PROTOBUF_C_TYPE_INT32 || t == PROTOBUF_C_TYPE_UINT32 ||
	       t == PROTOBUF_C_TYPE_ENUM || t == PROTOBUF_C_TYPE_INT64 ||
	       t == PROTOBUF_C_TYPE_UINT64 || t == PROTOBUF_C_TYPE_BOOL;
}

static unsigned wire_of(ProtobufCType t)
{
	if (is_varint_type(t))
		return PROTOBUF_C_WIRE_TYPE_VARINT;
	if (t == PROTOBUF_C_TYPE_DOUBLE)
		return PROTOBUF_C_WIRE_TYPE_64BIT;
	return PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
}

static ProtobufCMessage *unpack_msg(const ProtobufCMessageDescriptor *d,
				    const uint8_t *p, const uint8_t *end,
				    int depth);

/* Stores one scalar, string or message value at slot; false on failure. */
static bool put_value(const ProtobufCFieldDescriptor *f, void *slot,
		      const uint8_t *val, size_t vlen, int depth)
{
	uint64_t v = 0;
	const uint8_t *q = val;
	if (is_varint_type(f->type) && !get_varint(&q, val + vlen, &v))
		return false;
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_ENUM:
		*(int32_t *)slot = (int32_t)v;
		return true;
	case PROTOBUF_C_TYPE_UINT32:
		*(uint32_t *)slot = (uint32_t)v;
		return true;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64:
		*(uint64_t *)slot = v;
		return true;
	case PROTOBUF_C_TYPE_BOOL:
		*(protobuf_c_boolean *)slot = v != 0;
		return true;
	case PROTOBUF_C_TYPE_DOUBLE: {
		uint64_t bits = 0;
		for (int i = 0; i < 8; i++)
			bits |= (uint64_t)val[i] << (8 * i);
		memcpy(slot, &bits, 8);
		return true;
	}
	case PROTOBUF_C_TYPE_STRING: {
		char *str = pgd_xmalloc(vlen + 1);
		memcpy(str, val, vlen);
		str[vlen] = '\0';
		*(char **)slot = str;
		return true;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		ProtobufCMessage *sub = unpack_msg(f->descriptor, val, val + vlen,
						   depth + 1);
		*(ProtobufCMessage **)slot = sub;
		return sub != NULL;
	}
	default:
		return false;
	}
}

#define MAX_FIELDS 96

static ProtobufCMessage *unpack_msg(const ProtobufCMessageDescriptor *d,
				    const uint8_t *p, const uint8_t *end,
				    int depth)
{
	/* deeper than protobuf-c's own limit would go: let it decide */
	if (depth > 1000 || (d != &pg_query__node__descriptor && d->n_fields > MAX_FIELDS))
		return NULL;
	ProtobufCMessage *m = pgd_xmalloc(d->sizeof_message);
	d->message_init(m);
	char *base = (char *)m;
	size_t counts[MAX_FIELDS];
	bool repeated = false;
	bool ok = true;
	if (d != &pg_query__node__descriptor) {
		/* first pass: how many elements each repeated field gets */
		memset(counts, 0, d->n_fields * sizeof(counts[0]));
		for (const uint8_t *q = p; q < end && ok;) {
			uint64_t tag;
			const uint8_t *val;
			size_t vlen;
			if (!get_varint(&q, end, &tag) ||
			    !skip_value(&q, end, (unsigned)(tag & 7), &val, &vlen)) {
				ok = false;
				break;
			}
			const ProtobufCFieldDescriptor *f =
				pgd_pb_field_by_id(d, (unsigned)(tag >> 3));
			if (!f || f->label != PROTOBUF_C_LABEL_REPEATED)
				continue;
			repeated = true;
			size_t idx = (size_t)(f - d->fields);
			if ((tag & 7) == PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED &&
			    is_varint_type(f->type)) {
				for (const uint8_t *r = val; r < val + vlen;) {
					uint64_t x;
					if (!get_varint(&r, val + vlen, &x)) {
						ok = false;
						break;
					}
					counts[idx]++;
				}
			} else {
				counts[idx]++;
			}
		}
		for (unsigned i = 0; ok && repeated && i < d->n_fields; i++)
			if (counts[i])
				*(void **)(base + d->fields[i].offset) =
					pgd_xcalloc(counts[i], elem_size(&d->fields[i]));
	}
	while (ok && p < end) {
		uint64_t tag;
		const uint8_t *val;
		size_t vlen;
		if (!get_varint(&p, end, &tag) ||
		    !skip_value(&p, end, (unsigned)(tag & 7), &val, &vlen)) {
			ok = false;
			break;
		}
		unsigned wt = (unsigned)(tag & 7);
		const ProtobufCFieldDescriptor *f =
			pgd_pb_field_by_id(d, (unsigned)(tag >> 3));
		if (!f) {
			ok = false; /* unknown field: protobuf-c keeps it */
			break;
		}
		void *member = base + f->offset;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t *n = (size_t *)(base + f->quantifier_offset);
			char *arr = *(char **)member;
			size_t es = elem_size(f);
			if (wt == PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED &&
			    is_varint_type(f->type)) {
				for (const uint8_t *r = val; r < val + vlen && ok;) {
					const uint8_t *start = r;
					uint64_t x;
					get_varint(&r, val + vlen, &x);
					ok = put_value(f, arr + es * (*n)++, start,
						       (size_t)(r - start), depth);
				}
			} else if (wt == wire_of(f->type)) {
				ok = put_value(f, arr + es * (*n)++, val, vlen, depth);
			} else {
				ok = false;
			}
			continue;
		}
		if (wt != wire_of(f->type) || f->label != PROTOBUF_C_LABEL_NONE) {
			ok = false;
			break;
		}
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t *q = (uint32_t *)(base + f->quantifier_offset);
			if (*q) {
				ok = false; /* a second member: protobuf-c's rules */
				break;
			}
			*q = f->id;
		} else if ((f->type == PROTOBUF_C_TYPE_STRING &&
			    *(char **)member && *(char **)member != f->default_value) ||
			   (f->type == PROTOBUF_C_TYPE_MESSAGE && *(void **)member)) {
			ok = false; /* a repeated occurrence: protobuf-c merges */
			break;
		}
		ok = put_value(f, member, val, vlen, depth);
	}
	if (!ok) {
		pgd_pb_free(m);
		return NULL;
	}
	return m;
}

PgQuery__ParseResult *pgd_pb_unpack_parse_result(const uint8_t *buf,
						 size_t len)
{
	ProtobufCMessage *m = unpack_msg(&pg_query__parse_result__descriptor,
					 buf, buf + len, 0);
	if (m)
		return (PgQuery__ParseResult *)m;
	return (PgQuery__ParseResult *)protobuf_c_message_unpack(
		&pg_query__parse_result__descriptor, NULL, len, buf);
}

/* ---- copy: the tree unpack(pack(m)) gives, without the bytes
 *
 * Field by field the same rules as emit_field() and unpack_msg(): a proto3
 * scalar or string that is zero or empty is left as message_init() sets
 * it; a NULL string, NULL list element or unset Node member (a "hole")
 * becomes what its bytes would read back as; every other string is
 * malloc'd anew. */

struct cp {
	bool unsupported;
	struct pgd_arena *arena; /* allocate here, else malloc */
};

static void *cp_alloc(struct cp *k, size_t n)
{
	if (!k->arena)
		return pgd_xmalloc(n);
	return pgd_arena_alloc(k->arena, n ? n : 1);
}

static ProtobufCMessage *copy_msg(struct cp *k, const ProtobufCMessageDescriptor *d,
				  const ProtobufCMessage *m, int depth);

/* One present value into slot (zeroed, or init'd): what put_value() would
 * store from emit_value()'s bytes. */
static void copy_value(struct cp *k, const ProtobufCFieldDescriptor *f, void *slot,
		       const void *member, int depth)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_ENUM:
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_UINT32:
		memcpy(slot, member, 4);
		return;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_DOUBLE:
		memcpy(slot, member, 8);
		return;
	case PROTOBUF_C_TYPE_BOOL:
		*(protobuf_c_boolean *)slot = *(const protobuf_c_boolean *)member != 0;
		return;
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)member;
		*(char **)slot = k->arena ? pgd_arena_strdup(k->arena, s ? s : "")
					  : pgd_xstrdup(s ? s : "");
		return;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		*(ProtobufCMessage **)slot = copy_msg(k, f->descriptor,
			*(ProtobufCMessage *const *)member, depth + 1);
		return;
	default:
		k->unsupported = true;
	}
}

static void copy_field(struct cp *k, ProtobufCMessage *dst, const ProtobufCMessage *m,
		       const ProtobufCFieldDescriptor *f, int depth)
{
	const char *base = (const char *)m;
	char *dbase = (char *)dst;
	const void *member = base + f->offset;
	void *slot = dbase + f->offset;
	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t count = *(const size_t *)(base + f->quantifier_offset);
		if (!count)
			return;
		bool packed = f->flags & PROTOBUF_C_FIELD_FLAG_PACKED;
		if (packed ? !(f->type == PROTOBUF_C_TYPE_INT64 || f->type == PROTOBUF_C_TYPE_UINT64 ||
			       f->type == PROTOBUF_C_TYPE_UINT32 || f->type == PROTOBUF_C_TYPE_ENUM ||
			       f->type == PROTOBUF_C_TYPE_INT32)
			   : !(f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_STRING)) {
			k->unsupported = true;
			return;
		}
		size_t es = elem_size(f);
		const char *arr = *(const char *const *)member;
		char *out = k->arena ? memset(cp_alloc(k, count * es), 0, count * es)
				     : pgd_xcalloc(count, es);
		*(void **)slot = out;
		*(size_t *)(dbase + f->quantifier_offset) = count;
		for (size_t i = 0; i < count && !k->unsupported; i++)
			copy_value(k, f, out + es * i, arr + es * i, depth);
		return;
	}
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		if (*(const uint32_t *)(base + f->quantifier_offset) != f->id)
			return;
		if (f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_STRING) {
			const void *p = *(const void *const *)member;
			if (!p || p == f->default_value)
				return; /* a hole: nothing in the bytes */
		}
		*(uint32_t *)(dbase + f->quantifier_offset) = f->id;
		copy_value(k, f, slot, member, depth);
		return;
	}
	if (f->label != PROTOBUF_C_LABEL_NONE) {
		k->unsupported = true;
		return;
	}
	if (zeroish(f, member))
		return;
	copy_value(k, f, slot, member, depth);
}

static ProtobufCMessage *copy_msg(struct cp *k, const ProtobufCMessageDescriptor *d,
				  const ProtobufCMessage *m, int depth)
{
	if (depth > 1000 || (m && (m->n_unknown_fields || m->descriptor != d))) {
		k->unsupported = true;
		return NULL;
	}
	ProtobufCMessage *out = cp_alloc(k, d->sizeof_message);
	d->message_init(out);
	if (!m) /* a NULL element reads back as an empty message */
		return out;
	if (d == &pg_query__node__descriptor) {
		const PgQuery__Node *node = (const PgQuery__Node *)m;
		if (node->node_case != PG_QUERY__NODE__NODE__NOT_SET) {
			const ProtobufCFieldDescriptor *f =
				pgd_pb_field_by_id(d, (unsigned)node->node_case);
			if (f)
				copy_field(k, out, m, f, depth);
			else
				k->unsupported = true;
		}
	} else {
		for (unsigned i = 0; i < d->n_fields && !k->unsupported; i++)
			copy_field(k, out, m, &d->fields[i], depth);
	}
	return out;
}

/* The copy, or NULL (nothing allocated) where pack would not write it. */
static PgQuery__ParseResult *copy_parse_result(const PgQuery__ParseResult *m,
					       struct pgd_arena *arena)
{
	struct cp k = { false, arena };
	ProtobufCMessage *out = copy_msg(&k, &pg_query__parse_result__descriptor,
					 &m->base, 0);
	if (k.unsupported) {
		if (!arena) /* in an arena it stays until the arena goes */
			pgd_pb_free(out);
		return NULL;
	}
	return (PgQuery__ParseResult *)out;
}

/* ---- free */

static void free_field(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	char *base = (char *)m;
	void *member = base + f->offset;
	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t n = *(size_t *)(base + f->quantifier_offset);
		void **arr = *(void ***)member;
		if (!arr)
			return;
		if (f->type == PROTOBUF_C_TYPE_STRING) {
			for (size_t i = 0; i < n; i++)
				free(arr[i]);
		} else if (f->type == PROTOBUF_C_TYPE_BYTES) {
			for (size_t i = 0; i < n; i++)
				free(((ProtobufCBinaryData *)arr)[i].data);
		} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
			for (size_t i = 0; i < n; i++)
				pgd_pb_free(arr[i]);
		}
		free(arr);
	} else if (f->type == PROTOBUF_C_TYPE_STRING) {
		char *s = *(char **)member;
		if (s && s != f->default_value)
			free(s);
	} else if (f->type == PROTOBUF_C_TYPE_BYTES) {
		void *data = ((ProtobufCBinaryData *)member)->data;
		const ProtobufCBinaryData *def = f->default_value;
		if (data && (!def || def->data != data))
			free(data);
	} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
		ProtobufCMessage *sm = *(ProtobufCMessage **)member;
		if (sm && sm != f->default_value)
			pgd_pb_free(sm);
	}
}

void pgd_pb_free(ProtobufCMessage *m)
{
	if (!m)
		return;
	const ProtobufCMessageDescriptor *d = m->descriptor;
	if (d == &pg_query__node__descriptor) {
		PgQuery__Node *node = (PgQuery__Node *)m;
		const ProtobufCFieldDescriptor *f =
			node->node_case == PG_QUERY__NODE__NODE__NOT_SET ? NULL :
			pgd_pb_field_by_id(d, (unsigned)node->node_case);
		if (f)
			free_field(m, f);
	} else {
		for (unsigned i = 0; i < d->n_fields; i++) {
			const ProtobufCFieldDescriptor *f = &d->fields[i];
			if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
			    *(uint32_t *)((char *)m + f->quantifier_offset) != f->id)
				continue;
			free_field(m, f);
		}
	}
	for (unsigned i = 0; i < m->n_unknown_fields; i++)
		free(m->unknown_fields[i].data);
	free(m->unknown_fields);
	free(m);
}

/* ---- memo */

struct memo_entry {
	size_t keylen, vallen;
	char *key; /* kind byte, then the key */
	char *val;
};

struct memo {
	struct pgd_map *map;
	struct memo_entry **entries;
	size_t n, alloc;
	size_t bytes;
};

/* A bound on what one thread keeps: past it, new results are not stored. */
#define MEMO_MAX_BYTES ((size_t)64 << 20)

static pthread_key_t memo_key;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;

static void memo_destroy(void *p)
{
	struct memo *mm = p;
	for (size_t i = 0; i < mm->n; i++) {
		free(mm->entries[i]->key);
		free(mm->entries[i]->val);
		free(mm->entries[i]);
	}
	free(mm->entries);
	pgd_map_free(mm->map);
	free(mm);
}

static void memo_init_key(void)
{
	if (pthread_key_create(&memo_key, memo_destroy))
		PGD_BUG("pthread_key_create failed");
}

static struct memo *memo_self(bool create)
{
	pthread_once(&memo_once, memo_init_key);
	struct memo *mm = pthread_getspecific(memo_key);
	if (!mm && create) {
		mm = pgd_xcalloc(1, sizeof(*mm));
		mm->map = pgd_map_new();
		if (pthread_setspecific(memo_key, mm))
			PGD_BUG("pthread_setspecific failed");
	}
	return mm;
}

static char *memo_key_of(char kind, const void *key, size_t keylen)
{
	char *k = pgd_xmalloc(keylen + 1);
	k[0] = kind;
	memcpy(k + 1, key, keylen);
	return k;
}

const char *pgd_memo_get(char kind, const void *key, size_t keylen,
			 size_t *len)
{
	struct memo *mm = memo_self(false);
	if (!mm)
		return NULL;
	char buf[256];
	char *k = keylen < sizeof(buf) ? buf : memo_key_of(kind, key, keylen);
	if (k == buf) {
		buf[0] = kind;
		memcpy(buf + 1, key, keylen);
	}
	struct memo_entry *e = pgd_map_get(mm->map, k, keylen + 1);
	if (k != buf)
		free(k);
	if (!e)
		return NULL;
	if (len)
		*len = e->vallen;
	return e->val;
}

void pgd_memo_put(char kind, const void *key, size_t keylen, const void *val,
		  size_t vallen)
{
	struct memo *mm = memo_self(true);
	if (mm->bytes + keylen + vallen > MEMO_MAX_BYTES)
		return;
	struct memo_entry *e = pgd_xmalloc(sizeof(*e));
	e->key = memo_key_of(kind, key, keylen);
	e->keylen = keylen + 1;
	e->val = pgd_xmalloc(vallen + 1);
	memcpy(e->val, val, vallen);
	e->val[vallen] = '\0';
	e->vallen = vallen;
	struct memo_entry *old = pgd_map_get(mm->map, e->key, e->keylen);
	if (old) {
		free(e->key);
		free(e->val);
		free(e);
		return;
	}
	pgd_map_put(mm->map, e->key, e->keylen, e);
	PGD_GROW(mm->entries, mm->alloc, mm->n + 1);
	mm->entries[mm->n++] = e;
	mm->bytes += keylen + vallen + sizeof(*e);
}

/* ---- libpg_query's own protobuf round trips
 *
 * pg_query_parse_protobuf() packs every tree it returns, and
 * pg_query_deparse_protobuf() unpacks and frees the tree it is given,
 * through these four pg_query.pb-c.c functions, which run protobuf-c's
 * generic code: most of what a parse or a deparse costs (docs/performance.md,
 * Performance). libpg_query calls them through its PLT, so the
 * definitions below, linked into the program, take their place for every
 * caller: same bytes, same trees (tests/unit/check_pb.c holds them to
 * protobuf-c's generic code), in time proportional to what a tree holds.
 * Where ours cannot do it (an allocator other than malloc, a field type
 * pg_query.proto does not use) protobuf-c's generic code still does.
 *
 * get_packed_size() is always followed by pack() of the same message in
 * libpg_query (pg_query_nodes_to_protobuf): the size packs the message
 * once and keeps the bytes for the pack that follows, in the thread.
 *
 * A deparse of a tree pgdrift holds need not unpack its bytes at all:
 * pgd_pb_lend() hands the tree itself to the unpack inside
 * pg_query_deparse_protobuf() (and makes the free that follows a no-op),
 * when pgd_pb_pack_exact() said a reader sees the same in both.
 */

static _Thread_local struct {
	const PgQuery__ParseResult *msg;
	uint8_t *buf;
	size_t len;
} packed;

/* the tree pgd_pb_lend() lends, and whether unpack handed it out */
static _Thread_local struct {
	const uint8_t *data;
	size_t len;
	PgQuery__ParseResult *tree;
	bool out;
} lent;

void pgd_pb_lend(const uint8_t *data, size_t len, PgQuery__ParseResult *tree)
{
	lent.data = data;
	lent.len = len;
	lent.tree = tree;
	lent.out = false;
}

void pgd_pb_lend_end(void)
{
	lent.data = NULL;
	lent.len = 0;
	lent.tree = NULL;
	lent.out = false;
}

/* the tree pgd_pb_parse() takes from libpg_query's get_packed_size() */
static _Thread_local struct {
	bool on;
	const PgQuery__ParseResult *msg;
	PgQuery__ParseResult *tree;
	struct pgd_arena *arena;
} capture;

/* pg_query_parse_protobuf(sql) into *r, and the tree copied at its pack
 * (into arena a, else malloc'd), or NULL */
static PgQuery__ParseResult *capture_parse(struct pgd_arena *a, const char *sql,
					   PgQueryProtobufParseResult *r)
{
	capture.on = true;
	capture.msg = NULL;
	capture.tree = NULL;
	capture.arena = a;
	*r = pg_query_parse_protobuf(sql);
	PgQuery__ParseResult *t = capture.tree;
	capture.on = false;
	capture.msg = NULL;
	capture.tree = NULL;
	capture.arena = NULL;
	return t;
}

PgQuery__ParseResult *pgd_pb_parse_in(struct pgd_arena *a, const char *sql,
				      PgQueryProtobufParseResult *r)
{
	PgQuery__ParseResult *t = capture_parse(a, sql, r);
	return r->error ? NULL : t;
}

PgQuery__ParseResult *pgd_pb_parse(const char *sql, PgQueryProtobufParseResult *r)
{
	PgQuery__ParseResult *t = capture_parse(NULL, sql, r);
	if (r->error) {
		if (t)
			pgd_pb_free(&t->base);
		return NULL;
	}
	if (!t) /* nothing packed (no statement), or a tree copy_msg leaves to the bytes */
		t = pgd_pb_unpack_parse_result((const uint8_t *)r->parse_tree.data,
					       r->parse_tree.len);
	return t;
}

static void packed_clear(void)
{
	free(packed.buf);
	packed.buf = NULL;
	packed.msg = NULL;
	packed.len = 0;
}

size_t pg_query__parse_result__get_packed_size(const PgQuery__ParseResult *message)
{
	packed_clear();
	if (capture.on && !capture.tree) {
		capture.tree = copy_parse_result(message, capture.arena);
		if (capture.tree) {
			capture.msg = message;
			return 0; /* the caller takes the tree, not the bytes */
		}
	}
	size_t len;
	uint8_t *buf = pgd_pb_pack(&message->base, PGD_PB_KEEP_LOCATIONS, &len);
	if (!buf)
		return protobuf_c_message_get_packed_size(&message->base);
	packed.msg = message;
	packed.buf = buf;
	packed.len = len;
	return len;
}

size_t pg_query__parse_result__pack(const PgQuery__ParseResult *message,
				    uint8_t *out)
{
	if (capture.tree && capture.msg == message) {
		capture.msg = NULL;
		return 0;
	}
	if (!packed.buf || packed.msg != message) {
		packed_clear();
		size_t len;
		uint8_t *buf = pgd_pb_pack(&message->base, PGD_PB_KEEP_LOCATIONS,
					   &len);
		if (!buf)
			return protobuf_c_message_pack(&message->base, out);
		packed.buf = buf;
		packed.len = len;
	}
	size_t len = packed.len;
	memcpy(out, packed.buf, len);
	packed_clear();
	return len;
}

PgQuery__ParseResult *pg_query__parse_result__unpack(ProtobufCAllocator *allocator,
						     size_t len,
						     const uint8_t *data)
{
	if (!allocator && lent.tree && !lent.out && data == lent.data &&
	    len == lent.len) {
		lent.out = true;
		return lent.tree;
	}
	ProtobufCMessage *m =
		allocator ? NULL
			  : unpack_msg(&pg_query__parse_result__descriptor, data,
				       data + len, 0);
	if (!m)
		m = protobuf_c_message_unpack(&pg_query__parse_result__descriptor,
					      allocator, len, data);
	return (PgQuery__ParseResult *)m;
}

void pg_query__parse_result__free_unpacked(PgQuery__ParseResult *message,
					   ProtobufCAllocator *allocator)
{
	if (!message)
		return;
	if (lent.out && message == lent.tree) {
		lent.out = false; /* the lender frees it */
		return;
	}
	if (allocator)
		protobuf_c_message_free_unpacked(&message->base, allocator);
	else
		pgd_pb_free(&message->base);
}
